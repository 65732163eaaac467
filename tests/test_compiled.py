"""The compiled tree and the direct JSON writer give exactly what the reference paths give."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import attrs
import pytest
from benchmarks.corpus import corpus

from umpolicy import FactBook, Patient, Quantity, Request, Route, explain, walk
from umpolicy.canonical import writer
from umpolicy.compiled import compile_node
from umpolicy.converter import CONVERTER, dumps
from umpolicy.decision import fingerprint
from umpolicy_policies.proleukin import POLICY

REQUESTS = corpus(400, 11)


def test_compiled_trail_equals_explain_on_every_node() -> None:
    nodes = [
        node
        for indication in POLICY.indications
        for root in (indication.criteria, indication.dosing)
        for node in walk(root)
    ]
    for request in REQUESTS:
        for node in nodes:
            assert compile_node(node)(FactBook(request)) == explain(node, FactBook(request))


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
