"""A web page's furniture and metadata, for :mod:`.html`.

Saved pages from online archives (marxists.org, Wikisource, Project Gutenberg) wrap the text in
site furniture; :func:`clean_page` takes it off and keeps what it says about the text:

- title: ``<meta name="title">`` (or ``dc.title``), else the page's only ``<h1>``, else its
  ``<title>`` without the site (``... | Site``, ``... - Wikisource``) or an author or archive
  prefix (``Lenin: ...``); Gutenberg's ``Title:``/``Author:`` header wins over all;
- author: ``<meta name="author">`` (or ``dc.creator``), else a byline before the text (a
  ``by ...`` line, or a heading that is a name right under the title);
- lines such as ``Written:``, ``Source:``, ``Published:``, ``Translated:`` go to the reading's
  ``source_note``; a ``Public Domain:``/licence line to ``licence``;
- dropped as furniture: breadcrumbs (``MIA: Marxists: ... : Library``), navigation rows
  (``Works Index | Volume 19``, ``Next: ...``, ``return``), ``Last updated`` lines,
  transcription and markup credits, Gutenberg's header and licence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.importer.gutenberg import _PG_END_RE, _PG_START_RE, _PG_TAIL_RE, _pg_field
from bot.core.importer.model import Block
from bot.core.readings import fold, plain_text

_SOURCE_LABELS = (
    r"written|first published|published|originally published|source|translated|translation"
    r"|translated by|delivered|first delivered|signed|date|first appeared"
)
_CREDIT_LABELS = (
    r"transcri\w*(?:\s*[/\\&,]\s*(?:html )?mark-?up)?|(?:html )?mark-?up|proof-?read\w*|proofed"
    r"|online version|e-?text|digiti[sz]ed|converted|scanned|html|produced|prepared"
)
_SOURCE_LINE_RE = re.compile(rf"^(?:{_SOURCE_LABELS})\s*:\s*\S", re.IGNORECASE)
_CREDIT_LINE_RE = re.compile(rf"^(?:{_CREDIT_LABELS})(?:\s+by\b|\s*:)", re.IGNORECASE)
_LICENCE_LINE_RE = re.compile(
    r"^(?:public domain|copyleft|copyright|licen[cs]e)\s*:|you may freely copy"
    r"|^this work (?:was published|is in the public domain)"
    r"|^text is available under the creative commons",
    re.IGNORECASE,
)
_UPDATED_RE = re.compile(
    r"^(?:last (?:updated|modified|edited|changed)|this page was last (?:edited|updated|modified)"
    r"|updated on)\b",
    re.IGNORECASE,
)
_NAV_WORDS = (
    r"next|previous|prev|back|forward|backward|return|up|top|home|index|contents"
    r"|table of contents|back to (?:the )?(?:top|index|contents)|categor(?:y|ies)"
)
_SITE_LINE_RE = re.compile(r"^(?:retrieved from|from wikisource)\b", re.IGNORECASE)
_NAV_LINE_RE = re.compile(rf"^(?:{_NAV_WORDS})\b\s*(?::.*)?$", re.IGNORECASE)
_ARROWS = "<>«»←→↑⇐⇒"
_BYLINE_RE = re.compile(r"^by\s+(.+?)(?:,?\s+translated by\s+(.+?))?\.?$", re.IGNORECASE)
_NOT_NAMES = frozenset(
    {"preface", "introduction", "foreword", "afterword", "chapter", "part", "book", "section"}
    | {"contents", "notes", "appendix", "letter", "speech", "article", "editor", "translator"}
)
_ARCHIVE_PREFIX_RE = re.compile(r"(?:manuscripts|archive|works|writings|library)$", re.IGNORECASE)
_SITE_SUFFIX_RE = re.compile(
    r"\s+[-–—]\s+[^-–—]*(?:wikisource|wikipedia|library|archive|gutenberg|\.org|\.com|\.net)"
    r"[^-–—]*$",
    re.IGNORECASE,
)
_PG_TITLE_RE = re.compile(r"^the project gutenberg e-?book of (.+?)(?:, by (.+))?$", re.IGNORECASE)


@dataclass
class Page:
    """What :func:`clean_page` kept of a page."""

    blocks: list[Block]
    title: str | None = None
    author: str | None = None
    sources: list[str] = field(default_factory=list)  # the source_note's lines
    licence: str | None = None
    changes: list[str] = field(default_factory=list)


def clean_page(blocks: list[Block], meta: dict[str, str], title_element: str | None) -> Page:
    """Take a page's furniture off ``blocks`` and read its title, author and source lines."""
    page = Page(blocks)
    _gutenberg(page)
    author = _meta(meta, "author", "dc.creator", "dcterms.creator", "citation_author")
    page.author = page.author or author
    h1 = [b for b in page.blocks if b.kind == "heading" and b.level == 1]
    title = page.title or _meta(meta, "title", "dc.title", "dcterms.title", "citation_title")
    title = title or (h1[0].text if len(h1) == 1 else None)
    from_element = not title
    title = title or _clean_title_element(title_element, page.author)
    page.title = _subpage(title) if title else None
    licence: list[str] = []
    furniture = credits = 0
    kept: list[Block] = []
    for block in page.blocks:
        if block.kind != "paragraph":
            kept.append(block)
            continue
        lines = [plain_text(line) for line in block.text.split("\n")]
        began = any(b.kind == "paragraph" for b in kept)
        kinds = [_line_kind(line, began) for line in lines]
        # One "Source: ..." line after the text has begun may be the text's own sentence.
        alone = len(lines) == 1 and kinds[0] == "source" and began
        if None in kinds or alone:
            kept.append(block)
            continue
        for line, kind in zip(lines, kinds, strict=True):
            if kind == "source":
                page.sources.append(line)
            elif kind == "licence":
                licence.append(line)
            elif kind == "credit":
                credits += 1
            else:
                furniture += 1
    sourced = bool(page.sources)
    # A name heading under the title is a byline when the page names that person elsewhere.
    prefix = (title_element or "").partition(": ")[0] if ": " in (title_element or "") else ""
    surnames = set(fold(f"{page.author or ''} {prefix}").split())
    page.blocks = _front(kept, page, surnames)
    if from_element and title_element and page.author:  # a byline names the title's prefix
        page.title = _subpage(_clean_title_element(title_element, page.author) or title_element)
    page.licence = " ".join(licence) or None
    if sourced:
        page.changes.append("moved the source lines (Written:, Source: ...) to source_note")
    if licence:
        page.changes.append("moved the licence to licence")
    if credits:
        page.changes.append(f"dropped {credits} transcription or markup credit(s)")
    if furniture:
        page.changes.append(
            f"dropped {furniture} line(s) of site navigation (breadcrumbs, menus, dates)"
        )
    return page


def _meta(meta: dict[str, str], *names: str) -> str | None:
    return next((meta[n] for n in names if meta.get(n)), None)


def _line_kind(line: str, began: bool) -> str | None:
    """``"source"``, ``"licence"``, ``"credit"`` or ``"furniture"``; None for the text.

    ``began``: text paragraphs came before, so a breadcrumb-like line is more likely the text's.
    """
    if len(line.split()) > 60:
        return None  # a paragraph of the text, whatever its first words
    if _SOURCE_LINE_RE.match(line):
        return "source"
    if _LICENCE_LINE_RE.search(line):
        return "licence"
    if _CREDIT_LINE_RE.match(line):
        return "credit"
    bare = line.strip(_ARROWS + " ")
    if _UPDATED_RE.match(bare) or _NAV_LINE_RE.match(bare) or _SITE_LINE_RE.match(bare):
        return "furniture"
    # "← Preface" and "Chapter 2 →": the links to the pages before and after.
    arrowed = line.startswith(("←", "«", "<")) or line.endswith(("→", "»", ">"))
    if (arrowed and len(line.split()) <= 12) or _is_nav_row(line, began):
        return "furniture"
    return None


def _is_nav_row(line: str, began: bool) -> bool:
    """``Works Index | Volume 19 | ...`` or a breadcrumb ``MIA: Marxists: ... : Library``."""
    if len(line.split()) > 40:
        return False
    # Inside the text, "Part One: The Beginning: 1900" is a line of it: a breadcrumb there needs
    # more and shorter parts.
    crumbs = (4, 3) if began else (3, 6)  # (least parts, most words a part)
    for separator in ("|", ":", ">", "»", "›"):
        parts = [p.strip(_ARROWS + " ") for p in line.split(separator)]
        least, words = (2, 6) if separator == "|" else crumbs
        if len(parts) >= least and all(
            p and len(p.split()) <= words and not p.endswith((".", "?", "!", ",", ";"))
            for p in parts
        ):
            return True
    return False


def _gutenberg(page: Page) -> None:
    """Drop a Gutenberg page's header and licence, reading Title:/Author: from the header."""
    start = next((i for i, b in enumerate(page.blocks) if _PG_START_RE.search(b.text)), None)
    if start is None:
        return
    header = "\n".join(b.text for b in page.blocks[: start + 1])
    page.title, page.author = _pg_field(header, "Title"), _pg_field(header, "Author")
    translator = _pg_field(header, "Translator")
    if translator:
        page.sources.append(f"Translated: {translator}")
    body = page.blocks[start + 1 :]
    end = next(
        (
            i
            for i, b in enumerate(body)
            if b.kind != "note" and (_PG_END_RE.search(b.text) or _PG_TAIL_RE.match(b.text))
        ),
        len(body),
    )
    page.blocks = body[:end] + [b for b in body[end:] if b.kind == "note"]
    if body and _CREDIT_LINE_RE.match(body[0].text):
        page.blocks = page.blocks[1:]  # "Produced by ..."
    page.changes.append("removed the Project Gutenberg header and licence")


def _clean_title_element(title: str | None, author: str | None) -> str | None:
    """A ``<title>`` without its site suffix or an author or archive prefix."""
    if not title:
        return None
    pg = _PG_TITLE_RE.match(title)
    if pg:
        return pg.group(1)
    title = re.split(r"\s+\|\s+", title)[0]
    title = _SITE_SUFFIX_RE.sub("", title)
    prefix, colon, rest = title.partition(": ")
    if colon and rest and len(prefix.split()) <= 3:
        names = set(fold(author).split()) if author else set()
        if fold(prefix) in names or _ARCHIVE_PREFIX_RE.search(prefix.strip()):
            return rest
    return title


def _subpage(title: str) -> str:
    """``Manifesto (1888)/Chapter 1`` (a wiki subpage) -> ``Manifesto (1888): Chapter 1``."""
    match = re.fullmatch(r"(\S.*\s.*[^\s/])/([^\s/].*)", title)
    return f"{match.group(1)}: {match.group(2)}" if match else title


def _front(blocks: list[Block], page: Page, surnames: set[str]) -> list[Block]:
    """Drop what stands before the text and only repeats the title or names the author."""
    names = {fold(n) for n in (page.title, page.author) if n}
    index = 0
    after_title = False
    while index < len(blocks):
        block = blocks[index]
        folded = fold(block.text)
        title_like = bool(page.title) and (
            folded in names or fold(_subpage(block.text)) == fold(page.title or "")
        )
        if block.kind == "heading" and title_like:
            after_title, index = True, index + 1
            continue
        if _running_head(block, after_title, page.author):
            index += 1
            continue
        byline = _byline(block, names, surnames)
        if byline is None:
            break
        author, translator = byline
        page.author = page.author or author
        if translator:
            page.sources.append(f"Translated: {translator}")
        index += 1
    return blocks[index:]


def _running_head(block: Block, after_title: bool, author: str | None) -> bool:
    """A short line over the title that starts with the author (``Karl Marx. Capital``)."""
    folded = fold(block.text)
    return (
        block.kind == "paragraph"
        and not after_title
        and author is not None
        and len(folded.split()) <= 10
        and folded.startswith(fold(author) + " ")
    )


def _byline(block: Block, names: set[str], surnames: set[str]) -> tuple[str, str | None] | None:
    """(author, translator) when ``block`` is a byline, else None."""
    if block.kind == "note":
        return None
    for line in block.text.split("\n"):
        match = _BYLINE_RE.match(plain_text(line))
        if match and len(block.text.split()) <= 40 and _names(match.group(1)):
            return match.group(1), match.group(2)
    text = plain_text(block.text)
    if fold(text) in names:
        return text, None
    named = (
        len(text.split()) > 1 and _looks_like_a_name(text) and fold(text.split()[-1]) in surnames
    )
    if block.kind == "heading" and named:
        return text, None
    return None


def _names(text: str) -> bool:
    """Whether a byline's ``by ...`` names people (``Karl Marx and Friedrich Engels``)."""
    return all(_looks_like_a_name(n) for n in re.split(r",\s*|\s+and\s+|\s*&\s*", text) if n)


def _looks_like_a_name(text: str) -> bool:
    words = text.split()
    return (
        1 <= len(words) <= 5
        and not any(ch.isdigit() for ch in text)
        and all(w[:1].isupper() or w in ("de", "von", "van", "der", "la", "le") for w in words)
        and not {fold(w) for w in words} & _NOT_NAMES
    )
