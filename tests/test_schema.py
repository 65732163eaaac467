"""The JSON Schemas of the request and the decision, as the converter reads and writes them."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import umpolicy
from umpolicy import AnswerType, Question
from umpolicy.api import evaluate, to_json
from umpolicy.dsl.units import unit
from umpolicy.io.schema import UNIT_PATTERN, json_schema
from umpolicy_policies.proleukin import POLICY

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples" / "proleukin").glob("*.json"))
FICTIONAL = sorted((ROOT / "examples" / "quellimab-policy" / "examples").glob("*.json"))
QUELLIMAB = umpolicy.load_policy("quellimab")  # the fictional teaching policy

REQUEST = json_schema(umpolicy.Request, [POLICY, QUELLIMAB])
DECISION = json_schema(umpolicy.Decision)


def valid(data: Any, schema: dict[str, Any]) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid(data)


class TestTheSchemasThemselves:
    def test_they_are_draft_2020_12_schemas(self) -> None:
        for schema in (REQUEST, DECISION, json_schema(umpolicy.Request)):
            jsonschema.Draft202012Validator.check_schema(schema)
            assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"

    def test_required_fields(self) -> None:
        assert REQUEST["$defs"]["Request"]["required"] == ["date"]
        assert REQUEST["$defs"]["Therapy"]["required"] == ["name"]
        assert DECISION["$defs"]["Trail"]["required"] == ["steps", "facts"]

    @pytest.mark.parametrize(
        ("partial", "valid_as"),
        [(["prior"], True), (["prior", "concomitant"], True), (["prior", "prior"], False)],
    )
    def test_a_list_of_choices_names_each_once(self, partial: list[str], valid_as: bool) -> None:
        therapies = {"prior": [{"name": "a"}], "concomitant": [{"name": "b"}]}
        request = {"date": "2026-03-02", "therapies": {**therapies, "partial": partial}}
        assert valid(request, REQUEST) is valid_as

    def test_an_unsupported_type(self) -> None:
        @attrs.frozen
        class Odd:
            ratio: Fraction

        with pytest.raises(TypeError, match="no JSON Schema for"):
            json_schema(Odd)


class TestRequests:
    """Every example request is valid; what the converter refuses, the schema refuses."""

    @pytest.mark.parametrize("path", EXAMPLES + FICTIONAL, ids=lambda p: p.stem)
    def test_examples(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert valid(data, REQUEST)
        assert valid(data, json_schema(umpolicy.Request))

    @pytest.mark.parametrize(
        "bad",
        [
            {"date": "2026-01-01", "extra": 1},
            {"date": "2026-01-01", "patient": {"weight": {"value": "1", "unit": "stone"}}},
            {"date": "2026-01-01", "patient": {"weight": {"value": "heavy", "unit": "kg"}}},
            {"date": "2026-01-01", "patient": {"sex": "f"}},
            {"date": "2026-01-01", "diagnoses": ["C43.9"]},
            {"date": "2026-01-01", "medication": {"route": "47625008"}},
            {"date": "2026-01-01", "therapies": {"prior": [{"name": "x", "outcome": "cured"}]}},
            {"date": "2026-01-01", "answers": {"proleukin": {"melanoma_metastatic": "yes"}}},
            {"date": "2026-01-01", "answers": {"proleukin": {"metastatic_disease": True}}},
            # One answer for two cancers: each question now names its own.
            {"date": "2026-01-01", "answers": {"proleukin": {"metastatic": True}}},
            {"date": "2026-01-01", "answers": {"proleukin": {"lesions": [{"site": "nodal"}]}}},
            {
                "date": "2026-01-01",
                "answers": {"proleukin": {"lesions": [{"site": "x", "status": "other"}]}},
            },
            {"date": "2026-01-01", "answers": {"quellimab": {"response": 1}}},
            {"date": "2026-01-01", "answers": {"another": 1}},
        ],
    )
    def test_what_is_refused(self, bad: dict[str, Any]) -> None:
        assert not valid(bad, REQUEST)

    def test_answers_for_a_policy_it_does_not_describe(self) -> None:
        data = {"date": "2026-01-01", "answers": {"another": {"anything": [1, 2]}}}
        assert valid(data, REQUEST)
        assert valid(
            {"date": "2026-01-01", "answers": {"proleukin": {"melanoma_metastatic": True}}},
            json_schema(umpolicy.Request),
        )

    def test_a_quantity_question_admits_only_its_units(self) -> None:
        dose = Question("last_dose", "What was the last dose?", AnswerType.QUANTITY, units=("mg",))
        when = Question("started", "When did it start?", AnswerType.DATE)
        any_unit = Question("volume", "How much?", AnswerType.QUANTITY)
        policy = attrs.evolve(POLICY, questions=(dose, when, any_unit))
        schema = json_schema(umpolicy.Request, [policy])

        def given(answers: dict[str, Any]) -> bool:
            return valid({"date": "2026-01-01", "answers": {"proleukin": answers}}, schema)

        assert given({"last_dose": {"value": "40", "unit": "mg"}, "started": "2025-01-01"})
        assert not given({"last_dose": {"value": "40", "unit": "kg"}})
        assert given({"volume": {"value": "4", "unit": "kg"}, "last_dose": None})
        assert not given({"started": 20250101})

    def test_each_question_shows_its_words(self) -> None:
        answers = REQUEST["$defs"]["Request"]["properties"]["answers"]["properties"]
        asked = answers["proleukin"]["properties"]
        assert asked["melanoma_metastatic"]["description"] == "Is the melanoma metastatic?"
        rcc = asked["renal_cell_carcinoma_metastatic"]
        assert rcc["description"] == "Is the renal cell carcinoma metastatic?"
        lesions = answers["proleukin"]["properties"]["lesions"]["anyOf"][0]
        assert lesions["items"]["required"] == ["site", "status"]


class TestDecisions:
    """Every decision, with its compact trail and without, is valid."""

    @pytest.mark.parametrize("path", EXAMPLES + FICTIONAL, ids=lambda p: p.stem)
    @pytest.mark.parametrize("trail", [True, False])
    def test_examples(self, path: Path, trail: bool) -> None:
        data = json.loads(to_json(evaluate(path.read_text(encoding="utf-8"), trail=trail)))
        assert valid(data, DECISION)

    def test_the_trail_is_keyed_by_label_and_name(self) -> None:
        data = json.loads(to_json(evaluate(EXAMPLES[0].read_text(encoding="utf-8"))))
        steps = data["trail"]["steps"]
        assert set(steps) >= {"1", "1.A.i", "Dosing 3"}
        assert valid(data, DECISION)
        data["trail"]["steps"]["3"]["words"] = "copied"
        assert not valid(data, DECISION)
        del data["trail"]["steps"]["3"]["words"]
        data["trail"]["facts"]["diagnoses"]["name"] = "diagnoses"
        assert not valid(data, DECISION)

    def test_defaults_are_left_out(self) -> None:
        data = json.loads(to_json(evaluate(EXAMPLES[0].read_text(encoding="utf-8"))))
        data["trail"]["steps"]["3"]["applies"] = True
        assert not valid(data, DECISION)


class TestUnits:
    """The unit pattern admits exactly the UCUM codes the engine reads."""

    @pytest.mark.parametrize(
        "code",
        [
            "kg",
            "[iU]",
            "10*6.[iU]",
            "mg/kg",
            "[iU]/m2",
            "10*6.[iU]/{lesion}",
            "{dose}",
            "/d",
            "/(4.wk)",
            "a",
        ],
    )
    def test_read(self, code: str) -> None:
        assert re.fullmatch(UNIT_PATTERN.strip("^$"), code)
        assert unit(code).code == code

    @given(st.text(alphabet="kgm2/{}()[].*0123456789iUadwkohe_ ", max_size=14))
    def test_the_pattern_agrees_with_the_parser(self, code: str) -> None:
        try:
            unit(code)
        except ValueError:
            parsed = False
        else:
            parsed = True
        assert bool(re.search(UNIT_PATTERN, code)) == parsed
