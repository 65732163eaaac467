"""Units of measure, named by their UCUM codes, with exact conversion factors.

Every quantity in a request, a limit or a trail carries one of these units. Two units
convert only within one dimension, by an exact rational factor: International Units
and milligrams are different dimensions, so they never convert into each other (a
policy states each limit in its own unit).

A unit is an *atom* of :data:`ATOMS` (``kg``, ``[iU]``, ``wk``), a UCUM annotation
counting something (``{dose}``, ``{therapy}``: any word in braces), a rate (``/d``,
``/(4.wk)``: once every 4 weeks), or an amount per basis (``mg/kg``, ``[iU]/m2``,
``10*6.[iU]/{site}``). So a policy names the units it needs in its own words, and
the engine knows none of a particular drug's.
"""

from __future__ import annotations

import functools
import re
from fractions import Fraction

from attrs import field, frozen

from umpolicy.errors import shown


@frozen(repr=False)
class Unit:
    """A unit: its UCUM code, a name for people, its dimension and exact factor to the base.

    ``dimension`` is what the unit measures (``mass``, ``mass/mass``, ``1/time``,
    ``{dose}``); units convert only within one. ``factor`` takes a value to the
    dimension's base unit (kg, cm, m², [iU], days; a quotient of bases for a compound).
    """

    code: str
    name: str
    dimension: str
    factor: Fraction
    singular: str | None = None
    #: ``factor`` as its numerator and denominator, read once: every exact comparison
    #: of a quantity cross-multiplies by them (:func:`umpolicy.dsl.quantity.ratio`).
    terms: tuple[int, int] = field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "terms", (self.factor.numerator, self.factor.denominator))

    def name_for(self, count: object) -> str:
        """The unit's name, in the singular for a count of exactly one."""
        return self.singular if self.singular is not None and count == 1 else self.name

    def __repr__(self) -> str:
        return f"unit({self.code!r})"


@frozen
class _Atom:
    name: str
    dimension: str
    factor: Fraction
    singular: str | None = None


def _atom(
    name: str, dimension: str, factor: Fraction | int = 1, singular: str | None = None
) -> _Atom:
    return _Atom(name, dimension, Fraction(factor), singular)


_DAYS_PER_YEAR = Fraction("365.25")  # UCUM's mean Julian year
#: The atoms, by UCUM code: amounts, body sizes and times, with factors to the base.
ATOMS: dict[str, _Atom] = {
    "[iU]": _atom("International Units", "iu"),
    "10*6.[iU]": _atom("million International Units", "iu", 10**6),
    "kg": _atom("kg", "mass"),
    "g": _atom("g", "mass", Fraction(1, 1000)),
    "mg": _atom("mg", "mass", Fraction(1, 10**6)),
    "ug": _atom("µg", "mass", Fraction(1, 10**9)),
    "[lb_av]": _atom("lb", "mass", Fraction("0.45359237")),
    "cm": _atom("cm", "length"),
    "m": _atom("m", "length", 100),
    "[in_i]": _atom("in", "length", Fraction("2.54")),
    "m2": _atom("m²", "area"),
    "h": _atom("hours", "time", Fraction(1, 24), "hour"),
    "d": _atom("days", "time", 1, "day"),
    "wk": _atom("weeks", "time", 7, "week"),
    "mo": _atom("months", "time", _DAYS_PER_YEAR / 12, "month"),
    "a": _atom("years", "time", _DAYS_PER_YEAR, "year"),
}

#: What a rate's period reads as: ``/d`` is "times daily".
_RATE_WORDS = {"h": "hourly", "d": "daily", "wk": "weekly", "mo": "monthly", "a": "yearly"}
#: Amounts that may stand over a basis (``mg/kg``), and bases they may stand over.
_AMOUNTS = ("[iU]", "10*6.[iU]", "mg", "ug", "g")
_BASES = ("kg", "m2")
_ANNOTATION = re.compile(r"\{([a-z][a-z _-]{0,30})\}")
_EVERY = re.compile(r"/\(([1-9][0-9]?)\.(h|d|wk|mo)\)")


def _plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + ("es" if word.endswith(("s", "x", "ch", "sh")) else "s")


def _parse(code: str) -> Unit | None:
    """The unit a UCUM code names, or ``None`` when it is not one umpolicy reads."""
    atom = ATOMS.get(code)
    if atom is not None:
        return Unit(code, atom.name, atom.dimension, atom.factor, atom.singular)
    counted = _ANNOTATION.fullmatch(code)
    if counted:
        word = counted.group(1)
        return Unit(code, _plural(word), code, Fraction(1), word)
    if code.startswith("/") and code[1:] in _RATE_WORDS:
        period = ATOMS[code[1:]]
        words = _RATE_WORDS[code[1:]]
        return Unit(code, f"times {words}", "1/time", 1 / period.factor, f"time {words}")
    every = _EVERY.fullmatch(code)
    if every:
        count, atom_code = int(every.group(1)), every.group(2)
        period = ATOMS[atom_code]
        span = f"every {count} {period.name}"
        return Unit(code, f"times {span}", "1/time", 1 / (count * period.factor), f"time {span}")
    top, slash, bottom = code.partition("/")
    if slash and top in _AMOUNTS:
        amount = ATOMS[top]
        if bottom in _BASES:
            basis = ATOMS[bottom]
            return Unit(
                code,
                f"{amount.name}/{basis.name}",
                f"{amount.dimension}/{basis.dimension}",
                amount.factor / basis.factor,
            )
        per = _ANNOTATION.fullmatch(bottom)
        if per:
            name = f"{amount.name} per {per.group(1)}"
            return Unit(code, name, f"{amount.dimension}/{bottom}", amount.factor)
    return None


#: How many unit codes are kept once read: far more than any plan's requests use, and a
#: bound, since each request may bring a code of its own (``{anything}``).
_KEPT = 1024


@functools.lru_cache(maxsize=_KEPT)
def _cached(code: str) -> Unit | None:
    return _parse(code)


def unit(code: str) -> Unit:
    """The unit with this UCUM code; ``ValueError`` says which codes are read otherwise."""
    found = _cached(code) if isinstance(code, str) and len(code) <= 40 else None
    if found is None:
        atoms = ", ".join(ATOMS)
        raise ValueError(
            f"unknown unit {shown(code)}; umpolicy reads the UCUM codes {atoms}, counts such as "
            "{dose}, rates such as /d or /(4.wk), and amounts per kg, m2 or {count}"
        )
    return found


#: How people often write a unit that UCUM spells otherwise, by case-folded text: the
#: source of "did you mean" in an unknown unit's error (``IU`` → ``[iU]``, ``lb`` →
#: ``[lb_av]``). A code of :data:`ATOMS` in another case needs no entry (``[IU]``, ``KG``).
ALIASES = {
    **dict.fromkeys(("iu", "[iu_i]"), "[iU]"),
    **dict.fromkeys(("miu", "million iu", "10^6 iu", "10^6iu", "10*6iu", "10*6 iu"), "10*6.[iU]"),
    **dict.fromkeys(("10*6.iu", "10^6.iu", "10^6.[iu]", "10^6[iu]", "10*6[iu]"), "10*6.[iU]"),
    **dict.fromkeys(("lb", "lbs", "pound", "pounds", "[lb]"), "[lb_av]"),
    **dict.fromkeys(("mcg", "µg", "μg", "microgram", "micrograms"), "ug"),
    **dict.fromkeys(("kgs", "kilo", "kilos", "kilogram", "kilograms"), "kg"),
    **dict.fromkeys(("gm", "gms", "gram", "grams"), "g"),
    **dict.fromkeys(("milligram", "milligrams"), "mg"),
    **dict.fromkeys(("in", "inch", "inches", "[in]"), "[in_i]"),
    **dict.fromkeys(("m^2", "m²", "sqm", "sq m", "m 2"), "m2"),
    **dict.fromkeys(("hr", "hrs", "hour", "hours"), "h"),
    **dict.fromkeys(("day", "days"), "d"),
    **dict.fromkeys(("w", "wks", "week", "weeks"), "wk"),
    **dict.fromkeys(("mon", "mos", "month", "months"), "mo"),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), "a"),
}
_FOLDED = {code.casefold(): code for code in ATOMS}
_EVERY_LOOSE = re.compile(r"\(\s*([1-9][0-9]?)\s*[. *]?\s*([a-z]+)\s*\)")


def _respelled(part: str) -> str | None:
    """One part of a unit (an amount, a basis, a period) as UCUM spells it, if recognised."""
    folded = " ".join(part.split()).casefold()
    if folded in _FOLDED:
        return _FOLDED[folded]
    if folded in ALIASES:
        return ALIASES[folded]
    if _ANNOTATION.fullmatch(folded):
        return folded
    every = _EVERY_LOOSE.fullmatch(folded)
    if every:
        period = _respelled(every.group(2))
        return f"({every.group(1)}.{period})" if period else None
    return None


def suggestion(code: object) -> str | None:
    """The unit umpolicy reads that ``code`` was most likely meant as, or ``None``.

    Each part of ``amount/basis`` (or ``/period``) is respelled on its own, by case
    (``[IU]`` → ``[iU]``) and by :data:`ALIASES` (``mcg`` → ``ug``, ``m^2`` → ``m2``,
    ``/day`` → ``/d``); the result is suggested only when it is a unit umpolicy reads.
    """
    if not isinstance(code, str) or len(code) > 40:
        return None
    top, slash, bottom = code.partition("/")
    parts = [_respelled(top) if top.strip() else ""]
    if slash:
        parts.append(_respelled(bottom))
    if None in parts:
        return None
    guess = "/".join(part or "" for part in parts)
    return guess if guess != code and _cached(guess) is not None else None
