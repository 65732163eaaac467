"""The Proleukin policy's dates are the document's: effective 1/1/2022, reviewed 02/05/2025.

Every decision names the version and effective date it was made under, and the docs,
text trail and worksheet print the review date: each must be the date the document
prints in its header (US month/day/year). The document is ``../shared/policy``, beside
the repository, as in CI.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from tests.strategies import base, decide
from umpolicy_policies.proleukin import POLICY

DOCUMENT = Path(__file__).resolve().parent.parent.parent / "shared" / "policy" / "proleukin.txt"
TEXT = DOCUMENT.read_text(encoding="utf-8")


def printed(heading: str) -> dt.date:
    """The date the document's header gives after ``heading``, read as month/day/year."""
    found = re.search(rf"^{heading}: ([0-9]{{1,2}})/([0-9]{{1,2}})/([0-9]{{4}}) *$", TEXT, re.M)
    assert found is not None, heading
    month, day, year = map(int, found.groups())
    return dt.date(year, month, day)


class TestHeaderDates:
    """The policy takes its effective and review dates, and its version, from the header."""

    def test_as_printed(self) -> None:
        assert (printed("EFFECTIVE DATE"), printed("REVIEW DATE")) == (
            dt.date(2022, 1, 1),
            dt.date(2025, 2, 5),
        )

    def test_the_policy_says_the_same(self) -> None:
        assert POLICY.effective == printed("EFFECTIVE DATE")
        assert POLICY.reviewed == printed("REVIEW DATE")
        assert POLICY.version == printed("REVIEW DATE").isoformat() == "2025-02-05"

    def test_a_decision_names_them(self) -> None:
        ref = decide(base("rcc")).policy
        assert (ref.version, ref.effective) == ("2025-02-05", dt.date(2022, 1, 1))
