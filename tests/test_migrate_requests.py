"""scripts/migrate_requests.py: 0.1 requests become requests the engine decides as 0.1 did."""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from umpolicy import Decision, Outcome, api

SCRIPT = Path(__file__).parent.parent / "scripts" / "migrate_requests.py"
_spec = importlib.util.spec_from_file_location("migrate_requests", SCRIPT)
assert _spec is not None
assert _spec.loader is not None
migration = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(migration)
TODAY = dt.date(2026, 12, 2)

#: 0.1's example ``melanoma-iv-approve.json``, as 0.1 shipped it.
MELANOMA: dict[str, Any] = {
    "id": "mel-iv-001",
    "policy": "proleukin",
    "date": "2026-03-02",
    "patient": {
        "birth_date": "1968-07-14",
        "weight": {"value": "72.5", "unit": "kg"},
        "height": {"value": "178", "unit": "cm"},
    },
    "diagnosis": {"condition": "cutaneous_melanoma", "metastatic": True, "unresectable": False},
    "therapy": {"prior_systemic": ["pembrolizumab"], "concomitant_anticancer": []},
    "prescriber": {"specialty": "oncology"},
    "consultants": [],
    "regimen": {
        "route": "intravenous",
        "dose": {"value": "43500000", "unit": "[iU]"},
        "frequency": {"value": "3", "unit": "/d"},
        "doses_per_cycle": 14,
        "cycles_per_course": 2,
        "rest_between_cycles": {"value": "9", "unit": "d"},
        "course_number": 1,
    },
}


def decided(old: dict[str, Any]) -> Decision:
    return api.evaluate(json.dumps(migration.migrate(old)), today=TODAY)


def facts(old: dict[str, Any]) -> dict[str, object]:
    trail = decided(old).trail
    assert trail is not None
    return {name: fact.value for name, fact in trail.facts.items()}


def with_therapy(**therapy: object) -> dict[str, Any]:
    old = copy.deepcopy(MELANOMA)
    old["therapy"] = {"prior_systemic": ["pembrolizumab"], **therapy}
    return old


class TestAsZeroPointOneDecided:
    """A request 0.1 approved is approved; a fact 0.1 was not told stays unknown."""

    def test_the_example_is_approved(self) -> None:
        assert decided(MELANOMA).outcome is Outcome.APPROVE

    def test_corticosteroids_not_said_stay_unknown(self) -> None:
        found = facts(MELANOMA)
        assert found["therapy.concomitant_anticancer"] is False
        assert found["therapy.systemic_corticosteroids"] is None

    def test_anticancer_therapies_not_said_stay_unknown(self) -> None:
        """Corticosteroids said alone are no list saying "no other therapy": no approval."""
        old = with_therapy(systemic_corticosteroids=True)
        found = facts(old)
        assert found["therapy.concomitant_anticancer"] is None
        assert found["therapy.systemic_corticosteroids"] is True
        decision = decided(old)
        assert decision.outcome is Outcome.INSUFFICIENT_INFORMATION
        assert "therapies.concomitant" in decision.facts_needed

    @pytest.mark.parametrize(("steroids", "listed"), [(True, True), (False, False)])
    def test_both_halves_said(self, steroids: bool, listed: bool) -> None:
        found = facts(
            with_therapy(concomitant_anticancer=["nivolumab"], systemic_corticosteroids=steroids)
        )
        assert found["therapy.concomitant_anticancer"] is True
        assert found["therapy.systemic_corticosteroids"] is listed

    def test_neither_half_said_is_no_list(self) -> None:
        assert "concomitant" not in migration.migrate(with_therapy())["therapies"]


class TestRefusedAs01Refused:
    """A request 0.1 refused is not migrated: the field and the reason are said."""

    @pytest.mark.parametrize(
        ("change", "said"),
        [
            (lambda d: d.update(patient=None), "expected an object, got null @ $.patient"),
            (lambda d: d["regimen"].update(speed=1), "extra fields found (speed) @ $.regimen"),
            (lambda d: d.update(kind="initial"), "extra fields found (kind) @ $"),
            (
                lambda d: d["therapy"].update(prior_systemic="pembrolizumab"),
                'expected a list of drug names, got "pembrolizumab" @ $.therapy.prior_systemic',
            ),
            (
                lambda d: d["therapy"].update(systemic_corticosteroids="yes"),
                'expected true or false, got "yes" @ $.therapy.systemic_corticosteroids',
            ),
            (
                lambda d: d["diagnosis"].update(condition="melanoma"),
                '"melanoma" is not one of cutaneous_melanoma,',
            ),
            (lambda d: d["regimen"].update(route="iv"), '"iv" is not one of intravenous,'),
            (
                lambda d: d["consultants"].append({"specialty": "surgery"}),
                '"surgery" is not one of oncology,',
            ),
            (
                lambda d: d["consultants"].append(None),
                "expected an object, got null @ $.consultants[0]",
            ),
            (lambda d: d.update(consultants={}), "expected a list, got {} @ $.consultants"),
            (
                lambda d: d["diagnosis"].update(lesions="skin"),
                'expected a list of lesions, got "skin" @ $.diagnosis.lesions',
            ),
            (lambda d: d.pop("date"), "required field missing @ $.date"),
        ],
    )
    def test_refused(self, change: Any, said: str) -> None:
        old = copy.deepcopy(MELANOMA)
        change(old)
        with pytest.raises(migration.NotMigrated) as caught:
            migration.migrate(old)
        assert said in str(caught.value)

    def test_a_line_not_migrated_is_named_and_the_rest_written(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        bad = {**MELANOMA, "patient": None}
        path = tmp_path / "old.jsonl"
        path.write_text("\n".join(json.dumps(each) for each in (MELANOMA, bad, MELANOMA)) + "\n")
        assert migration.main([str(path)]) == 1
        out, err = capsys.readouterr()
        assert len(out.splitlines()) == 2
        assert err == f"{path}: line 2: not migrated: expected an object, got null @ $.patient\n"

    def test_one_request_of_a_file(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "old.json"
        path.write_text(json.dumps(MELANOMA))
        assert migration.main([str(path)]) == 0
        assert json.loads(capsys.readouterr().out) == migration.migrate(MELANOMA)
