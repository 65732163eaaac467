"""Rewrite requests of the 0.1 shape into the shared request vocabulary (one-off migration).

umpolicy 0.1 read a Proleukin-shaped request (``diagnosis.condition``, ``regimen``,
``therapy.prior_systemic``, ...); 0.2 reads one vocabulary for every policy. This
script maps stored 0.1 requests, one JSON object per line (or one file), to the new
shape, so that a plan can replay its history. The choices it makes where 0.1 said
less than 0.2 asks (a condition becomes one ICD-10-CM code, a specialty one NUCC code,
a drug name an ATC code when it is one of the names below, else the class of
antineoplastic agents) are written in the tables here.

It is also how the 0.2 engine was checked against 0.1: the 0.1 examples and a
generated corpus, decided by both engines (0.1's requests mapped by this script),
gave the same outcome, path, reasons, facts needed and authorization for every
request that 0.2 can express. The one thing 0.2 cannot express is a 0.1 request that
gave ``concomitant_anticancer`` but not ``systemic_corticosteroids`` (or the other way
round): 0.2 has one list of concomitant therapies, which says every therapy given, so
reading the half given as the whole list ("no other therapy") would approve a request
0.1 held for information. The half not said becomes an entry of an ATC group that may
or may not be such a therapy (see :data:`ANTICANCER_UNSAID`): that fact stays unknown,
and the decision asks for the concomitant therapies, as 0.1 asked for it.

It fails closed as 0.1 did: a request 0.1 refused (a record given as null, a field 0.1
did not have, a list of drugs given as text, a condition, route or specialty 0.1 did
not know, no date) is not migrated. Its line is named on standard error with the field
and the reason, the others are written, and the exit status is 1.

Usage: ``python scripts/migrate_requests.py OLD.jsonl > NEW.jsonl``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from umpolicy_policies.proleukin import MELANOMA_METASTATIC, MELANOMA_UNRESECTABLE, RCC_METASTATIC

DIAGNOSES = {
    "cutaneous_melanoma": ("C43.9", "Malignant melanoma of skin, unspecified"),
    "renal_cell_carcinoma": ("C64.9", "Malignant neoplasm of unspecified kidney"),
    "chronic_graft_versus_host_disease": ("D89.811", "Chronic graft-versus-host disease"),
    "acute_graft_versus_host_disease": ("D89.810", "Acute graft-versus-host disease"),
    "other": ("C50.919", "Malignant neoplasm of unspecified site of unspecified breast"),
}
#: 0.1's "metastatic" and "unresectable", by its condition: each cancer's own answers now.
ANSWERS_OF = {
    "cutaneous_melanoma": {
        "metastatic": MELANOMA_METASTATIC.id,
        "unresectable": MELANOMA_UNRESECTABLE.id,
    },
    "renal_cell_carcinoma": {"metastatic": RCC_METASTATIC.id},
}
SPECIALTIES = {
    "oncology": "207RX0202X",
    "dermatology": "207N00000X",
    "hematology": "207RH0000X",
    "transplant": "204F00000X",
    "other": "207Q00000X",
}
ROUTES = {
    "intravenous": ("47625008", "Intravenous"),
    "intralesional": ("372464004", "Intralesional"),
    "subcutaneous": ("34206005", "Subcutaneous"),
    "other": ("26643006", "Oral"),
}
#: ATC codes of drug names 0.1 requests often gave. Any other name is coded L01XX (other
#: antineoplastic agents), a group that may be talimogene laherparepvec, which is no
#: systemic therapy: 1.A.iii ("tried at least one other systemic therapy") is then
#: unknown until the drug's own code is given, where 0.1 took the name's word for it.
DRUG_CODES = {
    "pembrolizumab": "L01FF02",
    "nivolumab": "L01FF01",
    "ipilimumab": "L01FX04",
    "dabrafenib": "L01EC02",
    "trametinib": "L01EE01",
}
PREDNISONE = {"name": "prednisone", "codes": ["H02AB07"]}
#: What a half of 0.1's concomitant therapies not said becomes in 0.2's one list, which
#: says every therapy given: an ATC group that may or may not hold one of the policy's
#: (a group above a code of a value set leaves membership unknown), so that fact stays
#: unknown, as in 0.1, and the other is as 0.1 said. Immunostimulants (L03A) may be
#: interferons (L03AB, anticancer) and are no corticosteroid; systemic corticosteroids
#: (H02) may be those of a policy (H02A, H02B; not the antiadrenal H02C) and are no
#: anticancer therapy.
ANTICANCER_UNSAID = {"name": "anticancer therapy (0.1 did not say)", "codes": ["L03A"]}
STEROIDS_UNSAID = {"name": "corticosteroid (0.1 did not say)", "codes": ["H02"]}
SCHEDULE = (
    "doses_per_cycle",
    "cycles_per_course",
    "rest_between_cycles",
    "course_number",
    "rest_before_course",
)


class NotMigrated(ValueError):
    """A 0.1 request this script does not map, as 0.1 refused it: the reason, at a path."""


#: The fields of each 0.1 record, by its path (each consultant is a physician).
FIELDS = {
    "$": (
        *("date", "policy", "id", "patient", "diagnosis", "therapy", "prescriber"),
        *("consultants", "regimen"),
    ),
    "$.patient": ("birth_date", "weight", "height", "bsa"),
    "$.diagnosis": ("condition", "metastatic", "unresectable", "steroid_refractory", "lesions"),
    "$.therapy": ("prior_systemic", "concomitant_anticancer", "systemic_corticosteroids"),
    "physician": ("specialty", "transplant_center"),
    "$.regimen": ("route", "dose", "frequency", *SCHEDULE),
}


def _record(value: object, where: str, fields: str) -> dict[str, Any]:
    """A 0.1 record: a JSON object of its own fields alone (null was no record in 0.1)."""
    if not isinstance(value, dict):
        raise NotMigrated(f"expected an object, got {json.dumps(value)} @ {where}")
    extra = sorted(set(value) - set(FIELDS[fields]))
    if extra:
        raise NotMigrated(f"extra fields found ({', '.join(extra)}) @ {where}")
    return value


def _section(old: dict[str, Any], name: str) -> dict[str, Any]:
    """A record of the request; one not given is 0.1's default, empty."""
    return _record(old.get(name, {}), f"$.{name}", f"$.{name}")


def _names(value: object, where: str) -> list[str] | None:
    """A list of drug names, or ``None`` when not given; text is no list."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(each, str) for each in value):
        raise NotMigrated(f"expected a list of drug names, got {json.dumps(value)} @ {where}")
    return value


def _coded(table: dict[str, Any], value: object, where: str) -> Any:
    """A 0.1 code's mapping; a code 0.1 did not have is refused, as 0.1 refused it."""
    if not isinstance(value, str) or value not in table:
        known = ", ".join(table)
        raise NotMigrated(f"{json.dumps(value)} is not one of {known} @ {where}")
    return table[value]


def _therapy(name: str) -> dict[str, Any]:
    return {"name": name, "codes": [DRUG_CODES.get(name.strip().lower(), "L01XX")]}


def _physician(value: object, where: str) -> dict[str, Any]:
    old = _record(value, where, "physician")
    specialty, center = old.get("specialty"), old.get("transplant_center")
    return {
        "specialties": None
        if specialty is None
        else [_coded(SPECIALTIES, specialty, f"{where}.specialty")],
        "affiliations": None if center is None else (["transplant-center"] if center else []),
    }


def _present(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


def migrate(old: object) -> dict[str, Any]:
    """A 0.1 request as a request of the shared vocabulary (``kind`` is initial).

    Raises :class:`NotMigrated` for a request 0.1 refused (see the module's docstring).
    """
    old = _record(old, "$", "$")
    if old.get("date") is None:
        raise NotMigrated("required field missing @ $.date")
    diagnosis, therapy = _section(old, "diagnosis"), _section(old, "therapy")
    regimen = _section(old, "regimen")
    new: dict[str, Any] = _present({"id": old.get("id"), "policy": old.get("policy")})
    new |= {"date": old["date"], "kind": "initial", "patient": _present(_section(old, "patient"))}
    if diagnosis.get("condition") is not None:
        code, display = _coded(DIAGNOSES, diagnosis["condition"], "$.diagnosis.condition")
        new["diagnoses"] = [{"code": code, "display": display}]
    # 0.1's answers sat on its one diagnosis; now each names its cancer.
    asked = ANSWERS_OF.get(str(diagnosis.get("condition")), {})
    answers = _present({now: diagnosis.get(then) for then, now in asked.items()})
    answers |= _present({"steroid_refractory": diagnosis.get("steroid_refractory")})
    lesions = diagnosis.get("lesions")
    if lesions is not None:
        if not isinstance(lesions, list) or not all(isinstance(e, dict) for e in lesions):
            raise NotMigrated(
                f"expected a list of lesions, got {json.dumps(lesions)} @ $.diagnosis.lesions"
            )
        answers["lesions"] = [dict(lesion) for lesion in lesions]
    therapies: dict[str, Any] = {}
    prior = _names(therapy.get("prior_systemic"), "$.therapy.prior_systemic")
    if prior is not None:
        therapies["prior"] = [_therapy(name) for name in prior]
    concomitant = _names(therapy.get("concomitant_anticancer"), "$.therapy.concomitant_anticancer")
    steroids = therapy.get("systemic_corticosteroids")
    if steroids not in (None, True, False):
        where = "$.therapy.systemic_corticosteroids"
        raise NotMigrated(f"expected true or false, got {json.dumps(steroids)} @ {where}")
    if concomitant is not None or steroids is not None:  # the list says every therapy
        listed = [_therapy(name) for name in concomitant] if concomitant is not None else []
        if concomitant is None:
            listed.append(ANTICANCER_UNSAID)
        if steroids is None:
            listed.append(STEROIDS_UNSAID)
        elif steroids:
            listed.append(PREDNISONE)
        therapies["concomitant"] = listed
    if therapies:
        new["therapies"] = therapies
    new["prescriber"] = _present(_physician(old.get("prescriber", {}), "$.prescriber"))
    consultants = old.get("consultants")
    if consultants is not None:
        if not isinstance(consultants, list):
            raise NotMigrated(f"expected a list, got {json.dumps(consultants)} @ $.consultants")
        new["consultants"] = [
            _physician(each, f"$.consultants[{at}]") for at, each in enumerate(consultants)
        ]
    medication: dict[str, Any] = {"name": "Proleukin"}
    if regimen.get("route") is not None:
        code, display = _coded(ROUTES, regimen["route"], "$.regimen.route")
        medication["route"] = {"code": code, "display": display}
    medication |= _present({key: regimen.get(key) for key in ("dose", "frequency")})
    schedule = _present({key: regimen.get(key) for key in SCHEDULE})
    if schedule:
        medication["schedule"] = schedule
    new["medication"] = medication
    if answers:
        new["answers"] = {"proleukin": answers}
    return new


def main(argv: list[str]) -> int:
    """Migrate the file named (a JSON object, or JSON Lines) to standard output.

    Each request not migrated is named on standard error (its line, the field, the
    reason); the status is then 1, else 0.
    """
    (path,) = argv
    text = Path(path).read_text(encoding="utf-8")
    lines = enumerate(text.splitlines(), 1) if path.endswith(".jsonl") else [(0, text)]
    refused = 0
    for number, line in lines:
        if not line.strip():
            continue
        where = f"line {number}: " if number else ""
        try:
            new = migrate(json.loads(line))
        except (NotMigrated, json.JSONDecodeError) as error:
            print(f"{path}: {where}not migrated: {error}", file=sys.stderr)
            refused += 1
            continue
        indent = None if number else 2
        print(json.dumps(new, indent=indent, ensure_ascii=False))
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
