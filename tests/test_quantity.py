"""Exact quantities: decimal text in, exact comparisons across units."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from umpolicy import AtMost, Quantity, Unit
from umpolicy.dsl.quantity import (
    FLOAT_REFUSED,
    MAX_DIGITS,
    MAX_EXPONENT,
    compare,
    format_decimal,
    rounded,
    to_decimal,
)
from umpolicy.dsl.units import ATOMS, unit

#: Every kind of unit umpolicy reads: the atoms, rates, amounts per basis, and counts.
UNITS = {
    code: unit(code)
    for code in (
        *ATOMS,
        "/h",
        "/d",
        "/wk",
        "/mo",
        "/a",
        "/(4.wk)",
        "/(12.h)",
        "[iU]/kg",
        "10*6.[iU]/kg",
        "mg/kg",
        "ug/kg",
        "[iU]/m2",
        "10*6.[iU]/m2",
        "mg/m2",
        "[iU]/{lesion}",
        "10*6.[iU]/{lesion}",
        "{dose}",
        "{therapy}",
    )
}

VALUES = st.decimals(allow_nan=False, allow_infinity=False, places=6).filter(
    lambda d: abs(d) < 10**12
)


def _bounded(value: Decimal) -> bool:
    """Whether a quantity holds the value: at most 40 digits, an exponent within ±40."""
    _, digits, exponent = value.as_tuple()
    return len(digits) <= MAX_DIGITS and -MAX_EXPONENT <= int(exponent) <= MAX_EXPONENT


SAME_DIMENSION = st.sampled_from(list(UNITS.values())).flatmap(
    lambda u: st.tuples(
        st.just(u), st.sampled_from([v for v in UNITS.values() if v.dimension == u.dimension])
    )
)


def _terminates(value: Fraction) -> bool:
    """True when the fraction has a finite decimal form."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def _exact(q: Quantity) -> Fraction:
    return Fraction(q.value) * q.unit.factor


class TestToDecimal:
    """Decimals come from decimal text, ints or Decimals; floats, bools and non-finite fail."""

    @pytest.mark.parametrize(
        ("given", "expected"),
        [("70.5", "70.5"), (3, "3"), (Decimal("0.037"), "0.037")],
    )
    def test_accepts(self, given: object, expected: str) -> None:
        assert to_decimal(given) == Decimal(expected)

    @pytest.mark.parametrize(
        ("given", "message"),
        [
            (70.5, FLOAT_REFUSED),
            (True, 'a bool is not a decimal number; give decimal text such as "70.5"'),
            ("seventy", "'seventy' is not a decimal number"),
            ("", "'' is not a decimal number"),
            ("NaN", "'NaN' is not a finite number"),
            ("-Infinity", "'-Infinity' is not a finite number"),
            (Decimal("sNaN"), "sNaN is not a finite number"),
            ("1_000", "'1_000' is not plain decimal text (ASCII digits, no separators)"),
            ("٥", "'٥' is not plain decimal text (ASCII digits, no separators)"),
            (None, "expected decimal text, got NoneType"),
            ([1], "expected decimal text, got list"),
        ],
    )
    def test_rejects(self, given: object, message: str) -> None:
        with pytest.raises(ValueError, match=r"^") as info:
            to_decimal(given)
        assert str(info.value) == message

    @given(st.floats(allow_nan=True))
    def test_every_float_is_refused(self, value: float) -> None:
        with pytest.raises(ValueError, match=re.escape(FLOAT_REFUSED)):
            Quantity(value, "kg")

    @given(VALUES)
    def test_text_round_trip(self, value: Decimal) -> None:
        assert to_decimal(format_decimal(value)) == value


class TestFormatDecimal:
    """Decimals print positionally, trailing zeros dropped, optionally grouped."""

    @pytest.mark.parametrize(
        ("value", "grouping", "text"),
        [
            ("600000", False, "600000"),
            ("600000", True, "600,000"),
            ("6E+5", False, "600000"),
            ("0.0370", False, "0.037"),
            ("1.000", False, "1"),
            ("1E-7", False, "0.0000001"),
            ("1234567.50", True, "1,234,567.5"),
            ("0", False, "0"),
            ("0E-10", False, "0"),
            ("-0", False, "-0"),
            ("0.000001", False, "0.000001"),
        ],
    )
    def test_table(self, value: str, grouping: bool, text: str) -> None:
        assert format_decimal(Decimal(value), grouping=grouping) == text

    def test_a_subclass_is_written_by_its_digits(self) -> None:
        class Shown(Decimal):
            def __str__(self) -> str:
                return "42"

        assert format_decimal(Shown("1.50")) == "1.5"


class TestQuantityRepr:
    """repr is the expression that rebuilds the quantity; str and display are for people."""

    def test_exact_repr(self) -> None:
        assert repr(Quantity("600000", "[iU]/kg")) == "Quantity('600000', '[iU]/kg')"
        assert repr(Quantity("6E+5", "[iU]/kg")) == "Quantity('600000', '[iU]/kg')"

    def test_check_repr(self) -> None:
        check = AtMost("medication.dose", Quantity("600000", "[iU]/kg"), Quantity("0.037", "mg/kg"))
        assert repr(check) == (
            "AtMost('medication.dose', Quantity('600000', '[iU]/kg'), Quantity('0.037', 'mg/kg'))"
        )
        assert eval(repr(check)) == check

    @given(VALUES, st.sampled_from(list(UNITS)))
    def test_eval_repr(self, value: Decimal, code: str) -> None:
        quantity = Quantity(value, code)
        assert eval(repr(quantity)) == quantity

    @given(
        st.decimals(allow_nan=False, allow_infinity=False).filter(_bounded),
        st.sampled_from(list(UNITS)),
    )
    def test_eval_repr_whatever_its_exponent(self, value: Decimal, code: str) -> None:
        """Every quantity's repr rebuilds it, up to the largest and smallest it can hold."""
        quantity = Quantity(value, code)
        assert eval(repr(quantity)) == quantity

    @pytest.mark.parametrize(
        ("value", "shown"),
        [
            ("1E+40", "1E+40"),
            ("-1E+40", "-1E+40"),
            ("1E+39", "1" + "0" * 39),
            ("1E-40", "0." + "0" * 39 + "1"),
        ],
    )
    def test_repr_at_the_bounds(self, value: str, shown: str) -> None:
        """Written out while it can be read back so; with its exponent past that."""
        assert repr(Quantity(value, "kg")) == f"Quantity({shown!r}, 'kg')"

    def test_str_and_display(self) -> None:
        assert str(Quantity("600000", "[iU]/kg")) == "600000 [iU]/kg"
        assert Quantity("600000", "[iU]/kg").display() == "600,000 International Units/kg"
        assert Quantity("1", "a").display() == "1 year"
        assert Quantity("2", "a").display() == "2 years"
        assert Quantity("1.0", "wk").display() == "1 week"

    def test_unit_object_accepted(self) -> None:
        assert Quantity("1", unit("kg")) == Quantity("1", "kg")

    def test_unknown_unit(self) -> None:
        with pytest.raises(
            ValueError, match=r"^unknown unit 'stone'; umpolicy reads the UCUM codes \[iU\]"
        ):
            Quantity("1", "stone")


class TestConversion:
    """Conversions within a dimension are exact whenever the result is a finite decimal."""

    def test_a_tiny_amount_in_a_large_unit(self) -> None:
        """A conversion is worked out, not read: it may need an exponent no request may give."""
        converted = Quantity("0.000001", "ug").to("[lb_av]")
        exponent = converted.value.as_tuple().exponent
        assert isinstance(exponent, int)
        assert exponent < -MAX_EXPONENT
        exact = Fraction(1, 10**15)  # kg, as the base unit reads a microgram's millionth
        assert abs(_exact(converted) - exact) <= exact / 10**26

    @pytest.mark.parametrize(
        ("quantity", "target", "expected"),
        [
            (Quantity("70", "kg"), "g", Quantity("70000", "g")),
            (Quantity("100", "[lb_av]"), "kg", Quantity("45.359237", "kg")),
            (Quantity("3", "/d"), "/wk", Quantity("21", "/wk")),
            (Quantity("3", "/wk"), "/d", Quantity("0.4285714285714285714285714286", "/d")),
            (Quantity("1", "/h"), "/d", Quantity("24", "/d")),
            (Quantity("7", "wk"), "d", Quantity("49", "d")),
            (Quantity("6", "10*6.[iU]"), "[iU]", Quantity("6000000", "[iU]")),
            (Quantity("600000", "[iU]/kg"), "10*6.[iU]/kg", Quantity("0.6", "10*6.[iU]/kg")),
            (Quantity("2", "m"), "cm", Quantity("200", "cm")),
            (Quantity("1", "a"), "a", Quantity("1", "a")),
        ],
    )
    def test_table(self, quantity: Quantity, target: str, expected: Quantity) -> None:
        assert quantity.to(target) == expected

    @pytest.mark.parametrize(
        ("a", "b"),
        [("mg", "[iU]"), ("[iU]/kg", "mg/kg"), ("kg", "d"), ("mg/kg", "mg"), ("/d", "d")],
    )
    def test_other_dimensions_never_convert(self, a: str, b: str) -> None:
        with pytest.raises(ValueError, match=r"^cannot convert") as info:
            Quantity("1", a).to(b)
        assert str(info.value) == f"cannot convert {a} to {b}"

    @given(VALUES, SAME_DIMENSION)
    def test_conversion_preserves_order(self, value: Decimal, units: tuple[Unit, Unit]) -> None:
        source, target = units
        quantity = Quantity(value, source)
        converted = quantity.to(target)
        exact = _exact(converted) == _exact(quantity)
        if exact:
            assert compare(quantity, converted) == 0
            assert compare(converted, quantity) == 0
        else:  # only a non-terminating decimal is rounded (e.g. /wk → /d, cm → [in_i])
            assert not _terminates(Fraction(value) * source.factor / target.factor)
            assert compare(quantity, converted) != 0
            assert abs(_exact(converted) - _exact(quantity)) <= abs(_exact(quantity)) / 10**26


class TestCompare:
    """compare is exact across units of one dimension and refuses other dimensions."""

    @pytest.mark.parametrize(
        ("a", "b", "sign"),
        [
            (Quantity("1", "kg"), Quantity("1000", "g"), 0),
            (Quantity("1", "kg"), Quantity("999.999", "g"), 1),
            (Quantity("0.45359237", "kg"), Quantity("1", "[lb_av]"), 0),
            (Quantity("0.45359236", "kg"), Quantity("1", "[lb_av]"), -1),
            (Quantity("3", "/d"), Quantity("21", "/wk"), 0),
            (Quantity("1", "/h"), Quantity("24", "/d"), 0),
            (Quantity("1", "/h"), Quantity("25", "/d"), -1),
            (Quantity("9", "d"), Quantity("1", "wk"), 1),
            (Quantity("49", "d"), Quantity("7", "wk"), 0),
            (Quantity("6", "10*6.[iU]"), Quantity("6000000", "[iU]"), 0),
            (Quantity("6", "10*6.[iU]"), Quantity("6000001", "[iU]"), -1),
        ],
    )
    def test_table(self, a: Quantity, b: Quantity, sign: int) -> None:
        assert compare(a, b) == sign
        assert compare(b, a) == -sign

    @given(VALUES, VALUES, SAME_DIMENSION)
    def test_agrees_with_fractions(self, a: Decimal, b: Decimal, units: tuple[Unit, Unit]) -> None:
        left, right = Quantity(a, units[0]), Quantity(b, units[1])
        expected = (_exact(left) > _exact(right)) - (_exact(left) < _exact(right))
        assert compare(left, right) == expected

    @pytest.mark.parametrize(
        ("a", "b"),
        [("[iU]", "mg"), ("[iU]/kg", "mg/kg"), ("kg", "m2"), ("/d", "d"), ("[iU]/kg", "[iU]")],
    )
    def test_other_dimensions_cannot_be_compared(self, a: str, b: str) -> None:
        with pytest.raises(ValueError, match=r"^") as info:
            compare(Quantity("1", a), Quantity("1", b))
        assert str(info.value) == f"cannot compare {a} with {b}"
        assert UNITS[a].dimension != UNITS[b].dimension


class TestUnits:
    """Units are looked up by UCUM code; each dimension's first unit is its base."""

    def test_unknown_code_names_the_known_ones(self) -> None:
        with pytest.raises(ValueError, match=r"^") as info:
            unit("mcg")
        assert str(info.value).startswith(
            f"unknown unit 'mcg'; umpolicy reads the UCUM codes {', '.join(ATOMS)}, counts"
        )

    def test_unhashable_code(self) -> None:
        with pytest.raises(ValueError, match=r"^unknown unit \['kg'\]"):
            unit(["kg"])  # type: ignore[arg-type]

    def test_repr_and_registry(self) -> None:
        assert repr(unit("[iU]/kg")) == "unit('[iU]/kg')"
        assert all(u.code == code for code, u in UNITS.items())

    def test_dimensions(self) -> None:
        assert {u.dimension for u in UNITS.values()} >= {
            "iu",
            "mass",
            "length",
            "area",
            "time",
            "1/time",
            "iu/mass",
            "mass/mass",
            "iu/area",
            "mass/area",
            "iu/{lesion}",
            "{dose}",
        }

    @pytest.mark.parametrize(
        ("code", "factor"),
        [
            ("kg", 1),
            ("mg", Fraction(1, 10**6)),
            ("mg/kg", Fraction(1, 10**6)),
            ("mg/m2", Fraction(1, 10**6)),
            ("[iU]/kg", 1),
            ("10*6.[iU]/m2", 10**6),
            ("cm", 1),
            ("d", 1),
        ],
    )
    def test_compound_factors_use_the_bases_of_their_parts(
        self, code: str, factor: Fraction | int
    ) -> None:
        """mg/kg is 1e-6 kg/kg, so mg ÷ kg compares with it exactly."""
        assert unit(code).factor == factor

    @pytest.mark.parametrize(
        ("code", "count", "name"),
        [("d", 1, "day"), ("d", 2, "days"), ("kg", 1, "kg"), ("{dose}", Decimal(1), "dose")],
    )
    def test_name_for(self, code: str, count: object, name: str) -> None:
        assert unit(code).name_for(count) == name


class TestRounded:
    """A ratio or its square root is shown rounded once, half to even, at the places asked."""

    @given(
        st.integers(min_value=0, max_value=10**40),
        st.integers(min_value=1, max_value=10**30),
        st.integers(min_value=0, max_value=12),
        st.booleans(),
    )
    def test_within_half_a_last_place_and_even_on_a_tie(
        self, num: int, den: int, places: int, root: bool
    ) -> None:
        shown = rounded(num, den, places, root=root)
        assert shown.as_tuple().exponent == -places
        value, half = Fraction(shown), Fraction(1, 2 * 10**places)
        x = Fraction(num, den)
        below, above = max(value - half, Fraction(0)), value + half
        if root:
            assert below * below <= x <= above * above
            tie = x in (below * below, above * above)
        else:
            assert below <= x <= above
            tie = x in (value - half, above)
        if tie:
            assert int(shown.scaleb(places)) % 2 == 0

    @pytest.mark.parametrize(
        ("num", "den", "places", "root", "expected"),
        [
            (1, 3, 4, False, "0.3333"),
            (2, 3, 4, False, "0.6667"),
            (5, 100, 1, False, "0.0"),  # 0.05: a tie, to the even 0.0
            (15, 100, 1, False, "0.2"),  # 0.15: a tie, to the even 0.2
            (2, 1, 4, True, "1.4142"),
            (225, 100, 0, True, "2"),  # √2.25 = 1.5: a tie, to the even 2
            (625, 100, 0, True, "2"),  # √6.25 = 2.5: a tie, to the even 2
            (30625, 10000, 1, True, "1.8"),  # √3.0625 = 1.75: a tie, to the even 1.8
        ],
    )
    def test_known_values(self, num: int, den: int, places: int, root: bool, expected: str) -> None:
        assert str(rounded(num, den, places, root=root)) == expected
