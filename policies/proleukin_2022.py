"""Proleukin as it stood before its 2025 annual revision: RECONSTRUCTED, not the plan's text.

umpolicy has no copy of the earlier document. This version is rebuilt from the current
one's revision note of 02/05/2025 ("Condition of approval changed from kidney cancer to
metastatic disease. Removed requirement that the patient has clear cell histology."):
every line is the current policy's except criterion 2, whose earlier words are ours.
Its dates are our reading too: in force for requests dated 2022-01-01 to 2025-02-04.
:data:`PROVENANCE` says so, and the docs, the diff and the worksheet show it.

Everything unchanged is the current module's own object, imported, never copied: the
melanoma and graft-versus-host indications, the RCC dosing, criterion 2.A, and the words
and checks of the earlier 2.D and 2.E (the current 2.C and 2.D, relettered).
"""

from __future__ import annotations

import datetime as dt
import re

from attrs import evolve

from umpolicy import AllOf, AnswerType, Includes, Interpretation, IsTrue, Predicate, Question
from umpolicy.policy import Provenance
from umpolicy_policies.proleukin import POLICY as CURRENT
from umpolicy_policies.proleukin import (
    RCC_ASKED_ABOUT,
    RCC_METASTATIC,
    RENAL_CELL_CARCINOMA,
    RENAL_CELL_CARCINOMA_CODES,
)

#: The earlier 2.D and 2.E are the current 2.C and 2.D: the revision reletters them.
RELETTERED = {"2.C": "2.D", "2.D": "2.E"}

CLEAR_CELL_HISTOLOGY = Question(
    "clear_cell_histology",
    "Does the renal cell carcinoma have clear cell histology?",
    AnswerType.BOOLEAN,
)

_CURRENT_RCC = RENAL_CELL_CARCINOMA.criteria

RENAL_CELL_CARCINOMA_2022 = evolve(
    RENAL_CELL_CARCINOMA,
    criteria=AllOf(
        "2",
        "Approve for 1 year if the patient meets ALL of the following (A, B, C, D, and E):",
        (
            CURRENT.node("2.A"),
            Predicate(
                "2.B",
                "Patient has kidney cancer; AND",
                # Kidney cancer, read as the renal cell carcinoma the heading asks for.
                Includes("diagnoses", RENAL_CELL_CARCINOMA_CODES),
            ),
            Predicate(
                "2.C", "Patient has clear cell histology; AND", IsTrue(CLEAR_CELL_HISTOLOGY.fact)
            ),
            *(evolve(CURRENT.node(now), label=then) for now, then in RELETTERED.items()),
        ),
        title=_CURRENT_RCC.title,
        requires=_CURRENT_RCC.requires,
    ),
)

PROVENANCE = Provenance(
    "Reconstructed from the revision note of 02/05/2025: umpolicy has no copy of this "
    "version. The words of its criterion 2 (the heading's list of letters, 2.B \u201ckidney "
    "cancer\u201d and 2.C \u201cclear cell histology\u201d, and 2.D and 2.E, the current 2.C and "
    "2.D before the relettering) are the project's, not the plan's; every other line is the "
    "plan's 02/05/2025 text. Its dates are our reading: in force for requests dated "
    "2022-01-01 to 2025-02-04 (its review date is not known; the date the policy took "
    "effect stands in for it).",
    ("2", "2.B", "2.C", "2.D", "2.E"),
)

_LABEL = re.compile(r"(?<![\w.])(?<!Dosing )(2\.[CD])(?![\w.])")


def _relettered(item: Interpretation) -> Interpretation:
    """A current interpretation, its criterion-2 labels (in words and list) as they were."""
    return evolve(
        item,
        text=_LABEL.sub(lambda found: RELETTERED[found.group(1)], item.text),
        labels=tuple(RELETTERED.get(label, label) for label in item.labels),
    )


INTERPRETATIONS = (
    *(_relettered(item) for item in CURRENT.interpretations if item is not RCC_ASKED_ABOUT),
    Interpretation(
        "kidney-cancer",
        "Kidney cancer is the renal cell carcinoma the heading asks for",
        "2.B \u201cPatient has kidney cancer\u201d is met by a renal cell carcinoma diagnosis "
        "(ICD-10-CM C64), the one the heading Renal Cell Carcinoma already asks for: so 2.B "
        "is met whenever criterion 2 applies. (Reconstructed words: see the provenance.)",
        ("2.B",),
    ),
    Interpretation(
        "clear-cell-histology",
        "Clear cell histology is the prescriber's answer",
        "2.C is met when the prescriber answers that the renal cell carcinoma has clear cell "
        "histology; unanswered, it is unknown and the request needs that information. "
        "(Reconstructed words: see the provenance.)",
        ("2.C",),
    ),
)

POLICY = evolve(
    CURRENT,
    effective=dt.date(2022, 1, 1),
    reviewed=dt.date(2022, 1, 1),
    version="2022-01-01",
    revision_note="",
    indications=tuple(
        RENAL_CELL_CARCINOMA_2022 if each is RENAL_CELL_CARCINOMA else each
        for each in CURRENT.indications
    ),
    interpretations=INTERPRETATIONS,
    # Its 2.B is the diagnosis: it never asks whether the renal cell carcinoma is metastatic.
    questions=(
        *(each for each in CURRENT.questions if each is not RCC_METASTATIC),
        CLEAR_CELL_HISTOLOGY,
    ),
    provenance=PROVENANCE,
)
