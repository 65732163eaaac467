"""The Proleukin criteria, one lettered criterion at a time, against the policy text.

Each test starts from a request that meets every criterion and dosing limit (see
``tests/strategies.py``) and breaks exactly one criterion, or removes the facts it
reads. The expected outcome follows from RECOMMENDED AUTHORIZATION CRITERIA and
CONDITIONS NOT RECOMMENDED FOR APPROVAL: a criterion not met leaves no indication
met, so coverage is not recommended, with that criterion as the reason; a criterion
that cannot be checked leaves the request undecided, naming the facts it needs.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import pathlib
from collections.abc import Callable
from typing import Any

import pytest
from attrs import frozen
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import (
    ACUTE_GVHD,
    ALL_SITES,
    ALL_STATUSES,
    DERMATOLOGY,
    HEMATOLOGY,
    ONCOLOGY,
    ORAL,
    OTHER_DIAGNOSIS,
    OTHER_SPECIALTY,
    PREDNISONE,
    QUALIFYING_SITES,
    QUALIFYING_STATUSES,
    RCC,
    SPECIALTIES,
    SUBCUTANEOUS,
    TRANSPLANT,
    Path,
    base,
    decide,
    doctor,
    lesion,
    node_words,
    reason_labels,
    replace,
    requests,
    therapies,
    trail_nodes,
    with_fields,
    years_before,
)
from umpolicy import Coding, Decision, History, Outcome, Practitioner, Request, Status, Therapy
from umpolicy import decide as umpolicy_decide
from umpolicy.api import evaluate
from umpolicy_policies.proleukin import POLICY

HYPOTHESIS = settings(max_examples=15, deadline=None)


def decide_with(request: Request, trail: bool) -> Decision:
    """The Proleukin decision, with or without the audit trail."""
    return umpolicy_decide(POLICY, request, trail=trail)


Change = Callable[[Request], Request]


def setting(**fields: object) -> Change:
    """A change that sets dotted fields (``patient__birth_date`` → ``patient.birth_date``)."""
    dotted = {name.replace("__", "."): value for name, value in fields.items()}
    return lambda request: with_fields(request, dotted)


def turned_seventeen(request: Request) -> Request:
    """The patient's 18th birthday is the day after the request: 17 years 364 days old."""
    latest_adult = years_before(request.date, 18)
    return replace(request, "patient.birth_date", latest_adult + dt.timedelta(days=1))


@frozen
class Case:
    """One criterion: the policy's words, how to fail it, and how to leave it unknown."""

    label: str
    path: Path
    words: str
    fail: Change
    missing: Change
    needed: frozenset[str]
    #: True when the criterion's own facts are all that is needed; False for a heading
    #: whose condition (diagnosis, route) opens other branches that need more.
    exact: bool = True


NOBODY = setting(prescriber=Practitioner(), consultants=None)
NO_DIAGNOSIS = setting(diagnoses=None)

#: Every lettered criterion and heading, as the policy words it (PDF line breaks joined).
CASES = (
    Case(
        "1",
        "melanoma_iv",
        "Cutaneous Melanoma",
        setting(diagnoses=(OTHER_DIAGNOSIS,)),
        NO_DIAGNOSIS,
        frozenset({"diagnoses"}),
        exact=False,
    ),
    Case(
        "1.A",
        "melanoma_iv",
        "Intravenous Therapy",
        setting(medication__route=SUBCUTANEOUS),
        setting(medication__route=None),
        frozenset({"medication.route"}),
        exact=False,
    ),
    Case(
        "1.A.i",
        "melanoma_iv",
        "Patient is ≥ 18 years of age",
        turned_seventeen,
        setting(patient__birth_date=None),
        frozenset({"patient.birth_date"}),
    ),
    Case(
        "1.A.ii",
        "melanoma_iv",
        "Patient has metastatic or unresectable disease",
        setting(answers__melanoma_metastatic=False, answers__melanoma_unresectable=False),
        setting(answers__melanoma_metastatic=None, answers__melanoma_unresectable=None),
        frozenset({"answers.melanoma_metastatic", "answers.melanoma_unresectable"}),
    ),
    Case(
        "1.A.iii",
        "melanoma_iv",
        "Patient has tried at least one other systemic therapy",
        setting(therapies__prior=()),
        setting(therapies__prior=None),
        frozenset({"therapies.prior"}),
    ),
    Case(
        "1.A.iv",
        "melanoma_iv",
        "Proleukin will be used as a single agent",
        setting(therapies__concomitant=therapies("ipilimumab")),
        setting(therapies__concomitant=None),
        frozenset({"therapies.concomitant"}),
    ),
    Case(
        "1.A.v",
        "melanoma_iv",
        "Proleukin is prescribed by or in consultation with an oncologist",
        setting(
            prescriber=doctor(DERMATOLOGY),
            consultants=(doctor(DERMATOLOGY), doctor(HEMATOLOGY)),
        ),
        NOBODY,
        frozenset({"prescriber.specialties", "consultants"}),
    ),
    Case(
        "1.B",
        "melanoma_intralesional",
        "Intralesional Therapy",
        setting(medication__route=ORAL),
        setting(medication__route=None),
        frozenset({"medication.route"}),
        exact=False,
    ),
    Case(
        "1.B.i",
        "melanoma_intralesional",
        "Patient is ≥ 18 years of age",
        turned_seventeen,
        setting(patient__birth_date=None),
        frozenset({"patient.birth_date"}),
    ),
    Case(
        "1.B.ii",
        "melanoma_intralesional",
        "Proleukin will be directly injected into metastatic, recurrent, or unresectable "
        "cutaneous, subcutaneous, or nodal lesions",
        setting(answers__lesions=[lesion("visceral", "metastatic")]),
        setting(answers__lesions=None),
        frozenset({"answers.lesions"}),
    ),
    Case(
        "1.B.iii",
        "melanoma_intralesional",
        "The medication is prescribed by or in consultation with an oncologist or dermatologist.",
        setting(prescriber=doctor(HEMATOLOGY), consultants=(doctor(OTHER_SPECIALTY),)),
        NOBODY,
        frozenset({"prescriber.specialties", "consultants"}),
    ),
    Case(
        "2",
        "rcc",
        "Renal Cell Carcinoma",
        setting(diagnoses=(OTHER_DIAGNOSIS,)),
        NO_DIAGNOSIS,
        frozenset({"diagnoses"}),
        exact=False,
    ),
    Case(
        "2.A",
        "rcc",
        "Patient is ≥ 18 years of age",
        turned_seventeen,
        setting(patient__birth_date=None),
        frozenset({"patient.birth_date"}),
    ),
    Case(
        "2.B",
        "rcc",
        "Patient has metastatic disease",
        setting(answers__renal_cell_carcinoma_metastatic=False, answers__melanoma_metastatic=True),
        setting(answers__renal_cell_carcinoma_metastatic=None, answers__melanoma_metastatic=True),
        frozenset({"answers.renal_cell_carcinoma_metastatic"}),
    ),
    Case(
        "2.C",
        "rcc",
        "Proleukin will be used as a single agent",
        setting(therapies__concomitant=therapies("nivolumab", "ipilimumab")),
        setting(therapies__concomitant=None),
        frozenset({"therapies.concomitant"}),
    ),
    Case(
        "2.D",
        "rcc",
        "Proleukin is prescribed by or in consultation with an oncologist.",
        setting(prescriber=doctor(DERMATOLOGY), consultants=()),
        NOBODY,
        frozenset({"prescriber.specialties", "consultants"}),
    ),
    Case(
        "3",
        "gvhd",
        "Graft-Versus-Host Disease",
        setting(diagnoses=(OTHER_DIAGNOSIS,)),
        NO_DIAGNOSIS,
        frozenset({"diagnoses"}),
        exact=False,
    ),
    Case(
        "3.A",
        "gvhd",
        "Patient has chronic graft-versus-host disease",
        setting(diagnoses=(ACUTE_GVHD,)),
        NO_DIAGNOSIS,
        frozenset({"diagnoses"}),
        exact=False,
    ),
    Case(
        "3.B",
        "gvhd",
        "According to the prescriber, the patient has steroid-refractory disease",
        setting(answers__steroid_refractory=False),
        setting(answers__steroid_refractory=None),
        frozenset({"answers.steroid_refractory"}),
    ),
    Case(
        "3.C",
        "gvhd",
        "Proleukin will be used in combination with systemic corticosteroids",
        setting(therapies__concomitant=()),
        setting(therapies__concomitant=None),
        frozenset({"therapies.concomitant"}),
    ),
    Case(
        "3.D",
        "gvhd",
        "Proleukin will be prescribed by or in consultation with an oncologist or a physician "
        "associated with a transplant center.",
        setting(
            prescriber=doctor(HEMATOLOGY, center=False),
            consultants=(doctor(DERMATOLOGY, center=False),),
        ),
        NOBODY,
        frozenset({"prescriber.specialties", "prescriber.affiliations", "consultants"}),
    ),
)


def _params(cases: tuple[Case, ...]) -> list[Any]:
    return [
        pytest.param(case, marks=pytest.mark.criteria(case.label), id=case.label) for case in cases
    ]


class TestEachCriterionNotMet:
    """A request failing exactly one criterion is not recommended, with that criterion as reason."""

    @pytest.mark.parametrize("case", _params(CASES))
    @HYPOTHESIS
    @given(data=st.data())
    def test_not_recommended_naming_the_criterion(self, case: Case, data: st.DataObject) -> None:
        request = case.fail(data.draw(requests(case.path)))

        decision = decide(request)

        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert case.label in reason_labels(decision)
        if case.exact:
            assert reason_labels(decision) == (case.label,)
        assert decision.authorization is None
        assert decision.facts_needed == ()

    @pytest.mark.parametrize("case", _params(CASES))
    def test_reason_quotes_the_policy(self, case: Case) -> None:
        decision = decide(case.fail(base(case.path)))

        (reason,) = [r for r in decision.reasons if r.label == case.label]
        assert case.words in node_words(reason.label)
        assert reason.detail

    @pytest.mark.parametrize("case", _params(CASES))
    def test_trail_marks_the_criterion_not_met(self, case: Case) -> None:
        decision = decide(case.fail(base(case.path)))

        assert trail_nodes(decision)[case.label].status is Status.NOT_MET


class TestEachCriterionUnknown:
    """A request missing one criterion's facts is insufficient information, naming those facts."""

    @pytest.mark.parametrize("case", _params(CASES))
    @HYPOTHESIS
    @given(data=st.data())
    def test_insufficient_naming_the_facts(self, case: Case, data: st.DataObject) -> None:
        request = case.missing(data.draw(requests(case.path)))

        decision = decide(request)

        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        if case.exact:
            assert set(decision.facts_needed) == case.needed
        else:
            assert case.needed <= set(decision.facts_needed)
        assert len(set(decision.facts_needed)) == len(decision.facts_needed)
        assert all(name in decision.summary for name in decision.facts_needed)

    @pytest.mark.parametrize("case", _params(CASES))
    def test_trail_marks_the_criterion_unknown(self, case: Case) -> None:
        decision = decide(case.missing(base(case.path)))

        assert trail_nodes(decision)[case.label].status is Status.UNKNOWN


AGE_CRITERIA = [
    pytest.param("melanoma_iv", "1.A.i", marks=pytest.mark.criteria("1.A.i"), id="1.A.i"),
    pytest.param(
        "melanoma_intralesional", "1.B.i", marks=pytest.mark.criteria("1.B.i"), id="1.B.i"
    ),
    pytest.param("rcc", "2.A", marks=pytest.mark.criteria("2.A"), id="2.A"),
]


class TestAgeCriterion:
    """1.A.i, 1.B.i and 2.A are met from the 18th birthday on the request date, not a day before."""

    @pytest.mark.parametrize(("path", "label"), AGE_CRITERIA)
    @pytest.mark.parametrize(
        ("born", "on", "adult"),
        [
            pytest.param(dt.date(2008, 3, 2), dt.date(2026, 3, 2), True, id="18th-birthday"),
            pytest.param(dt.date(2008, 3, 3), dt.date(2026, 3, 2), False, id="17y-364d"),
            pytest.param(dt.date(2007, 3, 3), dt.date(2026, 3, 2), True, id="18y-364d"),
            pytest.param(dt.date(2008, 2, 29), dt.date(2026, 2, 28), False, id="29feb-on-28feb"),
            pytest.param(dt.date(2008, 2, 29), dt.date(2026, 3, 1), True, id="29feb-on-1mar"),
            pytest.param(dt.date(2006, 2, 28), dt.date(2024, 2, 29), True, id="28feb-on-29feb"),
            pytest.param(dt.date(2006, 3, 1), dt.date(2024, 2, 29), False, id="1mar-on-29feb"),
            pytest.param(dt.date(2004, 2, 29), dt.date(2022, 2, 28), False, id="leap-to-common"),
            pytest.param(dt.date(2004, 2, 29), dt.date(2022, 3, 1), True, id="leap-turns-1mar"),
            pytest.param(dt.date(2004, 2, 29), dt.date(2022, 2, 27), False, id="leap-2-days-short"),
            pytest.param(dt.date(1908, 2, 29), dt.date(2026, 3, 2), True, id="elderly"),
        ],
    )
    def test_boundary(
        self, path: Path, label: str, born: dt.date, on: dt.date, adult: bool
    ) -> None:
        request = with_fields(base(path), {"date": on, "patient.birth_date": born})

        decision = decide(request)

        if adult:
            assert decision.outcome is Outcome.APPROVE
        else:
            assert decision.outcome is Outcome.NOT_RECOMMENDED
            assert reason_labels(decision) == (label,)

    @pytest.mark.parametrize(("path", "label"), AGE_CRITERIA)
    @settings(max_examples=40, deadline=None)
    @given(on=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31)))
    def test_any_request_date(self, path: Path, label: str, on: dt.date) -> None:
        latest_adult = years_before(on, 18)
        at_18 = with_fields(base(path), {"date": on, "patient.birth_date": latest_adult})
        one_day_short = replace(at_18, "patient.birth_date", latest_adult + dt.timedelta(days=1))

        assert decide(at_18).outcome is Outcome.APPROVE
        assert reason_labels(decide(one_day_short)) == (label,)

    @pytest.mark.criteria("1.A.i")
    def test_age_is_read_from_birth_date_and_request_date(self) -> None:
        decision = decide(replace(base("melanoma_iv"), "patient.birth_date", dt.date(2008, 3, 3)))

        assert decision.trail is not None
        (finding,) = trail_nodes(decision)["1.A.i"].findings
        assert finding.facts == ("patient.age",)
        age = decision.trail.facts["patient.age"]
        assert age.display() == "17 years"
        assert set(age.inputs) == {"patient.birth_date", "request.date"}
        assert decision.trail.facts["patient.birth_date"].value == dt.date(2008, 3, 3)


@pytest.mark.criteria("3", "3.A", "3.B", "3.C", "3.D")
class TestGvhdHasNoAgeCriterion:
    """Graft-versus-host disease is approved whatever the patient's age, even unknown."""

    @pytest.mark.parametrize(
        "born",
        [
            pytest.param(dt.date(2026, 3, 2), id="born-today"),
            pytest.param(dt.date(2015, 6, 15), id="child"),
            pytest.param(dt.date(2008, 3, 3), id="17y-364d"),
            pytest.param(None, id="unknown"),
        ],
    )
    def test_any_age(self, born: dt.date | None) -> None:
        decision = decide(replace(base("gvhd"), "patient.birth_date", born))

        assert decision.outcome is Outcome.APPROVE
        assert decision.trail is not None
        assert "patient.age" not in {
            fact.name
            for label in trail_nodes(decision)
            if label.startswith(("3", "Dosing 3"))
            for fact in decision.trail.facts_of(label)
        }


@pytest.mark.criteria("3", "3.A")
class TestAcuteGvhd:
    """Acute graft-versus-host disease falls under heading 3 and fails 3.A (chronic disease)."""

    def test_acute_fails_3a_only(self) -> None:
        acute = replace(base("gvhd"), "diagnoses", (ACUTE_GVHD,))

        decision = decide(acute)

        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert reason_labels(decision) == ("3.A",)
        nodes = trail_nodes(decision)
        assert nodes["3"].findings[0].status is Status.MET
        assert nodes["3.A"].status is Status.NOT_MET
        assert all(nodes[label].status is Status.MET for label in ("3.B", "3.C", "3.D"))

    def test_acute_with_other_failures_lists_them_all(self) -> None:
        acute = with_fields(
            base("gvhd"),
            {
                "diagnoses": (ACUTE_GVHD,),
                "answers.steroid_refractory": False,
            },
        )

        assert reason_labels(decide(acute)) == ("3.A", "3.B")


class TestMetastaticOrUnresectable:
    """1.A.ii is met by a metastatic or unresectable melanoma; 2.B needs a metastatic RCC."""

    @pytest.mark.criteria("1.A.ii")
    @pytest.mark.parametrize(
        ("metastatic", "unresectable"), list(itertools.product((True, False, None), repeat=2))
    )
    def test_melanoma(self, metastatic: bool | None, unresectable: bool | None) -> None:
        request = with_fields(
            base("melanoma_iv"),
            {
                "answers.melanoma_metastatic": metastatic,
                "answers.melanoma_unresectable": unresectable,
            },
        )

        decision = decide(request)

        if metastatic is True or unresectable is True:
            assert decision.outcome is Outcome.APPROVE
        elif metastatic is False and unresectable is False:
            assert reason_labels(decision) == ("1.A.ii",)
        else:
            assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
            missing = {
                name
                for name, value in (
                    ("answers.melanoma_metastatic", metastatic),
                    ("answers.melanoma_unresectable", unresectable),
                )
                if value is None
            }
            assert set(decision.facts_needed) == missing

    @pytest.mark.criteria("2.B")
    @pytest.mark.parametrize("melanoma", [True, False, None])
    @pytest.mark.parametrize("metastatic", [True, False, None])
    def test_renal_cell_carcinoma(self, metastatic: bool | None, melanoma: bool | None) -> None:
        """2.B reads the carcinoma's own answer; the melanoma's never stands in for it."""
        request = with_fields(
            base("rcc"),
            {
                "answers.renal_cell_carcinoma_metastatic": metastatic,
                "answers.melanoma_metastatic": melanoma,
                "answers.melanoma_unresectable": melanoma,
            },
        )

        decision = decide(request)

        expected = {
            True: Outcome.APPROVE,
            False: Outcome.NOT_RECOMMENDED,
            None: Outcome.INSUFFICIENT_INFORMATION,
        }[metastatic]
        assert decision.outcome is expected

    @pytest.mark.criteria("1.A.ii", "2.B")
    def test_both_cancers_each_its_own_answer(self) -> None:
        """A patient with melanoma and RCC: the metastatic melanoma does not meet 2.B."""
        melanoma = base("melanoma_iv")
        request = with_fields(
            melanoma,
            {
                # No therapy tried: 1.A.iii is not met, so only criterion 2 could approve.
                "therapies.prior": (),
                "diagnoses": (*(melanoma.diagnoses or ()), RCC),
            },
        )

        decision = decide(request)

        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert decision.facts_needed == ("answers.renal_cell_carcinoma_metastatic",)
        answered = decide(with_fields(request, {"answers.renal_cell_carcinoma_metastatic": True}))
        assert answered.outcome is Outcome.APPROVE
        assert answered.path[0] == "2"


class TestTherapies:
    """1.A.iii needs one or more prior systemic therapies; 1.A.iv and 2.C none given with it."""

    @pytest.mark.criteria("1.A.iii")
    @pytest.mark.parametrize(
        ("prior", "met"),
        [
            ((), False),
            (("pembrolizumab",), True),
            (("nivolumab", "ipilimumab"), True),
            (("prednisone",), False),
        ],
    )
    def test_prior_systemic(self, prior: tuple[str, ...], met: bool) -> None:
        listed = tuple(PREDNISONE if name == "prednisone" else therapies(name)[0] for name in prior)
        decision = decide(replace(base("melanoma_iv"), "therapies.prior", listed))

        assert decision.outcome is (Outcome.APPROVE if met else Outcome.NOT_RECOMMENDED)

    @pytest.mark.criteria("1.A.iii", "1.A.iv")
    def test_talimogene_is_no_systemic_therapy_but_another_agent(self) -> None:
        """T-VEC (L01XX51) is injected into the lesions: tried, it is no *systemic* therapy.

        Counting every ATC L01 code as systemic approved a patient whose only therapy had
        been intralesional; given with Proleukin it is still another agent (1.A.iv).
        """
        tvec = (Therapy("talimogene laherparepvec", ("L01XX51",)),)
        tried = decide(replace(base("melanoma_iv"), "therapies.prior", tvec))
        given = decide(replace(base("melanoma_iv"), "therapies.concomitant", tvec))
        group = decide(replace(base("melanoma_iv"), "therapies.prior", (Therapy("a", ("L01XX",)),)))

        assert tried.outcome is Outcome.NOT_RECOMMENDED
        assert reason_labels(tried) == ("1.A.iii",)
        assert reason_labels(given) == ("1.A.iv",)
        assert group.outcome is Outcome.INSUFFICIENT_INFORMATION  # L01XX may be T-VEC

    @pytest.mark.parametrize(
        ("path", "label"),
        [
            pytest.param("melanoma_iv", "1.A.iv", marks=pytest.mark.criteria("1.A.iv")),
            pytest.param("rcc", "2.C", marks=pytest.mark.criteria("2.C")),
        ],
    )
    @pytest.mark.parametrize(
        ("concomitant", "met"),
        [
            ((), True),
            ((PREDNISONE,), True),
            (therapies("ipilimumab"), False),
            ((Therapy("a", ("L01XX",)), Therapy("b", ("L02BA01",))), False),
        ],
    )
    def test_single_agent(
        self, path: Path, label: str, concomitant: tuple[Therapy, ...], met: bool
    ) -> None:
        decision = decide(replace(base(path), "therapies.concomitant", concomitant))

        if met:
            assert decision.outcome is Outcome.APPROVE
        else:
            assert reason_labels(decision) == (label,)

    @pytest.mark.parametrize(
        ("path", "label"),
        [
            pytest.param("melanoma_iv", "1.A.iv", marks=pytest.mark.criteria("1.A.iv")),
            pytest.param("rcc", "2.C", marks=pytest.mark.criteria("2.C")),
        ],
    )
    @pytest.mark.parametrize(
        ("concomitant", "outcome"),
        [
            ((PREDNISONE,), Outcome.INSUFFICIENT_INFORMATION),  # anticancer may be left out
            (therapies("ipilimumab"), Outcome.NOT_RECOMMENDED),  # one listed is given
        ],
    )
    def test_single_agent_given_in_part(
        self, path: Path, label: str, concomitant: tuple[Therapy, ...], outcome: Outcome
    ) -> None:
        """Records of prednisone given with it do not say it is given with nothing else."""
        request = replace(base(path), "therapies.concomitant", concomitant)
        request = replace(request, "therapies.partial", (History.CONCOMITANT,))
        decision = decide(request)

        assert decision.outcome is outcome
        assert reason_labels(decision) == (label,)
        if outcome is Outcome.INSUFFICIENT_INFORMATION:
            assert decision.facts_needed == ("therapies.concomitant",)

    @pytest.mark.criteria("1.A.iii")
    @pytest.mark.parametrize(
        ("prior", "outcome"),
        [
            ((PREDNISONE,), Outcome.INSUFFICIENT_INFORMATION),  # one may be left out
            (therapies("pembrolizumab"), Outcome.APPROVE),  # one listed was tried
        ],
    )
    def test_prior_systemic_given_in_part(
        self, prior: tuple[Therapy, ...], outcome: Outcome
    ) -> None:
        request = replace(base("melanoma_iv"), "therapies.prior", prior)
        decision = decide(replace(request, "therapies.partial", (History.PRIOR,)))

        assert decision.outcome is outcome


EXAMPLES = pathlib.Path(__file__).parent.parent / "examples" / "proleukin"
PEMBROLIZUMAB = {"name": "pembrolizumab", "codes": ["L01FF02"]}
NIVOLUMAB = {"name": "nivolumab", "codes": ["L01FF01"]}
IPILIMUMAB = {"name": "ipilimumab", "codes": ["L01FX04"]}
PREDNISONE_GIVEN = {"name": "prednisone", "codes": ["H02AB07"]}
UNCODED = {"name": "a therapy"}


def _with(outcome: str | None, **therapy: Any) -> dict[str, Any]:
    """A therapy of the history, with that outcome (None: not said)."""
    return therapy if outcome is None else {**therapy, "outcome": outcome}


class TestContraindicatedTherapies:
    """A therapy recorded as contraindicated was never given: not tried, not given with it."""

    @pytest.mark.parametrize(
        ("example", "history", "listed", "expected", "labels"),
        [
            pytest.param(
                "melanoma-iv-approve",
                "prior",
                [_with("contraindication", **PEMBROLIZUMAB)],
                Outcome.NOT_RECOMMENDED,
                ["1.A.iii"],
                marks=pytest.mark.criteria("1.A.iii"),
                id="1.A.iii-only-contraindicated",
            ),
            pytest.param(
                "melanoma-iv-approve",
                "prior",
                [_with("contraindication", **PEMBROLIZUMAB), _with("contraindication", **UNCODED)],
                Outcome.NOT_RECOMMENDED,
                ["1.A.iii"],
                marks=pytest.mark.criteria("1.A.iii"),
                id="1.A.iii-uncoded-contraindicated-is-not-open",
            ),
            pytest.param(
                "melanoma-iv-approve",
                "prior",
                [_with("contraindication", **PEMBROLIZUMAB), _with("failure", **NIVOLUMAB)],
                Outcome.APPROVE,
                [],
                marks=pytest.mark.criteria("1.A.iii"),
                id="1.A.iii-another-tried",
            ),
            pytest.param(
                "gvhd-approve",
                "concomitant",
                [_with("contraindication", **PREDNISONE_GIVEN)],
                Outcome.NOT_RECOMMENDED,
                ["3.C"],
                marks=pytest.mark.criteria("3.C"),
                id="3.C-only-contraindicated",
            ),
            pytest.param(
                "gvhd-approve",
                "concomitant",
                [
                    _with("contraindication", **UNCODED),
                    _with("contraindication", **PREDNISONE_GIVEN),
                ],
                Outcome.NOT_RECOMMENDED,
                ["3.C"],
                marks=pytest.mark.criteria("3.C"),
                id="3.C-uncoded-contraindicated-is-not-open",
            ),
            pytest.param(
                "melanoma-iv-approve",
                "concomitant",
                [_with("contraindication", **IPILIMUMAB)],
                Outcome.APPROVE,
                [],
                marks=pytest.mark.criteria("1.A.iv"),
                id="1.A.iv-not-given-with-it",
            ),
            pytest.param(
                "rcc-approve",
                "concomitant",
                [_with("contraindication", **IPILIMUMAB), _with("contraindication", **UNCODED)],
                Outcome.APPROVE,
                [],
                marks=pytest.mark.criteria("2.C"),
                id="2.C-not-given-with-it",
            ),
        ],
    )
    def test_shipped_examples(
        self,
        example: str,
        history: str,
        listed: list[dict[str, Any]],
        expected: Outcome,
        labels: list[str],
    ) -> None:
        data = json.loads((EXAMPLES / f"{example}.json").read_text())
        data["therapies"][history] = listed
        decision = evaluate(json.dumps(data))
        assert decision.outcome is expected
        assert [reason.label for reason in decision.reasons] == labels

    @pytest.mark.criteria("1.A.iii", "1.A.iv", "2.C", "3.C")
    @pytest.mark.parametrize("outcome", [None, "failure", "intolerance", "response"])
    @pytest.mark.parametrize(
        ("example", "history", "therapy", "expected"),
        [
            ("melanoma-iv-approve", "prior", PEMBROLIZUMAB, Outcome.APPROVE),
            ("gvhd-approve", "concomitant", PREDNISONE_GIVEN, Outcome.APPROVE),
            ("melanoma-iv-approve", "concomitant", IPILIMUMAB, Outcome.NOT_RECOMMENDED),
            ("rcc-approve", "concomitant", IPILIMUMAB, Outcome.NOT_RECOMMENDED),
        ],
    )
    def test_any_other_outcome_counts(
        self,
        example: str,
        history: str,
        therapy: dict[str, Any],
        expected: Outcome,
        outcome: str | None,
    ) -> None:
        data = json.loads((EXAMPLES / f"{example}.json").read_text())
        data["therapies"][history] = [_with(outcome, **therapy)]
        assert evaluate(json.dumps(data)).outcome is expected

    def test_the_trail_shows_it_not_counted(self) -> None:
        data = json.loads((EXAMPLES / "melanoma-iv-approve.json").read_text())
        data["therapies"]["prior"] = [_with("contraindication", **PEMBROLIZUMAB)]
        decision = evaluate(json.dumps(data))
        assert decision.trail is not None
        count = decision.trail.facts["therapy.prior_systemic_count"]
        assert count.display() == "0 therapies"
        shown = decision.trail.facts["therapies.prior"].display()
        assert shown == "pembrolizumab (L01FF02) — contraindication"


CONSULTANTS: list[tuple[Practitioner, ...]] = [(), *[(doctor(s),) for s in SPECIALTIES]]


class TestPrescriberOrConsultant:
    """1.A.v, 1.B.iii and 2.D are met when the prescriber or any consultant has the specialty."""

    @pytest.mark.parametrize(
        ("path", "label", "qualifying"),
        [
            pytest.param("melanoma_iv", "1.A.v", {ONCOLOGY}, marks=pytest.mark.criteria("1.A.v")),
            pytest.param(
                "melanoma_intralesional",
                "1.B.iii",
                {ONCOLOGY, DERMATOLOGY},
                marks=pytest.mark.criteria("1.B.iii"),
            ),
            pytest.param("rcc", "2.D", {ONCOLOGY}, marks=pytest.mark.criteria("2.D")),
        ],
    )
    @pytest.mark.parametrize(
        "consultants",
        CONSULTANTS,
        ids=lambda c: "+".join(code for p in c for code in p.specialties or ()) or "none",
    )
    @pytest.mark.parametrize("specialty", SPECIALTIES)
    def test_table(
        self,
        path: Path,
        label: str,
        qualifying: set[str],
        specialty: str,
        consultants: tuple[Practitioner, ...],
    ) -> None:
        request = with_fields(
            base(path), {"prescriber": doctor(specialty), "consultants": consultants}
        )
        met = specialty in qualifying or any(
            code in qualifying for c in consultants for code in c.specialties or ()
        )

        decision = decide(request)

        if met:
            assert decision.outcome is Outcome.APPROVE
        else:
            assert reason_labels(decision) == (label,)

    @pytest.mark.criteria("1.A.v", "1.B.iii", "2.D")
    @pytest.mark.parametrize("path", ["melanoma_iv", "melanoma_intralesional", "rcc"])
    def test_prescriber_suffices_when_consultants_are_not_given(self, path: Path) -> None:
        request = with_fields(base(path), {"prescriber": doctor(ONCOLOGY), "consultants": None})

        assert decide(request).outcome is Outcome.APPROVE

    @pytest.mark.criteria("1.A.v", "1.B.iii", "2.D")
    @pytest.mark.parametrize("path", ["melanoma_iv", "melanoma_intralesional", "rcc"])
    def test_consultant_suffices_when_prescriber_specialty_is_not_given(self, path: Path) -> None:
        request = with_fields(
            base(path),
            {
                "prescriber": Practitioner(),
                "consultants": (doctor(OTHER_SPECIALTY), doctor(ONCOLOGY)),
            },
        )

        assert decide(request).outcome is Outcome.APPROVE

    @pytest.mark.criteria("1.A.v", "1.B.iii", "2.D")
    @pytest.mark.parametrize(
        ("prescriber", "consultants", "needed"),
        [
            (doctor(OTHER_SPECIALTY), None, {"consultants"}),
            (Practitioner(), (), {"prescriber.specialties"}),
            (Practitioner(), None, {"prescriber.specialties", "consultants"}),
            (doctor(OTHER_SPECIALTY), (Practitioner(),), {"consultants"}),
        ],
    )
    @pytest.mark.parametrize("path", ["melanoma_iv", "melanoma_intralesional", "rcc"])
    def test_unknown_names_what_is_missing(
        self,
        path: Path,
        prescriber: Practitioner,
        consultants: tuple[Practitioner, ...] | None,
        needed: set[str],
    ) -> None:
        request = with_fields(base(path), {"prescriber": prescriber, "consultants": consultants})

        decision = decide(request)

        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert set(decision.facts_needed) == needed


GVHD_PHYSICIANS = [
    doctor(specialty, center=centre)
    for specialty in (ONCOLOGY, HEMATOLOGY, TRANSPLANT)
    for centre in (True, False)
]


def _physician_id(physician: Practitioner) -> str:
    specialty = "+".join(physician.specialties or ()) or "unknown"
    return f"{specialty}{'@centre' if physician.affiliations else ''}"


def _qualifies_for_3d(physician: Practitioner) -> bool:
    return ONCOLOGY in (physician.specialties or ()) or bool(physician.affiliations)


@pytest.mark.criteria("3.D")
class TestTransplantCenter:
    """3.D is met by an oncologist or a transplant-center physician, prescribing or consulted."""

    @pytest.mark.parametrize(
        "consultants",
        [(), *[(c,) for c in GVHD_PHYSICIANS]],
        ids=lambda c: "+".join(map(_physician_id, c)) or "none",
    )
    @pytest.mark.parametrize("prescriber", GVHD_PHYSICIANS, ids=_physician_id)
    def test_table(self, prescriber: Practitioner, consultants: tuple[Practitioner, ...]) -> None:
        request = with_fields(base("gvhd"), {"prescriber": prescriber, "consultants": consultants})
        met = any(map(_qualifies_for_3d, (prescriber, *consultants)))

        decision = decide(request)

        if met:
            assert decision.outcome is Outcome.APPROVE
        else:
            assert reason_labels(decision) == ("3.D",)

    def test_transplant_specialty_alone_is_not_a_transplant_center(self) -> None:
        request = with_fields(
            base("gvhd"),
            {
                "prescriber": doctor(TRANSPLANT, center=False),
                "consultants": (),
            },
        )

        assert reason_labels(decide(request)) == ("3.D",)

    @pytest.mark.parametrize("specialty", ["363L00000X", "1223G0001X"], ids=["np", "dentist"])
    def test_a_prescriber_at_a_centre_who_is_no_physician_does_not_meet_it(
        self, specialty: str
    ) -> None:
        """3.D's words are "a physician associated with a transplant center".

        A nurse practitioner or a dentist there is not one: approving on the
        affiliation alone was an approval the policy text does not justify.
        """
        request = with_fields(
            base("gvhd"), {"prescriber": doctor(specialty, center=True), "consultants": ()}
        )

        assert reason_labels(decide(request)) == ("3.D",)

    @pytest.mark.parametrize(
        ("prescriber", "consultants", "needed"),
        [
            (doctor(HEMATOLOGY), (), {"prescriber.affiliations"}),
            # At a transplant center, but is the prescriber a physician? Ask.
            (doctor(center=True), (), {"prescriber.specialties"}),
            (doctor(HEMATOLOGY, center=False), None, {"consultants"}),
            (
                doctor(HEMATOLOGY, center=False),
                (doctor(OTHER_SPECIALTY),),
                {"consultants"},
            ),
            (
                doctor(HEMATOLOGY, center=False),
                (doctor(center=False),),
                {"consultants"},
            ),
        ],
    )
    def test_unknown_names_what_is_missing(
        self,
        prescriber: Practitioner,
        consultants: tuple[Practitioner, ...] | None,
        needed: set[str],
    ) -> None:
        request = with_fields(base("gvhd"), {"prescriber": prescriber, "consultants": consultants})

        decision = decide(request)

        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert set(decision.facts_needed) == needed

    def test_a_consultant_at_a_centre_settles_it_whatever_else_is_missing(self) -> None:
        consultants = (Practitioner(), doctor(HEMATOLOGY, center=True))
        request = with_fields(
            base("gvhd"), {"prescriber": Practitioner(), "consultants": consultants}
        )

        assert decide(request).outcome is Outcome.APPROVE

    @pytest.mark.parametrize("specialty", ["363L00000X", "1223G0001X"], ids=["np", "dentist"])
    def test_a_consultant_at_a_centre_who_is_no_physician_does_not_meet_it(
        self, specialty: str
    ) -> None:
        """As for the prescriber: 3.D asks for "a physician associated with a transplant center"."""
        request = with_fields(
            base("gvhd"),
            {
                "prescriber": doctor(HEMATOLOGY, center=False),
                "consultants": (doctor(specialty, center=True),),
            },
        )

        assert reason_labels(decide(request)) == ("3.D",)

    def test_two_consultants_are_not_one_physician_at_a_centre(self) -> None:
        """A transplant center's nurse and a physician elsewhere: neither is what 3.D asks for.

        Read from the consultants' affiliations and specialties pooled, the two together
        met it: an approval the policy text does not justify.
        """
        consultants = (doctor("363L00000X", center=True), doctor(HEMATOLOGY, center=False))
        request = with_fields(
            base("gvhd"),
            {"prescriber": doctor(HEMATOLOGY, center=False), "consultants": consultants},
        )

        assert reason_labels(decide(request)) == ("3.D",)

    def test_a_consultant_at_a_centre_of_no_specialty_given_is_asked_about(self) -> None:
        """At a transplant center, but is the consultant a physician? Ask, as for a prescriber."""
        request = with_fields(
            base("gvhd"),
            {"prescriber": doctor(HEMATOLOGY, center=False), "consultants": (doctor(center=True),)},
        )

        decision = decide(request)

        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert decision.facts_needed == ("consultants",)


@pytest.mark.criteria("1.B.ii")
class TestLesions:
    """1.B.ii: each lesion is metastatic/recurrent/unresectable and cutaneous/subcutaneous/nodal."""

    @pytest.mark.parametrize("status", ALL_STATUSES)
    @pytest.mark.parametrize("site", ALL_SITES)
    def test_every_site_and_status(self, site: str, status: str) -> None:
        request = replace(base("melanoma_intralesional"), "answers.lesions", [lesion(site, status)])
        qualifies = site in QUALIFYING_SITES and status in QUALIFYING_STATUSES

        decision = decide(request)

        if qualifies:
            assert decision.outcome is Outcome.APPROVE
        else:
            assert reason_labels(decision) == ("1.B.ii",)

    def test_one_lesion_that_does_not_qualify_spoils_the_rest(self) -> None:
        lesions = [lesion("nodal", "unresectable"), lesion("visceral", "metastatic")]

        decision = decide(replace(base("melanoma_intralesional"), "answers.lesions", lesions))

        assert reason_labels(decision) == ("1.B.ii",)

    def test_no_lesions_do_not_qualify(self) -> None:
        decision = decide(replace(base("melanoma_intralesional"), "answers.lesions", []))

        assert reason_labels(decision) == ("1.B.ii",)

    @settings(max_examples=30, deadline=None)
    @given(
        st.lists(
            st.builds(lesion, st.sampled_from(ALL_SITES), st.sampled_from(ALL_STATUSES)),
            min_size=1,
            max_size=5,
        )
    )
    def test_any_list(self, lesions: list[dict[str, str]]) -> None:
        request = replace(base("melanoma_intralesional"), "answers.lesions", lesions)
        qualifies = all(
            each["site"] in QUALIFYING_SITES and each["status"] in QUALIFYING_STATUSES
            for each in lesions
        )

        outcome = decide(request).outcome

        assert outcome is (Outcome.APPROVE if qualifies else Outcome.NOT_RECOMMENDED)


class TestRouteHeadings:
    """The route picks the melanoma branch: 1.A needs intravenous, 1.B intralesional."""

    @pytest.mark.criteria("1", "1.A", "1.B")
    @pytest.mark.parametrize("route", [SUBCUTANEOUS, ORAL], ids=lambda c: c.display)
    @pytest.mark.parametrize("path", ["melanoma_iv", "melanoma_intralesional"])
    def test_other_routes_match_neither_branch(self, path: Path, route: Coding) -> None:
        decision = decide(replace(base(path), "medication.route", route))

        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert set(reason_labels(decision)) == {"1.A", "1.B"}

    @pytest.mark.criteria("1.A", "1.B.ii")
    def test_intravenous_request_is_not_judged_by_intralesional_criteria(self) -> None:
        decision = decide(replace(base("melanoma_iv"), "therapies.prior", ()))

        assert reason_labels(decision) == ("1.A.iii",)
        assert trail_nodes(decision)["1.B"].findings[0].status is Status.NOT_MET

    @pytest.mark.criteria("1", "2", "3")
    def test_an_unlisted_condition_fails_every_heading(self) -> None:
        decision = decide(replace(base("rcc"), "diagnoses", (OTHER_DIAGNOSIS,)))

        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert set(reason_labels(decision)) == {"1", "2", "3"}
        assert decision.indication is None


@pytest.mark.criteria("2.D", "1.A.v")
class TestConsultantWithoutSpecialty:
    """A consultant without a specialty leaves the criterion unknown only if no one qualifies."""

    @pytest.mark.parametrize(
        ("consultants", "outcome", "needed"),
        [
            ((doctor(ONCOLOGY), Practitioner()), Outcome.APPROVE, ()),
            (
                (doctor(DERMATOLOGY), Practitioner()),
                Outcome.INSUFFICIENT_INFORMATION,
                ("consultants",),
            ),
            ((doctor(DERMATOLOGY),), Outcome.NOT_RECOMMENDED, ()),
        ],
    )
    def test_rcc(
        self, consultants: tuple[Practitioner, ...], outcome: Outcome, needed: tuple[str, ...]
    ) -> None:
        request = with_fields(
            base("rcc"), {"prescriber": doctor(OTHER_SPECIALTY), "consultants": consultants}
        )
        for trail in (True, False):
            decision = decide_with(request, trail)
            assert (decision.outcome, decision.facts_needed) == (outcome, needed)
