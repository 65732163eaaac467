"""Mermaid flowcharts of a policy's decision tree, generated from the tree itself.

One chart per indication, drawn top to bottom so that it fits a page's width: the
exclusions (if any), the criteria and the dosing, each in a frame of its own, then
the four outcomes in a row. Every outcome edge leaves a frame's border, never a box
inside it, so no edge seems to start from the wrong box; the outcomes say what
leads to them, so the edges down the sides need no labels. Inside a frame a heading
is one box that lists its lettered criteria in the policy's words; a heading beneath
it (1.A under 1) gets a box of its own, joined by an edge that says ALL of or ONE of.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from umpolicy.dsl.nodes import AllOf, AnyOf, Node, walk
from umpolicy.engine.decision import exclusion_label
from umpolicy.policy import Indication, NotRecommended

#: Mermaid settings for every chart: text larger than Mermaid's default (16 px),
#: boxes that wrap the policy's words at 280 px, and tight spacing, so that the
#: widest chart (two branches side by side) still reads at a page's width.
FONT_SIZE = "17px"
CONFIG = {
    "themeVariables": {"fontSize": FONT_SIZE},
    "flowchart": {"wrappingWidth": 280, "nodeSpacing": 24, "rankSpacing": 34, "padding": 8},
}


def node_id(label: str) -> str:
    """A Mermaid-safe id for a label: ``Dosing 1.A.i`` → ``dosing_1_a_i``."""
    return re.sub(r"[^0-9a-z]+", "_", label.lower()).strip("_")


def _quote(text: str) -> str:
    """Text for inside a quoted Mermaid Markdown label (``"`...`"``)."""
    text = text.replace("&", "&amp;").replace('"', "#quot;").replace("<", "&lt;")
    for char in "*_`":
        text = text.replace(char, "\\" + char)
    return text


def _bold(label: str) -> str:
    return f"**{_quote(label)}**"


def _how(node: AllOf | AnyOf) -> str:
    return "ALL of" if isinstance(node, AllOf) else "ONE of"


def _line(node: Node) -> str:
    """A node as one line of a box: a heading by its title, any other node by its words.

    A heading reads ``1.A Intravenous Therapy: ALL of``; its own words are on the page
    just above the chart.
    """
    if isinstance(node, AllOf | AnyOf):
        title = f" {_quote(node.title.rstrip('.'))}" if node.title else ""
        return f"{_bold(node.label)}{title}: {_how(node)}"
    return f"{_bold(node.label)} {_quote(node.text)}"


def _box(name: str, lines: list[str]) -> str:
    return f'        {name}["`{chr(10).join(lines)}`"]'


def _subtree(node: Node) -> Iterator[str]:
    """The lines of ``node`` and of everything below it, in the policy's order."""
    yield _line(node)
    if isinstance(node, AllOf | AnyOf):
        for child in node.children:
            yield from _subtree(child)


def _boxes(node: Node, root: bool = True) -> Iterator[str]:
    """The boxes of ``node``: a heading that branches is split, anything else is one box.

    A heading branches when its children are all headings (1 over 1.A and 1.B), or
    when it is the frame's root and any child is one (2 over 2.A and 2.B): it is a box
    of its own with an edge to each child's boxes, side by side. Any other node is one
    box listing it and everything below it, in order, so a chain adds no height.
    """
    if isinstance(node, AllOf | AnyOf):
        headings = [isinstance(child, AllOf | AnyOf) for child in node.children]
        if all(headings) or (root and any(headings)):
            yield _box(node_id(node.label), [_line(node)])
            for child in node.children:
                yield f"        {node_id(node.label)} -->|{_how(node)}| {node_id(child.label)}"
                yield from _boxes(child, False)
            return
    yield _box(node_id(node.label), list(_subtree(node)))


def approval_periods(indication: Indication) -> tuple[tuple[str | None, str], ...]:
    """The approval periods of an indication: each branch's own, by label, then its own.

    ``None`` stands for the indication's period, which applies to a branch that
    gives none.
    """
    branches = tuple(
        (node.label, node.approval.display())
        for node in walk(indication.criteria)
        if isinstance(node, AllOf | AnyOf) and node.approval is not None
    )
    if indication.approval is None:
        return branches
    return (*branches, (None, indication.approval.display()))


def _approve(indication: Indication) -> str:
    periods = approval_periods(indication)
    if len(periods) == 1 and periods[0][0] is None:
        return periods[0][1]
    return "; ".join(
        f"{label} {period}" if label else f"else {period}" for label, period in periods
    )


def _frame(name: str, title: str, root: Node) -> Iterator[str]:
    yield f'    subgraph {name}["{_quote(title)}"]'
    yield "        direction TB"
    yield from _boxes(root)
    yield "    end"


#: The outcomes, each saying what leads to it (the edges down the sides are unlabelled).
OUTCOMES = {
    "not": ("not recommended", "criteria not met"),
    "review": ("clinician review", "dosing not met"),
    "info": ("insufficient information", "criteria or dosing", "unknown"),
}
#: The same, when an exclusion is checked first.
WITH_EXCLUSIONS = {
    **OUTCOMES,
    "not": ("not recommended", "criteria not met,", "or an exclusion met"),
    "info": ("insufficient information", "criteria, dosing or", "an exclusion unknown"),
}


def _outcome(name: str, outcome: str, *why: str) -> str:
    return f'    {name}(["`**{outcome}**\n{chr(10).join(why)}`"])'


def indication_flowchart(
    indication: Indication, exclusions: tuple[NotRecommended, ...] = ()
) -> str:
    """The indication's criteria, its dosing and the four outcomes as a Mermaid flowchart.

    ``exclusions`` (the policy's items of CONDITIONS NOT RECOMMENDED that hold a check)
    come first: one met is not recommended whatever the criteria say; one unknown
    keeps a request whose criteria and dosing are met from approval.
    """
    prefix = node_id(indication.label)
    criteria, dosing = f"{prefix}_criteria", f"{prefix}_dosing"
    lines = ["%%{init: " + json.dumps(CONFIG) + "}%%", "flowchart TB"]
    checked = [item for item in exclusions if item.check is not None]
    if checked:
        gate = f"{prefix}_exclusions"
        shown = "\n".join(f"{_bold(exclusion_label(item))} {_quote(item.text)}" for item in checked)
        lines += [
            f'    {gate}["`{shown}`"]',
            f"    {gate} -->|one met| {prefix}_not",
            f"    {gate} -->|none met, or unknown| {criteria}",
        ]
    title = f"Criteria {indication.criteria.label}: {indication.title}"
    lines += _frame(criteria, title, indication.criteria)
    lines += _frame(dosing, indication.dosing.label, indication.dosing)
    outcomes = WITH_EXCLUSIONS if checked else OUTCOMES
    lines += [
        _outcome(f"{prefix}_not", *outcomes["not"]),
        _outcome(f"{prefix}_approve", "approve", _quote(_approve(indication))),
        _outcome(f"{prefix}_review", *outcomes["review"]),
        _outcome(f"{prefix}_info", *outcomes["info"]),
        f"    {criteria} -->|met| {dosing}",
        # Invisible: keeps "not recommended" in the outcomes' row, below the dosing.
        f"    {dosing} ~~~ {prefix}_not",
        f"    {criteria} --> {prefix}_not",
        f"    {criteria} --> {prefix}_info",
        f"    {dosing} -->|met| {prefix}_approve",
        f"    {dosing} -->|not met| {prefix}_review",
        f"    {dosing} --> {prefix}_info",
    ]
    return "\n".join(lines) + "\n"
