"""Import Markdown.

YAML front matter gives the title and author; ``#`` headings are kept and shifted so that
the body's top level is ``##`` (a single leading ``#`` heading is the title); footnote
definitions become notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml

from bot.core.errors import ContentError
from bot.core.importer.common import (
    _drop_title_blocks,
    _finish,
    _normalise,
    _one_line,
    _shift_levels,
)
from bot.core.importer.model import Block, ImportedText
from bot.core.readings import HEADING_RE
from bot.core.yamlfile import Builder, compose

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
