"""The reading parser: structure, numbering that survives edits, and clear errors."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.readings import (
    LibraryError,
    load_library,
    parse_reading,
    plain_text,
    slugify,
)

HEADER = "---\ntitle: T\n---\n"

# Paragraph text: words of letters and punctuation, possibly over several lines, never a
# heading, a footnote definition or blank.
word = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzäöü.,;'\"()-"), min_size=1, max_size=12
)
line = st.lists(word, min_size=1, max_size=8).map(" ".join)
paragraph = st.lists(line, min_size=1, max_size=3).map("\n".join)
heading = st.lists(word, min_size=1, max_size=4).map(lambda ws: "## " + " ".join(ws))
block = st.one_of(paragraph, paragraph, paragraph, heading)


def render(blocks: list[str]) -> str:
    return HEADER + "\n" + "\n\n".join(blocks) + "\n"


@given(st.lists(block, min_size=1, max_size=30).filter(lambda bs: not bs[0].startswith("#")))
def test_paragraphs_are_numbered_in_order(blocks: list[str]) -> None:
    reading = parse_reading(render(blocks), "readings/t.md")
    expected = [b for b in blocks if not b.startswith("## ")]
    assert [p.text for p in reading.paragraphs] == expected
    assert [p.number for p in reading.paragraphs] == list(range(1, len(expected) + 1))


@given(
    st.lists(paragraph, min_size=2, max_size=20),
    st.data(),
)
def test_editing_a_paragraph_renumbers_nothing(paragraphs: list[str], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(paragraphs) - 1))
    replacement = data.draw(paragraph)
    before = parse_reading(render(paragraphs), "readings/t.md")
    edited = [*paragraphs]
    edited[index] = replacement
    after = parse_reading(render(edited), "readings/t.md")
    assert len(after.paragraphs) == len(before.paragraphs)
    for old, new in zip(before.paragraphs, after.paragraphs, strict=True):
        assert old.number == new.number
        if old.number != index + 1:
            assert old.text == new.text
    assert after.paragraph(index + 1).text == replacement


def test_front_matter_and_structure() -> None:
    reading = parse_reading(
        "\ufeff---\r\n"
        "title: What is it?\r\n"
        "subtitle: A subtitle\r\n"
        "author: McCune\r\n"
        "published: 2026-02-12\r\n"
        "aliases: [wii, what]\r\n"
        "---\r\n"
        "Intro.[^a]\r\n\r\n"
        "## Part one\r\n"
        "First *claim* in part one.\r\n\r\n"
        "### Detail\r\n\r\n"
        "> A quoted line.\r\n\r\n"
        "<!-- an editor's comment, not text -->\r\n\r\n"
        "## Notes\r\n\r\n"
        "[^a]: The note.\r\n\r\n"
        "    Its second paragraph.\r\n",
        "readings/what-is-it.md",
    )
    assert reading.slug == "what-is-it"
    assert reading.display_title == "What is it?: A subtitle"
    assert reading.author == "McCune"
    assert reading.published == dt.date(2026, 2, 12)
    assert reading.aliases == ("wii", "what")
    assert [p.text for p in reading.paragraphs] == [
        "Intro.[^a]",
        "First *claim* in part one.",
        "> A quoted line.",
    ]
    assert [(p.section, p.line) for p in reading.paragraphs] == [
        (None, 8),
        ("Part one", 11),
        ("Detail", 15),
    ]
    assert [(s.title, s.slug, s.level, s.first, s.last) for s in reading.sections] == [
        ("Part one", "part-one", 2, 2, 3),
        ("Detail", "detail", 3, 3, 3),
    ]
    assert [(n.label, n.text) for n in reading.footnotes] == [
        ("a", "The note.\n\nIts second paragraph.")
    ]
    assert reading.notes_for(reading.span(1, 3)) == reading.footnotes
    assert reading.words == 1 + 5 + 4
    assert reading.section_of(3) is not None and reading.section_of(3).title == "Detail"


def test_content_hash_changes_with_content_only() -> None:
    a = parse_reading(HEADER + "One.\n", "readings/a.md")
    b = parse_reading(HEADER + "One.\n", "readings/a.md")
    c = parse_reading(HEADER + "One!\n", "readings/a.md")
    assert a.content_hash == b.content_hash != c.content_hash


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("with a note.[^12] and *emphasis* and **bold**", "with a note. and emphasis and bold"),
        ("> quoted\n> on two lines", "quoted on two lines"),
        ("a [link](https://example.org) here", "a link here"),
        ("snake_case_word stays", "snake_case_word stays"),
    ],
)
def test_plain_text(text: str, expected: str) -> None:
    assert plain_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What is Socialism?", "what-is-socialism"),
        ("Ber Borochov (1881–1917)", "ber-borochov-1881-1917"),
    ],
)
def test_slugify(text: str, expected: str) -> None:
    assert slugify(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no front matter\n", "readings/bad.md:1: missing front matter"),
        ("---\ntitle: T\n", "readings/bad.md:1: front matter is not closed"),
        (
            "---\ntitle: [unclosed\n---\nText.\n",
            "readings/bad.md:2: front matter is not valid YAML",
        ),
        (
            "---\ntitle: T\nauther: X\n---\nText.\n",
            "readings/bad.md:3: unknown key 'auther': did you mean 'author'?",
        ),
        (
            "---\ntitle: T\npublished: 12 Feb\n---\nText.\n",
            "readings/bad.md:3: published: '12 Feb' is not a date",
        ),
        (
            "---\ntitle: T\naliases: [Bad Alias]\n---\nText.\n",
            "readings/bad.md:3: aliases: 'Bad Alias' is not a valid alias",
        ),
        ("---\nauthor: X\n---\nText.\n", "readings/bad.md:2: missing 'title'"),
        ("---\ntitle:\n---\nText.\n", "readings/bad.md:2: title: must not be empty"),
        ("---\ntitle: T\n---\n", "readings/bad.md:4: the reading has no paragraphs"),
        (
            "---\ntitle: T\n---\nOne.\n\nTwo[^7].\n",
            "readings/bad.md:6: footnote [^7] has no definition",
        ),
        (
            "---\ntitle: T\n---\nOne.\n\n## Notes\n\nstray text\n",
            "readings/bad.md:8: text under the Notes heading",
        ),
        (
            "---\ntitle: T\n---\nOne[^1].\n\n[^1]: a\n\n[^1]: b\n",
            "readings/bad.md:8: footnote [^1] is defined twice",
        ),
        (
            "---\n- a list\n---\nOne.\n",
            "readings/bad.md:2: front matter must be 'key: value' lines",
        ),
    ],
)
def test_errors_name_file_line_and_fix(text: str, expected: str) -> None:
    with pytest.raises(LibraryError) as caught:
        parse_reading(text, "readings/bad.md")
    assert any(str(e).startswith(expected) for e in caught.value.errors), caught.value.errors


def test_library_reports_every_problem_and_alias_clashes(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: A\naliases: [x]\n---\nOne.\n")
    (tmp_path / "b.md").write_text("---\ntitle: B\naliases: [x]\n---\nOne.\n")
    (tmp_path / "c.md").write_text("---\ntitle: C\nbogus: 1\n---\nOne.\n")
    (tmp_path / "Bad Name.md").write_text("---\ntitle: D\n---\nOne.\n")
    (tmp_path / "e.md").write_bytes(b"---\ntitle: \xff\n---\n")
    with pytest.raises(LibraryError) as caught:
        load_library(tmp_path)
    messages = [str(e) for e in caught.value.errors]
    assert any("alias 'x' is already an alias of" in m for m in messages)
    assert any(m.startswith(f"{tmp_path / 'c.md'}:3: unknown key 'bogus'") for m in messages)
    assert any("is not a valid slug" in m for m in messages)
    assert any(m.startswith(f"{tmp_path / 'e.md'}: not UTF-8") for m in messages)


def test_library_orders_by_order_then_slug(tmp_path: Path) -> None:
    (tmp_path / "zeta.md").write_text("---\ntitle: Z\norder: 1\n---\nOne.\n")
    (tmp_path / "alpha.md").write_text("---\ntitle: A\n---\nOne.\n")
    (tmp_path / "beta.md").write_text("---\ntitle: B\norder: 2\n---\nOne.\n")
    (tmp_path / "README.md").write_text("# not a reading\n")
    assert [r.slug for r in load_library(tmp_path)] == ["zeta", "beta", "alpha"]


def test_missing_library_directory_is_explained(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="readings directory not found"):
        load_library(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("intertwined.[^5]", "intertwined.⁵"), ("a[^12] b[^x]", "a¹² b[x]"), ("none", "none")],
)
def test_display_text(text: str, expected: str) -> None:
    from bot.core.readings import display_text

    assert display_text(text) == expected


def test_a_name_clash_blames_the_newer_file_and_its_line(tmp_path: Path) -> None:
    old = tmp_path / "against-soic.md"
    old.write_text("---\ntitle: Against\naliases: [soic, against]\n---\nOne.\n")
    new = tmp_path / "soic.md"
    new.write_text("---\ntitle: New\nauthor: X\naliases: [against]\n---\nOne.\n")
    os.utime(old, (1_000_000, 1_000_000))
    os.utime(new, (2_000_000, 2_000_000))
    with pytest.raises(LibraryError) as caught:
        load_library(tmp_path)
    assert [str(e) for e in caught.value.errors] == [
        f"{new}:1: the file name makes 'soic' this reading's slug, but 'soic' is already an "
        f"alias of {old} (Against): rename this file, e.g. to soic-2.md",
        f"{new}:4: alias 'against' is already an alias of {old} (Against): choose another, "
        "e.g. 'against-2'",
    ]
