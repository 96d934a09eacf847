"""Real-world Markdown and plain-text files import as cleanly as the shipped essays (issue 11).

Each fixture in ``tests/fixtures/import/`` is imported, written as a reading and parsed back as
the bot would load it. The properties checked are those of an A import: title and author from
the file's own metadata, the source's structure as headings, notes as footnotes, no converter
syntax left in the text, and every sentence of the source body in the reading. What an import
may drop (a title page, a contents list, site furniture) is listed per fixture by source line.

``pandoc-mia.md`` is the output of ``pandoc -f html -t markdown`` (pandoc 2.17) on a page laid
out as the Marxists Internet Archive lays out its pages, ``pandoc-mia-gfm.md`` of ``-t gfm`` on
the same page (raw HTML left in); ``pandoc-epub-chapter.md`` the same on
a chapter and the endnotes of the Standard Ebooks EPUB of The Communist Manifesto (in
``shared/corpus``), cut short; ``pg-manifesto.txt`` is an excerpt of the Manifesto in Project
Gutenberg's form. The texts are public domain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bot.core.citations import resolve
from bot.core.importer import import_bytes, to_reading_markdown
from bot.core.readings import FOOTNOTE_REF_RE, Library, Reading, fold, parse_reading

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"
SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+")
# Converter syntax that must never reach a post or a search snippet.
# (``[\^`` is the reading format's own escape for a literal ``[^`` in the source.)
ARTEFACT_RE = re.compile(r"\{[#.]|\]\{|\\[^*_`^]|\\$|^:::|\[\]|!\[")


@dataclass(frozen=True)
class Fixture:
    name: str
    title: str
    author: str | None
    headings: tuple[tuple[int, str], ...]
    notes: int
    # Source lines an import drops on purpose (title page, contents, site links), by start.
    dropped: tuple[str, ...] = ()
    source_note: str | None = None


MIA = Fixture(
    name="pandoc-mia.md",
    title="Manifesto of the Communist Party",
    author="Karl Marx and Frederick Engels",
    headings=(
        (
            2,
            "IV. Position of the Communists in Relation to the Various Existing Opposition Parties",
        ),
    ),
    notes=1,
    dropped=(
        "[III. Socialist and Communist Literature](ch03.htm)",
        "Contents](index.htm)",
        "#### Notes",  # the notes are footnotes
    ),
    source_note="Written: Late 1847; First Published: February 1848;",
)
FIXTURES_ = (
    MIA,
    replace(MIA, name="pandoc-mia-gfm.md"),  # the same page, the same import
    Fixture(
        name="pandoc-epub-chapter.md",
        title="III. Socialist and Communist Literature",
        author=None,
        headings=(
            (2, "1. Reactionary Socialism"),
            (3, "(A) Feudal Socialism"),
            (3, "(B) Petty-Bourgeois Socialism"),
        ),
        notes=2,
        # The notes are footnotes, labelled by their ids (note-7), not the list's numbers.
        dropped=("## Endnotes", "1.  ::: {#note-7}", "2.  ::: {#note-8}"),
    ),
    Fixture(
        name="hand-essay.md",
        title="Bourgeois and Proletarians",
        author="Karl Marx and Frederick Engels",
        headings=((2, "The epochs of history"), (2, "Our epoch")),
        notes=2,
    ),
    Fixture(
        name="notes.md",
        title="Notes on Notes",
        author="Bea Writer",
        headings=((2, "A Part"), (3, "Setext Section")),
        notes=1,
        dropped=("<!--", "## A Chapter"),  # a comment; a heading with nothing under it
    ),
    Fixture(
        name="pg-manifesto.txt",
        title="The Communist Manifesto",
        author="Karl Marx and Friedrich Engels",
        headings=(
            (2, "I. BOURGEOIS AND PROLETARIANS"),
            (2, "III. SOCIALIST AND COMMUNIST LITERATURE"),
            (3, "1. REACTIONARY SOCIALISM"),
            (4, "A. Feudal Socialism"),
            (4, "B. Petty-Bourgeois Socialism"),
            (
                2,
                "IV. POSITION OF THE COMMUNISTS IN RELATION TO THE VARIOUS EXISTING OPPOSITION "
                "PARTIES",
            ),
        ),
        notes=6,
        dropped=(
            "Produced by",
            "MANIFESTO OF THE COMMUNIST PARTY",
            "By Karl Marx",
        ),
        source_note="From the English edition of 1888, edited by Frederick Engels",
    ),
    Fixture(
        name="pg-header.txt",
        title="The Tiny Treatise in Two Books",
        author="Ada Example",
        headings=(
            (2, "BOOK I. OF SMALL THINGS"),
            (3, "CHAPTER I. OF PEBBLES."),
            (3, "CHAPTER II. OF SAND."),
            (2, "BOOK II. OF LARGE THINGS"),
            (3, "CHAPTER I. OF MOUNTAINS."),
        ),
        notes=0,
        dropped=("Produced by", "THE TINY TREATISE", "By Ada", "CONTENTS", "BOOK I", "CHAPTER I"),
    ),
)
by_name = pytest.mark.parametrize("fixture", FIXTURES_, ids=lambda f: f.name)
NAMED = {f.name: f for f in FIXTURES_}


def imported(fixture: Fixture) -> Reading:
    text = import_bytes((FIXTURES / fixture.name).read_bytes(), fixture.name)
    return parse_reading(to_reading_markdown(text), "readings/imported.md")


def source_body(fixture: Fixture) -> str:
    """The source's text without front matter, Gutenberg header and licence, or dropped lines."""
    source = (FIXTURES / fixture.name).read_text(encoding="utf-8")
    if source.startswith("---\n"):
        source = source[source.index("\n---\n", 3) + 5 :]
    start = re.search(r"^\*\*\* START OF .*$", source, re.MULTILINE)
    if start:
        source = source[start.end() : source.index("End of the Project Gutenberg")]
    lines = source.split("\n")
    return "\n".join(line for line in lines if not line.strip().startswith(fixture.dropped or "\0"))


def words(text: str) -> str:
    """Text compared by its words: links, attributes, note markers and punctuation left out."""
    text = re.sub(r"<[^<>]*>", " ", text)
    text = re.sub(r"\]\([^()\s]*\)", "]", text)
    text = re.sub(r"\{[^{}]*\}", " ", text)
    text = re.sub(r"\[\\?\^?\w+\]|\\\[\d+\\\]", " ", text)
    return fold(text)


def reading_texts(reading: Reading) -> list[str]:
    """Everything a member can see of the reading."""
    return [
        reading.title,
        reading.author or "",
        *(s.title for s in reading.sections),
        *(p.text for p in reading.paragraphs),
        *(n.text for n in reading.footnotes),
    ]


@by_name
def test_title_and_author_come_from_the_file(fixture: Fixture) -> None:
    reading = imported(fixture)
    assert (reading.title, reading.author) == (fixture.title, fixture.author)


@by_name
def test_headings_are_the_sources_structure(fixture: Fixture) -> None:
    sections = imported(fixture).sections
    assert [(s.level, s.title) for s in sections] == list(fixture.headings)
    assert all(
        s.first <= s.last for s in sections if s.level == max(h[0] for h in fixture.headings)
    )


@by_name
def test_notes_are_footnotes_shown_with_the_paragraph_that_cites_them(fixture: Fixture) -> None:
    reading = imported(fixture)
    assert len(reading.footnotes) == fixture.notes
    labels = [n.label for n in reading.footnotes]
    assert len(set(labels)) == len(labels)
    cited = [label for p in reading.paragraphs for label in FOOTNOTE_REF_RE.findall(p.text)]
    assert set(cited) == set(labels), "every note is shown with a paragraph"
    for paragraph in reading.paragraphs:
        assert not re.search(r"\[\d{1,3}\]", paragraph.text), "a note marker left as text"
        assert not re.match(r"\[\d+\] ", paragraph.text), "a note left as a paragraph"


@by_name
def test_no_converter_syntax_reaches_the_text(fixture: Fixture) -> None:
    reading = imported(fixture)
    left = [t for t in reading_texts(reading) for line in t.split("\n") if ARTEFACT_RE.search(line)]
    assert left == []


@by_name
def test_every_sentence_of_the_source_body_is_in_the_reading(fixture: Fixture) -> None:
    reading = imported(fixture)
    shown = words(" ".join([*reading_texts(reading), reading.source_note or ""]))
    blocks = re.split(r"\n\s*\n", source_body(fixture))
    sentences = [words(s) for block in blocks for s in SENTENCE_END_RE.split(block)]
    assert [s for s in sentences if s not in shown] == []


@by_name
def test_dropped_lines_are_not_paragraphs(fixture: Fixture) -> None:
    reading = imported(fixture)
    assert not [p for p in reading.paragraphs if p.text.startswith(fixture.dropped or "\0")]


@pytest.mark.parametrize(
    ("fixture", "first"),
    [
        (NAMED["pandoc-mia.md"], "Section II has made clear"),
        (NAMED["pandoc-mia-gfm.md"], "Section II has made clear"),
        (NAMED["pg-manifesto.txt"], "A specter is haunting Europe"),
    ],
    ids=lambda f: getattr(f, "name", ""),
)
def test_source_details_go_to_the_front_matter_not_the_first_paragraph(
    fixture: Fixture, first: str
) -> None:
    reading = imported(fixture)
    assert fixture.source_note is not None and reading.source_note is not None
    assert fixture.source_note in reading.source_note
    assert reading.paragraphs[0].text.startswith(first)


def test_restarted_note_numbers_are_unique_and_cited_where_they_stand() -> None:
    reading = imported(NAMED["pg-manifesto.txt"])
    notes = reading.notes_for(
        [p for p in reading.paragraphs if p.text.startswith("Owing to their historical")]
    )
    assert [n.text for n in notes] == [
        "Not the English Restoration 1660 to 1689, but the French Restoration 1814 to 1830."
    ]


def test_hard_wrapped_text_without_blank_lines_splits_into_the_same_paragraphs() -> None:
    """The Gutenberg excerpt with the blank line between paragraphs and notes taken out."""
    source = (FIXTURES / "pg-manifesto.txt").read_text(encoding="utf-8")
    start, end = source.index("A specter"), source.index("End of the Project")
    packed = re.sub(r"(?<=\S)\n\n(?=\S)", "\n", source[start:end])
    assert "period [1] had become impossible.\n\nIn order" in source
    assert "\nIn order to arouse" in packed and "\n\nIn order to arouse" not in packed
    expected = import_bytes(source.encode(), "pg.txt")
    result = import_bytes((source[:start] + packed + source[end:]).encode(), "pg.txt")
    assert [(b.kind, b.text) for b in result.blocks] == [(b.kind, b.text) for b in expected.blocks]


@by_name
def test_every_note_is_citable_by_its_label(fixture: Fixture) -> None:
    reading = imported(fixture)
    library = Library((reading,))
    for note in reading.footnotes:
        assert resolve(library, f"imported n{note.label}").note == note
