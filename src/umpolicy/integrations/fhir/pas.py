"""PAS out: a decision as a Da Vinci PAS ClaimResponse, never an adverse determination.

The drug item's ``adjudication.extension[reviewAction]`` carries the X12 306 action:
**A1** (certified in total) with the authorization period when umpolicy recommends
approval; **A4** (pended) for every other outcome: clinician review, insufficient
information, and not recommended too, which is a recommendation for a clinician to
weigh, not a determination. umpolicy never answers **A3** (not certified): an adverse
determination is a clinician's. The response says no human has reviewed it yet
(``claimResponseReviewer.wasHumanReviewedFlag`` false), gives the summary and each
reason in ``processNote``, and carries the policy's version and content hash and the
request's fingerprint (an identifier and umpolicy's decision extension), so the
decision can be reproduced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from umpolicy.engine.decision import Decision, Outcome
from umpolicy.errors import FieldError, InputError
from umpolicy.integrations.fhir import codes
from umpolicy.integrations.fhir.bundle import drug_item
from umpolicy.integrations.fhir.reading import listed

Data = dict[str, Any]

#: The X12 306 review action for each outcome: approval is certified in total, every
#: other outcome is pended for a clinician. No outcome maps to A3 (not certified).
REVIEW_ACTIONS: dict[Outcome, tuple[str, str]] = {
    Outcome.APPROVE: codes.CERTIFIED_IN_TOTAL,
    Outcome.CLINICIAN_REVIEW: codes.PENDED,
    Outcome.INSUFFICIENT_INFORMATION: codes.PENDED,
    Outcome.NOT_RECOMMENDED: codes.PENDED,
}


def review_action(outcome: Outcome) -> tuple[str, str]:
    """The X12 306 code and words for an outcome: A1 or A4, never A3."""
    return REVIEW_ACTIONS[outcome]


def _claim(bundle: Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    """The bundle's Claim and how a response refers to it (its fullUrl, else Claim/id)."""
    for entry in listed(bundle.get("entry")):
        if isinstance(entry, Mapping) and isinstance(entry.get("resource"), Mapping):
            resource = entry["resource"]
            if resource.get("resourceType") == "Claim":
                ident = resource.get("id")
                full = entry.get("fullUrl")
                return resource, full if isinstance(full, str) else f"Claim/{ident}"
    raise InputError([FieldError("Bundle.entry", "a PAS request bundle holds one Claim")])


def _decision_extension(decision: Decision) -> Data:
    """The decision extension (umpolicy's own): the outcome, and what reproduces it."""
    ref = decision.policy
    return {
        "url": codes.DECISION_EXTENSION,
        "extension": [
            {"url": "outcome", "valueCode": decision.outcome.value},
            {"url": "policy", "valueString": ref.name},
            {"url": "policyVersion", "valueString": ref.version},
            {"url": "policyContentHash", "valueString": ref.content_hash},
            {"url": "requestFingerprint", "valueString": decision.request_fingerprint},
            {"url": "engine", "valueString": ref.engine},
        ],
    }


def notes(decision: Decision) -> list[Data]:
    """The summary, then each reason (its label, status and detail), as process notes."""
    found = [{"number": 1, "type": "display", "text": decision.summary}]
    for reason in decision.reasons:
        words = f"{reason.label} ({reason.status.value}): {reason.detail}".strip()
        if reason.facts_needed:
            words += f" Needed: {', '.join(reason.facts_needed)}."
        found.append({"number": len(found) + 1, "type": "display", "text": words})
    return found


def claim_response(
    decision: Decision,
    bundle: Mapping[str, Any],
    *,
    created: dt.datetime | None = None,
    reason_codes: Mapping[Outcome, str] | None = None,
) -> dict[str, Any]:
    """The PAS ClaimResponse for ``decision`` on the PAS request ``bundle`` it decided.

    ``created`` is when the response is made (now, in UTC, by default).
    ``reason_codes`` gives, for an outcome, the X12 886 review decision reason code the
    plan sends with it (``reviewAction.reasonCode``): X12 licenses that list, so
    umpolicy names none itself, and sends one only where the plan says which.
    """
    claim, reference = _claim(bundle)
    when = (created or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    code, words = review_action(decision.outcome)
    action: list[Data] = [
        {
            "url": codes.PAS_REVIEW_ACTION_CODE,
            "valueCodeableConcept": {
                "coding": [{"system": codes.X12_ACTION, "code": code, "display": words}]
            },
        }
    ]
    reason = (reason_codes or {}).get(decision.outcome)
    if reason is not None:
        action.append(
            {
                "url": "reasonCode",
                "valueCodeableConcept": {"coding": [{"system": codes.X12_REASON, "code": reason}]},
            }
        )
    item = drug_item(claim)
    note_list = notes(decision)
    response_item: Data = {
        "itemSequence": item.get("sequence", 1) if item is not None else 1,
        "noteNumber": [note["number"] for note in note_list],
        "adjudication": [
            {
                "category": {"coding": [{"system": codes.ADJUDICATION, "code": "submitted"}]},
                "extension": [{"url": codes.PAS_REVIEW_ACTION, "extension": action}],
            }
        ],
    }
    response: Data = {
        "resourceType": "ClaimResponse",
        "id": f"umpolicy-{decision.request_fingerprint[:16]}",
        "meta": {"profile": [codes.PAS_CLAIM_RESPONSE]},
        "extension": [
            {
                "url": codes.PAS_REVIEWER,
                "extension": [{"url": "wasHumanReviewedFlag", "valueBoolean": False}],
            },
            _decision_extension(decision),
        ],
        "identifier": [{"system": codes.FINGERPRINT_SYSTEM, "value": decision.request_fingerprint}],
        "status": "active",
        "type": claim.get("type")
        or {"coding": [{"system": codes.CLAIM_TYPE, "code": "professional"}]},
        "use": "preauthorization",
        "patient": claim.get("patient"),
        "created": when,
        "insurer": claim.get("insurer"),
        "request": {"reference": reference},
        # PAS binds outcome to complete | error | partial: the review is complete, and the
        # item's review action says whether it is certified or pended (as PAS's examples)
        "outcome": "complete",
        "disposition": decision.summary,
        "item": [response_item],
        "processNote": note_list,
    }
    if claim.get("provider") is not None:
        response["requestor"] = claim["provider"]
    if decision.authorization is not None:
        period = {
            "start": decision.authorization.start.isoformat(),
            "end": decision.authorization.end.isoformat(),
        }
        response["preAuthPeriod"] = period
        response_item["extension"] = [
            {"url": codes.PAS_PREAUTH_ISSUE_DATE, "valueDate": when[:10]},
            {"url": codes.PAS_PREAUTH_PERIOD, "valuePeriod": period},
        ]
    return response


__all__ = ["REVIEW_ACTIONS", "claim_response", "notes", "review_action"]
