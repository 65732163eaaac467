"""MkDocs hooks: build the policy pages, examples and schemas from the deciding objects.

Nothing about a policy is typed into the docs: at build time this hook asks the
installed ``umpolicy`` for each registered policy's page, its interpretations, the
tests that exercise each label (pytest's own collection), every example's decision
and audit trail, and the JSON Schemas; it also writes each policy's label list next
to its page for the browser check.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

import umpolicy
from umpolicy.api import evaluate, to_json
from umpolicy.pages import interpretations_page, labels, policy_page
from umpolicy.render import decision_markdown
from umpolicy.schema import json_schema

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(ROOT))

from tests.traceability import labels_exercised  # noqa: E402

_MARKER = re.compile(r"<!-- umpolicy: ([a-z-]+)(?: (\w+))? -->")
_ERROR_EXAMPLE = {
    "date": "2026-02-30",
    "patient": {"weight": {"value": "-70", "unit": "kg"}},
    "regimen": {"route": "oral"},
    "dosage": "high",
}


def _json_block(data: Any) -> str:
    return "```json\n" + json.dumps(data, indent=2, ensure_ascii=False) + "\n```\n"


def _examples() -> list[Path]:
    return sorted(EXAMPLES.glob("*/*.json"))


def _examples_page() -> str:
    lines = [
        "# Worked examples",
        "",
        "Every request in `examples/`, decided by the engine while this site was built: the "
        "request, then the decision and its full audit trail exactly as "
        "`umpolicy evaluate --format markdown` prints them.",
        "",
    ]
    for path in _examples():
        text = path.read_text(encoding="utf-8")
        decision = evaluate(text)
        lines += [
            f"## {path.parent.name}/{path.name}",
            "",
            f"Outcome: **{decision.outcome.value}**",
            "",
            '??? example "Request"',
            "",
            "    " + _json_block(json.loads(text)).replace("\n", "\n    "),
            "",
            decision_markdown(decision).replace("### Outcome", "### Decision: outcome", 1),
            "",
        ]
    return "\n".join(lines)


def _generated(config: MkDocsConfig, uri: str, content: str) -> File:
    return File.generated(config, uri, content=content)


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Fill the nav's Policies section with every registered policy's pages."""
    for entry in config.nav or []:
        if isinstance(entry, dict) and "Policies" in entry:
            entry["Policies"] = [
                item
                for name in umpolicy.policy_names()
                for item in (
                    {name.title(): f"policies/{name}.md"},
                    {f"{name.title()}: interpretations": f"policies/{name}-interpretations.md"},
                )
            ]
    return config


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Add the generated pages (policies, interpretations, examples) and label lists."""
    tests = labels_exercised()
    for name in umpolicy.policy_names():
        policy = umpolicy.load_policy(name)
        page = f"policies/{name}.md"
        notes = f"{name}-interpretations.md"
        files.append(_generated(config, page, policy_page(policy, tests, notes)))
        files.append(
            _generated(config, f"policies/{notes}", interpretations_page(policy, f"{name}.md"))
        )
        listing = json.dumps({"policy": name, "labels": labels(policy)}, ensure_ascii=False)
        files.append(_generated(config, f"policies/{name}/labels.json", listing))
    files.append(_generated(config, "examples.md", _examples_page()))
    return files


def _insert(match: re.Match[str]) -> str:
    what, argument = match.group(1), match.group(2)
    if what == "policy-list":
        return "\n".join(
            f"- [{umpolicy.load_policy(name).drug}](policies/{name}.md) "
            f"([interpretations](policies/{name}-interpretations.md))"
            for name in umpolicy.policy_names()
        )
    if what == "schema":
        return _json_block(json_schema(getattr(umpolicy, argument)))
    first = _examples()[0]
    if what == "example-request":
        return _json_block(json.loads(first.read_text(encoding="utf-8")))
    if what == "example-decision":
        decision = evaluate(first.read_text(encoding="utf-8"), trail=False)
        return _json_block(json.loads(to_json(decision)))
    if what == "error-example":
        try:
            evaluate(json.dumps(_ERROR_EXAMPLE))
        except umpolicy.InputError as error:
            shown = "\n".join(str(e) for e in error.errors)
            return _json_block(_ERROR_EXAMPLE) + "\ngives\n\n```text\n" + shown + "\n```\n"
    raise ValueError(f"unknown docs marker {match.group(0)}")


def on_page_markdown(markdown: str, **_: object) -> str:
    """Replace ``<!-- umpolicy: ... -->`` markers with generated content."""
    return _MARKER.sub(_insert, markdown)
