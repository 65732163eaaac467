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

from collections.abc import Callable, Mapping
from typing import NamedTuple, Protocol

from umpolicy.dsl.checks import Book, Check
from umpolicy.dsl.findings import Fact, Finding
from umpolicy.dsl.nodes import AllOf, AnyOf, Node, checks_of, walk
from umpolicy.dsl.records import new, record
from umpolicy.dsl.status import Status, all_met, any_met

NOT_MET = Status.NOT_MET


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


def explain(node: Node, book: Keeper, steps: dict[str, Step]) -> Status:
    """Work out ``node`` and all its descendants into ``steps``; the node's status."""
    return walker(node, recurring(node))(book, steps)


class Keeper(Book, Protocol):
    """A book that keeps each check's finding for the request (see ``FactBook.finding``)."""

    def finding(self, check: Check) -> Finding:
        """The check's finding, worked out once per request."""
        ...


Walk = Callable[[Keeper, dict[str, Step]], Status]
#: A check's finding for one request: from the book when the check recurs, else direct.
Find = Callable[[Keeper], Finding]


def recurring(*roots: Node | Check) -> frozenset[Check]:
    """The checks (by content) that more than one place of these trees holds.

    A check equal in content to another (the age limit of 1.A.i, 1.B.i and 2.A) is
    worked out once per request, by the book that keeps findings; one held once is
    worked out directly, without the book's bookkeeping.
    """
    seen: set[Check] = set()
    again: set[Check] = set()
    for root in roots:
        checks = (
            (root,)
            if not isinstance(root, Node)
            else (check for node in walk(root) for check in checks_of(node))
        )
        for check in checks:
            (again if check in seen else seen).add(check)
    return frozenset(again)


def _finder(check: Check, recurring: frozenset[Check]) -> Find:
    """How the walk finds ``check``: kept by the book if it recurs, else evaluated here."""
    one = canonical(check)
    if one in recurring:
        return lambda book: book.finding(one)
    return one.evaluate


def walker(node: Node, recurring: frozenset[Check] = frozenset()) -> Walk:
    """The walk of ``node``: its children's walks and its checks, put together once.

    :func:`umpolicy.decide` keeps each policy's walks; :func:`explain` builds one.
    ``recurring`` are the checks held in more than one place (see :func:`recurring`):
    the book keeps their findings, so each is evaluated once per request.
    """
    label = node.label
    requires = None if node.requires is None else _finder(node.requires, recurring)
    if isinstance(node, AllOf | AnyOf):
        children = tuple(walker(child, recurring) for child in node.children)
        combine = all_met if isinstance(node, AllOf) else any_met

        def heading(book: Keeper, steps: dict[str, Step]) -> Status:
            status = combine([child(book, steps) for child in children])
            if requires is None:
                steps[label] = new(Step, (status, (), True, False))
                return status
            condition = requires(book)
            status = condition.status & status
            steps[label] = new(Step, (status, (condition,), True, condition.status is NOT_MET))
            return status

        return heading
    rules = tuple(_finder(check, recurring) for check in node.checks)
    scope = None if node.applies_if is None else _finder(node.applies_if, recurring)
    if len(rules) == 1 and scope is None and requires is None:
        (rule,) = rules

        def single(book: Keeper, steps: dict[str, Step]) -> Status:
            found = rule(book)
            status = found.status
            steps[label] = new(Step, (status, (found,), True, False))
            return status

        return single

    def criterion(book: Keeper, steps: dict[str, Step]) -> Status:
        own = tuple([rule(book) for rule in rules])
        status = all_met([finding.status for finding in own])
        applies = True
        if scope is not None:
            where = scope(book)
            status = ~where.status | status
            applies = where.status is not NOT_MET
            own = (where, *own)
        off = False
        if requires is not None:
            condition = requires(book)
            status = condition.status & status
            off = condition.status is NOT_MET
            own = (condition, *own)
        steps[label] = new(Step, (status, own, applies, off))
        return status

    return criterion


_CHECKS: dict[Check, Check] = {}


def canonical(check: Check) -> Check:
    """The one instance of each check's content, so findings are kept by identity."""
    return _CHECKS.setdefault(check, check)
