"""A seeded corpus of generated Proleukin requests for the benchmark and equivalence check.

Drawn with :class:`random.Random` (not Hypothesis) so a seed always gives the same
corpus. The mix is meant to look like real traffic: every indication (and other
conditions), every route, every unit a request may use, values on both sides of
every limit (and on it), second cycles and additional courses, and facts left out.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TypeVar

from umpolicy import (
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

#: How the condition is spread: mostly the three indications, some others and blanks.
_CONDITIONS: tuple[tuple[Condition | None, int], ...] = (
    (Condition.CUTANEOUS_MELANOMA, 40),
    (Condition.RENAL_CELL_CARCINOMA, 20),
    (Condition.CHRONIC_GRAFT_VERSUS_HOST_DISEASE, 20),
    (Condition.ACUTE_GRAFT_VERSUS_HOST_DISEASE, 4),
    (Condition.OTHER, 8),
    (None, 8),
)

T = TypeVar("T")

_DRUGS = ("pembrolizumab", "nivolumab", "ipilimumab", "dabrafenib", "trametinib")


class _Draw:
    """One request's draws: ``missing`` leaves a fact out, ``ok`` keeps a criterion met."""

    def __init__(self, rng: random.Random, p_missing: float, p_bad: float) -> None:
        self.rng = rng
        self.p_missing = p_missing
        self.p_bad = p_bad

    def missing(self) -> bool:
        return self.rng.random() < self.p_missing

    def ok(self) -> bool:
        return self.rng.random() >= self.p_bad

    def flag(self) -> bool | None:
        """A yes/no fact that should be yes (sometimes no, sometimes missing)."""
        return None if self.missing() else self.ok()

    def near(self, limit: Decimal, places: int = 4) -> Decimal:
        """A value around ``limit``: under it, on it, just over it, or well over it."""
        rng = self.rng
        pick = rng.random()
        if pick < 0.15:
            scale = Decimal(1)
        elif pick < 0.85:
            scale = Decimal(rng.randint(30, 999)) / 1000
        elif pick < 0.92:
            scale = Decimal(1) + Decimal(1) / 10 ** rng.randint(3, 7)
        else:
            scale = Decimal(rng.randint(1001, 3000)) / 1000
        value = (limit * scale).quantize(Decimal(1).scaleb(-places)).normalize()
        return value if value > 0 else Decimal(1).scaleb(-places)


def _text(value: Decimal) -> str:
    return f"{value:f}"


def _weight(d: _Draw) -> tuple[Quantity, Decimal]:
    kg = Decimal(d.rng.randint(350, 1500)) / 10
    unit = d.rng.choice(("kg", "kg", "kg", "g", "[lb_av]"))
    if unit == "g":
        return Quantity(_text(kg * 1000), "g"), kg
    if unit == "[lb_av]":
        lb = (kg / Decimal("0.45359237")).quantize(Decimal("0.1"))
        return Quantity(_text(lb), "[lb_av]"), lb * Decimal("0.45359237")
    return Quantity(_text(kg), "kg"), kg


def _height(d: _Draw) -> tuple[Quantity, Decimal]:
    cm = Decimal(d.rng.randint(1450, 2000)) / 10
    unit = d.rng.choice(("cm", "cm", "m", "[in_i]"))
    if unit == "m":
        return Quantity(_text(cm / 100), "m"), cm
    if unit == "[in_i]":
        inches = (cm / Decimal("2.54")).quantize(Decimal("0.1"))
        return Quantity(_text(inches), "[in_i]"), inches * Decimal("2.54")
    return Quantity(_text(cm), "cm"), cm


def _iv_dose(d: _Draw, kg: Decimal) -> Quantity:
    """An intravenous dose in any unit, around 600,000 IU/kg (0.037 mg/kg)."""
    kind = d.rng.choice(
        ("[iU]", "[iU]", "10*6.[iU]", "mg", "[iU]/kg", "10*6.[iU]/kg", "mg/kg", "[iU]/m2")
    )
    per_kg = {"[iU]/kg": Decimal(600000), "10*6.[iU]/kg": Decimal("0.6"), "mg/kg": Decimal("0.037")}
    if kind in per_kg:
        return Quantity(_text(d.near(Decimal(per_kg[kind]), 6)), kind)
    if kind == "[iU]":
        return Quantity(_text(d.near(600000 * kg, 0)), kind)
    if kind == "10*6.[iU]":
        return Quantity(_text(d.near(Decimal("0.6") * kg, 4)), kind)
    if kind == "mg":
        return Quantity(_text(d.near(Decimal("0.037") * kg, 5)), kind)
    return Quantity(_text(d.near(Decimal(22000000), 0)), kind)  # not comparable per kg


def _lesion_dose(d: _Draw) -> Quantity:
    kind = d.rng.choice(("10*6.[iU]/{lesion}", "[iU]/{lesion}", "[iU]/{lesion}", "[iU]"))
    limit = {"10*6.[iU]/{lesion}": Decimal(6)}.get(kind, Decimal(6000000))
    return Quantity(_text(d.near(limit, 3)), kind)


def _gvhd_dose(d: _Draw, bsa: Decimal) -> Quantity:
    kind = d.rng.choice(("[iU]", "[iU]", "10*6.[iU]", "[iU]/m2", "10*6.[iU]/m2", "mg/m2", "mg"))
    if kind == "[iU]":
        return Quantity(_text(d.near(1000000 * bsa, 0)), kind)
    if kind == "10*6.[iU]":
        return Quantity(_text(d.near(bsa, 4)), kind)
    if kind == "[iU]/m2":
        return Quantity(_text(d.near(Decimal(1000000), 0)), kind)
    if kind == "10*6.[iU]/m2":
        return Quantity(_text(d.near(Decimal(1), 4)), kind)
    return Quantity(_text(d.near(Decimal("0.06"), 4)), kind)  # mg: not comparable


def _frequency(d: _Draw, per_day: Decimal) -> Quantity:
    """A frequency around ``per_day`` times daily, in /d, /wk or /h."""
    unit = d.rng.choice(("/d", "/d", "/wk", "/h"))
    limit = {"/d": per_day, "/wk": per_day * 7, "/h": per_day / 24}[unit]
    return Quantity(_text(d.near(limit, 4)), unit)


def _rest(d: _Draw, days: int) -> Quantity:
    if d.rng.random() < 0.5:
        return Quantity(_text(d.near(Decimal(days), 1)), "d")
    return Quantity(_text(d.near(Decimal(days) / 7, 2)), "wk")


def _physicians(
    d: _Draw, wanted: tuple[Specialty, ...]
) -> tuple[Physician, tuple[Physician, ...] | None]:
    rng = d.rng
    others = [s for s in Specialty if s not in wanted]
    specialty: Specialty | None = rng.choice(wanted) if d.ok() else rng.choice(others)
    if d.missing():
        specialty = None
    center = None if d.missing() else rng.random() < 0.3
    prescriber = Physician(specialty, center)
    if d.missing():
        return prescriber, None
    consultants = []
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        kind = None if d.missing() else rng.choice(list(Specialty))
        consultants.append(Physician(kind, None if d.missing() else rng.random() < 0.3))
    return prescriber, tuple(consultants)


def _lesions(d: _Draw) -> tuple[Lesion, ...] | None:
    if d.missing():
        return None
    rng = d.rng
    good_sites = (LesionSite.CUTANEOUS, LesionSite.SUBCUTANEOUS, LesionSite.NODAL)
    good_statuses = (LesionStatus.METASTATIC, LesionStatus.RECURRENT, LesionStatus.UNRESECTABLE)
    lesions = []
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        site = rng.choice(good_sites) if d.ok() else rng.choice(list(LesionSite))
        status = rng.choice(good_statuses) if d.ok() else rng.choice(list(LesionStatus))
        lesions.append(Lesion(site, status))
    return tuple(lesions)


def _route(d: _Draw, usual: Route) -> Route | None:
    if d.missing():
        return None
    return usual if d.ok() else d.rng.choice(list(Route))


def request(rng: random.Random, index: int) -> Request:
    """One generated request; about half meet every criterion of their indication."""
    d = _Draw(rng, p_missing=rng.choice((0.0, 0.0, 0.02, 0.08)), p_bad=rng.choice((0.02, 0.1)))
    conditions, weights = zip(*_CONDITIONS, strict=True)
    condition = rng.choices(conditions, weights)[0]
    on = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 1200))
    adult = d.ok()
    age = rng.randint(18, 90) if adult else rng.randint(5, 17)
    birth = on - dt.timedelta(days=int(age * 365.25) + rng.randint(-3, 3))
    weight, kg = _weight(d)
    height, cm = _height(d)
    bsa_given = rng.random() < 0.35
    bsa = (cm * kg / 3600).sqrt().quantize(Decimal("0.01"))
    if condition is Condition.CUTANEOUS_MELANOMA:
        usual = Route.INTRAVENOUS if rng.random() < 0.6 else Route.INTRALESIONAL
    elif condition in (
        Condition.CHRONIC_GRAFT_VERSUS_HOST_DISEASE,
        Condition.ACUTE_GRAFT_VERSUS_HOST_DISEASE,
    ):
        usual = Route.SUBCUTANEOUS
    else:
        usual = Route.INTRAVENOUS
    route = _route(d, usual)
    if usual is Route.SUBCUTANEOUS:
        wanted: tuple[Specialty, ...] = (Specialty.ONCOLOGY, Specialty.TRANSPLANT)
        dose = _gvhd_dose(d, bsa)
        frequency = _frequency(d, Decimal(1))
    elif usual is Route.INTRALESIONAL:
        wanted = (Specialty.ONCOLOGY, Specialty.DERMATOLOGY)
        dose = _lesion_dose(d)
        frequency = _frequency(d, Decimal(3) / 7)
    else:
        wanted = (Specialty.ONCOLOGY,)
        dose = _iv_dose(d, kg)
        frequency = _frequency(d, Decimal(3))
    prescriber, consultants = _physicians(d, wanted)
    cycles = rng.choice((1, 1, 2, 2, 2, 3))
    course = rng.choice((1, 1, 1, 2, 3))
    prior = tuple(rng.sample(_DRUGS, rng.choice((0, 1, 1, 2)) if d.ok() else 0))
    concomitant = () if d.ok() else (rng.choice(_DRUGS),)

    def m(value: T) -> T | None:
        return None if d.missing() else value

    return Request(
        date=on,
        policy="proleukin",
        id=f"bench-{index}",
        patient=Patient(
            birth_date=m(birth),
            weight=m(weight),
            height=m(height),
            bsa=m(Quantity(_text(bsa), "m2")) if bsa_given else None,
        ),
        diagnosis=Diagnosis(
            condition=None if condition is None else m(condition),
            metastatic=d.flag(),
            unresectable=None if d.missing() else rng.random() < 0.5,
            steroid_refractory=d.flag(),
            lesions=_lesions(d) if usual is Route.INTRALESIONAL or rng.random() < 0.1 else None,
        ),
        therapy=Therapy(
            prior_systemic=m(prior),
            concomitant_anticancer=m(concomitant),
            systemic_corticosteroids=d.flag(),
        ),
        prescriber=prescriber,
        consultants=consultants,
        regimen=Regimen(
            route=route,
            dose=m(dose),
            frequency=m(frequency),
            doses_per_cycle=m(rng.choice((14, 14, 12, 10, 15, 20)) if d.ok() else 16),
            cycles_per_course=m(cycles),
            rest_between_cycles=m(_rest(d, 9)) if cycles > 1 or rng.random() < 0.3 else None,
            course_number=m(course),
            rest_before_course=m(_rest(d, 49)) if course > 1 or rng.random() < 0.3 else None,
        ),
    )


def corpus(n: int, seed: int) -> list[Request]:
    """``n`` generated requests, the same for the same seed."""
    rng = random.Random(seed)
    return [request(rng, index) for index in range(n)]
