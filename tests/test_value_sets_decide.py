"""Which codes count: each value set's codes and boundaries, as decisions show them.

The value sets are the policies' reading of their words ("an oncologist", "cutaneous
melanoma", "systemic corticosteroids"); these tables are that reading, written for
the reviewer who signs it off, and each row is decided end to end. A code dropped or
a prefix widened in a policy module fails a row here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from umpolicy import Outcome
from umpolicy.api import evaluate

EXAMPLES = Path(__file__).parent.parent / "examples"
MELANOMA_IV = EXAMPLES / "proleukin" / "melanoma-iv-approve.json"
MELANOMA_IL = EXAMPLES / "proleukin" / "melanoma-intralesional-approve.json"
RCC = EXAMPLES / "proleukin" / "rcc-approve.json"
GVHD = EXAMPLES / "proleukin" / "gvhd-approve.json"
PJIA = EXAMPLES / "quellimab-policy" / "examples" / "pjia-initial-approve.json"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def outcome(data: dict[str, Any]) -> Outcome:
    return evaluate(json.dumps(data)).outcome


#: NUCC taxonomy codes and whether each is an oncologist (1.A.v, 2.D, 3.D).
ONCOLOGISTS = [
    ("207RX0202X", True),  # Internal Medicine, Medical Oncology
    ("207RH0003X", True),  # Internal Medicine, Hematology & Oncology
    ("2086X0206X", True),  # Surgery, Surgical Oncology
    ("2085R0001X", True),  # Radiology, Radiation Oncology
    ("207VX0201X", True),  # Obstetrics & Gynecology, Gynecologic Oncology
    ("2080P0207X", True),  # Pediatrics, Pediatric Hematology-Oncology
    ("207RH0000X", False),  # Internal Medicine, Hematology (not oncology)
    ("207R00000X", False),  # Internal Medicine
    ("207N00000X", False),  # Dermatology
]
#: NUCC taxonomy codes and whether each is a dermatologist (1.B.iii, with the oncologists).
DERMATOLOGISTS = [
    ("207N00000X", True),  # Dermatology
    ("207ND0101X", True),  # MOHS-Micrographic Surgery
    ("207ND0900X", True),  # Dermatopathology
    ("207NI0002X", True),  # Clinical & Laboratory Dermatological Immunology
    ("207NP0225X", True),  # Pediatric Dermatology
    ("207NS0135X", True),  # Procedural Dermatology
    ("207Q00000X", False),  # Family Medicine
]


class TestSpecialties:
    """Each oncologist and dermatologist code counts, and a neighbouring code does not."""

    @pytest.mark.criteria("1.A.v")
    @pytest.mark.parametrize(("code", "counts"), ONCOLOGISTS)
    def test_oncologist(self, code: str, counts: bool) -> None:
        data = load(MELANOMA_IV)
        data["prescriber"]["specialties"] = [code]
        expected = Outcome.APPROVE if counts else Outcome.NOT_RECOMMENDED
        assert outcome(data) is expected

    @pytest.mark.criteria("1.B.iii")
    @pytest.mark.parametrize(("code", "counts"), DERMATOLOGISTS)
    def test_dermatologist(self, code: str, counts: bool) -> None:
        data = load(MELANOMA_IL)
        data["prescriber"]["specialties"] = [code]
        expected = Outcome.APPROVE if counts else Outcome.NOT_RECOMMENDED
        assert outcome(data) is expected


class TestDiagnoses:
    """The ICD-10-CM codes of each indication, and the codes just outside them."""

    @pytest.mark.criteria("1", "2", "3", "3.A")
    @pytest.mark.parametrize(
        ("path", "code", "expected"),
        [
            (MELANOMA_IV, "C43.9", Outcome.APPROVE),
            (MELANOMA_IV, "C43.59", Outcome.APPROVE),
            (MELANOMA_IV, "C44.9", Outcome.NOT_RECOMMENDED),  # other skin cancer
            (MELANOMA_IV, "D03.9", Outcome.NOT_RECOMMENDED),  # melanoma in situ
            (RCC, "C64.1", Outcome.APPROVE),
            (RCC, "C65.9", Outcome.NOT_RECOMMENDED),  # renal pelvis, not kidney
            (GVHD, "D89.811", Outcome.APPROVE),
            (GVHD, "D89.810", Outcome.NOT_RECOMMENDED),  # acute: fails 3.A
            (GVHD, "D89.89", Outcome.NOT_RECOMMENDED),  # other immune disorder: not 3
        ],
    )
    def test_code(self, path: Path, code: str, expected: Outcome) -> None:
        data = load(path)
        data["diagnoses"] = [{"code": code}]
        assert outcome(data) is expected

    @pytest.mark.criteria("3", "3.A")
    @pytest.mark.parametrize(
        ("code", "labels"),
        [
            ("D89.81", ["3.A"]),  # graft-versus-host disease: chronic, or not
            ("D89.8", ["3", "3.A"]),  # graft-versus-host disease, or another disorder
        ],
    )
    def test_a_category_that_may_be_the_condition_asks_for_the_code(
        self, code: str, labels: list[str]
    ) -> None:
        data = load(GVHD)
        data["diagnoses"] = [{"code": code}]
        decision = evaluate(json.dumps(data))
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert [reason.label for reason in decision.reasons] == labels
        assert decision.facts_needed == ("diagnoses",)
        assert f"Requested: {code} (" in decision.reasons[-1].detail
        assert "may be Chronic graft-versus-host disease" in decision.reasons[-1].detail

    @pytest.mark.criteria("1")
    def test_the_melanoma_category_is_melanoma(self) -> None:
        data = load(MELANOMA_IV)
        data["diagnoses"] = [{"code": "C43"}]
        assert outcome(data) is Outcome.APPROVE

    @pytest.mark.criteria("3", "3.A")
    def test_acute_gvhd_fails_3a_not_3(self) -> None:
        data = load(GVHD)
        data["diagnoses"] = [{"code": "D89.810"}]
        decision = evaluate(json.dumps(data))
        assert [reason.label for reason in decision.reasons] == ["3.A"]
        data["diagnoses"] = [{"code": "D89.89"}]
        assert [reason.label for reason in evaluate(json.dumps(data)).reasons] == ["1", "2", "3"]


class TestTherapyClasses:
    """ATC classes: systemic anticancer therapy (L01, L02, the interferons), and steroids."""

    @pytest.mark.criteria("1.A.iii")
    @pytest.mark.parametrize(
        ("code", "counts"),
        [
            ("L01FF02", True),  # pembrolizumab
            ("L02BA01", True),  # tamoxifen
            ("L03AB05", True),  # interferon alfa-2b
            ("L01BA01", True),  # methotrexate, as an antineoplastic
            ("L04AX03", False),  # methotrexate, as an immunosuppressant
            ("L03AA02", False),  # filgrastim: supportive
            ("L04AD02", False),  # tacrolimus: an immunosuppressant
            ("L03AC01", False),  # aldesleukin itself
            ("A04AA01", False),  # ondansetron
            ("L05AA01", False),  # not of L01-L04
        ],
    )
    def test_other_systemic_therapy(self, code: str, counts: bool) -> None:
        data = load(MELANOMA_IV)
        data["therapies"]["prior"] = [{"name": "a therapy", "codes": [code]}]
        assert outcome(data) is (Outcome.APPROVE if counts else Outcome.NOT_RECOMMENDED)

    @pytest.mark.criteria("1.A.iii")
    @pytest.mark.parametrize(
        ("codes", "expected"),
        [
            (["L03AC"], Outcome.NOT_RECOMMENDED),  # interleukins: aldesleukin's own group
            (["L03A"], Outcome.INSUFFICIENT_INFORMATION),  # an interferon, or supportive
            (["L03"], Outcome.INSUFFICIENT_INFORMATION),
            (["L03AC", "L03AC01"], Outcome.NOT_RECOMMENDED),  # aldesleukin, and its group
            (["L01XC"], Outcome.APPROVE),  # every drug of it is another systemic therapy
            (["L04A"], Outcome.NOT_RECOMMENDED),  # immunosuppressants
            (["L05A"], Outcome.NOT_RECOMMENDED),
            (["L04AX04"], Outcome.NOT_RECOMMENDED),  # lenalidomide: not for melanoma
            (["V10XX04"], Outcome.NOT_RECOMMENDED),  # lutetium: no "systemic therapy" tried
        ],
    )
    def test_group_codes_of_other_systemic_therapy(
        self, codes: list[str], expected: Outcome
    ) -> None:
        """A therapy coded only by a group that may hold an anticancer therapy may be one."""
        data = load(MELANOMA_IV)
        data["therapies"]["prior"] = [{"name": "aldesleukin", "codes": codes}]
        decision = evaluate(json.dumps(data))
        assert decision.outcome is expected
        if expected is Outcome.INSUFFICIENT_INFORMATION:
            (reason,) = decision.reasons
            assert reason.label == "1.A.iii"
            assert decision.facts_needed == ("therapies.prior",)
            assert "at least 0 therapies, some without a drug's code" in reason.detail

    @pytest.mark.criteria("2.C")
    @pytest.mark.parametrize(
        ("code", "single"),
        [
            ("L01XC", False),
            ("L02BG03", False),  # anastrozole
            ("L03AB05", False),  # interferon alfa: with Proleukin, a combination regimen
            ("L03AA02", True),  # filgrastim: supportive
            ("H02AB07", True),  # prednisone: supportive
            # Anticancer therapies ATC files outside L01-L03AB.
            ("L04AX04", False),  # lenalidomide
            ("L04AX02", False),  # thalidomide
            ("L03AX03", False),  # BCG, intravesical
            ("L03AX14", False),  # histamine dihydrochloride, given with interleukin-2
            ("L03AX15", False),  # mifamurtide (osteosarcoma)
            ("L03AX11", False),  # tasonermin (limb perfusion, soft-tissue sarcoma)
            ("L03AX17", False),  # sipuleucel-T (prostate cancer)
            ("V10XX04", False),  # lutetium Lu 177 dotatate
            ("V10XX03", False),  # radium Ra 223 dichloride
            ("L04AD02", True),  # tacrolimus: an immunosuppressant
            ("L04AX03", True),  # methotrexate, as an immunosuppressant (arthritis)
            ("L03AX16", True),  # plerixafor: mobilizes stem cells
            ("V10BX01", True),  # strontium chloride Sr 89: for bone pain
        ],
    )
    def test_single_agent(self, code: str, single: bool) -> None:
        data = load(RCC)
        data["therapies"]["concomitant"] = [{"name": "a therapy", "codes": [code]}]
        assert outcome(data) is (Outcome.APPROVE if single else Outcome.NOT_RECOMMENDED)

    @pytest.mark.criteria("3.C")
    @pytest.mark.parametrize(
        ("code", "counts"),
        [
            ("H02AB07", True),  # prednisone
            ("H02AB06", True),  # prednisolone
            ("H02BX01", True),  # methylprednisolone, combinations
            ("H01BA02", False),  # desmopressin
            ("H03AA01", False),  # levothyroxine
            # H02C is antiadrenal preparations: drugs that block cortisol, not corticosteroids.
            ("H02CA01", False),  # trilostane
            ("H02CA02", False),  # osilodrostat
        ],
    )
    def test_systemic_corticosteroids(self, code: str, counts: bool) -> None:
        data = load(GVHD)
        data["therapies"]["concomitant"] = [{"name": "a therapy", "codes": [code]}]
        assert outcome(data) is (Outcome.APPROVE if counts else Outcome.NOT_RECOMMENDED)

    @pytest.mark.criteria("2.C")
    @pytest.mark.parametrize("group", ["L04AX", "L04A", "V10", "L03AX"])
    def test_a_group_that_may_hold_an_anticancer_therapy(self, group: str) -> None:
        """Lenalidomide is L04AX, lutetium V10XX: coded only by such a group, it may be one."""
        data = load(RCC)
        data["therapies"]["concomitant"] = [{"name": "a therapy", "codes": [group]}]
        decision = evaluate(json.dumps(data))
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert [reason.label for reason in decision.reasons] == ["2.C"]

    @pytest.mark.criteria("3.C")
    def test_the_group_h02_may_be_an_antiadrenal(self) -> None:
        """ATC H02 holds the antiadrenal preparations too: a therapy coded H02 may be one."""
        data = load(GVHD)
        data["therapies"]["concomitant"] = [{"name": "a therapy", "codes": ["H02"]}]
        decision = evaluate(json.dumps(data))
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert [reason.label for reason in decision.reasons] == ["3.C"]


class TestWeightTiers:
    """Without a weight, neither tier applies: a tiered dose is never approved."""

    @pytest.mark.criteria(
        "Dosing 2.A.i", "Dosing 2.A.ii", "Dosing 2.B.i", "Dosing 2.B.ii", policy="quellimab"
    )
    @pytest.mark.parametrize(
        ("route", "dose", "frequency"),
        [
            ("47625008", {"value": "250", "unit": "mg"}, {"value": "1", "unit": "/(4.wk)"}),
            ("34206005", {"value": "162", "unit": "mg"}, {"value": "1", "unit": "/(3.wk)"}),
        ],
    )
    def test_no_weight(self, route: str, dose: dict[str, str], frequency: dict[str, str]) -> None:
        data = load(PJIA)
        data["medication"] |= {"route": {"code": route}, "dose": dose, "frequency": frequency}
        assert outcome(data) is Outcome.APPROVE
        del data["patient"]["weight"]
        decision = evaluate(json.dumps(data))
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert decision.facts_needed == ("patient.weight",)
