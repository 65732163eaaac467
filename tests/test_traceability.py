from __future__ import annotations

import pytest

from tests.traceability import DEFAULT_POLICY, all_labels_exercised
from umpolicy import Policy, load_policy
from umpolicy.engine.decision import exclusion_label
from umpolicy.render.pages import labels

#: Every policy with tests in this suite: the shipped one, and the fictional one.
POLICIES = (DEFAULT_POLICY, "quellimab")


@pytest.fixture(scope="module")
def traced() -> dict[str, dict[str, list[str]]]:
    return all_labels_exercised()


def lettered(policy: Policy) -> set[str]:
    """Every label a test may name: the criteria, the dosing and the exclusions."""
    return set(labels(policy)) | {exclusion_label(item) for item in policy.exclusions}


class TestTraceability:
    """Every lettered criterion and dosing limit of a policy is named by a test."""

    @pytest.mark.parametrize("name", POLICIES)
    def test_every_label_is_exercised(
        self, traced: dict[str, dict[str, list[str]]], name: str
    ) -> None:
        found = traced.get(name, {})
        missing = [label for label in labels(load_policy(name)) if not found.get(label)]
        assert missing == []

    @pytest.mark.parametrize("name", POLICIES)
    def test_no_test_names_a_label_the_policy_lacks(
        self, traced: dict[str, dict[str, list[str]]], name: str
    ) -> None:
        assert set(traced.get(name, {})) <= lettered(load_policy(name))

    def test_no_test_names_a_policy_that_is_not_installed(
        self, traced: dict[str, dict[str, list[str]]]
    ) -> None:
        assert set(traced) <= set(POLICIES)
