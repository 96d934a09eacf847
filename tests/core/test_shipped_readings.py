"""The shipped readings are faithful conversions of the raw essays in ``tests/fixtures/raw/``.

Each reading in ``readings/`` is compared with the scraped page it came from. The only things a
conversion may drop are listed below in ``removed``, by exact (whitespace-normalised) text: site
furniture such as comment forms, bylines, breadcrumbs, captions and readers' comments. Everything
else in the raw text must be in the reading, and everything in the reading must be in the raw
text. The raw text's structure (one block per line, short unpunctuated lines as headings, a list
of notes at the end) gives the expected headings, paragraphs and notes, so none of those are
written down here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.core.readings import FOOTNOTE_REF_RE, Library, Reading, load_library, plain_text

ROOT = Path(__file__).resolve().parents[2]
READINGS = ROOT / "readings"
RAW = ROOT / "tests" / "fixtures" / "raw"
# CI checks out shared/ beside the clone; the fixtures must stay copies of those texts.
SHARED_TEXTS = ROOT.parent / "shared" / "texts"

# A footnote number glued to the end of a word or to closing punctuation: "mostly3",
# "“stateless”1", "intertwined.5". Not "1,000", "20th" or a year after a space.
GLUED_MARKER_RE = re.compile(r"(?:(?<=[^\W\d_])|(?<=[^\d\s][.,”’!?]))(\d{1,3})(?=\s|$)")
SENTENCE_END_RE = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][”’\")])\s+")
# A heading in the raw text is a short line without a closing full stop or ellipsis.
HEADING_MAX_WORDS = 12


@dataclass(frozen=True)
class Source:
    """A shipped reading and what its conversion from the raw text did."""

    slug: str
    raw: str
    author: str | None
    has_subtitle: bool
    # Text cut from the raw page, each matched against whole (whitespace-normalised) lines or,
    # for a breadcrumb glued to the title, the start of a line.
    removed: tuple[str, ...]
    publisher: str | None = None
    published: dt.date | None = None
    # Footnote label -> the text the number is glued to in the raw body.
    markers: Mapping[str, str] = field(default_factory=dict)
    # Markers whose note text is missing from the raw page: dropped, not turned into references.
    dropped_markers: Mapping[str, str] = field(default_factory=dict)
    # The first line of the raw page's list of notes, when it has one.
    notes_from: str | None = None


SOURCES = (
    Source(
        slug="proletarian-internationalism",
        raw="001_649ec76d4d540933.txt",
        author="McCune",
        has_subtitle=False,
        published=dt.date(2026, 2, 12),
        removed=("Submitted by McCune on February 12, 2026", "Comments"),
    ),
    Source(
        slug="against-soic",
        raw="000_d919c50ad3f08871.txt",
        author=None,
        has_subtitle=False,
        removed=(
            "Leave a Reply",
            "Fill in your details below or click an icon to log in: Logo",
            "You are commenting using your account. Log Out / Change )",
            "Google photo",
            "You are commenting using your Google account. Log Out / Change )",
            "Twitter picture",
            "You are commenting using your Twitter account. Log Out / Change )",
            "Facebook photo",
            "You are commenting using your Facebook account. Log Out / Change )",
            "Connecting to %s",
        ),
    ),
    Source(
        slug="internationalism-in-china",
        raw="002_31784ae266c80095.txt",
        author="Sun Wei",
        has_subtitle=True,
        publisher="Rosa-Luxemburg-Stiftung",
        removed=(
            "News | History - State / Democracy - International / Transnational - Asia - China"
            " - Global Solidarity",
            "Sun Wei,",
            "“All peoples of the world, unite, to overthrow American imperialism! To overthrow"
            " Soviet revisionism! To overthrow the reactionaries of all nations!” Poster from the"
            " Red Eagle Corps of the PLA Air Force stationed in Nanjing, 1969. CC BY-NC-SA 2.0,"
            " PLA Air Force Red Eagle Corps [Public Domain], via Flickr",
            "Sun Wei works as a project manager in the Rosa-Luxemburg-Stiftung’s Beijing Office,"
            " where she is responsible for developing, facilitating, and evaluating"
            " collaborations and political projects around China.",
        ),
    ),
    Source(
        slug="borochov-socialism-in-one-country",
        raw="003_9483cd330d4e3c60.txt",
        author=None,
        has_subtitle=True,
        removed=(
            "Borochov was out to lunch: https://nonzionism.com/p/dov-ber-borochov",
            "Interesting, but Eurocentric. No mention of slavery or is primitive accumulation of"
            " capitalism's 'rosy early dawn.' (Marx). Some would argue that the growth of slave"
            " capitalism fed the industrial revolution in Europe, at least as much as the"
            " enclosures and the transition from feudalism. No mention of Africa at all.",
        ),
        markers={
            "1": "“stateless”",
            "2": "displacement.",
            "3": "mostly",
            "4": "piece.",
            "6": "“bring back jobs,”",
            "7": "local industry.",
            "8": "socialist tradition.",
            "9": "exploitation.",
            "10": "Abrahamian",
            "11": "become possible.",
            "12": "We need",
        },
        # The raw notes list has eleven entries for twelve markers; by content, 5 is missing.
        dropped_markers={"5": "intertwined."},
        notes_from="What is the national state but an “imagined community?”",
    ),
)
# The reading plan: definitions first, then the polemic, the history, and the counterpoint.
PLAN = tuple(source.slug for source in SOURCES)


@dataclass(frozen=True)
class RawParts:
    """The raw page split as the conversion should have split it."""

    title: str
    subtitle: str | None
    headings: list[str]
    # Paragraph text exactly as in the raw line (trailing spaces aside), markers as references.
    paragraphs: list[str]
    notes: list[str]
    # The whole page, whitespace-normalised, glued markers taken off their words.
    text: str
    # The same without the documented removals.
    kept: str
    removed_lines: list[str]


def normalise(text: str) -> str:
    return " ".join(text.split())


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END_RE.split(normalise(text)) if s]


def is_heading(line: str) -> bool:
    return len(line.split()) <= HEADING_MAX_WORDS and not line.endswith((".", "…"))


def unglue(text: str, source: Source, *, as_reference: bool) -> str:
    """Take the footnote numbers off their words, or turn them into ``[^n]`` references."""
    for label, word in source.markers.items():
        assert text.count(word + label) == 1, f"marker {word + label!r} not once in {source.raw}"
        text = text.replace(word + label, f"{word}[^{label}]" if as_reference else word)
    for label, word in source.dropped_markers.items():
        assert text.count(word + label) == 1, f"marker {word + label!r} not once in {source.raw}"
        text = text.replace(word + label, word)
    return text


def raw_parts(source: Source) -> RawParts:
    raw = (RAW / source.raw).read_text(encoding="utf-8")
    kept: list[tuple[str, str]] = []  # (raw line without trailing space, normalised)
    removed_lines: list[str] = []
    unused = list(source.removed)
    for line in raw.split("\n"):
        norm = normalise(line)
        if not norm:
            continue
        for cut in source.removed:
            if norm == cut or norm.startswith(cut + " "):
                unused.remove(cut)
                removed_lines.append(cut)
                norm = line = norm[len(cut) :].strip()
        if norm:
            kept.append((line.rstrip(), norm))
    assert not unused, f"documented removals not found in {source.raw}: {unused}"
    title = kept.pop(0)[1]
    subtitle = kept.pop(0)[1] if source.has_subtitle else None
    norms = [norm for _, norm in kept]
    notes_at = norms.index(source.notes_from) if source.notes_from else len(kept)
    body, notes = kept[:notes_at], [norm for _, norm in kept[notes_at:]]
    headings = [norm for _, norm in body if is_heading(norm)]
    # Markers are replaced across the whole body at once: each occurs once in the page.
    paragraphs = "\n".join(line for line, norm in body if not is_heading(norm))
    return RawParts(
        title=title,
        subtitle=subtitle,
        headings=headings,
        paragraphs=unglue(paragraphs, source, as_reference=True).split("\n"),
        notes=notes,
        text=unglue(normalise(raw), source, as_reference=False),
        kept=unglue("\n".join(norms), source, as_reference=False),
        removed_lines=removed_lines,
    )


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(READINGS)


def reading_of(library: Library, source: Source) -> Reading:
    reading = library.get(source.slug)
    assert reading is not None, f"readings/{source.slug}.md is missing"
    return reading


def body_texts(reading: Reading) -> list[str]:
    """Every piece of the reading's text a member can see: titles, headings, paragraphs, notes."""
    texts = [reading.title, reading.subtitle or ""]
    texts += [section.title for section in reading.sections]
    texts += [plain_text(p.text) for p in reading.paragraphs]
    texts += [plain_text(note.text) for note in reading.footnotes]
    return texts


by_slug = pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.slug)


def test_library_loads_and_ships_every_source(library: Library) -> None:
    assert {s.slug for s in SOURCES} <= {r.slug for r in library}


def test_plan_order(library: Library) -> None:
    shipped = [r.slug for r in library if r.slug in PLAN]
    assert shipped == list(PLAN)
    assert [reading_of(library, s).order for s in SOURCES] == [1, 2, 3, 4]


@by_slug
def test_front_matter(library: Library, source: Source) -> None:
    reading, raw = reading_of(library, source), raw_parts(source)
    assert normalise(reading.title) == raw.title
    assert reading.subtitle == raw.subtitle
    assert reading.author == source.author
    assert reading.publisher == source.publisher
    assert reading.published == source.published
    assert reading.source is None, "no raw text gives the essay's own address"
    assert reading.notes, "notes must say what the conversion removed or changed"
    assert reading.aliases, "give members a short name to type"


@by_slug
def test_front_matter_facts_come_from_the_raw_text(source: Source) -> None:
    raw = raw_parts(source)
    furniture = " ".join(raw.removed_lines)
    if source.author is not None:
        assert source.author in furniture
    if source.publisher is not None:
        assert source.publisher in furniture
    if source.published is not None:
        day = source.published
        assert f"{day:%B} {day.day}, {day.year}" in furniture


@by_slug
def test_paragraph_count_matches_raw_blocks(library: Library, source: Source) -> None:
    assert len(reading_of(library, source).paragraphs) == len(raw_parts(source).paragraphs)


@by_slug
def test_paragraphs_are_the_raw_blocks_verbatim(library: Library, source: Source) -> None:
    reading, raw = reading_of(library, source), raw_parts(source)
    assert [p.text for p in reading.paragraphs] == raw.paragraphs


@by_slug
def test_every_reading_sentence_is_in_the_raw_text(library: Library, source: Source) -> None:
    reading, raw = reading_of(library, source), raw_parts(source)
    texts = [plain_text(p.text) for p in reading.paragraphs]
    texts += [plain_text(note.text) for note in reading.footnotes]
    added = [s for text in texts for s in sentences(text) if s not in raw.text]
    assert not added


@by_slug
def test_every_raw_sentence_is_in_the_reading(library: Library, source: Source) -> None:
    reading, raw = reading_of(library, source), raw_parts(source)
    shipped = normalise("\n".join(body_texts(reading)))
    lost = [s for line in raw.kept.split("\n") for s in sentences(line) if s not in shipped]
    assert not lost


@by_slug
def test_removed_text_is_not_in_the_reading(library: Library, source: Source) -> None:
    shipped = normalise("\n".join(body_texts(reading_of(library, source))))
    assert [cut for cut in source.removed if normalise(cut) in shipped] == []


@by_slug
def test_headings_are_sections(library: Library, source: Source) -> None:
    reading, raw = reading_of(library, source), raw_parts(source)
    assert [section.title for section in reading.sections] == raw.headings
    assert all(section.first <= section.last for section in reading.sections)


@by_slug
def test_every_glued_marker_is_declared(source: Source) -> None:
    page = (RAW / source.raw).read_text(encoding="utf-8")
    found = {m.group(1) for m in GLUED_MARKER_RE.finditer(page)}
    assert found == set(source.markers) | set(source.dropped_markers)
    assert not GLUED_MARKER_RE.search(raw_parts(source).kept)


@by_slug
def test_footnotes_resolve_to_the_raw_notes_in_order(library: Library, source: Source) -> None:
    reading, raw = reading_of(library, source), raw_parts(source)
    referenced = [label for p in reading.paragraphs for label in FOOTNOTE_REF_RE.findall(p.text)]
    assert [note.label for note in reading.footnotes] == referenced == list(source.markers)
    assert [note.text for note in reading.footnotes] == raw.notes


@by_slug
def test_notes_are_never_paragraphs(library: Library, source: Source) -> None:
    reading = reading_of(library, source)
    notes = {plain_text(note.text) for note in reading.footnotes}
    assert not [p.number for p in reading.paragraphs if p.text.startswith("[^")]
    assert not [p.number for p in reading.paragraphs if plain_text(p.text) in notes]
    assert all(p.section != "Notes" for p in reading.paragraphs)


@pytest.mark.parametrize("name", [s.raw for s in SOURCES])
def test_fixture_is_a_copy_of_the_shared_text(name: str) -> None:
    shared = SHARED_TEXTS / name
    if not shared.exists():
        pytest.skip(f"{shared} is not beside this checkout")
    assert (RAW / name).read_bytes() == shared.read_bytes()
