"""Renderers: decisions and policy trees as terminal text and Markdown.

Everything shown is read from the decision and the tree; the renderers add layout,
never words of their own about the policy. Output is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator

from umpolicy.checks import Finding
from umpolicy.decision import Decision
from umpolicy.facts import Fact
from umpolicy.nodes import AllOf, AnyOf, Node, checks_of
from umpolicy.policy import Policy
from umpolicy.status import Status
from umpolicy.trail import Trail

MARK = {Status.MET: "met", Status.NOT_MET: "NOT MET", Status.UNKNOWN: "UNKNOWN"}


def _heading(label: str, title: str | None, text: str) -> str:
    return f"{label} {title} {text}" if title else f"{label} {text}"


def _fact_lines(fact: Fact) -> Iterator[str]:
    line = f"{fact.name} = {fact.display()}"
    if fact.method:
        line += f"  ({fact.method})"
    yield line
    for each in fact.inputs:
        yield from (
            "  ← " + sub if i == 0 else "    " + sub for i, sub in enumerate(_fact_lines(each))
        )


def finding_lines(finding: Finding) -> Iterator[str]:
    """A finding: the rule and its status, the comparison, any note, the facts read."""
    line = f"{MARK[finding.status]}: {finding.rule}"
    if finding.requested is not None and finding.limit is not None:
        line += f" — request: {finding.requested.display()}; limit: {finding.limit.display()}"
    yield line
    if finding.note:
        yield f"  {finding.note}"
    for fact in finding.facts:
        yield from (
            "  fact: " + sub if i == 0 else "        " + sub
            for i, sub in enumerate(_fact_lines(fact))
        )


def _trail_text(trail: Trail, depth: int) -> Iterator[str]:
    pad = "    " * depth
    status = MARK[trail.status] if trail.applies else "met (does not apply)"
    yield f"{pad}[{status}] {_heading(trail.label, trail.title, trail.text)}"
    for finding in trail.findings:
        for line in finding_lines(finding):
            yield f"{pad}      {line}"
    for child in trail.children:
        yield from _trail_text(child, depth + 1)


def _summary_lines(decision: Decision) -> Iterator[str]:
    ref = decision.policy
    yield f"Policy: {ref.name} version {ref.version}, effective {ref.effective}"
    yield f"Policy tree sha256: {ref.content_hash}"
    yield f"Request: {decision.request_id or '(no id)'}"
    yield f"Request fingerprint sha256: {decision.request_fingerprint}"
    yield f"Outcome: {decision.outcome.value}"
    yield decision.summary
    if decision.path:
        yield f"Path: {' › '.join(decision.path)}"
    if decision.authorization:
        auth = decision.authorization
        yield f"Authorization: {auth.start} to {auth.end} ({auth.period})"
    if decision.reasons:
        yield "Not met:"
        for reason in decision.reasons:
            yield f"  - {reason.label}: {reason.text}"
            yield f"    found: {reason.detail}"
    if decision.facts_needed:
        yield f"Facts needed: {', '.join(decision.facts_needed)}"


def decision_text(decision: Decision) -> str:
    """The decision and its audit trail as an indented tree for terminals."""
    lines = list(_summary_lines(decision))
    if decision.trail:
        lines += ["", "Audit trail:"]
        for trail in decision.trail:
            lines += _trail_text(trail, 0)
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Escape the characters Markdown would read as markup."""
    for char in "\\*_[]<>|`":
        text = text.replace(char, "\\" + char)
    return text


def _trail_markdown(trail: Trail, depth: int) -> Iterator[str]:
    pad = "    " * depth
    status = MARK[trail.status] if trail.applies else "met (does not apply)"
    title = f" {_md(trail.title)}" if trail.title else ""
    yield f"{pad}- **{_md(trail.label)}**{title} {_md(trail.text)} — *{status}*"
    for finding in trail.findings:
        lines = list(finding_lines(finding))
        yield f"{pad}    - {_md(lines[0])}"
        for line in lines[1:]:
            yield f"{pad}        - {_md(line.strip())}"
    for child in trail.children:
        yield from _trail_markdown(child, depth + 1)


def decision_markdown(decision: Decision) -> str:
    """The decision and its audit trail as Markdown for case notes."""
    lines = [f"### Outcome: {decision.outcome.value}", "", _md(decision.summary), ""]
    lines += [f"- {_md(line)}" for line in list(_summary_lines(decision))[:4]]
    if decision.path:
        lines.append(f"- Path: {_md(' › '.join(decision.path))}")
    if decision.authorization:
        auth = decision.authorization
        lines.append(f"- Authorization: {auth.start} to {auth.end} ({auth.period})")
    if decision.reasons:
        lines += ["", "#### Not met", ""]
        lines += [
            f"- **{_md(r.label)}** {_md(r.text)}  \n  found: {_md(r.detail)}"
            for r in decision.reasons
        ]
    if decision.facts_needed:
        lines += ["", "#### Facts needed", ""]
        lines += [f"- `{name}`" for name in decision.facts_needed]
    if decision.trail:
        lines += ["", "#### Audit trail", ""]
        for trail in decision.trail:
            lines += _trail_markdown(trail, 0)
    return "\n".join(lines) + "\n"


def _node_text(node: Node, depth: int) -> Iterator[str]:
    pad = "    " * depth
    title = node.title if isinstance(node, AllOf | AnyOf) else None
    yield f"{pad}{_heading(node.label, title, node.text)}"
    for check in checks_of(node):
        role = (
            "applies if"
            if check is getattr(node, "applies_if", None)
            else ("requires" if isinstance(node, AllOf | AnyOf) else "rule")
        )
        yield f"{pad}      {role}: {check.describe()}"
    if isinstance(node, AllOf | AnyOf):
        for child in node.children:
            yield from _node_text(child, depth + 1)


def policy_text(policy: Policy) -> str:
    """The policy tree in its own lettering and words, with the rule under each line."""
    lines = [
        policy.title,
        policy.drug,
        f"Coverage criteria for: {policy.plans}",
        f"Effective {policy.effective}; reviewed {policy.reviewed}; version {policy.version}",
        f"Tree sha256: {policy.content_hash}",
        "",
        "POLICY STATEMENT",
        " ".join(sentence.text for sentence in policy.statement),
        "",
        "RECOMMENDED AUTHORIZATION CRITERIA",
        policy.preamble,
    ]
    section = None
    for indication in policy.indications:
        if indication.section != section:
            section = indication.section
            lines += ["", section]
        lines.append("")
        lines += _node_text(indication.criteria, 0)
        lines += _node_text(indication.dosing, 1)
    lines += ["", "CONDITIONS NOT RECOMMENDED FOR APPROVAL", policy.not_recommended_preamble]
    lines += [f"{item.label}. {item.text}" for item in policy.not_recommended]
    return "\n".join(lines) + "\n"
