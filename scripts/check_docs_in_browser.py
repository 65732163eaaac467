"""Check the built docs site in headless Chromium the way a clinical reviewer would use it.

For each policy page it checks that the Mermaid flowchart rendered to SVG, that every
label in the page's labels.json is visible, that the site search finds a term, that
the page printed to PDF still holds every label, and that the browser asked no host
but the local server for anything. It exits non-zero and says why on any failure.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import (
    Browser,
    CDPSession,
    ConsoleMessage,
    Page,
    Request,
    Response,
    Route,
    sync_playwright,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from pypdf import PdfReader

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Belt and braces: even a request the recorder missed cannot leave the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
LOCAL_SCHEMES = {"data", "blob", "about"}
TIMEOUT_MS = 15_000


@dataclass
class Observations:
    """What the browser did while the checks ran: every request and every error it reported."""

    origin: str
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def is_local(self, url: str) -> bool:
        """Return whether url stays on the local server (or needs no network at all)."""
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES:
            return True
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def on_request(self, request: Request) -> None:
        """Record a request, and note it when it goes to another host."""
        self.requests.append(request.url)
        if not self.is_local(request.url):
            self.foreign.append(request.url)

    def on_response(self, response: Response) -> None:
        """Record a local response that failed."""
        if response.status >= 400:
            self.bad_responses.append(f"{response.status} {response.url}")

    def on_page_error(self, error: Exception) -> None:
        """Record an uncaught script error."""
        self.page_errors.append(str(error))

    def on_console(self, message: ConsoleMessage) -> None:
        """Record a console error."""
        if message.type == "error":
            self.console_errors.append(message.text)

    def route(self, route: Route) -> None:
        """Let local requests through and block any other, so the check itself sends nothing out."""
        if self.is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")


@dataclass
class Report:
    """The outcome of each named check, printed as a summary at the end."""

    lines: list[str] = field(default_factory=list)
    failed: bool = False

    def add(self, name: str, problems: list[str], detail: str) -> None:
        """Record one check as passed when problems is empty, else as failed with the problems."""
        if problems:
            self.failed = True
            self.lines.append(f"FAIL {name}: " + "; ".join(problems))
        else:
            self.lines.append(f"PASS {name}: {detail}")


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Return the command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--site-dir",
        type=Path,
        default=Path("site"),
        help="built site to serve and check",
    )
    parser.add_argument(
        "--url",
        help="check an already running local server at this URL instead of serving",
    )
    parser.add_argument(
        "--policy",
        action="append",
        help="policy to check (default: every policy with labels.json)",
    )
    parser.add_argument(
        "--label",
        action="append",
        default=[],
        help="extra label every policy page must show",
    )
    parser.add_argument(
        "--search-term", default="aldesleukin", help="term the site search must find"
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=Path("build/docs-check"),
        help="where PDFs and PNGs go",
    )
    return parser.parse_args(argv)


@contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    """Serve site_dir on 127.0.0.1 at a free port for the duration, yielding the base URL."""
    handler = partial(QuietHandler, directory=str(site_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    """A static file handler that does not log every request."""

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing."""


#: Where the generator writes label lists: the shipped policies, and the tutorial's
#: fictional policy.
LABEL_LISTS = ("policies/*/labels.json", "tutorial/*/labels.json")


@dataclass
class PolicyPage:
    """A policy page to check: its address under the site and the labels it must show."""

    page: str
    labels: list[str]


def policy_labels(site_dir: Path, policies: list[str] | None) -> dict[str, PolicyPage]:
    """Return each policy's page and labels as the page generator wrote them to labels.json."""
    paths = sorted(path for pattern in LABEL_LISTS for path in site_dir.glob(pattern))
    if not paths:
        raise SystemExit(f"no policies/*/labels.json under {site_dir}; build the site first")
    found: dict[str, PolicyPage] = {}
    for path in paths:
        document = json.loads(path.read_text(encoding="utf-8"))
        name = str(document["policy"])
        page = str(document.get("page", f"policies/{name}/"))
        found[name] = PolicyPage(page, [str(label) for label in document["labels"]])
    if policies is not None:
        missing = [name for name in policies if name not in found]
        if missing:
            raise SystemExit(f"no labels.json under {site_dir} for {', '.join(missing)}")
        found = {name: found[name] for name in policies}
    return found


def label_pattern(label: str) -> re.Pattern[str]:
    """Return a pattern that finds label as a whole label (1.A.i is not in 11.A.i or 1.A.ii)."""
    return re.compile(r"(?<![\w.])" + re.escape(label) + r"(?![\w]|\.\w)")


def check_mermaid(page: Page, cdp: CDPSession) -> list[str]:
    """Return problems unless every Mermaid block became a visible, non-error SVG."""
    try:
        page.wait_for_function(
            "() => !document.querySelector('pre.mermaid')"
            " && !!document.querySelector('div.mermaid')",
            timeout=TIMEOUT_MS,
        )
    except PlaywrightTimeoutError:
        return [
            f"Mermaid did not render within {TIMEOUT_MS // 1000} s "
            "(a syntax error, or no local mermaid.min.js: see errors)"
        ]
    # Material renders into a closed shadow root, which only CDP's piercing DOM walk can see.
    document = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})
    containers = list(find_nodes(document["root"], "DIV", "mermaid"))
    if not containers:
        return ["no .mermaid container on the page"]
    problems: list[str] = []
    for index, container in enumerate(containers):
        svgs = [
            svg
            for root in container.get("shadowRoots", [])
            for svg in find_nodes(root, "svg", None)
        ]
        if not svgs:
            problems.append(f"diagram {index}: no <svg> inside the .mermaid container")
            continue
        attributes = node_attributes(svgs[0])
        if attributes.get("aria-roledescription") == "error":
            problems.append(f"diagram {index}: Mermaid rendered its syntax-error picture")
        box = cdp.send("DOM.getBoxModel", {"backendNodeId": svgs[0]["backendNodeId"]})["model"]
        if box["width"] < 50 or box["height"] < 50:
            problems.append(f"diagram {index}: the SVG is only {box['width']}x{box['height']} px")
    return problems


def find_nodes(node: dict[str, Any], name: str, css_class: str | None) -> Iterator[dict[str, Any]]:
    """Yield node and its light-DOM descendants named name that carry css_class (if given)."""
    if node.get("nodeName") == name:
        classes = node_attributes(node).get("class", "").split()
        if css_class is None or css_class in classes:
            yield node
    for child in node.get("children", []):
        yield from find_nodes(child, name, css_class)


def node_attributes(node: dict[str, Any]) -> dict[str, str]:
    """Return a CDP node's flat attribute list as a dict."""
    flat: list[str] = node.get("attributes", [])
    return dict(zip(flat[::2], flat[1::2], strict=True))


def check_labels_visible(page: Page, labels: list[str]) -> list[str]:
    """Return the labels no visible element on the page shows."""
    missing: list[str] = []
    for label in labels:
        matches = page.get_by_text(label_pattern(label)).all()
        if not any(match.is_visible() for match in matches):
            missing.append(label)
    return [f"not visible: {', '.join(missing)}"] if missing else []


def check_pdf(page: Page, labels: list[str], pdf_path: Path) -> list[str]:
    """Print the page to pdf_path and return the labels its text lacks."""
    page.pdf(path=str(pdf_path), format="A4", print_background=True)
    reader = PdfReader(pdf_path)
    text = " ".join(" ".join((pdf_page.extract_text() or "").split()) for pdf_page in reader.pages)
    missing = [label for label in labels if not label_pattern(label).search(text)]
    return [f"missing from {pdf_path}: {', '.join(missing)}"] if missing else []


def check_search(page: Page, base_url: str, term: str) -> list[str]:
    """Type term into the home page's search box; problems unless a policy page is found."""
    page.goto(base_url, wait_until="networkidle")
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(term, delay=20)
    results = page.locator(".md-search-result__item a")
    try:
        results.first.wait_for(state="visible", timeout=TIMEOUT_MS)
    except PlaywrightTimeoutError:
        return [f"no search result for {term!r}"]
    hrefs = [results.nth(index).get_attribute("href") or "" for index in range(results.count())]
    if not any("/policies/" in href for href in hrefs):
        return [f"search for {term!r} found no policy page, only {hrefs}"]
    if term.lower() not in (results.first.inner_text() or "").lower():
        return [f"the first result for {term!r} does not show the term"]
    return []


def check_policy_page(
    page: Page, cdp: CDPSession, url: str, labels: list[str], out: Path, report: Report
) -> None:
    """Run the page checks on one policy page and add them to report."""
    page.goto(url, wait_until="networkidle")
    report.add(f"{url} diagram", check_mermaid(page, cdp), "Mermaid flowchart rendered to SVG")
    page.screenshot(path=str(out.with_suffix(".png")), full_page=True)
    report.add(
        f"{url} labels",
        check_labels_visible(page, labels),
        f"{len(labels)} labels visible",
    )
    report.add(
        f"{url} PDF",
        check_pdf(page, labels, out.with_suffix(".pdf")),
        f"{out.with_suffix('.pdf')} holds all labels",
    )


def run_checks(browser: Browser, base_url: str, args: argparse.Namespace) -> Report:
    """Run every check against the site at base_url and return the report."""
    report = Report()
    parts = urlsplit(base_url)
    seen = Observations(origin=f"{parts.scheme}://{parts.netloc}")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    context.route("**/*", seen.route)
    context.on("request", seen.on_request)
    context.on("response", seen.on_response)
    page = context.new_page()
    page.on("pageerror", seen.on_page_error)
    page.on("console", seen.on_console)
    cdp = context.new_cdp_session(page)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name, listing in policy_labels(args.site_dir, args.policy).items():
        url = urljoin(base_url, listing.page)
        labels = listing.labels + args.label
        check_policy_page(page, cdp, url, labels, args.out_dir / name, report)
    report.add(
        "search",
        check_search(page, base_url, args.search_term),
        f"typing {args.search_term!r} finds a policy page",
    )
    context.close()
    report.add(
        "errors",
        seen.page_errors + seen.console_errors + seen.bad_responses,
        "no script, console or HTTP errors",
    )
    report.add(
        "requests",
        foreign_problems(seen),
        f"all {len(seen.requests)} requests went to {seen.origin}",
    )
    return report


def foreign_problems(seen: Observations) -> list[str]:
    """Return one problem per request that went to another host, or none."""
    if not seen.requests:
        return ["the recorder saw no request at all"]
    return [f"request to another host: {url}" for url in dict.fromkeys(seen.foreign)]


def main(argv: list[str]) -> int:
    """Serve the site if needed, run the checks in headless Chromium, return the exit code."""
    args = parse_args(argv)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            if args.url:
                report = run_checks(browser, args.url.rstrip("/") + "/", args)
            else:
                with serve(args.site_dir) as base_url:
                    report = run_checks(browser, base_url, args)
        finally:
            browser.close()
    print("\n".join(report.lines))
    if report.failed:
        print("docs browser check FAILED", file=sys.stderr)
        return 1
    print(f"docs browser check passed; PDFs and screenshots in {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
