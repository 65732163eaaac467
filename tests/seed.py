"""The words of the seed's stray lines, kept only as SHA-256 digests.

Lines 74-81 of the policy text as it reached us (../shared/policy/proleukin.txt)
are another plan's page header and confidentiality footer. The tests prove those
words are absent from what the project renders without spelling them out: each
word of 5+ letters that the stray lines use and the policy's own lines never do
is kept here as a digest, and rendered text is checked word by word against it.
"""

from __future__ import annotations

import hashlib
import re

STRAY_WORD_DIGESTS = frozenset(
    {
        "3151084286f59511ce11d4fd234b6485012514587a1968fa55afff83b05e213e",
        "b8ffa1b6b2006cac4f3fd28bc84f2702d23bd423c15f240eb1a107c08280beed",
        "d2fb247fbac916e6d400b1a2136ee29cba7cf5104aecca4126857f02698675e9",
        "93354845030274cd4bf1686abd60ab28ec52e1a792fa6f7ccb9cbd0ddff53d12",
        "43cc23fa52b87b4cc1d02b5b114154151d6adddb17c9fddc06b027fa99e24008",
        "7c0b3ea2ddccaef4989d85060d038f5ea4157dc435f6bc33a6f0dc3fedbac7e2",
        "0ec9f882d11037b9c833b903cbf17e68b0b8371668492126a79e8b0bd2ee42f0",
        "cfeadbf2ea00317a5f08a26bcee04b2ee9dcd08b326e270a8f5cef10fa2e7e68",
        "7d456562e6ddce20491204b29bd02626a739aa2a83f946984b552f681017f9d5",
        "fc9184134ae5672878413fff088dd0a1db30d18dc2a855da6345c7ab592ac46f",
        "9049697da52b7e0efb06ef942d752352a8336c4cc657b095b882a63495d75d51",
        "74634b37d1d92225fa6511211fa8fa13dd2f9b7b90eb009c7894eceb2dc54502",
        "e9d83f01c9aff03af6380e341aad90a5547d378ef54582383c6c9a35c53181af",
    }
)


def stray_words_in(text: str) -> set[str]:
    """The words of ``text`` (5+ letters, any case) that are words of the stray lines."""
    words = {word.lower() for word in re.findall(r"[A-Za-z]{5,}", text)}
    return {w for w in words if hashlib.sha256(w.encode()).hexdigest() in STRAY_WORD_DIGESTS}
