"""The Markdown body of a reading file: blocks, headings, paragraphs and the notes section."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.core.errors import ContentError
from bot.core.readings.model import Note, Paragraph, Section
from bot.core.readings.text import fold, slugify

HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
FOOTNOTE_DEF_RE = re.compile(r"^\[\^([^\]\s]+)\]:\s?(.*)$")
NOTES_HEADINGS = frozenset({"notes", "endnotes", "footnotes"})


def _body(
    lines: list[str], first_line: int, path: str
) -> tuple[list[Paragraph], list[Section], list[Note], list[ContentError]]:
    """Split body lines into paragraphs, sections and notes. ``first_line`` is 1-based."""
    paragraphs: list[Paragraph] = []
    notes: list[Note] = []
    errors: list[ContentError] = []
    open_sections: list[tuple[str, str, int, int, int]] = []  # title, slug, level, first, line
    sections: list[Section] = []
    section_title: str | None = None
    in_notes = False
    used_slugs: set[str] = set()
    note_labels: set[str] = set()

    def close_sections(level: int) -> None:
        while open_sections and open_sections[-1][2] >= level:
            title, slug, lvl, first, line = open_sections.pop()
            sections.append(Section(title, slug, lvl, first, len(paragraphs), line))

    for block, line in _blocks(lines, first_line):
        heading = HEADING_RE.match(block[0]) if len(block) == 1 and block[0][0] == "#" else None
        if heading:
            level, title = len(heading.group(1)), heading.group(2).strip()
            close_sections(level)
            in_notes = fold(title) in NOTES_HEADINGS
            if in_notes:
                continue
            slug = base = slugify(title) or "section"
            n = 2
            while slug in used_slugs:
                slug, n = f"{base}-{n}", n + 1
            used_slugs.add(slug)
            open_sections.append((title, slug, level, len(paragraphs) + 1, line))
            section_title = title
            continue
        definition = FOOTNOTE_DEF_RE.match(block[0]) if block[0].startswith("[^") else None
        if definition:
            label = definition.group(1)
            if label in note_labels:
                errors.append(ContentError(path, line, f"footnote [^{label}] is defined twice"))
            note_labels.add(label)
            rest = [definition.group(2), *(b.strip() for b in block[1:])]
            notes.append(Note(label, "\n".join(r for r in rest if r), line))
            continue
        if in_notes:
            if notes and block[0].startswith(("    ", "\t")):
                last = notes[-1]
                extra = "\n".join(b.strip() for b in block)
                notes[-1] = Note(last.label, f"{last.text}\n\n{extra}", last.line)
                continue
            errors.append(
                ContentError(
                    path,
                    line,
                    "text under the Notes heading must be footnote definitions like "
                    "'[^1]: ...' (indent a note's further paragraphs by 4 spaces)",
                )
            )
            continue
        paragraphs.append(Paragraph(len(paragraphs) + 1, "\n".join(block), section_title, line))
    close_sections(1)
    sections.sort(key=lambda s: s.line)
    return paragraphs, sections, notes, errors


def _blocks(lines: list[str], first_line: int) -> Iterator[tuple[list[str], int]]:
    """Yield (lines of a block, 1-based line of its first line). Headings are blocks of their own.

    HTML comments (``<!-- ... -->`` on lines of their own) are skipped.
    """
    block: list[str] = []
    start = first_line
    in_comment = False
    for index, raw in enumerate(lines):
        number = first_line + index
        line = raw.rstrip()
        stripped = line.strip()
        if in_comment:
            in_comment = "-->" not in stripped
            continue
        if stripped.startswith("<!--"):
            if block:
                yield block, start
                block = []
            in_comment = "-->" not in stripped
            continue
        if not stripped:
            if block:
                yield block, start
                block = []
            continue
        if line[0] == "#" and HEADING_RE.match(line):
            if block:
                yield block, start
                block = []
            yield [stripped], number
            continue
        if not block:
            start = number
        block.append(line)
    if block:
        yield block, start
