"""Renderers: decisions and policy trees as terminal text and Markdown.

Everything shown is read from the decision and the tree; the renderers add layout,
never words of their own about the policy. Output is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from umpolicy.dsl.checks import Check
from umpolicy.dsl.findings import Fact, Finding
from umpolicy.dsl.nodes import AllOf, AnyOf, Node, checks_of, roles
from umpolicy.dsl.questions import Question
from umpolicy.dsl.status import Status
from umpolicy.engine.catalog import catalog
from umpolicy.engine.decision import Decision, exclusion_label
from umpolicy.engine.trail import Trail
from umpolicy.policy import Policy

MARK = {Status.MET: "met", Status.NOT_MET: "NOT MET", Status.UNKNOWN: "UNKNOWN"}


def _heading(label: str, title: str | None, text: str) -> str:
    return f"{label} {title} {text}" if title else f"{label} {text}"


def _fact_lines(fact: Fact, trail: Trail, policy: Policy) -> Iterator[str]:
    line = f"{fact.name} = {fact.display()}"
    spec = catalog(policy).get(fact.name)
    if fact.inputs and spec is not None:
        line += f"  ({spec.description})"
    yield line
    for name in fact.inputs:
        yield from (
            "  ← " + sub if i == 0 else "    " + sub
            for i, sub in enumerate(_fact_lines(trail.facts[name], trail, policy))
        )


def finding_lines(check: Check, finding: Finding, trail: Trail, policy: Policy) -> Iterator[str]:
    """A finding: the rule and its status, the comparison, any note, the facts read."""
    line = f"{MARK[finding.status]}: {check.describe()}"
    if finding.requested is not None and finding.limit is not None:
        line += f" — request: {finding.requested.display()}; limit: {finding.limit.display()}"
    yield line
    if finding.note:
        yield f"  {finding.note}"
    for name in finding.facts:
        yield from (
            "  fact: " + sub if i == 0 else "        " + sub
            for i, sub in enumerate(_fact_lines(trail.facts[name], trail, policy))
        )


def _status(trail: Trail, label: str) -> str:
    step = trail.steps[label]
    return MARK[step.status] if step.applies else "met (does not apply)"


def _title(node: Node) -> str | None:
    return node.title if isinstance(node, AllOf | AnyOf) else None


class _Row(NamedTuple):
    """One line of the audit trail: a node (or an exclusion) and its own findings."""

    depth: int
    label: str
    title: str | None
    text: str
    status: str
    found: tuple[tuple[Check, Finding], ...]


def _rows(trail: Trail, policy: Policy) -> Iterator[_Row]:
    """Every node of the policy in its order, nested, then each exclusion: the trail's walk."""

    def walk(node: Node, depth: int) -> Iterator[_Row]:
        findings = trail.steps[node.label].findings
        found = tuple(zip(checks_of(node), findings, strict=True))
        status = _status(trail, node.label)
        yield _Row(depth, node.label, _title(node), node.text, status, found)
        if isinstance(node, AllOf | AnyOf):
            for child in node.children:
                yield from walk(child, depth + 1)

    for root in policy.trees():
        yield from walk(root, 0)
    for item in policy.exclusions:
        assert item.check is not None
        label = exclusion_label(item)
        found = tuple((item.check, finding) for finding in trail.steps[label].findings)
        yield _Row(0, f"{label}.", None, item.text, _status(trail, label), found)


def _trail_text(trail: Trail, policy: Policy) -> Iterator[str]:
    for row in _rows(trail, policy):
        pad = "    " * row.depth
        yield f"{pad}[{row.status}] {_heading(row.label, row.title, row.text)}"
        for check, finding in row.found:
            for line in finding_lines(check, finding, trail, policy):
                yield f"{pad}      {line}"


def _summary_lines(decision: Decision, policy: Policy) -> Iterator[str]:
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
            yield f"  - {reason.label}: {words(policy, reason.label)}"
            yield f"    found: {reason.detail}"
    if decision.facts_needed:
        yield f"Facts needed: {', '.join(decision.facts_needed)}"


def words(policy: Policy, label: str) -> str:
    """The policy's words for a node (a heading's title first) or an exclusion, by label."""
    for item in policy.exclusions:
        if exclusion_label(item) == label:
            return item.text
    node = policy.node(label)
    title = _title(node)
    return f"{title} {node.text}" if title else node.text


def _check_policy(decision: Decision, policy: Policy) -> None:
    if decision.policy.content_hash != policy.content_hash:
        raise ValueError(
            f"the decision was made under {decision.policy.name} {decision.policy.version} "
            f"({decision.policy.content_hash[:12]}), not under this policy"
        )


def decision_text(decision: Decision, policy: Policy) -> str:
    """The decision and its audit trail as an indented tree for terminals.

    The trail names nodes by label; their words come from ``policy``, the one the
    decision was made under (checked by its content hash).
    """
    _check_policy(decision, policy)
    lines = list(_summary_lines(decision, policy))
    trail = decision.trail
    if trail:
        lines += ["", "Audit trail:"]
        lines += _trail_text(trail, policy)
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Escape the characters Markdown would read as markup."""
    for char in "\\*_[]<>|`":
        text = text.replace(char, "\\" + char)
    return text


def _trail_markdown(trail: Trail, policy: Policy) -> Iterator[str]:
    for row in _rows(trail, policy):
        pad = "    " * row.depth
        heading = f" {_md(row.title)}" if row.title else ""
        yield f"{pad}- **{_md(row.label)}**{heading} {_md(row.text)} — *{row.status}*"
        for check, finding in row.found:
            lines = list(finding_lines(check, finding, trail, policy))
            yield f"{pad}    - {_md(lines[0])}"
            for line in lines[1:]:
                yield f"{pad}        - {_md(line.strip())}"


def decision_markdown(decision: Decision, policy: Policy) -> str:
    """The decision and its audit trail as Markdown for case notes (words from ``policy``)."""
    _check_policy(decision, policy)
    lines = [f"### Outcome: {decision.outcome.value}", "", _md(decision.summary), ""]
    lines += [f"- {_md(line)}" for line in list(_summary_lines(decision, policy))[:4]]
    if decision.path:
        lines.append(f"- Path: {_md(' › '.join(decision.path))}")
    if decision.authorization:
        auth = decision.authorization
        lines.append(f"- Authorization: {auth.start} to {auth.end} ({auth.period})")
    if decision.reasons:
        lines += ["", "#### Not met", ""]
        lines += [
            f"- **{_md(r.label)}** {_md(words(policy, r.label))}  \n  found: {_md(r.detail)}"
            for r in decision.reasons
        ]
    if decision.facts_needed:
        lines += ["", "#### Facts needed", ""]
        lines += [f"- `{name}`" for name in decision.facts_needed]
    trail = decision.trail
    if trail:
        lines += ["", "#### Audit trail", ""]
        lines += _trail_markdown(trail, policy)
    return "\n".join(lines) + "\n"


def _node_text(node: Node, depth: int) -> Iterator[str]:
    pad = "    " * depth
    yield f"{pad}{_heading(node.label, _title(node), node.text)}"
    for role, check in roles(node):
        yield f"{pad}      {role}: {check.describe()}"
    if isinstance(node, AllOf | AnyOf):
        if node.approval is not None:
            yield f"{pad}      approval: {node.approval.display()}"
        for child in node.children:
            yield from _node_text(child, depth + 1)


def _declared_text(policy: Policy) -> Iterator[str]:
    """The value sets, questions and derived facts the policy declares."""
    if policy.value_sets:
        yield from ("", "VALUE SETS")
        for each in policy.value_sets:
            yield f"{each.name}: {each.describe()}"
    if policy.questions:
        yield from ("", f"QUESTIONS (answers.{policy.name}.<id>)")
        for question in policy.questions:
            yield from _question_text(question, 0)
    if policy.derived:
        yield from ("", "DERIVED FACTS")
        for derived in policy.derived:
            yield f"{derived.name} (from {', '.join(derived.inputs)}): {derived.description}"


def _question_text(question: Question, depth: int) -> Iterator[str]:
    pad = "    " * depth
    line = f"{pad}{question.id} ({question.type.value}): {question.text}"
    if question.values:
        line += " [" + ", ".join(f"{code}: {words}" for code, words in question.values) + "]"
    if question.units:
        line += f" [{', '.join(question.units)}]"
    yield line
    for field in question.fields:
        yield from _question_text(field, depth + 1)


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
    for item in policy.not_recommended:
        lines.append(f"{item.label}. {item.text}")
        if item.check is not None:
            lines.append(f"      exclusion ({exclusion_label(item)}): {item.check.describe()}")
    lines += _declared_text(policy)
    return "\n".join(lines) + "\n"
