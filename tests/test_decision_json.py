"""A trail's JSON text is the canonical JSON of its data, byte for byte.

``to_json`` writes a trail straight to its text (``umpolicy.io.decision_json``); the
published schema, the golden examples and every fingerprint of a decision rely on it
writing exactly what ``dumps(CONVERTER.unstructure(...))`` writes.
"""

from __future__ import annotations

import datetime as dt
import enum
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import umpolicy
from umpolicy import Decision, Fact, Finding, Trail, decide, dumps, loads, structure
from umpolicy.api import evaluate, to_json
from umpolicy.dsl import kept
from umpolicy.dsl.checks import IsTrue
from umpolicy.dsl.nodes import AllOf, Predicate
from umpolicy.dsl.quantity import Quantity
from umpolicy.dsl.status import Status
from umpolicy.engine import trail
from umpolicy.engine.book import FactBook
from umpolicy.engine.catalog import readers
from umpolicy.engine.trail import Step
from umpolicy.io import decision_json
from umpolicy.io.converter import CONVERTER
from umpolicy.vocabulary.request import Request
from umpolicy_policies.proleukin import POLICY

from .engine_strategies import requests

CORPUS = Path(__file__).parent.parent / "examples" / "proleukin" / "corpus.jsonl"
TODAY = dt.date(2026, 12, 1)  # the day after the corpus's last request
FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def generic(value: object) -> str:
    """The text of the converter's data: what the trail's own text must be."""
    return dumps(CONVERTER.unstructure(value))


def test_corpus() -> None:
    """Every decision of the example corpus, and each read back from its JSON."""
    lines = CORPUS.read_text().splitlines()[::10]
    assert len(lines) == 300
    for line in lines:
        decision = evaluate(line, today=TODAY)
        text = to_json(decision)
        assert text == generic(decision)
        again = structure(loads(text), Decision)  # findings and facts of its own
        assert to_json(again) == text == generic(again)


@FAST
@given(requests(), st.booleans())
def test_generated(request: umpolicy.Request, trail: bool) -> None:
    decision = decide(POLICY, request, trail=trail)
    assert to_json(decision) == generic(decision)


names = st.text(st.characters(codec="utf-8"), max_size=6)  # any but surrogates
quantities = st.builds(
    Quantity,
    st.decimals(min_value=-1000, max_value=1000, places=3),
    st.sampled_from(["mg", "kg", "[iU]/kg", "m2", "{dose}"]),
)
values = st.one_of(
    st.none(),
    st.booleans(),
    names,
    st.frozensets(names, max_size=3),
    quantities,
    st.dates(),
)
statuses = st.sampled_from(list(Status))
findings = st.builds(
    Finding,
    statuses,
    st.tuples(names) | st.tuples(names, names),
    st.none() | quantities,
    st.none() | quantities,
    st.none() | names,
)


@st.composite
def trails(draw: st.DrawFn) -> Trail:
    """Any trail: labels and fact names in any script, every shape of step and fact."""
    shared = draw(st.lists(findings, min_size=1, max_size=3))
    own = findings | st.sampled_from(shared)  # a finding that several steps share
    step = st.builds(
        Step, statuses, st.lists(own, max_size=3).map(tuple), st.booleans(), st.booleans()
    )
    steps = draw(st.dictionaries(names, step, max_size=8))
    facts = draw(
        st.dictionaries(
            names,
            st.tuples(
                values,
                st.lists(names, max_size=2).map(tuple),
                st.none() | st.fractions(min_value=1, max_value=100),
                st.booleans(),
            ),
            max_size=8,
        )
    )
    return Trail(steps, {name: Fact(name, *fact) for name, fact in facts.items()})


@FAST
@given(trails())
def test_any_trail(trail: Trail) -> None:
    data = decision_json.trail_data(trail)
    assert data == CONVERTER.unstructure(trail)
    assert decision_json.trail_text(trail).decode() == dumps(data) == to_json(trail)
    assert list(data["steps"]) == list(trail.steps)  # type: ignore[call-overload]
    assert list(data["facts"]) == list(trail.facts)  # type: ignore[call-overload]
    for name, fact in trail.facts.items():
        assert CONVERTER.unstructure(fact) == data["facts"][name]  # type: ignore[index]


class Color(enum.StrEnum):
    RED = "red"


def test_text_of_a_subclass() -> None:
    """A value of a subclass of text (a policy's own enumeration) is written as its text."""
    trail = Trail({}, {"colour": Fact("colour", Color.RED)})
    assert to_json(trail) == generic(trail) == '{"facts":{"colour":{"value":"red"}},"steps":{}}'
    assert CONVERTER.unstructure(trail)["facts"]["colour"]["value"] is Color.RED


def test_steps_no_longer_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    """A step made beforehand but no longer kept as shared is written in full, the same."""
    line = CORPUS.read_text().splitlines()[0]
    before = to_json(evaluate(line, today=TODAY))
    monkeypatch.setattr(trail, "SHARED", {})
    assert to_json(evaluate(line, today=TODAY)) == before
    monkeypatch.setattr(trail, "KEPT_STEPS", 0)
    node = AllOf("1", "t", (Predicate("a", "t", IsTrue("answers.x")),))
    book = FactBook(
        {**readers(POLICY), "answers.x": lambda _: Fact("answers.x", True)}, Request(TODAY), {}
    )
    assert umpolicy.explain(node, book, {}) is Status.MET
    # Started anew for each step made, keeping the headings' steps:
    assert len(trail.SHARED) == len(trail.HEADINGS) + 1


def test_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """However many trails are written, each cache keeps at most its bound of entries."""
    monkeypatch.setattr(decision_json, "CACHED", 3)
    monkeypatch.setattr(decision_json, "KEPT_STEPS", 3)  # the steps' texts: as many as shared
    # The limits' texts are kept by_identity, bounded by KEPT (see tests/test_kept.py):
    # written the same while it starts anew.
    monkeypatch.setattr(kept, "KEPT", 3)
    for cache in ("_PLAIN", "_ORDERS", "_STEPS"):  # as if new, and as they were after
        monkeypatch.setattr(decision_json, cache, {})
    for line in CORPUS.read_text().splitlines()[:40]:
        decision = evaluate(line, today=TODAY)
        assert to_json(decision) == generic(decision)
    assert 0 < len(decision_json._PLAIN) <= 3
    assert 0 < len(decision_json._ORDERS) <= 3
    assert 0 < len(decision_json._STEPS) <= 3
