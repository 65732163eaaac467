"""How fast ``umpolicy replay`` decides a JSON Lines file under two versions, and its memory.

``python benchmarks/replay.py [--sizes 100000 1000000] [--jobs 1 2]`` writes the shipped
replay corpus (``examples/proleukin/corpus.jsonl``, see ``scripts/make_corpus.py``) over
and over to temporary files of each size, then runs ``python -m umpolicy replay FILE
--from proleukin@2024-06-01 --to proleukin@2025-03-01 --format json --quiet --jobs N``
on each, in a fresh process (``--jobs 1`` pinned to one core, more jobs to every core),
and reports wall-clock requests per second (each request decided under both versions,
and again with the trail when its outcome changes, as the corpus's third do), CPU time
per request and peak RSS (``ru_maxrss`` from ``wait4``: the largest process's).

Figures, not a timed test: they depend on the machine and on what else runs on it
(the load average before and after is printed).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.child import Run, measure, rows

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "examples" / "proleukin" / "corpus.jsonl"
SPECS = ("--from", "proleukin@2024-06-01", "--to", "proleukin@2025-03-01")


def write(path: Path, size: int) -> None:
    """``size`` lines of the corpus, repeated from its start as often as needed."""
    lines = CORPUS.read_bytes().splitlines(keepends=True)
    with path.open("wb") as out:
        whole, rest = divmod(size, len(lines))
        block = b"".join(lines)
        for _ in range(whole):
            out.write(block)
        out.write(b"".join(lines[:rest]))


def run(path: Path, requests: int, jobs: int) -> Run:
    """Run ``umpolicy replay`` once on ``path``; only that child's resources are counted."""
    command = [sys.executable, "-m", "umpolicy", "replay", str(path), *SPECS]
    command += ["--format", "json", "--quiet", "--jobs", str(jobs)]
    return Run(requests, jobs, measure(command, jobs))


def table(runs: Sequence[Run]) -> str:
    """The runs in Markdown."""
    return "\n".join(rows(runs, cpu_places=0))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    load_before = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    runs = []
    with tempfile.TemporaryDirectory(prefix="umpolicy-replay-") as folder:
        for size in sorted(set(args.sizes)):
            path = Path(folder) / f"requests-{size}.jsonl"
            write(path, size)
            for jobs in args.jobs:
                runs.append(run(path, size, jobs))
                wall = runs[-1].usage.wall_s
                print(f"  {size:,} requests, --jobs {jobs}: {wall:.1f} s", file=sys.stderr)
            path.unlink()
    load_after = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    print(table(runs))
    print(
        f"\nload average (1/5/15 min) {load_before} before, {load_after} after; "
        f"{os.cpu_count()} CPUs; report to /dev/null"
    )


if __name__ == "__main__":
    main()
