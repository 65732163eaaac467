"""Metamorphic properties a pharmacist relies on, over both policies' decisions.

Each property starts from a shipped example request of either policy (Proleukin and
the fictional Quellimab) with a few whole fields replaced by values from
:data:`VALUES`, so that every outcome is drawn, and changes it the way a request is
changed in review:

- a fact left out never turns a request into an approval, and an approval it turns
  into insufficient information asks for the fact left out;
- giving every fact asked for never leaves a decision asking for one of them again;
- in every trail a heading is Kleene "all" or "any" of its children and its own
  condition, a criterion its rules where it applies, and the outcome follows the rules
  at the top of :mod:`umpolicy.engine.decision`;
- an approval stands on every node of its path met, and every exclusion not met.

Every limit of both trees is checked at, just under and just over its value, in each
unit it converts to and across the basis (weight or body surface area) it may be
compared through; a unit it cannot be compared in is never met.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.hostile_strategies import EXAMPLES, Loc, locations, put
from umpolicy import (
    AllOf,
    AnyOf,
    AtLeast,
    AtMost,
    Decision,
    InputError,
    LessThan,
    Outcome,
    Policy,
    Quantity,
    Status,
    load_policy,
    walk,
)
from umpolicy.api import parse_request
from umpolicy.dsl.findings import Fact
from umpolicy.dsl.nodes import checks_of, roles
from umpolicy.dsl.status import all_met, any_met
from umpolicy.dsl.units import ATOMS, Unit, unit
from umpolicy.engine.catalog import _bounds
from umpolicy.engine.decision import decide, exclusion_label

MET, NOT_MET, UNKNOWN = Status.MET, Status.NOT_MET, Status.UNKNOWN
POLICIES = {name: load_policy(name) for name in ("proleukin", "quellimab")}
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def q(value: str, code: str) -> dict[str, str]:
    return {"value": value, "unit": code}


def therapy(name: str, code: str, duration: Any = None, outcome: str | None = None) -> Any:
    found: dict[str, Any] = {"name": name, "codes": [code] if code else []}
    if duration is not None:
        found["duration"] = duration
    if outcome is not None:
        found["outcome"] = outcome
    return found


#: Whole values a field may be given, near the policies' limits and codes, both ways.
VALUES: dict[Loc, list[Any]] = {
    ("kind",): ["initial", "continuation"],
    ("patient", "birth_date"): ["1971-05-20", "2008-03-02", "2008-03-03", "2024-03-02"],
    ("patient", "weight"): [q("29.999", "kg"), q("30", "kg"), q("30000", "g"), q("150", "kg")],
    ("patient", "height"): [q("190", "cm"), q("1.5", "m")],
    ("patient", "bsa"): [q("1.2", "m2"), q("2.2", "m2")],
    ("diagnoses",): [
        [{"code": "M06.9"}],
        [{"code": "M06.4"}],
        [{"code": "M06.4"}, {"code": "M08.3"}],
        [{"code": "M08.0"}],
        [{"code": "C43.9"}],
        [{"code": "C64.9"}, {"code": "C43.9"}],
        [{"code": "D89.81"}],
        [{"code": "D89.811"}],
        [{"code": "C50.919"}],
    ],
    ("medication", "route"): [{"code": c} for c in ("47625008", "34206005", "372464004")],
    ("medication", "dose"): [
        q("800", "mg"),
        q("800.001", "mg"),
        q("8", "mg/kg"),
        q("10", "mg/kg"),
        q("162", "mg"),
        q("0.162", "g"),
        q("600000", "[iU]/kg"),
        q("0.6", "10*6.[iU]/kg"),
        q("43500000", "[iU]"),
        q("6", "10*6.[iU]/{lesion}"),
        q("1", "10*6.[iU]/m2"),
        q("2000000", "[iU]"),
    ],
    ("medication", "frequency"): [
        q(v, u)
        for v, u in (
            ("1", "/wk"),
            ("1", "/(2.wk)"),
            ("1", "/(28.d)"),
            ("1", "/(27.d)"),
            ("3", "/d"),
            ("4", "/d"),
            ("1", "/d"),
        )
    ],
    ("medication", "schedule", "cycles_per_course"): [1, 2, 3],
    ("medication", "schedule", "course_number"): [1, 2],
    ("medication", "schedule", "rest_between_cycles"): [q("9", "d"), q("215", "h")],
    ("medication", "schedule", "rest_before_course"): [q("49", "d"), q("6.9", "wk")],
    ("therapies", "time_on_drug"): [q("6", "mo"), q("182", "d"), q("0.5", "a")],
    ("therapies", "prior"): [
        [],
        [therapy("methotrexate", "L04AX03", q("13", "wk"), "failure")],
        [therapy("methotrexate", "L04AX03", None, "failure")],
        [therapy("leflunomide", "L04AK01", q("92", "d"))],
        [therapy("methotrexate", "L04AX03", None, "contraindication")],
        [therapy("pembrolizumab", "L01FF02"), therapy("group", "L04A", q("4", "mo"))],
        [therapy("uncoded", "", q("4", "mo"), "failure")],
    ],
    ("therapies", "concomitant"): [
        [],
        [therapy("adalimumab", "L04AB04")],
        [therapy("methotrexate", "L04AX03")],
        [therapy("prednisone", "H02AB07")],
        [therapy("group", "L04A")],
        [therapy("tofacitinib", "L04AA29", None, "contraindication")],
    ],
    ("prescriber",): [
        {"specialties": ["207RR0500X"]},
        {"specialties": ["207RX0202X"]},
        {"specialties": ["207RH0000X"], "affiliations": ["transplant-center"]},
        {},
    ],
    ("consultants",): [
        [],
        [{"specialties": ["2080P0216X"]}],
        [{"specialties": ["207Q00000X"]}, {}],
        [{"specialties": ["207RX0202X"], "affiliations": ["transplant-center"]}],
    ],
    ("answers", "proleukin", "lesions"): [
        [{"site": "nodal", "status": "recurrent"}],
        [{"site": "visceral", "status": "metastatic"}],
    ],
    ("answers", "proleukin", "melanoma_metastatic"): [True, False],
    ("answers", "proleukin", "melanoma_unresectable"): [True, False],
    ("answers", "proleukin", "renal_cell_carcinoma_metastatic"): [True, False],
    ("answers", "proleukin", "steroid_refractory"): [True, False],
    ("answers", "quellimab", "response"): [True, False],
}


def _fits(loc: Loc, data: Any) -> bool:
    """Whether a field belongs to the request's policy (answers are each policy's own)."""
    return loc[0] != "answers" or loc[1] == data["policy"]


@st.composite
def requests(draw: st.DrawFn, *, approved: bool = False) -> tuple[Any, Decision]:
    """A shipped example with up to four whole fields replaced, and its decision.

    ``approved``: an example that is approved, with up to two replaced (most still are).
    """
    examples = [each for each in EXAMPLES if each.approved or not approved]
    data = draw(st.sampled_from(examples)).data
    fields = st.lists(st.sampled_from(sorted(VALUES)), max_size=2 if approved else 4, unique=True)
    for loc in draw(fields):
        if _fits(loc, data):
            data = put(data, loc, draw(st.sampled_from(VALUES[loc])))
    decision = decided(data)
    assume(decision is not None)  # a replacement the request refuses (a contradiction)
    assert decision is not None
    return data, decision


def decided(data: Any) -> Decision | None:
    """The decision with its trail under the request's policy; ``None`` if refused."""
    try:
        return decide(POLICIES[data["policy"]], parse_request(data))
    except InputError:
        return None


# --- 1. A fact left out -------------------------------------------------------------

#: Fields the policies never read: free text and the request's own identity.
UNREAD = ("id", "policy", "date", "name", "display", "sex", "code", "value", "unit")


def read_when_left_out(loc: Loc, data: Any) -> bool:
    """Whether the policies read a field's absence as a value, by design, not as unknown.

    A therapy without an outcome was given (TherapyListed: "a therapy with no outcome
    given still counts"); a body surface area not given is Mosteller's from the height
    and weight, when both are given (vocabulary.facts: "as given, else Mosteller").
    """
    if loc[-1] == "outcome":
        return True
    patient = data.get("patient") or {}
    sized = patient.get("height") is not None and patient.get("weight") is not None
    return loc == ("patient", "bsa") and sized


def fact_of(loc: Loc) -> str:
    """The fact a field gives, as ``facts_needed`` names it (a list's, for its items)."""
    if loc[0] == "answers":
        return f"answers.{loc[2]}" if len(loc) > 2 else "answers"
    if loc == ("kind",):
        return "request.kind"
    named = []
    for step in loc:
        if isinstance(step, int):
            break
        named.append(step)
    return ".".join(map(str, named))


def left_out(data: Any) -> Iterator[tuple[Loc, Any]]:
    """Each field of the request left out: its key taken out of its object."""
    for loc, value in locations(data):
        if not loc or isinstance(loc[-1], int) or value is None or loc[-1] in UNREAD:
            continue
        if read_when_left_out(loc, data):
            continue
        holder = data
        for step in loc[:-1]:
            holder = holder[step]
        kept = {key: each for key, each in holder.items() if key != loc[-1]}
        yield loc, put(data, loc[:-1], kept)


class TestAFactLeftOut:
    """A fact left out never approves what was not approved, and asks for itself if needed."""

    @PROPERTY
    @given(requests())
    def test_never_approves_and_asks_for_it(self, case: tuple[Any, Decision]) -> None:
        data, before = case
        for loc, thinner in left_out(data):
            after = decided(thinner)
            if after is None:
                continue
            where = ".".join(map(str, loc))
            if before.outcome is not Outcome.APPROVE:
                assert after.outcome is not Outcome.APPROVE, where
                continue
            assert after.outcome in (Outcome.APPROVE, Outcome.INSUFFICIENT_INFORMATION), where
            if after.outcome is Outcome.INSUFFICIENT_INFORMATION:
                fact = fact_of(loc)
                asked = after.facts_needed
                named = [n for n in asked if n == fact or n.startswith(f"{fact}.")]
                assert named, (where, asked)

    def test_a_field_made_null_is_left_out(self) -> None:
        """A field made null is refused (a whole patient), or decides as if left out."""
        for example in EXAMPLES:
            for loc, thinner in left_out(example.data):
                nulled, absent = decided(put(example.data, loc, None)), decided(thinner)
                if nulled is not None:
                    assert absent is not None, loc
                    assert nulled.outcome is absent.outcome, loc


def in_part(data: Any) -> Iterator[tuple[str, Any]]:
    """Each therapy history the request lists a therapy in, said to be given only in part."""
    therapies = data.get("therapies") or {}
    for history in ("prior", "concomitant"):
        if therapies.get(history):
            partial = [*therapies.get("partial", ()), history]
            yield history, put(data, ("therapies",), {**therapies, "partial": partial})


class TestAHistoryGivenInPart:
    """A history given in part never approves what the whole did not, nor settles a node anew."""

    @PROPERTY
    @given(requests())
    def test_it_only_leaves_nodes_unknown(self, case: tuple[Any, Decision]) -> None:
        """Kleene: what it lists settles what it settled; what it may leave out is unknown."""
        data, before = case
        assert before.trail is not None
        for history, thinner in in_part(data):
            after = decided(thinner)
            assert after is not None, history
            assert after.trail is not None
            if before.outcome is not Outcome.APPROVE:
                assert after.outcome is not Outcome.APPROVE, history
            for label, step in after.trail.steps.items():
                was = before.trail.steps[label].status
                assert step.status in (was, UNKNOWN), (history, label)
            if after.outcome is not before.outcome:
                assert f"therapies.{history}" in after.facts_needed, history


# --- 2. Every fact asked for given ---------------------------------------------------

#: Whole values that settle each fact a decision may ask for.
COMPLETE: dict[str, tuple[Loc, list[Any]]] = {
    "request.kind": (("kind",), ["initial", "continuation"]),
    "patient.birth_date": (("patient", "birth_date"), ["1970-01-01", "2020-01-01"]),
    "patient.weight": (("patient", "weight"), [q("20", "kg"), q("300", "[lb_av]")]),
    "patient.height": (("patient", "height"), [q("170", "cm")]),
    "patient.bsa": (("patient", "bsa"), [q("1.8", "m2")]),
    # Codes that settle the diagnosis: M06.4 and the group D89.81 leave it open by design
    # (a more specific code is asked for), so they would ask for the diagnoses again.
    "diagnoses": (
        ("diagnoses",),
        [each for each in VALUES[("diagnoses",)][3:] if {"code": "D89.81"} not in each],
    ),
    "medication.route": (("medication", "route"), VALUES[("medication", "route")]),
    "medication.dose": (("medication", "dose"), VALUES[("medication", "dose")]),
    "medication.frequency": (("medication", "frequency"), VALUES[("medication", "frequency")]),
    **{
        f"medication.schedule.{name}": (("medication", "schedule", name), values)
        for name, values in (
            ("doses_per_cycle", [14, 15]),
            ("cycles_per_course", [1, 2]),
            ("rest_between_cycles", [q("9", "d"), q("2", "d")]),
            ("course_number", [1, 2]),
            ("rest_before_course", [q("49", "d"), q("2", "d")]),
        )
    },
    "therapies.prior": (
        ("therapies", "prior"),
        [
            [],
            [therapy("methotrexate", "L04AX03", q("4", "mo"), "failure")],
            [therapy("pembrolizumab", "L01FF02", q("2", "mo"), "failure")],
        ],
    ),
    "therapies.concomitant": (
        ("therapies", "concomitant"),
        VALUES[("therapies", "concomitant")][:4],
    ),
    "therapies.time_on_drug": (("therapies", "time_on_drug"), [q("7", "mo"), q("1", "mo")]),
    "prescriber.specialties": (("prescriber", "specialties"), [["207RR0500X"], ["207Q00000X"]]),
    "prescriber.affiliations": (("prescriber", "affiliations"), [["transplant-center"], []]),
    "consultants": (
        ("consultants",),
        [[], [{"specialties": ["207RR0500X"], "affiliations": []}]],
    ),
    "answers.lesions": (
        ("answers", "proleukin", "lesions"),
        VALUES[("answers", "proleukin", "lesions")],
    ),
    **{
        f"answers.{name}": (("answers", policy, name), [True, False])
        for policy, name in (
            ("proleukin", "melanoma_metastatic"),
            ("proleukin", "melanoma_unresectable"),
            ("proleukin", "renal_cell_carcinoma_metastatic"),
            ("proleukin", "steroid_refractory"),
            ("quellimab", "response"),
        )
    },
}


class TestEveryFactAskedForGiven:
    """Giving each fact asked for decides, or asks for others: never for one given."""

    @PROPERTY
    @given(requests(), st.data())
    def test_never_asked_again(self, case: tuple[Any, Decision], data: st.DataObject) -> None:
        request, decision = case
        given_: set[str] = set()
        while decision.outcome is Outcome.INSUFFICIENT_INFORMATION:
            assert decision.facts_needed, decision.summary
            again = given_ & set(decision.facts_needed)
            assert not again, (again, json.dumps(request))
            for name in decision.facts_needed:
                loc, values = COMPLETE[name]
                request = put(request, loc, data.draw(st.sampled_from(values), label=name))
            given_ |= set(decision.facts_needed)
            found = decided(request)
            if found is None:  # a value that contradicts another (methotrexate both ways)
                return
            decision = found


# --- 4. The trail's statuses and the outcome rules ----------------------------------


def expected_outcome(policy: Policy, decision: Decision) -> tuple[Outcome, str | None]:
    """The outcome and indication the documented rules give for the trail's statuses."""
    assert decision.trail is not None
    steps = decision.trail.steps
    exclusions = [steps[exclusion_label(item)].status for item in policy.exclusions]
    if MET in exclusions:
        return Outcome.NOT_RECOMMENDED, None
    for indication in policy.indications:
        if steps[indication.criteria.label].status is MET:
            dosing = steps[indication.dosing.label].status
            if dosing is MET and UNKNOWN not in exclusions:
                return Outcome.APPROVE, indication.label
            if dosing is NOT_MET:
                return Outcome.CLINICIAN_REVIEW, indication.label
            return Outcome.INSUFFICIENT_INFORMATION, indication.label
    roots = [steps[each.criteria.label].status for each in policy.indications]
    if UNKNOWN in roots:
        return Outcome.INSUFFICIENT_INFORMATION, None
    return Outcome.NOT_RECOMMENDED, None


class TestTrailAndRules:
    """Each step is Kleene logic of its parts; the outcome follows the documented rules."""

    @PROPERTY
    @given(requests())
    def test_every_step(self, case: tuple[Any, Decision]) -> None:
        data, decision = case
        policy = POLICIES[data["policy"]]
        assert decision.trail is not None
        steps = decision.trail.steps
        for root in policy.trees():
            for node in walk(root):
                step = steps[node.label]
                parts = [role for role, _ in roles(node)]
                found = dict(zip(parts, step.findings, strict=True))
                if isinstance(node, AllOf | AnyOf):
                    fold = all_met if isinstance(node, AllOf) else any_met
                    status = fold(steps[child.label].status for child in node.children)
                else:
                    rules = zip(parts, step.findings, strict=True)
                    status = all_met(f.status for role, f in rules if role == "rule")
                    if "applies if" in found:
                        status = ~found["applies if"].status | status
                if "requires" in found:
                    status = found["requires"].status & status
                assert step.status is status, node.label

    @PROPERTY
    @given(requests())
    def test_outcome(self, case: tuple[Any, Decision]) -> None:
        data, decision = case
        outcome, indication = expected_outcome(POLICIES[data["policy"]], decision)
        assert decision.outcome is outcome
        assert decision.indication == indication
        # Clinician review may name facts still open (an exclusion, an earlier indication).
        if outcome is Outcome.INSUFFICIENT_INFORMATION:
            assert decision.facts_needed
        elif outcome is not Outcome.CLINICIAN_REVIEW:
            assert not decision.facts_needed


# --- 5. What an approval stands on --------------------------------------------------


class TestApprovalStandsOnItsPath:
    """An approval's path is met node by node, each rule that applies met; no exclusion."""

    @PROPERTY
    @given(requests(approved=True))
    def test_path_met(self, case: tuple[Any, Decision]) -> None:
        data, decision = case
        if decision.outcome is not Outcome.APPROVE:
            return
        policy = POLICIES[data["policy"]]
        assert decision.trail is not None
        steps = decision.trail.steps
        for label in decision.path:
            step = steps[label]
            assert step.status is MET, label
            assert not step.off, label
            if step.applies:
                assert all(f.status is MET for f in step.findings), label
            node = policy.node(label)
            if isinstance(node, AllOf):
                assert all(steps[c.label].status is MET for c in node.children), label
        for item in policy.exclusions:
            assert steps[exclusion_label(item)].status is NOT_MET, item.label


# --- 3. Limits ----------------------------------------------------------------------

Bound = AtMost | AtLeast | LessThan
#: Whether a value that compares with the limit as -1, 0 or 1 meets it, as each is worded:
#: "up to" and "at least" include the limit, "less than" does not.
WORDED: dict[type[Bound], Callable[[int], bool]] = {
    AtMost: lambda side: side <= 0,
    AtLeast: lambda side: side >= 0,
    LessThan: lambda side: side < 0,
}

#: Units a quantity may come in: every atom, rates, amounts per basis or per a count.
UNITS = tuple(
    unit(code)
    for code in (
        *ATOMS,
        *(f"/{period}" for period in ("h", "d", "wk", "mo", "a")),
        *(f"/({n}.{period})" for n in (2, 3, 4, 7, 14, 28) for period in ("d", "wk")),
        *(f"{a}/{b}" for a in ("[iU]", "10*6.[iU]", "mg", "ug", "g") for b in ("kg", "m2")),
        *(f"{a}/{{lesion}}" for a in ("[iU]", "10*6.[iU]")),
        "{dose}",
        "{cycle}",
        "{course}",
        "{therapy}",
    )
)
#: The body sizes a limit per basis is compared through: a weight in kg or lb; an area.
WEIGHTS = (Quantity("70", "kg"), Quantity("154.3", "[lb_av]"))
AREA = Quantity("1.8", "m2")
#: Decimal places of the values just under and just over a limit.
PLACES = 12


def every_bound() -> Iterator[Any]:
    """Each limit check of both trees, once, named by where it is first held."""
    seen: set[Bound] = set()
    for name, policy in POLICIES.items():
        for root in policy.trees():
            for node in walk(root):
                for check in checks_of(node):
                    for bound in _bounds(check):
                        if bound not in seen:
                            seen.add(bound)
                            yield pytest.param(bound, id=f"{name} {node.label} {bound!r}")


class Book:
    """A fact and the bases a limit may compare it through; derived facts are kept."""

    def __init__(self, fact: str, value: Quantity, weight: Quantity) -> None:
        self.facts = {
            "patient.weight": Fact("patient.weight", weight),
            "patient.body_surface_area": Fact("patient.body_surface_area", AREA),
        }
        self.facts[fact] = Fact(fact, value)

    def __getitem__(self, name: str) -> Fact:
        return self.facts[name]

    def add(self, fact: Fact) -> None:
        self.facts.setdefault(fact.name, fact)


def near(value: Fraction, target: Unit) -> Iterator[tuple[Quantity, int]]:
    """Quantities in ``target`` at, just under and just over ``value``.

    Each with how it compares: -1 under, 0 at (only when ``value`` has a short decimal
    form), 1 over.
    """
    scale = 10**PLACES
    floor, ceil = math.floor(value * scale), math.ceil(value * scale)
    if floor == ceil:
        yield _quantity(floor, target), 0
        floor, ceil = floor - 1, ceil + 1
    if floor >= 0:
        yield _quantity(floor, target), -1
    yield _quantity(ceil, target), 1


def _quantity(steps: int, target: Unit) -> Quantity:
    """``steps`` of 10**-PLACES in ``target``."""
    return Quantity(Decimal(steps).scaleb(-PLACES), target.code)


def base(quantity: Quantity) -> Fraction:
    """A quantity in its dimension's base unit, exactly."""
    return Fraction(quantity.value) * quantity.unit.factor


def comparing(bound: Bound, target: Unit) -> tuple[Quantity, str | None] | None:
    """The limit a quantity in ``target`` is compared with, and through which basis.

    A limit of its own dimension first; else one it compares with across a weight or an
    area (an absolute dose against a per-kg limit, a per-kg dose against a cap); else none.
    """
    for limit in bound.limits:
        if limit.unit.dimension == target.dimension:
            return limit, None
    if bound.fact in ("patient.weight", "patient.body_surface_area"):
        return None  # a basis is compared as it is, never across itself
    for limit in bound.limits:
        want, have = limit.unit.dimension, target.dimension
        for basis in ("mass", "area"):
            if want == f"{have}/{basis}" or have == f"{want}/{basis}":
                return limit, basis
    return None


def at_limit(limit: Quantity, basis: str | None, target: Unit, weight: Quantity) -> Fraction:
    """The value in ``target`` that is exactly the limit (through the basis, if any)."""
    value = base(limit)
    if basis is not None:
        size = base(weight) if basis == "mass" else base(AREA)
        value = value * size if "/" in limit.unit.dimension else value / size
    return value / target.factor


class TestLimits:
    """Every limit decides at, under and over itself as worded, in every unit, exactly."""

    @pytest.mark.parametrize("bound", list(every_bound()))
    def test_at_under_over(self, bound: Bound) -> None:
        for target in UNITS:
            way = comparing(bound, target)
            if way is None:  # no limit compares with it: never met
                found = bound.evaluate(Book(bound.fact, Quantity("1", target.code), WEIGHTS[0]))
                assert found.status is NOT_MET, target.code
                continue
            limit, basis = way
            for weight in WEIGHTS if basis == "mass" else WEIGHTS[:1]:
                for quantity, side in near(at_limit(limit, basis, target, weight), target):
                    found = bound.evaluate(Book(bound.fact, quantity, weight))
                    expected = Status.of(WORDED[type(bound)](side))
                    assert found.status is expected, (str(limit), str(quantity), str(weight))

    def test_every_limit_is_reached(self) -> None:
        """Each limit of both trees is compared in its own unit and another that converts."""
        for param in every_bound():
            (bound,) = param.values
            for limit in bound.limits:
                same = [u for u in UNITS if u.dimension == limit.unit.dimension]
                assert limit.unit in same
                assert len(same) >= 2 or limit.unit.dimension.startswith("{"), limit
