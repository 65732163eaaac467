"""Renderers: the decision worksheet and the policy tree as terminal text and Markdown.

Everything shown is read from the decision, its worksheet
(:mod:`umpolicy.render.worksheet`) and the tree; the renderers add layout, never
words of their own about the policy. Output is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator

from umpolicy.dsl.nodes import AllOf, AnyOf, Node, roles
from umpolicy.dsl.questions import Question
from umpolicy.engine.decision import Decision, exclusion_label
from umpolicy.policy import Policy
from umpolicy.render.escape import code
from umpolicy.render.escape import markdown as _md
from umpolicy.render.escape import one_line as _t
from umpolicy.render.worksheet import FactRead, Item, Worksheet, worksheet


def _heading(label: str, title: str | None, text: str) -> str:
    return f"{label} {title} {text}" if title else f"{label} {text}"


def _title(node: Node) -> str | None:
    return node.title if isinstance(node, AllOf | AnyOf) else None


def _item_lines(number: int, item: Item) -> Iterator[str]:
    yield f"{number}. {_t(item.label)} — {_t(item.status)}"
    yield f"   Policy: {_t(item.words)}"
    yield from (f"   {_t(sentence)}" for sentence in item.found)
    for ask in item.asks:
        yield (f"   Ask the prescriber: {_t(ask.question)} ({_t(ask.fact)}, at {_t(ask.source)})")
    if item.facts:
        yield "   Facts read:"
        yield from (f"     {_fact(fact)}" for fact in item.facts)


def _fact(fact: FactRead) -> str:
    return f"{_t(fact.name)} = {_t(fact.value)}  [{_t(fact.source)}]"


def worksheet_text(sheet: Worksheet) -> Iterator[str]:
    """The worksheet as plain text, section by section (see :mod:`.worksheet`).

    Every string is laid out by :func:`~umpolicy.render.escape.one_line`: nothing a
    request gives starts a line of its own.
    """
    yield _t(sheet.headline)
    yield _t(sheet.drug)
    if sheet.indication:
        yield f"Deciding indication: {_t(sheet.indication)}"
    if sheet.path:
        yield f"Path: {_t(sheet.path)}"
    if sheet.authorization:
        yield f"Authorization: {_t(sheet.authorization)}"
    yield _t(sheet.summary)
    if sheet.reasons:
        yield from ("", "REASONS")
        for number, item in enumerate(sheet.reasons, 1):
            yield from _item_lines(number, item)
    if sheet.next_steps or sheet.quoted:
        yield from ("", "WHAT THE REVIEWER DOES NEXT")
        yield from (_t(step) for step in sheet.next_steps)
        yield from (f"Policy statement: “{_t(quote)}”" for quote in sheet.quoted)
    if sheet.context:
        yield from ("", "CONTEXT THE POLICY GIVES (for the reviewer; not decided by umpolicy)")
        yield from (_t(each) for each in sheet.context)
    yield from ("", _t(sheet.automation))
    if sheet.tree:
        yield from ("", f"CRITERIA AND DOSING: {_t(sheet.indication or '')}")
        for row in sheet.tree:
            pad = "  " * row.depth
            yield f"{pad}[{_t(row.status)}] {_t(row.label)} {_t(row.words)}"
            yield from (f"{pad}    {_t(sentence)}" for sentence in row.found)
    if sheet.others:
        yield from ("", "OTHER INDICATIONS")
        yield from (_t(line) for line in sheet.others)
    if sheet.exclusions:
        yield from ("", "CONDITIONS NOT RECOMMENDED")
        for row in sheet.exclusions:
            yield f"[{_t(row.status)}] {_t(row.label)}. {_t(row.words)}"
            yield from (f"    {_t(sentence)}" for sentence in row.found)
    if sheet.facts:
        yield from ("", "FACTS READ")
        yield from (_fact(fact) for fact in sheet.facts)
    yield from ("", "IDENTIFIERS")
    yield from (f"{_t(name)}: {_t(value)}" for name, value in sheet.identifiers)


def decision_text(decision: Decision, policy: Policy) -> str:
    """The decision as a plain-text worksheet for terminals and case notes.

    Its words come from ``policy``, the one the decision was made under (checked by
    its content hash).
    """
    return "\n".join(worksheet_text(worksheet(decision, policy))) + "\n"


def worksheet_markdown(sheet: Worksheet) -> Iterator[str]:
    """The worksheet as Markdown, section by section.

    Every string is laid out by :func:`~umpolicy.render.escape.markdown` (or, as code,
    :func:`~umpolicy.render.escape.code`): nothing a request gives starts a line, a
    heading, a list, a table row, a tag or a link.
    """
    yield f"### {_md(sheet.headline)}"
    yield ""
    yield f"**{_md(sheet.drug)}**"
    yield ""
    if sheet.indication:
        yield f"- Deciding indication: **{_md(sheet.indication)}**"
    if sheet.path:
        yield f"- Path: {_md(sheet.path)}"
    if sheet.authorization:
        yield f"- Authorization: {_md(sheet.authorization)}"
    yield from ("", _md(sheet.summary))
    if sheet.reasons:
        yield from ("", "#### Reasons", "")
        for number, item in enumerate(sheet.reasons, 1):
            yield f"{number}. **{_md(item.label)}** — *{_md(item.status)}*  "
            yield f"    Policy: {_md(item.words)}"
            yield ""
            yield from (f"    - {_md(sentence)}" for sentence in item.found)
            for ask in item.asks:
                yield (
                    f"    - Ask the prescriber: {_md(ask.question)} "
                    f"({code(ask.fact)}, at {code(ask.source)})"
                )
            for fact in item.facts:
                yield f"    - Read {code(fact.name)} = {_md(fact.value)} ({code(fact.source)})"
    if sheet.next_steps or sheet.quoted:
        yield from ("", "#### What the reviewer does next", "")
        yield from (_md(step) for step in sheet.next_steps)
        yield from (f"\n> {_md(quote)}" for quote in sheet.quoted)
    if sheet.context:
        yield from ("", "#### Context the policy gives (not decided by umpolicy)", "")
        yield from (f"- {_md(each)}" for each in sheet.context)
    yield from ("", f"*{_md(sheet.automation)}*")
    if sheet.tree:
        yield from ("", f"#### Criteria and dosing: {_md(sheet.indication or '')}", "")
        for row in sheet.tree:
            pad = "    " * row.depth
            yield f"{pad}- *{_md(row.status)}* **{_md(row.label)}** {_md(row.words)}"
            yield from (f"{pad}    - {_md(sentence)}" for sentence in row.found)
    if sheet.others:
        yield from ("", "#### Other indications", "")
        yield from (f"- {_md(line)}" for line in sheet.others)
    if sheet.exclusions:
        yield from ("", "#### Conditions not recommended", "")
        for row in sheet.exclusions:
            yield f"- *{_md(row.status)}* **{_md(row.label)}.** {_md(row.words)}"
            yield from (f"    - {_md(sentence)}" for sentence in row.found)
    if sheet.facts:
        yield from ("", "#### Facts read", "", "| Fact | Value | From |", "| --- | --- | --- |")
        yield from (
            f"| {code(fact.name, cell=True)} | {_md(fact.value)} | {code(fact.source, cell=True)} |"
            for fact in sheet.facts
        )
    yield from ("", "#### Identifiers", "")
    yield from (f"- {_md(name)}: {code(value)}" for name, value in sheet.identifiers)


def decision_markdown(decision: Decision, policy: Policy) -> str:
    """The decision as a Markdown worksheet for case notes (words from ``policy``)."""
    return "\n".join(worksheet_markdown(worksheet(decision, policy))) + "\n"


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
