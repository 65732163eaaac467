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
import enum
from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

from umpolicy.dsl.quantity import Quantity


class RequestKind(enum.Enum):
    """Whether the request starts the drug or continues it (FHIR: Claim's care type)."""

    INITIAL = "initial"
    CONTINUATION = "continuation"


class Sex(enum.Enum):
    """The patient's administrative sex (FHIR AdministrativeGender)."""

    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"


class TherapyOutcome(enum.Enum):
    """What happened with a therapy: why it ended, or why it was never given."""

    FAILURE = "failure"
    INTOLERANCE = "intolerance"
    CONTRAINDICATION = "contraindication"
    RESPONSE = "response"


@frozen
class Coding:
    """A coded concept: the code in the field's system, and its words if given."""

    code: str
    display: str | None = None


@frozen
class Patient:
    """The patient's birth date, sex and body measurements (BSA if the prescriber gave one)."""

    birth_date: dt.date | None = None
    sex: Sex | None = None
    weight: Quantity | None = None
    height: Quantity | None = None
    bsa: Quantity | None = None


@frozen
class Schedule:
    """How the doses are grouped, where a policy limits cycles and courses."""

    doses_per_cycle: int | None = None
    cycles_per_course: int | None = None
    rest_between_cycles: Quantity | None = None
    course_number: int | None = None
    rest_before_course: Quantity | None = None


@frozen
class Medication:
    """The requested drug: its code and name, route (SNOMED CT), dose, frequency, schedule.

    ``dose`` is per administration: absolute (``mg``), per kg, per m² or per a counted
    unit (``10*6.[iU]/{site}``); ``frequency`` a rate (``/d``, ``/(4.wk)``).
    """

    code: str | None = None
    name: str | None = None
    route: Coding | None = None
    dose: Quantity | None = None
    frequency: Quantity | None = None
    schedule: Schedule = Schedule()


@frozen
class Therapy:
    """One therapy of the history: its name, ATC codes, how long it was given, what happened."""

    name: str
    codes: tuple[str, ...] = ()
    duration: Quantity | None = None
    outcome: TherapyOutcome | None = None


@frozen
class Therapies:
    """Therapies tried before, those to be given with the drug, and time on the drug itself."""

    prior: tuple[Therapy, ...] | None = None
    concomitant: tuple[Therapy, ...] | None = None
    time_on_drug: Quantity | None = None


@frozen
class Practitioner:
    """A prescribing or consulting physician: NUCC taxonomy codes and affiliations."""

    specialties: tuple[str, ...] | None = None
    affiliations: tuple[str, ...] | None = None


@frozen
class Request:
    """One prior-authorization request for one drug policy, made on ``date``.

    ``answers`` holds the answers to the questions of each policy, by the policy's
    name and the question's id; they are read and checked against the policy's
    questions when it decides.
    """

    date: dt.date
    policy: str | None = None
    id: str | None = None
    kind: RequestKind | None = None
    patient: Patient = Patient()
    diagnoses: tuple[Coding, ...] | None = None
    medication: Medication = Medication()
    therapies: Therapies = Therapies()
    prescriber: Practitioner = Practitioner()
    consultants: tuple[Practitioner, ...] | None = None
    answers: Mapping[str, Mapping[str, Any]] = field(factory=dict, hash=False)
