"""Hypothesis strategies for valid requests in the shared vocabulary, for the engine tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from umpolicy import (
    Coding,
    DrugCodeSystem,
    History,
    Medication,
    Patient,
    Practitioner,
    Quantity,
    Request,
    RequestKind,
    Schedule,
    Sex,
    Therapies,
    Therapy,
    TherapyOutcome,
)
from umpolicy.io.validation import problems


def decimals(low: str = "0.001", high: str = "1000000") -> st.SearchStrategy[Decimal]:
    """Finite positive decimals with up to three places."""
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=3)


def _in(units: tuple[str, ...], low: str, high: str) -> st.SearchStrategy[Quantity]:
    return st.builds(Quantity, decimals(low, high), st.sampled_from(units))


#: Plausible body sizes (validation refuses the rest) in every unit a request may use.
BODY_WEIGHTS = (
    _in(("kg",), "1", "500") | _in(("g",), "1000", "500000") | _in(("[lb_av]",), "1", "1000")
)
BODY_HEIGHTS = _in(("cm",), "20", "250") | _in(("m",), "0.2", "2.5") | _in(("[in_i]",), "8", "100")
DOSES = _in(
    ("[iU]", "10*6.[iU]", "mg", "[iU]/kg", "mg/kg", "[iU]/m2", "10*6.[iU]/m2", "[iU]/{lesion}"),
    "0.001",
    "100000000",
)
FREQUENCIES = _in(("/d", "/wk", "/h", "/(4.wk)"), "0.1", "10")
RESTS = _in(("d", "wk"), "0", "30")

NAMES = st.text(alphabet="abcdefgh", min_size=1, max_size=6)
COUNTS = st.integers(min_value=1, max_value=30)
DIAGNOSES = st.sampled_from(("C43.9", "C64.9", "D89.811", "D89.810", "C50.919", "D03.9"))
ROUTES = st.sampled_from(("47625008", "372464004", "34206005", "26643006"))
ATC = st.sampled_from(("L01FF02", "L01FX04", "L04AA", "H02AB07", "N02BE01"))
NUCC = st.sampled_from(("207RX0202X", "207N00000X", "207RH0000X", "204F00000X"))


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def _tuples(strategy: st.SearchStrategy[Any], size: int = 3) -> st.SearchStrategy[Any]:
    return st.lists(strategy, max_size=size).map(tuple)


therapy_lists = _tuples(
    st.builds(
        Therapy,
        NAMES,
        _tuples(ATC, 2),
        _maybe(_in(("d", "wk", "mo"), "0", "24")),
        _maybe(st.sampled_from(TherapyOutcome)),
    )
)
physicians = st.builds(
    Practitioner, _maybe(_tuples(NUCC, 2)), _maybe(_tuples(st.just("transplant-center"), 1))
)
lesion_lists = st.lists(
    st.fixed_dictionaries(
        {
            "site": st.sampled_from(("cutaneous", "subcutaneous", "nodal", "visceral", "other")),
            "status": st.sampled_from(("metastatic", "recurrent", "unresectable", "other")),
        }
    ),
    max_size=3,
)
proleukin_answers = st.fixed_dictionaries(
    {},
    optional={
        "melanoma_metastatic": st.booleans(),
        "melanoma_unresectable": st.booleans(),
        "renal_cell_carcinoma_metastatic": st.booleans(),
        "steroid_refractory": st.booleans(),
        "lesions": lesion_lists,
    },
)


def _one_body(date: dt.date, patient: Patient) -> Patient:
    """The patient without the height or BSA that contradicts the rest (validation refuses it).

    Drawn each within its own bounds, a weight, a height and a BSA may be no one body's.
    """
    found = {error.path for error in problems(Request(date, patient=patient))}
    if "$.patient.weight" in found:  # the body mass index: no body's
        return _one_body(date, attrs.evolve(patient, height=None))
    if "$.patient.bsa" in found:  # past Mosteller's of the height and weight
        return attrs.evolve(patient, bsa=None)
    return patient


@st.composite
def requests(draw: st.DrawFn) -> Request:
    """A request that passes validation, with every optional field None or set."""
    date = draw(st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)))
    patient = Patient(
        draw(_maybe(st.dates(dt.date(1900, 1, 1), date))),
        draw(_maybe(st.sampled_from(Sex))),
        draw(_maybe(BODY_WEIGHTS)),
        draw(_maybe(BODY_HEIGHTS)),
        draw(_maybe(_in(("m2",), "0.1", "4"))),
    )
    patient = _one_body(date, patient)
    schedule = Schedule(
        draw(_maybe(COUNTS)),
        draw(_maybe(st.integers(1, 3))),
        draw(_maybe(RESTS)),
        draw(_maybe(st.integers(1, 4))),
        draw(_maybe(RESTS)),
    )
    coded = draw(st.booleans())  # by Proleukin's HCPCS code, or not
    medication = Medication(
        "J9015" if coded else None,
        draw(_maybe(st.just("Proleukin"))),
        draw(_maybe(st.builds(Coding, ROUTES, _maybe(NAMES)))),
        draw(_maybe(DOSES)),
        draw(_maybe(FREQUENCIES)),
        schedule,
        DrugCodeSystem.HCPCS if coded else None,
    )
    kind = draw(_maybe(st.sampled_from(RequestKind)))
    # Only a history a request may hold, as validation says: no duration longer than the
    # patient's age, a continuation's time on the drug more than zero, a prior therapy
    # tried given for more than zero time, none to be given that is contraindicated.
    born = Patient(patient.birth_date)
    therapies = draw(
        st.builds(
            Therapies,
            _maybe(therapy_lists),
            _maybe(therapy_lists),
            _maybe(_in(("d", "wk", "mo", "a"), "0", "10")),
        ).filter(lambda t: not problems(Request(date, kind=kind, patient=born, therapies=t)))
    )
    # A history that lists a therapy may be given only in part.
    listing = [each for each in History if getattr(therapies, each.value)]
    partial = tuple(draw(st.lists(st.sampled_from(listing), unique=True))) if listing else ()
    therapies = Therapies(therapies.prior, therapies.concomitant, therapies.time_on_drug, partial)
    return Request(
        date,
        draw(_maybe(st.just("proleukin"))),
        draw(_maybe(NAMES)),
        kind,
        patient,
        draw(_maybe(_tuples(st.builds(Coding, DIAGNOSES, _maybe(NAMES)), 2))),
        medication,
        therapies,
        draw(physicians),
        draw(_maybe(_tuples(physicians))),
        draw(st.just({}) | proleukin_answers.map(lambda a: {"proleukin": a})),
    )
