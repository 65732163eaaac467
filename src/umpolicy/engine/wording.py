"""A finding in the reader's words: what the rule requires, and what the request gave.

A check's ``describe()`` is the rule as the tree states it (``medication.frequency ≤
3 times weekly``). A reviewer checking a decision wants it the other way round, in
one unit and with numbers they can read: *Required: at most 3 times weekly.
Requested: 1 time daily (7 times weekly).* This module writes that sentence, once,
for the decision's reasons and for every rendering of the worksheet.

Numbers are shown exactly when they are short; a long one (a dose divided by a body
surface area) is shown to four significant digits, or to as many more as it takes
to tell it from the limit it was compared with, marked "about". The comparison
itself was made exactly (:mod:`umpolicy.dsl.checks`); only its display is rounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from attrs import frozen

from umpolicy.dsl.checks import AtLeast, AtMost, Both, Check, Either, Includes, IsTrue, LessThan
from umpolicy.dsl.checks import OneOf as _OneOf
from umpolicy.dsl.findings import Fact, Finding, display_value, missing_inputs
from umpolicy.dsl.kept import KEPT, by_identity, keep
from umpolicy.dsl.quantity import Quantity, format_decimal
from umpolicy.dsl.questions import AnswerType
from umpolicy.dsl.status import Status
from umpolicy.dsl.units import Unit
from umpolicy.dsl.valueset import ValueSet
from umpolicy.policy import Policy

#: How each bound reads in words.
_BOUND = {AtMost: "at most", AtLeast: "at least", LessThan: "less than"}
#: Digits shown before a long number is rounded, and the fewest it is rounded to.
_EXACT_DIGITS = 6
_ROUNDED_DIGITS = 4
#: The unit a per-kg or per-m² limit divides by, by the basis's dimension.
_BASE_OF = {"mass": "kg", "area": "m2"}
#: How a finding's sentence opens, by the part its check plays (else "Required").
_LEADS = {"applies if": "Applies when", "exclusion": "Not recommended when"}
#: A status as a reviewer reads it.
STATUS_WORDS = {Status.MET: "met", Status.NOT_MET: "not met", Status.UNKNOWN: "unknown"}


@frozen
class Worded:
    """One finding in words: the requirement and what the request gave, each a phrase."""

    required: str
    requested: str

    def sentence(self, role: str = "rule") -> str:
        """``Required: … Requested: ….``: the line a pharmacist checks.

        A criterion's ``applies if`` condition reads ``Applies when: …`` and an
        exclusion's check ``Not recommended when: …`` instead.
        """
        lead = _LEADS.get(role, "Required")
        return f"{lead}: {self.required}. Requested: {self.requested}."


def subject(name: str) -> str:
    """A fact's name as a phrase: ``medication.schedule.rest_before_course`` → rest before course.

    The prefixes that only say where a fact sits (patient, medication, answers, …) are
    dropped; the full name stays in the list of facts read.
    """
    parts = name.split(".")
    while len(parts) > 1 and parts[0] in _PLACES:
        parts = parts[1:]
    return " ".join(parts).replace("_", " ")


_PLACES = frozenset({"patient", "medication", "schedule", "answers", "request", "therapy"})


def _digits(value: Decimal) -> int:
    return len(value.normalize().as_tuple().digits)


def _round(value: Decimal, digits: int) -> Decimal:
    """``value`` (not zero: a zero is never long) to ``digits`` significant digits."""
    exponent = value.adjusted() - digits + 1
    return value.quantize(Decimal(1).scaleb(exponent))


def amount(quantity: Quantity, limit: Quantity | None = None) -> str:
    """A quantity for people: exact when short, else rounded and marked "about".

    Rounded to four significant digits, or more until it no longer reads as the
    ``limit`` it differs from (a dose just over a cap never reads as the cap).
    """
    value = quantity.value
    if _digits(value) <= _EXACT_DIGITS:
        return quantity.display()
    digits = _ROUNDED_DIGITS
    shown = _round(value, digits)
    while limit is not None and digits < 28 and _same(shown, quantity.unit, limit, value):
        digits += 1
        shown = _round(value, digits)
    text = format_decimal(shown, grouping=True)
    about = "" if shown == value else "about "
    return f"{about}{text} {quantity.unit.name_for(shown)}"


def _same(shown: Decimal, unit: Unit, limit: Quantity, exact: Decimal) -> bool:
    """True when ``shown`` reads as the limit although the exact value is not it.

    The value and the limit are of one dimension (the callers convert only within one).
    """
    base = Fraction(limit.value) * limit.unit.factor
    return Fraction(shown) * unit.factor == base != Fraction(exact) * unit.factor


def exactly_in(quantity: Quantity, unit: Unit) -> Quantity | None:
    """The quantity in ``unit`` (of its dimension) when that is short and exact, else ``None``."""
    value = Fraction(quantity.value) * quantity.unit.factor / unit.factor
    den = value.denominator
    for prime in (2, 5):
        while den % prime == 0:
            den //= prime
    if den != 1:
        return None
    decimal = Decimal(value.numerator) / Decimal(value.denominator)
    if _digits(decimal) > _EXACT_DIGITS:
        return None
    return Quantity.exact(decimal.normalize(), unit)


def limits(check: AtMost | AtLeast | LessThan) -> str:
    """A bound's requirement: ``at most 600,000 International Units/kg (or 0.037 mg/kg)``."""
    first, *others = check.limits
    alternatives = "".join(f" (or {other.display()})" for other in others)
    return f"{_BOUND[type(check)]} {first.display()}{alternatives}"


def words_of(policy: Policy, fact: Fact) -> str:
    """A fact's value for people: an answer's words, a code's value sets, "not given"."""
    value = fact.value
    if value is None:
        return "not given"
    if isinstance(value, str):
        shown = _answer_words(policy, fact.name, value) or _coded(policy, value)
    elif isinstance(value, frozenset):
        shown = ", ".join(_coded(policy, code) for code in sorted(value)) if value else "none"
    elif isinstance(value, Quantity):  # a value worked out is rounded; one given, never
        shown = _quantity_of(fact, value)
    else:
        shown = display_value(value)
    return f"{shown}, and some not given" if fact.partial else shown


def _quantity_of(fact: Fact, value: Quantity) -> str:
    """A fact's quantity: as given, or rounded (and said so) when it was worked out."""
    square = fact.exact_square
    if square is not None and Fraction(value.value) ** 2 != square:  # a rounded root
        return f"about {value.display()}"
    return amount(value) if fact.inputs else value.display()


def _answer_words(policy: Policy, name: str, code: str) -> str | None:
    for question in policy.questions:
        if question.fact == name and question.type is AnswerType.CHOICE:
            return dict(question.values).get(code)
    return None


def _coded(policy: Policy, code: str) -> str:
    """A code with the titles of the policy's value sets that hold it: ``E11.9 (Type 2 …)``.

    A group code that may be of a set says so: ``E11 (may be Type 2 diabetes with
    kidney complications)`` for a set of ``E11.2*``.
    """
    words = _codes_of(policy)
    shown = words.get(code)
    if shown is None:
        titles = []
        for each in policy.value_sets:
            held = each.holds(code)
            if held is not False:
                titles.append(each.title if held else f"may be {each.title}")
        shown = keep(words, code, f"{code} ({', '.join(titles)})" if titles else code, KEPT)
    return shown


@by_identity
def _codes_of(_policy: Policy) -> dict[str, str]:
    """Each code the policy's reasons have shown, in words (worked out once per code)."""
    return {}


#: A value set holding more entries than this is named by its title and count alone.
_LISTED = 3


def _values(values: tuple[str, ...] | ValueSet) -> str:
    """Codes or a value set, briefly: a long set by its title (its codes are on the policy page)."""
    if not isinstance(values, ValueSet):
        return " or ".join(values)
    held = len(values.codes) + len(values.prefixes)
    if held > _LISTED:
        return f"{values.title} ({values.system}, {held} codes)"
    return values.describe()


@by_identity
def requirement(check: Check) -> str:
    """What a check requires, as a phrase: ``rest before course at least 7 weeks``."""
    if isinstance(check, AtMost | AtLeast | LessThan):
        return f"{subject(check.fact)} {limits(check)}"
    if isinstance(check, IsTrue):
        return f"{subject(check.fact)}: yes"
    if isinstance(check, _OneOf):
        return f"{subject(check.fact)}: {_values(check.values)}"
    if isinstance(check, Includes):
        return f"{subject(check.fact)} to include {_values(check.values)}"
    if isinstance(check, Either):
        return ", or ".join(requirement(each) for each in check.checks)
    if isinstance(check, Both):
        return " and ".join(requirement(each) for each in check.checks)
    inner = check.check
    if isinstance(inner, IsTrue):
        return f"{subject(inner.fact)}: no"
    return f"not ({requirement(inner)})"


def worded(check: Check, finding: Finding, facts: Mapping[str, Fact], policy: Policy) -> Worded:
    """The finding of ``check`` in words, its values read from ``facts``."""
    if isinstance(check, AtMost | AtLeast | LessThan):
        return _bound(check, finding, facts, policy)
    required = requirement(check)
    names = finding.facts
    if len(names) == 1:
        return Worded(required, requested(policy, names[0], facts))
    shown = "; ".join(f"{subject(name)}: {requested(policy, name, facts)}" for name in names)
    return Worded(required, shown)


def given(policy: Policy, name: str, facts: Mapping[str, Fact]) -> str:
    """What the request gave for a fact; for a derived one not known, the inputs it needs."""
    fact = facts[name]
    if fact.value is None and fact.inputs:
        names = missing_inputs(fact, facts)
        absent = [each for each in names if facts[each].value is None]
        if absent:
            return f"not known (needs {', '.join(absent)})"
        return f"not known ({', '.join(names)} incomplete)"
    return words_of(policy, fact)


#: The most characters of an input a reason quotes (a long therapy history is cut).
_QUOTED = 200


def requested(policy: Policy, name: str, facts: Mapping[str, Fact]) -> str:
    """What a reason says the request gave for a fact.

    That is :func:`given`; for a yes or no the engine worked out, the request's facts it
    was worked out from follow, each cut to 200 characters. The worksheet's list of facts
    says where each came from itself, so it shows :func:`given` alone.
    """
    shown = given(policy, name, facts)
    fact = facts[name]
    if not fact.inputs or type(fact.value) is not bool:
        return shown
    read = "; ".join(
        f"{subject(each)}: {_cut(words_of(policy, facts[each]))}" for each in fact.inputs
    )
    return f"{shown} (worked out from {read})"


def _cut(text: str) -> str:
    return text if len(text) <= _QUOTED else f"{text[: _QUOTED - 1]}…"


def _bound(
    check: AtMost | AtLeast | LessThan,
    finding: Finding,
    facts: Mapping[str, Fact],
    policy: Policy,
) -> Worded:
    """A limit's finding: the limit and the request in one unit, or why it is not known."""
    required = requirement(check)
    (name,) = finding.facts
    fact = facts[name]
    requested, limit = finding.requested, finding.limit
    if requested is None or limit is None:
        return Worded(required, given(policy, name, facts))
    if name != check.fact:  # a dose divided (or multiplied) by the weight or the area
        dose, basis = (facts[each].value for each in fact.inputs)
        assert isinstance(dose, Quantity)
        assert isinstance(basis, Quantity)
        operator = "÷" if "_per_" in name else "×"
        per = _quantity_of(facts[fact.inputs[1]], basis)
        base = _BASE_OF[basis.unit.dimension]
        if basis.unit.code != base:  # the equation in the limit's basis: "176 lb (… kg)"
            per += f" ({amount(basis.to(base))})"
        shown = f"{dose.display()} {operator} {per} = {amount(requested, limit)}"
        return Worded(required, shown)
    if requested.unit.dimension != limit.unit.dimension:
        units = " or ".join(each.unit.name for each in check.limits)
        shown = (
            f"{amount(requested)}, which cannot be compared with a limit in {units} "
            "(outside the established dosing)"
        )
        return Worded(required, shown)
    shown = amount(requested, limit)
    if fact.partial:  # a lower bound: the history is given in part, or some are uncoded
        in_part = any(facts[each].partial for each in fact.inputs)
        why = "of a history given in part" if in_part else "some without a drug's code"
        shown = f"at least {shown}, {why}"
    if requested.unit == limit.unit:
        return Worded(required, shown)
    # The other side in the unit of this one, whichever reads better: a whole number
    # first ("at least 7 weeks (49 days)"; "1 time hourly (24 times daily)").
    limit_here = exactly_in(limit, requested.unit)
    request_there = exactly_in(requested, limit.unit)
    if limit_here is not None and (_whole(limit_here) or request_there is None):
        return Worded(f"{required} ({limit_here.display()})", shown)
    converted = request_there or requested.to(limit.unit)
    return Worded(required, f"{shown} ({amount(converted, limit)})")


def _whole(quantity: Quantity) -> bool:
    return quantity.value == quantity.value.to_integral_value()


def source(policy: Policy, name: str, inputs: tuple[str, ...] = ()) -> str:
    """Where a fact comes from: its place in the request, or what it is worked out from."""
    if inputs:
        return f"worked out from {', '.join(inputs)}"
    if name.startswith("answers."):
        return f"$.answers.{policy.name}.{name.removeprefix('answers.')}"
    if name.startswith("request."):
        return f"$.{name.removeprefix('request.')}"
    return f"$.{name}"
