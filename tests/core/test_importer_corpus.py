"""Importer on the real books in ../shared/corpus (facts from its SOURCES.md).

Each book is imported and parsed once per session; the whole file takes a few seconds.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from bot.core.importer import ImportedText, import_bytes, suggest_slug, to_reading_markdown
from bot.core.readings import FOOTNOTE_REF_RE, Reading, parse_reading

CORPUS = Path(__file__).parents[3] / "shared" / "corpus"

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the corpus folder {CORPUS} is absent (it lives beside the repo)"
)

WAR_AND_PEACE = "war-and-peace.tolstoy.pg2600-0.txt"
WEALTH = "wealth-of-nations.smith.pg3300.txt"
MOBY_TXT = "moby-dick.melville.pg2701-0.txt"
LEVIATHAN = "leviathan.hobbes.pg3207.txt"
CAPITAL = "capital-vol1.marx.marxists-org.txt"
MOBY_EPUB = "moby-dick.melville.idpf-epub3-sample.epub"
MANIFESTO = "communist-manifesto.marx-engels.standardebooks.epub"
PRIDE = "pride-and-prejudice.austen.pg1342-gluejar.epub"
BOOKS = [WAR_AND_PEACE, WEALTH, MOBY_TXT, LEVIATHAN, CAPITAL, MOBY_EPUB, MANIFESTO, PRIDE]


@cache
def imported(name: str) -> ImportedText:
    return import_bytes((CORPUS / name).read_bytes(), name)


@cache
def parsed(name: str) -> Reading:
    text = imported(name)
    slug = suggest_slug(text.title or Path(name).stem)
    return parse_reading(to_reading_markdown(text), f"readings/{slug}.md")


def words(text: ImportedText) -> int:
    return sum(len(FOOTNOTE_REF_RE.sub("", b.text).split()) for b in text.blocks)


def test_every_book_in_the_corpus_is_covered() -> None:
    found = sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".txt", ".epub"))
    assert found == sorted(BOOKS)


@pytest.mark.parametrize("name", BOOKS)
def test_book_imports_and_parses_as_a_reading(name: str) -> None:
    reading = parsed(name)
    text = imported(name)
    assert len(reading.paragraphs) == len(text.paragraphs) > 100
    assert len(reading.footnotes) == len(text.notes)
    assert text.warnings == ()


METADATA = {
    WAR_AND_PEACE: ("War and Peace", "Leo Tolstoy", "https://www.gutenberg.org/ebooks/2600"),
    WEALTH: (
        "An Inquiry into the Nature and Causes of the Wealth of Nations",
        "Adam Smith",
        "https://www.gutenberg.org/ebooks/3300",
    ),
    MOBY_TXT: (
        "Moby Dick; or The Whale",
        "Herman Melville",
        "https://www.gutenberg.org/ebooks/2701",
    ),
    LEVIATHAN: ("Leviathan", "Thomas Hobbes", "https://www.gutenberg.org/ebooks/3207"),
    CAPITAL: (None, None, None),  # no title page, as SOURCES.md says
    MOBY_EPUB: ("Moby-Dick", "Herman Melville", None),
    MANIFESTO: (
        "The Communist Manifesto",
        "Karl Marx and Friedrich Engels",
        "https://standardebooks.org/ebooks/karl-marx_friedrich-engels/the-communist-manifesto/"
        "samuel-moore",
    ),
    PRIDE: ("Pride and Prejudice", "Jane Austen", "http://www.gutenberg.org/ebooks/1342"),
}


@pytest.mark.parametrize(("name", "expected"), METADATA.items(), ids=METADATA.keys())
def test_title_author_and_source_come_from_the_file(
    name: str, expected: tuple[str | None, str | None, str | None]
) -> None:
    text = imported(name)
    assert (text.title, text.author, text.source) == expected


# Chapter headings per book: SOURCES.md gives 365 (War and Peace), 135 (Moby Dick, both
# files), 32 (Wealth of Nations), 47 (Leviathan), chapters 1-33 (Capital) and 1-4 (the
# Manifesto); Pride and Prejudice has 61 chapters.
CHAPTERS = {
    WAR_AND_PEACE: (r"CHAPTER [IVXL]+$", 365),
    MOBY_TXT: (r"CHAPTER \d+\. ", 135),
    MOBY_EPUB: (r"Chapter \d+\. ", 135),
    WEALTH: (r"CHAPTER [IVX]+\. ", 32),
    LEVIATHAN: (r"CHAPTER [IVXL]+\b", 47),
    CAPITAL: (r"Chapter ([A-Z][a-z]+(-[A-Z][a-z]+)?|\d+): ", 33),
    MANIFESTO: (r"[IV]+: ", 4),
    PRIDE: (r"Chapter \d+$", 61),
}


@pytest.mark.parametrize(("name", "rule"), CHAPTERS.items(), ids=CHAPTERS.keys())
def test_chapter_headings_match_the_book(name: str, rule: tuple[str, int]) -> None:
    pattern, count = rule
    chapters = [s for s in parsed(name).sections if re.match(pattern, s.title)]
    assert len(chapters) == count
    assert len({s.level for s in chapters}) == 1  # every chapter at the same level


def test_war_and_peace_books_and_epilogues_hold_the_chapters() -> None:
    levels = {}
    for section in parsed(WAR_AND_PEACE).sections:
        kind = section.title.split()[0] if section.title.startswith("CHAPTER") else "BOOK"
        levels.setdefault(kind, set()).add(section.level)
    assert levels == {"BOOK": {2}, "CHAPTER": {3}}
    tops = [s.title for s in parsed(WAR_AND_PEACE).sections if s.level == 2]
    assert tops[0] == "BOOK ONE: 1805"
    assert tops[-2:] == ["FIRST EPILOGUE: 1813 - 20", "SECOND EPILOGUE"]
    assert len(tops) == 17  # fifteen books and two epilogues


# Where the text starts: the first heading of the import, and the paragraph after the first
# chapter heading.
STARTS = {
    WAR_AND_PEACE: ("BOOK ONE: 1805", "“Well, Prince, so Genoa and Lucca are now just family"),
    WEALTH: (
        "INTRODUCTION AND PLAN OF THE WORK.",
        "The greatest improvements in the productive powers",
    ),
    MOBY_TXT: (None, "Call me Ishmael. Some years ago—never mind how long precisely"),
    MOBY_EPUB: ("ETYMOLOGY.", "Call me Ishmael. Some years ago—never mind how long precisely"),
    LEVIATHAN: (
        "TRANSCRIBER'S NOTES ON THE E-TEXT:",
        "Concerning the Thoughts of man, I will consider",
    ),
    CAPITAL: (
        "Part I: Commodities and Money",
        "The wealth of those societies in which the capitalist",
    ),
    MANIFESTO: ("Preface", "The history of all hitherto existing society[^"),
    PRIDE: ("Chapter 1", "It is a truth universally acknowledged, that a single man"),
}


@pytest.mark.parametrize(("name", "start"), STARTS.items(), ids=STARTS.keys())
def test_the_text_starts_where_the_book_does(name: str, start: tuple[str | None, str]) -> None:
    first_heading, first_words = start
    reading = parsed(name)
    if first_heading is not None:
        first = min(reading.sections, key=lambda s: s.line)
        assert first.title == first_heading
        assert first.first == 1  # nothing before the first heading
    chapter = next(
        s
        for s in sorted(reading.sections, key=lambda s: s.line)
        if re.match(r"(?i)chapter|[IV]+:", s.title)
    )
    assert reading.paragraph(chapter.first).text.startswith(first_words)


FIRST_PARAGRAPHS = {
    WAR_AND_PEACE: "“Well, Prince, so Genoa and Lucca are now just family",
    WEALTH: "The annual labour of every nation is the fund which originally",
    CAPITAL: "The wealth of those societies in which the capitalist mode",
    MANIFESTO: "The *Manifesto* was published as the platform of the “Communist League,”",
    PRIDE: "It is a truth universally acknowledged",
}


@pytest.mark.parametrize(("name", "words"), FIRST_PARAGRAPHS.items(), ids=FIRST_PARAGRAPHS.keys())
def test_no_title_page_or_contents_before_the_first_paragraph(name: str, words: str) -> None:
    assert parsed(name).paragraph(1).text.startswith(words)


LICENCE = (
    "project gutenberg-tm",
    "project gutenberg literary archive",
    "of this project gutenberg",
    "of the project gutenberg ebook",
    "this ebook is for the use of anyone",
    "full license",
    "uncopyright",
    "standard ebooks",
)


@pytest.mark.parametrize("name", BOOKS)
def test_no_licence_or_producer_text_in_the_body(name: str) -> None:
    text = imported(name)
    found = [
        (phrase, b.text[:80]) for b in text.blocks for phrase in LICENCE if phrase in b.text.lower()
    ]
    assert found == []


def _body_words(name: str) -> int:
    """Words between the Gutenberg START and END lines (the whole file when there are none)."""
    raw = (CORPUS / name).read_text(encoding="utf-8-sig")
    start = re.search(r"^\s*\*\*\* ?START OF.*$", raw, re.MULTILINE)
    end = re.search(r"^\s*\*\*\* ?END OF.*$", raw, re.MULTILINE)
    return len(raw[start.end() if start else 0 : end.start() if end else len(raw)].split())


@pytest.mark.parametrize("name", [WAR_AND_PEACE, WEALTH, MOBY_TXT, LEVIATHAN, CAPITAL])
def test_text_word_count_is_within_two_percent_of_the_body(name: str) -> None:
    expected = _body_words(name)
    assert abs(words(imported(name)) - expected) <= 0.02 * expected


# Spine word counts from SOURCES.md; they include the title page, colophon, licence and other
# matter the importer skips, hence the wider margin.
SPINE_WORDS = {MANIFESTO: 14_417, MOBY_EPUB: 212_893, PRIDE: 124_792}


@pytest.mark.parametrize(("name", "spine"), SPINE_WORDS.items(), ids=SPINE_WORDS.keys())
def test_epub_word_count_is_close_to_its_spine(name: str, spine: int) -> None:
    assert 0.93 * spine <= words(imported(name)) <= spine


def test_moby_dick_txt_and_epub_agree() -> None:
    txt, epub = imported(MOBY_TXT), imported(MOBY_EPUB)
    assert abs(words(txt) - words(epub)) <= 0.01 * words(txt)


# War and Peace: 66 indented translator's notes (SOURCES.md) and more set flush later on. The
# Manifesto: Engels' 10 endnotes, one referenced from a chapter title (headings carry no
# markers). Capital: 1,089 "[n]" markers, of which one is a year ("Aikin [1795]"), one sits in a
# heading and four have no note in their chapter's notes section (lost in the scrape).
NOTES = {WAR_AND_PEACE: (66, 66), MANIFESTO: (10, 9), CAPITAL: (1083, 1083)}


@pytest.mark.parametrize(("name", "counts"), NOTES.items(), ids=NOTES.keys())
def test_notes_become_footnotes_that_are_referenced(name: str, counts: tuple[int, int]) -> None:
    notes, references = counts
    reading = parsed(name)
    referenced = {label for p in reading.paragraphs for label in FOOTNOTE_REF_RE.findall(p.text)}
    assert len(reading.footnotes) >= notes
    assert len(referenced) >= references
    assert referenced <= {n.label for n in reading.footnotes}
