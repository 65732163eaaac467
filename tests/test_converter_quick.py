"""A request is read from JSON by a quick hook first: what it builds, and what it leaves.

:func:`umpolicy.structure` reads a request with a hook that does less than cattrs'
detailed structuring, and leaves anything wrong or unusual to the converter, whose
errors name each problem. Whatever the data, the two must agree: the same request,
down to the type of every value and the digits of every decimal, or the same errors.
A converter made by :func:`make_converter` has no quick hook: it is the reference.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import cattrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.engine_strategies import requests
from tests.hostile_strategies import (
    Hostile,
    numbers,
    other_types,
    oversize_lists,
    oversize_objects,
    oversize_text,
    unicode_strings,
)
from umpolicy import (
    InputError,
    Quantity,
    Request,
    RequestKind,
    loads,
    make_converter,
    structure,
)
from umpolicy.api import to_json
from umpolicy.io import converter

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples" / "proleukin").glob("*.json"))
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REFERENCE = make_converter()


def same(one: Any, other: Any) -> bool:
    """Equal, and of the same type all the way down: a decimal with the same digits."""
    if type(one) is not type(other):
        return False
    if isinstance(one, Decimal):
        return bool(one.as_tuple() == other.as_tuple())
    if attrs.has(type(one)):
        names = [field.name for field in attrs.fields(type(one))]
        return all(same(getattr(one, name), getattr(other, name)) for name in names)
    if isinstance(one, tuple | list):
        return len(one) == len(other) and all(map(same, one, other))
    if isinstance(one, dict):
        return list(one) == list(other) and all(same(one[k], other[k]) for k in one)
    return bool(one == other)


def read(data: object, converter: cattrs.Converter | None = None) -> Request | list[str]:
    """The request made from ``data``, or the errors that refuse it."""
    try:
        if converter is None:
            return structure(data, Request)
        return structure(data, Request, converter)
    except InputError as error:
        return [str(e) for e in error.errors]


def agree(data: object) -> None:
    """The quick hook and the reference converter make the same request, or the same errors."""
    quick, reference = read(data), read(data, REFERENCE)
    if isinstance(reference, list):
        assert quick == reference
    else:
        assert same(quick, reference), (quick, reference)


def agree_on(hostile: Hostile) -> None:
    try:
        data = loads(hostile.text)
    except InputError:  # not JSON a request could be read from
        return
    agree(data)


class Text(str):
    """Text of a type of its own, as Python data may hold it."""


class TestSameRequest:
    """A sound request is the same request, read quickly or by the converter."""

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_examples(self, path: Path) -> None:
        data = loads(path.read_text())
        assert isinstance(read(data), Request)
        agree(data)

    @FAST
    @given(requests())
    def test_generated(self, request: Request) -> None:
        agree(loads(to_json(request)))

    def test_the_converter_is_not_asked(self, monkeypatch: pytest.MonkeyPatch) -> None:
        asked: list[object] = []
        detailed = cattrs.Converter.structure

        def spy(self: cattrs.Converter, data: object, kind: Any) -> Any:
            asked.append(kind)
            return detailed(self, data, kind)

        monkeypatch.setattr(cattrs.Converter, "structure", spy)
        assert isinstance(structure(changed(("id",), "rcc-2"), Request), Request)
        assert asked == []
        with pytest.raises(InputError):
            structure(changed(("patient", "weight", "unit"), "stone"), Request)
        assert asked[:1] == [Request]  # a problem: the converter says which


class TestQuantitiesRead:
    """A quantity read before is not read again while kept; nothing else changes."""

    @pytest.mark.parametrize("kept", [0, 2, 4096])
    def test_kept_or_not(self, monkeypatch: pytest.MonkeyPatch, kept: int) -> None:
        """Read cold, warm, or past the quantities kept: the same requests each time."""
        monkeypatch.setattr(converter, "KEPT", kept)
        monkeypatch.setattr(converter, "_QUANTITIES", {})
        for _ in range(2):
            for path in EXAMPLES:
                agree(loads(path.read_text()))
        assert len(converter._QUANTITIES) <= max(kept, 1)

    @pytest.mark.parametrize("value", [Text("70"), 70])
    def test_not_text_itself(self, value: object) -> None:
        """A value of another type than text is read as it is, never looked for."""
        converter._QUANTITIES["70", "kg"] = Quantity("71", "kg")  # were it looked for: wrong
        try:
            request = read(changed(("patient", "weight", "value"), value))
            assert isinstance(request, Request)
            assert request.patient.weight == Quantity("70", "kg")
        finally:
            del converter._QUANTITIES["70", "kg"]


def changed(path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    """The RCC approval's JSON data with one value replaced (or a key removed)."""
    data: dict[str, Any] = json.loads((ROOT / "examples/proleukin/rcc-approve.json").read_text())
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


class TestLeftToTheConverter:
    """What is wrong or unusual is read by the converter alone: the same request or errors."""

    @pytest.mark.parametrize(
        ("path", "value"),
        [
            (("date",), KeyError),  # required
            (("therapies", "concomitant"), [{"codes": ["L01XC"]}]),
            (("patient", "weight", "value"), KeyError),
            (("patient", "weight", "grams"), "7"),  # a key no field reads
            (("medication", "schedule", "weeks"), 2),
            (("extra",), None),
            (("patient", "weight"), {"value": "70", "unit": "kg", "x": 1}),
            (("patient", "weight", "value"), 70.5),  # a float
            (("patient", "weight", "value"), 70),  # a JSON integer: read exactly
            (("patient", "weight", "value"), "7e1"),
            (("patient", "weight", "value"), "0" * 45 + "7"),
            (("patient", "weight", "value"), "1" * 41),
            (("patient", "weight", "unit"), "stone"),
            (("diagnoses",), ({"code": "C64"},)),  # a tuple: Python data, not JSON's
            (("diagnoses",), [{"code": "C64"}] * 101),
            (("diagnoses", 0), ["C64"]),
            (("diagnoses", 0, "code"), "x" * 1001),
            (("patient",), OrderedDict(sex="male")),  # a mapping, not a dict
            (("patient",), "male"),
            (("patient",), []),  # no key of a patient's in it, yet not an object
            (("patient",), ""),
            (("medication", "schedule", "doses_per_cycle"), True),
            (("medication", "schedule", "doses_per_cycle"), 2.0),
            (("kind",), "Initial"),
            (("patient", "sex"), None),
            (("answers",), []),
            (("answers", "proleukin"), "yes"),
            (("answers", "proleukin", "x" * 1001), True),
            (("answers", "proleukin", "lesions"), [{"site": "x" * 1001}]),
            (("answers", "proleukin", "lesions"), [{"site": "skin"}] * 101),
        ],
    )
    def test_same_outcome(self, path: tuple[str | int, ...], value: object) -> None:
        agree(changed(path, value))

    @FAST
    @given(st.one_of(other_types(), numbers(), unicode_strings(), oversize_text()))
    def test_hostile(self, hostile: Hostile) -> None:
        agree_on(hostile)

    @settings(FAST, max_examples=20)
    @given(st.one_of(oversize_lists(), oversize_objects()))
    def test_oversize(self, hostile: Hostile) -> None:
        agree_on(hostile)

    @pytest.mark.parametrize("data", [None, [], "{}", 1, {"date": "2026-03-02", "policy": 1}])
    def test_not_a_request(self, data: object) -> None:
        agree(data)


class TestCodes:
    """A code is read from its value as text: text of another type too, a member never."""

    def test_text(self) -> None:
        request = structure({"date": "2026-03-02", "kind": "initial"}, Request)
        assert request.kind is RequestKind.INITIAL

    def test_text_of_another_type(self) -> None:
        request = structure({"date": "2026-03-02", "kind": Text("continuation")}, Request)
        assert request.kind is RequestKind.CONTINUATION

    @pytest.mark.parametrize("value", [RequestKind.INITIAL, ["initial"], "INITIAL", 1])
    def test_not_a_code(self, value: object) -> None:
        with pytest.raises(InputError, match=r"^unknown value .*; expected one of initial, "):
            structure({"date": "2026-03-02", "kind": value}, Request)
