"""Import HTML; the reader of an EPUB's documents too.

``<h1>``-``<h6>`` are headings, ``<p>``, ``<li>``, ``<blockquote>`` and other blocks are
paragraphs, ``<br>`` keeps a line break; ``script``, ``style``, ``nav``, a page's own
``header``/``footer`` (not those inside a ``section``), hidden elements and Gutenberg's
header/licence boxes are skipped; ``<em>``/``<i>`` become ``*...*`` and ``<strong>``/``<b>``
``**...**``. A paragraph that is nothing but a link into the book is a contents entry and is
dropped. Footnotes and endnotes (``epub:type="noteref"`` links to ``footnote``/``endnote``
elements or the items of an ``endnotes`` section) become the reading's footnotes, numbered in
reading order, so they land in its Notes section and are never scheduled as an excerpt; a marker
in a heading is dropped (the note stays). Notes that no ``epub:type`` marks (marker links such as
``<a href="#n1">[1]</a>``, text markers under a ``Notes`` heading) are found by
:mod:`.html_notes`; a saved web page's furniture, title, author and source lines by
:mod:`.html_page`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from html.parser import HTMLParser
from urllib.parse import urlsplit

from bot.core.importer.common import (
    _finish,
    _literal,
    _normalise,
    _one_line,
    _shift_levels,
)
from bot.core.importer.html_notes import (
    BACKLINK_TEXT_RE,
    SUP_MARK,
    is_notes_heading,
    marker_label,
    pair_text_notes,
    resolve,
    scan_note_targets,
    strip_note_label,
    unmark_sups,
)
from bot.core.importer.html_page import clean_page
from bot.core.importer.model import Block, ImportedText
from bot.core.readings import fold

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
_SKIPPED_CLASSES = frozenset(
    # Gutenberg's boxes; MediaWiki's (Wikisource's) edit links, jump links and backlinks.
    {"pgheader", "pgfooter", "mw-editsection", "mw-jump-link", "mw-cite-backlink", "noprint"}
)
# MediaWiki's page chrome around the text: tagline, subpage trail, menus, categories, footer.
_SKIPPED_IDS = frozenset(
    {"siteSub", "contentSub", "jump-to-nav", "mw-navigation", "catlinks", "footer", "mw-head"}
)
_SKIPPED_CLASSES |= {"printfooter", "catlinks"}
_NOTE_CONTAINERS = frozenset({"p", "li", "dd", "dt", "td", "div", "aside", "blockquote"})
_PLACEHOLDER_RE = re.compile("\x00([^\x00]*)\x00")


@dataclass
class _Open:
    tag: str
    skip: bool = False
    note: str | None = None  # the note this element starts
    notes_section: bool = False
    link: bool = False  # an internal link, for telling contents entries
    classes: frozenset[str] = frozenset()
    emitted: int = 0  # blocks emitted before this element opened
    start: int = 0  # the buffer's length when this element opened
    ref: str | None = None  # the note this link may point to, if its text is a marker
    backlink: bool = False  # a link inside a note, dropped if its text is a marker or arrow


@dataclass
class _Doc:
    """What :class:`_HtmlExtractor` found in one document."""

    blocks: list[tuple[Block, bool, str | None]] = field(default_factory=list)
    title: str | None = None
    language: str | None = None
    epub_types: set[str] = field(default_factory=set)
    meta: dict[str, str] = field(default_factory=dict)  # <meta name=... content=...>


class _HtmlExtractor(HTMLParser):
    """Blocks of Markdown inline text from an (X)HTML document.

    Footnote references are written as ``\\x00path#id\\x00`` placeholders; blocks inside a note
    carry the note's ``path#id`` so that the EPUB reader can pair them across documents.
    """

    def __init__(self, path: str = "", note_targets: Mapping[str, str] | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.note_targets = note_targets or {}
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
        if tag == "meta" and attributes.get("content"):
            name = (attributes.get("name") or attributes.get("property") or "").lower()
            self.doc.meta.setdefault(name, _one_line(attributes["content"]))
        if tag in _VOID_TAGS:
            if tag == "br" and not self._skipping:
                self._buffer.append("\n")
            elif tag == "hr" and not self._skipping:
                self._flush()
            return
        if tag in ("p", "li") and self._stack and self._stack[-1].tag == tag:
            self.handle_endtag(tag)  # an unclosed <p> or <li> ends at the next one
        classes = frozenset(attributes.get("class", "").split())
        entry = _Open(tag, classes=classes, emitted=len(self.doc.blocks), start=len(self._buffer))
        if (
            tag in _ALWAYS_SKIP
            or types & SKIPPED_EPUB_TYPES
            or types & _BACKLINK_TYPES
            or classes & _SKIPPED_CLASSES
            or attributes.get("id") in _SKIPPED_IDS
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
        anchors = [a for a in (element_id, attributes.get("name") if tag == "a" else None) if a]
        for anchor in anchors:
            key = f"{self.path}#{anchor}"
            if key in self.note_targets and self._note_key() is None and not self._skipping:
                self._start_note(entry, key)
        if tag == "a" and attributes.get("href"):
            entry.link = not urlsplit(attributes["href"]).scheme
            if entry.link and not self._skipping and not types & _NOTEREF_TYPES:
                target = resolve(self.path, attributes["href"])
                if self._note_key() is not None:
                    entry.backlink = True
                elif target in self.note_targets:
                    entry.ref = target
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
            entry = self._stack[-1]
            self._close(entry)  # still on the stack: a note's own text is flushed as the note
            self._stack.pop()
            if entry.tag == tag:
                break

    def _close(self, entry: _Open) -> None:
        if entry.skip:
            self._skipping -= 1
            return
        tag = entry.tag
        if tag in ("em", "i", "strong", "b"):
            self._close_mark()
        if entry.ref is not None or entry.backlink or tag == "sup":
            self._close_marker(entry)
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
        data = _literal(data).replace("\x00", "").replace(SUP_MARK, "")
        if data.strip():
            chars = len(data.strip())
            self._text_chars += chars
            if self._in(lambda o: o.link):
                self._link_chars += chars
        self._buffer.append(data)

    def close(self) -> None:
        super().close()
        while self._stack:
            self._close(self._stack[-1])
            self._stack.pop()
        self._flush()
        title = _one_line("".join(self._title))
        self.doc.title = title or None

    # -- helpers

    def _skipping_content(self) -> bool:
        return self._skipping > 0

    def _resolve(self, href: str) -> str:
        return resolve(self.path, href)

    def _start_note(self, entry: _Open, key: str) -> None:
        """Make the element that holds the anchor ``key`` a note (or the block around it)."""
        if entry.tag in _NOTE_CONTAINERS:
            entry.note = key
            return
        # An inline anchor (<a name="n1">): the note is the block around it, or that block's
        # container when the container is a note of several paragraphs (class "footnote").
        holder = next((o for o in reversed(self._stack) if o.tag in _BLOCK_TAGS), None)
        if holder is None or holder.tag not in _NOTE_CONTAINERS:
            return  # loose text in a page's body: left as text
        at = self._stack.index(holder)
        parent = self._stack[at - 1] if at > 0 else None
        if (
            parent is not None
            and parent.tag in _NOTE_CONTAINERS
            and any("note" in c.lower() for c in parent.classes)
            and parent.emitted == len(self.doc.blocks)
        ):
            holder = parent
        if holder.emitted == len(self.doc.blocks):
            holder.note = key

    def _close_marker(self, entry: _Open) -> None:
        """A marker link becomes a placeholder; a note's link back and its number go."""
        text = "".join(self._buffer[entry.start :])
        if entry.backlink:
            if marker_label(text) is not None or BACKLINK_TEXT_RE.match(text):
                del self._buffer[entry.start :]
            return
        label = marker_label(text)
        if label is None:
            return
        del self._buffer[entry.start :]
        if entry.ref is not None:
            self._buffer.append(f"\x00{entry.ref}\x00")
        elif label.isdigit() and not self._in(lambda o: o.link):
            self._buffer.append(f"{SUP_MARK}{label}{SUP_MARK}")  # paired in html_notes
        else:
            self._buffer.append(text)

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


def _parse_html(text: str, path: str = "", note_targets: Mapping[str, str] | None = None) -> _Doc:
    parser = _HtmlExtractor(path, note_targets)
    parser.feed(text)
    parser.close()
    return parser.doc


def _html_blocks(
    docs: Sequence[_Doc], warnings: list[str], note_targets: Mapping[str, str] | None = None
) -> tuple[list[Block], int, int]:
    """Join documents' blocks: pair notes with references, drop contents entries.

    Returns (blocks, notes made, contents entries dropped).
    """
    note_parts: dict[str, list[str]] = {}
    body: list[tuple[Block, bool]] = []
    for doc in docs:
        for block, link_only, note in doc.blocks:
            if note is None:
                body.append((block, link_only))
                continue
            note_parts.setdefault(note, []).append(block.text)
            if body and body[-1][0].kind == "heading" and is_notes_heading(body[-1][0].text):
                body.pop()  # "Notes" over notes that are now footnotes
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

    kept: list[Block] = []
    dropped = 0
    for index, (block, link_only) in enumerate(body):
        nxt = body[index + 1] if index + 1 < len(body) else None
        if link_only or (fold(block.text) in ("contents", "table of contents") and nxt and nxt[1]):
            dropped += link_only
            continue
        kept.append(block)
    blocks: list[Block] = []
    for block in pair_text_notes(kept, note_parts):
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
        parts = [unmark_sups(_PLACEHOLDER_RE.sub("", p)).strip() for p in note_parts[key]]
        parts = [p for p in parts if p]
        if parts:
            parts[0] = strip_note_label(parts[0], (note_targets or {}).get(key))
        blocks.append(Block("note", "\n\n".join(p for p in parts if p), label=label))
    if missing:
        warnings.append(f"dropped {missing} footnote reference(s) that point to no note")
    return blocks, len(labels), dropped


def _import_html(text: str, filename: str) -> ImportedText:
    text = _normalise(text)
    targets = scan_note_targets([("", text)])
    doc = _parse_html(text, "", targets)
    warnings: list[str] = []
    blocks, notes, contents = _html_blocks([doc], warnings, targets)
    page = clean_page(blocks, doc.meta, doc.title)
    blocks = _shift_levels(page.blocks)
    changes = page.changes
    if contents:
        changes.append(f"dropped the table of contents ({contents} entries)")
    if notes:
        changes.append(f"made {notes} notes into footnotes")
    return _finish(
        blocks,
        filename=filename,
        title=page.title,
        author=page.author,
        language=doc.language,
        warnings=warnings,
        changes=changes,
        licence=page.licence,
        source_note="; ".join(page.sources) or None,
    )
