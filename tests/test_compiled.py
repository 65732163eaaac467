"""The compiled tree and the direct JSON writer give exactly what the reference paths give."""

from __future__ import annotations

import datetime as dt
import hashlib
from fractions import Fraction
from typing import Any

import attrs
import pytest
from benchmarks.corpus import corpus

import umpolicy
from umpolicy import (
    AtMost,
    Dimension,
    FactBook,
    Patient,
    Quantity,
    Request,
    Route,
    Status,
    Unit,
    explain,
    walk,
)
from umpolicy.canonical import writer
from umpolicy.compiled import Verdict, compile_check, compile_node, judge_check, judge_node
from umpolicy.converter import CONVERTER, dumps
from umpolicy.decision import _judged_path, fingerprint
from umpolicy_policies.proleukin import POLICY

REQUESTS = corpus(400, 11)


NODES = [
    node
    for indication in POLICY.indications
    for root in (indication.criteria, indication.dosing)
    for node in walk(root)
]


def test_compiled_trail_equals_explain_on_every_node() -> None:
    for request in REQUESTS:
        for node in NODES:
            assert compile_node(node)(FactBook(request)) == explain(node, FactBook(request))


def test_judged_status_equals_the_trails_on_every_node() -> None:
    for request in REQUESTS:
        for node in NODES:
            verdict = judge_node(node)(FactBook(request))
            assert verdict.status is explain(node, FactBook(request)).status


def test_decision_without_trail_is_the_decision_with_it_less_the_trail() -> None:
    for request in REQUESTS:
        full = umpolicy.decide(POLICY, request, trail=True)
        assert umpolicy.decide(POLICY, request, trail=False) == attrs.evolve(full, trail=None)


def test_writer_gives_the_converters_text() -> None:
    for request in REQUESTS:
        assert writer(Request)(request) == dumps(CONVERTER.unstructure(request))


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


def test_judged_path_of_an_any_of_with_every_branch_ruled_out() -> None:
    off = Verdict(Status.NOT_MET, "A", off=True, children=(), any_of=True)
    heading = Verdict(Status.NOT_MET, "1", children=(off, off), any_of=True)
    assert _judged_path(heading) == ["1"]


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
        assert judge_check(check)(FactBook(request)) is expected.status
