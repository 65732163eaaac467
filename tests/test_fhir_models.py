"""FHIR models: what umpolicy writes parses back with fhir.resources (the ``fhir`` extra)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest

from umpolicy import InputError
from umpolicy.api import parse_request
from umpolicy.integrations.fhir import (
    claim_response,
    crd_response,
    evaluate_bundle,
    evaluate_hook,
    questionnaire,
)
from umpolicy.integrations.fhir import models as fhir_models
from umpolicy.integrations.fhir.write import bundle_from_request, hook_from_request

pytest.importorskip("fhir.resources", reason="the fhir extra: pip install 'umpolicy[fhir]'")

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "proleukin").glob("*.json"))
TODAY = dt.date(2026, 3, 3)
CREATED = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def _written(path: Path) -> list[dict[str, Any]]:
    """Every resource umpolicy writes for one example: bundle, response, card's order, form."""
    request = parse_request(path.read_text())
    bundle = bundle_from_request(request)
    decision = evaluate_bundle(bundle, "proleukin", today=TODAY)
    hook = hook_from_request(request)
    card = crd_response(evaluate_hook(hook, "proleukin", today=TODAY), hook, date=TODAY)
    return [
        bundle,
        claim_response(decision, bundle, created=CREATED),
        card["systemActions"][0]["resource"],
        questionnaire(decision, "proleukin"),
        *(e["resource"] for e in hook["prefetch"]["records"]["entry"]),
    ]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
class TestWrittenResourcesParseBack:
    """Each resource umpolicy writes is valid by the FHIR models, and dumps back the same."""

    def test_parses(self, path: Path) -> None:
        for resource in _written(path):
            fhir_models.check(resource)

    def test_keeps_every_element(self, path: Path) -> None:
        response = _written(path)[1]
        parsed = fhir_models.model(response).model_dump(mode="json", exclude_none=True)
        assert parsed["extension"] == response["extension"]
        assert parsed["processNote"] == response["processNote"]


class TestModelsRefuse:
    """An element the release does not define, or of a wrong type, is an error at its path."""

    def test_an_unknown_element(self) -> None:
        bundle = bundle_from_request(parse_request(EXAMPLES[0].read_text()))
        bundle["entry"][1]["resource"]["nickname"] = "x"
        with pytest.raises(InputError) as caught:
            fhir_models.check(bundle)
        assert caught.value.errors[0].path == "Bundle.entry[1].resource.nickname"

    def test_a_resource_umpolicy_does_not_know(self) -> None:
        with pytest.raises(InputError) as caught:
            fhir_models.check({"resourceType": "Basic"})
        assert caught.value.errors[0].path == "Basic.resourceType"

    def test_the_resources_named_are_those_written(self) -> None:
        kinds = {r["resourceType"] for path in EXAMPLES for r in _written(path)}
        kinds |= {
            e["resource"]["resourceType"]
            for path in EXAMPLES
            for e in bundle_from_request(parse_request(path.read_text()))["entry"]
        }
        assert kinds <= set(fhir_models.RESOURCES)


class TestWithoutTheExtra:
    """Without the extra, the models say how to install them; nothing else needs them."""

    def test_says_how_to_install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setitem(sys.modules, fhir_models.PACKAGE, None)
        with pytest.raises(ModuleNotFoundError, match=r"umpolicy\[fhir\]"):
            fhir_models.check({"resourceType": "Bundle"})
