"""Typed comparisons of facts: the only logic a policy tree may hold.

Each check names the facts it reads and compares them with values or limits that
are plain data, so a tree can be evaluated, serialized, rendered and asked what it
needs. A check implements only its own comparison (``evaluate``) and its words
(``describe``); walking the tree is the explainer's job.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from attrs import frozen

from umpolicy.facts import Fact, FactBook
from umpolicy.quantity import Quantity, compare, rounded
from umpolicy.records import record
from umpolicy.status import Status, any_met
from umpolicy.units import Dimension


@record
class Finding(NamedTuple):
    """What one check found for one request: its status and the facts behind it.

    For a limit, ``requested`` is the requested value in the limit's unit and
    ``limit`` the limit it was compared with. An immutable record, equal only to a
    Finding (see :mod:`umpolicy.records`).
    """

    rule: str
    status: Status
    facts: tuple[Fact, ...]
    requested: Quantity | None = None
    limit: Quantity | None = None
    note: str | None = None


@frozen
class IsTrue:
    """Met when the boolean fact is true."""

    fact: str

    def facts(self) -> tuple[str, ...]:
        """The facts this check reads."""
        return (self.fact,)

    def describe(self) -> str:
        """The rule in plain words."""
        return f"{self.fact} is yes"

    def evaluate(self, book: FactBook) -> Finding:
        """Compare the request's fact with the rule."""
        fact = book[self.fact]
        status = Status.UNKNOWN if fact.value is None else Status.of(fact.value is True)
        return Finding(self.describe(), status, (fact,))


@frozen
class OneOf:
    """Met when the fact's value is one of ``values``."""

    fact: str
    values: tuple[str, ...]

    def facts(self) -> tuple[str, ...]:
        """The facts this check reads."""
        return (self.fact,)

    def describe(self) -> str:
        """The rule in plain words."""
        return f"{self.fact} is {' or '.join(self.values)}"

    def evaluate(self, book: FactBook) -> Finding:
        """Compare the request's fact with the rule."""
        fact = book[self.fact]
        status = Status.UNKNOWN if fact.value is None else Status.of(fact.value in self.values)
        return Finding(self.describe(), status, (fact,))


@frozen
class Includes:
    """Met when the set-valued fact includes any of ``values``."""

    fact: str
    values: tuple[str, ...]

    def facts(self) -> tuple[str, ...]:
        """The facts this check reads."""
        return (self.fact,)

    def describe(self) -> str:
        """The rule in plain words."""
        return f"{self.fact} include {' or '.join(self.values)}"

    def evaluate(self, book: FactBook) -> Finding:
        """Compare the request's fact with the rule."""
        fact = book[self.fact]
        return Finding(self.describe(), includes(fact, self.values), (fact,))


def includes(fact: Fact, values: tuple[str, ...]) -> Status:
    """Kleene membership: met if the set holds a value, unknown while it may be incomplete."""
    value = fact.value
    if not isinstance(value, frozenset):
        return Status.UNKNOWN
    if not value.isdisjoint(values):
        return Status.MET
    return Status.UNKNOWN if fact.partial else Status.NOT_MET


#: The fact an absolute dose is divided by to compare it with a per-basis limit.
#: The derived fact's name gets the suffix: ``regimen.dose`` → ``regimen.dose_per_kg``.
_PER_KG = ("patient.weight", "_per_kg")
_PER_M2 = ("patient.body_surface_area", "_per_m2")
_BASIS = {
    (Dimension.AMOUNT_IU, Dimension.IU_PER_MASS): _PER_KG,
    (Dimension.MASS, Dimension.MASS_PER_MASS): _PER_KG,
    (Dimension.AMOUNT_IU, Dimension.IU_PER_AREA): _PER_M2,
    (Dimension.MASS, Dimension.MASS_PER_AREA): _PER_M2,
}


def _exact(value: Quantity) -> Fraction:
    """The value in its dimension's base unit, as an exact fraction."""
    return Fraction(value.value) * value.unit.factor


#: Room for any validated per-kg or per-m² value (up to ~1e33) with its 10 decimals:
#: ``normalize`` rounds to its context's precision, and the default 28 digits would.
_SHOWN = decimal.Context(prec=60)


def _decimal(value: Fraction, *, root: bool = False) -> Decimal:
    """A fraction (or its square root) shown to 10 decimal places (display only)."""
    return _shown(value.numerator, value.denominator, root=root)


def _shown(num: int, den: int, *, root: bool = False) -> Decimal:
    """``num / den`` (or its square root) shown to 10 decimal places (display only)."""
    return rounded(num, den, 10, root=root).normalize(_SHOWN)


#: How a per-m² dose is compared with a Mosteller BSA, as the derived fact's method says.
_BY_SQUARES = ", compared exactly: dose² ≤ limit² × BSA²"


def _divided(dose: Quantity, size: Quantity, per_basis: Quantity) -> str:
    """A per-basis finding's note: the dose, what it was divided by, and the result."""
    return f"{dose.display()} ÷ {size.display()} = {per_basis.display()}"


def _sign(difference: Fraction) -> int:
    return (difference > 0) - (difference < 0)


@frozen(repr=False, init=False)
class _Bound:
    """A limit on a quantity fact; several limits are alternatives in other units."""

    fact: str
    limits: tuple[Quantity, ...]
    _SYMBOL = ""
    _WORDS = ""

    def __repr__(self) -> str:
        limits = ", ".join(map(repr, self.limits))
        return f"{type(self).__name__}({self.fact!r}, {limits})"

    def facts(self) -> tuple[str, ...]:
        """The facts this check reads, with any a per-kg or per-m² limit may need."""
        bases = {
            basis
            for (_, per), (basis, _) in _BASIS.items()
            for limit in self.limits
            if limit.unit.dimension is per
        }
        return (self.fact, *sorted(bases, reverse=True))

    def describe(self) -> str:
        """The rule in plain words."""
        first, *others = self.limits
        alternatives = "".join(f" (or {other.display()})" for other in others)
        return f"{self.fact} {self._SYMBOL} {first.display()}{alternatives}"

    def _holds(self, sign: int) -> bool:
        raise NotImplementedError

    def apart(self, code: str) -> str:
        """Why a value in the unit ``code``, which no limit compares with, is not met."""
        units = " or ".join(limit.unit.code for limit in self.limits)
        return f"{code} cannot be compared with a limit in {units}: outside the established dosing"

    def evaluate(self, book: FactBook) -> Finding:
        """Compare the request's quantity, per kg or per m² where the limit is, exactly."""
        fact = book[self.fact]
        value = fact.value
        if not isinstance(value, Quantity):
            return Finding(self.describe(), Status.UNKNOWN, (fact,))
        dimension = value.unit.dimension
        for limit in self.limits:
            if limit.unit.dimension is dimension:
                status = Status.of(self._holds(compare(value, limit)))
                return Finding(self.describe(), status, (fact,), value, limit)
        for limit in self.limits:
            basis = _BASIS.get((dimension, limit.unit.dimension))
            if basis is not None:
                name, suffix = basis
                return self._per_basis(fact, value, limit, book[name], self.fact + suffix)
        note = self.apart(value.unit.code)
        return Finding(self.describe(), Status.NOT_MET, (fact,), value, self.limits[0], note)

    def _per_basis(
        self, fact: Fact, value: Quantity, limit: Quantity, basis: Fact, name: str
    ) -> Finding:
        """Compare an absolute dose with a per-kg or per-m² limit, exactly.

        The finding reads one derived fact (``regimen.dose_per_kg``), whose inputs are
        the dose and the weight or body surface area it was divided by.
        """
        method = f"{fact.name} ÷ {basis.name}"
        if not isinstance(basis.value, Quantity):
            derived = Fact(name, None, (fact, basis), method)
            return Finding(self.describe(), Status.UNKNOWN, (derived,), limit=limit)
        dose, cap = _exact(value), _exact(limit)
        if basis.exact_square is not None:
            sign = _sign(dose * dose - cap * cap * basis.exact_square)
            per_basis = _decimal(dose * dose / basis.exact_square / limit.unit.factor**2, root=True)
            method += _BY_SQUARES
        else:
            size = _exact(basis.value)
            sign = _sign(dose - cap * size)
            per_basis = _decimal(dose / size / limit.unit.factor)
        requested = Quantity(per_basis, limit.unit)
        derived = Fact(name, requested, (fact, basis), method)
        note = _divided(value, basis.value, requested)
        status = Status.of(self._holds(sign))
        return Finding(self.describe(), status, (derived,), requested, limit, note)


class AtMost(_Bound):
    """Met when the quantity is at most the limit (inclusive: "must not exceed")."""

    __slots__ = ()
    _SYMBOL = "≤"

    def __init__(self, fact: str, *limits: Quantity) -> None:
        self.__attrs_init__(fact, limits)

    def _holds(self, sign: int) -> bool:
        return sign <= 0


class AtLeast(_Bound):
    """Met when the quantity is at least the limit (inclusive: "at least", "a minimum of")."""

    __slots__ = ()
    _SYMBOL = "≥"

    def __init__(self, fact: str, *limits: Quantity) -> None:
        self.__attrs_init__(fact, limits)

    def _holds(self, sign: int) -> bool:
        return sign >= 0


@frozen(repr=False, init=False)
class Either:
    """Met when any of its checks is met (Kleene "or" across several facts)."""

    checks: tuple[Check, ...]

    def __init__(self, *checks: Check) -> None:
        self.__attrs_init__(checks)

    def __repr__(self) -> str:
        return f"Either({', '.join(map(repr, self.checks))})"

    def facts(self) -> tuple[str, ...]:
        """The facts this check reads."""
        return tuple(name for check in self.checks for name in check.facts())

    def describe(self) -> str:
        """The rule in plain words."""
        return " or ".join(check.describe() for check in self.checks)

    def evaluate(self, book: FactBook) -> Finding:
        """Compare each alternative; all facts read are kept for the trail."""
        findings = [check.evaluate(book) for check in self.checks]
        status = any_met(finding.status for finding in findings)
        facts = tuple(fact for finding in findings for fact in finding.facts)
        return Finding(self.describe(), status, facts)


Check = IsTrue | OneOf | Includes | AtMost | AtLeast | Either

__all__ = ["AtLeast", "AtMost", "Check", "Either", "Finding", "Includes", "IsTrue", "OneOf"]
