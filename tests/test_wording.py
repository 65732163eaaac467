"""A finding in the reader's words: each kind of check, each way a value is shown."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import base, decide, replace
from umpolicy import AnswerType, Quantity, Question, load_policy
from umpolicy.api import evaluate
from umpolicy.dsl.checks import AtMost, IsTrue, Not, OneOf
from umpolicy.dsl.findings import Fact, Finding
from umpolicy.dsl.status import Status
from umpolicy.dsl.units import unit
from umpolicy.engine import wording
from umpolicy.engine.wording import amount, exactly_in, requirement, subject, worded, words_of
from umpolicy.render.html import decision_html
from umpolicy.render.text import decision_text
from umpolicy_policies.proleukin import POLICY

QUELLIMAB = load_policy("quellimab")
QUELLIMAB_EXAMPLES = Path(__file__).parent.parent / "examples" / "quellimab-policy" / "examples"


class TestPhrases:
    @pytest.mark.parametrize(
        ("name", "phrase"),
        [
            ("medication.schedule.rest_before_course", "rest before course"),
            ("patient.age", "age"),
            ("answers.melanoma_metastatic", "melanoma metastatic"),
            ("prescriber.specialties", "prescriber specialties"),
            ("diagnoses", "diagnoses"),
        ],
    )
    def test_subject(self, name: str, phrase: str) -> None:
        """A fact reads without the prefixes that only say where it sits."""
        assert subject(name) == phrase

    def test_a_negated_rule_other_than_yes(self) -> None:
        """not(…) of a rule other than a yes/no reads as its negation."""
        rule = Not(AtMost("patient.weight", Quantity("40", "kg")))
        assert requirement(rule) == "not (weight at most 40 kg)"
        assert requirement(Not(IsTrue("answers.melanoma_metastatic"))) == "melanoma metastatic: no"


class TestNumbers:
    @given(st.integers(1, 10**12), st.integers(1, 10**6))
    def test_a_rounded_number_never_reads_as_a_different_limit(self, num: int, den: int) -> None:
        """Shown rounded, a value just off the limit still reads as different from it."""
        value = (Decimal(num) / Decimal(den)).normalize()
        limit = Quantity(str(_round_to(value, 4)), "mg")
        shown = amount(Quantity(value, "mg"), limit)
        number = Decimal(shown.removeprefix("about ").split()[0].replace(",", ""))
        assert (number == limit.value) == (value == limit.value)
        assert shown.startswith("about ") == (number != value)

    def test_short_numbers_are_exact(self) -> None:
        assert amount(Quantity("600000", "[iU]/kg")) == "600,000 International Units/kg"

    def test_exactly_in_another_unit(self) -> None:
        """A conversion is offered only when exact and short."""
        assert exactly_in(Quantity("7", "wk"), unit("d")) == Quantity("49", "d")
        assert exactly_in(Quantity("1", "d"), unit("wk")) is None  # 1/7 has no end
        assert exactly_in(Quantity("1", "/d"), unit("/(4.wk)")) == Quantity("28", "/(4.wk)")


def _round_to(value: Decimal, digits: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(value.adjusted() - digits + 1))


class TestValues:
    def test_a_choice_answer_reads_in_its_words(self) -> None:
        """An answer with listed values shows the policy's words for the code given."""
        stage = Question("stage", "Which stage?", AnswerType.CHOICE, values=(("iii", "Stage III"),))
        policy = attrs.evolve(POLICY, questions=(*POLICY.questions, stage))
        assert words_of(policy, Fact("answers.stage", "iii")) == "Stage III"
        assert words_of(policy, Fact("answers.stage", "iv")) == "iv"

    def test_codes_in_words_past_the_cache(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """However many codes are shown, each reads with the titles of its value sets."""
        monkeypatch.setattr(wording, "KEPT", 1)
        for _ in range(2):
            shown = words_of(POLICY, Fact("diagnoses", frozenset({"C43.9", "Z99.9"})))
            assert shown == "C43.9 (Cutaneous melanoma), Z99.9"

    def test_a_rule_on_a_choice(self) -> None:
        rule = OneOf("answers.stage", ("iii", "iv"))
        found = Finding(Status.NOT_MET, ("answers.stage",))
        said = worded(rule, found, {"answers.stage": Fact("answers.stage", "ii")}, POLICY)
        assert said.sentence() == "Required: stage: iii or iv. Requested: ii."

    def test_a_yes_or_no_worked_out_says_from_what(self) -> None:
        """A derived yes or no shows the request's facts it was worked out from."""
        rule = Not(IsTrue("therapy.concomitant_anticancer"))
        found = Finding(Status.NOT_MET, ("therapy.concomitant_anticancer",))
        given_with = "ipilimumab (L01FX04)"
        facts = {
            "therapy.concomitant_anticancer": Fact(
                "therapy.concomitant_anticancer", True, ("therapies.concomitant",)
            ),
            "therapies.concomitant": Fact("therapies.concomitant", given_with),
        }
        said = worded(rule, found, facts, POLICY)
        assert said.requested == f"yes (worked out from therapies concomitant: {given_with})"

    def test_a_long_history_is_cut(self) -> None:
        """A reason quotes at most 200 characters of each input, however long the history."""
        history = "; ".join(f"therapy {n} (L01XX{n:02})" for n in range(100))
        facts = {
            "therapy.concomitant_anticancer": Fact(
                "therapy.concomitant_anticancer", False, ("therapies.concomitant",)
            ),
            "therapies.concomitant": Fact("therapies.concomitant", history),
        }
        found = Finding(Status.MET, ("therapy.concomitant_anticancer",))
        said = worded(Not(IsTrue("therapy.concomitant_anticancer")), found, facts, POLICY)
        quoted = said.requested.removeprefix("no (worked out from therapies concomitant: ")
        assert quoted == f"{history[:199]}…)"

    def test_a_yes_or_no_given_is_shown_alone(self) -> None:
        """An answer the request gave is its own source: nothing is added to it."""
        found = Finding(Status.NOT_MET, ("answers.melanoma_metastatic",))
        facts = {"answers.melanoma_metastatic": Fact("answers.melanoma_metastatic", False)}
        assert worded(IsTrue("answers.melanoma_metastatic"), found, facts, POLICY).requested == "no"


class TestDoses:
    def test_a_dose_no_limit_compares_with(self) -> None:
        """A dose in a unit no limit reads says so, in words, not in UCUM codes."""
        dose = Quantity("1", "10*6.[iU]/{lesion}")
        text = decision_text(decide(replace(base("melanoma_iv"), "medication.dose", dose)), POLICY)
        assert (
            "Requested: 1 million International Units per lesion, which cannot be compared "
            "with a limit in International Units/kg or mg/kg (outside the established dosing)."
        ) in text


class TestPacketCorners:
    def test_without_the_trail(self) -> None:
        """A packet of a trail-less decision shows its reasons and no tree."""
        path = Path(__file__).parent.parent / "examples" / "proleukin" / "rcc-clinician-review.json"
        page = decision_html(evaluate(path.read_text(), trail=False), POLICY)
        assert "Required: rest before course at least 7 weeks (49 days)." in page
        assert "Facts read" not in page
        assert "Criteria and dosing:" not in page

    def test_exclusions_are_shown(self) -> None:
        """A policy's exclusions have their section, with what was found."""
        path = QUELLIMAB_EXAMPLES / "ra-exclusion-not-recommended.json"
        page = decision_html(evaluate(path.read_text(), QUELLIMAB), QUELLIMAB)
        assert "<h2>Conditions not recommended</h2>" in page
        assert "Not recommended when:" in page


class TestPartialAndUnknownHeadings:
    def test_a_partial_count_reads_as_a_lower_bound(self) -> None:
        """Therapies given without codes count as 'at least', never as a settled number."""
        from umpolicy.vocabulary.request import Therapy

        request = replace(base("melanoma_iv"), "therapies.prior", (Therapy("a trial drug"),))
        text = decision_text(decide(request), POLICY)
        assert "Requested: at least 0 therapies, some without a drug's code." in text

    def test_a_heading_unknown_by_its_own_condition_is_its_own_reason(self) -> None:
        """With the diagnoses missing, a heading whose criteria are met says why it is open."""
        from umpolicy.render.worksheet import _first

        decision = decide(replace(base("melanoma_iv"), "diagnoses", None))
        assert decision.trail is not None
        root = POLICY.node("1")
        assert _first(root, decision.trail, Status.UNKNOWN) is root
        assert "1" in [reason.label for reason in decision.reasons]


class TestBasisInItsUnit:
    def test_a_weight_in_pounds_is_shown_in_kg_too(self) -> None:
        """A dose divided by a weight in lb reads in the limit's kg, so the arithmetic checks."""
        request = replace(base("rcc"), "patient.weight", Quantity("176", "[lb_av]"))
        text = decision_text(decide(request), POLICY)
        assert "÷ 176 lb (about 79.83 kg) = " in text
