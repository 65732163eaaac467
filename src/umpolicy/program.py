"""A policy's trees written out once as straight-line Python, as attrs writes ``__init__``.

The tree stays pure data. What walking it for every request would redo (which node
comes next, how its children combine, which checks are the same check in two places)
is settled once per policy, and written as two kinds of generated function:

- per tree (an indication's criteria or its dosing), its nodes' **statuses** alone,
  skipping the children of a heading its own condition rules out;
- for the whole policy, the **full trail**: every node's :class:`~umpolicy.Trail`,
  with each distinct check evaluated once (the age check of 1.A.i, 1.B.i and 2.A
  is one finding, read three times).

Nodes are numbered depth first across the policy's trees (criteria, then dosing, of
each indication in turn). Both kinds fill the same lists by number: ``S`` the
node's status, ``C`` a heading's own condition. The status functions also fill
``K``, each distinct check's status by the check's number; the full trail also
``F``, each node's findings, of which :attr:`Program.unsettled` gives one node's
not met or unknown ones at a time instead (all that reasons and facts needed read).
The tests hold every list equal to what :func:`umpolicy.explain` gives.

In the full trail, what is found from few-valued attributes alone (yes/no, enum
members, counts, short lists; not dates or quantities) is **kept**: a subtree's trail in
``KT<i>``, a check's finding in ``KF<n>`` (and as a conditional criterion's first
finding in ``KS<n>``), by the key of the attributes its facts come from
(:data:`~umpolicy.facts.SOURCES`), for at most :data:`KEPT` keys each. Trails are
immutable, so a request with the same key reads back the very same objects:
the GVHD criteria are built once per combination of prescriber, consultants and
diagnosis, not once per request.
"""

from __future__ import annotations

import enum
import functools
import typing
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from attrs import frozen

from umpolicy.checks import AtLeast, AtMost, Check, Either, Finding, Includes, IsTrue, OneOf
from umpolicy.compiled import compile_check, judge_per_basis, plans
from umpolicy.facts import COUNTED, FACTS, PATHS, SOURCES, VALUES, FactBook
from umpolicy.nodes import AllOf, AnyOf, Node, checks_of, walk
from umpolicy.quantity import EXACT, Quantity
from umpolicy.records import new
from umpolicy.request import Request
from umpolicy.status import Status
from umpolicy.trail import Trail, kind_of, scope
from umpolicy.units import UNITS

MET, NOT_MET, UNKNOWN = Status.MET, Status.NOT_MET, Status.UNKNOWN

Statuses = list[Status | None]
Findings = list[tuple[Finding, ...]]
#: Fills ``S`` and ``C`` for one tree's nodes, and ``K`` for the checks it judged.
StatusOf = Callable[[FactBook, Statuses, Statuses, Statuses], None]
#: The trail of every tree (roots in order), with ``S``, ``C`` and ``F`` for every node.
TrailOf = Callable[[FactBook], tuple[tuple[Trail, ...], Statuses, Statuses, Findings]]


@frozen
class Shape:
    """One node's place in the policy: its words, kind and children (by number)."""

    label: str
    kind: str
    text: str
    title: str | None
    children: tuple[int, ...]
    #: True for a heading with its own condition (a route, a diagnosis).
    requires: bool
    #: True for ``all_of`` and ``any_of`` nodes.
    heading: bool
    #: How a reason quotes the node: its words, after a heading's title.
    words: str


@frozen(eq=False)
class Program:
    """A policy's trees, numbered, with their generated functions.

    They take a request that has passed :func:`umpolicy.validation.admitted`, as
    :func:`umpolicy.decide` makes sure: what the trail keeps is keyed by the exact
    types validation enforces (``True`` and ``1`` would share a key).
    """

    shapes: tuple[Shape, ...]
    #: Each tree's root, by number: criteria, then dosing, of each indication.
    roots: tuple[int, ...]
    #: Per tree: fills the statuses of its nodes.
    statuses: tuple[StatusOf, ...]
    #: The full trail of every tree, for a validated request (what is kept is keyed by
    #: its attributes' declared types).
    trail: TrailOf
    #: Per node: its findings not met or unknown (``K`` says which), in the trail's order.
    unsettled: tuple[Callable[[FactBook, Statuses], tuple[Finding, ...]], ...]
    #: Each distinct check's number (its place in ``K``).
    numbers: Mapping[Check, int]
    #: The generated source, for reading and debugging.
    source: str


def _combine(target: str, parts: list[str], every: bool) -> str:
    """A statement setting ``target`` to the Kleene and (or or) of the statuses ``parts``."""
    if len(parts) == 1:
        return f"{target} = {parts[0]}"
    settled, other = ("NOT_MET", "MET") if every else ("MET", "NOT_MET")
    many = f"({', '.join(parts)})"
    return (
        f"{target} = {settled} if {settled} in {many} "
        f"else UNKNOWN if UNKNOWN in {many} else {other}"
    )


def _indent(lines: list[str]) -> Iterator[str]:
    return (f"    {line}" for line in lines)


def _kept(store: str, k: str, key: str, target: str, build: list[str]) -> list[str]:
    """Statements reading ``target`` from ``store`` by ``key``, else running ``build``.

    ``build`` sets ``target``, which is kept while the store has room and the key
    (named ``k``) holds no :data:`LONG` list.
    """
    return [
        f"{k} = {key}",
        f"{target} = {store}.get({k})",
        f"if {target} is None:",
        *_indent(build),
        f"    if len({store}) < KEPT and LONG not in {k}:",
        f"        {store}[{k}] = {target}",
    ]


def _trail(
    i: int, node: Node, children: str = "()", title: str = "None", applies: str = "True"
) -> str:
    """The statement setting ``t<i>``, node ``i``'s :class:`Trail`.

    Built by :data:`umpolicy.records.new`, every field in ``Trail._fields`` order.
    """
    given = {
        "label": repr(node.label),
        "kind": repr(kind_of(node)),
        "text": repr(node.text),
        "status": f"s{i}",
        "findings": f"r{i}",
        "children": children,
        "title": title,
        "applies": applies,
    }
    return f"t{i} = new(Trail, ({', '.join(given[name] for name in Trail._fields)}))"


class _Writer:
    """Numbers the nodes and names each distinct check once, for the generated source."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "MET": MET,
            "NOT_MET": NOT_MET,
            "UNKNOWN": UNKNOWN,
            "Trail": Trail,
            "new": new,
            "scope": scope,
            "multiply": EXACT.multiply,
            "units_get": UNITS.get,
            "KEPT": KEPT,
            "LONG": LONG,
        }
        self.checks: dict[Check, int] = {}
        #: Each request attribute's key, by local name: its expression, or ``None``.
        self.keys: dict[str, str | None] = {}

    def check(self, check: Check) -> int:
        """The check's number; its evaluation ``E<n>`` and compiled finding ``F<n>`` are named."""
        number = self.checks.get(check)
        if number is None:
            number = self.checks[check] = len(self.checks)
            self.namespace[f"E{number}"] = check.evaluate
            self.namespace[f"F{number}"] = compile_check(check)
        return number

    def status_lines(self, node: Node, i: int, nodes: list[Node]) -> list[str]:
        """Statements setting ``s<i>`` and ``S[i]``; a ruled-out heading leaves its children."""
        if isinstance(node, AllOf | AnyOf):
            body: list[str] = []
            parts = []
            for child in node.children:
                j = len(nodes)
                nodes.append(child)
                body += self.status_lines(child, j, nodes)
                parts.append(f"s{j}")
            body.append(_combine(f"s{i}", parts, isinstance(node, AllOf)))
            if node.requires is None:
                return [*body, f"S[{i}] = s{i}"]
            return [
                *self.judge_lines(node.requires, f"c{i}"),
                f"C[{i}] = c{i}",
                f"if c{i} is NOT_MET:",
                f"    s{i} = NOT_MET",
                "else:",
                *_indent(body),
                f"    if c{i} is UNKNOWN and s{i} is MET:",
                f"        s{i} = UNKNOWN",
                f"S[{i}] = s{i}",
            ]
        if len(node.checks) == 1:
            rule = self.judge_lines(node.checks[0], f"s{i}")
        else:
            names = [f"a{i}_{k}" for k in range(len(node.checks))]
            rule = [
                line
                for name, check in zip(names, node.checks, strict=True)
                for line in self.judge_lines(check, name)
            ]
            rule.append(_combine(f"s{i}", names, every=True))
        if node.applies_if is None:
            return [*rule, f"S[{i}] = s{i}"]
        return [
            *self.judge_lines(node.applies_if, f"p{i}"),
            f"if p{i} is NOT_MET:",  # does not apply: met
            f"    s{i} = MET",
            "else:",
            *_indent(rule),
            f"    if p{i} is UNKNOWN and s{i} is NOT_MET:",  # ~unknown | not met
            f"        s{i} = UNKNOWN",
            f"S[{i}] = s{i}",
        ]

    def judge_lines(self, check: Check, target: str) -> list[str]:
        """Statements setting ``target`` and ``K[n]`` to the status of check ``n``."""
        return [*self._judge(check, target), f"K[{self.check(check)}] = {target}"]

    def _judge(self, check: Check, target: str) -> list[str]:
        """Statements setting ``target`` to the check's status, from the request's attributes.

        What the value alone decides is written out; a dose per kg or per m² calls the
        judge ``J<n>``; anything else the generator does not plan for (a unit made by
        hand, a check on a fact of another kind) the check's own evaluation.
        """
        n = self.check(check)
        fallback = [f"{target} = E{n}(book).status"]
        if isinstance(check, Either):
            parts = [f"{target}_{k}" for k in range(len(check.checks))]
            lines = [
                line
                for part, each in zip(parts, check.checks, strict=True)
                for line in self.judge_lines(each, part)
            ]
            return [*lines, _combine(target, parts, every=False)]
        read = _read(check.fact, n, self.namespace)
        if read is None:
            return fallback
        value, kind = read
        if isinstance(check, IsTrue) and kind is bool:
            return [
                f"x = {value}",
                f"{target} = UNKNOWN if x is None else MET if x is True else NOT_MET",
            ]
        if (
            isinstance(check, OneOf)
            and isinstance(kind, type)
            and issubclass(kind, enum.Enum)
            and all(type(m._value_) is str for m in kind)
        ):  # the member's own text: a str hashes in C, an enum member in Python
            self.namespace[f"M{n}"] = frozenset(check.values)
            return [
                f"x = {value}",
                f"{target} = UNKNOWN if x is None else MET if x._value_ in M{n} else NOT_MET",
            ]
        if isinstance(check, Includes) and kind is frozenset:  # Kleene membership
            self.namespace[f"M{n}"] = frozenset(check.values)
            return [
                f"x = {value}",
                f"{target} = UNKNOWN if x is None else MET if not x[0].isdisjoint(M{n}) "
                "else UNKNOWN if x[1] else NOT_MET",
            ]
        if not isinstance(check, AtMost | AtLeast):
            return fallback
        holds = "<=" if isinstance(check, AtMost) else ">="
        same, _ = plans(check)  # per unit code: the limit, and x × a against b
        if isinstance(kind, str):  # a count: a whole number in the unit ``kind``
            if kind not in same:
                return fallback
            _, a, self.namespace[f"B{n}"] = same[kind]
            return [
                f"x = {value}",
                f"{target} = UNKNOWN if x is None else MET if x * {a} {holds} B{n} else NOT_MET",
            ]
        if kind is not Quantity:
            return fallback
        self.namespace[f"P{n}"] = {code: (a, b, UNITS[code]) for code, (_, a, b) in same.items()}
        self.namespace[f"J{n}"] = judge_per_basis(check)
        return [
            f"x = {value}",
            "if x is None:",
            f"    {target} = UNKNOWN",
            "else:",
            f"    k = P{n}.get(x.unit.code)",
            "    if k is not None and k[2] is x.unit:",
            f"        {target} = MET if multiply(x.value, k[0]) {holds} k[1] else NOT_MET",
            "    elif units_get(x.unit.code) is x.unit:",  # per kg or m², or not comparable
            f"        {target} = J{n}(book, x)",
            "    else:",  # a unit made by hand
            f"        {target} = E{n}(book).status",
        ]

    def finder(self, check: Check) -> str:
        """``find_<n>``: the check's finding, kept by its key (as in the trail), if it has one."""
        n = self.check(check)
        names = self.key_names(check.facts())
        if names is None:
            return ""
        self.namespace.setdefault(f"KF{n}", {})
        key = f"({''.join(f'{self.keys[name]}, ' for name in names)})"
        body = ["r = book.request", *_kept(f"KF{n}", "k", key, "f", [f"f = F{n}(book)"])]
        lines = [f"def find_{n}(book):", *_indent([*body, "return f"])]
        return "".join(f"{line}\n" for line in lines)

    def key_of(self, facts: tuple[str, ...]) -> str | None:
        """The key (of local names) for what is found from ``facts``, if it has one."""
        names = self.key_names(facts)
        return None if names is None else f"({''.join(f'{name}, ' for name in names)})"

    def key_names(self, facts: tuple[str, ...]) -> list[str] | None:
        """The attributes what is found from ``facts`` comes from, by key name, if all are keys.

        In the trail, each attribute's key is worked out once per request, at the top
        (``keys``: name and expression).
        """
        names = []
        for path in dict.fromkeys(path for fact in facts for path in SOURCES[fact]):
            name = f"k_{path.replace('.', '_')}"
            if name not in self.keys:
                self.keys[name] = _key(_attribute_type(path), f"r.{path}")
            if self.keys[name] is None:
                return None
            names.append(name)
        return names

    def trail_lines(self, node: Node, i: int, nodes: list[Node], seen: set[str]) -> list[str]:
        """Statements setting ``t<i>`` (its trail), ``s<i>``, ``c<i>`` and ``r<i>``.

        A subtree that reads only few-valued attributes (see :func:`_key`) is kept
        for reuse: built once per distinct key, then read back by it, all of its
        nodes' ``s``, ``c`` and ``r`` with it. Its own subtrees are kept too, so a
        new combination of a heading's children reuses each child.
        """
        key = self.key_of(_facts_under(node))
        if key is None:
            return self._trail_lines(node, i, nodes, seen)
        inner = self._trail_lines(node, i, nodes, set(seen))  # on reuse, nothing is evaluated
        kept = f"t{i}, {', '.join(f'{x}{j}' for j in range(i, len(nodes)) for x in 'scr')}"
        self.namespace[f"KT{i}"] = {}
        build = [*inner, f"m{i} = {kept}"]
        return [*_kept(f"KT{i}", f"k{i}", key, f"m{i}", build), f"{kept} = m{i}"]

    def _trail_lines(self, node: Node, i: int, nodes: list[Node], seen: set[str]) -> list[str]:
        lines: list[str] = []

        def found(check: Check, name: str, store: str, expression: str) -> str:
            """``name`` set once per request to ``expression``, kept by the check's key if any."""
            if name not in seen:  # each distinct check is evaluated once per request
                seen.add(name)
                key = self.key_of(check.facts())
                if key is None:
                    lines.append(f"{name} = {expression}")
                else:  # found once per distinct key, then read back
                    self.namespace.setdefault(store, {})
                    lines.extend(_kept(store, "k", key, name, [f"{name} = {expression}"]))
            return name

        def finding(check: Check) -> str:
            n = self.check(check)
            return found(check, f"f{n}", f"KF{n}", f"F{n}(book)")

        def scoped(check: Check) -> str:
            """A conditional criterion's condition, as its first finding (see ``scope``)."""
            n = self.check(check)
            return found(check, f"g{n}", f"KS{n}", f"scope({finding(check)})")

        if isinstance(node, AllOf | AnyOf):
            children = []
            for child in node.children:
                j = len(nodes)
                nodes.append(child)
                lines += self.trail_lines(child, j, nodes, seen)
                children.append(j)
            trails = "".join(f"t{j}, " for j in children)
            lines.append(_combine(f"s{i}", [f"s{j}" for j in children], isinstance(node, AllOf)))
            if node.requires is None:
                lines.append(f"c{i} = None")
                lines.append(f"r{i} = ()")
            else:
                condition = finding(node.requires)
                lines.append(f"c{i} = {condition}.status")
                lines.append(_combine(f"s{i}", [f"c{i}", f"s{i}"], every=True))
                lines.append(f"r{i} = ({condition},)")
            lines.append(_trail(i, node, f"({trails})", title=repr(node.title)))
            return lines
        rules = [finding(check) for check in node.checks]
        lines.append(_combine(f"s{i}", [f"{rule}.status" for rule in rules], every=True))
        lines.append(f"c{i} = None")
        if node.applies_if is None:
            lines.append(f"r{i} = ({''.join(f'{rule}, ' for rule in rules)})")
            lines.append(_trail(i, node))
            return lines
        applies = finding(node.applies_if)
        lines += [
            f"r{i} = ({scoped(node.applies_if)}, {''.join(f'{rule}, ' for rule in rules)})",
            f"if {applies}.status is NOT_MET:",
            f"    s{i} = MET",
            f"elif {applies}.status is UNKNOWN and s{i} is NOT_MET:",
            f"    s{i} = UNKNOWN",
            _trail(i, node, applies=f"{applies}.status is not NOT_MET"),
        ]
        return lines


#: How many distinct keys a subtree kept for reuse holds at most (then it is built anew).
KEPT = 1024
#: A list is a key while it holds at most this many items (requests list a few)...
KEY_ITEMS = 8
#: ... and, for names, at most this many characters in all.
KEY_TEXT = 256


class _Long:
    """The key of a list too long to key by: what is found from it is never kept."""

    def __repr__(self) -> str:
        return "LONG"


LONG = _Long()


def _unwrapped(hint: Any) -> Any:
    """``X`` for ``X | None``."""
    return next(arg for arg in typing.get_args(hint) or (hint,) if arg is not type(None))


def _plain(kind: Any, value: str) -> str | None:
    """A key for a yes/no, a count or an enum member, or ``None``.

    An enum member is keyed by identity: each is one object for good.
    """
    if kind in (bool, int):
        return value
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return f"id({value})"
    return None


def _key(kind: Any, value: str) -> str | None:
    """An expression keying ``value`` of type ``kind``, or ``None`` if it is not a key.

    Yes/no, counts and enum members are few-valued and hash cheaply and exactly; so
    are short lists of names, or of lesions or physicians (by their members' fields).
    A longer list keys as :data:`LONG`, which is never kept: no store holds much of
    any request. A date or a quantity is a measurement: two requests rarely give the
    same one.
    """
    plain = _plain(kind, value)
    if plain is not None or typing.get_origin(kind) is not tuple:
        return plain
    member = typing.get_args(kind)[0]
    v = f"v_{value.replace('.', '_')}"
    short = f"len({v}) <= {KEY_ITEMS}"
    if member is str:
        return (
            f"(None if ({v} := {value}) is None else {v} "
            f"if {short} and sum(map(len, {v})) <= {KEY_TEXT} else LONG)"
        )
    parts = [
        _plain(_unwrapped(hint), f"e.{field}")
        for field, hint in typing.get_type_hints(member).items()
    ]
    if None in parts:
        return None
    each = f"({''.join(f'{part}, ' for part in parts)})"
    listed = f"tuple([{each} for e in {v}])"
    return f"(None if ({v} := {value}) is None else {listed} if {short} else LONG)"


def _facts_under(node: Node) -> tuple[str, ...]:
    """The facts a subtree's checks read."""
    return tuple(fact for each in walk(node) for check in checks_of(each) for fact in check.facts())


def _attribute_type(path: str) -> Any:
    """The declared type of a request attribute (``regimen.route`` → ``Route``), unwrapped."""
    kind: Any = Request
    for name in path.split("."):
        kind = _unwrapped(typing.get_type_hints(kind)[name])
    return kind


def _read(fact: str, n: int, namespace: dict[str, Any]) -> tuple[str, Any] | None:
    """An expression for the fact's value as the request holds it, and what that value is.

    What it is: ``bool``, an enum class, :class:`Quantity`, a date, ``frozenset`` (the
    values known and whether more may be missing), or (for a count or an age, a whole
    number) the code of the fact's unit. ``None`` when the fact is
    more than a function of attributes.
    """
    spec = FACTS[fact]
    if fact in PATHS:
        path = PATHS[fact]
        expression = f"r.{path}"
        if fact in COUNTED:
            return expression, COUNTED[fact]
    elif fact in VALUES:
        paths, function = VALUES[fact]
        namespace[f"V{n}"] = function
        expression = f"V{n}({', '.join(f'r.{path}' for path in paths)})"
        if spec.type == "quantity":
            return expression, spec.units[0]
    else:
        return None
    kinds = {"boolean": bool, "quantity": Quantity, "set of enum": frozenset}
    if spec.type == "enum":
        return expression, _attribute_type(PATHS[fact])
    return expression, kinds.get(spec.type)


def _unsettled_of(
    node: Node, number: dict[Check, int], namespace: dict[str, Any]
) -> Callable[[FactBook, Statuses], tuple[Finding, ...]]:
    """A node's findings not met or unknown, as the full trail holds them.

    ``K`` holds each check's status, as the status functions judged it; only a check
    not met is found (with the facts behind it: kept, where ``find_<n>`` keeps it),
    for the reasons and facts needed to read.
    """
    pairs = tuple(
        (n, namespace.get(f"find_{n}", namespace[f"F{n}"]))
        for n in (number[check] for check in checks_of(node))
    )
    if isinstance(node, AllOf | AnyOf) or node.applies_if is None:
        return lambda book, judged: tuple([find(book) for n, find in pairs if judged[n] is not MET])
    (applies_number, applies), *rules = pairs

    def unsettled(book: FactBook, judged: Statuses) -> tuple[Finding, ...]:
        found = [find(book) for n, find in rules if judged[n] is not MET]
        if judged[applies_number] is not MET:
            found.insert(0, scope(applies(book)))
        return tuple(found)

    return unsettled


@functools.lru_cache(maxsize=64)
def program(trees: tuple[Node, ...]) -> Program:
    """The trees numbered and written out as Python; built once per policy."""
    writer = _Writer()
    nodes: list[Node] = []
    roots: list[int] = []
    sources: list[str] = []
    trail_body: list[str] = []
    seen: set[str] = set()
    for t, tree in enumerate(trees):
        i = len(nodes)
        roots.append(i)
        nodes.append(tree)
        lines = ["r = book.request", *writer.status_lines(tree, i, nodes)]
        sources.append(f"def status_{t}(book, S, C, K):\n" + "".join(f"    {x}\n" for x in lines))
        del nodes[i:]  # the same numbers again, for the trail
        nodes.append(tree)
        trail_body += writer.trail_lines(tree, i, nodes, seen)
    every = range(len(nodes))
    trail_body.append(
        f"return ({''.join(f't{i}, ' for i in roots)}), "
        f"[{', '.join(f's{i}' for i in every)}], "
        f"[{', '.join(f'c{i}' for i in every)}], "
        f"[{', '.join(f'r{i}' for i in every)}]"
    )
    trail_body[:0] = [
        "r = book.request",
        *(f"{name} = {key}" for name, key in writer.keys.items() if key is not None),
    ]
    sources.append("def trail(book):\n" + "".join(f"    {x}\n" for x in trail_body))
    sources += [writer.finder(check) for check in list(writer.checks)]
    source = "\n".join(sources)
    namespace = writer.namespace
    exec(compile(source, "<umpolicy program>", "exec"), namespace)
    shapes = tuple(_shape(node, _children(node, i, nodes)) for i, node in enumerate(nodes))
    return Program(
        shapes,
        tuple(roots),
        tuple(namespace[f"status_{t}"] for t in range(len(trees))),
        namespace["trail"],
        tuple(_unsettled_of(node, writer.checks, namespace) for node in nodes),
        MappingProxyType(writer.checks),
        source,
    )


def _shape(node: Node, children: tuple[int, ...]) -> Shape:
    if isinstance(node, AllOf | AnyOf):
        words = f"{node.title} {node.text}" if node.title else node.text
        own = node.requires is not None
        return Shape(node.label, kind_of(node), node.text, node.title, children, own, True, words)
    return Shape(node.label, kind_of(node), node.text, None, children, False, False, node.text)


def _children(node: Node, i: int, nodes: list[Node]) -> tuple[int, ...]:
    """The numbers of a node's children: depth first, each child follows its elder's subtree."""
    if not isinstance(node, AllOf | AnyOf):
        return ()
    numbers = []
    j = i + 1
    for child in node.children:
        assert nodes[j] is child
        numbers.append(j)
        j += sum(1 for _ in walk(child))
    return tuple(numbers)
