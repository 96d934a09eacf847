"""Sharding (issue 12): a process started with SHARD_COUNT and SHARD_IDS connects as those shards,
gets only their servers, answers there, and posts only for their groups."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import io
import os
import signal
from pathlib import Path

import aiosqlite
import discord

from bot.client import ShardedReadingGroupBot
from bot.core.shards import shard_of
from bot.runner import INTENTS_REFUSED, run_bot
from bot.settings import Settings
from bot.storage.groups import posts_of
from tests.discord.scheduling import (
    FIRST_SLOT,
    Clock,
    MakeBot,
    group_config,
    post_messages,
    scheduler,
    tick,
)
from tests.discord.scheduling import clock as clock
from tests.discord.scheduling import db as db
from tests.discord.scheduling import library as library
from tests.discord.scheduling import make_bot as make_bot
from tests.discord.scheduling import prompts as prompts
from tests.discord.test_discussion import discussion, logged
from tests.discord.test_runtime import settings_for
from tests.fakediscord import FakeDiscord


def other_shard_guild(fake: FakeDiscord) -> tuple[int, discord.abc.Snowflake]:
    """This process's shard (the seeded server's, out of 2) and a text channel of a second
    server, created a millisecond later so that it is on the other shard."""
    mine = shard_of(fake.guild.id, 2)
    other = fake.state.add_guild("Other Club", fake.owner, later_ms=1)
    assert shard_of(other.id, 2) != mine
    return mine, fake.state.add_channel(other, "other-readings")


async def test_a_sharded_bot_runs_its_shards_and_answers_in_their_servers(
    fake_discord: FakeDiscord, make_bot: MakeBot
) -> None:
    fake = fake_discord
    mine, elsewhere = other_shard_guild(fake)
    bot = await make_bot(env={"SHARD_COUNT": "2", "SHARD_IDS": str(mine)})
    assert isinstance(bot, ShardedReadingGroupBot)
    assert [i["shard"] for i in fake.gateway.identifies] == [[mine, 2]]
    assert (bot.shard_count, bot.shard_ids) == (2, [mine])
    assert [g.id for g in bot.guilds] == [fake.guild.id]  # the other server is another's
    answer = await fake.slash("alice", "help", {}, channel="general").message()
    assert answer.embeds and answer.ephemeral
    assert bot.serves(fake.guild.id, fake.readings.id)
    assert not bot.serves(elsewhere.guild_id, elsewhere.id)
    # A groups.yaml group's server is unknown until seen: served where its channel is seen.
    assert bot.serves(None, fake.readings.id)
    assert not bot.serves(None, elsewhere.id)


async def test_without_shard_settings_the_bot_identifies_unsharded(
    fake_discord: FakeDiscord, make_bot: MakeBot
) -> None:
    bot = await make_bot()
    assert not isinstance(bot, ShardedReadingGroupBot)
    assert [i.get("shard") for i in fake_discord.gateway.identifies] == [None]
    assert bot.serves(None, 1)  # unsharded: every group is this process's


async def test_the_posting_tick_posts_only_for_the_groups_of_its_shards(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    mine, elsewhere = other_shard_guild(fake)
    groups = [group_config(fake.readings.id), group_config(elsewhere.id, name="far")]
    bot = await make_bot(groups, env={"SHARD_COUNT": "2", "SHARD_IDS": str(mine)})
    # The server of the far group is known (as after /plan start there).
    await db.execute(
        "UPDATE groups SET guild_id = ? WHERE channel_id = ?", (elsewhere.guild_id, elsewhere.id)
    )
    await db.commit()
    clock.set(FIRST_SLOT + dt.timedelta(seconds=30))
    await tick(bot)
    assert len(post_messages(fake, "readings")) == 1
    assert post_messages(fake, elsewhere.id) == []
    assert [p.slot for p in await posts_of(db, fake.readings.id)] == [FIRST_SLOT]
    assert await posts_of(db, elsewhere.id) == []
    # Not tried and failed either (which would log it and back off): left to its own process.
    assert scheduler(bot).backoff.ready(elsewhere.id, clock())
    async with db.execute(
        "SELECT blocked FROM groups WHERE channel_id = ?", (elsewhere.id,)
    ) as rows:
        assert [tuple(row) for row in await rows.fetchall()] == [(None,)]


async def test_the_catch_up_reads_only_the_threads_of_its_shards(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    mine, elsewhere = other_shard_guild(fake)
    fake.state.add_member(fake.state.guilds[elsewhere.guild_id], fake.alice)
    groups = [group_config(fake.readings.id), group_config(elsewhere.id, name="far")]
    unsharded = await make_bot(groups)
    clock.set(FIRST_SLOT)
    await tick(unsharded)
    (near,) = fake.threads(fake.readings)
    (far,) = fake.threads(elsewhere.id)
    await fake.wait_for(
        lambda: {near.id, far.id} <= set(unsharded.reply_log.threads), what="both threads logged"
    )
    await unsharded.close()
    said = fake.post("alice", near.id, "near, while down")
    fake.post("alice", far.id, "far, while down")
    bot = await make_bot(groups, env={"SHARD_COUNT": "2", "SHARD_IDS": str(mine)})
    await logged(fake, db, "SELECT count(*) FROM replies", [(1,)])
    # Once more, to its end: the catch-up after READY may still be reading the other thread.
    await discussion(bot).backfill()
    await bot.reply_log.flush()
    async with db.execute("SELECT message_id, content FROM replies") as rows:
        assert [tuple(row) for row in await rows.fetchall()] == [(said.id, "near, while down")]


async def test_run_connects_every_shard_in_one_process_and_stops_cleanly(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    settings = dataclasses.replace(
        settings_for(fake, tmp_path), shards=Settings.load({"SHARD_COUNT": "2"}, None).shards
    )
    task = asyncio.create_task(run_bot(settings, guild_ready_timeout=0.1))
    await fake.wait_for(lambda: len(fake.gateway.identifies) == 2 and fake.syncs, what="ready")
    assert sorted(i["shard"] for i in fake.gateway.identifies) == [[0, 2], [1, 2]]
    os.kill(os.getpid(), signal.SIGTERM)
    assert await asyncio.wait_for(task, timeout=5) == 0
    assert [c.closed for c in fake.gateway.connections] == [True, True]


async def test_run_sharded_without_the_privileged_intent_names_the_switch(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake_discord.config.privileged_intents = 0
    settings = dataclasses.replace(
        settings_for(fake_discord, tmp_path),
        shards=Settings.load({"SHARD_COUNT": "2", "SHARD_IDS": "1"}, None).shards,
    )
    stderr = io.StringIO()
    assert await run_bot(settings, stderr=stderr, guild_ready_timeout=0.1) == 2
    assert stderr.getvalue().strip() == INTENTS_REFUSED
