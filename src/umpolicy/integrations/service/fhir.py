"""The service's FHIR endpoints: CDS Hooks (Da Vinci CRD), PAS ``Claim/$submit``, DTR.

The mapping between FHIR and umpolicy's request and decision is
:mod:`umpolicy.integrations.fhir`'s; this module reads the bodies, calls it, and
answers errors as a FHIR ``OperationOutcome``: one issue per problem, its
``expression`` the FHIR path of the element at fault.

- ``GET /cds-services``: CDS Hooks discovery, a CRD service per installed policy and
  hook (``<policy>-order-sign``), each with the prefetch templates it reads.
- ``POST /cds-services/<id>``: the hook call decided under the service's policy; the
  answer is :func:`~umpolicy.integrations.fhir.crd_response`'s card.
- ``POST /fhir/Claim/$submit``: a PAS request bundle decided; the answer is a PAS
  response bundle, its first entry the ClaimResponse (A1 or A4, never A3).
- ``POST /fhir/Questionnaire/$questionnaire-package``: DTR's ``Parameters`` (the
  ``order``, its ``coverage``, the ``referenced`` resources, optionally the
  ``questionnaire`` CRD named) decided as a CRD order is; the answer is a
  ``PackageBundle`` with the Questionnaire for exactly the facts still needed, or,
  when nothing is missing, an ``outcome`` that says so.

The policy is the service's (CRD), the ``questionnaire``'s (DTR), or the ``policy``
query parameter; PAS also takes the one its QuestionnaireResponse answers. A body is
read up to :data:`~umpolicy.io.converter.MAX_FHIR_BYTES`: the records a bundle carries
(notes, attachments) make it far larger than a request; the request read from it holds
every request limit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from umpolicy.engine.decision import Decision, Outcome
from umpolicy.errors import FieldError, InputError, shown
from umpolicy.integrations.fhir import (
    claim_response,
    crd_response,
    evaluate_bundle,
    evaluate_hook,
    questionnaire,
)
from umpolicy.integrations.fhir.codes import BODY_OBSERVATIONS, LOINC, QUESTIONNAIRE_PREFIX
from umpolicy.integrations.fhir.crd import DOCS_BASE, HOOKS, read_hook
from umpolicy.io.converter import MAX_FHIR_BYTES, structure
from umpolicy.io.validation import other_drug
from umpolicy.policy import Policy
from umpolicy.vocabulary.request import Medication

from . import web
from .openapi import CRD, DTR, FHIR_ERRORS, HOOKS_SPEC, PAS, cds_body, fhir_body
from .openapi import outcome as outcome_response
from .web import FHIR_JSON, JSON, Data, Problem, fhir_json

#: The paths whose endpoints speak FHIR, and so answer errors as an OperationOutcome.
PREFIXES = ("/fhir/", "/cds-services")
#: The most bytes a body of these endpoints may have: FHIR JSON's limit.
BODY_LIMIT = MAX_FHIR_BYTES
#: The media types a FHIR body may come as.
FHIR_TYPES = (FHIR_JSON, JSON)


_Read = TypeVar("_Read")


def _answer(data: object) -> Response:
    return Response(fhir_json(data), media_type=FHIR_JSON, headers=web.NO_STORE)


def _policy_parameter(request: Request, policies: Mapping[str, Policy]) -> str | None:
    """The ``policy`` query parameter, a policy this service decides under, if given."""
    value = web.query(request, ("policy",)).get("policy")
    if value is not None and value not in policies:
        known = ", ".join(policies) or "none"
        reason = f"{shown(value)} is not a policy this service decides under ({known})"
        raise Problem(400, [FieldError("?policy", reason)])
    return value


def _decided(call: Callable[..., _Read], *args: Any) -> _Read:
    """What a mapping's ``evaluate_*`` or ``request_from_*`` reads; its input errors are 422."""
    try:
        return call(*args)
    except InputError as error:
        raise Problem(422, error.errors) from None


# -- CDS Hooks: discovery and the CRD services ---------------------------------------------


#: The fields of a medication that say which drug it is.
_DRUG_FIELDS = ("code", "system", "name", "other_codes", "other_names")


def _of_another_drug(call: object, policy: Policy) -> bool:
    """Whether a hook call orders a drug the policy's ``Drug`` says is another's.

    Read from the order alone: a call whose order is another drug's, and wrong in other
    ways besides (a dose umpolicy cannot read), is still another drug's. A drug the
    order does not say clearly enough to tell is left to the decision's own errors.
    """
    data, _, _ = read_hook(call, policy.name)
    given = data.get("medication", {})
    try:  # the drug's fields alone: a dose umpolicy cannot read says nothing of the drug
        medication = structure({k: v for k, v in given.items() if k in _DRUG_FIELDS}, Medication)
    except InputError:  # (a name past the longest text a request holds)
        return False
    return other_drug(policy, medication) is not None


#: Where the hook's prefetch is read from: what the Da Vinci CRD readers take in.
_CODES = ",".join(f"{LOINC}|{code}" for code in BODY_OBSERVATIONS)


def prefetch(policy: Policy) -> dict[str, str]:
    """The prefetch templates of a policy's CRD service: every resource the readers use."""
    patient = "{{context.patientId}}"
    return {
        "patient": f"Patient/{patient}",
        "coverage": f"Coverage?patient={patient}&status=active",
        "conditions": f"Condition?patient={patient}",
        "observations": f"Observation?patient={patient}&code={_CODES}&_sort=-date",
        "medications": f"MedicationStatement?patient={patient}",
        "orders": f"MedicationRequest?patient={patient}&status=active",
        "roles": (
            "PractitionerRole?practitioner={{userPractitionerId}}"
            "&_include=PractitionerRole:organization"
        ),
        "answers": (
            f"QuestionnaireResponse?subject={patient}"
            f"&questionnaire={QUESTIONNAIRE_PREFIX}{policy.name}"
        ),
    }


def service_id(policy: Policy, hook: str) -> str:
    """A CRD service's id: the policy's name and the hook (``<policy>-order-sign``)."""
    return f"{policy.name}-{hook}"


def discovery(policies: Sequence[Policy]) -> Data:
    """The CDS Hooks discovery document: a CRD service per policy and hook."""
    services = [
        {
            "hook": hook,
            "id": service_id(policy, hook),
            "title": f"umpolicy: {policy.title}",
            "description": (
                f"Da Vinci CRD for {policy.drug} under the policy {policy.name!r} "
                f"(version {policy.version}): whether prior authorization, documentation "
                "or more information is needed for the order. umpolicy recommends; it "
                "never denies."
            ),
            "prefetch": prefetch(policy),
            "usageRequirements": (
                "Send the prefetch: this service reads no FHIR server of its own."
            ),
        }
        for policy in policies
        for hook in HOOKS
    ]
    return {"services": services}


class Endpoints:
    """The FHIR endpoints, deciding under ``policies``; CRD cards link to ``docs_base``."""

    def __init__(self, policies: Sequence[Policy], docs_base: str = DOCS_BASE) -> None:
        self.policies = {policy.name: policy for policy in policies}
        self.services = {
            service_id(policy, hook): (policy, hook) for policy in policies for hook in HOOKS
        }
        self.docs_base = docs_base
        self.discovery = web.dumps(discovery(policies))

    def __repr__(self) -> str:
        return f"Endpoints({list(self.policies.values())!r}, {self.docs_base!r})"

    async def discover(self, _: Request) -> Response:
        """``GET /cds-services``."""
        return Response(self.discovery, media_type=JSON)

    async def crd(self, request: Request) -> Response:
        """``POST /cds-services/<id>``: the hook call decided, a card and the coverage."""
        found = self.services.get(request.path_params["id"])
        if found is None:
            known = ", ".join(self.services) or "none"
            reason = f"no CDS service {shown(request.path_params['id'])} here ({known})"
            raise Problem(404, [FieldError("$", reason)])
        web.query(request, ())
        web.media_type(request, (JSON,))
        raw = await web.body(request, BODY_LIMIT)
        text = await run_in_threadpool(self._crd, raw, *found)
        return Response(text, media_type=JSON, headers=web.NO_STORE)

    def _crd(self, raw: bytes, policy: Policy, hook: str) -> str:
        call = web.parsed(raw, BODY_LIMIT)
        if isinstance(call, Mapping) and call.get("hook") not in (None, hook):
            reason = f"this service answers {hook}, not {shown(call.get('hook'))}"
            raise Problem(422, [FieldError("hook", reason)])
        # An order of another drug is not this service's to answer: no card (CDS Hooks),
        # whatever else the call gets wrong (the EHR calls every service on every order).
        if _of_another_drug(call, policy):
            return fhir_json({"cards": []})
        # by name: decided under the version in force on the order's date, not the newest
        decision = _decided(evaluate_hook, call, policy.name)
        return fhir_json(crd_response(decision, call, docs_base=self.docs_base))

    async def submit(self, request: Request) -> Response:
        """``POST /fhir/Claim/$submit``: a PAS request bundle in, a PAS response bundle out."""
        policy = _policy_parameter(request, self.policies)
        web.media_type(request, FHIR_TYPES)
        raw = await web.body(request, BODY_LIMIT)
        return _answer(await run_in_threadpool(self._submit, raw, policy))

    def _submit(self, raw: bytes, policy: str | None) -> Data:
        bundle = web.parsed(raw, BODY_LIMIT)
        decision = _decided(evaluate_bundle, bundle, policy)
        if decision.policy.name not in self.policies:  # named by the bundle's answers
            reason = (
                f"the bundle names the policy {shown(decision.policy.name)}, which this "
                f"service does not decide under ({', '.join(self.policies) or 'none'})"
            )
            raise Problem(422, [FieldError("Bundle", reason)])
        return response_bundle(claim_response(decision, bundle), bundle, decision)

    async def package(self, request: Request) -> Response:
        """``POST /fhir/Questionnaire/$questionnaire-package``: what is still needed."""
        policy = _policy_parameter(request, self.policies)
        web.media_type(request, FHIR_TYPES)
        raw = await web.body(request, BODY_LIMIT)
        return _answer(await run_in_threadpool(self._package, raw, policy))

    def _package(self, raw: bytes, policy: str | None) -> Data:
        parameters = web.parsed(raw, BODY_LIMIT)
        call, places, asked = dtr_call(parameters, self.policies)
        chosen = asked or policy
        if chosen is None:
            reason = (
                "name the policy: a questionnaire parameter (urn:umpolicy:questionnaire:"
                f"<policy>) or ?policy= (one of {', '.join(self.policies) or 'none'})"
            )
            raise Problem(422, [FieldError("Parameters.parameter", reason)])
        try:
            decision = evaluate_hook(call, chosen)
        except InputError as error:
            raise Problem(422, [moved(each, places) for each in error.errors]) from None
        return package(decision, self.policies[chosen])

    def routes(self) -> list[BaseRoute]:
        """The routes of these endpoints."""
        return [
            Route("/cds-services", self.discover, methods=["GET"]),
            Route("/cds-services/{id}", self.crd, methods=["POST"]),
            Route("/fhir/Claim/$submit", self.submit, methods=["POST"]),
            Route("/fhir/Questionnaire/$questionnaire-package", self.package, methods=["POST"]),
        ]


# -- PAS --------------------------------------------------------------------------------------


#: The namespace of the ClaimResponse's fullUrl: one UUID per request fingerprint.
_DECISIONS = uuid.uuid5(uuid.NAMESPACE_URL, "urn:umpolicy:decision")


def _reference(entry: Mapping[str, Any]) -> set[str]:
    """How a bundle entry may be referred to: its fullUrl, and ``Type/id``."""
    resource = entry.get("resource")
    found = {entry["fullUrl"]} if isinstance(entry.get("fullUrl"), str) else set()
    if isinstance(resource, Mapping) and isinstance(resource.get("id"), str):
        found.add(f"{resource.get('resourceType')}/{resource['id']}")
    return found


def response_bundle(response: Data, request: Mapping[str, Any], decision: Decision) -> Data:
    """The PAS response bundle: the ClaimResponse first, then the resources it refers to.

    Those (the patient, the insurer, the requestor) are the request bundle's own entries.
    """
    wanted = {
        ref["reference"]
        for name in ("patient", "insurer", "requestor")
        if isinstance(ref := response.get(name), Mapping) and isinstance(ref.get("reference"), str)
    }
    entries: list[Data] = [
        {
            "fullUrl": f"urn:uuid:{uuid.uuid5(_DECISIONS, decision.request_fingerprint)}",
            "resource": response,
        }
    ]
    for entry in request.get("entry") or ():
        if isinstance(entry, Mapping) and _reference(entry) & wanted:
            entries.append(dict(entry))
    bundle: Data = {"resourceType": "Bundle", "type": "collection"}
    if isinstance(request.get("identifier"), Mapping):
        bundle["identifier"] = request["identifier"]
    bundle["timestamp"] = response["created"]
    bundle["entry"] = entries
    return bundle


# -- DTR --------------------------------------------------------------------------------------

#: DTR's ``$questionnaire-package`` parameters that umpolicy reads no further.
_IGNORED = ("context", "changedsince")


def _questionnaire_policy(
    value: object, where: str, policies: Mapping[str, Policy], errors: list[FieldError]
) -> str | None:
    """The policy a ``questionnaire`` canonical names (``urn:umpolicy:questionnaire:p|v``)."""
    if not isinstance(value, str) or not value.startswith(QUESTIONNAIRE_PREFIX):
        errors.append(FieldError(where, f"not a questionnaire of umpolicy's: {shown(value)}"))
        return None
    name, _, version = value.removeprefix(QUESTIONNAIRE_PREFIX).partition("|")
    policy = policies.get(name)
    if policy is None:
        known = ", ".join(policies) or "none"
        errors.append(FieldError(where, f"no policy {shown(name)} is decided here ({known})"))
        return None
    if version and version != policy.version:
        reason = f"asks for version {shown(version)}; the policy here is version {policy.version}"
        errors.append(FieldError(where, reason))
        return None
    return name


def dtr_call(
    parameters: object, policies: Mapping[str, Policy]
) -> tuple[Data, dict[str, str], str | None]:
    """DTR's ``Parameters`` as the CRD call they amount to, where each part came from, the policy.

    The ``order`` is the draft order, the ``coverage`` and ``referenced`` resources the
    prefetch; the second value maps each place in the call to the parameter it came
    from (for errors), the third is the policy a ``questionnaire`` parameter names.
    """
    errors: list[FieldError] = []
    if not isinstance(parameters, Mapping) or parameters.get("resourceType") != "Parameters":
        raise Problem(422, [FieldError("Parameters", "expected a FHIR Parameters resource")])
    given = parameters.get("parameter")
    if not isinstance(given, list):
        raise Problem(422, [FieldError("Parameters.parameter", "expected a list")])
    orders: list[tuple[object, str]] = []
    parts: dict[str, list[tuple[object, str]]] = {"coverage": [], "records": []}
    asked: str | None = None
    for index, parameter in enumerate(given):
        where = f"Parameters.parameter[{index}]"
        name = parameter.get("name") if isinstance(parameter, Mapping) else None
        if name == "order":
            orders.append((parameter.get("resource"), f"{where}.resource"))
        elif name in ("coverage", "referenced"):
            part = "coverage" if name == "coverage" else "records"
            parts[part].append((parameter.get("resource"), f"{where}.resource"))
        elif name == "questionnaire":
            value = parameter.get("valueCanonical")
            asked = _questionnaire_policy(value, f"{where}.valueCanonical", policies, errors)
        elif name not in _IGNORED:
            reason = (
                "not a parameter of $questionnaire-package umpolicy reads "
                "(order, coverage, referenced, questionnaire)"
            )
            errors.append(FieldError(f"{where}.name", reason))
    if len(orders) != 1:
        reason = f"umpolicy decides one drug order: give one order parameter, not {len(orders)}"
        errors.append(FieldError("Parameters.parameter", reason))
    patient = None
    if len(orders) == 1:
        order, where = orders[0]
        subject = order.get("subject") if isinstance(order, Mapping) else None
        target = subject.get("reference") if isinstance(subject, Mapping) else None
        if isinstance(target, str) and target.startswith("Patient/"):
            patient = target.removeprefix("Patient/")
        else:
            reason = "the order's subject: a reference Patient/<id> to a referenced Patient"
            errors.append(FieldError(f"{where}.subject.reference", reason))
    if errors:
        raise Problem(422, errors)
    places = {"context.draftOrders.entry[0].resource": orders[0][1]}
    prefetch: Data = {}
    for part, found in parts.items():
        prefetch[part] = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": resource} for resource, _ in found],
        }
        for position, (_, where) in enumerate(found):
            places[f"prefetch.{part}.entry[{position}].resource"] = where
    patient_at = f"{orders[0][1]}.subject.reference"  # where the patient's id came from
    places.update({"context.patientId": patient_at, "context.patientId.reference": patient_at})
    context = {
        "patientId": patient,
        "draftOrders": {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": orders[0][0]}],
        },
    }
    return {"hook": "order-sign", "context": context, "prefetch": prefetch}, places, asked


def moved(error: FieldError, places: Mapping[str, str]) -> FieldError:
    """An error at a place in the CRD call, moved to the DTR parameter it came from."""
    path = error.path
    for place in sorted(places, key=len, reverse=True):
        if path == place or path.startswith((f"{place}.", f"{place}[")):
            return FieldError(places[place] + path[len(place) :], error.reason)
    return FieldError("Parameters.parameter", error.reason)


def package(decision: Decision, policy: Policy) -> Data:
    """DTR's answer: the Questionnaire for what is still needed, or an outcome saying none is."""
    if decision.outcome is Outcome.INSUFFICIENT_INFORMATION:
        asked = questionnaire(decision, policy)
        bundle = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"fullUrl": f"{asked['url']}|{asked['version']}", "resource": asked}],
        }
        return {
            "resourceType": "Parameters",
            "parameter": [{"name": "PackageBundle", "resource": bundle}],
        }
    said = {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "information",
                "code": "informational",
                "diagnostics": f"Nothing more is needed for this decision: {decision.summary}",
            }
        ],
    }
    return {"resourceType": "Parameters", "parameter": [{"name": "outcome", "resource": said}]}


# -- OpenAPI ----------------------------------------------------------------------------------

_POLICY = {
    "name": "policy",
    "in": "query",
    "required": False,
    "description": "The policy to decide under, when the body does not name it.",
    "schema": {"type": "string"},
}

#: The endpoints' OpenAPI paths.
PATHS: dict[str, Any] = {
    "/cds-services": {
        "get": {
            "operationId": "cdsDiscovery",
            "summary": "CDS Hooks discovery: a Da Vinci CRD service per policy and hook.",
            "responses": {"200": cds_body("The services.", HOOKS_SPEC + "#discovery")},
        }
    },
    "/cds-services/{id}": {
        "post": {
            "operationId": "cdsService",
            "summary": "A CRD service: a card and coverage-information for the draft order.",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "requestBody": {
                "required": True,
                "content": cds_body("A hook call.", HOOKS_SPEC + "#http-request")["content"],
            },
            "responses": {
                "200": cds_body("Cards and coverage-information.", CRD),
                "404": outcome_response("No such service."),
                **FHIR_ERRORS,
            },
        }
    },
    "/fhir/Claim/$submit": {
        "post": {
            "operationId": "pasSubmit",
            "summary": "Da Vinci PAS: a prior-authorization request bundle decided.",
            "parameters": [_POLICY],
            "requestBody": {
                "required": True,
                "content": fhir_body("The PAS request.", "Bundle", PAS)["content"],
            },
            "responses": {
                "200": fhir_body(
                    "The PAS response bundle: its ClaimResponse never A3.", "Bundle", PAS
                ),
                **FHIR_ERRORS,
            },
        }
    },
    "/fhir/Questionnaire/$questionnaire-package": {
        "post": {
            "operationId": "dtrQuestionnairePackage",
            "summary": "Da Vinci DTR: the questions still needed for the order.",
            "parameters": [_POLICY],
            "requestBody": {
                "required": True,
                "content": fhir_body(
                    "order, coverage, referenced, questionnaire.", "Parameters", DTR
                )["content"],
            },
            "responses": {
                "200": fhir_body(
                    "PackageBundle, or an outcome when nothing is needed.", "Parameters", DTR
                ),
                **FHIR_ERRORS,
            },
        }
    },
}


def routes(policies: Sequence[Policy], docs_base: str = DOCS_BASE) -> list[BaseRoute]:
    """The FHIR endpoints, deciding under ``policies``."""
    return Endpoints(policies, docs_base).routes()
