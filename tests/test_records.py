"""The trail's records: immutable named tuples that equal only their own kind."""

from __future__ import annotations

import operator
from typing import Any
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from umpolicy import Fact, Finding, Status, Step, Trail

STEP = (Status.MET, (), True, False)
TRAIL = ({"1.A.i": Step(*STEP)}, {"patient.age": Fact("patient.age", None)})
#: Each record type with the items of one instance (every field given, in order).
RECORDS: list[tuple[type[Any], tuple[object, ...]]] = [
    (Fact, ("patient.age", None, (), None, False)),
    (Finding, (Status.UNKNOWN, ("patient.age",), None, None, None)),
    (Step, STEP),
    (Trail, TRAIL),
]

#: Few values each, so that two draws are often equal.
names = st.sampled_from(["patient.age", "medication.dose"])
values = st.none() | st.booleans() | st.sampled_from(["yes", "no"])
inputs = st.sampled_from([(), ("patient.birth_date", "request.date")])
facts = st.builds(Fact, names, values, inputs, st.none(), st.booleans())


class TestEquality:
    """A record equals a record of its own type with equal fields, and nothing else."""

    @pytest.mark.parametrize(("cls", "fields"), RECORDS)
    def test_not_equal_to_a_plain_tuple(self, cls: type[Any], fields: tuple[object, ...]) -> None:
        """Unlike a plain named tuple, a record is not the tuple of its items."""
        record = cls(*fields)
        assert record == cls(*fields)
        assert record != fields
        assert not record == fields  # noqa: SIM201 (the == operator itself is the subject)
        assert fields != record

    def test_not_equal_to_a_record_of_another_kind(self) -> None:
        """A fact and a finding with the same five items are still different things."""
        fields: tuple[Any, ...] = ("x", Status.MET, (), None, False)
        fact: Any = Fact(*fields)  # ill-typed on purpose
        finding: Any = Finding(*fields)
        assert fact != finding
        assert not fact == finding  # noqa: SIM201

    def test_compared_with_anything_else_the_other_side_decides(self) -> None:
        """Against a non-tuple, a record defers (``NotImplemented``), as attrs classes do."""
        fact: Any = Fact("patient.age", None)
        assert fact == mock.ANY
        assert not fact != mock.ANY  # noqa: SIM202 (the != operator itself is the subject)
        assert fact != "patient.age"

    @given(facts, facts)
    def test_equal_exactly_when_the_fields_are(self, one: Fact, two: Fact) -> None:
        """Field by field: equal records hash alike, so they can key a dict or a set."""
        same = tuple(one) == tuple(two)
        assert (one == two) is same
        assert (one != two) is not same
        if same:
            assert hash(one) == hash(two)
            assert len({one, two}) == 1


class TestUnordered:
    """Records have no order, unlike the tuples they are built on."""

    @pytest.mark.parametrize(("cls", "fields"), RECORDS)
    def test_no_order(self, cls: type[Any], fields: tuple[object, ...]) -> None:
        """``<``, ``<=``, ``>``, ``>=`` raise, against a record or a plain tuple."""
        record = cls(*fields)
        for other in (cls(*fields), fields):
            for compare in (operator.lt, operator.le, operator.gt, operator.ge):
                with pytest.raises(TypeError, match="records have no order"):
                    compare(record, other)
                with pytest.raises(TypeError, match="records have no order"):
                    compare(other, record)
        with pytest.raises(TypeError):
            sorted([record, cls(*fields)])


class TestImmutable:
    """A record never changes: a changed copy is a new record."""

    @pytest.mark.parametrize(("cls", "fields"), RECORDS)
    def test_fields_cannot_be_set(self, cls: type[Any], fields: tuple[object, ...]) -> None:
        """Neither a field nor a new attribute can be set."""
        record = cls(*fields)
        with pytest.raises(AttributeError):
            record.status = Status.NOT_MET
        with pytest.raises(AttributeError):
            record.anything = 1

    def test_replace_gives_a_new_record(self) -> None:
        """``_replace`` (as ``attrs.evolve`` for the attrs classes) leaves the original."""
        step = Step(*STEP)
        changed = step._replace(status=Status.NOT_MET)
        assert (step.status, changed.status) == (Status.MET, Status.NOT_MET)
        assert type(changed) is Step


class TestRepr:
    """A record's repr is the call that rebuilds it."""

    def test_fact(self) -> None:
        """Every field by name, in order."""
        assert repr(Fact("patient.age", None)) == (
            "Fact(name='patient.age', value=None, inputs=(), exact_square=None, partial=False)"
        )

    @pytest.mark.parametrize(("cls", "fields"), RECORDS)
    def test_rebuilds(self, cls: type[Any], fields: tuple[object, ...]) -> None:
        """Evaluating the repr gives an equal record of the same type."""
        record = cls(*fields)
        namespace = {
            "Fact": Fact,
            "Finding": Finding,
            "Step": Step,
            "Trail": Trail,
            "Status": Status,
        }
        rebuilt = eval(repr(record), namespace)
        assert type(rebuilt) is cls
        assert rebuilt == record
