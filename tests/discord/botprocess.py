"""The real bot in its own process against a fake Discord: `python -m tests.discord.botprocess`.

Tests use :class:`BotProcess` (and the ``bot_process`` fixture) to start it and kill it.

For tests that kill the bot for real (SIGKILL) and start it again. Settings come from the
environment as for ``reading-group run``; besides them:

- ``FAKE_API_BASE``, ``FAKE_GATEWAY``: the fake's REST base and gateway URL (required);
- ``RG_TEST_NOW``: the bot's clock stands still at this instant (``2027-01-04T18:00:30.000000Z``);
- ``RG_TICK_SECONDS``: how often the posting tick runs (default 0.1).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import discord
import discord.gateway
import discord.http
import discord.state
import pytest
import yarl

from bot.core.errors import ReadingGroupError
from bot.core.instants import format_instant, parse_instant
from bot.runner import run_bot, setup_logging
from bot.settings import SETTINGS, Settings
from tests.discord.scheduling import FIRST_SLOT, SCHEDULE
from tests.fakediscord import FakeDiscord
from tests.fakediscord.runner import GUILD_READY_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]


async def _identify_at_once(
    self: discord.Client, shard_id: int | None, *, initial: bool = False
) -> None:
    """No 5 s pause before a re-IDENTIFY: the fake has no identify rate limit."""


def main() -> int:
    discord.http.Route.BASE = os.environ["FAKE_API_BASE"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["FAKE_GATEWAY"])
    discord.Client.before_identify_hook = _identify_at_once  # type: ignore[method-assign]
    discord.state.ConnectionState.guild_ready_timeout = GUILD_READY_TIMEOUT  # type: ignore[assignment]
    settings = Settings.load(env_file=None)
    setup_logging(settings)
    now = parse_instant(os.environ["RG_TEST_NOW"])
    try:
        return asyncio.run(
            run_bot(
                settings,
                guild_ready_timeout=0.1,
                clock=lambda: now,
                tick_seconds=float(os.environ.get("RG_TICK_SECONDS", "0.1")),
            )
        )
    except ReadingGroupError as exc:  # as the CLI reports it (a database in use, ...)
        print(exc, file=sys.stderr)
        return exc.exit_code


class BotProcess:
    """``python -m tests.discord.botprocess`` with the given settings; log in ``log``."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("a") as stream:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.discord.botprocess",
                cwd=ROOT,
                env=self.env,
                stdout=stream,
                stderr=stream,
            )

    async def kill(self) -> None:
        assert self.process is not None
        self.process.kill()  # SIGKILL: no cleanup, no close, nothing flushed by the bot
        assert await self.process.wait() == -signal.SIGKILL

    async def stop(self) -> int:
        assert self.process is not None
        self.process.terminate()
        return await asyncio.wait_for(self.process.wait(), 10)


def stored_posts(database: Path) -> list[tuple[int | None, str | None]]:
    """(message_id, posted_at) of every post, read by a separate connection."""
    with closing(sqlite3.connect(database)) as connection:
        return connection.execute("SELECT message_id, posted_at FROM posts").fetchall()


@pytest.fixture
def bot_process(fake_discord: FakeDiscord, tmp_path: Path) -> Iterator[BotProcess]:
    """A bot process reading in #readings from Monday 4 January 2027, 19:00 Berlin; its clock
    stands 30 s after that first slot."""
    fake = fake_discord
    groups = tmp_path / "groups.yaml"
    groups.write_text(
        f"groups:\n  - name: readers\n    channel_id: {fake.readings.id}\n"
        f"    schedule: '{SCHEDULE}'\n    start: 2027-01-04\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k not in SETTINGS},
        "DISCORD_TOKEN": fake.config.token,
        "DEV_GUILD_ID": str(fake.guild.id),
        "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
        "READINGS_DIR": str(ROOT / "readings"),
        "PROMPTS_DIR": str(ROOT / "prompts"),
        "GROUPS_FILE": str(groups),
        "LOG_LEVEL": "INFO",
        "FAKE_API_BASE": fake.api_base,
        "FAKE_GATEWAY": fake.gateway_url,
        "RG_TEST_NOW": format_instant(FIRST_SLOT + dt.timedelta(seconds=30)),
    }
    process = BotProcess(env, tmp_path / "bot.log")
    yield process
    if process.process is not None and process.process.returncode is None:
        process.process.kill()


if __name__ == "__main__":
    sys.exit(main())
