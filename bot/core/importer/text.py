"""Import plain text, Project Gutenberg texts included.

A UTF-8 byte-order mark is stripped and CRLF/CR line ends are normalised. Paragraphs are
separated by blank *or whitespace-only* lines; the hard-wrapped lines of a paragraph are
joined with single spaces (a block whose lines are laid out in columns, like a table, keeps
its line breaks). Text with no blank line between paragraphs (a long block of lines most
of which are about as wide as the wrap width, not verse or a table) is split into paragraphs
at lines indented more than most and after lines that end a sentence well short of the
width (see ``_wrapped_paragraphs``). A Project Gutenberg header and licence (``*** START
OF THIS/THE PROJECT GUTENBERG EBOOK ... ***`` to ``*** END ...``) are removed; ``Title:``,
``Author:``, ``Language:`` and the eBook number are read from the header. In a Gutenberg
text the title page (short lines before the first heading or the contents) is dropped too,
but for a dedication or an epigraph, which stay as text, and lines about the edition
(``[From the English edition of 1888 ...]``, ``Printed for ...``), which become the
``source_note``.

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
without a keyword sits one level below the keyword heading before it. A line numbered like a
heading (``III. SOCIALIST AND COMMUNIST LITERATURE``, ``1. REACTIONARY SOCIALISM``, ``A. Feudal
Socialism``: a few words in capitals or capitalised, no sentence) is one, ranked Roman numeral
> number > letter like keywords, so lettered sections sit inside numbered ones.

Notes: a translator's note set as its own paragraph starting with ``*`` or ``*(2)``
(``     * The most fascinating woman...``) becomes the footnote of the matching ``*``
marker in the paragraphs just before it (an unmatched one stays text); a ``Notes to
Chapter N`` section of ``1. ...`` paragraphs becomes the footnotes of the ``[1]`` markers
since the previous such section, labelled ``N.1`` when there are several sections; ``[1] ...``
paragraphs after a chapter (or ``[Footnote 1: ...]`` blocks) become the footnotes of the ``[1]``
markers before them (see :func:`.common._bracket_notes`).
"""

from __future__ import annotations

import re

from bot.core.importer.common import _bracket_notes, _finish, _literal, _normalise, _one_line
from bot.core.importer.gutenberg import (
    _PG_END_RE,
    _PG_NUMBER_RE,
    _PG_START_RE,
    _PG_TAIL_RE,
    _drop_pg_title_page,
    _pg_field,
)
from bot.core.importer.model import Block, ImportedText
from bot.core.importer.text_blocks import (
    _CONTENTS_RE,
    _KEYWORD_RANK,
    _caps_block,
    _caps_line,
    _is_prose,
    _Item,
    _join_heading,
    _keyword_heading,
    _keyword_line,
    _Raw,
)
from bot.core.importer.text_notes import _numbered_notes, _star_notes
from bot.core.wording import plural

_ROMAN_RE = re.compile(r"^[IVXLC]+\.?$")
_NUMBERED_HEADING_RE = re.compile(r"^(?P<number>[IVXLC]+|\d{1,2}|[A-Z])\.\s+(?P<title>\S.*)$")
_BRACKET_NOTE_RE = re.compile(r"^\s*\[\d{1,3}\]\s")  # "[1] By bourgeoisie is meant ..."
_NUMBERED_RANK = {"ROMAN": 2, "NUMBERED": 3, "LETTERED": 4}
_NOTE_MARKER_RE = re.compile(r"\s*\[\d{1,3}\]")
_NOTES_HEADING_RE = re.compile(
    r"^(?:notes|footnotes|endnotes)(?:\s+to\s+(?:the\s+)?\w+(?:\s+[\w.-]+)?)?\.?$", re.IGNORECASE
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


_COLUMNS_RE = re.compile(r"\S {3,}\S")
_SENTENCE_END_RE = re.compile(r"[.!?:][\"'”’)\]»*_]*$")
_WRAPPED_MIN_LINES = 8  # fewer lines are a paragraph, a poem or a table, wrapped or not
_WRAPPED_MIN_WIDTH = 55  # verse stays narrower; hard-wrapped prose runs to 60-80 columns


def _import_text(text: str, filename: str) -> ImportedText:
    text = _normalise(text)
    changes: list[str] = []
    warnings: list[str] = []
    title = author = language = source = source_note = None
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
        raw, dropped, source_note = _drop_pg_title_page(raw)
        if dropped:
            changes.append("dropped the title page")
    raw, contents = _drop_contents(raw)
    if contents:
        changes.append(f"dropped the table of contents ({plural(contents, 'entry')})")
    uniform = sum(r.gap >= 2 for r in raw) < max(3, len(raw) // 100)
    items = _classify(raw, uniform)
    stars = _star_notes(items)
    numbered = _numbered_notes(items)
    if stars or numbered:
        changes.append(f"made {plural(stars + numbered, 'note')} into footnotes")
    blocks = _bracket_notes(_levels(items), changes)
    return _finish(
        blocks,
        filename=filename,
        title=title,
        author=author,
        language=language,
        warnings=warnings,
        changes=changes,
        source=source,
        source_note=source_note,
    )


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
        parts = [p for part in _wrapped_paragraphs(block.lines) for p in _apart(part)]
        split += len(parts) > 1
        blocks += [_Raw(lines, block.gap if i == 0 else 1) for i, lines in enumerate(parts)]
    return blocks, split


def _apart(lines: list[str]) -> list[list[str]]:
    """Split off what stands apart in a block of any size: a numbered heading line above wrapped
    prose (``A. Feudal Socialism``), and a note (``[1] ...``) after a line ending a sentence."""
    parts = [[lines[0]]]
    for line in lines[1:]:
        before = parts[-1][-1]
        heading = (
            len(parts) == 1
            and len(parts[0]) == 1
            and len(line.strip()) >= _WRAPPED_MIN_WIDTH
            and _numbered_heading(_Raw([before.strip()], 0), "A") is not None
        )
        note = _BRACKET_NOTE_RE.match(line) and _SENTENCE_END_RE.search(before)
        if heading or note:
            parts.append([line])
        else:
            parts[-1].append(line)
    return parts


def _wrapped_paragraphs(lines: list[str]) -> list[list[str]]:
    """The paragraphs of a block of hard-wrapped lines with no blank line between paragraphs.

    A block is hard-wrapped when it has at least ``_WRAPPED_MIN_LINES`` lines, most of them
    about as long as its wrap width (the length 90% of its lines stay within, at least
    ``_WRAPPED_MIN_WIDTH``), and is not laid out in columns; verse and tables are not. A
    paragraph then starts at a line indented more than most, and after a line that ends a
    sentence and is clearly shorter than the width: under 80% of it, with room for the next
    line's first word, which a wrapping editor would have moved up had the paragraph gone on.
    A keyword heading (``CHAPTER IV``), a numbered heading (``A. Feudal Socialism``) or a short
    line in capitals stands alone, when the line before it ends a sentence (``... of the`` /
    ``KINGDOME OF GOD.`` ends a paragraph).
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
        return len(line) < 0.6 * width and (
            _keyword_line(text) is not None
            or _caps_line(text)
            or _numbered_heading(_Raw([text], 0), "A") is not None
        )

    paragraphs: list[list[str]] = [[lines[0]]]
    for line, indent in zip(lines[1:], indents[1:], strict=True):
        before = paragraphs[-1][-1]
        ends = (
            _SENTENCE_END_RE.search(before) is not None
            and len(before) < 0.8 * width
            and len(before) + 1 + len(line.split()[0]) <= width
        )
        heading = alone(line) and _SENTENCE_END_RE.search(before) is not None
        if indent > usual or ends or alone(before) or heading:
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return paragraphs


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


def _classify(raw: list[_Raw], uniform: bool) -> list[_Item]:
    items: list[_Item] = []
    index = 0
    last_letter = ""  # of the last lettered heading: after "B." a "C." is a letter, not 100
    while index < len(raw):
        block = raw[index]
        index += 1
        if block.prose:
            items.append(_Item("paragraph", _literal(_one_line(block.text))))
            continue
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
        numbered = _numbered_heading(block, last_letter) if index < len(raw) else None
        if numbered is not None:
            kind, last_letter = numbered, block.text[0] if numbered == "LETTERED" else last_letter
            items.append(
                _Item(
                    "heading",
                    _literal(block.text),
                    rank=_NUMBERED_RANK[kind],
                    keyword=kind,
                    indented=block.indent >= 2,
                )
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


def _numbered_heading(block: _Raw, last_letter: str) -> str | None:
    """``"ROMAN"``, ``"NUMBERED"`` or ``"LETTERED"`` for a numbered heading line, else None.

    ``III. SOCIALIST AND COMMUNIST LITERATURE``, ``1. Reactionary Socialism``, ``A. Feudal
    Socialism``: one line, a Roman numeral, a number or a capital letter and a full stop, then
    at most sixteen words in capitals or with every longer word capitalised, not ending a sentence.
    A lone ``I``, ``V``, ``X``, ``L`` or ``C`` is a numeral unless a lettered heading with an
    earlier letter came before it.
    """
    if len(block.lines) != 1:
        return None
    match = _NUMBERED_HEADING_RE.match(block.lines[0].strip())
    if match is None:
        return None
    title = _NOTE_MARKER_RE.sub("", match.group("title")).strip()
    words = title.split()
    if (
        not words
        or len(words) > 16
        or len(title) > 120
        or not title[0].isalpha()
        or any(c.isdigit() for c in title)
        or title.rstrip("\"'”’)]")[-1:] in ".,;:!?"
    ):
        return None
    long = [w for w in words if sum(c.isalpha() for c in w) >= 4]
    if not (_caps_line(title) or all(w[0].isupper() or not w[0].isalpha() for w in long)):
        return None
    number = match.group("number")
    if number.isdigit():
        return "NUMBERED"
    if len(number) == 1 and (not _ROMAN_RE.match(number) or "" < last_letter < number):
        return "LETTERED"
    return "ROMAN" if _ROMAN_RE.match(number) else None


def _standalone_caps(block: _Raw, uniform: bool) -> bool:
    """A short line in capitals standing alone: a heading without a keyword."""
    if not _caps_block(block) or (block.gap < 2 and not uniform):
        return False
    text = block.text
    if len(text) > 150 or text[-1] in "!?,;" or text[0] in "([":
        return False
    return len(text.split()) > 1 or text.endswith(".")


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
