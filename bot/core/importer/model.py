"""The result of an import: blocks of text and the metadata around them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.core.errors import ReadingGroupError

BlockKind = Literal["heading", "paragraph", "note"]


class ImportFailed(ReadingGroupError):
    """A file could not be imported. The message names the file, the problem and a fix."""

    def __init__(self, filename: str, message: str) -> None:
        self.filename = filename
        self.message = message
        super().__init__(f"{filename}: {message}")


@dataclass(frozen=True, slots=True)
class Block:
    """One piece of an imported text, in reading order.

    ``text`` is Markdown inline text: ``*em*``, ``**strong**`` and footnote references
    ``[^label]`` to notes of the same import; literal ``[^`` from the source is written ``[\\^``.
    A paragraph may hold line breaks (verse, tables); a heading is one line.

    Attributes:
        kind: ``"heading"``, ``"paragraph"`` or ``"note"`` (a footnote, written to the
            reading's Notes section wherever it stands).
        text: the text; a note's paragraphs are separated by blank lines.
        level: a heading's level, 2 (``##``) to 6; 0 for other kinds.
        label: a note's label, as referenced by ``[^label]``; None for other kinds.
    """

    kind: BlockKind
    text: str
    level: int = 0
    label: str | None = None


@dataclass(frozen=True)
class ImportedText:
    """The result of an import: metadata and blocks, ready for :func:`to_reading_markdown`.

    Attributes:
        title, author, language: from the file's metadata when it has any.
        blocks: headings, paragraphs and notes in reading order.
        warnings: what was lost or guessed, for the person importing (never raised).
        filename: the name the bytes were imported under.
        source: a URL for the text when the file names one (Gutenberg number, dc:source).
        licence: the EPUB's rights statement or the page's licence line, when it has one.
        source_note: where and when the text was written, published and translated, as the
            source's own lines say (``Written: 1913; Source: Collected Works``).
        changes: what the importer removed or rewrote, for the reading's ``notes``.
    """

    title: str | None
    author: str | None
    language: str | None
    blocks: tuple[Block, ...]
    warnings: tuple[str, ...] = ()
    filename: str = ""
    source: str | None = None
    licence: str | None = None
    source_note: str | None = None
    changes: tuple[str, ...] = ()

    @property
    def paragraphs(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.kind == "paragraph")

    @property
    def headings(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.kind == "heading")

    @property
    def notes(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.kind == "note")
