"""Renderers: deterministic text and Markdown with every label, status and word."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from umpolicy import (
    AnswerType,
    Decision,
    Question,
    Request,
    decide,
    load_policy,
    loads,
    structure,
    walk,
)
from umpolicy.api import evaluate, to_json
from umpolicy.dsl.nodes import roles
from umpolicy.engine.decision import exclusion_label
from umpolicy.render.text import (
    MARK,
    _md,
    decision_markdown,
    decision_text,
    policy_text,
    words,
)
from umpolicy_policies.proleukin import POLICY

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "proleukin").glob("*.json"))
LABELS = [node.label for root in POLICY.trees() for node in walk(root)]


def request_of(path: Path) -> Request:
    return structure(loads(path.read_text()), Request)


class TestDecisionText:
    """The text shows the summary, every node with its status and words, deterministically."""

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_text(self, path: Path) -> None:
        decision = decide(POLICY, request_of(path))
        text = decision_text(decision, POLICY)
        assert text == decision_text(decide(POLICY, request_of(path)), POLICY)
        assert f"Outcome: {decision.outcome.value}\n" in text
        assert decision.summary in text
        assert decision.policy.content_hash in text
        assert decision.trail is not None
        for label, step in decision.trail.steps.items():
            mark = MARK[step.status] if step.applies else "met (does not apply)"
            assert f"[{mark}] {label} " in text
        for label in LABELS:
            assert f"] {label} {words(POLICY, label)}\n" in text
        for reason in decision.reasons:
            assert f"  - {reason.label}: {words(POLICY, reason.label)}" in text
            assert f"    found: {reason.detail}" in text
        if decision.facts_needed:
            assert f"Facts needed: {', '.join(decision.facts_needed)}" in text

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_every_fact_of_the_trail_is_shown(self, path: Path) -> None:
        decision = decide(POLICY, request_of(path))
        text = decision_text(decision, POLICY)
        assert decision.trail is not None
        read = {
            name
            for step in decision.trail.steps.values()
            for f in step.findings
            for name in f.facts
        }
        for name in read:
            fact = decision.trail.facts[name]
            assert f"{name} = {fact.display()}" in text

    def test_a_decision_read_back_from_json_renders_the_same(self) -> None:
        decision = decide(POLICY, request_of(EXAMPLES[0]))
        again = structure(loads(to_json(decision)), Decision)
        assert decision_text(again, POLICY) == decision_text(decision, POLICY)
        assert decision_markdown(again, POLICY) == decision_markdown(decision, POLICY)

    def test_the_policy_must_be_the_one_that_decided(self) -> None:
        decision = decide(POLICY, request_of(EXAMPLES[0]))
        other = attrs.evolve(POLICY, version="another")
        with pytest.raises(ValueError, match="not under this policy"):
            decision_text(decision, other)
        with pytest.raises(ValueError, match="not under this policy"):
            decision_markdown(decision, other)

    def test_without_trail(self) -> None:
        decision = decide(POLICY, request_of(EXAMPLES[0]), trail=False)
        text = decision_text(decision, POLICY)
        assert "Audit trail" not in text
        assert "Request: gvhd-001\n" in text
        nameless = attrs.evolve(decision, request_id=None)
        assert "Request: (no id)\n" in decision_text(nameless, POLICY)

    def test_a_derived_fact_shows_its_meaning_and_inputs(self) -> None:
        path = next(p for p in EXAMPLES if p.stem == "melanoma-iv-approve")
        text = decision_text(evaluate(path.read_text()), POLICY)
        assert "fact: patient.age = 57 years  (Age in whole years" in text
        assert "← patient.birth_date = 1968-07-14" in text
        assert "43,500,000 International Units ÷ 72.5 kg = 600,000 International Units/kg" in text


class TestDecisionMarkdown:
    """Markdown has the same content, escaped."""

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_markdown(self, path: Path) -> None:
        decision = decide(POLICY, request_of(path))
        text = decision_markdown(decision, POLICY)
        assert text == decision_markdown(decide(POLICY, request_of(path)), POLICY)
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
        text = decision_markdown(hostile, POLICY)
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
        assert "applies if: medication.schedule.cycles_per_course ≥ 2 cycles" in text
        assert "requires: diagnoses include Cutaneous melanoma (ICD-10-CM C43*)" in text
        assert "rule: medication.dose ≤ 600,000 International Units/kg (or 0.037 mg/kg)" in text
        assert text.count("FDA-Approved Indications") == 1
        assert "Other Uses with Supportive Evidence" in text
        assert POLICY.content_hash in text
        assert f"1. {POLICY.not_recommended[0].text}" in text

    def test_declared_value_sets_questions_and_derived_facts(self) -> None:
        text = policy_text(POLICY)
        assert "\nVALUE SETS\n" in text
        for value_set in POLICY.value_sets:
            assert f"{value_set.name}: {value_set.describe()}" in text
        assert "\nQUESTIONS (answers.proleukin.<id>)\n" in text
        assert "metastatic (boolean): Is the disease metastatic?" in text
        assert "    site (choice): Where is the lesion? [cutaneous: Cutaneous," in text
        for derived in POLICY.derived:
            assert f"{derived.name} (from {', '.join(derived.inputs)}): " in text

    def test_a_policy_that_declares_nothing_of_its_own(self) -> None:
        bare = attrs.evolve(POLICY, value_sets=(), questions=(), derived=())
        text = policy_text(bare)
        for heading in ("VALUE SETS", "QUESTIONS", "DERIVED FACTS"):
            assert heading not in text

    def test_a_quantity_question_gives_its_units(self) -> None:
        dose = Question("last_dose", "What was the last dose?", AnswerType.QUANTITY, units=("mg",))
        text = policy_text(attrs.evolve(POLICY, questions=(dose,)))
        assert "last_dose (quantity): What was the last dose? [mg]" in text

    def test_roles_follow_the_findings(self) -> None:
        node = POLICY.node("Dosing 1.A.ii")
        assert [role for role, _ in roles(node)] == ["applies if", "rule"]
        assert [role for role, _ in roles(POLICY.node("1.A"))] == ["requires"]
        assert roles(POLICY.node("Dosing 1")) == ()


QUELLIMAB = load_policy("quellimab")  # the fictional teaching policy, installed for the tests
QUELLIMAB_EXAMPLES = sorted(
    (Path(__file__).parent.parent / "examples" / "quellimab-policy" / "examples").glob("*.json")
)


class TestExclusionsAndPeriods:
    """A policy with an exclusion and per-branch periods (the fictional Quellimab)."""

    @pytest.mark.parametrize("path", QUELLIMAB_EXAMPLES, ids=lambda p: p.stem)
    def test_every_example_renders(self, path: Path) -> None:
        decision = evaluate(path.read_text(), QUELLIMAB)
        text = decision_text(decision, QUELLIMAB)
        markdown = decision_markdown(decision, QUELLIMAB)
        for item in QUELLIMAB.exclusions:
            label = exclusion_label(item)
            assert f"] {label}. {item.text}" in text
            assert f"**{_md(label)}.** {_md(item.text)}" in markdown

    def test_the_exclusion_reason_has_its_words(self) -> None:
        path = next(p for p in QUELLIMAB_EXAMPLES if "exclusion" in p.stem)
        decision = evaluate(path.read_text(), QUELLIMAB)
        item = QUELLIMAB.exclusions[0]
        assert f"  - {exclusion_label(item)}: {item.text}" in decision_text(decision, QUELLIMAB)
        assert words(QUELLIMAB, exclusion_label(item)) == item.text

    def test_policy_text_gives_each_branch_period_and_the_exclusion(self) -> None:
        text = policy_text(QUELLIMAB)
        assert "      approval: 6 months" in text
        item = QUELLIMAB.exclusions[0]
        assert item.check is not None
        assert f"exclusion ({exclusion_label(item)}): {item.check.describe()}" in text
