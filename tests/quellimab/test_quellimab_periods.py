"""Initial versus continuation of therapy, and the approval period each is given.

Quellimab is FICTIONAL. POLICY STATEMENT: "Approvals for initial therapy are provided
for 6 months; approvals for continuation of therapy are provided for 1 year." The
request's kind picks the branch ("Initial Therapy" 1.A/2.A, "Patient is Currently
Receiving Quellimab" 1.B/2.B). A period runs from the request date through the day
before the same date N months later; a date that month lacks (31 August + 6 months)
comes round on the first of the next month. The end dates are computed here with
the calendar, independently of the engine.
"""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.quellimab.helpers import DROP, Base, base_data, changed, decide, q, status
from umpolicy import Outcome, Status

HYPOTHESIS = settings(max_examples=60, deadline=None)


def last_day(start: dt.date, months: int) -> dt.date:
    """The day before the same date ``months`` later (or before the 1st after a short month)."""
    year, index = divmod(start.month - 1 + months, 12)
    year += start.year
    month = index + 1
    if start.day <= calendar.monthrange(year, month)[1]:
        same = dt.date(year, month, start.day)
    else:
        same = dt.date(year + month // 12, month % 12 + 1, 1)
    return same - dt.timedelta(days=1)


def both_branches(kind: str | None) -> dict[str, object]:
    """A rheumatoid arthritis request meeting 1.A and 1.B alike, of the given kind."""
    return changed(
        base_data("ra_initial"),
        {
            "therapies.time_on_drug": q("7", "mo"),
            "answers": {"quellimab": {"response": True}},
            "kind": kind if kind is not None else DROP,
        },
    )


INITIAL: tuple[Base, ...] = (
    "ra_initial",
    "ra_contraindication",
    "pjia_initial",
    "pjia_with_methotrexate",
)
CONTINUATION: tuple[Base, ...] = ("ra_continuation", "pjia_continuation")


@pytest.mark.criteria("1.A", "2.A")
class TestInitialTherapy:
    """An initial request is approved for 6 months."""

    @pytest.mark.parametrize("which", INITIAL)
    def test_six_months(self, which: Base) -> None:
        decision = decide(base_data(which))
        assert decision.authorization is not None
        assert decision.authorization.period == "6 months"
        assert decision.authorization.start == dt.date(2026, 3, 2)
        assert decision.authorization.end == dt.date(2026, 9, 1)

    @HYPOTHESIS
    @given(on=st.dates(dt.date(2001, 1, 1), dt.date(2080, 12, 31)), which=st.sampled_from(INITIAL))
    def test_any_request_date(self, on: dt.date, which: Base) -> None:
        data = changed(base_data(which), {"date": on.isoformat()})
        data["patient"]["birth_date"] = dt.date(on.year - 20, 1, 1).isoformat()
        data["patient"]["weight"] = q("25", "kg") if which.startswith("pjia") else q("72", "kg")
        decision = decide(data)
        assert decision.outcome is Outcome.APPROVE
        assert decision.authorization is not None
        assert (decision.authorization.start, decision.authorization.end) == (on, last_day(on, 6))


@pytest.mark.criteria("1.B", "2.B")
class TestContinuationOfTherapy:
    """A continuation request is approved for 1 year."""

    @pytest.mark.parametrize("which", CONTINUATION)
    def test_one_year(self, which: Base) -> None:
        decision = decide(base_data(which))
        assert decision.authorization is not None
        assert decision.authorization.period == "1 year"
        assert decision.authorization.end == dt.date(2027, 3, 1)

    @HYPOTHESIS
    @given(
        on=st.dates(dt.date(2001, 1, 1), dt.date(2080, 12, 31)), which=st.sampled_from(CONTINUATION)
    )
    def test_any_request_date(self, on: dt.date, which: Base) -> None:
        data = changed(base_data(which), {"date": on.isoformat()})
        data["patient"]["birth_date"] = dt.date(on.year - 20, 1, 1).isoformat()
        decision = decide(data)
        assert decision.authorization is not None
        assert (decision.authorization.start, decision.authorization.end) == (on, last_day(on, 12))


@pytest.mark.criteria("1.A", "1.B")
class TestPeriodEdges:
    """End dates at the month ends and 29 February, exactly."""

    @pytest.mark.parametrize(
        ("kind", "on", "end"),
        [
            ("initial", "2025-08-31", "2026-02-28"),  # 31 Feb → 1 Mar; the day before
            ("initial", "2023-08-31", "2024-02-29"),  # leap year: 29 Feb is the last day
            ("initial", "2026-01-01", "2026-06-30"),
            ("initial", "2026-03-31", "2026-09-30"),  # 31 Sep → 1 Oct
            ("initial", "2026-07-01", "2026-12-31"),
            ("initial", "2026-12-31", "2027-06-30"),
            ("continuation", "2024-02-29", "2025-02-28"),  # 29 Feb 2025 → 1 Mar
            ("continuation", "2026-01-01", "2026-12-31"),
            ("continuation", "2026-12-31", "2027-12-30"),
        ],
    )
    def test_end_date(self, kind: str, on: str, end: str) -> None:
        data = changed(both_branches(kind), {"date": on})
        decision = decide(data)
        assert decision.authorization is not None
        assert decision.authorization.end == dt.date.fromisoformat(end)
        assert last_day(
            dt.date.fromisoformat(on), 6 if kind == "initial" else 12
        ) == dt.date.fromisoformat(end)


@pytest.mark.criteria("1", "1.A", "1.B")
class TestTheKindPicksTheBranch:
    """The request's kind decides which branch applies, and so the period."""

    @pytest.mark.parametrize(
        ("kind", "branch", "other", "period"),
        [("initial", "1.A", "1.B", "6 months"), ("continuation", "1.B", "1.A", "1 year")],
    )
    def test_kind(self, kind: str, branch: str, other: str, period: str) -> None:
        decision = decide(both_branches(kind))
        assert decision.outcome is Outcome.APPROVE
        assert decision.path[:2] == ("1", branch)
        assert decision.authorization is not None
        assert decision.authorization.period == period
        assert decision.trail is not None
        assert decision.trail.steps[other].off

    def test_kind_not_given(self) -> None:
        decision = decide(both_branches(None))
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert decision.facts_needed == ("request.kind",)
        assert status(decision, "1.A") is status(decision, "1.B") is Status.UNKNOWN

    def test_an_initial_request_does_not_use_the_continuation_criteria(self) -> None:
        """Initial therapy with 1.A not met is not rescued by a response to therapy."""
        data = changed(both_branches("initial"), {"therapies.prior": []})
        decision = decide(data)
        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert status(decision, "1.B") is Status.NOT_MET
