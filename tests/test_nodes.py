"""The policy DSL: walking trees, the facts they read, and the trail they explain."""

from __future__ import annotations

import datetime as dt

import pytest

from umpolicy import (
    FACTS,
    AllOf,
    AnyOf,
    AtLeast,
    DoseLimit,
    FactBook,
    IsTrue,
    Node,
    OneOf,
    Predicate,
    Quantity,
    Regimen,
    Request,
    Status,
    explain,
    facts_of,
    walk,
)
from umpolicy.nodes import checks_of
from umpolicy_policies.proleukin import POLICY

DATE = dt.date(2026, 3, 2)
SECOND_CYCLE = AtLeast("regimen.cycles_per_course", Quantity("2", "{cycle}"))
REST = AtLeast("regimen.rest_between_cycles", Quantity("9", "d"))
RESTED = DoseLimit("R", "Rest 9 days before a second cycle.", (REST,), applies_if=SECOND_CYCLE)


def regimen(cycles: int | None, rest: str | None) -> FactBook:
    rest_q = None if rest is None else Quantity(rest, "d")
    return FactBook(
        Request(DATE, regimen=Regimen(cycles_per_course=cycles, rest_between_cycles=rest_q))
    )


class TestWalk:
    """walk yields every node depth first in policy order; checks_of a node's own checks."""

    def test_order(self) -> None:
        tree = AnyOf(
            "1",
            "one",
            (
                AllOf("1.A", "a", (Predicate("1.A.i", "i", IsTrue("x")),)),
                Predicate("1.B", "b", IsTrue("y")),
            ),
        )
        assert [node.label for node in walk(tree)] == ["1", "1.A", "1.A.i", "1.B"]

    def test_checks_of(self) -> None:
        heading = AllOf("1", "t", (), requires=IsTrue("a"))
        assert checks_of(heading) == (IsTrue("a"),)
        assert checks_of(AllOf("1", "t", ())) == ()
        assert checks_of(Predicate("p", "t", IsTrue("b"))) == (IsTrue("b"),)
        assert checks_of(Predicate("p", "t", IsTrue("b"), applies_if=IsTrue("c"))) == (
            IsTrue("c"),
            IsTrue("b"),
        )
        assert checks_of(RESTED) == (SECOND_CYCLE, REST)

    def test_facts_of_in_first_read_order_once(self) -> None:
        tree = AllOf(
            "1",
            "t",
            (Predicate("a", "t", IsTrue("y")), RESTED, Predicate("b", "t", IsTrue("x"))),
            requires=IsTrue("x"),
        )
        assert facts_of(tree) == (
            "x",
            "y",
            "regimen.cycles_per_course",
            "regimen.rest_between_cycles",
        )

    def test_predicate_checks(self) -> None:
        assert Predicate("p", "t", IsTrue("b")).checks == (IsTrue("b"),)


class TestAppliesIf:
    """A conditional rule that does not apply is met; unknown applicability stays unknown."""

    @pytest.mark.parametrize(
        ("cycles", "rest", "status", "applies"),
        [
            (1, None, Status.MET, False),
            (1, "0", Status.MET, False),
            (2, "9", Status.MET, True),
            (2, "8", Status.NOT_MET, True),
            (2, None, Status.UNKNOWN, True),
            (None, None, Status.UNKNOWN, True),
            (None, "8", Status.UNKNOWN, True),
            (None, "9", Status.MET, True),
        ],
    )
    def test_table(
        self, cycles: int | None, rest: str | None, status: Status, applies: bool
    ) -> None:
        trail = explain(RESTED, regimen(cycles, rest))
        assert trail.status is status
        assert trail.applies is applies
        scope, rule = trail.findings
        assert scope.rule == "regimen.cycles_per_course ≥ 2 cycles"
        assert rule.rule == "regimen.rest_between_cycles ≥ 9 days"
        if applies:
            assert scope.note is None
        else:
            assert scope.note == (
                "does not apply: regimen.cycles_per_course ≥ 2 cycles is not the case"
            )

    def test_predicate_without_condition(self) -> None:
        trail = explain(Predicate("p", "t", IsTrue("diagnosis.metastatic")), regimen(None, None))
        assert trail.status is Status.UNKNOWN
        assert trail.applies is True
        assert trail.kind == "predicate"
        assert [fact.name for fact in trail.facts()] == ["diagnosis.metastatic"]


class TestExplainHeadings:
    """A heading combines its children (all or any) and its own condition, Kleene-wise."""

    @pytest.mark.parametrize(
        ("kind", "condition", "cycles", "status"),
        [
            (AllOf, None, 2, Status.NOT_MET),
            (AnyOf, None, 2, Status.MET),
            (AnyOf, OneOf("regimen.route", ("intravenous",)), 2, Status.UNKNOWN),
            (AllOf, None, 1, Status.MET),
        ],
    )
    def test_combination(
        self, kind: type[AllOf] | type[AnyOf], condition: OneOf | None, cycles: int, status: Status
    ) -> None:
        children: tuple[Node, ...] = (
            Predicate("a", "t", SECOND_CYCLE),
            Predicate("b", "t", AtLeast("regimen.cycles_per_course", Quantity("3", "{cycle}"))),
        )
        if cycles == 1:
            children = (RESTED,)
        tree = kind("1", "t", children, title="T", requires=condition)
        trail = explain(tree, regimen(cycles, None))
        assert trail.status is status
        assert trail.kind == ("all_of" if kind is AllOf else "any_of")
        assert trail.title == "T"
        assert [c.label for c in trail.children] == [c.label for c in children]
        assert len(trail.findings) == (0 if condition is None else 1)


class TestPolicyTree:
    """Policy.facts lists every fact the Proleukin tree reads, each in the catalog."""

    def test_facts(self) -> None:
        read = {
            name
            for indication in POLICY.indications
            for node in (indication.criteria, indication.dosing)
            for each in walk(node)
            for check in checks_of(each)
            for name in check.facts()
        }
        assert set(POLICY.facts()) == read
        assert len(POLICY.facts()) == len(read)
        assert set(read) <= set(FACTS)
        assert POLICY.facts()[:2] == ("diagnosis.condition", "regimen.route")

    def test_every_label_is_unique(self) -> None:
        labels = [
            node.label
            for indication in POLICY.indications
            for root in (indication.criteria, indication.dosing)
            for node in walk(root)
        ]
        assert len(labels) == len(set(labels))

    def test_said_and_indications(self) -> None:
        assert POLICY.said("automation") == "Automation: None."
        with pytest.raises(KeyError, match="nope"):
            POLICY.said("nope")
        assert [(i.label, i.title) for i in POLICY.indications] == [
            ("1", "Cutaneous Melanoma"),
            ("2", "Renal Cell Carcinoma"),
            ("3", "Graft-Versus-Host Disease"),
        ]

    def test_title_falls_back_to_text(self) -> None:
        from umpolicy import Indication

        indication = Indication(
            AllOf("9", "Words", ()), AllOf("D9", "d", ()), Quantity("1", "a"), "S"
        )
        assert indication.title == "Words"
        assert indication.label == "9"

    def test_content_hash_is_stable(self) -> None:
        assert POLICY.content_hash == POLICY.content_hash
        assert len(POLICY.content_hash) == 64
