"""Import Markdown, by hand or from pandoc.

YAML front matter gives the title, author, source and language. Without a front-matter title,
the one heading of the highest level, near the top, is the title (only short lines, such as the
collection an archived article was printed in, may stand before it); a heading right before or
after it that reads like a name (``Vladimir Ilyich Lenin``, ``By V. I. Lenin``) is the author,
not a section. A heading that is only a number (``## III``, ``#### (A)``, as pandoc writes an
EPUB's ``<hgroup>``) takes the short line under it as its title.
Headings of any level are numbered densely from ``##`` (``#``, ``###``, ``####`` become ``##``,
``###``, ``####``; ``##``, ``####`` become ``##``, ``###``).

A paragraph's lines are joined with spaces, as Markdown reads them, except after a hard break
(a line ending in a backslash or two spaces); a line holding only a backslash starts a new
paragraph. Horizontal rules, pandoc's ``:::`` div fences, figures (paragraphs of images only)
and rows of links within the site (``[Next](ch05.htm) | [Index](index.htm)``) are dropped;
pandoc's inline syntax is reduced to its text (see :mod:`.markdown_inline`). A block of the
source's details near the top (``Written:``, ``Source:``, ``Translated:`` ... lines, with the
short lines before it) becomes the reading's ``source_note``.

Notes: ``[^label]: ...`` footnote definitions stay footnotes; ``[N] ...`` paragraphs (pandoc's
``[\\[1\\]](#1){#nb} ...`` endnotes, and its lists of EPUB endnotes ``1.  ::: {#note-7}``,
numbered by their ids) become the footnotes of the ``[N]`` markers before them (see
:func:`.common._bracket_notes`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import yaml

from bot.core.errors import ContentError
from bot.core.importer.common import (
    _bracket_notes,
    _dense_levels,
    _drop_title_blocks,
    _finish,
    _normalise,
    _one_line,
    _pruned,
)
from bot.core.importer.markdown_inline import (
    clean_heading,
    clean_inline,
    is_navigation,
    only_images,
)
from bot.core.importer.model import Block, ImportedText
from bot.core.readings import HEADING_RE, NOTES_HEADINGS, fold
from bot.core.yamlfile import Builder, compose

_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_SETEXT_RE = re.compile(r"^(=+|-+)\s*$")
_MD_NOTE_RE = re.compile(r"^\[\^([^\]\s]+)\]:\s?(.*)$")
_DIV_FENCE_RE = re.compile(r"^:{3,}")
_NOTE_ITEM_RE = re.compile(r"^\d{1,3}\.\s+(?::{3,}\s*|\[\]|)\{#\D*?(\d{1,3})\b[^{}]*\}\s*")
_ORDINAL_RE = re.compile(r"^(?:\(?(?:[IVXLC]+|\d{1,3}|[A-Z])\)|[IVXLC]+|\d{1,3})\.?$")
_NAME = r"(?:[A-Z][\w'’.-]*|(?:and|de|der|van|von|la|le|y|&))"
_BYLINE_RE = re.compile(rf"^(?:[Bb]y\s+)?({_NAME}(?:\s+{_NAME}){{1,7}})$")
_DETAIL_RE = re.compile(r"^([A-Z][\w/ -]{1,30}):\s")
_DETAILS = frozenset(
    {
        "written",
        "first published",
        "published",
        "source",
        "translated",
        "translation",
        "transcription/markup",
        "transcribed",
        "html markup",
        "online version",
        "proofread",
        "delivered",
    }
)
_RULE_RE = re.compile(r"^([-*_])(?:\s*\1){2,}$")


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

    changes: list[str] = []
    blocks = _titled_ordinals(_cleaned(list(_markdown_blocks(lines)), changes))
    title, author = field_of("title"), field_of("author")
    blocks, title, author = _title_and_byline(blocks, title, author)
    blocks, _ = _drop_title_blocks(blocks, title, author)
    blocks, source_note = _source_note(blocks)
    if source_note:
        changes.append("moved the source's details (written, published, translated) to source_note")
    blocks = _bracket_notes(blocks, changes)
    # Emptied headings (the notes') go before levels are counted.
    blocks = _dense_levels(_pruned(_split_paragraphs(blocks), changes))
    return _finish(
        blocks,
        filename=filename,
        title=title,
        author=author,
        language=field_of("language") or field_of("lang"),
        warnings=warnings,
        changes=changes,
        source=field_of("source"),
        licence=field_of("licence") or field_of("license"),
        source_note=field_of("source_note") or source_note,
    )


def _cleaned(blocks: list[Block], changes: list[str]) -> list[Block]:
    """Blocks with pandoc's inline syntax reduced to text; navigation rows and figures dropped."""
    kept: list[Block] = []
    navigation = figures = 0
    for block in blocks:
        if block.kind == "paragraph" and is_navigation(block.text):
            navigation += 1
        elif block.kind == "paragraph" and only_images(block.text):
            figures += 1
        elif block.kind == "heading":
            text = clean_heading(block.text)
            if text:
                kept.append(replace(block, text=text))
        else:
            text = clean_inline(block.text).strip()
            if text:  # a line of HTML tags only (<div class="x">) leaves nothing
                kept.append(replace(block, text=text))
    if navigation:
        changes.append(f"dropped {navigation} row{'s' if navigation != 1 else ''} of site links")
    if figures:
        changes.append(f"dropped {figures} image{'s' if figures != 1 else ''}")
    return kept


def _titled_ordinals(blocks: list[Block]) -> list[Block]:
    """A heading that is only a number (``III``, ``(A)``) takes the short line under it as its
    title, as an EPUB's ``<hgroup>`` of number and title reads: ``III. Socialist and ...``."""
    out: list[Block] = []
    for block in blocks:
        last = out[-1] if out else None
        if (
            last is not None
            and last.kind == "heading"
            and _ORDINAL_RE.match(last.text)
            and block.kind == "paragraph"
            and not _is_prose(block)
            and len(block.text.split()) <= 16
            and "\n" not in block.text
        ):
            joiner = " " if last.text.endswith((".", ")")) else ". "
            out[-1] = replace(last, text=f"{last.text}{joiner}{block.text}")
        else:
            out.append(block)
    return out


def _title_and_byline(
    blocks: list[Block], title: str | None, author: str | None
) -> tuple[list[Block], str | None, str | None]:
    """The title from a single top-level heading near the top; the author from a byline heading.

    The one heading of the highest level (a notes heading aside) is the title when only short
    lines stand before it (a collection's name above an archived article); a heading right
    before or after the title heading that reads like a name (``Vladimir Ilyich Lenin``,
    ``By V. I. Lenin``) is the author, not a section, and is dropped.
    """
    headings = [
        (i, b.level)
        for i, b in enumerate(blocks)
        if b.kind == "heading" and fold(b.text) not in NOTES_HEADINGS
    ]
    top = min((level for _, level in headings), default=1)
    firsts = [i for i, level in headings if level == top]
    at: int | None = None
    if len(firsts) == 1 and all(not _is_prose(b) for b in blocks[: firsts[0]]):
        at = firsts[0]
        if title is None:
            title = blocks[at].text
        if title == blocks[at].text:
            blocks = blocks[:at] + blocks[at + 1 :]  # dropped here: the title is in front matter
        else:
            at += 1  # a heading the front matter's title does not repeat stays a heading
    elif blocks and blocks[0].kind == "heading" and blocks[0].text == title:
        at = 1
    if at is None:
        return blocks, title, author
    for index in (at, at - 1):
        if 0 <= index < len(blocks) and blocks[index].kind == "heading":
            name = _BYLINE_RE.match(blocks[index].text)
            if name:
                author = author or name.group(1)
                return blocks[:index] + blocks[index + 1 :], title, author
    return blocks, title, author


def _is_prose(block: Block) -> bool:
    return block.kind == "paragraph" and (
        len(block.text.split()) > 25 or bool(re.search(r"[.!?][\"'”’)]*$", block.text))
    )


def _source_note(blocks: list[Block]) -> tuple[list[Block], str | None]:
    """Take out the source's details (``Written: ...``, ``Source: ...``) near the top.

    The short lines before the first paragraph of prose (the collection an archived article
    was printed in) go with them.
    """
    for index, block in enumerate(blocks[:8]):
        lines = block.text.split("\n")
        labels = [m.group(1).lower() for m in map(_DETAIL_RE.match, lines) if m]
        if block.kind != "paragraph" or len(labels) != len(lines) or not _DETAILS & set(labels):
            continue
        before = [b for b in blocks[:index] if b.kind == "paragraph" and not _is_prose(b)]
        gone = {id(b) for b in [*before, block]}
        parts = [_one_line(b.text) for b in [*before, block]]
        note = " ".join(p if p[-1] in ".;:" else f"{p};" for p in parts[:-1]) + " " + parts[-1]
        return [b for b in blocks if id(b) not in gone], note
    return blocks, None


def _split_paragraphs(blocks: list[Block]) -> list[Block]:
    """Paragraphs split at a blank line left by two hard breaks (``\\`` on a line of its own)."""
    out: list[Block] = []
    for block in blocks:
        if block.kind == "paragraph" and "\n\n" in block.text:
            out += [Block("paragraph", p.strip()) for p in block.text.split("\n\n") if p.strip()]
        else:
            out.append(block)
    return out


def _markdown_blocks(lines: list[str]) -> Iterator[Block]:
    """Headings, paragraphs and footnote definitions, in order; inline text not yet cleaned.

    A paragraph's lines are joined with spaces (soft breaks), with a line break after a line
    ending in a backslash or two spaces (hard breaks), and with a blank line at a line holding
    only a backslash (two hard breaks: a new paragraph, or a note's next paragraph). Fenced
    code keeps its lines. Horizontal rules and pandoc's ``:::`` div fences are dropped.
    """
    block: list[str] = []  # a paragraph's lines, each with what joins it to the next
    note: tuple[str, list[str]] | None = None  # a footnote definition being read
    fence: str | None = None
    in_comment = False

    def flush() -> Iterator[Block]:
        nonlocal block
        if block:
            text = "".join(block).strip()
            if text:
                yield Block("paragraph", text)
        block = []

    for raw in lines:
        line = raw.rstrip()
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
                yield from flush()
            elif stripped:
                block.append(stripped + "\n")
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
            yield _note(note)
            note = None
        if not stripped or _DIV_FENCE_RE.match(stripped):
            yield from flush()
            continue
        item = _NOTE_ITEM_RE.match(stripped)
        if item:  # pandoc's list of endnotes: "1.  ::: {#note-7}", the note's lines under it
            yield from flush()
            block = [f"[{item.group(1)}] {stripped[item.end() :]} "]
            continue
        if stripped == "\\":
            if block:
                block[-1] = block[-1].rstrip() + "\n\n"
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
        if not block and _RULE_RE.match(stripped):
            continue
        if raw.endswith("  ") or (stripped.endswith("\\") and not stripped.endswith("\\\\")):
            block.append(stripped.removesuffix("\\").rstrip() + "\n")
        else:
            block.append(stripped + " ")
    if note is not None:
        yield _note(note)
    yield from flush()


def _note(note: tuple[str, list[str]]) -> Block:
    """A footnote definition's block; its lines joined as a paragraph's are."""
    paragraphs = "\n".join(note[1]).strip().split("\n\n")
    text = "\n\n".join(" ".join(p.split("\n")) for p in paragraphs)
    return Block("note", text, label=note[0])
