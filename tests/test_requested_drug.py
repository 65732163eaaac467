"""A request is decided only for the policy's own drug: another drug's is refused."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import umpolicy
from tests.live_server import Served, post_json, running
from tests.test_fhir_bundle import TODAY, bundle, resource
from umpolicy import Drug, DrugCodeSystem, InputError, ValueSet, api
from umpolicy.integrations.fhir import codes, evaluate_bundle, evaluate_hook, request_from_bundle
from umpolicy.integrations.fhir.write import bundle_from_request, hook_from_request
from umpolicy.integrations.service.web import fhir_json
from umpolicy.io.converter import loads

ROOT = Path(__file__).parent.parent
APPROVE = ROOT / "examples" / "proleukin" / "gvhd-approve.json"
PROLEUKIN = umpolicy.load_policy("proleukin")
QUELLIMAB = umpolicy.load_policy("quellimab")


def with_medication(text: str, **given: object) -> dict[str, Any]:
    """The example request with its medication's code, system and name as ``given``."""
    data: dict[str, Any] = json.loads(text)
    medication = data["medication"]
    for key in ("code", "system", "name"):
        medication.pop(key, None)
    medication.update({key: value for key, value in given.items() if value is not None})
    return data


def refused_at(data: dict[str, Any]) -> list[str]:
    """The paths of the input errors evaluating ``data`` raises (none: it was decided)."""
    try:
        api.evaluate(json.dumps(data), today=TODAY)
    except InputError as error:
        return [each.path for each in error.errors]
    return []


class TestTheDrugDeclared:
    """Proleukin's drug is Proleukin, aldesleukin, HCPCS J9015, ATC L03AC01; Quellimab's by name."""

    def test_proleukin(self) -> None:
        assert PROLEUKIN.requested.describe() == (
            "Proleukin, aldesleukin (codes: HCPCS J9015; ATC L03AC01)"
        )

    def test_quellimab(self) -> None:
        assert QUELLIMAB.requested.describe() == "Quellimab (no codes)"

    def test_the_page_says_it(self) -> None:
        from umpolicy.render.pages import policy_page

        page = policy_page(PROLEUKIN)
        assert "| Requests for it name or code it as | Proleukin, aldesleukin (codes: HCPCS" in page

    @pytest.mark.parametrize(
        ("names", "codes", "words"),
        [
            ("Brandname", (), "a tuple of names"),
            ((), (), "a tuple of names"),
            (("Brandname", " "), (), "a drug's name is words"),
            (("Brandname",), (ValueSet("x", "X", "ICD-10-CM", codes=("C43",)),), "not 'ICD-10-CM'"),
            (
                ("Brandname",),
                (
                    ValueSet("a", "A", "HCPCS", codes=("J9999",)),
                    ValueSet("b", "B", "HCPCS", codes=("J9998",)),
                ),
                "one value set per code system",
            ),
        ],
    )
    def test_a_drug_that_names_nothing_is_refused(
        self, names: Any, codes: tuple[ValueSet, ...], words: str
    ) -> None:
        with pytest.raises(ValueError, match=re.escape(words)):
            Drug(names, codes)


#: (code, system, name) → the field refused, or None when the request is decided.
CASES = [
    (None, None, None, None),  # nothing said: the caller chose the policy
    (None, None, "Proleukin", None),
    (None, None, "PROLEUKIN® 22 million IU", None),
    (None, None, "aldesleukin 22000000 UNT Injection", None),
    (None, None, "Keytruda", "name"),
    (None, None, "bempegaldesleukin", "name"),  # another drug, not aldesleukin
    (None, None, "the requested drug", "name"),
    ("J9015", "HCPCS", None, None),
    ("J9015", None, None, None),  # no system: a listed code of some system
    ("L03AC01", "ATC", None, None),
    ("J9271", "HCPCS", "Proleukin", "code"),  # pembrolizumab's code: another drug
    ("L01FF02", "ATC", "aldesleukin", "code"),
    ("J9271", None, None, "code"),  # no system, not listed: shows nothing, nor a name
    ("J9271", None, "Proleukin", None),
    ("L03AC", "ATC", None, "code"),  # interleukins: may be the drug, or another
    ("L03AC", "ATC", "aldesleukin", None),
    ("J9999", "HCPCS", None, "code"),  # "not otherwise classified": no one drug
    ("J9999", "HCPCS", "Proleukin", None),
    ("1547545", "RxNorm", "pembrolizumab 25 MG/ML Injectable Solution", "code"),
    ("1547545", "RxNorm", "aldesleukin 22000000 UNT Injection", None),
    ("76310-022-01", "NDC", None, "code"),  # no NDC code listed: the name must show it
]


class TestRequests:
    """Every path of a JSON request checks its drug: another drug's is an input error."""

    @pytest.mark.parametrize(("code", "system", "name", "field"), CASES)
    def test_table(
        self, code: str | None, system: str | None, name: str | None, field: str | None
    ) -> None:
        data = with_medication(APPROVE.read_text(), code=code, system=system, name=name)
        expected = [] if field is None else [f"$.medication.{field}"]
        assert refused_at(data) == expected
        if field is None:
            decision = api.evaluate(json.dumps(data), today=TODAY)
            assert decision.outcome is umpolicy.Outcome.APPROVE

    def test_the_reason_says_what_the_policy_decides(self) -> None:
        data = with_medication(APPROVE.read_text(), code="J9271", system="HCPCS")
        with pytest.raises(InputError) as caught:
            api.evaluate(json.dumps(data), today=TODAY)
        assert str(caught.value) == (
            "HCPCS J9271 is not a code of Proleukin or aldesleukin: this policy decides "
            "Proleukin alone (its codes: HCPCS J9015; ATC L03AC01) @ $.medication.code"
        )

    def test_decide_refuses_it_too(self) -> None:
        """A request built in Python is checked as one read from JSON."""
        request = api.parse_request(APPROVE.read_text())
        other = attrs.evolve(request, medication=attrs.evolve(request.medication, name="Opdivo"))
        with pytest.raises(InputError, match=r"'Opdivo' does not name .* @ \$\.medication\.name"):
            umpolicy.decide(PROLEUKIN, other)

    @pytest.mark.parametrize(
        ("medication", "path"),
        [
            ("Proleukin", "$.medication"),
            (umpolicy.Medication(name=5), "$.medication.name"),  # type: ignore[arg-type]
            (umpolicy.Medication(code=5), "$.medication.code"),  # type: ignore[arg-type]
            (umpolicy.Medication(code="J9015", system="HCPCS"), "$.medication.system"),  # type: ignore[arg-type]
        ],
    )
    def test_a_medication_of_the_wrong_form_is_that_error_alone(
        self, medication: object, path: str
    ) -> None:
        """A field of the wrong type is named as such, not also as another drug."""
        request = api.parse_request(APPROVE.read_text())
        wrong = attrs.evolve(request, medication=medication)  # type: ignore[arg-type]
        with pytest.raises(InputError) as caught:
            umpolicy.decide(PROLEUKIN, wrong)
        assert [each.path for each in caught.value.errors] == [path]

    @given(
        st.text(st.sampled_from(" -/(),®"), max_size=4),
        st.sampled_from(["Proleukin", "aldesleukin", "ALDESLEUKIN", "proleukin"]),
        st.text(st.sampled_from(" -/(),®"), max_size=4),
    )
    def test_a_name_holding_the_drug_name_as_a_word(
        self, before: str, name: str, after: str
    ) -> None:
        assert PROLEUKIN.requested.mismatch(None, None, f"{before}{name}{after}") is None

    @given(st.text(st.characters(categories=["L"]), min_size=1, max_size=3), st.booleans())
    def test_the_name_inside_another_word_is_not_it(self, letters: str, ahead: bool) -> None:
        name = f"{letters}aldesleukin" if ahead else f"aldesleukin{letters}"
        found = PROLEUKIN.requested.mismatch(None, None, name)
        assert found is not None
        assert found[0] == "name"

    @pytest.mark.parametrize(
        ("name", "refused"),
        [("Quellimab", False), ("quellimab 162 mg", False), ("tocilizumab", True)],
    )
    def test_quellimab_by_name(self, name: str, refused: bool) -> None:
        assert (QUELLIMAB.requested.mismatch(None, None, name) is not None) is refused

    def test_a_system_without_a_code(self) -> None:
        data = with_medication(APPROVE.read_text(), system="HCPCS", name="Proleukin")
        assert refused_at(data) == ["$.medication.system"]

    def test_an_atc_code_of_the_wrong_form(self) -> None:
        data = with_medication(APPROVE.read_text(), code="l03ac01", system="ATC")
        assert "$.medication.code" in refused_at(data)

    def test_an_unknown_system(self) -> None:
        data = with_medication(APPROVE.read_text(), code="J9015", system="hcpcs")
        with pytest.raises(InputError, match=r"expected one of RxNorm, NDC, HCPCS, ATC"):
            api.evaluate(json.dumps(data), today=TODAY)

    def test_the_system_is_left_out_of_the_fingerprint_when_not_given(self) -> None:
        """A request of the old shape keeps its fingerprint: the field is written when given."""
        request = api.parse_request(APPROVE.read_text())
        assert request.medication.system is None
        assert "system" not in api.to_json(request)
        coded = attrs.evolve(
            request,
            medication=attrs.evolve(request.medication, code="J9015", system=DrugCodeSystem.HCPCS),
        )
        assert '"system":"HCPCS"' in api.to_json(coded)


def ordered(concept: dict[str, Any]) -> dict[str, Any]:
    """The approved example's PAS bundle, its order's drug ``concept``."""
    data = bundle("gvhd-approve")
    order = resource(data, "MedicationRequest")
    order.pop("medicationReference", None)
    order["medicationCodeableConcept"] = concept
    return data


class TestFhir:
    """PAS and CRD read the order's drug and its system; another drug's order is not decided."""

    def test_the_system_is_read(self) -> None:
        data = ordered({"coding": [{"system": codes.HCPCS, "code": "J9015"}]})
        medication = request_from_bundle(data, "proleukin").medication
        assert (medication.code, medication.system) == ("J9015", DrugCodeSystem.HCPCS)
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is umpolicy.Outcome.APPROVE

    def test_written_with_its_system(self) -> None:
        request = api.parse_request(APPROVE.read_text())
        coded = attrs.evolve(
            request,
            medication=attrs.evolve(request.medication, code="J9015", system=DrugCodeSystem.HCPCS),
        )
        order = resource(bundle_from_request(coded), "MedicationRequest")
        assert order["medicationCodeableConcept"]["coding"] == [
            {"system": codes.HCPCS, "code": "J9015"}
        ]

    @pytest.mark.parametrize(
        ("concept", "where"),
        [
            (
                {"coding": [{"system": codes.HCPCS, "code": "J9271"}], "text": "Proleukin"},
                "coding[0].code",
            ),
            ({"text": "Keytruda"}, "text"),
            (
                {
                    "coding": [
                        {"system": codes.RXNORM, "code": "1547545", "display": "pembrolizumab"}
                    ]
                },
                "coding[0].code",
            ),
        ],
    )
    def test_another_drug_is_refused_at_its_element(
        self, concept: dict[str, Any], where: str
    ) -> None:
        data = ordered(concept)
        entry = next(
            i
            for i, e in enumerate(data["entry"])
            if e["resource"]["resourceType"] == "MedicationRequest"
        )
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        assert [e.path for e in caught.value.errors] == [
            f"Bundle.entry[{entry}].resource.medicationCodeableConcept.{where}"
        ]

    def test_an_rxnorm_order_named_by_its_display(self) -> None:
        display = "aldesleukin 22000000 UNT Injection"
        data = ordered({"coding": [{"system": codes.RXNORM, "code": "1", "display": display}]})
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is umpolicy.Outcome.APPROVE


@pytest.fixture(scope="module")
def served() -> Any:
    with running() as found:
        yield found


def hook_for(concept: dict[str, Any]) -> dict[str, Any]:
    """The approved example's CRD order-sign call, its draft order's drug ``concept``."""
    hook: dict[str, Any] = loads(
        fhir_json(hook_from_request(api.parse_request(APPROVE.read_text())))
    )
    order = hook["context"]["draftOrders"]["entry"][0]["resource"]
    order.pop("medicationReference", None)
    order["medicationCodeableConcept"] = copy.deepcopy(concept)
    return hook


class TestCrd:
    """A CRD service answers an order of another drug with no card: it is not its to answer."""

    def test_another_drug_no_card(self, served: Served) -> None:
        hook = hook_for({"coding": [{"system": codes.HCPCS, "code": "J9271"}], "text": "Keytruda"})
        answer = post_json(served, "/cds-services/proleukin-order-sign", fhir_json(hook).encode())
        assert answer.status == 200
        assert answer.json() == {"cards": []}
        with pytest.raises(InputError, match="J9271"):
            evaluate_hook(hook, "proleukin")

    def test_its_own_drug_a_card(self, served: Served) -> None:
        hook = hook_for({"coding": [{"system": codes.HCPCS, "code": "J9015"}]})
        answer = post_json(served, "/cds-services/proleukin-order-sign", fhir_json(hook).encode())
        assert answer.status == 200
        assert len(answer.json()["cards"]) == 1
