"""Importer: crafted files for each behaviour (the real books are in test_importer_corpus.py)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from bot.core.errors import ReadingGroupError
from bot.core.importer import (
    Block,
    ImportedText,
    ImportFailed,
    import_bytes,
    suggest_slug,
    to_reading_markdown,
)
from bot.core.readings import Reading, parse_reading

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"


def tree(name: str) -> dict[str, bytes]:
    """The files of an EPUB fixture folder, by their path inside the zip."""
    root = FIXTURES / name
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def epub(files: dict[str, bytes]) -> bytes:
    """Zip files as an EPUB: ``mimetype`` first and stored, as the format requires."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if "mimetype" in files:
            archive.writestr("mimetype", files["mimetype"], compress_type=zipfile.ZIP_STORED)
        for path, data in sorted(files.items()):
            if path != "mimetype":
                archive.writestr(path, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def reading(text: ImportedText, **overrides: str) -> Reading:
    """The import written as a reading file and parsed back, as the bot would load it."""
    return parse_reading(to_reading_markdown(text, **overrides), "readings/imported.md")


def shape(text: ImportedText) -> list[tuple[str, int, str]]:
    return [(b.kind, b.level, b.text) for b in text.blocks]


def txt(body: str) -> ImportedText:
    return import_bytes(body.encode("utf-8"), "book.txt")


# --------------------------------------------------------------------------- plain text


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_text_byte_order_mark_and_line_ends_are_normalised(newline: str, bom: bytes) -> None:
    body = "CHAPTER I.\n\nFirst line of a\nwrapped paragraph.\n\nSecond paragraph.\n"
    result = import_bytes(bom + body.replace("\n", newline).encode("utf-8"), "book.txt")
    assert shape(result) == [
        ("heading", 2, "CHAPTER I."),
        ("paragraph", 0, "First line of a wrapped paragraph."),
        ("paragraph", 0, "Second paragraph."),
    ]


def test_text_crlf_bom_gutenberg_file_imports_like_the_lf_original() -> None:
    original = (FIXTURES / "pg-header.txt").read_bytes()
    crlf = b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n")
    assert shape(import_bytes(crlf, "pg.txt")) == shape(import_bytes(original, "pg.txt"))


@pytest.mark.parametrize(
    ("separator", "indent"),
    [("", ""), ("    ", "      "), ("\t", "  "), ("   \t ", "")],
    ids=["blank", "four-spaces", "tab", "mixed"],
)
def test_text_whitespace_only_lines_separate_paragraphs(separator: str, indent: str) -> None:
    body = (
        f"{indent}The annual labour of every nation is\n{indent}the fund.\n{separator}\n"
        f"{indent}According, therefore, as this produce\n{indent}bears a proportion.\n"
    )
    assert [p.text for p in txt(body).paragraphs] == [
        "The annual labour of every nation is the fund.",
        "According, therefore, as this produce bears a proportion.",
    ]


def test_text_columns_keep_their_line_breaks() -> None:
    body = (
        "Prices were:\n\n  1762      1  19    0\n  1763      2   0    9\n  1764      2   6    9\n"
    )
    assert txt(body).paragraphs[1].text == "1762 1 19 0\n1763 2 0 9\n1764 2 6 9"


GUTENBERG = """The Project Gutenberg eBook of A Book

Title: A Book
    With a Long Title

Author: Some One

Release date: June 1, 2002 [eBook #{number}]

Language: French

*** START OF {which} PROJECT GUTENBERG EBOOK A BOOK ***

Produced by Volunteers



A BOOK

by Some One



CHAPTER I.

The first paragraph of the real text.

End of the Project Gutenberg EBook of A Book

*** END OF {which} PROJECT GUTENBERG EBOOK A BOOK ***

Section 1. General Terms of Use and Redistributing Project Gutenberg-tm
electronic works, the licence text.
"""


@pytest.mark.parametrize("which", ["THIS", "THE"])
@pytest.mark.parametrize("indent", ["", "            "])
def test_text_gutenberg_header_and_licence_are_removed(which: str, indent: str) -> None:
    body = GUTENBERG.format(which=which, number=3300).replace("*** ", indent + "*** ")
    result = txt(body)
    assert (result.title, result.author, result.language) == (
        "A Book With a Long Title",
        "Some One",
        "French",
    )
    assert result.source == "https://www.gutenberg.org/ebooks/3300"
    assert shape(result) == [
        ("heading", 2, "CHAPTER I."),
        ("paragraph", 0, "The first paragraph of the real text."),
    ]
    assert result.changes[0] == "removed the Project Gutenberg header and licence"
    assert result.warnings == ()


def test_text_gutenberg_without_end_marker_keeps_the_rest_and_warns() -> None:
    body = GUTENBERG.format(which="THIS", number=1).split("End of the Project")[0]
    result = txt(body + "\n\nA last paragraph.\n")
    assert result.paragraphs[-1].text == "A last paragraph."
    assert "END marker is missing" in result.warnings[0]


def test_text_gutenberg_fixture_title_page_and_contents_are_dropped() -> None:
    result = import_bytes((FIXTURES / "pg-header.txt").read_bytes(), "pg-header.txt")
    assert [(b.level, b.text) for b in result.headings] == [
        (2, "BOOK I. OF SMALL THINGS"),
        (3, "CHAPTER I. OF PEBBLES."),
        (3, "CHAPTER II. OF SAND."),
        (2, "BOOK II. OF LARGE THINGS"),
        (3, "CHAPTER I. OF MOUNTAINS."),
    ]
    assert result.paragraphs[0].text.startswith("A pebble is a small stone")
    assert result.paragraphs[1].text == (
        "Pebbles are indented here, and separated by a line of spaces, as in some old "
        "transcriptions."
    )
    text = " ".join(b.text for b in result.blocks)
    for gone in ("Produced by", "By Ada Example", "CONTENTS", "OF PEBBLES\n", "Gutenberg"):
        assert gone not in text
    assert "dropped the table of contents (5 entries)" in result.changes


CONTENTS_LAYOUTS = {
    "indented entries, wide gap": (
        "    CONTENTS\n\n    CHAPTER I\n\n    CHAPTER II\n\n\n\n\n\nCHAPTER I\n\n"
        "The first words of the first chapter are here, and they run on for long enough to "
        "read as prose rather than as another entry.\n\nCHAPTER II\n\nMore.\n"
    ),
    "entries on consecutive lines": (
        "Contents\n\n\n INTRODUCTION.\n CHAPTER I. OF THE DIVISION OF LABOUR.\n"
        " CHAPTER II. OF THE PRINCIPLE.\n\n\n\nINTRODUCTION.\n\n\n"
        "The first words of the first chapter are here, and they run on for long enough to "
        "read as prose rather than as another entry.\n\nCHAPTER I.\n\nMore.\n"
    ),
    "same gaps everywhere": (
        "TABLE OF CONTENTS\n\nCHAPTER I\n\nCHAPTER II\n\nCHAPTER I\n\n"
        "The first words of the first chapter are here, and they run on for long enough to "
        "read as prose rather than as another entry.\n\nCHAPTER II\n\nMore.\n"
    ),
}


@pytest.mark.parametrize("body", CONTENTS_LAYOUTS.values(), ids=CONTENTS_LAYOUTS.keys())
def test_text_contents_list_is_dropped_up_to_the_first_heading(body: str) -> None:
    result = txt(body)
    first = result.blocks[0]
    assert first.kind == "heading"
    assert first.text in ("CHAPTER I", "INTRODUCTION.")
    assert result.paragraphs[0].text.startswith("The first words of the first chapter")
    assert len(result.headings) == 2
    assert not any("contents" in b.text.lower() for b in result.blocks)


HEADINGS = {
    "chapter with title on next line": (
        "\n\nCHAPTER I.\nOF THE DIVISION OF LABOUR.\n\nText.\n",
        [(2, "CHAPTER I. OF THE DIVISION OF LABOUR.")],
    ),
    "title after a blank line": (
        "\n\nCHAPTER II.\n\nOF SAND.\n\nText.\n",
        [(2, "CHAPTER II. OF SAND.")],
    ),
    "numbered with title": (
        "\n\nCHAPTER 1. Loomings.\n\nCall me Ishmael.\n",
        [(2, "CHAPTER 1. Loomings.")],
    ),
    "book and chapters": (
        "BOOK ONE: 1805\n\n\n\nCHAPTER I\n\nText.\n\n\n\nCHAPTER II\n\nText.\n\n\n\n"
        "BOOK TWO: 1805\n\n\n\nCHAPTER I\n\nText.\n\n\n\nFIRST EPILOGUE: 1813 - 20\n\n\n\n"
        "CHAPTER I\n\nText.\n",
        [
            (2, "BOOK ONE: 1805"),
            (3, "CHAPTER I"),
            (3, "CHAPTER II"),
            (2, "BOOK TWO: 1805"),
            (3, "CHAPTER I"),
            (2, "FIRST EPILOGUE: 1813 - 20"),
            (3, "CHAPTER I"),
        ],
    ),
    "part, chapter and section": (
        "Part I: Commodities and Money\n\nChapter One: Commodities\n\nSECTION 1\n\n"
        "THE TWO FACTORS OF A COMMODITY:\nUSE-VALUE AND VALUE\n\nText.\n\nSECTION 2\n\n"
        "THE TWO-FOLD CHARACTER\n\nText.\n\nChapter Two: Exchange\n\nText.\n\n"
        "Part II: The Transformation\n\nChapter Three: Money\n\nText.\n",
        [
            (2, "Part I: Commodities and Money"),
            (3, "Chapter One: Commodities"),
            (4, "SECTION 1: THE TWO FACTORS OF A COMMODITY: USE-VALUE AND VALUE"),
            (4, "SECTION 2: THE TWO-FOLD CHARACTER"),
            (3, "Chapter Two: Exchange"),
            (2, "Part II: The Transformation"),
            (3, "Chapter Three: Money"),
        ],
    ),
    "title wrapped over blank lines": (
        "\n\nCHAPTER XIII. OF THE NATURALL CONDITION OF MANKIND,\n\nAS CONCERNING THEIR "
        "FELICITY, AND MISERY\n\n\nNature hath made men so equall.\n",
        [
            (
                2,
                "CHAPTER XIII. OF THE NATURALL CONDITION OF MANKIND, "
                "AS CONCERNING THEIR FELICITY, AND MISERY",
            )
        ],
    ),
    "ordinal part and capitals heading": (
        "\n\n\nTHE INTRODUCTION\n\n\nNature, the art.\n\n\n\nTHE FIRST PART\n\n\n"
        "CHAPTER I. OF SENSE\n\nText.\n\n\n\nCHAPTER II. OF IMAGINATION\n\nText.\n\n\n\n"
        "THE SECOND PART\n\n\nCHAPTER III. OF SPEECH\n\nText.\n",
        [
            (2, "THE INTRODUCTION"),
            (2, "THE FIRST PART"),
            (3, "CHAPTER I. OF SENSE"),
            (3, "CHAPTER II. OF IMAGINATION"),
            (2, "THE SECOND PART"),
            (3, "CHAPTER III. OF SPEECH"),
        ],
    ),
    "indented headings inside chapters": (
        "BOOK I.\nOF LABOUR.\n\n\nCHAPTER I.\nOF WAGES.\n\n\n    \n      PART I.—Of the first "
        "kind.\n    \n      Text.\n    \n\n\nCHAPTER II.\nOF RENT.\n\n\n    \n      PART I.—Of "
        "land.\n    \n      Text.\n    \n\n\n    \n      CONCLUSION.\n    \n      Text.\n",
        [
            (2, "BOOK I. OF LABOUR."),
            (3, "CHAPTER I. OF WAGES."),
            (4, "PART I.—Of the first kind."),
            (3, "CHAPTER II. OF RENT."),
            (4, "PART I.—Of land."),
            (4, "CONCLUSION."),
        ],
    ),
    "books inside one chapter": (
        "\n\nCHAPTER I. ONE\n\nText.\n\n\n\nCHAPTER II. TWO\n\nText.\n\n\n\nThe First Book\n\n"
        "Text.\n\n\n\nThe Second Book\n\nText.\n\n\n\nCHAPTER III. THREE\n\nText.\n",
        [
            (2, "CHAPTER I. ONE"),
            (2, "CHAPTER II. TWO"),
            (3, "The First Book"),
            (3, "The Second Book"),
            (2, "CHAPTER III. THREE"),
        ],
    ),
    "epilogue line with title": (
        "\n\nCHAPTER 1. Loomings.\n\nText.\n\n\n\nCHAPTER 2. The Carpet-Bag.\n\nText.\n\n\n\n"
        "Epilogue “AND I ONLY AM ESCAPED ALONE TO TELL THEE” Job.\n\nThe drama’s done.\n",
        [
            (2, "CHAPTER 1. Loomings."),
            (2, "CHAPTER 2. The Carpet-Bag."),
            (2, "Epilogue “AND I ONLY AM ESCAPED ALONE TO TELL THEE” Job."),
        ],
    ),
    "long title wrapped onto the next line": (
        "\n\nCHAPTER 120. The Deck Towards the End of the First Night Watch. Ahab\nstanding by "
        "the helm. Starbuck approaching him.\n\n“We must send down the main-top-sail yard.”\n",
        [
            (
                2,
                "CHAPTER 120. The Deck Towards the End of the First Night Watch. Ahab standing by "
                "the helm. Starbuck approaching him.",
            )
        ],
    ),
    "dash mangled by a wrong encoding": (
        "\n\n\n      Part Iâ€\u201dOf the Unreasonableness of those Restraints.\n\n      Text.\n",
        [(2, "Part Iâ€\u201dOf the Unreasonableness of those Restraints.")],
    ),
    "empty heading at the end is dropped": (
        "\n\nCHAPTER I.\n\nText.\n\n\n\nTHE END\n",
        [(2, "CHAPTER I.")],
    ),
}


@pytest.mark.parametrize(("body", "expected"), HEADINGS.values(), ids=HEADINGS.keys())
def test_text_headings_are_detected_merged_and_levelled(
    body: str, expected: list[tuple[int, str]]
) -> None:
    assert [(b.level, b.text) for b in txt(body).headings] == expected


NOT_HEADINGS = {
    "signature under a letter": "I embrace you.\n\nJULIE\n\nP.S. Write soon.\n",
    "proclamation": "Text.\n\n\n\nINHABITANTS OF MOSCOW!\n\nYour misfortunes are cruel.\n",
    "chapter in a sentence": "Chapter 3 tells us how the story ends.\n\nMore text.\n",
    "part of a sentence": "Part of the town was burning.\n\nMore text.\n",
    "chapter number starting prose": (
        "BOOK III. (Duodecimo), CHAPTER 1. (Huzza Porpoise).—This is the\ncommon porpoise "
        "found almost all over the globe. The name is of my own\nbestowal; for there are more "
        "than one sort of porpoises, and something\nmust be done to distinguish them.\n"
    ),
    "capitals inside a paragraph": "He wrote:\nTHE END OF ALL THINGS\nand left.\n",
    "capitals ending a hard-wrapped paragraph": (  # Leviathan, end of chapter XXXI's preface
        "Obedience, in all things, wherein their obedience is not repugnant\n"
        "to the Lawes of God, I have sufficiently proved, in that which I have\n"
        "already written. There wants onely, for the entire knowledge of Civill\n"
        "duty, to know what are those Lawes of God. For without that, a man knows\n"
        "not, when he is commanded any thing by the Civill Power, whether it be\n"
        "contrary to the Law of God, or not: and so, either by too much civill\n"
        "obedience, offends the Divine Majesty, or through feare of offending\n"
        "God, transgresses the commandements of the Common-wealth. To avoyd both\n"
        "these Rocks, it is necessary to know what are the Lawes Divine. And\n"
        "seeing the knowledge of all Law, dependeth on the knowledge of the\n"
        "Soveraign Power; I shall say something in that which followeth, of the\n"
        "KINGDOME OF GOD.\n"
    ),
}


@pytest.mark.parametrize("body", NOT_HEADINGS.values(), ids=NOT_HEADINGS.keys())
def test_text_lines_that_are_not_headings_stay_text(body: str) -> None:
    result = txt(body)
    assert result.headings == ()
    assert " ".join(p.text for p in result.paragraphs).split() == body.split()


def test_text_translators_star_notes_become_footnotes() -> None:
    body = (
        "Anna Pávlovna, la femme la plus séduisante, * was there. “Cela nous convient.*(2) "
        "Suvórov knew,” *(3) he said.\n\n"
        "     * The most fascinating woman.\n\n"
        "     *(2) That suits us.\n\n"
        "    * (3) Hollow\n     words.\n\n"
        "Next paragraph.\n\n"
        "WHALE. * * * Sw. and Dan. hval.\n"
    )
    result = txt(body)
    assert [(n.label, n.text) for n in result.notes] == [
        ("1", "The most fascinating woman."),
        ("2", "That suits us."),
        ("3", "Hollow words."),
    ]
    assert result.paragraphs[0].text == (
        "Anna Pávlovna, la femme la plus séduisante,[^1] was there. “Cela nous convient.[^2] "
        "Suvórov knew,”[^3] he said."
    )
    parsed = reading(result)
    assert [p.text for p in parsed.paragraphs][1:] == [
        "Next paragraph.",
        "WHALE. * * * Sw. and Dan. hval.",
    ]
    assert [n.text for n in parsed.notes_for(parsed.paragraphs[:1])] == [
        "The most fascinating woman.",
        "That suits us.",
        "Hollow words.",
    ]


def test_text_star_line_without_a_marker_stays_a_paragraph() -> None:
    result = txt("No marker here.\n\n* A line that starts with a star.\n")
    assert result.notes == ()
    assert result.paragraphs[1].text == "* A line that starts with a star."


def test_text_numbered_notes_sections_become_footnotes() -> None:
    body = (
        "Chapter One: Commodities\n\nThe wealth of societies,[1] its unit.[2] Not a note [7].\n\n"
        "Notes to Chapter 1\n\n1. Karl Marx, Zur Kritik.\n\n2. Second note.\n\n"
        "Chapter Two: Exchange\n\nCommodities cannot go to market.[1]\n\n"
        "Notes to Chapter 2\n\n1. In the 12th century.\n"
    )
    result = txt(body)
    assert [(n.label, n.text) for n in result.notes] == [
        ("1.1", "Karl Marx, Zur Kritik."),
        ("1.2", "Second note."),
        ("2.1", "In the 12th century."),
    ]
    assert [p.text for p in result.paragraphs] == [
        "The wealth of societies,[^1.1] its unit.[^1.2] Not a note [7].",
        "Commodities cannot go to market.[^2.1]",
    ]
    assert [h.text for h in result.headings] == [
        "Chapter One: Commodities",
        "Chapter Two: Exchange",
    ]
    assert len(reading(result).footnotes) == 3


def test_text_gutenberg_dedication_and_epigraph_stay_when_the_title_page_goes() -> None:
    body = (
        "Title: A Book\n\n*** START OF THE PROJECT GUTENBERG EBOOK A BOOK ***\n\n"
        "Produced by Someone\n\n\n\nA BOOK\n\nBy Ann Author\n\n\n\n"
        "TO MY FRIEND AND TEACHER, JOHN SMITH\n\n\n\n"
        '"The philosophers have only interpreted the world, in various ways;\n'
        'the point is to change it."\n\n-- Karl Marx\n\n\n\n'
        "CHAPTER I.\n\nIt begins here.\n\n*** END OF THE PROJECT GUTENBERG EBOOK A BOOK ***\n"
    )
    assert shape(txt(body)) == [
        ("paragraph", 0, "TO MY FRIEND AND TEACHER, JOHN SMITH"),
        (
            "paragraph",
            0,
            '"The philosophers have only interpreted the world, in various ways; the point is '
            'to change it."',
        ),
        ("paragraph", 0, "-- Karl Marx"),
        ("heading", 2, "CHAPTER I."),
        ("paragraph", 0, "It begins here."),
    ]


NUMBERED_HEADINGS = (
    "Opening text.\n\n\n"
    "III. SOCIALIST AND COMMUNIST LITERATURE\n\n"
    "1. REACTIONARY SOCIALISM\n\n"
    "A. Feudal Socialism\n\nText of A.\n\n"
    "B. Petty-Bourgeois Socialism\n\nText of B.\n\n"
    'C. German, or "True," Socialism\n\nText of C.\n\n'
    "2. Conservative, or Bourgeois, Socialism\n\nText of 2.\n\n\n"
    "IV. POSITION OF THE COMMUNISTS IN RELATION TO THE VARIOUS EXISTING OPPOSITION PARTIES\n\n"
    "Text of IV.\n"
)


def test_text_numbered_and_lettered_headings_nest_under_a_bare_chapter() -> None:
    result = txt(NUMBERED_HEADINGS)
    assert [(h.level, h.text) for h in result.headings] == [
        (2, "III. SOCIALIST AND COMMUNIST LITERATURE"),
        (3, "1. REACTIONARY SOCIALISM"),
        (4, "A. Feudal Socialism"),
        (4, "B. Petty-Bourgeois Socialism"),
        (4, 'C. German, or "True," Socialism'),
        (3, "2. Conservative, or Bourgeois, Socialism"),
        (
            2,
            "IV. POSITION OF THE COMMUNISTS IN RELATION TO THE VARIOUS EXISTING OPPOSITION PARTIES",
        ),
    ]
    assert [p.text for p in result.paragraphs] == [
        "Opening text.",
        "Text of A.",
        "Text of B.",
        "Text of C.",
        "Text of 2.",
        "Text of IV.",
    ]


@pytest.mark.parametrize(
    "line",
    [
        "1. Abolition of property in land and application of all rents of land to public purposes.",
        "4. (Ure, op. cit., p. 314.)",
        '21. See Goethe\'s "Faust."',
        "2. Ibid., p. 34",
        "3. the steam engine and the mule",
    ],
)
def test_text_numbered_lines_that_are_not_headings_stay_text(line: str) -> None:
    result = txt(f"Some text.\n\n{line}\n\nMore text.\n")
    assert result.headings == ()
    assert [p.text for p in result.paragraphs] == ["Some text.", line, "More text."]


def test_text_bracketed_notes_after_each_chapter_become_footnotes_numbered_through() -> None:
    body = (
        "CHAPTER I. [1]\n\nThe history of society [2] is a history. See [9] too.\n\n"
        "[1] Note on the heading.\n\n[2] That is, all written\nhistory.\n\n"
        "CHAPTER II.\n\nThe old cries of the restoration period [1] had become impossible.\n\n"
        "[1] Not the English Restoration.\n\n[3] A numbered line with no marker.\n"
    )
    result = txt(body)
    assert [(n.label, n.text) for n in result.notes] == [
        ("1", "Note on the heading."),
        ("2", "That is, all written history."),
        ("3", "Not the English Restoration."),
    ]
    assert [h.text for h in result.headings] == ["CHAPTER I.", "CHAPTER II."]
    assert [p.text for p in result.paragraphs] == [
        "[^1]The history of society[^2] is a history. See [9] too.",  # [1] was on the heading
        "The old cries of the restoration period[^3] had become impossible.",
        "[3] A numbered line with no marker.",
    ]
    parsed = reading(result)
    assert [n.text for n in parsed.notes_for(parsed.paragraphs[1:2])] == [
        "Not the English Restoration."
    ]


def test_text_gutenberg_footnote_blocks_become_footnotes() -> None:
    body = (
        "The old cries of the restoration period [1] had become impossible.\n\n"
        "    [Footnote 1: Not the English Restoration 1660 to 1689, but the\n"
        "    French Restoration 1814 to 1830.]\n\nThe next paragraph.\n"
    )
    result = txt(body)
    assert [(n.label, n.text) for n in result.notes] == [
        ("1", "Not the English Restoration 1660 to 1689, but the French Restoration 1814 to 1830.")
    ]
    assert [p.text for p in result.paragraphs] == [
        "The old cries of the restoration period[^1] had become impossible.",
        "The next paragraph.",
    ]


# --------------------------------------------------------------------------- Markdown


def test_markdown_front_matter_headings_notes_and_comments() -> None:
    result = import_bytes((FIXTURES / "notes.md").read_bytes(), "notes.md")
    assert (result.title, result.author, result.source) == (
        "Notes on Notes",
        "Bea Writer",
        "https://example.org/notes",
    )
    assert shape(result) == [
        (
            "paragraph",
            0,
            # A soft line break is a space in Markdown: the paragraph reads as one line.
            "An opening paragraph with a footnote.[^a] It is hard-wrapped over two lines.",
        ),
        ("heading", 2, "A Part"),
        ("heading", 3, "Setext Section"),
        ("paragraph", 0, "A paragraph under the setext heading, with a dangling [^zz] marker."),
        ("paragraph", 0, "code line one\ncode line two"),
        ("note", 0, "The footnote's text.\n\nIts second paragraph."),
    ]
    parsed = reading(result)
    assert parsed.footnotes[0].label == "a"
    assert parsed.paragraphs[1].text.endswith("dangling [\\^zz] marker.")


@pytest.mark.parametrize(
    ("source", "title", "levels"),
    [
        ("# Only Title\n\nText.\n\n## Part\n\nText.\n", "Only Title", [2]),
        ("Intro.\n\n### Deep\n\nText.\n\n#### Deeper\n\nText.\n", None, [2, 3]),
        ("# One\n\nText.\n\n# Two\n\nText.\n", None, [2, 2]),
    ],
)
def test_markdown_headings_are_shifted_so_the_body_starts_at_level_two(
    source: str, title: str | None, levels: list[int]
) -> None:
    result = import_bytes(source.encode(), "essay.md")
    assert result.title == title
    assert [h.level for h in result.headings] == levels


def test_markdown_bad_front_matter_is_a_warning_not_an_error() -> None:
    result = import_bytes(b"---\ntitle: [unclosed\n---\nText.\n", "essay.md")
    assert result.paragraphs[0].text == "Text."
    assert "front matter is not valid YAML" in result.warnings[0]


PANDOC_INLINE = {
    "attribute span": ("[Rosa]{.smallcaps} wrote it.", "Rosa wrote it."),
    "nested spans": ("[[Unite!]{.em}]{.context}", "Unite!"),
    "empty anchor": ("[]{#007}Section II has made it clear.", "Section II has made it clear."),
    "link with attributes": ("See [the index](index.htm){.nav}.", "See the index."),
    "external link": ("At [MIA](https://www.marxists.org).", "At [MIA](https://www.marxists.org)."),
    "escaped punctuation": (
        "II\\. Proletarians \\[sic\\] \\| 1848\\.",
        "II. Proletarians [sic] | 1848.",
    ),
    "escaped emphasis stays": ("2 \\* 3 and a\\_b", "2 \\* 3 and a\\_b"),
    "inline image keeps its alt": ("Since ![≠](ne.png){.sym} equals.", "Since ≠ equals."),
    "superscript": ("The 19^th^ century.", "The 19th century."),
}


@pytest.mark.parametrize(("source", "text"), PANDOC_INLINE.values(), ids=PANDOC_INLINE.keys())
def test_markdown_pandoc_inline_syntax_is_read_not_copied(source: str, text: str) -> None:
    result = import_bytes(f"Before.\n\n{source}\n".encode(), "page.md")
    assert [p.text for p in result.paragraphs] == ["Before.", text]


def test_markdown_pandoc_blocks_breaks_rules_and_figures() -> None:
    source = (
        "::: {.title}\nText of one,\nsoft-wrapped.\n:::\n\n"
        '![](../img/cover.jpg){.img width="120"}\n\n'
        "------------------------------------------------------------------------\n\n"
        "A verse line\\\nand the next.\\\n\\\nA new paragraph after two breaks.\n\n* * *\n\n"
        "[III. Socialist Literature](ch03.htm) \\| [Table of\nContents](index.htm)\n\n"
        "The end.\n"
    )
    result = import_bytes(source.encode(), "page.md")
    assert shape(result) == [
        ("paragraph", 0, "Text of one, soft-wrapped."),
        ("paragraph", 0, "A verse line\nand the next."),
        ("paragraph", 0, "A new paragraph after two breaks."),
        ("paragraph", 0, "The end."),
    ]
    assert "dropped 1 row of site links" in result.changes
    assert "dropped 1 image" in result.changes


def test_markdown_headings_of_any_level_become_dense_from_level_two() -> None:
    source = (
        "#### []{#s1}One {#one .chapter}\n\nText.\n\n###### Deep\n\nText.\n\n#### Two\n\nText.\n"
    )
    result = import_bytes(source.encode(), "page.md")
    assert [(h.level, h.text) for h in result.headings] == [(2, "One"), (3, "Deep"), (2, "Two")]


@pytest.mark.parametrize(
    "source",
    [
        "Marx/Engels Archive\n\n# The Title\n\n### Vladimir Ilyich Lenin\n\n## I\n\nText.\n",
        "### V. I. Lenin\n\n# The Title\n\n## I\n\nText.\n",
        "---\ntitle: The Title\n---\n\n# The Title\n\n## By Vladimir Ilyich Lenin\n\n"
        "## I\n\nText.\n",
    ],
    ids=["under the title", "above the title", "after front matter"],
)
def test_markdown_byline_heading_is_the_author_not_a_section(source: str) -> None:
    result = import_bytes(source.encode(), "lenin-1913.md")
    assert result.title == "The Title"
    assert result.author in ("Vladimir Ilyich Lenin", "V. I. Lenin")
    assert [h.text for h in result.headings] == ["I"]
    assert reading(result).title == "The Title"


def test_markdown_epub_headings_endnote_list_and_backlinks() -> None:
    source = (
        '::: {#chapter-3 .section epub:type="chapter"}\n## III {#iii}\n\nSocialist Literature\n\n'
        "### 1 {#section}\n\nReactionary Socialism\n\n#### (A) {#a}\n\nFeudal Socialism\n\n"
        "The old cries of the restoration\nperiod[7](endnotes.xhtml#note-7){#noteref-7 .noteref\n"
        'epub:type="noteref"} had become impossible.\n:::\n\n'
        "## Endnotes {#endnotes}\n\n1.  ::: {#note-7}\n    Not the English Restoration.\n"
        '    [↩](chapter-3.xhtml#noteref-7){.backlink\n    epub:type="backlink"}\n    :::\n'
    )
    result = import_bytes(source.encode(), "chapter-3.md")
    assert result.title == "III. Socialist Literature"
    assert shape(result) == [
        ("heading", 2, "1. Reactionary Socialism"),
        ("heading", 3, "(A) Feudal Socialism"),
        ("paragraph", 0, "The old cries of the restoration period[^7] had become impossible."),
        ("note", 0, "Not the English Restoration."),
    ]


def test_markdown_raw_html_is_read_as_pandoc_gfm_writes_it() -> None:
    source = (
        '<div class="x">\n\n<span class="info">Rosa</span> wrote<sup><a href="#n1" id="r1">[1]</a>'
        "</sup>\nit &amp; <em>more</em>.<br>\nA new line.\n\n"
        '<img src="a.jpg" class="img" width="120"\nheight="160" />\n\n</div>\n\n#### Notes\n\n'
        '<a href="#r1" id="n1">[1]</a> The note.  \n  \n\\[Note by Engels.\\]\n'
    )
    result = import_bytes(source.encode(), "page.md")
    assert shape(result) == [
        ("paragraph", 0, "Rosa wrote[^1] it & *more*.\nA new line."),
        ("note", 0, "The note.\n\n[Note by Engels.]"),
    ]


def test_markdown_front_matter_author_wins_over_a_byline() -> None:
    source = "---\nauthor: Lenin\n---\n# The Title\n\n## Vladimir Ilyich Lenin\n\nText.\n"
    result = import_bytes(source.encode(), "page.md")
    assert (result.title, result.author, result.headings) == ("The Title", "Lenin", ())


def test_markdown_pandoc_endnotes_become_footnotes() -> None:
    source = (
        "# Title\n\nThe Social-Democrats,^[\\[1\\]](#nb){#1}^ and the Radicals^2^ and"
        " [\\[3\\]](#n3).\n\n#### Notes\n\n"
        "[\\[1\\]](#1){#nb} The party then represented.\\\n\\\n\\[Note by Engels.\\]\n\n"
        "[\\[2\\]](#2){#n2} Radicals.\n\n[\\[3\\]](#3){#n3} Third.\n"
    )
    result = import_bytes(source.encode(), "page.md")
    assert [(n.label, n.text) for n in result.notes] == [
        ("1", "The party then represented.\n\n[Note by Engels.]"),
        ("2", "Radicals."),
        ("3", "Third."),
    ]
    assert result.headings == ()
    parsed = reading(result)
    assert parsed.paragraphs[0].text == "The Social-Democrats,[^1] and the Radicals[^2] and[^3]."
    assert [n.label for n in parsed.notes_for(parsed.paragraphs)] == ["1", "2", "3"]


# --------------------------------------------------------------------------- HTML


def test_html_article_blocks_inline_markup_and_skipped_chrome() -> None:
    result = import_bytes((FIXTURES / "article.html").read_bytes(), "article.html")
    assert (result.title, result.language) == ("On Reading Together", "en-GB")
    assert shape(result) == [
        ("heading", 2, "First Thoughts"),
        (
            "paragraph",
            0,
            "Reading together is *slower* and **better** & kinder than reading alone.",
        ),
        ("paragraph", 0, "Fish <3 chips, café — and *spaced* emphasis."),
        ("paragraph", 0, "A quoted paragraph."),
        ("paragraph", 0, "First item"),
        ("paragraph", 0, "Second item"),
        ("heading", 3, "A Smaller Heading"),
        ("paragraph", 0, "Roses are red,\nviolets are blue."),
        ("heading", 2, "Second Thoughts"),
        ("paragraph", 0, "A literal [\\^1] marker and a line"),
        ("paragraph", 0, "# that looks like a heading."),
    ]
    assert "dropped the table of contents (2 entries)" in result.changes


@pytest.mark.parametrize(
    ("markup", "title"),
    [
        (
            "<html><head><title>Page Title</title></head><body><p>Text.</p></body></html>",
            "Page Title",
        ),
        ("<html><body><h1>Heading Title</h1><p>Text.</p></body></html>", "Heading Title"),
        ("<h1>One</h1><p>Text.</p><h1>Two</h1><p>Text.</p><title>T</title>", "T"),
    ],
)
def test_html_title_comes_from_the_single_h1_else_the_title_element(
    markup: str, title: str
) -> None:
    assert import_bytes(markup.encode(), "page.html").title == title


def test_html_unclosed_paragraphs_and_broken_attributes_are_tolerated() -> None:
    markup = b'<body><div id="x><p>One<p>Two <em>open\n<p>Three</body>'
    result = import_bytes(markup, "page.htm")
    assert [p.text for p in result.paragraphs][-2:] == ["Two *open*", "Three"]


# --------------------------------------------------------------------------- EPUB


def test_epub2_with_ncx_reads_metadata_spine_and_skips_gutenberg_boxes() -> None:
    result = import_bytes(epub(tree("epub2")), "small.epub")
    assert (result.title, result.author, result.language) == ("A Small Novel", "Cora Teller", "en")
    assert result.source == "http://www.gutenberg.org/ebooks/424242"
    assert result.licence == "Public domain in the USA."
    assert shape(result) == [
        ("heading", 2, "Chapter 1"),
        ("paragraph", 0, "It was a *quiet* morning in the small town."),
        ("paragraph", 0, "Nothing happened until noon."),
        ("heading", 2, "Chapter 2"),
        ("paragraph", 0, "At noon, a letter arrived."),
    ]
    assert result.warnings == ()


def test_epub3_with_nav_missing_ncx_and_missing_spine_file() -> None:
    files = tree("epub3")
    assert "OPS/toc.ncx" not in files  # named by the manifest, absent from the zip
    result = import_bytes(epub(files), "little.epub")
    assert (result.title, result.author, result.language, result.source) == (
        "The Little Manifesto",
        "Karla Marks and Fritz Engel",
        "en-GB",
        "https://example.org/little-manifesto",
    )
    assert shape(result) == [
        ("heading", 2, "Preface"),
        ("paragraph", 0, "This preface explains the *Manifesto*.[^1]"),
        ("heading", 2, "I: Bosses and Workers"),
        ("paragraph", 0, "The history of all small societies[^3] is the history of arguments."),
        ("paragraph", 0, "See also the next chapter and a note that is missing."),
        ("heading", 3, "A subsection"),
        ("paragraph", 0, "With a **bold** claim."),
        ("note", 0, "The first note."),
        ("note", 0, "A note on the title.\n\nIts second paragraph."),
        ("note", 0, "That is, *written* history."),
    ]
    assert [n.label for n in result.notes] == ["1", "2", "3"]
    assert result.warnings == (
        "OPS/text/chapter-2.xhtml is in the spine but missing from the EPUB: skipped",
        "dropped 1 footnote reference(s) that point to no note",
    )
    assert result.changes[0] == (
        "skipped 4 documents of front or back matter "
        "(cover.xhtml, titlepage.xhtml, nav.xhtml, colophon.xhtml)"
    )
    parsed = reading(result)
    assert [n.text for n in parsed.notes_for(parsed.paragraphs[:2])] == [
        "The first note.",
        "That is, *written* history.",
    ]


def test_epub_without_container_uses_its_only_package_document() -> None:
    files = tree("epub2")
    del files["META-INF/container.xml"]
    result = import_bytes(epub(files), "small.epub")
    assert result.title == "A Small Novel"
    assert result.warnings == (
        "META-INF/container.xml does not name the package: used OEBPS/content.opf",
    )


# --------------------------------------------------------------------------- errors


def _without(files: dict[str, bytes], *paths: str) -> dict[str, bytes]:
    return {k: v for k, v in files.items() if k not in paths}


def _with(files: dict[str, bytes], path: str, data: bytes) -> dict[str, bytes]:
    return {**files, path: data}


EPUB2 = tree("epub2")
FAILURES = {
    "pdf": (b"%PDF-1.4 ...", "book.pdf", "PDF files are not supported"),
    "docx": (b"PK\x03\x04 ...", "book.docx", "Word files are not supported"),
    "empty": (b"  \n\n", "book.txt", "the file is empty"),
    "corrupt zip": (b"PK\x03\x04 this is not really a zip", "book.epub", "the EPUB is damaged"),
    "not a zip at all": (b"<html>", "book.epub", "not a readable zip archive"),
    "no package": (
        epub(_without(EPUB2, "META-INF/container.xml", "OEBPS/content.opf")),
        "book.epub",
        "no OPF package document found",
    ),
    "container names a missing package": (
        epub(_without(EPUB2, "OEBPS/content.opf")),
        "book.epub",
        "no OPF package document found",
    ),
    "package is not XML": (
        epub(_with(EPUB2, "OEBPS/content.opf", b"<package><metadata>")),
        "book.epub",
        "OEBPS/content.opf is not valid XML",
    ),
    "no spine": (
        epub(_with(EPUB2, "OEBPS/content.opf", b"<package><manifest/></package>")),
        "book.epub",
        "has no spine",
    ),
    "drm": (
        epub(_with(EPUB2, "META-INF/encryption.xml", b"<encryption><EncryptedData/></encryption>")),
        "book.epub",
        "the EPUB is encrypted (DRM)",
    ),
    "other zip": (epub({"a.txt": b"x"}), "archive", "this is a zip archive, not an EPUB"),
    "binary": (b"\x00\x01\x02binary", "data.bin", "this is not a text file"),
    "no paragraphs": (b"# Title\n\n## Heading\n", "empty.md", "no paragraphs of text"),
}


@pytest.mark.parametrize(("data", "name", "message"), FAILURES.values(), ids=FAILURES.keys())
def test_bad_files_fail_with_a_message_naming_file_problem_and_fix(
    data: bytes, name: str, message: str
) -> None:
    with pytest.raises(ImportFailed) as caught:
        import_bytes(data, f"/some/dir/{name}")
    assert isinstance(caught.value, ReadingGroupError)
    assert str(caught.value).startswith(f"{name}: ")
    assert message in str(caught.value)


# --------------------------------------------------------------------------- dispatch


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"<!DOCTYPE html><html><body><p>Para <em>one</em>.</p></body></html>", "html"),
        (b"---\ntitle: T\n---\nPara *one*.\n", "markdown"),
        (b"Para one.\n\nCHAPTER I.\n\nText.\n", "text"),
        (epub(EPUB2), "epub"),
    ],
)
def test_files_without_an_extension_are_sniffed(data: bytes, kind: str) -> None:
    result = import_bytes(data, "download")
    expected_first = {
        "html": "Para *one*.",
        "markdown": "Para *one*.",
        "text": "Para one.",
        "epub": "It was a *quiet* morning in the small town.",
    }[kind]
    assert result.paragraphs[0].text == expected_first


def test_non_utf8_text_is_read_as_windows_1252_with_a_warning() -> None:
    result = import_bytes("Caf\u00e9 \u2014 d\u00e9j\u00e0 vu.\n".encode("cp1252"), "old.txt")
    assert result.paragraphs[0].text == "Café — déjà vu."
    assert result.warnings == ("the file is not UTF-8: it was read as Windows-1252",)


# --------------------------------------------------------------------------- output


ESCAPES = {
    "heading-like line": ("# not a heading", "\\# not a heading"),
    "deep heading-like": ("###### six", "\\###### six"),
    "footnote definition": ("[^1]: not a note", "[\\^1]: not a note"),
    "dangling marker": ("see [^x] here", "see [\\^x] here"),
    "comment": ("<!-- not hidden -->", "\\<!-- not hidden -->"),
    "rule": ("---", "\\---"),
    "setext underline": ("text\n===", "text\n\\==="),
    "hashtag is fine": ("#hashtag stays", "#hashtag stays"),
}


@pytest.mark.parametrize(("text", "expected"), ESCAPES.values(), ids=ESCAPES.keys())
def test_output_escapes_lines_the_reading_format_would_misread(text: str, expected: str) -> None:
    imported = ImportedText(
        title="T",
        author=None,
        language=None,
        blocks=(
            Block("paragraph", "First."),
            Block("paragraph", text),
            Block("paragraph", "Last."),
        ),
    )
    parsed = reading(imported)
    assert [p.text for p in parsed.paragraphs] == ["First.", expected, "Last."]
    assert parsed.footnotes == ()
    assert [s.title for s in parsed.sections] == []


@pytest.mark.parametrize(
    ("heading", "title"),
    [("C#", "C#"), ("Notes", "Notes (as printed)"), ("Line\nbreak", "Line break")],
)
def test_output_headings_keep_their_text(heading: str, title: str) -> None:
    imported = ImportedText(
        title="T",
        author=None,
        language=None,
        blocks=(Block("heading", heading, level=2), Block("paragraph", "Text.")),
    )
    parsed = reading(imported)
    assert [s.title for s in parsed.sections] == [title]
    assert parsed.paragraphs[0].text == "Text."


def test_output_notes_without_labels_are_numbered() -> None:
    imported = ImportedText(
        title="T",
        author=None,
        language=None,
        blocks=(
            Block("paragraph", "Text."),
            Block("note", "First."),
            Block("note", "Second, with a label of spaces.", label="a b"),
        ),
    )
    assert [(n.label, n.text) for n in reading(imported).footnotes] == [
        ("1", "First."),
        ("a-b", "Second, with a label of spaces."),
    ]


def test_output_front_matter_overrides_and_notes() -> None:
    imported = import_bytes((FIXTURES / "pg-header.txt").read_bytes(), "pg-header.txt")
    parsed = reading(
        imported, title="Tiny: A Treatise", author="A. Example", source="https://x.org/t"
    )
    assert (parsed.title, parsed.author, parsed.source) == (
        "Tiny: A Treatise",
        "A. Example",
        "https://x.org/t",
    )
    assert parsed.notes is not None
    assert parsed.notes.startswith("Imported from pg-header.txt by reading-group import: ")
    assert "removed the Project Gutenberg header and licence" in parsed.notes
    default = reading(imported)
    assert (default.title, default.author) == ("The Tiny Treatise in Two Books", "Ada Example")
    assert default.source == "https://www.gutenberg.org/ebooks/99999"


def test_output_title_falls_back_to_the_file_name() -> None:
    parsed = reading(import_bytes(b"Just a paragraph.\n", "my_first-essay.txt"))
    assert parsed.title == "My first essay"
    assert parsed.author is None


def test_output_keeps_every_word_of_the_text_in_order() -> None:
    source = (FIXTURES / "pg-header.txt").read_text(encoding="utf-8")
    start = source.index("\n\nBOOK I. OF SMALL THINGS\n\n\n")  # the text, not its contents entry
    body = source[start : source.index("End of the Project Gutenberg")]
    parsed = reading(import_bytes(source.encode(), "pg.txt"))
    items = [(s.line, s.title) for s in parsed.sections] + [
        (p.line, p.text) for p in parsed.paragraphs
    ]
    assert " ".join(text for _, text in sorted(items)).split() == body.split()


# --------------------------------------------------------------------------- slugs


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Moby Dick; or The Whale", "moby-dick"),
        ("The Communist Manifesto", "communist-manifesto"),
        ("Capital: A Critique of Political Economy", "capital"),
        ("War and Peace", "war-and-peace"),
        ("Pávlovna’s Salon (1805)", "pavlovnas-salon"),
        ("An", "an"),
        ("???", "reading"),
        (
            "An Inquiry into the Nature and Causes of the Wealth of Nations",
            "inquiry-into-the-nature-and-causes-of-the-wealth",
        ),
    ],
)
def test_suggest_slug(title: str, slug: str) -> None:
    assert suggest_slug(title) == slug
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]{0,47}", slug)
