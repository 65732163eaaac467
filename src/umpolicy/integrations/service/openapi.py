"""The service's OpenAPI 3.1 document, assembled from the JSON Schemas umpolicy already has.

The request, decision and error schemas come from :func:`umpolicy.io.schema.json_schema`
(one source of truth: the converter's rules, each field's docstring, the policies'
questions); this module only moves each schema's ``$defs`` into
``components/schemas`` and points the ``$ref`` at them. Two schemas may define a
name differently (the request's ``Quantity`` and the decision's carry other
examples): the first keeps the plain name, the other's is prefixed with its title
(``DecisionQuantity``), and so is every other taken name that refers to a renamed one.

The FHIR and CDS Hooks endpoints document themselves
(:mod:`~umpolicy.integrations.service.fhir`) with the helpers here: their bodies are
described by the specifications that define them (a FHIR ``Bundle``, ``Parameters``
or ``OperationOutcome``; a CDS Hooks request or response), not restated.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from umpolicy import __version__
from umpolicy.engine.decision import Decision
from umpolicy.errors import FieldError
from umpolicy.io.schema import json_schema
from umpolicy.policy import Policy
from umpolicy.vocabulary.request import Request

from .web import FHIR_JSON, JSON

DEFS = "#/$defs/"
COMPONENTS = "#/components/schemas/"
OUTCOME = "https://hl7.org/fhir/R4/operationoutcome.html"
PAS = "https://hl7.org/fhir/us/davinci-pas/"
DTR = "https://hl7.org/fhir/us/davinci-dtr/"
CRD = "https://hl7.org/fhir/us/davinci-crd/"
HOOKS_SPEC = "https://cds-hooks.hl7.org/2.0/"


def _refs(node: Any) -> set[str]:
    """The definition names a schema node refers to (``#/$defs/<name>``), at any depth."""
    found: set[str] = set()
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(DEFS):
            found.add(ref.removeprefix(DEFS))
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def _rewritten(node: Any, names: Mapping[str, str]) -> Any:
    """A copy of ``node`` whose ``#/$defs/<name>`` refs point at ``components/schemas``."""
    if isinstance(node, Mapping):
        copied = {key: _rewritten(value, names) for key, value in node.items()}
        ref = copied.get("$ref")
        if isinstance(ref, str) and ref.startswith(DEFS):
            copied["$ref"] = COMPONENTS + names[ref.removeprefix(DEFS)]
        return copied
    if isinstance(node, list):
        return [_rewritten(value, names) for value in node]
    return node


def add_schema(schema: Mapping[str, Any], components: dict[str, Any]) -> str:
    """Move a JSON Schema's definitions into ``components``; the name of its root's.

    ``schema`` is one of :func:`~umpolicy.io.schema.json_schema`'s: a ``$ref`` to its
    root definition, named by its ``title``, and the ``$defs``.
    """
    title: str = schema["title"]
    defs: dict[str, Any] = schema["$defs"]
    same = {name: name for name in defs}
    clash = {
        name
        for name, definition in defs.items()
        if name in components and components[name] != _rewritten(definition, same)
    }
    grown = True
    while grown:  # a taken name that refers to a renamed definition is renamed too
        more = {
            name
            for name, definition in defs.items()
            if name in components and _refs(definition) & clash
        }
        grown = not more <= clash
        clash |= more
    names = {name: f"{title}{name}" if name in clash else name for name in defs}
    for name, definition in defs.items():
        components[names[name]] = _rewritten(definition, names)
    return names[schema["$ref"].removeprefix(DEFS)]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": COMPONENTS + name}


def _errors_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": _ref("Errors")}}}


def fhir_body(description: str, resource: str, url: str) -> dict[str, Any]:
    """A body that is a FHIR R4 resource, described by its specification."""
    schema = {"type": "object", "description": f"A FHIR R4 {resource} ({url})."}
    return {"description": description, "content": {FHIR_JSON: {"schema": schema}}}


def cds_body(description: str, url: str) -> dict[str, Any]:
    """A body that the CDS Hooks specification defines."""
    schema = {"type": "object", "description": f"As CDS Hooks 2.0 defines it ({url})."}
    return {"description": description, "content": {JSON: {"schema": schema}}}


#: What a 503 from the application's limit on requests under way means.
BUSY = "Busy: too many requests under way; no decision was made. Try again after Retry-After."


def outcome(description: str) -> dict[str, Any]:
    """An error answered as a FHIR OperationOutcome: an issue per problem, at its FHIR path."""
    return fhir_body(description, "OperationOutcome", OUTCOME)


FHIR_ERRORS = {
    "400": outcome("Not JSON text."),
    "413": outcome("The body is over the size limit."),
    "415": outcome("The body is not application/fhir+json (or application/json)."),
    "422": outcome("JSON that is not a valid request: every problem, at its FHIR path."),
    "503": outcome(BUSY),
}


def _example(media: dict[str, Any], example: object) -> dict[str, Any]:
    """A media type with its example, when there is one (none without a policy)."""
    return media if example is None else {**media, "example": example}


def _paths(request: object, decision: object) -> dict[str, Any]:
    """Every endpoint; ``request`` and ``decision`` are the JSON endpoint's examples."""
    trail = {
        "name": "trail",
        "in": "query",
        "required": False,
        "description": "Whether the decision carries its audit trail (true unless false).",
        "schema": {"type": "boolean", "default": True},
    }
    status = {
        "type": "object",
        "properties": {"status": {"type": "string"}},
        "required": ["status"],
    }
    readiness = {
        "type": "object",
        "description": "Each installed policy and whether it loaded and passed its checks.",
        "properties": {
            "status": {"enum": ["ready", "not ready"]},
            "policies": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "required": ["status", "policies"],
    }
    return {
        "/decide": {
            "post": {
                "operationId": "decide",
                "summary": "Decide a request: its decision, with the audit trail unless asked not.",
                "parameters": [trail],
                "requestBody": {
                    "required": True,
                    "content": {JSON: _example({"schema": _ref("Request")}, request)},
                },
                "responses": {
                    "200": {
                        "description": "The decision (whatever its outcome).",
                        "content": {JSON: _example({"schema": _ref("Decision")}, decision)},
                    },
                    "400": _errors_response("Not JSON text, or a query parameter not understood."),
                    "413": _errors_response("The body is over the size limit."),
                    "415": _errors_response("The body is not application/json."),
                    "422": _errors_response("JSON that is not a valid request: every problem."),
                    "503": _errors_response(BUSY),
                },
            }
        },
        "/healthz": {
            "get": {
                "operationId": "health",
                "summary": "The process is up and answering.",
                "responses": {"200": {"description": "Up.", "content": {JSON: {"schema": status}}}},
            }
        },
        "/readyz": {
            "get": {
                "operationId": "readiness",
                "summary": "Ready when every installed policy loaded and passed its checks.",
                "responses": {
                    code: {"description": meaning, "content": {JSON: {"schema": readiness}}}
                    for code, meaning in (("200", "Ready."), ("503", "A policy failed to load."))
                },
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document.",
                "responses": {
                    "200": {"description": "OpenAPI 3.1.", "content": {JSON: {"schema": {}}}}
                },
            }
        },
    }


def document(policies: Iterable[Policy], more: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the service deciding under ``policies``.

    The request schema describes each policy's questions; its example, and the
    decision's, are the schema module's (the first policy's). ``more`` are the
    paths of other endpoints (the FHIR ones), each documented by its own module.
    """
    given = tuple(policies)
    components: dict[str, Any] = {}
    examples = {}
    for model in (Request, Decision, FieldError):
        schema = json_schema(model, given)
        add_schema(schema, components)
        examples[model] = schema.get("examples", [None])[0]
    components["Errors"] = {
        "type": "object",
        "description": "Every problem with the input, each as a path into it and a reason.",
        "properties": {"errors": {"type": "array", "items": _ref("FieldError")}},
        "required": ["errors"],
        "additionalProperties": False,
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "umpolicy",
            "version": __version__,
            "summary": "Prior-authorization drug policies decided and explained; never a denial.",
        },
        "paths": copy.deepcopy({**_paths(examples[Request], examples[Decision]), **(more or {})}),
        "components": {"schemas": dict(sorted(components.items()))},
    }


__all__ = ["FHIR_ERRORS", "add_schema", "cds_body", "document", "fhir_body", "outcome"]
