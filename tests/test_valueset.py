"""Value sets: the codes a policy counts as one thing, by code or by hierarchical prefix."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import MELANOMA_IN_SITU, base, decide, reason_labels, replace
from umpolicy import Coding, Includes, OneOf, Outcome, ValueSet
from umpolicy_policies.proleukin import (
    ANTICANCER_THERAPY,
    CHRONIC_GVHD_CODES,
    CUTANEOUS_MELANOMA_CODES,
    GVHD_CODES,
    INTRAVENOUS_ROUTE,
    ONCOLOGY,
    POLICY,
    SYSTEMIC_ANTICANCER_THERAPY,
)
from umpolicy_quellimab.policy import BIOLOGICS_AND_TSDMARDS

MELANOMA = ValueSet("melanoma", "Cutaneous melanoma", "ICD-10-CM", prefixes=("C43",))
#: A chapter but one drug (the drug itself from "another systemic therapy").
OTHER_THERAPY = ValueSet(
    "other-therapy",
    "Antineoplastic or immunomodulating, but the drug itself",
    "ATC",
    prefixes=("L01", "L02", "L03", "L04"),
    excluded=("L03AC01",),
)


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
        assert (code in OTHER_THERAPY) is held

    @pytest.mark.parametrize(
        ("code", "held"),
        [
            ("L01FF02", True),  # pembrolizumab
            ("L02BA01", True),  # tamoxifen
            ("L03AB05", True),  # interferon alfa-2b: with Proleukin, a combination regimen
            ("L03AB10", True),  # peginterferon alfa-2b
            ("L03AB", True),
            ("L03A", None),  # an interferon, or a supportive medicine
            ("L03", None),
            ("L03AC01", False),  # aldesleukin itself
            ("L03AA02", False),  # filgrastim: supportive
            ("L04AD02", False),  # tacrolimus: an immunosuppressant
            ("L04AA", False),
            ("H02AB07", False),  # prednisone
        ],
    )
    def test_proleukins_anticancer_therapy(self, code: str, held: bool | None) -> None:
        """What 1.A.iii counts as another systemic therapy, and 1.A.iv and 2.C as not single."""
        assert ANTICANCER_THERAPY.holds(code) is held
        assert SYSTEMIC_ANTICANCER_THERAPY.holds(code) is held

    @pytest.mark.parametrize(
        ("code", "anticancer", "systemic"),
        [
            ("L01XX51", True, False),  # talimogene laherparepvec: injected into lesions
            ("L01XX", True, None),  # may be it
            ("L01XX52", True, True),  # venetoclax
            ("L01XC", True, True),  # the monoclonal antibodies (ATC before 2022)
        ],
    )
    def test_an_intralesional_therapy_is_no_systemic_one(
        self, code: str, anticancer: bool | None, systemic: bool | None
    ) -> None:
        """Given with Proleukin it is another agent (1.A.iv); tried, no systemic therapy."""
        assert ANTICANCER_THERAPY.holds(code) is anticancer
        assert SYSTEMIC_ANTICANCER_THERAPY.holds(code) is systemic

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

    @pytest.mark.parametrize("part", ["codes", "prefixes", "excluded", "undecided"])
    def test_one_string_is_refused(self, part: str) -> None:
        """A tuple without its comma: each character would be a prefix, so C50.9 "is" C43."""
        given: dict[str, object] = {"prefixes": ("C43",), part: "C43"}
        with pytest.raises(ValueError, match=rf"^value set 'm': {part} is one string, 'C43'"):
            ValueSet("m", "Melanoma", "ICD-10-CM", **given)  # type: ignore[arg-type]

    def test_empty_set_is_refused(self) -> None:
        with pytest.raises(ValueError, match=r"^value set 'none' holds no code$"):
            ValueSet("none", "Nothing", "ICD-10-CM")

    @pytest.mark.parametrize(
        ("system", "field", "code"),
        [
            ("ICD-10-CM", "excluded", "l40.5*"),
            ("ICD-10-CM", "prefixes", "L40 "),
            ("ATC", "codes", "l04ab04"),
            ("NUCC taxonomy", "codes", "207rx0202x"),
            ("SNOMED CT", "undecided", " 47625008"),
        ],
    )
    def test_a_code_no_request_can_have_is_refused(
        self, system: str, field: str, code: str
    ) -> None:
        # A request's codes are held to their system's form, so a set's code in another
        # (lower case, a space) matches none: an exclusion written so never held, and
        # psoriatic arthritis (L40.50) was approved as psoriasis.
        fields: dict[str, tuple[str, ...]] = {"codes": ("L40",), field: (code,)}
        message = (
            f"value set 's': {code!r} is not written as a {system} code is (upper-case "
            "letters, digits and '.'): no request's code would match it"
        )
        with pytest.raises(ValueError, match="is not written as") as info:
            ValueSet("s", "S", system, **fields)
        assert str(info.value) == message

    def test_a_plans_own_codes_are_its_own(self) -> None:
        # Affiliations are the plan's codes, in any form it chooses.
        assert "transplant-center" in ValueSet("t", "T", "affiliation", ("transplant-center",))


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


class TestUndecided:
    """An undecided code may be in the set: holds answers unknown, and the set says so."""

    SET = ValueSet("s", "Some", "ICD-10-CM", codes=("E11.9",), undecided=("E11.8", "E11.65"))

    @pytest.mark.parametrize(
        ("code", "held"),
        [("E11.9", True), ("E11.8", None), ("E11.65", None), ("E11.6", None), ("E10.9", False)],
    )
    def test_holds(self, code: str, held: bool | None) -> None:
        assert self.SET.holds(code) is held
        assert (code in self.SET) is (held is True)

    def test_described(self) -> None:
        assert self.SET.describe() == "Some (ICD-10-CM E11.9; E11.8, E11.65 left open)"

    @pytest.mark.parametrize(
        ("code", "outcome"),
        [
            ("D89.811", Outcome.APPROVE),
            ("D89.812", Outcome.INSUFFICIENT_INFORMATION),
            ("D89.813", Outcome.INSUFFICIENT_INFORMATION),
            ("D89.810", Outcome.NOT_RECOMMENDED),
        ],
    )
    def test_proleukins_chronic_gvhd(self, code: str, outcome: Outcome) -> None:
        """3.A: an unspecified or acute-on-chronic GVHD asks for the diagnosis, never approves."""
        decision = decide(replace(base("gvhd"), "diagnoses", (Coding(code),)))
        assert decision.outcome is outcome
        if outcome is Outcome.INSUFFICIENT_INFORMATION:
            assert "3.A" in reason_labels(decision)
            assert "diagnoses" in decision.facts_needed


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


class TestGroupCodes:
    """A group code is in a set it lies inside, unknown where it may be, out where it cannot."""

    @pytest.mark.parametrize(
        ("code", "held"),
        [
            ("L01XC", True),  # inside L01*: whatever drug it is, it is another therapy
            ("L04A", True),
            ("L03AC02", True),
            ("L03AC01", False),  # aldesleukin itself
            ("L03AC", None),  # aldesleukin, or another interleukin
            ("L03A", None),
            ("L03", None),
            ("L0", None),  # above L01*-L04*
            ("L", None),
            ("L05", False),
            ("H02", False),
            ("H02AB07", False),  # prednisone
        ],
    )
    def test_other_systemic_therapy(self, code: str, held: bool | None) -> None:
        assert OTHER_THERAPY.holds(code) is held
        assert (code in OTHER_THERAPY) is (held is True)

    @pytest.mark.parametrize(
        ("code", "held"),
        [
            ("L04AB", True),  # TNF-alpha inhibitors
            ("L04AB04", True),  # adalimumab
            ("L04AF", True),  # Janus kinase inhibitors
            ("L04AA24", True),  # abatacept
            ("L04AA29", True),  # tofacitinib, as ATC coded it before 2022
            ("L04AA", None),  # abatacept, or a selective immunosuppressant not in the set
            ("L04A", None),
            ("L04", None),
            ("L01F", True),  # monoclonal antibodies for cancer (rituximab: L01FA01)
            ("L01", None),  # one of them, or another antineoplastic
            ("R03DX05", True),  # omalizumab, a biologic of another disease
            ("R03DX", None),  # omalizumab, or roflumilast
            ("L04AA13", False),  # leflunomide
            ("L04AX", False),
            ("L01XC02", True),  # rituximab, as ATC coded it before 2022
            ("L01X", None),  # rituximab's group before 2022, or another drug of it
            ("L01XX", False),
        ],
    )
    def test_biologics(self, code: str, held: bool | None) -> None:
        assert BIOLOGICS_AND_TSDMARDS.holds(code) is held

    @pytest.mark.parametrize(
        ("value_set", "code", "held"),
        [
            (CUTANEOUS_MELANOMA_CODES, "C43", True),  # the category: some C43 code
            (CUTANEOUS_MELANOMA_CODES, "C43.5", True),
            (CUTANEOUS_MELANOMA_CODES, "C4", None),
            (CUTANEOUS_MELANOMA_CODES, "D03", False),  # melanoma in situ
            (CUTANEOUS_MELANOMA_CODES, "C44", False),
            (GVHD_CODES, "D89.81", True),
            (GVHD_CODES, "D89.8", None),  # graft-versus-host disease, or another disorder
            (GVHD_CODES, "D89", None),
            (GVHD_CODES, "D89.89", False),
            (CHRONIC_GVHD_CODES, "D89.81", None),  # chronic, acute, or not said
            (CHRONIC_GVHD_CODES, "D89.811", True),
            (CHRONIC_GVHD_CODES, "D89.810", False),
            (CHRONIC_GVHD_CODES, "D89.812", None),  # acute on chronic: undecided
            (CHRONIC_GVHD_CODES, "D89.813", None),  # unspecified: undecided
        ],
    )
    def test_icd_categories(self, value_set: ValueSet, code: str, held: bool | None) -> None:
        assert value_set.holds(code) is held

    @pytest.mark.parametrize(
        ("code", "held"),
        [("D03", True), ("D03.9", True), ("D0", None), ("D04", False)],
    )
    def test_a_prefix_ending_in_the_separator_holds_its_category(
        self, code: str, held: bool | None
    ) -> None:
        in_situ = ValueSet("in-situ", "Melanoma in situ", "ICD-10-CM", prefixes=("D03.",))
        assert in_situ.holds(code) is held

    @pytest.mark.parametrize(
        ("code", "held"),
        [
            ("L01X", False),  # all of it taken out
            ("L01XC", False),
            ("L01", None),  # holds L01X*, and codes still in the set
            ("L01F", True),
            ("L03AC", None),
            ("L03", None),
            ("L03B", True),
        ],
    )
    def test_groups_and_what_is_taken_out(self, code: str, held: bool | None) -> None:
        assert TestExcluded.SET.holds(code) is held

    @pytest.mark.parametrize(
        "value_set",
        [
            ValueSet("x", "X", "ATC", codes=("L03AC01",), excluded=("L03AC01",)),
            ValueSet("x", "X", "ATC", prefixes=("L01XC",), excluded=("L01X*",)),
        ],
    )
    def test_a_group_above_only_codes_taken_out_is_not_in_the_set(
        self, value_set: ValueSet
    ) -> None:
        assert value_set.holds("L0") is False

    @pytest.mark.parametrize(
        ("value_set", "code"),
        [(ONCOLOGY, "207R"), (ONCOLOGY, "207RX0202"), (INTRAVENOUS_ROUTE, "4762")],
    )
    def test_no_groups_outside_hierarchical_systems(self, value_set: ValueSet, code: str) -> None:
        assert value_set.holds(code) is False

    @pytest.mark.parametrize("value", [None, 43, ("L03",), b"L03"])
    def test_only_text_is_a_code(self, value: object) -> None:
        assert OTHER_THERAPY.holds(value) is False


class TestOneTherapysCodes:
    """A therapy is of a set if any code is; a group code refined by another says nothing."""

    @pytest.mark.parametrize(
        ("codes", "held"),
        [
            ((), False),
            (("L01FF02",), True),
            (("L03AC",), None),
            (("L03AC", "L03AC01"), False),  # aldesleukin, coded with its group too
            (("L03AC01", "L03AC"), False),
            (("L03AC", "L03AC02"), True),
            (("L03", "L03AC"), None),
            (("H02AB07", "L03AC"), None),
            (("L03AC", "L01FF02"), True),
        ],
    )
    def test_table(self, codes: tuple[str, ...], held: bool | None) -> None:
        assert OTHER_THERAPY.holds_any(codes) is held


#: Codes of a small hierarchy, 3 characters deep: the sets below name codes over
#: ``AB``, and ``Z`` stands for the codes no set names (a hierarchy is open).
_NAMED = st.text("AB", min_size=1, max_size=3)
_LEAVES = st.text("AB", min_size=3, max_size=3)
_DEPTH = 3


@st.composite
def _value_sets(draw: st.DrawFn, system: str) -> ValueSet:
    codes = draw(st.lists(_LEAVES, max_size=3))
    prefixes = draw(st.lists(_NAMED, min_size=0 if codes else 1, max_size=3))
    out = draw(st.lists(st.one_of(_LEAVES, _NAMED.map(lambda p: f"{p}*")), max_size=3))
    return ValueSet("s", "S", system, tuple(codes), tuple(prefixes), tuple(out))


def _member(value_set: ValueSet, code: str) -> bool:
    """Whether one code itself is in the set, as the set's fields say."""
    out = [each for each in value_set.excluded if not each.endswith("*")]
    under = tuple(each[:-1] for each in value_set.excluded if each.endswith("*"))
    held = code in value_set.codes or code.startswith(tuple(value_set.prefixes))
    return held and code not in out and not code.startswith(under)


class TestHierarchy:
    """A group is in a set when every code beneath it is, out when none is, else unknown."""

    @given(_value_sets("ATC"), st.text("ABZ", min_size=1, max_size=_DEPTH))
    def test_as_every_code_beneath(self, value_set: ValueSet, code: str) -> None:
        tails = itertools.product("ABZ", repeat=_DEPTH - len(code))
        beneath = {_member(value_set, code + "".join(tail)) for tail in tails}
        expected = True if beneath == {True} else False if beneath == {False} else None
        assert value_set.holds(code) is expected

    @given(_value_sets("SNOMED CT"), st.text("ABZ", min_size=1, max_size=_DEPTH))
    def test_elsewhere_a_code_is_only_itself(self, value_set: ValueSet, code: str) -> None:
        assert value_set.holds(code) is _member(value_set, code)
