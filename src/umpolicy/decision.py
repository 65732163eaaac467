"""The decision: the recommended outcome, why, what is still needed, and the trail.

umpolicy recommends; it never issues a denial. ``not_recommended`` means the
policy's criteria are not met as requested; a clinician makes every adverse
determination.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import hashlib
import importlib.metadata
from collections.abc import Callable

from attrs import frozen

from umpolicy.canonical import Unplanned, writer
from umpolicy.checks import Finding
from umpolicy.compiled import (
    Evaluate,
    Explain,
    Judgement,
    Verdict,
    brief_node,
    compile_check,
    compile_node,
    judge_node,
)
from umpolicy.facts import Fact, FactBook
from umpolicy.nodes import AllOf, AnyOf
from umpolicy.policy import Indication, Policy
from umpolicy.request import Request
from umpolicy.status import Status
from umpolicy.trail import Trail
from umpolicy.validation import validate


class Outcome(enum.Enum):
    """What the policy recommends for a request."""

    APPROVE = "approve"
    CLINICIAN_REVIEW = "clinician_review"
    NOT_RECOMMENDED = "not_recommended"
    INSUFFICIENT_INFORMATION = "insufficient_information"


@frozen
class Reason:
    """A criterion that is not met: its label, the policy's words, and what was found."""

    label: str
    text: str
    detail: str


@frozen
class Authorization:
    """The recommended authorization period: ``start`` to ``end``, both inclusive."""

    start: dt.date
    end: dt.date
    period: str


@frozen
class PolicyRef:
    """Which policy decided: name, version, effective date and content hash of its tree.

    ``engine`` names the umpolicy release that read the facts and compared the
    limits: with the content hash, enough to reproduce the decision.
    """

    name: str
    version: str
    effective: dt.date
    content_hash: str
    engine: str


@frozen
class Decision:
    """The outcome for one request, with every reason and the full audit trail."""

    outcome: Outcome
    summary: str
    policy: PolicyRef
    request_id: str | None
    request_fingerprint: str
    indication: str | None
    path: tuple[str, ...]
    authorization: Authorization | None
    reasons: tuple[Reason, ...]
    facts_needed: tuple[str, ...]
    trail: tuple[Trail, ...] | None = None


@functools.cache
def engine() -> str:
    """The umpolicy release, as a decision records it (e.g. ``umpolicy 0.1.0``)."""
    return f"umpolicy {importlib.metadata.version('umpolicy')}"


def fingerprint(request: Request) -> str:
    """SHA-256 of the request's canonical JSON: the same request, the same fingerprint."""
    try:
        text = writer(Request)(request)  # the same text, written without building dicts
    except Unplanned:
        from umpolicy.converter import CONVERTER, dumps

        text = dumps(CONVERTER.unstructure(request))
    return hashlib.sha256(text.encode()).hexdigest()


def _detail(findings: tuple[Finding, ...]) -> str:
    parts = []
    for finding in findings:
        if finding.status is Status.MET:
            continue
        if finding.requested is not None and finding.limit is not None:
            found = f"request: {finding.requested.display()}"
        else:
            found = "; ".join(f"{fact.name}: {fact.display()}" for fact in finding.facts)
        text = f"{finding.rule} ({found})"
        parts.append(f"{text}: {finding.note}" if finding.note else text)
    return "; ".join(parts)


def not_met(trail: Trail) -> list[Reason]:
    """Every criterion not met in the branch the request is on (all, not the first)."""
    if trail.status is not Status.NOT_MET:
        return []
    heading = trail.kind in ("all_of", "any_of")
    if heading and trail.findings and trail.findings[0].status is Status.NOT_MET:
        words = f"{trail.title} {trail.text}" if trail.title else trail.text
        return [Reason(trail.label, words, _detail(trail.findings))]
    if not heading:
        return [Reason(trail.label, trail.text, _detail(trail.findings))]
    failed = [child for child in trail.children if child.status is Status.NOT_MET]
    if trail.kind == "any_of":
        on_branch = [child for child in failed if not _off_branch(child)]
        failed = on_branch or failed
    return [reason for child in failed for reason in not_met(child)]


def _off_branch(trail: Trail) -> bool:
    """True when a heading's own condition (route, diagnosis) rules the request out of it."""
    return (
        trail.kind in ("all_of", "any_of")
        and bool(trail.findings)
        and trail.findings[0].status is Status.NOT_MET
    )


def _missing(fact: Fact) -> list[str]:
    if not fact.inputs:
        return [fact.name] if fact.value is None else []
    if fact.value is not None and not fact.partial:
        return []
    names = [name for each in fact.inputs for name in _missing(each)]
    # Inputs all given but incomplete (a consultant without a specialty): name the fact.
    return names or [fact.name]


def needed(trail: Trail) -> list[str]:
    """The facts missing from the request that leave this node unknown."""
    if trail.status is not Status.UNKNOWN:
        return []
    names = [
        name
        for finding in trail.findings
        if finding.status is Status.UNKNOWN
        for fact in finding.facts
        for name in _missing(fact)
    ]
    for child in trail.children:
        names += needed(child)
    return names


def _path(trail: Trail) -> list[str]:
    """The labels from a heading down the branch that is met or still open."""
    path = [trail.label]
    if trail.kind == "any_of":
        for child in trail.children:
            if child.status is Status.MET:
                return path + _path(child)
        for child in trail.children:
            if not _off_branch(child):
                return path + _path(child)
    return path


def _period(plan: _Plan, start: dt.date) -> Authorization:
    try:
        anniversary = start.replace(year=start.year + plan.years)
    except ValueError:  # 29 February: the anniversary is 1 March, as for age
        anniversary = dt.date(start.year + plan.years, 3, 1)
    return Authorization(start, anniversary - dt.timedelta(days=1), plan.period)


def _unique(names: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


NOT_A_DENIAL = (
    "This is a recommendation, not a denial: a clinician makes every adverse determination."
)


@frozen
class _Verdict:
    """A decision's own findings, before the policy, request and trail are attached."""

    outcome: Outcome
    summary: str
    indication: str | None = None
    path: tuple[str, ...] = ()
    authorization: Authorization | None = None
    reasons: tuple[Reason, ...] = ()
    facts_needed: tuple[str, ...] = ()


def decide(policy: Policy, request: Request, *, trail: bool = True) -> Decision:
    """The policy's recommendation for a request, with reasons and (by default) the trail.

    The request is validated first; bad input raises :class:`~umpolicy.InputError`
    and never yields a decision.
    """
    validate(request)
    book = FactBook(request)
    compiled = _compiled(policy)
    trails: list[tuple[_Plan, Trail, Trail | None]] = []
    if trail:
        for plan in compiled.plans:
            trails.append((plan, plan.explain_criteria(book), plan.explain_dosing(book)))
        verdict = _verdict(policy, request, trails)
    else:
        verdict = _judged(policy, request, book, compiled)
    return Decision(
        verdict.outcome,
        verdict.summary,
        compiled.ref,
        request.id,
        fingerprint(request),
        verdict.indication,
        verdict.path,
        verdict.authorization,
        verdict.reasons,
        verdict.facts_needed,
        tuple(t for _, c, d in trails for t in (c, d) if t) if trail else None,
    )


@frozen
class _Plan:
    """One indication, worked out once per policy.

    Its heading's condition, its criteria and dosing compiled three ways (full trail,
    statuses alone, brief trail), and its approval period in years and in words.
    """

    indication: Indication
    requires: Evaluate | None
    explain_criteria: Explain
    explain_dosing: Explain
    judge_criteria: Judgement
    judge_dosing: Judgement
    brief_criteria: Explain
    brief_dosing: Explain
    years: int
    period: str


def _plan(indication: Indication) -> _Plan:
    requires = indication.criteria.requires
    criteria, dosing = indication.criteria, indication.dosing
    return _Plan(
        indication,
        None if requires is None else compile_check(requires),
        compile_node(criteria),
        compile_node(dosing),
        judge_node(criteria),
        judge_node(dosing),
        brief_node(criteria),
        brief_node(dosing),
        int(indication.approval.to("a").value),
        indication.approval.display(),
    )


@frozen
class _Compiled:
    """A policy's reference, and each of its indications worked out."""

    ref: PolicyRef
    plans: tuple[_Plan, ...]


@functools.lru_cache(maxsize=64)
def _compiled(policy: Policy) -> _Compiled:
    """Worked out once per policy (its hash is cached): the tree itself stays pure data."""
    ref = PolicyRef(policy.name, policy.version, policy.effective, policy.content_hash, engine())
    return _Compiled(ref, tuple(_plan(indication) for indication in policy.indications))


def _judged(policy: Policy, request: Request, book: FactBook, compiled: _Compiled) -> _Verdict:
    """The verdict without a trail: statuses first, then only the trails the verdict reads."""
    judged = []
    for plan in compiled.plans:
        verdict = plan.judge_criteria(book)
        if verdict.status is Status.MET:
            judgement = plan.judge_dosing(book)
            return _with_indication(
                policy,
                request,
                plan,
                (*_judged_path(verdict), *_judged_path(judgement)),
                judgement.status,
                functools.partial(plan.brief_dosing, book),
            )
        judged.append((plan, verdict))
    # No indication met: the reasons (or facts needed) are read from the criteria's trails.
    trails: list[tuple[_Plan, Trail, Trail | None]] = []
    for plan, verdict in judged:
        if verdict.off and plan.requires is not None:
            trails.append((plan, _ruled_out(plan.indication.criteria, plan.requires, book), None))
        else:
            trails.append((plan, plan.brief_criteria(book), None))
    return _verdict(policy, request, trails)


def _given(trail: Trail) -> Callable[[], Trail]:
    return lambda: trail


def _judged_path(verdict: Verdict) -> list[str]:
    """:func:`_path` from statuses alone."""
    path = [verdict.label]
    if verdict.any_of and verdict.children:
        for child in verdict.children:
            if child.status is Status.MET:
                return path + _judged_path(child)
        for child in verdict.children:
            if not child.off:
                return path + _judged_path(child)
    return path


def _verdict(
    policy: Policy, request: Request, trails: list[tuple[_Plan, Trail, Trail | None]]
) -> _Verdict:
    """The outcome rules: the first indication met decides by its dosing; else unknown or not."""
    for plan, criteria, dosing in trails:
        if criteria.status is Status.MET and dosing is not None:
            path = (*_path(criteria), *_path(dosing))
            return _with_indication(policy, request, plan, path, dosing.status, _given(dosing))
    unknown = [criteria for _, criteria, _ in trails if criteria.status is Status.UNKNOWN]
    if unknown:
        names = _unique([name for criteria in unknown for name in needed(criteria)])
        return _Verdict(
            Outcome.INSUFFICIENT_INFORMATION,
            f"Cannot decide yet: the request does not give {', '.join(names)}. {NOT_A_DENIAL}",
            facts_needed=names,
        )
    headings = [criteria for _, criteria, _ in trails]
    on_branch = [criteria for criteria in headings if not _off_branch(criteria)]
    reasons = tuple(reason for c in (on_branch or headings) for reason in not_met(c))
    exclusion = policy.not_recommended[0]
    return _Verdict(
        Outcome.NOT_RECOMMENDED,
        f"{policy.not_recommended_preamble} {exclusion.label}. {exclusion.text} {NOT_A_DENIAL}",
        reasons=reasons,
    )


def _ruled_out(node: AllOf | AnyOf, requires: Evaluate, book: FactBook) -> Trail:
    """The heading alone, when its own condition rules the request out (no trail asked)."""
    condition = requires(book)
    kind = "all_of" if isinstance(node, AllOf) else "any_of"
    return Trail(node.label, kind, node.text, Status.NOT_MET, (condition,), title=node.title)


def _with_indication(
    policy: Policy,
    request: Request,
    plan: _Plan,
    path: tuple[str, ...],
    status: Status,
    dosing_trail: Callable[[], Trail],
) -> _Verdict:
    indication = plan.indication
    where = f"{indication.label}. {indication.title} ({' › '.join(path)})"
    if status is Status.MET:
        authorization = _period(plan, request.date)
        return _Verdict(
            Outcome.APPROVE,
            f"Approval recommended under {where} for {authorization.period}: "
            f"{authorization.start} to {authorization.end}.",
            indication.label,
            path,
            authorization,
        )
    dosing = dosing_trail()
    if status is Status.NOT_MET:
        return _Verdict(
            Outcome.CLINICIAN_REVIEW,
            f"The criteria of {where} are met, but the requested dosing is outside the "
            f"established dosing. {policy.said('case_by_case')} {NOT_A_DENIAL}",
            indication.label,
            path,
            reasons=tuple(not_met(dosing)),
        )
    names = _unique(needed(dosing))
    return _Verdict(
        Outcome.INSUFFICIENT_INFORMATION,
        f"The criteria of {where} are met; to check the dosing the request must give "
        f"{', '.join(names)}. {NOT_A_DENIAL}",
        indication.label,
        path,
        facts_needed=names,
    )
