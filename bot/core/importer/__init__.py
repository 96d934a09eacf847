"""Import plain text, Markdown, HTML and EPUB into a reading file.

:func:`import_bytes` turns the bytes of a file into an :class:`ImportedText` (title, author and
a sequence of headings, paragraphs and notes); :func:`to_reading_markdown` writes that as a
reading file that :func:`bot.core.readings.parse_reading` accepts. Everything here is pure: bytes
and a file name in, text out; problems that stop an import raise :class:`ImportFailed`, problems
that only lose a little (a spine file missing from an EPUB) are collected in
``ImportedText.warnings``.

The heuristics, so that an organizer can predict what happens to a file:

Plain text
    A UTF-8 byte-order mark is stripped and CRLF/CR line ends are normalised. Paragraphs are
    separated by blank *or whitespace-only* lines; the hard-wrapped lines of a paragraph are
    joined with single spaces (a block whose lines are laid out in columns, like a table, keeps
    its line breaks). Text with no blank line between paragraphs (a long block of lines most
    of which are about as wide as the wrap width, not verse or a table) is split into paragraphs
    at lines indented more than most and after lines that end a sentence well short of the
    width (see ``_wrapped_paragraphs``). A Project Gutenberg header and licence (``*** START
    OF THIS/THE PROJECT GUTENBERG EBOOK ... ***`` to ``*** END ...``) are removed; ``Title:``,
    ``Author:``, ``Language:`` and the eBook number are read from the header. In a Gutenberg
    text the title page (short lines before the first heading or the contents) is dropped too.

    A contents list is a line ``Contents`` (or ``Table of Contents``, ``Contents of the
    Chapters``) followed by short lines up to the first block of prose. The list is dropped; the
    text resumes at the last block of that run that follows the widest gap of blank lines, which
    is where the first real heading stands in every layout seen so far (the entries are spaced
    more tightly than the gap before the text). With no telling gap, it resumes where the first
    entry stands again, else at the last block of the run.

    Headings are lines such as ``CHAPTER I.``, ``Chapter One: Commodities``, ``BOOK ONE: 1805``,
    ``THE FIRST PART``, ``SECTION 1``, ``FIRST EPILOGUE``, ``Epilogue``, a lone Roman numeral,
    ``Notes to Chapter 3``, or a short line in capitals standing alone after a wider gap than
    paragraphs get (a one-word capital line must end with a full stop, so that the signature
    ``JULIE`` under a letter stays text). A keyword heading is merged with the title lines in
    capitals that follow it (``CHAPTER I.`` + ``OF THE DIVISION OF LABOUR.``), also across a
    blank line when the heading has no title yet or its title plainly continues. Levels follow
    the keyword: volume > book/part/epilogue > chapter > section/article, counting only the
    kinds the text uses, so the top kind is ``##``; headings indented in a text whose main
    headings are flush sit one level below the deepest main heading; a heading in capitals
    without a keyword sits one level below the keyword heading before it.

    Notes: a translator's note set as its own paragraph starting with ``*`` or ``*(2)``
    (``     * The most fascinating woman...``) becomes the footnote of the matching ``*``
    marker in the paragraphs just before it (an unmatched one stays text); a ``Notes to
    Chapter N`` section of ``1. ...`` paragraphs becomes the footnotes of the ``[1]`` markers
    since the previous such section, labelled ``N.1`` when there are several sections.

Markdown
    YAML front matter gives the title and author; ``#`` headings are kept and shifted so that
    the body's top level is ``##`` (a single leading ``#`` heading is the title); footnote
    definitions become notes.

HTML and EPUB
    ``<h1>``-``<h6>`` are headings, ``<p>``, ``<li>``, ``<blockquote>`` and other blocks are
    paragraphs, ``<br>`` keeps a line break; ``script``, ``style``, ``nav``, a page's own
    ``header``/``footer`` (not those inside a ``section``), hidden elements and Gutenberg's
    header/licence boxes are skipped; ``<em>``/``<i>`` become ``*...*`` and
    ``<strong>``/``<b>`` ``**...**``. A paragraph that is nothing but a link into the book is a
    contents entry and is dropped. An EPUB is read through ``META-INF/container.xml`` and its
    OPF package: title, authors, language, source and rights from the metadata, the documents
    in spine order. Non-linear spine items, navigation documents and front/back matter marked
    ``titlepage``, ``halftitlepage``, ``imprint``, ``colophon``, ``copyright-page``, ``toc``,
    ``cover`` or ``landmarks`` (``epub:type``) are skipped. Footnotes and endnotes
    (``epub:type="noteref"`` links to ``footnote``/``endnote`` elements or the items of an
    ``endnotes`` section) become the reading's footnotes, numbered in reading order, so they
    land in its Notes section and are never scheduled as an excerpt; a marker in a heading is
    dropped (the note stays). A manifest naming a file that is missing is fine; a missing
    spine document is skipped with a warning, and one the spine lists again is read only where
    it first stands. An EPUB that unpacks to more than 200 MB, or whose spine documents unpack
    to more than 50 MB all told, is refused: a book is a few MB.

Everywhere, headings with no paragraph before the next heading of their level or higher are
dropped, as are leading lines that only repeat the title or ``By`` the author.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import yaml

from bot.core.errors import ContentError
from bot.core.importer.common import (
    _decode,
    _drop_title_blocks,
    _finish,
    _literal,
    _normalise,
    _one_line,
    _shift_levels,
)
from bot.core.importer.model import Block, BlockKind, ImportedText, ImportFailed
from bot.core.importer.output import suggest_slug, to_reading_markdown
from bot.core.readings import HEADING_RE, fold
from bot.core.yamlfile import Builder, compose

__all__ = [
    "CONVERT_FIRST",
    "EPUB_SUFFIXES",
    "HTML_SUFFIXES",
    "MARKDOWN_SUFFIXES",
    "MAX_EPUB_BYTES",
    "MAX_TEXT_BYTES",
    "SUPPORTED",
    "TEXT_SUFFIXES",
    "Block",
    "BlockKind",
    "ImportFailed",
    "ImportedText",
    "import_bytes",
    "suggest_slug",
    "to_reading_markdown",
]


TEXT_SUFFIXES = frozenset({".txt", ".text"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".xht"})
EPUB_SUFFIXES = frozenset({".epub"})
CONVERT_FIRST = {
    ".pdf": "PDF",
    ".doc": "Word",
    ".docx": "Word",
    ".odt": "OpenDocument",
    ".rtf": "RTF",
    ".mobi": "Kindle",
    ".azw": "Kindle",
    ".azw3": "Kindle",
    ".fb2": "FictionBook",
    ".djvu": "DjVu",
}
SUPPORTED = "plain text (.txt), Markdown (.md), HTML (.html) or EPUB (.epub)"
MAX_EPUB_BYTES = 200_000_000  # uncompressed; a zip bomb is not a book
# Decompressed bytes of the spine documents parsed: the longest books are a few MB of XHTML.
MAX_TEXT_BYTES = 50_000_000


def import_bytes(
    data: bytes, filename: str, *, max_text_bytes: int = MAX_TEXT_BYTES
) -> ImportedText:
    """Import a file's bytes; the format comes from the extension, else from the content.

    Args:
        data: the whole file.
        filename: its name (only the extension and the name are used; shown in messages).
        max_text_bytes: the most an EPUB's spine documents may unpack to, all told.

    Raises:
        ImportFailed: the format is not supported, the file is damaged, or no text was found.
    """
    name = posixpath.basename(filename.replace("\\", "/")) or filename
    suffix = posixpath.splitext(name)[1].lower()
    if not data.strip():
        raise ImportFailed(name, "the file is empty: choose the file that holds the text")
    if suffix in CONVERT_FIRST:
        raise ImportFailed(
            name,
            f"{CONVERT_FIRST[suffix]} files are not supported: export or convert it to "
            f"{SUPPORTED} first (Calibre's ebook-convert does this)",
        )
    kind = _kind(data, suffix, name)
    if kind == "epub":
        result = _import_epub(data, name, max_text_bytes)
    else:
        text, warnings = _decode(data)
        if kind == "markdown":
            result = _import_markdown(text, name)
        elif kind == "html":
            result = _import_html(text, name)
        else:
            result = _import_text(text, name)
        result = replace(result, warnings=warnings + result.warnings)
    if not result.paragraphs:
        raise ImportFailed(
            name,
            "no paragraphs of text were found in it: check that it is the book itself, "
            "not a cover, an index or a scanned image",
        )
    return result


def _kind(data: bytes, suffix: str, name: str) -> str:
    if suffix in EPUB_SUFFIXES:
        return "epub"
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in TEXT_SUFFIXES:
        return "text"
    if data.startswith(b"PK\x03\x04"):
        if b"application/epub+zip" in data[:200]:
            return "epub"
        raise ImportFailed(
            name, f"this is a zip archive, not an EPUB: unpack it and import the {SUPPORTED} inside"
        )
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFailed(name, f"this is not a text file: import {SUPPORTED}")
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head:
        return "html"
    if head.startswith(b"---\n") or re.search(rb"(?m)^#{1,6} \S", data[:4096]):
        return "markdown"
    return "text"


def _join_names(names: Sequence[str]) -> str | None:
    names = [n for n in dict.fromkeys(_one_line(n) for n in names) if n]
    if not names:
        return None
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


_PG_START_RE = re.compile(
    r"^[ \t]*\*{3}\s*START OF (?:THIS|THE) PROJECT GUTENBERG E-?BOOK\b.*$",
    re.IGNORECASE | re.MULTILINE,
)
_PG_END_RE = re.compile(
    r"^[ \t]*\*{3}\s*END OF (?:THIS|THE) PROJECT GUTENBERG E-?BOOK\b.*$",
    re.IGNORECASE | re.MULTILINE,
)
_PG_FIELD_RE = r"^{}:[ \t]*(.+(?:\n[ \t]+\S.*)*)"
_PG_NUMBER_RE = re.compile(r"\[E-?Book #(\d+)\]", re.IGNORECASE)
_PG_TAIL_RE = re.compile(r"^(?:the )?end of (?:the )?project gutenberg", re.IGNORECASE)

_KEYWORD_RANK = {
    "VOLUME": 0,
    "BOOK": 1,
    "PART": 1,
    "EPILOGUE": 1,
    "PROLOGUE": 1,
    "ACT": 1,
    "APPENDIX": 1,
    "CHAPTER": 2,
    "CANTO": 2,
    "STAVE": 2,
    "LETTER": 2,
    "SCENE": 2,
    "SECTION": 3,
    "ARTICLE": 3,
}
_KW = "|".join(f"{k}|{k.title()}" for k in _KEYWORD_RANK)
_UNITS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen"
)
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_ORDINAL = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|last|final"
)
_NUMBER = (
    rf"(?:[IVXLCDM]+(?![A-Za-z0-9])|\d+[a-z]?\b|(?i:(?:{_TENS})(?:-(?:{_UNITS}))?|{_UNITS}|the\s+(?:{_ORDINAL})"
    rf"|{_ORDINAL})\b)"
)
_KEYWORD_NUMBER_RE = re.compile(rf"^(?P<kw>{_KW})\s+{_NUMBER}(?P<rest>.*)$")
_ORDINAL_KEYWORD_RE = re.compile(
    rf"^(?:THE\s+|The\s+)?(?i:{_ORDINAL})\s+(?P<kw>{_KW})\b(?P<rest>.*)$"
)
_BARE_KEYWORD_RE = re.compile(
    r"^(?P<kw>EPILOGUE|Epilogue|PROLOGUE|Prologue|APPENDIX|Appendix)\b(?P<rest>.*)$"
)
_ROMAN_RE = re.compile(r"^[IVXLC]+\.?$")
_NOTES_HEADING_RE = re.compile(
    r"^(?:notes|footnotes|endnotes)(?:\s+to\s+(?:the\s+)?\w+(?:\s+[\w.-]+)?)?\.?$", re.IGNORECASE
)
_CONTENTS_RE = re.compile(
    r"^(?:table\s+of\s+)?contents(?:\s+of\s+the\s+\w+)?\s*[.:]?$", re.IGNORECASE
)
_CONNECTORS = frozenset(
    [
        "OF",
        "IN",
        "AND",
        "THE",
        "TO",
        "FROM",
        "WITH",
        "BY",
        "FOR",
        "OR",
        "A",
        "AN",
        "ON",
        "AT",
        "UPON",
    ]
)
_STAR_NOTE_RE = re.compile(r"^\s*\*\s?(?:\((\d+)\))?\s*([^\s*].*)$")
_STAR_MARK_RE = re.compile(r"\s?(?<![*\w])\*(?:\((\d+)\))?(?![*\w])")
_NUMBERED_NOTE_RE = re.compile(r"^(\d+)\.\s+(\S.*)$", re.DOTALL)
_BRACKET_REF_RE = re.compile(r"\s?\[(\d+)\]")
_COLUMNS_RE = re.compile(r"\S {3,}\S")
_SENTENCE_END_RE = re.compile(r"[.!?:][\"'”’)\]»*_]*$")
_WRAPPED_MIN_LINES = 20  # fewer lines are a paragraph, a poem or a table, wrapped or not
_WRAPPED_MIN_WIDTH = 55  # verse stays narrower; hard-wrapped prose runs to 60-80 columns


@dataclass
class _Raw:
    """A block of lines from a text file, with the blank lines before it."""

    lines: list[str]
    gap: int

    @property
    def indent(self) -> int:
        first = self.lines[0]
        return len(first) - len(first.lstrip())

    @property
    def text(self) -> str:
        return " ".join(line.strip() for line in self.lines)


@dataclass
class _Item:
    """A classified text block; headings get their level at the end."""

    kind: BlockKind
    text: str
    rank: int | None = None  # keyword rank of a heading; None for a heading without keyword
    keyword: str | None = None
    indented: bool = False
    has_title: bool = True
    label: str | None = None
    star: int | None = None  # number of a ``*`` translator's note
    note_text: str = ""  # the note's text without its star, should it pair with a marker
    notes_heading: bool = False


def _import_text(text: str, filename: str) -> ImportedText:
    text = _normalise(text)
    changes: list[str] = []
    warnings: list[str] = []
    title = author = language = source = None
    start, end = _PG_START_RE.search(text), None
    gutenberg = start is not None
    if start is not None:
        header = text[: start.start()]
        title = _pg_field(header, "Title")
        author = _pg_field(header, "Author")
        language = _pg_field(header, "Language")
        number = _PG_NUMBER_RE.search(header)
        if number:
            source = f"https://www.gutenberg.org/ebooks/{number.group(1)}"
        end = _PG_END_RE.search(text, start.end())
        if end is None:
            warnings.append("the Project Gutenberg END marker is missing: kept the text to the end")
        body = text[start.end() : end.start() if end else len(text)]
        changes.append("removed the Project Gutenberg header and licence")
    else:
        body = text
    raw = _raw_blocks(body.split("\n"))
    raw, unwrapped = _split_hard_wrapped(raw)
    if unwrapped:
        changes.append(
            f"split {unwrapped} hard-wrapped passage{'s' if unwrapped != 1 else ''} without "
            "blank lines into paragraphs at indented lines and short lines ending a sentence"
        )
    if gutenberg:
        while raw and _PG_TAIL_RE.match(raw[-1].text):
            raw.pop()
        raw, dropped = _drop_pg_title_page(raw)
        if dropped:
            changes.append("dropped the title page")
    raw, contents = _drop_contents(raw)
    if contents:
        changes.append(f"dropped the table of contents ({contents} entries)")
    uniform = sum(r.gap >= 2 for r in raw) < max(3, len(raw) // 100)
    items = _classify(raw, uniform)
    stars = _star_notes(items)
    numbered = _numbered_notes(items)
    if stars or numbered:
        changes.append(f"made {stars + numbered} notes into footnotes")
    blocks = _levels(items)
    return _finish(
        blocks,
        filename=filename,
        title=title,
        author=author,
        language=language,
        warnings=warnings,
        changes=changes,
        source=source,
    )


def _pg_field(header: str, name: str) -> str | None:
    match = re.search(_PG_FIELD_RE.format(name), header, re.MULTILINE)
    return _one_line(match.group(1)) if match else None


def _raw_blocks(lines: list[str]) -> list[_Raw]:
    """Blocks of non-blank lines; a whitespace-only line separates blocks like a blank one."""
    blocks: list[_Raw] = []
    current: list[str] = []
    gap = 0
    for line in lines:
        if line.strip():
            current.append(line.rstrip())
            continue
        if current:
            blocks.append(_Raw(current, gap))
            current, gap = [], 0
        gap += 1
    if current:
        blocks.append(_Raw(current, gap))
    return blocks


def _split_hard_wrapped(raw: list[_Raw]) -> tuple[list[_Raw], int]:
    """Split long hard-wrapped blocks into paragraphs: see :func:`_wrapped_paragraphs`.

    Returns (the blocks, how many blocks were split).
    """
    blocks: list[_Raw] = []
    split = 0
    for block in raw:
        parts = _wrapped_paragraphs(block.lines)
        split += len(parts) > 1
        blocks += [_Raw(lines, block.gap if i == 0 else 1) for i, lines in enumerate(parts)]
    return blocks, split


def _wrapped_paragraphs(lines: list[str]) -> list[list[str]]:
    """The paragraphs of a block of hard-wrapped lines with no blank line between paragraphs.

    A block is hard-wrapped when it has at least ``_WRAPPED_MIN_LINES`` lines, most of them
    about as long as its wrap width (the length 90% of its lines stay within, at least
    ``_WRAPPED_MIN_WIDTH``), and is not laid out in columns; verse and tables are not. A
    paragraph then starts at a line indented more than most, and after a line that ends a
    sentence and is clearly shorter than the width: under 80% of it, with room for the next
    line's first word, which a wrapping editor would have moved up had the paragraph gone on.
    A keyword heading (``CHAPTER IV``) or a short line in capitals stands alone.
    """
    if len(lines) < _WRAPPED_MIN_LINES:
        return [lines]
    lengths = sorted(len(line) for line in lines)
    width = lengths[(len(lengths) - 1) * 9 // 10]
    if width < _WRAPPED_MIN_WIDTH or sum(n >= 0.8 * width for n in lengths) < 0.7 * len(lines):
        return [lines]
    if sum(bool(_COLUMNS_RE.search(line.strip())) for line in lines) * 4 >= len(lines):
        return [lines]
    indents = [len(line) - len(line.lstrip()) for line in lines]
    usual = max(set(indents), key=indents.count)

    def alone(line: str) -> bool:
        text = line.strip()
        return len(line) < 0.6 * width and (_keyword_line(text) is not None or _caps_line(text))

    paragraphs: list[list[str]] = [[lines[0]]]
    for line, indent in zip(lines[1:], indents[1:], strict=True):
        before = paragraphs[-1][-1]
        ends = (
            _SENTENCE_END_RE.search(before) is not None
            and len(before) < 0.8 * width
            and len(before) + 1 + len(line.split()[0]) <= width
        )
        if indent > usual or ends or alone(before) or alone(line):
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return paragraphs


def _is_prose(raw: _Raw) -> bool:
    """Running text rather than a heading, a title-page line or a contents entry."""
    if any(len(line.strip()) > 100 for line in raw.lines):
        return True
    text = raw.text
    letters = [c for c in text if c.isalpha()]
    lower = sum(c.islower() for c in letters)
    return len(text.split()) >= 20 and lower > len(letters) / 2


def _is_short(raw: _Raw) -> bool:
    return len(raw.lines) <= 3 and len(raw.text.split()) <= 25


def _drop_pg_title_page(raw: list[_Raw]) -> tuple[list[_Raw], int]:
    """Drop the short lines of a Gutenberg title page before the contents or first heading."""
    index = 0
    while index < min(len(raw), 16):
        block = raw[index]
        if _CONTENTS_RE.match(block.text) or _is_prose(block) or not _is_short(block):
            break
        if _keyword_heading(block) is not None:
            break
        nxt = raw[index + 1] if index + 1 < len(raw) else None
        if _caps_block(block) and nxt is not None and _is_prose(nxt):
            break
        index += 1
    if index >= 16:
        return raw, 0
    return raw[index:], index


def _drop_contents(raw: list[_Raw]) -> tuple[list[_Raw], int]:
    """Drop a contents list: see the module docstring."""
    for index, block in enumerate(raw[: max(60, len(raw) // 5)]):
        if len(block.lines) != 1 or not _CONTENTS_RE.match(block.text):
            continue
        end = index + 1
        while end < len(raw) and not _is_prose(raw[end]):
            end += 1
        region = raw[index + 1 : end]
        if end >= len(raw) or len(region) < 2:
            return raw, 0
        widest = max(b.gap for b in region)
        resume = max(i for i, b in enumerate(region) if b.gap == widest)
        if widest <= region[0].gap or len(region) - resume > 6:
            # No telling gap: the text resumes where the first entry stands again (it opens
            # the text as it opened the list), else at the last heading.
            again = [i for i, b in enumerate(region) if i and b.text == region[0].text]
            resume = again[-1] if again else len(region) - 1
        entries = sum(len(b.lines) for b in region[:resume])
        return raw[:index] + region[resume:] + raw[end:], entries
    return raw, 0


def _caps_line(line: str, limit: int = 100) -> bool:
    """A title line in capitals (``OF THE DIVISION OF LABOUR.``)."""
    line = line.strip()
    if not line or len(line) > limit or not (line[0].isalnum() or line[0] in "(["):
        return False
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


def _caps_block(raw: _Raw, limit: int = 100) -> bool:
    return (
        len(raw.lines) <= 3
        and all(_caps_line(line, limit) for line in raw.lines)
        and _keyword_line(raw.lines[0].strip()) is None
    )


def _keyword_line(line: str) -> tuple[str, str] | None:
    """(keyword, rest of the line) when ``line`` starts like a chapter/part/book heading."""
    if len(line) > 250:
        return None
    for pattern in (_KEYWORD_NUMBER_RE, _ORDINAL_KEYWORD_RE):
        match = pattern.match(line)
        if match:
            rest = match.group("rest")
            if (
                not rest.strip()
                or rest.lstrip()[0] in ".:,;—–-)"  # a separator, then the title
                or not rest[0].isascii()  # a separator mangled into non-ASCII ("Iâ€”Of")
                or (rest[0] == " " and _caps_line(rest))  # a title in capitals
            ):
                return match.group("kw").upper(), rest
    match = _BARE_KEYWORD_RE.match(line)
    if match and len(line) <= 120:
        return match.group("kw").upper(), match.group("rest")
    return None


def _keyword_heading(raw: _Raw) -> tuple[str, str] | None:
    """(keyword, heading text) when the block is a keyword heading, with its title lines."""
    first = raw.lines[0].strip()
    found = _keyword_line(first)
    if found is None:
        return None
    keyword, rest = found
    others = [line.strip() for line in raw.lines[1:]]
    if not others:
        return keyword, first
    if len(others) <= 4 and all(_caps_line(line, 400) for line in others):
        return keyword, _join_heading([first, *others])
    title = rest.strip(" .:,;—–-)")
    short = all(len(line.strip()) <= 100 for line in raw.lines)
    if title and short and len(raw.lines) <= 3 and len(raw.text.split()) <= 30:
        # A long title wrapped onto the next line ("... Ahab / standing by the helm.").
        return keyword, _join_heading([first, *others])
    return None


def _join_heading(parts: Sequence[str]) -> str:
    """Join a heading's lines; a bare ``SECTION 1`` gets a colon before its title."""
    first, rest = parts[0], " ".join(parts[1:])
    if not rest:
        return _one_line(first)
    found = _keyword_line(first)
    bare = found is not None and not found[1].strip() and first[-1:].isalnum()
    return _one_line(f"{first}{':' if bare else ''} {rest}")


def _classify(raw: list[_Raw], uniform: bool) -> list[_Item]:
    items: list[_Item] = []
    index = 0
    while index < len(raw):
        block = raw[index]
        index += 1
        star = _STAR_NOTE_RE.match(block.lines[0])
        if star:
            note = _literal(_one_line(" ".join([star.group(2), *block.lines[1:]])))
            text = _literal(block.text)
            items.append(_Item("paragraph", text, star=int(star.group(1) or 1), note_text=note))
            continue
        keyword = _keyword_heading(block)
        if keyword is not None:
            kw, text = keyword
            rest = _keyword_line(block.lines[0].strip())
            has_title = len(block.lines) > 1 or bool(rest and rest[1].strip(" .:,;—–-"))
            # Title lines separated from their keyword line by a blank line.
            for _ in range(3):
                if index >= len(raw):
                    break
                nxt = raw[index]
                words = text.rstrip(" .").split()
                wrapped = text.endswith((",", ";")) or (words and words[-1] in _CONNECTORS)
                if nxt.gap > 2 or not _caps_block(nxt, 400) or (has_title and not wrapped):
                    break
                text = _join_heading([text, *(line.strip() for line in nxt.lines)])
                has_title = True
                index += 1
            items.append(
                _Item(
                    "heading",
                    _literal(text),
                    rank=_KEYWORD_RANK[kw],
                    keyword=kw,
                    indented=block.indent >= 2,
                    has_title=has_title,
                )
            )
            continue
        single = block.lines[0].strip() if len(block.lines) == 1 else ""
        if single and _NOTES_HEADING_RE.match(single):
            items.append(_Item("heading", _literal(single), notes_heading=True))
            continue
        if single and _ROMAN_RE.match(single) and block.gap >= 2:
            items.append(
                _Item("heading", single, rank=2, keyword="CHAPTER", indented=block.indent >= 2)
            )
            continue
        if _standalone_caps(block, uniform):
            items.append(_Item("heading", _literal(block.text), indented=block.indent >= 2))
            continue
        if len(block.lines) >= 2 and sum(
            bool(_COLUMNS_RE.search(line.strip())) for line in block.lines
        ) * 2 >= len(block.lines):
            # Laid out in columns (a table): keep the lines.
            text = "\n".join(_one_line(line) for line in block.lines)
        else:
            text = _one_line(block.text)
        items.append(_Item("paragraph", _literal(text)))
    return items


def _standalone_caps(block: _Raw, uniform: bool) -> bool:
    """A short line in capitals standing alone: a heading without a keyword."""
    if not _caps_block(block) or (block.gap < 2 and not uniform):
        return False
    text = block.text
    if len(text) > 150 or text[-1] in "!?,;" or text[0] in "([":
        return False
    return len(text.split()) > 1 or text.endswith(".")


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


def _levels(items: list[_Item]) -> list[Block]:
    """Heading levels from keyword ranks: see the module docstring."""
    positions: dict[str, list[int]] = {}
    ranks: dict[str, int] = {}
    indented = [i.indented for i in items if i.kind == "heading" and i.rank is not None]
    mixed = not all(indented)  # some keyword headings are flush: indented ones are minor
    for index, item in enumerate(items):
        heading = item.kind == "heading" and item.keyword and item.rank is not None
        if heading and not (mixed and item.indented):
            assert item.keyword is not None and item.rank is not None
            positions.setdefault(item.keyword, []).append(index)
            ranks[item.keyword] = item.rank
    # A kind whose every heading falls inside one chapter (Hobbes' "The First Book" ... "The
    # Fourth Book" within chapter XLII) divides that chapter, whatever its keyword says.
    inside: dict[str, str] = {}
    for kind, spots in positions.items():
        if len(spots) < 2:
            continue
        for deeper, deeper_spots in positions.items():
            if ranks[deeper] <= ranks[kind] or len(deeper_spots) < 2:
                continue
            slots = {sum(1 for d in deeper_spots if d < spot) for spot in spots}
            slot = slots.pop()
            if not slots and 0 < slot < len(deeper_spots):
                inside[kind] = deeper
                break
    main = {k: n for k, n in ranks.items() if k not in inside}
    # A rank counts when it recurs or encloses a deeper heading: a lone "Epilogue" after the
    # last chapter must not push every chapter down a level.
    order = sorted((spot, kind) for kind, spots in positions.items() for spot in spots)
    present = sorted(
        {
            main[kind]
            for index, (_, kind) in enumerate(order)
            if kind in main
            and (
                len(positions[kind]) >= 2
                or (index + 1 < len(order) and ranks[order[index + 1][1]] > ranks[kind])
            )
        }
    ) or sorted(set(main.values()))

    def level_of(kind: str) -> int:
        if kind in inside:
            return level_of(inside[kind]) + 1
        return 2 + sum(1 for r in present if r < ranks[kind])

    deepest = max((level_of(k) for k in main), default=1)
    blocks: list[Block] = []
    current = 1  # level of the last main keyword heading
    for item in items:
        if item.kind != "heading":
            blocks.append(Block(item.kind, item.text, label=item.label))
            continue
        if item.keyword in main and not (mixed and item.indented):
            level = current = level_of(item.keyword)
        elif item.keyword in inside and not (mixed and item.indented):
            level = level_of(item.keyword)
        elif mixed and item.indented:
            level = deepest + 1
        else:
            level = current + 1
        blocks.append(Block("heading", item.text, level=min(level, 6)))
    return blocks


_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_SETEXT_RE = re.compile(r"^(=+|-+)\s*$")
_MD_NOTE_RE = re.compile(r"^\[\^([^\]\s]+)\]:\s?(.*)$")


def _import_markdown(text: str, filename: str) -> ImportedText:
    text = _normalise(text)
    warnings: list[str] = []
    meta: dict[str, object] = {}
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        if end is not None:
            loaded = None
            try:
                front = "\n".join(lines[1:end])
                node = compose(front, filename, first_line=2, what="front matter is not valid YAML")
                loaded = Builder("").construct_document(node) if node is not None else None
            except ContentError as exc:  # anchors and aliases are refused as in a reading
                warnings.append(f"the front matter was ignored: line {exc.line}: {exc.message}")
            except yaml.YAMLError as exc:  # e.g. a !!python tag
                problem = getattr(exc, "problem", None) or exc
                warnings.append(f"the front matter is not valid YAML and was ignored ({problem})")
            if isinstance(loaded, dict):
                meta = {str(k): v for k, v in loaded.items()}
            lines = lines[end + 1 :]

    def field_of(key: str) -> str | None:
        value = meta.get(key)
        return _one_line(str(value)) if isinstance(value, str | int | float) and value else None

    blocks = list(_markdown_blocks(lines))
    title = field_of("title")
    firsts = [b for b in blocks if b.kind == "heading" and b.level == 1]
    if title is None and len(firsts) == 1 and blocks[0] is firsts[0]:
        title = firsts[0].text  # a single leading "# Title" is the title
    blocks, _ = _drop_title_blocks(blocks, title, field_of("author"))
    blocks = _shift_levels(blocks)
    return _finish(
        blocks,
        filename=filename,
        title=title,
        author=field_of("author"),
        language=field_of("language") or field_of("lang"),
        warnings=warnings,
        source=field_of("source"),
        licence=field_of("licence") or field_of("license"),
    )


def _markdown_blocks(lines: list[str]) -> Iterator[Block]:
    block: list[str] = []
    note: tuple[str, list[str]] | None = None  # a footnote definition being read
    fence: str | None = None
    in_comment = False

    def flush() -> Iterator[Block]:
        nonlocal block
        if block:
            yield Block("paragraph", "\n".join(block))
        block = []

    for raw in lines:
        line = raw.rstrip()
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
                yield from flush()
            elif stripped:
                block.append(line)
            continue
        if in_comment:
            in_comment = "-->" not in stripped
            continue
        if stripped.startswith("<!--"):
            yield from flush()
            in_comment = "-->" not in stripped
            continue
        fence_match = _FENCE_RE.match(line)
        if fence_match:
            yield from flush()
            fence = fence_match.group(1)
            continue
        if note is not None:
            if not stripped or line.startswith(("    ", "\t")):
                if stripped:
                    note[1].append(stripped)
                elif note[1][-1:] != [""]:
                    note[1].append("")
                continue
            yield Block("note", "\n".join(note[1]).strip(), label=note[0])
            note = None
        if not stripped:
            yield from flush()
            continue
        definition = _MD_NOTE_RE.match(stripped)
        if definition and not line.startswith((" ", "\t")):
            yield from flush()
            note = (definition.group(1), [definition.group(2)])
            continue
        heading = HEADING_RE.match(line)
        if heading and not line.startswith((" ", "\t")):
            yield from flush()
            yield Block("heading", heading.group(2).strip(), level=len(heading.group(1)))
            continue
        setext = _SETEXT_RE.match(stripped)
        if setext and len(block) == 1 and not line.startswith((" ", "\t")):
            level = 1 if setext.group(1).startswith("=") else 2
            yield Block("heading", _one_line(block[0]), level=level)
            block = []
            continue
        block.append(stripped)
    if note is not None:
        yield Block("note", "\n".join(note[1]).strip(), label=note[0])
    yield from flush()


_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "li",
        "blockquote",
        "section",
        "article",
        "main",
        "body",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "table",
        "tr",
        "thead",
        "tbody",
        "tfoot",
        "pre",
        "figure",
        "figcaption",
        "address",
        "center",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hgroup",
        "header",
        "footer",
        "aside",
        "caption",
        "details",
        "summary",
    ]
)
_VOID_TAGS = frozenset(
    [
        "br",
        "img",
        "hr",
        "meta",
        "link",
        "input",
        "wbr",
        "col",
        "area",
        "base",
        "embed",
        "source",
        "track",
        "param",
    ]
)
_ALWAYS_SKIP = frozenset(
    [
        "script",
        "style",
        "nav",
        "template",
        "noscript",
        "svg",
        "math",
        "iframe",
        "object",
        "button",
        "select",
        "textarea",
        "head",
        "form",
        "audio",
        "video",
        "canvas",
    ]
)
SKIPPED_EPUB_TYPES = frozenset(
    [
        "titlepage",
        "halftitlepage",
        "imprint",
        "colophon",
        "copyright-page",
        "toc",
        "landmarks",
        "loi",
        "lot",
        "cover",
        "frontispiece",
    ]
)
_NOTE_TYPES = frozenset(["footnote", "endnote", "rearnote", "note", "doc-footnote", "doc-endnote"])
_NOTES_SECTION_TYPES = frozenset(
    ["endnotes", "footnotes", "rearnotes", "doc-endnotes", "doc-footnotes"]
)
_NOTEREF_TYPES = frozenset({"noteref", "doc-noteref"})
_BACKLINK_TYPES = frozenset({"backlink", "doc-backlink"})
_SKIPPED_CLASSES = frozenset({"pgheader", "pgfooter"})
_PLACEHOLDER_RE = re.compile("\x00([^\x00]*)\x00")


@dataclass
class _Open:
    tag: str
    skip: bool = False
    note: str | None = None  # the note this element starts
    notes_section: bool = False
    link: bool = False  # an internal link, for telling contents entries


@dataclass
class _Doc:
    """What :class:`_HtmlExtractor` found in one document."""

    blocks: list[tuple[Block, bool, str | None]] = field(default_factory=list)
    title: str | None = None
    language: str | None = None
    epub_types: set[str] = field(default_factory=set)


class _HtmlExtractor(HTMLParser):
    """Blocks of Markdown inline text from an (X)HTML document.

    Footnote references are written as ``\\x00path#id\\x00`` placeholders; blocks inside a note
    carry the note's ``path#id`` so that the EPUB reader can pair them across documents.
    """

    def __init__(self, path: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.doc = _Doc()
        self._stack: list[_Open] = []
        self._skipping = 0
        self._buffer: list[str] = []
        self._marks: list[tuple[str, int]] = []  # open inline emphasis: (marker, buffer index)
        self._heading: int | None = None
        self._hgroup: list[str] | None = None
        self._hgroup_level = 0
        self._in_title = False
        self._title: list[str] = []
        self._pre = 0
        self._link_chars = 0
        self._text_chars = 0

    # -- state

    def _in(self, predicate: Callable[[_Open], bool]) -> bool:
        return any(predicate(o) for o in self._stack)

    def _note_key(self) -> str | None:
        for entry in reversed(self._stack):
            if entry.note is not None:
                return entry.note
        return None

    # -- parser callbacks

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k.lower(): (v or "") for k, v in attrs}
        types = set(attributes.get("epub:type", "").split()) | set(
            attributes.get("role", "").split()
        )
        if tag == "html" and attributes.get("lang", attributes.get("xml:lang")):
            self.doc.language = attributes.get("lang") or attributes.get("xml:lang")
        if tag == "body":
            self.doc.epub_types |= types
        if tag == "title" and not self._in(lambda o: o.tag in ("svg", "body")):
            self._in_title = True
        if tag in _VOID_TAGS:
            if tag == "br" and not self._skipping:
                self._buffer.append("\n")
            elif tag == "hr" and not self._skipping:
                self._flush()
            return
        if tag in ("p", "li") and self._stack and self._stack[-1].tag == tag:
            self.handle_endtag(tag)  # an unclosed <p> or <li> ends at the next one
        entry = _Open(tag)
        classes = set(attributes.get("class", "").split())
        if (
            tag in _ALWAYS_SKIP
            or types & SKIPPED_EPUB_TYPES
            or types & _BACKLINK_TYPES
            or classes & _SKIPPED_CLASSES
            or "hidden" in attributes
            or attributes.get("aria-hidden") == "true"
            or (
                tag in ("header", "footer")
                and not self._in(lambda o: o.tag in ("section", "article"))
            )
            or (tag == "aside" and not types & _NOTE_TYPES)
        ):
            entry.skip = True
        if types & _NOTEREF_TYPES and not self._skipping:
            entry.skip = True
            href = attributes.get("href", "")
            self._buffer.append(f"\x00{self._resolve(href)}\x00")
        if types & _NOTES_SECTION_TYPES:
            entry.notes_section = True
        element_id = attributes.get("id")
        if element_id and self._note_key() is None:
            in_section = self._in(lambda o: o.notes_section)
            if types & _NOTE_TYPES or (in_section and tag in ("li", "p", "div", "aside", "dd")):
                entry.note = f"{self.path}#{element_id}"
        if tag == "a" and attributes.get("href"):
            entry.link = not urlsplit(attributes["href"]).scheme
        if tag in _BLOCK_TAGS or entry.note is not None:
            self._flush()
        if tag == "hgroup" and not entry.skip:
            self._hgroup, self._hgroup_level = [], 0
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = int(tag[1])
            if self._hgroup is not None and not self._hgroup_level:
                self._hgroup_level = self._heading
        if tag == "pre":
            self._pre += 1
        if tag in ("em", "i", "strong", "b") and not self._skipping:
            self._marks.append(("**" if tag in ("strong", "b") else "*", len(self._buffer)))
        if tag in ("td", "th"):
            self._buffer.append(" ")
        self._stack.append(entry)
        if entry.skip:
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _VOID_TAGS or not any(o.tag == tag for o in self._stack):
            return
        while self._stack:
            entry = self._stack.pop()
            self._close(entry)
            if entry.tag == tag:
                break

    def _close(self, entry: _Open) -> None:
        if entry.skip:
            self._skipping -= 1
            return
        tag = entry.tag
        if tag in ("em", "i", "strong", "b"):
            self._close_mark()
        if tag == "pre":
            self._pre -= 1
        if tag in _BLOCK_TAGS or entry.note is not None:
            self._flush()
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = None
        if tag == "hgroup" and self._hgroup is not None:
            parts, self._hgroup = self._hgroup, None
            if parts:
                self._emit(Block("heading", ": ".join(parts), level=self._hgroup_level or 2))

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)
            return
        if self._skipping_content():
            return
        if not self._pre:
            data = re.sub(r"\s+", " ", data)
        data = _literal(data).replace("\x00", "")
        if data.strip():
            chars = len(data.strip())
            self._text_chars += chars
            if self._in(lambda o: o.link):
                self._link_chars += chars
        self._buffer.append(data)

    def close(self) -> None:
        super().close()
        while self._stack:
            self._close(self._stack.pop())
        self._flush()
        title = _one_line("".join(self._title))
        self.doc.title = title or None

    # -- helpers

    def _skipping_content(self) -> bool:
        return self._skipping > 0

    def _resolve(self, href: str) -> str:
        parts = urlsplit(href)
        if parts.scheme:
            return href
        path = self.path
        if parts.path:
            path = posixpath.normpath(
                posixpath.join(posixpath.dirname(self.path), unquote(parts.path))
            )
        return f"{path}#{unquote(parts.fragment)}"

    def _close_mark(self) -> None:
        if not self._marks:
            return
        marker, start = self._marks.pop()
        inner = "".join(self._buffer[start:])
        del self._buffer[start:]
        core = inner.strip()
        if not core or self._heading is not None or self._hgroup is not None:
            self._buffer.append(inner)
            return
        lead = inner[: len(inner) - len(inner.lstrip())]
        trail = inner[len(inner.rstrip()) :]
        self._buffer.append(f"{lead}{marker}{core}{marker}{trail}")

    def _flush(self) -> None:
        if self._marks:
            # A block boundary inside <em>: close the emphasis here.
            for _ in range(len(self._marks)):
                self._close_mark()
        raw = "".join(self._buffer)
        self._buffer = []
        link_only = self._text_chars > 0 and self._link_chars == self._text_chars
        self._link_chars = self._text_chars = 0
        lines = [" ".join(line.split()) for line in raw.split("\n")]
        text = "\n".join(line for line in lines if line)
        if not _PLACEHOLDER_RE.sub("", text).strip():
            return
        if self._hgroup is not None:
            self._hgroup.append(_one_line(text))
            return
        if self._heading is not None:
            self._emit(Block("heading", _one_line(text), level=self._heading))
        else:
            self._emit(Block("paragraph", text), link_only)

    def _emit(self, block: Block, link_only: bool = False) -> None:
        note = self._note_key()
        if block.kind == "heading" and (note or self._in(lambda o: o.notes_section)):
            return  # "Endnotes" over the notes, or a note's own number
        self.doc.blocks.append((block, link_only, note))


def _parse_html(text: str, path: str = "") -> _Doc:
    parser = _HtmlExtractor(path)
    parser.feed(text)
    parser.close()
    return parser.doc


def _html_blocks(docs: Sequence[_Doc], warnings: list[str]) -> tuple[list[Block], int, int]:
    """Join documents' blocks: pair notes with references, drop contents entries.

    Returns (blocks, notes made, contents entries dropped).
    """
    note_parts: dict[str, list[str]] = {}
    body: list[tuple[Block, bool]] = []
    for doc in docs:
        for block, link_only, note in doc.blocks:
            if note is not None:
                note_parts.setdefault(note, []).append(block.text)
            else:
                body.append((block, link_only))
    labels: dict[str, str] = {}
    missing = 0

    def ref(match: re.Match[str], *, keep: bool) -> str:
        nonlocal missing
        key = match.group(1)
        if key not in note_parts:
            missing += 1
            return ""
        if key not in labels:
            labels[key] = str(len(labels) + 1)
        return f"[^{labels[key]}]" if keep else ""

    blocks: list[Block] = []
    dropped = 0
    for index, (block, link_only) in enumerate(body):
        nxt = body[index + 1] if index + 1 < len(body) else None
        if link_only or (fold(block.text) in ("contents", "table of contents") and nxt and nxt[1]):
            dropped += link_only
            continue
        keep = block.kind == "paragraph"
        text = _PLACEHOLDER_RE.sub(partial(ref, keep=keep), block.text)
        text = re.sub(r"[ \t]+(\[\^)", r"\1", text)
        if block.kind == "heading":
            text = _one_line(text)
        if text.strip():
            blocks.append(replace(block, text=text))
    for key in note_parts:
        labels.setdefault(key, str(len(labels) + 1))
    for key, label in labels.items():
        parts = [_PLACEHOLDER_RE.sub("", p).strip() for p in note_parts[key]]
        blocks.append(Block("note", "\n\n".join(p for p in parts if p), label=label))
    if missing:
        warnings.append(f"dropped {missing} footnote reference(s) that point to no note")
    return blocks, len(labels), dropped


def _import_html(text: str, filename: str) -> ImportedText:
    doc = _parse_html(_normalise(text))
    warnings: list[str] = []
    changes: list[str] = []
    blocks, notes, contents = _html_blocks([doc], warnings)
    h1 = [b for b in blocks if b.kind == "heading" and b.level == 1]
    title = h1[0].text if len(h1) == 1 else doc.title
    title = title or doc.title
    if len(h1) == 1 and blocks and blocks[0] is h1[0]:
        blocks = blocks[1:]
    blocks, _ = _drop_title_blocks(blocks, title, None)
    blocks = _shift_levels(blocks)
    if contents:
        changes.append(f"dropped the table of contents ({contents} entries)")
    if notes:
        changes.append(f"made {notes} notes into footnotes")
    return _finish(
        blocks,
        filename=filename,
        title=title,
        author=None,
        language=doc.language,
        warnings=warnings,
        changes=changes,
    )


_CONTAINER_NS = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_XHTML_TYPES = frozenset({"application/xhtml+xml", "text/html", "application/x-dtbook+xml"})


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _import_epub(data: bytes, filename: str, max_text_bytes: int) -> ImportedText:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ImportFailed(
            filename,
            f"the EPUB is damaged: it is not a readable zip archive ({exc}); download it again "
            "or re-save it from an e-book editor such as Calibre",
        ) from None
    if sum(info.file_size for info in archive.infolist()) > MAX_EPUB_BYTES:
        raise ImportFailed(filename, "the EPUB unpacks to more than 200 MB: it is not a book")
    warnings: list[str] = []
    changes: list[str] = []

    def read(name: str) -> bytes:
        try:
            return archive.read(name)
        except (zipfile.BadZipFile, KeyError, OSError, EOFError, RuntimeError) as exc:
            raise ImportFailed(
                filename, f"the EPUB is damaged: {name} cannot be read ({exc}); download it again"
            ) from None

    opf_path = _opf_path(names, read, warnings, filename)
    if "META-INF/encryption.xml" in names and b"EncryptedData" in read("META-INF/encryption.xml"):
        raise ImportFailed(
            filename,
            "the EPUB is encrypted (DRM): only DRM-free EPUBs can be imported, e.g. from "
            "Standard Ebooks or Project Gutenberg",
        )
    try:
        package = ElementTree.fromstring(read(opf_path))
    except ElementTree.ParseError as exc:
        raise ImportFailed(
            filename, f"the EPUB's package document {opf_path} is not valid XML ({exc})"
        ) from None
    base = posixpath.dirname(opf_path)
    meta: dict[str, list[str]] = {}
    for element in package.iter():
        if element.tag.startswith("{http://purl.org/dc/elements/1.1/}") and element.text:
            meta.setdefault(_local(element.tag), []).append(_one_line(element.text))
    manifest: dict[str, tuple[str, str, set[str]]] = {}
    spine: list[tuple[str, bool]] = []
    for element in package.iter():
        name = _local(element.tag)
        if name == "item" and element.get("id") and element.get("href"):
            path = posixpath.normpath(posixpath.join(base, unquote(element.get("href", ""))))
            manifest[element.get("id", "")] = (
                path,
                element.get("media-type", ""),
                set(element.get("properties", "").split()),
            )
        elif name == "itemref" and element.get("idref"):
            spine.append((element.get("idref", ""), element.get("linear", "yes") != "no"))
    if not spine:
        raise ImportFailed(
            filename, f"the EPUB's package document {opf_path} has no spine: it lists no text"
        )
    docs: list[_Doc] = []
    skipped: list[str] = []
    parsed = 0  # decompressed bytes of the documents parsed so far
    # A spine may list one document many times (2,000 times a 1 MB file was a 2 GB parse
    # inside an archive the size check passed): each is read once, where it first stands.
    seen: set[str] = set()  # documents, and idrefs missing from the manifest
    repeats = 0
    for idref, linear in spine:
        key = manifest[idref][0] if idref in manifest else idref
        if key in seen:
            repeats += 1
            continue
        seen.add(key)
        if idref not in manifest:
            warnings.append(f"spine item {idref!r} is not in the manifest: skipped")
            continue
        path, media_type, properties = manifest[idref]
        if not linear or "nav" in properties or media_type not in _XHTML_TYPES:
            skipped.append(posixpath.basename(path))
            continue
        if path not in names:
            warnings.append(f"{path} is in the spine but missing from the EPUB: skipped")
            continue
        parsed += archive.getinfo(path).file_size  # zipfile never unpacks more than this
        if parsed > max_text_bytes:
            raise ImportFailed(
                filename,
                f"the EPUB's spine holds more than {max_text_bytes / 1_000_000:g} MB of text; a "
                "book is a few MB: import the volumes one by one, or check the file",
            )
        doc = _parse_html(_decode_markup(read(path)), path)
        if doc.epub_types & SKIPPED_EPUB_TYPES or not doc.blocks:
            skipped.append(posixpath.basename(path))
            continue
        docs.append(doc)
    if repeats:
        warnings.append(f"the spine lists documents again {repeats} time(s): each was read once")
    blocks, notes, contents = _html_blocks(docs, warnings)
    title = meta.get("title", [None])[0]
    author = _join_names(meta.get("creator", []))
    blocks, _ = _drop_title_blocks(blocks, title, author)
    blocks = _shift_levels(blocks)
    if skipped:
        changes.append(
            f"skipped {len(skipped)} document{'s' if len(skipped) != 1 else ''} of front or "
            f"back matter ({', '.join(skipped)})"
        )
    if contents:
        changes.append(f"dropped the table of contents ({contents} entries)")
    if notes:
        changes.append(f"made {notes} notes into footnotes")
    # The identifier names this edition (Standard Ebooks); dc:source the text it came from.
    sources = [s for s in meta.get("identifier", []) + meta.get("source", []) if "://" in s]
    return _finish(
        blocks,
        filename=filename,
        title=title,
        author=author,
        language=meta.get("language", [None])[0],
        warnings=warnings,
        changes=changes,
        source=sources[0] if sources else None,
        licence=meta.get("rights", [None])[0],
    )


def _opf_path(
    names: set[str], read: Callable[[str], bytes], warnings: list[str], filename: str
) -> str:
    """The package document named by ``META-INF/container.xml`` (or the only .opf there is)."""
    if "META-INF/container.xml" in names:
        try:
            container = ElementTree.fromstring(read("META-INF/container.xml"))
        except ElementTree.ParseError:
            container = None
        if container is not None:
            for rootfile in container.iter(f"{_CONTAINER_NS}rootfile"):
                path = rootfile.get("full-path", "")
                if path in names:
                    return path
    opfs = sorted(n for n in names if n.lower().endswith(".opf"))
    if len(opfs) == 1:
        warnings.append(f"META-INF/container.xml does not name the package: used {opfs[0]}")
        return opfs[0]
    raise ImportFailed(
        filename,
        "no OPF package document found (META-INF/container.xml is missing or names a file "
        "that is not there): this is not a valid EPUB; re-save it from an e-book editor such "
        "as Calibre",
    )


def _decode_markup(data: bytes) -> str:
    declared = re.match(rb"<\?xml[^>]*encoding=[\"']([\w.-]+)[\"']", data)
    if declared:
        try:
            return _normalise(data.decode(declared.group(1).decode("ascii")))
        except (LookupError, UnicodeDecodeError):
            pass
    return _normalise(_decode(data)[0])
