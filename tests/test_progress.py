"""The progress bar: a line per tenth off a terminal, redraws on one."""

from __future__ import annotations

import io
import time

import pytest

from umpolicy.progress import Progress


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


class TestProgress:
    """Progress counts items, draws tenths to a pipe and throttled redraws to a terminal."""

    def test_pipe_draws_each_tenth(self) -> None:
        stream = io.StringIO()
        bar = Progress(stream, 20)
        for _ in range(20):
            bar.advance()
        bar.close()
        lines = stream.getvalue().splitlines()
        assert len(lines) == 11
        assert lines[0].startswith("[###---------------------------] 2/20 requests ")
        assert lines[-1].startswith("[##############################] 20/20 requests ")
        assert lines[-1].endswith("/s")

    def test_unknown_total(self) -> None:
        stream = io.StringIO()
        bar = Progress(stream, None, label="items")
        bar.advance()
        bar.close()
        assert stream.getvalue().startswith("1 items ")

    def test_terminal_redraws_at_most_ten_times_a_second(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        clock = iter([0.0, 0.05, 0.2, 0.25, 0.25, 0.3, 0.3])
        monkeypatch.setattr(time, "monotonic", lambda: next(clock))
        stream = Tty()
        bar = Progress(stream, 3)
        bar.advance()  # 0.05: too soon
        bar.advance()  # 0.2: redraw
        bar.advance()  # 0.25: too soon
        bar.close()
        text = stream.getvalue()
        assert text.count("\r") == 2
        assert text.endswith("3/3 requests 10/s\n")
