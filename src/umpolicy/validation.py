"""Checks a structured request must pass before any policy reads it.

Types are the converter's business; this module checks what types cannot say:
each quantity's unit is of the right kind, numbers are positive and of a sane
size, and the birth date is not after the request date. Every problem is named by
its path, and all of them are reported at once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from umpolicy.errors import FieldError, InputError
from umpolicy.facts import FACTS
from umpolicy.quantity import Quantity
from umpolicy.request import Request

#: The largest and smallest magnitudes accepted (as powers of ten), and digits.
_MAX_ADJUSTED = 12
_MIN_ADJUSTED = -12
_MAX_DIGITS = 30

_EARLIEST = dt.date(1900, 1, 1)


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


def problems(request: Request) -> list[FieldError]:
    """Every problem with a structured request, each named by its JSON path."""
    errors: list[FieldError] = []
    if not _EARLIEST <= request.date <= dt.date(9000, 1, 1):
        errors.append(FieldError("$.date", f"{request.date} is not a plausible request date"))
    patient, regimen = request.patient, request.regimen
    if patient.birth_date is not None:
        if patient.birth_date > request.date:
            errors.append(
                FieldError(
                    "$.patient.birth_date",
                    f"birth date {patient.birth_date} is after the request date {request.date}",
                )
            )
        elif patient.birth_date < _EARLIEST:
            errors.append(FieldError("$.patient.birth_date", "is before 1900-01-01"))
    errors += _quantity("$.patient.weight", patient.weight, "patient.weight", zero_ok=False)
    errors += _quantity("$.patient.height", patient.height, "patient.height", zero_ok=False)
    errors += _quantity("$.patient.bsa", patient.bsa, "patient.bsa", zero_ok=False)
    errors += _names("$.therapy.prior_systemic", request.therapy.prior_systemic)
    errors += _names("$.therapy.concomitant_anticancer", request.therapy.concomitant_anticancer)
    errors += _quantity("$.regimen.dose", regimen.dose, "regimen.dose", zero_ok=False)
    errors += _quantity(
        "$.regimen.frequency", regimen.frequency, "regimen.frequency", zero_ok=False
    )
    errors += _count("$.regimen.doses_per_cycle", regimen.doses_per_cycle)
    errors += _count("$.regimen.cycles_per_course", regimen.cycles_per_course)
    errors += _count("$.regimen.course_number", regimen.course_number)
    errors += _quantity(
        "$.regimen.rest_between_cycles",
        regimen.rest_between_cycles,
        "regimen.rest_between_cycles",
        zero_ok=True,
    )
    errors += _quantity(
        "$.regimen.rest_before_course",
        regimen.rest_before_course,
        "regimen.rest_before_course",
        zero_ok=True,
    )
    return errors


def validate(request: Request) -> Request:
    """The request itself when it is sound; :class:`InputError` listing every problem if not."""
    errors = problems(request)
    if errors:
        raise InputError(errors)
    return request
