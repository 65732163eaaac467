"""A request's date: never before its policy took effect, never more than a day past today."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from umpolicy import InputError, load_policy, loads
from umpolicy.api import evaluate, parse_request
from umpolicy.cli import main
from umpolicy.integrations.fhir.bundle import evaluate_bundle
from umpolicy.integrations.fhir.crd import (
    coverage_information,
    crd_response,
    evaluate_hook,
    request_from_hook,
)
from umpolicy.io import validation
from umpolicy.io.validation import FUTURE_TOLERANCE, in_the_future, utc_today

ROOT = Path(__file__).parent.parent
APPROVE = ROOT / "examples" / "proleukin" / "rcc-approve.json"
DATA: dict[str, Any] = json.loads(APPROVE.read_text(encoding="utf-8"))
PROLEUKIN = load_policy("proleukin")
#: "Today" for these tests: injected, so that they decide the same whenever they run.
TODAY = dt.date(2026, 12, 2)
REQUEST = parse_request(APPROVE.read_text(encoding="utf-8"))


def dated(date: dt.date, **changes: Any) -> str:
    return json.dumps({**DATA, "date": date.isoformat(), **changes})


def date_errors(text: str, today: dt.date | None = TODAY) -> list[str]:
    with pytest.raises(InputError) as info:
        evaluate(text, today=today)
    return [str(e) for e in info.value.errors if e.path == "$.date"]


class TestBeforeThePolicy:
    """A request dated before its policy took effect is refused at $.date."""

    def test_refused(self) -> None:
        assert PROLEUKIN.effective == dt.date(2022, 1, 1)
        assert date_errors(dated(dt.date(2019, 5, 1))) == [
            "the request date 2019-05-01 is before the policy 'proleukin' took effect "
            "(2022-01-01): no version of it applies; versions in force: 2022-01-01 to "
            "2025-02-04 (version 2022-01-01), from 2025-02-05 (version 2025-02-05) @ $.date"
        ]

    def test_the_day_it_took_effect(self) -> None:
        """The earlier version decides it: it asks for clear cell histology too."""
        answers = {"proleukin": {"clear_cell_histology": True}}
        decision = evaluate(dated(PROLEUKIN.effective, answers=answers), today=TODAY)
        assert (decision.outcome.value, decision.policy.version) == ("approve", "2022-01-01")

    def test_the_fictional_policy_too(self) -> None:
        path = ROOT / "examples" / "quellimab-policy" / "examples"
        data = json.loads(next(iter(sorted(path.glob("*.json")))).read_text(encoding="utf-8"))
        quellimab = load_policy("quellimab")
        before = quellimab.effective - dt.timedelta(days=1)
        assert date_errors(json.dumps({**data, "date": before.isoformat()})) == [
            f"the request date {before} is before the policy 'quellimab' took effect "
            f"({quellimab.effective}): no version of it applies; versions in force: from "
            f"{quellimab.effective} (version {quellimab.version}) @ $.date"
        ]

    def test_with_the_other_problems(self) -> None:
        text = dated(dt.date(2019, 5, 1), answers={"proleukin": {"metastatc": True}})
        with pytest.raises(InputError) as info:
            evaluate(text, today=TODAY)
        assert [e.path for e in info.value.errors] == ["$.date", "$.answers.proleukin.metastatc"]


class TestInTheFuture:
    """A request dated more than a day past today (UTC) is refused at $.date."""

    def test_the_tolerance(self) -> None:
        assert dt.timedelta(days=1) == FUTURE_TOLERANCE
        tomorrow = TODAY + dt.timedelta(days=1)
        assert evaluate(dated(tomorrow), today=TODAY).outcome.value == "approve"
        assert date_errors(dated(dt.date(2026, 12, 4))) == [
            "the request date 2026-12-04 is in the future: at most 1 day past today "
            "(2026-12-02, UTC), so no later than 2026-12-03 @ $.date"
        ]

    def test_2031(self) -> None:
        assert date_errors(dated(dt.date(2031, 3, 2)))[0].startswith(
            "the request date 2031-03-02 is in the future"
        )

    def test_today_is_utcs_by_default(self) -> None:
        before = dt.datetime.now(dt.UTC).date()
        found = utc_today()
        assert found in (before, dt.datetime.now(dt.UTC).date())
        later = found + dt.timedelta(days=30)
        assert date_errors(dated(later), today=None)

    def test_an_implausible_date_is_reported_once(self) -> None:
        assert date_errors(dated(dt.date(9001, 1, 1))) == [
            "9001-01-01 is not a plausible request date @ $.date"
        ]

    @given(
        st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)),
        st.dates(dt.date(2022, 1, 1), dt.date(9000, 1, 1)),
    )
    def test_decided_only_between(self, date: dt.date, today: dt.date) -> None:
        problems = validation.dated(PROLEUKIN, REQUEST.__class__(date), today)
        allowed = PROLEUKIN.effective <= date <= today + FUTURE_TOLERANCE
        assert (problems == []) == allowed
        assert all(p.path == "$.date" for p in problems)


class TestAnAsOfDateInTheFuture:
    """An audit's as-of date more than a day past today is refused at as_of, by the library."""

    def test_refused(self) -> None:
        with pytest.raises(InputError) as info:
            evaluate(REQUEST, "proleukin", today=TODAY, as_of=dt.date(2026, 12, 4))
        assert [str(e) for e in info.value.errors] == [
            "the as-of date 2026-12-04 is in the future: at most 1 day past today "
            "(2026-12-02, UTC), so no later than 2026-12-03 @ as_of"
        ]

    @pytest.mark.parametrize("given", ["2025-01-01", dt.datetime(2025, 1, 1, 12)])
    def test_not_a_date(self, given: Any) -> None:
        """Text or a datetime is an input error naming as_of, never a TypeError."""
        with pytest.raises(InputError) as info:
            evaluate(REQUEST, "proleukin", today=TODAY, as_of=given)
        assert [e.path for e in info.value.errors] == ["as_of"]
        assert str(info.value.errors[0]).startswith("expected a date, got ")

    def test_tomorrow_is_within_the_tolerance(self) -> None:
        tomorrow = TODAY + FUTURE_TOLERANCE
        decision = evaluate(REQUEST, "proleukin", today=TODAY, as_of=tomorrow)
        assert decision.policy.as_of == tomorrow


class TestTheCommandLine:
    """evaluate and batch refuse a request dated in the future against today's UTC date."""

    def test_evaluate_and_batch(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        later = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)  # whenever this runs
        path = tmp_path / "later.json"
        path.write_text(dated(later))
        assert main(["evaluate", str(path)]) == 2
        assert capsys.readouterr().err.startswith(
            f"invalid input: the request date {later} is in the future"
        )
        lines = tmp_path / "later.jsonl"
        lines.write_text(dated(later) + "\n")
        assert main(["batch", str(lines), "--quiet"]) == 0
        record = json.loads(capsys.readouterr().out)["invalid"]
        assert record["id"] == DATA["id"]
        assert record["errors"][0]["path"] == "$.date"


FHIR = ROOT / "examples" / "fhir"
#: Arguments that are no date a request may be judged on, and why each is refused.
NOT_DATES = [
    ("2026-03-02", "expected a date, got str"),
    (dt.datetime(2026, 3, 2, 12), "expected a date, got datetime"),
    (dt.date.max, "9999-12-31 is not a plausible date (1900-01-01 to 9000-01-01)"),
    (dt.date(9000, 1, 2), "9000-01-02 is not a plausible date (1900-01-01 to 9000-01-01)"),
    (dt.date(1899, 12, 31), "1899-12-31 is not a plausible date (1900-01-01 to 9000-01-01)"),
]


def _bundle() -> Any:
    return loads((FHIR / "pas" / "rcc-approve.bundle.json").read_bytes())


def _hook() -> Any:
    return loads((FHIR / "crd" / "order-sign.request.json").read_bytes())


#: Every public function that takes ``today`` or ``as_of``, called on a sound request
#: (the last takes no ``as_of``: it decides nothing).
DECIDING: dict[str, Callable[..., object]] = {
    "evaluate": lambda **dates: evaluate(APPROVE.read_text(encoding="utf-8"), **dates),
    "evaluate_bundle": lambda **dates: evaluate_bundle(_bundle(), **dates),
    "evaluate_hook": lambda **dates: evaluate_hook(_hook(), **dates),
    "request_from_hook": lambda **dates: request_from_hook(_hook(), **dates),
}


class TestTodayAndAsOfGiven:
    """A today or as_of that is no plausible date is an input error naming it, in every call."""

    @pytest.mark.parametrize(("value", "reason"), NOT_DATES)
    @pytest.mark.parametrize(
        ("call", "name"),
        [(call, name) for call in DECIDING for name in ("today", "as_of")][:-1],  # nor as_of
    )
    def test_refused(self, name: str, call: str, value: object, reason: str) -> None:
        with pytest.raises(InputError) as info:
            DECIDING[call](**{name: value})
        assert [str(e) for e in info.value.errors] == [f"{reason} @ {name}"]

    @pytest.mark.parametrize("call", DECIDING)
    def test_the_last_plausible_today_decides(self, call: str) -> None:
        assert DECIDING[call](today=dt.date(9000, 1, 1)) is not None

    def test_a_today_at_the_last_date_does_not_overflow(self) -> None:
        """No date is a day past 9999-12-31: the days between are compared instead."""
        last = dt.date.max
        assert in_the_future("request date", last, last) is None
        assert in_the_future("request date", last, last - 2 * FUTURE_TOLERANCE) == (
            "the request date 9999-12-31 is in the future: at most 1 day past today "
            "(9999-12-29, UTC), so no later than 9999-12-30"
        )

    @pytest.mark.parametrize(("value", "reason"), NOT_DATES)
    @pytest.mark.parametrize("made", ["crd_response", "coverage_information"])
    def test_the_date_of_a_crd_response(self, made: str, value: Any, reason: str) -> None:
        decision = evaluate_hook(_hook(), today=TODAY)
        make: Callable[[], object] = (
            (lambda: crd_response(decision, _hook(), date=value))
            if made == "crd_response"
            else (lambda: coverage_information(decision, "Coverage/c", date=value))
        )
        with pytest.raises(InputError) as info:
            make()
        assert [str(e) for e in info.value.errors] == [f"{reason} @ date"]
