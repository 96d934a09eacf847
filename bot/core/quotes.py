"""Quotes that cite themselves: find the passage of the library a reply quotes.

A reply quotes the text in a Markdown quote (``> ...``) or in quotation marks (``"..."``,
``“...”``) of at least :data:`MIN_QUOTED_WORDS` words. Quote and library are compared as
normalised words (case, accents, punctuation, quote marks and dashes folded away), through an
index of word 3-grams (shingles) built once per :class:`~bot.core.readings.Library`: one sorted
``array`` of 64-bit keys (shingle hash, paragraph), 8 bytes a shingle, looked up by bisection,
so a quote costs a few dozen bisections whatever the library's size. The best candidate
paragraph is then aligned word by word with the quote: all words equal is an exact quote, only
small typos a near one, some words changed (most still there) a misquotation, with the aligned
words for a side-by-side view.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.core.citations import format_citation
from bot.core.readings import Library, Paragraph, plain_text
from bot.core.sentences import format_sentence_span, sentences

#: A quotation in quotation marks counts from this many words (shorter ones are phrases).
MIN_QUOTED_WORDS = 8
#: A Markdown quote counts from this many words (``> yes`` quotes nobody).
MIN_BLOCK_WORDS = 5
#: Words per shingle.
SHINGLE = 3
#: A shingle found in more paragraphs than this says nothing about which one is quoted
#: ("one of the"): skipped, which keeps a look-up's cost bounded.
MAX_POSTINGS = 64
#: The share of a quote's shingles a paragraph must hold to be aligned with it.
MIN_SHARED = 0.2
#: Candidate paragraphs aligned with the quote, best voted first.
CANDIDATES = 3
#: Quotes longer than this are not aligned word by word (that grows with the square of the
#: length): most of their shingles found in the paragraph make them a near quote.
MAX_ALIGNED_WORDS = 120
#: The share of a long quote's shingles the paragraph must hold for a near quote.
NEAR_SHINGLES = 0.9
#: Paragraphs whose words are kept ready after being aligned.
RECENT = 256
#: A quote whose words are at least this share of the aligned passage's is a misquotation
#: when it is not exact or near; below it, it is some other text.
MISQUOTE_RATIO = 0.7

_PID_BITS = 24
_BUCKET_BITS = 8
_HASH_MASK = (1 << (63 - _PID_BITS)) - 1
_PID_MASK = (1 << _PID_BITS) - 1

Kind = Literal["exact", "near", "misquote"]
#: What the bot does when a logged reply quotes the library (a group's ``quote_check``).
QuoteCheck = Literal["react", "reply", "off"]
QUOTE_CHECKS: tuple[QuoteCheck, ...] = ("react", "reply", "off")
Op = Literal["equal", "typo", "changed", "added", "left out"]

_BLOCK_RE = re.compile(r"^ {0,3}>+ ?(.*)$")
_QUOTED_RE = re.compile(r"\"([^\"\n]+)\"|“([^”]+)”|„([^“”]+)[“”]|«\s?([^»]+?)\s?»")
_APOSTROPHES_RE = re.compile(r"[’'ʼ`´]")
_WORD_RE = re.compile(r"[^\W_]+")
_COMBINING_RE = re.compile("[\u0300-\u036f]")


def normalise(text: str) -> list[str]:
    """The words of ``text`` as compared: lowercase, no accents, no punctuation, quote marks
    or dashes; apostrophes inside words dropped (``don't`` -> ``dont``)."""
    text = _APOSTROPHES_RE.sub("", text.lower())
    if not text.isascii():
        text = _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))
    return _WORD_RE.findall(text)


def extract_quotes(text: str) -> list[str]:
    """The quotations in a reply: each run of ``>`` lines with at least
    :data:`MIN_BLOCK_WORDS` words, and each quotation in quotation marks outside them with at
    least :data:`MIN_QUOTED_WORDS` words, in order of appearance."""
    quotes: list[str] = []
    block: list[str] = []
    rest: list[str] = []

    def close_block() -> None:
        joined = " ".join(block).strip()
        if len(joined.split()) >= MIN_BLOCK_WORDS:
            quotes.append(joined)
        block.clear()

    for line in text.splitlines():
        match = _BLOCK_RE.match(line)
        if match is not None and match.group(1).strip():
            block.append(match.group(1))
            continue
        close_block()
        rest.append(line)
    close_block()
    for match in _QUOTED_RE.finditer("\n".join(rest)):
        quoted = next(g for g in match.groups() if g is not None).strip()
        if len(quoted.split()) >= MIN_QUOTED_WORDS:
            quotes.append(quoted)
    return quotes


def _shingle_hashes(words: Sequence[str]) -> list[int]:
    return [
        hash(" ".join(words[i : i + SHINGLE])) & _HASH_MASK for i in range(len(words) - SHINGLE + 1)
    ]


class _Words:
    """A paragraph's words, joined by spaces: a phrase is found in it by ``str.find`` (C
    speed), so a long paragraph costs no Python loop over its words."""

    __slots__ = ("_offsets", "_sentence_ends", "joined", "words")

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.joined = " ".join(words)
        # Word i starts at character _offsets[i] + i of ``joined``.
        self._offsets = list(itertools.accumulate(map(len, words), initial=0))
        self._sentence_ends: list[int] | None = None

    def find(self, phrase: Sequence[str], limit: int = MAX_POSTINGS) -> list[int]:
        """Where ``phrase`` (words) starts, as word positions (at most ``limit``)."""
        needle = " ".join(phrase)
        joined, found = self.joined, list[int]()
        at = joined.find(needle)
        while at >= 0 and len(found) < limit:
            end = at + len(needle)
            if (at == 0 or joined[at - 1] == " ") and (end == len(joined) or joined[end] == " "):
                found.append(self._word_at(at))
            at = joined.find(needle, at + 1)
        return found

    def _word_at(self, char: int) -> int:
        offsets = self._offsets
        return bisect.bisect_left(range(len(self.words)), char, key=lambda i: offsets[i] + i)

    def sentence_ends(self, paragraph: Paragraph) -> list[int]:
        """For each sentence of the paragraph, the number of words up to its end."""
        if self._sentence_ends is None:
            lengths = (len(normalise(sentence)) for sentence in sentences(paragraph))
            self._sentence_ends = list(itertools.accumulate(lengths))
        return self._sentence_ends


def is_typo(quoted: str, original: str) -> bool:
    """Whether ``quoted`` is ``original`` with a slip of the keyboard: one letter wrong,
    missing, extra or swapped with the next (two in words of 8 letters or more)."""
    if min(len(quoted), len(original)) < 3:
        return False
    allowed = 2 if len(original) >= 8 else 1
    return abs(len(quoted) - len(original)) <= allowed and _edits(quoted, original) <= allowed


def _edits(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein with adjacent swaps)."""
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = ca != cb
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
    return row[-1]


@dataclass(frozen=True, slots=True)
class Aligned:
    """One step of the side-by-side view: the words quoted and the passage's words there."""

    op: Op
    quoted: str
    original: str


@dataclass(frozen=True, slots=True)
class QuoteMatch:
    """A quotation found in the library.

    Attributes:
        slug, paragraph: where.
        first_sentence, last_sentence: the sentences of the paragraph the quote covers
            (1-based), or None when it covers the whole paragraph.
        kind: exact, near (small typos) or misquote (words changed).
        aligned: the quote against the passage, word by word (equal words grouped).
    """

    slug: str
    paragraph: int
    first_sentence: int | None
    last_sentence: int | None
    kind: Kind
    aligned: tuple[Aligned, ...]

    @property
    def citation(self) -> str:
        """``soic §12`` or, for part of a paragraph, ``soic §12.3-12.5``."""
        if self.first_sentence is None or self.last_sentence is None:
            return format_citation(self.slug, self.paragraph)
        span = format_sentence_span(
            self.paragraph, self.first_sentence, self.paragraph, self.last_sentence
        )
        return f"{self.slug} §{span}"


KEY_BITS = 63
"""Every key of a quote index is below ``2**KEY_BITS`` (non-negative in 8 signed bytes)."""


def shingle_keys(library: Library) -> Iterator[int]:
    """The keys of ``library``'s quote index, unsorted: each paragraph's shingle hashes, with
    the paragraph's id (its position in the library, from 0) in the low bits."""
    pid = 0
    for reading in library:
        for paragraph in reading.with_text():
            if pid > _PID_MASK:
                return  # 16 million paragraphs: far beyond any library
            for h in _shingle_hashes(normalise(plain_text(paragraph.text))):
                yield h << _PID_BITS | pid
            pid += 1


def sorted_keys(library: Library) -> array[int]:
    """The keys of ``library``'s quote index, sorted, in memory (8 bytes a key)."""
    # Keys go into buckets by their top bits as raw 8-byte values, each bucket sorted on its
    # own: the build never holds more than one small bucket as Python ints (a list of every
    # key would take 40 bytes a key at its peak, not 8).
    buckets = [array("q") for _ in range(1 << _BUCKET_BITS)]
    shift = KEY_BITS - _BUCKET_BITS
    for key in shingle_keys(library):
        buckets[key >> shift].append(key)
    keys = array("q")
    for bucket in buckets:
        keys.extend(sorted(bucket))
        del bucket[:]
    return keys


class QuoteIndex:
    """The library's paragraphs by word shingles: build once per library, then :meth:`find`."""

    def __init__(self, library: Library, keys: array[int] | memoryview | None = None) -> None:
        """
        Args:
            library: the readings quoted.
            keys: :func:`sorted_keys` of ``library`` made elsewhere (e.g. a file mapped into
                memory, :mod:`bot.storage.quote_keys`); built here in memory by default.
        """
        # Each paragraph id's reading (position in _readings) and number, 8 bytes an id, in
        # the order of shingle_keys: no Paragraph object each (a stored reading's paragraph
        # texts stay in the library index).
        self._readings = library.readings
        self._reading_of = array("I")
        self._number_of = array("I")
        for position, reading in enumerate(self._readings):
            count = min(len(reading.paragraphs), _PID_MASK + 1 - len(self._number_of))
            self._reading_of.extend(itertools.repeat(position, count))
            self._number_of.extend(range(1, count + 1))
        self._keys = keys if keys is not None else sorted_keys(library)
        self._recent: dict[int, _Words] = {}

    @property
    def size(self) -> int:
        """Shingles indexed."""
        return len(self._keys)

    @property
    def nbytes(self) -> int:
        """Memory the index's keys take."""
        return self._keys.itemsize * len(self._keys)

    def candidates(self, words: Sequence[str]) -> list[int]:
        """Paragraph ids sharing the most shingles with ``words``, best first."""
        votes: Counter[int] = Counter()
        keys = self._keys
        shingles = set(_shingle_hashes(words))
        for h in shingles:
            low = bisect.bisect_left(keys, h << _PID_BITS)
            high = bisect.bisect_left(keys, (h + 1) << _PID_BITS, low)
            if 0 < high - low <= MAX_POSTINGS:
                votes.update({keys[i] & _PID_MASK for i in range(low, high)})
        ranked = votes.most_common(CANDIDATES)
        # A paragraph sharing under half the best one's shingles is not the one quoted, nor
        # one sharing too few for a quote of it (words shared by chance: made-up text).
        least = max(1, len(shingles) * MIN_SHARED, ranked[0][1] / 2 if ranked else 0)
        return [pid for pid, count in ranked if count >= least]

    def _paragraph(self, pid: int) -> Paragraph:
        return self._readings[self._reading_of[pid]].paragraph(self._number_of[pid])

    def _words(self, pid: int) -> _Words:
        """A paragraph's words and shingles, kept for the last few paragraphs quoted (a
        discussion quotes the same passages again and again)."""
        cached = self._recent.get(pid)
        if cached is None:
            cached = _Words(normalise(plain_text(self._paragraph(pid).text)))
            if len(self._recent) >= RECENT:
                del self._recent[next(iter(self._recent))]
            self._recent[pid] = cached
        return cached

    def find(self, quote: str) -> QuoteMatch | None:
        """The passage ``quote`` quotes, exactly, nearly or mis-, or None."""
        words = normalise(quote)
        if len(words) < SHINGLE:
            return None
        best: QuoteMatch | None = None
        for pid in self.candidates(words):
            paragraph = self._paragraph(pid)
            slug = self._readings[self._reading_of[pid]].slug
            match = _align(words, slug, paragraph, self._words(pid))
            if match is not None and (best is None or _rank(match) < _rank(best)):
                best = match
            if best is not None and best.kind == "exact":
                break
        return best

    def find_all(self, text: str) -> list[QuoteMatch]:
        """The passages a reply's quotations quote (one per quotation found)."""
        return [m for q in extract_quotes(text) if (m := self.find(q)) is not None]


_RANKS = {"exact": 0, "near": 1, "misquote": 2}


def _rank(match: QuoteMatch) -> int:
    return _RANKS[match.kind]


def _align(quoted: list[str], slug: str, paragraph: Paragraph, known: _Words) -> QuoteMatch | None:
    words = known.words
    for start in known.find(quoted, limit=1):  # exact: no alignment needed
        end = start + len(quoted)
        first, last = _sentence_span(paragraph, known, start, end)
        whole = (Aligned("equal", " ".join(quoted), " ".join(quoted)),)
        return QuoteMatch(slug, paragraph.number, first, last, "exact", whole)
    start, end = _window(quoted, known)
    if len(quoted) > MAX_ALIGNED_WORDS:
        return _by_shingles(quoted, slug, paragraph, known, start, end)
    window = words[start:end]
    matcher = difflib.SequenceMatcher(None, quoted, window, autojunk=False)
    steps: list[Aligned] = []
    same = 0
    opcodes = matcher.get_opcodes()
    for number, (op, q1, q2, w1, w2) in enumerate(opcodes):
        # At the quote's ends the window runs on past it: a changed first or last word is
        # paired with the passage's word next to what matched, the rest is outside the quote.
        if op == "replace" and number == len(opcodes) - 1 and w2 - w1 > q2 - q1:
            steps.extend(_pairs(quoted[q1:q2], window[w1 : w1 + q2 - q1]))
            steps.append(Aligned("left out", "", " ".join(window[w1 + q2 - q1 : w2])))
            continue
        if op == "replace" and number == 0 and w2 - w1 > q2 - q1:
            steps.append(Aligned("left out", "", " ".join(window[w1 : w2 - (q2 - q1)])))
            steps.extend(_pairs(quoted[q1:q2], window[w2 - (q2 - q1) : w2]))
            continue
        if op == "equal":
            same += q2 - q1
            steps.append(Aligned("equal", " ".join(quoted[q1:q2]), " ".join(window[w1:w2])))
        elif op == "replace" and q2 - q1 == w2 - w1:
            steps.extend(_pairs(quoted[q1:q2], window[w1:w2]))
        elif op == "replace":
            steps.append(Aligned("changed", " ".join(quoted[q1:q2]), " ".join(window[w1:w2])))
        elif op == "insert":
            steps.append(Aligned("left out", "", " ".join(window[w1:w2])))
        else:
            steps.append(Aligned("added", " ".join(quoted[q1:q2]), ""))
    # Leading and trailing passage words the quote does not reach are outside it, not left out.
    while steps and steps[0].op == "left out":
        start += len(steps.pop(0).original.split())
    while steps and steps[-1].op == "left out":
        end -= len(steps.pop().original.split())
    if not steps:
        return None
    if all(s.op == "equal" for s in steps):
        kind: Kind = "exact"
    elif all(s.op in ("equal", "typo") for s in steps):
        kind = "near"
    elif same / max(len(quoted), end - start) >= MISQUOTE_RATIO:
        kind = "misquote"
    else:
        return None
    first, last = _sentence_span(paragraph, known, start, end)
    return QuoteMatch(slug, paragraph.number, first, last, kind, tuple(steps))


def _pairs(quoted: Sequence[str], original: Sequence[str]) -> list[Aligned]:
    """Words changed one for one: each a typo or a changed word."""
    return [
        Aligned("typo" if is_typo(q, w) else "changed", q, w)
        for q, w in zip(quoted, original, strict=True)
    ]


def _by_shingles(
    quoted: list[str], slug: str, paragraph: Paragraph, known: _Words, start: int, end: int
) -> QuoteMatch | None:
    """A long quote that is not exact: near when the paragraph holds most of its shingles."""
    shingles = [quoted[i : i + SHINGLE] for i in range(len(quoted) - SHINGLE + 1)]
    held = sum(bool(known.find(shingle, limit=1)) for shingle in shingles)
    if held < NEAR_SHINGLES * len(shingles):
        return None
    first, last = _sentence_span(paragraph, known, start, end)
    return QuoteMatch(slug, paragraph.number, first, last, "near", ())


def _window(quoted: Sequence[str], known: _Words) -> tuple[int, int]:
    """Where in the paragraph the quote's shingles are, widened by a few words each side."""
    shingles = {tuple(quoted[i : i + SHINGLE]) for i in range(len(quoted) - SHINGLE + 1)}
    hits = sorted(p for shingle in shingles for p in known.find(shingle))
    words = known.words
    if not hits:
        return 0, len(words)
    # The densest stretch of hits as long as the quote: a shingle may recur elsewhere in the
    # paragraph ("the socialist revolution"), and aligning the whole paragraph costs.
    span = len(quoted)
    best_first = best_count = 0
    last = 0
    for first, position in enumerate(hits):
        while last < len(hits) and hits[last] < position + span:
            last += 1
        if last - first > best_count:
            best_first, best_count = first, last - first
    slack = max(2, len(quoted) // 4)
    start = hits[best_first]
    return max(0, start - slack), min(len(words), start + span + slack)


def _sentence_span(
    paragraph: Paragraph, known: _Words, start: int, end: int
) -> tuple[int | None, int | None]:
    """The sentences (1-based) holding words ``start``..``end - 1``; None, None when that is
    the whole paragraph."""
    ends = known.sentence_ends(paragraph)
    if len(ends) < 2:
        return None, None
    first = bisect.bisect_right(ends, start) + 1
    last = min(bisect.bisect_left(ends, end) + 1, len(ends))
    if first > len(ends) or (first == 1 and last == len(ends)):
        return None, None
    return first, last


def side_by_side(match: QuoteMatch, mark: Callable[[str], str]) -> tuple[str, str]:
    """The quote and the text it was aligned with, the words that differ passed through
    ``mark`` (``**bold**`` on Discord, ``[brackets]`` in a terminal)."""
    quoted: list[str] = []
    original: list[str] = []
    for step in match.aligned:
        same = step.op == "equal"
        if step.quoted:
            quoted.append(step.quoted if same else mark(step.quoted))
        if step.original:
            original.append(step.original if same else mark(step.original))
    return " ".join(quoted), " ".join(original)
