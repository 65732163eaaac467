"""Decisions: fingerprint, policy reference, and trail-independent outcomes."""

from __future__ import annotations

import datetime
import hashlib
import importlib.metadata
import json
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

import umpolicy
from umpolicy import Outcome, Request, decide, dumps, loads, structure
from umpolicy.api import evaluate, parse_request
from umpolicy.engine.decision import fingerprint
from umpolicy.io.converter import CONVERTER
from umpolicy_policies.proleukin import POLICY

from .engine_strategies import requests

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "proleukin").glob("*.json"))
#: Every policy's example requests.
REQUESTS = [
    *EXAMPLES,
    *sorted(
        (Path(__file__).parent.parent / "examples" / "quellimab-policy" / "examples").glob("*.json")
    ),
]


def request_of(path: Path) -> Request:
    return structure(loads(path.read_text()), Request)


class TestFingerprint:
    """The same request always has the same fingerprint; different requests differ."""

    def test_stable_and_canonical(self) -> None:
        request = request_of(EXAMPLES[0])
        expected = hashlib.sha256(dumps(CONVERTER.unstructure(request)).encode()).hexdigest()
        assert fingerprint(request) == expected == decide(POLICY, request).request_fingerprint

    def test_different_requests_differ(self) -> None:
        prints = {fingerprint(request_of(path)) for path in EXAMPLES}
        assert len(prints) == len(EXAMPLES)
        request = request_of(EXAMPLES[0])
        assert fingerprint(attrs.evolve(request, id="other")) != fingerprint(request)


class TestPolicyRef:
    """A decision names the policy, version, effective date and tree hash."""

    def test_ref(self) -> None:
        ref = decide(POLICY, request_of(EXAMPLES[0])).policy
        assert (ref.name, ref.version, ref.effective) == (
            "proleukin",
            "2025-02-05",
            date(2022, 1, 1),
        )
        canonical = json.dumps(
            CONVERTER.unstructure(POLICY), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        assert ref.content_hash == hashlib.sha256(canonical.encode()).hexdigest()
        assert ref.engine == f"umpolicy {importlib.metadata.version('umpolicy')}"

    def test_hash_changes_with_a_word(self) -> None:
        changed = attrs.evolve(POLICY, preamble=POLICY.preamble + " ")
        assert changed.content_hash != POLICY.content_hash


class TestExamples:
    """Each example file's name states its outcome."""

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_outcome(self, path: Path) -> None:
        expected = next(o for o in Outcome if path.stem.endswith(o.value.replace("_", "-")))
        decision = decide(POLICY, request_of(path))
        assert decision.outcome is expected
        assert decision.request_id == json.loads(path.read_text()).get("id")
        assert (decision.authorization is not None) is (expected is Outcome.APPROVE)
        assert bool(decision.facts_needed) is (expected is Outcome.INSUFFICIENT_INFORMATION)
        if expected is Outcome.APPROVE:
            assert decision.authorization is not None
            assert decision.authorization.period == "1 year"
        else:
            assert "not a denial" in decision.summary


class TestTrailParity:
    """trail=False decides exactly as trail=True, and leaves the trail out."""

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(requests())
    def test_same_outcome(self, request: Request) -> None:
        full = decide(POLICY, request, trail=True)
        bare = decide(POLICY, request, trail=False)
        assert full.trail is not None
        assert bare.trail is None
        assert attrs.evolve(full, trail=None) == bare

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_examples(self, path: Path) -> None:
        request = request_of(path)
        full = decide(POLICY, request)
        assert attrs.evolve(full, trail=None) == decide(POLICY, request, trail=False)
        assert full.trail is not None
        roots = [label for label in full.trail.steps if "." not in label]
        assert roots == ["1", "Dosing 1", "2", "Dosing 2", "3", "Dosing 3"]


def _public() -> dict[str, object]:
    """The names a repr is written in: umpolicy's own, and the standard library's it uses."""
    names: dict[str, object] = {name: getattr(umpolicy, name) for name in umpolicy.__all__}
    return {**names, "datetime": datetime, "Decimal": Decimal, "Fraction": Fraction}


class TestRepr:
    """A request's, a decision's and a policy's repr is the expression that rebuilds them."""

    @pytest.mark.parametrize("path", REQUESTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
    def test_requests_and_decisions(self, path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        request, decision = parse_request(text), evaluate(text)
        assert eval(repr(request), _public()) == request
        assert eval(repr(decision), _public()) == decision

    @pytest.mark.parametrize("name", ["proleukin", "quellimab"])
    def test_policies(self, name: str) -> None:
        policy = umpolicy.load_policy(name)
        assert eval(repr(policy), _public()) == policy
