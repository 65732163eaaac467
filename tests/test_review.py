"""What a reviewer does next, and the policy's words the code leaves to one, are policy data."""

from __future__ import annotations

from typing import get_args

import attrs
import pytest

from tests.test_engine import SMALL
from umpolicy import Outcome, Policy, PolicyError, Review, walk
from umpolicy.engine.catalog import check
from umpolicy.policy import ReviewOutcome
from umpolicy_policies.proleukin import POLICY, RETREATMENT
from umpolicy_quellimab.policy import POLICY as QUELLIMAB

SHIPPED = (POLICY, QUELLIMAB)


def labels(policy: Policy) -> set[str]:
    return {node.label for root in policy.trees() for node in walk(root)}


class TestGuidance:
    """Clinician review and insufficient information say what the reviewer does, quoted."""

    @pytest.mark.parametrize("policy", SHIPPED, ids=lambda p: p.name)
    def test_both_outcomes_have_a_next_step(self, policy: Policy) -> None:
        for outcome in (Outcome.CLINICIAN_REVIEW, Outcome.INSUFFICIENT_INFORMATION):
            step = policy.review_for(outcome.value)
            assert step is not None
            assert step.action.endswith(".")
            assert policy.guidance(outcome.value) == tuple(map(policy.said, step.statement))

    def test_clinician_review_quotes_case_by_case(self) -> None:
        (quote,) = POLICY.guidance("clinician_review")
        assert quote.startswith("Requests for doses outside of the established dosing")
        assert "(i.e., Medical Director or Pharmacist)" in quote

    def test_no_step_for_an_approval(self) -> None:
        assert POLICY.review_for("approve") is None
        assert POLICY.guidance("approve") == ()

    def test_the_outcomes_are_the_engines(self) -> None:
        assert set(get_args(ReviewOutcome)) == {each.value for each in Outcome}


class TestAutomation:
    """The sentence "Automation: None." is read from the POLICY STATEMENT, where it lives."""

    def test_proleukin_says_none(self) -> None:
        assert POLICY.automation == "Automation: None." == POLICY.said("automation")

    def test_a_policy_that_does_not_say(self) -> None:
        assert QUELLIMAB.automation is None


class TestRefused:
    """A next step naming no outcome or no sentence is refused at load, each problem named."""

    def test_unknown_outcome_key_and_twice(self) -> None:
        step = Review("clinician_review", "Look.", ("case_by_case",))
        bad = attrs.evolve(
            SMALL,
            review=(
                step,
                step,
                Review("denied", "No.", ()),  # type: ignore[arg-type]
                Review("insufficient_information", "Ask.", ("nope",)),
            ),
        )
        with pytest.raises(PolicyError) as info:
            check(bad)
        message = str(info.value)
        assert "review 'clinician_review': the outcome is given twice" in message
        assert "review 'denied': not an outcome (one of approve, clinician_review," in message
        assert (
            "review 'insufficient_information': no POLICY STATEMENT sentence has the key 'nope'"
        ) in message

    def test_defaults_need_nothing(self) -> None:
        bare = attrs.evolve(SMALL, review=())
        check(bare)
        assert bare.review_for("clinician_review") is None


class TestNotEncoded:
    """The retreatment condition is listed, verbatim, as deliberately not encoded."""

    def test_retreatment(self) -> None:
        (item,) = [each for each in POLICY.interpretations if not each.encoded]
        assert item.key == "retreatment"
        assert item.text == RETREATMENT
        assert item.labels == ("Dosing 1.A.iii", "Dosing 2.C")
        dosing = next(s for s in POLICY.context if s.heading == "Dosing Information")
        assert dosing.paragraphs[0].endswith(RETREATMENT)

    def test_interpretations_are_encoded_by_default(self) -> None:
        assert all(each.encoded for each in QUELLIMAB.interpretations)

    @pytest.mark.parametrize("policy", SHIPPED, ids=lambda p: p.name)
    def test_every_interpretation_names_nodes(self, policy: Policy) -> None:
        for each in policy.interpretations:
            assert set(each.labels) <= labels(policy), each.key
