"""Helpers for the scheduling tests: a settable clock, a bot with groups, posts as sent.

Import the fixtures into a test module (``from tests.discord.scheduling import clock, ...``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, cast

import aiosqlite
import discord
import pytest

from bot.client import ReadingGroupBot, build_bot
from bot.cogs.scheduler import Scheduler
from bot.core.plan import GroupConfig
from bot.core.posting import parse_marker
from bot.core.questions import Prompts, load_prompts
from bot.core.readings import Library, load_library
from bot.core.schedule import UTC, parse_cadence
from bot.discord.render import NO_PINGS, Outgoing, outgoing_text
from bot.settings import Settings
from bot.storage.connection import Connection
from bot.storage.database import open_database
from tests.discord.conftest import StartBot
from tests.fakediscord import FakeDiscord, Message

ROOT = Path(__file__).resolve().parents[2]
#: Monday 4 January 2027, 19:00 in Berlin: the first slot of the default test group.
FIRST_SLOT = dt.datetime(2027, 1, 4, 18, 0, tzinfo=UTC)
SCHEDULE = "mon,thu 19:00 Europe/Berlin"


class Clock:
    """The bot's clock in a test: it says what ``now`` says, and moves only when told."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, now: dt.datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def group_config(channel_id: int, **changes: Any) -> GroupConfig:
    """A groups.yaml group in ``channel_id``: Mondays and Thursdays 19:00 Berlin from 4 Jan 2027."""
    base = GroupConfig(
        name="readers",
        channel_id=channel_id,
        cadence=parse_cadence(SCHEDULE),
        start=dt.date(2027, 1, 4),
        path="groups.yaml",
        line=2,
    )
    return dataclasses.replace(base, **changes)


@pytest.fixture(scope="session")
def library() -> Library:
    return load_library(ROOT / "readings")


@pytest.fixture(scope="session")
def prompts(library: Library) -> Prompts:
    return load_prompts(ROOT / "prompts", library)


@pytest.fixture
def clock() -> Clock:
    return Clock(FIRST_SLOT - dt.timedelta(hours=1))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    async with open_database(tmp_path / "bot.sqlite3") as connection:
        yield connection


MakeBot = Callable[..., Awaitable[ReadingGroupBot]]


@pytest.fixture
def make_bot(
    index: aiosqlite.Connection,  # first: closed after the bots (start_bot) are stopped
    fake_discord: FakeDiscord,
    start_bot: StartBot,
    db: Connection,
    clock: Clock,
    library: Library,
    prompts: Prompts,
) -> MakeBot:
    """``await make_bot(groups=[...], library=..., tick_seconds=None, env={...})``: a started
    bot whose tick runs only when the test calls ``tick(bot)`` (unless
    ``tick_seconds``); ``env`` holds settings such as GROUPS_FILE or SHARD_COUNT."""

    async def make(
        groups: Sequence[GroupConfig] = (),
        *,
        library: Library = library,
        prompts: Prompts = prompts,
        tick_seconds: float | None = None,
        env: dict[str, str] | None = None,
    ) -> ReadingGroupBot:
        settings = Settings.load(
            environ={"DEV_GUILD_ID": str(fake_discord.guild.id), **(env or {})}, env_file=None
        )
        bot = build_bot(
            settings,
            db=db,
            index=index,
            library=library,
            prompts=prompts,
            groups=groups,
            clock=clock,
            tick_seconds=tick_seconds,
            guild_ready_timeout=0.1,
        )
        await start_bot(bot)
        return bot

    return make


def scheduler(bot: ReadingGroupBot) -> Scheduler:
    """The bot's posting tick."""
    # discord.py loads extensions as modules of its own: compare by name, not by class.
    cog: Any = bot.get_cog("Scheduler")
    assert type(cog).__name__ == "Scheduler"
    return cast(Scheduler, cog)


async def tick(bot: ReadingGroupBot) -> None:
    await scheduler(bot).tick()


def post_messages(fake: FakeDiscord, channel: Any) -> list[Message]:
    """The bot's post messages in ``channel`` (those with a marker in a footer), oldest first."""
    return [
        m
        for m in fake.bot_messages(channel)
        if any(parse_marker((e.get("footer") or {}).get("text", "")) for e in m.embeds)
    ]


def first_parts(fake: FakeDiscord, channel: Any) -> list[Message]:
    """One message per post: the first part of each."""
    found = []
    for message in post_messages(fake, channel):
        for embed in message.embeds:
            marker = parse_marker((embed.get("footer") or {}).get("text", ""))
            if marker is not None and marker[2] == 1:
                found.append(message)
                break
    return found


def footer(message: Message) -> str:
    """The footer of the message's last embed."""
    return str(message.embeds[-1]["footer"]["text"])


def as_text(messages: Sequence[Message]) -> str:
    """What the fake received, in the text form of ``bot.discord.render.outgoing_text``."""
    return outgoing_text(
        [
            Outgoing(
                m.content or None, tuple(discord.Embed.from_dict(e) for e in m.embeds), NO_PINGS
            )
            for m in messages
        ]
    )
