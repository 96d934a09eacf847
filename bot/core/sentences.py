"""Sentences: where a paragraph's sentences end, and how they are numbered and cited.

A paragraph's sentences are numbered from 1 in the text as shown (:func:`display_text`, its
whitespace normalised), so ``soic §3.4`` is the 4th sentence of paragraph 3 and ``§3.4-3.9``
its 4th to 9th. Numbers count only within their paragraph: editing another paragraph never
changes them.

A sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any closing quotes, brackets or note
markers after it) followed by whitespace, unless what follows starts in lower case ("e.g. the",
"he said!" he cried") or the word before the stop is an abbreviation that does not end a
sentence ("Mr.", "p. 12", "vol. 2", an initial as in "V. I. Lenin"). A number such as ``1.5``
has no space after its point and is never cut. So the sentences joined with single spaces give
back the text with its whitespace normalised: nothing is lost or reordered.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.readings import Paragraph, display_text

# A candidate end: the stop, then closing quotes/brackets/superscript note numbers/[label]
# note markers, then the whitespace the cut replaces.
_END_RE = re.compile(r"[.!?…]+(?:[\"'”’)\]⁰¹²³⁴⁵⁶⁷⁸⁹]|\[[^\]\s]{1,20}\])*(?=\s)")
_WORD_BEFORE_RE = re.compile(r"(?:^|[\s(\[“\"'‘])([\w.]+)$")
_NUMBER_RE = re.compile(r"\d|[IVXLC]+\b")
#: Words that, followed by a full stop, do not end a sentence (lower case, no final stop):
#: titles before a name, and Latin abbreviations.
ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "messrs", "dr", "prof", "st", "mme", "mlle", "mm", "gen", "col",
        "capt", "lt", "sgt", "rev", "hon", "jr", "sr", "cf", "viz", "vs", "ca", "approx",
        "esp", "op", "i.e", "e.g", "n.b",
    }
)  # fmt: skip
#: Words that, followed by a full stop and a number ("p. 12", "vol. II"), do not end a
#: sentence ("No. That is wrong." still has two).
BEFORE_NUMBER = frozenset(
    {"p", "pp", "vol", "vols", "no", "nos", "ch", "chap", "fig", "art", "sec", "para", "ff"}
)


def split_sentences(text: str) -> list[str]:
    """``text`` (whitespace normalised) cut into its sentences, in order (see the module
    docstring); joined with single spaces they give back the normalised text."""
    text = " ".join(text.split())
    pieces: list[str] = []
    start = 0
    for match in _END_RE.finditer(text):
        end = match.end()
        if _continues(text, match.start(), end):
            continue
        pieces.append(text[start:end])
        start = end + 1
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def _continues(text: str, stop: int, end: int) -> bool:
    """Whether the stop at ``stop`` (its end mark ends at ``end``) is inside a sentence."""
    following = text[end + 1 : end + 12].lstrip("\"'“‘([")
    if following[:1].islower():
        return True
    if text[stop] != ".":
        return False
    # Only the stop's own word matters: a short window keeps a long paragraph linear.
    before = _WORD_BEFORE_RE.search(text[max(0, stop - 20) : stop])
    if before is None:
        return False
    word = before.group(1)
    # An initial ("V. I. Lenin") or an abbreviation ("Mr. Smith", "p. 12").
    return (
        (len(word) == 1 and word.isupper())
        or word.lower() in ABBREVIATIONS
        or (word.lower() in BEFORE_NUMBER and _NUMBER_RE.match(following) is not None)
    )


@functools.lru_cache(maxsize=1024)
def _sentences_of(text: str) -> tuple[str, ...]:
    return tuple(split_sentences(display_text(text)))


def sentences(paragraph: Paragraph) -> tuple[str, ...]:
    """The paragraph's sentences as shown (footnote markers as superscripts), sentence ``n``
    at index ``n - 1``."""
    return _sentences_of(paragraph.text)


def format_sentence_span(first: int, first_sentence: int, last: int, last_sentence: int) -> str:
    """``3.4`` or ``3.4-3.9`` (no ``§``): sentences ``first.first_sentence`` to
    ``last.last_sentence``."""
    start = f"{first}.{first_sentence}"
    if (first, first_sentence) == (last, last_sentence):
        return start
    return f"{start}-{last}.{last_sentence}"


@dataclass(frozen=True, slots=True)
class Marked:
    """Sentences ``first``..``last`` of ``paragraph`` (of its ``count``) with one sentence of
    context on each side: how a cited sentence is shown within its paragraph."""

    paragraph: Paragraph
    first: int
    last: int
    count: int
    before: str  # the sentence just before, "" at the paragraph's start
    cited: str
    after: str  # the sentence just after, "" at its end

    @property
    def whole(self) -> bool:
        """Whether the whole paragraph is cited."""
        return (self.first, self.last) == (1, self.count)

    @property
    def more_before(self) -> bool:
        """Whether the paragraph has text before :attr:`before`."""
        return self.first > 2

    @property
    def more_after(self) -> bool:
        """Whether the paragraph has text after :attr:`after`."""
        return self.last < self.count - 1

    @property
    def span(self) -> str:
        """``3.4-3.9``, or ``3`` when the whole paragraph is cited."""
        number = self.paragraph.number
        return (
            str(number)
            if self.whole
            else format_sentence_span(number, self.first, number, self.last)
        )

    def shown(self, emphasis: Callable[[str], str]) -> str:
        """The cited sentences as ``emphasis`` marks them (e.g. in bold), the context around
        them, ``…`` where the paragraph goes on: ``… Before. **Cited.** After. …``."""
        parts = [
            "…" if self.more_before else "",
            self.before,
            emphasis(self.cited),
            self.after,
            "…" if self.more_after else "",
        ]
        return " ".join(part for part in parts if part)

    @property
    def label(self) -> str:
        """``§3.4-3.9 (§3 has 57 sentences)``."""
        return f"§{self.span} (§{self.paragraph.number} has {self.count} sentences)"


def mark(paragraph: Paragraph, first: int, last: int) -> Marked:
    """Sentences ``first``..``last`` of ``paragraph`` (clamped to those it has) in context."""
    said = sentences(paragraph)
    count = len(said)
    first, last = max(1, min(first, count)), max(1, min(last, count))
    return Marked(
        paragraph,
        first,
        last,
        count,
        said[first - 2] if first > 1 else "",
        " ".join(said[first - 1 : last]),
        said[last] if last < count else "",
    )
