"""The policy text as it reached us, and the words of its stray lines.

Lines 74-81 of the seed are another plan's page header and confidentiality footer
(see ../shared/policy/README.md). Tests take their words from the seed itself, so
the project never has to spell them out to prove they are absent.
"""

from __future__ import annotations

import re
from pathlib import Path

SEED = Path(__file__).resolve().parents[2] / "shared" / "policy" / "proleukin.txt"
STRAY = range(74, 82)


def stray_words() -> frozenset[str]:
    """Words (5+ letters) of the stray lines that the policy's own lines never use."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    stray = " ".join(lines[n - 1] for n in STRAY)
    policy = " ".join(line for n, line in enumerate(lines, start=1) if n not in STRAY)

    def words(text: str) -> set[str]:
        return {word.lower() for word in re.findall(r"[A-Za-z]{5,}", text)}

    return frozenset(words(stray) - words(policy))
