"""Installments: a reading plan cut into excerpts of whole paragraphs, sized by a word target.

An installment is a contiguous run of whole paragraphs of one reading. It never crosses into the
next reading and never cuts a paragraph; a paragraph longer than the target is an installment
of its own (rendering splits it across messages, at sentence boundaries). Footnotes are never
scheduled: :attr:`Reading.paragraphs` holds body paragraphs only.

One exception bounds what a single post shows: a paragraph longer than :data:`PART_PAGES` pages
of :data:`PAGE_CHARS` characters (a hard-wrapped book imported as one 44,000-word paragraph) is
cut at sentence boundaries into parts of at most that many pages, each an installment of its own
("§3 (part 2 of 5)"), posted in consecutive slots like any other. Everything else about the cut
is as below, with such a paragraph standing alone like an overlong one.

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
- but a paragraph longer than the target always stands alone: nothing joins it.

So every installment is a single paragraph, or at most the target, or (to absorb a tiny run) at
most 1.5 times the target. A tiny installment is left only where it cannot be absorbed: next to
an overlong paragraph or the end of its reading, e.g. a short introduction before a 2,000-word
paragraph. The result depends only on the readings and the target: it is the
plan's identity across restarts, and :attr:`Installment.key` names an installment stably.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.citations import format_citation, format_range
from bot.core.errors import PlanError
from bot.core.pages import split_text
from bot.core.readings import Paragraph, Reading, count_words, display_text

DEFAULT_WORD_TARGET = 600
#: A page of a post: rendered, one page is one message (Discord's limit leaves room around it).
PAGE_CHARS = 3600
#: The most pages one installment shows; a paragraph needing more is cut into parts.
PART_PAGES = 4

# Thresholds as fractions of the target, kept as integer ratios (numerator, denominator) so the
# arithmetic is exact and the result cannot differ between machines.
SECTION_BREAK = (3, 5)  # a run this full ends at the next section start
TINY = (2, 5)  # a run smaller than this is merged rather than posted alone
STRETCH = (3, 2)  # how far a merge may go past the target

_KEY_RE = re.compile(
    r"^(?P<slug>[a-z0-9][a-z0-9-]*):(?P<first>\d+)-(?P<last>\d+)"
    r"(?:/(?P<part>[1-9]\d*)of(?P<parts>[1-9]\d*))?$"
)


@dataclass(frozen=True, slots=True)
class Installment:
    """Paragraphs ``first``..``last`` (inclusive, 1-based) of the reading ``slug``, or part
    ``part`` of ``parts`` of one paragraph too long for one post (``first == last``)."""

    slug: str
    first: int
    last: int
    words: int
    part: int = 1
    parts: int = 1

    @classmethod
    def from_key(cls, key: str, words: int = 0) -> Installment:
        """The installment named ``key`` (see :attr:`key`).

        Raises:
            ValueError: ``key`` is not an installment key.
        """
        match = _match_key(key)
        part, parts = match.group("part", "parts")
        return cls(
            match.group("slug"),
            int(match.group("first")),
            int(match.group("last")),
            words,
            int(part or 1),
            int(parts or 1),
        )

    @property
    def key(self) -> str:
        """A stable name, ``"slug:first-last"`` (``"against-soic:3-3"`` for one paragraph,
        ``"against-soic:3-3/2of5"`` for its second part of five)."""
        key = f"{self.slug}:{self.first}-{self.last}"
        return key if self.parts == 1 else f"{key}/{self.part}of{self.parts}"

    @property
    def span(self) -> str:
        """``§12-14``, ``§3``, or ``§3 (part 2 of 5)``."""
        return self.cite("")[1:]

    @property
    def citation(self) -> str:
        """How members cite it: ``against-soic §12-14``, ``against-soic §3`` or
        ``against-soic §3 (part 2 of 5)``."""
        return self.cite(self.slug)

    def cite(self, name: str) -> str:
        """The citation with ``name`` (e.g. a short name) for the reading."""
        cited = format_citation(name, self.first, self.last)
        return cited if self.parts == 1 else f"{cited} (part {self.part} of {self.parts})"

    @property
    def finishes(self) -> bool:
        """Whether its last paragraph is done once it is posted (false for all but the last
        part of a paragraph)."""
        return self.part == self.parts

    def holds(self, slug: str, paragraph: int) -> bool:
        """Whether paragraph ``paragraph`` of reading ``slug`` is part of this installment."""
        return slug == self.slug and self.first <= paragraph <= self.last


def parse_key(key: str) -> tuple[str, int, int]:
    """Split an :attr:`Installment.key` into ``(slug, first, last)`` (a part's paragraph).

    Raises:
        ValueError: ``key`` is not of the form ``slug:first-last`` (or ``.../2of5``).
    """
    match = _match_key(key)
    return match.group("slug"), int(match.group("first")), int(match.group("last"))


def _match_key(key: str) -> re.Match[str]:
    match = _KEY_RE.match(key)
    if match is None:
        raise ValueError(f"{key!r} is not an installment key like 'against-soic:3-5'")
    return match


def part_pages(paragraph: Paragraph) -> list[list[str]]:
    """The paragraph's text as shown (:func:`display_text`) in pages of at most
    :data:`PAGE_CHARS`, cut at sentence boundaries, grouped into the parts it is posted in
    (one part, whatever its pages, unless it needs more than :data:`PART_PAGES`)."""
    if len(paragraph.text) <= PAGE_CHARS:  # most paragraphs: one page, nothing to cut
        return [[display_text(paragraph.text)]]
    pages = split_text(display_text(paragraph.text), PAGE_CHARS)
    if len(pages) <= PART_PAGES:
        return [pages]
    return [pages[i : i + PART_PAGES] for i in range(0, len(pages), PART_PAGES)]


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


def locate(installments: Sequence[Installment], slug: str, paragraph: int) -> int:
    """The index in ``installments`` of the one holding paragraph ``paragraph`` of ``slug``.

    Raises:
        PlanError: the reading is not in the plan, or the paragraph is outside it.
    """
    for index, installment in enumerate(installments):
        if installment.holds(slug, paragraph):
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
    parts = {p.number: part_pages(p) for p in reading.paragraphs if len(p.text) > PAGE_CHARS}
    split = {number for number, pages in parts.items() if len(pages) > 1}
    runs: list[list[int]] = []  # each run: [first, last, words]
    current: list[int] | None = None

    def alone(run: list[int]) -> bool:
        """Whether ``run`` is one paragraph that stands alone (overlong, or cut into parts)."""
        return run[0] == run[1] and (run[2] > target or run[0] in split)

    def close(run: list[int]) -> None:
        previous = runs[-1] if runs else None
        if (
            previous is not None
            and _below(run[2], target, TINY)
            and _within(previous[2] + run[2], target, STRETCH)
            and not alone(previous)
            and not alone(run)
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
        joins = not alone([number, number, words]) and current[0] not in split
        if joins and (fits or absorbs):
            current[1], current[2] = number, size + words
        else:
            close(current)
            current = [number, number, words]
    if current is not None:
        close(current)
    installments = []
    for first, last, words in runs:
        if first not in split:
            installments.append(Installment(reading.slug, first, last, words))
            continue
        pieces = parts[first]
        installments.extend(
            Installment(reading.slug, first, last, sum(map(count_words, pages)), index, len(pieces))
            for index, pages in enumerate(pieces, 1)
        )
    return installments
