"""MkDocs hooks: build the policy pages, examples and schemas from the deciding objects.

Nothing about a policy is typed into the docs: at build time this hook asks the
installed ``umpolicy`` for each shipped policy's page, its interpretations, the
tests that exercise each label (pytest's own collection), every example's decision
and audit trail, the shared vocabulary and the JSON Schemas; it also writes each
policy's label list next to its page for the browser check.

The fictional teaching policy (Quellimab, ``examples/quellimab-policy``), when it
is installed, gets its pages under the tutorial, marked fictional, and never among
the production policies.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

import umpolicy
from umpolicy import errors
from umpolicy.api import evaluate, to_json
from umpolicy.dsl import quantity
from umpolicy.engine.diff import diff
from umpolicy.history import InForce
from umpolicy.io import converter
from umpolicy.io.schema import MODELS, json_schema, schema_text
from umpolicy.policy import Policy
from umpolicy.registry import (
    BUNDLED,
    GROUP,
    entry_points,
    every_version,
    load_history,
    policy_by_hash,
)
from umpolicy.render.diff import diff_markdown
from umpolicy.render.pages import (
    anchor,
    interpretations_page,
    labels,
    policy_page,
    traceability_page,
    traced_labels,
)
from umpolicy.render.text import decision_markdown
from umpolicy.vocabulary.facts import FACTS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(ROOT))

from tests.traceability import all_labels_exercised  # noqa: E402

#: The fictional teaching policy: its name, its examples, and the notice on its pages.
FICTIONAL = "quellimab"
FICTIONAL_EXAMPLES = EXAMPLES / "quellimab-policy" / "examples"
FICTIONAL_NOTICE = (
    "Quellimab does not exist, and no health plan uses this policy. It is a fictional "
    "teaching policy, written for the tutorial and the tests; it is not one of the "
    "policies umpolicy ships."
)
#: A marker on a line of its own; what replaces it keeps the marker's indentation.
_MARKER = re.compile(r"^([ \t]*)<!-- umpolicy: ([a-z-]+)(?: ([\w./-]+))? -->[ \t]*$", re.M)
_FORM_ERRORS = {
    "policy": "proleukin",
    "date": "2026-02-30",
    "patient": {"weight": {"value": "70", "unit": "stone"}},
    "medication": {"route": "oral"},
    "dosage": "high",
}
_VALUE_ERRORS = {
    "policy": "proleukin",
    "date": "2026-03-02",
    "patient": {"birth_date": "2027-01-01", "weight": {"value": "-70", "unit": "kg"}},
    "medication": {"schedule": {"doses_per_cycle": -1}},
}
_ANSWER_ERRORS = {
    "policy": "proleukin",
    "date": "2026-03-02",
    "answers": {"proleukin": {"melanoma_metastatic": "yes", "lesion": []}},
}

_HELP_ERRORS = {
    "policy": "proleukin",
    "date": "2026-03-02",
    "kind": "Initial",
    "patient": {"birthdate": "1968-07-14", "weight": {"value": "160", "unit": "lbs"}},
    "medication": {"dose": {"value": "600000", "unit": "IU/kg"}},
}

_ERROR_EXAMPLES = {
    "form": _FORM_ERRORS,
    "value": _VALUE_ERRORS,
    "answers": _ANSWER_ERRORS,
    "help": _HELP_ERRORS,
}


def shipped() -> tuple[str, ...]:
    """The production policies: those umpolicy itself ships, sorted."""
    return tuple(
        sorted({ep.name for ep in entry_points(group=GROUP) if ep.value.startswith(f"{BUNDLED}.")})
    )


def fictional() -> Policy | None:
    """The fictional teaching policy, when its package is installed."""
    if FICTIONAL not in umpolicy.policy_names():
        return None
    return umpolicy.load_policy(FICTIONAL)


def _json_block(data: Any) -> str:
    return "```json\n" + json.dumps(data, indent=2, ensure_ascii=False) + "\n```\n"


def _indented(text: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in text.splitlines())


def _decided(paths: list[Path]) -> Iterator[str]:
    """Each request, then its decision and full trail as `umpolicy evaluate` prints them."""
    for path in paths:
        text = path.read_text(encoding="utf-8")
        decision = evaluate(text)
        policy = policy_by_hash(decision.policy.name, decision.policy.content_hash)
        yield from (
            f"## {path.parent.name}/{path.name}",
            "",
            f"Outcome: **{decision.outcome.value}**",
            "",
            '??? example "Request"',
            "",
            _indented(_json_block(json.loads(text))),
            "",
            decision_markdown(decision, policy).replace("### Outcome", "### Decision: outcome", 1),
            "",
        )


def _examples_page() -> str:
    lines = [
        "# Worked examples",
        "",
        "Every example request of the policies umpolicy ships (`examples/<policy>/`), decided "
        "by the engine while this site was built: the request, then the decision and its full "
        "audit trail exactly as `umpolicy evaluate --format markdown` prints them (the words "
        "of each criterion come from the policy; the decision names it by label).",
        "",
    ]
    for name in shipped():
        lines += _decided(sorted((EXAMPLES / name).glob("*.json")))
    return "\n".join(lines)


def _fictional_examples_page() -> str:
    lines = [
        "# Worked examples: Quellimab (fictional)",
        "",
        '!!! warning "Not a real policy"',
        "",
        f"    {FICTIONAL_NOTICE}",
        "",
        "Every example request of the fictional teaching policy "
        "(`examples/quellimab-policy/examples/`), decided while this site was built.",
        "",
        *_decided(sorted(FICTIONAL_EXAMPLES.glob("*.json"))),
    ]
    return "\n".join(lines)


def _generated(config: MkDocsConfig, uri: str, content: str) -> File:
    return File.generated(config, uri, content=content)


def _pages(policy: Policy, folder: str) -> list[dict[str, str]]:
    title = policy.name.title()
    suffix = " (fictional)" if folder == "tutorial" else ""
    return [
        {f"{title}{suffix}": f"{folder}/{policy.name}.md"},
        {f"{title}: interpretations{suffix}": f"{folder}/{policy.name}-interpretations.md"},
        {f"{title}: traceability{suffix}": f"{folder}/{policy.name}-traceability.md"},
    ]


# -- Versions: a page per earlier version, one per revision, and the policy page's list.


def _version_page(version: InForce, traceability: str) -> str:
    """An earlier version's page: its policy page, with its dates and provenance first.

    Its reconstructed lines are marked where they are shown. The links to tests are left
    out: the tests (on the current version's ``traceability`` page) are the current's.
    """
    policy = version.policy
    page = policy_page(policy, {}, traceability)
    page = re.sub(r"^[ \t]*- \[\d+ tests?\]\([^)]*\)\n", "", page, flags=re.M)
    said = [f"In force for requests dated {version.dates}; not the current version."]
    if policy.provenance is not None:
        said.append(f"**Reconstructed.** {policy.provenance.text}")
        for label in policy.provenance.labels:
            start = re.escape(f'<span id="{anchor(label)}"></span>**{label}** ')
            page = re.sub(rf"^([ \t]*- {start}.*)$", r"\1 *(reconstructed)*", page, flags=re.M)
    title, _, rest = page.partition("\n")
    title += f": version {policy.version}" + (" (reconstructed)" if policy.provenance else "")
    box = "\n\n".join(f"    {line}" for line in said)
    return f'{title}\n\n!!! warning "Version {policy.version}"\n\n{box}\n{rest}'


def _version_uri(policy: Policy) -> str:
    return f"policies/{policy.name}-{policy.version}.md"


def _changes_uri(old: InForce, new: InForce) -> str:
    return f"policies/{old.policy.name}-changes-{old.policy.version}-to-{new.policy.version}.md"


def _version_nav(policy: Policy) -> list[dict[str, str]]:
    """The nav entries of a policy's earlier versions and of each of its revisions."""
    history = load_history(policy.name)
    title = policy.name.title()
    pages = [
        {
            f"{title}: version {each.policy.version}"
            + (" (reconstructed)" if each.policy.provenance else ""): _version_uri(each.policy)
        }
        for each in history.versions[:-1]
    ]
    pages += [
        {f"{title}: changes {old.policy.version} → {new.policy.version}": _changes_uri(old, new)}
        for old, new in history.pairs()
    ]
    return pages


def _version_files(config: MkDocsConfig, policy: Policy) -> Iterator[File]:
    """The pages of a policy's earlier versions, and of each revision (its diff)."""
    history = load_history(policy.name)
    traceability = f"{policy.name}-traceability.md"
    for each in history.versions[:-1]:
        yield _generated(config, _version_uri(each.policy), _version_page(each, traceability))
    for old, new in history.pairs():
        changes = diff_markdown(diff(old, new, history.note))
        yield _generated(config, _changes_uri(old, new), changes)


def _with_versions(page: str, policy: Policy) -> str:
    """The policy page with the policy's versions listed, before its first section."""
    history = load_history(policy.name)
    rows = ["| Version | In force | Page | What changed |", "| --- | --- | --- | --- |"]
    for before, each in zip((None, *history.versions), history.versions, strict=False):
        shown = "this page"
        if each is not history.current:
            shown = f"[version {each.policy.version}]({_version_uri(each.policy)[9:]})"
        if each.policy.provenance is not None:
            shown += " (reconstructed)"
        changed = ""
        if before is not None:
            changed = f"[from {before.policy.version}]({_changes_uri(before, each)[9:]})"
        rows.append(f"| {each.policy.version} | {each.dates} | {shown} | {changed} |")
    lines = [
        "## Versions",
        "",
        "A request is decided under the version in force on its date "
        "(`umpolicy evaluate --as-of DATE` decides under another's).",
        "",
        *rows,
        "",
        *([history.note, ""] if history.note else []),
    ]
    head, mark, rest = page.partition("\n## ")
    if not mark:
        return page + "\n" + "\n".join(lines)
    return head + "\n" + "\n".join(lines) + "\n## " + rest


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Fill the nav: Policies with the shipped policies, the tutorial with the fictional one."""
    teaching = fictional()
    for entry in config.nav or []:
        if not isinstance(entry, dict):
            continue
        if "Policies" in entry:
            entry["Policies"] = [
                item
                for name in shipped()
                for item in _pages(umpolicy.load_policy(name), "policies")
            ]
            entry["Policies"] += [
                item for name in shipped() for item in _version_nav(umpolicy.load_policy(name))
            ]
        for key, section in entry.items():
            if key.startswith("Tutorial") and isinstance(section, list) and teaching is not None:
                section += _pages(teaching, "tutorial")
                section.append({"Quellimab examples (fictional)": "tutorial/examples.md"})
    return config


def _policy_files(
    config: MkDocsConfig,
    policy: Policy,
    folder: str,
    tests: dict[str, list[str]],
    notice: str | None = None,
) -> Iterator[File]:
    name = policy.name
    notes = f"{name}-interpretations.md"
    traced = f"{name}-traceability.md"
    page = _with_versions(policy_page(policy, tests, traced, notice), policy)
    interpretations = interpretations_page(policy, f"{name}.md")
    traceability = traceability_page(policy, tests, f"{name}.md")
    if notice:
        warning = f'!!! warning "Not a real policy"\n\n    {notice}\n'
        title, _, rest = interpretations.partition("\n")
        interpretations = f"{title}\n\n{warning}{rest}"
        title, _, rest = traceability.partition("\n")
        traceability = f"{title}\n\n{warning}{rest}"
    yield _generated(config, f"{folder}/{name}.md", page)
    yield _generated(config, f"{folder}/{notes}", interpretations)
    yield _generated(config, f"{folder}/{traced}", traceability)
    # For the browser check: the labels and interpretations the page must show (the
    # latter in print too), and each label's count of tests on the traceability page.
    listing = {
        "policy": name,
        "page": f"{folder}/{name}/",
        "labels": labels(policy),
        "interpretations": [item.text for item in policy.interpretations],
        "traceability": f"{folder}/{name}-traceability/",
        "tests": {label: len(tests.get(label, ())) for label in traced_labels(policy)},
    }
    yield _generated(
        config, f"{folder}/{name}/labels.json", json.dumps(listing, ensure_ascii=False)
    )


#: The generated corpus the replay page is built from (scripts/make_corpus.py writes it).
REPLAY_CORPUS = EXAMPLES / "proleukin" / "corpus.jsonl"


def _replay_files(config: MkDocsConfig) -> Iterator[File]:
    """The replay page: the shipped corpus decided under each pair of consecutive versions.

    Each pair's report (umpolicy.render.replay) with its chart, drawn now as an SVG file
    beside the page; without matplotlib the page says the chart needs the extra.
    """
    import itertools

    from umpolicy.registry import load_history
    from umpolicy.render.replay import chart_or_none, impact_markdown
    from umpolicy.replay import replay, version_notes

    requests = REPLAY_CORPUS.read_bytes().count(b"\n")
    lines = [
        "# What a revision changes: replay",
        "",
        "Every request of the generated corpus `examples/proleukin/corpus.jsonl` "
        f"({requests:,} made-up requests, not patients: "
        "`scripts/make_corpus.py` writes it, seeded) decided under each version of the "
        "policy and the next, whatever its date, and compared: how many requests move "
        "from each outcome to each other, and the criteria responsible, in the policy's "
        "words. This page was built with:",
        "",
        "```console",
    ]
    sections = []
    for before, after in itertools.pairwise(load_history("proleukin")):
        with REPLAY_CORPUS.open("rb") as corpus:
            result = replay(corpus, before.policy, after.policy, jobs=1)
        stem = f"replay/{before.policy.name}-{before.start}-{after.start}"
        svg = chart_or_none(result)
        if svg is not None:
            yield _generated(config, f"{stem}.svg", svg)
        lines.append(
            f"umpolicy replay examples/proleukin/corpus.jsonl --from {before.spec} "
            f"--to {after.spec} --format markdown"
        )
        notes = version_notes(before.policy, after.policy)
        chart = f"{stem}.svg" if svg is not None else None
        sections.append(impact_markdown(result, chart, notes, level=2))
    lines += ["```", "", *sections]
    yield _generated(config, "replay.md", "\n".join(lines))


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Add the generated pages (policies, interpretations, examples) and label lists."""
    tests = all_labels_exercised()
    for name in shipped():
        for file in _policy_files(
            config, umpolicy.load_policy(name), "policies", tests.get(name, {})
        ):
            files.append(file)
    teaching = fictional()
    if teaching is not None:
        traced = tests.get(teaching.name, {})
        for file in _policy_files(config, teaching, "tutorial", traced, FICTIONAL_NOTICE):
            files.append(file)
        files.append(_generated(config, "tutorial/examples.md", _fictional_examples_page()))
    files.append(_generated(config, "examples.md", _examples_page()))
    for name in shipped():  # each earlier version's page, and each revision's
        for file in _version_files(config, umpolicy.load_policy(name)):
            files.append(file)
    for file in _replay_files(config):  # the replay of the corpus, with its charts
        files.append(file)
    # The JSON Schemas as files, linked from the integrator guide: what `umpolicy schema` prints.
    production = every_version(shipped())
    for model in MODELS:
        text = schema_text(model, production)
        files.append(_generated(config, f"schemas/{model}.schema.json", text))
    return files


def _errors(request: dict[str, Any]) -> str:
    try:
        evaluate(json.dumps(request))
    except umpolicy.InputError as error:
        shown = "\n".join(str(e) for e in error.errors)
        return _json_block(request) + "\ngives\n\n```text\n" + shown + "\n```\n"
    raise ValueError(f"the docs' error example was accepted: {request}")


def _kind(node: dict[str, Any]) -> tuple[str, str | None]:
    """A field's type in words, and the definition it holds (an object, or objects listed)."""
    branch = next((b for b in node.get("anyOf", [node]) if b.get("type") != "null"), node)
    ref = branch.get("$ref", branch.get("items", {}).get("$ref", ""))
    name = ref.rpartition("/")[2] or None
    if name == "Quantity":
        unit = branch.get("properties", {}).get("unit", {}).get("description", "")
        return "quantity" + (
            f" ({unit.removeprefix('The UCUM unit: ').rstrip('.')})" if unit else ""
        ), None
    if "enum" in branch:
        return ", ".join(f"`{value}`" for value in branch["enum"]), None
    if branch.get("type") == "array":
        return ("list" if name else "list of codes"), name
    words = {"string": "text", "integer": "integer", "boolean": "yes or no", "object": "object"}
    kind = "date" if branch.get("format") == "date" else words.get(branch.get("type", ""), "object")
    return kind, name


def _request_fields() -> str:
    """The request's fields as a table, from the schema: each described by its model's docstring."""
    defs = json_schema(umpolicy.Request)["$defs"]
    rows = ["| Field | Type | What it is |", "| --- | --- | --- |"]

    def fields(model: str, prefix: str) -> None:
        for name, node in defs[model]["properties"].items():
            kind, inner = _kind(node)
            rows.append(f"| `{prefix}{name}` | {kind} | {node['description']} |")
            if inner is not None:
                fields(inner, f"{prefix}{name}{'[].' if kind == 'list' else '.'}")

    fields("Request", "")
    return "\n".join(rows) + "\n"


def _vocabulary() -> str:
    lines = ["| Fact | Type | Units or values | Meaning |", "| --- | --- | --- | --- |"]
    for spec in FACTS.values():
        kinds = ", ".join(f"`{u}`" for u in spec.units) or ", ".join(f"`{v}`" for v in spec.values)
        derived = (
            f" Derived from {', '.join(f'`{i}`' for i in spec.inputs)}." if spec.inputs else ""
        )
        lines.append(f"| `{spec.name}` | {spec.type} | {kinds} | {spec.description}{derived} |")
    return "\n".join(lines) + "\n"


def _limits() -> str:
    """The limits on a request, from the constants that enforce them."""
    rows = [
        ("A request's JSON text", f"{converter.MAX_REQUEST_BYTES:,} bytes"),
        (
            "FHIR JSON text (a PAS bundle, a CDS Hooks call, DTR's parameters), "
            "as `loads(text, limit=MAX_FHIR_BYTES)` reads it",
            f"{converter.MAX_FHIR_BYTES:,} bytes",
        ),
        ("Items in any list (diagnoses, therapies, codes, answers)", f"{converter.MAX_ITEMS}"),
        ("Characters in any text", f"{converter.MAX_TEXT:,}"),
        ("Levels of nesting in the answers", f"{converter.MAX_DEPTH}"),
        ("Digits in a number", f"{quantity.MAX_DIGITS}"),
        ("Exponent of a number", f"-{quantity.MAX_EXPONENT} to {quantity.MAX_EXPONENT}"),
        ("Problems listed in one error", f"{errors.MAX_ERRORS} (then how many more)"),
        ("Characters of a bad value quoted in a message", f"{errors.SHOWN}"),
    ]
    lines = ["| What | Limit |", "|---|---|", *(f"| {what} | {limit} |" for what, limit in rows)]
    return "\n".join(lines) + "\n"


def _example(argument: str | None) -> Path:
    return EXAMPLES / f"{argument or 'proleukin/melanoma-iv-approve'}.json"


def _insert(match: re.Match[str]) -> str:
    pad = match.group(1)
    return "\n".join(pad + line if line else line for line in _content(match).splitlines())


def _content(match: re.Match[str]) -> str:
    what, argument = match.group(2), match.group(3)
    if what == "policy-list":
        return "\n".join(
            f"- [{umpolicy.load_policy(name).drug}](policies/{name}.md) "
            f"([interpretations](policies/{name}-interpretations.md), "
            f"[traceability](policies/{name}-traceability.md))"
            for name in shipped()
        )
    if what == "schema":
        policies = [umpolicy.load_policy(name) for name in shipped()]
        return _json_block(json_schema(getattr(umpolicy, argument or ""), policies))
    if what == "request-fields":
        return _request_fields()
    if what == "vocabulary":
        return _vocabulary()
    if what == "example-request":
        return _json_block(json.loads(_example(argument).read_text(encoding="utf-8")))
    if what in ("example-decision", "example-trail"):
        text = _example(argument).read_text(encoding="utf-8")
        decision = evaluate(text, trail=what == "example-trail")
        return _json_block(json.loads(to_json(decision)))
    if what == "error-example":
        return _errors(_ERROR_EXAMPLES[argument or "form"])
    if what == "limits":
        return _limits()
    raise ValueError(f"unknown docs marker {match.group(0)}")


def on_page_markdown(markdown: str, **_: object) -> str:
    """Replace ``<!-- umpolicy: ... -->`` markers with generated content."""
    return _MARKER.sub(_insert, markdown)
