"""The bot end to end with its state in PostgreSQL (DATABASE_URL) and its library index in a
SQLite file beside it: the same Discord tests as on SQLite, for posting exactly once, the
reply log, and a member's forget.

The tests are the SQLite ones, imported: pytest runs them here with this module's ``db``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiosqlite
import pytest

from bot.storage.postgres import PostgresConnection, open_postgres
from tests.discord import scheduling
from tests.discord.scheduling import MakeBot, group_config
from tests.discord.test_discussion import (
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
    "posted",
    "prompts",
    "test_a_due_slot_makes_exactly_one_post_with_its_thread",
    "test_after_downtime_one_late_post_then_the_schedule_goes_on",
    "test_an_unconfirmed_claim_not_in_the_channel_is_posted_once",
    "test_an_unconfirmed_claim_whose_post_is_in_the_channel_is_not_posted_again",
    "test_edits_and_deletes_are_mirrored",
    "test_forget_asks_first_and_then_erases",
    "test_reactions_are_counted_per_emoji",
    "test_replies_written_while_the_bot_was_down_are_logged_once",
    "test_shutdown_flushes_pending_writes",
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
