"""The progress bar: a line per tenth off a terminal, redraws on one."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from umpolicy.progress import Progress, for_lines


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


class TestForLines:
    """The bar of a file counts its lines as a batch reads them, a last one without a break too."""

    @pytest.mark.parametrize(
        ("text", "total"),
        [
            (b"", 0),
            (b"a\nb\n", 2),
            (b"a\nb", 2),
            (b"\n\n", 2),
            (b"x" * ((1 << 20) - 1) + b"\n", 1),  # a line break ends the first read
            (b"x" * ((1 << 20) - 1) + b"\ny", 2),  # the last read is a line of its own
        ],
    )
    def test_total(self, tmp_path: Path, text: bytes, total: int) -> None:
        path = tmp_path / "r.jsonl"
        path.write_bytes(text)
        with path.open("rb") as lines:
            assert sum(1 for _ in lines) == total  # as a batch reads them
        bar = for_lines(str(path), quiet=False)
        assert bar is not None
        assert bar.total == total

    def test_stdin_and_quiet(self, tmp_path: Path) -> None:
        bar = for_lines("-", quiet=False)
        assert bar is not None
        assert bar.total is None
        assert for_lines(str(tmp_path / "absent"), quiet=True) is None

    def test_what_is_no_regular_file_is_not_counted(self, tmp_path: Path) -> None:
        """A directory, or a path not there: no total, and the batch says why it cannot read."""
        assert for_lines(str(tmp_path), quiet=False).total is None  # type: ignore[union-attr]
        assert for_lines(str(tmp_path / "absent"), quiet=False).total is None  # type: ignore[union-attr]
