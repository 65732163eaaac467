"""The FICTIONAL Quellimab policy as a plan's own package: registry, API, words, examples.

The package in ``examples/quellimab-policy`` registers its policy under the
``umpolicy.policies`` entry point, is written against umpolicy's public API alone,
encodes the document label for label and word for word, and ships example requests,
each decided as its file name says. It is never one of umpolicy's own policies.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import pytest

import umpolicy
from tests.quellimab.helpers import POLICY, decide
from umpolicy import AllOf, AnyOf, Outcome, walk

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "examples" / "quellimab-policy"
EXAMPLES = sorted((PACKAGE / "examples").glob("*.json"))
DOCUMENT = REPO.parent / "shared" / "policy" / "quellimab.txt"
OUTCOMES = {
    "approve": Outcome.APPROVE,
    "clinician-review": Outcome.CLINICIAN_REVIEW,
    "not-recommended": Outcome.NOT_RECOMMENDED,
    "insufficient-information": Outcome.INSUFFICIENT_INFORMATION,
}


def named_outcome(path: Path) -> Outcome:
    """The outcome a file's name says (``ra-initial-approve.json`` → approve)."""
    for suffix, outcome in OUTCOMES.items():
        if path.stem.endswith(suffix):
            return outcome
    raise AssertionError(f"{path.name} names no outcome")


class TestRegistry:
    """The policy is loaded through the entry point, as a plan's package is."""

    def test_registered_by_the_package(self) -> None:
        (found,) = entry_points(group="umpolicy.policies", name="quellimab")
        assert found.value == "umpolicy_quellimab.policy:POLICY"
        assert found.dist is not None
        assert found.dist.name == "umpolicy-quellimab"

    def test_loaded_by_name(self) -> None:
        assert "quellimab" in umpolicy.policy_names()
        policy = umpolicy.load_policy("quellimab")
        assert policy is POLICY
        assert type(policy).__module__ == "umpolicy.policy"
        assert policy.name == "quellimab"

    def test_not_one_of_umpolicys_own_policies(self) -> None:
        assert importlib.util.find_spec("umpolicy_policies.quellimab") is None
        assert not (REPO / "policies" / "quellimab.py").exists()
        project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
        assert "quellimab" not in project["project"]["entry-points"]["umpolicy.policies"]
        packages = project["tool"]["setuptools"]["packages"]
        assert not [name for name in packages if "quellimab" in name]

    def test_a_request_names_its_policy(self) -> None:
        from umpolicy.api import evaluate  # the application's one call

        data = json.loads(EXAMPLES[0].read_text(encoding="utf-8"))
        assert evaluate(data).policy.name == "quellimab"


class TestPublicApiOnly:
    """The package imports umpolicy's top-level names and nothing else of umpolicy."""

    def test_imports(self) -> None:
        source = PACKAGE / "src" / "umpolicy_quellimab" / "policy.py"
        tree = ast.parse(source.read_text(encoding="utf-8"))
        imported: list[str] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.module in ("umpolicy", "__future__", "datetime"), node.module
                if node.module == "umpolicy":
                    imported += [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                assert all(not a.name.startswith("umpolicy") for a in node.names)
        assert imported
        assert set(imported) <= set(umpolicy.__all__)
        assert not [name for name in imported if name.startswith("_")]

    def test_ships_typing_and_a_fictional_readme(self) -> None:
        assert (PACKAGE / "src" / "umpolicy_quellimab" / "py.typed").exists()
        assert "FICTIONAL" in (PACKAGE / "README.md").read_text(encoding="utf-8")


def words(label: str) -> str:
    node = POLICY.node(label)
    title = node.title if isinstance(node, AllOf | AnyOf) else None
    return f"{title} {node.text}" if title else node.text


#: Every node's words as the document prints them, PDF line breaks joined.
DOCUMENT_WORDS = {
    "1": "Rheumatoid Arthritis. Approve for the duration noted if the patient meets ONE of "
    "the following (A or B):",
    "1.A": "Initial Therapy. Approve for 6 months if the patient meets ALL of the following "
    "(i, ii, iii, and iv):",
    "1.A.i": "Patient is ≥ 18 years of age; AND",
    "1.A.ii": "Patient meets ONE of the following (a or b):",
    "1.A.ii.a": "Patient has tried one conventional synthetic disease-modifying antirheumatic "
    "drug (DMARD) for at least 3 months (methotrexate, leflunomide, sulfasalazine, or "
    "hydroxychloroquine); OR",
    "1.A.ii.b": "Patient has a contraindication to methotrexate, according to the prescriber; AND",
    "1.A.iii": "Quellimab will not be used in combination with another biologic or with a "
    "targeted synthetic DMARD; AND",
    "1.A.iv": "The medication is prescribed by or in consultation with a rheumatologist; OR",
    "1.B": "Patient is Currently Receiving Quellimab. Approve for 1 year if the patient meets "
    "ALL of the following (i and ii):",
    "1.B.i": "Patient has been established on therapy for at least 6 months; AND",
    "1.B.ii": "Patient has responded to therapy, as determined by the prescriber (for example, "
    "less joint pain or swelling, improved function, or a decrease in a disease activity "
    "score).",
    "Dosing 1": "Approve ONE of the following dosing regimens (A or B):",
    "Dosing 1.A": "Subcutaneous: up to 162 mg given no more frequently than once every week; OR",
    "Dosing 1.B": "Intravenous: up to 8 mg/kg, to a maximum of 800 mg per infusion, given no "
    "more frequently than once every 4 weeks.",
    "2": "Polyarticular Juvenile Idiopathic Arthritis. Approve for the duration noted if the "
    "patient meets ONE of the following (A or B):",
    "2.A": "Initial Therapy. Approve for 6 months if the patient meets ALL of the following "
    "(i, ii, and iii):",
    "2.A.i": "Patient is ≥ 2 years of age; AND",
    "2.A.ii": "Patient meets ONE of the following (a or b):",
    "2.A.ii.a": "Patient has tried one other systemic therapy for this condition; OR",
    "2.A.ii.b": "Quellimab will be started in combination with methotrexate; AND",
    "2.A.iii": "The medication is prescribed by or in consultation with a rheumatologist; OR",
    "2.B": "Patient is Currently Receiving Quellimab. Approve for 1 year if the patient has "
    "responded to therapy, as determined by the prescriber.",
    "Dosing 2": "Approve ONE of the following dosing regimens (A or B):",
    "Dosing 2.A": "Intravenous (i or ii):",
    "Dosing 2.A.i": "Patient weighs less than 30 kg: up to 10 mg/kg given no more frequently "
    "than once every 4 weeks; OR",
    "Dosing 2.A.ii": "Patient weighs 30 kg or more: up to 8 mg/kg given no more frequently than "
    "once every 4 weeks; OR",
    "Dosing 2.B": "Subcutaneous (i or ii):",
    "Dosing 2.B.i": "Patient weighs less than 30 kg: up to 162 mg given no more frequently than "
    "once every 3 weeks; OR",
    "Dosing 2.B.ii": "Patient weighs 30 kg or more: up to 162 mg given no more frequently than "
    "once every 2 weeks.",
}


class TestWordForWord:
    """The tree has the document's labels, in its order, with its words."""

    def test_labels_in_order(self) -> None:
        labels = [node.label for root in POLICY.trees() for node in walk(root)]
        order = [
            "1",
            "1.A",
            "1.A.i",
            "1.A.ii",
            "1.A.ii.a",
            "1.A.ii.b",
            "1.A.iii",
            "1.A.iv",
            "1.B",
            "1.B.i",
            "1.B.ii",
            "Dosing 1",
            "Dosing 1.A",
            "Dosing 1.B",
            "2",
            "2.A",
            "2.A.i",
            "2.A.ii",
            "2.A.ii.a",
            "2.A.ii.b",
            "2.A.iii",
            "2.B",
            "Dosing 2",
            "Dosing 2.A",
            "Dosing 2.A.i",
            "Dosing 2.A.ii",
            "Dosing 2.B",
            "Dosing 2.B.i",
            "Dosing 2.B.ii",
        ]
        assert labels == order
        assert set(DOCUMENT_WORDS) == set(order)

    @pytest.mark.parametrize("label", sorted(DOCUMENT_WORDS))
    def test_words(self, label: str) -> None:
        assert words(label) == DOCUMENT_WORDS[label]

    def test_metadata(self) -> None:
        assert POLICY.plans == "Example Health Plan (all lines of business)"
        assert (POLICY.effective.isoformat(), POLICY.reviewed.isoformat()) == (
            "2025-07-01",
            "2026-06-15",
        )
        assert "FICTIONAL" in POLICY.drug
        assert POLICY.said("case_by_case").startswith("Requests for doses outside")
        assert [item.label for item in POLICY.not_recommended] == ["1", "2"]
        assert POLICY.exclusions == (POLICY.not_recommended[0],)

    def test_every_interpretation_names_real_labels(self) -> None:
        labels = {node.label for root in POLICY.trees() for node in walk(root)}
        for item in POLICY.interpretations:
            assert set(item.labels) <= labels, item.key
        assert {"fictional", "outcomes"} <= {item.key for item in POLICY.interpretations}

    def test_declared_facts_are_read(self) -> None:
        read = set(POLICY.facts())
        assert {d.name for d in POLICY.derived} <= read
        assert {question.fact for question in POLICY.questions} <= read

    def test_against_the_document(self) -> None:  # shared/ stands beside the repo, as in CI
        text = re.sub(r"\s+", " ", DOCUMENT.read_text(encoding="utf-8"))
        # The document letters its branches "A) ", "i. ", "a) ": drop the markers.
        text = re.sub(r" (?:[A-B]\)|[ivx]+\.|[a-b]\)|[0-9]\.) ", " ", text)
        for label in DOCUMENT_WORDS:
            node = POLICY.node(label)
            assert node.text in text, label
        for item in POLICY.not_recommended:
            assert item.text in text
        for sentence in POLICY.statement:
            assert sentence.text in text


class TestExamples:
    """Every shipped example decides as its file name says; every outcome is shown."""

    @pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
    def test_decides_as_named(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["id"] == path.stem
        assert data["policy"] == "quellimab"
        decision = decide(data)
        assert decision.outcome is named_outcome(path), decision.summary
        if "exclusion" in path.stem:
            assert [reason.label for reason in decision.reasons] == ["Not Recommended 1"]
        if "initial" in path.stem and decision.authorization is not None:
            assert decision.authorization.period == "6 months"
        if "continuation" in path.stem and decision.authorization is not None:
            assert decision.authorization.period == "1 year"

    @pytest.mark.parametrize("indication", ["ra", "pjia"])
    def test_every_outcome_per_indication(self, indication: str) -> None:
        stems = [p.stem for p in EXAMPLES if p.stem.startswith(f"{indication}-")]
        for required in (
            "initial-approve",
            "continuation-approve",
            "clinician-review",
            "-not-recommended",
            "insufficient-information",
            "exclusion-not-recommended",
        ):
            assert any(required in stem for stem in stems), required

    def test_numbers_are_decimal_text(self) -> None:
        for path in EXAMPLES:
            assert not re.search(r'"value": [0-9]', path.read_text(encoding="utf-8")), path
