"""Checks a request must pass before any policy reads it.

A request built from JSON has its types from the converter; one built in Python
may not, so every field's type is checked too (a string where a list belongs must
not count as a list of therapies, a unit made by hand must not pass for a
registered one). Then what types cannot say: each quantity's unit is of the right
kind, numbers are positive, of a sane size and (for the body) plausible, and the
birth date is not after the request date. Every problem is named by its path, and
all of them are reported at once.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import operator
import types
import typing
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from umpolicy.canonical import Unplanned, quote, statements
from umpolicy.errors import FieldError, InputError
from umpolicy.facts import FACTS
from umpolicy.quantity import EXACT, Quantity
from umpolicy.request import Request
from umpolicy.units import UNITS

#: The largest and smallest magnitudes accepted (as powers of ten), and digits.
_MAX_ADJUSTED = 12
_MIN_ADJUSTED = -12
_MAX_DIGITS = 30

_EARLIEST = dt.date(1900, 1, 1)
_LATEST = dt.date(9000, 1, 1)

#: Plausible body sizes, in each dimension's base unit (kg, cm, m²): a value outside
#: is a typo (grams typed as kg, 185 for 1.85 m²) that would shrink a per-kg or per-m²
#: dose and could approve it.
_BODY = {
    "patient.weight": (Decimal("0.2"), Decimal(700), "kg"),
    "patient.height": (Decimal(20), Decimal(280), "cm"),
    "patient.bsa": (Decimal("0.05"), Decimal(5), "m2"),
}

Problems = list[FieldError]
Checker = Callable[[object, str, Problems], None]


@functools.cache
def _checker(kind: Any) -> Checker:
    """A function that adds a problem when a value is not of ``kind`` (built once per type)."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        check_inner = _checker(inner)

        def optional(value: object, path: str, problems: Problems) -> None:
            if value is not None:
                check_inner(value, path, problems)

        return optional
    if typing.get_origin(kind) is tuple:
        check_item = _checker(typing.get_args(kind)[0])

        def sequence(value: object, path: str, problems: Problems) -> None:
            if type(value) is not tuple:
                problems.append(FieldError(path, f"expected a tuple, got {type(value).__name__}"))
                return
            for index, item in enumerate(value):
                check_item(item, f"{path}[{index}]", problems)

        return sequence
    if kind is Quantity:
        return _check_quantity
    if attrs.has(kind):
        hints = typing.get_type_hints(kind)
        fields = [(f.name, _checker(hints[f.name])) for f in attrs.fields(kind)]

        def record(value: object, path: str, problems: Problems) -> None:
            if type(value) is not kind:
                problems.append(
                    FieldError(path, f"expected {kind.__name__}, got {type(value).__name__}")
                )
                return
            for name, check in fields:
                check(getattr(value, name), f"{path}.{name}", problems)

        return record
    exact = isinstance(kind, type) and not issubclass(kind, enum.Enum)

    def plain(value: object, path: str, problems: Problems) -> None:
        if (type(value) is not kind) if exact else not isinstance(value, kind):
            problems.append(
                FieldError(path, f"expected {kind.__name__}, got {type(value).__name__}")
            )

    return plain


def _check_quantity(value: object, path: str, problems: Problems) -> None:
    if type(value) is not Quantity:
        problems.append(FieldError(path, f"expected Quantity, got {type(value).__name__}"))
    elif UNITS.get(value.unit.code) is not value.unit:
        problems.append(FieldError(f"{path}.unit", f"{value.unit.code!r} is not a registered unit"))


def _body(path: str, value: Quantity | None, fact: str) -> Problems:
    if value is None:
        return []
    low, high, base = _BODY[fact]
    factor = value.unit.factor
    scaled = EXACT.multiply(value.value, factor.numerator)
    if low * factor.denominator <= scaled <= high * factor.denominator:
        return []
    what = fact.split(".")[1]
    return [
        FieldError(f"{path}.value", f"{value} is not a plausible {what} ({low} to {high} {base})")
    ]


def _quantity(path: str, value: Quantity | None, fact: str, zero_ok: bool) -> list[FieldError]:
    if value is None:
        return []
    allowed = FACTS[fact].units
    if value.unit.code not in allowed:
        return [
            FieldError(
                f"{path}.unit", f"unit {value.unit.code!r} is not one of {', '.join(allowed)}"
            )
        ]
    return _number(f"{path}.value", value.value, zero_ok)


def _number(path: str, value: Decimal, zero_ok: bool) -> list[FieldError]:
    if value < 0 or (value == 0 and not zero_ok):
        return [
            FieldError(
                path, f"must be {'zero or more' if zero_ok else 'more than zero'}, got {value}"
            )
        ]
    if value and not _MIN_ADJUSTED <= value.adjusted() <= _MAX_ADJUSTED:
        return [FieldError(path, f"{value} is out of range (1e-12 to 1e12)")]
    if len(value.as_tuple().digits) > _MAX_DIGITS:
        return [FieldError(path, f"more than {_MAX_DIGITS} significant digits")]
    return []


def _count(path: str, value: int | None) -> list[FieldError]:
    if value is None or 1 <= value <= 10**6:
        return []
    return [FieldError(path, f"must be a whole number from 1 to 1000000, got {value}")]


def _names(path: str, names: tuple[str, ...] | None) -> list[FieldError]:
    return [
        FieldError(f"{path}[{index}]", "must not be blank")
        for index, name in enumerate(names or ())
        if not name.strip()
    ]


#: The request's quantities (each path is also its fact's name), and whether zero is allowed.
_QUANTITIES = (
    ("patient.weight", False),
    ("patient.height", False),
    ("patient.bsa", False),
    ("regimen.dose", False),
    ("regimen.frequency", False),
    ("regimen.rest_between_cycles", True),
    ("regimen.rest_before_course", True),
)
_COUNTS = ("regimen.doses_per_cycle", "regimen.cycles_per_course", "regimen.course_number")
_NAMES = ("therapy.prior_systemic", "therapy.concomitant_anticancer")


def _value_lines(names: dict[str, object]) -> list[str]:
    """Statements returning ``None`` unless :func:`_named` would find nothing in the values.

    Each quantity's unit must also be the registered unit itself, not one made by hand.
    Digits are counted on the text of a value already in range: 31 characters
    hold at most 30 digits, and only a longer text is counted exactly.
    """
    lines = [
        "d = request.date",
        "if not earliest <= d <= latest:",
        "    return None",
        "b = request.patient.birth_date",
        "if b is not None and not earliest <= b <= d:",
        "    return None",
    ]
    for path, zero_ok in _QUANTITIES:
        units = f"u{len(names)}"
        names[units] = frozenset(FACTS[path].units)
        sign = "v >= 0" if zero_ok else "v > 0"
        lines += [
            f"q = request.{path}",
            "if q is not None:",
            "    u = q.unit",
            "    v = q.value",
            f"    if u.code not in {units} or units_get(u.code) is not u or not {sign}:",
            "        return None",
            "    if v and not min_adjusted <= v.adjusted() <= max_adjusted:",
            "        return None",
            "    if len(str(v)) > 31 and len(v.as_tuple().digits) > max_digits:",
            "        return None",
        ]
        if path in _BODY:  # per unit: the bounds times its factor's denominator, and numerator
            body = f"y{len(names)}"
            low, high, _ = _BODY[path]
            names[body] = {
                code: (
                    EXACT.multiply(low, factor.denominator),
                    EXACT.multiply(high, factor.denominator),
                    factor.numerator,
                )
                for code in FACTS[path].units
                for factor in (UNITS[code].factor,)
            }
            lines += [
                f"    low, high, scale = {body}[u.code]",
                "    if not low <= multiply(v, scale) <= high:",
                "        return None",
            ]
    for path in _COUNTS:
        lines += [
            f"c = request.{path}",
            "if c is not None and not 1 <= c <= 1000000:",
            "    return None",
        ]
    for path in _NAMES:
        lines += [
            f"t = request.{path}",
            "if t is not None:",
            "    for name in t:",
            "        if not name.strip():",
            "            return None",
        ]
    return lines


def _generated(name: str, lines: list[str], names: dict[str, object]) -> Any:
    source = f"def {name}(request):\n" + "".join(f"    {line}\n" for line in lines)
    namespace: dict[str, Any] = {
        **{name: value for name, value in names.items() if value is not None},
        "units_get": UNITS.get,
        "earliest": _EARLIEST,
        "latest": _LATEST,
        "min_adjusted": _MIN_ADJUSTED,
        "max_adjusted": _MAX_ADJUSTED,
        "max_digits": _MAX_DIGITS,
        "multiply": EXACT.multiply,
        "quote": quote,
        "Unplanned": Unplanned,
    }
    exec(source, namespace)
    return namespace[name]


@functools.cache
def _admit() -> Callable[[Request], str | None]:
    """One generated pass: the request's canonical JSON if it is sound, else ``None``.

    The canonical writer's walk checks every field's type as it writes it (as
    :func:`_checker` does); the value checks :func:`_named` makes follow. Anything amiss
    sends the caller down the path that names each problem.
    """
    names: dict[str, object] = {}
    body = [*statements(Request, "request", "text", names), *_value_lines(names)]
    lines = ["try:", *(f"    {line}" for line in body), "except Unplanned:", "    return None"]
    admit: Callable[[Request], str | None] = _generated("admit", [*lines, "return text"], names)
    return admit


def admitted(request: Request) -> str:
    """The canonical JSON of a sound request (what its fingerprint hashes).

    Raises :class:`InputError` naming every problem, as :func:`validate` does; a
    request the writer cannot write is refused too, never decided.
    """
    text = _admit()(request)
    if text is None:
        unwritable = [FieldError("$", "cannot be written as canonical JSON")]
        raise InputError(problems(request) or unwritable)
    return text


def problems(request: Request) -> list[FieldError]:
    """Every problem with a request, each named by its JSON path."""
    if _admit()(request) is not None:  # sound: the one generated pass decisions use
        return []
    return _named(request)


def _named(request: Request) -> list[FieldError]:
    """Every problem with a request, found and named field by field (the slow path)."""
    errors: list[FieldError] = []
    _checker(Request)(request, "$", errors)
    if errors:
        return errors
    if not _EARLIEST <= request.date <= _LATEST:
        errors.append(FieldError("$.date", f"{request.date} is not a plausible request date"))
    birth = request.patient.birth_date
    if birth is not None:
        if birth > request.date:
            errors.append(
                FieldError(
                    "$.patient.birth_date",
                    f"birth date {birth} is after the request date {request.date}",
                )
            )
        elif birth < _EARLIEST:
            errors.append(FieldError("$.patient.birth_date", "is before 1900-01-01"))
    for path, zero_ok in _QUANTITIES:
        value = operator.attrgetter(path)(request)
        found = _quantity(f"$.{path}", value, path, zero_ok)
        errors += found if found or path not in _BODY else _body(f"$.{path}", value, path)
    for path in _COUNTS:
        errors += _count(f"$.{path}", operator.attrgetter(path)(request))
    for path in _NAMES:
        errors += _names(f"$.{path}", operator.attrgetter(path)(request))
    return errors


def validate(request: Request) -> Request:
    """The request itself when it is sound; :class:`InputError` listing every problem if not."""
    errors = problems(request)
    if errors:
        raise InputError(errors)
    return request
