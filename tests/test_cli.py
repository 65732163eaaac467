"""The umpolicy command: evaluate, batch, show, facts, policies, and exit statuses."""

from __future__ import annotations

import io
import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import umpolicy
from umpolicy import cli, policy_names
from umpolicy.cli import main
from umpolicy.engine.catalog import with_inputs
from umpolicy.io.converter import MAX_REQUEST_BYTES
from umpolicy.replay_cli import MAX_JOBS
from umpolicy_policies.proleukin import POLICY

EXAMPLES = Path(__file__).parent.parent / "examples" / "proleukin"
APPROVE = EXAMPLES / "rcc-approve.json"


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


class TestEvaluate:
    """evaluate prints the decision in each format; bad input exits 2 with field errors."""

    @pytest.mark.parametrize(
        ("fmt", "start"),
        [
            ("text", "Recommendation: Approve\n"),
            ("markdown", "### Recommendation: Approve\n"),
            ("json", "{"),
        ],
    )
    def test_formats(self, fmt: str, start: str) -> None:
        status, out = run("evaluate", str(APPROVE), "--format", fmt)
        assert status == 0
        assert out.startswith(start)
        if fmt == "json":
            assert json.loads(out)["outcome"] == "approve"

    @pytest.mark.parametrize("where", ["file", "stdin"])
    def test_input_past_the_limit_is_not_read_whole(
        self,
        where: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """/dev/zero or a huge file is refused at the limit: no more than it is read."""
        read: list[int] = []

        class Endless(io.RawIOBase):
            def readable(self) -> bool:
                return True

            def readinto(self, buffer: Any) -> int:
                read.append(len(buffer))
                assert sum(read) < 4 * MAX_REQUEST_BYTES, "read past the limit"
                buffer[:] = b"0" * len(buffer)
                return len(buffer)

        if where == "stdin":
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(Endless())))
            path = "-"
        else:
            path = str(tmp_path / "big.json")
            Path(path).write_bytes(b" " * (MAX_REQUEST_BYTES + 10))
        status, out = run("evaluate", path, "--format", "json")
        assert status == 2
        limit = f"a request of more than {MAX_REQUEST_BYTES} bytes; the limit is"
        assert limit in out + capsys.readouterr().err

    def test_no_trail(self) -> None:
        status, out = run("evaluate", str(APPROVE), "--format", "json", "--no-trail")
        assert status == 0
        assert json.loads(out)["trail"] is None

    def test_jobs_number_lines_across_chunks(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Workers take the lines by the chunk; each record still names its own line."""
        monkeypatch.setattr(cli, "CHUNK", 2)
        good = json.dumps(json.loads(APPROVE.read_text()))
        path = tmp_path / "r.jsonl"
        path.write_text("\n".join([good, "", good, "{", good, '{"date": 1}', good]) + "\n")
        status, out = run("batch", str(path), "--jobs", "2")
        records = [json.loads(line) for line in out.splitlines()]
        assert status == 0
        assert [r["invalid"]["line"] for r in records if "invalid" in r] == [4, 6]
        assert [r.get("outcome") for r in records] == [
            "approve",
            "approve",
            None,
            "approve",
            None,
            "approve",
        ]
        err = capsys.readouterr().err
        assert "umpolicy: 2 of 7 lines could not be decided" in err
        assert "7/7 requests" in err

    def test_a_chunk_numbers_its_lines_from_its_first(self) -> None:
        """A worker's chunk: its records name the file's line numbers; undecided are counted."""
        good = json.dumps(json.loads(APPROVE.read_text())).encode()
        options = (None, False, None, None)
        output, lines, undecided = cli._decide_chunk(options, (257, [good, b"", b"{", good]))
        records = [json.loads(line) for line in output.splitlines()]
        assert (lines, undecided, len(records)) == (4, 1, 3)
        assert records[1]["invalid"]["line"] == 259
        assert records[0]["outcome"] == records[2]["outcome"] == "approve"

    def test_stdin(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(APPROVE.read_bytes())))
        status, out = run("evaluate", "-")
        assert status == 0
        assert "Recommendation: Approve" in out

    def test_policy_option(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        data = json.loads(APPROVE.read_text())
        del data["policy"]
        path = tmp_path / "r.json"
        path.write_text(json.dumps(data))
        assert run("evaluate", str(path), "--policy", "proleukin")[0] == 0
        assert run("evaluate", str(path)) == (2, "")
        assert capsys.readouterr().err == (
            "invalid input: required field missing (or name a policy) @ $.policy\n"
        )

    def test_invalid_input(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "bad.json"
        path.write_text(
            '{"policy": "proleukin", "patient": {"weight": {"value": "-1", "unit": "mg"}}}'
        )
        assert run("evaluate", str(path)) == (2, "")
        assert capsys.readouterr().err.splitlines() == [
            "invalid input: required field missing @ $.date",
        ]

    def test_other_policy_than_the_request_names(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert run("evaluate", str(APPROVE), "--policy", "quellimab") == (2, "")
        assert capsys.readouterr().err == (
            "invalid input: the request names policy 'proleukin', but 'quellimab' was asked for"
            " @ $.policy\n"
        )

    def test_text_that_is_not_utf8(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "latin1.json"
        path.write_bytes(b'{"date": "2026-01-01", "id": "caf\xe9"}')
        assert run("evaluate", str(path)) == (2, "")
        assert capsys.readouterr().err.startswith("invalid input: malformed JSON: not UTF-8 text")

    def test_unknown_policy(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        data = json.loads(APPROVE.read_text())
        del data["policy"]
        path = tmp_path / "r.json"
        path.write_text(json.dumps(data))
        assert run("evaluate", str(path), "--policy", "nope") == (2, "")
        assert capsys.readouterr().err.startswith("umpolicy: no policy named 'nope'")

    def test_missing_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert run("evaluate", str(tmp_path / "absent.json")) == (1, "")
        assert "No such file" in capsys.readouterr().err


class TestEncoding:
    """Standard output is UTF-8 whatever the locale: a policy's words are not ASCII."""

    @pytest.mark.parametrize("fmt", ["text", "json", "html"])
    def test_a_terminal_set_to_ascii(self, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
        """The decision's words (®, ›) reach an ASCII terminal in UTF-8, not as a traceback."""
        written = io.BytesIO()
        monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(written, encoding="ascii"))
        assert main(["evaluate", str(APPROVE), "--format", fmt]) == 0
        sys.stdout.flush()
        assert not written.getvalue().isascii()
        written.getvalue().decode("utf-8")  # raises if it is not UTF-8


class TestBatch:
    """batch writes one JSON line per request, an invalid record per bad line."""

    @pytest.mark.parametrize("jobs", ["1", "2"])
    def test_json_lines_are_utf8_whatever_the_stream_encodes(
        self, tmp_path: Path, jobs: str
    ) -> None:
        """A terminal set to ASCII still gets each decision, in UTF-8, as JSON text is."""
        path = tmp_path / "r.jsonl"
        example = EXAMPLES / "melanoma-iv-approve.json"
        path.write_text(json.dumps(json.loads(example.read_text())) + "\n")
        written = io.BytesIO()
        out = io.TextIOWrapper(written, encoding="ascii")
        out.write("before\n")  # held in the text layer: written first, not lost
        assert main(["batch", str(path), "--trail", "--quiet", "--jobs", jobs], out=out) == 0
        out.flush()
        before, text = written.getvalue().decode("utf-8").split("\n", 1)
        assert before == "before"
        assert "÷" in text  # the trail's dose per kg: "… International Units ÷ 72.5 kg = …"
        assert json.loads(text)["outcome"] == "approve"

    def test_mixed(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        good = json.dumps(json.loads(APPROVE.read_text()))
        path = tmp_path / "r.jsonl"
        lines = [good, "{", "", good, '{"date": 1}', '{"id": "caf\xe9"}']
        path.write_bytes("\n".join(lines).encode("latin-1") + b"\n")
        status, out = run("batch", str(path), "--trail")
        assert status == 0  # every line it could decide is decided; --strict says otherwise
        assert run("batch", str(path), "--strict", "--quiet")[0] == 2
        records = [json.loads(line) for line in out.splitlines()]
        assert [next(iter(r)) if "invalid" in r else r["outcome"] for r in records] == [
            "approve",
            "invalid",
            "approve",
            "invalid",
            "invalid",
        ]
        assert records[0]["trail"] is not None
        assert records[1]["invalid"]["line"] == 2
        assert records[3]["invalid"] == {
            "line": 5,
            "id": None,
            "errors": [{"path": "$.date", "reason": "expected a date as text YYYY-MM-DD, got 1"}],
        }
        err = capsys.readouterr().err
        assert "umpolicy: 3 of 6 lines could not be decided" in err
        assert "6/6 requests" in err

    @pytest.mark.parametrize(("between", "end"), [(b"\n", b"\n"), (b"\r\n", b"\r\n"), (b"\n", b"")])
    def test_a_position_in_malformed_json_is_on_its_own_line(
        self, tmp_path: Path, between: bytes, end: bytes
    ) -> None:
        """Line 2's record says where its JSON went wrong on that line, not on a "line 2"."""
        good = json.dumps(json.loads(APPROVE.read_text())).encode()
        path = tmp_path / "r.jsonl"
        path.write_bytes(good + between + b'{"id": "x", ' + end)
        status, out = run("batch", str(path), "--quiet")
        records = [json.loads(line) for line in out.splitlines()]
        assert status == 0
        assert records[0]["outcome"] == "approve"
        (error,) = records[1]["invalid"]["errors"]
        assert records[1]["invalid"]["line"] == 2
        assert "line 1 column 13 (char 12)" in error["reason"]

    def test_a_line_over_the_limit_is_not_parsed_for_its_id(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A line past the size limit is refused unread: not even parsed to find its id."""
        data = json.loads(APPROVE.read_text())
        padding = "x" * (MAX_REQUEST_BYTES - len(json.dumps({**data, "pad": ""})))
        at_limit = json.dumps({**data, "pad": padding})
        assert len(at_limit) == MAX_REQUEST_BYTES
        path = tmp_path / "r.jsonl"
        path.write_text(f"{at_limit}\r\n{at_limit}{' ' * 1000}\n")
        parsed: list[int] = []
        real = json.loads

        def counted(text: str | bytes, **options: object) -> object:
            parsed.append(len(text))
            return real(text, **options)  # type: ignore[arg-type]

        monkeypatch.setattr(json, "loads", counted)  # what cli._id_of calls
        records = [real(line) for line in run("batch", str(path), "--quiet")[1].splitlines()]
        assert [r["invalid"]["id"] for r in records] == [data["id"], None]
        assert "a request of 263144 bytes" in records[1]["invalid"]["errors"][0]["reason"]
        assert max(parsed) <= MAX_REQUEST_BYTES + 2  # the first line, with its CRLF

    def test_no_line_break_at_the_end(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The last line counts toward the bar's total: 2/2, not 3/2 past its width."""
        good = json.dumps(json.loads(APPROVE.read_text()))
        path = tmp_path / "r.jsonl"
        path.write_text(f"{good}\n{good}")
        assert run("batch", str(path))[0] == 0
        lines = capsys.readouterr().err.splitlines()
        assert lines[-1].startswith("[##############################] 2/2 requests ")

    def test_parallel_jobs_keep_the_order(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        files = sorted(EXAMPLES.glob("*.json"))
        lines = [json.dumps(json.loads(file.read_text())) for file in files]
        path = tmp_path / "r.jsonl"
        path.write_text("\n".join([*lines, "{"]) + "\n")
        status, out = run("batch", str(path), "--jobs", "2", "--quiet", "--strict")
        assert status == 2
        records = [json.loads(line) for line in out.splitlines()]
        assert [r.get("request_id") for r in records[:-1]] == [
            json.loads(line).get("id") for line in lines
        ]
        assert records[-1]["invalid"]["line"] == len(lines) + 1
        assert run("batch", str(path), "--quiet")[1] == out
        err = capsys.readouterr().err
        assert f"umpolicy: 1 of {len(lines) + 1} lines could not be decided" in err

    @pytest.mark.parametrize("command", ["batch", "replay"])
    def test_a_pipe_is_read_once(self, command: str, capsys: pytest.CaptureFixture[str]) -> None:
        """``batch <(zcat requests.jsonl.gz)``: every line decided, none used up counting them.

        The bar counts a regular file's lines before the batch reads it; a pipe can be
        read only once, so its length is left unknown (a count, not a bar).
        """
        line = json.dumps(json.loads(APPROVE.read_text())).encode() + b"\n"
        reading, writing = os.pipe()
        os.write(writing, line * 3)
        os.close(writing)
        try:
            path = f"/dev/fd/{reading}"  # what a shell's process substitution passes
            if command == "batch":
                status, out = run("batch", path)
                assert [json.loads(text)["outcome"] for text in out.splitlines()] == ["approve"] * 3
            else:
                status, out = run("replay", path, "--from", "proleukin", "--to", "proleukin")
                assert "3 requests replayed" in out
        finally:
            os.close(reading)
        assert status == 0
        assert capsys.readouterr().err.splitlines()[-1].startswith("3 requests ")

    def test_stdin(self, monkeypatch: pytest.MonkeyPatch) -> None:
        data = json.dumps(json.loads(APPROVE.read_text())).encode()
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data + b"\n\n")))
        status, out = run("batch", "-", "--quiet")
        assert status == 0
        assert json.loads(out)["outcome"] == "approve"

    def test_all_valid_quiet(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "r.jsonl"
        path.write_text(json.dumps(json.loads(APPROVE.read_text())) + "\n")
        status, out = run("batch", str(path), "--quiet")
        assert status == 0
        assert json.loads(out)["trail"] is None
        assert capsys.readouterr().err == ""


class TestOptionsCheckedFirst:
    """A bad --today, --as-of, --policy or --jobs is one error before any line is read: exit 2."""

    LAST = "9999-12-31 is not a plausible date (1900-01-01 to 9000-01-01)"

    @pytest.mark.parametrize(
        ("option", "value", "said"),
        [
            ("--today", "9999-12-31", f"invalid input: {LAST} @ --today"),
            ("--as-of", "1800-01-01", "invalid input: 1800-01-01 is not a plausible date"),
            ("--policy", "nosuch", "umpolicy: no policy named 'nosuch' is installed (installed: "),
        ],
    )
    @pytest.mark.parametrize("command", ["evaluate", "batch"])
    def test_refused_before_reading(
        self,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        command: str,
        option: str,
        value: str,
        said: str,
    ) -> None:
        """The file is never opened: it does not exist, which would be exit 1."""
        assert run(command, str(tmp_path / "absent.jsonl"), option, value) == (2, "")
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith(said)

    @pytest.mark.parametrize("command", ["evaluate", "batch"])
    def test_an_as_of_no_version_of_the_policy_covers(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
    ) -> None:
        """One error naming --as-of, not one per line: no line could be decided under it."""
        absent = str(tmp_path / "absent.jsonl")
        options = ("--policy", "proleukin", "--as-of", "2021-06-01", "--today", "2026-03-03")
        assert run(command, absent, *options) == (2, "")
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith("invalid input: no version of 'proleukin' is in force on 2021-06-01")
        assert line.endswith("(version 2025-02-05)) @ --as-of")

    def test_the_installed_policies_are_listed(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert run("batch", str(APPROVE), "--policy", "nosuch") == (2, "")
        installed = ", ".join(policy_names())
        assert capsys.readouterr().err == (
            f"umpolicy: no policy named 'nosuch' is installed (installed: {installed})\n"
        )

    def test_as_json(self) -> None:
        status, out = run("evaluate", str(APPROVE), "--today", "9999-12-31", "--format", "json")
        assert status == 2
        assert json.loads(out) == {"errors": [{"path": "--today", "reason": self.LAST}]}

    def test_replay_too(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        absent = str(tmp_path / "absent.jsonl")
        assert run("replay", absent, "--from", "nosuch@2024-06-01", "--to", "proleukin") == (2, "")
        assert capsys.readouterr().err.startswith("umpolicy: no policy named 'nosuch'")

    def test_a_today_far_ahead_but_plausible(self, tmp_path: Path) -> None:
        path = tmp_path / "r.jsonl"
        path.write_text(json.dumps(json.loads(APPROVE.read_text())) + "\n")
        status, out = run("batch", str(path), "--today", "9000-01-01", "--quiet")
        assert status == 0
        assert json.loads(out)["outcome"] == "approve"

    @pytest.mark.parametrize("command", ["batch", "replay"])
    @pytest.mark.parametrize(
        ("jobs", "said"),
        [
            ("0", f"must be from 1 to {MAX_JOBS}, got 0"),
            ("-1", f"must be from 1 to {MAX_JOBS}, got -1"),
            ("100000", f"must be from 1 to {MAX_JOBS}, got 100000"),
            (str(MAX_JOBS + 1), f"must be from 1 to {MAX_JOBS}, got {MAX_JOBS + 1}"),
            ("two", "not a whole number: 'two'"),
        ],
    )
    def test_jobs_out_of_bounds(
        self, capsys: pytest.CaptureFixture[str], command: str, jobs: str, said: str
    ) -> None:
        """``--jobs 100000`` tried to fork that many processes, and wrote nothing for minutes."""
        spec = ["--from", "proleukin", "--to", "proleukin"] if command == "replay" else []
        with pytest.raises(SystemExit) as info:
            cli.parser().parse_args([command, "r.jsonl", *spec, "--jobs", jobs])
        assert info.value.code == 2
        assert capsys.readouterr().err.endswith(f"error: argument --jobs: {said}\n")

    @pytest.mark.parametrize(
        ("port", "said"),
        [
            ("65536", "a port is from 0 to 65535, got 65536"),
            ("99999", "a port is from 0 to 65535, got 99999"),
            ("-1", "a port is from 0 to 65535, got -1"),
            ("http", "not a whole number: 'http'"),
        ],
    )
    def test_a_port_out_of_range(
        self, capsys: pytest.CaptureFixture[str], port: str, said: str
    ) -> None:
        """``serve --port 99999`` ended in the socket library's OverflowError, a traceback."""
        with pytest.raises(SystemExit) as info:
            cli.parser().parse_args(["serve", "--port", port])
        assert info.value.code == 2
        assert capsys.readouterr().err.endswith(f"error: argument --port: {said}\n")

    def test_a_port_within_range(self) -> None:
        for port in (0, 8000, 65535):
            assert cli.parser().parse_args(["serve", "--port", str(port)]).port == port

    @pytest.mark.parametrize("command", ["batch", "replay"])
    def test_jobs_within_bounds(self, capsys: pytest.CaptureFixture[str], command: str) -> None:
        """From one to four per core, as the help says."""
        spec = ["--from", "proleukin", "--to", "proleukin"] if command == "replay" else []
        for jobs in (1, MAX_JOBS):
            args = cli.parser().parse_args([command, "r.jsonl", *spec, "--jobs", str(jobs)])
            assert args.jobs == jobs
        with pytest.raises(SystemExit):
            cli.parser().parse_args([command, "--help"])
        help_text = " ".join(capsys.readouterr().out.split())
        assert f"(1 to {MAX_JOBS}: four per core, as deciding is CPU-bound;" in help_text


class TestShowAndFacts:
    """show prints the tree; facts lists what the policy reads; policies lists names."""

    def test_show_text(self) -> None:
        status, out = run("show", "proleukin")
        assert status == 0
        assert out.startswith(POLICY.title)

    def test_show_json(self) -> None:
        status, out = run("show", "proleukin", "--format", "json")
        assert status == 0
        assert json.loads(out)["name"] == "proleukin"

    def test_facts_text(self) -> None:
        status, out = run("facts", "proleukin")
        assert status == 0
        for name in POLICY.facts():
            assert f"\n{name} (" in f"\n{out}"
        assert "patient.age (quantity in a) [derived from patient.birth_date, request.date]" in out
        assert "medication.route (code)\n    The route of administration (SNOMED CT)." in out
        assert "answers.lesions (list)" in out
        assert (
            "therapy.prior_systemic_count (quantity in {therapy}) [derived from therapies.prior]"
            in out
        )

    def test_facts_text_lists_the_values_of_a_code(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from tests.test_admit import ASKING

        monkeypatch.setattr(cli, "load_policy", lambda _: ASKING)
        status, out = run("facts", "asking")
        assert status == 0
        assert "answers.stage (code: III, IV)\n    Which stage?\n" in out
        assert "answers.score (quantity in mg, g)\n" in out

    def test_facts_json(self) -> None:
        status, out = run("facts", "proleukin", "--format", "json")
        assert status == 0
        names = [spec["name"] for spec in json.loads(out)]
        assert names == list(with_inputs(POLICY, POLICY.facts()))
        assert names.index("patient.birth_date") == names.index("patient.age") + 1
        assert {"patient.bsa", "patient.height", "patient.weight", "consultants"} <= set(names)

    def test_policies(self) -> None:
        assert run("policies") == (0, "".join(f"{name}\n" for name in policy_names()))
        assert "proleukin" in run("policies")[1].splitlines()

    @pytest.mark.parametrize("command", ["show", "facts"])
    def test_unknown(self, command: str, capsys: pytest.CaptureFixture[str]) -> None:
        assert run(command, "nope") == (2, "")
        installed = ", ".join(policy_names())
        assert capsys.readouterr().err == (
            f"umpolicy: no policy named 'nope' is installed (installed: {installed})\n"
        )


class TestVersion:
    """--version prints umpolicy's release, then each installed policy's version."""

    def test_release_and_policies(self) -> None:
        status, out = run("--version")
        assert status == 0
        first, *rest = out.splitlines()
        assert first == f"umpolicy {umpolicy.__version__}" == "umpolicy 0.2.0"
        assert f"  proleukin {POLICY.version} (effective {POLICY.effective})" in rest
        assert len(rest) == len(policy_names())

    def test_a_policy_that_cannot_load_is_named(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def broken(name: str) -> object:
            raise ImportError(name)

        monkeypatch.setattr(cli, "load_policy", broken)
        assert "  proleukin (cannot be loaded: ImportError)" in run("--version")[1].splitlines()


class TestErrorsAsJson:
    """evaluate --format json writes input errors as JSON on standard output, exit 2."""

    def test_field_errors(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        data = json.loads(APPROVE.read_text())
        data["patient"]["birthdate"] = data["patient"].pop("birth_date")
        data["medication"]["dose"]["unit"] = "IU"
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(data))
        status, out = run("evaluate", str(path), "--format", "json")
        assert status == 2
        assert capsys.readouterr().err == ""
        errors = json.loads(out)["errors"]
        assert [e["path"] for e in errors] == ["$.patient", "$.medication.dose.unit"]
        assert errors[0]["reason"] == "extra fields found (birthdate); did you mean 'birth_date'?"
        assert errors[1]["reason"].startswith("unknown unit 'IU' (did you mean '[iU]'?);")
        assert set(json.loads(out)) == {"errors"}
        assert all(set(e) == {"path", "reason"} for e in errors)

    def test_malformed_json(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.json"
        path.write_text("{")
        status, out = run("evaluate", str(path), "--format", "json")
        assert status == 2
        (error,) = json.loads(out)["errors"]
        assert error["path"] == "$"
        assert error["reason"].startswith("malformed JSON")

    def test_an_unknown_policy(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        data = json.loads(APPROVE.read_text())
        del data["policy"]
        path = tmp_path / "r.json"
        path.write_text(json.dumps(data))
        status, out = run("evaluate", str(path), "--policy", "nope", "--format", "json")
        assert status == 2
        (error,) = json.loads(out)["errors"]
        assert error["path"] == "$.policy"
        assert error["reason"].startswith("no policy named 'nope' is installed")
        assert capsys.readouterr().err == ""

    def test_text_formats_keep_errors_on_stderr(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "bad.json"
        path.write_text("{")
        assert run("evaluate", str(path), "--format", "markdown") == (2, "")
        assert capsys.readouterr().err.startswith("invalid input: malformed JSON")


class TestBatchKeepsTheId:
    """A batch line that cannot be decided keeps the request's id in its record."""

    def test_invalid_and_failed_records(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        data = json.loads(APPROVE.read_text())
        bad = {**data, "id": "req-7", "patient": {"birthdate": "1970-01-01"}}
        path = tmp_path / "r.jsonl"
        path.write_text(json.dumps(bad) + "\n" + json.dumps({**data, "id": "req-8"}) + "\n")
        status, out = run("batch", str(path), "--quiet")
        first, second = (json.loads(line) for line in out.splitlines())
        assert status == 0
        assert first["invalid"]["id"] == "req-7"
        assert first["invalid"]["errors"] == [
            {
                "path": "$.patient",
                "reason": "extra fields found (birthdate); did you mean 'birth_date'?",
            }
        ]
        assert second["request_id"] == "req-8"

        def broken(*_: object, **__: object) -> object:
            raise RuntimeError("a bug")

        monkeypatch.setattr(cli, "evaluate", broken)
        first, _ = (json.loads(line) for line in run("batch", str(path), "--quiet")[1].splitlines())
        assert first["failed"] == {
            "line": 1,
            "id": "req-7",
            "reason": "internal error: RuntimeError: 'a bug'",
        }


class TestPacket:
    """evaluate --format html writes the printable decision packet for the request given."""

    def test_html_packet(self) -> None:
        request = str(EXAMPLES / "rcc-clinician-review.json")
        status, out = run("evaluate", request, "--format", "html")
        assert status == 0
        assert out.startswith("<!DOCTYPE html>")
        assert "Recommendation: Clinician review" in out
        assert "Request as received" in out
        assert "&quot;id&quot;: &quot;rcc-002&quot;" in out  # verbatim, escaped
        assert "<script" not in out

    def test_html_refuses_bad_input_like_the_others(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        stdin = io.TextIOWrapper(io.BytesIO(b'{"policy": "proleukin"}'))
        monkeypatch.setattr(sys, "stdin", stdin)
        status, out = run("evaluate", "-", "--format", "html")
        assert status == 2
        assert out == ""
        assert "$.date" in capsys.readouterr().err


class TestToday:
    """--today judges request dates against a given day: a corpus prepared ahead decides."""

    def test_a_future_request_is_refused_unless_today_is_given(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        data = json.loads(APPROVE.read_text())
        data["date"] = "2099-01-02"
        path = tmp_path / "future.json"
        path.write_text(json.dumps(data))
        assert run("evaluate", str(path))[0] == 2
        assert "$.date" in capsys.readouterr().err
        status, out = run("evaluate", str(path), "--today", "2099-01-01", "--format", "json")
        assert status == 0
        assert json.loads(out)["outcome"] == "approve"

    def test_batch_takes_today_too(self, tmp_path: Path) -> None:
        data = json.loads(APPROVE.read_text())
        data["date"] = "2099-01-02"
        path = tmp_path / "future.jsonl"
        path.write_text(json.dumps(data) + "\n")
        out = run("batch", str(path), "--quiet", "--today", "2099-01-01")[1]
        assert json.loads(out)["outcome"] == "approve"
        assert "invalid" in json.loads(run("batch", str(path), "--quiet")[1])

    def test_a_bad_day_is_a_usage_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as exited:
            run("evaluate", str(APPROVE), "--today", "tomorrow")
        assert exited.value.code == 2
        assert "not a date (YYYY-MM-DD): 'tomorrow'" in capsys.readouterr().err


class TestAsAProcess:
    """Run as a process: fed on standard input, stopped by Ctrl-C or by its reader."""

    CORPUS = EXAMPLES / "corpus.jsonl"

    def command(self, *argv: str) -> list[str]:
        return [sys.executable, "-m", "umpolicy", *argv]

    def environment(self) -> dict[str, str]:
        """The environment: this checkout's umpolicy, its output buffered as for anyone."""
        here = Path(__file__).parent.parent
        path = os.pathsep.join([str(here / "src"), str(here / ".pp"), *sys.path])
        env = {**os.environ, "PYTHONPATH": path}
        env.pop("PYTHONUNBUFFERED", None)
        return env

    @pytest.mark.parametrize("jobs", ["1", "2"])
    def test_a_reader_that_stops_reading(self, jobs: str) -> None:
        """``umpolicy batch big.jsonl | head -1``: 141, as ``cat`` would, and not a word."""
        argv = self.command("batch", str(self.CORPUS), "--quiet", "--jobs", jobs)
        with subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.environment()
        ) as done:
            assert done.stdout is not None
            assert done.stderr is not None
            assert json.loads(done.stdout.readline())["request_id"] == "corpus-00001"
            done.stdout.close()
            assert done.wait(timeout=60) == cli.READER_GONE
            assert done.stderr.read() == b""

    def test_ctrl_c(self, tmp_path: Path) -> None:
        """A terminal's Ctrl-C signals the command and its workers: one line, status 130."""
        path = tmp_path / "big.jsonl"
        path.write_bytes(self.CORPUS.read_bytes() * 20)
        argv = self.command("batch", str(path), "--quiet", "--jobs", "2")
        with subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.environment(),
            start_new_session=True,  # a process group of its own, as a terminal's job is
        ) as done:
            assert done.stdout is not None
            done.stdout.readline()  # deciding, its workers started
            os.killpg(done.pid, signal.SIGINT)
            _, err = done.communicate(timeout=60)
        assert done.returncode == cli.INTERRUPTED
        assert err == b"umpolicy: interrupted\n"

    def test_interrupted_in_process(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        def interrupted(*_: object, **__: object) -> object:
            raise KeyboardInterrupt

        monkeypatch.setattr(cli, "evaluate", interrupted)
        assert run("evaluate", str(APPROVE)) == (cli.INTERRUPTED, "")
        assert capsys.readouterr().err == "umpolicy: interrupted\n"

    def test_a_closed_pipe_in_process(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """What is left in standard output's buffer goes nowhere, not to a second error."""
        reading, writing = os.pipe()
        os.close(reading)
        stdout = os.fdopen(writing, "w")
        monkeypatch.setattr(sys, "stdout", stdout)
        status = main(["batch", str(self.CORPUS), "--quiet"])
        stdout.write("still buffered")
        stdout.close()  # flushed to the null device: no BrokenPipeError
        assert status == cli.READER_GONE
        assert capsys.readouterr().err == ""

    def test_a_closed_stream_that_is_not_stdout(self, capsys: pytest.CaptureFixture[str]) -> None:
        class Closed(io.StringIO):
            def write(self, _: str) -> int:
                raise BrokenPipeError

        assert main(["show", "proleukin"], out=Closed()) == cli.READER_GONE
        assert capsys.readouterr().err == ""

    def test_workers_leave_ctrl_c_to_the_command(self) -> None:
        before = signal.getsignal(signal.SIGINT)
        try:
            cli.ignore_interrupts()
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        finally:
            signal.signal(signal.SIGINT, before)

    def test_a_request_piped_in_is_answered_at_once(self) -> None:
        """A program writes a request to ``batch -`` and waits for its decision: it comes."""
        line = json.dumps(json.loads(APPROVE.read_text())).encode() + b"\n"
        argv = self.command("batch", "-", "--quiet")
        with subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=self.environment()
        ) as done:
            assert done.stdin is not None
            assert done.stdout is not None
            done.stdin.write(line)
            done.stdin.flush()  # and left open: more requests may follow
            answered, _, _ = select.select([done.stdout], [], [], 30)
            assert answered, "no decision before the input ended"
            assert json.loads(done.stdout.readline())["outcome"] == "approve"
            done.stdin.close()
            assert done.wait(timeout=30) == 0
