"""What a revision changes: criteria and dosing added, removed, reworded, relettered, limits.

A committee reviews a revision by what it does to the policy's own lettered lines, so the
diff matches nodes by their content and position, never by label alone: a criterion whose
words and rule are unchanged but whose letter moved (a revision that removes
2.C, so that D and E become C and D) is a relettering, not a removal and an addition. Under
each heading the children are aligned as sequences of their content (labels left out);
what the alignment leaves unmatched is paired by label or by similar words, in order, and
what stays unpaired is added or removed.

A heading whose words differ only in the list of its children's letters ("(A, B, C, D,
and E)" to "(A, B, C, and D)") is not reworded: the list follows its children, and the
relettering says so.

The items of CONDITIONS NOT RECOMMENDED FOR APPROVAL are lines too, matched the same way:
an exclusion added, removed, reworded or given another check changes decisions as a
criterion does. The policy's other words (its statement, preambles, an indication's
section, the questions it asks) are compared as the version's own fields, and so is
what its lines read: each value set (its codes) and each fact it works out (how), whose
change alters decisions under words that stay the same.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import TypeVar

import attrs
from attrs import evolve, frozen

from umpolicy.dsl.checks import AtLeast, AtMost, Check, LessThan
from umpolicy.dsl.choice import Choice
from umpolicy.dsl.nodes import AllOf, AnyOf, Node, roles
from umpolicy.dsl.quantity import Quantity
from umpolicy.dsl.questions import Question
from umpolicy.dsl.valueset import ValueSet
from umpolicy.engine.decision import exclusion_label
from umpolicy.history import InForce, one_policy
from umpolicy.policy import Indication, NotRecommended, Policy
from umpolicy.vocabulary.facts import Derived

#: How alike two criteria's words must be (difflib's ratio) to be one criterion reworded
#: when their labels differ too; with the same label and place, any rewording pairs them.
ALIKE = 0.6
#: The heading of the exclusions' changes, as the policy prints the section.
EXCLUSIONS = "CONDITIONS NOT RECOMMENDED FOR APPROVAL"


class Kind(Choice):
    """What happened to a line of the policy."""

    ADDED = "added"
    REMOVED = "removed"
    REWORDED = "reworded"
    RULE_CHANGED = "rule changed"
    LIMITS_CHANGED = "limits changed"
    PERIOD_CHANGED = "approval period changed"
    SECTION_CHANGED = "section changed"


@frozen
class Line:
    """A line of one version: its label and its words (the heading's title included)."""

    label: str
    words: str
    reconstructed: bool = False


@frozen
class Change:
    """One change to a line, with the words of both sides and what else changed with them.

    ``before`` is the line in the earlier version (``None`` when added), ``after`` in the
    later (``None`` when removed). ``notes`` say how the rules, limits or approval period
    changed, each as ``(what, before, after)``.
    """

    kind: Kind
    indication: str
    before: Line | None
    after: Line | None
    notes: tuple[tuple[str, str, str], ...] = ()


@frozen
class Relettering:
    """Lines under one heading whose words and rules are unchanged but whose labels moved.

    ``moves`` are the lines before and after, in order; ``letters`` is the heading's
    list of letters before and after, when only that list changed in its words. A
    heading whose list changed only because a line was added or removed at its end has
    ``letters`` and no ``moves``: no line was relettered (:attr:`moved` is false).
    """

    indication: str
    heading: str
    moves: tuple[tuple[Line, Line], ...]
    letters: tuple[str, str] | None = None

    @property
    def moved(self) -> bool:
        """Whether a line moved to another letter (not only the heading's list changed)."""
        return bool(self.moves)


@frozen
class Version:
    """One side of a diff: the version, and the dates it is in force when known."""

    policy: Policy
    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def dates(self) -> str | None:
        """The dates in force, in words (see :attr:`InForce.dates`), when known."""
        if self.start is None:
            return None
        return InForce(self.policy, self.start, self.end).dates


@frozen
class PolicyDiff:
    """What changed between two versions of a policy: lines, reletterings, and metadata.

    ``metadata`` are ``(field, before, after)`` for the version's own fields that differ
    (version, dates, revision note, the statement and preambles, each question asked:
    ``question <id>``, each value set and derived fact: ``value set <name>``, ``derived
    fact <name>``); ``note`` is the history's word on how its dates
    were established, when they are a reading.
    """

    before: Version
    after: Version
    changes: tuple[Change, ...]
    reletterings: tuple[Relettering, ...]
    metadata: tuple[tuple[str, str, str], ...]
    note: str = ""

    @property
    def read_changed(self) -> tuple[str, ...]:
        """The value sets and derived facts that changed: what the lines read, not their words."""
        return tuple(
            field for field, _, _ in self.metadata if field.startswith((VALUE_SET, DERIVED))
        )

    @property
    def summary(self) -> str:
        """``2 changes and 1 relettering``: the counts a committee reads first.

        A heading's list of letters that changed with no line moving is no relettering.
        """
        changes = len(self.changes)
        moved = sum(1 for each in self.reletterings if each.moved)
        return (
            f"{changes} change{'' if changes == 1 else 's'} and {moved} "
            f"relettering{'' if moved == 1 else 's'}"
        )


def diff(before: Policy | InForce, after: Policy | InForce, note: str = "") -> PolicyDiff:
    """The changes from ``before`` to ``after`` (versions, with their dates when given).

    Versions of two different policies are refused (:func:`umpolicy.history.one_policy`):
    between two drugs' policies there is no revision to show.
    """
    old, new = _version(before), _version(after)
    one_policy(old.policy, new.policy, "diff")
    found = _Found(old.policy, new.policy)
    indications = old.policy.indications, new.policy.indications
    for tag, olds, news in _aligned(*indications, _indication_key):
        for one, other in _paired(tag, olds, news, _indication_words):
            found.indication(one, other)
    found.exclusions(old.policy.not_recommended, new.policy.not_recommended)
    return PolicyDiff(
        old, new, tuple(found.changes), tuple(found.reletterings), _metadata(old, new), note
    )


def diff_specs(before: str, after: str) -> PolicyDiff:
    """The diff of two versions named by spec: ``NAME@2024-06-01``, ``NAME@2025-03-01``.

    Their dates in force come with them, and the history's note on its dates when both are
    versions of one policy. A bad spec raises as :func:`umpolicy.registry.version_at` does;
    specs of two different policies raise :class:`~umpolicy.history.DifferentPoliciesError`,
    naming them as given.
    """
    from umpolicy.registry import load_history, version_at

    old, new = version_at(before), version_at(after)
    one_policy(old.policy, new.policy, "diff", named=(before, after))
    return diff(old, new, load_history(old.policy.name).note)


def _version(side: Policy | InForce) -> Version:
    if isinstance(side, InForce):
        return Version(side.policy, side.start, side.end)
    return Version(side)


def _metadata(old: Version, new: Version) -> tuple[tuple[str, str, str], ...]:
    fields = [
        ("version", old.policy.version, new.policy.version),
        ("in force", old.dates or "", new.dates or ""),
        ("effective", str(old.policy.effective), str(new.policy.effective)),
        ("reviewed", str(old.policy.reviewed), str(new.policy.reviewed)),
        ("revision note", old.policy.revision_note, new.policy.revision_note),
        *_words_of(old.policy, new.policy),
        ("content hash", old.policy.content_hash, new.policy.content_hash),
    ]
    return tuple(each for each in fields if each[1] != each[2])


def _words_of(old: Policy, new: Policy) -> Iterator[tuple[str, str, str]]:
    """The policy's words outside its lines, each side's: what a reader is told and asked."""
    for what, read in (
        ("title", lambda policy: policy.title),
        ("drug", lambda policy: policy.drug),
        ("requested drug", lambda policy: policy.requested.describe()),
        ("plans", lambda policy: policy.plans),
        ("statement", lambda policy: " ".join(each.text for each in policy.statement)),
        ("preamble", lambda policy: policy.preamble),
        ("not recommended preamble", lambda policy: policy.not_recommended_preamble),
    ):
        yield what, read(old), read(new)
    asked = ({q.id: _asked(q) for q in old.questions}, {q.id: _asked(q) for q in new.questions})
    for name in dict.fromkeys([*asked[0], *asked[1]]):
        yield f"question {name}", asked[0].get(name, ""), asked[1].get(name, "")
    # What the lines read: a value set's codes, or how a fact is worked out, changes
    # decisions under words that stay the same.
    sets = _value_sets(old), _value_sets(new)
    for name in dict.fromkeys([*sets[0], *sets[1]]):
        yield f"{VALUE_SET} {name}", sets[0].get(name, ""), sets[1].get(name, "")
    made = ({d.name: _derived(d) for d in old.derived}, {d.name: _derived(d) for d in new.derived})
    for name in dict.fromkeys([*made[0], *made[1]]):
        yield f"{DERIVED} {name}", made[0].get(name, ""), made[1].get(name, "")


def _value_sets(policy: Policy) -> dict[str, str]:
    """Each value set the policy lists or works a fact out with, in words, by name.

    Two sets of one name that differ (a policy built in pieces) are both said.
    """
    found: dict[str, dict[str, None]] = {}
    for each in (
        *policy.value_sets,
        *(d.value_set for d in policy.derived if hasattr(d, "value_set")),
    ):
        found.setdefault(each.name, {})[each.describe()] = None
    return {name: " / ".join(said) for name, said in found.items()}


#: How the metadata names a value set, and a fact the policy works out, that changed.
VALUE_SET, DERIVED = "value set", "derived fact"


def _derived(derived: Derived) -> str:
    """A fact the policy works out, in words: what it says, and each setting of how."""
    said = []
    for each in attrs.fields(type(derived)):
        if each.name in ("name", "description"):
            continue
        value = getattr(derived, each.name)
        if isinstance(value, ValueSet):
            shown = f"{VALUE_SET} {value.name}"
        elif isinstance(value, Quantity):
            shown = value.display()
        elif isinstance(value, tuple):
            shown = "; ".join(_setting(item) for item in value) or "none"
        else:
            shown = str(value)
        said.append(f"{each.name}: {shown}")
    return f"{derived.description} [{'; '.join(said)}]"


def _setting(item: object) -> str:
    """One item of a derived fact's setting: an outcome, or a field and its codes."""
    if isinstance(item, tuple):
        field, codes = item
        return f"{field} in {', '.join(codes)}"
    return str(getattr(item, "value", item))


def _asked(question: Question) -> str:
    """A question in words: what is asked, and what it takes (its type, values, units)."""
    takes = question.type.value
    if question.values:
        takes += ": " + ", ".join(f"{code} ({words})" for code, words in question.values)
    if question.units:
        takes += f" in {', '.join(question.units)}"
    if question.fields:
        takes += "; each: " + "; ".join(_asked(each) for each in question.fields)
    return f"{question.text} [{takes}]"


# -- matching ---------------------------------------------------------------------------


def _unlabeled(node: Node) -> Node:
    """The node with every label left out: its content, for matching by content."""
    if isinstance(node, AllOf | AnyOf):
        return evolve(node, label="", children=tuple(_unlabeled(c) for c in node.children))
    return evolve(node, label="")


def _words(node: Node) -> str:
    """The line's words as the document prints them: the heading's title, then its text."""
    title = node.title if isinstance(node, AllOf | AnyOf) else None
    return f"{title} {node.text}" if title else node.text


def _indication_key(indication: Indication) -> Hashable:
    return (
        _unlabeled(indication.criteria),
        _unlabeled(indication.dosing),
        indication.section,
        indication.approval,
    )


def _indication_words(indication: Indication) -> str:
    return indication.title


Item = TypeVar("Item", Node, Indication, NotRecommended)


def _aligned(
    olds: Sequence[Item], news: Sequence[Item], key: Callable[[Item], Hashable]
) -> Iterator[tuple[str, Sequence[Item], Sequence[Item]]]:
    """The two sequences aligned by content: each block as (opcode, old items, new items)."""
    matcher = difflib.SequenceMatcher(
        None, [key(each) for each in olds], [key(each) for each in news], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        yield tag, olds[i1:i2], news[j1:j2]


def _paired(
    tag: str, olds: Sequence[Item], news: Sequence[Item], words: Callable[[Item], str]
) -> Iterator[tuple[Item | None, Item | None]]:
    """The items of one aligned block, paired: same content, or the same line changed.

    In a block the alignment could not match, an old item pairs with a new one after the
    last pair, of the same shape: the one with the most alike words when they are alike
    enough (:data:`ALIKE`), else the one with its label. What stays unpaired is removed
    (old) or added (new), in order.
    """
    if tag == "equal":
        yield from zip(olds, news, strict=True)
        return
    taken = 0
    for old in olds:
        at = _partner(old, news[taken:], words)
        if at is None:
            yield old, None
            continue
        yield from ((None, each) for each in news[taken : taken + at])
        yield old, news[taken + at]
        taken += at + 1
    yield from ((None, each) for each in news[taken:])


def _partner(old: Item, news: Sequence[Item], words: Callable[[Item], str]) -> int | None:
    """Where among ``news`` the line ``old`` became: the most alike words, else its label."""
    alike = [
        (difflib.SequenceMatcher(None, words(old), words(new)).ratio(), -at)
        for at, new in enumerate(news)
        if _shape(new) == _shape(old)
    ]
    if alike and max(alike)[0] >= ALIKE:
        return -max(alike)[1]
    for at, new in enumerate(news):
        if _shape(new) == _shape(old) and new.label == old.label:
            return at
    return None


def _shape(item: Node | Indication | NotRecommended) -> str:
    return "group" if isinstance(item, AllOf | AnyOf) else type(item).__name__


# -- comparing --------------------------------------------------------------------------

_LETTERS = re.compile(r"\(([^()]*)\)(:?)$")
_TOKENS = re.compile(r"[A-Za-z0-9]+")


def _letters(node: Node) -> tuple[str, str] | None:
    """The heading's text without its trailing list of letters, and that list.

    Only a list naming exactly the heading's children's last letters, in order, counts.
    """
    if not isinstance(node, AllOf | AnyOf):
        return None
    found = _LETTERS.search(node.text)
    if found is None:
        return None
    listed = [t for t in _TOKENS.findall(found.group(1)) if t not in ("and", "or")]
    own = [child.label.rpartition(".")[2] for child in node.children]
    if listed != own:
        return None
    return node.text[: found.start()] + found.group(2), f"({found.group(1)})"


def _same_bound(check: Check, other: Check) -> bool:
    """Both are the same comparison of the same fact: only their limits may differ."""
    return (
        isinstance(check, AtMost | AtLeast | LessThan)
        and type(check) is type(other)
        and check.fact == other.fact
    )


def _rule_notes(
    before: tuple[tuple[str, Check], ...], after: tuple[tuple[str, Check], ...]
) -> tuple[Kind | None, tuple[tuple[str, str, str], ...]]:
    """How a line's own rules (its :func:`roles`) changed: limits only, or more."""
    if before == after:
        return None, ()
    same_shape = len(before) == len(after) and all(
        role == other_role and _same_bound(check, other)
        for (role, check), (other_role, other) in zip(before, after, strict=True)
        if check != other
    )
    if same_shape:
        notes = tuple(
            (f"limit ({role})", check.describe(), other.describe())
            for (role, check), (_, other) in zip(before, after, strict=True)
            if check != other
        )
        return Kind.LIMITS_CHANGED, notes
    return Kind.RULE_CHANGED, (("rule", _rules(before), _rules(after)),)


def _rules(found: tuple[tuple[str, Check], ...]) -> str:
    """A node's checks in words, each with its part unless it is the one rule."""
    if [role for role, _ in found] == ["rule"]:
        return found[0][1].describe()
    return "; ".join(f"{role}: {check.describe()}" for role, check in found) or "none"


def _period(node: Node | Indication) -> str:
    found = getattr(node, "approval", None)
    return "none" if found is None else found.display()


class _Found:
    """The changes found so far, as the walk over both versions finds them."""

    def __init__(self, old: Policy, new: Policy) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self.reletterings: list[Relettering] = []
        self.under = ""
        reconstructed = old.provenance.labels if old.provenance else ()
        self.reconstructed = (
            frozenset(reconstructed),
            frozenset(new.provenance.labels if new.provenance else ()),
        )

    def line(self, node: Node, side: int) -> Line:
        return Line(node.label, _words(node), node.label in self.reconstructed[side])

    def indication(self, old: Indication | None, new: Indication | None) -> None:
        if old is None:
            assert new is not None
            self.under = f"{new.label} {new.title}"
            self.changes.append(Change(Kind.ADDED, self.under, None, self.line(new.criteria, 1)))
            return
        self.under = f"{old.label} {old.title}"
        if new is None:
            self.changes.append(Change(Kind.REMOVED, self.under, self.line(old.criteria, 0), None))
            return
        if old.section != new.section:
            self.changes.append(
                Change(
                    Kind.SECTION_CHANGED,
                    self.under,
                    Line(old.label, old.title),
                    Line(new.label, new.title),
                    (("section", old.section, new.section),),
                )
            )
        if old.approval != new.approval:
            self.changes.append(
                Change(
                    Kind.PERIOD_CHANGED,
                    self.under,
                    Line(old.label, old.title),
                    Line(new.label, new.title),
                    (("approval", _period(old), _period(new)),),
                )
            )
        self.node(old.criteria, new.criteria)
        self.node(old.dosing, new.dosing)

    def node(self, old: Node, new: Node) -> None:
        """Compare one matched pair of lines, then their children."""
        kind, notes = _rule_notes(roles(old), roles(new))
        words_old, words_new = _words(old), _words(new)
        lettered = _letters(old), _letters(new)
        letters_only = (
            words_old != words_new
            and lettered[0] is not None
            and lettered[1] is not None
            and lettered[0][0] == lettered[1][0]
            and _title(old) == _title(new)
        )
        if _period(old) != _period(new):
            notes += (("approval", _period(old), _period(new)),)
            kind = kind or Kind.PERIOD_CHANGED
        if words_old != words_new and not letters_only:
            kind = Kind.REWORDED
        if kind is not None:
            self.changes.append(
                Change(kind, self.under, self.line(old, 0), self.line(new, 1), notes)
            )
        if isinstance(old, AllOf | AnyOf) and isinstance(new, AllOf | AnyOf):
            self.children(old, new, lettered if letters_only else None)

    def children(
        self,
        old: AllOf | AnyOf,
        new: AllOf | AnyOf,
        lettered: tuple[tuple[str, str] | None, tuple[str, str] | None] | None,
    ) -> None:
        moves: list[tuple[Line, Line]] = []
        for tag, olds, news in _aligned(old.children, new.children, _unlabeled):
            for one, other in _paired(tag, olds, news, _words):
                if one is None:
                    assert other is not None
                    self.changes.append(Change(Kind.ADDED, self.under, None, self.line(other, 1)))
                elif other is None:
                    self.changes.append(Change(Kind.REMOVED, self.under, self.line(one, 0), None))
                elif tag == "equal":
                    if one.label != other.label:
                        moves.append((self.line(one, 0), self.line(other, 1)))
                else:
                    self.node(one, other)
        letters = None
        if lettered is not None and lettered[0] is not None and lettered[1] is not None:
            letters = (lettered[0][1], lettered[1][1])
        if moves or letters:
            self.reletterings.append(
                Relettering(self.under, f"{new.label} {_words(new)}", tuple(moves), letters)
            )

    def exclusions(self, olds: Sequence[NotRecommended], news: Sequence[NotRecommended]) -> None:
        """Compare the items of CONDITIONS NOT RECOMMENDED, as the children of a heading."""
        self.under = EXCLUSIONS
        moves: list[tuple[Line, Line]] = []
        for tag, ones, others in _aligned(olds, news, _exclusion_key):
            for one, other in _paired(tag, ones, others, _exclusion_words):
                if one is None:
                    assert other is not None
                    self.changes.append(Change(Kind.ADDED, EXCLUSIONS, None, self.item(other, 1)))
                elif other is None:
                    self.changes.append(Change(Kind.REMOVED, EXCLUSIONS, self.item(one, 0), None))
                elif tag == "equal":
                    if one.label != other.label:
                        moves.append((self.item(one, 0), self.item(other, 1)))
                else:
                    kind, notes = _rule_notes(_exclusion_roles(one), _exclusion_roles(other))
                    kind = Kind.REWORDED if one.text != other.text else kind
                    assert kind is not None  # aligned apart: its words or its check differ
                    change = Change(kind, EXCLUSIONS, self.item(one, 0), self.item(other, 1), notes)
                    self.changes.append(change)
        if moves:
            self.reletterings.append(Relettering(EXCLUSIONS, EXCLUSIONS, tuple(moves)))

    def item(self, item: NotRecommended, side: int) -> Line:
        """An item of CONDITIONS NOT RECOMMENDED as a line, labelled as the trail labels it."""
        label = exclusion_label(item)
        return Line(label, item.text, label in self.reconstructed[side])


def _exclusion_key(item: NotRecommended) -> Hashable:
    return item.text, item.check


def _exclusion_words(item: NotRecommended) -> str:
    return item.text


def _exclusion_roles(item: NotRecommended) -> tuple[tuple[str, Check], ...]:
    return () if item.check is None else (("rule", item.check),)


def _title(node: Node) -> str | None:
    return node.title if isinstance(node, AllOf | AnyOf) else None
