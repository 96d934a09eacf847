"""A paragraph too long for one post (a hard-wrapped book imported as one 44,000-word paragraph)
is cut at sentence boundaries into parts, each an installment of its own; nothing else changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.excerpts import (
    PAGE_CHARS,
    PART_PAGES,
    Installment,
    parse_key,
    part_pages,
    plan_installments,
)
from bot.core.posting import resume_index
from bot.core.readings import Library, Reading, count_words, load_library
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


def test_a_giant_paragraph_becomes_parts_of_at_most_a_few_pages(giant: Reading) -> None:
    installments = plan_installments([giant])
    first, *parts, last = installments
    assert (first.key, last.key) == ("book:1-1", "book:3-3")
    assert len(parts) > 10
    assert [p.key for p in parts] == [
        f"book:2-2/{k}of{len(parts)}" for k in range(1, len(parts) + 1)
    ]
    pieces = part_pages(giant.paragraph(2))
    assert len(pieces) == len(parts)
    for part, pages in zip(parts, pieces, strict=True):
        assert 1 <= len(pages) <= PART_PAGES
        assert all(len(page) <= PAGE_CHARS for page in pages)
        assert part.words == sum(count_words(page) for page in pages)
    # Nothing lost, nothing reordered: the parts' pages give back the paragraph.
    text = " ".join(page for pages in pieces for page in pages)
    assert text == " ".join(giant.paragraph(2).text.split())
    # Each part ends at a sentence boundary.
    assert all(pages[-1].endswith(".") for pages in pieces)


def test_part_citations_and_keys() -> None:
    part = Installment("book", 2, 2, 3000, 3, 18)
    assert part.key == "book:2-2/3of18"
    assert Installment.from_key(part.key, 3000) == part
    assert parse_key(part.key) == ("book", 2, 2)
    assert part.citation == "book §2 (part 3 of 18)"
    assert part.span == "§2 (part 3 of 18)"
    assert part.cite("bk") == "bk §2 (part 3 of 18)"
    assert not part.finishes and Installment("book", 2, 2, 1, 18, 18).finishes
    whole = Installment("book", 2, 4, 300)
    assert Installment.from_key(whole.key, 300) == whole
    assert (whole.key, whole.span) == ("book:2-4", "§2-4")


@pytest.mark.parametrize("key", ["book:2-2/0of5", "book:2-2/2of", "book:2-2/2/5", "book:2-2/"])
def test_part_keys_are_checked(key: str) -> None:
    with pytest.raises(ValueError, match="installment key"):
        Installment.from_key(key)


def test_progress_through_the_parts_is_found_again(giant: Reading) -> None:
    installments = plan_installments([giant])
    parts = len(installments) - 2
    assert resume_index(installments, "book:2-2/3of" + str(parts), 4) == 4
    assert resume_index(installments, f"book:2-2/{parts}of{parts}", 1) == parts + 1
    # Cut again with another number of parts: an unfinished paragraph starts again at its
    # first part, a finished one is passed.
    assert resume_index(installments, "book:2-2/3of99", 4) == 1
    assert resume_index(installments, "book:2-2/99of99", 4) == parts + 1
    # Progress stored before the paragraph was cut into parts: it was posted whole.
    assert resume_index(installments, "book:2-2", 2) == parts + 1
    assert resume_index(installments, "book:1-1", 1) == 1


def test_a_part_key_on_a_paragraph_now_whole_comes_again_unless_finished() -> None:
    reading = make_reading("book", "Book", ["One.", "Two, now short.", "Three."])
    installments = plan_installments([reading], 2)
    assert [i.key for i in installments] == ["book:1-1", "book:2-2", "book:3-3"]
    assert resume_index(installments, "book:2-2/2of5", 3) == 1
    assert resume_index(installments, "book:2-2/5of5", 6) == 2


@pytest.mark.parametrize("target", [150, 300, 600, 1000, 2500, 10_000])
def test_the_shipped_essays_have_no_parts(target: int) -> None:
    shipped: Library = load_library(ROOT / "readings")
    assert all(i.parts == 1 for i in plan_installments(list(shipped), target))


def test_a_giant_paragraph_stands_alone_even_under_a_large_word_target(giant: Reading) -> None:
    installments = plan_installments([giant], 10_000)
    assert installments[0].key == "book:1-1"
    assert installments[-1].key == "book:3-3"
    assert all(i.parts > 1 for i in installments[1:-1])
