"""Record or check the engine's decisions on a seeded corpus, byte for byte.

Before an optimisation: ``python benchmarks/equivalence.py save /tmp/before.jsonl``;
after it: ``python benchmarks/equivalence.py check /tmp/before.jsonl``. Each line is
the canonical JSON (``api.to_json``) of the decision with and without the trail, and
of the JSON-in path, for one request of the corpus and of ``examples/``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import umpolicy
from benchmarks.corpus import corpus
from umpolicy import api

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def lines(n: int, seed: int) -> Iterator[str]:
    """One line of decisions per request: without trail, with trail, from JSON text."""
    policy = umpolicy.load_policy("proleukin")
    texts = [path.read_text() for path in sorted(EXAMPLES.glob("*/*.json"))]
    texts += [api.to_json(request) for request in corpus(n, seed)]
    for text in texts:
        request = api.parse_request(text)
        plain = api.to_json(umpolicy.decide(policy, request, trail=False))
        full = api.to_json(umpolicy.decide(policy, request, trail=True))
        again = api.to_json(api.evaluate(text))
        yield f"{plain}\t{full}\t{again}\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("save", "check"))
    parser.add_argument("file", type=Path)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.mode == "save":
        with args.file.open("w") as out:
            out.writelines(lines(args.n, args.seed))
        return
    with args.file.open() as before:
        differ = 0
        total = 0
        for total, (old, new) in enumerate(zip(before, lines(args.n, args.seed), strict=True), 1):
            if old != new:
                differ += 1
                if differ == 1:
                    print(f"first difference, line {total}:\n- {old}+ {new}")
    print(f"{differ} of {total} lines differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
