from __future__ import annotations

import pytest

from tests.traceability import labels_exercised
from umpolicy.pages import labels
from umpolicy_policies.proleukin import POLICY


@pytest.fixture(scope="module")
def traced() -> dict[str, list[str]]:
    return labels_exercised()


class TestTraceability:
    """Every lettered criterion and dosing limit of a policy is named by a test."""

    def test_every_label_is_exercised(self, traced: dict[str, list[str]]) -> None:
        missing = [label for label in labels(POLICY) if not traced.get(label)]
        assert missing == []

    def test_no_test_names_a_label_the_policy_lacks(self, traced: dict[str, list[str]]) -> None:
        assert set(traced) <= set(labels(POLICY))
