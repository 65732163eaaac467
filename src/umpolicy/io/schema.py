"""JSON Schemas of the request and the decision, generated from the attrs models.

The schema follows the converter's rules: numbers are decimal text (or JSON
numbers, read exactly), quantities carry a UCUM unit umpolicy reads, enums list
their values, and no object admits keys it does not define. The compact trail is
written by the converter's own hooks, so its schema is stated here once: steps keyed
by the policy's labels, facts keyed by name, defaults left out.

The answers to a policy's questions arrive under the policy's name; given the
policies, :func:`json_schema` describes each one's questions (their types, units
and allowed values), and leaves any other policy's answers to that policy.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from umpolicy.dsl.quantity import DECIMAL_TEXT, Quantity
from umpolicy.dsl.questions import AnswerType, Question
from umpolicy.dsl.status import Status
from umpolicy.dsl.units import _AMOUNTS, _ANNOTATION, _BASES, _EVERY, _RATE_WORDS, ATOMS
from umpolicy.engine.trail import Trail
from umpolicy.policy import Policy

DECIMAL = {
    "anyOf": [
        {"type": "string", "pattern": f"^\\s*{DECIMAL_TEXT.pattern}\\s*$"},
        {"type": "number"},
    ],
    "description": 'An exact decimal: text such as "70.5" (or a JSON number, read exactly).',
}


def _either(*codes: str) -> str:
    return "(?:" + "|".join(re.escape(code) for code in codes) + ")"


#: Every UCUM code :func:`umpolicy.dsl.units.unit` reads, as one pattern: an atom, a
#: count ({dose}), a rate (/d, /(4.wk)) or an amount per basis (mg/kg, 10*6.[iU]/{vial}).
UNIT_PATTERN = (
    "^(?:"
    + "|".join(
        (
            _either(*ATOMS),
            _ANNOTATION.pattern,
            "/" + _either(*_RATE_WORDS),
            _EVERY.pattern,
            _either(*_AMOUNTS) + "/(?:" + _either(*_BASES) + "|" + _ANNOTATION.pattern + ")",
        )
    )
    + ")$"
)

UNIT = {
    "type": "string",
    "pattern": UNIT_PATTERN,
    "maxLength": 40,
    "description": "A UCUM unit code: kg, mg, [iU], /d, /(4.wk), mg/kg, {dose}, ….",
}

QUANTITY = {
    "type": "object",
    "description": "A quantity: exact decimal value and UCUM unit.",
    "properties": {"value": DECIMAL, "unit": {"$ref": "#/$defs/Unit"}},
    "required": ["value", "unit"],
    "additionalProperties": False,
}

#: A fact's value as the trail writes it.
_VALUE = {
    "description": (
        "The fact's value: a boolean, a code or word, a list of codes, a date (YYYY-MM-DD) "
        "or a quantity; null when the request does not give it."
    ),
    "anyOf": [
        {"type": "null"},
        {"type": "boolean"},
        {"type": "string"},
        {"type": "array", "items": {"type": "string"}},
        {"$ref": "#/$defs/Quantity"},
    ],
}

_STATUS = {"enum": [status.value for status in Status]}

_TRAIL_DEFS: dict[str, Any] = {
    "Trail": {
        "type": "object",
        "description": (
            "The compact trail: every node's step by the policy's label (the words are "
            "the policy's, looked up by label), and every fact read, once, by name."
        ),
        "properties": {
            "steps": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Step"}},
            "facts": {"type": "object", "additionalProperties": {"$ref": "#/$defs/TrailFact"}},
        },
        "required": ["steps", "facts"],
        "additionalProperties": False,
    },
    "Step": {
        "type": "object",
        "description": (
            "One node's part in the decision. 'findings' line up with the node's own checks: "
            "its condition, then whether it applies, then its rules. 'applies' (written only "
            "when false): a conditional criterion does not apply, and counts as met. 'off' "
            "(written only when true): the node's own condition rules the request out of it."
        ),
        "properties": {
            "status": _STATUS,
            "findings": {"type": "array", "items": {"$ref": "#/$defs/Finding"}},
            "applies": {"const": False},
            "off": {"const": True},
        },
        "required": ["status"],
        "additionalProperties": False,
    },
    "Finding": {
        "type": "object",
        "description": (
            "What one check found: its status and the facts behind it (names in the trail's "
            "'facts'); for a limit, the requested value in the limit's unit, the limit, and "
            "a note saying how they were compared (or why they could not be)."
        ),
        "properties": {
            "status": _STATUS,
            "facts": {"type": "array", "items": {"type": "string"}},
            "requested": {"$ref": "#/$defs/Quantity"},
            "limit": {"$ref": "#/$defs/Quantity"},
            "note": {"type": "string"},
        },
        "required": ["status", "facts"],
        "additionalProperties": False,
    },
    "TrailFact": {
        "type": "object",
        "description": (
            "A fact read from the request, or derived from the facts named in 'inputs'. "
            "'exact_square' (a fraction, e.g. \"2581/720\") is the exact square of a "
            "rounded value (a Mosteller BSA); 'partial' (written only when true) says a set "
            "lists only what the request gives."
        ),
        "properties": {
            "value": _VALUE,
            "inputs": {"type": "array", "items": {"type": "string"}},
            "exact_square": {"type": "string", "pattern": "^[0-9]+(?:/[0-9]+)?$"},
            "partial": {"const": True},
        },
        "required": ["value"],
        "additionalProperties": False,
    },
}

_ANSWER_TYPES: dict[AnswerType, dict[str, Any]] = {
    AnswerType.BOOLEAN: {"type": "boolean"},
    AnswerType.DATE: {"type": "string", "format": "date"},
}


def _question(question: Question) -> dict[str, Any]:
    """An answer's schema: the question's words, its type, its units or allowed values."""
    schema: dict[str, Any]
    if question.type is AnswerType.CHOICE:
        schema = {"enum": [code for code, _ in question.values]}
    elif question.type is AnswerType.QUANTITY:
        schema = {"$ref": "#/$defs/Quantity"}
        if question.units:
            unit = {"enum": list(question.units)}
            schema = {"allOf": [schema, {"properties": {"unit": unit}}]}
    elif question.type is AnswerType.LIST:
        item = {
            "type": "object",
            "properties": {field.id: _question(field) for field in question.fields},
            "required": [field.id for field in question.fields],
            "additionalProperties": False,
        }
        schema = {"type": "array", "items": item}
    else:
        schema = dict(_ANSWER_TYPES[question.type])
    return {"description": question.text, "anyOf": [schema, {"type": "null"}]}


def _answers(policies: Iterable[Policy]) -> dict[str, Any]:
    """The answers by policy name: each given policy's questions; any other's, any object."""
    properties = {
        policy.name: {
            "type": "object",
            "description": f"Answers to the questions of the policy {policy.name!r}, by id.",
            "properties": {q.id: _question(q) for q in policy.questions},
            "additionalProperties": False,
        }
        for policy in policies
    }
    return {
        "type": "object",
        "description": "The answers to each policy's questions, by the policy's name.",
        "properties": properties,
        "additionalProperties": {"type": "object"},
    }


def _type(kind: Any, defs: dict[str, Any], policies: tuple[Policy, ...]) -> dict[str, Any]:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_type(arg, defs, policies) for arg in typing.get_args(kind)]}
    if origin is tuple:
        return {"type": "array", "items": _type(typing.get_args(kind)[0], defs, policies)}
    if origin is Mapping:
        return _answers(policies)
    if kind is type(None):
        return {"type": "null"}
    simple = {str: "string", bool: "boolean", int: "integer"}
    if kind in simple:
        return {"type": simple[kind]}
    if kind is dt.date:
        return {"type": "string", "format": "date"}
    if kind is Quantity:
        defs["Unit"] = UNIT
        defs["Quantity"] = QUANTITY
        return {"$ref": "#/$defs/Quantity"}
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return {"enum": [member.value for member in kind]}
    if kind is Trail:
        defs["Unit"] = UNIT
        defs["Quantity"] = QUANTITY
        defs.update(_TRAIL_DEFS)
        return {"$ref": "#/$defs/Trail"}
    if attrs.has(kind):
        return _object(kind, defs, policies)
    raise TypeError(f"no JSON Schema for {kind!r}")


def _object(cls: type, defs: dict[str, Any], policies: tuple[Policy, ...]) -> dict[str, Any]:
    name = cls.__name__
    if name not in defs:
        defs[name] = {}  # placeholder: recursive models refer to themselves
        hints = typing.get_type_hints(cls)
        fields = attrs.fields(cls)
        names = [f.name for f in fields]
        required = [f.name for f in fields if f.default is attrs.NOTHING]
        defs[name] = {
            "type": "object",
            "description": (cls.__doc__ or "").strip().split("\n")[0],
            "properties": {n: _type(hints[n], defs, policies) for n in names},
            "required": required,
            "additionalProperties": False,
        }
    return {"$ref": f"#/$defs/{name}"}


def json_schema(cls: type, policies: Iterable[Policy] = ()) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a model as the converter reads and writes it.

    A model is an attrs class (:class:`~umpolicy.Request`, :class:`~umpolicy.Decision`).
    ``policies`` describe the answers to their questions under ``answers.<policy>``.
    """
    defs: dict[str, Any] = {}
    root = _object(cls, defs, tuple(policies))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": cls.__name__,
        **root,
        "$defs": dict(sorted(defs.items())),
    }


__all__ = ["UNIT_PATTERN", "json_schema"]
