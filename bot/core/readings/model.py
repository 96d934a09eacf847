"""The model: a reading's paragraphs, notes and sections, and the library of readings."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from bot.core.errors import ContentError, ReadingGroupError
from bot.core.readings.text import FOOTNOTE_REF_RE, count_words, fold, plain_text

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
    """Every reading, in plan order (``order``, then slug).

    Looking a reading up by slug, alias or title is a dictionary look-up, whatever the number
    of readings: the dictionaries are built once, the first time one is needed (a library is
    immutable; a reload makes a new one).
    """

    readings: tuple[Reading, ...]

    def __iter__(self) -> Iterator[Reading]:
        return iter(self.readings)

    def __len__(self) -> int:
        return len(self.readings)

    def get(self, slug: str) -> Reading | None:
        return self._by_slug.get(slug)

    def named(self, name: str) -> Reading | None:
        """The reading whose slug or alias is exactly ``name``; the first in plan order when
        two claim it (which :func:`bot.core.readings.load_library` refuses)."""
        return self._by_name.get(name)

    def titled(self, key: str) -> Reading | None:
        """The first reading, in plan order, whose folded title or display title (title and
        subtitle) is ``key`` (already folded with :func:`bot.core.readings.fold`)."""
        return self._by_title.get(key)

    @cached_property
    def _by_slug(self) -> dict[str, Reading]:
        by_slug: dict[str, Reading] = {}
        for reading in self.readings:
            by_slug.setdefault(reading.slug, reading)
        return by_slug

    @cached_property
    def _by_name(self) -> dict[str, Reading]:
        by_name: dict[str, Reading] = {}
        for reading in self.readings:
            for name in (reading.slug, *reading.aliases):
                by_name.setdefault(name, reading)
        return by_name

    @cached_property
    def _by_title(self) -> dict[str, Reading]:
        by_title: dict[str, Reading] = {}
        for reading in self.readings:
            for title in (reading.title, reading.display_title):
                by_title.setdefault(fold(title), reading)
        return by_title

    def __getitem__(self, slug: str) -> Reading:
        reading = self.get(slug)
        if reading is None:
            raise KeyError(slug)
        return reading
