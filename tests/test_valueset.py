"""Value sets: the codes a policy counts as one thing, by code or by hierarchical prefix."""

from __future__ import annotations

import pytest

from tests.strategies import MELANOMA_IN_SITU, base, decide, reason_labels, replace
from umpolicy import Coding, Includes, OneOf, Outcome, ValueSet
from umpolicy_policies.proleukin import (
    ANTICANCER_THERAPY,
    CHRONIC_GVHD_CODES,
    CUTANEOUS_MELANOMA_CODES,
    GVHD_CODES,
    ONCOLOGY,
    POLICY,
    SYSTEMIC_THERAPY,
)

MELANOMA = ValueSet("melanoma", "Cutaneous melanoma", "ICD-10-CM", prefixes=("C43",))


class TestMembership:
    """A code is in the set when listed, or when it starts with a prefix of the set."""

    @pytest.mark.parametrize(
        ("code", "held"),
        [
            ("C43", True),
            ("C43.9", True),
            ("C43.59", True),
            ("C43.111", True),
            ("D03.9", False),  # melanoma in situ is not cutaneous melanoma
            ("C44.9", False),
            ("C4", False),
            ("c43.9", False),
            ("", False),
        ],
    )
    def test_icd_prefix(self, code: str, held: bool) -> None:
        assert (code in MELANOMA) is held
        assert (code in CUTANEOUS_MELANOMA_CODES) is held

    @pytest.mark.parametrize(
        ("code", "held"),
        [
            ("L01FF02", True),  # pembrolizumab
            ("L01", True),
            ("L02BA01", True),  # tamoxifen
            ("L03AC01", False),  # aldesleukin itself: not "another" systemic therapy
            ("L03AC02", True),
            ("L04AA", True),
            ("H02AB07", False),  # prednisone
            ("N02BE01", False),
        ],
    )
    def test_atc_prefix(self, code: str, held: bool) -> None:
        assert (code in SYSTEMIC_THERAPY) is held

    def test_anticancer_is_narrower(self) -> None:
        assert "L01FF02" in ANTICANCER_THERAPY
        assert "L04AA" not in ANTICANCER_THERAPY

    def test_codes_are_exact(self) -> None:
        assert "207RX0202X" in ONCOLOGY
        assert "207RX0202" not in ONCOLOGY
        assert "207RX0202XX" not in ONCOLOGY
        assert "D89.811" in CHRONIC_GVHD_CODES
        assert "D89.810" not in CHRONIC_GVHD_CODES
        assert all(code in GVHD_CODES for code in ("D89.810", "D89.811", "D89.812"))
        assert "D89.8" not in GVHD_CODES

    def test_codes_and_prefixes_together(self) -> None:
        both = ValueSet("x", "X", "ATC", codes=("H02AB07",), prefixes=("L01",))
        assert "H02AB07" in both
        assert "H02AB06" not in both
        assert "L01XX" in both

    @pytest.mark.parametrize("value", [None, 43, ("C43.9",), b"C43.9"])
    def test_only_text_is_a_code(self, value: object) -> None:
        assert value not in MELANOMA

    def test_empty_set_is_refused(self) -> None:
        with pytest.raises(ValueError, match=r"^value set 'none' holds no code$"):
            ValueSet("none", "Nothing", "ICD-10-CM")


class TestDescribe:
    """A set is shown to reviewers by its title, system, codes and prefixes."""

    def test_describe(self) -> None:
        assert MELANOMA.describe() == "Cutaneous melanoma (ICD-10-CM C43*)"
        both = ValueSet("x", "Either", "ATC", codes=("H02AB07",), prefixes=("L01", "L02"))
        assert both.describe() == "Either (ATC H02AB07, L01*, L02*)"
        assert Includes("diagnoses", MELANOMA).describe() == (
            "diagnoses include Cutaneous melanoma (ICD-10-CM C43*)"
        )
        assert OneOf("medication.route", ("47625008",)).describe() == (
            "medication.route is 47625008"
        )

    def test_policy_declares_each_set_it_uses(self) -> None:
        assert len({each.name for each in POLICY.value_sets}) == len(POLICY.value_sets)
        assert CUTANEOUS_MELANOMA_CODES in POLICY.value_sets


@pytest.mark.criteria("1")
class TestDiagnosisCodes:
    """Heading 1 holds every C43 code, and no other: D03.9 (melanoma in situ) is not in it."""

    @pytest.mark.parametrize("code", ["C43.9", "C43.59", "C43.4", "C43"])
    def test_any_melanoma_code_approves(self, code: str) -> None:
        request = replace(base("melanoma_iv"), "diagnoses", (Coding(code),))
        assert decide(request).outcome is Outcome.APPROVE

    def test_in_situ_is_not_cutaneous_melanoma(self) -> None:
        decision = decide(replace(base("melanoma_iv"), "diagnoses", (MELANOMA_IN_SITU,)))
        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert set(reason_labels(decision)) == {"1", "2", "3"}

    def test_one_matching_code_among_others_suffices(self) -> None:
        codes = (MELANOMA_IN_SITU, Coding("I10"), Coding("C43.9"))
        assert decide(replace(base("melanoma_iv"), "diagnoses", codes)).outcome is Outcome.APPROVE

    def test_no_diagnoses_listed_is_not_recommended(self) -> None:
        decision = decide(replace(base("melanoma_iv"), "diagnoses", ()))
        assert decision.outcome is Outcome.NOT_RECOMMENDED


class TestExcluded:
    """Codes or prefixes taken back out of a set are not in it, and the set says so."""

    SET = ValueSet("s", "Some", "ATC", prefixes=("L01", "L03"), excluded=("L03AC01", "L01X*"))

    @pytest.mark.parametrize(
        ("code", "held"),
        [
            ("L03AC01", False),
            ("L03AC02", True),
            ("L01XC", False),
            ("L01XX", False),
            ("L01FF02", True),
        ],
    )
    def test_membership(self, code: str, held: bool) -> None:
        assert (code in self.SET) is held

    def test_described(self) -> None:
        assert self.SET.describe() == "Some (ATC L01*, L03*, except L03AC01, L01X*)"
