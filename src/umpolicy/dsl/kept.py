"""Values worked out once per immutable object, and kept while the object is.

A policy's checks, quantities and trees are immutable and live as long as the policy:
what is worked out from one of them (its code compiled, its words, its JSON) is the
same every time it is asked. :func:`by_identity` keeps each result by the object's
identity, with the object itself, so no other object can take that identity while the
result is kept; the cache starts anew past :data:`KEPT` entries (:func:`keep`, the rule
of every bounded cache), so memory stays bounded whatever objects callers make.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

A = TypeVar("A")
R = TypeVar("R")
K = TypeVar("K")
V = TypeVar("V")

#: How many results one cache keeps before it starts anew.
KEPT = 4096


def keep(cache: dict[K, V], key: K, value: V, bound: int) -> V:
    """Put ``value`` in ``cache`` at ``key``, and return it; a cache ``bound`` full starts anew.

    The one rule of every bounded cache in umpolicy: memory stays bounded whatever keys
    callers bring, and what is dropped is only worked out again when next asked.
    """
    if len(cache) >= bound:
        cache.clear()
    cache[key] = value
    return value


def by_identity(function: Callable[[A], R]) -> Callable[[A], R]:
    """``function``, worked out once per argument object while it is kept.

    For functions of immutable objects only: equal results for the same object are
    what makes keeping them correct.
    """
    kept: dict[int, tuple[A, R]] = {}

    @functools.wraps(function)
    def once(value: A) -> R:
        entry = kept.get(id(value))
        if entry is None:
            entry = keep(kept, id(value), (value, function(value)), KEPT)
        return entry[1]

    return once
