"""Reviewer pages and diagrams: generated from the policy object, nothing typed twice."""

from __future__ import annotations

import attrs
import pytest

from tests.seed import stray_words_in
from umpolicy import (
    AllOf,
    AtLeast,
    AtMost,
    DoseLimit,
    Includes,
    Indication,
    Interpretation,
    NotRecommended,
    OneOf,
    Predicate,
    Quantity,
    ValueSet,
    load_policy,
    walk,
)
from umpolicy.engine.catalog import with_inputs
from umpolicy.engine.decision import exclusion_label
from umpolicy.render.diagram import approval_periods, indication_flowchart, node_id
from umpolicy.render.pages import (
    anchor,
    interpretations_page,
    labels,
    policy_page,
    value_sets_of,
)
from umpolicy_policies.proleukin import POLICY

QUELLIMAB = load_policy("quellimab")  # the fictional teaching policy, installed for the tests


class TestLabels:
    """The page lists every label in the document's order, each with its own anchor."""

    def test_order_follows_the_document(self) -> None:
        found = labels(POLICY)
        assert found[:3] == ("1", "1.A", "1.A.i")
        assert found[-1] == "Dosing 3"
        assert found.index("2") > found.index("Dosing 1.B.ii")

    def test_anchors_are_distinct(self) -> None:
        assert anchor("Dosing 1.A.i") == "label-dosing-1-a-i"
        assert len({anchor(label) for label in labels(POLICY)}) == len(labels(POLICY))


@pytest.fixture(scope="module")
def page() -> str:
    return policy_page(POLICY, {"1.A.i": ["tests/t.py::test_age"]})


class TestPolicyPage:
    """The reviewer page is generated from the tree: every label, word, limit and fact."""

    def test_every_label_and_text(self, page: str) -> None:
        for root in POLICY.trees():
            for node in walk(root):
                assert f'<span id="{anchor(node.label)}"></span>' in page
                assert f"**{node.label}**" in page

    def test_metadata(self, page: str) -> None:
        assert "| Effective date | 2022-01-01 |" in page
        assert "| Review date | 2025-02-05 |" in page
        assert POLICY.content_hash in page

    def test_tests_are_listed_under_their_criterion(self, page: str) -> None:
        assert "Tests (1): `t.py` (1)" in page

    def test_dosing_table_rows(self, page: str) -> None:
        row = (
            "| [Dosing 3](#label-dosing-3) | The dose per administration: absolute, per kg, "
            "per m² or per a counted unit. | 1 million International Units/m² | `10*6.[iU]/m2` | "
            "at most (inclusive, ≤) |"
        )
        assert row in page

    def test_route_condition_row(self, page: str) -> None:
        assert (
            "| [Dosing 3](#label-dosing-3) | medication.route is Subcutaneous (SNOMED CT "
            "34206005) | | | condition |" in page
        )

    def test_a_conditional_limit_says_when_it_applies(self, page: str) -> None:
        assert (
            "| [Dosing 2.B](#label-dosing-2-b) | Rest between one cycle and the next. (if "
            "medication.schedule.cycles\\_per\\_course ≥ 2 cycles) | 9 days | `d` |" in page
        )

    def test_interpretations_are_linked(self, page: str) -> None:
        assert "](interpretations.md#rest-not-applicable)" in page

    def test_one_mermaid_diagram_per_indication(self, page: str) -> None:
        assert page.count("```mermaid") == len(POLICY.indications)

    def test_tests_are_grouped_by_module_and_class(self) -> None:
        ids = [f"tests/t.py::TestA::test_{n}[x]" for n in range(5)] + ["tests/u.py::test_b"]
        page = policy_page(POLICY, {"2.B": ids})
        assert "Tests (6): `t.py::TestA` (5), `u.py` (1)" in page

    def test_stray_lines_are_absent(self, page: str) -> None:
        assert stray_words_in(page) == set()


class TestWhatThePolicyDeclares:
    """Value sets, questions and derived facts come from the policy module itself."""

    def test_every_value_set_with_its_codes_and_prefixes(self, page: str) -> None:
        assert "## Value sets" in page
        for each in POLICY.value_sets:
            assert f'<span id="value-set-{each.name}"></span>' in page
        assert "| ICD-10-CM | — | `C43*` |" in page
        assert "| ICD-10-CM | `D89.811` | — |" in page
        assert "`207RX0202X`, `207RH0003X`" in page

    def test_criteria_link_the_value_sets_they_use(self, page: str) -> None:
        assert "- Value sets: [Cutaneous melanoma](#value-set-cutaneous-melanoma)" in page
        oncology = "[Oncologist](#value-set-oncology)"
        assert f"- Value sets: {oncology}, [Dermatologist](#value-set-dermatology)" in page

    def test_every_question_in_the_words_a_provider_is_asked(self, page: str) -> None:
        assert "under `answers.proleukin`" in page
        assert (
            '| <span id="question-metastatic"></span>`answers.proleukin.metastatic` (fact '
            "[`answers.metastatic`](#fact-answers-metastatic)) | Is the disease metastatic? | "
            "boolean |  |" in page
        )
        assert "| `answers.proleukin.lesions[].site` | Where is the lesion? | choice | " in page
        assert "`cutaneous`: Cutaneous<br>`subcutaneous`: Subcutaneous" in page

    def test_every_derived_fact_with_how_and_from_what(self, page: str) -> None:
        assert "## Derived facts" in page
        assert (
            "| [`therapy.prior_systemic_count`](#fact-therapy-prior-systemic-count) | How many "
            "other systemic therapies the patient has tried. | How many prior therapies in "
            "[Other systemic antineoplastic or immunomodulating therapy]"
            "(#value-set-systemic-therapy)."
            " | [`therapies.prior`](#fact-therapies-prior) |" in page
        )
        assert (
            "Yes when [`answers.lesions`](#question-lesions) lists at least one item and every "
            "item has `site` is `cutaneous` or `subcutaneous` or `nodal`; `status` is "
            "`metastatic` or `recurrent` or `unresectable`." in page
        )

    def test_the_facts_table_holds_every_input(self, page: str) -> None:
        for name in with_inputs(POLICY, POLICY.facts()):
            assert f'<span id="fact-{name.replace(".", "-").replace("_", "-")}"></span>' in page
        assert "`answers.lesions`" in page

    def test_a_check_without_value_sets(self) -> None:
        assert value_sets_of(AtLeast("patient.age", Quantity("18", "a"))) == ()
        assert value_sets_of(OneOf("medication.route", ("47625008",))) == ()


@pytest.fixture(scope="module")
def fictional_page() -> str:
    return policy_page(QUELLIMAB, notice="Not real.")


class TestFictionalPolicyPage:
    """Exclusions, per-branch periods, weight tiers and the fictional notice."""

    def test_notice(self, fictional_page: str) -> None:
        page = fictional_page
        assert '!!! warning "Not a real policy"\n\n    Not real.' in page
        assert "Not a real policy" not in policy_page(POLICY)

    def test_branch_periods(self, fictional_page: str) -> None:
        page = fictional_page
        assert "Approval period: [1.A](#label-1-a) 6 months; [1.B](#label-1-b) 1 year." in page
        assert "- Approval period: 6 months" in page

    def test_exclusion_with_its_rule_and_anchor(self, fictional_page: str) -> None:
        page = fictional_page
        item = QUELLIMAB.exclusions[0]
        assert f'<span id="{anchor(exclusion_label(item))}"></span>**{item.label}.**' in page
        assert f"- Exclusion ({exclusion_label(item)}): " in page

    def test_weight_tier_rows(self, fictional_page: str) -> None:
        page = fictional_page
        assert "(if patient.weight \\< 30 kg) | 10 mg/kg | `mg/kg` |" in page
        assert "| 1 time every 4 weeks | `/(4.wk)` | at most (inclusive, ≤) |" in page

    def test_every_interpretation_link_has_a_target(self) -> None:
        targets = set(labels(QUELLIMAB)) | {exclusion_label(i) for i in QUELLIMAB.exclusions}
        for item in QUELLIMAB.interpretations:
            assert set(item.labels) <= targets


class TestAnExclusionWithAValueSet:
    """An exclusion that compares with a value set links it, as a criterion does."""

    def test_value_sets_and_facts(self) -> None:
        excluded = ValueSet("excluded", "Excluded conditions", "ICD-10-CM", prefixes=("Z99",))
        item = NotRecommended("2", "Excluded conditions.", Includes("diagnoses", excluded))
        policy = attrs.evolve(
            POLICY, not_recommended=(*POLICY.not_recommended, item), value_sets=(excluded,)
        )
        page = policy_page(policy, {"Not Recommended 2": ["tests/t.py::test_x"]})
        assert '<span id="label-not-recommended-2"></span>**2.** Excluded conditions.' in page
        assert "    - Value sets: [Excluded conditions](#value-set-excluded)" in page
        assert "    - Facts: [`diagnoses`](#fact-diagnoses)" in page
        assert "    - Tests (1): `t.py` (1)" in page
        assert "Not Recommended 2" in indication_flowchart(policy.indications[0], policy.exclusions)


class TestInterpretationsPage:
    """Each interpretation appears once, with links back to the labels it affects."""

    def test_an_interpretation_of_the_whole_policy_links_nothing(self) -> None:
        general = Interpretation("general", "General", "Applies throughout.", ())
        page = interpretations_page(attrs.evolve(POLICY, interpretations=(general,)), "p.md")
        assert "## General {#general}\n\nApplies throughout.\n" in page
        assert "Affects:" not in page

    def test_links(self) -> None:
        page = interpretations_page(POLICY, "proleukin.md")
        for item in POLICY.interpretations:
            assert f"{{#{item.key}}}" in page
        assert "[Dosing 3](proleukin.md#label-dosing-3)" in page


class TestDiagram:
    """The Mermaid flowchart has a box for every node and the four outcomes."""

    def test_nodes_and_outcomes(self) -> None:
        chart = indication_flowchart(POLICY.indications[2])
        assert chart.startswith("flowchart LR\n")
        for label in ("3", "3.A", "3.B", "3.C", "3.D", "Dosing 3"):
            assert f"    {node_id(label)}[" in chart
        assert "3 -->|criteria met| dosing_3" in chart
        assert '3_approve(["approve: 1 year"])' in chart
        assert "dosing_3 -->|dosing not met| 3_review" in chart
        assert "dosing_3 -->|dosing met| 3_approve" in chart

    def test_quotes_are_escaped(self) -> None:
        assert node_id("Dosing 1.A.i") == "dosing_1_a_i"
        chart = indication_flowchart(POLICY.indications[0])
        assert "1_a -->|ALL of| 1_a_i" in chart
        assert "1 -->|ONE of| 1_a" in chart

    def test_branch_periods_and_exclusions(self) -> None:
        ra = QUELLIMAB.indications[0]
        assert approval_periods(ra) == (("1.A", "6 months"), ("1.B", "1 year"))
        chart = indication_flowchart(ra, QUELLIMAB.exclusions)
        assert '1_approve(["approve: 1.A 6 months; 1.B 1 year"])' in chart
        assert "1_exclusions -->|an exclusion met| 1_not" in chart
        assert "1_exclusions -->|no exclusion met| 1" in chart
        assert "dosing_1 -->|dosing met, an exclusion unknown| 1_info" in chart
        pjia = QUELLIMAB.indications[1]
        assert approval_periods(pjia)[-1] == (None, "1 year")
        assert "approve: 2.A 6 months; else 1 year" in indication_flowchart(pjia)

    def test_an_indication_without_branch_periods(self) -> None:
        indication = attrs.evolve(
            POLICY.indications[1],
            criteria=attrs.evolve(POLICY.indications[1].criteria, approval=Quantity("6", "mo")),
            approval=None,
        )
        assert isinstance(indication.criteria, AllOf)
        assert approval_periods(indication) == (("2", "6 months"),)


class TestGeneratorsRefuseWhatTheyCannotShow:
    """A page without an outcomes note omits the section, and a bare policy its extras."""

    def test_page_without_outcomes_interpretation(self) -> None:
        adult = Predicate("1.A", "Adult.", AtLeast("patient.age", Quantity("18", "a")))
        dose = DoseLimit(
            "Dosing 1", "At most 1 mg.", (AtMost("medication.dose", Quantity("1", "mg")),)
        )
        only = Indication(AllOf("1", "All of:", (adult,)), dose, "Section", Quantity("1", "a"))
        bare = attrs.evolve(
            POLICY,
            indications=(only,),
            interpretations=(),
            value_sets=(),
            questions=(),
            derived=(),
            revision_note="",
        )
        page = policy_page(bare)
        assert "## Outcomes" not in page
        assert "Interpretations:" not in page
        for section in ("## Value sets", "## Questions", "## Derived facts", "## Revision"):
            assert section not in page
