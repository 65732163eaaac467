"""The tree compiled once into closures: the same trail as :func:`~umpolicy.explain`, faster.

A policy tree stays pure data. What every evaluation of it would otherwise redo (the
rule's words, the node's kind, which limit a unit compares with, the unit factors) is
worked out once per check and node, and kept in closures cached for the tree.
:func:`explain` here returns exactly what :func:`umpolicy.trail.explain` returns; the
tests hold them equal.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

from umpolicy.checks import (
    _BASIS,
    _SHOWN,
    AtLeast,
    AtMost,
    Check,
    Either,
    Finding,
    Includes,
    IsTrue,
    OneOf,
    _Bound,
    includes,
)
from umpolicy.facts import GETTERS, READERS, Fact, FactBook, Reader
from umpolicy.nodes import AllOf, AnyOf, Node
from umpolicy.quantity import EXACT, Quantity
from umpolicy.status import Status, all_met, any_met
from umpolicy.trail import Trail
from umpolicy.units import UNITS

Evaluate = Callable[[FactBook], Finding]
Explain = Callable[[FactBook], Trail]

MET, NOT_MET, UNKNOWN = Status.MET, Status.NOT_MET, Status.UNKNOWN
_mul = EXACT.multiply
#: Each unit's factor as (numerator, denominator), by code.
_RATIO = {code: (u.factor.numerator, u.factor.denominator) for code, u in UNITS.items()}
_KNOWN = dict(UNITS)


def _fact(name: str) -> Callable[[FactBook], Fact]:
    """A fast read of one fact from the book (what ``book[name]`` does)."""
    reader = READERS[name]

    def get(book: FactBook) -> Fact:
        facts = book._facts
        fact = facts.get(name)
        if fact is None:
            fact = facts[name] = reader(book)
        return fact

    return get


def _single(check: IsTrue | OneOf) -> Evaluate:
    """Yes/no or one-of: a finding per value, shared by all requests when the fact is.

    A fact read straight from the request with a yes/no/missing/enum value is one
    shared :class:`Fact` (see ``facts._read``), so its finding is too: findings are
    immutable, and one is reused only for that very fact object.
    """
    rule, get = check.describe(), _fact(check.fact)
    is_true = isinstance(check, IsTrue)
    values = () if isinstance(check, IsTrue) else check.values
    read = check.fact in GETTERS
    shared: dict[object, Finding] = {}

    def evaluate(book: FactBook) -> Finding:
        fact = get(book)
        value = fact.value
        small = value is None or type(value) in (bool, str)
        found = shared.get(value) if small else None
        if found is not None and found.facts[0] is fact:
            return found
        if value is None:
            status = UNKNOWN
        elif value is True if is_true else value in values:
            status = MET
        else:
            status = NOT_MET
        finding = Finding(rule, status, (fact,))
        if read and small:
            shared.setdefault(value, finding)
        return finding

    return evaluate


def _includes(check: Includes) -> Evaluate:
    rule, get, values = check.describe(), _fact(check.fact), check.values

    def evaluate(book: FactBook) -> Finding:
        fact = get(book)
        return Finding(rule, includes(fact, values), (fact,))

    return evaluate


def _either(check: Either) -> Evaluate:
    rule = check.describe()
    parts = tuple(compile_check(each) for each in check.checks)

    def evaluate(book: FactBook) -> Finding:
        status = NOT_MET
        facts: tuple[Fact, ...] = ()
        for part in parts:
            finding = part(book)
            facts += finding.facts
            if finding.status is MET:
                status = MET
            elif finding.status is UNKNOWN and status is NOT_MET:
                status = UNKNOWN
        return Finding(rule, status, facts)

    return evaluate


def _plans(
    check: _Bound,
) -> tuple[dict[str, tuple[Quantity, Decimal, int]], dict[str, tuple[Quantity, str, str]]]:
    """Per unit code of a value: the limit of its dimension, or the per-basis limit."""
    same: dict[str, tuple[Quantity, Decimal, int]] = {}
    per: dict[str, tuple[Quantity, str, str]] = {}
    for code, unit in UNITS.items():
        for limit in check.limits:
            if limit.unit.dimension is unit.dimension:
                num, den = _RATIO[limit.unit.code]
                same[code] = (limit, _mul(limit.value, num), den)
                break
        else:
            for limit in check.limits:
                basis = _BASIS.get((unit.dimension, limit.unit.dimension))
                if basis is not None:
                    per[code] = (limit, basis[0], check.fact + basis[1])
                    break
    return same, per


def _shown(num: int, den: int, *, root: bool = False) -> Decimal:
    """``num / den`` (or its square root) to 10 places, as ``checks._decimal`` shows it."""
    shown = _SHOWN.divide(Decimal(num), Decimal(den))
    if root:
        shown = shown.sqrt(_SHOWN)
    return shown.quantize(_TENTH_BILLIONTH, context=_SHOWN).normalize(_SHOWN)


_TENTH_BILLIONTH = Decimal("1e-10")


def _bound(check: _Bound) -> Evaluate:
    """A limit: per value unit, which limit it compares with and how, worked out once."""
    rule, get = check.describe(), _fact(check.fact)
    at_most = isinstance(check, AtMost)
    same, plans = _plans(check)
    per = {
        code: (limit, _fact(basis), derived, f"{check.fact} ÷ {basis}", _ratio(limit))
        for code, (limit, basis, derived) in plans.items()
    }

    def per_basis(
        fact: Fact,
        value: Quantity,
        plan: tuple[Quantity, Reader, str, str, tuple[int, int]],
        book: FactBook,
    ) -> Finding:
        """What ``check._per_basis`` gives, in integer arithmetic."""
        limit, read, name, method, (cap_num, cap_den) = plan
        basis = read(book)
        size = basis.value
        if not isinstance(size, Quantity):
            derived = Fact(name, None, (fact, basis), method)
            return Finding(rule, UNKNOWN, (derived,), limit=limit)
        dose_num, dose_den = _ratio(value)
        factor_num, factor_den = _RATIO[limit.unit.code]
        square = basis.exact_square
        if square is not None:
            sq_num, sq_den = square.numerator, square.denominator
            left = dose_num * dose_num * cap_den * cap_den * sq_den
            right = cap_num * cap_num * sq_num * dose_den * dose_den
            shown = _shown(
                dose_num * dose_num * sq_den * factor_den * factor_den,
                dose_den * dose_den * sq_num * factor_num * factor_num,
                root=True,
            )
            method += ", compared exactly: dose² ≤ limit² × BSA²"
        else:
            size_num, size_den = _ratio(size)
            left = dose_num * cap_den * size_den
            right = cap_num * size_num * dose_den
            shown = _shown(dose_num * size_den * factor_den, dose_den * size_num * factor_num)
        requested = Quantity(shown, limit.unit)
        derived = Fact(name, requested, (fact, basis), method)
        note = f"{value.display()} ÷ {size.display()} = {requested.display()}"
        holds = left <= right if at_most else left >= right
        return Finding(rule, MET if holds else NOT_MET, (derived,), requested, limit, note)

    def evaluate(book: FactBook) -> Finding:
        fact = get(book)
        value = fact.value
        if not isinstance(value, Quantity):
            return Finding(rule, UNKNOWN, (fact,))
        code = value.unit.code
        if _KNOWN.get(code) is not value.unit:  # a unit made by hand: the check itself
            return check.evaluate(book)
        compared = same.get(code)
        if compared is not None:
            limit, scaled, den = compared
            num, vden = _RATIO[code]
            left = _mul(_mul(value.value, num), den)
            right = _mul(scaled, vden)
            holds = left <= right if at_most else left >= right
            return Finding(rule, MET if holds else NOT_MET, (fact,), value, limit)
        plan = per.get(code)
        if plan is not None:
            return per_basis(fact, value, plan, book)
        return check.evaluate(book)  # not comparable: the check words the note

    return evaluate


_COMPILERS: dict[type, Callable[..., Evaluate]] = {
    IsTrue: _single,
    OneOf: _single,
    Includes: _includes,
    Either: _either,
    AtMost: _bound,
    AtLeast: _bound,
}


def compile_check(check: Check) -> Evaluate:
    """A function giving what ``check.evaluate(book)`` gives."""
    return _COMPILERS[type(check)](check)


def _group(node: AllOf | AnyOf) -> Explain:
    label, text, title = node.label, node.text, node.title
    kind = "all_of" if isinstance(node, AllOf) else "any_of"
    combine = all_met if isinstance(node, AllOf) else any_met
    children = tuple(compile_node(child) for child in node.children)
    requires = None if node.requires is None else compile_check(node.requires)

    def explain(book: FactBook) -> Trail:
        trails = tuple([child(book) for child in children])
        status = combine([trail.status for trail in trails])
        if requires is None:
            return Trail(label, kind, text, status, (), trails, title)
        condition = requires(book)
        return Trail(label, kind, text, condition.status & status, (condition,), trails, title)

    return explain


def _leaf(node: Node) -> Explain:
    assert not isinstance(node, AllOf | AnyOf)
    label, text = node.label, node.text
    kind = "predicate" if type(node).__name__ == "Predicate" else "dose_limit"
    checks = tuple(compile_check(check) for check in node.checks)
    applies_if = None if node.applies_if is None else compile_check(node.applies_if)
    if applies_if is None and len(checks) == 1:  # most leaves: one check, no scope
        (only,) = checks

        def single(book: FactBook) -> Trail:
            rule = only(book)
            return Trail(label, kind, text, rule.status, (rule,))

        return single

    def explain(book: FactBook) -> Trail:
        rules = tuple([check(book) for check in checks])
        status = all_met([rule.status for rule in rules])
        if applies_if is None:
            return Trail(label, kind, text, status, rules)
        applies = applies_if(book)
        note = None
        if applies.status is NOT_MET:
            note = f"does not apply: {applies.rule} is not the case"
        scope = Finding(applies.rule, applies.status, applies.facts, note=note)
        return Trail(
            label,
            kind,
            text,
            ~applies.status | status,
            (scope, *rules),
            applies=applies.status is not NOT_MET,
        )

    return explain


@functools.lru_cache(maxsize=256)
def compile_node(node: Node) -> Explain:
    """A function giving what ``explain(node, book)`` gives, built once per tree."""
    if isinstance(node, AllOf | AnyOf):
        return _group(node)
    return _leaf(node)


# Status only: what a decision without a trail reads. Each function gives the status
# the trail's node would have, without building its findings; the tests hold them equal.

Judge = Callable[[FactBook], Status]


def _value(name: str) -> Callable[[FactBook], object]:
    """A fact's value: read straight from the request, or from the book when derived."""
    getter = GETTERS.get(name)
    if getter is not None:
        return lambda book: getter(book.request)
    get = _fact(name)
    return lambda book: get(book).value


class Verdict(NamedTuple):
    """A node's status, whether its own condition rules it out, and its children's."""

    status: Status
    label: str
    off: bool = False
    children: tuple[Verdict, ...] | None = None
    any_of: bool = False


Judgement = Callable[[FactBook], Verdict]


def _judge_simple(check: IsTrue | OneOf | Includes) -> Judge:
    get = _value(check.fact)
    if isinstance(check, IsTrue):

        def judge(book: FactBook) -> Status:
            value = get(book)
            return UNKNOWN if value is None else (MET if value is True else NOT_MET)

    elif isinstance(check, OneOf):
        values = check.values

        def judge(book: FactBook) -> Status:
            value = get(book)
            return UNKNOWN if value is None else (MET if value in values else NOT_MET)

    else:
        wanted, fact_of = check.values, _fact(check.fact)

        def judge(book: FactBook) -> Status:
            return includes(fact_of(book), wanted)

    return judge


def _judge_either(check: Either) -> Judge:
    parts = tuple(judge_check(each) for each in check.checks)

    def judge(book: FactBook) -> Status:
        status = NOT_MET
        for part in parts:
            found = part(book)
            if found is MET:
                return MET
            if found is UNKNOWN:
                status = UNKNOWN
        return status

    return judge


def _ratio(value: Quantity) -> tuple[int, int]:
    """A quantity in its dimension's base unit, as an exact integer ratio."""
    num, den = value.value.as_integer_ratio()
    fnum, fden = _RATIO[value.unit.code]
    return num * fnum, den * fden


def _judge_bound(check: _Bound) -> Judge:
    get = _value(check.fact)
    at_most = isinstance(check, AtMost)
    plans, bases = _plans(check)
    same = {code: (scaled, den) for code, (_, scaled, den) in plans.items()}
    per = {code: (_ratio(limit), _fact(basis)) for code, (limit, basis, _) in bases.items()}

    def judge(book: FactBook) -> Status:
        value = get(book)
        if not isinstance(value, Quantity):
            return UNKNOWN
        code = value.unit.code
        if _KNOWN.get(code) is not value.unit:  # a unit made by hand: the check itself
            return check.evaluate(book).status
        compared = same.get(code)
        left: Decimal | int
        right: Decimal | int
        if compared is not None:
            scaled, den = compared
            num, vden = _RATIO[code]
            left = _mul(_mul(value.value, num), den)
            right = _mul(scaled, vden)
        else:
            basis = per.get(code)
            if basis is None:
                return NOT_MET  # not comparable: outside the established dosing
            (cap_num, cap_den), read = basis
            fact = read(book)
            size = fact.value
            if not isinstance(size, Quantity):
                return UNKNOWN
            dose_num, dose_den = _ratio(value)
            square = fact.exact_square
            if square is not None:  # dose² against limit² × BSA², exactly
                sq_num, sq_den = square.numerator, square.denominator
                left = dose_num * dose_num * cap_den * cap_den * sq_den
                right = cap_num * cap_num * sq_num * dose_den * dose_den
            else:  # dose against limit × weight (or given BSA), exactly
                size_num, size_den = _ratio(size)
                left = dose_num * cap_den * size_den
                right = cap_num * size_num * dose_den
        holds = left <= right if at_most else left >= right
        return MET if holds else NOT_MET

    return judge


def judge_check(check: Check) -> Judge:
    """A function giving ``check.evaluate(book).status``, without the finding."""
    if isinstance(check, Either):
        return _judge_either(check)
    if isinstance(check, AtMost | AtLeast):
        return _judge_bound(check)
    return _judge_simple(check)


@functools.lru_cache(maxsize=256)
def judge_node(node: Node) -> Judgement:
    """A function giving the status (and branch) of ``explain(node, book)``, faster."""
    label = node.label
    if isinstance(node, AllOf | AnyOf):
        every = isinstance(node, AllOf)
        any_of = not every
        children = tuple(judge_node(child) for child in node.children)
        requires = None if node.requires is None else judge_check(node.requires)

        # A path reads the children of an any_of only, up to its first child met; so
        # an all_of stops at its first child not met, and a ruled-out heading at once.
        settled = NOT_MET if every else MET

        def group(book: FactBook) -> Verdict:
            condition = MET if requires is None else requires(book)
            if condition is NOT_MET:
                return Verdict(NOT_MET, label, True, (), any_of)
            status = MET if every else NOT_MET
            verdicts = []
            for child in children:
                verdict = child(book)
                verdicts.append(verdict)
                if verdict.status is settled:
                    status = settled
                    break
                if verdict.status is UNKNOWN:
                    status = UNKNOWN
            return Verdict(condition & status, label, False, tuple(verdicts), any_of)

        return group

    checks = tuple(judge_check(check) for check in node.checks)
    applies_if = None if node.applies_if is None else judge_check(node.applies_if)
    # A leaf's verdict is its status and label alone: three immutable tuples, shared.
    met, not_met, unknown = (Verdict(status, label) for status in (MET, NOT_MET, UNKNOWN))

    def leaf(book: FactBook) -> Verdict:
        status = MET
        for check in checks:
            found = check(book)
            if found is NOT_MET:
                status = NOT_MET
                break
            if found is UNKNOWN:
                status = UNKNOWN
        if applies_if is not None:
            applies = applies_if(book)
            if applies is NOT_MET:  # does not apply: met
                return met
            if applies is UNKNOWN and status is NOT_MET:  # Kleene: ~unknown | not met
                status = UNKNOWN
        if status is MET:
            return met
        return not_met if status is NOT_MET else unknown

    return leaf


@functools.lru_cache(maxsize=256)
def brief_node(node: Node) -> Explain:
    """The trail a verdict reads: what :func:`compile_node` gives, less what no verdict reads.

    A decision without a trail reads a node's findings only where it is not met or
    unknown (for its reasons and facts needed), and a heading ruled out by its own
    condition only for that condition. So a criterion met is its status alone, and a
    ruled-out heading has no children. Never shown: a trail asked for is the full one.
    """
    label, text = node.label, node.text
    if isinstance(node, AllOf | AnyOf):
        kind = "all_of" if isinstance(node, AllOf) else "any_of"
        every = isinstance(node, AllOf)
        children = tuple(brief_node(child) for child in node.children)
        requires = None if node.requires is None else compile_check(node.requires)
        title = node.title

        def group(book: FactBook) -> Trail:
            findings: tuple[Finding, ...] = ()
            if requires is not None:
                condition = requires(book)
                if condition.status is NOT_MET:
                    return Trail(label, kind, text, NOT_MET, (condition,), (), title)
                findings = (condition,)
            trails = tuple([child(book) for child in children])
            status = MET if every else NOT_MET
            for trail in trails:
                if trail.status is (NOT_MET if every else MET):
                    status = trail.status
                    break
                if trail.status is UNKNOWN:
                    status = UNKNOWN
            if findings:
                status = findings[0].status & status
            return Trail(label, kind, text, status, findings, trails, title)

        return group

    kind = "predicate" if type(node).__name__ == "Predicate" else "dose_limit"
    judge, explain = judge_node(node), compile_node(node)

    def leaf(book: FactBook) -> Trail:
        if judge(book).status is MET:
            return Trail(label, kind, text, MET)
        return explain(book)

    return leaf
