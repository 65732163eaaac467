"""The shipped replay corpus: the generator's seeded output, small, spanning both versions."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).parent.parent
CORPUS = ROOT / "examples" / "proleukin" / "corpus.jsonl"


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_corpus", ROOT / "scripts" / "make_corpus.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TestCorpus:
    """examples/proleukin/corpus.jsonl is scripts/make_corpus.py's output, under 3 MB."""

    def test_is_the_generators_output(self) -> None:
        assert CORPUS.read_text(encoding="utf-8") == generator().lines()

    def test_small(self) -> None:
        assert CORPUS.stat().st_size < 3_000_000

    def test_spans_both_versions_and_the_histology_cases(self) -> None:
        requests = [json.loads(line) for line in CORPUS.read_text().splitlines()]
        dates = sorted(r["date"] for r in requests)
        assert dates[0] < "2025-02-05" <= dates[-1]
        kidney = [r for r in requests if r["diagnoses"][0]["code"].startswith("C64")]
        answers = [r["answers"]["proleukin"].get("clear_cell_histology") for r in kidney]
        assert {True, False, None} <= set(answers)
        late = [r for r in kidney if r["date"] >= "2025-02-05"]
        assert all("clear_cell_histology" not in r["answers"]["proleukin"] for r in late)

    def test_same_seed_same_requests(self, tmp_path: Path) -> None:
        module = generator()
        out = tmp_path / "c.jsonl"
        module.main(["--seed", "7", "--size", "20", "--out", str(out)])
        assert out.read_text() == module.lines(7, 20)
        assert module.lines(7, 20) != module.lines(8, 20)
