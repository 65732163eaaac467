"""The engine knows no drug: nothing under src/ names a policy's drug, disease or specialty."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SOURCE = Path(__file__).parent.parent / "src" / "umpolicy"

#: The words of the policies the project holds (issue 9's list for Proleukin, and the
#: teaching policy's): a policy's facts live in its own module, never in the engine.
POLICY_WORDS = re.compile(
    r"melanoma|renal|graft|lesion|aldesleukin|proleukin|oncolog|dermatolog"
    r"|quellimab|rheumatoid|idiopathic",
    re.IGNORECASE,
)

FILES = sorted(
    path
    for path in SOURCE.rglob("*")
    if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
)


class TestEngineKnowsNoDrug:
    def test_the_engine_has_files(self) -> None:
        """The check reads the engine's own source tree (a wrong path would pass vacuously)."""
        assert SOURCE / "engine" / "decision.py" in FILES

    @pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(SOURCE)))
    def test_no_policy_word(self, path: Path) -> None:
        """No line of the engine's code, docstrings or data names a policy's own facts."""
        lines = path.read_text(encoding="utf-8").splitlines()
        found = [
            f"{number}: {line.strip()}"
            for number, line in enumerate(lines, 1)
            if POLICY_WORDS.search(line)
        ]
        assert found == []
