"""CRD: a CDS Hooks ``order-sign`` / ``order-select`` call in, a card with coverage out.

The hook's draft MedicationRequest (in ``context.draftOrders``; for ``order-select``
the one ``context.selections`` names) is read with the PAS bundle's readers, the rest
(Patient, Coverage, Conditions, Observations, PractitionerRoles) from ``prefetch``.
The response is a card (what umpolicy recommends, why, and a link to the policy's
page) and a system action that updates the order with the CRD ``coverage-information``
extension, whose codes follow the guide's rules for valid combinations:

- ``pa-needed`` is always ``auth-needed``: the policy is a prior-authorization policy,
  and umpolicy recommends, it does not authorize (never ``satisfied``, which needs an
  authorization's id, nor ``no-auth``).
- ``covered`` is ``covered`` for a recommended approval, else ``conditional``; never
  ``not-covered``: that would be an adverse determination, a clinician's to make.
- ``doc-needed`` is ``clinical`` (with ``doc-purpose`` ``withpa``) whenever a
  clinician must look or the request must say more; a Questionnaire is named only
  then (crd-ci-q1); ``info-needed`` goes with the conditional code, as crd-ci-q3
  requires: ``performer`` when what is missing is about the prescriber or consultants,
  else ``OTH``, which the ``reason`` (the decision's summary) explains (crd-ci-q6).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from umpolicy.engine.decision import Decision, Outcome
from umpolicy.errors import InputError, shown
from umpolicy.integrations.fhir import codes
from umpolicy.integrations.fhir.bundle import (
    Data,
    _entries,
    check_coverage,
    common,
    decide,
    drug_of,
    policy_name,
)
from umpolicy.integrations.fhir.dtr import decided_under
from umpolicy.integrations.fhir.paths import at
from umpolicy.integrations.fhir.reading import Located, Reading, full_date, listed
from umpolicy.io.validation import check_dates, utc_today
from umpolicy.policy import Policy
from umpolicy.render.escape import markdown
from umpolicy.vocabulary.request import Request

#: The hooks umpolicy answers.
HOOKS = ("order-sign", "order-select")

#: Where the docs site is served by default (``nox -s docs``, then a local server).
DOCS_BASE = "http://127.0.0.1:8000/"


def read_hook(
    hook: object, policy: Policy | str | None = None, *, today: dt.date | None = None
) -> tuple[Data, Reading, Located | None]:
    """The request's JSON form from a hook call, the reading, and the order it is about.

    ``today`` dates the request when the order gives no ``authoredOn``: one that is not
    a date is an :class:`~umpolicy.InputError` naming it.
    """
    check_dates({"today": today})
    reading = Reading("hook")
    data: Data = {}
    name = policy_name(policy)
    if name is not None:
        data["policy"] = name
    reading.drug = drug_of(policy)
    if not isinstance(hook, Mapping):
        reading.fail("hook", "expected a CDS Hooks request (a JSON object)")
        return data, reading, None
    kind = hook.get("hook")
    if kind is None:
        reading.fail("hook.hook", f"required field missing: the hook ({' or '.join(HOOKS)})")
    elif kind not in HOOKS:  # quoted as every value at fault is: cut short, never a repr of MBs
        reading.fail("hook.hook", f"expected one of {', '.join(HOOKS)}, got {shown(kind)}")
    context = hook.get("context")
    if not isinstance(context, Mapping):
        reading.fail("context", "required field missing: the hook's context")
        return data, reading, None
    _entries(reading, context.get("draftOrders"), "context.draftOrders")
    prefetch = hook.get("prefetch", {})
    if isinstance(prefetch, Mapping):
        for key, value in prefetch.items():
            if isinstance(value, Mapping) and value.get("resourceType") == "Bundle":
                _entries(reading, value, f"prefetch.{key}")
            elif value is not None:
                reading.add(value, f"prefetch.{key}")
    else:
        reading.fail("prefetch", "expected an object of prefetched resources")
    order = _order(reading, context, kind)
    patient = _named(reading, context.get("patientId"), "Patient", "context.patientId")
    if not reading.of_type("Coverage"):
        reading.fail("prefetch.coverage", "required: the Coverage the order is checked under")
    date = None
    if order is not None:
        date = full_date(reading, order.get("authoredOn"), at(order.path, "authoredOn"))
    if date is not None:
        reading.source("$.date", at(order.path, "authoredOn"))  # type: ignore[union-attr]
    data["date"] = date or (today or utc_today()).isoformat()
    for plan in reading.of_type("Coverage")[:1]:  # the one the card's coverage names
        check_coverage(reading, plan, patient, data["date"])
    common(reading, data, patient, order, [])
    return data, reading, order


def _order(reading: Reading, context: Mapping[str, Any], kind: object) -> Located | None:
    """The draft MedicationRequest the hook is about: the one, or the one selected."""
    if kind == "order-select":
        selections = context.get("selections")
        if not isinstance(selections, list) or len(selections) != 1:
            reading.fail("context.selections", "umpolicy decides one selected order: give one")
            return None
        chosen = str(selections[0]).removeprefix("MedicationRequest/")
        found = _named(reading, chosen, "MedicationRequest", "context.selections[0]")
        if found is not None and not found.path.startswith("context."):
            # CDS Hooks: selections name draft orders; a prefetched one is no order asked for.
            reading.fail(
                "context.selections[0]",
                f"{shown(selections[0])} is not one of the draft orders (it is at {found.path})",
            )
            return None
        return found
    orders = [
        each for each in reading.of_type("MedicationRequest") if each.path.startswith("context.")
    ]
    if len(orders) != 1:
        reading.fail(
            "context.draftOrders",
            f"umpolicy decides one drug per call: one draft MedicationRequest, not {len(orders)}",
        )
        return None
    return orders[0]


def _named(reading: Reading, ident: object, kind: str, path: str) -> Located | None:
    """The resource of this type and id the context names (``patientId``, a selection)."""
    if not isinstance(ident, str):
        reading.fail(path, "required field missing")
        return None
    found = reading.by_reference.get(f"{kind}/{ident}")
    if found is None or found.type != kind:
        reading.fail(path, f"no {kind} {shown(ident)} in the draft orders or the prefetch")
        return None
    return found


def _request(data: Data, reading: Reading) -> Request:
    reading.raise_errors()
    from umpolicy.api import parse_request

    try:
        return parse_request(data)
    except InputError as error:
        raise reading.translate(error) from None


def request_from_hook(
    hook: Mapping[str, Any], policy: Policy | str | None = None, *, today: dt.date | None = None
) -> Request:
    """The request a CRD hook call makes, dated by the order's ``authoredOn`` (else today)."""
    data, reading, _ = read_hook(hook, policy, today=today)
    return _request(data, reading)


def evaluate_hook(
    hook: Mapping[str, Any],
    policy: Policy | str | None = None,
    *,
    trail: bool = True,
    today: dt.date | None = None,
    as_of: dt.date | None = None,
) -> Decision:
    """Decide a CRD hook call under ``policy`` (in force on the order's date, or ``as_of``)."""
    data, reading, _ = read_hook(hook, policy, today=today)
    request = _request(data, reading)
    return decide(request, reading, policy, trail=trail, today=today, as_of=as_of)


#: The performer facts: missing ones are CRD's ``info-needed`` ``performer``.
_PERFORMER = ("prescriber.", "consultants")


def coverage_information(decision: Decision, coverage: str, *, date: dt.date | None = None) -> Data:
    """The ``coverage-information`` extension for a decision, on the Coverage referred to.

    Dated ``date`` (today's, UTC, unless given): one that is not a date is an
    :class:`~umpolicy.InputError` naming it.
    """
    check_dates({"date": date})
    approve = decision.outcome is Outcome.APPROVE
    parts: list[Data] = [
        {"url": "coverage", "valueReference": {"reference": coverage}},
        {"url": "covered", "valueCode": "covered" if approve else "conditional"},
        {"url": "pa-needed", "valueCode": "auth-needed"},
    ]
    if not approve:
        parts += [
            {"url": "doc-needed", "valueCode": "clinical"},
            {"url": "doc-purpose", "valueCode": "withpa"},
        ]
        performer = any(name.startswith(_PERFORMER) for name in decision.facts_needed)
        parts.append({"url": "info-needed", "valueCode": "performer" if performer else "OTH"})
    if decision.outcome is Outcome.INSUFFICIENT_INFORMATION:
        ref = decision.policy
        parts.append(
            {
                "url": "questionnaire",
                "valueCanonical": f"{codes.QUESTIONNAIRE_PREFIX}{ref.name}|{ref.version}",
            }
        )
    parts += [
        {"url": "reason", "valueCodeableConcept": {"text": decision.summary}},
        {"url": "date", "valueDate": (date or utc_today()).isoformat()},
        {"url": "coverage-assertion-id", "valueString": decision.request_fingerprint},
    ]
    return {"url": codes.CRD_COVERAGE_INFORMATION, "extension": parts}


def policy_page(policy: str, docs_base: str = DOCS_BASE) -> str:
    """The address of a policy's page on the docs site."""
    return f"{docs_base.rstrip('/')}/policies/{policy}/"


#: The longest summary a CDS Hooks card may have.
SUMMARY = 140


def summary(text: str) -> str:
    """A card's summary: the text, cut at a word to :data:`SUMMARY` characters if longer."""
    if len(text) <= SUMMARY:
        return text
    return text[: SUMMARY - 1].rsplit(" ", 1)[0] + "…"


_INDICATORS = {
    Outcome.APPROVE: "info",
    Outcome.CLINICIAN_REVIEW: "warning",
    Outcome.INSUFFICIENT_INFORMATION: "warning",
    Outcome.NOT_RECOMMENDED: "warning",
}

_HEADLINES = {
    Outcome.APPROVE: "approval recommended; submit the prior authorization",
    Outcome.CLINICIAN_REVIEW: "a clinician reviews the dosing; submit the prior authorization",
    Outcome.INSUFFICIENT_INFORMATION: "more information needed; complete the questionnaire",
    Outcome.NOT_RECOMMENDED: "criteria not met as ordered; a clinician reviews it",
}


def crd_response(
    decision: Decision,
    hook: Mapping[str, Any],
    *,
    docs_base: str = DOCS_BASE,
    date: dt.date | None = None,
) -> dict[str, Any]:
    """The CDS Hooks response for ``decision`` on the hook call it decided.

    One card (summary, the reasons, the policy's page) and one ``update`` system action
    that returns the order with its ``coverage-information`` extension.
    """
    check_dates({"date": date})  # named as it is, before read_hook() reads it as today
    _, reading, order = read_hook(hook, decision.policy.name, today=date)
    reading.raise_errors()
    assert order is not None  # read_hook found no fault, so it found the order
    coverage = reading.of_type("Coverage")[0]
    ident = coverage.get("id")
    updated = dict(order.resource)
    updated["extension"] = [
        *listed(order.get("extension")),
        coverage_information(decision, f"Coverage/{ident}", date=date),
    ]
    policy = decided_under(decision, decision.policy.name)
    page = policy_page(policy.name, docs_base)
    drug = policy.drug.split(" (")[0]  # the product's name, without its description
    # The card's detail is Markdown: what a request gave (a therapy's name) is text in it.
    detail = [
        markdown(decision.summary),
        *(f"- **{markdown(r.label)}**: {markdown(r.detail)}" for r in decision.reasons),
    ]
    card: Data = {
        "uuid": str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"{codes.UMPOLICY}:card:{decision.request_fingerprint}")
        ),
        "summary": summary(f"{drug}: {_HEADLINES[decision.outcome]}"),
        "detail": "\n\n".join(detail),
        "indicator": _INDICATORS[decision.outcome],
        "source": {
            "label": f"umpolicy: {policy.title} (version {policy.version})",
            "url": page,
            "topic": {
                "system": codes.CRD_TEMP,
                "code": "coverage-info",
                "display": "Coverage Information",
            },
        },
        "links": [{"label": f"Policy: {policy.title}", "url": page, "type": "absolute"}],
    }
    return {
        "cards": [card],
        "systemActions": [
            {
                "type": "update",
                "description": f"Coverage information for the {drug} order",
                "resource": updated,
            }
        ],
    }


__all__ = [
    "DOCS_BASE",
    "HOOKS",
    "coverage_information",
    "crd_response",
    "evaluate_hook",
    "policy_page",
    "read_hook",
    "request_from_hook",
]
