"""Replay: every request decided under two versions, the changes counted, their causes named."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from attrs import evolve
from hypothesis import given, settings
from hypothesis import strategies as st

from umpolicy import AtMost, Quantity
from umpolicy.cli import main
from umpolicy.dsl.nodes import AllOf, DoseLimit
from umpolicy.engine.decision import Decision
from umpolicy.errors import UnknownPolicyError
from umpolicy.history import DifferentPoliciesError
from umpolicy.policy import Policy
from umpolicy.replay import (
    Row,
    Tally,
    causes,
    chunks,
    compare,
    counterparts,
    replay,
    resolve,
    tally,
    to_data,
    version_notes,
)
from umpolicy_policies.proleukin import POLICY as CURRENT
from umpolicy_policies.proleukin_2022 import POLICY as EARLIER
from umpolicy_quellimab.policy import POLICY as QUELLIMAB

EXAMPLES = Path(__file__).parent.parent / "examples" / "proleukin"


def example(name: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text())
    data.update(changes)
    return data


def line(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode()


def examples() -> list[bytes]:
    return [line(json.loads(p.read_text())) for p in sorted(EXAMPLES.glob("*.json"))]


def rcc(**answers: object) -> bytes:
    """The approved RCC example with these answers (and only these)."""
    return line(example("rcc-approve", answers={"proleukin": answers}))


def looser_iv_dose() -> Policy:
    """Proleukin with the RCC dose limit raised: a limit changed, nothing else."""
    indication = CURRENT.indications[1]
    dosing = indication.dosing
    assert isinstance(dosing, AllOf)
    first = dosing.children[0]
    assert isinstance(first, DoseLimit)
    dose = AtMost("medication.dose", Quantity("720000", "[iU]/kg"))
    looser = evolve(first, checks=(first.checks[0], dose, *first.checks[2:]))
    rcc_dosing = evolve(dosing, children=(looser, *dosing.children[1:]))
    return evolve(
        CURRENT,
        version="test-looser",
        indications=(
            CURRENT.indications[0],
            evolve(indication, dosing=rcc_dosing),
            *CURRENT.indications[2:],
        ),
    )


class TestDoneWhen:
    """RCC with clear cell histology unknown: insufficient before the revision, approved after."""

    def test_outcomes_and_cause(self) -> None:
        row = compare(1, rcc(renal_cell_carcinoma_metastatic=True), EARLIER, CURRENT)
        assert row is not None
        assert row.pair == ("insufficient_information", "approve")
        assert row.causes == ("2.C removed (“Patient has clear cell histology; AND”; was unknown)",)
        assert row.name == "rcc-001"

    def test_report_counts_it(self) -> None:
        result = replay([rcc(renal_cell_carcinoma_metastatic=True)] * 3, EARLIER, CURRENT)
        (cell,) = result.cells
        assert (cell.old, cell.new, cell.requests) == ("insufficient_information", "approve", 3)
        assert [(c.text[:11], c.requests) for c in cell.causes] == [("2.C removed", 3)]
        assert result.changed == 3


class TestCauses:
    """The criteria responsible are the reasons whose status changed, in each version's words."""

    def test_relettered_criteria_match_by_their_words(self) -> None:
        matched = counterparts(EARLIER, CURRENT)
        assert matched["2.D"] == "2.C"
        assert matched["2.E"] == "2.D"
        assert matched["2.B"] == "2.B"  # reworded in place
        assert "2.C" not in matched  # removed
        assert matched["Dosing 2.A"] == "Dosing 2.A"

    def test_reworded_criterion_names_both_wordings(self) -> None:
        row = compare(
            1,
            rcc(renal_cell_carcinoma_metastatic=False, clear_cell_histology=True),
            EARLIER,
            CURRENT,
        )
        assert row is not None
        assert row.pair == ("approve", "not_recommended")
        assert row.causes == (
            "2.B reworded (“Patient has kidney cancer; AND” → “Patient has metastatic "
            "disease; AND”; rule: diagnoses include Renal cell carcinoma (ICD-10-CM C64*) → "
            "answers.renal_cell_carcinoma_metastatic is yes): met → not met",
        )

    def test_relettered_reason_is_no_cause(self) -> None:
        """The prescriber unknown leaves 2.E unknown before and 2.D after: no change there."""
        data = example(
            "rcc-approve", answers={"proleukin": {"renal_cell_carcinoma_metastatic": False}}
        )
        del data["prescriber"], data["consultants"]
        was = _decided(line(data), EARLIER)
        assert {r.label for r in was.reasons} == {"2.C", "2.E"}
        row = compare(1, line(data), EARLIER, CURRENT)
        assert row is not None
        assert row.pair == ("insufficient_information", "not_recommended")
        assert [cause[:11] for cause in row.causes] == ["2.C removed", "2.B reworde"]

    def test_added_criterion(self) -> None:
        """Replayed backwards, the removed 2.C is added (and 2.B reworded back)."""
        row = compare(1, rcc(renal_cell_carcinoma_metastatic=True), CURRENT, EARLIER)
        assert row is not None
        assert row.pair == ("approve", "insufficient_information")
        assert row.causes == ("2.C added (“Patient has clear cell histology; AND”; unknown)",)

    def test_changed_limit(self) -> None:
        data = example("rcc-approve")
        data["medication"]["dose"]["value"] = "700000"
        row = compare(1, line(data), CURRENT, looser_iv_dose())
        assert row is not None
        assert row.pair == ("clinician_review", "approve")
        (cause,) = row.causes
        assert cause.startswith("Dosing 2.A limits changed (“Each dose must not exceed 600,000")
        assert "limit (rule): medication.dose ≤ 600,000 International Units/kg" in cause
        assert "→ medication.dose ≤ 720,000 International Units/kg" in cause
        assert cause.endswith(": not met → met")

    def test_no_criterion_changed(self) -> None:
        """Outcomes that differ by the outcome rules alone say so (two made-up decisions)."""
        was = evolve(_decided(rcc(renal_cell_carcinoma_metastatic=True), CURRENT), reasons=())
        now = _decided(rcc(renal_cell_carcinoma_metastatic=True), CURRENT)
        assert causes(CURRENT, was, CURRENT, now) == (
            "no criterion's status changed (the outcome rules did)",
        )

    def test_exclusion_words(self) -> None:
        """An item of CONDITIONS NOT RECOMMENDED is quoted, and matched, by its label."""
        from umpolicy.replay import words
        from umpolicy_quellimab.policy import POLICY as QUELLIMAB

        item = QUELLIMAB.exclusions[0]
        label = f"Not Recommended {item.label}"
        assert words(QUELLIMAB, label) == item.text
        assert counterparts(QUELLIMAB, QUELLIMAB)[label] == label
        assert words(QUELLIMAB, "1.A.i") == QUELLIMAB.node("1.A.i").text

    def test_heading_words_include_its_title(self) -> None:
        from umpolicy.replay import words

        assert words(CURRENT, "2").startswith("Renal Cell Carcinoma. Approve for 1 year")


def _decided(data: bytes, policy: Policy) -> Decision:
    """The decision under this version, whatever the request's date (as replay decides)."""
    from umpolicy.api import parse_request
    from umpolicy.engine.decision import decide
    from umpolicy.replay import _admitted

    request = parse_request(data)
    other = EARLIER if policy is CURRENT else CURRENT
    return decide(policy, request, answers=_admitted(policy, other, request))


class TestLines:
    """A line that cannot be decided is counted as invalid or failed, never as a decision."""

    def test_blank_line_is_skipped(self) -> None:
        assert compare(1, b"  \n", EARLIER, CURRENT) is None
        assert replay([b"\n"], EARLIER, CURRENT).requests == 0

    def test_not_json(self) -> None:
        row = compare(7, b"{not json", EARLIER, CURRENT)
        assert row == Row(("invalid", "invalid"), (), "line 7")

    def test_invalid_request_keeps_its_id(self) -> None:
        row = compare(1, line(example("rcc-approve", date="yesterday")), EARLIER, CURRENT)
        assert row == Row(("invalid", "invalid"), (), "rcc-001")

    def test_no_id_is_named_by_line(self) -> None:
        data = example("rcc-approve")
        del data["id"]
        row = compare(3, line(data), CURRENT, CURRENT)
        assert row is not None
        assert row.name == "line 3"

    def test_answer_only_the_other_version_asks_is_left_out(self) -> None:
        row = compare(
            1,
            rcc(renal_cell_carcinoma_metastatic=True, clear_cell_histology=True),
            EARLIER,
            CURRENT,
        )
        assert row is not None
        assert row.pair == ("approve", "approve")

    def test_invalid_under_one_version_is_the_cause(self) -> None:
        """A malformed answer only the earlier version asks for: invalid there alone."""
        row = compare(
            1,
            rcc(renal_cell_carcinoma_metastatic=True, clear_cell_histology="yes"),
            EARLIER,
            CURRENT,
        )
        assert row is not None
        assert row.pair == ("invalid", "approve")
        assert row.causes == ("cannot be decided under version 2022-01-01 (invalid)",)
        back = compare(
            1,
            rcc(renal_cell_carcinoma_metastatic=True, clear_cell_histology="yes"),
            CURRENT,
            EARLIER,
        )
        assert back is not None
        assert back.causes == ("cannot be decided under version 2022-01-01 (invalid)",)

    def test_answer_neither_asks_is_invalid(self) -> None:
        row = compare(
            1, rcc(renal_cell_carcinoma_metastatic=True, clear_cel=True), EARLIER, CURRENT
        )
        assert row is not None
        assert row.pair == ("invalid", "invalid")

    def test_request_for_another_policy_is_invalid(self) -> None:
        row = compare(1, line(example("rcc-approve", policy="quellimab")), EARLIER, CURRENT)
        assert row is not None
        assert row.pair == ("invalid", "invalid")

    def test_internal_error_is_failed(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import umpolicy.replay

        def broken(*_: object, **__: object) -> None:
            raise RuntimeError("a bug")

        monkeypatch.setattr(umpolicy.replay, "decide", broken)
        row = compare(1, rcc(renal_cell_carcinoma_metastatic=True), EARLIER, CURRENT)
        assert row is not None
        assert row.pair == ("failed", "failed")

    def test_parser_error_is_failed(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import umpolicy.api

        def broken(*_: object) -> None:
            raise RuntimeError("a bug")

        monkeypatch.setattr(umpolicy.api, "parse_request", broken)
        row = compare(2, rcc(renal_cell_carcinoma_metastatic=True), EARLIER, CURRENT)
        assert row == Row(("failed", "failed"), (), "rcc-001")


def _rows(draw: random.Random, count: int) -> Iterator[Row]:
    pairs = [("approve", "approve"), ("not_recommended", "approve"), ("invalid", "invalid")]
    for number in range(count):
        pair = draw.choice(pairs)
        cause = ("2.C removed",) if pair[0] != pair[1] else ()
        yield Row(pair, cause, f"r-{draw.randrange(count * 2)}-{number}")


class TestTally:
    """Tallies merge to the same counts and samples whatever the order or split of the lines."""

    @settings(max_examples=60, deadline=None)
    @given(st.integers(0, 2**32), st.integers(0, 80), st.integers(0, 6), st.data())
    def test_split_and_order_do_not_matter(
        self, seed: int, count: int, size: int, data: st.DataObject
    ) -> None:
        rows = list(_rows(random.Random(seed), count))
        whole = Tally(size)
        for row in rows:
            whole.add(row)
        shuffled = data.draw(st.permutations(rows))
        cut = data.draw(st.integers(0, count))
        parts = [Tally(size), Tally(size)]
        for index, row in enumerate(shuffled):
            parts[index < cut].add(row)
        assert parts[0].merge(parts[1]) == whole
        for pair, kept in whole.samples.items():
            assert len(kept) == min(size, whole.cells[pair])

    def test_no_sample(self) -> None:
        found = Tally(0)
        found.add(Row(("approve", "approve"), (), "a"))
        assert found.samples == {}
        assert found.cells == {("approve", "approve"): 1}

    def test_repr_rebuilds(self) -> None:
        found = Tally(2)
        found.add(Row(("approve", "not_recommended"), ("x",), "a"))
        assert eval(repr(found)) == found

    def test_chunks_number_lines(self) -> None:
        assert list(chunks([b"a", b"b", b"c"], 2)) == [(1, [b"a", b"b"]), (3, [b"c"])]
        assert tally(5, [b"{"], CURRENT, CURRENT, 1).samples == {
            ("invalid", "invalid"): [(tally_rank("line 5"), "line 5")]
        }


def tally_rank(name: str) -> str:
    from umpolicy.replay import _rank

    return _rank(name)


class TestReplay:
    """Local processes give the report one process gives, in outcome order, as JSON too."""

    def test_jobs_agree(self) -> None:
        lines = [
            rcc(renal_cell_carcinoma_metastatic=m, clear_cell_histology=h)
            for m in (True, False)
            for h in (1, 0)
        ]
        lines = [text.replace(b": 1", b": true").replace(b": 0", b": false") for text in lines]
        lines = (lines + examples()) * 7
        one = replay(lines, EARLIER, CURRENT, jobs=1, chunk=5)
        seen: list[int] = []
        two = replay(lines, EARLIER, CURRENT, jobs=2, chunk=5, advance=seen.append)
        assert one == two
        assert sum(seen) == len(lines)
        assert one.requests == len(lines)
        assert replay(lines, EARLIER, CURRENT, jobs=None, chunk=50) == one

    def test_worker_chunk_is_the_one_process_tally(self) -> None:
        """What a worker process runs (set up by its start) is :func:`tally`."""
        from umpolicy import replay as module

        module._start(EARLIER, CURRENT, 3)
        assert module._work(1, examples()) == tally(1, examples(), EARLIER, CURRENT, 3)

    def test_progress_in_one_process(self) -> None:
        seen: list[int] = []
        replay(examples(), CURRENT, CURRENT, chunk=4, advance=seen.append)
        assert sum(seen) == len(examples())

    def test_cells_in_outcome_order(self) -> None:
        result = replay(examples(), EARLIER, CURRENT)
        order = [(c.old, c.new) for c in result.cells]
        assert order[0] == ("approve", "approve")
        assert order == sorted(order, key=lambda p: [_OUTCOME_INDEX[x] for x in p])
        assert all(len(c.sample) <= result.sample_size for c in result.cells)

    def test_json(self) -> None:
        data = to_data(replay(examples(), EARLIER, CURRENT))
        assert data["old"]["version"] == EARLIER.version
        assert data["new"]["content_hash"] == CURRENT.content_hash
        assert data["changed"] == sum(c["requests"] for c in data["cells"] if c["old"] != c["new"])
        assert data["notes"] == []
        json.dumps(data)

    def test_json_says_the_notes_the_text_says(self) -> None:
        """The reconstructed words and the dates' reading reach a tool as they reach a reader."""
        notes = version_notes(EARLIER, CURRENT)
        assert any("reconstructed" in note.lower() for note in notes)
        data = to_data(replay(examples(), EARLIER, CURRENT), notes)
        assert data["notes"] == list(notes)

    def test_same_version_changes_nothing(self) -> None:
        result = replay(examples(), CURRENT, CURRENT)
        assert result.changed == 0
        assert all(not c.causes for c in result.cells)


_OUTCOME_INDEX = {
    o: i
    for i, o in enumerate(
        (
            "approve",
            "clinician_review",
            "not_recommended",
            "insufficient_information",
            "invalid",
            "failed",
        )
    )
}


class TestResolve:
    """A spec names a version by a date it is in force on; an unknown one says why."""

    def test_by_date(self) -> None:
        assert resolve("proleukin@2024-06-01") == EARLIER
        assert resolve("proleukin@2025-03-01") == CURRENT

    def test_by_name(self) -> None:
        assert resolve("proleukin") == CURRENT

    def test_not_a_date(self) -> None:
        with pytest.raises(UnknownPolicyError, match="the date after @ is YYYY-MM-DD"):
            resolve("proleukin@June")

    def test_no_version_then(self) -> None:
        with pytest.raises(UnknownPolicyError):
            resolve("proleukin@2019-06-01")


class TestOnePolicy:
    """A replay compares two versions of one policy: two drugs' policies are refused."""

    REFUSED = (
        "proleukin 2025-02-05 and quellimab 2026-06-15 are versions of different policies: "
        "'proleukin' and 'quellimab'; replay compares two versions of one policy"
    )

    @staticmethod
    def unread() -> Iterator[bytes]:
        """Lines that fail the test when the replay reads the first one."""

        def read() -> bytes:
            raise AssertionError("a line was read")

        return iter(read, b"")

    @pytest.mark.parametrize("jobs", [1, 2])
    def test_refused_before_a_line_is_read(self, jobs: int) -> None:
        with pytest.raises(DifferentPoliciesError) as info:
            replay(self.unread(), CURRENT, QUELLIMAB, jobs=jobs)
        assert str(info.value) == self.REFUSED
        assert isinstance(info.value, ValueError)

    def test_the_command_line_names_the_versions_as_given(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "requests.jsonl"
        path.write_bytes(b"".join(examples()))
        argv = ["replay", str(path), "--from", "proleukin@2024-06-01", "--to", "quellimab"]
        assert main([*argv, "--quiet", "--jobs", "1"]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err == (
            "umpolicy: proleukin@2024-06-01 and quellimab are versions of different policies: "
            "'proleukin' and 'quellimab'; replay compares two versions of one policy\n"
        )
