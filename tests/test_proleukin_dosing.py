"""The Proleukin dosing limits, each exactly at, just under and just over its boundary.

The limits are read from the policy's Dosing sections: 600,000 International
Units/kg (0.037 mg/kg) no more than three times daily, at most 14 doses a cycle, a
second cycle after at least 9 days of rest, an additional course after at least 7
weeks (Dosing 1.A, Dosing 2); 6 million International Units per lesion no more than
three times weekly (Dosing 1.B); 1 million International Units/m² subcutaneously no
more than once daily (Dosing 3). "Must not exceed", "no more frequently than",
"maximum of" and "up to" include the limit; "a minimum of" and "at least" include it
too. Criteria met and dosing not met is clinician review (POLICY STATEMENT: doses
outside the established dosing are considered case by case by a clinician).

Expected values are computed here from the limits with exact decimal or rational
arithmetic on the request's decimal text, independently of the engine.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.strategies import (
    INTRALESIONAL,
    INTRAVENOUS,
    ORAL,
    SUBCUTANEOUS,
    Path,
    base,
    decide,
    decimal_text,
    exact_mosteller,
    reason_labels,
    requests,
    trail_nodes,
    weight_in_kg,
    weights,
    with_fields,
)
from umpolicy import Coding, Decision, Outcome, Quantity, Status
from umpolicy.io.validation import problems

HYPOTHESIS = settings(max_examples=40, deadline=None)

#: Times daily in one time per day, week or hour; cm in one cm, m or inch (exact).
PER_DAY = {"/d": Fraction(1), "/wk": Fraction(1, 7), "/h": Fraction(24)}
CM_PER = {"cm": Fraction(1), "m": Fraction(100), "[in_i]": Fraction("2.54")}

APPROVE, REVIEW, UNKNOWN = (
    Outcome.APPROVE,
    Outcome.CLINICIAN_REVIEW,
    Outcome.INSUFFICIENT_INFORMATION,
)


SCHEDULE = frozenset(
    (
        "doses_per_cycle",
        "cycles_per_course",
        "rest_between_cycles",
        "course_number",
        "rest_before_course",
    )
)


def dosed(path: Path, **regimen: Any) -> Decision:
    """The decision for the path's approvable base request with regimen fields changed."""
    fields = {
        f"medication.schedule.{name}" if name in SCHEDULE else f"medication.{name}": value
        for name, value in regimen.items()
    }
    return decide(with_fields(base(path), fields))


def step(value: Decimal) -> Decimal:
    """The smallest decimal step of ``value`` as written (one unit in its last place)."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return Decimal(1).scaleb(min(exponent, 0))


def assert_outcome(decision: Decision, outcome: Outcome, label: str) -> None:
    """``outcome``; for clinician review, ``label`` is the one dosing criterion not met."""
    assert decision.outcome is outcome, decision.summary
    if outcome is REVIEW:
        assert reason_labels(decision) == (label,)
        assert decision.authorization is None
    if outcome is APPROVE:
        assert decision.reasons == ()


IV_PATHS = [
    pytest.param("melanoma_iv", "Dosing 1.A.i", marks=pytest.mark.criteria("Dosing 1.A.i"), id="1"),
    pytest.param("rcc", "Dosing 2.A", marks=pytest.mark.criteria("Dosing 2.A"), id="2"),
]


class TestIntravenousDose:
    """Dosing 1.A.i and 2.A: each dose is at most 600,000 International Units/kg (0.037 mg/kg)."""

    @pytest.mark.parametrize(("path", "label"), IV_PATHS)
    @pytest.mark.parametrize(
        ("value", "code", "outcome"),
        [
            ("600000", "[iU]/kg", APPROVE),
            ("599999.999999", "[iU]/kg", APPROVE),
            ("600000.000001", "[iU]/kg", REVIEW),
            ("600001", "[iU]/kg", REVIEW),
            ("0.6", "10*6.[iU]/kg", APPROVE),
            ("0.600001", "10*6.[iU]/kg", REVIEW),
            ("0.037", "mg/kg", APPROVE),
            ("0.0369999", "mg/kg", APPROVE),
            ("0.0370001", "mg/kg", REVIEW),
            ("0.038", "mg/kg", REVIEW),
        ],
    )
    def test_per_kg(self, path: Path, label: str, value: str, code: str, outcome: Outcome) -> None:
        assert_outcome(dosed(path, dose=Quantity(value, code)), outcome, label)

    @pytest.mark.parametrize(("path", "label"), IV_PATHS)
    @HYPOTHESIS
    @given(weight=weights)
    def test_absolute_iu_dose_for_any_weight(
        self, path: Path, label: str, weight: Quantity
    ) -> None:
        at_limit = Decimal(600000) * weight_in_kg(weight)
        request = with_fields(base(path), {"patient.weight": weight})

        for dose, outcome in (
            (at_limit, APPROVE),
            (at_limit - step(at_limit), APPROVE),
            (at_limit + step(at_limit), REVIEW),
        ):
            decision = decide(with_fields(request, {"medication.dose": Quantity(dose, "[iU]")}))
            assert_outcome(decision, outcome, label)

    @pytest.mark.parametrize(("path", "label"), IV_PATHS)
    @HYPOTHESIS
    @given(weight=weights)
    def test_absolute_mg_dose_for_any_weight(
        self, path: Path, label: str, weight: Quantity
    ) -> None:
        at_limit = Decimal("0.037") * weight_in_kg(weight)
        request = with_fields(base(path), {"patient.weight": weight})

        for dose, outcome in (
            (at_limit, APPROVE),
            (at_limit - step(at_limit), APPROVE),
            (at_limit + step(at_limit), REVIEW),
        ):
            decision = decide(with_fields(request, {"medication.dose": Quantity(dose, "mg")}))
            assert_outcome(decision, outcome, label)

    @pytest.mark.parametrize(("path", "label"), IV_PATHS)
    @pytest.mark.parametrize(
        ("weight", "dose", "outcome"),
        [
            (Quantity("72.5", "kg"), Quantity("43500000", "[iU]"), APPROVE),
            (Quantity("72.5", "kg"), Quantity("43500001", "[iU]"), REVIEW),
            (Quantity("72500", "g"), Quantity("43500000", "[iU]"), APPROVE),
            (Quantity("72500", "g"), Quantity("43.5", "10*6.[iU]"), APPROVE),
            (Quantity("72500", "g"), Quantity("43.500001", "10*6.[iU]"), REVIEW),
            # 150 lb = 68.0388555 kg exactly; × 600,000 = 40,823,313.3 International Units.
            (Quantity("150", "[lb_av]"), Quantity("40823313.3", "[iU]"), APPROVE),
            (Quantity("150", "[lb_av]"), Quantity("40823313.4", "[iU]"), REVIEW),
            # × 0.037 mg/kg = 2.5174376535 mg.
            (Quantity("150", "[lb_av]"), Quantity("2.5174376535", "mg"), APPROVE),
            (Quantity("150", "[lb_av]"), Quantity("2.5174376536", "mg"), REVIEW),
        ],
    )
    def test_worked_examples(
        self, path: Path, label: str, weight: Quantity, dose: Quantity, outcome: Outcome
    ) -> None:
        request = with_fields(base(path), {"patient.weight": weight, "medication.dose": dose})

        assert_outcome(decide(request), outcome, label)

    @pytest.mark.parametrize(("path", "label"), IV_PATHS)
    def test_absolute_dose_needs_the_weight(self, path: Path, label: str) -> None:
        request = with_fields(base(path), {"patient.weight": None})

        decision = decide(request)

        assert decision.outcome is UNKNOWN
        assert decision.facts_needed == ("patient.weight",)
        assert trail_nodes(decision)[label].status is Status.UNKNOWN

    @pytest.mark.parametrize(("path", "label"), IV_PATHS)
    def test_per_kg_dose_does_not_need_the_weight(self, path: Path, label: str) -> None:
        request = with_fields(
            base(path),
            {"patient.weight": None, "medication.dose": Quantity("600000", "[iU]/kg")},
        )

        assert_outcome(decide(request), APPROVE, label)

    @pytest.mark.parametrize(("path", "label"), IV_PATHS)
    @pytest.mark.parametrize(
        ("value", "code"),
        [
            ("1", "[iU]/m2"),
            ("0.1", "10*6.[iU]/m2"),
            ("0.001", "mg/m2"),
            ("1", "[iU]/{lesion}"),
        ],
    )
    def test_incomparable_unit_is_outside_the_established_dosing(
        self, path: Path, label: str, value: str, code: str
    ) -> None:
        decision = dosed(path, dose=Quantity(value, code))

        assert_outcome(decision, REVIEW, label)
        (reason,) = decision.reasons
        assert "cannot be compared" in reason.detail
        assert "outside the established dosing" in reason.detail

    @pytest.mark.parametrize(("path", "label"), IV_PATHS)
    @pytest.mark.parametrize(
        ("dose", "limit"),
        [
            (Quantity("0.037", "mg/kg"), Quantity("0.037", "mg/kg")),
            (Quantity("2.96", "mg"), Quantity("0.037", "mg/kg")),
            (Quantity("600000", "[iU]/kg"), Quantity("600000", "[iU]/kg")),
            (Quantity("48000000", "[iU]"), Quantity("600000", "[iU]/kg")),
        ],
    )
    def test_iu_and_mg_each_meet_their_own_limit(
        self, path: Path, label: str, dose: Quantity, limit: Quantity
    ) -> None:
        decision = dosed(path, dose=dose)

        assert_outcome(decision, APPROVE, label)
        (dose_finding,) = [f for f in trail_nodes(decision)[label].findings if f.limit is not None][
            :1
        ]
        assert dose_finding.limit == limit

    @pytest.mark.parametrize(("path", "label"), IV_PATHS)
    def test_mg_is_never_converted_to_iu(self, path: Path, label: str) -> None:
        # 1 mg of aldesleukin is about 16-18 million International Units; 0.04 mg/kg is
        # over 0.037 mg/kg, whatever that would be in International Units.
        assert_outcome(dosed(path, dose=Quantity("0.04", "mg/kg")), REVIEW, label)


class TestIntravenousFrequencyAndCycle:
    """Dosing 1.A.i and 2.A: no more than three times daily, at most 14 doses a cycle."""

    @pytest.mark.parametrize(("path", "label"), IV_PATHS)
    @pytest.mark.parametrize(
        ("value", "code", "outcome"),
        [
            ("3", "/d", APPROVE),
            ("2.9999", "/d", APPROVE),
            ("3.0001", "/d", REVIEW),
            ("4", "/d", REVIEW),
            ("21", "/wk", APPROVE),
            ("20.9999", "/wk", APPROVE),
            ("21.0001", "/wk", REVIEW),
            ("0.125", "/h", APPROVE),
            ("0.1249", "/h", APPROVE),
            ("0.1251", "/h", REVIEW),
        ],
    )
    def test_frequency(
        self, path: Path, label: str, value: str, code: str, outcome: Outcome
    ) -> None:
        assert_outcome(dosed(path, frequency=Quantity(value, code)), outcome, label)

    @pytest.mark.parametrize(("path", "label"), IV_PATHS)
    @HYPOTHESIS
    @given(
        per=st.sampled_from(("/d", "/wk", "/h")),
        text=decimal_text(1, 300_000, 4),
    )
    def test_any_frequency(self, path: Path, label: str, per: str, text: str) -> None:
        per_day = Fraction(text) * PER_DAY[per]
        within = per_day <= 3  # 3 times daily is 21 times weekly, 0.125 times hourly

        decision = dosed(path, frequency=Quantity(text, per))

        assert_outcome(decision, APPROVE if within else REVIEW, label)

    @pytest.mark.parametrize(("path", "label"), IV_PATHS)
    @pytest.mark.parametrize(
        ("doses", "outcome"), [(1, APPROVE), (13, APPROVE), (14, APPROVE), (15, REVIEW)]
    )
    def test_doses_per_cycle(self, path: Path, label: str, doses: int, outcome: Outcome) -> None:
        assert_outcome(dosed(path, doses_per_cycle=doses), outcome, label)

    @pytest.mark.parametrize(("path", "label"), IV_PATHS)
    @pytest.mark.parametrize(
        ("field", "needed"),
        [
            ("dose", "medication.dose"),
            ("frequency", "medication.frequency"),
            ("doses_per_cycle", "medication.schedule.doses_per_cycle"),
        ],
    )
    def test_missing(self, path: Path, label: str, field: str, needed: str) -> None:
        decision = dosed(path, **{field: None})

        assert decision.outcome is UNKNOWN
        assert decision.facts_needed == (needed,)
        assert trail_nodes(decision)[label].status is Status.UNKNOWN


REST_BETWEEN = [
    pytest.param("melanoma_iv", "Dosing 1.A.ii", marks=pytest.mark.criteria("Dosing 1.A.ii")),
    pytest.param("rcc", "Dosing 2.B", marks=pytest.mark.criteria("Dosing 2.B")),
]
REST_BEFORE = [
    pytest.param("melanoma_iv", "Dosing 1.A.iii", marks=pytest.mark.criteria("Dosing 1.A.iii")),
    pytest.param("rcc", "Dosing 2.C", marks=pytest.mark.criteria("Dosing 2.C")),
]


class TestRestBetweenCycles:
    """Dosing 1.A.ii and 2.B: a second cycle after at least 9 days of rest; moot for one cycle."""

    @pytest.mark.parametrize(("path", "label"), REST_BETWEEN)
    @pytest.mark.parametrize(
        ("value", "code", "outcome"),
        [
            ("9", "d", APPROVE),
            ("10", "d", APPROVE),
            ("9.001", "d", APPROVE),
            ("8.999", "d", REVIEW),
            ("8", "d", REVIEW),
            ("0", "d", REVIEW),
            ("1.3", "wk", APPROVE),  # 9.1 days
            ("1.2858", "wk", APPROVE),  # 9.0006 days
            ("1.2857", "wk", REVIEW),  # 8.9999 days
            ("1", "wk", REVIEW),
        ],
    )
    def test_two_cycles(
        self, path: Path, label: str, value: str, code: str, outcome: Outcome
    ) -> None:
        decision = dosed(path, cycles_per_course=2, rest_between_cycles=Quantity(value, code))

        assert_outcome(decision, outcome, label)
        assert trail_nodes(decision)[label].applies is True

    @pytest.mark.parametrize(("path", "label"), REST_BETWEEN)
    @HYPOTHESIS
    @given(days=decimal_text(0, 40_000, 3))
    def test_any_rest_in_days(self, path: Path, label: str, days: str) -> None:
        decision = dosed(path, cycles_per_course=2, rest_between_cycles=Quantity(days, "d"))

        assert_outcome(decision, APPROVE if Decimal(days) >= 9 else REVIEW, label)

    @pytest.mark.parametrize(("path", "label"), REST_BETWEEN)
    @pytest.mark.parametrize(("cycles", "outcome"), [(2, APPROVE), (3, REVIEW), (10, REVIEW)])
    def test_a_course_is_at_most_two_cycles(
        self, path: Path, label: str, cycles: int, outcome: Outcome
    ) -> None:
        """A second cycle completes a course: a third is outside the established dosing."""
        decision = dosed(path, cycles_per_course=cycles, rest_between_cycles=Quantity("9", "d"))

        assert_outcome(decision, outcome, label)

    @pytest.mark.parametrize(("path", "label"), REST_BETWEEN)
    @pytest.mark.parametrize("rest", [None, Quantity("0", "d"), Quantity("1", "wk")])
    def test_one_cycle_does_not_apply(self, path: Path, label: str, rest: Quantity | None) -> None:
        decision = dosed(path, cycles_per_course=1, rest_between_cycles=rest)

        assert_outcome(decision, APPROVE, label)
        node = trail_nodes(decision)[label]
        assert node.applies is False
        assert node.status is Status.MET
        assert node.findings[0].status is Status.NOT_MET  # applies_if: not a second cycle

    @pytest.mark.parametrize(("path", "label"), REST_BETWEEN)
    @pytest.mark.parametrize(
        ("cycles", "rest", "outcome", "needed"),
        [
            (2, None, UNKNOWN, ("medication.schedule.rest_between_cycles",)),
            # How many cycles is a limit too (a course holds at most two): not given, unknown.
            (None, Quantity("9", "d"), UNKNOWN, ("medication.schedule.cycles_per_course",)),
            (None, Quantity("8", "d"), UNKNOWN, ("medication.schedule.cycles_per_course",)),
            (
                None,
                None,
                UNKNOWN,
                (
                    "medication.schedule.cycles_per_course",
                    "medication.schedule.rest_between_cycles",
                ),
            ),
        ],
    )
    def test_unknown(
        self,
        path: Path,
        label: str,
        cycles: int | None,
        rest: Quantity | None,
        outcome: Outcome,
        needed: tuple[str, ...],
    ) -> None:
        decision = dosed(path, cycles_per_course=cycles, rest_between_cycles=rest)

        assert_outcome(decision, outcome, label)
        assert set(decision.facts_needed) == set(needed)


class TestRestBeforeAdditionalCourse:
    """Dosing 1.A.iii and 2.C: an additional course after at least 7 weeks; moot for course 1."""

    @pytest.mark.parametrize(("path", "label"), REST_BEFORE)
    @pytest.mark.parametrize(
        ("value", "code", "outcome"),
        [
            ("7", "wk", APPROVE),
            ("49", "d", APPROVE),
            ("48", "d", REVIEW),
            ("48.999", "d", REVIEW),
            ("49.001", "d", APPROVE),
            ("6.99", "wk", REVIEW),
            ("7.01", "wk", APPROVE),
            ("8", "wk", APPROVE),
            ("0", "d", REVIEW),
        ],
    )
    @pytest.mark.parametrize("course", [2, 3, 10])
    def test_additional_course(
        self, path: Path, label: str, value: str, code: str, outcome: Outcome, course: int
    ) -> None:
        decision = dosed(path, course_number=course, rest_before_course=Quantity(value, code))

        assert_outcome(decision, outcome, label)
        assert trail_nodes(decision)[label].applies is True

    @pytest.mark.parametrize(("path", "label"), REST_BEFORE)
    @HYPOTHESIS
    @given(weeks=decimal_text(0, 20_000, 3), course=st.integers(2, 50))
    def test_any_rest_in_weeks(self, path: Path, label: str, weeks: str, course: int) -> None:
        decision = dosed(path, course_number=course, rest_before_course=Quantity(weeks, "wk"))

        assert_outcome(decision, APPROVE if Decimal(weeks) >= 7 else REVIEW, label)

    @pytest.mark.parametrize(("path", "label"), REST_BEFORE)
    @pytest.mark.parametrize("rest", [None, Quantity("0", "d"), Quantity("48", "d")])
    def test_first_course_does_not_apply(
        self, path: Path, label: str, rest: Quantity | None
    ) -> None:
        decision = dosed(path, course_number=1, rest_before_course=rest)

        assert_outcome(decision, APPROVE, label)
        node = trail_nodes(decision)[label]
        assert node.applies is False
        assert node.status is Status.MET

    @pytest.mark.parametrize(("path", "label"), REST_BEFORE)
    @pytest.mark.parametrize(
        ("course", "rest", "outcome", "needed"),
        [
            (2, None, UNKNOWN, ("medication.schedule.rest_before_course",)),
            (None, Quantity("49", "d"), APPROVE, ()),
            (None, Quantity("48", "d"), UNKNOWN, ("medication.schedule.course_number",)),
            (
                None,
                None,
                UNKNOWN,
                ("medication.schedule.course_number", "medication.schedule.rest_before_course"),
            ),
        ],
    )
    def test_unknown(
        self,
        path: Path,
        label: str,
        course: int | None,
        rest: Quantity | None,
        outcome: Outcome,
        needed: tuple[str, ...],
    ) -> None:
        decision = dosed(path, course_number=course, rest_before_course=rest)

        assert_outcome(decision, outcome, label)
        assert set(decision.facts_needed) == set(needed)


@pytest.mark.criteria("Dosing 1.B.i")
class TestDosePerLesion:
    """Dosing 1.B.i: the dose to each lesion is at most 6 million International Units."""

    @pytest.mark.parametrize(
        ("value", "code", "outcome"),
        [
            ("6000000", "[iU]/{lesion}", APPROVE),
            ("5999999", "[iU]/{lesion}", APPROVE),
            ("6000001", "[iU]/{lesion}", REVIEW),
            ("6000000.01", "[iU]/{lesion}", REVIEW),
            ("6", "10*6.[iU]/{lesion}", APPROVE),
            ("5.999999", "10*6.[iU]/{lesion}", APPROVE),
            ("6.000001", "10*6.[iU]/{lesion}", REVIEW),
            ("7", "10*6.[iU]/{lesion}", REVIEW),
        ],
    )
    def test_per_lesion(self, value: str, code: str, outcome: Outcome) -> None:
        decision = dosed("melanoma_intralesional", dose=Quantity(value, code))

        assert_outcome(decision, outcome, "Dosing 1.B.i")

    @HYPOTHESIS
    @given(text=decimal_text(1, 10**10, 3))
    def test_any_dose(self, text: str) -> None:
        decision = dosed("melanoma_intralesional", dose=Quantity(text, "[iU]/{lesion}"))

        outcome = APPROVE if Decimal(text) <= 6_000_000 else REVIEW
        assert_outcome(decision, outcome, "Dosing 1.B.i")

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            ("6000000", "[iU]"),
            ("1", "10*6.[iU]"),
            ("1", "[iU]/kg"),
            ("1", "10*6.[iU]/m2"),
            ("1", "mg"),
        ],
    )
    def test_dose_not_per_lesion_is_outside_the_established_dosing(
        self, value: str, code: str
    ) -> None:
        decision = dosed("melanoma_intralesional", dose=Quantity(value, code))

        assert_outcome(decision, REVIEW, "Dosing 1.B.i")
        assert "outside the established dosing" in decision.reasons[0].detail

    def test_missing_dose(self) -> None:
        decision = dosed("melanoma_intralesional", dose=None)

        assert decision.outcome is UNKNOWN
        assert decision.facts_needed == ("medication.dose",)


@pytest.mark.criteria("Dosing 1.B.ii")
class TestIntralesionalFrequency:
    """Dosing 1.B.ii: no more than three times weekly."""

    @pytest.mark.parametrize(
        ("value", "code", "outcome"),
        [
            ("3", "/wk", APPROVE),
            ("2.999", "/wk", APPROVE),
            ("3.001", "/wk", REVIEW),
            ("4", "/wk", REVIEW),
            ("0.4", "/d", APPROVE),  # 2.8 times weekly
            ("0.428", "/d", APPROVE),  # 2.996 times weekly
            ("0.429", "/d", REVIEW),  # 3.003 times weekly
            ("1", "/d", REVIEW),
            ("3", "/d", REVIEW),
            ("0.0178", "/h", APPROVE),  # 2.9904 times weekly
            ("0.018", "/h", REVIEW),  # 3.024 times weekly
            ("13", "/mo", APPROVE),  # 2.9897 times weekly
            ("13.05", "/mo", REVIEW),  # 3.0012 times weekly
        ],
    )
    def test_frequency(self, value: str, code: str, outcome: Outcome) -> None:
        decision = dosed("melanoma_intralesional", frequency=Quantity(value, code))

        assert_outcome(decision, outcome, "Dosing 1.B.ii")

    @HYPOTHESIS
    @given(text=decimal_text(1, 20_000, 4))
    def test_any_daily_frequency(self, text: str) -> None:
        decision = dosed("melanoma_intralesional", frequency=Quantity(text, "/d"))

        outcome = APPROVE if Decimal(text) * 7 <= 3 else REVIEW
        assert_outcome(decision, outcome, "Dosing 1.B.ii")

    def test_missing_frequency(self) -> None:
        decision = dosed("melanoma_intralesional", frequency=None)

        assert decision.outcome is UNKNOWN
        assert decision.facts_needed == ("medication.frequency",)


def mosteller_square(height: Quantity, weight: Quantity) -> Fraction:
    """Height (cm) × weight (kg) / 3600: the square of Mosteller's BSA in m², exactly."""
    cm = Fraction(height.value) * CM_PER[height.unit.code]
    return cm * Fraction(weight_in_kg(weight)) / 3600


@pytest.mark.criteria("Dosing 3")
class TestGvhdDose:
    """Dosing 3: up to 1 million International Units/m², by BSA as given or Mosteller's."""

    @pytest.mark.parametrize(
        ("value", "code", "outcome"),
        [
            ("1", "10*6.[iU]/m2", APPROVE),
            ("0.999999", "10*6.[iU]/m2", APPROVE),
            ("1.000001", "10*6.[iU]/m2", REVIEW),
            ("1000000", "[iU]/m2", APPROVE),
            ("1000001", "[iU]/m2", REVIEW),
            ("1000000.001", "[iU]/m2", REVIEW),
        ],
    )
    def test_per_m2(self, value: str, code: str, outcome: Outcome) -> None:
        assert_outcome(dosed("gvhd", dose=Quantity(value, code)), outcome, "Dosing 3")

    @pytest.mark.parametrize(
        ("dose", "outcome"),
        [("2000000", APPROVE), ("1999999", APPROVE), ("2000001", REVIEW), ("2000000.1", REVIEW)],
    )
    def test_mosteller_180_cm_80_kg_is_2_m2(self, dose: str, outcome: Outcome) -> None:
        # √(180 × 80 / 3600) = √4 = 2 m²: the limit is 2,000,000 International Units.
        assert_outcome(dosed("gvhd", dose=Quantity(dose, "[iU]")), outcome, "Dosing 3")

    @HYPOTHESIS
    @given(bsa=decimal_text(500, 30_000, 4))  # 0.05 to 3 m², plausible body surface areas
    def test_bsa_given(self, bsa: str) -> None:
        at_limit = Decimal(1_000_000) * Decimal(bsa)
        # The BSA alone: far from the height and weight's, it would be no one body's.
        body = {"patient.bsa": Quantity(bsa, "m2"), "patient.height": None, "patient.weight": None}
        request = with_fields(base("gvhd"), body)

        for dose, outcome in (
            (at_limit, APPROVE),
            (at_limit - step(at_limit), APPROVE),
            (at_limit + step(at_limit), REVIEW),
        ):
            decision = decide(with_fields(request, {"medication.dose": Quantity(dose, "[iU]")}))
            assert_outcome(decision, outcome, "Dosing 3")

    def test_bsa_given_wins_over_height_and_weight(self) -> None:
        # Height and weight give 2 m², but the prescriber's 1.5 m² is the one used.
        request = with_fields(
            base("gvhd"),
            {"patient.bsa": Quantity("1.5", "m2"), "medication.dose": Quantity("2000000", "[iU]")},
        )

        assert_outcome(decide(request), REVIEW, "Dosing 3")

    @HYPOTHESIS
    @given(data=exact_mosteller())
    def test_mosteller_exact_squares(self, data: tuple[Quantity, Quantity, Decimal]) -> None:
        height, weight, bsa = data
        at_limit = Decimal(1_000_000) * bsa
        request = with_fields(base("gvhd"), {"patient.height": height, "patient.weight": weight})

        for dose, outcome in (
            (at_limit, APPROVE),
            (at_limit - 1, APPROVE),
            (at_limit + 1, REVIEW),
            (at_limit + Decimal("0.001"), REVIEW),
        ):
            decision = decide(with_fields(request, {"medication.dose": Quantity(dose, "[iU]")}))
            assert_outcome(decision, outcome, "Dosing 3")

    @HYPOTHESIS
    @given(
        height=st.one_of(
            decimal_text(500, 2200, 1).map(lambda t: Quantity(t, "cm")),
            decimal_text(50, 220, 2).map(lambda t: Quantity(t, "m")),
            decimal_text(200, 870, 1).map(lambda t: Quantity(t, "[in_i]")),
        ),
        weight=weights,
        dose=st.integers(100_000, 3_500_000),
    )
    def test_mosteller_any_height_and_weight(
        self, height: Quantity, weight: Quantity, dose: int
    ) -> None:
        # dose ≤ 10⁶ × √s  ⇔  dose² ≤ 10¹² × s, with s the exact Mosteller square.
        within = Fraction(dose) ** 2 <= 10**12 * mosteller_square(height, weight)
        request = with_fields(
            base("gvhd"),
            {
                "patient.height": height,
                "patient.weight": weight,
                "medication.dose": Quantity(str(dose), "[iU]"),
            },
        )
        assume(not problems(request))  # a height and a weight of one body (validation)

        assert_outcome(decide(request), APPROVE if within else REVIEW, "Dosing 3")

    def test_rounding_the_bsa_does_not_move_the_boundary(self) -> None:
        # 180 cm × 79.9999 kg / 3600 = 3.999995 m²²: the BSA is 1.99999875 m² and shows as
        # 2.0000 m², but 2,000,000 International Units is over the limit of 1,999,998.75.
        request = with_fields(
            base("gvhd"),
            {"patient.weight": Quantity("79.9999", "kg")},
        )

        for dose, outcome in (("2000000", REVIEW), ("1999999", REVIEW), ("1999998", APPROVE)):
            decision = decide(with_fields(request, {"medication.dose": Quantity(dose, "[iU]")}))
            assert_outcome(decision, outcome, "Dosing 3")

    @pytest.mark.parametrize(
        ("patient", "needed"),
        [
            (
                {"patient.height": None, "patient.weight": None},
                {"patient.bsa", "patient.height", "patient.weight"},
            ),
            ({"patient.weight": None}, {"patient.bsa", "patient.weight"}),
            ({"patient.height": None}, {"patient.bsa", "patient.height"}),
        ],
    )
    def test_absolute_dose_needs_a_bsa(self, patient: dict[str, Any], needed: set[str]) -> None:
        decision = decide(with_fields(base("gvhd"), patient))

        assert decision.outcome is UNKNOWN
        assert set(decision.facts_needed) == needed

    def test_per_m2_dose_needs_no_bsa(self) -> None:
        request = with_fields(
            base("gvhd"),
            {
                "patient.height": None,
                "patient.weight": None,
                "medication.dose": Quantity("1", "10*6.[iU]/m2"),
            },
        )

        assert_outcome(decide(request), APPROVE, "Dosing 3")

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            ("1", "mg/m2"),
            ("1", "mg"),
            ("1", "[iU]/kg"),
            ("1", "10*6.[iU]/{lesion}"),
        ],
    )
    def test_incomparable_unit_is_outside_the_established_dosing(
        self, value: str, code: str
    ) -> None:
        decision = dosed("gvhd", dose=Quantity(value, code))

        assert_outcome(decision, REVIEW, "Dosing 3")
        assert "outside the established dosing" in decision.reasons[0].detail

    @pytest.mark.parametrize(
        ("value", "code", "outcome"),
        [
            ("1", "/d", APPROVE),
            ("0.9999", "/d", APPROVE),
            ("1.0001", "/d", REVIEW),
            ("2", "/d", REVIEW),
            ("7", "/wk", APPROVE),
            ("7.001", "/wk", REVIEW),
            ("0.0416", "/h", APPROVE),  # 0.9984 times daily
            ("0.0417", "/h", REVIEW),  # 1.0008 times daily
            # A count per month is its rate: a month is 30.4375 days (UCUM's mean month).
            ("30", "/mo", APPROVE),  # 0.9856 times daily
            ("30.4375", "/mo", APPROVE),  # once daily exactly
            ("30.4376", "/mo", REVIEW),
            ("31", "/mo", REVIEW),  # 1.0185 times daily
        ],
    )
    def test_frequency(self, value: str, code: str, outcome: Outcome) -> None:
        assert_outcome(dosed("gvhd", frequency=Quantity(value, code)), outcome, "Dosing 3")


class TestRouteInDosing:
    """RCC dosing needs intravenous (Dosing 2.A), GVHD dosing subcutaneous (Dosing 3)."""

    @pytest.mark.criteria("Dosing 2.A")
    @pytest.mark.parametrize("route", [SUBCUTANEOUS, INTRALESIONAL, ORAL], ids=str)
    def test_rcc_not_intravenous(self, route: Coding) -> None:
        assert_outcome(dosed("rcc", route=route), REVIEW, "Dosing 2.A")

    @pytest.mark.criteria("Dosing 3")
    @pytest.mark.parametrize("route", [INTRAVENOUS, INTRALESIONAL, ORAL], ids=str)
    def test_gvhd_not_subcutaneous(self, route: Coding) -> None:
        assert_outcome(dosed("gvhd", route=route), REVIEW, "Dosing 3")

    @pytest.mark.criteria("Dosing 2.A", "Dosing 3")
    @pytest.mark.parametrize(("path", "label"), [("rcc", "Dosing 2.A"), ("gvhd", "Dosing 3")])
    def test_route_missing(self, path: Path, label: str) -> None:
        decision = dosed(path, route=None)

        assert decision.outcome is UNKNOWN
        assert decision.facts_needed == ("medication.route",)
        assert trail_nodes(decision)[label].status is Status.UNKNOWN


class TestGeneratedRequests:
    """Requests drawn inside every limit are approved on their own path."""

    @pytest.mark.criteria("Dosing 1", "Dosing 1.A", "Dosing 1.B", "Dosing 2", "Dosing 3")
    @pytest.mark.parametrize("path", ["melanoma_iv", "melanoma_intralesional", "rcc", "gvhd"])
    @settings(max_examples=50, deadline=None)
    @given(data=st.data())
    def test_approved(self, path: Path, data: st.DataObject) -> None:
        decision = decide(data.draw(requests(path)))

        assert decision.outcome is APPROVE, decision.summary
