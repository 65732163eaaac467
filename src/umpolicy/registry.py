"""Policies by name, from every installed package.

Packages register policies under the ``umpolicy.policies`` entry-point group, so an
application loads a policy without knowing where it lives.
"""

from __future__ import annotations

import functools
from importlib.metadata import entry_points

from umpolicy.errors import UnknownPolicyError
from umpolicy.policy import Policy

GROUP = "umpolicy.policies"


def policy_names() -> tuple[str, ...]:
    """The names of every installed policy, sorted."""
    return tuple(sorted({ep.name for ep in entry_points(group=GROUP)}))


@functools.cache
def load_policy(name: str) -> Policy:
    """The installed policy registered as ``name`` (loaded once, then kept)."""
    for ep in entry_points(group=GROUP, name=name):
        policy = ep.load()
        if not isinstance(policy, Policy):
            raise UnknownPolicyError(f"entry point {ep.value} is not a Policy")
        return policy
    known = ", ".join(policy_names()) or "none"
    raise UnknownPolicyError(f"no policy named {name!r} is installed (installed: {known})")
