"""MkDocs hook: serve the npm-installed Mermaid from the site itself, never from a CDN.

Material loads Mermaid from a CDN unless ``window.mermaid`` already exists; the
copy added here is listed in ``extra_javascript``, so it runs first and material
uses it.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

MERMAID_DEST = "assets/javascripts/mermaid.min.js"
MERMAID_SOURCE = Path("docs-vendor/node_modules/mermaid/dist/mermaid.min.js")


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Add the vendored Mermaid script to the site."""
    path = Path(config.config_file_path).parent / MERMAID_SOURCE
    if not path.is_file():
        raise PluginError(
            f"{path} is missing; run `npm ci --prefix docs-vendor` (the nox docs session does)."
        )
    files.append(File.generated(config, MERMAID_DEST, abs_src_path=str(path)))
    return files
