"""Full-text search over a real SQLite index: sync, ranking, snippets, filters, hostile input."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import aiosqlite
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.instants import format_instant, parse_instant
from bot.core.readings import Library, Reading, load_library, plain_text
from bot.core.search import ANSI, MAX_TOKENS, PLAIN, SearchResults
from bot.storage.search import MAX_LIMIT, search, sync_index
from tests.core.conftest import make_reading as build_reading

READINGS_DIR = Path(__file__).resolve().parents[2] / "readings"


def make_reading(
    slug: str,
    paragraphs: list[str],
    *,
    sections: dict[int, str] | None = None,
    notes: dict[str, str] | None = None,
) -> Reading:
    return build_reading(slug, slug.title(), paragraphs, sections=sections, notes=notes)


SOIC = make_reading(
    "soic",
    [
        "Internationalism is a fundamental cornerstone of Marxism.",
        "Socialism in one country asserts that revolution should first occur in one country.",
        "The international proletariat is unified against the international bourgeoisie.",
        "One could ask which country came first, and whether one answer fits all.",
        "Engels wrote that the communist revolution will not merely be a national one.[^1]",
    ],
    sections={2: "What is Socialism In One Country?", 5: "Critique"},
    notes={"1": "Principles of Communism, written by Engels in 1847."},
)
PI = make_reading(
    "pi",
    [
        "Proletarian internationalists oppose every reactionary war.",
        "The workers' café discussed the résumé of the revolutionary congress.",
        "Capital and labour: a line with markup chars a|b and ~tilde~.",
    ],
)
LIBRARY = Library((SOIC, PI))


@pytest.fixture
def db(sqlite_db: aiosqlite.Connection) -> aiosqlite.Connection:
    """The library index is always a SQLite file: these tests run on SQLite alone."""
    return sqlite_db


@pytest.fixture
async def indexed(db: aiosqlite.Connection) -> aiosqlite.Connection:
    await sync_index(db, LIBRARY)
    return db


async def locations(db: aiosqlite.Connection, query: str, **kwargs: object) -> list[str]:
    return [hit.citation for hit in await search(db, query, **kwargs)]  # type: ignore[arg-type]


async def test_the_index_stamps_each_reading_in_the_one_stored_form(
    indexed: aiosqlite.Connection,
) -> None:
    async with indexed.execute("SELECT slug, indexed_at FROM readings ORDER BY slug") as cursor:
        rows = [(row[0], row[1]) async for row in cursor]
    assert [slug for slug, _ in rows] == sorted([SOIC.slug, PI.slug])
    for _, stamp in rows:
        assert format_instant(parse_instant(stamp)) == stamp  # fixed width, microseconds kept


# Ranking and matching


async def test_a_paragraph_with_the_term_twice_outranks_one_with_it_once(
    db: aiosqlite.Connection,
) -> None:
    reading = make_reading(
        "rank",
        [
            "Apples grow on trees near the river bank today.",
            "Pears and pears grow on trees near the river bank.",
            "Pears grow on trees near the river bank today too.",
        ],
    )
    await sync_index(db, Library((reading,)))
    hits = await search(db, "pears")
    assert [hit.number for hit in hits] == [2, 3]
    assert hits[0].score > hits[1].score > 0


async def test_words_match_anywhere_but_a_phrase_only_in_order(
    indexed: aiosqlite.Connection,
) -> None:
    assert sorted(await locations(indexed, "one country")) == ["soic §2", "soic §4"]
    assert await locations(indexed, '"one country"') == ["soic §2"]
    assert await locations(indexed, "“one country”") == ["soic §2"]


async def test_all_words_are_required(indexed: aiosqlite.Connection) -> None:
    assert await locations(indexed, "engels revolution") == ["soic §5"]


async def test_reading_filter(indexed: aiosqlite.Connection) -> None:
    assert {hit.slug for hit in await search(indexed, "internationalism")} == {"soic", "pi"}
    assert await locations(indexed, "internationalism", reading="pi") == ["pi §1"]
    assert await locations(indexed, "internationalism", reading="nowhere") == []
    assert await locations(indexed, "internationalism", reading="not a slug!") == []


async def test_notes_are_searchable(indexed: aiosqlite.Connection) -> None:
    hits = await search(indexed, "1847")
    assert [(h.slug, h.kind, h.number, h.label, h.citation) for h in hits] == [
        ("soic", "note", 1, "1", "soic n1")
    ]
    assert set(await locations(indexed, "engels")) == {"soic §5", "soic n1"}


async def test_hits_carry_the_section(indexed: aiosqlite.Connection) -> None:
    hits = await search(indexed, "bourgeoisie")
    assert [(h.number, h.section) for h in hits] == [(3, "What is Socialism In One Country?")]


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("internationalist", "internationalism"),
        ("internationalism", "internationalist"),
        ("nationalist", "nationalism"),
        ("nationalism", "nationalist"),
        ("revolutionary", "revolution"),
        ("revolution", "revolutionary"),
        ("socialists", "socialism"),
        ("socialism", "socialists"),
        ("proletarian", "proletariat"),
        ("proletariat", "proletarian"),
        ("workers", "worker"),
        ("cafe", "café"),
        ("café", "cafe"),
        ("ÉNGELS", "Engels"),
        ("internat*", "internationalists"),
    ],
)
async def test_related_forms_and_accents_match(
    db: aiosqlite.Connection, query: str, text: str
) -> None:
    reading = make_reading("forms", [f"A paragraph about {text} here.", "Nothing else."])
    await sync_index(db, Library((reading,)))
    assert await locations(db, query) == ["forms §1"]


async def test_a_quoted_word_matches_only_its_own_stem(db: aiosqlite.Connection) -> None:
    reading = make_reading("forms", ["About internationalism.", "About internationalists."])
    await sync_index(db, Library((reading,)))
    assert await locations(db, '"internationalist"') == ["forms §2"]
    assert sorted(await locations(db, "internationalist")) == ["forms §1", "forms §2"]


async def test_limit(db: aiosqlite.Connection) -> None:
    reading = make_reading("many", [f"Paragraph {n} about labour." for n in range(1, 121)])
    await sync_index(db, Library((reading,)))
    assert len(await search(db, "labour", limit=3)) == 3
    assert len(await search(db, "labour", limit=0)) == 0
    assert len(await search(db, "labour", limit=-5)) == 0
    assert len(await search(db, "labour", limit=1000)) == MAX_LIMIT


# Common words and broad queries


async def test_common_words_are_left_out_when_the_query_has_other_words(
    db: aiosqlite.Connection,
) -> None:
    reading = make_reading(
        "x", ["A market day in town.", "The market opened at dawn.", "The end of the day."]
    )
    await sync_index(db, Library((reading,)))
    results = await search(db, "the market")
    assert sorted(hit.citation for hit in results) == ["x §1", "x §2"]
    assert results.ignored == ("the",)
    assert await locations(db, '"the market"') == ["x §2"]
    assert (await search(db, '"the market"')).ignored == ()


async def test_a_query_of_only_common_words_needs_them_all_in_any_order(
    db: aiosqlite.Connection,
) -> None:
    reading = make_reading(
        "x", ["So that it is done.", "It is that, so it is.", "Is it that?", "It is.", "Nothing."]
    )
    await sync_index(db, Library((reading,)))
    results = await search(db, "that it is")
    assert sorted(hit.citation for hit in results) == ["x §1", "x §2", "x §3"]
    assert results.ignored == ()
    assert sorted(await locations(db, "is it that")) == ["x §1", "x §2", "x §3"]
    assert sorted(await locations(db, "so it")) == sorted(await locations(db, "it so"))
    assert sorted(await locations(db, "is")) == ["x §1", "x §2", "x §3", "x §4"]


def labour_reading(slug: str) -> Reading:
    """Three long paragraphs that mention labour once, then three that are about nothing else:
    BM25 puts the last three first."""
    long = "Labour is mentioned once in this rather long paragraph about capital and wages."
    return make_reading(slug, [long, long, long, *(["Labour, labour, capital."] * 3)])


async def test_a_broad_query_ranks_only_its_first_matches(
    db: aiosqlite.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    await sync_index(db, Library((labour_reading("x"),)))
    assert [hit.number for hit in await search(db, "labour")][:3] == [4, 5, 6]
    monkeypatch.setattr("bot.storage.search.RANKED", 3)
    assert sorted(hit.number for hit in await search(db, "labour")) == [1, 2, 3]
    # Two words that are not common are never capped: every match is ranked.
    assert [hit.number for hit in await search(db, "labour capital")][:3] == [4, 5, 6]


async def test_the_cap_counts_matches_within_the_reading_searched(
    db: aiosqlite.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    await sync_index(db, Library((labour_reading("a"), labour_reading("b"))))
    monkeypatch.setattr("bot.storage.search.RANKED", 2)
    assert await locations(db, "labour", reading="b") == ["b §1", "b §2"]
    assert sorted(await locations(db, "labour")) == ["a §1", "a §2"]


@pytest.mark.parametrize("query", ["of the", '"the labour"', '"labour of the day"'])
async def test_common_words_only_or_in_a_phrase_give_the_first_matches_in_reading_order(
    db: aiosqlite.Connection, query: str
) -> None:
    # BM25 would put the short paragraphs first; these queries are answered in reading order.
    long = "The labour of the day, the labour of the night, and much else besides in this one."
    reading = make_reading("x", [long, long, "The labour of the day.", "The labour of the day."])
    await sync_index(db, Library((reading,)))
    results = await search(db, query, limit=3)
    assert [hit.number for hit in results] == [1, 2, 3]
    assert results.in_reading_order
    assert [hit.score for hit in results] == [0.0, 0.0, 0.0]


async def test_a_phrase_without_common_words_is_still_ranked(db: aiosqlite.Connection) -> None:
    long = "Labour power is mentioned once in this rather long paragraph about capital and wages."
    reading = make_reading("x", [long, long, "Labour power.", "Labour power."])
    await sync_index(db, Library((reading,)))
    results = await search(db, '"labour power"')
    assert [hit.number for hit in results][:2] == [3, 4]
    assert not results.in_reading_order


# Snippets


async def test_snippets_mark_matches_in_markdown_by_default(indexed: aiosqlite.Connection) -> None:
    (hit,) = await search(indexed, "bourgeoisie")
    assert hit.snippet == (
        "The international proletariat is unified against the international **bourgeoisie**."
    )


@pytest.mark.parametrize(
    ("markers", "snippet"),
    [
        (ANSI, "Capital and \x1b[1;33mlabour\x1b[0m: a line with markup chars a|b and ~tilde~."),
        (PLAIN, "Capital and labour: a line with markup chars a|b and ~tilde~."),
    ],
)
async def test_snippet_markers_are_configurable(
    indexed: aiosqlite.Connection, markers: object, snippet: str
) -> None:
    (hit,) = await search(indexed, "labour", markers=markers)  # type: ignore[arg-type]
    assert hit.snippet == snippet
    assert hit.render(PLAIN) == "Capital and labour: a line with markup chars a|b and ~tilde~."


async def test_markdown_snippets_escape_the_text(indexed: aiosqlite.Connection) -> None:
    (hit,) = await search(indexed, "labour")
    assert hit.snippet == r"Capital and **labour**: a line with markup chars a\|b and \~tilde\~."


async def test_a_phrase_is_highlighted_and_long_text_is_cut(indexed: aiosqlite.Connection) -> None:
    (hit,) = await search(indexed, '"first occur"', snippet_tokens=5)
    assert hit.snippet == "…should **first occur** in one…"


# Hostile input


@pytest.mark.parametrize(
    ("query", "nothing_to_search", "found"),
    [
        ('"', True, []),
        ('""', True, []),
        ("*", True, []),
        ("(", True, []),
        (")))", True, []),
        ("-", True, []),
        (":", True, []),
        ("^", True, []),
        ("😀🚩", True, []),
        ("", True, []),
        ("   \t\n ", True, []),
        ("\x00", True, []),
        ("NEAR(", False, []),
        ("AND", False, ["soic §4", "pi §3"]),  # a common word: the first matches in reading order
        ("OR NOT", False, []),
        ("body:", False, []),
        ("body:labour", False, []),
        ('"labour', False, ["pi §3"]),
        ('labour"', False, ["pi §3"]),
        ("labour*", False, ["pi §3"]),
        ("(capital AND labour", False, ["pi §3"]),
        ("-capital ^labour", False, ["pi §3"]),
        ("capital:", False, ["pi §3"]),
        ("labour\x00", False, ["pi §3"]),
        ("labour 😀", False, ["pi §3"]),
        ("labour\udcff", False, ["pi §3"]),  # undecodable bytes in a command-line argument
        ("NEAR(capital labour, 2)", False, []),
        ('"capital" "labour', False, ["pi §3"]),
        ("x" * 10_000, False, []),
        ("labour " * 2_000, False, ["pi §3"]),
    ],
)
async def test_any_input_is_safe(
    indexed: aiosqlite.Connection, query: str, nothing_to_search: bool, found: list[str]
) -> None:
    results = await search(indexed, query)
    assert isinstance(results, SearchResults)
    assert results.nothing_to_search == nothing_to_search
    assert [hit.citation for hit in results] == found


async def test_a_long_query_is_cut_and_says_so(indexed: aiosqlite.Connection) -> None:
    words = ["capital", "labour"] + [f"w{n}" for n in range(MAX_TOKENS)]
    results = await search(indexed, " ".join(words))
    assert results.truncated
    assert results == []  # the first 32 words include w0..w29, found nowhere
    short = await search(indexed, "capital labour")
    assert not short.truncated
    assert [hit.citation for hit in short] == ["pi §3"]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query=st.text(), reading=st.none() | st.sampled_from(["soic", "pi"]) | st.text())
async def test_search_never_raises(
    indexed: aiosqlite.Connection, query: str, reading: str | None
) -> None:
    results = await search(indexed, query, reading=reading)
    assert len(results) <= 10
    assert all(reading is None or hit.slug == reading for hit in results)


# Index sync


async def count_rows(db: aiosqlite.Connection, slug: str) -> int:
    async with db.execute("SELECT count(*) FROM paragraphs WHERE slug = ?", (slug,)) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def test_first_sync_indexes_everything(db: aiosqlite.Connection) -> None:
    report = await sync_index(db, LIBRARY)
    assert (report.indexed, report.removed, report.unchanged) == (("soic", "pi"), (), 0)
    assert report.rows == 5 + 1 + 3
    assert report.seconds >= 0
    assert (await count_rows(db, "soic"), await count_rows(db, "pi")) == (6, 3)


async def test_an_unchanged_library_writes_nothing(indexed: aiosqlite.Connection) -> None:
    before = indexed.total_changes
    report = await sync_index(indexed, LIBRARY)
    assert not report.changed
    assert report.unchanged == 2
    assert indexed.total_changes == before


async def test_only_a_changed_reading_is_reindexed(indexed: aiosqlite.Connection) -> None:
    changed = make_reading("pi", ["Proletarian internationalists oppose every tariff."])
    report = await sync_index(indexed, Library((SOIC, changed)))
    assert (report.indexed, report.removed, report.unchanged, report.rows) == (("pi",), (), 1, 1)
    assert await locations(indexed, "tariff") == ["pi §1"]
    assert await locations(indexed, "café") == []
    assert await count_rows(indexed, "pi") == 1
    assert await locations(indexed, "bourgeoisie") == ["soic §3"]


async def test_a_removed_reading_leaves_no_rows(indexed: aiosqlite.Connection) -> None:
    report = await sync_index(indexed, Library((SOIC,)))
    assert (report.indexed, report.removed, report.unchanged) == ((), ("pi",), 1)
    assert await count_rows(indexed, "pi") == 0
    assert await locations(indexed, "café") == []
    assert await locations(indexed, "internationalism") == ["soic §1"]
    await integrity_check(indexed)


async def test_changing_every_reading_rebuilds_the_index(indexed: aiosqlite.Connection) -> None:
    new = make_reading("new", ["Entirely new text about tariffs."])
    report = await sync_index(indexed, Library((new,)))
    assert (report.indexed, report.removed) == (("new",), ("pi", "soic"))
    assert await locations(indexed, "tariff") == ["new §1"]
    assert await locations(indexed, "internationalism") == []
    await integrity_check(indexed)


EXTRA = make_reading("extra", ["An unrelated reading about fisheries."])


@pytest.mark.parametrize(
    "unchanged",
    [(), (EXTRA,)],
    ids=["every reading changes", "one reading stays"],
)
async def test_a_failed_sync_leaves_the_old_index_intact(
    db: aiosqlite.Connection, unchanged: tuple[Reading, ...]
) -> None:
    await sync_index(db, Library((SOIC, PI, *unchanged)))
    changed_soic = make_reading("soic", ["A rewritten first paragraph about tariffs."])
    first = PI.paragraphs[0]
    # Two paragraphs numbered 1: the UNIQUE constraint fails after soic was already rewritten.
    broken_pi = dataclasses.replace(PI, paragraphs=(first, first), content_hash="broken")
    with pytest.raises(sqlite3.IntegrityError):
        await sync_index(db, Library((changed_soic, broken_pi, *unchanged)))
    assert not db.in_transaction
    assert await locations(db, "tariff") == []
    assert await locations(db, "bourgeoisie") == ["soic §3"]
    assert await locations(db, "café") == ["pi §2"]
    assert (await count_rows(db, "soic"), await count_rows(db, "pi")) == (6, 3)
    await integrity_check(db)
    report = await sync_index(db, Library((changed_soic, PI, *unchanged)))
    assert report.indexed == ("soic",)
    assert await locations(db, "tariff") == ["soic §1"]


async def integrity_check(db: aiosqlite.Connection) -> None:
    """FTS5 checks its index against the content table and raises if they disagree."""
    query = "INSERT INTO paragraphs_fts (paragraphs_fts, rank) VALUES ('integrity-check', 1)"
    await db.execute(query)


# The shipped readings


def shipped_library() -> Library:
    if not READINGS_DIR.is_dir() or not any(READINGS_DIR.glob("*.md")):
        pytest.skip("no readings shipped yet")
    return load_library(READINGS_DIR)


async def test_every_shipped_paragraph_and_note_can_be_found(db: aiosqlite.Connection) -> None:
    library = shipped_library()
    report = await sync_index(db, library)
    assert report.indexed == tuple(reading.slug for reading in library)
    for reading in library:
        passages = [(f"{reading.slug} §{p.number}", p.plain) for p in reading.paragraphs]
        passages += [(f"{reading.slug} n{n.label}", plain_text(n.text)) for n in reading.footnotes]
        for citation, text in passages:
            # The passage's own first words, as a phrase, find the passage within its reading.
            words = " ".join(text.split()[:6])
            hits = await search(db, f'"{words}"', reading=reading.slug, limit=MAX_LIMIT)
            assert citation in [hit.citation for hit in hits], (citation, words)
    assert not (await sync_index(db, library)).changed


async def test_changing_the_index_version_rebuilds_everything(
    db: aiosqlite.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = Library((PI,))
    await sync_index(db, library)
    assert (await sync_index(db, library)).indexed == ()
    monkeypatch.setattr("bot.storage.search.INDEX_VERSION", 999)
    assert (await sync_index(db, library)).indexed == (PI.slug,)
