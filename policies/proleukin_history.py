"""Proleukin's versions and the request dates each is in force for (our reading).

The current document says it took effect 1/1/2022 and was reviewed 02/05/2025; it
does not say from which request date the 2025 revision applies. We read it as in force
for requests dated 2025-02-05 or later, and the earlier (reconstructed) version for
requests dated 2022-01-01 to 2025-02-04. No version is in force before 2022-01-01.
"""

from __future__ import annotations

import datetime as dt

from umpolicy.history import InForce, PolicyHistory
from umpolicy_policies import proleukin, proleukin_2022

HISTORY = PolicyHistory(
    "proleukin",
    (
        InForce(proleukin_2022.POLICY, dt.date(2022, 1, 1), dt.date(2025, 2, 4)),
        InForce(proleukin.POLICY, dt.date(2025, 2, 5)),
    ),
    note=(
        "The dates each version is in force are our reading, not the plan's: the document "
        "took effect 1/1/2022 and its 2025 revision was reviewed on 02/05/2025, which we read "
        "as in force for requests dated 2025-02-05 or later."
    ),
)
