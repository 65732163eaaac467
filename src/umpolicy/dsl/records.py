"""The trail's records are named tuples that equal only their own kind.

:class:`~umpolicy.Trail`, :class:`~umpolicy.Finding` and :class:`~umpolicy.Fact`
are immutable records that a full trail builds some forty of per request. As
named tuples they are built in one step, where a frozen attrs class sets each
field in turn (about three times the cost). :func:`record` takes away what a value
record must not inherit from a plain tuple: equality with any tuple of the same
items (or with a record of another kind), and ordering.
"""

from __future__ import annotations

from typing import Any, TypeVar

R = TypeVar("R", bound=type[tuple[object, ...]])

#: ``Record(...)`` with every field given, in ``Record._fields`` order, without the call
#: to the named tuple's constructor: for the code that builds records per request.
new = tuple.__new__


def _equal(self: tuple[object, ...], other: object) -> Any:
    if not isinstance(other, tuple):
        return NotImplemented  # as attrs does: the other side may know better
    return type(other) is type(self) and tuple.__eq__(self, other) is True


def _unequal(self: tuple[object, ...], other: object) -> Any:
    equal = _equal(self, other)
    return equal if equal is NotImplemented else not equal


def _unordered(self: tuple[object, ...], _other: object) -> Any:
    # Raised, not NotImplemented: a plain tuple on the other side would order them.
    raise TypeError(f"{type(self).__name__} records have no order")


def record(cls: R) -> R:
    """Make the named tuple ``cls`` equal only to an instance of ``cls``, and unordered.

    Its hash stays the tuple's: equal records hash alike.
    """
    cls.__eq__ = _equal  # type: ignore[method-assign]
    cls.__ne__ = _unequal  # type: ignore[assignment,method-assign]
    for name in ("__lt__", "__le__", "__gt__", "__ge__"):
        setattr(cls, name, _unordered)
    return cls
