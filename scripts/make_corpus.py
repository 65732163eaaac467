"""Write the replay corpus: ``examples/proleukin/corpus.jsonl``, seeded and reproducible.

``python scripts/make_corpus.py [--seed 20250205] [--size 3000] [--out PATH]``

The corpus is made-up requests, not patients: each is one of the Proleukin examples
(``examples/proleukin/*.json``, one per indication and outcome) with a new ``id``
(``corpus-00001`` ...) and a request date drawn evenly from 2022-01-01 to 2026-11-30,
so that it spans the version in force before the 2025 revision (to 2025-02-04) and the
one after. Renal cell carcinoma, the criterion the revision changed, is three in five
of the requests; for those the two answers the versions differ on are drawn:

- ``renal_cell_carcinoma_metastatic`` (the current 2.B): true, false or unanswered, each a third;
- ``clear_cell_histology`` (the earlier 2.C, a question only the earlier version asks):
  true for half, false for a sixth, unanswered for a third, and answered only on
  requests dated before 2025-02-05, when the version in force asked it.

The other requests are the other examples, drawn evenly. The same seed writes the same
bytes (compact JSON, one request a line); ``tests/test_replay_corpus.py`` checks the
shipped file is this script's output. ``umpolicy replay`` and the docs' replay page read it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from umpolicy_policies.proleukin import RCC_METASTATIC

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "proleukin"
CORPUS = EXAMPLES / "corpus.jsonl"
SEED = 20250205
SIZE = 3000
FIRST, LAST = dt.date(2022, 1, 1), dt.date(2026, 11, 30)
#: The first request date the current (2025-02-05) version decides.
REVISED = dt.date(2025, 2, 5)


def templates() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The renal cell carcinoma examples, and all the others, each as parsed JSON."""
    rcc: list[dict[str, Any]] = []
    other: list[dict[str, Any]] = []
    for path in sorted(EXAMPLES.glob("*.json")):
        (rcc if path.name.startswith("rcc-") else other).append(json.loads(path.read_text()))
    return rcc, other


def requests(seed: int = SEED, size: int = SIZE) -> Iterator[dict[str, Any]]:
    """The corpus's requests, in order: the same for the same seed and size."""
    draw = random.Random(seed)
    rcc, other = templates()
    days = (LAST - FIRST).days
    for number in range(1, size + 1):
        kidney = draw.randrange(5) < 3
        request = json.loads(json.dumps(draw.choice(rcc if kidney else other)))
        request["id"] = f"corpus-{number:05d}"
        date = FIRST + dt.timedelta(days=draw.randrange(days + 1))
        request["date"] = date.isoformat()
        if kidney:
            answers: dict[str, Any] = {}
            metastatic = draw.choice((True, False, None))
            if metastatic is not None:
                answers[RCC_METASTATIC.id] = metastatic
            histology = draw.choice((True, True, True, False, None, None))
            if histology is not None and date < REVISED:
                answers["clear_cell_histology"] = histology
            request["answers"] = {"proleukin": answers}
        yield request


def lines(seed: int = SEED, size: int = SIZE) -> str:
    """The corpus as JSON Lines text."""
    return "".join(
        json.dumps(request, ensure_ascii=False, separators=(",", ":")) + "\n"
        for request in requests(seed, size)
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Write the corpus (the command line's entry point)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--size", type=int, default=SIZE, help=f"requests ({SIZE})")
    parser.add_argument("--out", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    text = lines(args.seed, args.size)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.size:,} requests ({len(text.encode()):,} bytes) to {args.out}")


if __name__ == "__main__":
    main()
