"""JSON round trips through the one converter: requests, decisions and the policy tree."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import attrs
import cattrs
import pytest
from attrs import frozen
from cattrs.gen import make_dict_unstructure_fn, override
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import umpolicy
import umpolicy.api
import umpolicy.vocabulary.request
from umpolicy import Decision, Fact, Policy, Request, Trail, decide, dumps, loads, structure
from umpolicy.api import to_json
from umpolicy.engine.decision import fingerprint
from umpolicy.io import converter
from umpolicy.io.converter import CONVERTER
from umpolicy_policies.proleukin import POLICY

from .engine_strategies import requests

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "proleukin").glob("*.json"))
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _outcome(text: str) -> str | list[str]:
    """What loads makes of the text: its data's repr (number types shown), or its errors."""
    try:
        return repr(loads(text))
    except umpolicy.InputError as error:
        return [str(each) for each in error.errors]


_NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(["-0", "1e999", "1E-999", "-0.0", "1.50"]),
)
_TEXTS = st.text(max_size=4).map(lambda t: json.dumps(t, ensure_ascii=False)) | st.text(
    max_size=4
).map(json.dumps)
_LEAVES = _NUMBERS | _TEXTS | st.sampled_from(["true", "false", "null"])


@st.composite
def json_texts(draw: st.DrawFn) -> tuple[str, str]:
    """JSON text, compact and spaced out: numbers of any form, keys perhaps twice."""

    def written(node: Any, colon: str, comma: str) -> str:
        if isinstance(node, str):
            return node
        if isinstance(node, list):
            return "[" + comma.join(written(each, colon, comma) for each in node) + "]"
        pairs = (f"{key}{colon}{written(value, colon, comma)}" for key, value in node.pairs)
        return "{" + comma.join(pairs) + "}"

    keys = st.sampled_from(['"a"', '"b"', '"\\u0061"']) | _TEXTS
    tree = draw(
        st.recursive(
            _LEAVES,
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.lists(st.tuples(keys, inner), max_size=4).map(_Object)
            ),
            max_leaves=12,
        )
    )
    return written(tree, ":", ","), written(tree, ": ", ", ")


@frozen
class _Object:
    """A JSON object's pairs, as written: a key may be given twice."""

    pairs: list[tuple[str, Any]]


def _by_cattrs() -> cattrs.Converter:
    """Umpolicy's converter, but for cattrs' own hooks for the request's records."""
    converter = umpolicy.make_converter()
    for kind in vars(umpolicy.vocabulary.request).values():
        if isinstance(kind, type) and attrs.has(kind) and kind.__module__ == Request.__module__:
            omitted: dict[str, Any] = {
                f.name: override(omit_if_default=True)
                for f in attrs.fields(kind)
                if f.metadata.get("omit_if_default")
            }
            hook = make_dict_unstructure_fn(kind, converter, **omitted)
            converter.register_unstructure_hook(kind, hook)
    return converter


CATTRS = _by_cattrs()


def request_of(path: Path) -> Request:
    return structure(loads(path.read_text()), Request)


class TestRequests:
    """A request survives unstructure → JSON → structure unchanged."""

    @FAST
    @given(requests())
    def test_generated(self, request: Request) -> None:
        assert structure(loads(to_json(request)), Request) == request

    @FAST
    @given(requests())
    def test_unstructured_as_cattrs_would(self, request: Request) -> None:
        """A request's records are written out in one hook, to the data cattrs' hooks make.

        Its types included (lists, not tuples): the fingerprint hashes this data's text.
        """
        assert repr(CONVERTER.unstructure(request)) == repr(CATTRS.unstructure(request))

    def test_answers_of_any_type(self) -> None:
        """Answers given in Python are written as JSON would hold them, or as they are."""

        class Text(str):
            """Text of a type of its own."""

        answers = {
            "p": {
                "plain": [True, None, "a", 1],
                "exact": Decimal("1.50"),
                "dated": date(2026, 3, 2),
                "dose": umpolicy.Quantity("2.50", "mg"),
                "items": ({"at": Decimal("1E+2")},),
                "other": Text("b"),
            }
        }
        request = Request(date(2026, 3, 2), answers=answers)
        assert CONVERTER.unstructure(request)["answers"] == {
            "p": {
                "plain": [True, None, "a", 1],
                "exact": "1.5",
                "dated": "2026-03-02",
                "dose": {"unit": "mg", "value": "2.5"},
                "items": [{"at": "100"}],
                "other": "b",
            }
        }
        assert type(CONVERTER.unstructure(request)["answers"]["p"]["other"]) is Text

    @pytest.mark.parametrize("number", [2**64, -(2**63) - 1, 10**40, -(10**40)])
    def test_answers_past_64_bits(self, number: int) -> None:
        """An answer's integer past 64 bits is written as json writes it, and read back."""
        data = json.loads(EXAMPLES[0].read_text())
        data["answers"]["proleukin"]["count"] = [number, {"n": number}, 2**63]
        request = umpolicy.api.parse_request(json.dumps(data))
        text = to_json(request)
        assert text == json.dumps(
            CONVERTER.unstructure(request),
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )
        assert umpolicy.api.parse_request(text) == request
        assert fingerprint(request) == fingerprint(structure(loads(text), Request))

    @pytest.mark.parametrize("data", [{"a": object()}, {"a": object(), "b": 2**64}])
    def test_what_json_cannot_write_is_an_error(self, data: object) -> None:
        """Data that is not JSON is not written, whatever integers it holds."""
        with pytest.raises(TypeError):
            dumps(data)

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_examples(self, path: Path) -> None:
        request = request_of(path)
        assert repr(CONVERTER.unstructure(request)) == repr(CATTRS.unstructure(request))
        assert structure(CONVERTER.unstructure(request), Request) == request
        assert json.loads(to_json(request))["date"] == json.loads(path.read_text())["date"]

    def test_a_field_added_with_its_default_is_not_written(self) -> None:
        """A history given whole writes no ``partial``: earlier requests keep their fingerprint."""
        request = request_of(EXAMPLES[0])
        assert "partial" not in CONVERTER.unstructure(request)["therapies"]
        in_part = attrs.evolve(
            request,
            therapies=umpolicy.Therapies(
                concomitant=(umpolicy.Therapy("ondansetron", ("A04AA01",)),),
                partial=(umpolicy.History.CONCOMITANT,),
            ),
        )
        assert CONVERTER.unstructure(in_part)["therapies"]["partial"] == ["concomitant"]
        assert structure(loads(to_json(in_part)), Request) == in_part
        assert fingerprint(in_part) != fingerprint(
            attrs.evolve(in_part, therapies=attrs.evolve(in_part.therapies, partial=()))
        )

    def test_omitted_fields_are_none(self) -> None:
        request = structure({"date": "2026-03-02"}, Request)
        assert request == Request(request.date)
        data = CONVERTER.unstructure(request)
        assert data["policy"] is None
        assert data["medication"]["dose"] is None
        assert data["answers"] == {}


class TestDecisions:
    """A decision, with or without its trail, survives a round trip unchanged."""

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    @pytest.mark.parametrize("trail", [True, False])
    def test_examples(self, path: Path, trail: bool) -> None:
        decision = decide(POLICY, request_of(path), trail=trail)
        again = structure(loads(to_json(decision)), Decision)
        assert again == decision
        assert to_json(again) == to_json(decision)

    @FAST
    @given(requests())
    def test_generated(self, request: Request) -> None:
        decision = decide(POLICY, request)
        assert structure(loads(to_json(decision)), Decision) == decision


class TestPolicyTree:
    """The Proleukin tree round-trips, decides identically and hashes the same."""

    def test_round_trip(self) -> None:
        tree = structure(loads(to_json(POLICY)), Policy)
        assert tree == POLICY
        assert tree.content_hash == POLICY.content_hash
        assert tree is not POLICY

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_same_decision(self, path: Path) -> None:
        tree = structure(loads(to_json(POLICY)), Policy)
        request = request_of(path)
        assert decide(tree, request) == decide(POLICY, request)

    def test_tags(self) -> None:
        data = CONVERTER.unstructure(POLICY)
        criteria = data["indications"][0]["criteria"]
        assert criteria["type"] == "any_of"
        assert criteria["requires"] == {
            "type": "includes",
            "fact": "diagnoses",
            "values": {
                "name": "cutaneous-melanoma",
                "title": "Cutaneous melanoma",
                "system": "ICD-10-CM",
                "codes": [],
                "prefixes": ["C43"],
                "excluded": [],
                "undecided": [],
            },
        }
        assert data["value_sets"][0] == criteria["requires"]["values"]
        dose = data["indications"][2]["dosing"]
        assert dose["type"] == "dose_limit"
        assert dose["checks"][1] == {
            "type": "at_most",
            "fact": "medication.dose",
            "limits": [{"value": "1", "unit": "10*6.[iU]/m2"}],
        }


class TestJsonText:
    """loads reads numbers as exact decimals; dumps is canonical."""

    def test_loads_decimal(self) -> None:
        assert loads('{"a": 0.1}') == {"a": Decimal("0.1")}
        assert loads(b"[1]") == [1]

    def test_dumps_canonical(self) -> None:
        assert dumps({"b": 1, "a": ["é"]}) == '{"a":["é"],"b":1}'

    @pytest.mark.parametrize(
        ("text", "start"),
        [
            ("{", "malformed JSON: Expecting property name"),
            (b"\xff", "malformed JSON: not UTF-8 text (invalid start byte at byte 0)"),
            ('{"a": "\ufeff"}'.encode("utf-16"), "malformed JSON: not UTF-8 text"),
            ("\ufeff{}", "a byte order mark before the JSON text"),
            ("[" * 100_000, "malformed JSON: maximum recursion depth"),
            (
                "1" * 5000,
                "a number of the JSON text has more than 4300 digits; a number has at most 40",
            ),
        ],
    )
    def test_malformed(self, text: str | bytes, start: str) -> None:
        with pytest.raises(umpolicy.InputError) as info:
            loads(text)
        (error,) = info.value.errors
        assert error.path == "$"
        assert error.reason.startswith(start)

    @pytest.mark.parametrize(
        "number", ["1e1000000000000000000", "-0E+1000000000000000000", "9.99E1000000000000000000"]
    )
    def test_a_number_past_every_decimal(self, number: str) -> None:
        """An exponent no decimal holds at all is an input error, as one past 40 is."""
        text = EXAMPLES[0].read_text().replace('"1.85"', number)  # the GVHD BSA
        assert number in text
        with pytest.raises(umpolicy.InputError) as info:
            umpolicy.api.evaluate(text)
        assert [str(e) for e in info.value.errors] == [
            "a number of the JSON text is out of range: at most 40 digits and an exponent "
            "from -40 to 40 @ $"
        ]

    @pytest.mark.parametrize(
        ("text", "read"),
        [
            ('{"a":0.1,"b":[1e5]}', "{'a': Decimal('0.1'), 'b': [Decimal('1E+5')]}"),
            ('{"a":[18446744073709551616]}', "{'a': [18446744073709551616]}"),
            ('{"a":-0}', "{'a': 0}"),
            ('{"a":"\\u00e9"}', "{'a': 'é'}"),
            ('{"a":' + "[" * 40 + "]" * 40 + "}", "{'a': " + "[" * 40 + "]" * 40 + "}"),
            ('"x"', "'x'"),
        ],
    )
    def test_read_exactly_however_compact(self, text: str, read: str) -> None:
        """Compact text is read as any other: no float, however orjson would read it."""
        assert repr(loads(text)) == read

    @pytest.mark.parametrize(
        ("text", "error"),
        [
            ('{"a":1,"b":{"c":2,"c":3}}', "duplicate key: each key may appear once @ $.b.c"),
            ('{"a":"\\ud800"}', "text holds a lone surrogate (not valid Unicode) @ $.a"),
            ('{"a":NaN}', "malformed JSON: NaN is not a JSON number @ $"),
        ],
    )
    def test_refused_however_compact(self, text: str, error: str) -> None:
        for written in (text, text.replace(":", ": ").replace(",", ",\n  ")):
            with pytest.raises(umpolicy.InputError) as info:
                loads(written)
            assert [str(e) for e in info.value.errors] == [error]

    @pytest.mark.parametrize(
        "text",
        [
            '{"a": 1, "b": {"c": 2, "c": 3}}',  # spaced, as Python's json writes it
            '{\n  "a": 1,\n  "b": {\n    "c": 2,\n    "c": 3\n  }\n}',  # pretty
            '{"t": "10:30", "b": {"c": 2, "c": 3}}',  # and a colon in a string
        ],
        ids=["spaced", "pretty", "colon in a string"],
    )
    def test_a_key_twice_however_written(self, text: str) -> None:
        """A key twice is refused by its path, however the text is spaced."""
        with pytest.raises(umpolicy.InputError) as info:
            loads(text)
        assert [str(e) for e in info.value.errors] == [
            "duplicate key: each key may appear once @ $.b.c"
        ]

    @FAST
    @given(json_texts(), st.sampled_from(["", "\n", "\t", "\r\n  "]))
    def test_read_by_orjson_as_by_json(self, texts: tuple[str, str], space: str) -> None:
        """What orjson reads (integers only, a colon per key) is what Python's json reads.

        Compact, spaced or pretty: the same data, number types included, or the same
        errors, whichever reader read it.
        """
        for text in (*texts, texts[1].replace(", ", "," + space)):
            quick = _outcome(text)
            with mock.patch.object(converter, "_read_as_written", return_value=None):
                assert quick == _outcome(text)

    @FAST
    @given(json_texts())
    def test_read_alike_however_written(self, texts: tuple[str, str]) -> None:
        """Text without white space (which orjson may read) reads as the same text spaced out.

        The same data, number types included, or the same errors: a key twice, a lone
        surrogate, a number past every decimal.
        """
        compact, spaced = (_outcome(text) for text in texts)
        assert compact == spaced

    def test_make_converter_is_independent(self) -> None:
        other = umpolicy.make_converter()
        assert other is not CONVERTER
        assert other.unstructure(POLICY) == CONVERTER.unstructure(POLICY)


class TestFactValues:
    """Fact values come back as they went: text shaped like a date stays text."""

    def test_date_shaped_code(self) -> None:
        trail = Trail({}, {"medication.code": Fact("medication.code", "2024-01-01")})
        back = structure(CONVERTER.unstructure(trail), Trail)
        assert back.facts["medication.code"].value == "2024-01-01"
        assert back == trail

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("patient.birth_date", date(1970, 1, 2)),
            ("request.date", date(2026, 3, 2)),
            ("answers.diagnosed_on", date(2025, 1, 31)),
            ("medication.code", "2024-01-01"),
            ("derived.thing", "2024-01-01"),
        ],
    )
    def test_dates_stay_dates_and_text_stays_text(self, name: str, value: object) -> None:
        fact = umpolicy.Fact(name, value)  # type: ignore[arg-type]
        trail = umpolicy.Trail({}, {name: fact})
        assert structure(CONVERTER.unstructure(trail), umpolicy.Trail) == trail

    def test_not_a_fact_value(self) -> None:
        data = {"steps": {}, "facts": {"x": {"value": 1.5}}}
        with pytest.raises(umpolicy.InputError):
            structure(data, umpolicy.Trail)
