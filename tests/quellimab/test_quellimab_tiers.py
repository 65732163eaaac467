"""Quellimab (FICTIONAL): a tier's condition rules it out, and a contraindication is no trial.

- Dosing 2.B.i is for a patient who weighs less than 30 kg: from 30 kg it is off the
  request's branch (not met, "off") even when the regimen is within its limits, and
  without a weight neither tier can be told, so the weight is asked for.
- 1.A.ii.a asks for a csDMARD *tried* for at least 3 months: one recorded as
  contraindicated was never tried, however long the history says.
"""

from __future__ import annotations

import pytest

from tests.quellimab.helpers import (
    DROP,
    base_data,
    changed,
    decide,
    decide_base,
    q,
    reason_labels,
    therapy,
)
from umpolicy import Outcome, Status


@pytest.mark.criteria("Dosing 2.B.i", "Dosing 2.B.ii")
class TestSubcutaneousTiers:
    """The under-30-kg tier is off from 30 kg; without a weight, the weight is needed."""

    @pytest.mark.parametrize(
        ("weight", "under", "over"), [("29.999", False, True), ("30", True, False)]
    )
    def test_each_tier_off_outside_its_weight(self, weight: str, under: bool, over: bool) -> None:
        """162 mg once every 3 weeks is within both tiers' limits; each holds only at its weight."""
        decision = decide_base(
            "pjia_continuation",
            patient__weight=q(weight, "kg"),
            medication__frequency=q("1", "/(3.wk)"),
        )
        assert decision.outcome is Outcome.APPROVE
        assert decision.trail is not None
        first, second = (decision.trail.steps[f"Dosing 2.B.{n}"] for n in ("i", "ii"))
        assert (first.off, second.off) == (under, over)
        assert first.status is (Status.NOT_MET if under else Status.MET)
        assert second.status is (Status.NOT_MET if over else Status.MET)

    def test_no_weight_is_insufficient_information(self) -> None:
        decision = decide_base(
            "pjia_continuation",
            patient__weight=DROP,
            medication__frequency=q("1", "/(3.wk)"),
        )
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert decision.facts_needed == ("patient.weight",)
        assert decision.trail is not None
        assert decision.trail.steps["Dosing 2.B.i"].status is Status.UNKNOWN


@pytest.mark.criteria("1.A.ii.a", "1.A.ii.b")
class TestContraindicatedIsNotTried:
    """A csDMARD recorded as contraindicated is not a trial of it, for any duration."""

    @pytest.mark.parametrize("months", ["3", "12"])
    def test_leflunomide(self, months: str) -> None:
        contraindicated = therapy("leflunomide", "L04AK01", q(months, "mo"), "contraindication")
        data = changed(base_data("ra_contraindication"), {"therapies.prior": [contraindicated]})
        decision = decide(data)
        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert reason_labels(decision) == ("1.A.ii.a", "1.A.ii.b")

    def test_tried_for_as_long_counts(self) -> None:
        tried = therapy("leflunomide", "L04AK01", q("3", "mo"), "failure")
        data = changed(base_data("ra_contraindication"), {"therapies.prior": [tried]})
        assert decide(data).outcome is Outcome.APPROVE
