"""Kleene's three-valued logic of :class:`umpolicy.Status`."""

from __future__ import annotations

import functools
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from umpolicy import Status
from umpolicy.dsl.status import all_met, any_met

MET, NOT_MET, UNKNOWN = Status.MET, Status.NOT_MET, Status.UNKNOWN
ALL = tuple(Status)
PAIRS = list(itertools.product(ALL, repeat=2))
TRIPLES = list(itertools.product(ALL, repeat=3))
STATUS_LISTS = st.lists(st.sampled_from(ALL), max_size=12)

#: Kleene's truth tables, written out in full.
AND = {
    (MET, MET): MET,
    (MET, NOT_MET): NOT_MET,
    (MET, UNKNOWN): UNKNOWN,
    (NOT_MET, MET): NOT_MET,
    (NOT_MET, NOT_MET): NOT_MET,
    (NOT_MET, UNKNOWN): NOT_MET,
    (UNKNOWN, MET): UNKNOWN,
    (UNKNOWN, NOT_MET): NOT_MET,
    (UNKNOWN, UNKNOWN): UNKNOWN,
}
OR = {
    (MET, MET): MET,
    (MET, NOT_MET): MET,
    (MET, UNKNOWN): MET,
    (NOT_MET, MET): MET,
    (NOT_MET, NOT_MET): NOT_MET,
    (NOT_MET, UNKNOWN): UNKNOWN,
    (UNKNOWN, MET): MET,
    (UNKNOWN, NOT_MET): UNKNOWN,
    (UNKNOWN, UNKNOWN): UNKNOWN,
}


class TestKleeneAnd:
    """Not met dominates, unknown beats met."""

    @pytest.mark.parametrize(("pair", "expected"), AND.items())
    def test_truth_table(self, pair: tuple[Status, Status], expected: Status) -> None:
        assert (pair[0] & pair[1]) is expected

    @pytest.mark.parametrize(("a", "b"), PAIRS)
    def test_commutative(self, a: Status, b: Status) -> None:
        assert a & b is b & a

    @pytest.mark.parametrize(("a", "b", "c"), TRIPLES)
    def test_associative(self, a: Status, b: Status, c: Status) -> None:
        assert (a & b) & c is a & (b & c)

    @pytest.mark.parametrize("a", ALL)
    def test_met_is_identity_not_met_annihilates(self, a: Status) -> None:
        assert a & MET is a
        assert a & NOT_MET is NOT_MET

    @pytest.mark.parametrize("a", ALL)
    def test_idempotent(self, a: Status) -> None:
        assert a & a is a


class TestKleeneOr:
    """Met dominates, unknown beats not met."""

    @pytest.mark.parametrize(("pair", "expected"), OR.items())
    def test_truth_table(self, pair: tuple[Status, Status], expected: Status) -> None:
        assert (pair[0] | pair[1]) is expected

    @pytest.mark.parametrize(("a", "b"), PAIRS)
    def test_commutative(self, a: Status, b: Status) -> None:
        assert a | b is b | a

    @pytest.mark.parametrize(("a", "b", "c"), TRIPLES)
    def test_associative(self, a: Status, b: Status, c: Status) -> None:
        assert (a | b) | c is a | (b | c)

    @pytest.mark.parametrize("a", ALL)
    def test_not_met_is_identity_met_annihilates(self, a: Status) -> None:
        assert a | NOT_MET is a
        assert a | MET is MET

    @pytest.mark.parametrize(("a", "b", "c"), TRIPLES)
    def test_distributes_over_and(self, a: Status, b: Status, c: Status) -> None:
        assert a | (b & c) is (a | b) & (a | c)
        assert a & (b | c) is (a & b) | (a & c)


class TestKleeneNot:
    """Negation swaps met and not met and leaves unknown unknown."""

    @pytest.mark.parametrize(
        ("a", "expected"), [(MET, NOT_MET), (NOT_MET, MET), (UNKNOWN, UNKNOWN)]
    )
    def test_table(self, a: Status, expected: Status) -> None:
        assert ~a is expected

    @pytest.mark.parametrize("a", ALL)
    def test_involution(self, a: Status) -> None:
        assert ~~a is a

    @pytest.mark.parametrize(("a", "b"), PAIRS)
    def test_de_morgan(self, a: Status, b: Status) -> None:
        assert ~(a & b) is ~a | ~b
        assert ~(a | b) is ~a & ~b

    def test_excluded_middle_fails_only_for_unknown(self) -> None:
        assert [a | ~a for a in ALL] == [MET, MET, UNKNOWN]


class TestStatusBasics:
    """A status has a stable value, repr, and is built from a settled comparison."""

    def test_of(self) -> None:
        assert Status.of(True) is MET
        assert Status.of(False) is NOT_MET

    @pytest.mark.parametrize(
        ("status", "text"),
        [(MET, "Status.MET"), (NOT_MET, "Status.NOT_MET"), (UNKNOWN, "Status.UNKNOWN")],
    )
    def test_repr(self, status: Status, text: str) -> None:
        assert repr(status) == text
        assert eval(repr(status)) is status

    def test_values(self) -> None:
        assert [s.value for s in ALL] == ["met", "not_met", "unknown"]


class TestFolds:
    """all_met and any_met fold & and | over any number of statuses."""

    def test_empty(self) -> None:
        assert all_met([]) is MET
        assert any_met([]) is NOT_MET

    @given(STATUS_LISTS)
    def test_all_met_is_fold_of_and(self, statuses: list[Status]) -> None:
        assert all_met(statuses) is functools.reduce(lambda a, b: a & b, statuses, MET)

    @given(STATUS_LISTS)
    def test_any_met_is_fold_of_or(self, statuses: list[Status]) -> None:
        assert any_met(statuses) is functools.reduce(lambda a, b: a | b, statuses, NOT_MET)

    @given(STATUS_LISTS)
    def test_de_morgan_over_lists(self, statuses: list[Status]) -> None:
        assert ~all_met(statuses) is any_met(~s for s in statuses)
        assert ~any_met(statuses) is all_met(~s for s in statuses)

    @given(STATUS_LISTS, STATUS_LISTS)
    def test_order_and_grouping_do_not_matter(self, a: list[Status], b: list[Status]) -> None:
        assert all_met(a + b) is all_met(b + a) is all_met(a) & all_met(b)
        assert any_met(a + b) is any_met(b + a) is any_met(a) | any_met(b)

    @given(STATUS_LISTS)
    def test_unknown_propagates(self, statuses: list[Status]) -> None:
        with_unknown = [*statuses, UNKNOWN]
        assert all_met(with_unknown) is (NOT_MET if NOT_MET in statuses else UNKNOWN)
        assert any_met(with_unknown) is (MET if MET in statuses else UNKNOWN)

    def test_short_circuits(self) -> None:
        def statuses() -> object:
            yield NOT_MET
            raise AssertionError("read past a settled answer")

        assert all_met(statuses()) is NOT_MET  # type: ignore[arg-type]

        def more() -> object:
            yield MET
            raise AssertionError("read past a settled answer")

        assert any_met(more()) is MET  # type: ignore[arg-type]
