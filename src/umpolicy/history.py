"""A policy's history: its versions, each with the request dates it is in force for.

Plans revise every policy at least yearly, and a request is decided under the version
in force on its date, not under whichever is newest. A :class:`PolicyHistory` holds the
versions in date order, each an :class:`InForce`: the version's own tree (and so its
own content hash) and the first and last request dates it decides. A date no version
is in force on is an input error (:func:`umpolicy.io.validation.dated` says which dates
are covered).

A version is named in one string as ``name@YYYY-MM-DD``, "the version of ``name`` in
force on that date" (:func:`parse_spec`; :func:`umpolicy.registry.policy_at` loads it).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections.abc import Iterator

from attrs import field, frozen

from umpolicy.dsl.questions import Question
from umpolicy.errors import UnknownPolicyError
from umpolicy.policy import Policy


class NotInForceError(UnknownPolicyError):
    """No version of the policy is in force on the date asked for."""


class DifferentPoliciesError(ValueError):
    """Two versions to compare (a diff, a replay) are versions of different policies."""


def one_policy(
    before: Policy, after: Policy, what: str, named: tuple[str, str] | None = None
) -> None:
    """Refuse to compare versions of two different policies: :class:`DifferentPoliciesError`.

    A diff or a replay says what a revision changed; between two drugs' policies there
    is no revision, only unrelated criteria paired by accident of their letters, and a
    committee reading it would be misled. ``what`` names the comparison ("diff",
    "replay"); ``named`` is how the caller named the two versions (the specs as typed),
    else each is its name and version.
    """
    if before.name == after.name:
        return
    one, other = named or (f"{before.name} {before.version}", f"{after.name} {after.version}")
    raise DifferentPoliciesError(
        f"{one} and {other} are versions of different policies: {before.name!r} and "
        f"{after.name!r}; {what} compares two versions of one policy"
    )


@frozen
class InForce:
    """One version of a policy and the request dates it decides: ``start`` to ``end``.

    Both dates are inclusive; ``end`` is ``None`` while the version is still in force.
    """

    policy: Policy
    start: dt.date
    end: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"version {self.policy.version}: in force until before it starts")

    def holds(self, date: dt.date) -> bool:
        """Whether the version is in force on ``date``."""
        return self.start <= date and (self.end is None or date <= self.end)

    @property
    def dates(self) -> str:
        """The dates in words: ``2022-01-01 to 2025-02-04``, or ``from 2025-02-05``."""
        return f"from {self.start}" if self.end is None else f"{self.start} to {self.end}"

    @property
    def spec(self) -> str:
        """The version named by its first day in force: ``NAME@2025-02-05``."""
        return f"{self.policy.name}@{self.start}"


def _ordered(history: PolicyHistory, _: object, versions: tuple[InForce, ...]) -> None:
    """The versions are of one policy, in date order, and never in force on the same day."""
    if not versions:
        raise ValueError(f"policy {history.name!r}: a history needs a version")
    for each in versions:
        if each.policy.name != history.name:
            raise ValueError(f"version {each.policy.version} is of {each.policy.name!r}")
    if len({each.policy.version for each in versions}) != len(versions):
        raise ValueError(f"policy {history.name!r}: two versions share a version string")
    for before, after in itertools.pairwise(versions):
        if before.end is None or before.end >= after.start:
            raise ValueError(
                f"policy {history.name!r}: version {before.policy.version} is still in force "
                f"when {after.policy.version} starts ({after.start})"
            )


@frozen
class PolicyHistory:
    """Every version of one policy, oldest first, with the dates each is in force.

    ``note`` says how the dates were established when they are a reading rather than
    the plan's own statement; it is shown wherever the dates are.
    """

    name: str
    versions: tuple[InForce, ...] = field(validator=_ordered)
    note: str = ""

    @classmethod
    def single(cls, policy: Policy) -> PolicyHistory:
        """The history of a policy with one version, in force from its effective date on."""
        return cls(policy.name, (InForce(policy, policy.effective),))

    def __iter__(self) -> Iterator[InForce]:
        return iter(self.versions)

    @property
    def current(self) -> InForce:
        """The newest version."""
        return self.versions[-1]

    def on(self, date: dt.date) -> InForce | None:
        """The version in force on ``date``, if any."""
        for each in self.versions:
            if each.holds(date):
                return each
        return None

    def at(self, date: dt.date) -> InForce:
        """The version in force on ``date``; :class:`NotInForceError` saying which are covered."""
        found = self.on(date)
        if found is None:
            reason = f"no version of {self.name!r} is in force on {date} ({self.covered})"
            raise NotInForceError(reason)
        return found

    def of(self, policy: Policy) -> InForce | None:
        """The entry of this very version (the same content hash), if it is one of these."""
        for each in self.versions:
            if each.policy.content_hash == policy.content_hash:
                return each
        return None

    @property
    def covered(self) -> str:
        """Which dates the versions cover, in words, for errors: each version and its dates."""
        shown = ", ".join(f"{each.dates} (version {each.policy.version})" for each in self)
        return f"versions in force: {shown}"

    def asked_elsewhere(self, policy: Policy) -> tuple[Question, ...]:
        """The questions other versions ask that ``policy`` does not, each once (newest first).

        A request made under one version may answer them; decided under ``policy``, those
        answers are checked and left unread (:func:`umpolicy.io.validation.admit`).
        """
        return _asked_elsewhere(self, policy)

    def pairs(self) -> tuple[tuple[InForce, InForce], ...]:
        """Each version with the next: the revisions, oldest first."""
        return tuple(itertools.pairwise(self.versions))


@functools.cache
def _asked_elsewhere(history: PolicyHistory, policy: Policy) -> tuple[Question, ...]:
    own = {question.id for question in policy.questions}
    found: dict[str, Question] = {}
    for each in reversed(history.versions):
        for question in each.policy.questions:
            if question.id not in own:
                found.setdefault(question.id, question)
    return tuple(found.values())


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_spec(spec: str) -> tuple[str, dt.date | None]:
    """A version spec's policy name and date: ``NAME@YYYY-MM-DD``, or ``NAME`` alone.

    ``NAME@2024-06-01`` is ``("NAME", date(2024, 6, 1))``, the version in force
    on that date; ``NAME`` is ``("NAME", None)``, the registered one.
    A malformed spec raises :class:`ValueError` saying what the form is.
    """
    name, at, when = spec.partition("@")
    if not name or (at and not when):
        raise ValueError(f"not a policy version: {spec!r} (expected NAME or NAME@YYYY-MM-DD)")
    if not at:
        return name, None
    if not _DAY.fullmatch(when):
        raise ValueError(f"not a policy version: {spec!r} (the date after @ is YYYY-MM-DD)")
    try:
        return name, dt.date.fromisoformat(when)
    except ValueError:
        raise ValueError(
            f"not a policy version: {spec!r} (the date after @ is YYYY-MM-DD)"
        ) from None
