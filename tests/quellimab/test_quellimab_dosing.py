"""The Quellimab dosing limits, each exactly at, just under and just over its boundary.

Quellimab is FICTIONAL. The limits are the policy's Dosing sections: for rheumatoid
arthritis, subcutaneous up to 162 mg no more than once every week (Dosing 1.A), or
intravenous up to 8 mg/kg to a maximum of 800 mg per infusion, no more than once every
4 weeks (Dosing 1.B); for pJIA, intravenous 10 mg/kg under 30 kg and 8 mg/kg from
30 kg, once every 4 weeks (Dosing 2.A), or subcutaneous 162 mg once every 3 weeks
under 30 kg and once every 2 weeks from 30 kg (Dosing 2.B). "Up to", "maximum of" and
"no more frequently than" include the limit; "less than 30 kg" excludes 30 kg and
"30 kg or more" includes it. Criteria met and dosing not met is clinician review.

Expected outcomes are computed here with exact rational arithmetic on the request's
decimal text, independently of the engine.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.quellimab.helpers import DROP, IV, SC, Base, decide_base, q, reason_labels, status
from umpolicy import Outcome, Status

HYPOTHESIS = settings(max_examples=60, deadline=None)
APPROVE, REVIEW, UNKNOWN = (
    Outcome.APPROVE,
    Outcome.CLINICIAN_REVIEW,
    Outcome.INSUFFICIENT_INFORMATION,
)

#: Administrations per day for one of each rate unit (exact).
PER_DAY = {
    "/d": Fraction(1),
    "/wk": Fraction(1, 7),
    "/(2.wk)": Fraction(1, 14),
    "/(3.wk)": Fraction(1, 21),
    "/(4.wk)": Fraction(1, 28),
    "/(28.d)": Fraction(1, 28),
    "/mo": Fraction(12, Fraction("365.25")),
}
#: kg in one of each weight unit (exact).
KG_PER = {"kg": Fraction(1), "g": Fraction(1, 1000), "[lb_av]": Fraction("0.45359237")}


def decimals(low: str, high: str, places: int = 3) -> st.SearchStrategy[str]:
    """Decimal text from ``low`` to ``high`` with up to ``places`` decimals."""
    scale = 10**places
    lo, hi = int(Decimal(low) * scale), int(Decimal(high) * scale)
    return st.integers(lo, hi).map(lambda n: str(Decimal(n) / scale))


def per_day(value: str, unit: str) -> Fraction:
    return Fraction(value) * PER_DAY[unit]


frequencies = st.tuples(decimals("0.001", "3"), st.sampled_from(sorted(PER_DAY)))


def outcome_of(within: bool) -> Outcome:
    return APPROVE if within else REVIEW


@pytest.mark.criteria("Dosing 1", "Dosing 1.A")
class TestRheumatoidArthritisSubcutaneous:
    """Dosing 1.A: up to 162 mg, no more frequently than once every week."""

    @pytest.mark.parametrize(
        ("dose", "within"), [("162", True), ("161.999", True), ("162.001", False), ("0.162", None)]
    )
    def test_162_mg_at_under_and_over(self, dose: str, within: bool | None) -> None:
        if within is None:  # 0.162 g is 162 mg: the same limit in another mass unit
            decision = decide_base("ra_initial", medication__dose=q(dose, "g"))
            assert decision.outcome is APPROVE
            return
        decision = decide_base("ra_initial", medication__dose=q(dose, "mg"))
        assert decision.outcome is outcome_of(within)
        if not within:
            assert reason_labels(decision) == ("Dosing 1.A",)

    @HYPOTHESIS
    @given(dose=decimals("100", "200"), frequency=frequencies)
    def test_any_dose_and_frequency(self, dose: str, frequency: tuple[str, str]) -> None:
        value, unit = frequency
        decision = decide_base(
            "ra_initial", medication__dose=q(dose, "mg"), medication__frequency=q(value, unit)
        )
        within = Fraction(dose) <= 162 and per_day(value, unit) <= Fraction(1, 7)
        assert decision.outcome is outcome_of(within)

    @pytest.mark.parametrize(
        ("value", "unit", "within"),
        [
            ("1", "/wk", True),
            ("1", "/(2.wk)", True),
            ("1.001", "/wk", False),
            ("2", "/(2.wk)", True),
            ("3", "/(2.wk)", False),
            ("1", "/d", False),
        ],
    )
    def test_once_every_week(self, value: str, unit: str, within: bool) -> None:
        decision = decide_base("ra_initial", medication__frequency=q(value, unit))
        assert decision.outcome is outcome_of(within)

    @HYPOTHESIS
    @given(per_kg=decimals("1", "4"), weight=decimals("40", "120", 1))
    def test_a_per_kg_dose_is_multiplied_by_the_weight(self, per_kg: str, weight: str) -> None:
        decision = decide_base(
            "ra_initial", medication__dose=q(per_kg, "mg/kg"), patient__weight=q(weight, "kg")
        )
        assert decision.outcome is outcome_of(Fraction(per_kg) * Fraction(weight) <= 162)

    def test_an_absolute_dose_needs_no_weight(self) -> None:
        assert decide_base("ra_initial", patient__weight=DROP).outcome is APPROVE


@pytest.mark.criteria("Dosing 1", "Dosing 1.B")
class TestRheumatoidArthritisIntravenous:
    """Dosing 1.B: up to 8 mg/kg, to a maximum of 800 mg per infusion, once every 4 weeks."""

    @pytest.mark.parametrize(
        ("dose", "weight", "within"),
        [
            ("8", "70", True),
            ("7.999", "70", True),
            ("8.001", "70", False),
            ("8", "100", True),
            ("8", "100.001", False),
            ("7.999", "100.01", True),
            ("7.9", "101.5", False),
        ],
    )
    def test_per_kg_dose_at_under_and_over(self, dose: str, weight: str, within: bool) -> None:
        decision = decide_base(
            "ra_contraindication",
            medication__dose=q(dose, "mg/kg"),
            patient__weight=q(weight, "kg"),
        )
        assert decision.outcome is outcome_of(within)
        if not within:
            assert reason_labels(decision) == ("Dosing 1.B",)

    @pytest.mark.parametrize(
        ("dose", "weight", "within"),
        [
            ("800", "100", True),
            ("800", "99.999", False),
            ("800.001", "150", False),
            ("799.999", "150", True),
            ("560", "70", True),
            ("560.001", "70", False),
        ],
    )
    def test_absolute_dose_at_under_and_over(self, dose: str, weight: str, within: bool) -> None:
        decision = decide_base(
            "ra_contraindication", medication__dose=q(dose, "mg"), patient__weight=q(weight, "kg")
        )
        assert decision.outcome is outcome_of(within)

    @HYPOTHESIS
    @given(
        per_kg=decimals("5", "11"),
        weight=decimals("40", "160", 3),
        weight_unit=st.sampled_from(sorted(KG_PER)),
    )
    def test_any_per_kg_dose(self, per_kg: str, weight: str, weight_unit: str) -> None:
        shown = {
            "kg": weight,
            "g": str(Decimal(weight) * 1000),
            "[lb_av]": str(Decimal(weight) / Decimal("0.45359237")),
        }[weight_unit]
        kg = Fraction(shown) * KG_PER[weight_unit]
        decision = decide_base(
            "ra_contraindication",
            medication__dose=q(per_kg, "mg/kg"),
            patient__weight=q(shown, weight_unit),
        )
        within = Fraction(per_kg) <= 8 and Fraction(per_kg) * kg <= 800
        assert decision.outcome is outcome_of(within)

    @HYPOTHESIS
    @given(dose=decimals("300", "1000"), weight=decimals("40", "160", 3))
    def test_any_absolute_dose(self, dose: str, weight: str) -> None:
        decision = decide_base(
            "ra_contraindication", medication__dose=q(dose, "mg"), patient__weight=q(weight, "kg")
        )
        within = Fraction(dose) <= 800 and Fraction(dose) / Fraction(weight) <= 8
        assert decision.outcome is outcome_of(within)

    @pytest.mark.parametrize(
        ("value", "unit", "within"),
        [
            ("1", "/(4.wk)", True),
            ("1", "/(28.d)", True),
            ("1", "/(5.wk)", True),
            ("1", "/(3.wk)", False),
            ("1.001", "/(4.wk)", False),
            ("1", "/mo", True),
            ("1", "/wk", False),
        ],
    )
    def test_once_every_4_weeks(self, value: str, unit: str, within: bool) -> None:
        """A UCUM month (30.4375 days) is longer than 4 weeks: once a month is within."""
        decision = decide_base("ra_contraindication", medication__frequency=q(value, unit))
        assert decision.outcome is outcome_of(within)

    @HYPOTHESIS
    @given(frequency=frequencies)
    def test_any_frequency(self, frequency: tuple[str, str]) -> None:
        value, unit = frequency
        decision = decide_base("ra_contraindication", medication__frequency=q(value, unit))
        assert decision.outcome is outcome_of(per_day(value, unit) <= Fraction(1, 28))

    def test_the_cap_needs_the_weight(self) -> None:
        """A per-kg dose cannot be checked against 800 mg without the weight."""
        decision = decide_base("ra_contraindication", patient__weight=DROP)
        assert decision.outcome is UNKNOWN
        assert decision.facts_needed == ("patient.weight",)

    def test_the_trail_shows_the_total_and_the_per_kg_dose(self) -> None:
        per_kg = decide_base("ra_contraindication", patient__weight=q("110", "kg"))
        assert per_kg.trail is not None
        assert str(per_kg.trail.facts["medication.dose_total"].value) == "880 mg"
        absolute = decide_base(
            "ra_contraindication", medication__dose=q("700", "mg"), patient__weight=q("80", "kg")
        )
        assert absolute.trail is not None
        assert str(absolute.trail.facts["medication.dose_per_kg"].value) == "8.75 mg/kg"
        assert absolute.outcome is REVIEW

    @pytest.mark.parametrize(
        ("dose", "unit", "within"),
        [
            ("8000", "ug/kg", True),
            ("8001", "ug/kg", False),
            ("0.008", "g/kg", True),
            ("0.8", "g", True),
            ("800001", "ug", False),
        ],
    )
    def test_other_mass_units(self, dose: str, unit: str, within: bool) -> None:
        """µg/kg, g/kg, g and µg compare exactly with the limits in mg/kg and mg."""
        decision = decide_base(
            "ra_contraindication", medication__dose=q(dose, unit), patient__weight=q("100", "kg")
        )
        assert decision.outcome is outcome_of(within)


@pytest.mark.criteria("Dosing 1", "Dosing 1.A", "Dosing 1.B")
class TestRheumatoidArthritisRoutes:
    """Each regimen applies to its route only; another route is outside the dosing."""

    def test_subcutaneous_dose_by_vein_is_not_the_intravenous_regimen(self) -> None:
        """162 mg weekly intravenously: Dosing 1.B's every 4 weeks is not met."""
        decision = decide_base("ra_initial", medication__route=IV)
        assert decision.outcome is REVIEW
        assert reason_labels(decision) == ("Dosing 1.B",)
        assert status(decision, "Dosing 1.A") is Status.NOT_MET

    def test_another_route(self) -> None:
        intramuscular = {"code": "78421000", "display": "Intramuscular"}
        decision = decide_base("ra_initial", medication__route=intramuscular)
        assert decision.outcome is REVIEW
        assert set(reason_labels(decision)) == {"Dosing 1.A", "Dosing 1.B"}

    def test_route_not_given(self) -> None:
        decision = decide_base("ra_initial", medication__route=DROP)
        assert decision.outcome is UNKNOWN
        assert decision.facts_needed == ("medication.route",)


@pytest.mark.criteria("Dosing 2", "Dosing 2.A", "Dosing 2.A.i", "Dosing 2.A.ii")
class TestPjiaIntravenous:
    """Dosing 2.A: 10 mg/kg under 30 kg, 8 mg/kg from 30 kg, once every 4 weeks."""

    @pytest.mark.parametrize(
        ("weight", "dose", "within", "tier"),
        [
            ("29.999", "10", True, "Dosing 2.A.i"),
            ("29.999", "10.001", False, "Dosing 2.A.i"),
            ("30", "10", False, "Dosing 2.A.ii"),
            ("30", "8", True, "Dosing 2.A.ii"),
            ("30", "8.001", False, "Dosing 2.A.ii"),
            ("30.001", "7.999", True, "Dosing 2.A.ii"),
        ],
    )
    def test_weight_tiers_at_the_boundary(
        self, weight: str, dose: str, within: bool, tier: str
    ) -> None:
        decision = decide_base(
            "pjia_initial", patient__weight=q(weight, "kg"), medication__dose=q(dose, "mg/kg")
        )
        assert decision.outcome is outcome_of(within)
        other = {"Dosing 2.A.i", "Dosing 2.A.ii"} - {tier}
        assert decision.trail is not None
        assert decision.trail.steps[other.pop()].off
        assert not decision.trail.steps[tier].off
        if not within:
            assert reason_labels(decision) == (tier,)

    @HYPOTHESIS
    @given(weight=decimals("10", "60"), per_kg=decimals("6", "11"))
    def test_any_weight_and_per_kg_dose(self, weight: str, per_kg: str) -> None:
        decision = decide_base(
            "pjia_initial", patient__weight=q(weight, "kg"), medication__dose=q(per_kg, "mg/kg")
        )
        limit = 10 if Fraction(weight) < 30 else 8
        assert decision.outcome is outcome_of(Fraction(per_kg) <= limit)

    @HYPOTHESIS
    @given(weight=decimals("10", "60"), dose=decimals("100", "500"))
    def test_any_weight_and_absolute_dose(self, weight: str, dose: str) -> None:
        decision = decide_base(
            "pjia_initial", patient__weight=q(weight, "kg"), medication__dose=q(dose, "mg")
        )
        limit = 10 if Fraction(weight) < 30 else 8
        assert decision.outcome is outcome_of(Fraction(dose) / Fraction(weight) <= limit)

    @HYPOTHESIS
    @given(weight=decimals("10", "60"), frequency=frequencies)
    def test_any_frequency(self, weight: str, frequency: tuple[str, str]) -> None:
        value, unit = frequency
        decision = decide_base(
            "pjia_initial",
            patient__weight=q(weight, "kg"),
            medication__dose=q("8", "mg/kg"),
            medication__frequency=q(value, unit),
        )
        assert decision.outcome is outcome_of(per_day(value, unit) <= Fraction(1, 28))

    @pytest.mark.parametrize(("weight", "within"), [("66.1386", True), ("66.1387", False)])
    def test_weight_in_pounds(self, weight: str, within: bool) -> None:
        """30 kg is 66.13867… lb: just under it is the lower tier, just over the upper."""
        decision = decide_base("pjia_initial", patient__weight=q(weight, "[lb_av]"))
        assert decision.outcome is outcome_of(within)

    def test_weight_not_given(self) -> None:
        decision = decide_base("pjia_initial", patient__weight=DROP)
        assert decision.outcome is UNKNOWN
        assert decision.facts_needed == ("patient.weight",)


@pytest.mark.criteria("Dosing 2", "Dosing 2.B", "Dosing 2.B.i", "Dosing 2.B.ii")
class TestPjiaSubcutaneous:
    """Dosing 2.B: 162 mg once every 3 weeks under 30 kg, once every 2 weeks from 30 kg."""

    @pytest.mark.parametrize(
        ("weight", "value", "unit", "within"),
        [
            ("29.999", "1", "/(3.wk)", True),
            ("29.999", "1", "/(2.wk)", False),
            ("29.999", "1.001", "/(3.wk)", False),
            ("30", "1", "/(2.wk)", True),
            ("30", "1.001", "/(2.wk)", False),
            ("30", "1", "/wk", False),
            ("20", "1", "/(21.d)", True),
            ("20", "1", "/(20.d)", False),
        ],
    )
    def test_frequency_tiers(self, weight: str, value: str, unit: str, within: bool) -> None:
        decision = decide_base(
            "pjia_continuation",
            patient__weight=q(weight, "kg"),
            medication__frequency=q(value, unit),
        )
        assert decision.outcome is outcome_of(within)

    @pytest.mark.parametrize(
        ("dose", "within"), [("162", True), ("161.999", True), ("162.001", False)]
    )
    @pytest.mark.parametrize("weight", ["25", "45"])
    def test_162_mg_in_both_tiers(self, dose: str, within: bool, weight: str) -> None:
        frequency = q("1", "/(3.wk)")
        decision = decide_base(
            "pjia_continuation",
            patient__weight=q(weight, "kg"),
            medication__dose=q(dose, "mg"),
            medication__frequency=frequency,
        )
        assert decision.outcome is outcome_of(within)

    @HYPOTHESIS
    @given(weight=decimals("10", "60"), dose=decimals("120", "200"), frequency=frequencies)
    def test_any_weight_dose_and_frequency(
        self, weight: str, dose: str, frequency: tuple[str, str]
    ) -> None:
        value, unit = frequency
        decision = decide_base(
            "pjia_continuation",
            patient__weight=q(weight, "kg"),
            medication__dose=q(dose, "mg"),
            medication__frequency=q(value, unit),
        )
        every = Fraction(1, 21) if Fraction(weight) < 30 else Fraction(1, 14)
        within = Fraction(dose) <= 162 and per_day(value, unit) <= every
        assert decision.outcome is outcome_of(within)


@pytest.mark.criteria("Dosing 2", "Dosing 2.A", "Dosing 2.B")
class TestPjiaRoutes:
    """Intravenous is Dosing 2.A, subcutaneous Dosing 2.B."""

    @pytest.mark.parametrize(
        ("which", "route", "on"),
        [("pjia_initial", IV, "Dosing 2.A"), ("pjia_continuation", SC, "Dosing 2.B")],
    )
    def test_route_picks_the_regimen(self, which: Base, route: dict[str, str], on: str) -> None:
        decision = decide_base(which, medication__route=route)
        assert decision.outcome is APPROVE
        assert on in decision.path

    def test_intravenous_dose_under_the_skin(self) -> None:
        decision = decide_base("pjia_initial", medication__route=SC)
        assert decision.outcome is REVIEW
