"""Results kept by the identity of the immutable object they are worked out from."""

from __future__ import annotations

import pytest

from umpolicy.dsl import kept
from umpolicy.dsl.kept import by_identity, keep


class TestByIdentity:
    """Each object's result is worked out once while kept; the cache stays bounded."""

    def test_once_per_object(self) -> None:
        calls: list[tuple[str, ...]] = []

        @by_identity
        def joined(value: tuple[str, ...]) -> str:
            calls.append(value)
            return "-".join(value)

        first, second = ("a", "b"), ("c",)
        assert [joined(first), joined(first), joined(second)] == ["a-b", "a-b", "c"]
        assert calls == [first, second]

    def test_equal_objects_are_not_confused(self) -> None:
        """Keyed by identity, not equality: two equal lists each get their own result."""

        @by_identity
        def copied(value: list[int]) -> list[int]:
            return list(value)

        one, other = [1], [1]
        assert copied(one) is copied(one)
        assert copied(one) is not copied(other)

    def test_bounded(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Past KEPT entries the cache starts anew, and results stay right."""
        monkeypatch.setattr(kept, "KEPT", 2)
        calls: list[int] = []

        @by_identity
        def doubled(value: tuple[int]) -> int:
            calls.append(value[0])
            return value[0] * 2

        values = [(n,) for n in range(5)]
        assert [doubled(value) for value in values] == [0, 2, 4, 6, 8]
        assert doubled(values[4]) == 8  # kept after the last start
        assert doubled(values[0]) == 0  # worked out again
        assert calls == [0, 1, 2, 3, 4, 0]


class TestKeep:
    """A bounded cache takes each value it is given, and starts anew when it is full."""

    def test_kept_and_returned(self) -> None:
        cache: dict[str, int] = {}
        assert keep(cache, "a", 1, 2) == 1
        assert keep(cache, "b", 2, 2) == 2
        assert cache == {"a": 1, "b": 2}

    def test_full_starts_anew(self) -> None:
        cache = {"a": 1, "b": 2}
        assert keep(cache, "c", 3, 2) == 3
        assert cache == {"c": 3}
