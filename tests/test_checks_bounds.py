"""Limits on partial values, the conversions a limit asks for, and the values a trail shows.

- A partial value is a lower bound ("at least this many; some not given"): it can
  meet an "at least" but never settles an "at most" or a "less than" it is under.
- :meth:`conversions` lists the facts a comparison across a basis may derive; the
  engine's catalog and :meth:`facts` (what a request must give) are built from it.
- A dose divided by, or multiplied by, the weight or body surface area is shown to
  10 decimal places, rounded once, half to even; the comparison itself is exact.
"""

from __future__ import annotations

import decimal
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.test_checks import CAP, GVHD_DOSE, IU_CAP, IV_DOSE, dosed
from umpolicy import AtLeast, AtMost, LessThan, Quantity, Status
from umpolicy.dsl.findings import Fact

MET, NOT_MET, UNKNOWN = Status.MET, Status.NOT_MET, Status.UNKNOWN
COUNT = "therapy.prior_count"


class Book:
    """One fact, given as it is read (a count that may be partial)."""

    def __init__(self, fact: Fact) -> None:
        self.fact = fact

    def __getitem__(self, name: str) -> Fact:
        assert name == self.fact.name
        return self.fact

    def add(self, fact: Fact) -> None:
        raise AssertionError(f"{fact.name}: a count is compared in its own unit")


class Bases:
    """The facts given, and nothing derived from them kept (a basis is not compared across)."""

    def __init__(self, facts: dict[str, Fact]) -> None:
        self.facts = facts

    def __getitem__(self, name: str) -> Fact:
        return self.facts[name]

    def add(self, fact: Fact) -> None:
        raise AssertionError(f"{fact.name}: a basis is compared as it is")


def counted(count: int, *, partial: bool) -> Book:
    return Book(Fact(COUNT, Quantity(count, "{therapy}"), partial=partial))


LIMIT = Quantity("2", "{therapy}")


class TestPartialValues:
    """A partial count meets "at least" when it reaches it; "at most" only ever fails."""

    @pytest.mark.parametrize(
        ("count", "at_least", "at_most", "less_than"),
        [
            (1, UNKNOWN, UNKNOWN, UNKNOWN),  # more may come: not yet settled either way
            (2, MET, UNKNOWN, NOT_MET),  # the limit reached: at least, settled; less than, lost
            (3, MET, NOT_MET, NOT_MET),  # past the limit: more can only stay past it
        ],
    )
    def test_partial(
        self, count: int, at_least: Status, at_most: Status, less_than: Status
    ) -> None:
        book = counted(count, partial=True)
        found = [check(COUNT, LIMIT).evaluate(book) for check in (AtLeast, AtMost, LessThan)]
        assert [f.status for f in found] == [at_least, at_most, less_than]
        for finding in found:
            assert (finding.requested, finding.limit) == (Quantity(count, "{therapy}"), LIMIT)
            assert finding.facts == (COUNT,)

    @pytest.mark.parametrize(
        ("count", "at_least", "at_most", "less_than"),
        [(1, NOT_MET, MET, MET), (2, MET, MET, NOT_MET), (3, MET, NOT_MET, NOT_MET)],
    )
    def test_complete(
        self, count: int, at_least: Status, at_most: Status, less_than: Status
    ) -> None:
        book = counted(count, partial=False)
        found = [check(COUNT, LIMIT).evaluate(book).status for check in (AtLeast, AtMost, LessThan)]
        assert found == [at_least, at_most, less_than]

    @given(st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=40))
    def test_a_partial_value_never_settles_what_more_could_change(
        self, count: int, limit: int
    ) -> None:
        """Settled only where every larger count gives the same answer; else unknown."""
        book = counted(count, partial=True)
        bound = Quantity(limit, "{therapy}")
        assert AtLeast(COUNT, bound).evaluate(book).status is (MET if count >= limit else UNKNOWN)
        assert AtMost(COUNT, bound).evaluate(book).status is (NOT_MET if count > limit else UNKNOWN)
        assert LessThan(COUNT, bound).evaluate(book).status is (
            NOT_MET if count >= limit else UNKNOWN
        )


class TestConversions:
    """A per-kg or per-m² limit divides a dose; an absolute cap multiplies one; others none."""

    def test_per_kg(self) -> None:
        """600,000 IU/kg and 0.037 mg/kg both divide by the weight: one derived fact."""
        assert IV_DOSE.conversions() == (
            (
                "medication.dose_per_kg",
                "medication.dose divided by patient.weight, for a limit per kg",
                ("medication.dose", "patient.weight"),
            ),
        )
        assert IV_DOSE.facts() == ("medication.dose", "patient.weight")

    def test_per_m2(self) -> None:
        assert GVHD_DOSE.conversions() == (
            (
                "medication.dose_per_m2",
                "medication.dose divided by patient.body_surface_area, for a limit per m2",
                ("medication.dose", "patient.body_surface_area"),
            ),
        )
        assert GVHD_DOSE.facts() == ("medication.dose", "patient.body_surface_area")

    @pytest.mark.parametrize("cap", [CAP, IU_CAP])
    def test_absolute_cap(self, cap: AtMost) -> None:
        """An absolute cap in mg or IU multiplies a per-kg or per-m² dose."""
        inputs = ("medication.dose", "patient.weight", "patient.body_surface_area")
        assert cap.conversions() == (
            (
                "medication.dose_total",
                "a per-kg or per-m² medication.dose times the weight or body surface area",
                inputs,
            ),
        )
        assert cap.facts() == inputs

    def test_both(self) -> None:
        check = AtMost("medication.dose", Quantity("1000", "mg"), Quantity("15", "mg/kg"))
        assert [name for name, _, _ in check.conversions()] == [
            "medication.dose_total",
            "medication.dose_per_kg",
        ]
        assert check.facts() == (
            "medication.dose",
            "patient.weight",
            "patient.body_surface_area",
        )

    @pytest.mark.parametrize(
        "check",
        [
            AtMost("medication.frequency", Quantity("3", "/d")),
            AtMost("medication.frequency", Quantity("1", "/(4.wk)")),
            AtLeast("medication.schedule.rest_before_course", Quantity("7", "wk")),
            AtLeast("medication.schedule.rest_between_cycles", Quantity("9", "d")),
            AtMost("medication.schedule.doses_per_cycle", Quantity("14", "{dose}")),
            AtLeast("patient.age", Quantity("18", "a")),
            AtMost("medication.dose", Quantity("6", "10*6.[iU]/{lesion}")),
            AtMost("patient.height", Quantity("250", "cm")),
            LessThan("patient.weight", Quantity("40", "kg")),
            AtMost("patient.body_surface_area", Quantity("2", "m2")),
        ],
    )
    def test_none(self, check: AtMost) -> None:
        """Times, rates, counts, per-lesion doses and the bases themselves derive nothing."""
        assert check.conversions() == ()
        assert check.facts() == (check.fact,)

    @pytest.mark.parametrize(
        ("check", "value"),
        [
            (LessThan("patient.weight", Quantity("30", "kg")), Quantity("1", "mg/kg")),
            (AtLeast("patient.weight", Quantity("30", "kg")), Quantity("9000", "g/kg")),
        ],
    )
    def test_a_basis_is_never_compared_across_itself(self, check: AtMost, value: Quantity) -> None:
        """A weight in mg/kg is not met: it was multiplied by itself into a weight in kg."""
        fact = Fact(check.fact, value)
        finding = check.evaluate(Bases({check.fact: fact}))
        assert finding.status is NOT_MET
        assert finding.note is not None
        assert "cannot be compared" in finding.note


def ten_places(value: Decimal) -> Decimal:
    """``value`` rounded to 10 decimal places, half to even."""
    return value.quantize(Decimal("1E-10"), rounding=decimal.ROUND_HALF_EVEN)


#: Arithmetic far finer than the 10 places shown, so that rounding to them is the only one.
FINE = decimal.Context(prec=80)


def mosteller(cm: int, kg: int) -> Fraction | Decimal:
    """Mosteller's BSA, √(cm × kg / 3600): exactly when rational, else to 80 digits."""
    square = Fraction(cm * kg, 3600)
    num, den = math.isqrt(square.numerator), math.isqrt(square.denominator)
    if num * num == square.numerator and den * den == square.denominator:
        return Fraction(num, den)
    return FINE.divide(Decimal(cm * kg), Decimal(3600)).sqrt(FINE)


def shown(value: Fraction | Decimal) -> Decimal:
    """An exact or 80-digit value rounded to 10 places, half to even, as the trail shows it."""
    if isinstance(value, Fraction):
        return Decimal(round(value * 10**10)).scaleb(-10)  # Fraction rounds half to even
    return ten_places(value)


#: Mosteller's BSA for 170 cm and 70 kg: √(11900 / 3600), irrational.
ROOT = mosteller(170, 70)


class TestShownToTenPlaces:
    """The dose per basis, or in total, is shown to 10 places; the status stays exact."""

    @pytest.mark.parametrize(
        ("dose", "kg", "shown"),
        [
            ("1", "3", "0.3333333333"),
            ("2", "3", "0.6666666667"),
            ("48000001", "80", "600000.0125"),
            ("48000000.0000000001", "80", "600000"),  # more places than shown: rounded
            ("0.00000000005", "1", "0"),  # 5E-11: a tie, to the even 0
            ("0.00000000015", "1", "0.0000000002"),  # 1.5E-10: a tie, to the even 2E-10
        ],
    )
    def test_divided_by_weight(self, dose: str, kg: str, shown: str) -> None:
        finding = IV_DOSE.evaluate(dosed(Quantity(dose, "[iU]"), weight=Quantity(kg, "kg")))
        assert finding.requested == Quantity(shown, "[iU]/kg")

    def test_exact_though_shown_rounded(self) -> None:
        """48,000,000.0000000001 IU for 80 kg shows as 600,000 IU/kg and is over it."""
        dose = Quantity("48000000.0000000001", "[iU]")
        finding = IV_DOSE.evaluate(dosed(dose, weight=Quantity("80", "kg")))
        assert finding.status is NOT_MET
        assert finding.requested == Quantity("600000", "[iU]/kg")

    def test_times_weight(self) -> None:
        dose = Quantity("0.12345678901", "mg/kg")
        finding = CAP.evaluate(dosed(dose, weight=Quantity("1.1", "kg")))
        assert finding.requested == Quantity("0.1358024679", "mg")  # 0.135802467911

    def test_divided_by_mosteller_area(self) -> None:
        dose = Quantity("1000000", "[iU]")
        facts = dosed(dose, height=Quantity("170", "cm"), weight=Quantity("70", "kg"))
        finding = GVHD_DOSE.evaluate(facts)
        assert finding.requested == Quantity("0.5500190982", "10*6.[iU]/m2")
        with decimal.localcontext(FINE):
            assert finding.requested.value == shown(1 / ROOT)
        assert finding.status is MET

    def test_times_mosteller_area(self) -> None:
        dose = Quantity("1000000", "[iU]/m2")
        facts = dosed(dose, height=Quantity("170", "cm"), weight=Quantity("70", "kg"))
        finding = IU_CAP.evaluate(facts)
        assert finding.requested == Quantity("1.8181186858", "10*6.[iU]")
        assert finding.requested.value == shown(ROOT)
        assert finding.note == (
            "1,000,000 International Units/m² × 1.8181 m² = 1.8181186858 million "
            "International Units (compared exactly, by squares)"
        )

    @given(
        st.integers(min_value=1, max_value=10**9),
        st.integers(min_value=100, max_value=220),
        st.integers(min_value=30, max_value=150),
    )
    def test_any_mosteller_area(self, iu: int, cm: int, kg: int) -> None:
        """Exact ties (a rational area) go to the even last place; the rest round to nearest."""
        area = mosteller(cm, kg)
        body = {"height": Quantity(cm, "cm"), "weight": Quantity(kg, "kg")}
        per_m2 = GVHD_DOSE.evaluate(dosed(Quantity(iu, "[iU]"), **body)).requested
        total = IU_CAP.evaluate(dosed(Quantity(iu, "[iU]/m2"), **body)).requested
        assert per_m2 is not None
        assert total is not None
        with decimal.localcontext(FINE):  # any Decimal arithmetic below: 80 digits
            assert per_m2.value == shown(iu / area / 10**6)
            assert total.value == shown(iu * area / 10**6)

    @pytest.mark.parametrize(
        ("iu", "shown_per_m2"),
        [("3", "0.0000014062"), ("9", "0.0000042188")],  # 1.40625 and 4.21875 (× 10⁻⁶)
    )
    def test_a_tie_goes_to_even(self, iu: str, shown_per_m2: str) -> None:
        """128 cm and 128 kg give exactly 32/15 m²: 3 IU over it is 1.40625 IU/m², a tie."""
        body = {"height": Quantity("128", "cm"), "weight": Quantity("128", "kg")}
        finding = GVHD_DOSE.evaluate(dosed(Quantity(iu, "[iU]"), **body))
        assert finding.requested == Quantity(shown_per_m2, "10*6.[iU]/m2")
