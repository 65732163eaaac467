"""Print one decision packet per outcome to PDF in headless Chromium, and check each.

For one shipped example of each outcome it writes the packet (``umpolicy evaluate
… --format html``), opens it in Chromium with every request to any other place
refused and recorded, checks that nothing is wider than the page on screen or in
print, prints it to PDF and reads the PDF back: the outcome, each reason's label,
"Automation: None.", the request's id and the reviewer's determination must all be
there. It exits non-zero and says why on any failure.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Page, Route, sync_playwright
from pypdf import PdfReader

from umpolicy.api import evaluate
from umpolicy.registry import load_policy
from umpolicy.render.html import decision_html
from umpolicy.render.worksheet import OUTCOME_WORDS

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).parent.parent
#: One example of each outcome (the approve and the three others, for one indication).
EXAMPLES = tuple(
    ROOT / "examples" / "proleukin" / f"rcc-{outcome}.json"
    for outcome in ("approve", "clinician-review", "insufficient-information", "not-recommended")
)
#: A printed packet that runs longer than this has lost its layout.
MAX_PAGES = 8


def _wider_than_the_page(page: Page) -> list[str]:
    """The elements whose content is wider than the page (cut off when printed)."""
    found: list[str] = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            return [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > width + 1
                             || e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0
                                && getComputedStyle(e).overflowX !== 'visible')
                .map(e => e.tagName + ': ' + e.textContent.slice(0, 60));
        }"""
    )
    return found


def check(out_dir: Path) -> list[str]:
    """Every problem found in the printed packets (none when all is well)."""
    problems: list[str] = []
    out_dir.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for example in EXAMPLES:
            text = example.read_text(encoding="utf-8")
            decision = evaluate(text)
            policy = load_policy(decision.policy.name)
            packet = out_dir / f"{example.stem}.html"
            packet.write_text(decision_html(decision, policy, text), encoding="utf-8")
            page = browser.new_page(viewport={"width": 800, "height": 1000})
            asked: list[str] = []

            def refuse(route: Route, asked: list[str] = asked, own: str = packet.as_uri()) -> None:
                if route.request.url == own:
                    route.continue_()
                else:
                    asked.append(route.request.url)
                    route.abort()

            page.route("**/*", refuse)
            page.goto(packet.as_uri())
            problems += [f"{example.stem}: asked {url}" for url in asked]
            for media in ("screen", "print"):
                page.emulate_media(media=media)
                problems += [
                    f"{example.stem} ({media}): too wide: {each}"
                    for each in _wider_than_the_page(page)
                ]
            pdf = out_dir / f"{example.stem}.pdf"
            page.pdf(path=str(pdf), format="Letter", print_background=True)
            page.close()
            reader = PdfReader(pdf)
            printed = " ".join((p.extract_text() or "") for p in reader.pages)
            printed = " ".join(printed.split())
            expected = [
                f"Recommendation: {OUTCOME_WORDS[decision.outcome]}",
                "Automation: None.",
                "Reviewer’s determination",
                "Request as received",
                decision.request_id or "",
                *(reason.label for reason in decision.reasons),
            ]
            problems += [
                f"{example.stem}: the PDF lacks {words!r}"
                for words in expected
                if words not in printed
            ]
            if len(reader.pages) > MAX_PAGES:
                problems.append(f"{example.stem}: {len(reader.pages)} pages (at most {MAX_PAGES})")
            print(f"{example.stem}: {len(reader.pages)} pages, {decision.outcome.value}")
        browser.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    """Write, print and check the packets; 0 when every check passed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "build" / "packets")
    args = parser.parse_args(argv)
    problems = check(args.out_dir)
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    if not problems:
        print(f"packets: every check passed ({len(EXAMPLES)} printed to {args.out_dir})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
