"""FHIR models: check a resource against the specification's, with the ``fhir`` extra.

``pip install 'umpolicy[fhir]'`` installs `fhir.resources`_, whose pydantic models
refuse an element the release does not define, a wrong type or a missing required
element; :func:`check` reports each as an :class:`~umpolicy.InputError` at its FHIR
path (``Bundle.entry[4].resource.valueQuantity.code``). umpolicy's own readers and
writers need no models: they read and write plain JSON, and this module is imported
only on use, so ``import umpolicy`` stays as quick without the extra as with it.

Which release: fhir.resources ships R5 (its default), R4B (4.3.0) and STU3, not R4
(4.0.1), the release of the Da Vinci guides. umpolicy checks with the R4B models:
for every resource it reads or writes (Bundle, Claim, ClaimResponse, Patient,
Coverage, MedicationRequest, MedicationStatement, Condition, Observation,
PractitionerRole, Practitioner, Organization, List, Questionnaire,
QuestionnaireResponse, OperationOutcome) R4B defines the same elements as R4, and the
models refuse what they do not know, so a wrong release could not drop a field
silently (:data:`RESOURCES` names them; a test holds the list to what is written).

.. _fhir.resources: https://pypi.org/project/fhir.resources/
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from umpolicy.errors import FieldError, InputError
from umpolicy.integrations.fhir.paths import at

#: The models' FHIR release, and the package they come from.
RELEASE = "R4B"
PACKAGE = "fhir.resources.R4B"

#: The resources umpolicy reads or writes, whose R4B elements are R4's.
RESOURCES = (
    "Bundle",
    "Claim",
    "ClaimResponse",
    "Condition",
    "Coverage",
    "List",
    "MedicationAdministration",
    "MedicationRequest",
    "MedicationStatement",
    "Observation",
    "OperationOutcome",
    "Organization",
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "Questionnaire",
    "QuestionnaireResponse",
)

MISSING = "the FHIR models are an optional extra: pip install 'umpolicy[fhir]'"


def _models() -> Any:
    try:
        return importlib.import_module(PACKAGE)
    except ImportError as error:
        raise ModuleNotFoundError(MISSING) from error


def model(resource: Mapping[str, Any]) -> Any:
    """The resource as its fhir.resources model; :class:`InputError` naming each fault."""
    kind = resource.get("resourceType")
    if not isinstance(kind, str) or kind not in RESOURCES:
        reason = f"not a resource umpolicy reads or writes: {kind!r}"
        raise InputError([FieldError(at(str(kind), "resourceType"), reason)])
    klass = _models().get_fhir_model_class(kind)
    import pydantic  # installed with the models

    try:
        return klass.model_validate(dict(resource))
    except pydantic.ValidationError as error:
        raise InputError(
            [FieldError(at(kind, *each["loc"]), each["msg"]) for each in error.errors()]
        ) from None


def check(resource: Mapping[str, Any]) -> None:
    """Raise :class:`InputError` unless the resource is valid by the FHIR models."""
    model(resource)


__all__ = ["MISSING", "PACKAGE", "RELEASE", "RESOURCES", "check", "model"]
