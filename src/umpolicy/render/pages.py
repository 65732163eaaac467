"""Reviewer pages: a policy in its own lettering and words, as Markdown.

Everything on a page is read from the policy object that decides requests: the
labels and words, the rule and its limit in words under each line, the approval
periods, what the reviewer does next, the value sets, questions and derived facts
the policy declares, the facts it reads and the interpretations that touch it, in
full. Which tests exercise each label (passed in by the docs build) is a page of its
own, :func:`traceability_page`, that each criterion links to with its count. Nothing
about the policy is typed twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

from attrs import frozen

from umpolicy.dsl.checks import (
    AtLeast,
    AtMost,
    Both,
    Check,
    Either,
    Includes,
    LessThan,
    Not,
    OneOf,
)
from umpolicy.dsl.nodes import AllOf, AnyOf, DoseLimit, Node, checks_of, roles, walk
from umpolicy.dsl.questions import Question
from umpolicy.dsl.valueset import ValueSet
from umpolicy.engine.catalog import catalog, with_inputs
from umpolicy.engine.decision import exclusion_label
from umpolicy.engine.wording import requirement
from umpolicy.policy import Indication, Interpretation, NotRecommended, Policy, Source
from umpolicy.render.diagram import indication_flowchart
from umpolicy.render.escape import markdown as _md
from umpolicy.render.worksheet import words
from umpolicy.vocabulary.facts import Consulted, Derived, EveryItem, TherapyCount, TherapyListed


def anchor(label: str) -> str:
    """The page anchor of a label: ``1.A.i`` → ``label-1-a-i``."""
    return "label-" + _slug(label)


def labels(policy: Policy) -> tuple[str, ...]:
    """Every label of the policy's criteria and dosing, in the document's order."""
    return tuple(node.label for root in policy.trees() for node in walk(root))


def _slug(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", name.lower()).strip("-")


def fact_code(name: str) -> str:
    """A fact's name as code that breaks only after a dot, never inside a word.

    ``medication.schedule.rest_before_course`` may wrap after ``schedule.``, not in
    ``rest_before_course``: the page's CSS keeps each part whole (``.fact``).
    """
    parts = [part.replace("_", "&#95;") for part in name.split(".")]
    return f'<code class="fact">{".<wbr>".join(parts)}</code>'


def _fact_link(name: str) -> str:
    return f"[{fact_code(name)}](#fact-{_slug(name)})"


def _set_link(value_set: ValueSet) -> str:
    return f"[{_md(value_set.title)}](#value-set-{_slug(value_set.name)})"


def value_sets_of(check: Check) -> tuple[ValueSet, ...]:
    """The value sets a check compares with, each once, in its order."""
    if isinstance(check, OneOf | Includes):
        return (check.values,) if isinstance(check.values, ValueSet) else ()
    if isinstance(check, Either | Both):
        found = (each for inner in check.checks for each in value_sets_of(inner))
        return tuple(dict.fromkeys(found))
    if isinstance(check, Not):
        return value_sets_of(check.check)
    return ()


#: How each role of a check reads under a criterion.
_ROLES = {
    "requires": "Condition",
    "applies if": "Applies only if",
    "rule": "Requires",
    "exclusion": "Not recommended if",
}


@frozen
class Links:
    """Where a policy page's links go: its interpretations (on the page) and tests page."""

    tests: Mapping[str, Sequence[str]]
    traceability: str


def _node(policy: Policy, node: Node, links: Links, depth: int) -> Iterator[str]:
    pad = "    " * depth
    title = f" {_md(node.title)}" if isinstance(node, AllOf | AnyOf) and node.title else ""
    target = f'<span id="{anchor(node.label)}"></span>'
    yield f"{pad}- {target}**{_md(node.label)}**{title} {_md(node.text)}"
    inner = pad + "    "
    yield from _about(policy, node.label, roles(node), checks_of(node), links, inner)
    if isinstance(node, AllOf | AnyOf) and node.approval is not None:
        yield f"{inner}- Approval period: {_md(node.approval.display())}"
    if isinstance(node, AllOf | AnyOf):
        for child in node.children:
            yield from _node(policy, child, links, depth + 1)


def _about(
    policy: Policy,
    label: str,
    rules: Iterable[tuple[str, Check]],
    checks: Sequence[Check],
    links: Links,
    inner: str,
) -> Iterator[str]:
    """Under a criterion: its rules in words, value sets, facts, interpretations, tests."""
    for role, check in rules:
        yield f"{inner}- {_ROLES[role]}: {_md(requirement(check))}"
    sets = tuple(dict.fromkeys(each for check in checks for each in value_sets_of(check)))
    if sets:
        yield f"{inner}- Value sets: " + ", ".join(map(_set_link, sets))
    facts = list(dict.fromkeys(name for check in checks for name in check.facts()))
    if facts:
        yield f"{inner}- Reads: " + ", ".join(map(_fact_link, facts))
    notes = [i for i in policy.interpretations if label in i.labels]
    if notes:
        shown = ", ".join(f"[{_md(i.title)}](#{interpretation_anchor(i)})" for i in notes)
        yield f"{inner}- Interpretations: {shown}"
    count = len(links.tests.get(label, ()))
    yield f"{inner}- [{_tests(count)}]({links.traceability}#{anchor(label)})"


def interpretation_anchor(item: Interpretation) -> str:
    """The anchor of an interpretation's full text on the policy page."""
    return f"interpretation-{item.key}"


def _tests(count: int) -> str:
    return f"{count} test" if count == 1 else f"{count} tests"


_BOUNDS = {
    AtMost: "at most (inclusive, ≤)",
    AtLeast: "at least (inclusive, ≥)",
    LessThan: "less than (strict, <)",
}


def _limit_rows(policy: Policy, node: Node) -> Iterator[str]:
    for each in walk(node):
        if not isinstance(each, DoseLimit):
            continue
        for check in each.checks:
            yield _row(policy, each, check)


def _row(policy: Policy, node: DoseLimit, check: Check) -> str:
    label = f"[{_md(node.label)}](#{anchor(node.label)})"
    scopes = [c.describe() for c in (node.requires, node.applies_if) if c is not None]
    scope = "".join(f" (if {_md(text)})" for text in scopes)
    if isinstance(check, AtMost | AtLeast | LessThan):
        what = _md(catalog(policy)[check.fact].description) + scope
        limit = " or ".join(_md(q.display()) for q in check.limits)
        units = ", ".join(f"`{q.unit.code}`" for q in check.limits)
        return f"| {label} | {what} | {limit} | {units} | {_BOUNDS[type(check)]} |"
    return f"| {label} | {_md(check.describe())}{scope} | | | condition |"


def _approval_line(indication: Indication) -> Iterator[str]:
    branches = [
        node
        for node in walk(indication.criteria)
        if isinstance(node, AllOf | AnyOf) and node.approval is not None
    ]
    parts = [
        f"[{_md(node.label)}](#{anchor(node.label)}) {_md(node.approval.display())}"
        for node in branches
        if node.approval is not None
    ]
    if indication.approval is not None:
        period = _md(indication.approval.display())
        parts.append(f"otherwise {period}" if parts else period)
    yield f"Approval period: {'; '.join(parts)}."
    yield ""


def _indication(policy: Policy, indication: Indication, links: Links) -> Iterator[str]:
    yield f"### {_md(indication.label)}. {_md(indication.title)}"
    yield ""
    yield from _approval_line(indication)
    yield from _node(policy, indication.criteria, links, 0)
    yield ""
    yield "#### Dosing"
    yield ""
    yield from _node(policy, indication.dosing, links, 0)
    yield ""
    yield f"#### Dosing limits: {_md(indication.title)}"
    yield ""
    yield "| Label | What is limited | Limit | Unit (UCUM) | Bound |"
    yield "| --- | --- | --- | --- | --- |"
    yield from _limit_rows(policy, indication.dosing)
    yield ""
    yield f"#### Decision tree: {_md(indication.title)}"
    yield ""
    yield "```mermaid"
    yield indication_flowchart(indication, policy.exclusions).rstrip("\n")
    yield "```"
    yield ""


def _not_recommended(policy: Policy, item: NotRecommended, links: Links) -> Iterator[str]:
    if item.check is None:
        yield f"{_md(item.label)}. {_md(item.text)}"
        yield ""
        return
    label = exclusion_label(item)
    yield f'- <span id="{anchor(label)}"></span>**{_md(item.label)}.** {_md(item.text)}'
    rules = (("exclusion", item.check),)
    yield from _about(policy, label, rules, (item.check,), links, "    ")
    yield ""


def _codes(codes: Sequence[str]) -> str:
    return ", ".join(f"`{code}`" for code in codes) or "—"


def _value_sets(policy: Policy) -> Iterator[str]:
    yield "## Value sets"
    yield ""
    yield (
        "The codes this policy counts as each named thing, as its module declares them. A "
        "prefix (shown with `*`) holds its code and every code beneath it. Codes taken out "
        "are not in the set; for an undecided code (one whose own meaning leaves it open) "
        "the criterion is unknown, and the decision asks for a more specific code."
    )
    yield ""
    yield "| Value set | Code system | Codes | Prefixes | Taken out | Undecided |"
    yield "| --- | --- | --- | --- | --- | --- |"
    for each in policy.value_sets:
        yield (
            f'| <span id="value-set-{_slug(each.name)}"></span>{_md(each.title)} '
            f"(`{each.name}`) | {_md(each.system)} | {_codes(each.codes)} | "
            f"{_codes([f'{prefix}*' for prefix in each.prefixes])} | "
            f"{_codes(each.excluded)} | {_codes(each.undecided)} |"
        )
    yield ""


def _answer_kind(question: Question) -> str:
    if question.values:
        return "<br>".join(f"`{code}`: {_md(words)}" for code, words in question.values)
    return _codes(question.units) if question.units else ""


def _question_rows(policy: Policy, question: Question, path: str) -> Iterator[str]:
    where = fact_code(path)
    if "[]" not in path:
        where = f'<span id="question-{_slug(question.id)}"></span>{where}'
    fact = f" (fact {_fact_link(question.fact)})" if "[]" not in path else ""
    yield (
        f"| {where}{fact} | {_md(question.text)} | {question.type.value} | "
        f"{_answer_kind(question)} |"
    )
    for field in question.fields:
        yield from _question_rows(policy, field, f"{path}[].{field.id}")


def _questions(policy: Policy) -> Iterator[str]:
    yield "## Questions"
    yield ""
    yield (
        "What a provider is asked that the shared request vocabulary has no place for. The "
        f"answers arrive in the request under `answers.{policy.name}`, by the question's id; "
        "an unanswered question is a missing fact."
    )
    yield ""
    yield "| Answer | Question | Type | Units or values |"
    yield "| --- | --- | --- | --- |"
    for question in policy.questions:
        yield from _question_rows(policy, question, f"answers.{policy.name}.{question.id}")
    yield ""


def _history(derived: TherapyListed | TherapyCount) -> str:
    parts = [f"{derived.history} therapies in {_set_link(derived.value_set)}"]
    if derived.outcomes:
        parts.append("with outcome " + " or ".join(f"`{o.value}`" for o in derived.outcomes))
    if isinstance(derived, TherapyListed) and derived.at_least is not None:
        parts.append(f"tried for at least {_md(derived.at_least.display())}")
    return ", ".join(parts)


def _consulted(derived: Consulted) -> str:
    """What one consultant must have, in words: a specialty of a set and an affiliation."""
    parts = []
    if derived.specialties is not None:
        parts.append(f"a specialty in {_set_link(derived.specialties)}")
    if isinstance(derived.affiliations, ValueSet):
        parts.append(f"an affiliation in {_set_link(derived.affiliations)}")
    elif derived.affiliations:
        parts.append("an affiliation " + " or ".join(f"`{code}`" for code in derived.affiliations))
    return " and ".join(parts)


def _how(derived: Derived) -> str:
    if isinstance(derived, TherapyListed):
        return f"Yes when the history lists {_history(derived)}."
    if isinstance(derived, TherapyCount):
        return f"How many {_history(derived)}."
    if isinstance(derived, Consulted):
        return f"Yes when one physician consulted has {_consulted(derived)}."
    assert isinstance(derived, EveryItem)
    where = "; ".join(
        f"`{field}` is {' or '.join(f'`{code}`' for code in codes)}"
        for field, codes in derived.where
    )
    asked = f"[{fact_code(f'answers.{derived.question}')}](#question-{_slug(derived.question)})"
    return f"Yes when {asked} lists at least one item and every item has {where}."


def _derived(policy: Policy) -> Iterator[str]:
    yield "## Derived facts"
    yield ""
    yield "Facts this policy derives from the request with the engine's reusable pieces."
    yield ""
    yield "| Fact | Meaning | How it is derived | From |"
    yield "| --- | --- | --- | --- |"
    for derived in policy.derived:
        yield (
            f"| {_fact_link(derived.name)} | {_md(derived.description)} | {_how(derived)} | "
            f"{', '.join(map(_fact_link, derived.inputs))} |"
        )
    yield ""


def _facts(policy: Policy) -> Iterator[str]:
    specs = catalog(policy)
    yield "## Facts this policy reads"
    yield ""
    yield (
        "Every fact the criteria read, and each fact it is derived from. A dose compared with "
        "a limit per kg or per m² (or a per-kg dose with an absolute cap) is converted "
        "exactly, and the trail shows the result as a fact of its own (`<fact>_per_kg`, "
        "`<fact>_per_m2`, `<fact>_total`) with its inputs."
    )
    yield ""
    yield "| Fact | Type | Units or values | Meaning |"
    yield "| --- | --- | --- | --- |"
    for name in with_inputs(policy, policy.facts()):
        spec = specs[name]
        kinds = ", ".join(f"`{u}`" for u in spec.units) or ", ".join(f"`{v}`" for v in spec.values)
        derived = f" Derived from {', '.join(map(_fact_link, spec.inputs))}." if spec.inputs else ""
        yield (
            f'| <span id="fact-{_slug(name)}"></span>{fact_code(name)} | {spec.type} | {kinds} | '
            f"{_md(spec.description)}{derived} |"
        )
    yield ""


def _source(source: Source) -> Iterator[str]:
    """A context section: a paragraph that ends with a colon introduces a list.

    The document prints what follows "indicated for the following:" and "addressed
    in the following … guidelines:" as bullets; so does the page.
    """
    yield f"### {_md(source.heading.title())}"
    yield ""
    listing = False
    for paragraph in source.paragraphs:
        if listing:
            yield f"- {_md(paragraph)}"
            continue
        yield _md(paragraph)
        yield ""
        listing = paragraph.endswith(":")
    if listing:
        yield ""


#: What each outcome a reviewer acts on is called on the page.
_OUTCOME_TITLES = {
    "approve": "Approve",
    "clinician_review": "Clinician review",
    "not_recommended": "Not recommended",
    "insufficient_information": "Insufficient information",
}


def _next_steps(policy: Policy) -> Iterator[str]:
    """What the reviewer does next, quoting the POLICY STATEMENT, and what is left to them."""
    unencoded = [i for i in policy.interpretations if not i.encoded]
    if not (policy.review or unencoded or policy.automation):
        return
    yield "## What the reviewer does next"
    yield ""
    if policy.automation:
        yield (
            f'umpolicy recommends; a clinician decides. The policy says "{_md(policy.automation)}"'
        )
        yield ""
    for step in policy.review:
        yield f"### {_OUTCOME_TITLES[step.outcome]}"
        yield ""
        yield _md(step.action)
        yield ""
        for quote in policy.guidance(step.outcome):
            yield f"> {_md(quote)}"
            yield ""
    if unencoded:
        yield "### What the code does not decide"
        yield ""
        yield (
            "The policy's own words that no request fact can show: the reviewer confirms "
            "them whenever the labels they touch are requested."
        )
        yield ""
        for item in unencoded:
            touches = f" (touches {_touches(item)})" if item.labels else ""
            link = f"[{_md(item.title)}](#{interpretation_anchor(item)})"
            yield f"- {link}{touches}: {_md(item.text)}"
        yield ""


def _touches(item: Interpretation) -> str:
    return ", ".join(f"[{_md(label)}](#{anchor(label)})" for label in item.labels)


def _interpretations(policy: Policy) -> Iterator[str]:
    """Every interpretation in full, so the printed page carries their text."""
    yield "## Interpretations"
    yield ""
    yield (
        "Where the policy is silent or ambiguous, the code makes these decisions; each is "
        "recorded once, in the policy module. Those marked *not encoded* are the policy's "
        "own words, which the code deliberately does not decide."
    )
    yield ""
    for item in policy.interpretations:
        mark = "" if item.encoded else " (not encoded)"
        yield f'### <span id="{interpretation_anchor(item)}"></span>{_md(item.title)}{mark}'
        yield ""
        yield _md(item.text)
        yield ""
        if item.labels:
            yield f"Touches: {_touches(item)}"
            yield ""


def policy_page(
    policy: Policy,
    tests: Mapping[str, Sequence[str]] | None = None,
    traceability: str = "traceability.md",
    notice: str | None = None,
) -> str:
    """The reviewer page of a policy: metadata, context, statement, criteria, dosing, facts.

    ``tests`` maps labels to the tests that exercise them (each criterion shows how
    many, linked to the ``traceability`` page that names them); ``notice`` is shown
    as a warning under the title (a fictional policy says so).
    """
    links = Links(tests or {}, traceability)
    lines = [f"# {_md(policy.title)}", ""]
    if notice:
        lines += ['!!! warning "Not a real policy"', "", f"    {_md(notice)}", ""]
    lines += [
        "| Field | Value |",
        "| --- | --- |",
        f"| Drug | {_md(policy.drug)} |",
        f"| Requests for it name or code it as | {_md(policy.requested.describe())} |",
        f"| Coverage criteria for | {_md(policy.plans)} |",
        f"| Effective date | {policy.effective} |",
        f"| Review date | {policy.reviewed} |",
        f"| Version | {_md(policy.version)} |",
        f"| Content hash (SHA-256 of the tree) | `{policy.content_hash}` |",
        f"| Registered name | `{policy.name}` |",
    ]
    if policy.automation:
        lines.append(f"| Automation (POLICY STATEMENT) | {_md(policy.automation)} |")
    lines += [
        "",
        "## Context and evidence",
        "",
        "These sections give reviewers the policy's context; they add no criteria.",
        "",
    ]
    for source in policy.context:
        lines += _source(source)
    lines += ["## Policy statement", "", " ".join(_md(s.text) for s in policy.statement), ""]
    lines += _next_steps(policy)
    lines += ["## Recommended authorization criteria", "", _md(policy.preamble), ""]
    section: str | None = "recommended authorization criteria"
    for indication in policy.indications:
        if indication.section.lower() != section:
            section = indication.section.lower()
            lines += [f"## {_md(indication.section)}", ""]
        lines += _indication(policy, indication, links)
    lines += [
        "## Conditions not recommended for approval",
        "",
        _md(policy.not_recommended_preamble),
        "",
    ]
    for item in policy.not_recommended:
        lines += _not_recommended(policy, item, links)
    outcomes = [i for i in policy.interpretations if i.key == "outcomes"]
    if outcomes:
        lines += ["## Outcomes", "", _md(outcomes[0].text), ""]
    if policy.interpretations:
        lines += _interpretations(policy)
    if policy.value_sets:
        lines += _value_sets(policy)
    if policy.questions:
        lines += _questions(policy)
    if policy.derived:
        lines += _derived(policy)
    lines += _facts(policy)
    if policy.revision_note:
        lines += ["## Revision history", "", "This revision note is undated in the policy.", ""]
        lines += [_md(policy.revision_note), ""]
    return "\n".join(lines)


def traced_labels(policy: Policy) -> tuple[str, ...]:
    """Every label a test may name: the criteria and dosing, then the exclusions."""
    return (*labels(policy), *(exclusion_label(item) for item in policy.exclusions))


def _groups(nodeids: Sequence[str]) -> dict[str, int]:
    """Each test function (its module and class), with how many cases of it name the label."""
    found: dict[str, int] = {}
    for nodeid in nodeids:
        name = nodeid.split("[", 1)[0].removeprefix("tests/")
        found[name] = found.get(name, 0) + 1
    return found


def traceability_page(policy: Policy, tests: Mapping[str, Sequence[str]], page: str) -> str:
    """Which tests exercise each label of the policy, with counts, from the tests' markers.

    ``tests`` maps each label to the ids of the tests that name it in a
    ``@pytest.mark.criteria`` marker; ``page`` is the policy page the labels link
    back to. A label no test names is listed with 0, for all to see.
    """
    every = traced_labels(policy)
    lines = [
        f"# Traceability: {_md(policy.title)}",
        "",
        "Which tests exercise each label of the policy, as the tests declare it "
        "(`@pytest.mark.criteria(...)`), collected by pytest while this site was built. A "
        "test counts once per case (each parameter set).",
        "",
        "| Label | Tests |",
        "| --- | --- |",
    ]
    lines += [
        f"| [{_md(label)}](#{anchor(label)}) | {len(tests.get(label, ()))} |" for label in every
    ]
    lines.append("")
    for label in every:
        nodeids = tests.get(label, ())
        lines += [
            f"## {_md(label)}: {_tests(len(nodeids))} {{#{anchor(label)}}}",
            "",
            f"[{_md(label)}]({page}#{anchor(label)}) {_md(words(policy, label))}",
            "",
        ]
        groups = _groups(nodeids)
        if groups:
            lines += ["| Test | Cases |", "| --- | --- |"]
            lines += [f"| `{name}` | {count} |" for name, count in groups.items()]
            lines.append("")
    return "\n".join(lines)


def interpretations_page(policy: Policy, page: str) -> str:
    """Every product decision the code makes where the document is silent or ambiguous."""
    lines = [
        f"# Interpretations: {_md(policy.title)}",
        "",
        "Where the document is silent or ambiguous, the code makes these decisions. Each is "
        "recorded once, in the policy module, and linked from the criteria it affects. Those "
        "marked *not encoded* are the policy's own words, which the code deliberately does "
        "not decide: the reviewer confirms them.",
        "",
    ]
    for item in policy.interpretations:
        links = ", ".join(f"[{_md(label)}]({page}#{anchor(label)})" for label in item.labels)
        mark = "" if item.encoded else " (not encoded)"
        lines += [f"## {_md(item.title)}{mark} {{#{item.key}}}", "", _md(item.text), ""]
        if links:
            lines += [f"Affects: {links}", ""]
    return "\n".join(lines)
