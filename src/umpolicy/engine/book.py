"""The facts of one request under one policy, read on first use and kept.

A :class:`FactBook` reads each fact once: the shared vocabulary's from the request,
the policy's answers from ``answers.<policy>``, the policy's derived facts from
their inputs. What it has read becomes the trail's facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from umpolicy.dsl.checks import Check
from umpolicy.dsl.findings import Fact, Finding
from umpolicy.vocabulary.facts import Reader
from umpolicy.vocabulary.request import Request


class FactBook:
    """The facts of one request, read on first use and kept, in the order first read."""

    __slots__ = ("_readers", "answers", "facts", "found", "request")

    def __init__(
        self, readers: Mapping[str, Reader], request: Request, answers: Mapping[str, Any]
    ) -> None:
        self._readers = readers
        self.request = request
        self.answers = answers
        self.facts: dict[str, Fact] = {}
        #: Each recurring check's finding by the identity of its canonical instance.
        self.found: dict[int, Finding] = {}

    def __getitem__(self, name: str) -> Fact:
        fact = self.facts.get(name)
        if fact is None:
            fact = self.facts[name] = self._readers[name](self)
        return fact

    def finding(self, check: Check) -> Finding:
        """The check's finding for this request, worked out once (checks are immutable)."""
        key = id(check)
        found = self.found.get(key)
        if found is None:
            found = self.found[key] = check.evaluate(self)
        return found

    def add(self, fact: Fact) -> None:
        """Keep a fact a check derived (a dose per kg); the first one of a name stays."""
        self.facts.setdefault(fact.name, fact)
