"""Diffs a committee can review: each kind of change, on small trees and on Proleukin's two."""

from __future__ import annotations

import datetime as dt

import pytest
from attrs import evolve
from hypothesis import given
from hypothesis import strategies as st

from umpolicy import (
    AllOf,
    AnswerType,
    AnyOf,
    AtLeast,
    AtMost,
    DoseLimit,
    EveryItem,
    Indication,
    IsTrue,
    Predicate,
    Quantity,
    Question,
    TherapyCount,
    TherapyListed,
    load_policy,
)
from umpolicy.cli import main
from umpolicy.engine.diff import (
    ALIKE,
    EXCLUSIONS,
    Change,
    Kind,
    Line,
    PolicyDiff,
    diff,
    diff_specs,
)
from umpolicy.history import DifferentPoliciesError, InForce
from umpolicy.policy import NotRecommended, Policy, Provenance, Statement
from umpolicy.render.diff import RECONSTRUCTED, SAME, diff_markdown, diff_text
from umpolicy_policies import proleukin, proleukin_2022

BASE = proleukin.POLICY
ADULT = AtLeast("patient.age", Quantity("18", "a"))
DOSE = AtMost("medication.dose", Quantity("10", "mg"))


def yes(fact: str) -> IsTrue:
    return IsTrue(f"answers.{fact}")


def criterion(letter: str, words: str, fact: str | None = None) -> Predicate:
    return Predicate(f"9.{letter}", words, yes(fact or words.split()[0].lower()))


def tree(
    *children: Predicate | DoseLimit | AllOf | AnyOf,
    heading: str = "Approve if the patient meets ALL of the following:",
    dose: AtMost = DOSE,
    approval: str = "1",
) -> Policy:
    """A policy of one small indication, 9, with these criteria and one dosing rule."""
    indication = Indication(
        criteria=AllOf("9", heading, children, title="Small."),
        dosing=DoseLimit("Dosing 9", "Each dose must not exceed 10 mg.", (dose,)),
        section="FDA-Approved Indications",
        approval=Quantity(approval, "a"),
    )
    return evolve(BASE, indications=(indication,), version="v")


A = criterion("A", "Adult patient; AND")
B = criterion("B", "Bravo disease; AND")
C = criterion("C", "Charlie histology; AND")
D = criterion("D", "Delta single agent.")


def kinds(found: PolicyDiff) -> list[tuple[str, str | None, str | None]]:
    """Each change as (kind, label before, label after)."""
    return [
        (
            change.kind.value,
            change.before.label if change.before else None,
            change.after.label if change.after else None,
        )
        for change in found.changes
    ]


def relettered(found: PolicyDiff) -> list[list[tuple[str, str]]]:
    return [[(old.label, new.label) for old, new in each.moves] for each in found.reletterings]


class TestEachKind:
    """Each kind of change is found, and only it, on a small tree."""

    def test_nothing_changed(self) -> None:
        found = diff(tree(A, B), tree(A, B))
        assert (found.changes, found.reletterings) == ((), ())
        assert found.summary == "0 changes and 0 reletterings"
        assert SAME in diff_text(found)
        assert SAME in diff_markdown(found)

    def test_added_at_the_end(self) -> None:
        found = diff(tree(A, B), tree(A, B, evolve(C, label="9.C")))
        assert kinds(found) == [("added", None, "9.C")]
        assert found.reletterings == ()
        assert found.changes[0].after == Line("9.C", "Charlie histology; AND")

    def test_removed_at_the_end(self) -> None:
        found = diff(tree(A, B, C), tree(A, B))
        assert kinds(found) == [("removed", "9.C", None)]
        assert found.reletterings == ()

    def test_reworded(self) -> None:
        changed = evolve(B, text="Bravo disease, metastatic; AND")
        found = diff(tree(A, B, C), tree(A, changed, C))
        assert kinds(found) == [("reworded", "9.B", "9.B")]
        (change,) = found.changes
        assert change.before == Line("9.B", "Bravo disease; AND")
        assert change.after == Line("9.B", "Bravo disease, metastatic; AND")
        assert change.notes == ()

    def test_reworded_with_its_rule(self) -> None:
        changed = Predicate("9.B", "Echo disease; AND", yes("echo"))
        found = diff(tree(A, B, C), tree(A, changed, C))
        assert kinds(found) == [("reworded", "9.B", "9.B")]
        assert found.changes[0].notes == (("rule", "answers.bravo is yes", "answers.echo is yes"),)

    def test_rule_changed_words_unchanged(self) -> None:
        found = diff(tree(A, B), tree(A, evolve(B, check=yes("other"))))
        assert kinds(found) == [("rule changed", "9.B", "9.B")]

    def test_limits_changed(self) -> None:
        lower = AtMost("medication.dose", Quantity("8", "mg"))
        found = diff(tree(A), tree(A, dose=lower))
        assert kinds(found) == [("limits changed", "Dosing 9", "Dosing 9")]
        assert found.changes[0].notes == (
            ("limit (rule)", "medication.dose ≤ 10 mg", "medication.dose ≤ 8 mg"),
        )

    def test_a_bound_on_another_fact_is_a_rule_change(self) -> None:
        other = AtMost("medication.frequency", Quantity("3", "/d"))
        found = diff(tree(A), tree(A, dose=other))
        assert kinds(found) == [("rule changed", "Dosing 9", "Dosing 9")]

    def test_approval_period_changed(self) -> None:
        found = diff(tree(A), tree(A, approval="2"))
        assert kinds(found) == [("approval period changed", "9", "9")]
        assert found.changes[0].notes == (("approval", "1 year", "2 years"),)

    def test_relettered_after_a_removal(self) -> None:
        """Removing B moves C and D up a letter: one removal and one relettering."""
        before = tree(A, B, C, D, heading="Approve if ALL of the following (A, B, C, and D):")
        after = tree(
            A,
            evolve(C, label="9.B"),
            evolve(D, label="9.C"),
            heading="Approve if ALL of the following (A, B, and C):",
        )
        found = diff(before, after)
        assert kinds(found) == [("removed", "9.B", None)]
        assert relettered(found) == [[("9.C", "9.B"), ("9.D", "9.C")]]
        assert found.reletterings[0].letters == ("(A, B, C, and D)", "(A, B, and C)")
        assert found.summary == "1 change and 1 relettering"

    def test_a_list_of_letters_that_follows_a_line_added_at_the_end(self) -> None:
        """Adding D at the end changes the heading's list, but no line is relettered."""
        before = tree(A, B, C, heading="Approve if ALL of the following (A, B, and C):")
        after = tree(
            A, B, C, criterion("D", "Delta single agent."),
            heading="Approve if ALL of the following (A, B, C, and D):",
        )  # fmt: skip
        for one, other, kind in ((before, after, "added"), (after, before, "removed")):
            found = diff(one, other)
            assert [each for each, _, _ in kinds(found)] == [kind]
            assert relettered(found) == [[]]
            assert not found.reletterings[0].moved
            assert found.summary == "1 change and 0 reletterings"
            for shown in (diff_text(found), diff_markdown(found)):
                assert "relettered" not in shown.replace("no line relettered", "")
                assert "no line relettered" in shown
        assert "list of letters: (A, B, and C) → (A, B, C, and D), in “9 Small. " in diff_text(
            diff(before, after)
        )

    def test_relettered_after_an_insertion(self) -> None:
        new = criterion("B", "Foxtrot prior therapy; AND")
        after = tree(A, new, evolve(B, label="9.C"), evolve(C, label="9.D"))
        found = diff(tree(A, B, C), after)
        assert kinds(found) == [("added", None, "9.B")]
        assert relettered(found) == [[("9.B", "9.C"), ("9.C", "9.D")]]

    def test_reworded_and_relettered_alike_words(self) -> None:
        """Words alike enough pair across letters: a rewording, not a removal and addition."""
        new = criterion("B", "Foxtrot prior therapy; AND")
        reworded = evolve(B, label="9.C", text="Bravo disease, any stage; AND")
        found = diff(tree(A, B), tree(A, new, reworded))
        assert kinds(found) == [("added", None, "9.B"), ("reworded", "9.B", "9.C")]
        assert "reworded 9.C (was 9.B)" in diff_text(found)

    def test_words_unlike_under_another_letter_are_removed_and_added(self) -> None:
        other = Predicate("9.C", "Golf", yes("golf"))
        found = diff(tree(A, B), tree(A, other))
        assert kinds(found) == [("removed", "9.B", None), ("added", None, "9.C")]
        assert ALIKE == 0.6

    def test_the_heading_reworded_beyond_its_letters(self) -> None:
        before = tree(A, B, heading="Approve if ALL of the following (A and B):")
        after = tree(A, B, heading="Approve if ONE of the following (A or B):")
        assert kinds(diff(before, after)) == [("reworded", "9", "9")]

    def test_a_list_that_is_not_the_childrens_letters_is_words(self) -> None:
        before = tree(A, B, heading="Approve if ALL of the following (see below):")
        after = tree(A, B, heading="Approve if ALL of the following (see above):")
        assert kinds(diff(before, after)) == [("reworded", "9", "9")]
        assert diff(before, after).reletterings == ()

    def test_reworded_in_place_however_unlike(self) -> None:
        """The same letter in the same place is the same criterion, whatever its new words."""
        found = diff(tree(A, B, C), tree(A, Predicate("9.B", "Xylophone.", yes("x")), C))
        assert kinds(found) == [("reworded", "9.B", "9.B")]

    def test_a_condition_changed_with_the_rule(self) -> None:
        second = AtLeast("medication.schedule.cycles_per_course", Quantity("2", "{cycle}"))
        rest = DoseLimit("9.B", "Rest 9 days.", (AtLeast("x.rest", Quantity("9", "d")),))
        found = diff(tree(A, rest), tree(A, evolve(rest, applies_if=second)))
        assert kinds(found) == [("rule changed", "9.B", "9.B")]
        assert found.changes[0].notes == (
            (
                "rule",
                "x.rest ≥ 9 days",
                "applies if: medication.schedule.cycles_per_course ≥ 2 cycles; "
                "rule: x.rest ≥ 9 days",
            ),
        )

    def test_a_branch_period_changed(self) -> None:
        branch = AllOf("9.B", "Initial. Approve for 6 months (i):", (criterion("B.i", "India"),))
        found = diff(
            tree(A, evolve(branch, approval=Quantity("6", "mo"))),
            tree(A, evolve(branch, approval=Quantity("3", "mo"))),
        )
        assert kinds(found) == [("approval period changed", "9.B", "9.B")]
        assert found.changes[0].notes == (("approval", "6 months", "3 months"),)

    def test_relettered_under_a_heading_without_a_list(self) -> None:
        found = diff(tree(A, B, C), tree(A, evolve(C, label="9.B")))
        assert relettered(found) == [[("9.C", "9.B")]]
        assert found.reletterings[0].letters is None
        assert "list of letters" not in diff_text(found) + diff_markdown(found)
        assert "- **added" not in diff_markdown(found)
        added = diff_markdown(diff(tree(A), tree(A, B)))
        assert "- **added 9.B**\n    - after: “Bravo disease; AND”" in added

    def test_a_heading_that_becomes_a_leaf(self) -> None:
        group = AnyOf("9.B", "ONE of (i or ii):", (criterion("B.i", "India"),))
        found = diff(tree(A, group), tree(A, B))
        assert kinds(found) == [("removed", "9.B", None), ("added", None, "9.B")]

    def test_a_sub_heading_changed_inside(self) -> None:
        inner = AllOf("9.B", "ALL of (i):", (criterion("B.i", "India one"),))
        changed = evolve(inner, children=(criterion("B.i", "India two"),))
        assert kinds(diff(tree(A, inner), tree(A, changed))) == [("reworded", "9.B.i", "9.B.i")]

    def test_an_indication_added_and_removed(self) -> None:
        small = tree(A)
        both = evolve(small, indications=(*small.indications, *BASE.indications[:1]))
        assert kinds(diff(small, both)) == [("added", None, "1")]
        assert kinds(diff(both, small)) == [("removed", "1", None)]
        text = diff_text(diff(both, small))
        assert "1 Cutaneous Melanoma\n  removed 1\n" in text


CATCH_ALL = BASE.not_recommended[0]
BIOLOGIC = NotRecommended("2", "Concurrent use with another biologic.", yes("biologic"))


def excluding(*items: NotRecommended) -> Policy:
    """Proleukin with these items of CONDITIONS NOT RECOMMENDED."""
    return evolve(BASE, not_recommended=items, version="v")


class TestExclusions:
    """An item of CONDITIONS NOT RECOMMENDED added, removed, reworded, re-checked: reported."""

    def test_added(self) -> None:
        found = diff(BASE, excluding(CATCH_ALL, BIOLOGIC))
        assert kinds(found) == [("added", None, "Not Recommended 2")]
        assert found.changes[0].indication == EXCLUSIONS
        assert found.changes[0].after == Line("Not Recommended 2", BIOLOGIC.text)

    def test_removed(self) -> None:
        found = diff(excluding(CATCH_ALL, BIOLOGIC), BASE)
        assert kinds(found) == [("removed", "Not Recommended 2", None)]

    def test_reworded(self) -> None:
        reworded = evolve(BIOLOGIC, text="Concurrent use with any other biologic.")
        found = diff(excluding(CATCH_ALL, BIOLOGIC), excluding(CATCH_ALL, reworded))
        assert kinds(found) == [("reworded", "Not Recommended 2", "Not Recommended 2")]
        assert found.changes[0].notes == ()

    def test_its_check_changed(self) -> None:
        other = evolve(BIOLOGIC, check=yes("other_biologic"))
        found = diff(excluding(CATCH_ALL, BIOLOGIC), excluding(CATCH_ALL, other))
        assert kinds(found) == [("rule changed", "Not Recommended 2", "Not Recommended 2")]
        assert found.changes[0].notes == (
            ("rule", "answers.biologic is yes", "answers.other_biologic is yes"),
        )

    def test_its_limits_changed(self) -> None:
        young = NotRecommended("2", "Patients under 18.", AtLeast("patient.age", Quantity(1, "a")))
        older = evolve(young, check=AtLeast("patient.age", Quantity(2, "a")))
        found = diff(excluding(CATCH_ALL, young), excluding(CATCH_ALL, older))
        assert kinds(found) == [("limits changed", "Not Recommended 2", "Not Recommended 2")]

    def test_relettered_after_a_removal(self) -> None:
        first = NotRecommended("1", "Use in pregnancy.", yes("pregnant"))
        before = excluding(first, evolve(BIOLOGIC, label="2"), evolve(CATCH_ALL, label="3"))
        after = excluding(evolve(BIOLOGIC, label="1"), evolve(CATCH_ALL, label="2"))
        found = diff(before, after)
        assert kinds(found) == [("removed", "Not Recommended 1", None)]
        assert relettered(found) == [
            [("Not Recommended 2", "Not Recommended 1"), ("Not Recommended 3", "Not Recommended 2")]
        ]

    def test_rendered(self) -> None:
        found = diff(BASE, excluding(CATCH_ALL, BIOLOGIC))
        expected = f"{EXCLUSIONS}\n  added Not Recommended 2\n    after:  {BIOLOGIC.text}\n"
        assert diff_text(found).endswith(expected)
        assert f"## {EXCLUSIONS}" in diff_markdown(found)

    def test_the_replay_pairs_them_as_the_diff_does(self) -> None:
        """A removed exclusion has no counterpart, whatever label the next one takes."""
        from umpolicy.replay import counterparts

        first = NotRecommended("1", "Use in pregnancy.", yes("pregnant"))
        before = excluding(first, evolve(BIOLOGIC, label="2"), evolve(CATCH_ALL, label="3"))
        after = excluding(evolve(BIOLOGIC, label="1"), evolve(CATCH_ALL, label="2"))
        there = counterparts(before, after)
        assert "Not Recommended 1" not in there
        assert there["Not Recommended 2"] == "Not Recommended 1"


CHOICE = Question(
    "stage", "Which stage?", AnswerType.CHOICE, values=(("III", "Stage III"), ("IV", "Stage IV"))
)
SITES = Question(
    "sites",
    "Which sites?",
    AnswerType.LIST,
    fields=(Question("size", "How large?", AnswerType.QUANTITY, units=("mm", "cm")),),
)


class TestTheOtherWords:
    """The statement, preambles, titles, sections and questions: a change to any is shown."""

    @pytest.mark.parametrize(
        ("field", "after"),
        [
            ("title", evolve(BASE, title="Another title")),
            ("drug", evolve(BASE, drug="Aldesleukin")),
            ("plans", evolve(BASE, plans="Other plans")),
            ("statement", evolve(BASE, statement=(Statement("only", "Another statement."),))),
            ("preamble", evolve(BASE, preamble="Another preamble.")),
            ("not recommended preamble", evolve(BASE, not_recommended_preamble="Other.")),
            (
                "question melanoma_metastatic",
                evolve(BASE, questions=(evolve(BASE.questions[0], text="Metastatic?"),)),
            ),
        ],
    )
    def test_each_field(self, field: str, after: Policy) -> None:
        found = diff(BASE, evolve(after, version="v"))
        assert field in [each[0] for each in found.metadata]
        assert f"{field.capitalize()}: " in diff_text(found)

    def test_a_value_set_a_derived_fact_reads(self) -> None:
        """Its codes change decisions under the same words: the diff says so, not SAME."""
        count = BASE.derived[0]
        assert isinstance(count, TherapyCount)
        narrow = count.value_set
        wider = evolve(narrow, prefixes=(*narrow.prefixes, "L04"))
        derived = tuple(
            evolve(d, value_set=wider)
            if isinstance(d, TherapyCount | TherapyListed) and d.value_set == narrow
            else d
            for d in BASE.derived
        )
        sets = tuple(wider if v == narrow else v for v in BASE.value_sets)
        found = diff(BASE, evolve(BASE, derived=derived, value_sets=sets, version="v"))
        said = {each[0]: each[1:] for each in found.metadata}
        assert said[f"value set {wider.name}"] == (narrow.describe(), wider.describe())
        assert f"derived fact {count.name}" not in said  # it names the set, which changed
        users = [d.name for d in BASE.derived if getattr(d, "value_set", None) == narrow]
        # The count of prior therapies reads the systemic set; the concomitant fact reads
        # the anticancer one (an intralesional therapy is another agent, yet no systemic one).
        assert users == ["therapy.prior_systemic_count"]
        assert found.read_changed == (f"value set {wider.name}",)
        assert found.changes == ()
        for shown in (diff_text(found), diff_markdown(found)):
            assert SAME not in shown
            assert "what they read changed" in shown
            assert f"value set {wider.name}" in shown

    def test_two_sets_of_one_name_are_both_said(self) -> None:
        count = BASE.derived[0]
        assert isinstance(count, TherapyCount)
        wider = evolve(count.value_set, prefixes=(*count.value_set.prefixes, "L04"))
        after = evolve(BASE, derived=(evolve(count, value_set=wider), *BASE.derived[1:]))
        said = {each[0]: each[1:] for each in diff(BASE, after).metadata}
        assert said[f"value set {wider.name}"][1] == (
            f"{count.value_set.describe()} / {wider.describe()}"
        )

    @pytest.mark.parametrize("name", ["proleukin", "quellimab"])
    def test_every_derived_fact_added_is_said(self, name: str) -> None:
        policy = load_policy(name)
        found = diff(evolve(policy, derived=()), evolve(policy, version="v"))
        said = {each[0]: each[1:] for each in found.metadata}
        for derived in policy.derived:
            before, after = said[f"derived fact {derived.name}"]
            assert (before, after.partition(" [")[0]) == ("", derived.description)
            at_least = getattr(derived, "at_least", None)
            if at_least is not None:
                assert f"at_least: {at_least.display()}" in after

    def test_a_derived_fact_in_words(self) -> None:
        sites = next(d for d in BASE.derived if isinstance(d, EveryItem))
        without = evolve(BASE, derived=tuple(d for d in BASE.derived if d is not sites))
        found = diff(without, evolve(BASE, version="v"))
        said = {each[0]: each[1:] for each in found.metadata}
        (before, after) = said[f"derived fact {sites.name}"]
        assert before == ""
        assert after.startswith(f"{sites.description} [question: {sites.question}; where: ")
        field, codes = sites.where[0]
        assert f"{field} in {', '.join(codes)}" in after

    def test_a_question_in_words(self) -> None:
        found = diff(BASE, evolve(BASE, questions=(*BASE.questions, CHOICE, SITES)))
        said = {each[0]: each[1:] for each in found.metadata}
        assert said["question stage"] == (
            "",
            "Which stage? [choice: III (Stage III), IV (Stage IV)]",
        )
        assert said["question sites"] == (
            "",
            "Which sites? [list; each: How large? [quantity in mm, cm]]",
        )

    def test_an_indications_section(self) -> None:
        first = BASE.indications[0]
        moved = evolve(first, section="Other Uses with Supportive Evidence")
        found = diff(BASE, evolve(BASE, indications=(moved, *BASE.indications[1:])))
        assert kinds(found) == [("section changed", "1", "1")]
        assert found.changes[0].notes == (("section", first.section, moved.section),)


class TestRendered:
    """Text and Markdown show both sides' words, and mark reconstructed ones."""

    def test_markdown_and_text_of_a_rewording(self) -> None:
        changed = evolve(B, text="Bravo disease *now*; AND")
        found = diff(tree(A, B), tree(A, changed))
        markdown = diff_markdown(found, heading=2)
        assert markdown.startswith("## ")
        assert "### 9 Small" in markdown
        assert "    - after: “Bravo disease \\*now\\*; AND”" in markdown
        text = diff_text(found)
        assert "    before: Bravo disease; AND\n    after:  Bravo disease *now*; AND" in text

    def test_reconstructed_words_are_marked(self) -> None:
        marked = evolve(tree(A, B), provenance=Provenance("Ours.", ("9.B",)))
        found = diff(marked, tree(A, evolve(B, text="Bravo, reworded; AND")))
        assert found.changes[0].before == Line("9.B", "Bravo disease; AND", reconstructed=True)
        assert f"Bravo disease; AND {RECONSTRUCTED}" in diff_text(found)
        assert f"*{RECONSTRUCTED}*" in diff_markdown(found)
        assert "Before: reconstructed: Ours." in diff_text(found)

    def test_dates_and_metadata(self) -> None:
        old = InForce(tree(A), dt.date(2020, 1, 1), dt.date(2020, 12, 31))
        new = InForce(
            evolve(tree(A), version="w", reviewed=dt.date(2021, 1, 1)), dt.date(2021, 1, 1)
        )
        text = diff_text(diff(old, new, note="Our reading."))
        assert "Before: proleukin version v, in force 2020-01-01 to 2020-12-31" in text
        assert "After: proleukin version w, in force from 2021-01-01" in text
        assert "Dates: Our reading." in text
        assert "Reviewed: 2025-02-05 → 2021-01-01" in text
        plain = diff_text(diff(tree(A), evolve(tree(A), revision_note="")))
        assert "Revision note: Annual Revision" in plain
        assert "→ (none)" in plain


#: The diff of Proleukin's two versions, as `umpolicy diff` prints it (after the header).
PROLEUKIN = """\
2 changes and 1 relettering

2 Renal Cell Carcinoma
  reworded 2.B
    before: Patient has kidney cancer; AND (reconstructed)
    after:  Patient has metastatic disease; AND
    rule before: diagnoses include Renal cell carcinoma (ICD-10-CM C64*)
    rule after:  answers.renal_cell_carcinoma_metastatic is yes
  removed 2.C
    before: Patient has clear cell histology; AND (reconstructed)
  relettered 2.D → 2.C, 2.E → 2.D: words and rules unchanged
    2.D → 2.C: Proleukin will be used as a single agent; AND
    2.E → 2.D: Proleukin is prescribed by or in consultation with an oncologist.
    list of letters: (A, B, C, D, and E) → (A, B, C, and D)
"""


class TestProleukin:
    """The 2025 revision rewords 2.B, removes 2.C and reletters D and E: exactly that."""

    def test_two_changes_and_a_relettering(self) -> None:
        found = diff_specs("proleukin@2024-06-01", "proleukin@2025-03-01")
        assert kinds(found) == [("reworded", "2.B", "2.B"), ("removed", "2.C", None)]
        assert relettered(found) == [[("2.D", "2.C"), ("2.E", "2.D")]]
        assert found.reletterings[0].letters == ("(A, B, C, D, and E)", "(A, B, C, and D)")
        assert found.summary == "2 changes and 1 relettering"

    def test_the_words_of_both_sides(self) -> None:
        found = diff_specs("proleukin@2024-06-01", "proleukin")
        reworded, removed = found.changes
        assert reworded == Change(
            Kind.REWORDED,
            "2 Renal Cell Carcinoma",
            Line("2.B", "Patient has kidney cancer; AND", reconstructed=True),
            Line("2.B", "Patient has metastatic disease; AND"),
            (
                (
                    "rule",
                    "diagnoses include Renal cell carcinoma (ICD-10-CM C64*)",
                    "answers.renal_cell_carcinoma_metastatic is yes",
                ),
            ),
        )
        assert removed.before == Line("2.C", "Patient has clear cell histology; AND", True)

    def test_the_dates_and_their_reading(self) -> None:
        found = diff_specs("proleukin@2024-06-01", "proleukin@2025-03-01")
        assert found.before.policy is proleukin_2022.POLICY
        assert found.after.policy is proleukin.POLICY
        assert (found.before.dates, found.after.dates) == (
            "2022-01-01 to 2025-02-04",
            "from 2025-02-05",
        )
        assert "our reading" in found.note
        assert ("version", "2022-01-01", "2025-02-05") in found.metadata

    def test_text(self) -> None:
        text = diff_text(diff_specs("proleukin@2024-06-01", "proleukin@2025-03-01"))
        assert text.endswith(PROLEUKIN)
        assert "Reconstructed from the revision note of 02/05/2025" in text
        assert "Revision note of version 2025-02-05: Annual Revision Renal Cell Carcinoma" in text

    def test_nothing_else_differs_backwards_either(self) -> None:
        found = diff(proleukin.POLICY, proleukin_2022.POLICY)
        assert kinds(found) == [("reworded", "2.B", "2.B"), ("added", None, "2.C")]
        assert relettered(found) == [[("2.C", "2.D"), ("2.D", "2.E")]]
        assert found.note == ""


class TestCommandLine:
    """umpolicy diff NAME@DATE NAME@DATE prints the diff as text or Markdown."""

    def test_text_and_markdown(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["diff", "proleukin@2024-06-01", "proleukin@2025-03-01"]) == 0
        assert capsys.readouterr().out.endswith(PROLEUKIN)
        args = ["diff", "proleukin@2024-06-01", "proleukin", "--format", "markdown"]
        assert main(args) == 0
        out = capsys.readouterr().out
        assert out.startswith("# Oncology (Injectable) – Proleukin")
        assert "- **relettered 2.D → 2.C, 2.E → 2.D**: words and rules unchanged" in out

    @pytest.mark.parametrize(
        ("spec", "said"),
        [
            ("proleukin@2024-6-1", "not a policy version"),
            ("proleukin@2021-12-31", "no version of 'proleukin' is in force on 2021-12-31"),
            ("nothing@2024-06-01", "no policy named 'nothing'"),
        ],
    )
    def test_a_version_that_is_not(
        self, spec: str, said: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["diff", spec, "proleukin"]) == 2
        assert said in capsys.readouterr().err

    @pytest.mark.parametrize(
        ("before", "after"),
        [("proleukin@2024-06-01", "quellimab"), ("quellimab@2026-06-15", "proleukin")],
    )
    def test_versions_of_two_policies_are_refused(
        self, before: str, after: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Two drugs' policies have no revision between them: a diff of them would mislead."""
        assert main(["diff", before, after]) == 2
        one, other = before.partition("@")[0], after.partition("@")[0]
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err == (
            f"umpolicy: {before} and {after} are versions of different policies: "
            f"{one!r} and {other!r}; diff compares two versions of one policy\n"
        )

    def test_the_library_refuses_two_policies_too(self) -> None:
        """A plan's own code calling diff() is kept from the same mistake as the CLI."""
        quellimab = load_policy("quellimab")
        with pytest.raises(DifferentPoliciesError, match="'proleukin' and 'quellimab'; diff"):
            diff(proleukin.POLICY, quellimab)
        with pytest.raises(DifferentPoliciesError, match=r"^quellimab and proleukin@2024"):
            diff_specs("quellimab", "proleukin@2024-06-01")

    def test_an_unknown_policy_is_named_before_two_policies(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["diff", "proleukin", "prolukin@2025-03-01"]) == 2
        assert "no policy named 'prolukin' is installed" in capsys.readouterr().err


LETTERS = "ABCDEFGHIJ"
#: Distinct criteria words: what a plan writes differs from line to line.
TEXTS = st.lists(
    st.text(alphabet="abcdefghij ", min_size=1, max_size=12), min_size=1, max_size=8, unique=True
)


def lettered(texts: list[str]) -> list[Predicate]:
    """One criterion per text, lettered A, B, C, … in order, each its own rule."""
    return [
        Predicate(f"9.{LETTERS[at]}", f"Criterion {text}; AND", yes("q" + text.encode().hex()))
        for at, text in enumerate(texts)
    ]


class TestMatchedByContentAndPosition:
    """One line removed, added or reworded is that one change, and the rest only move."""

    @given(TEXTS, st.data())
    def test_one_removed(self, texts: list[str], data: st.DataObject) -> None:
        gone = data.draw(st.integers(0, len(texts) - 1))
        after = lettered(texts[:gone] + texts[gone + 1 :])
        found = diff(tree(*lettered(texts)), tree(*after))
        assert kinds(found) == [("removed", f"9.{LETTERS[gone]}", None)]
        moved = [(f"9.{LETTERS[at]}", f"9.{LETTERS[at - 1]}") for at in range(gone + 1, len(texts))]
        assert relettered(found) == ([moved] if moved else [])

    @given(TEXTS, st.text(alphabet="klmnop", min_size=1, max_size=12), st.data())
    def test_one_added(self, texts: list[str], new: str, data: st.DataObject) -> None:
        at = data.draw(st.integers(0, len(texts)))
        found = diff(tree(*lettered(texts)), tree(*lettered([*texts[:at], new, *texts[at:]])))
        assert kinds(found) == [("added", None, f"9.{LETTERS[at]}")]
        moved = [(f"9.{LETTERS[i]}", f"9.{LETTERS[i + 1]}") for i in range(at, len(texts))]
        assert relettered(found) == ([moved] if moved else [])

    @given(TEXTS, st.data())
    def test_one_reworded_in_place(self, texts: list[str], data: st.DataObject) -> None:
        at = data.draw(st.integers(0, len(texts) - 1))
        before = lettered(texts)
        after = [*before]
        after[at] = evolve(before[at], text=before[at].text.replace("; AND", ", as revised; AND"))
        found = diff(tree(*before), tree(*after))
        assert kinds(found) == [("reworded", f"9.{LETTERS[at]}", f"9.{LETTERS[at]}")]
        assert found.reletterings == ()

    @given(TEXTS)
    def test_the_same_tree_has_no_change(self, texts: list[str]) -> None:
        assert diff(tree(*lettered(texts)), tree(*lettered(texts))).summary == (
            "0 changes and 0 reletterings"
        )
