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
import sys
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, get_args, get_origin

import attrs
import cattrs
import orjson
from cattrs.strategies import configure_tagged_union
from cattrs.v import format_exception, transform_error

from umpolicy.dsl.checks import AtLeast, AtMost, Both, Check, Either, LessThan
from umpolicy.dsl.findings import Fact, Finding, Value
from umpolicy.dsl.kept import KEPT, keep
from umpolicy.dsl.nodes import AllOf, AnyOf, Node
from umpolicy.dsl.quantity import FLOAT_REFUSED as FLOAT_REFUSED  # re-exported: one wording
from umpolicy.dsl.quantity import (
    MAX_DIGITS,
    OUT_OF_RANGE,
    Quantity,
    format_decimal,
    to_decimal,
)
from umpolicy.dsl.status import Status
from umpolicy.dsl.units import Unit, unit
from umpolicy.dsl.valueset import ValueSet
from umpolicy.engine.trail import Step, Trail
from umpolicy.errors import (
    FieldError,
    InputError,
    did_you_mean,
    keyed,
    plain_key,
    shown,
    suggestion,
)
from umpolicy.io.decision_json import (
    fact_data,
    finding_data,
    quantity_data,
    trail_data,
    value_data,
)
from umpolicy.io.quantities import unknown_unit
from umpolicy.vocabulary.facts import FACTS, Derived
from umpolicy.vocabulary.request import Request

T = TypeVar("T")
_ANSWERS = Mapping[str, Mapping[str, Any]]

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _tag(cls: type) -> str:
    """``DoseLimit`` → ``dose_limit``: the ``type`` key of a tagged union member."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


#: The limits on a request, each refused early with an error that names it.
MAX_REQUEST_BYTES = 256 * 1024
#: The limit on FHIR JSON (a PAS bundle, a CDS Hooks call, DTR's parameters): the
#: records a bundle carries (notes, attachments) make it far larger than the request
#: read from it, which holds every request limit all the same.
MAX_FHIR_BYTES = 8 * 1024 * 1024
MAX_ITEMS = 100
MAX_TEXT = 1000
#: How deep answers may nest (lists and objects in lists and objects): a question's
#: answer is a value or a list of items, so no policy needs more than a few levels.
MAX_DEPTH = 16


def _strict(kind: type[T], name: str) -> Callable[[object, type], T]:
    def structure(value: object, _: type) -> T:
        if type(value) is not kind:
            raise ValueError(f"expected {name}, got {_json_type(value)}")
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise ValueError(f"text of {len(value)} characters; the limit is {MAX_TEXT}")
        return value

    return structure


def too_many(count: int, what: str = "a list of") -> str:
    """Why ``count`` items are refused: past :data:`MAX_ITEMS`, the one limit of a request."""
    return f"{what} {count} items; the limit is {MAX_ITEMS}"


def _json_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "an object", type(None): "null", Decimal: "a number"}
    return names.get(type(value), type(value).__name__)


def _structure_date(value: object, _: type) -> dt.date:
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        raise ValueError(f"expected a date as text YYYY-MM-DD, got {shown(value)}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{shown(value)} is not a calendar date") from None


def _structure_enum(value: object, kind: type[enum.Enum]) -> enum.Enum:
    if type(value) is str:  # the usual case: the member of that value, at once
        found = kind._value2member_map_.get(value)
        if found is not None:
            return found
    for member in kind:
        if member.value == value:
            return member
    allowed = [str(m.value) for m in kind]
    hint = did_you_mean(value, allowed)
    raise ValueError(f"unknown value {shown(value)}{hint}; expected one of {', '.join(allowed)}")


def _structure_decimal(value: object, _: type) -> Decimal:
    if type(value) is float:  # json.loads without parse_float has rounded it already
        raise ValueError(FLOAT_REFUSED)
    return to_decimal(value)


class _UnknownUnit(ValueError):
    """A unit code umpolicy does not read: the error's path says which units it should be."""

    def __init__(self, code: object, error: ValueError) -> None:
        super().__init__(str(error))
        self.code = code


def _structure_unit(value: object, _: type) -> Unit:
    try:
        return unit(value)  # type: ignore[arg-type]  # unit() refuses what is not text
    except ValueError as error:
        raise _UnknownUnit(value, error) from None


#: For how many extra keys of one object an error suggests a field: bounded work.
_SUGGESTED = 5


def _extra_fields(exc: cattrs.ForbiddenExtraKeysError) -> str:
    """Which keys an object does not define, each with the field it may misspell."""
    extra = sorted(exc.extra_fields)
    text = f"extra fields found ({', '.join(extra)})"
    known = [field.name for field in attrs.fields(exc.cl)]
    guesses = [(key, suggestion(key, known)) for key in extra[:_SUGGESTED]]
    meant = [(key, guess) for key, guess in guesses if guess is not None]
    if len(extra) == 1 and meant:
        return f"{text}; did you mean {meant[0][1]!r}?"
    if meant:
        return f"{text}; did you mean {', '.join(f'{g!r} for {shown(k)}' for k, g in meant)}?"
    return text


def _structure_sequence(converter: cattrs.Converter) -> Callable[[Any], Callable[..., Any]]:
    def factory(kind: Any) -> Callable[..., Any]:
        args = get_args(kind)
        item = args[0] if args else Any

        def structure(value: object, _: type) -> tuple[Any, ...]:
            if not isinstance(value, list | tuple):
                raise ValueError(f"expected a list, got {_json_type(value)}")
            if len(value) > MAX_ITEMS:
                raise ValueError(too_many(len(value)))
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


def _is_date(name: str) -> bool:
    """Whether the fact ``name`` may hold a date: a date of the vocabulary, or an answer."""
    spec = FACTS.get(name)
    return spec.type == "date" if spec is not None else name.startswith("answers.")


def _structure_value(value: object, name: str) -> Value | None:
    """A fact's value back from JSON: a date fact's text is read as a date, other text stays."""
    if isinstance(value, dict):
        return Quantity(value["value"], value["unit"])
    if isinstance(value, list):
        return frozenset(value)
    if isinstance(value, str) and ISO_DATE.fullmatch(value) and _is_date(name):
        return dt.date.fromisoformat(value)
    if value is None or isinstance(value, bool | str):
        return value
    raise ValueError(f"not a fact value: {value!r}")


def _structure_fact(name: str, data: dict[str, Any]) -> Fact:
    square = data.get("exact_square")
    return Fact(
        name,
        _structure_value(data["value"], name),
        tuple(data.get("inputs", ())),
        None if square is None else _fraction(square),
        data.get("partial", False),
    )


def _structure_finding(data: dict[str, Any]) -> Finding:
    requested, limit = data.get("requested"), data.get("limit")
    return Finding(
        Status(data["status"]),
        tuple(data["facts"]),
        None if requested is None else Quantity(requested["value"], requested["unit"]),
        None if limit is None else Quantity(limit["value"], limit["unit"]),
        data.get("note"),
    )


def _structure_trail(data: dict[str, Any], _: type) -> Trail:
    steps = {
        label: Step(
            Status(step["status"]),
            tuple(_structure_finding(f) for f in step.get("findings", ())),
            step.get("applies", True),
            step.get("off", False),
        )
        for label, step in data["steps"].items()
    }
    facts = {name: _structure_fact(name, fact) for name, fact in data["facts"].items()}
    return Trail(steps, facts)


def _structure_answers(value: object, _: type) -> dict[str, dict[str, Any]]:
    """Answers by policy and question id, as JSON values: the policy checks them.

    Answers for a policy other than the one deciding are kept but never read, so their
    size is bounded here, as every other part of a request is: at most
    :data:`MAX_ITEMS` policies, answers, items or fields, and :data:`MAX_TEXT` characters.
    A problem is reported at its own path (``$.answers.other.q[0]``), as the policy's
    own checks report theirs.
    """
    if not isinstance(value, dict):
        raise ValueError(f"expected an object, got {_json_type(value)}")
    try:
        _bounded(value)
        for policy, answers in value.items():
            if not isinstance(answers, dict):
                raise _Within(f"expected an object, got {_json_type(answers)}", (policy,))
    except _Within as error:
        raise _placed(ValueError(str(error)), error.where) from None
    return {policy: dict(answers) for policy, answers in value.items()}


class _Within(ValueError):
    """A problem inside the answers, with the keys and indexes down to it."""

    def __init__(self, reason: str, where: tuple[object, ...]) -> None:
        super().__init__(reason)
        self.where = where


def _placed(error: Exception, where: tuple[object, ...]) -> Exception:
    """``error`` wrapped as cattrs' errors of nested fields and items, down to ``where``.

    :func:`cattrs.transform_error` then writes its path from the answers down, as it
    does for every other field: ``.key`` for an object's key, ``[0]`` for a list's item.
    """
    for key in reversed(where):
        if plain_key(key):
            named = cattrs.AttributeValidationNote(f"@ key {key}", key, object)
            error.__notes__ = [named]
            error = cattrs.ClassValidationError("invalid answers", [error], dict)
        else:  # an index ``[0]``, or a key said in quotes, as errors.keyed says it
            index = key if isinstance(key, int | str) else repr(key)
            indexed = cattrs.IterableValidationNote(f"@ index {index!r}", index, object)
            error.__notes__ = [indexed]
            error = cattrs.IterableValidationError("invalid answers", [error], list)
    return error


def _bounded(value: dict[Any, Any] | list[Any], where: tuple[object, ...] = ()) -> None:
    """Raise :class:`_Within` when JSON data holds more items or text than a request may.

    ``where`` are the keys and indexes from the answers down to ``value``: the error's
    path.
    """
    if len(where) > MAX_DEPTH:
        raise _Within(f"answers nested deeper than {MAX_DEPTH}; the limit is {MAX_DEPTH}", where)
    if len(value) > MAX_ITEMS:
        what = "an object of" if isinstance(value, dict) else "a list of"
        raise _Within(too_many(len(value), what), where)
    pairs = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in pairs:
        if isinstance(key, str) and len(key) > MAX_TEXT:
            _too_long(key, where, "a key")
        if isinstance(item, (dict, list)):  # a tuple: faster than dict | list, made anew
            _bounded(item, (*where, key))
        elif isinstance(item, str) and len(item) > MAX_TEXT:
            _too_long(item, (*where, key))
        elif type(item) is Decimal:  # a number no question may read yet is bounded too
            _in_range(item, (*where, key))
        elif type(item) is int and item.bit_length() > 64:  # past 64 bits: rare, and costly
            _writable(item, (*where, key))


def _in_range(number: Decimal, where: tuple[object, ...]) -> None:
    """Raise :class:`_Within` for a number past a decimal's bounds: writing it out is costly."""
    try:
        to_decimal(number)
    except ValueError as error:
        raise _Within(str(error), where) from None


def _writable(number: int, where: tuple[object, ...]) -> None:
    """Raise :class:`_Within` for an integer of more digits than Python writes out.

    Such an integer could not be written, nor the request fingerprinted: data parsed
    elsewhere may hold one (JSON text holds none, see :func:`loads`). One of fewer
    digits is read, written and fingerprinted as JSON gave it.
    """
    try:
        str(number)
    except ValueError:
        limit = f"the limit is {sys.get_int_max_str_digits()} digits"
        raise _Within(f"{shown(number)}; {limit}", where) from None


def _too_long(text: str, where: tuple[object, ...], what: str = "text") -> None:
    raise _Within(f"{what} of {len(text)} characters; the limit is {MAX_TEXT}", where)


def _structure_values(value: object, _: type) -> tuple[str, ...] | ValueSet:
    if isinstance(value, dict):
        return CONVERTER.structure(value, ValueSet)
    return CONVERTER.structure(value, tuple[str, ...])


def _format(exc: BaseException, kind: type | None) -> str:
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return _extra_fields(exc)
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
    converter.register_structure_hook(Decimal, _structure_decimal)
    converter.register_unstructure_hook(Decimal, format_decimal)
    converter.register_structure_hook(dt.date, _structure_date)
    converter.register_unstructure_hook(dt.date, dt.date.isoformat)
    converter.register_structure_hook_func(
        lambda kind: isinstance(kind, type) and issubclass(kind, enum.Enum), _structure_enum
    )
    converter.register_structure_hook(Unit, _structure_unit)
    converter.register_unstructure_hook(Unit, lambda value: value.code)
    converter.register_unstructure_hook(Quantity, quantity_data)
    converter.register_structure_hook_factory(_is_sequence, _structure_sequence(converter))

    # The trail is compact: steps by label and facts by name, defaults left out.
    # (how a trail is written is defined in umpolicy.io.decision_json, for its text too)
    converter.register_unstructure_hook(Trail, trail_data)
    converter.register_unstructure_hook(
        Trail | None,  # as a decision declares it; else cattrs walks the record as a tuple
        lambda trail: None if trail is None else trail_data(trail),
    )
    converter.register_structure_hook(Trail, _structure_trail)
    converter.register_unstructure_hook(Fact, fact_data)
    converter.register_unstructure_hook(Finding, finding_data)
    converter.register_structure_hook_func(lambda t: t == _ANSWERS, _structure_answers)
    converter.register_unstructure_hook_func(lambda t: t == _ANSWERS, _unstructure_answers)
    converter.register_structure_hook(tuple[str, ...] | ValueSet, _structure_values)
    converter.register_unstructure_hook(
        tuple[str, ...] | ValueSet,
        lambda v: converter.unstructure(v, ValueSet) if isinstance(v, ValueSet) else list(v),
    )
    configure_tagged_union(Derived, converter, tag_generator=_tag, tag_name="type")
    _name_the_tags(converter, Derived)
    converter.register_unstructure_hook_factory(
        _is_request_record, lambda kind: _unstructure_record(kind, converter)
    )

    for bound in (AtMost, AtLeast, LessThan):
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
    for several in (Either, Both):
        converter.register_unstructure_hook(
            several,
            lambda check: {"checks": [converter.unstructure(c, Check) for c in check.checks]},
        )
        converter.register_structure_hook(
            several,
            lambda data, cls: cls(*converter.structure(data["checks"], tuple[Check, ...])),
        )
    configure_tagged_union(Check, converter, tag_generator=_tag, tag_name="type")
    _name_the_tags(converter, Check)  # before the nodes' hooks take the checks' hook
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
    for union in (Node, AllOf | AnyOf):
        _name_the_tags(converter, union)
    return converter


def _name_the_tags(converter: cattrs.Converter, union: Any) -> None:
    """Say which ``type`` tags a tagged union takes, for a tag it does not know.

    Without this, an unknown node or check type in a policy file read as "required
    field missing".
    """
    known = {_tag(member): member for member in get_args(union)}
    tagged = converter.get_structure_hook(union)

    def structure(data: object, kind: Any) -> Any:
        if isinstance(data, dict) and data.get("type") not in known:
            expected = ", ".join(sorted(known))
            raise ValueError(f"unknown type {shown(data.get('type'))}; expected one of {expected}")
        return tagged(data, kind)

    converter.register_structure_hook(union, structure)


def _is_request_record(kind: Any) -> bool:
    """Whether ``kind`` is a record of the request vocabulary (a request, its patient...)."""
    return isinstance(kind, type) and attrs.has(kind) and kind.__module__ == Request.__module__


def _unstructure_record(kind: type, converter: cattrs.Converter) -> Callable[[Any], Any]:
    """The unstructure hook of a request record: cattrs' own, with less work per field.

    cattrs writes a record's hook field by field, each field's value through its type's
    hook: an optional value through a hook that asks whether it is ``None``, a tuple
    through a generator, a record through its own hook. A request has some forty
    fields, most of them optional, unstructured once per request for its fingerprint.
    This hook is one expression: the records a record holds written in place, each
    optional asked about in place, a tuple of records as a list comprehension, text
    and numbers as they are; any other value (a date, a code, a quantity, the answers)
    through ``converter``'s hook for its type, as cattrs would. The same data, with
    the hooks ``converter`` has when it is first asked for ``kind``'s. A field whose
    metadata says ``omit_if_default`` (cattrs' word) is written only when it is not its
    default: a field added so never changes an earlier request's JSON, nor its
    fingerprint.
    """
    scope: dict[str, Any] = {}
    source = _unstructured(kind, "value", scope, converter)
    exec(f"def unstructure(value):\n  return {source}", scope)  # the source is ours
    hook: Callable[[Any], Any] = scope["unstructure"]
    return hook


def _unstructured(kind: Any, name: str, scope: dict[str, Any], converter: cattrs.Converter) -> str:
    """Source for the unstructured value of ``name`` (a variable, or a field of one) of ``kind``.

    The variables it binds and the hooks it calls are added to ``scope``.
    """
    inner = _optional(kind)
    if inner is not None:
        first, then = _bound(name, scope)
        written = _unstructured(inner, then, scope, converter)
        return name if written == then else f"(None if {first} is None else {written})"
    if _is_request_record(kind):
        hints = typing.get_type_hints(kind)
        fields, then = [], name
        for field in attrs.fields(kind):
            hint = hints[field.name]
            first = then
            if then == name and get_origin(hint) is not tuple:  # (not in a loop's iterable)
                first, then = _bound(name, scope)  # the record, read once
            value = _unstructured(hint, f"{first}.{field.name}", scope, converter)
            if field.metadata.get("omit_if_default"):  # written only when given (as cattrs')
                default = f"default{len(scope)}"
                scope[default] = field.default
                given = f"{first}.{field.name} != {default}"
                fields.append(f"**({{{field.name!r}: {value}}} if {given} else {{}})")
            else:
                fields.append(f"{field.name!r}: {value}")
        return f"{{{', '.join(fields)}}}"
    if get_origin(kind) is tuple and get_args(kind)[1:] == (...,):
        each, _ = _bound("", scope)
        written = _unstructured(get_args(kind)[0], each, scope, converter)
        return f"list({name})" if written == each else f"[{written} for {each} in {name}]"
    hook = converter.get_unstructure_hook(kind)
    if hook is cattrs.fns.identity:
        return name
    called = f"hook{len(scope)}"
    scope[called] = hook
    return f"{called}({name})"


def _bound(name: str, scope: dict[str, Any]) -> tuple[str, str]:
    """``name`` bound to a variable where it is first read, and that variable.

    A variable is read as it is; a field (or nothing, for a loop's variable) gets a
    new variable, reserved in ``scope``.
    """
    if name.isidentifier():
        return name, name
    bound = f"v{len(scope)}"
    scope[bound] = None
    return (f"({bound} := {name})" if name else bound), bound


def _unstructure_answers(answers: Mapping[str, Mapping[str, Any]]) -> object:
    return {
        policy: {key: _raw(value) for key, value in each.items()}
        for policy, each in answers.items()
    }


#: The answers written as they are: what no other branch of :func:`_raw` takes.
_AS_THEY_ARE = frozenset({bool, str, int, type(None)})


def _raw(value: Any) -> Any:
    """An answer as JSON: exact numbers as decimal text, items and quantities as objects."""
    if type(value) in _AS_THEY_ARE:  # most answers: yes, no, a code, unanswered
        return value
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, (Quantity, dt.date)):  # a tuple: made once, not a union per call
        return value_data(value)
    if isinstance(value, dict):
        return {key: _raw(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_raw(item) for item in value]
    return value


def _fraction(text: str) -> Any:
    from fractions import Fraction

    return Fraction(text)


#: The converter umpolicy uses; build your own with :func:`make_converter`.
CONVERTER = make_converter()


class _Duplicated(dict[str, Any]):
    """An object whose text gave a key more than once: which keys."""

    duplicates: tuple[str, ...] = ()


def _duplicated(made: dict[str, Any], pairs: list[tuple[str, Any]]) -> _Duplicated:
    """The object ``pairs`` made, marked with the keys they give more than once."""
    marked = _Duplicated(made)
    seen: set[str] = set()
    twice: dict[str, None] = {}
    for key, _ in pairs:
        if key in seen:
            twice[key] = None
        seen.add(key)
    marked.duplicates = tuple(twice)
    return marked


def text_problems(data: Any, path: str = "$") -> list[FieldError]:
    """Every duplicate key and lone surrogate in parsed JSON (or JSON-like data), by path."""
    found: list[FieldError] = []
    _problems(data, path, found)
    return found


def _problems(data: Any, path: str, found: list[FieldError]) -> None:
    """Every duplicate key and lone surrogate in parsed JSON, by its path."""
    if isinstance(data, dict):
        for key in getattr(data, "duplicates", ()):
            found.append(FieldError(keyed(path, key), "duplicate key: each key may appear once"))
        for key, value in data.items():
            if not isinstance(key, str):  # a Python caller's data: JSON's keys are text
                found.append(FieldError(path, not_text_key(key)))
                continue
            if lone_surrogate(key):
                found.append(FieldError(path, f"key {shown(key)} holds a lone surrogate"))
            _problems(value, keyed(path, key), found)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _problems(value, f"{path}[{index}]", found)
    elif isinstance(data, str) and lone_surrogate(data):
        found.append(FieldError(path, LONE_SURROGATE))


#: Why text that is not valid Unicode is refused (it cannot be written out).
LONE_SURROGATE = "text holds a lone surrogate (not valid Unicode)"


def not_text_key(key: object) -> str:
    """Why a key of a Python caller's data is refused: JSON's keys are text."""
    return f"key {shown(key)} is not text (a JSON key is)"


def lone_surrogate(text: str) -> bool:
    """True when the text is not valid Unicode (a lone surrogate): it cannot be written."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def too_large(size: int | str, limit: int = MAX_REQUEST_BYTES) -> FieldError:
    """The error of JSON text past ``limit`` bytes: ``size`` bytes, or ``more than N``."""
    return FieldError("$", f"a request of {size} bytes; the limit is {limit} bytes")


def loads(text: str | bytes, *, limit: int = MAX_REQUEST_BYTES) -> Any:
    """Parse JSON with every number as an exact :class:`~decimal.Decimal`.

    A key that appears twice in one object, or text that is not valid Unicode (a lone
    surrogate), is an input error naming its path: a parser upstream that keeps the
    first key, or drops the bad text, would see another request than the one decided.
    Text past ``limit`` bytes is refused unread: a request's limit unless given (FHIR
    JSON, which carries records, is read up to :data:`MAX_FHIR_BYTES`).
    """
    size = (
        len(text)
        if isinstance(text, bytes) or text.isascii()
        else len(text.encode("utf-8", "surrogatepass"))
    )
    if size > limit:
        raise InputError([too_large(size, limit)])
    if isinstance(text, bytes):  # JSON is exchanged as UTF-8 (RFC 8259), without a BOM
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            reason = f"malformed JSON: not UTF-8 text ({exc.reason} at byte {exc.start})"
            raise InputError([FieldError("$", reason)]) from None
    if text.startswith("\ufeff"):
        raise InputError([FieldError("$", "a byte order mark before the JSON text")])
    read = _read_as_written(text)
    if read is not None:
        return read
    duplicated: list[_Duplicated] = []

    def pairs(found: list[tuple[str, Any]]) -> dict[str, Any]:
        """A JSON object, marked when a key appears twice (another parser may keep the first)."""
        made = dict(found)
        if len(made) == len(found):
            return made
        duplicated.append(_duplicated(made, found))
        return duplicated[-1]

    try:
        data = json.loads(
            text, parse_float=Decimal, parse_constant=_not_json, object_pairs_hook=pairs
        )
    except (json.JSONDecodeError, _NotJSON, RecursionError) as exc:  # RecursionError: deep
        raise InputError([FieldError("$", f"malformed JSON: {exc}")]) from None
    except ValueError:  # well-formed: an integer of more digits than Python reads
        reason = (
            f"a number of the JSON text has more than {sys.get_int_max_str_digits()} digits; "
            f"a number has at most {MAX_DIGITS}"
        )
        raise InputError([FieldError("$", reason)]) from None
    except InvalidOperation:  # a number of an exponent past what any decimal holds
        raise InputError([FieldError("$", f"a number of the JSON text {OUT_OF_RANGE}")]) from None
    # Only text that is not ASCII, or escapes a character, can hold a lone surrogate.
    if duplicated or not text.isascii() or "\\u" in text:
        found = text_problems(data)
        if found:
            raise InputError(found)
    return data


#: How deep JSON text orjson reads may nest (objects and arrays), for its reading to be
#: kept: far more than a request needs (its answers nest at most :data:`MAX_DEPTH`), far
#: less than the depth at which Python's json gives up.
_READ_DEPTH = 2 * MAX_DEPTH


def _read_as_written(text: str) -> dict[str, Any] | list[Any] | None:
    """The data of JSON text as :func:`loads` reads it, read by orjson; ``None`` if unsure.

    orjson reads JSON several times faster than Python's json, but reads a number with
    a fraction or an exponent, or an integer past 64 bits, as a binary float, and keeps
    the last of a key given twice without a word. Its reading is kept only when it is
    the one :func:`loads` makes otherwise:

    - no number of it is a float: every number was an integer, read as the same int;
    - the text holds as many colons as the data holds keys, so no object gave a key
      twice: every key is followed by one colon of the text's structure, and a colon
      comes after nothing else but inside a string; text with a colon in a string (a
      time, a URL) is left to json, which says which key is duplicated, if one is;
    - it is an object or an array, nested at most :data:`_READ_DEPTH` deep.

    Text orjson refuses (malformed, NaN, a lone surrogate, too deep) is left to json
    too, whose errors say why. Compact or spaced, on one line or many, the text is the
    same JSON: orjson reads it all.
    """
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if type(data) is not dict and type(data) is not list:
        return None
    keys = _keys_if_integral(data)
    if keys is None or text.count(":") != keys:
        return None
    return data


def _keys_if_integral(data: dict[str, Any] | list[Any]) -> int | None:
    """How many keys ``data``'s objects hold, if no number in it is a float; else ``None``.

    Nested at most :data:`_READ_DEPTH` deep (``None`` past it). Level by level, without
    recursion: a caller's stack is as deep as it was.
    """
    keys = 0
    level = [data]
    for _ in range(_READ_DEPTH):
        nested: list[Any] = []
        for each in level:
            values: Iterable[Any]
            if type(each) is dict:
                keys += len(each)
                values = each.values()
            else:
                values = each
            for item in values:
                kind = type(item)
                if kind is float:
                    return None
                if kind is dict or kind is list:
                    nested.append(item)
        if not nested:
            return keys
        level = nested
    return None


class _NotJSON(ValueError):
    """Text that is not JSON, though Python's reader takes it (see :func:`_not_json`)."""


def _not_json(word: str) -> Any:
    """Refuse ``NaN``, ``Infinity`` and ``-Infinity``, which Python reads and JSON has not."""
    raise _NotJSON(f"{word} is not a JSON number")


def dumps(data: object) -> str:
    """Canonical JSON: sorted keys, no insignificant white space, UTF-8 text.

    Written by orjson, which writes what ``json.dumps(data, sort_keys=True,
    ensure_ascii=False, separators=(",", ":"))`` would, several times faster: a
    decision with its trail is the largest thing umpolicy writes, once per request.
    """
    return canonical_bytes(data).decode()


def canonical_bytes(data: object) -> bytes:
    """The text :func:`dumps` writes, as its UTF-8 bytes (what a fingerprint hashes).

    orjson writes no integer past 64 bits, which a request's answers may hold as JSON
    gave them (``2**64``: a policy's question refuses it, as every answer it did not
    ask for, but the request is read, written and fingerprinted all the same). Such
    data is written by json instead, to the same text.
    """
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        if not _past_64_bits(data):
            raise
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def _past_64_bits(data: object) -> bool:
    """Whether JSON data holds an integer orjson does not write (past 64 bits)."""
    level = [data]
    while level:
        nested: list[object] = []
        for each in level:
            if type(each) is int and not -(2**63) <= each < 2**64:
                return True
            if isinstance(each, dict):
                nested += each.values()
            elif isinstance(each, list | tuple):
                nested += each
        level = nested
    return False


Hook = Callable[[Any, Any], Any]


class _Unusual(Exception):
    """Data the quick path leaves to the converter: it may be wrong, or only unusual."""


def _quick(kind: Any, converter: cattrs.Converter) -> Hook:
    """A structure hook for ``kind`` that builds what ``converter`` builds, with less work.

    It takes only JSON as :func:`loads` gives it (objects as plain dicts, arrays as
    lists) and raises on anything else, wrong or merely unusual, without saying why:
    :func:`structure` then asks ``converter``, whose errors name every problem by its
    path. So it must never accept what ``converter`` refuses, and must build the same
    value. It reads the request vocabulary, whose records have no hooks of their own:
    each record's fields as ``converter`` reads them (text, whole numbers and booleans
    in place, as :func:`_strict` does; dates, codes and answers by its hooks), without
    the bookkeeping of every error.
    """
    if _is_sequence(kind):
        return _quick_sequence(get_args(kind)[0], converter)
    if kind is Quantity:
        return _quick_quantity
    if attrs.has(kind):
        return _quick_record(kind, converter)
    return converter.get_structure_hook(kind)


def _wrong(kind: Any, name: str) -> str | None:
    """Source that is true when ``name`` is not a ``kind`` as :func:`_strict` reads one.

    ``None`` for a kind :func:`_strict` does not read: its hook reads it.
    """
    if kind is str:
        return f"type({name}) is not str or len({name}) > {MAX_TEXT}"
    if kind is int or kind is bool:
        return f"type({name}) is not {kind.__name__}"
    return None


def _compiled(lines: list[str], scope: dict[str, Any]) -> Hook:
    """A hook ``(value, kind)`` whose body is ``lines``, with the names of ``scope``."""
    exec("\n".join(["def quick(value, _):", *lines]), scope)  # the source is ours
    hook: Hook = scope["quick"]
    return hook


def _quick_sequence(item: Any, converter: cattrs.Converter) -> Hook:
    """A quick hook for a list of ``item`` (a tuple once read), of at most MAX_ITEMS."""
    scope: dict[str, Any] = {"Unusual": _Unusual, "item": item}
    lines = [f"  if type(value) is not list or len(value) > {MAX_ITEMS}:", "    raise Unusual"]
    wrong = _wrong(item, "each")
    if wrong is None:
        scope["hook"] = _quick(item, converter)
        return _compiled([*lines, "  return tuple([hook(each, item) for each in value])"], scope)
    lines += ["  for each in value:", f"    if {wrong}:", "      raise Unusual"]
    return _compiled([*lines, "  return tuple(value)"], scope)


def _quick_record(kind: type, converter: cattrs.Converter) -> Hook:
    """A record's quick hook, written out field by field as cattrs writes its own."""
    hints = typing.get_type_hints(kind)
    fields = attrs.fields(kind)
    scope: dict[str, Any] = {"kind": kind, "Unusual": _Unusual}
    lines = ["  if type(value) is not dict:", "    raise Unusual", "  n = 0"]
    for at, field in enumerate(fields):
        hint = hints[field.name]
        inner = _optional(hint)
        given = hint if inner is None else inner
        lines += [
            f"  if {field.name!r} in value:",
            "    n += 1",
            f"    v{at} = value[{field.name!r}]",
        ]
        indent = "    "
        if inner is not None:  # null, or the value
            lines.append(f"    if v{at} is not None:")
            indent += "  "
        wrong = _wrong(given, f"v{at}")
        if wrong is None:
            scope[f"hook{at}"], scope[f"kind{at}"] = _quick(given, converter), given
            lines.append(f"{indent}v{at} = hook{at}(v{at}, kind{at})")
        else:
            lines += [f"{indent}if {wrong}:", f"{indent}  raise Unusual"]
        lines.append("  else:")
        if field.default is attrs.NOTHING:
            lines.append("    raise Unusual")
        elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            scope[f"default{at}"] = field.default.factory
            lines.append(f"    v{at} = default{at}()")
        else:
            scope[f"default{at}"] = field.default
            lines.append(f"    v{at} = default{at}")
    values = ", ".join(f"v{at}" for at in range(len(fields)))
    lines += ["  if n != len(value):", "    raise Unusual", f"  return kind({values})"]
    return _compiled(lines, scope)


def _optional(kind: Any) -> Any:
    """The kind of ``kind | None``; ``None`` when ``kind`` is not such a union."""
    if get_origin(kind) in (typing.Union, types.UnionType):
        (inner,) = [arg for arg in get_args(kind) if arg is not type(None)]
        return inner
    return None


#: The quantities the quick hook made, by their value's text and unit code: a request's
#: quantities are mostly the same few (a frequency, a rest, a weight, a common dose),
#: each read once while kept. A quantity is immutable, so requests share it as they
#: share a unit. Starts anew past :data:`~umpolicy.dsl.kept.KEPT` entries: bounded.
_QUANTITIES: dict[tuple[str, str], Quantity] = {}


def _quick_quantity(data: object, _: object) -> Quantity:
    """A quantity's quick hook: its value and unit read as the converter's hooks read them.

    Not read again: ``Quantity``'s own converters would make the same value of them,
    as :func:`~umpolicy.dsl.quantity.to_decimal` returns a decimal it made unchanged.
    A value and a unit given as text (as JSON gives them) are looked for among the
    quantities read before, text itself only: no subclass that may compare equal.
    """
    if type(data) is not dict or len(data) != 2:
        raise _Unusual
    value, code = data["value"], data["unit"]
    if type(value) is not str or type(code) is not str:
        return Quantity.exact(to_decimal(value), unit(code))
    made = _QUANTITIES.get((value, code))
    if made is None:
        made = keep(_QUANTITIES, (value, code), Quantity.exact(to_decimal(value), unit(code)), KEPT)
    return made


#: The quick hooks of :data:`CONVERTER`, by the kind they build: a request.
_QUICK: dict[Any, Hook] = {Request: _quick(Request, CONVERTER)}


def structure(data: object, kind: type[T], converter: cattrs.Converter = CONVERTER) -> T:
    """Build ``kind`` from JSON data, or raise :class:`InputError` naming every bad field.

    A request is read by its quick hook first (see :func:`_quick`); on any problem, by
    the converter, whose errors name each one.
    """
    quick = _QUICK.get(kind) if converter is CONVERTER else None
    if quick is not None:
        try:
            made: T = quick(data, kind)
        except Exception:  # the converter reads it again, and says why
            pass
        else:
            return made
    leaves: list[tuple[BaseException, str]] = []

    def formatted(exc: BaseException, kind: type | None) -> str:
        # One message per call, in order: each message's own exception and reason.
        leaves.append((exc, _format(exc, kind)))
        return leaves[-1][1]

    try:
        return converter.structure(data, kind)
    except cattrs.BaseValidationError as exc:
        messages = transform_error(exc, path="$", format_exception=formatted)
        errors = [
            _field_error(message, exc, reason)
            for message, (exc, reason) in zip(messages, leaves, strict=True)
        ]
        raise InputError(errors) from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        reason = _format(exc, kind)
        raise InputError([_field_error(f"{reason} @ $", exc, reason)]) from None


def _field_error(message: str, exc: BaseException, reason: str) -> FieldError:
    """A message of :func:`transform_error` as an error; a unit's says what its field takes.

    The message is ``reason @ path``: the path is what follows the reason, which either
    may hold " @ " (an answer's key, a text quoted).
    """
    path = message[len(reason) + len(" @ ") :]
    if isinstance(exc, _UnknownUnit):
        reason = unknown_unit(exc.code, path, exc)
    return FieldError(path, reason)


__all__ = ["CONVERTER", "dumps", "loads", "make_converter", "structure"]
