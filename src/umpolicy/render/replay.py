"""A replay's report: a table for the terminal, Markdown, a self-contained HTML page, a chart.

The chart is a picture of the transitions a committee would rather look at than read:
a grid of old outcome (rows) against new outcome (columns), each square's count in it,
the changed squares coloured by how many requests moved. It is drawn by matplotlib as
SVG (glyphs as paths, no font or script to fetch), from the optional extra
``umpolicy[report]``; without the extra every report still works and says that the
chart needs it. Percentages are worked out exactly (integers, rounded half up).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from umpolicy.engine.decision import PolicyRef
from umpolicy.render.escape import code, one_line
from umpolicy.render.escape import markdown as _md
from umpolicy.replay import OUTCOMES, Cell, Impact

#: What the reports say when matplotlib is not installed.
NO_CHART = "The chart of the transitions needs the optional extra: pip install 'umpolicy[report]'."

#: The title of the report's notes: words or dates that are the project's, not the plan's.
NOT_THE_PLANS = "Not the plan's own"
_ARROW = "→"
_KEY = "grey: the same outcome; orange: changed (the darker, the more requests)"
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
#: The unchanged squares' grey, then the changed squares' four shades, lightest first.
_SHADES = ("#e5e7eb", "#fde8d0", "#f6ad7b", "#e4702e", "#a83b0c")


def _ref(ref: PolicyRef) -> str:
    """``NAME version 2022-01-01 (in force 2022-01-01 to 2025-02-04, content ...)``."""
    if ref.in_force_until is None:
        dates = f"in force from {ref.in_force_from}"
    else:
        dates = f"in force {ref.in_force_from} to {ref.in_force_until}"
    return f"{ref.name} version {ref.version} ({dates}, content hash {ref.content_hash[:12]})"


def share(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage with one decimal, exactly: ``25.3%``."""
    if not whole:
        return "0.0%"
    exact = Decimal(part * 100) / Decimal(whole)
    return f"{exact.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def _requests(count: int) -> str:
    return f"{count:,} request" + ("" if count == 1 else "s")


def _sample(cell: Cell) -> str:
    """The cell's sample of request ids, each on one line (a request's id is its text)."""
    return ", ".join(one_line(name) for name in cell.sample)


def _pair(cell: Cell) -> str:
    return f"{cell.old} {_ARROW} {cell.new}"


def headline(result: Impact) -> str:
    """One sentence: how many requests, and how many the revision changes."""
    changed, count = result.changed, result.requests
    return (
        f"{_requests(count)} replayed; {changed:,} "
        f"({share(changed, count)}) {'changes' if changed == 1 else 'change'} outcome."
    )


def _changes(result: Impact) -> Iterator[tuple[Cell, str, int]]:
    """Each changed cell's causes: the cell, the cause in words, its count of requests."""
    for cell in result.cells:
        if cell.changed:
            for cause in cell.causes:
                yield cell, cause.text, cause.requests


def impact_text(result: Impact) -> str:
    """The report as a table for the terminal, then each change's causes."""
    lines = [f"from: {_ref(result.old)}", f"to:   {_ref(result.new)}", headline(result), ""]
    width = max([len(_pair(cell)) for cell in result.cells] + [len("old → new")])
    lines.append(f"{'old → new':<{width}}  {'requests':>10}  {'share':>6}  sample")
    for cell in result.cells:
        mark = "*" if cell.changed else " "
        lines.append(
            f"{_pair(cell):<{width}}  {cell.requests:>10,}  "
            f"{share(cell.requests, result.requests):>6}{mark} {_sample(cell)}"
        )
    causes = list(_changes(result))
    if causes:
        lines += ["", "* changed; the criteria responsible (a request may count under several):"]
        for cell, text, count in causes:
            lines.append(f"  {text}: {_requests(count)} {_pair(cell)}")
    return "\n".join(lines) + "\n"


def impact_markdown(
    result: Impact, chart: str | None = None, notes: tuple[str, ...] = (), level: int = 1
) -> str:
    """The report in Markdown: ``chart`` is the chart image's address, if there is one.

    ``notes`` are said first, as admonitions (a reconstructed version says so, and
    dates in force that are a reading).
    """
    h = "#" * level
    out = [
        f"{h} Replay: {result.old.name} {result.old.version} {_ARROW} {result.new.version}",
        "",
    ]
    for note in notes:
        out += [f'!!! warning "{NOT_THE_PLANS}"', "", f"    {_md(note)}", ""]
    out += [
        f"- **From:** {_md(_ref(result.old))}",
        f"- **To:** {_md(_ref(result.new))}",
        f"- {headline(result)}",
        "",
        f"![Requests by old and new outcome]({chart})" if chart else f"*{NO_CHART}*",
        "",
        f"{h}# Outcomes",
        "",
        f"| old outcome | new outcome | requests | share | sample (up to {result.sample_size}) |",
        "|---|---|---:|---:|---|",
    ]
    for cell in result.cells:
        old, new = (f"**{x}**" if cell.changed else x for x in (cell.old, cell.new))
        sample = ", ".join(code(name, cell=True) for name in cell.sample)
        out.append(
            f"| {old} | {new} | {cell.requests:,} | {share(cell.requests, result.requests)} "
            f"| {sample} |"
        )
    causes = list(_changes(result))
    out += ["", f"{h}# What changed them", ""]
    if not causes:
        out.append("No request changes outcome.")
    else:
        out.append("The criteria responsible, in the policy's words (a request may count under ")
        out[-1] += "several):"
        out.append("")
        for cell, text, count in causes:
            out.append(f"- {_md(text)}: **{_requests(count)}** {cell.old} {_ARROW} {cell.new}")
    return "\n".join(out) + "\n"


_STYLE = """
body { font: 11pt/1.4 "Liberation Sans", Arial, Helvetica, sans-serif; color: #111;
  max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; }
table { border-collapse: collapse; } th, td { border: 1px solid #bbb; padding: .2rem .5rem; }
td.n { text-align: right; } tr.changed { background: #fff4e0; }
.note { border-left: 4px solid #555; padding: .2rem .6rem; }
svg { max-width: 100%; height: auto; }
"""


def impact_html(result: Impact, notes: tuple[str, ...] = ()) -> str:
    """The report as one self-contained HTML page, the chart inline (no other request)."""
    e = html.escape
    svg = chart_or_none(result)
    rows = "\n".join(
        f'<tr class="{"changed" if cell.changed else "same"}"><td>{e(cell.old)}</td>'
        f'<td>{e(cell.new)}</td><td class="n">{cell.requests:,}</td>'
        f'<td class="n">{share(cell.requests, result.requests)}</td>'
        f"<td>{e(_sample(cell))}</td></tr>"
        for cell in result.cells
    )
    causes = "\n".join(
        f"<li>{e(text)}: <strong>{_requests(count)}</strong> {e(_pair(cell))}</li>"
        for cell, text, count in _changes(result)
    )
    title = f"Replay: {result.old.name} {result.old.version} {_ARROW} {result.new.version}"
    parts = [
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{e(title)}'
        f"</title><style>{_STYLE}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        *(f'<p class="note">{e(note)}</p>' for note in notes),
        f"<p>From: {e(_ref(result.old))}<br>To: {e(_ref(result.new))}</p>",
        f"<p>{e(headline(result))}</p>",
        svg if svg is not None else f"<p><em>{e(NO_CHART)}</em></p>",
        "<h2>Outcomes</h2><table><tr><th>old outcome</th><th>new outcome</th>"
        f"<th>requests</th><th>share</th><th>sample</th></tr>\n{rows}</table>",
        "<h2>What changed them</h2>",
        f"<ul>{causes}</ul>" if causes else "<p>No request changes outcome.</p>",
        "</body></html>\n",
    ]
    return "\n".join(parts)


def chart_or_none(result: Impact) -> str | None:
    """:func:`chart_svg`, or ``None`` when matplotlib (the ``report`` extra) is missing."""
    try:
        return chart_svg(result)
    except ImportError:
        return None


def chart_svg(result: Impact) -> str:
    """The transitions as an SVG grid: old outcome by new, each count in its square.

    Raises :class:`ImportError` without matplotlib. The SVG is the same for the same
    result (fixed ids, no date), so a docs build is reproducible.
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    used = [o for o in OUTCOMES if any(o in (c.old, c.new) for c in result.cells)]
    index = {outcome: i for i, outcome in enumerate(used)}
    counts = {(c.old, c.new): c.requests for c in result.cells}
    most = max([c.requests for c in result.cells if c.changed] + [1])
    size = len(used)
    with rc_context({"svg.hashsalt": "umpolicy-replay", "svg.fonttype": "path"}):
        figure = Figure(figsize=(2.2 + 1.25 * size, 1.4 + 0.9 * size), layout="constrained")
        axes = figure.add_subplot()
        for (old, new), count in counts.items():
            row, column = index[old], index[new]
            # Changed squares darken in four steps with their share of the largest change.
            shade = 0 if old == new else -(-count * (len(_SHADES) - 1) // most)
            square = Rectangle((column - 0.48, row - 0.48), 0.96, 0.96, facecolor=_SHADES[shade])
            axes.add_patch(square)
            axes.text(
                column, row, f"{count:,}", ha="center", va="center", fontsize=10,
                color="white" if shade >= 3 else "#111",
            )  # fmt: skip
        labels = [outcome.replace("_", "\n") for outcome in used]
        axes.set_xlim(-0.5, size - 0.5)
        axes.set_ylim(size - 0.5, -0.5)
        axes.set_xticks(range(size), labels, fontsize=8)
        axes.set_yticks(range(size), labels, fontsize=8)
        axes.set_xlabel(f"new outcome ({result.new.version})")
        axes.set_ylabel(f"old outcome ({result.old.version})")
        axes.xaxis.set_label_position("top")
        axes.xaxis.tick_top()
        axes.set_aspect("equal")
        figure.supxlabel(
            "grey: the same outcome; orange: changed (the darker, the more)", fontsize=8
        )
        for side in axes.spines.values():
            side.set_visible(False)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return _METADATA.sub("", text[text.index("<svg") :])  # the element itself, no RDF
