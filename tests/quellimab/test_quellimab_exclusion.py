"""CONDITIONS NOT RECOMMENDED 1: no combination with another biologic or a tsDMARD.

Quellimab is FICTIONAL. The exclusion holds whatever the criteria say: for both
indications, for initial and continuation requests. When it is met the request is
not recommended, with the exclusion as the reason; while the therapies to be given
with Quellimab are not given it is unknown, and no request is ever approved.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.quellimab.helpers import (
    BASES,
    DROP,
    METHOTREXATE,
    POLICY,
    Base,
    base_data,
    changed,
    decide,
    q,
    reason_labels,
    status,
    therapy,
)
from umpolicy import Outcome, Status

HYPOTHESIS = settings(max_examples=60, deadline=None)
EXCLUSION = "Not Recommended 1"

#: Members of the teaching value set (ATC), one of each class and each listed code.
BIOLOGICS = (
    ("adalimumab", "L04AB04"),
    ("etanercept", "L04AB01"),
    ("infliximab", "L04AB02"),
    ("tocilizumab", "L04AC07"),
    ("sarilumab", "L04AC14"),
    ("anakinra", "L04AC03"),
    ("tofacitinib", "L04AF01"),
    ("baricitinib", "L04AF02"),
    ("upadacitinib", "L04AF03"),
    ("filgotinib", "L04AF04"),
    ("tofacitinib", "L04AA29"),  # ATC before 2022
    ("baricitinib", "L04AA37"),  # ATC before 2022
    ("upadacitinib", "L04AA44"),  # ATC before 2022
    ("filgotinib", "L04AA45"),  # ATC before 2022
    ("abatacept", "L04AA24"),
    ("rituximab", "L01FA01"),
    ("rituximab", "L01XC02"),  # ATC before 2022
    ("apremilast", "L04AA32"),  # a targeted synthetic DMARD, no Janus kinase inhibitor
    ("ocrelizumab", "L04AG08"),
    ("ocrelizumab", "L04AA36"),  # ATC before 2024
    ("efalizumab", "L04AA21"),  # ATC before 2024
    # Biologics of other diseases: "another biologic" is any.
    ("pembrolizumab", "L01FF02"),
    ("a monoclonal antibody for cancer", "L01F"),  # a group all of whose drugs are biologics
    ("trastuzumab", "L01XC03"),  # ATC before 2022
    ("eculizumab", "L04AJ01"),
    ("eculizumab", "L04AA25"),  # ATC before 2024
    ("ravulizumab", "L04AA43"),  # ATC before 2024
    ("dupilumab", "D11AH05"),
    ("omalizumab", "R03DX05"),
    ("mepolizumab", "R03DX09"),
    ("tezepelumab", "R03DX11"),
    ("tralokinumab", "D11AH07"),
)
#: Therapies given alongside that are neither a biologic nor a tsDMARD.
OTHERS = (
    METHOTREXATE,
    ("leflunomide", "L04AK01"),
    ("hydroxychloroquine", "P01BA02"),
    ("prednisone", "H02AB07"),
    ("naproxen", "M01AE02"),
    ("folic acid", "B03BB01"),
)


def with_concomitant(which: Base, *therapies: tuple[str, str]) -> dict[str, Any]:
    """The base request, with these therapies to be given with the drug.

    But for one the base records as contraindicated (methotrexate, in one): a therapy
    cannot be both, a request saying so is an input error.
    """
    data = base_data(which)
    prior = data["therapies"].get("prior", [])
    never = {t["name"] for t in prior if t.get("outcome") == "contraindication"}
    given = [therapy(*each) for each in therapies if each[0] not in never]
    data["therapies"]["concomitant"] = given
    return data


@pytest.mark.criteria("1.A.iii")
class TestExclusionMet:
    """A biologic or tsDMARD alongside Quellimab: not recommended, under exclusion 1."""

    @pytest.mark.parametrize("which", BASES)
    @pytest.mark.parametrize(("name", "code"), BIOLOGICS)
    def test_every_branch_every_class(self, which: Base, name: str, code: str) -> None:
        decision = decide(with_concomitant(which, METHOTREXATE, (name, code)))
        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert reason_labels(decision) == (EXCLUSION,)
        assert decision.indication is None
        assert decision.authorization is None
        assert POLICY.not_recommended[0].text in decision.summary
        assert status(decision, EXCLUSION) is Status.MET

    def test_the_criterion_says_the_same(self) -> None:
        decision = decide(with_concomitant("ra_initial", ("adalimumab", "L04AB04")))
        assert status(decision, "1.A.iii") is Status.NOT_MET

    def test_the_trail_shows_what_was_found(self) -> None:
        decision = decide(with_concomitant("pjia_continuation", ("tofacitinib", "L04AF01")))
        assert decision.trail is not None
        fact = decision.trail.facts["therapy.concomitant_biologic_or_tsdmard"]
        assert fact.value is True
        assert fact.inputs == ("therapies.concomitant",)
        assert "tofacitinib (L04AF01)" in decision.trail.facts["therapies.concomitant"].display()

    @HYPOTHESIS
    @given(
        which=st.sampled_from(BASES),
        biologic=st.sampled_from(BIOLOGICS),
        others=st.lists(st.sampled_from(OTHERS), max_size=3),
        dose=st.sampled_from([q("1", "mg"), q("5000", "mg"), q("8", "mg/kg")]),
        diagnosis=st.sampled_from(["M06.9", "M08.3", "L40.50"]),
        kind=st.sampled_from(["initial", "continuation"]),
    )
    def test_whatever_else_the_request_says(
        self,
        which: Base,
        biologic: tuple[str, str],
        others: list[tuple[str, str]],
        dose: dict[str, str],
        diagnosis: str,
        kind: str,
    ) -> None:
        data = with_concomitant(which, *others, biologic)
        data = changed(
            data, {"medication.dose": dose, "diagnoses": [{"code": diagnosis}], "kind": kind}
        )
        decision = decide(data)
        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert reason_labels(decision) == (EXCLUSION,)


@pytest.mark.criteria("1.A.iii")
class TestExclusionNotMet:
    """Other therapies alongside Quellimab do not trigger the exclusion."""

    @pytest.mark.parametrize("which", ["ra_initial", "ra_continuation", "pjia_continuation"])
    @pytest.mark.parametrize(("name", "code"), OTHERS)
    def test_other_therapies(self, which: Base, name: str, code: str) -> None:
        decision = decide(with_concomitant(which, (name, code)))
        assert decision.outcome is Outcome.APPROVE
        assert status(decision, EXCLUSION) is Status.NOT_MET

    @pytest.mark.parametrize("which", BASES)
    def test_a_contraindicated_biologic_is_not_a_combination(self, which: Base) -> None:
        """A biologic recorded as contraindicated will not be given with Quellimab."""
        data = base_data(which)
        data["therapies"]["concomitant"] = [
            *data["therapies"].get("concomitant", []),
            therapy("adalimumab", "L04AB04", outcome="contraindication"),
        ]
        decision = decide(data)
        assert decision.outcome is Outcome.APPROVE
        assert status(decision, EXCLUSION) is Status.NOT_MET

    def test_a_biologic_tried_before_is_not_a_combination(self) -> None:
        data = changed(
            base_data("ra_initial"),
            {
                "therapies.prior": [
                    therapy(*METHOTREXATE, q("6", "mo"), "failure"),
                    therapy("adalimumab", "L04AB04", q("1", "a"), "failure"),
                ]
            },
        )
        assert decide(data).outcome is Outcome.APPROVE


@pytest.mark.criteria("1.A.iii")
class TestExclusionUnknown:
    """While the therapies alongside are not given, no request is ever approved."""

    @pytest.mark.parametrize("which", BASES)
    def test_never_approved(self, which: Base) -> None:
        data = changed(base_data(which), {"therapies.concomitant": DROP})
        decision = decide(data)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert "therapies.concomitant" in decision.facts_needed
        assert status(decision, EXCLUSION) is Status.UNKNOWN
        assert decision.authorization is None

    @pytest.mark.parametrize("which", BASES)
    @pytest.mark.parametrize("group", ["L04A", "L04AA", "L04", "L01", "L01X", "R03DX"])
    def test_a_group_that_may_hold_a_biologic_is_never_approved(
        self, which: Base, group: str
    ) -> None:
        """Coded only by an ATC group that holds a biologic, a therapy may be one."""
        decision = decide(with_concomitant(which, METHOTREXATE, ("a biologic?", group)))
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert "therapies.concomitant" in decision.facts_needed
        assert status(decision, EXCLUSION) is Status.UNKNOWN

    @pytest.mark.parametrize("which", ["ra_continuation", "pjia_continuation"])
    def test_continuation_criteria_met_but_exclusion_open(self, which: Base) -> None:
        """Continuation does not read the history alongside; the exclusion still does."""
        decision = decide(changed(base_data(which), {"therapies.concomitant": DROP}))
        assert decision.indication is not None
        assert decision.facts_needed == ("therapies.concomitant",)
        assert "Not Recommended 1" in decision.summary

    @HYPOTHESIS
    @given(
        which=st.sampled_from(BASES),
        dose=st.sampled_from([q("1", "mg"), q("162", "mg"), q("8", "mg/kg"), q("900", "mg")]),
        kind=st.sampled_from(["initial", "continuation"]),
        answer=st.sampled_from([True, False, None]),
        time=st.sampled_from([None, q("1", "mo"), q("1", "a")]),
    )
    def test_never_approved_whatever_else(
        self,
        which: Base,
        dose: dict[str, str],
        kind: str,
        answer: bool | None,
        time: dict[str, str] | None,
    ) -> None:
        data = changed(
            base_data(which),
            {
                "therapies.concomitant": DROP,
                "medication.dose": dose,
                "kind": kind,
                "answers": {"quellimab": {"response": answer}} if answer is not None else DROP,
                "therapies.time_on_drug": time if time is not None else DROP,
            },
        )
        assert decide(data).outcome is not Outcome.APPROVE
