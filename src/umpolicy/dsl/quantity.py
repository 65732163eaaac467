"""Exact quantities: a decimal value built from its text, and a unit.

Limits are compared exactly: values are :class:`~decimal.Decimal` built from the
given decimal text (a binary float is refused), and comparisons across units
cross-multiply by the units' rational factors in a context that traps any rounding.
"""

from __future__ import annotations

import decimal
import math
import re
from decimal import Decimal
from fractions import Fraction

from attrs import field, frozen

from umpolicy.dsl.units import Unit, unit
from umpolicy.errors import shown

#: Arithmetic for comparisons: wide enough for any validated input, and any
#: rounding raises instead of silently moving a boundary.
EXACT = decimal.Context(
    prec=200,
    Emax=10**6,
    Emin=-(10**6),
    traps=[decimal.Inexact, decimal.InvalidOperation, decimal.Overflow, decimal.DivisionByZero],
)


#: Decimal text as people write it: ASCII digits, an optional point and exponent.
#: Python's Decimal also reads "1_000" and non-ASCII digits; a request must not.
DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


#: The most digits, and the widest exponent, a decimal may have: far beyond any dose,
#: weight or limit, and small enough that no comparison or text of it is costly
#: (``1e999999999`` would be written out as a billion digits).
MAX_DIGITS = 40
MAX_EXPONENT = 40

#: Why a number past those bounds is refused, after the number: one wording.
OUT_OF_RANGE = (
    f"is out of range: at most {MAX_DIGITS} digits and an exponent "
    f"from -{MAX_EXPONENT} to {MAX_EXPONENT}"
)

#: How long text of ASCII digits and at most one point may be to be within every bound
#: as it stands: no more digits than characters, an exponent from minus as many to 0.
_PLAIN_LENGTH = min(MAX_DIGITS, MAX_EXPONENT)


#: Why a binary float is refused, and how to read JSON numbers exactly instead.
FLOAT_REFUSED = (
    'a float is not an exact decimal; give decimal text such as "70.5", parse JSON text '
    "with json.loads(text, parse_float=decimal.Decimal) (as umpolicy.loads does), or pass "
    "the JSON text itself to umpolicy.api.evaluate"
)


def to_decimal(value: object) -> Decimal:
    """A finite decimal from decimal text, an int or a Decimal; never a binary float.

    Its digits and exponent are bounded (:data:`MAX_DIGITS`, :data:`MAX_EXPONENT`)
    before anything else reads it, zero included.
    """
    if type(value) is str and len(value) <= _PLAIN_LENGTH:
        unpointed = value.replace(".", "", 1)
        if unpointed.isdigit() and unpointed.isascii():  # most numbers: read as they stand
            return Decimal(value)
    if isinstance(value, float):
        raise ValueError(FLOAT_REFUSED)
    if isinstance(value, bool):
        raise ValueError('a bool is not a decimal number; give decimal text such as "70.5"')
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value  # as given: no white space of any kind around a number
        if len(text) > 2 * MAX_DIGITS:
            raise ValueError(f"{shown(value)} is too long for a number ({MAX_DIGITS} digits)")
        try:
            number = Decimal(text)
        except decimal.InvalidOperation:
            raise ValueError(f"{shown(value)} is not a decimal number") from None
    else:
        raise ValueError(f"expected decimal text, got {type(value).__name__}")
    if not number.is_finite():
        raise ValueError(f"{shown(value)} is not a finite number")
    if isinstance(value, str) and not DECIMAL_TEXT.fullmatch(value):
        raise ValueError(f"{shown(value)} is not plain decimal text (ASCII digits, no separators)")
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite
    if len(digits) > MAX_DIGITS or not -MAX_EXPONENT <= exponent <= MAX_EXPONENT:
        raise ValueError(f"{shown(value)} {OUT_OF_RANGE}")
    return number


def rounded(num: int, den: int, places: int, *, root: bool = False) -> Decimal:
    """``num / den`` (or its square root) to ``places`` decimals, rounded half to even.

    For display only; computed in integers, so the true value is rounded once (a
    decimal context would round it twice: to its precision, then to the places).
    ``num`` is at least 0 and ``den`` more than 0.
    """
    scale = 10**places
    if root:  # ⌊√x⌋ of x = num/den × scale², then x against (⌊√x⌋ + ½)²
        whole = math.isqrt(num * scale * scale // den)
        beyond_half = 4 * num * scale * scale - (2 * whole + 1) ** 2 * den
    else:
        whole, rest = divmod(num * scale, den)
        beyond_half = 2 * rest - den
    if beyond_half > 0 or (beyond_half == 0 and whole % 2):
        whole += 1
    return Decimal(f"{whole}E-{places}")


def _to_unit(value: Unit | str) -> Unit:
    return value if isinstance(value, Unit) else unit(value)


def format_decimal(value: Decimal, grouping: bool = False) -> str:
    """Plain positional text for a decimal (no exponent), optionally grouped by thousands.

    ``Decimal.__str__`` writes a decimal positionally, as ``f`` formatting does, unless
    it uses an exponent (``6E+5``, ``1E-7``): it is taken when it does not, at a third of
    the cost.
    """
    if grouping:
        text = f"{value:,f}"
    else:
        text = Decimal.__str__(value)  # not a subclass's own __str__
        if "E" in text:
            text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@frozen(repr=False)
class Quantity:
    """A decimal value with an explicit unit, e.g. ``Quantity("600000", "[iU]/kg")``."""

    value: Decimal = field(converter=to_decimal)
    unit: Unit = field(converter=_to_unit)

    def __repr__(self) -> str:
        text = format_decimal(self.value)
        if len(text.lstrip("-").partition(".")[0]) > MAX_DIGITS:  # 1E+40 has 41 written out
            text = Decimal.__str__(self.value)
        return f"Quantity({text!r}, {self.unit.code!r})"

    @classmethod
    def exact(cls, value: Decimal, unit: Unit) -> Quantity:
        """A quantity the engine worked out itself (an age, a count, a dose per kg).

        Its value is already an exact, bounded decimal and its unit a unit, so the
        checks that text from a request must pass are not made again.
        """
        made = object.__new__(cls)
        object.__setattr__(made, "value", value)
        object.__setattr__(made, "unit", unit)
        return made

    def __str__(self) -> str:
        return f"{format_decimal(self.value)} {self.unit.code}"

    def display(self) -> str:
        """The quantity for people: grouped digits and the unit's name."""
        return f"{format_decimal(self.value, grouping=True)} {self.unit.name_for(self.value)}"

    def to(self, target: Unit | str) -> Quantity:
        """The quantity in another unit of the same dimension, exactly when finite.

        Units of different dimensions never convert (International Units and mg among
        them): ``ValueError``. The result is worked out, not read from a request, so the
        bounds on a request's text do not apply to it: a millionth of a microgram in pounds
        has an exponent past :data:`MAX_EXPONENT`, and is still that many pounds.
        """
        target = _to_unit(target)
        if target.dimension != self.unit.dimension:
            raise ValueError(f"cannot convert {self.unit.code} to {target.code}")
        return Quantity.exact(_scaled(self.value, self.unit.factor / target.factor), target)


def _scaled(value: Decimal, factor: Fraction) -> Decimal:
    """``value × factor`` exactly when it has a finite decimal form, else to 28 digits."""
    product = EXACT.multiply(value, factor.numerator)
    try:
        return EXACT.divide(product, factor.denominator).normalize(EXACT)
    except decimal.Inexact:
        return decimal.Context(prec=28).divide(product, factor.denominator)


def ratio(value: Quantity) -> tuple[int, int]:
    """The value in its dimension's base unit as a numerator and a positive denominator.

    Every exact comparison of quantities is made on these integers, by
    cross-multiplication (:func:`sign`): no rounding can move a boundary.
    """
    num, den = value.value.as_integer_ratio()
    up, down = value.unit.terms
    return num * up, den * down


def sign(left: int, right: int) -> int:
    """-1, 0 or 1 as ``left`` is less than, equal to or greater than ``right``."""
    return (left > right) - (left < right)


def compare(a: Quantity, b: Quantity) -> int:
    """-1, 0 or 1 as ``a`` is less than, equal to or greater than ``b`` (same dimension)."""
    if a.unit.dimension != b.unit.dimension:
        raise ValueError(f"cannot compare {a.unit.code} with {b.unit.code}")
    (an, ad), (bn, bd) = ratio(a), ratio(b)
    return sign(an * bd, bn * ad)
