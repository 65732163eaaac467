"""The quantities of a request, and the units each one takes.

One table, :data:`QUANTITIES`, says what each quantity field measures: validation
enforces it, an unknown or wrong unit's error lists what the field takes (only that),
and the JSON Schema publishes the same list, so a weight given in years fails the
schema as it fails the request.

A field's units are every unit umpolicy reads whose dimension the field measures
(:attr:`Accepts.codes`), and, where a family is open-ended, a pattern: a frequency of
once every N periods (``/(4.wk)``), a dose per a counted unit (``10*6.[iU]/{site}``).
"""

from __future__ import annotations

import re

from attrs import frozen

from umpolicy.dsl.units import _AMOUNTS, _ANNOTATION, _BASES, _EVERY, _RATE_WORDS, ATOMS, Unit, unit
from umpolicy.dsl.units import suggestion as respelled
from umpolicy.errors import shown, suggestion

#: Every unit umpolicy reads that is not one of an open family: the atoms, the rates
#: per period, and each amount per kg or m², in that order.
READ: tuple[str, ...] = (
    *ATOMS,
    *(f"/{period}" for period in _RATE_WORDS),
    *(f"{amount}/{basis}" for basis in _BASES for amount in _AMOUNTS),
)
_EVERY_N = _EVERY.pattern
_PER_COUNT = "(?:" + "|".join(re.escape(a) for a in _AMOUNTS) + ")/" + _ANNOTATION.pattern


def _dimension_words(dimension: str) -> str:
    return dimension.replace("iu", "International Units")


@frozen
class Accepts:
    """What one quantity field measures (unit dimensions), and whether zero is allowed.

    ``per_count``: the field also takes an amount per a counted unit (a dose per site).
    """

    field: str
    dimensions: tuple[str, ...]
    zero_ok: bool
    per_count: bool = False

    def admits(self, given: Unit) -> bool:
        """True when the field takes this unit."""
        dimension = given.dimension
        return dimension in self.dimensions or (
            self.per_count and "{" in dimension and dimension.split("/")[0] in ("iu", "mass")
        )

    @property
    def codes(self) -> tuple[str, ...]:
        """The field's units that are not of an open family, in :data:`READ`'s order."""
        return tuple(code for code in READ if self.admits(unit(code)))

    @property
    def patterns(self) -> tuple[str, ...]:
        """Regular expressions of the open families the field takes too."""
        found = (_EVERY_N,) if "1/time" in self.dimensions else ()
        return found + ((_PER_COUNT,) if self.per_count else ())

    def listed(self) -> str:
        """The units as an error or a schema says them: ``kg, g, mg, ug, [lb_av]``."""
        text = ", ".join(self.codes)
        if "1/time" in self.dimensions:
            text += ", or once every N periods such as /(4.wk)"
        if self.per_count:
            text += ", or an amount per a counted unit such as 10*6.[iU]/{site}"
        return text

    def takes(self) -> str:
        """``patient.weight takes kg, g, mg, ug, [lb_av]``: the end of every unit error."""
        return f"{self.field} takes {self.listed()}"


_DOSE = ("iu", "mass", "iu/mass", "mass/mass", "iu/area", "mass/area")
#: Every quantity of a request, by its dotted path (list indices left out).
QUANTITIES: dict[str, Accepts] = {
    accepts.field: accepts
    for accepts in (
        Accepts("patient.weight", ("mass",), zero_ok=False),
        Accepts("patient.height", ("length",), zero_ok=False),
        Accepts("patient.bsa", ("area",), zero_ok=False),
        Accepts("medication.dose", _DOSE, zero_ok=False, per_count=True),
        Accepts("medication.frequency", ("1/time",), zero_ok=False),
        Accepts("medication.schedule.rest_between_cycles", ("time",), zero_ok=True),
        Accepts("medication.schedule.rest_before_course", ("time",), zero_ok=True),
        Accepts("therapies.time_on_drug", ("time",), zero_ok=True),
        Accepts("therapies.prior.duration", ("time",), zero_ok=True),
        Accepts("therapies.concomitant.duration", ("time",), zero_ok=True),
    )
}

_INDEX = re.compile(r"\[[0-9]+\]")


def accepts_at(path: str) -> Accepts | None:
    """The quantity at a JSON path (``$.therapies.prior[0].duration.unit``), if it is one."""
    field = _INDEX.sub("", path.removeprefix("$.")).removesuffix(".unit")
    return QUANTITIES.get(field)


def unknown_unit(code: object, path: str, error: ValueError) -> str:
    """Why ``code`` is not a unit, at ``path``: a suggestion, and what the field takes.

    The suggestion (``IU`` → ``[iU]``, ``lbs`` → ``[lb_av]``) is one the field takes;
    outside the request's quantities (a policy's limit) ``error``, the parser's own
    message, says what umpolicy reads.
    """
    accepts = accepts_at(path)
    guess = suggestion_for(code, accepts)
    head = f"unknown unit {shown(code)}"
    hint = f" (did you mean {guess!r}?)" if guess else ""
    if accepts is None:
        return head + hint + str(error).removeprefix(head)
    return f"{head}{hint}; {accepts.takes()}"


def suggestion_for(code: object, accepts: Accepts | None) -> str | None:
    """A unit the field takes that ``code`` was likely meant as: respelled, else the closest."""
    guess = respelled(code)
    if guess is not None and (accepts is None or accepts.admits(unit(guess))):
        return guess
    return suggestion(code, accepts.codes if accepts is not None else READ)


def wrong_unit(given: Unit, accepts: Accepts) -> str:
    """Why a unit umpolicy reads is not one this field takes."""
    what = _dimension_words(given.dimension)
    return f"unit {given.code!r} measures {what}; {accepts.takes()}"


__all__ = ["QUANTITIES", "READ", "Accepts", "accepts_at", "unknown_unit", "wrong_unit"]
