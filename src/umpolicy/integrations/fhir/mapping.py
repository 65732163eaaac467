"""Where each field of the request comes from in FHIR: the table the integrator guide shows.

One row per field of :class:`~umpolicy.Request`: the element of a PAS request bundle
and of a CRD hook call it is read from, and the DTR item (the Questionnaire's
``linkId``) that asks for it. A test holds the rows to the request's fields, and to
what the readers record they read from (the resource each field came from, over
every example); the DTR column is :data:`~umpolicy.integrations.fhir.dtr.ASKED`'s own.
``python -m umpolicy.integrations.fhir.mapping`` prints the table as Markdown.
"""

from __future__ import annotations

from attrs import frozen

from umpolicy.integrations.fhir import codes
from umpolicy.integrations.fhir.bundle import MEASURE_AGE
from umpolicy.integrations.fhir.dtr import ASKED


@frozen
class Source:
    """Where one request field is read from: in a PAS bundle, in a CRD call, by DTR.

    ``resources`` are the resource types the readers take it from (a DTR answer, a
    QuestionnaireResponse, aside).
    """

    field: str
    pas: str
    crd: str
    resources: tuple[str, ...] = ()


_KINDS = ", ".join(f"{code} {kind}" for code, kind in codes.CERTIFICATION_KINDS.items())
_SAME = "as in PAS"
_DTR = "not in core FHIR: answered by DTR"

#: Every field of the request, and its FHIR sources.
MAPPING: tuple[Source, ...] = (
    Source(
        "date",
        "`Claim.created` (its date)",
        "the draft order's `authoredOn`, else the day of the call",
        ("Claim", "MedicationRequest"),
    ),
    Source(
        "policy",
        "the caller's, else the one the QuestionnaireResponse answers (`questionnaire` = "
        "`urn:umpolicy:questionnaire:<policy>`)",
        "the CDS service's policy",
        ("QuestionnaireResponse",),
    ),
    Source("id", "`Claim.identifier[0].value`", "none", ("Claim",)),
    Source(
        "kind",
        f"the drug item's `extension[certificationType]`, X12 1322 ({_KINDS})",
        "none (DTR)",
        ("Claim",),
    ),
    Source(
        "patient.birth_date",
        "`Patient.birthDate` (a partial date stays unknown)",
        _SAME,
        ("Patient",),
    ),
    Source("patient.sex", "`Patient.gender`", _SAME, ("Patient",)),
    Source(
        "patient.weight",
        "`Observation.valueQuantity`, LOINC 29463-7, in UCUM, of a final result "
        "(the latest by `effectiveDateTime`, `effectiveInstant` or `effectivePeriod`, none "
        "more than a day after the request's date), measured on a day it says (not a year or "
        f"month alone) within the {MEASURE_AGE.days} days before the request (a weight of last "
        "year is no measure for a dose per kg), of the patient (none whose `focus` is "
        "another: a donor, a fetus)",
        _SAME,
        ("Observation",),
    ),
    Source(
        "patient.height",
        "`Observation.valueQuantity`, LOINC 8302-2, in UCUM, as the weight, but of any day "
        "before the request (a grown patient keeps a height)",
        _SAME,
        ("Observation",),
    ),
    Source(
        "patient.bsa",
        "`Observation.valueQuantity`, LOINC 8277-6, in UCUM, as the weight",
        _SAME,
        ("Observation",),
    ),
    Source(
        "diagnoses",
        "`Condition.code` (ICD-10-CM; current `clinicalStatus`), and "
        "`Claim.diagnosis.diagnosisCodeableConcept` (one a Condition of the bundle says is "
        "not current, refuted or resolved, is an input error)",
        _SAME,
        ("Condition", "Claim"),
    ),
    Source(
        "medication.code",
        "`MedicationRequest.medicationCodeableConcept` (RxNorm, NDC, HCPCS or ATC; "
        "the first), or the `Medication.code` it refers to (one of the two: both is refused)",
        _SAME,
        ("MedicationRequest", "Medication"),
    ),
    Source(
        "medication.name",
        "`medicationCodeableConcept.text`, else its coding's `display`",
        _SAME,
        ("MedicationRequest", "Medication"),
    ),
    Source(
        "medication.route",
        "`MedicationRequest.dosageInstruction[0].route` (SNOMED CT, one code)",
        _SAME,
        ("MedicationRequest",),
    ),
    Source(
        "medication.dose",
        "`dosageInstruction[0].doseAndRate[0].doseQuantity` (UCUM)",
        _SAME,
        ("MedicationRequest",),
    ),
    Source(
        "medication.frequency",
        "`dosageInstruction[0].timing.repeat`: `frequency` per `period` `periodUnit` (3 per 1 d "
        "is 3 /d; 1 per 4 wk is 1 /(4.wk)); `timeOfDay`, `when`, `dayOfWeek`, `Timing.code` or "
        "`Timing.event` without a frequency, or saying other than it, is refused",
        _SAME,
        ("MedicationRequest",),
    ),
    Source(
        "medication.schedule.doses_per_cycle",
        "`dosageInstruction[0].timing.repeat.count`",
        _SAME,
        ("MedicationRequest",),
    ),
    Source("medication.schedule.cycles_per_course", _DTR, _DTR),
    Source("medication.schedule.rest_between_cycles", _DTR, _DTR),
    Source("medication.schedule.course_number", _DTR, _DTR),
    Source("medication.schedule.rest_before_course", _DTR, _DTR),
    Source(
        "medication.system",
        "the `system` of the coding `medication.code` is read from (RxNorm, NDC, HCPCS or ATC)",
        _SAME,
        ("MedicationRequest", "Medication"),
    ),
    Source(
        "medication.other_codes",
        "every other RxNorm, NDC, HCPCS or ATC coding of the drug, and of the PAS Claim "
        "item's `productOrService`",
        _SAME,
        ("MedicationRequest", "Medication", "Claim"),
    ),
    Source(
        "medication.other_names",
        "every other coding's `display`, and the Claim item's `productOrService` text",
        _SAME,
        ("MedicationRequest", "Medication", "Claim"),
    ),
    Source(
        "therapies.prior",
        "`MedicationStatement` of status completed or stopped (ATC codes; `effectivePeriod` its "
        "duration in days, both ends' days counted, to the request's date at the latest; one of "
        "status unknown leaves it unknown; one begun after the request is an input error, and "
        "one planned past it leaves the concomitant therapies unknown: it may be given still), "
        "and `MedicationAdministration` of status completed or stopped (a dose given, of a drug "
        "other than the order's: it leaves the concomitant therapies unknown too, as its regimen "
        "may go on); a `MedicationDispense` of another drug handed over (completed, stopped) "
        "or of unknown status leaves both histories unknown (taken or not, before or now, it "
        "does not say), one not yet handed over the concomitant therapies; "
        "all of them: a `List` of status current coded `therapies.prior` (`urn:umpolicy:fact`) "
        "whose entries are those records (else they give it in part: `therapies.partial`); "
        "none: such a `List`, empty, `emptyReason` nilknown",
        _SAME,
        (
            "MedicationStatement",
            "MedicationAdministration",
            "MedicationDispense",
            "Medication",
            "List",
        ),
    ),
    Source(
        "therapies.concomitant",
        "`MedicationStatement` of status active or intended, `MedicationAdministration` in "
        "progress, and every `MedicationRequest` but the order decided of status active or "
        "draft (one on-hold or unknown, or of an intent not an order, leaves it unknown, as "
        "does a statement active or intended whose `effectivePeriod` ended before the request, "
        "or a `MedicationDispense` of another drug; one whose drug is not read is known by its "
        "name alone); a `CarePlan` or `RequestGroup` not over, a `ServiceRequest` not revoked "
        "or in error, a `Task` not rejected, cancelled, failed or in error, or a "
        "`Procedure` not `not-done`, that may give another drug (see below: a product or drug's"
        " code of another drug than the order's or the policy's, an order, plan, dose or "
        "protocol not read, an activity or action in words) leaves it unknown, and contradicts "
        "a `List` of none; a CarePlan or RequestGroup contained in another resource is an input "
        "error; all of them:"
        " a current `List` coded `therapies.concomitant` whose entries are those records (else "
        "they give it in part: `therapies.partial`); none: such a `List`, empty",
        _SAME,
        (
            "MedicationStatement",
            "MedicationAdministration",
            "MedicationDispense",
            "MedicationRequest",
            "Medication",
            "CarePlan",
            "RequestGroup",
            "ServiceRequest",
            "Task",
            "Procedure",
            "List",
        ),
    ),
    Source("therapies.time_on_drug", _DTR, _DTR),
    Source(
        "therapies.partial",
        "each history read from its records with no `List` that lists them all (a DTR answer "
        "completing it gives it whole)",
        _SAME,
    ),
    Source(
        "prescriber.specialties",
        "the order's `requester` (else `Claim.provider`): `PractitionerRole.specialty` (of a "
        "role active on the request's date), or `Practitioner.qualification.code` (NUCC; of an "
        "active Practitioner, a qualification in its period)",
        _SAME,
        ("PractitionerRole", "Practitioner"),
    ),
    Source(
        "prescriber.affiliations",
        "the requester's `PractitionerRole.organization` → `Organization.type` in "
        f"`{codes.AFFILIATION}` (of an active Organization)",
        _SAME,
        ("Organization",),
    ),
    Source(
        "consultants",
        "`Claim.careTeam` but the prescriber, each as the prescriber is read (the prescriber "
        "alone: none)",
        "none (DTR)",
        ("Claim", "PractitionerRole", "Practitioner", "Organization"),
    ),
    Source(
        "answers",
        "`QuestionnaireResponse.item` with `linkId` `answers.<question id>`, of a response "
        "completed or amended",
        _SAME,
        ("QuestionnaireResponse",),
    ),
)


def dtr_item(field: str) -> str:
    """The DTR ``linkId`` that asks for a request field, or a dash."""
    if field == "answers":
        return "`answers.<question id>`"
    links = [f"`{link}`" for link, asked in ASKED.items() if asked.field == field]
    return ", ".join(links) or "—"


def markdown() -> str:
    """The table, in Markdown: field, PAS bundle, CRD call, DTR item."""
    lines = [
        "| Request field | PAS request bundle | CRD hook call | DTR item (`linkId`) |",
        "| --- | --- | --- | --- |",
    ]
    for row in MAPPING:
        lines.append(f"| `{row.field}` | {row.pas} | {row.crd} | {dtr_item(row.field)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - prints the table for docs/fhir.md
    print(markdown(), end="")
