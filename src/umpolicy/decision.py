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
from typing import TYPE_CHECKING, NamedTuple

from attrs import frozen

from umpolicy.checks import Finding
from umpolicy.facts import Fact, FactBook
from umpolicy.policy import Indication, Policy
from umpolicy.request import Request
from umpolicy.status import Status
from umpolicy.trail import Trail

if TYPE_CHECKING:  # imported on the first decision: not needed to load a policy
    from umpolicy.program import Program, Statuses

#: The statuses, as module constants: an enum member read from its class costs a lookup.
MET, NOT_MET, UNKNOWN = Status.MET, Status.NOT_MET, Status.UNKNOWN


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
    from umpolicy.canonical import Unplanned, writer

    try:
        text = writer(Request)(request)  # the same text, written without building dicts
    except Unplanned:
        from umpolicy.converter import CONVERTER, dumps

        text = dumps(CONVERTER.unstructure(request))
    return hashlib.sha256(text.encode()).hexdigest()


def _detail(findings: tuple[Finding, ...]) -> str:
    parts = []
    for finding in findings:
        if finding.status is MET:
            continue
        if finding.requested is not None and finding.limit is not None:
            found = f"request: {finding.requested.display()}"
        else:
            found = "; ".join(f"{fact.name}: {fact.display()}" for fact in finding.facts)
        text = f"{finding.rule} ({found})"
        parts.append(f"{text}: {finding.note}" if finding.note else text)
    return "; ".join(parts)


def _missing(fact: Fact) -> list[str]:
    if not fact.inputs:
        return [fact.name] if fact.value is None else []
    if fact.value is not None and not fact.partial:
        return []
    names = [name for each in fact.inputs for name in _missing(each)]
    # Inputs all given but incomplete (a consultant without a specialty): name the fact.
    return names or [fact.name]


class _Run:
    """One request's statuses, conditions and findings, by node number.

    With the trail, all of them come at once from the generated trail. Without it,
    each tree's statuses are worked out when the outcome rules first ask, and a
    node's findings only for the reasons and facts needed that read them.
    """

    __slots__ = ("book", "checks", "conditions", "found", "program", "statuses")

    def __init__(self, compiled: Program, book: FactBook) -> None:
        self.program = compiled
        self.book = book
        size = len(compiled.shapes)
        self.statuses: Statuses = [None] * size
        self.conditions: Statuses = [None] * size
        self.checks: Statuses = [None] * len(compiled.numbers)
        self.found: list[tuple[Finding, ...]] | None = None

    def tree(self, t: int) -> Status:
        """The status of tree ``t``'s root, its nodes worked out on first ask."""
        root = self.program.roots[t]
        status = self.statuses[root]
        if status is None:
            self.program.statuses[t](self.book, self.statuses, self.conditions, self.checks)
            status = self.statuses[root]
            assert status is not None
        return status

    def findings(self, i: int) -> tuple[Finding, ...]:
        """Node ``i``'s findings (at least those not met or unknown), in its trail's order."""
        if self.found is not None:
            return self.found[i]
        return self.program.unsettled[i](self.book, self.checks)

    def off(self, i: int) -> bool:
        """True when a heading's own condition (route, diagnosis) rules the request out of it."""
        return self.conditions[i] is NOT_MET

    def not_met(self, i: int) -> list[Reason]:
        """Every criterion not met in node ``i`` (itself not met), on the request's branch.

        A criterion, or a heading its own condition rules out, is one reason.
        """
        shape = self.program.shapes[i]
        conditions = self.conditions
        if not shape.heading or conditions[i] is NOT_MET:
            return [Reason(shape.label, shape.words, _detail(self.findings(i)))]
        statuses = self.statuses
        failed = [child for child in shape.children if statuses[child] is NOT_MET]
        if shape.kind == "any_of":
            failed = [child for child in failed if conditions[child] is not NOT_MET] or failed
        return [reason for child in failed for reason in self.not_met(child)]

    def needed(self, i: int) -> list[str]:
        """The facts missing from the request that leave node ``i`` unknown."""
        if self.statuses[i] is not UNKNOWN:
            return []
        names = [
            name
            for finding in self.findings(i)
            if finding.status is UNKNOWN
            for fact in finding.facts
            for name in _missing(fact)
        ]
        for child in self.program.shapes[i].children:
            names += self.needed(child)
        return names

    def path(self, i: int) -> list[str]:
        """The labels from a heading down the branch that is met or still open."""
        shape = self.program.shapes[i]
        path = [shape.label]
        if shape.kind == "any_of":
            for child in shape.children:
                if self.statuses[child] is MET:
                    return path + self.path(child)
            for child in shape.children:
                if not self.off(child):
                    return path + self.path(child)
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


class _Verdict(NamedTuple):
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
    compiled = _compiled(policy)
    text = compiled.admitted(request)
    run = _Run(compiled.program, FactBook(request))
    trails: tuple[Trail, ...] | None = None
    if trail:
        trails, run.statuses, run.conditions, run.found = compiled.program.trail(run.book)
    verdict = _verdict(request, compiled, run)
    return Decision(
        verdict.outcome,
        verdict.summary,
        compiled.ref,
        request.id,
        hashlib.sha256(text.encode()).hexdigest(),
        verdict.indication,
        verdict.path,
        verdict.authorization,
        verdict.reasons,
        verdict.facts_needed,
        trails,
    )


@frozen
class _Plan:
    """One indication: its trees' numbers, its approval period in years and in words.

    ``name`` is how a summary names it ("1. Cutaneous Melanoma").
    """

    indication: Indication
    criteria: int
    dosing: int
    years: int
    period: str
    name: str


@frozen
class _Compiled:
    """A policy's reference, its trees written out, and each indication's plan.

    With the summaries' sentences from the policy's own words, written once.
    """

    ref: PolicyRef
    program: Program
    plans: tuple[_Plan, ...]
    not_recommended: str
    case_by_case: str
    #: :func:`umpolicy.validation.admitted`: the request checked, as canonical JSON.
    admitted: Callable[[Request], str]


@functools.lru_cache(maxsize=64)
def _compiled(policy: Policy) -> _Compiled:
    """Worked out once per policy (its hash is cached): the tree itself stays pure data.

    The generator and the request checks are imported here, on the first decision,
    so that importing umpolicy and loading a policy stay quick.
    """
    from umpolicy.program import program
    from umpolicy.validation import admitted

    ref = PolicyRef(policy.name, policy.version, policy.effective, policy.content_hash, engine())
    trees = tuple(root for each in policy.indications for root in (each.criteria, each.dosing))
    plans = tuple(
        _Plan(
            indication,
            2 * number,
            2 * number + 1,
            int(indication.approval.to("a").value),
            indication.approval.display(),
            f"{indication.label}. {indication.title}",
        )
        for number, indication in enumerate(policy.indications)
    )
    exclusion = policy.not_recommended[0]
    return _Compiled(
        ref,
        program(trees),
        plans,
        f"{policy.not_recommended_preamble} {exclusion.label}. {exclusion.text} {NOT_A_DENIAL}",
        f"{policy.said('case_by_case')} {NOT_A_DENIAL}",
        admitted,
    )


def _verdict(request: Request, compiled: _Compiled, run: _Run) -> _Verdict:
    """The outcome rules: the first indication met decides by its dosing; else unknown or not."""
    roots = compiled.program.roots
    for plan in compiled.plans:
        if run.tree(plan.criteria) is MET:
            return _with_indication(compiled, request, plan, run)
    criteria = [roots[plan.criteria] for plan in compiled.plans]
    unknown = [root for root in criteria if run.statuses[root] is UNKNOWN]
    if unknown:
        names = _unique([name for root in unknown for name in run.needed(root)])
        return _Verdict(
            Outcome.INSUFFICIENT_INFORMATION,
            f"Cannot decide yet: the request does not give {', '.join(names)}. {NOT_A_DENIAL}",
            facts_needed=names,
        )
    on_branch = [root for root in criteria if not run.off(root)]
    reasons = tuple(reason for root in (on_branch or criteria) for reason in run.not_met(root))
    return _Verdict(Outcome.NOT_RECOMMENDED, compiled.not_recommended, reasons=reasons)


def _with_indication(compiled: _Compiled, request: Request, plan: _Plan, run: _Run) -> _Verdict:
    """The outcome for the indication whose criteria are met: its dosing decides."""
    indication = plan.indication
    status = run.tree(plan.dosing)
    roots = run.program.roots
    dosing = roots[plan.dosing]
    path = (*run.path(roots[plan.criteria]), *run.path(dosing))
    where = f"{plan.name} ({' › '.join(path)})"
    if status is MET:
        authorization = _period(plan, request.date)
        return _Verdict(
            Outcome.APPROVE,
            f"Approval recommended under {where} for {authorization.period}: "
            f"{authorization.start} to {authorization.end}.",
            indication.label,
            path,
            authorization,
        )
    if status is NOT_MET:
        return _Verdict(
            Outcome.CLINICIAN_REVIEW,
            f"The criteria of {where} are met, but the requested dosing is outside the "
            f"established dosing. {compiled.case_by_case}",
            indication.label,
            path,
            reasons=tuple(run.not_met(dosing)),
        )
    names = _unique(run.needed(dosing))
    return _Verdict(
        Outcome.INSUFFICIENT_INFORMATION,
        f"The criteria of {where} are met; to check the dosing the request must give "
        f"{', '.join(names)}. {NOT_A_DENIAL}",
        indication.label,
        path,
        facts_needed=names,
    )
