"""Versions in force on a date: a request is decided under the version in force on its date."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
from attrs import evolve
from hypothesis import given
from hypothesis import strategies as st

import umpolicy.registry as registry
from umpolicy import InputError, PolicyError, UnknownPolicyError, load_policy
from umpolicy.api import evaluate, parse_request, to_json
from umpolicy.cli import main
from umpolicy.engine.decision import decide
from umpolicy.history import InForce, NotInForceError, PolicyHistory, parse_spec
from umpolicy.io import validation
from umpolicy.io.validation import dated
from umpolicy.registry import (
    history_of,
    load_history,
    policy_at,
    policy_by_hash,
    version_at,
)
from umpolicy_policies import proleukin, proleukin_2022
from umpolicy_policies.proleukin_history import HISTORY

ROOT = Path(__file__).parent.parent
RCC = json.loads((ROOT / "examples" / "proleukin" / "rcc-approve.json").read_text())
TODAY = dt.date(2026, 12, 2)
EARLIER, CURRENT = proleukin_2022.POLICY, proleukin.POLICY
FIRST, REVISED = dt.date(2022, 1, 1), dt.date(2025, 2, 5)


def rcc(date: dt.date | str, **answers: object) -> str:
    """The RCC example (metastatic, histology not given) dated ``date``, with more answers."""
    given = {**RCC["answers"]["proleukin"], **answers}
    return json.dumps({**RCC, "date": str(date), "answers": {"proleukin": given}})


@pytest.fixture
def fresh() -> Iterator[None]:
    """Forget the policies and histories loaded, before and after the test."""
    registry.load_policy.cache_clear()
    registry.load_history.cache_clear()
    yield
    registry.load_policy.cache_clear()
    registry.load_history.cache_clear()


class TestProleukinHistory:
    """Proleukin has two versions: the reconstructed earlier one, then the 2025 revision."""

    def test_the_versions_and_their_dates(self) -> None:
        assert load_history("proleukin") is HISTORY
        assert [(v.policy, v.start, v.end) for v in HISTORY] == [
            (EARLIER, FIRST, dt.date(2025, 2, 4)),
            (CURRENT, REVISED, None),
        ]
        assert HISTORY.current.policy is load_policy("proleukin")
        assert [v.policy.version for v in HISTORY] == ["2022-01-01", "2025-02-05"]
        assert EARLIER.content_hash != CURRENT.content_hash
        assert "our reading" in HISTORY.note

    def test_the_earlier_version_says_what_is_reconstructed(self) -> None:
        assert CURRENT.provenance is None
        assert EARLIER.provenance is not None
        assert "Reconstructed from the revision note of 02/05/2025" in EARLIER.provenance.text
        assert "our reading" in EARLIER.provenance.text
        assert EARLIER.provenance.labels == ("2", "2.B", "2.C", "2.D", "2.E")

    def test_unchanged_nodes_are_the_current_modules_own(self) -> None:
        """Each word lives once: what the revision left alone is shared, not copied."""
        assert EARLIER.indications[0] is CURRENT.indications[0]
        assert EARLIER.indications[2] is CURRENT.indications[2]
        assert EARLIER.indications[1].dosing is CURRENT.indications[1].dosing
        assert EARLIER.node("2.A") is CURRENT.node("2.A")
        assert evolve(EARLIER.node("2.D"), label="2.C") == CURRENT.node("2.C")
        assert evolve(EARLIER.node("2.E"), label="2.D") == CURRENT.node("2.D")
        assert EARLIER.context is CURRENT.context
        assert EARLIER.statement is CURRENT.statement

    def test_the_earlier_criterion_2(self) -> None:
        assert [(n.label, n.text) for n in EARLIER.indications[1].criteria.children] == [
            ("2.A", "Patient is ≥ 18 years of age; AND"),
            ("2.B", "Patient has kidney cancer; AND"),
            ("2.C", "Patient has clear cell histology; AND"),
            ("2.D", "Proleukin will be used as a single agent; AND"),
            ("2.E", "Proleukin is prescribed by or in consultation with an oncologist."),
        ]

    def test_interpretations_name_the_earlier_letters(self) -> None:
        """Single agent was 2.D and the prescriber 2.E; the dosing labels stay as they are."""
        by_key = {item.key: item for item in EARLIER.interpretations}
        assert by_key["single-agent"].labels == ("1.A.iv", "2.D")
        assert "1.A.iv and 2.D unknown" in by_key["single-agent"].text
        assert by_key["prescriber"].labels == ("1.A.v", "1.B.iii", "2.E", "3.D")
        assert by_key["retreatment"].labels == ("Dosing 1.A.iii", "Dosing 2.C")
        assert {"kidney-cancer", "clear-cell-histology"} <= set(by_key)


class TestDecidedUnderTheVersionInForce:
    """A request is decided under the version in force on its date, and says which and why."""

    def test_before_the_revision_histology_is_asked_for(self) -> None:
        decision = evaluate(rcc("2024-06-01"), today=TODAY)
        assert decision.outcome.value == "insufficient_information"
        assert decision.facts_needed == ("answers.clear_cell_histology",)
        assert [reason.label for reason in decision.reasons] == ["2.C"]
        ref = decision.policy
        assert (ref.version, ref.content_hash) == ("2022-01-01", EARLIER.content_hash)
        assert (ref.in_force_from, ref.in_force_until, ref.as_of) == (
            FIRST,
            dt.date(2025, 2, 4),
            dt.date(2024, 6, 1),
        )

    def test_after_the_revision_it_is_approved(self) -> None:
        decision = evaluate(rcc("2025-03-01"), today=TODAY)
        assert decision.outcome.value == "approve"
        ref = decision.policy
        assert (ref.version, ref.content_hash) == ("2025-02-05", CURRENT.content_hash)
        assert (ref.in_force_from, ref.in_force_until, ref.as_of) == (
            REVISED,
            None,
            dt.date(2025, 3, 1),
        )

    def test_clear_cell_histology_met_is_approved_then_too(self) -> None:
        decision = evaluate(rcc("2024-06-01", clear_cell_histology=True), today=TODAY)
        assert decision.outcome.value == "approve"

    def test_the_record_is_in_the_json(self) -> None:
        ref = json.loads(to_json(evaluate(rcc("2024-06-01"), today=TODAY)))["policy"]
        assert ref["in_force_from"] == "2022-01-01"
        assert ref["in_force_until"] == "2025-02-04"
        assert ref["as_of"] == "2024-06-01"

    @given(st.dates(FIRST, TODAY))
    def test_every_covered_date_picks_the_version_holding_it(self, date: dt.date) -> None:
        decision = evaluate(rcc(date), "proleukin", today=TODAY)
        expected = EARLIER if date < REVISED else CURRENT
        assert decision.policy.content_hash == expected.content_hash
        assert decision.policy.as_of == date
        assert decision.outcome.value == (
            "insufficient_information" if date < REVISED else "approve"
        )

    @pytest.mark.parametrize(
        ("date", "version"),
        [
            (FIRST, "2022-01-01"),
            (dt.date(2025, 2, 4), "2022-01-01"),
            (REVISED, "2025-02-05"),
            (dt.date(2025, 2, 6), "2025-02-05"),
        ],
    )
    def test_at_the_boundaries(self, date: dt.date, version: str) -> None:
        assert evaluate(rcc(date), today=TODAY).policy.version == version
        assert load_policy("proleukin", on=date).version == version
        assert policy_at(f"proleukin@{date}").version == version

    def test_a_policy_given_decides_as_it_is(self) -> None:
        """The caller chose the version: its dates are recorded, as-of only if it holds."""
        decision = evaluate(rcc("2024-06-01"), CURRENT, today=TODAY)
        assert decision.outcome.value == "approve"
        assert (decision.policy.in_force_from, decision.policy.as_of) == (REVISED, None)
        held = evaluate(rcc("2024-06-01"), EARLIER, today=TODAY)
        assert held.policy.as_of == dt.date(2024, 6, 1)

    def test_decide_records_the_dates_too(self) -> None:
        # decide() reads the answers of the version given alone: not the current 2.B's.
        data = json.loads(rcc("2024-06-01"))
        del data["answers"]
        decision = decide(EARLIER, parse_request(json.dumps(data)))
        assert decision.policy == evaluate(rcc("2024-06-01"), today=TODAY).policy


class TestTheWorksheetSaysSo:
    """A decision's worksheet says which version decided, why, and marks reconstructed words."""

    def test_under_the_earlier_version(self) -> None:
        from umpolicy.render.text import decision_text

        text = decision_text(evaluate(rcc("2024-06-01"), today=TODAY), EARLIER)
        assert "Policy: Patient has clear cell histology; AND (reconstructed)" in text
        assert "[met] 2.A Patient is ≥ 18 years of age; AND\n" in text
        assert "In force: 2022-01-01 to 2025-02-04; the version in force on 2024-06-01" in text
        assert "Reconstructed: Reconstructed from the revision note of 02/05/2025" in text

    def test_under_the_current_version(self) -> None:
        from umpolicy.render.text import decision_text

        text = decision_text(evaluate(rcc("2025-03-01"), today=TODAY), CURRENT)
        assert "In force: from 2025-02-05; the version in force on 2025-03-01" in text
        assert "reconstructed" not in text.lower()
        chosen = decision_text(evaluate(rcc("2024-06-01"), CURRENT, today=TODAY), CURRENT)
        assert "In force: from 2025-02-05\n" in chosen

    def test_the_dates_are_said_to_be_a_reading(self) -> None:
        """The dates in force are the project's reading: each version's worksheet says so."""
        from umpolicy.render.text import decision_markdown, decision_text

        for date, policy in (("2025-03-01", CURRENT), ("2024-06-01", EARLIER)):
            decision = evaluate(rcc(date), today=TODAY)
            for shown in (decision_text(decision, policy), decision_markdown(decision, policy)):
                assert HISTORY.note in shown
        alone = evolve(CURRENT, version="built elsewhere")  # its own history, no reading
        assert "Dates in force" not in decision_text(decide(alone, parse_request(rcc(date))), alone)

    def test_a_decision_stored_before_versions(self) -> None:
        """A decision recorded without dates in force shows none."""
        from umpolicy.render.text import decision_text

        decision = evaluate(rcc("2025-03-01"), today=TODAY)
        older = evolve(decision, policy=evolve(decision.policy, in_force_from=None))
        assert "In force" not in decision_text(older, CURRENT)


class TestAnswersToAnotherVersion:
    """A request answering an earlier version's question is decided under the current one."""

    def test_checked_then_left_unread(self) -> None:
        decision = evaluate(rcc("2025-03-01", clear_cell_histology=False), today=TODAY)
        assert (decision.outcome.value, decision.policy.version) == ("approve", "2025-02-05")
        assert decision.trail is not None
        assert "answers.clear_cell_histology" not in decision.trail.facts
        under_earlier = evaluate(rcc("2024-06-01", clear_cell_histology=False), today=TODAY)
        assert under_earlier.outcome.value == "not_recommended"

    def test_a_bad_answer_is_still_an_error(self) -> None:
        with pytest.raises(InputError) as info:
            evaluate(rcc("2025-03-01", clear_cell_histology="yes"), today=TODAY)
        assert [e.path for e in info.value.errors] == ["$.answers.proleukin.clear_cell_histology"]

    def test_a_question_of_no_version_is_an_error(self) -> None:
        with pytest.raises(InputError, match="did you mean 'clear_cell_histology'"):
            evaluate(rcc("2025-03-01", clear_cel_histology=True), today=TODAY)

    def test_the_questions_asked_elsewhere(self) -> None:
        assert [q.id for q in HISTORY.asked_elsewhere(CURRENT)] == ["clear_cell_histology"]
        assert [q.id for q in HISTORY.asked_elsewhere(EARLIER)] == [
            "renal_cell_carcinoma_metastatic"
        ]


class TestAsOf:
    """--as-of decides under the version in force on another date (audits, appeals)."""

    def test_the_earlier_version_for_a_request_of_today(self) -> None:
        decision = evaluate(rcc("2026-03-02"), today=TODAY, as_of=dt.date(2024, 6, 1))
        assert decision.outcome.value == "insufficient_information"
        assert (decision.policy.version, decision.policy.as_of) == (
            "2022-01-01",
            dt.date(2024, 6, 1),
        )

    def test_the_current_version_for_a_request_of_then(self) -> None:
        decision = evaluate(rcc("2024-06-01"), today=TODAY, as_of=dt.date(2025, 3, 1))
        assert (decision.outcome.value, decision.policy.version) == ("approve", "2025-02-05")

    def test_a_policy_given_records_the_as_of_date_it_was_asked_for(self) -> None:
        """With a version given, as_of is the date asked for when that version holds it.

        Not the request's date: the record says which date the decision answers for.
        """
        then = dt.date(2024, 6, 1)
        held = evaluate(rcc("2026-03-02"), EARLIER, today=TODAY, as_of=then)
        assert (held.policy.version, held.policy.as_of) == ("2022-01-01", then)
        other = evaluate(rcc("2026-03-02"), CURRENT, today=TODAY, as_of=then)
        assert (other.policy.version, other.policy.as_of) == ("2025-02-05", None)

    def test_an_as_of_date_no_version_covers(self) -> None:
        with pytest.raises(InputError) as info:
            evaluate(rcc("2024-06-01"), today=TODAY, as_of=dt.date(2021, 12, 31))
        assert [str(e) for e in info.value.errors] == [
            "the as-of date 2021-12-31 is before the policy 'proleukin' took effect "
            "(2022-01-01): no version of it applies; versions in force: 2022-01-01 to "
            "2025-02-04 (version 2022-01-01), from 2025-02-05 (version 2025-02-05) @ as_of"
        ]

    def test_the_command_line(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "rcc.json"
        path.write_text(rcc("2026-03-02"))
        assert main(["evaluate", str(path), "--as-of", "2024-06-01", "--format", "json"]) == 0
        ref = json.loads(capsys.readouterr().out)["policy"]
        assert (ref["version"], ref["as_of"]) == ("2022-01-01", "2024-06-01")
        assert main(["evaluate", str(path), "--as-of", "2024-06-01"]) == 0
        text = capsys.readouterr().out
        assert text.startswith("Recommendation: Insufficient information")
        assert "2.C Patient has clear cell histology; AND" in text  # the earlier version's words
        assert main(["evaluate", str(path), "--as-of", "2019-01-01"]) == 2
        assert "the as-of date 2019-01-01 is before" in capsys.readouterr().err


class TestNoVersionInForce:
    """A date no version is in force on is an input error saying which dates are covered."""

    def test_before_the_first(self) -> None:
        with pytest.raises(InputError) as info:
            evaluate(rcc("2021-12-31"), today=TODAY)
        (error,) = info.value.errors
        assert error.path == "$.date"
        assert "versions in force: 2022-01-01 to 2025-02-04" in error.reason

    def test_in_a_gap(self) -> None:
        """A withdrawn policy, reinstated later: the dates between are covered by none."""
        gap = PolicyHistory(
            "proleukin",
            (
                InForce(EARLIER, FIRST, dt.date(2023, 12, 31)),
                InForce(CURRENT, REVISED),
            ),
        )
        request = parse_request(rcc("2024-06-01"))
        assert [str(e) for e in dated(gap, request, TODAY)] == [
            "no version of the policy 'proleukin' is in force on the request date 2024-06-01; "
            "versions in force: 2022-01-01 to 2023-12-31 (version 2022-01-01), from "
            "2025-02-05 (version 2025-02-05) @ $.date"
        ]

    @given(st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)))
    def test_refused_exactly_when_no_version_holds(self, date: dt.date) -> None:
        problems = dated(HISTORY, parse_request(rcc("2024-06-01")).__class__(date), date)
        assert (problems == []) == (date >= FIRST)

    def test_load_policy_says_which_dates_are_covered(self) -> None:
        with pytest.raises(NotInForceError, match=r"in force on 2021-12-31 \(versions in force"):
            load_policy("proleukin", on=dt.date(2021, 12, 31))
        assert issubclass(NotInForceError, UnknownPolicyError)


class TestShow:
    """umpolicy show NAME@DATE prints the version then in force, its provenance first."""

    def test_the_earlier_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["show", "proleukin@2024-06-01"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("RECONSTRUCTED (2, 2.B, 2.C, 2.D, 2.E): Reconstructed from")
        assert "2.C Patient has clear cell histology; AND" in out
        assert main(["show", "proleukin@2024-06-01", "--format", "json"]) == 0
        shown = json.loads(capsys.readouterr().out)
        assert shown["version"] == "2022-01-01"
        assert shown["provenance"]["labels"] == list(EARLIER.provenance.labels)  # type: ignore[union-attr]

    def test_a_malformed_spec(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["show", "proleukin@June"]) == 2
        assert "not a policy version" in capsys.readouterr().err


class TestSpecs:
    """A version is named NAME@YYYY-MM-DD: the version in force on that date."""

    def test_parsed(self) -> None:
        assert parse_spec("proleukin@2024-06-01") == ("proleukin", dt.date(2024, 6, 1))
        assert parse_spec("proleukin") == ("proleukin", None)

    @pytest.mark.parametrize("spec", ["", "@2024-06-01", "proleukin@", "p@2024-6-1", "p@20240601"])
    def test_malformed(self, spec: str) -> None:
        with pytest.raises(ValueError, match="not a policy version"):
            parse_spec(spec)

    def test_not_a_date(self) -> None:
        with pytest.raises(ValueError, match="the date after @ is YYYY-MM-DD"):
            parse_spec("proleukin@2024-02-30")

    def test_version_at(self) -> None:
        assert version_at("proleukin@2024-06-01") is HISTORY.versions[0]
        assert version_at("proleukin") is HISTORY.current
        assert version_at("proleukin@2024-06-01").spec == "proleukin@2022-01-01"
        assert HISTORY.current.dates == "from 2025-02-05"
        assert HISTORY.versions[0].dates == "2022-01-01 to 2025-02-04"
        assert HISTORY.pairs() == ((HISTORY.versions[0], HISTORY.current),)


class TestHistoryRules:
    """A history is one policy's versions, in date order, never two in force on one day."""

    @pytest.mark.parametrize(
        ("versions", "message"),
        [
            ((), "a history needs a version"),
            ((InForce(evolve(EARLIER, name="other"), FIRST),), "is of 'other'"),
            (
                (InForce(EARLIER, FIRST, dt.date(2023, 1, 1)), InForce(EARLIER, REVISED)),
                "two versions share a version string",
            ),
            ((InForce(EARLIER, FIRST), InForce(CURRENT, REVISED)), "is still in force"),
            (
                (InForce(EARLIER, FIRST, REVISED), InForce(CURRENT, REVISED)),
                "is still in force when 2025-02-05 starts",
            ),
        ],
    )
    def test_refused(self, versions: tuple[InForce, ...], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            PolicyHistory("proleukin", versions)

    def test_ends_before_it_starts(self) -> None:
        with pytest.raises(ValueError, match="in force until before it starts"):
            InForce(EARLIER, REVISED, FIRST)

    def test_a_policy_without_a_history_has_one_version(self) -> None:
        quellimab = load_policy("quellimab")
        history = load_history("quellimab")
        assert [(v.policy, v.start, v.end) for v in history] == [
            (quellimab, quellimab.effective, None)
        ]

    def test_a_policy_built_elsewhere_is_its_own_history(self) -> None:
        built = evolve(CURRENT, version="test")
        assert history_of(built).versions == (InForce(built, built.effective),)
        unknown = evolve(CURRENT, name="nowhere")
        assert history_of(unknown).versions == (InForce(unknown, unknown.effective),)
        assert history_of(EARLIER) is HISTORY

    def test_policy_by_hash(self) -> None:
        assert policy_by_hash("proleukin", EARLIER.content_hash) is EARLIER
        assert policy_by_hash("proleukin", "0" * 64) is CURRENT


@pytest.mark.usefixtures("fresh")
class TestRegisteredHistories:
    """A package registers a history under umpolicy.histories; a broken one is an error."""

    OTHER = evolve(CURRENT, name="other")

    @pytest.fixture(autouse=True)
    def scanned(self, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
        """Entry points by group, as the test sets them; the policy "other" is registered."""
        points: dict[str, list[EntryPoint]] = {}

        def entry_points(*, group: str, name: str | None = None) -> list[EntryPoint]:
            return [ep for ep in points.get(group, []) if name in (None, ep.name)]

        monkeypatch.setattr(registry, "entry_points", entry_points)
        monkeypatch.setitem(sys.modules, "versions_test_package", self)
        points[registry.GROUP] = [
            EntryPoint(name, "versions_test_package:OTHER", registry.GROUP)
            for name in ("other", "a-b")
        ]
        return points

    def _history(self, points: dict[str, Any], attribute: str) -> None:
        value = f"versions_test_package:{attribute}"
        points[registry.HISTORIES] = [EntryPoint("other", value, registry.HISTORIES)]

    HISTORY = PolicyHistory(
        "other",
        (
            InForce(evolve(EARLIER, name="other"), FIRST, REVISED),
            InForce(OTHER, dt.date(2025, 2, 6)),
        ),
    )
    WRONG = PolicyHistory("other", (InForce(evolve(EARLIER, name="other"), FIRST),))

    def test_by_entry_point(self, scanned: dict[str, Any]) -> None:
        self._history(scanned, "HISTORY")
        assert load_history("other") is self.HISTORY
        assert load_policy("other", on=FIRST).version == "2022-01-01"

    def test_not_a_history(self, scanned: dict[str, Any]) -> None:
        self._history(scanned, "OTHER")
        with pytest.raises(PolicyError, match="is not a PolicyHistory of it"):
            load_history("other")

    def test_without_the_registered_version(self, scanned: dict[str, Any]) -> None:
        self._history(scanned, "WRONG")
        with pytest.raises(PolicyError, match="does not hold its registered version"):
            load_history("other")

    def test_a_broken_bundled_history_is_not_hidden(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def broken(module: str) -> object:
            if module.endswith("_history"):
                raise ModuleNotFoundError("No module named 'somedep'", name="somedep")
            return proleukin

        monkeypatch.setattr(registry, "import_module", broken)
        with pytest.raises(ModuleNotFoundError, match="somedep"):
            load_history("proleukin")

    def test_no_history_anywhere(self) -> None:
        assert load_history("other").versions == (InForce(self.OTHER, self.OTHER.effective),)

    def test_a_name_no_module_can_have(self) -> None:
        """Not looked for among the bundled modules: no history registered, one version."""
        assert load_history("a-b").current.policy is self.OTHER


class TestSchemaSpansVersions:
    """The request schema spans every version: an earlier version's answers validate."""

    def test_an_earlier_versions_answer_validates(self) -> None:
        import jsonschema

        from umpolicy.io.schema import json_schema
        from umpolicy.registry import every_version
        from umpolicy.vocabulary.request import Request

        versions = every_version(["proleukin"])
        assert versions[0] is load_policy("proleukin")  # the newest first
        assert len(versions) == len(registry.load_history("proleukin").versions)
        schema = json_schema(Request, versions)
        path = Path(__file__).parent.parent / "examples" / "proleukin" / "rcc-approve.json"
        data = json.loads(path.read_text())
        data["date"] = "2024-06-01"
        data["answers"]["proleukin"]["clear_cell_histology"] = True
        jsonschema.validate(data, schema)
        data["answers"]["proleukin"]["clear_cell_histology"] = "yes"
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(data, schema)


class TestAsOfOnTheCommandLine:
    """--as-of on evaluate and batch: an audit's date, never one to come."""

    FUTURE = (
        "the as-of date 2026-12-04 is in the future: at most 1 day past today "
        "(2026-12-02, UTC), so no later than 2026-12-03"
    )

    @pytest.fixture
    def request_file(self, tmp_path: Path) -> Path:
        path = tmp_path / "rcc.json"
        path.write_text(rcc("2026-03-02"))
        return path

    @pytest.fixture
    def lines(self, tmp_path: Path) -> Path:
        path = tmp_path / "rcc.jsonl"
        path.write_text("".join(rcc(day) + "\n" for day in ("2024-06-01", "2026-03-02")))
        return path

    def test_a_future_date_is_an_input_error_naming_the_option(
        self, request_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        argv = ["evaluate", str(request_file), "--today", str(TODAY), "--as-of", "2026-12-04"]
        assert main(argv) == 2
        captured = capsys.readouterr()
        assert (captured.out, captured.err) == ("", f"invalid input: {self.FUTURE} @ --as-of\n")

    def test_as_json_it_is_a_field_error_of_the_option(
        self, request_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        argv = ["evaluate", str(request_file), "--today", str(TODAY), "--as-of", "2026-12-04"]
        assert main([*argv, "--format", "json"]) == 2
        errors = json.loads(capsys.readouterr().out)["errors"]
        assert errors == [{"path": "--as-of", "reason": self.FUTURE}]

    def test_a_day_ahead_is_allowed_as_for_a_request_date(
        self, request_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A user ahead of UTC may give their own today: the request date's tolerance."""
        argv = ["evaluate", str(request_file), "--today", str(TODAY), "--as-of", "2026-12-03"]
        assert main([*argv, "--format", "json"]) == 0
        assert json.loads(capsys.readouterr().out)["policy"]["as_of"] == "2026-12-03"

    def test_without_today_it_is_judged_against_utcs_date(
        self, request_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        tomorrow = validation.utc_today() + dt.timedelta(days=2)
        assert main(["evaluate", str(request_file), "--as-of", str(tomorrow)]) == 2
        assert f"the as-of date {tomorrow} is in the future" in capsys.readouterr().err

    def test_batch_decides_every_line_under_the_version_then_in_force(
        self, lines: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        for jobs in ("1", "2"):
            argv = ["batch", str(lines), "--quiet", "--today", str(TODAY), "--jobs", jobs]
            assert main([*argv, "--as-of", "2024-06-01"]) == 0
            decided = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
            assert [(d["policy"]["version"], d["policy"]["as_of"]) for d in decided] == [
                ("2022-01-01", "2024-06-01")
            ] * 2
            assert {d["outcome"] for d in decided} == {"insufficient_information"}
        assert main(["batch", str(lines), "--quiet", "--today", str(TODAY)]) == 0
        versions = [
            json.loads(line)["policy"]["version"] for line in capsys.readouterr().out.splitlines()
        ]
        assert versions == ["2022-01-01", "2025-02-05"]  # without it, each request's own date

    def test_batch_refuses_a_future_date_before_reading_a_line(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        missing = tmp_path / "not-there.jsonl"
        argv = ["batch", str(missing), "--today", str(TODAY), "--as-of", "2026-12-04"]
        assert main(argv) == 2
        assert capsys.readouterr().err == f"invalid input: {self.FUTURE} @ --as-of\n"

    def test_batch_a_date_no_version_covers_is_each_lines_error(
        self, lines: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        argv = ["batch", str(lines), "--quiet", "--today", str(TODAY), "--as-of", "2019-01-01"]
        assert main(argv) == 0
        records = [json.loads(line)["invalid"] for line in capsys.readouterr().out.splitlines()]
        assert [r["line"] for r in records] == [1, 2]
        assert {e["path"] for r in records for e in r["errors"]} == {"as_of"}
        assert "the as-of date 2019-01-01 is before" in records[0]["errors"][0]["reason"]

    def test_the_help_says_so(self, capsys: pytest.CaptureFixture[str]) -> None:
        for command in ("evaluate", "batch"):
            with pytest.raises(SystemExit):
                main([command, "--help"])
            assert "--as-of DATE" in capsys.readouterr().out
