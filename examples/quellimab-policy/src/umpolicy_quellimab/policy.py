"""Quellimab: a FICTIONAL teaching policy, encoded with umpolicy's public API alone.

Quellimab does not exist and no plan uses this policy: it is written for umpolicy's
tutorial and tests, in the usual shape of a plan's biologic policy. Its tree mirrors
the document label for label and word for word (criteria 1, 1.A.i-iv with 1.A.ii.a-b,
1.B.i-ii; 2, 2.A.i-iii with 2.A.ii.a-b, 2.B; their Dosing; CONDITIONS NOT
RECOMMENDED 1 and 2), with the PDF's line breaks joined.

What Proleukin never needed, and how it is said here:

- initial versus continuation of therapy: the headings "Initial Therapy" and "Patient
  is Currently Receiving Quellimab" are conditions on the request's kind, and carry
  their own approval periods (6 months, 1 year);
- step therapy with a trial length (a csDMARD for at least 3 months) and a
  contraindication exception (methotrexate contraindicated, according to the
  prescriber): derived facts over the therapy history;
- an exclusion (no combination with another biologic or a targeted synthetic DMARD):
  CONDITIONS NOT RECOMMENDED 1 holds a check of its own;
- weight tiers, a per-kg dose with an absolute cap, and "once every N weeks".

Every reading the code makes where the document is silent is an
:class:`~umpolicy.Interpretation` below. The codes in the value sets are real code
systems' codes (ICD-10-CM, NUCC, SNOMED CT, ATC), chosen for teaching; the policy
and its code are fictional.
"""

from __future__ import annotations

import datetime as dt

# --8<-- [start:imports]
from umpolicy import (
    STANDARD_REVIEW,
    AllOf,
    AnswerType,
    AnyOf,
    AtLeast,
    AtMost,
    DoseLimit,
    Drug,
    Either,
    Includes,
    Indication,
    Interpretation,
    IsTrue,
    LessThan,
    Not,
    NotRecommended,
    OneOf,
    Policy,
    Predicate,
    Quantity,
    Question,
    Source,
    Statement,
    TherapyListed,
    TherapyOutcome,
    ValueSet,
)

# --8<-- [end:imports]
# --- The drug: what a request for it is named or coded as -------------------------------

# --8<-- [start:drug]
#: A fictional drug has no real codes: a request names it. A real policy lists its
#: drug's codes too (``ValueSet("…", "…", "HCPCS", codes=(…,))``), one set per system.
QUELLIMAB = Drug(("Quellimab",))
# --8<-- [end:drug]

# --- Value sets: the codes the policy counts, each set named once -----------------------

# --8<-- [start:value-sets]
RHEUMATOID_ARTHRITIS_CODES = ValueSet(
    "rheumatoid-arthritis",
    "Rheumatoid arthritis",
    "ICD-10-CM",
    prefixes=("M05", "M06"),  # seropositive; other rheumatoid arthritis
    # M06 also holds two codes that are not rheumatoid arthritis: adult-onset Still's
    # disease, another disease; and inflammatory polyarthropathy, which may be RA or not.
    excluded=("M06.1",),
    undecided=("M06.4",),
)
PJIA_CODES = ValueSet(
    "polyarticular-juvenile-idiopathic-arthritis",
    "Polyarticular juvenile idiopathic arthritis",
    "ICD-10-CM",
    # M08.0 unspecified juvenile rheumatoid arthritis (where seropositive polyarticular
    # disease is coded); M08.3 juvenile rheumatoid polyarthritis (seronegative).
    prefixes=("M08.0", "M08.3"),
)
RHEUMATOLOGY = ValueSet(
    "rheumatology",
    "Rheumatologist",
    "NUCC taxonomy",
    codes=(
        "207RR0500X",  # Internal Medicine, Rheumatology
        "2080P0216X",  # Pediatrics, Pediatric Rheumatology
    ),
)
INTRAVENOUS_ROUTE = ValueSet("intravenous", "Intravenous", "SNOMED CT", codes=("47625008",))
SUBCUTANEOUS_ROUTE = ValueSet("subcutaneous", "Subcutaneous", "SNOMED CT", codes=("34206005",))

_METHOTREXATE = ("L04AX03", "L01BA01")
_CSDMARDS = (
    *_METHOTREXATE,
    "L04AA13",  # leflunomide (ATC before 2024)
    "L04AK01",  # leflunomide (ATC from 2024)
    "A07EC01",  # sulfasalazine
    "P01BA02",  # hydroxychloroquine
)
METHOTREXATE = ValueSet("methotrexate", "Methotrexate", "ATC", codes=_METHOTREXATE)
CSDMARDS = ValueSet(
    "csdmard",
    "Conventional synthetic DMARD (methotrexate, leflunomide, sulfasalazine, hydroxychloroquine)",
    "ATC",
    codes=_CSDMARDS,
)
_BIOLOGIC_PREFIXES = (
    "L04AB",  # tumor necrosis factor alpha inhibitors
    "L04AC",  # interleukin inhibitors
    "L04AF",  # Janus kinase inhibitors (targeted synthetic DMARDs)
    "L04AG",  # monoclonal antibodies (ATC from 2024: vedolizumab, belimumab, ...)
)
_BIOLOGIC_CODES = (
    "L04AA24",  # abatacept
    "L04AA32",  # apremilast (a targeted synthetic DMARD: a phosphodiesterase 4 inhibitor)
    "L01FA01",  # rituximab
    # Codes ATC gave these drugs before moving them in 2022 (the monoclonal antibodies
    # to L01F, the Janus kinase inhibitors to L04AF): a history may still carry them.
    "L01XC02",  # rituximab (ATC before 2022; L01FA01 from 2022)
    "L04AA29",  # tofacitinib (ATC before 2022; L04AF01 from 2022)
    "L04AA37",  # baricitinib (ATC before 2022; L04AF02 from 2022)
    "L04AA44",  # upadacitinib (ATC before 2022; L04AF03 from 2022)
    "L04AA45",  # filgotinib (ATC before 2022; L04AF04 from 2022)
    # ... and those of the monoclonal antibodies ATC moved to L04AG in 2024.
    "L04AA02",  # muromonab-CD3 (ATC before 2024; L04AG01 from 2024)
    "L04AA21",  # efalizumab (ATC before 2024; L04AG02 from 2024)
    "L04AA23",  # natalizumab (ATC before 2024; L04AG03 from 2024)
    "L04AA26",  # belimumab (ATC before 2024; L04AG04 from 2024)
    "L04AA33",  # vedolizumab (ATC before 2024; L04AG05 from 2024)
    "L04AA34",  # alemtuzumab (ATC before 2024; L04AG06 from 2024)
    "L04AA36",  # ocrelizumab (ATC before 2024; L04AG08 from 2024)
)
# Biologics of other diseases: "another biologic" is any biologic, but none of them is a
# therapy tried "for this condition" (2.A.ii.a), so only the exclusion counts them.
_OTHER_BIOLOGIC_PREFIXES = (
    "L01F",  # monoclonal antibodies and antibody-drug conjugates for cancer (from 2022)
    "L01XC",  # the same, before 2022 (ATC's monoclonal antibodies of L01X)
)
_OTHER_BIOLOGIC_CODES = (
    "L04AJ01",  # eculizumab (a complement inhibitor)
    "L04AA25",  # eculizumab (ATC before 2024)
    "L04AJ02",  # ravulizumab
    "L04AA43",  # ravulizumab (ATC before 2024)
    "D11AH05",  # dupilumab
    "R03DX05",  # omalizumab
    "R03DX08",  # reslizumab
    "R03DX09",  # mepolizumab
    "R03DX10",  # benralizumab
    "R03DX11",  # tezepelumab
    "D11AH07",  # tralokinumab
)
BIOLOGICS_AND_TSDMARDS = ValueSet(
    "biologic-or-tsdmard",
    "Biologic or targeted synthetic DMARD (teaching set)",
    "ATC",
    codes=(*_BIOLOGIC_CODES, *_OTHER_BIOLOGIC_CODES),
    prefixes=(*_BIOLOGIC_PREFIXES, *_OTHER_BIOLOGIC_PREFIXES),
)
JIA_SYSTEMIC_THERAPY = ValueSet(
    "jia-systemic-therapy",
    "Systemic disease-modifying therapy for juvenile idiopathic arthritis (a csDMARD, "
    "a biologic or a targeted synthetic DMARD)",
    "ATC",
    codes=(*_CSDMARDS, *_BIOLOGIC_CODES),
    prefixes=_BIOLOGIC_PREFIXES,
)
# --8<-- [end:value-sets]

# --- Questions: what a provider is asked that the request vocabulary has no place for ---

# --8<-- [start:question]
RESPONSE = Question(
    "response",
    "Has the patient responded to therapy, as determined by the prescriber (for example, "
    "less joint pain or swelling, improved function, or a decrease in a disease activity "
    "score)?",
    AnswerType.BOOLEAN,
)
# --8<-- [end:question]

# --- Derived facts: how the therapy history is read ---------------------------------

# --8<-- [start:derived-facts]
CSDMARD_TRIAL = TherapyListed(
    "therapy.csdmard_trial",
    "A conventional synthetic DMARD (methotrexate, leflunomide, sulfasalazine or "
    "hydroxychloroquine) was tried for at least 3 months.",
    "prior",
    CSDMARDS,
    at_least=Quantity("3", "mo"),
    excluding=(TherapyOutcome.CONTRAINDICATION,),  # contraindicated is never tried
)
METHOTREXATE_CONTRAINDICATED = TherapyListed(
    "therapy.methotrexate_contraindicated",
    "The therapy history records methotrexate as contraindicated (according to the prescriber).",
    "prior",
    METHOTREXATE,
    outcomes=(TherapyOutcome.CONTRAINDICATION,),
)
WITH_BIOLOGIC_OR_TSDMARD = TherapyListed(
    "therapy.concomitant_biologic_or_tsdmard",
    "A biologic or a targeted synthetic DMARD is to be given together with Quellimab.",
    "concomitant",
    BIOLOGICS_AND_TSDMARDS,
    excluding=(TherapyOutcome.CONTRAINDICATION,),  # contraindicated is not to be given
)
PRIOR_JIA_SYSTEMIC = TherapyListed(
    "therapy.prior_jia_systemic",
    "Another systemic disease-modifying therapy was tried (it failed, was not tolerated, "
    "or the patient responded).",
    "prior",
    JIA_SYSTEMIC_THERAPY,
    outcomes=(TherapyOutcome.FAILURE, TherapyOutcome.INTOLERANCE, TherapyOutcome.RESPONSE),
)
WITH_METHOTREXATE = TherapyListed(
    "therapy.concomitant_methotrexate",
    "Methotrexate is to be given together with Quellimab.",
    "concomitant",
    METHOTREXATE,
    excluding=(TherapyOutcome.CONTRAINDICATION,),  # contraindicated is not to be given
)
# --8<-- [end:derived-facts]

# --- Checks used more than once --------------------------------------------------------

# --8<-- [start:shared-checks]
INITIAL = OneOf("request.kind", ("initial",))
CONTINUATION = OneOf("request.kind", ("continuation",))
INTRAVENOUS = OneOf("medication.route", INTRAVENOUS_ROUTE)
SUBCUTANEOUS = OneOf("medication.route", SUBCUTANEOUS_ROUTE)
PRESCRIBED_BY_RHEUMATOLOGIST = Either(
    Includes("prescriber.specialties", RHEUMATOLOGY),
    Includes("consultants.specialties", RHEUMATOLOGY),
)
RESPONDED = IsTrue(RESPONSE.fact)
UNDER_30_KG = LessThan("patient.weight", Quantity("30", "kg"))
AT_LEAST_30_KG = AtLeast("patient.weight", Quantity("30", "kg"))
SC_DOSE = AtMost("medication.dose", Quantity("162", "mg"))
EVERY_WEEK = AtMost("medication.frequency", Quantity("1", "/wk"))
EVERY_2_WEEKS = AtMost("medication.frequency", Quantity("1", "/(2.wk)"))
EVERY_3_WEEKS = AtMost("medication.frequency", Quantity("1", "/(3.wk)"))
EVERY_4_WEEKS = AtMost("medication.frequency", Quantity("1", "/(4.wk)"))
EIGHT_MG_PER_KG = AtMost("medication.dose", Quantity("8", "mg/kg"))

HEADING_TEXT = "Approve for the duration noted if the patient meets ONE of the following (A or B):"
CURRENTLY_RECEIVING = "Patient is Currently Receiving Quellimab."
RHEUMATOLOGIST_TEXT = "The medication is prescribed by or in consultation with a rheumatologist; OR"
# --8<-- [end:shared-checks]

# --8<-- [start:ra-criteria]
RHEUMATOID_ARTHRITIS = Indication(
    criteria=AnyOf(
        "1",
        HEADING_TEXT,
        (
            AllOf(
                "1.A",
                "Approve for 6 months if the patient meets ALL of the following (i, ii, iii, "
                "and iv):",
                (
                    Predicate(
                        "1.A.i",
                        "Patient is ≥ 18 years of age; AND",
                        AtLeast("patient.age", Quantity("18", "a")),
                    ),
                    AnyOf(
                        "1.A.ii",
                        "Patient meets ONE of the following (a or b):",
                        (
                            Predicate(
                                "1.A.ii.a",
                                "Patient has tried one conventional synthetic disease-modifying "
                                "antirheumatic drug (DMARD) for at least 3 months (methotrexate, "
                                "leflunomide, sulfasalazine, or hydroxychloroquine); OR",
                                IsTrue(CSDMARD_TRIAL.name),
                            ),
                            Predicate(
                                "1.A.ii.b",
                                "Patient has a contraindication to methotrexate, according to "
                                "the prescriber; AND",
                                IsTrue(METHOTREXATE_CONTRAINDICATED.name),
                            ),
                        ),
                    ),
                    Predicate(
                        "1.A.iii",
                        "Quellimab will not be used in combination with another biologic or "
                        "with a targeted synthetic DMARD; AND",
                        Not(IsTrue(WITH_BIOLOGIC_OR_TSDMARD.name)),
                    ),
                    Predicate("1.A.iv", RHEUMATOLOGIST_TEXT, PRESCRIBED_BY_RHEUMATOLOGIST),
                ),
                title="Initial Therapy.",
                requires=INITIAL,
                approval=Quantity("6", "mo"),
            ),
            AllOf(
                "1.B",
                "Approve for 1 year if the patient meets ALL of the following (i and ii):",
                (
                    Predicate(
                        "1.B.i",
                        "Patient has been established on therapy for at least 6 months; AND",
                        AtLeast("therapies.time_on_drug", Quantity("6", "mo")),
                    ),
                    Predicate(
                        "1.B.ii",
                        "Patient has responded to therapy, as determined by the prescriber "
                        "(for example, less joint pain or swelling, improved function, or a "
                        "decrease in a disease activity score).",
                        RESPONDED,
                    ),
                ),
                title=CURRENTLY_RECEIVING,
                requires=CONTINUATION,
                approval=Quantity("1", "a"),
            ),
        ),
        title="Rheumatoid Arthritis.",
        requires=Includes("diagnoses", RHEUMATOID_ARTHRITIS_CODES),
    ),
    # --8<-- [end:ra-criteria]
    # --8<-- [start:ra-dosing]
    dosing=AnyOf(
        "Dosing 1",
        "Approve ONE of the following dosing regimens (A or B):",
        (
            DoseLimit(
                "Dosing 1.A",
                "Subcutaneous: up to 162 mg given no more frequently than once every week; OR",
                (SC_DOSE, EVERY_WEEK),
                requires=SUBCUTANEOUS,
            ),
            DoseLimit(
                "Dosing 1.B",
                "Intravenous: up to 8 mg/kg, to a maximum of 800 mg per infusion, given no "
                "more frequently than once every 4 weeks.",
                (
                    EIGHT_MG_PER_KG,
                    AtMost("medication.dose", Quantity("800", "mg")),
                    EVERY_4_WEEKS,
                ),
                requires=INTRAVENOUS,
            ),
        ),
    ),
    section="Recommended Authorization Criteria",
)
# --8<-- [end:ra-dosing]

# --8<-- [start:pjia-criteria]
POLYARTICULAR_JIA = Indication(
    criteria=AnyOf(
        "2",
        HEADING_TEXT,
        (
            AllOf(
                "2.A",
                "Approve for 6 months if the patient meets ALL of the following (i, ii, and iii):",
                (
                    Predicate(
                        "2.A.i",
                        "Patient is ≥ 2 years of age; AND",
                        AtLeast("patient.age", Quantity("2", "a")),
                    ),
                    AnyOf(
                        "2.A.ii",
                        "Patient meets ONE of the following (a or b):",
                        (
                            Predicate(
                                "2.A.ii.a",
                                "Patient has tried one other systemic therapy for this "
                                "condition; OR",
                                IsTrue(PRIOR_JIA_SYSTEMIC.name),
                            ),
                            Predicate(
                                "2.A.ii.b",
                                "Quellimab will be started in combination with methotrexate; AND",
                                IsTrue(WITH_METHOTREXATE.name),
                            ),
                        ),
                    ),
                    Predicate("2.A.iii", RHEUMATOLOGIST_TEXT, PRESCRIBED_BY_RHEUMATOLOGIST),
                ),
                title="Initial Therapy.",
                requires=INITIAL,
                approval=Quantity("6", "mo"),
            ),
            # 2.B has no lettered children: a criterion, whose words keep the heading.
            # A Predicate carries no approval of its own, so the 1 year it notes is the
            # indication's (see the "initial-continuation" interpretation).
            Predicate(
                "2.B",
                f"{CURRENTLY_RECEIVING} Approve for 1 year if the patient has responded to "
                "therapy, as determined by the prescriber.",
                RESPONDED,
                requires=CONTINUATION,
            ),
        ),
        title="Polyarticular Juvenile Idiopathic Arthritis.",
        requires=Includes("diagnoses", PJIA_CODES),
    ),
    # --8<-- [end:pjia-criteria]
    # --8<-- [start:pjia-dosing]
    dosing=AnyOf(
        "Dosing 2",
        "Approve ONE of the following dosing regimens (A or B):",
        (
            AnyOf(
                "Dosing 2.A",
                "(i or ii):",
                (
                    DoseLimit(
                        "Dosing 2.A.i",
                        "Patient weighs less than 30 kg: up to 10 mg/kg given no more "
                        "frequently than once every 4 weeks; OR",
                        (AtMost("medication.dose", Quantity("10", "mg/kg")), EVERY_4_WEEKS),
                        requires=UNDER_30_KG,
                    ),
                    DoseLimit(
                        "Dosing 2.A.ii",
                        "Patient weighs 30 kg or more: up to 8 mg/kg given no more frequently "
                        "than once every 4 weeks; OR",
                        (EIGHT_MG_PER_KG, EVERY_4_WEEKS),
                        requires=AT_LEAST_30_KG,
                    ),
                ),
                title="Intravenous",
                requires=INTRAVENOUS,
            ),
            AnyOf(
                "Dosing 2.B",
                "(i or ii):",
                (
                    DoseLimit(
                        "Dosing 2.B.i",
                        "Patient weighs less than 30 kg: up to 162 mg given no more frequently "
                        "than once every 3 weeks; OR",
                        (SC_DOSE, EVERY_3_WEEKS),
                        requires=UNDER_30_KG,
                    ),
                    DoseLimit(
                        "Dosing 2.B.ii",
                        "Patient weighs 30 kg or more: up to 162 mg given no more frequently "
                        "than once every 2 weeks.",
                        (SC_DOSE, EVERY_2_WEEKS),
                        requires=AT_LEAST_30_KG,
                    ),
                ),
                title="Subcutaneous",
                requires=SUBCUTANEOUS,
            ),
        ),
    ),
    section="Recommended Authorization Criteria",
    approval=Quantity("1", "a"),
)
# --8<-- [end:pjia-dosing]

_INITIAL = ("1.A", "2.A")
_CONTINUATION = ("1.B", "2.B")
_ROUTES = ("Dosing 1.A", "Dosing 1.B", "Dosing 2.A", "Dosing 2.B")
_TIERS = ("Dosing 2.A.i", "Dosing 2.A.ii", "Dosing 2.B.i", "Dosing 2.B.ii")
_DOSING_LEAVES = ("Dosing 1.A", "Dosing 1.B", *_TIERS)

INTERPRETATIONS = (
    Interpretation(
        "fictional",
        "A fictional teaching policy",
        "Quellimab does not exist and no plan uses this policy: it was written for "
        "umpolicy's tutorial and tests. The code that encodes it is fictional too. The "
        "value sets hold real codes of real code systems (ICD-10-CM, NUCC taxonomy, SNOMED "
        "CT, ATC), chosen for teaching; a plan writing a real policy chooses and reviews "
        "its own.",
        ("1", "2", "Dosing 1", "Dosing 2"),
    ),
    Interpretation(
        "initial-continuation",
        "Initial and continuation requests, and their periods",
        '"Initial Therapy" is a condition on a request for initial therapy, and "Patient is '
        'Currently Receiving Quellimab" on a request for continuation of therapy (the '
        "request's kind); a request that does not say which leaves both unknown. An initial "
        "approval runs for 6 months and a continuation approval for 1 year from the "
        "request date, through the day before the same date that many months later (a date "
        "the month lacks comes round on the first of the next month). 2.B has no lettered "
        "criteria of its own, so it is one criterion whose words keep its heading; its 1 "
        "year is the period of indication 2, which the 6 months of 2.A override.",
        (*_INITIAL, *_CONTINUATION),
    ),
    Interpretation(
        "diagnoses",
        "Which diagnosis codes are each condition",
        f"Rheumatoid arthritis is a code of {RHEUMATOID_ARTHRITIS_CODES.describe()}: "
        "seropositive, and other rheumatoid arthritis. M06 also holds adult-onset Still's "
        "disease (M06.1), another disease, so it is taken out; and inflammatory "
        "polyarthropathy (M06.4), which may be rheumatoid arthritis or not, so it leaves "
        "criterion 1 unknown and the decision asks for a more specific code (as does the "
        "category M06 itself, which holds both). Polyarticular "
        f"juvenile idiopathic arthritis is a code of {PJIA_CODES.describe()}: unspecified "
        "juvenile rheumatoid arthritis, where seropositive polyarticular disease is coded, "
        "and juvenile rheumatoid polyarthritis, seronegative. A request with diagnoses of "
        "both conditions that meets both criteria is approved when either one's dosing is "
        "met (the first, in the policy's order); short of that, the first met decides.",
        ("1", "2"),
    ),
    Interpretation(
        "age",
        "Age in whole years on the request date",
        '"≥ 18 years of age" and "≥ 2 years of age" are met from that birthday: age is '
        "counted in whole years from the birth date to the request date (a 29 February "
        "birthday turns on 1 March). Continuation of therapy has no age criterion.",
        ("1.A.i", "2.A.i"),
    ),
    Interpretation(
        "months",
        "Months are UCUM months",
        '"For at least 3 months" and "for at least 6 months" compare durations exactly in '
        "UCUM's mean month (30.4375 days): a duration given in weeks or days is converted "
        "exactly, so 13 weeks (91 days) is short of 3 months (91.3125 days) and 27 weeks "
        "(189 days) is at least 6 months (182.625 days).",
        ("1.A.ii.a", "1.B.i"),
    ),
    Interpretation(
        "step-therapy",
        "A csDMARD tried for at least 3 months",
        "1.A.ii.a is met when the therapy history lists, among the therapies tried before, "
        "methotrexate, leflunomide, sulfasalazine or hydroxychloroquine (their ATC codes) "
        "given for at least 3 months, whatever happened (failure, intolerance, response, or "
        "not said), but not one recorded as a contraindication: that was never tried. A "
        "matching therapy whose duration is not given, or a therapy listed without its ATC "
        "codes, leaves the criterion unknown unless another one settles it; a history that "
        "is not given leaves it unknown.",
        ("1.A.ii.a",),
    ),
    Interpretation(
        "contraindication",
        "A contraindication to methotrexate, according to the prescriber",
        f"1.A.ii.b is met when the therapy history lists {METHOTREXATE.describe()} with "
        "the outcome contraindication: the prescriber records it so.",
        ("1.A.ii.b",),
    ),
    Interpretation(
        "combination",
        "Another biologic or a targeted synthetic DMARD",
        "Quellimab is used in combination with another biologic or a targeted synthetic "
        "DMARD when the therapies to be given with it include one of the teaching set, "
        f"{BIOLOGICS_AND_TSDMARDS.describe()}: TNF-alpha, interleukin and Janus kinase "
        "inhibitors, abatacept and rituximab; one recorded as a contraindication will not "
        "be given, so it is no combination. The same fact "
        "decides criterion 1.A.iii and CONDITIONS NOT RECOMMENDED 1, which holds for both "
        "indications and for continuation too: when it is met the request is not "
        "recommended, and while the therapies to be given with Quellimab are not given, "
        "or are given only in part and hold none, or one is listed without its ATC codes "
        "or only by an ATC group that may hold one (L04A), no request is approved "
        "(insufficient information).",
        ("1.A.iii",),
    ),
    # --8<-- [start:interpretation-example]
    Interpretation(
        "pjia-systemic-therapy",
        "One other systemic therapy for this condition",
        "2.A.ii.a is met when the therapy history lists, among the therapies tried before, "
        "a systemic disease-modifying therapy: a csDMARD (methotrexate, leflunomide, "
        "sulfasalazine, hydroxychloroquine), or a biologic or targeted synthetic DMARD of "
        "the teaching set, that failed, was not tolerated, or to which the patient "
        "responded. A therapy listed as contraindicated was never given, so it was not "
        "tried; one listed without its outcome leaves 2.A.ii.a unknown, and the decision "
        "asks what happened (it may have failed). NSAIDs and corticosteroids are not "
        "counted: they relieve symptoms and do not modify the disease. The history does not "
        "say which condition "
        "a therapy was for; every listed therapy counts as for this one.",
        ("2.A.ii.a",),
    ),
    # --8<-- [end:interpretation-example]
    Interpretation(
        "with-methotrexate",
        "Started in combination with methotrexate",
        "2.A.ii.b is met when the therapies to be given with Quellimab include "
        f"{METHOTREXATE.describe()}, but not one recorded as a contraindication: that will "
        "not be given.",
        ("2.A.ii.b",),
    ),
    Interpretation(
        "established",
        "Established on therapy",
        "1.B.i is met when the request's time on the requested drug is at least 6 months.",
        ("1.B.i",),
    ),
    Interpretation(
        "response",
        "Response as determined by the prescriber",
        "Whether the patient has responded to therapy is the prescriber's answer to the "
        "policy's question response (yes or no); the examples in the text are for the "
        "prescriber, not checked separately.",
        ("1.B.ii", "2.B"),
    ),
    Interpretation(
        "prescriber",
        "Prescribed by or in consultation with a rheumatologist",
        "Met when the prescriber, or any physician consulted, has a code of "
        f"{RHEUMATOLOGY.describe()}: Internal Medicine, Rheumatology, or Pediatrics, "
        "Pediatric Rheumatology.",
        ("1.A.iv", "2.A.iii"),
    ),
    Interpretation(
        "route-headings",
        "Route headings are conditions",
        "Subcutaneous and Intravenous are conditions on the requested route "
        f"({SUBCUTANEOUS_ROUTE.describe()}, {INTRAVENOUS_ROUTE.describe()}): a regimen "
        "applies only to a request for its route. Any "
        "route meets the criteria; a route no regimen has is outside the established "
        "dosing.",
        _ROUTES,
    ),
    Interpretation(
        "weight-tiers",
        "Weight tiers",
        '"Weighs less than 30 kg" is strict (29.999 kg is under, 30 kg is not) and "30 kg '
        'or more" inclusive, so every weight falls in exactly one tier. Weights in g or lb '
        "are converted exactly; a request that does not give the weight leaves the tiers "
        "unknown.",
        _TIERS,
    ),
    Interpretation(
        "per-kg-and-cap",
        "A per-kg dose with an absolute cap",
        '"Up to 8 mg/kg, to a maximum of 800 mg per infusion" are two limits, both to be '
        "met. A dose given per kg is compared with 8 mg/kg as it is, and multiplied by the "
        "weight for the 800 mg cap; a dose given in mg is compared with 800 mg as it is, and "
        "divided by the weight for the 8 mg/kg limit (so above 100 kg the cap decides). "
        "Likewise 10 mg/kg, and the 162 mg doses for a dose given per kg. Every comparison "
        "is exact: decimal values from the request's text, never binary floating point.",
        _DOSING_LEAVES,
    ),
    Interpretation(
        "inclusive-limits",
        "Limits are inclusive as worded",
        '"Up to", "to a maximum of" and "no more frequently than" allow the limit itself '
        '(≤); "at least" and "≥" require the limit itself or more.',
        (*_DOSING_LEAVES, "1.A.i", "1.A.ii.a", "1.B.i", "2.A.i"),
    ),
    Interpretation(
        "frequency",
        "Once every N weeks",
        '"No more frequently than once every 4 weeks" is a frequency of at most 1 per 4 '
        'weeks (UCUM /(4.wk)); "once every week" is at most 1 per week (/wk). A frequency '
        "given in another rate (per day, once every 28 days) is converted exactly: once "
        "every 28 days is once every 4 weeks.",
        _DOSING_LEAVES,
    ),
    Interpretation(
        "outcomes",
        "Outcomes, and why the library never denies",
        "CONDITIONS NOT RECOMMENDED 1, when met, makes the request not recommended, and "
        "while it is unknown no request is approved. Otherwise an indication whose "
        "criteria are met and whose dosing is met is recommended for approval for its "
        "period; criteria met but dosing not met goes to clinician review, case by case, as "
        "the POLICY STATEMENT says; dosing unknown is insufficient information. No "
        "indication met: any unknown criterion gives insufficient information (with the "
        "facts needed), otherwise not recommended (CONDITIONS NOT RECOMMENDED 2). These are "
        "recommendations; a clinician makes every adverse determination.",
        ("1", "2", "Dosing 1", "Dosing 2"),
    ),
)

# --8<-- [start:policy]
POLICY = Policy(
    name="quellimab",
    title="Immunology (Injectable) – Quellimab Utilization Management Medical Policy",
    drug="Quellimab (a FICTIONAL interleukin-6 receptor antagonist, injection for "
    "intravenous or subcutaneous use)",
    requested=QUELLIMAB,
    plans="Example Health Plan (all lines of business)",
    effective=dt.date(2025, 7, 1),
    reviewed=dt.date(2026, 6, 15),
    version="2026-06-15",
    revision_note="",
    context=(
        Source(
            "Quellimab",
            (
                "Quellimab (a FICTIONAL interleukin-6 receptor antagonist, injection for "
                "intravenous or subcutaneous use) — this is a teaching policy written for "
                "umpolicy's tutorial and tests. No such drug exists, and no plan uses this "
                "policy. Its structure follows the usual shape of health-plan UM policies "
                "for biologics.",
            ),
        ),
    ),
    statement=(
        Statement(
            "prior-authorization",
            "Prior Authorization is recommended for medical and pharmacy benefit coverage of "
            "Quellimab.",
        ),
        Statement(
            "approval",
            "Approval is recommended for those who meet the Criteria and Dosing for the listed "
            "indications.",
        ),
        Statement(
            "duration",
            "Approvals for initial therapy are provided for 6 months; approvals for "
            "continuation of therapy are provided for 1 year.",
        ),
        Statement(
            "case_by_case",
            "Requests for doses outside of the established dosing documented in this policy "
            "will be considered on a case-by-case basis by a clinician (i.e., Medical Director "
            "or Pharmacist).",
        ),
    ),
    preamble="Coverage of Quellimab is recommended in those who meet one of the following "
    "criteria:",
    indications=(RHEUMATOID_ARTHRITIS, POLYARTICULAR_JIA),
    not_recommended_preamble="Coverage of Quellimab is not recommended in the following "
    "situations:",
    # --8<-- [start:exclusions]
    not_recommended=(
        NotRecommended(
            "1",
            "Concurrent use with another biologic or with a targeted synthetic DMARD. This "
            "medication should not be administered in combination with another biologic or "
            "with a targeted synthetic DMARD.",
            check=IsTrue(WITH_BIOLOGIC_OR_TSDMARD.name),
        ),
        NotRecommended(
            "2",
            "Coverage is not recommended for circumstances not listed in the Recommended "
            "Authorization Criteria.",
        ),
    ),
    # --8<-- [end:exclusions]
    interpretations=INTERPRETATIONS,
    review=STANDARD_REVIEW,
    value_sets=(
        RHEUMATOID_ARTHRITIS_CODES,
        PJIA_CODES,
        RHEUMATOLOGY,
        INTRAVENOUS_ROUTE,
        SUBCUTANEOUS_ROUTE,
        METHOTREXATE,
        CSDMARDS,
        BIOLOGICS_AND_TSDMARDS,
        JIA_SYSTEMIC_THERAPY,
    ),
    questions=(RESPONSE,),
    derived=(
        CSDMARD_TRIAL,
        METHOTREXATE_CONTRAINDICATED,
        WITH_BIOLOGIC_OR_TSDMARD,
        PRIOR_JIA_SYSTEMIC,
        WITH_METHOTREXATE,
    ),
)
# --8<-- [end:policy]
