"""Fixtures for Discord end-to-end tests: a fake Discord and real discord.py clients on it.

``fake_discord`` starts the fake on 127.0.0.1 and points discord.py at it; at teardown it
fails the test if the bot sent anything Discord would reject, hit an unknown route or could
ping someone (unless the test took the violations or allowed the pings). ``start_bot`` starts
any client against it and stops it before the fake goes away.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiosqlite
import discord
import pytest

from bot.storage.connection import Connection
from bot.storage.database import open_database
from tests.fakediscord import FakeDiscord, RunningClient, patch_discord, start_client

StartBot = Callable[..., Awaitable[RunningClient]]


@pytest.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """A running fake Discord that discord.py talks to; checked at teardown."""
    fake = FakeDiscord()
    await fake.start()
    patch_discord(fake, monkeypatch)
    try:
        yield fake
    finally:
        await fake.close()
    fake.check()


@pytest.fixture
async def start_bot(fake_discord: FakeDiscord) -> AsyncIterator[StartBot]:
    """``await start_bot(client, token=None, wait_ready=True, timeout=5.0)`` -> RunningClient.

    A client is ready as soon as its guilds have come (see ``GUILD_READY_TIMEOUT``); build it
    with ``guild_ready_timeout=0.1`` so a guild that never comes is not waited for long. Every
    client started here is closed at teardown (a crash it had is re-raised).
    """
    running: list[RunningClient] = []

    async def start(
        client: discord.Client,
        *,
        token: str | None = None,
        wait_ready: bool = True,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test API takes timeouts
    ) -> RunningClient:
        runner = RunningClient(
            fake_discord, client, fake_discord.config.token if token is None else token
        )
        running.append(runner)
        await runner.start(wait_ready=wait_ready, timeout=timeout)
        return runner

    yield start
    for runner in reversed(running):
        await runner.stop()


@pytest.fixture
async def index(db: Connection, tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    """The bot's library index for the test's ``db``: ``db`` itself on SQLite (one file, as the
    bot runs), else a SQLite file of its own beside the PostgreSQL state."""
    if isinstance(db, aiosqlite.Connection):
        yield db
        return
    async with open_database(tmp_path / "index.sqlite3") as connection:
        yield connection


__all__ = ["StartBot", "start_client"]
