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

from umpolicy.quantity import Quantity

#: JSON string literal, as :func:`json.dumps` writes it with ``ensure_ascii=False``.
quote: Callable[[str], str] = json.encoder.encode_basestring


class Unplanned(Exception):
    """A value whose type the generated writer does not handle."""


def statements(kind: Any, source: str, target: str, names: dict[str, object]) -> list[str]:
    """Python statements setting ``target`` to the JSON text of ``source``, of type ``kind``."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    n = len(names)
    if origin in (types.UnionType, typing.Union) and len(args) == 2 and type(None) in args:
        inner = args[0] if args[1] is type(None) else args[1]
        body = statements(inner, source, target, names)
        return [
            f"if {source} is None:",
            f"    {target} = 'null'",
            "else:",
            *(f"    {line}" for line in body),
        ]
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item, text, parts = f"x{n}", f"t{n}", f"p{n}"
        names[parts] = None
        body = statements(args[0], item, text, names)
        return [
            f"if type({source}) is not tuple:",
            "    raise Unplanned",
            f"{parts} = []",
            f"for {item} in {source}:",
            *(f"    {line}" for line in body),
            f"    {parts}.append({text})",
            f"{target} = '[' + ','.join({parts}) + ']'",
        ]
    if kind is bool:
        return [
            f"if {source} is True:",
            f"    {target} = 'true'",
            f"elif {source} is False:",
            f"    {target} = 'false'",
            "else:",
            "    raise Unplanned",
        ]
    check = [f"if type({source}) is not k{n}:", "    raise Unplanned"]
    names[f"k{n}"] = kind
    if kind is str:
        return [*check, f"{target} = quote({source})"]
    if kind is int:
        return [*check, f"{target} = int.__repr__({source})"]
    if kind is dt.date:
        return [*check, f"{target} = '\"' + {source}.isoformat() + '\"'"]
    if kind is Quantity:  # format_decimal, inlined: str() is plain unless it has an exponent
        digits = f"d{n}"
        names[digits] = None
        return [
            *check,
            f"{digits} = str({source}.value)",
            f"if 'E' in {digits}:",
            f"    {digits} = f'{{{source}.value:f}}'",
            f"if '.' in {digits}:",
            f"    {digits} = {digits}.rstrip('0').rstrip('.')",
            target
            + ' = f\'{{"unit":{quote('
            + source
            + '.unit.code)},"value":"{'
            + digits
            + "}\"}}'",
        ]
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        if not all(type(member._value_) is str for member in kind):
            raise TypeError(f"no canonical JSON writer for {kind!r}")  # pragma: no cover
        texts = f"e{n}"
        # Keyed by the member's text: a str hashes in C, an enum member in Python.
        names[texts] = {member._value_: quote(member._value_) for member in kind}
        return [*check, f"{target} = {texts}[{source}._value_]"]
    if isinstance(kind, type) and attrs.has(kind):
        return [*check, *_record(kind, source, target, names)]
    raise TypeError(f"no canonical JSON writer for {kind!r}")  # pragma: no cover


def _record(cls: type, source: str, target: str, names: dict[str, object]) -> list[str]:
    """Statements setting ``target`` to the JSON object of ``source``, keys sorted, inlined."""
    hints = typing.get_type_hints(cls)
    lines: list[str] = []
    keys: list[str] = []
    for field in sorted(attrs.fields(cls), key=lambda f: f.name):
        value, text = f"v{len(names)}", f"a{len(names)}"
        names[value] = names[text] = None
        lines.append(f"{value} = {source}.{field.name}")
        lines += statements(hints[field.name], value, text, names)
        keys.append(f"{',' if keys else ''}{json.dumps(field.name)}:{{{text}}}")
    # One f-string builds the object's text at once (no chain of concatenations).
    lines.append(f"{target} = f'{{{{{''.join(keys)}}}}}'")
    return lines


@functools.cache
def writer(cls: type) -> Callable[[object], str]:
    """A function writing an instance of the attrs class ``cls`` as canonical JSON."""
    names: dict[str, object] = {}
    lines = [*statements(cls, "value", "text", names), "return text"]
    source = "def write(value):\n" + "".join(f"    {line}\n" for line in lines)
    namespace: dict[str, Any] = {
        **{name: value for name, value in names.items() if value is not None},
        "Unplanned": Unplanned,
        "quote": quote,
    }
    exec(source, namespace)
    write: Callable[[object], str] = namespace["write"]
    return write
