"""The shared request vocabulary: one drug prior-authorization request, for any policy.

It is shaped like what a plan's intake already holds (the FHIR R4 concepts behind a
Da Vinci PAS request, without requiring FHIR): the request's date and kind; the
patient; diagnoses as ICD-10-CM codes; the requested medication with its route
(SNOMED CT), dose, frequency and schedule; the therapy history (ATC-coded, with what
happened); the prescriber and consultants (NUCC taxonomy codes, affiliations); and
the answers to the questions a policy declares, under the policy's name.

Every clinical field is optional: a field that is absent is a missing fact, which
makes the criteria that read it *unknown* (never met). ``None`` means "not given";
an empty list means "given, and there are none".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

from umpolicy.dsl.choice import Choice
from umpolicy.dsl.drug import DrugCodeSystem
from umpolicy.dsl.quantity import Quantity


class RequestKind(Choice):
    """Whether the request starts the drug or continues it (FHIR: Claim's care type)."""

    INITIAL = "initial"
    CONTINUATION = "continuation"


class Sex(Choice):
    """The patient's administrative sex (FHIR AdministrativeGender)."""

    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"


class TherapyOutcome(Choice):
    """What happened with a therapy: why it ended, or why it was never given."""

    FAILURE = "failure"
    INTOLERANCE = "intolerance"
    CONTRAINDICATION = "contraindication"
    RESPONSE = "response"


class History(Choice):
    """A therapy history of :class:`Therapies`: therapies tried before, or given with the drug."""

    PRIOR = "prior"
    CONCOMITANT = "concomitant"


_ORDER = {each: index for index, each in enumerate(History)}


@frozen
class Coding:
    """A coded concept: the code in the field's system, and its words if given."""

    code: str
    """The code, in the system of the field that holds it (ICD-10-CM, SNOMED CT)."""
    display: str | None = None
    """The code's words, for people; never read by a policy."""


@frozen
class Patient:
    """The patient's birth date, sex and body measurements (BSA if the prescriber gave one)."""

    birth_date: dt.date | None = None
    """Date of birth; the age is in whole years on the request date. FHIR: ``Patient.birthDate``."""
    sex: Sex | None = None
    """Administrative sex. FHIR: ``Patient.gender``."""
    weight: Quantity | None = None
    """Body weight. FHIR: an ``Observation`` of body weight (LOINC 29463-7), its ``valueQuantity``
    in UCUM.
    """
    height: Quantity | None = None
    """Height. FHIR: an ``Observation`` of body height (LOINC 8302-2), in UCUM."""
    bsa: Quantity | None = None
    """Body surface area, if the prescriber gives one; else Mosteller's, from height and weight.
    One given is from half to 1.5 times Mosteller's of the height and weight (or of some
    body of the one given): one capped for dosing is read. FHIR: an ``Observation`` of
    body surface area (LOINC 8277-6).
    """


@frozen
class Schedule:
    """How the doses are grouped, where a policy limits cycles and courses."""

    doses_per_cycle: int | None = None
    """Doses in one cycle of treatment. FHIR: ``timing.repeat.count``, or the regimen's protocol."""
    cycles_per_course: int | None = None
    """Cycles requested in the course. FHIR: the regimen's protocol (DTR where the order does not
    say).
    """
    rest_between_cycles: Quantity | None = None
    """Rest between one cycle and the next. FHIR: the regimen's protocol, or the orders' ``timing``.
    """
    course_number: int | None = None
    """Which course of therapy this is (1 for the first). FHIR: the regimen's protocol."""
    rest_before_course: Quantity | None = None
    """Rest since the previous course. FHIR: the ``timing`` of the previous orders."""


@frozen
class DrugCode:
    """A code of the requested drug in its system (a FHIR coding of the order's drug)."""

    system: DrugCodeSystem
    """The code's system: ``RxNorm``, ``NDC``, ``HCPCS`` or ``ATC``."""
    code: str
    """The code, as its system writes it (HCPCS ``J9999``, ATC ``L01XX99``)."""


@frozen
class Medication:
    """The requested drug: its code and name, route (SNOMED CT), dose, frequency, schedule.

    ``dose`` is per administration: absolute (``mg``), per kg, per m² or per a counted
    unit (``10*6.[iU]/{site}``); ``frequency`` a rate (``/d``, ``/(4.wk)``).
    """

    code: str | None = None
    """The requested drug's code (RxNorm, NDC, HCPCS or ATC, as the plan uses; ``system``
    says which). FHIR: ``MedicationRequest.medicationCodeableConcept``.
    """
    name: str | None = None
    """The requested drug's name, for people."""
    route: Coding | None = None
    """The route of administration as a SNOMED CT code: intravenous 47625008, subcutaneous
    34206005. FHIR: ``dosageInstruction.route``.
    """
    dose: Quantity | None = None
    """The dose per administration: absolute (mg, [iU]), per kg or m² (mg/kg, 10*6.[iU]/m2) or per a
    counted unit (10*6.[iU]/{site}). FHIR: ``doseAndRate.doseQuantity``.
    """
    frequency: Quantity | None = None
    """How often a dose is given: 3 /d is three times daily, 3 /wk three times weekly, 1 /(4.wk)
    once every 4 weeks. Limits compare it as a rate, exactly: 30 /mo (a month of 30.4375
    days) is within once daily, as a count over a period says how many doses, not how they
    are spaced. FHIR: ``timing.repeat`` (frequency per period).
    """
    schedule: Schedule = Schedule()
    """How the doses are grouped into cycles and courses."""
    system: DrugCodeSystem | None = field(default=None, metadata={"omit_if_default": True})
    """The system of ``code``: ``RxNorm``, ``NDC``, ``HCPCS`` or ``ATC``. The policy checks
    that the codes and names are its own drug's: a code of another drug in a system it
    lists, or a name that does not name its drug, is refused. FHIR: the coding's ``system``.
    """
    other_codes: tuple[DrugCode, ...] = field(default=(), metadata={"omit_if_default": True})
    """Every other code the request gives for the drug (an order coded RxNorm and NDC): each
    is checked as ``code`` is. FHIR: the order's other codings, and the PAS Claim item's
    ``productOrService``.
    """
    other_names: tuple[str, ...] = field(default=(), metadata={"omit_if_default": True})
    """Every other name the request gives for the drug (a coding's ``display`` beside the
    concept's ``text``): each must name the policy's drug, as ``name`` must.
    """


@frozen
class Therapy:
    """One therapy of the history: its name, ATC codes, how long it was given, what happened."""

    name: str
    """The therapy's name, for people."""
    codes: tuple[str, ...] = ()
    """Its ATC codes: a therapy without codes never settles a criterion. FHIR:
    ``medicationCodeableConcept`` with ATC coding.
    """
    duration: Quantity | None = None
    """How long it was given: no longer than the patient's age on the request date, and more than
    zero for a therapy tried before (any outcome but a contraindication). FHIR:
    ``MedicationStatement.effectivePeriod``.
    """
    outcome: TherapyOutcome | None = None
    """What happened: failure, intolerance or response; contraindication when it was never given
    (for a therapy to be given with the drug: it will not be). A contraindicated therapy is
    neither tried nor given with the drug, unless a policy asks for the contraindication itself.
    FHIR: ``MedicationStatement.statusReason``.
    """


def _in_order(histories: tuple[History, ...]) -> tuple[History, ...]:
    """Histories as the vocabulary orders them (prior, concomitant): one set, one form.

    So a request's JSON, and its fingerprint, do not depend on the order they were named
    in. Anything else is kept as given, for validation to name.
    """
    if isinstance(histories, tuple) and all(type(each) is History for each in histories):
        return tuple(sorted(histories, key=_ORDER.__getitem__))
    return histories


@frozen
class Therapies:
    """Therapies tried before, those to be given with the drug, and time on the drug itself."""

    prior: tuple[Therapy, ...] | None = None
    """Therapies tried before. FHIR: ``MedicationStatement`` (a contraindication from
    ``AllergyIntolerance`` or the prescriber).
    """
    concomitant: tuple[Therapy, ...] | None = None
    """Therapies to be given with the drug (one recorded as contraindicated will not be); one the
    prior therapies record as contraindicated (an ATC code in common, or the same name) is an
    input error. FHIR: an active ``MedicationRequest`` (other than the order decided) or
    ``MedicationStatement``.
    """
    time_on_drug: Quantity | None = None
    """Time on the requested drug (continuation requests: more than zero), no longer than the
    patient's age on the request date. FHIR: the drug's ``MedicationStatement``, from
    ``effectivePeriod.start`` to the request date.
    """
    partial: tuple[History, ...] = field(
        default=(), converter=_in_order, metadata={"omit_if_default": True}
    )
    """The histories given only in part: each lists the therapies known, and may leave some out.
    A criterion a therapy it lists settles is decided ("with a corticosteroid"); one its
    absence would settle ("as a single agent", "no more than two") stays unknown. Each
    history named is given, with at least one therapy (one with none known is not given).
    FHIR: a history read from its records alone, with no ``List`` saying they are all.
    """


@frozen
class Practitioner:
    """A prescribing or consulting physician: NUCC taxonomy codes and affiliations."""

    specialties: tuple[str, ...] | None = None
    """NUCC provider taxonomy codes. FHIR: ``PractitionerRole.specialty``."""
    affiliations: tuple[str, ...] | None = None
    """Affiliations, such as transplant-center (the plan's own codes). FHIR:
    ``PractitionerRole.organization``.
    """


class _Checked:
    """Room, outside a request's fields, for umpolicy's mark that it has checked it all.

    :func:`umpolicy.io.validation.request_from` marks the request it built from JSON
    and validated, so that deciding it does not check every type again. The mark is
    no field: not in JSON, the schema, equality or a repr; and a copy, a pickle or
    ``attrs.evolve`` does not carry it, so a request made so is checked again.
    """

    __slots__ = ("_checked",)


@frozen
class Request(_Checked):
    """One prior-authorization request for one drug policy, made on ``date``.

    ``answers`` holds the answers to the questions of each policy, by the policy's
    name and the question's id; they are read and checked against the policy's
    questions when it decides.
    """

    date: dt.date
    """The request date: ages and approval periods count from it. Required. FHIR: ``Claim.created``.
    """
    policy: str | None = None
    """The registered policy to decide it under (or the caller names one)."""
    id: str | None = None
    """The request's own identifier, echoed in the decision. FHIR: ``Claim.identifier``."""
    kind: RequestKind | None = None
    """Starting the drug (initial) or continuing it (continuation). FHIR: the PAS certification
    type.
    """
    patient: Patient = Patient()
    """The patient."""
    diagnoses: tuple[Coding, ...] | None = None
    """Diagnoses as ICD-10-CM codes. FHIR: ``Condition.code``, or ``Claim.diagnosis``."""
    medication: Medication = Medication()
    """The requested drug and its schedule."""
    therapies: Therapies = Therapies()
    """The therapy history, and time on the requested drug."""
    prescriber: Practitioner = Practitioner()
    """The prescriber. FHIR: the requester's ``PractitionerRole``."""
    consultants: tuple[Practitioner, ...] | None = None
    """Physicians consulted on the request (each as the prescriber is). FHIR: ``Claim.careTeam``."""
    answers: Mapping[str, Mapping[str, Any]] = field(factory=dict, hash=False)
    """The answers to each policy's questions, by the policy's name and the question's id. FHIR: a
    DTR ``QuestionnaireResponse``.
    """
