"""Units of measure, named by their UCUM codes, with exact conversion factors.

Every quantity in a request, a limit or a trail carries one of these units. Two units
convert only within one dimension, by an exact rational factor: International Units
and milligrams are different dimensions, so they never convert into each other (the
policy states each limit in its own unit).
"""

from __future__ import annotations

import enum
from fractions import Fraction

from attrs import frozen


class Dimension(enum.Enum):
    """What a unit measures; units convert only within one dimension."""

    AGE = "age"
    AMOUNT_IU = "amount of drug in International Units"
    MASS = "mass"
    LENGTH = "length"
    AREA = "area"
    IU_PER_MASS = "International Units per kilogram of body weight"
    MASS_PER_MASS = "milligrams per kilogram of body weight"
    IU_PER_AREA = "International Units per square metre of body surface area"
    MASS_PER_AREA = "milligrams per square metre of body surface area"
    IU_PER_LESION = "International Units per lesion"
    FREQUENCY = "frequency"
    DURATION = "duration"
    DOSES = "number of doses"
    THERAPIES = "number of therapies"
    CYCLES = "number of cycles"
    COURSES = "course number"


@frozen(repr=False)
class Unit:
    """A unit: its UCUM code, a name for people, and its exact factor to the base."""

    code: str
    name: str
    dimension: Dimension
    factor: Fraction
    singular: str | None = None

    def name_for(self, count: object) -> str:
        """The unit's name, in the singular for a count of exactly one."""
        return self.singular if self.singular is not None and count == 1 else self.name

    def __repr__(self) -> str:
        return f"unit({self.code!r})"


def _unit(
    code: str,
    name: str,
    dimension: Dimension,
    factor: Fraction | int = 1,
    singular: str | None = None,
) -> Unit:
    return Unit(code, name, dimension, Fraction(factor), singular)


_MILLION = 10**6

#: Every unit umpolicy knows, by UCUM code, with its factor to the base: kg, cm, [iU],
#: days, and for a compound unit the quotient of its parts' bases (mg/kg → kg/kg).
UNITS: dict[str, Unit] = {
    u.code: u
    for u in (
        _unit("a", "years", Dimension.AGE, singular="year"),
        _unit("[iU]", "International Units", Dimension.AMOUNT_IU),
        _unit("10*6.[iU]", "million International Units", Dimension.AMOUNT_IU, _MILLION),
        _unit("kg", "kg", Dimension.MASS),
        _unit("g", "g", Dimension.MASS, Fraction(1, 1000)),
        _unit("mg", "mg", Dimension.MASS, Fraction(1, 10**6)),
        _unit("[lb_av]", "lb", Dimension.MASS, Fraction("0.45359237")),
        _unit("cm", "cm", Dimension.LENGTH),
        _unit("m", "m", Dimension.LENGTH, 100),
        _unit("[in_i]", "in", Dimension.LENGTH, Fraction("2.54")),
        _unit("m2", "m²", Dimension.AREA),
        _unit("[iU]/kg", "International Units/kg", Dimension.IU_PER_MASS),
        _unit("10*6.[iU]/kg", "million International Units/kg", Dimension.IU_PER_MASS, _MILLION),
        # mg/kg and mg/m2 are factors to kg/kg and kg/m2, so that an absolute dose in mg
        # (whose base is kg) divided by a weight or area compares with them exactly.
        _unit("mg/kg", "mg/kg", Dimension.MASS_PER_MASS, Fraction(1, 10**6)),
        _unit("[iU]/m2", "International Units/m²", Dimension.IU_PER_AREA),
        _unit("10*6.[iU]/m2", "million International Units/m²", Dimension.IU_PER_AREA, _MILLION),
        _unit("mg/m2", "mg/m²", Dimension.MASS_PER_AREA, Fraction(1, 10**6)),
        _unit("[iU]/{lesion}", "International Units per lesion", Dimension.IU_PER_LESION),
        _unit(
            "10*6.[iU]/{lesion}",
            "million International Units per lesion",
            Dimension.IU_PER_LESION,
            _MILLION,
        ),
        _unit("/d", "times daily", Dimension.FREQUENCY, singular="time daily"),
        _unit("/wk", "times weekly", Dimension.FREQUENCY, Fraction(1, 7), "time weekly"),
        _unit("/h", "times hourly", Dimension.FREQUENCY, 24),
        _unit("d", "days", Dimension.DURATION, singular="day"),
        _unit("wk", "weeks", Dimension.DURATION, 7, "week"),
        _unit("{dose}", "doses", Dimension.DOSES, singular="dose"),
        _unit("{therapy}", "therapies", Dimension.THERAPIES, singular="therapy"),
        _unit("{cycle}", "cycles", Dimension.CYCLES, singular="cycle"),
        _unit("{course}", "(course number)", Dimension.COURSES),
    )
}


def unit(code: str) -> Unit:
    """The unit with this UCUM code; ``ValueError`` names the known codes otherwise."""
    try:
        return UNITS[code]
    except (KeyError, TypeError):
        known = ", ".join(UNITS)
        raise ValueError(f"unknown unit {code!r}; known units: {known}") from None
