"""The fact catalog: how each fact is read or derived, and shown to reviewers."""

from __future__ import annotations

import datetime as dt
import operator
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from umpolicy import (
    FACTS,
    Diagnosis,
    Fact,
    FactBook,
    Lesion,
    LesionSite,
    LesionStatus,
    Patient,
    Physician,
    Quantity,
    Request,
    Specialty,
    Therapy,
)
from umpolicy.facts import READERS, SOURCES, age_in_years, display_value

from .engine_strategies import requests
from .strategies import replace

DATE = dt.date(2026, 3, 2)


class TestCatalog:
    """Every catalogued fact has a reader and every derived fact's inputs are catalogued."""

    def test_readers_cover_the_catalog(self) -> None:
        derived_only_in_checks = {"regimen.dose_per_kg", "regimen.dose_per_m2"}
        assert set(READERS) | derived_only_in_checks >= set(FACTS) - {
            "diagnosis.lesions",
            "therapy.prior_systemic",
            "therapy.concomitant_anticancer",
        }

    def test_every_fact_names_the_request_attributes_it_comes_from(self) -> None:
        """A derived fact comes from what its inputs come from."""
        assert set(SOURCES) == set(FACTS)
        for spec in FACTS.values():
            if spec.derived:
                expected = {path for name in spec.inputs for path in SOURCES[name]}
                assert set(SOURCES[spec.name]) == expected, spec.name

    @given(requests(), requests())
    def test_a_fact_is_a_function_of_its_sources_alone(self, one: Request, other: Request) -> None:
        """What is kept by these attributes (see ``umpolicy.program``) is the same fact."""
        for name, reader in READERS.items():
            mixed = other
            for path in SOURCES[name]:
                mixed = replace(mixed, path, operator.attrgetter(path)(one))
            assert reader(FactBook(mixed)) == reader(FactBook(one)), name

    def test_inputs_are_catalogued(self) -> None:
        for spec in FACTS.values():
            assert set(spec.inputs) <= set(FACTS), spec.name
            assert spec.derived is bool(spec.inputs)


class TestAge:
    """Age is whole years on the request date, turning at each birthday."""

    @pytest.mark.parametrize(
        ("birth", "on", "years"),
        [
            ("2008-03-02", "2026-03-02", 18),
            ("2008-03-03", "2026-03-02", 17),
            ("2008-02-29", "2026-02-28", 17),
            ("2008-02-29", "2026-03-01", 18),
            ("2026-03-02", "2026-03-02", 0),
        ],
    )
    def test_table(self, birth: str, on: str, years: int) -> None:
        assert age_in_years(dt.date.fromisoformat(birth), dt.date.fromisoformat(on)) == years

    @given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)), st.integers(0, 120))
    def test_monotone_and_exact(self, birth: dt.date, days: int) -> None:
        on = birth + dt.timedelta(days=days * 365)
        age = age_in_years(birth, on)
        assert age_in_years(birth, on + dt.timedelta(days=1)) in (age, age + 1)
        assert age in (days, days - 1, days - 2) or days == 0

    def test_fact_with_inputs(self) -> None:
        book = FactBook(Request(DATE, patient=Patient(dt.date(2000, 3, 3))))
        age = book["patient.age"]
        assert age.value == Quantity("25", "a")
        assert [f.name for f in age.inputs] == ["patient.birth_date", "request.date"]
        missing = FactBook(Request(DATE))["patient.age"]
        assert missing.missing


class TestDerived:
    """Derived facts keep their inputs; missing inputs leave them missing."""

    def test_bsa_given_wins(self) -> None:
        book = FactBook(
            Request(DATE, patient=Patient(bsa=Quantity("1.9", "m2"), weight=Quantity("1", "kg")))
        )
        fact = book["patient.body_surface_area"]
        assert (fact.value, fact.method, fact.exact_square) == (
            Quantity("1.9", "m2"),
            "as given",
            None,
        )

    def test_mosteller(self) -> None:
        patient = Patient(weight=Quantity("154", "[lb_av]"), height=Quantity("70", "[in_i]"))
        fact = FactBook(Request(DATE, patient=patient))["patient.body_surface_area"]
        square = Fraction("177.8") * Fraction("69.85322498") / 3600
        assert fact.exact_square == square
        assert fact.value == Quantity("1.8574", "m2")

    def test_mosteller_missing(self) -> None:
        fact = FactBook(Request(DATE, patient=Patient(weight=Quantity("70", "kg"))))[
            "patient.body_surface_area"
        ]
        assert fact.value is None
        assert [f.name for f in fact.inputs] == ["patient.bsa", "patient.height", "patient.weight"]

    @pytest.mark.parametrize(
        ("lesions", "value", "shown"),
        [
            (None, None, None),
            ((), False, "none"),
            (((LesionSite.NODAL, LesionStatus.RECURRENT),), True, "recurrent nodal"),
            (
                (
                    (LesionSite.CUTANEOUS, LesionStatus.METASTATIC),
                    (LesionSite.VISCERAL, LesionStatus.METASTATIC),
                ),
                False,
                "metastatic cutaneous, metastatic visceral",
            ),
            (((LesionSite.SUBCUTANEOUS, LesionStatus.OTHER),), False, "other subcutaneous"),
        ],
    )
    def test_lesions(
        self,
        lesions: tuple[tuple[LesionSite, LesionStatus], ...] | None,
        value: bool | None,
        shown: str | None,
    ) -> None:
        given = None if lesions is None else tuple(Lesion(*each) for each in lesions)
        fact = FactBook(Request(DATE, diagnosis=Diagnosis(lesions=given)))[
            "diagnosis.lesions_injectable"
        ]
        assert fact.value is value
        assert fact.inputs[0].value == shown

    @pytest.mark.parametrize(
        ("names", "count", "shown"),
        [
            (None, None, None),
            ((), Quantity(0, "{therapy}"), "none"),
            (("a", "b"), Quantity(2, "{therapy}"), "a, b"),
        ],
    )
    def test_prior_and_single_agent(
        self, names: tuple[str, ...] | None, count: Quantity | None, shown: str | None
    ) -> None:
        book = FactBook(Request(DATE, therapy=Therapy(names, names)))
        prior = book["therapy.prior_systemic_count"]
        assert prior.value == count
        assert prior.inputs[0].value == shown
        single = book["therapy.single_agent"]
        assert single.value is (None if names is None else not names)

    @pytest.mark.parametrize(
        ("consultants", "shown", "specialties", "center"),
        [
            (None, None, None, None),
            ((), "none", frozenset(), False),
            (
                (Physician(Specialty.ONCOLOGY, True), Physician(None, None)),
                "oncology, transplant center; specialty missing",
                frozenset({"oncology"}),
                True,
            ),
            ((Physician(Specialty.OTHER, None),), "other", frozenset({"other"}), None),
            ((Physician(Specialty.OTHER, False),), "other", frozenset({"other"}), False),
        ],
    )
    def test_consultants(
        self,
        consultants: tuple[Physician, ...] | None,
        shown: str | None,
        specialties: frozenset[str] | None,
        center: bool | None,
    ) -> None:
        book = FactBook(Request(DATE, consultants=consultants))
        assert book["consultants"].value == shown
        assert book["consultants.specialties"].value == specialties
        partial = consultants is not None and any(c.specialty is None for c in consultants)
        assert book["consultants.specialties"].partial is partial
        assert book["consultants.transplant_center"].value is center

    def test_book_reads_once_in_catalog_order(self) -> None:
        book = FactBook(Request(DATE))
        first = book["regimen.route"]
        book["request.date"]
        assert book["regimen.route"] is first
        assert [f.name for f in book.read()] == ["request.date", "regimen.route"]


class TestDisplay:
    """Fact values are shown as reviewers read them."""

    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (None, "missing"),
            (True, "yes"),
            (False, "no"),
            (Quantity("600000", "[iU]/kg"), "600,000 International Units/kg"),
            (frozenset({"b", "a"}), "a, b"),
            (frozenset(), "none"),
            (dt.date(2026, 3, 2), "2026-03-02"),
            ("oncology", "oncology"),
        ],
    )
    def test_table(self, value: object, text: str) -> None:
        assert display_value(value) == text  # type: ignore[arg-type]
        assert Fact("x", value).display() == text  # type: ignore[arg-type]
