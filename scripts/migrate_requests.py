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
round): 0.2 has one list of concomitant therapies, so both are known or neither is.

Usage: ``python scripts/migrate_requests.py OLD.jsonl > NEW.jsonl``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

DIAGNOSES = {
    "cutaneous_melanoma": ("C43.9", "Malignant melanoma of skin, unspecified"),
    "renal_cell_carcinoma": ("C64.9", "Malignant neoplasm of unspecified kidney"),
    "chronic_graft_versus_host_disease": ("D89.811", "Chronic graft-versus-host disease"),
    "acute_graft_versus_host_disease": ("D89.810", "Acute graft-versus-host disease"),
    "other": ("C50.919", "Malignant neoplasm of unspecified site of unspecified breast"),
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
#: ATC codes of drug names 0.1 requests often gave; any other name is L01 (antineoplastic).
DRUG_CODES = {
    "pembrolizumab": "L01FF02",
    "nivolumab": "L01FF01",
    "ipilimumab": "L01FX04",
    "dabrafenib": "L01EC02",
    "trametinib": "L01EE01",
}
PREDNISONE = {"name": "prednisone", "codes": ["H02AB07"]}
SCHEDULE = (
    "doses_per_cycle",
    "cycles_per_course",
    "rest_between_cycles",
    "course_number",
    "rest_before_course",
)


def _therapy(name: str) -> dict[str, Any]:
    return {"name": name, "codes": [DRUG_CODES.get(name.strip().lower(), "L01XX")]}


def _physician(old: dict[str, Any]) -> dict[str, Any]:
    specialty, center = old.get("specialty"), old.get("transplant_center")
    return {
        "specialties": None if specialty is None else [SPECIALTIES[specialty]],
        "affiliations": None if center is None else (["transplant-center"] if center else []),
    }


def _present(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


def migrate(old: dict[str, Any]) -> dict[str, Any]:
    """A 0.1 request as a request of the shared vocabulary (``kind`` is initial)."""
    diagnosis = old.get("diagnosis") or {}
    therapy = old.get("therapy") or {}
    regimen = old.get("regimen") or {}
    new: dict[str, Any] = _present({"id": old.get("id"), "policy": old.get("policy")})
    new |= {"date": old["date"], "kind": "initial", "patient": _present(old.get("patient") or {})}
    if diagnosis.get("condition") is not None:
        code, display = DIAGNOSES[diagnosis["condition"]]
        new["diagnoses"] = [{"code": code, "display": display}]
    answers = _present({k: diagnosis.get(k) for k in ("metastatic", "unresectable")})
    answers |= _present({"steroid_refractory": diagnosis.get("steroid_refractory")})
    if diagnosis.get("lesions") is not None:
        answers["lesions"] = [dict(lesion) for lesion in diagnosis["lesions"]]
    therapies: dict[str, Any] = {}
    if therapy.get("prior_systemic") is not None:
        therapies["prior"] = [_therapy(name) for name in therapy["prior_systemic"]]
    concomitant = therapy.get("concomitant_anticancer")
    steroids = therapy.get("systemic_corticosteroids")
    if concomitant is not None or steroids is not None:
        listed = [_therapy(name) for name in concomitant or ()]
        therapies["concomitant"] = [*listed, PREDNISONE] if steroids else listed
    if therapies:
        new["therapies"] = therapies
    new["prescriber"] = _present(_physician(old.get("prescriber") or {}))
    if old.get("consultants") is not None:
        new["consultants"] = [_physician(each) for each in old["consultants"]]
    medication: dict[str, Any] = {"name": "Proleukin"}
    if regimen.get("route") is not None:
        code, display = ROUTES[regimen["route"]]
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
    """Migrate the file named (a JSON object, or JSON Lines) to standard output."""
    (path,) = argv
    text = Path(path).read_text(encoding="utf-8")
    if path.endswith(".jsonl"):
        for line in text.splitlines():
            if line.strip():
                print(json.dumps(migrate(json.loads(line)), ensure_ascii=False))
    else:
        print(json.dumps(migrate(json.loads(text)), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
