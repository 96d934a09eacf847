"""Full-text search, the pure half: turning what a member typed into a safe FTS5 query,
the hits that come back, and rendering their highlighted snippets.

The SQL lives in ``bot.storage.search``. User text never reaches FTS5 as query syntax:
:func:`parse_query` keeps only word characters, and :meth:`SearchQuery.fts` quotes every word as
an FTS5 string, so quotes, ``*``, ``NEAR(``, ``AND``/``OR``/``NOT``, parentheses, ``-``, ``:``,
``^`` and column filters like ``body:`` are all just text.

Query language, as a member sees it:

- Words are all required, in any order: ``engels market`` finds paragraphs with both.
- Very common words (:data:`STOP_WORDS`: "the", "of", "that", ...) are left out of a query
  that has anything else to search: ``the market`` searches ``market``, ``the internat*``
  searches ``internat*``. They carry no meaning a ranking can use, and each would make FTS5
  read and score a posting list covering most of the library. :attr:`SearchQuery.ignored`
  lists what was left out. Quoted phrases keep every word: ``"the market"`` is exact.
- A query of nothing but common words (``the``, ``that it is``) searches them all, required in
  any order like any other words (``a and`` finds what ``and a`` finds); see
  :mod:`bot.storage.search` for how its many matches are ranked.
- The index stems with Porter, so ``workers`` finds "worker". Porter leaves some derivations
  apart (``internationalism`` -> "internation", ``internationalist`` unchanged), so each bare
  word also matches its relatives by suffix (:func:`related_forms`): -ism/-ist/-istic,
  -ian/-iat (proletarian/proletariat), -ion/-ionary (revolution/revolutionary), each with its
  plural. ``internationalist`` finds "internationalism" and the other way round.
- ``word*`` (three letters or more) is a prefix search: ``internat*``. FTS5 stems the prefix
  too, which is why relatives are found by whole forms rather than by prefixes: Porter turns
  ``international*`` into ``intern*``, which also matches "internal".
- ``"double quotes"`` search a phrase, exactly (still stemmed, without relatives); a single
  quoted word is exact too. Curly quotes and guillemets count as double quotes; an unbalanced
  quote is ignored.
- Accents do not matter (the index removes diacritics, and so does the query).
- A query with nothing searchable in it (only punctuation, emoji, whitespace) gives no hits:
  :attr:`SearchResults.nothing_to_search` tells that apart from "no paragraph matched".
- Only the first :data:`MAX_TOKENS` words are used; :attr:`SearchResults.truncated` says so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from bot.core.citations import format_citation
from bot.core.safetext import escape_markdown

MAX_TOKENS = 32
"""Words of a query that are searched; the rest are dropped and the result says so."""

MAX_TOKEN_CHARS = 64
"""A longer "word" is cut to this length: no word in a reading is that long."""

MIN_PREFIX = 3
"""Shortest word a ``*`` makes a prefix search: shorter ones ("a*") match much of the library."""

MIN_ROOT = 3
"""Shortest root :func:`related_forms` swaps suffixes on ("racism" -> "racist", not "ism")."""

_STOP_WORDS = """
    a about above across after again against all almost along also although am among an and
    another any are around as at be because been before being below between beyond both but by
    could did do does doing down during each either else even ever every few for from further
    had has have having he hence her here hers herself him himself his how however i if in into
    is it its itself just least less many me more most much must my myself neither never no nor
    not now of off often on once only or other others ought our ours ourselves out over own
    rather same shall she should since so some such than that the their theirs them themselves
    then there therefore these they this those thou thee though thus thy to too toward towards
    under unless until up upon us very was we were what whatever when whenever where whether
    which while who whom whose why with within without would ye yet you your yours yourself
    yourselves s t d ll m re ve
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
"""Function words of English, lowercased: pronouns, articles, auxiliaries, conjunctions,
prepositions, and the pieces an apostrophe leaves ("s", "t", "ll"). Words that are also nouns
("will", "may", "might", "can") are not here, nor is any content word however frequent: "one",
"man", "time" and "labour" are searched like any other."""

# Suffixes that Porter does not bring to one stem, grouped by family; a word ending in one also
# matches the root with each other suffix of its family.
_FAMILIES = (
    ("ism", "isms", "ist", "ists", "istic"),
    ("ian", "ians", "iat", "iats"),
    ("ion", "ions", "ionary", "ionaries"),
)
_SUFFIX_FAMILY = sorted(
    ((suffix, family) for family in _FAMILIES for suffix in family),
    key=lambda pair: -len(pair[0]),
)

# Double quotes in every form a phone or word processor produces. Translated before NFKC, which
# would turn the double prime into two single primes.
_QUOTES = str.maketrans(dict.fromkeys("“”„‟«»″〝〞〟＂", '"'))

# A word is a run of letters and digits, maybe with a ``*`` after it. FTS5's unicode61 tokenizer
# splits on everything else, so nothing in a word can be FTS5 syntax, and nothing FTS5 would
# index is lost.
_WORD_RE = re.compile(r"([^\W_]+)(\*?)")

MARK_OPEN = "\x02"
MARK_CLOSE = "\x03"
"""Sentinels FTS5 puts around each match in a snippet. Indexed text never contains them (see
:func:`index_text`), so they can be replaced by any markers after escaping the text."""

ELLIPSIS = "…"

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SENTINEL_RE = re.compile(f"([{MARK_OPEN}{MARK_CLOSE}])")


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed query.

    Attributes:
        terms: bare words, lowercased and deduplicated, in the order typed. Each also matches
            its :func:`related_forms`.
        prefixes: words typed with a ``*`` after them.
        phrases: quoted runs of words, matched exactly and in order.
        truncated: True when words beyond :data:`MAX_TOKENS` (or beyond
            :data:`MAX_TOKEN_CHARS` in one word) were dropped.
    """

    terms: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    truncated: bool = False

    @property
    def is_empty(self) -> bool:
        """True when the query has nothing to search for."""
        return not self.terms and not self.prefixes and not self.phrases

    @property
    def only_common(self) -> bool:
        """True when every word of the query, quoted or not, is one of :data:`STOP_WORDS`
        (and there is no prefix): nothing in it says what the query is about."""
        return (
            not self.is_empty
            and not self.prefixes
            and all(term in STOP_WORDS for term in self.terms)
            and all(word in STOP_WORDS for phrase in self.phrases for word in phrase)
        )

    @property
    def searched_terms(self) -> tuple[str, ...]:
        """The bare words searched: :attr:`terms` without :data:`STOP_WORDS`, unless the query
        has nothing else (then all of them)."""
        if self.only_common:
            return self.terms
        return tuple(term for term in self.terms if term not in STOP_WORDS)

    @property
    def ignored(self) -> tuple[str, ...]:
        """The common words left out of the search because the query has other words."""
        if self.only_common:
            return ()
        return tuple(term for term in self.terms if term in STOP_WORDS)

    @property
    def broad(self) -> bool:
        """True when the query may match much of the library: nothing but common words, or a
        single word (bare, quoted or a prefix). A query with two words that are not common, or
        a longer phrase with one, rarely matches more than a few hundred paragraphs."""
        if self.only_common:
            return True
        words = self.searched_terms + self.prefixes
        if self.phrases:
            return not words and len(self.phrases) == 1 and len(self.phrases[0]) == 1
        return len(words) == 1

    @property
    def in_reading_order(self) -> bool:
        """True when the hits come as the first matches in reading order, not by relevance: a
        query of nothing but common words, or one with a quoted phrase of several words one of
        which is common (``"that it is"``, ``"was in the high"``). BM25 needs every match of
        each phrase counted first, which for common words means reading their whole position
        lists: it grows with the library (tens of ms at 160 MB), while the first matches in
        reading order cost only finding them. Within such a phrase every match is exact, so
        relevance has little to tell them apart by."""
        return self.only_common or any(
            len(phrase) > 1 and any(word in STOP_WORDS for word in phrase)
            for phrase in self.phrases
        )

    @property
    def fts(self) -> str:
        """The FTS5 MATCH expression: every word quoted, groups joined by AND."""
        groups = []
        for term in self.searched_terms:
            forms = [_fts_string(form) for form in (term, *related_forms(term))]
            groups.append(f"({' OR '.join(forms)})" if len(forms) > 1 else forms[0])
        groups.extend(f"{_fts_string(prefix)}*" for prefix in self.prefixes)
        groups.extend(_fts_string(" ".join(phrase)) for phrase in self.phrases)
        return " AND ".join(groups)


def parse_query(text: str, *, max_tokens: int = MAX_TOKENS) -> SearchQuery:
    """Parse what a member typed. Never raises, whatever the text.

    Args:
        text: the raw query.
        max_tokens: how many words to keep.

    Returns:
        The query; :attr:`SearchQuery.is_empty` when nothing in ``text`` is searchable.
    """
    text = unicodedata.normalize("NFKC", text.translate(_QUOTES))
    parts = text.split('"')
    if len(parts) % 2 == 0:
        # An odd number of quotes: the last one opens nothing, so read it as a space.
        parts[-2:] = [f"{parts[-2]} {parts[-1]}"]
    budget = max_tokens
    truncated = False
    # dicts as ordered sets: the query keeps the order typed, without repeats.
    terms: dict[str, None] = {}
    prefixes: dict[str, None] = {}
    phrases: dict[tuple[str, ...], None] = {}
    for index, part in enumerate(parts):
        words = _WORD_RE.findall(part)
        if len(words) > budget:
            words, truncated = words[:budget], True
        budget -= len(words)
        if any(len(word) > MAX_TOKEN_CHARS for word, _ in words):
            truncated = True
        words = [(word[:MAX_TOKEN_CHARS].lower(), star) for word, star in words]
        if not words:
            continue
        if index % 2 == 1:  # inside quotes
            phrases[tuple(word for word, _ in words)] = None
            continue
        for word, star in words:
            if star and len(word) >= MIN_PREFIX:
                prefixes[word] = None
            else:
                terms[word] = None
    return SearchQuery(tuple(terms), tuple(prefixes), tuple(phrases), truncated)


def related_forms(word: str) -> tuple[str, ...]:
    """Other forms of ``word`` that Porter stems apart, found by swapping its suffix.

    >>> related_forms("internationalist")
    ('internationalism', 'internationalisms', 'internationalists', 'internationalistic')
    >>> related_forms("proletariat"), related_forms("war")
    (('proletarian', 'proletarians', 'proletariats'), ())
    """
    for suffix, family in _SUFFIX_FAMILY:
        root = word[: -len(suffix)]
        if word.endswith(suffix) and len(root) >= MIN_ROOT:
            return tuple(root + other for other in family if other != suffix)
    return ()


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def index_text(text: str) -> str:
    """The text stored and indexed for a paragraph or note: ``text`` made plain by the caller,
    without control characters (so the snippet sentinels and terminal escapes cannot occur)."""
    if text.isprintable():  # no control character (all are unprintable): no regex pass
        return " ".join(text.split())
    return " ".join(_CONTROL_RE.sub(" ", text).split())


# Snippets


def _strip_controls(text: str) -> str:
    return _CONTROL_RE.sub("", text)


@dataclass(frozen=True, slots=True)
class Markers:
    """How a snippet shows its matches.

    Attributes:
        open: put before each match.
        close: put after each match.
        escape: applied to the snippet's text (not the markers), so the text cannot break the
            markup.
    """

    open: str
    close: str
    escape: Callable[[str], str] = _strip_controls


MARKDOWN = Markers("**", "**", escape_markdown)
"""Bold matches for Discord and other Markdown."""

ANSI = Markers("\x1b[1;33m", "\x1b[0m")
"""Bold yellow matches for a terminal."""

PLAIN = Markers("", "")
"""No highlighting."""

STARS = Markers("**", "**")
"""Matches between double asterisks, the text as it is: piped terminal output, where colour
does not show and a script can still find the matches."""


def render_snippet(marked: str, markers: Markers = MARKDOWN) -> str:
    """Replace the match sentinels in ``marked`` with ``markers``, escaping the text between."""
    pieces = _SENTINEL_RE.split(marked)  # text, sentinel, text, ..., text
    escape = markers.escape
    pieces[::2] = [escape(piece) for piece in pieces[::2]]
    pieces[1::2] = [markers.open if mark == MARK_OPEN else markers.close for mark in pieces[1::2]]
    return "".join(pieces)


# Results


@dataclass(frozen=True, slots=True)
class Hit:
    """One matching paragraph or note.

    Attributes:
        slug: the reading.
        kind: ``"paragraph"`` or ``"note"``.
        number: the paragraph number, or the note's position in the notes section.
        label: the footnote label for a note, None for a paragraph.
        section: the heading the paragraph sits under, if any.
        snippet: the matching passage, matches marked with the markers given to the search.
        score: BM25 relevance; higher is better (SQLite's ``bm25()`` negated); 0 for every
            hit of a search answered in reading order (:attr:`SearchQuery.in_reading_order`).
        marked: the snippet with sentinel markers, for :meth:`render`.
    """

    slug: str
    kind: Literal["paragraph", "note"]
    number: int
    label: str | None
    section: str | None
    snippet: str
    score: float
    marked: str = field(default="", repr=False, compare=False)

    @property
    def citation(self) -> str:
        """How to cite the passage: ``slug §12`` or ``slug n3``."""
        if self.kind == "note":
            return f"{self.slug} n{self.label}"
        return format_citation(self.slug, self.number)

    def render(self, markers: Markers) -> str:
        """The snippet with other markers, e.g. ``hit.render(ANSI)`` in a terminal."""
        return render_snippet(self.marked, markers)


class SearchResults(list[Hit]):
    """The hits of one search, best first: a list, plus what became of the query.

    Attributes:
        query: the parsed query.
    """

    def __init__(self, hits: Iterable[Hit] = (), *, query: SearchQuery) -> None:
        super().__init__(hits)
        self.query = query

    @property
    def truncated(self) -> bool:
        """True when the query was too long and only its first words were searched."""
        return self.query.truncated

    @property
    def nothing_to_search(self) -> bool:
        """True when the query had no searchable words (only punctuation, emoji, spaces)."""
        return self.query.is_empty

    @property
    def ignored(self) -> tuple[str, ...]:
        """Common words that were left out of the search (see :attr:`SearchQuery.ignored`)."""
        return self.query.ignored

    @property
    def in_reading_order(self) -> bool:
        """True when the hits are the first matches in reading order, not the most relevant
        (see :attr:`SearchQuery.in_reading_order`)."""
        return self.query.in_reading_order


@dataclass(frozen=True, slots=True)
class IndexReport:
    """What :func:`bot.storage.search.sync_index` did.

    Attributes:
        indexed: slugs of the readings (re)indexed, in library order.
        removed: slugs whose rows were deleted because the reading left the library.
        unchanged: how many readings were already up to date.
        rows: paragraphs and notes written.
        seconds: how long the sync took.
    """

    indexed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    rows: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.indexed or self.removed)

    def __str__(self) -> str:
        if not self.changed:
            return f"search index up to date ({self.unchanged} readings, {self.seconds:.3f} s)"
        return (
            f"indexed {len(self.indexed)} readings ({self.rows} passages), removed "
            f"{len(self.removed)}, {self.unchanged} unchanged, in {self.seconds:.3f} s"
        )
