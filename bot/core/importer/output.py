"""Write an import as a reading file, and suggest the file's name."""

from __future__ import annotations

import posixpath
import re

import yaml

from bot.core.importer.common import _one_line
from bot.core.importer.model import Block, ImportedText
from bot.core.readings import FOOTNOTE_REF_RE, HEADING_RE, NOTES_HEADINGS, fold, slugify


def to_reading_markdown(
    text: ImportedText,
    *,
    title: str | None = None,
    author: str | None = None,
    source: str | None = None,
) -> str:
    """Write an import as a reading file (YAML front matter and a Markdown body).

    Args:
        text: the import.
        title: overrides the imported title (one is always written: the file name if need be).
        author: overrides the imported author.
        source: overrides the imported source URL.

    Returns:
        The file's text, which :func:`bot.core.readings.parse_reading` accepts: lines that would
        read as headings, footnote definitions, comments or rules are escaped with a backslash,
        and ``[^x]`` markers without a note are escaped so no reference dangles.
    """
    notes: list[tuple[Block, str]] = []  # each note with the label it is written under
    labels: dict[str, str] = {}  # a note's own label -> the label written
    for note in (b for b in text.blocks if b.kind == "note"):
        label = re.sub(r"[\s\]\[^]+", "-", note.label or "").strip("-") or str(len(notes) + 1)
        while label in labels.values():
            label += "x"
        labels.setdefault(note.label or label, label)
        notes.append((note, label))

    def refs(line: str) -> str:
        def one(match: re.Match[str]) -> str:
            label = labels.get(match.group(1))
            return f"[^{label}]" if label is not None else f"[\\^{match.group(1)}]"

        line = re.sub(r"\[\^([^\]\s]*)\]:", lambda m: f"[\\^{m.group(1)}]:", line)
        return FOOTNOTE_REF_RE.sub(one, line)

    meta: dict[str, str | None] = {
        "title": _one_line(title or text.title or _title_from_filename(text.filename)),
        "author": _one_line(author) if author is not None else text.author,
    }
    if source or text.source:
        meta["source"] = source or text.source
    if text.source_note:
        meta["source_note"] = text.source_note
    if text.licence:
        meta["licence"] = text.licence
    what = "; ".join(text.changes)
    meta["notes"] = f"Imported from {text.filename or 'a file'} by reading-group import" + (
        f": {what}." if what else "."
    )
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1_000_000)
    out = ["---", front.rstrip("\n"), "---", ""]
    for block in text.blocks:
        if block.kind == "heading":
            heading = refs(_one_line(FOOTNOTE_REF_RE.sub("", block.text)))
            if fold(heading) in NOTES_HEADINGS:
                # A notes heading would make the paragraphs under it footnote definitions.
                heading = f"{heading} (as printed)"
            if heading.endswith("#"):
                heading += " #"  # a closing sequence, so the parser keeps the title's own "#"
            if heading:
                out += [f"{'#' * min(max(block.level, 2), 6)} {heading}", ""]
        elif block.kind == "paragraph":
            lines = [_escape_line(refs(line)) for line in _lines(block.text)]
            if lines:
                out += [*lines, ""]
    if notes:
        out += ["## Notes", ""]
        for note, label in notes:
            paragraphs = [_lines(p) for p in re.split(r"\n\s*\n", note.text)]
            paragraphs = [p for p in paragraphs if p] or [["(empty note)"]]
            first, *rest = paragraphs
            lines = [_escape_line(refs(line)) for line in first]
            out.append(f"[^{label}]: {lines[0]}")
            out += lines[1:]
            for paragraph in rest:
                out += ["", *(f"    {_escape_line(refs(line))}" for line in paragraph)]
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def suggest_slug(title: str) -> str:
    """A file name for a reading: ``"Moby Dick; or The Whale"`` -> ``"moby-dick"``.

    The part before a colon, semicolon or parenthesis, without a leading article, at most 48
    characters cut at a hyphen; ``"reading"`` when nothing is left.
    """
    main = re.split(r"[:;(\[]|,\s+or\b", title, maxsplit=1)[0]
    slug = slugify(main) or slugify(title)
    slug = re.sub(r"^(?:the|a|an)-(?=.)", "", slug)
    if len(slug) > 48:
        cut = slug[:49].rfind("-")
        slug = slug[: cut if cut > 0 else 48]
    return slug.strip("-") or "reading"


def _lines(text: str) -> list[str]:
    """A paragraph's non-empty lines, each with its whitespace collapsed."""
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


_RULE_RE = re.compile(r"^(?:-{3,}|={2,}|[-=]\s*$)")


def _escape_line(line: str) -> str:
    """Escape a line that the reading format or Markdown would not read as text."""
    if HEADING_RE.match(line) or line.startswith("<!--") or _RULE_RE.match(line):
        return "\\" + line
    return line


def _title_from_filename(filename: str) -> str:
    stem = posixpath.splitext(posixpath.basename(filename))[0]
    words = re.sub(r"[-_.]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else "Untitled"
