"""The ``umpolicy`` command: evaluate requests, show a policy tree, list the facts it reads.

Exit status: 0 when a decision was made (whatever the outcome), 2 on invalid input
(each field error on standard error, or as JSON on standard output with ``--format
json``), 1 for anything else that went wrong; as a shell says of a command stopped by a
signal, 130 when interrupted (Ctrl-C) and 141 when the reader of standard output stopped
reading (``umpolicy batch big.jsonl | head -1``), both without a traceback.
"""

from __future__ import annotations

import argparse
import codecs
import datetime as dt
import functools
import io
import itertools
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, TextIO

from umpolicy import __version__, replay_cli
from umpolicy.api import evaluate, parse_request, to_json
from umpolicy.engine.catalog import catalog, with_inputs
from umpolicy.errors import FieldError, InputError, UnknownPolicyError, shown
from umpolicy.io.converter import CONVERTER, MAX_REQUEST_BYTES, dumps, too_large
from umpolicy.io.schema import MODELS, schema_text
from umpolicy.io.validation import check_dates, in_the_future
from umpolicy.progress import for_lines
from umpolicy.registry import (
    every_version,
    load_history,
    load_policy,
    policy_at,
    policy_by_hash,
    policy_names,
)
from umpolicy.render.html import decision_html
from umpolicy.render.text import decision_markdown, decision_text, policy_text

INVALID = 2
#: Ctrl-C: 128 + SIGINT, what a shell reports of a command the signal stopped.
INTERRUPTED = 130
#: The reader of standard output went away (``| head -1``): 128 + SIGPIPE, as for ``cat``.
READER_GONE = 141


def _read(path: str) -> bytes:
    """The file's bytes (or standard input's): decoding is the JSON reader's job, per request.

    Read no further than a request may be long: ``/dev/zero``, or a multi-GB file named by
    mistake, is refused at the limit, not read into memory first.
    """
    if path == "-":
        raw = sys.stdin.buffer.read(MAX_REQUEST_BYTES + 1)
    else:
        with Path(path).open("rb") as file:
            raw = file.read(MAX_REQUEST_BYTES + 1)
    if len(raw) > MAX_REQUEST_BYTES:
        raise InputError([too_large(f"more than {MAX_REQUEST_BYTES}")])
    return raw


def _evaluate(args: argparse.Namespace, out: TextIO) -> int:
    as_of = _checked(args)
    raw = _read(args.request)
    request = parse_request(raw)
    decision = evaluate(
        request, args.policy, trail=not args.no_trail, today=args.today, as_of=as_of
    )
    if args.format == "json":
        out.write(to_json(decision) + "\n")
        return 0
    policy = policy_by_hash(decision.policy.name, decision.policy.content_hash)
    if args.format == "html":  # the packet shows the request as received (valid UTF-8 by now)
        out.write(decision_html(decision, policy, raw.decode("utf-8-sig")))
        return 0
    render = decision_markdown if args.format == "markdown" else decision_text
    out.write(render(decision, policy))
    return 0


#: ``--policy``, ``--trail``, ``--today``, ``--as-of``: how every line of a batch is decided.
Options = tuple[str | None, bool, dt.date | None, dt.date | None]
#: A run of a batch's lines for a worker of ``--jobs``: its first line's number, its lines.
Chunk = tuple[int, list[bytes]]
#: How many lines a worker of ``--jobs`` is handed at a time: one message each way per
#: chunk, not one per line (pickling each line with the options beside it, and each
#: decision's ~9 KB of text, cost the batch about 50 µs of CPU a line).
CHUNK = 256


def _decide_line(number: int, line: bytes, options: Options) -> str:
    """One line of a batch: its decision's JSON, an error record naming the line, or nothing.

    Nothing a line holds ends the batch: a line that cannot be decided gets a record
    with its number, the request's ``id`` when it has one, and why. The line break that
    ends the line is no part of its request: a position in malformed JSON is on the
    request's one line (``line 1 column 14``), never on a "line 2" that the record's
    number contradicts.
    """
    if not line.strip():
        return ""
    policy, trail, today, as_of = options
    request = line.rstrip(b"\r\n")
    try:
        return to_json(evaluate(request, policy, trail=trail, today=today, as_of=as_of))
    except InputError as error:
        errors = [CONVERTER.unstructure(e) for e in error.errors]
        return dumps({"invalid": {"line": number, "id": _id_of(line), "errors": errors}})
    except Exception as error:  # a bug, never a decision: say so, and go on
        reason = f"internal error: {type(error).__name__}: {shown(str(error))}"
        return dumps({"failed": {"line": number, "id": _id_of(line), "reason": reason}})


def _undecided(text: str) -> bool:
    """Whether a batch's output line is the record of a line that could not be decided."""
    return text.startswith(('{"invalid"', '{"failed"'))


def _decide_chunk(options: Options, chunk: Chunk) -> tuple[bytes, int, int]:
    """A chunk's output (a line per request decided), its lines, and how many were undecided.

    The output is UTF-8 already: the worker encodes it, not the one process that hands
    out the work and writes what comes back (see :func:`_writer`).
    """
    first, lines = chunk
    written = [
        text
        for number, line in enumerate(lines, start=first)
        if (text := _decide_line(number, line, options))
    ]
    output = "".join(f"{text}\n" for text in written).encode()
    return output, len(lines), sum(map(_undecided, written))


def _chunks(lines: Iterator[bytes]) -> Iterator[Chunk]:
    """The lines in runs of :data:`CHUNK`, each with its first line's number."""
    number = 1
    while chunk := list(itertools.islice(lines, CHUNK)):
        yield number, chunk
        number += len(chunk)


def _id_of(line: bytes) -> str | None:
    """The request's ``id``, when the line is a JSON object that gives one as text.

    A line longer than a request may be is not read for it: the size limit is what keeps
    a batch from parsing a hostile or mistaken line (a 2 GB JSON array on one line takes
    ten times that as Python objects); its record names it by its number.
    """
    if len(line.rstrip(b"\r\n")) > MAX_REQUEST_BYTES:
        return None
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return None
    found = data.get("id") if isinstance(data, dict) else None
    if not isinstance(found, str) or len(found) > 256 or not found.isprintable():
        return None  # not text a record can carry (a lone surrogate is not printable)
    return found


def _decided(
    lines: Iterator[bytes], options: Options, jobs: int
) -> Iterator[tuple[bytes, int, int]]:
    """The batch's output, in the lines' order: UTF-8, the lines it is for, how many undecided.

    One process decides line by line, each written as soon as it is decided (a request
    piped in is answered at once). ``--jobs`` workers are handed :data:`CHUNK` lines at a
    time, which keeps what passes between the processes to two messages per chunk.
    """
    if jobs == 1:
        for number, line in enumerate(lines, start=1):
            text = _decide_line(number, line, options)
            yield (f"{text}\n".encode(), 1, _undecided(text)) if text else (b"", 1, 0)
        return
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(jobs, ignore_interrupts) as pool:
        yield from pool.imap(functools.partial(_decide_chunk, options), _chunks(lines))
        pool.close()
        pool.join()


def ignore_interrupts() -> None:
    """A worker process's start: Ctrl-C is for the command, which stops its workers.

    A terminal's Ctrl-C signals every process of the command; a worker that took it
    would print its own traceback, and a pool would start another in its place.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _batch(args: argparse.Namespace, out: TextIO) -> int:
    """Decide a JSON Lines file line by line, streamed: memory stays flat in its length.

    The options are checked before any line is read (:func:`_checked`): every line would
    be decided under them. Requests on standard input are answered as they are decided,
    each flushed: a program that writes a request and waits for its decision gets it
    (standard output to a pipe is otherwise written only once its buffer fills).
    """
    _checked(args)
    path = args.requests
    progress = for_lines(path, args.quiet)
    piped = path == "-"
    source = sys.stdin.buffer if piped else open(path, "rb")  # noqa: SIM115
    options: Options = (args.policy, args.trail, args.today, args.as_of)
    write = _writer(out)
    invalid = decided = 0
    with source:
        for output, lines, undecided in _decided(iter(source), options, args.jobs):
            decided += lines
            invalid += undecided
            write(output)
            if piped:
                out.flush()
            if progress:
                progress.advance(lines)
    if progress:
        progress.close()
    if invalid:
        print(f"umpolicy: {invalid} of {decided} lines could not be decided", file=sys.stderr)
        return INVALID if args.strict else 0
    return 0


def _writer(out: TextIO) -> Callable[[bytes], object]:
    """How a batch writes its UTF-8 output: to the stream's bytes, when it has them.

    JSON text is UTF-8 (RFC 8259), whatever the terminal's encoding; and the text layer
    would decode and encode each decision's ~9 KB again, in the one process that, with
    ``--jobs``, hands out the work (a seventh of the batch's CPU time). A stream of text
    alone (a ``StringIO``) is written the text.
    """
    buffer: BinaryIO | None = getattr(out, "buffer", None)
    if buffer is None:
        return lambda output: out.write(output.decode())
    out.flush()  # what the text layer holds comes first
    return buffer.write


def _show(args: argparse.Namespace, out: TextIO) -> int:
    """The tree of a policy, or of the version of it in force on a date (NAME@YYYY-MM-DD)."""
    try:
        policy = policy_at(args.policy)
    except ValueError as error:  # a malformed spec: the command line's mistake
        print(f"umpolicy: {error}", file=sys.stderr)
        return INVALID
    if args.format == "json":
        out.write(to_json(policy) + "\n")
        return 0
    if policy.provenance is not None:  # said before the words it is about
        out.write(f"RECONSTRUCTED ({', '.join(policy.provenance.labels)}): ")
        out.write(f"{policy.provenance.text}\n\n")
    out.write(policy_text(policy))
    return 0


def _facts(args: argparse.Namespace, out: TextIO) -> int:
    policy = load_policy(args.policy)
    specs = [catalog(policy)[name] for name in with_inputs(policy, policy.facts())]
    if args.format == "json":
        out.write(dumps([CONVERTER.unstructure(spec) for spec in specs]) + "\n")
        return 0
    for spec in specs:
        kind = spec.type + (f" in {', '.join(spec.units)}" if spec.units else "")
        if spec.values:
            kind += f": {', '.join(spec.values)}"
        derived = f" [derived from {', '.join(spec.inputs)}]" if spec.inputs else ""
        out.write(f"{spec.name} ({kind}){derived}\n    {spec.description}\n")
    return 0


def _schema(args: argparse.Namespace, out: TextIO) -> int:
    """The JSON Schema of a request or a decision, the installed policies' answers included."""
    out.write(schema_text(args.model, every_version(policy_names())))
    return 0


def _serve(args: argparse.Namespace, _: TextIO) -> int:
    """Serve decisions over HTTP until stopped (the server stack is imported only here)."""
    try:
        from umpolicy.integrations.service.server import serve
    except ModuleNotFoundError as error:
        if error.name not in ("starlette", "uvicorn"):
            raise
        print(
            f"umpolicy: serve needs the serve extra: pip install 'umpolicy[serve]' ({error})",
            file=sys.stderr,
        )
        return 1
    try:
        serve(args.host, args.port, docs_base=args.docs_base)
    except SystemExit as stop:  # uvicorn's own exit when it cannot start (a port in use)
        if stop.code in (0, None):
            raise
        where = f"{args.host}:{args.port}"
        print(f"umpolicy: cannot serve on {where} (uvicorn says why above)", file=sys.stderr)
        return 1
    return 0


def _diff(args: argparse.Namespace, out: TextIO) -> int:
    """What changed between two versions of a policy, named NAME@YYYY-MM-DD.

    Versions of two different policies are refused (:func:`umpolicy.history.one_policy`).
    """
    from umpolicy.engine.diff import diff_specs
    from umpolicy.render.diff import diff_markdown, diff_text

    try:
        found = diff_specs(args.before, args.after)
    except ValueError as error:  # a malformed spec, or two policies: the command line's mistake
        print(f"umpolicy: {error}", file=sys.stderr)
        return INVALID
    out.write(diff_markdown(found) if args.format == "markdown" else diff_text(found))
    return 0


def _policies(_: argparse.Namespace, out: TextIO) -> int:
    for name in policy_names():
        out.write(f"{name}\n")
    return 0


class _AskedForVersion(Exception):
    """``--version`` was given: :func:`main` prints the versions and exits 0."""


class _Version(argparse.Action):
    """``--version``: what is installed, worked out only when asked (loading takes time)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **_: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the versions and exit")

    def __call__(self, *_: object) -> None:
        raise _AskedForVersion


def versions() -> str:
    """``umpolicy 0.2.0``, then each installed policy's name and version, one a line."""
    lines = [f"umpolicy {__version__}"]
    for name in policy_names():
        try:
            policy = load_policy(name)
        except Exception as error:  # a broken package must not hide the others
            lines.append(f"  {name} (cannot be loaded: {type(error).__name__})")
        else:
            lines.append(f"  {name} {policy.version} (effective {policy.effective})")
    return "\n".join(lines) + "\n"


def _as_json(args: argparse.Namespace) -> bool:
    """Whether input errors go to standard output as JSON: ``evaluate --format json``."""
    return bool(args.command == "evaluate" and args.format == "json")


def _errors_json(errors: Sequence[FieldError]) -> str:
    """``{"errors": [{"path": ..., "reason": ...}]}``, as a batch's invalid records list them."""
    return dumps({"errors": [CONVERTER.unstructure(e) for e in errors]}) + "\n"


#: A request dated more than a day after "today" is refused; a corpus prepared ahead of
#: time (a benchmark, a test file) is judged against the day it was prepared for.
TODAY_HELP = "judge request dates against this day (YYYY-MM-DD) instead of today's (UTC)"


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _port(text: str) -> int:
    """``--port``: a TCP port, 0 to 65535 (0: one the system picks); else a usage error.

    Past the range, the socket library raises ``OverflowError`` as the server starts:
    a traceback, not a word on the option.
    """
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is from 0 to 65535, got {value}")
    return value


def _as_of(args: argparse.Namespace) -> dt.date | None:
    """``--as-of``, when given and not in the future; an :class:`InputError` naming it if it is.

    An as-of date asks what the policy said then (an audit, an appeal): a date to come
    has no "then", and deciding under it would present the version in force today as
    the one in force on a day no one has seen yet. The library judges it
    (:func:`umpolicy.io.validation.in_the_future`, against ``--today`` else UTC's date);
    here it is refused before a batch reads any line, and named as the flag.
    """
    as_of: dt.date | None = args.as_of
    if as_of is None:
        return None
    late = in_the_future("as-of date", as_of, args.today)
    if late is not None:
        raise InputError([FieldError("--as-of", late)])
    return as_of


def _checked(args: argparse.Namespace) -> dt.date | None:
    """``--today``, ``--as-of`` and ``--policy`` checked, before any request is read; ``--as-of``.

    Each applies to every request of a batch, so a bad one is one error naming the
    option (exit status 2), never one per line: a ``--today`` or ``--as-of`` no request
    may be dated (:func:`umpolicy.io.validation.not_dates`: 9999-12-31 is a typo), an
    ``--as-of`` in the future (:func:`_as_of`), a ``--policy`` no installed policy has
    (as the registry says it, with the installed ones; not as a request naming another),
    an ``--as-of`` no version of the ``--policy`` is in force on (saying which are).
    """
    check_dates({"--today": args.today, "--as-of": args.as_of})
    as_of = _as_of(args)
    if args.policy is not None:
        history = load_history(args.policy)  # an UnknownPolicyError, as main() reports it
        if as_of is not None and history.on(as_of) is None:
            reason = f"no version of {args.policy!r} is in force on {as_of} ({history.covered})"
            raise InputError([FieldError("--as-of", reason)])
    return as_of


def _add_as_of(command: argparse.ArgumentParser, whose: str) -> None:
    """``--as-of DATE`` on a command that decides: the version in force then, not ``whose``."""
    command.add_argument(
        "--as-of",
        type=_day,
        metavar="DATE",
        help=f"decide under the policy version in force on DATE (YYYY-MM-DD), not {whose}; "
        "at most a day past today (--today)",
    )


def parser() -> argparse.ArgumentParser:
    """The command-line grammar."""
    main = argparse.ArgumentParser(prog="umpolicy", description=__doc__.splitlines()[0])
    main.add_argument("--version", action=_Version)
    commands = main.add_subparsers(dest="command", required=True)

    one = commands.add_parser("evaluate", help="decide one request (JSON file, or - for stdin)")
    one.add_argument("request")
    one.add_argument("--policy", help="policy name, when the request does not name one")
    one.add_argument(
        "--format",
        choices=("text", "markdown", "html", "json"),
        default="text",
        help="text or markdown: the worksheet; html: the printable decision packet; json",
    )
    one.add_argument("--no-trail", action="store_true", help="leave the audit trail out")
    one.add_argument("--today", type=_day, help=TODAY_HELP)
    _add_as_of(one, "the request's date")
    one.set_defaults(run=_evaluate)

    many = commands.add_parser("batch", help="decide JSON Lines requests, one decision per line")
    many.add_argument("requests", help="a .jsonl file, or - for stdin")
    many.add_argument("--policy", help="policy name, for requests that do not name one")
    many.add_argument("--trail", action="store_true", help="include each audit trail")
    many.add_argument("--quiet", action="store_true", help="no progress bar")
    many.add_argument(
        "--jobs",
        type=replay_cli.jobs,
        default=1,
        help=f"processes deciding in parallel ({replay_cli.JOBS_RANGE}; default 1)",
    )
    many.add_argument(
        "--strict", action="store_true", help="exit 2 when any line could not be decided"
    )
    many.add_argument("--today", type=_day, help=TODAY_HELP)
    _add_as_of(many, "each request's date")
    many.set_defaults(run=_batch)

    show = commands.add_parser("show", help="print a policy's tree")
    show.add_argument("policy", help="NAME, or NAME@YYYY-MM-DD for the version then in force")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(run=_show)

    facts = commands.add_parser(
        "facts", help="list the facts a policy reads, and the inputs of derived ones"
    )
    facts.add_argument("policy")
    facts.add_argument("--format", choices=("text", "json"), default="text")
    facts.set_defaults(run=_facts)

    changes = commands.add_parser(
        "diff", help="what changed between two versions: diff NAME@2024-06-01 NAME"
    )
    changes.add_argument("before", help="NAME@YYYY-MM-DD: the version in force on that date")
    changes.add_argument("after", help="NAME@YYYY-MM-DD, or NAME for the newest version")
    changes.add_argument("--format", choices=("text", "markdown"), default="text")
    changes.set_defaults(run=_diff)

    listing = commands.add_parser("policies", help="list the installed policies")
    listing.set_defaults(run=_policies)

    replay_cli.add(commands)  # umpolicy replay: the impact of a revision

    service = commands.add_parser(
        "serve", help="serve decisions over HTTP: JSON, CDS Hooks, PAS and DTR (umpolicy[serve])"
    )
    service.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    service.add_argument("--port", type=_port, default=8000, help="port to listen on (8000)")
    service.add_argument(
        "--docs-base",
        help="where the policies' pages are published, for CRD cards to link to "
        "(default http://127.0.0.1:8000/, the docs site served locally)",
    )
    service.set_defaults(run=_serve)

    schema = commands.add_parser(
        "schema", help="print the JSON Schema of a request or a decision (draft 2020-12)"
    )
    schema.add_argument("model", choices=MODELS)
    schema.set_defaults(run=_schema)
    return main


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    if out is None:
        out = sys.stdout
        _in_utf8(out)
    try:
        args = parser().parse_args(argv)
    except _AskedForVersion:
        out.write(versions())
        return 0
    try:
        status: int = args.run(args, out)
    except InputError as error:
        if _as_json(args):
            out.write(_errors_json(error.errors))
            return INVALID
        for field_error in error.errors:
            print(f"invalid input: {field_error}", file=sys.stderr)
        return INVALID
    except UnknownPolicyError as error:
        if _as_json(args):  # the policy asked for by --policy: the request's policy
            out.write(_errors_json([FieldError("$.policy", str(error))]))
            return INVALID
        print(f"umpolicy: {error}", file=sys.stderr)
        return INVALID
    except BrokenPipeError:  # an OSError, but no failure: the reader has what it wanted
        return _reader_gone(out)
    except OSError as error:
        print(f"umpolicy: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("umpolicy: interrupted", file=sys.stderr)
        return INTERRUPTED
    return status


def _in_utf8(stream: TextIO) -> None:
    """Standard output written in UTF-8, whatever the locale says.

    JSON and HTML are UTF-8 (RFC 8259), and a policy's words are not ASCII (``®``,
    ``›``, ``÷``): written in a terminal's ASCII or Latin-1 they were a traceback, or
    JSON no reader could read.
    """
    if isinstance(stream, io.TextIOWrapper) and codecs.lookup(stream.encoding).name != "utf-8":
        stream.reconfigure(encoding="utf-8")


def _reader_gone(out: TextIO) -> int:
    """Standard output's reader stopped reading: stop too, without a word (:data:`READER_GONE`).

    What is still buffered for standard output would fail again as Python exits, with
    a message of its own on standard error: it goes to the null device instead.
    """
    if out is sys.stdout:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, out.fileno())
        os.close(null)
    return READER_GONE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
