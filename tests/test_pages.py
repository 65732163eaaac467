"""Reviewer pages and diagrams: generated from the policy object, nothing typed twice."""

from __future__ import annotations

from typing import ClassVar

import attrs
import pytest

from tests.seed import stray_words_in
from umpolicy import (
    AllOf,
    AtLeast,
    AtMost,
    Consulted,
    DoseLimit,
    Includes,
    Indication,
    Interpretation,
    NotRecommended,
    OneOf,
    Predicate,
    Quantity,
    Source,
    ValueSet,
    load_policy,
    walk,
)
from umpolicy.engine.catalog import with_inputs
from umpolicy.engine.decision import exclusion_label
from umpolicy.render.diagram import indication_flowchart
from umpolicy.render.pages import (
    anchor,
    fact_code,
    interpretations_page,
    labels,
    policy_page,
    traceability_page,
    traced_labels,
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

    def test_each_criterion_links_its_tests_with_their_count(self, page: str) -> None:
        assert "    - [1 test](traceability.md#label-1-a-i)" in page
        assert "    - [0 tests](traceability.md#label-1-a-ii)" in page
        assert "t.py" not in page  # the test names are on the traceability page

    def test_the_rule_reads_with_its_limit_in_words(self, page: str) -> None:
        assert "- Requires: dose at most 600,000 International Units/kg (or 0.037 mg/kg)\n" in page
        assert "- Applies only if: course number at least 2 courses\n" in page
        assert "- Condition: route: Intravenous (SNOMED CT 47625008)\n" in page
        assert "≤" not in page.split("## Facts this policy reads")[0].split("#### Dosing limits")[0]

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

    def test_interpretations_are_linked_to_their_full_text(self, page: str) -> None:
        assert "](#interpretation-rest-not-applicable)" in page
        section = page.split("\n## Interpretations\n", 1)[1]
        for item in POLICY.interpretations:
            assert f'<span id="interpretation-{item.key}"></span>' in section
            assert item.text.replace("*", "\\*").replace("_", "\\_") in section

    def test_one_mermaid_diagram_per_indication(self, page: str) -> None:
        assert page.count("```mermaid") == len(POLICY.indications)

    def test_the_metadata_table_has_a_header(self, page: str) -> None:
        assert "| Field | Value |\n| --- | --- |" in page
        assert "| | |\n| --- | --- |" not in page
        assert "| Automation (POLICY STATEMENT) | Automation: None. |" in page

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
            '| <span id="question-renal-cell-carcinoma-metastatic"></span><code class="fact">'
            "answers.<wbr>proleukin.<wbr>renal&#95;cell&#95;carcinoma&#95;metastatic</code> (fact "
            '[<code class="fact">answers.<wbr>renal&#95;cell&#95;carcinoma&#95;metastatic</code>]'
            "(#fact-answers-renal-cell-carcinoma-metastatic)) | Is the renal cell carcinoma "
            "metastatic? | boolean |  |" in page
        )
        assert (
            '| <code class="fact">answers.<wbr>proleukin.<wbr>lesions[].<wbr>site</code> | Where '
            "is the lesion? | choice | " in page
        )
        assert "`cutaneous`: Cutaneous<br>`subcutaneous`: Subcutaneous" in page

    def test_every_derived_fact_with_how_and_from_what(self, page: str) -> None:
        assert "## Derived facts" in page
        assert (
            '| [<code class="fact">therapy.<wbr>prior&#95;systemic&#95;count</code>]'
            "(#fact-therapy-prior-systemic-count) | How many other systemic therapies the "
            "patient has tried. | How many prior therapies in "
            "[Systemic anticancer therapy]"
            "(#value-set-systemic-anticancer-therapy)."
            ' | [<code class="fact">therapies.<wbr>prior</code>](#fact-therapies-prior) |' in page
        )
        assert (
            'Yes when [<code class="fact">answers.<wbr>lesions</code>](#question-lesions) lists '
            "at least one item and every "
            "item has `site` is `cutaneous` or `subcutaneous` or `nodal`; `status` is "
            "`metastatic` or `recurrent` or `unresectable`." in page
        )

    def test_a_consultant_asked_for_in_words(self, page: str) -> None:
        """What one consultant must have, each thing asked, and nothing not asked."""
        assert (
            "Yes when one physician consulted has a specialty in [Physician]"
            "(#value-set-physician) and an affiliation `transplant-center`." in page
        )
        centres = ValueSet("centres", "Transplant centres", "plan affiliations", ("tc",))
        first = next(each for each in POLICY.value_sets if each.system == "NUCC taxonomy")
        asked = (
            Consulted("c.at_a_centre", "Anyone at a centre.", affiliations=centres),
            Consulted("c.a_physician", "Any physician.", specialties=first),
        )
        more = attrs.evolve(
            POLICY, derived=(*POLICY.derived, *asked), value_sets=(*POLICY.value_sets, centres)
        )
        other = policy_page(more)
        assert (
            "Yes when one physician consulted has an affiliation in [Transplant centres]"
            "(#value-set-centres)." in other
        )
        assert (
            f"Yes when one physician consulted has a specialty in [{first.title}]"
            f"(#value-set-{first.name})." in other
        )

    def test_the_facts_table_holds_every_input(self, page: str) -> None:
        for name in with_inputs(POLICY, POLICY.facts()):
            assert f'<span id="fact-{name.replace(".", "-").replace("_", "-")}"></span>' in page
        assert '<code class="fact">answers.<wbr>lesions</code>' in page

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
        assert "    - Not recommended if: concomitant biologic or tsdmard: yes\n" in page

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
        assert '    - Reads: [<code class="fact">diagnoses</code>](#fact-diagnoses)' in page
        assert "    - [1 test](traceability.md#label-not-recommended-2)" in page
        assert "Not Recommended 2" in indication_flowchart(policy.indications[0], policy.exclusions)


class TestForTheReviewer:
    """The page says what the reviewer does next, quoting the POLICY STATEMENT."""

    def test_next_steps_quote_the_statement(self, page: str) -> None:
        section = page.split("## What the reviewer does next\n", 1)[1].split("\n## ", 1)[0]
        assert 'umpolicy recommends; a clinician decides. The policy says "Automation: None."' in (
            section
        )
        for outcome, title in (
            ("clinician_review", "Clinician review"),
            ("insufficient_information", "Insufficient information"),
        ):
            step = POLICY.review_for(outcome)
            assert step is not None
            assert f"### {title}\n\n{step.action}\n" in section
            for quote in POLICY.guidance(outcome):
                assert f"> {quote}\n" in section

    def test_what_the_code_does_not_decide(self, page: str) -> None:
        section = page.split("### What the code does not decide\n", 1)[1].split("\n## ", 1)[0]
        assert (
            "(touches [Dosing 1.A.iii](#label-dosing-1-a-iii), [Dosing 2.C](#label-dosing-2-c)): "
            "Additional courses of therapy should only be given if there is evidence of tumor "
            "shrinkage" in section
        )
        assert "(not encoded)\n" in page.split("\n## Interpretations\n", 1)[1]

    def test_a_policy_without_next_steps_has_no_section(self) -> None:
        bare = attrs.evolve(POLICY, review=(), interpretations=(), statement=())
        assert "## What the reviewer does next" not in policy_page(bare)

    def test_a_step_without_the_automation_sentence(self) -> None:
        page = policy_page(QUELLIMAB)
        assert "### Clinician review" in page
        assert "Automation" not in page
        assert "### What the code does not decide" not in page

    def test_an_unencoded_note_of_the_whole_policy(self) -> None:
        note = Interpretation("n", "Note", "Said, not decided.", (), encoded=False)
        page = policy_page(attrs.evolve(POLICY, review=(), interpretations=(note,)))
        assert "- [Note](#interpretation-n): Said, not decided." in page
        assert "Touches:" not in page


class TestContextReadsAsTheDocument:
    """Bullets stay bullets: a paragraph ending with a colon introduces a list."""

    def test_overview_and_guidelines_are_lists(self, page: str) -> None:
        assert (
            "indicated for the following:\n\n- Metastatic melanoma, in adults.\n"
            "- Metastatic renal cell carcinoma, in adults.\n\n### Dosing Information" in page
        )
        assert "guidelines:\n\n- Cutaneous melanoma (version 1.2025" in page

    def test_a_paragraph_without_a_colon_is_a_paragraph(self) -> None:
        source = Source("Notes", ("One.", "Two."))
        page = policy_page(attrs.evolve(POLICY, context=(source,)))
        assert "### Notes\n\nOne.\n\nTwo.\n\n## Policy statement" in page


class TestFactNames:
    """A fact's name may wrap after a dot, never inside a word."""

    def test_breaks_only_after_dots(self) -> None:
        assert fact_code("medication.schedule.rest_before_course") == (
            '<code class="fact">medication.<wbr>schedule.<wbr>rest&#95;before&#95;course</code>'
        )
        assert fact_code("diagnoses") == '<code class="fact">diagnoses</code>'


class TestTraceabilityPage:
    """Every label with how many tests name it, and which, from the tests' markers."""

    TESTS: ClassVar[dict[str, list[str]]] = {
        "1.A.i": [f"tests/t.py::TestA::test_a[{n}]" for n in range(5)] + ["tests/u.py::test_b"],
    }

    def test_every_label_with_its_count(self) -> None:
        page = traceability_page(POLICY, self.TESTS, "proleukin.md")
        for label in traced_labels(POLICY):
            count = len(self.TESTS.get(label, ()))
            assert f"| [{label}](#{anchor(label)}) | {count} |" in page
            assert f"{{#{anchor(label)}}}" in page
        assert "## 1.A.i: 6 tests {#label-1-a-i}" in page
        assert "## 1.A.ii: 0 tests {#label-1-a-ii}" in page

    def test_tests_grouped_by_function_with_their_cases(self) -> None:
        page = traceability_page(POLICY, self.TESTS, "proleukin.md")
        assert "| `t.py::TestA::test_a` | 5 |\n| `u.py::test_b` | 1 |" in page

    def test_each_label_links_back_with_its_words(self) -> None:
        page = traceability_page(POLICY, {}, "proleukin.md")
        assert "[1.A](proleukin.md#label-1-a) Intravenous Therapy. Approve if the patient" in page
        assert "[Dosing 3](proleukin.md#label-dosing-3) Approve up to 1 million" in page

    def test_exclusions_are_traced(self) -> None:
        item = QUELLIMAB.exclusions[0]
        label = exclusion_label(item)
        assert label in traced_labels(QUELLIMAB)
        page = traceability_page(QUELLIMAB, {label: ["tests/x.py::test_x"]}, "quellimab.md")
        assert f"## {label}: 1 test {{#{anchor(label)}}}" in page
        assert f"[{label}](quellimab.md#{anchor(label)}) Concurrent use" in page


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

    def test_not_encoded_is_marked(self) -> None:
        page = interpretations_page(POLICY, "proleukin.md")
        assert "without contraindications (not encoded) {#retreatment}" in page
        assert "route-headings}" in page
        assert "Route headings are conditions (not encoded)" not in page


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
