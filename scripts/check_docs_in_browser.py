"""Check the built docs site in headless Chromium the way a clinical reviewer would use it.

For each policy page it checks that the Mermaid flowcharts rendered to SVG and read at
the page's width (on screen and as printed: within the column, text not shrunk below
a readable size, each chart on one page with its heading), that every label in the
page's labels.json is visible, that the context's bullets are lists, that fact names
do not break inside a word, and that the page printed to PDF still holds every label
and every interpretation's full text. Its traceability page must show every label with
its test count; the integrator guide must render without overflowing the page or
cutting off a code block in print. The site search must find a term, and the browser
must ask no host but the local server for anything. It exits non-zero and says why on
any failure.
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
    ViewportSize,
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
#: The screen the checks use, and the printed page: A4 less the stylesheet's 12 mm
#: margins (186 mm wide, 273 mm tall) at 96 px per inch.
SCREEN: ViewportSize = {"width": 1280, "height": 900}
PRINT_WIDTH_PX = 703
PRINT_HEIGHT_PX = 1031
#: The smallest text a chart may show, in CSS px (about 8 pt on screen, 7 pt printed).
MIN_SCREEN_TEXT_PX = 11.0
MIN_PRINT_TEXT_PX = 9.5


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
    """A policy page to check: its address, labels, interpretations and traceability page."""

    page: str
    labels: list[str]
    interpretations: list[str] = field(default_factory=list)
    traceability: str | None = None
    tests: dict[str, int] = field(default_factory=dict)


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
        found[name] = PolicyPage(
            page,
            [str(label) for label in document["labels"]],
            [str(text) for text in document.get("interpretations", [])],
            document.get("traceability"),
            {str(label): int(count) for label, count in document.get("tests", {}).items()},
        )
    if policies is not None:
        missing = [name for name in policies if name not in found]
        if missing:
            raise SystemExit(f"no labels.json under {site_dir} for {', '.join(missing)}")
        found = {name: found[name] for name in policies}
    return found


def label_pattern(label: str) -> re.Pattern[str]:
    """Return a pattern that finds label as a whole label (1.A.i is not in 11.A.i or 1.A.ii)."""
    return re.compile(r"(?<![\w.])" + re.escape(label) + r"(?![\w]|\.\w)")


@dataclass
class Chart:
    """A rendered Mermaid chart: its SVG's box, its natural size and its font size."""

    index: int
    x: float
    width: float
    height: float
    natural_width: float
    font_px: float

    @property
    def text_px(self) -> float:
        """The chart's text size as shown: its font size times the SVG's scale."""
        return self.font_px * self.width / self.natural_width


def wait_for_mermaid(page: Page) -> list[str]:
    """Return problems unless Mermaid replaced every source block with a rendered chart."""
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
    return []


def charts(cdp: CDPSession) -> tuple[list[Chart], list[str]]:
    """Every chart's SVG geometry, and problems for a container without a good SVG."""
    # Material renders into a closed shadow root, which only CDP's piercing DOM walk can see.
    document = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})
    containers = list(find_nodes(document["root"], "DIV", "mermaid"))
    if not containers:
        return [], ["no .mermaid container on the page"]
    found: list[Chart] = []
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
            continue
        box = cdp.send("DOM.getBoxModel", {"backendNodeId": svgs[0]["backendNodeId"]})["model"]
        html = cdp.send("DOM.getOuterHTML", {"backendNodeId": svgs[0]["backendNodeId"]})
        size = re.search(r"font-size:\s*([\d.]+)px", html["outerHTML"])
        view = attributes.get("viewBox", "0 0 0 0").split()
        found.append(
            Chart(
                index,
                box["content"][0],
                box["width"],
                box["height"],
                float(view[2]) or box["width"],
                float(size.group(1)) if size else 16.0,
            )
        )
    return found, problems


def check_mermaid(page: Page, cdp: CDPSession) -> list[str]:
    """Return problems unless every Mermaid block became a visible, non-error SVG."""
    problems = wait_for_mermaid(page)
    if problems:
        return problems
    found, problems = charts(cdp)
    for chart in found:
        if chart.width < 50 or chart.height < 50:
            problems.append(
                f"diagram {chart.index}: the SVG is only {chart.width}x{chart.height} px"
            )
    return problems


def column(page: Page) -> tuple[float, float]:
    """The left and right edges of the page's content column, in CSS px."""
    box = page.locator("article.md-content__inner").bounding_box()
    if box is None:
        raise SystemExit("no article.md-content__inner on the page")
    return box["x"], box["x"] + box["width"]


def check_charts_fit(
    cdp: CDPSession, edges: tuple[float, float], min_text: float, max_height: float | None
) -> tuple[list[str], str]:
    """Return problems for a chart outside the column, with text too small, or too tall."""
    found, problems = charts(cdp)
    left, right = edges
    for chart in found:
        where = f"diagram {chart.index}"
        if chart.x < left - 1 or chart.x + chart.width > right + 1:
            problems.append(
                f"{where} is outside the column ({chart.x:.0f}-{chart.x + chart.width:.0f} "
                f"px, column {left:.0f}-{right:.0f})"
            )
        if chart.text_px < min_text:
            problems.append(f"{where}: its text is shown at {chart.text_px:.1f} px (< {min_text})")
        if max_height is not None and chart.height > max_height + 1:
            problems.append(
                f"{where} is {chart.height:.0f} px tall, taller than a page ({max_height})"
            )
    smallest = min((chart.text_px for chart in found), default=0.0)
    return problems, f"{len(found)} charts within the column, text at least {smallest:.1f} px"


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


def pdf_pages(page: Page, pdf_path: Path) -> list[str]:
    """Print the page to pdf_path and return each printed page's text, spaces collapsed."""
    page.pdf(path=str(pdf_path), format="A4", print_background=True)
    reader = PdfReader(pdf_path)
    return [" ".join((pdf_page.extract_text() or "").split()) for pdf_page in reader.pages]


def check_pdf(printed: list[str], labels: list[str], pdf_path: Path) -> list[str]:
    """Return the labels the printed text lacks."""
    text = " ".join(printed)
    missing = [label for label in labels if not label_pattern(label).search(text)]
    return [f"missing from {pdf_path}: {', '.join(missing)}"] if missing else []


def _squeezed(text: str) -> str:
    """Text without any whitespace: what survives the PDF's line breaks and hyphens' spaces."""
    return re.sub(r"\s+", "", text)


def check_pdf_holds(printed: list[str], texts: list[str], what: str) -> list[str]:
    """Return problems for each text the printed page does not carry in full."""
    whole = _squeezed(" ".join(printed))
    missing = [text[:60] for text in texts if _squeezed(text) not in whole]
    return [f"{what} not printed in full: {'; '.join(missing)}"] if missing else []


def check_charts_printed_with_headings(printed: list[str], headings: list[str]) -> list[str]:
    """Return problems unless each chart's heading and whole chart share one printed page.

    A chart's frame title ("Criteria 1: Cutaneous Melanoma") opens it and its outcomes
    ("insufficient information") close it: both must be on the heading's page.
    """
    problems: list[str] = []
    for heading in headings:
        title = heading.removeprefix("Decision tree: ")
        pages = [number for number, text in enumerate(printed, 1) if heading in text]
        if not pages:
            problems.append(f"{heading!r} is not printed")
            continue
        text = printed[pages[0] - 1].split(heading, 1)[1]
        opened = re.search(r"Criteria \S+: " + re.escape(title), text)
        if not (opened and "insufficient information" in text[opened.end() :]):
            problems.append(f"the chart under {heading!r} is not whole on page {pages[0]}")
    return problems


#: In the page: the context's paragraphs that end with a colon but are not followed by a list.
BULLETS_JS = """() => {
  const start = [...document.querySelectorAll('article h2')]
    .find(h => h.textContent.startsWith('Context and evidence'));
  if (!start) return {lists: 0, bad: []};
  let lists = 0; const bad = [];
  for (let el = start.nextElementSibling; el && el.tagName !== 'H2'; el = el.nextElementSibling) {
    if (el.tagName === 'UL') lists += el.children.length > 1 ? 1 : 0;
    if (el.tagName === 'P' && el.textContent.trim().endsWith(':')
        && !(el.nextElementSibling && el.nextElementSibling.tagName === 'UL')) {
      bad.push(el.textContent.trim().slice(0, 60));
    }
    const text = el.textContent.trim();
    if (el.tagName === 'P' && /^[•·]/.test(text)) bad.push(text.slice(0, 60));
  }
  return {lists, bad};
}"""


def check_bullets(page: Page) -> tuple[list[str], str]:
    """Return problems unless the context's introduced items are bullets, as in the policy."""
    found = page.evaluate(BULLETS_JS)
    problems = [f"not a list: {text!r}" for text in found["bad"]]
    return problems, f"{found['lists']} context lists are bulleted"


#: In the page: fact names (code.fact) one of whose parts between dots wraps onto two lines.
FACT_BREAKS_JS = """() => {
  const broken = [];
  const facts = document.querySelectorAll('article code.fact');
  for (const code of facts) {
    for (const node of code.childNodes) {
      if (node.nodeType !== Node.TEXT_NODE || !node.textContent) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(code.textContent);
    }
  }
  return {count: facts.length, broken: [...new Set(broken)]};
}"""


def check_fact_names(page: Page) -> tuple[list[str], str]:
    """Return problems for fact names broken inside a word (they may break after a dot)."""
    found = page.evaluate(FACT_BREAKS_JS)
    problems = [f"broken inside a word: {', '.join(found['broken'])}"] if found["broken"] else []
    if not found["count"]:
        problems.append("no fact name (code.fact) on the page")
    return problems, f"{found['count']} fact names break only after a dot"


#: In the page: code blocks whose text is wider than the block (cut off when printed).
CODE_CUT_JS = """() => [...document.querySelectorAll('article pre, article pre > code')]
  .filter(block => block.scrollWidth > block.clientWidth + 1)
  .map(block => block.textContent.trim().split('\\n')[0].slice(0, 50))"""


def check_code_blocks(page: Page) -> tuple[list[str], str]:
    """Return problems for a code block cut off at its edge."""
    cut = page.evaluate(CODE_CUT_JS)
    count = page.locator("article pre").count()
    return [f"code cut off: {', '.join(cut)}"] if cut else [], f"{count} code blocks fit"


def check_no_overflow(page: Page) -> tuple[list[str], str]:
    """Return problems when the page is wider than the window (it scrolls sideways)."""
    wide = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if wide[0] > wide[1]:
        return [f"the page is {wide[0]} px wide in a {wide[1]} px window"], ""
    return [], f"no sideways scroll at {wide[1]} px"


def printing(page: Page) -> None:
    """Lay the page out as it prints: print media, at the printed page's width."""
    page.emulate_media(media="print")
    page.set_viewport_size({"width": PRINT_WIDTH_PX, "height": PRINT_HEIGHT_PX})
    page.wait_for_timeout(300)


def on_screen(page: Page) -> None:
    """Back to the screen the checks use."""
    page.emulate_media(media="screen")
    page.set_viewport_size(SCREEN)
    page.wait_for_timeout(300)


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
    page: Page, cdp: CDPSession, url: str, listing: PolicyPage, out: Path, report: Report
) -> None:
    """Run the page checks on one policy page and add them to report."""
    labels = listing.labels
    page.goto(url, wait_until="networkidle")
    report.add(f"{url} diagram", check_mermaid(page, cdp), "Mermaid flowchart rendered to SVG")
    page.screenshot(path=str(out.with_suffix(".png")), full_page=True)
    report.add(
        f"{url} labels",
        check_labels_visible(page, labels),
        f"{len(labels)} labels visible",
    )
    report.add(
        f"{url} screen charts", *check_charts_fit(cdp, column(page), MIN_SCREEN_TEXT_PX, None)
    )
    report.add(f"{url} bullets", *check_bullets(page))
    report.add(f"{url} fact names", *check_fact_names(page))
    headings = [
        text.strip().rstrip("¶").strip()
        for text in page.locator("article h4").all_inner_texts()
        if text.startswith("Decision tree: ")
    ]
    printing(page)
    report.add(
        f"{url} printed charts",
        *check_charts_fit(cdp, column(page), MIN_PRINT_TEXT_PX, PRINT_HEIGHT_PX),
    )
    report.add(f"{url} printed fact names", *check_fact_names(page))
    report.add(f"{url} printed code", *check_code_blocks(page))
    pdf = out.with_suffix(".pdf")
    printed = pdf_pages(page, pdf)
    on_screen(page)
    report.add(f"{url} PDF", check_pdf(printed, labels, pdf), f"{pdf} holds all labels")
    report.add(
        f"{url} PDF interpretations",
        check_pdf_holds(printed, listing.interpretations, "interpretation"),
        f"{pdf} holds all {len(listing.interpretations)} interpretations in full",
    )
    report.add(
        f"{url} PDF charts",
        check_charts_printed_with_headings(printed, headings),
        f"each of {len(headings)} charts printed whole on its heading's page",
    )


#: In the traceability page: each label's heading, "<label>: <count> test(s)".
TRACED = re.compile(r"^(?P<label>.+): (?P<count>\d+) tests?$")


def check_traceability(page: Page, url: str, tests: dict[str, int]) -> tuple[list[str], str]:
    """Return problems unless every label has its heading with the count of its tests."""
    page.goto(url, wait_until="networkidle")
    shown: dict[str, int] = {}
    for text in page.locator("article h2").all_inner_texts():
        match = TRACED.match(text.strip().rstrip("¶").strip())
        if match:
            shown[match["label"]] = int(match["count"])
    problems = [
        f"{label}: shows {shown.get(label)}, expected {count}"
        for label, count in tests.items()
        if shown.get(label) != count
    ]
    if not tests:
        problems.append("labels.json lists no label's tests")
    return problems, f"{len(tests)} labels, each with its count of tests"


#: The integrator guide, which must render and fit its page.
GUIDE = "integrators/"
#: The integrator guides, each by its page and title: the guide, and its FHIR page.
GUIDES = ((GUIDE, "Integrating umpolicy"), ("fhir/", "FHIR: PAS, CRD and DTR"))


def check_guide(
    page: Page,
    base_url: str,
    out: Path,
    report: Report,
    guide: str = GUIDE,
    heading: str = "Integrating umpolicy",
) -> None:
    """An integrator guide renders, does not overflow the window, and prints code whole."""
    url = urljoin(base_url, guide)
    pdf = out / f"{guide.strip('/')}.pdf"
    page.goto(url, wait_until="networkidle")
    title = page.locator("article h1").all_inner_texts()
    rendered = [] if title and heading in title[0] else [f"no title on {url}"]
    report.add(f"{url} renders", rendered, "the guide's title is shown")
    report.add(f"{url} overflow", *check_no_overflow(page))
    printing(page)
    report.add(f"{url} printed code", *check_code_blocks(page))
    printed = pdf_pages(page, pdf)
    on_screen(page)
    report.add(
        f"{url} PDF",
        [] if any(heading in text for text in printed) else ["the title is not printed"],
        f"{pdf}: {len(printed)} pages",
    )


def run_checks(browser: Browser, base_url: str, args: argparse.Namespace) -> Report:
    """Run every check against the site at base_url and return the report."""
    report = Report()
    parts = urlsplit(base_url)
    seen = Observations(origin=f"{parts.scheme}://{parts.netloc}")
    context = browser.new_context(viewport=SCREEN, service_workers="block")
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
        listing.labels = listing.labels + args.label
        check_policy_page(page, cdp, url, listing, args.out_dir / name, report)
        traced = urljoin(base_url, listing.traceability or f"policies/{name}-traceability/")
        report.add(f"{traced} counts", *check_traceability(page, traced, listing.tests))
    for guide, heading in GUIDES:
        check_guide(page, base_url, args.out_dir, report, guide, heading)
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
