"""The one converter: every rule for turning umpolicy objects into JSON and back.

Requests, decisions, trails and policy trees all pass through :func:`make_converter`.
Structuring is strict (unknown keys, wrong types, binary floats, unknown units or
enum values are errors, never coerced) and every problem is reported by its path.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar, get_args, get_origin

import cattrs
from cattrs.cols import (
    is_namedtuple,
    namedtuple_dict_structure_factory,
    namedtuple_dict_unstructure_factory,
)
from cattrs.strategies import configure_tagged_union
from cattrs.v import format_exception, transform_error

from umpolicy.checks import AtLeast, AtMost, Check, Either
from umpolicy.errors import FieldError, InputError
from umpolicy.facts import FACTS, Fact, Value
from umpolicy.nodes import AllOf, AnyOf, Node
from umpolicy.quantity import Quantity, format_decimal, to_decimal
from umpolicy.units import Unit, unit

T = TypeVar("T")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _tag(cls: type) -> str:
    """``DoseLimit`` → ``dose_limit``: the ``type`` key of a tagged union member."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


def _strict(kind: type[T], name: str) -> Callable[[object, type], T]:
    def structure(value: object, _: type) -> T:
        if type(value) is not kind:
            raise ValueError(f"expected {name}, got {_json_type(value)}")
        return value

    return structure


def _json_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "an object", type(None): "null", Decimal: "a number"}
    return names.get(type(value), type(value).__name__)


def _structure_date(value: object, _: type) -> dt.date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError(f"expected a date as text YYYY-MM-DD, got {value!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a calendar date") from None


def _structure_enum(value: object, kind: type[enum.Enum]) -> enum.Enum:
    for member in kind:
        if member.value == value:
            return member
    allowed = ", ".join(str(m.value) for m in kind)
    raise ValueError(f"unknown value {value!r}; expected one of {allowed}")


def _structure_sequence(converter: cattrs.Converter) -> Callable[[Any], Callable[..., Any]]:
    def factory(kind: Any) -> Callable[..., Any]:
        args = get_args(kind)
        item = args[0] if args else Any

        def structure(value: object, _: type) -> tuple[Any, ...]:
            if not isinstance(value, list | tuple):
                raise ValueError(f"expected a list, got {_json_type(value)}")
            errors = []
            items = []
            for index, element in enumerate(value):
                try:
                    items.append(converter.structure(element, item))
                except Exception as exc:
                    note = cattrs.IterableValidationNote(
                        f"Structuring @ index {index}", index, item
                    )
                    exc.__notes__ = [*getattr(exc, "__notes__", []), note]
                    errors.append(exc)
            if errors:
                raise cattrs.IterableValidationError("invalid items", errors, kind)
            return tuple(items)

        return structure

    return factory


def _is_sequence(kind: Any) -> bool:
    return (get_origin(kind) in (tuple, list) and get_args(kind)[-1:] in ((...,), ())) or (
        get_origin(kind) is list
    )


def _unstructure_value(value: Value | None) -> object:
    if isinstance(value, Quantity):
        return {"value": format_decimal(value.value), "unit": value.unit.code}
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _structure_value(value: object, name: str) -> Value | None:
    """A fact's value back from JSON; text is a date only where the catalog says so."""
    if isinstance(value, dict):
        return Quantity(value["value"], value["unit"])
    if isinstance(value, list):
        return frozenset(value)
    spec = FACTS.get(name)
    if isinstance(value, str) and spec is not None and spec.type == "date":
        return dt.date.fromisoformat(value)
    if value is None or isinstance(value, bool | str):
        return value
    raise ValueError(f"not a fact value: {value!r}")


def _format(exc: BaseException, kind: type | None) -> str:
    if isinstance(exc, ValueError) and not isinstance(exc, cattrs.BaseValidationError) and str(exc):
        return str(exc)
    if isinstance(exc, AttributeError) and "attribute 'keys'" in str(exc):
        return "expected an object"
    return format_exception(exc, kind)


def make_converter() -> cattrs.Converter:
    """A converter with every (de)serialization rule of umpolicy, and nothing else."""
    converter = cattrs.Converter(forbid_extra_keys=True, omit_if_default=False)

    converter.register_structure_hook(bool, _strict(bool, "a boolean"))
    converter.register_structure_hook(str, _strict(str, "a string"))
    converter.register_structure_hook(int, _strict(int, "an integer"))
    converter.register_structure_hook(Decimal, lambda value, _: to_decimal(value))
    converter.register_unstructure_hook(Decimal, format_decimal)
    converter.register_structure_hook(dt.date, _structure_date)
    converter.register_unstructure_hook(dt.date, dt.date.isoformat)
    converter.register_structure_hook_func(
        lambda kind: isinstance(kind, type) and issubclass(kind, enum.Enum), _structure_enum
    )
    converter.register_structure_hook(Unit, lambda value, _: unit(value))
    converter.register_unstructure_hook(Unit, lambda value: value.code)
    converter.register_unstructure_hook(
        Quantity, lambda q: {"value": format_decimal(q.value), "unit": q.unit.code}
    )
    converter.register_structure_hook_factory(_is_sequence, _structure_sequence(converter))

    # The trail's records are named tuples: objects in JSON, as the attrs classes are.
    converter.register_unstructure_hook_factory(is_namedtuple, namedtuple_dict_unstructure_factory)
    converter.register_structure_hook_factory(
        is_namedtuple,
        lambda cls, conv: namedtuple_dict_structure_factory(cls, conv, "from_converter", True),
    )
    converter.register_unstructure_hook(
        Fact,
        lambda fact: {
            "name": fact.name,
            "value": _unstructure_value(fact.value),
            "display": fact.display(),
            "inputs": [converter.unstructure(i, Fact) for i in fact.inputs],
            "method": fact.method,
            "exact_square": None if fact.exact_square is None else str(fact.exact_square),
            "partial": fact.partial,
        },
    )
    converter.register_structure_hook(
        Fact,
        lambda data, _: Fact(
            data["name"],
            _structure_value(data["value"], data["name"]),
            tuple(converter.structure(i, Fact) for i in data["inputs"]),
            data["method"],
            None if data["exact_square"] is None else _fraction(data["exact_square"]),
            data["partial"],
        ),
    )

    for bound in (AtMost, AtLeast):
        converter.register_unstructure_hook(
            bound,
            lambda check: {
                "fact": check.fact,
                "limits": [converter.unstructure(q, Quantity) for q in check.limits],
            },
        )
        converter.register_structure_hook(
            bound,
            lambda data, cls: cls(
                converter.structure(data["fact"], str),
                *converter.structure(data["limits"], tuple[Quantity, ...]),
            ),
        )
    converter.register_unstructure_hook(
        Either, lambda check: {"checks": [converter.unstructure(c, Check) for c in check.checks]}
    )
    converter.register_structure_hook(
        Either, lambda data, _: Either(*converter.structure(data["checks"], tuple[Check, ...]))
    )
    configure_tagged_union(Check, converter, tag_generator=_tag, tag_name="type")
    converter.register_structure_hook(
        Check | None,
        lambda data, _: None if data is None else converter.structure(data, Check),  # type: ignore[arg-type]
    )
    converter.register_unstructure_hook(
        Check | None,
        lambda check: None if check is None else converter.unstructure(check, Check),
    )
    configure_tagged_union(Node, converter, tag_generator=_tag, tag_name="type")
    configure_tagged_union(AllOf | AnyOf, converter, tag_generator=_tag, tag_name="type")
    return converter


def _fraction(text: str) -> Any:
    from fractions import Fraction

    return Fraction(text)


#: The converter umpolicy uses; build your own with :func:`make_converter`.
CONVERTER = make_converter()


def loads(text: str | bytes) -> Any:
    """Parse JSON with every number as an exact :class:`~decimal.Decimal`."""
    try:
        return json.loads(text, parse_float=Decimal)
    # ValueError: also an integer past Python's digit limit; RecursionError: deep nesting.
    except (ValueError, RecursionError) as exc:
        raise InputError([FieldError("$", f"malformed JSON: {exc}")]) from None


def dumps(data: object) -> str:
    """Canonical JSON: sorted keys, no insignificant white space, UTF-8 text."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def structure(data: object, kind: type[T], converter: cattrs.Converter = CONVERTER) -> T:
    """Build ``kind`` from JSON data, or raise :class:`InputError` naming every bad field."""
    try:
        return converter.structure(data, kind)
    except cattrs.BaseValidationError as exc:
        messages = transform_error(exc, path="$", format_exception=_format)
        raise InputError([_field_error(m) for m in messages]) from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InputError([FieldError("$", _format(exc, kind))]) from None


def _field_error(message: str) -> FieldError:
    reason, _, path = message.rpartition(" @ ")
    return FieldError(path or "$", reason or message)


__all__ = ["CONVERTER", "dumps", "loads", "make_converter", "structure"]
