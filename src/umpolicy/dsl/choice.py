"""Enumerations whose repr is the expression that names the member.

``repr(Outcome.APPROVE)`` is ``Outcome.APPROVE``, not Python's ``<Outcome.APPROVE:
'approve'>``: a record holding one (a decision, a request) has a repr that rebuilds it,
as every value class of umpolicy does.
"""

from __future__ import annotations

import enum


class Choice(enum.Enum):
    """An enumeration of the vocabulary or the engine: its members' reprs rebuild them."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"
