"""FHIR R4: Da Vinci PAS bundles and CRD hooks in; PAS, CRD and DTR answers out.

In: :func:`request_from_bundle` (a PAS request bundle) and :func:`request_from_hook`
(a CDS Hooks ``order-sign`` / ``order-select`` call) make umpolicy's request, every
fault an :class:`~umpolicy.InputError` at its FHIR path; :func:`evaluate_bundle` and
:func:`evaluate_hook` decide it too. Out: :func:`claim_response` (PAS, A1 or A4, never
A3), :func:`crd_response` (a card with ``coverage-information``) and
:func:`questionnaire` (DTR, for exactly the facts still needed); the answered
QuestionnaireResponse goes back in the bundle or the hook's prefetch.

This layer reads and writes plain JSON (parsed with :func:`umpolicy.loads`, exact
numbers) and needs nothing beyond umpolicy. The ``fhir`` extra
(``pip install umpolicy[fhir]``) adds :mod:`umpolicy.integrations.fhir.models`, which
checks resources against the FHIR models of ``fhir.resources``. :func:`dumps` writes
FHIR JSON text with every number exact.
"""

from umpolicy.integrations.fhir.bundle import evaluate_bundle, request_from_bundle
from umpolicy.integrations.fhir.crd import crd_response, evaluate_hook, request_from_hook
from umpolicy.integrations.fhir.dtr import questionnaire
from umpolicy.integrations.fhir.pas import claim_response
from umpolicy.integrations.fhir.text import dumps

__all__ = [
    "claim_response",
    "crd_response",
    "dumps",
    "evaluate_bundle",
    "evaluate_hook",
    "questionnaire",
    "request_from_bundle",
    "request_from_hook",
]
