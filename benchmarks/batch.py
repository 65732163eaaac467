"""How fast ``umpolicy batch`` decides a JSON Lines file, and how its memory grows with it.

``python benchmarks/batch.py [--sizes 100000 1000000] [--jobs 1 2]`` writes the shared
corpus (see :mod:`benchmarks.corpus`) once to temporary JSON Lines files of each size
(the smaller the start of the larger), then runs ``python -m umpolicy batch FILE --trail``
on each, in a fresh process, its output to ``/dev/null``, and reports wall-clock
requests per second, CPU time per request and peak RSS (``ru_maxrss`` from ``wait4``,
which for several worker processes is the largest one's). ``--jobs 1`` is pinned to one
core; ``--jobs N`` gets every core. The CLI's flags are read from its ``--help``: a
flag it lacks (``--jobs``, ``--quiet``) is left out, and its rows are skipped.

Targets (issue 9): at least 15,000 requests/s with the trail on one core; peak RSS at
1,000,000 requests at most 1.25 times that at 100,000; ``--jobs`` scales with cores.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.child import Run, measure, rows
from benchmarks.corpus import SEED, SHARED, TODAY, checkout_env, write_jsonl

RATE_TARGET = 15_000.0
RSS_GROWTH_TARGET = 1.25


def cli_flags(env: dict[str, str]) -> str:
    """The help text of ``umpolicy batch``, to see which flags this version has."""
    out = subprocess.run(
        [sys.executable, "-m", "umpolicy", "batch", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if out.returncode:
        sys.exit(f"`umpolicy batch --help` failed:\n{out.stderr}")
    return out.stdout


def run(path: Path, requests: int, jobs: int, flags: str, env: dict[str, str]) -> Run:
    """Run ``umpolicy batch`` once on ``path``; only that child's resources are counted."""
    command = [sys.executable, "-m", "umpolicy", "batch", str(path), "--trail"]
    if "--quiet" in flags:
        command.append("--quiet")
    if "--jobs" in flags:
        command += ["--jobs", str(jobs)]
    if "--today" in flags:
        command += ["--today", TODAY.isoformat()]
    return Run(requests, jobs, measure(command, jobs, env))


def table(runs: Sequence[Run]) -> str:
    """The runs, and the targets they meet, in Markdown."""
    lines = rows(runs, cpu_places=1)
    single = sorted((r for r in runs if r.jobs == 1 and r.ok), key=lambda r: r.requests)
    lines.append("")
    if single:
        big = single[-1]
        verdict = "PASS" if big.rate >= RATE_TARGET else "MISS"
        lines.append(
            f"- one core, {big.requests:,} requests with the trail: {big.rate:,.0f} requests/s "
            f"(target ≥ {RATE_TARGET:,.0f}): {verdict}"
        )
    if len(single) > 1:
        small, big = single[0], single[-1]
        growth = big.usage.peak_rss_mb / small.usage.peak_rss_mb
        verdict = "PASS" if growth <= RSS_GROWTH_TARGET else "MISS"
        lines.append(
            f"- peak RSS at {big.requests:,} is {growth:.2f}× that at {small.requests:,} "
            f"(target ≤ {RSS_GROWTH_TARGET:g}×): {verdict}"
        )
    largest = max((r.requests for r in runs), default=0)
    by_jobs = {r.jobs: r for r in runs if r.requests == largest and r.ok}
    if 1 in by_jobs:
        for jobs, r in sorted(by_jobs.items()):
            if jobs > 1:
                lines.append(
                    f"- --jobs {jobs} on {r.usage.cores} cores: "
                    f"{r.rate / by_jobs[1].rate:.2f}× the "
                    f"requests/s of --jobs 1 at {largest:,} requests"
                )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=SEED, help="the generator's seed")
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared bench folder")
    args = parser.parse_args(argv)

    env = checkout_env()
    flags = cli_flags(env)
    jobs = args.jobs if "--jobs" in flags else [1]
    if jobs != args.jobs:
        print("this `umpolicy batch` has no --jobs: running one process only", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="umpolicy-batch-") as folder:
        paths = {n: Path(folder) / f"requests-{n}.jsonl" for n in sorted(set(args.sizes))}
        started = time.perf_counter()
        write_jsonl(paths, args.seed, args.shared)
        print(f"wrote {len(paths)} corpus files in {time.perf_counter() - started:.0f} s")
        load_before = " / ".join(f"{v:.2f}" for v in os.getloadavg())
        runs = []
        for n, path in paths.items():
            for j in jobs:
                runs.append(run(path, n, j, flags, env))
                wall = runs[-1].usage.wall_s
                print(f"  {n:,} requests, --jobs {j}: {wall:.1f} s", file=sys.stderr)
        load_after = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    print()
    print(table(runs))
    print(
        f"\nload average (1/5/15 min) {load_before} before, {load_after} after; "
        f"{os.cpu_count()} CPUs; output to /dev/null"
    )


if __name__ == "__main__":
    main()
