from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import attrs
import jsonschema
import pytest

import umpolicy
from tests.seed import stray_words_in
from umpolicy.api import evaluate, to_json
from umpolicy.diagram import indication_flowchart, node_id
from umpolicy.nodes import walk
from umpolicy.pages import anchor, interpretations_page, labels, policy_page
from umpolicy.schema import json_schema
from umpolicy_policies.proleukin import POLICY

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "proleukin").glob("*.json"))


class TestLabels:
    """The page lists every label in the document's order, each with its own anchor."""

    def test_order_follows_the_document(self) -> None:
        found = labels(POLICY)
        assert found[:3] == ("1", "1.A", "1.A.i")
        assert found[-1] == "Dosing 3"
        assert found.index("2") > found.index("Dosing 1.B.ii")

    def test_anchors_are_distinct(self) -> None:
        assert anchor("Dosing 1.A.i") == "label-dosing-1-a-i"
        assert len({anchor(label) for label in labels(POLICY)}) == len(labels(POLICY))


@pytest.fixture(scope="module")
def page() -> str:
    return policy_page(POLICY, {"1.A.i": ["tests/t.py::test_age"]})


class TestPolicyPage:
    """The reviewer page is generated from the tree: every label, word, limit and fact."""

    def test_every_label_and_text(self, page: str) -> None:
        for indication in POLICY.indications:
            for root in (indication.criteria, indication.dosing):
                for node in walk(root):
                    assert f'<span id="{anchor(node.label)}"></span>' in page
                    assert f"**{node.label}**" in page

    def test_metadata(self, page: str) -> None:
        assert "| Effective date | 2022-01-01 |" in page
        assert "| Review date | 2025-02-05 |" in page
        assert POLICY.content_hash in page

    def test_tests_are_listed_under_their_criterion(self, page: str) -> None:
        assert "Tests (1): `t.py` (1)" in page

    def test_dosing_table_rows(self, page: str) -> None:
        row = (
            "| [Dosing 3](#label-dosing-3) | The dose per administration: absolute, per kg, "
            "per m² or per lesion. | 1 million International Units/m² | `10*6.[iU]/m2` | "
            "at most (inclusive, ≤) |"
        )
        assert row in page

    def test_route_condition_row(self, page: str) -> None:
        assert (
            "| [Dosing 3](#label-dosing-3) | regimen.route is subcutaneous | | | condition |"
            in page
        )

    def test_interpretations_are_linked(self, page: str) -> None:
        assert (
            "[Rest periods apply only to what is requested](interpretations.md#rest-not-applicable)"
            in page
        )

    def test_one_mermaid_diagram_per_indication(self, page: str) -> None:
        assert page.count("```mermaid") == len(POLICY.indications)

    def test_tests_are_grouped_by_module_and_class(self) -> None:
        ids = [f"tests/t.py::TestA::test_{n}[x]" for n in range(5)] + ["tests/u.py::test_b"]
        page = policy_page(POLICY, {"2.B": ids})
        assert "Tests (6): `t.py::TestA` (5), `u.py` (1)" in page

    def test_stray_lines_are_absent(self, page: str) -> None:
        assert stray_words_in(page) == set()


class TestInterpretationsPage:
    """Each interpretation appears once, with links back to the labels it affects."""

    def test_links(self) -> None:
        page = interpretations_page(POLICY, "proleukin.md")
        for item in POLICY.interpretations:
            assert f"{{#{item.key}}}" in page
        assert "[Dosing 3](proleukin.md#label-dosing-3)" in page


class TestDiagram:
    """The Mermaid flowchart has a box for every node and the four outcomes."""

    def test_nodes_and_outcomes(self) -> None:
        chart = indication_flowchart(POLICY.indications[2])
        assert chart.startswith("flowchart LR\n")
        for label in ("3", "3.A", "3.B", "3.C", "3.D", "Dosing 3"):
            assert f"    {node_id(label)}[" in chart
        assert "3 -->|criteria met| dosing_3" in chart
        assert '3_approve(["approve: 1 year"])' in chart
        assert "dosing_3 -->|dosing not met| 3_review" in chart

    def test_quotes_are_escaped(self) -> None:
        assert node_id("Dosing 1.A.i") == "dosing_1_a_i"
        chart = indication_flowchart(POLICY.indications[0])
        assert "1_a -->|ALL of| 1_a_i" in chart
        assert "1 -->|ONE of| 1_a" in chart


class TestJsonSchema:
    """The generated schemas accept what the converter writes and reject unknown keys."""

    def test_examples_and_decisions_validate(self) -> None:
        request_schema = json_schema(umpolicy.Request)
        decision_schema = json_schema(umpolicy.Decision)
        jsonschema.Draft202012Validator.check_schema(request_schema)
        jsonschema.Draft202012Validator.check_schema(decision_schema)
        for path in EXAMPLES:
            text = path.read_text(encoding="utf-8")
            jsonschema.validate(json.loads(text), request_schema)
            jsonschema.validate(json.loads(to_json(evaluate(text))), decision_schema)

    def test_unknown_keys_and_units_are_rejected(self) -> None:
        schema = json_schema(umpolicy.Request)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"date": "2026-01-01", "extra": 1}, schema)
        bad = {"date": "2026-01-01", "patient": {"weight": {"value": "1", "unit": "stone"}}}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)

    def test_required_fields(self) -> None:
        schema = json_schema(umpolicy.Request)
        assert schema["$defs"]["Request"]["required"] == ["date"]
        assert schema["$defs"]["Lesion"]["required"] == ["site", "status"]


class TestGeneratorsRefuseWhatTheyCannotShow:
    """A page without an outcomes note omits the section; a schema of an unknown type fails."""

    def test_page_without_outcomes_interpretation(self) -> None:
        bare = attrs.evolve(POLICY, interpretations=())
        page = policy_page(bare)
        assert "## Outcomes" not in page
        assert "Interpretations:" not in page

    def test_schema_of_an_unsupported_type(self) -> None:
        @attrs.frozen
        class Odd:
            ratio: Fraction

        with pytest.raises(TypeError, match="no JSON Schema for"):
            json_schema(Odd)
