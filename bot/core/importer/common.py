"""Helpers that several formats share: decoding, inline text, and finishing an import
(dropping headings with no text and a leading title page: see the package docstring)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from bot.core.importer.model import Block, ImportedText
from bot.core.readings import NOTES_HEADINGS, fold


def _decode(data: bytes) -> tuple[str, tuple[str, ...]]:
    """Text from bytes: UTF-8 (with or without a BOM), UTF-16 with a BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), ()
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), ("the file is not UTF-8: it was read as Windows-1252",)
    except UnicodeDecodeError:
        return data.decode("latin-1"), ("the file is not UTF-8: it was read as Latin-1",)


def _normalise(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _literal(text: str) -> str:
    """Source text made safe as Markdown inline text: ``[^`` would start a footnote marker."""
    return text.replace("[^", "[\\^")


def _drop_title_blocks(
    blocks: list[Block], title: str | None, author: str | None
) -> tuple[list[Block], int]:
    """Drop leading blocks that only repeat the title or the author (a title page)."""
    names = {fold(n) for n in (title, author) if n}
    by = {f"by {fold(author)}"} if author else set()
    dropped = 0
    for block in blocks:
        folded = fold(block.text)
        if block.kind == "note" or not folded:
            break
        byline = folded.startswith("by ") and len(folded.split()) <= 8
        if folded in names or folded in by or byline:
            dropped += 1
            continue
        break
    return blocks[dropped:], dropped


def _prune_empty_headings(blocks: list[Block]) -> tuple[list[Block], int]:
    """Drop headings with no paragraph before the next heading of the same or a higher level."""
    kept: list[Block] = []
    seen_paragraph = False
    lowest = 99  # lowest heading level between here and the next paragraph
    for block in reversed(blocks):
        if block.kind == "paragraph":
            seen_paragraph, lowest = True, 99
        elif block.kind == "heading":
            if not (seen_paragraph and lowest > block.level):
                continue
            lowest = min(lowest, block.level)
        kept.append(block)
    kept.reverse()
    return kept, len(blocks) - len(kept)


def _pruned(blocks: list[Block], changes: list[str]) -> list[Block]:
    """:func:`_prune_empty_headings`, saying in ``changes`` how many headings went."""
    blocks, empty = _prune_empty_headings(blocks)
    if empty:
        changes.append(f"dropped {empty} heading{'s' if empty != 1 else ''} with no text under it")
    return blocks


def _shift_levels(blocks: list[Block]) -> list[Block]:
    """Shift heading levels so the highest is ``##`` (level 2); cap at 6."""
    levels = [b.level for b in blocks if b.kind == "heading"]
    if not levels:
        return blocks
    shift = 2 - min(levels)
    return [
        replace(b, level=min(max(b.level + shift, 2), 6)) if b.kind == "heading" else b
        for b in blocks
    ]


def _finish(
    blocks: list[Block],
    *,
    filename: str,
    title: str | None,
    author: str | None,
    language: str | None,
    warnings: Sequence[str] = (),
    changes: Sequence[str] = (),
    source: str | None = None,
    licence: str | None = None,
    source_note: str | None = None,
) -> ImportedText:
    changes = list(changes)
    blocks = _pruned(blocks, changes)
    return ImportedText(
        title=_one_line(title) if title else None,
        author=_one_line(author) if author else None,
        language=language,
        blocks=tuple(blocks),
        warnings=tuple(warnings),
        filename=filename,
        source=source,
        licence=_one_line(licence) if licence else None,
        source_note=_one_line(source_note) if source_note else None,
        changes=tuple(changes),
    )


_NOTE_MARK_RE = re.compile(r" ?\[(\d{1,3})\](?![(:\[])")
# "[1] Not the English ..." or Gutenberg's "[Footnote 1: Not the English ...]"
_NOTE_TEXT_RE = re.compile(
    r"^\[(?:(\d{1,3})\]\s+(\S.*)|Footnote\s+(\d{1,3}):\s*(\S.*)\])$", re.DOTALL
)


def _bracket_notes(blocks: list[Block], changes: list[str]) -> list[Block]:
    """Make ``[N] text`` paragraphs (or ``[Footnote N: text]``) the footnotes of the ``[N]``
    markers before them.

    A run of such paragraphs (at the end of a chapter, or under a ``Notes`` heading) takes the
    markers of the blocks since the previous run; a paragraph whose number no marker in that
    stretch carries stays text. Under a ``Notes`` heading, a paragraph without a number after a
    note is that note's next paragraph. A marker in a heading moves to the start of the
    heading's first paragraph (a heading holds no references), so that the note is shown with
    the text it belongs to. When numbering restarts (two notes ``[1]``), notes are numbered 1,
    2, 3 ... through the whole text, so every label is unique and citable.

    Says in ``changes`` how many notes were made.
    """
    out = list(blocks)
    pending: dict[str, int] = {}  # marker number -> index of the block that carries it
    runs: list[list[tuple[str, int, int]]] = [[]]  # per run: (number, marker block, note block)
    more: dict[int, list[int]] = {}  # note block -> its further paragraphs under a notes heading
    under_notes = False
    for index, block in enumerate(out):
        note = _NOTE_TEXT_RE.match(block.text) if block.kind == "paragraph" else None
        number = note and (note.group(1) or note.group(3))
        if number and number in pending:
            runs[-1].append((number, pending.pop(number), index))
            continue
        if runs[-1] and under_notes and block.kind == "paragraph" and not note:
            last = runs[-1][-1][2]
            if index - 1 in (last, *more.get(last, ())):
                more.setdefault(last, []).append(index)
                continue
        if runs[-1]:
            runs.append([])
            pending = {}
        if block.kind == "heading":
            under_notes = fold(block.text) in NOTES_HEADINGS
        if block.kind in ("paragraph", "heading"):
            for match in _NOTE_MARK_RE.finditer(block.text):
                pending.setdefault(match.group(1), index)
    pairs = [pair for run in runs for pair in run]
    numbers = [number for number, _, _ in pairs]
    restarts = len(set(numbers)) < len(numbers)
    for count, (number, marker, note_index) in enumerate(pairs, start=1):
        label = str(count) if restarts else number
        carrier, ref = out[marker], f"[^{label}]"
        if carrier.kind == "heading":
            text = re.sub(rf" ?\[{number}\](?![(:\[])", "", carrier.text, count=1)
            out[marker] = replace(carrier, text=text.strip())
            first = next(
                (i for i in range(marker + 1, note_index) if out[i].kind == "paragraph"), None
            )
            if first is not None:
                out[first] = replace(out[first], text=ref + out[first].text)
        else:
            text = re.sub(rf" ?\[{number}\](?![(:\[])", ref, carrier.text, count=1)
            out[marker] = replace(carrier, text=text)
        found = _NOTE_TEXT_RE.match(out[note_index].text)
        assert found is not None
        paragraphs = [
            found.group(2) or found.group(4),
            *(out[i].text for i in more.get(note_index, ())),
        ]
        out[note_index] = Block("note", "\n\n".join(paragraphs), label=label)
    gone = {i for extra in more.values() for i in extra}
    out = [block for i, block in enumerate(out) if i not in gone]
    if pairs:
        plural = "s" if len(pairs) != 1 else ""
        changes.append(f"made {len(pairs)} numbered note{plural} into footnote{plural}")
    return out


def _dense_levels(blocks: list[Block]) -> list[Block]:
    """Heading levels numbered densely from ``##``: levels 1, 3, 4 become 2, 3, 4."""
    levels = sorted({b.level for b in blocks if b.kind == "heading"})
    dense = {level: min(2 + rank, 6) for rank, level in enumerate(levels)}
    return [replace(b, level=dense[b.level]) if b.kind == "heading" else b for b in blocks]
