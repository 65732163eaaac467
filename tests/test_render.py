"""Renderers: deterministic text and Markdown with every label and status."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from umpolicy import Request, Trail, decide, loads, structure, walk
from umpolicy.render import MARK, _md, decision_markdown, decision_text, policy_text
from umpolicy_policies.proleukin import POLICY

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "proleukin").glob("*.json"))
LABELS = [
    node.label
    for indication in POLICY.indications
    for root in (indication.criteria, indication.dosing)
    for node in walk(root)
]


def request_of(path: Path) -> Request:
    return structure(loads(path.read_text()), Request)


def statuses(trail: Trail) -> list[Trail]:
    return [trail, *(t for child in trail.children for t in statuses(child))]


class TestDecisionText:
    """The text shows the summary, every node with its status, and is deterministic."""

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_text(self, path: Path) -> None:
        decision = decide(POLICY, request_of(path))
        text = decision_text(decision)
        assert text == decision_text(decide(POLICY, request_of(path)))
        assert f"Outcome: {decision.outcome.value}\n" in text
        assert decision.summary in text
        assert decision.policy.content_hash in text
        assert decision.trail is not None
        for top in decision.trail:
            for node in statuses(top):
                mark = MARK[node.status] if node.applies else "met (does not apply)"
                assert f"[{mark}] {node.label} " in text
        for label in LABELS:
            assert f"] {label} " in text
        for reason in decision.reasons:
            assert f"  - {reason.label}: {reason.text}" in text
        if decision.facts_needed:
            assert f"Facts needed: {', '.join(decision.facts_needed)}" in text

    def test_without_trail(self) -> None:
        decision = decide(POLICY, request_of(EXAMPLES[0]), trail=False)
        text = decision_text(decision)
        assert "Audit trail" not in text
        assert "Request: gvhd-001\n" in text
        nameless = attrs.evolve(decision, request_id=None)
        assert "Request: (no id)\n" in decision_text(nameless)


class TestDecisionMarkdown:
    """Markdown has the same content, escaped."""

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_markdown(self, path: Path) -> None:
        decision = decide(POLICY, request_of(path))
        text = decision_markdown(decision)
        assert text == decision_markdown(decide(POLICY, request_of(path)))
        assert text.startswith(f"### Outcome: {decision.outcome.value}\n")
        assert "#### Audit trail" in text
        for label in LABELS:
            assert f"**{_md(label)}**" in text
        if decision.reasons:
            assert "#### Not met" in text
        for name in decision.facts_needed:
            assert f"- `{name}`" in text
        if decision.authorization:
            assert f"- Authorization: {decision.authorization.start}" in text

    @pytest.mark.parametrize(
        ("raw", "escaped"),
        [
            ("a*b", "a\\*b"),
            ("[iU]/kg", "\\[iU\\]/kg"),
            ("x_y", "x\\_y"),
            ("<b>|`c`\\", "\\<b\\>\\|\\`c\\`\\\\"),
            ("plain", "plain"),
        ],
    )
    def test_escape(self, raw: str, escaped: str) -> None:
        assert _md(raw) == escaped

    def test_escapes_in_output(self) -> None:
        decision = decide(POLICY, request_of(EXAMPLES[0]))
        hostile = attrs.evolve(decision, request_id="*id*", trail=None)
        text = decision_markdown(hostile)
        assert "Request: \\*id\\*" in text
        assert "*id*" not in text.replace("\\*id\\*", "")
        assert "#### Audit trail" not in text


class TestPolicyText:
    """The policy tree in its own words, with the rule under each line."""

    def test_policy_text(self) -> None:
        text = policy_text(POLICY)
        assert text == policy_text(POLICY)
        for label in LABELS:
            assert f"{label} " in text
        assert "applies if: regimen.cycles_per_course ≥ 2 cycles" in text
        assert "requires: diagnosis.condition is cutaneous_melanoma" in text
        assert "rule: regimen.dose ≤ 600,000 International Units/kg (or 0.037 mg/kg)" in text
        assert text.count("FDA-Approved Indications") == 1
        assert "Other Uses with Supportive Evidence" in text
        assert POLICY.content_hash in text
        assert f"1. {POLICY.not_recommended[0].text}" in text
