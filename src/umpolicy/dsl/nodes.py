"""The policy DSL: immutable nodes that mirror a policy label for label, word for word.

A tree of these nodes is pure data: every node carries the policy's label and its
own words, and leaves hold typed checks (no functions), so the same tree is
evaluated, serialized, rendered and asked which facts it needs.
"""

from __future__ import annotations

from collections.abc import Iterator

from attrs import frozen

from umpolicy.dsl.checks import Check
from umpolicy.dsl.quantity import Quantity


@frozen
class Predicate:
    """A lettered criterion decided by one check.

    ``applies_if`` makes a criterion conditional: when that check is not met the
    criterion does not apply, and counts as met with the trail saying so.
    ``requires`` is the criterion's own condition, as a heading's is (a weight tier):
    when it is not met, the criterion is not met and off the request's branch.
    ``approval`` is the period when the criterion is a branch of its own ("B) Patient is
    Currently Receiving the drug. Approve for 1 year if …").
    """

    label: str
    text: str
    check: Check
    applies_if: Check | None = None
    requires: Check | None = None
    approval: Quantity | None = None

    @property
    def checks(self) -> tuple[Check, ...]:
        """The checks that decide this criterion."""
        return (self.check,)


@frozen
class DoseLimit:
    """A lettered dosing rule: every limit it states (dose, frequency, cycle) must hold."""

    label: str
    text: str
    checks: tuple[Check, ...]
    applies_if: Check | None = None
    requires: Check | None = None


@frozen
class AllOf:
    """A heading met when its own condition (``requires``) and ALL its children are met.

    ``title`` is the heading's name as the document prints it, punctuation included
    ("Intravenous Therapy." before "Approve if…", "Intravenous Therapy" before "(i…").
    ``approval`` is the period a branch is approved for when the policy gives one
    ("Initial Therapy. Approve for 6 months"); the indication's period otherwise.
    """

    label: str
    text: str
    children: tuple[Node, ...]
    title: str | None = None
    requires: Check | None = None
    approval: Quantity | None = None


@frozen
class AnyOf:
    """A heading met when its own condition (``requires``) and ONE of its children are met."""

    label: str
    text: str
    children: tuple[Node, ...]
    title: str | None = None
    requires: Check | None = None
    approval: Quantity | None = None


Node = Predicate | DoseLimit | AllOf | AnyOf
Leaf = Predicate | DoseLimit
Group = AllOf | AnyOf


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, depth first, in the policy's order."""
    yield node
    if isinstance(node, Group):
        for child in node.children:
            yield from walk(child)


def roles(node: Node) -> tuple[tuple[str, Check], ...]:
    """The node's own checks, each with its part: ``requires``, ``applies if`` or ``rule``.

    The order is that of the node's findings: its condition, then whether it applies,
    then its rules; a heading holds only its condition, not its children's checks.
    """
    found: list[tuple[str, Check]] = []
    if node.requires is not None:
        found.append(("requires", node.requires))
    if not isinstance(node, Group):
        if node.applies_if is not None:
            found.append(("applies if", node.applies_if))
        found += [("rule", check) for check in node.checks]
    return tuple(found)


def checks_of(node: Node) -> tuple[Check, ...]:
    """The checks a node itself holds, in the order of its findings (see :func:`roles`)."""
    return tuple(check for _, check in roles(node))


def facts_of(node: Node) -> tuple[str, ...]:
    """The facts a tree reads, each once, in the order it first reads them."""
    names: dict[str, None] = {}
    for each in walk(node):
        for check in checks_of(each):
            names.update(dict.fromkeys(check.facts()))
    return tuple(names)
