"""The facts of the shared vocabulary, and the derived facts many policies need.

A policy tree names facts by dotted name (``patient.age``). :data:`FACTS` is the one
place that says what each vocabulary fact means, its type and unit, and, for a
derived fact, the inputs it comes from; :data:`READERS` says how each is read from
a request. The derived facts a policy declares itself (:class:`TherapyListed`,
:class:`TherapyCount`, :class:`EveryItem`) are reusable pieces written here once:
each reads its inputs from the book, so the trail shows them.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

from attrs import frozen

from umpolicy.dsl import checks
from umpolicy.dsl.findings import Fact, Value
from umpolicy.dsl.quantity import Quantity, compare, rounded
from umpolicy.dsl.records import new
from umpolicy.dsl.status import Status, all_met, any_met
from umpolicy.dsl.units import unit
from umpolicy.dsl.valueset import ValueSet
from umpolicy.vocabulary.request import (
    History,
    Practitioner,
    Request,
    RequestKind,
    Sex,
    Therapy,
    TherapyOutcome,
)


class Book(checks.Book, Protocol):
    """What a reader sees: the request and the policy's answers, besides the facts."""

    request: Request
    answers: Mapping[str, Any]


Reader = Callable[[Book], Fact]


@frozen
class FactSpec:
    """What a fact name means: its type, units or values, and what it is derived from."""

    name: str
    type: str
    description: str
    units: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()

    @property
    def derived(self) -> bool:
        """True when the fact is computed from other facts rather than read."""
        return bool(self.inputs)


def _values(kind: type[enum.Enum]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in kind)


#: The code system of each vocabulary fact of codes a value set is asked about, and of
#: the therapy histories (ATC): a value set of another system never holds its codes.
CODE_SYSTEMS: dict[str, str] = {
    "diagnoses": "ICD-10-CM",
    "medication.route": "SNOMED CT",
    "prescriber.specialties": "NUCC taxonomy",
    "consultants.specialties": "NUCC taxonomy",
    "therapies.prior": "ATC",
    "therapies.concomitant": "ATC",
}


#: Every fact of the shared vocabulary, in the order reviewers read them. The units a
#: request's quantity takes are :data:`umpolicy.io.quantities.QUANTITIES`' (the
#: catalog adds them), so validation, errors, the schema and the docs say one list.
FACTS: dict[str, FactSpec] = {
    spec.name: spec
    for spec in (
        FactSpec("request.date", "date", "The date of the request."),
        FactSpec(
            "request.kind",
            "code",
            "Initial therapy, or continuation of therapy.",
            values=_values(RequestKind),
        ),
        FactSpec("patient.birth_date", "date", "The patient's date of birth."),
        FactSpec("patient.sex", "code", "The patient's administrative sex.", values=_values(Sex)),
        FactSpec(
            "patient.age",
            "quantity",
            "Age in whole years on the request date (from each birthday; 29 February turns "
            "on 1 March).",
            units=("a",),
            inputs=("patient.birth_date", "request.date"),
        ),
        FactSpec("patient.weight", "quantity", "Body weight."),
        FactSpec("patient.height", "quantity", "Height."),
        FactSpec("patient.bsa", "quantity", "Body surface area, as given."),
        FactSpec(
            "patient.body_surface_area",
            "quantity",
            "Body surface area: as given, else Mosteller's √(height cm × weight kg / 3600), "
            "compared exactly by its square.",
            units=("m2",),
            inputs=("patient.bsa", "patient.height", "patient.weight"),
        ),
        FactSpec("diagnoses", "set of codes", "The diagnoses, as ICD-10-CM codes."),
        FactSpec("medication.code", "code", "The requested drug's code."),
        FactSpec("medication.route", "code", "The route of administration (SNOMED CT)."),
        FactSpec(
            "medication.dose",
            "quantity",
            "The dose per administration: absolute, per kg, per m² or per a counted unit.",
        ),
        FactSpec(
            "medication.frequency",
            "quantity",
            "How often a dose is given: a rate such as /d, /wk, or /(4.wk) for once every 4 weeks.",
        ),
        FactSpec(
            "medication.schedule.doses_per_cycle",
            "quantity",
            "Doses in one cycle of treatment.",
            units=("{dose}",),
        ),
        FactSpec(
            "medication.schedule.cycles_per_course",
            "quantity",
            "Cycles requested in the course.",
            units=("{cycle}",),
        ),
        FactSpec(
            "medication.schedule.rest_between_cycles",
            "quantity",
            "Rest between one cycle and the next.",
        ),
        FactSpec(
            "medication.schedule.course_number",
            "quantity",
            "Which course of therapy this is (1 for the first).",
            units=("{course}",),
        ),
        FactSpec(
            "medication.schedule.rest_before_course",
            "quantity",
            "Rest since the previous course.",
        ),
        FactSpec("therapies.prior", "list of therapies", "Therapies tried before."),
        FactSpec("therapies.concomitant", "list of therapies", "Therapies given with the drug."),
        FactSpec("therapies.time_on_drug", "quantity", "Time on the requested drug."),
        FactSpec(
            "prescriber.specialties",
            "set of codes",
            "The prescriber's specialties (NUCC taxonomy codes).",
        ),
        FactSpec("prescriber.affiliations", "set of codes", "The prescriber's affiliations."),
        FactSpec("consultants", "list of physicians", "Physicians consulted on the request."),
        FactSpec(
            "consultants.specialties",
            "set of codes",
            "The specialties of the physicians consulted (those given, when some are not).",
            inputs=("consultants",),
        ),
        FactSpec(
            "consultants.affiliations",
            "set of codes",
            "The affiliations of the physicians consulted (those given, when some are not).",
            inputs=("consultants",),
        ),
    )
}


def age_in_years(birth: dt.date, on: dt.date) -> int:
    """Whole years from ``birth`` to ``on``: the age turns at each birthday (29 Feb → 1 Mar)."""
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


#: How many distinct values of one read fact are shared (facts are immutable).
_SHARED = 64


def _read(name: str, path: str, convert: Callable[[Any], Value | None] | None = None) -> Reader:
    """A reader of the attribute at ``path``; yes/no/missing/code facts are shared."""
    get = operator.attrgetter(path)
    shared: dict[object, Fact] = {}

    def read(book: Book) -> Fact:
        value = get(book.request)
        if convert is not None and value is not None:
            value = convert(value)
        if value is None or value is True or value is False or type(value) is str:
            fact = shared.get(value)
            if fact is None:
                fact = Fact(name, value)
                if len(shared) < _SHARED:  # codes are few; free text must not grow it
                    shared[value] = fact
            return fact
        return new(Fact, (name, value, (), None, False))

    return read


def _counted(code: str) -> Callable[[int], Quantity]:
    """A count as a quantity of ``code``; quantities are immutable, so small counts are shared."""
    counted = unit(code)

    @functools.lru_cache(maxsize=256, typed=True)  # typed: True is not the count 1
    def count(value: int) -> Quantity:
        return Quantity.exact(Decimal(value), counted)

    return count


def _enum(member: enum.Enum) -> str:
    return str(member.value)


def _codes(codings: tuple[Any, ...]) -> frozenset[str]:
    return frozenset(each.code for each in codings)


def _route(coding: Any) -> str:
    return str(coding.code)


def _therapy(therapy: Therapy) -> str:
    parts = [therapy.name]
    if therapy.codes:
        parts.append(f"({', '.join(therapy.codes)})")
    if therapy.duration is not None:
        parts.append(f"for {therapy.duration.display()}")
    if therapy.outcome is not None:
        parts.append(f"— {therapy.outcome.value}")
    return " ".join(parts)


def _therapies(therapies: tuple[Therapy, ...]) -> str:
    return "; ".join(map(_therapy, therapies)) or "none"


def _history(history: History) -> Reader:
    """A therapy history's fact: its therapies in words, partial when given only in part."""
    name = f"therapies.{history.value}"
    get = operator.attrgetter(history.value)
    missing = Fact(name, None)

    def read(book: Book) -> Fact:
        given = book.request.therapies
        therapies: tuple[Therapy, ...] | None = get(given)
        if therapies is None:
            return missing
        return new(Fact, (name, _therapies(therapies), (), None, history in given.partial))

    return read


def _age(book: Book) -> Fact:
    birth, on = book["patient.birth_date"].value, book["request.date"].value
    value = None
    if isinstance(birth, dt.date) and isinstance(on, dt.date):
        value = _years(age_in_years(birth, on))
    return new(Fact, ("patient.age", value, ("patient.birth_date", "request.date"), None, False))


_years = _counted("a")
_M2 = unit("m2")


#: Mosteller's divisor: the square of a BSA in m² is height (cm) × weight (kg) / 3600.
MOSTELLER_DIVISOR = 3600


def mosteller_square(height: Quantity, weight: Quantity) -> Fraction:
    """The exact square of Mosteller's BSA, height (cm) × weight (kg) / 3600, in m⁴."""
    h = Fraction(height.value) * height.unit.factor
    w = Fraction(weight.value) * weight.unit.factor
    return h * w / MOSTELLER_DIVISOR


def _body_surface_area(book: Book) -> Fact:
    name = "patient.body_surface_area"
    given = book["patient.bsa"]
    if isinstance(given.value, Quantity):
        return Fact(name, given.value, ("patient.bsa",))
    height, weight = book["patient.height"], book["patient.weight"]
    inputs = ("patient.height", "patient.weight")
    if not isinstance(height.value, Quantity) or not isinstance(weight.value, Quantity):
        return Fact(name, None, ("patient.bsa", *inputs))
    square = mosteller_square(height.value, weight.value)
    shown = Quantity.exact(rounded(square.numerator, square.denominator, 4, root=True), _M2)
    return Fact(name, shown, inputs, square)


def _consultants(book: Book) -> Fact:
    consultants = book.request.consultants
    shown = None
    if consultants is not None:
        shown = "; ".join(map(_practitioner, consultants)) or "none"
    return new(Fact, ("consultants", shown, (), None, False))


def _practitioner(who: Practitioner) -> str:
    specialties = "specialty not given" if who.specialties is None else ", ".join(who.specialties)
    if who.affiliations:
        return f"{specialties} ({', '.join(who.affiliations)})"
    return specialties


def _union(attribute: str) -> Reader:
    """The codes every consultant gives for ``attribute``; partial when one gives none."""
    name = f"consultants.{attribute}"
    get = operator.attrgetter(attribute)

    def read(book: Book) -> Fact:
        consultants = book.request.consultants
        book["consultants"]
        if consultants is None:
            return new(Fact, (name, None, ("consultants",), None, False))
        lists = [get(each) for each in consultants]
        known = frozenset(code for codes in lists if codes is not None for code in codes)
        return new(Fact, (name, known, ("consultants",), None, None in lists))

    return read


#: How each vocabulary fact is read from a request or derived from other facts.
READERS: dict[str, Reader] = {
    "request.date": _read("request.date", "date"),
    "request.kind": _read("request.kind", "kind", _enum),
    "patient.birth_date": _read("patient.birth_date", "patient.birth_date"),
    "patient.sex": _read("patient.sex", "patient.sex", _enum),
    "patient.age": _age,
    "patient.weight": _read("patient.weight", "patient.weight"),
    "patient.height": _read("patient.height", "patient.height"),
    "patient.bsa": _read("patient.bsa", "patient.bsa"),
    "patient.body_surface_area": _body_surface_area,
    "diagnoses": _read("diagnoses", "diagnoses", _codes),
    "medication.code": _read("medication.code", "medication.code"),
    "medication.route": _read("medication.route", "medication.route", _route),
    "medication.dose": _read("medication.dose", "medication.dose"),
    "medication.frequency": _read("medication.frequency", "medication.frequency"),
    **{
        f"medication.schedule.{name}": _read(
            f"medication.schedule.{name}",
            f"medication.schedule.{name}",
            _counted(code) if code else None,
        )
        for name, code in (
            ("doses_per_cycle", "{dose}"),
            ("cycles_per_course", "{cycle}"),
            ("rest_between_cycles", None),
            ("course_number", "{course}"),
            ("rest_before_course", None),
        )
    },
    "therapies.prior": _history(History.PRIOR),
    "therapies.concomitant": _history(History.CONCOMITANT),
    "therapies.time_on_drug": _read("therapies.time_on_drug", "therapies.time_on_drug"),
    "prescriber.specialties": _read("prescriber.specialties", "prescriber.specialties", frozenset),
    "prescriber.affiliations": _read(
        "prescriber.affiliations", "prescriber.affiliations", frozenset
    ),
    "consultants": _consultants,
    "consultants.specialties": _union("specialties"),
    "consultants.affiliations": _union("affiliations"),
}


#: The therapy histories a derived fact may read (``history``), and the fact of each.
HISTORIES = {each.value: f"therapies.{each.value}" for each in History}


def _listed(book: Book, history: str) -> tuple[tuple[Therapy, ...] | None, bool]:
    """A history's therapies (``None``: not given), and whether it is given only in part."""
    given = book.request.therapies
    return getattr(given, history), bool(given.partial) and History(history) in given.partial


def _matching(
    therapies: tuple[Therapy, ...],
    value_set: ValueSet,
    outcomes: tuple[TherapyOutcome, ...],
    excluding: tuple[TherapyOutcome, ...],
) -> tuple[list[Therapy], bool]:
    """The therapies of the value set that count, and whether another one might.

    A therapy listed without codes, or coded only by a group that may or may not be
    of the value set (ATC ``L04A``), leaves the answer open (never "not listed"),
    unless another therapy settles it. So does one of the set whose outcome is not
    given where only some ``outcomes`` count: what happened may be one of them.
    """
    found = []
    maybe = False
    for each in therapies:
        outcome = each.outcome
        if outcome in excluding or (outcomes and outcome is not None and outcome not in outcomes):
            continue
        held = value_set.holds_any(each.codes) if each.codes else None
        if held and (not outcomes or outcome is not None):
            found.append(each)
        elif held is not False:
            maybe = True
    return found, maybe


@frozen
class TherapyListed:
    """A yes/no fact: the history (``prior`` or ``concomitant``) lists a therapy of a value set.

    ``outcomes`` narrows it to what happened (a contraindication), and ``excluding``
    leaves out what did not count as a trial, or will not be given with the drug (a
    contraindication: never given; a therapy with no outcome given still counts). Leave
    contraindications out of every fact that means "given", whichever way its criterion
    reads it: a contraindicated corticosteroid does not meet "with corticosteroids", nor
    does a contraindicated anticancer drug spoil "as a single agent". ``at_least``
    narrows it to a trial of at least that long ("for at least 3 months"): a matching
    therapy whose duration is not given leaves the fact unknown unless another one
    settles it. A history given only in part (:attr:`Therapies.partial`) settles it
    when it lists one; when it lists none, the fact is open, never "not listed".
    """

    name: str
    description: str
    history: str
    value_set: ValueSet
    outcomes: tuple[TherapyOutcome, ...] = ()
    at_least: Quantity | None = None
    excluding: tuple[TherapyOutcome, ...] = ()

    @property
    def inputs(self) -> tuple[str, ...]:
        """The facts it is derived from."""
        return (HISTORIES[self.history],)

    def derive(self, book: Book) -> Fact:
        """Kleene "any": listed; not listed; or open (it may be one; a trial of unknown length)."""
        source = HISTORIES[self.history]
        book[source]
        therapies, partial = _listed(book, self.history)
        if therapies is None:
            return new(Fact, (self.name, None, (source,), None, False))
        found, maybe = _matching(therapies, self.value_set, self.outcomes, self.excluding)
        maybe = maybe or partial  # a history given in part may leave one out
        at_least = self.at_least
        if at_least is None:
            settled = bool(found)
            unknown = maybe
        else:
            settled = any(
                t.duration is not None and compare(t.duration, at_least) >= 0 for t in found
            )
            unknown = maybe or any(t.duration is None for t in found)
        value = True if settled else (None if unknown else False)
        return new(Fact, (self.name, value, (source,), None, False))


@frozen
class TherapyCount:
    """How many therapies of a value set the history (``prior`` or ``concomitant``) lists.

    ``outcomes`` and ``excluding`` narrow it as for :class:`TherapyListed`.
    """

    name: str
    description: str
    history: str
    value_set: ValueSet
    outcomes: tuple[TherapyOutcome, ...] = ()
    excluding: tuple[TherapyOutcome, ...] = ()

    @property
    def inputs(self) -> tuple[str, ...]:
        """The facts it is derived from."""
        return (HISTORIES[self.history],)

    def derive(self, book: Book) -> Fact:
        """The count, in ``{therapy}``; missing when the history is not given.

        With a therapy in the history that may be of the value set (uncoded, or coded
        only by a group), or a history given only in part, the count is *partial*: at
        least this many, so a limit compares it as a lower bound.
        """
        source = HISTORIES[self.history]
        book[source]
        therapies, partial = _listed(book, self.history)
        if therapies is None:
            return new(Fact, (self.name, None, (source,), None, False))
        found, maybe = _matching(therapies, self.value_set, self.outcomes, self.excluding)
        count = _therapies_counted(len(found))
        return new(Fact, (self.name, count, (source,), None, maybe or partial))


_therapies_counted = _counted("{therapy}")


@frozen
class EveryItem:
    """A yes/no fact: a listed answer has at least one item, and every item qualifies.

    ``where`` gives, for fields of each item, the codes that qualify ("every injection
    site listed is in the skin, beneath it or in a lymph node").
    """

    name: str
    description: str
    question: str
    where: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def inputs(self) -> tuple[str, ...]:
        """The facts it is derived from."""
        return (f"answers.{self.question}",)

    def derive(self, book: Book) -> Fact:
        """Kleene "all" over the items; an empty list does not qualify."""
        source = f"answers.{self.question}"
        book[source]
        items = book.answers.get(self.question)
        if items is None:
            return new(Fact, (self.name, None, (source,), None, False))
        value = bool(items) and all(
            item.get(field) in codes for item in items for field, codes in self.where
        )
        return new(Fact, (self.name, value, (source,), None, False))


def _holds(codes: tuple[str, ...] | None, wanted: ValueSet | tuple[str, ...]) -> Status:
    """Whether one practitioner's codes hold one of ``wanted``; unknown when not given."""
    if codes is None:
        return Status.UNKNOWN
    if isinstance(wanted, ValueSet):
        held = wanted.holds_any(codes)
        return Status.UNKNOWN if held is None else Status.of(held)
    return Status.of(any(code in wanted for code in codes))


@frozen
class Consulted:
    """A yes/no fact: one physician consulted has a specialty AND an affiliation asked for.

    "In consultation with a physician associated with a transplant center": the same
    consultant must be both, which the pooled facts (``consultants.specialties``,
    ``consultants.affiliations``) cannot say: a transplant center's nurse and a physician
    elsewhere would together seem to be one. ``specialties`` (NUCC taxonomy) or
    ``affiliations`` left out asks nothing of it. A consultant who does not say one that
    is asked leaves the fact unknown, unless another consultant settles it.
    """

    name: str
    description: str
    specialties: ValueSet | None = None
    affiliations: tuple[str, ...] | ValueSet = ()

    @property
    def inputs(self) -> tuple[str, ...]:
        """The facts it is derived from."""
        return ("consultants",)

    def derive(self, book: Book) -> Fact:
        """Kleene "any" over the consultants of Kleene "all" of what each is asked to be."""
        book["consultants"]
        consultants = book.request.consultants
        if consultants is None:
            return new(Fact, (self.name, None, ("consultants",), None, False))
        asked = [
            (attribute, wanted)
            for attribute, wanted in (
                ("specialties", self.specialties),
                ("affiliations", self.affiliations),
            )
            if wanted
        ]
        found = any_met(
            all_met(_holds(getattr(who, attribute), wanted) for attribute, wanted in asked)
            for who in consultants
        )
        value = None if found is Status.UNKNOWN else found is Status.MET
        return new(Fact, (self.name, value, ("consultants",), None, False))


Derived = TherapyListed | TherapyCount | EveryItem | Consulted
