"""The typed checks: what each reads, says and finds for a request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from umpolicy import (
    AtLeast,
    AtMost,
    Either,
    FactBook,
    Includes,
    IsTrue,
    OneOf,
    Patient,
    Physician,
    Quantity,
    Regimen,
    Request,
    Specialty,
    Status,
)
from umpolicy.request import Diagnosis

DATE = dt.date(2026, 3, 2)
IV_DOSE = AtMost("regimen.dose", Quantity("600000", "[iU]/kg"), Quantity("0.037", "mg/kg"))
GVHD_DOSE = AtMost("regimen.dose", Quantity("1", "10*6.[iU]/m2"))


def book(
    *,
    patient: Patient | None = None,
    regimen: Regimen | None = None,
    diagnosis: Diagnosis | None = None,
    consultants: tuple[Physician, ...] | None = None,
) -> FactBook:
    return FactBook(
        Request(
            DATE,
            patient=patient or Patient(),
            regimen=regimen or Regimen(),
            diagnosis=diagnosis or Diagnosis(),
            consultants=consultants,
        )
    )


def dosed(dose: Quantity, **patient: Quantity) -> FactBook:
    return book(patient=Patient(**patient), regimen=Regimen(dose=dose))  # type: ignore[arg-type]


class TestIsTrue:
    """Met for yes, not met for no, unknown when missing."""

    @pytest.mark.parametrize(
        ("value", "status"),
        [(True, Status.MET), (False, Status.NOT_MET), (None, Status.UNKNOWN)],
    )
    def test_evaluate(self, value: bool | None, status: Status) -> None:
        check = IsTrue("diagnosis.metastatic")
        finding = check.evaluate(book(diagnosis=Diagnosis(metastatic=value)))
        assert finding.status is status
        assert finding.rule == "diagnosis.metastatic is yes"
        assert [f.name for f in finding.facts] == ["diagnosis.metastatic"]
        assert finding.facts[0].value is value
        assert check.facts() == ("diagnosis.metastatic",)


class TestOneOf:
    """Met when the enum fact is one of the values."""

    @pytest.mark.parametrize(
        ("specialty", "status"),
        [
            (Specialty.ONCOLOGY, Status.MET),
            (Specialty.DERMATOLOGY, Status.MET),
            (Specialty.OTHER, Status.NOT_MET),
            (None, Status.UNKNOWN),
        ],
    )
    def test_evaluate(self, specialty: Specialty | None, status: Status) -> None:
        check = OneOf("prescriber.specialty", ("oncology", "dermatology"))
        request = Request(DATE, prescriber=Physician(specialty))
        assert check.evaluate(FactBook(request)).status is status
        assert check.describe() == "prescriber.specialty is oncology or dermatology"
        assert check.facts() == ("prescriber.specialty",)


class TestIncludes:
    """Met when the set fact includes any value; unknown when the set is unknown."""

    @pytest.mark.parametrize(
        ("consultants", "status"),
        [
            ((Physician(Specialty.ONCOLOGY),), Status.MET),
            ((Physician(Specialty.OTHER), Physician(Specialty.DERMATOLOGY)), Status.MET),
            ((Physician(Specialty.OTHER),), Status.NOT_MET),
            ((), Status.NOT_MET),
            (None, Status.UNKNOWN),
            ((Physician(None),), Status.UNKNOWN),
        ],
    )
    def test_evaluate(self, consultants: tuple[Physician, ...] | None, status: Status) -> None:
        check = Includes("consultants.specialties", ("oncology", "dermatology"))
        assert check.evaluate(book(consultants=consultants)).status is status
        assert check.describe() == "consultants.specialties include oncology or dermatology"
        assert check.facts() == ("consultants.specialties",)


class TestEither:
    """Kleene or across its checks, keeping every fact read."""

    @pytest.mark.parametrize(
        ("metastatic", "unresectable", "status"),
        [
            (True, None, Status.MET),
            (None, True, Status.MET),
            (False, False, Status.NOT_MET),
            (False, None, Status.UNKNOWN),
            (None, None, Status.UNKNOWN),
        ],
    )
    def test_evaluate(
        self, metastatic: bool | None, unresectable: bool | None, status: Status
    ) -> None:
        check = Either(IsTrue("diagnosis.metastatic"), IsTrue("diagnosis.unresectable"))
        finding = check.evaluate(book(diagnosis=Diagnosis(None, metastatic, unresectable)))
        assert finding.status is status
        assert [f.name for f in finding.facts] == ["diagnosis.metastatic", "diagnosis.unresectable"]
        assert finding.rule == "diagnosis.metastatic is yes or diagnosis.unresectable is yes"
        assert check.facts() == ("diagnosis.metastatic", "diagnosis.unresectable")

    def test_repr_rebuilds(self) -> None:
        check = Either(IsTrue("a"), OneOf("b", ("x",)))
        assert repr(check) == "Either(IsTrue(fact='a'), OneOf(fact='b', values=('x',)))"
        assert eval(repr(check)) == check


class TestBoundsSameDimension:
    """AtMost and AtLeast are inclusive, exact, and compare across units of one dimension."""

    @pytest.mark.parametrize(
        ("frequency", "at_most", "at_least"),
        [
            (Quantity("3", "/d"), Status.MET, Status.MET),
            (Quantity("21", "/wk"), Status.MET, Status.MET),
            (Quantity("22", "/wk"), Status.NOT_MET, Status.MET),
            (Quantity("0.125", "/h"), Status.MET, Status.MET),
            (Quantity("0.126", "/h"), Status.NOT_MET, Status.MET),
            (Quantity("2.999", "/d"), Status.MET, Status.NOT_MET),
        ],
    )
    def test_frequency(self, frequency: Quantity, at_most: Status, at_least: Status) -> None:
        facts = book(regimen=Regimen(frequency=frequency))
        most = AtMost("regimen.frequency", Quantity("3", "/d")).evaluate(facts)
        least = AtLeast("regimen.frequency", Quantity("3", "/d")).evaluate(facts)
        assert (most.status, least.status) == (at_most, at_least)
        assert most.requested == frequency
        assert most.limit == Quantity("3", "/d")
        assert most.note is None

    def test_missing_is_unknown(self) -> None:
        finding = AtMost("regimen.frequency", Quantity("3", "/d")).evaluate(book())
        assert finding.status is Status.UNKNOWN
        assert finding.requested is None

    def test_describe_and_facts(self) -> None:
        assert IV_DOSE.describe() == (
            "regimen.dose ≤ 600,000 International Units/kg (or 0.037 mg/kg)"
        )
        assert AtLeast("regimen.rest_before_course", Quantity("7", "wk")).describe() == (
            "regimen.rest_before_course ≥ 7 weeks"
        )
        assert IV_DOSE.facts() == ("regimen.dose", "patient.weight")
        assert GVHD_DOSE.facts() == ("regimen.dose", "patient.body_surface_area")
        assert AtMost("regimen.frequency", Quantity("3", "/d")).facts() == ("regimen.frequency",)

    def test_alternative_limit_in_matching_unit(self) -> None:
        finding = IV_DOSE.evaluate(dosed(Quantity("0.037", "mg/kg")))
        assert finding.status is Status.MET
        assert finding.limit == Quantity("0.037", "mg/kg")
        finding = IV_DOSE.evaluate(dosed(Quantity("0.0371", "mg/kg")))
        assert finding.status is Status.NOT_MET


class TestPerKilogram:
    """An absolute dose is divided by the weight, exactly, for a per-kg limit."""

    @pytest.mark.parametrize(
        ("dose", "weight", "status", "requested"),
        [
            (Quantity("48000000", "[iU]"), Quantity("80", "kg"), Status.MET, "600000"),
            (Quantity("48000001", "[iU]"), Quantity("80", "kg"), Status.NOT_MET, "600000.0125"),
            (Quantity("48", "10*6.[iU]"), Quantity("80000", "g"), Status.MET, "600000"),
            (Quantity("2.96", "mg"), Quantity("80", "kg"), Status.MET, "0.037"),
            (Quantity("2.961", "mg"), Quantity("80", "kg"), Status.NOT_MET, "0.0370125"),
            (
                Quantity("27215542.2", "[iU]"),
                Quantity("100", "[lb_av]"),
                Status.MET,
                "600000",
            ),
        ],
    )
    def test_evaluate(
        self, dose: Quantity, weight: Quantity, status: Status, requested: str
    ) -> None:
        finding = IV_DOSE.evaluate(dosed(dose, weight=weight))
        assert finding.status is status
        assert finding.requested is not None
        assert finding.requested.value == Decimal(requested)
        assert finding.note == (
            f"{dose.display()} ÷ {weight.display()} = {finding.requested.display()}"
        )
        (derived,) = finding.facts
        assert derived.name == "regimen.dose_per_kg"
        assert [f.name for f in derived.inputs] == ["regimen.dose", "patient.weight"]

    @given(
        st.integers(1, 10**9),
        st.decimals(min_value=Decimal("1"), max_value=Decimal("300"), places=2),
    )
    def test_exact_boundary(self, extra: int, kg: Decimal) -> None:
        limit = Fraction(600000) * Fraction(kg)
        at = Quantity(Decimal(limit.numerator) / Decimal(limit.denominator), "[iU]")
        assert IV_DOSE.evaluate(dosed(at, weight=Quantity(kg, "kg"))).status is Status.MET
        over = Quantity(at.value + Decimal(extra) / 10**9, "[iU]")
        assert IV_DOSE.evaluate(dosed(over, weight=Quantity(kg, "kg"))).status is Status.NOT_MET

    def test_missing_weight_is_unknown(self) -> None:
        finding = IV_DOSE.evaluate(dosed(Quantity("1", "[iU]")))
        assert finding.status is Status.UNKNOWN
        assert finding.requested is None
        assert finding.limit == Quantity("600000", "[iU]/kg")
        (derived,) = finding.facts
        assert derived.value is None
        assert [(f.name, f.value) for f in derived.inputs] == [
            ("regimen.dose", Quantity("1", "[iU]")),
            ("patient.weight", None),
        ]

    def test_huge_valid_values_do_not_crash(self) -> None:
        finding = IV_DOSE.evaluate(dosed(Quantity("1e12", "mg"), weight=Quantity("1e-12", "g")))
        assert finding.status is Status.NOT_MET
        assert finding.requested == Quantity("1e27", "mg/kg")


class TestPerSquareMetre:
    """A dose is divided by the body surface area: given, or Mosteller compared squared."""

    def test_given_bsa(self) -> None:
        facts = dosed(Quantity("1850000", "[iU]"), bsa=Quantity("1.85", "m2"))
        finding = GVHD_DOSE.evaluate(facts)
        assert finding.status is Status.MET
        assert finding.requested == Quantity("1", "10*6.[iU]/m2")

    @pytest.mark.parametrize(
        ("dose", "status"), [("2000000", Status.MET), ("2000000.000001", Status.NOT_MET)]
    )
    def test_mosteller_exact_square(self, dose: str, status: Status) -> None:
        # 144 cm × 100 kg / 3600 = 4, so the BSA is exactly 2 m².
        facts = dosed(
            Quantity(dose, "[iU]"), height=Quantity("144", "cm"), weight=Quantity("100", "kg")
        )
        finding = GVHD_DOSE.evaluate(facts)
        assert finding.status is status
        bsa = facts["patient.body_surface_area"]
        assert bsa.value == Quantity("2", "m2")
        assert bsa.exact_square == 4

    @given(st.integers(100, 220), st.integers(30, 150), st.integers(-1, 1))
    def test_mosteller_irrational_bsa_boundary(self, cm: int, kg: int, nudge: int) -> None:
        """Just under, at or over the limit: decided by squares, never by rounding."""
        square = Fraction(cm * kg, 3600)

        def facts_for(dose: Decimal) -> FactBook:
            return dosed(
                Quantity(dose, "[iU]"), height=Quantity(cm, "cm"), weight=Quantity(kg, "kg")
            )

        root = Decimal(square.numerator / square.denominator).sqrt() * 10**6
        dose = root.quantize(Decimal(1)) + nudge
        expected = Status.of(Fraction(dose) ** 2 <= square * 10**12)
        assert GVHD_DOSE.evaluate(facts_for(dose)).status is expected

    def test_tiny_bsa_does_not_divide_by_zero(self) -> None:
        facts = dosed(
            Quantity("1", "[iU]"), height=Quantity("1e-6", "cm"), weight=Quantity("1e-6", "kg")
        )
        assert facts["patient.body_surface_area"].value == Quantity("0", "m2")
        finding = GVHD_DOSE.evaluate(facts)
        assert finding.status is Status.NOT_MET
        assert finding.requested == Quantity("60", "10*6.[iU]/m2")

    def test_missing_height_is_unknown(self) -> None:
        facts = dosed(Quantity("1", "[iU]"), weight=Quantity("80", "kg"))
        finding = GVHD_DOSE.evaluate(facts)
        assert finding.status is Status.UNKNOWN
        assert finding.facts[0].name == "regimen.dose_per_m2"


class TestIncomparable:
    """A dose in a unit the limit cannot be compared with is not met, with a note."""

    @pytest.mark.parametrize(
        ("check", "dose", "units"),
        [
            (IV_DOSE, Quantity("1", "[iU]/m2"), "[iU]/kg or mg/kg"),
            (IV_DOSE, Quantity("1", "[iU]/{lesion}"), "[iU]/kg or mg/kg"),
            (GVHD_DOSE, Quantity("1", "mg/kg"), "10*6.[iU]/m2"),
            (GVHD_DOSE, Quantity("1", "mg"), "10*6.[iU]/m2"),
            (
                AtMost("regimen.dose", Quantity("6", "10*6.[iU]/{lesion}")),
                Quantity("1", "[iU]"),
                "10*6.[iU]/{lesion}",
            ),
        ],
    )
    def test_not_met_with_note(self, check: AtMost, dose: Quantity, units: str) -> None:
        finding = check.evaluate(dosed(dose, weight=Quantity("80", "kg")))
        assert finding.status is Status.NOT_MET
        assert finding.note == (
            f"{dose.unit.code} cannot be compared with a limit in {units}: "
            "outside the established dosing"
        )
        assert finding.requested == dose
        assert finding.limit == check.limits[0]
