"""The printable decision packet: one self-contained HTML page per decision.

The page holds the worksheet (:mod:`umpolicy.render.worksheet`), the policy's
metadata, the request as received and a space for the reviewer's determination.
It makes no request to any other host (its style is inline, it has no script)
and prints to a clean PDF from any browser: sections are kept whole across pages
where they fit, headings stay with what follows, long lines wrap.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from umpolicy.engine.decision import Decision
from umpolicy.policy import Policy
from umpolicy.render.escape import one_line
from umpolicy.render.worksheet import Item, Row, Worksheet, worksheet

_STYLE = """
:root { color-scheme: light; }
body { font: 11pt/1.4 "Liberation Sans", Arial, Helvetica, sans-serif; color: #111;
  max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.4rem 0 .4rem; border-bottom: 1px solid #999; }
h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
.outcome { display: inline-block; padding: .1rem .5rem; border: 2px solid #111;
  font-weight: bold; }
.approve { background: #e6f4ea; } .clinician_review { background: #fff4e0; }
.not_recommended { background: #fde8e8; } .insufficient_information { background: #eef1fb; }
.reason, .row, .keep { break-inside: avoid; page-break-inside: avoid; }
.reason { border-left: 4px solid #555; padding: .2rem .6rem; margin: .6rem 0; }
.status { font-style: italic; }
.row { margin: .15rem 0; }
.found { margin: 0 0 0 1.2rem; padding: 0; list-style: square; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border: 1px solid #bbb; padding: .2rem .4rem; text-align: left; vertical-align: top;
  overflow-wrap: break-word; }
code, pre { font-family: "Liberation Mono", "Courier New", monospace; font-size: 9.5pt; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; border: 1px solid #bbb;
  padding: .5rem; background: #f7f7f7; }
blockquote { margin: .4rem 0 .4rem 1rem; padding-left: .6rem; border-left: 3px solid #999; }
.sign td { height: 2.2rem; }
.box { display: inline-block; width: .9rem; height: .9rem; border: 1px solid #111;
  vertical-align: middle; margin-right: .3rem; }
@page { margin: 16mm 14mm; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
"""


def _e(text: str) -> str:
    """Text as HTML on one line: a request's newline or bidirectional override shown, escaped."""
    return html.escape(one_line(text), quote=True)


def _lines(text: str) -> str:
    """JSON text as HTML kept as laid out (the request as received), any other text as :func:`_e`.

    Only JSON's own white space outside its strings is laid out: a line ends at a line
    feed, a carriage return or both (a file saved on Windows), and a tab indents.
    Inside a string each of these is an escape already, so every other character that
    would break or hide a line is shown as its escape.
    """
    return "\n".join(
        "\t".join(_e(part) for part in line.split("\t")) for line in _LINE_END.split(text)
    )


#: Where JSON text's lines end: a line feed, a carriage return, or both.
_LINE_END = re.compile(r"\r\n|\r|\n")


def _name(text: str) -> str:
    """A fact name or path as code that breaks only after a dot or an underscore."""
    escaped = _e(text).replace(".", ".<wbr>").replace("_", "_<wbr>")
    return f"<code>{escaped}</code>"


def _item(number: int, item: Item) -> Iterator[str]:
    yield '<div class="reason">'
    yield (f"<h3>{number}. {_e(item.label)} — <span class='status'>{_e(item.status)}</span></h3>")
    yield f"<p>Policy: {_e(item.words)}</p>"
    yield '<ul class="found">'
    yield from (f"<li>{_e(sentence)}</li>" for sentence in item.found)
    for ask in item.asks:
        yield (
            f"<li><strong>Ask the prescriber:</strong> {_e(ask.question)} "
            f"({_name(ask.fact)}, at {_name(ask.source)})</li>"
        )
    yield "</ul>"
    if item.facts:
        yield "<p>Facts read:</p><ul class='found'>"
        yield from (
            f"<li>{_name(f.name)} = {_e(f.value)} ({_name(f.source)})</li>" for f in item.facts
        )
        yield "</ul>"
    yield "</div>"


def _row(row: Row) -> Iterator[str]:
    pad = f"{row.depth * 1.5}rem"
    yield f'<div class="row" style="margin-left:{pad}">'
    yield (
        f"<span class='status'>[{_e(row.status)}]</span> <strong>{_e(row.label)}</strong> "
        f"{_e(row.words)}"
    )
    if row.found:
        yield '<ul class="found">'
        yield from (f"<li>{_e(sentence)}</li>" for sentence in row.found)
        yield "</ul>"
    yield "</div>"


def _sheet(sheet: Worksheet) -> Iterator[str]:
    yield '<section class="keep">'
    yield f'<h1><span class="outcome {_e(sheet.outcome)}">{_e(sheet.headline)}</span></h1>'
    yield f"<p><strong>{_e(sheet.drug)}</strong></p><ul>"
    if sheet.indication:
        yield f"<li>Deciding indication: <strong>{_e(sheet.indication)}</strong></li>"
    if sheet.path:
        yield f"<li>Path: {_e(sheet.path)}</li>"
    if sheet.authorization:
        yield f"<li>Authorization: {_e(sheet.authorization)}</li>"
    yield f"</ul><p>{_e(sheet.summary)}</p></section>"
    if sheet.reasons:
        yield "<h2>Reasons</h2>"
        for number, item in enumerate(sheet.reasons, 1):
            yield from _item(number, item)
    if sheet.next_steps or sheet.quoted:
        yield '<section class="keep"><h2>What the reviewer does next</h2>'
        yield from (f"<p>{_e(step)}</p>" for step in sheet.next_steps)
        yield from (f"<blockquote>{_e(quote)}</blockquote>" for quote in sheet.quoted)
        yield "</section>"
    if sheet.context:
        yield '<section class="keep"><h2>Context the policy gives</h2>'
        yield "<p>For the reviewer to confirm; umpolicy does not decide it.</p>"
        yield from (f"<blockquote>{_e(each)}</blockquote>" for each in sheet.context)
        yield "</section>"
    yield f'<p class="keep"><strong>{_e(sheet.automation)}</strong></p>'
    if sheet.tree:
        yield f"<h2>Criteria and dosing: {_e(sheet.indication or '')}</h2>"
        for row in sheet.tree:
            yield from _row(row)
    if sheet.others:
        yield '<section class="keep"><h2>Other indications</h2><ul>'
        yield from (f"<li>{_e(line)}</li>" for line in sheet.others)
        yield "</ul></section>"
    if sheet.exclusions:
        yield "<h2>Conditions not recommended</h2>"
        for row in sheet.exclusions:
            yield from _row(row)
    if sheet.facts:
        yield "<h2>Facts read</h2>"
        yield '<table><colgroup><col style="width:34%"><col style="width:36%"><col></colgroup>'
        yield "<thead><tr><th>Fact</th><th>Value</th><th>From</th></tr></thead><tbody>"
        yield from (
            f"<tr><td>{_name(f.name)}</td><td>{_e(f.value)}</td><td>{_name(f.source)}</td></tr>"
            for f in sheet.facts
        )
        yield "</tbody></table>"


def _policy(policy: Policy) -> Iterator[str]:
    yield '<section class="keep"><h2>Policy</h2><table><tbody>'
    for name, value in (
        ("Title", policy.title),
        ("Drug", policy.drug),
        ("Coverage criteria for", policy.plans),
        ("Version", policy.version),
        ("Effective", str(policy.effective)),
        ("Reviewed", str(policy.reviewed)),
        ("Policy tree (SHA-256)", policy.content_hash),
    ):
        yield f"<tr><th>{_e(name)}</th><td>{_e(value)}</td></tr>"
    yield "</tbody></table></section>"


def _determination() -> Iterator[str]:
    yield '<section class="keep"><h2>Reviewer’s determination</h2>'
    yield (
        "<p>umpolicy recommends; the reviewer decides. Record the determination here.</p>"
        "<p>"
        + " ".join(
            f'<span class="box"></span>{_e(choice)}&emsp;'
            for choice in ("Approve", "Approve with changes", "Deny", "Pend for information")
        )
        + "</p>"
    )
    yield '<table class="sign"><tbody>'
    for field in ("Rationale", "Reviewer and credentials", "Signature", "Date"):
        yield f"<tr><th style='width:30%'>{_e(field)}</th><td></td></tr>"
    yield "</tbody></table></section>"


def decision_html(decision: Decision, policy: Policy, request: str | None = None) -> str:
    """The decision packet as one HTML page: worksheet, policy, request, determination.

    ``request`` is the request as received (its JSON text), shown verbatim; the
    page makes no request to any other host.
    """
    sheet = worksheet(decision, policy)
    title = f"{sheet.headline} — {decision.request_id or 'request'} — {policy.name}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        *_sheet(sheet),
        *_policy(policy),
    ]
    if request is not None:
        parts += ["<h2>Request as received</h2>", f"<pre>{_lines(request)}</pre>"]
    parts += ['<section class="keep"><h2>Identifiers</h2><table><tbody>']
    parts += [
        f"<tr><th>{_e(name)}</th><td><code>{_e(value)}</code></td></tr>"
        for name, value in sheet.identifiers
    ]
    parts += ["</tbody></table></section>", *_determination(), "</body></html>"]
    return "\n".join(parts) + "\n"
