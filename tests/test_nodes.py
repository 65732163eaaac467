"""The policy DSL: walking trees, the facts they read, and the trail they explain."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings

from umpolicy import (
    AllOf,
    AnyOf,
    AtLeast,
    DoseLimit,
    IsTrue,
    Medication,
    Node,
    OneOf,
    Predicate,
    Quantity,
    Request,
    Schedule,
    Status,
    Step,
    explain,
    facts_of,
    walk,
)
from umpolicy.dsl.checks import Either
from umpolicy.dsl.findings import Fact
from umpolicy.dsl.nodes import checks_of
from umpolicy.engine import trail
from umpolicy.engine.book import FactBook
from umpolicy.engine.catalog import catalog, readers
from umpolicy.engine.trail import canonical, recurring, walker
from umpolicy.io.validation import admit
from umpolicy_policies.proleukin import POLICY

from .engine_strategies import requests

DATE = dt.date(2026, 3, 2)
SECOND_CYCLE = AtLeast("medication.schedule.cycles_per_course", Quantity("2", "{cycle}"))
REST = AtLeast("medication.schedule.rest_between_cycles", Quantity("9", "d"))
RESTED = DoseLimit("R", "Rest 9 days before a second cycle.", (REST,), applies_if=SECOND_CYCLE)


def regimen(cycles: int | None, rest: str | None) -> FactBook:
    rest_q = None if rest is None else Quantity(rest, "d")
    schedule = Schedule(cycles_per_course=cycles, rest_between_cycles=rest_q)
    return FactBook(readers(POLICY), Request(DATE, medication=Medication(schedule=schedule)), {})


def run(node: Node, book: FactBook) -> tuple[Step, dict[str, Step]]:
    """The node's step, and every step of its tree."""
    steps: dict[str, Step] = {}
    status = explain(node, book, steps)
    assert steps[node.label].status is status
    return steps[node.label], steps


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
            "medication.schedule.cycles_per_course",
            "medication.schedule.rest_between_cycles",
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
        step, _ = run(RESTED, regimen(cycles, rest))
        assert step.status is status
        assert step.applies is applies
        assert step.off is False
        scope, rule = step.findings
        assert scope.facts == ("medication.schedule.cycles_per_course",)
        assert rule.facts == ("medication.schedule.rest_between_cycles",)
        assert (scope.status is Status.NOT_MET) is not applies

    def test_predicate_without_condition(self) -> None:
        step, _ = run(
            Predicate("p", "t", IsTrue("answers.melanoma_metastatic")), regimen(None, None)
        )
        assert step.status is Status.UNKNOWN
        assert step.applies is True
        assert [finding.facts for finding in step.findings] == [("answers.melanoma_metastatic",)]

    @pytest.mark.parametrize(
        ("cycles", "status", "off"),
        [(2, Status.MET, False), (1, Status.NOT_MET, True), (None, Status.UNKNOWN, False)],
    )
    def test_a_criterion_of_its_own_condition(
        self, cycles: int | None, status: Status, off: bool
    ) -> None:
        """``requires`` on a criterion: not met rules it out (off the branch), as a heading's."""
        node = Predicate(
            "p",
            "t",
            AtLeast("medication.schedule.rest_between_cycles", Quantity("0", "d")),
            requires=SECOND_CYCLE,
        )
        step, _ = run(node, regimen(cycles, "9"))
        assert (step.status, step.off) == (status, off)
        assert len(step.findings) == 2


class TestExplainHeadings:
    """A heading combines its children (all or any) and its own condition, Kleene-wise."""

    @pytest.mark.parametrize(
        ("kind", "condition", "cycles", "status"),
        [
            (AllOf, None, 2, Status.NOT_MET),
            (AnyOf, None, 2, Status.MET),
            (AnyOf, OneOf("medication.route", ("47625008",)), 2, Status.UNKNOWN),
            (AllOf, None, 1, Status.MET),
        ],
    )
    def test_combination(
        self, kind: type[AllOf] | type[AnyOf], condition: OneOf | None, cycles: int, status: Status
    ) -> None:
        children: tuple[Node, ...] = (
            Predicate("a", "t", SECOND_CYCLE),
            Predicate(
                "b", "t", AtLeast("medication.schedule.cycles_per_course", Quantity("3", "{cycle}"))
            ),
        )
        if cycles == 1:
            children = (RESTED,)
        tree = kind("1", "t", children, title="T", requires=condition)
        step, steps = run(tree, regimen(cycles, None))
        assert step.status is status
        assert list(steps) == [*(c.label for c in children), "1"]
        assert len(step.findings) == (0 if condition is None else 1)


class TestRecurringChecks:
    """A check a tree holds in two places is worked out once per request, by the book."""

    def test_one_finding_for_both_places(self) -> None:
        check = AtLeast("medication.schedule.cycles_per_course", Quantity("2", "{cycle}"))
        tree = AllOf("1", "t", (Predicate("a", "t", check), Predicate("b", "t", check)))
        book = regimen(3, None)
        step, steps = run(tree, book)
        assert step.status is Status.MET
        (first,), (second,) = steps["a"].findings, steps["b"].findings
        assert first is second
        assert list(book.found.values()) == [first]
        assert book.finding(canonical(check)) is first  # kept: not worked out again

    def test_a_yes_or_no_combination_in_two_trees(self) -> None:
        """Two trees of a policy share the finding of an ``Either`` both hold, by identity."""
        check = Either(
            IsTrue("answers.melanoma_metastatic"), IsTrue("answers.melanoma_unresectable")
        )
        trees = [AllOf(n, "t", (Predicate(f"{n}.a", "t", check),)) for n in ("1", "2")]
        again, known = recurring(*trees), readers(POLICY)
        book = FactBook(known, Request(DATE), {"melanoma_metastatic": True})
        steps: dict[str, Step] = {}
        for tree in trees:
            assert walker(tree, again, known)(book, steps) is Status.MET
        (first,), (second,) = steps["1.a"].findings, steps["2.a"].findings
        assert first is second is book.found[id(canonical(check))]


class TestManyRules:
    """A criterion of more rules than steps are made beforehand for is decided the same way."""

    @pytest.mark.parametrize("failing", [None, 0, 4])
    def test_every_rule_counts(self, failing: int | None) -> None:
        rules = tuple(IsTrue(f"answers.q{n}") for n in range(5))
        node = DoseLimit("D", "five rules", rules)
        known = {
            f"answers.q{n}": (lambda value: lambda _: Fact(f"answers.q{value}", value != failing))(
                n
            )
            for n in range(5)
        }
        book = FactBook(known, Request(DATE), {})
        steps: dict[str, Step] = {}
        status = explain(node, book, steps)
        assert status is (Status.MET if failing is None else Status.NOT_MET)
        assert [f.status for f in steps["D"].findings] == [
            Status.NOT_MET if n == failing else Status.MET for n in range(5)
        ]


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
        assert set(read) <= set(catalog(POLICY))
        assert POLICY.facts()[:2] == ("diagnoses", "medication.route")

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
            AllOf("9", "Words", ()), AllOf("D9", "d", ()), "S", Quantity("1", "a")
        )
        assert indication.title == "Words"
        assert indication.label == "9"

    def test_content_hash_is_stable(self) -> None:
        assert POLICY.content_hash == POLICY.content_hash
        assert len(POLICY.content_hash) == 64


class TestStepsMadeBeforehand:
    """Steps made beforehand are exactly the steps the walk would write per request."""

    @given(requests())
    @settings(max_examples=200, deadline=None)
    def test_as_if_written_per_request(self, request: Request) -> None:
        trees = tuple(POLICY.trees())
        again, known = recurring(*trees), readers(POLICY)
        answers = admit(POLICY, request)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(trail, "TABLED", -1)  # no node's steps made beforehand
            plain = [walker(tree, again, known) for tree in trees]
        tabled = [walker(tree, again, known) for tree in trees]
        found = []
        for walks in (plain, tabled):
            book, steps = FactBook(known, request, answers), dict[str, Step]()
            statuses = [walk(book, steps) for walk in walks]
            found.append((statuses, steps, book.facts))
        assert found[0] == found[1]
        assert list(found[0][2]) == list(found[1][2])  # the facts read in the same order
