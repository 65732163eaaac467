"""The ``umpolicy`` command: evaluate requests, show a policy tree, list the facts it reads.

Exit status: 0 when a decision was made (whatever the outcome), 2 on invalid input
(each field error on standard error), 1 for anything else that went wrong.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from umpolicy.api import evaluate, parse_request, to_json
from umpolicy.converter import CONVERTER, dumps
from umpolicy.errors import InputError, UnknownPolicyError
from umpolicy.facts import FACTS, with_inputs
from umpolicy.progress import Progress
from umpolicy.registry import load_policy, policy_names
from umpolicy.render import decision_markdown, decision_text, policy_text

INVALID = 2


def _read(path: str) -> bytes:
    """The file's bytes (or standard input's): decoding is the JSON reader's job, per request."""
    if path == "-":
        return sys.stdin.buffer.read()
    return Path(path).read_bytes()


def _evaluate(args: argparse.Namespace, out: TextIO) -> int:
    decision = evaluate(parse_request(_read(args.request)), args.policy, trail=not args.no_trail)
    if args.format == "json":
        out.write(to_json(decision) + "\n")
    elif args.format == "markdown":
        out.write(decision_markdown(decision))
    else:
        out.write(decision_text(decision))
    return 0


def _batch(args: argparse.Namespace, out: TextIO) -> int:
    lines = _read(args.requests).splitlines()
    progress = Progress(sys.stderr, len(lines)) if not args.quiet else None
    invalid = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                decision = evaluate(line, args.policy, trail=args.trail)
                out.write(to_json(decision) + "\n")
            except InputError as error:
                invalid += 1
                record = {
                    "line": number,
                    "errors": [CONVERTER.unstructure(e) for e in error.errors],
                }
                out.write(dumps({"invalid": record}) + "\n")
        if progress:
            progress.advance()
    if progress:
        progress.close()
    if invalid:
        print(f"umpolicy: {invalid} of {len(lines)} lines are invalid input", file=sys.stderr)
        return INVALID
    return 0


def _show(args: argparse.Namespace, out: TextIO) -> int:
    policy = load_policy(args.policy)
    out.write(to_json(policy) + "\n" if args.format == "json" else policy_text(policy))
    return 0


def _facts(args: argparse.Namespace, out: TextIO) -> int:
    policy = load_policy(args.policy)
    specs = [FACTS[name] for name in with_inputs(policy.facts())]
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


def _policies(_: argparse.Namespace, out: TextIO) -> int:
    for name in policy_names():
        out.write(f"{name}\n")
    return 0


def parser() -> argparse.ArgumentParser:
    """The command-line grammar."""
    main = argparse.ArgumentParser(prog="umpolicy", description=__doc__.splitlines()[0])
    commands = main.add_subparsers(dest="command", required=True)

    one = commands.add_parser("evaluate", help="decide one request (JSON file, or - for stdin)")
    one.add_argument("request")
    one.add_argument("--policy", help="policy name, when the request does not name one")
    one.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    one.add_argument("--no-trail", action="store_true", help="leave the audit trail out")
    one.set_defaults(run=_evaluate)

    many = commands.add_parser("batch", help="decide JSON Lines requests, one decision per line")
    many.add_argument("requests", help="a .jsonl file, or - for stdin")
    many.add_argument("--policy", help="policy name, for requests that do not name one")
    many.add_argument("--trail", action="store_true", help="include each audit trail")
    many.add_argument("--quiet", action="store_true", help="no progress bar")
    many.set_defaults(run=_batch)

    show = commands.add_parser("show", help="print a policy's tree")
    show.add_argument("policy")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(run=_show)

    facts = commands.add_parser(
        "facts", help="list the facts a policy reads, and the inputs of derived ones"
    )
    facts.add_argument("policy")
    facts.add_argument("--format", choices=("text", "json"), default="text")
    facts.set_defaults(run=_facts)

    listing = commands.add_parser("policies", help="list the installed policies")
    listing.set_defaults(run=_policies)
    return main


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = parser().parse_args(argv)
    try:
        status: int = args.run(args, out or sys.stdout)
    except InputError as error:
        for field_error in error.errors:
            print(f"invalid input: {field_error}", file=sys.stderr)
        return INVALID
    except UnknownPolicyError as error:
        print(f"umpolicy: {error}", file=sys.stderr)
        return INVALID
    except OSError as error:
        print(f"umpolicy: {error}", file=sys.stderr)
        return 1
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
