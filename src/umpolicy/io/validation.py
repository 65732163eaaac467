"""Checks a request must pass before any policy reads it.

A request built from JSON has its types from the converter; one built in Python
may not, so every field's type is checked too (a string where a list belongs must
not count as a list of therapies, a unit made by hand must not pass for a
registered one). Then what types cannot say: each quantity's unit is of the right
kind, numbers are positive, of a sane size and (for the body) plausible, the birth
date is not after the request date, and the therapy history does not contradict
itself or the patient's age (:func:`_history`). Every problem is named by its path,
and all of them are reported at once.
"""

from __future__ import annotations

import collections.abc
import copy
import datetime as dt
import decimal
import enum
import functools
import math
import operator
import re
import types
import typing
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeGuard

import attrs

from umpolicy.dsl.drug import FORM_WORDS as DRUG_FORM_WORDS
from umpolicy.dsl.drug import FORMS as DRUG_FORMS
from umpolicy.dsl.drug import DrugCodeSystem
from umpolicy.dsl.kept import KEPT, keep
from umpolicy.dsl.quantity import EXACT, Quantity, format_decimal, rounded, to_decimal
from umpolicy.dsl.questions import AnswerType, Question
from umpolicy.dsl.units import Unit, unit
from umpolicy.dsl.units import suggestion as respelled
from umpolicy.errors import (
    MAX_ERRORS,
    FieldError,
    InputError,
    did_you_mean,
    keyed,
    shown,
    suggestion,
)
from umpolicy.history import PolicyHistory
from umpolicy.io.converter import (
    FLOAT_REFUSED,
    ISO_DATE,
    LONE_SURROGATE,
    MAX_DEPTH,
    MAX_ITEMS,
    lone_surrogate,
    not_text_key,
    structure,
    too_many,
)
from umpolicy.io.quantities import QUANTITIES, Accepts, unknown_unit, wrong_unit
from umpolicy.policy import Policy
from umpolicy.vocabulary.facts import HISTORIES, MOSTELLER_DIVISOR, mosteller_square
from umpolicy.vocabulary.request import (
    History,
    Medication,
    Patient,
    Request,
    RequestKind,
    Therapies,
    TherapyOutcome,
)

#: The largest and smallest magnitudes accepted (as powers of ten), and digits.
_MAX_ADJUSTED = 12
_MIN_ADJUSTED = -12
_MAX_DIGITS = 30
#: Arithmetic to as many digits: a value with more is rounded to them (even if only zeros).
_DIGITS = decimal.Context(prec=_MAX_DIGITS, traps=[decimal.Rounded])
#: A value to as many digits, and a product exactly: looked up on their contexts once.
_TO_DIGITS, _TIMES = _DIGITS.plus, EXACT.multiply

#: The forms of the codes the shared vocabulary reads: a code in another form (lower
#: case, a space, a blank) would match no value set and could pass an exclusion.
_FORMS = {
    "an ICD-10-CM code (such as C43.9)": re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?"),
    "an ATC code (such as L04AB04)": DRUG_FORMS[DrugCodeSystem.ATC.value],
    "a NUCC taxonomy code (such as 207RX0202X)": re.compile(r"[0-9]{3}[0-9A-Z]{6}X"),
    "a SNOMED CT code (digits, such as 47625008)": re.compile(r"[1-9][0-9]{5,17}"),
}
_ICD, _ATC, _NUCC, _SNOMED = _FORMS
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

#: The quantities read by path from the request, but the therapy history's (checked
#: with it, by :func:`_history`): how each is read, its JSON path, what it takes, and
#: whether it is a body size.
_QUANTITIES = tuple(
    (operator.attrgetter(a.field), f"$.{a.field}", a, a.field in _BODY)
    for a in QUANTITIES.values()
    if not a.field.startswith("therapies.")
)
#: What the time on the requested drug takes.
_ON_DRUG = QUANTITIES["therapies.time_on_drug"]
#: The counts of the schedule: how each is read, and its JSON path.
_COUNTS = tuple(
    (operator.attrgetter(path), f"$.{path}")
    for path in (
        "medication.schedule.doses_per_cycle",
        "medication.schedule.cycles_per_course",
        "medication.schedule.course_number",
    )
)
#: The therapy histories: each one's field, JSON path, and what a duration in it takes.
_HISTORIES = tuple(
    (history, f"$.{field}", QUANTITIES[f"{field}.duration"]) for history, field in HISTORIES.items()
)

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
    if typing.get_origin(kind) is collections.abc.Mapping:

        def mapping(value: object, path: str, problems: Problems) -> None:
            if not isinstance(value, collections.abc.Mapping):
                problems.append(FieldError(path, f"expected a mapping, got {type(value).__name__}"))

        return mapping
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
        elif kind is str and lone_surrogate(value):  # type: ignore[arg-type]
            problems.append(FieldError(path, LONE_SURROGATE))

    return plain


#: The values JSON data holds (a number exact, as :func:`umpolicy.loads` reads it).
_JSON_SCALARS = (str, int, Decimal, bool, type(None))


def _json_data(value: object, path: str, problems: Problems, depth: int) -> None:
    """A problem for each part of ``value`` that JSON cannot hold, by its path.

    A request built in Python may hold anything in its answers, and the answers for
    other policies are never read by a question, only written in the request's
    fingerprint: a key that is not text, a set, a binary float, or data nested past
    :data:`~umpolicy.io.converter.MAX_DEPTH` is an input error there, as it is in JSON
    text, rather than a crash when the request is written.
    """
    if depth > MAX_DEPTH:
        problems.append(
            FieldError(path, f"nested deeper than {MAX_DEPTH}; the limit is {MAX_DEPTH}")
        )
        return
    if isinstance(value, collections.abc.Mapping):
        for key, item in value.items():
            if type(key) is not str:
                problems.append(FieldError(path, not_text_key(key)))
            else:
                _json_data(item, keyed(path, key), problems, depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _json_data(item, f"{path}[{index}]", problems, depth + 1)
    elif type(value) is float:
        problems.append(FieldError(path, FLOAT_REFUSED))
    elif not isinstance(value, _JSON_SCALARS):
        problems.append(FieldError(path, f"expected JSON data, got {type(value).__name__}"))
    elif type(value) is str and lone_surrogate(value):
        problems.append(FieldError(path, LONE_SURROGATE))


def _visible(text: str) -> bool:
    """True when the text has a letter or a digit: not blank, nor only invisible marks."""
    return text[:1].isalnum() or any(char.isalnum() for char in text)  # most: the first


def _check_quantity(value: object, path: str, problems: Problems) -> None:
    if type(value) is not Quantity:
        problems.append(FieldError(path, f"expected Quantity, got {type(value).__name__}"))
    elif unit(value.unit.code) != value.unit:
        problems.append(FieldError(f"{path}.unit", f"{value.unit.code!r} is not a known unit"))


@functools.cache
def _plausible(fact: str, code: str) -> tuple[int, Decimal, Decimal]:
    """A body size's bounds for a value in the unit ``code``, to compare it exactly.

    The unit's factor's numerator (to multiply the value by), and each bound times its
    denominator. A unit is known by its code: checked so (:func:`_check_quantity`), or
    made so by the converter.
    """
    low, high, _ = _BODY[fact]
    numerator, denominator = unit(code).terms
    lowest, highest = (EXACT.multiply(bound, denominator) for bound in (low, high))
    return numerator, lowest, highest


def _body(errors: Problems, path: str, value: Quantity, fact: str) -> None:
    """Add a problem when a body size (of a known unit) is not plausible, at its path."""
    numerator, lowest, highest = _plausible(fact, value.unit.code)
    if lowest <= _TIMES(value.value, numerator) <= highest:
        return
    low, high, base = _BODY[fact]
    what = fact.split(".")[1]
    reason = f"{value} is not a plausible {what} ({low} to {high} {base})"
    errors.append(FieldError(f"{path}.value", reason))


#: How far from Mosteller's BSA of the patient's height and weight a BSA given may be:
#: at most half again as large, at least half as large. The formulas in use (Du Bois,
#: Haycock, Boyd) differ from Mosteller's by well under a tenth, and a BSA capped for
#: dosing (2 m2 for a body of 3.2) or worked out from the ideal weight (1.8 m2 for a body
#: of 3.4) is less, but not half. Further, it is a typo (5 m2 for 150 cm and 40 kg) or
#: another patient's, and a dose read from it is wrong either way: per m2 it looks
#: smaller than it is from a BSA too large, and as a total (per m2 times the BSA, held
#: to a cap in mg) from one too small.
BSA_ABOVE, BSA_BELOW = Fraction(3, 2), Fraction(2)
#: BSA_ABOVE as a message says it: ``1.5``.
_ABOVE = format_decimal(Decimal(BSA_ABOVE.numerator) / BSA_ABOVE.denominator)
#: The body mass indexes (kg/m2) a weight and a height may give together, wide of every
#: body: a 400 g newborn of 30 cm has 4.4, the heaviest people recorded under 200. Only
#: measures of no body are refused (700 kg at 20 cm); without the patient's age, a
#: weight mistyped by a factor of ten may pass (7 kg at 170 cm, an index of 2.4, is no
#: adult's, but a newborn's index is lower).
BMI_RANGE = (2, 250)
#: The paths of the measures :func:`_measures` compares: one at fault alone is not.
_MEASURED = ("$.patient.weight", "$.patient.height", "$.patient.bsa")


def _measures(errors: Problems, patient: Patient) -> None:
    """Add a problem when the patient's weight, height and BSA, each plausible, disagree.

    Each is checked alone first (:func:`_body`); one at fault there is not compared.
    The body mass index is compared at the weight (700 kg at 20 cm is not a body). A
    BSA given may be at most :data:`BSA_ABOVE` times Mosteller's of the height and
    weight, and at least its share :data:`BSA_BELOW`; with one of them missing, of the
    largest or smallest a body of the other may have (any plausible height or weight,
    the index in range): a 3 kg patient of 5 m2 is no body, height or none. Every
    comparison is exact, in integers: a request pays it.
    """
    weight, height, bsa = patient.weight, patient.height, patient.bsa
    if any(error.path.startswith(_MEASURED) for error in errors):
        return
    kilograms = None if weight is None else _ratio(weight)
    centimeters = None if height is None else _ratio(height)
    if kilograms is not None and centimeters is not None:
        (kn, kd), (cn, cd) = kilograms, centimeters
        low, high = BMI_RANGE  # index = kn·10⁴·cd² / (kd·cn²)
        side = "under" if low * kd * cn * cn > kn * 10_000 * cd * cd else None
        if side is None and kn * 10_000 * cd * cd > high * kd * cn * cn:
            side = "over"
        if side is not None:
            reason = (
                f"{weight} at a height of {height} is a body mass index {side} "
                f"{low if side == 'under' else high} kg/m2, no body's: a weight or a height "
                "is mistyped"
            )
            errors.append(FieldError("$.patient.weight", reason))
            return
    if bsa is None or (kilograms is None and centimeters is None):
        return
    given = _ratio(bsa)
    if not _may_reach(given, kilograms, centimeters):
        side = f"more than {_ABOVE} times"
    elif not _may_fall(given, kilograms, centimeters):
        side = "less than half"  # BSA_BELOW, in words
    else:
        return
    if weight is not None and height is not None:
        square = mosteller_square(height, weight)
        shown_square = format_decimal(rounded(square.numerator, square.denominator, 2, root=True))
        if side.startswith("less"):
            limit = f"at least {format_decimal(_ceiling_root(square / BSA_BELOW**2, 2))} m2"
        else:
            limit = f"at most {format_decimal(_floor_root(BSA_ABOVE**2 * square, 2))} m2"
        body = (
            f"a height of {height} and a weight of {weight} "
            f"({shown_square} m2 by Mosteller's formula, so {limit})"
        )
    elif weight is not None:
        body = f"any body of {weight}, at any height it may have (Mosteller's formula)"
    else:
        body = f"any body {height} tall, at any weight it may have (Mosteller's formula)"
    reason = f"{bsa} is {side} the body surface area of {body}: a measure is mistyped"
    errors.append(FieldError("$.patient.bsa", reason))


def _ratio(value: Quantity) -> tuple[int, int]:
    """A quantity in its base unit (kg, cm, m2) as an exact ratio of integers."""
    vn, vd = value.value.as_integer_ratio()
    un, ud = value.unit.terms
    return vn * un, vd * ud


#: The shortest and tallest body :func:`_body` allows, in cm; the lightest, in kg, as a
#: ratio of integers (0.2 is 1 / 5): compared with integers, as integers.
_SHORTEST, _TALLEST = (int(bound) for bound in _BODY["patient.height"][:2])
_LIGHTEST = Fraction(_BODY["patient.weight"][0]).as_integer_ratio()


def _may_reach(
    bsa: tuple[int, int], kilograms: tuple[int, int] | None, centimeters: tuple[int, int] | None
) -> bool:
    """Whether the BSA is at most :data:`BSA_ABOVE` times Mosteller's of some such body.

    Mosteller's square is height (cm) × weight (kg) / 3600, to reach (bsa / factor)².
    Either measure may be unknown, and is then anywhere plausible that keeps the body
    mass index in :data:`BMI_RANGE`: the tallest body of the weight, the heaviest of the
    height (700 kg never binds: any height it would, 167 cm or more, allows 8.5 m2,
    past every plausible BSA). Each side is multiplied out: integers are compared.
    """
    (bn, bd), p, q = bsa, BSA_ABOVE.numerator, BSA_ABOVE.denominator
    low, high = BMI_RANGE
    if kilograms is not None and centimeters is not None:
        (kn, kd), (cn, cd) = kilograms, centimeters
        return cn * kn * p * p * bd * bd >= MOSTELLER_DIVISOR * q * q * bn * bn * cd * kd
    if kilograms is not None:  # the height it takes, N / D cm: at most 280, the index ≥ 2
        kn, kd = kilograms
        n, d = MOSTELLER_DIVISOR * q * q * bn * bn * kd, p * p * bd * bd * kn
        return n <= _TALLEST * d and low * n * n * kd <= 10_000 * kn * d * d
    assert centimeters is not None  # the weight it takes, N / D kg: the index at most 250
    cn, cd = centimeters
    n, d = MOSTELLER_DIVISOR * q * q * bn * bn * cd, p * p * bd * bd * cn
    return 10_000 * n * cd * cd <= high * cn * cn * d


def _may_fall(
    bsa: tuple[int, int], kilograms: tuple[int, int] | None, centimeters: tuple[int, int] | None
) -> bool:
    """Whether the BSA is at least Mosteller's of some such body over :data:`BSA_BELOW`.

    As :func:`_may_reach`, the other way: Mosteller's square at most (bsa × factor)²,
    the unknown measure the smallest plausible: the shortest body of the weight (20 cm,
    and the index at most 250), the lightest of the height (0.2 kg, the index at least 2).
    """
    (bn, bd), f, g = bsa, BSA_BELOW.numerator, BSA_BELOW.denominator
    low, high = BMI_RANGE
    if kilograms is not None and centimeters is not None:
        (kn, kd), (cn, cd) = kilograms, centimeters
        return cn * kn * g * g * bd * bd <= MOSTELLER_DIVISOR * f * f * bn * bn * cd * kd
    if kilograms is not None:  # the height it allows, N / D cm: at least 20, the index ≤ 250
        kn, kd = kilograms
        n, d = MOSTELLER_DIVISOR * f * f * bn * bn * kd, g * g * bd * bd * kn
        return _SHORTEST * d <= n and high * n * n * kd >= 10_000 * kn * d * d
    assert centimeters is not None  # the weight it allows, N / D kg: 0.2 or more, index ≥ 2
    cn, cd = centimeters
    n, d = MOSTELLER_DIVISOR * f * f * bn * bn * cd, g * g * bd * bd * cn
    return _LIGHTEST[0] * d <= n * _LIGHTEST[1] and low * cn * cn * d <= 10_000 * n * cd * cd


def _ceiling_root(square: Fraction, places: int) -> Decimal:
    """The square root of ``square``, rounded up to ``places`` decimals (a lower bound shown)."""
    floor = _floor_root(square, places)
    exact = floor * floor == square
    return floor if exact else floor + Decimal(1).scaleb(-places)


def _floor_root(square: Fraction, places: int) -> Decimal:
    """The square root of ``square``, rounded down to ``places`` decimals.

    A bound shown so is never above the true one: a value refused for passing it is past
    it as shown.
    """
    scale = 10 ** (2 * places)
    return Decimal(math.isqrt(square.numerator * scale // square.denominator)).scaleb(-places)


def _quantity(errors: Problems, path: str, value: Quantity, accepts: Accepts) -> bool:
    """Add a problem with a quantity's unit, else with its value; whether it had none.

    ``path`` is the quantity's.
    """
    if not accepts.admits(value.unit):
        errors.append(FieldError(f"{path}.unit", wrong_unit(value.unit, accepts)))
        return False
    reason = _number(value.value, accepts.zero_ok)
    if reason is None:
        return True
    errors.append(FieldError(f"{path}.value", reason))
    return False


def _number(value: Decimal, zero_ok: bool) -> str | None:
    """Why a quantity's value is not one a request may hold; ``None`` when it is."""
    if value <= 0 and (value < 0 or not zero_ok):  # most values: one comparison
        return f"must be {'zero or more' if zero_ok else 'more than zero'}, got {value}"
    if value and not _MIN_ADJUSTED <= value.adjusted() <= _MAX_ADJUSTED:
        return f"{value} is out of range (1e-12 to 1e12)"
    try:
        _TO_DIGITS(value)
    except decimal.Rounded:
        return f"more than {_MAX_DIGITS} significant digits"
    return None


def _count(errors: Problems, path: str, value: int | None) -> None:
    if value is not None and not 1 <= value <= 10**6:
        reason = f"must be a whole number from 1 to 1000000, got {shown(value)}"
        errors.append(FieldError(path, reason))


def _history(errors: Problems, request: Request, age: int | None) -> None:
    """The therapy history's names and durations, and what it says against itself.

    ``age`` is the patient's age in days on the request date (``None`` when the birth
    date is not given, or is itself at fault). A duration (the time on the drug, or a
    therapy's) longer than that is a typo or a mix-up (70 years on the drug at 26). A
    continuation continues a drug the patient is receiving, so its time on the drug is
    more than zero; a prior therapy tried (any outcome but a contraindication, which
    is for one never given) was given for more than zero time: either read as given
    would count a trial that never happened. A therapy to be given with the drug that
    is recorded as contraindicated is not given, so a duration contradicts it (read as
    not given, it would leave "as a single agent" met); a prior therapy may have been
    given and then become contraindicated, no trial either way. And a therapy to be
    given with the drug must not be one the history records as contraindicated
    (:func:`_contraindicated`). These are about the shared vocabulary, the same for every
    policy.
    """
    therapies = request.therapies
    on_drug, path = therapies.time_on_drug, "$.therapies.time_on_drug"
    if on_drug is not None and _quantity(errors, path, on_drug, _ON_DRUG):
        if not on_drug.value and request.kind is RequestKind.CONTINUATION:
            reason = (
                f"a continuation request is for a drug the patient is receiving: the time "
                f"on it must be more than zero, got {on_drug}"
            )
            errors.append(FieldError(path, reason))
        _lifetime(errors, path, on_drug, age)
    for history, base, accepts in _HISTORIES:
        for index, therapy in enumerate(getattr(therapies, history) or ()):
            if not _visible(therapy.name):
                reason = "must name the therapy (a letter or digit)"
                errors.append(FieldError(f"{base}[{index}].name", reason))
            duration, path = therapy.duration, f"{base}[{index}].duration"
            if duration is None or not _quantity(errors, path, duration, accepts):
                continue
            if not duration.value and history == "prior" and therapy.outcome is not _NEVER:
                said = "no outcome" if therapy.outcome is None else therapy.outcome.value
                reason = (
                    f"given for {duration}: a therapy tried ({said}) was given for more than "
                    "zero time (one never given is a contraindication)"
                )
                errors.append(FieldError(path, reason))
            if duration.value and therapy.outcome is _NEVER and history == "concomitant":
                reason = (
                    f"given for {duration}, but contraindicated: a therapy to be given with the "
                    "drug that is contraindicated is not given (leave its duration out, or "
                    "give no outcome)"
                )
                errors.append(FieldError(path, reason))
            _lifetime(errors, path, duration, age)
    _partial(errors, therapies)
    _contraindicated(errors, therapies)


def _partial(errors: Problems, therapies: Therapies) -> None:
    """Each history said to be given in part is named once, and lists a therapy.

    A history given in part with no therapy known says nothing a history not given does
    not: leave it out (unknown). Given in part, it lists what is known, never all.
    """
    seen: set[History] = set()
    for index, history in enumerate(therapies.partial):
        path = f"$.therapies.partial[{index}]"
        if history in seen:
            errors.append(FieldError(path, f"names {history.value!r} twice"))
        seen.add(history)
        if not getattr(therapies, history.value):
            given = "is not given" if getattr(therapies, history.value) is None else "lists none"
            reason = (
                f"names {history.value!r}, which {given}: a history given in part lists "
                "the therapies known (leave a history with none known out: unknown)"
            )
            errors.append(FieldError(path, reason))


#: By how many days n calendar months (at most 3: February) or years (1: a leap day)
#: can fall short of n times their mean length, which the facts count them as.
_CALENDAR = {"mo": 3, "a": 1}

#: The outcome of a therapy never given.
_NEVER = TherapyOutcome.CONTRAINDICATION


def _lifetime(errors: Problems, path: str, duration: Quantity, age: int | None) -> None:
    """Add a problem when a duration (of a known time unit) is longer than ``age`` days.

    Compared exactly, as the facts compare durations: a month is 30.4375 days, a year
    365.25 (the unit's factor), so a duration equal to the age is accepted. A calendar's
    months and years are not all that long (12 months from a birthday may be 365 days,
    2 years 730): a duration in months or years is refused only when it is longer than
    the life by more than that can be (:data:`_CALENDAR`), a sure contradiction.
    """
    if age is None:
        return
    numerator, denominator = duration.unit.terms
    slack = _CALENDAR.get(duration.unit.code, 0)
    if _TIMES(duration.value, numerator) <= (age + slack) * denominator:
        return
    days = f" ({duration.to('d')})" if numerator > denominator else ""
    reason = (
        f"{duration}{days} is longer than the patient has lived: {age} d from the birth "
        "date to the request date"
    )
    errors.append(FieldError(path, reason))


def _contraindicated(errors: Problems, therapies: Therapies) -> None:
    """Add a problem at each therapy to be given with the drug that is contraindicated.

    The prior history records a therapy as contraindicated (never given); one to be
    given with the drug that is the same therapy (an ATC code in common, or the same
    name, letter case and spacing aside: the codes may differ, methotrexate is L04AX03
    and L01BA01) contradicts it, and read as given would meet "in combination with".
    One recorded as contraindicated there too says the same, and is no problem.
    """
    prior, concomitant = therapies.prior, therapies.concomitant
    if not prior or not concomitant:
        return
    never = [
        (index, frozenset(each.codes), _same(each.name))
        for index, each in enumerate(prior)
        if each.outcome is _NEVER
    ]
    if not never:
        return
    for index, therapy in enumerate(concomitant):
        if therapy.outcome is _NEVER:
            continue
        name = _same(therapy.name)
        for at, codes, named in never:
            if named == name or not codes.isdisjoint(therapy.codes):
                reason = (
                    f"{shown(therapy.name)} is to be given with the drug, but "
                    f"$.therapies.prior[{at}] records it as contraindicated"
                )
                errors.append(FieldError(f"$.therapies.concomitant[{index}]", reason))
                break


def _same(name: str) -> str:
    """A therapy's name as compared with another's: letter case and spacing aside."""
    return " ".join(name.casefold().split())


def problems(request: Request, *, typed: bool = False) -> Problems:
    """Every problem with a request, each named by its JSON path.

    ``typed`` says every field already has its declared type (the converter built the
    request from JSON, strictly), so only the values are checked.
    """
    errors: Problems = []
    if not typed:
        _checker(Request)(request, "$", errors)
        if errors:
            return errors
    if not _EARLIEST <= request.date <= _LATEST:
        errors.append(FieldError("$.date", f"{request.date} is not a plausible request date"))
    birth, age = request.patient.birth_date, None
    if birth is not None:
        if birth > request.date:
            errors.append(
                FieldError(
                    "$.patient.birth_date",
                    f"birth date {birth} is after the request date {request.date}",
                )
            )
        elif birth < _EARLIEST:
            reason = f"birth date {birth} is before {_EARLIEST}, the earliest accepted"
            errors.append(FieldError("$.patient.birth_date", reason))
        else:
            age = (request.date - birth).days
    for read, path, accepts, body in _QUANTITIES:
        value = read(request)
        if value is not None and _quantity(errors, path, value, accepts) and body:
            _body(errors, path, value, accepts.field)
    _measures(errors, request.patient)
    for read, path in _COUNTS:
        _count(errors, path, read(request))
    _history(errors, request, age)
    for index, coding in enumerate(request.diagnoses or ()):
        _form(errors, coding.code, _ICD, "$.diagnoses[{}].code", index)
    medication = request.medication
    if medication.system is not None and medication.code is None:
        reason = f"a code system ({medication.system.value}) without a code: give the code"
        errors.append(FieldError("$.medication.system", reason))
    elif medication.code is not None:
        _drug_form(errors, medication.code, medication.system, "$.medication.code")
    for index, other in enumerate(medication.other_codes):
        _drug_form(errors, other.code, other.system, f"$.medication.other_codes[{index}].code")
    route = medication.route
    if route is not None:
        _form(errors, route.code, _SNOMED, "$.medication.route.code")
    for history in ("prior", "concomitant"):
        for index, therapy in enumerate(getattr(request.therapies, history) or ()):
            for at, code in enumerate(therapy.codes):
                _form(errors, code, _ATC, "$.therapies.{}[{}].codes[{}]", history, index, at)
    for at, code in enumerate(request.prescriber.specialties or ()):
        _form(errors, code, _NUCC, "$.prescriber.specialties[{}]", at)
    for index, consultant in enumerate(request.consultants or ()):
        for at, code in enumerate(consultant.specialties or ()):
            _form(errors, code, _NUCC, "$.consultants[{}].specialties[{}]", index, at)
    return errors


#: How far past today (UTC) a request may be dated: a request made in a time zone ahead
#: of UTC is dated up to a day ahead of UTC's date. Later than that, a date is a typo
#: (2031 for 2021), and deciding it would count ages and approvals from the future.
FUTURE_TOLERANCE = dt.timedelta(days=1)


def utc_today() -> dt.date:
    """Today's date in UTC: what a request's date is checked against, unless one is given."""
    return dt.datetime.now(dt.UTC).date()


def not_dates(given: collections.abc.Mapping[str, object]) -> Problems:
    """A problem for each date argument (by name: ``today``, ``as_of``) that is no sane date.

    Each is named by its name (``expected a date, got str @ as_of``): an argument of a
    call or a command-line option (``--today``), not a field of a request; ``None`` is
    one not given. A datetime is refused too (it compares with no date, and its day
    depends on a time zone), and so is a date no request may be dated (before 1900 or
    past 9000, as :func:`problems` says of a request's date): a ``today`` of 9999-12-31
    is a typo, and would let any request date pass.
    """
    found: Problems = []
    for name, value in given.items():
        if value is None:
            continue
        if type(value) is not dt.date:
            found.append(FieldError(name, f"expected a date, got {type(value).__name__}"))
        elif not _EARLIEST <= value <= _LATEST:
            reason = f"{value} is not a plausible date ({_EARLIEST} to {_LATEST})"
            found.append(FieldError(name, reason))
    return found


def check_dates(given: collections.abc.Mapping[str, object]) -> None:
    """Raise :class:`InputError` when a date argument is no sane date (:func:`not_dates`)."""
    wrong = not_dates(given)
    if wrong:
        raise InputError(wrong)


def in_the_future(said: str, date: dt.date, today: dt.date | None = None) -> str | None:
    """Why ``date`` (the ``said`` date: "request date", "as-of date") is too late, if it is.

    A date more than :data:`FUTURE_TOLERANCE` past ``today`` (UTC's date unless given)
    is refused: a request's, as a typo that would count ages and approvals from the
    future; an as-of date's, as an audit of a day no one has seen yet. The days between
    are compared, not the dates with the tolerance added: the last date there is
    (:attr:`datetime.date.max`) has no date a day past it.
    """
    today = utc_today() if today is None else today
    if date - today <= FUTURE_TOLERANCE:
        return None
    latest = today + FUTURE_TOLERANCE  # earlier than ``date``: a date there is
    return (
        f"the {said} {date} is in the future: at most {FUTURE_TOLERANCE.days} day "
        f"past today ({today}, UTC), so no later than {latest}"
    )


def dated(
    policy: Policy | PolicyHistory,
    request: Request,
    today: dt.date | None = None,
    *,
    as_of: dt.date | None = None,
) -> Problems:
    """Problems with the request's date for this policy, on ``today`` (UTC's by default).

    A request is decided under the version of its policy in force on its date, so a
    date no version is in force on is refused, saying which dates the versions cover
    (a policy given alone has one version, in force from its effective date). With
    ``as_of`` (an audit: the version in force on another date), that date must be
    covered instead, at ``as_of``. A request or as-of date more than
    :data:`FUTURE_TOLERANCE` past ``today`` is refused too (:func:`in_the_future`). A
    request date that is not a plausible date at all is :func:`problems`' to report;
    a ``today`` or ``as_of`` that is not one is refused here (:func:`not_dates`).
    """
    history = policy if isinstance(policy, PolicyHistory) else PolicyHistory.single(policy)
    wrong = not_dates({"today": today, "as_of": as_of})  # a datetime, or text: say so
    if wrong:
        return wrong
    date = request.date
    if type(date) is not dt.date or not _EARLIEST <= date <= _LATEST:
        return []
    if as_of is not None:
        late = in_the_future("as-of date", as_of, today)
        if late is not None:
            return [FieldError("as_of", late)]
    on = date if as_of is None else as_of
    if history.on(on) is None:
        first = history.versions[0].start
        said = "request date" if as_of is None else "as-of date"
        reason = (
            f"the {said} {on} is before the policy {history.name!r} took effect ({first}): "
            "no version of it applies"
            if on < first
            else f"no version of the policy {history.name!r} is in force on the {said} {on}"
        )
        return [FieldError("$.date" if as_of is None else "as_of", f"{reason}; {history.covered}")]
    late = in_the_future("request date", date, today)
    return [] if late is None else [FieldError("$.date", late)]


#: The codes found in each form of :data:`_FORMS`: a request's codes are mostly the same
#: few (a diagnosis, a route, a specialty), each matched once while kept. Each set
#: starts anew past :data:`~umpolicy.dsl.kept.KEPT` codes: bounded memory.
_FOUND: dict[str, dict[str, None]] = {form: {} for form in _FORMS}


def _drug_form(errors: Problems, code: str, system: DrugCodeSystem | None, path: str) -> None:
    """A problem when a drug's code is not of its system's form (without one, of any's).

    A blank, a lower-case HCPCS code or a padded one would match no code of the policy:
    a typo, said as one, rather than a code that shows nothing.
    """
    if system is not None:
        if not DRUG_FORMS[system.value].fullmatch(code):
            words = DRUG_FORM_WORDS[system.value]
            errors.append(FieldError(path, f"{shown(code)} is not {words}"))
    elif not any(form.fullmatch(code) for form in DRUG_FORMS.values()):
        known = "; ".join(DRUG_FORM_WORDS.values())
        reason = f"{shown(code)} is of no drug code system's form ({known}); give its system"
        errors.append(FieldError(path, reason))


def _form(errors: Problems, code: str, form: str, path: str, *where: object) -> None:
    """Add a problem when ``code`` is not in ``form`` (one of :data:`_FORMS`).

    Its path is ``path`` with the indexes ``where`` put in: written out only for an error.
    Only text itself is looked for among the codes found: no subclass, which may compare
    equal to one.
    """
    found = _FOUND[form]
    if type(code) is str and code in found:
        return
    if not _FORMS[form].fullmatch(code):
        errors.append(FieldError(path.format(*where), f"{shown(code)} is not {form}"))
        return
    if type(code) is str:
        keep(found, code, None, KEPT)


def validate(request: Request, *, typed: bool = False) -> Request:
    """The request itself when it is sound; :class:`InputError` listing every problem if not.

    ``typed``: as for :func:`problems`.
    """
    errors = problems(request, typed=typed)
    if errors:
        raise InputError(errors)
    return request


def _answer(question: Question, value: object, path: str, errors: Problems) -> object:
    """An answer checked against its question, as the fact's value; ``None`` when bad."""
    kind = question.type
    if value is None:
        return None
    if kind is AnswerType.BOOLEAN:
        if type(value) is bool:
            return value
        errors.append(FieldError(path, f"expected a boolean, got {type(value).__name__}"))
    elif kind is AnswerType.CHOICE:
        codes = [code for code, _ in question.values]
        if isinstance(value, str) and value in codes:
            return value
        hint = did_you_mean(value, codes)
        errors.append(
            FieldError(
                path, f"unknown value {shown(value)}{hint}; expected one of {', '.join(codes)}"
            )
        )
    elif kind is AnswerType.DATE:
        if isinstance(value, dt.date):
            return value
        # Anything but a date or its text YYYY-MM-DD is an error, never a missing answer.
        if isinstance(value, str) and ISO_DATE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        errors.append(FieldError(path, f"expected a date as text YYYY-MM-DD, got {shown(value)}"))
    elif kind is AnswerType.QUANTITY:
        return _answer_quantity(question, value, path, errors)
    else:
        return _answer_list(question, value, path, errors)
    return None


def _answer_quantity(question: Question, value: object, path: str, errors: Problems) -> object:
    if isinstance(value, Quantity):
        quantity = value
    elif isinstance(value, dict) and set(value) == {"value", "unit"}:
        try:
            quantity = Quantity(_decimal(value["value"]), _answer_unit(question, value["unit"]))
        except ValueError as error:
            errors.append(FieldError(path, str(error)))
            return None
    else:
        errors.append(FieldError(path, 'expected a quantity: {"value": text, "unit": UCUM}'))
        return None
    if question.units and quantity.unit.code not in question.units:
        code = quantity.unit.code
        units = ", ".join(question.units)
        errors.append(FieldError(f"{path}.unit", f"unit {code!r} is not one of {units}"))
        return None
    reason = _number(quantity.value, True)
    if reason is not None:
        errors.append(FieldError(f"{path}.value", reason))
        return None
    return quantity


def _decimal(value: object) -> Decimal:
    if type(value) is float:
        raise ValueError(FLOAT_REFUSED)
    return to_decimal(value)


def _answer_unit(question: Question, code: object) -> Unit:
    """The unit of an answer; an unknown one's error suggests one of the question's units."""
    try:
        return unit(code)  # type: ignore[arg-type]  # unit() refuses what is not text
    except ValueError as error:
        if not question.units:
            raise ValueError(unknown_unit(code, "", error)) from None
        guess = respelled(code)
        if guess not in question.units:
            guess = suggestion(code, question.units)
        hint = f" (did you mean {guess!r}?)" if guess else ""
        raise ValueError(
            f"unknown unit {shown(code)}{hint}; this answer takes {', '.join(question.units)}"
        ) from None


def _answer_list(question: Question, value: object, path: str, errors: Problems) -> object:
    if not isinstance(value, (list, tuple)):  # a tuple: made once, not a union per call
        errors.append(FieldError(path, "expected a list"))
        return None
    if len(value) > MAX_ITEMS:
        errors.append(FieldError(path, too_many(len(value))))
        return None
    fields = {f.id: f for f in question.fields}
    items = []
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        if not isinstance(item, dict):
            errors.append(FieldError(where, "expected an object"))
            continue
        for key in item:
            if key not in fields:
                hint = did_you_mean(key, [k for k in fields if k not in item])
                errors.append(FieldError(f"{where}.{key}", f"extra field found{hint}"))
        checked = {}
        for key, field in fields.items():
            if item.get(key) is None:  # an item is whole, or the list would read wrong
                errors.append(FieldError(f"{where}.{key}", "required field missing"))
            else:
                checked[key] = _answer(field, item[key], f"{where}.{key}", errors)
        items.append(checked)
    return tuple(items)


def admit(
    policy: Policy,
    request: Request,
    *,
    validated: bool = False,
    elsewhere: tuple[Question, ...] = (),
) -> dict[str, object]:
    """The request's answers to the policy's questions, checked; :class:`InputError` if bad.

    Answers for another policy are left alone; an answer to no question of this
    policy is an error, so a misspelled id is not silently unknown. ``elsewhere`` are
    the questions other versions of the policy ask (a request made under one version
    and decided under another): an answer to one is checked by it, then left out, as
    this version does not read it. ``validated`` says the request itself has passed
    :func:`validate` already (the JSON path), as a request :func:`request_from` made
    has: either is not checked again.
    """
    built = not (validated or _checked(request))  # in Python, not read from JSON
    errors = problems(request) if built else []
    asked = policy.questions_by_id
    questions = {**asked, **{q.id: q for q in elsewhere}} if elsewhere else asked
    unread = {q.id for q in elsewhere} - asked.keys()
    # A request built in Python may hold anything here (problems() names a bad mapping).
    given: object = request.answers.get(policy.name, {}) if _is_mapping(request.answers) else {}
    if built and _is_mapping(request.answers):
        others = {k: v for k, v in request.answers.items() if k != policy.name}
        _json_data(others, "$.answers", errors, 0)
    answers: dict[str, object] = {}
    base = f"$.answers.{policy.name}"
    if not _is_mapping(given):
        errors.append(FieldError(base, f"expected a mapping, got {type(given).__name__}"))
        given = {}
    if not any(e.path.startswith("$.medication") for e in errors):  # (else of a wrong type)
        drug = other_drug(policy, request.medication)
        if drug is not None:
            errors.append(drug)
    for key, value in given.items():
        question = questions.get(key)
        if question is None:
            known = ", ".join(q.id for q in policy.questions) or "none"
            guess = suggestion(key, questions)
            # A question renamed to say what it is about (``severity`` → each disease's
            # ``rash_severity``, ``joint_severity``): each one ending in the id may be meant.
            named = [q for q in questions if isinstance(key, str) and q.endswith(f"_{key}")]
            meant = (
                f"; did you mean {guess!r}? Its questions:"
                if guess
                else f"; did you mean {' or '.join(map(repr, named))}? Its questions:"
                if named
                else ""
            )
            reason = f"not a question of this policy{meant} ({known})"
            errors.append(FieldError(keyed(base, key), reason))
            continue
        answer = _answer(question, value, keyed(base, key), errors)
        if key not in unread:
            answers[key] = answer
    if errors:
        raise InputError(errors)
    return answers


def other_drug(policy: Policy, medication: Medication) -> FieldError | None:
    """The error when a request's medication is not shown to be the policy's drug.

    A request for another drug is refused, never decided under this policy's criteria
    (see :class:`umpolicy.Drug`): its code and every other code, its name and every
    other name, each at its path. A CRD service answers such an order with no card.
    ``medication`` is of its declared types (:func:`drug_problems` checks one that may
    not be).
    """
    codes: list[tuple[str, str, str | None]] = [
        (f"$.medication.other_codes[{index}].code", other.code, other.system.value)
        for index, other in enumerate(medication.other_codes)
    ]
    if medication.code is not None:
        system = None if medication.system is None else medication.system.value
        codes.insert(0, ("$.medication.code", medication.code, system))
    names = [
        (f"$.medication.other_names[{index}]", name)
        for index, name in enumerate(medication.other_names)
    ]
    if medication.name is not None:
        names.insert(0, ("$.medication.name", medication.name))
    off = policy.requested.mismatch(codes, names)
    return None if off is None else FieldError(*off)


def drug_problems(policy: Policy, request: Request) -> Problems:
    """What :func:`admit` says of the request's drug, for answers checked elsewhere.

    A request :func:`request_from` made is of its declared types; one built in Python
    has its medication's types checked first (a list for a tuple, text for a code
    system), so a wrong type is refused, never read as no code.
    """
    found: Problems = []
    if not _checked(request):
        _checker(Medication)(request.medication, "$.medication", found)
        if found:
            return found
    drug = other_drug(policy, request.medication)
    return [] if drug is None else [drug]


def _is_mapping(value: object) -> TypeGuard[collections.abc.Mapping[Any, Any]]:
    """Whether ``value`` is a mapping: a dict at once, else as the abstract class says."""
    return type(value) is dict or isinstance(value, collections.abc.Mapping)


_STEP = re.compile(r"\.([^.\[\]]+)|\[([0-9]+)\]")


def request_from(data: collections.abc.Mapping[str, Any]) -> Request:
    """A request from parsed JSON, checked in form and in value, every problem at once.

    When the form is wrong somewhere (a wrong type, an unknown key), the value checks
    still run on the rest: the fields at fault are left out and the remainder is
    structured again, only to find more problems, never to decide.
    """
    try:
        request = structure(data, Request)
    except InputError as error:
        if len(error.errors) > MAX_ERRORS:  # already more than an error lists
            raise
        try:
            more = _values_despite(data, error.errors)
        except RecursionError:  # data nested too deep to copy: its form errors say enough
            more = []
        raise InputError([*error.errors, *more]) from None
    validate(request, typed=True)
    object.__setattr__(request, "_checked", _MARK)  # for admit(): sound as it stands
    return request


#: The mark :func:`request_from` leaves on a request it checked: this object and no
#: other, so no value a caller could set or a subclass declare stands for it.
_MARK = object()


def _checked(request: Request) -> bool:
    """Whether :func:`request_from` made this very request, so it passed :func:`validate`.

    Nothing it checked can have changed since: a request and its records are frozen
    (short of ``object.__setattr__``) and hold only immutable values, but for the
    answers, which :func:`admit` checks in any case. A request made any other way, a
    copy or an ``attrs.evolve`` of one included, has no mark and is checked; so is an
    instance of a subclass, which the full check refuses.
    """
    return type(request) is Request and getattr(request, "_checked", None) is _MARK


def _values_despite(
    data: collections.abc.Mapping[str, Any], errors: tuple[FieldError, ...]
) -> Problems:
    """The value problems of what remains when the fields at fault are left out."""
    pruned: Any = copy.deepcopy(dict(data))
    seen = {error.path for error in errors}
    for _ in range(3):  # a field left out may uncover another fault (a required one)
        for error in errors:
            _leave_out(pruned, error.path)
        try:
            request = structure(pruned, Request)
        except InputError as again:
            errors = again.errors
            continue
        return [p for p in problems(request, typed=True) if p.path not in seen]
    return []


def _leave_out(data: Any, path: str) -> None:
    """Remove the list item holding the field at ``path``, else the field itself."""
    here: Any = data
    trail: list[tuple[Any, str | int]] = []
    for key, index in _STEP.findall(path.removeprefix("$")):
        step: str | int = key if key else int(index)
        try:
            trail.append((here, step))
            here = here[step]
        except (KeyError, IndexError, TypeError):
            return  # not there (left out already, or required and missing)
    items = [(container, step) for container, step in trail if isinstance(container, list)]
    if items or trail:
        container, step = items[-1] if items else trail[-1]
        target: Any = container  # a list's item by index, a dict's field by key
        target.pop(step)
