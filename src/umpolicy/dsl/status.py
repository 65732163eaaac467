"""Kleene's three-valued logic: a criterion is met, not met, or unknown.

A criterion whose fact is absent is *unknown*, never silently false or true, and
the connectives below keep it so: ``unknown & not met`` is not met (the answer is
settled whatever the missing fact says), ``unknown & met`` stays unknown.
"""

from __future__ import annotations

from collections.abc import Iterable

from umpolicy.dsl.choice import Choice


class Status(Choice):
    """The truth value of a criterion for one request."""

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"

    def __and__(self, other: Status) -> Status:
        if self is Status.NOT_MET or other is Status.NOT_MET:
            return Status.NOT_MET
        if self is Status.UNKNOWN or other is Status.UNKNOWN:
            return Status.UNKNOWN
        return Status.MET

    def __or__(self, other: Status) -> Status:
        if self is Status.MET or other is Status.MET:
            return Status.MET
        if self is Status.UNKNOWN or other is Status.UNKNOWN:
            return Status.UNKNOWN
        return Status.NOT_MET

    def __invert__(self) -> Status:
        if self is Status.UNKNOWN:
            return Status.UNKNOWN
        return Status.NOT_MET if self is Status.MET else Status.MET

    @classmethod
    def of(cls, value: bool) -> Status:
        """The status of a settled comparison."""
        return cls.MET if value else cls.NOT_MET


def all_met(statuses: Iterable[Status]) -> Status:
    """Kleene conjunction of any number of statuses (``MET`` for none)."""
    result = Status.MET
    for status in statuses:
        if status is Status.NOT_MET:
            return Status.NOT_MET
        if status is Status.UNKNOWN:
            result = Status.UNKNOWN
    return result


def any_met(statuses: Iterable[Status]) -> Status:
    """Kleene disjunction of any number of statuses (``NOT_MET`` for none)."""
    result = Status.NOT_MET
    for status in statuses:
        if status is Status.MET:
            return Status.MET
        if status is Status.UNKNOWN:
            result = Status.UNKNOWN
    return result
