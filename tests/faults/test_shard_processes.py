"""Two shard processes on one PostgreSQL database (issue 12): every slot is posted exactly once
and every reply logged exactly once, also when one of them is killed (SIGKILL) mid-post and
started again; and a second process for the same shard is refused.

Each process is the real bot (``python -m tests.discord.botprocess``), with ``SHARD_COUNT=2`` and
its own ``SHARD_IDS``, its own library index (``DATABASE_PATH``) and the shared state in one
PostgreSQL database (``DATABASE_URL``), against one fake Discord that gives each shard its
servers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.instants import format_instant
from bot.core.shards import shard_of
from bot.settings import SETTINGS
from bot.storage.postgres import where
from tests.discord.botprocess import ROOT, BotProcess
from tests.discord.scheduling import FIRST_SLOT, SCHEDULE, first_parts, post_messages
from tests.fakediscord import FakeDiscord

asyncpg = pytest.importorskip("asyncpg")

pytestmark = pytest.mark.slow

THREADS = "/channels/{channel_id}/messages/{message_id}/threads"
SHARDS = 2
WAIT = 30.0


class Shards:
    """Two groups in two servers, one on each shard, and a bot process per shard."""

    def __init__(self, fake: FakeDiscord, database_url: str, folder: Path) -> None:
        self.fake = fake
        self.url = database_url
        self.folder = folder
        other = fake.state.add_guild("Other Club", fake.owner, later_ms=1)
        fake.state.add_member(other, fake.alice)
        far = fake.state.add_channel(other, "other-readings")
        # channel id -> its server's shard
        self.channels = {
            fake.readings.id: shard_of(fake.guild.id, SHARDS),
            far.id: shard_of(other.id, SHARDS),
        }
        assert sorted(self.channels.values()) == [0, 1]
        groups = folder / "groups.yaml"
        groups.write_text(
            "groups:\n"
            + "".join(
                f"  - name: readers-{shard}\n    channel_id: {channel}\n"
                f"    schedule: '{SCHEDULE}'\n    start: 2027-01-04\n"
                for channel, shard in self.channels.items()
            )
        )
        self.groups = groups
        self.processes: dict[int, BotProcess] = {}

    def channel_of(self, shard: int) -> int:
        (channel,) = (c for c, s in self.channels.items() if s == shard)
        return channel

    def env(self, shard: int) -> dict[str, str]:
        fake = self.fake
        return {
            **{k: v for k, v in os.environ.items() if k not in SETTINGS},
            "DISCORD_TOKEN": fake.config.token,
            "DEV_GUILD_ID": str(fake.guild.id),
            "DATABASE_URL": self.url,
            # The library index: each process's own SQLite file.
            "DATABASE_PATH": str(self.folder / f"library-{shard}.sqlite3"),
            "READINGS_DIR": str(ROOT / "readings"),
            "PROMPTS_DIR": str(ROOT / "prompts"),
            "GROUPS_FILE": str(self.groups),
            "LOG_LEVEL": "INFO",
            "SHARD_COUNT": str(SHARDS),
            "SHARD_IDS": str(shard),
            "FAKE_API_BASE": fake.api_base,
            "FAKE_GATEWAY": fake.gateway_url,
            "RG_TEST_NOW": format_instant(FIRST_SLOT + dt.timedelta(seconds=30)),
        }

    async def start(self, shard: int) -> BotProcess:
        process = BotProcess(self.env(shard), self.folder / f"shard-{shard}.log")
        self.processes[shard] = process
        await process.start()
        return process

    async def rows(self, query: str) -> list[tuple[Any, ...]]:
        connection = await asyncpg.connect(self.url)
        try:
            return [tuple(row) for row in await connection.fetch(query)]
        finally:
            await connection.close()

    def logs(self) -> str:
        return "\n".join(
            f"--- shard {s}\n{p.log.read_text()[-3000:]}"
            for s, p in self.processes.items()
            if p.log.exists()
        )


@pytest.fixture
async def shards(
    fake_discord: FakeDiscord, postgres_url: str, tmp_path: Path
) -> AsyncIterator[Shards]:
    made = Shards(fake_discord, postgres_url, tmp_path)
    yield made
    for process in made.processes.values():
        if process.process is not None and process.process.returncode is None:
            process.process.kill()
            await process.process.wait()


async def wait_rows(shards: Shards, query: str, expected: list[tuple[Any, ...]]) -> None:
    """Until ``query`` returns ``expected`` (sorted), or fail with what it returned."""
    seen: list[tuple[Any, ...]] = []

    async def matches() -> bool:
        nonlocal seen
        seen = sorted(await shards.rows(query))
        return seen == sorted(expected)

    deadline = asyncio.get_running_loop().time() + WAIT
    while not await matches():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"{query!r} returned {seen}, expected {sorted(expected)}\n{shards.logs()}")
        await asyncio.sleep(0.1)


POSTS = "SELECT channel_id, message_id, thread_id, posted_at IS NOT NULL FROM posts"


async def test_two_shard_processes_post_and_log_exactly_once_across_a_kill(
    shards: Shards,
) -> None:
    fake = shards.fake
    # The first thread either process asks for is rate limited for 30 s: that process has sent
    # its post and not yet confirmed it when it is killed below.
    fake.fail_next("POST", THREADS, status=429, retry_after=30)
    for shard in range(SHARDS):
        await shards.start(shard)
    channels = list(shards.channels)
    await fake.wait_for(
        lambda: (
            all(post_messages(fake, c) for c in channels)
            and len([c for c in channels if fake.threads(c)]) == 1
        ),
        timeout=WAIT,
        what="both posts sent, one thread made",
    )
    (stuck,) = (c for c in channels if not fake.threads(c))
    stuck_shard = shards.channels[stuck]
    await shards.processes[stuck_shard].kill()
    rows = await shards.rows(f"SELECT posted_at IS NULL FROM posts WHERE channel_id = {stuck}")
    assert rows == [(True,)], "killed before it confirmed its post"

    await shards.start(stuck_shard)  # finishes the post it claimed: no second one
    await fake.wait_for(
        lambda: all(fake.threads(c) for c in channels), timeout=WAIT, what="both threads"
    )
    expected_posts = []
    threads = {}
    for channel in channels:
        (post,) = first_parts(fake, channel)
        (thread,) = fake.threads(channel)
        threads[channel] = thread
        expected_posts.append((channel, post.id, thread.id, True))
    await wait_rows(shards, POSTS, expected_posts)

    # Replies in both shards' threads, then one process killed and replies while it is down.
    said = [fake.post("alice", threads[c], f"first thoughts in {c}") for c in channels]
    await wait_rows(
        shards, "SELECT message_id, content FROM replies", [(m.id, m.content) for m in said]
    )
    other_shard = 1 - stuck_shard
    await shards.processes[other_shard].kill()
    said += [fake.post("alice", threads[c], f"while one was down, in {c}") for c in channels]
    await shards.start(other_shard)  # its catch-up logs what was said while it was down
    await wait_rows(
        shards, "SELECT message_id, content FROM replies", [(m.id, m.content) for m in said]
    )

    for channel in channels:
        assert len(first_parts(fake, channel)) == 1
        assert len(fake.threads(channel)) == 1
    assert sorted(await shards.rows(POSTS)) == sorted(expected_posts)
    slots = await shards.rows("SELECT DISTINCT slot FROM posts")
    assert [str(slot) for (slot,) in slots] == [format_instant(FIRST_SLOT)]
    for process in shards.processes.values():
        assert await process.stop() == 0


async def test_a_second_process_for_the_same_shard_exits_2_with_one_line(
    shards: Shards,
) -> None:
    fake = shards.fake
    first = await shards.start(0)
    await fake.wait_for(
        lambda: post_messages(fake, shards.channel_of(0)), timeout=WAIT, what="shard 0's post"
    )
    second = BotProcess(shards.env(0), shards.folder / "second.log")
    await second.start()
    assert second.process is not None
    assert await asyncio.wait_for(second.process.wait(), WAIT) == 2
    assert first.process is not None
    refusal = (
        re.escape(f"{where(shards.url)}: shard 0 is run by reading-group {first.process.pid}@")
        + r"\S+"
        + re.escape(": stop that bot first, or give this one other SHARD_IDS")
    )
    assert re.fullmatch(refusal + "\n", second.log.read_text()), second.log.read_text()
    assert first.process.returncode is None  # the first runs on
    assert len(first_parts(fake, shards.channel_of(0))) == 1
    assert await first.stop() == 0
