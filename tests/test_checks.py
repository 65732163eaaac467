"""The typed checks: what each reads, says and finds for a request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from umpolicy import (
    AtLeast,
    AtMost,
    Both,
    Coding,
    Either,
    Includes,
    IsTrue,
    LessThan,
    Medication,
    Not,
    OneOf,
    Patient,
    Practitioner,
    Quantity,
    Request,
    Status,
    ValueSet,
)
from umpolicy.dsl import checks
from umpolicy.dsl.findings import Finding
from umpolicy.engine.book import FactBook
from umpolicy.engine.catalog import readers
from umpolicy_policies.proleukin import POLICY

DATE = dt.date(2026, 3, 2)
IV_DOSE = AtMost("medication.dose", Quantity("600000", "[iU]/kg"), Quantity("0.037", "mg/kg"))
GVHD_DOSE = AtMost("medication.dose", Quantity("1", "10*6.[iU]/m2"))
#: An absolute cap, as a policy words "no more than 1,000 mg per dose".
CAP = AtMost("medication.dose", Quantity("1000", "mg"))
IU_CAP = AtMost("medication.dose", Quantity("2", "10*6.[iU]"))
ONCOLOGY = ValueSet("oncology", "Oncologist", "NUCC taxonomy", codes=("207RX0202X",))
DERMATOLOGY = ValueSet("dermatology", "Dermatologist", "NUCC taxonomy", codes=("207N00000X",))


def book(
    *,
    patient: Patient | None = None,
    medication: Medication | None = None,
    consultants: tuple[Practitioner, ...] | None = None,
    prescriber: Practitioner | None = None,
    answers: dict[str, Any] | None = None,
) -> FactBook:
    request = Request(
        DATE,
        patient=patient or Patient(),
        medication=medication or Medication(),
        prescriber=prescriber or Practitioner(),
        consultants=consultants,
    )
    return FactBook(readers(POLICY), request, answers or {})


def dosed(dose: Quantity, **patient: Quantity) -> FactBook:
    return book(patient=Patient(**patient), medication=Medication(dose=dose))  # type: ignore[arg-type]


class TestIsTrue:
    """Met for yes, not met for no, unknown when missing."""

    @pytest.mark.parametrize(
        ("value", "status"),
        [(True, Status.MET), (False, Status.NOT_MET), (None, Status.UNKNOWN)],
    )
    def test_evaluate(self, value: bool | None, status: Status) -> None:
        check = IsTrue("answers.melanoma_metastatic")
        facts = book(answers={} if value is None else {"melanoma_metastatic": value})
        finding = check.evaluate(facts)
        assert finding.status is status
        assert check.describe() == "answers.melanoma_metastatic is yes"
        assert finding.facts == ("answers.melanoma_metastatic",)
        assert facts["answers.melanoma_metastatic"].value is value
        assert check.facts() == ("answers.melanoma_metastatic",)


class TestOneOf:
    """Met when the code fact is one of the values (a tuple of codes, or a value set)."""

    @pytest.mark.parametrize(
        ("route", "status"),
        [
            ("47625008", Status.MET),
            ("34206005", Status.MET),
            ("372464004", Status.NOT_MET),
            (None, Status.UNKNOWN),
        ],
    )
    def test_evaluate(self, route: str | None, status: Status) -> None:
        check = OneOf("medication.route", ("47625008", "34206005"))
        coding = None if route is None else Coding(route)
        assert check.evaluate(book(medication=Medication(route=coding))).status is status
        assert check.describe() == "medication.route is 47625008 or 34206005"
        assert check.facts() == ("medication.route",)

    def test_value_set(self) -> None:
        check = OneOf("medication.route", POLICY.value_sets[6])
        assert check.describe() == "medication.route is Intravenous (SNOMED CT 47625008)"
        iv = book(medication=Medication(route=Coding("47625008")))
        assert check.evaluate(iv).status is Status.MET

    @pytest.mark.parametrize(
        ("code", "status"),
        [("L04AB04", Status.MET), ("L04A", Status.UNKNOWN), ("L04AX", Status.NOT_MET)],
    )
    def test_a_group_code_that_may_be_one_is_unknown(self, code: str, status: Status) -> None:
        check = OneOf("medication.code", ValueSet("b", "B", "ATC", prefixes=("L04AB",)))
        assert check.evaluate(book(medication=Medication(code=code))).status is status


class TestIncludes:
    """Met when the set fact includes any value; unknown when the set is unknown or partial."""

    @pytest.mark.parametrize(
        ("consultants", "status"),
        [
            ((Practitioner(("207RX0202X",)),), Status.MET),
            ((Practitioner(("207Q00000X",)), Practitioner(("207N00000X",))), Status.MET),
            ((Practitioner(("207Q00000X",)),), Status.NOT_MET),
            ((), Status.NOT_MET),
            (None, Status.UNKNOWN),
            ((Practitioner(None),), Status.UNKNOWN),
            ((Practitioner(None), Practitioner(("207N00000X",))), Status.MET),
        ],
    )
    def test_evaluate(self, consultants: tuple[Practitioner, ...] | None, status: Status) -> None:
        check = Includes("consultants.specialties", ("207RX0202X", "207N00000X"))
        assert check.evaluate(book(consultants=consultants)).status is status
        assert check.describe() == "consultants.specialties include 207RX0202X or 207N00000X"
        assert check.facts() == ("consultants.specialties",)

    def test_value_set(self) -> None:
        check = Includes("prescriber.specialties", ONCOLOGY)
        assert (
            check.describe()
            == "prescriber.specialties include Oncologist (NUCC taxonomy 207RX0202X)"
        )
        met = book(prescriber=Practitioner(("207RX0202X", "207Q00000X")))
        assert check.evaluate(met).status is Status.MET
        assert check.evaluate(book(prescriber=Practitioner(()))).status is Status.NOT_MET
        assert check.evaluate(book()).status is Status.UNKNOWN

    @pytest.mark.parametrize(
        ("codes", "status"),
        [
            (("D89.8",), Status.UNKNOWN),  # graft-versus-host disease, or another disorder
            (("D89.8", "D89.811"), Status.MET),
            (("D89.811", "D89.8"), Status.MET),
            (("D89.8", "I10"), Status.UNKNOWN),
            (("D89.89", "I10"), Status.NOT_MET),
        ],
    )
    def test_a_group_code_that_may_be_one_is_unknown(
        self, codes: tuple[str, ...], status: Status
    ) -> None:
        check = Includes("diagnoses", ValueSet("g", "G", "ICD-10-CM", prefixes=("D89.81",)))
        request = Request(DATE, diagnoses=tuple(map(Coding, codes)))
        assert check.evaluate(FactBook(readers(POLICY), request, {})).status is status


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
        check = Either(
            IsTrue("answers.melanoma_metastatic"), IsTrue("answers.melanoma_unresectable")
        )
        given = {"melanoma_metastatic": metastatic, "melanoma_unresectable": unresectable}
        answers = {key: value for key, value in given.items() if value is not None}
        finding = check.evaluate(book(answers=answers))
        assert finding.status is status
        assert finding.facts == ("answers.melanoma_metastatic", "answers.melanoma_unresectable")
        assert (
            check.describe()
            == "answers.melanoma_metastatic is yes or answers.melanoma_unresectable is yes"
        )
        assert check.facts() == ("answers.melanoma_metastatic", "answers.melanoma_unresectable")

    @pytest.mark.parametrize(
        ("frequency", "metastatic", "status"),
        [("4", False, Status.NOT_MET), ("3", False, Status.MET), ("4", True, Status.MET)],
    )
    def test_a_limit_among_the_alternatives(
        self, frequency: str, metastatic: bool, status: Status
    ) -> None:
        """A limit's finding (per request) and a yes/no one's combine as well."""
        check = Either(
            AtMost("medication.frequency", Quantity("3", "/d")),
            IsTrue("answers.melanoma_metastatic"),
        )
        medication = Medication(frequency=Quantity(frequency, "/d"))
        finding = check.evaluate(
            book(medication=medication, answers={"melanoma_metastatic": metastatic})
        )
        assert finding.status is status
        assert finding.facts == ("medication.frequency", "answers.melanoma_metastatic")

    @pytest.mark.parametrize("value", [True, False, None])
    def test_one_alternative_is_that_check(self, value: bool | None) -> None:
        facts = book(answers={} if value is None else {"melanoma_metastatic": value})
        alone = IsTrue("answers.melanoma_metastatic").evaluate(facts)
        assert Either(IsTrue("answers.melanoma_metastatic")).evaluate(facts) == alone

    @pytest.mark.parametrize(("frequency", "status"), [("3", Status.MET), ("4", Status.NOT_MET)])
    def test_one_limit_alone_is_that_limit(self, frequency: str, status: Status) -> None:
        """An ``Either`` of one limit, and its negation, compare as the limit does."""
        limit = AtMost("medication.frequency", Quantity("3", "/d"))
        facts = book(medication=Medication(frequency=Quantity(frequency, "/d")))
        assert Either(limit).evaluate(facts).status is status
        assert Not(Either(limit)).evaluate(facts).status is ~status

    def test_no_alternative_is_never_met(self) -> None:
        assert Either().evaluate(book()) == Finding(Status.NOT_MET, ())

    def test_repr_rebuilds(self) -> None:
        check = Either(IsTrue("a"), OneOf("b", ("x",)))
        assert repr(check) == "Either(IsTrue(fact='a'), OneOf(fact='b', values=('x',)))"
        assert eval(repr(check)) == check


class TestBoth:
    """Kleene and across its checks, keeping every fact read: one person's two facts."""

    @pytest.mark.parametrize(
        ("metastatic", "unresectable", "status"),
        [
            (True, True, Status.MET),
            (True, False, Status.NOT_MET),
            (None, False, Status.NOT_MET),
            (True, None, Status.UNKNOWN),
            (None, None, Status.UNKNOWN),
        ],
    )
    def test_evaluate(
        self, metastatic: bool | None, unresectable: bool | None, status: Status
    ) -> None:
        check = Both(IsTrue("answers.melanoma_metastatic"), IsTrue("answers.melanoma_unresectable"))
        given = {"melanoma_metastatic": metastatic, "melanoma_unresectable": unresectable}
        answers = {key: value for key, value in given.items() if value is not None}
        finding = check.evaluate(book(answers=answers))
        assert finding.status is status
        assert finding.facts == ("answers.melanoma_metastatic", "answers.melanoma_unresectable")
        assert (
            check.describe()
            == "answers.melanoma_metastatic is yes and answers.melanoma_unresectable is yes"
        )
        assert check.facts() == ("answers.melanoma_metastatic", "answers.melanoma_unresectable")

    @pytest.mark.parametrize(
        ("frequency", "metastatic", "status"),
        [("4", True, Status.NOT_MET), ("3", False, Status.NOT_MET), ("3", True, Status.MET)],
    )
    def test_a_limit_among_the_checks(
        self, frequency: str, metastatic: bool, status: Status
    ) -> None:
        """A limit's finding (per request) and a yes/no one's combine as well."""
        check = Both(
            AtMost("medication.frequency", Quantity("3", "/d")),
            IsTrue("answers.melanoma_metastatic"),
        )
        medication = Medication(frequency=Quantity(frequency, "/d"))
        finding = check.evaluate(
            book(medication=medication, answers={"melanoma_metastatic": metastatic})
        )
        assert finding.status is status
        assert finding.facts == ("medication.frequency", "answers.melanoma_metastatic")

    def test_no_check_is_refused(self) -> None:
        """The "all" of none would be met: an approval resting on nothing."""
        with pytest.raises(ValueError, match="at least one check"):
            Both()

    def test_repr_rebuilds(self) -> None:
        check = Both(IsTrue("a"), OneOf("b", ("x",)))
        assert repr(check) == "Both(IsTrue(fact='a'), OneOf(fact='b', values=('x',)))"
        assert eval(repr(check)) == check


class TestNot:
    """Kleene negation: met and not met swap, unknown stays unknown."""

    @pytest.mark.parametrize(
        ("value", "status"),
        [(True, Status.NOT_MET), (False, Status.MET), (None, Status.UNKNOWN)],
    )
    def test_evaluate(self, value: bool | None, status: Status) -> None:
        check = Not(IsTrue("answers.melanoma_metastatic"))
        answers = {} if value is None else {"melanoma_metastatic": value}
        finding = check.evaluate(book(answers=answers))
        assert finding.status is status
        assert finding.facts == ("answers.melanoma_metastatic",)
        assert check.facts() == ("answers.melanoma_metastatic",)
        assert check.describe() == "not (answers.melanoma_metastatic is yes)"

    def test_keeps_the_comparison(self) -> None:
        check = Not(AtMost("medication.frequency", Quantity("3", "/d")))
        finding = check.evaluate(book(medication=Medication(frequency=Quantity("4", "/d"))))
        assert finding.status is Status.MET
        assert (finding.requested, finding.limit) == (Quantity("4", "/d"), Quantity("3", "/d"))

    def test_twice_is_the_check(self) -> None:
        for value in (True, False, None):
            answers = {} if value is None else {"melanoma_metastatic": value}
            facts = book(answers=answers)
            once = IsTrue("answers.melanoma_metastatic").evaluate(facts).status
            assert Not(Not(IsTrue("answers.melanoma_metastatic"))).evaluate(facts).status is once


class TestBoundsSameDimension:
    """AtMost and AtLeast are inclusive, LessThan strict: exact across units of a dimension."""

    @pytest.mark.parametrize(
        ("frequency", "at_most", "at_least", "less_than"),
        [
            (Quantity("3", "/d"), Status.MET, Status.MET, Status.NOT_MET),
            (Quantity("21", "/wk"), Status.MET, Status.MET, Status.NOT_MET),
            (Quantity("22", "/wk"), Status.NOT_MET, Status.MET, Status.NOT_MET),
            (Quantity("0.125", "/h"), Status.MET, Status.MET, Status.NOT_MET),
            (Quantity("0.126", "/h"), Status.NOT_MET, Status.MET, Status.NOT_MET),
            (Quantity("2.999", "/d"), Status.MET, Status.NOT_MET, Status.MET),
            (Quantity("20.999", "/wk"), Status.MET, Status.NOT_MET, Status.MET),
        ],
    )
    def test_frequency(
        self, frequency: Quantity, at_most: Status, at_least: Status, less_than: Status
    ) -> None:
        facts = book(medication=Medication(frequency=frequency))
        limit = Quantity("3", "/d")
        most = AtMost("medication.frequency", limit).evaluate(facts)
        least = AtLeast("medication.frequency", limit).evaluate(facts)
        less = LessThan("medication.frequency", limit).evaluate(facts)
        assert (most.status, least.status, less.status) == (at_most, at_least, less_than)
        assert most.requested == frequency
        assert most.limit == limit
        assert most.note is None

    @pytest.mark.parametrize("check", [AtMost, AtLeast, LessThan])
    def test_missing_is_unknown(self, check: type[AtMost]) -> None:
        finding = check("medication.frequency", Quantity("3", "/d")).evaluate(book())
        assert finding.status is Status.UNKNOWN
        assert finding.requested is None

    def test_describe_and_facts(self) -> None:
        assert IV_DOSE.describe() == (
            "medication.dose ≤ 600,000 International Units/kg (or 0.037 mg/kg)"
        )
        assert AtLeast(
            "medication.schedule.rest_before_course", Quantity("7", "wk")
        ).describe() == ("medication.schedule.rest_before_course ≥ 7 weeks")
        assert LessThan("patient.weight", Quantity("40", "kg")).describe() == (
            "patient.weight < 40 kg"
        )
        assert IV_DOSE.facts() == ("medication.dose", "patient.weight")
        assert GVHD_DOSE.facts() == ("medication.dose", "patient.body_surface_area")
        assert AtMost("medication.frequency", Quantity("3", "/d")).facts() == (
            "medication.frequency",
        )

    def test_repr_rebuilds(self) -> None:
        check = LessThan("patient.weight", Quantity("40", "kg"))
        assert repr(check) == "LessThan('patient.weight', Quantity('40', 'kg'))"
        assert eval(repr(check)) == check

    def test_alternative_limit_in_matching_unit(self) -> None:
        finding = IV_DOSE.evaluate(dosed(Quantity("0.037", "mg/kg")))
        assert finding.status is Status.MET
        assert finding.limit == Quantity("0.037", "mg/kg")
        finding = IV_DOSE.evaluate(dosed(Quantity("0.0371", "mg/kg")))
        assert finding.status is Status.NOT_MET


class TestLessThan:
    """LessThan is strict at the limit itself, and exact just under it, in any unit."""

    @given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("200"), places=3))
    def test_weight(self, kg: Decimal) -> None:
        check = LessThan("patient.weight", Quantity("40", "kg"))
        in_g = book(patient=Patient(weight=Quantity(kg * 1000, "g")))
        assert check.evaluate(in_g).status is Status.of(kg < 40)

    def test_per_kg_limit_divides(self) -> None:
        check = LessThan("medication.dose", Quantity("600000", "[iU]/kg"))
        at = dosed(Quantity("48000000", "[iU]"), weight=Quantity("80", "kg"))
        under = dosed(Quantity("47999999", "[iU]"), weight=Quantity("80", "kg"))
        assert check.evaluate(at).status is Status.NOT_MET
        assert check.evaluate(under).status is Status.MET


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
        facts = dosed(dose, weight=weight)
        finding = IV_DOSE.evaluate(facts)
        assert finding.status is status
        assert finding.requested is not None
        assert finding.requested.value == Decimal(requested)
        assert finding.note == (
            f"{dose.display()} ÷ {weight.display()} = {finding.requested.display()}"
        )
        assert finding.facts == ("medication.dose_per_kg",)
        derived = facts["medication.dose_per_kg"]
        assert derived.inputs == ("medication.dose", "patient.weight")
        assert derived.value == finding.requested

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
        facts = dosed(Quantity("1", "[iU]"))
        finding = IV_DOSE.evaluate(facts)
        assert finding.status is Status.UNKNOWN
        assert finding.requested is None
        assert finding.limit == Quantity("600000", "[iU]/kg")
        assert finding.facts == ("medication.dose_per_kg",)
        derived = facts["medication.dose_per_kg"]
        assert derived.value is None
        assert [(name, facts[name].value) for name in derived.inputs] == [
            ("medication.dose", Quantity("1", "[iU]")),
            ("patient.weight", None),
        ]

    def test_huge_valid_values_do_not_crash(self) -> None:
        finding = IV_DOSE.evaluate(dosed(Quantity("1e12", "mg"), weight=Quantity("1e-12", "g")))
        assert finding.status is Status.NOT_MET
        assert finding.requested == Quantity("1e27", "mg/kg")


class TestPerKilogramTimesWeight:
    """A per-kg dose is multiplied by the weight, exactly, for an absolute cap."""

    @pytest.mark.parametrize(
        ("dose", "weight", "status", "requested"),
        [
            (Quantity("12.5", "mg/kg"), Quantity("80", "kg"), Status.MET, "1000"),
            (Quantity("12.5000001", "mg/kg"), Quantity("80", "kg"), Status.NOT_MET, "1000.000008"),
            (Quantity("10", "mg/kg"), Quantity("80000", "g"), Status.MET, "800"),
            (Quantity("0.0125", "g/kg"), Quantity("80", "kg"), Status.MET, "1000"),
            # Shown as 1,000 mg to 10 places either way; compared exactly, one is under, one over.
            (
                Quantity("20", "mg/kg"),
                Quantity("110.23113109243879", "[lb_av]"),
                Status.MET,
                "1000",
            ),
            (
                Quantity("20", "mg/kg"),
                Quantity("110.2311310924388", "[lb_av]"),
                Status.NOT_MET,
                "1000",
            ),
        ],
    )
    def test_evaluate(
        self, dose: Quantity, weight: Quantity, status: Status, requested: str
    ) -> None:
        facts = dosed(dose, weight=weight)
        finding = CAP.evaluate(facts)
        assert finding.requested is not None
        assert finding.requested.unit.code == "mg"
        assert abs(finding.requested.value - Decimal(requested)) < Decimal("1e-6")
        assert finding.status is status
        assert finding.note == (
            f"{dose.display()} × {weight.display()} = {finding.requested.display()}"
        )
        assert finding.facts == ("medication.dose_total",)
        total = facts["medication.dose_total"]
        assert total.inputs == ("medication.dose", "patient.weight")
        assert total.value == finding.requested

    @given(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50"), places=2),
        st.decimals(min_value=Decimal("1"), max_value=Decimal("300"), places=2),
    )
    def test_exact(self, per_kg: Decimal, kg: Decimal) -> None:
        finding = CAP.evaluate(dosed(Quantity(per_kg, "mg/kg"), weight=Quantity(kg, "kg")))
        assert finding.status is Status.of(per_kg * kg <= 1000)

    def test_missing_weight_is_unknown(self) -> None:
        facts = dosed(Quantity("10", "mg/kg"))
        finding = CAP.evaluate(facts)
        assert finding.status is Status.UNKNOWN
        assert finding.facts == ("medication.dose_total",)
        assert finding.limit == Quantity("1000", "mg")
        assert facts["medication.dose_total"].value is None

    def test_per_m2_dose_by_given_bsa(self) -> None:
        facts = dosed(Quantity("1", "10*6.[iU]/m2"), bsa=Quantity("1.5", "m2"))
        finding = IU_CAP.evaluate(facts)
        assert finding.status is Status.MET
        assert finding.requested == Quantity("1.5", "10*6.[iU]")
        assert finding.note is not None
        assert "by squares" not in finding.note

    @pytest.mark.parametrize(("dose", "status"), [("1", Status.MET), ("1.000001", Status.NOT_MET)])
    def test_per_m2_dose_by_mosteller_squares(self, dose: str, status: Status) -> None:
        # 144 cm × 100 kg / 3600 = 4: the BSA is exactly 2 m², so 1 million IU/m² is 2 million.
        facts = dosed(
            Quantity(dose, "10*6.[iU]/m2"),
            height=Quantity("144", "cm"),
            weight=Quantity("100", "kg"),
        )
        finding = IU_CAP.evaluate(facts)
        assert finding.status is status
        assert finding.note is not None
        assert finding.note.endswith("(compared exactly, by squares)")
        assert facts["medication.dose_total"].inputs == (
            "medication.dose",
            "patient.body_surface_area",
        )

    @given(st.integers(100, 220), st.integers(30, 150), st.integers(-1, 1))
    def test_mosteller_irrational_boundary(self, cm: int, kg: int, nudge: int) -> None:
        """A per-m² dose times an irrational BSA is decided by squares, never by rounding."""
        square = Fraction(cm * kg, 3600)
        cap = AtMost("medication.dose", Quantity("1000000", "[iU]"))
        root = Decimal(square.numerator / square.denominator).sqrt()
        per_m2 = (Decimal(1_000_000) / root).quantize(Decimal(1)) + nudge
        facts = dosed(
            Quantity(per_m2, "[iU]/m2"), height=Quantity(cm, "cm"), weight=Quantity(kg, "kg")
        )
        expected = Status.of(Fraction(per_m2) ** 2 * square <= 10**12)
        assert cap.evaluate(facts).status is expected


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
        assert finding.facts == ("medication.dose_per_m2",)


class TestIncomparable:
    """A dose in a unit the limit cannot be compared with is not met, with a note."""

    @pytest.mark.parametrize(
        ("check", "dose", "units"),
        [
            (IV_DOSE, Quantity("1", "[iU]/m2"), "[iU]/kg or mg/kg"),
            (IV_DOSE, Quantity("1", "[iU]/{lesion}"), "[iU]/kg or mg/kg"),
            (GVHD_DOSE, Quantity("1", "mg/kg"), "10*6.[iU]/m2"),
            (GVHD_DOSE, Quantity("1", "mg"), "10*6.[iU]/m2"),
            (CAP, Quantity("1", "[iU]/kg"), "mg"),
            (CAP, Quantity("1", "[iU]"), "mg"),
            (
                AtMost("medication.dose", Quantity("6", "10*6.[iU]/{lesion}")),
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

    def test_many_units_one_limit(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """However many units a limit is asked about, each dose compares as it should."""
        monkeypatch.setattr(checks, "_WAYS", 1)
        check = AtMost("medication.dose", Quantity("1000", "mg"))
        weight = Quantity("80", "kg")
        for _ in range(2):
            apart = check.evaluate(dosed(Quantity("1", "[iU]"), weight=weight))
            per_kg = check.evaluate(dosed(Quantity("12.5", "mg/kg"), weight=weight))
            assert (apart.status, apart.requested) == (Status.NOT_MET, Quantity("1", "[iU]"))
            assert (per_kg.status, per_kg.requested) == (Status.MET, Quantity("1000", "mg"))

    def test_iu_and_mg_never_convert(self) -> None:
        """0.037 mg/kg and 600,000 IU/kg are alternatives: each dose meets only its own."""
        iu_only = AtMost("medication.dose", Quantity("600000", "[iU]/kg"))
        finding = iu_only.evaluate(dosed(Quantity("0.001", "mg/kg"), weight=Quantity("80", "kg")))
        assert finding.status is Status.NOT_MET
        assert finding.note is not None
        assert "cannot be compared" in finding.note
