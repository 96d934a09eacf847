"""/catchup when things go wrong: a database that fails mid-read answers with the apology and
changes nothing; hostile ``since`` text gets one clear line."""

from __future__ import annotations

import sqlite3
from typing import Any

import aiosqlite
import pytest

import bot.storage.summaries
from bot.discord.tree import APOLOGY
from tests.discord.test_catchup import Talked, clock, db, library, make_bot, prompts, talked
from tests.fakediscord import FakeDiscord

__all__ = ["clock", "db", "library", "make_bot", "prompts", "talked"]


async def rows(db: aiosqlite.Connection) -> list[tuple[Any, ...]]:
    queries = (
        "SELECT message_id, author_id, author_name, content FROM replies ORDER BY message_id",
        "SELECT message_id, user_id, emoji FROM reactions ORDER BY message_id, user_id",
        "SELECT id, number, installment_key, posted_at FROM posts ORDER BY id",
        "SELECT user_id FROM opt_outs",
    )
    found: list[tuple[Any, ...]] = []
    for query in queries:
        async with db.execute(query) as cursor:
            found.append(tuple([tuple(r) async for r in cursor]))
    return found


async def test_a_database_failing_mid_read_gets_the_apology_and_changes_nothing(
    fake_discord: FakeDiscord,
    talked: Talked,
    db: aiosqlite.Connection,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = await rows(db)
    assert [len(table) for table in before] == [3, 2, 1, 0]

    read_span = bot.storage.summaries.read_span
    failures = [sqlite3.OperationalError("disk I/O error")]

    async def failing_once(*args: Any, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return await read_span(*args, **kwargs)

    monkeypatch.setattr(bot.storage.summaries, "read_span", failing_once)
    answer = await fake_discord.slash("carol", "catchup", {}, channel="readings").message()
    assert answer.flags & 64 and answer.content == APOLOGY
    assert "disk I/O error" in caplog.text  # logged with its traceback for the organizers
    assert await rows(db) == before
    again = await fake_discord.slash("carol", "catchup", {}, channel="readings").message()
    assert "Since your last reply" in again.embeds[0]["description"]


@pytest.mark.parametrize(
    "since",
    ["\u202e2 weeks", "2 weeks; DROP TABLE replies", "<@&1> 2 weeks", "x" * 6000, "２ weeks"],
)
async def test_hostile_since_text_gets_one_line_and_no_ping(
    fake_discord: FakeDiscord, talked: Talked, db: aiosqlite.Connection, since: str
) -> None:
    before = await rows(db)
    answer = await fake_discord.slash(
        "carol", "catchup", {"since": since}, channel="readings"
    ).message()
    assert answer.flags & 64
    assert "\n" not in answer.content and len(answer.content) <= 2000
    assert "is not a day or a duration" in answer.content or answer.embeds
    assert await rows(db) == before
    fake_discord.assert_no_pings()
