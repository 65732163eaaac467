"""The policy DSL: immutable nodes that mirror a policy label for label, word for word.

A tree of these nodes is pure data: every node carries the policy's label and its
own words, and leaves hold typed checks (no functions), so the same tree is
evaluated, serialized, rendered and asked which facts it needs.
"""

from __future__ import annotations

from collections.abc import Iterator

from attrs import frozen

from umpolicy.checks import Check


@frozen
class Predicate:
    """A lettered criterion decided by one check.

    ``applies_if`` makes a criterion conditional: when that check is not met the
    criterion does not apply, and counts as met with the trail saying so.
    """

    label: str
    text: str
    check: Check
    applies_if: Check | None = None

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


@frozen
class AllOf:
    """A heading met when its own condition (``requires``) and ALL its children are met.

    ``title`` is the heading's name as the document prints it, punctuation included
    ("Intravenous Therapy." before "Approve if…", "Intravenous Therapy" before "(i…").
    """

    label: str
    text: str
    children: tuple[Node, ...]
    title: str | None = None
    requires: Check | None = None


@frozen
class AnyOf:
    """A heading met when its own condition (``requires``) and ONE of its children are met."""

    label: str
    text: str
    children: tuple[Node, ...]
    title: str | None = None
    requires: Check | None = None


Node = Predicate | DoseLimit | AllOf | AnyOf
Leaf = Predicate | DoseLimit
Group = AllOf | AnyOf


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, depth first, in the policy's order."""
    yield node
    if isinstance(node, AllOf | AnyOf):
        for child in node.children:
            yield from walk(child)


def checks_of(node: Node) -> tuple[Check, ...]:
    """The checks a node itself holds (its condition, its rule), not its children's."""
    if isinstance(node, AllOf | AnyOf):
        return () if node.requires is None else (node.requires,)
    own = node.checks
    return own if node.applies_if is None else (node.applies_if, *own)


def facts_of(node: Node) -> tuple[str, ...]:
    """The facts a tree reads, each once, in the order it first reads them."""
    names: dict[str, None] = {}
    for each in walk(node):
        for check in checks_of(each):
            names.update(dict.fromkeys(check.facts()))
    return tuple(names)
