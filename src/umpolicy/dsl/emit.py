"""The Python code a tree's checks write for themselves, gathered into one function.

A check's comparison is written once, as the code it emits into a :class:`Code`
(its ``emit``). The evaluator writes a whole tree into one straight-line function,
compiled once per policy: each fact is read into a local once, each check's code
runs inline and each heading combines its children's statuses inline, so a request
costs no call per node and no call per check. A check asked alone (``evaluate``)
runs the same code, compiled for it alone (:func:`alone`): there is no second
implementation of any check.

The generated source is kept in :mod:`linecache`, as attrs does for the methods it
writes, so a traceback through it shows the line.
"""

from __future__ import annotations

import itertools
import linecache
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from umpolicy.dsl.findings import Finding
from umpolicy.dsl.kept import by_identity
from umpolicy.dsl.records import new
from umpolicy.dsl.status import Status

if TYPE_CHECKING:
    from umpolicy.dsl.checks import Check

#: Each function compiled gets a file name of its own, for tracebacks.
_SERIAL = itertools.count()


class Code:
    """One function being written: its lines, the constants it names, its locals.

    ``readers`` are the policy's fact readers by name: with them, the function reads
    a fact missing from ``book.facts`` itself and keeps it there (what
    ``FactBook.__getitem__`` does, without the call); without them it asks ``book``.
    """

    def __init__(self, readers: Mapping[str, Callable[[Any], object]] | None = None) -> None:
        self.readers = readers
        self.lines: list[str] = []
        self.names: dict[str, object] = {
            "new": new,
            "Finding": Finding,
            "MET": Status.MET,
            "NOT_MET": Status.NOT_MET,
            "UNKNOWN": Status.UNKNOWN,
        }
        self._constants: dict[int, str] = {}
        self._facts: dict[str, str] = {}
        #: The locals whose finding is always one of three findings made beforehand, by
        #: status (met, not met, unknown): a yes/no check's, shared by every request.
        self.premade: dict[str, tuple[Finding, Finding, Finding]] = {}
        self._count = itertools.count()
        self._depth = 1

    def constant(self, value: object) -> str:
        """The name the function knows ``value`` by (each object named once)."""
        name = self._constants.get(id(value))
        if name is None:
            name = self._constants[id(value)] = f"K{len(self._constants)}"
            self.names[name] = value
        return name

    def local(self, stem: str = "v") -> str:
        """A fresh local variable's name."""
        return f"{stem}{next(self._count)}"

    def line(self, text: str) -> None:
        """Write one line at the current depth."""
        self.lines.append("    " * self._depth + text)

    @contextmanager
    def block(self, header: str) -> Iterator[None]:
        """Write ``header:`` and indent what follows; facts read inside stay inside."""
        self.line(header + ":")
        self._depth += 1
        kept = dict(self._facts)
        try:
            yield
        finally:
            self._depth -= 1
            self._facts = kept

    def fact(self, name: str) -> str:
        """The local holding the request's fact ``name``, read on first use.

        A fact first read inside a :meth:`block` is read again after it: the block may
        not have run.
        """
        local = self._facts.get(name)
        if local is None:
            local = self._facts[name] = self.local("f")
            if self.readers is not None:
                reader = self.constant(self.readers[name])
                self.line(f"{local} = facts.get({name!r})")
                with self.block(f"if {local} is None"):
                    self.line(f"{local} = facts[{name!r}] = {reader}(book)")
            else:
                self.line(f"{local} = book[{name!r}]")
        return local

    def status(self, finding: str) -> str:
        """A local holding the status of the finding in ``finding``."""
        local = self.local("s")
        self.line(f"{local} = {finding}[0]")
        return local

    def function(self, params: str, returns: str, title: str) -> Callable[..., Any]:
        """Compile the lines written into ``def run(params): … return returns``."""
        head = f"def run({params}):"
        reads = self.readers is not None
        body = ["    facts = book.facts", "    found = book.found"] if reads else []
        source = "\n".join([head, *body, *self.lines, f"    return {returns}", ""])
        filename = f"<umpolicy {title} {next(_SERIAL)}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace: dict[str, Any] = dict(self.names)
        exec(compile(source, filename, "exec"), namespace)
        run: Callable[..., Any] = namespace["run"]
        weakref.finalize(run, linecache.cache.pop, filename, None)  # its source goes with it
        return run


def all_of(statuses: list[str]) -> str:
    """Kleene "all" of the statuses in these locals, as an expression (met for none)."""
    return _kleene(statuses, "NOT_MET", "MET")


def any_of(statuses: list[str]) -> str:
    """Kleene "any" of the statuses in these locals, as an expression (not met for none)."""
    return _kleene(statuses, "MET", "NOT_MET")


def _kleene(statuses: list[str], settles: str, otherwise: str) -> str:
    """``settles`` if any status is it, else unknown if any is, else ``otherwise``."""
    if not statuses:
        return otherwise
    if len(statuses) == 1:
        return statuses[0]
    settled = " or ".join(f"{s} is {settles}" for s in statuses)
    open_ = " or ".join(f"{s} is UNKNOWN" for s in statuses)
    return f"({settles} if {settled} else UNKNOWN if {open_} else {otherwise})"


def chosen(status: str, options: tuple[str, str, str]) -> str:
    """An expression choosing the first, second or third option: met, not met, unknown."""
    met, not_met, unknown = options
    return f"{met} if {status} is MET else {not_met} if {status} is NOT_MET else {unknown}"


def position(status: str) -> str:
    """An expression for 0, 1 or 2 as the status in ``status`` is met, not met or unknown."""
    return f"(0 if {status} is MET else 1 if {status} is NOT_MET else 2)"


def by_status(facts: tuple[str, ...]) -> tuple[Finding, Finding, Finding]:
    """The three findings of status and ``facts`` alone: met, not met and unknown."""
    return (
        Finding(Status.MET, facts),
        Finding(Status.NOT_MET, facts),
        Finding(Status.UNKNOWN, facts),
    )


def negated(status: str) -> str:
    """Kleene "not" of the status in this local, as an expression."""
    return f"(UNKNOWN if {status} is UNKNOWN else NOT_MET if {status} is MET else MET)"


@by_identity
def alone(check: Check) -> Callable[[Any], Finding]:
    """The check's own code, compiled on its own (once per instance): its finding for a book.

    Compiling takes a fraction of a millisecond: a check is meant to be made once, in a
    policy, and asked many times.
    """
    code = Code()
    found = check.emit(code)
    run: Callable[[Any], Finding] = code.function("book", found, type(check).__name__)
    return run
