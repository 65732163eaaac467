"""The reviewer's worksheet: a decision laid out in the order a pharmacist checks it.

It opens with the outcome, the deciding indication and, for each reason, the
policy's words, what was required and what was requested (in one unit), the
facts that were read and where each came from, and for a fact still missing the
question to ask the prescriber. Then what the reviewer does next (from the POLICY
STATEMENT), the context the policy gives but umpolicy does not decide, and the
statement "Automation: None.". The deciding indication's criteria and dosing come
next, nested as the policy nests them; the other indications follow collapsed to
one line each; identifiers and hashes go last.

This module builds the worksheet once, as data; :mod:`umpolicy.render.text` and
:mod:`umpolicy.render.html` only lay it out. Every word comes from the decision,
its trail or the policy the decision was made under.
"""

from __future__ import annotations

from collections.abc import Iterator

from attrs import frozen

from umpolicy.dsl.findings import Fact
from umpolicy.dsl.nodes import AllOf, AnyOf, Node, roles, walk
from umpolicy.dsl.status import Status
from umpolicy.engine.catalog import catalog
from umpolicy.engine.decision import Decision, Outcome, Reason, exclusion_label
from umpolicy.engine.trail import Trail
from umpolicy.engine.wording import STATUS_WORDS, given, source, worded
from umpolicy.policy import Indication, Policy

#: Each outcome as the worksheet's first line says it.
OUTCOME_WORDS = {
    Outcome.APPROVE: "Approve",
    Outcome.CLINICIAN_REVIEW: "Clinician review",
    Outcome.NOT_RECOMMENDED: "Not recommended",
    Outcome.INSUFFICIENT_INFORMATION: "Insufficient information",
}
#: What every worksheet says after the policy's automation sentence.
RECOMMENDS = "umpolicy recommends; a clinician decides."


@frozen
class FactRead:
    """A fact as the worksheet lists it: its name, its value in words, where it came from."""

    name: str
    value: str
    source: str


@frozen
class Ask:
    """A fact the request must still give: the question to ask, and where the answer goes."""

    fact: str
    question: str
    source: str


@frozen
class Item:
    """One reason: the label, the policy's words, its status, what was found, what to ask."""

    label: str
    words: str
    status: str
    found: tuple[str, ...]
    facts: tuple[FactRead, ...]
    asks: tuple[Ask, ...]


@frozen
class Row:
    """One node of the deciding indication (or one exclusion), nested by ``depth``.

    ``found`` holds a sentence per finding; a branch the request is not on, or a
    conditional criterion that does not apply, shows only the finding that says so.
    """

    depth: int
    label: str
    words: str
    status: str
    found: tuple[str, ...]


@frozen
class Worksheet:
    """A decision as a reviewer reads it, section by section (see the module's docstring)."""

    outcome: str
    headline: str
    drug: str
    indication: str | None
    path: str | None
    summary: str
    authorization: str | None
    reasons: tuple[Item, ...]
    next_steps: tuple[str, ...]
    quoted: tuple[str, ...]
    context: tuple[str, ...]
    automation: str
    tree: tuple[Row, ...]
    others: tuple[str, ...]
    exclusions: tuple[Row, ...]
    facts: tuple[FactRead, ...]
    identifiers: tuple[tuple[str, str], ...]


def words(policy: Policy, label: str) -> str:
    """The policy's words for a node (a heading's title first) or an exclusion, by label."""
    for item in policy.exclusions:
        if exclusion_label(item) == label:
            return item.text
    node = policy.node(label)
    title = node.title if isinstance(node, AllOf | AnyOf) else None
    said = f"{title} {node.text}" if title else node.text
    if policy.provenance is not None and label in policy.provenance.labels:
        return f"{said} (reconstructed)"
    return said


def check_policy(decision: Decision, policy: Policy) -> None:
    """Refuse to lay out a decision with another policy's words (checked by content hash)."""
    if decision.policy.content_hash != policy.content_hash:
        raise ValueError(
            f"the decision was made under {decision.policy.name} {decision.policy.version} "
            f"({decision.policy.content_hash[:12]}), not under this policy"
        )


def worksheet(decision: Decision, policy: Policy) -> Worksheet:
    """The worksheet of ``decision``, its words from ``policy`` (the one that decided)."""
    check_policy(decision, policy)
    trail = decision.trail
    focus = _focus(decision, policy)
    review = policy.review_for(decision.outcome.value)
    auth = decision.authorization
    return Worksheet(
        outcome=decision.outcome.value,
        headline=f"Recommendation: {OUTCOME_WORDS[decision.outcome]}",
        drug=policy.drug,
        indication=None if not focus else "; ".join(_named(each) for each in focus),
        path=" › ".join(decision.path) or None,
        summary=decision.summary,
        authorization=None
        if auth is None
        else f"{auth.start} to {auth.end} ({auth.period}), both days included",
        reasons=tuple(_item(reason, trail, policy) for reason in decision.reasons),
        next_steps=() if review is None else (review.action,),
        quoted=policy.guidance(decision.outcome.value),
        context=_context(decision, policy),
        automation=f"{policy.automation or ''} {RECOMMENDS}".strip(),
        tree=() if trail is None else tuple(_tree(focus, trail, policy)),
        others=()
        if trail is None
        else tuple(
            _collapsed(each, trail, policy) for each in policy.indications if each not in focus
        ),
        exclusions=() if trail is None else tuple(_exclusions(trail, policy)),
        facts=() if trail is None else tuple(_facts(trail, policy)),
        identifiers=_identifiers(decision, policy),
    )


def _named(indication: Indication) -> str:
    return f"{indication.label} {indication.title}"


def _focus(decision: Decision, policy: Policy) -> tuple[Indication, ...]:
    """The deciding indication; else those the reasons fall in, in the policy's order."""
    if decision.indication is not None:
        return tuple(each for each in policy.indications if each.label == decision.indication)
    labels = {reason.label for reason in decision.reasons}
    trail = decision.trail
    return tuple(
        each
        for each in policy.indications
        if labels & {node.label for root in (each.criteria, each.dosing) for node in walk(root)}
        and (trail is None or not trail.steps[each.label].off)
    )


def _sentences(
    label: str, node: Node | None, trail: Trail, policy: Policy, *, marked: bool = True
) -> tuple[str, ...]:
    """A sentence for each finding of the node (or exclusion) with this label.

    ``marked`` adds "(not met)" or "(unknown)" to each finding that is not met.
    """
    step = trail.steps[label]
    if node is None:
        item = next(each for each in policy.exclusions if exclusion_label(each) == label)
        assert item.check is not None
        pairs = [("exclusion", item.check, finding) for finding in step.findings]
    else:
        pairs = [(r, c, f) for (r, c), f in zip(roles(node), step.findings, strict=True)]
        if step.off or not step.applies:  # only what rules the branch out, or the rule off
            key = "requires" if step.off else "applies if"
            pairs = [(r, c, f) for r, c, f in pairs if r == key]
    return tuple(
        f"{worded(check, finding, trail.facts, policy).sentence(role)}"
        + (
            ""
            if finding.status is Status.MET or not marked
            else f" ({STATUS_WORDS[finding.status]})"
        )
        for role, check, finding in pairs
    )


def _node(label: str, policy: Policy) -> Node | None:
    return None if label.startswith("Not Recommended ") else policy.node(label)


def _item(reason: Reason, trail: Trail | None, policy: Policy) -> Item:
    label = reason.label
    if trail is None:
        found: tuple[str, ...] = (reason.detail,)
        facts: tuple[FactRead, ...] = ()
    else:
        found = _sentences(label, _node(label, policy), trail, policy)
        facts = tuple(_read(fact, trail, policy) for fact in _facts_of(label, trail))
    asks = tuple(_ask(name, policy) for name in reason.facts_needed)
    status = "applies" if reason.status is Status.MET else STATUS_WORDS[reason.status]
    return Item(label, words(policy, label), status, found, facts, asks)


def _facts_of(label: str, trail: Trail) -> Iterator[Fact]:
    """The facts a node read, each followed by those it was worked out from, once each."""
    seen: dict[str, Fact] = {}

    def add(fact: Fact) -> None:
        seen.setdefault(fact.name, fact)
        for name in fact.inputs:
            add(trail.facts[name])

    for fact in trail.facts_of(label):
        add(fact)
    yield from seen.values()


def _read(fact: Fact, trail: Trail, policy: Policy) -> FactRead:
    value = given(policy, fact.name, trail.facts)
    return FactRead(fact.name, value, source(policy, fact.name, fact.inputs))


def _ask(name: str, policy: Policy) -> Ask:
    spec = catalog(policy).get(name)
    question = spec.description if spec is not None else name
    return Ask(name, question, source(policy, name))


def _context(decision: Decision, policy: Policy) -> tuple[str, ...]:
    """The policy's words it does not decide, where they touch a node that applies here."""
    trail = decision.trail
    found = []
    for each in policy.interpretations:
        if each.encoded:
            continue
        touched = [label for label in each.labels if label in decision.path]
        if trail is not None:
            touched += [
                label
                for label in each.labels
                if label in trail.steps
                and trail.steps[label].applies
                and not trail.steps[label].off
                and _on_branch(label, decision, policy)
            ]
        if touched:
            found.append(f"{each.title}: {each.text}")
    return tuple(dict.fromkeys(found))


def _on_branch(label: str, decision: Decision, policy: Policy) -> bool:
    """True when the node lies under the deciding path's dosing branch."""
    if not decision.path:
        return False
    deepest = policy.node(decision.path[-1])
    return any(node.label == label for node in walk(deepest))


def _tree(focus: tuple[Indication, ...], trail: Trail, policy: Policy) -> Iterator[Row]:
    for indication in focus:
        yield from _rows(indication.criteria, 0, trail, policy)
        yield from _rows(indication.dosing, 1, trail, policy)


def _status(trail: Trail, label: str) -> str:
    step = trail.steps[label]
    if step.off:
        return "not this branch"
    if not step.applies:
        return "does not apply"
    return STATUS_WORDS[step.status]


def _rows(node: Node, depth: int, trail: Trail, policy: Policy) -> Iterator[Row]:
    label = node.label
    found = _sentences(label, node, trail, policy)
    yield Row(depth, label, words(policy, label), _status(trail, label), found)
    if isinstance(node, AllOf | AnyOf) and not trail.steps[label].off:
        for child in node.children:
            yield from _rows(child, depth + 1, trail, policy)


def _collapsed(indication: Indication, trail: Trail, policy: Policy) -> str:
    """One line for an indication that did not decide: its status and why, in brief."""
    label = indication.label
    step = trail.steps[label]
    head = f"{_named(indication)} — {STATUS_WORDS[step.status]}"
    first = _first(indication.criteria, trail, step.status)
    found = _sentences(first.label, first, trail, policy, marked=False)
    return f"{head}: {' '.join(found)}"


def _first(node: Node, trail: Trail, status: Status) -> Node:
    """The first node under ``node`` (itself of ``status``) whose own findings say why.

    Kleene logic gives a heading its status from a child of that status or from its
    own condition, so the walk always ends at a node whose findings show it.
    """
    step = trail.steps[node.label]
    if not step.off and isinstance(node, AllOf | AnyOf):
        for child in node.children:
            if trail.steps[child.label].status is status:
                return _first(child, trail, status)
    return node


def _exclusions(trail: Trail, policy: Policy) -> Iterator[Row]:
    for item in policy.exclusions:
        label = exclusion_label(item)
        status = "applies" if trail.steps[label].status is Status.MET else None
        shown = status or STATUS_WORDS[trail.steps[label].status]
        yield Row(0, label, item.text, shown, _sentences(label, None, trail, policy))


def _facts(trail: Trail, policy: Policy) -> Iterator[FactRead]:
    """Every fact read, each once, by name (the same order however the trail was stored)."""
    for _, fact in sorted(trail.facts.items()):
        yield _read(fact, trail, policy)


def _identifiers(decision: Decision, policy: Policy) -> tuple[tuple[str, str], ...]:
    ref = decision.policy
    return (
        ("Request", decision.request_id or "(no id)"),
        ("Request fingerprint (SHA-256)", decision.request_fingerprint),
        ("Policy", f"{ref.name} version {ref.version}"),
        ("Effective", f"{ref.effective}; reviewed {policy.reviewed}"),
        ("Policy tree (SHA-256)", ref.content_hash),
        ("Engine", ref.engine),
        *_version(decision, policy),
    )


def _version(decision: Decision, policy: Policy) -> Iterator[tuple[str, str]]:
    """Why this version decided (the dates it is in force), and what in it is reconstructed."""
    ref = decision.policy
    if ref.in_force_from is not None:
        dates = f"from {ref.in_force_from}"
        if ref.in_force_until is not None:
            dates = f"{ref.in_force_from} to {ref.in_force_until}"
        held = f"; the version in force on {ref.as_of}" if ref.as_of else ""
        yield "In force", dates + held
        from umpolicy.registry import history_of  # the registry, only for dated decisions

        note = history_of(policy).note  # the dates are a reading: said where they are shown
        if note:
            yield "Dates in force", note
    if policy.provenance is not None:
        yield "Reconstructed", policy.provenance.text
