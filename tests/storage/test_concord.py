"""The concordance over a real SQLite index: word forms folded as search folds them, order,
counts, one reading, hostile terms."""

from __future__ import annotations

import aiosqlite
import pytest

from bot.core.search import STARS
from bot.storage.concord import concordance
from bot.storage.search import sync_index
from tests.storage.test_search import LIBRARY


@pytest.fixture
def db(sqlite_db: aiosqlite.Connection) -> aiosqlite.Connection:
    """The library index is always a SQLite file: these tests run on SQLite alone."""
    return sqlite_db


@pytest.fixture
async def indexed(db: aiosqlite.Connection) -> aiosqlite.Connection:
    await sync_index(db, LIBRARY)
    return db


async def test_word_forms_fold_as_search_folds_them(indexed: aiosqlite.Connection) -> None:
    found = await concordance(indexed, LIBRARY, "internationalist")
    assert [(line.citation, line.render(STARS)) for line in found.lines] == [
        ("soic §1.1", "**Internationalism** is a fundamental cornerstone of Marxism."),
        ("pi §1.1", "Proletarian **internationalists** oppose every reactionary war."),
    ]
    assert [(u.slug, u.passages, u.positions) for u in found.readings] == [
        ("soic", 1, (1,)),
        ("pi", 1, (1,)),
    ]


async def test_every_use_in_a_passage_is_a_line_in_library_order(
    indexed: aiosqlite.Connection,
) -> None:
    found = await concordance(indexed, LIBRARY, "country")
    assert [line.citation for line in found.lines] == ["soic §2.1", "soic §2.1", "soic §4.1"]
    assert found.passages == 2 and found.complete


async def test_notes_are_lines_too(indexed: aiosqlite.Connection) -> None:
    found = await concordance(indexed, LIBRARY, "engels")
    assert [line.citation for line in found.lines] == ["soic §5.1", "soic n1"]
    assert found.readings[0].positions == (5,)


async def test_one_reading(indexed: aiosqlite.Connection) -> None:
    found = await concordance(indexed, LIBRARY, "revolution", reading="pi")
    assert [line.citation for line in found.lines] == ["pi §2.1"]
    assert [u.slug for u in found.readings] == ["pi"]


async def test_lines_for_the_first_passages_and_counts_for_all(
    indexed: aiosqlite.Connection,
) -> None:
    found = await concordance(indexed, LIBRARY, "internationalist", passages=1)
    assert [line.citation for line in found.lines] == ["soic §1.1"]
    assert found.passages == 2 and found.shown == 1 and not found.complete


@pytest.mark.parametrize(
    "term",
    [
        'country*" OR',
        "country:",
        "^country",
        "-country",
        '"country',
        "(country) AND",
    ],
)
async def test_query_syntax_is_text(indexed: aiosqlite.Connection, term: str) -> None:
    found = await concordance(indexed, LIBRARY, term)
    assert "soic §2.1" in [line.citation for line in found.lines]


@pytest.mark.parametrize("term", ["", "   ", "?!…", "🙂", "*"])
async def test_nothing_to_search(indexed: aiosqlite.Connection, term: str) -> None:
    found = await concordance(indexed, LIBRARY, term)
    assert found.nothing_to_search and not found.readings and not found.lines


async def test_no_matches_and_unknown_reading(indexed: aiosqlite.Connection) -> None:
    assert not (await concordance(indexed, LIBRARY, "zebra")).readings
    assert not (await concordance(indexed, LIBRARY, "country", reading="Not A Slug")).readings


async def test_a_very_long_term_is_cut_and_says_so(indexed: aiosqlite.Connection) -> None:
    found = await concordance(indexed, LIBRARY, "country " * 5000)
    assert found.query.truncated and found.passages == 2
