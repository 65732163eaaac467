"""The evaluator and its compact trail: every node's status, every fact once.

:func:`explain` walks the *whole* tree (nothing is hidden by short-circuiting) and
is the one place a node's status is worked out: a heading combines its children
(Kleene "all" or "any") with its own condition; a criterion combines its rules,
after its condition and whether it applies. Checks implement their comparisons;
this module implements the walk, once.

The trail refers to the policy's nodes by label and to facts by name: a decision
does not copy the policy's words (the renderers look them up in the policy), and
each fact read appears once, in :attr:`Trail.facts`, with its value and inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from umpolicy.dsl.checks import Book
from umpolicy.dsl.findings import Fact, Finding
from umpolicy.dsl.nodes import AllOf, AnyOf, Node
from umpolicy.dsl.records import record
from umpolicy.dsl.status import Status, all_met, any_met

MET, NOT_MET, UNKNOWN = Status.MET, Status.NOT_MET, Status.UNKNOWN


@record
class Step(NamedTuple):
    """One node's part in a decision: its status and its own findings.

    ``findings`` line up with :func:`umpolicy.dsl.nodes.checks_of`: the node's
    condition (``requires``), then whether it applies (``applies_if``), then its rules.
    ``applies`` is false when a conditional criterion does not apply (it counts as
    met); ``off`` is true when the node's own condition rules the request out of it.
    """

    status: Status
    findings: tuple[Finding, ...] = ()
    applies: bool = True
    off: bool = False


@record
class Trail(NamedTuple):
    """Every node's step, by label in the policy's order, and every fact read, by name."""

    steps: Mapping[str, Step]
    facts: Mapping[str, Fact]

    def facts_of(self, label: str) -> tuple[Fact, ...]:
        """The facts the node with this label itself read, each once."""
        names = dict.fromkeys(name for f in self.steps[label].findings for name in f.facts)
        return tuple(self.facts[name] for name in names)


def explain(node: Node, book: Book, steps: dict[str, Step]) -> Status:
    """Work out ``node`` and all its descendants into ``steps``; the node's status."""
    condition = None if node.requires is None else node.requires.evaluate(book)
    if isinstance(node, AllOf | AnyOf):
        statuses = [explain(child, book, steps) for child in node.children]
        status = all_met(statuses) if isinstance(node, AllOf) else any_met(statuses)
        own: tuple[Finding, ...] = ()
        applies = True
    else:
        rules = tuple(check.evaluate(book) for check in node.checks)
        status = all_met(rule.status for rule in rules)
        own = rules
        applies = True
        if node.applies_if is not None:
            scope = node.applies_if.evaluate(book)
            status = ~scope.status | status
            applies = scope.status is not NOT_MET
            own = (scope, *rules)
    off = False
    if condition is not None:
        status = condition.status & status
        off = condition.status is NOT_MET
        own = (condition, *own)
    steps[node.label] = Step(status, own, applies, off)
    return status
