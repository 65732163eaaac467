"""Mermaid flowcharts of a policy's decision tree, generated from the tree itself."""

from __future__ import annotations

import re
from collections.abc import Iterator

from umpolicy.nodes import AllOf, AnyOf, Node, checks_of
from umpolicy.policy import Indication


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


def indication_flowchart(indication: Indication) -> str:
    """The indication's criteria, its dosing and the four outcomes as a Mermaid flowchart."""
    criteria, dosing = node_id(indication.criteria.label), node_id(indication.dosing.label)
    prefix = node_id(indication.label)
    lines = ["flowchart LR", *_edges(indication.criteria), *_edges(indication.dosing)]
    lines += [
        f'    {prefix}_approve(["approve: {_quote(indication.approval.display())}"])',
        f'    {prefix}_review(["clinician review"])',
        f'    {prefix}_info(["insufficient information"])',
        f'    {prefix}_not(["not recommended"])',
        f"    {criteria} -->|criteria met| {dosing}",
        f"    {criteria} -->|criteria not met| {prefix}_not",
        f"    {criteria} -->|criteria unknown| {prefix}_info",
        f"    {dosing} -->|dosing met| {prefix}_approve",
        f"    {dosing} -->|dosing not met| {prefix}_review",
        f"    {dosing} -->|dosing unknown| {prefix}_info",
    ]
    return "\n".join(lines) + "\n"
