"""/concord under faults: the image cannot be drawn, the index and the library disagree, lines
far longer than any page. A concordance only reads: each test checks nothing was written."""

from __future__ import annotations

import logging

import aiosqlite
import pytest

from bot.client import ReadingGroupBot
from bot.core.concord import Concordance, Line, Passage
from bot.core.readings import Library
from bot.core.search import MARK_CLOSE, MARK_OPEN, parse_query
from bot.discord import concord_render
from bot.discord.concord_render import LINES_PER_PAGE, concord_page
from bot.discord.render import DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT
from bot.storage.concord import concordance
from bot.storage.search import sync_index
from tests.discord.test_library import EPHEMERAL, bot, library  # noqa: F401  (fixtures)
from tests.fakediscord import FakeDiscord
from tests.storage.test_search import LIBRARY, PI, SOIC


@pytest.fixture
def db(sqlite_db: aiosqlite.Connection) -> aiosqlite.Connection:
    """The library index is always a SQLite file: SQLite alone."""
    return sqlite_db


async def rows(db: aiosqlite.Connection) -> list[tuple[str, int]]:
    query = "SELECT slug, count(*) FROM paragraphs GROUP BY slug ORDER BY slug"
    return [(str(r[0]), int(r[1])) for r in await db.execute_fetchall(query)]


async def test_when_the_image_cannot_be_drawn_the_lines_still_go_out(
    fake_discord: FakeDiscord,
    bot: ReadingGroupBot,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(found: Concordance) -> bytes:
        raise OSError("no space left on device")

    monkeypatch.setattr(concord_render, "render_dispersion", broken)
    before = await rows(bot.db)
    with caplog.at_level(logging.ERROR):
        message = await fake_discord.slash("alice", "concord", {"term": "Engels"}).message()
    assert message.flags & EPHEMERAL
    (embed,) = message.embeds
    assert "**Engels**" in embed["description"]
    assert "image" not in embed and message.attachments == []
    assert "could not draw the dispersion" in caplog.text
    assert await rows(bot.db) == before
    replies = await bot.db.execute_fetchall("SELECT count(*) FROM replies")
    assert [tuple(row) for row in replies] == [(0,)]


async def test_an_index_that_lags_the_library_gives_what_both_have(
    db: aiosqlite.Connection,
) -> None:
    await sync_index(db, Library((SOIC,)))  # "pi" was added to the files since
    found = await concordance(db, LIBRARY, "internationalist")
    assert [u.slug for u in found.readings] == ["soic"]
    # ...and one the library no longer has is left out, not shown with a stale citation.
    await sync_index(db, LIBRARY)
    found = await concordance(db, Library((PI,)), "internationalist")
    assert [line.citation for line in found.lines] == ["pi §1.1"]
    assert await rows(db) == [("pi", 3), ("soic", 6)]


def test_pages_of_enormous_lines_stay_within_discord_limits() -> None:
    passage = Passage(1, "soic", "paragraph", 1)
    marked = f"{'[*_~`]' * 300} {MARK_OPEN}{'x' * 3000}{MARK_CLOSE} {'>' * 900}"
    found = Concordance(
        parse_query("x"),
        marked=((passage, marked),) * LINES_PER_PAGE * 2,
        shown=LINES_PER_PAGE * 2,
        library=LIBRARY,
    )
    for index in (0, 1):
        embed = concord_page(found, "x" * 5000, index, image=True)
        assert len(embed.description or "") <= DESCRIPTION_LIMIT
        assert len(embed) <= EMBED_TOTAL_LIMIT
        assert len(embed.title or "") <= 256


def test_a_line_escapes_what_discord_would_read_as_markup() -> None:
    line = Line("soic", "paragraph", 1, None, 1, "@everyone [a](b) ", "*x*", " <@&1>")
    assert line.render() == "@everyone \\[a\\](b) **\\*x\\*** <@&1>"
