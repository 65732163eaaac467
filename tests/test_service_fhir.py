"""The service's FHIR endpoints on loopback: CDS Hooks discovery and CRD, PAS $submit, DTR."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import Served, call, dtr_parameters, post_json, running
from umpolicy.api import parse_request
from umpolicy.engine.decision import Outcome
from umpolicy.errors import FieldError, InputError
from umpolicy.integrations.fhir import (
    claim_response,
    crd_response,
    evaluate_bundle,
    evaluate_hook,
    questionnaire,
)
from umpolicy.integrations.fhir.codes import PAS_PREAUTH_ISSUE_DATE, QUESTIONNAIRE_PREFIX
from umpolicy.integrations.fhir.write import bundle_from_request, hook_from_request
from umpolicy.integrations.service.app import create_app
from umpolicy.integrations.service.fhir import Endpoints, moved, response_bundle
from umpolicy.integrations.service.web import fhir_json
from umpolicy.io.converter import MAX_FHIR_BYTES, MAX_REQUEST_BYTES, loads
from umpolicy.registry import load_policy, policy_names

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "proleukin").glob("*.json"))
INSUFFICIENT = (
    Path(__file__).parent.parent / "examples" / "proleukin" / "rcc-insufficient-information.json"
)
APPROVE = Path(__file__).parent.parent / "examples" / "proleukin" / "rcc-approve.json"
#: Approved as a CRD call too (its criteria ask nothing of the care team).
APPROVE_AS_ORDERED = (
    Path(__file__).parent.parent / "examples" / "proleukin" / "melanoma-iv-approve.json"
)
FHIR = "application/fhir+json"
SUBMIT = "/fhir/Claim/$submit"
PACKAGE = "/fhir/Questionnaire/$questionnaire-package"


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with running() as found:
        yield found


def request_of(path: Path) -> Any:
    return parse_request(path.read_text())


def send(served: Served, path: str, data: object, kind: str = FHIR) -> Any:
    """POST a FHIR resource written as the service writes FHIR (decimals exact)."""
    return post_json(served, path, fhir_json(data).encode(), kind)


def issues(answer: Any) -> list[tuple[str, str | None]]:
    """Each issue of an OperationOutcome answer: its code, and its one expression."""
    assert answer.headers["content-type"] == FHIR
    outcome = answer.json()
    assert outcome["resourceType"] == "OperationOutcome"
    return [(each["code"], (each.get("expression") or [None])[0]) for each in outcome["issue"]]


def without(data: Any, *names: str) -> Any:
    """A copy of JSON data without the keys ``names`` at any depth (what varies by the hour)."""
    if isinstance(data, dict):
        return {k: without(v, *names) for k, v in data.items() if k not in names}
    if isinstance(data, list):
        return [without(v, *names) for v in data]
    return data


class TestDiscovery:
    """GET /cds-services lists a CRD service per installed policy and hook, with its prefetch."""

    def test_services(self, served: Served) -> None:
        answer = call(served, "GET", "/cds-services")
        assert answer.status == 200
        services = answer.json()["services"]
        assert {(s["id"], s["hook"]) for s in services} == {
            (f"{name}-{hook}", hook)
            for name in policy_names()
            for hook in ("order-sign", "order-select")
        }
        for service in services:
            assert service["prefetch"]["patient"] == "Patient/{{context.patientId}}"
            assert "Coverage?patient={{context.patientId}}" in service["prefetch"]["coverage"]

    def test_prefetch_asks_for_the_policys_answers(self, served: Served) -> None:
        """Each service prefetches the QuestionnaireResponses to its own policy's questions."""
        for service in call(served, "GET", "/cds-services").json()["services"]:
            policy = service["id"].rsplit("-order-", 1)[0]
            assert service["prefetch"]["answers"].endswith(
                f"questionnaire={QUESTIONNAIRE_PREFIX}{policy}"
            )


class TestCRD:
    """POST /cds-services/<id> answers a hook call with the card the library makes."""

    @pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
    @pytest.mark.parametrize("hook", ["order-sign", "order-select"])
    def test_every_example(self, served: Served, example: Path, hook: str) -> None:
        request = request_of(example)
        call_ = loads(fhir_json(hook_from_request(request, hook=hook)))
        answer = send(served, f"/cds-services/proleukin-{hook}", call_, "application/json")
        assert answer.status == 200
        assert answer.headers["content-type"] == "application/json"
        expected = crd_response(evaluate_hook(call_, "proleukin"), call_)
        assert loads(answer.body) == loads(fhir_json(expected))

    def test_decided_under_the_version_in_force(self, served: Served) -> None:
        """An order authored under an earlier version is decided under it, not the newest."""
        text = APPROVE.read_text().replace('"2026-03-02"', '"2024-06-03"')
        call_ = loads(fhir_json(hook_from_request(parse_request(text))))
        answer = send(served, "/cds-services/proleukin-order-sign", call_, "application/json")
        assert answer.status == 200
        assert "(version 2022-01-01)" in answer.json()["cards"][0]["source"]["label"]
        expected = crd_response(evaluate_hook(call_, "proleukin"), call_)
        assert loads(answer.body) == loads(fhir_json(expected))

    def test_unknown_service(self, served: Served) -> None:
        """404, as an OperationOutcome naming the services there are."""
        answer = send(served, "/cds-services/nonesuch", {}, "application/json")
        assert answer.status == 404
        assert issues(answer) == [("not-found", None)]
        assert "proleukin-order-sign" in answer.json()["issue"][0]["diagnostics"]

    def test_the_other_hook(self, served: Served) -> None:
        """A call for another hook than the service's is refused at hook."""
        request = request_of(APPROVE)
        answer = send(
            served,
            "/cds-services/proleukin-order-select",
            hook_from_request(request),
            "application/json",
        )
        assert answer.status == 422
        assert issues(answer) == [("invalid", "hook")]

    def test_input_errors_at_their_fhir_path(self, served: Served) -> None:
        """The library's errors on the call, each an issue at its FHIR path."""
        hook = hook_from_request(request_of(APPROVE))
        hook["context"]["patientId"] = "nobody"
        with pytest.raises(InputError) as caught:
            evaluate_hook(loads(fhir_json(hook)), "proleukin")
        answer = send(served, "/cds-services/proleukin-order-sign", hook, "application/json")
        assert answer.status == 422
        assert issues(answer) == [("invalid", error.path) for error in caught.value.errors]

    @pytest.mark.parametrize("number", ["1E+5000", "1E+999999"])
    def test_a_period_of_a_huge_exponent(self, served: Served, number: str) -> None:
        """422 at the element, not 500: a number no decimal bounds is an input error."""
        hook = hook_from_request(request_of(APPROVE_AS_ORDERED))
        order = hook["context"]["draftOrders"]["entry"][0]["resource"]
        order["dosageInstruction"][0]["timing"]["repeat"]["period"] = "PERIOD"
        text = fhir_json(hook).replace('"PERIOD"', number).encode()
        answer = post_json(served, "/cds-services/proleukin-order-sign", text)
        where = "context.draftOrders.entry[0].resource.dosageInstruction[0].timing.repeat.period"
        assert (answer.status, issues(answer)) == (422, [("invalid", where)])

    def test_not_json(self, served: Served) -> None:
        answer = post_json(served, "/cds-services/proleukin-order-sign", b"{")
        assert answer.status == 400
        assert issues(answer) == [("structure", None)]

    def test_no_query_parameters(self, served: Served) -> None:
        answer = send(
            served, "/cds-services/proleukin-order-sign?trail=false", {}, "application/json"
        )
        assert answer.status == 400
        assert answer.json()["issue"][0]["details"] == {"text": "the query parameter trail"}

    def test_media_type(self, served: Served) -> None:
        """CDS Hooks speaks application/json."""
        answer = send(served, "/cds-services/proleukin-order-sign", {}, FHIR)
        assert answer.status == 415
        assert issues(answer) == [("not-supported", None)]


class TestPAS:
    """POST /fhir/Claim/$submit: a PAS bundle in, a response bundle with the ClaimResponse out."""

    @pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
    def test_every_example(self, served: Served, example: Path) -> None:
        """The library's ClaimResponse first, then the patient and the insurer; never A3."""
        request = request_of(example)
        bundle = loads(fhir_json(bundle_from_request(request)))
        answer = send(served, f"{SUBMIT}?policy={request.policy}", bundle)
        assert answer.status == 200
        assert answer.headers["content-type"] == FHIR
        assert answer.headers["cache-control"] == "no-store"
        found = loads(answer.body)
        assert found["resourceType"] == "Bundle"
        assert found["type"] == "collection"
        response = found["entry"][0]["resource"]
        decision = evaluate_bundle(bundle, request.policy)
        assert without(response, "created") == without(claim_response(decision, bundle), "created")
        assert found["timestamp"] == response["created"]
        kinds = [entry["resource"]["resourceType"] for entry in found["entry"]]
        assert kinds[0] == "ClaimResponse"
        assert "Patient" in kinds
        action = response["item"][0]["adjudication"][0]["extension"][0]["extension"][0]
        code = action["valueCodeableConcept"]["coding"][0]["code"]
        assert code == ("A1" if decision.outcome is Outcome.APPROVE else "A4")

    def test_parses_back_with_the_fhir_models(self, served: Served) -> None:
        """What the service writes is valid by the FHIR models (the fhir extra)."""
        pytest.importorskip("fhir.resources")
        from umpolicy.integrations.fhir.models import check

        for example in (APPROVE, INSUFFICIENT):
            answer = send(served, SUBMIT, bundle_from_request(request_of(example)))
            check(loads(answer.body))

    def test_a_policy_not_served_here_is_refused(self) -> None:
        """A bundle whose answers name a policy this service does not serve is a 422."""
        with running(create_app(["quellimab"])) as only_quellimab:
            answer = send(only_quellimab, SUBMIT, bundle_from_request(request_of(APPROVE)))
        assert answer.status == 422
        assert "does not decide under" in answer.body.decode()

    def test_the_policy_parameter(self, served: Served) -> None:
        """?policy names the policy when the bundle does not; one not decided here is a 400."""
        bundle = bundle_from_request(request_of(APPROVE))
        bundle["entry"] = [
            e for e in bundle["entry"] if e["resource"]["resourceType"] != "QuestionnaireResponse"
        ]
        assert send(served, f"{SUBMIT}?policy=proleukin", bundle).status == 200
        answer = send(served, f"{SUBMIT}?policy=nonesuch", bundle)
        assert answer.status == 400
        assert answer.json()["issue"][0]["details"] == {"text": "the query parameter policy"}

    def test_no_claim(self, served: Served) -> None:
        """A bundle the mapping cannot read: every fault at its FHIR path, as the library says."""
        bundle = {"resourceType": "Bundle", "type": "collection", "entry": []}
        with pytest.raises(InputError) as caught:
            evaluate_bundle(bundle, "proleukin")
        answer = send(served, f"{SUBMIT}?policy=proleukin", bundle)
        assert answer.status == 422
        assert issues(answer) == [("invalid", error.path) for error in caught.value.errors]

    def test_a_wrong_unit_at_its_element(self, served: Served) -> None:
        """An Observation in a unit that is not a weight is refused at its valueQuantity."""
        bundle = bundle_from_request(request_of(APPROVE))
        for index, entry in enumerate(bundle["entry"]):
            resource = entry["resource"]
            if (
                resource["resourceType"] == "Observation"
                and resource["code"]["coding"][0]["code"] == "29463-7"
            ):
                resource["valueQuantity"]["code"] = "cm"
                resource["valueQuantity"]["unit"] = "cm"
                where = f"Bundle.entry[{index}].resource.valueQuantity"
        answer = send(served, SUBMIT, bundle)
        assert answer.status == 422
        assert any(path is not None and path.startswith(where) for _, path in issues(answer))

    def test_a_period_of_a_huge_exponent(self, served: Served) -> None:
        """422 at the element, not 500."""
        bundle = bundle_from_request(request_of(APPROVE))
        for index, entry in enumerate(bundle["entry"]):
            if entry["resource"]["resourceType"] == "MedicationRequest":
                dosage = entry["resource"]["dosageInstruction"][0]
                dosage["timing"]["repeat"]["period"] = "PERIOD"
                where = f"Bundle.entry[{index}].resource.dosageInstruction[0].timing.repeat.period"
        text = fhir_json(bundle).replace('"PERIOD"', "1E+5000").encode()
        answer = post_json(served, SUBMIT, text, FHIR)
        assert (answer.status, issues(answer)) == (422, [("invalid", where)])

    @pytest.mark.parametrize("kind", ["application/json", "application/fhir+json; charset=utf-8"])
    def test_json_too(self, served: Served, kind: str) -> None:
        assert send(served, SUBMIT, bundle_from_request(request_of(APPROVE)), kind).status == 200

    def test_a_bundle_past_a_requests_limit(self, served: Served) -> None:
        """A bundle with an attachment is larger than any request: decided all the same."""
        bundle = bundle_from_request(request_of(APPROVE))
        attachment = {"contentType": "application/pdf", "data": "QUFB" * MAX_REQUEST_BYTES}
        document = {"resourceType": "DocumentReference", "status": "current"}
        bundle["entry"].append(
            {
                "fullUrl": "urn:uuid:6f1b7a52-0000-4000-8000-000000000001",
                "resource": {**document, "content": [{"attachment": attachment}]},
            }
        )
        answer = send(served, SUBMIT, bundle)
        assert answer.status == 200
        assert len(answer.body) < MAX_REQUEST_BYTES  # the answer does not echo the records
        claim_response = answer.json()["entry"][0]["resource"]
        assert claim_response["resourceType"] == "ClaimResponse"

    def test_errors(self, served: Served) -> None:
        """400, 413, 415 and 405 are OperationOutcomes too."""
        assert issues(post_json(served, SUBMIT, b"[", FHIR)) == [("structure", None)]
        assert issues(post_json(served, SUBMIT, b"{}", "text/plain")) == [("not-supported", None)]
        big = post_json(served, SUBMIT, b" " * (MAX_FHIR_BYTES + 1), FHIR)
        assert (big.status, issues(big)) == (413, [("too-costly", None)])
        assert f"the limit is {MAX_FHIR_BYTES} bytes" in big.json()["issue"][0]["diagnostics"]
        wrong = call(served, "GET", SUBMIT)
        assert (wrong.status, issues(wrong)) == (405, [("not-supported", None)])
        nowhere = call(served, "GET", "/fhir/Patient/1")
        assert (nowhere.status, issues(nowhere)) == (404, [("not-found", None)])

    def test_internal_error(self, served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
        """A bug: 500, a fatal issue, no internals."""
        from umpolicy.integrations.service import fhir

        def broken(*_: object) -> None:
            raise RuntimeError("secret")

        monkeypatch.setattr(fhir, "evaluate_bundle", broken)
        answer = send(served, SUBMIT, bundle_from_request(request_of(APPROVE)))
        assert answer.status == 500
        assert answer.json()["issue"][0]["severity"] == "fatal"
        assert b"secret" not in answer.body


class TestDTR:
    """POST /fhir/Questionnaire/$questionnaire-package: the questions still needed, no more."""

    @pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
    def test_every_example(self, served: Served, example: Path) -> None:
        """The library's Questionnaire when information is missing, else an outcome saying none is.

        The order is read as a CRD call reads it (no Claim, so no care team): the library's
        decision on that call is the one to match.
        """
        request = request_of(example)
        answer = send(served, PACKAGE, dtr_parameters(bundle_from_request(request)))
        assert answer.status == 200
        found = loads(answer.body)
        decision = evaluate_hook(loads(fhir_json(hook_from_request(request))), "proleukin")
        if decision.outcome is Outcome.INSUFFICIENT_INFORMATION:
            assert [p["name"] for p in found["parameter"]] == ["PackageBundle"]
            asked = found["parameter"][0]["resource"]["entry"][0]["resource"]
            assert asked == loads(fhir_json(questionnaire(decision, "proleukin")))
            assert asked["item"]
        else:
            assert [p["name"] for p in found["parameter"]] == ["outcome"]
            issue = found["parameter"][0]["resource"]["issue"][0]
            assert issue["diagnostics"].endswith(decision.summary)

    def test_parses_back_with_the_fhir_models(self, served: Served) -> None:
        pytest.importorskip("fhir.resources")
        from umpolicy.integrations.fhir.models import check

        parameters = dtr_parameters(bundle_from_request(request_of(INSUFFICIENT)))
        found = loads(send(served, PACKAGE, parameters).body)
        check(found["parameter"][0]["resource"])
        approved = loads(
            send(served, PACKAGE, dtr_parameters(bundle_from_request(request_of(APPROVE)))).body
        )
        check(approved["parameter"][0]["resource"])

    def test_nothing_needed(self, served: Served) -> None:
        """A request the policy can decide gets no questionnaire, and an outcome that says why."""
        answer = send(
            served, PACKAGE, dtr_parameters(bundle_from_request(request_of(APPROVE_AS_ORDERED)))
        )
        assert answer.status == 200
        (only,) = answer.json()["parameter"]
        assert only["name"] == "outcome"
        assert only["resource"]["issue"][0]["severity"] == "information"
        assert "Approval recommended" in only["resource"]["issue"][0]["diagnostics"]

    def test_the_questionnaire_names_the_policy_and_version(self, served: Served) -> None:
        """A questionnaire of another version, or of a policy not decided here, is refused."""
        bundle = bundle_from_request(request_of(INSUFFICIENT))
        version = load_policy("proleukin").version
        for canonical, status in (
            (f"{QUESTIONNAIRE_PREFIX}proleukin|{version}", 200),
            (f"{QUESTIONNAIRE_PREFIX}proleukin|1999", 422),
            (f"{QUESTIONNAIRE_PREFIX}nonesuch", 422),
            ("http://example.org/Questionnaire/other", 422),
        ):
            parameters = dtr_parameters(bundle, None)
            parameters["parameter"].append({"name": "questionnaire", "valueCanonical": canonical})
            answer = send(served, PACKAGE, parameters)
            assert answer.status == status, canonical
            if status == 422:
                where = f"Parameters.parameter[{len(parameters['parameter']) - 1}].valueCanonical"
                assert issues(answer) == [("invalid", where)]

    def test_the_policy_parameter(self, served: Served) -> None:
        """Without a questionnaire parameter, ?policy names the policy; without either, a 422."""
        parameters = dtr_parameters(bundle_from_request(request_of(INSUFFICIENT)), None)
        assert send(served, f"{PACKAGE}?policy=proleukin", parameters).status == 200
        answer = send(served, PACKAGE, parameters)
        assert answer.status == 422
        assert issues(answer) == [("invalid", "Parameters.parameter")]

    def test_errors_at_the_parameter_they_came_from(self, served: Served) -> None:
        """An error in a referenced resource is reported at that parameter's resource."""
        parameters = dtr_parameters(bundle_from_request(request_of(APPROVE)))
        for index, parameter in enumerate(parameters["parameter"]):
            resource = parameter.get("resource", {})
            if resource.get("resourceType") == "Observation":
                resource["valueQuantity"]["code"] = "cm"
                resource["valueQuantity"]["unit"] = "cm"
                where = f"Parameters.parameter[{index}].resource.valueQuantity"
                break
        answer = send(served, PACKAGE, parameters)
        assert answer.status == 422
        assert any(path is not None and path.startswith(where) for _, path in issues(answer))

    def test_a_response_of_no_status(self, served: Served) -> None:
        """A referenced QuestionnaireResponse is read as in a CRD call: its status is required."""
        parameters = dtr_parameters(bundle_from_request(request_of(APPROVE)))
        for index, parameter in enumerate(parameters["parameter"]):
            resource = parameter.get("resource", {})
            if resource.get("resourceType") == "QuestionnaireResponse":
                del resource["status"]
                where = f"Parameters.parameter[{index}].resource.status"
        answer = send(served, PACKAGE, parameters)
        assert (answer.status, issues(answer)) == (422, [("invalid", where)])

    def test_the_subject_must_resolve(self, served: Served) -> None:
        parameters = dtr_parameters(bundle_from_request(request_of(APPROVE)))
        parameters["parameter"][0]["resource"]["subject"] = {"reference": "Patient/nobody"}
        answer = send(served, PACKAGE, parameters)
        assert answer.status == 422
        assert issues(answer) == [("invalid", "Parameters.parameter[0].resource.subject.reference")]

    @pytest.mark.parametrize(
        ("change", "where"),
        [
            (lambda _: {"resourceType": "Bundle"}, "Parameters"),
            (lambda p: {**p, "parameter": {}}, "Parameters.parameter"),
            (lambda p: {**p, "parameter": p["parameter"][1:]}, "Parameters.parameter"),
            (
                lambda p: {**p, "parameter": [p["parameter"][0], *p["parameter"]]},
                "Parameters.parameter",
            ),
            (lambda p: {**p, "parameter": [*p["parameter"], {"name": "orders"}]}, "name"),
            (
                lambda p: {
                    **p,
                    "parameter": [
                        {
                            **p["parameter"][0],
                            "resource": {"resourceType": "MedicationRequest", "status": "draft"},
                        },
                        *p["parameter"][1:],
                    ],
                },
                "Parameters.parameter[0].resource.subject.reference",
            ),
        ],
        ids=[
            "not-parameters",
            "not-a-list",
            "no-order",
            "two-orders",
            "unknown-parameter",
            "no-subject",
        ],
    )
    def test_malformed_parameters(self, served: Served, change: Any, where: str) -> None:
        parameters = change(dtr_parameters(bundle_from_request(request_of(APPROVE))))
        answer = send(served, PACKAGE, parameters)
        assert answer.status == 422
        paths = [path for _, path in issues(answer)]
        assert len(paths) == 1
        assert paths[0] is not None
        assert paths[0].endswith(where)

    def test_context_and_changedsince_are_left_alone(self, served: Served) -> None:
        parameters = dtr_parameters(bundle_from_request(request_of(INSUFFICIENT)))
        parameters["parameter"] += [
            {"name": "context", "valueString": "order-sign"},
            {"name": "changedsince", "valueDateTime": "2026-01-01T00:00:00Z"},
        ]
        assert send(served, PACKAGE, parameters).status == 200


class TestMoved:
    """A place in the CRD call the DTR parameters make maps back to the parameter."""

    def test_longest_place_wins(self) -> None:
        places = {"prefetch.records.entry[1].resource": "Parameters.parameter[4].resource"}
        error = FieldError("prefetch.records.entry[1].resource.valueQuantity.code", "bad")
        assert moved(error, places) == FieldError(
            "Parameters.parameter[4].resource.valueQuantity.code", "bad"
        )

    def test_a_place_not_made_from_a_parameter(self) -> None:
        """Not prefixes by text: entry[1] is not entry[10]; what matches none is the parameters'."""
        places = {"prefetch.records.entry[1].resource": "Parameters.parameter[4].resource"}
        error = FieldError("prefetch.records.entry[10].resource", "bad")
        assert moved(error, places) == FieldError("Parameters.parameter", "bad")


class TestResponseBundle:
    """The PAS response bundle carries the entries the ClaimResponse refers to, and no more."""

    def test_by_full_url_or_type_and_id(self) -> None:
        decision = evaluate_bundle(bundle_from_request(request_of(APPROVE)), "proleukin")
        response = {"created": "2026-03-02T09:00:00+00:00", "patient": {"reference": "Patient/p"}}
        request = {
            "entry": [
                {"resource": {"resourceType": "Patient", "id": "p"}},
                {"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Organization"}},
                "not an entry",
            ]
        }
        found = response_bundle(
            {**response, "insurer": {"reference": "urn:uuid:1"}}, request, decision
        )
        assert "identifier" not in found
        assert [e["resource"].get("resourceType") for e in found["entry"][1:]] == [
            "Patient",
            "Organization",
        ]
        assert (
            found["entry"][0]["fullUrl"]
            == response_bundle(response, request, decision)["entry"][0]["fullUrl"]
        )
        assert len(response_bundle(response, request, decision)["entry"]) == 2


class TestReprs:
    """The service's objects say what they hold."""

    def test_reprs(self) -> None:
        app = create_app(["proleukin"], docs_base="https://plan.example/")
        assert repr(app.state.service) == "Service(['proleukin'])"
        endpoints = Endpoints([load_policy("proleukin")], "https://plan.example/")
        assert repr(endpoints).startswith("Endpoints([Policy(")
        assert repr(endpoints).endswith(", 'https://plan.example/')")


FHIR_EXAMPLES = Path(__file__).parent.parent / "examples" / "fhir"
#: What differs by the day an answer is made: when it was made, and the dates it is of.
_DAILY = ("created", "timestamp")
_DATED = ("date", PAS_PREAUTH_ISSUE_DATE)


def undated(resource: Any) -> Any:
    """A resource without what depends on the day it is answered (the examples' is fixed)."""
    if isinstance(resource, dict):
        return {
            key: undated(value)
            for key, value in resource.items()
            if key not in _DAILY and not (key == "valueDate" and resource.get("url") in _DATED)
        }
    if isinstance(resource, list):
        return [undated(value) for value in resource]
    return resource


class TestExamples:
    """Every FHIR example round-trips through the service as through the library."""

    @pytest.mark.parametrize(
        "bundle",
        sorted((FHIR_EXAMPLES / "pas").glob("*.bundle.json")),
        ids=lambda p: p.name.split(".")[0],
    )
    def test_pas(self, served: Served, bundle: Path) -> None:
        """Each PAS bundle, sent as its file's text, gets the committed ClaimResponse."""
        answer = post_json(served, f"{SUBMIT}?policy=proleukin", bundle.read_bytes(), FHIR)
        assert answer.status == 200
        response = loads(answer.body)["entry"][0]["resource"]
        expected = loads(
            bundle.with_name(bundle.name.replace(".bundle", ".claim-response")).read_text()
        )
        assert undated(response) == undated(expected)

    def test_crd(self, served: Served) -> None:
        """The CRD call gets the committed card and coverage-information."""
        raw = (FHIR_EXAMPLES / "crd" / "order-sign.request.json").read_bytes()
        answer = post_json(served, "/cds-services/proleukin-order-sign", raw)
        assert answer.status == 200
        expected = loads((FHIR_EXAMPLES / "crd" / "order-sign.response.json").read_text())
        assert undated(loads(answer.body)) == undated(expected)

    def test_dtr_round_trip(self, served: Served) -> None:
        """Insufficient information: DTR asks what is missing; the answers sent back approve."""
        dtr = FHIR_EXAMPLES / "dtr"
        first = loads(
            (FHIR_EXAMPLES / "pas" / "melanoma-iv-insufficient-information.bundle.json").read_text()
        )
        asked = loads(send(served, PACKAGE, dtr_parameters(first)).body)
        form = asked["parameter"][0]["resource"]["entry"][0]["resource"]
        expected = loads((dtr / "1-questionnaire.json").read_text())
        assert without(form, "id") == without(expected, "id")
        answer = post_json(served, SUBMIT, (dtr / "3-bundle-with-answers.json").read_bytes(), FHIR)
        assert answer.status == 200
        response = loads(answer.body)["entry"][0]["resource"]
        assert undated(response) == undated(loads((dtr / "4-claim-response.json").read_text()))
        assert response["outcome"] == "complete"
