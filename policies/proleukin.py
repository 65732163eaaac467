"""Proleukin (aldesleukin): the reference implementation of its UM medical policy.

The tree mirrors the document label for label and word for word: criteria 1.A.i-v,
1.B.i-iii, 2.A-D and 3.A-D, and their Dosing, with the PDF's line breaks joined.
Where the document is silent or ambiguous, the product decisions are recorded once,
below, as :class:`~umpolicy.Interpretation` data, so the docs and trails can quote
them:

- The route headings are conditions: 1.A and its dosing need intravenous, 1.B and its
  dosing intralesional; RCC dosing needs intravenous; GVHD dosing subcutaneous. So
  Dosing A pairs with criteria A, and Dosing B with criteria B.
- Limits are inclusive as worded ("must not exceed", "no more frequently than",
  "maximum of" are ≤; "a minimum of", "at least" are ≥). Age is in whole years on
  the request date. GVHD has no age criterion.
- When no second cycle (or no further course) is requested, the rest criteria do not
  apply, and the trail says so.
- A dose whose unit cannot be compared with the branch's limit is outside the
  established dosing; IU and mg are never converted into each other.
"""

from __future__ import annotations

import datetime as dt

from umpolicy import (
    AllOf,
    AnyOf,
    AtLeast,
    AtMost,
    DoseLimit,
    Either,
    Includes,
    Indication,
    Interpretation,
    IsTrue,
    NotRecommended,
    OneOf,
    Policy,
    Predicate,
    Quantity,
    Source,
    Statement,
)

ADULT = AtLeast("patient.age", Quantity("18", "a"))
SINGLE_AGENT = IsTrue("therapy.single_agent")
INTRAVENOUS = OneOf("regimen.route", ("intravenous",))
INTRALESIONAL = OneOf("regimen.route", ("intralesional",))
SUBCUTANEOUS = OneOf("regimen.route", ("subcutaneous",))


def _prescribed_by(*specialties: str) -> Either:
    """The prescriber, or a physician consulted, has one of these specialties."""
    return Either(
        OneOf("prescriber.specialty", specialties),
        Includes("consultants.specialties", specialties),
    )


IV_DOSE = AtMost("regimen.dose", Quantity("600000", "[iU]/kg"), Quantity("0.037", "mg/kg"))
THREE_TIMES_DAILY = AtMost("regimen.frequency", Quantity("3", "/d"))
FOURTEEN_DOSES = AtMost("regimen.doses_per_cycle", Quantity("14", "{dose}"))
SECOND_CYCLE = AtLeast("regimen.cycles_per_course", Quantity("2", "{cycle}"))
NINE_DAYS_REST = AtLeast("regimen.rest_between_cycles", Quantity("9", "d"))
ADDITIONAL_COURSE = AtLeast("regimen.course_number", Quantity("2", "{course}"))
SEVEN_WEEKS_REST = AtLeast("regimen.rest_before_course", Quantity("7", "wk"))

SECOND_CYCLE_TEXT = (
    "A second cycle is given after a minimum of 9 days of rest to complete a course of therapy; AND"
)
ADDITIONAL_COURSE_TEXT = "Each additional course of therapy is given after at least 7 weeks of rest"

CUTANEOUS_MELANOMA = Indication(
    criteria=AnyOf(
        "1",
        "Approve for 1 year if the patient meets ONE of the following (A or B):",
        (
            AllOf(
                "1.A",
                "Approve if the patient meets ALL of the following (i, ii, iii, iv, and v):",
                (
                    Predicate("1.A.i", "Patient is ≥ 18 years of age; AND", ADULT),
                    Predicate(
                        "1.A.ii",
                        "Patient has metastatic or unresectable disease; AND",
                        Either(IsTrue("diagnosis.metastatic"), IsTrue("diagnosis.unresectable")),
                    ),
                    Predicate(
                        "1.A.iii",
                        "Patient has tried at least one other systemic therapy; AND",
                        AtLeast("therapy.prior_systemic_count", Quantity("1", "{therapy}")),
                    ),
                    Predicate(
                        "1.A.iv", "Proleukin will be used as a single agent; AND", SINGLE_AGENT
                    ),
                    Predicate(
                        "1.A.v",
                        "Proleukin is prescribed by or in consultation with an oncologist; OR",
                        _prescribed_by("oncology"),
                    ),
                ),
                title="Intravenous Therapy.",
                requires=INTRAVENOUS,
            ),
            AllOf(
                "1.B",
                "Approve if the patient meets ALL of the following (i, ii, and iii):",
                (
                    Predicate("1.B.i", "Patient is ≥ 18 years of age; AND", ADULT),
                    Predicate(
                        "1.B.ii",
                        "Proleukin will be directly injected into metastatic, recurrent, or "
                        "unresectable cutaneous, subcutaneous, or nodal lesions; AND",
                        IsTrue("diagnosis.lesions_injectable"),
                    ),
                    Predicate(
                        "1.B.iii",
                        "The medication is prescribed by or in consultation with an oncologist "
                        "or dermatologist.",
                        _prescribed_by("oncology", "dermatology"),
                    ),
                ),
                title="Intralesional Therapy.",
                requires=INTRALESIONAL,
            ),
        ),
        title="Cutaneous Melanoma.",
        requires=OneOf("diagnosis.condition", ("cutaneous_melanoma",)),
    ),
    dosing=AnyOf(
        "Dosing 1",
        "Approve ONE of the following dosing regimens (A or B):",
        (
            AllOf(
                "Dosing 1.A",
                "(i, ii, and iii):",
                (
                    DoseLimit(
                        "Dosing 1.A.i",
                        "Each dose must not exceed 600,000 International Units/kg (0.037 mg/kg) "
                        "given no more frequently than three times daily for a maximum of 14 "
                        "doses to complete one cycle of treatment; AND",
                        (IV_DOSE, THREE_TIMES_DAILY, FOURTEEN_DOSES),
                    ),
                    DoseLimit(
                        "Dosing 1.A.ii",
                        SECOND_CYCLE_TEXT,
                        (NINE_DAYS_REST,),
                        applies_if=SECOND_CYCLE,
                    ),
                    DoseLimit(
                        "Dosing 1.A.iii",
                        f"{ADDITIONAL_COURSE_TEXT}; OR",
                        (SEVEN_WEEKS_REST,),
                        applies_if=ADDITIONAL_COURSE,
                    ),
                ),
                title="Intravenous Therapy",
                requires=INTRAVENOUS,
            ),
            AllOf(
                "Dosing 1.B",
                "(i and ii):",
                (
                    DoseLimit(
                        "Dosing 1.B.i",
                        "The dose to each individual lesion must not exceed 6 million "
                        "International Units given by intralesional injection; AND",
                        (AtMost("regimen.dose", Quantity("6", "10*6.[iU]/{lesion}")),),
                    ),
                    DoseLimit(
                        "Dosing 1.B.ii",
                        "The dose is given no more frequently than three times weekly.",
                        (AtMost("regimen.frequency", Quantity("3", "/wk")),),
                    ),
                ),
                title="Intralesional Therapy",
                requires=INTRALESIONAL,
            ),
        ),
    ),
    approval=Quantity("1", "a"),
    section="FDA-Approved Indications",
)

RENAL_CELL_CARCINOMA = Indication(
    criteria=AllOf(
        "2",
        "Approve for 1 year if the patient meets ALL of the following (A, B, C, and D):",
        (
            Predicate("2.A", "Patient is ≥ 18 years of age; AND", ADULT),
            Predicate("2.B", "Patient has metastatic disease; AND", IsTrue("diagnosis.metastatic")),
            Predicate("2.C", "Proleukin will be used as a single agent; AND", SINGLE_AGENT),
            Predicate(
                "2.D",
                "Proleukin is prescribed by or in consultation with an oncologist.",
                _prescribed_by("oncology"),
            ),
        ),
        title="Renal Cell Carcinoma.",
        requires=OneOf("diagnosis.condition", ("renal_cell_carcinoma",)),
    ),
    dosing=AllOf(
        "Dosing 2",
        "Approve the following dosing regimen (A, B, and C):",
        (
            DoseLimit(
                "Dosing 2.A",
                "Each dose must not exceed 600,000 International Units/kg (0.037 mg/kg) given "
                "intravenously no more frequently than three times daily for a maximum of 14 "
                "doses to complete one cycle of treatment; AND",
                (INTRAVENOUS, IV_DOSE, THREE_TIMES_DAILY, FOURTEEN_DOSES),
            ),
            DoseLimit("Dosing 2.B", SECOND_CYCLE_TEXT, (NINE_DAYS_REST,), applies_if=SECOND_CYCLE),
            DoseLimit(
                "Dosing 2.C",
                f"{ADDITIONAL_COURSE_TEXT}.",
                (SEVEN_WEEKS_REST,),
                applies_if=ADDITIONAL_COURSE,
            ),
        ),
    ),
    approval=Quantity("1", "a"),
    section="FDA-Approved Indications",
)

GRAFT_VERSUS_HOST_DISEASE = Indication(
    criteria=AllOf(
        "3",
        "Approve for 1 year if the patient meets ALL of the following (A, B, C, and D):",
        (
            Predicate(
                "3.A",
                "Patient has chronic graft-versus-host disease; AND",
                OneOf("diagnosis.condition", ("chronic_graft_versus_host_disease",)),
            ),
            Predicate(
                "3.B",
                "According to the prescriber, the patient has steroid-refractory disease; AND",
                IsTrue("diagnosis.steroid_refractory"),
            ),
            Predicate(
                "3.C",
                "Proleukin will be used in combination with systemic corticosteroids; AND",
                IsTrue("therapy.systemic_corticosteroids"),
            ),
            Predicate(
                "3.D",
                "Proleukin will be prescribed by or in consultation with an oncologist or a "
                "physician associated with a transplant center.",
                Either(
                    *_prescribed_by("oncology").checks,
                    IsTrue("prescriber.transplant_center"),
                    IsTrue("consultants.transplant_center"),
                ),
            ),
        ),
        title="Graft-Versus-Host Disease.",
        requires=OneOf(
            "diagnosis.condition",
            ("chronic_graft_versus_host_disease", "acute_graft_versus_host_disease"),
        ),
    ),
    dosing=DoseLimit(
        "Dosing 3",
        "Approve up to 1 million International Units/m2 administered subcutaneously no more "
        "frequently than once daily.",
        (
            SUBCUTANEOUS,
            AtMost("regimen.dose", Quantity("1", "10*6.[iU]/m2")),
            AtMost("regimen.frequency", Quantity("1", "/d")),
        ),
    ),
    approval=Quantity("1", "a"),
    section="Other Uses with Supportive Evidence",
)

_IV_LIMITS = ("Dosing 1.A.i", "Dosing 2.A")
_REST = ("Dosing 1.A.ii", "Dosing 1.A.iii", "Dosing 2.B", "Dosing 2.C")
_PRESCRIBERS = ("1.A.v", "1.B.iii", "2.D", "3.D")

INTERPRETATIONS = (
    Interpretation(
        "route-headings",
        "Route headings are conditions",
        "The headings Intravenous Therapy and Intralesional Therapy are conditions on the "
        "requested route: criteria 1.A and Dosing 1.A need an intravenous route, 1.B and "
        "Dosing 1.B an intralesional one. So Dosing A pairs with criteria A, and Dosing B "
        "with criteria B. The renal cell carcinoma dosing needs an intravenous route (given "
        "intravenously) and the graft-versus-host disease dosing a subcutaneous one "
        "(administered subcutaneously).",
        ("1.A", "1.B", "Dosing 1.A", "Dosing 1.B", "Dosing 2.A", "Dosing 3"),
    ),
    Interpretation(
        "inclusive-limits",
        "Limits are inclusive as worded",
        '"Must not exceed", "no more frequently than", "maximum of" and "up to" allow '
        'the limit itself (≤); "a minimum of" and "at least" require the limit itself or '
        "more (≥). Every comparison is exact: decimal values from the request's text, never "
        "binary floating point.",
        (*_IV_LIMITS, *_REST, "Dosing 1.B.i", "Dosing 1.B.ii", "Dosing 3", "1.A.iii"),
    ),
    Interpretation(
        "age",
        "Age in whole years on the request date",
        '"≥ 18 years of age" is met from the 18th birthday: age is counted in whole years '
        "from the birth date to the request date (a 29 February birthday turns on 1 March). "
        "Graft-versus-host disease has no age criterion.",
        ("1.A.i", "1.B.i", "2.A", "3"),
    ),
    Interpretation(
        "rest-not-applicable",
        "Rest periods apply only to what is requested",
        "When the request asks for one cycle only, the rest before a second cycle does not "
        "apply; when it is for a first course, the rest before an additional course does not "
        'apply. The trail says "does not apply" and the criterion counts as met. A request '
        "that does not say how many cycles, or which course, leaves the criterion unknown "
        "unless the rest it gives meets the limit anyway.",
        _REST,
    ),
    Interpretation(
        "per-weight-and-area",
        "Absolute doses are divided by weight or body surface area",
        "A dose given in International Units (or mg) is divided by the patient's weight for a "
        "per-kg limit and by the body surface area for a per-m² limit. The body surface area "
        "is the one the request gives, else Mosteller's √(height cm × weight kg / 3600); the "
        "trail says which. The Mosteller comparison is exact (both sides squared); the "
        "trail shows the area rounded to 4 decimals.",
        (*_IV_LIMITS, "Dosing 3"),
    ),
    Interpretation(
        "units",
        "International Units and mg are never converted into each other",
        "The policy states each limit in its own unit (600,000 International Units/kg, or "
        "0.037 mg/kg): a dose in International Units is compared with the International "
        "Units limit, a dose in mg with the mg limit. A dose in a unit that cannot be "
        "compared with the branch's limit (International Units/m² for intravenous therapy, "
        "an absolute dose for the per-lesion limit) is outside the established dosing and "
        "goes to clinician review; an unknown unit is an input error.",
        (*_IV_LIMITS, "Dosing 1.B.i", "Dosing 3"),
    ),
    Interpretation(
        "single-agent",
        "Single agent means no concomitant anticancer therapy",
        "Proleukin is used as a single agent when the request lists no anticancer therapy "
        "to be given with it. Supportive medicines are not listed there.",
        ("1.A.iv", "2.C"),
    ),
    Interpretation(
        "prior-therapy",
        "Other systemic therapies are those the request lists",
        '"Tried at least one other systemic therapy" is met when the request lists one or '
        "more prior systemic therapies.",
        ("1.A.iii",),
    ),
    Interpretation(
        "prescriber",
        "Prescribed by or in consultation with",
        "Met when the prescriber, or any physician consulted, has the named specialty (for "
        "3.D, or is associated with a transplant center).",
        _PRESCRIBERS,
    ),
    Interpretation(
        "lesions",
        "Every lesion to be injected must qualify",
        "For intralesional therapy the request lists the lesions Proleukin will be injected "
        "into; each must be metastatic, recurrent or unresectable, and cutaneous, "
        "subcutaneous or nodal. An empty list does not qualify.",
        ("1.B.ii",),
    ),
    Interpretation(
        "gvhd",
        "Acute graft-versus-host disease",
        "The heading Graft-Versus-Host Disease admits chronic and acute disease, so that an "
        "acute case is shown failing 3.A (chronic disease) rather than matching nothing.",
        ("3", "3.A"),
    ),
    Interpretation(
        "outcomes",
        "Outcomes, and why the library never denies",
        "An indication whose criteria are met and whose dosing is met is recommended for "
        "approval for its period (1 year from the request date, through the day before the "
        "anniversary). Criteria met but dosing not met goes to clinician review, case by "
        "case, as the POLICY STATEMENT says; dosing unknown is insufficient information. No "
        "indication met: any unknown criterion gives insufficient information (with the "
        "facts needed), otherwise not recommended (CONDITIONS NOT RECOMMENDED 1). These are "
        "recommendations; a clinician makes every adverse determination.",
        ("1", "2", "3", "Dosing 1", "Dosing 2", "Dosing 3"),
    ),
)

POLICY = Policy(
    name="proleukin",
    title="Oncology (Injectable) – Proleukin Utilization Management Medical Policy",
    drug="Proleukin® (aldesleukin injection for intravenous use – Prometheus Laboratories)",
    plans="All Aspirus Medicare Plans",
    effective=dt.date(2022, 1, 1),
    reviewed=dt.date(2025, 2, 5),
    version="2025-02-05",
    revision_note=(
        "Annual Revision Renal Cell Carcinoma: Condition of approval changed from kidney "
        "cancer to metastatic disease. Removed requirement that the patient has clear cell "
        "histology."
    ),
    context=(
        Source(
            "OVERVIEW",
            (
                "Proleukin, a human recombinant interleukin-2 product, is indicated for the "
                "following:",
                "Metastatic melanoma, in adults.",
                "Metastatic renal cell carcinoma, in adults.",
            ),
        ),
        Source(
            "Dosing Information",
            (
                "The recommended dose of Proleukin is the same for metastatic melanoma and "
                "metastatic renal cell carcinoma. Proleukin 600,000 International Units/kg "
                "(0.037 mg/kg) is administered by intravenous infusion over 15 minutes every 8 "
                "hours for a maximum of 14 doses. Following 9 days of rest the schedule is "
                "repeated to complete one course of therapy. Additional courses of therapy can "
                "be given after at least 7 weeks of rest. Additional courses of therapy should "
                "only be given if there is evidence of tumor shrinkage after the previous "
                "course of therapy and there are no contraindications to retreatment.",
            ),
        ),
        Source(
            "Guidelines",
            (
                "Proleukin is addressed in the following National Comprehensive Cancer Network "
                "guidelines:",
                "Cutaneous melanoma (version 1.2025 – December 20, 2024) clinical practice "
                "guidelines recommend Proleukin for unresectable or metastatic disease as a "
                "single agent for second-line or subsequent therapy for disease progression, "
                "or as part of tumor-infiltrating lymphocyte therapy after progression on "
                "anti-programmed death receptor-1 therapy and BRAF targeted therapy if BRAF "
                "V600E mutation positive (category 2A). Proleukin may be considered for "
                "patients with small brain tumors and without significant peritumoral edema "
                "(category 2B) or for intralesional therapy as primary or second-line "
                "treatment of unresectable stage III disease with clinical satellite/in-transit "
                "metastases, or local satellite/in-transit recurrence (category 2B).",
                "Hematopoietic cell transplantation (version 2.2024 – August 30, 2024) "
                "clinical practice guidelines recommend Proleukin as additional therapy, in "
                "combination with systemic corticosteroids, for steroid-refractory chronic "
                "graft-vs-host disease.",
                "Kidney cancer (version 3.2025 – January 9, 2025) clinical practice guidelines "
                "no longer recommend Proleukin for the treatment of renal cell carcinoma.",
            ),
        ),
    ),
    statement=(
        Statement(
            "prior-authorization",
            "Prior Authorization is recommended for medical benefit coverage of Proleukin.",
        ),
        Statement(
            "approval",
            "Approval is recommended for those who meet the Criteria and Dosing for the listed "
            "indications.",
        ),
        Statement(
            "extended",
            "Extended approvals are allowed if the patient continues to meet the Criteria and "
            "Dosing.",
        ),
        Statement(
            "case_by_case",
            "Requests for doses outside of the established dosing documented in this policy "
            "will be considered on a case-by-case basis by a clinician (i.e., Medical Director "
            "or Pharmacist).",
        ),
        Statement("duration", "All approvals are provided for the duration noted below."),
        Statement(
            "specialist",
            "Because of the specialized skills required for evaluation and diagnosis of "
            "patients treated with Proleukin as well as the monitoring required for adverse "
            "events and long-term efficacy, approval requires Proleukin to be prescribed by or "
            "in consultation with a physician who specializes in the condition being treated.",
        ),
        Statement("automation", "Automation: None."),
    ),
    preamble="Coverage of Proleukin is recommended in those who meet one of the following "
    "criteria:",
    indications=(CUTANEOUS_MELANOMA, RENAL_CELL_CARCINOMA, GRAFT_VERSUS_HOST_DISEASE),
    not_recommended_preamble="Coverage of Proleukin is not recommended in the following "
    "situations:",
    not_recommended=(
        NotRecommended(
            "1",
            "Coverage is not recommended for circumstances not listed in the Recommended "
            "Authorization Criteria. Criteria will be updated as new published data are "
            "available.",
        ),
    ),
    interpretations=INTERPRETATIONS,
)
