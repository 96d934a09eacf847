"""Chaos: the bot process is SIGKILLed again and again during a burst of replies. Every reply
the fake Discord accepted ends up in the database exactly once."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.discord.botprocess import BotProcess, stored_posts
from tests.discord.botprocess import bot_process as bot_process
from tests.fakediscord import FakeDiscord

pytestmark = pytest.mark.slow

KILLS = 4
BURST = 40


def logged_ids(database: Path) -> list[int]:
    with closing(sqlite3.connect(database)) as connection:
        return [row[0] for row in connection.execute("SELECT message_id FROM replies")]


def posted(database: Path) -> bool:
    """Whether the bot has confirmed its first post (False before it made the database)."""
    try:
        return any(posted_at is not None for _, posted_at in stored_posts(database))
    except sqlite3.OperationalError:  # the tables are not there yet
        return False


async def test_kills_during_a_burst_lose_no_reply_and_log_none_twice(
    fake_discord: FakeDiscord, bot_process: BotProcess, tmp_path: Path
) -> None:
    fake = fake_discord
    database = tmp_path / "bot.sqlite3"
    await bot_process.start()
    await fake.wait_for(
        lambda: posted(database),
        timeout=20,
        what="the first installment to be posted",
    )
    (thread,) = fake.threads("readings")
    accepted: list[int] = []

    async def burst(label: str) -> None:
        for n in range(BURST):
            author = ("alice", "bob", "organizer")[n % 3]
            accepted.append(fake.post(author, thread, f"{label} reply {n}").id)
            await asyncio.sleep(0.002)  # the bot process works while the burst goes on

    for kill in range(KILLS):
        identified = len(fake.gateway.identifies)
        talking = asyncio.create_task(burst(f"round {kill}"))
        await asyncio.sleep(0.04)  # part of the burst reaches the bot, part does not
        await bot_process.kill()
        await talking  # the rest of the burst happens while the bot is dead
        await bot_process.start()
        await fake.wait_for(
            lambda: len(fake.gateway.identifies) > identified,  # noqa: B023
            timeout=20,
            what="the restarted bot to connect",
        )
    await burst("final")
    await fake.wait_for(
        lambda: sorted(logged_ids(database)) == sorted(accepted),
        timeout=30,
        what=f"all {len(accepted)} accepted replies in the database",
    )
    assert await bot_process.stop() == 0
    ids = logged_ids(database)
    assert len(ids) == len(set(ids)) == len(accepted) == (KILLS + 1) * BURST
    log = (tmp_path / "bot.log").read_text()
    assert "Caught up on" in log
