"""Where a request's time goes on the user's path: each stage of it, timed alone.

``python benchmarks/parts.py [-n N]`` times,
over the mapped shared corpus, each stage that ``api.to_json(api.evaluate(text))``
goes through, beside the peers the issue compares with. It says what a speed target
asks of each stage; :mod:`benchmarks.bench` measures the targets themselves.

Stages, each over the whole corpus, best of ``--repeat`` passes, CPU µs per request:

- ``loads``: the request text to JSON data, every number exact
  (:func:`umpolicy.io.converter.loads`; beside it the standard library's ``json.loads``
  without the duplicate-key check, and orjson, which reads binary floats);
- ``request_from``: JSON data to a checked :class:`~umpolicy.Request`;
- ``admit``: the answers checked against the policy's questions (what ``decide`` does
  first);
- ``walk``: every tree of the policy walked, every fact read (the trail's steps and
  facts, every exclusion checked), by the walks :func:`umpolicy.engine.trail.walker`
  puts together once per policy, as ``decide`` keeps them;
- ``fingerprint``: the request's canonical JSON, hashed;
- ``decide``: the whole decision, without and with the trail;
- ``to_json``: the decision as JSON text, without and with the trail.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import SEED, SHARED, TODAY, checkout_paths, corpus, shared

checkout_paths()

import orjson  # noqa: E402

import umpolicy  # noqa: E402
from umpolicy import api  # noqa: E402
from umpolicy.engine.book import FactBook  # noqa: E402
from umpolicy.engine.catalog import readers  # noqa: E402
from umpolicy.engine.trail import Step, canonical, recurring, walker  # noqa: E402
from umpolicy.io.converter import CONVERTER, dumps, loads  # noqa: E402
from umpolicy.io.validation import admit, request_from  # noqa: E402

POLICY = "proleukin"


def best_us(run: Callable[[], object], count: int, repeat: int) -> float:
    """CPU microseconds per item of the fastest of ``repeat`` passes of ``run``."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best / count * 1e6


def stages(
    texts: Sequence[str],
    neutral: Sequence[Any],
    neutral_texts: Sequence[str],
    folder: Path,
) -> dict[str, Callable[[], object]]:
    """Each stage as one pass over the corpus, its inputs made beforehand (untimed).

    ``neutral`` and ``neutral_texts`` are the same requests in the peers' format.
    """
    policy = umpolicy.load_policy(POLICY)
    data = [loads(text) for text in texts]
    requests = [request_from(each) for each in data]
    answers = [admit(policy, request) for request in requests]
    plain = [umpolicy.decide(policy, r, trail=False) for r in requests]
    full = [umpolicy.decide(policy, r, trail=True) for r in requests]
    known, trees = readers(policy), tuple(policy.trees())
    excluded = tuple(canonical(item.check) for item in policy.exclusions if item.check)
    again = recurring(*trees, *excluded)
    walks = tuple(walker(root, again) for root in trees)  # as decide() keeps them
    peers = shared("peers", folder)

    def walk() -> None:
        for request, given in zip(requests, answers, strict=True):
            book, steps = FactBook(known, request, given), dict[str, Step]()
            for run in walks:
                run(book, steps)
            for check in excluded:
                book.finding(check)

    def fingerprint() -> None:
        for request in requests:
            hashlib.sha256(dumps(CONVERTER.unstructure(request)).encode()).hexdigest()

    def decide(trail: bool) -> Callable[[], None]:
        def run() -> None:
            for request in requests:
                umpolicy.decide(policy, request, trail=trail)

        return run

    def zen(trace: bool) -> Callable[[], None]:
        peer: Callable[[str], str] = peers.zen(trace=trace, json_text=True)

        def run() -> None:
            for text in neutral_texts:
                peer(text)

        return run

    hand: Callable[[Any], object] = peers.floor()
    return {
        "floor (plain if/else function)": lambda: [hand(each) for each in neutral],
        "zen-engine JSON → JSON": zen(False),
        "zen-engine JSON → JSON with its trace": zen(True),
        "loads": lambda: [loads(text) for text in texts],
        "  json.loads, numbers as Decimal, no duplicate-key check": lambda: [
            json.loads(text, parse_float=Decimal) for text in texts
        ],
        "  orjson.loads (binary floats: not usable as it is)": lambda: [
            orjson.loads(text) for text in texts
        ],
        "request_from": lambda: [request_from(each) for each in data],
        "admit": lambda: [admit(policy, request) for request in requests],
        "walk (every tree, every fact)": walk,
        "fingerprint": fingerprint,
        "decide, no trail": decide(False),
        "decide, with the trail": decide(True),
        "to_json, no trail": lambda: [api.to_json(each) for each in plain],
        "to_json, with the trail": lambda: [api.to_json(each) for each in full],
        "whole path, no trail": lambda: [
            api.to_json(api.evaluate(text, trail=False, today=TODAY)) for text in texts
        ],
        "whole path, with the trail": lambda: [
            api.to_json(api.evaluate(text, trail=True, today=TODAY)) for text in texts
        ],
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Time each stage and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=5_000, help="generated requests (5,000)")
    parser.add_argument("--repeat", type=int, default=5, help="passes per stage (best kept)")
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared bench folder")
    args = parser.parse_args(argv)
    data = corpus(args.n, SEED, args.shared)
    runs = stages(data.texts, data.neutral, data.neutral_texts, args.shared)
    count = len(data.texts)
    print(f"{count} requests; CPU µs per request, best of {args.repeat} passes\n")
    print("| stage | µs/request |\n|---|---:|")
    for name, run in runs.items():
        print(f"| {name} | {best_us(run, count, args.repeat):.1f} |")


if __name__ == "__main__":
    main()
