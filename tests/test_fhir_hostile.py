"""Hostile FHIR: any element of a bundle or hook, replaced, gives a request or an error."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import umpolicy
from umpolicy import InputError
from umpolicy.api import parse_request
from umpolicy.integrations.fhir import request_from_bundle, request_from_hook
from umpolicy.integrations.fhir.write import bundle_from_request, hook_from_request

ROOT = Path(__file__).parent.parent
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
