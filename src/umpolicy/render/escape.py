r"""Text made safe for one line of a text or Markdown worksheet, whoever wrote it.

A worksheet's lines interleave the policy's words with what the request gave: an
id, a therapy's name, a diagnosis's display, a code. Nothing a request gives may
start a line of its own (``Recommendation: Approve`` under a "Not recommended"
headline) or, in Markdown, a heading, a list, a quote, a table row, a tag or a link.
So every string a renderer lays out passes through one of these functions:

* :func:`one_line` shows each character that would break or hide a line as its
  escape (``\n``, ``\t``, ``\x1b``, ``\u2028``, ``\u202e``), and a backslash as
  ``\\``, so that no two texts look alike;
* :func:`markdown` is :func:`one_line`, then Markdown's inline syntax escaped
  everywhere and its line-start syntax at the start;
* :func:`code` is :func:`one_line` as a Markdown code span, its fence longer than
  any run of backticks inside (and, in a table cell, its pipes escaped).

The policy's own words hold none of the characters :func:`one_line` escapes, so
they are laid out exactly as written.
"""

from __future__ import annotations

import re
import unicodedata

#: The escapes of the characters that have a short one.
_SHORT = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: Characters Markdown reads as inline markup (or, ``#``, as a heading's), anywhere.
_INLINE = re.compile(r"[\\`*_\[\]<>|#&~]")
#: What counts only at the start of a line: indentation, a list item's or a rule's mark.
_START = re.compile(r" |[-+](?= |$)|-(?=-)|[0-9]{1,9}(?=[.)]( |$))")


def _escape(char: str) -> str:
    short = _SHORT.get(char)
    if short is not None:
        return short
    if char.isprintable() or unicodedata.category(char) == "Zs":
        return char
    point = ord(char)
    if point <= 0xFF:
        return f"\\x{point:02x}"
    return f"\\u{point:04x}" if point <= 0xFFFF else f"\\U{point:08x}"


def one_line(text: str) -> str:
    r"""``text`` on one line: every control, format or line-separator character escaped.

    That is every character Python does not call printable (C0 and C1 controls, the
    line and paragraph separators, bidirectional overrides, zero-width characters, a
    lone surrogate) but a space of any width, and the backslash, shown as ``\\``.
    Read back as Python reads escapes, the result is ``text`` again.
    """
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(_escape(char) for char in text)


def markdown(text: str) -> str:
    """``text`` as Markdown that reads as that text and nothing else, on one line."""
    escaped = _INLINE.sub(lambda found: "\\" + found[0], one_line(text))
    start = _START.match(escaped)
    if start is None:
        return escaped
    if start[0] == " ":  # a character reference is text: what follows starts no block
        return f"&#32;{escaped[1:]}"
    at = start.end() if start[0][0].isdigit() else 0
    return f"{escaped[:at]}\\{escaped[at:]}"


def code(text: str, *, cell: bool = False) -> str:
    r"""``text`` as a Markdown code span on one line, whatever backticks it holds.

    In a table ``cell`` a pipe is escaped too: a table reads ``\|`` as a pipe even in
    code, and a bare one as the cell's end.
    """
    shown = one_line(text)
    runs = re.findall(r"`+", shown)
    fence = "`" * (max(map(len, runs), default=0) + 1)
    edges = {shown[:1], shown[-1:]}
    pad = " " if shown.strip(" ") and edges & {"`", " "} else ""
    span = f"{fence}{pad}{shown}{pad}{fence}"
    return span.replace("|", "\\|") if cell else span
