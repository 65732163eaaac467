"""The facts a policy reads, and how each is read or derived from a request.

A policy tree names facts by dotted name (``patient.age``); this catalog is the one
place that says what each name means, its type and unit, and, for a derived fact,
the inputs it comes from and how. A :class:`FactBook` reads the facts of one request
lazily, once each, and keeps the inputs of every derived fact for the audit trail.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import operator
from collections.abc import Callable
from fractions import Fraction
from typing import NamedTuple

from attrs import frozen

from umpolicy.quantity import Quantity, rounded
from umpolicy.records import new, record
from umpolicy.request import (
    Condition,
    Lesion,
    LesionSite,
    LesionStatus,
    Patient,
    Physician,
    Request,
    Route,
    Specialty,
)
from umpolicy.units import UNITS

#: A fact's value: a boolean, an enum value, a set of enum values, a quantity, a date.
Value = bool | str | frozenset[str] | Quantity | dt.date
#: A set-valued fact as a function gives it: the values known, and whether it is partial.
Partial = tuple[frozenset[str], bool]


@record
class Fact(NamedTuple):
    """A fact's value for one request (``None`` when missing) and, if derived, its inputs.

    An immutable record, equal only to a Fact (see :mod:`umpolicy.records`).
    """

    name: str
    value: Value | None
    inputs: tuple[Fact, ...] = ()
    method: str | None = None
    #: The exact square of ``value`` when ``value`` itself is rounded (Mosteller BSA).
    exact_square: Fraction | None = None
    #: True when ``value`` (a set) lists only what the request gives: more may be missing.
    partial: bool = False

    @property
    def missing(self) -> bool:
        """True when the request does not give this fact (or an input it needs)."""
        return self.value is None

    def display(self) -> str:
        """The value for people."""
        shown = display_value(self.value)
        return f"{shown}, and some not given" if self.partial else shown


def display_value(value: Value | None) -> str:
    """A fact value as reviewers read it."""
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Quantity):
        return value.display()
    if isinstance(value, frozenset):
        return ", ".join(sorted(value)) if value else "none"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


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


_LESION_SITES = frozenset({LesionSite.CUTANEOUS, LesionSite.SUBCUTANEOUS, LesionSite.NODAL})
_LESION_STATUSES = frozenset(
    {LesionStatus.METASTATIC, LesionStatus.RECURRENT, LesionStatus.UNRESECTABLE}
)

#: Every fact a policy may name, in the order reviewers read them.
FACTS: dict[str, FactSpec] = {
    spec.name: spec
    for spec in (
        FactSpec("request.date", "date", "The date of the request."),
        FactSpec("patient.birth_date", "date", "The patient's date of birth."),
        FactSpec(
            "patient.age",
            "quantity",
            "Age in whole years on the request date; 18 from the 18th birthday.",
            units=("a",),
            inputs=("patient.birth_date", "request.date"),
        ),
        FactSpec("patient.weight", "quantity", "Body weight.", units=("kg", "g", "[lb_av]")),
        FactSpec("patient.height", "quantity", "Height.", units=("cm", "m", "[in_i]")),
        FactSpec("patient.bsa", "quantity", "Body surface area, as given.", units=("m2",)),
        FactSpec(
            "patient.body_surface_area",
            "quantity",
            "Body surface area: as given, else Mosteller's √(height cm × weight kg / 3600).",
            units=("m2",),
            inputs=("patient.bsa", "patient.height", "patient.weight"),
        ),
        FactSpec(
            "diagnosis.condition",
            "enum",
            "The condition the drug is requested for.",
            values=_values(Condition),
        ),
        FactSpec("diagnosis.metastatic", "boolean", "The disease is metastatic."),
        FactSpec("diagnosis.unresectable", "boolean", "The disease is unresectable."),
        FactSpec(
            "diagnosis.steroid_refractory",
            "boolean",
            "According to the prescriber, the disease is steroid-refractory.",
        ),
        FactSpec(
            "diagnosis.lesions",
            "list of lesions",
            "The lesions the drug will be injected into, each with site and status.",
            values=_values(LesionSite) + _values(LesionStatus),
        ),
        FactSpec(
            "diagnosis.lesions_injectable",
            "boolean",
            "At least one lesion is listed, and every one is a metastatic, recurrent or "
            "unresectable cutaneous, subcutaneous or nodal lesion.",
            inputs=("diagnosis.lesions",),
        ),
        FactSpec(
            "therapy.prior_systemic",
            "list of names",
            "Systemic therapies the patient has tried before.",
        ),
        FactSpec(
            "therapy.prior_systemic_count",
            "quantity",
            "How many other systemic therapies the patient has tried.",
            units=("{therapy}",),
            inputs=("therapy.prior_systemic",),
        ),
        FactSpec(
            "therapy.concomitant_anticancer",
            "list of names",
            "Anticancer therapies to be given together with the drug.",
        ),
        FactSpec(
            "therapy.single_agent",
            "boolean",
            "The drug is used alone: no concomitant anticancer therapy is listed.",
            inputs=("therapy.concomitant_anticancer",),
        ),
        FactSpec(
            "therapy.systemic_corticosteroids",
            "boolean",
            "The drug is used in combination with systemic corticosteroids.",
        ),
        FactSpec(
            "prescriber.specialty",
            "enum",
            "The prescriber's specialty.",
            values=_values(Specialty),
        ),
        FactSpec(
            "prescriber.transplant_center",
            "boolean",
            "The prescriber is associated with a transplant center.",
        ),
        FactSpec("consultants", "list of physicians", "Physicians consulted on the request."),
        FactSpec(
            "consultants.specialties",
            "set of enum",
            "The specialties of the physicians consulted.",
            values=_values(Specialty),
            inputs=("consultants",),
        ),
        FactSpec(
            "consultants.transplant_center",
            "boolean",
            "A physician consulted is associated with a transplant center.",
            inputs=("consultants",),
        ),
        FactSpec("regimen.route", "enum", "How the drug is given.", values=_values(Route)),
        FactSpec(
            "regimen.dose",
            "quantity",
            "The dose per administration: absolute, per kg, per m² or per lesion.",
            units=(
                "[iU]",
                "10*6.[iU]",
                "mg",
                "[iU]/kg",
                "10*6.[iU]/kg",
                "mg/kg",
                "[iU]/m2",
                "10*6.[iU]/m2",
                "mg/m2",
                "[iU]/{lesion}",
                "10*6.[iU]/{lesion}",
            ),
        ),
        FactSpec(
            "regimen.dose_per_kg",
            "quantity",
            "An absolute dose divided by the patient's weight, for a per-kg limit.",
            units=("[iU]/kg", "mg/kg"),
            inputs=("regimen.dose", "patient.weight"),
        ),
        FactSpec(
            "regimen.dose_per_m2",
            "quantity",
            "An absolute dose divided by the body surface area, for a per-m² limit.",
            units=("[iU]/m2", "mg/m2"),
            inputs=("regimen.dose", "patient.body_surface_area"),
        ),
        FactSpec(
            "regimen.frequency",
            "quantity",
            "How often a dose is given.",
            units=("/d", "/wk", "/h"),
        ),
        FactSpec(
            "regimen.doses_per_cycle",
            "quantity",
            "Doses in one cycle of treatment.",
            units=("{dose}",),
        ),
        FactSpec(
            "regimen.cycles_per_course",
            "quantity",
            "Cycles requested in the course; a second cycle needs rest after the first.",
            units=("{cycle}",),
        ),
        FactSpec(
            "regimen.rest_between_cycles",
            "quantity",
            "Rest between the first and second cycle.",
            units=("d", "wk"),
        ),
        FactSpec(
            "regimen.course_number",
            "quantity",
            "Which course of therapy this is (1 for the first; 2 or more is additional).",
            units=("{course}",),
        ),
        FactSpec(
            "regimen.rest_before_course",
            "quantity",
            "Rest since the previous course, for an additional course.",
            units=("d", "wk"),
        ),
    )
}


def with_inputs(names: tuple[str, ...]) -> tuple[str, ...]:
    """The facts named, each followed by the inputs it is derived from (recursively), once each."""
    found: dict[str, None] = {}

    def add(name: str) -> None:
        found[name] = None
        for each in FACTS[name].inputs:
            add(each)

    for name in names:
        add(name)
    return tuple(found)


def age_in_years(birth: dt.date, on: dt.date) -> int:
    """Whole years from ``birth`` to ``on``: the age turns at each birthday (29 Feb → 1 Mar)."""
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def _enum_value(member: enum.Enum | None) -> str | None:
    return None if member is None else str(member._value_)  # not the slower .value


def _count(value: int | None, unit_code: str) -> Quantity | None:
    return None if value is None else _counted(value, unit_code)


@functools.lru_cache(maxsize=4096, typed=True)  # quantities are immutable; typed: 1 ≠ True
def _counted(value: int, unit_code: str) -> Quantity:
    return Quantity(value, unit_code)


Reader = Callable[["FactBook"], Fact]


def _read(name: str, getter: Callable[[Request], Value | None]) -> Reader:
    #: Facts are immutable: one Fact per yes/no/missing/enum value is shared by all requests.
    shared: dict[object, Fact] = {}

    def read(book: FactBook) -> Fact:
        value = getter(book.request)
        if value is None or value is True or value is False or type(value) is str:
            fact = shared.get(value)
            if fact is None:
                fact = shared[value] = Fact(name, value)
            return fact
        return new(Fact, (name, value, (), None, None, False))

    return read


class FactBook:
    """The facts of one request, read on first use and kept."""

    __slots__ = ("_facts", "request")

    def __init__(self, request: Request) -> None:
        self.request = request
        self._facts: dict[str, Fact] = {}

    def __getitem__(self, name: str) -> Fact:
        fact = self._facts.get(name)
        if fact is None:
            fact = self._facts[name] = READERS[name](self)
        return fact

    def read(self) -> tuple[Fact, ...]:
        """Every fact read so far, in catalog order."""
        return tuple(self._facts[name] for name in FACTS if name in self._facts)


_AGE_METHOD = "whole years from the birth date to the request date"


def _age(book: FactBook) -> Fact:
    birth, on = book["patient.birth_date"], book["request.date"]
    value = None
    if isinstance(birth.value, dt.date) and isinstance(on.value, dt.date):
        value = _counted(age_in_years(birth.value, on.value), "a")
    return new(Fact, ("patient.age", value, (birth, on), _AGE_METHOD, None, False))


def body_surface_area(patient: Patient) -> Quantity | Fraction | None:
    """The body surface area as given, else its exact square by Mosteller, else ``None``.

    Mosteller's BSA is √(height cm × weight kg / 3600): its square, height × weight
    / 3600 in m⁴, is exact, so a limit per m² is compared by squares, never rounded.
    """
    if patient.bsa is not None:
        return patient.bsa
    height, weight = patient.height, patient.weight
    if height is None or weight is None:
        return None
    h_num, h_den = height.value.as_integer_ratio()
    w_num, w_den = weight.value.as_integer_ratio()
    h_factor, w_factor = height.unit.factor, weight.unit.factor
    return Fraction(
        h_num * h_factor.numerator * w_num * w_factor.numerator,
        h_den * h_factor.denominator * w_den * w_factor.denominator * 3600,
    )


_M2 = UNITS["m2"]


def _body_surface_area(book: FactBook) -> Fact:
    given = book["patient.bsa"]
    name = "patient.body_surface_area"
    if isinstance(given.value, Quantity):
        return Fact(name, given.value, (given,), "as given")
    height, weight = book["patient.height"], book["patient.weight"]
    method = "Mosteller: √(height cm × weight kg / 3600), compared exactly"
    square = body_surface_area(book.request.patient)
    if not isinstance(square, Fraction):
        return Fact(name, None, (given, height, weight), method)
    shown = Quantity(rounded(square.numerator, square.denominator, 4, root=True), _M2)
    return Fact(name, shown, (height, weight), method, exact_square=square)


def age_or_none(birth: dt.date | None, on: dt.date) -> int | None:
    """:func:`age_in_years`, or ``None`` without a birth date."""
    return None if birth is None else age_in_years(birth, on)


def lesions_injectable(lesions: tuple[Lesion, ...] | None) -> bool | None:
    """At least one lesion, and every one of an injectable site and status."""
    if lesions is None:
        return None
    return bool(lesions) and all(
        les.site in _LESION_SITES and les.status in _LESION_STATUSES for les in lesions
    )


def listed(names: tuple[str, ...] | None) -> int | None:
    """How many names a list holds (``None`` when the list is not given)."""
    return None if names is None else len(names)


def none_listed(names: tuple[str, ...] | None) -> bool | None:
    """True when a list given is empty (``None`` when it is not given)."""
    return None if names is None else not names


def any_transplant_center(consultants: tuple[Physician, ...] | None) -> bool | None:
    """Kleene "any": a consultant at a transplant center, none, or some not said."""
    if consultants is None:
        return None
    flags = [c.transplant_center for c in consultants]
    return True if True in flags else (None if None in flags else False)


def _lesions_injectable(book: FactBook) -> Fact:
    lesions = book.request.diagnosis.lesions
    source = Fact(
        "diagnosis.lesions",
        None
        if lesions is None
        else ", ".join(f"{les.status.value} {les.site.value}" for les in lesions) or "none",
    )
    return Fact(
        "diagnosis.lesions_injectable",
        lesions_injectable(lesions),
        (source,),
        "every listed lesion is metastatic, recurrent or unresectable and "
        "cutaneous, subcutaneous or nodal",
    )


def _names(name: str, names: tuple[str, ...] | None) -> Fact:
    return Fact(name, None if names is None else ", ".join(names) or "none")


def _prior_systemic_count(book: FactBook) -> Fact:
    names = book.request.therapy.prior_systemic
    return Fact(
        "therapy.prior_systemic_count",
        _count(listed(names), "{therapy}"),
        (_names("therapy.prior_systemic", names),),
        "number of therapies listed",
    )


def _single_agent(book: FactBook) -> Fact:
    names = book.request.therapy.concomitant_anticancer
    return Fact(
        "therapy.single_agent",
        none_listed(names),
        (_names("therapy.concomitant_anticancer", names),),
        "no concomitant anticancer therapy is listed",
    )


def _consultants(book: FactBook) -> Fact:
    consultants = book.request.consultants
    shown = None
    if consultants is not None:
        shown = (
            "; ".join(
                f"{_enum_value(c.specialty) or 'specialty missing'}"
                + (", transplant center" if c.transplant_center else "")
                for c in consultants
            )
            or "none"
        )
    return Fact("consultants", shown)


_SPECIALTIES = "the specialties of the physicians consulted (those given, when some are not)"


def specialties(consultants: tuple[Physician, ...] | None) -> Partial | None:
    """The specialties given, and whether some consultant's is not (the set is partial)."""
    if consultants is None:
        return None
    known = frozenset(str(c.specialty._value_) for c in consultants if c.specialty is not None)
    return known, any(c.specialty is None for c in consultants)


def _consultant_specialties(book: FactBook) -> Fact:
    found = specialties(book.request.consultants)
    if found is None:
        return Fact("consultants.specialties", None, (book["consultants"],), _SPECIALTIES)
    known, partial = found
    return Fact(
        "consultants.specialties", known, (book["consultants"],), _SPECIALTIES, None, partial
    )


def _consultant_transplant_center(book: FactBook) -> Fact:
    return Fact(
        "consultants.transplant_center",
        any_transplant_center(book.request.consultants),
        (book["consultants"],),
        "any physician consulted is associated with a transplant center",
    )


#: The facts read straight from a request, by name: the attribute path to each.
#: Enum values are read as their text; counts as quantities in the fact's unit.
PATHS: dict[str, str] = {
    "request.date": "date",
    "patient.birth_date": "patient.birth_date",
    "patient.weight": "patient.weight",
    "patient.height": "patient.height",
    "patient.bsa": "patient.bsa",
    "diagnosis.condition": "diagnosis.condition",
    "diagnosis.metastatic": "diagnosis.metastatic",
    "diagnosis.unresectable": "diagnosis.unresectable",
    "diagnosis.steroid_refractory": "diagnosis.steroid_refractory",
    "therapy.systemic_corticosteroids": "therapy.systemic_corticosteroids",
    "prescriber.specialty": "prescriber.specialty",
    "prescriber.transplant_center": "prescriber.transplant_center",
    "regimen.route": "regimen.route",
    "regimen.dose": "regimen.dose",
    "regimen.frequency": "regimen.frequency",
    "regimen.doses_per_cycle": "regimen.doses_per_cycle",
    "regimen.cycles_per_course": "regimen.cycles_per_course",
    "regimen.rest_between_cycles": "regimen.rest_between_cycles",
    "regimen.course_number": "regimen.course_number",
    "regimen.rest_before_course": "regimen.rest_before_course",
}

#: The read facts that count something (an int in the request): their unit.
COUNTED = {
    "regimen.doses_per_cycle": "{dose}",
    "regimen.cycles_per_course": "{cycle}",
    "regimen.course_number": "{course}",
}


def _getter(name: str) -> Callable[[Request], Value | None]:
    get = operator.attrgetter(PATHS[name])
    if FACTS[name].type == "enum":
        return lambda request: _enum_value(get(request))
    if name in COUNTED:
        unit_code = COUNTED[name]
        return lambda request: _count(get(request), unit_code)
    return get


#: Derived facts whose value is a function of request attributes alone: the paths of
#: its inputs and the function (the readers above call the same functions). A count
#: or an age is its number, in the fact's unit.
VALUES: dict[str, tuple[tuple[str, ...], Callable[..., Value | int | Partial | None]]] = {
    "patient.age": (("patient.birth_date", "date"), age_or_none),
    "diagnosis.lesions_injectable": (("diagnosis.lesions",), lesions_injectable),
    "therapy.prior_systemic_count": (("therapy.prior_systemic",), listed),
    "therapy.single_agent": (("therapy.concomitant_anticancer",), none_listed),
    "consultants.specialties": (("consultants",), specialties),
    "consultants.transplant_center": (("consultants",), any_transplant_center),
}


#: The request attributes each fact is read or derived from: a fact (its value, its
#: inputs, its words) is a function of these alone. Every fact has its entry.
SOURCES: dict[str, tuple[str, ...]] = {
    **{name: (path,) for name, path in PATHS.items()},
    **{name: paths for name, (paths, _) in VALUES.items()},
    "patient.body_surface_area": ("patient.bsa", "patient.height", "patient.weight"),
    "regimen.dose_per_kg": ("regimen.dose", "patient.weight"),
    "regimen.dose_per_m2": ("regimen.dose", "patient.bsa", "patient.height", "patient.weight"),
    **{name: (name,) for name in ("diagnosis.lesions", "therapy.prior_systemic")},
    **{name: (name,) for name in ("therapy.concomitant_anticancer", "consultants")},
}

#: How each fact is read from a request or derived from other facts.
READERS: dict[str, Reader] = {
    **{name: _read(name, _getter(name)) for name in PATHS},
    "patient.age": _age,
    "patient.body_surface_area": _body_surface_area,
    "diagnosis.lesions_injectable": _lesions_injectable,
    "therapy.prior_systemic_count": _prior_systemic_count,
    "therapy.single_agent": _single_agent,
    "consultants": _consultants,
    "consultants.specialties": _consultant_specialties,
    "consultants.transplant_center": _consultant_transplant_center,
}
