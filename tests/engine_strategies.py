"""Hypothesis strategies for valid requests, shared by the engine tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from umpolicy import (
    FACTS,
    Condition,
    Diagnosis,
    Lesion,
    LesionSite,
    LesionStatus,
    Patient,
    Physician,
    Quantity,
    Regimen,
    Request,
    Route,
    Specialty,
    Therapy,
)


def decimals(low: str = "0.001", high: str = "1000000") -> st.SearchStrategy[Decimal]:
    """Finite positive decimals with up to three places."""
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=3)


def quantities(fact: str, low: str = "0.001", high: str = "1000000") -> st.SearchStrategy[Quantity]:
    """A valid quantity for ``fact``: one of its units, a positive value."""
    return st.builds(Quantity, decimals(low, high), st.sampled_from(FACTS[fact].units))


def _in(unit: str, low: str, high: str) -> st.SearchStrategy[Quantity]:
    return st.builds(Quantity, decimals(low, high), st.just(unit))


#: Plausible body sizes (validation refuses the rest) in every unit a request may use.
BODY_WEIGHTS = _in("kg", "1", "500") | _in("g", "1000", "500000") | _in("[lb_av]", "1", "1000")
BODY_HEIGHTS = _in("cm", "20", "250") | _in("m", "0.2", "2.5") | _in("[in_i]", "8", "100")


def optional(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | strategy


NAMES = st.text(alphabet="abcdefgh", min_size=1, max_size=6)
COUNTS = st.integers(min_value=1, max_value=30)


@st.composite
def requests(draw: st.DrawFn) -> Request:
    """A request that passes validation, with every optional field None or set."""
    date = draw(st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)))
    birth = draw(st.none() | st.dates(dt.date(1900, 1, 1), date))
    patient = Patient(
        birth,
        draw(st.none() | BODY_WEIGHTS),
        draw(st.none() | BODY_HEIGHTS),
        draw(st.none() | quantities("patient.bsa", "0.1", "4")),
    )
    lesions = st.lists(
        st.builds(Lesion, st.sampled_from(LesionSite), st.sampled_from(LesionStatus)), max_size=3
    ).map(tuple)
    diagnosis = Diagnosis(
        draw(st.none() | st.sampled_from(Condition)),
        draw(st.none() | st.booleans()),
        draw(st.none() | st.booleans()),
        draw(st.none() | st.booleans()),
        draw(st.none() | lesions),
    )
    therapy = Therapy(
        draw(st.none() | st.lists(NAMES, max_size=3).map(tuple)),
        draw(st.none() | st.lists(NAMES, max_size=2).map(tuple)),
        draw(st.none() | st.booleans()),
    )
    physicians = st.builds(
        Physician, st.none() | st.sampled_from(Specialty), st.none() | st.booleans()
    )
    regimen = Regimen(
        draw(st.none() | st.sampled_from(Route)),
        draw(st.none() | quantities("regimen.dose", "0.001", "100000000")),
        draw(st.none() | quantities("regimen.frequency", "0.1", "10")),
        draw(st.none() | COUNTS),
        draw(st.none() | st.integers(1, 3)),
        draw(st.none() | quantities("regimen.rest_between_cycles", "0", "30")),
        draw(st.none() | st.integers(1, 4)),
        draw(st.none() | quantities("regimen.rest_before_course", "0", "20")),
    )
    return Request(
        date,
        draw(st.none() | st.just("proleukin")),
        draw(st.none() | NAMES),
        patient,
        diagnosis,
        therapy,
        draw(physicians),
        draw(st.none() | st.lists(physicians, max_size=3).map(tuple)),
        regimen,
    )
