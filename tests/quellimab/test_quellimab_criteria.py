"""The Quellimab criteria, one lettered criterion at a time, against the policy text.

Quellimab is FICTIONAL (a teaching policy). Each case starts from a base request
that meets every criterion and dosing limit of one branch (``helpers.base_data``)
and breaks exactly one criterion, or removes the facts it reads. A criterion not met
leaves no indication met, so coverage is not recommended with that criterion as the
reason (CONDITIONS NOT RECOMMENDED 2); a criterion that cannot be checked leaves the
request undecided, naming the facts it needs. An alternative (a or b) fails only
with its sibling, and both are then named.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest
from attrs import frozen
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.quellimab.helpers import (
    ADALIMUMAB,
    BASES,
    DROP,
    FAMILY_MEDICINE,
    METHOTREXATE,
    POLICY,
    TODAY,
    Base,
    base_data,
    changed,
    decide,
    q,
    reason_labels,
    status,
    steps,
    therapy,
    years_before,
)
from umpolicy import Outcome, Status

HYPOTHESIS = settings(max_examples=25, deadline=None)


def day_before_birthday(years: int) -> str:
    """A birth date whose ``years``-th birthday is the day after the request."""
    return (years_before(TODAY, years) + dt.timedelta(days=1)).isoformat()


@frozen
class Case:
    """One criterion: where it is met, how to fail it, how to leave it unknown."""

    label: str
    base: Base
    fail: dict[str, Any]
    missing: dict[str, Any]
    needed: frozenset[str]
    #: The criteria the decision names when it fails (an alternative names its sibling).
    reasons: tuple[str, ...] | None = None

    @property
    def expected_reasons(self) -> tuple[str, ...]:
        return self.reasons or (self.label,)


NO_RHEUMATOLOGIST = {
    "prescriber": {"specialties": [FAMILY_MEDICINE]},
    "consultants": [{"specialties": [FAMILY_MEDICINE]}],
}
NOBODY = {"prescriber": {}, "consultants": DROP}
PSORIATIC = [{"code": "L40.50", "display": "Arthropathic psoriasis, unspecified"}]

CASES = (
    Case(
        "1",
        "ra_initial",
        {"diagnoses": PSORIATIC},
        {"diagnoses": DROP},
        frozenset({"diagnoses"}),
        reasons=("1", "2"),
    ),
    Case(
        "1.A.i",
        "ra_initial",
        {"patient.birth_date": day_before_birthday(18)},
        {"patient.birth_date": DROP},
        frozenset({"patient.birth_date"}),
    ),
    Case(
        "1.A.ii.a",
        "ra_initial",
        {"therapies.prior": [therapy(*METHOTREXATE, q("2", "mo"), "failure")]},
        {"therapies.prior": DROP},
        frozenset({"therapies.prior"}),
        reasons=("1.A.ii.a", "1.A.ii.b"),
    ),
    Case(
        "1.A.ii.b",
        "ra_contraindication",
        {"therapies.prior": []},
        {"therapies.prior": DROP},
        frozenset({"therapies.prior"}),
        reasons=("1.A.ii.a", "1.A.ii.b"),
    ),
    Case(
        # Failing 1.A.iii also meets CONDITIONS NOT RECOMMENDED 1, which decides first.
        "1.A.iii",
        "ra_initial",
        {"therapies.concomitant": [therapy(*ADALIMUMAB)]},
        {"therapies.concomitant": DROP},
        frozenset({"therapies.concomitant"}),
        reasons=("Not Recommended 1",),
    ),
    Case(
        "1.A.iv",
        "ra_initial",
        NO_RHEUMATOLOGIST,
        NOBODY,
        frozenset({"prescriber.specialties", "consultants"}),
    ),
    Case(
        "1.B.i",
        "ra_continuation",
        {"therapies.time_on_drug": q("5", "mo")},
        {"therapies.time_on_drug": DROP},
        frozenset({"therapies.time_on_drug"}),
    ),
    Case(
        "1.B.ii",
        "ra_continuation",
        {"answers.quellimab.response": False},
        {"answers": DROP},
        frozenset({"answers.response"}),
    ),
    Case(
        "2",
        "pjia_initial",
        {"diagnoses": PSORIATIC},
        {"diagnoses": DROP},
        frozenset({"diagnoses"}),
        reasons=("1", "2"),
    ),
    Case(
        "2.A.i",
        "pjia_initial",
        {"patient.birth_date": day_before_birthday(2), "patient.weight": q("12", "kg")},
        {"patient.birth_date": DROP},
        frozenset({"patient.birth_date"}),
    ),
    Case(
        "2.A.ii.a",
        "pjia_initial",
        {"therapies.prior": []},
        {"therapies.prior": DROP},
        frozenset({"therapies.prior"}),
        reasons=("2.A.ii.a", "2.A.ii.b"),
    ),
    Case(
        "2.A.ii.b",
        "pjia_with_methotrexate",
        {"therapies.concomitant": []},
        {"therapies.concomitant": DROP},
        frozenset({"therapies.concomitant"}),
        reasons=("2.A.ii.a", "2.A.ii.b"),
    ),
    Case(
        "2.A.iii",
        "pjia_initial",
        NO_RHEUMATOLOGIST,
        NOBODY,
        frozenset({"prescriber.specialties", "consultants"}),
    ),
    Case(
        "2.B",
        "pjia_continuation",
        {"answers.quellimab.response": False},
        {"answers": DROP},
        frozenset({"answers.response"}),
    ),
)
IDS = [case.label for case in CASES]
#: The alternatives (a or b), met in the base only through the case's own letter.
ALTERNATIVES = {
    "1.A.ii.a": "1.A.ii",
    "1.A.ii.b": "1.A.ii",
    "2.A.ii.a": "2.A.ii",
    "2.A.ii.b": "2.A.ii",
}


def _marked(cases: tuple[Case, ...]) -> list[Any]:
    params = []
    for case in cases:
        labels = [case.label, *([ALTERNATIVES[case.label]] if case.label in ALTERNATIVES else [])]
        params.append(pytest.param(case, id=case.label, marks=pytest.mark.criteria(*labels)))
    return params


@pytest.mark.criteria("1.A", "1.B", "2.A", "2.B")
class TestBases:
    """Each base request meets its branch, so every case below breaks one thing only."""

    @pytest.mark.parametrize("which", BASES)
    def test_base_is_approved(self, which: Base) -> None:
        decision = decide(base_data(which))
        assert decision.outcome is Outcome.APPROVE, decision.summary


class TestEachCriterionFailingAlone:
    """A criterion not met alone means no indication is met: not recommended, naming it."""

    @pytest.mark.parametrize("case", _marked(CASES))
    def test_fails_alone(self, case: Case) -> None:
        decision = decide(changed(base_data(case.base), case.fail))
        assert decision.outcome is Outcome.NOT_RECOMMENDED, decision.summary
        assert reason_labels(decision) == case.expected_reasons
        assert status(decision, case.label) is Status.NOT_MET
        assert decision.authorization is None

    @pytest.mark.parametrize("case", _marked(CASES))
    def test_only_it_and_its_headings_change(self, case: Case) -> None:
        """Only the broken criterion, a sibling reading its facts, and headings change."""
        before = steps(decide(base_data(case.base)))
        after = steps(decide(changed(base_data(case.base), case.fail)))
        root = case.label.split(".")[0]
        own = [label for label in before if label == root or label.startswith(root + ".")]
        moved = {label for label in own if after[label].status is not before[label].status}
        parts = case.label.split(".")
        headings = {".".join(parts[:n]) for n in range(1, len(parts) + 1)}
        assert case.label in moved
        assert moved <= headings | set(case.expected_reasons)

    @pytest.mark.parametrize("case", _marked(CASES))
    def test_not_recommended_says_the_catch_all(self, case: Case) -> None:
        decision = decide(changed(base_data(case.base), case.fail))
        item = "1" if case.expected_reasons == ("Not Recommended 1",) else "2"
        text = next(each.text for each in POLICY.not_recommended if each.label == item)
        assert text in decision.summary


class TestEachCriterionUnknown:
    """A criterion whose facts are not given leaves the request undecided, naming them."""

    @pytest.mark.parametrize("case", _marked(CASES))
    def test_unknown(self, case: Case) -> None:
        decision = decide(changed(base_data(case.base), case.missing))
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION, decision.summary
        assert set(decision.facts_needed) == case.needed
        assert status(decision, case.label) is Status.UNKNOWN
        assert case.label in [reason.label for reason in decision.reasons]
        assert {reason.status for reason in decision.reasons} == {Status.UNKNOWN}
        needed = {name for reason in decision.reasons for name in reason.facts_needed}
        assert needed == case.needed


@pytest.mark.criteria("1.A.ii", "1.A.ii.a", "1.A.ii.b", "2.A.ii", "2.A.ii.a", "2.A.ii.b")
class TestAlternatives:
    """ONE of (a or b): either letter alone meets the criterion."""

    @pytest.mark.parametrize(
        ("which", "label"),
        [
            ("ra_initial", "1.A.ii"),
            ("ra_contraindication", "1.A.ii"),
            ("pjia_initial", "2.A.ii"),
            ("pjia_with_methotrexate", "2.A.ii"),
        ],
    )
    def test_one_letter_meets_it(self, which: Base, label: str) -> None:
        decision = decide(base_data(which))
        letters = [status(decision, f"{label}.{letter}") for letter in "ab"]
        assert Status.MET in letters
        assert status(decision, label) is Status.MET

    def test_both_letters_met(self) -> None:
        data = changed(
            base_data("ra_initial"),
            {
                "therapies.prior": [
                    therapy(*METHOTREXATE, q("6", "mo"), "failure"),
                    therapy(*METHOTREXATE, outcome="contraindication"),
                ]
            },
        )
        decision = decide(data)
        assert decision.outcome is Outcome.APPROVE
        assert status(decision, "1.A.ii.a") is status(decision, "1.A.ii.b") is Status.MET


@pytest.mark.criteria("1.A.ii.a")
class TestStepTherapy:
    """1.A.ii.a: one csDMARD of the four, tried for at least 3 months."""

    @pytest.mark.parametrize(
        ("name", "code"),
        [
            ("methotrexate", "L04AX03"),
            ("methotrexate", "L01BA01"),
            ("leflunomide", "L04AA13"),
            ("leflunomide", "L04AK01"),
            ("sulfasalazine", "A07EC01"),
            ("hydroxychloroquine", "P01BA02"),
        ],
    )
    def test_each_csdmard_counts(self, name: str, code: str) -> None:
        data = changed(
            base_data("ra_initial"),
            {"therapies.prior": [therapy(name, code, q("3", "mo"), "failure")]},
        )
        assert decide(data).outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        ("name", "code"),
        [("azathioprine", "L04AX01"), ("prednisone", "H02AB07"), ("ibuprofen", "M01AE01")],
    )
    def test_other_therapies_do_not(self, name: str, code: str) -> None:
        data = changed(
            base_data("ra_initial"),
            {"therapies.prior": [therapy(name, code, q("1", "a"), "failure")]},
        )
        decision = decide(data)
        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert reason_labels(decision) == ("1.A.ii.a", "1.A.ii.b")

    @pytest.mark.parametrize(
        ("duration", "met"),
        [
            (q("3", "mo"), True),
            (q("2.999", "mo"), False),
            (q("92", "d"), True),
            (q("91", "d"), False),
            (q("13", "wk"), False),
            (q("14", "wk"), True),
            (q("0.25", "a"), True),
        ],
    )
    def test_trial_length_at_under_and_over(self, duration: dict[str, str], met: bool) -> None:
        """3 UCUM months are 91.3125 days: 13 weeks is short, 92 days enough."""
        data = changed(
            base_data("ra_initial"),
            {"therapies.prior": [therapy(*METHOTREXATE, duration, "failure")]},
        )
        assert (decide(data).outcome is Outcome.APPROVE) is met

    @HYPOTHESIS
    @given(
        days=st.integers(min_value=1, max_value=400),
        outcome=st.sampled_from(["failure", "intolerance", "response", None]),
    )
    def test_any_trial_length_in_days(self, days: int, outcome: str | None) -> None:
        """From a day on (a trial of no days is an input error: validation's tests)."""
        data = changed(
            base_data("ra_initial"),
            {"therapies.prior": [therapy(*METHOTREXATE, q(str(days), "d"), outcome)]},
        )
        # 3 months = 3 × 365.25 / 12 days: days ≥ 91.3125 ⟺ 4 × days ≥ 365.25
        met = 4 * days >= Fraction("365.25")
        # Short of the trial, 1.A.ii.b asks whether methotrexate is contraindicated: with
        # no outcome given, it may be.
        short = Outcome.INSUFFICIENT_INFORMATION if outcome is None else Outcome.NOT_RECOMMENDED
        expected = Outcome.APPROVE if met else short
        assert decide(data).outcome is expected

    def test_trial_without_its_length_is_unknown(self) -> None:
        data = changed(
            base_data("ra_initial"),
            {"therapies.prior": [therapy(*METHOTREXATE, outcome="failure")]},
        )
        decision = decide(data)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        # The history is given but incomplete: the decision names what to complete.
        assert decision.facts_needed == ("therapies.prior",)

    def test_a_long_enough_trial_settles_an_unknown_one(self) -> None:
        data = changed(
            base_data("ra_initial"),
            {
                "therapies.prior": [
                    therapy("leflunomide", "L04AK01", outcome="failure"),
                    therapy("sulfasalazine", "A07EC01", q("5", "mo"), "intolerance"),
                ]
            },
        )
        assert decide(data).outcome is Outcome.APPROVE


@pytest.mark.criteria("1.A.ii.b")
class TestContraindication:
    """1.A.ii.b: methotrexate recorded as contraindicated; no other drug's counts."""

    @pytest.mark.parametrize("code", ["L04AX03", "L01BA01"])
    def test_methotrexate_contraindicated(self, code: str) -> None:
        data = changed(
            base_data("ra_contraindication"),
            {"therapies.prior": [therapy("methotrexate", code, outcome="contraindication")]},
        )
        assert decide(data).outcome is Outcome.APPROVE

    def test_another_drug_contraindicated_does_not_count(self) -> None:
        data = changed(
            base_data("ra_contraindication"),
            {
                "therapies.prior": [
                    therapy("leflunomide", "L04AK01", q("1", "mo"), "contraindication")
                ]
            },
        )
        decision = decide(data)
        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert reason_labels(decision) == ("1.A.ii.a", "1.A.ii.b")

    @pytest.mark.parametrize("outcome", ["failure", "intolerance", "response"])
    def test_other_outcomes_are_not_a_contraindication(self, outcome: str) -> None:
        data = changed(
            base_data("ra_contraindication"),
            {"therapies.prior": [therapy(*METHOTREXATE, q("1", "mo"), outcome)]},
        )
        assert decide(data).outcome is Outcome.NOT_RECOMMENDED


@pytest.mark.criteria("2.A.ii.a")
class TestOtherSystemicTherapy:
    """2.A.ii.a: another systemic disease-modifying therapy that was tried."""

    @pytest.mark.parametrize(
        ("name", "code"),
        [
            ("methotrexate", "L04AX03"),
            ("leflunomide", "L04AK01"),
            ("sulfasalazine", "A07EC01"),
            ("hydroxychloroquine", "P01BA02"),
            ("etanercept", "L04AB01"),
            ("tocilizumab", "L04AC07"),
            ("tofacitinib", "L04AF01"),
            ("tofacitinib", "L04AA29"),  # ATC before 2022
            ("abatacept", "L04AA24"),
        ],
    )
    @pytest.mark.parametrize("outcome", ["failure", "intolerance", "response"])
    def test_a_tried_systemic_therapy_counts(self, name: str, code: str, outcome: str) -> None:
        data = changed(
            base_data("pjia_initial"), {"therapies.prior": [therapy(name, code, outcome=outcome)]}
        )
        assert decide(data).outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        ("name", "code"), [("pembrolizumab", "L01FF02"), ("dupilumab", "D11AH05")]
    )
    def test_a_biologic_of_another_disease_is_not_for_this_condition(
        self, name: str, code: str
    ) -> None:
        """One other systemic therapy "for this condition": a cancer's biologic is not one."""
        data = changed(
            base_data("pjia_initial"), {"therapies.prior": [therapy(name, code, outcome="failure")]}
        )
        decision = decide(data)
        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert reason_labels(decision) == ("2.A.ii.a", "2.A.ii.b")

    def test_a_contraindicated_therapy_was_not_tried(self) -> None:
        """A contraindicated therapy was never given: 2.A.ii.a is not met."""
        data = changed(
            base_data("pjia_initial"),
            {"therapies.prior": [therapy(*METHOTREXATE, q("3", "mo"), "contraindication")]},
        )
        decision = decide(data)
        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert reason_labels(decision) == ("2.A.ii.a", "2.A.ii.b")

    def test_a_therapy_whose_outcome_is_not_given_leaves_it_unknown(self) -> None:
        """What happened is a missing fact: it may have failed, so the decision asks for it."""
        data = changed(
            base_data("pjia_initial"),
            {"therapies.prior": [therapy(*METHOTREXATE, q("3", "mo"), None)]},
        )
        decision = decide(data)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert "2.A.ii.a" in reason_labels(decision)
        assert "therapies.prior" in decision.facts_needed

    @pytest.mark.parametrize(
        ("name", "code"), [("naproxen", "M01AE02"), ("prednisolone", "H02AB06")]
    )
    def test_symptomatic_therapies_do_not_count(self, name: str, code: str) -> None:
        data = changed(
            base_data("pjia_initial"),
            {"therapies.prior": [therapy(name, code, q("6", "mo"), "failure")]},
        )
        assert decide(data).outcome is Outcome.NOT_RECOMMENDED


@pytest.mark.criteria("2.A.ii.b")
class TestWithMethotrexate:
    """2.A.ii.b: methotrexate is among the therapies to be given with Quellimab."""

    @pytest.mark.parametrize("code", ["L04AX03", "L01BA01"])
    def test_methotrexate_alongside(self, code: str) -> None:
        data = changed(
            base_data("pjia_with_methotrexate"),
            {"therapies.concomitant": [therapy("methotrexate", code)]},
        )
        assert decide(data).outcome is Outcome.APPROVE

    def test_leflunomide_alongside_is_not_methotrexate(self) -> None:
        data = changed(
            base_data("pjia_with_methotrexate"),
            {"therapies.concomitant": [therapy("leflunomide", "L04AK01")]},
        )
        decision = decide(data)
        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert reason_labels(decision) == ("2.A.ii.a", "2.A.ii.b")

    @pytest.mark.parametrize(
        ("outcome", "expected"),
        [
            ("contraindication", Outcome.NOT_RECOMMENDED),  # it will not be given
            (None, Outcome.APPROVE),
            ("failure", Outcome.APPROVE),
            ("intolerance", Outcome.APPROVE),
            ("response", Outcome.APPROVE),
        ],
    )
    def test_contraindicated_methotrexate_is_not_given_with_it(
        self, outcome: str | None, expected: Outcome
    ) -> None:
        listed = [therapy(*METHOTREXATE, outcome=outcome)]
        decision = decide(
            changed(base_data("pjia_with_methotrexate"), {"therapies.concomitant": listed})
        )
        assert decision.outcome is expected
        if expected is Outcome.NOT_RECOMMENDED:
            assert reason_labels(decision) == ("2.A.ii.a", "2.A.ii.b")


@pytest.mark.criteria("1.A.i", "2.A.i")
class TestAge:
    """≥ 18 (rheumatoid arthritis) and ≥ 2 (pJIA) years, in whole years on the request date."""

    @HYPOTHESIS
    @given(days=st.integers(min_value=-800, max_value=800))
    def test_adult_around_the_eighteenth_birthday(self, days: int) -> None:
        birth = years_before(TODAY, 18) + dt.timedelta(days=days)
        data = changed(base_data("ra_initial"), {"patient.birth_date": birth.isoformat()})
        expected = Outcome.APPROVE if days <= 0 else Outcome.NOT_RECOMMENDED
        assert decide(data).outcome is expected

    @HYPOTHESIS
    @given(days=st.integers(min_value=-400, max_value=400))
    def test_child_around_the_second_birthday(self, days: int) -> None:
        birth = years_before(TODAY, 2) + dt.timedelta(days=days)
        data = changed(
            base_data("pjia_initial"),
            {"patient.birth_date": birth.isoformat(), "patient.weight": q("12", "kg")},
        )
        expected = Outcome.APPROVE if days <= 0 else Outcome.NOT_RECOMMENDED
        assert decide(data).outcome is expected

    def test_continuation_has_no_age_criterion(self) -> None:
        data = changed(
            base_data("pjia_continuation"), {"patient.birth_date": day_before_birthday(2)}
        )
        assert decide(data).outcome is Outcome.APPROVE


@pytest.mark.criteria("1.A.iv", "2.A.iii")
class TestRheumatologist:
    """Prescribed by, or in consultation with, a rheumatologist (either NUCC code)."""

    @pytest.mark.parametrize("which", ["ra_initial", "pjia_initial"])
    @pytest.mark.parametrize("code", ["207RR0500X", "2080P0216X"])
    @pytest.mark.parametrize("who", ["prescriber", "consultant"])
    def test_either_code_either_role(self, which: Base, code: str, who: str) -> None:
        fields: dict[str, Any] = (
            {"prescriber": {"specialties": [code]}, "consultants": []}
            if who == "prescriber"
            else {
                "prescriber": {"specialties": [FAMILY_MEDICINE]},
                "consultants": [{"specialties": [FAMILY_MEDICINE]}, {"specialties": [code]}],
            }
        )
        assert decide(changed(base_data(which), fields)).outcome is Outcome.APPROVE

    def test_a_consultant_without_specialty_leaves_it_unknown(self) -> None:
        data = changed(
            base_data("ra_initial"),
            {"prescriber": {"specialties": [FAMILY_MEDICINE]}, "consultants": [{}]},
        )
        decision = decide(data)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert decision.facts_needed == ("consultants",)


@pytest.mark.criteria("1.B.i")
class TestEstablishedOnTherapy:
    """1.B.i: at least 6 UCUM months (182.625 days) on Quellimab."""

    @pytest.mark.parametrize(
        ("time", "met"),
        [
            (q("6", "mo"), True),
            (q("5.999", "mo"), False),
            (q("183", "d"), True),
            (q("182", "d"), False),
            (q("26", "wk"), False),
            (q("27", "wk"), True),
            (q("0.5", "a"), True),
        ],
    )
    def test_at_under_and_over(self, time: dict[str, str], met: bool) -> None:
        data = changed(base_data("ra_continuation"), {"therapies.time_on_drug": time})
        decision = decide(data)
        assert (decision.outcome is Outcome.APPROVE) is met
        if not met:
            assert reason_labels(decision) == ("1.B.i",)


@pytest.mark.criteria("1", "2")
class TestDiagnoses:
    """Rheumatoid arthritis is M05*/M06* but Still's; pJIA M08.0*/M08.3*; others no indication."""

    @pytest.mark.parametrize(
        "code", ["M05", "M05.79", "M06.9", "M06.09", "M06.00", "M06.20", "M06.30", "M06.89"]
    )
    def test_rheumatoid_arthritis(self, code: str) -> None:
        data = changed(base_data("ra_initial"), {"diagnoses": [{"code": code}]})
        decision = decide(data)
        assert decision.outcome is Outcome.APPROVE
        assert decision.indication == "1"

    @pytest.mark.parametrize("code", ["M08.0", "M08.00", "M08.09", "M08.3"])
    def test_polyarticular_jia(self, code: str) -> None:
        data = changed(base_data("pjia_initial"), {"diagnoses": [{"code": code}]})
        decision = decide(data)
        assert decision.outcome is Outcome.APPROVE
        assert decision.indication == "2"

    @pytest.mark.parametrize("code", ["M08.1", "M08.2", "M08.4", "M07.3", "M45.9", "L40.50"])
    def test_other_arthritis_is_not_listed(self, code: str) -> None:
        for which in ("ra_initial", "pjia_initial"):
            data = changed(base_data(which), {"diagnoses": [{"code": code}]})
            decision = decide(data)
            assert decision.outcome is Outcome.NOT_RECOMMENDED
            assert reason_labels(decision) == ("1", "2")

    def test_adult_onset_stills_disease_is_not_rheumatoid_arthritis(self) -> None:
        """M06.1 sits in M06 ("other rheumatoid arthritis") but is another disease."""
        data = changed(base_data("ra_initial"), {"diagnoses": [{"code": "M06.1"}]})
        decision = decide(data)
        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert reason_labels(decision) == ("1", "2")

    @pytest.mark.parametrize("code", ["M06.4", "M06"])
    def test_a_code_that_may_be_another_disease_leaves_it_open(self, code: str) -> None:
        """Inflammatory polyarthropathy, or the category M06 (it holds Still's), may be RA."""
        data = changed(base_data("ra_initial"), {"diagnoses": [{"code": code}]})
        decision = decide(data)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert reason_labels(decision) == ("1",)
        assert decision.facts_needed == ("diagnoses",)

    def test_both_conditions_met_are_decided_by_the_first(self) -> None:
        data = changed(
            base_data("ra_initial"), {"diagnoses": [{"code": "M08.3"}, {"code": "M06.9"}]}
        )
        assert decide(data).indication == "1"

    def test_an_adult_with_pjia_codes(self) -> None:
        """A 54-year-old coded M08.3 is decided under 2 (the codes decide, not the age)."""
        data = changed(base_data("ra_initial"), {"diagnoses": [{"code": "M08.3"}]})
        decision = decide(data)
        assert decision.indication == "2"


def _both(dose: str, **fields: object) -> dict[str, Any]:
    """An adult coded with both diseases, meeting both 1.A and 2.A: IV every 4 weeks, 125 kg.

    1's dosing allows 8 mg/kg to at most 800 mg; 2's (30 kg or more) 8 mg/kg, 1000 mg.
    """
    data = changed(
        base_data("ra_initial"),
        {
            "diagnoses": [{"code": "M06.9"}, {"code": "M08.3"}],
            "patient.weight": q("125", "kg"),
            "medication.route": {"code": "47625008"},
            "medication.dose": q(dose, "mg"),
            "medication.frequency": q("1", "/(4.wk)"),
        },
    )
    return changed(data, fields)


class TestTwoIndicationsMet:
    """Criteria of both indications met: approval when either one's dosing is met."""

    def test_approved_under_the_one_whose_dosing_is_met(self) -> None:
        """1,000 mg is past 1's 800 mg cap and within 2's 8 mg/kg: approved under 2."""
        decision = decide(_both("1000"))
        assert decision.outcome is Outcome.APPROVE
        assert decision.indication == "2"
        assert decision.path[-1] == "Dosing 2.A.ii"
        assert decision.authorization is not None
        assert decision.authorization.period == "6 months"

    def test_the_first_decides_when_both_dosings_fail(self) -> None:
        decision = decide(_both("1001"))
        assert decision.outcome is Outcome.CLINICIAN_REVIEW
        assert decision.indication == "1"

    def test_a_dosing_still_open_keeps_it_from_review(self) -> None:
        """Without the weight, 2's 8 mg/kg may allow 1,000 mg: the decision asks for it."""
        decision = decide(_both("1000", **{"patient.weight": DROP}))
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert decision.indication == "2"
        assert "patient.weight" in decision.facts_needed

    def test_a_later_indication_still_open_is_asked_for(self) -> None:
        """1's dosing fails; 2's criteria are open (how methotrexate ended): 2 may approve."""
        tried = [therapy(*METHOTREXATE, q("4", "mo"))]  # 1.A.ii.a: tried; 2.A.ii.a: open
        decision = decide(_both("1000", **{"therapies.prior": tried}))
        assert (decision.outcome, decision.indication) == (Outcome.CLINICIAN_REVIEW, "1")
        assert "2.A.ii.a" in reason_labels(decision)
        assert decision.facts_needed == ("therapies.prior",)

    @HYPOTHESIS
    @given(dose=st.integers(min_value=1, max_value=1200))
    def test_approved_under_either_cap(self, dose: int) -> None:
        decision = decide(_both(str(dose)))
        if dose <= 800:
            assert (decision.outcome, decision.indication) == (Outcome.APPROVE, "1")
        elif dose <= 1000:
            assert (decision.outcome, decision.indication) == (Outcome.APPROVE, "2")
        else:
            assert (decision.outcome, decision.indication) == (Outcome.CLINICIAN_REVIEW, "1")
