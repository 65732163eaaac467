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
from collections.abc import Callable
from typing import Any

import pytest
from attrs import frozen
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import (
    QUALIFYING_SITES,
    QUALIFYING_STATUSES,
    Path,
    base,
    decide,
    reason_labels,
    replace,
    requests,
    trail_nodes,
    with_fields,
    years_before,
)
from umpolicy import (
    Condition,
    Decision,
    Lesion,
    LesionSite,
    LesionStatus,
    Outcome,
    Physician,
    Request,
    Route,
    Specialty,
    Status,
)
from umpolicy import decide as umpolicy_decide
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


NOBODY = setting(prescriber=Physician(), consultants=None)

#: Every lettered criterion and heading, as the policy words it (PDF line breaks joined).
CASES = (
    Case(
        "1",
        "melanoma_iv",
        "Cutaneous Melanoma",
        setting(diagnosis__condition=Condition.OTHER),
        setting(diagnosis__condition=None),
        frozenset({"diagnosis.condition"}),
        exact=False,
    ),
    Case(
        "1.A",
        "melanoma_iv",
        "Intravenous Therapy",
        setting(regimen__route=Route.SUBCUTANEOUS),
        setting(regimen__route=None),
        frozenset({"regimen.route"}),
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
        setting(diagnosis__metastatic=False, diagnosis__unresectable=False),
        setting(diagnosis__metastatic=None, diagnosis__unresectable=None),
        frozenset({"diagnosis.metastatic", "diagnosis.unresectable"}),
    ),
    Case(
        "1.A.iii",
        "melanoma_iv",
        "Patient has tried at least one other systemic therapy",
        setting(therapy__prior_systemic=()),
        setting(therapy__prior_systemic=None),
        frozenset({"therapy.prior_systemic"}),
    ),
    Case(
        "1.A.iv",
        "melanoma_iv",
        "Proleukin will be used as a single agent",
        setting(therapy__concomitant_anticancer=("ipilimumab",)),
        setting(therapy__concomitant_anticancer=None),
        frozenset({"therapy.concomitant_anticancer"}),
    ),
    Case(
        "1.A.v",
        "melanoma_iv",
        "Proleukin is prescribed by or in consultation with an oncologist",
        setting(
            prescriber=Physician(Specialty.DERMATOLOGY),
            consultants=(Physician(Specialty.DERMATOLOGY), Physician(Specialty.HEMATOLOGY)),
        ),
        NOBODY,
        frozenset({"prescriber.specialty", "consultants"}),
    ),
    Case(
        "1.B",
        "melanoma_intralesional",
        "Intralesional Therapy",
        setting(regimen__route=Route.OTHER),
        setting(regimen__route=None),
        frozenset({"regimen.route"}),
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
        setting(diagnosis__lesions=(Lesion(LesionSite.VISCERAL, LesionStatus.METASTATIC),)),
        setting(diagnosis__lesions=None),
        frozenset({"diagnosis.lesions"}),
    ),
    Case(
        "1.B.iii",
        "melanoma_intralesional",
        "The medication is prescribed by or in consultation with an oncologist or dermatologist.",
        setting(
            prescriber=Physician(Specialty.HEMATOLOGY), consultants=(Physician(Specialty.OTHER),)
        ),
        NOBODY,
        frozenset({"prescriber.specialty", "consultants"}),
    ),
    Case(
        "2",
        "rcc",
        "Renal Cell Carcinoma",
        setting(diagnosis__condition=Condition.OTHER),
        setting(diagnosis__condition=None),
        frozenset({"diagnosis.condition"}),
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
        setting(diagnosis__metastatic=False, diagnosis__unresectable=True),
        setting(diagnosis__metastatic=None, diagnosis__unresectable=True),
        frozenset({"diagnosis.metastatic"}),
    ),
    Case(
        "2.C",
        "rcc",
        "Proleukin will be used as a single agent",
        setting(therapy__concomitant_anticancer=("nivolumab", "ipilimumab")),
        setting(therapy__concomitant_anticancer=None),
        frozenset({"therapy.concomitant_anticancer"}),
    ),
    Case(
        "2.D",
        "rcc",
        "Proleukin is prescribed by or in consultation with an oncologist.",
        setting(prescriber=Physician(Specialty.DERMATOLOGY), consultants=()),
        NOBODY,
        frozenset({"prescriber.specialty", "consultants"}),
    ),
    Case(
        "3",
        "gvhd",
        "Graft-Versus-Host Disease",
        setting(diagnosis__condition=Condition.OTHER),
        setting(diagnosis__condition=None),
        frozenset({"diagnosis.condition"}),
        exact=False,
    ),
    Case(
        "3.A",
        "gvhd",
        "Patient has chronic graft-versus-host disease",
        setting(diagnosis__condition=Condition.ACUTE_GRAFT_VERSUS_HOST_DISEASE),
        setting(diagnosis__condition=None),
        frozenset({"diagnosis.condition"}),
        exact=False,
    ),
    Case(
        "3.B",
        "gvhd",
        "According to the prescriber, the patient has steroid-refractory disease",
        setting(diagnosis__steroid_refractory=False),
        setting(diagnosis__steroid_refractory=None),
        frozenset({"diagnosis.steroid_refractory"}),
    ),
    Case(
        "3.C",
        "gvhd",
        "Proleukin will be used in combination with systemic corticosteroids",
        setting(therapy__systemic_corticosteroids=False),
        setting(therapy__systemic_corticosteroids=None),
        frozenset({"therapy.systemic_corticosteroids"}),
    ),
    Case(
        "3.D",
        "gvhd",
        "Proleukin will be prescribed by or in consultation with an oncologist or a physician "
        "associated with a transplant center.",
        setting(
            prescriber=Physician(Specialty.HEMATOLOGY, transplant_center=False),
            consultants=(Physician(Specialty.DERMATOLOGY, transplant_center=False),),
        ),
        NOBODY,
        frozenset({"prescriber.specialty", "prescriber.transplant_center", "consultants"}),
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
        assert case.words in reason.text

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

        (finding,) = trail_nodes(decision)["1.A.i"].findings
        (age,) = finding.facts
        assert age.name == "patient.age"
        assert age.display() == "17 years"
        assert {fact.name for fact in age.inputs} == {"patient.birth_date", "request.date"}


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
        assert "patient.age" not in {
            f.name
            for n in trail_nodes(decision).values()
            if n.label.startswith("3")
            for f in n.facts()
        }


@pytest.mark.criteria("3", "3.A")
class TestAcuteGvhd:
    """Acute graft-versus-host disease falls under heading 3 and fails 3.A (chronic disease)."""

    def test_acute_fails_3a_only(self) -> None:
        acute = replace(
            base("gvhd"), "diagnosis.condition", Condition.ACUTE_GRAFT_VERSUS_HOST_DISEASE
        )

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
                "diagnosis.condition": Condition.ACUTE_GRAFT_VERSUS_HOST_DISEASE,
                "diagnosis.steroid_refractory": False,
            },
        )

        assert reason_labels(decide(acute)) == ("3.A", "3.B")


class TestMetastaticOrUnresectable:
    """1.A.ii is met by metastatic or unresectable disease; 2.B needs metastatic disease."""

    @pytest.mark.criteria("1.A.ii")
    @pytest.mark.parametrize(
        ("metastatic", "unresectable"), list(itertools.product((True, False, None), repeat=2))
    )
    def test_melanoma(self, metastatic: bool | None, unresectable: bool | None) -> None:
        request = with_fields(
            base("melanoma_iv"),
            {"diagnosis.metastatic": metastatic, "diagnosis.unresectable": unresectable},
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
                    ("diagnosis.metastatic", metastatic),
                    ("diagnosis.unresectable", unresectable),
                )
                if value is None
            }
            assert set(decision.facts_needed) == missing

    @pytest.mark.criteria("2.B")
    @pytest.mark.parametrize("unresectable", [True, False, None])
    @pytest.mark.parametrize("metastatic", [True, False, None])
    def test_renal_cell_carcinoma(self, metastatic: bool | None, unresectable: bool | None) -> None:
        request = with_fields(
            base("rcc"),
            {"diagnosis.metastatic": metastatic, "diagnosis.unresectable": unresectable},
        )

        decision = decide(request)

        expected = {
            True: Outcome.APPROVE,
            False: Outcome.NOT_RECOMMENDED,
            None: Outcome.INSUFFICIENT_INFORMATION,
        }[metastatic]
        assert decision.outcome is expected


class TestTherapies:
    """1.A.iii needs one or more prior systemic therapies; 1.A.iv and 2.C none given with it."""

    @pytest.mark.criteria("1.A.iii")
    @pytest.mark.parametrize(
        ("prior", "met"),
        [((), False), (("pembrolizumab",), True), (("nivolumab", "ipilimumab"), True)],
    )
    def test_prior_systemic(self, prior: tuple[str, ...], met: bool) -> None:
        decision = decide(replace(base("melanoma_iv"), "therapy.prior_systemic", prior))

        assert decision.outcome is (Outcome.APPROVE if met else Outcome.NOT_RECOMMENDED)

    @pytest.mark.parametrize(
        ("path", "label"),
        [
            pytest.param("melanoma_iv", "1.A.iv", marks=pytest.mark.criteria("1.A.iv")),
            pytest.param("rcc", "2.C", marks=pytest.mark.criteria("2.C")),
        ],
    )
    @pytest.mark.parametrize(
        ("concomitant", "met"), [((), True), (("ipilimumab",), False), (("a", "b"), False)]
    )
    def test_single_agent(
        self, path: Path, label: str, concomitant: tuple[str, ...], met: bool
    ) -> None:
        decision = decide(replace(base(path), "therapy.concomitant_anticancer", concomitant))

        if met:
            assert decision.outcome is Outcome.APPROVE
        else:
            assert reason_labels(decision) == (label,)


SPECIALTIES = list(Specialty)
CONSULTANTS: list[tuple[Physician, ...]] = [(), *[(Physician(s),) for s in Specialty]]


class TestPrescriberOrConsultant:
    """1.A.v, 1.B.iii and 2.D are met when the prescriber or any consultant has the specialty."""

    @pytest.mark.parametrize(
        ("path", "label", "qualifying"),
        [
            pytest.param(
                "melanoma_iv", "1.A.v", {Specialty.ONCOLOGY}, marks=pytest.mark.criteria("1.A.v")
            ),
            pytest.param(
                "melanoma_intralesional",
                "1.B.iii",
                {Specialty.ONCOLOGY, Specialty.DERMATOLOGY},
                marks=pytest.mark.criteria("1.B.iii"),
            ),
            pytest.param("rcc", "2.D", {Specialty.ONCOLOGY}, marks=pytest.mark.criteria("2.D")),
        ],
    )
    @pytest.mark.parametrize(
        "consultants",
        CONSULTANTS,
        ids=lambda c: "+".join(p.specialty.value for p in c if p.specialty) or "none",
    )
    @pytest.mark.parametrize("specialty", SPECIALTIES, ids=lambda s: s.value)
    def test_table(
        self,
        path: Path,
        label: str,
        qualifying: set[Specialty],
        specialty: Specialty,
        consultants: tuple[Physician, ...],
    ) -> None:
        request = with_fields(
            base(path), {"prescriber": Physician(specialty), "consultants": consultants}
        )
        met = specialty in qualifying or any(c.specialty in qualifying for c in consultants)

        decision = decide(request)

        if met:
            assert decision.outcome is Outcome.APPROVE
        else:
            assert reason_labels(decision) == (label,)

    @pytest.mark.criteria("1.A.v", "1.B.iii", "2.D")
    @pytest.mark.parametrize("path", ["melanoma_iv", "melanoma_intralesional", "rcc"])
    def test_prescriber_suffices_when_consultants_are_not_given(self, path: Path) -> None:
        request = with_fields(
            base(path), {"prescriber": Physician(Specialty.ONCOLOGY), "consultants": None}
        )

        assert decide(request).outcome is Outcome.APPROVE

    @pytest.mark.criteria("1.A.v", "1.B.iii", "2.D")
    @pytest.mark.parametrize("path", ["melanoma_iv", "melanoma_intralesional", "rcc"])
    def test_consultant_suffices_when_prescriber_specialty_is_not_given(self, path: Path) -> None:
        request = with_fields(
            base(path),
            {
                "prescriber": Physician(),
                "consultants": (Physician(Specialty.OTHER), Physician(Specialty.ONCOLOGY)),
            },
        )

        assert decide(request).outcome is Outcome.APPROVE

    @pytest.mark.criteria("1.A.v", "1.B.iii", "2.D")
    @pytest.mark.parametrize(
        ("prescriber", "consultants", "needed"),
        [
            (Physician(Specialty.OTHER), None, {"consultants"}),
            (Physician(), (), {"prescriber.specialty"}),
            (Physician(), None, {"prescriber.specialty", "consultants"}),
            (Physician(Specialty.OTHER), (Physician(),), {"consultants.specialties"}),
        ],
    )
    @pytest.mark.parametrize("path", ["melanoma_iv", "melanoma_intralesional", "rcc"])
    def test_unknown_names_what_is_missing(
        self,
        path: Path,
        prescriber: Physician,
        consultants: tuple[Physician, ...] | None,
        needed: set[str],
    ) -> None:
        request = with_fields(base(path), {"prescriber": prescriber, "consultants": consultants})

        decision = decide(request)

        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert set(decision.facts_needed) == needed


GVHD_PHYSICIANS = [
    Physician(specialty, centre)
    for specialty in (Specialty.ONCOLOGY, Specialty.HEMATOLOGY, Specialty.TRANSPLANT)
    for centre in (True, False)
]


def _physician_id(physician: Physician) -> str:
    specialty = physician.specialty.value if physician.specialty else "unknown"
    return f"{specialty}{'@centre' if physician.transplant_center else ''}"


@pytest.mark.criteria("3.D")
class TestTransplantCenter:
    """3.D is met by an oncologist or a transplant-center physician, prescribing or consulted."""

    @pytest.mark.parametrize(
        "consultants",
        [(), *[(c,) for c in GVHD_PHYSICIANS]],
        ids=lambda c: "+".join(map(_physician_id, c)) or "none",
    )
    @pytest.mark.parametrize("prescriber", GVHD_PHYSICIANS, ids=_physician_id)
    def test_table(self, prescriber: Physician, consultants: tuple[Physician, ...]) -> None:
        request = with_fields(base("gvhd"), {"prescriber": prescriber, "consultants": consultants})
        met = any(
            p.specialty is Specialty.ONCOLOGY or p.transplant_center is True
            for p in (prescriber, *consultants)
        )

        decision = decide(request)

        if met:
            assert decision.outcome is Outcome.APPROVE
        else:
            assert reason_labels(decision) == ("3.D",)

    def test_transplant_specialty_alone_is_not_a_transplant_center(self) -> None:
        request = with_fields(
            base("gvhd"),
            {
                "prescriber": Physician(Specialty.TRANSPLANT, transplant_center=False),
                "consultants": (),
            },
        )

        assert reason_labels(decide(request)) == ("3.D",)

    @pytest.mark.parametrize(
        ("prescriber", "consultants", "needed"),
        [
            (Physician(Specialty.HEMATOLOGY), (), {"prescriber.transplant_center"}),
            (Physician(Specialty.HEMATOLOGY, False), None, {"consultants"}),
            (
                Physician(Specialty.HEMATOLOGY, False),
                (Physician(Specialty.OTHER),),
                {"consultants.transplant_center"},
            ),
            (
                Physician(Specialty.HEMATOLOGY, False),
                (Physician(None, False),),
                {"consultants.specialties"},
            ),
        ],
    )
    def test_unknown_names_what_is_missing(
        self,
        prescriber: Physician,
        consultants: tuple[Physician, ...] | None,
        needed: set[str],
    ) -> None:
        request = with_fields(base("gvhd"), {"prescriber": prescriber, "consultants": consultants})

        decision = decide(request)

        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert set(decision.facts_needed) == needed

    def test_a_consultant_at_a_centre_settles_it_whatever_else_is_missing(self) -> None:
        request = with_fields(
            base("gvhd"),
            {"prescriber": Physician(), "consultants": (Physician(), Physician(None, True))},
        )

        assert decide(request).outcome is Outcome.APPROVE


@pytest.mark.criteria("1.B.ii")
class TestLesions:
    """1.B.ii: each lesion is metastatic/recurrent/unresectable and cutaneous/subcutaneous/nodal."""

    @pytest.mark.parametrize("status", list(LesionStatus), ids=lambda s: s.value)
    @pytest.mark.parametrize("site", list(LesionSite), ids=lambda s: s.value)
    def test_every_site_and_status(self, site: LesionSite, status: LesionStatus) -> None:
        request = replace(
            base("melanoma_intralesional"), "diagnosis.lesions", (Lesion(site, status),)
        )
        qualifies = site in QUALIFYING_SITES and status in QUALIFYING_STATUSES

        decision = decide(request)

        if qualifies:
            assert decision.outcome is Outcome.APPROVE
        else:
            assert reason_labels(decision) == ("1.B.ii",)

    def test_one_lesion_that_does_not_qualify_spoils_the_rest(self) -> None:
        lesions = (
            Lesion(LesionSite.NODAL, LesionStatus.UNRESECTABLE),
            Lesion(LesionSite.VISCERAL, LesionStatus.METASTATIC),
        )

        decision = decide(replace(base("melanoma_intralesional"), "diagnosis.lesions", lesions))

        assert reason_labels(decision) == ("1.B.ii",)

    def test_no_lesions_do_not_qualify(self) -> None:
        decision = decide(replace(base("melanoma_intralesional"), "diagnosis.lesions", ()))

        assert reason_labels(decision) == ("1.B.ii",)

    @settings(max_examples=30, deadline=None)
    @given(
        st.lists(
            st.builds(Lesion, st.sampled_from(LesionSite), st.sampled_from(LesionStatus)),
            min_size=1,
            max_size=5,
        )
    )
    def test_any_list(self, lesions: list[Lesion]) -> None:
        request = replace(base("melanoma_intralesional"), "diagnosis.lesions", tuple(lesions))
        qualifies = all(
            lesion.site in QUALIFYING_SITES and lesion.status in QUALIFYING_STATUSES
            for lesion in lesions
        )

        outcome = decide(request).outcome

        assert outcome is (Outcome.APPROVE if qualifies else Outcome.NOT_RECOMMENDED)


class TestRouteHeadings:
    """The route picks the melanoma branch: 1.A needs intravenous, 1.B intralesional."""

    @pytest.mark.criteria("1", "1.A", "1.B")
    @pytest.mark.parametrize("route", [Route.SUBCUTANEOUS, Route.OTHER])
    @pytest.mark.parametrize("path", ["melanoma_iv", "melanoma_intralesional"])
    def test_other_routes_match_neither_branch(self, path: Path, route: Route) -> None:
        decision = decide(replace(base(path), "regimen.route", route))

        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert set(reason_labels(decision)) == {"1.A", "1.B"}

    @pytest.mark.criteria("1.A", "1.B.ii")
    def test_intravenous_request_is_not_judged_by_intralesional_criteria(self) -> None:
        decision = decide(replace(base("melanoma_iv"), "therapy.prior_systemic", ()))

        assert reason_labels(decision) == ("1.A.iii",)
        assert trail_nodes(decision)["1.B"].findings[0].status is Status.NOT_MET

    @pytest.mark.criteria("1", "2", "3")
    def test_an_unlisted_condition_fails_every_heading(self) -> None:
        decision = decide(replace(base("rcc"), "diagnosis.condition", Condition.OTHER))

        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert set(reason_labels(decision)) == {"1", "2", "3"}
        assert decision.indication is None


@pytest.mark.criteria("2.D", "1.A.v")
class TestConsultantWithoutSpecialty:
    """A consultant without a specialty leaves the criterion unknown only if no one qualifies."""

    @pytest.mark.parametrize(
        ("consultants", "outcome", "needed"),
        [
            ((Physician(Specialty.ONCOLOGY), Physician()), Outcome.APPROVE, ()),
            (
                (Physician(Specialty.DERMATOLOGY), Physician()),
                Outcome.INSUFFICIENT_INFORMATION,
                ("consultants.specialties",),
            ),
            ((Physician(Specialty.DERMATOLOGY),), Outcome.NOT_RECOMMENDED, ()),
        ],
    )
    def test_rcc(
        self, consultants: tuple[Physician, ...], outcome: Outcome, needed: tuple[str, ...]
    ) -> None:
        request = with_fields(
            base("rcc"), {"prescriber": Physician(Specialty.OTHER), "consultants": consultants}
        )
        for trail in (True, False):
            decision = decide_with(request, trail)
            assert (decision.outcome, decision.facts_needed) == (outcome, needed)
