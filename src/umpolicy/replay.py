"""The impact of a revision: every request decided under two versions of a policy, compared.

:func:`replay` reads JSON Lines requests, decides each under the old version and the
new one, and tallies the pairs of outcomes (``not_recommended → approve``). For each
pair whose outcome changed it counts the criteria responsible, in the policy's words
(:func:`causes`), and keeps a bounded sample of request ids per pair.

Every request is decided under both versions whatever its date: the question a
committee asks is what each version *would* say, so the version-in-force check that
:func:`umpolicy.api.evaluate` makes is not made here. Everything else is checked as
``evaluate`` checks it; a line that cannot be decided under a version counts as
``invalid`` there (``failed`` for an internal error), never as a decision. An answer to
a question that only the *other* version asks is left out under this one (the old
version's ``clear_cell_histology`` under the new), since this version reads no such
fact; an answer to a question neither asks is still an error.

Memory stays flat in the number of requests: lines are read in chunks, a bounded
number in flight, and what is kept is counts and, per pair, the ``sample`` ids with the
smallest hash (a bottom-k sample: the same whatever the order or split of the lines,
so local and Dask replays agree exactly). :mod:`umpolicy.replay_dask` runs the same
chunks on a Dask cluster.
"""

from __future__ import annotations

import concurrent.futures as futures
import functools
import hashlib
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from attrs import define, evolve, field, frozen

from umpolicy.dsl.nodes import AllOf, AnyOf, Node, walk
from umpolicy.engine.decision import Decision, PolicyRef, decide, exclusion_label, reference
from umpolicy.errors import InputError, UnknownPolicyError
from umpolicy.history import one_policy
from umpolicy.io.validation import admit
from umpolicy.policy import Policy
from umpolicy.vocabulary.request import Request

#: The outcomes a side of a pair can have: a decision's, or the line's fate.
OUTCOMES = (
    "approve",
    "clinician_review",
    "not_recommended",
    "insufficient_information",
    "invalid",
    "failed",
)
#: Request ids kept per pair of outcomes, by default.
SAMPLE = 5
#: Lines sent to a worker at a time.
CHUNK = 500

Pair = tuple[str, str]


# --- Which version: ``name`` or ``name@YYYY-MM-DD`` -----------------------------------


def resolve(spec: str) -> Policy:
    """The version a ``--from``/``--to`` spec names: ``NAME@2024-06-01`` or ``NAME``.

    With a date, the version in force on that date; alone, the registered (newest) one
    (:func:`umpolicy.registry.version_at`). A malformed spec, an unknown policy or a date
    no version covers is an :class:`~umpolicy.errors.UnknownPolicyError` saying so.
    """
    from umpolicy.registry import version_at

    try:
        return version_at(spec).policy
    except ValueError as error:
        raise UnknownPolicyError(str(error)) from None


def version_notes(*policies: Policy) -> tuple[str, ...]:
    """What a report says first: each version's provenance, then how its dates were read.

    A reconstructed version (rebuilt from a revision note) says so wherever its words
    are shown; a report quotes their words, so it says so too. A report shows each
    version's dates in force, so when those are a reading rather than the plan's (its
    history's note), it says that too, once.
    """
    from umpolicy.registry import history_of

    versions = tuple(dict.fromkeys(policies))
    notes = [
        f"Version {policy.version}: {policy.provenance.text}"
        for policy in versions
        if policy.provenance is not None
    ]
    dates = (history_of(policy).note for policy in versions)
    notes += [f"Dates in force: {note}" for note in dict.fromkeys(dates) if note]
    return tuple(notes)


# --- One request, two versions ---------------------------------------------------------


@frozen
class Row:
    """One request's part in a replay: its two outcomes, the causes of a change, its id."""

    pair: Pair
    causes: tuple[str, ...]
    name: str


def _admitted(policy: Policy, other: Policy, request: Request) -> dict[str, object]:
    """The request's answers under ``policy``, less those only ``other`` asks for."""
    given = request.answers.get(policy.name)
    if isinstance(given, Mapping):
        own = {q.id for q in policy.questions}
        theirs = {q.id for q in other.questions} - own
        if theirs & set(given):
            kept = {key: value for key, value in given.items() if key not in theirs}
            request = evolve(request, answers={**request.answers, policy.name: kept})
    return admit(policy, request, validated=True)


def _decided(
    policy: Policy, other: Policy, request: Request, trail: bool
) -> tuple[str, Decision | None]:
    """The outcome's value under ``policy`` and the decision, or ``invalid``/``failed``."""
    if request.policy is not None and request.policy != policy.name:
        return "invalid", None
    try:
        answers = _admitted(policy, other, request)
        decision = decide(policy, request, trail=trail, answers=answers)
    except InputError:
        return "invalid", None
    except Exception:  # a bug, never a decision: counted as such
        return "failed", None
    return decision.outcome.value, decision


def compare(number: int, line: bytes, old: Policy, new: Policy) -> Row | None:
    """One line decided under both versions; ``None`` for a blank line.

    When the outcome changed, the request is decided again with the trail, so that
    :func:`causes` can name each criterion whose status changed; when one version
    cannot decide it (an answer only that version asks for is malformed), that is the
    cause.
    """
    if not line.strip():
        return None
    from umpolicy.api import parse_request  # the API imports the registry: on first use

    try:
        request = parse_request(line)
    except InputError:
        return Row(("invalid", "invalid"), (), _name(line, number))
    except Exception:  # a parser bug: never a decision
        return Row(("failed", "failed"), (), _name(line, number))
    name = request.id if isinstance(request.id, str) else f"line {number}"
    before, was = _decided(old, new, request, trail=False)
    after, now = _decided(new, old, request, trail=False)
    if before == after:
        return Row((before, after), (), name)
    if was is None or now is None:  # a line one version cannot decide: no criteria to compare
        version = old.version if was is None else new.version
        return Row(
            (before, after),
            (f"cannot be decided under version {version} ({before if was is None else after})",),
            name,
        )
    was = _decided(old, new, request, trail=True)[1]
    now = _decided(new, old, request, trail=True)[1]
    assert was is not None
    assert now is not None
    return Row((before, after), causes(old, was, new, now), name)


def _name(line: bytes, number: int) -> str:
    """A line's request id when it gives one as short text, else ``line N``."""
    from umpolicy.cli import _id_of

    found = _id_of(line)
    return found if found is not None else f"line {number}"


# --- Which criteria changed --------------------------------------------------------------


@frozen
class Matching:
    """How the lines of two versions correspond, as :func:`umpolicy.engine.diff.diff` finds.

    ``labels`` maps each old label to its line in the new version (a removed line has
    none); ``kinds`` names what happened to a changed line (``reworded``, ``limits
    changed``, ...), and ``notes`` how its rules or limits changed, in words (or
    nothing), by its old label.
    """

    labels: Mapping[str, str]
    kinds: Mapping[str, str]
    notes: Mapping[str, str]


@functools.cache
def matching(old: Policy, new: Policy) -> Matching:
    """The lines of ``old`` matched to those of ``new``, by content and position.

    The diff's own matching, so that a replay and a diff never disagree: a line it
    reports moved (the old 2.D is the new 2.C) or changed (2.B reworded) is paired as
    it says, one it reports removed has no partner, and every other line, unchanged,
    keeps its label. Items of CONDITIONS NOT RECOMMENDED keep theirs.
    """
    from umpolicy.engine.diff import diff

    found = diff(old, new)
    pairs: dict[str, str] = {}
    kinds: dict[str, str] = {}
    notes: dict[str, str] = {}
    removed = set()
    for change in found.changes:
        if change.before is not None and change.after is not None:
            pairs[change.before.label] = change.after.label
            kinds[change.before.label] = change.kind.value
            said = (f"{what}: {one} → {other}" for what, one, other in change.notes)
            notes[change.before.label] = "; ".join(said)
        elif change.before is not None:
            removed.add(change.before.label)
    for relettering in found.reletterings:
        for before, after in relettering.moves:
            pairs[before.label] = after.label
    taken = set(pairs.values())
    theirs = set(_labels(new))
    for label in _labels(old):
        if label not in pairs and label not in removed and label in theirs - taken:
            pairs[label] = label
    return Matching(pairs, kinds, notes)


def counterparts(old: Policy, new: Policy) -> Mapping[str, str]:
    """Each old label's line in the new version (see :func:`matching`)."""
    return matching(old, new).labels


def _labels(policy: Policy) -> list[str]:
    found = [node.label for root in policy.trees() for node in walk(root)]
    return found + [exclusion_label(item) for item in policy.exclusions]


def words(policy: Policy, label: str) -> str:
    """The policy's words for the node (or item of CONDITIONS NOT RECOMMENDED) so labelled."""
    for item in policy.exclusions:
        if exclusion_label(item) == label:
            return item.text
    node: Node = policy.node(label)
    if isinstance(node, AllOf | AnyOf) and node.title:
        return f"{node.title} {node.text}"
    return node.text


def _status(decision: Decision, label: str) -> str:
    """The node's status in the decision's trail, in words (``met``, ``not met``, ...)."""
    assert decision.trail is not None, "decided with the trail"
    return decision.trail.steps[label].status.value.replace("_", " ")


def causes(old: Policy, was: Decision, new: Policy, now: Decision) -> tuple[str, ...]:
    """The criteria responsible for a change of outcome, each in a phrase with its words.

    Compares the two decisions' reasons (the criteria that kept each from approval):
    an old reason whose criterion the new version removed (``2.C removed``), and a
    reason of either whose criterion has another status in the other version
    (``2.B reworded ...: met → not met``); a new reason whose criterion was added. A
    reason that persists under a new letter (2.D as 2.C), or whose criterion has the
    same status in both (a dosing limit the old decision never reached), is no cause.
    Both decisions carry their trails.
    """
    there = counterparts(old, new)
    back = {label: key for key, label in there.items()}
    found: dict[str, None] = {}
    for reason in was.reasons:
        other = there.get(reason.label)
        if other is None:
            shown = reason.status.value.replace("_", " ")
            found[f"{reason.label} removed ({_quoted(old, reason.label)}; was {shown})"] = None
        elif _status(was, reason.label) != _status(now, other):
            found[_changed(old, reason.label, was, new, other, now)] = None
    for reason in now.reasons:
        mine = back.get(reason.label)
        if mine is None:
            shown = reason.status.value.replace("_", " ")
            found[f"{reason.label} added ({_quoted(new, reason.label)}; {shown})"] = None
        elif _status(was, mine) != _status(now, reason.label):
            found[_changed(old, mine, was, new, reason.label, now)] = None
    return tuple(found) or ("no criterion's status changed (the outcome rules did)",)


def _quoted(policy: Policy, label: str) -> str:
    return f"“{words(policy, label)}”"


def _changed(old: Policy, label: str, was: Decision, new: Policy, other: str, now: Decision) -> str:
    """``2.B reworded (“old” → “new”): met → not met``; ``2.D (now 2.C) ...`` if relettered.

    What happened to the line is the diff's word (``limits changed``, with how), or
    ``unchanged`` when its words and rules are the same (a fact it reads changed).
    """
    found = matching(old, new)
    before, after = words(old, label), words(new, other)
    name = label if label == other else f"{label} (now {other})"
    what = found.kinds.get(label, "unchanged")
    text = f"“{before}” → “{after}”" if before != after else f"“{before}”"
    how = found.notes.get(label, "")
    text += f"; {how}" if how else ""
    return f"{name} {what} ({text}): {_status(was, label)} → {_status(now, other)}"


# --- Tallies: counts, causes and bounded samples --------------------------------------


def _rank(name: str) -> str:
    """The key a bottom-k sample keeps the smallest of: a hash of the id, then the id."""
    return hashlib.blake2b(name.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


@define
class Tally:
    """Counts by pair of outcomes, causes by changed pair, and a bottom-k sample per pair.

    Merging two tallies is the tally of all their lines, whatever the order or split:
    that is what lets chunks be decided anywhere (processes, a Dask cluster). Each
    sample holds ``(rank, id)`` entries, smallest rank first, at most ``size``.
    """

    size: int = SAMPLE
    cells: dict[Pair, int] = field(factory=dict)
    causes: dict[Pair, dict[str, int]] = field(factory=dict)
    samples: dict[Pair, list[tuple[str, str]]] = field(factory=dict)

    def add(self, row: Row) -> None:
        """Count one request."""
        pair = row.pair
        self.cells[pair] = self.cells.get(pair, 0) + 1
        if row.causes:
            counts = self.causes.setdefault(pair, {})
            for cause in row.causes:
                counts[cause] = counts.get(cause, 0) + 1
        self._keep(pair, [(_rank(row.name), row.name)])

    def _keep(self, pair: Pair, entries: list[tuple[str, str]]) -> None:
        kept = self.samples.get(pair, [])
        if self.size and (len(kept) < self.size or min(entries) < kept[-1]):
            self.samples[pair] = sorted(set(kept + entries))[: self.size]

    def merge(self, other: Tally) -> Tally:
        """Add another tally's lines to this one (in place); returns this tally."""
        for pair, count in other.cells.items():
            self.cells[pair] = self.cells.get(pair, 0) + count
        for pair, found in other.causes.items():
            counts = self.causes.setdefault(pair, {})
            for cause, count in found.items():
                counts[cause] = counts.get(cause, 0) + count
        for pair, entries in other.samples.items():
            self._keep(pair, entries)
        return self


def tally(start: int, lines: Iterable[bytes], old: Policy, new: Policy, size: int) -> Tally:
    """The tally of consecutive lines, the first numbered ``start``: one chunk's work."""
    found = Tally(size)
    for number, line in enumerate(lines, start=start):
        row = compare(number, line, old, new)
        if row is not None:
            found.add(row)
    return found


def chunks(lines: Iterable[bytes], size: int = CHUNK) -> Iterator[tuple[int, list[bytes]]]:
    """Consecutive lists of ``size`` lines, each with its first line's number (from 1)."""
    source = iter(lines)
    start = 1
    while chunk := list(itertools.islice(source, size)):
        yield start, chunk
        start += len(chunk)


# --- The report's data --------------------------------------------------------------------


@frozen
class Cause:
    """A criterion responsible for a change, and how many requests it changed."""

    text: str
    requests: int


@frozen
class Cell:
    """One pair of outcomes: how many requests, the causes (for a change), a sample of ids."""

    old: str
    new: str
    requests: int
    causes: tuple[Cause, ...]
    sample: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """Whether the two versions recommend differently."""
        return self.old != self.new


@frozen
class Impact:
    """What a revision does to a set of requests: every pair of outcomes, with its causes."""

    old: PolicyRef
    new: PolicyRef
    requests: int
    cells: tuple[Cell, ...]
    sample_size: int

    @property
    def changed(self) -> int:
        """How many requests the two versions recommend differently."""
        return sum(cell.requests for cell in self.cells if cell.changed)


def impact(found: Tally, old: Policy, new: Policy) -> Impact:
    """The report's data from a finished tally: cells in outcome order, causes by count."""
    order = {outcome: index for index, outcome in enumerate(OUTCOMES)}
    cells = []
    for pair in sorted(found.cells, key=lambda p: (order[p[0]], order[p[1]])):
        counted = found.causes.get(pair, {})
        ranked = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
        sample = tuple(name for _, name in found.samples.get(pair, []))
        cells.append(
            Cell(
                pair[0],
                pair[1],
                found.cells[pair],
                tuple(Cause(text, n) for text, n in ranked),
                sample,
            )
        )
    total = sum(found.cells.values())
    return Impact(reference(old), reference(new), total, tuple(cells), found.size)


# --- Running it: in this process, or on local cores -----------------------------------

_POLICIES: tuple[Policy, Policy, int] | None = None


def _start(old: Policy, new: Policy, size: int) -> None:
    """A worker process's start: the two versions it decides under."""
    global _POLICIES
    _POLICIES = (old, new, size)


def _work(start: int, lines: list[bytes]) -> Tally:
    """A worker process's chunk."""
    assert _POLICIES is not None, "started by _start"
    old, new, size = _POLICIES
    return tally(start, lines, old, new, size)


def replay(
    lines: Iterable[bytes],
    old: Policy,
    new: Policy,
    *,
    jobs: int | None = 1,
    sample: int = SAMPLE,
    advance: Callable[[int], None] | None = None,
    chunk: int = CHUNK,
) -> Impact:
    """Every line's request decided under ``old`` and ``new``; the impact of the change.

    ``jobs`` processes decide in parallel (``None``: every core); at most two chunks
    per process are in flight, so memory does not grow with the number of lines.
    ``advance`` is told how many lines each finished chunk held (a progress bar).
    Versions of two different policies raise
    :class:`~umpolicy.history.DifferentPoliciesError` before any line is read.
    """
    one_policy(old, new, "replay")
    jobs = jobs or os.cpu_count() or 1
    found = Tally(sample)
    if jobs == 1:
        for start, part in chunks(lines, chunk):
            found.merge(tally(start, part, old, new, sample))
            if advance:
                advance(len(part))
        return impact(found, old, new)
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with futures.ProcessPoolExecutor(jobs, context, _start, (old, new, sample)) as pool:
        running: dict[futures.Future[Tally], int] = {}
        for start, part in chunks(lines, chunk):
            running[pool.submit(_work, start, part)] = len(part)
            if len(running) >= 2 * jobs:
                _drain(running, found, advance, futures.FIRST_COMPLETED)
        _drain(running, found, advance, futures.ALL_COMPLETED)
    return impact(found, old, new)


def _drain(
    running: dict[futures.Future[Tally], int],
    found: Tally,
    advance: Callable[[int], None] | None,
    until: str,
) -> None:
    """Merge the chunks that finish (the first, or all), and forget them."""
    done, _ = futures.wait(running, return_when=until)
    for future in done:
        found.merge(future.result())
        count = running.pop(future)
        if advance:
            advance(count)


def to_data(result: Impact, notes: tuple[str, ...] = ()) -> dict[str, Any]:
    """The impact as JSON data (what ``--format json`` writes), with the report's notes.

    ``notes`` are :func:`version_notes` of the two versions: a tool reading the JSON is
    told, as a reader of the text is, which words are reconstructed and which dates read.
    """
    from umpolicy.io.converter import CONVERTER

    data: dict[str, Any] = CONVERTER.unstructure(result)
    data["changed"] = result.changed
    data["notes"] = list(notes)
    return data


__all__ = [
    "Cause",
    "Cell",
    "Impact",
    "Tally",
    "causes",
    "compare",
    "impact",
    "replay",
    "resolve",
    "tally",
    "to_data",
    "version_notes",
]
