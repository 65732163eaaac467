"""What evaluating a request finds: the facts read and each check's finding.

Both are immutable records (see :mod:`umpolicy.dsl.records`). A fact refers to the
facts it is derived from by name, and a finding to the facts it read by name: a
decision keeps each fact once, and the trail refers to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from fractions import Fraction
from typing import NamedTuple

from umpolicy.dsl.quantity import Quantity
from umpolicy.dsl.records import record
from umpolicy.dsl.status import Status

#: A fact's value: a boolean, a code or word, a set of codes, a quantity, a date.
Value = bool | str | frozenset[str] | Quantity | dt.date


@record
class Fact(NamedTuple):
    """A fact's value for one request (``None`` when missing) and, if derived, its inputs.

    ``inputs`` names the facts it was derived from. ``exact_square`` is the exact
    square of ``value`` when the value itself is rounded (a Mosteller BSA).
    ``partial`` is true when a set lists only what the request gives (a consultant's
    specialty is not said): more may be missing.
    """

    name: str
    value: Value | None
    inputs: tuple[str, ...] = ()
    exact_square: Fraction | None = None
    partial: bool = False

    @property
    def missing(self) -> bool:
        """True when the request does not give this fact (or an input it needs)."""
        return self.value is None

    def display(self) -> str:
        """The value for people."""
        shown = display_value(self.value)
        return f"{shown}, and some not given" if self.partial else shown


def missing_inputs(fact: Fact, facts: Mapping[str, Fact]) -> list[str]:
    """The request's facts that leave ``fact`` missing or partial (none when it is known).

    The inputs not given, found through every derived fact; when every input is given
    but one is incomplete (a therapy without its duration, a consultant without a
    specialty), the request's facts it is worked out from: what the request must
    complete.
    """
    if not fact.inputs:
        return [fact.name] if fact.value is None else []
    if fact.value is not None and not fact.partial:
        return []
    names = [name for each in fact.inputs for name in missing_inputs(facts[each], facts)]
    return names or list(dict.fromkeys(_given(fact, facts)))


def to_complete(facts_read: tuple[str, ...], facts: Mapping[str, Fact]) -> list[str]:
    """The request's facts to complete for an unknown finding that read ``facts_read``.

    Those missing or partial (see :func:`missing_inputs`); when every one is given in
    full, a value left it open (a group code that may or may not be of a value set,
    ``L03AC``): then the request's facts it read, to be given more precisely.
    """
    names = [name for each in facts_read for name in missing_inputs(facts[each], facts)]
    return names or [name for each in facts_read for name in _given(facts[each], facts)]


def _given(fact: Fact, facts: Mapping[str, Fact]) -> list[str]:
    """The request's own facts (not derived) that ``fact`` is worked out from."""
    if not fact.inputs:
        return [fact.name]
    return [name for each in fact.inputs for name in _given(facts[each], facts)]


def display_value(value: Value | None) -> str:
    """A fact value as reviewers read it."""
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Quantity):
        return value.display()
    if isinstance(value, frozenset):
        return ", ".join(sorted(value)) if value else "none"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@record
class Finding(NamedTuple):
    """What one check found: its status and the names of the facts behind it.

    For a limit, ``requested`` is the value compared, the fact's own value in its own
    unit (48 d against 7 wk: the comparison is exact across units; a dose worked out
    per kg is a fact of its own, in the limit's unit), and ``limit`` the limit it was
    compared with; ``note`` says how (``7,500 mg ÷ 75 kg = 100 mg/kg``) or why it could
    not be compared.
    """

    status: Status
    facts: tuple[str, ...]
    requested: Quantity | None = None
    limit: Quantity | None = None
    note: str | None = None
