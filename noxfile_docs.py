"""Nox sessions that build the reviewers' docs site and check it in headless Chromium.

Import these into noxfile.py with `from noxfile_docs import docs, docs_browser`.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

ROOT = Path(__file__).parent
PYPROJECT = ROOT / "pyproject.toml"
DOCS_GROUP_SNIPPET = ROOT / "pyproject-docs-snippet.toml"
VENDOR_DIR = ROOT / "docs-vendor"
BUILD_DIR = ROOT / "build"
SITE_DIR = ROOT / "site"
PACKAGE_DIR = ROOT / "src" / "umpolicy"
CHROMIUM = Path("/usr/bin/chromium")


@nox.session(python="3.11")
def docs(session: nox.Session) -> None:
    """Build the docs site with mkdocs --strict, so any warning fails the build."""
    build_site(session, "docs")


@nox.session(python="3.11")
def docs_browser(session: nox.Session) -> None:
    """Build the docs site, serve it on 127.0.0.1 and check it in headless Chromium."""
    build_site(session, "docs-browser")
    ensure_chromium(session)
    session.run(
        "python",
        str(ROOT / "scripts" / "check_docs_in_browser.py"),
        "--site-dir",
        str(SITE_DIR),
        "--out-dir",
        str(BUILD_DIR / "docs-check"),
        *session.posargs,
    )


def build_site(session: nox.Session, group: str) -> None:
    """Install group and the project, fetch the vendored JavaScript and run mkdocs build --strict."""
    session.env["PIP_CACHE_DIR"] = str(BUILD_DIR / "pip-cache")
    session.env["NO_MKDOCS_2_WARNING"] = "1"
    session.install(*nox.project.dependency_groups(docs_groups(), group))
    if PYPROJECT.is_file() and PACKAGE_DIR.is_dir():
        session.install(str(ROOT))
    session.run(
        "npm",
        "ci",
        "--prefix",
        str(VENDOR_DIR),
        "--cache",
        str(BUILD_DIR / "npm-cache"),
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        external=True,
    )
    session.run(
        "mkdocs",
        "build",
        "--strict",
        "--config-file",
        str(ROOT / "mkdocs.yml"),
        "--site-dir",
        str(SITE_DIR),
    )


def docs_groups() -> dict[str, object]:
    """Return the TOML table holding the docs groups: pyproject.toml once merged, else the snippet."""
    if PYPROJECT.is_file():
        pyproject = nox.project.load_toml(PYPROJECT)
        if "docs" in pyproject.get("dependency-groups", {}):
            return pyproject
    return nox.project.load_toml(DOCS_GROUP_SNIPPET)


def ensure_chromium(session: nox.Session) -> None:
    """Install Debian's Chromium (as root, the way CI runs) when it is not there yet."""
    if CHROMIUM.is_file():
        return
    if os.geteuid() != 0:
        session.error(
            f"{CHROMIUM} is missing; install Debian's chromium package (needs root)."
        )
    apt_env = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run("apt-get", "update", external=True, env=apt_env)
    session.run(
        "apt-get",
        "install",
        "-y",
        "--no-install-recommends",
        "chromium",
        "fonts-liberation",
        external=True,
        env=apt_env,
    )
