"""Hostile input yields only InputError, each error naming a path and a reason."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import replace
from umpolicy import (
    Coding,
    Decision,
    FieldError,
    History,
    InputError,
    Medication,
    Outcome,
    Patient,
    Practitioner,
    Quantity,
    Request,
    Schedule,
    Therapies,
    Therapy,
    Unit,
    decide,
    policy_names,
)
from umpolicy.api import evaluate, parse_request, to_json
from umpolicy.io import validation
from umpolicy.io.converter import FLOAT_REFUSED, structure
from umpolicy.io.validation import admit, problems, validate
from umpolicy_policies.proleukin import POLICY

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "proleukin").glob("*.json"))
BASE: dict[str, Any] = json.loads(
    (Path(__file__).parent.parent / "examples" / "proleukin" / "rcc-approve.json").read_text()
)

Json = None | bool | int | float | str | list[Any] | dict[str, Any]
JSON_VALUES: st.SearchStrategy[Json] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["kg", "mg", "2026-01-01", "oncology", "-1", "NaN", "1e99", "0"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def errors_of(data: object) -> list[str]:
    with pytest.raises(InputError) as info:
        evaluate(data if isinstance(data, str) else json.dumps(data))
    return [str(error) for error in info.value.errors]


def mutated(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    change(data)
    return data


def _set(path: tuple[str, ...], value: object) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value

    return change


#: What each quantity takes, as its unit errors say: only the units of its own kind.
WEIGHT = "patient.weight takes kg, g, mg, ug, [lb_av]"
FREQUENCY = (
    "medication.frequency takes /h, /d, /wk, /mo, /a, or once every N periods such as /(4.wk)"
)
DOSE = (
    "medication.dose takes [iU], 10*6.[iU], kg, g, mg, ug, [lb_av], [iU]/kg, 10*6.[iU]/kg, "
    "mg/kg, ug/kg, g/kg, [iU]/m2, 10*6.[iU]/m2, mg/m2, ug/m2, g/m2, or an amount per a "
    "counted unit such as 10*6.[iU]/{site}"
)
QUESTIONS = (
    "melanoma_metastatic, melanoma_unresectable, renal_cell_carcinoma_metastatic, lesions, "
    "steroid_refractory"
)
LESION = ("answers", "proleukin", "lesions")


class TestExactMessages:
    """The main mistakes each get one exact message at the field's path."""

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda d: d.pop("date"), "required field missing @ $.date"),
            (
                _set(("date",), 20260302),
                "expected a date as text YYYY-MM-DD, got 20260302 @ $.date",
            ),
            (_set(("date",), "2026-02-30"), "'2026-02-30' is not a calendar date @ $.date"),
            (
                _set(("date",), "2/3/2026"),
                "expected a date as text YYYY-MM-DD, got '2/3/2026' @ $.date",
            ),
            (_set(("date",), "9001-01-01"), "9001-01-01 is not a plausible request date @ $.date"),
            (_set(("surprise",), 1), "extra fields found (surprise) @ $"),
            (
                _set(("kind",), "renewal"),
                "unknown value 'renewal'; expected one of initial, continuation @ $.kind",
            ),
            (
                _set(("patient", "sex"), "f"),
                "unknown value 'f'; expected one of male, female, other, unknown @ $.patient.sex",
            ),
            (
                _set(("patient", "weight", "unit"), "cm"),
                f"unit 'cm' measures length; {WEIGHT} @ $.patient.weight.unit",
            ),
            (
                _set(("patient", "weight", "unit"), "mg"),
                "81 mg is not a plausible weight (0.2 to 700 kg) @ $.patient.weight.value",
            ),
            (
                _set(("patient", "weight", "unit"), "stone"),
                f"unknown unit 'stone'; {WEIGHT} @ $.patient.weight.unit",
            ),
            (
                _set(("medication", "frequency", "unit"), "/(0.wk)"),
                f"unknown unit '/(0.wk)'; {FREQUENCY} @ $.medication.frequency.unit",
            ),
            (
                _set(("medication", "dose", "unit"), "d"),
                f"unit 'd' measures time; {DOSE} @ $.medication.dose.unit",
            ),
            (
                _set(("medication", "frequency", "unit"), "d"),
                f"unit 'd' measures time; {FREQUENCY} @ $.medication.frequency.unit",
            ),
            (
                _set(("patient", "weight", "value"), "-80"),
                "must be more than zero, got -80 @ $.patient.weight.value",
            ),
            (
                _set(("patient", "weight", "value"), "0"),
                "must be more than zero, got 0 @ $.patient.weight.value",
            ),
            (
                _set(("medication", "schedule", "rest_before_course", "value"), "-1"),
                "must be zero or more, got -1 @ $.medication.schedule.rest_before_course.value",
            ),
            (
                _set(("patient", "weight", "value"), "NaN"),
                "'NaN' is not a finite number @ $.patient.weight.value",
            ),
            (
                _set(("patient", "weight", "value"), "Infinity"),
                "'Infinity' is not a finite number @ $.patient.weight.value",
            ),
            (
                _set(("medication", "dose", "value"), "1e13"),
                "1E+13 is out of range (1e-12 to 1e12) @ $.medication.dose.value",
            ),
            (
                _set(("medication", "dose", "value"), "1e-13"),
                "1E-13 is out of range (1e-12 to 1e12) @ $.medication.dose.value",
            ),
            (
                _set(("medication", "dose", "value"), "1." + "1" * 30),
                "more than 30 significant digits @ $.medication.dose.value",
            ),
            (
                _set(("patient", "weight", "value"), True),
                'a bool is not a decimal number; give decimal text such as "70.5" '
                "@ $.patient.weight.value",
            ),
            (
                _set(("patient", "birth_date"), "2027-01-01"),
                "birth date 2027-01-01 is after the request date 2026-03-02 @ $.patient.birth_date",
            ),
            (
                _set(("patient", "birth_date"), "1899-01-01"),
                "birth date 1899-01-01 is before 1900-01-01, the earliest accepted "
                "@ $.patient.birth_date",
            ),
            (
                _set(("medication", "schedule", "doses_per_cycle"), True),
                "expected an integer, got a boolean @ $.medication.schedule.doses_per_cycle",
            ),
            (
                _set(("medication", "schedule", "doses_per_cycle"), "14"),
                "expected an integer, got a string @ $.medication.schedule.doses_per_cycle",
            ),
            (
                _set(("medication", "schedule", "doses_per_cycle"), 0),
                "must be a whole number from 1 to 1000000, got 0 "
                "@ $.medication.schedule.doses_per_cycle",
            ),
            (
                _set(("therapies", "concomitant"), "none"),
                "expected a list, got a string @ $.therapies.concomitant",
            ),
            (_set(("patient",), "adult"), "expected an object @ $.patient"),
            (
                _set(("therapies", "prior"), [{"name": "ok"}, {"name": " "}]),
                "must name the therapy (a letter or digit) @ $.therapies.prior[1].name",
            ),
            (
                _set(("therapies", "prior"), ["pembrolizumab"]),
                "expected an object @ $.therapies.prior[0]",
            ),
            (
                _set(("therapies", "prior"), [{"name": "a", "outcome": "cured"}]),
                "unknown value 'cured'; expected one of failure, intolerance, contraindication, "
                "response @ $.therapies.prior[0].outcome",
            ),
            (
                _set(
                    ("therapies", "prior"),
                    [{"name": "a", "duration": {"value": "3", "unit": "kg"}}],
                ),
                "unit 'kg' measures mass; therapies.prior.duration takes h, d, wk, mo, a "
                "@ $.therapies.prior[0].duration.unit",
            ),
            (
                _set(("therapies", "time_on_drug"), {"value": "-3", "unit": "mo"}),
                "must be zero or more, got -3 @ $.therapies.time_on_drug.value",
            ),
            (
                _set(("diagnoses",), [{"code": " "}]),
                "' ' is not an ICD-10-CM code (such as C43.9) @ $.diagnoses[0].code",
            ),
            (_set(("diagnoses",), "C43.9"), "expected a list, got a string @ $.diagnoses"),
            (
                _set(("medication", "route"), "intravenous"),
                "expected an object @ $.medication.route",
            ),
            (
                _set(("prescriber", "specialties"), "207RX0202X"),
                "expected a list, got a string @ $.prescriber.specialties",
            ),
            (
                _set(("consultants",), [{"specialty": "oncology"}]),
                "extra fields found (specialty); did you mean 'specialties'? @ $.consultants[0]",
            ),
            (
                _set(("answers", "proleukin", "melanoma_metastatic"), "yes"),
                "expected a boolean, got str @ $.answers.proleukin.melanoma_metastatic",
            ),
            (
                _set(("answers", "proleukin", "metastatic"), True),
                "not a question of this policy; did you mean 'melanoma_metastatic' or "
                "'renal_cell_carcinoma_metastatic'? Its questions: "
                f"({QUESTIONS}) @ $.answers.proleukin.metastatic",
            ),
            (
                _set(("answers", "proleukin", "melanoma_metastatc"), True),
                "not a question of this policy; did you mean 'melanoma_metastatic'? Its "
                f"questions: ({QUESTIONS}) @ $.answers.proleukin.melanoma_metastatc",
            ),
            (
                _set(("answers", "proleukin", "lesions.site"), True),  # quoted: no such path
                "not a question of this policy; did you mean 'lesions'? Its questions: "
                f"({QUESTIONS}) @ $.answers.proleukin['lesions.site']",
            ),
            (_set(LESION, "nodal"), "expected a list @ $.answers.proleukin.lesions"),
            (_set(LESION, ["nodal"]), "expected an object @ $.answers.proleukin.lesions[0]"),
            (
                _set(LESION, [{"site": "nodal"}]),
                "required field missing @ $.answers.proleukin.lesions[0].status",
            ),
            (
                _set(LESION, [{"site": "nodal", "status": "metastatic", "size": "2 cm"}]),
                "extra field found @ $.answers.proleukin.lesions[0].size",
            ),
            (
                _set(LESION, [{"site": "liver", "status": "metastatic"}]),
                "unknown value 'liver'; expected one of cutaneous, subcutaneous, nodal, visceral, "
                "other @ $.answers.proleukin.lesions[0].site",
            ),
            (_set(("answers",), []), "expected an object, got a list @ $.answers"),
            (
                _set(("answers", "proleukin"), "yes"),
                "expected an object, got a string @ $.answers.proleukin",
            ),
            (_set(("policy",), 7), "expected a string, got an integer @ $.policy"),
            (
                lambda d: d.pop("policy"),
                "required field missing (or name a policy) @ $.policy",
            ),
        ],
    )
    def test_message(self, change: Callable[[dict[str, Any]], None], message: str) -> None:
        assert errors_of(mutated(change)) == [message]

    def test_every_problem_is_reported_at_once(self) -> None:
        data = mutated(_set(("patient", "weight", "value"), "-1"))
        data["medication"]["schedule"]["doses_per_cycle"] = 0
        data["patient"]["birth_date"] = "2030-01-01"
        assert errors_of(data) == [
            "birth date 2030-01-01 is after the request date 2026-03-02 @ $.patient.birth_date",
            "must be more than zero, got -1 @ $.patient.weight.value",
            "must be a whole number from 1 to 1000000, got 0 "
            "@ $.medication.schedule.doses_per_cycle",
        ]

    def test_admit_reports_the_request_and_its_answers_at_once(self) -> None:
        data = mutated(_set(("patient", "weight", "value"), "-1"))
        data["answers"]["proleukin"].update(steroid_refractory="no", lesions=[{"site": "x"}])
        request = structure(data, Request)
        with pytest.raises(InputError) as info:
            admit(POLICY, request)
        assert [str(e) for e in info.value.errors] == [
            "must be more than zero, got -1 @ $.patient.weight.value",
            "expected a boolean, got str @ $.answers.proleukin.steroid_refractory",
            "unknown value 'x'; expected one of cutaneous, subcutaneous, nodal, visceral, other "
            "@ $.answers.proleukin.lesions[0].site",
            "required field missing @ $.answers.proleukin.lesions[0].status",
        ]

    def test_unknown_policy(self) -> None:
        installed = ", ".join(policy_names())
        assert errors_of(mutated(_set(("policy",), "nope"))) == [
            f"no policy named 'nope' is installed (installed: {installed}) @ $.policy"
        ]

    def test_answers_for_another_policy_are_left_alone(self) -> None:
        data = mutated(_set(("answers", "another"), {"anything": [1, "x"]}))
        assert evaluate(json.dumps(data)).outcome.value == "approve"

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("[]", "expected a JSON object @ $"),
            ("null", "expected a JSON object @ $"),
            ('"x"', "expected a JSON object @ $"),
            (
                "{",
                "malformed JSON: Expecting property name enclosed in double quotes: "
                "line 1 column 2 (char 1) @ $",
            ),
        ],
    )
    def test_not_an_object(self, text: str, message: str) -> None:
        assert errors_of(text) == [message]

    def test_python_float_refused(self) -> None:
        data = mutated(_set(("patient", "weight", "value"), 80.5))
        with pytest.raises(InputError) as info:
            evaluate(data)
        assert [str(e) for e in info.value.errors] == [f"{FLOAT_REFUSED} @ $.patient.weight.value"]

    def test_json_number_is_exact_decimal(self) -> None:
        decision = evaluate(json.dumps(mutated(_set(("patient", "weight", "value"), 80.5))))
        assert decision.outcome.value == "approve"
        text = json.dumps(BASE).replace('"81"', "81.5")
        assert evaluate(text).request_fingerprint != evaluate(json.dumps(BASE)).request_fingerprint

    @pytest.mark.parametrize(
        "value",
        ["80 kg", [80], 80],
    )
    def test_wrong_shape_for_a_quantity(self, value: object) -> None:
        (message,) = errors_of(mutated(_set(("patient", "weight"), value)))
        assert message.endswith("@ $.patient.weight")


def _paths(data: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found: list[tuple[str | int, ...]] = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def _replace(data: Any, path: tuple[str | int, ...], value: Json) -> Any:
    if not path:
        return value
    data = copy.deepcopy(data)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@st.composite
def hostile(draw: st.DrawFn) -> Any:
    """A valid example with one to three arbitrary paths set to arbitrary JSON values."""
    data = json.loads(draw(st.sampled_from(EXAMPLES)).read_text())
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)))
        rename = draw(st.booleans())
        if path and rename and isinstance(path[-1], str):
            path = (*path[:-1], draw(st.sampled_from(["value", "unit", "x", path[-1]])))
        data = _replace(data, path, draw(JSON_VALUES))
    return data


_QUANTITY_FIELDS = (
    "patient.weight",
    "patient.height",
    "patient.bsa",
    "medication.dose",
    "medication.frequency",
    "medication.schedule.rest_between_cycles",
    "medication.schedule.rest_before_course",
    "therapies.time_on_drug",
)
_NEAR_LIMITS = st.sampled_from(
    [
        "0",
        "-0",
        "-1",
        "0.05",
        "0.049",
        "0.2",
        "0.19",
        "5",
        "5.01",
        "20",
        "19.9",
        "280",
        "281",
        "700",
        "701",
        "1e-12",
        "1e-13",
        "999999999999",
        "1e13",
        "1." + "1" * 29,
        "1." + "1" * 30,
        "70",
        "185",
        "1.9",
        "600000",
    ]
)
_UNIT_CODES = st.sampled_from(
    [
        "kg",
        "g",
        "[lb_av]",
        "cm",
        "m",
        "[in_i]",
        "m2",
        "[iU]/kg",
        "mg/kg",
        "/d",
        "/wk",
        "/(2.wk)",
        "d",
        "wk",
        "mo",
        "{dose}",
        "[iU]/{lesion}",
    ]
)


@st.composite
def nearly_valid(draw: st.DrawFn) -> Request:
    """A valid example with a few fields moved near, onto or past a limit."""
    request = parse_request(draw(st.sampled_from(EXAMPLES)).read_text())
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["quantity", "count", "date", "names", "codes"]))
        if kind == "quantity":
            value: object = Quantity(draw(_NEAR_LIMITS), draw(_UNIT_CODES))
            path = draw(st.sampled_from(_QUANTITY_FIELDS))
        elif kind == "count":
            value = draw(st.sampled_from([0, 1, 10**6, 10**6 + 1, -1, None]))
            path = draw(
                st.sampled_from(
                    [
                        "medication.schedule.doses_per_cycle",
                        "medication.schedule.cycles_per_course",
                        "medication.schedule.course_number",
                    ]
                )
            )
        elif kind == "date":
            value = draw(st.dates(dt.date(1899, 12, 25), dt.date(9000, 1, 5)))
            path = draw(st.sampled_from(["date", "patient.birth_date"]))
        elif kind == "names":
            names = draw(st.lists(st.sampled_from(["x", " ", "", "\t"]), max_size=3))
            value = tuple(Therapy(name, ("L01FF02",)) for name in names)
            path = draw(st.sampled_from(["therapies.prior", "therapies.concomitant"]))
        else:
            codes = draw(st.lists(st.sampled_from(["C43.9", " ", "", "D89.811"]), max_size=3))
            value = tuple(Coding(code) for code in codes)
            path = "diagnoses"
        request = replace(request, path, value)
    return request


def _agree(request: Request) -> None:
    """validate, admit and decide agree with problems(): refused exactly when it names one.

    Past validate, the policy refuses only answers to its questions and a drug not its own.
    """
    found = problems(request)
    if found:
        with pytest.raises(InputError) as refused:
            validate(request)
        assert list(refused.value.errors) == found
        with pytest.raises(InputError) as undecided:
            decide(POLICY, request, trail=False)
        assert list(undecided.value.errors[: len(found)]) == found
    else:
        assert validate(request) is request
        try:
            decision = decide(POLICY, request, trail=False)
        except InputError as error:  # only the answers and the drug can still be at fault
            paths = [each.path for each in error.errors]
        else:
            paths = []
            assert isinstance(decision, Decision)
        assert all(path.startswith(("$.answers.", "$.medication.")) for path in paths)


def outcome(data: object) -> Decision | InputError:
    """The decision, or the InputError raised instead (any other exception propagates)."""
    try:
        return evaluate(data)  # type: ignore[arg-type]
    except InputError as error:
        return error


def assert_well_formed(result: Decision | InputError) -> None:
    if isinstance(result, InputError):
        assert result.errors
        for each in result.errors:
            assert each.path.startswith("$"), each
            assert each.reason.strip(), each
    else:
        assert isinstance(result, Decision)


class TestFuzz:
    """Any mutation of a valid request gives a decision or an InputError, nothing else."""

    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(hostile())
    def test_only_decision_or_input_error(self, data: Any) -> None:
        assert_well_formed(outcome(json.dumps(data)))

    @settings(max_examples=100, deadline=None)
    @given(hostile())
    def test_python_mappings_too(self, data: Any) -> None:
        assert_well_formed(outcome(data))

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(hostile())
    def test_validate_refuses_exactly_what_names_a_problem(self, data: Any) -> None:
        """Validate and decide refuse exactly the requests with a named problem."""
        try:
            request = structure(data, Request)
        except InputError:
            return
        _agree(request)

    @settings(max_examples=300, deadline=None)
    @given(nearly_valid())
    def test_values_near_every_limit(self, request: Request) -> None:
        _agree(request)

    @settings(max_examples=100, deadline=None)
    @given(st.binary(max_size=40) | st.text(max_size=40))
    def test_arbitrary_text(self, text: bytes | str) -> None:
        assert isinstance(outcome(text), InputError)


class TestImplausibleBodySizes:
    """A weight, height or BSA no patient has is an input error, never a smaller dose per kg."""

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            (
                "weight",
                {"value": "70000", "unit": "kg"},
                "70000 kg is not a plausible weight (0.2 to 700 kg) @ $.patient.weight.value",
            ),
            (
                "weight",
                {"value": "0.1", "unit": "kg"},
                "0.1 kg is not a plausible weight (0.2 to 700 kg) @ $.patient.weight.value",
            ),
            (
                "height",
                {"value": "3", "unit": "m"},
                "3 m is not a plausible height (20 to 280 cm) @ $.patient.height.value",
            ),
            (
                "bsa",
                {"value": "185", "unit": "m2"},
                "185 m2 is not a plausible bsa (0.05 to 5 m2) @ $.patient.bsa.value",
            ),
        ],
    )
    def test_refused(self, field: str, value: dict[str, str], message: str) -> None:
        assert errors_of(mutated(_set(("patient", field), value))) == [message]

    @pytest.mark.parametrize(
        "value",
        [
            {"value": "0.2", "unit": "kg"},
            {"value": "700", "unit": "kg"},
            {"value": "200", "unit": "g"},
        ],
    )
    def test_limits_are_inclusive(self, value: dict[str, str]) -> None:
        assert isinstance(
            evaluate(json.dumps(mutated(_set(("patient", "weight"), value)))), Decision
        )


def _body(
    weight: str | None,
    height: str | None,
    bsa: str | None = None,
    units: tuple[str, str] = ("kg", "cm"),
) -> dict[str, Any]:
    """The base request with only these measures (``None``: left out), in these units."""
    given = {"weight": weight, "height": height, "bsa": bsa}
    kinds = {"weight": units[0], "height": units[1], "bsa": "m2"}

    def change(data: dict[str, Any]) -> None:
        for name, value in given.items():
            data["patient"].pop(name, None)
            if value is not None:
                data["patient"][name] = {"value": value, "unit": kinds[name]}

    return mutated(change)


def _decided(data: dict[str, Any]) -> bool:
    return isinstance(evaluate(json.dumps(data)), Decision)


class TestMeasuresOfOneBody:
    """A weight, height and BSA each plausible but of no one body are an input error."""

    @pytest.mark.parametrize(
        ("weight", "height", "message"),
        [
            (
                "700",
                "20",
                "700 kg at a height of 20 cm is a body mass index over 250 kg/m2, no body's: "
                "a weight or a height is mistyped @ $.patient.weight",
            ),
            (
                "70",
                "50",
                "70 kg at a height of 50 cm is a body mass index over 250 kg/m2, no body's: "
                "a weight or a height is mistyped @ $.patient.weight",
            ),
            (
                "0.5",
                "280",
                "0.5 kg at a height of 280 cm is a body mass index under 2 kg/m2, no body's: "
                "a weight or a height is mistyped @ $.patient.weight",
            ),
            ("250.001", "100", "over 250 kg/m2"),
            ("1.999", "100", "under 2 kg/m2"),
        ],
    )
    def test_body_mass_index_refused(self, weight: str, height: str, message: str) -> None:
        (error,) = errors_of(_body(weight, height))
        assert message in error

    @pytest.mark.parametrize(
        ("weight", "height"),
        [("250", "100"), ("2", "100"), ("0.4", "30"), ("635", "185"), ("0.2", "20")],
    )
    def test_body_mass_index_inclusive(self, weight: str, height: str) -> None:
        """The bounds themselves, a micro-preemie, the heaviest man recorded: decided."""
        assert _decided(_body(weight, height))

    @pytest.mark.parametrize(
        ("weight", "height", "decided"),
        [
            # 154 lb at 65 in: 69.85 kg at 165.1 cm, an index of 25.6.
            ("154", "65", True),
            ("1540", "65", False),  # 256.3
            # 100 lb at 8 in (20.32 cm): 45.36 kg, an index of 1098.6.
            ("100", "8", False),
            # 0.5 lb at 110 in (279.4 cm): 0.23 kg, an index of 0.03.
            ("0.5", "110", False),
            # Where the conversion decides: read as kg, each would be on the other side.
            ("500", "55", True),  # 226.8 kg at 139.7 cm: 116.2 (as 500 kg: 256.2)
            ("20", "110", False),  # 9.07 kg at 279.4 cm: 1.16 (as 20 kg: 2.56)
        ],
    )
    def test_body_mass_index_in_pounds_and_inches(
        self, weight: str, height: str, decided: bool
    ) -> None:
        """Each measure in its own unit, converted exactly before the index is taken."""
        data = _body(weight, height, units=("[lb_av]", "[in_i]"))
        if decided:
            assert _decided(data)
        else:
            (error,) = errors_of(data)
            assert error.endswith("a weight or a height is mistyped @ $.patient.weight")

    def test_bsa_far_above_height_and_weight(self) -> None:
        """5 m2 for 150 cm and 40 kg: a dose per m2 read from it would be four times too small."""
        assert errors_of(_body("40", "150", "5")) == [
            "5 m2 is more than 1.5 times the body surface area of a height of 150 cm and a "
            "weight of 40 kg (1.29 m2 by Mosteller's formula, so at most 1.93 m2): a measure "
            "is mistyped @ $.patient.bsa"
        ]

    @pytest.mark.parametrize(
        ("bsa", "decided"),
        # 200 cm and 162 kg: Mosteller's √(200 × 162 / 3600) = 3 m².
        [
            ("4.5", True),
            ("4.501", False),
            ("3", True),
            ("2", True),  # capped at 2 m2 for dosing
            ("1.5", True),
            ("1.499", False),  # a total dose (per m2 times it) would read as half
            ("0.05", False),
        ],
    )
    def test_bsa_within_half_again_and_half(self, bsa: str, decided: bool) -> None:
        """From half to 1.5 times Mosteller's, inclusive: a capped BSA is read, a typo not."""
        data = _body("162", "200", bsa)
        if decided:
            assert _decided(data)
        else:
            (error,) = errors_of(data)
            bound = "at most 4.5" if Decimal(bsa) > 3 else "at least 1.5"
            side = "more than 1.5 times" if Decimal(bsa) > 3 else "less than half"
            assert error == (
                f"{bsa} m2 is {side} the body surface area of a height of 200 cm and a weight "
                f"of 162 kg (3 m2 by Mosteller's formula, so {bound} m2): a measure is "
                "mistyped @ $.patient.bsa"
            )

    @pytest.mark.parametrize(
        ("weight", "height", "bsa"),
        [("250", "170", "1.77"), ("200", "180", "2")],  # from the ideal weight; capped
    )
    def test_a_bsa_for_dosing_below_the_bodys(self, weight: str, height: str, bsa: str) -> None:
        """A BSA from the ideal weight (Mosteller's 3.44 m2) or capped (3.16 m2) is read."""
        assert _decided(_body(weight, height, bsa))

    def test_the_lower_bound_shown_is_never_below_the_true_one(self) -> None:
        """Half of Mosteller's is 0.6676… m2 here: 0.6675 is refused, the bound shows 0.67."""
        (error,) = errors_of(_body("40.113", "160", "0.6675"))
        assert "(1.34 m2 by Mosteller's formula, so at least 0.67 m2)" in error

    def test_the_bound_shown_is_never_above_the_true_one(self) -> None:
        """1.5 × Mosteller's is 2.0049… m2 here: 2.01 is refused, and the bound shows 2."""
        (error,) = errors_of(_body("40.113", "160", "2.01"))
        assert "(1.34 m2 by Mosteller's formula, so at most 2 m2)" in error

    @pytest.mark.parametrize(
        ("weight", "height", "bsa", "found"),
        [
            # 3 kg: at most 122.47 cm tall (an index of 2), so Mosteller's at most 0.3195 m2.
            ("3", None, "0.47", "read"),
            ("3", None, "0.48", "over"),
            ("3", None, "5", "over"),
            # 80 kg: at most 280 cm, Mosteller's at most 2.494 m2, 1.5 times 3.741.
            ("80", None, "3.74", "read"),
            ("80", None, "3.75", "over"),
            # 40 cm: at most 40 kg (an index of 250), Mosteller's at most 2/3 m2.
            (None, "40", "1", "read"),
            (None, "40", "1.001", "over"),
            (None, "40", "5", "over"),
            # 180 cm: at most 700 kg, Mosteller's at most 5.92 m2: any plausible BSA.
            (None, "180", "5", "read"),
            # 80 kg: at least 56.57 cm tall (an index of 250), Mosteller's at least 1.1212.
            ("80", None, "0.57", "read"),
            ("80", None, "0.56", "under"),
            # 180 cm: at least 6.48 kg (an index of 2), Mosteller's at least 0.5692.
            (None, "180", "0.29", "read"),
            (None, "180", "0.28", "under"),
        ],
    )
    def test_bsa_with_one_measure(
        self, weight: str | None, height: str | None, bsa: str, found: str
    ) -> None:
        """Leaving a measure out is no way round: the BSA is compared with any body's."""
        data = _body(weight, height, bsa)
        if found == "read":
            assert _decided(data)
        else:
            (error,) = errors_of(data)
            side = "less than half" if found == "under" else "more than 1.5 times"
            assert error.startswith(f"{bsa} m2 is {side} the body surface area of any")
            assert error.endswith("(Mosteller's formula): a measure is mistyped @ $.patient.bsa")

    def test_a_measure_refused_alone_is_not_compared(self) -> None:
        """One problem, the implausible weight's: no second one from the BMI it gives."""
        assert errors_of(_body("7000", "170")) == [
            "7000 kg is not a plausible weight (0.2 to 700 kg) @ $.patient.weight.value"
        ]

    def test_another_problem_of_the_patient_hides_nothing(self) -> None:
        """A birth date after the request and a body of no one: both are said."""
        data = _body("700", "20")
        data["patient"]["birth_date"] = "2099-01-01"
        errors = errors_of(data)
        assert len(errors) == 2
        assert errors[-1].endswith("a weight or a height is mistyped @ $.patient.weight")


def _history(**therapies: object) -> Callable[[dict[str, Any]], None]:
    """A change to the base request's therapy history (the patient is 19477 days old)."""
    return _set(("therapies",), therapies)


def _days(value: str, unit: str = "d") -> dict[str, str]:
    return {"value": value, "unit": unit}


#: Methotrexate, recorded as contraindicated: never given.
NEVER = {"name": "methotrexate", "codes": ["L04AX03"], "outcome": "contraindication"}
#: What the base request's patient has lived, on its date, as an error about it says.
LIVED = "is longer than the patient has lived: 19477 d from the birth date to the request date"


_IN_PART = (
    "a history given in part lists the therapies known (leave a history with none known "
    "out: unknown)"
)
_ONDANSETRON = {"name": "ondansetron", "codes": ["A04AA01"]}


class TestAHistoryGivenInPart:
    """Each history said to be given in part is named once, and lists a therapy."""

    @pytest.mark.parametrize(
        ("change", "messages"),
        [
            (
                _history(concomitant=[], partial=["concomitant"]),
                [f"names 'concomitant', which lists none: {_IN_PART} @ $.therapies.partial[0]"],
            ),
            (
                _history(concomitant=[_ONDANSETRON], partial=["prior"]),
                [f"names 'prior', which is not given: {_IN_PART} @ $.therapies.partial[0]"],
            ),
            (
                _history(concomitant=[_ONDANSETRON], partial=["concomitant", "concomitant"]),
                ["names 'concomitant' twice @ $.therapies.partial[1]"],
            ),
            (
                _history(concomitant=[_ONDANSETRON], partial=["current"]),
                [
                    "unknown value 'current'; expected one of prior, concomitant "
                    "@ $.therapies.partial[0]"
                ],
            ),
            (
                _history(concomitant=[_ONDANSETRON], partial="concomitant"),
                ["expected a list, got a string @ $.therapies.partial"],
            ),
        ],
    )
    def test_refused(self, change: Callable[[dict[str, Any]], None], messages: list[str]) -> None:
        assert errors_of(mutated(change)) == messages

    def test_read(self) -> None:
        request = parse_request(
            json.dumps(mutated(_history(concomitant=[_ONDANSETRON], partial=["concomitant"])))
        )
        assert request.therapies.partial == (History.CONCOMITANT,)

    def test_named_in_any_order_it_is_one_request(self) -> None:
        both = {"prior": [_ONDANSETRON], "concomitant": [_ONDANSETRON]}
        requests = [
            parse_request(json.dumps(mutated(_history(**both, partial=order))))
            for order in (["concomitant", "prior"], ["prior", "concomitant"])
        ]
        assert requests[0] == requests[1]
        assert requests[0].therapies.partial == (History.PRIOR, History.CONCOMITANT)

    @pytest.mark.parametrize(
        ("partial", "message"),
        [
            (("concomitant",), "expected History, got str @ $.therapies.partial[0]"),
            ("concomitant", "expected a tuple, got str @ $.therapies.partial"),
        ],
    )
    def test_python_objects_of_another_type(self, partial: Any, message: str) -> None:
        """Built in Python, a history named by its word is refused, never passed over."""
        therapies = Therapies(concomitant=(Therapy("ondansetron", ("A04AA01",)),), partial=partial)
        request = Request(dt.date(2026, 3, 2), policy="proleukin", therapies=therapies)
        with pytest.raises(InputError) as caught:
            decide(POLICY, request)
        assert [str(error) for error in caught.value.errors] == [message]


class TestContradictoryHistory:
    """A therapy history at odds with itself or the patient's age is an input error."""

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (
                _history(time_on_drug=_days("70", "a")),
                f"70 a (25567.5 d) {LIVED} @ $.therapies.time_on_drug",
            ),
            (
                _history(prior=[{"name": "x", "duration": _days("54", "a")}]),
                f"54 a (19723.5 d) {LIVED} @ $.therapies.prior[0].duration",
            ),
            (
                _history(concomitant=[{"name": "x", "duration": _days("19478")}]),
                f"19478 d {LIVED} @ $.therapies.concomitant[0].duration",
            ),
            (
                _history(time_on_drug=_days("467449", "h")),  # an hour past the age
                f"467449 h {LIVED} @ $.therapies.time_on_drug",
            ),
            (
                _history(time_on_drug=_days("641", "mo")),
                f"641 mo (19510.4375 d) {LIVED} @ $.therapies.time_on_drug",
            ),
        ],
    )
    def test_longer_than_the_patient_has_lived(
        self, change: Callable[[dict[str, Any]], None], message: str
    ) -> None:
        assert errors_of(mutated(change)) == [message]

    @pytest.mark.parametrize(
        ("birth", "duration", "refused"),
        [
            ("2025-03-02", _days("12", "mo"), False),  # 365 calendar days: a year's life
            ("2025-03-02", _days("1", "a"), False),
            ("2024-03-02", _days("2", "a"), False),  # 730 days, not 730.5
            ("2024-03-02", _days("24", "mo"), False),
            ("2025-03-02", _days("13", "mo"), True),
            ("2024-03-02", _days("3", "a"), True),
            ("2025-03-02", _days("366"), True),  # days are exact: one day over
        ],
    )
    def test_months_and_years_as_the_calendar_counts_them(
        self, birth: str, duration: dict[str, str], refused: bool
    ) -> None:
        """12 months on the drug at a year old is a year; a thirteenth month is a typo."""
        data = mutated(_history(time_on_drug=duration))
        data["patient"]["birth_date"] = birth
        if refused:
            [error] = errors_of(data)
            assert error.endswith("@ $.therapies.time_on_drug")
        else:
            evaluate(json.dumps(data))  # decided: no input error

    @pytest.mark.parametrize("zero", [_days("0"), _days("0", "wk"), _days("0.000", "a")])
    def test_a_continuation_with_no_time_on_the_drug(self, zero: dict[str, str]) -> None:
        """A continuation is of a drug the patient is receiving (Currently Receiving)."""
        change = _history(time_on_drug=zero)
        data = mutated(change)
        data["kind"] = "continuation"
        shown = f"{Quantity(zero['value'], zero['unit'])}"
        assert errors_of(data) == [
            "a continuation request is for a drug the patient is receiving: the time on it "
            f"must be more than zero, got {shown} @ $.therapies.time_on_drug"
        ]

    @pytest.mark.parametrize("outcome", ["failure", "intolerance", "response", None])
    def test_a_therapy_tried_for_no_time(self, outcome: str | None) -> None:
        """Read as tried, it would count a trial that never happened; nor is it never given."""
        tried = {"name": "methotrexate", "codes": ["L04AX03"], "duration": _days("0")}
        if outcome is not None:
            tried["outcome"] = outcome
        said = outcome or "no outcome"
        assert errors_of(mutated(_history(prior=[tried]))) == [
            f"given for 0 d: a therapy tried ({said}) was given for more than zero time (one "
            "never given is a contraindication) @ $.therapies.prior[0].duration"
        ]

    @pytest.mark.parametrize("duration", [_days("90"), _days("0.5", "wk")])
    def test_a_contraindicated_therapy_given_alongside_for_a_time(
        self, duration: dict[str, str]
    ) -> None:
        """Not given, yet given for 90 days: read as not given, it would be "single agent"."""
        nivolumab = {"name": "nivolumab", "codes": ["L01FF01"], "outcome": "contraindication"}
        data = mutated(_history(concomitant=[{**nivolumab, "duration": duration}]))
        shown = f"{Quantity(duration['value'], duration['unit'])}"
        assert errors_of(data) == [
            f"given for {shown}, but contraindicated: a therapy to be given with the drug that "
            "is contraindicated is not given (leave its duration out, or give no outcome) "
            "@ $.therapies.concomitant[0].duration"
        ]

    def test_a_therapy_tried_then_contraindicated(self) -> None:
        """Given for 4 months, then contraindicated (liver toxicity): no trial, no error."""
        stopped = {"name": "leflunomide", "codes": ["L04AK01"], "outcome": "contraindication"}
        data = mutated(_history(prior=[{**stopped, "duration": _days("4", "mo")}]))
        evaluate(json.dumps(data))  # decided: no input error

    @pytest.mark.parametrize(
        ("given", "at"),
        [
            ({"name": "methotrexate", "codes": ["L04AX03"]}, 0),
            ({"name": "Methotrexate", "codes": ["L04AX03"], "outcome": "response"}, 0),
            ({"name": "MTX", "codes": ["L04AX03", "H02AB07"]}, 0),  # a code in common
            ({"name": " METHOTREXATE "}, 0),  # uncoded: by its name
            ({"name": "methotrexate", "codes": ["L01BA01"]}, 0),  # its other ATC code
            ({"name": "prednisone", "codes": ["H02AB07"]}, 1),
        ],
    )
    def test_a_contraindicated_therapy_given_with_the_drug(
        self, given: dict[str, Any], at: int
    ) -> None:
        """Read as given, it would meet "in combination with methotrexate"."""
        prednisone = {"name": "prednisone", "codes": ["H02AB07"], "outcome": "contraindication"}
        other = {"name": "naproxen", "codes": ["M01AE02"]}
        data = mutated(_history(prior=[NEVER, prednisone], concomitant=[other, given]))
        assert errors_of(data) == [
            f"{given['name']!r} is to be given with the drug, but $.therapies.prior[{at}] "
            "records it as contraindicated @ $.therapies.concomitant[1]"
        ]

    @pytest.mark.parametrize(
        "change",
        [
            _history(time_on_drug=_days("0")),  # an initial request: none yet
            _history(time_on_drug=_days("19477")),  # the whole of the patient's life
            _history(time_on_drug=_days("53", "a")),  # 19358.25 d
            _history(concomitant=[{"name": "methotrexate", "duration": _days("0")}]),
            _history(prior=[{**NEVER, "duration": _days("0")}]),  # never given: no time
            _history(prior=[NEVER], concomitant=[NEVER]),  # says the same twice
            _history(prior=[NEVER], concomitant=[{"name": "folic acid", "codes": ["B03BB01"]}]),
            _history(
                prior=[{**NEVER, "outcome": "failure", "duration": _days("3", "mo")}],
                concomitant=[{"name": "methotrexate", "codes": ["L04AX03"]}],
            ),
        ],
    )
    def test_a_consistent_history_is_decided(
        self, change: Callable[[dict[str, Any]], None]
    ) -> None:
        assert isinstance(evaluate(json.dumps(mutated(change))), Decision)

    def test_a_continuation_with_time_on_the_drug_is_decided(self) -> None:
        data = mutated(_history(time_on_drug=_days("1")))
        data["kind"] = "continuation"
        assert isinstance(evaluate(json.dumps(data)), Decision)

    @pytest.mark.parametrize(
        "patient",
        [
            {},  # no birth date: no age to compare with
            {"birth_date": "2027-01-01"},  # a birth date at fault: its own error says so
            {"birth_date": "1899-12-31"},
        ],
    )
    def test_no_age_no_comparison(self, patient: dict[str, Any]) -> None:
        data = mutated(_history(time_on_drug=_days("600", "a")))
        data["patient"] = patient
        found = problems(structure(data, Request), typed=True)
        assert not any("time_on_drug" in error.path for error in found)

    @settings(max_examples=200, deadline=None)
    @given(
        born=st.dates(dt.date(1900, 1, 1), dt.date(2026, 3, 2)),
        on=st.dates(dt.date(1900, 1, 2), dt.date(2100, 1, 1)),
        unit=st.sampled_from([("d", 1), ("h", 24)]),
        where=st.sampled_from(["time_on_drug", "prior", "concomitant"]),
    )
    def test_the_age_is_the_limit(
        self, born: dt.date, on: dt.date, unit: tuple[str, int], where: str
    ) -> None:
        """A duration as long as the patient's life is accepted; a day longer is not.

        From a day old: a therapy tried for no time is an error of its own.
        """
        born = min(born, on - dt.timedelta(days=1))
        code, per_day = unit
        lived = (on - born).days
        for days, refused in ((lived, False), (lived + 1, True)):
            duration = Quantity(str(days * per_day), code)
            listed = (Therapy("x", duration=duration),)
            therapies, path = {
                "time_on_drug": (Therapies(time_on_drug=duration), "$.therapies.time_on_drug"),
                "prior": (Therapies(prior=listed), "$.therapies.prior[0].duration"),
                "concomitant": (
                    Therapies(concomitant=listed),
                    "$.therapies.concomitant[0].duration",
                ),
            }[where]
            request = Request(on, patient=Patient(born), therapies=therapies)
            found = [error.path for error in problems(request)]
            assert found == ([path] if refused else [])


class TestPythonObjects:
    """A request built in Python is type-checked field by field, as JSON input is."""

    @pytest.fixture
    def request_(self) -> Request:
        return parse_request(json.dumps(BASE))

    def test_forged_unit(self, request_: Request) -> None:
        forged = Unit("[iU]/kg", "x", "iu/mass", Fraction(1, 10**9))
        dose = Quantity("6e11", forged)
        bad = attrs.evolve(request_, medication=attrs.evolve(request_.medication, dose=dose))
        with pytest.raises(InputError) as info:
            validate(bad)
        assert str(info.value) == "'[iU]/kg' is not a known unit @ $.medication.dose.unit"

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (
                {"therapies": Therapies(prior="x")},  # type: ignore[arg-type]
                "expected a tuple, got str @ $.therapies.prior",
            ),
            (
                {"therapies": Therapies(prior=(Therapy("a"), "b"))},  # type: ignore[arg-type]
                "expected Therapy, got str @ $.therapies.prior[1]",
            ),
            (
                {"therapies": Therapies(prior=(Therapy("a", ("L01", 1)),))},  # type: ignore[arg-type]
                "expected str, got int @ $.therapies.prior[0].codes[1]",
            ),
            (
                {"prescriber": Practitioner("207RX0202X")},  # type: ignore[arg-type]
                "expected a tuple, got str @ $.prescriber.specialties",
            ),
            ({"kind": "initial"}, "expected RequestKind, got str @ $.kind"),
            ({"patient": Coding("x")}, "expected Patient, got Coding @ $.patient"),
            (
                {"medication": Medication(schedule=Schedule(doses_per_cycle=True))},
                "expected int, got bool @ $.medication.schedule.doses_per_cycle",
            ),
            (
                {"medication": Medication(dose="1 kg")},  # type: ignore[arg-type]
                "expected Quantity, got str @ $.medication.dose",
            ),
            ({"date": dt.datetime(2026, 1, 1)}, "expected date, got datetime @ $.date"),
            ({"answers": []}, "expected a mapping, got list @ $.answers"),
        ],
    )
    def test_wrong_types(self, request_: Request, change: dict[str, Any], message: str) -> None:
        bad = attrs.evolve(request_, **change)
        with pytest.raises(InputError) as info:
            validate(bad)
        assert [str(e) for e in info.value.errors] == [message]
        with pytest.raises(InputError) as decided:  # decide's one pass refuses it alike
            decide(POLICY, bad, trail=False)
        assert decided.value.errors == info.value.errors

    def test_answers_as_python_values(self, request_: Request) -> None:
        """Admit reads answers given in Python as JSON would give them, and checks them."""
        good = attrs.evolve(request_, answers={"proleukin": {"melanoma_metastatic": True}})
        assert admit(POLICY, good) == {"melanoma_metastatic": True}
        bad = attrs.evolve(request_, answers={"proleukin": {"melanoma_metastatic": 1}})
        with pytest.raises(InputError) as info:
            admit(POLICY, bad)
        assert (
            str(info.value)
            == "expected a boolean, got int @ $.answers.proleukin.melanoma_metastatic"
        )
        listed = attrs.evolve(request_, answers={"proleukin": []})  # type: ignore[dict-item]
        with pytest.raises(InputError) as info:
            admit(POLICY, listed)
        assert str(info.value) == "expected a mapping, got list @ $.answers.proleukin"


class TestCodesFound:
    """A code found in its form is not matched again while kept; nothing else changes."""

    def test_more_codes_than_kept(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Past the codes kept, the codes found start anew, and every code reads as before."""
        monkeypatch.setattr(validation, "KEPT", 3)
        request = parse_request(json.dumps(BASE))
        codes = [f"20{n}RX0202X" for n in range(10)]
        for code in codes:
            prescriber = Practitioner(specialties=(code,))
            assert problems(attrs.evolve(request, prescriber=prescriber)) == []
            assert len(validation._FOUND[validation._NUCC]) <= 3
        prescriber = Practitioner(specialties=(codes[0], "207rx0202x", codes[-1]))
        assert [str(e) for e in problems(attrs.evolve(request, prescriber=prescriber))] == [
            "'207rx0202x' is not a NUCC taxonomy code (such as 207RX0202X) "
            "@ $.prescriber.specialties[1]"
        ]

    def test_text_alone_is_looked_for(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Text that only compares equal to a code found is matched itself, as before."""
        request = parse_request(json.dumps(BASE))
        assert problems(request, typed=True) == []  # its codes found
        code = request.prescriber.specialties[0]  # type: ignore[index]

        class Alike(str):
            def __hash__(self) -> int:
                return hash(code)

            def __eq__(self, other: object) -> bool:
                return True

        monkeypatch.setattr(validation, "_FOUND", {f: {code: None} for f in validation._FOUND})
        prescriber = Practitioner(specialties=(Alike(code.lower()),))
        assert [
            str(e) for e in problems(attrs.evolve(request, prescriber=prescriber), typed=True)
        ] == [
            f"'{code.lower()}' is not a NUCC taxonomy code (such as 207RX0202X) "
            "@ $.prescriber.specialties[0]"
        ]

    def test_text_alone_is_kept(self) -> None:
        """A code of a str subclass in its form is found, and not kept for other text."""
        request = parse_request(json.dumps(BASE))
        code = request.prescriber.specialties[0]  # type: ignore[index]

        class Other(str):
            pass

        validation._FOUND[validation._NUCC].clear()
        prescriber = Practitioner(specialties=(Other(code),))
        assert problems(attrs.evolve(request, prescriber=prescriber), typed=True) == []
        assert all(type(each) is str for each in validation._FOUND[validation._NUCC])


class TestCheckedOnce:
    """A request umpolicy read from JSON is checked once; every other one when it decides."""

    @pytest.fixture
    def checks(self, monkeypatch: pytest.MonkeyPatch) -> list[Request]:
        """The requests whose every field's type is checked, in order."""
        checked: list[Request] = []
        check = validation.problems

        def spy(request: Request, *, typed: bool = False) -> list[FieldError]:
            if not typed:
                checked.append(request)
            return check(request, typed=typed)

        monkeypatch.setattr(validation, "problems", spy)
        return checked

    def test_read_from_json(self, checks: list[Request]) -> None:
        request = parse_request(json.dumps(BASE))
        assert decide(POLICY, request).outcome is Outcome.APPROVE
        assert isinstance(evaluate(request), Decision)
        assert checks == []

    def test_built_in_python(self, checks: list[Request]) -> None:
        read = parse_request(json.dumps(BASE))
        built = Request(**{f.name: getattr(read, f.name) for f in attrs.fields(Request)})
        assert decide(POLICY, built) == decide(POLICY, read)
        assert checks == [built]

    @pytest.mark.parametrize(
        "made",
        [copy.copy, copy.deepcopy, lambda r: pickle.loads(pickle.dumps(r)), attrs.evolve],
        ids=["copy", "deepcopy", "pickle", "evolve"],
    )
    def test_made_from_one(self, checks: list[Request], made: Callable[[Request], Any]) -> None:
        again = made(parse_request(json.dumps(BASE)))
        decide(POLICY, again)
        assert checks == [again]

    def test_a_forged_mark_is_not_read_as_one(self, checks: list[Request]) -> None:
        built = Request(dt.date(2026, 3, 2), patient="x")  # type: ignore[arg-type]
        object.__setattr__(built, "_checked", 1)  # only umpolicy's own mark counts
        with pytest.raises(InputError, match=r"expected Patient, got str @ \$\.patient"):
            decide(POLICY, built)
        assert checks == [built]

    def test_a_subclass_cannot_declare_the_mark(self, checks: list[Request]) -> None:
        """A subclass that says it is checked is checked, and refused as the full check does."""

        class Marked(Request):
            _checked = True

        built = Marked(dt.date(2026, 3, 2), patient="x")  # type: ignore[arg-type]
        with pytest.raises(InputError, match=r"expected Request, got Marked @ \$"):
            decide(POLICY, built)
        assert checks == [built]

    def test_the_answers_are_checked_still(self) -> None:
        request = parse_request(json.dumps(BASE))
        answers: Any = request.answers  # a mapping (a dict): it may change
        answers["proleukin"] = {"melanoma_metastatic": "yes"}
        with pytest.raises(InputError, match=r"@ \$\.answers\.proleukin\.melanoma_metastatic"):
            decide(POLICY, request)

    def test_the_mark_is_no_field(self) -> None:
        read = parse_request(json.dumps(BASE))
        built = Request(**{f.name: getattr(read, f.name) for f in attrs.fields(Request)})
        assert read == built
        assert hash(read) == hash(built)
        assert repr(read) == repr(built)
        assert to_json(read) == to_json(built)
        assert "_checked" not in {f.name for f in attrs.fields(Request)}
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            read._checked = False  # type: ignore[attr-defined]
