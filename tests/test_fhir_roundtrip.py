"""FHIR in and out: every Proleukin example, written as FHIR, reads back as the same request."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from umpolicy.api import evaluate, parse_request
from umpolicy.integrations.fhir import (
    claim_response,
    evaluate_bundle,
    evaluate_hook,
    request_from_bundle,
    request_from_hook,
)
from umpolicy.integrations.fhir.write import bundle_from_request, hook_from_request

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "proleukin").glob("*.json"))
TODAY = dt.date(2026, 3, 3)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
class TestExamplesRoundTrip:
    """Each example request, as a PAS bundle or a CRD hook, reads back and decides the same."""

    def test_bundle_reads_back_as_the_request(self, path: Path) -> None:
        request = parse_request(path.read_text())
        assert request_from_bundle(bundle_from_request(request), request.policy) == request

    def test_bundle_decides_as_the_request(self, path: Path) -> None:
        request = parse_request(path.read_text())
        direct = evaluate(request, today=TODAY)
        bundle = bundle_from_request(request)
        via = evaluate_bundle(bundle, request.policy, today=TODAY)
        assert via == direct
        code = claim_response(via, bundle)["item"][0]["adjudication"][0]["extension"][0]
        assert code["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] in ("A1", "A4")

    def test_hook_reads_back_without_the_care_team(self, path: Path) -> None:
        request = parse_request(path.read_text())
        hook = hook_from_request(request)
        read = request_from_hook(hook, request.policy, today=TODAY)
        assert read.consultants is None
        assert read.medication == request.medication
        assert evaluate_hook(hook, request.policy, today=TODAY).policy.name == "proleukin"
