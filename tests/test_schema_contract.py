"""The published schemas as a contract: every field described, with its units and an example."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import random
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import umpolicy
from umpolicy import InputError, load_policy, policy_names
from umpolicy.api import evaluate, parse_request, to_json
from umpolicy.cli import main
from umpolicy.engine import decision
from umpolicy.io import validation
from umpolicy.io.quantities import QUANTITIES, READ
from umpolicy.io.schema import (
    CODE_FORMS,
    EXAMPLE,
    UNDOCUMENTED,
    _trimmed,
    attribute_docs,
    describe,
    example_request,
    json_schema,
    schema_text,
    whole,
)
from umpolicy.registry import every_version
from umpolicy.vocabulary import request

ROOT = Path(__file__).parent.parent
SHIPPED = sorted((ROOT / "examples" / "proleukin").glob("*.json"))
FICTIONAL = sorted((ROOT / "examples" / "quellimab-policy" / "examples").glob("*.json"))
POLICIES = [load_policy("proleukin"), load_policy("quellimab")]
REQUEST = json_schema(umpolicy.Request, POLICIES)
DECISION = json_schema(umpolicy.Decision, POLICIES)
TODAY = dt.date(2026, 12, 2)


def valid(data: Any, schema: dict[str, Any]) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid(data)


def properties(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property of every object in the schema, by a dotted name."""

    def walk(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                yield f"{where}.{name}", sub
                yield from walk(sub, f"{where}.{name}")
            for key in ("anyOf", "allOf"):
                for branch in node.get(key, ()):
                    yield from walk(branch, where)
            for key in ("items", "additionalProperties"):
                yield from walk(node.get(key), where)

    for name, definition in schema["$defs"].items():
        yield from walk(definition, name)


def models(module: Any) -> list[type]:
    return [v for v in vars(module).values() if attrs.has(v) and v.__module__ == module.__name__]


class TestEveryField:
    """Every property of both schemas has a description and an example."""

    @pytest.mark.parametrize("schema", [REQUEST, DECISION], ids=["request", "decision"])
    def test_described_with_an_example(self, schema: dict[str, Any]) -> None:
        found = dict(properties(schema))
        assert len(found) > 30
        for name, sub in found.items():
            if name.endswith(".unit") and "examples" not in sub and "anyOf" not in sub:
                continue  # the generic Quantity's unit: described by its $ref
            assert sub.get("description") or "$ref" in sub, name
            assert "examples" in sub or name.startswith(("Unit", "Quantity")), name

    @pytest.mark.parametrize("schema", [REQUEST, DECISION], ids=["request", "decision"])
    def test_each_example_is_valid_for_its_field(self, schema: dict[str, Any]) -> None:
        for name, sub in properties(schema):
            for example in sub.get("examples", ()):
                assert valid(example, {**sub, "$defs": schema["$defs"]}), name

    def test_the_roots_have_whole_examples(self) -> None:
        (whole,) = REQUEST["examples"]
        assert whole == example_request(POLICIES)
        assert valid(whole, REQUEST)
        outcomes = [d["outcome"] for d in DECISION["examples"]]
        assert outcomes == ["approve", "insufficient_information"]
        assert all(valid(d, DECISION) for d in DECISION["examples"])
        assert "examples" not in json_schema(umpolicy.Decision)
        assert "examples" not in json_schema(umpolicy.Patient)

    def test_a_fields_example_keeps_two_entries(self) -> None:
        steps = DECISION["$defs"]["Trail"]["properties"]["steps"]["examples"][0]
        assert len(steps) == 2
        assert _trimmed(None, [1, 2, 3], {}) == [1, 2]
        assert _trimmed({"additionalProperties": {}}, {"a": 1, "b": 2, "c": 3}, {}) == {
            "a": 1,
            "b": 2,
        }


class TestOneSource:
    """A field's description is its attribute's docstring, the text the API reference shows."""

    @pytest.mark.parametrize("model", models(request), ids=lambda m: m.__name__)
    def test_the_request_models_document_every_field(self, model: type) -> None:
        docs = attribute_docs(model)
        assert set(docs) == {f.name for f in attrs.fields(model)}
        defined = REQUEST["$defs"][model.__name__]["properties"]
        for name, text in docs.items():
            assert defined[name]["description"] == text
            assert "``" not in text

    def test_the_decision_fields_are_described_once(self) -> None:
        named = {f"{m.__name__}.{f.name}" for m in models(decision) for f in attrs.fields(m)}
        named = {n for n in named if n.split(".")[0] in DECISION["$defs"]}
        for name in named:
            model, field = name.split(".")
            documented = attribute_docs(getattr(decision, model)).get(field)
            assert (documented is None) == (name in UNDOCUMENTED), f"{name}: described twice"
            assert describe(getattr(decision, model), field)
        assert set(UNDOCUMENTED) <= named, "an entry for a field that is gone"

    def test_a_class_without_source(self) -> None:
        made = attrs.make_class("Made", {"x": attrs.field()})
        assert attribute_docs(made) == {}


class TestUnitsPerField:
    """Each quantity of the request admits, in the schema, exactly the units validation does."""

    def test_a_weight_in_years(self) -> None:
        data = copy.deepcopy(EXAMPLE)
        data["patient"]["weight"]["unit"] = "a"
        assert not valid(data, REQUEST)
        with pytest.raises(InputError, match=r"unit 'a' measures time; patient.weight takes"):
            parse_request(data)

    def test_the_lists(self) -> None:
        weight = REQUEST["$defs"]["Patient"]["properties"]["weight"]["anyOf"][0]
        assert weight["properties"]["unit"]["anyOf"] == [
            {"enum": ["kg", "g", "mg", "ug", "[lb_av]"]}
        ]
        dose = REQUEST["$defs"]["Medication"]["properties"]["dose"]["anyOf"][0]["properties"]
        assert dose["unit"]["description"].startswith("The UCUM unit: [iU], 10*6.[iU], kg,")
        assert len(dose["unit"]["anyOf"]) == 2  # the list, and amounts per a counted unit

    @given(
        st.sampled_from(sorted(QUANTITIES)),
        st.one_of(
            st.sampled_from(READ),
            st.sampled_from(["{dose}", "mg/{vial}", "10*6.[iU]/{lesion}", "/(4.wk)", "/(2.d)"]),
            st.sampled_from(["IU", "[IU]", "lb", "mcg", "kg/m2", "/(0.wk)", "{Dose}", "", "a/kg"]),
        ),
    )
    def test_the_schema_refuses_what_the_library_refuses(self, field: str, code: str) -> None:
        data = copy.deepcopy(EXAMPLE)
        path = field.split(".")
        if path[1] in ("prior", "concomitant"):
            data["therapies"][path[1]][0]["duration"] = {"value": "3", "unit": code}
            where = f"$.therapies.{path[1]}[0].duration.unit"
        else:
            here = data
            for key in path[:-1]:
                here = here[key]
            here[path[-1]] = {"value": "3", "unit": code}
            where = f"$.{field}.unit"
        try:
            parse_request(data)
        except InputError as error:
            refused = where in [e.path for e in error.errors]
        else:
            refused = False
        assert valid(data, REQUEST) is not refused


class TestExamples:
    """The example request and every shipped example request decide, and fit the schema."""

    @pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
    def test_the_schemas_example_decides(self, policy: umpolicy.Policy) -> None:
        data = example_request([policy])
        assert evaluate(json.dumps(data), today=TODAY).policy.name == policy.name
        assert valid(data, json_schema(umpolicy.Request, [policy]))

    @pytest.mark.parametrize("path", SHIPPED + FICTIONAL, ids=lambda p: p.stem)
    def test_shipped_examples(self, path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        assert valid(json.loads(text), REQUEST)
        decided = json.loads(umpolicy.api.to_json(evaluate(text, today=TODAY)))
        assert valid(decided, DECISION)


class TestListedItems:
    """A listed item is whole: a field of it null is refused by the schema and the library."""

    def test_a_field_of_an_item_null(self) -> None:
        path = next(p for p in SHIPPED if p.stem == "melanoma-intralesional-approve")
        data = json.loads(path.read_text(encoding="utf-8"))
        item = data["answers"]["proleukin"]["lesions"][0]
        field = next(iter(item))
        item[field] = None
        assert not valid(data, REQUEST)
        with pytest.raises(InputError) as caught:
            evaluate(json.dumps(data), today=TODAY)
        where = f"$.answers.proleukin.lesions[0].{field}"
        assert [(e.path, e.reason) for e in caught.value.errors] == [
            (where, "required field missing")
        ]
        data["answers"]["proleukin"]["lesions"] = None  # the answer itself may be unknown
        assert valid(data, REQUEST)


class TestTheCommand:
    """umpolicy schema request|decision prints the schemas, the installed policies' included."""

    @pytest.mark.parametrize("model", ["request", "decision"])
    def test_prints(self, model: str) -> None:
        out = io.StringIO()
        assert main(["schema", model], out=out) == 0
        assert out.getvalue() == schema_text(model, every_version(policy_names()))
        printed = json.loads(out.getvalue())
        jsonschema.Draft202012Validator.check_schema(printed)
        assert printed["title"] == model.title()

    def test_an_unknown_model(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit):
            main(["schema", "policy"])
        assert "invalid choice: 'policy'" in capsys.readouterr().err


class TestDecimalText:
    """The schema's decimal text is the library's: no white space around a number."""

    # (Not a trailing newline: Python's re lets "$" match before one, ECMA-262's does not.)
    @pytest.mark.parametrize("text", ["5 ", " 5", "\t70.5", "70.5\t"])
    def test_spaced_numbers_are_refused_by_both(self, text: str) -> None:
        from umpolicy.dsl.quantity import to_decimal
        from umpolicy.io.schema import DECIMAL

        with pytest.raises(ValueError, match=r"not plain decimal text|not a decimal number"):
            to_decimal(text)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(text, DECIMAL)
        jsonschema.validate(text.strip(), DECIMAL)


def _with_code(
    path: str, code: str, data: dict[str, Any] | None = None
) -> tuple[dict[str, Any], str]:
    """The example request (or ``data``) with ``code`` as the first code at ``path``; its path."""
    data = copy.deepcopy(EXAMPLE if data is None else data)
    here: Any = data
    where = "$"
    keys = path.split(".")
    for index, key in enumerate(keys):
        where += f".{key}"
        last = index == len(keys) - 1
        if isinstance(here[key], list):
            where += "[0]"
            if last:
                here[key][0] = code
            else:
                here = here[key][0]
        elif last:
            here[key] = code
        else:
            here = here[key]
    return data, where


def _refused_by_the_library(data: dict[str, Any], where: str) -> bool:
    try:
        parse_request(data)
    except InputError as error:
        return where in [e.path for e in error.errors]
    return False


#: Each form's own example code, from its words: "an ICD-10-CM code (such as C43.9)".
_FORMS_EXAMPLE = {form: re.findall(r"such as (\S+)\)", form)[0] for form in validation._FORMS}

#: Text a code might be mistyped as: cases, spaces, a final newline, other digits.
_MISTYPED = st.text(alphabet="ACGHLXZcx0123456789. \n\t-٣４", max_size=20)


class TestCodes:
    """The schema holds each code to the form validation does, with validation's own regex."""

    def test_every_code_validation_checks_has_its_form_in_the_schema(self) -> None:
        """Every code mistyped at once: the library's errors are exactly at CODE_FORMS' paths."""
        every = EXAMPLE
        for path in CODE_FORMS:
            every = _with_code(path, "x", every)[0]
        with pytest.raises(InputError) as info:
            parse_request(every)
        found = {re.sub(r"\[0\]", "", e.path).removeprefix("$.") for e in info.value.errors}
        assert found == set(CODE_FORMS)

    @pytest.mark.parametrize("path", sorted(CODE_FORMS))
    @pytest.mark.parametrize("code", ["", "x", "c43.9", " C43.9", "C43.9\n", "٣٤٥٦٧٨٩"])
    def test_a_malformed_code_is_refused_by_both(self, path: str, code: str) -> None:
        data, where = _with_code(path, code)
        assert _refused_by_the_library(data, where)
        assert not valid(data, REQUEST)

    @pytest.mark.parametrize("path", sorted(CODE_FORMS))
    def test_the_example_code_is_taken_by_both(self, path: str) -> None:
        data, where = _with_code(path, _FORMS_EXAMPLE[CODE_FORMS[path]])
        assert not _refused_by_the_library(data, where)
        assert valid(data, REQUEST)

    @given(
        st.sampled_from(sorted(CODE_FORMS)),
        st.one_of(
            _MISTYPED,
            *(st.from_regex(regex, fullmatch=True) for regex in validation._FORMS.values()),
        ),
    )
    def test_the_schema_and_the_library_agree(self, path: str, code: str) -> None:
        data, where = _with_code(path, code)
        assert valid(data, REQUEST) is not _refused_by_the_library(data, where)

    def test_a_regex_with_flags_is_no_pattern(self) -> None:
        with pytest.raises(ValueError, match="takes no flags"):
            whole(re.compile("[a-z]+", re.IGNORECASE))

    @pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js for ECMA-262")
    def test_each_pattern_means_in_ecma_262_what_fullmatch_means(self) -> None:
        """Node's RegExp (with and without the u flag) agrees with Python on every sample."""
        rng = random.Random(20261202)
        alphabet = "ACDGHLXZcx0123456789. \n-٣４"
        samples = [
            "".join(rng.choice(alphabet) for _ in range(rng.randrange(12))) for _ in range(400)
        ]
        for example in _FORMS_EXAMPLE.values():
            samples += [example, example + "\n", "\n" + example, example.lower(), example + "0"]
            samples += [f"x{example}", example[:-1]]
        patterns = {form: whole(regex) for form, regex in validation._FORMS.items()}
        script = (
            "const {patterns, samples} = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
            "const out = {};"
            "for (const [form, p] of Object.entries(patterns))"
            "  for (const flags of ['', 'u'])"
            "    out[form + '/' + flags] = samples.map((s) => new RegExp(p, flags).test(s));"
            "process.stdout.write(JSON.stringify(out));"
        )
        ran = subprocess.run(
            ["node", "-e", script],
            input=json.dumps({"patterns": patterns, "samples": samples}),
            capture_output=True,
            text=True,
            check=True,
        )
        found = json.loads(ran.stdout)
        for form, regex in validation._FORMS.items():
            python = [regex.fullmatch(s) is not None for s in samples]
            assert python == [re.search(patterns[form], s) is not None for s in samples]
            assert found[f"{form}/"] == python, form
            assert found[f"{form}/u"] == python, form
            assert any(python), form  # the samples reach the form's codes, not only its misses


def _findings(decided: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for step in decided["trail"]["steps"].values():
        yield from step.get("findings", ())


class TestALimitsFinding:
    """A limit's finding holds what the schema says: the value compared, and the limit."""

    def test_requested_is_the_facts_own_value_in_its_own_unit(self) -> None:
        """As the request gave it (48 days against 7 weeks), or as worked out (per kg)."""
        units = set()
        for path in SHIPPED + FICTIONAL:
            text = path.read_text(encoding="utf-8")
            decided = json.loads(umpolicy.api.to_json(evaluate(text, today=TODAY)))
            facts = decided["trail"]["facts"]
            for finding in _findings(decided):
                if "requested" in finding:
                    (name,) = finding["facts"]
                    assert finding["requested"] == facts[name]["value"], (path.stem, name)
                    units.add(finding["requested"]["unit"] == finding["limit"]["unit"])
        assert units == {True, False}  # some are compared across units: days with weeks

    def test_the_schema_says_so(self) -> None:
        finding = DECISION["$defs"]["Finding"]
        said = finding["properties"]["requested"]["description"]
        assert "the value of the fact named (in 'facts'), in its own unit" in said
        assert "(the fact's own, in its own unit)" in finding["description"]


class TestAReasonsStatus:
    """A reason's status, as the schema describes it, includes every one the engine gives."""

    def test_an_exclusion_that_applies_is_a_reason_met(self) -> None:
        found: dict[str, set[str]] = {}
        for path in SHIPPED + FICTIONAL:
            decided = evaluate(path.read_text(encoding="utf-8"), today=TODAY, trail=False)
            for reason in decided.reasons:
                kind = "exclusion" if reason.label.startswith("Not Recommended") else "criterion"
                found.setdefault(reason.status.value, set()).add(kind)
        assert found == {"met": {"exclusion"}, "not_met": {"criterion"}, "unknown": {"criterion"}}
        said = DECISION["$defs"]["Reason"]["properties"]["status"]["description"]
        assert "not met" in said
        assert "unknown" in said
        assert "met: an exclusion that applies" in said


class TestTheOutcomeRule:
    """The decision schema ties the authorization period to the outcome, as the engine does."""

    def decisions(self) -> list[dict[str, Any]]:
        found = []
        for path in (*SHIPPED, *FICTIONAL):
            found.append(json.loads(to_json(evaluate(path.read_text(), today=TODAY))))
        return found

    def test_every_outcome_of_the_examples_keeps_it(self) -> None:
        decisions = self.decisions()
        assert {d["outcome"] for d in decisions} == {o.value for o in umpolicy.Outcome}
        assert all(valid(d, DECISION) for d in decisions)

    def test_an_approval_without_its_period_is_refused(self) -> None:
        approval = next(d for d in self.decisions() if d["outcome"] == "approve")
        for field, wrong in [
            ("authorization", None),
            ("indication", None),
            ("reasons", [{"label": "1.A", "status": "not_met", "detail": "x"}]),
            ("facts_needed", ["patient.weight"]),
        ]:
            assert not valid({**approval, field: wrong}, DECISION), field

    def test_a_period_on_any_other_outcome_is_refused(self) -> None:
        decisions = self.decisions()
        period = next(d for d in decisions if d["outcome"] == "approve")["authorization"]
        others = [d for d in decisions if d["outcome"] != "approve"]
        assert others
        for other in others:
            assert not valid({**other, "authorization": period}, DECISION)
