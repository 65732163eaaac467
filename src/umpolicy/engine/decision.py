"""The decision: the recommended outcome, why, what is still needed, and the trail.

umpolicy recommends; it never issues a denial. ``not_recommended`` means the
policy's criteria are not met as requested; a clinician makes every adverse
determination.

The outcome rules, the same for every policy: an exclusion that is met makes the
request not recommended, and one that is unknown keeps it from approval. Otherwise an
indication whose criteria and dosing are both met is approval for the branch's period
(the first such, in the policy's order: "approval is recommended for those who meet the
Criteria and Dosing"). Short of that, an indication whose criteria are met decides by
its dosing: the first whose dosing is unknown gives insufficient information, else the
first met gives clinician review (doses outside the established dosing). No indication
met: any criterion unknown gives insufficient information, with the facts needed; else
not recommended.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Mapping
from typing import Any

from attrs import frozen

from umpolicy.dsl.checks import Check
from umpolicy.dsl.choice import Choice
from umpolicy.dsl.findings import Finding, to_complete
from umpolicy.dsl.nodes import AnyOf, Group, Node, roles
from umpolicy.dsl.quantity import Quantity
from umpolicy.dsl.status import Status
from umpolicy.engine.book import FactBook
from umpolicy.engine.catalog import readers
from umpolicy.engine.trail import Step, Trail, Walk, canonical, recurring, walker
from umpolicy.engine.wording import worded
from umpolicy.policy import Indication, NotRecommended, Policy
from umpolicy.vocabulary.request import Request

MET, NOT_MET, UNKNOWN = Status.MET, Status.NOT_MET, Status.UNKNOWN


class Outcome(Choice):
    """What the policy recommends for a request."""

    APPROVE = "approve"
    CLINICIAN_REVIEW = "clinician_review"
    NOT_RECOMMENDED = "not_recommended"
    INSUFFICIENT_INFORMATION = "insufficient_information"


@frozen
class Reason:
    """A criterion that keeps the request from approval: not met, or not known yet.

    An exclusion (``Not Recommended 1``) is a reason too: met when it applies, unknown
    while it is not yet ruled out.

    ``detail`` says what the rule requires and what the request gave, in one unit
    (``Required: at least 7 weeks (49 days). Requested: 48 days.``); the criterion's
    own words are the policy's, looked up by ``label``. An unknown criterion names
    the facts the request must give for it in ``facts_needed``.
    """

    label: str
    status: Status
    detail: str
    facts_needed: tuple[str, ...] = ()


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
    limits: with the content hash, enough to reproduce the decision. Why this version:
    it is in force from ``in_force_from`` to ``in_force_until``, which holds ``as_of``.
    """

    name: str
    version: str
    effective: dt.date
    content_hash: str
    engine: str
    in_force_from: dt.date | None = None
    """The first request date this version decides (its history's, else its effective date)."""
    in_force_until: dt.date | None = None
    """The last request date this version decides; null while it is still in force."""
    as_of: dt.date | None = None
    """The date the version was chosen as in force on: the request's date, or the as-of date
    asked for (an audit's "what did the policy say then?"); null when the caller chose it."""


@frozen
class Decision:
    """The outcome for one request, with every reason and (by default) the compact trail."""

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
    trail: Trail | None = None


NOT_A_DENIAL = (
    "This is a recommendation, not a denial: a clinician makes every adverse determination."
)


@functools.cache
def engine() -> str:
    """The umpolicy release, as a decision records it (e.g. ``umpolicy 0.2.0``)."""
    from umpolicy import __version__

    return f"umpolicy {__version__}"


def fingerprint(request: Request) -> str:
    """SHA-256 of the request's canonical JSON: the same request, the same fingerprint."""
    from umpolicy.io.converter import CONVERTER, canonical_bytes

    return hashlib.sha256(canonical_bytes(CONVERTER.unstructure(request))).hexdigest()


@functools.cache
def reference(policy: Policy) -> PolicyRef:
    """The policy's reference, as every decision under it records it (worked out once).

    Its dates in force are those of its registered history, else from its effective date.
    """
    from umpolicy.registry import history_of  # the registry loads no decision engine

    dates = history_of(policy).of(policy)
    assert dates is not None  # a history of this very version holds it
    return PolicyRef(
        policy.name,
        policy.version,
        policy.effective,
        policy.content_hash,
        engine(),
        dates.start,
        dates.end,
    )


def _dated(ref: PolicyRef, date: dt.date) -> PolicyRef:
    """The reference for a request of this date: ``as_of`` it when the version is in force."""
    start, end = ref.in_force_from, ref.in_force_until
    if start is None or date < start or (end is not None and date > end):
        return ref
    # As evolve(ref, as_of=date), at a fifth of its cost: this is made for every request.
    return PolicyRef(
        name=ref.name,
        version=ref.version,
        effective=ref.effective,
        content_hash=ref.content_hash,
        engine=ref.engine,
        in_force_from=start,
        in_force_until=end,
        as_of=date,
    )


class _Run:
    """One request's steps and facts under one policy, and the questions the rules ask.

    A tree (an indication's criteria or dosing) is walked when the rules first ask for
    it; with the trail, every tree is walked first. The walk is the same either way.
    """

    __slots__ = ("book", "facts", "policy", "steps", "walks")

    def __init__(self, policy: Policy, steps: dict[str, Step], book: FactBook) -> None:
        self.policy = policy
        self.steps = steps
        self.book = book
        self.facts = book.facts
        self.walks = _walks(policy)

    def tree(self, root: Node) -> Status:
        """The status of a tree's root, walking the tree on first ask."""
        step = self.steps.get(root.label)
        if step is None:
            return self.walks[root.label](self.book, self.steps)
        return step.status

    def exclusion(self, item: NotRecommended) -> Status:
        """The status of an exclusion's check, worked out on first ask."""
        label = exclusion_label(item)
        step = self.steps.get(label)
        if step is None:
            assert item.check is not None
            finding = self.book.finding(canonical(item.check))
            step = self.steps[label] = Step(finding.status, (finding,))
        return step.status

    def detail(self, node: Node) -> str:
        """What was found for a node, in words: each finding not met, required and requested."""
        step = self.steps[node.label]
        return " ".join(
            self.found(check, finding, role)
            for (role, check), finding in zip(roles(node), step.findings, strict=True)
            if finding.status is not MET
        )

    def found(self, check: Check, finding: Finding, role: str = "rule") -> str:
        """One finding in words: what the rule requires and what the request gave."""
        return worded(check, finding, self.facts, self.policy).sentence(role)

    def missing(self, findings: tuple[Finding, ...]) -> list[str]:
        """The facts missing from the request that leave these findings unknown."""
        return [
            name
            for finding in findings
            if finding.status is UNKNOWN
            for name in to_complete(finding.facts, self.facts)
        ]

    def not_met(self, node: Node) -> list[Reason]:
        """Every criterion not met in ``node`` (itself not met), on the request's branch.

        A criterion, or a heading its own condition rules out, is one reason.
        """
        step = self.steps[node.label]
        if not isinstance(node, Group) or step.off:
            return [Reason(node.label, NOT_MET, self.detail(node))]
        failed = [c for c in node.children if self.steps[c.label].status is NOT_MET]
        if isinstance(node, AnyOf):
            failed = [c for c in failed if not self.steps[c.label].off] or failed
        return [reason for child in failed for reason in self.not_met(child)]

    def unknown(self, node: Node) -> list[Reason]:
        """Every criterion left unknown in ``node`` (itself unknown): what blocks a decision.

        Under Kleene logic a heading is unknown only while none of its children settles
        it, so each unknown child (and the heading's own unknown condition) could still
        change it: each is a reason, with the facts it needs.
        """
        step = self.steps[node.label]
        if step.status is not UNKNOWN:
            return []
        reasons = []
        own = self.missing(step.findings)
        if own or not isinstance(node, Group):
            reasons.append(Reason(node.label, UNKNOWN, self.detail(node), _unique(own)))
        if isinstance(node, Group):
            for child in node.children:
                reasons += self.unknown(child)
        return reasons

    def path(self, node: Node) -> list[str]:
        """The labels from a heading down the branch that is met or still open."""
        path = [node.label]
        if isinstance(node, AnyOf):
            for child in node.children:
                if self.steps[child.label].status is MET:
                    return path + self.path(child)
            for child in node.children:
                if not self.steps[child.label].off:
                    return path + self.path(child)
        return path


@functools.cache
def _walks(policy: Policy) -> dict[str, Walk]:
    """Each tree's walk by its root's label, worked out once per policy."""
    trees = tuple(policy.trees())
    checks = tuple(item.check for item in policy.exclusions if item.check is not None)
    again = recurring(*trees, *checks)
    known = readers(policy)
    return {root.label: walker(root, again, known) for root in trees}


def exclusion_label(item: NotRecommended) -> str:
    """How the trail names an item of CONDITIONS NOT RECOMMENDED: ``Not Recommended 1``."""
    return f"Not Recommended {item.label}"


def _unique(names: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def period_end(start: dt.date, period: Quantity) -> dt.date:
    """The last day of a period of whole years or months from ``start`` (inclusive).

    The period runs through the day before the same date that many months later; a
    date that month lacks (29 February, 31 August + 6 months) comes round on the first
    of the next month, as an age does.
    """
    months = int(period.value) * (12 if period.unit.code == "a" else 1)
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    try:
        anniversary = dt.date(year, month + 1, start.day)
    except ValueError:  # the first of the month after
        after = month + 1
        anniversary = dt.date(year + after // 12, after % 12 + 1, 1)
    return anniversary - dt.timedelta(days=1)


def _approval(indication: Indication, path: tuple[str, ...], policy: Policy) -> Quantity:
    """The period of the deepest node on the path that gives one, else the indication's."""
    for label in reversed(path):
        approval: Quantity | None = getattr(policy.node(label), "approval", None)
        if approval is not None:
            return approval
    assert indication.approval is not None, "a loaded policy gives every branch a period"
    return indication.approval


def decide(
    policy: Policy,
    request: Request,
    *,
    trail: bool = True,
    answers: Mapping[str, Any] | None = None,
) -> Decision:
    """The policy's recommendation for a request, with reasons and (by default) the trail.

    The request is checked against the policy first (its answers against the
    policy's questions); bad input raises :class:`~umpolicy.InputError` and never
    yields a decision. ``answers`` are the request's answers already checked.
    """
    if answers is None:
        from umpolicy.io.validation import admit

        answers = admit(policy, request)
    else:  # the answers are checked, but the drug is checked here, whoever checked them
        from umpolicy.errors import InputError
        from umpolicy.io.validation import drug_problems

        problems = drug_problems(policy, request)
        if problems:
            raise InputError(problems)
    book = FactBook(readers(policy), request, answers)
    steps: dict[str, Step] = {}
    run = _Run(policy, steps, book)
    if trail:
        for root in policy.trees():
            run.tree(root)
        for item in policy.exclusions:
            run.exclusion(item)
    outcome, summary, indication, path, authorization, reasons, needed = _verdict(
        policy, request, run
    )
    return Decision(
        outcome,
        summary,
        _dated(reference(policy), request.date),
        request.id,
        fingerprint(request),
        indication,
        path,
        authorization,
        reasons,
        needed,
        Trail(steps, book.facts) if trail else None,
    )


_Verdict = tuple[
    Outcome,
    str,
    str | None,
    tuple[str, ...],
    Authorization | None,
    tuple[Reason, ...],
    tuple[str, ...],
]


def _not_recommended(policy: Policy, item: NotRecommended) -> str:
    return f"{policy.not_recommended_preamble} {item.label}. {item.text} {NOT_A_DENIAL}"


def _verdict(policy: Policy, request: Request, run: _Run) -> _Verdict:
    """The outcome rules, in order: exclusions, an indication met, else unknown or not.

    ``facts_needed`` are exactly the missing facts whose answers could change an
    outcome short of approval under these rules: those of the criteria left unknown
    on the question that decides (the indications while none is met, else the
    deciding one's dosing and any other indication's criteria or, those met, dosing
    still unknown, which could approve were it met), and those of the exclusions not
    yet ruled out. An approval stands on the indication met: nothing is asked for it.
    """
    for item in policy.exclusions:
        if run.exclusion(item) is MET:
            label = exclusion_label(item)
            reason = Reason(label, MET, _exclusion_detail(run, item))
            return (
                Outcome.NOT_RECOMMENDED,
                _not_recommended(policy, item),
                None,
                (),
                None,
                (reason,),
                (),
            )
    deciding = _deciding(policy, run)
    if deciding is not None:
        return _with_indication(policy, request, deciding, run)
    roots = [each.criteria for each in policy.indications]
    unknown = [root for root in roots if run.steps[root.label].status is UNKNOWN]
    if unknown:
        reasons = (
            *(reason for root in unknown for reason in run.unknown(root)),
            *_open_exclusions(policy, run),
        )
        names = _needed(reasons)
        return (
            Outcome.INSUFFICIENT_INFORMATION,
            f"Cannot decide yet: {_listed(reasons)} cannot be checked until the request "
            f"gives {', '.join(names)}. {NOT_A_DENIAL}",
            None,
            (),
            None,
            reasons,
            names,
        )
    on_branch = [root for root in roots if not run.steps[root.label].off]
    reasons = tuple(reason for root in (on_branch or roots) for reason in run.not_met(root))
    # A loaded policy has a catch-all item ("circumstances not listed"): see catalog.check.
    item = next(item for item in policy.not_recommended if item.check is None)
    return (Outcome.NOT_RECOMMENDED, _not_recommended(policy, item), None, (), None, reasons, ())


def _deciding(policy: Policy, run: _Run) -> Indication | None:
    """The indication whose dosing decides, of those whose criteria are met.

    The first whose dosing is met, else the first whose dosing is unknown, else the first.
    A patient may meet two indications' criteria (codes of both diseases): the dosing
    outside one's established dosing is within the other's, and the request is approved.
    """
    found: Indication | None = None
    for indication in policy.indications:
        if run.tree(indication.criteria) is not MET:
            continue
        dosing = run.tree(indication.dosing)
        if dosing is MET:
            return indication
        if found is None or (dosing is UNKNOWN and run.tree(found.dosing) is NOT_MET):
            found = indication
    return found


def _still_open(run: _Run, indication: Indication) -> list[Reason]:
    """What blocks an indication that is not deciding: its criteria, else its dosing."""
    if run.tree(indication.criteria) is MET:
        run.tree(indication.dosing)
        return run.unknown(indication.dosing)
    return run.unknown(indication.criteria)


def _open_exclusions(policy: Policy, run: _Run) -> tuple[Reason, ...]:
    """The exclusions not yet ruled out, each with the facts that would settle it."""
    found = []
    for item in policy.exclusions:
        if run.exclusion(item) is UNKNOWN:
            label = exclusion_label(item)
            needed = _unique(run.missing(run.steps[label].findings))
            found.append(Reason(label, UNKNOWN, _exclusion_detail(run, item), needed))
    return tuple(found)


def _needed(reasons: tuple[Reason, ...]) -> tuple[str, ...]:
    return _unique([name for reason in reasons for name in reason.facts_needed])


def _listed(reasons: tuple[Reason, ...]) -> str:
    labels = [reason.label for reason in reasons if reason.facts_needed]
    if len(labels) == 1:
        return labels[0]
    return f"{', '.join(labels[:-1])} and {labels[-1]}"


def _exclusion_detail(run: _Run, item: NotRecommended) -> str:
    assert item.check is not None
    return run.found(item.check, run.steps[exclusion_label(item)].findings[0], "exclusion")


def _with_indication(
    policy: Policy, request: Request, indication: Indication, run: _Run
) -> _Verdict:
    """The outcome for the indication whose criteria are met: its dosing decides."""
    dosing = indication.dosing
    status = run.tree(dosing)
    path = (*run.path(indication.criteria), *run.path(dosing))
    where = f"{indication.label}. {indication.title} ({' › '.join(path)})"
    label = indication.label
    blocked = _open_exclusions(policy, run)
    if status is MET and blocked:
        names = _needed(blocked)
        return (
            Outcome.INSUFFICIENT_INFORMATION,
            f"The criteria and dosing of {where} are met; to rule out "
            f"{_listed(blocked)} the request must give {', '.join(names)}. {NOT_A_DENIAL}",
            label,
            path,
            None,
            blocked,
            names,
        )
    if status is MET:
        period = _approval(indication, path, policy)
        end = period_end(request.date, period)
        authorization = Authorization(request.date, end, period.display())
        return (
            Outcome.APPROVE,
            f"Approval recommended under {where} for {authorization.period}: "
            f"{authorization.start} to {authorization.end}.",
            label,
            path,
            authorization,
            (),
            (),
        )
    # Another indication still unknown could approve instead, were it met: for an
    # outcome short of approval its unknown criteria are open questions too, and so is
    # the unknown dosing of another whose criteria are met.
    others = [each for each in policy.indications if each is not indication]
    elsewhere = tuple(reason for each in others for reason in _still_open(run, each))
    if status is NOT_MET:
        case_by_case = policy.said("case_by_case")
        return (
            Outcome.CLINICIAN_REVIEW,
            f"The criteria of {where} are met, but the requested dosing is outside the "
            f"established dosing. {case_by_case} {NOT_A_DENIAL}",
            label,
            path,
            None,
            (*run.not_met(dosing), *blocked, *elsewhere),
            _needed((*blocked, *elsewhere)),
        )
    reasons = (*run.unknown(dosing), *blocked, *elsewhere)
    names = _needed(reasons)
    return (
        Outcome.INSUFFICIENT_INFORMATION,
        f"The criteria of {where} are met; to check {_listed(reasons)} the request must "
        f"give {', '.join(names)}. {NOT_A_DENIAL}",
        label,
        path,
        None,
        reasons,
        names,
    )


__all__ = [
    "Authorization",
    "Decision",
    "Outcome",
    "PolicyRef",
    "Reason",
    "decide",
]
