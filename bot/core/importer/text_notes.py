"""Notes in a plain-text file made into footnotes: see :mod:`.text`.

``*`` translator's notes are paired with the markers before them, and ``Notes to Chapter N``
sections of numbered notes with the ``[N]`` markers since the previous such section.
"""

from __future__ import annotations

import re

from bot.core.importer.text_blocks import _Item

_STAR_MARK_RE = re.compile(r"\s?(?<![*\w])\*(?:\((\d+)\))?(?![*\w])")
_NUMBERED_NOTE_RE = re.compile(r"^(\d+)\.\s+(\S.*)$", re.DOTALL)
_BRACKET_REF_RE = re.compile(r"\s?\[(\d+)\]")


def _star_notes(items: list[_Item]) -> int:
    """Pair indented ``* note`` paragraphs with ``*`` markers in the paragraphs before them."""
    count = 0
    pending: list[tuple[int, int]] = []  # (item index, marker number), oldest first
    last_note = -1
    for index, item in enumerate(items):
        if item.star is None:
            if item.kind == "paragraph":
                pending += [
                    (index, int(m.group(1) or 1)) for m in _STAR_MARK_RE.finditer(item.text)
                ]
                pending = pending[-20:]
            elif item.kind == "heading":
                pending = []
            continue
        match = next(
            (p for p in reversed(pending) if p[1] == item.star and p[0] > last_note - 10), None
        )
        if match is None:
            item.star = None  # an indented line that starts with "*": keep it as text
            continue
        pending.remove(match)
        count += 1
        label = str(count)
        target = items[match[0]]
        target.text = _replace_first_marker(target.text, item.star, f"[^{label}]")
        item.kind, item.label, item.star, item.text = "note", label, None, item.note_text
        last_note = index
    return count


def _replace_first_marker(text: str, number: int, ref: str) -> str:
    for match in _STAR_MARK_RE.finditer(text):
        if int(match.group(1) or 1) == number:
            return text[: match.start()] + ref + text[match.end() :]
    return text


def _numbered_notes(items: list[_Item]) -> int:
    """Make ``Notes to Chapter N`` sections of ``1. ...`` paragraphs into footnotes."""
    groups = [i for i, item in enumerate(items) if item.notes_heading]
    count = 0
    scope_start = 0
    for group_number, heading_index in enumerate(groups, start=1):
        notes: dict[str, int] = {}
        end = heading_index + 1
        while end < len(items) and items[end].kind != "heading":
            match = _NUMBERED_NOTE_RE.match(items[end].text)
            if match and items[end].kind == "paragraph":
                notes.setdefault(match.group(1), end)
            end += 1
        prefix = f"{group_number}." if len(groups) > 1 else ""
        used = 0
        for index in range(scope_start, heading_index):
            item = items[index]
            if item.kind == "paragraph" and item.label is None:
                item.text, refs = _bracket_refs(item.text, notes, prefix)
                used += refs
        if used:
            for number, index in notes.items():
                match = _NUMBERED_NOTE_RE.match(items[index].text)
                assert match is not None
                items[index] = _Item("note", match.group(2), label=f"{prefix}{number}")
            items[heading_index].kind = "note"  # removed below
            items[heading_index].text = ""
            count += len(notes)
        scope_start = end
    items[:] = [i for i in items if not (i.kind == "note" and not i.text)]
    return count


def _bracket_refs(text: str, notes: dict[str, int], prefix: str) -> tuple[str, int]:
    """``[3]`` -> ``[^prefix3]`` for the notes that exist; returns (text, references made)."""
    made = 0

    def ref(match: re.Match[str]) -> str:
        nonlocal made
        if match.group(1) not in notes:
            return match.group(0)
        made += 1
        return f"[^{prefix}{match.group(1)}]"

    return _BRACKET_REF_RE.sub(ref, text), made
