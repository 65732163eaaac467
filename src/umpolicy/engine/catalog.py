"""What a policy's facts mean and how each is read: the vocabulary's, and the policy's own.

A policy reads the shared vocabulary's facts, the answers to its own questions
(``answers.<id>``) and the facts it derives itself (value-set membership of the
therapy history, every listed item qualifying). :func:`readers` and :func:`catalog`
put them together once per policy: how to read each, and what each means.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import get_args

import attrs

from umpolicy.dsl.checks import (
    AtLeast,
    AtMost,
    Both,
    Check,
    Either,
    Includes,
    IsTrue,
    LessThan,
    Not,
    OneOf,
)
from umpolicy.dsl.findings import Fact
from umpolicy.dsl.nodes import AllOf, AnyOf, DoseLimit, Node, checks_of, walk
from umpolicy.dsl.quantity import Quantity
from umpolicy.dsl.questions import AnswerType, Question
from umpolicy.dsl.records import new
from umpolicy.dsl.units import unit
from umpolicy.dsl.valueset import ValueSet
from umpolicy.errors import PolicyError
from umpolicy.io.quantities import QUANTITIES
from umpolicy.policy import Policy, ReviewOutcome
from umpolicy.vocabulary.facts import (
    CODE_SYSTEMS,
    FACTS,
    HISTORIES,
    READERS,
    Book,
    Consulted,
    EveryItem,
    FactSpec,
    Reader,
    TherapyCount,
)


def _answer(question: Question) -> Reader:
    name = question.fact

    def read(book: Book) -> Fact:
        value = book.answers.get(question.id)
        if question.type is AnswerType.LIST and value is not None:
            items = [
                ", ".join(str(item[f.id]) for f in question.fields if f.id in item)
                for item in value
            ]
            value = "; ".join(items) or "none"
        return new(Fact, (name, value, (), None, False))

    return read


@functools.cache
def readers(policy: Policy) -> Mapping[str, Reader]:
    """How each fact the policy may read is read: the vocabulary's, its answers', its own.

    The policy is checked first (:func:`check`): a policy that cannot decide as
    written fails here, naming the node, before any request is decided under it.
    """
    check(policy)
    found: dict[str, Reader] = dict(READERS)
    for question in policy.questions:
        found[question.fact] = _answer(question)
    for derived in policy.derived:
        found[derived.name] = derived.derive
    return found


def _kind(question: Question) -> str:
    return {
        AnswerType.BOOLEAN: "boolean",
        AnswerType.CHOICE: "code",
        AnswerType.QUANTITY: "quantity",
        AnswerType.DATE: "date",
        AnswerType.LIST: "list",
    }[question.type]


@functools.cache
def catalog(policy: Policy) -> Mapping[str, FactSpec]:
    """What every fact the policy may read means, by name: for the docs and the CLI."""
    found: dict[str, FactSpec] = {
        name: attrs.evolve(spec, units=QUANTITIES[name].codes) if name in QUANTITIES else spec
        for name, spec in FACTS.items()
    }
    for question in policy.questions:
        found[question.fact] = FactSpec(
            question.fact,
            _kind(question),
            question.text,
            units=question.units,
            values=tuple(code for code, _ in question.values),
        )
    for root in policy.trees():
        for node in walk(root):
            for check in checks_of(node):
                for bound in _bounds(check):
                    for name, words, inputs in bound.conversions():
                        found[name] = FactSpec(name, "quantity", words, inputs=inputs)
    for derived in policy.derived:
        counted = isinstance(derived, TherapyCount)
        found[derived.name] = FactSpec(
            derived.name,
            "quantity" if counted else "boolean",
            derived.description,
            units=("{therapy}",) if counted else (),
            inputs=derived.inputs,
        )
    return found


def _bounds(check: Check) -> Iterator[AtMost | AtLeast | LessThan]:
    """The limits in a check, those inside ``Either``, ``Both`` and ``Not`` too."""
    if isinstance(check, AtMost | AtLeast | LessThan):
        yield check
    elif isinstance(check, Either | Both):
        for each in check.checks:
            yield from _bounds(each)
    elif isinstance(check, Not):
        yield from _bounds(check.check)


def with_inputs(policy: Policy, names: tuple[str, ...]) -> tuple[str, ...]:
    """The facts named, each followed by the inputs it is derived from (recursively), once."""
    specs = catalog(policy)
    found: dict[str, None] = {}

    def add(name: str) -> None:
        found[name] = None
        spec = specs.get(name)
        for each in () if spec is None else spec.inputs:
            add(each)

    for name in names:
        add(name)
    return tuple(found)


def _period_problem(period: Quantity) -> str | None:
    if period.unit.code not in ("a", "mo"):
        return f"the approval period {period} is not in years (a) or months (mo)"
    if period.value != period.value.to_integral_value() or period.value < 1:
        return f"the approval period {period} is not a whole number of at least 1"
    return None


def check(policy: Policy) -> None:
    """Raise :class:`~umpolicy.errors.PolicyError` naming what keeps ``policy`` from deciding."""
    problems = _declaration_problems(policy)
    if problems:  # the catalog is built from the declarations: they must be sound first
        raise PolicyError(f"policy {policy.name!r} cannot decide: " + "; ".join(problems))
    seen: set[str] = set()
    known = catalog(policy)
    for root in policy.trees():
        for node in walk(root):
            if node.label in seen:
                problems.append(f"{node.label}: the label is used twice")
            seen.add(node.label)
            if isinstance(node, DoseLimit) and not node.checks:
                problems.append(f"{node.label}: a dose limit without a rule is met by any dose")
            for each in checks_of(node):
                problems += [f"{node.label}: {problem}" for problem in _check_problems(each, known)]
            period = getattr(node, "approval", None)
            if period is not None and (problem := _period_problem(period)):
                problems.append(f"{node.label}: {problem}")
    for indication in policy.indications:
        if indication.approval is not None and (problem := _period_problem(indication.approval)):
            problems.append(f"{indication.label}: {problem}")
        if indication.approval is None and not _every_branch_has_a_period(indication.criteria):
            problems.append(f"{indication.label}: a branch that approves gives no approval period")
    listed = [item.label for item in policy.not_recommended]
    for label in dict.fromkeys(label for label in listed if listed.count(label) > 1):
        problems.append(f"Not Recommended {label}: the label is used twice")
    for item in policy.exclusions:
        assert item.check is not None
        label = f"Not Recommended {item.label}"
        problems += [f"{label}: {problem}" for problem in _check_problems(item.check, known)]
    for name in (*(q.fact for q in policy.questions), *(d.name for d in policy.derived)):
        if name in FACTS:
            problems.append(f"{name}: the policy's own fact hides the vocabulary's of that name")
    if not any(item.check is None for item in policy.not_recommended):
        problems.append("CONDITIONS NOT RECOMMENDED: no item for circumstances not listed")
    if "case_by_case" not in {sentence.key for sentence in policy.statement}:
        problems.append("POLICY STATEMENT: no sentence with the key 'case_by_case'")
    problems += _review_problems(policy)
    if problems:
        raise PolicyError(f"policy {policy.name!r} cannot decide: " + "; ".join(problems))


def _declaration_problems(policy: Policy) -> list[str]:
    """What is wrong with the questions and derived facts the policy declares, in words.

    A choice no answer can take, a unit umpolicy does not read, a derived fact that reads
    a history or a question the policy does not have: each would make every request fail
    or a criterion silently never met, so loading refuses it, naming the declaration.
    """
    problems: list[str] = []
    names: set[str] = set()
    for question in policy.questions:
        problems += _question_problems(question, f"question {question.id!r}")
    for name in (*(q.fact for q in policy.questions), *(d.name for d in policy.derived)):
        if name in names:
            problems.append(f"{name}: the policy declares two facts of this name")
        names.add(name)
    asked = {question.id: question for question in policy.questions}
    for derived in policy.derived:
        where = f"derived fact {derived.name!r}"
        if isinstance(derived, EveryItem):
            problems += [f"{where}: {problem}" for problem in _every_item_problems(derived, asked)]
            continue
        if isinstance(derived, Consulted):
            problems += [f"{where}: {problem}" for problem in _consulted_problems(derived)]
            continue
        history = HISTORIES.get(derived.history)
        if history is None:
            problems.append(
                f"{where}: history {derived.history!r} is not one of {', '.join(HISTORIES)}"
            )
        elif derived.value_set.system != CODE_SYSTEMS[history]:
            problems.append(
                f"{where}: the value set {derived.value_set.name!r} is of "
                f"{derived.value_set.system}, and a therapy history holds "
                f"{CODE_SYSTEMS[history]} codes: never met"
            )
        at_least = getattr(derived, "at_least", None)
        if at_least is not None and at_least.unit.dimension != "time":
            problems.append(f"{where}: at_least {at_least} is not a duration")
    return problems


def _one_string(values: str) -> str:
    """Codes given as one string: each would be tested as a part of it (``"x" in "xy"``)."""
    return f"the codes are one string, {values!r}: give a tuple ({values!r},) or a value set"


def _consulted_problems(derived: Consulted) -> list[str]:
    """What keeps a :class:`~umpolicy.Consulted` from asking anything, or ever being met."""
    if derived.specialties is None and not derived.affiliations:
        return ["it asks for neither a specialty nor an affiliation: any consultant is one"]
    affiliations: object = derived.affiliations  # typed a tuple; Python accepts any value
    if isinstance(affiliations, str):
        return [_one_string(affiliations)]
    system = CODE_SYSTEMS["consultants.specialties"]
    if derived.specialties is not None and derived.specialties.system != system:
        return [
            f"the value set {derived.specialties.name!r} is of {derived.specialties.system}, "
            f"and a specialty is a {system} code: never met"
        ]
    return []


def _question_problems(question: Question, where: str) -> list[str]:
    """What keeps a question (and each field of a list) from taking an answer."""
    problems: list[str] = []
    if question.type is AnswerType.CHOICE and not question.values:
        problems.append(f"{where}: a choice question offers no values")
    codes = [code for code, _ in question.values]
    if len(set(codes)) != len(codes):
        problems.append(f"{where}: a value is offered twice")
    for code in question.units:
        try:
            unit(code)
        except ValueError as error:
            problems.append(f"{where}: {error}")
    if question.type is AnswerType.LIST:
        if not question.fields:
            problems.append(f"{where}: a list question has no fields")
        ids = [field.id for field in question.fields]
        if len(set(ids)) != len(ids):
            problems.append(f"{where}: a field id is used twice")
        for field in question.fields:
            problems += _question_problems(field, f"{where} field {field.id!r}")
    return problems


def _every_item_problems(derived: EveryItem, asked: Mapping[str, Question]) -> list[str]:
    """What keeps an :class:`~umpolicy.EveryItem` from reading its list question's items."""
    question = asked.get(derived.question)
    if question is None or question.type is not AnswerType.LIST:
        lists = ", ".join(q.id for q in asked.values() if q.type is AnswerType.LIST) or "none"
        return [f"{derived.question!r} is not a list question of the policy (its lists: {lists})"]
    fields = {field.id: field for field in question.fields}
    problems: list[str] = []
    for name, codes in derived.where:
        field = fields.get(name)
        if field is None or field.type is not AnswerType.CHOICE:
            choices = [f.id for f in question.fields if f.type is AnswerType.CHOICE]
            problems.append(
                f"{name!r} is not a choice field of {question.id!r} "
                f"({', '.join(choices) or 'none'}): no item qualifies"
            )
            continue
        offered = [code for code, _ in field.values]
        problems += [
            f"{code!r} is not a value of {question.id}.{name} ({', '.join(offered)})"
            for code in codes
            if code not in offered
        ]
    return problems


def _review_problems(policy: Policy) -> list[str]:
    """What keeps the reviewer's next steps from naming a real outcome and sentences."""
    outcomes = get_args(ReviewOutcome)
    keys = {sentence.key for sentence in policy.statement}
    problems: list[str] = []
    seen: set[str] = set()
    for each in policy.review:
        where = f"review {each.outcome!r}"
        if each.outcome not in outcomes:
            problems.append(f"{where}: not an outcome (one of {', '.join(outcomes)})")
        if each.outcome in seen:
            problems.append(f"{where}: the outcome is given twice")
        seen.add(each.outcome)
        problems += [
            f"{where}: no POLICY STATEMENT sentence has the key {key!r}"
            for key in each.statement
            if key not in keys
        ]
    return problems


#: The kinds of fact each check compares (see :class:`FactSpec`'s ``type``).
_KINDS: dict[type, tuple[str, ...]] = {
    IsTrue: ("boolean",),
    OneOf: ("code",),
    Includes: ("set of codes",),
    AtMost: ("quantity",),
    AtLeast: ("quantity",),
    LessThan: ("quantity",),
}


def _check_problems(check: Check, known: Mapping[str, FactSpec]) -> list[str]:
    """What keeps a check from reading its facts as it means to, in words."""
    if isinstance(check, Either | Both):
        return [problem for each in check.checks for problem in _check_problems(each, known)]
    if isinstance(check, Not):
        if any(True for _ in _bounds(check.check)):
            # A unit no limit compares with is "not met" (outside the established
            # dosing); negated, it would be met. Say the opposite limit instead.
            return ["Not(...) holds a limit: write the opposite limit instead"]
        return _check_problems(check.check, known)
    spec = known.get(check.fact)
    if spec is None:
        return [f"no fact is named {check.fact!r}"]
    kinds = _KINDS[type(check)]
    if spec.type not in kinds:
        name = type(check).__name__
        return [f"{name} compares {' or '.join(kinds)} facts; {check.fact!r} is {spec.type}"]
    values = getattr(check, "values", None)
    if isinstance(values, str):
        return [_one_string(values)]
    system = CODE_SYSTEMS.get(check.fact)
    if isinstance(values, ValueSet) and system is not None and values.system != system:
        return [
            f"the value set {values.name!r} is of {values.system}, and {check.fact!r} holds "
            f"{system} codes: never met"
        ]
    if isinstance(check, OneOf) and spec.values and not isinstance(check.values, ValueSet):
        offered = ", ".join(spec.values)
        return [
            f"{value!r} is not a value of {check.fact!r} ({offered}): never met"
            for value in check.values
            if value not in spec.values
        ]
    if isinstance(check, AtMost | AtLeast | LessThan):
        return [
            f"the limit {limit} cannot be compared with {check.fact!r} "
            f"(in {_units_words(check.fact, spec)}): never met"
            for limit in check.limits
            if not _comparable(check.fact, spec, limit)
        ]
    return []


def _comparable(fact: str, spec: FactSpec, limit: Quantity) -> bool:
    """Whether a limit's unit is one a value of the fact can be compared in.

    A request's quantity takes the units :data:`QUANTITIES` says (a dose in mg is
    compared with a limit per kg across the weight); another fact, those of its spec; a
    fact whose units are open (a quantity question that names none), any.
    """
    accepts = QUANTITIES.get(fact)
    if accepts is not None:
        return accepts.admits(limit.unit)
    if not spec.units:
        return True
    return any(unit(code).dimension == limit.unit.dimension for code in spec.units)


def _units_words(fact: str, spec: FactSpec) -> str:
    accepts = QUANTITIES.get(fact)
    return accepts.listed() if accepts is not None else ", ".join(spec.units)


def _every_branch_has_a_period(node: Node) -> bool:
    """True when every way ``node`` can be met passes a node that gives its period."""
    if getattr(node, "approval", None) is not None:
        return True
    if isinstance(node, AnyOf):
        return all(_every_branch_has_a_period(child) for child in node.children)
    if isinstance(node, AllOf):
        return any(_every_branch_has_a_period(child) for child in node.children)
    return False
