"""Entry points and edge paths: api.evaluate, errors, other policy shapes, python -m."""

from __future__ import annotations

import datetime as dt
import io
import json
import runpy
import sys
from pathlib import Path

import attrs
import pytest

from tests.strategies import INTRALESIONAL, INTRAVENOUS, SUBCUTANEOUS
from umpolicy import (
    AllOf,
    AnyOf,
    DoseLimit,
    Fact,
    FieldError,
    Indication,
    InputError,
    IsTrue,
    Medication,
    OneOf,
    Outcome,
    Predicate,
    Quantity,
    Request,
    Trail,
    UnknownPolicyError,
    decide,
    policy_names,
    structure,
)
from umpolicy.api import evaluate, parse_request
from umpolicy.io.converter import CONVERTER
from umpolicy_policies.proleukin import POLICY

APPROVE = Path(__file__).parent.parent / "examples" / "proleukin" / "rcc-approve.json"
DATE = dt.date(2026, 3, 2)


class TestEvaluate:
    """evaluate accepts text, bytes, mappings or a Request, and a policy or its name."""

    def test_inputs(self) -> None:
        text = APPROVE.read_text()
        request = parse_request(text)
        first, *others = (
            evaluate(text),
            evaluate(text.encode()),
            evaluate(request),
            evaluate(request, "proleukin"),
            evaluate(request, POLICY),
            evaluate(json.loads(text)),
        )
        assert all(other == first for other in others)
        assert evaluate(request, trail=False).trail is None

    def test_request_object_without_policy(self) -> None:
        with pytest.raises(InputError, match=r"^required field missing \(or name a policy\)"):
            evaluate(Request(DATE))

    def test_decide_validates(self) -> None:
        with pytest.raises(InputError, match=r"plausible request date @ \$\.date"):
            decide(POLICY, Request(dt.date(1800, 1, 1)))


class TestErrors:
    """InputError lists its field errors in its message and repr."""

    def test_repr_and_str(self) -> None:
        error = InputError([FieldError("$.a", "bad"), FieldError("$", "worse")])
        assert str(error) == "bad @ $.a\nworse @ $"
        assert repr(error) == (
            "InputError([FieldError(path='$.a', reason='bad'), "
            "FieldError(path='$', reason='worse')])"
        )
        assert isinstance(error, ValueError)


class TestStructureEdges:
    """Structuring problems outside cattrs' own errors still become InputError at $."""

    def test_fact_value_of_wrong_kind(self) -> None:
        data = {"steps": {}, "facts": {"x": {"value": 5}}}
        with pytest.raises(InputError, match=r"^not a fact value: 5 @ \$$"):
            structure(data, Trail)

    def test_fact_missing_key(self) -> None:
        with pytest.raises(InputError) as info:
            structure({"steps": {}, "facts": {"x": {}}}, Trail)
        (error,) = info.value.errors
        assert error.path == "$"

    def test_fact_round_trip_values(self) -> None:
        for value in (True, "x", None, "2026-01-01", frozenset({"a"}), Quantity("1", "kg")):
            trail = Trail({}, {"x": Fact("x", value)})
            assert structure(CONVERTER.unstructure(trail), Trail) == trail
        dated = Trail({}, {"request.date": Fact("request.date", dt.date(2026, 1, 1))})
        assert structure(CONVERTER.unstructure(dated), Trail) == dated


ROUTE_X = OneOf("medication.route", (INTRAVENOUS.code,))
ROUTE_Y = OneOf("medication.route", (INTRALESIONAL.code,))


def small_policy(criteria: AllOf | AnyOf, dosing: AllOf | AnyOf | DoseLimit) -> object:
    indication = Indication(criteria, dosing, "S", Quantity("1", "a"))
    return attrs.evolve(POLICY, indications=(indication,))


class TestOtherPolicyShapes:
    """Shapes Proleukin does not use: a heading with no condition, dosing all off-branch."""

    def test_heading_without_condition_trail_off(self) -> None:
        policy = small_policy(
            AllOf("1", "t", (Predicate("1.A", "t", IsTrue("answers.melanoma_metastatic")),)),
            DoseLimit("D", "t", (ROUTE_X,)),
        )
        request = Request(DATE, medication=Medication(route=INTRAVENOUS))
        full = decide(policy, request)  # type: ignore[arg-type]
        bare = decide(policy, request, trail=False)  # type: ignore[arg-type]
        assert full.outcome is bare.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert bare.facts_needed == ("answers.melanoma_metastatic",)

    def test_dosing_with_every_branch_ruled_out(self) -> None:
        policy = small_policy(
            AllOf("1", "t", (), requires=OneOf("medication.route", (SUBCUTANEOUS.code,))),
            AnyOf(
                "D",
                "t",
                (
                    AllOf("D.A", "t", (), requires=ROUTE_X),
                    AllOf("D.B", "t", (), requires=ROUTE_Y),
                ),
            ),
        )
        request = Request(DATE, medication=Medication(route=SUBCUTANEOUS))
        decision = decide(policy, request)  # type: ignore[arg-type]
        assert decision.outcome is Outcome.CLINICIAN_REVIEW
        assert decision.path == ("1", "D")


class TestModuleEntryPoint:
    """python -m umpolicy runs the command line and exits with its status."""

    def test_runpy(self, monkeypatch: pytest.MonkeyPatch) -> None:
        out = io.StringIO()
        monkeypatch.setattr(sys, "argv", ["umpolicy", "policies"])
        monkeypatch.setattr(sys, "stdout", out)
        with pytest.raises(SystemExit) as info:
            runpy.run_module("umpolicy", run_name="__main__")
        assert info.value.code == 0
        assert out.getvalue() == "".join(f"{name}\n" for name in policy_names())
        assert "proleukin" in out.getvalue().splitlines()


class TestPolicyMismatch:
    """A request naming one policy is never decided under another."""

    def test_other_name(self) -> None:
        text = (Path(__file__).parent.parent / "examples/proleukin/rcc-approve.json").read_text()
        with pytest.raises(InputError) as info:
            evaluate(text, "quellimab")
        assert [str(e) for e in info.value.errors] == [
            "the request names policy 'proleukin', but 'quellimab' was asked for @ $.policy"
        ]

    def test_a_name_no_policy_has(self) -> None:
        """Said as the registry says it, not as a request naming another policy."""
        text = (Path(__file__).parent.parent / "examples/proleukin/rcc-approve.json").read_text()
        with pytest.raises(UnknownPolicyError, match="no policy named 'another' is installed"):
            evaluate(text, "another")

    def test_same_policy_object(self) -> None:
        text = (Path(__file__).parent.parent / "examples/proleukin/rcc-approve.json").read_text()
        assert evaluate(text, POLICY).outcome is Outcome.APPROVE
