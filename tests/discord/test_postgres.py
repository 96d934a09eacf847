"""The bot end to end with its state in PostgreSQL (DATABASE_URL) and its library index in a
SQLite file beside it: the same Discord tests as on SQLite, for posting exactly once, the
reply log, a member's forget, and quote checking (its keys mapped beside the index file).

The tests are the SQLite ones, imported: pytest runs them here with this module's ``db``.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import aiosqlite
import pytest

from bot.storage.postgres import PostgresConnection, open_postgres
from tests.discord import scheduling
from tests.discord.scheduling import Clock, MakeBot, group_config
from tests.discord.test_discussion import (
    Posted,
    logged,
    posted,
    test_edits_and_deletes_are_mirrored,
    test_forget_asks_first_and_then_erases,
    test_reactions_are_counted_per_emoji,
    test_replies_written_while_the_bot_was_down_are_logged_once,
    test_shutdown_flushes_pending_writes,
    test_thread_replies_and_replies_to_the_post_are_logged,
)
from tests.discord.test_posting import (
    test_a_due_slot_makes_exactly_one_post_with_its_thread,
    test_after_downtime_one_late_post_then_the_schedule_goes_on,
    test_an_unconfirmed_claim_not_in_the_channel_is_posted_once,
    test_an_unconfirmed_claim_whose_post_is_in_the_channel_is_not_posted_again,
)
from tests.discord.test_quotes import (
    passage,
    start,
    test_a_quote_gets_a_book_reaction_and_is_kept,
    test_the_weekly_summary_counts_the_most_quoted_passages,
)
from tests.fakediscord import FakeDiscord

# The scheduling fixtures these tests use, by name; ``db`` is PostgreSQL's below.
clock, library, make_bot, prompts = (
    scheduling.clock,
    scheduling.library,
    scheduling.make_bot,
    scheduling.prompts,
)

__all__ = [
    "clock",
    "library",
    "make_bot",
    "passage",
    "posted",
    "prompts",
    "start",
    "test_a_due_slot_makes_exactly_one_post_with_its_thread",
    "test_a_quote_gets_a_book_reaction_and_is_kept",
    "test_after_downtime_one_late_post_then_the_schedule_goes_on",
    "test_an_unconfirmed_claim_not_in_the_channel_is_posted_once",
    "test_an_unconfirmed_claim_whose_post_is_in_the_channel_is_not_posted_again",
    "test_edits_and_deletes_are_mirrored",
    "test_forget_asks_first_and_then_erases",
    "test_reactions_are_counted_per_emoji",
    "test_replies_written_while_the_bot_was_down_are_logged_once",
    "test_shutdown_flushes_pending_writes",
    "test_the_weekly_summary_counts_the_most_quoted_passages",
    "test_thread_replies_and_replies_to_the_post_are_logged",
]


@pytest.fixture
async def db(postgres_url: str) -> AsyncIterator[PostgresConnection]:
    """The bot's state: a fresh PostgreSQL database, migrated."""
    async with open_postgres(postgres_url) as connection:
        yield connection


async def test_the_bot_keeps_its_state_in_postgresql_and_its_index_in_sqlite(
    fake_discord: FakeDiscord, make_bot: MakeBot, db: PostgresConnection
) -> None:
    bot = await make_bot([group_config(fake_discord.readings.id)])
    assert bot.db is db
    assert isinstance(bot.index, aiosqlite.Connection)
    async with bot.index.execute("SELECT count(*) FROM readings") as cursor:
        assert [tuple(row) for row in await cursor.fetchall()] == [(len(bot.library),)]
    async with db.execute("SELECT channel_id FROM groups") as cursor:
        assert await cursor.fetchall() == [(fake_discord.readings.id,)]
    async with bot.index.execute("SELECT count(*) FROM groups") as cursor:
        assert [tuple(row) for row in await cursor.fetchall()] == [(0,)]


async def test_replies_are_logged_after_the_server_dropped_the_bots_connection(
    fake_discord: FakeDiscord, posted: Posted, db: PostgresConnection, postgres_url: str
) -> None:
    fake_discord.post("alice", posted.thread_id, "before")
    await logged(fake_discord, db, "SELECT count(*) FROM replies", [(1,)])
    drop = """
        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
    """
    async with open_postgres(postgres_url) as admin:
        await admin.execute(drop)  # the bot's connection (db is the bot's)
    await fake_discord.wait_for(db.raw.is_closed, what="the bot's connection to drop")
    fake_discord.post("alice", posted.thread_id, "after")
    await logged(
        fake_discord,
        db,
        "SELECT content FROM replies ORDER BY message_id",
        [("before",), ("after",)],
    )


async def test_a_tick_while_the_server_is_unreachable_is_one_line_and_the_next_one_posts(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    db: PostgresConnection,
    postgres_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = await make_bot([group_config(fake_discord.readings.id)])
    clock.set(scheduling.FIRST_SLOT)
    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db.url = postgres_url.replace(f":{urlsplit(postgres_url).port}/", f":{port}/")
    async with open_postgres(postgres_url) as admin:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    await fake_discord.wait_for(db.raw.is_closed, what="the bot's connection to drop")
    ticks = scheduling.scheduler(bot)
    caplog.set_level(logging.INFO, logger=ticks.log.name)
    await ticks.ticker.coro(ticks)  # the loop's body, as its schedule runs it
    (record,) = [r for r in caplog.records if r.name == ticks.log.name]
    assert record.getMessage().startswith(
        f"The tick of {ticks.what} failed: PostgreSQL at 127.0.0.1:{port}/"
    )
    assert record.getMessage().endswith("; trying again at the next tick")
    assert record.exc_info is None
    assert scheduling.post_messages(fake_discord, "readings") == []
    db.url = postgres_url  # the server is back
    await scheduling.tick(bot)
    assert len(scheduling.post_messages(fake_discord, "readings")) == 1
