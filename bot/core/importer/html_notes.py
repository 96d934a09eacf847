"""Notes in HTML that no ``epub:type`` marks: see :mod:`.html`.

A link whose text is a note marker (``[1]``, ``(2)``, ``3``, ``*``) and whose target is not
itself a marker link (the note's own link back) points to a note: :func:`scan_note_targets`
finds those targets before the page is read, so the element holding one becomes a note. Markers
that are only text (``[1]``, ``word.(2)``, ``<sup>3</sup>``) are paired by
:func:`pair_text_notes` with the numbered paragraphs (``1. ...``, ``[1] ...``) under the next
``Notes`` heading; numbering that restarts per chapter pairs with each chapter's own notes.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import replace
from functools import partial
from urllib.parse import unquote, urlsplit

from bot.core.importer.model import Block
from bot.core.readings import fold

_LABEL = r"\d{1,3}|[*†‡§]{1,3}"
MARKER_TEXT_RE = re.compile(rf"^\s*(?:\[\s*({_LABEL})\s*\]|\(\s*({_LABEL})\s*\)|({_LABEL}))\.?\s*$")
BACKLINK_TEXT_RE = re.compile(r"^\s*(?:[\^↑↩⤴⇑]+|back|return|top)\s*$", re.IGNORECASE)
_LINK_RE = re.compile(r"<a\b([^>]*)>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL)
_HREF_RE = re.compile(r"""\bhref\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_ANCHOR_RE = re.compile(r"""\b(?:id|name)\s*=\s*(["'])(.*?)\1""", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]*>")
_OPEN_TAG_RE = re.compile(r"<[a-zA-Z][^>]*>")
_BLOCK_START_RE = re.compile(r"<(?:p|li|td|th|div|dd|dt|br|tr|h[1-6]|body|section)\b", re.I)
NOTES_HEADING_RE = re.compile(r"^(?:(?:foot|end)?notes?|notes? to .{1,60})$")
_NUMBERED_RE = re.compile(r"^\s*(?:\[(\d{1,3})\]|\((\d{1,3})\)|(\d{1,3})\.)\s+(\S.*)$", re.DOTALL)
# Text markers: [3] anywhere; (3) glued to a word or punctuation; <sup>3</sup> (see html.py).
_TEXT_MARK_RE = re.compile(r"\s?\[(\d{1,3})\]|(?<=[^\s(])\((\d{1,3})\)|\x01(\d{1,3})\x01")
SUP_MARK = "\x01"


def marker_label(text: str) -> str | None:
    """The label of a note marker's text (``"[12]"`` -> ``"12"``), or None if it is not one."""
    match = MARKER_TEXT_RE.match(text)
    return next((g for g in match.groups() if g), None) if match else None


def resolve(path: str, href: str) -> str:
    """A link's target as ``document path#fragment``, relative to the document at ``path``."""
    parts = urlsplit(href)
    if parts.scheme:
        return href
    target = path
    if parts.path:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), unquote(parts.path)))
    return f"{target}#{unquote(parts.fragment)}"


def scan_note_targets(documents: list[tuple[str, str]]) -> dict[str, str]:
    """The targets of marker links in ``(path, markup)`` documents: ``{path#id: label}``.

    A marker link that points back to an anchor earlier in reading order is the way back from a
    note to its reference, not a reference, so its target is not a note.
    """
    targets: dict[str, str] = {}
    seen: set[str] = set()  # anchors (id, name) before the current link, in reading order
    for path, markup in documents:
        anchors = [
            (tag.start(), f"{path}#{html.unescape(anchor.group(2))}")
            for tag in _OPEN_TAG_RE.finditer(markup)
            for anchor in _ANCHOR_RE.finditer(tag.group(0))
        ]
        next_anchor = 0
        for match in _LINK_RE.finditer(markup):
            while next_anchor < len(anchors) and anchors[next_anchor][0] < match.start():
                seen.add(anchors[next_anchor][1])
                next_anchor += 1
            attributes, inner = match.groups()
            href = _HREF_RE.search(attributes)
            label = marker_label(html.unescape(_TAG_RE.sub("", inner)))
            if href is None or label is None or "#" not in href.group(2):
                continue
            target = resolve(path, html.unescape(href.group(2)))
            if _starts_a_block(markup, match.start()):
                continue  # "1" alone at the start of a line or item: a contents entry
            if not urlsplit(target).scheme and target not in seen:
                targets.setdefault(target, label)
        seen.update(anchor for _, anchor in anchors[next_anchor:])
    return targets


def _starts_a_block(markup: str, at: int) -> bool:
    """Whether only tags and spaces stand between a block's start and position ``at``."""
    before = markup[max(0, at - 300) : at]
    tail = re.search(r"(?:\s|<[^>]*>)*$", before)
    return bool(tail and _BLOCK_START_RE.search(tail.group(0)))


def strip_note_label(text: str, label: str | None) -> str:
    """A note's text without its printed number (``1. ``, ``[1]``) and stray punctuation."""
    text = re.sub(r"^\s*[.:)\]]\s+", "", text.lstrip())  # "1</a>. Text" left ". Text"
    if label:
        text = re.sub(
            rf"^(?:\[{re.escape(label)}\]|\({re.escape(label)}\)|{re.escape(label)}\.?)\s+",
            "",
            text,
        )
    return text


def is_notes_heading(text: str) -> bool:
    return bool(NOTES_HEADING_RE.match(fold(text)))


def _text_ref(match: re.Match[str], *, keys: dict[str, str], used: set[str]) -> str:
    number = next(g for g in match.groups() if g)
    if number not in keys:
        return match.group(0)
    used.add(number)
    return f"\x00{keys[number]}\x00"


def pair_text_notes(blocks: list[Block], note_parts: dict[str, list[str]]) -> list[Block]:
    """Pair text markers with the numbered paragraphs under the next notes heading.

    Paired paragraphs leave ``blocks`` and join ``note_parts`` under a key of their own; their
    markers become ``\\x00key\\x00`` placeholders, as link references are. Markers with no note
    are left as the source printed them.
    """
    out: list[Block] = []
    scope_start = 0  # index in ``out`` where the markers the next notes section serves begin
    index = 0
    section = 0
    while index < len(blocks):
        block = blocks[index]
        index += 1
        if not (block.kind == "heading" and is_notes_heading(block.text)):
            out.append(block)
            continue
        numbered: dict[str, str] = {}
        end = index
        while end < len(blocks) and blocks[end].kind == "paragraph":
            match = _NUMBERED_RE.match(blocks[end].text)
            if match is None:
                break
            number = next(g for g in match.groups()[:3] if g)
            numbered.setdefault(number, match.group(4))
            end += 1
        section += 1
        used: set[str] = set()
        keys = {n: f"text:{section}:{n}" for n in numbered}
        for at in range(scope_start, len(out)):
            if out[at].kind == "paragraph":
                text = _TEXT_MARK_RE.sub(partial(_text_ref, keys=keys, used=used), out[at].text)
                out[at] = Block("paragraph", text)
        if not used:
            out.append(block)  # a "Notes" section of the text itself: keep it
            continue
        for number, text in numbered.items():
            note_parts[keys[number]] = [text]
        index = end
        scope_start = len(out)
    return [replace(b, text=unmark_sups(b.text)) for b in out]


def unmark_sups(text: str) -> str:
    """``<sup>`` numbers that paired with no note, back as the source printed them."""
    return text.replace(SUP_MARK, "")
