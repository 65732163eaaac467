"""A request is decided only for the policy's own drug: another drug's is refused."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any, Final

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import umpolicy
from tests import test_fhir_bundle
from tests.live_server import Served, post_json, running
from tests.test_fhir_bundle import TODAY, bundle, index, resource
from umpolicy import Drug, DrugCodeSystem, InputError, ValueSet, api
from umpolicy.dsl.drug import TAIL_WORDS
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

    def test_a_list_of_names_is_a_tuple(self) -> None:
        assert Drug(["Brandname"]).names == ("Brandname",)

    def test_a_policy_whose_drug_is_no_drug_cannot_be_made(self) -> None:
        with pytest.raises(
            TypeError, match=r"'requested' must be <class 'umpolicy\.dsl\.drug\.Drug'>"
        ):
            attrs.evolve(PROLEUKIN, requested="Proleukin")  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("names", "codes", "words"),
        [
            ("Brandname", (), "a tuple of names"),
            (("Brandname",), ("J9999",), "a tuple of value sets"),
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
    ("J9271", None, None, "code"),  # no system, of HCPCS's form: another drug's
    ("1547545", None, None, "code"),  # no system, no system's form: shows nothing
    ("1547545", None, "Proleukin", None),
    ("J9271", None, "Proleukin", "code"),  # no system, but HCPCS's form: another drug's
    ("L03AC", "ATC", None, "code"),  # interleukins: may be the drug, or another
    ("L03AC", "ATC", "aldesleukin", None),
    ("J9999", "HCPCS", None, "code"),  # "not otherwise classified": no one drug
    ("J9999", "HCPCS", "Proleukin", None),
    ("1547545", "RxNorm", "pembrolizumab 25 MG/ML Injectable Solution", "name"),
    ("J9015", "HCPCS", "Keytruda", "name"),  # a listed code, and a name of another drug
    (None, None, "Keytruda, not Proleukin", "name"),  # the name begins with another
    (None, None, "pegylated aldesleukin", "name"),
    (None, None, "Injection, aldesleukin, per single use vial", None),  # HCPCS's words
    ("1547545", "RxNorm", "aldesleukin 22000000 UNT Injection", None),
    ("76310-022-01", "NDC", None, "code"),  # no NDC code listed: the name must show it
    ("1234567890", None, "Proleukin", None),  # RxNorm's or NDC's form: shows nothing
    ("1234567890", None, None, "code"),
    ("j9271", None, "Proleukin", "code"),  # of no system's form: a typo, refused
    ("J9271", "RxNorm", "Proleukin", "code"),  # not RxNorm's form
    ("", None, "Proleukin", "code"),
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
            "HCPCS 'J9271' is not a code of Proleukin or aldesleukin: this policy decides "
            "Proleukin alone; a request for it gives one of its codes (HCPCS J9015; ATC "
            "L03AC01) or its name (another drug's request goes to that drug's policy) "
            "@ $.medication.code"
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
            (umpolicy.Medication(other_codes=("J9015",)), "$.medication.other_codes[0]"),  # type: ignore[arg-type]
            (umpolicy.Medication(other_names=(5,)), "$.medication.other_names[0]"),  # type: ignore[arg-type]
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
        st.text(st.sampled_from(" \t"), max_size=3),
        st.sampled_from(["Proleukin", "aldesleukin", "ALDESLEUKIN", "proleukin"]),
        st.text(st.sampled_from(" /(),®[]"), min_size=1, max_size=4),
        st.lists(st.sampled_from([*sorted(TAIL_WORDS), "22", "000000", "/1", "[Proleukin]"])),
    )
    def test_a_name_that_begins_with_the_drugs(
        self, before: str, name: str, after: str, rest: list[str]
    ) -> None:
        """Then its strength, units and dose form: the words a name may hold after it."""
        assert PROLEUKIN.requested.names_it(f"{before}{name}{after}{' '.join(rest)}")
        assert PROLEUKIN.requested.names_it(f"{before}{name}")

    @given(
        st.sampled_from(["Proleukin", "aldesleukin"]),
        st.lists(st.sampled_from(sorted(TAIL_WORDS))),
        st.text(st.characters(categories=["Ll"]), min_size=2, max_size=8),
    )
    def test_any_other_word_after_it(self, name: str, words: list[str], other: str) -> None:
        """``Proleukin and pembrolizumab``: a word that may name another drug is refused."""
        assume(other.casefold() not in TAIL_WORDS | {"proleukin", "aldesleukin"})
        assert not PROLEUKIN.requested.names_it(" ".join([name, *words, other]))

    @given(st.sampled_from(["Keytruda", "pembrolizumab", "IL-2", "bempeg"]), st.text(max_size=20))
    def test_a_name_that_begins_with_another_word(self, first: str, rest: str) -> None:
        """Whatever follows ("Keytruda, not Proleukin"): another drug is named first."""
        assert not PROLEUKIN.requested.names_it(f"{first} {rest} Proleukin")

    @given(st.text(st.characters(categories=["L"]), min_size=1, max_size=3), st.booleans())
    def test_the_name_inside_another_word_is_not_it(self, letters: str, ahead: bool) -> None:
        name = f"{letters}aldesleukin" if ahead else f"aldesleukin{letters}"
        assert not PROLEUKIN.requested.names_it(name)

    @pytest.mark.parametrize(
        ("name", "refused"),
        [("Quellimab", False), ("quellimab 162 mg", False), ("tocilizumab", True)],
    )
    def test_quellimab_by_name(self, name: str, refused: bool) -> None:
        assert QUELLIMAB.requested.names_it(name) is not refused

    def test_a_system_without_a_code(self) -> None:
        data = with_medication(APPROVE.read_text(), system="HCPCS", name="Proleukin")
        assert refused_at(data) == ["$.medication.system"]

    @pytest.mark.parametrize(
        ("code", "system"),
        [("l03ac01", "ATC"), ("j9015", "HCPCS"), ("J9015 ", "HCPCS"), ("J90150", "HCPCS")],
    )
    def test_a_code_not_of_its_systems_form(self, code: str, system: str) -> None:
        """Refused for its form, not as another drug's: a typo, said as one."""
        data = with_medication(APPROVE.read_text(), code=code, system=system, name="Proleukin")
        with pytest.raises(InputError) as caught:
            api.evaluate(json.dumps(data), today=TODAY)
        example = {"ATC": "an ATC code (such as L01XX99)", "HCPCS": "an HCPCS code (such as J9999)"}
        assert [str(e) for e in caught.value.errors] == [
            f"{code!r} is not {example[system]} @ $.medication.code"
        ]

    def test_every_other_code_and_name_is_checked(self) -> None:
        data = with_medication(APPROVE.read_text(), code="J9015", system="HCPCS")
        data["medication"]["other_codes"] = [
            {"system": "ATC", "code": "L03AC01"},
            {"system": "HCPCS", "code": "J9271"},
        ]
        assert refused_at(data) == ["$.medication.other_codes[1].code"]
        data["medication"]["other_codes"] = [{"system": "RxNorm", "code": "1"}]
        data["medication"]["other_names"] = ["aldesleukin 22000000 UNT", "pembrolizumab"]
        assert refused_at(data) == ["$.medication.other_names[1]"]
        del data["medication"]["other_names"][1]
        assert refused_at(data) == []

    @pytest.mark.parametrize(
        ("name", "named"),
        [
            ("Keytruda\u200bProleukin", False),
            ("Proleukin\u2060Keytruda", False),  # joined by an invisible mark
            ("Proleukin\u200dKeytruda", False),
            ("Proleukin\u00a022 MIU", True),
            ("aldesleukin-xxxx", False),  # a suffix: another product (a biosimilar)
            ("Proleukin-PEG", False),
            ("Proleukin-22 MIU", True),
            ('"Proleukin"', True),
            ("(aldesleukin)", True),
            ("Inj. aldesleukin", True),
            ("Inj aldesleukin 22 MIU", True),
            ("Product containing precisely aldesleukin 22 million unit/1 vial", True),
            ("Proleukin + ⓀⓔⓨⓉⓡⓤⓓⓐ", False),  # circled letters are letters (NFKC)
            ("Proleukin + 🅺🅴🆈", False),  # a symbol after the name
            ("Ｐｒｏｌｅｕｋｉｎ", True),  # full-width letters
            ("PROLEUKIN(R) 22 MIU", True),
            ("Proleukin™ 22 MIU", True),
            ("aldesleukin 22,000,000 intl units", True),
        ],
    )
    def test_names_as_requests_write_them(self, name: str, named: bool) -> None:
        assert PROLEUKIN.requested.names_it(name) is named

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("other_codes", [umpolicy.DrugCode(DrugCodeSystem.HCPCS, "J9271")]),
            ("other_names", ["Keytruda"]),
            ("other_names", "Keytruda"),
            ("system", "HCPCS"),
        ],
    )
    def test_decide_with_answers_refuses_a_field_of_the_wrong_type(
        self, field: str, value: object
    ) -> None:
        """No check of the request's form runs on this path: the drug's is fail closed."""
        request = api.parse_request(APPROVE.read_text())
        medication = attrs.evolve(request.medication, **{field: value})  # type: ignore[arg-type]
        with pytest.raises(InputError, match=rf"@ \$\.medication\.{field}"):
            umpolicy.decide(PROLEUKIN, attrs.evolve(request, medication=medication), answers={})

    def test_decide_with_answers_checked_elsewhere_checks_the_drug(self) -> None:
        request = api.parse_request(APPROVE.read_text())
        other = attrs.evolve(
            request,
            medication=attrs.evolve(request.medication, code="J9271", system=DrugCodeSystem.HCPCS),
        )
        with pytest.raises(InputError, match=r"'J9271' is not a code"):
            umpolicy.decide(PROLEUKIN, other, answers={})

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


def concept_faults(concept: dict[str, Any]) -> list[str]:
    """The paths of the input errors of the approved bundle ordering ``concept``.

    Each is said after the order's ``medicationCodeableConcept``.
    """
    data = ordered(concept)
    path = f"Bundle.entry[{index(data, 'MedicationRequest')}].resource.medicationCodeableConcept"
    with pytest.raises(InputError) as caught:
        evaluate_bundle(data, "proleukin", today=TODAY)
    return [each.path.removeprefix(path) for each in caught.value.errors]


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
                "coding[0].display",
            ),
        ],
    )
    def test_another_drug_is_refused_at_its_element(
        self, concept: dict[str, Any], where: str
    ) -> None:
        assert concept_faults(concept) == [f".{where}"]

    @pytest.mark.parametrize(
        ("concept", "where"),
        [
            (  # the drug's code, then another's: each coding is read
                {
                    "coding": [
                        {"system": codes.HCPCS, "code": "J9015"},
                        {"system": codes.HCPCS, "code": "J9271"},
                    ]
                },
                "coding[1].code",
            ),
            (
                {
                    "coding": [
                        {"system": codes.HCPCS, "code": "J9271"},
                        {"system": codes.RXNORM, "code": "9", "display": "aldesleukin 22 MU"},
                    ]
                },
                "coding[0].code",
            ),
            (  # the text does not hide a coding's words
                {
                    "coding": [
                        {"system": codes.RXNORM, "code": "1547545", "display": "pembrolizumab"}
                    ],
                    "text": "Proleukin",
                },
                "coding[0].display",
            ),
            (  # a coding of a system umpolicy does not read still names a drug
                {
                    "coding": [
                        {"system": codes.HCPCS, "code": "J9015"},
                        {"system": codes.SNOMED, "code": "1", "display": "pembrolizumab"},
                    ]
                },
                "coding[1].display",
            ),
            (
                {
                    "coding": [
                        {"system": codes.ATC, "code": "L01FF02"},
                        {"system": codes.HCPCS, "code": "J9999"},
                    ],
                    "text": "Proleukin",
                },
                "coding[0].code",
            ),
            ({}, ""),  # names no drug at all
            ({"coding": ["J9015"]}, "coding[0]"),
            ({"coding": [{"system": codes.HCPCS}]}, "coding[0].code"),
            ({"coding": []}, ""),
        ],
    )
    def test_every_coding_and_name_is_checked(self, concept: dict[str, Any], where: str) -> None:
        assert concept_faults(concept) == [f".{where}" if where else ""]

    @pytest.mark.parametrize(
        "other",
        [
            {"code": "J9271"},  # no system
            {"system": "urn:local:drugs", "code": "J9271"},
            {"system": codes.SNOMED, "code": "716125002"},  # no display
        ],
    )
    def test_a_coding_umpolicy_cannot_read_beside_one_it_can(self, other: dict[str, Any]) -> None:
        """Refused at its system: without its words, it may name another drug."""
        concept = {"coding": [{"system": codes.HCPCS, "code": "J9015"}, other]}
        assert concept_faults(concept) == [".coding[1].system"]

    @staticmethod
    def by_reference(medication: dict[str, Any], display: str | None = None) -> dict[str, Any]:
        data = ordered({"text": "Proleukin"})
        order = resource(data, "MedicationRequest")
        del order["medicationCodeableConcept"]
        order["contained"] = [{"resourceType": "Medication", "id": "m", **medication}]
        order["medicationReference"] = {"reference": "#m"}
        if display is not None:
            order["medicationReference"]["display"] = display
        return data

    J9015: Final = {"coding": [{"system": codes.HCPCS, "code": "J9015"}]}

    @pytest.mark.parametrize(
        ("medication", "display", "refused"),
        [
            ({"code": J9015}, None, False),
            ({"code": J9015}, "Keytruda", True),
            (
                {"code": J9015, "ingredient": [{"itemCodeableConcept": {"text": "pembrolizumab"}}]},
                None,
                True,
            ),
            (
                {"code": J9015, "ingredient": [{"itemReference": {"display": "pembrolizumab"}}]},
                None,
                True,
            ),
            (  # an inactive ingredient (an excipient) names no drug
                {
                    "code": J9015,
                    "ingredient": [
                        {"itemCodeableConcept": {"text": "mannitol"}, "isActive": False}
                    ],
                },
                None,
                False,
            ),
            (
                {"code": J9015, "ingredient": [{"itemCodeableConcept": {"text": "aldesleukin"}}]},
                None,
                False,
            ),
            ({"code": J9015, "status": "entered-in-error"}, None, True),
            ({"code": J9015, "status": "inactive"}, None, True),
        ],
    )
    def test_the_medication_record_names_its_drug(
        self, medication: dict[str, Any], display: str | None, refused: bool
    ) -> None:
        data = self.by_reference(medication, display)
        if refused:
            with pytest.raises(InputError):
                evaluate_bundle(data, "proleukin", today=TODAY)
        else:
            outcome = evaluate_bundle(data, "proleukin", today=TODAY).outcome
            assert outcome is umpolicy.Outcome.APPROVE

    def test_the_writer_refuses_more_names_than_codes(self) -> None:
        request = api.parse_request(APPROVE.read_text())
        more = attrs.evolve(request.medication, other_names=("aldesleukin",))
        with pytest.raises(
            InputError, match=r"more names than codes: .* @ \$\.medication\.other_names\[0\]"
        ):
            bundle_from_request(attrs.evolve(request, medication=more))

    def test_the_writer_writes_a_code_in_the_system_of_its_form(self) -> None:
        request = api.parse_request(APPROVE.read_text())
        coded = attrs.evolve(request.medication, code="J9271")
        order = resource(
            bundle_from_request(attrs.evolve(request, medication=coded)), "MedicationRequest"
        )
        assert order["medicationCodeableConcept"]["coding"] == [
            {"system": codes.HCPCS, "code": "J9271"}
        ]

    def test_the_writer_invents_no_name(self) -> None:
        """A code alone is written alone, in the order and in the Claim item alike."""
        request = api.parse_request(APPROVE.read_text())
        coded = attrs.evolve(request.medication, name=None, code="1", system=DrugCodeSystem.RXNORM)
        data = bundle_from_request(attrs.evolve(request, medication=coded))
        assert "text" not in resource(data, "Claim")["item"][0]["productOrService"]
        with pytest.raises(InputError, match="no name is given"):
            evaluate_bundle(data, "proleukin", today=TODAY)

    def test_an_order_by_its_atc_code(self) -> None:
        data = ordered({"coding": [{"system": codes.ATC, "code": "L03AC01"}]})
        medication = request_from_bundle(data, "proleukin").medication
        assert (medication.code, medication.system) == ("L03AC01", DrugCodeSystem.ATC)
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is umpolicy.Outcome.APPROVE

    def test_both_medication_choices(self) -> None:
        data = ordered({"coding": [{"system": codes.HCPCS, "code": "J9271"}]})
        order = resource(data, "MedicationRequest")
        order["contained"] = [
            {
                "resourceType": "Medication",
                "id": "m",
                "code": {"coding": [{"system": codes.HCPCS, "code": "J9015"}]},
            }
        ]
        order["medicationReference"] = {"reference": "#m"}
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        assert any(e.path.endswith(".medicationReference") for e in caught.value.errors)

    def test_a_medication_without_its_code(self) -> None:
        data = ordered({"text": "Proleukin"})
        order = resource(data, "MedicationRequest")
        del order["medicationCodeableConcept"]
        order["contained"] = [{"resourceType": "Medication", "id": "m"}]
        order["medicationReference"] = {"reference": "#m", "display": "Keytruda"}
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        assert [e.reason for e in caught.value.errors] == [
            "required field missing: the code of the drug ordered"
        ]

    def test_the_claim_items_product_is_checked(self) -> None:
        data = ordered({"text": "Proleukin"})
        claim = resource(data, "Claim")
        claim["item"][0]["productOrService"] = {
            "coding": [{"system": codes.HCPCS, "code": "J9271"}],
            "text": "Keytruda",
        }
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        assert [e.path for e in caught.value.errors] == [
            "Bundle.entry[0].resource.item[0].productOrService.coding[0].code"
        ]
        claim["item"][0]["productOrService"] = {
            "coding": [
                {
                    "system": codes.HCPCS,
                    "code": "J9015",
                    "display": "Injection, aldesleukin, per single use vial",
                }
            ]
        }
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is umpolicy.Outcome.APPROVE

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

    def test_two_drugs_coded_no_card(self, served: Served) -> None:
        hook = hook_for(
            {
                "coding": [
                    {"system": codes.HCPCS, "code": "J9015"},
                    {"system": codes.HCPCS, "code": "J9271"},
                ]
            }
        )
        answer = post_json(served, "/cds-services/proleukin-order-sign", fhir_json(hook).encode())
        assert answer.json() == {"cards": []}

    def test_another_drug_wrong_in_other_ways_no_card(self, served: Served) -> None:
        """The EHR calls every service on every order: another drug's is no error of ours."""
        hook = hook_for({"coding": [{"system": codes.HCPCS, "code": "J9271"}], "text": "Keytruda"})
        order = hook["context"]["draftOrders"]["entry"][0]["resource"]
        order["dosageInstruction"] = [{}, {}]  # two: umpolicy reads one
        answer = post_json(served, "/cds-services/proleukin-order-sign", fhir_json(hook).encode())
        assert answer.json() == {"cards": []}

    def test_a_dose_umpolicy_cannot_read_of_another_drug_no_card(self, served: Served) -> None:
        hook = hook_for({"coding": [{"system": codes.HCPCS, "code": "J9271"}]})
        order = hook["context"]["draftOrders"]["entry"][0]["resource"]
        order["dosageInstruction"] = [
            {"doseAndRate": [{"doseQuantity": {"value": 4, "unit": "mL", "code": "mL"}}]}
        ]
        answer = post_json(served, "/cds-services/proleukin-order-sign", fhir_json(hook).encode())
        assert answer.json() == {"cards": []}

    def test_a_drug_named_past_the_longest_text_an_error(self, served: Served) -> None:
        """Which drug is not read: the call's own errors are said."""
        hook = hook_for({"text": "Keytruda " * 200})
        answer = post_json(served, "/cds-services/proleukin-order-sign", fhir_json(hook).encode())
        assert answer.status == 422
        assert "the limit is 1000" in answer.body.decode()

    def test_its_own_drug_wrong_in_other_ways_an_error(self, served: Served) -> None:
        hook = hook_for({"coding": [{"system": codes.HCPCS, "code": "J9015"}]})
        order = hook["context"]["draftOrders"]["entry"][0]["resource"]
        order["dosageInstruction"] = [{}, {}]
        answer = post_json(served, "/cds-services/proleukin-order-sign", fhir_json(hook).encode())
        assert answer.status == 422

    def test_its_own_drug_a_card(self, served: Served) -> None:
        hook = hook_for({"coding": [{"system": codes.HCPCS, "code": "J9015"}]})
        answer = post_json(served, "/cds-services/proleukin-order-sign", fhir_json(hook).encode())
        assert answer.status == 200
        assert len(answer.json()["cards"]) == 1


class TestTheSchema:
    """The request's JSON Schema holds a drug's code to its system's form, as umpolicy does."""

    @pytest.mark.parametrize(
        "given",
        [
            {"code": "J9015", "system": "HCPCS"},
            {"code": "j9015", "system": "HCPCS"},
            {"code": "J9015", "system": "RxNorm"},
            {"code": "J9015"},
            {"code": "j9271"},
            {"code": "1116196"},
            {"code": "", "system": "NDC"},
            {"code": "L03AC01", "other_codes": [{"system": "ATC", "code": "L03AC01"}]},
            {"code": "L03AC01", "other_codes": [{"system": "HCPCS", "code": "j1"}]},
        ],
    )
    def test_refused_for_its_form_exactly_when_the_schema_refuses(
        self, given: dict[str, Any]
    ) -> None:
        import jsonschema

        from umpolicy.io.schema import json_schema

        schema = json_schema(umpolicy.Request, (PROLEUKIN,))
        data = with_medication(APPROVE.read_text(), name="Proleukin", **given)
        valid = jsonschema.Draft202012Validator(schema).is_valid(data)
        paths = refused_at(data)
        assert valid is not any(path.startswith("$.medication") for path in paths)


def by_contained_medication() -> tuple[dict[str, Any], dict[str, Any]]:
    """The approved bundle and its order, whose drug is now the contained Medication ``#m``."""
    data = ordered({"text": "Proleukin"})
    order = resource(data, "MedicationRequest")
    del order["medicationCodeableConcept"]
    order["medicationReference"] = {"reference": "#m"}
    return data, order


class TestFhirMore:
    """The third review's routes: aliases, procedures, ingredients by reference, details."""

    def test_an_oid_is_its_system(self) -> None:
        rxnorm = {"system": "urn:oid:2.16.840.1.113883.6.88", "code": "1", "display": "aldesleukin"}
        medication = request_from_bundle(ordered({"coding": [rxnorm]}), "proleukin").medication
        assert (medication.code, medication.system) == ("1", DrugCodeSystem.RXNORM)

    def test_blue_buttons_hcpcs_is_hcpcs(self) -> None:
        hcpcs = {"system": "https://bluebutton.cms.gov/resources/codesystem/hcpcs", "code": "J9271"}
        assert concept_faults({"coding": [{"system": codes.HCPCS, "code": "J9015"}, hcpcs]}) == [
            ".coding[1].code"
        ]

    def test_a_procedure_beside_the_drug_is_no_drug(self) -> None:
        data = ordered({"text": "Proleukin"})
        resource(data, "Claim")["item"][0]["productOrService"] = {
            "coding": [
                {"system": codes.HCPCS, "code": "J9015"},
                {"system": codes.CPT, "code": "96413", "display": "Chemotherapy administration"},
            ]
        }
        assert evaluate_bundle(data, "proleukin", today=TODAY).outcome is umpolicy.Outcome.APPROVE

    def test_a_system_that_is_not_text(self) -> None:
        assert concept_faults({"coding": [{"system": {"x": 1}, "code": "J9015"}]}) == [
            ".coding[0].system"
        ]

    @pytest.mark.parametrize(
        ("ingredient", "where"),
        [
            ({"itemReference": {"reference": "#k"}}, "contained[1].code.coding[0].code"),
            ({"itemReference": {"reference": "#s"}}, "contained[1].code"),
            ({"itemCodeableConcept": ["pembrolizumab"]}, "contained[0].ingredient[0].item[x]"),
            ({}, "contained[0].ingredient[0].item[x]"),
            ("pembrolizumab", "contained[0].ingredient[0]"),
        ],
    )
    def test_an_ingredient_is_read_or_refused(self, ingredient: object, where: str) -> None:
        data, order = by_contained_medication()
        keytruda = {"coding": [{"system": codes.HCPCS, "code": "J9271"}]}
        order["contained"] = [
            {
                "resourceType": "Medication",
                "id": "m",
                "code": {"coding": [{"system": codes.HCPCS, "code": "J9015"}]},
                "ingredient": [ingredient],
            },
            {"resourceType": "Medication", "id": "k", "code": keytruda},
            {"resourceType": "Substance", "id": "s"},
        ]
        # what the ingredient does not refer to, nothing does (dom-3): not there
        order["contained"][1:] = [
            c for c in order["contained"][1:] if f"#{c['id']}" in str(ingredient)
        ]
        order["medicationReference"] = {"reference": "#m"}
        at = f"Bundle.entry[{index(data, 'MedicationRequest')}].resource."
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        assert [e.path.removeprefix(at) for e in caught.value.errors] == [where]

    def test_a_display_that_is_not_text(self) -> None:
        concept = {"coding": [{"system": codes.HCPCS, "code": "J9015", "display": 5}]}
        assert concept_faults(concept) == [".coding[0].display"]

    def test_an_ingredients_own_ingredients(self) -> None:
        """Medication → an ingredient Medication → Keytruda: each level is read, once."""
        data, order = by_contained_medication()
        j9015 = {"coding": [{"system": codes.HCPCS, "code": "J9015"}]}
        order["contained"] = [
            {
                "resourceType": "Medication",
                "id": "m",
                "code": j9015,
                "ingredient": [{"itemReference": {"reference": "#i"}}],
            },
            {
                "resourceType": "Medication",
                "id": "i",
                "code": j9015,
                "ingredient": [
                    {"itemReference": {"reference": "#k"}},
                    {"itemReference": {"reference": "#m"}},  # a cycle: read once
                ],
            },
            {
                "resourceType": "Medication",
                "id": "k",
                "code": {"coding": [{"system": codes.HCPCS, "code": "J9271"}]},
            },
        ]
        order["medicationReference"] = {"reference": "#m"}
        at = f"Bundle.entry[{index(data, 'MedicationRequest')}].resource."
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        assert [e.path.removeprefix(at) for e in caught.value.errors] == [
            "contained[2].code.coding[0].code"
        ]

    def test_a_contained_medication_nothing_refers_to(self) -> None:
        """FHIR's dom-3: a Keytruda Medication beside the order's drug is not passed over."""
        data = ordered({"coding": [{"system": codes.HCPCS, "code": "J9015"}]})
        order = resource(data, "MedicationRequest")
        keytruda = {"coding": [{"system": codes.HCPCS, "code": "J9271"}]}
        order["contained"] = [{"resourceType": "Medication", "id": "k", "code": keytruda}]
        at = f"Bundle.entry[{index(data, 'MedicationRequest')}].resource."
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        assert [e.path.removeprefix(at) for e in caught.value.errors] == ["contained[0].id"]

    def test_an_item_detail_may_ask_for_another_drug(self) -> None:
        data = ordered({"text": "Proleukin"})
        item = resource(data, "Claim")["item"][0]
        item["detail"] = [{"sequence": 1, "productOrService": {"text": "Keytruda"}}]
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        assert [e.path for e in caught.value.errors] == [
            f"Bundle.entry[{index(data, 'Claim')}].resource.item[0].detail"
        ]


class TestHiddenMore:
    """A therapy given with the drug, hidden in a place still allowed, is refused."""

    nivolumab = staticmethod(test_fhir_bundle.TestRecordsHiddenInOtherResources.statement)

    def test_a_bundle_contained_in_the_patient(self) -> None:
        data = bundle("melanoma-iv-approve")
        patient = resource(data, "Patient")
        held: dict[str, Any] = {"resourceType": "Bundle", "id": "b", "type": "collection"}
        held["entry"] = [{"resource": self.nivolumab()}]
        patient["contained"] = [held]
        at = f"Bundle.entry[{index(data, 'Patient')}].resource.contained[0].entry[0].resource"
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        assert at in [e.path for e in caught.value.errors]

    def test_an_order_in_the_claim_it_does_not_ask_for(self) -> None:
        data = bundle("melanoma-iv-approve")
        order = self.nivolumab() | {"resourceType": "MedicationRequest", "intent": "order"}
        resource(data, "Claim")["contained"] = [order]
        at = f"Bundle.entry[{index(data, 'Claim')}].resource.contained[0].resourceType"
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        assert [e.path for e in caught.value.errors] == [at]

    def test_a_resource_in_an_entrys_response(self) -> None:
        data = bundle("melanoma-iv-approve")
        data["entry"][1]["response"] = {"status": "201", "outcome": self.nivolumab()}
        with pytest.raises(InputError) as caught:
            evaluate_bundle(data, "proleukin", today=TODAY)
        assert [e.path for e in caught.value.errors] == ["Bundle.entry[1].response.outcome"]
