"""The same replay on a Dask cluster: ``umpolicy replay --dask SCHEDULER_ADDRESS``.

For a plan's full history, which outgrows one machine. This process reads the lines
and sends them in chunks, a bounded number in flight, to the cluster's workers, which
decide each chunk with :func:`umpolicy.replay.tally` (the very function the local
replay runs) and send back its tally; the tallies merge here. The two versions are
sent to every worker once. The workers need umpolicy and the policy packages
installed, as the scheduler's own environment does.

Needs the optional extra: ``pip install 'umpolicy[dask]'`` (``dask[distributed]``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING

from umpolicy.history import one_policy
from umpolicy.policy import Policy
from umpolicy.replay import CHUNK, SAMPLE, Impact, Tally, chunks, impact, tally

if TYPE_CHECKING:
    from distributed import Client

#: Chunks in flight per worker thread.
IN_FLIGHT = 2


def replay_dask(
    lines: Iterable[bytes],
    old: Policy,
    new: Policy,
    client: Client | str,
    *,
    sample: int = SAMPLE,
    advance: Callable[[int], None] | None = None,
    chunk: int = CHUNK,
) -> Impact:
    """Replay on the cluster behind ``client`` (a client, or its scheduler's address).

    The result equals :func:`umpolicy.replay.replay`'s on the same lines: the tallies
    of the chunks merge to the same counts and samples in any order; versions of two
    different policies are refused as it refuses them, before connecting.
    """
    one_policy(old, new, "replay")
    from distributed import Client, as_completed

    own = isinstance(client, str)
    connected = Client(client) if isinstance(client, str) else client
    try:
        versions = connected.scatter([old, new], broadcast=True, hash=False)
        threads = sum(connected.nthreads().values()) or 1
        found = Tally(sample)
        sizes: dict[Hashable, int] = {}
        running = as_completed()
        for start, part in chunks(lines, chunk):
            future = connected.submit(tally, start, part, *versions, sample, pure=False)
            sizes[future.key] = len(part)
            running.add(future)
            if running.count() >= IN_FLIGHT * threads:
                _merge(next(running), found, sizes, advance)
        for future in running:
            _merge(future, found, sizes, advance)
    finally:
        if own:
            connected.close()
    return impact(found, old, new)


def _merge(
    future: object, found: Tally, sizes: dict[Hashable, int], advance: Callable[[int], None] | None
) -> None:
    """Merge one finished chunk's tally and report its lines."""
    from distributed import Future

    assert isinstance(future, Future)
    found.merge(future.result())
    count = sizes.pop(future.key)
    future.release()
    if advance:
        advance(count)


__all__ = ["CHUNK", "replay_dask"]
