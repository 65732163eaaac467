"""MkDocs hooks that add the generated policy pages, their label lists and the local Mermaid copy."""

from __future__ import annotations

import json
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from policy_pages import POLICY_NAMES, policy_labels, render_policy_page

MERMAID_DEST = "assets/javascripts/mermaid.min.js"
MERMAID_SOURCE = Path("docs-vendor/node_modules/mermaid/dist/mermaid.min.js")


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Add one page and one labels.json per policy, and the vendored Mermaid script."""
    for name in POLICY_NAMES:
        files.append(
            File.generated(
                config, f"policies/{name}.md", content=render_policy_page(name)
            )
        )
        files.append(
            File.generated(
                config, f"policies/{name}/labels.json", content=_labels_json(name)
            )
        )
    files.append(
        File.generated(config, MERMAID_DEST, abs_src_path=str(_mermaid_path(config)))
    )
    return files


def _labels_json(name: str) -> str:
    """Return the JSON document that tells the browser check which labels the page must show."""
    return json.dumps({"policy": name, "labels": policy_labels(name)}, indent=2) + "\n"


def _mermaid_path(config: MkDocsConfig) -> Path:
    """Return the path of the npm-installed mermaid.min.js, or fail the build with how to get it."""
    path = Path(config.config_file_path).parent / MERMAID_SOURCE
    if not path.is_file():
        raise PluginError(
            f"{path} is missing; run `npm ci --prefix docs-vendor` (the nox docs session does)."
        )
    return path
