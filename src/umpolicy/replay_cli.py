"""``umpolicy replay``: what a revision would do to a file of requests, on the command line.

``umpolicy replay REQUESTS.jsonl --from NAME@2024-06-01 --to NAME@2025-03-01``
decides every line under both versions (:func:`umpolicy.replay.replay`) on every local
core by default (``--jobs``), or on a Dask cluster (``--dask SCHEDULER_ADDRESS``), with a
progress bar on standard error, and writes the report: a table (``--format text``),
JSON for tools, Markdown (with ``--chart FILE.svg``, the chart written there and linked)
or a self-contained HTML page with the chart inline.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from umpolicy.history import DifferentPoliciesError, one_policy
from umpolicy.io.converter import dumps
from umpolicy.progress import for_lines
from umpolicy.render.replay import (
    NO_CHART,
    chart_or_none,
    impact_html,
    impact_markdown,
    impact_text,
)
from umpolicy.replay import SAMPLE, Impact, replay, resolve, to_data, version_notes

#: The most processes ``--jobs`` starts: four per core. Deciding is CPU-bound, so past
#: a process per core more only cost memory and start-up; a few per core leave room
#: for a machine whose cores are shared, and refuse a typo (``--jobs 100000`` would try
#: to fork that many processes, and do nothing for minutes).
MAX_JOBS = 4 * (os.cpu_count() or 1)
#: What ``--jobs`` takes, in its help.
JOBS_RANGE = f"1 to {MAX_JOBS}: four per core, as deciding is CPU-bound"


def jobs(text: str) -> int:
    """``--jobs``: a whole number of processes from 1 to :data:`MAX_JOBS`."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_JOBS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_JOBS}, got {value}")
    return value


def _count(text: str) -> int:
    """A whole number of at least 0 (``--sample``); else a usage error that says so."""
    try:
        value = int(text)
    except ValueError:  # argparse would name this function: "invalid _count value"
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0, got {value}")
    return value


def add(commands: Any) -> None:
    """Add ``replay`` to the ``umpolicy`` command's subcommands."""
    replay_parser: argparse.ArgumentParser = commands.add_parser(
        "replay", help="decide JSON Lines requests under two versions and report what changes"
    )
    replay_parser.add_argument("requests", help="a .jsonl file, or - for stdin")
    replay_parser.add_argument(
        "--from", dest="old", required=True, metavar="POLICY@DATE", help="the version before"
    )
    replay_parser.add_argument(
        "--to", dest="new", required=True, metavar="POLICY@DATE", help="the version after"
    )
    replay_parser.add_argument(
        "--format", choices=("text", "json", "markdown", "html"), default="text"
    )
    replay_parser.add_argument(
        "--chart", metavar="FILE.svg", help="with --format markdown: write the chart there"
    )
    replay_parser.add_argument(
        "--jobs",
        type=jobs,
        default=os.cpu_count() or 1,
        help=f"local processes deciding in parallel ({JOBS_RANGE}; default: every core)",
    )
    replay_parser.add_argument(
        "--dask", metavar="SCHEDULER_ADDRESS", help="replay on this Dask cluster instead"
    )
    replay_parser.add_argument(
        "--sample", type=_count, default=SAMPLE, help=f"request ids kept per cell ({SAMPLE})"
    )
    replay_parser.add_argument("--quiet", action="store_true", help="no progress bar")
    replay_parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Replay the file and write the report; 2 when a version cannot be found.

    Or when the two are versions of different policies, said with the specs as given.
    """
    old, new = resolve(args.old), resolve(args.new)
    try:
        one_policy(old, new, "replay", named=(args.old, args.new))
    except DifferentPoliciesError as error:
        print(f"umpolicy: {error}", file=sys.stderr)
        return 2
    if args.chart and not Path(args.chart).resolve().parent.is_dir():
        # Said before the replay, not after it has run for an hour.
        print(f"umpolicy: --chart {args.chart}: its folder does not exist", file=sys.stderr)
        return 2
    path = args.requests
    progress = for_lines(path, args.quiet)
    advance: Callable[[int], None] | None = None
    if progress is not None:
        bar = progress

        def advance(count: int) -> None:
            for _ in range(count):
                bar.advance()

    source = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    with source:
        if args.dask:
            try:
                from umpolicy.replay_dask import replay_dask
            except ImportError:
                print("umpolicy: --dask needs: pip install 'umpolicy[dask]'", file=sys.stderr)
                return 2
            result = replay_dask(source, old, new, args.dask, sample=args.sample, advance=advance)
        else:
            result = replay(source, old, new, jobs=args.jobs, sample=args.sample, advance=advance)
    if progress is not None:
        progress.close()
    out.write(_report(result, args))
    return 0


def _report(result: Impact, args: argparse.Namespace) -> str:
    notes = version_notes(resolve(args.old), resolve(args.new))
    if args.format == "json":
        return dumps(to_data(result, notes)) + "\n"
    if args.format == "html":
        return impact_html(result, notes)
    if args.format == "markdown":
        chart = None
        if args.chart:
            svg = chart_or_none(result)
            if svg is None:
                print(f"umpolicy: no chart written. {NO_CHART}", file=sys.stderr)
            else:
                Path(args.chart).write_text(svg, encoding="utf-8")
                chart = args.chart
        return impact_markdown(result, chart, notes)
    text = impact_text(result)
    return "".join(f"note: {note}\n" for note in notes) + text
