"""The audit trail: every node of the tree, with its status and the facts behind it.

:func:`explain` walks the *whole* tree (nothing is hidden by short-circuiting), so
a reviewer can check a decision from the trail alone: each node's label, words and
status, each fact read with its value, unit and inputs, each limit against the
requested value.
"""

from __future__ import annotations

from typing import NamedTuple

from umpolicy.checks import Finding
from umpolicy.facts import Fact, FactBook
from umpolicy.nodes import AllOf, AnyOf, Node
from umpolicy.records import record
from umpolicy.status import Status, all_met, any_met


@record
class Trail(NamedTuple):
    """One node's part in a decision.

    ``kind`` is the node's type (``all_of``, ``any_of``, ``predicate``,
    ``dose_limit``). For a heading, ``findings`` holds its own condition; for a
    criterion, its rule (after the ``applies_if`` finding when it has one).
    ``applies`` is false when a conditional criterion does not apply. An immutable
    record, equal only to a Trail (see :mod:`umpolicy.records`).
    """

    label: str
    kind: str
    text: str
    status: Status
    findings: tuple[Finding, ...] = ()
    children: tuple[Trail, ...] = ()
    title: str | None = None
    applies: bool = True

    def facts(self) -> tuple[Fact, ...]:
        """The facts this node itself read."""
        return tuple(fact for finding in self.findings for fact in finding.facts)


def scope(applies: Finding) -> Finding:
    """A conditional criterion's first finding: its condition, and whether it applies."""
    note = None
    if applies.status is Status.NOT_MET:
        note = f"does not apply: {applies.rule} is not the case"
    return Finding(applies.rule, applies.status, applies.facts, note=note)


_KIND = {"AllOf": "all_of", "AnyOf": "any_of", "Predicate": "predicate", "DoseLimit": "dose_limit"}


def kind_of(node: Node) -> str:
    """The trail's name for the node's type (``all_of``, ``any_of``, ``predicate``, ...)."""
    return _KIND[type(node).__name__]


def explain(node: Node, book: FactBook) -> Trail:
    """The trail of ``node`` and all its descendants for the request in ``book``."""
    kind = kind_of(node)
    if isinstance(node, AllOf | AnyOf):
        children = tuple(explain(child, book) for child in node.children)
        combine = all_met if isinstance(node, AllOf) else any_met
        status = combine(child.status for child in children)
        findings: tuple[Finding, ...] = ()
        if node.requires is not None:
            condition = node.requires.evaluate(book)
            findings = (condition,)
            status = condition.status & status
        return Trail(node.label, kind, node.text, status, findings, children, node.title)
    rules = tuple(check.evaluate(book) for check in node.checks)
    status = all_met(rule.status for rule in rules)
    if node.applies_if is None:
        return Trail(node.label, kind, node.text, status, rules)
    applies = node.applies_if.evaluate(book)
    return Trail(
        node.label,
        kind,
        node.text,
        ~applies.status | status,
        (scope(applies), *rules),
        applies=applies.status is not Status.NOT_MET,
    )
