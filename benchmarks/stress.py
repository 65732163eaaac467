"""Hostile input under a meter: the worst CPU time and memory of one request, per family.

``python benchmarks/stress.py [-n 200] [--seed 10]`` draws ``-n`` requests of each hostile
family of :mod:`tests.hostile_strategies` (valid examples of both policies, perturbed:
duplicate keys, numbers past their limits, every Unicode category, other JSON types,
oversize lists, objects and text, truncation, bytes that are not UTF-8, other encodings),
then gives each to ``umpolicy.api.evaluate`` and prints a markdown table per family:

- the worst and the median CPU time of one request (``time.process_time``, a pass of
  its own, without tracing);
- the largest peak of Python memory one request allocates (``tracemalloc``, reset before
  each request), over what was held before it;
- how far the process's peak RSS (``resource.getrusage(...).ru_maxrss``) rose across
  the family's requests, and the most it rose for one request;
- the largest input, and how many requests were refused, decided, approved, or raised
  anything else (which should never happen: those are listed after the table).

Figures, not a test: the issue's bound is that no request costs seconds or gigabytes
(before the fix one dose took 17.8 s and 3.9 GB).
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from tests.hostile_strategies import FAMILIES, Hostile

from umpolicy import InputError, Outcome
from umpolicy.api import evaluate


class Row(NamedTuple):
    """One family's figures."""

    family: str
    requests: int
    worst_ms: float
    median_ms: float
    peak_kib: float
    rss_kib: int
    rss_one_kib: int
    largest: int
    refused: int
    decided: int
    approved: int
    unclean: list[str]


def draw(strategy: st.SearchStrategy[Hostile], count: int, start: int) -> list[Hostile]:
    """``count`` requests of a family, seeded: the same inputs on every run."""
    found: list[Hostile] = []

    @seed(start)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(hostile: Hostile) -> None:
        found.append(hostile)

    collect()
    return found[:count]


def once(hostile: Hostile) -> str:
    """Evaluate one request: ``refused``, ``approved``, ``decided``, or what it raised."""
    try:
        decision = evaluate(hostile.text)
    except InputError:
        return "refused"
    except Exception as error:  # the figures go on; the table lists it
        return f"{type(error).__name__}: {str(error)[:80]}"
    return "approved" if decision.outcome is Outcome.APPROVE else "decided"


def measure(family: str, inputs: Sequence[Hostile]) -> Row:
    """Time every input, then trace its memory and the process's peak RSS."""
    times = []
    verdicts = []
    for hostile in inputs:
        started = time.process_time()
        verdicts.append(once(hostile))
        times.append(time.process_time() - started)
    gc.collect()
    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_one = 0
    peak = 0
    tracemalloc.start()
    for hostile in inputs:
        held, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        once(hostile)
        rss_one = max(rss_one, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
        peak = max(peak, tracemalloc.get_traced_memory()[1] - held)
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_start
    unclean = [
        f"{v} ← {h!r}" for v, h in zip(verdicts, inputs, strict=True) if " " in v or ":" in v
    ]
    return Row(
        family,
        len(inputs),
        max(times) * 1e3,
        statistics.median(times) * 1e3,
        peak / 1024,
        rss,
        rss_one,
        max(len(h.text) for h in inputs),
        verdicts.count("refused"),
        verdicts.count("decided"),
        verdicts.count("approved"),
        unclean,
    )


def table(rows: Sequence[Row]) -> str:
    """The rows as a markdown table."""
    lines = [
        "| family | requests | worst CPU ms | median CPU ms | peak traced KiB | "
        "peak RSS rise KiB (family / one request) | largest input | refused / decided / "
        "approved / unclean |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.family} | {r.requests} | {r.worst_ms:.2f} | {r.median_ms:.2f} | "
            f"{r.peak_kib:,.0f} | {r.rss_kib:,} / {r.rss_one_kib:,} | {r.largest:,} | "
            f"{r.refused} / {r.decided} / {r.approved} / {len(r.unclean)} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Draw, measure and print; exit 1 if any request raised anything but an input error."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", "--requests", type=int, default=200, help="requests per family")
    parser.add_argument("--seed", type=int, default=10, help="the draws' seed")
    args = parser.parse_args(argv)
    rows = []
    for number, (family, strategy) in enumerate(FAMILIES.items()):
        rows.append(measure(family, draw(strategy, args.requests, args.seed + number)))
    print(table(rows))
    print("\nRSS is a high-water mark (KiB on Linux): a rise is memory no earlier request took.")
    unclean = [line for row in rows for line in row.unclean]
    for line in unclean:
        print(f"- {line[:400]}")
    return 1 if unclean else 0


if __name__ == "__main__":
    sys.exit(main())
