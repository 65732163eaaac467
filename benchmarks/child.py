"""What one command costs when run as a child process: wall time, CPU time, peak RSS.

Both ``benchmarks/batch.py`` and ``benchmarks/replay.py`` time ``python -m umpolicy ...``
in a fresh process, so that only that process's work is counted (not writing the
corpus, not this script's own imports). :func:`measure` is that measurement, once:
the child is pinned to one core for one job and to every core for more, its output
goes to ``/dev/null``, and its resources come from ``wait4`` (CPU time includes its
own children, a worker pool's; ``ru_maxrss`` is the largest process's peak, not the
sum).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from typing import NamedTuple


class Usage(NamedTuple):
    """What a child process cost: cores it ran on, wall and CPU time, peak RSS, how it ended.

    ``error`` is the last line the child wrote to standard error ("" when none).
    """

    cores: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    status: int
    error: str


class Run(NamedTuple):
    """One run of a command over a file of requests: its size and jobs, and what it cost."""

    requests: int
    jobs: int
    usage: Usage

    @property
    def rate(self) -> float:
        """Requests per second of wall-clock time."""
        return self.requests / self.usage.wall_s

    @property
    def ok(self) -> bool:
        """Whether the command exited 0."""
        return self.usage.status == 0


def rows(runs: Sequence[Run], cpu_places: int) -> list[str]:
    """The runs as a Markdown table, CPU µs per request to ``cpu_places`` decimals."""
    lines = [
        "| requests | --jobs | cores | wall s | requests/s | CPU µs/request | peak RSS MB | exit |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in runs:
        used = r.usage
        exit_text = f"{used.status}" + (f" ({used.error})" if used.status else "")
        lines.append(
            f"| {r.requests:,} | {r.jobs} | {used.cores} | {used.wall_s:.1f} | {r.rate:,.0f} "
            f"| {used.cpu_s / r.requests * 1e6:.{cpu_places}f} | {used.peak_rss_mb:.0f} "
            f"| {exit_text} |"
        )
    return lines


def cores_for(jobs: int) -> set[int]:
    """The cores a run of ``jobs`` processes may use: one for one job, every core for more."""
    every = sorted(os.sched_getaffinity(0))
    return set(every[:1] if jobs == 1 else every)


def measure(command: Sequence[str], jobs: int, env: Mapping[str, str] | None = None) -> Usage:
    """Run ``command`` once in a child process (see :func:`cores_for`); what it cost.

    Its standard output is discarded; its standard error is kept for the last line.
    """
    cores = cores_for(jobs)
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=None if env is None else dict(env),
            preexec_fn=lambda: os.sched_setaffinity(0, cores),
        )
        _, wait_status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(wait_status)
        errors.seek(0)
        error = errors.read().decode(errors="replace").strip()
    return Usage(
        len(cores),
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,  # KiB on Linux
        child.returncode,
        error.splitlines()[-1] if error else "",
    )
