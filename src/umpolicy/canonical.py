"""Canonical JSON of an attrs object, written directly: what ``dumps(unstructure(x))`` gives.

The request fingerprint is the SHA-256 of the request's canonical JSON. Going through
the converter and :func:`json.dumps` builds and sorts a dict per object on every
request; here each attrs class gets, once, a generated function that writes its
fields in sorted order straight to text. Any value of a type the generator did not
plan for (a list where a tuple was declared, an int for a bool) gives up, and the
caller falls back to the converter: the text is always the converter's.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json.encoder
import types
import typing
from collections.abc import Callable
from typing import Any

import attrs

from umpolicy.quantity import Quantity, format_decimal

#: JSON string literal, as :func:`json.dumps` writes it with ``ensure_ascii=False``.
_quote: Callable[[str], str] = json.encoder.encode_basestring


class Unplanned(Exception):
    """A value whose type the generated writer does not handle."""


def _str(value: object) -> str:
    if type(value) is not str:
        raise Unplanned
    return _quote(value)


def _bool(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    raise Unplanned


def _int(value: object) -> str:
    if type(value) is not int:
        raise Unplanned
    return int.__repr__(value)


def _date(value: object) -> str:
    if type(value) is not dt.date:
        raise Unplanned
    return f'"{value.isoformat()}"'


def _quantity(value: object) -> str:
    if type(value) is not Quantity:
        raise Unplanned
    return f'{{"unit":{_quote(value.unit.code)},"value":"{format_decimal(value.value)}"}}'


def _enum(kind: type[enum.Enum]) -> Callable[[object], str]:
    def write(value: object) -> str:
        if type(value) is not kind or type(value.value) is not str:
            raise Unplanned
        return _quote(value.value)

    return write


_SCALARS: dict[object, Callable[[object], str]] = {
    str: _str,
    bool: _bool,
    int: _int,
    dt.date: _date,
    Quantity: _quantity,
}


def _expression(kind: Any, value: str, helpers: dict[str, object]) -> str:
    """Python source writing ``value`` (an expression) of type ``kind`` as JSON."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union) and len(args) == 2 and type(None) in args:
        inner = args[0] if args[1] is type(None) else args[1]
        return f'("null" if {value} is None else {_expression(inner, value, helpers)})'
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _expression(args[0], "x", helpers)
        name = f"_seq{len(helpers)}"
        helpers[name] = _sequence(item, helpers)
        return f"{name}({value})"
    if kind in _SCALARS:
        name = f"_{getattr(kind, '__name__', 'q')}{len(helpers)}"
        helpers[name] = _SCALARS[kind]
        return f"{name}({value})"
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        name = f"_enum{len(helpers)}"
        helpers[name] = _enum(kind)
        return f"{name}({value})"
    if isinstance(kind, type) and attrs.has(kind):
        name = f"_obj{len(helpers)}"
        helpers[name] = writer(kind)
        return f"{name}({value})"
    raise TypeError(f"no canonical JSON writer for {kind!r}")  # pragma: no cover


def _sequence(item: str, helpers: dict[str, object]) -> Callable[[object], str]:
    source = (
        "def write(value):\n"
        "    if type(value) is not tuple:\n"
        "        raise Unplanned\n"
        f"    return '[' + ','.join([{item} for x in value]) + ']'\n"
    )
    namespace = {**helpers, "Unplanned": Unplanned}
    exec(source, namespace)
    write: Callable[[object], str] = namespace["write"]  # type: ignore[assignment]
    return write


@functools.cache
def writer(cls: type) -> Callable[[object], str]:
    """A function writing an instance of the attrs class ``cls`` as canonical JSON."""
    hints = typing.get_type_hints(cls)
    helpers: dict[str, object] = {"Unplanned": Unplanned, "cls": cls}
    parts = []
    for index, field in enumerate(sorted(attrs.fields(cls), key=lambda f: f.name)):
        expression = _expression(hints[field.name], f"value.{field.name}", helpers)
        parts.append(f"'{',' if index else ''}{json.dumps(field.name)}:' + {expression}")
    body = " + ".join(["'{'", *parts, "'}'"])
    source = (
        "def write(value):\n"
        "    if type(value) is not cls:\n"
        "        raise Unplanned\n"
        f"    return {body}\n"
    )
    exec(source, helpers)
    return helpers["write"]  # type: ignore[return-value]
