"""Renderers of a revision's diff (:mod:`umpolicy.engine.diff`): terminal text and Markdown.

Every word shown is a version's own, read from its tree; words a version reconstructs
(:class:`~umpolicy.policy.Provenance`) are marked where they are shown, and the
provenance is quoted once at the top, with the history's note on its dates.
"""

from __future__ import annotations

from collections.abc import Iterator

from umpolicy.engine.diff import Change, Line, PolicyDiff, Relettering, Version
from umpolicy.render.escape import markdown as _md

#: The mark on words a version reconstructs; the provenance at the top explains it.
RECONSTRUCTED = "(reconstructed)"
#: What a diff without changes to the criteria and dosing says.
SAME = "The criteria and dosing are the same in both versions."


def _same(diff: PolicyDiff) -> str:
    """:data:`SAME`, unless a value set or a derived fact the lines read changed: then that."""
    if not diff.read_changed:
        return SAME
    return (
        "The criteria and dosing say the same words in both versions, but what they read "
        f"changed ({', '.join(diff.read_changed)}): decisions may differ."
    )


def _shown(line: Line) -> str:
    return f"{line.words} {RECONSTRUCTED}" if line.reconstructed else line.words


def _side(version: Version) -> str:
    policy = version.policy
    dates = f", in force {version.dates}" if version.dates else ""
    return f"{policy.name} version {policy.version}{dates}"


def _title(change: Change) -> str:
    """``reworded 2.B``, ``removed 2.C``, ``reworded 2.C (was 2.D)``."""
    if change.before is None:
        assert change.after is not None
        return f"{change.kind.value} {change.after.label}"
    if change.after is None or change.after.label == change.before.label:
        return f"{change.kind.value} {change.before.label}"
    return f"{change.kind.value} {change.after.label} (was {change.before.label})"


def _about(diff: PolicyDiff) -> Iterator[tuple[str, str]]:
    """The header's facts: each side, the provenance of each, the dates' note, metadata."""
    yield "Before", _side(diff.before)
    yield "After", _side(diff.after)
    for name, version in (("Before", diff.before), ("After", diff.after)):
        if version.policy.provenance is not None:
            yield f"{name}: reconstructed", version.policy.provenance.text
    if diff.note:
        yield "Dates", diff.note
    for field, old, new in diff.metadata:
        if field == "revision note" and not old:  # the later version's note on the revision
            yield f"Revision note of version {diff.after.policy.version}", new
        elif field not in ("version", "in force"):
            yield field.capitalize(), f"{old or '(none)'} → {new or '(none)'}"


def _by_indication(diff: PolicyDiff) -> dict[str, tuple[list[Change], list[Relettering]]]:
    found: dict[str, tuple[list[Change], list[Relettering]]] = {}
    for change in diff.changes:
        found.setdefault(change.indication, ([], []))[0].append(change)
    for moved in diff.reletterings:
        found.setdefault(moved.indication, ([], []))[1].append(moved)
    return found


def _moves(moved: Relettering) -> str:
    return ", ".join(f"{old.label} → {new.label}" for old, new in moved.moves)


def _letters_only(moved: Relettering, before: str, after: str) -> str:
    """A heading's list of letters that follows a line added or removed, none relettered."""
    return (
        f"list of letters: {before} → {after}, in “{moved.heading}” (it follows the lines "
        "added or removed; no line relettered)"
    )


def diff_text(diff: PolicyDiff) -> str:
    """The diff as terminal text: the versions, the counts, then each indication's changes."""
    policy = diff.after.policy
    lines = [f"{policy.title}: what changed", ""]
    lines += [f"{name}: {value}" for name, value in _about(diff)]
    lines += ["", diff.summary.capitalize()]
    for indication, (changes, moved) in _by_indication(diff).items():
        lines += ["", indication]
        for change in changes:
            lines.append(f"  {_title(change)}")
            if change.before is not None:
                lines.append(f"    before: {_shown(change.before)}")
            if change.after is not None:
                lines.append(f"    after:  {_shown(change.after)}")
            for what, old, new in change.notes:
                lines += [f"    {what} before: {old}", f"    {what} after:  {new}"]
        for each in moved:
            if not each.moved:
                assert each.letters is not None  # a relettering moves a line, or the list
                lines.append(f"  {_letters_only(each, *each.letters)}")
                continue
            lines.append(f"  relettered {_moves(each)}: words and rules unchanged")
            lines += [f"    {old.label} → {new.label}: {_shown(new)}" for old, new in each.moves]
            if each.letters:
                lines.append(f"    list of letters: {each.letters[0]} → {each.letters[1]}")
    if not diff.changes and not diff.reletterings:
        lines += ["", _same(diff)]
    return "\n".join(lines) + "\n"


def _quoted(line: Line) -> str:
    mark = f" *{RECONSTRUCTED}*" if line.reconstructed else ""
    return f"“{_md(line.words)}”{mark}"


def diff_markdown(diff: PolicyDiff, heading: int = 1) -> str:
    """The diff as Markdown, for case notes and the docs.

    A table of the versions, then each indication's changes with both sides' words.
    ``heading`` is the level of the page's heading (sections are one below).
    """
    top, sub = "#" * heading, "#" * (heading + 1)
    policy = diff.after.policy
    lines = [
        f"{top} {_md(policy.title)}: {diff.before.policy.version} → {diff.after.policy.version}",
        "",
    ]
    lines += ["| | |", "| --- | --- |"]
    lines += [f"| {name} | {_md(value)} |" for name, value in _about(diff)]
    lines += ["", f"**{diff.summary.capitalize()}.**", ""]
    for indication, (changes, moved) in _by_indication(diff).items():
        lines += [f"{sub} {_md(indication)}", ""]
        for change in changes:
            lines += [f"- **{_md(_title(change))}**"]
            if change.before is not None:
                lines.append(f"    - before: {_quoted(change.before)}")
            if change.after is not None:
                lines.append(f"    - after: {_quoted(change.after)}")
            for what, old, new in change.notes:
                lines.append(f"    - {_md(what)}: {_md(old)} → {_md(new)}")
        for each in moved:
            if not each.moved:
                assert each.letters is not None  # a relettering moves a line, or the list
                lines.append(f"- {_md(_letters_only(each, *each.letters))}")
                continue
            lines.append(f"- **relettered {_md(_moves(each))}**: words and rules unchanged")
            lines += [f"    - {old.label} → {new.label}: {_quoted(new)}" for old, new in each.moves]
            if each.letters:
                lines.append(
                    f"    - list of letters: {_md(each.letters[0])} → {_md(each.letters[1])}"
                )
        lines.append("")
    if not diff.changes and not diff.reletterings:
        lines += [_md(_same(diff)), ""]
    return "\n".join(lines)
