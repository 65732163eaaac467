"""The trail's records are named tuples that equal only their own kind.

:class:`~umpolicy.Trail`, :class:`~umpolicy.Finding` and :class:`~umpolicy.Fact`
are immutable records that a full trail builds some forty of per request. As
named tuples they are built in one step, where a frozen attrs class sets each
field in turn (about three times the cost). :func:`record` takes away the one
trait of a plain named tuple that a value record must not have: being equal to
any tuple of the same items, or to a record of another kind with the same items.
"""

from __future__ import annotations

from typing import TypeVar

R = TypeVar("R", bound=type[tuple[object, ...]])


def _equal(self: tuple[object, ...], other: object) -> bool:
    return type(other) is type(self) and tuple.__eq__(self, other) is True


def _unequal(self: tuple[object, ...], other: object) -> bool:
    return not _equal(self, other)


def record(cls: R) -> R:
    """Make the named tuple ``cls`` equal only to an instance of ``cls`` itself.

    Its hash stays the tuple's: equal records hash alike.
    """
    cls.__eq__ = _equal  # type: ignore[method-assign]
    cls.__ne__ = _unequal  # type: ignore[assignment,method-assign]
    return cls
