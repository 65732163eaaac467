"""The README and the integrator guide say only what is true, and name every command."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from umpolicy.cli import main, parser
from umpolicy.io.validation import FUTURE_TOLERANCE

ROOT = Path(__file__).parent.parent
DOCS = sorted((ROOT / "docs").glob("*.md"))
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


def sessions(path: Path) -> list[tuple[str, list[str]]]:
    """Each ``$ umpolicy …`` command a console block of the page shows, with its output."""
    found = []
    for block in re.findall(r"```console\n(.*?)```", path.read_text(encoding="utf-8"), re.S):
        lines = block.splitlines()
        if lines and lines[0].startswith("$ umpolicy "):
            output = [line for line in lines[1:] if not line.startswith("$")]
            if output:
                found.append((lines[0].removeprefix("$ umpolicy "), output))
    return found


SESSIONS = [
    pytest.param(command, output, id=f"{path.stem}: umpolicy {command}")
    for path in DOCS
    for command, output in sessions(path)
]


class TestShownOutput:
    """What a page shows a command printing, the command prints: its lines, in order."""

    def test_the_pages_show_some(self) -> None:
        assert len(SESSIONS) >= 2

    @pytest.mark.parametrize(("command", "shown"), SESSIONS)
    def test_as_shown(
        self, command: str, shown: list[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Each line shown is printed, in that order; ``…`` stands for lines left out."""
        monkeypatch.chdir(ROOT)
        out = io.StringIO()
        assert main(command.split(), out) == 0
        printed = iter(out.getvalue().splitlines())
        for line in (each for each in shown if each != "…"):
            assert line in printed, line
