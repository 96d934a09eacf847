"""The model: a reading's paragraphs, notes and sections, and the library of readings."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from bot.core.errors import ContentError, ReadingGroupError
from bot.core.readings.text import FOOTNOTE_REF_RE, count_words, plain_text

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One numbered paragraph of a reading's body."""

    number: int
    text: str
    section: str | None
    line: int

    @property
    def words(self) -> int:
        return count_words(self.text)

    @property
    def plain(self) -> str:
        return plain_text(self.text)


@dataclass(frozen=True, slots=True)
class Note:
    """A footnote or endnote, from the reading's notes section."""

    label: str
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the paragraphs under it (``first``..``last``; empty when first > last)."""

    title: str
    slug: str
    level: int
    first: int
    last: int
    line: int


@dataclass(frozen=True, slots=True)
class Reading:
    """A parsed reading file. Paragraphs are numbered from 1; ``paragraphs[0].number == 1``."""

    slug: str
    title: str
    path: str
    paragraphs: tuple[Paragraph, ...]
    sections: tuple[Section, ...] = ()
    footnotes: tuple[Note, ...] = ()
    subtitle: str | None = None
    author: str | None = None
    source: str | None = None
    source_note: str | None = None
    publisher: str | None = None
    published: dt.date | None = None
    aliases: tuple[str, ...] = ()
    notes: str | None = None
    licence: str | None = None
    order: float | None = None
    content_hash: str = ""
    words: int = field(default=0)

    def paragraph(self, number: int) -> Paragraph:
        """The paragraph numbered ``number`` (1-based). Raises IndexError when out of range."""
        if not 1 <= number <= len(self.paragraphs):
            raise IndexError(number)
        return self.paragraphs[number - 1]

    def span(self, first: int, last: int) -> tuple[Paragraph, ...]:
        """Paragraphs ``first``..``last`` inclusive (clamped to the reading)."""
        return self.paragraphs[max(first, 1) - 1 : max(last, 0)]

    def note(self, label: str) -> Note | None:
        for note in self.footnotes:
            if note.label == label:
                return note
        return None

    def notes_for(self, paragraphs: Sequence[Paragraph]) -> tuple[Note, ...]:
        """The footnotes referenced by ``paragraphs``, in order of first reference."""
        seen: dict[str, Note] = {}
        for paragraph in paragraphs:
            for label in FOOTNOTE_REF_RE.findall(paragraph.text):
                note = self.note(label)
                if note is not None and label not in seen:
                    seen[label] = note
        return tuple(seen.values())

    def section_of(self, number: int) -> Section | None:
        """The innermost section that contains paragraph ``number``."""
        found: Section | None = None
        for section in self.sections:
            if section.first <= number <= section.last:
                found = section
        return found

    @property
    def display_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title


class LibraryError(ReadingGroupError):
    """Several content problems at once; ``errors`` lists each with its file and line."""

    def __init__(self, errors: Sequence[ContentError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class Library:
    """Every reading, in plan order (``order``, then slug)."""

    readings: tuple[Reading, ...]

    def __iter__(self) -> Iterator[Reading]:
        return iter(self.readings)

    def __len__(self) -> int:
        return len(self.readings)

    def get(self, slug: str) -> Reading | None:
        for reading in self.readings:
            if reading.slug == slug:
                return reading
        return None

    def __getitem__(self, slug: str) -> Reading:
        reading = self.get(slug)
        if reading is None:
            raise KeyError(slug)
        return reading
