"""Installments: a reading plan cut into excerpts of paragraphs, sized by a word target.

An installment is a contiguous run of whole paragraphs of one reading, never crossing into the
next reading. Footnotes are never scheduled: :attr:`Reading.paragraphs` holds body paragraphs
only.

One exception: a paragraph longer than the target is cut between sentences
(:mod:`bot.core.sentences`) into pieces of about the target size (as many as it needs, as even
as its sentences allow), each an installment of its own citing its sentences (``§3.1-3.18``,
``§3.19-3.40``) and posted in consecutive slots like any other. A piece also fits in
:data:`PART_PAGES` pages of :data:`PAGE_CHARS` characters (a hard-wrapped book imported as one
44,000-word paragraph under a large target), so no post of one is more than a few messages. The
cut of a paragraph depends on that paragraph alone; one with a single sentence (nothing to cut)
stands whole and alone.

Sizing is greedy, one reading at a time, so editing a paragraph changes at most the two
installments before the one that holds it, never earlier ones. Paragraphs are added to the
current run while it stays within the target, except that:

- a run that has reached 60% of the target ends where a section starts, so installments follow
  the author's structure when that costs little;
- a tiny run (under 40% of the target) takes the next paragraph even past the target, up to
  1.5 times the target, rather than be posted on its own;
- a tiny run that still cannot grow (the reading ends, or an overlong paragraph follows) joins
  the previous installment of the same reading when together they stay within 1.5 times the
  target;
- but a paragraph longer than the target (its pieces, or itself when it is one sentence)
  always stands alone: nothing joins it.

So every installment is a piece of a paragraph, a one-sentence paragraph, at most the target, or
(to absorb a tiny run) at most 1.5 times the target. A tiny installment is left only where it
cannot be absorbed: next to a cut paragraph or the end of its reading, e.g. a short
introduction before a 2,000-word paragraph. The result depends only on the readings and the
target: it is the plan's identity across restarts, and :attr:`Installment.key` names an
installment stably.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.citations import format_citation, format_range
from bot.core.errors import PlanError
from bot.core.pages import split_text
from bot.core.readings import Paragraph, Reading, count_words
from bot.core.sentences import format_sentence_span, sentences

DEFAULT_WORD_TARGET = 600
#: A page of a post: rendered, one page is one message (Discord's limit leaves room around it).
PAGE_CHARS = 3600
#: The most pages a piece of a cut paragraph shows.
PART_PAGES = 4

# Thresholds as fractions of the target, kept as integer ratios (numerator, denominator) so the
# arithmetic is exact and the result cannot differ between machines.
SECTION_BREAK = (3, 5)  # a run this full ends at the next section start
TINY = (2, 5)  # a run smaller than this is merged rather than posted alone
STRETCH = (3, 2)  # how far a merge may go past the target

_KEY_RE = re.compile(
    r"^(?P<slug>[a-z0-9][a-z0-9-]*):(?P<first>\d+)(?:\.(?P<first_s>[1-9]\d*))?"
    r"-(?P<last>\d+)(?:\.(?P<last_s>[1-9]\d*))?"
    # Before sentence pieces, part K of N of a paragraph (kept in stored progress and posts).
    r"(?:/(?P<part>[1-9]\d*)of(?P<parts>[1-9]\d*))?$"
)


@dataclass(frozen=True, slots=True)
class Installment:
    """Paragraphs ``first``..``last`` (inclusive, 1-based) of the reading ``slug``, or, when
    ``sentences`` is set, sentences ``sentences[0]``..``sentences[1]`` (1-based, inclusive) of
    paragraph ``first`` (``== last``), a piece of a paragraph longer than the target."""

    slug: str
    first: int
    last: int
    words: int
    sentences: tuple[int, int] | None = None

    @classmethod
    def from_key(cls, key: str, words: int = 0) -> Installment:
        """The installment named ``key`` (see :attr:`key`); a part key from before sentence
        pieces (``slug:3-3/2of5``) names its whole paragraph.

        Raises:
            ValueError: ``key`` is not an installment key.
        """
        match = _match_key(key)
        first, last = int(match.group("first")), int(match.group("last"))
        return cls(match.group("slug"), first, last, words, _key_sentences(match))

    @property
    def key(self) -> str:
        """A stable name, ``"slug:first-last"`` (``"against-soic:3-3"`` for one paragraph,
        ``"against-soic:3.19-3.40"`` for sentences 19 to 40 of it)."""
        if self.sentences is None:
            return f"{self.slug}:{self.first}-{self.last}"
        first, last = self.sentences
        return f"{self.slug}:{self.first}.{first}-{self.last}.{last}"

    @property
    def span(self) -> str:
        """``§12-14``, ``§3`` or ``§3.19-3.40``."""
        if self.sentences is None:
            return format_citation("", self.first, self.last).lstrip()
        first, last = self.sentences
        return f"§{format_sentence_span(self.first, first, self.last, last)}"

    @property
    def citation(self) -> str:
        """How members cite it: ``against-soic §12-14``, ``against-soic §3`` or
        ``against-soic §3.19-3.40``."""
        return self.cite(self.slug)

    def cite(self, name: str) -> str:
        """The citation with ``name`` (e.g. a short name) for the reading."""
        if self.sentences is None:
            return format_citation(name, self.first, self.last)
        return f"{name} {self.span}"

    def holds(self, slug: str, paragraph: int) -> bool:
        """Whether paragraph ``paragraph`` of reading ``slug`` is (partly) in this installment."""
        return slug == self.slug and self.first <= paragraph <= self.last


def done_through(key: str) -> tuple[str, int, int | None]:
    """Where a group that has done the installment ``key`` got to: ``(slug, paragraph,
    sentence)``, the last sentence of ``paragraph`` done, or None when the paragraph was
    finished. A part key from before sentence pieces (``slug:3-3/2of5``) finished its paragraph
    when it was the last part; any other part counts as none of it done (sentence 0).

    Raises:
        ValueError: ``key`` is not an installment key.
    """
    match = _match_key(key)
    slug, last = match.group("slug"), int(match.group("last"))
    part, parts = match.group("part", "parts")
    if part is not None:
        return slug, last, None if part == parts else 0
    sentence = match.group("last_s")
    return slug, last, None if sentence is None else int(sentence)


def _match_key(key: str) -> re.Match[str]:
    match = _KEY_RE.match(key)
    if (
        match is None
        or (match.group("first_s") is None) != (match.group("last_s") is None)
        or (match.group("first_s") is not None and match.group("first") != match.group("last"))
        or (match.group("part") is not None and match.group("first_s") is not None)
    ):
        raise ValueError(f"{key!r} is not an installment key like 'against-soic:3-5'")
    return match


def _key_sentences(match: re.Match[str]) -> tuple[int, int] | None:
    first, last = match.group("first_s", "last_s")
    return None if first is None else (int(first), int(last))


def piece_pages(paragraph: Paragraph, first: int, last: int) -> list[str]:
    """Sentences ``first``..``last`` of ``paragraph`` as shown, in pages of at most
    :data:`PAGE_CHARS` cut between sentences: how a piece is posted, and how the plan sizes it.
    """
    return split_text(" ".join(sentences(paragraph)[first - 1 : last]), PAGE_CHARS)


def plan_installments(
    readings: Sequence[Reading], word_target: int = DEFAULT_WORD_TARGET
) -> tuple[Installment, ...]:
    """Cut ``readings``, in the order given, into installments of about ``word_target`` words.

    Args:
        readings: the plan's readings, in plan order.
        word_target: the size to aim for, in words (see the module docstring for the rules).

    Raises:
        ValueError: ``word_target`` is not positive.
    """
    if word_target < 1:
        raise ValueError(f"word target must be a positive number of words, not {word_target}")
    installments: list[Installment] = []
    for reading in readings:
        installments.extend(_cut(reading, word_target))
    return tuple(installments)


def locate(
    installments: Sequence[Installment], slug: str, paragraph: int, sentence: int = 1
) -> int:
    """The index in ``installments`` of the one holding paragraph ``paragraph`` of ``slug``
    (for a paragraph cut into pieces, the piece holding its sentence ``sentence``, or its last).

    Raises:
        PlanError: the reading is not in the plan, or the paragraph is outside it.
    """
    for index, installment in enumerate(installments):
        if installment.holds(slug, paragraph):
            while (
                installment.sentences is not None
                and installment.sentences[1] < sentence
                and index + 1 < len(installments)
                and installments[index + 1].holds(slug, paragraph)
            ):
                index += 1
                installment = installments[index]
            return index
    own = [i for i in installments if i.slug == slug]
    if not own:
        raise PlanError(f"{slug} is not part of this plan: pick a passage from one of its readings")
    raise PlanError(
        f"{format_citation(slug, paragraph)} is not in this plan: its paragraphs are "
        f"{format_range(own[0].first, own[-1].last)}"
    )


def _below(words: int, target: int, ratio: tuple[int, int]) -> bool:
    """Whether ``words`` is less than ``ratio`` of ``target``."""
    return words * ratio[1] < target * ratio[0]


def _within(words: int, target: int, ratio: tuple[int, int]) -> bool:
    """Whether ``words`` is at most ``ratio`` of ``target``."""
    return words * ratio[1] <= target * ratio[0]


def _cut(reading: Reading, target: int) -> list[Installment]:
    """One reading's installments (see the module docstring)."""
    section_starts = {s.first for s in reading.sections if s.first <= s.last}
    cut = {p.number: _pieces(p, target) for p in reading.paragraphs if _needs_cut(p, target)}
    runs: list[list[int]] = []  # each run: [first, last, words]
    current: list[int] | None = None

    def close(run: list[int]) -> None:
        previous = runs[-1] if runs else None
        if (
            previous is not None
            and _below(run[2], target, TINY)
            and _within(previous[2] + run[2], target, STRETCH)
            and previous[0] not in cut
            and run[0] not in cut
        ):
            previous[1], previous[2] = run[1], previous[2] + run[2]
        else:
            runs.append(run)

    for paragraph in reading.paragraphs:
        number, words = paragraph.number, paragraph.words
        if current is None:
            current = [number, number, words]
            continue
        size = current[2]
        section_break = number in section_starts and not _below(size, target, SECTION_BREAK)
        fits = size + words <= target and not section_break
        absorbs = _below(size, target, TINY) and _within(size + words, target, STRETCH)
        joins = number not in cut and current[0] not in cut
        if joins and (fits or absorbs):
            current[1], current[2] = number, size + words
        else:
            close(current)
            current = [number, number, words]
    if current is not None:
        close(current)
    installments = []
    for first, last, words in runs:
        if first not in cut:
            installments.append(Installment(reading.slug, first, last, words))
            continue
        pieces = cut[first]
        if len(pieces) == 1:  # one sentence, or too few to cut: the paragraph stands whole
            installments.append(Installment(reading.slug, first, last, words))
            continue
        installments.extend(
            Installment(reading.slug, first, last, size, (start, end))
            for start, end, size in pieces
        )
    return installments


def _needs_cut(paragraph: Paragraph, target: int) -> bool:
    """Whether ``paragraph`` is longer than the target or than one post of a few pages."""
    if paragraph.words > target:
        return True
    if paragraph.chars <= PAGE_CHARS:  # most paragraphs: one page, nothing to count or read
        return False
    return len(piece_pages(paragraph, 1, len(sentences(paragraph)))) > PART_PAGES


def _pieces(paragraph: Paragraph, target: int) -> list[tuple[int, int, int]]:
    """A long paragraph cut between sentences: ``(first, last, words)`` per piece.

    As many pieces as the target asks for, each sized towards an even share of the words still
    to place; a piece also ends before a sentence that would take it past :data:`PART_PAGES`
    pages (more pieces then); a tiny piece joins the one before (:func:`_absorb_tiny`). A sentence
    is never cut.
    """
    said = sentences(paragraph)
    counts = [count_words(sentence) for sentence in said]
    words_left = sum(counts)
    pieces_left = max(-(-words_left // target), 1)
    pieces: list[tuple[int, int, int]] = []
    start = 0
    while start < len(counts):
        share = max(pieces_left, 1)
        end, size, chars = start + 1, counts[start], len(said[start])
        while end < len(counts):
            grown = size + counts[end]
            chars += 1 + len(said[end])
            # Take the next sentence while that brings the piece closer to an even share.
            if (grown + size) * share > 2 * words_left:
                break
            if chars > PAGE_CHARS and len(piece_pages(paragraph, start + 1, end + 1)) > PART_PAGES:
                break
            end, size = end + 1, grown
        pieces.append((start + 1, end, size))
        words_left -= size
        pieces_left -= 1
        start = end
    return _absorb_tiny(paragraph, pieces, target)


def _absorb_tiny(
    paragraph: Paragraph, pieces: list[tuple[int, int, int]], target: int
) -> list[tuple[int, int, int]]:
    """``pieces`` with each tiny one (left over by even shares, e.g. 10 words after two of 100
    under a 100-word target) joined to the piece before it when together they stay within 1.5
    times the target and the pages."""
    merged: list[tuple[int, int, int]] = []
    for piece in pieces:
        if merged and _below(piece[2], target, TINY):
            joined = (merged[-1][0], piece[1], merged[-1][2] + piece[2])
            if _within(joined[2], target, STRETCH) and (
                len(piece_pages(paragraph, joined[0], joined[1])) <= PART_PAGES
            ):
                merged[-1] = joined
                continue
        merged.append(piece)
    return merged
