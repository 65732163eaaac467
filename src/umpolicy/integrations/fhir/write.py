"""A request as the FHIR a provider's system would send: a PAS bundle, or a CRD hook call.

The inverse of :mod:`~umpolicy.integrations.fhir.bundle`, for examples, tests and
clients: every field goes where that module reads it (a weight to an Observation
of LOINC 29463-7 in UCUM, diagnoses to Conditions, the dose and timing to the
MedicationRequest's dosage), and what core FHIR has no element for (the cycles of a
course, the answers to the policy's questions, a therapy's outcome) to a DTR
QuestionnaireResponse, as a provider would answer umpolicy's questionnaire. Reading
the bundle back gives the same request (a test holds it over generated requests).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from umpolicy.dsl.drug import DrugCodeSystem, system_of_form
from umpolicy.dsl.quantity import Quantity
from umpolicy.dsl.questions import AnswerType, Question
from umpolicy.errors import FieldError, InputError
from umpolicy.integrations.fhir import codes
from umpolicy.io.converter import CONVERTER
from umpolicy.policy import Policy
from umpolicy.registry import history_of, load_policy
from umpolicy.vocabulary.facts import HISTORIES
from umpolicy.vocabulary.request import History, Medication, Practitioner, Request, Therapy

Data = dict[str, Any]

#: Where the examples' resources live (a domain reserved for examples, RFC 2606).
BASE = "https://example.org/fhir"


def _quantity(value: Quantity) -> Data:
    return {
        "value": value.value,
        "unit": value.unit.code,
        "system": codes.UCUM,
        "code": value.unit.code,
    }


class _Bundle:
    """The resources being written, each with its id and full URL."""

    def __init__(self) -> None:
        self.entries: list[Data] = []
        self.answers: list[Data] = []

    def add(self, resource: Data) -> Data:
        """Add a resource (numbered by type); its reference."""
        kind = resource["resourceType"]
        count = sum(1 for e in self.entries if e["resource"]["resourceType"] == kind)
        resource["id"] = resource.get("id") or f"{kind.lower()}-{count + 1}"
        self.entries.append({"fullUrl": f"{BASE}/{kind}/{resource['id']}", "resource": resource})
        return {"reference": f"{kind}/{resource['id']}"}

    def answer(
        self, link: str, answers: list[Data] | None = None, parts: list[Data] | None = None
    ) -> None:
        """A DTR answer to the item ``link``."""
        item: Data = {"linkId": link}
        if answers:
            item["answer"] = answers
        if parts is not None:
            item["item"] = parts
        self.answers.append(item)


def _coding(system: str, code: str, display: str | None = None) -> Data:
    found = {"system": system, "code": code}
    if display is not None:
        found["display"] = display
    return found


def _role(out: _Bundle, who: Practitioner) -> Data:
    role: Data = {"resourceType": "PractitionerRole", "active": True}
    if who.specialties:
        role["specialty"] = [{"coding": [_coding(codes.NUCC, code)]} for code in who.specialties]
    if who.affiliations:
        role["organization"] = out.add(
            {
                "resourceType": "Organization",
                "type": [{"coding": [_coding(codes.AFFILIATION, c) for c in who.affiliations]}],
            }
        )
    return out.add(role)


def _fits_statement(therapy: Therapy) -> bool:
    """Whether a MedicationStatement says all of a therapy (else DTR answers it)."""
    duration = therapy.duration
    exact = duration is None or (  # whole days, at least one: a Period holds its end's day
        duration.unit.code == "d" and duration.value == int(duration.value) and duration.value >= 1
    )
    return therapy.outcome is None and exact and bool(therapy.name)


def _history(out: _Bundle, request: Request, patient: Data, which: str) -> None:
    """A therapy history: its records, and a List saying they are all, unless given in part.

    A history given whole is its MedicationStatements and a List of them, or (none) an
    empty List; one given in part, its MedicationStatements alone. A therapy a statement
    cannot say all of (an outcome, a duration not in days) is a DTR answer, which gives
    the history whole: a history given in part cannot be written so, an input error.
    """
    therapies = getattr(request.therapies, which)
    if therapies is None:
        return
    history: Data = {
        "resourceType": "List",
        "status": "current",
        "mode": "snapshot",
        "code": {"coding": [_coding(codes.FACT, HISTORIES[which])]},
        "subject": patient,
    }
    if not therapies:
        nilknown = {"coding": [_coding(codes.LIST_EMPTY_REASON, "nilknown")]}
        out.add({**history, "emptyReason": nilknown})
        return
    partial = History(which) in request.therapies.partial
    if not all(map(_fits_statement, therapies)):
        if partial:
            index = request.therapies.partial.index(History(which))
            reason = (
                f"{which} is given in part, which FHIR says by its MedicationStatements alone, "
                "but one cannot say all of a therapy (an outcome, or a duration not in whole "
                "days): give the history whole, or its therapies as statements say them"
            )
            raise InputError([FieldError(f"$.therapies.partial[{index}]", reason)])
        for therapy in therapies:
            parts = [
                {"linkId": f"therapies.{which}.name", "answer": [{"valueString": therapy.name}]}
            ]
            parts.append(
                {
                    "linkId": f"therapies.{which}.codes",
                    "answer": [{"valueString": code} for code in therapy.codes],
                }
            )
            if therapy.outcome is not None:
                parts.append(
                    {
                        "linkId": f"therapies.{which}.outcome",
                        "answer": [{"valueCoding": {"code": therapy.outcome.value}}],
                    }
                )
            if therapy.duration is not None:
                parts.append(
                    {
                        "linkId": f"therapies.{which}.duration",
                        "answer": [{"valueQuantity": _quantity(therapy.duration)}],
                    }
                )
            out.answer(f"therapies.{which}", parts=parts)
        return
    entries: list[Data] = []
    for therapy in therapies:
        statement: Data = {
            "resourceType": "MedicationStatement",
            "status": "active" if which == "concomitant" else "completed",
            "medicationCodeableConcept": {
                "coding": [_coding(codes.ATC, code) for code in therapy.codes],
                "text": therapy.name,
            },
            "subject": patient,
        }
        days = None if therapy.duration is None else int(therapy.duration.value)
        if days is not None:  # a Period holds its end's day: n days end n - 1 after they start
            end = request.date
            start = end - dt.timedelta(days=days - 1)
            statement["effectivePeriod"] = {"start": start.isoformat(), "end": end.isoformat()}
        entries.append({"item": out.add(statement)})
    if not partial:
        out.add({**history, "entry": entries})


def _frequency(value: Quantity) -> Data | None:
    """``timing.repeat`` for a rate such as 3 /d or 1 /(4.wk); ``None`` if it has no such form."""
    if value.value != int(value.value):
        return None
    code = value.unit.code
    if code.startswith("/(") and code.endswith(")"):
        every, _, per = code[2:-1].partition(".")
        return {"frequency": int(value.value), "period": int(every), "periodUnit": per}
    return {"frequency": int(value.value), "period": 1, "periodUnit": code[1:]}


def drug_concept(medication: Medication, drug: str) -> Data:
    """The CodeableConcept of the requested drug: every code and name the request gives.

    A code given without its system is written in the system its form is of (RxNorm
    when digits could be RxNorm's or NDC's, as before). The other names are the codings'
    displays, one each: more names than codes cannot be written, and are refused. A
    request that names nothing is written as ``drug`` (FHIR requires the drug).
    """
    coded = [(medication.system, medication.code)] if medication.code is not None else []
    coded += [(each.system, each.code) for each in medication.other_codes]
    if len(medication.other_names) > len(coded):
        where = f"$.medication.other_names[{len(coded)}]"
        reason = "more names than codes: FHIR writes a drug's other names as its codings' displays"
        raise InputError([FieldError(where, reason)])
    displays = iter(medication.other_names)
    codings = [_coding(_uri(system, code), code, next(displays, None)) for system, code in coded]
    concept: Data = {"coding": codings} if codings else {}
    if medication.name is not None:
        concept["text"] = medication.name
    return concept or {"text": drug}


def _uri(system: DrugCodeSystem | None, code: str) -> str:
    """The URI of a drug code's system: its own, else the one its form is of (else RxNorm's)."""
    name = system.value if system is not None else system_of_form(code)
    return codes.RXNORM if name is None else codes.SYSTEM_URIS[name]


def _order(
    out: _Bundle, request: Request, patient: Data, prescriber: Data | None, drug: str
) -> Data:
    """The MedicationRequest; FHIR requires its drug, named ``drug`` if the request does not."""
    medication = request.medication
    order: Data = {
        "resourceType": "MedicationRequest",
        "status": "active",  # PAS fixes it; a CRD call's draft order is draft
        "intent": "order",
        "subject": patient,
        "authoredOn": request.date.isoformat(),
    }
    order["medicationCodeableConcept"] = drug_concept(medication, drug)
    if prescriber is not None:
        order["requester"] = prescriber
    dosage: Data = {}
    if medication.route is not None:
        route = medication.route
        dosage["route"] = {"coding": [_coding(codes.SNOMED, route.code, route.display)]}
    if medication.dose is not None:
        dosage["doseAndRate"] = [{"doseQuantity": _quantity(medication.dose)}]
    repeat: Data = {}
    if medication.frequency is not None:
        found = _frequency(medication.frequency)
        if found is None:
            out.answer("medication.frequency", [{"valueQuantity": _quantity(medication.frequency)}])
        else:
            repeat.update(found)
    schedule = medication.schedule
    if schedule.doses_per_cycle is not None:
        repeat["count"] = schedule.doses_per_cycle
    if repeat:
        dosage["timing"] = {"repeat": repeat}
    if dosage:
        order["dosageInstruction"] = [dosage]
    for name in ("cycles_per_course", "course_number"):
        value = getattr(schedule, name)
        if value is not None:
            out.answer(f"medication.schedule.{name}", [{"valueInteger": value}])
    for name in ("rest_between_cycles", "rest_before_course"):
        value = getattr(schedule, name)
        if value is not None:
            out.answer(f"medication.schedule.{name}", [{"valueQuantity": _quantity(value)}])
    return out.add(order)


def _resources(
    out: _Bundle, request: Request, drug: str
) -> tuple[Data, Data, Data | None, Data, Data]:
    """Patient, coverage, prescriber and order (of ``drug``, unless the request names its own)."""
    person = request.patient
    patient: Data = {"resourceType": "Patient"}
    if person.birth_date is not None:
        patient["birthDate"] = person.birth_date.isoformat()
    if person.sex is not None:
        patient["gender"] = person.sex.value
    subject = out.add(patient)
    insurer = out.add({"resourceType": "Organization", "name": "The health plan"})
    coverage = out.add(
        {
            "resourceType": "Coverage",
            "status": "active",
            "beneficiary": subject,
            "payor": [insurer],
        }
    )
    for field, loinc in (("weight", "29463-7"), ("height", "8302-2"), ("bsa", "8277-6")):
        value = getattr(person, field)
        if value is not None:
            out.add(
                {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"coding": [_coding(codes.LOINC, loinc)]},
                    "subject": subject,
                    "effectiveDateTime": request.date.isoformat(),
                    "valueQuantity": _quantity(value),
                }
            )
    for coding in request.diagnoses or ():
        out.add(
            {
                "resourceType": "Condition",
                "clinicalStatus": {"coding": [_coding(codes.CONDITION_CLINICAL, "active")]},
                "code": {"coding": [_coding(codes.ICD10CM, coding.code, coding.display)]},
                "subject": subject,
            }
        )
    prescriber = None
    if request.prescriber != Practitioner():
        prescriber = _role(out, request.prescriber)
    order = _order(out, request, subject, prescriber, drug)
    for which in HISTORIES:
        _history(out, request, subject, which)
    if request.therapies.time_on_drug is not None:
        out.answer(
            "therapies.time_on_drug", [{"valueQuantity": _quantity(request.therapies.time_on_drug)}]
        )
    return subject, coverage, prescriber, order, insurer


def _answered(question: Question, value: Any) -> Data:
    """One answer to ``question`` (a list's field too) as a QuestionnaireResponse holds it."""
    if question.type is AnswerType.BOOLEAN:
        return {"valueBoolean": value}
    if question.type is AnswerType.QUANTITY:
        return {"valueQuantity": _quantity(Quantity(value["value"], value["unit"]))}
    if question.type is AnswerType.DATE:
        return {"valueDate": value}
    return {"valueCoding": {"code": value}}


def _response(out: _Bundle, request: Request, policy: Policy, subject: Data) -> None:
    """The DTR QuestionnaireResponse: the policy's answers and what core FHIR cannot say.

    An answer to a question only another version asks is written too, as the reader
    takes it (decided under this version it is unread; as of another date it decides):
    the bundle reads back as the same request. An answer to no version's question is
    an input error, as :func:`umpolicy.io.validation.admit` says it.
    """
    raw = CONVERTER.unstructure(request.answers).get(policy.name, {})
    asked = {
        **{q.id: q for q in history_of(policy).asked_elsewhere(policy)},
        **policy.questions_by_id,
    }
    for key, value in raw.items():
        question = asked.get(key)
        if question is None:
            where = f"$.answers.{policy.name}.{key}"
            raise InputError([FieldError(where, "not a question of this policy")])
        link = question.fact
        if question.type is AnswerType.LIST:
            fields = {field.id: field for field in question.fields}
            for each in value:
                parts = [
                    {"linkId": f"{link}.{part}", "answer": [_answered(fields[part], given)]}
                    for part, given in each.items()
                ]
                out.answer(link, parts=parts)
        else:
            out.answer(link, [_answered(question, value)])
    if out.answers:
        out.add(
            {
                "resourceType": "QuestionnaireResponse",
                "questionnaire": f"{codes.QUESTIONNAIRE_PREFIX}{policy.name}|{policy.version}",
                "status": "completed",
                "subject": subject,
                "authored": request.date.isoformat(),
                "item": out.answers,
            }
        )


def bundle_from_request(request: Request, policy: Policy | str | None = None) -> dict[str, Any]:
    """The PAS request bundle that makes ``request`` (under ``policy``, else its own)."""
    if isinstance(policy, Policy):
        chosen = policy
    else:  # the version in force on the request's date answers its questions
        name = policy or request.policy or ""
        try:
            chosen = load_policy(name, on=request.date)
        except LookupError:
            chosen = load_policy(name)
    out = _Bundle()
    claim: Data = {
        "resourceType": "Claim",
        "id": "claim-1",
        "status": "active",
        "use": "preauthorization",
    }
    out.entries.append({"fullUrl": f"{BASE}/Claim/claim-1", "resource": claim})
    drug = chosen.requested.names[0]
    subject, coverage, prescriber, order, insurer = _resources(out, request, drug)
    item: Data = {
        "sequence": 1,
        "extension": [{"url": codes.PAS_REQUESTED_SERVICE, "valueReference": order}],
        "category": {
            "coding": [_coding("https://codesystem.x12.org/005010/1365", "1", "Medical Care")]
        },
        "productOrService": drug_concept(request.medication, drug),
    }
    if request.kind is not None:
        code = {kind: c for c, kind in codes.CERTIFICATION_KINDS.items()}[request.kind.value]
        item["extension"].append(
            {
                "url": codes.PAS_CERTIFICATION_TYPE,
                "valueCodeableConcept": {"coding": [_coding(codes.X12_CERTIFICATION, code)]},
            }
        )
    claim.update(
        {
            "type": {"coding": [_coding(codes.CLAIM_TYPE, "professional")]},
            "patient": subject,
            "created": request.date.isoformat(),
            "insurer": insurer,
            "priority": {
                "coding": [
                    _coding("http://terminology.hl7.org/CodeSystem/processpriority", "normal")
                ]
            },
            "insurance": [{"sequence": 1, "focal": True, "coverage": coverage}],
            "item": [item],
        }
    )
    if request.id is not None:
        claim["identifier"] = [{"system": f"{BASE}/claims", "value": request.id}]
    if prescriber is not None:
        claim["provider"] = prescriber
    if request.consultants is not None:
        team = [{"sequence": 1, "provider": prescriber}] if prescriber is not None else []
        for who in request.consultants:
            team.append({"sequence": len(team) + 1, "provider": _role(out, who)})
        claim["careTeam"] = team
    _response(out, request, chosen, subject)
    return {
        "resourceType": "Bundle",
        "identifier": {"system": f"{BASE}/bundles", "value": request.id or "request"},
        "type": "collection",
        "timestamp": f"{request.date.isoformat()}T09:00:00Z",
        "entry": out.entries,
    }


def hook_from_request(
    request: Request, policy: Policy | str | None = None, *, hook: str = "order-sign"
) -> dict[str, Any]:
    """The CRD ``order-sign`` (or ``order-select``) call that makes ``request``.

    The draft MedicationRequest goes in ``context.draftOrders``; the Patient, Coverage,
    PractitionerRoles, Conditions, Observations and the DTR answers in ``prefetch``.
    A CRD call has no Claim: its care team (the consultants) is not part of it.
    """
    bundle = bundle_from_request(request, policy)
    resources = [entry["resource"] for entry in bundle["entry"][1:]]
    order = next(r for r in resources if r["resourceType"] == "MedicationRequest")
    order["status"] = "draft"  # an order being signed (or selected) is not yet active
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    rest = [
        r for r in resources if r is not order and r["resourceType"] not in ("Patient", "Coverage")
    ]
    coverage = next(r for r in resources if r["resourceType"] == "Coverage")
    context: Data = {
        "userId": order.get("requester", {}).get("reference", "Practitioner/unknown"),
        "patientId": patient["id"],
        "draftOrders": {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": order}],
        },
    }
    if hook == "order-select":
        context["selections"] = [f"MedicationRequest/{order['id']}"]
    return {
        "hook": hook,
        "hookInstance": f"umpolicy-example-{request.id or 'request'}",
        "context": context,
        "prefetch": {
            "patient": patient,
            "coverage": {
                "resourceType": "Bundle",
                "type": "searchset",
                "entry": [{"resource": coverage}],
            },
            "records": {
                "resourceType": "Bundle",
                "type": "searchset",
                "entry": [{"resource": r} for r in rest],
            },
        },
    }


__all__ = ["BASE", "bundle_from_request", "hook_from_request"]
