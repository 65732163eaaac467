"""Which tests exercise which policy labels, read from pytest's own collection.

Tests declare the labels they exercise with ``@pytest.mark.criteria("1.A.i")``
(also on ``pytest.param``). Labels belong to one policy: the mark's ``policy=``
keyword names it; without one, a test under ``tests/<policy>/`` exercises that
policy, and any other test the reference policy, Proleukin. :func:`labels_exercised`
runs pytest's collection in a subprocess with this module as a plugin, so
parametrized and class-level marks count exactly as pytest sees them. The docs
build and the traceability test both use it.
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
#: The policy a test exercises when neither its mark nor its folder names one.
DEFAULT_POLICY = "proleukin"


def policy_of(item: pytest.Item, mark: pytest.Mark) -> str:
    """The policy whose labels a test's ``criteria`` mark names."""
    named = mark.kwargs.get("policy")
    if named is not None:
        return str(named)
    parts = Path(item.nodeid.split("::", 1)[0]).parts
    if len(parts) > 2 and parts[0] == TESTS.name:
        return parts[1]
    return DEFAULT_POLICY


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Write ``{policy: {label: [test ids]}}`` for the collected items to the env's file."""
    out = os.environ.get(_OUT)
    if not out:
        return
    found: dict[str, dict[str, list[str]]] = {}
    for item in items:
        for mark in item.iter_markers("criteria"):
            labels = found.setdefault(policy_of(item, mark), {})
            for label in mark.args:
                labels.setdefault(label, []).append(item.nodeid)
    Path(out).write_text(json.dumps(found, sort_keys=True), encoding="utf-8")


def all_labels_exercised(suite: Path = TESTS) -> dict[str, dict[str, list[str]]]:
    """Collect the suite (without running it): each policy's labels, with the tests naming them."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "labels.json"
        path = os.pathsep.join(p for p in (str(suite.parent), os.environ.get("PYTHONPATH")) if p)
        env = {**os.environ, _OUT: str(out), "PYTHONPATH": path}
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "tests.traceability"],
            cwd=suite.parent,
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"collecting the tests failed (exit {done.returncode}):\n"
                + "\n".join((done.stdout + done.stderr).splitlines()[-40:])
            )
        labels: dict[str, dict[str, list[str]]] = json.loads(out.read_text(encoding="utf-8"))
        return labels


def labels_exercised(policy: str = DEFAULT_POLICY, suite: Path = TESTS) -> dict[str, list[str]]:
    """One policy's labels, each with the tests that name it."""
    return all_labels_exercised(suite).get(policy, {})
