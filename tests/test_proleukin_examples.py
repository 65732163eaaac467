"""The worked examples in ``examples/proleukin``: each decides as its file name says.

File names are ``<path>-<outcome>.json``; there must be one per outcome per
indication path, and each decision's trail must show every node of the policy tree
(nothing hidden by short-circuiting).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import PATHS, decide, replace, requests, trail_nodes, tree_labels
from tests.strategies import Path as IndicationPath
from umpolicy import Outcome, Request
from umpolicy.api import evaluate, parse_request

EXAMPLES = Path(__file__).parent.parent / "examples" / "proleukin"
FILES = sorted(EXAMPLES.glob("*.json"))

#: The labels each kind of example exercises (its indication's headings).
PREFIX_LABELS = {
    "melanoma-iv": ("1", "1.A", "Dosing 1", "Dosing 1.A"),
    "melanoma-intralesional": ("1", "1.B", "Dosing 1", "Dosing 1.B"),
    "rcc": ("2", "Dosing 2"),
    "gvhd": ("3", "Dosing 3"),
    "other-condition": ("1", "2", "3"),
}
INDICATION = {"melanoma-iv": "1", "melanoma-intralesional": "1", "rcc": "2", "gvhd": "3"}
OUTCOME_SUFFIXES = {outcome.value.replace("_", "-"): outcome for outcome in Outcome}


def split_name(file: Path) -> tuple[str, Outcome]:
    """``rcc-clinician-review.json`` → (``rcc``, clinician_review)."""
    for suffix, outcome in OUTCOME_SUFFIXES.items():
        if file.stem.endswith(f"-{suffix}"):
            return file.stem.removesuffix(f"-{suffix}"), outcome
    raise AssertionError(f"{file.name} does not end with an outcome")


def _params() -> list[object]:
    return [
        pytest.param(
            file, marks=pytest.mark.criteria(*PREFIX_LABELS[split_name(file)[0]]), id=file.stem
        )
        for file in FILES
    ]


def load(file: Path) -> Request:
    """The example as a validated request."""
    return parse_request(file.read_text(encoding="utf-8"))


class TestExampleFiles:
    """Every example decides to the outcome its file name states."""

    @pytest.mark.parametrize("file", _params())
    def test_outcome(self, file: Path) -> None:
        _, outcome = split_name(file)

        decision = evaluate(file.read_text(encoding="utf-8"))

        assert decision.outcome is outcome, decision.summary

    @pytest.mark.parametrize("file", _params())
    def test_indication(self, file: Path) -> None:
        prefix, outcome = split_name(file)

        decision = decide(load(file))

        if outcome in (Outcome.APPROVE, Outcome.CLINICIAN_REVIEW):
            assert decision.indication == INDICATION[prefix]
        else:
            assert decision.authorization is None

    @pytest.mark.parametrize("file", _params())
    def test_trail_covers_every_node(self, file: Path) -> None:
        decision = decide(load(file))

        assert sorted(trail_nodes(decision)) == sorted(tree_labels())

    @pytest.mark.parametrize("file", _params())
    def test_example_is_named_for_its_policy(self, file: Path) -> None:
        assert json.loads(file.read_text(encoding="utf-8"))["policy"] == "proleukin"

    @pytest.mark.criteria("1", "1.A", "1.B", "2", "3", "Dosing 1", "Dosing 2", "Dosing 3")
    def test_one_per_outcome_per_path(self) -> None:
        found = {split_name(file) for file in FILES}
        prefixes = ("melanoma-iv", "melanoma-intralesional", "rcc", "gvhd")

        assert set(itertools.product(prefixes, Outcome)) <= found
        assert {prefix for prefix, _ in found} <= set(PREFIX_LABELS)


class TestTrailHidesNothing:
    """Every decision's trail holds every node of the tree, whatever decided it first."""

    @pytest.mark.criteria(*tree_labels())
    @settings(max_examples=60, deadline=None)
    @given(
        data=st.data(),
        path=st.sampled_from(PATHS),
        blank=st.sampled_from(
            (
                None,
                "diagnoses",
                "medication.route",
                "medication.dose",
                "therapies.concomitant",
                "answers.melanoma_metastatic",
                "patient.birth_date",
                "prescriber",
            )
        ),
    )
    def test_any_request(
        self, data: st.DataObject, path: IndicationPath, blank: str | None
    ) -> None:
        request = data.draw(requests(path))
        if blank == "prescriber":
            request = replace(request, "prescriber.specialties", None)
        elif blank is not None:
            request = replace(request, blank, None)

        decision = decide(request)

        assert sorted(trail_nodes(decision)) == sorted(tree_labels())
