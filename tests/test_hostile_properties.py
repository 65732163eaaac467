"""Hostile input, property-based: perturbed example requests are refused, never approved.

Each class perturbs the shipped example requests of both policies in one way (see
:mod:`tests.hostile_strategies`) and checks every draw with one oracle: an input error
whose paths all start with ``$`` (and name the place changed), or a decision; never
another exception, never a whole huge value echoed, and never an approval unless the
example was approved and only free text (an id, a name, a display) changed. A field made
null is unknown, as if left out: it may still approve what the example approved (a
height for a dose per kilogram), never what it did not. Time and memory per request are
measured by ``nox -s stress`` (benchmarks/stress.py), not here.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings

from tests.hostile_strategies import (
    EXAMPLES,
    Hostile,
    Raw,
    duplicate_keys,
    emit,
    invalid_utf8,
    judge,
    numbers,
    other_encodings,
    other_types,
    oversize_lists,
    oversize_objects,
    oversize_text,
    replaced,
    truncations,
    unicode_strings,
)
from umpolicy import InputError, load_policy

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


MELANOMA_IV = next(e for e in EXAMPLES if e.name == "melanoma-iv-approve.json")
GVHD = next(e for e in EXAMPLES if e.name == "gvhd-approve.json")


def changed(loc: tuple[str | int, ...], value: Any, where: str, base: Any = None) -> Hostile:
    """The melanoma approval with one value replaced, as escaped JSON text: must be refused."""
    data = replaced(MELANOMA_IV.data if base is None else base, loc, value)
    return Hostile(emit(data), MELANOMA_IV, where, "refused")


#: A whole number of 1001 digits: its error quotes it whole (src/umpolicy/io/validation.py:199).
HUGE_COUNT = changed(
    ("medication", "schedule", "doses_per_cycle"),
    Raw("1" + "0" * 1000),
    "$.medication.schedule.doses_per_cycle",
)
#: 3,000 answers to no question: 3,000 errors, uncapped (src/umpolicy/io/validation.py:393).
UNKNOWN_ANSWERS = Hostile(
    emit(
        replaced(
            GVHD.data,
            ("answers", "proleukin"),
            {**GVHD.data["answers"]["proleukin"], **{f"x{n}": None for n in range(3000)}},
        )
    ),
    GVHD,
    "$.answers.proleukin",
    "refused",
)
#: A key of 100,000 characters, echoed whole in the error's reason (cattrs' extra fields).
LONG_KEY = changed(("patient",), {**MELANOMA_IV.data["patient"], "k" * 100_000: 1}, "$.patient")


#: A no-break space before a dose: read as the dose and approved (src/umpolicy/dsl/quantity.py:57).
SPACED_DOSE = Hostile(
    emit(replaced(MELANOMA_IV.data, ("medication", "dose", "value"), "\u00a043500000")),
    MELANOMA_IV,
    "$.medication.dose.value",
    "decided",
)


def refused(hostile: Hostile) -> InputError:
    outcome = judge(hostile)
    assert isinstance(outcome, InputError), outcome
    return outcome


class TestExamples:
    """The perturbations start from every shipped example of both policies, as decided."""

    def test_both_policies_and_approvals(self) -> None:
        assert load_policy("quellimab").name == "quellimab"
        assert {e.data["policy"] for e in EXAMPLES} == {"proleukin", "quellimab"}
        assert sum(e.approved for e in EXAMPLES) >= 8
        assert sum(not e.approved for e in EXAMPLES) >= 8


class TestDuplicateKeys:
    """A key given twice in an object at any depth is an input error naming that key."""

    @FAST
    @given(duplicate_keys())
    def test_refused_at_the_key(self, hostile: Hostile) -> None:
        assert hostile.where in [e.path for e in refused(hostile).errors]


class TestHugeNumbers:
    """A number past its digits or exponent (as text or a JSON number) is an input error."""

    @FAST
    @given(numbers())
    @example(HUGE_COUNT)
    def test_refused_at_the_number(self, hostile: Hostile) -> None:
        refused(hostile)


class TestUnicode:
    """Any character in any string or key is refused or decided: approved only in free text."""

    @settings(max_examples=400, deadline=None)
    @given(unicode_strings())
    @example(SPACED_DOSE)
    def test_refused_or_decided(self, hostile: Hostile) -> None:
        judge(hostile)


class TestJsonTypes:
    """Another JSON type in any field is an input error; null is unknown, never an approval."""

    @settings(max_examples=400, deadline=None)
    @given(other_types())
    def test_refused_or_unknown(self, hostile: Hostile) -> None:
        judge(hostile)


class TestOversize:
    """Oversize lists, objects and text are refused, each error short, at most 101 of them."""

    @SLOW
    @given(oversize_lists())
    def test_lists(self, hostile: Hostile) -> None:
        refused(hostile)

    @SLOW
    @given(oversize_objects())
    @example(UNKNOWN_ANSWERS)
    def test_objects(self, hostile: Hostile) -> None:
        assert len(refused(hostile).errors) <= 101

    @SLOW
    @given(oversize_text())
    @example(LONG_KEY)
    def test_text_and_keys(self, hostile: Hostile) -> None:
        refused(hostile)


class TestTruncation:
    """A request cut at any byte or character is malformed JSON, an error at ``$``."""

    @FAST
    @given(truncations())
    def test_refused_at_the_root(self, hostile: Hostile) -> None:
        assert [e.path for e in refused(hostile).errors] == ["$"]


class TestEncodings:
    """JSON is UTF-8 (RFC 8259): other bytes, other encodings and a BOM are refused at $."""

    @FAST
    @given(invalid_utf8())
    def test_invalid_utf8_is_refused(self, hostile: Hostile) -> None:
        assert [e.path for e in refused(hostile).errors] == ["$"]

    @settings(max_examples=60, deadline=None)
    @given(other_encodings())
    def test_other_encodings_are_refused(self, hostile: Hostile) -> None:
        assert [e.path for e in refused(hostile).errors] == ["$"]
