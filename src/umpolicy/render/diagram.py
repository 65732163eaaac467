"""Mermaid flowcharts of a policy's decision tree, generated from the tree itself."""

from __future__ import annotations

import re
from collections.abc import Iterator

from umpolicy.dsl.nodes import AllOf, AnyOf, Node, checks_of, walk
from umpolicy.engine.decision import exclusion_label
from umpolicy.policy import Indication, NotRecommended


def node_id(label: str) -> str:
    """A Mermaid-safe id for a label: ``Dosing 1.A.i`` → ``dosing_1_a_i``."""
    return re.sub(r"[^0-9a-z]+", "_", label.lower()).strip("_")


def _quote(text: str) -> str:
    """Text for inside a quoted Mermaid label."""
    return text.replace("&", "&amp;").replace('"', "#quot;").replace("<", "&lt;")


def _box(node: Node) -> str:
    title = node.title if isinstance(node, AllOf | AnyOf) and node.title else None
    lines = [f"<b>{_quote(node.label)}</b>" + (f" {_quote(title)}" if title else "")]
    lines += [_quote(check.describe()) for check in checks_of(node)]
    return f'{node_id(node.label)}["{"<br/>".join(lines)}"]'


def _edges(node: Node) -> Iterator[str]:
    yield f"    {_box(node)}"
    if isinstance(node, AllOf | AnyOf):
        how = "ALL of" if isinstance(node, AllOf) else "ONE of"
        for child in node.children:
            yield f"    {node_id(node.label)} -->|{how}| {node_id(child.label)}"
            yield from _edges(child)


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


def indication_flowchart(
    indication: Indication, exclusions: tuple[NotRecommended, ...] = ()
) -> str:
    """The indication's criteria, its dosing and the four outcomes as a Mermaid flowchart.

    ``exclusions`` (the policy's items of CONDITIONS NOT RECOMMENDED that hold a check)
    come first: one met is not recommended whatever the criteria say; one unknown
    keeps a request whose criteria and dosing are met from approval.
    """
    criteria, dosing = node_id(indication.criteria.label), node_id(indication.dosing.label)
    prefix = node_id(indication.label)
    lines = ["flowchart LR"]
    checked = [item for item in exclusions if item.check is not None]
    if checked:
        gate = f"{prefix}_exclusions"
        shown = "<br/>".join(
            f"<b>{_quote(exclusion_label(item))}</b> {_quote(item.check.describe())}"
            for item in checked
            if item.check is not None
        )
        lines += [
            f'    {gate}{{"{shown}"}}',
            f"    {gate} -->|an exclusion met| {prefix}_not",
            f"    {gate} -->|no exclusion met| {criteria}",
        ]
    lines += [*_edges(indication.criteria), *_edges(indication.dosing)]
    lines += [
        f'    {prefix}_approve(["approve: {_quote(_approve(indication))}"])',
        f'    {prefix}_review(["clinician review"])',
        f'    {prefix}_info(["insufficient information"])',
        f'    {prefix}_not(["not recommended"])',
        f"    {criteria} -->|criteria met| {dosing}",
        f"    {criteria} -->|criteria not met| {prefix}_not",
        f"    {criteria} -->|criteria unknown| {prefix}_info",
    ]
    if checked:
        lines += [
            f"    {dosing} -->|dosing met, exclusions ruled out| {prefix}_approve",
            f"    {dosing} -->|dosing met, an exclusion unknown| {prefix}_info",
        ]
    else:
        lines.append(f"    {dosing} -->|dosing met| {prefix}_approve")
    lines += [
        f"    {dosing} -->|dosing not met| {prefix}_review",
        f"    {dosing} -->|dosing unknown| {prefix}_info",
    ]
    return "\n".join(lines) + "\n"
