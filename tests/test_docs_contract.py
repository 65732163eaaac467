"""The README and the integrator guide say only what is true, and name every command."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from umpolicy.cli import main, parser
from umpolicy.io.validation import FUTURE_TOLERANCE

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
GUIDE = (ROOT / "docs" / "integrators.md").read_text(encoding="utf-8")
REFERENCE = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
QUICK_START = (
    "python3 -m pip install . && python3 -m umpolicy evaluate "
    "examples/proleukin/melanoma-iv-approve.json"
)


def commands() -> list[str]:
    """Every subcommand the command line takes."""
    (choices,) = [a.choices for a in parser()._subparsers._group_actions]  # type: ignore[union-attr]
    assert isinstance(choices, dict)
    return sorted(choices)


class TestInstall:
    """Installs are from a checkout or a built wheel: no package index has umpolicy."""

    @pytest.mark.parametrize("text", [README, GUIDE], ids=["README", "guide"])
    def test_no_index(self, text: str) -> None:
        assert not re.search(r"pip install (-U )?umpolicy\b", text)
        assert "pip install ." in text
        assert "pip install -e ." in text
        assert "wheel" in text

    def test_the_quick_start_still_works(self) -> None:
        assert QUICK_START in README
        assert "python3 -m pip install nox && python3 -m nox -s tests" in README
        out = io.StringIO()
        assert (
            main(["evaluate", str(ROOT / "examples/proleukin/melanoma-iv-approve.json")], out) == 0
        )
        assert out.getvalue()


class TestCommands:
    """Every command, and --version, is listed in the README and in the guide."""

    def test_the_commands(self) -> None:
        assert {"evaluate", "batch", "show", "facts", "policies", "schema"} <= set(commands())

    @pytest.mark.parametrize("text", [README, GUIDE], ids=["README", "guide"])
    def test_listed(self, text: str) -> None:
        for command in commands():
            assert f"umpolicy {command}" in text, command
        assert "umpolicy --version" in text


class TestTheGuide:
    """The guide links the published schemas and states the date tolerance enforced."""

    def test_schemas_linked(self) -> None:
        assert "(schemas/request.schema.json)" in GUIDE
        assert "(schemas/decision.schema.json)" in GUIDE

    def test_the_date_tolerance(self) -> None:
        assert FUTURE_TOLERANCE.days == 1
        assert "more than **one day** past today's date in UTC" in GUIDE

    def test_the_models_are_in_the_reference(self) -> None:
        for module in ("umpolicy.vocabulary.request", "umpolicy.engine.decision"):
            assert f"::: {module}\n" in REFERENCE
        assert "::: umpolicy.io.quantities\n" in REFERENCE
