"""The library's concordance, the pure half: every use of a term, in keyword-in-context lines.

A term is read exactly as :mod:`bot.core.search` reads a query (:func:`parse_query`): a word
also finds its Porter stem's other forms and its :func:`~bot.core.search.related_forms`
(``internationalist`` finds "internationalism"), ``word*`` is a prefix and ``"a phrase"`` is
exact. Which words match is never decided here: FTS5 finds the passages and marks each match
with the sentinels of :mod:`bot.core.search` (its ``highlight()``), so the concordance folds
word forms exactly as search does. This module orders what was found in library order, cuts a
line of context around each marked match, and counts the passages per reading.

A line's citation names the sentence (``soic §3.4``) when the indexed (plain) text of its
paragraph splits into as many sentences as the reading's own text, so that the numbers agree
with :mod:`bot.core.sentences`; else it names the paragraph (``soic §3``). A note is cited
``soic n2``.
"""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.core.citations import format_citation
from bot.core.readings import Library
from bot.core.search import ELLIPSIS, MARK_CLOSE, MARK_OPEN, MARKDOWN, Markers, SearchQuery
from bot.core.sentences import sentences, split_sentences

CONTEXT = 60
"""Characters of context on each side of a match (cut back to a whole word)."""


@dataclass(frozen=True, slots=True)
class Passage:
    """A paragraph or note where the term occurs, as the index found it.

    Attributes:
        id: its row in the index.
        slug: the reading.
        kind: ``"paragraph"`` or ``"note"``.
        number: the paragraph number, or the note's position in the notes section.
        label: the footnote label of a note, None for a paragraph.
    """

    id: int
    slug: str
    kind: Literal["paragraph", "note"]
    number: int
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Line:
    """One use of the term with its context.

    Attributes:
        slug: the reading.
        kind: ``"paragraph"`` or ``"note"``.
        number: the paragraph number, or the note's position.
        label: the note's label, None for a paragraph.
        sentence: the sentence number within the paragraph, when known.
        left: the context before the match (starting with an ellipsis when cut).
        match: the words matched, as they are written.
        right: the context after the match (ending with an ellipsis when cut).
    """

    slug: str
    kind: Literal["paragraph", "note"]
    number: int
    label: str | None
    sentence: int | None
    left: str
    match: str
    right: str

    @property
    def citation(self) -> str:
        """``soic §3.4``, ``soic §3`` without a sentence number, or ``soic n2``."""
        if self.kind == "note":
            return f"{self.slug} n{self.label}"
        if self.sentence is not None:
            return f"{self.slug} §{self.number}.{self.sentence}"
        return format_citation(self.slug, self.number)

    def render(self, markers: Markers = MARKDOWN) -> str:
        """The line with its match between ``markers``, the text escaped by them."""
        escape = markers.escape
        return (
            f"{escape(self.left)}{markers.open}{escape(self.match)}{markers.close}"
            f"{escape(self.right)}"
        )


@dataclass(frozen=True, slots=True)
class ReadingUses:
    """Where the term occurs in one reading.

    Attributes:
        slug: the reading.
        title: its title.
        passages: how many of its paragraphs and notes use the term.
        paragraphs: how many paragraphs the reading has.
        positions: the numbers of the paragraphs that use it, in order (notes are not placed).
    """

    slug: str
    title: str
    passages: int
    paragraphs: int
    positions: tuple[int, ...]


@dataclass(frozen=True)
class Concordance:
    """Every use of a term: the counts per reading, and the lines of the first passages.

    Lines are cut when asked for (:meth:`lines_between`): finding a line's sentence splits its
    paragraph, and a page shows a few lines of the many a common word has.

    Attributes:
        query: the term as parsed.
        readings: the readings that use it, in library order.
        marked: the first :attr:`shown` passages in library order, each with its indexed text
            as FTS5 marked it (:func:`kwic_lines`).
        shown: how many passages :attr:`marked` covers.
        library: the readings the passages are from (for their sentences).
    """

    query: SearchQuery
    readings: tuple[ReadingUses, ...] = ()
    marked: tuple[tuple[Passage, str], ...] = ()
    shown: int = 0
    library: Library = field(default=Library(()), compare=False, repr=False)

    @property
    def passages(self) -> int:
        """Passages (paragraphs and notes) that use the term, in every reading."""
        return sum(uses.passages for uses in self.readings)

    @property
    def complete(self) -> bool:
        """True when :attr:`lines` has every use."""
        return self.shown == self.passages

    @property
    def nothing_to_search(self) -> bool:
        """True when the term had no searchable word (only punctuation, emoji, spaces)."""
        return self.query.is_empty

    @property
    def line_count(self) -> int:
        """How many lines :attr:`marked` gives: one per marked match."""
        return sum(text.count(MARK_OPEN) for _, text in self.marked)

    def lines_between(self, start: int, stop: int) -> list[Line]:
        """Lines ``start`` to ``stop`` (0-based, ``stop`` excluded), cutting only the passages
        they come from."""
        lines: list[Line] = []
        seen = 0
        for passage, text in self.marked:
            count = text.count(MARK_OPEN)
            if seen + count > start and seen < stop:
                cut = kwic_lines(passage, text, self.library)
                lines += cut[max(0, start - seen) : stop - seen]
            seen += count
            if seen >= stop:
                break
        return lines

    @functools.cached_property
    def lines(self) -> tuple[Line, ...]:
        """Every line of :attr:`marked`, in library order."""
        return tuple(self.lines_between(0, self.line_count))


@dataclass(frozen=True, slots=True)
class Span:
    """One reading's paragraphs, or its notes, in the index: rows ``first_id``..``last_id``,
    numbered from ``first_number`` in the same order (a reading's rows are written together).

    Attributes:
        slug: the reading.
        kind: ``"paragraph"`` or ``"note"``.
        first_id: the row of the first one.
        last_id: the row of the last one.
        first_number: the number of the first one.
    """

    slug: str
    kind: Literal["paragraph", "note"]
    first_id: int
    last_id: int
    first_number: int = 1


def locate(
    ids: Sequence[int], spans: Iterable[Span], library: Library, count: int | None = None
) -> tuple[tuple[ReadingUses, ...], list[Passage]]:
    """Where the matching rows ``ids`` are: the uses per reading, in library order, and the
    first ``count`` passages in library order (all with None): each reading's paragraphs, then
    its notes. Rows outside every span, and spans of readings not in the library, are left out.

    Linear in the matches with nothing but integers: a word in every paragraph of a 10 MB
    library is placed in a few milliseconds.
    """
    ids = sorted(ids)
    order = {reading.slug: index for index, reading in enumerate(library)}
    ordered = sorted(
        (span for span in spans if span.slug in order),
        key=lambda span: (order[span.slug], span.kind == "note"),
    )
    found: dict[str, list[int]] = {}
    passages: dict[str, int] = {}
    chosen: list[Passage] = []
    for span in ordered:
        rows = ids[bisect_left(ids, span.first_id) : bisect_right(ids, span.last_id)]
        if not rows:
            continue
        passages[span.slug] = passages.get(span.slug, 0) + len(rows)
        offset = span.first_number - span.first_id
        positions = found.setdefault(span.slug, [])
        if span.kind == "paragraph":
            positions += [row + offset for row in rows]
        room = len(rows) if count is None else max(0, count - len(chosen))
        reading = library[span.slug]
        for row in rows[:room]:
            number = row + offset
            label = None
            if span.kind == "note" and 1 <= number <= len(reading.footnotes):
                label = reading.footnotes[number - 1].label
            chosen.append(Passage(row, span.slug, span.kind, number, label))
    uses = tuple(
        ReadingUses(
            slug,
            library[slug].title,
            passages[slug],
            len(library[slug].paragraphs),
            tuple(positions),
        )
        for slug, positions in found.items()
    )
    return uses, chosen


def kwic_lines(
    passage: Passage, marked: str, library: Library, context: int = CONTEXT
) -> list[Line]:
    """One line per match in ``marked`` (the passage's indexed text with FTS5's sentinels
    around each match), with up to ``context`` characters on each side."""
    text, spans = _unmark(marked)
    ends = _sentence_ends(passage, text, library)
    lines = []
    for start, end in spans:
        sentence = None
        if ends is not None:
            sentence = next((i for i, stop in enumerate(ends, start=1) if start < stop), len(ends))
        lines.append(
            Line(
                passage.slug,
                passage.kind,
                passage.number,
                passage.label,
                sentence,
                _left(text, start, context),
                text[start:end],
                _right(text, end, context),
            )
        )
    return lines


def build(
    query: SearchQuery,
    uses: tuple[ReadingUses, ...],
    chosen: Sequence[Passage],
    marked: dict[int, str],
    library: Library,
) -> Concordance:
    """The concordance: ``uses`` and ``chosen`` from :func:`locate`, with the marked text (by
    id) of the chosen passages in ``marked``."""
    texts = tuple((p, marked[p.id]) for p in chosen if p.id in marked)
    return Concordance(query, uses, texts, len(chosen), library)


def _unmark(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """The text without sentinels, and where each marked match starts and ends in it (FTS5
    marks a phrase's words as one match)."""
    pieces = marked.replace(MARK_CLOSE, MARK_OPEN).split(MARK_OPEN)  # text, match, text, ...
    spans: list[tuple[int, int]] = []
    length = 0
    for index, piece in enumerate(pieces):
        if index % 2 == 1:
            spans.append((length, length + len(piece)))
        length += len(piece)
    return "".join(pieces), spans


def _sentence_ends(passage: Passage, text: str, library: Library) -> list[int] | None:
    """Where each sentence of the indexed ``text`` ends, when they are the paragraph's own
    sentences (as many as the reading's text has); None for a note or when they differ."""
    reading = library.get(passage.slug)
    if passage.kind != "paragraph" or reading is None:
        return None
    if not 1 <= passage.number <= len(reading.paragraphs):
        return None
    pieces = split_sentences(text)
    if len(pieces) != len(sentences(reading.paragraph(passage.number))):
        return None
    ends, position = [], 0
    for piece in pieces:
        position += len(piece)
        ends.append(position)
        position += 1  # the space between sentences
    return ends


def _left(text: str, start: int, context: int) -> str:
    if start <= context:
        return text[:start]
    cut = text[start - context : start]
    space = cut.find(" ")
    return ELLIPSIS + (cut[space + 1 :] if 0 <= space < len(cut) - 1 else cut)


def _right(text: str, end: int, context: int) -> str:
    if len(text) - end <= context:
        return text[end:]
    cut = text[end : end + context]
    space = cut.rfind(" ")
    return (cut[:space] if space > 0 else cut) + ELLIPSIS
