"""Quotes that cite themselves: finding the passage a reply quotes."""

from __future__ import annotations

import pytest

from bot.core.quotes import (
    Aligned,
    QuoteIndex,
    extract_quotes,
    is_typo,
    normalise,
)
from bot.core.readings import Library
from tests.core.conftest import make_reading

WORKERS = (
    "The workers of the world have no country. We cannot take from them what they have not "
    "got. Since the proletariat must first of all acquire political supremacy, it is national, "
    "though not in the bourgeois sense of the word."
)
REVOLUTION = (
    "The victory of the revolution in one country cannot be final until it has spread to the "
    "advanced countries of Europe, whose workers alone can secure it against the restoration."
)
FILLER = "A paragraph about something else entirely, with the usual words of one of the texts."


@pytest.fixture(scope="module")
def index() -> QuoteIndex:
    manifesto = make_reading("manifesto", "Manifesto", [FILLER, WORKERS, FILLER], aliases=["cm"])
    soic = make_reading("soic", "Against SOIC", [FILLER, FILLER, REVOLUTION])
    return QuoteIndex(Library((manifesto, soic)))


@pytest.mark.parametrize(
    ("text", "quotes"),
    [
        (
            "> The workers of the world have no country.\nI agree",
            ["The workers of the world have no country."],
        ),
        ("> one\n> two three\n> four five\n\nok", ["one two three four five"]),
        ("> too short to count", []),
        (
            'He said "the workers of the world have no country at all" here',
            ["the workers of the world have no country at all"],
        ),
        (
            "He said “the workers of the world have no country at all” here",
            ["the workers of the world have no country at all"],
        ),
        ('a "short phrase" only', []),
        ("no quotation at all, just a reply about the workers of the world", []),
        (
            '> block one is long enough here\n\nand "a quotation of eight words in marks here"',
            ["block one is long enough here", "a quotation of eight words in marks here"],
        ),
    ],
)
def test_extract_quotes(text: str, quotes: list[str]) -> None:
    assert extract_quotes(text) == quotes


def test_normalise_folds_case_punctuation_quotes_dashes_and_accents() -> None:
    assert normalise("“Don’t” — the Café, SAID—he!") == ["dont", "the", "cafe", "said", "he"]


@pytest.mark.parametrize(
    ("quoted", "original", "typo"),
    [
        ("teh", "the", True),
        ("wrold", "world", True),
        ("proletariet", "proletariat", True),
        ("country", "countries", False),
        ("world", "word", True),
        ("a", "i", False),
        ("nation", "station", False),
        ("internatinalsm", "internationalism", True),
    ],
)
def test_is_typo(quoted: str, original: str, typo: bool) -> None:
    assert is_typo(quoted, original) is typo


def test_exact_quote_cites_its_sentence(index: QuoteIndex) -> None:
    [match] = index.find_all("> We cannot take from them what they have not got.")
    assert (match.kind, match.citation) == ("exact", "manifesto §2.2")


def test_exact_quote_across_sentences_cites_the_span(index: QuoteIndex) -> None:
    [match] = index.find_all("> The workers of the world have no country. We cannot take from them")
    assert (match.kind, match.citation) == ("exact", "manifesto §2.1-2.2")


def test_whole_paragraph_cites_the_paragraph(index: QuoteIndex) -> None:
    [match] = index.find_all(f"> {REVOLUTION}")
    assert (match.kind, match.citation) == ("exact", "soic §3")


def test_normalised_punctuation_quotes_dashes_and_case_is_exact(index: QuoteIndex) -> None:
    text = "“THE VICTORY of the revolution—in one country—cannot be final until it has spread”"
    [match] = index.find_all(text)
    assert (match.kind, match.citation) == ("exact", "soic §3")


def test_small_typos_are_a_near_quote(index: QuoteIndex) -> None:
    [match] = index.find_all("> The wrokers of the world have no contry. We cannot take from them")
    assert match.kind == "near"
    assert match.citation == "manifesto §2.1-2.2"
    assert [a for a in match.aligned if a.op != "equal"] == [
        Aligned("typo", "wrokers", "workers"),
        Aligned("typo", "contry", "country"),
    ]


def test_changed_words_are_a_misquotation_with_the_words_side_by_side(index: QuoteIndex) -> None:
    [match] = index.find_all(
        '"The victory of the revolution in a single country cannot be final until it has spread"'
    )
    assert (match.kind, match.citation) == ("misquote", "soic §3")
    assert [a for a in match.aligned if a.op != "equal"] == [Aligned("changed", "a single", "one")]
    quoted = " ".join(a.quoted for a in match.aligned if a.quoted)
    original = " ".join(a.original for a in match.aligned if a.original)
    assert quoted.endswith("in a single country cannot be final until it has spread")
    assert original.endswith("in one country cannot be final until it has spread")


def test_words_left_out_are_a_misquotation(index: QuoteIndex) -> None:
    [match] = index.find_all(
        "> The victory of the revolution cannot be final until it has spread to the advanced"
    )
    assert match.kind == "misquote"
    assert Aligned("left out", "", "in one country") in match.aligned


@pytest.mark.parametrize(
    "text",
    [
        "> I think the victory of a strike depends on the workers and on nothing else",
        '"an entirely different sentence that is not from any reading of ours"',
        "> " + FILLER.replace("something else entirely", "nothing"),  # the filler is 3 times
        "The workers of the world have no country. We cannot take from them",  # not quoted
    ],
)
def test_not_a_quote_of_the_library(index: QuoteIndex, text: str) -> None:
    matches = index.find_all(text)
    assert all(m.kind != "exact" for m in matches)
    if "nothing" not in text:
        assert matches == []


def test_each_quotation_of_a_reply_is_matched(index: QuoteIndex) -> None:
    text = (
        "> The workers of the world have no country.\n\nand later "
        '"cannot be final until it has spread to the advanced countries of Europe"'
    )
    assert [m.citation for m in index.find_all(text)] == ["manifesto §2.1", "soic §3"]


def test_the_index_costs_eight_bytes_a_shingle(index: QuoteIndex) -> None:
    words = sum(
        len(normalise(t)) - 2 for t in (FILLER, WORKERS, FILLER, FILLER, FILLER, REVOLUTION)
    )
    assert index.size == words
    assert index.nbytes == 8 * words


@pytest.mark.parametrize(
    ("text", "typo"),
    [
        ("> Teh workers of the world have no country. We cannot take", ("teh", "the")),
        ("> The workers of the world have no country. We cannot take from thme", ("thme", "them")),
    ],
)
def test_a_typo_in_the_first_or_last_word_is_a_near_quote(
    index: QuoteIndex, text: str, typo: tuple[str, str]
) -> None:
    [match] = index.find_all(text)
    assert match.kind == "near"
    assert [a for a in match.aligned if a.op != "equal"] == [Aligned("typo", *typo)]
