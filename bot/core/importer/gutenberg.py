"""A Project Gutenberg text's header, licence and title page: see :mod:`.text`."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.core.importer.common import _one_line
from bot.core.importer.text_blocks import (
    _CONTENTS_RE,
    _caps_block,
    _is_prose,
    _is_short,
    _keyword_heading,
    _Raw,
)

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
_DEDICATION_RE = re.compile(r"^(?:to|for|dedicated|dedication|in memory|inscribed)\b", re.I)
_EDITION_RE = re.compile(r"\b(?:edition|edited|translated|translation|printed|published)\b", re.I)
_QUOTES = "\"“‘'«"
_DASHES = "-—–"
_PG_TAIL_RE = re.compile(r"^(?:the )?end of (?:the )?project gutenberg", re.IGNORECASE)


def _pg_field(header: str, name: str) -> str | None:
    match = re.search(_PG_FIELD_RE.format(name), header, re.MULTILINE)
    return _one_line(match.group(1)) if match else None


def _drop_pg_title_page(raw: list[_Raw]) -> tuple[list[_Raw], int, str | None]:
    """Drop the short lines of a Gutenberg title page before the contents or first heading.

    A dedication (``To my father``, ``Dedicated to ...``) and an epigraph (a quotation, with
    the line naming its author) are part of the book: they stay. Lines about the edition
    (``[From the English edition of 1888, edited by Frederick Engels]``, ``Printed for ...``)
    are returned as the source note.

    Returns (the blocks, how many were dropped, the source note or None).
    """
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
        return raw, 0, None
    kept: list[_Raw] = []
    edition: list[str] = []
    for block in raw[:index]:
        epigraph = block.text[:1] in _QUOTES or (kept and block.text[:1] in _DASHES)
        if _DEDICATION_RE.match(block.text) or epigraph:
            kept.append(replace(block, prose=True))
        elif _EDITION_RE.search(block.text):
            edition.append(block.text.strip("[] "))
    return kept + raw[index:], index - len(kept), "; ".join(edition) or None
