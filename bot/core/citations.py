"""Passage references: parse what a member types and resolve it against the library.

Accepted forms (``slug`` may also be an alias, a title prefix or a fuzzy title)::

    soic §12        soic 12         soic:12         soic ¶12
    soic §12-14     soic 12–14      soic:12-14      soic §§12-14
    soic §3.4       soic 3.4        soic:3.4        (the 4th sentence of paragraph 3)
    soic §3.4-3.9   soic 3.4-5.2    soic §3-5.2     (sentence ranges; see bot.core.sentences)
    soic#conclusion soic # what is it?              soic conclusion
    soic n3         soic note 3     soic [^3]
    soic                            (the reading's table of contents)
    §12             (needs a default reading, e.g. the group's current one)

A reading named well followed by something that is none of these (``soic §a``, ``soic -1``) is
an error saying what was understood and what is valid, never the whole reading; a fuzzy title
is taken only when it is clearly closer than any other, else the candidates are listed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.errors import CitationError, clip
from bot.core.readings import Library, Note, Paragraph, Reading, Section, fold
from bot.core.sentences import Marked, format_sentence_span, mark, sentences

_RANGE = r"(?P<first>\d{1,6})(?:\s*(?:-|–|—|to)\s*(?P<last>\d{1,6}))?"
PARAGRAPH_RE = re.compile(rf"^(?P<name>.*?)\s*(?:[§¶]+|:|\bp(?:ara)?\.?|\s)\s*{_RANGE}\s*$", re.I)
BARE_PARAGRAPH_RE = re.compile(rf"^\s*[§¶]*\s*{_RANGE}\s*$")
NOTE_RE = re.compile(
    r"^(?P<name>.*?)\s*(?:\bn(?:ote)?\.?\s*|\[\^)(?P<label>[\w-]{1,20})\]?\s*$", re.I
)
# Sentences: either end may name one (``3.4``); one of them must, else it is a paragraph range.
_SENTENCE_RANGE = (
    r"(?P<first>\d{1,6})(?:\.(?P<first_s>\d{1,6}))?"
    r"(?:\s*(?:-|–|—|to)\s*(?P<last>\d{1,6})(?:\.(?P<last_s>\d{1,6}))?)?"
)
SENTENCE_RE = re.compile(rf"^(?P<name>.*?)\s*(?:[§¶]+|:|\s)\s*{_SENTENCE_RANGE}\s*$", re.I)
BARE_SENTENCE_RE = re.compile(rf"^\s*[§¶]*\s*{_SENTENCE_RANGE}\s*$")
SECTION_RE = re.compile(r"^(?P<name>[^#]*?)\s*#\s*(?P<section>.+?)\s*$")
LEADING_ARTICLES = ("the ", "a ", "an ")
#: A fuzzy title must score this much at least, and this much more than the runner-up.
FUZZY_THRESHOLD = 0.75
FUZZY_MARGIN = 0.15
#: What follows a reading's name when it meant a paragraph or a note, not a section's name.
REFERENCE_WORD_RE = re.compile(r"^(?:n|note|p|para|paragraph)\.?$", re.I)


@dataclass(frozen=True, slots=True)
class Citation:
    """A resolved reference: paragraphs ``first``..``last`` of a reading, or one of its notes;
    with ``sentences``, from sentence ``sentences[0]`` of paragraph ``first`` to sentence
    ``sentences[1]`` of paragraph ``last``."""

    reading: Reading
    first: int
    last: int
    note: Note | None = None
    section: Section | None = None
    sentences: tuple[int, int] | None = None
    contents: bool = False
    """The reference named only the reading: show its table of contents, not all its text."""

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        return () if self.note is not None else self.reading.span(self.first, self.last)

    @property
    def is_whole_reading(self) -> bool:
        return (
            self.note is None
            and self.sentences is None
            and (self.first, self.last) == (1, len(self.reading.paragraphs))
        )

    @property
    def marked(self) -> tuple[Marked, ...]:
        """Each cited paragraph's cited sentences in their context (all of the paragraphs
        between the first and the last; none for a note)."""
        start, end = self.sentences or (1, 0)
        return tuple(
            mark(
                paragraph,
                start if paragraph.number == self.first else 1,
                end
                if paragraph.number == self.last and self.sentences
                else len(sentences(paragraph)),
            )
            for paragraph in self.paragraphs
        )

    def __str__(self) -> str:
        if self.note is not None:
            return f"{self.reading.slug} n{self.note.label}"
        if self.sentences is not None:
            span = format_sentence_span(self.first, self.sentences[0], self.last, self.sentences[1])
            return f"{self.reading.slug} §{span}"
        return format_citation(self.reading.slug, self.first, self.last)


def format_range(first: int, last: int | None = None) -> str:
    """``§12`` or ``§12-14``: paragraphs ``first`` to ``last``."""
    if last is None or last == first:
        return f"§{first}"
    return f"§{first}-{last}"


def format_citation(slug: str, first: int, last: int | None = None) -> str:
    """``soic §12`` or ``soic §12-14``."""
    return f"{slug} {format_range(first, last)}"


def resolve(library: Library, reference: str, *, default: Reading | None = None) -> Citation:
    """Resolve ``reference`` (see the module docstring) to a citation.

    Args:
        library: the readings to look in.
        reference: what the member typed.
        default: the reading a bare ``§12`` refers to, if any.

    Raises:
        CitationError: with a message naming the closest matches or the valid range.
    """
    text = " ".join(reference.replace("\u00a0", " ").split())[:300]
    if not text:
        raise CitationError(f"Empty reference. Try e.g. {_example(library)}.")

    exact = _exact_reading(library, text)
    if exact is not None:
        return _contents(exact)

    sentence = _sentence_reference(library, text, default)
    if sentence is not None:
        return sentence

    bare = BARE_PARAGRAPH_RE.match(text)
    if bare:
        if default is None:
            raise CitationError(
                f"Which reading? Put its name before the number, e.g. {_example(library)}."
            )
        return _paragraphs(default, bare.group("first"), bare.group("last"))

    section = SECTION_RE.match(text)
    if section:
        reading = find_reading(library, section.group("name"), default=default)
        return _section(reading, section.group("section"))

    note = NOTE_RE.match(text)
    if note and note.group("name"):
        noted = _try_find(library, note.group("name"))
        if noted is not None:
            return _note(noted, note.group("label"))

    paragraph = PARAGRAPH_RE.match(text)
    if paragraph and paragraph.group("name"):
        reading = find_reading(library, paragraph.group("name"))
        return _paragraphs(reading, paragraph.group("first"), paragraph.group("last"))

    whole = _try_find(library, text, fuzzy=False)
    if whole is not None:
        return _contents(whole)
    named = _named_prefix(library, text)
    if named is not None:
        return _after_name(*named)
    return _contents(find_reading(library, text))


def find_reading(
    library: Library, name: str, *, default: Reading | None = None, fuzzy: bool = True
) -> Reading:
    """The reading ``name`` means: slug, alias, title prefix, the one title or author containing
    it, or (``fuzzy``) a title clearly closer than any other.

    Raises:
        CitationError: nothing close enough (naming the closest), or several equally good.
    """
    name = name.strip()
    if not name and default is not None:
        return default
    if not name:
        raise CitationError(f"Which reading? e.g. {_example(library)}.")
    exact = _exact_reading(library, name)
    if exact is not None:
        return exact
    key = fold(name)
    for matches in (
        [r for r in library if _title_key(r).startswith(_strip_article(key))],
        # One tier for titles and authors: "marx" in a title ("Marxism") must not win over
        # an author named Marx.
        [
            r
            for r in library
            if key and (key in fold(r.display_title) or key in fold(r.author or ""))
        ],
    ):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise CitationError(
                f"{name!r} matches several readings: {_list(matches)}. "
                "Use the short name of the one you mean."
            )
    if fuzzy:
        return _fuzzy(library, name)
    raise CitationError(f"No reading called {name!r}.", lists_readings=True)


def suggestions(library: Library, partial: str, limit: int = 25) -> list[tuple[str, str]]:
    """Autocomplete choices ``(label, value)`` for a partly typed reference.

    Readings first (by slug, alias or title), then their sections. Labels fit Discord's
    100-character limit.
    """
    key = fold(partial)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(label: str, value: str) -> None:
        if value not in seen and len(out) < limit:
            seen.add(value)
            out.append((clip(label, 100), clip(value, 100)))

    names = [
        (reading, f"{reading.slug} — {reading.title} ({len(reading.paragraphs)} ¶)")
        for reading in library
    ]
    for reading, label in names:
        keys = [reading.slug, *reading.aliases, _title_key(reading), fold(reading.author or "")]
        if not key or any(fold(k).startswith(key) for k in keys):
            add(label, reading.slug)
    for reading, label in names:
        if key and key in fold(reading.display_title):
            add(label, reading.slug)
    # "soic w" -> sections of soic starting with w; "conclusion" -> every reading's conclusion.
    head, _, tail = key.partition(" ")
    for reading in library:
        named = head in {reading.slug, *reading.aliases}
        for section in reading.sections:
            section_key = fold(section.title)
            if (named and section_key.startswith(tail)) or (key and section_key.startswith(key)):
                value = f"{reading.slug}#{section.slug}"
                if len(value) > 100:  # a cut value would name no section: cite its paragraphs
                    value = format_citation(reading.slug, section.first, section.last)
                span = format_range(section.first, section.last)
                add(f"{reading.slug} # {section.title} ({span})", value)
    return out


def table_of_contents(reading: Reading) -> list[tuple[str, str]]:
    """The reading's parts as ``(where, what)``: its paragraphs before the first heading, each
    section with its paragraph range, and its notes; e.g. ``("§2-14", "What is it?")``."""
    rows: list[tuple[str, str]] = []
    count = len(reading.paragraphs)
    opening = min([s.first for s in reading.sections] + [count + 1]) - 1
    if opening:
        rows.append(
            (format_range(1, opening), "(before the first heading)" if reading.sections else "")
        )
    for section in reading.sections:
        indent = "  " * max(section.level - 2, 0)
        where = format_range(section.first, section.last) if section.first <= section.last else "—"
        rows.append((where, indent + section.title))
    if reading.footnotes:
        first, last = reading.footnotes[0].label, reading.footnotes[-1].label
        rows.append((f"n{first}" if first == last else f"n{first}-n{last}", "Notes"))
    return rows


def _contents(reading: Reading) -> Citation:
    return Citation(reading, 1, len(reading.paragraphs), contents=True)


def _named_prefix(library: Library, text: str) -> tuple[Reading, str] | None:
    """The reading whose exact name (slug, alias or title) starts ``text``, the longest such,
    and what follows it: ``soic §a`` -> (against-soic, ``§a``)."""
    cuts = [m.start() for m in re.finditer(r"(?<=\w)(?=\W)", text)]
    for cut in reversed(cuts):
        reading = _exact_reading(library, text[:cut])
        if reading is not None:
            return reading, text[cut:].strip()
    return None


def _after_name(reading: Reading, rest: str) -> Citation:
    """``rest``, what follows a reading's name and parsed as no reference: one of its sections
    named in words (``borochov conclusion``), or an error saying what is valid."""
    if rest[:1].isalpha() and not REFERENCE_WORD_RE.match(rest):
        return _section(reading, rest)
    count = len(reading.paragraphs)
    number = re.fullmatch(r"[§¶:]*\s*(\d+)", rest)
    if number:
        asked = clip(number.group(1), 30)
        raise CitationError(f"§{asked} is out of range: {reading.slug} has paragraphs 1-{count}.")
    slug = reading.slug
    valid = [f"paragraphs `{slug} §1` to `§{count}`, or a range `{slug} §1-{min(count, 3)}`"]
    if reading.footnotes:
        first, last = reading.footnotes[0].label, reading.footnotes[-1].label
        notes = f"`{slug} n{first}`" + (f" to `n{last}`" if first != last else "")
        valid.append(f"notes {notes}")
    if reading.sections:
        valid.append(f"sections by name `{reading.slug}#{reading.sections[0].slug}`")
    raise CitationError(
        f"{reading.slug} ({clip(reading.display_title, 80)}) followed by {clip(rest, 40)!r} is "
        f"not a reference. Valid: {'; '.join(valid)}."
    )


def _paragraphs(reading: Reading, first_text: str, last_text: str | None) -> Citation:
    first = int(first_text)
    last = int(last_text) if last_text else first
    if first > last:
        first, last = last, first
    count = len(reading.paragraphs)
    if first < 1 or last > count:
        asked = format_citation(reading.slug, first, last)
        raise CitationError(f"{asked} is out of range: {reading.slug} has paragraphs 1-{count}.")
    return Citation(reading, first, last)


def _sentence_reference(library: Library, text: str, default: Reading | None) -> Citation | None:
    """``soic §3.4``, ``soic 3.4-3.9``, ``soic:3.4-5.2`` or ``§3.4`` (of ``default``) resolved,
    or None when ``text`` names no sentence.

    Raises:
        CitationError: no reading for a bare ``§3.4``, or the sentences are not in the reading.
    """
    bare = BARE_SENTENCE_RE.match(text)
    if bare is not None and _names_a_sentence(bare):
        if default is None:
            raise CitationError(
                f"Which reading? Put its name before the number, e.g. {_example(library)}.1."
            )
        return _sentences(default, bare)
    named = SENTENCE_RE.match(text)
    if named is not None and named.group("name") and _names_a_sentence(named):
        return _sentences(find_reading(library, named.group("name")), named)
    return None


def _names_a_sentence(match: re.Match[str]) -> bool:
    return match.group("first_s") is not None or match.group("last_s") is not None


def _sentences(reading: Reading, match: re.Match[str]) -> Citation:
    """The sentences ``match`` (of :data:`SENTENCE_RE`) names in ``reading``."""
    first, last = int(match.group("first")), int(match.group("last") or match.group("first"))
    first_s, last_s = match.group("first_s", "last_s")
    # The paragraphs first, so an out-of-range paragraph is reported as such.
    _paragraphs(reading, str(first), str(last))
    if match.group("last") is None:
        last_s = first_s
    elif first_s is not None and last_s is None:
        # "§3.4-9": sentences 4 to 9 of §3, or from §3.4 to the end of §9? Ask, never guess.
        raise CitationError(
            f"{reading.slug} §{first}.{first_s}-{last} is ambiguous: write §{first}.{first_s}-"
            f"{first}.{last} for sentences {first_s}-{last} of §{first}, or §{first}.{first_s}-"
            f"{last}.N to end at sentence N of §{last}."
        )
    start = (first, int(first_s) if first_s is not None else 1)
    end = (last, int(last_s) if last_s is not None else len(sentences(reading.paragraph(last))))
    start, end = min(start, end), max(start, end)
    for number, sentence in (start, end):
        count = len(sentences(reading.paragraph(number)))
        if not 1 <= sentence <= count:
            raise CitationError(
                f"{reading.slug} §{number}.{sentence} is out of range: §{number} has sentences "
                f"1-{count}."
            )
    return Citation(reading, start[0], end[0], sentences=(start[1], end[1]))


def _section(reading: Reading, name: str) -> Citation:
    key = fold(name)
    slug_key = key.replace(" ", "-")
    for matches in (
        [s for s in reading.sections if s.slug == slug_key or fold(s.title) == key],
        [s for s in reading.sections if fold(s.title).startswith(key)],
        [s for s in reading.sections if key in fold(s.title)],
    ):
        if len(matches) == 1 or (matches and key):
            section = matches[0]
            if section.first > section.last:
                raise CitationError(f"Section {section.title!r} of {reading.slug} is empty.")
            return Citation(reading, section.first, section.last, section=section)
    titles = ", ".join(repr(s.title) for s in reading.sections) or "none"
    raise CitationError(f"{reading.slug} has no section {name!r}. Its sections: {titles}.")


def _note(reading: Reading, label: str) -> Citation:
    note = reading.note(label)
    if note is None:
        labels = [n.label for n in reading.footnotes]
        if not labels:
            raise CitationError(f"{reading.slug} has no notes.")
        raise CitationError(
            f"{reading.slug} has no note {label}: its notes are n{labels[0]}-n{labels[-1]}."
        )
    return Citation(reading, 0, 0, note=note)


def _exact_reading(library: Library, name: str) -> Reading | None:
    """The reading ``name`` is the slug, alias or (folded) title of; dictionary look-ups."""
    named = library.named(name.strip().lower())
    if named is not None:
        return named
    key = fold(name)
    return library.titled(key) if key else None


def _try_find(library: Library, name: str, *, fuzzy: bool = True) -> Reading | None:
    try:
        return find_reading(library, name, fuzzy=fuzzy)
    except CitationError:
        return None


def _strip_article(key: str) -> str:
    for article in LEADING_ARTICLES:
        if key.startswith(article):
            return key[len(article) :]
    return key


def _title_key(reading: Reading) -> str:
    return _strip_article(fold(reading.title))


def _fuzzy(library: Library, name: str) -> Reading:
    """The reading whose name is clearly the closest to ``name``; otherwise an error listing the
    candidates, the reader choosing rather than the bot guessing.

    Raises:
        CitationError: none close enough, or several about as close.
    """
    key = fold(name)
    scored = sorted(
        ((_similarity(key, r), r.slug, r) for r in library), key=lambda t: (-t[0], t[1])
    )
    if scored and scored[0][0] >= FUZZY_THRESHOLD:
        rivals = [r for score, _, r in scored if scored[0][0] - score < FUZZY_MARGIN]
        if len(rivals) == 1:
            return rivals[0]
        raise CitationError(
            f"{name!r} is about as close to several readings: {_list(rivals)}. "
            "Use the short name of the one you mean."
        )
    close = _closest_readings(library, key)
    hint = f" Closest: {_list(close)}." if close else ""
    raise CitationError(f"No reading called {name!r}.{hint}", lists_readings=True)


def _similarity(key: str, reading: Reading) -> float:
    names = [reading.slug, *reading.aliases, fold(reading.title), _title_key(reading)]
    best = 0.0
    for name in names:
        ratio = difflib.SequenceMatcher(None, key, fold(name)).ratio()
        # A typed name is usually shorter than the title: also compare with the title's start.
        head = difflib.SequenceMatcher(None, key, fold(name)[: len(key) + 2]).ratio()
        best = max(best, ratio, head if len(key) >= 6 else 0.0)
    return best


def _closest_readings(library: Library, key: str, n: int = 3) -> list[Reading]:
    scored = sorted(library, key=lambda r: (-_similarity(key, r), r.slug))
    return [r for r in scored[:n] if _similarity(key, r) > 0.3]


def _list(readings: Iterable[Reading]) -> str:
    return ", ".join(f"{r.slug} ({r.title})" for r in readings)


def _example(library: Library) -> str:
    first = next(iter(library), None)
    return f"{first.slug} §1" if first is not None else "soic §12"
