"""Words and how many paragraphs contain each: what a question's ``{term}`` is ranked by.

A *term* is a word of a paragraph's plain text as :func:`tokens` finds it, in lower case
(:func:`term`). A reading's *paragraph frequencies* count, per term, the paragraphs that contain
it (:class:`TermCounter`); the library's are the sum over its readings. The library index keeps
each reading's (:mod:`bot.storage.library`), so a start never counts them again; a library
parsed from files counts them in memory (:class:`CountedTerms`). Both answer through
:class:`bot.core.readings.TermStatistics` and count with :class:`TermCounter`, so both give the
same numbers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping

from bot.core.readings.model import Reading

TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_POSSESSIVE_RE = re.compile(r"'s$", re.IGNORECASE)
_EDGES = "\"'’‘“”.,;:!?()[]-–—"  # never part of a word (not letters): stripped before isalpha()


def tokens(text: str) -> Iterator[str]:
    """Words with apostrophes made straight and possessives removed ("Borochov’s" -> "Borochov")."""
    for match in TOKEN_RE.finditer(text):
        yield _POSSESSIVE_RE.sub("", match.group(0).replace("’", "'"))


def term(token: str) -> str:
    """The term a token of :func:`tokens` counts as: its lower case."""
    return token.lower()


class _ChunkTerms(dict[str, str]):
    """Whitespace-separated pieces of text -> the term in them, computed once per piece.

    No word spans whitespace (neither letters nor the apostrophes and hyphens inside a word are
    spaces), so a text's terms are its pieces' terms; a reading repeats most of its pieces
    ("the", "market,"), so each distinct piece is tokenized once. A piece that is letters
    between punctuation is its one word without the regex. A piece with no term or several
    ("1867", "well—known") maps to "" and its terms are in :attr:`several`.
    """

    def __init__(self) -> None:
        super().__init__()
        self.several: dict[str, tuple[str, ...]] = {}

    def __missing__(self, chunk: str) -> str:
        word = chunk.strip(_EDGES)
        if word.isalpha():  # letters only: one token, with no apostrophe to make a possessive
            found = term(word)
        else:
            terms = {term(token) for token in tokens(chunk)}
            found = terms.pop() if len(terms) == 1 else ""
            if not found:
                self.several[chunk] = tuple(terms)
        self[chunk] = found
        return found


class TermCounter:
    """Counts, per term, the paragraphs of one reading that contain it.

    Attributes:
        counts: term -> paragraphs added that contain it.
        paragraphs: paragraphs added.
    """

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.paragraphs = 0
        self._chunks = _ChunkTerms()

    def add(self, plain: str) -> None:
        """Count one paragraph, given as its plain text."""
        self.paragraphs += 1
        chunks = set(plain.split())
        found = set(map(self._chunks.__getitem__, chunks))
        if "" in found:  # a piece with no term or several
            found.discard("")
            several = self._chunks.several
            for chunk in chunks & several.keys():
                found.update(several[chunk])
        self.counts.update(found)


def paragraph_frequencies(reading: Reading) -> Counter[str]:
    """Term -> the paragraphs of ``reading`` that contain it."""
    counter = TermCounter()
    for paragraph in reading.with_text():
        counter.add(paragraph.plain)
    return counter.counts


class CountedTerms:
    """The paragraph frequencies of a library's readings counted in memory (a
    :class:`bot.core.readings.TermStatistics` for a library parsed from files), the first time
    they are asked for."""

    def __init__(self, readings: Iterable[Reading]) -> None:
        self._readings = tuple(readings)
        self.paragraphs = sum(len(r.paragraphs) for r in self._readings)
        self._counts: Counter[str] | None = None

    def frequencies(self, words: Collection[str]) -> Mapping[str, int]:
        if self._counts is None:
            self._counts = Counter()
            for reading in self._readings:
                self._counts.update(paragraph_frequencies(reading))
        return {word: self._counts[word] for word in words}
