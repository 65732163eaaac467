"""A policy that cannot decide as written is refused before any request, naming the node."""

from __future__ import annotations

import attrs
import pytest

from tests.test_engine import BIOLOGIC, CRITERIA, DOSING, ITEMS, SMALL
from umpolicy import (
    AllOf,
    AnswerType,
    AnyOf,
    AtLeast,
    AtMost,
    Check,
    Consulted,
    DoseLimit,
    Either,
    EveryItem,
    Includes,
    Indication,
    IsTrue,
    LessThan,
    Not,
    NotRecommended,
    OneOf,
    Policy,
    PolicyError,
    Predicate,
    Quantity,
    Question,
    Statement,
    TherapyCount,
    TherapyListed,
    ValueSet,
    load_policy,
)
from umpolicy.engine.catalog import catalog, check, readers
from umpolicy_policies.proleukin import POLICY

TWO_YEARS = Quantity("2", "a")


def indication(
    criteria: AllOf | AnyOf = CRITERIA, approval: Quantity | None = TWO_YEARS
) -> Indication:
    return Indication(criteria, DOSING, "Indications", approval)


def refused(policy: Policy) -> str:
    with pytest.raises(PolicyError) as info:
        check(policy)
    message = str(info.value)
    assert message.startswith(f"policy {policy.name!r} cannot decide: ")
    return message.removeprefix(f"policy {policy.name!r} cannot decide: ")


class TestSound:
    """The shipped policy and the small one pass; checking is part of reading a policy."""

    def test_sound(self) -> None:
        check(POLICY)
        check(SMALL)
        assert load_policy("proleukin") is POLICY

    def test_readers_check_first(self) -> None:
        bad = attrs.evolve(SMALL, name="bad", not_recommended=ITEMS[:1])
        with pytest.raises(PolicyError):
            readers(bad)


class TestRefused:
    """Each problem is named, with the label of the node that has it; all of them at once."""

    def test_label_twice(self) -> None:
        twice = AllOf(
            "1",
            "t",
            (Predicate("1.A", "a", IsTrue("answers.confirmed")),) * 2,
            approval=Quantity("1", "a"),
        )
        assert refused(attrs.evolve(SMALL, indications=(indication(twice),))) == (
            "1.A: the label is used twice"
        )

    def test_a_dose_limit_without_a_rule(self) -> None:
        """Met by any dose: a limit left out by mistake would approve every dose."""
        empty = Indication(CRITERIA, DoseLimit("Dosing 1", "Up to 800 mg.", ()), "I", TWO_YEARS)
        assert refused(attrs.evolve(SMALL, indications=(empty,))) == (
            "Dosing 1: a dose limit without a rule is met by any dose"
        )

    def test_an_item_not_recommended_labelled_twice(self) -> None:
        twice = (ITEMS[0], attrs.evolve(ITEMS[0], text="Another."), ITEMS[1])
        assert refused(attrs.evolve(SMALL, not_recommended=twice)) == (
            "Not Recommended 1: the label is used twice"
        )

    def test_unknown_fact(self) -> None:
        typo = AllOf("1", "t", (Predicate("1.A", "a", IsTrue("answers.confirmd")),))
        assert refused(attrs.evolve(SMALL, indications=(indication(typo),))) == (
            "1.A: no fact is named 'answers.confirmd'"
        )

    @pytest.mark.parametrize(
        ("period", "problem"),
        [
            (Quantity("6", "wk"), "the approval period 6 wk is not in years (a) or months (mo)"),
            (Quantity("1.5", "a"), "the approval period 1.5 a is not a whole number of at least 1"),
            (Quantity("0", "mo"), "the approval period 0 mo is not a whole number of at least 1"),
        ],
    )
    def test_bad_periods(self, period: Quantity, problem: str) -> None:
        branch = AllOf("1", "t", (), approval=period)
        assert refused(attrs.evolve(SMALL, indications=(indication(branch),))) == (f"1: {problem}")
        plain = AllOf("1", "t", ())
        assert refused(attrs.evolve(SMALL, indications=(indication(plain, period),))) == (
            f"1: {problem}"
        )

    def test_a_branch_without_a_period(self) -> None:
        # 1.A gives 6 months, 1.B gives none, and the indication none: 1.B could approve.
        assert refused(attrs.evolve(SMALL, indications=(indication(approval=None),))) == (
            "1: a branch that approves gives no approval period"
        )

    @pytest.mark.parametrize(
        "criteria",
        [
            AnyOf("1", "t", (AllOf("1.A", "a", (), approval=Quantity("6", "mo")),)),
            AllOf(
                "1",
                "t",
                (
                    Predicate("1.A", "a", IsTrue("answers.confirmed")),
                    AllOf("1.B", "b", (), approval=Quantity("1", "a")),
                ),
            ),
            AllOf("1", "t", (), approval=Quantity("1", "a")),
        ],
        ids=["any-of-every-branch", "all-of-one-child", "own"],
    )
    def test_every_branch_with_a_period_needs_none_of_its_own(
        self, criteria: AllOf | AnyOf
    ) -> None:
        check(attrs.evolve(SMALL, indications=(indication(criteria, None),)))

    def test_exclusion_with_an_unknown_fact(self) -> None:
        items = (NotRecommended("1", "x", IsTrue("no.such")), ITEMS[1])
        assert refused(attrs.evolve(SMALL, not_recommended=items)) == (
            "Not Recommended 1: no fact is named 'no.such'"
        )

    @pytest.mark.parametrize(
        ("rule", "problem"),
        [
            (
                Not(AtMost("medication.dose", Quantity("800", "mg"))),
                "Not(...) holds a limit: write the opposite limit instead",
            ),
            (
                IsTrue("medication.dose"),
                "IsTrue compares boolean facts; 'medication.dose' is quantity",
            ),
            (
                AtLeast("answers.confirmed", Quantity("1", "{dose}")),
                "AtLeast compares quantity facts; 'answers.confirmed' is boolean",
            ),
            (
                Either(IsTrue("answers.confirmed"), OneOf("diagnoses", ("C43.9",))),
                "OneOf compares code facts; 'diagnoses' is set of codes",
            ),
            (Not(IsTrue("answers.nope")), "no fact is named 'answers.nope'"),
        ],
    )
    def test_a_check_that_cannot_read_its_fact(self, rule: Check, problem: str) -> None:
        bad = AllOf("1", "t", (Predicate("1.A", "a", rule),), approval=Quantity("1", "a"))
        assert refused(attrs.evolve(SMALL, indications=(indication(bad),))) == f"1.A: {problem}"

    def test_an_own_fact_may_not_hide_the_vocabulary(self) -> None:
        shadow = attrs.evolve(SMALL.derived[0], name="patient.age")
        assert refused(attrs.evolve(SMALL, derived=(*SMALL.derived, shadow))) == (
            "patient.age: the policy's own fact hides the vocabulary's of that name"
        )

    def test_no_catch_all_and_no_case_by_case(self) -> None:
        bad = attrs.evolve(
            SMALL,
            not_recommended=ITEMS[:1],
            statement=(Statement("other", "Something else."),),
            review=(),
        )
        assert refused(bad) == (
            "CONDITIONS NOT RECOMMENDED: no item for circumstances not listed; "
            "POLICY STATEMENT: no sentence with the key 'case_by_case'"
        )


class TestConversions:
    """The facts a limit across a basis derives are catalogued with their inputs."""

    @pytest.mark.parametrize(
        ("check_", "expected"),
        [
            (AtMost("medication.dose", Quantity("3", "/d")), ()),
            (
                AtMost("medication.dose", Quantity("1", "mg/kg"), Quantity("2", "mg/m2")),
                (
                    ("medication.dose_per_kg", ("medication.dose", "patient.weight")),
                    ("medication.dose_per_m2", ("medication.dose", "patient.body_surface_area")),
                ),
            ),
            (
                AtLeast("medication.dose", Quantity("1000", "mg"), Quantity("1", "10*6.[iU]")),
                (
                    (
                        "medication.dose_total",
                        ("medication.dose", "patient.weight", "patient.body_surface_area"),
                    ),
                ),
            ),
            (LessThan("patient.weight", Quantity("40", "kg")), ()),
            (AtMost("medication.dose", Quantity("6", "10*6.[iU]/{lesion}")), ()),
        ],
    )
    def test_conversions(
        self,
        check_: AtMost | AtLeast | LessThan,
        expected: tuple[tuple[str, tuple[str, ...]], ...],
    ) -> None:
        assert tuple((name, inputs) for name, _, inputs in check_.conversions()) == expected

    def test_catalogued_from_inside_either_and_not(self) -> None:
        cap = AtMost("medication.dose", Quantity("1000", "mg"))
        per_kg = AtMost("medication.frequency", Quantity("1", "/d"))
        node = DoseLimit("Dosing 1", "t", (Either(IsTrue("answers.confirmed"), Not(cap)), per_kg))
        policy = attrs.evolve(
            SMALL, indications=(Indication(CRITERIA, node, "S", Quantity("1", "a")),)
        )
        specs = catalog(policy)
        assert specs["medication.dose_total"].type == "quantity"
        assert specs["medication.dose_total"].derived


SCORE = Question("score", "What is the activity score?", AnswerType.QUANTITY, units=("{point}",))
OPEN_SCORE = Question("open_score", "Any score, in any unit?", AnswerType.QUANTITY)
SEVERITY = Question(
    "severity",
    "How severe is it?",
    AnswerType.CHOICE,
    values=(("mild", "Mild"), ("moderate", "Moderate"), ("severe", "Severe")),
)
PRIOR_COUNT = TherapyCount("prior_count", "How many biologics were tried.", "prior", BIOLOGIC)


def with_rule(rule: Check) -> Policy:
    """SMALL with criterion 1.A reading ``rule``, and questions of every kind to read."""
    bad = AllOf("1", "t", (Predicate("1.A", "a", rule),), approval=Quantity("1", "a"))
    return attrs.evolve(
        SMALL,
        indications=(indication(bad),),
        questions=(*SMALL.questions, SCORE, OPEN_SCORE, SEVERITY),
        derived=(*SMALL.derived, PRIOR_COUNT),
    )


class TestNeverMet:
    """A limit in a unit its fact never takes, or a value it never has, is refused at load.

    Else every request would find the criterion not met (a unit no limit compares with
    is "outside the established dosing"), and so not recommended or sent to review.
    """

    @pytest.mark.parametrize(
        ("rule", "problem"),
        [
            (
                AtLeast("patient.age", Quantity("18", "kg")),
                "the limit 18 kg cannot be compared with 'patient.age' (in a): never met",
            ),
            (
                AtMost("medication.frequency", Quantity("2", "wk")),
                "the limit 2 wk cannot be compared with 'medication.frequency' (in /h, /d, "
                "/wk, /mo, /a, or once every N periods such as /(4.wk)): never met",
            ),
            (
                LessThan("patient.weight", Quantity("30", "kg"), Quantity("1", "m2")),
                "the limit 1 m2 cannot be compared with 'patient.weight' "
                "(in kg, g, mg, ug, [lb_av]): never met",
            ),
            (
                Either(IsTrue("answers.confirmed"), AtLeast("answers.score", Quantity("12", "mg"))),
                "the limit 12 mg cannot be compared with 'answers.score' (in {point}): never met",
            ),
            (
                AtLeast("prior_count", Quantity("1", "{dose}")),
                "the limit 1 {dose} cannot be compared with 'prior_count' (in {therapy}): "
                "never met",
            ),
            (
                OneOf("request.kind", ("intial",)),
                "'intial' is not a value of 'request.kind' (initial, continuation): never met",
            ),
            (
                OneOf("answers.severity", ("moderate", "Severe")),
                "'Severe' is not a value of 'answers.severity' (mild, moderate, severe): never met",
            ),
            # A string is no tuple: "center" in "transplant-center" would be met.
            (
                Includes("prescriber.affiliations", "transplant-center"),  # type: ignore[arg-type]
                "the codes are one string, 'transplant-center': give a tuple "
                "('transplant-center',) or a value set",
            ),
            (
                OneOf("request.kind", "initial"),  # type: ignore[arg-type]
                "the codes are one string, 'initial': give a tuple ('initial',) or a value set",
            ),
        ],
    )
    def test_refused(self, rule: Check, problem: str) -> None:
        assert refused(with_rule(rule)) == f"1.A: {problem}"

    @pytest.mark.parametrize(
        "rule",
        [
            AtLeast("patient.age", Quantity("216", "mo")),
            AtMost("medication.dose", Quantity("8", "mg/kg"), Quantity("800", "mg")),
            AtMost("medication.dose", Quantity("6", "10*6.[iU]/{lesion}")),
            AtMost("medication.frequency", Quantity("1", "/(4.wk)")),
            LessThan("patient.weight", Quantity("66", "[lb_av]")),
            AtLeast("answers.score", Quantity("12", "{point}")),
            AtLeast("answers.open_score", Quantity("12", "mg")),  # it names no unit: any
            AtLeast("prior_count", Quantity("2", "{therapy}")),
            OneOf("answers.severity", ("moderate", "severe")),
            OneOf("medication.route", ("47625008",)),  # a code of no fixed list
        ],
    )
    def test_sound(self, rule: Check) -> None:
        check(with_rule(rule))


SITES = Question(
    "sites",
    "Which sites?",
    AnswerType.LIST,
    fields=(
        Question("site", "Where?", AnswerType.CHOICE, values=(("skin", "Skin"), ("node", "Node"))),
        Question("size", "How wide?", AnswerType.QUANTITY, units=("cm",)),
    ),
)
SKIN_ONLY = EveryItem("skin_only", "Every site is skin.", "sites", (("site", ("skin",)),))
TRIED = TherapyListed(
    "tried", "A biologic tried for 8 weeks.", "prior", BIOLOGIC, at_least=Quantity("8", "wk")
)


def declaring(
    questions: tuple[Question, ...] = (),
    derived: tuple[TherapyListed | EveryItem | Consulted, ...] = (),
) -> Policy:
    """SMALL with more questions and derived facts, none of them read by a criterion."""
    return attrs.evolve(
        SMALL,
        questions=(*SMALL.questions, SITES, *questions),
        derived=(*SMALL.derived, SKIN_ONLY, TRIED, *derived),
    )


class TestCodeSystems:
    """A value set of another system than the fact's codes never holds one: refused at load."""

    def test_diagnoses_asked_about_drugs(self) -> None:
        assert refused(with_rule(Includes("diagnoses", BIOLOGIC))) == (
            "1.A: the value set 'biologic' is of ATC, and 'diagnoses' holds ICD-10-CM codes: "
            "never met"
        )

    def test_a_route_asked_by_a_set_of_another_system(self) -> None:
        routes = ValueSet("routes", "Routes", "ICD-10-CM", codes=("C43",))
        assert "'medication.route' holds SNOMED CT codes" in refused(
            with_rule(OneOf("medication.route", routes))
        )

    def test_a_therapy_history_read_by_diagnoses(self) -> None:
        cancer = ValueSet("cancer", "Cancer", "ICD-10-CM", prefixes=("C",))
        listed = TherapyListed("with_cancer", "With a cancer.", "concomitant", cancer)
        assert refused(declaring(derived=(listed,))) == (
            "derived fact 'with_cancer': the value set 'cancer' is of ICD-10-CM, and a therapy "
            "history holds ATC codes: never met"
        )

    def test_a_consultant_asked_for_a_specialty_of_another_system(self) -> None:
        asked = Consulted("seen", "Seen by a biologic.", specialties=BIOLOGIC)
        assert refused(declaring(derived=(asked,))) == (
            "derived fact 'seen': the value set 'biologic' is of ATC, and a specialty is a "
            "NUCC taxonomy code: never met"
        )

    def test_a_consultant_asked_for_nothing(self) -> None:
        """Any consultant would be one: an approval resting on the list not being empty."""
        assert refused(declaring(derived=(Consulted("seen", "Seen by anyone."),))) == (
            "derived fact 'seen': it asks for neither a specialty nor an affiliation: any "
            "consultant is one"
        )

    def test_a_consultant_asked_for_an_affiliation_as_one_string(self) -> None:
        """Else a consultant at "center" (a part of the string) would be at the one asked."""
        asked = Consulted("seen", "Seen there.", affiliations="transplant-center")  # type: ignore[arg-type]
        assert refused(declaring(derived=(asked,))) == (
            "derived fact 'seen': the codes are one string, 'transplant-center': give a tuple "
            "('transplant-center',) or a value set"
        )

    def test_a_plans_own_codes_are_any_system(self) -> None:
        centers = ValueSet("centers", "Centers", "plan affiliations", codes=("transplant-center",))
        check(with_rule(Includes("prescriber.affiliations", centers)))


class TestDeclarations:
    """A question no answer fits, or a derived fact reading what is not there, is refused.

    At load, naming the declaration: not a KeyError, nor every request failing.
    """

    def test_sound(self) -> None:
        check(declaring())

    @pytest.mark.parametrize(
        ("questions", "derived", "problem"),
        [
            (
                (Question("stage", "Which stage?", AnswerType.CHOICE),),
                (),
                "question 'stage': a choice question offers no values",
            ),
            (
                (Question("stage", "?", AnswerType.CHOICE, values=(("1", "I"), ("1", "One"))),),
                (),
                "question 'stage': a value is offered twice",
            ),
            (
                (Question("level", "Which level?", AnswerType.QUANTITY, units=("mg/dl",)),),
                (),
                "question 'level': unknown unit 'mg/dl'; umpolicy reads the UCUM codes",
            ),
            (
                (Question("spots", "Which spots?", AnswerType.LIST),),
                (),
                "question 'spots': a list question has no fields",
            ),
            (
                (attrs.evolve(SITES, id="twice", fields=(SITES.fields[0],) * 2),),
                (),
                "question 'twice': a field id is used twice",
            ),
            (
                (attrs.evolve(SITES, id="nested", fields=(Question("x", "?", AnswerType.LIST),)),),
                (),
                "question 'nested' field 'x': a list question has no fields",
            ),
            (
                (Question("confirmed", "Again?", AnswerType.BOOLEAN),),
                (),
                "answers.confirmed: the policy declares two facts of this name",
            ),
            (
                (),
                (attrs.evolve(TRIED, name="other", history="priors"),),
                "derived fact 'other': history 'priors' is not one of prior, concomitant",
            ),
            (
                (),
                (attrs.evolve(TRIED, name="other", at_least=Quantity("8", "kg")),),
                "derived fact 'other': at_least 8 kg is not a duration",
            ),
            (
                (),
                (attrs.evolve(SKIN_ONLY, name="other", question="site"),),
                "derived fact 'other': 'site' is not a list question of the policy "
                "(its lists: sites)",
            ),
            (
                (),
                (attrs.evolve(SKIN_ONLY, name="other", question="confirmed"),),
                "derived fact 'other': 'confirmed' is not a list question",
            ),
            (
                (),
                (attrs.evolve(SKIN_ONLY, name="other", where=(("sites", ("skin",)),)),),
                "derived fact 'other': 'sites' is not a choice field of 'sites' (site): "
                "no item qualifies",
            ),
            (
                (),
                (attrs.evolve(SKIN_ONLY, name="other", where=(("size", ("1",)),)),),
                "derived fact 'other': 'size' is not a choice field of 'sites' (site)",
            ),
            (
                (),
                (attrs.evolve(SKIN_ONLY, name="other", where=(("site", ("Skin",)),)),),
                "derived fact 'other': 'Skin' is not a value of sites.site (skin, node)",
            ),
        ],
    )
    def test_refused(
        self,
        questions: tuple[Question, ...],
        derived: tuple[TherapyListed | EveryItem, ...],
        problem: str,
    ) -> None:
        assert refused(declaring(questions, derived)).startswith(problem)

    def test_every_problem_at_once(self) -> None:
        # A history misspelt would have been a KeyError building the catalog.
        bad = declaring(
            (Question("stage", "?", AnswerType.CHOICE),),
            (attrs.evolve(TRIED, name="other", history="before"),),
        )
        assert refused(bad) == (
            "question 'stage': a choice question offers no values; "
            "derived fact 'other': history 'before' is not one of prior, concomitant"
        )
        with pytest.raises(PolicyError):
            readers(bad)
