"""The reviewer's worksheet: outcome and reasons first, one unit, words not codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import base, decide, replace
from umpolicy import Decision, Outcome, Quantity, Request, loads, structure
from umpolicy import decide as decide_under
from umpolicy.api import evaluate, to_json
from umpolicy.render.html import decision_html
from umpolicy.render.text import decision_markdown, decision_text
from umpolicy.render.worksheet import OUTCOME_WORDS, words, worksheet
from umpolicy_policies.proleukin import POLICY

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "proleukin").glob("*.json"))


def example(stem: str) -> Decision:
    path = next(p for p in EXAMPLES if p.stem == stem)
    return evaluate(path.read_text())


def request_of(path: Path) -> Request:
    return structure(loads(path.read_text()), Request)


def renderings(decision: Decision) -> dict[str, str]:
    return {
        "text": decision_text(decision, POLICY),
        "markdown": decision_markdown(decision, POLICY),
        "html": decision_html(decision, POLICY),
    }


def visible(html: str) -> str:
    """The page's text, as a reader sees it (tags and the style sheet removed)."""
    body = html.split("<body>", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).replace("&#x27;", "'")


class TestTheFirstLines:
    """Every rendering opens with the outcome, the deciding indication and the reasons."""

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_text(self, path: Path) -> None:
        decision = decide(request_of(path))
        lines = decision_text(decision, POLICY).splitlines()
        assert lines[0] == f"Recommendation: {OUTCOME_WORDS[decision.outcome]}"
        assert lines[1] == POLICY.drug
        head = "\n".join(lines[:12])
        if decision.indication:
            assert lines[2].startswith(f"Deciding indication: {decision.indication} ")
        if decision.reasons:
            first = decision.reasons[0]
            assert f"\n1. {first.label} — " in head
            assert f"   Policy: {words(POLICY, first.label)}" in head
        assert "SHA-256" not in head
        assert "####" not in head

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_markdown_and_html(self, path: Path) -> None:
        decision = decide(request_of(path))
        shown = renderings(decision)
        headline = f"Recommendation: {OUTCOME_WORDS[decision.outcome]}"
        assert shown["markdown"].startswith(f"### {headline}\n\n**{POLICY.drug}**\n")
        page = visible(shown["html"])
        assert page.lstrip().startswith(headline)
        for text in (shown["markdown"], page):
            if decision.reasons:
                reason_at = text.index(decision.reasons[0].label)
                assert reason_at < text.index(POLICY.automation or "")
            assert text.index(headline) < text.index(decision.request_fingerprint)

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_identifiers_and_hashes_come_last(self, path: Path) -> None:
        text = decision_text(decide(request_of(path)), POLICY)
        tail = text[text.index("\nIDENTIFIERS\n") :]
        assert POLICY.content_hash in tail
        assert POLICY.content_hash not in text[: text.index("\nIDENTIFIERS\n")]


class TestReasonsReadForwards:
    """A reason says what was required and what was requested, in one unit, in words."""

    def test_required_then_requested_in_the_requests_unit(self) -> None:
        text = decision_text(example("rcc-clinician-review"), POLICY)
        assert (
            "   Required: rest before course at least 7 weeks (49 days). Requested: 48 days. "
            "(not met)\n" in text
        )

    def test_a_rate_is_shown_in_the_limits_unit_beside_the_request(self) -> None:
        request = replace(base("rcc"), "medication.frequency", Quantity("1", "/h"))
        text = decision_text(decide(request), POLICY)
        assert (
            "Required: frequency at most 3 times daily. Requested: 1 time hourly "
            "(24 times daily). (not met)" in text
        )

    def test_a_long_number_is_rounded_but_never_to_the_limit(self) -> None:
        odd = replace(base("gvhd"), "patient.height", Quantity("170", "cm"))
        shown = decision_text(decide(replace(odd, "patient.weight", Quantity("70", "kg"))), POLICY)
        assert "patient.body_surface_area = about 1.8181 m²" in shown  # √(170 × 70 / 3600)
        assert "÷ about 1.8181 m² = about 1.1 million International Units/m²" in shown
        assert "patient.height = 170 cm" in shown
        request = replace(base("gvhd"), "medication.dose", Quantity("2000001", "[iU]"))
        text = decision_text(decide(request), POLICY)
        assert "Requested: 2,000,001 International Units ÷ 2 m² = 1.0000005 million" in text

    def test_no_raw_unit_codes_or_enum_values_reach_the_reader(self) -> None:
        for path in EXAMPLES:
            decision = decide(request_of(path))
            text = decision_text(decision, POLICY).split("\nIDENTIFIERS\n")[0]
            for raw in ("[iU]", "10*6", "{lesion}", "{dose}", "/{", "clinician_review"):
                assert raw not in text, (path.stem, raw)
            assert "insufficient_information" not in text
            assert "cutaneous_melanoma" not in text

    def test_a_code_reads_with_the_value_sets_that_hold_it(self) -> None:
        text = decision_text(example("melanoma-intralesional-approve"), POLICY)
        assert "medication.route = 372464004 (Intralesional)  [$.medication.route]" in text


class TestInsufficientInformation:
    """An undecided request names each unknown criterion and the question to ask."""

    def test_the_unknown_criterion_and_the_question(self) -> None:
        decision = example("rcc-insufficient-information")
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert [(r.label, r.facts_needed) for r in decision.reasons] == [
            ("2.A", ("patient.birth_date",))
        ]
        text = decision_text(decision, POLICY)
        assert (
            "1. 2.A — unknown\n"
            "   Policy: Patient is ≥ 18 years of age; AND\n"
            "   Required: age at least 18 years. Requested: not known (needs "
            "patient.birth_date). (unknown)\n"
            "   Ask the prescriber: The patient's date of birth. (patient.birth_date, at "
            "$.patient.birth_date)\n" in text
        )
        assert "2.A cannot be checked until the request gives patient.birth_date" in (
            decision.summary
        )

    def test_what_the_reviewer_does_next_quotes_the_statement(self) -> None:
        for stem, outcome in (
            ("rcc-insufficient-information", "insufficient_information"),
            ("rcc-clinician-review", "clinician_review"),
        ):
            text = decision_text(example(stem), POLICY)
            review = POLICY.review_for(outcome)
            assert review is not None
            assert f"WHAT THE REVIEWER DOES NEXT\n{review.action}\n" in text
            for quote in POLICY.guidance(outcome):
                assert f"Policy statement: “{quote}”" in text


class TestTheDecidingIndicationFirst:
    """The deciding indication's tree is shown nested; the others in one line each."""

    def test_others_collapse_to_one_line(self) -> None:
        text = decision_text(example("rcc-approve"), POLICY)
        tree = text.split("CRITERIA AND DOSING: 2 Renal Cell Carcinoma\n")[1]
        assert "] 1.A " not in tree.split("OTHER INDICATIONS")[0]
        others = tree.split("OTHER INDICATIONS\n")[1].split("\n\n")[0].splitlines()
        assert others == [
            "1 Cutaneous Melanoma — not met: Required: diagnoses to include Cutaneous melanoma "
            "(ICD-10-CM C43*). Requested: C64.9 (Renal cell carcinoma).",
            "3 Graft-Versus-Host Disease — not met: Required: diagnoses to include "
            "Graft-versus-host disease (ICD-10-CM D89.81*). Requested: C64.9 (Renal cell "
            "carcinoma).",
        ]

    def test_dosing_nests_under_its_indication(self) -> None:
        text = decision_text(example("rcc-approve"), POLICY)
        assert "\n  [met] Dosing 2 " in text
        assert "\n[met] Dosing 1 " not in text

    def test_a_branch_not_taken_is_one_line(self) -> None:
        text = decision_text(example("melanoma-iv-approve"), POLICY)
        assert "  [not this branch] 1.B Intralesional Therapy." in text
        assert "] 1.B.i " not in text

    def test_a_conditional_criterion_that_does_not_apply(self) -> None:
        """It says it does not apply, and shows only the condition, not its rule."""
        text = decision_text(example("melanoma-iv-approve"), POLICY)
        block = text.split("[does not apply] Dosing 1.A.iii ")[1].split("\n")
        assert block[1].strip() == (
            "Applies when: course number at least 2 courses. Requested: 1 course. (not met)"
        )
        assert "rest before course" not in block[2]
        assert "met (does not apply)" not in text

    def test_other_condition_has_no_deciding_indication(self) -> None:
        text = decision_text(example("other-condition-not-recommended"), POLICY)
        assert "Deciding indication" not in text
        assert "CRITERIA AND DOSING" not in text
        assert text.count(" — not met: Required: diagnoses to include ") == 3


class TestContextAndAutomation:
    """The policy's own caveats are shown where they apply; automation is always quoted."""

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_automation_none_is_quoted(self, path: Path) -> None:
        for shown in renderings(decide(request_of(path))).values():
            assert "Automation: None. umpolicy recommends; a clinician decides." in shown

    def test_retreatment_context_shows_for_an_additional_course(self) -> None:
        retreatment = next(each for each in POLICY.interpretations if not each.encoded)
        second = replace(base("rcc"), "medication.schedule.course_number", 2)
        second = replace(second, "medication.schedule.rest_before_course", Quantity("8", "wk"))
        assert retreatment.text in decision_text(decide(second), POLICY)
        first = replace(second, "medication.schedule.course_number", 1)
        assert retreatment.text not in decision_text(decide(first), POLICY)


class TestRoundTripAndTrailless:
    def test_a_decision_read_back_from_json_renders_the_same(self) -> None:
        """The JSON decision holds everything the worksheet shows."""
        for path in EXAMPLES:
            decision = decide(request_of(path))
            again = structure(loads(to_json(decision)), Decision)
            assert renderings(again) == renderings(decision)

    def test_the_policy_must_be_the_one_that_decided(self) -> None:
        """A decision never renders with another policy's words."""
        other = attrs.evolve(POLICY, version="another")
        decision = example("rcc-approve")
        for render in (decision_text, decision_markdown, decision_html):
            with pytest.raises(ValueError, match="not under this policy"):
                render(decision, other)

    def test_without_the_trail_reasons_still_read(self) -> None:
        """A decision made without its trail shows its reasons' sentences, no tree."""
        path = next(p for p in EXAMPLES if p.stem == "rcc-clinician-review")
        decision = decide_under(POLICY, request_of(path), trail=False)
        text = decision_text(decision, POLICY)
        assert "Required: rest before course at least 7 weeks (49 days). Requested: 48 days." in (
            text
        )
        assert "CRITERIA AND DOSING" not in text
        assert "FACTS READ" not in text
        nameless = attrs.evolve(decision, request_id=None)
        assert "Request: (no id)\n" in decision_text(nameless, POLICY)


class TestThePacket:
    """--format html: one self-contained page to print and sign."""

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_self_contained(self, path: Path) -> None:
        page = decision_html(decide(request_of(path)), POLICY, path.read_text())
        assert page.startswith("<!DOCTYPE html>")
        assert not re.search(r"""(src|href)\s*=|@import|url\(|<script|<link""", page)
        assert "http" not in page.split("<pre>")[0]

    def test_sections(self) -> None:
        path = next(p for p in EXAMPLES if p.stem == "rcc-clinician-review")
        page = decision_html(decide(request_of(path)), POLICY, path.read_text())
        text = visible(page)
        for heading in (
            "Reasons",
            "What the reviewer does next",
            "Criteria and dosing: 2 Renal Cell Carcinoma",
            "Other indications",
            "Facts read",
            "Policy",
            "Request as received",
            "Identifiers",
            "Reviewer’s determination",
        ):
            assert f" {heading} " in text, heading
        for field in (POLICY.version, str(POLICY.effective), POLICY.content_hash):
            assert field in text
        assert "&quot;id&quot;: &quot;rcc-002&quot;" in page

    def test_hostile_text_is_escaped(self) -> None:
        decision = attrs.evolve(example("rcc-approve"), request_id="<script>x</script>")
        page = decision_html(decision, POLICY, '{"id": "<script>"}')
        assert "<script>" not in page
        assert "&lt;script&gt;" in page

    def test_the_request_as_received_keeps_its_layout(self) -> None:
        """A file with Windows line ends, indented by tabs, reads as written.

        Only JSON's own white space is laid out; a string's backslashes and overrides
        still show as escapes.
        """
        path = next(p for p in EXAMPLES if p.stem == "rcc-approve")
        data = json.loads(path.read_text())
        data["id"] = "C:\\dir\u202e"
        received = json.dumps(data, indent="\t", ensure_ascii=False).replace("\n", "\r\n")
        page = decision_html(evaluate(received), POLICY, received)
        shown = page.split("<pre>", 1)[1].split("</pre>", 1)[0]
        assert shown.splitlines()[:2] == [
            "{",
            "\t&quot;id&quot;: &quot;C:\\\\\\\\dir\\u202e&quot;,",
        ]
        assert "\r" not in shown
        assert "\\r" not in shown
        assert "\\t" not in shown
        assert "\u202e" not in page
        assert len(shown.splitlines()) == len(received.splitlines())

    def test_worksheet_is_one_model(self) -> None:
        """The three renderings lay out the same worksheet: the same reasons, in order."""
        decision = example("melanoma-iv-clinician-review")
        sheet = worksheet(decision, POLICY)
        shown = renderings(decision)
        for item in sheet.reasons:
            for sentence in item.found:
                assert sentence in shown["text"]
                assert sentence in visible(shown["html"])


#: Characters that break a line or start markup, drawn often beside any other.
_HOSTILE = "\n\r\t\x0b\x0c\x1c\x85\u2028\u2029\u202e#>-+=|`*_[]()<>&~!\\ 1."
#: The start of a line that makes it a block: a heading, a list item, a quote, a row.
_BLOCK = re.compile(r"\s*(#+ |[-*+] |\d+[.)] |>|\|)?")


def _with(name: str, request_id: str) -> Decision:
    """rcc-not-recommended with a concomitant therapy of this name, under this id."""
    data = json.loads(next(p for p in EXAMPLES if p.stem == "rcc-not-recommended").read_text())
    data["id"] = request_id
    data["therapies"]["concomitant"] = [{"name": name, "codes": ["L01FF01"]}]
    return evaluate(json.dumps(data))


class TestRequestTextStaysInItsField:
    """A name or id the request gives never starts a line or a Markdown block of its own."""

    @given(
        # Any text UTF-8 can write: a lone surrogate is an input error, never a worksheet.
        st.text(st.one_of(st.sampled_from(_HOSTILE), st.characters(codec="utf-8"))),
        st.sampled_from(["name", "id"]),
    )
    def test_same_lines_as_a_plain_name(self, text: str, where: str) -> None:
        plain = _with("x", "rcc-003")
        # A therapy's name needs a letter or a digit; an empty id reads as none.
        given_text = _with(f"{text}x", "rcc-003") if where == "name" else _with("x", f"{text}y")
        assert given_text.outcome is plain.outcome
        headline = f"Recommendation: {OUTCOME_WORDS[plain.outcome]}"
        for render, first in ((decision_text, headline), (decision_markdown, f"### {headline}")):
            before = render(plain, POLICY).splitlines()
            after = render(given_text, POLICY).splitlines()
            assert len(after) == len(before)
            assert after[0] == before[0] == first
            for old, new in zip(before, after, strict=True):
                assert _BLOCK.match(new)[0] == _BLOCK.match(old)[0]  # type: ignore[index]

    def test_in_the_packet_a_name_shows_its_escapes(self) -> None:
        """HTML: a newline or a right-to-left override in a name is shown, not obeyed."""
        decision = _with("x\n\u202eevorppa", "rcc-9")
        page = decision_html(decision, POLICY, '{"id": "rcc-9",\n "name": "x\u202e"}')
        assert "\u202e" not in page
        assert "x\\n\\u202eevorppa" in page
        assert "<pre>{&quot;id&quot;: &quot;rcc-9&quot;,\n &quot;name&quot;: &quot;x\\u202e" in page

    def test_the_reviewed_injection(self) -> None:
        """The hostile review's name and id show as one line each, escapes visible."""
        decision = _with("x\n### Recommendation: Approve", "rcc-9\n\nRecommendation: Approve")
        text = decision_text(decision, POLICY)
        markdown = decision_markdown(decision, POLICY)
        assert text.count("Recommendation:") == markdown.count("Recommendation:")
        assert "\nRequest: rcc-9\\n\\nRecommendation: Approve\n" in text
        assert "x\\n### Recommendation: Approve (L01FF01)" in text
        assert "- Request: `rcc-9\\n\\nRecommendation: Approve`\n" in markdown
        assert "x\\\\n\\#\\#\\# Recommendation: Approve (L01FF01)" in markdown
        assert "\n### Recommendation: Approve" not in markdown
