"""FHIR JSON text out, numbers exact: a Decimal is written as the JSON number it is.

FHIR writes a decimal as a JSON number, and a reader must keep its digits (``72.50``
is not ``72.5`` in FHIR's sense of precision). Neither the standard library's
``json`` nor orjson writes a :class:`~decimal.Decimal` as a number, and a float
would round it; :func:`dumps` writes each one's own digits instead. Read FHIR JSON
with :func:`umpolicy.loads`, which parses every number as a Decimal.
"""

from __future__ import annotations

import json
import secrets
from decimal import Decimal
from typing import Any


def _digits(value: Decimal) -> str:
    """A decimal's digits as a JSON number, without an exponent (``1E+6`` → ``1000000``)."""
    return format(value, "f")


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """FHIR JSON text for ``data`` (a resource as dicts and lists), every Decimal exact.

    Keys keep their order (a resource reads as the specification lists its elements);
    ``indent=None`` writes it on one line.
    """
    marker = f"umpolicy-decimal-{secrets.token_hex(8)}-"
    numbers: list[str] = []

    def swap(value: Any) -> Any:
        if isinstance(value, Decimal):
            numbers.append(_digits(value))
            return f"{marker}{len(numbers) - 1}"
        if isinstance(value, dict):
            return {key: swap(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [swap(item) for item in value]
        return value

    text = json.dumps(swap(data), indent=indent, ensure_ascii=False)
    for number, digits in reversed(list(enumerate(numbers))):
        text = text.replace(f'"{marker}{number}"', digits)
    return text + ("\n" if indent is not None else "")


__all__ = ["dumps"]
