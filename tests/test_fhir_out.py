"""FHIR out: PAS ClaimResponses that never deny, CRD cards by the guide's rules, DTR round trips."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings

import umpolicy
from tests import engine_strategies
from umpolicy import InputError, Outcome, Request
from umpolicy.api import parse_request
from umpolicy.integrations.fhir import (
    claim_response,
    codes,
    crd_response,
    dumps,
    evaluate_bundle,
    evaluate_hook,
    questionnaire,
    request_from_bundle,
)
from umpolicy.integrations.fhir.crd import coverage_information, policy_page
from umpolicy.integrations.fhir.dtr import ASKED, asked_facts
from umpolicy.integrations.fhir.pas import REVIEW_ACTIONS, review_action
from umpolicy.integrations.fhir.write import bundle_from_request, hook_from_request

ROOT = Path(__file__).parent.parent
TODAY = dt.date(2026, 3, 3)
POLICY = umpolicy.load_policy("proleukin")
CREATED = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def example(name: str) -> Request:
    return parse_request((ROOT / "examples" / "proleukin" / f"{name}.json").read_text())


def action(response: Mapping[str, Any]) -> str:
    review = response["item"][0]["adjudication"][0]["extension"][0]
    assert review["url"] == codes.PAS_REVIEW_ACTION
    coding = review["extension"][0]["valueCodeableConcept"]["coding"][0]
    assert coding["system"] == codes.X12_ACTION
    return str(coding["code"])


def parts(extension: Mapping[str, Any]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for each in extension["extension"]:
        value = next(v for k, v in each.items() if k.startswith("value"))
        found.setdefault(each["url"], []).append(value)
    return found


def crd_rules(extension: Mapping[str, Any]) -> list[str]:
    """The CRD guide's invariants crd-ci-q1..q6 on coverage-information: those broken."""
    found = parts(extension)
    broken = []
    doc = found.get("doc-needed", [])
    if ("questionnaire" in found or "response" in found) and (not doc or "no-doc" in doc):
        broken.append("crd-ci-q1")
    if found["covered"] != ["not-covered"] and "pa-needed" not in found:
        broken.append("crd-ci-q2")
    conditional = [
        v
        for k in ("covered", "pa-needed", "doc-needed")
        for v in found.get(k, [])
        if v == "conditional"
    ]
    if bool(conditional) is not ("info-needed" in found):  # "if and only if"
        broken.append("crd-ci-q3")
    if "OTH" in found.get("info-needed", []) and "reason" not in found:
        broken.append("crd-ci-q6")
    if found.get("pa-needed") == ["satisfied"] and "PA" in found.get("doc-purpose", []):
        broken.append("crd-ci-q4")
    if (found.get("pa-needed") == ["satisfied"]) != ("satisfied-pa-id" in found):
        broken.append("crd-ci-q5")
    for required in ("coverage", "covered", "date", "coverage-assertion-id"):
        if len(found.get(required, [])) != 1:
            broken.append(f"one {required}")
    return broken


def normal(request: Request) -> Request:
    """What a bundle can say of a request: empty lists it has no element for, read as unknown."""

    def who(each: umpolicy.Practitioner) -> umpolicy.Practitioner:
        return umpolicy.Practitioner(each.specialties or None, each.affiliations or None)

    medication = request.medication
    if medication.code is None and medication.name is None:  # FHIR requires a drug
        medication = attrs.evolve(medication, name="Proleukin")  # the policy's
    answers = {
        name: {k: v for k, v in each.items() if v != []} for name, each in request.answers.items()
    }
    answers = {name: each for name, each in answers.items() if each}
    diagnoses = request.diagnoses
    if diagnoses is not None:
        seen: dict[str, umpolicy.Coding] = {}
        for coding in diagnoses:
            seen.setdefault(coding.code, coding)
        diagnoses = tuple(seen.values()) or None
    return attrs.evolve(
        request,
        policy="proleukin",
        diagnoses=diagnoses,
        medication=medication,
        prescriber=who(request.prescriber),
        consultants=None
        if request.consultants is None
        else tuple(who(each) for each in request.consultants),
        answers=answers,
    )


class TestRoundTripOverRequests:
    """Any valid request, written as a PAS bundle, reads back as what FHIR can say of it."""

    @given(engine_strategies.requests())
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def test_reads_back(self, request: Request) -> None:
        written = writable(request)
        assume(written is not None)
        assert written is not None
        read = request_from_bundle(written, "proleukin")
        assert read == normal(request)


def writable(request: Request) -> dict[str, Any] | None:
    """The request's PAS bundle; ``None`` for a history given in part statements cannot say.

    Such a history goes in a DTR answer, which gives it whole: refused, never written so.
    """
    try:
        return bundle_from_request(request, "proleukin")
    except InputError as error:
        refused = [e.path for e in error.errors]
    assert all(path.startswith("$.therapies.partial[") for path in refused), refused
    return None


class TestNeverA3:
    """No path through the engine gives A3 (not certified): approval is A1, the rest A4."""

    def test_the_table(self) -> None:
        assert {code for code, _ in REVIEW_ACTIONS.values()} == {"A1", "A4"}
        assert set(REVIEW_ACTIONS) == set(Outcome)
        assert review_action(Outcome.NOT_RECOMMENDED) == ("A4", "Pended")

    @given(engine_strategies.requests())
    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def test_over_generated_requests(self, request: Request) -> None:
        request = attrs.evolve(request, policy="proleukin")
        decision = umpolicy.decide(POLICY, request)
        written = writable(request)
        assume(written is not None)
        assert written is not None
        response = claim_response(decision, written, created=CREATED)
        text = dumps(response)
        assert '"A3"' not in text
        assert action(response) == ("A1" if decision.outcome is Outcome.APPROVE else "A4")
        reviewer = response["extension"][0]
        assert reviewer["url"] == codes.PAS_REVIEWER
        assert reviewer["extension"] == [{"url": "wasHumanReviewedFlag", "valueBoolean": False}]
        info = coverage_information(decision, "Coverage/c", date=TODAY)
        assert crd_rules(info) == []
        assert parts(info)["covered"] != ["not-covered"]


class TestClaimResponse:
    """The ClaimResponse says what was recommended, why, and what reproduces it."""

    def test_approval_is_certified_in_total_with_its_period(self) -> None:
        request = example("melanoma-iv-approve")
        bundle = bundle_from_request(request)
        decision = evaluate_bundle(bundle, "proleukin", today=TODAY)
        response = claim_response(decision, bundle, created=CREATED)
        assert action(response) == "A1"
        assert response["outcome"] == "complete"
        assert response["preAuthPeriod"] == {"start": "2026-03-02", "end": "2027-03-01"}
        item = {e["url"]: e for e in response["item"][0]["extension"]}
        assert item[codes.PAS_PREAUTH_PERIOD]["valuePeriod"] == response["preAuthPeriod"]
        assert response["request"] == {"reference": "https://example.org/fhir/Claim/claim-1"}
        assert response["patient"] == {"reference": "Patient/patient-1"}

    @pytest.mark.parametrize(
        "name", ["rcc-clinician-review", "rcc-insufficient-information", "rcc-not-recommended"]
    )
    def test_every_other_outcome_is_pended_with_its_reasons(self, name: str) -> None:
        bundle = bundle_from_request(example(name))
        decision = evaluate_bundle(bundle, "proleukin", today=TODAY)
        response = claim_response(decision, bundle, created=CREATED)
        assert (action(response), response["outcome"]) == ("A4", "complete")
        assert "preAuthPeriod" not in response
        notes = [note["text"] for note in response["processNote"]]
        assert notes[0] == decision.summary
        assert len(notes) == 1 + len(decision.reasons)
        assert all(r.label in n for r, n in zip(decision.reasons, notes[1:], strict=True))
        assert response["item"][0]["noteNumber"] == list(range(1, len(notes) + 1))

    def test_what_reproduces_the_decision_travels_with_it(self) -> None:
        bundle = bundle_from_request(example("rcc-approve"))
        decision = evaluate_bundle(bundle, "proleukin", today=TODAY)
        response = claim_response(decision, bundle)
        ours = parts(response["extension"][1])
        assert ours["policyVersion"] == [POLICY.version]
        assert ours["policyContentHash"] == [POLICY.content_hash]
        assert ours["requestFingerprint"] == [decision.request_fingerprint]
        assert response["identifier"] == [
            {"system": codes.FINGERPRINT_SYSTEM, "value": decision.request_fingerprint}
        ]

    def test_a_reason_code_only_where_the_plan_gives_one(self) -> None:
        bundle = bundle_from_request(example("rcc-clinician-review"))
        decision = evaluate_bundle(bundle, "proleukin", today=TODAY)
        plain = claim_response(decision, bundle, created=CREATED)
        assert len(plain["item"][0]["adjudication"][0]["extension"][0]["extension"]) == 1
        coded = claim_response(
            decision, bundle, created=CREATED, reason_codes={Outcome.CLINICIAN_REVIEW: "0V"}
        )
        reason = coded["item"][0]["adjudication"][0]["extension"][0]["extension"][1]
        assert reason["url"] == "reasonCode"
        assert reason["valueCodeableConcept"]["coding"] == [
            {"system": codes.X12_REASON, "code": "0V"}
        ]

    def test_a_bundle_without_its_claim(self) -> None:
        decision = evaluate_bundle(
            bundle_from_request(example("rcc-approve")), "proleukin", today=TODAY
        )
        with pytest.raises(umpolicy.InputError):
            claim_response(decision, {"resourceType": "Bundle", "entry": []})

    def test_the_claim_by_id_and_defaults(self) -> None:
        bundle = bundle_from_request(example("rcc-approve"))
        decision = evaluate_bundle(bundle, "proleukin", today=TODAY)
        claim = dict(bundle["entry"][0]["resource"])
        for name in ("type", "provider", "item"):
            claim.pop(name)
        response = claim_response(decision, {"entry": [{"resource": claim}]}, created=CREATED)
        assert response["request"] == {"reference": "Claim/claim-1"}
        assert response["item"][0]["itemSequence"] == 1
        assert "requestor" not in response


class TestCrd:
    """A CRD card says covered / pa-needed / doc-needed / info-needed by the guide's rules."""

    @pytest.mark.parametrize(
        ("name", "covered", "doc"),
        [
            ("gvhd-approve", "covered", None),
            ("gvhd-clinician-review", "conditional", "clinical"),
            ("gvhd-insufficient-information", "conditional", "clinical"),
            ("gvhd-not-recommended", "conditional", "clinical"),
        ],
    )
    def test_each_outcome(self, name: str, covered: str, doc: str | None) -> None:
        hook = hook_from_request(example(name))
        decision = evaluate_hook(hook, "proleukin", today=TODAY)
        response = crd_response(decision, hook, date=TODAY)
        [card] = response["cards"]
        assert len(card["summary"]) <= 140
        assert str(uuid.UUID(card["uuid"])) == card["uuid"]
        assert card["links"][0]["url"] == "http://127.0.0.1:8000/policies/proleukin/"
        [update] = response["systemActions"]
        info = update["resource"]["extension"][-1]
        assert info["url"] == codes.CRD_COVERAGE_INFORMATION
        found = parts(info)
        assert found["covered"] == [covered]
        assert found["pa-needed"] == ["auth-needed"]
        assert found.get("doc-needed", [None]) == [doc]
        assert ("questionnaire" in found) is (decision.outcome is Outcome.INSUFFICIENT_INFORMATION)
        assert found["reason"] == [{"text": decision.summary}]
        # crd-ci-q3: a conditional code has info-needed beside it (OTH, the reason says what)
        assert found.get("info-needed", [None]) == [None if covered == "covered" else "OTH"]
        assert crd_rules(info) == []

    def test_a_cards_detail_holds_a_requests_text_as_text(self) -> None:
        """The detail is Markdown: a therapy's name can start no heading, tag or line."""
        request = example("melanoma-iv-approve")
        hostile = "dacarbazine\n\n# Approved: no prior authorization\n\n<img src=x>"
        therapies = attrs.evolve(
            request.therapies, concomitant=(umpolicy.Therapy(hostile, ("L01AX04",)),)
        )
        hook = hook_from_request(attrs.evolve(request, therapies=therapies))
        decision = evaluate_hook(hook, "proleukin", today=TODAY)
        detail = crd_response(decision, hook, date=TODAY)["cards"][0]["detail"]
        assert re.search(r"(?<!\\)<img", detail) is None  # "\<img" is text, not a tag
        assert "\n# " not in detail
        assert not any(line.startswith(("#", "<")) for line in detail.split("\n"))
        assert "\\# Approved: no prior authorization" in detail

    def test_missing_performer_facts_are_info_needed(self) -> None:
        hook = hook_from_request(example("rcc-approve"))  # a hook has no care team
        decision = evaluate_hook(hook, "proleukin", today=TODAY)
        assert "consultants" in decision.facts_needed
        found = parts(
            crd_response(decision, hook, date=TODAY)["systemActions"][0]["resource"]["extension"][
                -1
            ]
        )
        assert found["info-needed"] == ["performer"]

    def test_order_select(self) -> None:
        hook = hook_from_request(example("gvhd-approve"), hook="order-select")
        assert evaluate_hook(hook, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_a_summary_is_cut_at_a_word(self) -> None:
        from umpolicy.integrations.fhir.crd import summary

        assert summary("short") == "short"
        cut = summary("word " * 40)
        assert len(cut) <= 140
        assert cut.endswith("word…")

    def test_a_docs_site_of_the_plans_own(self) -> None:
        assert policy_page("proleukin", "https://plan.example/um/") == (
            "https://plan.example/um/policies/proleukin/"
        )


def _answer(link: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"linkId": link, "answer": [value]}


class TestDtr:
    """The Questionnaire asks exactly what the decision needs; its answers, fed back, decide."""

    def test_round_trip_from_insufficient_information_to_approval(self) -> None:
        request = example("melanoma-iv-insufficient-information")
        bundle = bundle_from_request(request)
        decision = evaluate_bundle(bundle, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        form = questionnaire(decision, "proleukin")
        assert [item["linkId"] for item in form["item"]] == list(decision.facts_needed)
        [item] = form["item"]
        assert item["type"] == "quantity"
        units = [e["valueCoding"]["code"] for e in item["extension"]]
        assert "kg" in units
        answer = {
            "resourceType": "QuestionnaireResponse",
            "questionnaire": f"{form['url']}|{form['version']}",
            "status": "completed",
            "item": [
                _answer(
                    "patient.weight",
                    {
                        "valueQuantity": {
                            "value": Decimal("72.5"),
                            "system": codes.UCUM,
                            "code": "kg",
                            "unit": "kg",
                        }
                    },
                )
            ],
        }
        bundle["entry"].append({"resource": answer})
        assert evaluate_bundle(bundle, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_the_policys_own_questions_in_its_words(self) -> None:
        decision = evaluate_bundle(
            bundle_from_request(example("melanoma-intralesional-insufficient-information")),
            "proleukin",
            today=TODAY,
        )
        [item] = questionnaire(decision, POLICY)["item"]
        question = next(q for q in POLICY.questions if q.id == "lesions")
        assert (item["linkId"], item["text"], item["type"]) == (
            "answers.lesions",
            question.text,
            "group",
        )
        assert [part["text"] for part in item["item"]] == [f.text for f in question.fields]
        codes_offered = [o["valueCoding"]["code"] for o in item["item"][0]["answerOption"]]
        assert codes_offered == [code for code, _ in question.fields[0].values]

    def test_a_decided_request_asks_nothing(self) -> None:
        decision = evaluate_bundle(
            bundle_from_request(example("rcc-approve")), "proleukin", today=TODAY
        )
        assert "item" not in questionnaire(decision, POLICY)

    def test_derived_facts_are_asked_by_their_inputs(self) -> None:
        assert asked_facts(POLICY, ("patient.body_surface_area",)) == (
            "patient.bsa",
            "patient.height",
            "patient.weight",
        )

    @pytest.mark.parametrize("fact", sorted(ASKED))
    def test_every_vocabulary_fact_can_be_asked_and_answered(self, fact: str) -> None:
        decision = umpolicy.decide(POLICY, example("rcc-approve"))
        decision = attrs.evolve(decision, facts_needed=(fact,))
        [item] = questionnaire(decision, POLICY)["item"]
        assert item["linkId"] == fact
        assert item["text"] == umpolicy.FACTS[fact].description

    @given(engine_strategies.requests())
    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def test_asks_for_exactly_the_facts_needed(self, request: Request) -> None:
        decision = umpolicy.decide(POLICY, attrs.evolve(request, policy="proleukin"))
        links = [item["linkId"] for item in questionnaire(decision, POLICY).get("item", [])]
        assert links == list(asked_facts(POLICY, decision.facts_needed))
        assert bool(links) is bool(decision.facts_needed)


class TestDumps:
    """FHIR JSON text keeps every number's digits."""

    def test_decimals_are_numbers(self) -> None:
        from decimal import Decimal

        text = dumps({"a": Decimal("72.50"), "b": [Decimal("1E+6")], "c": (1,)}, indent=None)
        assert text == '{"a": 72.50, "b": [1000000], "c": [1]}'
        assert json.loads(text)["b"] == [1000000]


class TestVersions:
    """A bundle is decided, and asked about, under the version in force on its date."""

    def test_an_earlier_versions_question_round_trip(self) -> None:
        request = attrs.evolve(example("rcc-approve"), date=dt.date(2024, 6, 3))
        bundle = bundle_from_request(request)
        decision = evaluate_bundle(bundle, "proleukin", today=TODAY)
        assert decision.policy.version == "2022-01-01"
        assert decision.facts_needed == ("answers.clear_cell_histology",)
        form = questionnaire(decision, "proleukin")
        assert (form["version"], form["item"][0]["linkId"]) == (
            "2022-01-01",
            "answers.clear_cell_histology",
        )
        answers = {"proleukin": {**request.answers["proleukin"], "clear_cell_histology": True}}
        answered = bundle_from_request(attrs.evolve(request, answers=answers))
        assert evaluate_bundle(answered, "proleukin", today=TODAY).outcome is Outcome.APPROVE
        as_of = evaluate_bundle(answered, "proleukin", today=TODAY, as_of=dt.date(2026, 3, 2))
        assert as_of.policy.version == POLICY.version

    @pytest.mark.parametrize("created", ["2019-01-01", "2026-02-30"])
    def test_answers_on_a_date_no_version_covers_are_read_under_the_current(
        self, created: str
    ) -> None:
        bundle = bundle_from_request(example("rcc-approve"))
        bundle["entry"][0]["resource"]["created"] = created
        del bundle["entry"][4]["resource"]["effectiveDateTime"]  # else after 2019-01-01
        for entry in bundle["entry"]:  # and the answers, authored after it too
            if entry["resource"]["resourceType"] == "QuestionnaireResponse":
                del entry["resource"]["authored"]
        if created == "2019-01-01":
            read = request_from_bundle(bundle, "proleukin")
            assert read.answers == example("rcc-approve").answers
            request = attrs.evolve(example("rcc-approve"), date=dt.date(2019, 1, 1))
            assert request_from_bundle(bundle_from_request(request), "proleukin") == request
        else:
            with pytest.raises(umpolicy.InputError) as caught:
                request_from_bundle(bundle, "proleukin")
            assert caught.value.errors[0].path == "Bundle.entry[0].resource.created"

    def test_a_questionnaire_of_another_policy_is_a_mistake(self) -> None:
        decision = umpolicy.decide(POLICY, example("rcc-insufficient-information"))
        with pytest.raises(ValueError, match="made under 'proleukin', not 'quellimab'"):
            questionnaire(decision, "quellimab")

    def test_a_version_no_release_has_is_a_mistake(self) -> None:
        """Stored by another release: today's version may ask other questions than it needs."""
        decision = umpolicy.decide(POLICY, example("rcc-insufficient-information"))
        elsewhere = attrs.evolve(decision.policy, content_hash="0" * 64)
        stored = attrs.evolve(decision, policy=elsewhere)
        with pytest.raises(ValueError, match="which no installed version of 'proleukin' is"):
            questionnaire(stored, "proleukin")
        with pytest.raises(ValueError, match="000000000000"):
            questionnaire(stored, POLICY)

    def test_the_version_that_decided_asks(self) -> None:
        # Without the current version's answer, which the earlier version's policy refuses.
        request = attrs.evolve(example("rcc-approve"), date=dt.date(2024, 6, 3), answers={})
        decision = umpolicy.decide(umpolicy.load_policy("proleukin", on=request.date), request)
        [item] = questionnaire(decision, POLICY)["item"]  # the current version given
        assert item["linkId"] == "answers.clear_cell_histology"
