"""Errors that help: what a field takes, "did you mean", exact numbers, bounded messages."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.test_admit import ASKING, BASE, answered
from umpolicy import InputError, Quantity
from umpolicy.api import evaluate
from umpolicy.dsl.units import ALIASES, ATOMS, suggestion, unit
from umpolicy.errors import LONGEST, MAX_ERRORS, SHOWN, did_you_mean, shown
from umpolicy.errors import suggestion as closest
from umpolicy.io.converter import FLOAT_REFUSED, structure
from umpolicy.io.quantities import QUANTITIES, READ, accepts_at
from umpolicy.io.validation import admit

APPROVE = Path(__file__).parent.parent / "examples" / "proleukin" / "melanoma-iv-approve.json"
GOOD: dict[str, Any] = json.loads(APPROVE.read_text(encoding="utf-8"))


def refused(data: dict[str, Any]) -> list[str]:
    with pytest.raises(InputError) as info:
        evaluate(json.dumps(data))
    return [str(error) for error in info.value.errors]


def changed(path: tuple[str, ...], value: object) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    here = data
    for key in path[:-1]:
        here = here.setdefault(key, {})
    here[path[-1]] = value
    return data


class TestMisspelledFields:
    """A key no model defines is named with the field it most likely misspells."""

    def test_birthdate(self) -> None:
        data = changed(("patient", "birthdate"), "1970-01-01")
        del data["patient"]["birth_date"]
        assert refused(data) == [
            "extra fields found (birthdate); did you mean 'birth_date'? @ $.patient"
        ]

    def test_several_at_once(self) -> None:
        data = changed(("medication", "doze"), {"value": "1", "unit": "mg"})
        data["medication"]["frequncy"] = data["medication"].pop("frequency")
        assert refused(data) == [
            "extra fields found (doze, frequncy); did you mean 'dose' for 'doze', "
            "'frequency' for 'frequncy'? @ $.medication"
        ]

    def test_nothing_close_is_not_guessed(self) -> None:
        assert refused(changed(("surprise",), 1)) == ["extra fields found (surprise) @ $"]
        assert refused(changed(("dosage",), "high")) == ["extra fields found (dosage) @ $"]

    def test_answers(self) -> None:
        assert refused(changed(("answers", "proleukin", "melanoma_metastatc"), True))[0].startswith(
            "not a question of this policy; did you mean 'melanoma_metastatic'? Its questions: "
            "(melanoma_metastatic, "
        )

    def test_a_listed_answers_field(self) -> None:
        with pytest.raises(InputError) as info:
            admit(ASKING, answered(sites=[{"where": "skin", "sene": "2025-01-01"}]))
        assert [str(e) for e in info.value.errors] == [
            f"extra field found (did you mean 'seen'?) @ {BASE}.sites[0].sene",
            f"required field missing @ {BASE}.sites[0].seen",
        ]
        lesion = {"site": "nodal", "status": "metastatic", "sizes": "2"}
        data = changed(("answers", "proleukin", "lesions"), [lesion])
        assert refused(data) == ["extra field found @ $.answers.proleukin.lesions[0].sizes"]


class TestMisspelledValues:
    """An enum or choice value that is not one gets the closest, then every allowed value."""

    @pytest.mark.parametrize(
        ("path", "value", "message"),
        [
            (
                ("patient", "sex"),
                "femal",
                "unknown value 'femal' (did you mean 'female'?); expected one of male, female, "
                "other, unknown @ $.patient.sex",
            ),
            (
                ("kind",),
                "Initial",
                "unknown value 'Initial' (did you mean 'initial'?); expected one of initial, "
                "continuation @ $.kind",
            ),
        ],
    )
    def test_enums(self, path: tuple[str, ...], value: str, message: str) -> None:
        assert refused(changed(path, value)) == [message]

    def test_a_therapy_outcome(self) -> None:
        data = changed(("therapies", "prior"), [{"name": "x", "outcome": "failed"}])
        assert refused(data) == [
            "unknown value 'failed' (did you mean 'failure'?); expected one of failure, "
            "intolerance, contraindication, response @ $.therapies.prior[0].outcome"
        ]

    def test_a_choice(self) -> None:
        with pytest.raises(InputError) as info:
            admit(ASKING, answered(stage="iii"))
        assert str(info.value) == (
            f"unknown value 'iii' (did you mean 'III'?); expected one of III, IV @ {BASE}.stage"
        )


class TestUnits:
    """An unknown unit suggests the UCUM code meant, among only the units its field takes."""

    @pytest.mark.parametrize(
        ("field", "given", "meant"),
        [
            ("medication.dose", "IU", "[iU]"),
            ("medication.dose", "[IU]", "[iU]"),
            ("medication.dose", "IU/kg", "[iU]/kg"),
            ("medication.dose", "MIU/m2", "10*6.[iU]/m2"),
            ("medication.dose", "mcg/kg", "ug/kg"),
            ("medication.dose", "mg/m^2", "mg/m2"),
            ("medication.dose", "mg / kg", "mg/kg"),
            ("medication.dose", "10*6.[IU]/{Lesion}", "10*6.[iU]/{lesion}"),
            ("patient.weight", "lb", "[lb_av]"),
            ("patient.weight", "lbs", "[lb_av]"),
            ("patient.weight", "KG", "kg"),
            ("patient.height", "inches", "[in_i]"),
            ("patient.bsa", "m²", "m2"),
            ("medication.frequency", "/day", "/d"),
            ("medication.frequency", "/(4 weeks)", "/(4.wk)"),
            ("medication.schedule.rest_before_course", "weeks", "wk"),
            ("therapies.time_on_drug", "months", "mo"),
        ],
    )
    def test_did_you_mean(self, field: str, given: str, meant: str) -> None:
        path = ("medication", "dose") if field == "medication.dose" else tuple(field.split("."))
        data = changed((*path, "unit"), given)
        (message,) = [m for m in refused(data) if m.endswith(f"@ $.{field}.unit")]
        takes = QUANTITIES[field].takes()
        assert (
            message == f"unknown unit {given!r} (did you mean {meant!r}?); {takes} @ $.{field}.unit"
        )

    def test_only_the_units_the_field_takes(self) -> None:
        (message,) = refused(changed(("patient", "weight", "unit"), "stone"))
        assert message == (
            "unknown unit 'stone'; patient.weight takes kg, g, mg, ug, [lb_av] "
            "@ $.patient.weight.unit"
        )
        for other in ("[iU]", "cm", "wk", "/d", "m2"):
            assert other not in message

    def test_no_suggestion_of_a_unit_the_field_does_not_take(self) -> None:
        (message,) = refused(changed(("patient", "height", "unit"), "lbs"))
        assert message == (
            "unknown unit 'lbs'; patient.height takes cm, m, [in_i] @ $.patient.height.unit"
        )

    def test_a_unit_of_the_wrong_kind(self) -> None:
        (message,) = refused(changed(("patient", "weight", "unit"), "a"))
        assert message == (
            "unit 'a' measures time; patient.weight takes kg, g, mg, ug, [lb_av] "
            "@ $.patient.weight.unit"
        )

    def test_a_therapy_duration(self) -> None:
        therapy = {"name": "x", "duration": {"value": "3", "unit": "months"}}
        data = changed(("therapies", "concomitant"), [therapy])
        assert refused(data) == [
            "unknown unit 'months' (did you mean 'mo'?); therapies.concomitant.duration takes "
            "h, d, wk, mo, a @ $.therapies.concomitant[0].duration.unit"
        ]

    def test_outside_the_request_every_unit_read_is_listed(self) -> None:
        with pytest.raises(InputError) as info:
            structure({"value": "1", "unit": "IU"}, Quantity)
        (error,) = info.value.errors
        assert (error.path, error.reason) == (
            "$.unit",
            "unknown unit 'IU' (did you mean '[iU]'?); umpolicy reads the UCUM codes "
            + ", ".join(ATOMS)
            + ", counts such as {dose}, rates such as /d or /(4.wk), and amounts per kg, m2 "
            "or {count}",
        )

    def test_an_answer_with_units(self) -> None:
        with pytest.raises(InputError) as info:
            admit(ASKING, answered(score={"value": "1", "unit": "MG"}))
        assert str(info.value) == (
            f"unknown unit 'MG' (did you mean 'mg'?); this answer takes mg, g @ {BASE}.score"
        )
        with pytest.raises(InputError) as info:
            admit(ASKING, answered(score={"value": "1", "unit": "grams"}))
        assert str(info.value).startswith("unknown unit 'grams' (did you mean 'g'?);")
        with pytest.raises(InputError) as info:
            admit(ASKING, answered(score={"value": "1", "unit": "stone"}))
        assert str(info.value).startswith("unknown unit 'stone'; this answer takes mg, g")
        with pytest.raises(InputError) as info:
            admit(ASKING, answered(anything={"value": "1", "unit": "IU"}))
        assert str(info.value).startswith(
            "unknown unit 'IU' (did you mean '[iU]'?); umpolicy reads the UCUM codes [iU], "
        )

    def test_every_alias_respells_to_a_unit_read(self) -> None:
        for alias, code in ALIASES.items():
            assert unit(code).code == code, alias
            assert suggestion(alias) == code, alias

    @given(st.sampled_from(READ))
    def test_a_unit_read_needs_no_suggestion(self, code: str) -> None:
        assert suggestion(code) is None

    @pytest.mark.parametrize(
        "code", [7, None, "k" * 41, "/", "mg/", "x/y", "stone", "(4.fortnight)"]
    )
    def test_nothing_to_suggest(self, code: object) -> None:
        assert suggestion(code) is None

    def test_paths(self) -> None:
        assert (
            accepts_at("$.therapies.prior[12].duration.unit")
            is QUANTITIES["therapies.prior.duration"]
        )
        assert accepts_at("$.medication.dose.unit") is QUANTITIES["medication.dose"]
        assert accepts_at("$.indications[0].dosing.limits[0].unit") is None


class TestFloats:
    """A binary float is refused with how to read JSON numbers exactly instead."""

    def test_parsed_data(self) -> None:
        data = changed(("patient", "weight"), {"value": 80.5, "unit": "kg"})
        with pytest.raises(InputError) as info:
            evaluate(data)
        assert [str(e) for e in info.value.errors] == [f"{FLOAT_REFUSED} @ $.patient.weight.value"]
        assert "json.loads(text, parse_float=decimal.Decimal)" in FLOAT_REFUSED
        assert "umpolicy.api.evaluate" in FLOAT_REFUSED

    def test_an_answer(self) -> None:
        with pytest.raises(InputError) as info:
            admit(ASKING, answered(score={"value": 1.5, "unit": "mg"}))
        assert str(info.value) == f"{FLOAT_REFUSED} @ {BASE}.score"

    def test_the_same_json_text_is_read_exactly(self) -> None:
        data = changed(("patient", "weight"), {"value": 80.5, "unit": "kg"})
        assert evaluate(json.dumps(data)).outcome.value == "approve"


class TestBounded:
    """Suggestions keep messages and their cost bounded."""

    def test_a_long_key_gets_no_suggestion(self) -> None:
        (message,) = refused(changed(("patient", "birth_date" + "x" * 5000), 1))
        assert "did you mean" not in message
        assert len(message) <= 2 * LONGEST + 4

    def test_many_unknown_keys(self) -> None:
        data = changed(("patient",), {**GOOD["patient"], **{f"weigh{n}": 1 for n in range(200)}})
        (message,) = refused(data)
        reason = message.rpartition(" @ ")[0]
        assert len(reason) <= LONGEST

    def test_many_errors(self) -> None:
        items = [{"name": "x", "duration": {"value": "1", "unit": "IU"}} for _ in range(100)]
        data = changed(("therapies", "prior"), items)
        data["therapies"]["concomitant"] = items
        with pytest.raises(InputError) as info:
            evaluate(json.dumps(data))
        assert len(info.value.errors) == MAX_ERRORS + 1

    @given(st.text(max_size=60), st.lists(st.text(max_size=20), max_size=20))
    def test_a_suggestion_is_a_choice(self, given_text: str, choices: list[str]) -> None:
        found = closest(given_text, choices)
        assert found is None or (found in choices and found != given_text)
        assert (did_you_mean(given_text, choices) == "") == (found is None)


class _Unprintable:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


class TestShown:
    """A value an error quotes is shown briefly, and showing it never raises."""

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("C43.9", "'C43.9'"),
            ("x" * 5000, "'" + "x" * (SHOWN - 2) + "…"),
            (10**4000, "1" + "0" * (SHOWN - 2) + "…"),  # within Python's limit: written, cut
            (10**5000, "an integer of more than 4300 digits"),
            (-(10**5000), "an integer of more than 4300 digits"),
            (_Unprintable(), "an unprintable _Unprintable"),
        ],
        ids=["text", "long text", "4001 digits", "5001 digits", "-5001 digits", "no repr"],
    )
    def test_shown(self, value: object, expected: str) -> None:
        assert shown(value) == expected
