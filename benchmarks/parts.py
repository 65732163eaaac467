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
  facts), by the walks ``decide`` keeps for the policy;
- ``fingerprint``: :func:`umpolicy.engine.decision.fingerprint`, the request's
  canonical JSON hashed;
- ``decide``, in memory, and the whole path, JSON text in and out, without and with
  the trail: the bench's own modes;
- ``to_json``: the decision as JSON text, without and with the trail.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import SEED, SHARED, checkout_paths, corpus

checkout_paths()

import orjson  # noqa: E402

import umpolicy  # noqa: E402
from benchmarks.bench import PEERS, POLICY, TARGETS, cpu_us, modes  # noqa: E402
from umpolicy import api  # noqa: E402
from umpolicy.engine.book import FactBook  # noqa: E402
from umpolicy.engine.catalog import readers  # noqa: E402
from umpolicy.engine.decision import _walks, fingerprint  # noqa: E402
from umpolicy.engine.trail import Step  # noqa: E402
from umpolicy.io.converter import loads  # noqa: E402
from umpolicy.io.validation import admit, request_from  # noqa: E402


def stages(
    texts: Sequence[str],
    neutral: Sequence[Any],
    neutral_texts: Sequence[str],
    folder: Path,
) -> dict[str, Callable[[], object]]:
    """Each stage as one pass over the corpus, its inputs made beforehand (untimed).

    ``neutral`` and ``neutral_texts`` are the same requests in the peers' format. The
    peers, the whole paths and ``decide`` are :func:`benchmarks.bench.modes`' own runs.
    """
    policy = umpolicy.load_policy(POLICY)
    data = [loads(text) for text in texts]
    requests = [request_from(each) for each in data]
    answers = [admit(policy, request) for request in requests]
    plain = [umpolicy.decide(policy, r, trail=False) for r in requests]
    full = [umpolicy.decide(policy, r, trail=True) for r in requests]
    known, walks = readers(policy), tuple(_walks(policy).values())  # decide()'s own walks
    runs = modes(texts, neutral, neutral_texts, requests, folder)
    words = {t.mode: t.wording for t in TARGETS}

    def walk() -> None:
        for request, given in zip(requests, answers, strict=True):
            book, steps = FactBook(known, request, given), dict[str, Step]()
            for each in walks:
                each(book, steps)

    return {
        PEERS["floor"]: runs["floor"],
        PEERS["zen_plain"]: runs["zen_plain"],
        PEERS["zen_trace"]: runs["zen_trace"],
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
        "fingerprint": lambda: [fingerprint(request) for request in requests],
        words["memory_plain"]: runs["memory_plain"],
        words["memory_trail"]: runs["memory_trail"],
        "to_json, no trail": lambda: [api.to_json(each) for each in plain],
        "to_json, with the trail": lambda: [api.to_json(each) for each in full],
        words["json_plain"]: runs["json_plain"],
        words["json_trail"]: runs["json_trail"],
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
        best = min(cpu_us(run, count) for _ in range(args.repeat))
        print(f"| {name} | {best:.1f} |")


if __name__ == "__main__":
    main()
