"""The prior-authorization request: who the patient is and what is asked for.

Every clinical field is optional: a field that is absent is a missing fact, which
makes the criteria that read it *unknown* (never met). ``None`` means "not given";
an empty list means "given, and there are none".
"""

from __future__ import annotations

import datetime as dt
import enum

from attrs import frozen

from umpolicy.quantity import Quantity


class Condition(enum.Enum):
    """The diagnosis the drug is requested for."""

    CUTANEOUS_MELANOMA = "cutaneous_melanoma"
    RENAL_CELL_CARCINOMA = "renal_cell_carcinoma"
    CHRONIC_GRAFT_VERSUS_HOST_DISEASE = "chronic_graft_versus_host_disease"
    ACUTE_GRAFT_VERSUS_HOST_DISEASE = "acute_graft_versus_host_disease"
    OTHER = "other"


class Route(enum.Enum):
    """How the drug is given."""

    INTRAVENOUS = "intravenous"
    INTRALESIONAL = "intralesional"
    SUBCUTANEOUS = "subcutaneous"
    OTHER = "other"


class Specialty(enum.Enum):
    """A physician's specialty."""

    ONCOLOGY = "oncology"
    DERMATOLOGY = "dermatology"
    HEMATOLOGY = "hematology"
    TRANSPLANT = "transplant"
    OTHER = "other"


class LesionSite(enum.Enum):
    """Where a lesion is."""

    CUTANEOUS = "cutaneous"
    SUBCUTANEOUS = "subcutaneous"
    NODAL = "nodal"
    VISCERAL = "visceral"
    OTHER = "other"


class LesionStatus(enum.Enum):
    """What kind of lesion it is."""

    METASTATIC = "metastatic"
    RECURRENT = "recurrent"
    UNRESECTABLE = "unresectable"
    OTHER = "other"


@frozen
class Patient:
    """The patient's birth date and body measurements (BSA if the prescriber gave one)."""

    birth_date: dt.date | None = None
    weight: Quantity | None = None
    height: Quantity | None = None
    bsa: Quantity | None = None


@frozen
class Lesion:
    """A lesion the drug will be injected into (intralesional therapy)."""

    site: LesionSite
    status: LesionStatus


@frozen
class Diagnosis:
    """The condition and its extent; ``steroid_refractory`` is the prescriber's word."""

    condition: Condition | None = None
    metastatic: bool | None = None
    unresectable: bool | None = None
    steroid_refractory: bool | None = None
    lesions: tuple[Lesion, ...] | None = None


@frozen
class Therapy:
    """Therapies tried before, and those given with the drug."""

    prior_systemic: tuple[str, ...] | None = None
    concomitant_anticancer: tuple[str, ...] | None = None
    systemic_corticosteroids: bool | None = None


@frozen
class Physician:
    """A prescribing or consulting physician."""

    specialty: Specialty | None = None
    transplant_center: bool | None = None


@frozen
class Regimen:
    """The requested dosing: route, dose per administration, frequency, cycles, rest."""

    route: Route | None = None
    dose: Quantity | None = None
    frequency: Quantity | None = None
    doses_per_cycle: int | None = None
    cycles_per_course: int | None = None
    rest_between_cycles: Quantity | None = None
    course_number: int | None = None
    rest_before_course: Quantity | None = None


@frozen
class Request:
    """One prior-authorization request for one drug policy, made on ``date``."""

    date: dt.date
    policy: str | None = None
    id: str | None = None
    patient: Patient = Patient()
    diagnosis: Diagnosis = Diagnosis()
    therapy: Therapy = Therapy()
    prescriber: Physician = Physician()
    consultants: tuple[Physician, ...] | None = None
    regimen: Regimen = Regimen()
