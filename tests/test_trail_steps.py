"""The evaluator's steps: every node's status, findings, ``applies`` and ``off``, by table.

A criterion is met when its condition (``requires``) is met and, where it applies
(``applies_if``), its rules are all met; a heading when its condition is met and all
(``AllOf``) or one (``AnyOf``) of its children are. Unknowns follow Kleene's logic.
Each rule here is one table, written out; combinations are checked against the
tables composed, for every one of the 27 (or 81) assignments of met, not met and
unknown.
"""

from __future__ import annotations

import itertools

import pytest

from umpolicy import AllOf, AnyOf, DoseLimit, IsTrue, Predicate, Status, Step, explain
from umpolicy.dsl.checks import Check
from umpolicy.dsl.findings import Fact, Finding
from umpolicy.dsl.nodes import Node

MET, NOT_MET, UNKNOWN = Status.MET, Status.NOT_MET, Status.UNKNOWN
ALL = (MET, NOT_MET, UNKNOWN)
#: A yes/no fact's value for each status an IsTrue check of it finds.
VALUE = {MET: True, NOT_MET: False, UNKNOWN: None}


class Book:
    """The facts of one request, as yes, no or missing; each check evaluated as asked."""

    def __init__(self, **statuses: Status) -> None:
        self.values = {name: VALUE[status] for name, status in statuses.items()}
        self.added: list[Fact] = []

    def __getitem__(self, name: str) -> Fact:
        return Fact(name, self.values[name])

    def add(self, fact: Fact) -> None:
        self.added.append(fact)

    def finding(self, check: Check) -> Finding:
        return check.evaluate(self)


def found(name: str, status: Status) -> Finding:
    """What an IsTrue check of ``name`` finds."""
    return Finding(status, (name,))


def steps_of(node: Node, **statuses: Status) -> tuple[Status, dict[str, Step]]:
    steps: dict[str, Step] = {}
    status = explain(node, Book(**statuses), steps)
    return status, steps


#: A criterion with ``applies_if`` A and rule X: (A, X) -> (status, applies).
#: Where it does not apply it counts as met; where it may apply, an unmet rule is unknown.
APPLIES = {
    (MET, MET): (MET, True),
    (MET, NOT_MET): (NOT_MET, True),
    (MET, UNKNOWN): (UNKNOWN, True),
    (NOT_MET, MET): (MET, False),
    (NOT_MET, NOT_MET): (MET, False),
    (NOT_MET, UNKNOWN): (MET, False),
    (UNKNOWN, MET): (MET, True),
    (UNKNOWN, NOT_MET): (UNKNOWN, True),
    (UNKNOWN, UNKNOWN): (UNKNOWN, True),
}
#: A node with ``requires`` R over what it decides otherwise S: (R, S) -> (status, off).
#: An unmet condition rules the request out of the node ("off"), whatever S is.
REQUIRES = {
    (MET, MET): (MET, False),
    (MET, NOT_MET): (NOT_MET, False),
    (MET, UNKNOWN): (UNKNOWN, False),
    (NOT_MET, MET): (NOT_MET, True),
    (NOT_MET, NOT_MET): (NOT_MET, True),
    (NOT_MET, UNKNOWN): (NOT_MET, True),
    (UNKNOWN, MET): (UNKNOWN, False),
    (UNKNOWN, NOT_MET): (NOT_MET, False),
    (UNKNOWN, UNKNOWN): (UNKNOWN, False),
}
#: All of two (rules of a dose limit, or children of AllOf), and any of two (AnyOf).
BOTH = {
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
EITHER = {
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


class TestPlainCriterion:
    """A criterion of one rule and no condition has the rule's status and its one finding."""

    @pytest.mark.parametrize("rule", ALL)
    def test_step(self, rule: Status) -> None:
        node = Predicate("A", "The rule.", IsTrue("x"))
        status, steps = steps_of(node, x=rule)
        assert status is rule
        assert steps == {"A": Step(rule, (found("x", rule),), True, False)}


class TestAppliesIf:
    """A criterion that does not apply counts as met, and its step says it does not apply."""

    @pytest.mark.parametrize(("scope", "rule"), list(APPLIES))
    def test_table(self, scope: Status, rule: Status) -> None:
        node = Predicate("A", "The rule, if it applies.", IsTrue("x"), applies_if=IsTrue("a"))
        status, steps = steps_of(node, a=scope, x=rule)
        expected, applies = APPLIES[scope, rule]
        assert status is expected
        findings = (found("a", scope), found("x", rule))
        assert steps == {"A": Step(expected, findings, applies, False)}


class TestRequires:
    """A criterion whose condition is not met is not met, and off the request's branch."""

    @pytest.mark.parametrize(("condition", "rule"), list(REQUIRES))
    def test_table(self, condition: Status, rule: Status) -> None:
        node = Predicate("A", "The rule, on its branch.", IsTrue("x"), requires=IsTrue("r"))
        status, steps = steps_of(node, r=condition, x=rule)
        expected, off = REQUIRES[condition, rule]
        assert status is expected
        findings = (found("r", condition), found("x", rule))
        assert steps == {"A": Step(expected, findings, True, off)}

    @pytest.mark.parametrize(("condition", "scope", "rule"), list(itertools.product(ALL, repeat=3)))
    def test_with_applies_if(self, condition: Status, scope: Status, rule: Status) -> None:
        """The condition over what the criterion decides where it applies; findings in order."""
        node = DoseLimit(
            "Dosing A",
            "The limit, on its branch, if it applies.",
            (IsTrue("x"),),
            applies_if=IsTrue("a"),
            requires=IsTrue("r"),
        )
        status, steps = steps_of(node, r=condition, a=scope, x=rule)
        inner, applies = APPLIES[scope, rule]
        expected, off = REQUIRES[condition, inner]
        assert status is expected
        findings = (found("r", condition), found("a", scope), found("x", rule))
        assert steps == {"Dosing A": Step(expected, findings, applies, off)}


class TestSeveralRules:
    """A dose limit of several rules is met only when every one of them is."""

    @pytest.mark.parametrize(("first", "second"), list(BOTH))
    def test_table(self, first: Status, second: Status) -> None:
        node = DoseLimit("Dosing A", "Two limits.", (IsTrue("x"), IsTrue("y")))
        status, steps = steps_of(node, x=first, y=second)
        assert status is BOTH[first, second]
        findings = (found("x", first), found("y", second))
        assert steps == {"Dosing A": Step(BOTH[first, second], findings, True, False)}

    @pytest.mark.parametrize(("scope", "first", "second"), list(itertools.product(ALL, repeat=3)))
    def test_with_applies_if(self, scope: Status, first: Status, second: Status) -> None:
        node = DoseLimit(
            "Dosing A", "Two limits, if they apply.", (IsTrue("x"), IsTrue("y")), IsTrue("a")
        )
        status, steps = steps_of(node, a=scope, x=first, y=second)
        expected, applies = APPLIES[scope, BOTH[first, second]]
        assert status is expected
        findings = (found("a", scope), found("x", first), found("y", second))
        assert steps == {"Dosing A": Step(expected, findings, applies, False)}


def _children() -> tuple[Predicate, Predicate]:
    return Predicate("i", "First.", IsTrue("x")), Predicate("ii", "Second.", IsTrue("y"))


class TestHeadings:
    """AllOf is met when all its children are, AnyOf when one is; every child has a step."""

    @pytest.mark.parametrize(("heading", "table"), [(AllOf, BOTH), (AnyOf, EITHER)])
    @pytest.mark.parametrize(("first", "second"), list(BOTH))
    def test_table(
        self,
        heading: type[AllOf] | type[AnyOf],
        table: dict[tuple[Status, Status], Status],
        first: Status,
        second: Status,
    ) -> None:
        node = heading("1", "The heading.", _children())
        status, steps = steps_of(node, x=first, y=second)
        assert status is table[first, second]
        # No short-circuit: the second child is worked out even when the first settles it.
        assert steps == {
            "1": Step(table[first, second], (), True, False),
            "i": Step(first, (found("x", first),)),
            "ii": Step(second, (found("y", second),)),
        }

    @pytest.mark.parametrize(("heading", "table"), [(AllOf, BOTH), (AnyOf, EITHER)])
    @pytest.mark.parametrize(
        ("condition", "first", "second"), list(itertools.product(ALL, repeat=3))
    )
    def test_requires(
        self,
        heading: type[AllOf] | type[AnyOf],
        table: dict[tuple[Status, Status], Status],
        condition: Status,
        first: Status,
        second: Status,
    ) -> None:
        """A heading's condition over its children: its only finding, and it says if off."""
        node = heading("1", "The heading, on its branch.", _children(), requires=IsTrue("r"))
        status, steps = steps_of(node, r=condition, x=first, y=second)
        expected, off = REQUIRES[condition, table[first, second]]
        assert status is expected
        assert steps["1"] == Step(expected, (found("r", condition),), True, off)
        assert steps["i"] == Step(first, (found("x", first),))
        assert steps["ii"] == Step(second, (found("y", second),))

    def test_nested(self) -> None:
        """A heading's status is its children's, each worked out from its own children."""
        node = AnyOf(
            "1",
            "One of:",
            (
                AllOf("1.A", "All of:", _children(), requires=IsTrue("a")),
                AllOf("1.B", "All of:", (Predicate("1.B.i", "Third.", IsTrue("z")),)),
            ),
        )
        status, steps = steps_of(node, a=NOT_MET, x=MET, y=MET, z=UNKNOWN)
        assert status is UNKNOWN
        assert set(steps) == {"1", "1.A", "i", "ii", "1.B", "1.B.i"}
        assert steps["1.A"] == Step(NOT_MET, (found("a", NOT_MET),), True, True)
        assert steps["1.B"] == Step(UNKNOWN)
        assert steps["1"] == Step(UNKNOWN)


class TestStepDefaults:
    """A step given only its status has no findings, applies, and is not off."""

    def test_defaults(self) -> None:
        assert Step(MET) == Step(MET, (), True, False)
        assert (Step(UNKNOWN).applies, Step(UNKNOWN).off) == (True, False)
