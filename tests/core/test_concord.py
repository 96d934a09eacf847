"""The concordance's pure half: library order, counts, lines cut around FTS5's marks."""

from __future__ import annotations

import pytest

from bot.core.concord import CONTEXT, ELLIPSIS, Passage, Span, build, kwic_lines, locate
from bot.core.readings import Library
from bot.core.search import MARK_CLOSE, MARK_OPEN, MARKDOWN, STARS, Markers, parse_query
from tests.core.conftest import make_reading

A, Z = MARK_OPEN, MARK_CLOSE

FIRST = make_reading(
    "first",
    "First",
    [
        "Internationalism is key. Nationalism is not. Internationalists agree.",
        "Nothing here.",
        "A *marked.* Sentence with internationalism in it.",
    ],
    notes={"1": "A note on internationalism."},
)
SECOND = make_reading("second", "Second", ["The internationalist said so."])
LIBRARY = Library((FIRST, SECOND))


# Rows as the index holds them: "second" indexed first, then "first"; a reading gone since.
SPANS = [
    Span("second", "paragraph", 1, 1),
    Span("first", "paragraph", 2, 4),
    Span("first", "note", 5, 5),
    Span("gone", "paragraph", 6, 9),
]


def test_locate_places_rows_in_library_order_paragraphs_before_notes() -> None:
    uses, chosen = locate([8, 5, 4, 1, 2], SPANS, LIBRARY)
    assert [(p.id, p.slug, p.kind, p.number, p.label) for p in chosen] == [
        (2, "first", "paragraph", 1, None),
        (4, "first", "paragraph", 3, None),
        (5, "first", "note", 1, "1"),
        (1, "second", "paragraph", 1, None),
    ]
    assert [(u.slug, u.title, u.passages, u.paragraphs, u.positions) for u in uses] == [
        ("first", "First", 3, 3, (1, 3)),
        ("second", "Second", 1, 1, (1,)),
    ]


def test_locate_chooses_the_first_passages_and_counts_them_all() -> None:
    uses, chosen = locate([1, 2, 4, 5], SPANS, LIBRARY, count=2)
    assert [p.id for p in chosen] == [2, 4]
    assert sum(u.passages for u in uses) == 4


def test_each_marked_match_is_a_line_cited_by_its_sentence() -> None:
    marked = f"{A}Internationalism{Z} is key. Nationalism is not. {A}Internationalists{Z} agree."
    lines = kwic_lines(Passage(1, "first", "paragraph", 1), marked, LIBRARY)
    assert [(line.citation, line.left, line.match, line.right) for line in lines] == [
        ("first §1.1", "", "Internationalism", " is key. Nationalism is not. "
         "Internationalists agree."),
        ("first §1.3", "Internationalism is key. Nationalism is not. ",
         "Internationalists", " agree."),
    ]  # fmt: skip


def test_sentence_number_is_left_out_when_the_plain_text_splits_otherwise() -> None:
    # "*marked.* Sentence": the reading's text does not end a sentence there, its plain text does.
    marked = f"A marked. Sentence with {A}internationalism{Z} in it."
    [line] = kwic_lines(Passage(3, "first", "paragraph", 3), marked, LIBRARY)
    assert line.citation == "first §3"


def test_a_note_is_cited_by_its_label() -> None:
    [line] = kwic_lines(Passage(4, "first", "note", 1, "1"), f"A note on {A}it{Z}.", LIBRARY)
    assert line.citation == "first n1"


def test_context_is_cut_to_whole_words_with_an_ellipsis() -> None:
    words = " ".join(f"word{i}" for i in range(40))
    marked = f"{words} {A}term{Z} {words}"
    [line] = kwic_lines(Passage(2, "first", "paragraph", 2), marked, LIBRARY)
    assert line.left.startswith(ELLIPSIS) and line.left.endswith("word39 ")
    assert line.right.startswith(" word0") and line.right.endswith(ELLIPSIS)
    assert len(line.left) <= CONTEXT + 1 and len(line.right) <= CONTEXT + 1
    assert not line.left[1:].startswith(" ") and " " not in line.right[-2:]


@pytest.mark.parametrize(
    ("markers", "expected"),
    [(STARS, "a_b **x*y** c"), (MARKDOWN, "a\\_b **x\\*y** c")],
)
def test_render_marks_the_match_and_escapes_the_text(markers: Markers, expected: str) -> None:
    [line] = kwic_lines(Passage(2, "first", "paragraph", 2), f"a_b {A}x*y{Z} c", LIBRARY)
    assert line.render(markers) == expected


def test_build_gives_lines_for_the_chosen_passages_with_marked_text() -> None:
    uses, chosen = locate([1, 2, 4, 5], SPANS, LIBRARY, count=2)
    found = build(parse_query("internationalist"), uses, chosen, {2: f"{A}x{Z} {A}y{Z}"}, LIBRARY)
    assert found.passages == 4 and found.shown == 2 and not found.complete
    assert [(line.citation, line.match) for line in found.lines] == [
        ("first §1", "x"),
        ("first §1", "y"),
    ]


def test_a_term_of_only_punctuation_has_nothing_to_search() -> None:
    found = build(parse_query("?!*"), (), [], {}, LIBRARY)
    assert found.nothing_to_search and not found.readings and found.complete


def test_lines_between_cuts_only_the_lines_asked_for_across_passages() -> None:
    uses, chosen = locate([2, 4, 1], SPANS, LIBRARY)
    marked = {2: f"{A}a{Z} {A}b{Z}", 4: f"{A}c{Z}", 1: f"{A}d{Z} {A}e{Z}"}
    found = build(parse_query("x"), uses, chosen, marked, LIBRARY)
    assert found.line_count == 5
    assert [line.match for line in found.lines_between(1, 4)] == ["b", "c", "d"]
    assert [line.match for line in found.lines_between(4, 99)] == ["e"]
    assert [line.match for line in found.lines] == ["a", "b", "c", "d", "e"]
