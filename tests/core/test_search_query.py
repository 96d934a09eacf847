"""Search queries: parsing what members type into safe FTS5, and rendering snippets."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.search import (
    ANSI,
    MARK_CLOSE,
    MARK_OPEN,
    MARKDOWN,
    MAX_TOKEN_CHARS,
    MAX_TOKENS,
    PLAIN,
    STOP_WORDS,
    Hit,
    IndexReport,
    Markers,
    SearchQuery,
    index_text,
    parse_query,
    related_forms,
    render_snippet,
)


@pytest.mark.parametrize(
    ("text", "terms", "prefixes", "phrases"),
    [
        ("Engels market", ("engels", "market"), (), ()),
        ("engels ENGELS Engels", ("engels",), (), ()),
        ('"socialism in one country"', (), (), (("socialism", "in", "one", "country"),)),
        ("“socialism in one country”", (), (), (("socialism", "in", "one", "country"),)),
        ("«one country» lenin", ("lenin",), (), (("one", "country"),)),
        ('"exact"', (), (), (("exact",),)),
        ('lenin "one country" stalin', ("lenin", "stalin"), (), (("one", "country"),)),
        ('"unbalanced quote', ("unbalanced", "quote"), (), ()),
        ('"a b" "c', ("c",), (), (("a", "b"),)),
        ("internat* a* *", ("a",), ("internat",), ()),
        ("NEAR(lenin, 2)", ("near", "lenin", "2"), (), ()),
        ("body:lenin -stalin ^marx", ("body", "lenin", "stalin", "marx"), (), ()),
        ("lenin AND stalin OR NOT marx", ("lenin", "and", "stalin", "or", "not", "marx"), (), ()),
        ("Engels's l'état", ("engels", "s", "l", "état"), (), ()),
        ("ｆｕｌｌｗｉｄｔｈ", ("fullwidth",), (), ()),
        ("snake_case", ("snake", "case"), (), ()),
        ("", (), (), ()),
        ('  "" ** () 😀 \x00 ', (), (), ()),
    ],
)
def test_parse_query(
    text: str,
    terms: tuple[str, ...],
    prefixes: tuple[str, ...],
    phrases: tuple[tuple[str, ...], ...],
) -> None:
    query = parse_query(text)
    assert (query.terms, query.prefixes, query.phrases) == (terms, prefixes, phrases)
    assert query.is_empty == (not terms and not prefixes and not phrases)
    assert not query.truncated


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (" ".join(f"w{n}" for n in range(MAX_TOKENS + 5)), MAX_TOKENS),
        ('"' + " ".join(f"w{n}" for n in range(MAX_TOKENS + 1)) + '"', MAX_TOKENS),
        ("x" * 10_000, 1),
    ],
)
def test_long_queries_are_cut_and_say_so(text: str, kept: int) -> None:
    query = parse_query(text)
    words = len(query.terms) + sum(len(phrase) for phrase in query.phrases)
    assert (words, query.truncated) == (kept, True)
    assert all(len(word) <= MAX_TOKEN_CHARS for word in query.terms)


def test_the_token_budget_counts_phrases_and_words_in_order() -> None:
    query = parse_query('one two "three four five" six', max_tokens=4)
    assert query.terms == ("one", "two")
    assert query.phrases == (("three", "four"),)
    assert query.truncated


@pytest.mark.parametrize(
    ("text", "fts"),
    [
        ("lenin", '"lenin"'),
        ("lenin stalin", '"lenin" AND "stalin"'),
        ('"one country"', '"one country"'),
        ("internat*", '"internat"*'),
        ("racism", '("racism" OR "racisms" OR "racist" OR "racists" OR "racistic")'),
        # A common word is left out when there is something else to search.
        ('AND "NEAR"', '"near"'),
        ("AND", '"and"'),
    ],
)
def test_fts_expression(text: str, fts: str) -> None:
    assert parse_query(text).fts == fts


@pytest.mark.parametrize(
    ("text", "fts", "ignored", "only_common", "broad"),
    [
        ("the market", '"market"', ("the",), False, True),
        ("market of the", '"market"', ("of", "the"), False, True),
        ("The Market", '"market"', ("the",), False, True),
        ("the internat*", '"internat"*', ("the",), False, True),
        ('the "free market"', '"free market"', ("the",), False, False),
        ('"the market"', '"the market"', (), False, False),
        ('"market"', '"market"', (), False, True),
        ("market engels", '"market" AND "engels"', (), False, False),
        ("a market of engels", '"market" AND "engels"', ("a", "of"), False, False),
        ("the", '"the"', (), True, True),
        ("that it is", '"that" AND "it" AND "is"', (), True, True),
        ("is it that", '"is" AND "it" AND "that"', (), True, True),
        ("a and", '"a" AND "and"', (), True, True),
        ('"of the"', '"of the"', (), True, True),
        ('that "of the"', '"that" AND "of the"', (), True, True),
        # Words that are also nouns are searched, however common.
        ("will", '"will"', (), False, True),
        ("the free will", '"free" AND "will"', ("the",), False, False),
    ],
)
def test_common_words(
    text: str, fts: str, ignored: tuple[str, ...], only_common: bool, broad: bool
) -> None:
    query = parse_query(text)
    assert (query.fts, query.ignored, query.only_common, query.broad) == (
        fts,
        ignored,
        only_common,
        broad,
    )


def test_stop_words_are_lowercase_function_words() -> None:
    assert all(word == word.lower() and word.isalpha() for word in STOP_WORDS)
    assert {"the", "of", "that", "and"} <= STOP_WORDS
    assert not {"one", "man", "time", "labour", "will", "may", "state"} & STOP_WORDS


# The FTS5 grammar this module may produce: quoted strings only, grouped by OR in parentheses,
# prefixed with *, joined by AND.
_STRING = r'"(?:[^"]|"")*"'
_GROUP = rf"(?:{_STRING}\*?|\({_STRING}(?: OR {_STRING})+\))"
_FTS_RE = re.compile(rf"(?:{_GROUP}(?: AND {_GROUP})*)?")


@given(st.text())
def test_any_text_becomes_quoted_strings_only(text: str) -> None:
    query = parse_query(text)
    assert _FTS_RE.fullmatch(query.fts), query.fts
    assert (query.fts == "") == query.is_empty
    assert len(query.terms) + len(query.prefixes) + sum(map(len, query.phrases)) <= MAX_TOKENS


@pytest.mark.parametrize(
    ("word", "relative"),
    [
        ("internationalist", "internationalism"),
        ("internationalism", "internationalist"),
        ("nationalists", "nationalism"),
        ("socialists", "socialism"),
        ("socialism", "socialist"),
        ("proletarian", "proletariat"),
        ("proletariat", "proletarian"),
        ("revolutionary", "revolution"),
        ("revolution", "revolutionary"),
        ("revolutions", "revolutionaries"),
    ],
)
def test_related_forms(word: str, relative: str) -> None:
    assert relative in related_forms(word)
    assert word not in related_forms(word)


@pytest.mark.parametrize("word", ["war", "ism", "lion", "class", "marx"])
def test_words_without_a_family_suffix_have_no_relatives(word: str) -> None:
    assert related_forms(word) == ()


MARKED = f"…the {MARK_OPEN}Lenin{MARK_CLOSE} quote_a*b {MARK_OPEN}x{MARK_CLOSE}"


@pytest.mark.parametrize(
    ("markers", "expected"),
    [
        (MARKDOWN, r"…the **Lenin** quote\_a\*b **x**"),
        (ANSI, "…the \x1b[1;33mLenin\x1b[0m quote_a*b \x1b[1;33mx\x1b[0m"),
        (PLAIN, "…the Lenin quote_a*b x"),
        (Markers("<b>", "</b>", str.upper), "…THE <b>LENIN</b> QUOTE_A*B <b>X</b>"),
    ],
)
def test_render_snippet(markers: Markers, expected: str) -> None:
    assert render_snippet(MARKED, markers) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a|b ~c~ `d` [e](f) \\", r"a\|b \~c\~ \`d\` \[e\](f) \\"),
        ("- not a list", r"\- not a list"),
        ("# not a heading", r"\# not a heading"),
        ("> not a quote", r"\> not a quote"),
        ("x - y # z > w", "x - y # z > w"),
    ],
)
def test_markdown_escaping(text: str, expected: str) -> None:
    assert render_snippet(text, MARKDOWN) == expected


def test_index_text_removes_control_characters_so_sentinels_cannot_occur() -> None:
    assert index_text(f"a{MARK_OPEN}b\x1b[31m c\x00\n d") == "a b [31m c d"


@pytest.mark.parametrize(
    ("hit", "citation"),
    [
        (Hit("soic", "paragraph", 12, None, None, "", 1.0), "soic §12"),
        (Hit("borochov", "note", 2, "3", None, "", 1.0), "borochov n3"),
    ],
)
def test_hit_citation(hit: Hit, citation: str) -> None:
    assert hit.citation == citation


def test_hit_renders_with_other_markers() -> None:
    hit = Hit("soic", "paragraph", 1, None, None, "", 1.0, marked=MARKED)
    assert hit.render(PLAIN) == "…the Lenin quote_a*b x"


@pytest.mark.parametrize(
    ("report", "text"),
    [
        (IndexReport(unchanged=4, seconds=0.0012), "search index up to date (4 readings, 0.001 s)"),
        (
            IndexReport(("a", "b"), ("c",), 2, 120, 0.5),
            "indexed 2 readings (120 passages), removed 1, 2 unchanged, in 0.500 s",
        ),
    ],
)
def test_index_report(report: IndexReport, text: str) -> None:
    assert str(report) == text
    assert report.changed == bool(report.indexed or report.removed)


def test_empty_query_is_empty() -> None:
    assert SearchQuery().is_empty
    assert SearchQuery().fts == ""
