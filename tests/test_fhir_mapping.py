"""The FHIR mapping table: one row per request field, true to what the readers read."""

from __future__ import annotations

import copy
import re
import typing
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import umpolicy
from umpolicy import InputError, Quantity
from umpolicy.api import parse_request
from umpolicy.integrations.fhir import request_from_bundle
from umpolicy.integrations.fhir.bundle import read_bundle, service_codes
from umpolicy.integrations.fhir.crd import read_hook
from umpolicy.integrations.fhir.mapping import MAPPING, dtr_item, markdown
from umpolicy.integrations.fhir.reading import Reading
from umpolicy.integrations.fhir.write import bundle_from_request, hook_from_request

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples" / "proleukin").glob("*.json"))
ROWS = {row.field: row for row in MAPPING}


def leaves(kind: type, prefix: str = "") -> list[str]:
    """The request's fields, records opened (a Practitioner's fields for the prescriber)."""
    hints = typing.get_type_hints(kind)
    found = []
    for field in attrs.fields(kind):
        inner = hints[field.name]
        name = f"{prefix}{field.name}"
        if attrs.has(inner) and inner is not Quantity:
            found += leaves(inner, f"{name}.")
        else:
            found.append(name)
    return found


def full() -> umpolicy.Request:
    """A request that gives every field the mapping can carry."""
    base = parse_request((ROOT / "examples" / "proleukin" / "rcc-approve.json").read_text())
    prior = umpolicy.Therapy("pembrolizumab", ("L01FF02",), Quantity("84", "d"))
    return attrs.evolve(
        base,
        kind=umpolicy.RequestKind.CONTINUATION,
        patient=attrs.evolve(base.patient, sex=umpolicy.Sex.MALE, height=Quantity("180", "cm")),
        medication=attrs.evolve(
            base.medication,
            code="J9015",
            system=umpolicy.DrugCodeSystem.HCPCS,
            other_codes=(umpolicy.DrugCode(umpolicy.DrugCodeSystem.RXNORM, "1234"),),
            other_names=("aldesleukin 22000000 UNT Injection",),
        ),
        therapies=umpolicy.Therapies(
            prior=(prior,), concomitant=(), time_on_drug=Quantity("2", "mo")
        ),
        prescriber=umpolicy.Practitioner(("207RX0202X",), ("transplant-center",)),
    )


def readings() -> list[Reading]:
    requests = [parse_request(path.read_text()) for path in EXAMPLES] + [full()]
    found = [read_bundle(bundle_from_request(r), "proleukin")[1] for r in requests]
    found += [read_hook(hook_from_request(r), "proleukin")[1] for r in requests]
    return found


def row_of(key: str) -> str | None:
    name = key.removeprefix("$.")
    fits = [f for f in ROWS if name == f or name.startswith((f"{f}.", f"{f}["))]
    return max(fits, key=len) if fits else None


def resource_at(reading: Reading, path: str) -> str:
    found = [
        each
        for many in reading.by_type.values()
        for each in many
        if path == each.path or path.startswith((f"{each.path}.", f"{each.path}["))
    ]
    return max(found, key=lambda each: len(each.path)).type


class TestTheTable:
    """The rows are the request's fields, and each says where its field is read from."""

    def test_one_row_per_field(self) -> None:
        assert [row.field for row in MAPPING] == leaves(umpolicy.Request)

    def test_what_the_readers_read_is_where_the_table_says(self) -> None:
        seen: dict[str, set[str]] = {}
        for reading in readings():
            for key, path in reading.sources.items():
                field = row_of(key)
                if field is None:
                    assert key == "$.prescriber"
                    continue
                kind = resource_at(reading, path)
                assert kind in (*ROWS[field].resources, "QuestionnaireResponse"), (key, path)
                seen.setdefault(field, set()).add(kind)
        for row in MAPPING:
            if row.resources:
                assert row.field in seen, row.field

    @pytest.mark.parametrize("field", ["medication.schedule.cycles_per_course", "consultants"])
    def test_dtr_asks_for_what_core_fhir_cannot_say(self, field: str) -> None:
        assert dtr_item(field) == f"`{field}`"

    def test_the_guide_shows_the_table(self) -> None:
        assert markdown() in (ROOT / "docs" / "fhir.md").read_text()

    def test_the_guide_shows_the_codes_read_as_services(self) -> None:
        """The reader's own ranges, as it reads them: a range changed is a guide changed."""
        assert service_codes() in (ROOT / "docs" / "fhir.md").read_text()


GUIDE = (ROOT / "docs" / "fhir.md").read_text()


class TestTheGuide:
    """The FHIR guide's code runs, and the errors it shows are the ones umpolicy gives."""

    def test_the_python_runs(self, monkeypatch: pytest.MonkeyPatch) -> None:
        [code] = re.findall(r"```python\n(.*?)```", GUIDE, flags=re.S)
        monkeypatch.chdir(ROOT)
        exec(compile(code, "docs/fhir.md", "exec"), {})

    def test_the_errors_shown(self) -> None:
        base = bundle_from_request(parse_request(EXAMPLES[-4].read_text()))
        assert EXAMPLES[-4].stem == "rcc-approve"

        def shown(change: typing.Callable[[dict[str, typing.Any]], None]) -> str:
            data = copy.deepcopy(base)
            change(data)
            with pytest.raises(InputError) as caught:
                request_from_bundle(data, "proleukin")
            return str(caught.value)

        errors = [
            shown(lambda b: b["entry"][4]["resource"]["valueQuantity"].update(code="cm")),
            shown(
                lambda b: b["entry"][5]["resource"]["code"]["coding"][0].update(
                    system="http://snomed.info/sct"
                )
            ),
            shown(
                lambda b: b["entry"][0]["resource"].update(patient={"reference": "Patient/nobody"})
            ),
            shown(lambda b: b["entry"][4]["resource"]["valueQuantity"].update(value=Decimal(8100))),
        ]
        for error in errors:
            assert error in GUIDE
