"""JSON Schemas of the request and the decision, generated from the attrs models.

The schema follows the converter's rules: numbers are decimal text (or JSON
numbers, read exactly), quantities carry a UCUM unit, enums list their values, and
no object admits keys it does not define.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from decimal import Decimal
from typing import Any

import attrs
from cattrs.cols import is_namedtuple

from umpolicy.facts import Fact
from umpolicy.quantity import DECIMAL_TEXT
from umpolicy.units import UNITS, Unit

DECIMAL = {
    "anyOf": [
        {"type": "string", "pattern": f"^\\s*{DECIMAL_TEXT.pattern}\\s*$"},
        {"type": "number"},
    ],
    "description": 'An exact decimal: text such as "70.5" (or a JSON number, read exactly).',
}

_FACT = {
    "type": "object",
    "description": "A fact read from the request, or derived from the facts in 'inputs'.",
    "properties": {
        "name": {"type": "string"},
        "value": {"description": "boolean, text, list of text, date or quantity; null if missing"},
        "display": {"type": "string"},
        "inputs": {"type": "array", "items": {"$ref": "#/$defs/Fact"}},
        "method": {"type": ["string", "null"]},
        "exact_square": {"type": ["string", "null"]},
        "partial": {"type": "boolean"},
    },
    "required": ["name", "value", "display", "inputs", "method", "exact_square", "partial"],
    "additionalProperties": False,
}


def _type(kind: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_type(arg, defs) for arg in typing.get_args(kind)]}
    if origin is tuple:
        return {"type": "array", "items": _type(typing.get_args(kind)[0], defs)}
    if kind is type(None):
        return {"type": "null"}
    simple = {str: "string", bool: "boolean", int: "integer"}
    if kind in simple:
        return {"type": simple[kind]}
    if kind is dt.date:
        return {"type": "string", "format": "date"}
    if kind is Decimal:
        return dict(DECIMAL)
    if kind is Unit:
        return {"enum": list(UNITS)}
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return {"enum": [member.value for member in kind]}
    if kind is Fact:
        defs["Fact"] = _FACT
        return {"$ref": "#/$defs/Fact"}
    if attrs.has(kind) or is_namedtuple(kind):
        return _object(kind, defs)
    raise TypeError(f"no JSON Schema for {kind!r}")


def _object(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    name = cls.__name__
    if name not in defs:
        defs[name] = {}  # placeholder: recursive models refer to themselves
        hints = typing.get_type_hints(cls)
        if attrs.has(cls):
            fields = attrs.fields(cls)
            names = [f.name for f in fields]
            required = [f.name for f in fields if f.default is attrs.NOTHING]
        else:  # a record (a named tuple)
            names = list(cls._fields)  # type: ignore[attr-defined]
            required = [n for n in names if n not in cls._field_defaults]  # type: ignore[attr-defined]
        defs[name] = {
            "type": "object",
            "description": (cls.__doc__ or "").strip().split("\n")[0],
            "properties": {n: _type(hints[n], defs) for n in names},
            "required": required,
            "additionalProperties": False,
        }
    return {"$ref": f"#/$defs/{name}"}


def json_schema(cls: type) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a model as the converter reads and writes it.

    A model is an attrs class, or one of the trail's records (named tuples).
    """
    defs: dict[str, Any] = {}
    root = _object(cls, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": cls.__name__,
        **root,
        "$defs": defs,
    }


__all__ = ["json_schema"]
