"""Hypothesis strategies for Proleukin requests that meet every criterion and dosing limit.

One strategy per indication path (:data:`PATHS`): melanoma intravenous, melanoma
intralesional, renal cell carcinoma, chronic graft-versus-host disease. Each draws a
request that the policy text approves, and every value is drawn from the *policy's*
limits, not from the engine: ages from the 18th birthday on, doses at or under
600,000 International Units/kg (0.037 mg/kg), 6 million International Units per
lesion or 1 million International Units/m², frequencies at or under the stated
times daily/weekly, rests at or over 9 days and 7 weeks.

Requests are in the shared vocabulary: diagnoses as ICD-10-CM codes, the route as a
SNOMED CT code, therapies ATC-coded, specialties as NUCC taxonomy codes, and the
policy's own questions answered under ``answers.proleukin``.

Every decimal is built from decimal text (never a float). The knob is ``fields``:
``requests("rcc", {"medication.dose": q})`` sets one dotted field to a value or to a
strategy's draw (``answers.<id>`` sets an answer, ``None`` removes it); :func:`replace`
does the same to a request already drawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final, Literal

import attrs
from hypothesis import strategies as st

import umpolicy
from umpolicy import (
    Coding,
    Medication,
    Patient,
    Practitioner,
    Quantity,
    Request,
    Schedule,
    Therapies,
    Therapy,
    walk,
)
from umpolicy.engine.decision import Decision
from umpolicy.engine.trail import Step
from umpolicy_policies.proleukin import POLICY

Path = Literal["melanoma_iv", "melanoma_intralesional", "rcc", "gvhd"]
PATHS: Final[tuple[Path, ...]] = ("melanoma_iv", "melanoma_intralesional", "rcc", "gvhd")

#: The kilograms in one avoirdupois pound, exactly (the international pound).
KG_PER_LB: Final = Decimal("0.45359237")

# ICD-10-CM diagnoses.
MELANOMA: Final = Coding("C43.9", "Malignant melanoma of skin, unspecified")
RCC: Final = Coding("C64.9", "Malignant neoplasm of unspecified kidney, except renal pelvis")
CHRONIC_GVHD: Final = Coding("D89.811", "Chronic graft-versus-host disease")
ACUTE_GVHD: Final = Coding("D89.810", "Acute graft-versus-host disease")
OTHER_DIAGNOSIS: Final = Coding("C50.919", "Malignant neoplasm of breast")
MELANOMA_IN_SITU: Final = Coding("D03.9", "Melanoma in situ, unspecified")

# SNOMED CT routes.
INTRAVENOUS: Final = Coding("47625008", "Intravenous")
INTRALESIONAL: Final = Coding("372464004", "Intralesional")
SUBCUTANEOUS: Final = Coding("34206005", "Subcutaneous")
ORAL: Final = Coding("26643006", "Oral")

# NUCC taxonomy specialties.
ONCOLOGY: Final = "207RX0202X"
DERMATOLOGY: Final = "207N00000X"
HEMATOLOGY: Final = "207RH0000X"
TRANSPLANT: Final = "204F00000X"
OTHER_SPECIALTY: Final = "207Q00000X"
#: Specialties that are neither oncology nor dermatology.
NEITHER: Final = (HEMATOLOGY, TRANSPLANT, OTHER_SPECIALTY)
SPECIALTIES: Final = (ONCOLOGY, DERMATOLOGY, *NEITHER)
TRANSPLANT_CENTER: Final = "transplant-center"

# ATC-coded therapies.
DRUG_CODES: Final = {
    "pembrolizumab": "L01FF02",
    "nivolumab": "L01FF01",
    "ipilimumab": "L01FX04",
    "dabrafenib": "L01EC02",
    "trametinib": "L01EE01",
    "relatlimab": "L01FX21",
}
PREDNISONE: Final = Therapy("prednisone", ("H02AB07",))

QUALIFYING_SITES: Final = ("cutaneous", "subcutaneous", "nodal")
QUALIFYING_STATUSES: Final = ("metastatic", "recurrent", "unresectable")
ALL_SITES: Final = (*QUALIFYING_SITES, "visceral", "other")
ALL_STATUSES: Final = (*QUALIFYING_STATUSES, "other")

request_dates = st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2040, 12, 31))


def therapy(name: str) -> Therapy:
    """A therapy of the history by its name, with its ATC code."""
    return Therapy(name, (DRUG_CODES[name],))


def therapies(*names: str) -> tuple[Therapy, ...]:
    """Therapies by name, each ATC-coded."""
    return tuple(map(therapy, names))


def doctor(*specialties: str, center: bool | None = None) -> Practitioner:
    """A physician with these NUCC specialties (none given: not said), at a transplant centre."""
    affiliations = None if center is None else ((TRANSPLANT_CENTER,) if center else ())
    return Practitioner(specialties or None, affiliations)


def lesion(site: str, status: str) -> dict[str, str]:
    """One lesion to inject, as the answer to the ``lesions`` question lists it."""
    return {"site": site, "status": status}


def years_before(on: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier; 29 February falls back to 28 February.

    A person born on that day is exactly ``years`` old on ``on`` (the latest such birth
    date): for ``on`` = 29 Feb and a common target year, someone born on 28 Feb has had
    the birthday, someone born on 1 Mar has not.
    """
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return dt.date(on.year - years, 2, 28)


def replace(request: Request, path: str, value: object) -> Request:
    """The request with the dotted field ``path`` (e.g. ``medication.dose``) set to ``value``.

    ``answers.<id>`` sets the answer to the Proleukin question ``<id>``; ``None``
    removes the answer, so that the fact is missing.
    """
    if path.startswith("answers."):
        key = path.removeprefix("answers.")
        given = dict(request.answers.get(POLICY.name, {}))
        if value is None:
            given.pop(key, None)
        else:
            given[key] = value
        return attrs.evolve(request, answers={**request.answers, POLICY.name: given})
    replaced: Request = _replace_in(request, path, value)
    return replaced


def _replace_in(obj: Any, path: str, value: object) -> Any:
    head, _, rest = path.partition(".")
    if not rest:
        return attrs.evolve(obj, **{head: value})
    return attrs.evolve(obj, **{head: _replace_in(getattr(obj, head), rest, value)})


def with_fields(request: Request, fields: Mapping[str, object]) -> Request:
    """The request with every dotted field in ``fields`` set."""
    for path, value in fields.items():
        request = replace(request, path, value)
    return request


def answers(request: Request) -> dict[str, Any]:
    """The request's answers to the Proleukin questions."""
    return dict(request.answers.get(POLICY.name, {}))


def decimal_text(low: int, high: int, places: int) -> st.SearchStrategy[str]:
    """Decimal text from ``low`` to ``high`` (in units of 10**-places), e.g. ``"72.5"``."""

    def text(n: int) -> str:
        if places == 0:
            return str(n)
        whole, frac = divmod(n, 10**places)
        return f"{whole}.{frac:0{places}d}"

    return st.integers(low, high).map(text)


def weight_in_kg(weight: Quantity) -> Decimal:
    """A weight in kg, computed here from the unit definitions (kg, g, avoirdupois lb)."""
    factor = {"kg": Decimal(1), "g": Decimal("0.001"), "[lb_av]": KG_PER_LB}[weight.unit.code]
    return weight.value * factor


#: Body weights an adult or child may have, in each unit the request may use.
weights = st.one_of(
    decimal_text(300, 1800, 1).map(lambda t: Quantity(t, "kg")),
    st.integers(30_000, 180_000).map(lambda n: Quantity(str(n), "g")),
    decimal_text(660, 3970, 1).map(lambda t: Quantity(t, "[lb_av]")),
)

#: A fraction from 0.01 to 1 (as decimal text) to scale a limit down to a dose under it.
fractions_of_limit = decimal_text(1, 100, 2).map(Decimal)

drug_names = st.sampled_from(tuple(DRUG_CODES))


def adult_birth_dates(on: dt.date) -> st.SearchStrategy[dt.date]:
    """Birth dates of people aged 18 to 100 on ``on`` (18 from the 18th birthday)."""
    return st.dates(min_value=years_before(on, 100), max_value=years_before(on, 18))


def any_birth_dates(on: dt.date) -> st.SearchStrategy[dt.date]:
    """Birth dates of people of any age up to 100 on ``on``, children included."""
    return st.dates(min_value=years_before(on, 100), max_value=on)


Physicians = tuple[Practitioner, tuple[Practitioner, ...] | None]


def prescribed_by(*specialties: str) -> st.SearchStrategy[Physicians]:
    """A prescriber and consultants such that one of them has one of ``specialties``.

    Either the prescriber has it (consultants not given, none, or others), or a
    consultant has it (the prescriber has another specialty).
    """
    others = st.sampled_from(SPECIALTIES)
    consultants = st.lists(others.map(doctor), max_size=2).map(tuple)
    by_prescriber = st.tuples(st.sampled_from(specialties).map(doctor), st.none() | consultants)
    by_consultant = st.tuples(
        others.map(doctor),
        st.tuples(consultants, st.sampled_from(specialties).map(doctor)).map(
            lambda pair: (*pair[0], pair[1])
        ),
    )
    return st.one_of(by_prescriber, by_consultant)


@st.composite
def _rest_and_courses(draw: st.DrawFn) -> dict[str, Any]:
    """Cycles, rests and course number meeting 9 days between cycles and 7 weeks between courses."""
    cycles = draw(st.sampled_from((1, 2)))
    between: Quantity | None = None
    if cycles == 2:
        between = draw(
            st.one_of(
                st.integers(9, 30).map(lambda n: Quantity(str(n), "d")),
                # 9 days is 1.285714… weeks: 1.3 weeks (9.1 days) is the least 1-place value.
                decimal_text(13, 40, 1).map(lambda t: Quantity(t, "wk")),
            )
        )
    elif draw(st.booleans()):
        # One cycle only: the rest before a second cycle does not apply, whatever it says.
        between = Quantity(str(draw(st.integers(0, 30))), "d")
    course = draw(st.integers(1, 5))
    before: Quantity | None = None
    if course >= 2:
        before = draw(
            st.one_of(
                st.integers(49, 200).map(lambda n: Quantity(str(n), "d")),
                decimal_text(70, 300, 1).map(lambda t: Quantity(t, "wk")),
            )
        )
    elif draw(st.booleans()):
        before = Quantity(str(draw(st.integers(0, 48))), "d")
    return {
        "cycles_per_course": cycles,
        "rest_between_cycles": between,
        "course_number": course,
        "rest_before_course": before,
    }


#: Frequencies no more than three times daily, in /d, /wk and /h.
iv_frequencies = st.one_of(
    st.sampled_from(("1", "2", "3", "0.5", "2.5")).map(lambda t: Quantity(t, "/d")),
    st.integers(1, 21).map(lambda n: Quantity(str(n), "/wk")),
    st.sampled_from(("0.125", "0.1", "0.0625", "0.04")).map(lambda t: Quantity(t, "/h")),
)


@st.composite
def iv_doses(draw: st.DrawFn, weight: Quantity) -> Quantity:
    """A dose at or under 600,000 International Units/kg or 0.037 mg/kg, in any form."""
    share = draw(fractions_of_limit)
    kg = weight_in_kg(weight)
    choice = draw(st.sampled_from(("iu/kg", "miu/kg", "mg/kg", "iu", "mg")))
    if choice == "iu/kg":
        return Quantity(Decimal(600000) * share, "[iU]/kg")
    if choice == "miu/kg":
        return Quantity(Decimal("0.6") * share, "10*6.[iU]/kg")
    if choice == "mg/kg":
        return Quantity(Decimal("0.037") * share, "mg/kg")
    if choice == "iu":
        return Quantity(Decimal(600000) * kg * share, "[iU]")
    return Quantity(Decimal("0.037") * kg * share, "mg")


@st.composite
def iv_medications(draw: st.DrawFn, weight: Quantity) -> Medication:
    """An intravenous regimen inside every limit of Dosing 1.A and Dosing 2."""
    return Medication(
        name="Proleukin",
        route=INTRAVENOUS,
        dose=draw(iv_doses(weight)),
        frequency=draw(iv_frequencies),
        schedule=Schedule(doses_per_cycle=draw(st.integers(1, 14)), **draw(_rest_and_courses())),
    )


def _proleukin(**given: object) -> dict[str, dict[str, object]]:
    """Answers to the Proleukin questions, those not given (``None``) left out."""
    return {POLICY.name: {key: value for key, value in given.items() if value is not None}}


@st.composite
def _melanoma_iv(draw: st.DrawFn) -> Request:
    on = draw(request_dates)
    weight = draw(weights)
    metastatic, unresectable = draw(
        st.sampled_from(
            ((True, True), (True, False), (True, None), (False, True), (None, True)),
        )
    )
    prescriber, consultants = draw(prescribed_by(ONCOLOGY))
    return Request(
        date=on,
        policy="proleukin",
        patient=Patient(birth_date=draw(adult_birth_dates(on)), weight=weight),
        diagnoses=(MELANOMA,),
        medication=draw(iv_medications(weight)),
        therapies=Therapies(
            prior=therapies(*draw(st.lists(drug_names, min_size=1, max_size=3))),
            concomitant=draw(st.sampled_from(((), (PREDNISONE,)))),
        ),
        prescriber=prescriber,
        consultants=consultants,
        answers=_proleukin(melanoma_metastatic=metastatic, melanoma_unresectable=unresectable),
    )


lesions = st.builds(
    lesion, site=st.sampled_from(QUALIFYING_SITES), status=st.sampled_from(QUALIFYING_STATUSES)
)

lesion_doses = st.one_of(
    st.integers(1, 6_000_000).map(lambda n: Quantity(str(n), "[iU]/{lesion}")),
    decimal_text(1, 6_000, 3).map(lambda t: Quantity(t, "10*6.[iU]/{lesion}")),
)

#: Frequencies no more than three times weekly, in /wk and /d.
intralesional_frequencies = st.one_of(
    st.sampled_from(("1", "2", "3", "0.5", "2.8")).map(lambda t: Quantity(t, "/wk")),
    st.sampled_from(("0.4", "0.2", "0.1")).map(lambda t: Quantity(t, "/d")),
)


@st.composite
def _melanoma_intralesional(draw: st.DrawFn) -> Request:
    on = draw(request_dates)
    prescriber, consultants = draw(prescribed_by(ONCOLOGY, DERMATOLOGY))
    return Request(
        date=on,
        policy="proleukin",
        patient=Patient(birth_date=draw(adult_birth_dates(on))),
        diagnoses=(MELANOMA,),
        medication=Medication(
            name="Proleukin",
            route=INTRALESIONAL,
            dose=draw(lesion_doses),
            frequency=draw(intralesional_frequencies),
        ),
        prescriber=prescriber,
        consultants=consultants,
        answers=_proleukin(lesions=draw(st.lists(lesions, min_size=1, max_size=4))),
    )


@st.composite
def _rcc(draw: st.DrawFn) -> Request:
    on = draw(request_dates)
    weight = draw(weights)
    prescriber, consultants = draw(prescribed_by(ONCOLOGY))
    return Request(
        date=on,
        policy="proleukin",
        patient=Patient(birth_date=draw(adult_birth_dates(on)), weight=weight),
        diagnoses=(RCC,),
        medication=draw(iv_medications(weight)),
        therapies=Therapies(concomitant=()),
        prescriber=prescriber,
        consultants=consultants,
        answers=_proleukin(renal_cell_carcinoma_metastatic=True),
    )


@st.composite
def gvhd_prescribers(draw: st.DrawFn) -> Physicians:
    """3.D met: an oncologist or a transplant-center physician prescribes or is consulted."""
    others = st.sampled_from((*NEITHER, DERMATOLOGY))
    flag = st.none() | st.just(False)
    plain = st.builds(lambda s, c: doctor(s, center=c), others, flag)
    way = draw(
        st.sampled_from(("oncologist", "centre", "consulted oncologist", "consulted centre"))
    )
    if way == "oncologist":
        prescriber = doctor(ONCOLOGY, center=draw(st.none() | st.booleans()))
        return prescriber, draw(st.none() | st.lists(plain, max_size=2).map(tuple))
    if way == "centre":
        prescriber = doctor(draw(others), center=True)
        return prescriber, draw(st.none() | st.lists(plain, max_size=2).map(tuple))
    consultant = (
        doctor(ONCOLOGY, center=draw(st.none() | st.booleans()))
        if way == "consulted oncologist"
        else doctor(draw(others), center=True)
    )
    prescriber = doctor(draw(others), center=False)
    consultants = (*draw(st.lists(plain, max_size=2)), consultant)
    return prescriber, consultants


@st.composite
def exact_mosteller(draw: st.DrawFn) -> tuple[Quantity, Quantity, Decimal]:
    """Height (cm or m) and weight (kg) whose Mosteller BSA is an exact decimal ``s`` m².

    With height = c·s cm and weight = (3600/c)·s kg, height × weight / 3600 = s².
    """
    s = Decimal(draw(decimal_text(80, 260, 2)))
    c = Decimal(draw(st.sampled_from((75, 80, 90, 100))))  # heights up to 260 cm
    height = c * s
    weight = Decimal(3600) / c * s
    height_q = draw(st.sampled_from((Quantity(height, "cm"), Quantity(height / 100, "m"))))
    return height_q, Quantity(weight, "kg"), s


@st.composite
def gvhd_dose_and_patient(draw: st.DrawFn, on: dt.date) -> tuple[Patient, Quantity]:
    """A patient and a dose at or under 1 million International Units/m²."""
    born = draw(any_birth_dates(on))
    share = draw(fractions_of_limit)
    choice = draw(st.sampled_from(("miu/m2", "iu/m2", "bsa", "mosteller")))
    if choice == "miu/m2":
        return Patient(birth_date=born), Quantity(share, "10*6.[iU]/m2")
    if choice == "iu/m2":
        return Patient(birth_date=born), Quantity(Decimal(1_000_000) * share, "[iU]/m2")
    if choice == "bsa":
        bsa = Decimal(draw(decimal_text(40, 280, 2)))
        dose = Quantity(Decimal(1_000_000) * bsa * share, "[iU]")
        return Patient(birth_date=born, bsa=Quantity(bsa, "m2")), dose
    height, weight, s = draw(exact_mosteller())
    dose = Quantity(Decimal(1_000_000) * s * share, "[iU]")
    return Patient(birth_date=born, height=height, weight=weight), dose


gvhd_frequencies = st.one_of(
    st.sampled_from(("1", "0.5")).map(lambda t: Quantity(t, "/d")),
    st.integers(1, 7).map(lambda n: Quantity(str(n), "/wk")),
)


@st.composite
def _gvhd(draw: st.DrawFn) -> Request:
    on = draw(request_dates)
    patient, dose = draw(gvhd_dose_and_patient(on))
    prescriber, consultants = draw(gvhd_prescribers())
    return Request(
        date=on,
        policy="proleukin",
        patient=patient,
        diagnoses=(CHRONIC_GVHD,),
        medication=Medication(
            name="Proleukin", route=SUBCUTANEOUS, dose=dose, frequency=draw(gvhd_frequencies)
        ),
        therapies=Therapies(concomitant=(PREDNISONE,)),
        prescriber=prescriber,
        consultants=consultants,
        answers=_proleukin(steroid_refractory=True),
    )


_BUILDERS: Final = {
    "melanoma_iv": _melanoma_iv,
    "melanoma_intralesional": _melanoma_intralesional,
    "rcc": _rcc,
    "gvhd": _gvhd,
}


@st.composite
def requests(draw: st.DrawFn, path: Path, fields: Mapping[str, object] | None = None) -> Request:
    """A request on ``path`` that meets every criterion and dosing limit.

    ``fields`` sets dotted fields afterwards, each to a value or to a strategy's draw.
    """
    request = draw(_BUILDERS[path]())
    for name, value in (fields or {}).items():
        if isinstance(value, st.SearchStrategy):
            value = draw(value)
        request = replace(request, name, value)
    return request


def base(path: Path) -> Request:
    """One fixed, plainly readable request on ``path`` that meets everything.

    The smallest example of each strategy, written out so that table tests read
    without Hypothesis: an adult (born 1970-06-15, request 2026-03-02), every
    criterion met by the prescriber alone, and a dose exactly at the limit.
    """
    on, born = dt.date(2026, 3, 2), dt.date(1970, 6, 15)
    weight = Quantity("80", "kg")
    iv = Medication(
        name="Proleukin",
        route=INTRAVENOUS,
        dose=Quantity("48000000", "[iU]"),  # 600,000 International Units/kg × 80 kg
        frequency=Quantity("3", "/d"),
        schedule=Schedule(
            doses_per_cycle=14,
            cycles_per_course=2,
            rest_between_cycles=Quantity("9", "d"),
            course_number=2,
            rest_before_course=Quantity("7", "wk"),
        ),
    )
    if path == "melanoma_iv":
        return Request(
            date=on,
            policy="proleukin",
            patient=Patient(birth_date=born, weight=weight),
            diagnoses=(MELANOMA,),
            medication=iv,
            therapies=Therapies(prior=therapies("pembrolizumab"), concomitant=()),
            prescriber=doctor(ONCOLOGY),
            consultants=(),
            answers=_proleukin(melanoma_metastatic=True, melanoma_unresectable=True),
        )
    if path == "melanoma_intralesional":
        return Request(
            date=on,
            policy="proleukin",
            patient=Patient(birth_date=born),
            diagnoses=(MELANOMA,),
            medication=Medication(
                name="Proleukin",
                route=INTRALESIONAL,
                dose=Quantity("6", "10*6.[iU]/{lesion}"),
                frequency=Quantity("3", "/wk"),
            ),
            prescriber=doctor(DERMATOLOGY),
            consultants=(),
            answers=_proleukin(lesions=[lesion("cutaneous", "recurrent")]),
        )
    if path == "rcc":
        return Request(
            date=on,
            policy="proleukin",
            patient=Patient(birth_date=born, weight=weight),
            diagnoses=(RCC,),
            medication=iv,
            therapies=Therapies(concomitant=()),
            prescriber=doctor(ONCOLOGY),
            consultants=(),
            answers=_proleukin(renal_cell_carcinoma_metastatic=True),
        )
    return Request(
        date=on,
        policy="proleukin",
        patient=Patient(
            birth_date=dt.date(2015, 6, 15),  # a child: GVHD has no age criterion
            height=Quantity("180", "cm"),
            weight=Quantity("80", "kg"),  # Mosteller √(180 × 80 / 3600) = 2 m²
        ),
        diagnoses=(CHRONIC_GVHD,),
        medication=Medication(
            name="Proleukin",
            route=SUBCUTANEOUS,
            dose=Quantity("2000000", "[iU]"),  # 1 million International Units/m² × 2 m²
            frequency=Quantity("1", "/d"),
        ),
        therapies=Therapies(concomitant=(PREDNISONE,)),
        prescriber=doctor(HEMATOLOGY, center=True),
        consultants=(),
        answers=_proleukin(steroid_refractory=True),
    )


# Reading decisions ---------------------------------------------------------------------


def decide(request: Request) -> Decision:
    """The Proleukin policy's decision for ``request``, with its full trail."""
    return umpolicy.decide(POLICY, request)


def reason_labels(decision: Decision) -> tuple[str, ...]:
    """The labels of the decision's reasons, in order."""
    return tuple(reason.label for reason in decision.reasons)


def trail_nodes(decision: Decision) -> Mapping[str, Step]:
    """Every node's step in the decision's trail, by label (criteria and dosing)."""
    assert decision.trail is not None
    return decision.trail.steps


def node_words(label: str) -> str:
    """A node's title and text, as the policy words them."""
    node = POLICY.node(label)
    title = getattr(node, "title", None) or ""
    return f"{title} {node.text}"


def tree_labels() -> tuple[str, ...]:
    """Every label of the policy tree, criteria and dosing, in the document's order."""
    return tuple(
        node.label
        for indication in POLICY.indications
        for root in (indication.criteria, indication.dosing)
        for node in walk(root)
    )
