"""JSON Schemas of the request and the decision, generated from the attrs models.

The schema follows the converter's rules: numbers are decimal text (or JSON
numbers, read exactly), quantities carry a UCUM unit umpolicy reads, enums list
their values, and no object admits keys it does not define. The compact trail is
written by the converter's own hooks, so its schema is stated here once: steps keyed
by the policy's labels, facts keyed by name, defaults left out.

Every field is described from one source, the attribute's own docstring in its
model (what the API reference shows too); every quantity of a request lists the
units its field takes, from :data:`umpolicy.io.quantities.QUANTITIES`, the table
validation enforces; every code has the form validation holds it to, its pattern
taken from validation's own regex (:data:`CODE_FORMS`, :func:`whole`); and every
field has an example, from one example request (:data:`EXAMPLE`, checked by the
tests to decide) and the decision made on it.

The answers to a policy's questions arrive under the policy's name; given the
policies, :func:`json_schema` describes each one's questions (their types, units
and allowed values), and leaves any other policy's answers to that policy.
"""

from __future__ import annotations

import ast
import copy
import datetime as dt
import enum
import functools
import inspect
import json
import re
import textwrap
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from umpolicy.dsl.drug import FORMS as DRUG_FORMS
from umpolicy.dsl.quantity import DECIMAL_TEXT, Quantity
from umpolicy.dsl.questions import AnswerType, Question
from umpolicy.dsl.status import Status
from umpolicy.dsl.units import _AMOUNTS, _ANNOTATION, _BASES, _EVERY, _RATE_WORDS, ATOMS
from umpolicy.engine.decision import Outcome
from umpolicy.engine.trail import Trail
from umpolicy.io.quantities import QUANTITIES, Accepts
from umpolicy.io.validation import _ATC, _FORMS, _ICD, _NUCC, _SNOMED
from umpolicy.policy import Policy
from umpolicy.vocabulary.request import DrugCode, Medication

DECIMAL = {
    "anyOf": [
        {"type": "string", "pattern": f"^{DECIMAL_TEXT.pattern}$"},  # as the library: no spaces
        {"type": "number"},
    ],
    "description": 'An exact decimal: text such as "70.5" (or a JSON number, read exactly).',
}


def whole(regex: re.Pattern[str]) -> str:
    r"""``regex`` as a JSON Schema pattern that matches exactly what ``regex.fullmatch`` does.

    A JSON Schema pattern is an ECMA-262 regular expression, and unanchored (a search),
    so it is anchored here: ``^(?:...)$``. ECMA-262's ``$`` is the end of the text, but
    Python's (which :mod:`jsonschema` uses) also matches before a final newline, so
    ``(?!\n)`` follows it: ``"C43.9\n"`` fails in both, as it fails validation. Flags
    (``re.IGNORECASE``, ...) have no place in a pattern, so a regex compiled with one is
    refused; and its syntax must be what ECMA-262 shares with Python (classes such as
    ``[0-9]``, not ``\d``, which is Unicode's digits in Python): the tests run every such
    pattern in Node's ``RegExp`` against Python's ``fullmatch``.
    """
    if regex.flags != re.UNICODE:
        raise ValueError(f"a JSON Schema pattern takes no flags: {regex!r}")
    return f"^(?:{regex.pattern})$(?!\\n)"


#: Each code of a request, by its field's path, and the form validation holds it to
#: (:func:`umpolicy.io.validation.problems`): a code, or each code of a list.
CODE_FORMS = {
    "diagnoses.code": _ICD,
    "medication.route.code": _SNOMED,
    "therapies.prior.codes": _ATC,
    "therapies.concomitant.codes": _ATC,
    "prescriber.specialties": _NUCC,
    "consultants.specialties": _NUCC,
}


def _codes(cls: type, path: str) -> dict[str, Any]:
    """The forms of the codes among the fields of ``cls`` where it is, at ``path``.

    A model is defined once, but a code's form depends on where it is (a diagnosis and a
    route are both a ``Coding``; one is ICD-10-CM, the other SNOMED CT), so the forms go
    with each reference to it, as ``properties`` beside its ``$ref``.
    """
    found: dict[str, Any] = {}
    hints = typing.get_type_hints(cls)
    for f in attrs.fields(cls):
        form = CODE_FORMS.get(f"{path}.{f.name}".lstrip("."))
        if form is None:
            continue
        code = {"type": "string", "pattern": whole(_FORMS[form])}
        if hints[f.name] is str:
            found[f.name] = {**code, "description": f"{form[0].upper()}{form[1:]}."}
        else:  # a list of codes
            found[f.name] = {"description": f"Each code: {form}.", "items": code}
    return {"properties": found, **_drug_forms(cls)} if found else _drug_forms(cls)


def _drug_forms(cls: type) -> dict[str, Any]:
    """For a drug's code (a medication's, a ``DrugCode``'s), its system's form, by system.

    The form depends on the system beside the code, so each system's is a condition
    (``if`` the system is HCPCS, ``then`` the code is of HCPCS's form); a code without a
    system is of some system's form.
    """
    if cls not in (Medication, DrugCode):
        return {}
    conditions: list[dict[str, Any]] = [
        {
            "if": {"properties": {"system": {"const": system}}, "required": ["system"]},
            "then": {"properties": {"code": {"pattern": whole(form)}}},
        }
        for system, form in DRUG_FORMS.items()
    ]
    if cls is Medication:
        some = "|".join(f"(?:{form.pattern})" for form in DRUG_FORMS.values())
        conditions.append(
            {
                "if": {"not": {"required": ["system"]}},
                "then": {"properties": {"code": {"pattern": whole(re.compile(some))}}},
            }
        )
    return {"allOf": conditions}


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


def _status(what: str) -> dict[str, Any]:
    return {"enum": [status.value for status in Status], "description": what}


_TRAIL_DEFS: dict[str, Any] = {
    "Trail": {
        "type": "object",
        "description": (
            "The compact trail: every node's step by the policy's label (the words are "
            "the policy's, looked up by label), and every fact read, once, by name."
        ),
        "properties": {
            "steps": {
                "type": "object",
                "description": "Every node of the policy, by its label (1.A.i, Dosing 1.A).",
                "additionalProperties": {"$ref": "#/$defs/Step"},
            },
            "facts": {
                "type": "object",
                "description": "Every fact read or derived, once, by its name.",
                "additionalProperties": {"$ref": "#/$defs/TrailFact"},
            },
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
            "status": _status("The node's status: met, not met or unknown."),
            "findings": {
                "type": "array",
                "description": "What each of the node's checks found, in the node's order.",
                "items": {"$ref": "#/$defs/Finding"},
            },
            "applies": {
                "const": False,
                "description": "Written only when false: the criterion does not apply (met).",
            },
            "off": {
                "const": True,
                "description": "Written only when true: the node's condition rules it out.",
            },
        },
        "required": ["status"],
        "additionalProperties": False,
    },
    "Finding": {
        "type": "object",
        "description": (
            "What one check found: its status and the facts behind it (names in the trail's "
            "'facts'); for a limit, the value compared (the fact's own, in its own unit), the "
            "limit, and a note saying how they were compared (or why they could not be)."
        ),
        "properties": {
            "status": _status("The check's status: met, not met or unknown."),
            "facts": {
                "type": "array",
                "description": "The names of the facts the check read (keys of the trail's facts).",
                "items": {"type": "string"},
            },
            "requested": {
                "$ref": "#/$defs/Quantity",
                "description": (
                    "For a limit: the value compared with it, the value of the fact named "
                    "(in 'facts'), in its own unit: as the request gave it (48 d against a "
                    "limit of 7 wk), or as worked out across the weight or body surface area "
                    "(a fact of its own, in the limit's unit, e.g. medication.dose_per_kg)."
                ),
            },
            "limit": {"$ref": "#/$defs/Quantity", "description": "For a limit: the limit."},
            "note": {
                "type": "string",
                "description": "How the values were compared, or why they could not be.",
            },
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
            "inputs": {
                "type": "array",
                "description": "For a derived fact: the names of the facts it comes from.",
                "items": {"type": "string"},
            },
            "exact_square": {
                "type": "string",
                "pattern": "^[0-9]+(?:/[0-9]+)?$",
                "description": "The exact square of a rounded value, as a fraction.",
            },
            "partial": {
                "const": True,
                "description": "Written only when true: the set lists only what was given.",
            },
        },
        "required": ["value"],
        "additionalProperties": False,
    },
}

_ANSWER_TYPES: dict[AnswerType, dict[str, Any]] = {
    AnswerType.BOOLEAN: {"type": "boolean"},
    AnswerType.DATE: {"type": "string", "format": "date"},
}


def answer_example(question: Question) -> Any:
    """An answer to the question, as JSON: what its example in the schema shows."""
    if question.type is AnswerType.CHOICE:
        return question.values[0][0]
    if question.type is AnswerType.QUANTITY:
        return {"value": "1", "unit": question.units[0] if question.units else "{dose}"}
    if question.type is AnswerType.LIST:
        return [{field.id: answer_example(field) for field in question.fields}]
    if question.type is AnswerType.DATE:
        return EXAMPLE["date"]
    return True


def _question(question: Question) -> dict[str, Any]:
    """An answer's schema: the question's words, its type, its units or allowed values.

    An answer may be null (not known yet); a field of a listed item may not: an item is
    whole, or the list would read wrong (as :func:`~umpolicy.io.validation.admit` says).
    """
    return {
        "description": question.text,
        "anyOf": [_answer(question), {"type": "null"}],
        "examples": [answer_example(question)],
    }


def _field(field: Question) -> dict[str, Any]:
    """A listed item's field: as an answer, but never null."""
    return {"description": field.text, **_answer(field), "examples": [answer_example(field)]}


def _answer(question: Question) -> dict[str, Any]:
    """The schema of a value that answers ``question``."""
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
            "properties": {field.id: _field(field) for field in question.fields},
            "required": [field.id for field in question.fields],
            "additionalProperties": False,
        }
        schema = {"type": "array", "items": item}
    else:
        schema = dict(_ANSWER_TYPES[question.type])
    return schema


def _answers(policies: Iterable[Policy]) -> dict[str, Any]:
    """The answers by policy name: each given policy's questions; any other's, any object.

    Versions of one policy share its name: their questions are merged, the first
    given (the newest) winning where two ask under one id; the example is the first's.
    """
    asked: dict[str, dict[str, Question]] = {}
    first: dict[str, Policy] = {}
    for policy in policies:
        first.setdefault(policy.name, policy)
        for q in policy.questions:
            asked.setdefault(policy.name, {}).setdefault(q.id, q)
    properties = {
        name: {
            "type": "object",
            "description": f"Answers to the questions of the policy {name!r}, by id.",
            "properties": {q.id: _question(q) for q in asked.get(name, {}).values()},
            "additionalProperties": False,
            "examples": [{q.id: answer_example(q) for q in policy.questions}],
        }
        for name, policy in first.items()
    }
    return {
        "type": "object",
        "properties": properties,
        "additionalProperties": {"type": "object"},
    }


def _quantity(accepts: Accepts) -> dict[str, Any]:
    """A quantity of the request: a :data:`QUANTITY` whose unit is one its field takes."""
    takes: list[dict[str, Any]] = [{"enum": list(accepts.codes)}]
    takes += [{"pattern": f"^{pattern}$"} for pattern in accepts.patterns]
    unit = {"description": f"The UCUM unit: {accepts.listed()}.", "anyOf": takes}
    return {"$ref": "#/$defs/Quantity", "properties": {"unit": unit}}


def _type(
    kind: Any, defs: dict[str, Any], policies: tuple[Policy, ...], path: str
) -> dict[str, Any]:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_type(arg, defs, policies, path) for arg in typing.get_args(kind)]}
    if origin is tuple:
        item = typing.get_args(kind)[0]
        found: dict[str, Any] = {"type": "array", "items": _type(item, defs, policies, path)}
        if isinstance(item, type) and issubclass(item, enum.Enum):
            found["uniqueItems"] = True  # a list of choices names each once
        return found
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
        accepts = QUANTITIES.get(path)
        return {"$ref": "#/$defs/Quantity"} if accepts is None else _quantity(accepts)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return {"enum": [member.value for member in kind]}
    if kind is Trail:
        defs["Unit"] = UNIT
        defs["Quantity"] = QUANTITY
        defs.update(_TRAIL_DEFS)
        return {"$ref": "#/$defs/Trail"}
    if attrs.has(kind):
        return _object(kind, defs, policies, path)
    raise TypeError(f"no JSON Schema for {kind!r}")


@functools.cache
def attribute_docs(cls: type) -> dict[str, str]:
    """The docstring under each attribute of a class, by name (as mkdocstrings reads them).

    These describe the fields, once: the schema and the API reference both show them.
    """
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):  # defined where no source is kept (a REPL, a test's class)
        return {}
    body = ast.parse(source).body[0]
    assert isinstance(body, ast.ClassDef)
    docs: dict[str, str] = {}
    for statement, after in zip(body.body, body.body[1:], strict=False):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            text = " ".join(inspect.cleandoc(after.value.value).split())
            docs[statement.target.id] = text.replace("``", "`")  # reST's code, as Markdown's
    return docs


#: What the decision's fields mean, for the models that do not document their attributes
#: themselves; an attribute's own docstring wins (and the tests ask to remove the entry).
UNDOCUMENTED = {
    "Decision.outcome": (
        "What the policy recommends: approve, clinician_review, not_recommended or "
        "insufficient_information. umpolicy recommends; a clinician makes every adverse "
        "determination."
    ),
    "Decision.summary": "The recommendation in one sentence, for people.",
    "Decision.policy": "Which policy decided, in which version and content, by which engine.",
    "Decision.request_id": "The request's own id, echoed; null when it gave none.",
    "Decision.request_fingerprint": "SHA-256 of the request's canonical JSON.",
    "Decision.indication": "The label of the indication that decided; null when none did.",
    "Decision.path": "The labels of the branch decided, from the indication down.",
    "Decision.authorization": "The recommended authorization period; null unless approved.",
    "Decision.reasons": "Each criterion that keeps the request from approval.",
    "Decision.facts_needed": "The facts to supply, when information is insufficient.",
    "Decision.trail": "The compact audit trail; null when it was left out.",
    "PolicyRef.name": "The policy's registered name.",
    "PolicyRef.version": "The policy's version.",
    "PolicyRef.effective": "The date the policy took effect.",
    "PolicyRef.content_hash": "SHA-256 of the policy tree's canonical JSON.",
    "PolicyRef.engine": "The umpolicy release that decided.",
    "Reason.label": "The criterion's label; its words are the policy's.",
    "Reason.status": (
        "The criterion's status: not met, or unknown (a criterion not yet checked, or an "
        "exclusion not yet ruled out); met: an exclusion that applies (not recommended)."
    ),
    "Reason.detail": "What the rule requires and what the request gave, in one unit.",
    "Reason.facts_needed": "For an unknown criterion: the facts the request must give.",
    "Authorization.start": "The first day of the recommended period.",
    "Authorization.end": "The last day of the recommended period (inclusive).",
    "Authorization.period": "The period in words, as the policy states it.",
}


def describe(cls: type, name: str) -> str | None:
    """What a model's field means: its docstring, else :data:`UNDOCUMENTED`'s entry."""
    return attribute_docs(cls).get(name) or UNDOCUMENTED.get(f"{cls.__name__}.{name}")


def _object(
    cls: type, defs: dict[str, Any], policies: tuple[Policy, ...], path: str
) -> dict[str, Any]:
    name = cls.__name__
    if name not in defs:
        defs[name] = {}  # placeholder: recursive models refer to themselves
        hints = typing.get_type_hints(cls)
        fields = attrs.fields(cls)
        properties = {}
        for f in fields:
            where = f"{path}.{f.name}".lstrip(".")
            schema = _type(hints[f.name], defs, policies, where)
            described = describe(cls, f.name)
            properties[f.name] = (
                schema if described is None else {"description": described, **schema}
            )
        defs[name] = {
            "type": "object",
            "description": (cls.__doc__ or "").strip().split("\n")[0],
            "properties": properties,
            "required": [f.name for f in fields if f.default is attrs.NOTHING],
            "additionalProperties": False,
        }
    return {"$ref": f"#/$defs/{name}", **_codes(cls, path)}


#: The example request every field's example comes from: each field given once, in a
#: form umpolicy reads (the tests decide it under every shipped policy, with answers
#: from each question's example). Its ``policy`` and answers are the first policy's.
EXAMPLE: dict[str, Any] = {
    "id": "req-2026-0001",
    "date": "2026-03-02",
    "kind": "initial",
    "patient": {
        "birth_date": "1968-07-14",
        "sex": "female",
        "weight": {"value": "72.5", "unit": "kg"},
        "height": {"value": "178", "unit": "cm"},
        "bsa": {"value": "1.89", "unit": "m2"},
    },
    "diagnoses": [{"code": "C64.9", "display": "Malignant neoplasm of unspecified kidney"}],
    "medication": {
        "code": "J3590",
        "system": "HCPCS",
        "other_codes": [{"system": "ATC", "code": "L01XX99"}],
        "name": "the requested drug",
        "other_names": ["the requested drug, by its brand"],
        "route": {"code": "47625008", "display": "Intravenous"},
        "dose": {"value": "600000", "unit": "[iU]/kg"},
        "frequency": {"value": "3", "unit": "/d"},
        "schedule": {
            "doses_per_cycle": 14,
            "cycles_per_course": 2,
            "rest_between_cycles": {"value": "9", "unit": "d"},
            "course_number": 1,
            "rest_before_course": {"value": "7", "unit": "wk"},
        },
    },
    "therapies": {
        "prior": [
            {
                "name": "pembrolizumab",
                "codes": ["L01FF02"],
                "duration": {"value": "6", "unit": "mo"},
                "outcome": "failure",
            }
        ],
        "concomitant": [{"name": "ondansetron", "codes": ["A04AA01"]}],
        "time_on_drug": {"value": "0", "unit": "d"},
        "partial": ["prior"],
    },
    "prescriber": {"specialties": ["207RX0202X"], "affiliations": ["transplant-center"]},
    "consultants": [{"specialties": ["207RH0003X"], "affiliations": []}],
}


def example_request(policies: Iterable[Policy] = ()) -> dict[str, Any]:
    """:data:`EXAMPLE`, naming the first policy and its drug, and answering its every question.

    It is dated the example's date, or the day the policy took effect if that is later.
    The drug is the policy's names and codes: its first name and code, then the others.
    """
    first = next(iter(policies), None)
    if first is None:
        return copy.deepcopy(EXAMPLE)
    answers = {q.id: answer_example(q) for q in first.questions}
    date = max(dt.date.fromisoformat(EXAMPLE["date"]), first.effective).isoformat()
    named = {"policy": first.name, "date": date, "answers": {first.name: answers}}
    example = {**copy.deepcopy(EXAMPLE), **named}
    medication = example["medication"]
    drug = first.requested
    coded = [{"system": each.system, "code": code} for each in drug.codes for code in each.codes]
    medication["name"] = drug.names[0]
    del medication["code"], medication["system"], medication["other_codes"]
    del medication["other_names"]
    if coded:
        medication["code"], medication["system"] = coded[0]["code"], coded[0]["system"]
    if coded[1:]:
        medication["other_codes"] = coded[1:]
    if drug.names[1:]:
        medication["other_names"] = list(drug.names[1:])
    return example


def _example_decisions(policies: tuple[Policy, ...]) -> list[dict[str, Any]]:
    """Decisions on the example request under the first policy, as JSON with their trails.

    The example as given, then with less: no birth date, no BSA (so Mosteller's, from
    height and weight, for an absolute dose), a consultant whose specialties are not
    given. One decision has
    an authorization; the other's reasons name the facts needed (for a policy that
    reads them), and its trail has a derived square and a partial set.
    """
    if not policies:
        return []
    from umpolicy.api import evaluate, to_json
    from umpolicy.io.converter import loads

    given = example_request(policies)
    unborn = copy.deepcopy(given)
    del unborn["patient"]["birth_date"], unborn["patient"]["bsa"]
    unborn["consultants"].append({"affiliations": ["transplant-center"]})
    unborn["medication"]["dose"] = {"value": "43500000", "unit": "[iU]"}  # so per m², per kg
    today = dt.date.fromisoformat(given["date"])  # the example's own day: the same every run
    return [loads(to_json(evaluate(data, policies[0], today=today))) for data in (given, unborn)]


#: How many entries of a map (steps by label) or items of a list a field's example keeps.
_KEPT = 2


def _shape(node: Any, data: Any, defs: dict[str, Any]) -> dict[str, Any]:
    """The part of a schema that describes ``data``'s object or array, through refs and unions."""
    if not isinstance(node, dict):
        return {}
    ref = node.get("$ref")
    if isinstance(ref, str):
        found = _shape(defs[ref.rpartition("/")[2]], data, defs)
        if found:
            return found
    if isinstance(data, dict) and ("properties" in node or "additionalProperties" in node):
        return node
    if isinstance(data, list) and "items" in node:
        return node
    for branch in (*node.get("anyOf", ()), *node.get("allOf", ())):
        found = _shape(branch, data, defs)
        if found:
            return found
    return {}


def _trimmed(node: Any, data: Any, defs: dict[str, Any]) -> Any:
    """``data`` as a field's example: maps and lists cut to :data:`_KEPT` entries, still valid."""
    shape = _shape(node, data, defs)
    if isinstance(data, list):
        return [_trimmed(shape.get("items"), item, defs) for item in data[:_KEPT]]
    if not isinstance(data, dict):
        return data
    properties = shape.get("properties", {})
    kept = {}
    for key, value in data.items():
        if key in properties:
            kept[key] = _trimmed(properties[key], value, defs)
        elif len(kept) - len(properties.keys() & kept.keys()) < _KEPT:
            kept[key] = _trimmed(shape.get("additionalProperties"), value, defs)
    return kept


def _exemplify(node: Any, data: Any, defs: dict[str, Any], nulls: bool = False) -> None:
    """Give each property the example's value at it (the first one met), depth first.

    ``nulls``: a property no example gives a value gets ``null``, if one gives that.
    """
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str):
        _exemplify(defs[ref.rpartition("/")[2]], data, defs, nulls)
    for branch in (*node.get("anyOf", ()), *node.get("allOf", ())):
        _exemplify(branch, data, defs, nulls)
    if isinstance(data, dict):
        properties = node.get("properties", {})
        for name, value in data.items():
            if name in properties:
                if (value is not None or nulls) and value != {}:
                    properties[name].setdefault(
                        "examples", [_trimmed(properties[name], value, defs)]
                    )
                _exemplify(properties[name], value, defs, nulls)
            else:
                _exemplify(node.get("additionalProperties"), value, defs, nulls)
    elif isinstance(data, list):
        for item in data:
            _exemplify(node.get("items"), item, defs, nulls)


def json_schema(cls: type, policies: Iterable[Policy] = ()) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a model as the converter reads and writes it.

    A model is an attrs class (:class:`~umpolicy.Request`, :class:`~umpolicy.Decision`).
    ``policies`` describe the answers to their questions under ``answers.<policy>``.
    Every field has a description and, for a request or a decision, an example: the
    example request's (:func:`example_request`), or the decisions made on it under the
    first policy given.
    """
    given = tuple(policies)
    defs: dict[str, Any] = {}
    root = _object(cls, defs, given, "")
    if cls.__name__ == "Decision":
        defs["Decision"]["allOf"] = [OUTCOME_RULE]
    schema = copy.deepcopy(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": cls.__name__,
            **root,
            "$defs": dict(sorted(defs.items())),
        }
    )
    examples: list[Any] = []
    if cls.__name__ == "Request":
        examples = [example_request(given)]
    elif cls.__name__ == "Decision":
        examples = _example_decisions(given)
    if examples:
        schema["examples"] = examples
    for nulls in (False, True):
        for example in examples:
            _exemplify(schema, example, schema["$defs"], nulls)
    return schema


#: What a decision's outcome says of its other fields, as :mod:`umpolicy.engine.decision`
#: decides: an approval names the indication met and its authorization period, with no
#: reason and no fact needed; every other outcome has no authorization period.
OUTCOME_RULE: dict[str, Any] = {
    "if": {"properties": {"outcome": {"const": Outcome.APPROVE.value}}},
    "then": {
        "properties": {
            "authorization": {"type": "object"},
            "indication": {"type": "string"},
            "reasons": {"maxItems": 0},
            "facts_needed": {"maxItems": 0},
        }
    },
    "else": {"properties": {"authorization": {"type": "null"}}},
}


#: The schemas ``umpolicy schema`` prints and the docs publish, by name.
MODELS = ("request", "decision")


def schema_text(name: str, policies: Iterable[Policy] = ()) -> str:
    """The schema of ``request`` or ``decision`` as indented JSON text, as published."""
    from umpolicy.engine.decision import Decision
    from umpolicy.vocabulary.request import Request

    model = {"request": Request, "decision": Decision}[name]
    return json.dumps(json_schema(model, policies), indent=2, ensure_ascii=False) + "\n"


__all__ = [
    "CODE_FORMS",
    "EXAMPLE",
    "MODELS",
    "OUTCOME_RULE",
    "UNIT_PATTERN",
    "attribute_docs",
    "example_request",
    "json_schema",
    "schema_text",
    "whole",
]
