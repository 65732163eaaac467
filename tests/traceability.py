"""Which tests exercise which policy labels, read from pytest's own collection.

Tests declare the labels they exercise with ``@pytest.mark.criteria("1.A.i")``
(also on ``pytest.param``). :func:`labels_exercised` runs pytest's collection in a
subprocess with this module as a plugin, so parametrized and class-level marks
count exactly as pytest sees them. The docs build and the traceability test both
use it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

_OUT = "UMPOLICY_TRACEABILITY_OUT"
TESTS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Write ``{label: [test ids]}`` for the collected items to the file named in the env."""
    out = os.environ.get(_OUT)
    if not out:
        return
    found: dict[str, list[str]] = {}
    for item in items:
        for mark in item.iter_markers("criteria"):
            for label in mark.args:
                found.setdefault(label, []).append(item.nodeid)
    Path(out).write_text(json.dumps(found, sort_keys=True), encoding="utf-8")


def labels_exercised(suite: Path = TESTS) -> dict[str, list[str]]:
    """Collect the suite (without running it) and map each label to the tests naming it."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "labels.json"
        env = {**os.environ, _OUT: str(out), "PYTHONPATH": str(suite.parent)}
        subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "tests.traceability"],
            cwd=suite.parent,
            env=env,
            check=True,
            capture_output=True,
        )
        labels: dict[str, list[str]] = json.loads(out.read_text(encoding="utf-8"))
        return labels
