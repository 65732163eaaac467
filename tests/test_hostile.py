"""Hostile input: what an attacker or a careless integrator sends is refused, never approved.

Each class is a regression of a finding of the hostile-input review (issue 10), in the
request format of the shared vocabulary: the request that approved, crashed or stalled
is now an input error naming its path, quickly, with a bounded message.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import attrs
import pytest

from tests.hostile_strategies import (
    EXAMPLES,
    MAX_REASON,
    Example,
    Loc,
    field_locations,
    locations,
    path_of,
    put,
    related,
)
from umpolicy import (
    AtLeast,
    AtMost,
    Fact,
    FieldError,
    InputError,
    LessThan,
    Outcome,
    Policy,
    Quantity,
    Status,
    Therapies,
    Therapy,
    loads,
    structure,
)
from umpolicy.api import evaluate, parse_request
from umpolicy.cli import main
from umpolicy.engine.book import FactBook
from umpolicy.integrations.fhir.bundle import evaluate_bundle
from umpolicy.io.converter import CONVERTER, MAX_FHIR_BYTES, MAX_REQUEST_BYTES
from umpolicy_policies.proleukin import POLICY

APPROVE = Path(__file__).parent.parent / "examples" / "proleukin" / "melanoma-iv-approve.json"


def approved() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(APPROVE.read_text())
    assert evaluate(data).outcome is Outcome.APPROVE
    return data


def paths(text: str | bytes) -> list[str]:
    with pytest.raises(InputError) as info:
        evaluate(text)
    return [error.path for error in info.value.errors]


class TestAnswersNoQuestionReads:
    """Answers for another policy are bounded as any input is: no crash, no costly number."""

    def errors(self, answer: str) -> list[str]:
        data = approved()
        text = json.dumps(data).replace(
            '"answers": {', f'"answers": {{"other": {{"q": {answer}}}, ', 1
        )
        assert '"other"' in text
        with pytest.raises(InputError) as info:
            evaluate(text)
        return [str(error) for error in info.value.errors]

    def test_a_number_of_a_trillion_digits(self) -> None:
        """Writing it out (for the request's fingerprint) would take a terabyte."""
        started = time.process_time()
        (error,) = self.errors("1e999999999999")
        assert "is out of range" in error
        assert error.endswith(" @ $.answers.other.q")
        assert time.process_time() - started < 1  # not a timed test: memory ran out before

    @pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
    def test_a_number_json_has_not(self, word: str) -> None:
        """Python reads NaN; JSON has no such number, and orjson would write it as null."""
        assert self.errors(f"[1, {word}]") == [f"malformed JSON: {word} is not a JSON number @ $"]

    def test_nested_past_the_limit(self) -> None:
        """Nine hundred levels crashed the checks with a RecursionError; the limit says 16."""
        (error,) = self.errors("[" * 900 + "]" * 900)
        # The path down to the list past the limit: 17 keys and indexes below the answers.
        reason = "answers nested deeper than 16; the limit is 16"
        assert error == f"{reason} @ $.answers.other.q" + "[0]" * 15

    @pytest.mark.parametrize(
        ("answer", "path"),
        [
            ('"' + "a" * 1001 + '"', "$.answers.other.q"),
            ('[1, {"r": "' + "a" * 1001 + '"}]', "$.answers.other.q[1].r"),
            ('{"' + "k" * 1001 + '": 1}', "$.answers.other.q"),
            ("[" + ",".join(["0"] * 101) + "]", "$.answers.other.q"),
            # A key a path would not say plainly is quoted: a dot, " @ ", a line break.
            ('{"a.b": "' + "a" * 1001 + '"}', "$.answers.other.q['a.b']"),
            ('{"x @ y": "' + "a" * 1001 + '"}', "$.answers.other.q['x @ y']"),
            ('{"l\\nb": "' + "a" * 1001 + '"}', "$.answers.other.q['l\\nb']"),
        ],
    )
    def test_each_problem_at_its_own_path(self, answer: str, path: str) -> None:
        """The error points at the answer at fault, not at the answers as a whole."""
        (error,) = self.errors(answer)
        assert error.endswith(f"; the limit is {100 if '101' in error else 1000} @ {path}")

    def test_a_duplicate_key_a_path_quotes(self) -> None:
        assert self.errors('{"a.b": 1, "a.b": 2}') == [
            "duplicate key: each key may appear once @ $.answers.other.q['a.b']"
        ]

    def test_nested_with_a_form_error_too(self) -> None:
        """The value checks that follow a form error do not crash on deep data either."""
        deep = "[" * 900 + "]" * 900
        text = '{"id": 5, "answers": {"other": {"q": ' + deep + "}}}"
        assert "$.id" in paths(text)


class TestDuplicateKeys:
    """A key given twice anywhere is an input error at its path: never decided on the last."""

    def test_two_doses_do_not_approve_on_the_last(self) -> None:
        text = json.dumps(approved())
        dose = '"dose": {"value": "43500000", "unit": "[iU]"}'
        assert dose in text
        twice = text.replace(dose, '"dose": {"value": "999999999", "unit": "[iU]"}, ' + dose)
        assert paths(twice) == ["$.medication.dose"]

    @pytest.mark.parametrize("key", ["policy", "diagnoses", "date"])
    def test_top_level_keys(self, key: str) -> None:
        data = approved()
        text = json.dumps(data)
        twice = text[:-1] + f", {json.dumps(key)}: {json.dumps(data[key])}" + "}"
        assert paths(twice) == [f"$.{key}"]

    def test_in_a_list_item(self) -> None:
        text = json.dumps(approved())
        twice = text.replace('"codes": [', '"codes": ["L01FF02"], "codes": [', 1)
        assert paths(twice) == ["$.therapies.prior[0].codes"]


class TestHugeNumbers:
    """A number's digits and exponent are bounded before it is read: fast, and an error."""

    @pytest.mark.parametrize("value", ["1e999999999", "1e999999999999999", "1" * 100, "0e-999"])
    def test_dose(self, value: str) -> None:
        data = approved()
        data["medication"]["dose"]["value"] = value
        started = time.process_time()
        assert paths(json.dumps(data)) == ["$.medication.dose.value"]
        assert time.process_time() - started < 1  # not a timed test: 17 s before the fix

    def test_zero_rest_with_a_huge_exponent(self) -> None:
        data = approved()
        data["medication"]["schedule"]["rest_between_cycles"] = {
            "value": "0e-999999999",
            "unit": "d",
        }
        assert paths(json.dumps(data)) == ["$.medication.schedule.rest_between_cycles.value"]

    def test_as_a_json_number(self) -> None:
        text = json.dumps(approved()).replace('"43500000"', "1e999999999")
        assert paths(text) == ["$.medication.dose.value"]

    def test_quoted_as_the_number_given(self) -> None:
        """The error quotes a JSON number as a number, not as Python's Decimal(...)."""
        text = json.dumps(approved()).replace('"43500000"', "1e39999")
        with pytest.raises(InputError) as info:
            parse_request(text)
        (error,) = info.value.errors
        assert error.reason.startswith("1E+39999 is out of range")


class TestLoneSurrogates:
    """Text that is not valid Unicode is an input error at its path, not a crash."""

    def test_id(self) -> None:
        text = json.dumps(approved())[:-1] + ', "id": "\\ud800"}'
        found = paths(text.replace('"id": "mel-iv-001", ', ""))
        assert found == ["$.id"]

    def test_therapy_name_as_bytes(self) -> None:
        text = json.dumps(approved()).replace('"pembrolizumab"', '"pembro\\udfffzumab"')
        assert paths(text.encode()) == ["$.therapies.prior[0].name"]

    def test_a_request_built_in_python(self) -> None:
        request = parse_request(approved())
        bad = attrs.evolve(request, therapies=Therapies((Therapy("\ud800"),), ()))
        with pytest.raises(InputError) as info:
            evaluate(bad, POLICY)
        assert [e.path for e in info.value.errors] == ["$.therapies.prior[0].name"]

    def test_in_a_key(self) -> None:
        text = json.dumps(approved())[:-1] + ', "\\udc00": 1}'
        with pytest.raises(InputError) as info:
            evaluate(text)
        assert str(info.value.errors[0]) == "key '\\udc00' holds a lone surrogate @ $"

    @pytest.mark.parametrize(
        ("where", "key", "path"),
        [
            ((), 1, "$"),
            (("patient",), None, "$.patient"),
            (("answers", "proleukin"), (1,), "$.answers.proleukin"),
        ],
    )
    def test_a_python_callers_key_that_is_not_text(
        self, where: tuple[str, ...], key: object, path: str
    ) -> None:
        data = approved()
        inner: dict[Any, Any] = data
        for name in where:
            inner = inner[name]
        inner[key] = True
        with pytest.raises(InputError) as info:
            evaluate(data)
        assert str(info.value.errors[0]) == f"key {key!r} is not text (a JSON key is) @ {path}"

    def test_a_pair_is_text(self) -> None:
        data = approved()
        data["id"] = "\U0001f600"
        assert evaluate(json.dumps(data)).request_id == "\U0001f600"


class TestLimits:
    """Documented limits on size, list lengths, text and errors; each refused early, named."""

    def test_request_bytes(self) -> None:
        data = approved()
        data["medication"]["dose"]["unit"] = "x" * 10_000_000
        with pytest.raises(InputError) as info:
            evaluate(json.dumps(data))
        (error,) = info.value.errors
        assert error.path == "$"
        assert error.reason.endswith("; the limit is 262144 bytes")
        assert len(str(info.value)) < 200

    def test_fhir_json_has_a_limit_of_its_own(self) -> None:
        """A bundle carries records: read up to MAX_FHIR_BYTES when asked, never further."""
        text = json.dumps({"resourceType": "Bundle", "data": "A" * MAX_REQUEST_BYTES})
        with pytest.raises(InputError, match=f"the limit is {MAX_REQUEST_BYTES} bytes"):
            loads(text)  # a request's limit unless told
        assert loads(text, limit=MAX_FHIR_BYTES)["resourceType"] == "Bundle"
        past = json.dumps({"data": "A" * MAX_FHIR_BYTES})
        with pytest.raises(InputError) as info:
            loads(past, limit=MAX_FHIR_BYTES)
        (error,) = info.value.errors
        assert (
            error.reason == f"a request of {len(past)} bytes; the limit is {MAX_FHIR_BYTES} bytes"
        )

    def test_a_long_text_is_quoted_in_part(self) -> None:
        data = approved()
        data["medication"]["dose"]["unit"] = "x" * 900
        with pytest.raises(InputError) as info:
            evaluate(json.dumps(data))
        assert info.value.errors[0].path == "$.medication.dose.unit"
        assert len(str(info.value)) < 1_000

    def test_text_length(self) -> None:
        data = approved()
        data["therapies"]["prior"][0]["name"] = "a" * 1001
        assert [str(e) for e in _errors(data)] == [
            "text of 1001 characters; the limit is 1000 @ $.therapies.prior[0].name"
        ]

    def test_list_length(self) -> None:
        data = approved()
        data["diagnoses"] = [{"code": "C43.9"}] * 101
        assert [str(e) for e in _errors(data)] == [
            "a list of 101 items; the limit is 100 @ $.diagnoses"
        ]

    def test_answer_list_length(self) -> None:
        data = approved()
        data["answers"]["proleukin"]["lesions"] = [{"site": "nodal", "status": "recurrent"}] * 101
        assert [str(e) for e in _errors(data)] == [
            "a list of 101 items; the limit is 100 @ $.answers.proleukin.lesions"
        ]

    def test_answer_list_length_built_in_python(self) -> None:
        data = json.loads(
            APPROVE.parent.joinpath("melanoma-intralesional-approve.json").read_text()
        )
        request = parse_request(data)
        lesions = [{"site": "nodal", "status": "recurrent"}] * 101
        many = attrs.evolve(request, answers={"proleukin": {"lesions": lesions}})
        with pytest.raises(InputError) as info:
            evaluate(many, POLICY)
        assert [str(e) for e in info.value.errors] == [
            "a list of 101 items; the limit is 100 @ $.answers.proleukin.lesions"
        ]

    def test_errors_are_capped(self) -> None:
        data = approved()
        data["diagnoses"] = [{"code": 1}] * 100
        data["consultants"] = [{"specialties": 1}] * 100
        errors = _errors(data)
        assert len(errors) == 101
        assert str(errors[-1]) == "and 100 more problems (the first 100 shown) @ $"


def _errors(data: dict[str, Any]) -> list[FieldError]:
    with pytest.raises(InputError) as info:
        evaluate(json.dumps(data))
    return list(info.value.errors)


class TestInvisibleAndForeignText:
    """Names of only invisible marks are not names; dates are ASCII digits."""

    def test_zero_width_therapy_name(self) -> None:
        data = approved()
        data["therapies"]["prior"][0]["name"] = "\u200b"
        with pytest.raises(InputError) as info:
            evaluate(json.dumps(data))
        assert [str(e) for e in info.value.errors] == [
            "must name the therapy (a letter or digit) @ $.therapies.prior[0].name"
        ]

    def test_arabic_indic_digits_in_a_date(self) -> None:
        data = approved()
        data["date"] = "٢٠٢٦-٠٣-٠٢"
        with pytest.raises(InputError) as info:
            evaluate(json.dumps(data))
        (error,) = info.value.errors
        assert error.path == "$.date"
        assert error.reason.startswith("expected a date as text YYYY-MM-DD")


class TestBatchGoesOn:
    """One bad line never ends a batch: every line is decided or gets its own record."""

    def test_valid_surrogate_valid(self, tmp_path: Path) -> None:
        good = json.dumps(approved())
        bad = good.replace('"mel-iv-001"', '"\\ud800"')
        path = tmp_path / "r.jsonl"
        path.write_text("\n".join([good, bad, good]) + "\n")
        out = io.StringIO()
        assert main(["batch", str(path), "--quiet"], out=out) == 0
        first, second, third = (json.loads(line) for line in out.getvalue().splitlines())
        assert first["outcome"] == third["outcome"] == "approve"
        assert second["invalid"]["line"] == 2
        assert second["invalid"]["errors"] == [
            {"path": "$.id", "reason": "text holds a lone surrogate (not valid Unicode)"}
        ]

    def test_an_internal_error_is_a_record(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def broken(*_: object, **__: object) -> object:
            raise RuntimeError("boom")

        monkeypatch.setattr("umpolicy.cli.evaluate", broken)
        path = tmp_path / "r.jsonl"
        path.write_text('{"id": "a"}\n[1]\n{"id": "' + "x" * 300 + '"}\n{\n')
        out = io.StringIO()
        assert main(["batch", str(path), "--quiet", "--strict"], out=out) == 2
        records = [json.loads(line)["failed"] for line in out.getvalue().splitlines()]
        assert [r["id"] for r in records] == ["a", None, None, None]
        assert records[0]["reason"] == "internal error: RuntimeError: 'boom'"


QUELLIMAB_RA = (
    Path(__file__).parent.parent
    / "examples"
    / "quellimab-policy"
    / "examples"
    / "ra-initial-approve.json"
)


class TestTherapiesThatMightCount:
    """A therapy the engine cannot place in a value set never settles a criterion."""

    def test_an_uncoded_concomitant_therapy_is_not_single_agent(self) -> None:
        data = json.loads(APPROVE.parent.joinpath("rcc-approve.json").read_text())
        data["therapies"]["concomitant"] = [{"name": "pembrolizumab"}]
        decision = evaluate(json.dumps(data))
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert decision.facts_needed == ("therapies.concomitant",)

    def test_an_uncoded_biologic_never_passes_the_exclusion(self) -> None:
        data = json.loads(QUELLIMAB_RA.read_text())
        data["therapies"]["concomitant"] = [{"name": "adalimumab"}]
        assert evaluate(json.dumps(data)).outcome is Outcome.INSUFFICIENT_INFORMATION

    @pytest.mark.parametrize("code", ["l04ab04", " L04AB04", "", "L04 AB04"])
    def test_a_code_in_another_form_is_an_input_error(self, code: str) -> None:
        data = json.loads(QUELLIMAB_RA.read_text())
        data["therapies"]["concomitant"] = [{"name": "adalimumab", "codes": [code]}]
        with pytest.raises(InputError) as info:
            evaluate(json.dumps(data))
        assert [str(e) for e in info.value.errors] == [
            f"{code!r} is not an ATC code (such as L04AB04) @ $.therapies.concomitant[0].codes[0]"
        ]

    def test_a_contraindication_is_not_a_trial(self) -> None:
        data = json.loads(QUELLIMAB_RA.read_text())
        leflunomide: dict[str, Any] = {
            "name": "leflunomide",
            "codes": ["L04AK01"],
            "outcome": "contraindication",
            "duration": {"value": "4", "unit": "mo"},
        }
        data["therapies"]["prior"] = [leflunomide]
        assert evaluate(json.dumps(data)).outcome is Outcome.NOT_RECOMMENDED

    def test_aldesleukin_is_not_another_systemic_therapy(self) -> None:
        data = approved()
        data["therapies"]["prior"] = [{"name": "aldesleukin", "codes": ["L03AC01"]}]
        decision = evaluate(json.dumps(data))
        assert decision.outcome is Outcome.NOT_RECOMMENDED
        assert [r.label for r in decision.reasons] == ["1.A.iii"]


class TestOtherWaysIn:
    """Data parsed elsewhere, and answers with holes, are checked as JSON text is."""

    def test_a_dict_with_a_lone_surrogate(self) -> None:
        with pytest.raises(InputError) as info:
            evaluate({**approved(), "id": "\ud800"})
        assert [e.path for e in info.value.errors] == ["$.id"]

    def test_a_null_field_in_a_listed_answer(self) -> None:
        data = json.loads(
            APPROVE.parent.joinpath("melanoma-intralesional-approve.json").read_text()
        )
        data["answers"]["proleukin"]["lesions"][0]["site"] = None
        with pytest.raises(InputError) as info:
            evaluate(json.dumps(data))
        assert [str(e) for e in info.value.errors] == [
            "required field missing @ $.answers.proleukin.lesions[0].site"
        ]

    @pytest.mark.parametrize(
        ("where", "code", "form"),
        [
            (("diagnoses", 0, "code"), "c43.9", "an ICD-10-CM code (such as C43.9)"),
            (
                ("prescriber", "specialties", 0),
                "oncology",
                "a NUCC taxonomy code (such as 207RX0202X)",
            ),
            (("medication", "route", "code"), "IV", "a SNOMED CT code (digits, such as 47625008)"),
        ],
    )
    def test_codes_have_their_form(
        self, where: tuple[str | int, ...], code: str, form: str
    ) -> None:
        data = approved()
        target: Any = data
        for step in where[:-1]:
            target = target[step]
        target[where[-1]] = code
        path = "$" + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in where)
        with pytest.raises(InputError) as info:
            evaluate(json.dumps(data))
        assert [str(e) for e in info.value.errors] == [f"{code!r} is not {form} @ {path}"]


class TestPolicyFiles:
    """A policy file with an unknown node or check type says which types there are."""

    @pytest.mark.parametrize(
        ("where", "expected"),
        [
            (("children", 0), "all_of, any_of, dose_limit, predicate"),
            (("children", 0, "children", 0, "check"), "at_least, at_most, both, either, includes"),
        ],
    )
    def test_unknown_type(self, where: tuple[str | int, ...], expected: str) -> None:
        data = CONVERTER.unstructure(POLICY)
        target: Any = data["indications"][0]["criteria"]
        for step in where:
            target = target[step]
        target["type"] = "bogus"
        with pytest.raises(InputError) as info:
            structure(data, Policy)
        (error,) = info.value.errors
        assert error.reason.startswith(f"unknown type 'bogus'; expected one of {expected}")
        path = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in where)
        assert error.path == f"$.indications[0].criteria{path}"


class TestUnknownPolicyNames:
    """An unknown policy name costs no scan of the installed packages after the first."""

    def test_scanned_once(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from umpolicy import registry

        registry.policy_names()  # scanned
        monkeypatch.setattr("importlib.metadata.entry_points", _no_scan)
        with pytest.raises(InputError) as info:
            evaluate({**approved(), "policy": "nosuch"})
        assert "no policy named 'nosuch' is installed" in info.value.errors[0].reason


def _no_scan(**_: object) -> object:
    raise AssertionError("the installed packages were scanned again")


class TestFormAndValueAtOnce:
    """Problems of form do not hide problems of value: both are reported together."""

    def test_both(self) -> None:
        data = approved()
        data["patient"]["birth_date"] = 12345
        data["patient"]["weight"] = {"value": "7000", "unit": "kg"}
        data["diagnoses"].append({"code": 5})
        data["medication"]["frequency"] = {"value": "-3", "unit": "/d"}
        assert [str(e) for e in _errors(data)] == [
            "expected a date as text YYYY-MM-DD, got 12345 @ $.patient.birth_date",
            "expected a string, got an integer @ $.diagnoses[1].code",
            "7000 kg is not a plausible weight (0.2 to 700 kg) @ $.patient.weight.value",
            "must be more than zero, got -3 @ $.medication.frequency.value",
        ]

    def test_a_required_field_missing_leaves_nothing_to_check(self) -> None:
        data = approved()
        del data["date"]
        data["patient"]["weight"] = {"value": "7000", "unit": "kg"}
        assert [str(e) for e in _errors(data)] == ["required field missing @ $.date"]

    def test_a_huge_count_is_quoted_in_part(self) -> None:
        data = approved()
        data["medication"]["schedule"]["doses_per_cycle"] = 10**300
        (error,) = _errors(data)
        assert error.path == "$.medication.schedule.doses_per_cycle"
        assert len(error.reason) < 100


class TestHugeIntegers:
    """An integer past Python's 4300 digits, anywhere in parsed data, is an input error.

    Writing it out raises a ValueError: it crashed the error message that quoted it, the
    fingerprint of answers for another policy, and elsewhere gave Python's own advice
    (``use sys.set_int_max_str_digits()``) as the reason.
    """

    HUGE = 10**5000

    @pytest.mark.parametrize(
        ("example", "loc"),
        [
            (example, loc)
            for example in (EXAMPLES[0], EXAMPLES[-1])  # one of each policy
            for loc in dict.fromkeys(
                [*field_locations(), *(at for at, _ in locations(example.data))]
            )
        ],
        ids=lambda each: each.name if isinstance(each, Example) else path_of(each),
    )
    def test_at_every_field(self, example: Example, loc: Loc) -> None:
        data = put(example.data, loc, self.HUGE)
        for call in (evaluate, parse_request):
            with pytest.raises(InputError) as info:
                call(data)
            errors = info.value.errors
            assert any(related(path_of(loc), e.path) for e in errors), errors
            assert not [e for e in errors if "sys." in e.reason or len(e.reason) > MAX_REASON]

    @pytest.mark.parametrize(
        ("loc", "reason"),
        [
            (
                ("date",),
                "expected a date as text YYYY-MM-DD, got an integer of more than 4300 digits",
            ),
            (
                ("patient", "sex"),
                "unknown value an integer of more than 4300 digits; "
                "expected one of male, female, other, unknown",
            ),
            (
                ("medication", "schedule", "doses_per_cycle"),
                "must be a whole number from 1 to 1000000, got an integer of more than 4300 digits",
            ),
            (
                ("medication", "dose", "value"),
                "an integer of more than 4300 digits is out of range: "
                "at most 40 digits and an exponent from -40 to 40",
            ),
        ],
    )
    def test_said_in_words(self, loc: Loc, reason: str) -> None:
        with pytest.raises(InputError) as info:
            evaluate(put(approved(), loc, self.HUGE))
        assert [str(e) for e in info.value.errors] == [f"{reason} @ {path_of(loc)}"]

    def test_in_answers_no_question_reads(self) -> None:
        """Kept and fingerprinted: an integer that cannot be written out is refused."""
        data = put(approved(), ("answers", "other", "q"), [2**64, 10**4299, self.HUGE])
        with pytest.raises(InputError) as info:
            evaluate(data)
        assert [str(e) for e in info.value.errors] == [
            "an integer of more than 4300 digits; the limit is 4300 digits @ $.answers.other.q[2]"
        ]
        data = put(approved(), ("answers", "other", "q"), [2**64, 10**4299])
        assert evaluate(data).outcome is Outcome.APPROVE

    def test_in_json_text(self) -> None:
        """Well-formed JSON: said to be too long a number, not malformed."""
        text = json.dumps(approved()).replace('"43500000"', "1" * 5000)
        with pytest.raises(InputError) as info:
            evaluate(text)
        assert [str(e) for e in info.value.errors] == [
            "a number of the JSON text has more than 4300 digits; a number has at most 40 @ $"
        ]

    def test_in_a_fhir_bundle(self) -> None:
        """A dosage's count of doses reads as doses per cycle: said at its FHIR path."""
        bundle = loads((APPROVE.parent.parent / "fhir/pas/gvhd-approve.bundle.json").read_bytes())
        (order,) = [
            e for e in bundle["entry"] if e["resource"]["resourceType"] == "MedicationRequest"
        ]
        order["resource"]["dosageInstruction"][0]["timing"]["repeat"]["count"] = self.HUGE
        with pytest.raises(InputError) as info:
            evaluate_bundle(bundle)
        (error,) = info.value.errors
        assert error.path.endswith(".resource.dosageInstruction[0].timing.repeat.count")
        assert error.reason == (
            "must be a whole number from 1 to 1000000, got an integer of more than 4300 digits"
        )


class TestPartialCounts:
    """A count with an uncoded therapy is a lower bound: it can meet "at least", not refute it."""

    def test_only_uncoded(self) -> None:
        data = approved()
        data["therapies"]["prior"] = [{"name": "a trial drug"}]
        decision = evaluate(json.dumps(data))
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert decision.facts_needed == ("therapies.prior",)
        assert decision.trail is not None
        assert decision.trail.facts["therapy.prior_systemic_count"].partial

    def test_one_coded_settles_it(self) -> None:
        data = approved()
        data["therapies"]["prior"].append({"name": "a trial drug"})
        assert evaluate(json.dumps(data)).outcome is Outcome.APPROVE

    def test_at_most_is_never_met_by_a_lower_bound(self) -> None:
        book = FactBook({}, parse_request(approved()), {})
        book.add(Fact("n", Quantity("1", "{therapy}"), (), None, True))
        assert AtMost("n", Quantity("2", "{therapy}")).evaluate(book).status is Status.UNKNOWN
        assert AtMost("n", Quantity("0", "{therapy}")).evaluate(book).status is Status.NOT_MET
        assert LessThan("n", Quantity("1", "{therapy}")).evaluate(book).status is Status.NOT_MET
        assert AtLeast("n", Quantity("1", "{therapy}")).evaluate(book).status is Status.MET
        assert AtLeast("n", Quantity("2", "{therapy}")).evaluate(book).status is Status.UNKNOWN
