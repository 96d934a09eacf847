"""Import plain text, Markdown, HTML and EPUB into a reading file.

:func:`import_bytes` turns the bytes of a file into an :class:`ImportedText` (title, author and
a sequence of headings, paragraphs and notes); :func:`to_reading_markdown` writes that as a
reading file that :func:`bot.core.readings.parse_reading` accepts. Everything here is pure: bytes
and a file name in, text out; problems that stop an import raise :class:`ImportFailed`, problems
that only lose a little (a spine file missing from an EPUB) are collected in
``ImportedText.warnings``.

One module per format describes the heuristics it applies, so that an organizer can predict what
happens to a file: :mod:`~bot.core.importer.text` (plain text; a Project Gutenberg text's header
and title page in :mod:`~bot.core.importer.gutenberg`), :mod:`~bot.core.importer.markdown`
(pandoc's inline syntax in :mod:`~bot.core.importer.markdown_inline`),
:mod:`~bot.core.importer.html` and :mod:`~bot.core.importer.epub`. They share
:mod:`~bot.core.importer.model` and :mod:`~bot.core.importer.common`;
:mod:`~bot.core.importer.output` writes the reading file.

Everywhere, headings with no paragraph before the next heading of their level or higher are
dropped, as are leading lines that only repeat the title or ``By`` the author.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace

from bot.core.importer.common import _decode
from bot.core.importer.epub import MAX_EPUB_BYTES, MAX_TEXT_BYTES, _import_epub
from bot.core.importer.html import _import_html
from bot.core.importer.markdown import _import_markdown
from bot.core.importer.model import Block, BlockKind, ImportedText, ImportFailed
from bot.core.importer.output import suggest_slug, to_reading_markdown
from bot.core.importer.text import _import_text

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
