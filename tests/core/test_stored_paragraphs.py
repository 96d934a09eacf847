"""A stored reading's paragraphs: numbers in memory, texts read from a text source when needed."""

from __future__ import annotations

from array import array
from dataclasses import replace

import pytest

from bot.core.citations import resolve
from bot.core.excerpts import plan_installments
from bot.core.readings import (
    Library,
    Reading,
    StaleReading,
    StoredParagraphs,
    parse_reading,
)

TEXT = """---
title: Stored
---
Before any heading, *one*.

## First part

Two words.

Three, with a note.[^1]

## Second part

Four.

## Notes

[^1]: The note.
"""


class Texts:
    """A text source over one parsed reading that counts its reads."""

    def __init__(self, reading: Reading, key: str) -> None:
        self.reading, self.key = reading, key
        self.reads: list[tuple[int, int]] = []

    def paragraph_texts(self, slug: str, key: str, first: int, last: int) -> list[str]:
        self.reads.append((first, last))
        if (slug, key) != (self.reading.slug, self.key):
            return []
        return [p.text for p in self.reading.paragraphs[first - 1 : last]]


def stored(parsed: Reading, source: Texts) -> Reading:
    titles = [s.title for s in parsed.sections]
    numbers = array("I")
    for p in parsed.paragraphs:
        numbers.extend(
            (p.line, p.words, len(p.text), titles.index(p.section) + 1 if p.section else 0)
        )
    paragraphs = StoredParagraphs(source, parsed.path, parsed.slug, "k1", numbers, titles)
    return replace(parsed, paragraphs=paragraphs)


@pytest.fixture
def parsed() -> Reading:
    return parse_reading(TEXT, "readings/stored.md")


def test_a_stored_reading_has_the_parsed_readings_paragraphs(parsed: Reading) -> None:
    source = Texts(parsed, "k1")
    reading = stored(parsed, source)
    assert len(reading.paragraphs) == 4
    assert list(reading.paragraphs) == list(parsed.paragraphs)
    assert [p.words for p in reading.paragraphs] == [p.words for p in parsed.paragraphs]
    assert [p.section for p in reading.paragraphs] == [
        None,
        "First part",
        "First part",
        "Second part",
    ]
    assert reading.paragraphs[-1].text == "Four."
    assert list(reading.with_text()) == list(parsed.paragraphs)


def test_numbers_need_no_text_and_a_span_reads_once(parsed: Reading) -> None:
    source = Texts(parsed, "k1")
    reading = stored(parsed, source)
    assert [(p.number, p.words, p.chars, p.line) for p in reading.paragraphs] == [
        (p.number, p.words, len(p.text), p.line) for p in parsed.paragraphs
    ]
    assert source.reads == []
    assert [p.text for p in reading.span(2, 3)] == ["Two words.", "Three, with a note.[^1]"]
    assert source.reads == [(2, 3)]


def test_a_citation_and_a_plan_of_a_stored_reading_match_the_parsed_ones(parsed: Reading) -> None:
    reading = stored(parsed, Texts(parsed, "k1"))
    cited = resolve(Library((reading,)), "stored §2-3")
    assert cited.paragraphs == resolve(Library((parsed,)), "stored §2-3").paragraphs
    assert [n.label for n in reading.notes_for(cited.paragraphs)] == ["1"]
    assert plan_installments([reading], 3) == plan_installments([parsed], 3)


def test_a_reading_reindexed_since_it_was_loaded_is_stale_not_another_text(
    parsed: Reading,
) -> None:
    reading = stored(parsed, Texts(parsed, "k2"))
    with pytest.raises(StaleReading, match=r"readings/stored.md changed since the library"):
        _ = reading.paragraphs[0].text
    with pytest.raises(StaleReading):
        reading.span(1, 2)
