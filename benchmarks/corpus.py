"""The benchmark corpus: the shared neutral requests, mapped to umpolicy's request format.

The requests come from ``../shared/bench/gen_requests.py`` (next to the repository, as
in CI), seeded, in the peers' flat neutral format. Each is mapped once, before any
timing, to umpolicy's JSON request (numbers as decimal text, never binary floats):

- ``diagnosis`` → ``diagnoses`` (ICD-10-CM): cutaneous melanoma C43.9, renal cell
  carcinoma C64.9, chronic GVHD D89.811, anything else C50.919;
- ``metastatic`` and ``unresectable``, answers about the one diagnosis, → that cancer's
  own (``answers.proleukin.melanoma_metastatic``, ``melanoma_unresectable``,
  ``renal_cell_carcinoma_metastatic``; another diagnosis has none, and a diagnosis not
  given both cancers', as the answer is about whichever the patient has);
  ``steroid_refractory`` → ``answers.proleukin.steroid_refractory``;
  ``lesion_site`` + ``lesion_status`` → ``answers.proleukin.lesions``, one lesion (a
  ``primary`` lesion is status ``other``; unanswered when either is unknown);
- ``prior_systemic_therapies`` (a count) → that many ``therapies.prior`` entries, each a
  systemic drug by its own code (pembrolizumab L01FF02, nivolumab, dabrafenib, …);
  ``single_agent`` false → ipilimumab (L01FX04) concomitant, true → none;
  ``with_systemic_corticosteroids`` true → prednisone (H02AB07) added to the concomitant
  list (so a known corticosteroid answer also makes the concomitant list known);
- ``prescriber_specialties`` → NUCC codes (transplant adds the ``transplant-center``
  affiliation); ``route`` → SNOMED CT; dose units → UCUM (``IU`` → ``[iU]``);
- ``doses_per_day`` → a ``/d`` frequency, except on the intralesional route, whose
  limit the peers read from ``doses_per_week`` (→ ``/wk``); with no route, the daily
  count if given, else the weekly one;
- ``rest_days_between_cycles`` → ``rest_between_cycles`` in days with
  ``cycles_per_course`` 2; ``rest_weeks_between_courses`` → ``rest_before_course`` in
  weeks with ``course_number`` 2 (each only when given);
- every other null stays unknown (``None``).

A request without a request date cannot be a umpolicy request (the date is required),
so those are left out of the corpus, for every peer alike; so are the few that umpolicy
refuses as input errors (the generator draws weight and BSA apart, and a 36.6 kg body of
2.69 m2 is no body's), which have no decision to time. :class:`Corpus` counts both.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import importlib.util
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

#: Where the shared peers live: ``shared/`` next to the repository.
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "bench"
#: The corpus seed the shared README uses.
SEED = 20261101
#: The last request date the shared generator draws (its START plus SPAN_DAYS): the
#: corpus is decided as on that day, so that none of it is refused as dated ahead.
TODAY = dt.date(2026, 12, 31)

Json = dict[str, Any]

_DIAGNOSES = {
    "cutaneous_melanoma": "C43.9",
    "renal_cell_carcinoma": "C64.9",
    "chronic_gvhd": "D89.811",
    "other": "C50.919",
}


@functools.cache
def _answers_by_diagnosis() -> dict[str, dict[str, str]]:
    """Which of the cancer's own questions the neutral ``metastatic`` and ``unresectable`` are.

    The ids are the policy's, read from its tree (imported here, not at the top: the
    module also runs where only the peers are, and from a checkout before its paths).
    """
    from umpolicy_policies.proleukin import (
        MELANOMA_METASTATIC,
        MELANOMA_UNRESECTABLE,
        RCC_METASTATIC,
    )

    return {
        "cutaneous_melanoma": {
            "metastatic": MELANOMA_METASTATIC.id,
            "unresectable": MELANOMA_UNRESECTABLE.id,
        },
        "renal_cell_carcinoma": {"metastatic": RCC_METASTATIC.id},
    }


def _answers_of(diagnosis: str | None) -> list[tuple[str, str]]:
    """The neutral answers and the cancer's own they are, for ``diagnosis`` (any if unknown)."""
    by_diagnosis = _answers_by_diagnosis()
    if diagnosis is None:
        return [pair for each in by_diagnosis.values() for pair in each.items()]
    return list(by_diagnosis.get(diagnosis, {}).items())


_SPECIALTIES = {
    "oncology": "207RX0202X",
    "dermatology": "207N00000X",
    "transplant": "204F00000X",
    "other": "207Q00000X",
}
_ROUTES = {"intravenous": "47625008", "intralesional": "372464004", "subcutaneous": "34206005"}
_UNITS = {"IU/kg": "[iU]/kg", "IU": "[iU]", "IU/m2": "[iU]/m2", "mg/kg": "mg/kg"}
_STATUSES = {"primary": "other"}
_IPILIMUMAB: Json = {"name": "ipilimumab", "codes": ["L01FX04"]}
#: Systemic anticancer therapies, each by its own code, for a count of prior ones: a code
#: of a group only (``L01XX``) may be an intralesional one (talimogene laherparepvec,
#: L01XX51), which Proleukin's 1.A.iii does not count, so it leaves the criterion unknown.
_SYSTEMIC: tuple[Json, ...] = (
    {"name": "pembrolizumab", "codes": ["L01FF02"]},
    {"name": "nivolumab", "codes": ["L01FF01"]},
    {"name": "dabrafenib", "codes": ["L01EC02"]},
    {"name": "trametinib", "codes": ["L01EE01"]},
)
_PREDNISONE: Json = {"name": "prednisone", "codes": ["H02AB07"]}


@functools.cache
def checkout_paths() -> tuple[str, ...]:
    """Make a checkout's ``src/`` and ``policies/`` importable as installed; the added paths.

    The wheel installs ``policies/`` as ``umpolicy_policies``; from a checkout, that
    package is a symbolic link in a temporary folder. Nothing is added when installed.
    """
    root = Path(__file__).resolve().parent.parent
    added = []
    if importlib.util.find_spec("umpolicy") is None:
        added.append(str(root / "src"))
        sys.path.insert(0, added[-1])
    if importlib.util.find_spec("umpolicy_policies") is None:
        folder = Path(tempfile.mkdtemp(prefix="umpolicy-bench-"))
        (folder / "umpolicy_policies").symlink_to(root / "policies", target_is_directory=True)
        added.append(str(folder))
        sys.path.insert(0, added[-1])
    return tuple(added)


def checkout_env() -> dict[str, str]:
    """The environment of this process, with :func:`checkout_paths` on ``PYTHONPATH``."""
    env = dict(os.environ)
    paths = [*checkout_paths(), *filter(None, [env.get("PYTHONPATH")])]
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def shared(name: str, folder: Path = SHARED) -> ModuleType:
    """A module of the shared bench folder (``gen_requests``, ``peers``), imported from it."""
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    return importlib.import_module(name)


def decimal_text(number: int | float) -> str:
    """A JSON number of the generator as exact decimal text (its shortest repr, no exponent)."""
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise TypeError(f"not a number: {number!r}")
    return format(Decimal(repr(number)), "f")


def _quantity(number: int | float | None, unit: str) -> Json | None:
    return None if number is None else {"value": decimal_text(number), "unit": unit}


def _dose(dose: Mapping[str, Any] | None) -> Json | None:
    if dose is None or dose.get("value") is None or dose.get("unit") is None:
        return None
    return _quantity(dose["value"], _UNITS[dose["unit"]])


def _frequency(r: Mapping[str, Any]) -> Json | None:
    daily = _quantity(r["doses_per_day"], "/d")
    weekly = _quantity(r["doses_per_week"], "/wk")
    if r["route"] == "intralesional":
        return weekly
    if r["route"] is None and daily is None:
        return weekly
    return daily


def _concomitant(r: Mapping[str, Any]) -> list[Json] | None:
    single, steroids = r["single_agent"], r["with_systemic_corticosteroids"]
    therapies = None if single is None else ([] if single else [_IPILIMUMAB])
    if steroids:
        therapies = [*(therapies or []), _PREDNISONE]
    return therapies


def _prescriber(specialties: list[str] | None) -> Json:
    if specialties is None:
        return {"specialties": None, "affiliations": None}
    codes = [_SPECIALTIES[each] for each in specialties]
    return {
        "specialties": codes,
        "affiliations": ["transplant-center"] if "transplant" in specialties else [],
    }


def _lesions(site: str | None, status: str | None) -> list[Json] | None:
    """One lesion; not answered when its site or status is unknown (an item is whole)."""
    if site is None or status is None:
        return None
    return [{"site": site, "status": _STATUSES.get(status, status)}]


def to_request(r: Mapping[str, Any], index: int) -> Json:
    """One neutral request as umpolicy's JSON request data (``r["request_date"]`` required)."""
    route = r["route"]
    cycles_rest = _quantity(r["rest_days_between_cycles"], "d")
    course_rest = _quantity(r["rest_weeks_between_courses"], "wk")
    prior = r["prior_systemic_therapies"]
    diagnosis = r["diagnosis"]
    return {
        "id": f"bench-{index}",
        "policy": "proleukin",
        "date": r["request_date"],
        "kind": "initial",
        "patient": {
            "birth_date": r["birth_date"],
            "weight": _quantity(r["weight_kg"], "kg"),
            "bsa": _quantity(r["bsa_m2"], "m2"),
        },
        "diagnoses": None if diagnosis is None else [{"code": _DIAGNOSES[diagnosis]}],
        "medication": {
            "code": None,
            "name": "Proleukin",
            "route": None if route is None else {"code": _ROUTES[route]},
            "dose": _dose(r["dose"]),
            "frequency": _frequency(r),
            "schedule": {
                "doses_per_cycle": r["doses_per_cycle"],
                "cycles_per_course": None if cycles_rest is None else 2,
                "rest_between_cycles": cycles_rest,
                "course_number": None if course_rest is None else 2,
                "rest_before_course": course_rest,
            },
        },
        "therapies": {
            "prior": None
            if prior is None
            else [_SYSTEMIC[k % len(_SYSTEMIC)] for k in range(prior)],
            "concomitant": _concomitant(r),
            "time_on_drug": None,
        },
        "prescriber": _prescriber(r["prescriber_specialties"]),
        "consultants": [],
        "answers": {
            "proleukin": {
                **{now: r[then] for then, now in _answers_of(diagnosis)},
                "steroid_refractory": r["steroid_refractory"],
                "lesions": _lesions(r["lesion_site"], r["lesion_status"]),
            }
        },
    }


class Corpus:
    """The same requests for every peer: neutral dicts and text, umpolicy JSON text."""

    def __init__(self, neutral: list[Json], dropped: int) -> None:
        from umpolicy import InputError, api  # the checkout's: see checkout_paths

        dumps = json.JSONEncoder(separators=(",", ":")).encode
        kept: list[tuple[Json, str]] = []
        for index, each in enumerate(neutral):
            text = dumps(to_request(each, index))
            try:
                api.parse_request(text)
            except InputError:
                continue  # no decision to time, for any peer
            kept.append((each, text))
        self.dropped = dropped
        self.refused = len(neutral) - len(kept)
        self.neutral = [each for each, _ in kept]
        self.neutral_texts = [dumps(each) for each in self.neutral]
        self.texts = [text for _, text in kept]

    def __len__(self) -> int:
        return len(self.neutral)


def neutral(n: int, seed: int = SEED, folder: Path = SHARED) -> Iterator[Json]:
    """The shared generator's ``n`` neutral requests for ``seed``."""
    generate = shared("gen_requests", folder).generate
    yield from generate(n, seed)


def corpus(n: int, seed: int = SEED, folder: Path = SHARED) -> Corpus:
    """``n`` generated requests (less those without a request date), mapped once."""
    kept = [r for r in neutral(n, seed, folder) if r["request_date"] is not None]
    return Corpus(kept, n - len(kept))


def write_jsonl(paths: Mapping[int, Path], seed: int = SEED, folder: Path = SHARED) -> None:
    """Write the first ``n`` dated requests to ``paths[n]`` for each ``n``, in one pass.

    Streamed (nothing kept in memory); the generator's output for a seed does not depend
    on how many it is asked for, so a smaller file is the start of a larger one.
    """
    sizes = sorted(paths)
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    files = {n: paths[n].open("w", encoding="utf-8") for n in sizes}
    try:
        written = 0
        for index, r in enumerate(neutral(2 * sizes[-1] + 100, seed, folder)):
            if r["request_date"] is None:
                continue
            line = dumps(to_request(r, index)) + "\n"
            for n in sizes:
                if written < n:
                    files[n].write(line)
            written += 1
            if written == sizes[-1]:
                break
    finally:
        for file in files.values():
            file.close()
