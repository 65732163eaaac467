"""Typed comparisons of facts: the only logic a policy tree may hold.

Each check names the facts it reads and compares them with values or limits that
are plain data, so a tree can be evaluated, serialized, rendered and asked what it
needs. A check implements only its own comparison and its words (``describe``), as a
PyHamcrest matcher does; walking the tree is the evaluator's job. A check reads facts
from a :class:`Book`: the engine's, which reads each fact of one request once.

A comparison is written once: as the code a check emits into a tree's compiled
function (``emit``; see :mod:`umpolicy.dsl.emit`). A check asked alone (``evaluate``)
runs that code compiled alone. A limit's comparison across a basis (a dose per kg) is
its :meth:`~_Bound.across` method, which its code calls.
"""

from __future__ import annotations

import decimal
import operator
from typing import ClassVar, Protocol

from attrs import field, frozen

from umpolicy.dsl.emit import Code, all_of, alone, any_of, by_status, chosen, negated
from umpolicy.dsl.findings import Fact, Finding
from umpolicy.dsl.kept import by_identity, keep
from umpolicy.dsl.quantity import Quantity, ratio, rounded, sign
from umpolicy.dsl.records import new
from umpolicy.dsl.status import Status
from umpolicy.dsl.units import Unit
from umpolicy.dsl.valueset import ValueSet

MET, NOT_MET, UNKNOWN = Status.MET, Status.NOT_MET, Status.UNKNOWN


class Book(Protocol):
    """The facts of one request: read by name, once each; derived ones may be added."""

    def __getitem__(self, name: str) -> Fact: ...

    def add(self, fact: Fact) -> None:
        """Keep a fact a check derived (a dose per kg), for the trail."""


class _Written:
    """A check whose comparison is the code it emits; asked alone, it runs that code."""

    __slots__ = ()

    def evaluate(self, book: Book) -> Finding:
        """The check's finding for the request in ``book``: its own code, compiled alone."""
        return alone(self)(book)  # type: ignore[arg-type]  # every subclass is a Check


@frozen
class _OneFact(_Written):
    """A check of one fact whose findings are only met, not met or unknown.

    Its three possible findings are built once: they are immutable, so every request
    shares them instead of building its own.
    """

    fact: str
    _findings: tuple[Finding, Finding, Finding] = field(
        init=False, eq=False, hash=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_findings", by_status((self.fact,)))

    def facts(self) -> tuple[str, ...]:
        """The facts this check reads."""
        return (self.fact,)

    def _start(self, code: Code) -> tuple[str, str, str, str, str, str]:
        """The locals of the finding, the fact, its value, and the three findings' names."""
        fact = code.fact(self.fact)
        value = code.local()
        code.line(f"{value} = {fact}[1]")
        met, not_met, unknown = map(code.constant, self._findings)
        out = code.local("r")
        code.premade[out] = self._findings
        return out, fact, value, met, not_met, unknown


@frozen
class IsTrue(_OneFact):
    """Met when the boolean fact is true."""

    def describe(self) -> str:
        """The rule in plain words."""
        return f"{self.fact} is yes"

    def emit(self, code: Code) -> str:
        """Missing is unknown; only ``True`` itself is met."""
        out, _, value, met, not_met, unknown = self._start(code)
        code.line(
            f"{out} = {unknown} if {value} is None else {met} if {value} is True else {not_met}"
        )
        return out


def _words(values: tuple[str, ...] | ValueSet) -> str:
    return values.describe() if isinstance(values, ValueSet) else " or ".join(values)


@frozen
class OneOf(_OneFact):
    """Met when the fact's value (one code or word) is one of ``values``."""

    values: tuple[str, ...] | ValueSet

    def describe(self) -> str:
        """The rule in plain words."""
        return f"{self.fact} is {_words(self.values)}"

    def emit(self, code: Code) -> str:
        """Missing is unknown; a value among ``values`` is met; a group that may be one, unknown."""
        out, _, value, met, not_met, unknown = self._start(code)
        if isinstance(self.values, ValueSet):
            found = code.constant(dict(zip((True, False, None), self._findings, strict=True)))
            holds = code.constant(self.values.holds)
            code.line(f"{out} = {unknown} if {value} is None else {found}[{holds}({value})]")
            return out
        values = code.constant(self.values)
        code.line(
            f"{out} = {unknown} if {value} is None else {met} if {value} in {values} else {not_met}"
        )
        return out


@frozen
class Includes(_OneFact):
    """Met when the set-valued fact holds any of ``values`` (codes, or a value set)."""

    values: tuple[str, ...] | ValueSet

    def describe(self) -> str:
        """The rule in plain words."""
        return f"{self.fact} include {_words(self.values)}"

    def emit(self, code: Code) -> str:
        """Kleene membership: met if the set holds a value, unknown while it may be partial.

        A value set may answer that a value may be in it (a group code): unknown,
        unless another value is in it.
        """
        out, fact, value, met, not_met, unknown = self._start(code)
        with code.block(f"if isinstance({value}, frozenset)"):
            code.line(f"{out} = {unknown} if {fact}[4] else {not_met}")
            item = code.local("c")
            with code.block(f"for {item} in {value}"):
                if isinstance(self.values, ValueSet):
                    held = code.local("h")
                    code.line(f"{held} = {code.constant(self.values.holds)}({item})")
                    with code.block(f"if {held} is None"):
                        code.line(f"{out} = {unknown}")
                    test = held
                else:
                    test = f"{item} in {code.constant(self.values)}"
                with code.block(f"if {test}"):
                    code.line(f"{out} = {met}")
                    code.line("break")
        with code.block("else"):
            code.line(f"{out} = {unknown}")
        return out


#: How a limit compares a quantity of a dimension it has no limit in: across a basis
#: with a limit (the limit, the basis's dimension, divided or not), or not at all (the
#: finding, its requested value left out).
_Way = tuple[Quantity, str, bool] | Finding
#: How many units' ways a limit keeps before it starts anew.
_WAYS = 64

#: The comparisons a limit makes, by how Python writes them.
_OPERATORS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt}

#: Room for any validated per-kg or per-m² value with its 10 decimals.
_SHOWN = decimal.Context(prec=60)

#: The fact a dose is divided or multiplied by to compare it with a limit, by the part
#: of a dimension after its slash, and the suffix of the derived fact's name.
_BASIS = {"mass": ("patient.weight", "kg"), "area": ("patient.body_surface_area", "m2")}
#: The facts a dose is compared across: a limit on one of them compares it as it is.
_BASES = frozenset(basis for basis, _ in _BASIS.values())


@frozen(repr=False, init=False)
class _Bound(_Written):
    """A limit on a quantity fact; several limits are alternatives in other units.

    A dose in an absolute unit is divided by the weight (or body surface area) to
    compare with a per-kg (per-m²) limit, and a per-kg dose is multiplied by the
    weight to compare with an absolute cap, exactly; a unit no limit compares with is
    not met, with a note saying so.
    """

    fact: str
    limits: tuple[Quantity, ...]
    #: Each limit by its unit's dimension, with its exact value in base units as a
    #: numerator and denominator (:func:`~umpolicy.dsl.quantity.ratio`), worked out once.
    _by_dimension: dict[str, tuple[Quantity, int, int]] = field(init=False, eq=False, hash=False)
    #: How a quantity of each other unit is compared (see :meth:`_way`), worked out on
    #: first use: a request's units are few.
    _ways: dict[str, _Way] = field(init=False, eq=False, hash=False)
    _SYMBOL = ""
    #: How a value compares with the limit to meet it, as Python writes the comparison.
    _OPERATOR = ""
    #: True when a larger value keeps the limit met ("at least"): how a lower bound compares.
    _RISING = False

    def __attrs_post_init__(self) -> None:
        table = {}
        for limit in reversed(self.limits):  # the first limit of a dimension wins
            table[limit.unit.dimension] = (limit, *ratio(limit))
        object.__setattr__(self, "_by_dimension", table)
        object.__setattr__(self, "_ways", {})

    def __repr__(self) -> str:
        limits = ", ".join(map(repr, self.limits))
        return f"{type(self).__name__}({self.fact!r}, {limits})"

    def facts(self) -> tuple[str, ...]:
        """The facts this check reads, with any a conversion across a basis may need."""
        inputs = (name for _, _, names in self.conversions() for name in names)
        return tuple(dict.fromkeys((self.fact, *inputs)))

    def conversions(self) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
        """The facts a comparison across a basis may derive: name, words and inputs.

        A per-kg (per-m²) limit divides an absolute dose by the weight (body surface
        area) into ``<fact>_per_kg`` (``_per_m2``); an absolute cap multiplies a per-kg
        or per-m² dose into ``<fact>_total``. The engine's catalog lists them.
        """
        found: dict[str, tuple[str, str, tuple[str, ...]]] = {}
        if self.fact in (basis for basis, _ in _BASIS.values()):
            return ()  # a weight is compared as a weight
        for limit in self.limits:
            top, _, per = limit.unit.dimension.partition("/")
            if per in _BASIS:
                basis, code = _BASIS[per]
                name = f"{self.fact}_per_{code}"
                words = f"{self.fact} divided by {basis}, for a limit per {code}"
                found[name] = (name, words, (self.fact, basis))
            elif not per and top in ("iu", "mass"):
                name = f"{self.fact}_total"
                words = f"a per-kg or per-m² {self.fact} times the weight or body surface area"
                found[name] = (name, words, (self.fact, *(b for b, _ in _BASIS.values())))
        return tuple(found.values())

    def describe(self) -> str:
        """The rule in plain words."""
        first, *others = self.limits
        alternatives = "".join(f" (or {other.display()})" for other in others)
        return f"{self.fact} {self._SYMBOL} {first.display()}{alternatives}"

    def holds(self, sign: int) -> bool:
        """Whether a value that compares with the limit as ``sign`` (-1, 0, 1) meets it."""
        return bool(_OPERATORS[self._OPERATOR](sign, 0))

    def apart(self, code: str) -> str:
        """Why a value in the unit ``code``, which no limit compares with, is not met."""
        units = " or ".join(limit.unit.code for limit in self.limits)
        return f"{code} cannot be compared with a limit in {units}: outside the established dosing"

    def emit(self, code: Code) -> str:
        """Compare the request's quantity with the limit in its own dimension, exactly.

        Both are exact ratios of integers (:func:`~umpolicy.dsl.quantity.ratio`),
        compared by cross-multiplying; a quantity of another dimension is compared
        across a basis, or found apart, by :meth:`across`.
        """
        fact = code.fact(self.fact)
        value, out = code.local(), code.local("r")
        code.line(f"{value} = {fact}[1]")
        with code.block(f"if not isinstance({value}, {code.constant(Quantity)})"):
            code.line(f"{out} = {code.constant(Finding(UNKNOWN, (self.fact,)))}")
        with code.block("else"):
            same = code.local()
            code.line(f"{same} = {code.constant(self._by_dimension)}.get({value}.unit.dimension)")
            with code.block(f"if {same} is None"):
                code.line(f"{out} = {code.constant(self)}.across(book, {value})")
            with code.block("else"):
                have, per, up, down, met = (code.local() for _ in range(5))
                code.line(f"{have}, {per} = {value}.value.as_integer_ratio()")
                code.line(f"{up}, {down} = {value}.unit.terms")
                code.line(
                    f"{met} = {have} * {up} * {same}[2] {self._OPERATOR} {same}[1] * {per} * {down}"
                )
                # A partial value is a lower bound ("at least this many"): more may come,
                # which can meet an "at least" but never settles an "at most".
                unsettled = f"{fact}[4] and {'not ' if self._RISING else ''}{met}"
                status = f"UNKNOWN if {unsettled} else MET if {met} else NOT_MET"
                facts = code.constant((self.fact,))
                code.line(f"{out} = new(Finding, ({status}, {facts}, {value}, {same}[0], None))")
        return out

    def across(self, book: Book, value: Quantity) -> Finding:
        """A quantity of a dimension no limit has: across a basis, else not comparable."""
        way = self._ways.get(value.unit.code)
        if way is None:
            way = keep(self._ways, value.unit.code, self._way(value.unit), _WAYS)
        if isinstance(way, Finding):  # not comparable: the same finding for every value
            return new(Finding, (NOT_MET, way.facts, value, way.limit, way.note))
        limit, per, divide = way
        return self._by_basis(book, value, limit, per, divide=divide)

    def _way(self, unit: Unit) -> _Way:
        """How a quantity in ``unit`` compares with the limits of other dimensions.

        Across a basis with the first limit that takes it (divide an absolute dose, or
        multiply a per-basis one), else not at all. A limit on a basis itself (a weight)
        compares it as it is: a weight in mg/kg times itself is no weight in kg.
        """
        have = unit.dimension
        for limit in self.limits if self.fact not in _BASES else ():
            want = limit.unit.dimension
            if want.startswith(have + "/") and want[len(have) + 1 :] in _BASIS:
                return limit, want[len(have) + 1 :], True
            if have.startswith(want + "/") and have[len(want) + 1 :] in _BASIS:
                return limit, have[len(want) + 1 :], False
        return Finding(NOT_MET, (self.fact,), None, self.limits[0], self.apart(unit.code))

    def _by_basis(
        self, book: Book, value: Quantity, limit: Quantity, per: str, *, divide: bool
    ) -> Finding:
        """The dose per basis (or in total), as a derived fact, against the limit."""
        basis_name, basis_unit = _BASIS[per]
        suffix = f"_per_{basis_unit}" if divide else "_total"
        name = self.fact + suffix
        basis = book[basis_name]
        inputs = (self.fact, basis_name)
        if not isinstance(basis.value, Quantity):
            book.add(Fact(name, None, inputs))
            return Finding(UNKNOWN, (name,), limit=limit)
        a, b = ratio(value)  # the dose, the cap and the basis as exact ratios of integers
        c, d = ratio(limit)
        e, f = ratio(basis.value)
        g, h = limit.unit.terms
        square = basis.exact_square
        if square is not None:  # compare squares: the basis is only known exactly squared
            sn, sd = square.numerator, square.denominator
            if divide:  # dose² against cap² × area², and dose² ÷ area² for the reader
                order = sign(a * a * d * d * sd, c * c * sn * b * b)
                shown = rounded(a * a * sd * h * h, b * b * sn * g * g, 10, root=True)
            else:
                order = sign(a * a * sn * d * d, c * c * b * b * sd)
                shown = rounded(a * a * sn * h * h, b * b * sd * g * g, 10, root=True)
        elif divide:
            order = sign(a * d * f, c * e * b)
            shown = rounded(a * f * h, b * e * g, 10)
        else:
            order = sign(a * e * d, c * b * f)
            shown = rounded(a * e * h, b * f * g, 10)
        operator = "÷" if divide else "×"
        requested = Quantity.exact(shown.normalize(_SHOWN), limit.unit)
        book.add(Fact(name, requested, inputs))
        note = f"{value.display()} {operator} {basis.value.display()} = {requested.display()}"
        if square is not None:
            note += " (compared exactly, by squares)"
        return Finding(Status.of(self.holds(order)), (name,), requested, limit, note)


class AtMost(_Bound):
    """Met when the quantity is at most the limit (inclusive: "must not exceed", "up to")."""

    __slots__ = ()
    _SYMBOL = "≤"
    _OPERATOR = "<="

    def __init__(self, fact: str, *limits: Quantity) -> None:
        self.__attrs_init__(fact, limits)


class AtLeast(_Bound):
    """Met when the quantity is at least the limit (inclusive: "at least", "a minimum of")."""

    __slots__ = ()
    _SYMBOL = "≥"
    _OPERATOR = ">="
    _RISING = True

    def __init__(self, fact: str, *limits: Quantity) -> None:
        self.__attrs_init__(fact, limits)


class LessThan(_Bound):
    """Met when the quantity is below the limit (strict: "less than", "weighs under")."""

    __slots__ = ()
    _SYMBOL = "<"
    _OPERATOR = "<"

    def __init__(self, fact: str, *limits: Quantity) -> None:
        self.__attrs_init__(fact, limits)


@frozen(repr=False, init=False)
class _Combined(_Written):
    """Checks of several facts combined by Kleene "or" (:class:`Either`) or "and" (:class:`Both`).

    One definition of both: what they read, how they say it, the code they emit.
    """

    checks: tuple[Check, ...]
    #: How the checks are joined: in words, and which Kleene combination.
    _word: ClassVar[str]

    def __init__(self, *checks: Check) -> None:
        self.__attrs_init__(checks)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(map(repr, self.checks))})"

    def facts(self) -> tuple[str, ...]:
        """The facts this check reads."""
        return tuple(dict.fromkeys(name for check in self.checks for name in check.facts()))

    def describe(self) -> str:
        """The rule in plain words."""
        return f" {self._word} ".join(check.describe() for check in self.checks)

    def emit(self, code: Code) -> str:
        """Kleene "any" (or "all") of the checks; every fact read is kept for the trail.

        Checks whose findings are made beforehand make this one's beforehand too.
        """
        combined = any_of if self._word == "or" else all_of
        found = [check.emit(code) for check in self.checks]
        status, out = code.local("s"), code.local("r")
        code.line(f"{status} = {combined([f'{each}[0]' for each in found])}")
        if all(each in code.premade for each in found):
            code.premade[out] = made = _premade(self)
            code.line(f"{out} = {chosen(status, tuple(map(code.constant, made)))}")  # type: ignore[arg-type]
            return out
        facts = "".join(f"*{each}[1], " for each in found)
        code.line(
            f"{out} = new(Finding, ({status}, tuple(dict.fromkeys(({facts}))), None, None, None))"
        )
        return out


@frozen(repr=False, init=False)
class Either(_Combined):
    """Met when any of its checks is met (Kleene "or" across several facts)."""

    _word = "or"


@frozen(repr=False, init=False)
class Both(_Combined):
    """Met when every one of its checks is met (Kleene "and" across several facts).

    For a criterion one person must meet twice over ("a physician associated with a
    transplant center": the prescriber's affiliation and the prescriber's specialty),
    where an :class:`Either` of the two would take either alone. It needs a check: the
    "all" of none would be met, an approval resting on nothing.
    """

    _word = "and"

    def __init__(self, *checks: Check) -> None:
        if not checks:
            raise ValueError("Both() needs at least one check: the 'all' of none is met")
        self.__attrs_init__(checks)


@frozen
class Not(_Written):
    """Met when its check is not met ("will not be used in combination with …")."""

    check: Check

    def facts(self) -> tuple[str, ...]:
        """The facts this check reads."""
        return self.check.facts()

    def describe(self) -> str:
        """The rule in plain words."""
        return f"not ({self.check.describe()})"

    def emit(self, code: Code) -> str:
        """The Kleene negation: unknown stays unknown; the finding's facts stay its own."""
        found = self.check.emit(code)
        status = code.status(found)
        out = code.local("r")
        if found in code.premade:  # a finding made beforehand: its negation too
            code.premade[out] = made = _premade(self)
            met, not_met, unknown = map(code.constant, made)
            code.line(f"{out} = {chosen(status, (not_met, met, unknown))}")
            return out
        code.line(f"{out} = new(Finding, ({negated(status)}, *{found}[1:]))")
        return out


@by_identity
def _premade(check: _Combined | Not) -> tuple[Finding, Finding, Finding]:
    """The findings made beforehand of an ``Either``, ``Both`` or ``Not`` of checks whose are.

    Such a finding holds the facts the check reads, each once, and its status alone;
    the same three objects wherever the check is written, so a recurring check's
    finding is the very one the book keeps.
    """
    return by_status(check.facts())


Check = IsTrue | OneOf | Includes | AtMost | AtLeast | LessThan | Either | Both | Not

__all__ = [
    "AtLeast",
    "AtMost",
    "Book",
    "Both",
    "Check",
    "Either",
    "Includes",
    "IsTrue",
    "LessThan",
    "Not",
    "OneOf",
]
