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

The policy owns its facts: the value sets below say which ICD-10-CM codes are each
condition, which NUCC taxonomy codes are an oncologist or a dermatologist, which
SNOMED CT routes and which ATC classes count; the questions say what a provider is
asked that the shared request vocabulary has no place for; the derived facts say
how the therapy history and the lesions are read.
"""

from __future__ import annotations

import datetime as dt

from umpolicy import (
    STANDARD_REVIEW,
    AllOf,
    AnswerType,
    AnyOf,
    AtLeast,
    AtMost,
    Both,
    Consulted,
    DoseLimit,
    Drug,
    Either,
    EveryItem,
    Includes,
    Indication,
    Interpretation,
    IsTrue,
    Not,
    NotRecommended,
    OneOf,
    Policy,
    Predicate,
    Quantity,
    Question,
    Source,
    Statement,
    TherapyCount,
    TherapyListed,
    TherapyOutcome,
    ValueSet,
)

# The codes the policy counts, each set named once (the docs render them from here).
#: The drug, as a request names it: a request for another drug is refused, never decided.
PROLEUKIN = Drug(
    ("Proleukin", "aldesleukin"),
    (
        ValueSet(
            "proleukin-hcpcs",
            "Proleukin (aldesleukin), per single-use vial",
            "HCPCS",
            codes=("J9015",),
        ),
        ValueSet("aldesleukin-atc", "Aldesleukin", "ATC", codes=("L03AC01",)),
    ),
)
CUTANEOUS_MELANOMA_CODES = ValueSet(
    "cutaneous-melanoma", "Cutaneous melanoma", "ICD-10-CM", prefixes=("C43",)
)
RENAL_CELL_CARCINOMA_CODES = ValueSet(
    "renal-cell-carcinoma", "Renal cell carcinoma", "ICD-10-CM", prefixes=("C64",)
)
GVHD_CODES = ValueSet(
    "graft-versus-host-disease", "Graft-versus-host disease", "ICD-10-CM", prefixes=("D89.81",)
)
CHRONIC_GVHD_CODES = ValueSet(
    "chronic-graft-versus-host-disease",
    "Chronic graft-versus-host disease",
    "ICD-10-CM",
    codes=("D89.811",),
    # GVHD "unspecified" may be chronic, and "acute on chronic" is a chronic disease's
    # acute flare: neither code says whether 3.A's chronic disease is what is treated.
    undecided=("D89.812", "D89.813"),
)
ONCOLOGY = ValueSet(
    "oncology",
    "Oncologist",
    "NUCC taxonomy",
    codes=(
        "207RX0202X",  # Internal Medicine, Medical Oncology
        "207RH0003X",  # Internal Medicine, Hematology & Oncology
        "2086X0206X",  # Surgery, Surgical Oncology
        "2085R0001X",  # Radiology, Radiation Oncology
        "207VX0201X",  # Obstetrics & Gynecology, Gynecologic Oncology
        "2080P0207X",  # Pediatrics, Pediatric Hematology-Oncology
    ),
)
DERMATOLOGY = ValueSet(
    "dermatology",
    "Dermatologist",
    "NUCC taxonomy",
    codes=("207N00000X", "207ND0101X", "207ND0900X", "207NI0002X", "207NP0225X", "207NS0135X"),
)
TRANSPLANT_CENTER = ("transplant-center",)
# 3.D's "physician associated with a transplant center": NUCC's Allopathic & Osteopathic
# Physicians are the codes 20…; a nurse practitioner (363L…) or a dentist (122…) at a
# transplant center is not one.
PHYSICIANS = ValueSet(
    "physician",
    "Physician",
    "NUCC taxonomy",
    prefixes=("20",),
)
INTRAVENOUS_ROUTE = ValueSet("intravenous", "Intravenous", "SNOMED CT", codes=("47625008",))
INTRALESIONAL_ROUTE = ValueSet("intralesional", "Intralesional", "SNOMED CT", codes=("372464004",))
SUBCUTANEOUS_ROUTE = ValueSet("subcutaneous", "Subcutaneous", "SNOMED CT", codes=("34206005",))
# Therapy of the cancer: antineoplastic agents, endocrine therapy and the interferons
# (alfa, with Proleukin the classic combination regimen), and those ATC files elsewhere:
# the immunomodulatory imides, BCG, mifamurtide, histamine dihydrochloride (given with
# interleukin-2 in leukemia), tasonermin, sipuleucel-T and the therapeutic
# radiopharmaceuticals of V10X (lutetium Lu 177 dotatate, radium Ra 223). Supportive
# medicines (a colony-stimulating factor, L03AA) and the other immunosuppressants (L04)
# are not; aldesleukin itself (L03AC01) is not another therapy. Any of these given
# alongside spoils "single agent", so the set is wide; 1.A.iii's, which a therapy tried
# meets, is not widened with it.
ANTICANCER_THERAPY = ValueSet(
    "anticancer-therapy",
    "Anticancer therapy",
    "ATC",
    codes=(
        "L04AX02",  # thalidomide
        "L04AX04",  # lenalidomide
        "L04AX06",  # pomalidomide
        "L03AX03",  # BCG vaccine (intravesical, for bladder cancer)
        "L03AX14",  # histamine dihydrochloride
        "L03AX15",  # mifamurtide
        "L03AX11",  # tasonermin (limb perfusion of soft-tissue sarcoma)
        "L03AX17",  # sipuleucel-T (prostate cancer)
    ),
    prefixes=("L01", "L02", "L03AB", "V10X"),
)
# 1.A.iii's "other systemic therapy": the same, but for talimogene laherparepvec
# (L01XX51), an oncolytic virus only ever injected into the lesions. Given with
# Proleukin it is another agent (1.A.iv); tried before, it was no systemic therapy.
SYSTEMIC_ANTICANCER_THERAPY = ValueSet(
    "systemic-anticancer-therapy",
    "Systemic anticancer therapy",
    "ATC",
    prefixes=("L01", "L02", "L03AB"),
    excluded=("L01XX51",),
)
# ATC H02A (plain) and H02B (combinations): H02's third group, H02C, is the antiadrenal
# preparations (trilostane, osilodrostat), which block cortisol and are no corticosteroid.
SYSTEMIC_CORTICOSTEROIDS = ValueSet(
    "systemic-corticosteroids",
    "Corticosteroids for systemic use",
    "ATC",
    prefixes=("H02A", "H02B"),
)

# What a provider is asked that the shared request vocabulary has no place for.
# Each names its cancer, in its words and its key: a patient may have melanoma and renal
# cell carcinoma, and an answer about one is no answer about the other (the
# interpretations "…-asked-about"). One answer "metastatic" for both would be read for
# whichever criterion asks, about whichever cancer the provider meant.
MELANOMA_METASTATIC = Question(
    "melanoma_metastatic", "Is the melanoma metastatic?", AnswerType.BOOLEAN
)
MELANOMA_UNRESECTABLE = Question(
    "melanoma_unresectable", "Is the melanoma unresectable?", AnswerType.BOOLEAN
)
RCC_METASTATIC = Question(
    "renal_cell_carcinoma_metastatic",
    "Is the renal cell carcinoma metastatic?",
    AnswerType.BOOLEAN,
)
LESIONS = Question(
    "lesions",
    "Which melanoma lesions will Proleukin be injected into (the site and kind of each)?",
    AnswerType.LIST,
    fields=(
        Question(
            "site",
            "Where is the lesion?",
            AnswerType.CHOICE,
            values=(
                ("cutaneous", "Cutaneous"),
                ("subcutaneous", "Subcutaneous"),
                ("nodal", "Nodal"),
                ("visceral", "Visceral"),
                ("other", "Other"),
            ),
        ),
        Question(
            "status",
            "What kind of lesion is it?",
            AnswerType.CHOICE,
            values=(
                ("metastatic", "Metastatic"),
                ("recurrent", "Recurrent"),
                ("unresectable", "Unresectable"),
                ("other", "Other"),
            ),
        ),
    ),
)
STEROID_REFRACTORY = Question(
    "steroid_refractory",
    "According to the prescriber, is the chronic graft-versus-host disease steroid-refractory?",
    AnswerType.BOOLEAN,
)

# Facts the policy derives from the request, with the engine's reusable pieces.
# A therapy recorded as contraindicated was never given, nor will it be: it is neither
# tried nor given with Proleukin (see the interpretation "contraindicated").
NEVER_GIVEN = (TherapyOutcome.CONTRAINDICATION,)
PRIOR_SYSTEMIC_COUNT = TherapyCount(
    "therapy.prior_systemic_count",
    "How many other systemic therapies the patient has tried.",
    "prior",
    SYSTEMIC_ANTICANCER_THERAPY,
    excluding=NEVER_GIVEN,
)
CONCOMITANT_ANTICANCER = TherapyListed(
    "therapy.concomitant_anticancer",
    "An anticancer therapy is to be given together with Proleukin.",
    "concomitant",
    ANTICANCER_THERAPY,
    excluding=NEVER_GIVEN,
)
WITH_CORTICOSTEROIDS = TherapyListed(
    "therapy.systemic_corticosteroids",
    "A systemic corticosteroid is to be given together with Proleukin.",
    "concomitant",
    SYSTEMIC_CORTICOSTEROIDS,
    excluding=NEVER_GIVEN,
)
TRANSPLANT_CENTER_PHYSICIAN_CONSULTED = Consulted(
    "consultants.transplant_center_physician",
    "A physician consulted is associated with a transplant center (one consultant, both).",
    specialties=PHYSICIANS,
    affiliations=TRANSPLANT_CENTER,
)
LESIONS_INJECTABLE = EveryItem(
    "lesions_injectable",
    "At least one lesion is listed, and every one is a metastatic, recurrent or "
    "unresectable cutaneous, subcutaneous or nodal lesion.",
    "lesions",
    (
        ("site", ("cutaneous", "subcutaneous", "nodal")),
        ("status", ("metastatic", "recurrent", "unresectable")),
    ),
)

ADULT = AtLeast("patient.age", Quantity("18", "a"))
SINGLE_AGENT = Not(IsTrue(CONCOMITANT_ANTICANCER.name))
INTRAVENOUS = OneOf("medication.route", INTRAVENOUS_ROUTE)
INTRALESIONAL = OneOf("medication.route", INTRALESIONAL_ROUTE)
SUBCUTANEOUS = OneOf("medication.route", SUBCUTANEOUS_ROUTE)


def _prescribed_by(*specialties: ValueSet) -> Either:
    """The prescriber, or a physician consulted, has one of these specialties."""
    return Either(
        *(Includes("prescriber.specialties", each) for each in specialties),
        *(Includes("consultants.specialties", each) for each in specialties),
    )


IV_DOSE = AtMost("medication.dose", Quantity("600000", "[iU]/kg"), Quantity("0.037", "mg/kg"))
THREE_TIMES_DAILY = AtMost("medication.frequency", Quantity("3", "/d"))
FOURTEEN_DOSES = AtMost("medication.schedule.doses_per_cycle", Quantity("14", "{dose}"))
SECOND_CYCLE = AtLeast("medication.schedule.cycles_per_course", Quantity("2", "{cycle}"))
TWO_CYCLES = AtMost("medication.schedule.cycles_per_course", Quantity("2", "{cycle}"))
NINE_DAYS_REST = AtLeast("medication.schedule.rest_between_cycles", Quantity("9", "d"))
ADDITIONAL_COURSE = AtLeast("medication.schedule.course_number", Quantity("2", "{course}"))
SEVEN_WEEKS_REST = AtLeast("medication.schedule.rest_before_course", Quantity("7", "wk"))

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
                        Either(
                            IsTrue(MELANOMA_METASTATIC.fact), IsTrue(MELANOMA_UNRESECTABLE.fact)
                        ),
                    ),
                    Predicate(
                        "1.A.iii",
                        "Patient has tried at least one other systemic therapy; AND",
                        AtLeast(PRIOR_SYSTEMIC_COUNT.name, Quantity("1", "{therapy}")),
                    ),
                    Predicate(
                        "1.A.iv", "Proleukin will be used as a single agent; AND", SINGLE_AGENT
                    ),
                    Predicate(
                        "1.A.v",
                        "Proleukin is prescribed by or in consultation with an oncologist; OR",
                        _prescribed_by(ONCOLOGY),
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
                        IsTrue(LESIONS_INJECTABLE.name),
                    ),
                    Predicate(
                        "1.B.iii",
                        "The medication is prescribed by or in consultation with an oncologist "
                        "or dermatologist.",
                        _prescribed_by(ONCOLOGY, DERMATOLOGY),
                    ),
                ),
                title="Intralesional Therapy.",
                requires=INTRALESIONAL,
            ),
        ),
        title="Cutaneous Melanoma.",
        requires=Includes("diagnoses", CUTANEOUS_MELANOMA_CODES),
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
                        (NINE_DAYS_REST, TWO_CYCLES),
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
                        (AtMost("medication.dose", Quantity("6", "10*6.[iU]/{lesion}")),),
                    ),
                    DoseLimit(
                        "Dosing 1.B.ii",
                        "The dose is given no more frequently than three times weekly.",
                        (AtMost("medication.frequency", Quantity("3", "/wk")),),
                    ),
                ),
                title="Intralesional Therapy",
                requires=INTRALESIONAL,
            ),
        ),
    ),
    section="FDA-Approved Indications",
    approval=Quantity("1", "a"),
)

RENAL_CELL_CARCINOMA = Indication(
    criteria=AllOf(
        "2",
        "Approve for 1 year if the patient meets ALL of the following (A, B, C, and D):",
        (
            Predicate("2.A", "Patient is ≥ 18 years of age; AND", ADULT),
            Predicate("2.B", "Patient has metastatic disease; AND", IsTrue(RCC_METASTATIC.fact)),
            Predicate("2.C", "Proleukin will be used as a single agent; AND", SINGLE_AGENT),
            Predicate(
                "2.D",
                "Proleukin is prescribed by or in consultation with an oncologist.",
                _prescribed_by(ONCOLOGY),
            ),
        ),
        title="Renal Cell Carcinoma.",
        requires=Includes("diagnoses", RENAL_CELL_CARCINOMA_CODES),
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
            DoseLimit(
                "Dosing 2.B",
                SECOND_CYCLE_TEXT,
                (NINE_DAYS_REST, TWO_CYCLES),
                applies_if=SECOND_CYCLE,
            ),
            DoseLimit(
                "Dosing 2.C",
                f"{ADDITIONAL_COURSE_TEXT}.",
                (SEVEN_WEEKS_REST,),
                applies_if=ADDITIONAL_COURSE,
            ),
        ),
    ),
    section="FDA-Approved Indications",
    approval=Quantity("1", "a"),
)

GRAFT_VERSUS_HOST_DISEASE = Indication(
    criteria=AllOf(
        "3",
        "Approve for 1 year if the patient meets ALL of the following (A, B, C, and D):",
        (
            Predicate(
                "3.A",
                "Patient has chronic graft-versus-host disease; AND",
                Includes("diagnoses", CHRONIC_GVHD_CODES),
            ),
            Predicate(
                "3.B",
                "According to the prescriber, the patient has steroid-refractory disease; AND",
                IsTrue(STEROID_REFRACTORY.fact),
            ),
            Predicate(
                "3.C",
                "Proleukin will be used in combination with systemic corticosteroids; AND",
                IsTrue(WITH_CORTICOSTEROIDS.name),
            ),
            Predicate(
                "3.D",
                "Proleukin will be prescribed by or in consultation with an oncologist or a "
                "physician associated with a transplant center.",
                Either(
                    *_prescribed_by(ONCOLOGY).checks,
                    Both(
                        Includes("prescriber.affiliations", TRANSPLANT_CENTER),
                        Includes("prescriber.specialties", PHYSICIANS),
                    ),
                    IsTrue(TRANSPLANT_CENTER_PHYSICIAN_CONSULTED.name),
                ),
            ),
        ),
        title="Graft-Versus-Host Disease.",
        requires=Includes("diagnoses", GVHD_CODES),
    ),
    dosing=DoseLimit(
        "Dosing 3",
        "Approve up to 1 million International Units/m2 administered subcutaneously no more "
        "frequently than once daily.",
        (
            SUBCUTANEOUS,
            AtMost("medication.dose", Quantity("1", "10*6.[iU]/m2")),
            AtMost("medication.frequency", Quantity("1", "/d")),
        ),
    ),
    section="Other Uses with Supportive Evidence",
    approval=Quantity("1", "a"),
)

#: Dosing Information's condition on additional courses: context, not a criterion
#: (quoted by the interpretation "retreatment" and by the Dosing Information).
RETREATMENT = (
    "Additional courses of therapy should only be given if there is evidence of tumor "
    "shrinkage after the previous course of therapy and there are no contraindications to "
    "retreatment."
)

_IV_LIMITS = ("Dosing 1.A.i", "Dosing 2.A")
_REST = ("Dosing 1.A.ii", "Dosing 1.A.iii", "Dosing 2.B", "Dosing 2.C")
_PRESCRIBERS = ("1.A.v", "1.B.iii", "2.D", "3.D")

# The current and the earlier version ask the same of the melanoma; only the current
# asks whether the renal cell carcinoma is metastatic.
MELANOMA_ASKED_ABOUT = Interpretation(
    "melanoma-asked-about",
    "1.A.ii asks about the melanoma",
    "The prescriber is asked whether the melanoma is metastatic and whether it is "
    "unresectable, each question naming the melanoma, so that an answer about another "
    "cancer the patient has (such as a renal cell carcinoma) is not taken for it. 1.A.ii "
    "is met when either answer is yes, not met when both are no, and otherwise unknown: "
    "the request then needs the answer missing.",
    ("1.A.ii",),
)

RCC_ASKED_ABOUT = Interpretation(
    "rcc-asked-about",
    "2.B asks about the renal cell carcinoma",
    "The prescriber is asked whether the renal cell carcinoma is metastatic, the question "
    "naming it, so that an answer about another cancer the patient has (such as a "
    "melanoma) is not taken for it. 2.B is met when the answer is yes, not met when it is "
    "no, and unknown when it is not given: the request then needs it.",
    ("2.B",),
)

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
        "that does not say which course leaves the criterion unknown unless the rest it gives "
        "meets the limit anyway; one that does not say how many cycles leaves it unknown, "
        "as a course holds at most two (see the interpretation course).",
        _REST,
    ),
    Interpretation(
        "course",
        "A course is at most two cycles",
        '"A second cycle is given after a minimum of 9 days of rest to complete a course of '
        'therapy": a course is one cycle, or two. A course of more cycles is outside the '
        "established dosing (clinician review); each additional course is asked for as a "
        "course of its own, after its rest.",
        ("Dosing 1.A.ii", "Dosing 2.B"),
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
        "Proleukin is used as a single agent when the concomitant therapies the request "
        f"lists hold no {ANTICANCER_THERAPY.describe()}: antineoplastic agents, endocrine "
        "therapy and the interferons (interferon alfa with Proleukin is a combination "
        "regimen), and the anticancer therapies ATC files elsewhere (the immunomodulatory "
        "imides, BCG, mifamurtide, histamine dihydrochloride, tasonermin, sipuleucel-T, "
        "the therapeutic "
        "radiopharmaceuticals of V10X); supportive medicines and other immunosuppressants "
        "may be listed. A concomitant therapy listed without "
        "its ATC codes, or only by a group that may hold one (L03A, L03, L04AX, V10), leaves "
        "1.A.iv and "
        "2.C unknown: it may be one. So do concomitant therapies given only in part (records "
        "with no list of them all) that hold none: one may be left out.",
        ("1.A.iv", "2.C"),
    ),
    Interpretation(
        "prior-therapy",
        "Other systemic therapies are those the request lists",
        '"Tried at least one other systemic therapy" is met when the therapies tried before '
        f"include one or more of {SYSTEMIC_ANTICANCER_THERAPY.describe()}, the therapies of "
        "the cancer: aldesleukin itself (L03AC01) is not another therapy, nor are supportive "
        "medicines (a colony-stimulating factor, L03AA) or immunosuppressants (L04), nor "
        "talimogene laherparepvec (L01XX51), injected into the lesions, never systemic. A prior "
        "therapy listed without its ATC codes, or only by a group that may hold one (L03A, "
        "L03; L01XX, which may be talimogene laherparepvec), may be one: it leaves the "
        "criterion unknown unless another settles it, as do therapies tried given only in "
        "part that hold none. A request does not say which disease "
        "each therapy was for: for a patient who also has another cancer, a systemic "
        "therapy of that cancer counts, and the worksheet lists the therapies read for the "
        "reviewer to check.",
        ("1.A.iii",),
    ),
    Interpretation(
        "contraindicated",
        "A contraindicated therapy was never given",
        "A therapy the request records with the outcome contraindication was never given, "
        "and will not be: it is not a therapy tried (1.A.iii), nor one given with Proleukin, "
        "whether the criterion asks for it (3.C, with systemic corticosteroids) or against "
        "it (1.A.iv and 2.C, as a single agent).",
        ("1.A.iii", "1.A.iv", "2.C", "3.C"),
    ),
    Interpretation(
        "prescriber",
        "Prescribed by or in consultation with",
        "Met when the prescriber, or any physician consulted, has the named specialty (for "
        "3.D, or is a physician associated with a transplant center: the prescriber, or one "
        "consultant, who is both associated with a transplant center and a physician by a "
        "specialty given, NUCC 20…; a nurse practitioner at a transplant center is not, two "
        "consultants who are one each are not, and one whose specialty is not given leaves "
        "it unknown).",
        _PRESCRIBERS,
    ),
    MELANOMA_ASKED_ABOUT,
    RCC_ASKED_ABOUT,
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
        "acute case is shown failing 3.A (chronic disease) rather than matching nothing. "
        "Two codes leave 3.A open, and the decision asks for a more specific diagnosis: "
        "D89.813 (unspecified) may be chronic, and D89.812 (acute on chronic) is a chronic "
        "disease's acute flare, which the policy does not say it treats.",
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
    # The Dosing Information's words, deliberately not decided: no request fact shows
    # tumor shrinkage or a contraindication to retreatment, and the Dosing criteria
    # ask only for the rest. A worksheet shows it when an additional course is asked.
    Interpretation(
        "retreatment",
        "Additional courses only after tumor shrinkage, without contraindications",
        RETREATMENT,
        ("Dosing 1.A.iii", "Dosing 2.C"),
        encoded=False,
    ),
)

POLICY = Policy(
    name="proleukin",
    title="Oncology (Injectable) – Proleukin Utilization Management Medical Policy",
    drug="Proleukin® (aldesleukin injection for intravenous use – Prometheus Laboratories)",
    requested=PROLEUKIN,
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
                "be given after at least 7 weeks of rest. " + RETREATMENT,
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
    review=STANDARD_REVIEW,
    value_sets=(
        CUTANEOUS_MELANOMA_CODES,
        RENAL_CELL_CARCINOMA_CODES,
        GVHD_CODES,
        CHRONIC_GVHD_CODES,
        ONCOLOGY,
        DERMATOLOGY,
        INTRAVENOUS_ROUTE,
        INTRALESIONAL_ROUTE,
        SUBCUTANEOUS_ROUTE,
        ANTICANCER_THERAPY,
        SYSTEMIC_ANTICANCER_THERAPY,
        PHYSICIANS,
        SYSTEMIC_CORTICOSTEROIDS,
    ),
    questions=(
        MELANOMA_METASTATIC,
        MELANOMA_UNRESECTABLE,
        RCC_METASTATIC,
        LESIONS,
        STEROID_REFRACTORY,
    ),
    derived=(
        PRIOR_SYSTEMIC_COUNT,
        CONCOMITANT_ANTICANCER,
        WITH_CORTICOSTEROIDS,
        LESIONS_INJECTABLE,
        TRANSPLANT_CENTER_PHYSICIAN_CONSULTED,
    ),
)
