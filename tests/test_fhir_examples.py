"""The FHIR examples: current, decided from their own JSON text, one per outcome and more."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import umpolicy
from umpolicy.integrations.fhir import (
    claim_response,
    crd_response,
    evaluate_bundle,
    evaluate_hook,
    questionnaire,
)

HERE = Path(__file__).parent.parent / "examples" / "fhir"
BUNDLES = sorted((HERE / "pas").glob("*.bundle.json"))
OUTCOMES = ("approve", "clinician-review", "insufficient-information", "not-recommended")


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fhir_examples", HERE / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATE = _generator()


def read(path: Path) -> Any:
    return umpolicy.loads(path.read_text())


def outcome(response: dict[str, Any]) -> str:
    ours = next(e for e in response["extension"] if e["url"] == "urn:umpolicy:extension:decision")
    return str(ours["extension"][0]["valueCode"])


class TestTheFiles:
    """The examples are what umpolicy writes now, and cover every outcome."""

    def test_current(self) -> None:
        made = GENERATE.files()
        stale = [p.name for p, text in made.items() if not p.is_file() or p.read_text() != text]
        assert stale == [], "run: python examples/fhir/generate.py"
        on_disk = set(HERE.rglob("*.json"))
        assert on_disk == set(made)

    def test_every_outcome(self) -> None:
        stems = {p.name.removesuffix(".bundle.json") for p in BUNDLES}
        for each in OUTCOMES:
            assert any(stem.endswith(each) for stem in stems)

    def test_generate_check(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert GENERATE.main(["--check"]) == 0
        assert capsys.readouterr().out == ""


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.name.removesuffix(".bundle.json"))
class TestPasExamples:
    """Each PAS bundle, read from its JSON text, decides its example's outcome and answer."""

    def test_decides_its_claim_response(self, path: Path) -> None:
        bundle = read(path)
        decision = evaluate_bundle(bundle, "proleukin", today=GENERATE.TODAY)
        expected = read(path.with_name(path.name.replace(".bundle.", ".claim-response.")))
        assert claim_response(decision, bundle, created=GENERATE.CREATED) == expected
        stem = path.name.removesuffix(".bundle.json")
        assert stem.endswith(decision.outcome.value.replace("_", "-"))
        assert outcome(expected) == decision.outcome.value
        assert '"A3"' not in json.dumps(expected)


class TestCrdExample:
    """The CRD call decides its response."""

    def test_decides_its_response(self) -> None:
        hook = read(HERE / "crd" / "order-sign.request.json")
        decision = evaluate_hook(hook, "proleukin", today=GENERATE.TODAY)
        assert decision.outcome is umpolicy.Outcome.APPROVE
        expected = read(HERE / "crd" / "order-sign.response.json")
        assert crd_response(decision, hook, date=GENERATE.TODAY) == expected


class TestDtrExample:
    """Insufficient information, the questionnaire, the answer, and approval."""

    def test_the_round_trip(self) -> None:
        bundle = read(HERE / "pas" / f"{GENERATE.DTR_EXAMPLE}.bundle.json")
        decision = evaluate_bundle(bundle, "proleukin", today=GENERATE.TODAY)
        assert decision.outcome.value == "insufficient_information"
        form = read(HERE / "dtr" / "1-questionnaire.json")
        assert questionnaire(decision, "proleukin") == form
        assert [item["linkId"] for item in form["item"]] == list(decision.facts_needed)
        answers = read(HERE / "dtr" / "2-questionnaire-response.json")
        sent = read(HERE / "dtr" / "3-bundle-with-answers.json")
        assert sent["entry"][-1]["resource"] == answers
        approved = evaluate_bundle(sent, "proleukin", today=GENERATE.TODAY)
        assert approved.outcome.value == "approve"
        expected = read(HERE / "dtr" / "4-claim-response.json")
        assert claim_response(approved, sent, created=GENERATE.CREATED) == expected
