"""Mutation testing of the policies and the DSL's core: ``nox -s mutants``.

A small AST mutator of the project's own. It finds mutation sites in each target file
with :mod:`ast` and splices each change into a copy of the file's source, so a mutant
differs from the original by one edit and everything else (comments, layout) is kept:

- ``quantity-value``, ``numeric-string``: a limit's value, which lives in a string
  (``Quantity("600000", "[iU]/kg")``, ``Fraction("365.25")``) becomes the next number
  up or down in its last decimal place, or 0;
- ``quantity-unit``: a limit's unit becomes another unit of the same dimension (the
  nearest three in scale), or another count for a ``{count}`` unit;
- ``code-drop``, ``code-alter``, ``prefix-widen``: a code of a value set (or of a
  tuple a value set, ``OneOf``, ``Includes`` or ``EveryItem`` reads) is dropped, has its
  last character changed, or a prefix loses its last character;
- ``compare``: ``<``/``<=``, ``>``/``>=``, ``==``/``!=``, ``is``/``is not``, ``in``/``not in``;
- ``bound-class``: ``AtMost``/``AtLeast``/``LessThan`` swapped; ``heading-class``:
  ``AllOf``/``AnyOf``;
- ``kleene-function`` (``all_met``/``any_met``), ``kleene-operator`` (``&``/``|``),
  ``negation-removed`` (``~x``, ``not x`` and ``Not(check)`` become their operand),
  ``status-constant`` (``MET``/``NOT_MET``/``UNKNOWN``);
- ``boolean`` (``True``/``False``), ``integer`` (+1, -1);
- ``child-drop``: one child of a heading, one check of a dose limit, one alternative of
  ``Either``, one indication or exclusion of a policy, one element of a module's tuple
  of strings (outside the policies) is removed; ``condition-drop``: a node's
  ``requires``, ``applies_if``, ``approval`` or an exclusion's ``check`` is removed.

A line holding ``pragma: no mutate`` is left alone. A mutant that changes no
behaviour (a context's precision far beyond any input) is listed in :data:`EQUIVALENT`
with the reason: it is still run, and the report counts it apart from the survivors
(the score is killed over killed and survived) and says so if a test ever kills it.
The three packages (``umpolicy``,
``umpolicy_policies``, ``umpolicy_quellimab``) are copied once into a temporary
directory; each mutant gets its own copy of its package there, with the one file
mutated, first on ``sys.path`` (and ``PYTHONPATH``). The working tree is never
written. A fast subset of the tests per target, run with ``pytest -x -q -p
no:cacheprovider`` (Hypothesis derandomized, no example database), decides: a
failure or a timeout kills the mutant. An unmutated run per target checks first that
the tests pass and that the copy is the module they import.

Usage: ``python scripts/mutants.py [TARGET ...] [--jobs 2] [--list] [--tests PATH ...]``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from umpolicy.dsl.units import ATOMS, unit

ROOT = Path(__file__).resolve().parent.parent

#: The importable packages, by their directory in the repository.
PACKAGES = {
    "src/umpolicy": "umpolicy",
    "policies": "umpolicy_policies",
    "examples/quellimab-policy/src/umpolicy_quellimab": "umpolicy_quellimab",
}

_PROLEUKIN_TESTS = (
    "tests/test_proleukin_dosing.py",
    "tests/test_proleukin_criteria.py",
    "tests/test_proleukin_outcomes.py",
    "tests/test_proleukin_examples.py",
    "tests/test_value_sets_decide.py",
    "tests/test_proleukin_document.py",
    # Files, not node ids: a mutant that breaks the import must fail collection (exit
    # 2, killed), not leave pytest no node to run (exit 4, reported as an error).
    "tests/test_pages.py",
)

#: Each target file and the tests that decide its mutants (fast, relevant ones first).
TARGETS: dict[str, tuple[str, ...]] = {
    "policies/proleukin.py": _PROLEUKIN_TESTS,
    "examples/quellimab-policy/src/umpolicy_quellimab/policy.py": ("tests/quellimab",),
    "src/umpolicy/dsl/checks.py": (
        "tests/test_checks.py",
        "tests/test_checks_bounds.py",
        "tests/test_engine.py",
        "tests/test_proleukin_dosing.py",
        "tests/quellimab/test_quellimab_dosing.py",
    ),
    "src/umpolicy/dsl/quantity.py": (
        "tests/test_quantity.py",
        "tests/test_quantity_bounds.py",
        "tests/test_checks.py",
        "tests/test_validation.py",
    ),
    "src/umpolicy/dsl/units.py": (
        "tests/test_units.py",
        "tests/test_errors_help.py",
        "tests/test_quantity.py",
        "tests/test_checks.py",
    ),
    "src/umpolicy/dsl/status.py": (
        "tests/test_status.py",
        "tests/test_checks.py",
        "tests/test_engine.py",
    ),
    "src/umpolicy/engine/trail.py": (
        "tests/test_trail_steps.py",
        "tests/test_engine.py",
        "tests/test_decision.py",
        "tests/test_proleukin_outcomes.py",
    ),
}

PYTEST_ARGS = ("-x", "-q", "-p", "no:cacheprovider")

#: Run in each test process: put the mutant, then the pristine copies, first on the
#: path; derandomize Hypothesis; run pytest; say which file the target was loaded from.
BOOT = """
import sys
mutant, base, module, *args = sys.argv[1:]
sys.path[0:0] = [mutant, base]
from hypothesis import settings
settings.register_profile("mutants", database=None, derandomize=True)
settings.load_profile("mutants")
import pytest
code = int(pytest.main(args))
loaded = getattr(sys.modules.get(module), "__file__", None)
print("\\nmutants: loaded", loaded)
if loaded is not None and not loaded.startswith(mutant):
    code = 99
sys.exit(code)
"""
NOT_SHADOWED = 99

BOUNDS = ("AtMost", "AtLeast", "LessThan")
HEADINGS = ("AllOf", "AnyOf")
KLEENE = ("all_met", "any_met")
STATUSES = ("MET", "NOT_MET", "UNKNOWN")
#: Keyword arguments that make a node conditional, or give it its period or exclusion.
CONDITIONS = {
    "requires": ("AllOf", "AnyOf", "Predicate", "DoseLimit"),
    "applies_if": ("Predicate", "DoseLimit"),
    "approval": ("AllOf", "AnyOf", "Indication"),
    "check": ("NotRecommended",),
}
#: Where a call holds codes: keyword names, and positional indexes, by callee.
CODE_KEYWORDS = {
    "ValueSet": {"codes": 4, "prefixes": 5, "excluded": 6},
    "OneOf": {"values": 1},
    "Includes": {"values": 1},
    "TherapyListed": {"outcomes": 4, "excluding": -1},
    "TherapyCount": {"outcomes": 4, "excluding": -1},
}

_COMPARE_TOKENS: dict[type[ast.cmpop], tuple[str, str, type[ast.cmpop]]] = {
    ast.Lt: (r"<(?!=)", "<=", ast.LtE),
    ast.LtE: (r"<=", "<", ast.Lt),
    ast.Gt: (r">(?!=)", ">=", ast.GtE),
    ast.GtE: (r">=", ">", ast.Gt),
    ast.Eq: (r"==", "!=", ast.NotEq),
    ast.NotEq: (r"!=", "==", ast.Eq),
    ast.Is: (r"\bis\b(?!\s+not\b)", "is not", ast.IsNot),
    ast.IsNot: (r"\bis\s+not\b", "is", ast.Is),
    ast.In: (r"(?<!not )\bin\b", "not in", ast.NotIn),
    ast.NotIn: (r"\bnot\s+in\b", "in", ast.In),
}


@dataclass(frozen=True)
class Mutant:
    """One edit of one file: bytes ``start:end`` of its source become ``new``."""

    path: str
    line: int
    start: int
    end: int
    new: str
    operator: str
    change: str
    column: int = 0

    def apply(self, source: bytes) -> bytes:
        """The mutated source."""
        return source[: self.start] + self.new.encode() + source[self.end :]


@dataclass(frozen=True)
class Equivalent:
    """A mutant judged equivalent: it changes no behaviour a test could see, and why.

    It is named so that edits elsewhere in the file do not lose it: by its file, the
    class or function it is in (dotted, ``""`` at module level), text of its line that
    holds the mutated characters (``"eq=False"``), and its change as the report
    prints it (``""``: every mutant of that text).
    """

    path: str
    scope: str
    text: str
    change: str
    why: str


class Where:
    """A file's lines and classes and functions: where in the source a mutant is."""

    def __init__(self, source: bytes) -> None:
        self.lines = source.splitlines()
        self.starts = [0]
        for line in source.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))
        self.scopes: list[tuple[int, int, str]] = []
        self._scopes(ast.parse(source), "")

    def _scopes(self, node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                name = prefix + child.name
                start = self.starts[child.lineno - 1] + child.col_offset
                assert child.end_lineno is not None
                assert child.end_col_offset is not None
                end = self.starts[child.end_lineno - 1] + child.end_col_offset
                self.scopes.append((start, end, name))
                self._scopes(child, name + ".")
            else:
                self._scopes(child, prefix)

    def scope(self, offset: int) -> str:
        """The dotted name of the innermost class or function holding ``offset``."""
        inside = [(start, name) for start, end, name in self.scopes if start <= offset < end]
        return max(inside)[1] if inside else ""

    def holds(self, mutant: Mutant, text: str) -> bool:
        """Whether ``text`` on the mutant's line spans the characters it mutates."""
        line = self.lines[mutant.line - 1]
        at = mutant.start - self.starts[mutant.line - 1]
        wanted = text.encode()
        found = line.find(wanted)
        while found >= 0:
            if found <= at < found + len(wanted):
                return True
            found = line.find(wanted, found + 1)
        return False


def equivalent(mutant: Mutant, where: Where) -> Equivalent | None:
    """The entry of :data:`EQUIVALENT` for this mutant, if it has one."""
    for entry in EQUIVALENT:
        if (
            entry.path == mutant.path
            and entry.change in ("", mutant.change)
            and where.scope(mutant.start) == entry.scope
            and where.holds(mutant, entry.text)
        ):
            return entry
    return None


_WIDE = (
    "numbers have at most 40 digits and exponents from -40 to 40 (quantity.MAX_DIGITS, "
    "MAX_EXPONENT) and are multiplied by factors of at most 10 digits: no product or "
    "exact quotient comes near "
)
_DERIVED = (
    "worked out from the check's other fields (in __attrs_post_init__), so checks equal "
    "in those are equal in it too: "
)
_QUANTITY = "src/umpolicy/dsl/quantity.py"
_CHECKS = "src/umpolicy/dsl/checks.py"

#: The mutants judged equivalent, each with the reason.
EQUIVALENT: tuple[Equivalent, ...] = (
    Equivalent(
        _QUANTITY,
        "",
        "prec=200",
        "",
        _WIDE + "199 digits, so a precision of 199 or 201 rounds nothing 200 does not",
    ),
    Equivalent(
        _QUANTITY,
        "",
        "Emax=10**6",
        "",
        _WIDE + "an exponent of 10**5, so no operation can overflow with any of these Emax",
    ),
    Equivalent(
        _QUANTITY,
        "",
        "Emin=-(10**6)",
        "",
        _WIDE + "an exponent of -10**5, so no operation can underflow with any of these Emin",
    ),
    Equivalent(
        _CHECKS,
        "_OneFact",
        "eq=False",
        "False -> True",
        "a check's three findings are " + _DERIVED + "comparing them too changes no equality",
    ),
    Equivalent(
        _CHECKS,
        "_OneFact",
        "hash=False",
        "False -> True",
        "a check's three findings are " + _DERIVED + "hashing them too keeps equal checks "
        "hashing alike",
    ),
    Equivalent(
        _CHECKS,
        "_Bound",
        "eq=False",
        "False -> True",
        "a limit's table by dimension is " + _DERIVED + "comparing it too changes no equality",
    ),
    Equivalent(
        _CHECKS,
        "",
        "prec=60",
        "",
        "the dose per kg or m² (or in total) a trail shows is rounded to 10 places first; "
        "from a validated request (io.validation: values under 1e13, a weight of at least "
        "0.2 kg, an area, given or Mosteller's, of at least 0.03 m²) it has fewer than 40 "
        "digits, so a precision of 59 or 61 rounds none of them, as 60 does not",
    ),
    Equivalent(
        "src/umpolicy/engine/trail.py",
        "walker",
        "len(rules) == 1",
        "1 -> 0",
        "the walk of a criterion of one rule and no condition is a shortcut: the general "
        "walk gives it the same Step (its rule's status and one finding, applies, not off); "
        "with 0 no criterion takes the shortcut, so only the time differs",
    ),
)


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _argument(call: ast.Call, keyword: str, index: int) -> ast.expr | None:
    """The call's argument by keyword, or by position when ``index`` is not negative."""
    for each in call.keywords:
        if each.arg == keyword:
            return each.value
    if 0 <= index < len(call.args) and not any(
        isinstance(a, ast.Starred) for a in call.args[: index + 1]
    ):
        return call.args[index]
    return None


def _squash(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _number(text: str) -> Decimal | None:
    if not re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None


def numbers_near(text: str) -> list[str]:
    """Other values for decimal text: one unit up and down in its last place, and 0."""
    value = _number(text)
    if value is None:
        return []
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    step = Decimal(1).scaleb(min(exponent, 0))
    found = [value + step, value - step, Decimal(0)]
    out: list[str] = []
    for each in found:
        shown = f"{each:f}"
        if each >= 0 and each != value and shown not in out:
            out.append(shown)
    return out


def units_near(code: str, count: int = 3) -> list[str]:
    """Other units of the same dimension as ``code``, the nearest ``count`` in scale."""
    try:
        original = unit(code)
    except ValueError:
        return []
    counted = re.fullmatch(r"\{[a-z _-]+\}", code)
    if counted:
        return ["{item}" if code != "{item}" else "{thing}"]
    annotation = re.search(r"/(\{[a-z _-]+\})$", code)
    bases = ["kg", "m2", *([annotation.group(1)] if annotation else [])]
    pool = [*ATOMS, "/h", "/d", "/wk", "/mo", "/a"]
    pool += [f"{a}/{b}" for a in ("[iU]", "10*6.[iU]", "mg", "ug", "g") for b in bases]
    every = re.fullmatch(r"/\(([0-9]+)\.([a-z]+)\)", code)
    if every:
        n, span = int(every.group(1)), every.group(2)
        pool += [f"/({m}.{span})" for m in (n - 1, n + 1) if 2 <= m <= 99]
    scored: list[tuple[float, str]] = []
    for other in dict.fromkeys(pool):
        try:
            candidate = unit(other)
        except ValueError:
            continue
        if candidate.dimension != original.dimension or candidate.factor == original.factor:
            continue
        scored.append((abs(math.log(candidate.factor / original.factor)), other))
    return [other for _, other in sorted(scored)[:count]]


def _quoted(text: str) -> str:
    """A Python string literal in double quotes, as the sources write them."""
    return json.dumps(text, ensure_ascii=False)


def _altered(code: str) -> str:
    """The code with its last letter or digit changed (``C43`` → ``C44``)."""
    for i in range(len(code) - 1, -1, -1):
        c = code[i]
        if c.isdigit():
            return code[:i] + str((int(c) + 1) % 10) + code[i + 1 :]
        if c.isascii() and c.isalpha():
            base = ord("a") if c.islower() else ord("A")
            return code[:i] + chr(base + (ord(c) - base + 1) % 26) + code[i + 1 :]
    return code + "x"


class Finder(ast.NodeVisitor):
    """The mutants of one file's source."""

    def __init__(self, path: str, source: bytes, *, policy: bool) -> None:
        self.path = path
        self.source = source
        self.policy = policy
        self.starts = [0]
        for line in source.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))
        text = source.decode()
        self.quiet = {
            n for n, line in enumerate(text.splitlines(), 1) if "pragma: no mutate" in line
        }
        self.found: list[Mutant] = []
        #: Tuples whose string elements are codes, by id, with their kind ("codes", …).
        self.code_tuples: dict[int, str] = {}

    # --- positions -----------------------------------------------------------------

    def at(self, line: int, col: int) -> int:
        """The byte offset of a line and column (ast columns are UTF-8 bytes)."""
        return self.starts[line - 1] + col

    def span(self, node: ast.AST) -> tuple[int, int]:
        """The bytes a node spans."""
        start = self.at(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.at(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return start, end

    def text(self, start: int, end: int) -> str:
        """The source between two offsets."""
        return self.source[start:end].decode()

    def add(
        self, start: int, end: int, new: str, operator: str, change: str = "", line: int = 0
    ) -> None:
        """Keep a mutant, unless its line says ``pragma: no mutate``."""
        line = line or self.source.count(b"\n", 0, start) + 1
        if line in self.quiet:
            return
        old = self.text(start, end)
        change = change or f"{_squash(old)} -> {_squash(new)}"
        column = start - self.source.rfind(b"\n", 0, start)
        self.found.append(Mutant(self.path, line, start, end, new, operator, change, column))

    def replace(self, node: ast.AST, new: str, operator: str) -> None:
        """Replace a node's text."""
        self.add(*self.span(node), new, operator)

    def drop(self, items: Sequence[ast.AST], operator: str, container: ast.AST | None) -> None:
        """Each mutant that removes one of ``items``, with its comma."""
        for i, item in enumerate(items):
            start, end = self.span(item)
            change = f"drop {_squash(self.text(start, end))}"
            line = item.lineno  # type: ignore[attr-defined]
            if len(items) == 1:
                if container is not None:
                    self.add(*self.span(container), "()", operator, change, line)
                continue
            if i + 1 < len(items):
                self.add(start, self.span(items[i + 1])[0], "", operator, change, line)
            else:
                self.add(self.span(items[i - 1])[1], end, "", operator, change, line)

    # --- finding the codes ---------------------------------------------------------

    def mark_codes(self, tree: ast.Module) -> None:
        """Note the tuples that hold codes, through module names (``codes=_CSDMARDS``)."""
        named: dict[str, str] = {}

        def note(value: ast.expr | None, kind: str) -> None:
            if isinstance(value, ast.Name):
                named.setdefault(value.id, kind)
            elif isinstance(value, ast.Tuple):
                self.code_tuples.setdefault(id(value), kind)
                for elt in value.elts:
                    if isinstance(elt, ast.Starred) and isinstance(elt.value, ast.Name):
                        named.setdefault(elt.value.id, kind)

        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            callee = _callee(node)
            for keyword, index in CODE_KEYWORDS.get(callee, {}).items():
                note(_argument(node, keyword, index), keyword)
            if callee == "EveryItem":
                where = _argument(node, "where", 3)
                if isinstance(where, ast.Tuple):
                    for pair in where.elts:
                        if isinstance(pair, ast.Tuple) and len(pair.elts) == 2:
                            note(pair.elts[1], "values")
        assigned: dict[str, ast.Tuple] = {}
        for statement in tree.body:
            if (
                isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
                and isinstance(statement.value, ast.Tuple)
            ):
                name, value = statement.targets[0].id, statement.value
                assigned[name] = value
                strings = value.elts and all(
                    isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
                )
                if not self.policy and strings and name.lstrip("_").isupper():
                    named.setdefault(name, "tuple")
        done: set[str] = set()
        while set(named) - done:
            for name in sorted(set(named) - done):
                done.add(name)
                if name in assigned:
                    note(assigned[name], named[name])

    # --- visiting ------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        """Imports are not mutated."""

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        """Imports are not mutated."""

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """Its decorators, defaults and body; never its annotations."""
        for each in (*node.decorator_list, *node.args.defaults, *node.body):
            self.visit(each)
        for default in node.args.kw_defaults:
            if default is not None:
                self.visit(default)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        """The value only."""
        if node.value is not None:
            self.visit(node.value)

    def visit_Constant(self, node: ast.Constant) -> None:
        """Booleans are flipped, integers moved by one."""
        if isinstance(node.value, bool):
            self.replace(node, str(not node.value), "boolean")
        elif isinstance(node.value, int):
            for other in (node.value + 1, node.value - 1):
                self.replace(node, str(other), "integer")

    def visit_Compare(self, node: ast.Compare) -> None:
        """Each comparison's direction, or its sense."""
        left: ast.expr = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            start, end = self.span(left)[1], self.span(right)[0]
            gap = self.text(start, end)
            pattern, new, _ = _COMPARE_TOKENS[type(op)]
            code = re.sub(r"#[^\n]*", lambda m: " " * len(m.group()), gap)
            found = re.search(pattern, code)
            if found is not None:
                at = start + len(gap[: found.start()].encode())
                until = start + len(gap[: found.end()].encode())
                self.add(at, until, new, "compare")
            left = right
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        """Kleene ``&`` and ``|`` swapped."""
        if isinstance(node.op, ast.BitAnd | ast.BitOr):
            start, end = self.span(node.left)[1], self.span(node.right)[0]
            gap = self.text(start, end)
            old, new = ("&", "|") if isinstance(node.op, ast.BitAnd) else ("|", "&")
            if gap.count(old) == 1:
                at = start + len(gap[: gap.index(old)].encode())
                self.add(at, at + 1, new, "kleene-operator")
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        """``~x`` and ``not x`` become ``x``."""
        if isinstance(node.op, ast.Invert | ast.Not):
            start, end = self.span(node)
            operand = self.span(node.operand)
            self.add(start, end, self.text(*operand), "negation-removed")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        """Kleene functions and status constants."""
        if not isinstance(node.ctx, ast.Load):
            return
        if node.id in KLEENE:
            self.replace(node, KLEENE[1 - KLEENE.index(node.id)], "kleene-function")
        elif node.id in STATUSES:
            for other in STATUSES:
                if other != node.id:
                    self.replace(node, other, "status-constant")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        """``Status.MET`` and its like."""
        if isinstance(node.ctx, ast.Load) and node.attr in STATUSES:
            start, end = self.span(node)
            base = self.text(*self.span(node.value))
            for other in STATUSES:
                if other != node.attr:
                    self.add(start, end, f"{base}.{other}", "status-constant")
        self.generic_visit(node)

    def visit_Tuple(self, node: ast.Tuple) -> None:
        """The codes of a code tuple: each dropped, altered, or (prefixes) widened."""
        kind = self.code_tuples.get(id(node))
        if kind is not None:
            operator = "child-drop" if kind == "tuple" else "code-drop"
            self.drop(node.elts, operator, node)
            for elt in node.elts:
                if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                    self.replace(elt, _quoted(_altered(elt.value)), "code-alter")
                    if kind == "prefixes" and len(elt.value) > 1:
                        self.replace(elt, _quoted(elt.value[:-1]), "prefix-widen")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        """The DSL's calls: limits, headings, alternatives, conditions."""
        callee = _callee(node)
        func = node.func
        swaps = BOUNDS if callee in BOUNDS else HEADINGS if callee in HEADINGS else ()
        for other in swaps:
            if other != callee:
                operator = "bound-class" if swaps is BOUNDS else "heading-class"
                new = (
                    other
                    if isinstance(func, ast.Name)
                    else f"{ast.unparse(func)[: -len(callee)]}{other}"
                )
                self.replace(func, new, operator)
        if callee in ("Quantity", "Fraction", "Decimal"):
            self.limit(node, callee)
        children = None
        if callee in HEADINGS:
            children = _argument(node, "children", 2)
        elif callee == "DoseLimit":
            children = _argument(node, "checks", 2)
        if isinstance(children, ast.Tuple):
            self.drop(children.elts, "child-drop", children)
        if callee == "Either" and len(node.args) > 1:
            self.drop(node.args, "child-drop", None)
        if callee == "Policy":
            for name in ("indications", "not_recommended"):
                value = _argument(node, name, -1)
                if isinstance(value, ast.Tuple):
                    self.drop(value.elts, "child-drop", value)
        if callee == "Not" and len(node.args) == 1:
            self.replace(node, self.text(*self.span(node.args[0])), "negation-removed")
        for keyword in node.keywords:
            if keyword.arg is not None and callee in CONDITIONS.get(keyword.arg, ()):
                self.drop_keyword(node, keyword)
        self.generic_visit(node)

    def limit(self, node: ast.Call, callee: str) -> None:
        """A value (and a quantity's unit) written as text."""
        args = node.args
        first = args[0] if args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            operator = "quantity-value" if callee == "Quantity" else "numeric-string"
            for other in numbers_near(first.value):
                self.replace(first, _quoted(other), operator)
        second = args[1] if len(args) > 1 else None
        if (
            callee == "Quantity"
            and isinstance(second, ast.Constant)
            and isinstance(second.value, str)
        ):
            for other in units_near(second.value):
                self.replace(second, _quoted(other), "quantity-unit")

    def drop_keyword(self, call: ast.Call, keyword: ast.keyword) -> None:
        """Remove ``keyword=…`` from the call, with the comma before it."""
        items: list[ast.AST] = [*call.args, *call.keywords]
        items.sort(key=lambda item: self.span(item)[0])
        i = items.index(keyword)
        start, end = self.span(keyword)
        change = f"drop {_squash(self.text(start, end))}"
        line = keyword.lineno
        if i > 0:
            self.add(self.span(items[i - 1])[1], end, "", "condition-drop", change, line)
        elif len(items) > 1:
            self.add(start, self.span(items[1])[0], "", "condition-drop", change, line)
        else:
            self.add(start, end, "", "condition-drop", change, line)


def find_mutants(path: str, source: bytes) -> list[Mutant]:
    """Every mutant of the target file's source, in the order of the source."""
    tree = ast.parse(source, path)
    finder = Finder(path, source, policy=not path.startswith("src/"))
    finder.mark_codes(tree)
    finder.visit(tree)
    unique = {(m.start, m.end, m.new): m for m in finder.found}
    return sorted(unique.values(), key=lambda m: (m.start, m.end, m.new))


def _package_of(path: str) -> tuple[str, str, str]:
    """The package directory in the repository, its name, and the module's dotted name."""
    for folder, name in PACKAGES.items():
        if path.startswith(folder + "/"):
            parts = Path(path[len(folder) + 1 :]).with_suffix("").parts
            return folder, name, ".".join((name, *parts))
    raise SystemExit(f"{path} is not in one of the packages {', '.join(PACKAGES)}")


@dataclass
class Result:
    """What the tests made of one mutant (``None`` for the unmutated run)."""

    mutant: Mutant | None
    outcome: str  # "killed", "timeout", "survived", "equivalent" or "error"
    seconds: float
    detail: str = ""
    #: The entry of :data:`EQUIVALENT` the mutant has, if any.
    listed: Equivalent | None = None


@dataclass
class Tally:
    """One target's mutants and their results so far."""

    path: str
    tests: tuple[str, ...]
    mutants: list[Mutant]
    timeout: float = 0.0
    baseline: float = 0.0
    results: list[Result] = field(default_factory=list)


class Runner:
    """Runs the tests against copies: a pristine copy of each package, and one per mutant."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.base = work / "base"
        self.base.mkdir()
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        for folder, name in PACKAGES.items():
            shutil.copytree(ROOT / folder, self.base / name, ignore=ignore)
        self.procs: set[subprocess.Popen[bytes]] = set()
        self.lock = threading.Lock()
        #: Set by :meth:`stop_all`: no test process starts after it.
        self.stopped = False

    def source(self, path: str) -> bytes:
        """The target file's source as copied (mutants are found in, and applied to, it)."""
        folder, name, _ = _package_of(path)
        return (self.base / name / path[len(folder) + 1 :]).read_bytes()

    def run(self, path: str, tests: Sequence[str], mutant: Mutant | None, limit: float) -> Result:
        """Copy the package, apply the mutant, run the tests: killed, survived, or an error."""
        folder, name, module = _package_of(path)
        where = Path(tempfile.mkdtemp(prefix="mutant-", dir=self.work))
        try:
            shutil.copytree(self.base / name, where / name)
            if mutant is not None:
                inside = where / name / path[len(folder) + 1 :]
                inside.write_bytes(mutant.apply(self.source(path)))
                for stale in inside.parent.glob(f"__pycache__/{inside.stem}.*.pyc"):
                    stale.unlink()
            return self._pytest(where, module, tests, mutant, limit)
        finally:
            shutil.rmtree(where, ignore_errors=True)

    def _pytest(
        self, where: Path, module: str, tests: Sequence[str], mutant: Mutant | None, limit: float
    ) -> Result:
        env = dict(os.environ)
        env.pop("COVERAGE_PROCESS_START", None)
        paths = [str(where), str(self.base), env.get("PYTHONPATH", "")]
        env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
        command = [sys.executable, "-c", BOOT, str(where), str(self.base), module]
        command += [*PYTEST_ARGS, *tests]
        began = time.monotonic()
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        with self.lock:
            self.procs.add(proc)
            if self.stopped:
                self.stop(proc)
        try:
            out, _ = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            self.stop(proc)
            proc.communicate()
            return Result(mutant, "timeout", time.monotonic() - began)
        finally:
            with self.lock:
                self.procs.discard(proc)
        seconds = time.monotonic() - began
        text = out.decode(errors="replace")
        code = proc.returncode
        if mutant is None:
            loaded = re.search(r"^mutants: loaded (.*)$", text, re.MULTILINE)
            if code != 0 or loaded is None or not loaded.group(1).startswith(str(where)):
                return Result(mutant, "error", seconds, text[-3000:])
            return Result(mutant, "survived", seconds, loaded.group(1))
        if code == 0:
            return Result(mutant, "survived", seconds)
        if code in (1, 2, 3):  # tests failed, collection failed, internal error
            return Result(mutant, "killed", seconds)
        why = "the tests did not load the copy" if code == NOT_SHADOWED else f"exit {code}"
        return Result(mutant, "error", seconds, f"{why}\n{text[-2000:]}")

    @staticmethod
    def stop(proc: subprocess.Popen[bytes]) -> None:
        """End a test process and its children (its own session)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        """End every test process still running."""
        with self.lock:
            self.stopped = True
            procs = list(self.procs)
        for proc in procs:
            self.stop(proc)


def _minutes(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest:02d}s" if minutes else f"{seconds:.1f}s"


def report(tally: Tally, seconds: float, say: Callable[[str], None]) -> None:
    """Print one target's score and every survivor."""
    results = tally.results
    killed = sum(r.outcome in ("killed", "timeout") for r in results)
    timeouts = sum(r.outcome == "timeout" for r in results)
    survivors = [r for r in results if r.outcome == "survived"]
    errors = [r for r in results if r.outcome == "error"]
    equivalents = [r for r in results if r.outcome == "equivalent"]
    stale = [r for r in results if r.listed is not None and r.outcome != "equivalent"]
    decided = killed + len(survivors)
    score = 100.0 * killed / decided if decided else 100.0
    say(
        f"\n{tally.path}: {len(results)} mutants, {killed} killed ({timeouts} by timeout), "
        f"{len(survivors)} survived, {len(equivalents)} equivalent, {len(errors)} errors, "
        f"score {score:.1f}% "
        f"[{_minutes(seconds)} of worker time; baseline {tally.baseline:.1f}s, "
        f"timeout {tally.timeout:.0f}s]"
    )
    by_operator: dict[str, list[int]] = {}
    for r in results:
        assert r.mutant is not None
        counts = by_operator.setdefault(r.mutant.operator, [0, 0])
        counts[0] += r.outcome in ("killed", "timeout")
        counts[1] += 1
    say("  " + ", ".join(f"{op} {k}/{n}" for op, (k, n) in sorted(by_operator.items())))
    for r in sorted(
        survivors + errors, key=lambda r: (r.mutant.line, r.mutant.start) if r.mutant else (0, 0)
    ):
        assert r.mutant is not None
        m = r.mutant
        what = "survived" if r.outcome == "survived" else "ERROR"
        say(f"  {what} {m.path}:{m.line}:{m.column} [{m.operator}] {m.change}")
        if r.outcome == "error":
            say("    " + r.detail.strip().replace("\n", "\n    "))
    by_entry: dict[Equivalent, list[Mutant]] = {}
    for r in equivalents:
        assert r.mutant is not None
        assert r.listed is not None
        by_entry.setdefault(r.listed, []).append(r.mutant)
    for entry, mutants in by_entry.items():
        for m in sorted(mutants, key=lambda m: m.start):
            say(f"  equivalent {m.path}:{m.line}:{m.column} [{m.operator}] {m.change}")
        say(f"    because {entry.why}")
    for r in stale:
        assert r.mutant is not None
        m = r.mutant
        say(
            f"  LISTED AS EQUIVALENT BUT {r.outcome.upper()}: {m.path}:{m.line}:{m.column} "
            f"{m.change} (remove it from EQUIVALENT)"
        )


def _chosen(names: Sequence[str]) -> list[str]:
    if not names:
        return list(TARGETS)
    chosen = []
    for name in names:
        matches = [t for t in TARGETS if t == name or t.endswith("/" + name.lstrip("./"))]
        if not matches:
            raise SystemExit(f"unknown target {name}; targets: {', '.join(TARGETS)}")
        chosen += matches
    return list(dict.fromkeys(chosen))


def _tasks(tallies: Sequence[Tally]) -> Iterator[tuple[Tally, Mutant]]:
    """The mutants, the slowest targets' first, so the two workers finish together."""
    for tally in sorted(tallies, key=lambda t: -t.baseline * len(t.mutants)):
        for mutant in tally.mutants:
            yield tally, mutant


def main(argv: Sequence[str] | None = None) -> int:
    """Find the mutants, run the tests against each, print the scores and survivors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", help="target files (default: all of TARGETS)")
    parser.add_argument("--jobs", type=int, default=2, help="test processes at once (2)")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument(
        "--tests", nargs="+", metavar="PATH", help="run these tests instead of each target's"
    )
    args = parser.parse_args(argv)
    began = time.monotonic()
    chosen = _chosen(args.targets)
    if args.list:
        tallies = [Tally(p, TARGETS[p], find_mutants(p, (ROOT / p).read_bytes())) for p in chosen]
        for tally in tallies:
            print(f"{tally.path}: {len(tally.mutants)} mutants")
            where = Where((ROOT / tally.path).read_bytes())
            for m in tally.mutants:
                listed = equivalent(m, where)
                note = " (listed as equivalent)" if listed is not None else ""
                print(f"  {m.path}:{m.line}:{m.column} [{m.operator}] {m.change}{note}")
        return 0
    say = print
    with tempfile.TemporaryDirectory(prefix="umpolicy-mutants-") as temp:
        runner = Runner(Path(temp))
        tallies = [
            Tally(p, tuple(args.tests or TARGETS[p]), find_mutants(p, runner.source(p)))
            for p in chosen
        ]
        wheres = {t.path: Where(runner.source(t.path)) for t in tallies}
        pool = ThreadPoolExecutor(max_workers=max(1, args.jobs))
        try:
            base = {pool.submit(runner.run, t.path, t.tests, None, 600.0): t for t in tallies}
            for future in as_completed(base):
                tally = base[future]
                result = future.result()
                if result.outcome == "error":
                    say(f"{tally.path}: the unmutated tests fail or import another copy:")
                    say(result.detail)
                    return 2
                tally.baseline = result.seconds
                tally.timeout = max(30.0, 4 * result.seconds + 10)
                say(
                    f"{tally.path}: {len(tally.mutants)} mutants; unmutated tests pass in "
                    f"{result.seconds:.1f}s, loading {result.detail}"
                )
            worker: dict[str, float] = {t.path: 0.0 for t in tallies}
            left = {t.path: len(t.mutants) for t in tallies}
            futures = {
                pool.submit(runner.run, t.path, t.tests, m, t.timeout): t
                for t, m in _tasks(tallies)
            }
            for done, future in enumerate(as_completed(futures), 1):
                tally = futures[future]
                result = future.result()
                assert result.mutant is not None
                result.listed = equivalent(result.mutant, wheres[tally.path])
                if result.listed is not None and result.outcome == "survived":
                    result.outcome = "equivalent"
                tally.results.append(result)
                worker[tally.path] += result.seconds
                left[tally.path] -= 1
                if done % 50 == 0:
                    elapsed = _minutes(time.monotonic() - began)
                    print(f"... {done}/{len(futures)} mutants in {elapsed}", file=sys.stderr)
                if left[tally.path] == 0:
                    report(tally, worker[tally.path], say)
        except KeyboardInterrupt:
            runner.stop_all()
            raise
        finally:
            # Before the copies are removed: cancel what has not started, end what has.
            pool.shutdown(wait=False, cancel_futures=True)
            runner.stop_all()
            pool.shutdown(wait=True)
    say("\nSummary")
    for tally in tallies:
        killed = sum(r.outcome in ("killed", "timeout") for r in tally.results)
        survived = sum(r.outcome == "survived" for r in tally.results)
        same = sum(r.outcome == "equivalent" for r in tally.results)
        decided = killed + survived
        score = 100.0 * killed / decided if decided else 100.0
        say(
            f"  {tally.path}: {len(tally.mutants)} mutants, {killed} killed, "
            f"{survived} survived, {same} equivalent, score {score:.1f}%"
        )
        used = {r.listed for r in tally.results}
        for entry in EQUIVALENT:
            if entry.path == tally.path and entry not in used:
                say(f"  EQUIVALENT entry matches no mutant: {entry.text!r} {entry.change!r}")
    say(f"wall time {_minutes(time.monotonic() - began)} with {args.jobs} processes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
