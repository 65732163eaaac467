"""The project's whole toolbox: ``nox -s tests lint typecheck docs docs_browser bench stress``."""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_external_run = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
ROOT = Path(__file__).parent
BUILD = ROOT / "build"
SITE = ROOT / "site"
CHROMIUM = Path("/usr/bin/chromium")


#: The fictional teaching policy, a separate package as a plan's own would be.
QUELLIMAB = "./examples/quellimab-policy"


def _install(session: nox.Session, *groups: str) -> None:
    """Install the project and the teaching policy (as wheels, the way users get them).

    The ``serve`` extra comes too: the tests start the service, and mypy reads it; so do
    ``dask`` (the tests replay on a local Dask cluster) and ``report`` (the replay's chart,
    which the docs draw), and ``fhir`` (the tests parse what umpolicy writes in FHIR with
    the FHIR models).
    """
    session.install(".[serve,dask,report,fhir]", QUELLIMAB)
    for group in groups:
        session.install(*nox.project.dependency_groups(PYPROJECT, group))


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite with branch coverage of src/ and policies/ (100% required)."""
    _install(session, "tests")
    session.run("coverage", "erase")
    session.run("coverage", "run", "-m", "pytest", *session.posargs)
    session.run("coverage", "combine")
    session.run("coverage", "report")


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and common mistakes with ruff."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check the package, the policies, the tests and this noxfile with mypy --strict."""
    _install(session, "typecheck")
    session.run(
        "mypy", "src", "policies", "tests", "benchmarks", "docs/hooks", "scripts", "noxfile.py"
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Time umpolicy beside ../shared/bench's peers, then `umpolicy batch` (figures, not a test).

    Arguments go to benchmarks/bench.py (``nox -s bench -- -n 20000`` for a quick run).
    """
    _install(session, "bench")
    session.run("python", "benchmarks/bench.py", *session.posargs)
    session.run("python", "benchmarks/batch.py")


@nox.session
def bench_parts(session: nox.Session) -> None:
    """µs per request of each stage of JSON in → decision JSON out, beside the peers.

    Where the bench's time goes, stage by stage (figures, not a test). Arguments go to
    benchmarks/parts.py (``nox -s bench_parts -- -n 2000``).
    """
    _install(session, "bench")
    session.run("python", "benchmarks/parts.py", *session.posargs)


@nox.session
def replay_bench(session: nox.Session) -> None:
    """Requests/s of `umpolicy replay` at 100,000 and 1,000,000 requests, 1 and 2 jobs.

    Figures, not a test. Arguments go to benchmarks/replay.py (``nox -s replay_bench --
    --sizes 20000`` for a quick run).
    """
    _install(session)
    session.run("python", "benchmarks/replay.py", *session.posargs)


@nox.session
def serve_bench(session: nox.Session) -> None:
    """p50/p99 latency and throughput of `umpolicy serve` per endpoint, on loopback.

    Figures, not a test. Arguments go to benchmarks/serve_load.py (``nox -s serve_bench
    -- -n 500`` for a quick run).
    """
    _install(session)
    session.run("python", "benchmarks/serve_load.py", *session.posargs)


@nox.session
def stress(session: nox.Session) -> None:
    """Hostile requests per family: worst CPU time and peak memory each (figures, not a test).

    Arguments go to benchmarks/stress.py (``nox -s stress -- -n 50`` for a quick run).
    """
    _install(session, "tests")
    session.run("python", "benchmarks/stress.py", *session.posargs)


@nox.session
def mutants(session: nox.Session) -> None:
    """Mutation testing of the policies and the DSL's core: scores and every survivor.

    Not a default session, nor in .ci/run: it takes about 22 minutes on 2 processes.
    Arguments go to scripts/mutants.py (``nox -s mutants -- policies/proleukin.py``,
    ``-- --list`` to list the mutants, ``-- --jobs 4``).
    """
    _install(session, "tests")
    session.run("python", "scripts/mutants.py", *session.posargs)


def _build_site(session: nox.Session, group: str) -> None:
    """Install the docs tools and the project, fetch Mermaid from npm, build --strict."""
    session.env["NO_MKDOCS_2_WARNING"] = "1"
    _install(session, group)
    session.run(
        "npm",
        "ci",
        "--prefix",
        "docs-vendor",
        "--cache",
        str(BUILD / "npm-cache"),
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        external=True,
    )
    session.run("mkdocs", "build", "--strict", "--site-dir", str(SITE))


@nox.session
def docs(session: nox.Session) -> None:
    """Build the reviewers' site with mkdocs --strict: any warning fails the build."""
    _build_site(session, "docs")


@nox.session
def docs_browser(session: nox.Session) -> None:
    """Build the site, serve it on 127.0.0.1 and check it in Debian's headless Chromium."""
    _build_site(session, "docs-browser")
    if not CHROMIUM.is_file():
        if os.geteuid() != 0:
            session.error(f"{CHROMIUM} is missing; install Debian's chromium package (as root).")
        apt = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run("apt-get", "update", external=True, env=apt)
        session.run(
            "apt-get",
            "install",
            "-y",
            "--no-install-recommends",
            "chromium",
            "fonts-liberation",
            external=True,
            env=apt,
        )
    session.run(
        "python",
        "scripts/check_docs_in_browser.py",
        "--site-dir",
        str(SITE),
        "--out-dir",
        str(BUILD / "docs-check"),
        *session.posargs,
    )
    # One decision packet per outcome, printed to PDF and read back.
    session.run(
        "python", "scripts/check_packets_in_browser.py", "--out-dir", str(BUILD / "packets")
    )
