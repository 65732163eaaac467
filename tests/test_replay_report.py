"""The replay's report: the terminal table, Markdown, HTML, the chart, and ``umpolicy replay``."""

from __future__ import annotations

import html
import io
import json
import sys
from pathlib import Path

import attrs
import pytest

from umpolicy.cli import main
from umpolicy.render.replay import (
    NO_CHART,
    chart_or_none,
    chart_svg,
    headline,
    impact_html,
    impact_markdown,
    impact_text,
    share,
)
from umpolicy.replay import Impact, replay, version_notes
from umpolicy_policies.proleukin import POLICY as CURRENT
from umpolicy_policies.proleukin_2022 import POLICY as EARLIER
from umpolicy_policies.proleukin_history import HISTORY

EXAMPLES = Path(__file__).parent.parent / "examples" / "proleukin"
SPECS = ("--from", "proleukin@2024-06-01", "--to", "proleukin@2025-03-01")


def lines() -> list[bytes]:
    return [json.dumps(json.loads(p.read_text())).encode() for p in sorted(EXAMPLES.glob("*.json"))]


@pytest.fixture(scope="module")
def result() -> Impact:
    return replay(lines(), EARLIER, CURRENT)


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


@pytest.fixture
def jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "requests.jsonl"
    path.write_bytes(b"\n".join(lines()) + b"\n")
    return path


class TestShare:
    """Shares are exact percentages, rounded half up to one decimal."""

    @pytest.mark.parametrize(
        ("part", "whole", "shown"),
        [(1, 17, "5.9%"), (1, 8, "12.5%"), (1, 16, "6.3%"), (0, 0, "0.0%"), (3, 3, "100.0%")],
    )
    def test_share(self, part: int, whole: int, shown: str) -> None:
        assert share(part, whole) == shown


class TestText:
    """The terminal table lists every cell, marks the changed ones and gives their causes."""

    def test_one_request_is_said_in_the_singular(self, result: Impact) -> None:
        changed = next(cell for cell in result.cells if cell.changed)
        one = attrs.evolve(result, requests=1, cells=(attrs.evolve(changed, requests=1),))
        assert headline(one) == "1 request replayed; 1 (100.0%) changes outcome."

    def test_table(self, result: Impact) -> None:
        text = impact_text(result)
        assert text.startswith(
            "from: proleukin version 2022-01-01 (in force 2022-01-01 to 2025-02-04"
        )
        assert "17 requests replayed; 3 (17.6%) change outcome." in text
        assert "insufficient_information → approve" in text
        assert (
            "  2.C removed (“Patient has clear cell histology; AND”; was unknown): 1 request "
            "insufficient_information → approve\n"
        ) in text

    def test_nothing_changed(self) -> None:
        text = impact_text(replay(lines(), CURRENT, CURRENT))
        assert "0 (0.0%) change outcome" in text
        assert "criteria responsible" not in text


class TestMarkdown:
    """Markdown links the chart when there is one, and says what it needs when not."""

    def test_with_chart(self, result: Impact) -> None:
        text = impact_markdown(result, "chart.svg", ("a note",), level=2)
        assert text.startswith("## Replay: proleukin 2022-01-01 → 2025-02-05\n")
        assert '!!! warning "Not the plan\'s own"\n\n    a note\n' in text
        assert "![Requests by old and new outcome](chart.svg)" in text
        assert "| **insufficient_information** | **approve** | 1 | 5.9% | `rcc-001` |" in text
        assert "### What changed them" in text

    def test_without_chart(self, result: Impact) -> None:
        assert f"*{NO_CHART}*" in impact_markdown(result)

    def test_nothing_changed(self) -> None:
        assert "No request changes outcome." in impact_markdown(replay(lines(), CURRENT, CURRENT))

    def test_a_sample_id_stays_in_its_code_span(self) -> None:
        """An id with backticks, a link and a pipe stays code, in its own cell."""
        hostile = "x` [Approve](https://e.example) `y <b>|"
        data = json.loads(next(EXAMPLES.glob("rcc-approve.json")).read_text())
        text = impact_markdown(
            replay([json.dumps({**data, "id": hostile}).encode()], CURRENT, CURRENT)
        )
        assert (
            "| approve | approve | 1 | 100.0% | ``x` [Approve](https://e.example) `y <b>\\|`` |"
            in text
        )


class TestASampleIdStaysOnItsLine:
    """A request's id is the request's text: it never starts a line of the report.

    Nor does it turn the text after it right to left.
    """

    FORGED = "x\napprove → not_recommended  9  100.0%* \u202eforged"

    def forged(self) -> Impact:
        data = json.loads(next(EXAMPLES.glob("rcc-approve.json")).read_text())
        return replay([json.dumps({**data, "id": self.FORGED}).encode()], CURRENT, CURRENT)

    def test_text(self) -> None:
        text = impact_text(self.forged())
        assert not [line for line in text.splitlines() if line.startswith("approve → not_")]
        assert "\u202e" not in text
        assert "  x\\napprove → not_recommended  9  100.0%* \\u202eforged\n" in text

    def test_html(self) -> None:
        page = impact_html(self.forged())
        assert "\u202e" not in page
        assert "<td>x\\napprove → not_recommended  9  100.0%* \\u202eforged</td>" in page


class TestChart:
    """The chart is SVG with every count in it, the same bytes for the same result."""

    def test_svg(self, result: Impact) -> None:
        svg = chart_svg(result)
        assert svg.startswith("<svg")
        assert svg == chart_svg(result)
        assert "<script" not in svg
        assert 'href="http' not in svg
        assert "<metadata" not in svg

    def test_without_matplotlib(self, result: Impact, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setitem(sys.modules, "matplotlib", None)
        assert chart_or_none(result) is None
        assert html.escape(NO_CHART) in impact_html(result)


class TestHtml:
    """The HTML page is self-contained: the chart inline, its style inline, no script."""

    def test_page(self, result: Impact) -> None:
        page = impact_html(result, ("reconstructed <words>",))
        assert page.startswith("<!DOCTYPE html>")
        assert "<svg" in page
        assert "reconstructed &lt;words&gt;" in page
        assert '<tr class="changed"><td>insufficient_information</td><td>approve</td>' in page
        assert "<script" not in page

    def test_nothing_changed(self) -> None:
        assert "No request changes outcome." in impact_html(replay(lines(), CURRENT, CURRENT))


class TestNotes:
    """A report says first what is not the plan's own: reconstructed words, dates read."""

    def test_each_version_and_the_dates_once(self) -> None:
        assert EARLIER.provenance is not None
        assert version_notes(EARLIER, CURRENT, EARLIER) == (
            f"Version 2022-01-01: {EARLIER.provenance.text}",
            f"Dates in force: {HISTORY.note}",
        )

    def test_a_version_of_the_plans_own_with_its_own_dates(self) -> None:
        built = attrs.evolve(CURRENT, version="built elsewhere")  # in force from its date
        assert version_notes(built) == ()


class TestCommand:
    """umpolicy replay writes each format, shows progress, and refuses unknown versions."""

    def test_text(self, jsonl: Path, capsys: pytest.CaptureFixture[str]) -> None:
        status, out = run("replay", str(jsonl), *SPECS, "--jobs", "1")
        assert status == 0
        assert out.startswith("note: Version 2022-01-01: Reconstructed from the revision note")
        assert out.count("note: Version ") == 1  # the current version is the plan's own text
        # Both versions' dates in force are shown, and are a reading: said once.
        assert out.count(f"note: Dates in force: {HISTORY.note}\n") == 1
        assert "from: proleukin version 2022-01-01 (in force 2022-01-01 to 2025-02-04, " in out
        assert "to:   proleukin version 2025-02-05 (in force from 2025-02-05, " in out
        assert "17 requests replayed; 3 (17.6%) change outcome." in out
        assert "17/17 requests" in capsys.readouterr().err

    def test_json(self, jsonl: Path) -> None:
        status, out = run("replay", str(jsonl), *SPECS, "--format", "json", "--quiet")
        assert status == 0
        data = json.loads(out)
        assert data["requests"] == 17
        assert data["changed"] == 3
        assert data["notes"] == list(version_notes(EARLIER, CURRENT))
        assert data["notes"]

    def test_sample_size(self, jsonl: Path) -> None:
        status, out = run("replay", str(jsonl), *SPECS, "--format", "json", "--sample", "1")
        assert status == 0
        cells = json.loads(out)["cells"]
        assert {len(cell["sample"]) for cell in cells} == {1}

    def test_markdown_and_chart(self, jsonl: Path, tmp_path: Path) -> None:
        chart = tmp_path / "chart.svg"
        status, out = run(
            "replay", str(jsonl), *SPECS, "--format", "markdown", "--chart", str(chart), "--quiet"
        )
        assert status == 0
        assert f"]({chart})" in out
        assert chart.read_text().startswith("<svg")

    def test_a_chart_in_no_folder_is_refused_before_the_replay(
        self,
        jsonl: Path,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        from umpolicy import replay_cli

        monkeypatch.setattr(replay_cli, "replay", lambda *_, **__: pytest.fail("replayed"))
        chart = tmp_path / "no-such-folder" / "chart.svg"
        status, out = run(
            "replay", str(jsonl), *SPECS, "--format", "markdown", "--chart", str(chart), "--quiet"
        )
        assert (status, out) == (2, "")
        said = f"umpolicy: --chart {chart}: its folder does not exist\n"
        assert capsys.readouterr().err == said

    def test_markdown_without_chart(self, jsonl: Path) -> None:
        status, out = run("replay", str(jsonl), *SPECS, "--format", "markdown", "--quiet")
        assert status == 0
        assert NO_CHART in out

    def test_markdown_without_the_extra(
        self,
        jsonl: Path,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        monkeypatch.setitem(sys.modules, "matplotlib", None)
        chart = tmp_path / "chart.svg"
        status, out = run(
            "replay", str(jsonl), *SPECS, "--format", "markdown", "--chart", str(chart), "--quiet"
        )
        assert status == 0
        assert NO_CHART in out
        assert NO_CHART in capsys.readouterr().err
        assert not chart.exists()

    def test_html(self, jsonl: Path) -> None:
        status, out = run("replay", str(jsonl), *SPECS, "--format", "html", "--quiet")
        assert status == 0
        assert "<svg" in out

    def test_stdin_with_jobs(self, jsonl: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(jsonl.read_bytes())))
        status, out = run("replay", "-", *SPECS, "--jobs", "2", "--format", "json")
        assert status == 0
        assert json.loads(out)["changed"] == 3

    def test_unknown_version(self, jsonl: Path, capsys: pytest.CaptureFixture[str]) -> None:
        status, _ = run("replay", str(jsonl), "--from", "proleukin@2019-01-01", "--to", "proleukin")
        assert status == 2
        assert "2019-01-01" in capsys.readouterr().err

    @pytest.mark.parametrize("option", ["--jobs", "--sample"])
    def test_bad_counts(self, jsonl: Path, option: str) -> None:
        with pytest.raises(SystemExit):
            run("replay", str(jsonl), *SPECS, f"{option}=-1")
        with pytest.raises(SystemExit):
            run("replay", str(jsonl), *SPECS, "--jobs", "0")

    @pytest.mark.parametrize(("given", "said"), [("x", "not a whole number: 'x'"), ("-1", "-1")])
    def test_a_bad_sample_is_said_as_the_option(
        self, jsonl: Path, capsys: pytest.CaptureFixture[str], given: str, said: str
    ) -> None:
        """The usage error names --sample and what is wrong, not a function of the code."""
        with pytest.raises(SystemExit) as stopped:
            run("replay", str(jsonl), *SPECS, "--sample", given)
        assert stopped.value.code == 2
        err = capsys.readouterr().err
        assert "argument --sample: " in err
        assert said in err
        assert "_count" not in err

    def test_dask_without_the_extra(
        self, jsonl: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        monkeypatch.setitem(sys.modules, "umpolicy.replay_dask", None)
        status, _ = run("replay", str(jsonl), *SPECS, "--dask", "tcp://127.0.0.1:1", "--quiet")
        assert status == 2
        assert "pip install 'umpolicy[dask]'" in capsys.readouterr().err
