"""Reviewer pages: a policy in its own lettering and words, as Markdown.

Everything on a page is read from the policy object that decides requests: the
labels and words, the rule and limit under each line, the facts it reads, the
interpretations that touch it and the tests that exercise it (passed in by the
docs build). Nothing about the policy is typed twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

from umpolicy.checks import AtLeast, AtMost, Check
from umpolicy.diagram import indication_flowchart
from umpolicy.facts import FACTS
from umpolicy.nodes import AllOf, AnyOf, DoseLimit, Node, checks_of, walk
from umpolicy.policy import Indication, Policy


def anchor(label: str) -> str:
    """The page anchor of a label: ``1.A.i`` → ``label-1-a-i``."""
    return "label-" + re.sub(r"[^0-9a-z]+", "-", label.lower()).strip("-")


def labels(policy: Policy) -> tuple[str, ...]:
    """Every label of the policy's criteria and dosing, in the document's order."""
    return tuple(
        node.label
        for indication in policy.indications
        for root in (indication.criteria, indication.dosing)
        for node in walk(root)
    )


def _md(text: str) -> str:
    for char in "\\*_[]<>|`":
        text = text.replace(char, "\\" + char)
    return text


def _node(
    policy: Policy, node: Node, tests: Mapping[str, Sequence[str]], depth: int, notes_uri: str
) -> Iterator[str]:
    pad = "    " * depth
    title = f" {_md(node.title)}" if isinstance(node, AllOf | AnyOf) and node.title else ""
    target = f'<span id="{anchor(node.label)}"></span>'
    yield f"{pad}- {target}**{_md(node.label)}**{title} {_md(node.text)}"
    inner = pad + "    "
    for check in checks_of(node):
        role = "Applies only if" if check is getattr(node, "applies_if", None) else "Rule"
        if isinstance(node, AllOf | AnyOf):
            role = "Condition"
        yield f"{inner}- {role}: {_md(check.describe())}"
    facts = list(dict.fromkeys(name for check in checks_of(node) for name in check.facts()))
    if facts:
        yield f"{inner}- Facts: " + ", ".join(f"[`{name}`](#fact-{_slug(name)})" for name in facts)
    notes = [i for i in policy.interpretations if node.label in i.labels]
    if notes:
        links = ", ".join(f"[{_md(i.title)}]({notes_uri}#{i.key})" for i in notes)
        yield f"{inner}- Interpretations: {links}"
    exercised = tests.get(node.label, ())
    if exercised:
        yield f"{inner}- Tests ({len(exercised)}): {_test_groups(exercised)}"
    if isinstance(node, AllOf | AnyOf):
        for child in node.children:
            yield from _node(policy, child, tests, depth + 1, notes_uri)


def _test_groups(nodeids: Sequence[str]) -> str:
    """Tests grouped by module and class, with how many of each: compact enough to read."""
    groups: dict[str, int] = {}
    for nodeid in nodeids:
        group = nodeid.rsplit("::", 1)[0].removeprefix("tests/")
        groups[group] = groups.get(group, 0) + 1
    return ", ".join(f"`{group}` ({count})" for group, count in groups.items())


def _slug(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", name.lower()).strip("-")


def _limit_rows(node: Node) -> Iterator[str]:
    for each in walk(node):
        if not isinstance(each, DoseLimit):
            continue
        for check in each.checks:
            yield _row(each, check)


def _row(node: DoseLimit, check: Check) -> str:
    label = f"[{_md(node.label)}](#{anchor(node.label)})"
    scope = f" (if {_md(node.applies_if.describe())})" if node.applies_if else ""
    if isinstance(check, AtMost | AtLeast):
        what = _md(FACTS[check.fact].description) + scope
        limit = " or ".join(_md(q.display()) for q in check.limits)
        units = ", ".join(f"`{q.unit.code}`" for q in check.limits)
        bound = "at most (inclusive, ≤)" if isinstance(check, AtMost) else "at least (inclusive, ≥)"
        return f"| {label} | {what} | {limit} | {units} | {bound} |"
    return f"| {label} | {_md(check.describe())}{scope} | | | condition |"


def _indication(
    policy: Policy, indication: Indication, tests: Mapping[str, Sequence[str]], notes_uri: str
) -> Iterator[str]:
    yield f"### {_md(indication.label)}. {_md(indication.title)}"
    yield ""
    yield from _node(policy, indication.criteria, tests, 0, notes_uri)
    yield ""
    yield "#### Dosing"
    yield ""
    yield from _node(policy, indication.dosing, tests, 0, notes_uri)
    yield ""
    yield f"#### Dosing limits: {_md(indication.title)}"
    yield ""
    yield "| Label | What is limited | Limit | Unit (UCUM) | Bound |"
    yield "| --- | --- | --- | --- | --- |"
    yield from _limit_rows(indication.dosing)
    yield ""
    yield f"#### Decision tree: {_md(indication.title)}"
    yield ""
    yield "```mermaid"
    yield indication_flowchart(indication).rstrip("\n")
    yield "```"
    yield ""


def policy_page(
    policy: Policy,
    tests: Mapping[str, Sequence[str]] | None = None,
    interpretations: str = "interpretations.md",
) -> str:
    """The reviewer page of a policy: metadata, context, statement, criteria, dosing, outcomes.

    ``tests`` maps labels to the tests that exercise them; ``interpretations`` is the
    address of the interpretations page the criteria link to.
    """
    tests = tests or {}
    lines = [
        f"# {_md(policy.title)}",
        "",
        "| | |",
        "| --- | --- |",
        f"| Drug | {_md(policy.drug)} |",
        f"| Coverage criteria for | {_md(policy.plans)} |",
        f"| Effective date | {policy.effective} |",
        f"| Review date | {policy.reviewed} |",
        f"| Version | {_md(policy.version)} |",
        f"| Content hash (SHA-256 of the tree) | `{policy.content_hash}` |",
        f"| Registered name | `{policy.name}` |",
        "",
        "## Context and evidence",
        "",
        "These sections give reviewers the policy's context; they add no criteria.",
        "",
    ]
    for source in policy.context:
        lines += [f"### {_md(source.heading.title())}", ""]
        lines += [f"{_md(paragraph)}\n" for paragraph in source.paragraphs]
    lines += ["## Policy statement", "", " ".join(_md(s.text) for s in policy.statement), ""]
    lines += ["## Recommended authorization criteria", "", _md(policy.preamble), ""]
    section = None
    for indication in policy.indications:
        if indication.section != section:
            section = indication.section
            lines += [f"## {_md(section)}", ""]
        lines += _indication(policy, indication, tests, interpretations)
    lines += [
        "## Conditions not recommended for approval",
        "",
        _md(policy.not_recommended_preamble),
        "",
    ]
    lines += [f"{item.label}. {_md(item.text)}" for item in policy.not_recommended]
    outcomes = [i for i in policy.interpretations if i.key == "outcomes"]
    if outcomes:
        lines += ["", "## Outcomes", "", _md(outcomes[0].text)]
    lines += ["", "## Facts this policy reads", ""]
    lines += ["| Fact | Type | Units or values | Meaning |", "| --- | --- | --- | --- |"]
    for name in policy.facts():
        spec = FACTS[name]
        kinds = ", ".join(f"`{u}`" for u in spec.units) or ", ".join(f"`{v}`" for v in spec.values)
        derived = (
            f" Derived from {', '.join(f'`{i}`' for i in spec.inputs)}." if spec.inputs else ""
        )
        lines.append(
            f'| <span id="fact-{_slug(name)}"></span>`{name}` | {spec.type} | {kinds} | '
            f"{_md(spec.description)}{derived} |"
        )
    lines += ["", "## Revision history", "", "This revision note is undated in the policy.", ""]
    lines += [_md(policy.revision_note), ""]
    return "\n".join(lines)


def interpretations_page(policy: Policy, page: str) -> str:
    """Every product decision the code makes where the document is silent or ambiguous."""
    lines = [
        f"# Interpretations: {_md(policy.title)}",
        "",
        "Where the document is silent or ambiguous, the code makes these decisions. Each is "
        "recorded once, in the policy module, and linked from the criteria it affects.",
        "",
    ]
    for item in policy.interpretations:
        links = ", ".join(f"[{_md(label)}]({page}#{anchor(label)})" for label in item.labels)
        lines += [
            f"## {_md(item.title)} {{#{item.key}}}",
            "",
            _md(item.text),
            "",
            f"Affects: {links}",
            "",
        ]
    return "\n".join(lines)
