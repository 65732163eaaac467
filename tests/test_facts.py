"""The facts: the shared vocabulary's readers, the reusable derived facts, and the catalog."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from umpolicy import (
    FACTS,
    Coding,
    Consulted,
    EveryItem,
    Fact,
    History,
    Medication,
    Patient,
    Practitioner,
    Quantity,
    Request,
    RequestKind,
    Schedule,
    Sex,
    Therapies,
    Therapy,
    TherapyCount,
    TherapyListed,
    TherapyOutcome,
    ValueSet,
)
from umpolicy.dsl.findings import display_value
from umpolicy.engine.book import FactBook
from umpolicy.engine.catalog import catalog, readers, with_inputs
from umpolicy.vocabulary.facts import READERS, _read, age_in_years
from umpolicy_policies.proleukin import POLICY

from .engine_strategies import requests

DATE = dt.date(2026, 3, 2)
ANTI_PD1 = ValueSet("anti-pd-1", "Anti-PD-1 antibodies", "ATC", codes=("L01FF01", "L01FF02"))
SYSTEMIC = ValueSet("systemic", "Systemic therapy", "ATC", prefixes=("L01", "L04"))
PEMBROLIZUMAB = Therapy("pembrolizumab", ("L01FF02",))
PREDNISONE = Therapy("prednisone", ("H02AB07",))


def book(request: Request, answers: dict[str, Any] | None = None) -> FactBook:
    """The facts of ``request`` under Proleukin (its questions and derived facts known)."""
    return FactBook(readers(POLICY), request, answers or {})


def history(prior: tuple[Therapy, ...] | None = None, **more: Any) -> FactBook:
    return book(Request(DATE, therapies=Therapies(prior=prior, **more)))


class TestCatalog:
    """Every vocabulary fact has a reader; every derived fact's inputs are catalogued."""

    def test_readers_cover_the_vocabulary(self) -> None:
        assert set(READERS) == set(FACTS)

    def test_inputs_are_catalogued(self) -> None:
        specs = catalog(POLICY)
        for spec in specs.values():
            assert set(spec.inputs) <= set(specs), spec.name
            assert spec.derived is bool(spec.inputs)

    def test_policy_catalog_adds_answers_and_derived_facts(self) -> None:
        specs = catalog(POLICY)
        assert specs["answers.melanoma_metastatic"].type == "boolean"
        assert specs["answers.lesions"].type == "list"
        assert specs["answers.melanoma_metastatic"].description == "Is the melanoma metastatic?"
        rcc = specs["answers.renal_cell_carcinoma_metastatic"]
        assert rcc.description == "Is the renal cell carcinoma metastatic?"
        assert specs["therapy.prior_systemic_count"].type == "quantity"
        assert specs["therapy.prior_systemic_count"].inputs == ("therapies.prior",)
        assert specs["therapy.concomitant_anticancer"].type == "boolean"
        assert specs["lesions_injectable"].inputs == ("answers.lesions",)
        # The facts a per-kg or per-m² limit derives are catalogued; the check derives them.
        assert set(specs) - set(readers(POLICY)) == {
            "medication.dose_per_kg",
            "medication.dose_per_m2",
        }
        assert specs["medication.dose_per_kg"].inputs == ("medication.dose", "patient.weight")
        assert specs["medication.dose_per_m2"].inputs == (
            "medication.dose",
            "patient.body_surface_area",
        )

    @pytest.mark.parametrize(
        ("kind", "expected"),
        [("boolean", "boolean"), ("choice", "code"), ("quantity", "quantity"), ("date", "date")],
    )
    def test_question_kinds(self, kind: str, expected: str) -> None:
        from umpolicy import AnswerType, Policy, Question

        question = Question("q", "Q?", AnswerType(kind), values=(("a", "A"),), units=("mg",))
        policy: Policy = _with_questions((question,))
        spec = catalog(policy)["answers.q"]
        assert spec.type == expected
        assert (spec.units, spec.values) == (("mg",), ("a",))

    def test_with_inputs_follows_derived_facts_down(self) -> None:
        names = with_inputs(POLICY, ("patient.age", "medication.dose", "lesions_injectable"))
        assert names == (
            "patient.age",
            "patient.birth_date",
            "request.date",
            "medication.dose",
            "lesions_injectable",
            "answers.lesions",
        )
        assert with_inputs(POLICY, ("medication.dose_per_kg",)) == (
            "medication.dose_per_kg",
            "medication.dose",
            "patient.weight",
        )
        assert with_inputs(POLICY, ("no.such.fact",)) == ("no.such.fact",)

    @given(requests())
    def test_every_reader_reads_any_valid_request(self, request: Request) -> None:
        facts = book(request, dict(request.answers.get("proleukin", {})))
        for name in readers(POLICY):
            fact = facts[name]
            assert fact.name == name
            assert isinstance(fact.display(), str)
            assert set(fact.inputs) <= set(facts.facts)


def _with_questions(questions: tuple[Any, ...]) -> Any:
    import attrs

    return attrs.evolve(POLICY, questions=questions, derived=())


class TestVocabularyReaders:
    """Each vocabulary fact is read from its place in the request, in the fact's terms."""

    def test_codes_are_shared_but_never_grow_without_bound(self) -> None:
        """A code read again is the same fact; a request of ever new codes is not kept."""
        read = _read("medication.code", "medication.code")  # its own, fresh

        def code(n: int) -> Fact:
            return read(book(Request(DATE, medication=Medication(code=f"X{n:04}"))))

        assert code(0) is code(0)
        for n in range(1, 200):
            code(n)
        assert code(199) == code(199)
        assert code(199) is not code(199)

    def test_codes_and_enums(self) -> None:
        request = Request(
            DATE,
            kind=RequestKind.CONTINUATION,
            patient=Patient(sex=Sex.FEMALE),
            diagnoses=(Coding("C43.9"), Coding("D89.811", "Chronic GVHD")),
            medication=Medication(code="L03AC01", route=Coding("47625008", "Intravenous")),
            prescriber=Practitioner(("207RX0202X",), ("transplant-center",)),
        )
        facts = book(request)
        assert facts["request.date"].value == DATE
        assert facts["request.kind"].value == "continuation"
        assert facts["patient.sex"].value == "female"
        assert facts["diagnoses"].value == frozenset({"C43.9", "D89.811"})
        assert facts["medication.code"].value == "L03AC01"
        assert facts["medication.route"].value == "47625008"
        assert facts["prescriber.specialties"].value == frozenset({"207RX0202X"})
        assert facts["prescriber.affiliations"].value == frozenset({"transplant-center"})

    def test_missing_is_none(self) -> None:
        facts = book(Request(DATE))
        for name in ("request.kind", "diagnoses", "medication.route", "medication.dose"):
            assert facts[name].missing, name
        assert facts["prescriber.specialties"].value is None

    def test_counts_carry_their_units(self) -> None:
        schedule = Schedule(doses_per_cycle=14, cycles_per_course=2, course_number=1)
        facts = book(Request(DATE, medication=Medication(schedule=schedule)))
        assert facts["medication.schedule.doses_per_cycle"].value == Quantity("14", "{dose}")
        assert facts["medication.schedule.cycles_per_course"].value == Quantity("2", "{cycle}")
        assert facts["medication.schedule.course_number"].value == Quantity("1", "{course}")
        assert facts["medication.schedule.rest_between_cycles"].value is None

    @pytest.mark.parametrize(
        ("therapies", "shown"),
        [
            (None, "missing"),
            ((), "none"),
            ((PEMBROLIZUMAB,), "pembrolizumab (L01FF02)"),
            (
                (
                    Therapy("nivolumab", ("L01FF01",), Quantity("6", "mo"), TherapyOutcome.FAILURE),
                    Therapy("something"),
                ),
                "nivolumab (L01FF01) for 6 months — failure; something",
            ),
        ],
    )
    def test_therapies_shown(self, therapies: tuple[Therapy, ...] | None, shown: str) -> None:
        assert history(therapies)["therapies.prior"].display() == shown

    def test_book_reads_once_in_first_read_order(self) -> None:
        facts = book(Request(DATE))
        first = facts["medication.route"]
        facts["request.date"]
        assert facts["medication.route"] is first
        assert list(facts.facts) == ["medication.route", "request.date"]
        facts.add(Fact("medication.route", "other"))
        assert facts["medication.route"] is first


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
        facts = book(Request(DATE, patient=Patient(dt.date(2000, 3, 3))))
        age = facts["patient.age"]
        assert age.value == Quantity("25", "a")
        assert age.inputs == ("patient.birth_date", "request.date")
        assert book(Request(DATE))["patient.age"].missing


class TestBodySurfaceArea:
    """The BSA is the one given, else Mosteller's, kept with its exact square."""

    def test_given_wins(self) -> None:
        facts = book(
            Request(DATE, patient=Patient(bsa=Quantity("1.9", "m2"), weight=Quantity("1", "kg")))
        )
        fact = facts["patient.body_surface_area"]
        assert (fact.value, fact.inputs, fact.exact_square) == (
            Quantity("1.9", "m2"),
            ("patient.bsa",),
            None,
        )

    def test_mosteller(self) -> None:
        patient = Patient(weight=Quantity("154", "[lb_av]"), height=Quantity("70", "[in_i]"))
        fact = book(Request(DATE, patient=patient))["patient.body_surface_area"]
        square = Fraction("177.8") * Fraction("69.85322498") / 3600
        assert fact.exact_square == square
        assert fact.value == Quantity("1.8574", "m2")
        assert fact.inputs == ("patient.height", "patient.weight")

    def test_mosteller_missing(self) -> None:
        fact = book(Request(DATE, patient=Patient(weight=Quantity("70", "kg"))))[
            "patient.body_surface_area"
        ]
        assert fact.value is None
        assert fact.inputs == ("patient.bsa", "patient.height", "patient.weight")


class TestConsultants:
    """Consultants' specialties and affiliations are the union of those given; partial if not."""

    @pytest.mark.parametrize(
        ("consultants", "shown", "specialties", "affiliations", "partial"),
        [
            (None, None, None, None, (False, False)),
            ((), "none", frozenset(), frozenset(), (False, False)),
            (
                (Practitioner(("207RX0202X",), ("transplant-center",)), Practitioner()),
                "207RX0202X (transplant-center); specialty not given",
                frozenset({"207RX0202X"}),
                frozenset({"transplant-center"}),
                (True, True),
            ),
            (
                (Practitioner(("207Q00000X",), ()),),
                "207Q00000X",
                frozenset({"207Q00000X"}),
                frozenset(),
                (False, False),
            ),
        ],
    )
    def test_table(
        self,
        consultants: tuple[Practitioner, ...] | None,
        shown: str | None,
        specialties: frozenset[str] | None,
        affiliations: frozenset[str] | None,
        partial: tuple[bool, bool],
    ) -> None:
        facts = book(Request(DATE, consultants=consultants))
        assert facts["consultants"].value == shown
        assert facts["consultants.specialties"].value == specialties
        assert facts["consultants.affiliations"].value == affiliations
        assert (
            facts["consultants.specialties"].partial,
            facts["consultants.affiliations"].partial,
        ) == partial
        assert facts["consultants.specialties"].inputs == ("consultants",)


class TestTherapyListed:
    """A therapy of the value set listed in the history: Kleene yes, no or unknown."""

    LISTED = TherapyListed("tried_anti_pd1", "Tried anti-PD-1.", "prior", ANTI_PD1)

    @pytest.mark.parametrize(
        ("prior", "value"),
        [
            (None, None),
            ((), False),
            ((PREDNISONE,), False),
            ((PEMBROLIZUMAB,), True),
            ((PREDNISONE, Therapy("nivolumab", ("L01FF01",))), True),
            ((Therapy("uncoded"),), None),  # may be of the set: open, never "not listed"
        ],
    )
    def test_listed(self, prior: tuple[Therapy, ...] | None, value: bool | None) -> None:
        fact = self.LISTED.derive(history(prior))
        assert fact == Fact("tried_anti_pd1", value, ("therapies.prior",))
        assert self.LISTED.inputs == ("therapies.prior",)

    def test_concomitant_history(self) -> None:
        listed = TherapyListed("with_steroid", "d", "concomitant", POLICY.value_sets[-1])
        assert listed.derive(history(concomitant=(PREDNISONE,))).value is True
        assert listed.derive(history(prior=(PREDNISONE,))).value is None
        assert listed.inputs == ("therapies.concomitant",)

    @pytest.mark.parametrize(
        ("outcome", "value"),
        [
            (TherapyOutcome.FAILURE, True),
            (TherapyOutcome.INTOLERANCE, True),
            (TherapyOutcome.RESPONSE, False),
            (None, None),  # what happened is not given: it may have failed
        ],
    )
    def test_outcomes_narrow_it(self, outcome: TherapyOutcome | None, value: bool | None) -> None:
        listed = TherapyListed(
            "failed",
            "Failed or did not tolerate.",
            "prior",
            ANTI_PD1,
            outcomes=(TherapyOutcome.FAILURE, TherapyOutcome.INTOLERANCE),
        )
        prior = (Therapy("pembrolizumab", ("L01FF02",), outcome=outcome),)
        assert listed.derive(history(prior)).value is value

    AT_LEAST = TherapyListed(
        "three_months", "Tried for 3 months.", "prior", ANTI_PD1, at_least=Quantity("3", "mo")
    )

    @pytest.mark.parametrize(
        ("durations", "value"),
        [
            ((Quantity("3", "mo"),), True),
            ((Quantity("13", "wk"),), False),  # 91 days is under 3 months (91.3125 days)
            ((Quantity("92", "d"),), True),
            ((Quantity("2", "mo"),), False),
            ((None,), None),
            ((None, Quantity("4", "mo")), True),
            ((None, Quantity("1", "mo")), None),
            ((), False),
        ],
    )
    def test_at_least(self, durations: tuple[Quantity | None, ...], value: bool | None) -> None:
        prior = tuple(Therapy("nivolumab", ("L01FF01",), each) for each in durations)
        assert self.AT_LEAST.derive(history(prior)).value is value

    def test_at_least_ignores_other_therapies(self) -> None:
        prior = (
            Therapy("prednisone", ("H02AB07",)),
            Therapy("n", ("L01FF01",), Quantity("1", "a")),
        )
        assert self.AT_LEAST.derive(history(prior)).value is True

    def test_missing_history_with_at_least(self) -> None:
        assert self.AT_LEAST.derive(history(None)).value is None

    @pytest.mark.parametrize(
        ("prior", "value"),
        [
            ((PREDNISONE,), None),  # it may leave one out: open, never "not listed"
            ((PEMBROLIZUMAB,), True),  # what it lists is listed
            ((PREDNISONE, Therapy("nivolumab", ("L01FF01",))), True),
        ],
    )
    def test_a_history_given_in_part(self, prior: tuple[Therapy, ...], value: bool | None) -> None:
        fact = self.LISTED.derive(history(prior, partial=(History.PRIOR,)))
        assert fact == Fact("tried_anti_pd1", value, ("therapies.prior",))
        assert self.AT_LEAST.derive(history(prior, partial=(History.PRIOR,))).value is None

    def test_only_the_history_given_in_part_is_open(self) -> None:
        given = history((PREDNISONE,), concomitant=(PREDNISONE,), partial=(History.CONCOMITANT,))
        assert self.LISTED.derive(given).value is False
        assert given["therapies.prior"].partial is False
        assert given["therapies.concomitant"].partial is True
        assert (
            given["therapies.concomitant"].display() == "prednisone (H02AB07), and some not given"
        )


class TestTherapyCount:
    """How many therapies of the value set the history lists, in {therapy}."""

    COUNT = TherapyCount("systemic_count", "How many.", "prior", SYSTEMIC)

    @pytest.mark.parametrize(
        ("prior", "count"),
        [
            (None, None),
            ((), Quantity(0, "{therapy}")),
            ((PREDNISONE,), Quantity(0, "{therapy}")),
            ((PEMBROLIZUMAB, Therapy("tocilizumab", ("L04AC07",))), Quantity(2, "{therapy}")),
        ],
    )
    def test_count(self, prior: tuple[Therapy, ...] | None, count: Quantity | None) -> None:
        fact = self.COUNT.derive(history(prior))
        assert fact.value == count
        assert fact.inputs == ("therapies.prior",)
        assert self.COUNT.inputs == ("therapies.prior",)

    def test_outcomes(self) -> None:
        count = TherapyCount(
            "failed_count", "d", "prior", SYSTEMIC, outcomes=(TherapyOutcome.FAILURE,)
        )
        prior = (
            Therapy("a", ("L01FF02",), outcome=TherapyOutcome.FAILURE),
            Therapy("b", ("L01FF01",), outcome=TherapyOutcome.RESPONSE),
        )
        assert count.derive(history(prior)).value == Quantity(1, "{therapy}")

    def test_a_history_given_in_part_is_a_lower_bound(self) -> None:
        """Two listed, and perhaps more: at least two, never exactly two."""
        prior = (PEMBROLIZUMAB, Therapy("tocilizumab", ("L04AC07",)))
        whole, in_part = history(prior), history(prior, partial=(History.PRIOR,))
        assert (self.COUNT.derive(whole).value, self.COUNT.derive(whole).partial) == (
            Quantity(2, "{therapy}"),
            False,
        )
        assert (self.COUNT.derive(in_part).value, self.COUNT.derive(in_part).partial) == (
            Quantity(2, "{therapy}"),
            True,
        )


PHYSICIAN = ValueSet("physician", "Physician", "NUCC taxonomy", prefixes=("20",))
NURSE = "363L00000X"
HEMATOLOGIST = "207RH0000X"


class TestConsulted:
    """One consultant, the same one, has a specialty and an affiliation asked for (Kleene)."""

    AT_A_CENTRE = Consulted(
        "centre_physician", "A physician at a centre.", PHYSICIAN, ("transplant-center",)
    )

    @pytest.mark.parametrize(
        ("consultants", "value"),
        [
            (None, None),
            ((), False),
            ((Practitioner((HEMATOLOGIST,), ("transplant-center",)),), True),
            ((Practitioner((NURSE,), ("transplant-center",)),), False),
            ((Practitioner((HEMATOLOGIST,), ()),), False),
            # one of each is not one who is both
            (
                (Practitioner((NURSE,), ("transplant-center",)), Practitioner((HEMATOLOGIST,), ())),
                False,
            ),
            # not said: a physician? at a centre?
            ((Practitioner(None, ("transplant-center",)),), None),
            ((Practitioner((HEMATOLOGIST,), None),), None),
            ((Practitioner((NURSE,), None),), False),  # no physician, wherever
            ((Practitioner(None, ()),), False),  # at no centre, whoever
            # another consultant settles what one leaves open
            ((Practitioner(), Practitioner((HEMATOLOGIST,), ("transplant-center",))), True),
            ((Practitioner(), Practitioner((NURSE,), ("transplant-center",))), None),
        ],
    )
    def test_table(self, consultants: tuple[Practitioner, ...] | None, value: bool | None) -> None:
        facts = book(Request(DATE, consultants=consultants))
        assert self.AT_A_CENTRE.derive(facts) == Fact("centre_physician", value, ("consultants",))
        assert self.AT_A_CENTRE.inputs == ("consultants",)
        assert "consultants" in facts.facts  # read, for the trail

    @pytest.mark.parametrize(
        ("asked", "consultant", "value"),
        [
            (Consulted("any", "Any physician.", PHYSICIAN), Practitioner((HEMATOLOGIST,)), True),
            (Consulted("any", "Any physician.", PHYSICIAN), Practitioner(None, ("x",)), None),
            (
                Consulted("at", "Anyone at x.", affiliations=("x",)),
                Practitioner(None, ("x",)),
                True,
            ),
            (Consulted("at", "Anyone at x.", affiliations=("x",)), Practitioner((NURSE,)), None),
            (
                Consulted("at", "Anyone at x.", affiliations=ValueSet("x", "X", "local", ("x",))),
                Practitioner(None, ("y",)),
                False,
            ),
        ],
    )
    def test_one_condition(self, asked: Consulted, consultant: Practitioner, value: bool) -> None:
        """Left out, a specialty or an affiliation asks nothing of the consultant."""
        facts = book(Request(DATE, consultants=(consultant,)))
        assert asked.derive(facts).value is value


class TestEveryItem:
    """Every item of a listed answer qualifies, and there is at least one."""

    EVERY = EveryItem(
        "all_good",
        "Every lesion qualifies.",
        "lesions",
        (("site", ("cutaneous", "nodal")), ("status", ("metastatic",))),
    )

    @pytest.mark.parametrize(
        ("items", "value"),
        [
            (None, None),
            ((), False),
            (({"site": "nodal", "status": "metastatic"},), True),
            (
                (
                    {"site": "nodal", "status": "metastatic"},
                    {"site": "visceral", "status": "metastatic"},
                ),
                False,
            ),
            (({"site": "cutaneous", "status": "other"},), False),
        ],
    )
    def test_every(self, items: tuple[dict[str, str], ...] | None, value: bool | None) -> None:
        answers = {} if items is None else {"lesions": items}
        facts = book(Request(DATE), answers)
        fact = self.EVERY.derive(facts)
        assert fact == Fact("all_good", value, ("answers.lesions",))
        assert self.EVERY.inputs == ("answers.lesions",)
        assert "answers.lesions" in facts.facts

    def test_answer_list_is_shown(self) -> None:
        items = (
            {"site": "nodal", "status": "metastatic"},
            {"site": "cutaneous", "status": "other"},
        )
        facts = book(Request(DATE), {"lesions": items})
        assert facts["answers.lesions"].value == "nodal, metastatic; cutaneous, other"
        assert book(Request(DATE), {"lesions": ()})["answers.lesions"].value == "none"


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
            ("47625008", "47625008"),
        ],
    )
    def test_table(self, value: object, text: str) -> None:
        assert display_value(value) == text  # type: ignore[arg-type]
        assert Fact("x", value).display() == text  # type: ignore[arg-type]

    def test_partial(self) -> None:
        fact = Fact(
            "consultants.specialties", frozenset({"207RX0202X"}), ("consultants",), None, True
        )
        assert fact.display() == "207RX0202X, and some not given"
