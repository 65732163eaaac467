"""Write the FHIR examples from the Proleukin examples: ``python examples/fhir/generate.py``.

- ``pas/``: every example request of ``examples/proleukin/`` as a Da Vinci PAS request
  bundle, and the ClaimResponse umpolicy answers it with (A1 or A4, never A3).
- ``crd/``: one CRD ``order-sign`` call and its CDS Hooks response.
- ``dtr/``: one round trip from insufficient information to approval: the
  Questionnaire for the fact still needed, the provider's QuestionnaireResponse, the
  bundle sent again with it, and the ClaimResponse that approves.

Every file is made by umpolicy itself (``umpolicy.integrations.fhir``), so the tests
hold the files to what it makes now (``--check`` says whether they are current).
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from umpolicy.api import parse_request
from umpolicy.integrations.fhir import (
    claim_response,
    codes,
    crd_response,
    dumps,
    evaluate_bundle,
    evaluate_hook,
    questionnaire,
)
from umpolicy.integrations.fhir.write import bundle_from_request, hook_from_request

HERE = Path(__file__).parent
REQUESTS = HERE.parent / "proleukin"
#: The day the examples are decided, and when their answers are made.
TODAY = dt.date(2026, 3, 2)
CREATED = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
#: The CRD call, and the DTR round trip's request (its weight is not given).
CRD_EXAMPLE = "gvhd-approve"
DTR_EXAMPLE = "melanoma-iv-insufficient-information"
#: The provider's answer to the DTR questionnaire: the patient's weight.
WEIGHT = {"value": Decimal("72.5"), "unit": "kg", "system": codes.UCUM, "code": "kg"}


def _bundle(name: str) -> dict[str, Any]:
    return bundle_from_request(parse_request((REQUESTS / f"{name}.json").read_text()))


def answered(form: dict[str, Any]) -> dict[str, Any]:
    """The provider's QuestionnaireResponse to the DTR example's questionnaire."""
    [item] = form["item"]
    assert item["linkId"] == "patient.weight"
    return {
        "resourceType": "QuestionnaireResponse",
        "id": "answers-1",
        "questionnaire": f"{form['url']}|{form['version']}",
        "status": "completed",
        "subject": {"reference": "Patient/patient-1"},
        "authored": CREATED.isoformat(),
        "item": [
            {"linkId": item["linkId"], "text": item["text"], "answer": [{"valueQuantity": WEIGHT}]}
        ],
    }


def files() -> dict[Path, str]:
    """Every example file, by its path, as umpolicy writes it now."""
    out: dict[Path, str] = {}
    for path in sorted(REQUESTS.glob("*.json")):
        bundle = _bundle(path.stem)
        decision = evaluate_bundle(bundle, "proleukin", today=TODAY)
        out[HERE / "pas" / f"{path.stem}.bundle.json"] = dumps(bundle)
        response = claim_response(decision, bundle, created=CREATED)
        out[HERE / "pas" / f"{path.stem}.claim-response.json"] = dumps(response)

    hook = hook_from_request(parse_request((REQUESTS / f"{CRD_EXAMPLE}.json").read_text()))
    decision = evaluate_hook(hook, "proleukin", today=TODAY)
    out[HERE / "crd" / "order-sign.request.json"] = dumps(hook)
    out[HERE / "crd" / "order-sign.response.json"] = dumps(crd_response(decision, hook, date=TODAY))

    bundle = _bundle(DTR_EXAMPLE)
    decision = evaluate_bundle(bundle, "proleukin", today=TODAY)
    form = questionnaire(decision, "proleukin")
    answers = answered(form)
    bundle["entry"].append(
        {"fullUrl": "https://example.org/fhir/QuestionnaireResponse/answers-1", "resource": answers}
    )
    approved = evaluate_bundle(bundle, "proleukin", today=TODAY)
    out[HERE / "dtr" / "1-questionnaire.json"] = dumps(form)
    out[HERE / "dtr" / "2-questionnaire-response.json"] = dumps(answers)
    out[HERE / "dtr" / "3-bundle-with-answers.json"] = dumps(bundle)
    out[HERE / "dtr" / "4-claim-response.json"] = dumps(
        claim_response(approved, bundle, created=CREATED)
    )
    return out


def main(argv: list[str]) -> int:
    """Write the files, or with ``--check`` say which are not current (exit 1)."""
    stale = [
        path for path, text in files().items() if not path.is_file() or path.read_text() != text
    ]
    if "--check" in argv:
        for path in stale:
            print(f"stale: {path.relative_to(HERE)}")
        return 1 if stale else 0
    for path, text in files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    print(f"wrote {len(stale)} of {len(files())} files under {HERE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
