"""Readings: one Markdown file with YAML front matter per text, parsed into numbered paragraphs.

A reading file looks like this::

    ---
    title: Against "Socialism in One Country"
    author: null
    aliases: [soic]
    ---
    First paragraph of the introduction.

    ## A section heading

    A paragraph with a footnote.[^1]

    ## Notes

    [^1]: The note's text.

Paragraphs are blocks of non-blank lines. They are numbered from 1 in reading order, so a
paragraph's number depends only on how many blocks come before it, never on its words: fixing a
typo inside a paragraph renumbers nothing. Headings (``#`` to ``######``) start sections and are
not paragraphs. The section headed ``Notes`` (or ``Endnotes``/``Footnotes``) holds footnote
definitions: they can be cited as ``slug n3`` but are never part of an excerpt.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.errors import ContentError, ReadingGroupError, shown
from bot.core.yamlfile import Builder, compose

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
FOOTNOTE_DEF_RE = re.compile(r"^\[\^([^\]\s]+)\]:\s?(.*)$")
FOOTNOTE_REF_RE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
NOTES_HEADINGS = frozenset({"notes", "endnotes", "footnotes"})
WORD_RE = re.compile(r"\S+")
LONG_PARAGRAPH_WORDS = 2_000  # check and import warn above this

FRONT_MATTER_KEYS: Mapping[str, str] = {
    "title": "the reading's title (required)",
    "subtitle": "a subtitle or standfirst",
    "author": "who wrote it, or null when the text does not say",
    "source": "where the text comes from (a URL)",
    "source_note": "where and when the text was written, published and translated",
    "publisher": "the site or publisher",
    "published": "publication date, YYYY-MM-DD",
    "aliases": "short names members can type, e.g. [soic]",
    "notes": "editorial notes: what was changed in the conversion",
    "licence": "the text's licence or copyright notice",
    "order": "position in the default reading plan (a number)",
}


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


def count_words(text: str) -> int:
    """Words in a paragraph, not counting footnote markers."""
    if "[^" in text:
        text = FOOTNOTE_REF_RE.sub("", text)
    # str.split() splits on exactly the characters regex \s matches (WORD_RE is \S+), without
    # building a match object per word.
    return len(text.split())


# Emphasis runs and code ticks are found by their first character (fast: the regex engine skips
# everything else), then dropped only at a word's edge, so snake_case and 2*3 survive.
_MARKUP_RE = re.compile(r"[*_]{1,3}|`|^> ?", re.MULTILINE)
_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _drop_markup(match: re.Match[str]) -> str:
    token = match.group(0)
    if token[0] not in "*_":
        return ""
    text, start, end = match.string, match.start(), match.end()
    inside_word = (
        start > 0 and text[start - 1].isalnum() and end < len(text) and text[end].isalnum()
    )
    return token if inside_word else ""


def plain_text(text: str) -> str:
    """Markdown paragraph text without footnote markers, emphasis or quote markers."""
    if "[" in text:
        text = FOOTNOTE_REF_RE.sub("", text)
        text = _LINK_RE.sub(r"\1", text)
    text = _MARKUP_RE.sub(_drop_markup, text)
    return " ".join(text.split())


def slugify(text: str) -> str:
    """A lowercase ASCII slug: ``"What is Socialism?"`` -> ``"what-is-socialism"``."""
    text = re.sub(r"[\u2010-\u2015\u2212/]", "-", text)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


_NOT_ALNUM_RE = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Text folded for matching names: lowercase, no accents, single spaces, no punctuation.

    Cached: resolving a reference folds every reading's title, many times a second.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(_NOT_ALNUM_RE.sub(" ", text.lower()).split())


def parse_reading(text: str, path: str, slug: str | None = None) -> Reading:
    """Parse the text of a reading file.

    Args:
        text: the whole file.
        path: shown in error messages.
        slug: defaults to the file name without ``.md``.

    Raises:
        LibraryError: listing every problem found, each with file and line.
    """
    slug = slug if slug is not None else Path(path).stem
    errors: list[ContentError] = []
    if not SLUG_RE.match(slug):
        errors.append(
            ContentError(
                path,
                None,
                f"file name {slug!r} is not a valid slug: use lowercase letters, digits and "
                "hyphens, e.g. readings/my-essay.md",
            )
        )
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    meta, body_start, meta_errors = _front_matter(lines, path)
    errors.extend(meta_errors)
    paragraphs, sections, notes, body_errors = _body(lines[body_start:], body_start + 1, path)
    errors.extend(body_errors)
    if not paragraphs and not body_errors:
        errors.append(ContentError(path, body_start + 1, "the reading has no paragraphs"))
    labels = {n.label for n in notes}
    for paragraph in paragraphs:
        if "[^" not in paragraph.text:
            continue
        for offset, line_text in enumerate(paragraph.text.split("\n")):
            for label in FOOTNOTE_REF_RE.findall(line_text):
                if label not in labels:
                    errors.append(
                        ContentError(
                            path,
                            paragraph.line + offset,
                            f"footnote [^{label}] has no definition: add '[^{label}]: ...' "
                            "under the '## Notes' heading",
                        )
                    )
    if errors:
        raise LibraryError(errors)
    return Reading(
        slug=slug,
        path=path,
        paragraphs=tuple(paragraphs),
        sections=tuple(sections),
        footnotes=tuple(notes),
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        words=sum(p.words for p in paragraphs),
        **meta,
    )


def long_paragraph_warnings(reading: Reading) -> list[str]:
    """A warning (``path:line: ...``) for each paragraph over ``LONG_PARAGRAPH_WORDS`` words.

    Not an error: the reading works, but such a paragraph is usually a text whose paragraph
    breaks were lost (an import without blank lines), and a group cannot discuss it as one.
    """
    return [
        f"{reading.path}:{p.line}: warning: paragraph {p.number} has {p.words:,} words (more "
        f"than {LONG_PARAGRAPH_WORDS:,}): too long to read and discuss as one passage; break it "
        "into paragraphs with blank lines"
        for p in reading.paragraphs
        if p.words > LONG_PARAGRAPH_WORDS
    ]


def load_reading(path: Path) -> Reading:
    """Read and parse one reading file (see :func:`parse_reading`).

    Raises:
        LibraryError: the file cannot be read (a directory, a broken link, not UTF-8, ...) or
            does not parse.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LibraryError(
            [ContentError(str(path), None, f"not UTF-8 text ({exc.reason}): save it as UTF-8")]
        ) from exc
    except OSError as exc:
        raise LibraryError([ContentError(str(path), None, _unreadable(path, exc))]) from None
    return parse_reading(text, str(path))


def _unreadable(path: Path, exc: OSError) -> str:
    """Why ``path`` named like a reading cannot be read, and what to do about it."""
    if path.is_dir():
        return "is a directory, not a reading file: move it out of the readings folder"
    if path.is_symlink() and not path.exists():
        return f"broken link (to {path.readlink()}): fix the link or remove it"
    return f"cannot be read ({exc.strerror or exc}): check the file and its permissions"


def load_library(directory: Path) -> Library:
    """Load every ``*.md`` in ``directory``.

    Raises:
        LibraryError: every problem in every file, plus aliases that two readings share.
    """
    errors: list[ContentError] = []
    readings: list[Reading] = []
    if not directory.is_dir():
        raise LibraryError(
            [
                ContentError(
                    str(directory),
                    None,
                    "readings directory not found: create it or "
                    "set READINGS_DIR to the folder that holds your readings",
                )
            ]
        )
    for path in sorted(directory.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        try:
            readings.append(load_reading(path))
        except LibraryError as exc:
            errors.extend(exc.errors)
    errors.extend(_name_clashes(readings))
    if errors:
        raise LibraryError(errors)
    readings.sort(key=lambda r: (r.order if r.order is not None else float("inf"), r.slug))
    return Library(tuple(readings))


def _name_clashes(readings: Sequence[Reading]) -> list[ContentError]:
    owner: dict[str, Reading] = {}
    errors = []
    for reading in readings:
        owner.setdefault(reading.slug, reading)
    for reading in readings:
        for alias in reading.aliases:
            other = owner.get(alias)
            if other is not None and other is not reading:
                errors.append(
                    ContentError(
                        reading.path,
                        None,
                        f"alias {alias!r} is already used by {other.path}: choose another",
                    )
                )
            else:
                owner[alias] = reading
    return errors


def _front_matter(lines: list[str], path: str) -> tuple[dict[str, Any], int, list[ContentError]]:
    """Parse the YAML front matter of a file's ``lines``.

    Returns:
        (fields, index of the first body line, errors).
    """
    if not lines or lines[0].strip() != "---":
        return (
            {},
            0,
            [
                ContentError(
                    path,
                    1,
                    "missing front matter: start the file with '---', a line "
                    "'title: ...', and another '---'",
                )
            ],
        )
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        return (
            {},
            len(lines),
            [ContentError(path, 1, "front matter is not closed: add a line '---' after it")],
        )
    source = "\n".join(lines[1:end])
    try:
        node = compose(source, path, first_line=2, what="front matter is not valid YAML")
    except ContentError as exc:
        return {}, end + 1, [exc]
    if not isinstance(node, yaml.MappingNode):
        return (
            {},
            end + 1,
            [ContentError(path, 2, "front matter must be 'key: value' lines, e.g. 'title: ...'")],
        )
    errors: list[ContentError] = []
    meta: dict[str, Any] = {}
    builder = Builder("")
    for key_node, value_node in node.value:
        key, line = str(key_node.value), key_node.start_mark.line + 2
        if not isinstance(key_node, yaml.ScalarNode) or key not in FRONT_MATTER_KEYS:
            hint = closest(key, FRONT_MATTER_KEYS)
            errors.append(ContentError(path, line, f"unknown key {shown(key)}{hint}"))
            continue
        try:
            value = builder.construct_object(value_node, deep=True)
        except yaml.YAMLError as exc:  # e.g. a tag such as !!python/object
            problem = getattr(exc, "problem", None) or str(exc)
            errors.append(ContentError(path, line, f"{key}: {problem}"))
            continue
        try:
            meta[key] = _front_matter_value(key, value)
        except ValueError as exc:
            errors.append(ContentError(path, line, f"{key}: {exc}"))
    if not meta.get("title") and "title" not in {e.message.split(":")[0] for e in errors}:
        errors.append(ContentError(path, 2, "missing 'title': add a line 'title: ...'"))
    return meta, end + 1, errors


def _front_matter_value(key: str, value: Any) -> Any:
    if value is None:
        if key == "title":
            raise ValueError("must not be empty")
        return () if key == "aliases" else None
    if key == "published":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValueError(f"{shown(value)} is not a date: write it as YYYY-MM-DD") from None
    if key == "aliases":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(a, str) for a in items):
            raise ValueError("must be a list of short names, e.g. [soic, one-country]")
        bad = [a for a in items if not SLUG_RE.match(a)]
        if bad:
            raise ValueError(
                f"{shown(bad[0])} is not a valid alias: use lowercase letters, digits and hyphens"
            )
        return tuple(items)
    if key == "order":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{shown(value)} is not a number")
        return float(value)
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ValueError(f"must be text, not {type(value).__name__}")
    text = str(value).strip()
    if key == "title" and not text:
        raise ValueError("must not be empty")
    return text


def closest(word: str, choices: Mapping[str, str] | Sequence[str], noun: str = "keys") -> str:
    """A hint to append to an error: ``": did you mean 'title'?"`` or the list of ``choices``."""
    import difflib

    match = difflib.get_close_matches(word, list(choices), n=1)
    if match:
        return f": did you mean {match[0]!r}?"
    return f": known {noun} are {', '.join(choices)}"


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


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def display_text(text: str) -> str:
    """Paragraph text for reading on screen: footnote markers become superscript numbers
    (``[^12]`` -> ``¹²``) or ``[label]`` when the label is not a number."""

    def marker(match: re.Match[str]) -> str:
        label = match.group(1)
        return label.translate(_SUPERSCRIPT) if label.isdigit() else f"[{label}]"

    return FOOTNOTE_REF_RE.sub(marker, text)
