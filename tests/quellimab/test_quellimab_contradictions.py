"""Requests that contradict themselves are input errors, never a Quellimab approval.

Quellimab is FICTIONAL. Each case was an approval once: the request's own history
said what could not be (longer on the drug than alive; a continuation of a drug never
received; methotrexate both contraindicated and given with it; a trial of no days).
The checks are the shared vocabulary's, before any policy reads the request.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.quellimab.helpers import METHOTREXATE, Base, base_data, changed, decide, q, therapy
from umpolicy import InputError

NEVER = therapy(*METHOTREXATE, outcome="contraindication")


class TestContradictionsRefused:
    """Each contradiction that approved is an input error at the field at fault."""

    @pytest.mark.parametrize(
        ("which", "fields", "path"),
        [
            (
                "ra_continuation",
                {"therapies.time_on_drug": q("70", "a"), "patient.birth_date": "2000-01-01"},
                "$.therapies.time_on_drug",
            ),
            (
                "ra_continuation",
                {"therapies.time_on_drug": q("600", "a")},
                "$.therapies.time_on_drug",
            ),
            (
                "pjia_continuation",
                {"therapies.time_on_drug": q("0", "d")},
                "$.therapies.time_on_drug",
            ),
            (
                "ra_initial",
                {"therapies.prior": [NEVER], "therapies.concomitant": [therapy(*METHOTREXATE)]},
                "$.therapies.concomitant[0]",
            ),
            (
                "pjia_with_methotrexate",
                {"therapies.prior": [NEVER]},
                "$.therapies.concomitant[0]",
            ),
            (
                "pjia_initial",
                {"therapies.prior": [therapy(*METHOTREXATE, q("0", "d"), "failure")]},
                "$.therapies.prior[0].duration",
            ),
        ],
    )
    def test_refused(self, which: Base, fields: dict[str, Any], path: str) -> None:
        with pytest.raises(InputError) as caught:
            decide(changed(base_data(which), fields))
        assert [error.path for error in caught.value.errors] == [path]
