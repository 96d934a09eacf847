"""A paragraph longer than the target (up to a hard-wrapped book imported as one 44,000-word
paragraph) is cut between sentences into pieces, each an installment of its own citing its
sentences; nothing else changes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.excerpts import (
    PAGE_CHARS,
    PART_PAGES,
    Installment,
    locate,
    piece_pages,
    plan_installments,
)
from bot.core.posting import resume_index
from bot.core.readings import Library, Reading, load_library
from bot.core.sentences import sentences
from bot.core.summary.model import PostRow
from tests.core.conftest import make_reading
from tests.extreme import giant_paragraph

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def giant() -> Reading:
    return make_reading(
        "book",
        "A Hard-Wrapped Book",
        ["A short opening paragraph.", giant_paragraph(), "A short closing paragraph."],
    )


def assert_pieces_give_back(reading: Reading, pieces: list[Installment]) -> None:
    """The pieces cover the paragraph's sentences, in order, each once."""
    number = pieces[0].first
    assert all(p.first == p.last == number and p.sentences for p in pieces)
    spans = [p.sentences for p in pieces if p.sentences]
    assert spans[0][0] == 1 and spans[-1][1] == len(sentences(reading.paragraph(number)))
    assert all(a[1] + 1 == b[0] and a[0] <= a[1] for a, b in itertools.pairwise(spans))


@pytest.mark.parametrize("target", [600, 10_000])
def test_a_giant_paragraph_becomes_pieces_of_at_most_a_few_pages(
    giant: Reading, target: int
) -> None:
    installments = plan_installments([giant], target)
    first, *pieces, last = installments
    assert (first.key, last.key) == ("book:1-1", "book:3-3")
    assert len(pieces) > 10
    assert_pieces_give_back(giant, pieces)
    for piece in pieces:
        assert piece.sentences is not None
        assert piece.key == f"book:2.{piece.sentences[0]}-2.{piece.sentences[1]}"
        pages = piece_pages(giant.paragraph(2), *piece.sentences)
        assert 1 <= len(pages) <= PART_PAGES
        assert all(len(page) <= PAGE_CHARS for page in pages)
        assert piece.words <= target + 40  # about the target: within its longest sentence
        # Each piece ends at a sentence boundary.
        assert pages[-1].endswith(".")
    # Nothing lost, nothing reordered: the pieces' pages give back the paragraph.
    text = " ".join(
        page
        for p in pieces
        if p.sentences
        for page in piece_pages(giant.paragraph(2), *p.sentences)
    )
    assert text == " ".join(giant.paragraph(2).text.split())


def test_pieces_are_about_the_target_and_even() -> None:
    paragraph = " ".join(f"Sentence {n} has exactly six words." for n in range(100))
    reading = make_reading("book", "Book", ["Short one.", paragraph, "Short two."])
    installments = plan_installments([reading], 150)
    assert [i.key for i in installments] == [
        "book:1-1",
        "book:2.1-2.25",
        "book:2.26-2.50",
        "book:2.51-2.75",
        "book:2.76-2.100",
        "book:3-3",
    ]
    assert [i.words for i in installments[1:-1]] == [150, 150, 150, 150]


def test_piece_citations_and_keys() -> None:
    piece = Installment("book", 2, 2, 3000, (19, 40))
    assert piece.key == "book:2.19-2.40"
    assert Installment.from_key(piece.key, 3000) == piece
    assert piece.citation == "book §2.19-2.40"
    assert piece.span == "§2.19-2.40"
    assert piece.cite("bk") == "bk §2.19-2.40"
    assert Installment("book", 2, 2, 9, (4, 4)).span == "§2.4"
    whole = Installment("book", 2, 4, 300)
    assert Installment.from_key(whole.key, 300) == whole
    assert (whole.key, whole.span) == ("book:2-4", "§2-4")
    # A part key from before sentence pieces names its whole paragraph.
    assert Installment.from_key("book:2-2/3of18") == Installment("book", 2, 2, 0)


@pytest.mark.parametrize(
    "key",
    [
        "book:2-2/0of5",
        "book:2-2/2of",
        "book:2-2/2/5",
        "book:2-2/",
        "book:2.1-2",
        "book:2-2.5",
        "book:2.1-3.4",
        "book:2.0-2.4",
        "book:2.1-2.4/1of2",
    ],
)
def test_piece_keys_are_checked(key: str) -> None:
    with pytest.raises(ValueError, match="installment key"):
        Installment.from_key(key)


def test_progress_through_the_pieces_is_found_again(giant: Reading) -> None:
    installments = plan_installments([giant])
    pieces = installments[1:-1]
    third = pieces[2]
    assert resume_index(installments, third.key, 99) == 4
    assert resume_index(installments, pieces[-1].key, 1) == len(pieces) + 1
    assert third.sentences is not None
    # Cut again (another target, or the paragraph edited): carry on with the piece holding the
    # next sentence, from its start, so nothing is skipped.
    after = third.sentences[1]
    assert resume_index(installments, f"book:2.{after - 1}-2.{after}", 4) == 4
    assert resume_index(installments, f"book:2.1-2.{after - 1}", 4) == 3
    last = pieces[-1].sentences
    assert last is not None
    assert resume_index(installments, f"book:2.5-2.{last[1]}", 4) == len(pieces) + 1
    # The paragraph lost sentences since that piece was posted: its last piece comes again.
    assert resume_index(installments, f"book:2.5-2.{last[1] + 1}", 4) == len(pieces)
    # Progress stored before the paragraph was cut: it was posted whole.
    assert resume_index(installments, "book:2-2", 2) == len(pieces) + 1
    assert resume_index(installments, "book:1-1", 1) == 1


def test_progress_stored_as_parts_before_sentence_pieces_resumes(giant: Reading) -> None:
    installments = plan_installments([giant])
    pieces = len(installments) - 2
    # An unfinished paragraph starts again at its first piece, a finished one is passed.
    assert resume_index(installments, "book:2-2/3of16", 4) == 1
    assert resume_index(installments, "book:2-2/16of16", 17) == pieces + 1


def test_a_piece_key_on_a_paragraph_now_whole_comes_again() -> None:
    reading = make_reading("book", "Book", ["One.", "Two, now short.", "Three."])
    # One sentence longer than the target: nothing to cut, the paragraph stands whole.
    assert [i.key for i in plan_installments([reading], 2)] == ["book:1-1", "book:2-2", "book:3-3"]
    installments = plan_installments([reading], 5)
    assert [i.key for i in installments] == ["book:1-3"]
    assert resume_index(installments, "book:2.1-2.4", 3) == 0
    assert resume_index(installments, "book:2-2/2of5", 3) == 0
    assert resume_index(installments, "book:2-2/5of5", 3) == 0


@pytest.mark.parametrize("target", [150, 300, 600, 1000, 2500, 10_000])
def test_the_shipped_essays_are_cut_only_where_a_paragraph_is_over_the_target(
    target: int,
) -> None:
    shipped: Library = load_library(ROOT / "readings")
    installments = plan_installments(list(shipped), target)
    for reading in shipped:
        for paragraph in reading.paragraphs:
            pieces = [i for i in installments if i.holds(reading.slug, paragraph.number)]
            if paragraph.words > target:
                assert_pieces_give_back(reading, pieces)
            else:
                assert [i.sentences for i in pieces] == [None]


def test_locate_finds_the_piece_holding_a_sentence(giant: Reading) -> None:
    installments = plan_installments([giant])
    third = installments[3]
    assert third.sentences is not None
    for sentence in third.sentences:
        assert locate(installments, "book", 2, sentence) == 3
    assert locate(installments, "book", 2) == 1
    assert locate(installments, "book", 2, 10**6) == len(installments) - 2
    assert locate(installments, "book", 3, 5) == len(installments) - 1


def test_a_posted_piece_is_cited_by_its_sentences_in_the_weekly_summary() -> None:
    posted = dt.datetime(2027, 1, 4, 18, tzinfo=dt.UTC)
    piece = Installment.from_key("book:2.20-2.33")
    row = PostRow(number=3, slug="book", first=2, last=2, words=9, posted_at=posted,
                  sentences=piece.sentences)  # fmt: skip
    assert row.citation == "book §2.20-2.33"
    assert dataclasses.replace(row, sentences=None).citation == "book §2"


sentence_lengths = st.lists(st.integers(1, 120), min_size=1, max_size=300)


def sentenced(lengths: list[int]) -> str:
    return " ".join(f"S{n} " + "w " * (length - 1) + "end." for n, length in enumerate(lengths))


@settings(max_examples=100, deadline=None)
@given(sentence_lengths, st.integers(50, 10_000))
def test_generated_pieces_cover_the_paragraph_within_a_few_pages(
    lengths: list[int], target: int
) -> None:
    reading = make_reading("r", "R", ["Before.", sentenced(lengths), "After."])
    pieces = [i for i in plan_installments([reading], target) if i.holds("r", 2)]
    if len(pieces) == 1:  # stands whole: short enough, or nothing to cut
        assert pieces[0].sentences is None
        return
    assert_pieces_give_back(reading, pieces)
    for piece in pieces:
        assert piece.sentences is not None
        assert len(piece_pages(reading.paragraph(2), *piece.sentences)) <= PART_PAGES
        assert piece.words <= target + 120 or piece.sentences[0] == piece.sentences[1]


@settings(max_examples=100, deadline=None)
@given(sentence_lengths, st.integers(50, 3000), st.integers(50, 3000), st.data())
def test_a_new_target_never_skips_a_sentence(
    lengths: list[int], before: int, after: int, data: st.DataObject
) -> None:
    reading = make_reading("r", "R", ["Before.", sentenced(lengths), "After."])
    old, new = plan_installments([reading], before), plan_installments([reading], after)
    done = data.draw(st.integers(0, len(old) - 1))
    resumed = resume_index(new, old[done].key, done + 1)
    if resumed == len(new):
        assert done == len(old) - 1
        return
    upcoming = new[resumed]
    # The next post starts at or before the first sentence not yet posted.
    next_paragraph, next_sentence = (
        (old[done + 1].first, (old[done + 1].sentences or (1, 1))[0])
        if done + 1 < len(old)
        else (4, 1)
    )
    assert (upcoming.first, (upcoming.sentences or (1, 1))[0]) <= (next_paragraph, next_sentence)


@pytest.mark.parametrize(
    ("lengths", "expected"),
    [
        # 210 words over 100: three even shares leave 10 words after two of 100; they join
        # the piece before (110 words, within 1.5 times the target).
        ([100, 100, 10], [(1, 1), (2, 3)]),
        # 215 words: 10 and 5 are left beside a 200-word sentence; joining it would pass 1.5
        # times the target, so they stay.
        ([10, 200, 5], [(1, 1), (2, 2), (3, 3)]),
    ],
)
def test_a_tiny_piece_joins_the_one_before_within_the_stretch(
    lengths: list[int], expected: list[tuple[int, int]]
) -> None:
    reading = make_reading("book", "Book", [sentenced(lengths)])
    assert [i.sentences for i in plan_installments([reading], 100)] == expected
