"""FHIR in: what a PAS bundle says becomes the request; what it says wrongly, an error."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs
import pytest

import umpolicy
from umpolicy import (
    History,
    InputError,
    Outcome,
    Quantity,
    Therapies,
    Therapy,
    TherapyOutcome,
)
from umpolicy.api import parse_request
from umpolicy.errors import shown
from umpolicy.integrations.fhir import (
    codes,
    dumps,
    evaluate_bundle,
    evaluate_hook,
    request_from_bundle,
    request_from_hook,
)
from umpolicy.integrations.fhir.paths import at, translated
from umpolicy.integrations.fhir.reading import Reading
from umpolicy.integrations.fhir.write import bundle_from_request, hook_from_request

ROOT = Path(__file__).parent.parent
TODAY = dt.date(2026, 3, 3)


def example(name: str) -> umpolicy.Request:
    return parse_request((ROOT / "examples" / "proleukin" / f"{name}.json").read_text())


def bundle(name: str = "rcc-approve") -> dict[str, Any]:
    return bundle_from_request(example(name))


def index(data: dict[str, Any], kind: str, nth: int = 0) -> int:
    found = [i for i, e in enumerate(data["entry"]) if e["resource"]["resourceType"] == kind]
    return found[nth]


def resource(data: dict[str, Any], kind: str, nth: int = 0) -> dict[str, Any]:
    found: dict[str, Any] = data["entry"][index(data, kind, nth)]["resource"]
    return found


def faults(data: object, policy: str | None = "proleukin") -> list[tuple[str, str]]:
    with pytest.raises(InputError) as caught:
        request_from_bundle(data, policy)  # type: ignore[arg-type]
    return [(e.path, e.reason) for e in caught.value.errors]


def _is_list_of(entry: dict[str, Any], history: str) -> bool:
    """Whether a bundle entry is the List of the history (``prior``, ``concomitant``)."""
    found = entry["resource"]
    return bool(
        found["resourceType"] == "List"
        and any(c.get("code") == f"therapies.{history}" for c in found["code"]["coding"])
    )


def nested(depth: int, leaf: object) -> dict[str, Any]:
    """A mapping ``depth`` levels deep: built in Python, deeper than any JSON parser reads."""
    made: dict[str, Any] = {"x": leaf}
    for _ in range(depth):
        made = {"x": made}
    return made


def paths(data: object) -> list[str]:
    return [path for path, _ in faults(data)]


def item(data: dict[str, Any], link: str) -> dict[str, Any]:
    items = resource(data, "QuestionnaireResponse")["item"]
    found: dict[str, Any] = next(each for each in items if each["linkId"] == link)
    return found


def weight_asked_for(data: dict[str, Any]) -> None:
    """No weight is read from the bundle, and the decision asks for one."""
    assert request_from_bundle(data, "proleukin").patient.weight is None
    decision = evaluate_bundle(data, "proleukin", today=TODAY)
    assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
    assert "patient.weight" in decision.facts_needed


def drop(data: dict[str, Any], kind: str) -> dict[str, Any]:
    data["entry"] = [e for e in data["entry"] if e["resource"]["resourceType"] != kind]
    return data


class TestPaths:
    """Error paths are FHIRPath-like, and a request path maps to the element it came from."""

    def test_steps(self) -> None:
        assert at("Bundle", "entry", 3, "resource") == "Bundle.entry[3].resource"

    def test_longest_prefix_wins_and_the_rest_is_kept(self) -> None:
        known = {"$.patient": "P", "$.patient.weight": "Bundle.entry[4].resource.valueQuantity"}
        assert translated("$.patient.weight.unit", known, "Bundle") == (
            "Bundle.entry[4].resource.valueQuantity.unit",
            None,
        )

    def test_unknown_paths_fall_back_to_the_root(self) -> None:
        assert translated("$.policy", {}, "Bundle") == ("Bundle", "$.policy")


class TestWhatTheBundleSays:
    """Each field is read from its FHIR element, exactly."""

    def test_weight_is_exact(self) -> None:
        data = bundle()
        weight = resource(data, "Observation")
        weight["valueQuantity"]["value"] = Decimal("81.250")
        assert request_from_bundle(data, "proleukin").patient.weight == Quantity("81.250", "kg")

    def test_json_text_keeps_exact_numbers(self) -> None:
        text = dumps(bundle(), indent=None)
        data = umpolicy.loads(text.replace('"value": 81,', '"value": 81.0,'))
        weight = request_from_bundle(data, "proleukin").patient.weight
        assert weight is not None
        assert str(weight.value) == "81.0"

    def test_the_latest_of_several_dated_weights(self) -> None:
        data = bundle()
        older = copy.deepcopy(resource(data, "Observation"))
        older["id"] = "older"
        older["effectiveDateTime"] = "2025-01-01T08:00:00Z"
        older["valueQuantity"]["value"] = Decimal(60)
        resource(data, "Observation")["effectiveDateTime"] = "2026-03-01T08:00:00+01:00"
        data["entry"].append({"resource": older})
        assert request_from_bundle(data, "proleukin").patient.weight == Quantity("81", "kg")

    def test_void_records_are_not_read(self) -> None:
        data = bundle()
        resource(data, "Observation")["status"] = "entered-in-error"
        resource(data, "Condition")["clinicalStatus"]["coding"][0]["code"] = "resolved"
        request = request_from_bundle(data, "proleukin")
        assert request.patient.weight is None
        assert request.diagnoses == ()

    def test_refuted_conditions_are_not_read(self) -> None:
        data = bundle()
        resource(data, "Condition")["verificationStatus"] = {"coding": [{"code": "refuted"}]}
        assert request_from_bundle(data, "proleukin").diagnoses == ()

    def test_claim_diagnoses_and_conditions_count_once(self) -> None:
        data = bundle()
        claim = resource(data, "Claim")
        icd = {"coding": [{"system": codes.ICD10CM, "code": "C64.9"}]}
        claim["diagnosis"] = [
            {"sequence": 1, "diagnosisCodeableConcept": icd},
            {"sequence": 2, "diagnosisReference": {"reference": "Condition/condition-1"}},
        ]
        diagnoses = request_from_bundle(data, "proleukin").diagnoses
        assert diagnoses is not None
        assert [d.code for d in diagnoses] == ["C64.9"]

    def test_a_medication_resource_names_the_drug(self) -> None:
        data = bundle()
        order = resource(data, "MedicationRequest")
        del order["medicationCodeableConcept"]
        order["medicationReference"] = {"reference": "Medication/m"}
        drug = {"coding": [{"system": codes.RXNORM, "code": "1234", "display": "Proleukin"}]}
        data["entry"].append({"resource": {"resourceType": "Medication", "id": "m", "code": drug}})
        medication = request_from_bundle(data, "proleukin").medication
        assert (medication.code, medication.name) == ("1234", "Proleukin")

    def test_a_practitioner_gives_qualifications(self) -> None:
        data = bundle()
        nucc = {"coding": [{"system": codes.NUCC, "code": "207RX0202X"}]}
        data["entry"].append(
            {
                "resource": {
                    "resourceType": "Practitioner",
                    "id": "doc",
                    "qualification": [{"code": nucc}],
                }
            }
        )
        resource(data, "MedicationRequest")["requester"] = {"reference": "Practitioner/doc"}
        prescriber = request_from_bundle(data, "proleukin").prescriber
        assert prescriber.specialties == ("207RX0202X",)

    def test_the_claim_provider_is_the_prescriber_when_the_order_names_none(self) -> None:
        data = bundle()
        del resource(data, "MedicationRequest")["requester"]
        assert request_from_bundle(data, "proleukin").prescriber.specialties == ("207Q00000X",)

    def test_a_fhir_url_reference_resolves(self) -> None:
        data = bundle()
        resource(data, "Claim")["patient"] = {
            "reference": "https://example.org/fhir/Patient/patient-1"
        }
        assert request_from_bundle(data, "proleukin").patient == example("rcc-approve").patient

    def test_a_full_url_reference_resolves(self) -> None:
        data = bundle()
        data["entry"][index(data, "Patient")]["fullUrl"] = "urn:uuid:1"
        resource(data, "Claim")["patient"] = {"reference": "urn:uuid:1"}
        del resource(data, "Patient")["id"]
        for kind in ("Observation", "Condition", "MedicationRequest", "List"):
            resource(data, kind)["subject"] = {"reference": "urn:uuid:1"}
        resource(data, "Coverage")["beneficiary"] = {"reference": "urn:uuid:1"}
        qr = resource(data, "QuestionnaireResponse")
        qr["subject"] = {"reference": "urn:uuid:1"}
        assert request_from_bundle(data, "proleukin").patient == example("rcc-approve").patient

    def test_a_continuation(self) -> None:
        data = bundle()
        item = resource(data, "Claim")["item"][0]
        item["extension"][1]["valueCodeableConcept"]["coding"][0]["code"] = "R"
        assert request_from_bundle(data, "proleukin").kind is umpolicy.RequestKind.CONTINUATION

    def test_a_dated_therapy_has_its_duration(self) -> None:
        request = example("melanoma-iv-approve")
        prior = umpolicy.Therapy("ipilimumab", ("L01FX04",), Quantity("84", "d"))
        request = umpolicy.Request(
            **{
                **{f: getattr(request, f) for f in ("date", "policy", "id", "kind", "patient")},
                "diagnoses": request.diagnoses,
                "medication": request.medication,
                "therapies": umpolicy.Therapies(prior=(prior,), concomitant=()),
                "prescriber": request.prescriber,
                "consultants": request.consultants,
                "answers": request.answers,
            }
        )
        assert request_from_bundle(bundle_from_request(request), "proleukin") == request

    def test_the_answers_name_the_policy(self) -> None:
        assert request_from_bundle(bundle(), None).policy == "proleukin"

    def test_other_questionnaires_are_not_read(self) -> None:
        data = bundle()
        resource(data, "QuestionnaireResponse")["questionnaire"] = "https://other.example/Q/1"
        assert request_from_bundle(data, "proleukin").answers == {}

    def test_stopped_responses_are_not_read(self) -> None:
        data = bundle()
        resource(data, "QuestionnaireResponse")["status"] = "stopped"
        assert request_from_bundle(data, "proleukin").answers == {}


class TestWhatItDoesNotSay:
    """What the bundle does not say stays unknown (None), never false, and the decision asks."""

    def test_no_weight_is_unknown(self) -> None:
        data = drop(bundle("melanoma-iv-approve"), "Observation")
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert "patient.weight" in decision.facts_needed

    def test_no_conditions_no_care_team_no_history(self) -> None:
        data = drop(drop(drop(bundle(), "Condition"), "List"), "MedicationStatement")
        del resource(data, "Claim")["careTeam"]
        request = request_from_bundle(data, "proleukin")
        assert (request.diagnoses, request.consultants) == (None, None)
        assert request.therapies.concomitant is None

    def test_a_partial_birth_date_is_unknown(self) -> None:
        data = bundle()
        resource(data, "Patient")["birthDate"] = "1968"
        assert request_from_bundle(data, "proleukin").patient.birth_date is None

    def test_no_certification_type_is_unknown(self) -> None:
        data = bundle()
        resource(data, "Claim")["item"][0]["extension"].pop(1)
        assert request_from_bundle(data, "proleukin").kind is None

    def test_an_observation_without_a_value_is_unknown(self) -> None:
        data = bundle()
        del resource(data, "Observation")["valueQuantity"]
        resource(data, "Observation")["dataAbsentReason"] = {"text": "not measured"}
        assert request_from_bundle(data, "proleukin").patient.weight is None

    def test_an_unanswered_item_is_unknown(self) -> None:
        data = bundle()
        del item(data, "answers.renal_cell_carcinoma_metastatic")["answer"]
        assert request_from_bundle(data, "proleukin").answers == {"proleukin": {}}

    def test_a_care_team_of_the_prescriber_alone_means_no_consultants(self) -> None:
        data = bundle()
        resource(data, "Claim")["careTeam"] = resource(data, "Claim")["careTeam"][:1]
        assert request_from_bundle(data, "proleukin").consultants == ()


class TestFaults:
    """What the bundle says wrongly is an input error at the FHIR element at fault."""

    def test_a_weight_in_centimetres(self) -> None:
        data = bundle()
        resource(data, "Observation")["valueQuantity"]["code"] = "cm"
        where = f"Bundle.entry[{index(data, 'Observation')}].resource.valueQuantity.code"
        [(path, reason)] = faults(data)
        assert path == where
        assert "measures length" in reason
        assert "patient.weight takes kg" in reason

    def test_an_unknown_unit(self) -> None:
        data = bundle()
        resource(data, "Observation")["valueQuantity"]["code"] = "kilos"
        [(path, reason)] = faults(data)
        assert path.endswith("valueQuantity.code")
        assert "unknown unit 'kilos'" in reason

    def test_a_unit_outside_ucum(self) -> None:
        data = bundle()
        resource(data, "Observation")["valueQuantity"]["system"] = "http://example.org/units"
        assert paths(data)[0].endswith("valueQuantity.system")

    def test_a_unit_without_a_code(self) -> None:
        data = bundle()
        del resource(data, "Observation")["valueQuantity"]["code"]
        assert paths(data)[0].endswith("valueQuantity.code")

    def test_a_quantity_without_a_value(self) -> None:
        data = bundle()
        del resource(data, "Observation")["valueQuantity"]["value"]
        assert paths(data) == [
            f"Bundle.entry[{index(data, 'Observation')}].resource.valueQuantity.value"
        ]

    def test_a_weight_below_a_bound_is_no_weight(self) -> None:
        data = bundle()
        resource(data, "Observation")["valueQuantity"]["comparator"] = "<"
        assert paths(data) == [
            f"Bundle.entry[{index(data, 'Observation')}].resource.valueQuantity.comparator"
        ]

    def test_a_float(self) -> None:
        data = bundle()
        resource(data, "Observation")["valueQuantity"]["value"] = 81.5
        [(path, reason)] = faults(data)
        assert path.endswith("valueQuantity.value")
        assert "parse_float" in reason

    def test_a_number_as_text(self) -> None:
        data = bundle()
        resource(data, "Observation")["valueQuantity"]["value"] = "81"
        assert paths(data)[0].endswith("valueQuantity.value")

    def test_an_implausible_weight_is_reported_where_it_was_given(self) -> None:
        data = bundle()
        resource(data, "Observation")["valueQuantity"]["value"] = Decimal(8100)
        where = f"Bundle.entry[{index(data, 'Observation')}].resource.valueQuantity.value"
        [(path, reason)] = faults(data)
        assert (path, "not a plausible weight" in reason) == (where, True)

    def test_a_diagnosis_of_another_system(self) -> None:
        data = bundle()
        coding = resource(data, "Condition")["code"]["coding"][0]
        coding["system"] = codes.SNOMED
        [(path, reason)] = faults(data)
        assert path.endswith("code.coding[0].system")
        assert "(SNOMED CT)" in reason

    def test_a_code_of_an_unknown_system(self) -> None:
        data = bundle()
        resource(data, "Condition")["code"]["coding"][0]["system"] = "urn:local:dx"
        [(_, reason)] = faults(data)
        assert "a system umpolicy does not read here" in reason

    def test_a_code_without_a_system(self) -> None:
        data = bundle()
        del resource(data, "Condition")["code"]["coding"][0]["system"]
        [(_, reason)] = faults(data)
        assert reason.startswith("a code without a system")

    def test_a_condition_in_words_alone(self) -> None:
        data = bundle()
        resource(data, "Condition")["code"] = {"text": "kidney cancer"}
        assert paths(data) == [f"Bundle.entry[{index(data, 'Condition')}].resource.code"]

    def test_a_malformed_icd_code_is_reported_where_it_was_given(self) -> None:
        data = bundle()
        resource(data, "Condition")["code"]["coding"][0]["code"] = "c64.9"
        assert paths(data) == [
            f"Bundle.entry[{index(data, 'Condition')}].resource.code.coding[0].code"
        ]

    def test_an_unresolvable_reference(self) -> None:
        data = bundle()
        resource(data, "Claim")["patient"] = {"reference": "Patient/nobody"}
        [(path, reason)] = faults(data)
        assert path == "Bundle.entry[0].resource.patient.reference"
        assert "does not resolve" in reason

    def test_a_reference_to_the_wrong_type(self) -> None:
        data = bundle()
        resource(data, "Claim")["patient"] = {"reference": "Coverage/coverage-1"}
        assert "expected Patient" in faults(data)[0][1]

    def test_a_reference_without_a_target(self) -> None:
        data = bundle()
        resource(data, "Claim")["patient"] = {"display": "the patient"}
        assert paths(data) == ["Bundle.entry[0].resource.patient.reference"]

    def test_a_reference_that_is_no_object(self) -> None:
        data = bundle()
        resource(data, "Claim")["patient"] = "Patient/patient-1"
        assert paths(data) == ["Bundle.entry[0].resource.patient"]

    def test_another_patients_record(self) -> None:
        data = bundle()
        data["entry"].append({"resource": {"resourceType": "Patient", "id": "other"}})
        resource(data, "Observation")["subject"] = {"reference": "Patient/other"}
        [(path, reason)] = faults(data)
        assert path.endswith("subject.reference")
        assert "another patient" in reason

    def test_a_record_about_nothing_resolvable(self) -> None:
        data = bundle()
        resource(data, "Condition")["subject"] = {"reference": "Patient/gone"}
        assert paths(data)[0].endswith("subject.reference")

    def test_undated_weights(self) -> None:
        data = bundle()
        twin = copy.deepcopy(resource(data, "Observation"))
        twin["id"] = "twin"
        data["entry"].append({"resource": twin})
        assert "each needs its own effectiveDateTime" in faults(data)[0][1]

    def test_not_a_bundle(self) -> None:
        assert paths({"resourceType": "Claim"}) == ["Bundle.resourceType", "Bundle.entry"]
        assert paths([]) == ["Bundle", "Bundle.entry"]

    def test_entries_that_are_no_resources(self) -> None:
        data = bundle()
        data["entry"] += ["x", {"resource": "x"}, {"resource": {"id": "x"}}]
        n = len(data["entry"])
        assert paths(data) == [
            f"Bundle.entry[{n - 3}]",
            f"Bundle.entry[{n - 2}].resource",
            f"Bundle.entry[{n - 1}].resource.resourceType",
        ]

    def test_two_claims(self) -> None:
        data = bundle()
        data["entry"].append(copy.deepcopy(data["entry"][0]))
        data["entry"][-1]["fullUrl"] = "https://example.org/fhir/Claim/claim-2"
        assert "this one holds 2 Claims" in faults(data)[0][1]

    def test_a_claim_that_is_no_preauthorization(self) -> None:
        data = bundle()
        resource(data, "Claim")["use"] = "claim"
        assert paths(data) == ["Bundle.entry[0].resource.use"]

    def test_a_claim_without_a_date(self) -> None:
        data = bundle()
        del resource(data, "Claim")["created"]
        assert paths(data) == ["Bundle.entry[0].resource.created"]

    def test_a_date_that_is_no_date(self) -> None:
        data = bundle()
        resource(data, "Claim")["created"] = "yesterday"
        assert "not a FHIR date" in faults(data)[0][1]

    def test_a_resource_given_twice_under_one_full_url(self) -> None:
        """Which of the two a reference means is not said: the bundle is refused (bdl-7)."""
        data = bundle()
        at = index(data, "Patient")
        twin = copy.deepcopy(data["entry"][at])
        twin["resource"]["birthDate"] = "2010-01-01"
        data["entry"].append(twin)
        url = twin["fullUrl"]
        assert faults(data) == [
            (
                f"Bundle.entry[{len(data['entry']) - 1}].fullUrl",
                f"{shown(url)} is the fullUrl of Bundle.entry[{at}] too: a bundle names each "
                "resource once, or each version of it once (bdl-7)",
            )
        ]

    @pytest.mark.parametrize("kind", ["Patient", "Observation", "Condition"])
    def test_two_versions_of_a_resource_under_one_full_url(self, kind: str) -> None:
        """Valid FHIR, but each would be read: version 1's weight after version 2 voids it."""
        data = bundle("melanoma-iv-approve")
        at = index(data, kind)
        data["entry"][at]["resource"]["meta"] = {"versionId": "1"}
        later = copy.deepcopy(data["entry"][at])
        later["resource"]["meta"] = {"versionId": "2"}
        later["resource"]["status"] = "entered-in-error"
        data["entry"].append(later)
        url = later["fullUrl"]
        assert faults(data) == [
            (
                f"Bundle.entry[{len(data['entry']) - 1}].fullUrl",
                f"{shown(url)} is the fullUrl of Bundle.entry[{at}] too, in another version: "
                "umpolicy reads a resource as it is now, so a bundle holds its current version "
                "alone",
            )
        ]

    @pytest.mark.parametrize("created", ["2026-03-02junk", "2026-03-02 ", "2026-03-02T10:30"])
    def test_a_date_followed_by_what_is_no_time(self, created: str) -> None:
        """The day alone is not read out of it: the text is not the date FHIR says."""
        data = bundle()
        resource(data, "Claim")["created"] = created
        assert faults(data) == [
            ("Bundle.entry[0].resource.created", f"{created!r} is not a FHIR date or dateTime")
        ]

    def test_a_therapy_dated_on_no_calendar_day(self) -> None:
        """Its duration is not counted from a day that is not (it raised ValueError)."""
        data = bundle("melanoma-iv-approve")
        period = {"start": "2025-02-30", "end": "2025-13-01"}
        resource(data, "MedicationStatement")["effectivePeriod"] = period
        where = f"Bundle.entry[{index(data, 'MedicationStatement')}].resource.effectivePeriod"
        assert faults(data) == [
            (f"{where}.start", "'2025-02-30' is not a calendar date"),
            (f"{where}.end", "'2025-13-01' is not a calendar date"),
        ]

    def test_a_therapy_that_ends_before_it_starts(self) -> None:
        data = bundle("melanoma-iv-approve")
        period = {"start": "2025-06-01", "end": "2025-02-01"}
        resource(data, "MedicationStatement")["effectivePeriod"] = period
        where = f"Bundle.entry[{index(data, 'MedicationStatement')}].resource.effectivePeriod"
        assert faults(data) == [
            (f"{where}.end", "2025-02-01 is before the period's start (2025-06-01)")
        ]

    def test_a_therapy_longer_than_the_patient_has_lived(self) -> None:
        """The request's own check, at the period it was read from."""
        data = bundle("melanoma-iv-approve")  # the patient was born 1968-07-14
        statement = resource(data, "MedicationStatement")
        statement["effectivePeriod"] = {"start": "1968-07-15", "end": "2026-03-02"}
        request_from_bundle(data, "proleukin")  # every day of the patient's life but one
        statement["effectivePeriod"] = {"start": "1968-07-14", "end": "2026-03-02"}
        where = f"Bundle.entry[{index(data, 'MedicationStatement')}].resource.effectivePeriod"
        [(path, reason)] = faults(data)  # its end's day too: a day longer than the life
        assert (path, "longer than the patient has lived" in reason) == (where, True)

    @pytest.mark.parametrize(
        ("start", "end", "days"),
        [("2025-01-01", "2025-01-01", "1"), ("2025-01-01", "2025-01-31", "31")],
    )
    def test_a_period_holds_the_day_it_ends(self, start: str, end: str, days: str) -> None:
        """FHIR: a Period's end includes its day, so one day's therapy lasted a day."""
        data = bundle("melanoma-iv-approve")
        resource(data, "MedicationStatement")["effectivePeriod"] = {"start": start, "end": end}
        prior = request_from_bundle(data, "proleukin").therapies.prior
        assert prior is not None
        assert prior[0].duration == Quantity(days, "d")

    def test_a_date_of_the_wrong_type(self) -> None:
        data = bundle()
        resource(data, "Claim")["created"] = 20260302
        assert faults(data)[0] == (
            "Bundle.entry[0].resource.created",
            "expected text (a JSON string)",
        )

    def test_several_drugs(self) -> None:
        data = bundle()
        claim = resource(data, "Claim")
        claim["item"].append(copy.deepcopy(claim["item"][0]))
        assert faults(data)[0] == (
            "Bundle.entry[0].resource.item",
            "umpolicy decides one drug per request: a Claim of one item, the drug's, and this "
            "has 2 (an item besides the drug's may ask for another drug given with it: send it "
            "as a MedicationRequest of the bundle, which is read as a therapy given with the "
            "drug)",
        )

    @staticmethod
    def recorded(data: dict[str, Any], kind: str, status: str, drug: Any) -> dict[str, Any]:
        """The bundle with a record of ``kind`` (given, or handed over) of ``drug`` added."""
        dated = (
            {"whenHandedOver": "2026-02-20"}
            if kind == "MedicationDispense"
            else {"effectiveDateTime": "2026-02-23T10:00:00Z"}
        )
        record = {
            "resourceType": kind,
            "id": "record-1",
            "status": status,
            "medicationCodeableConcept": drug,
            "subject": resource(data, "Claim")["patient"],
            **dated,
        }
        url = f"https://example.org/fhir/{kind}/record-1"
        data["entry"].append({"fullUrl": url, "resource": record})
        return data

    def administered(self, data: dict[str, Any], status: str, drug: Any) -> dict[str, Any]:
        """The bundle with a MedicationAdministration of ``drug`` to the patient added."""
        return self.recorded(data, "MedicationAdministration", status, drug)

    def dispensed(self, data: dict[str, Any], status: str, drug: Any) -> dict[str, Any]:
        """The bundle with a MedicationDispense of ``drug`` to the patient added."""
        return self.recorded(data, "MedicationDispense", status, drug)

    IPILIMUMAB: Final = {"coding": [{"system": codes.ATC, "code": "L01FX04"}], "text": "ipilimumab"}

    @pytest.mark.parametrize("status", ["in-progress", "completed", "on-hold", "unknown"])
    def test_a_dose_given_contradicts_a_list_of_none(self, status: str) -> None:
        """Ipilimumab given last week (or now) beside "no concomitant therapy": refused."""
        data = self.administered(bundle("rcc-approve"), status, self.IPILIMUMAB)
        reasons = [reason for _, reason in faults(data)]
        assert any("concomitant" in reason for reason in reasons)

    def test_a_dose_being_given_is_a_therapy_given_with_the_drug(self) -> None:
        data = self.administered(
            drop(bundle("rcc-approve"), "List"), "in-progress", self.IPILIMUMAB
        )
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert "2.C" in [reason.label for reason in decision.reasons]

    def test_a_dose_given_is_tried_and_perhaps_given_still(self) -> None:
        data = self.administered(drop(bundle("rcc-approve"), "List"), "completed", self.IPILIMUMAB)
        therapies = request_from_bundle(data, "proleukin").therapies
        assert therapies.prior is not None
        assert therapies.prior[0].codes == ("L01FX04",)
        assert therapies.concomitant is None

    @pytest.mark.parametrize("status", ["not-done", "entered-in-error"])
    def test_a_dose_not_given_is_no_therapy(self, status: str) -> None:
        data = self.administered(bundle("rcc-approve"), status, self.IPILIMUMAB)
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_a_dose_of_the_drug_itself_is_no_other_therapy(self) -> None:
        """An earlier course's Proleukin, coded as the order is: not another drug."""
        data = bundle("rcc-approve")
        order = resource(data, "MedicationRequest")
        drug = copy.deepcopy(order.get("medicationCodeableConcept"))
        assert drug is not None
        data = self.administered(data, "completed", drug)
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize("status", ["completed", "stopped", "unknown"])
    def test_a_dispense_leaves_both_histories_unknown(self, status: str) -> None:
        """Ipilimumab handed over: tried, or given with the drug, the records cannot say."""
        data = self.dispensed(drop(bundle("rcc-approve"), "List"), status, self.IPILIMUMAB)
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is not Outcome.APPROVE
        assert "therapies.concomitant" in decision.facts_needed
        therapies = request_from_bundle(data, "proleukin").therapies
        assert (therapies.prior, therapies.concomitant) == (None, None)

    @pytest.mark.parametrize("status", ["preparation", "in-progress", "on-hold"])
    def test_a_dispense_not_handed_over_is_no_therapy_tried(self, status: str) -> None:
        """Being prepared, ready for pickup or on hold: perhaps given with the drug, not before."""
        data = bundle("melanoma-iv-approve")
        data["entry"] = [each for each in data["entry"] if not _is_list_of(each, "concomitant")]
        data = self.dispensed(data, status, self.IPILIMUMAB)
        therapies = request_from_bundle(data, "proleukin").therapies
        assert therapies.prior is not None
        assert ([each.name for each in therapies.prior], therapies.concomitant) == (
            ["pembrolizumab"],
            None,
        )

    @pytest.mark.parametrize("text", ["ipilimumab", None])
    def test_a_catch_all_code_names_no_drug(self, text: str | None) -> None:
        """An order and a dispense coded J9999 alone are two drugs, unless their text agrees."""
        data = bundle("rcc-approve")
        noc = {"coding": [{"system": codes.HCPCS, "code": "J9999"}]}
        order = resource(data, "MedicationRequest")
        order.pop("medicationReference", None)
        order["medicationCodeableConcept"] = {**noc, "text": "Proleukin"}
        other = noc if text is None else {**noc, "text": text}
        data = self.dispensed(data, "completed", other)
        where = f"Bundle.entry[{len(data['entry']) - 1}].resource.status"
        assert where in paths(data)  # it contradicts the List of no concomitant therapy

    def test_a_catch_all_code_of_one_text_is_the_drug_itself(self) -> None:
        data = bundle("rcc-approve")
        drug = {"coding": [{"system": codes.HCPCS, "code": "J9999"}], "text": "Proleukin"}
        order = resource(data, "MedicationRequest")
        order.pop("medicationReference", None)
        order["medicationCodeableConcept"] = drug
        data = self.dispensed(data, "completed", {**drug, "text": " proleukin "})
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_an_order_of_a_catch_all_code_alone_is_no_drug_another_is(self) -> None:
        """Coded J9999 alone, without text, the order's drug is no record's: each is another."""
        data = bundle("rcc-approve")
        noc = {"coding": [{"system": codes.HCPCS, "code": "J9999"}]}
        order = resource(data, "MedicationRequest")
        order.pop("medicationReference", None)
        order["medicationCodeableConcept"] = noc
        data = self.dispensed(data, "completed", copy.deepcopy(noc))
        where = f"Bundle.entry[{len(data['entry']) - 1}].resource.status"
        assert where in paths(data)  # it contradicts the List of no concomitant therapy

    NDC: Final = {"system": codes.NDC, "code": "76310-022-01"}

    @pytest.mark.parametrize(
        ("drug", "on", "itself"),
        [
            ([NDC], "the order", True),
            ([NDC, {"system": codes.RXNORM, "code": "105585"}], "the order", True),
            ([NDC], "an earlier order", True),
            ([NDC], None, False),
            ([NDC], "nothing here", False),
            ([{"system": codes.RXNORM, "code": "1657195"}], "the order", False),
            ([NDC, {"system": codes.ATC, "code": "L01FX04"}], "the order", False),
            ([], "the order", False),
            ([{"system": codes.HCPCS, "code": "J9999"}], "the order", False),
            ([NDC], "the order and one not here", False),
            ([NDC, {"code": "L01FX04"}], "the order", False),
        ],
        ids=[
            "NDC, on the order",
            "NDC and the order's RxNorm code",
            "NDC, on an earlier order of the drug",
            "NDC, on no prescription",
            "NDC, on a prescription not here",
            "another RxNorm code, on the order",
            "NDC and an ATC class, on the order",
            "its text alone, on the order",
            "a catch-all code, on the order",
            "NDC, on the order and a prescription not here",
            "NDC and a code of no system, on the order",
        ],
    )
    def test_a_dispense_on_a_prescription_of_the_drug(
        self, drug: list[dict[str, str]], on: str | None, itself: bool
    ) -> None:
        """A pharmacy's NDC code beside the order's RxNorm: the drug itself, if on its order."""
        data = bundle("melanoma-iv-approve")
        order = resource(data, "MedicationRequest")
        order.pop("medicationReference", None)
        rxnorm = {"system": codes.RXNORM, "code": "105585"}
        order["medicationCodeableConcept"] = {"coding": [rxnorm], "text": "Proleukin"}
        data = self.dispensed(data, "completed", {"coding": drug, "text": "Proleukin"})
        prescription = {
            "the order": f"MedicationRequest/{order['id']}",
            "an earlier order": "MedicationRequest/earlier",
            "nothing here": "MedicationRequest/elsewhere",
        }
        prescription["the order and one not here"] = prescription["the order"]
        if on is not None:
            on_them = [{"reference": prescription[on]}]
            if on == "the order and one not here":
                on_them.append({"reference": prescription["nothing here"]})
            resource(data, "MedicationDispense")["authorizingPrescription"] = on_them
        if on == "an earlier order":
            earlier = {**copy.deepcopy(order), "id": "earlier", "status": "completed"}
            url = "https://example.org/fhir/MedicationRequest/earlier"
            data["entry"].append({"fullUrl": url, "resource": earlier})
        if itself:
            assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE
        else:
            where = f"Bundle.entry[{index(data, 'MedicationDispense')}].resource.status"
            assert where in paths(data)  # another drug: it contradicts the List of none

    @pytest.mark.parametrize(
        "order_drug",
        [
            {"coding": [{"system": codes.HCPCS, "code": "J9999"}], "text": "Proleukin"},
            {"coding": [{"system": codes.HCPCS, "code": "J9999"}]},
            {"text": "Proleukin"},
        ],
        ids=["a catch-all code", "a catch-all code without text", "text alone"],
    )
    def test_a_dispense_on_an_order_of_no_drug_code(self, order_drug: dict[str, Any]) -> None:
        """Yervoy's NDC cannot be checked against an order coded J9999: another drug."""
        data = bundle("melanoma-iv-approve")
        order = resource(data, "MedicationRequest")
        order.pop("medicationReference", None)
        order["medicationCodeableConcept"] = order_drug
        yervoy = {"coding": [self.NDC], "text": "Yervoy"}
        data = self.dispensed(data, "completed", yervoy)
        reference = {"reference": f"MedicationRequest/{order['id']}"}
        resource(data, "MedicationDispense")["authorizingPrescription"] = [reference]
        where = f"Bundle.entry[{index(data, 'MedicationDispense')}].resource.status"
        assert where in paths(data)  # another drug: it contradicts the List of none

    def test_a_dispense_contradicts_a_list_of_none(self) -> None:
        data = self.dispensed(bundle("rcc-approve"), "completed", self.IPILIMUMAB)
        where = f"Bundle.entry[{len(data['entry']) - 1}].resource"
        assert (f"{where}.status", "'completed': the therapy may be a concomitant one") in [
            (path, reason.split(", and the List")[0]) for path, reason in faults(data)
        ]

    def test_a_whole_list_leaving_out_a_dispense(self) -> None:
        """A List of the prior therapies must list a dispense that may be one of them."""
        data = self.dispensed(bundle("melanoma-iv-approve"), "completed", self.IPILIMUMAB)
        where = f"Bundle.entry[{len(data['entry']) - 1}].resource"
        assert any(
            f"leaves out the MedicationDispense at {where}, perhaps a prior therapy" in reason
            for _, reason in faults(data)
        )

    @pytest.mark.parametrize("status", ["cancelled", "declined", "entered-in-error"])
    def test_a_dispense_of_nothing_is_no_therapy(self, status: str) -> None:
        data = self.dispensed(bundle("rcc-approve"), status, self.IPILIMUMAB)
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_a_dispense_of_the_drug_itself_is_no_other_therapy(self) -> None:
        data = bundle("rcc-approve")
        drug = copy.deepcopy(resource(data, "MedicationRequest").get("medicationCodeableConcept"))
        assert drug is not None
        data = self.dispensed(data, "completed", drug)
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_a_dispense_without_a_status(self) -> None:
        data = self.dispensed(bundle("rcc-approve"), "completed", self.IPILIMUMAB)
        resource(data, "MedicationDispense").pop("status")
        assert paths(data) == [f"Bundle.entry[{len(data['entry']) - 1}].resource.status"]

    def test_an_order_sharing_a_catch_all_code_is_another_drug(self) -> None:
        """Both coded HCPCS J9999 ("not otherwise classified"), one ipilimumab: two drugs."""
        data = bundle("melanoma-iv-approve")
        order = resource(data, "MedicationRequest")
        noc = {"system": codes.HCPCS, "code": "J9999"}
        order["medicationCodeableConcept"] = {"coding": [noc], "text": "Proleukin"}
        order.pop("medicationReference", None)
        other = copy.deepcopy(order)
        other["id"] = "mr-ipi"
        other.pop("dosageInstruction", None)
        atc = {"system": codes.ATC, "code": "L01FX04"}
        other["medicationCodeableConcept"] = {"coding": [noc, atc], "text": "ipilimumab"}
        data["entry"].append(
            {"fullUrl": "https://example.org/fhir/MedicationRequest/mr-ipi", "resource": other}
        )
        reasons = [reason for _, reason in faults(data)]
        assert any("says no concomitant therapies" in reason for reason in reasons)

    @pytest.mark.parametrize("service", [None, "ServiceRequest"])
    def test_another_item_may_be_another_drug(self, service: str | None) -> None:
        """An item for ipilimumab (HCPCS J9228) beside the drug's: never read as single agent."""
        data = bundle("melanoma-iv-approve")
        claim = resource(data, "Claim")
        other: dict[str, Any] = {
            "sequence": 2,
            "productOrService": {
                "coding": [
                    {
                        "system": "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
                        "code": "J9228",
                    }
                ]
            },
        }
        if service is not None:
            data["entry"].append(
                {
                    "fullUrl": "urn:uuid:" + "2" * 8 + "-2222-2222-2222-" + "2" * 12,
                    "resource": {
                        "resourceType": service,
                        "id": "sr1",
                        "status": "active",
                        "intent": "order",
                        "subject": claim["patient"],
                        "code": {"text": "ipilimumab"},
                    },
                }
            )
            ref = {"reference": "urn:uuid:" + "2" * 8 + "-2222-2222-2222-" + "2" * 12}
            other["extension"] = [{"url": codes.PAS_REQUESTED_SERVICE, "valueReference": ref}]
        claim["item"].append(other)
        assert faults(data)[0][0] == "Bundle.entry[0].resource.item"

    def test_no_drug(self) -> None:
        data = drop(bundle(), "MedicationRequest")
        resource(data, "Claim")["item"][0]["extension"].pop(0)
        assert "this asks for none" in faults(data)[0][1]

    def test_an_unknown_certification_type(self) -> None:
        data = bundle()
        item = resource(data, "Claim")["item"][0]
        item["extension"][1]["valueCodeableConcept"]["coding"][0]["code"] = "S"
        assert "umpolicy reads I (initial), R (continuation)" in faults(data)[0][1]

    @pytest.mark.parametrize("codes_given", [("I", "R"), ("R", "I")])
    def test_a_certification_type_said_both_ways(self, codes_given: tuple[str, str]) -> None:
        """Initial and continuation at once: the order of the codes would decide which."""
        for two_extensions in (True, False):
            data = bundle()
            extensions = resource(data, "Claim")["item"][0]["extension"]
            first = extensions[1]
            second = copy.deepcopy(first)
            first["valueCodeableConcept"]["coding"][0]["code"] = codes_given[0]
            coding = second["valueCodeableConcept"]["coding"][0]
            coding["code"] = codes_given[1]
            if two_extensions:
                extensions.append(second)
            else:
                first["valueCodeableConcept"]["coding"].append(coding)
            (fault,) = faults(data)
            assert fault[1].endswith(": a request is one or the other")

    def test_a_certification_type_said_twice_alike(self) -> None:
        data = bundle()
        extensions = resource(data, "Claim")["item"][0]["extension"]
        extensions.append(copy.deepcopy(extensions[1]))
        assert request_from_bundle(data, "proleukin").kind is umpolicy.RequestKind.INITIAL

    def test_a_diagnosis_that_is_no_object(self) -> None:
        data = bundle()
        resource(data, "Claim")["diagnosis"] = ["C64.9"]
        assert paths(data) == ["Bundle.entry[0].resource.diagnosis[0]"]

    def test_a_claim_diagnosis_of_another_system(self) -> None:
        data = bundle()
        concept = {"coding": [{"system": codes.SNOMED, "code": "1"}]}
        resource(data, "Claim")["diagnosis"] = [{"diagnosisCodeableConcept": concept}]
        assert paths(data) == [
            "Bundle.entry[0].resource.diagnosis[0].diagnosisCodeableConcept.coding[0].system"
        ]

    def test_a_care_team_member_that_is_no_object(self) -> None:
        data = bundle()
        resource(data, "Claim")["careTeam"].append(3)
        assert paths(data)[0].startswith("Bundle.entry[0].resource.careTeam[")

    def test_an_organization_on_the_care_team_is_no_consultant(self) -> None:
        data = bundle()
        org = {"reference": "Organization/organization-1"}
        resource(data, "Claim")["careTeam"] = [{"sequence": 1, "provider": org}]
        assert request_from_bundle(data, "proleukin").consultants == ()

    def test_a_dose_range(self) -> None:
        data = bundle()
        dosage = resource(data, "MedicationRequest")["dosageInstruction"][0]
        dosage["doseAndRate"] = [{"doseRange": {}}]
        assert paths(data)[0].endswith("doseAndRate[0].doseRange")

    def test_two_dosages(self) -> None:
        data = bundle()
        order = resource(data, "MedicationRequest")
        order["dosageInstruction"].append(order["dosageInstruction"][0])
        assert faults(data)[0][1] == "2 dosage instructions: umpolicy reads one"

    def test_a_route_of_another_system(self) -> None:
        data = bundle()
        route = resource(data, "MedicationRequest")["dosageInstruction"][0]["route"]
        route["coding"][0]["system"] = "http://standardterms.edqm.eu"
        assert paths(data)[0].endswith("route.coding[0].system")

    def test_a_drug_of_an_unknown_system(self) -> None:
        data = bundle()
        concept = {"coding": [{"system": "urn:local:drugs", "code": "x"}]}
        resource(data, "MedicationRequest")["medicationCodeableConcept"] = concept
        assert paths(data)[0].endswith("medicationCodeableConcept.coding[0].system")

    @pytest.mark.parametrize(
        ("repeat", "where"),
        [
            ({"count": 1.5}, "count"),
            ({"frequency": 0, "period": 1, "periodUnit": "d"}, "frequency"),
            ({"frequency": 3, "periodUnit": "d"}, "period"),
            ({"frequency": 3, "period": 1, "periodUnit": "s"}, "periodUnit"),
            ({"frequency": 3, "period": Decimal("1.5"), "periodUnit": "d"}, "period"),
            ({"frequency": 3, "period": 1.5, "periodUnit": "d"}, "period"),
        ],
    )
    def test_a_timing_umpolicy_does_not_read(self, repeat: dict[str, Any], where: str) -> None:
        data = bundle()
        dosage = resource(data, "MedicationRequest")["dosageInstruction"][0]
        dosage["timing"] = {"repeat": repeat}
        assert paths(data)[0].endswith(f"timing.repeat.{where}")

    def test_once_every_four_weeks(self) -> None:
        data = bundle()
        dosage = resource(data, "MedicationRequest")["dosageInstruction"][0]
        dosage["timing"] = {"repeat": {"period": 4, "periodUnit": "wk"}}
        frequency = request_from_bundle(data, "proleukin").medication.frequency
        assert frequency == Quantity("1", "/(4.wk)")

    def test_a_list_of_what_is_no_therapy(self) -> None:
        data = bundle()
        listed = resource(data, "List")
        del listed["emptyReason"]
        listed["entry"] = [{"item": {"reference": "Patient/patient-1"}}]
        assert paths(data)[0].endswith("resource.entry[0].item.reference")

    def test_a_list_with_entries_and_an_empty_reason(self) -> None:
        data = bundle()
        resource(data, "List")["entry"] = [{"item": {"reference": "Patient/patient-1"}}]
        assert paths(data)[0].endswith("resource.emptyReason")

    def test_an_empty_list_that_says_not_why(self) -> None:
        data = bundle()
        resource(data, "List")["emptyReason"] = {"coding": [{"code": "notasked"}]}
        assert paths(data)[0].endswith("resource.emptyReason")

    def test_an_empty_list_beside_statements(self) -> None:
        request = example("gvhd-approve")
        data = bundle_from_request(request)
        data["entry"].append(
            {
                "resource": {
                    "resourceType": "List",
                    "status": "current",
                    "mode": "snapshot",
                    "code": {"coding": [{"system": codes.FACT, "code": "therapies.concomitant"}]},
                    "emptyReason": {
                        "coding": [{"system": codes.LIST_EMPTY_REASON, "code": "nilknown"}]
                    },
                }
            }
        )
        assert "but the records (MedicationStatements, MedicationRequests, " in faults(data)[0][1]

    def test_other_lists_are_not_read(self) -> None:
        data = bundle()
        resource(data, "List")["code"] = {"text": "problems"}
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_answers_for_another_policy(self) -> None:
        data = bundle()
        with pytest.raises(InputError) as caught:
            request_from_bundle(data, "quellimab")
        assert caught.value.errors[0].reason.startswith("answers the questions of 'proleukin'")

    def test_answers_for_an_unknown_policy(self) -> None:
        data = bundle()
        resource(data, "QuestionnaireResponse")["questionnaire"] = "urn:umpolicy:questionnaire:nope"
        assert paths(
            data,
        ) == [f"Bundle.entry[{index(data, 'QuestionnaireResponse')}].resource.questionnaire"]

    def test_an_answer_to_no_question(self) -> None:
        data = bundle()
        resource(data, "QuestionnaireResponse")["item"][0]["linkId"] = "answers.metastasis"
        assert "is not an item umpolicy asks for" in faults(data)[0][1]

    def test_an_item_without_a_link(self) -> None:
        data = bundle()
        del resource(data, "QuestionnaireResponse")["item"][0]["linkId"]
        assert paths(data)[0].endswith("item[0].linkId")

    def test_an_answer_of_the_wrong_type(self) -> None:
        data = bundle()
        item(data, "answers.renal_cell_carcinoma_metastatic")["answer"] = [{"valueString": "yes"}]
        assert paths(data)[0].endswith("].answer[0].valueBoolean")

    def test_a_policy_answer_the_policy_refuses_is_reported_where_it_was_given(self) -> None:
        data = bundle("melanoma-intralesional-approve")
        qr = resource(data, "QuestionnaireResponse")
        qr["item"][0]["item"][0]["answer"] = [{"valueCoding": {"code": "skin"}}]
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        [error] = caught.value.errors
        assert error.path.startswith(f"Bundle.entry[{index(data, 'QuestionnaireResponse')}]")
        assert "unknown value 'skin'" in error.reason

    def test_a_date_before_the_policy_is_reported_at_the_claim(self) -> None:
        data = bundle()
        resource(data, "Claim")["created"] = "2001-01-01"
        del resource(data, "Observation")["effectiveDateTime"]  # else after the request
        del resource(data, "QuestionnaireResponse")["authored"]  # so too
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, umpolicy.load_policy("proleukin"), today=TODAY)
        assert caught.value.errors[0].path == "Bundle.entry[0].resource.created"


class TestFailClosed:
    """What a bundle says that would weaken an approval is refused, or leaves it unknown."""

    @pytest.mark.parametrize("status", ["unconfirmed", "provisional", "differential", "refuted"])
    def test_a_diagnosis_not_confirmed_does_not_count(self, status: str) -> None:
        data = bundle()
        condition = resource(data, "Condition")
        condition["verificationStatus"] = {"coding": [{"code": status}]}
        request = request_from_bundle(data, "proleukin")
        assert not request.diagnoses
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is not Outcome.APPROVE

    @pytest.mark.parametrize("ranged", ["frequencyMax", "periodMax", "countMax"])
    def test_a_range_of_frequencies_or_counts_is_refused(self, ranged: str) -> None:
        data = bundle()
        order = resource(data, "MedicationRequest")
        order["dosageInstruction"][0]["timing"]["repeat"][ranged] = 6
        assert any(path.endswith(f"timing.repeat.{ranged}") for path in paths(data))

    def test_a_second_dose_is_refused(self) -> None:
        data = bundle()
        rates = resource(data, "MedicationRequest")["dosageInstruction"][0]["doseAndRate"]
        rates.append(copy.deepcopy(rates[0]))
        assert any(path.endswith("dosageInstruction[0].doseAndRate") for path in paths(data))


def status_faults(data: dict[str, Any], kind: str) -> list[str]:
    """The reasons of the problems at the status of the bundle's first resource of ``kind``."""
    where = f"Bundle.entry[{index(data, kind)}].resource.status"
    return [reason for path, reason in faults(data) if path == where]


class TestResourceTypes:
    """A resource of no FHIR R4 type is refused: passed over, it could be the one that matters."""

    @pytest.mark.parametrize(
        ("kind", "reason"),
        [
            ("medicationStatement", " (did you mean 'MedicationStatement'?)"),
            ("MedicationStatement ", " (did you mean 'MedicationStatement'?)"),
            ("MedicationUsage", " (did you mean 'Medication'?)"),  # R5's name
            ("Nonsense", ""),
        ],
    )
    def test_refused(self, kind: str, reason: str) -> None:
        data = bundle()
        data["entry"].append({"resource": {"resourceType": kind, "status": "active"}})
        assert faults(data) == [
            (
                f"Bundle.entry[{len(data['entry']) - 1}].resource.resourceType",
                f"{kind!r} is no FHIR R4 resource type{reason}",
            )
        ]

    def test_a_contained_resource_too(self) -> None:
        data = bundle()
        order = resource(data, "MedicationRequest")
        order["contained"] = [{"resourceType": "medicationStatement", "id": "s"}]
        [(path, said)] = faults(data)
        assert path.endswith(".resource.contained[0].resourceType")
        assert said == (
            "'medicationStatement' is no FHIR R4 resource type (did you mean "
            "'MedicationStatement'?)"
        )

    def test_any_r4_type_is_taken_in(self) -> None:
        """A resource umpolicy does not read (a Device) is no problem."""
        data = bundle()
        data["entry"].append({"resource": {"resourceType": "Device", "id": "d"}})
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE


class TestOrderOfNoDrug:
    """An order must name its drug (FHIR's medication[x] is 1..1): one of none is refused."""

    def test_no_medication(self) -> None:
        data = bundle()
        order = resource(data, "MedicationRequest")
        del order["medicationCodeableConcept"]
        index = next(i for i, e in enumerate(data["entry"]) if e["resource"] is order)
        assert faults(data) == [
            (
                f"Bundle.entry[{index}].resource.medication[x]",
                "required field missing: the drug ordered (medicationCodeableConcept or "
                "medicationReference)",
            )
        ]


class TestOrderStatus:
    """A MedicationRequest's status is required; only an active or draft order is decided."""

    @pytest.mark.parametrize("status", ["active", "draft"])
    def test_an_order_placed_or_being_written_is_decided(self, status: str) -> None:
        data = bundle()
        resource(data, "MedicationRequest")["status"] = status
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        "status", ["on-hold", "cancelled", "completed", "entered-in-error", "stopped", "unknown"]
    )
    def test_any_other_order_is_refused(self, status: str) -> None:
        data = bundle()
        resource(data, "MedicationRequest")["status"] = status
        assert status_faults(data, "MedicationRequest") == [
            f"the order is {status!r}: umpolicy decides an active or draft order"
        ]

    def test_an_order_without_a_status_is_refused(self) -> None:
        data = bundle()
        del resource(data, "MedicationRequest")["status"]
        [reason] = status_faults(data, "MedicationRequest")
        assert reason.startswith("required field missing: the MedicationRequest's status (")

    @pytest.mark.parametrize("status", ["Active", "", "signed", 7, True, ["active"]])
    def test_a_status_of_no_fhir_code_is_refused(self, status: object) -> None:
        data = bundle()
        resource(data, "MedicationRequest")["status"] = status
        [reason] = status_faults(data, "MedicationRequest")
        assert reason.startswith(f"{status!r} is not a MedicationRequest status; expected one of")


def weighed(status: object) -> dict[str, Any]:
    """The melanoma IV approval (its dose per kg needs the weight), weighed ``status``."""
    data = bundle("melanoma-iv-approve")
    weight = resource(data, "Observation")
    assert weight["code"]["coding"][0]["code"] == "29463-7"  # body weight
    if status is None:
        del weight["status"]
    else:
        weight["status"] = status
    return data


class TestObservationStatus:
    """A body measure is read from a final result only; one not final leaves it unknown."""

    @pytest.mark.parametrize("status", ["final", "amended", "corrected"])
    def test_a_final_result_is_read(self, status: str) -> None:
        data = weighed(status)
        assert request_from_bundle(data, "proleukin").patient.weight == Quantity("72.5", "kg")
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        "status", ["registered", "preliminary", "unknown", "cancelled", "entered-in-error"]
    )
    def test_a_result_not_final_is_not_read_and_the_decision_asks_for_it(self, status: str) -> None:
        weight_asked_for(weighed(status))

    def test_a_final_result_is_read_beside_a_later_preliminary_one(self) -> None:
        data = weighed("final")
        weight = resource(data, "Observation")
        later = copy.deepcopy(weight)
        later.update(id="later", status="preliminary", effectiveDateTime="2026-03-02T08:00:00Z")
        later["valueQuantity"]["value"] = Decimal(40)
        weight["effectiveDateTime"] = "2026-02-01T08:00:00Z"
        data["entry"].append({"resource": later})
        assert request_from_bundle(data, "proleukin").patient.weight == Quantity("72.5", "kg")

    def test_a_result_without_a_status_is_refused(self) -> None:
        [reason] = status_faults(weighed(None), "Observation")
        assert reason == (
            "required field missing: the Observation's status (final, amended, corrected, "
            "registered, preliminary, unknown, cancelled, entered-in-error)"
        )

    @pytest.mark.parametrize("status", ["Final", "", "done", 1, False])
    def test_a_status_of_no_fhir_code_is_refused(self, status: object) -> None:
        [reason] = status_faults(weighed(status), "Observation")
        assert reason.startswith(f"{status!r} is not an Observation status; expected one of")

    def test_an_observation_umpolicy_does_not_read_needs_no_status(self) -> None:
        data = bundle()
        other = {
            "resourceType": "Observation",
            "code": {"coding": [{"system": codes.LOINC, "code": "8867-4"}]},  # heart rate
            "valueQuantity": {"value": 70, "unit": "/min"},
        }
        data["entry"].append({"resource": other})
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE


class TestObservationFocus:
    """A measure of another than the patient (its ``focus``: a donor, a fetus) is not theirs."""

    def donor_weighed(self) -> dict[str, Any]:
        """The melanoma IV approval, its weight a donor's; the patient's own, older, is 60 kg."""
        data = weighed("final")
        weight = resource(data, "Observation")
        own = copy.deepcopy(weight)
        own.update(id="own", effectiveDateTime="2026-02-01")
        own["valueQuantity"]["value"] = Decimal(60)
        weight["focus"] = [{"reference": "RelatedPerson/donor", "display": "stem cell donor"}]
        data["entry"].append({"resource": own})
        return data

    def test_another_s_weight_is_not_the_patient_s(self) -> None:
        data = self.donor_weighed()
        assert request_from_bundle(data, "proleukin").patient.weight == Quantity("60", "kg")
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.CLINICIAN_REVIEW  # 725,000 IU/kg is over the limit

    def test_without_the_patient_s_own_the_weight_is_unknown(self) -> None:
        data = self.donor_weighed()
        data["entry"] = [e for e in data["entry"] if e["resource"].get("id") != "own"]
        assert request_from_bundle(data, "proleukin").patient.weight is None
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION

    def test_a_focus_on_the_patient_is_read(self) -> None:
        data = weighed("final")
        weight = resource(data, "Observation")
        weight["focus"] = [dict(weight["subject"])]
        assert request_from_bundle(data, "proleukin").patient.weight == Quantity("72.5", "kg")


def nivolumab(status: object = None) -> dict[str, Any]:
    """A therapy of the history, nivolumab (ATC L01FF01), of the status given (or none)."""
    statement: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "id": "nivolumab",
        "medicationCodeableConcept": {"coding": [{"system": codes.ATC, "code": "L01FF01"}]},
        "subject": {"reference": "Patient/patient-1"},
    }
    if status is not None:
        statement["status"] = status
    return statement


def list_of(data: dict[str, Any], fact: str) -> str:
    """The path of the bundle's List of the history ``fact`` (``therapies.prior``)."""
    [path] = [
        f"Bundle.entry[{index}].resource"
        for index, entry in enumerate(data["entry"])
        if entry["resource"]["resourceType"] == "List"
        and entry["resource"]["code"]["coding"][0]["code"] == fact
    ]
    return path


def with_statement(status: object, *, lists: bool = True) -> tuple[dict[str, Any], str]:
    """The melanoma IV approval with a nivolumab statement of ``status``, and its status path.

    The approval says it has no concomitant therapy by a List, kept if ``lists``.
    """
    data = bundle("melanoma-iv-approve")
    if not lists:
        drop(data, "List")
    data["entry"].append({"resource": nivolumab(status)})
    return data, f"Bundle.entry[{len(data['entry']) - 1}].resource.status"


class TestTherapyStatus:
    """A MedicationStatement's status says which history it is in; fail closed when unsure."""

    @pytest.mark.parametrize("status", [None, "foo", 5, "", "Active", True])
    def test_no_valid_status_is_a_fault(self, status: object) -> None:
        data, where = with_statement(status)
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        [error] = caught.value.errors
        assert error.path == where
        assert "on-hold, unknown, entered-in-error, not-taken" in error.reason

    @pytest.mark.parametrize(
        ("status", "which"),
        [
            ("active", "concomitant"),
            ("intended", "concomitant"),
            ("completed", "prior"),
            ("stopped", "prior"),
        ],
    )
    def test_a_therapy_given_or_tried(self, status: str, which: str) -> None:
        data, _ = with_statement(status, lists=False)
        therapies = request_from_bundle(data, "proleukin").therapies
        assert umpolicy.Therapy("L01FF01", ("L01FF01",)) in getattr(therapies, which)

    @pytest.mark.parametrize("status", ["entered-in-error", "not-taken"])
    def test_no_therapy_given(self, status: str) -> None:
        """Entered in error it never was; not taken, it is not given: the rest decides."""
        data, _ = with_statement(status)
        assert request_from_bundle(data, "proleukin") == request_from_bundle(
            bundle("melanoma-iv-approve"), "proleukin"
        )
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize("status", ["on-hold", "unknown"])
    def test_a_therapy_that_may_be_given_contradicts_none(self, status: str) -> None:
        """Not dropped (it approved): a List of none beside it is a fault at its status.

        Of unknown status it may be a prior therapy too, which the List of all those
        leaves out: a fault at that List.
        """
        data, where = with_statement(status)
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        errors = {error.path: error.reason for error in caught.value.errors}
        assert errors.pop(where).startswith(f"'{status}': the therapy may be a concomitant one")
        if status == "unknown":
            [(path, reason)] = errors.items()
            assert path == f"{list_of(data, 'therapies.prior')}.entry"
            assert reason.startswith("leaves out the MedicationStatement at ")
        else:
            assert not errors

    @pytest.mark.parametrize(
        ("status", "unknown"),
        [("on-hold", ("concomitant",)), ("unknown", ("prior", "concomitant"))],
    )
    def test_a_therapy_that_may_be_given_leaves_its_history_unknown(
        self, status: str, unknown: tuple[str, ...]
    ) -> None:
        data, _ = with_statement(status, lists=False)
        data["entry"].append({"resource": {**nivolumab("active"), "id": "another"}})
        therapies = request_from_bundle(data, "proleukin").therapies
        for which in ("prior", "concomitant"):
            assert (getattr(therapies, which) is None) is (which in unknown), which
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert "therapies.concomitant" in decision.facts_needed

    def test_in_a_hook_too(self) -> None:
        """A CRD call reads its prefetched statements alike: on hold, it does not approve."""
        hook = hook_from_request(example("melanoma-iv-approve"))
        records = hook["prefetch"]["records"]["entry"]
        records.append({"resource": nivolumab("on-hold")})
        with pytest.raises(InputError) as caught:
            evaluate_hook(hook, "proleukin", today=TODAY)
        [error] = caught.value.errors
        assert error.path == f"prefetch.records.entry[{len(records) - 1}].resource.status"
        records[:] = [e for e in records if e["resource"]["resourceType"] != "List"]
        decision = evaluate_hook(hook, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION


class TestChoiceSystems:
    """A choice is read in the system its options are offered in, or in none named."""

    @pytest.mark.parametrize(
        "system", [None, "urn:umpolicy:proleukin:answers.lesions.site"], ids=["none", "offered"]
    )
    def test_an_offered_choice_is_read(self, system: str | None) -> None:
        data = bundle("melanoma-intralesional-approve")
        coding = item(data, "answers.lesions")["item"][0]["answer"][0]["valueCoding"]
        if system is not None:
            coding["system"] = system
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        "system", [codes.SNOMED, "urn:umpolicy:proleukin:answers.lesions.status", 7]
    )
    def test_a_choice_of_another_system_is_a_fault(self, system: object) -> None:
        data = bundle("melanoma-intralesional-approve")
        coding = item(data, "answers.lesions")["item"][0]["answer"][0]["valueCoding"]
        coding["system"] = system
        [(path, reason)] = faults(data)
        assert path.endswith("item[0].answer[0].valueCoding.system")
        assert "is not the system umpolicy offers the answers to answers.lesions.site" in reason


class TestResponseStatus:
    """A QuestionnaireResponse's status is required; only a completed one's answers are read."""

    @pytest.mark.parametrize("status", [None, "foo", 7, "Completed", False])
    def test_no_valid_status_is_a_fault(self, status: object) -> None:
        data = bundle("melanoma-iv-approve")
        response = resource(data, "QuestionnaireResponse")
        response.pop("status")
        if status is not None:
            response["status"] = status
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        [error] = caught.value.errors
        where = f"Bundle.entry[{index(data, 'QuestionnaireResponse')}].resource.status"
        assert error.path == where
        assert "in-progress, completed, amended, entered-in-error, stopped" in error.reason

    @pytest.mark.parametrize("status", ["completed", "amended"])
    def test_answered(self, status: str) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "QuestionnaireResponse")["status"] = status
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize("status", ["in-progress", "stopped", "entered-in-error"])
    def test_not_answered(self, status: str) -> None:
        """A draft, a response given up or one in error: what it would say stays unknown."""
        data = bundle("melanoma-iv-approve")
        resource(data, "QuestionnaireResponse")["status"] = status
        assert request_from_bundle(data, "proleukin").answers == {}
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert "answers.melanoma_metastatic" in decision.facts_needed

    def test_another_publishers_response_is_left_alone(self) -> None:
        data = bundle("melanoma-iv-approve")
        data["entry"].append(
            {"resource": {"resourceType": "QuestionnaireResponse", "questionnaire": "urn:x:q"}}
        )
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_in_a_hook_too(self) -> None:
        hook = hook_from_request(example("melanoma-iv-approve"))
        records = hook["prefetch"]["records"]["entry"]
        [response] = [e["resource"] for e in records if e["resource"]["resourceType"] == _QR]
        response["status"] = "in-progress"
        assert request_from_hook(hook, "proleukin", today=TODAY).answers == {}
        response["status"] = "done"
        with pytest.raises(InputError) as caught:
            evaluate_hook(hook, "proleukin", today=TODAY)
        assert [e.path for e in caught.value.errors] == [
            f"prefetch.records.entry[{records.index({'resource': response})}].resource.status"
        ]


_QR = "QuestionnaireResponse"


class TestAnotherVersionsQuestionnaire:
    def test_answers_to_the_version_in_force_as_of_another_date_are_read(self) -> None:
        """A DTR answer to the earlier version's question (asked --as-of) is read, not refused."""
        from umpolicy import loads
        from umpolicy.integrations.fhir import questionnaire

        path = ROOT / "examples" / "fhir" / "pas" / "rcc-insufficient-information.bundle.json"
        data = loads(path.read_text())
        asked = evaluate_bundle(data, "proleukin", as_of=dt.date(2024, 6, 1), today=TODAY)
        assert "answers.clear_cell_histology" in asked.facts_needed
        form = questionnaire(asked, "proleukin")
        answer = {
            "resourceType": "QuestionnaireResponse",
            "status": "completed",
            "questionnaire": f"{form['url']}|{form['version']}",
            "item": [
                {"linkId": "answers.clear_cell_histology", "answer": [{"valueBoolean": True}]},
                {
                    "linkId": "answers.renal_cell_carcinoma_metastatic",
                    "answer": [{"valueBoolean": True}],
                },
            ],
        }
        kept = [
            e for e in data["entry"] if e["resource"]["resourceType"] != "QuestionnaireResponse"
        ]
        data["entry"] = [
            *kept,
            {"fullUrl": "urn:uuid:" + "1" * 8 + "-1111-1111-1111-" + "1" * 12, "resource": answer},
        ]
        again = evaluate_bundle(data, "proleukin", as_of=dt.date(2024, 6, 1), today=TODAY)
        assert "answers.clear_cell_histology" not in again.facts_needed


def hook_records(hook: dict[str, Any]) -> list[dict[str, Any]]:
    """The resources a CRD call prefetches besides the patient and coverage, as entries."""
    found: list[dict[str, Any]] = hook["prefetch"]["records"]["entry"]
    return found


def hook_faults(hook: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as caught:
        evaluate_hook(hook, "proleukin", today=TODAY)
    return [(e.path, e.reason) for e in caught.value.errors]


def hook_resource(hook: dict[str, Any], kind: str) -> tuple[dict[str, Any], str]:
    """The first prefetched resource of ``kind``, and its path."""
    records = hook_records(hook)
    at_ = next(i for i, e in enumerate(records) if e["resource"]["resourceType"] == kind)
    return records[at_]["resource"], f"prefetch.records.entry[{at_}].resource"


def dosage_of(data: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = resource(data, "MedicationRequest")["dosageInstruction"][0]
    return found


_GTS = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"


class TestTimingNotRead:
    """A timing said otherwise than as frequency per period is refused, never read as once."""

    @pytest.mark.parametrize(
        ("where", "name", "value"),
        [
            ("repeat", "timeOfDay", ["08:00:00", "20:00:00"]),
            ("repeat", "when", ["MORN", "EVE"]),
            ("repeat", "dayOfWeek", ["mon", "thu"]),
            ("timing", "code", {"coding": [{"system": _GTS, "code": "BID"}]}),
            ("timing", "event", ["2026-03-03T08:00:00Z", "2026-03-03T20:00:00Z"]),
        ],
    )
    def test_refused_where_it_is_given(self, where: str, name: str, value: object) -> None:
        """Beside a frequency of once daily (it approved under "once daily"), it is refused."""
        data = bundle("gvhd-approve")
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE
        timing = dosage_of(data)["timing"]
        (timing["repeat"] if where == "repeat" else timing)[name] = value
        step = "timing.repeat" if where == "repeat" else "timing"
        order = f"Bundle.entry[{index(data, 'MedicationRequest')}].resource"
        [(path, reason)] = faults(data)
        assert path == f"{order}.dosageInstruction[0].{step}.{name}"
        assert reason.endswith(
            "umpolicy reads a timing as timing.repeat's frequency per period and periodUnit: "
            "give those instead (twice daily: frequency 2, period 1, periodUnit d)"
        )

    @pytest.mark.parametrize(
        ("repeat", "timing"),
        [
            ({"timeOfDay": ["08:00:00"]}, {}),
            ({"when": ["MORN"]}, {}),
            ({"frequency": 3, "timeOfDay": ["06:00:00", "14:00:00", "22:00:00"]}, {}),
            ({"frequency": 1, "period": 8, "periodUnit": "h", "when": ["MORN", "AFT", "EVE"]}, {}),
            ({"frequency": 2, "period": 1, "periodUnit": "wk", "dayOfWeek": ["mon", "thu"]}, {}),
            ({"dayOfWeek": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}, {}),
            ({}, {"code": {"coding": [{"system": _GTS, "code": "QD"}], "text": "daily"}}),
            ({}, {"code": {"text": "Every 8 hours"}}),
            ({}, {"code": {"coding": [{"system": _GTS, "code": "BED"}]}}),
            ({}, {"code": {"coding": [{"system": "urn:oid:1.2.3", "code": "TID"}]}}),
            ({"frequency": 3}, {"code": {"coding": [{"system": _GTS, "code": "Q8H"}]}}),
            (
                {"frequency": 1, "period": 2},
                {"code": {"coding": [{"system": _GTS, "code": "QOD"}]}},
            ),
            (
                {"period": 1, "periodUnit": "wk"},
                {"code": {"coding": [{"system": _GTS, "code": "QWK"}]}},
            ),
            (
                {"frequency": 1, "period": 4, "periodUnit": "h"},
                {"code": {"coding": [{"system": _GTS, "code": "Q4H"}]}},
            ),
            ({}, {"event": ["2026-03-03T08:00:00Z", "2026-03-04T08:00:00Z"]}),
            ({"period": 1, "periodUnit": "mo"}, {"event": ["2026-03-03T08:00:00Z"]}),
            ({"period": 1, "periodUnit": "mo"}, {"code": {"text": "monthly"}}),
        ],
    )
    def test_read_when_it_says_the_frequency(
        self, repeat: dict[str, Any], timing: dict[str, Any]
    ) -> None:
        """Said as often as the frequency (an EHR sends both), it is read: the frequency."""
        data = bundle("gvhd-approve")
        given = dosage_of(data)["timing"]
        given["repeat"].update(repeat)
        given.update(timing)
        expected = request_from_bundle(data, "proleukin").medication.frequency
        assert expected is not None
        for name in ("timeOfDay", "when", "dayOfWeek"):
            given["repeat"].pop(name, None)
        for name in ("code", "event"):
            given.pop(name, None)
        assert request_from_bundle(data, "proleukin").medication.frequency == expected

    @pytest.mark.parametrize(
        ("repeat", "timing", "where"),
        [
            ({"frequency": 3}, {"code": {"coding": [{"system": _GTS, "code": "BID"}]}}, "code"),
            (
                {"frequency": 2},
                {
                    "code": {
                        "coding": [{"system": _GTS, "code": "BID"}, {"system": _GTS, "code": "QID"}]
                    }
                },
                "code",
            ),
            (
                {"frequency": 1, "period": 2},
                {"code": {"coding": [{"system": _GTS, "code": "QD"}]}},
                "code",
            ),
            (
                {"period": 1, "periodUnit": "mo"},
                {"code": {"coding": [{"system": _GTS, "code": "QD"}]}},
                "code",
            ),
            ({}, {"code": "QD"}, "code"),
            ({"frequency": 3}, {"code": {"coding": [{"system": _GTS, "code": "Q2H"}]}}, "code"),
            ({"frequency": 3}, {"code": {"coding": [{"system": _GTS, "code": "Q1H"}]}}, "code"),
            (
                {"frequency": 3},
                {
                    "code": {
                        "coding": [
                            {"system": "http://hl7.org/fhir/timing-abbreviation", "code": "QID"}
                        ]
                    }
                },
                "code",
            ),
            ({"frequency": 3}, {"code": {"coding": [{"system": _GTS, "code": "MO"}]}}, "code"),
            ({"frequency": 2}, {"code": {"coding": [{"system": _GTS, "code": ["BID"]}]}}, "code"),
            ({"frequency": 2}, {"code": {"coding": [{"system": _GTS, "code": {"c": 1}}]}}, "code"),
            (
                {"period": 1, "periodUnit": "mo"},
                {"event": ["2026-03-03T08:00:00Z", "2026-03-03T20:00:00Z"]},
                "event",
            ),
            ({}, {"event": [{"date": "2026-03-03"}]}, "event"),
            (
                {"frequency": 3, "periodUnit": "wk", "timeOfDay": ["08:00:00"] * 3},
                {},
                "repeat.timeOfDay",
            ),
            ({"period": 1, "periodUnit": "mo", "when": ["MORN"]}, {}, "repeat.when"),
            ({"frequency": 2, "dayOfWeek": ["mon", "thu"]}, {}, "repeat.dayOfWeek"),
            ({"period": 1, "periodUnit": "mo", "dayOfWeek": ["mon"]}, {}, "repeat.dayOfWeek"),
            ({"timeOfDay": "08:00:00", "frequency": 2}, {}, "repeat.timeOfDay"),
        ],
    )
    def test_refused_when_it_says_otherwise(
        self, repeat: dict[str, Any], timing: dict[str, Any], where: str
    ) -> None:
        data = bundle("gvhd-approve")
        given = dosage_of(data)["timing"]
        given["repeat"].update(repeat)
        given.update(timing)
        assert f"dosageInstruction[0].timing.{where}" in " ".join(paths(data))

    def test_refused_without_a_repeat(self) -> None:
        data = bundle("gvhd-approve")
        dosage_of(data)["timing"] = {"event": ["2026-03-03T08:00:00Z"]}
        [path] = paths(data)
        assert path.endswith("dosageInstruction[0].timing.event")

    def test_times_of_day_without_a_frequency(self) -> None:
        """Three times a day with no frequency is not read as the default of one."""
        data = bundle("gvhd-approve")
        repeat = dosage_of(data)["timing"]["repeat"]
        del repeat["frequency"]
        repeat["timeOfDay"] = ["08:00:00", "14:00:00", "20:00:00"]
        assert [p for p in paths(data) if p.endswith("timing.repeat.timeOfDay")]

    def test_a_timing_code_alone(self) -> None:
        data = bundle("gvhd-approve")
        dosage_of(data)["timing"] = {"code": {"coding": [{"system": _GTS, "code": "BID"}]}}
        [path] = paths(data)
        assert path.endswith("dosageInstruction[0].timing.code")

    def test_in_a_hook_too(self) -> None:
        hook = hook_from_request(example("gvhd-approve"))
        order = hook["context"]["draftOrders"]["entry"][0]["resource"]
        order["dosageInstruction"][0]["timing"]["repeat"]["when"] = ["MORN", "EVE"]
        [(path, _)] = hook_faults(hook)
        assert path == (
            "context.draftOrders.entry[0].resource.dosageInstruction[0].timing.repeat.when"
        )


_SC = {"system": codes.SNOMED, "code": "34206005"}
_IV = {"system": codes.SNOMED, "code": "47625008"}


class TestRoute:
    """A route given by two different codes is ambiguous; one code said twice is one route."""

    def test_two_routes_are_refused(self) -> None:
        data = bundle("gvhd-approve")
        dosage_of(data)["route"] = {"coding": [_SC, _IV]}
        [(path, reason)] = faults(data)
        assert path.endswith("dosageInstruction[0].route")
        assert reason == "2 routes ('34206005', '47625008'): umpolicy reads one"

    @pytest.mark.parametrize(
        "coding", [[_SC, _SC], [_SC, {**_SC, "display": "Subcutaneous"}]], ids=["twice", "display"]
    )
    def test_one_route_said_twice(self, coding: list[dict[str, str]]) -> None:
        data = bundle("gvhd-approve")
        dosage_of(data)["route"] = {"coding": coding}
        route = request_from_bundle(data, "proleukin").medication.route
        assert route is not None
        assert route.code == "34206005"
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE


class TestDoNotPerform:
    """An order not to give the drug is not an order umpolicy decides."""

    def test_an_order_not_to_give_is_refused(self) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "MedicationRequest")["doNotPerform"] = True
        where = f"Bundle.entry[{index(data, 'MedicationRequest')}].resource.doNotPerform"
        assert faults(data) == [
            (where, "an order not to give the drug: umpolicy decides an order to give it")
        ]

    def test_an_order_to_give_is_decided(self) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "MedicationRequest")["doNotPerform"] = False
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize("value", ["true", 1, None])
    def test_no_boolean_is_a_fault(self, value: object) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "MedicationRequest")["doNotPerform"] = value
        if value is None:  # JSON null: as if not given
            assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE
            return
        [(path, reason)] = faults(data)
        assert path.endswith(".doNotPerform")
        assert reason == f"expected a boolean, got {value!r}"

    def test_in_a_hook_too(self) -> None:
        hook = hook_from_request(example("melanoma-iv-approve"))
        hook["context"]["draftOrders"]["entry"][0]["resource"]["doNotPerform"] = True
        assert hook_faults(hook)[0][0] == "context.draftOrders.entry[0].resource.doNotPerform"


class TestTherapyList:
    """A List of no therapies is read only when current and about the patient."""

    def test_a_current_list_is_read(self) -> None:
        data = bundle("rcc-approve")
        assert resource(data, "List")["status"] == "current"
        assert request_from_bundle(data, "proleukin").therapies.concomitant == ()

    @pytest.mark.parametrize("status", ["retired", "entered-in-error"])
    def test_a_list_no_longer_current_is_not_read(self, status: str) -> None:
        data = bundle("rcc-approve")
        resource(data, "List")["status"] = status
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert "therapies.concomitant" in decision.facts_needed

    @pytest.mark.parametrize("status", [None, "Current", "final", 5, ["current"]])
    def test_no_valid_status_is_a_fault(self, status: object) -> None:
        data = bundle("rcc-approve")
        listed = resource(data, "List")
        del listed["status"]
        if status is not None:
            listed["status"] = status
        [reason] = status_faults(data, "List")
        expected = (
            "required field missing: the List's status (current, retired, entered-in-error)"
            if status is None
            else f"{status!r} is not a List status; expected one of current, retired, "
            "entered-in-error"
        )
        assert reason == expected

    def test_another_patients_list_is_a_fault(self) -> None:
        data = bundle("rcc-approve")
        other = {"resourceType": "Patient", "id": "p2"}
        data["entry"].append({"fullUrl": "https://example.org/fhir/Patient/p2", "resource": other})
        resource(data, "List")["subject"] = {"reference": "Patient/p2"}
        assert faults(data) == [
            (
                f"Bundle.entry[{index(data, 'List')}].resource.subject.reference",
                "refers to another patient than the request's",
            )
        ]

    def test_in_a_hook_too(self) -> None:
        hook = hook_from_request(example("rcc-approve"))
        listed, where = hook_resource(hook, "List")
        listed["status"] = "entered-in-error"
        decision = evaluate_hook(hook, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        del listed["status"]
        assert hook_faults(hook)[0][0] == f"{where}.status"


def weighing(data: dict[str, Any], kg: int, when: object) -> dict[str, Any]:
    """A second weight Observation of the patient's, of ``kg``, dated ``when``."""
    weight = copy.deepcopy(resource(data, "Observation"))
    weight.update(id="another-weight", effectiveDateTime=when)
    weight["valueQuantity"]["value"] = Decimal(kg)
    return weight


def later(day: str, date: str) -> str:
    """The fault of a weight dated ``day``, after the request's ``date`` beyond a day."""
    return (
        f"{day} is after the request's date ({date}), by more than the 1 day time zones may "
        "put between them: umpolicy reads the weight measured by then"
    )


class TestMeasuredByTheRequestsDate:
    """A body measure dated after the request is refused, never read as the latest."""

    def underweight(self) -> dict[str, Any]:
        """The melanoma IV approval weighing 50 kg on its date: the dose per kg is too high."""
        data = bundle("melanoma-iv-approve")
        resource(data, "Observation")["valueQuantity"]["value"] = Decimal(50)
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.CLINICIAN_REVIEW
        return data

    @pytest.mark.parametrize(
        "when", ["2062-03-01", "2062", "2026-04", "2026-03-04", "2026-03-04T00:30:00+01:00"]
    )
    def test_a_later_weight_is_refused(self, when: str) -> None:
        data = self.underweight()
        data["entry"].append({"resource": weighing(data, 73, when)})
        where = f"Bundle.entry[{len(data['entry']) - 1}].resource.effectiveDateTime"
        assert faults(data) == [(where, later(when[:10], "2026-03-02"))]

    @pytest.mark.parametrize(
        ("effective", "where"),
        [
            ({"effectiveInstant": "2062-03-02T00:00:00Z"}, "effectiveInstant"),
            ({"effectivePeriod": {"start": "2026-01-01", "end": "2062"}}, "effectivePeriod.end"),
            ({"effectivePeriod": {"start": "2062-03-02"}}, "effectivePeriod.start"),
        ],
    )
    def test_dated_otherwise_and_later(self, effective: dict[str, Any], where: str) -> None:
        """An instant or a period (its end, else its start) dates a measure as a dateTime does."""
        data = self.underweight()
        weight = weighing(data, 73, "2026-03-01")
        del weight["effectiveDateTime"]
        weight.update(effective)
        data["entry"].append({"resource": weight})
        path = f"Bundle.entry[{len(data['entry']) - 1}].resource.{where}"
        [(found, reason)] = faults(data)
        assert found == path
        assert reason.startswith("2062")

    @pytest.mark.parametrize(
        "effective",
        [
            {"effectiveInstant": "2026-03-02T09:00:00Z"},
            {"effectivePeriod": {"start": "2026-01-01", "end": "2026-03-02"}},
            {"effectivePeriod": {"start": "2026-03-02T08:00:00Z"}},
        ],
    )
    def test_dated_otherwise_the_latest_is_read(self, effective: dict[str, Any]) -> None:
        """A later weight by instant or period is the latest: 73 kg, not the 50 of 2026-03-02."""
        data = self.underweight()
        resource(data, "Observation")["effectiveDateTime"] = "2026-03-01T00:00:00Z"
        weight = weighing(data, 73, "2026-03-01")
        del weight["effectiveDateTime"]
        weight.update(effective)
        data["entry"].append({"resource": weight})
        assert request_from_bundle(data, "proleukin").patient.weight == Quantity("73", "kg")

    def test_a_period_that_is_no_period(self) -> None:
        data = bundle("melanoma-iv-approve")
        weight = resource(data, "Observation")
        del weight["effectiveDateTime"]
        weight["effectivePeriod"] = "2026-03-01"
        [path] = paths(data)
        assert path == f"Bundle.entry[{index(data, 'Observation')}].resource.effectivePeriod"

    @pytest.mark.parametrize(
        "when",
        [
            "2026-03-02T23:59:00-05:00",
            "2026-01-31",  # 30 days before the request: the oldest read
            "2026-03-03",  # the request's date, in another time zone
            "2026-03-03T01:00:00Z",  # 20:00 on 2026-03-02 in New York
            "2026-03-03T08:30:00+10:00",
        ],
    )
    def test_a_weight_of_the_requests_day_or_before_is_read(self, when: str) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Observation")["effectiveDateTime"] = when
        assert request_from_bundle(data, "proleukin").patient.weight == Quantity("72.5", "kg")

    @pytest.mark.parametrize("when", ["2026-03", "2026", None, "2026-01-30", "2019-06-01"])
    def test_a_weight_of_no_day_or_too_old_is_not_read(self, when: str | None) -> None:
        """A dose per kg is of the patient now: a weight of last year meets no limit."""
        data = bundle("melanoma-iv-approve")
        weight = resource(data, "Observation")
        del weight["effectiveDateTime"]
        if when is not None:
            weight["effectiveDateTime"] = when
        weight_asked_for(data)

    def test_a_height_of_any_day_is_read(self) -> None:
        """A grown patient keeps a height: one of years ago still gives their BSA."""
        data = bundle("melanoma-iv-approve")
        [height] = [
            found["resource"]
            for found in data["entry"]
            if found["resource"].get("code", {}).get("coding", [{}])[0].get("code") == "8302-2"
        ]
        height["effectiveDateTime"] = "2019-06-01"
        assert request_from_bundle(data, "proleukin").patient.height == Quantity("178", "cm")

    @pytest.mark.parametrize(
        ("status", "code"),
        [
            ("verificationStatus", "refuted"),
            ("verificationStatus", "entered-in-error"),
            ("clinicalStatus", "resolved"),
        ],
    )
    def test_a_claims_diagnosis_the_records_say_is_not_current(
        self, status: str, code: str
    ) -> None:
        """The Claim says C43.9, its Condition says refuted: the two disagree, none is read."""
        data = bundle("melanoma-iv-approve")
        condition = resource(data, "Condition")
        system = {
            "verificationStatus": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
            "clinicalStatus": "http://terminology.hl7.org/CodeSystem/condition-clinical",
        }[status]
        condition[status] = {"coding": [{"system": system, "code": code}]}
        # Coded in SNOMED CT too: only its ICD-10-CM code is the Claim's to disagree with.
        snomed = {"system": "http://snomed.info/sct", "code": "372244006"}
        condition["code"]["coding"].insert(0, snomed)
        claim = resource(data, "Claim")
        claim["diagnosis"] = [
            {
                "sequence": 1,
                "diagnosisCodeableConcept": {
                    "coding": [{"system": codes.ICD10CM, "code": "C43.9"}]
                },
            }
        ]
        found = faults(data)
        assert [path for path, _ in found] == [
            "Bundle.entry[0].resource.diagnosis[0].diagnosisCodeableConcept.coding[0].code"
        ]
        assert found[0][1].startswith("C43.9 is the diagnosis of the Condition at Bundle.entry[")

    def test_a_weight_of_no_subject_beside_another_patient(self) -> None:
        """With a donor's Patient in the bundle, a weight that does not say whose is refused."""
        data = bundle("melanoma-iv-approve")
        donor = {"resourceType": "Patient", "id": "donor-1", "birthDate": "1990-01-01"}
        data["entry"].append(
            {"fullUrl": "https://example.org/fhir/Patient/donor-1", "resource": donor}
        )
        at_ = index(data, "Observation")
        del data["entry"][at_]["resource"]["subject"]
        assert faults(data) == [
            (
                f"Bundle.entry[{at_}].resource.subject",
                "required field missing: whose record it is, as the bundle holds 2 Patients",
            )
        ]

    @pytest.mark.parametrize("late", ["2026-03-03", "2026-03-03T20:00:00Z"])
    def test_a_measure_a_day_late_never_outranks_the_requests_day(self, late: str) -> None:
        """Within the tolerance it is no fault, but a measure of the request's day wins."""
        data = bundle("melanoma-iv-approve")
        weight = resource(data, "Observation")
        weight["effectiveDateTime"] = "2026-03-02"
        later_one = copy.deepcopy(weight)
        later_one.update(id="next-day", effectiveDateTime=late)
        later_one["valueQuantity"]["value"] = Decimal(200)
        data["entry"].append({"resource": later_one})
        assert request_from_bundle(data, "proleukin").patient.weight == Quantity("72.5", "kg")
        del data["entry"][index(data, "Observation")]  # alone, the late one is read
        assert request_from_bundle(data, "proleukin").patient.weight == Quantity("200", "kg")

    @pytest.mark.parametrize("when", ["yesterday", 20260301, "2026-02-30"])
    def test_a_date_that_is_no_date_is_a_fault(self, when: object) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Observation")["effectiveDateTime"] = when
        [path] = paths(data)
        assert path == f"Bundle.entry[{index(data, 'Observation')}].resource.effectiveDateTime"

    def test_in_a_hook_dated_by_its_order(self) -> None:
        hook = hook_from_request(example("melanoma-iv-approve"))
        weight, where = hook_resource(hook, "Observation")
        weight["effectiveDateTime"] = "2026-03-04"  # after authoredOn, 2026-03-02
        assert hook_faults(hook) == [
            (f"{where}.effectiveDateTime", later("2026-03-04", "2026-03-02"))
        ]

    def test_in_a_hook_dated_today(self) -> None:
        hook = hook_from_request(example("melanoma-iv-approve"))
        del hook["context"]["draftOrders"]["entry"][0]["resource"]["authoredOn"]
        weight, where = hook_resource(hook, "Observation")
        weight["effectiveDateTime"] = "2026-03-05"
        assert hook_faults(hook) == [
            (f"{where}.effectiveDateTime", later("2026-03-05", "2026-03-03"))
        ]

    def test_an_undated_request_reads_no_date_against_it(self) -> None:
        """A Claim without a date is the one fault, not one more at every dated record."""
        data = bundle("melanoma-iv-approve")
        del resource(data, "Claim")["created"]
        resource(data, "PractitionerRole")["period"] = {"end": "2020-01-01"}
        assert paths(data) == ["Bundle.entry[0].resource.created"]


def pembrolizumab(status: object = "active", **more: object) -> dict[str, Any]:
    """Another order of the patient's than the one to decide: pembrolizumab (ATC L01FF02)."""
    order: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": "another-order",
        "status": status,
        "intent": "order",
        "subject": {"reference": "Patient/patient-1"},
        "medicationCodeableConcept": {
            "coding": [{"system": codes.ATC, "code": "L01FF02"}],
            "text": "pembrolizumab",
        },
        **more,
    }
    return order


def with_order(order: dict[str, Any], *, lists: bool = True) -> tuple[dict[str, Any], str]:
    """The melanoma IV approval with another order, and that order's path.

    The approval says it has no concomitant therapy by a List, kept if ``lists``.
    """
    data = bundle("melanoma-iv-approve")
    if not lists:
        drop(data, "List")
    data["entry"].append({"resource": order})
    return data, f"Bundle.entry[{len(data['entry']) - 1}].resource"


_PEMBROLIZUMAB = umpolicy.Therapy("pembrolizumab", ("L01FF02",))


class TestOtherOrders:
    """The patient's other MedicationRequests are concomitant therapies, as statements are."""

    @pytest.mark.parametrize("status", ["active", "draft"])
    def test_an_order_placed_or_written_is_given_with_the_drug(self, status: str) -> None:
        """Not a single agent: not approved under 1.A.iv."""
        data, _ = with_order(pembrolizumab(status), lists=False)
        request = request_from_bundle(data, "proleukin")
        assert request.therapies.concomitant == (_PEMBROLIZUMAB,)
        assert request.medication.name == "Proleukin"  # the order decided is the Claim's
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.NOT_RECOMMENDED

    def test_it_contradicts_a_list_of_none(self) -> None:
        data, _ = with_order(pembrolizumab())
        where = f"{list_of(data, 'therapies.concomitant')}.emptyReason"
        assert faults(data) == [
            (
                where,
                "says no concomitant therapies, but the records (MedicationStatements, "
                "MedicationRequests, MedicationAdministrations) give some",
            )
        ]

    @pytest.mark.parametrize("status", ["on-hold", "unknown"])
    def test_an_order_that_may_be_given_leaves_the_concomitant_unknown(self, status: str) -> None:
        data, _ = with_order(pembrolizumab(status), lists=False)
        therapies = request_from_bundle(data, "proleukin").therapies
        assert therapies.concomitant is None
        assert therapies.prior == (_PEMBROLIZUMAB,)
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert "therapies.concomitant" in decision.facts_needed

    @pytest.mark.parametrize("status", ["on-hold", "unknown"])
    def test_an_order_that_may_be_given_contradicts_none(self, status: str) -> None:
        data, where = with_order(pembrolizumab(status))
        [(path, reason)] = faults(data)
        assert path == f"{where}.status"
        assert reason.startswith(f"'{status}': the therapy may be a concomitant one, and the List")

    @pytest.mark.parametrize("status", ["cancelled", "completed", "entered-in-error", "stopped"])
    def test_an_order_not_given_now_is_not_read(self, status: str) -> None:
        data, _ = with_order(pembrolizumab(status))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_an_order_not_to_give_is_not_read(self) -> None:
        data, _ = with_order(pembrolizumab(doNotPerform=True))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize("status", [None, "Active", 3])
    def test_no_valid_status_is_a_fault(self, status: object) -> None:
        order = pembrolizumab()
        if status is None:
            del order["status"]
        else:
            order["status"] = status
        data, where = with_order(order)
        [(path, _)] = faults(data)
        assert path == f"{where}.status"

    def test_another_patients_order_is_a_fault(self) -> None:
        data, where = with_order(pembrolizumab(subject={"reference": "Patient/p2"}))
        data["entry"].append({"resource": {"resourceType": "Patient", "id": "p2"}})
        assert faults(data) == [
            (f"{where}.subject.reference", "refers to another patient than the request's")
        ]

    def test_its_drug_by_a_medication_resource(self) -> None:
        order = pembrolizumab(medicationReference={"reference": "Medication/pembro"})
        del order["medicationCodeableConcept"]
        data, _ = with_order(order, lists=False)
        drug = {"coding": [{"system": codes.ATC, "code": "L01FF02", "display": "pembrolizumab"}]}
        data["entry"].append(
            {"resource": {"resourceType": "Medication", "id": "pembro", "code": drug}}
        )
        assert request_from_bundle(data, "proleukin").therapies.concomitant == (_PEMBROLIZUMAB,)

    def test_an_order_coded_for_ordering_alone_is_known_by_its_name(self) -> None:
        """An RxNorm-coded order is a therapy whose value sets are unknown: no approval."""
        order = pembrolizumab()
        order["medicationCodeableConcept"] = {
            "coding": [
                {"system": codes.RXNORM, "code": "1547545", "display": "pembrolizumab 25 MG/ML"},
                {"display": "Keytruda"},  # a coding of no system and no code names nothing
            ]
        }
        data, _ = with_order(order, lists=False)
        therapies = request_from_bundle(data, "proleukin").therapies
        assert therapies.concomitant == (umpolicy.Therapy("pembrolizumab 25 MG/ML"),)
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert "1.A.iv" in [reason.label for reason in decision.reasons]

    @pytest.mark.parametrize("status", ["active", "on-hold"])
    def test_an_order_of_the_drug_itself_is_no_other_therapy(self, status: str) -> None:
        """An earlier order of the drug (a continuation's), or it fetched again, is the drug."""
        data = bundle("melanoma-iv-approve")
        earlier = copy.deepcopy(resource(data, "MedicationRequest"))
        earlier.update(id="earlier-order", status=status)
        data["entry"].append({"resource": earlier})
        assert request_from_bundle(data, "proleukin").therapies.concomitant == ()
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_one_drug_is_decided_still(self) -> None:
        """Without a Claim item naming the order, two orders are two drugs asked for."""
        data, _ = with_order(pembrolizumab())
        del resource(data, "Claim")["item"][0]["extension"][0]
        assert "this asks for 2" in faults(data)[0][1]

    def test_quellimab_with_another_biologic(self) -> None:
        """Quellimab's exclusion of a combination with another biologic reads it too."""
        request = parse_request(
            (ROOT / "examples/quellimab-policy/examples/ra-initial-approve.json").read_text()
        )
        data = bundle_from_request(request)
        assert evaluate_bundle(data, "quellimab", today=TODAY).outcome is Outcome.APPROVE
        adalimumab = pembrolizumab()
        adalimumab["medicationCodeableConcept"] = {
            "coding": [{"system": codes.ATC, "code": "L04AB04"}],
            "text": "adalimumab",
        }
        drop(data, "List")["entry"].append({"resource": adalimumab})
        decision = evaluate_bundle(data, "quellimab", today=TODAY)
        assert decision.outcome is Outcome.NOT_RECOMMENDED

    def test_in_a_hook_the_prefetched_orders(self) -> None:
        hook = hook_from_request(example("melanoma-iv-approve"))
        records = hook_records(hook)
        records[:] = [e for e in records if e["resource"]["resourceType"] != "List"]
        records.append({"resource": pembrolizumab()})
        assert request_from_hook(hook, "proleukin", today=TODAY).therapies.concomitant == (
            _PEMBROLIZUMAB,
        )
        assert evaluate_hook(hook, "proleukin", today=TODAY).outcome is Outcome.NOT_RECOMMENDED

    def test_in_a_hook_the_draft_orders_not_selected(self) -> None:
        hook = hook_from_request(example("melanoma-iv-approve"), hook="order-select")
        hook["context"]["draftOrders"]["entry"].append({"resource": pembrolizumab("draft")})
        with pytest.raises(InputError) as caught:  # beside the List of none
            evaluate_hook(hook, "proleukin", today=TODAY)
        assert "MedicationAdministrations) give some" in caught.value.errors[0].reason
        records = hook_records(hook)
        records[:] = [e for e in records if e["resource"]["resourceType"] != "List"]
        request = request_from_hook(hook, "proleukin", today=TODAY)
        assert request.medication.name == "Proleukin"  # the order selected
        assert request.therapies.concomitant == (_PEMBROLIZUMAB,)


class TestRoleInForce:
    """A prescriber's role given up, or held only outside the request's date, is not read."""

    @pytest.mark.parametrize(
        "change",
        [
            {"active": False},
            {"period": {"end": "2020-01-01"}},
            {"period": {"end": "2025"}},
            {"period": {"start": "2026-03-03"}},
            {"period": {"start": "2020-01-01", "end": "2026-03-01T17:00:00Z"}},
        ],
    )
    def test_its_specialty_stays_unknown(self, change: dict[str, Any]) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "PractitionerRole").update(change)
        assert request_from_bundle(data, "proleukin").prescriber.specialties is None
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert "prescriber.specialties" in decision.facts_needed

    @pytest.mark.parametrize(
        "change",
        [
            {"active": True},
            {"period": {"start": "2020-01-01", "end": "2030-01-01"}},
            {"period": {"end": "2026-03"}},
            {"period": {"start": "2026-03-02T09:00:00Z"}},
            {"period": {}},
        ],
    )
    def test_a_role_in_force_is_read(self, change: dict[str, Any]) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "PractitionerRole").update(change)
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize(("active", "known"), [(False, False), (True, True), (None, True)])
    def test_the_role_of_a_practitioner_no_longer_active(
        self, active: bool | None, known: bool
    ) -> None:
        """A role in force of a Practitioner given up (active false) is not in force."""
        data = bundle("melanoma-iv-approve")
        role = resource(data, "PractitionerRole")
        person: dict[str, Any] = {"resourceType": "Practitioner", "id": "doctor"}
        if active is not None:
            person["active"] = active
        role["practitioner"] = {"reference": "Practitioner/doctor"}
        data["entry"].append({"resource": person})
        specialties = request_from_bundle(data, "proleukin").prescriber.specialties
        assert (specialties is not None) is known

    @pytest.mark.parametrize(
        ("practitioner", "active", "where"),
        [
            ([], None, "practitioner"),
            ({"reference": 5}, None, "practitioner.reference"),
            ({"reference": "Practitioner/doctor"}, "false", "active"),
        ],
    )
    def test_a_practitioner_said_wrongly_is_a_fault(
        self, practitioner: object, active: object, where: str
    ) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "PractitionerRole")["practitioner"] = practitioner
        person = {"resourceType": "Practitioner", "id": "doctor", "active": active}
        data["entry"].append({"resource": person})
        [(path, _)] = faults(data)
        entry = (
            index(data, "Practitioner") if where == "active" else index(data, "PractitionerRole")
        )
        assert path == f"Bundle.entry[{entry}].resource.{where}"

    def test_a_practitioner_by_display_alone_is_read(self) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "PractitionerRole")["practitioner"] = {"display": "Dr. A. Example"}
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_nor_its_affiliations(self) -> None:
        data = bundle("gvhd-approve")
        role = next(
            r
            for r in (e["resource"] for e in data["entry"])
            if r["resourceType"] == "PractitionerRole" and "organization" in r
        )
        assert request_from_bundle(data, "proleukin").prescriber.affiliations
        role["active"] = False
        prescriber = request_from_bundle(data, "proleukin").prescriber
        assert (prescriber.specialties, prescriber.affiliations) == (None, None)

    @pytest.mark.parametrize(
        ("change", "where", "reason"),
        [
            ({"active": "false"}, "active", "expected a boolean, got 'false'"),
            ({"period": "2020"}, "period", "expected a Period (a JSON object)"),
            (
                {"period": {"end": "soon"}},
                "period.end",
                "'soon' is not a FHIR date (YYYY-MM-DD)",
            ),
        ],
    )
    def test_a_malformed_role_is_a_fault(
        self, change: dict[str, Any], where: str, reason: str
    ) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "PractitionerRole").update(change)
        assert faults(data) == [
            (f"Bundle.entry[{index(data, 'PractitionerRole')}].resource.{where}", reason)
        ]

    def test_a_consultant_alike(self) -> None:
        data = bundle("melanoma-iv-approve")
        consultant = {
            "resourceType": "PractitionerRole",
            "id": "consultant",
            "active": False,
            "specialty": [{"coding": [{"system": codes.NUCC, "code": "207RH0003X"}]}],
        }
        data["entry"].append({"resource": consultant})
        resource(data, "Claim")["careTeam"].append(
            {"sequence": 2, "provider": {"reference": "PractitionerRole/consultant"}}
        )
        [who] = request_from_bundle(data, "proleukin").consultants or ()
        assert who.specialties is None

    def test_in_a_hook_too(self) -> None:
        hook = hook_from_request(example("melanoma-iv-approve"))
        role, _ = hook_resource(hook, "PractitionerRole")
        role["period"] = {"end": "2026-03-01"}
        decision = evaluate_hook(hook, "proleukin", today=TODAY)
        assert "prescriber.specialties" in decision.facts_needed


def as_practitioner(data: dict[str, Any], qualification: dict[str, Any]) -> dict[str, Any]:
    """The melanoma IV approval prescribed by a Practitioner of one oncology qualification."""
    drop(data, "PractitionerRole")
    practitioner = {
        "resourceType": "Practitioner",
        "id": "prescriber",
        "qualification": [
            {"code": {"coding": [{"system": codes.NUCC, "code": "207RX0202X"}]}, **qualification}
        ],
    }
    data["entry"].append({"resource": practitioner})
    resource(data, "MedicationRequest")["requester"] = {"reference": "Practitioner/prescriber"}
    claim = resource(data, "Claim")
    claim["provider"] = {"reference": "Practitioner/prescriber"}
    claim["careTeam"] = [{"sequence": 1, "provider": {"reference": "Practitioner/prescriber"}}]
    return practitioner


class TestPractitionerInForce:
    """A Practitioner or qualification not in force, or an inactive Organization, gives nothing."""

    @pytest.mark.parametrize(
        ("active", "qualification", "read"),
        [
            (None, {}, True),
            (True, {"period": {"start": "1990-01-01"}}, True),
            (False, {}, False),
            (None, {"period": {"start": "1990-01-01", "end": "2010-01-01"}}, False),
            (None, {"period": {"start": "2026-04-01"}}, False),
        ],
    )
    def test_its_qualifications(
        self, active: bool | None, qualification: dict[str, Any], read: bool
    ) -> None:
        data = bundle("melanoma-iv-approve")
        practitioner = as_practitioner(data, qualification)
        if active is not None:
            practitioner["active"] = active
        specialties = request_from_bundle(data, "proleukin").prescriber.specialties
        assert specialties == (("207RX0202X",) if read else None)
        outcome = evaluate_bundle(data, "proleukin", today=TODAY).outcome
        assert outcome is (Outcome.APPROVE if read else Outcome.INSUFFICIENT_INFORMATION)

    @pytest.mark.parametrize(
        ("change", "where"),
        [
            ({"active": 0}, "active"),
            ({"qualification": [{"period": []}]}, "qualification[0].period"),
        ],
    )
    def test_a_malformed_practitioner_is_a_fault(self, change: dict[str, Any], where: str) -> None:
        data = bundle("melanoma-iv-approve")
        as_practitioner(data, {}).update(change)
        [path] = paths(data)
        assert path == f"Bundle.entry[{index(data, 'Practitioner')}].resource.{where}"

    @pytest.mark.parametrize(("active", "read"), [(None, True), (True, True), (False, False)])
    def test_an_organization_no_longer_active(self, active: bool | None, read: bool) -> None:
        data = bundle("gvhd-approve")
        for each in (e["resource"] for e in data["entry"]):
            if each["resourceType"] == "Organization" and active is not None:
                each["active"] = active
        prescriber = request_from_bundle(data, "proleukin").prescriber
        assert prescriber.specialties
        assert bool(prescriber.affiliations) is read
        outcome = evaluate_bundle(data, "proleukin", today=TODAY).outcome
        assert outcome is (Outcome.APPROVE if read else Outcome.INSUFFICIENT_INFORMATION)


class TestOtherOrdersByName:
    """An other order whose drug umpolicy cannot read is a therapy by name, never a fault."""

    @pytest.mark.parametrize(
        ("drug", "name"),
        [
            (
                {
                    "medicationCodeableConcept": {
                        "coding": [{"system": "urn:oid:1.2.840.114350", "code": "12345"}],
                        "text": "ondansetron 4 mg tablet",
                    }
                },
                "ondansetron 4 mg tablet",
            ),
            (
                {
                    "medicationCodeableConcept": {
                        "coding": [
                            {"system": "urn:oid:1.2.3", "code": "9", "display": "ONDANSETRON"}
                        ]
                    }
                },
                "ONDANSETRON",
            ),
            ({"medicationCodeableConcept": {"coding": [{"code": "9"}]}}, "a medication"),
            ({"medicationCodeableConcept": "ondansetron"}, "a medication"),
            (
                {"medicationReference": {"reference": "Medication/gone", "display": "ondansetron"}},
                "ondansetron",
            ),
            ({"medicationReference": {"reference": "Patient/patient-1"}}, "a medication"),
            ({"medicationReference": "Medication/gone"}, "a medication"),
        ],
    )
    def test_known_by_its_name(self, drug: dict[str, Any], name: str) -> None:
        order = pembrolizumab()
        del order["medicationCodeableConcept"]
        order.update(drug)
        data, _ = with_order(order, lists=False)
        therapies = request_from_bundle(data, "proleukin").therapies
        assert therapies.concomitant == (umpolicy.Therapy(name),)
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION

    def test_the_order_decided_is_still_read_strictly(self) -> None:
        data = bundle("melanoma-iv-approve")
        order = resource(data, "MedicationRequest")
        del order["medicationCodeableConcept"]
        order["medicationReference"] = {"reference": "Medication/gone"}
        assert paths(data) == [
            f"Bundle.entry[{index(data, 'MedicationRequest')}].resource."
            "medicationReference.reference"
        ]

    def test_in_a_hook_a_medication_not_prefetched(self) -> None:
        hook = hook_from_request(example("melanoma-iv-approve"))
        records = hook_records(hook)
        records[:] = [e for e in records if e["resource"]["resourceType"] != "List"]
        order = pembrolizumab(medicationReference={"reference": "Medication/med-77"})
        del order["medicationCodeableConcept"]
        records.append({"resource": order})
        therapies = request_from_hook(hook, "proleukin", today=TODAY).therapies
        assert therapies.concomitant == (umpolicy.Therapy("a medication"),)


class TestAPlannedEnd:
    """A therapy's period counts to the request's date at the latest, never to a planned end."""

    @pytest.mark.parametrize(
        ("when", "reason"),
        [
            ("2027-99-99", "'2027-99-99' is not a calendar date"),
            ("yesterday", "'yesterday' is not a FHIR date (YYYY-MM-DD)"),
            (20260301, "expected text (a JSON string)"),
        ],
    )
    def test_a_date_given_wrongly_is_a_fault(self, when: object, reason: str) -> None:
        """Pembrolizumab tried on no calendar's day: once passed over, and counted as tried."""
        data = bundle("melanoma-iv-approve")
        statement = resource(data, "MedicationStatement")
        statement.pop("effectivePeriod", None)
        statement["effectiveDateTime"] = when
        where = f"Bundle.entry[{index(data, 'MedicationStatement')}].resource.effectiveDateTime"
        assert faults(data) == [(where, reason)]

    def test_a_period_given_wrongly_is_one_fault(self) -> None:
        """Read for the dates and for the duration, a wrong start is said once."""
        data = bundle("melanoma-iv-approve")
        statement = resource(data, "MedicationStatement")
        statement["effectivePeriod"] = {"start": "2025-02-30", "end": "2025-06-01"}
        where = f"Bundle.entry[{index(data, 'MedicationStatement')}].resource.effectivePeriod"
        assert faults(data) == [(f"{where}.start", "'2025-02-30' is not a calendar date")]

    @pytest.mark.parametrize(
        ("period", "days"),
        [
            ({"start": "2026-03-01", "end": "2029-09-01"}, "2"),
            ({"start": "2026-03-02", "end": "2026-03-03"}, "1"),
            ({"start": "2026-03-01", "end": "2026-03-02"}, "2"),
            ({"start": "2026-03-03", "end": "2029-09-01"}, None),
        ],
    )
    def test_counted_to_the_requests_date(self, period: dict[str, str], days: str | None) -> None:
        # Tried, but planned past the request (beyond a day's time zones): given still?
        running = period["end"] > "2026-03-03"
        data = bundle("melanoma-iv-approve")
        if running:  # else the List of no concomitant therapy would be contradicted
            drop(data, "List")
        resource(data, "MedicationStatement")["effectivePeriod"] = period
        therapies = request_from_bundle(data, "proleukin").therapies
        assert therapies.prior is not None
        assert therapies.prior[0].duration == (None if days is None else Quantity(days, "d"))
        assert therapies.concomitant == (None if running else ())

    def test_a_planned_end_against_a_list_of_none_is_a_fault(self) -> None:
        """Tried, and planned to 2029: the List of no concomitant therapy may be wrong."""
        data = bundle("melanoma-iv-approve")
        period = {"start": "2026-02-01", "end": "2026-06-30"}
        resource(data, "MedicationStatement")["effectivePeriod"] = period
        where = f"Bundle.entry[{index(data, 'MedicationStatement')}].resource.effectivePeriod"
        [(path, reason)] = faults(data)
        assert path == where
        assert "the therapy may be a concomitant one, and the List at" in reason

    def test_a_planned_end_in_a_later_month(self) -> None:
        """Ending "2026-04", asked on 31 March: it may run to the 30th, so may be given still."""
        data = bundle("melanoma-iv-approve")
        resource(data, "Claim")["created"] = "2026-03-31"
        period = {"start": "2026-01-05", "end": "2026-04"}
        resource(data, "MedicationStatement")["effectivePeriod"] = period
        where = f"Bundle.entry[{index(data, 'MedicationStatement')}].resource.effectivePeriod"
        assert where in paths(data)

    def test_a_therapy_tried_from_after_the_request_is_a_fault(self) -> None:
        """Pembrolizumab "completed" from 2026-04-01: not tried by a request of 2026-03-02."""
        data = bundle("melanoma-iv-approve")
        period = {"start": "2026-04-01", "end": "2026-06-01"}
        resource(data, "MedicationStatement")["effectivePeriod"] = period
        where = f"Bundle.entry[{index(data, 'MedicationStatement')}].resource.effectivePeriod"
        assert faults(data) == [
            (
                where,
                "given from 2026-04-01, after the request's date (2026-03-02): a therapy tried "
                "('completed') is one given by then",
            )
        ]

    def test_a_therapy_given_now_that_ended_is_unknown(self) -> None:
        """Prednisone "active" whose period ended in 2024: with the drug, or not, unknown."""
        data = drop(bundle("gvhd-approve"), "List")
        for each in data["entry"]:
            found = each["resource"]
            if found["resourceType"] == "MedicationStatement" and found["status"] == "active":
                found["effectivePeriod"] = {"start": "2023-06-01", "end": "2024-02-01"}
                found.pop("effectiveDateTime", None)
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert "therapies.concomitant" in decision.facts_needed

    def test_a_young_patients_planned_end(self) -> None:
        """A 3-year-old's methotrexate planned to 2029 is no history longer than her life."""
        request = parse_request(
            (ROOT / "examples/quellimab-policy/examples/pjia-initial-approve.json").read_text()
        )
        data = bundle_from_request(request)
        resource(data, "Patient")["birthDate"] = "2022-09-11"
        statement = resource(data, "MedicationStatement")
        statement["effectivePeriod"] = {"start": "2025-09-01", "end": "2029-09-01"}
        decision = evaluate_bundle(data, "quellimab", today=TODAY)
        assert decision.outcome is Outcome.APPROVE


_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"


class TestConditionStatus:
    """A Condition's status is read in its system; one not read is a fault, never current."""

    @pytest.mark.parametrize(
        ("name", "status", "where"),
        [
            ("clinicalStatus", "resolved", "clinicalStatus"),
            ("clinicalStatus", {"text": "resolved"}, "clinicalStatus"),
            ("clinicalStatus", {"coding": [{"code": 5}]}, "clinicalStatus.coding[0].code"),
            (
                "clinicalStatus",
                {"coding": [{"system": "urn:ehr", "code": "active"}]},
                "clinicalStatus",
            ),
            ("clinicalStatus", {"coding": [{"code": "Resolved"}]}, "clinicalStatus.coding[0].code"),
            (
                "clinicalStatus",
                {"coding": [{"code": "active"}, {"system": _CLINICAL, "code": "resolved"}]},
                "clinicalStatus",
            ),
            ("verificationStatus", "refuted", "verificationStatus"),
            ("verificationStatus", {"text": "refuted"}, "verificationStatus"),
            ("verificationStatus", [{"coding": [{"code": "refuted"}]}], "verificationStatus"),
        ],
        ids=[
            "a string",
            "text alone",
            "a code not text",
            "another system's code",
            "a code not of its codes",
            "two codes",
            "a verification string",
            "a verification in text",
            "a verification list",
        ],
    )
    def test_a_status_not_read_is_a_fault(self, name: str, status: object, where: str) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Condition")[name] = status
        [(path, _)] = faults(data)
        assert path == f"Bundle.entry[{index(data, 'Condition')}].resource.{where}"

    def test_the_code_of_its_system_is_read_beside_another(self) -> None:
        data = bundle("melanoma-iv-approve")
        coding = resource(data, "Condition")["clinicalStatus"]["coding"]
        coding[0]["code"] = "resolved"
        coding.insert(0, {"system": "urn:ehr", "code": "active"})
        assert request_from_bundle(data, "proleukin").diagnoses == ()

    @pytest.mark.parametrize(
        "abated",
        [
            {"abatementDateTime": "2020-01-01"},
            {"abatementPeriod": {"start": "2019-01-01", "end": "2020-01-01"}},
            {"abatementString": "in 2020"},
        ],
    )
    def test_an_abated_condition_is_not_current(self, abated: dict[str, object]) -> None:
        """Abated, a condition without a status is no longer the patient's: not read."""
        data = bundle("melanoma-iv-approve")
        condition = resource(data, "Condition")
        del condition["clinicalStatus"]
        condition.update(abated)
        assert request_from_bundle(data, "proleukin").diagnoses == ()
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is not Outcome.APPROVE

    def test_an_abated_condition_said_active_is_a_fault(self) -> None:
        """FHIR's con-4: an abated condition is inactive, resolved or in remission."""
        data = bundle("melanoma-iv-approve")
        resource(data, "Condition")["abatementDateTime"] = "2020-01-01"
        [(path, reason)] = faults(data)
        assert path == f"Bundle.entry[{index(data, 'Condition')}].resource.abatementDateTime"
        assert "'active'" in reason


_MODIFIER = [{"url": "https://ehr.example/negated", "valueBoolean": True}]


class TestConditionOnset:
    """A current Condition that began after the request is a fault, never the disease."""

    @pytest.mark.parametrize(
        ("onset", "where"),
        [
            ({"onsetDateTime": "2062-03-02"}, "onsetDateTime"),
            ({"onsetDateTime": "2026-03-04T09:00:00Z"}, "onsetDateTime"),
            ({"onsetDateTime": "2027"}, "onsetDateTime"),
            ({"onsetPeriod": {"start": "2026-04"}}, "onsetPeriod.start"),
        ],
        ids=["a typo's year", "two days later", "a later year", "a period begun later"],
    )
    def test_an_onset_after_the_request(self, onset: dict[str, object], where: str) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Condition").update(onset)
        [(path, reason)] = faults(data)
        assert path == f"Bundle.entry[{index(data, 'Condition')}].resource.{where}"
        assert "after the request's date (2026-03-02)" in reason

    @pytest.mark.parametrize(
        "onset",
        [
            {"onsetDateTime": "2026-03-03"},
            {"onsetDateTime": "2026"},
            {"onsetDateTime": "2025-11-20T08:00:00-05:00"},
            {"onsetPeriod": {"end": "2026-01-01"}},
            {"onsetString": "next spring"},
        ],
        ids=["a day's time zones", "the request's year", "before", "no start", "words"],
    )
    def test_an_onset_by_the_request_is_read(self, onset: dict[str, object]) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Condition").update(onset)
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize(("onset", "read"), [("2026-04", True), ("2026-05", False)])
    def test_a_month_is_after_only_if_its_first_day_is(self, onset: str, read: bool) -> None:
        """Asked on 31 March, an onset in April may be of the 1st: within a day's time zones."""
        data = bundle("melanoma-iv-approve")
        resource(data, "Claim")["created"] = "2026-03-31"
        resource(data, "Condition")["onsetDateTime"] = onset
        if read:
            assert request_from_bundle(data, "proleukin").diagnoses != ()
        else:
            assert paths(data) == [
                f"Bundle.entry[{index(data, 'Condition')}].resource.onsetDateTime"
            ]

    def test_an_onset_of_a_resolved_condition_is_not_read(self) -> None:
        """Not current, the condition is not the patient's disease whenever it began."""
        data = bundle("melanoma-iv-approve")
        condition = resource(data, "Condition")
        condition["onsetDateTime"] = "2062-03-02"
        condition["clinicalStatus"]["coding"][0]["code"] = "resolved"
        assert request_from_bundle(data, "proleukin").diagnoses == ()

    @pytest.mark.parametrize("onset", ["2026-13", "2026-00", "0000"])
    def test_an_onset_of_no_calendar(self, onset: str) -> None:
        """A month 13 or a year 0000 is no FHIR date: a fault where it is, never a crash."""
        data = bundle("melanoma-iv-approve")
        resource(data, "Condition")["onsetDateTime"] = onset
        assert faults(data) == [
            (
                f"Bundle.entry[{index(data, 'Condition')}].resource.onsetDateTime",
                f"'{onset}' is not a FHIR date (YYYY-MM-DD)",
            )
        ]

    @pytest.mark.parametrize(
        ("onset", "where", "reason"),
        [
            (
                {"onsetDateTime": "2020-01-01", "onsetPeriod": {"start": "2062-01-01"}},
                "onsetPeriod",
                "onset[x] is one element, and it is given as onsetDateTime too: which holds is "
                "not said",
            ),
            ({"onsetPeriod": "2020"}, "onsetPeriod", "expected a Period (a JSON object)"),
        ],
        ids=["given twice", "a period no object"],
    )
    def test_an_onset_not_read(self, onset: dict[str, object], where: str, reason: str) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Condition").update(onset)
        path = f"Bundle.entry[{index(data, 'Condition')}].resource.{where}"
        assert faults(data) == [(path, reason)]

    def test_an_onset_that_is_no_date(self) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Condition")["onsetDateTime"] = "soon"
        [(path, _)] = faults(data)
        assert path.endswith(".resource.onsetDateTime")


class TestModifierExtensions:
    """A modifier extension may change what its element means: never passed over."""

    @pytest.mark.parametrize(
        ("kind", "where"),
        [
            ("Condition", ()),
            ("MedicationRequest", ("dosageInstruction", 0)),
            ("MedicationStatement", ("medicationCodeableConcept", "coding", 0)),
            ("QuestionnaireResponse", ("item", 0, "answer", 0)),
        ],
    )
    def test_one_anywhere_in_a_resource_is_a_fault(
        self, kind: str, where: tuple[str | int, ...]
    ) -> None:
        data = bundle("melanoma-iv-approve")
        holder: Any = resource(data, kind)
        for step in where:
            holder = holder[step]
        holder["modifierExtension"] = copy.deepcopy(_MODIFIER)
        path = at(f"Bundle.entry[{index(data, kind)}].resource", *where, "modifierExtension")
        assert faults(data) == [
            (
                path,
                "a modifier extension umpolicy does not read: it may change what its element "
                "means ('https://ehr.example/negated')",
            )
        ]

    def test_one_on_an_entry_is_a_fault(self) -> None:
        data = bundle("melanoma-iv-approve")
        data["entry"][index(data, "Condition")]["modifierExtension"] = [{"url": 5}]
        [(path, _)] = faults(data)
        assert path == f"Bundle.entry[{index(data, 'Condition')}].modifierExtension"

    def test_one_in_a_hooks_prefetch_is_a_fault(self) -> None:
        hook = hook_from_request(example("melanoma-iv-approve"))
        records = hook_records(hook)
        condition = next(e for e in records if e["resource"]["resourceType"] == "Condition")
        condition["resource"]["modifierExtension"] = copy.deepcopy(_MODIFIER)
        with pytest.raises(InputError) as caught:
            request_from_hook(hook, "proleukin", today=TODAY)
        assert caught.value.errors[0].path.endswith(".resource.modifierExtension")

    def test_none_is_none(self) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Condition")["modifierExtension"] = []
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE


class TestClaimStatus:
    """A Claim cancelled or entered in error asks for nothing: never decided."""

    @pytest.mark.parametrize("status", ["cancelled", "entered-in-error"])
    def test_a_claim_withdrawn_is_a_fault(self, status: str) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Claim")["status"] = status
        assert faults(data) == [
            (
                f"Bundle.entry[{index(data, 'Claim')}].resource.status",
                f"the Claim is {status!r}: umpolicy decides an active or draft Claim",
            )
        ]

    @pytest.mark.parametrize("status", [None, "Active", ["active"]])
    def test_a_claim_of_no_status_is_a_fault(self, status: object) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Claim")["status"] = status
        assert paths(data) == [f"Bundle.entry[{index(data, 'Claim')}].resource.status"]

    def test_a_draft_claim_is_decided(self) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Claim")["status"] = "draft"
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE


class TestTherapyListMode:
    """An empty List of changes says nothing changed, not that there are no therapies."""

    def test_a_list_of_changes_is_not_read(self) -> None:
        data = bundle("rcc-approve")
        resource(data, "List")["mode"] = "changes"
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION

    @pytest.mark.parametrize("mode", ["working", "snapshot"])
    def test_a_list_of_what_there_is_is_read(self, mode: str) -> None:
        data = bundle("rcc-approve")
        resource(data, "List")["mode"] = mode
        assert request_from_bundle(data, "proleukin").therapies.concomitant == ()

    @pytest.mark.parametrize("mode", ["Snapshot", 5])
    def test_a_mode_not_of_its_codes_is_a_fault(self, mode: object) -> None:
        data = bundle("rcc-approve")
        resource(data, "List")["mode"] = mode
        assert paths(data) == [f"Bundle.entry[{index(data, 'List')}].resource.mode"]


class TestAnotherServersRecord:
    """An absolute reference names one server's record: another's of the same id is not it."""

    @pytest.mark.parametrize(
        ("reference", "resolves"),
        [
            ("https://other.example/fhir/Patient/patient-1", False),
            ("https://example.org/fhir/Patient/patient-1", True),
            ("https://example.org/fhir/Patient/patient-1/", True),
            ("Patient/patient-1", True),
        ],
    )
    def test_by_the_entrys_full_url(self, reference: str, resolves: bool) -> None:
        data = bundle("melanoma-iv-approve")
        assert data["entry"][index(data, "Patient")]["fullUrl"].startswith("https://example.org/")
        resource(data, "Condition")["subject"] = {"reference": reference}
        if resolves:
            assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE
        else:
            [(path, reason)] = faults(data)
            assert path == f"Bundle.entry[{index(data, 'Condition')}].resource.subject.reference"
            assert "does not resolve" in reason

    def test_an_entry_without_a_server_is_found_by_type_and_id(self) -> None:
        data = bundle("melanoma-iv-approve")
        data["entry"][index(data, "Patient")]["fullUrl"] = "urn:uuid:0c3d6c1e-5a3b-4a52-9c7f"
        resource(data, "Condition")["subject"] = {
            "reference": "https://ehr.example/fhir/Patient/patient-1"
        }
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE


class TestImplicitRules:
    """Implicit rules may change what a resource means: FHIR has them refused, not ignored."""

    def test_on_a_resource_is_a_fault(self) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Condition")["implicitRules"] = "https://ehr.example/rules"
        [(path, reason)] = faults(data)
        assert path == f"Bundle.entry[{index(data, 'Condition')}].resource.implicitRules"
        assert "'https://ehr.example/rules'" in reason

    def test_on_the_bundle_is_a_fault(self) -> None:
        data = bundle("melanoma-iv-approve")
        data["implicitRules"] = "https://ehr.example/rules"
        assert paths(data) == ["Bundle.implicitRules"]

    def test_on_a_hooks_prefetched_resource_is_a_fault(self) -> None:
        hook = hook_from_request(example("melanoma-iv-approve"))
        hook["prefetch"]["patient"]["implicitRules"] = "https://ehr.example/rules"
        with pytest.raises(InputError) as caught:
            request_from_hook(hook, "proleukin", today=TODAY)
        assert [e.path for e in caught.value.errors] == ["prefetch.patient.implicitRules"]


class TestPatientRecord:
    """A Patient record not in use, or of a patient deceased, is never decided."""

    @pytest.mark.parametrize(
        ("element", "value", "reason"),
        [
            ("active", False, "the Patient record is not in use (active false)"),
            ("active", "no", "expected a boolean, got 'no'"),
            ("deceasedBoolean", True, "the patient is deceased"),
            ("deceasedBoolean", "yes", "expected a boolean, got 'yes'"),
            ("deceasedDateTime", "2026-03-01", "the patient is deceased"),
            ("deceasedDateTime", "2030", "the patient is deceased"),
        ],
    )
    def test_is_a_fault(self, element: str, value: object, reason: str) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Patient")[element] = value
        [(path, said)] = faults(data)
        assert path == f"Bundle.entry[{index(data, 'Patient')}].resource.{element}"
        assert said.startswith(reason)

    @pytest.mark.parametrize(("element", "value"), [("active", True), ("deceasedBoolean", False)])
    def test_a_record_in_use_of_a_living_patient_is_decided(
        self, element: str, value: object
    ) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Patient")[element] = value
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_a_record_replaced_by_another_is_a_fault(self) -> None:
        """A link of type replaced-by: the record "must no longer be used" (a modifier)."""
        data = bundle("melanoma-iv-approve")
        link = {"other": {"reference": "Patient/p2"}, "type": "replaced-by"}
        resource(data, "Patient")["link"] = [link]
        [(path, said)] = faults(data)
        assert path == f"Bundle.entry[{index(data, 'Patient')}].resource.link[0].type"
        assert said.startswith("the Patient record is replaced by another (link replaced-by)")

    @pytest.mark.parametrize(
        ("link", "at", "reason"),
        [
            (1, "link[0]", "expected a link (a JSON object)"),
            ({}, "link[0].type", "required field missing: a link type"),
            ({"type": "Replaced-By"}, "link[0].type", "'Replaced-By' is not a link type"),
            ({"type": ["replaced-by"]}, "link[0].type", "['replaced-by'] is not a link type"),
        ],
    )
    def test_a_link_not_understood_is_a_fault(self, link: object, at: str, reason: str) -> None:
        """A modifier umpolicy cannot read is never passed over: it may say replaced-by."""
        data = bundle("melanoma-iv-approve")
        resource(data, "Patient")["link"] = [link]
        [(path, said)] = faults(data)
        assert path == f"Bundle.entry[{index(data, 'Patient')}].resource.{at}"
        assert said.startswith(reason)

    @pytest.mark.parametrize("kind", ["replaces", "refer", "seealso"])
    def test_a_record_linked_otherwise_is_decided(self, kind: str) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Patient")["link"] = [{"other": {"reference": "Patient/p2"}, "type": kind}]
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE


class TestCoverage:
    """Only an active Coverage of the patient's, in its period, covers the request."""

    @pytest.mark.parametrize("status", ["cancelled", "entered-in-error", "draft"])
    def test_one_not_active_is_a_fault(self, status: str) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Coverage")["status"] = status
        assert faults(data) == [
            (
                f"Bundle.entry[{index(data, 'Coverage')}].resource.status",
                f"the Coverage is {status!r}: umpolicy decides under an active Coverage",
            )
        ]

    @pytest.mark.parametrize("status", [None, "Active"])
    def test_one_of_no_status_is_a_fault(self, status: object) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Coverage")["status"] = status
        assert paths(data) == [f"Bundle.entry[{index(data, 'Coverage')}].resource.status"]

    def test_another_persons_is_a_fault(self) -> None:
        data = bundle("melanoma-iv-approve")
        data["entry"].append({"resource": {"resourceType": "Patient", "id": "someone-else"}})
        resource(data, "Coverage")["beneficiary"] = {"reference": "Patient/someone-else"}
        assert paths(data) == [
            f"Bundle.entry[{index(data, 'Coverage')}].resource.beneficiary.reference"
        ]

    @pytest.mark.parametrize(
        ("period", "holds"),
        [
            ({"end": "2025-12-31"}, False),
            ({"start": "2027"}, False),
            ({"start": "2026-01-01", "end": "2026-12-31"}, True),
            ({"start": "2026-03"}, True),
        ],
    )
    def test_its_period_holds_the_request(self, period: dict[str, str], holds: bool) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Coverage")["period"] = period
        if holds:
            assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE
        else:
            assert paths(data) == [f"Bundle.entry[{index(data, 'Coverage')}].resource.period"]

    @pytest.mark.parametrize(
        ("insurance", "where", "reason"),
        [
            (None, "", "required field missing: the Coverage the request is decided under"),
            ([], "", "required field missing: the Coverage the request is decided under"),
            (["x"], "[0]", "expected an insurance (a JSON object)"),
        ],
        ids=["absent", "empty", "no object"],
    )
    def test_a_claim_under_no_coverage_is_a_fault(
        self, insurance: object, where: str, reason: str
    ) -> None:
        # FHIR requires a Claim's insurance: one naming no Coverage was decided (and
        # approved) under none, past every check of the Coverage
        data = bundle("melanoma-iv-approve")
        claim = resource(data, "Claim")
        if insurance is None:
            del claim["insurance"]
        else:
            claim["insurance"] = insurance
        assert faults(data) == [
            (f"Bundle.entry[{index(data, 'Claim')}].resource.insurance{where}", reason)
        ]

    def test_one_of_no_beneficiary_is_a_fault(self) -> None:
        # FHIR requires it: a Coverage that says not whose it is covers no patient known
        data = bundle("melanoma-iv-approve")
        del resource(data, "Coverage")["beneficiary"]
        assert faults(data) == [
            (
                f"Bundle.entry[{index(data, 'Coverage')}].resource.beneficiary",
                "required field missing: the patient the Coverage covers",
            )
        ]

    def test_a_hooks_coverage_cancelled_is_a_fault(self) -> None:
        hook = hook_from_request(example("melanoma-iv-approve"))
        hook["prefetch"]["coverage"]["entry"][0]["resource"]["status"] = "cancelled"
        with pytest.raises(InputError) as caught:
            request_from_hook(hook, "proleukin", today=TODAY)
        assert [e.path for e in caught.value.errors] == [
            "prefetch.coverage.entry[0].resource.status"
        ]


class TestOrderIntent:
    """Only an order is decided; a proposal, plan or option is no therapy surely given."""

    @pytest.mark.parametrize("intent", ["proposal", "plan", "option"])
    def test_the_order_decided_not_an_order_is_a_fault(self, intent: str) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "MedicationRequest")["intent"] = intent
        [(path, reason)] = faults(data)
        assert path == f"Bundle.entry[{index(data, 'MedicationRequest')}].resource.intent"
        assert reason.startswith(f"the intent is {intent!r}, not yet an order")

    @pytest.mark.parametrize("intent", [None, "Order", 1])
    def test_the_order_decided_of_no_intent_is_a_fault(self, intent: object) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "MedicationRequest")["intent"] = intent
        assert paths(data) == [f"Bundle.entry[{index(data, 'MedicationRequest')}].resource.intent"]

    def test_an_original_order_is_decided(self) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "MedicationRequest")["intent"] = "original-order"
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize("intent", ["proposal", "plan", "option", None])
    def test_another_order_not_an_order_leaves_the_concomitant_unknown(
        self, intent: object
    ) -> None:
        data, _ = with_order(pembrolizumab(intent=intent), lists=False)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_and_contradicts_a_list_saying_none(self) -> None:
        data, path = with_order(pembrolizumab(intent="proposal"))
        [(where, reason)] = faults(data)
        assert where == f"{path}.intent"
        assert reason.startswith("'proposal': the therapy may be a concomitant one")


class TestTheLatestMeasure:
    """The latest measure is one surely later than the others: a date is not, beside a time."""

    @pytest.mark.parametrize(
        ("one", "other", "read"),
        [
            ("2026-03-01", "2026-03-01T18:00:00Z", None),  # which was later that day?
            ("2026-03-01T08:00:00Z", "2026-03-01", None),
            ("2026-03-02", "2026-03-01T18:00:00Z", 50),  # the day after is later
            ("2026-03-01T08:00:00Z", "2026-03-01T18:00:00Z", 73),
            ("2026-03-01", "2026-03-01", None),
        ],
    )
    def test_of_a_date_and_a_time(self, one: str, other: str, read: int | None) -> None:
        data = bundle("melanoma-iv-approve")
        weight = resource(data, "Observation")
        weight["effectiveDateTime"] = one
        weight["valueQuantity"]["value"] = Decimal(50)
        data["entry"].append({"resource": weighing(data, 73, other)})
        if read is None:
            [(path, reason)] = faults(data)
            assert path == f"Bundle.entry[{len(data['entry']) - 1}].resource.effectiveDateTime"
            assert "one surely later than the others" in reason
        else:
            weighed = request_from_bundle(data, "proleukin").patient.weight
            assert weighed == Quantity(read, "kg")

    @pytest.mark.parametrize(
        ("when", "said"),
        [
            ("2026-03-01T10:00", "'2026-03-01T10:00' is not a FHIR date or dateTime"),
            ("2026-03-01T25:00:00Z", "'2026-03-01T25:00:00Z' is not a FHIR dateTime"),
        ],
        ids=["no seconds, no zone", "no clock's hour"],
    )
    def test_a_time_that_is_not_fhirs_is_a_fault(self, when: str, said: str) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Observation")["effectiveDateTime"] = when
        assert faults(data) == [
            (f"Bundle.entry[{index(data, 'Observation')}].resource.effectiveDateTime", said)
        ]


class TestRelativeReferences:
    """A relative reference is to a record of the server of the entry holding it."""

    def test_of_an_entry_on_another_server_is_not_the_patient(self) -> None:
        data = bundle("melanoma-iv-approve")
        at_condition = index(data, "Condition")
        data["entry"][at_condition]["fullUrl"] = "https://other.example/fhir/Condition/c"
        [(path, reason)] = faults(data)
        assert path == f"Bundle.entry[{at_condition}].resource.subject.reference"
        assert "does not resolve" in reason

    def test_resolves_to_that_servers_record(self) -> None:
        data = bundle("melanoma-iv-approve")
        data["entry"][index(data, "Condition")]["fullUrl"] = (
            "https://other.example/fhir/Condition/c"
        )
        data["entry"].append(
            {
                "fullUrl": "https://other.example/fhir/Patient/patient-1",
                "resource": {"resourceType": "Patient", "id": "patient-1"},
            }
        )
        [(path, reason)] = faults(data)
        assert path == f"Bundle.entry[{index(data, 'Condition')}].resource.subject.reference"
        assert reason == "refers to another patient than the request's"

    def test_from_outside_every_resource_by_its_text(self) -> None:
        """A reference held by no resource read (a hook's context) resolves as written."""
        reading = Reading("Bundle")
        url = "https://ehr.example/fhir/Patient/p1"
        reading.add({"resourceType": "Patient", "id": "p1"}, "Bundle.entry[0].resource", url)
        assert reading.lookup("Patient/p1", "context.patientId") is not None
        assert reading.lookup("https://other.example/fhir/Patient/p1", "context.patient") is None

    def test_the_deepest_holder_gives_the_server(self) -> None:
        """A reference in a contained resource resolves against that one's server."""
        reading = Reading("Bundle")
        outer, inner = "Bundle.entry[0].resource", "Bundle.entry[0].resource.contained[0]"
        reading.add({"resourceType": "Claim", "id": "c"}, outer, "https://a.example/fhir/Claim/c")
        reading.add({"resourceType": "Basic", "id": "b"}, inner, "https://b.example/fhir/Basic/b")
        reading.add(
            {"resourceType": "Patient", "id": "p"},
            "Bundle.entry[1].resource",
            "https://b.example/fhir/Patient/p",
        )
        assert reading.lookup("Patient/p", f"{inner}.subject") is not None
        assert reading.lookup("Patient/p", f"{outer}.patient") is None

    def test_of_an_entry_without_a_server_is_found_by_type_and_id(self) -> None:
        data = bundle("melanoma-iv-approve")
        data["entry"][index(data, "Condition")]["fullUrl"] = "urn:uuid:5d0e0a52-1b1e-4f3e"
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE


class TestVersionedReferences:
    """A version-specific reference is to that version: FHIR matches it by meta.versionId."""

    @pytest.mark.parametrize("absolute", [False, True], ids=["relative", "absolute"])
    def test_to_the_version_here_resolves(self, absolute: bool) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Patient")["meta"] = {"versionId": "3"}
        url = data["entry"][index(data, "Patient")]["fullUrl"] if absolute else "Patient/patient-1"
        resource(data, "Claim")["patient"] = {"reference": f"{url}/_history/3"}
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        ("meta", "held"),
        [({"versionId": "2"}, "version '2'"), (None, "of no version said (meta.versionId)")],
        ids=["another version", "no version said"],
    )
    def test_to_another_version_is_a_fault(self, meta: object, held: str) -> None:
        data = bundle("melanoma-iv-approve")
        if meta is not None:
            resource(data, "Patient")["meta"] = meta
        resource(data, "Claim")["patient"] = {"reference": "Patient/patient-1/_history/3"}
        claim, patient = index(data, "Claim"), index(data, "Patient")
        assert faults(data) == [
            (
                f"Bundle.entry[{claim}].resource.patient.reference",
                "the reference 'Patient/patient-1/_history/3' is to version '3'; the Patient "
                f"at Bundle.entry[{patient}].resource is {held}",
            )
        ]

    def test_read_leniently_another_version_is_not_it(self) -> None:
        reading = Reading("Bundle")
        found = {"resourceType": "Medication", "id": "m", "meta": {"versionId": "1"}}
        reading.add(found, "Bundle.entry[0].resource")
        where = "Bundle.entry[1].resource.medicationReference"
        assert reading.referred({"reference": "Medication/m/_history/1"}, where) is not None
        assert reading.referred({"reference": "Medication/m/_history/2"}, where) is None


def _order_with(data: dict[str, Any], contained: list[Any], **elements: Any) -> dict[str, Any]:
    """``data`` with its MedicationRequest holding ``contained`` and ``elements``."""
    order = resource(data, "MedicationRequest")
    order["contained"] = contained
    order.update(elements)
    return data


MEDICATION = {"resourceType": "Medication", "id": "med1", "code": {"text": "Proleukin"}}


class TestContained:
    """A resource held in another (``contained``) is found by ``#id`` from within it only."""

    def test_the_orders_medication(self) -> None:
        """An EHR most often writes the drug as a contained Medication: read as if inline."""
        data = _order_with(bundle(), [MEDICATION], medicationReference={"reference": "#med1"})
        del resource(data, "MedicationRequest")["medicationCodeableConcept"]
        assert request_from_bundle(data, "proleukin") == request_from_bundle(bundle(), "proleukin")

    def test_a_hooks_draft_order(self) -> None:
        """CRD's draft order, as its EHR writes it, too."""
        hook = hook_from_request(example("rcc-approve"))
        order = hook["context"]["draftOrders"]["entry"][0]["resource"]
        code = order.pop("medicationCodeableConcept")
        order["contained"] = [{"resourceType": "Medication", "id": "m", "code": code}]
        order["medicationReference"] = {"reference": "#m"}
        expected = request_from_hook(hook_from_request(example("rcc-approve")), "proleukin")
        assert request_from_hook(hook, "proleukin") == expected

    def test_the_prescriber(self) -> None:
        data = bundle()
        role = {**copy.deepcopy(resource(data, "PractitionerRole")), "id": "who"}
        _order_with(data, [role], requester={"reference": "#who"})
        read = request_from_bundle(data, "proleukin")
        assert read.prescriber == request_from_bundle(bundle(), "proleukin").prescriber

    def test_faults_inside_are_at_their_path(self) -> None:
        """What a contained resource says wrongly is reported where it is."""
        medication = {**MEDICATION, "code": {"coding": [{"system": 7}]}}
        data = _order_with(bundle(), [medication], medicationReference={"reference": "#med1"})
        del resource(data, "MedicationRequest")["medicationCodeableConcept"]
        where = f"Bundle.entry[{index(data, 'MedicationRequest')}].resource.contained[0].code"
        assert any(path.startswith(where) for path in paths(data))

    def test_another_resources_is_not_found(self) -> None:
        """``#med1`` is the container's own: from the Claim it resolves to nothing."""
        data = _order_with(bundle(), [MEDICATION], medicationReference={"reference": "#med1"})
        del resource(data, "MedicationRequest")["medicationCodeableConcept"]
        resource(data, "Claim")["patient"] = {"reference": "#med1"}
        claim = f"Bundle.entry[{index(data, 'Claim')}].resource"
        assert (
            f"{claim}.patient.reference",
            "the reference '#med1' does not resolve to a resource here",
        ) in faults(data)

    @pytest.mark.parametrize(
        ("contained", "where", "reason"),
        [
            (["text"], "contained[0]", "expected a resource (a JSON object with its resourceType)"),
            (
                [{"resourceType": "Medication"}],
                "contained[0].id",
                "required field missing: a contained resource is referred to by its id",
            ),
            (
                [MEDICATION, MEDICATION],
                "contained[1].id",
                "'med1' is the id of {order}.contained[0] too: a reference to '#med1' could "
                "mean either",
            ),
            (
                [{**MEDICATION, "contained": [{"resourceType": "Substance", "id": "s"}]}],
                "contained[0].contained",
                "a contained resource holds resources of its own, which FHIR forbids (dom-2)",
            ),
        ],
        ids=["not a resource", "no id", "an id twice", "contained in a contained one"],
    )
    def test_refused(self, contained: list[Any], where: str, reason: str) -> None:
        """Fail closed: a contained resource no reference can name, or two it could mean."""
        data = _order_with(bundle(), contained)
        order = f"Bundle.entry[{index(data, 'MedicationRequest')}].resource"
        assert (f"{order}.{where}", reason.format(order=order)) in faults(data)


class TestContainedReferences:
    """How ``#`` references resolve, as FHIR says: within the container, never by type."""

    def reading(self) -> Reading:
        reading = Reading("Bundle")
        claim = {
            "resourceType": "Claim",
            "contained": [MEDICATION, {"resourceType": "Practitioner", "id": "p"}],
        }
        reading.add(claim, "Bundle.entry[0].resource", "https://ehr.example/fhir/Claim/1")
        reading.add({"resourceType": "Patient"}, "Bundle.entry[1].resource")
        return reading

    def test_from_the_container_and_between_siblings(self) -> None:
        reading = self.reading()
        medication = reading.lookup("#med1", "Bundle.entry[0].resource.item[0].productOrService")
        assert medication is not None
        assert medication.path == "Bundle.entry[0].resource.contained[0]"
        sibling = reading.lookup("#med1", "Bundle.entry[0].resource.contained[1].x")
        assert sibling is medication

    def test_the_container_itself(self) -> None:
        """``#`` alone, from a resource it holds, is the container."""
        reading = self.reading()
        found = reading.lookup("#", "Bundle.entry[0].resource.contained[0].manufacturer")
        assert found is not None
        assert found.path == "Bundle.entry[0].resource"

    def test_not_from_another_resource(self) -> None:
        reading = self.reading()
        assert reading.lookup("#med1", "Bundle.entry[1].resource.link") is None
        assert reading.lookup("#med1", "nowhere") is None

    def test_never_by_type(self) -> None:
        """A contained resource is part of its container, not a record of the bundle."""
        assert self.reading().of_type("Medication") == []
        assert self.reading().of_type("Practitioner") == []


class TestAnotherOrdersDrug:
    """Another order's drug is told from the one decided by what it is, not its reference's text."""

    @staticmethod
    def _contained(order: dict[str, Any], code: dict[str, Any]) -> None:
        """``order`` naming its drug as a contained Medication ``#med1`` of ``code``."""
        order.pop("medicationCodeableConcept", None)
        order["contained"] = [{"resourceType": "Medication", "id": "med1", "code": code}]
        order["medicationReference"] = {"reference": "#med1"}

    def test_two_contained_medications_of_one_id_are_two_drugs(self) -> None:
        """Fail closed: each order's ``#med1`` is its own, pembrolizumab's not Proleukin's.

        Told apart by the reference's text, the other order was taken for the drug itself,
        and a List of no concomitant therapy approved Proleukin given with pembrolizumab.
        """
        data, _ = with_order(pembrolizumab())
        self._contained(resource(data, "MedicationRequest"), {"text": "Proleukin"})
        other = resource(data, "MedicationRequest", 1)
        self._contained(other, other["medicationCodeableConcept"])
        where = f"{list_of(data, 'therapies.concomitant')}.emptyReason"
        assert faults(data) == [
            (
                where,
                "says no concomitant therapies, but the records (MedicationStatements, "
                "MedicationRequests, MedicationAdministrations) give some",
            )
        ]
        drop(data, "List")
        assert request_from_bundle(data, "proleukin").therapies.concomitant == (_PEMBROLIZUMAB,)
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.NOT_RECOMMENDED

    def test_one_reference_to_two_servers_records_is_two_drugs(self) -> None:
        """``Medication/m`` from entries of two servers is two records: two drugs."""
        data, _ = with_order(pembrolizumab(), lists=False)
        decided = resource(data, "MedicationRequest")
        del decided["medicationCodeableConcept"]
        decided["medicationReference"] = {"reference": "Medication/m"}
        other = resource(data, "MedicationRequest", 1)
        drug = other.pop("medicationCodeableConcept")
        other["medicationReference"] = {"reference": "Medication/m"}
        other["subject"] = {"reference": "https://example.org/fhir/Patient/patient-1"}
        data["entry"][-1]["fullUrl"] = "https://other.example/fhir/MedicationRequest/another-order"
        medication = {"resourceType": "Medication", "id": "m"}
        data["entry"] += [
            {
                "fullUrl": "https://example.org/fhir/Medication/m",
                "resource": {**medication, "code": {"text": "Proleukin"}},
            },
            {
                "fullUrl": "https://other.example/fhir/Medication/m",
                "resource": {**medication, "code": drug},
            },
        ]
        assert request_from_bundle(data, "proleukin").therapies.concomitant == (_PEMBROLIZUMAB,)

    def test_an_earlier_order_of_the_drug_contained_is_the_drug(self) -> None:
        """A continuation's order, its drug contained as the decided one's is: no other therapy."""
        data = bundle("melanoma-iv-approve")
        decided = resource(data, "MedicationRequest")
        self._contained(decided, {"text": "Proleukin"})
        earlier = copy.deepcopy(decided)
        earlier["id"] = "earlier-order"
        data["entry"].append({"resource": earlier})
        assert request_from_bundle(data, "proleukin").therapies.concomitant == ()
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_an_earlier_order_of_the_drugs_record_is_the_drug(self) -> None:
        """Two orders of one Medication record (``Medication/m``) order one drug."""
        data = bundle("melanoma-iv-approve")
        decided = resource(data, "MedicationRequest")
        del decided["medicationCodeableConcept"]
        decided["medicationReference"] = {"reference": "Medication/m"}
        earlier = copy.deepcopy(decided)
        earlier["id"] = "earlier-order"
        medication = {"resourceType": "Medication", "id": "m", "code": {"text": "Proleukin"}}
        data["entry"] += [{"resource": earlier}, {"resource": medication}]
        assert request_from_bundle(data, "proleukin").therapies.concomitant == ()


def ondansetron(status: str = "active", id: str = "ondansetron") -> dict[str, Any]:
    """A supportive therapy given with the drug, ondansetron (ATC A04AA01)."""
    return {
        "resourceType": "MedicationStatement",
        "id": id,
        "status": status,
        "medicationCodeableConcept": {"coding": [{"system": codes.ATC, "code": "A04AA01"}]},
        "subject": {"reference": "Patient/patient-1"},
    }


def concomitant_records(*records: dict[str, Any], listed: list[str] | None) -> dict[str, Any]:
    """The RCC approval, its concomitant therapies these records; a List of ``listed``, if any.

    ``listed`` are the ids of the MedicationStatements the List gives as the whole history.
    """
    data = drop(bundle("rcc-approve"), "List")
    data["entry"] += [{"resource": record} for record in records]
    if listed is not None:
        entries = [{"item": {"reference": f"MedicationStatement/{each}"}} for each in listed]
        the_list = {
            "resourceType": "List",
            "status": "current",
            "mode": "snapshot",
            "code": {"coding": [{"system": codes.FACT, "code": "therapies.concomitant"}]},
            "subject": {"reference": "Patient/patient-1"},
            "entry": entries,
        }
        data["entry"].append({"resource": the_list})
    return data


class TestAHistoryInPart:
    """Records alone give a history in part; a List of them gives it whole."""

    def test_records_alone_never_pass_for_all(self) -> None:
        """Ondansetron given with it does not say nothing else is: 2.C is unknown, not met.

        Read as the whole history, the one record approved Proleukin "as a single agent".
        """
        data = concomitant_records(ondansetron(), listed=None)
        therapies = request_from_bundle(data, "proleukin").therapies
        assert therapies.concomitant == (Therapy("A04AA01", ("A04AA01",)),)
        assert therapies.partial == (History.CONCOMITANT,)
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert decision.facts_needed == ("therapies.concomitant",)

    def test_a_list_of_them_gives_it_whole(self) -> None:
        data = concomitant_records(ondansetron(), listed=["ondansetron"])
        assert request_from_bundle(data, "proleukin").therapies.partial == ()
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize("status", ["retired", "entered-in-error"])
    def test_a_list_no_longer_current_says_nothing(self, status: str) -> None:
        data = concomitant_records(ondansetron(), listed=["ondansetron"])
        resource(data, "List")["status"] = status
        assert request_from_bundle(data, "proleukin").therapies.partial == (History.CONCOMITANT,)

    def test_a_list_of_changes_says_nothing(self) -> None:
        data = concomitant_records(ondansetron(), listed=["ondansetron"])
        resource(data, "List")["mode"] = "changes"
        assert request_from_bundle(data, "proleukin").therapies.partial == (History.CONCOMITANT,)

    def test_a_record_it_leaves_out(self) -> None:
        data = concomitant_records(ondansetron(), ondansetron(id="another"), listed=["ondansetron"])
        where = list_of(data, "therapies.concomitant")
        another = index(data, "MedicationStatement", 1)
        assert faults(data) == [
            (
                f"{where}.entry",
                f"leaves out the MedicationStatement at Bundle.entry[{another}].resource, a "
                "concomitant therapy: a List of the whole history lists each",
            )
        ]

    def test_a_record_that_may_be_in_it_left_out(self) -> None:
        """One on hold may resume with the drug: a List of them all lists it too."""
        data = concomitant_records(
            ondansetron(), ondansetron("on-hold", "held"), listed=["ondansetron"]
        )
        assert [path for path, _ in faults(data)] == [
            f"{list_of(data, 'therapies.concomitant')}.entry"
        ]

    def test_a_record_of_another_history(self) -> None:
        """A therapy tried before is no concomitant one, whatever a List says."""
        data = concomitant_records(ondansetron("completed"), listed=["ondansetron"])
        where = list_of(data, "therapies.concomitant")
        assert faults(data) == [
            (
                f"{where}.entry[0].item",
                f"the MedicationStatement at Bundle.entry[{index(data, 'MedicationStatement')}]"
                ".resource is not read as a concomitant therapy (its status, dates or drug say "
                "otherwise)",
            )
        ]

    @pytest.mark.parametrize(
        ("deleted", "reason"),
        [
            (True, "a List of the whole history lists no deletions"),
            ("true", "expected a boolean, got 'true'"),  # a modifier: never read as false
            (1, "expected a boolean, got 1"),
        ],
    )
    def test_an_entry_deleted(self, deleted: object, reason: str) -> None:
        data = concomitant_records(ondansetron(), listed=["ondansetron"])
        resource(data, "List")["entry"][0]["deleted"] = deleted
        where = list_of(data, "therapies.concomitant")
        assert faults(data) == [(f"{where}.entry[0].deleted", reason)]

    def test_an_entry_not_deleted(self) -> None:
        data = concomitant_records(ondansetron(), listed=["ondansetron"])
        resource(data, "List")["entry"][0]["deleted"] = False
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_a_list_of_records_says_its_mode(self) -> None:
        """Without a mode (FHIR requires one) it may be a List of changes: not the whole."""
        data = concomitant_records(ondansetron(), listed=["ondansetron"])
        del resource(data, "List")["mode"]
        assert faults(data) == [
            (
                f"{list_of(data, 'therapies.concomitant')}.mode",
                "required field missing: a List of a history's records says it is of what "
                "there is (snapshot, working)",
            )
        ]

    def test_an_empty_list_says_its_mode(self) -> None:
        """Empty, without a mode, it may be a List of no changes: not "none known"."""
        data = bundle()  # rcc-approve: its concomitant therapies an empty List
        del resource(data, "List")["mode"]
        assert faults(data) == [
            (
                f"{list_of(data, 'therapies.concomitant')}.mode",
                "required field missing: a List of a history's records says it is of what "
                "there is (snapshot, working)",
            )
        ]

    @pytest.mark.parametrize(
        "codings",
        [
            [{"code": "nilknown"}],  # of no code system
            [{"system": "urn:other", "code": "nilknown"}],
            [
                {"system": codes.LIST_EMPTY_REASON, "code": "nilknown"},
                {"system": codes.LIST_EMPTY_REASON, "code": "notasked"},
            ],
            [{"system": codes.LIST_EMPTY_REASON, "code": "notasked"}],
        ],
    )
    def test_empty_only_when_none_known(self, codings: list[dict[str, str]]) -> None:
        data = bundle()
        resource(data, "List")["emptyReason"] = {"coding": codings}
        assert faults(data) == [
            (
                f"{list_of(data, 'therapies.concomitant')}.emptyReason",
                "an empty history says why: nilknown "
                "(http://terminology.hl7.org/CodeSystem/list-empty-reason), none known, and no "
                "other reason",
            )
        ]

    @pytest.mark.parametrize(
        ("entry", "at", "reason"),
        [
            (
                {"item": {"reference": "MedicationStatement/elsewhere"}},
                "entry[0].item.reference",
                "the reference 'MedicationStatement/elsewhere' does not resolve to a resource here",
            ),
            (
                {"item": {"reference": "Patient/patient-1"}},
                "entry[0].item.reference",
                "'Patient/patient-1' is a Patient; expected MedicationStatement or "
                "MedicationRequest or MedicationAdministration or MedicationDispense",
            ),
            ("ondansetron", "entry[0]", "expected a List entry (a JSON object)"),
        ],
    )
    def test_an_entry_not_of_a_record(self, entry: object, at: str, reason: str) -> None:
        data = concomitant_records(ondansetron(), listed=["ondansetron"])
        resource(data, "List")["entry"] = [entry]
        assert faults(data) == [(f"{list_of(data, 'therapies.concomitant')}.{at}", reason)]

    def test_both_in_part_read_back_in_one_order(self) -> None:
        """The order a request names them in is not what it says: one form, one fingerprint."""
        both = (Therapy("ondansetron", ("A04AA01",)),)
        named = [
            attrs.evolve(
                example("rcc-approve"),
                therapies=Therapies(prior=both, concomitant=both, partial=order),
            )
            for order in [
                (History.CONCOMITANT, History.PRIOR),
                (History.PRIOR, History.CONCOMITANT),
            ]
        ]
        assert named[0] == named[1]
        assert named[0].therapies.partial == (History.PRIOR, History.CONCOMITANT)
        assert request_from_bundle(bundle_from_request(named[0]), "proleukin") == named[0]

    def test_written_and_read_back(self) -> None:
        """A history given in part is written as its records alone; a whole one with a List."""
        whole = attrs.evolve(
            example("rcc-approve"),
            therapies=Therapies(concomitant=(Therapy("ondansetron", ("A04AA01",)),)),
        )
        in_part = attrs.evolve(
            whole, therapies=attrs.evolve(whole.therapies, partial=(History.CONCOMITANT,))
        )
        for request, lists in ((whole, 1), (in_part, 0)):
            data = bundle_from_request(request)
            kinds = [e["resource"]["resourceType"] for e in data["entry"]]
            assert kinds.count("List") == lists
            assert request_from_bundle(data, "proleukin") == request

    def test_a_history_in_part_that_statements_cannot_say(self) -> None:
        """An outcome goes in a DTR answer, which gives the whole history: not in part."""
        request = attrs.evolve(
            example("rcc-approve"),
            therapies=Therapies(
                concomitant=(
                    Therapy("ondansetron", ("A04AA01",), outcome=TherapyOutcome.RESPONSE),
                ),
                partial=(History.CONCOMITANT,),
            ),
        )
        with pytest.raises(InputError) as caught:
            bundle_from_request(request)
        [error] = caught.value.errors
        assert error.path == "$.therapies.partial[0]"
        assert error.reason.startswith("concomitant is given in part, which FHIR says by its")


class TestTwoRecordsOfOneId:
    """Two records of one type and id that say different things: a reference cannot tell."""

    def test_a_second_patient_of_the_patients_id(self) -> None:
        """A deceased child under the patient's id was passed over, or read, by entry order."""
        data = bundle("melanoma-iv-approve")
        for entry in data["entry"]:
            entry.pop("fullUrl", None)
        child = {"resourceType": "Patient", "id": "patient-1", "birthDate": "2015-01-01"}
        data["entry"].append({"resource": child})
        first = index(data, "Patient")
        assert faults(data) == [
            (
                f"Bundle.entry[{len(data['entry']) - 1}].resource.id",
                f"'patient-1' is also the id of the Patient at Bundle.entry[{first}].resource, "
                "which says otherwise: a reference to it cannot say which is meant",
            )
        ]

    def test_the_same_record_twice_is_one(self) -> None:
        """A CRD order fetched again in the prefetch is the order, not another."""
        data = bundle("melanoma-iv-approve")
        for entry in data["entry"]:
            entry.pop("fullUrl", None)
        data["entry"].append({"resource": copy.deepcopy(resource(data, "Patient"))})
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_one_record_fetched_twice_is_one(self) -> None:
        """A copy differing in its meta (the version a fetch saw) is the same record."""
        data = bundle("melanoma-iv-approve")
        for entry in data["entry"]:
            entry.pop("fullUrl", None)
        again = {**copy.deepcopy(resource(data, "Patient")), "meta": {"versionId": "7"}}
        data["entry"].append({"resource": again})
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_entries_of_no_server_are_told_apart_by_content(self) -> None:
        """Two urn:uuid entries of one id: a relative reference cannot choose between them."""
        data = bundle("melanoma-iv-approve")
        for number, entry in enumerate(data["entry"]):
            entry["fullUrl"] = f"urn:uuid:00000000-0000-4000-8000-{number:012}"
        child = {"resourceType": "Patient", "id": "patient-1", "birthDate": "2015-01-01"}
        data["entry"].append(
            {"fullUrl": "urn:uuid:00000000-0000-4000-8000-999999999999", "resource": child}
        )
        assert [path for path, _ in faults(data)] == [
            f"Bundle.entry[{len(data['entry']) - 1}].resource.id"
        ]

    def test_records_too_deep_to_compare_are_two(self) -> None:
        """Data nested deeper than JSON text holds is never taken for the same record."""
        data = bundle("melanoma-iv-approve")
        for entry in data["entry"]:
            entry.pop("fullUrl", None)
        patient = resource(data, "Patient")
        again = copy.deepcopy(patient)
        patient["_birthDate"], again["_birthDate"] = nested(100_000, 1), nested(100_000, 1)
        data["entry"].append({"resource": again})
        found = faults(data)
        assert f"Bundle.entry[{len(data['entry']) - 1}].resource.id" in [p for p, _ in found]
        deep = [reason for _, reason in found if reason.startswith("nested deeper")]
        assert len(deep) == 2 == len(found) - 1  # each copy's nesting, and nothing else

    @pytest.mark.parametrize("dose", [None, "90000000"])
    def test_a_draft_order_and_its_original_in_the_prefetch(self, dose: str | None) -> None:
        """The draft is the order decided: its fetched original, or one it revises, is it."""
        hook = hook_from_request(example("melanoma-iv-approve"))
        draft = hook["context"]["draftOrders"]["entry"][0]["resource"]
        original = {**copy.deepcopy(draft), "status": "active", "meta": {"versionId": "1"}}
        if dose is not None:
            original["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] = dose
        hook_records(hook).append({"resource": original})
        assert evaluate_hook(hook, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_two_servers_records_are_two(self) -> None:
        data = bundle("melanoma-iv-approve")
        child = {"resourceType": "Patient", "id": "patient-1", "birthDate": "2015-01-01"}
        url = "https://other.example/fhir/Patient/patient-1"
        data["entry"].append({"fullUrl": url, "resource": child})
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE


class TestASelectionIsADraftOrder:
    """CDS Hooks: ``selections`` names orders of ``draftOrders``, never a prefetched one."""

    def test_a_prefetched_order_selected(self) -> None:
        hook = hook_from_request(example("melanoma-iv-approve"), hook="order-select")
        draft = hook["context"]["draftOrders"]["entry"][0]["resource"]
        fetched = {**copy.deepcopy(draft), "id": "fetched", "status": "active"}
        hook_records(hook).append({"resource": fetched})
        hook["context"]["selections"] = ["MedicationRequest/fetched"]
        where = f"prefetch.records.entry[{len(hook_records(hook)) - 1}].resource"
        assert hook_faults(hook) == [
            (
                "context.selections[0]",
                f"'MedicationRequest/fetched' is not one of the draft orders (it is at {where})",
            )
        ]


class TestWhatTheBundleSaysOnce:
    """An answer never overrides, nor contradicts, what the bundle's records give."""

    def test_consultants_answered_beside_the_care_team(self) -> None:
        """An answer of family medicine alone beside an oncologist on the care team."""
        data = bundle("melanoma-iv-approve")
        answers = resource(data, "QuestionnaireResponse")["item"]
        answers.append(
            {
                "linkId": "consultants",
                "item": [
                    {"linkId": "consultants.specialties", "answer": [{"valueString": "207Q00000X"}]}
                ],
            }
        )
        where = f"Bundle.entry[{index(data, 'QuestionnaireResponse')}].resource.item"
        assert faults(data) == [
            (
                f"{where}[{len(answers) - 1}]",
                f"consultants is given twice: here and at Bundle.entry[{index(data, 'Claim')}]"
                ".resource.careTeam",
            )
        ]

    @pytest.mark.parametrize(
        ("answer", "read"), [("1968-07-14", True), ("1968-01-01", True), ("2015-07-14", False)]
    )
    def test_a_birth_year_and_an_answer_of_the_day(self, answer: str, read: bool) -> None:
        """A record of 1968 leaves the day unknown: an answer may give it, not another year."""
        data = bundle("melanoma-iv-approve")
        resource(data, "Patient")["birthDate"] = "1968"
        answers = resource(data, "QuestionnaireResponse")["item"]
        answers.append({"linkId": "patient.birth_date", "answer": [{"valueDate": answer}]})
        if read:
            assert request_from_bundle(
                data, "proleukin"
            ).patient.birth_date == dt.date.fromisoformat(answer)
            return
        [(path, reason)] = faults(data)
        assert path.endswith(f"resource.item[{len(answers) - 1}]")
        assert reason == (
            f"patient.birth_date is {answer}, but the record at Bundle.entry"
            f"[{index(data, 'Patient')}].resource.birthDate gives 1968: an answer may give the "
            "day a record leaves out, never another"
        )

    def test_a_birth_date_is_a_day(self) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Patient")["birthDate"] = "1968-07-14T10:00:00Z"
        assert faults(data) == [
            (
                f"Bundle.entry[{index(data, 'Patient')}].resource.birthDate",
                "'1968-07-14T10:00:00Z' is a dateTime: a birth date is a day",
            )
        ]

    def test_answers_authored_after_the_request(self) -> None:
        """Authored in 2030, they would supersede those given by the request's day."""
        data = bundle("melanoma-iv-approve")
        later = {
            **copy.deepcopy(resource(data, "QuestionnaireResponse")),
            "id": "later",
            "authored": "2030-01-01",
        }
        data["entry"].append({"resource": later})
        assert faults(data) == [
            (
                f"Bundle.entry[{len(data['entry']) - 1}].resource.authored",
                "2030-01-01 is after the request's date (2026-03-02), by more than the 1 day "
                "time zones may put between them: umpolicy reads the answers given by then",
            )
        ]

    def test_a_differential_diagnosis_is_none_made(self) -> None:
        """Typed differential, C43.9 is considered, not made: the diagnoses stay unknown."""
        data = drop(bundle("melanoma-iv-approve"), "Condition")
        claim = resource(data, "Claim")
        kind = {"coding": [{"system": codes.DIAGNOSIS_TYPE, "code": "differential"}]}
        melanoma = {"coding": [{"system": codes.ICD10CM, "code": "C43.9"}]}
        claim["diagnosis"] = [{"sequence": 1, "diagnosisCodeableConcept": melanoma}]
        assert request_from_bundle(data, "proleukin").diagnoses is not None  # as made
        claim["diagnosis"][0]["type"] = [kind]
        assert request_from_bundle(data, "proleukin").diagnoses is None
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert "diagnoses" in decision.facts_needed

    def test_a_diagnosis_type_not_a_list(self) -> None:
        data = bundle("melanoma-iv-approve")
        claim = resource(data, "Claim")
        melanoma = {"coding": [{"system": codes.ICD10CM, "code": "C43.9"}]}
        kind = {"coding": [{"code": "differential"}]}
        claim["diagnosis"] = [{"sequence": 1, "diagnosisCodeableConcept": melanoma, "type": kind}]
        where = f"Bundle.entry[{index(data, 'Claim')}].resource.diagnosis[0].type"
        assert faults(data) == [(where, "expected a list (of CodeableConcepts)")]

    @pytest.mark.parametrize("items", [[], None])
    def test_a_claim_of_no_item(self, items: object) -> None:
        data = bundle("melanoma-iv-approve")
        resource(data, "Claim")["item"] = items
        where = f"Bundle.entry[{index(data, 'Claim')}].resource.item"
        assert (where, "required field missing: a PAS Claim asks for its drug in an item") in (
            faults(data)
        )

    @pytest.mark.parametrize("concept", [0, "Proleukin", ["x"]])
    def test_an_order_of_no_drug_concept(self, concept: object) -> None:
        data = bundle("melanoma-iv-approve")
        order = resource(data, "MedicationRequest")
        order.pop("medicationReference", None)
        order["medicationCodeableConcept"] = concept
        where = f"Bundle.entry[{index(data, 'MedicationRequest')}].resource"
        assert faults(data) == [
            (
                f"{where}.medicationCodeableConcept",
                f"expected a CodeableConcept (a JSON object), got {shown(concept)}",
            )
        ]


class TestAnAnswerReadAsGiven:
    """An answer umpolicy cannot read as it is given is a fault, never passed over."""

    @staticmethod
    def _answered(item: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """The RCC approval without its Condition, the item added: and the item's path."""
        data = drop(bundle("rcc-approve"), "Condition")
        answers = resource(data, "QuestionnaireResponse")["item"]
        answers.append(item)
        where = f"Bundle.entry[{index(data, 'QuestionnaireResponse')}].resource.item"
        return data, f"{where}[{len(answers) - 1}]"

    @pytest.mark.parametrize(
        ("link", "system", "expected"),
        [
            ("diagnoses", "http://hl7.org/fhir/sid/icd-9-cm", codes.ICD10CM),
            ("diagnoses", "urn:oid:1.2.3", codes.ICD10CM),
            ("medication.route", "urn:oid:2.16.840.1.113883.3.26.1.1", codes.SNOMED),
        ],
    )
    def test_a_code_of_another_system(self, link: str, system: str, expected: str) -> None:
        """C64.9 in ICD-9, or 47625008 in an EHR's own codes, is not ICD-10-CM's nor SNOMED's."""
        code = "C64.9" if link == "diagnoses" else "47625008"
        answer = {"valueCoding": {"system": system, "code": code}}
        data, where = self._answered({"linkId": link, "answer": [answer]})
        if link == "medication.route":
            order = resource(data, "MedicationRequest")
            del order["dosageInstruction"][0]["route"]
        assert faults(data) == [
            (
                f"{where}.answer[0].valueCoding.system",
                f"{shown(system)} is not the system umpolicy reads {link} in ({expected})",
            )
        ]

    def test_a_code_in_its_system_or_none(self) -> None:
        for system in (codes.ICD10CM, None):
            coding = {"code": "C64.9", **({} if system is None else {"system": system})}
            data, _ = self._answered({"linkId": "diagnoses", "answer": [{"valueCoding": coding}]})
            assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        ("answers", "at", "reason"),
        [
            (["garbage"], "answer[1]", "expected an answer (a JSON object)"),
            (
                [{"valueString": "C64.9", "valueBoolean": True}],
                "answer[1]",
                "an answer gives one value, not valueString, valueBoolean",
            ),
            (
                [{"valueString": "C64.9", "item": [{"linkId": "diagnoses"}]}],
                "answer[1].item",
                "umpolicy asks nothing under an answer",
            ),
        ],
    )
    def test_an_answer_not_read(self, answers: list[Any], at: str, reason: str) -> None:
        data, where = self._answered(
            {"linkId": "diagnoses", "answer": [{"valueString": "C64.9"}, *answers]}
        )
        assert faults(data) == [(f"{where}.{at}", reason)]

    def test_an_item_under_an_item_asked_for(self) -> None:
        """A contradicting answer nested under the diagnoses' item was never read."""
        nested = {"linkId": "diagnoses", "answer": [{"valueString": "C50.919"}]}
        data, where = self._answered(
            {"linkId": "diagnoses", "answer": [{"valueString": "C64.9"}], "item": [nested]}
        )
        assert faults(data) == [
            (f"{where}.item", "umpolicy asks nothing under an item it asks for")
        ]

    @pytest.mark.parametrize("link", ["consultants", "therapies.concomitant"])
    def test_an_answer_of_a_group_item(self, link: str) -> None:
        """A group is answered by its parts' items: "oncology" beside them was never read."""
        part = "specialties" if link == "consultants" else "name"
        data, where = self._answered(
            {
                "linkId": link,
                "answer": [{"valueString": "oncology"}],
                "item": [{"linkId": f"{link}.{part}", "answer": [{"valueString": "x"}]}],
            }
        )
        if link == "consultants":
            del resource(data, "Claim")["careTeam"]
        else:
            drop(data, "List")
        where = f"Bundle.entry[{index(data, _QR)}]{where[where.index('.resource') :]}"
        assert (f"{where}.answer", f"{link} is answered by its parts' items, not here") in faults(
            data
        )

    def test_a_therapy_coded_in_another_system(self) -> None:
        """RxNorm's 1547545 is no ATC code."""
        coding = {"system": codes.RXNORM, "code": "1547545"}
        data, where = self._answered(
            {
                "linkId": "therapies.concomitant",
                "item": [
                    {"linkId": "therapies.concomitant.name", "answer": [{"valueString": "x"}]},
                    {"linkId": "therapies.concomitant.codes", "answer": [{"valueCoding": coding}]},
                ],
            }
        )
        drop(data, "List")
        where = f"Bundle.entry[{index(data, _QR)}]{where[where.index('.resource') :]}"
        assert (
            f"{where}.item[1].answer[0].valueCoding.system",
            f"{shown(codes.RXNORM)} is not the system umpolicy reads "
            f"therapies.concomitant[0].codes in ({codes.ATC})",
        ) in faults(data)

    def test_an_answer_keyed_by_no_text(self) -> None:
        """Built in Python, an answer's key may be no string: never a crash, its value read."""
        data, _ = self._answered(
            {"linkId": "diagnoses", "answer": [{1: "x", "valueString": "C64.9"}]}
        )
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_a_measure_and_why_it_is_absent(self) -> None:
        data = bundle("rcc-approve")
        weight = resource(data, "Observation")
        weight["dataAbsentReason"] = {"coding": [{"code": "not-performed"}]}
        assert faults(data) == [
            (
                f"Bundle.entry[{index(data, 'Observation')}].resource.dataAbsentReason",
                "a reason the value is absent, beside a value (obs-6): give one or the other",
            )
        ]


class TestRecordsHiddenInOtherResources:
    """A record inside a nested Bundle, a Parameters or another's contained is refused."""

    @staticmethod
    def statement() -> dict[str, Any]:
        found = nivolumab("active")
        found["id"] = "ms1"
        return found

    @pytest.mark.parametrize(
        ("holder", "inner"),
        [
            (
                {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": None}]},
                "entry[0].resource",
            ),
            (
                {"resourceType": "Parameters", "parameter": [{"name": "x", "resource": None}]},
                "parameter[0].resource",
            ),
        ],
    )
    def test_inside_a_bundle_or_parameters(self, holder: dict[str, Any], inner: str) -> None:
        """Passed over, the nivolumab given with the drug would leave "single agent" met."""
        data = bundle("melanoma-iv-approve")
        held = copy.deepcopy(holder)
        key = "entry" if held["resourceType"] == "Bundle" else "parameter"
        held[key][0]["resource"] = self.statement()
        data["entry"].append({"resource": held})
        assert paths(data) == [f"Bundle.entry[{len(data['entry']) - 1}].resource.{inner}"]

    def test_a_nested_bundle_of_no_resources_is_no_fault(self) -> None:
        data = bundle("melanoma-iv-approve")
        data["entry"].append({"resource": {"resourceType": "Bundle", "type": "collection"}})
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize("container", ["DocumentReference", "Claim"])
    def test_contained_in_another_resource(self, container: str) -> None:
        data = bundle("melanoma-iv-approve")
        if container == "Claim":
            holder = resource(data, "Claim")
        else:
            holder = {"resourceType": "DocumentReference", "status": "current", "content": []}
            data["entry"].append({"resource": holder})
        holder["contained"] = [self.statement()]
        where = index(data, container)
        assert paths(data) == [f"Bundle.entry[{where}].resource.contained[0].resourceType"]

    def test_an_order_contained_in_its_claim_is_read(self) -> None:
        """The Claim's requested service may be contained in it: found by its reference."""
        data = bundle("melanoma-iv-approve")
        claim = resource(data, "Claim")
        at_ = index(data, "MedicationRequest")
        order = data["entry"].pop(at_)["resource"]
        order["id"] = "mr1"
        claim["contained"] = [order]
        for ext in claim["item"][0]["extension"]:
            if ext["url"] == codes.PAS_REQUESTED_SERVICE:
                ext["valueReference"] = {"reference": "#mr1"}
        assert request_from_bundle(data, "proleukin").medication.name == "Proleukin"


class TestFirstResource:
    """The first resource inside a resource is found wherever it is, and only there."""

    def test_none_inside(self) -> None:
        from umpolicy.integrations.fhir.reading import _first_resource

        held = {"a": [{"b": {"c": 1}}, 2], "d": "x"}
        assert _first_resource(held, "X", 0) is None

    def test_deep_inside(self) -> None:
        from umpolicy.integrations.fhir.reading import _first_resource

        held = {"part": [{"part": [{"x": {"resource": {"resourceType": "Condition"}}}]}]}
        assert _first_resource(held, "X", 0) == ("X.part[0].part[0].x.resource", "Condition")

    def test_past_what_a_reading_reads(self) -> None:
        from umpolicy.integrations.fhir.reading import MAX_DEPTH, _first_resource

        deep: Any = {"resourceType": "Condition"}
        for _ in range(MAX_DEPTH + 2):
            deep = {"x": deep}
        assert _first_resource(deep, "X", 0) is None  # the reading refuses it as too deep

    def test_in_a_list(self) -> None:
        from umpolicy.integrations.fhir.reading import _first_resource

        assert _first_resource({"a": [1, {"resourceType": "Condition"}]}, "X", 0) == (
            "X.a[1]",
            "Condition",
        )
        assert _first_resource({"a": [[{"b": {"resourceType": "Condition"}}]]}, "X", 0) == (
            "X.a[0][0].b",
            "Condition",
        )

    def test_a_key_that_is_not_text(self) -> None:
        from umpolicy.integrations.fhir.reading import _first_resource

        assert _first_resource({1: {"resource": {"resourceType": "Condition"}}}, "X", 0) == (
            "X.resource",
            "Condition",
        )


class TestReferences:
    """Every reference a resource makes is found, as deep as a reading reads."""

    def test_found_in_lists_and_objects(self) -> None:
        from umpolicy.integrations.fhir.reading import _references

        made = {"a": [{"reference": "#x"}, [{"b": {"reference": "#y"}}]], "reference": 5}
        assert _references(made) == {"#x", "#y"}

    def test_past_what_a_reading_reads(self) -> None:
        from umpolicy.integrations.fhir.reading import MAX_DEPTH, _references

        deep: Any = {"reference": "#x"}
        for _ in range(MAX_DEPTH + 2):
            deep = {"x": deep}
        assert _references(deep) == set()  # the reading refuses it as too deep


def _plan(kind: str, part: str, parts: tuple[object, ...], status: object) -> dict[str, Any]:
    """A plan of the patient's (``kind``) with these ``parts`` (its activities, its actions)."""
    return {
        "resourceType": kind,
        "id": f"{kind.lower()}-1",
        "status": status,
        "intent": "plan",
        "subject": {"reference": "Patient/patient-1"},
        part: list(parts),
    }


def care_plan(*activities: object, status: object = "active") -> dict[str, Any]:
    """A CarePlan of the patient's with these activities."""
    return _plan("CarePlan", "activity", activities, status)


def planned(product: object = None, status: object = "in-progress", **more: Any) -> dict[str, Any]:
    """A CarePlan activity giving ``product`` (a concept; none if ``None``), of ``status``."""
    detail: dict[str, Any] = {"status": status, **more}
    if status is None:
        del detail["status"]
    if product is not None:
        detail["productCodeableConcept"] = product
    return {"detail": detail}


def request_group(*actions: object, status: object = "active") -> dict[str, Any]:
    """A RequestGroup of the patient's with these actions."""
    return _plan("RequestGroup", "action", actions, status)


_IPILIMUMAB = {"coding": [{"system": codes.ATC, "code": "L01FX04"}], "text": "ipilimumab"}
_ONDANSETRON = {"coding": [{"system": codes.ATC, "code": "A04AA01"}], "text": "ondansetron"}


def with_plan(plan: dict[str, Any], *, listed: bool = False) -> dict[str, Any]:
    """The melanoma IV approval with ``plan`` added.

    With ``listed``, its List of concomitant therapies lists one, ondansetron (no
    anticancer drug), instead of none: the history is known whole, and the request is
    approved but for the plan.
    """
    data = bundle("melanoma-iv-approve")
    if listed:
        statement = {
            "resourceType": "MedicationStatement",
            "id": "ondansetron",
            "status": "active",
            "medicationCodeableConcept": _ONDANSETRON,
            "subject": {"reference": "Patient/patient-1"},
        }
        url = "https://example.org/fhir/MedicationStatement/ondansetron"
        data["entry"].append({"fullUrl": url, "resource": statement})
        where = int(list_of(data, "therapies.concomitant").split("[")[1].split("]")[0])
        listing = data["entry"][where]["resource"]
        del listing["emptyReason"]
        listing["entry"] = [{"item": {"reference": "MedicationStatement/ondansetron"}}]
    data["entry"].append({"resource": plan})
    return data


def plan_path(data: dict[str, Any]) -> str:
    """The path of the plan :func:`with_plan` added (the bundle's last entry)."""
    return f"Bundle.entry[{len(data['entry']) - 1}].resource"


class TestPlansOfOtherDrugs:
    """A CarePlan or RequestGroup that may give another drug with it: never a single agent."""

    def test_without_a_plan_the_listed_history_approves(self) -> None:
        """The baseline: ondansetron alone, listed whole, leaves Proleukin a single agent."""
        data = with_plan(care_plan(), listed=True)
        therapies = request_from_bundle(data, "proleukin").therapies
        assert therapies.concomitant == (umpolicy.Therapy("ondansetron", ("A04AA01",)),)
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize("activity", ["not-started", "scheduled", "in-progress", "on-hold"])
    @pytest.mark.parametrize("status", ["draft", "active", "on-hold", "unknown"])
    def test_another_drug_planned_leaves_the_concomitant_unknown(
        self, status: str, activity: str
    ) -> None:
        """Ipilimumab planned beside it: the history listed is not all; not approved."""
        data = with_plan(care_plan(planned(_IPILIMUMAB, activity), status=status), listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert "therapies.concomitant" in decision.facts_needed

    def test_it_contradicts_a_list_of_none(self) -> None:
        data = with_plan(care_plan(planned(_IPILIMUMAB)))
        where = f"{list_of(data, 'therapies.concomitant')}.emptyReason"
        assert faults(data) == [
            (
                f"{plan_path(data)}.status",
                f"'active': the CarePlan may give another drug with the drug asked for, and "
                f"{where} says there are no concomitant therapies",
            )
        ]

    @pytest.mark.parametrize("status", ["revoked", "completed", "entered-in-error"])
    def test_a_plan_over_gives_nothing(self, status: str) -> None:
        data = with_plan(care_plan(planned(_IPILIMUMAB), status=status))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize("status", ["completed", "cancelled", "stopped", "entered-in-error"])
    def test_an_activity_over_gives_nothing(self, status: str) -> None:
        data = with_plan(care_plan(planned(_IPILIMUMAB, status)))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_an_activity_not_to_be_done_gives_nothing(self) -> None:
        data = with_plan(care_plan(planned(_IPILIMUMAB, doNotPerform=True)))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_the_drug_itself_planned_is_no_other(self) -> None:
        """The plan of Proleukin's courses, coded as the order is: not another drug."""
        data = bundle("melanoma-iv-approve")
        order = resource(data, "MedicationRequest")
        drug = copy.deepcopy(order["medicationCodeableConcept"])
        data = with_plan(care_plan(planned(drug)))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_a_plan_of_another_drug_by_its_medication(self) -> None:
        data = with_plan(care_plan(), listed=True)
        medication = {"resourceType": "Medication", "id": "ipi", "code": _IPILIMUMAB}
        data["entry"].append(
            {"fullUrl": "https://example.org/fhir/Medication/ipi", "resource": medication}
        )
        plan = resource(data, "CarePlan")
        plan["activity"] = [
            {"detail": {"status": "scheduled", "productReference": {"reference": "Medication/ipi"}}}
        ]
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_a_medication_ordered_without_saying_which(self) -> None:
        """An activity of kind MedicationRequest, its product not given: it may be any drug."""
        data = with_plan(care_plan(planned(kind="MedicationRequest")), listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_an_activity_of_no_drug_gives_nothing(self) -> None:
        """A visit, a procedure: no product and no medication ordered."""
        visit = planned(kind="Appointment", description="clinic visit")
        data = with_plan(care_plan(visit, {"progress": [{"text": "seen"}]}))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        "reference",
        [
            {"reference": "MedicationRequest/elsewhere"},
            {"reference": "MedicationRequest/elsewhere/_history/2"},
            {"reference": "https://other.example/fhir/MedicationRequest/9"},
            {"reference": "urn:uuid:7f0c1c9e-2b1a-4a55-9d2c-1f1f3a1b2c3d"},
            {"reference": "#order"},
            {"display": "ipilimumab order"},
            {"type": "MedicationRequest", "display": "ipilimumab order"},
            {"reference": "elsewhere"},
        ],
    )
    def test_an_order_not_in_the_bundle_may_be_of_any_drug(self, reference: object) -> None:
        data = with_plan(care_plan({"reference": reference}), listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    @pytest.mark.parametrize(
        "reference",
        [
            {"reference": "Appointment/visit"},
            {"type": "Appointment", "display": "clinic visit"},
            {"reference": "Goal/weight"},
        ],
    )
    def test_a_reference_to_no_order_gives_nothing(self, reference: object) -> None:
        data = with_plan(care_plan({"reference": reference}))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_an_order_in_the_bundle_is_read_where_it_is(self) -> None:
        """The plan refers to the order decided: read as the order, not as another drug."""
        data = bundle("melanoma-iv-approve")
        order = data["entry"][index(data, "MedicationRequest")]
        target = order.get("fullUrl") or f"MedicationRequest/{order['resource']['id']}"
        data = with_plan(care_plan({"reference": {"reference": target}}))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        ("status", "reason"),
        [
            (
                None,
                "required field missing: the activity's status (not-started, scheduled, "
                "in-progress, on-hold, completed, cancelled, stopped, unknown, entered-in-error)",
            ),
            (
                "active",
                "'active' is not a CarePlan activity status; expected one of not-started, "
                "scheduled, in-progress, on-hold, completed, cancelled, stopped, unknown, "
                "entered-in-error",
            ),
        ],
    )
    def test_no_valid_activity_status_is_a_fault(self, status: object, reason: str) -> None:
        data = with_plan(care_plan(planned(_IPILIMUMAB, status)))
        assert faults(data) == [(f"{plan_path(data)}.activity[0].detail.status", reason)]

    @pytest.mark.parametrize(
        ("plan", "where", "reason"),
        [
            (
                care_plan("ipilimumab"),
                "activity[0]",
                "expected a CarePlan activity (a JSON object)",
            ),
            (
                care_plan({"reference": "MedicationRequest/x"}),
                "activity[0].reference",
                "expected a Reference (a JSON object)",
            ),
            (
                request_group(["x"]),
                "action[0]",
                "expected a RequestGroup action (a JSON object)",
            ),
        ],
    )
    def test_a_malformed_plan_is_a_fault(
        self, plan: dict[str, Any], where: str, reason: str
    ) -> None:
        data = with_plan(plan)
        assert (f"{plan_path(data)}.{where}", reason) in faults(data)

    def test_no_valid_plan_status_is_a_fault(self) -> None:
        data = with_plan(care_plan(planned(_IPILIMUMAB), status="finished"))
        assert faults(data) == [
            (
                f"{plan_path(data)}.status",
                "'finished' is not a CarePlan status; expected one of draft, active, on-hold, "
                "revoked, completed, entered-in-error, unknown",
            )
        ]

    def test_another_patients_plan_is_a_fault(self) -> None:
        plan = care_plan(planned(_IPILIMUMAB))
        plan["subject"] = {"reference": "Patient/p2"}
        data = with_plan(plan)
        other = {"resourceType": "Patient", "id": "p2"}
        data["entry"].append({"fullUrl": "https://example.org/fhir/Patient/p2", "resource": other})
        where = f"Bundle.entry[{len(data['entry']) - 2}].resource.subject.reference"
        assert faults(data) == [(where, "refers to another patient than the request's")]

    @pytest.mark.parametrize(
        "action",
        [
            {"resource": {"reference": "MedicationRequest/elsewhere"}},
            {"title": "Ipilimumab 3 mg/kg"},
            {"code": [_IPILIMUMAB]},
            {"action": [{"description": "start ipilimumab"}]},
        ],
    )
    def test_a_request_group_ordering_what_is_not_read(self, action: dict[str, Any]) -> None:
        data = with_plan(request_group(action), listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None
        data = with_plan(request_group(action))
        assert f"{plan_path(data)}.status" in paths(data)  # against the List of none

    @pytest.mark.parametrize(
        "action",
        [{}, {"resource": {"reference": "Appointment/visit"}}, {"action": [{}]}],
    )
    def test_a_request_group_of_no_drug_gives_nothing(self, action: dict[str, Any]) -> None:
        data = with_plan(request_group(action))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_without_an_order_no_plan_is_read(self) -> None:
        """No order (a problem already): no drug is known to be another, nothing more said."""
        data = drop(with_plan(care_plan(planned(_IPILIMUMAB))), "MedicationRequest")
        assert not any(path.startswith(plan_path(data)) for path in paths(data))

    def test_beside_an_order_of_a_catch_all_code_alone_every_drug_is_another(self) -> None:
        """Coded J9999 alone, without text, the order's drug is no plan's: each is another."""
        noc = {"coding": [{"system": codes.HCPCS, "code": "J9999"}]}
        data = with_plan(care_plan(planned(copy.deepcopy(noc))))
        order = resource(data, "MedicationRequest")
        order.pop("medicationReference", None)
        order["medicationCodeableConcept"] = noc
        assert f"{plan_path(data)}.status" in paths(data)

    def test_in_a_hook_too(self) -> None:
        reason = prefetched_fault(care_plan(planned(_IPILIMUMAB)))
        assert "the CarePlan may give another drug" in reason


def record(kind: str, status: object, whose: str = "subject", **more: Any) -> dict[str, Any]:
    """A record of the patient's (by ``whose``) of this kind and ``status``: ``procedure-1``."""
    return {
        "resourceType": kind,
        "id": f"{kind.lower()}-1",
        "status": status,
        whose: {"reference": "Patient/patient-1"},
        **more,
    }


def procedure(status: object = "in-progress", **more: Any) -> dict[str, Any]:
    """A Procedure of the patient's, of ``status``."""
    return record("Procedure", status, **more)


def prefetched_fault(found: dict[str, Any]) -> str:
    """The one fault of a CRD call prefetching ``found`` beside a List of none: its reason.

    It is at the record's status.
    """
    hook = hook_from_request(example("melanoma-iv-approve"))
    hook_records(hook).append({"resource": found})
    [(where, reason)] = hook_faults(hook)
    assert where == f"prefetch.records.entry[{len(hook_records(hook)) - 1}].resource.status"
    return reason


_CHEMOTHERAPY = {"coding": [{"system": "http://snomed.info/sct", "code": "367336001"}]}
_PUMP = {"coding": [{"system": "http://snomed.info/sct", "code": "469918004"}]}
_SUPPLIES = {"coding": [{"system": codes.HCPCS, "code": "A4221"}]}


class TestProceduresOfOtherDrugs:
    """A Procedure that used another drug: it may be given with it, never a single agent."""

    @pytest.mark.parametrize(
        "status", ["preparation", "in-progress", "on-hold", "stopped", "completed", "unknown"]
    )
    def test_another_drug_used_leaves_the_concomitant_unknown(self, status: str) -> None:
        """Done or being done: a dose of ipilimumab given says nothing of its regimen ending."""
        used = procedure(status, code=_CHEMOTHERAPY, usedCode=[_PUMP, _IPILIMUMAB])
        data = with_plan(used, listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION

    def test_a_procedure_coded_as_a_drug(self) -> None:
        data = with_plan(procedure(code=_IPILIMUMAB), listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_it_contradicts_a_list_of_none(self) -> None:
        data = with_plan(procedure(usedCode=[_IPILIMUMAB]))
        where = f"{list_of(data, 'therapies.concomitant')}.emptyReason"
        assert faults(data) == [
            (
                f"{plan_path(data)}.status",
                "'in-progress': the Procedure may give another drug with the drug asked for, "
                f"and {where} says there are no concomitant therapies",
            )
        ]

    @pytest.mark.parametrize("status", ["not-done", "entered-in-error"])
    def test_a_procedure_not_done_used_nothing(self, status: str) -> None:
        data = with_plan(procedure(status, usedCode=[_IPILIMUMAB]))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_what_is_no_drug_changes_nothing(self) -> None:
        """A procedure's own code, and the Devices it used (here, or not)."""
        device = {"resourceType": "Device", "id": "pump"}
        used = procedure(
            code=_CHEMOTHERAPY,
            usedReference=[{"reference": "Device/pump"}, {"reference": "Device/elsewhere"}],
        )
        data = with_plan(used)
        data["entry"].append(
            {"fullUrl": "https://example.org/fhir/Device/pump", "resource": device}
        )
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize("used", [_PUMP, _SUPPLIES, {"text": "ipilimumab"}])
    def test_whatever_it_used_by_code_may_be_another_drug(self, used: dict[str, Any]) -> None:
        """A device's code is not told from a drug's (SNOMED names substances too)."""
        data = with_plan(procedure(usedCode=[used]), listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_the_drug_itself_used_is_no_other(self) -> None:
        data = bundle("melanoma-iv-approve")
        drug = {"coding": [{"system": codes.ATC, "code": "L03AC01"}], "text": "Proleukin"}
        order = resource(data, "MedicationRequest")
        order["medicationCodeableConcept"] = copy.deepcopy(drug)
        data["entry"].append({"resource": procedure(usedCode=[drug])})
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        "reference",
        [
            {"reference": "Medication/elsewhere"},
            {"reference": "Substance/elsewhere"},
            {"display": "ipilimumab"},
            {"reference": "Medication/ipi"},
        ],
    )
    def test_a_drug_used_by_reference(self, reference: dict[str, Any]) -> None:
        """To a Medication or Substance, here (of another drug) or not, or of no type said."""
        data = with_plan(procedure(usedReference=[reference]), listed=True)
        medication = {"resourceType": "Medication", "id": "ipi", "code": _IPILIMUMAB}
        data["entry"].insert(
            0, {"fullUrl": "https://example.org/fhir/Medication/ipi", "resource": medication}
        )
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_a_reference_that_is_no_object_is_a_fault(self) -> None:
        data = with_plan(procedure(usedReference=["Medication/ipi"]))
        where = f"{plan_path(data)}.usedReference[0]"
        assert (where, "expected a Reference (a JSON object)") in faults(data)

    def test_beside_an_order_of_a_catch_all_code_alone_every_drug_is_another(self) -> None:
        noc = {"coding": [{"system": codes.HCPCS, "code": "J9999"}]}
        medication = {"resourceType": "Medication", "id": "noc", "code": _IPILIMUMAB}
        data = with_plan(procedure(usedReference=[{"reference": "Medication/noc"}]))
        data["entry"].insert(
            0, {"fullUrl": "https://example.org/fhir/Medication/noc", "resource": medication}
        )
        order = resource(data, "MedicationRequest")
        order.pop("medicationReference", None)
        order["medicationCodeableConcept"] = noc
        assert f"{plan_path(data)}.status" in paths(data)
        data = with_plan(procedure(usedCode=[_IPILIMUMAB]))
        order = resource(data, "MedicationRequest")
        order.pop("medicationReference", None)
        order["medicationCodeableConcept"] = noc
        assert f"{plan_path(data)}.status" in paths(data)


def _coded_order(data: dict[str, Any], concept: dict[str, Any]) -> dict[str, Any]:
    """The bundle with its order's drug given as ``concept``."""
    order = resource(data, "MedicationRequest")
    order.pop("medicationReference", None)
    order["medicationCodeableConcept"] = copy.deepcopy(concept)
    return data


_CONCEPT = "expected a CodeableConcept (a JSON object)"
_CODING = "expected a Coding (a JSON object)"


_PROLEUKIN_ATC = {"coding": [{"system": codes.ATC, "code": "L03AC01"}], "text": "Proleukin"}


class TestPlansReadWhole:
    """Every part of a plan or procedure is read: given wrongly, a problem at its path."""

    @pytest.mark.parametrize(
        ("plan", "where", "reason"),
        [
            (
                procedure(usedCode=[{"coding": [{"system": ["x"], "code": "L01FX04"}]}]),
                "usedCode[0].coding[0].system",
                "expected text (a JSON string)",
            ),
            (procedure(usedCode=["ipilimumab"]), "usedCode[0]", _CONCEPT),
            (procedure(code="ipilimumab"), "code", _CONCEPT),
            (
                procedure(usedCode=[{"coding": {"code": "x"}}]),
                "usedCode[0].coding",
                "expected a list",
            ),
            (procedure(usedCode=[{"coding": ["x"]}]), "usedCode[0].coding[0]", _CODING),
            (
                care_plan({"detail": ["x"]}),
                "activity[0].detail",
                "expected an activity's detail (a JSON object)",
            ),
            (
                care_plan(planned(kind="medication")),
                "activity[0].detail.kind",
                "'medication' is not a CarePlan activity kind; expected Appointment, "
                "CommunicationRequest, DeviceRequest, MedicationRequest, NutritionOrder, Task, "
                "ServiceRequest, VisionPrescription",
            ),
            (
                care_plan({"detail": {"status": "scheduled", "productCodeableConcept": "ipi"}}),
                "activity[0].detail.productCodeableConcept",
                _CONCEPT,
            ),
            (
                care_plan({"detail": {"status": "scheduled", "productReference": "Medication/i"}}),
                "activity[0].detail.productReference",
                "expected a Reference (a JSON object)",
            ),
            (
                care_plan({"reference": {"reference": 7}}),
                "activity[0].reference.reference",
                "expected text (a JSON string)",
            ),
            (
                care_plan({"reference": {"type": ["MedicationRequest"]}}),
                "activity[0].reference.type",
                "expected text (a JSON string)",
            ),
        ],
    )
    def test_given_wrongly(self, plan: dict[str, Any], where: str, reason: str) -> None:
        data = with_plan(plan)
        assert (f"{plan_path(data)}.{where}", reason) in faults(data)

    def test_a_procedure_contained_in_the_claim_is_read(self) -> None:
        """The Claim's own procedure (``Claim.procedure``) may be contained in it: read there."""
        data = bundle("melanoma-iv-approve")
        claim = resource(data, "Claim")
        claim["contained"] = [procedure("completed", code=_CHEMOTHERAPY)]
        claim["procedure"] = [{"sequence": 1, "procedureReference": {"reference": "#procedure-1"}}]
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE
        claim["contained"] = [procedure("completed", usedCode=[_IPILIMUMAB])]
        where = f"Bundle.entry[{index(data, 'Claim')}].resource.contained[0].status"
        assert where in paths(data)

    def test_a_plan_contained_in_the_claim_is_refused(self) -> None:
        """Never found by its type there, it would be passed over: refused, as a statement is."""
        for kind, plan in (
            ("CarePlan", care_plan(planned(_IPILIMUMAB))),
            ("RequestGroup", request_group({"title": "ipilimumab"})),
        ):
            data = bundle("melanoma-iv-approve")
            claim = resource(data, "Claim")
            claim["contained"] = [plan]
            claim["supportingInfo"] = [
                {
                    "sequence": 9,
                    "category": {"text": "plan"},
                    "valueReference": {"reference": f"#{plan['id']}"},
                }
            ]
            where = f"Bundle.entry[{index(data, 'Claim')}].resource.contained[0].resourceType"
            [(path, reason)] = faults(data)
            assert path == where
            assert reason.startswith(f"a {kind} contained in the Claim: a record of the patient")

    def test_nested_past_the_depth_read_it_is_a_problem_never_a_crash(self) -> None:
        """Built in Python, deeper than any JSON parser reads: said once, and not walked on."""
        action: dict[str, Any] = {"title": "ipilimumab"}
        for _ in range(5000):
            action = {"action": [action]}
        data = with_plan(request_group(action))
        [(_, reason)] = [f for f in faults(data) if f[0].startswith(plan_path(data))]
        assert reason.startswith("nested deeper than 100 levels")


class TestPlansOfOtherDrugsBeyondOrders:
    """What else a plan or procedure may give another drug by: codes, plans not sent."""

    @pytest.mark.parametrize("code", ["J9228", "j9228", "Q5101", None])
    def test_an_hcpcs_code_of_a_drug_used(self, code: str | None) -> None:
        """J (drugs given other than by mouth), Q5 (biosimilars); a code not given may be any."""
        coding: dict[str, Any] = {"system": codes.HCPCS}
        if code is not None:
            coding["code"] = code
        data = with_plan(procedure(usedCode=[{"coding": [coding]}]), listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_the_drug_itself_coded_beside_its_procedure(self) -> None:
        """CPT 96413 (an infusion) with the drug's own code: the drug's codes name it."""
        code = {
            "coding": [{"system": codes.CPT, "code": "96413"}, *_PROLEUKIN_ATC["coding"]],
            "text": "Proleukin infusion",
        }
        data = _coded_order(bundle("melanoma-iv-approve"), _PROLEUKIN_ATC)
        data["entry"].append({"resource": procedure("completed", code=code)})
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_an_activity_named_by_its_code(self) -> None:
        """No product, but a code of another drug: ipilimumab is planned."""
        activity = planned(code=_IPILIMUMAB)
        data = with_plan(care_plan(activity), listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None
        data = _coded_order(with_plan(care_plan(planned(code=_PROLEUKIN_ATC))), _PROLEUKIN_ATC)
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize("kind", ["CarePlan", "RequestGroup"])
    def test_a_plan_not_sent_may_order_any_drug(self, kind: str) -> None:
        """A regimen's order set, referred to but not in the bundle."""
        reference = {"reference": f"{kind}/regimen"}
        for plan in (care_plan({"reference": reference}), request_group({"resource": reference})):
            data = with_plan(plan, listed=True)
            assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_an_action_of_a_resource_and_actions_reads_both(self) -> None:
        """FHIR forbids both (rqg-1); read, each may order a drug."""
        action = {"resource": {"reference": "Appointment/visit"}, "action": [{"title": "ipi"}]}
        data = with_plan(request_group(action), listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None


class TestTheDrugItselfByThePolicy:
    """A plan or procedure of the policy's own drug, by its codes or its name, is no other."""

    @pytest.mark.parametrize(
        "product",
        [
            {"coding": [{"system": codes.HCPCS, "code": "J9015"}]},
            {"coding": [{"system": codes.ATC, "code": "L03AC01"}]},
            {"coding": [{"system": codes.NDC, "code": "76310-022-01"}], "text": "Proleukin"},
            {"text": "aldesleukin"},
        ],
    )
    def test_beside_an_order_by_its_name_alone(self, product: dict[str, Any]) -> None:
        """The shipped examples order {"text": "Proleukin"}: J9015 is the policy's drug too."""
        data = with_plan(care_plan(planned(product)))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE
        data = with_plan(procedure("completed", usedCode=[product]))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        "product",
        [
            {"coding": [{"system": codes.HCPCS, "code": "J9015"}], "text": "ipilimumab"},
            {"coding": [{"system": codes.HCPCS, "code": "J9228"}], "text": "Proleukin"},
            {"coding": [{"system": codes.NDC, "code": "76310-022-01"}]},
            {"coding": [{"system": codes.HCPCS, "code": "J9999"}]},
            {"coding": [{"code": "96413"}]},
        ],
    )
    def test_what_does_not_show_the_drug_is_another(self, product: dict[str, Any]) -> None:
        """A code or name of another drug, or a code that shows nothing and no name."""
        data = with_plan(care_plan(planned(product)), listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_without_the_policy_named_the_order_alone_says(self) -> None:
        """Named only by the bundle's answers, read after the therapies: the order's drug."""
        product = {"coding": [{"system": codes.HCPCS, "code": "J9015"}]}
        data = with_plan(care_plan(planned(product)))
        with pytest.raises(InputError) as caught:
            request_from_bundle(data, None)
        assert f"{plan_path(data)}.status" in [e.path for e in caught.value.errors]

    def test_a_policy_no_package_has_leaves_the_order_alone_to_say(self) -> None:
        """Its drug unknown, ipilimumab is another than the order's; the name is refused too."""
        data = with_plan(care_plan(planned(_IPILIMUMAB)))
        found = [path for path, _ in faults(data, "no-such-policy")]
        assert f"{plan_path(data)}.status" in found


class TestWhatAPlanFollows:
    """The plans, orders and protocols a plan is part of or follows, and what it gave."""

    @pytest.mark.parametrize(
        ("element", "value"),
        [
            ("instantiatesCanonical", ["https://example.org/PlanDefinition/ipi-nivo"]),
            ("instantiatesUri", ["https://example.org/regimens/ipi-nivo"]),
            ("basedOn", [{"reference": "CarePlan/oncology"}]),
            ("partOf", [{"reference": "CarePlan/oncology"}]),
        ],
    )
    def test_a_plan_follows_what_may_give_a_drug(self, element: str, value: object) -> None:
        plan = care_plan()
        plan[element] = value
        data = with_plan(plan, listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None
        group = request_group()
        group[element] = value
        data = with_plan(group, listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_a_protocol_of_an_activity(self) -> None:
        activity = planned(instantiatesCanonical=["https://example.org/PlanDefinition/ipi"])
        data = with_plan(care_plan(activity), listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_a_protocol_not_given_as_text_is_a_fault(self) -> None:
        plan = care_plan()
        plan["instantiatesCanonical"] = [7]
        data = with_plan(plan)
        where = f"{plan_path(data)}.instantiatesCanonical[0]"
        assert (where, "expected text (a JSON string)") in faults(data)

    def test_what_an_activity_gave(self) -> None:
        """Its outcome: a dose given, not in the bundle."""
        activity = {"outcomeReference": [{"reference": "MedicationAdministration/dose-1"}]}
        data = with_plan(care_plan(activity), listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_a_procedure_part_of_a_dose_given(self) -> None:
        part = procedure(partOf=[{"reference": "MedicationAdministration/dose-1"}])
        data = with_plan(part, listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_a_procedure_is_not_read_by_the_plan_it_was_done_under(self) -> None:
        """A nephrectomy under a plan the bundle does not hold: the plan says, if it is sent."""
        done = procedure("completed", code=_CHEMOTHERAPY, basedOn=[{"reference": "CarePlan/x"}])
        data = with_plan(done)
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        ("reference", "held"),
        [
            ({"reference": "Task/infuse"}, None),
            ({"reference": "ServiceRequest/infusion"}, "ServiceRequest"),
            ({"reference": "Medication/ipi"}, "Medication"),
        ],
    )
    def test_a_resource_not_read_as_a_therapy_may_order_any_drug(
        self, reference: dict[str, Any], held: str | None
    ) -> None:
        """A task, a service request for an infusion (held or not), another drug's Medication."""
        data = with_plan(care_plan({"reference": reference}), listed=True)
        if held is not None:
            ident = reference["reference"].split("/")[1]
            found: dict[str, Any] = {"resourceType": held, "id": ident}
            if held == "Medication":
                found["code"] = _IPILIMUMAB
            else:  # read where it is: of no code, it may order any drug
                found = service_request(id=ident)
            url = f"https://example.org/fhir/{held}/{ident}"
            data["entry"].insert(0, {"fullUrl": url, "resource": found})
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    @pytest.mark.parametrize(
        ("reference", "where", "reason"),
        [
            (
                {"reference": "medicationrequest/x"},
                "reference",
                "'medicationrequest' is no FHIR R4 resource type",
            ),
            ({"type": "Order", "display": "x"}, "type", "'Order' is no FHIR R4 resource type"),
            ({"display": 5}, "display", "expected text (a JSON string)"),
        ],
    )
    def test_a_reference_given_wrongly(
        self, reference: dict[str, Any], where: str, reason: str
    ) -> None:
        data = with_plan(care_plan({"reference": reference}))
        assert (f"{plan_path(data)}.activity[0].reference.{where}", reason) in faults(data)

    @pytest.mark.parametrize(
        ("detail", "gives"),
        [
            ({"status": "scheduled"}, False),
            ({"status": "scheduled", "kind": "Appointment", "description": "visit"}, False),
            ({"status": "scheduled", "kind": "ServiceRequest", "description": "infusion"}, True),
            ({"status": "scheduled", "description": "start ipilimumab"}, True),
            ({"status": "scheduled", "code": {"text": "ipilimumab"}}, True),
            ({"status": "scheduled", "code": {"coding": [{"code": "J9228"}]}}, True),
        ],
    )
    def test_an_activity_in_words(self, detail: dict[str, Any], gives: bool) -> None:
        """Of a kind that gives no drug, or saying nothing: none; in words: perhaps any."""
        data = with_plan(care_plan({"detail": detail}), listed=True)
        concomitant = request_from_bundle(data, "proleukin").therapies.concomitant
        assert (concomitant is None) is gives

    @pytest.mark.parametrize(
        ("action", "gives"),
        [({"prefix": "1."}, True), ({"type": {"text": "create"}}, True), ({"linkId": "a"}, False)],
    )
    def test_an_action_that_says_anything(self, action: dict[str, Any], gives: bool) -> None:
        action = {**action, "extension": [{"url": "https://example.org/x", "valueString": "y"}]}
        data = with_plan(request_group(action), listed=True)
        concomitant = request_from_bundle(data, "proleukin").therapies.concomitant
        assert (concomitant is None) is gives

    def test_a_concept_given_wrongly_is_said_once(self) -> None:
        """Read as a procedure's code and as a drug's: one problem."""
        data = with_plan(procedure(code={"coding": [{"system": codes.ATC, "code": 5}]}))
        where = f"{plan_path(data)}.code.coding[0].code"
        assert [path for path in paths(data) if path == where] == [where]
        data = with_plan(care_plan(planned({"text": 5})))
        where = f"{plan_path(data)}.activity[0].detail.productCodeableConcept.text"
        assert (where, "expected text (a JSON string)") in faults(data)


_LOINC_PANEL = {"coding": [{"system": "http://loinc.org", "code": "24323-8"}], "text": "CMP"}


class TestWhatIsNoOtherDrug:
    """What a real plan of Proleukin holds besides it: services, the drug, a therapy listed."""

    @pytest.mark.parametrize(
        "code",
        [
            _LOINC_PANEL,
            {"coding": [{"system": codes.CPT, "code": "71250"}], "text": "CT chest"},
            {"coding": [{"system": codes.HCPCS, "code": "G6003"}], "text": "radiation"},
        ],
    )
    def test_an_activity_coded_as_a_service(self, code: dict[str, Any]) -> None:
        """A laboratory panel, an imaging study, radiation (an HCPCS service's code)."""
        detail = {"status": "scheduled", "kind": "ServiceRequest", "code": code}
        data = with_plan(care_plan({"detail": detail}))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE
        data = with_plan(procedure("completed", code=code))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        ("code", "orders", "tasks"),
        [
            (_LOINC_PANEL, False, False),
            (_IPILIMUMAB, True, True),
            ({"text": "infuse"}, True, True),
            (None, True, False),
        ],
    )
    def test_a_service_request_or_task_a_plan_refers_to_is_read_where_it_is(
        self, code: dict[str, Any] | None, orders: bool, tasks: bool
    ) -> None:
        """By its own code: words may say any drug; a task of no code gives none by it."""
        for found, gives in ((service_request(code), orders), (task("requested"), tasks)):
            if code is not None:
                found["code"] = code
            reference = f"{found['resourceType']}/{found['id']}"
            data = with_plan(care_plan({"reference": {"reference": reference}}), listed=True)
            url = f"https://example.org/fhir/{reference}"
            data["entry"].insert(0, {"fullUrl": url, "resource": found})
            concomitant = request_from_bundle(data, "proleukin").therapies.concomitant
            assert (concomitant is None) is gives

    @pytest.mark.parametrize(
        "code",
        [
            {"coding": [{"display": "ipilimumab 3 mg/kg IV"}]},
            {"coding": [{"system": "urn:oid:1.2.3.4.5", "code": "IPI3"}], "text": "ipilimumab"},
            {"coding": [{"system": codes.SNOMED, "code": "716125002"}]},
            {"coding": [{"system": codes.CPT, "code": "96413"}], "text": "ipilimumab infusion"},
            {"coding": [{"system": codes.HCPCS, "code": "M0243"}]},
        ],
    )
    def test_what_is_not_coded_as_a_service_may_be_any_drug(self, code: dict[str, Any]) -> None:
        """A display alone, an EHR's own code, SNOMED CT (drugs' products too), a drug given."""
        detail = {"status": "scheduled", "code": code}
        data = with_plan(care_plan({"detail": detail}), listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_a_listed_therapys_code_of_another_name_is_not_it(self) -> None:
        """Ondansetron's code named ipilimumab: not the therapy listed."""
        product = {**_ONDANSETRON, "text": "ipilimumab"}
        data = with_plan(care_plan(planned(product)), listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_a_procedures_text_names_the_procedure(self) -> None:
        """Coded CPT and J9015, its text "Chemotherapy administration": the drug itself."""
        code: dict[str, Any] = {
            "coding": [
                {"system": codes.CPT, "code": "96413"},
                {"system": codes.HCPCS, "code": "J9015"},
            ],
            "text": "Chemotherapy administration, IV infusion",
        }
        data = with_plan(procedure("completed", code=code))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE
        code["coding"][1]["code"] = "J9228"
        data = with_plan(procedure("completed", code=code), listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_a_therapy_the_history_lists_adds_nothing(self) -> None:
        """Ondansetron planned, and listed whole as given with it: no other drug."""
        data = with_plan(care_plan(planned(_ONDANSETRON)), listed=True)
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_a_procedure_not_sent_that_one_is_part_of(self) -> None:
        """A procedure not sent gives what it used, if it is sent: nothing here."""
        data = with_plan(procedure(partOf=[{"reference": "Procedure/earlier"}]))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_the_policy_given_as_itself_judges_by_its_own_drug(self) -> None:
        """A Policy object, not a name: its own Drug, whatever the installed one says."""
        policy = umpolicy.load_policy("proleukin")
        j9015 = {"coding": [{"system": codes.HCPCS, "code": "J9015"}]}
        data = with_plan(care_plan(planned(j9015)))
        assert evaluate_bundle(data, policy, today=TODAY).outcome is Outcome.APPROVE
        other = attrs.evolve(policy, requested=umpolicy.Drug(("Examplimab",)))
        data = with_plan(care_plan(planned(j9015)))
        assert f"{plan_path(data)}.status" in [path for path, _ in faults(data, other)]  # type: ignore[arg-type]


def service_request(code: object = None, status: object = "active", **more: Any) -> dict[str, Any]:
    """A ServiceRequest of the patient's ordering ``code`` (a concept; none if ``None``)."""
    found = record("ServiceRequest", status, **{"intent": "order", **more})
    if code is not None:
        found["code"] = code
    return found


#: An infusion of ipilimumab, coded as its HCPCS drug code (J9228, ipilimumab per 1 mg).
_IPILIMUMAB_INFUSION = {
    "coding": [{"system": codes.HCPCS, "code": "J9228"}],
    "text": "ipilimumab infusion",
}


class TestServiceRequestsOfOtherDrugs:
    """A ServiceRequest that orders another drug, whether or not a plan refers to it."""

    @pytest.mark.parametrize("status", ["draft", "active", "on-hold", "completed", "unknown"])
    def test_another_drug_ordered_leaves_the_concomitant_unknown(self, status: str) -> None:
        """An infusion of ipilimumab ordered (or given: completed) beside it: not all listed."""
        data = with_plan(service_request(_IPILIMUMAB_INFUSION, status), listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None
        decision = evaluate_bundle(data, "proleukin", today=TODAY)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert "therapies.concomitant" in decision.facts_needed

    def test_it_contradicts_a_list_of_none(self) -> None:
        data = with_plan(service_request(_IPILIMUMAB_INFUSION))
        where = f"{list_of(data, 'therapies.concomitant')}.emptyReason"
        assert faults(data) == [
            (
                f"{plan_path(data)}.status",
                f"'active': the ServiceRequest may give another drug with the drug asked for, "
                f"and {where} says there are no concomitant therapies",
            )
        ]

    @pytest.mark.parametrize("status", ["revoked", "entered-in-error"])
    def test_one_revoked_or_in_error_gives_nothing(self, status: str) -> None:
        data = with_plan(service_request(_IPILIMUMAB_INFUSION, status))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize("status", ["revoked", "entered-in-error"])
    def test_a_plan_refers_to_it_and_its_own_status_says(self, status: str) -> None:
        """Held, it is read where it is: a plan referring to one revoked adds nothing."""
        data = with_plan(care_plan({"reference": {"reference": "ServiceRequest/servicerequest-1"}}))
        data["entry"].insert(0, {"resource": service_request(_IPILIMUMAB_INFUSION, status)})
        data["entry"][0]["fullUrl"] = "https://example.org/fhir/ServiceRequest/servicerequest-1"
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_one_not_to_be_done_orders_nothing_but_what_it_follows_is_read(self) -> None:
        data = with_plan(service_request(_IPILIMUMAB_INFUSION, doNotPerform=True))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE
        protocol = {"instantiatesCanonical": ["https://example.org/PlanDefinition/ipi"]}
        data = with_plan(service_request(_LOINC_PANEL, doNotPerform=True, **protocol))
        assert f"{plan_path(data)}.status" in paths(data)

    def test_not_to_be_done_given_wrongly_is_a_fault(self) -> None:
        """Not a boolean: a problem at its path, and the order is read as to be done."""
        data = with_plan(service_request(_IPILIMUMAB_INFUSION, doNotPerform="yes"))
        assert faults(data) == [
            (f"{plan_path(data)}.doNotPerform", "expected a boolean, got 'yes'"),
            (
                f"{plan_path(data)}.status",
                "'active': the ServiceRequest may give another drug with the drug asked for, "
                f"and {list_of(data, 'therapies.concomitant')}.emptyReason says there are no "
                "concomitant therapies",
            ),
        ]

    @pytest.mark.parametrize(
        "code",
        [
            _LOINC_PANEL,
            {"coding": [{"system": codes.CPT, "code": "71250"}], "text": "CT chest"},
            *(
                {"coding": [{"system": codes.CPT, "code": code}]}
                for code in (
                    *("85025", "89398", "0001U", "93000", "99213", "99499", "3074F"),
                    *("70010", "76999", "77001", "77402", "78815", "94010", "36415"),
                    *("0001F", "5005F", "86949", "86951"),
                )
            ),
            *(
                {"coding": [{"system": codes.HCPCS, "code": code}]}
                for code in (
                    *("G6003", "L3000", "V2020", "E0100", "P3000", "K0001", "E0775"),
                    *("E0792", "K0456", "K0553", "P7001", "R0070"),
                )
            ),
            {"coding": [{"system": codes.HCPCS, "code": "J9015"}], "text": "Proleukin infusion"},
        ],
    )
    def test_a_service_or_the_drug_itself_gives_nothing(self, code: dict[str, Any]) -> None:
        """A laboratory test, imaging, an ECG, a visit, a measure, beam radiation; Proleukin."""
        data = with_plan(service_request(code))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    @pytest.mark.parametrize(
        "code",
        [
            None,
            {"text": "infusion"},
            *(
                {"coding": [{"system": codes.CPT, "code": code}]}
                for code in (
                    *("96413", "96521", "96365", "96372", "90378", "51720", "0519T"),
                    *("67028", "77750", "79101", "94640", "99601", "4180F", "ABCDU"),
                    *("4000F", "4999F", "79005", "86950"),
                )
            ),
            *(
                {"coding": [{"system": codes.HCPCS, "code": code}]}
                for code in (
                    *("G0498", "G0008", "G0068", "H0020", "T1502", "D9610", "P9047"),
                    *("G2067", "E0781", "K0552", "D9230", "J9999", "E0776", "E0779"),
                    *("K0455", "P9041", "P9010"),
                )
            ),
            {"coding": [{"system": codes.CPT, "code": "71250J9228"}]},
            {"coding": [{"system": codes.LOINC, "code": "24323-8 x"}]},
            {"coding": [{"system": codes.SNOMED, "code": "716125002"}]},
            {"coding": [{"system": codes.CPT, "code": "J9228"}]},
            {"coding": [{"system": codes.LOINC, "code": "J9228"}]},
            {"coding": [{"system": codes.HCPCS, "code": "g6003"}]},
        ],
    )
    def test_what_is_not_coded_as_a_service_may_be_any_drug(self, code: object) -> None:
        """Not said, words, a drug given, SNOMED CT, a code not of its system's form: any."""
        data = with_plan(service_request(code), listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_what_it_is_based_on_may_order_another_drug(self) -> None:
        """Based on an order the bundle does not hold: a drug may be given by it."""
        based = service_request(_LOINC_PANEL, basedOn=[{"reference": "MedicationRequest/x"}])
        data = with_plan(based, listed=True)
        assert request_from_bundle(data, "proleukin").therapies.concomitant is None

    def test_a_contained_one_is_read_as_an_entry(self) -> None:
        """Held by the plan that refers to it, it is read where it is: by its own status."""
        plan = care_plan({"reference": {"reference": "#servicerequest-1"}})
        plan["contained"] = [service_request(_IPILIMUMAB_INFUSION)]
        data = with_plan(plan)
        assert paths(data) == [f"{plan_path(data)}.contained[0].status"]
        plan["contained"] = [service_request(_IPILIMUMAB_INFUSION, "revoked")]
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_one_the_order_holds_is_read_as_an_entry(self) -> None:
        """Contained in the order, which it is the basis of: read where it is."""
        data = bundle("melanoma-iv-approve")
        order = resource(data, "MedicationRequest")
        order["contained"] = [service_request(_IPILIMUMAB_INFUSION)]
        order["basedOn"] = [{"reference": "#servicerequest-1"}]
        where = f"Bundle.entry[{index(data, 'MedicationRequest')}].resource.contained[0].status"
        assert where in paths(data)

    @pytest.mark.parametrize("inside", ["bundle", "claim", "contained", "an object"])
    def test_one_hidden_where_no_resource_is_is_refused(self, inside: str) -> None:
        """At the Bundle's own ``contained``, in an element of the Claim or of one it holds."""
        data = bundle("melanoma-iv-approve")
        claim = resource(data, "Claim")
        at_claim = f"Bundle.entry[{index(data, 'Claim')}].resource"
        hidden = [{"url": "x", "x": service_request(_IPILIMUMAB_INFUSION)}]
        if inside == "bundle":
            data["contained"] = [service_request(_IPILIMUMAB_INFUSION)]
            where = "Bundle.contained[0]"
        elif inside == "claim":
            claim["extension"] = hidden
            where = f"{at_claim}.extension[0].x"
        elif inside == "contained":
            order = resource(data, "MedicationRequest")
            order["contained"] = [{"resourceType": "Medication", "id": "m", "extension": hidden}]
            order["medicationReference"] = {"reference": "#m"}
            where = f"Bundle.entry[{index(data, 'MedicationRequest')}].resource.contained[0]"
            where += ".extension[0].x"
        else:  # ``contained`` not a list: read nowhere, so looked into
            claim["contained"] = service_request(_IPILIMUMAB_INFUSION)
            where = f"{at_claim}.contained"
        found = dict(faults(data))
        assert "a ServiceRequest inside a" in found[where]

    def test_one_of_no_patient_here_is_a_fault(self) -> None:
        """Its subject is read as a plan's: one the bundle does not hold is a problem."""
        data = with_plan(service_request(_LOINC_PANEL, subject={"reference": "Patient/other"}))
        assert f"{plan_path(data)}.subject.reference" in paths(data)

    def test_among_a_hooks_draft_orders(self) -> None:
        """Ordered with the drug in one order-sign call: the same rule."""
        hook = hook_from_request(example("melanoma-iv-approve"))
        orders = hook["context"]["draftOrders"]["entry"]
        orders.append({"resource": service_request(_IPILIMUMAB_INFUSION)})
        [(where, reason)] = hook_faults(hook)
        assert where == f"context.draftOrders.entry[{len(orders) - 1}].resource.status"
        assert "the ServiceRequest may give another drug" in reason

    def test_among_a_hooks_prefetched_records(self) -> None:
        reason = prefetched_fault(service_request(_IPILIMUMAB_INFUSION))
        assert "the ServiceRequest may give another drug" in reason


def task(status: object = "in-progress", **more: Any) -> dict[str, Any]:
    """A Task for the patient (its ``for``), of ``status``."""
    return record("Task", status, "for", **{"intent": "order", **more})


_FULFILL = {"coding": [{"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "fulfill"}]}


class TestTasksOfOtherDrugs:
    """A Task that acts on an order of another drug, or is coded as one, whatever refers to it."""

    @pytest.mark.parametrize(
        "more",
        [
            {"focus": {"reference": "MedicationRequest/ipilimumab"}},  # not sent
            {"code": _IPILIMUMAB_INFUSION},
            {"code": {"coding": [{"system": codes.CPT, "code": "96413"}]}},  # not said which
            {"code": {"text": "give ipilimumab"}},
            {"basedOn": [{"reference": "CarePlan/regimen"}]},  # not sent
        ],
    )
    def test_another_drug_leaves_the_concomitant_unknown(self, more: dict[str, Any]) -> None:
        found = task(**{"code": _FULFILL, **more})
        listed = with_plan(copy.deepcopy(found), listed=True)
        assert request_from_bundle(listed, "proleukin").therapies.concomitant is None
        data = with_plan(found)
        assert f"{plan_path(data)}.status" in paths(data)

    @pytest.mark.parametrize("status", ["rejected", "cancelled", "failed", "entered-in-error"])
    def test_one_that_did_nothing_gives_nothing(self, status: str) -> None:
        data = with_plan(task(status, code=_IPILIMUMAB_INFUSION))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_one_a_plan_refers_to_is_read_by_the_same_rule(self) -> None:
        """Held and referred to, a chemotherapy infusion's task is read where it is."""
        found = task(code={"coding": [{"system": codes.CPT, "code": "96413"}]})
        data = with_plan(care_plan({"reference": {"reference": "Task/task-1"}}))
        data["entry"].insert(0, {"fullUrl": "https://example.org/fhir/Task/task-1"})
        data["entry"][0]["resource"] = found
        assert paths(data) == ["Bundle.entry[0].resource.status"]

    @pytest.mark.parametrize(
        "kind",
        [
            _FULFILL,
            {
                "coding": [
                    {
                        "system": "http://hl7.org/fhir/us/davinci-hrex/CodeSystem/hrex-temp",
                        "code": "data-request",
                    }
                ]
            },
        ],
    )
    def test_a_code_of_its_kind_gives_nothing(self, kind: dict[str, Any]) -> None:
        """Fulfil an order, a Da Vinci request for data: what kind of task, no drug."""
        data = with_plan(task(code=kind))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_a_task_of_its_kind_on_the_order_itself_gives_nothing(self) -> None:
        """Fulfil the order decided: a task's code says what kind of task it is."""
        data = bundle("melanoma-iv-approve")
        order = resource(data, "MedicationRequest")["id"]
        data = with_plan(task(code=_FULFILL, focus={"reference": f"MedicationRequest/{order}"}))
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is Outcome.APPROVE

    def test_whose_task_it_is_is_its_for(self) -> None:
        data = with_plan(task(code=_FULFILL, **{"for": {"reference": "Patient/other"}}))
        assert f"{plan_path(data)}.for.reference" in paths(data)

    def test_a_status_not_of_a_task_is_a_fault(self) -> None:
        data = with_plan(task("active", code=_FULFILL))
        assert f"{plan_path(data)}.status" in paths(data)
