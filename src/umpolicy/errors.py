"""The one error bad input raises: every problem, each named by its path and reason."""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Iterable
from decimal import Decimal
from typing import TypeGuard

from attrs import field, frozen

#: How much of a bad value an error message quotes.
SHOWN = 40
#: The longest path or reason of an error, in characters.
LONGEST = 400


def _cut(text: str) -> str:
    return text if len(text) <= LONGEST else f"{text[: LONGEST - 1]}…"


#: A key a path names plainly, ``.key``: every question's id is one.
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def plain_key(key: object) -> TypeGuard[str]:
    """Whether a path names ``key`` as ``.key``; any other is ``['a.b']``, quoted.

    A key with a dot, a bracket, " @ ", a line break or an invisible character, written
    plainly, would make a path that reads as another (``.a.b``) or breaks the message.
    """
    return isinstance(key, str) and _PLAIN_KEY.fullmatch(key) is not None


def keyed(path: str, key: object) -> str:
    """The path of ``key`` within ``path``: ``$.answers.q``, or ``$.answers['a.b']``."""
    return f"{path}.{key}" if plain_key(key) else f"{path}[{key!r}]"


def shown(value: object) -> str:
    """A value as an error message quotes it: its repr, cut to :data:`SHOWN` characters.

    A decimal is quoted as the number it is (``1E+999999``), as the JSON text that
    gave it wrote it, not as Python's ``Decimal('1E+999999')``.

    A 10 MB string in a request must not make a 10 MB error. Nor may a value whose
    repr fails make any error at all: it is said in a few words instead, an integer
    past Python's limit on the digits it writes out (:func:`sys.get_int_max_str_digits`)
    as one of more digits than that, anything else by its type.
    """
    try:
        text = str(value) if isinstance(value, Decimal) else repr(value)
    except Exception:  # an integer of more than 4300 digits, or a repr of a caller's that fails
        if isinstance(value, int):
            return f"an integer of more than {sys.get_int_max_str_digits()} digits"
        return f"an unprintable {type(value).__name__}"
    return text if len(text) <= SHOWN else f"{text[: SHOWN - 1]}…"


def suggestion(given: object, choices: Iterable[str]) -> str | None:
    """The choice ``given`` most likely misspells (``birthdate`` → ``birth_date``), or ``None``.

    Case is ignored; the closest by :func:`difflib.get_close_matches` wins when it is
    close (a ratio of 0.7 or more), or nearly so and starts alike (0.6, and the first
    three characters: ``failed`` → ``failure``, but not ``dosage`` → ``date``). A
    value longer than :data:`SHOWN` characters gets none: its cost stays bounded, and
    so does the message.
    """
    if not isinstance(given, str) or len(given) > SHOWN:
        return None
    folded = {choice.casefold(): choice for choice in choices}
    word = given.casefold()
    for found in difflib.get_close_matches(word, folded, n=3, cutoff=0.6):
        close = difflib.SequenceMatcher(None, word, found).ratio() >= 0.7
        if (close or found[:3] == word[:3]) and folded[found] != given:
            return folded[found]
    return None


def did_you_mean(given: object, choices: Iterable[str]) -> str:
    """`` (did you mean 'birth_date'?)`` for a :func:`suggestion`, else nothing."""
    found = suggestion(given, choices)
    return "" if found is None else f" (did you mean {found!r}?)"


@frozen
class FieldError:
    """One problem with the input: where (``$.patient.weight``) and why.

    Both are cut to a bounded length (:data:`LONGEST`): a path or a reason that quotes a
    100,000-character key must not make an error of that size.
    """

    path: str = field(converter=_cut)
    reason: str = field(converter=_cut)

    def __str__(self) -> str:
        return f"{self.reason} @ {self.path}"


#: The most problems one error lists; then it says how many more there are.
MAX_ERRORS = 100


class InputError(ValueError):
    """Malformed input: raised instead of any decision, never an approval.

    ``errors`` lists every problem found (at most :data:`MAX_ERRORS`, then how many
    more), each as a path into the input and a reason, e.g. ``required field missing @
    $.date``.
    """

    def __init__(self, errors: tuple[FieldError, ...] | list[FieldError]) -> None:
        found = tuple(errors)
        if len(found) > MAX_ERRORS:
            more = f"and {len(found) - MAX_ERRORS} more problems (the first {MAX_ERRORS} shown)"
            found = (*found[:MAX_ERRORS], FieldError("$", more))
        self.errors = found
        super().__init__("\n".join(map(str, self.errors)))

    def __repr__(self) -> str:
        return f"InputError({list(self.errors)!r})"


class UnknownPolicyError(LookupError):
    """No policy of that name is registered."""


class PolicyError(ValueError):
    """A policy that cannot decide as written: the reason names the node or the fact.

    Raised when a policy is first loaded or used, never per request: a label used
    twice, a fact no reader knows, an approval period that is not whole months or
    years, no catch-all item in CONDITIONS NOT RECOMMENDED.
    """
