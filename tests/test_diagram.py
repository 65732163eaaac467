"""Decision diagrams: one per indication, readable at page width, every edge from its frame."""

from __future__ import annotations

import json
import re

import attrs
import pytest

from umpolicy import AllOf, Indication, Policy, Quantity, load_policy, walk
from umpolicy.render.diagram import (
    CONFIG,
    FONT_SIZE,
    approval_periods,
    indication_flowchart,
    node_id,
)
from umpolicy.render.pages import policy_page
from umpolicy_policies.proleukin import POLICY

QUELLIMAB = load_policy("quellimab")
CHARTS = [
    pytest.param(policy, indication, id=f"{policy.name}-{indication.label}")
    for policy in (POLICY, QUELLIMAB)
    for indication in policy.indications
]
EDGE = re.compile(r"^\s+(\w+) (-->|~~~)(?:\|([^|]*)\|)? (\w+)$")


def edges(chart: str) -> list[tuple[str, str, str]]:
    """Each edge of a chart: (from, label, to); invisible ones have the label ``~~~``."""
    found = []
    for line in chart.splitlines():
        match = EDGE.match(line)
        if match:
            source, arrow, label, target = match.groups()
            found.append((source, "~~~" if arrow == "~~~" else label or "", target))
    return found


class TestOnePerIndication:
    """The policy page holds one chart per indication, under its heading."""

    @pytest.mark.parametrize("policy", [POLICY, QUELLIMAB], ids=lambda p: p.name)
    def test_one_chart_each_after_its_heading(self, policy: Policy) -> None:
        page = policy_page(policy)
        assert page.count("```mermaid") == len(policy.indications)
        for indication in policy.indications:
            assert f"#### Decision tree: {indication.title}\n\n```mermaid\n%%{{init: " in page


class TestReadable:
    """Larger text than Mermaid's default, boxes that wrap, and every label shown."""

    @pytest.mark.parametrize(("policy", "indication"), CHARTS)
    def test_settings_and_labels(self, policy: Policy, indication: Indication) -> None:
        chart = indication_flowchart(indication, policy.exclusions)
        first, second, *_ = chart.splitlines()
        assert first == "%%{init: " + json.dumps(CONFIG) + "}%%"
        assert second == "flowchart TB"
        assert FONT_SIZE == "17px"  # Mermaid's default is 16px
        for root in (indication.criteria, indication.dosing):
            for node in walk(root):
                assert f"**{node.label}**" in chart

    def test_a_heading_reads_by_its_title_and_a_criterion_by_its_words(self) -> None:
        chart = indication_flowchart(POLICY.indications[0])
        assert "**1.A** Intravenous Therapy: ALL of\n**1.A.i** Patient is ≥ 18 years" in chart
        assert '1["`**1** Cutaneous Melanoma: ONE of`"]' in chart

    def test_a_root_with_a_heading_below_branches(self) -> None:
        chart = indication_flowchart(QUELLIMAB.indications[1], QUELLIMAB.exclusions)
        assert ("2", "ONE of", "2_a") in edges(chart)
        assert ("2", "ONE of", "2_b") in edges(chart)
        # 2.A's own sub-heading is listed in its box, not split off.
        assert "**2.A.ii**: ONE of\n**2.A.ii.a**" in chart

    def test_markdown_in_words_is_escaped(self) -> None:
        leaf = attrs.evolve(POLICY.indications[2].dosing, text='Up to "1" *unit* <b>_x_`')
        chart = indication_flowchart(attrs.evolve(POLICY.indications[2], dosing=leaf))
        assert "Up to #quot;1#quot; \\*unit\\* &lt;b>\\_x\\_\\`" in chart


class TestEdges:
    """Every outcome is reached from a frame's border, never from a box inside it."""

    @pytest.mark.parametrize(("policy", "indication"), CHARTS)
    def test_outcomes_come_from_frames(self, policy: Policy, indication: Indication) -> None:
        chart = indication_flowchart(indication, policy.exclusions)
        p = node_id(indication.label)
        frames = {f"{p}_criteria", f"{p}_dosing", f"{p}_exclusions"}
        outcomes = {f"{p}_{name}" for name in ("approve", "review", "info", "not")}
        found = edges(chart)
        for source, _, target in found:
            if target in outcomes or target in frames:
                assert source in frames, (source, target)
        visible = {(s, t) for s, label, t in found if label != "~~~"}
        assert {(f"{p}_criteria", f"{p}_dosing"), (f"{p}_dosing", f"{p}_approve")} <= visible
        assert {(f"{p}_dosing", f"{p}_review"), (f"{p}_dosing", f"{p}_info")} <= visible
        assert {(f"{p}_criteria", f"{p}_not"), (f"{p}_criteria", f"{p}_info")} <= visible

    def test_the_four_outcomes_say_what_leads_to_them(self) -> None:
        chart = indication_flowchart(POLICY.indications[2])
        assert '3_approve(["`**approve**\n1 year`"])' in chart
        assert '3_not(["`**not recommended**\ncriteria not met`"])' in chart
        assert '3_review(["`**clinician review**\ndosing not met`"])' in chart
        assert '3_info(["`**insufficient information**\ncriteria or dosing\nunknown`"])' in chart
        assert ("3_criteria", "met", "3_dosing") in edges(chart)
        assert ("3_dosing", "not met", "3_review") in edges(chart)

    def test_exclusions_come_first(self) -> None:
        ra = QUELLIMAB.indications[0]
        chart = indication_flowchart(ra, QUELLIMAB.exclusions)
        assert chart.splitlines()[2].startswith('    1_exclusions["`**Not Recommended 1** ')
        assert ("1_exclusions", "one met", "1_not") in edges(chart)
        assert ("1_exclusions", "none met, or unknown", "1_criteria") in edges(chart)
        assert "an exclusion unknown" in chart
        assert "exclusion" not in indication_flowchart(ra)

    def test_frames_hold_the_criteria_and_the_dosing(self) -> None:
        chart = indication_flowchart(POLICY.indications[1])
        assert '    subgraph 2_criteria["Criteria 2: Renal Cell Carcinoma"]' in chart
        assert '    subgraph 2_dosing["Dosing 2"]' in chart
        assert chart.count("    end\n") == 2


class TestApprovalPeriods:
    """The approve outcome names each branch's period, then the indication's."""

    def test_branch_periods(self) -> None:
        ra, pjia = QUELLIMAB.indications
        assert approval_periods(ra) == (("1.A", "6 months"), ("1.B", "1 year"))
        assert "1.A 6 months; 1.B 1 year" in indication_flowchart(ra)
        assert approval_periods(pjia)[-1] == (None, "1 year")
        assert "2.A 6 months; else 1 year" in indication_flowchart(pjia)

    def test_an_indication_without_branch_periods(self) -> None:
        indication = attrs.evolve(
            POLICY.indications[1],
            criteria=attrs.evolve(POLICY.indications[1].criteria, approval=Quantity("6", "mo")),
            approval=None,
        )
        assert isinstance(indication.criteria, AllOf)
        assert approval_periods(indication) == (("2", "6 months"),)
        assert "**approve**\n2 6 months" in indication_flowchart(indication)
