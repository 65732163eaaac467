"""Hostile FHIR: any element of a bundle or hook, replaced, gives a request or an error."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import umpolicy
from umpolicy import InputError
from umpolicy.api import parse_request
from umpolicy.integrations.fhir import (
    dumps,
    evaluate_bundle,
    evaluate_hook,
    request_from_bundle,
    request_from_hook,
)
from umpolicy.integrations.fhir.paths import at
from umpolicy.integrations.fhir.write import bundle_from_request, hook_from_request

ROOT = Path(__file__).parent.parent
TODAY = dt.date(2026, 3, 2)
NAMES = ("rcc-approve", "melanoma-intralesional-approve", "gvhd-approve", "melanoma-iv-approve")
REQUESTS = [
    parse_request((ROOT / "examples" / "proleukin" / f"{n}.json").read_text()) for n in NAMES
]
BUNDLES = [bundle_from_request(r) for r in REQUESTS]
HOOKS = [hook_from_request(r) for r in REQUESTS]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from(["", "x", "Patient/patient-1", "kg", "1968", "2026-03-02"])
    | st.decimals(allow_nan=False, allow_infinity=False, places=2),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "code",
                    "system",
                    "value",
                    "reference",
                    "coding",
                    "linkId",
                    "answer",
                    "item",
                    "resourceType",
                ]
            ),
            inner,
            max_size=3,
        )
    ),
    max_leaves=6,
)


def places(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in JSON data: each key's and each item's path."""
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += places(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += places(value, (*path, index))
    return found


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    copied = copy.deepcopy(data)
    if not path:
        return value
    holder = copied
    for step in path[:-1]:
        holder = holder[step]
    if value is _DROP and isinstance(holder, dict):
        del holder[path[-1]]
    else:
        holder[path[-1]] = None if value is _DROP else value
    return copied


_DROP = object()


@st.composite
def hostile(draw: st.DrawFn, sources: list[dict[str, Any]]) -> Any:
    data = draw(st.sampled_from(sources))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(places(data)))
        data = replaced(data, path, draw(st.just(_DROP) | json_values))
    return data


def settled(call: Any, *args: Any, **kwargs: Any) -> None:
    errors: tuple[umpolicy.FieldError, ...] = ()
    try:
        request = call(*args, **kwargs)
    except InputError as error:
        errors = error.errors
        request = None
    if request is None:
        assert errors
        assert all(e.path and e.reason for e in errors)
    else:
        assert isinstance(request, umpolicy.Request)


class TestHostileInput:
    """Whatever an element holds, the reader answers a request or an input error, never a crash."""

    @given(hostile(BUNDLES))
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def test_bundles(self, data: Any) -> None:
        settled(request_from_bundle, data, "proleukin")

    @given(hostile(HOOKS))
    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def test_hooks(self, data: Any) -> None:
        settled(request_from_hook, data, "proleukin", today=dt.date(2026, 3, 3))


#: The numbers a FHIR element may hold that no exact, bounded number is: NaN, infinities,
#: exponents past any decimal's, integers past Python's digit limit, a negative zero.
HOSTILE_NUMBERS = [
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
    Decimal("-0"),
    Decimal("1E+5000"),
    Decimal("1E+999999"),
    Decimal("1E-5000"),
    10**5000,
    -(10**5000),
    10**50,
]
#: The numeric elements the readers take, each by the steps that end its path.
NUMERIC = {
    "period": ("timing", "repeat", "period"),
    "count": ("timing", "repeat", "count"),
    "frequency": ("timing", "repeat", "frequency"),
    "dose": ("doseQuantity", "value"),
    "weight": ("valueQuantity", "value"),
    "answer": ("answer", 0, "valueInteger"),
}
MELANOMA_IV = BUNDLES[NAMES.index("melanoma-iv-approve")]
MELANOMA_IV_HOOK = HOOKS[NAMES.index("melanoma-iv-approve")]


def with_number(data: Any, element: str, value: object) -> tuple[Any, str]:
    """``data`` with the first element ``element`` holding ``value``, and its FHIR path."""
    tail = NUMERIC[element]
    steps = next(p for p in places(data) if p[-len(tail) :] == tail)
    root = ("Bundle",) if data.get("resourceType") == "Bundle" else ()
    where = at(*root, *steps) if root else at(str(steps[0]), *steps[1:])
    return replaced(data, steps, value), where


def at_the_element(error: InputError, where: str) -> bool:
    """One error, at the element (or, for an answer's value, at the answer that holds it)."""
    [found] = error.errors
    return found.path in (where, where.rsplit(".", 1)[0]) and bool(found.reason)


class TestHostileNumbers:
    """A number no bounded decimal is, in any numeric element, is an input error there."""

    @pytest.mark.parametrize("element", NUMERIC)
    @pytest.mark.parametrize("value", HOSTILE_NUMBERS, ids=lambda v: type(v).__name__)
    def test_bundles(self, element: str, value: object) -> None:
        data, where = with_number(MELANOMA_IV, element, value)
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        assert at_the_element(caught.value, where)

    @pytest.mark.parametrize("element", NUMERIC)
    @pytest.mark.parametrize("value", HOSTILE_NUMBERS, ids=lambda v: type(v).__name__)
    def test_hooks(self, element: str, value: object) -> None:
        data, where = with_number(MELANOMA_IV_HOOK, element, value)
        with pytest.raises(InputError) as caught:
            evaluate_hook(data, "proleukin", today=TODAY)
        assert at_the_element(caught.value, where)

    @pytest.mark.parametrize("text", ["1E+5000", "1E+999999", "-1E+5000", "1E-5000"])
    def test_json_text(self, text: str) -> None:
        """The reported crash: a period of a huge exponent, read from JSON text."""
        data = umpolicy.loads(
            dumps(MELANOMA_IV, indent=None).replace('"period": 1,', f'"period": {text},')
        )
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        [error] = caught.value.errors
        assert error.path.endswith(".timing.repeat.period")
        assert "out of range" in error.reason

    def test_more_periods_than_a_rate_counts(self) -> None:
        """Once every 100 days: the period is at fault, not its unit."""
        data, where = with_number(MELANOMA_IV, "period", 100)
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        [error] = caught.value.errors
        assert (error.path, error.reason.startswith("100 d: unknown unit")) == (where, True)

    @given(
        st.sampled_from(sorted(NUMERIC)),
        st.decimals()
        | st.integers()
        | st.integers(-(10**6), 10**6).map(lambda e: Decimal(f"1E{e}"))
        | st.integers(0, 6000).map(lambda n: 10**n),
    )
    @settings(max_examples=200, deadline=None)
    def test_any_number(self, element: str, value: object) -> None:
        data, _ = with_number(MELANOMA_IV, element, value)
        errors: tuple[umpolicy.FieldError, ...] = ()
        try:
            evaluate_bundle(data, "proleukin", today=TODAY)
        except InputError as error:
            errors = error.errors
        assert all(e.path.startswith("Bundle.entry[") and e.reason for e in errors)


def _nested(levels: int) -> dict[str, Any]:
    """An extension holding an extension, ``levels`` deep."""
    inner: dict[str, Any] = {"url": "urn:x", "valueString": "v"}
    for _ in range(levels):
        inner = {"url": "urn:x", "extension": [inner]}
    return inner


def _with_patient_extension(data: Any, extension: dict[str, Any]) -> Any:
    copied = copy.deepcopy(data)
    patient = next(
        e["resource"] for e in copied["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    patient["extension"] = [extension]
    return copied


class TestNestedDeep:
    """Nesting past any resource's is an input error at the element, not a crash writing back."""

    @pytest.mark.parametrize("levels", [48, 400])  # 48: a list 100 steps from the root
    def test_refused_at_the_depth(self, levels: int) -> None:
        data = _with_patient_extension(BUNDLES[0], _nested(levels))
        with pytest.raises(InputError) as info:
            evaluate_bundle(data, "proleukin", today=TODAY)
        [error] = info.value.errors
        assert error.reason == "nested deeper than 100 levels; no FHIR resource is"
        assert error.path.startswith("Bundle.entry[")
        assert ".resource.extension[0]" in error.path

    def test_shallower_is_read_and_written_back(self) -> None:
        """Extensions 47 deep (the innermost 99 steps from the root) are read, and written."""
        data = _with_patient_extension(BUNDLES[0], _nested(47))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is umpolicy.Outcome.APPROVE
        assert dumps(data)

    def test_in_a_hook(self) -> None:
        hook = copy.deepcopy(HOOKS[0])
        order = hook["context"]["draftOrders"]["entry"][0]["resource"]
        order["extension"] = [_nested(400)]
        with pytest.raises(InputError) as info:
            evaluate_hook(hook, "proleukin", today=dt.date(2026, 3, 3))
        [error] = info.value.errors
        assert error.path.startswith("context.draftOrders.entry[0].resource.extension[0]")
