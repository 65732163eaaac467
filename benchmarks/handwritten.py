"""The Proleukin rules as one plain hand-written function: the benchmark's floor.

No tree, no trail, no fact catalog: it reads the request's attributes directly and
applies every criterion and dosing rule the way a developer would write them by
hand, with the engine's exactness rules (Decimal cross-multiplication in a trapped
context, never a float; absolute doses divided by weight, or by body surface area,
Mosteller compared by squares), the same applicability of the rest periods and the
same three-valued logic. It returns the outcome, the labels not met and the facts
needed, so the benchmark can check it against the engine on every request.

A status is ``True`` (met), ``False`` (not met) or ``None`` (unknown).
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from umpolicy import Condition, Quantity, Request, Route, Specialty

_X = decimal.Context(
    prec=200,
    Emax=10**6,
    Emin=-(10**6),
    traps=[decimal.Inexact, decimal.InvalidOperation, decimal.Overflow, decimal.DivisionByZero],
)
_mul = _X.multiply

#: Each unit's exact factor to its dimension's base, as (numerator, denominator).
_FACTOR: dict[str, tuple[int, int]] = {
    "[iU]": (1, 1),
    "10*6.[iU]": (10**6, 1),
    "mg": (1, 10**6),
    "kg": (1, 1),
    "g": (1, 1000),
    "[lb_av]": (45359237, 10**8),
    "cm": (1, 1),
    "m": (100, 1),
    "[in_i]": (254, 100),
    "m2": (1, 1),
    "[iU]/kg": (1, 1),
    "10*6.[iU]/kg": (10**6, 1),
    "mg/kg": (1, 10**6),
    "[iU]/m2": (1, 1),
    "10*6.[iU]/m2": (10**6, 1),
    "mg/m2": (1, 10**6),
    "[iU]/{lesion}": (1, 1),
    "10*6.[iU]/{lesion}": (10**6, 1),
    "/d": (1, 1),
    "/wk": (1, 7),
    "/h": (24, 1),
    "d": (1, 1),
    "wk": (7, 1),
}
_IU = ("[iU]", "10*6.[iU]")
_IU_PER_KG = ("[iU]/kg", "10*6.[iU]/kg")
_IU_PER_M2 = ("[iU]/m2", "10*6.[iU]/m2")
_IU_PER_LESION = ("[iU]/{lesion}", "10*6.[iU]/{lesion}")
_GOOD_SITES = frozenset(("cutaneous", "subcutaneous", "nodal"))
_GOOD_STATUSES = frozenset(("metastatic", "recurrent", "unresectable"))
_GVHD = (Condition.CHRONIC_GRAFT_VERSUS_HOST_DISEASE, Condition.ACUTE_GRAFT_VERSUS_HOST_DISEASE)

Status = bool | None
Needs = tuple[str, ...]


class Result(NamedTuple):
    """What the hand-written rules decide: outcome, labels not met, facts needed."""

    outcome: str
    not_met: tuple[str, ...]
    facts_needed: tuple[str, ...]


class _Node(NamedTuple):
    """A criterion's result: status, label, own missing facts, children, own condition."""

    status: Status
    label: str
    needs: Needs = ()
    children: tuple[_Node, ...] | None = None
    any_of: bool = False
    requires: Status = True


def _all(statuses: Iterable[Status]) -> Status:
    result: Status = True
    for status in statuses:
        if status is False:
            return False
        if status is None:
            result = None
    return result


def _any(statuses: Iterable[Status]) -> Status:
    result: Status = False
    for status in statuses:
        if status is True:
            return True
        if status is None:
            result = None
    return result


def _and(a: Status, b: Status) -> Status:
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def _le(value: Decimal, num: int, den: int, limit: Decimal, lnum: int, lden: int) -> bool:
    """``value × num/den ≤ limit × lnum/lden``, exactly."""
    return _mul(_mul(value, num), lden) <= _mul(_mul(limit, lnum), den)


def _at_most(q: Quantity | None, limit: Decimal, code: str, fact: str) -> tuple[Status, Needs]:
    if q is None:
        return None, (fact,)
    num, den = _FACTOR[q.unit.code]
    lnum, lden = _FACTOR[code]
    return _le(q.value, num, den, limit, lnum, lden), ()


def _at_least(q: Quantity | None, limit: Decimal, code: str, fact: str) -> tuple[Status, Needs]:
    if q is None:
        return None, (fact,)
    num, den = _FACTOR[q.unit.code]
    lnum, lden = _FACTOR[code]
    return _le(limit, lnum, lden, q.value, num, den), ()


def _count_at_least(count: int | None, limit: int, fact: str) -> tuple[Status, Needs]:
    return (None, (fact,)) if count is None else (count >= limit, ())


def _flag(value: bool | None, fact: str) -> tuple[Status, Needs]:
    return (None, (fact,)) if value is None else (value is True, ())


def _adult(r: Request) -> tuple[Status, Needs]:
    birth = r.patient.birth_date
    if birth is None:
        return None, ("patient.birth_date",)
    on = r.date
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return years >= 18, ()


def _prescribed_by(
    r: Request, wanted: tuple[Specialty, ...], centers: bool
) -> tuple[Status, Needs]:
    """The prescriber or a consultant has a wanted specialty (or, if asked, a transplant center)."""
    statuses: list[Status] = []
    needs: list[str] = []
    specialty = r.prescriber.specialty
    if specialty is None:
        statuses.append(None)
        needs.append("prescriber.specialty")
    else:
        statuses.append(specialty in wanted)
    consultants = r.consultants
    if consultants is None:
        statuses.append(None)
        needs.append("consultants")
    elif any(c.specialty in wanted for c in consultants):
        statuses.append(True)
    elif any(c.specialty is None for c in consultants):
        statuses.append(None)
        needs.append("consultants.specialties")
    else:
        statuses.append(False)
    if centers:
        center = r.prescriber.transplant_center
        if center is None:
            statuses.append(None)
            needs.append("prescriber.transplant_center")
        else:
            statuses.append(center)
        if consultants is None:
            statuses.append(None)
            needs.append("consultants")
        else:
            flags = [c.transplant_center for c in consultants]
            if True in flags:
                statuses.append(True)
            elif None in flags:
                statuses.append(None)
                needs.append("consultants.transplant_center")
            else:
                statuses.append(False)
    status = _any(statuses)
    return status, tuple(needs) if status is None else ()


def _leaf(label: str, *rules: tuple[Status, Needs]) -> _Node:
    status = _all(rule[0] for rule in rules)
    if status is not None:
        return _Node(status, label)
    return _Node(None, label, tuple(n for s, needs in rules if s is None for n in needs))


def _rest(label: str, scope: tuple[Status, Needs], rule: tuple[Status, Needs]) -> _Node:
    """A rest period that applies only when a second cycle (or another course) is asked."""
    applies = scope[0]
    if applies is False:
        return _Node(True, label)
    if applies is True:
        return _leaf(label, rule)
    if rule[0] is True:
        return _Node(True, label)
    return _Node(None, label, scope[1] + (rule[1] if rule[0] is None else ()))


def _heading(
    label: str, requires: tuple[Status, Needs], *children: _Node, any_of: bool = False
) -> _Node:
    combined = (_any if any_of else _all)(child.status for child in children)
    status = _and(requires[0], combined)
    return _Node(status, label, requires[1], children, any_of, requires[0])


def _route(r: Request, route: Route) -> tuple[Status, Needs]:
    given = r.regimen.route
    return (None, ("regimen.route",)) if given is None else (given is route, ())


def _iv_dose(r: Request) -> tuple[Status, Needs]:
    """≤ 600,000 International Units/kg (0.037 mg/kg), per kg of body weight if absolute."""
    dose = r.regimen.dose
    if dose is None:
        return None, ("regimen.dose",)
    code = dose.unit.code
    num, den = _FACTOR[code]
    if code in _IU_PER_KG:
        return _le(dose.value, num, den, Decimal(600000), 1, 1), ()
    if code == "mg/kg":
        return _le(dose.value, num, den, Decimal("0.037"), 1, 10**6), ()
    if code in _IU or code == "mg":
        weight = r.patient.weight
        if weight is None:
            return None, ("patient.weight",)
        wnum, wden = _FACTOR[weight.unit.code]
        cap, cnum, cden = (Decimal(600000), 1, 1) if code != "mg" else (Decimal("0.037"), 1, 10**6)
        # dose × num/den ≤ cap × cnum/cden × weight × wnum/wden
        left = _mul(_mul(_mul(dose.value, num), cden), wden)
        right = _mul(_mul(_mul(_mul(cap, cnum), weight.value), wnum), den)
        return left <= right, ()
    return False, ()


def _gvhd_dose(r: Request) -> tuple[Status, Needs]:
    """≤ 1 million International Units/m², per m² of body surface area if absolute."""
    dose = r.regimen.dose
    if dose is None:
        return None, ("regimen.dose",)
    code = dose.unit.code
    num, den = _FACTOR[code]
    if code in _IU_PER_M2:
        return _le(dose.value, num, den, Decimal(1), 10**6, 1), ()
    if code not in _IU:
        return False, ()
    patient = r.patient
    if patient.bsa is not None:  # m2, factor 1
        return _mul(dose.value, num) <= _mul(_mul(Decimal(10**6), patient.bsa.value), den), ()
    height, weight = patient.height, patient.weight
    if height is None or weight is None:
        missing = ["patient.bsa"]
        if height is None:
            missing.append("patient.height")
        if weight is None:
            missing.append("patient.weight")
        return None, tuple(missing)
    # Mosteller, by squares: (dose)² ≤ (10⁶)² × height cm × weight kg / 3600
    hnum, hden = _FACTOR[height.unit.code]
    wnum, wden = _FACTOR[weight.unit.code]
    amount = _mul(dose.value, num)
    left = _mul(_mul(_mul(_mul(amount, amount), 3600), hden), wden)
    area = _mul(_mul(_mul(height.value, hnum), weight.value), wnum)
    right = _mul(_mul(Decimal(10**12), area), _mul(den, den))
    return left <= right, ()


def _lesion_dose(r: Request) -> tuple[Status, Needs]:
    dose = r.regimen.dose
    if dose is None:
        return None, ("regimen.dose",)
    code = dose.unit.code
    if code not in _IU_PER_LESION:
        return False, ()
    num, den = _FACTOR[code]
    return _le(dose.value, num, den, Decimal(6), 10**6, 1), ()


def _rests(r: Request, labels: tuple[str, str]) -> tuple[_Node, _Node]:
    regimen = r.regimen
    return (
        _rest(
            labels[0],
            _count_at_least(regimen.cycles_per_course, 2, "regimen.cycles_per_course"),
            _at_least(regimen.rest_between_cycles, Decimal(9), "d", "regimen.rest_between_cycles"),
        ),
        _rest(
            labels[1],
            _count_at_least(regimen.course_number, 2, "regimen.course_number"),
            _at_least(regimen.rest_before_course, Decimal(7), "wk", "regimen.rest_before_course"),
        ),
    )


def _iv_limits(r: Request) -> tuple[tuple[Status, Needs], ...]:
    regimen = r.regimen
    doses = regimen.doses_per_cycle
    return (
        _iv_dose(r),
        _at_most(regimen.frequency, Decimal(3), "/d", "regimen.frequency"),
        (None, ("regimen.doses_per_cycle",)) if doses is None else (doses <= 14, ()),
    )


def _single_agent(r: Request) -> tuple[Status, Needs]:
    names = r.therapy.concomitant_anticancer
    return (None, ("therapy.concomitant_anticancer",)) if names is None else (not names, ())


def _melanoma(r: Request, condition: tuple[Status, Needs]) -> _Node:
    adult = _adult(r)
    d = r.diagnosis
    metastatic = _flag(d.metastatic, "diagnosis.metastatic")
    unresectable = _flag(d.unresectable, "diagnosis.unresectable")
    extent = _any((metastatic[0], unresectable[0]))
    prior = r.therapy.prior_systemic
    lesions = d.lesions
    injectable: tuple[Status, Needs] = (
        (None, ("diagnosis.lesions",))
        if lesions is None
        else (
            bool(lesions)
            and all(
                les.site.value in _GOOD_SITES and les.status.value in _GOOD_STATUSES
                for les in lesions
            ),
            (),
        )
    )
    return _heading(
        "1",
        condition,
        _heading(
            "1.A",
            _route(r, Route.INTRAVENOUS),
            _leaf("1.A.i", adult),
            _leaf(
                "1.A.ii",
                (extent, metastatic[1] + unresectable[1] if extent is None else ()),
            ),
            _leaf(
                "1.A.iii",
                _count_at_least(None if prior is None else len(prior), 1, "therapy.prior_systemic"),
            ),
            _leaf("1.A.iv", _single_agent(r)),
            _leaf("1.A.v", _prescribed_by(r, (Specialty.ONCOLOGY,), centers=False)),
        ),
        _heading(
            "1.B",
            _route(r, Route.INTRALESIONAL),
            _leaf("1.B.i", adult),
            _leaf("1.B.ii", injectable),
            _leaf(
                "1.B.iii",
                _prescribed_by(r, (Specialty.ONCOLOGY, Specialty.DERMATOLOGY), centers=False),
            ),
        ),
        any_of=True,
    )


def _melanoma_dosing(r: Request) -> _Node:
    regimen = r.regimen
    return _heading(
        "Dosing 1",
        (True, ()),
        _heading(
            "Dosing 1.A",
            _route(r, Route.INTRAVENOUS),
            _leaf("Dosing 1.A.i", *_iv_limits(r)),
            *_rests(r, ("Dosing 1.A.ii", "Dosing 1.A.iii")),
        ),
        _heading(
            "Dosing 1.B",
            _route(r, Route.INTRALESIONAL),
            _leaf("Dosing 1.B.i", _lesion_dose(r)),
            _leaf(
                "Dosing 1.B.ii",
                _at_most(regimen.frequency, Decimal(3), "/wk", "regimen.frequency"),
            ),
        ),
        any_of=True,
    )


def _rcc(r: Request, condition: tuple[Status, Needs]) -> _Node:
    return _heading(
        "2",
        condition,
        _leaf("2.A", _adult(r)),
        _leaf("2.B", _flag(r.diagnosis.metastatic, "diagnosis.metastatic")),
        _leaf("2.C", _single_agent(r)),
        _leaf("2.D", _prescribed_by(r, (Specialty.ONCOLOGY,), centers=False)),
    )


def _rcc_dosing(r: Request) -> _Node:
    return _heading(
        "Dosing 2",
        (True, ()),
        _leaf("Dosing 2.A", _route(r, Route.INTRAVENOUS), *_iv_limits(r)),
        *_rests(r, ("Dosing 2.B", "Dosing 2.C")),
    )


def _gvhd(r: Request, condition: tuple[Status, Needs]) -> _Node:
    given = r.diagnosis.condition
    chronic: tuple[Status, Needs] = (
        (None, ("diagnosis.condition",))
        if given is None
        else (given is Condition.CHRONIC_GRAFT_VERSUS_HOST_DISEASE, ())
    )
    return _heading(
        "3",
        condition,
        _leaf("3.A", chronic),
        _leaf("3.B", _flag(r.diagnosis.steroid_refractory, "diagnosis.steroid_refractory")),
        _leaf("3.C", _flag(r.therapy.systemic_corticosteroids, "therapy.systemic_corticosteroids")),
        _leaf("3.D", _prescribed_by(r, (Specialty.ONCOLOGY,), centers=True)),
    )


def _gvhd_dosing(r: Request) -> _Node:
    return _leaf(
        "Dosing 3",
        _route(r, Route.SUBCUTANEOUS),
        _gvhd_dose(r),
        _at_most(r.regimen.frequency, Decimal(1), "/d", "regimen.frequency"),
    )


def _off_branch(node: _Node) -> bool:
    return node.children is not None and node.requires is False


def _not_met(node: _Node) -> list[str]:
    """The labels not met on the branch the request is on (the engine's reasons)."""
    if node.status is not False:
        return []
    if node.children is None or node.requires is False:
        return [node.label]
    failed = [child for child in node.children if child.status is False]
    if node.any_of:
        failed = [child for child in failed if not _off_branch(child)] or failed
    return [label for child in failed for label in _not_met(child)]


def _needed(node: _Node) -> list[str]:
    if node.status is not None:
        return []
    names = list(node.needs)
    for child in node.children or ():
        names += _needed(child)
    return names


def _unique(names: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def decide_by_hand(r: Request) -> Result:
    """The Proleukin recommendation for ``r``, from the rules written out by hand."""
    given = r.diagnosis.condition
    if given is Condition.CUTANEOUS_MELANOMA:
        pairs = [(_melanoma(r, (True, ())), _melanoma_dosing)]
    elif given is Condition.RENAL_CELL_CARCINOMA:
        pairs = [(_rcc(r, (True, ())), _rcc_dosing)]
    elif given in _GVHD:
        pairs = [(_gvhd(r, (True, ())), _gvhd_dosing)]
    elif given is None:
        unknown: tuple[Status, Needs] = (None, ("diagnosis.condition",))
        pairs = [
            (_melanoma(r, unknown), _melanoma_dosing),
            (_rcc(r, unknown), _rcc_dosing),
            (_gvhd(r, unknown), _gvhd_dosing),
        ]
    else:  # every indication is ruled out by the condition
        return Result("not_recommended", ("1", "2", "3"), ())
    for criteria, dosing_of in pairs:
        if criteria.status is True:
            dosing = dosing_of(r)
            if dosing.status is True:
                return Result("approve", (), ())
            if dosing.status is False:
                return Result("clinician_review", tuple(_not_met(dosing)), ())
            return Result("insufficient_information", (), _unique(_needed(dosing)))
    unknown_criteria = [criteria for criteria, _ in pairs if criteria.status is None]
    if unknown_criteria:
        names = [name for criteria in unknown_criteria for name in _needed(criteria)]
        return Result("insufficient_information", (), _unique(names))
    reasons = [label for criteria, _ in pairs for label in _not_met(criteria)]
    return Result("not_recommended", tuple(reasons), ())
