"""Hostile requests for property tests and the stress benchmark: valid examples, perturbed.

Every strategy starts from a shipped example request (both policies) and perturbs it in
one way, and draws a :class:`Hostile`: the text (``str`` or ``bytes``) to give to
``umpolicy.api.evaluate``, the example it came from, where it was changed, and what the
change allows. :func:`judge` is the one oracle: an :class:`~umpolicy.InputError` whose
every path starts with ``$`` (naming the place changed, when that is known), or a
:class:`~umpolicy.Decision`; never another exception, never a message that echoes a huge
value, and never an approval unless the example was approved and only free text (an id, a
name, a display) was changed.
"""

from __future__ import annotations

import collections.abc
import json
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final, Literal

import attrs
from attrs import frozen
from hypothesis import assume
from hypothesis import strategies as st

from umpolicy import Decision, InputError, Outcome, Quantity, Request, load_policy
from umpolicy.api import evaluate

ROOT: Final = Path(__file__).resolve().parent.parent
EXAMPLE_FILES: Final = (
    *sorted((ROOT / "examples" / "proleukin").glob("*.json")),
    *sorted((ROOT / "examples" / "quellimab-policy" / "examples").glob("*.json")),
)

Loc = tuple[str | int, ...]
#: What a change may still give: ``free`` (an approval if the example had one: only free
#: text changed), ``unknown`` (a field made null: an approval only if the example had one),
#: ``decided`` (any decision but an approval), ``refused`` (an input error, nothing else).
Allows = Literal["free", "unknown", "decided", "refused"]

#: The longest reason an error may give: values are quoted in part, never whole.
MAX_REASON = 400
#: The most errors one input error lists, and one more that counts the rest.
MAX_ERRORS = 100


@frozen(repr=False)
class Example:
    """A shipped example request: its file name, JSON data, text, and whether it approves."""

    name: str
    data: Any
    text: str
    approved: bool

    def __repr__(self) -> str:
        return f"Example({self.name})"


def _example(path: Path) -> Example:
    text = path.read_text()
    return Example(path.name, json.loads(text), text, evaluate(text).outcome is Outcome.APPROVE)


EXAMPLES: Final = tuple(_example(path) for path in EXAMPLE_FILES)


@frozen
class Raw:
    """JSON text written as it is (a number JSON's encoder would not write)."""

    text: str


@frozen(repr=False)
class Hostile:
    """One perturbed request: its text, its example, where it changed, and what it allows."""

    text: str | bytes
    example: Example
    where: str
    allows: Allows

    def __repr__(self) -> str:
        shown = self.text if len(self.text) <= 300 else self.text[:300]
        return f"Hostile({self.example.name} @ {self.where}, {self.allows}, {shown!r}…)"


def path_of(loc: Loc) -> str:
    """A location as the errors name it: ``$.therapies.prior[0].name``."""
    return "$" + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in loc)


def related(one: str, other: str) -> bool:
    """Whether one path is the other or holds it (``$.a`` holds ``$.a.b`` and ``$.a[0]``)."""
    short, long = sorted((one, other), key=len)
    return long == short or long.startswith((short + ".", short + "["))


def is_free_text(loc: Loc) -> bool:
    """Whether a value is free text the policies never read: the id, a name, a display."""
    if loc == ("id",) or (loc and loc[-1] == "display"):
        return True
    return len(loc) >= 2 and loc[-1] == "name" and loc[0] in ("medication", "therapies")


def locations(data: Any, loc: Loc = ()) -> Iterator[tuple[Loc, Any]]:
    """Every value in JSON data with its location, the whole first."""
    yield loc, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from locations(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from locations(value, (*loc, index))


def replaced(data: Any, loc: Loc, value: Any) -> Any:
    """A copy of ``data`` with the value at ``loc`` replaced (the rest shared)."""
    if not loc:
        return value
    head, *rest = loc
    if isinstance(data, dict):
        return {k: replaced(v, tuple(rest), value) if k == head else v for k, v in data.items()}
    return [replaced(v, tuple(rest), value) if i == head else v for i, v in enumerate(data)]


def renamed(data: Any, loc: Loc, key: str) -> Any:
    """A copy of ``data`` with the key at ``loc`` renamed, in place in its object."""
    *parent, old = loc
    holder = data
    for step in parent:
        holder = holder[step]
    pairs = {key if k == old else k: v for k, v in holder.items()}
    return replaced(data, tuple(parent), pairs)


@frozen
class Extra:
    """A pair written into the object at ``loc`` as its ``index``-th pair: a key twice."""

    loc: Loc
    index: int
    key: str
    value: Any


def emit(
    data: Any, *, ascii_only: bool = True, extra: Extra | None = None, compact: bool = False
) -> str:
    """JSON text for ``data``, with :class:`Raw` numbers and an :class:`Extra` pair written in.

    ``compact``: without white space, as orjson writes JSON (which loads reads by orjson).
    """
    colon, comma = (":", ",") if compact else (": ", ", ")
    return "".join(_emit(data, (), ascii_only, extra, (colon, comma)))


def _emit(
    data: Any, loc: Loc, ascii_only: bool, extra: Extra | None, marks: tuple[str, str]
) -> Iterator[str]:
    colon, comma = marks
    if isinstance(data, Raw):
        yield data.text
    elif isinstance(data, dict):
        pairs: list[tuple[str, Any]] = list(data.items())
        if extra is not None and extra.loc == loc:
            pairs.insert(extra.index, (extra.key, extra.value))
        yield "{"
        for number, (key, value) in enumerate(pairs):
            yield comma if number else ""
            yield json.dumps(key, ensure_ascii=ascii_only) + colon
            yield from _emit(value, (*loc, key), ascii_only, extra, marks)
        yield "}"
    elif isinstance(data, list):
        yield "["
        for index, value in enumerate(data):
            yield comma if index else ""
            yield from _emit(value, (*loc, index), ascii_only, extra, marks)
        yield "]"
    else:
        yield json.dumps(data, ensure_ascii=ascii_only)


#: How a request's text is given: escaped ASCII, text, or UTF-8 bytes; and each of the
#: last two compact, as orjson writes JSON (loads reads that text by orjson).
Encoding = Literal["escaped", "text", "utf-8", "compact text", "compact utf-8"]


def encoded(text: str, encoding: Encoding) -> str | bytes:
    """The text as given to evaluate: as it is, or as UTF-8 (a lone surrogate as its bytes)."""
    return text.encode("utf-8", "surrogatepass") if encoding.endswith("utf-8") else text


def written(data: Any, encoding: Encoding, extra: Extra | None = None) -> str | bytes:
    """``data`` as JSON text in an encoding: escaped ASCII, text, or UTF-8 bytes."""
    compact = encoding.startswith("compact")
    text = emit(data, ascii_only=encoding == "escaped", extra=extra, compact=compact)
    return encoded(text, encoding)


def judge(hostile: Hostile) -> Decision | InputError:
    """Evaluate a hostile request and check the outcome against what its change allows."""
    try:
        outcome: Decision | InputError = evaluate(hostile.text)
    except InputError as error:
        outcome = error
    if isinstance(outcome, InputError):
        errors = outcome.errors
        paths = [each.path for each in errors]
        assert paths, "an input error that names no field"
        assert all(related("$", p) for p in paths), paths
        long = [e for e in errors if len(e.reason) > MAX_REASON]
        assert not long, f"an error echoes {len(long[0].reason)} characters at {long[0].path}"
        wide = [p for p in paths if len(p) > MAX_REASON]
        assert not wide, f"an error path of {len(wide[0])} characters: {wide[0][:60]}…"
        assert len(errors) <= MAX_ERRORS + 1, f"{len(errors)} errors, not capped"
        if hostile.where != "$":
            assert any(related(hostile.where, p) for p in paths), (hostile.where, paths)
        return outcome
    assert isinstance(outcome, Decision)
    assert hostile.allows != "refused", f"{outcome.outcome.value}, not an input error"
    if outcome.outcome is Outcome.APPROVE:
        assert hostile.allows in ("free", "unknown"), "approved after a change to what it decides"
        assert hostile.example.approved, "approved, and the example was not"
    return outcome


# --- The JSON values a field may be given ---------------------------------------------

Kind = Literal["null", "boolean", "number", "string", "list", "object"]


def kind_of(value: Any) -> Kind:
    """The JSON type of a value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "object"


def _scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.decimals(allow_nan=False, allow_infinity=False, places=3).map(lambda d: Raw(str(d))),
        st.text(max_size=8),
        st.sampled_from(["", "0", "43500000", "kg", "C43.9", "initial", "approve", "true"]),
    )


def json_values(kind: Kind) -> st.SearchStrategy[Any]:
    """Small JSON values of one type."""
    leaf = st.one_of(st.none(), _scalars())
    tree = st.recursive(
        leaf,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
        max_leaves=6,
    )
    by_kind: dict[Kind, st.SearchStrategy[Any]] = {
        "null": st.none(),
        "boolean": st.booleans(),
        "number": st.one_of(
            st.integers(-(10**6), 10**6),
            st.decimals(allow_nan=False, allow_infinity=False, places=3).map(lambda d: Raw(str(d))),
        ),
        "string": st.text(max_size=12),
        "list": st.lists(tree, max_size=3),
        "object": st.dictionaries(st.text(max_size=8), tree, max_size=3),
    }
    return by_kind[kind]


KINDS: Final[tuple[Kind, ...]] = ("null", "boolean", "number", "string", "list", "object")

examples = st.sampled_from(EXAMPLES)
encodings: st.SearchStrategy[Encoding] = st.sampled_from(
    ["escaped", "text", "utf-8", "compact text", "compact utf-8"]
)


def _pick(draw: st.DrawFn, where: Callable[[Loc, Any], bool]) -> tuple[Example, Loc, Any]:
    """An example, and a location in it (with its value) that ``where`` accepts."""
    example = draw(examples)
    found = [(loc, value) for loc, value in locations(example.data) if where(loc, value)]
    loc, value = draw(st.sampled_from(found))
    return example, loc, value


# --- Duplicate keys -------------------------------------------------------------------


@st.composite
def duplicate_keys(draw: st.DrawFn) -> Hostile:
    """A key of an object at any depth given twice: the same value, or any other."""
    example, loc, obj = _pick(draw, lambda _, v: isinstance(v, dict) and bool(v))
    key = draw(st.sampled_from(sorted(obj)))
    value = draw(st.one_of(st.just(obj[key]), *(json_values(k) for k in KINDS)))
    extra = Extra(loc, draw(st.integers(0, len(obj))), key, value)
    text = written(example.data, draw(encodings), extra)
    return Hostile(text, example, path_of((*loc, key)), "refused")


# --- Numbers --------------------------------------------------------------------------


def _is_number(loc: Loc, value: Any) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and bool(loc) and loc[-1] == "value"


@st.composite
def huge_numbers(draw: st.DrawFn) -> str:
    """Decimal text past the limits: a huge or tiny exponent, or too many digits."""
    sign = draw(st.sampled_from(["", "-", "+"]))
    mantissa = draw(st.sampled_from(["1", "0", "9.99", "0.000", "43500000", "1.5"]))
    # Past ±40 whatever the mantissa: "0.000e41" is 0E+38, an exponent within the limits.
    exponent = draw(st.one_of(st.integers(44, 10**18), st.integers(-(10**18), -41)))
    many = draw(st.integers(41, 20_000))
    first = draw(st.sampled_from("123456789"))
    digits = first + draw(st.sampled_from("0123456789")) * (many - 1)
    point = draw(st.integers(0, len(digits)))
    return draw(
        st.sampled_from(
            [
                f"{sign}{mantissa}e{exponent}",
                f"{sign}{mantissa}E{exponent:+d}",
                f"{sign}{digits}",
                f"{sign}{digits[:point]}.{digits[point:]}",
                f"{sign}0.{'0' * many}{first}",
            ]
        )
    )


@st.composite
def numbers(draw: st.DrawFn) -> Hostile:
    """Every number of a request (decimal text or a JSON number) past its limits."""
    example, loc, value = _pick(draw, _is_number)
    number = draw(huge_numbers())
    as_text = isinstance(value, str) and draw(st.booleans())
    data = replaced(example.data, loc, number if as_text else Raw(number))
    return Hostile(written(data, draw(encodings)), example, path_of(loc), "refused")


# --- Unicode --------------------------------------------------------------------------

#: Every Unicode general category.
_CATEGORY_NAMES = (
    "Lu Ll Lt Lm Lo Mn Mc Me Nd Nl No Pc Pd Ps Pe Pi Pf Po Sm Sc Sk So Zs Zl Zp Cc Cf Cs Co Cn"
)
CATEGORIES: Final = tuple(_CATEGORY_NAMES.split())
ZERO_WIDTH: Final = "\u200b\u200c\u200d\u2060\ufeff\u180e\u00ad"
BIDI: Final = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
SPACES: Final = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2028\u2029\u3000"
CONFUSABLES: Final = "\u0131\u0130\u017f\u212a\u0430\u0435\u043e\uff10\uff11\u2024\uff0e"

hostile_characters = st.one_of(
    st.sampled_from(CATEGORIES).flatmap(lambda c: st.characters(categories=[c])),  # type: ignore[list-item]
    st.sampled_from(ZERO_WIDTH + BIDI + SPACES + CONFUSABLES),
    st.characters(categories=["Nd"]).filter(lambda c: not c.isascii()),
    st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff"]),
)


@st.composite
def unicode_text(draw: st.DrawFn, original: str) -> str:
    """The text with hostile characters put in, at the ends or inside, or in its place."""
    marks = "".join(draw(st.lists(hostile_characters, min_size=1, max_size=4)))
    at = draw(st.integers(0, len(original)))
    return draw(st.sampled_from([original[:at] + marks + original[at:], marks, original + marks]))


def _keyed(loc: Loc) -> bool:
    return bool(loc) and isinstance(loc[-1], str)


@st.composite
def unicode_strings(draw: st.DrawFn) -> Hostile:
    """Every string of a request (values and keys) with characters of every category."""
    example, loc, value = _pick(draw, lambda loc, v: isinstance(v, str) or _keyed(loc))
    key = not isinstance(value, str) or (_keyed(loc) and draw(st.booleans()))
    allows: Allows
    if key:
        changed = renamed(example.data, loc, draw(unicode_text(str(loc[-1]))))
        where, allows = path_of(loc[:-1]), "decided"  # a key no request has: never approved
    else:
        changed = replaced(example.data, loc, draw(unicode_text(value)))
        where, allows = path_of(loc), "free" if is_free_text(loc) else "decided"
    return Hostile(written(changed, draw(encodings)), example, where, allows)


# --- Every field of the vocabulary ---------------------------------------------------


def field_locations(kind: Any = Request, loc: Loc = ()) -> Iterator[Loc]:
    """The location of every field of the request vocabulary, at any depth.

    A list's first item stands for every item; a quantity's value and unit are fields;
    the answers are each question of both policies (and each field of a listed
    answer's item), and a question of no policy.
    """
    hints = typing.get_type_hints(kind)
    for field in attrs.fields(kind):
        here = (*loc, field.name)
        yield here
        hint = hints[field.name]
        optional = typing.get_origin(hint) in (typing.Union, types.UnionType)
        inner = next(a for a in typing.get_args(hint) if a is not type(None)) if optional else hint
        if typing.get_origin(inner) is tuple:
            here, inner = (*here, 0), typing.get_args(inner)[0]
            yield here
        if inner is Quantity:
            yield (*here, "value")
            yield (*here, "unit")
        elif attrs.has(inner):
            yield from field_locations(inner, here)
        elif typing.get_origin(inner) is collections.abc.Mapping:
            for policy in (load_policy("proleukin"), load_policy("quellimab")):
                for question in policy.questions:
                    yield (*here, policy.name, question.id)
                    yield from ((*here, policy.name, question.id, 0, f.id) for f in question.fields)
            yield (*here, "other", "q")


def put(data: Any, loc: Loc, value: Any) -> Any:
    """A copy of ``data`` with ``value`` at ``loc``: the objects and items on the way made."""
    if not loc:
        return value
    head, *rest = loc
    if isinstance(head, int):
        items = list(data) if isinstance(data, list) else []
        items += [{} for _ in range(head + 1 - len(items))]
        items[head] = put(items[head], tuple(rest), value)
        return items
    found = dict(data) if isinstance(data, dict) else {}
    found[head] = put(found.get(head), tuple(rest), value)
    return found


# --- Oversize text --------------------------------------------------------------------


@st.composite
def oversize_text(draw: st.DrawFn) -> Hostile:
    """Any string or key of a request past 1000 characters (the whole under 256 KiB)."""
    example, loc, value = _pick(draw, lambda loc, v: isinstance(v, str) or _keyed(loc))
    size = draw(st.one_of(st.integers(1_001, 1_100), st.integers(1_101, 200_000)))
    filler = draw(st.sampled_from(["x", "7", " ", "\u00e9", "\u200b", "\U0001f9ec"]))
    long = (filler * size)[:size]
    if not isinstance(value, str) or (_keyed(loc) and draw(st.booleans())):
        data, where = renamed(example.data, loc, long), path_of(loc[:-1])
    else:
        data, where = replaced(example.data, loc, long), path_of(loc)
    return Hostile(written(data, draw(encodings)), example, where, _answers_of(where))


def _answers_of(where: str) -> Allows:
    """Answers under another policy's name are left alone (by design): decided, not refused."""
    return "decided" if where == "$.answers" else "refused"


# --- JSON types -----------------------------------------------------------------------


@st.composite
def other_types(draw: st.DrawFn) -> Hostile:
    """Every field given a value of every other JSON type (null: the field is unknown)."""
    # A field given as null is unknown: any value there may be of its type; not drawn here.
    example, loc, value = _pick(draw, lambda loc, v: bool(loc) and v is not None)
    was = kind_of(value)
    # A quantity's value may be decimal text or a JSON number: a number is not another type.
    same = {was, "number"} if loc[-1] == "value" and was == "string" else {was}
    kind = draw(st.sampled_from([k for k in KINDS if k not in same]))
    new = draw(json_values(kind))
    allows: Allows = "unknown" if kind == "null" else "refused"
    data = replaced(example.data, loc, new)
    return Hostile(written(data, draw(encodings)), example, path_of(loc), allows)


# --- Oversize lists and objects -------------------------------------------------------


@st.composite
def oversize_lists(draw: st.DrawFn) -> Hostile:
    """Every list of a request past 100 items: copies of its item, or of any value."""
    example, loc, value = _pick(draw, lambda _, v: isinstance(v, list))
    item = draw(st.sampled_from(value) if value else json_values(draw(st.sampled_from(KINDS))))
    size = draw(st.one_of(st.integers(101, 120), st.integers(121, 5_000)))
    data = replaced(example.data, loc, [item] * size)
    return Hostile(written(data, draw(encodings)), example, path_of(loc), "refused")


@st.composite
def oversize_objects(draw: st.DrawFn) -> Hostile:
    """An object at any depth with hundreds of keys no request has."""
    example, loc, _ = _pick(draw, lambda _, v: isinstance(v, dict))
    size = draw(st.integers(101, 3_000))
    value = draw(json_values(draw(st.sampled_from(KINDS))))
    holder: Any = example.data
    for step in loc:
        holder = holder[step]
    data = replaced(example.data, loc, {**holder, **{f"x{n}": value for n in range(size)}})
    where = path_of(loc)
    return Hostile(written(data, draw(encodings)), example, where, _answers_of(where))


# --- Truncation and encodings ---------------------------------------------------------

#: A display that is not ASCII, so that a cut can fall inside a character.
WIDE_DISPLAY: Final = "Mélanome ≥ 18 ans — 黒色腫 \U0001f9ec"


def _wide(example: Example) -> Any:
    for loc, _ in locations(example.data):
        if loc and loc[-1] == "display":
            return replaced(example.data, loc, WIDE_DISPLAY)
    return replaced(example.data, ("id",), WIDE_DISPLAY)


@st.composite
def truncations(draw: st.DrawFn) -> Hostile:
    """The text of a request cut at any byte (or character): always malformed JSON."""
    example = draw(examples)
    text = draw(st.sampled_from([example.text, emit(_wide(example), ascii_only=False)]))
    whole: str | bytes = text.encode() if draw(st.booleans()) else text
    cut = whole[: draw(st.integers(0, len(whole.rstrip()) - 1))]
    return Hostile(cut, example, "$", "refused")


#: Byte sequences that are never UTF-8: stray continuation bytes, overlong forms, an
#: encoded surrogate, code points past U+10FFFF, sequences cut short, bytes never used.
INVALID_UTF8: Final = (
    b"\x80",
    b"\xbf",
    b"\xc0\x80",
    b"\xc1\xbf",
    b"\xe0\x80\x80",
    b"\xed\xa0\x80",
    b"\xed\xbf\xbf",
    b"\xf4\x90\x80\x80",
    b"\xf8\x88\x80\x80\x80",
    b"\xe2\x82",
    b"\xf0\x9f\x98",
    b"\xfe",
    b"\xff",
)


@st.composite
def invalid_utf8(draw: st.DrawFn) -> Hostile:
    """A request's UTF-8 with bytes that are not UTF-8 put in (or in place of one) anywhere."""
    example = draw(examples)
    data = draw(st.sampled_from([example.data, _wide(example)]))
    whole = emit(data, ascii_only=False).encode()
    bad = b"".join(draw(st.lists(st.sampled_from(INVALID_UTF8), min_size=1, max_size=3)))
    at = draw(st.integers(0, len(whole)))
    drop = draw(st.integers(0, 1)) if at < len(whole) else 0
    text = whole[:at] + bad + whole[at + drop :]
    try:  # the bytes put in may complete a character cut by the drop: still UTF-8
        text.decode("utf-8")
    except UnicodeDecodeError:
        return Hostile(text, example, "$", "refused")
    assume(False)
    raise AssertionError("unreachable")


OTHER_ENCODINGS: Final = ("utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be")


@st.composite
def other_encodings(draw: st.DrawFn) -> Hostile:
    """A request in another Unicode encoding (or UTF-8 behind a byte-order mark)."""
    example = draw(examples)
    text = draw(st.sampled_from([example.text, emit(_wide(example), ascii_only=False)]))
    return Hostile(text.encode(draw(st.sampled_from(OTHER_ENCODINGS))), example, "$", "refused")


#: Every hostile family by name, for the benchmark.
FAMILIES: Final[dict[str, st.SearchStrategy[Hostile]]] = {
    "duplicate keys": duplicate_keys(),
    "huge numbers": numbers(),
    "unicode strings": unicode_strings(),
    "other JSON types": other_types(),
    "oversize lists": oversize_lists(),
    "oversize objects": oversize_objects(),
    "oversize text": oversize_text(),
    "truncation": truncations(),
    "invalid UTF-8": invalid_utf8(),
    "other encodings": other_encodings(),
}
