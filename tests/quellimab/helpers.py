"""Requests for the FICTIONAL Quellimab policy, decided through umpolicy's registry.

The policy is a separate package (``examples/quellimab-policy``): the tests load it
with :func:`umpolicy.load_policy`, as an application loads a plan's own policy, so
the package must be installed first (``pip install ./examples/quellimab-policy``).

Requests are built as JSON data in umpolicy's request format and structured with the
public converter, so every test reads like a request a plan would send. Each base
request meets every criterion and dosing limit of one branch; a test changes a few
dotted fields (``patient.weight``) to break or remove exactly what it is about.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

import umpolicy
from umpolicy import Decision, Policy, Request, Status, Step, UnknownPolicyError

try:
    POLICY: Policy = umpolicy.load_policy("quellimab")
except UnknownPolicyError as error:  # pragma: no cover - a setup mistake, said plainly
    raise RuntimeError(
        f"{error}: install it first, pip install ./examples/quellimab-policy"
    ) from None

TODAY = dt.date(2026, 3, 2)
IV = {"code": "47625008", "display": "Intravenous"}
SC = {"code": "34206005", "display": "Subcutaneous"}
RHEUMATOLOGIST = "207RR0500X"
PEDIATRIC_RHEUMATOLOGIST = "2080P0216X"
FAMILY_MEDICINE = "207Q00000X"
PEDIATRICS = "208000000X"

Base = Literal[
    "ra_initial",
    "ra_contraindication",
    "ra_continuation",
    "pjia_initial",
    "pjia_with_methotrexate",
    "pjia_continuation",
]
BASES: tuple[Base, ...] = (
    "ra_initial",
    "ra_contraindication",
    "ra_continuation",
    "pjia_initial",
    "pjia_with_methotrexate",
    "pjia_continuation",
)


def q(value: str, unit: str) -> dict[str, str]:
    """A quantity as the request format writes it: decimal text and a UCUM code."""
    return {"value": value, "unit": unit}


def therapy(
    name: str, code: str, duration: dict[str, str] | None = None, outcome: str | None = None
) -> dict[str, Any]:
    """One therapy of the history, as JSON."""
    found: dict[str, Any] = {"name": name, "codes": [code]}
    if duration is not None:
        found["duration"] = duration
    if outcome is not None:
        found["outcome"] = outcome
    return found


METHOTREXATE = ("methotrexate", "L04AX03")
ADALIMUMAB = ("adalimumab", "L04AB04")


def years_before(on: dt.date, years: int) -> dt.date:
    """The date ``years`` before ``on`` (29 February goes back to 1 March)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return dt.date(on.year - years, 3, 1)


def _ra(kind: str) -> dict[str, Any]:
    return {
        "id": f"ra-{kind}",
        "policy": "quellimab",
        "date": TODAY.isoformat(),
        "kind": kind,
        "patient": {"birth_date": "1971-05-20", "sex": "female", "weight": q("72", "kg")},
        "diagnoses": [{"code": "M06.9", "display": "Rheumatoid arthritis, unspecified"}],
        "medication": {
            "name": "Quellimab",
            "route": SC,
            "dose": q("162", "mg"),
            "frequency": q("1", "/wk"),
        },
        "therapies": {
            "prior": [therapy(*METHOTREXATE, q("4", "mo"), "failure")],
            "concomitant": [],
        },
        "prescriber": {"specialties": [RHEUMATOLOGIST]},
        "consultants": [],
    }


def _pjia(kind: str) -> dict[str, Any]:
    return {
        "id": f"pjia-{kind}",
        "policy": "quellimab",
        "date": TODAY.isoformat(),
        "kind": kind,
        "patient": {"birth_date": "2017-09-11", "sex": "male", "weight": q("25", "kg")},
        "diagnoses": [
            {"code": "M08.3", "display": "Juvenile rheumatoid polyarthritis (seronegative)"}
        ],
        "medication": {
            "name": "Quellimab",
            "route": IV,
            "dose": q("10", "mg/kg"),
            "frequency": q("1", "/(4.wk)"),
        },
        "therapies": {
            "prior": [therapy(*METHOTREXATE, q("3", "mo"), "failure")],
            "concomitant": [],
        },
        "prescriber": {"specialties": [PEDIATRICS]},
        "consultants": [{"specialties": [PEDIATRIC_RHEUMATOLOGIST]}],
    }


def base_data(which: Base) -> dict[str, Any]:
    """The JSON of a request that meets every criterion and dosing limit of one branch."""
    if which == "ra_initial":  # 1.A.ii.a: methotrexate for 4 months; SC 162 mg weekly
        return _ra("initial")
    if which == "ra_contraindication":  # 1.A.ii.b: methotrexate contraindicated; IV
        data = _ra("initial")
        data["therapies"]["prior"] = [therapy(*METHOTREXATE, outcome="contraindication")]
        data["medication"].update(route=IV, dose=q("8", "mg/kg"), frequency=q("1", "/(4.wk)"))
        return data
    if which == "ra_continuation":  # 1.B: 7 months on Quellimab, responded
        data = _ra("continuation")
        data["therapies"] = {"concomitant": [], "time_on_drug": q("7", "mo")}
        data["answers"] = {"quellimab": {"response": True}}
        return data
    if which == "pjia_initial":  # 2.A.ii.a: methotrexate tried; IV 10 mg/kg under 30 kg
        return _pjia("initial")
    if which == "pjia_with_methotrexate":  # 2.A.ii.b: started with methotrexate
        data = _pjia("initial")
        data["therapies"] = {"prior": [], "concomitant": [therapy(*METHOTREXATE)]}
        return data
    # pjia_continuation, 2.B: responded; SC 162 mg every 2 weeks at 40 kg
    data = _pjia("continuation")
    data["patient"]["weight"] = q("40", "kg")
    data["medication"].update(route=SC, dose=q("162", "mg"), frequency=q("1", "/(2.wk)"))
    data["therapies"] = {"concomitant": []}
    data["answers"] = {"quellimab": {"response": True}}
    return data


def changed(data: Mapping[str, Any], fields: Mapping[str, object]) -> dict[str, Any]:
    """A deep copy of request JSON with dotted fields set; the value ``DROP`` removes one."""
    out = copy.deepcopy(dict(data))
    for path, value in fields.items():
        *parents, last = path.split(".")
        where = out
        for part in parents:
            where = where.setdefault(part, {})
        if value is DROP:
            where.pop(last, None)
        else:
            where[last] = copy.deepcopy(value)
    return out


DROP = object()


def request(data: Mapping[str, Any]) -> Request:
    """The request the JSON data describes, through the public converter."""
    return umpolicy.structure(dict(data), Request)


def decide(data: Mapping[str, Any]) -> Decision:
    """The decision under the registered Quellimab policy, with its trail."""
    return umpolicy.decide(POLICY, request(data))


def decide_base(which: Base, **fields: object) -> Decision:
    """A base request with dotted fields changed (``patient__weight`` → ``patient.weight``)."""
    dotted = {name.replace("__", "."): value for name, value in fields.items()}
    return decide(changed(base_data(which), dotted))


def reason_labels(decision: Decision) -> tuple[str, ...]:
    """The labels of the criteria the decision names as not met."""
    return tuple(reason.label for reason in decision.reasons)


def steps(decision: Decision) -> Mapping[str, Step]:
    """Every node's step in the decision's trail, by label."""
    assert decision.trail is not None
    return decision.trail.steps


def status(decision: Decision, label: str) -> Status:
    """The status of one node (or ``Not Recommended 1``) in the trail."""
    return steps(decision)[label].status
