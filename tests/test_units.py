"""UCUM units read generally: atoms, annotations, rates, amounts per basis, and nothing else."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from umpolicy import AtMost, Medication, Patient, Quantity, Request, Status, unit
from umpolicy.dsl.quantity import compare
from umpolicy.dsl.units import ATOMS, Unit, suggestion
from umpolicy.engine.book import FactBook
from umpolicy.vocabulary.facts import READERS


class TestAtoms:
    """Every atom parses to itself, with its dimension and exact factor to the base."""

    @pytest.mark.parametrize("code", list(ATOMS))
    def test_atom(self, code: str) -> None:
        parsed = unit(code)
        assert parsed.code == code
        assert parsed.dimension == ATOMS[code].dimension
        assert parsed.factor == ATOMS[code].factor
        assert repr(parsed) == f"unit({code!r})"

    def test_cached(self) -> None:
        assert unit("mg/kg") is unit("mg/kg")

    @pytest.mark.parametrize(
        ("code", "dimension", "factor"),
        [
            ("kg", "mass", 1),
            ("mg", "mass", Fraction(1, 10**6)),
            ("ug", "mass", Fraction(1, 10**9)),
            ("[lb_av]", "mass", Fraction("0.45359237")),
            ("10*6.[iU]", "iu", 10**6),
            ("m", "length", 100),
            ("[in_i]", "length", Fraction("2.54")),
            ("h", "time", Fraction(1, 24)),
            ("wk", "time", 7),
            ("mo", "time", Fraction("365.25") / 12),
            ("a", "time", Fraction("365.25")),
        ],
    )
    def test_factors(self, code: str, dimension: str, factor: Fraction | int) -> None:
        assert (unit(code).dimension, unit(code).factor) == (dimension, factor)


class TestAnnotations:
    """A word in braces counts something: its own dimension, named in the plural."""

    @pytest.mark.parametrize(
        ("code", "one", "many"),
        [
            ("{dose}", "dose", "doses"),
            ("{therapy}", "therapy", "therapies"),
            ("{cycle}", "cycle", "cycles"),
            ("{course}", "course", "courses"),
            ("{lesion}", "lesion", "lesions"),
            ("{day}", "day", "days"),
            ("{box}", "box", "boxes"),
            ("{patch}", "patch", "patches"),
            ("{vial}", "vial", "vials"),
        ],
    )
    def test_counted(self, code: str, one: str, many: str) -> None:
        counted = unit(code)
        assert counted.dimension == code
        assert counted.factor == 1
        assert counted.name_for(1) == one
        assert counted.name_for(2) == many
        assert Quantity("1", code).display() == f"1 {one}"

    def test_counts_of_different_things_never_compare(self) -> None:
        with pytest.raises(ValueError, match=r"^cannot compare \{dose\} with \{cycle\}$"):
            compare(Quantity("1", "{dose}"), Quantity("1", "{cycle}"))

    @pytest.mark.parametrize("code", ["{}", "{Dose}", "{1}", "{" + "a" * 40 + "}", "{dose"])
    def test_malformed(self, code: str) -> None:
        with pytest.raises(ValueError, match=r"^unknown unit"):
            unit(code)


class TestRates:
    """/d, /wk, /h, /mo, /a are times per period; /(N.wk) is once every N weeks."""

    @pytest.mark.parametrize(
        ("code", "factor", "name"),
        [
            ("/d", 1, "times daily"),
            ("/h", 24, "times hourly"),
            ("/wk", Fraction(1, 7), "times weekly"),
            ("/mo", 12 / Fraction("365.25"), "times monthly"),
            ("/a", 1 / Fraction("365.25"), "times yearly"),
            ("/(4.wk)", Fraction(1, 28), "times every 4 weeks"),
            ("/(2.d)", Fraction(1, 2), "times every 2 days"),
            ("/(12.h)", 2, "times every 12 hours"),
            ("/(3.mo)", 4 / Fraction("365.25"), "times every 3 months"),
        ],
    )
    def test_rate(self, code: str, factor: Fraction | int, name: str) -> None:
        rate = unit(code)
        assert rate.dimension == "1/time"
        assert rate.factor == factor
        assert rate.name == name
        assert rate.name_for(1) == name.replace("times", "time")

    def test_every_four_weeks(self) -> None:
        assert compare(Quantity("1", "/(4.wk)"), Quantity("0.25", "/wk")) == 0
        assert compare(Quantity("1", "/(4.wk)"), Quantity("1", "/(28.d)")) == 0
        assert compare(Quantity("1", "/(4.wk)"), Quantity("1", "/(3.wk)")) == -1
        assert Quantity("1", "/(4.wk)").display() == "1 time every 4 weeks"

    @pytest.mark.parametrize("code", ["/(0.wk)", "/(100.wk)", "/(4.a)", "/(4wk)", "/(4.wk", "/min"])
    def test_malformed(self, code: str) -> None:
        with pytest.raises(ValueError, match=r"^unknown unit"):
            unit(code)


class TestAmountsPerBasis:
    """An amount over kg, m2 or a counted unit is its own dimension: per kg never is per m²."""

    @pytest.mark.parametrize(
        ("code", "dimension", "factor", "name"),
        [
            ("mg/kg", "mass/mass", Fraction(1, 10**6), "mg/kg"),
            ("g/kg", "mass/mass", Fraction(1, 1000), "g/kg"),
            ("ug/kg", "mass/mass", Fraction(1, 10**9), "µg/kg"),
            ("[iU]/kg", "iu/mass", 1, "International Units/kg"),
            ("10*6.[iU]/kg", "iu/mass", 10**6, "million International Units/kg"),
            ("mg/m2", "mass/area", Fraction(1, 10**6), "mg/m²"),
            ("10*6.[iU]/m2", "iu/area", 10**6, "million International Units/m²"),
            ("[iU]/{lesion}", "iu/{lesion}", 1, "International Units per lesion"),
            ("10*6.[iU]/{lesion}", "iu/{lesion}", 10**6, "million International Units per lesion"),
            ("mg/{dose}", "mass/{dose}", Fraction(1, 10**6), "mg per dose"),
        ],
    )
    def test_parsed(self, code: str, dimension: str, factor: Fraction | int, name: str) -> None:
        parsed = unit(code)
        assert (parsed.dimension, parsed.factor, parsed.name) == (dimension, factor, name)

    @pytest.mark.parametrize(
        ("a", "b"),
        [
            ("mg/kg", "mg"),
            ("mg/kg", "mg/m2"),
            ("[iU]/kg", "mg/kg"),
            ("[iU]", "mg"),
            ("[iU]/{lesion}", "[iU]"),
            ("[iU]/{lesion}", "[iU]/{dose}"),
        ],
    )
    def test_different_dimensions_never_convert(self, a: str, b: str) -> None:
        assert unit(a).dimension != unit(b).dimension
        with pytest.raises(ValueError, match=r"^cannot compare"):
            compare(Quantity("1", a), Quantity("1", b))

    @pytest.mark.parametrize(
        "code", ["kg/mg", "d/kg", "mg/cm", "mg/d", "mg/kg/d", "[iU]/", "/kg", "mg/{Lesion}"]
    )
    def test_not_amounts_per_basis(self, code: str) -> None:
        with pytest.raises(ValueError, match=r"^unknown unit"):
            unit(code)


class TestNeverIuAndMg:
    """International Units and mg never convert into each other, as absolutes or per kg."""

    @given(st.decimals(min_value=1, max_value=10**6, places=3))
    def test_iu_dose_never_meets_a_mg_limit(self, value: object) -> None:
        request = Request(
            __import__("datetime").date(2026, 3, 2),
            patient=Patient(weight=Quantity("70", "kg")),
            medication=Medication(dose=Quantity(value, "[iU]")),
        )
        book = FactBook(READERS, request, {})
        for check in (
            AtMost("medication.dose", Quantity("1000", "mg")),
            AtMost("medication.dose", Quantity("0.037", "mg/kg")),
        ):
            finding = check.evaluate(book)
            assert finding.status is Status.NOT_MET
            assert finding.note is not None
            assert "cannot be compared" in finding.note


class TestUnknown:
    """Any other code is a ValueError naming what is read."""

    @pytest.mark.parametrize("code", ["stone", "mcg", "IU", "", "kg ", "x" * 41, "1/d"])
    def test_unknown(self, code: str) -> None:
        with pytest.raises(ValueError, match=r"^unknown unit") as info:
            unit(code)
        message = str(info.value)
        quoted = repr(code) if len(repr(code)) <= 40 else f"{repr(code)[:39]}…"
        assert message.startswith(f"unknown unit {quoted}; umpolicy reads the UCUM codes ")
        assert ", ".join(ATOMS) in message
        assert "/(4.wk)" in message

    def test_not_text(self) -> None:
        with pytest.raises(ValueError, match=r"^unknown unit 7"):
            unit(7)  # type: ignore[arg-type]

    def test_a_unit_object_is_its_own_kind(self) -> None:
        made = Unit("kg", "kg", "mass", Fraction(1))
        assert made == unit("kg")
        assert Quantity("1", made) == Quantity("1", "kg")


class TestInch:
    """An inch is exactly 2.54 cm: a height in inches compares and converts exactly."""

    def test_converts(self) -> None:
        assert Quantity("70", "[in_i]").to("cm") == Quantity("177.8", "cm")
        assert Quantity("1", "[in_i]").to("m") == Quantity("0.0254", "m")
        assert Quantity("254", "cm").to("[in_i]") == Quantity("100", "[in_i]")

    @pytest.mark.parametrize(
        ("inches", "cm", "order"),
        [("1", "2.54", 0), ("1", "2.539", 1), ("1", "2.541", -1), ("100", "254", 0)],
    )
    def test_compares(self, inches: str, cm: str, order: int) -> None:
        assert compare(Quantity(inches, "[in_i]"), Quantity(cm, "cm")) == order


class TestCodeLength:
    """A code of up to 40 characters is read; a longer one is unknown, however well formed."""

    def test_forty(self) -> None:
        code = "10*6.[iU]/{" + "a" * 28 + "}"
        assert len(code) == 40
        assert unit(code).dimension == "iu/{" + "a" * 28 + "}"

    def test_forty_one(self) -> None:
        code = "10*6.[iU]/{" + "a" * 29 + "}"  # the word is short enough; the code is not
        assert len(code) == 41
        with pytest.raises(ValueError, match=r"^unknown unit"):
            unit(code)

    def test_suggested_only_when_read(self) -> None:
        """A suggestion ("did you mean") may have 40 characters; never one unit() refuses."""
        assert suggestion("10*6.[IU]/{" + "a" * 28 + "}") == "10*6.[iU]/{" + "a" * 28 + "}"
        assert suggestion("10*6.[IU]/{" + "a" * 29 + "}") is None
