"""Renderers: deterministic text and Markdown with every label, status and word."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from umpolicy import (
    AnswerType,
    Question,
    Request,
    decide,
    load_policy,
    loads,
    structure,
    walk,
)
from umpolicy.api import evaluate
from umpolicy.dsl.nodes import roles
from umpolicy.engine.decision import exclusion_label
from umpolicy.render.escape import code, markdown, one_line
from umpolicy.render.text import decision_markdown, decision_text, policy_text
from umpolicy.render.worksheet import words
from umpolicy_policies.proleukin import POLICY

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "proleukin").glob("*.json"))
LABELS = [node.label for root in POLICY.trees() for node in walk(root)]


def request_of(path: Path) -> Request:
    return structure(loads(path.read_text()), Request)


class TestMarkdownEscape:
    """Markdown output escapes what Markdown would read as markup, and nothing else."""

    @pytest.mark.parametrize(
        ("raw", "escaped"),
        [
            ("a*b", "a\\*b"),
            ("[iU]/kg", "\\[iU\\]/kg"),
            ("x_y", "x\\_y"),
            ("<b>|`c`\\", "\\<b\\>\\|\\`c\\`\\\\\\\\"),
            ("plain", "plain"),
            ("### Approve", "\\#\\#\\# Approve"),
            ("&lt;b&gt; ~~no~~", "\\&lt;b\\&gt; \\~\\~no\\~\\~"),
            ("- item", "\\- item"),
            ("+ item", "\\+ item"),
            ("-", "\\-"),
            ("---", "\\---"),
            ("1. item", "1\\. item"),
            ("12) item", "12\\) item"),
            ("    code", "&#32;   code"),
            ("x\n### Recommendation: Approve", "x\\\\n\\#\\#\\# Recommendation: Approve"),
            ("1.A", "1.A"),
            ("72.5 kg", "72.5 kg"),
            ("-5 mg", "-5 mg"),
            ("a - b", "a - b"),
        ],
    )
    def test_escape(self, raw: str, escaped: str) -> None:
        assert markdown(raw) == escaped

    def test_escapes_in_output(self) -> None:
        decision = decide(POLICY, request_of(EXAMPLES[0]))
        hostile = attrs.evolve(decision, request_id="*id*", trail=None)
        text = decision_markdown(hostile, POLICY)
        assert "Request: `*id*`" in text
        assert "#### Criteria and dosing" not in text


class TestOneLine:
    """A string never breaks or hides a line: controls and separators show as escapes."""

    @pytest.mark.parametrize(
        ("raw", "shown"),
        [
            ("plain ≥ 18 years, Proleukin®", "plain ≥ 18 years, Proleukin®"),
            ("a\nb", "a\\nb"),
            ("a\r\nb", "a\\r\\nb"),
            ("a\tb", "a\\tb"),
            ("\x00\x1b[31m\x7f", "\\x00\\x1b[31m\\x7f"),
            ("next\x85line", "next\\x85line"),
            ("a\u2028b\u2029c", "a\\u2028b\\u2029c"),
            ("\u202eevorppA", "\\u202eevorppA"),
            ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
            ("\U000e0041", "\\U000e0041"),
            ("\ud800", "\\ud800"),
            ("C:\\n", "C:\\\\n"),
            ("no\u00a0break", "no\u00a0break"),
        ],
    )
    def test_escape(self, raw: str, shown: str) -> None:
        assert one_line(raw) == shown

    @given(st.text(st.characters(exclude_categories=())))
    def test_one_line_and_unambiguous(self, text: str) -> None:
        shown = one_line(text)
        assert len(shown.splitlines()) <= 1
        assert all(char.isprintable() or char.isspace() for char in shown)
        # Read back as Python reads escapes, the text is the one given: no two look alike.
        assert shown.encode("latin-1", "backslashreplace").decode("unicode_escape") == text


class TestCodeSpan:
    """A code span holds any text on one line: its fence is longer than any backtick run."""

    @pytest.mark.parametrize(
        ("raw", "span"),
        [
            ("rcc-9", "`rcc-9`"),
            ("a`b", "``a`b``"),
            ("`x``", "``` `x`` ```"),
            (" x", "`  x `"),
            ("   ", "`   `"),
            ("a\nb", "`a\\nb`"),
        ],
    )
    def test_span(self, raw: str, span: str) -> None:
        assert code(raw) == span

    @given(st.text(st.characters(exclude_categories=()), min_size=1))
    def test_the_span_reads_as_the_text(self, text: str) -> None:
        span = code(text)
        fence = re.match("`+", span)
        assert fence is not None
        inner = span[fence.end() : -fence.end()]
        assert span.endswith(fence[0])
        assert fence[0] not in re.findall("`+", inner)
        if inner.strip(" ") and inner.startswith(" ") and inner.endswith(" "):
            inner = inner[1:-1]  # CommonMark strips one space from each side
        assert inner == one_line(text)


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
        assert "melanoma_metastatic (boolean): Is the melanoma metastatic?" in text
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
        assert [role for role, _ in roles(node)] == ["applies if", "rule", "rule"]
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
        shown = decision_markdown(decision, QUELLIMAB)
        for item in QUELLIMAB.exclusions:
            label = exclusion_label(item)
            assert f"] {label}. {item.text}" in text
            assert f"**{markdown(label)}.** {markdown(item.text)}" in shown

    def test_the_exclusion_reason_has_its_words(self) -> None:
        path = next(p for p in QUELLIMAB_EXAMPLES if "exclusion" in p.stem)
        decision = evaluate(path.read_text(), QUELLIMAB)
        item = QUELLIMAB.exclusions[0]
        text = decision_text(decision, QUELLIMAB)
        assert f"1. {exclusion_label(item)} — applies\n   Policy: {item.text}\n" in text
        assert words(QUELLIMAB, exclusion_label(item)) == item.text

    def test_policy_text_gives_each_branch_period_and_the_exclusion(self) -> None:
        text = policy_text(QUELLIMAB)
        assert "      approval: 6 months" in text
        item = QUELLIMAB.exclusions[0]
        assert item.check is not None
        assert f"exclusion ({exclusion_label(item)}): {item.check.describe()}" in text
