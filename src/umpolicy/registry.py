"""Policies by name: the ones umpolicy ships, and those of every installed package.

Packages register policies under the ``umpolicy.policies`` entry-point group, so an
application loads a policy without knowing where it lives. The policies umpolicy
ships are registered there too, and live in :data:`BUNDLED`, one module per policy,
named as the policy is: those load without scanning the installed packages, since
importing :mod:`importlib.metadata` alone takes about a third of the time budget for
importing umpolicy and loading a policy. A bundled policy wins over a package's
policy of the same name.

A policy's versions, each with the request dates it is in force for, are its
:class:`~umpolicy.history.PolicyHistory` (:func:`load_history`): registered under the
``umpolicy.histories`` group by the policy's name, or shipped as the module
``umpolicy_policies.<name>_history``. A policy without one has a single version, in
force from its effective date. :func:`load_policy` with ``on=`` and :func:`policy_at`
(``"NAME@2024-06-01"``) give the version in force on a date.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from importlib import import_module
from typing import TYPE_CHECKING

from umpolicy.engine.catalog import check
from umpolicy.errors import PolicyError, UnknownPolicyError
from umpolicy.history import InForce, PolicyHistory, parse_spec
from umpolicy.policy import Policy

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

GROUP = "umpolicy.policies"
#: The entry-point group of policy histories, each registered under its policy's name.
HISTORIES = "umpolicy.histories"
#: The package of the policies umpolicy ships (the wheel installs ``policies/`` as it).
BUNDLED = "umpolicy_policies"


def entry_points(*, group: str, name: str | None = None) -> Sequence[EntryPoint]:
    """The installed entry points of ``group`` (named ``name``), scanned once per process.

    Scanning the installed packages takes milliseconds, so a request naming an unknown
    policy must not pay it each time; a package installed while the process runs is
    seen by the next process.
    """
    found = _scanned(group)
    return found if name is None else tuple(ep for ep in found if ep.name == name)


@functools.cache
def _scanned(group: str) -> tuple[EntryPoint, ...]:
    from importlib.metadata import entry_points as installed  # slow to import: on first use

    return tuple(installed(group=group))


def policy_names() -> tuple[str, ...]:
    """The names of every installed policy, sorted."""
    return tuple(sorted({ep.name for ep in entry_points(group=GROUP)}))


def _bundled(name: str) -> Policy | None:
    """The policy umpolicy ships as ``name``, if it ships one."""
    if not name.isidentifier() or name.startswith("_"):
        return None
    module = f"{BUNDLED}.{name}"
    try:
        found = import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name in (BUNDLED, module):
            return None  # not shipped (or the policies left out): not an error here
        raise
    policy = getattr(found, "POLICY", None)
    return policy if isinstance(policy, Policy) and policy.name == name else None


@functools.cache
def load_policy(name: str, on: dt.date | None = None) -> Policy:
    """The installed policy registered as ``name`` (loaded once, checked, then kept).

    With ``on``, the version of it in force on that date (see :func:`load_history`);
    a date no version is in force on raises :class:`~umpolicy.history.NotInForceError`
    (an :class:`~umpolicy.errors.UnknownPolicyError`) saying which dates are covered.
    A policy that cannot decide as written raises :class:`~umpolicy.errors.PolicyError`.
    """
    if on is not None:
        return load_history(name).at(on).policy
    policy = _find(name)
    check(policy)
    return policy


def _find(name: str) -> Policy:
    policy = _bundled(name)
    if policy is not None:
        return policy
    for ep in entry_points(group=GROUP, name=name):
        policy = ep.load()
        if not isinstance(policy, Policy):
            raise UnknownPolicyError(f"entry point {ep.value} is not a Policy")
        return policy
    known = ", ".join(policy_names()) or "none"
    raise UnknownPolicyError(f"no policy named {name!r} is installed (installed: {known})")


@functools.cache
def load_history(name: str) -> PolicyHistory:
    """Every version of the policy ``name``, with the dates each is in force (checked, kept).

    The registered policy (:func:`load_policy`) must be one of them; each version is
    checked as the registered one is. A policy that registers no history has one
    version, in force from its effective date on.
    """
    policy = load_policy(name)
    history = _find_history(name)
    if history is None:
        return PolicyHistory.single(policy)
    if not isinstance(history, PolicyHistory) or history.name != name:
        raise PolicyError(f"the history registered for {name!r} is not a PolicyHistory of it")
    if history.of(policy) is None:
        raise PolicyError(f"the history of {name!r} does not hold its registered version")
    for each in history:
        check(each.policy)
    return history


def every_version(names: Iterable[str]) -> tuple[Policy, ...]:
    """Every version of each named policy: each one's newest first, then the older ones.

    What a request may answer spans the versions (a request dated under an earlier
    version answers its questions), so the JSON Schema describes them all.
    """
    histories = [load_history(name) for name in names]
    newest = [history.current.policy for history in histories]
    older = [each.policy for history in histories for each in reversed(history.versions[:-1])]
    return (*newest, *older)


def _find_history(name: str) -> object:
    """The history shipped as ``umpolicy_policies.<name>_history``, or registered, or None."""
    if name.isidentifier() and not name.startswith("_"):
        module = f"{BUNDLED}.{name}_history"
        try:
            return import_module(module).HISTORY
        except ModuleNotFoundError as exc:
            if exc.name not in (BUNDLED, module):
                raise
    for ep in entry_points(group=HISTORIES, name=name):
        return ep.load()
    return None


def version_at(spec: str) -> InForce:
    """The version a spec names, with the dates it is in force (an :class:`InForce`).

    ``NAME@2024-06-01`` is the version of the policy NAME in force on 1 June
    2024; ``NAME`` alone, the registered (newest) one.

    A malformed spec raises :class:`ValueError`; an unknown policy, or a date no version
    is in force on, :class:`~umpolicy.errors.UnknownPolicyError` saying what exists.
    """
    name, on = parse_spec(spec)
    history = load_history(name)
    if on is None:
        found = history.of(load_policy(name))
        assert found is not None  # load_history holds the registered version
        return found
    return history.at(on)


def policy_at(spec: str) -> Policy:
    """The policy version a spec names (see :func:`version_at`): ``NAME@2024-06-01``."""
    return version_at(spec).policy


def history_of(policy: Policy) -> PolicyHistory:
    """The registered history this very version belongs to; else its own, of one version.

    A policy built in a test or an application (not registered, or another version of a
    registered name) is in force from its effective date on.
    """
    try:
        history = load_history(policy.name)
    except UnknownPolicyError:
        return PolicyHistory.single(policy)
    return history if history.of(policy) is not None else PolicyHistory.single(policy)


def policy_by_hash(name: str, content_hash: str) -> Policy:
    """The version of ``name`` whose tree has this content hash (a decision's own version).

    A hash no registered version has (a policy built elsewhere, an older release's)
    gives the registered version: the worksheet then says it is not the one that decided.
    """
    for each in load_history(name):
        if each.policy.content_hash == content_hash:
            return each.policy
    return load_policy(name)
