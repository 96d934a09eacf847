"""The model: a reading's paragraphs, notes and sections, and the library of readings."""

from __future__ import annotations

import datetime as dt
import re
from array import array
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol, overload

from bot.core.errors import ContentError, ReadingGroupError
from bot.core.readings.text import FOOTNOTE_REF_RE, count_words, fold, plain_text

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class Paragraph:
    """One numbered paragraph of a reading's body.

    A parsed file's paragraph holds its text. A paragraph of a reading loaded from the library
    index (:class:`StoredParagraphs`) holds its numbers only (line, words, length) and reads its
    text from the index each time it is asked for, so a library of any size costs a few bytes a
    paragraph in memory.
    """

    __slots__ = ("_chars", "_read", "_text", "_words", "line", "number", "section")

    def __init__(self, number: int, text: str, section: str | None, line: int) -> None:
        self.number = number
        self.section = section
        self.line = line
        self._text: str | None = text
        self._words: int | None = None
        self._chars: int | None = None
        self._read: Callable[[], str] | None = None

    @classmethod
    def stored(
        cls,
        number: int,
        section: str | None,
        line: int,
        words: int,
        chars: int,
        read: Callable[[], str],
    ) -> Paragraph:
        """A paragraph whose text ``read`` returns when it is needed."""
        paragraph = cls(number, "", section, line)
        paragraph._text, paragraph._read = None, read
        paragraph._words, paragraph._chars = words, chars
        return paragraph

    @property
    def text(self) -> str:
        """The paragraph as written (Markdown, lines joined by newlines)."""
        if self._text is not None:
            return self._text
        assert self._read is not None  # one of the two is always set
        return self._read()

    @property
    def words(self) -> int:
        if self._words is None:
            self._words = count_words(self.text)
        return self._words

    @property
    def chars(self) -> int:
        """Characters of :attr:`text`."""
        if self._chars is None:
            self._chars = len(self.text)
        return self._chars

    @property
    def plain(self) -> str:
        return plain_text(self.text)

    def _key(self) -> tuple[int, str, str | None, int]:
        return (self.number, self.text, self.section, self.line)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Paragraph):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Paragraph(number={self.number!r}, text={self.text!r}, section={self.section!r}, "
            f"line={self.line!r})"
        )


class TextSource(Protocol):
    """Where the text of a stored reading's paragraphs is read from (the library index)."""

    def paragraph_texts(self, slug: str, key: str, first: int, last: int) -> list[str]:
        """The texts of paragraphs ``first``..``last`` of reading ``slug`` as indexed under
        ``key`` (its content hash).

        Raises:
            StaleReading: the index no longer holds that version of the reading.
        """
        ...


class StaleReading(ReadingGroupError):
    """A reading changed in the library index after it was loaded (a reload since)."""

    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path} changed since the library was loaded: run /plan reload or restart the bot"
        )


class StoredParagraphs(Sequence[Paragraph]):
    """A stored reading's paragraphs: their numbers in memory, their texts in a
    :class:`TextSource`.

    ``numbers`` holds four unsigned ints per paragraph: its line, words, characters, and its
    section's position in ``sections`` plus one (0: before any heading). A slice reads its
    texts in one go; a single paragraph or an iteration reads each text when it is asked for;
    :meth:`with_text` reads a whole reading in batches.
    """

    FIELDS = 4
    BATCH = 512

    def __init__(
        self,
        source: TextSource,
        path: str,
        slug: str,
        key: str,
        numbers: array[int],
        sections: Sequence[str],
    ) -> None:
        self._source, self._path, self._slug, self._key = source, path, slug, key
        self._numbers = numbers
        self._sections = sections
        self._count = len(numbers) // self.FIELDS

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Paragraph: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Paragraph, ...]: ...

    def __getitem__(self, index: int | slice) -> Paragraph | tuple[Paragraph, ...]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if step != 1:
                return tuple(self[i] for i in range(start, stop, step))
            return tuple(self._read(start + 1, stop))
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        number = index + 1
        return self._paragraph(number, lambda: self._texts(number, number)[0])

    def __iter__(self) -> Iterator[Paragraph]:
        return (self[i] for i in range(self._count))

    def with_text(self) -> Iterator[Paragraph]:
        """Every paragraph with its text, read :data:`BATCH` at a time."""
        for first in range(1, self._count + 1, self.BATCH):
            yield from self._read(first, min(first + self.BATCH - 1, self._count))

    def _read(self, first: int, last: int) -> Iterator[Paragraph]:
        if first > last:
            return iter(())
        texts = self._texts(first, last)
        return (
            self._paragraph(number, text)
            for number, text in zip(range(first, last + 1), texts, strict=True)
        )

    def _texts(self, first: int, last: int) -> list[str]:
        texts = self._source.paragraph_texts(self._slug, self._key, first, last)
        if len(texts) != last - first + 1:
            raise StaleReading(self._path)
        return texts

    def _paragraph(self, number: int, text: str | Callable[[], str]) -> Paragraph:
        at = (number - 1) * self.FIELDS
        line, words, chars, section = self._numbers[at : at + self.FIELDS]
        title = self._sections[section - 1] if section else None
        if isinstance(text, str):
            paragraph = Paragraph(number, text, title, line)
            paragraph._words, paragraph._chars = words, chars
            return paragraph
        return Paragraph.stored(number, title, line, words, chars, text)


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
    paragraphs: Sequence[Paragraph]
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
    stat: tuple[int, int] | None = field(default=None, compare=False)
    """The file's size and modification time (ns) when it was read, before its text was."""

    def paragraph(self, number: int) -> Paragraph:
        """The paragraph numbered ``number`` (1-based). Raises IndexError when out of range."""
        if not 1 <= number <= len(self.paragraphs):
            raise IndexError(number)
        return self.paragraphs[number - 1]

    def span(self, first: int, last: int) -> tuple[Paragraph, ...]:
        """Paragraphs ``first``..``last`` inclusive (clamped to the reading)."""
        return tuple(self.paragraphs[max(first, 1) - 1 : max(last, 0)])

    def with_text(self) -> Iterator[Paragraph]:
        """Every paragraph with its text at hand: for scans of the whole text (a stored
        reading reads it in batches rather than a paragraph at a time)."""
        if isinstance(self.paragraphs, StoredParagraphs):
            return self.paragraphs.with_text()
        return iter(self.paragraphs)

    @property
    def stored(self) -> bool:
        """Whether the paragraphs' texts are read from the library index when needed."""
        return isinstance(self.paragraphs, StoredParagraphs)

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


class TermStatistics(Protocol):
    """How many of the library's paragraphs contain each term (:mod:`bot.core.readings.terms`):
    counted in memory for a library parsed from files, asked of the library index for one
    loaded through it."""

    @property
    def paragraphs(self) -> int:
        """The library's paragraphs (notes are not paragraphs)."""
        ...

    def frequencies(self, words: Collection[str]) -> Mapping[str, int]:
        """Each of ``words`` (terms: lower case) -> the library's paragraphs that contain it."""
        ...


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
    terms: TermStatistics | None = field(default=None, compare=False, repr=False)
    """Where the paragraph frequencies of the readings' terms come from when the library index
    holds them (:mod:`bot.storage.library`); None: they are counted in memory when needed."""

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
