"""Paragraph frequencies of terms (bot.core.readings.terms): what ranks a question's {term}."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.readings import CountedTerms, Library, TermCounter, paragraph_frequencies, tokens
from tests.core.conftest import make_reading

# Apostrophes straight and curly, possessives in any case (and the long s that IGNORECASE
# folds to s), words joined by hyphens and dashes, letters outside ASCII whose lower case is
# longer (İ) or depends on the position (final sigma), numbers and underscores inside words,
# words only ever capitalised, punctuation at both ends.
HOSTILE = [
    "Marx’s CAPITAL's reach: workers’ ‘own’ 'capital' — o'clock, rock'n'roll and don't.",
    "İSTANBUL and İstanbul; ΟΔΟΣ, οδός and ΟΔΟΣ’S; naïve NAÏVE Æsir ﬁnance straße STRASSE.",
    "well-known -edged- well—known ‐dash‐ a1b2 snake_case 1867) (Capital) [capital] “Capital”.",
    "Trade! TRADE? trade… Borochov’S Borochovſ Borochov'ſ l'état L’État ’tis 'tis tis'.",
    "",
    "   spaced\tout\nover  lines   ",
]


def reference(paragraphs: list[str]) -> Counter[str]:
    """The paragraph frequencies counted the plain way: every token through the regex."""
    counts: Counter[str] = Counter()
    for text in paragraphs:
        counts.update({token.lower() for token in tokens(text)})
    return counts


def test_a_counter_counts_each_term_once_per_paragraph() -> None:
    counter = TermCounter()
    for text in ["Labour and labour, LABOUR.", "labour’s power", "Power."]:
        counter.add(text)
    assert counter.paragraphs == 3
    assert counter.counts == {"labour": 2, "and": 1, "power": 2}


def test_hostile_text_is_counted_as_the_regex_counts_it() -> None:
    counter = TermCounter()
    for text in HOSTILE:
        counter.add(text)
    expected = reference(HOSTILE)
    assert counter.counts == expected
    # What the pieces above are meant to exercise, so the comparison is not vacuous.
    assert {"marx", "capital", "o'clock", "don't", "İstanbul".lower(), "οδος", "well-known"} <= set(
        expected
    )
    assert expected["capital"] == 2 and expected["borochov"] == 1


@given(st.lists(st.text(alphabet=st.sampled_from(list("aZé İΣς'’‘-—_1.,;s\n ")), max_size=40)))
def test_any_text_is_counted_as_the_regex_counts_it(paragraphs: list[str]) -> None:
    counter = TermCounter()
    for text in paragraphs:
        counter.add(text)
    assert counter.counts == reference(paragraphs)


@pytest.mark.parametrize("words", [["capital", "trade", "absent"], []])
def test_a_parsed_library_counts_its_readings_paragraphs(words: list[str]) -> None:
    one = make_reading("one", "One", HOSTILE[:3])
    two = make_reading("two", "Two", [*HOSTILE[3:4], "Capital again."])
    counted = CountedTerms(Library((one, two)))
    assert counted.paragraphs == 5
    total = paragraph_frequencies(one) + paragraph_frequencies(two)
    assert counted.frequencies(words) == {word: total[word] for word in words}
    assert total["capital"] == 3
