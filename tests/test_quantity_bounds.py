"""The documented bounds on a number: 40 digits, an exponent from -40 to 40, 80 characters.

A request's numbers, and a policy's limits, are read by :func:`to_decimal`. The limits
page of the docs promises these bounds; each is tested at the bound and one past it,
and over the range around it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from umpolicy import Quantity
from umpolicy.dsl.quantity import MAX_DIGITS, MAX_EXPONENT, to_decimal
from umpolicy.errors import shown

OUT_OF_RANGE = "is out of range: at most 40 digits and an exponent from -40 to 40"


class TestDocumentedValues:
    """The bounds are the ones the limits page prints: 40 digits, exponents -40 to 40."""

    def test_values(self) -> None:
        assert (MAX_DIGITS, MAX_EXPONENT) == (40, 40)


class TestDigits:
    """A number of 40 significant digits is read; one of 41 is refused, naming the bound."""

    def test_forty_digits(self) -> None:
        assert to_decimal("9" * 40) == Decimal("9" * 40)
        assert Quantity("1." + "2" * 39, "kg").value == Decimal("1." + "2" * 39)

    @pytest.mark.parametrize("text", ["9" * 41, "1." + "2" * 40, "0.1" + "0" * 39 + "1"])
    def test_forty_one_digits(self, text: str) -> None:
        with pytest.raises(ValueError, match=r"^") as info:
            to_decimal(text)
        assert str(info.value) == f"{shown(text)} {OUT_OF_RANGE}"

    def test_a_decimal_is_bounded_too(self) -> None:
        assert to_decimal(Decimal("9" * 40)) == Decimal("9" * 40)
        with pytest.raises(ValueError, match=OUT_OF_RANGE):
            to_decimal(Decimal("9" * 41))

    def test_an_int_is_bounded_too(self) -> None:
        assert to_decimal(10**40 - 1) == Decimal(10**40 - 1)
        with pytest.raises(ValueError, match=OUT_OF_RANGE):
            to_decimal(10**41 - 1)

    @given(st.integers(min_value=1, max_value=60))
    def test_range(self, count: int) -> None:
        text = "7" * count
        if count <= 40:
            assert to_decimal(text) == Decimal(text)
        else:
            with pytest.raises(ValueError, match=OUT_OF_RANGE):
                to_decimal(text)


class TestExponent:
    """Exponents from -40 to 40 are read, zero's included; -41 and 41 are refused."""

    @pytest.mark.parametrize("text", ["1E+40", "1e40", "1E-40", "0E+40", "0E-40", "0.{}1"])
    def test_at_the_bounds(self, text: str) -> None:
        text = text.format("0" * 39)  # 0.<39 zeros>1 is 1E-40
        assert to_decimal(text) == Decimal(text)

    @pytest.mark.parametrize("text", ["1E+41", "1e41", "1E-41", "0E+41", "0E-41", "0.{}1"])
    def test_past_the_bounds(self, text: str) -> None:
        text = text.format("0" * 40)  # 0.<40 zeros>1 is 1E-41
        with pytest.raises(ValueError, match=r"^") as info:
            to_decimal(text)
        assert str(info.value) == f"{shown(text)} {OUT_OF_RANGE}"

    @given(st.integers(min_value=-60, max_value=60), st.sampled_from(["1", "0", "25"]))
    @example(40, "1")
    @example(41, "1")
    @example(-40, "1")
    @example(-41, "1")
    def test_range(self, exponent: int, digits: str) -> None:
        text = f"{digits}E{exponent}"
        if -40 <= exponent <= 40:
            assert to_decimal(text) == Decimal(text)
        else:
            with pytest.raises(ValueError, match=OUT_OF_RANGE):
                to_decimal(text)


class TestLength:
    """Text of up to 80 characters is read; longer text is refused before it is parsed."""

    def test_eighty_characters(self) -> None:
        text = "0" * 40 + "1" * 40  # leading zeros are not significant: 40 digits
        assert len(text) == 80
        assert to_decimal(text) == Decimal("1" * 40)

    @pytest.mark.parametrize("text", ["0" * 41 + "1" * 40, "0" * 80 + "1", "0" * 81])
    def test_eighty_one_characters(self, text: str) -> None:
        with pytest.raises(ValueError, match=r"^") as info:
            to_decimal(text)
        assert str(info.value).endswith("is too long for a number (40 digits)")

    @given(st.integers(min_value=0, max_value=120))
    def test_range(self, zeros: int) -> None:
        text = "0" * zeros + "5"
        if len(text) <= 80:
            assert to_decimal(text) == Decimal(5)
        else:
            with pytest.raises(ValueError, match="is too long for a number"):
                to_decimal(text)


class TestPlainText:
    """Decimal text without an exponent reads as Decimal reads it, or is refused past a bound.

    At every length: the short text read in one step, digit for digit, included; text
    longer than twice the digits allowed is refused before it is read.
    """

    @given(
        st.sampled_from(["", "+", "-"]),
        st.text("0123456789", min_size=1, max_size=45),
        st.none() | st.text("0123456789", max_size=45),
    )
    @example("", "1" * 40, None)  # 40 characters: read in one step
    @example("", "0" * 40, "1")  # 42 characters, 1E-1: read, past the one step
    @example("", "1" * 41, None)  # 41 digits: refused
    @example("-", "0", "0" * 39)  # 0E-39, 42 characters
    @example("", "0" * 45, "0" * 35 + "1")  # 1E-36 in 81 characters: too long to read
    def test_as_decimal_reads_it(self, sign: str, whole: str, fraction: str | None) -> None:
        text = sign + whole + ("" if fraction is None else f".{fraction}")
        _, digits, exponent = Decimal(text).as_tuple()
        assert isinstance(exponent, int)
        if len(text) > 2 * MAX_DIGITS:  # refused before it is read, whatever it holds
            with pytest.raises(ValueError, match="is too long for a number"):
                to_decimal(text)
        elif len(digits) <= MAX_DIGITS and -MAX_EXPONENT <= exponent <= MAX_EXPONENT:
            assert to_decimal(text).as_tuple() == Decimal(text).as_tuple()
        else:
            with pytest.raises(ValueError, match=OUT_OF_RANGE):
                to_decimal(text)

    @pytest.mark.parametrize("text", ["1_000", "١٢", "12 ", " 12", "1e", ".", "+", "0x10"])
    def test_other_text_is_not_read(self, text: str) -> None:
        with pytest.raises(ValueError, match="not"):
            to_decimal(text)
