"""How fast the engine decides, against a plain hand-written function of the same rules.

``nox -s bench`` (or ``python benchmarks/bench.py [--n N] [--seed S]``) generates a
seeded corpus of requests (not timed), checks that the hand-written function in
``handwritten.py`` decides every one of them as the engine does (aborting otherwise:
a wrong floor is worthless), then times, per request:

- ``decide(policy, request, trail=False)`` and ``trail=True``;
- JSON in, JSON out: ``api.evaluate(text)`` then ``api.to_json(decision)``, both ways;
- the hand-written function (the floor);
- in fresh interpreters, ``import umpolicy`` plus ``load_policy("proleukin")``.

The floor and both ``decide`` modes are each the best of three passes (as timeit
takes the least disturbed run), taken in turn so that a slow spell of the machine
falls on all three alike; the JSON modes, which have no target, one pass. The
import time is the median of 11 fresh interpreters.
These are figures, not a test: the targets are printed with PASS or MISS.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import umpolicy
from benchmarks.corpus import corpus
from benchmarks.handwritten import decide_by_hand
from umpolicy import api

#: Targets: engine time as a multiple of the hand-written floor, and import time in ms.
TRAIL_TARGET = 4.0
DECISION_TARGET = 2.0
IMPORT_TARGET_MS = 100.0

_IMPORT_PROBE = (
    "import time; t = time.perf_counter(); import umpolicy; "
    "umpolicy.load_policy('proleukin'); print((time.perf_counter() - t) * 1000)"
)


def _per_eval_us(run: Callable[[], object], count: int) -> float:
    """Microseconds per item of one full pass of ``run``."""
    gc.collect()
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) / count * 1e6


def _interleaved_best_us(
    runs: Sequence[Callable[[], object]], count: int, rounds: int = 3
) -> list[float]:
    """Each run's best pass (µs per item) over ``rounds`` rounds that take them in turn.

    Taking the runs in turn, round after round, spreads a slow spell of a shared
    machine over all of them instead of over whichever ran during it.
    """
    best = [float("inf")] * len(runs)
    for _ in range(rounds):
        for i, run in enumerate(runs):
            best[i] = min(best[i], _per_eval_us(run, count))
    return best


def verify(requests: Sequence[umpolicy.Request], policy: umpolicy.Policy) -> None:
    """Abort unless the hand-written function decides every request as the engine does."""
    outcome = reasons = needed = 0
    first: str | None = None
    for request in requests:
        engine = umpolicy.decide(policy, request, trail=False)
        hand = decide_by_hand(request)
        bad = False
        if engine.outcome.value != hand.outcome:
            outcome += 1
            bad = True
        if tuple(reason.label for reason in engine.reasons) != hand.not_met:
            reasons += 1
            bad = True
        if engine.facts_needed != hand.facts_needed:
            needed += 1
            bad = True
        if bad and first is None:
            first = f"{request.id}: engine {engine.outcome.value}, hand-written {hand}"
    if outcome or reasons or needed:
        sys.exit(
            f"ABORT: the hand-written function disagrees with the engine on {len(requests)} "
            f"requests: {outcome} outcomes, {reasons} reason lists, {needed} facts-needed "
            f"lists differ (first: {first})"
        )
    print(f"verified: the hand-written function agrees on all {len(requests)} requests")


def import_ms(runs: int = 11) -> float:
    """Median milliseconds to import umpolicy and load the policy, in fresh interpreters."""
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _IMPORT_PROBE], capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout))
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100_000, help="requests in the corpus")
    parser.add_argument("--seed", type=int, default=20250205, help="the corpus's random seed")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    policy = umpolicy.load_policy("proleukin")
    requests = corpus(args.n, args.seed)
    texts = [api.to_json(request) for request in requests]
    outcomes: dict[str, int] = {}
    for request in requests:
        name = decide_by_hand(request).outcome
        outcomes[name] = outcomes.get(name, 0) + 1
    mix = ", ".join(f"{name} {count / args.n:.0%}" for name, count in sorted(outcomes.items()))
    print(f"corpus: {args.n} requests, seed {args.seed} ({mix})")
    verify(requests, policy)

    decide = umpolicy.decide
    evaluate, to_json = api.evaluate, api.to_json
    n = len(requests)
    # Warm up every path once on a slice (imports, caches), untimed.
    for request, text in zip(requests[:500], texts[:500], strict=True):
        decide(policy, request, trail=True)
        to_json(evaluate(text, trail=True))
        decide_by_hand(request)

    # Each pass drops every result as it goes, as a service would (keeping 100,000
    # decisions alive would time the garbage collector walking them instead).
    def by_hand() -> None:
        for request in requests:
            decide_by_hand(request)

    def decisions(trail: bool) -> Callable[[], None]:
        def run() -> None:
            for request in requests:
                decide(policy, request, trail=trail)

        return run

    def json_in_out(trail: bool) -> Callable[[], None]:
        def run() -> None:
            for text in texts:
                to_json(evaluate(text, trail=trail))

        return run

    # The floor and the two modes with targets are timed alike and in turn (each its
    # best of three rounds, as timeit takes the least disturbed run); the JSON modes once.
    floor, plain, full = _interleaved_best_us([by_hand, decisions(False), decisions(True)], n)
    json_plain = _per_eval_us(json_in_out(False), n)
    json_full = _per_eval_us(json_in_out(True), n)
    startup = import_ms()

    def row(name: str, us: float, target: float | None = None) -> str:
        ratio = us / floor
        verdict = (
            "" if target is None else f"≤ {target:g}×  {'PASS' if ratio <= target else 'MISS'}"
        )
        return f"{name:<44}{us:>10.1f}{ratio:>9.2f}×  {verdict}"

    print()
    print(f"{'mode (per request)':<44}{'µs/eval':>10}{'vs floor':>10}  target")
    print(row("hand-written function (floor, no trail)", floor))
    print(row("(a) decide(trail=False)", plain, DECISION_TARGET))
    print(row("(b) decide(trail=True)", full, TRAIL_TARGET))
    print(row("(c) evaluate(json) + to_json, trail=False", json_plain))
    print(row("(c) evaluate(json) + to_json, trail=True", json_full))
    verdict = "PASS" if startup <= IMPORT_TARGET_MS else "MISS"
    print(
        f"{'(d) import umpolicy + load_policy (median)':<44}{startup:>8.1f} ms"
        f"{'':>11}≤ {IMPORT_TARGET_MS:g} ms  {verdict}"
    )
    print(f"\n(bench ran {time.perf_counter() - started:.0f} s on {n} requests)")


if __name__ == "__main__":
    main()
