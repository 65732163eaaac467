"""The evaluator and its compact trail: every node's status, every fact once.

:func:`explain` walks the *whole* tree (nothing is hidden by short-circuiting) and
is the one place a node's status is worked out: a heading combines its children
(Kleene "all" or "any") with its own condition; a criterion combines its rules,
after its condition and whether it applies. Checks implement their comparisons;
this module implements the walk, once. It writes each tree as one straight-line
Python function (:func:`walker`, compiled once per policy, with each check's own code
inline; see :mod:`umpolicy.dsl.emit`). A step that can only take a few values (its
findings made beforehand) is made beforehand too, so requests share it.

The trail refers to the policy's nodes by label and to facts by name: a decision
does not copy the policy's words (the renderers look them up in the policy), and
each fact read appears once, in :attr:`Trail.facts`, with its value and inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, Protocol

from umpolicy.dsl.checks import Book, Check
from umpolicy.dsl.emit import Code, all_of, any_of, chosen, negated, position
from umpolicy.dsl.findings import Fact, Finding
from umpolicy.dsl.kept import by_identity
from umpolicy.dsl.nodes import AllOf, AnyOf, Node, checks_of, walk
from umpolicy.dsl.records import record
from umpolicy.dsl.status import Status


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
    return _explainer(node)(book, steps)


@by_identity
def _explainer(node: Node) -> Walk:
    """The walk of a tree on its own, compiled once while it is asked for."""
    return walker(node, recurring(node))


class Keeper(Book, Protocol):
    """A book that keeps each check's finding for the request (see ``FactBook.finding``)."""

    def finding(self, check: Check) -> Finding:
        """The check's finding, worked out once per request."""
        ...


Walk = Callable[[Keeper, dict[str, Step]], Status]


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


def walker(
    node: Node,
    recurring: frozenset[Check] = frozenset(),
    readers: Mapping[str, Callable[[Any], Fact]] | None = None,
) -> Walk:
    """The walk of ``node``: its whole tree written as one function, compiled once.

    :func:`umpolicy.decide` keeps each policy's walks; :func:`explain` builds one.
    ``recurring`` are the checks held in more than one place (see :func:`recurring`):
    the book keeps their findings, so each is evaluated once per request. With the
    policy's ``readers`` the walk reads the facts it needs into ``book.facts`` itself.
    """
    code = Code(readers)
    code.names["Step"] = Step
    status = _node(code, node, recurring)
    walk: Walk = code.function("book, steps", status, f"walk of {node.label}")
    return walk


def _finding(code: Code, check: Check, recurring: frozenset[Check]) -> str:
    """The local of a check's finding: kept by the book if it recurs, else its own code."""
    one = canonical(check)
    if one not in recurring:
        return one.emit(code)
    found = code.local("r")
    if code.readers is None:
        code.line(f"{found} = book.finding({code.constant(one)})")
        return found
    key = code.constant(id(one))  # as FactBook.finding keeps it
    code.line(f"{found} = found.get({key})")
    with code.block(f"if {found} is None"):
        inner = one.emit(code)
        code.line(f"{found} = found[{key}] = {inner}")
    if inner in code.premade:
        code.premade[found] = code.premade[inner]
    return found


def _node(code: Code, node: Node, recurring: frozenset[Check]) -> str:
    """Write the walk of ``node`` (its children first) and its step; the local of its status.

    A heading's children are walked first, then its condition; a criterion's rules,
    then whether it applies, then its condition: the order the facts are read in.
    """
    if isinstance(node, AllOf | AnyOf):
        children = [_node(code, child, recurring) for child in node.children]
        combined = code.local("s")
        code.line(f"{combined} = {(all_of if isinstance(node, AllOf) else any_of)(children)}")
        if node.requires is None:
            code.line(f"steps[{node.label!r}] = {chosen(combined, _names(code, HEADINGS))}")
            return combined
        inputs = [combined, _finding(code, node.requires, recurring)]
    else:
        inputs = [_finding(code, check, recurring) for check in node.checks]
        inputs += [
            _finding(code, each, recurring)
            for each in (node.applies_if, node.requires)
            if each is not None
        ]
    premade = inputs[isinstance(node, AllOf | AnyOf) :]
    if len(inputs) <= TABLED and all(each in code.premade for each in premade):
        return _tabled(code, node, inputs)
    return _step(code, node, inputs)


def _step(code: Code, node: Node, inputs: list[str]) -> str:
    """Write how ``node``'s status and step follow from its inputs; the local of its status.

    A heading's inputs are its children's status combined, then its condition's
    finding; a criterion's, its rules' findings, then its scope's and its condition's.
    A heading is met when its condition and its children are (Kleene); a criterion
    when, where it applies, all its rules are, and its condition is met.
    """
    condition: str | None
    if isinstance(node, AllOf | AnyOf):
        status, condition = inputs
        findings = [condition]
    else:
        rules = inputs[: len(node.checks)]
        status = code.local("s")
        code.line(f"{status} = {all_of([code.status(each) for each in rules])}")
        findings = list(rules)
        rest = iter(inputs[len(node.checks) :])
        applies = "True"
        if node.applies_if is not None:
            where = next(rest)
            scope, inverse = code.status(where), code.local("s")
            code.line(f"{inverse} = {negated(scope)}")
            code.line(f"{status} = {any_of([inverse, status])}")
            applies = f"{scope} is not NOT_MET"
            findings.insert(0, where)
        condition = next(rest, None)
        if condition is not None:
            findings.insert(0, condition)
    off = "False"
    if condition is not None:
        met, joined = code.status(condition), code.local("s")
        code.line(f"{joined} = {all_of([met, status])}")
        status, off = joined, f"{met} is NOT_MET"
    if isinstance(node, AllOf | AnyOf):
        applies = "True"
    listed = "".join(f"{each}, " for each in findings)
    code.line(f"steps[{node.label!r}] = new(Step, ({status}, ({listed}), {applies}, {off}))")
    return status


def _tabled(code: Code, node: Node, inputs: list[str]) -> str:
    """A step chosen from steps made beforehand, one for each status of each input.

    When every input is a status or a finding made beforehand, the node has only so
    many steps: :func:`_step`'s own code, run on each combination now, makes them,
    and the walk picks the one for the request's inputs.
    """
    maker = Code()
    maker.names["Step"] = Step
    params = [maker.local("p") for _ in inputs]
    options: list[tuple[object, object, object]] = []
    for each, param in zip(inputs, params, strict=True):
        made = code.premade.get(each)
        options.append(made if made is not None else (Status.MET, Status.NOT_MET, Status.UNKNOWN))
        if made is not None:
            maker.premade[param] = made
    status = _step(maker, node, params)
    make = maker.function(f"steps, {', '.join(params)}", status, f"step of {node.label}")

    def table(chosen: tuple[object, ...]) -> object:
        if len(chosen) == len(options):
            steps: dict[str, Step] = {}
            make(steps, *chosen)
            (step,) = steps.values()
            if len(SHARED) >= KEPT_STEPS:  # only trees walked alone, in their thousands
                SHARED.clear()
                SHARED.update((id(each), each) for each in HEADINGS)
            SHARED[id(step)] = step
            return step
        return tuple(table((*chosen, each)) for each in options[len(chosen)])

    picked = "".join(
        f"[{position(each if each not in code.premade else f'{each}[0]')}]" for each in inputs
    )
    step, status = code.local("t"), code.local("s")
    code.line(f"{step} = {code.constant(table(()))}{picked}")
    code.line(f"steps[{node.label!r}] = {step}")
    code.line(f"{status} = {step}[0]")
    return status


def _names(code: Code, values: tuple[object, object, object]) -> tuple[str, str, str]:
    met, not_met, unknown = map(code.constant, values)
    return met, not_met, unknown


#: The steps made beforehand, by identity: every request that has one shares it, so
#: its JSON is written once (see :mod:`umpolicy.io.decision_json`).
SHARED: dict[int, Step] = {}
#: How many steps :data:`SHARED` keeps before it starts anew (a step no longer kept is
#: written in full: the same text).
KEPT_STEPS = 65536
#: The most inputs a node's steps are made beforehand for (3 ** 4 = 81 steps at most):
#: a node of more is written per request.
TABLED = 4


#: A heading's step without a condition of its own, by its status: shared by all.
HEADINGS = (Step(Status.MET), Step(Status.NOT_MET), Step(Status.UNKNOWN))
SHARED.update((id(step), step) for step in HEADINGS)


_CHECKS: dict[Check, Check] = {}


def canonical(check: Check) -> Check:
    """The one instance of each check's content, so findings are kept by identity."""
    return _CHECKS.setdefault(check, check)
