"""The service's FHIR endpoints: CDS Hooks (Da Vinci CRD), PAS ``Claim/$submit``, DTR.

The mapping between FHIR and umpolicy's request and decision is
:mod:`umpolicy.integrations.fhir`'s; this module only reads the bodies, calls it, and
answers errors as a FHIR ``OperationOutcome``: one issue per problem, its
``expression`` the FHIR path of the element at fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute

from umpolicy.errors import FieldError
from umpolicy.policy import Policy

#: The endpoints' OpenAPI paths (added as each is wired to the FHIR mapping).
PATHS: dict[str, Any] = {}

#: The paths whose endpoints speak FHIR, and so answer errors as an OperationOutcome.
PREFIXES = ("/fhir/", "/cds-services")

#: The FHIR issue type of each status the service answers with.
ISSUE_TYPES = {
    400: "structure",
    404: "not-found",
    405: "not-supported",
    413: "too-costly",
    415: "not-supported",
    422: "invalid",
    500: "exception",
}


def operation_outcome(errors: Sequence[FieldError], status: int) -> dict[str, Any]:
    """An ``OperationOutcome`` with an issue per error, at its FHIR path (``expression``)."""
    severity = "fatal" if status >= 500 else "error"
    code = ISSUE_TYPES.get(status, "processing")
    issues = []
    for error in errors:
        issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": error.reason}
        if error.path != "$":  # the whole body: no element to point at
            issue["expression"] = [error.path]
        issues.append(issue)
    return {"resourceType": "OperationOutcome", "issue": issues}


def routes(policies: Sequence[Policy]) -> list[BaseRoute]:
    """The FHIR endpoints, deciding under ``policies``."""
    del policies
    return []
