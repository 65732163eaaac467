"""admit: a request's answers checked against the policy's questions, every problem at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pytest

from umpolicy import (
    AllOf,
    AnswerType,
    AtLeast,
    AtMost,
    DoseLimit,
    Indication,
    InputError,
    IsTrue,
    OneOf,
    Outcome,
    Policy,
    Predicate,
    Quantity,
    Question,
    Request,
    decide,
)
from umpolicy.api import to_json
from umpolicy.io.converter import loads, structure
from umpolicy.io.validation import admit
from umpolicy_policies.proleukin import POLICY

DATE = dt.date(2026, 3, 2)
QUESTIONS = (
    Question("confirmed", "Is it confirmed?", AnswerType.BOOLEAN),
    Question(
        "stage",
        "Which stage?",
        AnswerType.CHOICE,
        values=(("III", "Stage III"), ("IV", "Stage IV")),
    ),
    Question("diagnosed_on", "When was it diagnosed?", AnswerType.DATE),
    Question("score", "The score?", AnswerType.QUANTITY, units=("mg", "g")),
    Question("anything", "Any amount?", AnswerType.QUANTITY),
    Question(
        "sites",
        "Which sites?",
        AnswerType.LIST,
        fields=(
            Question(
                "where", "Where?", AnswerType.CHOICE, values=(("skin", "Skin"), ("node", "Node"))
            ),
            Question("seen", "Seen on?", AnswerType.DATE),
        ),
    ),
)
ASKING: Policy = attrs.evolve(
    POLICY,
    name="asking",
    questions=QUESTIONS,
    derived=(),
    indications=(
        Indication(
            AllOf(
                "1",
                "All of:",
                (
                    Predicate("1.A", "Confirmed.", IsTrue("answers.confirmed")),
                    Predicate("1.B", "Stage IV.", OneOf("answers.stage", ("IV",))),
                    Predicate("1.C", "Score.", AtLeast("answers.score", Quantity("1", "g"))),
                ),
            ),
            DoseLimit(
                "Dosing 1",
                "A score of 5 g at most.",
                (AtMost("answers.score", Quantity("5", "g")),),
            ),
            "S",
            Quantity("1", "a"),
        ),
    ),
)
BASE = "$.answers.asking"


def answered(**answers: Any) -> Request:
    return Request(DATE, policy="asking", answers={"asking": answers})


def errors(**answers: Any) -> list[str]:
    with pytest.raises(InputError) as info:
        admit(ASKING, answered(**answers))
    return [str(e) for e in info.value.errors]


class TestAccepted:
    """Each kind of answer comes through as the fact's value."""

    def test_every_kind(self) -> None:
        got = admit(
            ASKING,
            answered(
                confirmed=True,
                stage="IV",
                diagnosed_on="2025-01-31",
                score={"value": Decimal("1500"), "unit": "mg"},
                anything={"value": "2", "unit": "/(4.wk)"},
                sites=[{"where": "skin", "seen": "2025-02-01"}],
            ),
        )
        assert got == {
            "confirmed": True,
            "stage": "IV",
            "diagnosed_on": dt.date(2025, 1, 31),
            "score": Quantity("1500", "mg"),
            "anything": Quantity("2", "/(4.wk)"),
            "sites": ({"where": "skin", "seen": dt.date(2025, 2, 1)},),
        }

    def test_python_values(self) -> None:
        got = admit(ASKING, answered(diagnosed_on=DATE, score=Quantity("1", "g"), stage=None))
        assert got == {"diagnosed_on": DATE, "score": Quantity("1", "g"), "stage": None}

    def test_none_given_for_this_policy(self) -> None:
        assert admit(ASKING, Request(DATE, answers={"other": {"x": [1]}})) == {}

    def test_decides_with_them(self) -> None:
        request = answered(confirmed=True, stage="IV", score={"value": "1000", "unit": "mg"})
        decision = decide(ASKING, request)
        assert decision.outcome is Outcome.APPROVE
        assert decision.trail is not None
        assert decision.trail.facts["answers.score"].value == Quantity("1000", "mg")
        assert decide(ASKING, attrs.evolve(request, answers={"asking": {}})).facts_needed == (
            "answers.confirmed",
            "answers.stage",
            "answers.score",
        )

    def test_answers_round_trip_as_json(self) -> None:
        request = answered(
            confirmed=True,
            diagnosed_on=DATE,
            score=Quantity("1.50", "g"),
            sites=[{"where": "node", "seen": DATE}],
            count=Decimal("2.50"),
        )
        data = loads(to_json(request))
        assert data["answers"]["asking"] == {
            "confirmed": True,
            "diagnosed_on": "2026-03-02",
            "score": {"value": "1.5", "unit": "g"},
            "sites": [{"where": "node", "seen": "2026-03-02"}],
            "count": "2.5",
        }
        assert structure(data, Request).answers == data["answers"]


class TestRefused:
    """Every bad answer is named by its path, all of them at once."""

    def test_unknown_question(self) -> None:
        ids = ", ".join(q.id for q in QUESTIONS)
        assert errors(confirmd=True) == [
            f"not a question of this policy; did you mean 'confirmed'? Its questions: ({ids}) "
            f"@ {BASE}.confirmd"
        ]

    def test_a_policy_with_no_questions(self) -> None:
        bare = attrs.evolve(ASKING, questions=())
        with pytest.raises(InputError) as info:
            admit(bare, answered(x=1))
        assert str(info.value) == f"not a question of this policy (none) @ {BASE}.x"

    @pytest.mark.parametrize(
        ("key", "value", "message"),
        [
            ("confirmed", "yes", "expected a boolean, got str"),
            ("confirmed", 1, "expected a boolean, got int"),
            ("stage", "V", "unknown value 'V'; expected one of III, IV"),
            ("stage", 4, "unknown value 4; expected one of III, IV"),
            ("diagnosed_on", "2025-02-30", "expected a date as text YYYY-MM-DD, got '2025-02-30'"),
            ("diagnosed_on", "31/01/2025", "expected a date as text YYYY-MM-DD, got '31/01/2025'"),
            ("diagnosed_on", "20250131", "expected a date as text YYYY-MM-DD, got '20250131'"),
            ("diagnosed_on", 20250131, "expected a date as text YYYY-MM-DD, got 20250131"),
            ("score", "1500 mg", 'expected a quantity: {"value": text, "unit": UCUM}'),
            ("score", {"value": "1"}, 'expected a quantity: {"value": text, "unit": UCUM}'),
            ("score", {"value": "x", "unit": "mg"}, "'x' is not a decimal number"),
            ("sites", "skin", "expected a list"),
        ],
    )
    def test_wrong_types(self, key: str, value: object, message: str) -> None:
        assert errors(**{key: value}) == [f"{message} @ {BASE}.{key}"]

    def test_quantity_units(self) -> None:
        assert errors(score={"value": "1", "unit": "kg"}) == [
            f"unit 'kg' is not one of mg, g @ {BASE}.score.unit"
        ]
        assert errors(score={"value": "1", "unit": "stone"})[0].startswith(
            "unknown unit 'stone'; this answer takes mg, g @"
        )
        assert errors(score={"value": "-1", "unit": "mg"}) == [
            f"must be zero or more, got -1 @ {BASE}.score.value"
        ]
        assert errors(anything={"value": "1e13", "unit": "mg"}) == [
            f"1E+13 is out of range (1e-12 to 1e12) @ {BASE}.anything.value"
        ]

    def test_list_items(self) -> None:
        assert errors(
            sites=[
                {"where": "skin", "seen": "2025-01-01", "size": "2 cm"},
                {"where": "lung"},
                "skin",
                {"where": "node", "seen": "soon"},
            ]
        ) == [
            f"extra field found @ {BASE}.sites[0].size",
            f"unknown value 'lung'; expected one of skin, node @ {BASE}.sites[1].where",
            f"required field missing @ {BASE}.sites[1].seen",
            f"expected an object @ {BASE}.sites[2]",
            f"expected a date as text YYYY-MM-DD, got 'soon' @ {BASE}.sites[3].seen",
        ]

    def test_all_at_once_with_the_requests_own_problems(self) -> None:
        request = attrs.evolve(answered(confirmed="no", stage="V"), date=dt.date(1800, 1, 1))
        with pytest.raises(InputError) as info:
            admit(ASKING, request)
        assert [str(e) for e in info.value.errors] == [
            "1800-01-01 is not a plausible request date @ $.date",
            f"expected a boolean, got str @ {BASE}.confirmed",
            f"unknown value 'V'; expected one of III, IV @ {BASE}.stage",
        ]

    def test_decide_refuses_alike(self) -> None:
        with pytest.raises(InputError) as info:
            decide(ASKING, answered(confirmed="no"))
        assert str(info.value) == f"expected a boolean, got str @ {BASE}.confirmed"


class TestOtherPoliciesAnswersInPython:
    """Another policy's answers, never read, are still JSON data: else an error, not a crash."""

    @pytest.mark.parametrize(
        ("answers", "expected"),
        [
            ({"other": {1: "x"}}, "key 1 is not text (a JSON key is) @ $.answers.other"),
            ({"other": {"q": {2: "y"}}}, "key 2 is not text (a JSON key is) @ $.answers.other.q"),
            ({3: {}}, "key 3 is not text (a JSON key is) @ $.answers"),
            ({"other": {"q": [{1, 2}]}}, "expected JSON data, got set @ $.answers.other.q[0]"),
            ({"other": {"q": 1.5}}, "a float is not an exact decimal"),
            ({"other": {"q": "\ud800"}}, "lone surrogate (not valid Unicode) @ $.answers.other.q"),
        ],
    )
    def test_refused(self, answers: Any, expected: str) -> None:
        request = Request(DATE, policy="asking", answers=answers)
        with pytest.raises(InputError) as info:
            decide(ASKING, request)
        assert expected in str(info.value)

    def test_nested_too_deep(self) -> None:
        deep: Any = "x"
        for _ in range(20):
            deep = [deep]
        with pytest.raises(InputError, match="nested deeper than 16"):
            decide(ASKING, Request(DATE, answers={"other": {"q": deep}}))

    def test_json_data_of_every_kind_is_kept(self) -> None:
        kept = {"q": [Decimal("1.5"), 2, None, True, "x", {"k": ("a",)}]}
        decision = decide(ASKING, Request(DATE, answers={"other": kept}))
        assert decision.request_fingerprint
