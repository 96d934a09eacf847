"""Importer on pages saved from online archives and on EPUB endnotes (issue 11's "A import").

Each fixture in ``tests/fixtures/import`` marks its text with ``<!-- body -->`` and
``<!-- /body -->``; everything outside is the site's furniture. The grades these properties add
up to are in ``bench/IMPORT_GRADES.md``.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.citations import resolve
from bot.core.importer import ImportedText, import_bytes, to_reading_markdown
from bot.core.readings import Library, LibraryError, Reading, parse_reading, plain_text

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"
SENTENCE_END_RE = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][”’\")])\s+")


@dataclass(frozen=True)
class Page:
    file: str
    title: str
    author: str
    source_note: str | None
    licence: str | None
    notes: tuple[str, ...]  # the start of each note, in order
    furniture: tuple[str, ...]  # lines of the page that must not be in the reading


PAGES = [
    Page(
        "mia-three-sources.html",
        "The Three Sources and Three Component Parts of Marxism",
        "V. I. Lenin",
        "Written: March 1913; Published: Prosveshcheniye No. 3, March 1913. Signed: V. I..; "
        "Source: Lenin Collected Works, Progress Publishers, 1977, Moscow, Volume 19, "
        "pages 21-28.; Translated: George Hanna",
        "Public Domain: Lenin Internet Archive (2002). You may freely copy",
        ("The word “sect”", "Sectarianism here means"),
        (
            "MIA: Marxists",
            "Works Index | Volume 19",
            "backward",
            "Last updated on",
            "Transcription",
            "Cymbala",
            "Vladimir Ilyich Lenin",
        ),
    ),
    Page(
        "mia-capital-chapters.html",
        "Capital Vol. I - Chapters One and Two",
        "Karl Marx",
        None,
        None,
        ("Karl Marx, “Zur Kritik", "“Desire implies want", "In the 12th century"),
        (
            "Karl Marx. Capital Volume One",
            "Table of Contents | Capital Volume One",
            "Next: Chapter Three",
            "next",
            "return",
            "Economic Manuscripts",
        ),
    ),
    Page(
        "wikisource-manifesto.html",
        "Manifesto of the Communist Party (1888): Chapter 1",
        "Karl Marx and Friedrich Engels",
        "Translated: Samuel Moore",
        "This work was published before January 1, 1929, and is in the public domain",
        ("That is, all written history.", "Guild-master, that is"),
        (
            "From Wikisource",
            "edit",
            "Retrieved from",
            "Category",
            "Navigation menu",
            "Log in",
            "last edited",
            "Creative Commons",
            "← Preface",
            "↑",
        ),
    ),
    Page(
        "gutenberg-wage-labour.html",
        "Wage-Labour and Capital",
        "Karl Marx",
        "Translated: Harriet E. Lothrop",
        None,
        ("The articles appeared", "The sums are those"),
        (
            "Project Gutenberg",
            "Release Date",
            "Produced by",
            "BY KARL MARX",
            "FOOTNOTES",
            "28123-h.htm",
        ),
    ),
]
by_page = pytest.mark.parametrize("page", PAGES, ids=lambda p: p.file)


def imported(file: str) -> ImportedText:
    return import_bytes((FIXTURES / file).read_bytes(), file)


def reading(text: ImportedText, slug: str = "imported") -> Reading:
    return parse_reading(to_reading_markdown(text), f"readings/{slug}.md")


def visible_texts(parsed: Reading) -> list[str]:
    """Everything a member can read: title, headings, paragraphs and notes, as plain text."""
    return (
        [parsed.title]
        + [s.title for s in parsed.sections]
        + [plain_text(p.text) for p in parsed.paragraphs]
        + [plain_text(n.text) for n in parsed.footnotes]
    )


def source_sentences(markup: str) -> list[str]:
    """The sentences between ``<!-- body -->`` and ``<!-- /body -->``, markers taken off."""
    body = markup[markup.index("<!-- body -->") : markup.index("<!-- /body -->")]
    body = re.sub(r"<sup>\d+</sup>|<[^>]*>[\[(]\d+[\])]</a>", "", body)
    body = re.sub(r"(?m)^(<[^>]*>)*\s*\d+\.\s+", "", body)  # a note's printed number
    body = re.sub(r"(?i)</(?:p|h\d|li)>", "\n", body)  # a sentence never spans blocks
    text = html.unescape(re.sub(r"<[^>]*>", " ", body))
    text = re.sub(r"[ \t]*\[\d+\]|(?<=\S)\(\d+\)|\[\s*edit\s*\]|↑", " ", text)
    text = re.sub(r" +([.,;:”])", r"\1", text)
    blocks = [" ".join(block.split()) for block in text.split("\n")]
    blocks = [b for b in blocks if b.lower().rstrip(":") not in ("notes", "footnotes")]
    return [s for block in blocks for s in SENTENCE_END_RE.split(block) if s]


@by_page
def test_title_and_author_come_from_the_page(page: Page) -> None:
    parsed = reading(imported(page.file))
    assert (parsed.title, parsed.author) == (page.title, page.author)


@by_page
def test_source_lines_go_to_front_matter_and_the_licence_to_licence(page: Page) -> None:
    parsed = reading(imported(page.file))
    assert parsed.source_note == page.source_note
    assert (parsed.licence or "").startswith(page.licence or "")
    assert bool(parsed.licence) == bool(page.licence)
    for line in ("Written:", "Source:", "Published:", "Translated:", "Public Domain"):
        assert not any(line in text for text in visible_texts(parsed)[1:])


@by_page
def test_no_site_furniture_is_left(page: Page) -> None:
    parsed = reading(imported(page.file))
    texts = visible_texts(parsed)
    for line in page.furniture:
        left = [t for t in texts if re.search(rf"(?<!\w){re.escape(line)}(?!\w)", t)]
        assert left == [], f"{line!r} is still in the reading"


@by_page
def test_markers_become_footnotes_and_the_note_texts_leave_the_body(page: Page) -> None:
    parsed = reading(imported(page.file))
    assert [n.label for n in parsed.footnotes] == [str(i + 1) for i in range(len(page.notes))]
    for note, start in zip(parsed.footnotes, page.notes, strict=True):
        assert note.text.startswith(start)
        assert not any(start in plain_text(p.text) for p in parsed.paragraphs)
    # Each note is shown with the paragraph that cites it, and only there.
    cited = [n.label for p in parsed.paragraphs for n in parsed.notes_for([p])]
    assert cited == [n.label for n in parsed.footnotes]
    assert not any(re.search(r"\[\d+\]|\(\d\)|\d\.\d|\.\d ", p.text) for p in parsed.paragraphs)


@by_page
def test_every_sentence_of_the_source_body_is_in_the_reading(page: Page) -> None:
    parsed = reading(imported(page.file))
    shown = " ".join(" ".join(t.split()) for t in visible_texts(parsed))
    sentences = source_sentences((FIXTURES / page.file).read_text(encoding="utf-8"))
    assert len(sentences) > 5
    assert [s for s in sentences if s not in shown] == []


def test_a_note_is_citable_as_slug_n_and_restarted_numbers_stay_apart() -> None:
    parsed = reading(imported("mia-capital-chapters.html"), "capital")
    library = Library((parsed,))
    # Both chapters print a note "1"; the reading numbers them 1 and 3.
    assert resolve(library, "capital n3").note == parsed.footnotes[2]
    assert parsed.footnotes[2].text.startswith("In the 12th century")
    assert [n.label for n in parsed.notes_for(parsed.paragraphs[2:])] == ["3"]


BARE_PAGE = """<html><head><title>Lenin: What Is To Be Done?</title></head><body>
<h3>Vladimir Ilyich Lenin</h3>
<p>Written: 1901-1902</p>
<p>Boldness and convictions are needed.</p>
<h3>First Thoughts</h3>
<p>A section begins here.</p>
</body></html>"""


def test_without_metadata_the_title_loses_the_author_prefix_and_the_byline_is_the_author() -> None:
    text = import_bytes(BARE_PAGE.encode(), "what-is-to-be-done.html")
    assert (text.title, text.author, text.source_note) == (
        "What Is To Be Done?",
        "Vladimir Ilyich Lenin",
        "Written: 1901-1902",
    )
    assert [(b.kind, b.text) for b in text.blocks] == [
        ("paragraph", "Boldness and convictions are needed."),
        ("heading", "First Thoughts"),
        ("paragraph", "A section begins here."),
    ]


@pytest.mark.parametrize(
    "head",
    [
        '<meta name="title" content="The Mass Strike">'
        '<meta name="author" content="Rosa Luxemburg">',
        '<meta name="DC.Title" content="The Mass Strike">'
        '<meta name="DC.Creator" content="Rosa Luxemburg"><title>mass_strike.htm</title>',
    ],
)
def test_meta_title_and_author_win_over_the_file_name(head: str) -> None:
    markup = f"<html><head>{head}</head><body><p>The text.</p></body></html>"
    text = import_bytes(markup.encode(), "mass_strike.htm")
    assert (text.title, text.author) == ("The Mass Strike", "Rosa Luxemburg")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Capital: A Critique of Political Economy", "Capital: A Critique of Political Economy"),
        ("On Reading | The Example Review", "On Reading"),
        ("The State and Revolution - Marxists Internet Archive", "The State and Revolution"),
        ("Economic Manuscripts: Capital Vol. I - Chapter One", "Capital Vol. I - Chapter One"),
    ],
)
def test_title_element_loses_site_names_but_not_its_own_colon(title: str, expected: str) -> None:
    markup = f"<html><head><title>{title}</title></head><body><p>Text.</p></body></html>"
    assert import_bytes(markup.encode(), "page.html").title == expected


@pytest.mark.parametrize(
    "line",
    [
        "MIA: Marxists: Lenin: Works: Library",
        "Works Index | Volume 19 | Collected Works | L.I.A. Index",
        "< backward | forward >",
        "Next: VII. The Proletariat",
        "return",
        "← Preface Manifesto of the Communist Party",
        "Chapter 1: Bourgeois and Proletarians Chapter 2 →",
        'Retrieved from "https://en.wikisource.org/w/index.php?oldid=1"',
        "Last updated on: 17 April 2020",
        "Transcription/Markup: D. Walters",
        "HTML Markup by Brian Baggins",
        "Proofread: Andy Blunden, 2005",
    ],
)
def test_furniture_lines_without_classes_are_dropped(line: str) -> None:
    markup = f"<body><p>{line}</p><p>The text begins.</p><p>{line}</p></body>"
    text = import_bytes(markup.encode(), "page.html")
    assert [p.text for p in text.paragraphs] == ["The text begins."]


@pytest.mark.parametrize(
    "line",
    [
        "Source: the author's notes are quoted below.",  # a line of the text, not furniture
        "Next, we turn to the question of the state.",
        "Marx wrote: history repeats itself: first as tragedy.",
        "Part One: The Beginning: 1900",  # a breadcrumb's shape, but inside the text
        "Part One: The Beginning",
        "Copyright: " + "the word was new then, and the printers' guild fought it " * 6,
    ],
)
def test_text_that_only_resembles_furniture_stays(line: str) -> None:
    markup = f"<body><p>The text begins.</p><p>{line} It goes on for a while.</p></body>"
    assert import_bytes(markup.encode(), "page.html").paragraphs[1].text.startswith(line)


def test_a_first_paragraph_starting_with_by_is_not_a_byline() -> None:
    markup = "<body><h1>Strikes</h1><p>By 1913 the workers had struck again.</p></body>"
    text = import_bytes(markup.encode(), "page.html")
    assert (text.author, [p.text for p in text.paragraphs]) == (
        None,
        ["By 1913 the workers had struck again."],
    )


# --------------------------------------------------------------------------- EPUB endnotes

OPF = """<?xml version="1.0"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata
 xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Two Speeches</dc:title>
<dc:creator>Rosa Luxemburg</dc:creator></metadata>
<manifest><item id="c1" href="ch1.xhtml" media-type="application/xhtml+xml"/>
<item id="c2" href="ch2.xhtml" media-type="application/xhtml+xml"/>
<item id="n" href="notes.xhtml" media-type="application/xhtml+xml"/></manifest>
<spine><itemref idref="c1"/><itemref idref="c2"/><itemref idref="n"/></spine></package>"""
CONTAINER = """<?xml version="1.0"?>
<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0"><rootfiles>
<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
</rootfiles></container>"""


def chapter(number: int, title: str, sentences: list[str]) -> str:
    """A chapter whose note numbers restart at 1, linking into notes.xhtml (no epub:type)."""
    paragraphs = "".join(
        f'<p>{s}<a id="c{number}r{i}" href="notes.xhtml#c{number}n{i}"><sup>{i}</sup></a></p>'
        for i, s in enumerate(sentences, start=1)
    )
    return f"<html><body><h2>{title}</h2>{paragraphs}</body></html>"


NOTES = """<html><body><h2>Notes</h2><h3>Chapter 1</h3>
<p id="c1n1"><a href="ch1.xhtml#c1r1">1</a>. First note of chapter one.</p>
<p id="c1n2"><a href="ch1.xhtml#c1r2">2</a>. Second note of chapter one.</p>
<h3>Chapter 2</h3>
<p id="c2n1"><a href="ch2.xhtml#c2r1">1</a>. First note of chapter two.</p></body></html>"""


def endnotes_epub() -> bytes:
    files = {
        "mimetype": "application/epub+zip",
        "META-INF/container.xml": CONTAINER,
        "OEBPS/content.opf": OPF,
        "OEBPS/ch1.xhtml": chapter(1, "Speech One", ["The war is here.", "It is not ours."]),
        "OEBPS/ch2.xhtml": chapter(2, "Speech Two", ["The workers refuse."]),
        "OEBPS/notes.xhtml": NOTES,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return buffer.getvalue()


def test_epub_noteref_links_into_an_endnotes_file_become_footnotes() -> None:
    text = import_bytes(endnotes_epub(), "speeches.epub")
    assert [(b.kind, b.text) for b in text.blocks] == [
        ("heading", "Speech One"),
        ("paragraph", "The war is here.[^1]"),
        ("paragraph", "It is not ours.[^2]"),
        ("heading", "Speech Two"),
        ("paragraph", "The workers refuse.[^3]"),
        ("note", "First note of chapter one."),
        ("note", "Second note of chapter one."),
        ("note", "First note of chapter two."),
    ]
    parsed = reading(text, "speeches")
    assert resolve(Library((parsed,)), "speeches n3").note == parsed.footnotes[2]


def test_superscripts_that_are_not_markers_stay_as_printed() -> None:
    markup = """<body><p>An area of 5 m<sup>2</sup>.<a href="#n1">[1]</a></p>
    <h3>Notes</h3><p id="n1">[1] Or 5 m<sup>2</sup> and more.</p></body>"""
    text = import_bytes(markup.encode(), "page.html")
    assert [(b.kind, b.text) for b in text.blocks] == [
        ("paragraph", "An area of 5 m2.[^1]"),
        ("note", "Or 5 m2 and more."),
    ]


def test_a_contents_list_of_numbered_links_makes_no_notes() -> None:
    markup = """<body><ul><li><a href="#c1">1</a></li><li><a href="#c2">2</a></li></ul>
    <div id="c1"><h2>One</h2><p>The first chapter.</p></div>
    <div id="c2"><h2>Two</h2><p>The second chapter.</p></div></body>"""
    text = import_bytes(markup.encode(), "book.html")
    assert [(b.kind, b.text) for b in text.blocks] == [
        ("heading", "One"),
        ("paragraph", "The first chapter."),
        ("heading", "Two"),
        ("paragraph", "The second chapter."),
    ]


def test_source_note_must_be_text() -> None:
    with pytest.raises(LibraryError) as error:
        parse_reading("---\ntitle: T\nsource_note: [a, b]\n---\nText.\n", "readings/t.md")
    assert str(error.value) == "readings/t.md:3: source_note: must be text, not list"
