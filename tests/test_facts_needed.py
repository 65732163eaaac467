"""``facts_needed`` names exactly the missing facts whose answers could change the outcome.

Each property starts from a generated request that meets every criterion and
dosing limit, removes some of its facts, and decides: a fact left out of
``facts_needed`` is one whose answer, put back alone, never changes the outcome.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import decide, replace, requests
from umpolicy import Outcome, Request, Status

#: The facts a request may leave out, by the dotted field that gives each.
REMOVABLE = (
    "patient.birth_date",
    "patient.weight",
    "patient.height",
    "patient.bsa",
    "medication.route",
    "medication.dose",
    "medication.frequency",
    "medication.schedule.doses_per_cycle",
    "medication.schedule.cycles_per_course",
    "medication.schedule.rest_between_cycles",
    "medication.schedule.course_number",
    "medication.schedule.rest_before_course",
    "therapies.prior",
    "therapies.concomitant",
    "prescriber.specialties",
    "consultants",
    "diagnoses",
    "answers.melanoma_metastatic",
    "answers.melanoma_unresectable",
    "answers.renal_cell_carcinoma_metastatic",
    "answers.lesions",
    "answers.steroid_refractory",
)
PATHS = ("melanoma_iv", "melanoma_intralesional", "rcc", "gvhd")


def value_of(request: Request, field: str) -> Any:
    if field.startswith("answers."):
        return request.answers.get("proleukin", {}).get(field.removeprefix("answers."))
    value: Any = request
    for part in field.split("."):
        value = getattr(value, part)
    return value


def without(request: Request, fields: set[str]) -> Request:
    for field in fields:
        request = replace(request, field, None)
    return request


@st.composite
def thinned(draw: st.DrawFn) -> tuple[Request, set[str]]:
    """An approvable request and the facts removed from it (only those it gave)."""
    original = draw(requests(draw(st.sampled_from(PATHS))))
    given_fields = [f for f in REMOVABLE if value_of(original, f) is not None]
    removed = draw(st.sets(st.sampled_from(given_fields), min_size=1, max_size=4))
    return original, removed


class TestFactsNeeded:
    @settings(max_examples=150, deadline=None)
    @given(thinned())
    def test_a_fact_not_named_never_changes_the_outcome_alone(
        self, case: tuple[Request, set[str]]
    ) -> None:
        """Putting back any removed fact that facts_needed does not name keeps the outcome."""
        original, removed = case
        thin = without(original, removed)
        decision = decide(thin)
        assert decision.trail is not None
        incomplete = {
            name
            for fact in decision.trail.facts.values()
            if fact.partial or fact.value is None
            for name in fact.inputs
        }
        for name in decision.facts_needed:  # not given, or given but incomplete
            assert value_of(thin, name) is None or name in incomplete, name
        for field in removed - set(decision.facts_needed):
            again = decide(without(original, removed - {field}))
            assert again.outcome is decision.outcome, field

    @settings(max_examples=150, deadline=None)
    @given(thinned())
    def test_answering_what_is_asked_reaches_the_full_requests_outcome(
        self, case: tuple[Request, set[str]]
    ) -> None:
        """Giving the facts named, round after round, ends at the whole request's outcome."""
        original, removed = case
        decision = decide(without(original, removed))
        while decision.outcome is Outcome.INSUFFICIENT_INFORMATION:
            assert decision.facts_needed, decision.summary
            removed -= set(decision.facts_needed)
            decision = decide(without(original, removed))
        assert decision.outcome is decide(original).outcome is Outcome.APPROVE

    @settings(max_examples=100, deadline=None)
    @given(thinned())
    def test_every_reason_of_an_undecided_request_is_an_unknown_criterion(
        self, case: tuple[Request, set[str]]
    ) -> None:
        """insufficient_information names each unknown criterion and the facts it needs."""
        original, removed = case
        decision = decide(without(original, removed))
        if decision.outcome is not Outcome.INSUFFICIENT_INFORMATION:
            return
        assert decision.reasons
        assert decision.trail is not None
        for reason in decision.reasons:
            assert reason.status is Status.UNKNOWN
            assert decision.trail.steps[reason.label].status is Status.UNKNOWN
        named = {name for reason in decision.reasons for name in reason.facts_needed}
        assert named == set(decision.facts_needed)


@pytest.mark.criteria("Dosing 1.A.iii")
class TestAConditionalCriterion:
    def test_a_first_course_is_not_asked_for_its_rest(self) -> None:
        """A first course never needs the rest before it, whatever else is missing."""
        from tests.strategies import base

        request = replace(base("melanoma_iv"), "medication.schedule.course_number", 1)
        request = without(request, {"medication.schedule.rest_before_course", "patient.weight"})
        decision = decide(request)
        assert decision.facts_needed == ("patient.weight",)


class TestAnEarlierIndicationStillOpen:
    def test_it_is_asked_for_before_a_later_one_is_sent_to_review(self) -> None:
        """An earlier indication still unknown would decide instead: its facts are needed."""
        import attrs

        from tests.strategies import DERMATOLOGY, MELANOMA, ONCOLOGY, RCC, base, doctor

        request = attrs.evolve(
            base("melanoma_intralesional"),
            diagnoses=(MELANOMA, RCC),
            therapies=base("rcc").therapies,
            prescriber=doctor(ONCOLOGY, DERMATOLOGY),
        )
        request = replace(request, "answers.renal_cell_carcinoma_metastatic", True)
        request = replace(request, "answers.lesions", None)
        decision = decide(request)
        assert decision.outcome is Outcome.CLINICIAN_REVIEW
        assert decision.indication == "2"
        assert "answers.lesions" in decision.facts_needed
        assert "1.B.ii" in [r.label for r in decision.reasons if r.status is Status.UNKNOWN]
