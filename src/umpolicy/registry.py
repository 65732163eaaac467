"""Policies by name: the ones umpolicy ships, and those of every installed package.

Packages register policies under the ``umpolicy.policies`` entry-point group, so an
application loads a policy without knowing where it lives. The policies umpolicy
ships are registered there too, and live in :data:`BUNDLED`, one module per policy,
named as the policy is: those load without scanning the installed packages, since
importing :mod:`importlib.metadata` alone takes about a third of the time budget for
importing umpolicy and loading a policy. A bundled policy wins over a package's
policy of the same name.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from importlib import import_module
from typing import TYPE_CHECKING

from umpolicy.engine.catalog import check
from umpolicy.errors import UnknownPolicyError
from umpolicy.policy import Policy

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

GROUP = "umpolicy.policies"
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
def load_policy(name: str) -> Policy:
    """The installed policy registered as ``name`` (loaded once, checked, then kept).

    A policy that cannot decide as written raises :class:`~umpolicy.errors.PolicyError`.
    """
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
