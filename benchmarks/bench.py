"""How fast umpolicy decides where users feel it, beside the shared peers (issue 9, section 4).

``nox -s bench`` (or ``python benchmarks/bench.py [-n N] [--rounds R]``) maps the shared
neutral corpus (``../shared/bench/gen_requests.py``, fixed seed) to umpolicy's request
JSON once, untimed (see :mod:`benchmarks.corpus`), checks that umpolicy decides every
request, then, in this one process, times every mode in each of ``R`` interleaved rounds
(each round starts at a different mode) and reports the median over rounds of each
per-round ratio:

- JSON text → decision JSON with the full trail: ``api.to_json(api.evaluate(text))``,
  against zen-engine JSON text → response JSON with its trace (``peers.zen(trace=True,
  json_text=True)``);
- the same without the trail (``trail=False``), against zen without its trace;
- in memory, a parsed :class:`~umpolicy.Request` → :class:`~umpolicy.Decision` with the
  trail, and the decision only, against the floor (``peers.floor()``, the plain if/else
  function on the neutral dicts);
- ``import umpolicy`` + ``load_policy("proleukin")`` in fresh interpreters (median of 11);
- and the mean size of a decision's JSON with its trail over the corpus.

Times are CPU time of this process (``time.process_time``), each pass over the whole
corpus, results dropped as they come, after a full untimed warm-up pass. ``--profile K``
instead profiles the with-trail JSON path on ``K`` requests with cProfile. These are
figures, not a test: the targets are printed with PASS or MISS.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib.metadata
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import (
    SEED,
    SHARED,
    TODAY,
    checkout_env,
    checkout_paths,
    corpus,
    shared,
)

checkout_paths()

import umpolicy  # noqa: E402
from umpolicy import api  # noqa: E402

POLICY = "proleukin"
IMPORT_TARGET_MS = 100.0
_IMPORT_PROBE = (
    "import time; t = time.perf_counter(); import umpolicy; "
    f"umpolicy.load_policy({POLICY!r}); print((time.perf_counter() - t) * 1000)"
)


class Target(NamedTuple):
    """One row of the issue's table: a mode timed against a peer, and the ratio allowed."""

    mode: str
    peer: str
    limit: float
    wording: str


TARGETS = (
    Target("json_trail", "zen_trace", 0.5, "JSON text → decision JSON with the full trail"),
    Target("json_plain", "zen_plain", 1.0, "JSON text → decision JSON without the trail"),
    Target("memory_trail", "floor", 8.0, "in memory, parsed request → decision with the trail"),
    Target("memory_plain", "floor", 4.0, "in memory, parsed request → decision only"),
)
PEERS = {
    "zen_trace": "zen-engine JSON text → response JSON with its trace",
    "zen_plain": "zen-engine JSON text → response JSON",
    "floor": "the floor (plain if/else function)",
}


def _load() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def import_ms(runs: int = 11) -> float:
    """Median milliseconds to import umpolicy and load the policy, in fresh interpreters."""
    env = checkout_env()
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _IMPORT_PROBE],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        times.append(float(out.stdout))
    return statistics.median(times)


def cpu_us(run: Callable[[], object], count: int) -> float:
    """CPU microseconds per item of one full pass of ``run``."""
    gc.collect()
    start = time.process_time()
    run()
    return (time.process_time() - start) / count * 1e6


def modes(
    texts: Sequence[str],
    neutral: Sequence[Any],
    neutral_texts: Sequence[str],
    requests: Sequence[umpolicy.Request],
    folder: Path,
) -> dict[str, Callable[[], None]]:
    """Every timed mode: one pass over the corpus each, dropping each result."""
    peers = shared("peers", folder)
    hand: Callable[[Any], object] = peers.floor()
    zen_trace: Callable[[str], str] = peers.zen(trace=True, json_text=True)
    zen_plain: Callable[[str], str] = peers.zen(trace=False, json_text=True)
    policy = umpolicy.load_policy(POLICY)
    evaluate, to_json, decide = api.evaluate, api.to_json, umpolicy.decide

    def floor() -> None:
        for r in neutral:
            hand(r)

    def zen(peer: Callable[[str], str]) -> Callable[[], None]:
        def run() -> None:
            for text in neutral_texts:
                peer(text)

        return run

    def json_in_out(trail: bool) -> Callable[[], None]:
        def run() -> None:
            for text in texts:
                to_json(evaluate(text, trail=trail, today=TODAY))

        return run

    def in_memory(trail: bool) -> Callable[[], None]:
        def run() -> None:
            for request in requests:
                decide(policy, request, trail=trail)

        return run

    return {
        "floor": floor,
        "zen_trace": zen(zen_trace),
        "zen_plain": zen(zen_plain),
        "json_trail": json_in_out(True),
        "json_plain": json_in_out(False),
        "memory_trail": in_memory(True),
        "memory_plain": in_memory(False),
    }


def rounds_us(
    runs: dict[str, Callable[[], None]], count: int, rounds: int
) -> list[dict[str, float]]:
    """µs per request of every mode, per round; round ``k`` starts at the ``k``-th mode."""
    names = list(runs)
    out = []
    for k in range(rounds):
        order = names[k % len(names) :] + names[: k % len(names)]
        out.append({name: cpu_us(runs[name], count) for name in order})
        print(f"  round {k + 1}/{rounds} done (load {_load()})", file=sys.stderr)
    return out


def table(per_round: list[dict[str, float]], startup: float, mean_bytes: float) -> str:
    """The issue's table in Markdown: target, measured (median of per-round ratios), verdict."""
    lines = [
        "| mode | target | measured (median; rounds min–max) | µs/request umpolicy / peer | |",
        "|---|---|---|---|---|",
    ]
    for t in TARGETS:
        ratios = [r[t.mode] / r[t.peer] for r in per_round]
        ratio = statistics.median(ratios)
        mine = statistics.median(r[t.mode] for r in per_round)
        theirs = statistics.median(r[t.peer] for r in per_round)
        lines.append(
            f"| {t.wording} | ≤ {t.limit:g}× {PEERS[t.peer]} | **{ratio:.2f}×** "
            f"({min(ratios):.2f}–{max(ratios):.2f}) | {mine:.1f} / {theirs:.1f} | "
            f"{'PASS' if ratio <= t.limit else 'MISS'} |"
        )
    verdict = "PASS" if startup <= IMPORT_TARGET_MS else "MISS"
    lines.append(
        f"| `import umpolicy` + load a policy (fresh interpreter, median of 11) "
        f"| ≤ {IMPORT_TARGET_MS:g} ms | **{startup:.1f} ms** | | {verdict} |"
    )
    lines.append(
        f"| mean decision JSON with its trail | (was about 24 KB) | **{mean_bytes:,.0f} B** | | |"
    )
    return "\n".join(lines)


def profile(texts: Sequence[str], top: int = 30) -> None:
    """Profile (cProfile) the with-trail JSON path, by own time and by cumulative time."""
    evaluate, to_json = api.evaluate, api.to_json
    for text in texts[:200]:
        to_json(evaluate(text, trail=True, today=TODAY))
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for text in texts:
        to_json(evaluate(text, trail=True, today=TODAY))
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs()
    for key in ("tottime", "cumulative"):
        print(f"\n## {len(texts)} requests, JSON text → decision JSON with trail, by {key}")
        stats.sort_stats(key).print_stats(top)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=100_000, help="generated requests (100,000)")
    parser.add_argument("--seed", type=int, default=SEED, help="the generator's seed")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (at least 5)")
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared bench folder")
    parser.add_argument("--profile", type=int, metavar="K", help="only profile K requests")
    args = parser.parse_args(argv)
    if args.rounds < 5:
        parser.error("--rounds must be at least 5")

    started = time.perf_counter()
    load_before = _load()
    data = corpus(args.n, args.seed, args.shared)
    if args.profile:
        profile(data.texts[: args.profile])
        return

    # The untimed warm-up pass: parse, decide with the trail, measure, check every request.
    policy = umpolicy.load_policy(POLICY)
    hand = shared("peers", args.shared).floor()
    requests, sizes, outcomes, agree = [], 0, Counter[str](), 0
    for text, neutral in zip(data.texts, data.neutral, strict=True):
        request = api.parse_request(text)
        decision = api.evaluate(text, trail=True, today=TODAY)
        sizes += len(api.to_json(decision).encode())
        umpolicy.decide(policy, request, trail=False)
        requests.append(request)
        outcomes[decision.outcome.value] += 1
        agree += decision.outcome.value == hand(neutral)
    count = len(requests)
    mix = ", ".join(f"{name} {n / count:.1%}" for name, n in sorted(outcomes.items()))
    print(
        f"corpus: {count} requests from gen_requests.py -n {args.n} --seed {args.seed} "
        f"({data.dropped} without a request date and {data.refused} refused as input "
        f"errors left out); {mix}; "
        f"the floor gives the same outcome on {agree / count:.1%}"
    )
    runs = modes(data.texts, data.neutral, data.neutral_texts, requests, args.shared)
    for run in runs.values():  # the peers' own warm-up
        run()
    gc.collect()
    gc.freeze()  # the corpus is long-lived data: keep the collector from walking it

    per_round = rounds_us(runs, count, args.rounds)
    startup = import_ms()
    load_after = _load()

    print()
    print(table(per_round, startup, sizes / count))
    print()
    print(
        f"{count} requests, {args.rounds} interleaved rounds, CPU time; load average "
        f"(1/5/15 min) {load_before} before, {load_after} after, {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}, umpolicy {umpolicy.__version__}, "
        f"zen-engine {importlib.metadata.version('zen-engine')}; "
        f"{time.perf_counter() - started:.0f} s in all"
    )


if __name__ == "__main__":
    main()
