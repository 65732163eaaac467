"""A typed request's date is checked as a JSON request's is: one problem per bad date."""

from __future__ import annotations

import datetime as dt

import pytest

from umpolicy import InputError, Request
from umpolicy.api import evaluate

TODAY = dt.date(2026, 12, 2)


class TestTypedRequests:
    """An implausible date is reported once, by the plausibility check, not again as early."""

    @pytest.mark.parametrize("date", [dt.date(1800, 1, 1), dt.date(9001, 1, 1)])
    def test_reported_once(self, date: dt.date) -> None:
        with pytest.raises(InputError) as info:
            evaluate(Request(date, policy="proleukin"), today=TODAY)
        assert [str(e) for e in info.value.errors if e.path == "$.date"] == [
            f"{date} is not a plausible request date @ $.date"
        ]

    def test_before_the_policy(self) -> None:
        with pytest.raises(InputError) as info:
            evaluate(Request(dt.date(2019, 5, 1), policy="proleukin"), today=TODAY)
        (error,) = [e for e in info.value.errors if e.path == "$.date"]
        assert error.reason.startswith("the request date 2019-05-01 is before the policy")
