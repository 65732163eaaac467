"""The engine's outcome rules on small inline policies: exclusions, periods, the trail JSON."""

from __future__ import annotations

import datetime as dt
import json

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import base, decide, replace, requests, tree_labels
from umpolicy import (
    AllOf,
    AnswerType,
    AnyOf,
    AtMost,
    DoseLimit,
    Includes,
    Indication,
    IsTrue,
    Medication,
    NotRecommended,
    OneOf,
    Outcome,
    Policy,
    PolicyError,
    Predicate,
    Quantity,
    Question,
    Request,
    RequestKind,
    Status,
    Therapies,
    Therapy,
    TherapyListed,
    Trail,
    ValueSet,
)
from umpolicy import decide as umpolicy_decide
from umpolicy.api import to_json
from umpolicy.engine.decision import period_end
from umpolicy.io.converter import CONVERTER, dumps, loads, structure
from umpolicy_policies.proleukin import POLICY

DATE = dt.date(2026, 3, 2)
BIOLOGIC = ValueSet("biologic", "Biologic", "ATC", prefixes=("L04AB", "L04AC"))
WITH_BIOLOGIC = TherapyListed("with_biologic", "With another biologic.", "concomitant", BIOLOGIC)
ITEMS = (
    NotRecommended(
        "1",
        "Concurrent use with another biologic.",
        IsTrue(WITH_BIOLOGIC.name),
    ),
    NotRecommended("2", "Circumstances not listed."),
)
ASKED = Question("confirmed", "Is the diagnosis confirmed?", AnswerType.BOOLEAN)
INITIAL = OneOf("request.kind", ("initial",))
CONTINUATION = OneOf("request.kind", ("continuation",))
CRITERIA = AnyOf(
    "1",
    "Approve ONE of the following (A or B):",
    (
        AllOf(
            "1.A",
            "Initial therapy: approve for 6 months if (i):",
            (Predicate("1.A.i", "The diagnosis is confirmed.", IsTrue(ASKED.fact)),),
            title="Initial Therapy.",
            requires=INITIAL,
            approval=Quantity("6", "mo"),
        ),
        AllOf(
            "1.B",
            "Continuation: approve if (i):",
            (Predicate("1.B.i", "The diagnosis is confirmed.", IsTrue(ASKED.fact)),),
            title="Continuation of Therapy.",
            requires=CONTINUATION,
        ),
    ),
    title="Condition.",
    requires=Includes("diagnoses", ("M05.79",)),
)
DOSING = DoseLimit(
    "Dosing 1", "Up to 800 mg per dose.", (AtMost("medication.dose", Quantity("800", "mg")),)
)
SMALL = attrs.evolve(
    POLICY,
    name="small",
    indications=(Indication(CRITERIA, DOSING, "Indications", Quantity("2", "a")),),
    not_recommended=ITEMS,
    questions=(ASKED,),
    derived=(WITH_BIOLOGIC,),
    value_sets=(BIOLOGIC,),
)


def small(
    *,
    kind: RequestKind | None = RequestKind.INITIAL,
    concomitant: tuple[Therapy, ...] | None = (),
    dose: str | None = "800",
    confirmed: bool | None = True,
    on: dt.date = DATE,
) -> Request:
    """A request under the small policy that meets everything unless told otherwise."""
    from umpolicy import Coding

    answers = {} if confirmed is None else {"confirmed": confirmed}
    return Request(
        on,
        policy="small",
        kind=kind,
        diagnoses=(Coding("M05.79"),),
        medication=Medication(dose=None if dose is None else Quantity(dose, "mg")),
        therapies=Therapies(concomitant=concomitant),
        answers={"small": answers},
    )


def decided(request: Request, policy: Policy = SMALL) -> object:
    return umpolicy_decide(policy, request)


BIOLOGIC_GIVEN = (Therapy("adalimumab", ("L04AB04",)),)


class TestPeriodEnd:
    """An approval runs to the day before the same date that many months or years later."""

    @pytest.mark.parametrize(
        ("start", "period", "end"),
        [
            (dt.date(2026, 3, 2), Quantity("1", "a"), dt.date(2027, 3, 1)),
            (dt.date(2026, 1, 1), Quantity("1", "a"), dt.date(2026, 12, 31)),
            (dt.date(2026, 3, 2), Quantity("6", "mo"), dt.date(2026, 9, 1)),
            (dt.date(2026, 8, 31), Quantity("6", "mo"), dt.date(2027, 2, 28)),  # no 31 Feb
            (dt.date(2027, 8, 31), Quantity("6", "mo"), dt.date(2028, 2, 29)),  # leap year
            (dt.date(2026, 3, 31), Quantity("1", "mo"), dt.date(2026, 4, 30)),  # no 31 Apr
            (dt.date(2024, 2, 29), Quantity("1", "a"), dt.date(2025, 2, 28)),  # 29 Feb → 1 Mar
            (dt.date(2024, 2, 29), Quantity("4", "a"), dt.date(2028, 2, 28)),
            (dt.date(2024, 2, 29), Quantity("12", "mo"), dt.date(2025, 2, 28)),
            (dt.date(2026, 7, 15), Quantity("6", "mo"), dt.date(2027, 1, 14)),  # over a year end
            (dt.date(2026, 12, 31), Quantity("1", "mo"), dt.date(2027, 1, 30)),
            (dt.date(2026, 3, 2), Quantity("2", "a"), dt.date(2028, 3, 1)),
        ],
    )
    def test_table(self, start: dt.date, period: Quantity, end: dt.date) -> None:
        assert period_end(start, period) == end

    @given(st.dates(dt.date(1990, 1, 1), dt.date(2090, 12, 31)), st.integers(1, 36))
    def test_months_and_years_agree(self, start: dt.date, months: int) -> None:
        end = period_end(start, Quantity(months, "mo"))
        assert end >= start
        assert end.month == (start.month - 1 + months) % 12 + 1 or end.day == 28 or end.day <= 31
        if months % 12 == 0:
            assert period_end(start, Quantity(months // 12, "a")) == end


class TestApprovalPeriods:
    """A branch's own period wins over its indication's (6 months initial, else 2 years)."""

    def test_initial_branch_period(self) -> None:
        decision = umpolicy_decide(SMALL, small())
        assert decision.outcome is Outcome.APPROVE
        assert decision.path == ("1", "1.A", "Dosing 1")
        assert decision.authorization is not None
        assert decision.authorization.period == "6 months"
        assert decision.authorization.end == dt.date(2026, 9, 1)

    def test_other_branch_takes_the_indications(self) -> None:
        decision = umpolicy_decide(SMALL, small(kind=RequestKind.CONTINUATION))
        assert decision.path == ("1", "1.B", "Dosing 1")
        assert decision.authorization is not None
        assert decision.authorization.period == "2 years"
        assert decision.authorization.end == dt.date(2028, 3, 1)

    def test_31_august_plus_six_months(self) -> None:
        decision = umpolicy_decide(SMALL, small(on=dt.date(2026, 8, 31)))
        assert decision.authorization is not None
        assert (decision.authorization.start, decision.authorization.end) == (
            dt.date(2026, 8, 31),
            dt.date(2027, 2, 28),
        )
        assert "2026-08-31 to 2027-02-28" in decision.summary

    @pytest.mark.criteria("1", "2", "3")
    @pytest.mark.parametrize("path", ["melanoma_iv", "rcc", "gvhd"])
    def test_proleukin_29_february(self, path: str) -> None:
        decision = decide(replace(base(path), "date", dt.date(2028, 2, 29)))  # type: ignore[arg-type]
        assert decision.authorization is not None
        assert decision.authorization.end == dt.date(2029, 2, 28)


class TestExclusions:
    """An exclusion met is not recommended; unknown keeps the request from approval."""

    def test_not_met_lets_the_criteria_decide(self) -> None:
        decision = umpolicy_decide(SMALL, small())
        assert decision.outcome is Outcome.APPROVE
        assert decision.trail is not None
        assert decision.trail.steps["Not Recommended 1"].status is Status.NOT_MET

    def test_met_is_not_recommended(self) -> None:
        decision = umpolicy_decide(SMALL, small(concomitant=BIOLOGIC_GIVEN))
        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert [r.label for r in decision.reasons] == ["Not Recommended 1"]
        assert decision.reasons[0].detail == (
            "Not recommended when: with biologic: yes. "
            "Requested: yes (worked out from therapies concomitant: adalimumab (L04AB04))."
        )
        assert decision.reasons[0].status is Status.MET
        assert "1. Concurrent use with another biologic." in decision.summary
        assert "not a denial" in decision.summary
        assert (decision.indication, decision.path, decision.authorization) == (None, (), None)
        assert decision.facts_needed == ()

    def test_met_wins_over_unmet_criteria_too(self) -> None:
        decision = umpolicy_decide(SMALL, small(concomitant=BIOLOGIC_GIVEN, confirmed=False))
        assert [r.label for r in decision.reasons] == ["Not Recommended 1"]

    def test_unknown_is_never_approved(self) -> None:
        decision = umpolicy_decide(SMALL, small(concomitant=None))
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert decision.facts_needed == ("therapies.concomitant",)
        assert decision.authorization is None
        assert decision.indication == "1"
        assert "to rule out Not Recommended 1" in decision.summary

    def test_unknown_with_dosing_not_met_is_clinician_review(self) -> None:
        decision = umpolicy_decide(SMALL, small(concomitant=None, dose="801"))
        assert decision.outcome is Outcome.CLINICIAN_REVIEW

    def test_unknown_with_criteria_not_met_is_not_recommended_by_the_catch_all(self) -> None:
        decision = umpolicy_decide(SMALL, small(concomitant=None, confirmed=False))
        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert [r.label for r in decision.reasons] == ["1.A.i"]
        assert "2. Circumstances not listed." in decision.summary

    def test_a_policy_needs_a_catch_all(self) -> None:
        only = attrs.evolve(SMALL, not_recommended=ITEMS[:1])
        with pytest.raises(PolicyError, match="no item for circumstances not listed"):
            umpolicy_decide(only, small(confirmed=False))

    def test_exclusions_and_facts(self) -> None:
        assert SMALL.exclusions == ITEMS[:1]
        assert "with_biologic" in SMALL.facts()

    def test_questions_by_id(self) -> None:
        """Each question under the id its answers come under, in the policy's order."""
        assert list(POLICY.questions_by_id.items()) == [(q.id, q) for q in POLICY.questions]
        assert POLICY.questions_by_id["melanoma_metastatic"].fact == "answers.melanoma_metastatic"

    @pytest.mark.parametrize(
        "request_",
        [small(), small(concomitant=None), small(concomitant=BIOLOGIC_GIVEN), small(dose=None)],
    )
    def test_trail_parity(self, request_: Request) -> None:
        for request in (request_,):
            full = umpolicy_decide(SMALL, request)
            assert attrs.evolve(full, trail=None) == umpolicy_decide(SMALL, request, trail=False)


class TestOtherOutcomes:
    """The small policy's other outcomes: dosing unknown or not met, criteria unknown."""

    def test_dosing_unknown(self) -> None:
        decision = umpolicy_decide(SMALL, small(dose=None))
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert decision.facts_needed == ("medication.dose",)

    def test_dosing_not_met(self) -> None:
        decision = umpolicy_decide(SMALL, small(dose="800.001"))
        assert decision.outcome is Outcome.CLINICIAN_REVIEW
        assert [r.label for r in decision.reasons] == ["Dosing 1"]

    def test_answer_missing(self) -> None:
        decision = umpolicy_decide(SMALL, small(confirmed=None))
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert decision.facts_needed == ("answers.confirmed",)

    def test_kind_missing(self) -> None:
        decision = umpolicy_decide(SMALL, small(kind=None))
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert decision.facts_needed == ("request.kind",)


#: A second indication of the small policy, its dosing on another fact: the frequency.
SECOND = Indication(
    AllOf(
        "2",
        "Approve if (A):",
        (Predicate("2.A", "The diagnosis is confirmed.", IsTrue(ASKED.fact)),),
        title="Another Condition.",
        requires=Includes("diagnoses", ("M08.3",)),
    ),
    DoseLimit(
        "Dosing 2",
        "No more than once a week.",
        (AtMost("medication.frequency", Quantity("1", "/wk")),),
    ),
    "Indications",
    Quantity("1", "a"),
)
TWO = attrs.evolve(SMALL, indications=(*SMALL.indications, SECOND))


class TestTwoIndicationsMet:
    """Both indications' criteria met: each one's dosing still open is asked for."""

    def both(self, **medication: Quantity) -> Request:
        from umpolicy import Coding

        request = small(dose=None)
        return attrs.evolve(
            request,
            diagnoses=(Coding("M05.79"), Coding("M08.3")),
            medication=Medication(**medication),  # type: ignore[arg-type]
        )

    def test_both_dosings_open(self) -> None:
        """The dose could approve under 1, the frequency under 2: both are needed."""
        decision = umpolicy_decide(TWO, self.both())
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert decision.indication == "1"
        assert [r.label for r in decision.reasons] == ["Dosing 1", "Dosing 2"]
        assert decision.facts_needed == ("medication.dose", "medication.frequency")

    def test_the_other_dosing_met_approves(self) -> None:
        decision = umpolicy_decide(TWO, self.both(frequency=Quantity("1", "/wk")))
        assert (decision.outcome, decision.indication) == (Outcome.APPROVE, "2")

    def test_the_other_dosing_not_met_is_not_asked_for(self) -> None:
        decision = umpolicy_decide(TWO, self.both(frequency=Quantity("2", "/wk")))
        assert (decision.outcome, decision.indication) == (Outcome.INSUFFICIENT_INFORMATION, "1")
        assert decision.facts_needed == ("medication.dose",)


class TestCompactTrail:
    """The trail JSON names every step by label and holds each fact once, and round-trips."""

    def test_every_step_by_label_each_fact_once(self) -> None:
        decision = decide(base("melanoma_iv"))
        data = json.loads(to_json(decision))
        trail = data["trail"]
        assert set(trail) == {"steps", "facts"}
        assert decision.trail is not None
        assert sorted(trail["steps"]) == sorted(decision.trail.steps) == sorted(tree_labels())
        assert sorted(trail["facts"]) == sorted(decision.trail.facts)
        for label, step in trail["steps"].items():
            assert step["status"] in {"met", "not_met", "unknown"}, label
            for finding in step.get("findings", ()):
                assert set(finding["facts"]) <= set(trail["facts"])
                assert "text" not in finding
        for name, fact in trail["facts"].items():
            assert set(fact.get("inputs", ())) <= set(trail["facts"]), name
            assert "name" not in fact
        # The policy's words are not copied: they stay in the policy.
        assert POLICY.node("1.A.i").text not in json.dumps(trail)

    def test_step_details(self) -> None:
        request = replace(base("rcc"), "medication.schedule.cycles_per_course", 1)
        data = json.loads(to_json(decide(request)))["trail"]
        assert data["steps"]["Dosing 2.B"]["applies"] is False
        assert data["steps"]["1"]["off"] is True
        assert "applies" not in data["steps"]["2"]
        assert data["facts"]["patient.age"] == {
            "value": {"value": "55", "unit": "a"},
            "inputs": ["patient.birth_date", "request.date"],
        }
        dose = data["steps"]["Dosing 2.A"]["findings"][1]
        assert dose["facts"] == ["medication.dose_per_kg"]
        assert dose["limit"] == {"value": "600000", "unit": "[iU]/kg"}
        assert (
            dose["note"]
            == "48,000,000 International Units ÷ 80 kg = 600,000 International Units/kg"
        )

    def test_mosteller_square_is_kept(self) -> None:
        data = json.loads(to_json(decide(base("gvhd"))))["trail"]
        assert data["facts"]["patient.body_surface_area"]["exact_square"] == "4"

    def test_partial_is_kept(self) -> None:
        from umpolicy import Practitioner

        request = replace(base("rcc"), "consultants", (Practitioner(),))
        data = json.loads(to_json(decide(request)))["trail"]
        assert data["facts"]["consultants.specialties"]["partial"] is True

    @settings(max_examples=40, deadline=None)
    @given(
        data=st.data(),
        path=st.sampled_from(["melanoma_iv", "melanoma_intralesional", "rcc", "gvhd"]),
    )
    def test_round_trip(self, data: st.DataObject, path: str) -> None:
        decision = decide(data.draw(requests(path)))  # type: ignore[arg-type]
        assert decision.trail is not None
        text = dumps(CONVERTER.unstructure(decision.trail))
        again = CONVERTER.structure(loads(text), Trail)
        assert again == decision.trail
        assert structure(loads(text), Trail) == decision.trail
        assert dumps(CONVERTER.unstructure(again)) == text

    def test_facts_of(self) -> None:
        decision = decide(base("melanoma_iv"))
        assert decision.trail is not None
        names = [fact.name for fact in decision.trail.facts_of("1.A.ii")]
        assert names == ["answers.melanoma_metastatic", "answers.melanoma_unresectable"]
        assert decision.trail.facts_of("1.A") == (decision.trail.facts["medication.route"],)
