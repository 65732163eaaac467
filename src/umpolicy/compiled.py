"""Each check compiled once into closures: its finding, or its status alone, faster.

A check stays pure data. What every evaluation of it would otherwise redo (the
rule's words, which limit a unit compares with, the unit factors) is worked out
once per check and kept in closures; :mod:`umpolicy.program` calls them from the
code it writes for the tree. :func:`compile_check` gives exactly what
``check.evaluate(book)`` gives, and :func:`judge_per_basis` the status of a dose per
kg or per m²; the tests hold them equal.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from umpolicy.checks import (
    _BASIS,
    _BY_SQUARES,
    AtLeast,
    AtMost,
    Check,
    Either,
    Finding,
    Includes,
    IsTrue,
    OneOf,
    _Bound,
    _divided,
    _shown,
    includes,
)
from umpolicy.facts import (
    PATHS,
    READERS,
    Fact,
    FactBook,
    Reader,
    body_surface_area,
)
from umpolicy.quantity import EXACT, Quantity
from umpolicy.records import new
from umpolicy.request import Patient
from umpolicy.status import Status
from umpolicy.units import UNITS

Evaluate = Callable[[FactBook], Finding]

MET, NOT_MET, UNKNOWN = Status.MET, Status.NOT_MET, Status.UNKNOWN
_mul = EXACT.multiply
#: Each unit's factor as (numerator, denominator), by code.
_RATIO = {code: (u.factor.numerator, u.factor.denominator) for code, u in UNITS.items()}


def _fact(name: str) -> Callable[[FactBook], Fact]:
    """A fast read of one fact from the book (what ``book[name]`` does)."""
    reader = READERS[name]

    def get(book: FactBook) -> Fact:
        facts = book._facts
        fact = facts.get(name)
        if fact is None:
            fact = facts[name] = reader(book)
        return fact

    return get


def _single(check: IsTrue | OneOf) -> Evaluate:
    """Yes/no or one-of: a finding per value, shared by all requests when the fact is.

    A fact read straight from the request with a yes/no/missing/enum value is one
    shared :class:`Fact` (see ``facts._read``), so its finding is too: findings are
    immutable, and one is reused only for that very fact object.
    """
    rule, get = check.describe(), _fact(check.fact)
    is_true = isinstance(check, IsTrue)
    values = () if isinstance(check, IsTrue) else check.values
    read = check.fact in PATHS
    shared: dict[object, Finding] = {}

    def evaluate(book: FactBook) -> Finding:
        fact = get(book)
        value = fact.value
        small = value is None or type(value) in (bool, str)
        found = shared.get(value) if small else None
        if found is not None and found.facts[0] is fact:
            return found
        if value is None:
            status = UNKNOWN
        elif value is True if is_true else value in values:
            status = MET
        else:
            status = NOT_MET
        finding = Finding(rule, status, (fact,))
        if read and small:
            shared.setdefault(value, finding)
        return finding

    return evaluate


def _includes(check: Includes) -> Evaluate:
    rule, get, values = check.describe(), _fact(check.fact), check.values

    def evaluate(book: FactBook) -> Finding:
        fact = get(book)
        return Finding(rule, includes(fact, values), (fact,))

    return evaluate


def _either(check: Either) -> Evaluate:
    rule = check.describe()
    parts = tuple(compile_check(each) for each in check.checks)

    def evaluate(book: FactBook) -> Finding:
        status = NOT_MET
        facts: tuple[Fact, ...] = ()
        for part in parts:
            finding = part(book)
            facts += finding.facts
            if finding.status is MET:
                status = MET
            elif finding.status is UNKNOWN and status is NOT_MET:
                status = UNKNOWN
        return Finding(rule, status, facts)

    return evaluate


#: A limit, and how a value in one unit holds against it: ``value × a`` against ``b``.
Scaled = tuple[Quantity, int, Decimal]


def plans(check: _Bound) -> tuple[dict[str, Scaled], dict[str, tuple[Quantity, str, str]]]:
    """Per unit code of a value: the limit of its dimension, or the per-basis limit.

    The first is scaled once, exactly: for a value ``x`` in the unit, ``x × a`` is
    compared with ``b`` (both sides in the dimension's base unit, cross-multiplied).
    """
    same: dict[str, Scaled] = {}
    per: dict[str, tuple[Quantity, str, str]] = {}
    for code, unit in UNITS.items():
        for limit in check.limits:
            if limit.unit.dimension is unit.dimension:
                num, den = _RATIO[limit.unit.code]
                value_num, value_den = _RATIO[code]
                scaled = _mul(_mul(limit.value, num), value_den)
                same[code] = (limit, value_num * den, scaled)
                break
        else:
            for limit in check.limits:
                basis = _BASIS.get((unit.dimension, limit.unit.dimension))
                if basis is not None:
                    per[code] = (limit, basis[0], check.fact + basis[1])
                    break
    return same, per


def _bound(check: _Bound) -> Evaluate:
    """A limit: per value unit, which limit it compares with and how, worked out once."""
    rule, get = check.describe(), _fact(check.fact)
    at_most = isinstance(check, AtMost)
    same, bases = plans(check)
    per = {
        code: (limit, _fact(basis), derived, f"{check.fact} ÷ {basis}", _ratio(limit))
        for code, (limit, basis, derived) in bases.items()
    }
    #: A unit no limit compares with: outside the established dosing, as the check words it.
    apart = {code: check.apart(code) for code in UNITS if code not in same and code not in per}
    first = check.limits[0]

    def per_basis(
        fact: Fact,
        value: Quantity,
        plan: tuple[Quantity, Reader, str, str, tuple[int, int]],
        book: FactBook,
    ) -> Finding:
        """What ``check._per_basis`` gives, in integer arithmetic."""
        limit, read, name, method, cap = plan
        basis = read(book)
        size = basis.value
        if not isinstance(size, Quantity):
            derived = Fact(name, None, (fact, basis), method)
            return Finding(rule, UNKNOWN, (derived,), limit=limit)
        dose = dose_num, dose_den = _ratio(value)
        factor_num, factor_den = _RATIO[limit.unit.code]
        square = basis.exact_square
        if square is not None:
            left, right = _sides(dose, cap, square)
            sq_num, sq_den = square.numerator, square.denominator
            shown = _shown(
                dose_num * dose_num * sq_den * factor_den * factor_den,
                dose_den * dose_den * sq_num * factor_num * factor_num,
                root=True,
            )
            method += _BY_SQUARES
        else:
            ratio = size_num, size_den = _ratio(size)
            left, right = _sides(dose, cap, ratio)
            shown = _shown(dose_num * size_den * factor_den, dose_den * size_num * factor_num)
        requested = Quantity(shown, limit.unit)
        derived = new(Fact, (name, requested, (fact, basis), method, None, False))
        note = _divided(value, size, requested)
        status = MET if (left <= right if at_most else left >= right) else NOT_MET
        return new(Finding, (rule, status, (derived,), requested, limit, note))

    def evaluate(book: FactBook) -> Finding:
        fact = get(book)
        value = fact.value
        if not isinstance(value, Quantity):
            return new(Finding, (rule, UNKNOWN, (fact,), None, None, None))
        code = value.unit.code
        if UNITS.get(code) is not value.unit:  # a unit made by hand: the check itself
            return check.evaluate(book)
        compared = same.get(code)
        if compared is not None:
            limit, a, b = compared
            left = _mul(value.value, a)
            status = MET if (left <= b if at_most else left >= b) else NOT_MET
            return new(Finding, (rule, status, (fact,), value, limit, None))
        plan = per.get(code)
        if plan is not None:
            return per_basis(fact, value, plan, book)
        return new(Finding, (rule, NOT_MET, (fact,), value, first, apart[code]))

    return evaluate


_COMPILERS: dict[type, Callable[..., Evaluate]] = {
    IsTrue: _single,
    OneOf: _single,
    Includes: _includes,
    Either: _either,
    AtMost: _bound,
    AtLeast: _bound,
}


def compile_check(check: Check) -> Evaluate:
    """A function giving what ``check.evaluate(book)`` gives."""
    return _COMPILERS[type(check)](check)


def _ratio(value: Quantity) -> tuple[int, int]:
    """A quantity in its dimension's base unit, as an exact integer ratio."""
    num, den = value.value.as_integer_ratio()
    fnum, fden = _RATIO[value.unit.code]
    return num * fnum, den * fden


def _sides(
    dose: tuple[int, int], cap: tuple[int, int], size: tuple[int, int] | Fraction
) -> tuple[int, int]:
    """An absolute dose against a per-basis limit times the size, as two whole numbers.

    Dose, limit and size are exact ratios in base units; a :class:`Fraction` size is
    Mosteller's exact square of the BSA, and then dose² is set against limit² × BSA².
    """
    (dose_num, dose_den), (cap_num, cap_den) = dose, cap
    if isinstance(size, Fraction):
        sq_num, sq_den = size.numerator, size.denominator
        return (
            dose_num * dose_num * cap_den * cap_den * sq_den,
            cap_num * cap_num * sq_num * dose_den * dose_den,
        )
    size_num, size_den = size
    return dose_num * cap_den * size_den, cap_num * size_num * dose_den


#: The status of a limit for one request's registered quantity (its value given).
PerBasis = Callable[[FactBook, Quantity], Status]

#: What an absolute dose is divided by: the weight, or the body surface area (as given,
#: or its exact square by Mosteller).
_BASES: dict[str, Callable[[Patient], Quantity | Fraction | None]] = {
    "patient.weight": operator.attrgetter("weight"),
    "patient.body_surface_area": body_surface_area,
}


def judge_per_basis(check: _Bound) -> PerBasis:
    """The status a limit gives a quantity of no limit's dimension, without the finding.

    An absolute dose against a per-kg or per-m² limit is divided by the weight or
    body surface area (exactly: cross-multiplied, or compared by squares for
    Mosteller's); any other unit is not comparable, so outside the established
    dosing. The generated program compares a unit a limit shares itself.
    """
    at_most = isinstance(check, AtMost)
    _, bases = plans(check)
    per = {code: (_ratio(limit), _BASES[basis]) for code, (limit, basis, _) in bases.items()}

    def judge(book: FactBook, value: Quantity) -> Status:
        basis = per.get(value.unit.code)
        if basis is None:
            return NOT_MET  # not comparable: outside the established dosing
        cap, read = basis
        size = read(book.request.patient)
        if size is None:
            return UNKNOWN
        by = size if isinstance(size, Fraction) else _ratio(size)
        left, right = _sides(_ratio(value), cap, by)
        holds = left <= right if at_most else left >= right
        return MET if holds else NOT_MET

    return judge
