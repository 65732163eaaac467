"""The generated program, compiled checks and direct JSON writer match the reference."""

from __future__ import annotations

import datetime as dt
import hashlib
from fractions import Fraction
from typing import Any

import attrs
import pytest
from benchmarks.corpus import corpus
from hypothesis import given

import umpolicy
from umpolicy import (
    AllOf,
    AtLeast,
    AtMost,
    Check,
    Dimension,
    DoseLimit,
    Either,
    FactBook,
    Includes,
    IsTrue,
    OneOf,
    Patient,
    Physician,
    Predicate,
    Quantity,
    Request,
    Route,
    Specialty,
    Status,
    Therapy,
    Trail,
    Unit,
    explain,
    walk,
)
from umpolicy.canonical import writer
from umpolicy.compiled import compile_check
from umpolicy.converter import CONVERTER, dumps
from umpolicy.decision import _Run, fingerprint
from umpolicy.facts import READERS
from umpolicy.nodes import checks_of
from umpolicy.program import KEPT, KEY_ITEMS, KEY_TEXT, LONG, _key, program
from umpolicy.validation import admitted
from umpolicy_policies.proleukin import POLICY

from .engine_strategies import requests

REQUESTS = corpus(400, 11)


TREES = tuple(
    root for indication in POLICY.indications for root in (indication.criteria, indication.dosing)
)
PROGRAM = program(TREES)


def _flat(trail: Trail) -> list[Trail]:
    return [trail, *(each for child in trail.children for each in _flat(child))]


def test_generated_trail_equals_explain_on_every_node() -> None:
    for request in REQUESTS:
        roots, statuses, conditions, findings = PROGRAM.trail(FactBook(request))
        expected = [explain(tree, FactBook(request)) for tree in TREES]
        assert roots == tuple(expected)
        flat = [each for root in expected for each in _flat(root)]
        assert statuses == [each.status for each in flat]
        assert findings == [each.findings for each in flat]
        assert conditions == [
            each.findings[0].status if shape.requires else None
            for each, shape in zip(flat, PROGRAM.shapes, strict=True)
        ]


def _under(i: int) -> list[int]:
    children = PROGRAM.shapes[i].children
    return [*children, *(each for child in children for each in _under(child))]


def test_generated_statuses_equal_the_trails_wherever_they_are_worked_out() -> None:
    """Only the nodes under a heading its own condition rules out are left unset."""
    nodes = [node for tree in TREES for node in walk(tree)]
    for request in REQUESTS:
        _, statuses, conditions, findings = PROGRAM.trail(FactBook(request))
        run = _Run(PROGRAM, FactBook(request))
        for t in range(len(TREES)):
            run.tree(t)
        ruled_out = {
            child
            for i, shape in enumerate(PROGRAM.shapes)
            if shape.requires and conditions[i] is Status.NOT_MET
            for child in _under(i)
        }
        for i, node in enumerate(nodes):
            if i in ruled_out:
                assert run.statuses[i] is None
                continue
            assert run.statuses[i] is statuses[i]
            assert run.conditions[i] is conditions[i]
            if statuses[i] is not Status.MET:
                unsettled = tuple(each for each in findings[i] if each.status is not Status.MET)
                assert run.findings(i) == unsettled, node.label
            for check in checks_of(node):
                judged = run.checks[PROGRAM.numbers[check]]
                assert judged in (None, check.evaluate(FactBook(request)).status)


def test_decision_without_trail_is_the_decision_with_it_less_the_trail() -> None:
    for request in REQUESTS:
        full = umpolicy.decide(POLICY, request, trail=True)
        assert umpolicy.decide(POLICY, request, trail=False) == attrs.evolve(full, trail=None)


def test_writer_gives_the_converters_text() -> None:
    for request in REQUESTS:
        assert writer(Request)(request) == dumps(CONVERTER.unstructure(request))
        assert admitted(request) == dumps(CONVERTER.unstructure(request))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("id", 7),
        ("patient", Patient(birth_date="2000-01-01")),  # type: ignore[arg-type]
        ("patient", Patient(weight=("70", "kg"))),  # type: ignore[arg-type]
        ("regimen.route", "intravenous"),
        ("regimen.route", Route.INTRAVENOUS),
        ("regimen.doses_per_cycle", True),
        ("diagnosis.metastatic", 1),
        ("therapy.prior_systemic", ["a", "b"]),
        ("therapy.prior_systemic", ("a", "b")),
        ("date", dt.datetime(2026, 3, 2, 12, 0)),
    ],
)
def test_unplanned_types_fall_back_to_the_converter(path: str, value: Any) -> None:
    request = REQUESTS[0]
    head, _, rest = path.partition(".")
    if rest:
        value = attrs.evolve(getattr(request, head), **{rest: value})
    request = attrs.evolve(request, **{head: value})
    try:
        expected = dumps(CONVERTER.unstructure(request))
    except Exception as error:  # the converter cannot write it: nor can the fingerprint
        with pytest.raises(type(error)):
            fingerprint(request)
        return
    assert fingerprint(request) == hashlib.sha256(expected.encode()).hexdigest()


def test_quantity_subclass_falls_back() -> None:
    class Odd(Quantity):
        pass

    request = attrs.evolve(
        REQUESTS[0],
        patient=Patient(weight=Odd("70", "kg")),
    )
    assert writer(Request)(REQUESTS[0]) == dumps(CONVERTER.unstructure(REQUESTS[0]))
    assert len(fingerprint(request)) == 64


def test_a_unit_made_by_hand_is_compared_by_the_check_itself() -> None:
    odd = Unit("kg", "kg", Dimension.MASS, Fraction(2))
    request = attrs.evolve(
        REQUESTS[0],
        patient=Patient(weight=Quantity("70", odd)),
        regimen=attrs.evolve(REQUESTS[0].regimen, dose=Quantity("70", odd)),
    )
    for check in (
        AtMost("regimen.dose", Quantity("1", "kg")),
        AtMost("patient.weight", Quantity("1", "g")),
    ):
        expected = check.evaluate(FactBook(request))
        assert compile_check(check)(FactBook(request)) == expected
        assert _statuses((Predicate("X", "t", check),), request)[0] is expected.status


def _statuses(leaves: tuple[Predicate, ...], request: Request) -> list[Status | None]:
    """The generated statuses of the leaves, under one heading (validation bypassed)."""
    run = _Run(program((AllOf("T", "t", leaves),)), FactBook(request))
    run.tree(0)
    return run.statuses[1:]


#: Limits in every kind of unit the checks below compare with.
LIMITS = (
    Quantity("18", "a"),
    Quantity("3", "/d"),
    Quantity("14", "{dose}"),
    Quantity("2", "{cycle}"),
    Quantity("600000", "[iU]/kg"),
    Quantity("1", "10*6.[iU]/m2"),
    Quantity("6", "10*6.[iU]/{lesion}"),
    Quantity("9", "d"),
    Quantity("70", "kg"),
)


def test_every_kind_of_check_on_every_fact_gives_the_checks_own_status() -> None:
    """What the generator writes out, and what it leaves to the check, agree with it."""
    checks: list[Check] = []
    for name in READERS:
        checks += [
            IsTrue(name),
            OneOf(name, ("intravenous", "oncology", "cutaneous_melanoma", "yes")),
            Includes(name, ("oncology", "dermatology")),
            *(AtMost(name, limit) for limit in LIMITS),
            *(AtLeast(name, limit) for limit in LIMITS),
        ]
    checks.append(Either(IsTrue("diagnosis.metastatic"), AtMost("regimen.dose", LIMITS[4])))
    leaves = tuple(Predicate(f"T.{k}", "t", check) for k, check in enumerate(checks))
    for request in REQUESTS[:60]:
        expected = [check.evaluate(FactBook(request)).status for check in checks]
        assert _statuses(leaves, request) == expected


def _labelled(roots: tuple[Trail, ...], label: str) -> Trail:
    """The trail node with ``label`` among ``roots`` and their descendants."""
    found = [node for root in roots for node in _nodes(root) if node.label == label]
    assert len(found) == 1
    return found[0]


def _nodes(trail: Trail) -> list[Trail]:
    return [trail, *(node for child in trail.children for node in _nodes(child))]


class TestKeptSubtrees:
    """A subtree whose facts are few-valued is built once per key and read back, unchanged."""

    @given(requests())
    def test_a_trail_read_back_equals_one_built_anew(self, request: Request) -> None:
        """Whatever the program kept from earlier requests, each trail is ``explain``'s."""
        roots, *_ = PROGRAM.trail(FactBook(request))
        assert roots == tuple(explain(tree, FactBook(request)) for tree in TREES)

    def test_requests_alike_in_few_valued_facts_share_the_subtree(self) -> None:
        """Two requests differing only in a measurement share the GVHD criteria's trail."""
        first = REQUESTS[0]
        second = attrs.evolve(
            first, patient=attrs.evolve(first.patient, weight=Quantity("61.25", "kg"))
        )
        gvhd = TREES.index(POLICY.indications[2].criteria)
        fresh = program.__wrapped__(TREES)  # its own, empty stores: nothing kept yet
        one, two = fresh.trail(FactBook(first))[0], fresh.trail(FactBook(second))[0]
        assert two[gvhd] is one[gvhd]
        assert two == tuple(explain(tree, FactBook(second)) for tree in TREES)

    def test_requests_alike_in_cycles_share_a_conditions_finding(self) -> None:
        """Dosing 1.A.ii's first finding (does it apply?) is kept by the number of cycles."""
        first = REQUESTS[0]
        second = attrs.evolve(
            first, regimen=attrs.evolve(first.regimen, rest_between_cycles=Quantity("12.5", "d"))
        )
        fresh = program.__wrapped__(TREES)  # its own, empty stores: nothing kept yet
        one, two = (
            _labelled(fresh.trail(FactBook(each))[0], "Dosing 1.A.ii") for each in (first, second)
        )
        assert two.findings[0] is one.findings[0]
        assert two.findings[1] != one.findings[1]  # the rest itself is found anew
        reference = tuple(explain(tree, FactBook(second)) for tree in TREES)
        assert two == _labelled(reference, "Dosing 1.A.ii")

    def test_a_subtree_keeps_at_most_KEPT_keys(self) -> None:
        """Past the bound, each new key is built anew and is still ``explain``'s."""
        kept = program.__wrapped__(TREES)  # a fresh program: its own, empty store
        memo = kept.trail.__globals__
        for n in range(KEPT + 20):
            request = attrs.evolve(
                REQUESTS[0],
                therapy=attrs.evolve(REQUESTS[0].therapy, prior_systemic=(f"drug {n}",)),
            )
            roots, *_ = kept.trail(FactBook(request))
        assert roots == tuple(explain(tree, FactBook(request)) for tree in TREES)
        criterion = next(i for i, shape in enumerate(kept.shapes) if shape.label == "1.A.iii")
        (check,) = checks_of(next(n for n in walk(TREES[0]) if n.label == "1.A.iii"))
        assert len(memo[f"KT{criterion}"]) == len(memo[f"KF{kept.numbers[check]}"]) == KEPT

    def test_a_conditions_first_finding_keeps_at_most_KEPT_keys(self) -> None:
        """Past the bound, each new number of cycles is found anew and is still ``explain``'s."""
        kept = program.__wrapped__(TREES)  # a fresh program: its own, empty store
        node = next(n for n in walk(TREES[1]) if n.label == "Dosing 1.A.ii")
        assert isinstance(node, DoseLimit)
        assert node.applies_if is not None
        store = kept.trail.__globals__[f"KS{kept.numbers[node.applies_if]}"]
        for cycles in range(1, KEPT + 21):
            request = attrs.evolve(
                REQUESTS[0], regimen=attrs.evolve(REQUESTS[0].regimen, cycles_per_course=cycles)
            )
            roots, *_ = kept.trail(FactBook(request))
        assert roots == tuple(explain(tree, FactBook(request)) for tree in TREES)
        assert len(store) == KEPT

    @pytest.mark.parametrize(
        "therapy",
        [
            Therapy(prior_systemic=tuple(f"drug {n}" for n in range(KEY_ITEMS + 1))),
            Therapy(prior_systemic=("x" * (KEY_TEXT + 1),)),
        ],
    )
    def test_a_long_list_is_never_kept(self, therapy: Therapy) -> None:
        """No store holds much of any one request: a long list of names is built anew."""
        kept = program.__wrapped__(TREES)
        request = attrs.evolve(REQUESTS[0], therapy=therapy)
        for _ in range(2):
            roots, *_ = kept.trail(FactBook(request))
            assert roots == tuple(explain(tree, FactBook(request)) for tree in TREES)
        (check,) = checks_of(next(n for n in walk(TREES[0]) if n.label == "1.A.iii"))
        number = kept.numbers[check]
        find = kept.trail.__globals__[f"find_{number}"]  # as reasons without a trail read it
        assert (
            find(FactBook(request)) == find(FactBook(request)) == check.evaluate(FactBook(request))
        )
        criterion = next(i for i, shape in enumerate(kept.shapes) if shape.label == "1.A.iii")
        assert kept.trail.__globals__[f"KT{criterion}"] == {}
        assert kept.trail.__globals__[f"KF{number}"] == {}

    def test_only_few_valued_attributes_are_keys(self) -> None:
        """Dates and quantities (measurements) are no key, nor a list of what holds one."""
        assert _key(Route, "r.regimen.route") == "id(r.regimen.route)"
        assert _key(bool, "r.diagnosis.metastatic") == "r.diagnosis.metastatic"
        assert _key(dt.date, "r.date") is None
        assert _key(Quantity, "r.patient.weight") is None
        assert _key(str, "r.id") is None
        assert _key(tuple[_Visit, ...], "r.visits") is None

    def test_short_lists_key_by_their_members_fields(self) -> None:
        """Two lists key alike exactly when their members' fields are the same objects."""
        key = eval(f"lambda r: {_key(tuple[Physician, ...], 'r.consultants')}", {"LONG": LONG})
        one = Physician(Specialty.ONCOLOGY, transplant_center=True)
        same = Physician(Specialty.ONCOLOGY, transplant_center=True)
        other = Physician(Specialty.DERMATOLOGY, transplant_center=True)
        request = REQUESTS[0]
        assert key(attrs.evolve(request, consultants=None)) is None
        assert key(attrs.evolve(request, consultants=(one,))) == key(
            attrs.evolve(request, consultants=(same,))
        )
        assert key(attrs.evolve(request, consultants=(one,))) != key(
            attrs.evolve(request, consultants=(other,))
        )
        assert key(attrs.evolve(request, consultants=(one,) * (KEY_ITEMS + 1))) is LONG
        assert repr(LONG) == "LONG"  # as the generated source names it


@attrs.frozen
class _Visit:
    on: dt.date
