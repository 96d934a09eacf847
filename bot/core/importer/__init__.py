"""Import plain text, Markdown, HTML and EPUB into a reading file.

:func:`import_bytes` turns the bytes of a file into an :class:`ImportedText` (title, author and
a sequence of headings, paragraphs and notes); :func:`to_reading_markdown` writes that as a
reading file that :func:`bot.core.readings.parse_reading` accepts. Everything here is pure: bytes
and a file name in, text out; problems that stop an import raise :class:`ImportFailed`, problems
that only lose a little (a spine file missing from an EPUB) are collected in
``ImportedText.warnings``.

The heuristics, so that an organizer can predict what happens to a file, are described in each
format's module (:mod:`~bot.core.importer.text` (plain text; a Project Gutenberg text's header
and title page in :mod:`~bot.core.importer.gutenberg`), :mod:`~bot.core.importer.markdown`) and
below:

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

from bot.core.importer.common import (
    _decode,
    _drop_title_blocks,
    _finish,
    _literal,
    _normalise,
    _one_line,
    _shift_levels,
)
from bot.core.importer.markdown import _import_markdown
from bot.core.importer.model import Block, BlockKind, ImportedText, ImportFailed
from bot.core.importer.output import suggest_slug, to_reading_markdown
from bot.core.importer.text import _import_text
from bot.core.readings import fold

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
