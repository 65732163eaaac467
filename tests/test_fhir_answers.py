"""DTR answers and CRD calls: every fact a Questionnaire asks reads back; every fault has a path."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import umpolicy
from umpolicy import AnswerType, InputError, Quantity, Question
from umpolicy.api import parse_request
from umpolicy.integrations.fhir import (
    claim_response,
    codes,
    dtr,
    evaluate_bundle,
    evaluate_hook,
    questionnaire,
    request_from_bundle,
    request_from_hook,
)
from umpolicy.integrations.fhir.write import bundle_from_request, hook_from_request

ROOT = Path(__file__).parent.parent
TODAY = dt.date(2026, 3, 3)
POLICY = umpolicy.load_policy("proleukin")


def example(name: str = "rcc-approve") -> umpolicy.Request:
    return parse_request((ROOT / "examples" / "proleukin" / f"{name}.json").read_text())


def response(*items: dict[str, Any], policy: str = "proleukin") -> dict[str, Any]:
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{codes.QUESTIONNAIRE_PREFIX}{policy}",
        "status": "completed",
        "item": list(items),
    }


def answered(link: str, *answers: dict[str, Any]) -> dict[str, Any]:
    return {"linkId": link, "answer": list(answers)}


def group(link: str, **parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "linkId": link,
        "item": [{"linkId": f"{link}.{name}", "answer": each} for name, each in parts.items()],
    }


def bare(*resources: dict[str, Any]) -> dict[str, Any]:
    """A bundle of a Claim dated 2026-03-02 for one drug, and the resources given."""
    claim = {
        "resourceType": "Claim",
        "status": "active",
        "use": "preauthorization",
        "created": "2026-03-02",
        "patient": {"reference": "Patient/p"},
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference": "Coverage/c"}}],
        "item": [{"sequence": 1, "productOrService": {"text": "the drug"}}],
    }
    coverage = {
        "resourceType": "Coverage",
        "id": "c",
        "status": "active",
        "beneficiary": {"reference": "Patient/p"},
    }
    order = {
        "resourceType": "MedicationRequest",
        "id": "m",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": "Patient/p"},
        "medicationCodeableConcept": {"text": "the drug"},
    }
    entries = [claim, {"resourceType": "Patient", "id": "p"}, order, *resources, coverage]
    return {"resourceType": "Bundle", "entry": [{"resource": r} for r in entries]}


def read(*items: dict[str, Any]) -> umpolicy.Request:
    return request_from_bundle(bare(response(*items)), "proleukin")


def faults(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as caught:
        request_from_bundle(data, "proleukin")
    return [(e.path, e.reason) for e in caught.value.errors]


UCUM = {"system": codes.UCUM}


def _q(value: str, code: str) -> dict[str, Any]:
    return {"valueQuantity": {"value": Decimal(value), "code": code, **UCUM}}


#: An answer to each vocabulary fact a Questionnaire may ask, and what it reads as.
ANSWERS: dict[str, tuple[dict[str, Any], object]] = {
    "request.kind": (answered("request.kind", {"valueCoding": {"code": "initial"}}), "initial"),
    "patient.birth_date": (
        answered("patient.birth_date", {"valueDate": "1970-06-15"}),
        dt.date(1970, 6, 15),
    ),
    "patient.sex": (answered("patient.sex", {"valueString": "female"}), umpolicy.Sex.FEMALE),
    "patient.weight": (answered("patient.weight", _q("80", "kg")), Quantity("80", "kg")),
    "patient.height": (answered("patient.height", _q("1.8", "m")), Quantity("1.8", "m")),
    "patient.bsa": (answered("patient.bsa", _q("1.9", "m2")), Quantity("1.9", "m2")),
    "diagnoses": (
        answered("diagnoses", {"valueCoding": {"code": "C64.9"}}, {"valueString": "C43.9"}),
        (umpolicy.Coding("C64.9"), umpolicy.Coding("C43.9")),
    ),
    "medication.code": (answered("medication.code", {"valueString": "1234"}), "1234"),
    "medication.route": (
        answered("medication.route", {"valueCoding": {"code": "47625008"}}),
        umpolicy.Coding("47625008"),
    ),
    "medication.dose": (
        answered("medication.dose", _q("600000", "[iU]/kg")),
        Quantity("600000", "[iU]/kg"),
    ),
    "medication.frequency": (
        answered("medication.frequency", _q("3", "/d")),
        Quantity("3", "/d"),
    ),
    "medication.schedule.doses_per_cycle": (
        answered("medication.schedule.doses_per_cycle", {"valueInteger": 14}),
        14,
    ),
    "medication.schedule.cycles_per_course": (
        answered("medication.schedule.cycles_per_course", {"valueInteger": 2}),
        2,
    ),
    "medication.schedule.rest_between_cycles": (
        answered("medication.schedule.rest_between_cycles", _q("9", "d")),
        Quantity("9", "d"),
    ),
    "medication.schedule.course_number": (
        answered("medication.schedule.course_number", {"valueInteger": 1}),
        1,
    ),
    "medication.schedule.rest_before_course": (
        answered("medication.schedule.rest_before_course", _q("7", "wk")),
        Quantity("7", "wk"),
    ),
    "therapies.prior": (
        group(
            "therapies.prior",
            name=[{"valueString": "pembrolizumab"}],
            codes=[{"valueString": "L01FF02"}],
            outcome=[{"valueCoding": {"code": "failure"}}],
            duration=[_q("12", "wk")],
        ),
        (
            umpolicy.Therapy(
                "pembrolizumab",
                ("L01FF02",),
                Quantity("12", "wk"),
                umpolicy.TherapyOutcome.FAILURE,
            ),
        ),
    ),
    "therapies.concomitant": (
        group("therapies.concomitant", name=[{"valueString": "prednisone"}]),
        (umpolicy.Therapy("prednisone"),),
    ),
    "therapies.time_on_drug": (
        answered("therapies.time_on_drug", _q("3", "mo")),
        Quantity("3", "mo"),
    ),
    "prescriber.specialties": (
        answered("prescriber.specialties", {"valueString": "207RX0202X"}),
        ("207RX0202X",),
    ),
    "prescriber.affiliations": (
        answered("prescriber.affiliations", {"valueString": "transplant-center"}),
        ("transplant-center",),
    ),
    "consultants": (
        group("consultants", specialties=[{"valueString": "207RX0202X"}]),
        (umpolicy.Practitioner(("207RX0202X",)),),
    ),
}


def _field(request: umpolicy.Request, fact: str) -> object:
    path = dtr.ASKED[fact].field
    value: object = request
    for step in path.split("."):
        value = getattr(value, step)
    return value.value if fact in ("request.kind",) else value  # type: ignore[attr-defined]


class TestEveryAskedFactReadsBack:
    """Each fact a Questionnaire may ask for is read back from its answer into its field."""

    def test_every_fact_has_an_answer_here(self) -> None:
        assert set(ANSWERS) == set(dtr.ASKED)

    @pytest.mark.parametrize("fact", sorted(ANSWERS))
    def test_reads_back(self, fact: str) -> None:
        item, expected = ANSWERS[fact]
        assert _field(read(item), fact) == expected

    def test_a_fact_the_bundle_gives_is_a_conflict(self) -> None:
        data = bundle_from_request(example())
        data["entry"].append({"resource": response(ANSWERS["patient.weight"][0])})
        [(path, reason)] = faults(data)
        assert path.endswith("].resource.item[0]")
        assert "given twice" in reason
        assert "valueQuantity" in reason

    def test_an_unanswered_fact_is_unknown(self) -> None:
        assert read({"linkId": "patient.weight"}).patient.weight is None


#: A policy of Proleukin's tree with a question of every other type, for the generic paths.
EVERY_TYPE = attrs.evolve(
    POLICY,
    name="fhir-every-type",
    questions=(
        *POLICY.questions,
        Question("last_dose", "When was the last dose?", AnswerType.DATE),
        Question("grade", "Which grade?", AnswerType.CHOICE, values=(("1", "One"), ("2", "Two"))),
        Question("level", "Which level?", AnswerType.QUANTITY, units=("mg",)),
        Question(
            "infusions",
            "Which infusions were given?",
            AnswerType.LIST,
            fields=(
                Question("on", "When?", AnswerType.DATE),
                Question("amount", "How much?", AnswerType.QUANTITY, units=("mg",)),
                Question("reaction", "With a reaction?", AnswerType.BOOLEAN),
                Question("kind", "Which kind?", AnswerType.CHOICE, values=(("full", "Full"),)),
            ),
        ),
    ),
)


class TestEveryQuestionType:
    """Questions of every type are asked with their choices and units, and read back."""

    @pytest.fixture(autouse=True)
    def _registered(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real = umpolicy.load_policy

        def load(name: str, on: dt.date | None = None) -> umpolicy.Policy:
            return EVERY_TYPE if name == EVERY_TYPE.name else real(name, on=on)

        monkeypatch.setattr(dtr, "load_policy", load)

    def test_round_trip(self) -> None:
        answers = {
            "last_dose": "2026-01-05",
            "grade": "2",
            "level": {"value": "5", "unit": "mg"},
            "melanoma_metastatic": True,
            "lesions": [{"site": "nodal", "status": "other"}],
            "infusions": [
                {"on": "2026-01-05", "amount": {"value": "5", "unit": "mg"}, "reaction": False}
                | {"kind": "full"}
            ],
        }
        request = attrs.evolve(
            example(), policy=EVERY_TYPE.name, answers={EVERY_TYPE.name: answers}
        )
        read_back = request_from_bundle(bundle_from_request(request, EVERY_TYPE), EVERY_TYPE)
        five = {"value": Decimal(5), "unit": "mg"}
        infusion = {"on": "2026-01-05", "amount": five, "reaction": False, "kind": "full"}
        assert read_back.answers == {
            EVERY_TYPE.name: {**answers, "level": five, "infusions": [infusion]}
        }

    def test_a_list_of_fields_of_every_type(self) -> None:
        # A list's fields are asked, written and read back by their own types, not as
        # choices: an amount answered with a valueQuantity is not "expected a coded answer".
        decision = umpolicy.decide(POLICY, example())
        ref = attrs.evolve(
            decision.policy, name=EVERY_TYPE.name, content_hash=EVERY_TYPE.content_hash
        )
        decision = attrs.evolve(decision, policy=ref, facts_needed=("answers.infusions",))
        [asked] = questionnaire(decision, EVERY_TYPE)["item"]
        assert [part["type"] for part in asked["item"]] == ["date", "quantity", "boolean", "choice"]
        item = {
            "linkId": "answers.infusions",
            "item": [
                answered("answers.infusions.on", {"valueDate": "2026-01-05"}),
                answered("answers.infusions.amount", _q("5", "mg")),
                answered("answers.infusions.reaction", {"valueBoolean": True}),
                answered("answers.infusions.kind", {"valueCoding": {"code": "full"}}),
            ],
        }
        read_back = request_from_bundle(bare(response(item, policy=EVERY_TYPE.name)), EVERY_TYPE)
        assert read_back.answers[EVERY_TYPE.name]["infusions"] == [
            {"on": "2026-01-05", "amount": {"value": Decimal(5), "unit": "mg"}, "reaction": True}
            | {"kind": "full"}
        ]

    def test_the_questionnaire(self) -> None:
        decision = umpolicy.decide(POLICY, example())
        needed = ("answers.last_dose", "answers.grade", "answers.level")
        ref = attrs.evolve(
            decision.policy, name=EVERY_TYPE.name, content_hash=EVERY_TYPE.content_hash
        )
        decision = attrs.evolve(decision, policy=ref, facts_needed=needed)
        form = questionnaire(decision, EVERY_TYPE)
        date, grade, level = form["item"]
        assert date["type"] == "date"
        assert [o["valueCoding"]["code"] for o in grade["answerOption"]] == ["1", "2"]
        assert level["extension"] == [
            {"url": codes.QUESTIONNAIRE_UNIT_OPTION, "valueCoding": {**UCUM, "code": "mg"}}
        ]

    @pytest.mark.parametrize(
        ("item", "where"),
        [
            (answered("answers.last_dose", {"valueString": "x"}), "answer[0]"),
            (answered("answers.grade", {"valueBoolean": True}), "answer[0]"),
            (answered("medication.schedule.course_number", {"valueString": "1"}), "valueInteger"),
            (answered("answers.lesions", {"valueString": "x"}), "answer"),
            ({"linkId": "answers.lesions", "item": [{"linkId": "x"}]}, "item[0].linkId"),
            ({"linkId": "consultants", "item": [{"linkId": "x"}]}, "item[0].linkId"),
        ],
    )
    def test_answers_of_the_wrong_form(self, item: dict[str, Any], where: str) -> None:
        data = bare(response(item, policy=EVERY_TYPE.name))
        with pytest.raises(InputError) as caught:
            request_from_bundle(data, EVERY_TYPE)
        assert caught.value.errors[0].path.endswith(where)


class TestResponsesInTheBundle:
    """Whose answers a response holds, and where a fault in one is."""

    def test_answers_for_a_policy_not_installed(self) -> None:
        data = bare(response(policy="nope"))
        with pytest.raises(InputError) as caught:
            request_from_bundle(data)
        assert caught.value.errors[0].path == "Bundle.entry[3].resource.questionnaire"

    def test_a_response_that_is_not_a_list_of_items(self) -> None:
        data = bare({**response(), "item": {"linkId": "x"}})
        assert faults(data)[0][0] == "Bundle.entry[3].resource.item"


class TestTheClaimsShape:
    """Odd but readable Claims are read; what cannot be read is a fault."""

    def test_a_claim_of_few_elements(self) -> None:
        data = bare()
        claim = data["entry"][0]["resource"]
        claim["identifier"] = ["x"]
        request = request_from_bundle(data, "proleukin")
        expected = (None, None, umpolicy.Medication(name="the drug"))
        assert (request.id, request.kind, request.medication) == expected

    @pytest.mark.parametrize(
        ("items", "at", "reason"),
        [
            (None, "item", "required field missing: a PAS Claim asks for its drug in an item"),
            (["x"], "item[0]", "expected a Claim item (a JSON object)"),
        ],
    )
    def test_a_claim_that_asks_for_nothing(self, items: Any, at: str, reason: str) -> None:
        """A Claim with no item asks for no drug: never the bundle's one order certified."""
        data = bare()
        claim = data["entry"][0]["resource"]
        del claim["item"]
        if items is not None:
            claim["item"] = items
        with pytest.raises(InputError) as caught:
            request_from_bundle(data, "proleukin")
        assert [(e.path, e.reason) for e in caught.value.errors] == [
            (f"Bundle.entry[0].resource.{at}", reason)
        ]

    @pytest.mark.parametrize("kind", ["Patient", "ServiceRequest"])
    def test_a_requested_service_that_is_no_order(self, kind: str) -> None:
        """An item asking for a CAR-T ServiceRequest is not the bundle's drug order asked for."""
        data = bare({"resourceType": "ServiceRequest", "id": "p"})
        data["entry"][0]["resource"]["item"] = [
            {
                "extension": [
                    {
                        "url": codes.PAS_REQUESTED_SERVICE,
                        "valueReference": {"reference": f"{kind}/p"},
                    }
                ]
            }
        ]
        with pytest.raises(InputError) as caught:
            request_from_bundle(data, "proleukin")
        assert [(e.path, e.reason) for e in caught.value.errors] == [
            (
                "Bundle.entry[0].resource.item[0].extension[0].valueReference.reference",
                f"'{kind}/p' is a {kind}; expected MedicationRequest",
            )
        ]

    def test_a_provider_that_is_an_organization(self) -> None:
        data = bare({"resourceType": "Organization", "id": "o"})
        data["entry"][0]["resource"]["provider"] = {"reference": "Organization/o"}
        assert request_from_bundle(data, "proleukin").prescriber == umpolicy.Practitioner()

    def test_a_drug_by_ndc_and_a_dose_rate_without_a_dose(self) -> None:
        data = bare()
        order = data["entry"][2]["resource"]
        order["medicationCodeableConcept"] = {
            "coding": [{"system": codes.NDC, "code": "65483-116-07", "display": "Proleukin"}]
        }
        order["dosageInstruction"] = ["x", {"doseAndRate": [{"rateQuantity": {}}]}]
        with pytest.raises(InputError) as caught:
            request_from_bundle(data, "proleukin")
        assert caught.value.errors[0].reason == "2 dosage instructions: umpolicy reads one"
        order["dosageInstruction"] = [{"doseAndRate": [{"rateQuantity": {}}]}]
        medication = request_from_bundle(data, "proleukin").medication
        assert (medication.code, medication.name, medication.dose) == (
            "65483-116-07",
            "Proleukin",
            None,
        )

    def test_a_dose_in_a_unit_no_dose_takes(self) -> None:
        data = bare()
        dose = {"value": 1, "code": "cm", **UCUM}
        data["entry"][2]["resource"]["dosageInstruction"] = [
            {"doseAndRate": [{"doseQuantity": dose}]}
        ]
        assert faults(data)[0][0].endswith("doseQuantity.code")

    def test_an_organization_without_affiliations_says_nothing(self) -> None:
        org = {
            "resourceType": "Organization",
            "id": "o",
            "type": [
                "x",
                {"coding": ["x", {"system": codes.AFFILIATION, "code": 3}, {"code": "y"}]},
            ],
        }
        role = {
            "resourceType": "PractitionerRole",
            "id": "r",
            "organization": {"reference": "Organization/o"},
        }
        data = bare(org, role)
        data["entry"][2]["resource"]["requester"] = {"reference": "PractitionerRole/r"}
        [(path, _)] = faults(data)
        assert path == "Bundle.entry[3].resource.type[1].coding[1].code"
        org["type"] = [{"text": "hospital"}]
        assert request_from_bundle(data, "proleukin").prescriber == umpolicy.Practitioner()

    def test_a_practitioner_with_odd_qualifications(self) -> None:
        who = {"resourceType": "Practitioner", "id": "d", "qualification": ["x"]}
        data = bare(who)
        data["entry"][2]["resource"]["requester"] = {"reference": "Practitioner/d"}
        assert request_from_bundle(data, "proleukin").prescriber == umpolicy.Practitioner()

    def test_statuses_without_systems_and_odd_times(self) -> None:
        weight = {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": codes.LOINC, "code": "29463-7"}]},
            "valueQuantity": {"value": 80, "code": "kg", **UCUM},
        }
        condition = {
            "resourceType": "Condition",
            "clinicalStatus": {"coding": [{"code": "active"}]},
            "verificationStatus": {"coding": [{"code": "confirmed"}]},
            "code": {"coding": [{"system": codes.ICD10CM, "code": "C64.9"}]},
        }
        for times in (("2026-03-01", "2026-03-02T10:00:00Z"), ("2026-03-02", "2026-03-02")):
            first, second = (dict(weight, effectiveDateTime=when) for when in times)
            data = bare(first, second, condition)
            if times[0] == "2026-03-01":
                weight_read = request_from_bundle(data, "proleukin").patient.weight
                assert weight_read == Quantity("80", "kg")
            else:
                assert any("each needs its own effectiveDateTime" in r for _, r in faults(data))
        for wrong in (3, "x"):  # a date of the wrong form, beside one of the request's day
            odd: dict[str, Any] = {**weight, "effectiveDateTime": wrong}
            assert faults(bare(odd, dict(weight, effectiveDateTime="2026-03-02"), condition))
        # a time without its zone is no FHIR dateTime: refused, never read as UTC
        dated = [{**weight, "effectiveDateTime": w} for w in ("2026-03-01", "2026-03-02T10:00")]
        assert (
            "Bundle.entry[4].resource.effectiveDateTime",
            "'2026-03-02T10:00' is not a FHIR date or dateTime",
        ) in faults(bare(*dated, condition))

    def test_a_history_of_odd_statements(self) -> None:
        def statement(status: str, **more: Any) -> dict[str, Any]:
            return {"resourceType": "MedicationStatement", "status": status, **more}

        atc = {"coding": [{"system": codes.ATC, "code": "L01FF02", "display": "pembrolizumab"}]}
        data = bare(
            statement("not-taken", medicationCodeableConcept=atc),
            statement(
                "completed", medicationCodeableConcept=atc, effectivePeriod={"start": "2025-01-01"}
            ),
            statement(
                "stopped",
                medicationCodeableConcept={"coding": [{"system": codes.ATC, "code": "L01FX04"}]},
            ),
            statement("completed", medicationCodeableConcept={"text": "a trial drug"}),
        )
        prior = request_from_bundle(data, "proleukin").therapies.prior
        assert prior == (
            umpolicy.Therapy("pembrolizumab", ("L01FF02",)),
            umpolicy.Therapy("L01FX04", ("L01FX04",)),
            umpolicy.Therapy("a trial drug"),
        )

    def test_a_nameless_therapy_is_a_fault(self) -> None:
        data = bare({"resourceType": "MedicationStatement", "status": "active"})
        assert faults(data)[0][0] == "Bundle.entry[3].resource.medicationCodeableConcept"

    def test_codings_that_are_no_objects(self) -> None:
        condition = {"resourceType": "Condition", "code": {"coding": ["C64.9"]}}
        assert faults(bare(condition))[0][0] == "Bundle.entry[3].resource.code.coding[0]"
        condition["code"] = "C64.9"
        assert faults(bare(condition))[0][0] == "Bundle.entry[3].resource.code"

    def test_a_quantity_that_is_no_object(self) -> None:
        weight = {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": codes.LOINC, "code": "29463-7"}]},
            "valueQuantity": "80 kg",
            "effectiveDateTime": "2026-03-02",
        }
        assert faults(bare(weight))[0][0] == "Bundle.entry[3].resource.valueQuantity"

    def test_a_response_to_a_claim_listed_after_others(self) -> None:
        data = bundle_from_request(example())
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        data["entry"] = ["x", {"resource": "x"}, *data["entry"][1:], data["entry"][0]]
        assert claim_response(decision, data)["request"]["reference"].endswith("/Claim/claim-1")


class TestHookFaults:
    """A CRD call that cannot be read is a fault at its path in the call."""

    def hook(self, **changes: Any) -> dict[str, Any]:
        call = copy.deepcopy(hook_from_request(example("gvhd-approve")))
        for key, value in changes.items():
            where, _, name = key.rpartition("__")
            holder = call[where] if where else call
            if value is None:
                del holder[name]
            else:
                holder[name] = value
        return call

    def paths(self, call: object) -> list[str]:
        with pytest.raises(InputError) as caught:
            request_from_hook(call, "proleukin", today=TODAY)  # type: ignore[arg-type]
        return [e.path for e in caught.value.errors]

    def test_not_a_call(self) -> None:
        assert self.paths([]) == ["hook"]

    def test_an_unknown_hook_without_context(self) -> None:
        assert self.paths(self.hook(hook="patient-view", context=None)) == ["hook.hook", "context"]

    def reasons(self, call: object) -> list[str]:
        with pytest.raises(InputError) as caught:
            request_from_hook(call, "proleukin", today=TODAY)  # type: ignore[arg-type]
        return [e.reason for e in caught.value.errors if e.path == "hook.hook"]

    def test_the_hook_missing_or_unknown_is_said_in_words(self) -> None:
        """Not Python's ``got None``, nor the repr of a 100 KB value: what is wrong, cut short."""
        call = self.hook()
        del call["hook"]
        assert self.reasons(call) == [
            "required field missing: the hook (order-sign or order-select)"
        ]
        (reason,) = self.reasons(self.hook(hook="x" * 100_000))
        assert reason.startswith("expected one of order-sign, order-select, got 'xxx")
        assert len(reason) < 300

    def test_prefetch_that_is_no_object(self) -> None:
        assert "prefetch" in self.paths(self.hook(prefetch=[]))

    def test_an_empty_prefetch_entry_is_not_read(self) -> None:
        call = self.hook()
        call["prefetch"]["extra"] = None
        assert request_from_hook(call, "proleukin", today=TODAY).policy == "proleukin"

    def test_no_patient_and_no_coverage(self) -> None:
        call = self.hook(context__patientId=None)
        del call["prefetch"]["coverage"]
        assert self.paths(call) == ["context.patientId", "prefetch.coverage"]

    def test_two_draft_orders(self) -> None:
        call = self.hook()
        orders = call["context"]["draftOrders"]["entry"]
        orders.append(copy.deepcopy(orders[0]))
        assert self.paths(call) == ["context.draftOrders"]

    def test_a_selection_of_two(self) -> None:
        call = self.hook(hook="order-select", context__selections=["a", "b"])
        assert self.paths(call) == ["context.selections"]

    def test_an_undated_order_is_dated_today(self) -> None:
        call = self.hook()
        del call["context"]["draftOrders"]["entry"][0]["resource"]["authoredOn"]
        assert request_from_hook(call, "proleukin", today=TODAY).date == TODAY

    def test_a_fault_the_request_finds_is_at_the_call(self) -> None:
        call = self.hook()
        order = call["context"]["draftOrders"]["entry"][0]["resource"]
        order["dosageInstruction"][0]["route"]["coding"][0]["code"] = "IV"
        assert self.paths(call) == [
            "context.draftOrders.entry[0].resource.dosageInstruction[0].route.coding[0].code"
        ]


class TestWriter:
    """What core FHIR has no element for is written as a DTR answer, and reads back."""

    def test_an_uneven_frequency_and_a_therapy_outcome(self) -> None:
        request = attrs.evolve(
            example("melanoma-iv-approve"),
            medication=attrs.evolve(
                example("melanoma-iv-approve").medication, frequency=Quantity("2.5", "/d")
            ),
            therapies=umpolicy.Therapies(
                prior=(
                    umpolicy.Therapy(
                        "ipilimumab",
                        ("L01FX04",),
                        Quantity("3", "mo"),
                        umpolicy.TherapyOutcome.INTOLERANCE,
                    ),
                ),
                concomitant=(),
            ),
        )
        assert request_from_bundle(bundle_from_request(request), "proleukin") == request


class TestLastCorners:
    """Codes without their code, diagnoses without a diagnosis, orders without a requester."""

    @pytest.mark.parametrize(
        ("coding", "reason"),
        [
            ({"system": codes.ICD10CM}, "required field missing: the code"),
            ({"system": codes.ICD10CM, "code": 3}, "expected text (a JSON string)"),
        ],
    )
    def test_a_coding_without_its_code(self, coding: dict[str, Any], reason: str) -> None:
        condition = {"resourceType": "Condition", "code": {"coding": [coding]}}
        assert faults(bare(condition)) == [("Bundle.entry[3].resource.code.coding[0].code", reason)]

    def test_a_claim_diagnosis_without_a_diagnosis(self) -> None:
        data = bare()
        data["entry"][0]["resource"]["diagnosis"] = [{"sequence": 1}]
        assert faults(data)[0][0] == "Bundle.entry[0].resource.diagnosis[0]"

    def test_a_hook_without_a_requester_or_a_policy(self) -> None:
        call = hook_from_request(example("gvhd-approve"))
        del call["context"]["draftOrders"]["entry"][0]["resource"]["requester"]
        request = request_from_hook(call, today=TODAY)
        assert (request.policy, request.prescriber) == ("proleukin", umpolicy.Practitioner())

    def test_once_every_four_weeks_is_a_timing(self) -> None:
        base = example("melanoma-iv-approve")
        medication = attrs.evolve(base.medication, frequency=Quantity("1", "/(4.wk)"))
        request = attrs.evolve(base, medication=medication)
        bundle = bundle_from_request(request)
        order = next(
            e["resource"]
            for e in bundle["entry"]
            if e["resource"]["resourceType"] == "MedicationRequest"
        )
        assert order["dosageInstruction"][0]["timing"]["repeat"]["period"] == 4
        assert request_from_bundle(bundle, "proleukin") == request


_QR = "QuestionnaireResponse"
_MS = "MedicationStatement"


def approval(name: str) -> dict[str, Any]:
    """The PAS bundle of an approving example, its DTR answers in one response."""
    data = bundle_from_request(example(name))
    assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is umpolicy.Outcome.APPROVE
    return data


def where(data: dict[str, Any], kind: str = _QR, nth: int = 0) -> str:
    """The path of the ``nth`` resource of ``kind`` in the bundle."""
    found = [i for i, e in enumerate(data["entry"]) if e["resource"]["resourceType"] == kind]
    return f"Bundle.entry[{found[nth]}].resource"


def the(data: dict[str, Any], kind: str = _QR, nth: int = 0) -> dict[str, Any]:
    """The ``nth`` resource of ``kind`` in the bundle."""
    found: dict[str, Any] = [
        e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == kind
    ][nth]
    return found


def second_response(data: dict[str, Any], *items: dict[str, Any], first: bool = False) -> None:
    """Another completed response of umpolicy's, about the patient, after (or before) the rest."""
    answer = {**copy.deepcopy(the(data)), "id": "second", "item": list(items)}
    data["entry"].insert(0 if first else len(data["entry"]), {"resource": answer})


def errors(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as caught:
        evaluate_bundle(data, "proleukin", today=TODAY)
    return [(e.path, e.reason) for e in caught.value.errors]


class TestAnotherPatientsAnswers:
    """A response about another patient is a fault at its subject, as any resource's is."""

    def test_about_a_patient_not_in_the_bundle(self) -> None:
        data = approval("gvhd-approve")
        the(data)["subject"] = {"reference": "Patient/other-9"}
        assert errors(data) == [
            (
                f"{where(data)}.subject.reference",
                "the reference 'Patient/other-9' does not resolve to a resource here",
            )
        ]

    def test_about_another_patient_in_the_bundle(self) -> None:
        data = approval("gvhd-approve")
        data["entry"].append({"resource": {"resourceType": "Patient", "id": "p2"}})
        the(data)["subject"] = {"reference": "Patient/p2"}
        assert errors(data) == [
            (f"{where(data)}.subject.reference", "refers to another patient than the request's")
        ]

    def test_about_no_one_is_read_as_the_others_are(self) -> None:
        data = approval("gvhd-approve")
        del the(data)["subject"]
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is umpolicy.Outcome.APPROVE

    def test_in_a_hook_too(self) -> None:
        hook = hook_from_request(example("gvhd-approve"))
        records = hook["prefetch"]["records"]["entry"]
        [response] = [e["resource"] for e in records if e["resource"]["resourceType"] == _QR]
        response["subject"] = {"reference": "Patient/other-9"}
        with pytest.raises(InputError) as caught:
            request_from_hook(hook, "proleukin", today=TODAY)
        [error] = caught.value.errors
        assert error.path.endswith("].resource.subject.reference")


def _boolean(value: bool) -> dict[str, Any]:
    return {"valueBoolean": value}


def _site(code: str) -> dict[str, Any]:
    return {"valueCoding": {"code": code}}


def _answered_twice(data: dict[str, Any]) -> str:
    the(data)["item"][0]["answer"] = [_boolean(True), _boolean(False)]
    return f"{where(data)}.item[0].answer[1]"


def _item_twice(data: dict[str, Any]) -> str:
    link = "answers.steroid_refractory"
    the(data)["item"] = [answered(link, _boolean(False)), answered(link, _boolean(True))]
    return f"{where(data)}.item[1].answer[0]"


def _in_two_responses(data: dict[str, Any]) -> str:
    second_response(data, answered("answers.steroid_refractory", _boolean(True)))
    the(data)["item"][0]["answer"] = [_boolean(False)]
    return f"{where(data, nth=1)}.item[0].answer[0]"


def _site_answered_twice(data: dict[str, Any]) -> str:
    the(data)["item"][0]["item"][0]["answer"].append(_site("visceral"))
    return f"{where(data)}.item[0].item[0].answer[1]"


def _site_twice(data: dict[str, Any]) -> str:
    the(data)["item"][0]["item"].insert(0, answered("answers.lesions.site", _site("visceral")))
    return f"{where(data)}.item[0].item[1].answer[0]"


def _lesions_in_two_responses(data: dict[str, Any]) -> str:
    lesion = group(
        "answers.lesions", site=[_site("visceral")], status=[{"valueCoding": {"code": "other"}}]
    )
    second_response(data, lesion, first=True)
    return f"{where(data, nth=1)}.item[0]"


def _cycles_answered_twice(data: dict[str, Any]) -> str:
    the(data)["item"][0]["answer"].append({"valueInteger": 3})
    return f"{where(data)}.item[0].answer[1]"


def _same_answers_twice(data: dict[str, Any]) -> None:
    """Each answer given twice (of a list's item, each part's)."""
    for item in the(data)["item"]:
        for each in item.get("item", [item]):
            each["answer"] = each["answer"] * 2


def _same_items_twice(data: dict[str, Any]) -> None:
    """Each item given twice (of a list's item, each part: the item is one of the list)."""
    for item in the(data)["item"]:
        if "item" in item:
            item["item"] = item["item"] * 2
    the(data)["item"] = [
        each for item in the(data)["item"] for each in ([item] if "item" in item else [item] * 2)
    ]


def _same_response_twice(data: dict[str, Any]) -> None:
    second_response(data, *copy.deepcopy(the(data)["item"]))


#: A prior therapy's parts, as a DTR group answers them.
_PRIOR = {"name": [{"valueString": "ipilimumab"}], "codes": [{"valueString": "L01FX04"}]}


class TestAnswersGivenTwice:
    """An element answered twice is read once if the answers agree, else it is a fault."""

    @pytest.mark.parametrize(
        ("name", "change", "link"),
        [
            ("gvhd-approve", _answered_twice, "answers.steroid_refractory"),
            ("gvhd-approve", _item_twice, "answers.steroid_refractory"),
            ("gvhd-approve", _in_two_responses, "answers.steroid_refractory"),
            ("melanoma-intralesional-approve", _site_answered_twice, "answers.lesions.site"),
            ("melanoma-intralesional-approve", _site_twice, "answers.lesions.site"),
            ("melanoma-intralesional-approve", _lesions_in_two_responses, "answers.lesions"),
            (
                "melanoma-iv-approve",
                _cycles_answered_twice,
                "medication.schedule.cycles_per_course",
            ),
        ],
        ids=[
            "two answers",
            "the item twice",
            "two responses",
            "a part's two answers",
            "the part twice",
            "two lists",
            "a fact's two answers",
        ],
    )
    def test_differing_answers_are_a_fault(self, name: str, change: Any, link: str) -> None:
        """Each approved, reading one of the answers: the yes could win."""
        data = approval(name)
        at_fault = change(data)
        [(path, reason)] = errors(data)
        assert path == at_fault
        assert reason.startswith(f"{link} is answered twice, differently: here and at ")
        assert reason.endswith("; umpolicy reads one answer")

    @pytest.mark.parametrize(
        "change", [_same_answers_twice, _same_items_twice, _same_response_twice]
    )
    @pytest.mark.parametrize(
        "name", ["gvhd-approve", "melanoma-intralesional-approve", "melanoma-iv-approve"]
    )
    def test_the_same_answer_twice_is_read_once(self, name: str, change: Any) -> None:
        data = approval(name)
        expected = request_from_bundle(data, "proleukin")
        change(data)
        assert request_from_bundle(data, "proleukin") == expected
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is umpolicy.Outcome.APPROVE

    def test_a_list_keeps_its_items(self) -> None:
        """A repeating group's items are the list's, not answers of one element."""
        lesions = request_from_bundle(approval("melanoma-intralesional-approve")).answers
        assert len(lesions["proleukin"]["lesions"]) == 2

    @pytest.mark.parametrize(
        ("items", "second", "at_fault", "link"),
        [
            (
                [
                    answered("diagnoses", {"valueString": "C64.9"}),
                    answered("diagnoses", {"valueString": "C43.9"}),
                ],
                [],
                "Bundle.entry[3].resource.item[1].answer[0]",
                "diagnoses",
            ),
            (
                [group("therapies.prior", **_PRIOR)],
                [group("therapies.prior", name=[{"valueString": "nivolumab"}])],
                "Bundle.entry[4].resource.item[0]",
                "therapies.prior",
            ),
            (
                [
                    {
                        "linkId": "therapies.prior",
                        "item": [
                            answered("therapies.prior.name", {"valueString": "ipilimumab"}),
                            answered("therapies.prior.name", {"valueString": "nivolumab"}),
                        ],
                    }
                ],
                [],
                "Bundle.entry[3].resource.item[0].item[1].answer[0]",
                "therapies.prior.name",
            ),
            (
                [
                    {
                        "linkId": "consultants",
                        "item": [
                            answered("consultants.specialties", {"valueString": "207RX0202X"}),
                            answered("consultants.specialties", {"valueString": "207Q00000X"}),
                        ],
                    }
                ],
                [],
                "Bundle.entry[3].resource.item[0].item[1]",
                "consultants.specialties",
            ),
        ],
        ids=[
            "a list fact's item twice",
            "a group in two responses",
            "a part twice",
            "a list part twice",
        ],
    )
    def test_facts_of_the_vocabulary_too(
        self,
        items: list[dict[str, Any]],
        second: list[dict[str, Any]],
        at_fault: str,
        link: str,
    ) -> None:
        responses = [response(*items)] + ([response(*second)] if second else [])
        [(path, reason)] = faults(bare(*responses))
        assert path == at_fault
        assert reason.startswith(f"{link} is answered twice, differently: here and at ")

    def test_the_same_facts_twice_are_read_once(self) -> None:
        given = [
            answered("diagnoses", {"valueString": "C64.9"}, {"valueString": "C43.9"}),
            group("therapies.prior", **_PRIOR),
            answered("patient.weight", _q("80", "kg")),
            {
                "linkId": "therapies.prior",
                "item": [answered("therapies.prior.name", {"valueString": "x"})] * 2,
            },
        ]
        once = request_from_bundle(bare(response(*given)), "proleukin")
        twice = request_from_bundle(bare(response(*given), response(*given)), "proleukin")
        assert twice == once
        assert len(once.diagnoses or ()) == 2
        assert len(once.therapies.prior or ()) == 2

    def test_an_item_without_answers_answers_nothing(self) -> None:
        given = bare(
            response(answered("diagnoses"), answered("diagnoses", {"valueString": "C64.9"}))
        )
        assert request_from_bundle(given, "proleukin").diagnoses == (umpolicy.Coding("C64.9"),)


def _statement(status: str, code: str = "L01FF02", ident: str = "s") -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "id": ident,
        "status": status,
        "subject": {"reference": "Patient/p"},
        "medicationCodeableConcept": {"coding": [{"system": codes.ATC, "code": code}]},
    }


def _therapy(link: str) -> dict[str, Any]:
    return group(link, name=[{"valueString": "ondansetron"}], codes=[{"valueString": "A04AA01"}])


class TestAnswersBesideTheHistory:
    """A DTR therapy answer cannot fill a history a statement gives, or leaves unknown."""

    @pytest.mark.parametrize(
        ("status", "link", "which"),
        [
            ("on-hold", "therapies.concomitant", "concomitant"),
            ("unknown", "therapies.concomitant", "concomitant"),
            ("unknown", "therapies.prior", "prior"),
        ],
    )
    def test_a_history_left_unknown_is_not_answered(
        self, status: str, link: str, which: str
    ) -> None:
        """The statement's therapy may be in it: the answer's list could leave it out."""
        data = bare(_statement(status), response(_therapy(link)))
        [(path, reason)] = faults(data)
        assert path == "Bundle.entry[4].resource.item[0]"
        assert reason == (
            f"{link} cannot be answered: the MedicationStatement at Bundle.entry[3].resource "
            f"is '{status}', so its therapy may be a {which} one, whatever an answer lists"
        )

    def test_the_history_it_leaves_known_is_answered(self) -> None:
        """On hold, a therapy may resume with the drug: only the concomitant ones are unknown."""
        data = bare(_statement("on-hold"), response(_therapy("therapies.prior")))
        therapies = request_from_bundle(data, "proleukin").therapies
        assert therapies.concomitant is None
        assert therapies.prior == (umpolicy.Therapy("ondansetron", ("A04AA01",)),)

    def test_the_iv_approval_with_a_therapy_on_hold(self) -> None:
        """The review's case: it approved on the answer, though pembrolizumab may resume."""
        data = approval("melanoma-iv-approve")
        data["entry"] = [e for e in data["entry"] if e["resource"]["resourceType"] != "List"]
        data["entry"].append(
            {"resource": {**_statement("on-hold"), "subject": the(data)["subject"]}}
        )
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is umpolicy.Outcome.INSUFFICIENT_INFORMATION
        the(data)["item"].append(_therapy("therapies.concomitant"))
        [(path, reason)] = errors(data)
        assert path == f"{where(data)}.item[{len(the(data)['item']) - 1}]"
        assert where(data, "MedicationStatement", 1) in reason

    def test_a_clash_with_a_list_names_it(self) -> None:
        """An empty List gives the history whole: there is nothing to complete."""
        data = bare(
            _none_list("therapies.concomitant"), response(_therapy("therapies.concomitant"))
        )
        assert faults(data) == [
            (
                "Bundle.entry[4].resource.item[0]",
                "therapies.concomitant is given twice: here and at "
                "Bundle.entry[3].resource.emptyReason",
            )
        ]


def _none_list(link: str) -> dict[str, Any]:
    return {
        "resourceType": "List",
        "status": "current",
        "mode": "snapshot",
        "subject": {"reference": "Patient/p"},
        "code": {"coding": [{"system": codes.FACT, "code": link}]},
        "emptyReason": {"coding": [{"system": codes.LIST_EMPTY_REASON, "code": "nilknown"}]},
    }


RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def ordered(*resources: dict[str, Any]) -> dict[str, Any]:
    """:func:`bare`, its Claim asking for the order ``m``: other orders are therapies."""
    data = bare(*resources)
    extension = {
        "url": codes.PAS_REQUESTED_SERVICE,
        "valueReference": {"reference": "MedicationRequest/m"},
    }
    data["entry"][0]["resource"]["item"] = [{"sequence": 1, "extension": [extension]}]
    return data


def _rx_order(ident: str = "rx", code: str = "26225", name: str = "ondansetron") -> dict[str, Any]:
    """An active order of another drug, coded for ordering (RxNorm): no ATC code."""
    return {
        "resourceType": "MedicationRequest",
        "id": ident,
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/p"},
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": code, "display": name}]
        },
    }


def _answer(link: str, *therapies: tuple[str, str]) -> list[dict[str, Any]]:
    """The items of a DTR answer listing ``therapies`` (name, ATC code), one group each."""
    return [
        group(link, name=[{"valueString": name}], codes=[{"valueString": code}])
        for name, code in therapies
    ]


_CON = "therapies.concomitant"
_PRI = "therapies.prior"
_OND = ("ondansetron", "A04AA01")
_PEM = ("pembrolizumab", "L01FF02")
_IPI = ("ipilimumab", "L01FX04")
_COMBINATION = "acetaminophen 325 MG / oxycodone hydrochloride 5 MG Oral Tablet"
#: Combinations named as labels and orders name them, not as RxNorm does.
_LABELS = (
    "hydrocodone bitartrate and acetaminophen tablet",
    "sulfamethoxazole/trimethoprim 800-160 mg tablet",
    "lidocaine with epinephrine injection",
)


class TestAnswersCompletingTheHistory:
    """A DTR answer may complete a history the records give in part, contradicting none of it."""

    @pytest.mark.parametrize(
        ("records", "link", "answer"),
        [
            ([_rx_order()], _CON, [_OND]),
            ([_statement("completed")], _PRI, [_PEM]),
            ([_statement("active")], _CON, [_PEM, _OND]),
            ([_statement("active"), _rx_order()], _CON, [_OND, _PEM]),
            (
                [_rx_order(), _rx_order("rx2", "8640", "prednisone 5 MG Oral Tablet")],
                _CON,
                [("Prednisone", "H02AB07"), _OND],
            ),
            (
                [_rx_order(name="10 ML nivolumab 10 MG/ML Injection")],
                _CON,
                [("nivolumab", "L01FF01")],
            ),
            ([_rx_order(name="Injection, nivolumab, 1 mg")], _CON, [("Nivolumab", "L01FF01")]),
            (
                [_rx_order(name=_COMBINATION)],
                _CON,
                [("acetaminophen / oxycodone", "N02AJ17")],
            ),
            (
                [_rx_order(name=f"{_COMBINATION} [Percocet]")],
                _CON,
                [("Percocet", "N02AJ17")],
            ),
            (
                [_rx_order(name="4 ML pembrolizumab 25 MG/ML Injection [Keytruda]")],
                _CON,
                [("pembrolizumab", "L01FF02")],
            ),
            (
                [_rx_order(name=_LABELS[0])],
                _CON,
                [("hydrocodone and acetaminophen", "N02AJ06")],
            ),
        ],
        ids=[
            "an order in RxNorm, coded by the answer",
            "a statement, the answer giving more",
            "a statement, and one more therapy",
            "a statement and an order, in another order",
            "two orders, each by its name",
            "a quantified order, by its drug",
            "an order by its HCPCS description, by its drug",
            "a combination, by a drug of each of its parts",
            "a combination, by its brand",
            "a branded drug, by its drug (its units' slash parts nothing)",
            "a combination named by and, by a drug of each",
        ],
    )
    def test_the_answer_replaces_the_records(
        self, records: list[dict[str, Any]], link: str, answer: list[tuple[str, str]]
    ) -> None:
        data = ordered(*records, response(*_answer(link, *answer)))
        therapies = request_from_bundle(data, "proleukin").therapies
        expected = tuple(umpolicy.Therapy(name, (code,)) for name, code in answer)
        assert getattr(therapies, link.split(".")[1]) == expected

    def test_the_answer_is_the_source(self) -> None:
        """What the request's checks find in the history is at the answer, not the records."""
        period = {"start": "2025-01-01", "end": "2025-03-31"}
        data = bare(
            {**_statement("completed"), "effectivePeriod": period},
            response(
                group(
                    _PRI,
                    name=[{"valueString": "pembrolizumab"}],
                    codes=[{"valueString": "L01FF02"}],
                    duration=[_q("-1", "wk")],
                )
            ),
        )
        [(path, _)] = faults(data)
        assert path.startswith("Bundle.entry[4].resource.item[0]")

    def test_nor_by_splitting_a_record_of_two_codes(self) -> None:
        """Any entry of the answer that is the recorded therapy may not call it never given."""
        record = _statement("active")
        record["medicationCodeableConcept"]["coding"].append(
            {"system": codes.ATC, "code": "A04AA01"}
        )
        never = group(
            _CON,
            name=[{"valueString": "pembrolizumab"}],
            codes=[{"valueString": "L01FF02"}],
            outcome=[{"valueCoding": {"code": "contraindication"}}],
        )
        data = ordered(record, response(never, *_answer(_CON, _OND)))
        [(_, reason)] = faults(data)
        assert "was never given (contraindication): the record gives it" in reason

    def test_an_answer_may_not_call_a_given_therapy_never_given(self) -> None:
        """A record gives the therapy; the answer's contraindication contradicts it."""
        item = group(
            _CON,
            name=[{"valueString": "pembrolizumab"}],
            codes=[{"valueString": "L01FF02"}],
            outcome=[{"valueCoding": {"code": "contraindication"}}],
        )
        data = ordered(_statement("active"), response(item))
        [(path, reason)] = faults(data)
        assert path == "Bundle.entry[4].resource.item[0]"
        assert reason.endswith("(L01FF02) was never given (contraindication): the record gives it")

    @pytest.mark.parametrize(
        ("records", "answer", "reason"),
        [
            (
                [_statement("active"), _statement("active", "L01FX04", "t")],
                [_OND, _PEM],
                "leaves out the therapy at Bundle.entry[4].resource.medicationCodeableConcept "
                "(L01FX04): an answer beside the records lists every therapy they give",
            ),
            (
                [_rx_order(), _statement("active")],
                [_PEM],
                "leaves out the therapy at Bundle.entry[3].resource.medicationCodeableConcept "
                "('ondansetron'): an answer beside the records lists every therapy they give",
            ),
            (
                [_rx_order(name="nivolumab 10 MG/ML")],
                [_OND],
                "leaves out the therapy at Bundle.entry[3].resource.medicationCodeableConcept "
                "('nivolumab 10 MG/ML'): an answer beside the records lists every therapy they "
                "give",
            ),
            (
                [_rx_order(name="nivolumab 10 MG/ML Injectable Solution")],
                [("10 mg ondansetron Solution", "A04AA01")],
                "leaves out the therapy at Bundle.entry[3].resource.medicationCodeableConcept "
                "('nivolumab 10 MG/ML Injectable Solution'): an answer beside the records lists "
                "every therapy they give",
            ),
            (
                [_rx_order(name="10 ML nivolumab 10 MG/ML Injection")],
                [("dexamethasone 4 MG/ML Injection", "H02AB02")],
                "leaves out the therapy at Bundle.entry[3].resource.medicationCodeableConcept "
                "('10 ML nivolumab 10 MG/ML Injection'): an answer beside the records lists "
                "every therapy they give",
            ),
            (
                [_rx_order(name="Injection, nivolumab, 1 mg")],
                [("ondansetron injection", "A04AA01")],
                "leaves out the therapy at Bundle.entry[3].resource.medicationCodeableConcept "
                "('Injection, nivolumab, 1 mg'): an answer beside the records lists every "
                "therapy they give",
            ),
            (
                [_rx_order(name="a medication")],
                [("vitamin a", "A11CA01")],
                "leaves out the therapy at Bundle.entry[3].resource.medicationCodeableConcept "
                "('a medication'): an answer beside the records lists every therapy they give",
            ),
            (
                [_rx_order(name=_COMBINATION)],
                [("acetaminophen", "N02BE01")],
                f"leaves out the therapy at Bundle.entry[3].resource.medicationCodeableConcept "
                f"({_COMBINATION!r}): an answer beside the records lists every therapy they "
                "give",
            ),
            *(
                (
                    [_rx_order(name=label)],
                    [(label.split()[0].split("/")[0], "N02BE01")],
                    "leaves out the therapy at Bundle.entry[3].resource.medicationCodeableConcept "
                    f"({label!r}): an answer beside the records lists every therapy they give",
                )
                for label in _LABELS
            ),
            (
                [_rx_order(name=f"{_COMBINATION} [Percocet]")],
                [("acetaminophen", "N02BE01")],
                "leaves out the therapy at Bundle.entry[3].resource.medicationCodeableConcept "
                f"({_COMBINATION + ' [Percocet]'!r}): an answer beside the records lists every "
                "therapy they give",
            ),
            (
                [_rx_order(name="ondansetron 4 MG Oral Tablet")],
                [("Oral Tablet", "L01FF02")],
                "leaves out the therapy at Bundle.entry[3].resource.medicationCodeableConcept "
                "('ondansetron 4 MG Oral Tablet'): an answer beside the records lists every "
                "therapy they give",
            ),
            (
                [_rx_order(name="Injection, nivolumab, 1 mg")],
                [("Injection", "L01FF02")],
                "leaves out the therapy at Bundle.entry[3].resource.medicationCodeableConcept "
                "('Injection, nivolumab, 1 mg'): an answer beside the records lists every "
                "therapy they give",
            ),
            (
                [_statement("active"), _statement("active", ident="t")],
                [_PEM],
                "lists 1 therapies, the records 2: it leaves out one of those at "
                "Bundle.entry[3].resource.medicationCodeableConcept, "
                "Bundle.entry[4].resource.medicationCodeableConcept",
            ),
        ],
        ids=[
            "a coded therapy left out",
            "an uncoded one left out",
            "an uncoded one swapped for another",
            "an uncoded one matched by a dose's words",
            "a quantified one matched by its quantity's unit",
            "one named by its form matched by the form",
            "one of no known name matched by a word of it",
            "a combination named by one of its drugs",
            "a combination parted by and, named by one of its drugs",
            "a combination parted by a slash, named by one of its drugs",
            "a combination parted by with, named by one of its drugs",
            "a branded combination named by one of its drugs",
            "one named by its form alone",
            "one named by HCPCS's form alone",
            "one of two alike left out",
        ],
    )
    def test_an_answer_leaving_a_record_out_is_a_fault(
        self, records: list[dict[str, Any]], answer: list[tuple[str, str]], reason: str
    ) -> None:
        data = ordered(*records, response(*_answer(_CON, *answer)))
        assert faults(data) == [
            (f"Bundle.entry[{len(records) + 3}].resource.item[0]", f"{_CON} {reason}")
        ]

    def test_an_answer_past_the_limit_is_refused_before_matching(self) -> None:
        """101 therapies beside the records: refused before each record meets each entry.

        No request holds them, and the matching grows as their product (3 MB took 12 s).
        """
        answer = [(f"ondansetron {i}", "A04AA01") for i in range(101)]
        data = ordered(_rx_order(), response(*_answer(_CON, *answer)))
        assert faults(data) == [
            ("Bundle.entry[4].resource.item[0]", f"{_CON}: a list of 101 items; the limit is 100")
        ]

    def test_records_past_the_limit_are_refused_before_matching(self) -> None:
        records = [_rx_order(f"rx{i}", str(26225 + i), f"drug {i}") for i in range(101)]
        data = ordered(*records, response(*_answer(_CON, _OND)))
        assert f"{_CON}: the records beside it give 101 therapies; a request holds at most 100" in [
            reason for _, reason in faults(data)
        ]


def _methotrexate(days: str = "31") -> dict[str, Any]:
    """Quellimab's RA initial approval, its methotrexate a record of ``days`` days, no answer."""
    path = ROOT / "examples/quellimab-policy/examples/ra-initial-approve.json"
    trial = umpolicy.Therapy("methotrexate", ("L04AX03",), Quantity(days, "d"))
    request = attrs.evolve(
        parse_request(path.read_text()),
        therapies=umpolicy.Therapies(
            prior=(trial,), concomitant=(), partial=(umpolicy.History.PRIOR,)
        ),
    )
    data = bundle_from_request(request, "quellimab")
    subject = the(data, "Claim")["patient"]
    data["entry"].append({"resource": {**response(policy="quellimab"), "subject": subject}})
    return data


def _tried(duration: dict[str, Any] | None, code: str = "L04AX03") -> dict[str, Any]:
    parts: dict[str, list[dict[str, Any]]] = {
        "name": [{"valueString": "methotrexate"}],
        "codes": [{"valueString": code}],
        "outcome": [{"valueCoding": {"code": "failure"}}],
    }
    return group(_PRI, **parts, **({} if duration is None else {"duration": [duration]}))


class TestAnAnswerKeepsWhatTheRecordsSay:
    """An answer completing the records' history never changes a duration nor drops a code."""

    def test_a_record_s_31_days_are_not_an_answer_s_4_months(self) -> None:
        data = _methotrexate()
        the(data)["item"] = [_tried(_q("4", "mo"))]
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "quellimab", today=TODAY)
        [error] = caught.value.errors
        assert error.path == f"{where(data)}.item[0]"
        assert error.reason == (
            f"{_PRI} gives the therapy at Bundle.entry[8].resource.medicationCodeableConcept "
            "(L04AX03) another duration than the record's 31 d: an answer beside the records "
            "never changes what they say"
        )

    @pytest.mark.parametrize(
        ("days", "duration", "outcome"),
        [
            ("120", _q("120", "d"), umpolicy.Outcome.APPROVE),
            ("91", _q("13", "wk"), umpolicy.Outcome.NOT_RECOMMENDED),
            ("120", None, umpolicy.Outcome.APPROVE),
        ],
        ids=["the same days", "the same days in weeks", "no duration: the record's"],
    )
    def test_an_answer_giving_the_record_s_duration_completes_it(
        self, days: str, duration: dict[str, Any] | None, outcome: umpolicy.Outcome
    ) -> None:
        data = _methotrexate(days)
        the(data)["item"] = [_tried(duration)]
        assert evaluate_bundle(data, "quellimab", today=TODAY).outcome is outcome

    def test_a_duration_umpolicy_does_not_read_is_reported_as_such(self) -> None:
        """Not a duration another than the record's, but a unit no request takes: said so."""
        data = _methotrexate()
        the(data)["item"] = [_tried(_q("2", "fortnight"))]
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "quellimab", today=TODAY)
        [error] = caught.value.errors
        assert "'fortnight'" in error.reason
        assert "another duration than the record's" not in error.reason

    @pytest.mark.parametrize(
        "duration",
        [{"value": "x", "unit": "d"}, {"value": "2", "unit": "fortnight"}, {"value": "1E+999999"}],
    )
    def test_a_duration_no_quantity_leaves_the_checks_to_say_so(
        self, duration: dict[str, str]
    ) -> None:
        """Data from elsewhere than a bundle read: not a quantity is no other duration."""
        assert dtr._lasted({"duration": {"value": "31", "unit": "d"}}, {"duration": duration})

    def test_two_records_are_two_entries_each_as_long(self) -> None:
        """Two records of 31 days are not one of 31 days and one of 4 months."""
        data = _methotrexate()
        statements = [e for e in data["entry"] if e["resource"]["resourceType"] == _MS]
        again = copy.deepcopy(statements[0])
        again["resource"]["id"] = "again"
        again.pop("fullUrl", None)
        data["entry"].append(again)
        the(data)["item"] = [_tried(_q("31", "d")), _tried(_q("4", "mo"))]
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "quellimab", today=TODAY)
        [error] = caught.value.errors
        assert "gives one entry for two of the therapies at" in error.reason
        the(data)["item"] = [_tried(_q("31", "d")), _tried(_q("31", "d")), _tried(_q("4", "mo"))]
        assert evaluate_bundle(data, "quellimab", today=TODAY).outcome is umpolicy.Outcome.APPROVE

    def test_an_answer_may_not_drop_a_code_of_a_record(self) -> None:
        """A record of pembrolizumab and ondansetron is not ondansetron alone: single agent."""
        record = _statement("active")
        record["medicationCodeableConcept"]["coding"].append(
            {"system": codes.ATC, "code": "A04AA01"}
        )
        [(_, reason)] = faults(ordered(record, response(*_answer(_CON, _OND))))
        assert reason == (
            f"{_CON} leaves out L01FF02 of the therapy at "
            "Bundle.entry[3].resource.medicationCodeableConcept (L01FF02, A04AA01): an answer "
            "beside the records keeps every code they give"
        )
        split = ordered(record, response(*_answer(_CON, _OND, _PEM)))
        therapies = request_from_bundle(split, "proleukin").therapies.concomitant
        assert therapies is not None
        assert [t.codes for t in therapies] == [
            ("A04AA01",),
            ("L01FF02",),
        ]


def _records(call: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """The resources of ``kind`` among a CRD call's prefetched records."""
    entries = call["prefetch"]["records"]["entry"]
    return [e["resource"] for e in entries if e["resource"]["resourceType"] == kind]


def _crd() -> dict[str, Any]:
    call: dict[str, Any] = umpolicy.loads(
        (ROOT / "examples/fhir/crd/order-sign.request.json").read_text()
    )
    return call


class TestTheReviewsCases:
    """The review's dead ends: asked for a history, its answer was refused as given twice."""

    def test_an_ondansetron_order_in_rxnorm(self) -> None:
        data = approval("melanoma-iv-approve")
        data["entry"] = [e for e in data["entry"] if e["resource"]["resourceType"] != "List"]
        order = {**_rx_order(), "subject": the(data)["subject"]}
        data["entry"].append({"resource": order})
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is umpolicy.Outcome.INSUFFICIENT_INFORMATION
        the(data)["item"] += _answer(_CON, _OND)
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is umpolicy.Outcome.APPROVE

    def test_a_prednisone_order_in_a_crd_call(self) -> None:
        call = _crd()
        records = call["prefetch"]["records"]
        records["entry"] = [  # the statements, and the List saying they are all
            e
            for e in records["entry"]
            if e["resource"]["resourceType"] not in ("MedicationStatement", "List")
        ]
        subject = _records(call, _QR)[0]["subject"]
        order = {**_rx_order("pred", "8640", "prednisone"), "subject": subject}
        records["entry"].append({"resource": order})
        decision = evaluate_hook(call, "proleukin", today=TODAY)
        assert decision.outcome is umpolicy.Outcome.INSUFFICIENT_INFORMATION
        _records(call, _QR)[0]["item"] += _answer(_CON, ("prednisone", "H02AB07"))
        assert evaluate_hook(call, "proleukin", today=TODAY).outcome is umpolicy.Outcome.APPROVE

    def test_a_prior_therapy_without_its_outcome(self) -> None:
        """FHIR's MedicationStatement has no outcome: Quellimab's 2.A.ii.a asks for it."""
        path = ROOT / "examples/quellimab-policy/examples/pjia-initial-approve.json"
        request = attrs.evolve(
            parse_request(path.read_text()),
            therapies=umpolicy.Therapies(
                prior=(umpolicy.Therapy("methotrexate", ("L04AX03",), Quantity("120", "d")),),
                concomitant=(),
            ),
        )
        data = bundle_from_request(request, "quellimab")
        decision = evaluate_bundle(data, "quellimab", today=TODAY)
        assert decision.outcome is umpolicy.Outcome.INSUFFICIENT_INFORMATION
        assert [i["linkId"] for i in questionnaire(decision, "quellimab")["item"]] == [_PRI]
        answer = group(
            _PRI,
            name=[{"valueString": "methotrexate"}],
            codes=[{"valueString": "L04AX03"}],
            outcome=[{"valueCoding": {"code": "failure"}}],
            duration=[_q("120", "d")],
        )
        data["entry"].append(
            {
                "resource": {
                    **response(answer, policy="quellimab"),
                    "subject": the(data, "Claim")["patient"],
                }
            }
        )
        assert evaluate_bundle(data, "quellimab", today=TODAY).outcome is umpolicy.Outcome.APPROVE


def _weighed(authored: str | None, kilograms: str) -> dict[str, Any]:
    """A response giving the patient's weight, authored when said (or not saying)."""
    found = response(answered("patient.weight", _q(kilograms, "kg")))
    return found if authored is None else {**found, "authored": authored}


class TestLaterResponsesSupersede:
    """When every response says when it was authored, the latest answer to each item is read."""

    @pytest.mark.parametrize(
        ("earlier", "later"),
        [
            ("2025-06-10", "2026-03-02"),
            ("2025", "2026-03-02"),
            ("2026-03-02T09:00:00Z", "2026-03-02T10:00:00.5+00:00"),
            ("2026-03-02T12:00:00+05:00", "2026-03-02T08:00:00Z"),
            ("2026-03-01", "2026-03-02T00:30:00+01:00"),
        ],
        ids=["days", "a year and a day", "times", "times in two zones", "a day and a time"],
    )
    @pytest.mark.parametrize("first", [True, False], ids=["earlier first", "later first"])
    def test_the_latest_is_read(self, earlier: str, later: str, first: bool) -> None:
        given = [_weighed(earlier, "90"), _weighed(later, "80")]
        data = bare(*(given if first else given[::-1]))
        assert request_from_bundle(data, "proleukin").patient.weight == Quantity("80", "kg")

    def test_a_later_response_supersedes_only_what_it_answers(self) -> None:
        """What the later response does not answer, the earlier one still says."""
        earlier = {
            **response(
                answered("patient.weight", _q("90", "kg")),
                *_answer(_CON, _PEM),
            ),
            "authored": "2026-03-02T10:00:00Z",
        }
        later = _weighed("2026-03-02T10:01:00Z", "80")
        data = bare(earlier, later, {**_statement("active", "L01FF02"), "id": "given"})
        request = request_from_bundle(data, "proleukin")
        assert request.patient.weight == Quantity("80", "kg")  # the later answer
        assert request.therapies.concomitant == (umpolicy.Therapy(*_PEM[:1], (_PEM[1],)),)

    def test_the_reviews_crd_prefetch(self) -> None:
        """Last year's "not refractory", in the service's prefetch of every response."""
        call = _crd()
        old = {
            **copy.deepcopy(_records(call, _QR)[0]),
            "id": "last-year",
            "authored": "2025-06-10",
            "item": [answered("answers.steroid_refractory", _boolean(False))],
        }
        call["prefetch"]["answers"] = {"resourceType": "Bundle", "entry": [{"resource": old}]}
        assert evaluate_hook(call, "proleukin", today=TODAY).outcome is umpolicy.Outcome.APPROVE

    @pytest.mark.parametrize(
        ("one", "other"),
        [
            ("2026-03-02", "2026-03-02"),
            ("2026", "2026-03-02"),
            ("2026-03-02", "2026-03-02T10:00:00Z"),
            ("2026-03-02T10:00:00Z", "2026-03-02T11:00:00+01:00"),
            (None, "2026-03-02"),
        ],
        ids=[
            "the same day",
            "within its year",
            "within its day",
            "the same time",
            "one not saying",
        ],
    )
    def test_none_later_is_read_with_the_others(self, one: str | None, other: str) -> None:
        """Neither is surely the later: umpolicy reads both, and never chooses."""
        [(path, reason)] = faults(bare(_weighed(one, "90"), _weighed(other, "80")))
        assert path == "Bundle.entry[4].resource.item[0].answer[0]"
        assert reason.startswith("patient.weight is answered twice, differently: ")

    @pytest.mark.parametrize(
        ("authored", "reason"),
        [
            ("yesterday", "'yesterday' is not a FHIR date (YYYY-MM-DD)"),
            ("2026-03-02T10:00:00", "'2026-03-02T10:00:00' is not a FHIR date or dateTime"),
            ("2026-03-02T25:00:00Z", "'2026-03-02T25:00:00Z' is not a FHIR dateTime"),
            ("2026-03-02 ", "'2026-03-02 ' is not a FHIR date or dateTime"),
        ],
        ids=["no date", "a time without its zone", "no time", "text after the day"],
    )
    def test_a_wrong_authored_is_a_fault(self, authored: str, reason: str) -> None:
        data = bare(_weighed(authored, "80"))
        assert faults(data) == [("Bundle.entry[3].resource.authored", reason)]


class TestAnAnswerBesideAWholeHistory:
    """Records a List gives whole may be said more of by an answer, never added to."""

    @staticmethod
    def _ondansetron(partial: bool) -> dict[str, Any]:
        """The RCC approval, ondansetron given with it: a List of it, or (in part) none."""
        path = ROOT / "examples/proleukin/rcc-approve.json"
        request = attrs.evolve(
            parse_request(path.read_text()),
            therapies=umpolicy.Therapies(
                concomitant=(umpolicy.Therapy("ondansetron", ("A04AA01",)),),
                partial=(umpolicy.History.CONCOMITANT,) if partial else (),
            ),
        )
        data = bundle_from_request(request)
        subject = the(data, "Claim")["patient"]
        answered = response(*_answer(_CON, _OND, ("prednisone", "H02AB07")))
        data["entry"].append({"resource": {**answered, "subject": subject}})
        return data

    def test_one_more_therapy_contradicts_the_list(self) -> None:
        data = self._ondansetron(partial=False)
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        [error] = caught.value.errors
        assert error.path == f"{where(data, nth=1)}.item[0]"  # the second response
        assert error.reason.startswith(
            f"{_CON} lists 2 therapies given, but the List at Bundle.entry["
        )
        assert error.reason.endswith(
            "gives the whole history, 1: an answer may complete what they say, never add a "
            "therapy given"
        )

    def test_a_contraindication_is_no_therapy_added(self) -> None:
        """A therapy never given adds none to a whole history: it may be said beside it."""
        data = self._ondansetron(partial=False)
        never = group(
            _CON,
            name=[{"valueString": "ipilimumab"}],
            codes=[{"valueString": "L01FX04"}],
            outcome=[{"valueCoding": {"code": "contraindication"}}],
        )
        the(data, nth=1)["item"] = [*_answer(_CON, _OND), never]
        request = request_from_bundle(data, "proleukin")
        assert [t.name for t in request.therapies.concomitant or ()] == [
            "ondansetron",
            "ipilimumab",
        ]
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is umpolicy.Outcome.APPROVE

    @pytest.mark.parametrize("partial", [True, False], ids=["in-part", "whole"])
    def test_an_answer_never_recodes_a_record(self, partial: bool) -> None:
        """Ondansetron's record is A04AA01: an answer may not make it pembrolizumab too."""
        data = self._ondansetron(partial=partial)
        [entry] = _answer(_CON, _OND)
        entry["item"][1]["answer"].append({"valueString": "L01FF02"})
        the(data, nth=1)["item"] = [entry]
        with pytest.raises(InputError) as caught:
            request_from_bundle(data, "proleukin")
        [error] = caught.value.errors
        [statement] = [
            i
            for i, e in enumerate(data["entry"])
            if e["resource"]["resourceType"] == "MedicationStatement"
        ]
        assert error.reason == (
            f"{_CON} gives the therapy at Bundle.entry[{statement}]"
            ".resource.medicationCodeableConcept (A04AA01) another code, L01FF02: an answer "
            "beside the records may make a code more precise (L04A as L04AX03), never add "
            "another"
        )

    def test_records_in_part_are_completed(self) -> None:
        """The answer gives the whole history: prednisone is no anticancer therapy."""
        data = self._ondansetron(partial=True)
        request = request_from_bundle(data, "proleukin")
        assert request.therapies.partial == ()
        assert [t.name for t in request.therapies.concomitant or ()] == [
            "ondansetron",
            "prednisone",
        ]
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is umpolicy.Outcome.APPROVE
