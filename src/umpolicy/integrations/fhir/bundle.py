"""FHIR R4 in: a Da Vinci PAS request bundle as umpolicy's request.

The bundle's Claim (its item for the drug, its diagnoses and care team), the Patient,
the Coverage, the MedicationRequest with its dosage, the Conditions (ICD-10-CM), the
Observations of weight, height and body surface area (LOINC, in UCUM), the
PractitionerRoles (NUCC specialties), the MedicationStatements and other
MedicationRequests of the therapy history (ATC) and a DTR QuestionnaireResponse are
read into the request's JSON form, which umpolicy's own converter and checks then
take, as they take any request.

What the bundle does not say stays unknown (``None``): a criterion that reads it is
unknown, and the decision asks for it. What it says wrongly (a weight in cm, a code of
an unknown system, a reference to nothing) is an :class:`~umpolicy.InputError` whose
path is the FHIR element at fault: ``Bundle.entry[3].resource.valueQuantity.code``.
The same readers serve a CRD hook (:mod:`umpolicy.integrations.fhir.crd`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from umpolicy.api import evaluate, parse_request
from umpolicy.dsl.drug import FORMS, Drug, DrugCodeSystem
from umpolicy.dsl.units import unit
from umpolicy.engine.decision import Decision
from umpolicy.errors import InputError, shown
from umpolicy.integrations.fhir import codes
from umpolicy.integrations.fhir.paths import at
from umpolicy.integrations.fhir.reading import (
    MAX_DEPTH,
    Located,
    Moment,
    Reading,
    coded,
    codings,
    date_of,
    decimal,
    element,
    extensions,
    full_date,
    items,
    later,
    listed,
    moment,
    quantity,
    status_in,
    status_of,
    text,
    versioned,
)
from umpolicy.io.validation import FUTURE_TOLERANCE
from umpolicy.policy import Policy
from umpolicy.vocabulary.facts import HISTORIES
from umpolicy.vocabulary.request import Request

Data = dict[str, Any]

#: Observation statuses (FHIR R4, required) of a result umpolicy reads: a final one, or
#: one amended or corrected after it was final ...
_RESULT = ("final", "amended", "corrected")
#: ... and those it does not read: no result yet, or only a preliminary or unknown one
#: (the fact stays unknown unless a final result gives it, so a decision asks for it),
#: or a record that does not hold.
_NO_RESULT = ("registered", "preliminary", "unknown", "cancelled", "entered-in-error")
_OBSERVATION = (*_RESULT, *_NO_RESULT)
#: The MedicationRequest statuses (FHIR R4, required) of an order to decide: one placed,
#: or one being written; the others (on hold, stopped, …) are not an order to decide.
_ORDERED = ("active", "draft")
_MEDICATION_REQUEST = (
    *_ORDERED,
    "on-hold",
    "cancelled",
    "completed",
    "entered-in-error",
    "stopped",
    "unknown",
)
#: MedicationRequest intents (FHIR R4, required) of an order, an authorization to give
#: the drug (PAS fixes the intent to order), and those of none: a proposal, a plan or an
#: option is not yet an order to decide, nor a therapy surely to be given.
_ORDER_INTENTS = ("order", "original-order", "reflex-order", "filler-order", "instance-order")
_INTENT = (*_ORDER_INTENTS, "proposal", "plan", "option")
#: Claim statuses (FHIR R4, required), and those of a Claim that asks for something: one
#: cancelled or entered in error is withdrawn, and nothing it says is to be decided.
_CLAIMED = ("active", "draft")
_CLAIM = (*_CLAIMED, "cancelled", "entered-in-error")
#: Coverage statuses (FHIR R4, required): only an active one covers the request (PAS
#: fixes it to active); one cancelled, in draft or entered in error covers nothing.
_COVERAGE = ("active", "cancelled", "draft", "entered-in-error")
#: Condition clinical statuses read as a current diagnosis (absent is read as current).
_CURRENT = {"active", "recurrence", "relapse"}
#: A Condition's statuses (FHIR R4, required bindings): each one's system and codes.
_CONDITION_STATUS = {
    "clinicalStatus": (
        codes.CONDITION_CLINICAL,
        ("active", "recurrence", "relapse", "inactive", "remission", "resolved"),
    ),
    "verificationStatus": (
        codes.CONDITION_VERIFICATION,
        ("unconfirmed", "provisional", "differential", "confirmed", "refuted", "entered-in-error"),
    ),
}
#: MedicationStatement statuses (FHIR R4, required): the history a therapy of each is in,
#: given now or planned (concomitant) or tried (prior); ...
_HISTORY = {
    "active": "concomitant",
    "intended": "concomitant",
    "completed": "prior",
    "stopped": "prior",
}
#: ... the histories a therapy of each may be in, left unknown (fail closed): one on hold
#: may resume with the drug; one of unknown status may be given now, or have been before;
_MAY_BE: dict[str, tuple[str, ...]] = {
    "on-hold": ("concomitant",),
    "unknown": ("prior", "concomitant"),
}
#: ... and those of no therapy given: entered in error (it never was), or not taken.
_NOT_GIVEN = ("entered-in-error", "not-taken")
_STATEMENT = (*_HISTORY, *_MAY_BE, *_NOT_GIVEN)
#: MedicationAdministration statuses (FHIR R4, required): a dose being given is a therapy
#: given with the drug; one given (completed, stopped) a therapy tried, though no sign
#: its regimen has ended (see :func:`_therapies`); ...
_ADMINISTERED = {"in-progress": "concomitant", "completed": "prior", "stopped": "prior"}
#: ... one on hold may resume; one of unknown status may be either; ...
_ADMINISTERED_MAY_BE: dict[str, tuple[str, ...]] = {
    "on-hold": ("concomitant",),
    "unknown": ("prior", "concomitant"),
}
#: ... and one not done, or in error, gave nothing.
_ADMINISTRATION = (*_ADMINISTERED, *_ADMINISTERED_MAY_BE, "not-done", "entered-in-error")
#: MedicationDispense statuses (FHIR R4, required): a drug handed over (completed, or
#: stopped part way) says neither that it was taken nor whether it is taken still: each
#: history it may be in is unknown (see :func:`_therapies`); one being prepared, ready
#: for pickup or on hold is not yet handed over: it may be given with the drug; ...
_DISPENSED: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("preparation", "in-progress", "on-hold"), ("concomitant",)),
    **dict.fromkeys(("completed", "stopped", "unknown"), ("prior", "concomitant")),
}
#: ... and one cancelled, declined or in error handed over nothing.
_DISPENSE = (*_DISPENSED, "cancelled", "declined", "entered-in-error")
#: A MedicationRequest of the patient's other than the order to decide is read as a
#: statement is: one placed or being written is a therapy given with the drug; ...
_ORDER_HISTORY = dict.fromkeys(_ORDERED, "concomitant")
#: ... one on hold may resume, and one of unknown status may be given: the concomitant
#: therapies are unknown; one cancelled, completed, stopped or in error is not given now.
_ORDER_MAY_BE: dict[str, tuple[str, ...]] = {
    "on-hold": ("concomitant",),
    "unknown": ("concomitant",),
}
#: CarePlan and RequestGroup statuses (FHIR R4, required; one value set): a plan revoked,
#: completed or in error gives nothing now; one drafted, active, on hold or of unknown
#: status may give its drugs with the drug asked for.
_PLAN = ("draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown")
_PLAN_OVER = frozenset(("revoked", "completed", "entered-in-error"))
#: CarePlan activity statuses (FHIR R4, required): one completed, cancelled, stopped or in
#: error gives nothing now; the others (not started, scheduled, in progress, on hold,
#: unknown) may give its drug with the drug asked for.
_ACTIVITY = (
    "not-started",
    "scheduled",
    "in-progress",
    "on-hold",
    "completed",
    "cancelled",
    "stopped",
    "unknown",
    "entered-in-error",
)
_ACTIVITY_OVER = frozenset(("completed", "cancelled", "stopped", "entered-in-error"))
#: Procedure statuses (FHIR R4, required): one not done, or in error, used nothing; one
#: done (completed, stopped) gave its drug, whose regimen may go on; the others may be
#: giving it now.
_PROCEDURE = (
    "preparation",
    "in-progress",
    "not-done",
    "on-hold",
    "stopped",
    "completed",
    "entered-in-error",
    "unknown",
)
_NOT_DONE = frozenset(("not-done", "entered-in-error"))
#: ServiceRequest statuses (FHIR R4, required; the plans' value set): one revoked or in
#: error ordered nothing; one done (completed) gave what it ordered, as a Procedure done
#: did, whose regimen may go on; the others may give it now.
_SERVICE_OVER = frozenset(("revoked", "entered-in-error"))
#: Task statuses (FHIR R4, required): one rejected, cancelled, failed or in error did
#: nothing; one done (completed) did what it asked; the others may be doing it.
_TASK = (
    "draft",
    "requested",
    "received",
    "accepted",
    "rejected",
    "ready",
    "cancelled",
    "in-progress",
    "on-hold",
    "failed",
    "completed",
    "entered-in-error",
)
_TASK_OVER = frozenset(("rejected", "cancelled", "failed", "entered-in-error"))
#: The records that may give a drug beside the one asked for: each type's statuses, those
#: of the records that give nothing, and the element that says whose record it is.
_GIVING = {
    "CarePlan": (_PLAN, _PLAN_OVER, "subject"),
    "RequestGroup": (_PLAN, _PLAN_OVER, "subject"),
    "ServiceRequest": (_PLAN, _SERVICE_OVER, "subject"),
    "Task": (_TASK, _TASK_OVER, "for"),
    "Procedure": (_PROCEDURE, _NOT_DONE, "subject"),
}
#: The systems whose codes name a drug (HCPCS's name services and supplies too), as two
#: records' drugs are compared and a procedure's or an activity's code is read.
_NAMED_DRUG = frozenset((codes.ATC, *codes.DRUG_SYSTEMS))
#: CarePlan activity kinds (FHIR R4, required).
_ACTIVITY_KINDS = (
    "Appointment",
    "CommunicationRequest",
    "DeviceRequest",
    "MedicationRequest",
    "NutritionOrder",
    "Task",
    "ServiceRequest",
    "VisionPrescription",
)
#: List statuses (FHIR R4, required): only a current List says what the history is now.
_LIST = ("current", "retired", "entered-in-error")
#: Each therapy history by the fact that names it (``therapies.prior`` → ``prior``).
_HISTORY_OF = {field: history for history, field in HISTORIES.items()}
#: List modes (FHIR R4, required, a modifier): what there is (working, snapshot), or
#: changes to an earlier list.
_LIST_MODE = ("working", "snapshot", "changes")
#: Timing period units (UCUM codes already) umpolicy reads a frequency in.
_PERIODS = {"h", "d", "wk", "mo"}
#: The Timing elements (of ``Timing``, then of ``Timing.repeat``) that say when doses
#: are given beside the frequency per period umpolicy reads: each can say more doses than
#: ``frequency`` does (``timeOfDay`` 08:00 and 20:00 beside no frequency is twice daily,
#: not once), so one is read only as a repeat of the frequency, and refused, never passed
#: over, when there is none or it says otherwise (:func:`_agrees`).
_TIMING_BESIDE = {"event": "dates and times of administration", "code": "a timing code (BID, …)"}
_REPEAT_BESIDE = {
    "timeOfDay": "times of day",
    "when": "events of the day (MORN, EVE, …)",
    "dayOfWeek": "days of the week",
}
#: The common HL7 timing abbreviations (``v3-GTSAbbreviation``), as doses a day: a code
#: given beside a frequency must say as many; any other code or text is its label.
_GTS = (
    "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation",
    "http://hl7.org/fhir/timing-abbreviation",
)
_GTS_PER_DAY = {
    "Q1H": Fraction(24),
    "Q2H": Fraction(12),
    "Q3H": Fraction(8),
    "Q12H": Fraction(2),
    "BED": Fraction(1),
    "WK": Fraction(1, 7),
    "QD": Fraction(1),
    "BID": Fraction(2),
    "TID": Fraction(3),
    "QID": Fraction(4),
    "Q4H": Fraction(6),
    "Q6H": Fraction(4),
    "Q8H": Fraction(3),
    "QOD": Fraction(1, 2),
    "QWK": Fraction(1, 7),
    "AM": Fraction(1),
    "PM": Fraction(1),
}
#: The days in a period unit umpolicy reads a frequency in (a month has no fixed number).
_DAYS = {"h": Fraction(1, 24), "d": Fraction(1), "wk": Fraction(7)}
#: What to give instead of one of them.
_GIVE_FREQUENCY = (
    "umpolicy reads a timing as timing.repeat's frequency per period and periodUnit: "
    "give those instead (twice daily: frequency 2, period 1, periodUnit d)"
)


def policy_name(policy: Policy | str | None) -> str | None:
    """The name of a policy given as itself, by name, or not at all."""
    return policy.name if isinstance(policy, Policy) else policy


def _entries(reading: Reading, bundle: object, path: str) -> None:
    """Take in every entry's resource of a Bundle at ``path``."""
    found = element(reading, bundle, path, Mapping, "a Bundle (a JSON object)")
    if found is None:
        return
    if found.get("resourceType") != "Bundle":
        reading.fail(
            at(path, "resourceType"), f"expected 'Bundle', got {shown(found.get('resourceType'))}"
        )
        return
    rest = {k: v for k, v in found.items() if k != "entry"}
    reading.modifiers(rest, path)
    reading.hidden_in(rest, path, "Bundle")  # a resource at Bundle.contained, read nowhere
    for where, entry in items(reading, found.get("entry"), at(path, "entry")):
        if not isinstance(entry, Mapping):
            reading.fail(where, "expected a bundle entry (a JSON object)")
            continue
        rest = {k: v for k, v in entry.items() if k != "resource"}
        reading.modifiers(rest, where)
        reading.hidden_in(rest, where, "bundle entry")  # (a response's outcome)
        reading.add(entry.get("resource"), at(where, "resource"), entry.get("fullUrl"))


def read_bundle(bundle: object, policy: Policy | str | None = None) -> tuple[Data, Reading]:
    """The request's JSON form from a PAS request bundle, and the reading (sources, faults)."""
    reading = Reading("Bundle")
    _entries(reading, bundle, "Bundle")
    data: Data = {}
    name = policy_name(policy)
    if name is not None:
        data["policy"] = name
    reading.drug = drug_of(policy)
    claims = reading.of_type("Claim")
    if len(claims) != 1:
        got = "no Claim" if not claims else f"{len(claims)} Claims"
        reading.fail("Bundle.entry", f"a PAS request bundle holds one Claim; this one holds {got}")
        return data, reading
    claim = claims[0]
    _claim(reading, claim, data)
    order = drug_order(reading, claim)
    patient = reading.resolve(claim.get("patient"), at(claim.path, "patient"), "Patient")
    _insurance(reading, claim, patient, data.get("date"))
    diagnoses = _claim_diagnoses(reading, claim)
    common(reading, data, patient, order, diagnoses)
    _care_team(reading, claim, data)
    return data, reading


def _insurance(reading: Reading, claim: Located, patient: Located | None, date: str | None) -> None:
    """Check each Coverage the Claim's ``insurance`` names (:func:`check_coverage`).

    FHIR requires a Claim's insurance (1..*, each with its ``coverage``): a Claim that
    names none is decided under no Coverage at all, so no check could refuse it, and it
    is a problem, as is an insurance that is no JSON object.
    """
    where = at(claim.path, "insurance")
    if claim.get("insurance") in (None, []):
        reading.fail(where, "required field missing: the Coverage the request is decided under")
    for place, insurance in items(reading, claim.get("insurance"), where):
        if not isinstance(insurance, Mapping):
            reading.fail(place, "expected an insurance (a JSON object)")
            continue
        plan = reading.resolve(insurance.get("coverage"), at(place, "coverage"), "Coverage")
        if plan is not None:
            check_coverage(reading, plan, patient, date)


def check_coverage(
    reading: Reading, plan: Located, patient: Located | None, date: str | None
) -> None:
    """Check the Coverage a request is decided under: active, the patient's, in its period.

    A Coverage cancelled, in draft or entered in error (:data:`_COVERAGE`), another
    person's or no one's said (``beneficiary``, which FHIR requires), or whose
    ``period`` does not hold the request's date covers nothing the request asks: each
    is a problem, never a decision to make.
    """
    status = status_of(reading, plan, _COVERAGE)
    if status is not None and status != "active":
        reading.fail(
            at(plan.path, "status"),
            f"the Coverage is {shown(status)}: umpolicy decides under an active Coverage",
        )
    if plan.get("beneficiary") is None:
        reading.fail(
            at(plan.path, "beneficiary"),
            "required field missing: the patient the Coverage covers",
        )
    elif patient is not None:
        _subject(reading, plan, patient, "beneficiary")
    where = at(plan.path, "period")
    period = element(reading, plan.get("period"), where, Mapping, "a Period (a JSON object)")
    if period is not None:
        start = date_of(reading, period.get("start"), at(where, "start"))
        end = date_of(reading, period.get("end"), at(where, "end"))
        if _after(start, date) or _before(end, date):
            reading.fail(where, f"the Coverage's period does not hold the request's date ({date})")


def _claim(reading: Reading, claim: Located, data: Data) -> None:
    """The request's date, id and kind from the Claim, one that asks (:data:`_CLAIMED`)."""
    status = status_of(reading, claim, _CLAIM)
    if status is not None and status not in _CLAIMED:
        reading.fail(
            at(claim.path, "status"),
            f"the Claim is {shown(status)}: umpolicy decides an active or draft Claim",
        )
    use = claim.get("use")
    if use != "preauthorization":
        reading.fail(
            at(claim.path, "use"), f"expected 'preauthorization' (a PAS Claim), got {shown(use)}"
        )
    created = at(claim.path, "created")
    if claim.get("created") is None:
        reading.fail(created, "required field missing: the request's date")
    date = full_date(reading, claim.get("created"), created)
    if date is not None:
        data["date"] = date
        reading.source("$.date", created)
    for where, identifier in items(reading, claim.get("identifier"), at(claim.path, "identifier"))[
        :1
    ]:
        if isinstance(identifier, Mapping) and isinstance(identifier.get("value"), str):
            data["id"] = identifier["value"]
            reading.source("$.id", at(where, "value"))


def drug_order(reading: Reading, claim: Located) -> Located | None:
    """The MedicationRequest the Claim asks about: its item's requested service, else the one.

    umpolicy decides one drug per request: a Claim whose items ask for several
    MedicationRequests is a problem, as is a bundle without one. So is a Claim of more
    than one item: an item that names no MedicationRequest (none at all, or a
    ServiceRequest) may ask for another drug, given with this one, which the drug's item
    alone would never show (a criterion "as a single agent" met on it).
    """
    orders: list[Located] = []
    listed_items = items(reading, claim.get("item"), at(claim.path, "item"))
    if len(listed_items) > 1:
        reading.fail(
            at(claim.path, "item"),
            f"umpolicy decides one drug per request: a Claim of one item, the drug's, and "
            f"this has {len(listed_items)} (an item besides the drug's may ask for another "
            "drug given with it: send it as a MedicationRequest of the bundle, which is "
            "read as a therapy given with the drug)",
        )
        return None
    if not listed_items:
        reading.fail(
            at(claim.path, "item"),
            "required field missing: a PAS Claim asks for its drug in an item",
        )
        return None
    for where, item in listed_items:
        if not isinstance(item, Mapping):
            reading.fail(where, "expected a Claim item (a JSON object)")
            return None
        if item.get("detail") not in (None, []):
            reading.fail(
                at(where, "detail"),
                "umpolicy decides one drug per request: an item's details may ask for "
                "another drug given with it; send it as a MedicationRequest of the bundle",
            )
        for place, extension in extensions(reading, item, where, codes.PAS_REQUESTED_SERVICE):
            # The item asks for what it names: a drug's order, or nothing umpolicy decides.
            found = reading.resolve(
                extension.get("valueReference"), at(place, "valueReference"), "MedicationRequest"
            )
            if found is None:
                return None
            orders.append(found)
    if not orders:
        orders = reading.of_type("MedicationRequest")
    if len(orders) == 1:
        return orders[0]
    got = "none" if not orders else f"{len(orders)}"
    reading.fail(
        at(claim.path, "item"),
        f"umpolicy decides one drug per request: one MedicationRequest, and this asks for {got}",
    )
    return None


def drug_item(claim: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The Claim's item for the drug: the one with a requested service, else the first."""
    found = [each for each in listed(claim.get("item")) if isinstance(each, Mapping)]
    for each in found:
        if any(
            isinstance(ext, Mapping) and ext.get("url") == codes.PAS_REQUESTED_SERVICE
            for ext in listed(each.get("extension"))
        ):
            return each
    return found[0] if found else None


def _kind(reading: Reading, claim: Located, data: Data) -> None:
    """Initial or continuation, from the drug item's X12 1322 certification type."""
    item = drug_item(claim.resource)
    if item is None:
        return
    index = claim.get("item").index(item)
    where = at(claim.path, "item", index)
    found: list[tuple[str, str]] = []  # each kind said, and where: every extension, coding
    for place, extension in extensions(reading, item, where, codes.PAS_CERTIFICATION_TYPE):
        concept = at(place, "valueCodeableConcept")
        for code, _, path in coded(
            reading,
            extension.get("valueCodeableConcept"),
            concept,
            codes.X12_CERTIFICATION,
            "the certification type",
        ):
            kind = codes.CERTIFICATION_KINDS.get(code)
            if kind is None:
                known = ", ".join(f"{c} ({k})" for c, k in codes.CERTIFICATION_KINDS.items())
                reading.fail(path, f"certification type {shown(code)}: umpolicy reads {known}")
            else:
                found.append((kind, path))
    # Said twice alike, it is said; said both ways, which one holds is the order of the
    # codes, and a continuation's criteria would be read for an initial request.
    other = next(((kind, path) for kind, path in found if kind != found[0][0]), None)
    if other is not None:
        reading.fail(
            other[1],
            f"the certification type is {other[0]} here and {found[0][0]} at {found[0][1]}: "
            "a request is one or the other",
        )
    elif found:
        data["kind"], first = found[0]
        reading.source("$.kind", first)


def _claim_diagnoses(reading: Reading, claim: Located) -> list[tuple[str, str | None, str]]:
    """The ICD-10-CM codes of the Claim's diagnoses (coded, or a Condition referred to).

    One typed ``differential`` is a diagnosis considered, not made: not read, as a
    Condition whose verification status is differential is not.
    """
    found = []
    for where, diagnosis in items(reading, claim.get("diagnosis"), at(claim.path, "diagnosis")):
        if not isinstance(diagnosis, Mapping):
            reading.fail(where, "expected a diagnosis (a JSON object)")
        elif "type" in diagnosis and not isinstance(diagnosis["type"], list):
            reading.fail(at(where, "type"), "expected a list (of CodeableConcepts)")
        elif _differential(diagnosis):
            continue
        elif "diagnosisCodeableConcept" in diagnosis:
            concept = at(where, "diagnosisCodeableConcept")
            found += _icd(reading, diagnosis["diagnosisCodeableConcept"], concept)
        elif "diagnosisReference" in diagnosis:
            reading.resolve(
                diagnosis["diagnosisReference"], at(where, "diagnosisReference"), "Condition"
            )
        else:
            reading.fail(where, "required: diagnosisCodeableConcept or diagnosisReference")
    return found


def _differential(diagnosis: Mapping[str, Any]) -> bool:
    """Whether a Claim's diagnosis is typed differential (in its system, or one naming none)."""
    return any(
        coding.get("code") == "differential"
        and coding.get("system") in (None, codes.DIAGNOSIS_TYPE)
        for concept in listed(diagnosis.get("type"))  # not a list: a problem (_claim_diagnoses)
        for coding in codings(concept)
    )


def _icd(reading: Reading, concept: object, path: str) -> list[tuple[str, str | None, str]]:
    found = coded(reading, concept, path, codes.ICD10CM, "a diagnosis")
    if not found and isinstance(concept, Mapping) and not concept.get("coding"):
        reading.fail(
            path, f"no code: umpolicy reads a diagnosis as an ICD-10-CM code ({codes.ICD10CM})"
        )
    return found


def common(
    reading: Reading,
    data: Data,
    patient: Located | None,
    order: Located | None,
    diagnoses: list[tuple[str, str | None, str]],
) -> None:
    """What a PAS bundle and a CRD hook share: the patient, the order, conditions, history."""
    if reading.of_type("Claim"):
        _kind(reading, reading.of_type("Claim")[0], data)
    if patient is not None:
        _patient(reading, patient, data)
        _observations(reading, patient, data)
        current, stale = _conditions(reading, patient, data.get("date"))
        known = {code for code, _, _ in current}
        for code, _, path in diagnoses:  # the Claim's: one the records say is not current
            if code in stale and code not in known:
                reading.fail(
                    path,
                    f"{code} is the diagnosis of the Condition at {stale[code]}, which is not "
                    "current (refuted, in error, unconfirmed, resolved or abated): the "
                    "Claim and the records disagree",
                )
        diagnoses = diagnoses + current
        _therapies(reading, patient, order, data)
    if diagnoses or reading.of_type("Condition"):
        seen: dict[str, None] = {}
        listed: list[Data] = []
        for code, display, path in diagnoses:
            if code in seen:
                continue
            seen[code] = None
            reading.source(f"$.diagnoses[{len(listed)}]", path)
            reading.source(f"$.diagnoses[{len(listed)}].code", path)
            listed.append({"code": code} if display is None else {"code": code, "display": display})
        data["diagnoses"] = listed
    if order is not None:
        claims = reading.of_type("Claim")
        _order(reading, order, patient, data, claims[0] if claims else None)
    from umpolicy.integrations.fhir.dtr import read_responses

    read_responses(reading, data, patient)


def _subject(reading: Reading, resource: Located, patient: Located, name: str = "subject") -> bool:
    """True when the resource is about the patient, or does not say; another's is a problem.

    One that does not say is the patient's only when the bundle holds no other Patient:
    beside a donor's record, it may be the donor's, a problem.
    """
    reference = resource.get(name)
    if reference is None:
        patients = reading.of_type("Patient")
        if len(patients) > 1:
            reading.fail(
                at(resource.path, name),
                f"required field missing: whose record it is, as the bundle holds "
                f"{len(patients)} Patients",
            )
            return False
        return True
    found = reading.resolve(reference, at(resource.path, name))
    if found is None:
        return False
    if found is not patient:
        reading.fail(
            at(resource.path, name, "reference"), "refers to another patient than the request's"
        )
        return False
    return True


#: FHIR R4's Patient link types (required binding): ``replaced-by`` says the record is no
#: longer to be used; the others leave it the record in use.
_LINK_TYPES = frozenset(("replaced-by", "replaces", "refer", "seealso"))


def _patient(reading: Reading, patient: Located, data: Data) -> None:
    """Birth date and administrative sex, of a record in use of a patient living.

    ``active``, ``deceased[x]`` and ``link`` are modifiers in FHIR: a record no longer in
    use (``active`` false: merged into another, or in error; a ``link`` of type
    replaced-by, which "must no longer be used") is not the patient's record, and a
    patient deceased (``deceasedBoolean`` true, or a ``deceasedDateTime``) is given no
    therapy. Each is a problem, never a request to decide.
    """
    person: Data = data.setdefault("patient", {})
    if _flag(reading, patient, patient.path, "active") is False:
        reading.fail(
            at(patient.path, "active"),
            "the Patient record is not in use (active false): umpolicy decides for a record in use",
        )
    for where, link in items(reading, patient.get("link"), at(patient.path, "link")):
        kind = link.get("type") if isinstance(link, Mapping) else None
        if not isinstance(link, Mapping):
            reading.fail(where, "expected a link (a JSON object)")
        elif not isinstance(kind, str) or kind not in _LINK_TYPES:  # a modifier: never passed over
            said = "required field missing: " if kind is None else f"{shown(kind)} is not "
            reading.fail(at(where, "type"), f"{said}a link type ({', '.join(sorted(_LINK_TYPES))})")
        elif kind == "replaced-by":
            reading.fail(
                at(where, "type"),
                "the Patient record is replaced by another (link replaced-by), which must be "
                "used instead: umpolicy decides for the record in use",
            )
    deceased = _flag(reading, patient, patient.path, "deceasedBoolean")
    unread = deceased is None and patient.get("deceasedBoolean") is not None  # a problem
    if not unread and (deceased is True or patient.get("deceasedDateTime") is not None):
        which = "deceasedBoolean" if deceased is True else "deceasedDateTime"
        reading.fail(
            at(patient.path, which), "the patient is deceased: umpolicy decides for a living one"
        )
    where = at(patient.path, "birthDate")
    birth = date_of(reading, patient.get("birthDate"), where)
    if birth is not None and len(str(patient.get("birthDate"))) > len(birth):
        reading.fail(
            where, f"{shown(patient.get('birthDate'))} is a dateTime: a birth date is a day"
        )
    elif birth is not None and len(birth) == len("YYYY-MM-DD"):
        person["birth_date"] = birth
        reading.source("$.patient.birth_date", where)
    elif birth is not None:  # a year, or a month: the day unknown, but not any other
        reading.imprecise["$.patient.birth_date"] = (birth, where)
    gender = text(reading, patient.get("gender"), at(patient.path, "gender"))
    if gender is not None:
        person["sex"] = gender
        reading.source("$.patient.sex", at(patient.path, "gender"))


def _observations(reading: Reading, patient: Located, data: Data) -> None:
    """Weight, height and BSA: the latest final Observation of each (LOINC, UCUM).

    The policy judges the measure as of the request's date: an Observation dated after
    it (a typo's year 2062) is a problem, never the latest measure. It is dated as
    :func:`_effective` says, and a day's dates (a date, a dateTime) may be a day after
    the request's, as the request's date may be after today (``FUTURE_TOLERANCE``): one
    is written in the time zone of the place measured, the other of the payer. One
    whose ``focus`` is another (a fetus, a donor: :func:`_of_another`) is not read.

    Nor is one that does not say the day it was measured (no ``effective[x]``, or a
    year or month alone), nor a weight or BSA measured more than :data:`MEASURE_AGE`
    before the request: a dose per kg or m² is of the patient as they are, and an old
    weight is no measure of it (a height, which an adult keeps, may be of any day).
    """
    date = data.get("date")
    latest: dict[str, list[tuple[Moment | None, Located, str]]] = {}
    late: set[int] = set()
    for found in reading.of_type("Observation"):
        concept = found.get("code")
        loinc = [
            coding.get("code")
            for coding in codings(concept)
            if coding.get("system") == codes.LOINC and isinstance(coding.get("code"), str)
        ]
        field = next(
            (codes.BODY_OBSERVATIONS[c] for c in loinc if c in codes.BODY_OBSERVATIONS), None
        )
        if field is None:
            continue
        status = status_of(reading, found, _OBSERVATION)
        if "dataAbsentReason" in found.resource and "valueQuantity" in found.resource:
            # obs-6: a reason the value is absent, beside a value; which holds is not said.
            reading.fail(
                at(found.path, "dataAbsentReason"),
                "a reason the value is absent, beside a value (obs-6): give one or the other",
            )
            continue
        if status not in _RESULT or "valueQuantity" not in found.resource:
            continue
        if not _subject(reading, found, patient) or _of_another(reading, found, patient):
            continue
        effective, when = _effective(reading, found)
        measure = moment(reading, when, effective)
        day = None if measure is None else measure[0]
        if _measured_after(day, date):
            reading.fail(
                effective,
                f"{day} is after the request's date ({date}), by more than the "
                f"{FUTURE_TOLERANCE.days} day time zones may put between them: umpolicy "
                f"reads the {field.split('.')[1]} measured by then",
            )
            continue
        if not _current(field, day, date):
            continue
        latest.setdefault(field, []).append((measure, found, effective))
        if _after(day, date):  # within the day's tolerance, but later than the request
            late.add(id(found))
    for field, every in latest.items():
        # One dated after the request's date (within the tolerance) is read only when no
        # measure on or before it is: it never outranks one the request's day had.
        measured = [each for each in every if id(each[1]) not in late] or every
        # The latest is the one surely later than every other: a day's date is not surely
        # later, nor earlier, than a time on that day, so neither is read as the latest.
        dated = [(when, each) for when, each, _ in measured if when is not None]
        last = [
            each
            for when, each in dated
            if all(later(when, other) for other, found in dated if found is not each)
        ]
        if len(measured) > 1 and (len(dated) < len(measured) or len(last) != 1):
            what = field.split(".")[1]
            reading.fail(
                measured[1][2],
                f"{len(measured)} Observations of the patient's {what}: umpolicy reads the "
                "latest, so each needs its own effectiveDateTime (or instant, or period), "
                "one surely later than the others (a date alone is not later than a time "
                "on its day)",
            )
            continue
        chosen = last[0] if len(measured) > 1 else measured[0][1]
        value = quantity(
            reading, chosen.get("valueQuantity"), at(chosen.path, "valueQuantity"), f"$.{field}"
        )
        if value is not None:
            data.setdefault("patient", {})[field.split(".")[1]] = value


def _of_another(reading: Reading, found: Located, patient: Located) -> bool:
    """Whether an Observation measures someone or something else than the patient (``focus``).

    FHIR's ``Observation.focus`` names what was measured when it is not the subject: a
    fetus, a donor, a parent. Their weight is no measure of the patient's, and read as
    one it could meet a dose per kg the patient's own weight does not. Such an
    Observation is not read (the measure stays unknown unless the patient's own gives
    it); a ``focus`` that is the patient is read as the subject is.
    """
    return any(
        reading.referred(reference, where) is not patient
        for where, reference in items(reading, found.get("focus"), at(found.path, "focus"))
    )


def _effective(reading: Reading, found: Located) -> tuple[str, object]:
    """Where an Observation is dated, and the date: its dateTime or instant, else its period's.

    A period's end is when the measure was taken by (else its start, when it began).
    """
    for name in ("effectiveDateTime", "effectiveInstant"):
        if name in found.resource:
            return at(found.path, name), found.get(name)
    where = at(found.path, "effectivePeriod")
    period = element(reading, found.get("effectivePeriod"), where, Mapping, "a Period")
    for name in ("end", "start"):
        if period is not None and name in period:
            return at(where, name), period[name]
    return at(found.path, "effectiveDateTime"), None


#: How long before the request a weight or BSA is read as the patient's: a dose is
#: computed on a weight of the last weeks, not of last year.
MEASURE_AGE = dt.timedelta(days=30)
#: The measures the age applies to: a grown patient's height is read whatever its day.
_CHANGING = frozenset({"patient.weight", "patient.bsa"})


def _current(field: str, day: str | None, date: str | None) -> bool:
    """Whether a measure dated ``day`` is read for a request of ``date``.

    It must say its day; a weight or BSA must be of the :data:`MEASURE_AGE` before it.
    """
    if day is None or len(day) < len("2026-03-02") or date is None:
        return False
    return field not in _CHANGING or (
        dt.date.fromisoformat(date) - dt.date.fromisoformat(day) <= MEASURE_AGE
    )


def _measured_after(day: str | None, date: str | None) -> bool:
    """Whether a measure's date is after the request's ``date``, beyond a day's time zones.

    A partial date (``2062``, ``2026-04``) says no time of day: surely after, or not.
    """
    if day is None or date is None or len(day) < len(date):
        return _after(day, date)
    return dt.date.fromisoformat(day) - dt.date.fromisoformat(date) > FUTURE_TOLERANCE


def _after(day: str | None, date: str | None) -> bool:
    """Whether a date as precise as given (``2062``, ``2026-04``) is surely after day ``date``."""
    return day is not None and date is not None and day > date[: len(day)]


def _before(day: str | None, date: str | None) -> bool:
    """Whether a date as precise as given is surely before the day ``date``."""
    return day is not None and date is not None and day < date[: len(day)]


def _conditions(
    reading: Reading, patient: Located, date: str | None
) -> tuple[list[tuple[str, str | None, str]], dict[str, str]]:
    """The ICD-10-CM codes of the patient's current Conditions, and of those not current.

    The second are by code, each with its Condition's path: a Claim's diagnosis of one
    the records say is refuted or resolved is not read as the patient's disease.

    A Condition confirmed (or not said otherwise) and active, recurring or relapsed (or
    not said otherwise) is current. One abated (``abatement[x]``) is not: FHIR's con-4
    has it inactive, resolved or in remission, and one said current beside its
    abatement is a problem. A status that is not read (:func:`_condition_status`) is a
    problem, never passed over as current. So is a current one whose onset is after the
    request's date (:func:`_begun_after`): no disease the patient had when asked.
    """
    found = []
    stale: dict[str, str] = {}
    for condition in reading.of_type("Condition"):
        status = {name: _condition_status(reading, condition, name) for name in _CONDITION_STATUS}
        if any(condition.get(name) is not None and status[name] is None for name in status):
            continue  # a status given but not read (a problem)
        verified, clinical = status["verificationStatus"], status["clinicalStatus"]
        confirmed = verified is None or verified == "confirmed"  # not unconfirmed, refuted, …
        abated = [name for name in condition.resource if name.startswith("abatement")]
        if confirmed and abated and clinical in _CURRENT:
            reading.fail(
                at(condition.path, abated[0]),
                f"abated, but its clinicalStatus is {shown(clinical)}: an abated condition is "
                "inactive, resolved or in remission",
            )
        if not confirmed or abated or (clinical is not None and clinical not in _CURRENT):
            for coding in codings(condition.get("code")):
                if coding.get("system") == codes.ICD10CM and isinstance(coding.get("code"), str):
                    stale.setdefault(coding["code"], condition.path)
            continue
        if _subject(reading, condition, patient) and not _begun_after(reading, condition, date):
            found += _icd(reading, condition.get("code"), at(condition.path, "code"))
    return found, stale


def _begun_after(reading: Reading, condition: Located, date: str | None) -> bool:
    """Whether a Condition's onset (a date, or a period's start) is after the request's date.

    Beyond a day's time zones (``FUTURE_TOLERANCE``), as an Observation's date: a typo's
    year 2062, or a condition the records say began later, is a problem, never read as
    the disease the request is for. An onset that is an age, a range or words is no date.
    So is an onset given twice (``onset[x]`` is one element), or a period no object.
    """
    given = [name for name in condition.resource if name.startswith("onset")]
    if len(given) > 1:
        reading.fail(
            at(condition.path, given[1]),
            f"onset[x] is one element, and it is given as {given[0]} too: which holds is not said",
        )
        return True
    where = at(condition.path, "onsetDateTime")
    value = condition.get("onsetDateTime")
    if condition.get("onsetPeriod") is not None:
        period = element(
            reading,
            condition.get("onsetPeriod"),
            at(condition.path, "onsetPeriod"),
            Mapping,
            "a Period (a JSON object)",
        )
        if period is None:
            return True  # no Period: a problem
        where, value = at(condition.path, "onsetPeriod", "start"), period.get("start")
    day = date_of(reading, value, where)
    first = None if day is None else day + "-01-01"[len(day) - 4 :]  # 2026-04 → 2026-04-01
    if not _measured_after(first, date):  # April may be of its 1st, a day after 31 March
        return False
    reading.fail(
        where,
        f"{day} is after the request's date ({date}), by more than the "
        f"{FUTURE_TOLERANCE.days} day time zones may put between them: a condition is read "
        "as the patient's disease only once it has begun",
    )
    return True


def _condition_status(reading: Reading, condition: Located, name: str) -> str | None:
    """A Condition's ``clinicalStatus`` or ``verificationStatus``: its code, else ``None``.

    It is read in its FHIR system (or a coding naming none): given, a status of no code
    there, of a code not of its codes (``Resolved``) or of two codes is a problem, and
    ``None`` too. A status only in words (``resolved``, its ``text``) or in an EHR's own
    codes is not one umpolicy can read, and reading the condition as current could
    approve on a disease the patient no longer has.
    """
    value = condition.get(name)
    if value is None:
        return None
    where = at(condition.path, name)
    system, allowed = _CONDITION_STATUS[name]
    found = [
        (at(where, "coding", index), coding.get("code"))
        for index, coding in enumerate(
            listed(value.get("coding")) if isinstance(value, Mapping) else ()
        )
        if isinstance(coding, Mapping) and coding.get("system") in (None, system)
    ]
    if not found:
        reading.fail(where, f"expected a CodeableConcept with a code of {system}")
        return None
    for path, code in found:
        if not isinstance(code, str) or code not in allowed:
            reading.fail(
                at(path, "code"),
                f"{shown(code)} is not a {name} code; expected one of {', '.join(allowed)}",
            )
            return None
    distinct = list(dict.fromkeys(code for _, code in found))
    if len(distinct) > 1:
        given = ", ".join(map(shown, distinct))
        reading.fail(where, f"{len(distinct)} codes ({given}): umpolicy reads one")
        return None
    return str(distinct[0])


#: Other URIs the drug code systems are given by (their OIDs, CMS's Blue Button).
_ALIASES = {
    "urn:oid:2.16.840.1.113883.6.88": codes.RXNORM,
    "urn:oid:2.16.840.1.113883.6.69": codes.NDC,
    "urn:oid:2.16.840.1.113883.6.285": codes.HCPCS,
    "https://bluebutton.cms.gov/resources/codesystem/hcpcs": codes.HCPCS,
    "urn:oid:2.16.840.1.113883.6.73": codes.ATC,
}

#: The choices of ``MedicationRequest.medication[x]``.
_MEDICATION = ("medicationCodeableConcept", "medicationReference")
#: The code systems a requested drug's code is read in: the request's (RxNorm, NDC,
#: HCPCS, then ATC), by their URIs.
_REQUESTED = tuple(codes.SYSTEM_URIS[each.value] for each in DrugCodeSystem)


def _named_drug(
    reading: Reading, concept: Mapping[str, Any], where: str, medication: Data, what: str
) -> None:
    """Every code and name a drug's CodeableConcept gives, into the request's medication.

    Its first code of :data:`_REQUESTED` is the medication's ``code``, every other one an
    ``other_codes``; its text, else its first coding's display, the ``name``, every other
    display (of any system) an ``other_names``. The policy checks each: a concept that
    names two drugs is refused. One that names none (no code umpolicy reads, no text, no
    display) is refused here.
    """
    before = len(reading.errors)
    found: list[tuple[str, str, str]] = []
    for index, coding in enumerate(listed(concept.get("coding"))):
        place = at(at(where, "coding"), index)
        if not isinstance(coding, Mapping):
            reading.fail(place, "expected a Coding (a JSON object)")
            continue
        system = coding.get("system")
        if isinstance(system, str):
            system = _ALIASES.get(system, system)
        if system == codes.CPT:
            continue  # a procedure (the drug's administration), never a drug
        if system in _REQUESTED:
            code = text(reading, coding.get("code"), at(place, "code"))
            if code is None:
                reading.fail(at(place, "code"), "required field missing: the code")
            else:
                found.append((system, code, at(place, "code")))
        elif not isinstance(coding.get("display"), str):
            # A code umpolicy cannot read may name another drug; its words say which.
            said = "without a system" if system is None else f"of {shown(system)}"
            reading.fail(
                at(place, "system"),
                f"a code {said}, a system umpolicy does not read {what} in, and without a "
                f"display: it may name another drug (umpolicy reads "
                f"{', '.join(codes.SYSTEM_NAMES[s] for s in _REQUESTED)} codes, and names)",
            )
    others: list[Data] = medication.setdefault("other_codes", [])
    for system, code, path in found:
        given = {"system": codes.SYSTEM_NAMES[system], "code": code}
        if given in others or (medication.get("code"), medication.get("system")) == (
            code,
            given["system"],
        ):
            continue  # said again (the Claim item's product is the order's drug)
        if "code" not in medication:
            medication["code"], medication["system"] = code, codes.SYSTEM_NAMES[system]
            reading.source("$.medication.code", path)
            reading.source("$.medication.system", at(path.removesuffix(".code"), "system"))
        else:
            field = f"$.medication.other_codes[{len(others)}]"
            others.append({"system": codes.SYSTEM_NAMES[system], "code": code})
            reading.source(field, path)
            reading.source(f"{field}.code", path)
    if not others:
        del medication["other_codes"]
    names: list[tuple[str, str]] = []
    if isinstance(concept.get("text"), str):
        names.append((concept["text"], at(where, "text")))
    for index, coding in enumerate(listed(concept.get("coding"))):
        if not isinstance(coding, Mapping) or coding.get("system") == codes.CPT:
            continue  # (a procedure's words, not a drug's)
        display = coding.get("display")
        if isinstance(display, str):
            names.append((display, at(at(where, "coding"), index, "display")))
        elif display is not None:  # words that may name another drug, unread
            reading.fail(
                at(at(where, "coding"), index, "display"), f"expected text, got {shown(display)}"
            )
    for name, path in names:
        _name(reading, medication, name, path)
    if not found and not names and len(reading.errors) == before:
        reading.fail(
            where,
            f"{what} is not named: give its code (RxNorm, NDC, HCPCS or ATC) or its name (text)",
        )


def _name(reading: Reading, medication: Data, name: str, path: str) -> None:
    """A name of the requested drug, read at ``path``: its ``name``, else an ``other_names``."""
    if "name" not in medication:
        medication["name"] = name
        reading.source("$.medication.name", path)
        return
    others: list[str] = medication.get("other_names", [])
    if name != medication["name"] and name not in others:
        reading.source(f"$.medication.other_names[{len(others)}]", path)
        medication["other_names"] = [*others, name]


def _medication_record(reading: Reading, order: Located, medication: Data) -> None:
    """What the order's Medication record says of its drug beside its code.

    The reference's ``display`` names it; so does each active ingredient's
    ``itemCodeableConcept`` (codes and words) or ``itemReference.display``. A record
    entered in error, or inactive, names no drug to order: refused.
    """
    reference = order.get("medicationReference")
    if not isinstance(reference, Mapping):
        return
    if isinstance(reference.get("display"), str):
        _name(
            reading,
            medication,
            reference["display"],
            at(order.path, "medicationReference", "display"),
        )
    record = reading.referred(reference, at(order.path, "medicationReference"))
    if record is not None and record.type == "Medication":
        _ingredients(reading, record, medication, {id(record.resource)})


def _ingredients(reading: Reading, record: Located, medication: Data, seen: set[int]) -> None:
    """A Medication's status and each active ingredient, into the requested drug's names.

    An ingredient that is itself a Medication is read the same way, and its own
    ingredients with it, each record once (``seen``: a cycle of references ends).
    """
    status = record.get("status")
    if status in ("entered-in-error", "inactive"):
        reading.fail(
            at(record.path, "status"),
            f"the Medication is {shown(status)}: umpolicy decides an order of an active one",
        )
    for where, ingredient in items(
        reading, record.get("ingredient"), at(record.path, "ingredient")
    ):
        if not isinstance(ingredient, Mapping):
            reading.fail(where, "expected an ingredient (a JSON object)")
            continue
        if ingredient.get("isActive") is False:
            continue  # an excipient (mannitol) names no drug
        concept = ingredient.get("itemCodeableConcept")
        reference = ingredient.get("itemReference")
        if isinstance(concept, Mapping):
            _named_drug(
                reading, concept, at(where, "itemCodeableConcept"), medication, "an ingredient"
            )
        elif isinstance(reference, Mapping):
            if isinstance(reference.get("display"), str):
                _name(
                    reading, medication, reference["display"], at(where, "itemReference", "display")
                )
            item = reading.resolve(reference, at(where, "itemReference"), "Medication", "Substance")
            code = None if item is None else item.get("code")
            if item is not None and isinstance(code, Mapping):
                _named_drug(reading, code, at(item.path, "code"), medication, "an ingredient")
            elif item is not None:
                reading.fail(at(item.path, "code"), "required field missing: the ingredient's code")
            if item is not None and item.type == "Medication" and id(item.resource) not in seen:
                seen.add(id(item.resource))
                _ingredients(reading, item, medication, seen)
        else:  # FHIR's item[x], 1..1
            reading.fail(
                at(where, "item[x]"),
                "required field missing: the ingredient (itemCodeableConcept or itemReference)",
            )


def _order(
    reading: Reading,
    order: Located,
    patient: Located | None,
    data: Data,
    claim: Located | None = None,
) -> None:
    """The drug, its route, dose, frequency and doses, and its prescriber.

    ``claim`` is the PAS Claim asking for the order: its item's ``productOrService``
    names the drug too, and is read beside the order's.
    """
    item = None if claim is None else drug_item(claim.resource)
    product = None if item is None else item.get("productOrService")
    product_at = "" if claim is None else at(at(claim.path, "item"), 0, "productOrService")
    status = status_of(reading, order, _MEDICATION_REQUEST)
    if status is not None and status not in _ORDERED:
        reading.fail(
            at(order.path, "status"),
            f"the order is {shown(status)}: umpolicy decides an active or draft order",
        )
    if _not_to_give(reading, order):
        reading.fail(
            at(order.path, "doNotPerform"),
            "an order not to give the drug: umpolicy decides an order to give it",
        )
    intent = order.get("intent")
    intents = ", ".join(_ORDER_INTENTS)
    if intent is None:
        reading.fail(at(order.path, "intent"), f"required field missing: the intent ({intents})")
    elif not isinstance(intent, str) or intent not in _INTENT:
        reading.fail(
            at(order.path, "intent"),
            f"{shown(intent)} is not a MedicationRequest intent; expected one of "
            f"{', '.join(_INTENT)}",
        )
    elif intent not in _ORDER_INTENTS:
        reading.fail(
            at(order.path, "intent"),
            f"the intent is {shown(intent)}, not yet an order: umpolicy decides an order "
            f"({intents})",
        )
    if patient is not None:
        _subject(reading, order, patient)
    medication: Data = data.setdefault("medication", {})
    concept, where = _drug(reading, order)
    given = [name for name in _MEDICATION if name in order.resource]
    if not given:  # FHIR's 1..1
        reading.fail(
            at(order.path, "medication[x]"),
            "required field missing: the drug ordered (medicationCodeableConcept or "
            "medicationReference)",
        )
    elif len(given) > 1:  # FHIR's one choice: which is the drug ordered is not said
        reading.fail(
            at(order.path, "medicationReference"),
            "an order gives one medication[x]: this gives a medicationCodeableConcept and a "
            "medicationReference, which may name two drugs",
        )
    elif concept is None and where.endswith(".code"):  # a Medication without its code
        reading.fail(where, "required field missing: the code of the drug ordered")
    if concept is not None and not isinstance(concept, Mapping):
        reading.fail(where, f"expected a CodeableConcept (a JSON object), got {shown(concept)}")
    if isinstance(concept, Mapping):
        _named_drug(reading, concept, where, medication, "the requested drug")
    _medication_record(reading, order, medication)
    if isinstance(product, Mapping):
        _named_drug(reading, product, product_at, medication, "the service asked for")
    dosages = items(reading, order.get("dosageInstruction"), at(order.path, "dosageInstruction"))
    if len(dosages) > 1:
        reading.fail(
            at(order.path, "dosageInstruction"),
            f"{len(dosages)} dosage instructions: umpolicy reads one",
        )
    for path, dosage in dosages[:1]:
        if isinstance(dosage, Mapping):
            _dosage(reading, dosage, path, medication)
    requester = order.get("requester")
    date = data.get("date")
    if requester is not None:
        who = reading.resolve(
            requester, at(order.path, "requester"), "PractitionerRole", "Practitioner"
        )
        if who is not None:
            data["prescriber"] = practitioner(reading, who, "$.prescriber", date)
    elif reading.of_type("Claim"):
        claim = reading.of_type("Claim")[0]
        if isinstance(claim.get("provider"), Mapping):
            provider = reading.resolve(claim.get("provider"), at(claim.path, "provider"))
            if provider is not None and provider.type in ("PractitionerRole", "Practitioner"):
                data["prescriber"] = practitioner(reading, provider, "$.prescriber", date)


def _drug(reading: Reading, found: Located, *, strict: bool = True) -> tuple[object, str]:
    """A MedicationRequest's or MedicationStatement's drug: its concept, and where it is.

    ``medicationCodeableConcept``, else the ``Medication.code`` its ``medicationReference``
    refers to (``None`` there when the reference does not resolve: a problem, unless not
    ``strict``, for an order but the one decided, whose drug is then known by name alone).
    """
    concept, where = (
        found.get("medicationCodeableConcept"),
        at(found.path, "medicationCodeableConcept"),
    )
    if "medicationReference" in found.resource:
        reference = found.get("medicationReference")
        if strict:
            drug = reading.resolve(reference, at(found.path, "medicationReference"), "Medication")
        else:
            drug = reading.referred(reference, at(found.path, "medicationReference"))
            drug = drug if drug is not None and drug.type == "Medication" else None
        concept, where = (
            (None, where) if drug is None else (drug.get("code"), at(drug.path, "code"))
        )
    return concept, where


def _not_to_give(reading: Reading, order: Located) -> bool:
    """Whether a MedicationRequest orders the drug not to be given (``doNotPerform`` true)."""
    return _flag(reading, order, order.path, "doNotPerform") is True


def _flag(
    reading: Reading, found: Located | Mapping[str, Any], path: str, name: str
) -> bool | None:
    """A boolean element of the record at ``path``, or ``None``: absent, or not a boolean.

    One not a boolean is a problem, named at its path, and read as not given.
    """
    value = found.get(name)
    if value is not None and type(value) is not bool:
        reading.fail(at(path, name), f"expected a boolean, got {shown(value)}")
        return None
    return value if value is None else bool(value)


def _dosage(reading: Reading, dosage: Mapping[str, Any], path: str, medication: Data) -> None:
    """Route (SNOMED CT), dose (UCUM), frequency and count of doses of one Dosage."""
    if "route" in dosage:
        routes = coded(reading, dosage["route"], at(path, "route"), codes.SNOMED, "the route")
        distinct = list(dict.fromkeys(code for code, _, _ in routes))
        if len(distinct) > 1:
            reading.fail(
                at(path, "route"),
                f"{len(distinct)} routes ({', '.join(map(shown, distinct))}): umpolicy reads one",
            )
        elif routes:
            code, display, where = routes[0]
            medication["route"] = (
                {"code": code} if display is None else {"code": code, "display": display}
            )
            reading.source("$.medication.route", where)
            reading.source("$.medication.route.code", where)
    rates = items(reading, dosage.get("doseAndRate"), at(path, "doseAndRate"))
    if len(rates) > 1:
        reading.fail(at(path, "doseAndRate"), f"{len(rates)} doses: umpolicy reads one")
    for where, rate in rates[:1]:
        if isinstance(rate, Mapping) and "doseRange" in rate:
            reading.fail(
                at(where, "doseRange"), "a dose range: umpolicy reads one dose (doseQuantity)"
            )
        elif isinstance(rate, Mapping) and "doseQuantity" in rate:
            dose = quantity(
                reading, rate["doseQuantity"], at(where, "doseQuantity"), "$.medication.dose"
            )
            if dose is not None:
                medication["dose"] = dose
    timing = element(reading, dosage.get("timing"), at(path, "timing"), Mapping, "a Timing")
    if timing is None:
        return
    where = at(path, "timing", "repeat")
    repeat = element(reading, timing.get("repeat"), where, Mapping, "a Timing.repeat")
    rate = None if repeat is None else _repeat(reading, repeat, where, medication)
    _beside(reading, timing, at(path, "timing"), _TIMING_BESIDE, rate)
    if repeat is not None:
        _beside(reading, repeat, where, _REPEAT_BESIDE, rate)


def _beside(
    reading: Reading,
    timing: Mapping[str, Any],
    path: str,
    beside: dict[str, str],
    rate: tuple[int, int, str] | None,
) -> None:
    """Refuse each element of ``timing`` (:data:`_TIMING_BESIDE`) the frequency does not say."""
    for name, what in beside.items():
        if name in timing and not _agrees(name, timing[name], rate):
            reading.fail(
                at(path, name),
                f"{what}, without a frequency or not as often as it says: {_GIVE_FREQUENCY}",
            )


def _agrees(name: str, value: object, rate: tuple[int, int, str] | None) -> bool:
    """Whether a Timing element says the doses the frequency read (``rate``) says.

    Times of day or events of the day as many as the doses a day; days of the week as
    many as the doses a week; no more dated events on one day than a day's doses (one,
    at least); a timing code with a frequency (its text, or another system's code, is a
    label), unless it is an HL7 timing abbreviation of another number a day, or one
    umpolicy cannot count (:data:`_GTS_PER_DAY`).
    """
    if rate is None:
        return False
    frequency, every, per = rate
    per_day = None if per not in _DAYS else Fraction(frequency) / (every * _DAYS[per])
    given = value if isinstance(value, list) else [value]
    if name in ("timeOfDay", "when"):
        return len(given) == per_day
    if name == "dayOfWeek":
        return per_day is not None and len(given) == per_day * 7
    if name == "event":
        days = [each[:10] for each in given if isinstance(each, str)]
        most = 1 if per_day is None else max(1, math.ceil(per_day))
        return len(days) == len(given) and all(days.count(day) <= most for day in days)
    if not isinstance(value, Mapping):
        return False
    # An abbreviation of these systems that umpolicy cannot count (MO, a code not text)
    # could say more doses than the frequency: it disagrees. Another system's is a label.
    abbreviations = [
        _GTS_PER_DAY.get(code) if isinstance(code := c.get("code"), str) else None
        for c in codings(value)
        if c.get("system") in _GTS
    ]
    return all(each is not None and each == per_day for each in abbreviations)


def _repeat(
    reading: Reading, repeat: Mapping[str, Any], path: str, medication: Data
) -> tuple[int, int, str] | None:
    """``frequency`` per ``period`` ``periodUnit`` as a rate; ``count`` as doses per cycle.

    Returns the rate read (frequency, period, unit), or ``None`` when none is.

    A range (``frequencyMax``, ``periodMax``, ``countMax``) is refused rather than read
    at one end: its other end could exceed a limit the first meets.
    """
    for ranged in ("frequencyMax", "periodMax", "countMax"):
        if ranged in repeat:
            reading.fail(at(path, ranged), "a range: umpolicy reads one value, without a maximum")
    count = repeat.get("count")
    if count is not None:
        if type(count) is not int:
            reading.fail(at(path, "count"), f"expected a whole number, got {shown(count)}")
        else:
            medication.setdefault("schedule", {})["doses_per_cycle"] = count
            reading.source("$.medication.schedule.doses_per_cycle", at(path, "count"))
    if "period" not in repeat and "frequency" not in repeat:
        return None
    frequency = repeat.get("frequency", 1)
    period = decimal(reading, repeat.get("period"), at(path, "period"))
    per = repeat.get("periodUnit")
    if type(frequency) is not int or frequency < 1:
        reading.fail(
            at(path, "frequency"), f"expected a whole number of at least 1, got {shown(frequency)}"
        )
        return None
    if repeat.get("period") is None:
        reading.fail(at(path, "period"), "required field missing: a frequency is per a period")
        return None
    if not isinstance(per, str) or per not in _PERIODS:
        reading.fail(
            at(path, "periodUnit"), f"{shown(per)}: umpolicy reads a frequency per h, d, wk or mo"
        )
        return None
    if period is None:
        return None
    if period != int(period) or period < 1:
        reading.fail(at(path, "period"), f"{period}: umpolicy reads a whole number of periods")
        return None
    every = int(period)
    code = f"/{per}" if every == 1 else f"/({every}.{per})"
    try:
        unit(code)
    except ValueError as error:  # more periods than a rate of umpolicy's counts
        reading.fail(at(path, "period"), f"{every} {per}: {error}")
        return None
    medication["frequency"] = {"value": frequency, "unit": code}
    reading.source("$.medication.frequency", path)
    reading.source("$.medication.frequency.value", at(path, "frequency"))
    reading.source("$.medication.frequency.unit", at(path, "periodUnit"))
    return frequency, every, per


def practitioner(reading: Reading, found: Located, field: str, date: str | None) -> Data:
    """A prescriber or consultant: NUCC specialties and the organization's affiliations.

    A PractitionerRole gives its ``specialty`` (NUCC codes) and its ``organization``'s
    affiliation codes (``Organization.type`` in :data:`~codes.AFFILIATION`); a
    Practitioner its ``qualification`` codes. What is not given stays unknown, as does
    what a role, practitioner, organization or qualification not in force on the
    request's ``date`` gives (:func:`_in_force`).
    """
    person: Data = {}
    reading.source(field, found.path)
    if not _in_force(reading, found.resource, found.path, date):
        return person
    if found.type == "PractitionerRole" and "practitioner" in found.resource:
        # The role of a practitioner no longer active is not in force either. One not
        # in the bundle is not read (as before); one referred to wrongly is a problem.
        where = at(found.path, "practitioner")
        who = element(reading, found.get("practitioner"), where, Mapping, "a Reference")
        target = who.get("reference") if who is not None else None
        if who is not None and "reference" in who and not isinstance(target, str):
            reading.fail(at(where, "reference"), f"expected a reference, got {shown(target)}")
        behind = reading.referred(who, where)
        if behind is not None and not _in_force(reading, behind.resource, behind.path, date):
            return person
    specialties = []
    if found.type == "PractitionerRole":
        for where, concept in items(reading, found.get("specialty"), at(found.path, "specialty")):
            specialties += coded(reading, concept, where, codes.NUCC, "a specialty")
        organization = found.get("organization")
        place = None
        if organization is not None:
            place = reading.resolve(organization, at(found.path, "organization"), "Organization")
        if place is not None and _in_force(reading, place.resource, place.path, date):
            _affiliations(reading, place, field, person)
    else:
        for where, qualification in items(
            reading, found.get("qualification"), at(found.path, "qualification")
        ):
            if isinstance(qualification, Mapping) and _in_force(
                reading, qualification, where, date
            ):
                specialties += coded(
                    reading, qualification.get("code"), at(where, "code"), codes.NUCC, "a specialty"
                )
    if specialties:
        person["specialties"] = [code for code, _, _ in specialties]
        reading.source(f"{field}.specialties", found.path)
        for index, (_, _, where) in enumerate(specialties):
            reading.source(f"{field}.specialties[{index}]", where)
    return person


def _in_force(reading: Reading, found: Mapping[str, Any], path: str, date: str | None) -> bool:
    """Whether a record at ``path`` holds on the request's date: active, and in its period.

    A PractitionerRole, Practitioner or Organization no longer active (``active`` false),
    or a role or qualification held only before (or after) the request (``period``),
    says nothing of what the prescriber practises now: not read, its facts stay unknown
    unless something else gives them.
    """
    active = _flag(reading, found, path, "active")
    where = at(path, "period")
    period = element(reading, found.get("period"), where, Mapping, "a Period (a JSON object)")
    if period is None:
        return active is not False
    start = date_of(reading, period.get("start"), at(where, "start"))
    end = date_of(reading, period.get("end"), at(where, "end"))
    return active is not False and not _after(start, date) and not _before(end, date)


def _affiliations(reading: Reading, place: Located, field: str, person: Data) -> None:
    """The organization's affiliation codes (``Organization.type`` in umpolicy's system)."""
    found = []
    for where, concept in items(reading, place.get("type"), at(place.path, "type")):
        if isinstance(concept, Mapping):
            for index, coding in enumerate(listed(concept.get("coding"))):
                if isinstance(coding, Mapping) and coding.get("system") == codes.AFFILIATION:
                    code = text(reading, coding.get("code"), at(where, "coding", index, "code"))
                    if code is not None:
                        found.append((code, at(where, "coding", index, "code")))
    if found:
        person["affiliations"] = [code for code, _ in found]
        reading.source(f"{field}.affiliations", at(place.path, "type"))
        for index, (_, where) in enumerate(found):
            reading.source(f"{field}.affiliations[{index}]", where)


def _care_team(reading: Reading, claim: Located, data: Data) -> None:
    """The Claim's care team other than the prescriber: the physicians consulted.

    A Claim that lists its care team says who is consulted: everyone on it but the
    prescriber (none, when the prescriber alone is listed). Without one, the
    consultants stay unknown. A DTR answer beside it is a problem, as an answer for any
    fact the bundle gives is.
    """
    if "careTeam" not in claim.resource:
        return
    if "consultants" in data:  # a DTR answer gave them (read first, for the prescriber's)
        reading.fail(
            reading.sources["$.consultants"],
            f"consultants is given twice: here and at {at(claim.path, 'careTeam')}",
        )
        return
    prescriber = reading.sources.get("$.prescriber")
    consultants: list[Data] = []
    for where, member in items(reading, claim.get("careTeam"), at(claim.path, "careTeam")):
        if not isinstance(member, Mapping):
            reading.fail(where, "expected a care team member (a JSON object)")
            continue
        found = reading.resolve(member.get("provider"), at(where, "provider"))
        if (
            found is None
            or found.type not in ("PractitionerRole", "Practitioner")
            or found.path == prescriber
        ):
            continue
        consultants.append(
            practitioner(reading, found, f"$.consultants[{len(consultants)}]", data.get("date"))
        )
    data["consultants"] = consultants
    reading.source("$.consultants", at(claim.path, "careTeam"))


def _therapies(reading: Reading, patient: Located, order: Located | None, data: Data) -> None:
    """The therapy histories: statements, administrations, other orders; dispenses unknown.

    A MedicationDispense of another drug (:data:`_DISPENSED`) gives no therapy: handed
    over, it may have been tried or be given with the drug, so it leaves both histories
    unknown, whatever a List or an answer says; passed over, it could leave the drug
    "a single agent" beside another drug dispensed to be given with it.

    Records alone give a history in part (``partial``): a bundle holds what its sender
    sent, not all there is. A List gives it whole (:func:`_whole_histories`).
    Each, ATC-coded, is a therapy tried before or given with the drug; a MedicationRequest
    but the order to decide (:func:`_others`) is one given with it (:data:`_ORDER_HISTORY`).
    A record on hold or of unknown status may be in a history (:data:`_MAY_BE`,
    :data:`_ORDER_MAY_BE`): that history is unknown, whatever the others say, and a List
    saying it is empty is contradicted, a problem at the record's status. So is a DTR
    answer giving that history (it is recorded in :attr:`Reading.unknown`): the record
    may add to it. A therapy's ``effectivePeriod`` is its duration, counted to the
    request's date at the latest (a planned end has not come); one starting after the
    request has lasted no time yet, and its duration stays unknown.
    """
    history: dict[str, list[Data]] = {}
    read: dict[str, list[Located]] = {}  # the records of each history, as it lists them
    faulted: set[str] = set()  # the records at fault, whichever history a List puts them in
    uncertain: dict[str, list[tuple[Located, str]]] = {}  # each, and the element why
    date = data.get("date")
    records = [
        (found, _STATEMENT, _HISTORY, _MAY_BE) for found in reading.of_type("MedicationStatement")
    ]
    records += [
        (found, _MEDICATION_REQUEST, _ORDER_HISTORY, _ORDER_MAY_BE)
        for found in _others(reading, order)
    ]
    records += [
        (found, _ADMINISTRATION, _ADMINISTERED, _ADMINISTERED_MAY_BE)
        for found in _other_drugs(reading, order, "MedicationAdministration")
    ]
    records += [
        (found, _DISPENSE, {}, _DISPENSED)
        for found in _other_drugs(reading, order, "MedicationDispense")
        if order is not None and not _dispensed_on(reading, found, order)
    ]
    for found, statuses, histories, may_be in records:
        status = status_of(reading, found, statuses)
        if status is None:
            faulted.add(found.path)  # no valid status: a problem
            continue
        if status not in histories and status not in may_be:
            continue  # no therapy given
        if not _subject(reading, found, patient):
            continue
        other = found.type == "MedicationRequest"
        if status in may_be or (other and found.get("intent") not in _ORDER_INTENTS):
            # one on hold, of unknown status, or not ordered (a proposal, a plan; an
            # intent not given) may be given with the drug: that history is unknown
            why = "status" if status in may_be else "intent"
            for which in may_be.get(status, ("concomitant",)):
                uncertain.setdefault(which, []).append((found, why))
            continue
        which = histories[status]
        if not other:
            agrees = _dates_agree(reading, found, which, date)
            if agrees is None:
                faulted.add(found.path)  # a therapy tried that began after the request
                continue
            if not agrees:
                # Said given now but ended before the request, or tried but running past
                # it: it may, or may not, be given with the drug. That history is unknown.
                uncertain.setdefault("concomitant", []).append((found, "effectivePeriod"))
                if which == "concomitant":
                    continue
        if found.type == "MedicationAdministration" and which == "prior":
            # A dose given says nothing of the regimen ending: ipilimumab given last week
            # is given every three weeks still. Tried, and perhaps given with the drug.
            uncertain.setdefault("concomitant", []).append((found, "status"))
        field = f"$.therapies.{which}[{len(history.get(which, []))}]"
        concept, where = _drug(reading, found, strict=not other)
        if other and not _has_atc(concept):
            # An order is coded for ordering (RxNorm, NDC, an EHR's own codes), not by
            # ATC, or its drug is not here: the therapy is known by its name alone, so
            # whether it is in a value set stays unknown; never a fault of this order.
            atc = []
            name = _order_name(found, concept)
        else:
            atc = coded(reading, concept, where, codes.ATC, "a therapy")
            name = next((d for _, d, _ in atc if d), None) or (atc[0][0] if atc else "")
            if isinstance(concept, Mapping) and isinstance(concept.get("text"), str):
                name = concept["text"]
        therapy: Data = {"name": name, "codes": [code for code, _, _ in atc]}
        if not history.get(which):  # the history's first statement: a clash names it
            reading.source(f"$.therapies.{which}", found.path)
        reading.source(field, where)
        reading.source(f"{field}.name", where)
        for index, (_, _, path) in enumerate(atc):
            reading.source(f"{field}.codes[{index}]", path)
        period = found.get("effectivePeriod")
        if isinstance(period, Mapping):
            start = full_date(
                reading, period.get("start"), at(found.path, "effectivePeriod", "start")
            )
            end = full_date(reading, period.get("end"), at(found.path, "effectivePeriod", "end"))
            if start is not None and end is not None and end < start:
                reading.fail(
                    at(found.path, "effectivePeriod", "end"),
                    f"{end} is before the period's start ({start})",
                )
            elif start is not None and end is not None and not _after(start, date):
                # A Period's end includes its day (FHIR: "2012-02-03 is in a period that
                # ends 2012-02-03"): one that starts and ends on one day lasted a day. A
                # planned end after the request's date has not come: it lasted until then.
                end = min(end, date or end)
                days = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days + 1
                therapy["duration"] = {"value": days, "unit": "d"}
                reading.source(f"{field}.duration", at(found.path, "effectivePeriod"))
        history.setdefault(which, []).append(therapy)
        read.setdefault(which, []).append(found)
    whole = _whole_histories(reading, patient, history, read, uncertain, faulted)
    _plans_and_procedures(reading, patient, order, history, uncertain)
    for which, statements in uncertain.items():
        history.pop(which, None)  # one more therapy may be in it: unknown, never the rest
        first, why = statements[0]
        reading.unknown[f"$.therapies.{which}"] = (
            f"the {first.type} at {first.path} is {shown(first.get(why))}"
            f"{_WHY[why]}, so its therapy may be a {which} one, whatever an answer lists"
        )
    if history:
        data["therapies"] = history
        # Records alone may not be all: a history no List gives whole is given in part.
        partial = [which for which in HISTORIES if history.get(which) and which not in whole]
        if partial:
            data["therapies"] = {**history, "partial": partial}


def _whole_histories(
    reading: Reading,
    patient: Located,
    history: dict[str, list[Data]],
    read: dict[str, list[Located]],
    uncertain: dict[str, list[tuple[Located, str]]],
    faulted: set[str],
) -> set[str]:
    """The histories a List gives whole: none (an empty List), or the records it lists.

    A List (:func:`_history_list`) that lists records says they are the whole history:
    each is a record read into it, and every record read into it (or that may be in
    it) is listed; either way round otherwise is a problem at the List (not said again
    of a record at fault). An empty one says there are none: a record of that history
    contradicts it.
    """
    whole: set[str] = set()
    for found in reading.of_type("List"):
        listed = _history_list(reading, found, patient)
        if listed is None:
            continue
        which, entries = listed
        if not entries:
            if history.get(which):
                reading.fail(
                    at(found.path, "emptyReason"),
                    f"says no {which} therapies, but the records (MedicationStatements, "
                    "MedicationRequests, MedicationAdministrations) give some",
                )
                continue
            for each, why in uncertain.get(which, ()):
                reading.fail(
                    at(each.path, why),
                    f"{shown(each.get(why))}: the therapy may be a {which} one, and the List "
                    f"at {found.path} says there are none",
                )
            history[which] = []
            reading.source(f"$.therapies.{which}", at(found.path, "emptyReason"))
            whole.add(which)
            continue
        of_it = [*read.get(which, ()), *(each for each, _ in uncertain.get(which, ()))]
        ours = {record.path for record in of_it}
        paths = {record.path for _, record in entries}
        for where, record in entries:
            if record.path not in ours and record.path not in faulted:
                reading.fail(
                    where,
                    f"the {record.type} at {record.path} is not read as a {which} therapy "
                    "(its status, dates or drug say otherwise)",
                )
        maybe = {each.path for each, _ in uncertain.get(which, ())}
        for record in of_it:
            if record.path not in paths:
                perhaps = "perhaps " if record.path in maybe else ""
                reading.fail(
                    at(found.path, "entry"),
                    f"leaves out the {record.type} at {record.path}, {perhaps}a {which} "
                    "therapy: a List of the whole history lists each",
                )
        reading.source(f"$.therapies.{which}", found.path)
        whole.add(which)
    return whole


def _plans_and_procedures(
    reading: Reading,
    patient: Located,
    order: Located | None,
    history: dict[str, list[Data]],
    uncertain: dict[str, list[tuple[Located, str]]],
) -> None:
    """The patient's plans, orders, tasks and procedures that may give another drug.

    Each is read as what it may give with the drug (:class:`_Gives`): a CarePlan or
    RequestGroup not over (:data:`_PLAN_OVER`), by its activities or actions not over,
    and by the plans and orders it refers to; a ServiceRequest not revoked or in error
    (:data:`_SERVICE_OVER`: one completed gave what it ordered), by what it orders (its
    ``code``: an infusion of another drug, coded by the drug's HCPCS code) and what it
    is based on or instantiates, whether or not a plan refers to it (one a plan refers
    to is read here, by its own status); a Task not rejected, cancelled, failed or in
    error (:meth:`_Gives.task`), the patient's by its ``for``; a Procedure of any status
    but not done or in error (a dose given says nothing of its regimen ending), by its
    drug's code and what it used. One that may give another drug makes the concomitant
    therapies unknown (in ``uncertain``), whatever the records or an answer say: passed
    over, an anticancer drug planned or given beside the drug would leave it "a single
    agent". A List saying there are none is contradicted: a problem at the record's
    status. A therapy the history already lists adds nothing. A Procedure, ServiceRequest
    or Task held contained (the Claim's ``procedure``, an order a plan holds) is read
    too. Without an order (a problem already) no drug is known to be another.
    """
    if order is None:
        return
    listed = history.get("concomitant", [])
    gives = _Gives(reading, _drug_codes(_identity(reading, order)), reading.drug, listed)
    held = list(reading.contained.values())  # no plan: a contained one is refused
    for kind, (statuses, over, whose) in _GIVING.items():
        for plan in [*reading.of_type(kind), *(each for each in held if each.type == kind)]:
            status = status_of(reading, plan, statuses)
            if status is None or status in over or not _subject(reading, plan, patient, whose):
                continue
            if not gives.record(plan):
                continue
            none = reading.sources.get("$.therapies.concomitant")
            if history.get("concomitant") == [] and none is not None:
                reading.fail(
                    at(plan.path, "status"),
                    f"{shown(status)}: the {kind} may give another drug with the drug asked "
                    f"for, and {none} says there are no concomitant therapies",
                )
                continue
            uncertain.setdefault("concomitant", []).append((plan, "status"))


def drug_of(policy: Policy | str | None) -> Drug | None:
    """The drug of the policy the caller gave (its own), or named (its current version's).

    Named only by the bundle's answers, read after the therapies, it is not known while
    they are read: records' drugs are then compared with the order's alone.
    """
    from umpolicy.errors import UnknownPolicyError
    from umpolicy.registry import load_policy

    if isinstance(policy, Policy):
        return policy.requested
    if policy is None:
        return None
    try:
        return load_policy(policy).requested
    except UnknownPolicyError:
        return None  # said where the request's policy is checked


def _drug_codes(names: set[tuple[object, object]]) -> set[tuple[object, object]]:
    """What names a drug (:func:`_names_of`), its codes of other systems left out.

    A procedure's drug may be coded beside the procedure (CPT): its drug's codes name it.
    A drug of no code of a drug's system but a catch-all one is named by all it gives
    (its text, its Medication).
    """
    drugs: set[tuple[object, object]] = {each for each in names if each[0] in _NAMED_DRUG}
    return drugs if drugs - codes.CATCH_ALL else names


#: The systems of a drug's codes, by name (as a policy's ``Drug`` names them), by URI.
_DRUG_SYSTEM_NAMES = {uri: codes.SYSTEM_NAMES[uri] for uri in _NAMED_DRUG}
#: The records of a therapy or a plan that are read where they are (:func:`_therapies`,
#: :func:`_plans_and_procedures`): one the bundle does not hold may give a drug by a
#: reference to it (:data:`_NOT_SENT`; a Task too).
_READ_HERE = frozenset(
    (
        "MedicationRequest",
        "MedicationStatement",
        "MedicationAdministration",
        "MedicationDispense",
        "CarePlan",
        "RequestGroup",
        "ServiceRequest",
        "Procedure",
    )
)
#: The resources that may order or give a drug, read nowhere (a protocol, a definition):
#: a reference to one may give any.
_MAY_ORDER = frozenset(("PlanDefinition", "ActivityDefinition"))
#: The resources a reference to one the bundle does not hold may give a drug by: an order,
#: a dose, a plan, a service request or task, a protocol, a drug. (A procedure not sent
#: gives what it used, if it is sent.)
_NOT_SENT = (_READ_HERE - {"Procedure"}) | _MAY_ORDER | {"Task", "Medication", "Substance"}
#: The elements of a CarePlan, RequestGroup, ServiceRequest, Task or Procedure that refer
#: to the plans, orders and protocols it is part of or follows (each reads those it has).
_FOLLOWS = ("basedOn", "partOf", "instantiatesCanonical", "instantiatesUri")


class _Gives:
    """What a record may give besides the order's drug, read whole (each part checked).

    ``drug`` is the order's drug by its codes (:func:`_drug_codes`), ``policy`` the
    policy's ``Drug`` when the caller gave or named it, ``listed`` the therapies the
    history already lists. A concept is the drug itself, with the policy's drug, when
    :meth:`Drug.mismatch` finds nothing and it gives a code the policy lists or a name;
    without it, when it names the order's drug (:meth:`another`). Every part read that
    is given wrongly is a problem at its path.
    """

    def __init__(
        self,
        reading: Reading,
        drug: set[tuple[object, object]],
        policy: Drug | None,
        listed: list[Data],
    ) -> None:
        self.reading = reading
        self.drug = drug
        self.policy = policy
        #: The codes and names of the therapies the history already lists: one of them (by
        #: its codes, and its name if it gives one) adds nothing.
        self.listed: set[tuple[object, object]] = {
            (codes.ATC, code) for therapy in listed for code in therapy["codes"]
        }
        self.names = {str(therapy["name"]).strip().casefold() for therapy in listed}
        #: Each concept's codings by its identity, read once (its problems said once).
        self.read: dict[int, list[Mapping[str, Any]]] = {}

    def record(self, found: Located) -> bool:
        """Whether a plan, service request, task or procedure not over may give another drug.

        Every part is read. A service request not to be done (``doNotPerform``) orders
        nothing, but what it follows is read still; a task is read by :meth:`task`.
        """
        gives = self.follows(found, ("partOf",) if found.type == "Procedure" else _FOLLOWS)
        if found.type == "CarePlan":
            gives |= self.activities(found)
        elif found.type == "RequestGroup":
            gives |= self.actions(found.get("action"), at(found.path, "action"))
        elif found.type == "ServiceRequest":
            not_to_be_done = _flag(self.reading, found, found.path, "doNotPerform") is True
            gives |= self.ordered(found.get("code"), at(found.path, "code")) and not not_to_be_done
        elif found.type == "Task":
            gives |= self.task(found)
        else:
            gives |= self.used(found)
        return gives

    def task(self, task: Located) -> bool:
        """Whether a Task not over does something with another drug.

        By what it acts on (``focus``, :meth:`refers`: an order not sent, or held and of
        another drug), and by its ``code`` as a service request's is read
        (:meth:`ordered`: a drug's code, a drug given not said which, words), but a code
        of what kind of task it is (:data:`~umpolicy.integrations.fhir.codes.TASK_KINDS`:
        fulfil an order, a request for data), which gives no drug. One of no code gives
        nothing by it.
        """
        gives = False
        if "focus" in task.resource:
            gives |= self.refers(task.get("focus"), at(task.path, "focus"))
        if "code" in task.resource:
            where = at(task.path, "code")
            codings = self.concept(task.get("code"), where)
            kind = bool(codings) and all(c.get("system") in codes.TASK_KINDS for c in codings)
            gives |= not kind and self.ordered(task.get("code"), where)
        return gives

    def follows(self, found: Located, names: tuple[str, ...]) -> bool:
        """Whether it is part of, or follows, a plan or an order that may give another drug.

        A protocol a plan instantiates (a regimen) may; so may a plan or an order it is
        part of or based on that the bundle does not hold (:meth:`refers`). A procedure
        is read by what it is part of alone (a dose given): the plan it was done under
        gives what the plan says, if the bundle holds it.
        """
        gives = False
        for name in names:
            if name not in found.resource:
                continue
            where = at(found.path, name)
            for each, value in items(self.reading, found.get(name), where):
                if name.startswith("instantiates"):
                    gives |= text(self.reading, value, each) is not None
                else:
                    gives |= self.refers(value, each)
        return gives

    def refers(self, reference: object, path: str) -> bool:
        """Whether a reference may be to an order or a plan of another drug not read here.

        One the bundle holds is read by what it is: a Medication or Substance by its code
        (:meth:`another`); a definition read nowhere that may order a drug
        (:data:`_MAY_ORDER`) may give any; any other adds nothing (a therapy, a plan, a
        service request, a task or a procedure is read where it is, by its own status).
        One not here may when it may order or give one (:data:`_NOT_SENT`), or says only
        its display.
        """
        kind = _kind_of(self.reading, reference, path)
        if kind is _MALFORMED:
            return False
        found = self.reading.referred(reference, path)
        if found is not None:
            if found.type in ("Medication", "Substance"):
                return self.another(found.get("code"), at(found.path, "code"))
            return found.type in _MAY_ORDER
        return kind is None or kind in _NOT_SENT

    def activities(self, plan: Located) -> bool:
        """Whether a CarePlan's activities may give another drug (each one read)."""
        gives = False
        for where, activity in items(self.reading, plan.get("activity"), at(plan.path, "activity")):
            if not isinstance(activity, Mapping):
                self.reading.fail(where, "expected a CarePlan activity (a JSON object)")
                continue
            if "reference" in activity:
                gives |= self.refers(activity["reference"], at(where, "reference"))
            outcomes = items(
                self.reading, activity.get("outcomeReference"), at(where, "outcomeReference")
            )
            for each, outcome in outcomes:  # what it gave: a dose given, an order placed
                gives |= self.refers(outcome, each)
            if "detail" in activity:
                detail = activity["detail"]
                if isinstance(detail, Mapping):
                    gives |= self.detail(detail, at(where, "detail"))
                else:
                    self.reading.fail(
                        at(where, "detail"), "expected an activity's detail (a JSON object)"
                    )
        return gives

    def detail(self, detail: Mapping[str, Any], path: str) -> bool:
        """Whether a CarePlan activity's detail, not over, may give another drug.

        Its status is required (FHIR R4), and a kind given is of the kinds FHIR binds
        (:data:`_ACTIVITY_KINDS`): either given wrongly is a problem. One over, or not to be
        done (``doNotPerform``), gives nothing. Its drug is its ``product[x]``, else its
        ``code`` when that names a drug (:meth:`judged`); one of neither that orders a
        medication may give any; one of a kind that gives none (:data:`_NO_DRUG_KINDS`),
        coded as a service (a laboratory test, an imaging study), or saying nothing of
        what it is, gives none; else, in words, it may give any.
        """
        kind = detail.get("kind")
        if "kind" in detail and (not isinstance(kind, str) or kind not in _ACTIVITY_KINDS):
            kinds = ", ".join(_ACTIVITY_KINDS)
            self.reading.fail(
                at(path, "kind"), f"{shown(kind)} is not a CarePlan activity kind; expected {kinds}"
            )
        status = status_in(self.reading, detail, path, _ACTIVITY, "CarePlan activity", "activity")
        if status is None:
            return False
        if status in _ACTIVITY_OVER or _flag(self.reading, detail, path, "doNotPerform") is True:
            return False
        gives = any(
            text(self.reading, value, at(path, name, index)) is not None
            for name in ("instantiatesCanonical", "instantiatesUri")
            for index, value in enumerate(listed(detail.get(name)))
        )
        if "productCodeableConcept" in detail:
            product = detail["productCodeableConcept"]
            return self.another(product, at(path, "productCodeableConcept")) or gives
        if "productReference" in detail:
            return self.refers(detail["productReference"], at(path, "productReference")) or gives
        if "code" in detail:
            judged = self.judged(detail["code"], at(path, "code"))
            if judged is not None:
                return judged or gives
        if kind == "MedicationRequest":
            return True  # a drug ordered, but not said which
        if kind in _NO_DRUG_KINDS or ("code" in detail and self.coded(detail["code"])):
            return gives  # of a kind that gives no drug, or coded as a service
        return gives or any(name in detail for name in ("kind", "code", "description"))

    def actions(self, actions: object, path: str, depth: int = 0) -> bool:
        """Whether a RequestGroup's actions (and theirs) may order another drug.

        An action's ``resource`` is what it orders (:meth:`refers`); its sub-actions are
        actions too, each read. One of neither that says anything (a title, a code, a
        type: anything but :data:`_SAYS_NOTHING`) may order any drug: umpolicy does not
        read a drug from its words. Nested past
        :data:`MAX_DEPTH` (a problem already), it is not read further.
        """
        gives = False
        if depth > MAX_DEPTH:
            return gives
        for where, action in items(self.reading, actions, path):
            if not isinstance(action, Mapping):
                self.reading.fail(where, "expected a RequestGroup action (a JSON object)")
                continue
            if "resource" in action:
                gives |= self.refers(action["resource"], at(where, "resource"))
            if "action" in action:
                gives |= self.actions(action["action"], at(where, "action"), depth + 1)
            if "resource" not in action and "action" not in action:
                gives |= any(key not in _SAYS_NOTHING for key in action)
        return gives

    def used(self, procedure: Located) -> bool:
        """Whether a Procedure gave a drug other than the order's, or used one.

        Its ``code`` names a drug when it gives a drug's code (:meth:`judged`); a
        procedure coded as a procedure alone ("chemotherapy"), or in words, names no
        drug: umpolicy does not read which drugs a procedure's code implies.
        Everything it used (``usedCode``) may be another drug but the drug itself;
        ``usedReference`` is read as a reference (:meth:`refers`), a Device giving none.
        """
        gives = False
        if "code" in procedure.resource:
            gives |= bool(self.judged(procedure.get("code"), at(procedure.path, "code")))
        for where, concept in items(
            self.reading, procedure.get("usedCode"), at(procedure.path, "usedCode")
        ):
            gives |= self.another(concept, where)
        for where, reference in items(
            self.reading, procedure.get("usedReference"), at(procedure.path, "usedReference")
        ):
            gives |= self.refers(reference, where)
        return gives

    def judged(self, concept: object, path: str) -> bool | None:
        """Whether what a concept says is done or ordered is another drug; ``None``: no drug.

        It names a drug when it gives a code of a drug's system (ATC, RxNorm, NDC, an
        HCPCS code of a drug: :func:`_hcpcs_drug`) or a code of none said; its text names
        what is done (an infusion), not the drug. Its shape is checked (:meth:`concept`).
        """
        codings = self.concept(concept, path)
        if any(_drug_coding(coding) for coding in codings):
            return self.another(concept, path, named=False)
        return None

    def coded(self, concept: object) -> bool:
        """Whether a concept (read by :meth:`judged`) is coded as a service alone.

        Every code of it a service's (:func:`_service_coding`): one of another system
        (SNOMED CT, whose codes name drugs' products too; an EHR's own), or a display
        alone, may be any drug's.
        """
        codings = self.read.get(id(concept), [])
        return bool(codings) and all(_service_coding(coding) for coding in codings)

    def ordered(self, concept: object, path: str) -> bool:
        """Whether a service request's code may order another drug.

        By a drug's code, as :meth:`judged` reads it; coded as a service alone, no drug;
        in words alone, or not said, any.
        """
        judged = self.judged(concept, path)
        return judged if judged is not None else not self.coded(concept)

    def concept(self, concept: object, path: str) -> list[Mapping[str, Any]]:
        """A CodeableConcept's Codings, its shape checked: an object, its codings and text text.

        Read once, however often it is asked for: a problem is said once.
        """
        known = self.read.get(id(concept))
        if known is not None:
            return known
        found = element(self.reading, concept, path, Mapping, "a CodeableConcept (a JSON object)")
        if found is None:
            self.read[id(concept)] = []
            return []
        text(self.reading, found.get("text"), at(path, "text"))
        found_codings = []
        for where, coding in items(self.reading, found.get("coding"), at(path, "coding")):
            if not isinstance(coding, Mapping):
                self.reading.fail(where, "expected a Coding (a JSON object)")
                continue
            parts = [
                text(self.reading, coding.get(name), at(where, name)) for name in _CODING_PARTS
            ]
            if all(
                part is not None or coding.get(name) is None
                for part, name in zip(parts, _CODING_PARTS, strict=True)
            ):
                found_codings.append(coding)
        self.read[id(concept)] = found_codings
        return found_codings

    def another(self, concept: object, path: str, *, named: bool = True) -> bool:
        """Whether a drug's concept (at ``path``: a product, a Medication's code) is another's.

        A therapy the history lists already adds nothing. With the policy's drug, the
        drug itself is what :meth:`Drug.mismatch` reads as it: a code the policy lists,
        or its name (``named``: a procedure's text names the procedure), and nothing that
        names another, the rule the request's own medication meets. Without it, the
        order's drug by its codes (:func:`_drug_codes`); beside an order coded by a
        catch-all code alone, every drug is another.
        """
        codings = self.concept(concept, path)
        own = _drug_codes(_names_of(self.reading, concept, None, path))
        said = concept.get("text") if isinstance(concept, Mapping) else None
        if (
            own
            and own <= self.listed
            and (not isinstance(said, str) or said.strip().casefold() in self.names)
        ):
            return False  # a therapy listed, by its codes and its name
        if self.policy is None:
            return not (self.drug - codes.CATCH_ALL and own == self.drug)
        given = [
            (path, str(c["code"]), _DRUG_SYSTEM_NAMES.get(str(c.get("system"))))
            for c in codings
            if c.get("code") is not None
            and (c.get("system") is None or c.get("system") in _NAMED_DRUG)
        ]
        name = concept.get("text") if named and isinstance(concept, Mapping) else None
        names = [(path, name)] if isinstance(name, str) and name.strip() else []
        if self.policy.mismatch(given, names) is not None:
            return True
        return not names and not any(self.policy.holds(code, system) for _, code, system in given)


def _drug_coding(coding: Mapping[str, Any]) -> bool:
    """Whether a Coding is a drug's: of ATC, RxNorm or NDC, an HCPCS drug's, or of no system."""
    system = coding.get("system")
    if system == codes.HCPCS:
        return _hcpcs_drug(coding.get("code"))
    return system in _NAMED_DRUG or (system is None and coding.get("code") is not None)


#: The first letters of the HCPCS codes of no drug: dental, medical equipment,
#: procedures and professional services, behavioural health, orthotics, pathology,
#: radiology, state Medicaid, vision and hearing services (M codes give infusions too).
_HCPCS_SERVICES = frozenset("DEGHKLPRTV")
#: The CPT codes of services that give no drug as a therapy (a contrast agent, a tracer
#: or a test's agent is none), as ranges (inclusive), each with what it is. Any other CPT
#: code may give a drug without saying which (an injection or infusion, chemotherapy, a
#: vaccine, an instillation, a radiopharmaceutical's therapy, anaesthesia, an inhaled
#: drug's test), as may a Category III code (``0519T``) and a Category II code of a
#: therapy given (4000F-4999F, ``4180F``: adjuvant chemotherapy); the other Category II
#: codes report a measure (``3074F``), and a proprietary laboratory analysis (``0001U``)
#: is a test. docs/fhir.md shows the table (:func:`service_codes`).
_CPT_SERVICES: tuple[tuple[int, int, str], ...] = (
    (36415, 36416, "venipuncture, a capillary blood draw"),
    (36591, 36592, "a blood draw from a line"),
    (70010, 77499, "imaging and its guidance, radiation planning and treatment by beam"),
    (77520, 77525, "proton beam treatment"),
    (77600, 77620, "hyperthermia"),
    (78012, 78999, "diagnostic nuclear medicine"),
    (80047, 86949, "pathology and laboratory"),
    (86951, 89398, "pathology and laboratory (not 86950, a leukocyte transfusion)"),
    (93000, 93799, "cardiovascular services"),
    (94010, 94010, "spirometry"),
    (94150, 94150, "vital capacity"),
    (94200, 94200, "maximum breathing capacity"),
    (94375, 94375, "respiratory flow volume loop"),
    (94618, 94618, "pulmonary stress testing"),
    (94726, 94729, "plethysmography, lung volumes, diffusing capacity"),
    (94760, 94762, "pulse oximetry"),
    (99202, 99499, "evaluation and management"),
)
#: The HCPCS codes of services that give no drug, as ranges (inclusive; codes of one
#: letter and four digits compare as text), each with what it is. Every other HCPCS
#: code may give a drug: a drug's own (J, Q, …), and services that give one (a vaccine's
#: administration, home infusion, an opioid treatment's dose, dental sedation, blood
#: products, an agency's medication).
_HCPCS_SERVICES_NO_DRUG: tuple[tuple[str, str, str], ...] = (
    ("E0100", "E0775", "durable medical equipment (not the infusion pumps and their poles)"),
    ("E0792", "E8002", "durable medical equipment"),
    ("G6001", "G6017", "radiation treatment"),
    ("K0001", "K0454", "temporary codes of equipment (not K0455, an infusion pump)"),
    ("K0456", "K0551", "temporary codes of equipment (not K0552, a pump's supplies)"),
    ("K0553", "K0899", "temporary codes of equipment"),
    ("L0000", "L9999", "orthotics and prosthetics"),
    ("P2028", "P7001", "laboratory tests (not P9010-P9099, blood products)"),
    ("R0000", "R9999", "radiology's transport"),
    ("V0000", "V9999", "vision and hearing"),
)


def service_codes() -> str:
    """The CPT and HCPCS codes read as services that give no drug, as a Markdown table."""
    lines = ["| System | Codes | Services |", "| --- | --- | --- |"]
    for system, ranges in (("CPT", _CPT_SERVICES), ("HCPCS", _HCPCS_SERVICES_NO_DRUG)):
        for low, high, what in ranges:
            first, last = (f"{low:05d}", f"{high:05d}") if system == "CPT" else (low, high)
            span = first if first == last else f"{first}-{last}"
            lines.append(f"| {system} | {span} | {what} |")
    return "\n".join(lines) + "\n"


#: The form of a service's code, by its system: a code of another form (a drug's HCPCS
#: code under CPT's system) is not read as the service's.
_SERVICE_FORMS = {
    codes.LOINC: re.compile(r"[0-9]{1,7}-[0-9]"),
    codes.CPT: re.compile(r"[0-9]{4}[0-9FTU]"),
    codes.HCPCS: FORMS[DrugCodeSystem.HCPCS.value],
}


def _service_coding(coding: Mapping[str, Any]) -> bool:
    """Whether a Coding is a service's that gives no drug: LOINC, CPT's or HCPCS's listed.

    Its code is of its system's form (:data:`_SERVICE_FORMS`), else it may be any drug's.
    """
    system, code = coding.get("system"), coding.get("code")
    form = _SERVICE_FORMS.get(system) if isinstance(system, str) else None
    if not isinstance(code, str) or form is None or not form.fullmatch(code):
        return False
    if system == codes.LOINC:
        return True
    if system == codes.CPT:
        if code.endswith("U"):  # a laboratory's own analysis
            return True
        if code.endswith("F"):  # a measure reported, but a therapy given (4000F-4999F)
            return not code.startswith("4")
        number = int(code) if code.isdigit() else None  # a Category III code: may be any
        return number is not None and any(low <= number <= high for low, high, _ in _CPT_SERVICES)
    return any(low <= code <= high for low, high, _ in _HCPCS_SERVICES_NO_DRUG)


def _hcpcs_drug(code: object) -> bool:
    """Whether an HCPCS code may be a drug's: any but a service's (:data:`_HCPCS_SERVICES`)."""
    return not (isinstance(code, str) and code[:1].upper() in _HCPCS_SERVICES)


#: The parts of a Coding read, each text when given.
_CODING_PARTS = ("system", "code", "display")
#: The CarePlan activity kinds that give no drug: an appointment, a communication, a
#: device, nutrition, glasses.
_NO_DRUG_KINDS = frozenset(
    ("Appointment", "CommunicationRequest", "DeviceRequest", "NutritionOrder", "VisionPrescription")
)
#: The elements of a RequestGroup action that say nothing of what it does: an action of
#: anything else (a title, a code, a type, a prefix) but a resource may order any drug.
_SAYS_NOTHING = frozenset(("id", "linkId", "extension"))
#: What :func:`_kind_of` gives for a reference given wrongly (a problem, said).
_MALFORMED = object()


def _kind_of(reading: Reading, reference: object, path: str) -> object:
    """The type of resource a Reference says it is to, or ``None`` when it says none.

    Its text's (``Medication/1``, a URL), else its ``type``. A Reference given wrongly
    (not an object; its ``reference``, ``type`` or ``display`` not text; a type FHIR R4 has not) is
    a problem at its path, and :data:`_MALFORMED`.
    """
    if not isinstance(reference, Mapping):
        reading.fail(path, "expected a Reference (a JSON object)")
        return _MALFORMED
    target = reference.get("reference")
    kind = reference.get("type")
    wrong = [
        name
        for name, value in (
            ("reference", target),
            ("type", kind),
            ("display", reference.get("display")),
        )
        if value is not None and not isinstance(value, str)
    ]
    for name in wrong:
        reading.fail(at(path, name), "expected text (a JSON string)")
    if wrong:
        return _MALFORMED
    where = "type"
    if isinstance(target, str) and not target.startswith(("#", "urn:")):
        parts = versioned(target)[0].rstrip("/").split("/")
        if len(parts) > 1:
            kind, where = parts[-2], "reference"
    if kind is not None and kind not in codes.R4_RESOURCE_TYPES:
        reading.fail(at(path, where), f"{shown(kind)} is no FHIR R4 resource type")
        return _MALFORMED
    return kind


#: How a record's element that leaves a history unknown is named after its value.
_WHY = {"status": "", "intent": " (its intent)", "effectivePeriod": " (its period, ended)"}


def _dates_agree(reading: Reading, found: Located, which: str, date: str | None) -> bool | None:
    """Whether a MedicationStatement's dates agree with its status, as of the request's date.

    A therapy tried (completed, stopped) was given by the request's date: one begun
    after it is a problem (``None``), never a therapy tried. One whose period ends after
    the request (a planned end) is tried, counted to the request's date, but may be
    given still: ``False``, as is one said given now (active, intended) whose period
    ended before the request, which may no longer be. Either leaves the concomitant
    therapies unknown, never passed over as none, nor read as one given. Else ``True``;
    a date given wrongly is a problem where it is (:func:`date_of`), said once however
    often it is read.
    """
    period = found.get("effectivePeriod")
    if isinstance(period, Mapping):
        where = at(found.path, "effectivePeriod")
        begun = date_of(reading, period.get("start"), at(where, "start"))
        ended = date_of(reading, period.get("end"), at(where, "end"))
    else:
        where = at(found.path, "effectiveDateTime")
        begun = ended = date_of(reading, found.get("effectiveDateTime"), where)
    if which == "prior":
        if _measured_after(begun, date):
            reading.fail(
                where,
                f"given from {begun}, after the request's date ({date}): a therapy tried "
                f"({shown(found.get('status'))}) is one given by then",
            )
            return None
        return not (isinstance(period, Mapping) and _measured_after(ended, date))
    return not (isinstance(period, Mapping) and _before(ended, date))


def _other_drugs(reading: Reading, order: Located | None, kind: str) -> list[Located]:
    """The records of ``kind`` but those of the drug itself (:func:`_identity`'s equal).

    Without an order (a problem already: none, or several asked for) none is read, as no
    drug is known to be itself. The order is of its own drug, so never among them. An
    order that names no drug, or only by a catch-all code (:data:`codes.CATCH_ALL`)
    without its text, is no drug another record could be: every record is another's.
    """
    if order is None:
        return []
    drug = _identity(reading, order)
    if not drug - codes.CATCH_ALL:  # no drug, or a catch-all code alone: none is itself
        return [found for found in reading.of_type(kind) if found is not order]
    return [found for found in reading.of_type(kind) if _identity(reading, found) != drug]


def _dispensed_on(reading: Reading, dispense: Located, order: Located) -> bool:
    """Whether a dispense is of the drug itself, by the prescriptions of it that it was on.

    A pharmacy codes what it hands over by NDC where the order is coded by RxNorm: the
    codes cannot be compared, but a dispense only on the order, or on orders of the drug
    itself (an earlier course's, :func:`_identity`'s equal), is of its drug. Each of
    its prescriptions must be here and be such an order. And both must name a drug by a
    drug's code (RxNorm, NDC, HCPCS), never by a catch-all one (J9999) or text alone;
    codes of one system both give must have one in common; and the dispense may give no
    code of another system (an ATC class) the order does not. Else it may be another
    drug, whatever the prescription says.
    """
    drug = _identity(reading, order)
    ours, theirs = drug - codes.CATCH_ALL, _identity(reading, dispense) - codes.CATCH_ALL
    if not _drug_coded(ours) or not _drug_coded(theirs):
        return False
    systems = {system for system, _ in ours}
    for system in {each for each, _ in theirs} - {"Medication", "text"}:
        if system not in systems and system not in codes.DRUG_SYSTEMS:
            return False  # a class (ATC) the order does not give: which drug is not said
        if system in systems and not {c for s, c in ours if s == system} & {
            c for s, c in theirs if s == system
        }:
            return False  # one system, no code in common: two drugs
    where = at(dispense.path, "authorizingPrescription")
    prescriptions = [
        reading.referred(reference, at(where, index))
        for index, reference in enumerate(listed(dispense.get("authorizingPrescription")))
    ]
    return bool(prescriptions) and all(
        prescription is order
        or (
            prescription is not None
            and prescription.type == "MedicationRequest"
            and _identity(reading, prescription) == drug
        )
        for prescription in prescriptions
    )


def _drug_coded(names: set[tuple[object, object]]) -> bool:
    """Whether a drug's names (catch-all codes left out) give an RxNorm, NDC or HCPCS code."""
    return any(system in codes.DRUG_SYSTEMS for system, _ in names)


def _others(reading: Reading, order: Located | None) -> list[Located]:
    """The MedicationRequests but the order to decide, each an order to give its drug.

    One with ``doNotPerform`` true orders its drug not to be given: no therapy given.
    An order of the same drug (the same Medication and codings, or, uncoded, the same
    text) is the drug itself, ordered before (a continuation's) or fetched again, not a
    therapy given with it. One coding in common is not enough: a catch-all code (HCPCS
    J9999, "not otherwise classified") is shared by many drugs, and ipilimumab coded J9999
    and by its ATC code is another drug than an order coded J9999 alone.
    """
    return [
        found
        for found in _other_drugs(reading, order, "MedicationRequest")
        if not _not_to_give(reading, found)
    ]


def _identity(reading: Reading, order: Located) -> set[tuple[object, object]]:
    """What names an order's drug: its Medication and codings' (system, code), else its text.

    A catch-all code (J9999, "not otherwise classified") names no drug: beside one
    alone, the text names it too.

    The Medication is the record the reference resolves to, never the reference's text:
    ``#med1`` in two orders is two resources, each its order's own (a contained one is
    part of its order, named by its code as an inline concept is), and ``Medication/m``
    from entries of two servers is two records. Read without a word of fault: the
    order's own reading reports what is wrong in it.
    """
    return _names_of(
        reading,
        order.get("medicationCodeableConcept"),
        order.get("medicationReference"),
        at(order.path, "medicationReference"),
    )


def _names_of(
    reading: Reading, concept: object, reference: object, path: str
) -> set[tuple[object, object]]:
    """What names a drug given as a concept, or a reference (at ``path``) to its Medication.

    As :func:`_identity` says of an order's; the drug of a plan's activity too.
    """
    names: set[tuple[object, object]] = set()
    if isinstance(reference, Mapping) and isinstance(reference.get("reference"), str):
        drug = reading.referred(reference, path)
        if drug is None:
            names.add(("Medication", reference["reference"]))  # a problem, if it is the order
        elif drug.path not in reading.within:
            names.add(("Medication", drug.path))
        concept = None if drug is None else drug.get("code")
    for coding in codings(concept):
        system, code = coding.get("system"), coding.get("code")
        if isinstance(system, str | None) and isinstance(code, str):
            names.add((system, code))  # of no system (None): never equal to a system's code
    text = concept.get("text") if isinstance(concept, Mapping) else None
    if not names - codes.CATCH_ALL and isinstance(text, str):  # its text (beside J9999)
        names.add(("text", text.strip().casefold()))
    return names


def _order_name(found: Located, concept: object) -> str:
    """An other order's drug by name, else ``a medication``.

    Its text, a drug code's display or code, a coding's display, or the reference's.
    """
    drug = [c for c in codings(concept) if c.get("system") in codes.DRUG_SYSTEMS]
    named = [concept.get("text") if isinstance(concept, Mapping) else None]
    named += [value for c in drug for value in (c.get("display"), c.get("code"))]
    named += [c.get("display") for c in codings(concept)]
    reference = found.get("medicationReference")
    named.append(reference.get("display") if isinstance(reference, Mapping) else None)
    return next((v for v in named if isinstance(v, str) and v.strip()), "a medication")


def _has_atc(concept: object) -> bool:
    return any(coding.get("system") == codes.ATC for coding in codings(concept))


def _history_list(
    reading: Reading, found: Located, patient: Located
) -> tuple[str, list[tuple[str, Located]]] | None:
    """The history a List gives whole, and the records it lists (each with its ``item``'s path).

    A current List (:data:`_LIST`) of the patient, coded with the fact's name
    (``therapies.prior`` in umpolicy's fact system), of mode working or snapshot, is the
    whole history: the records its entries refer to (MedicationStatements,
    MedicationRequests, MedicationAdministrations, MedicationDispenses), or, empty,
    none, which it says by its ``emptyReason`` nilknown ("none known"). One retired or
    entered in error no longer says so, nor does one of ``mode`` changes (what changed
    since an earlier list, not the list), and any other List is not umpolicy's to read.
    """
    concept = found.get("code")
    names = [c.get("code") for c in codings(concept) if c.get("system") == codes.FACT]
    which = next((_HISTORY_OF[n] for n in names if isinstance(n, str) and n in _HISTORY_OF), None)
    if which is None:
        return None
    if status_of(reading, found, _LIST) != "current" or not _subject(reading, found, patient):
        return None
    mode = found.get("mode")
    if mode is not None and mode not in _LIST_MODE:
        reading.fail(
            at(found.path, "mode"),
            f"{shown(mode)} is not a List mode; expected one of {', '.join(_LIST_MODE)}",
        )
        return None
    if mode == "changes":
        return None  # what changed since an earlier list: not the history
    reason = found.get("emptyReason")
    entries = (
        items(reading, found.get("entry"), at(found.path, "entry"))
        if "entry" in found.resource
        else []
    )
    if mode is None:  # FHIR requires it: a List of what there is, or of changes?
        reading.fail(
            at(found.path, "mode"),
            "required field missing: a List of a history's records says it is of what "
            "there is (snapshot, working)",
        )
        return None
    if entries:
        if reason is not None:
            reading.fail(at(found.path, "emptyReason"), "a List with entries is not empty")
            return None
        records = _entries_listed(reading, entries)
        return None if records is None else (which, records)
    # Empty, it says there are none only by nilknown, in its own code system, alone: beside
    # notasked (or withheld) it also says no one asked.
    reasons = [(c.get("system"), c.get("code")) for c in codings(reason)]
    if reasons != [(codes.LIST_EMPTY_REASON, "nilknown")]:
        reading.fail(
            at(found.path, "emptyReason"),
            f"an empty history says why: nilknown ({codes.LIST_EMPTY_REASON}), none known, "
            "and no other reason",
        )
        return None
    return which, []


def _entries_listed(
    reading: Reading, entries: list[tuple[str, Any]]
) -> list[tuple[str, Located]] | None:
    """The records a List's entries refer to, each with its ``item``'s path; ``None``: a problem."""
    records = []
    for where, entry in entries:
        if not isinstance(entry, Mapping):
            reading.fail(where, "expected a List entry (a JSON object)")
            return None
        deleted = entry.get("deleted")
        if deleted is not None and not isinstance(deleted, bool):  # a modifier, read strictly
            reading.fail(at(where, "deleted"), f"expected a boolean, got {shown(deleted)}")
            return None
        if deleted:  # the item is no longer in the list
            reading.fail(at(where, "deleted"), "a List of the whole history lists no deletions")
            return None
        record = reading.resolve(entry.get("item"), at(where, "item"), *_LISTED)
        if record is None:
            return None
        records.append((at(where, "item"), record))
    return records


#: The records a List of a therapy history may list.
_LISTED = (
    "MedicationStatement",
    "MedicationRequest",
    "MedicationAdministration",
    "MedicationDispense",
)


def _finish(data: Data, reading: Reading) -> Request:
    """The request from its JSON form, every problem at its FHIR path."""
    reading.raise_errors()
    try:
        return parse_request(data)
    except InputError as error:
        raise reading.translate(error) from None


def request_from_bundle(bundle: Mapping[str, Any], policy: Policy | str | None = None) -> Request:
    """The request a PAS request bundle makes, under ``policy`` (or the one its answers name).

    Raises :class:`~umpolicy.InputError` naming each fault by its FHIR path. The bundle
    is JSON parsed with exact numbers (:func:`umpolicy.loads`).
    """
    return _finish(*read_bundle(bundle, policy))


def evaluate_bundle(
    bundle: Mapping[str, Any],
    policy: Policy | str | None = None,
    *,
    trail: bool = True,
    today: dt.date | None = None,
    as_of: dt.date | None = None,
) -> Decision:
    """Decide a PAS request bundle: :func:`umpolicy.api.evaluate`, faults at FHIR paths.

    A policy named (or the one the bundle's answers name) decides in the version in
    force on the request's date, or on ``as_of``; a :class:`~umpolicy.Policy` as it is.
    """
    data, reading = read_bundle(bundle, policy)
    request = _finish(data, reading)
    return decide(request, reading, policy, trail=trail, today=today, as_of=as_of)


def decide(
    request: Request,
    reading: Reading,
    policy: Policy | str | None,
    *,
    trail: bool = True,
    today: dt.date | None = None,
    as_of: dt.date | None = None,
) -> Decision:
    """Decide a request read from FHIR; the policy's own checks report at FHIR paths too."""
    try:
        return evaluate(request, policy, trail=trail, today=today, as_of=as_of)
    except InputError as error:
        raise reading.translate(error) from None
