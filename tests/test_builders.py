"""Quick builders give the very instance the class gives, and refuse classes they cannot."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from umpolicy import Fact, Finding, Quantity, Status, Trail
from umpolicy.builders import builder
from umpolicy.checks import build_finding
from umpolicy.facts import build_fact
from umpolicy.quantity import build_quantity
from umpolicy.trail import build_trail

from .engine_strategies import quantities

texts = st.text(max_size=20)
optional_texts = st.none() | texts
statuses = st.sampled_from(Status)
facts = st.builds(
    Fact,
    texts,
    st.none() | st.booleans() | texts | quantities("regimen.dose"),
    st.lists(st.builds(Fact, texts, st.none() | texts), max_size=2).map(tuple),
    optional_texts,
    st.none() | st.fractions(min_value=0),
    st.booleans(),
)
findings = st.builds(
    Finding,
    texts,
    statuses,
    st.lists(facts, max_size=2).map(tuple),
    st.none() | quantities("regimen.dose"),
    st.none() | quantities("regimen.dose"),
    optional_texts,
)


class TestBuilt:
    """A builder's instance is of the class, equal to the class's own, and as frozen."""

    @staticmethod
    def same(built: Any, made: Any) -> None:
        assert type(built) is type(made)
        assert built == made
        assert repr(built) == repr(made)
        assert hash(built) == hash(made)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            built.status = None

    @given(facts)
    def test_a_fact(self, fact: Fact) -> None:
        """``build_fact`` gives the Fact the class gives, positionally or by keyword."""
        fields = attrs.asdict(fact, recurse=False)
        self.same(build_fact(*fields.values()), fact)
        self.same(build_fact(**fields), fact)

    @given(findings)
    def test_a_finding(self, finding: Finding) -> None:
        """``build_finding`` gives the Finding the class gives, defaults included."""
        fields = attrs.asdict(finding, recurse=False)
        self.same(build_finding(**fields), finding)
        self.same(
            build_finding(finding.rule, finding.status, finding.facts),
            Finding(finding.rule, finding.status, finding.facts),
        )

    @given(texts, texts, statuses, st.lists(findings, max_size=2).map(tuple), st.booleans())
    def test_a_trail(
        self, label: str, text: str, status: Status, found: tuple[Finding, ...], applies: bool
    ) -> None:
        """``build_trail`` gives the Trail the class gives, children and all."""
        leaf = Trail(label, "predicate", text, status, found, applies=applies)
        self.same(build_trail(label, "predicate", text, status, found, applies=applies), leaf)
        heading = Trail(label, "all_of", text, status, (), (leaf,), "A title")
        self.same(build_trail(label, "all_of", text, status, (), (leaf,), "A title"), heading)

    @given(quantities("regimen.dose"))
    def test_a_quantity_already_in_form(self, quantity: Quantity) -> None:
        """With a Decimal and a registered unit, ``build_quantity`` is ``Quantity(...)``."""
        self.same_quantity(build_quantity(quantity.value, quantity.unit), quantity)

    @staticmethod
    def same_quantity(built: Quantity, made: Quantity) -> None:
        assert type(built) is Quantity
        assert (built, repr(built), hash(built)) == (made, repr(made), hash(made))
        assert built.value is made.value
        assert built.unit is made.unit
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            built.value = Decimal(1)  # type: ignore[misc]


@attrs.frozen
class _Validated:
    size: int = attrs.field(validator=attrs.validators.gt(0))


@attrs.frozen
class _Converted:
    size: Decimal = attrs.field(converter=Decimal)


@attrs.frozen
class _Factory:
    items: list[int] = attrs.Factory(list)


@attrs.frozen
class _Hooked:
    size: int

    def __attrs_post_init__(self) -> None:
        pass


@attrs.frozen
class _KeywordOnly:
    size: int = attrs.field(kw_only=True)


@attrs.frozen
class _Private:
    _size: int


@attrs.frozen(slots=False)
class _Unslotted:
    size: int


class _Plain:
    __slots__ = ("size",)


class TestRefused:
    """A class whose ``__init__`` does more than store its arguments gets no builder."""

    @pytest.mark.parametrize(
        ("cls", "why"),
        [
            (_Validated, "_Validated.size has work that a builder would skip"),
            (_Converted, "_Converted.size has work that a builder would skip"),
            (_Factory, "_Factory.items has work that a builder would skip"),
            (_Hooked, "_Hooked has an init hook that a builder would skip"),
            (_KeywordOnly, "_KeywordOnly.size is not a plain positional field"),
            (_Private, "_Private._size is not a plain positional field"),
            (_Unslotted, "is not a slotted attrs class"),
            (_Plain, "is not a slotted attrs class"),
        ],
    )
    def test_refused(self, cls: type, why: str) -> None:
        """Validators, converters, factories, hooks and renamed fields: no builder."""
        with pytest.raises(TypeError, match=why):
            builder(cls)

    def test_converters_only_when_the_caller_converts(self) -> None:
        """``converted=True`` allows converters (the caller converts), never validators."""
        build = builder(_Converted, converted=True)
        assert build(Decimal("1.5")) == _Converted(Decimal("1.5"))
        with pytest.raises(TypeError, match="has work"):
            builder(_Validated, converted=True)

    def test_quantity_needs_its_converters_without_the_promise(self) -> None:
        """``Quantity`` converts its text and unit code, so a plain builder refuses it."""
        with pytest.raises(TypeError, match=r"Quantity\.value has work"):
            builder(Quantity)
