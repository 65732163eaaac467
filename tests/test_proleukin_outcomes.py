"""The Proleukin outcome rules: approval period, every reason listed, never a denial.

"Approve for 1 year" runs from the request date through the day before its
anniversary. Clinician review lists every dosing criterion not met, and not
recommended every criterion not met on the request's branch, not just the first.
The library recommends; every summary short of approval says it is not a denial.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.seed import stray_words_in
from tests.strategies import (
    INTRAVENOUS,
    Path,
    base,
    decide,
    lesion,
    reason_labels,
    requests,
    with_fields,
)
from tests.test_proleukin_criteria import CASES, Case
from umpolicy import Outcome, Quantity, Request
from umpolicy.api import to_json
from umpolicy_policies.proleukin import POLICY

HYPOTHESIS = settings(max_examples=30, deadline=None)

Change = Callable[[Request], Request]


def anniversary(start: dt.date) -> dt.date:
    """The first anniversary; a 29 February comes round on 1 March (as for age, 1.A.i)."""
    try:
        return start.replace(year=start.year + 1)
    except ValueError:
        return dt.date(start.year + 1, 3, 1)


ALL_PATHS = [
    pytest.param("melanoma_iv", marks=pytest.mark.criteria("1", "1.A")),
    pytest.param("melanoma_intralesional", marks=pytest.mark.criteria("1", "1.B")),
    pytest.param("rcc", marks=pytest.mark.criteria("2")),
    pytest.param("gvhd", marks=pytest.mark.criteria("3")),
]


class TestApprovalPeriod:
    """Approval is for 1 year: from the request date through the day before its anniversary."""

    @pytest.mark.parametrize("path", ALL_PATHS)
    @pytest.mark.parametrize(
        ("on", "end"),
        [
            (dt.date(2026, 3, 2), dt.date(2027, 3, 1)),
            (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
            (dt.date(2025, 12, 31), dt.date(2026, 12, 30)),
            (dt.date(2024, 2, 28), dt.date(2025, 2, 27)),
            (dt.date(2024, 2, 29), dt.date(2025, 2, 28)),
            (dt.date(2024, 3, 1), dt.date(2025, 2, 28)),
            (dt.date(2023, 3, 1), dt.date(2024, 2, 29)),
        ],
    )
    def test_dates(self, path: Path, on: dt.date, end: dt.date) -> None:
        decision = decide(with_fields(base(path), {"date": on}))

        assert decision.outcome is Outcome.APPROVE
        assert decision.authorization is not None
        assert decision.authorization.start == on
        assert decision.authorization.end == end
        assert decision.authorization.period == "1 year"
        assert f"{on.isoformat()} to {end.isoformat()}" in decision.summary

    @pytest.mark.parametrize("path", ALL_PATHS)
    @HYPOTHESIS
    @given(data=st.data())
    def test_any_request(self, path: Path, data: st.DataObject) -> None:
        request = data.draw(requests(path))

        decision = decide(request)

        assert decision.authorization is not None
        assert decision.authorization.start == request.date
        assert decision.authorization.end == anniversary(request.date) - dt.timedelta(days=1)

    @pytest.mark.criteria("1", "2", "3")
    @pytest.mark.parametrize(
        ("path", "indication", "route"),
        [
            ("melanoma_iv", "1", ("1", "1.A", "Dosing 1", "Dosing 1.A")),
            ("melanoma_intralesional", "1", ("1", "1.B", "Dosing 1", "Dosing 1.B")),
            ("rcc", "2", ("2", "Dosing 2")),
            ("gvhd", "3", ("3", "Dosing 3")),
        ],
    )
    def test_names_the_indication_and_branch(
        self, path: Path, indication: str, route: tuple[str, ...]
    ) -> None:
        decision = decide(base(path))

        assert decision.indication == indication
        assert decision.path == route


#: Breaks one dosing criterion of a path's base request (which meets them all).
DOSING_FAULTS: dict[Path, dict[str, dict[str, object]]] = {
    "melanoma_iv": {
        "Dosing 1.A.i": {"medication.dose": Quantity("600001", "[iU]/kg")},
        "Dosing 1.A.ii": {"medication.schedule.rest_between_cycles": Quantity("8", "d")},
        "Dosing 1.A.iii": {"medication.schedule.rest_before_course": Quantity("48", "d")},
    },
    "melanoma_intralesional": {
        "Dosing 1.B.i": {"medication.dose": Quantity("6000001", "[iU]/{lesion}")},
        "Dosing 1.B.ii": {"medication.frequency": Quantity("4", "/wk")},
    },
    "rcc": {
        "Dosing 2.A": {"medication.frequency": Quantity("4", "/d")},
        "Dosing 2.B": {"medication.schedule.rest_between_cycles": Quantity("1", "wk")},
        "Dosing 2.C": {"medication.schedule.rest_before_course": Quantity("6", "wk")},
    },
    "gvhd": {"Dosing 3": {"medication.frequency": Quantity("2", "/d")}},
}


def _dosing_params() -> list[object]:
    return [
        pytest.param(path, marks=pytest.mark.criteria(*faults), id=path)
        for path, faults in DOSING_FAULTS.items()
    ]


class TestClinicianReviewListsEveryDosingCriterion:
    """Clinician review names every dosing criterion not met, in the policy's order."""

    @pytest.mark.parametrize(
        ("path", "labels"),
        [
            pytest.param(
                "melanoma_iv",
                ("Dosing 1.A.i", "Dosing 1.A.iii"),
                marks=pytest.mark.criteria("Dosing 1", "Dosing 1.A.i", "Dosing 1.A.iii"),
            ),
            pytest.param(
                "melanoma_iv",
                ("Dosing 1.A.i", "Dosing 1.A.ii", "Dosing 1.A.iii"),
                marks=pytest.mark.criteria("Dosing 1.A", "Dosing 1.A.ii"),
            ),
            pytest.param(
                "melanoma_intralesional",
                ("Dosing 1.B.i", "Dosing 1.B.ii"),
                marks=pytest.mark.criteria("Dosing 1.B", "Dosing 1.B.i", "Dosing 1.B.ii"),
            ),
            pytest.param(
                "rcc",
                ("Dosing 2.A", "Dosing 2.B", "Dosing 2.C"),
                marks=pytest.mark.criteria("Dosing 2", "Dosing 2.A", "Dosing 2.B", "Dosing 2.C"),
            ),
            pytest.param(
                "rcc",
                ("Dosing 2.B", "Dosing 2.C"),
                marks=pytest.mark.criteria("Dosing 2.B", "Dosing 2.C"),
            ),
        ],
    )
    def test_two_or_more_fail(self, path: Path, labels: tuple[str, ...]) -> None:
        fields = {k: v for label in labels for k, v in DOSING_FAULTS[path][label].items()}

        decision = decide(with_fields(base(path), fields))

        assert decision.outcome is Outcome.CLINICIAN_REVIEW
        assert reason_labels(decision) == labels

    @pytest.mark.parametrize("path", _dosing_params())
    @HYPOTHESIS
    @given(data=st.data())
    def test_any_subset(self, path: Path, data: st.DataObject) -> None:
        faults = DOSING_FAULTS[path]
        chosen = data.draw(st.sets(st.sampled_from(sorted(faults)), min_size=1))
        fields = {k: v for label in chosen for k, v in faults[label].items()}

        decision = decide(with_fields(base(path), fields))

        assert decision.outcome is Outcome.CLINICIAN_REVIEW
        assert reason_labels(decision) == tuple(label for label in faults if label in chosen)

    @pytest.mark.criteria("Dosing 1.A.i")
    def test_every_limit_within_one_criterion_is_shown(self) -> None:
        fields = {
            "medication.dose": Quantity("0.04", "mg/kg"),
            "medication.frequency": Quantity("4", "/d"),
            "medication.schedule.doses_per_cycle": 15,
        }

        decision = decide(with_fields(base("melanoma_iv"), fields))

        (reason,) = decision.reasons
        assert reason.label == "Dosing 1.A.i"
        assert reason.detail == (
            "Required: dose at most 600,000 International Units/kg (or 0.037 mg/kg). "
            "Requested: 0.04 mg/kg. "
            "Required: frequency at most 3 times daily. Requested: 4 times daily. "
            "Required: doses per cycle at most 14 doses. Requested: 15 doses."
        )

    @pytest.mark.criteria("Dosing 3")
    def test_every_gvhd_limit_is_shown(self) -> None:
        fields = {
            "medication.route": INTRAVENOUS,
            "medication.dose": Quantity("2000001", "[iU]"),
            "medication.frequency": Quantity("2", "/d"),
        }

        decision = decide(with_fields(base("gvhd"), fields))

        (reason,) = decision.reasons
        assert reason.label == "Dosing 3"
        required = [part for part in reason.detail.split(". ") if part.startswith("Required")]
        assert [part.split(":")[1].split()[0] for part in required] == [
            "route",
            "dose",
            "frequency",
        ]
        assert "Requested: 2 times daily." in reason.detail

    @pytest.mark.criteria("Dosing 1", "Dosing 2", "Dosing 3")
    @pytest.mark.parametrize("path", ["melanoma_iv", "melanoma_intralesional", "rcc", "gvhd"])
    def test_quotes_the_case_by_case_statement(self, path: Path) -> None:
        label, fields = next(iter(DOSING_FAULTS[path].items()))

        decision = decide(with_fields(base(path), fields))

        assert decision.outcome is Outcome.CLINICIAN_REVIEW
        assert decision.authorization is None
        assert (
            "Requests for doses outside of the established dosing documented in this policy "
            "will be considered on a case-by-case basis by a clinician (i.e., Medical Director "
            "or Pharmacist)." in decision.summary
        )
        assert label in reason_labels(decision)


BRANCHES: dict[Path, tuple[str, ...]] = {
    "melanoma_iv": ("1.A.i", "1.A.ii", "1.A.iii", "1.A.iv", "1.A.v"),
    "melanoma_intralesional": ("1.B.i", "1.B.ii", "1.B.iii"),
    "rcc": ("2.A", "2.B", "2.C", "2.D"),
    "gvhd": ("3.A", "3.B", "3.C", "3.D"),
}
FAIL: dict[str, Case] = {case.label: case for case in CASES}


class TestNotRecommendedListsEveryFailingCriterion:
    """Not recommended names every criterion not met on the request's branch, in order."""

    @pytest.mark.parametrize(
        "path",
        [
            pytest.param(path, marks=pytest.mark.criteria(*labels), id=path)
            for path, labels in BRANCHES.items()
        ],
    )
    def test_all_fail(self, path: Path) -> None:
        request = base(path)
        for label in BRANCHES[path]:
            request = FAIL[label].fail(request)

        decision = decide(request)

        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert reason_labels(decision) == BRANCHES[path]

    @pytest.mark.parametrize(
        "path",
        [
            pytest.param(path, marks=pytest.mark.criteria(*labels), id=path)
            for path, labels in BRANCHES.items()
        ],
    )
    @HYPOTHESIS
    @given(data=st.data())
    def test_any_subset(self, path: Path, data: st.DataObject) -> None:
        chosen = data.draw(st.sets(st.sampled_from(BRANCHES[path]), min_size=1))
        request = data.draw(requests(path))
        for label in chosen:
            request = FAIL[label].fail(request)

        decision = decide(request)

        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert reason_labels(decision) == tuple(x for x in BRANCHES[path] if x in chosen)

    @pytest.mark.criteria("1.A.iii", "1.B.ii")
    def test_other_branches_are_not_listed(self) -> None:
        # An intravenous request does not list lesions; 1.B is off its branch.
        request = with_fields(
            base("melanoma_iv"),
            {
                "therapies.prior": (),
                "answers.lesions": [lesion("visceral", "other")],
            },
        )

        assert reason_labels(decide(request)) == ("1.A.iii",)

    @pytest.mark.criteria("1", "2", "3")
    @pytest.mark.parametrize("path", ["melanoma_iv", "rcc", "gvhd"])
    def test_quotes_conditions_not_recommended(self, path: Path) -> None:
        label = BRANCHES[path][-1]

        decision = decide(FAIL[label].fail(base(path)))

        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert (
            "Coverage is not recommended for circumstances not listed in the Recommended "
            "Authorization Criteria." in decision.summary
        )


class TestNeverADenial:
    """Every outcome short of approval says it is a recommendation, not a denial."""

    @pytest.mark.criteria("1", "2", "3", "Dosing 1", "Dosing 2", "Dosing 3")
    @pytest.mark.parametrize(
        ("path", "change", "outcome"),
        [
            ("melanoma_iv", {"therapies.prior": ()}, Outcome.NOT_RECOMMENDED),
            ("rcc", {"medication.frequency": Quantity("4", "/d")}, Outcome.CLINICIAN_REVIEW),
            ("gvhd", {"answers.steroid_refractory": None}, Outcome.INSUFFICIENT_INFORMATION),
            ("melanoma_intralesional", {"medication.dose": None}, Outcome.INSUFFICIENT_INFORMATION),
        ],
    )
    def test_summary(self, path: Path, change: dict[str, object], outcome: Outcome) -> None:
        decision = decide(with_fields(base(path), change))

        assert decision.outcome is outcome
        assert "not a denial" in decision.summary
        assert "denied" not in decision.summary.lower()

    @pytest.mark.criteria("1", "2", "3")
    def test_no_outcome_is_a_denial(self) -> None:
        assert {o.value for o in Outcome} == {
            "approve",
            "clinician_review",
            "not_recommended",
            "insufficient_information",
        }


@pytest.mark.criteria("1", "2", "3")
class TestStrayHeader:
    """The other plan's page header and footer (seed lines 74-81) are not in the policy."""

    def test_the_check_can_fail(self) -> None:
        assert stray_words_in("See the DOCUMENT.") == {"document"}

    def test_not_encoded(self) -> None:
        assert stray_words_in(to_json(POLICY)) == set()
