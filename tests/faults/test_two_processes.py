"""Two bot processes on one database: the second is refused at start, and a claim another process
may still be sending is never reconciled (posted again) by this one."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import socket
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import aiosqlite
import pytest

from bot.core.instants import format_instant
from bot.core.summary import IsoWeek
from bot.settings import SETTINGS
from bot.storage.database import instance_lock
from bot.storage.groups import claim_post, get_group, save_group, unconfirmed_posts
from bot.storage.instance import CLAIM_LEASE, Owner, held_elsewhere
from bot.storage.summary_posts import claim_summary, unconfirmed_summaries
from tests.discord.botprocess import BotProcess, stored_posts
from tests.discord.botprocess import bot_process as bot_process
from tests.discord.scheduling import (
    FIRST_SLOT,
    ROOT,
    Clock,
    MakeBot,
    clock,
    db,
    first_parts,
    group_config,
    library,
    make_bot,
    post_messages,
    prompts,
    tick,
)
from tests.discord.test_summary import (
    SUMMARY_TIME,
    WEEK,
    Week,
    rows,
    summaries,
    summary_messages,
    week,
)
from tests.fakediscord import FakeDiscord
from tests.storage.test_groups import CHANNEL, make_group

__all__ = ["clock", "db", "library", "make_bot", "prompts", "week"]  # fixtures used by name

HOST = socket.gethostname()
SINCE = dt.datetime(2027, 1, 4, 17, 0, tzinfo=dt.UTC)


def in_use(database: Path, pid: int, since: str = r"\d{4}-\d\d-\d\d \d\d:\d\d UTC") -> str:
    """The line a second bot prints, as a pattern."""
    return (
        re.escape(f"{database} is in use by another bot (pid {pid} on {HOST}, since ")
        + since
        + re.escape(
            "): stop that bot first (only one may run on a database), or give this one its own "
            "DATABASE_PATH"
        )
    )


async def test_a_second_bot_on_the_same_database_is_refused_and_the_first_posts_once(
    fake_discord: FakeDiscord, bot_process: BotProcess, tmp_path: Path
) -> None:
    fake = fake_discord
    database = tmp_path / "bot.sqlite3"
    await bot_process.start()
    await fake.wait_for(lambda: fake.threads("readings"), timeout=20, what="the first bot's post")
    await fake.wait_for(
        lambda: stored_posts(database)[0][1] is not None, timeout=20, what="its confirmation"
    )
    first = bot_process.process
    assert first is not None

    second = BotProcess(bot_process.env, tmp_path / "second.log")
    await second.start()
    assert second.process is not None
    assert await asyncio.wait_for(second.process.wait(), 30) == 2
    assert re.fullmatch(in_use(database, first.pid) + "\n", second.log.read_text())
    assert first.returncode is None  # the first runs on

    (post,) = first_parts(fake, "readings")
    assert len(post_messages(fake, "readings")) == 1
    with closing(sqlite3.connect(database)) as connection:
        rows = connection.execute(
            "SELECT slot, message_id, posted_at IS NOT NULL, claimed_by LIKE ? FROM posts",
            (f"{first.pid}@{HOST}/%",),
        ).fetchall()
    assert rows == [(format_instant(FIRST_SLOT), post.id, 1, 1)]
    assert await bot_process.stop() == 0
    with instance_lock(database, Owner.this_process(SINCE)):
        pass  # released with the first bot


def test_run_on_a_database_in_use_exits_2_naming_the_other_bot(tmp_path: Path) -> None:
    database = tmp_path / "data" / "reading-group.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if k not in SETTINGS},
        "DATABASE_PATH": str(database),
        "READINGS_DIR": str(ROOT / "readings"),
        "PROMPTS_DIR": str(ROOT / "prompts"),
        "DISCORD_TOKEN": "not.a.token",  # refused before it is used
        "PYTHONPATH": str(ROOT),
    }
    with instance_lock(database, Owner(HOST, 4242, "other", SINCE)):
        done = subprocess.run(
            [sys.executable, "-m", "bot", "run"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert (done.returncode, done.stdout) == (2, "")
    assert re.fullmatch(in_use(database, 4242, "2027-01-04 17:00 UTC") + "\n", done.stderr)
    assert not database.exists()  # refused before the database was opened


def gone_pid() -> int:
    """The pid of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


ME = Owner(HOST, os.getpid(), "me", SINCE)


@pytest.mark.parametrize(
    ("owner", "after", "held"),
    [
        (Owner("elsewhere", 4242, "b", SINCE), dt.timedelta(minutes=1), True),
        (Owner("elsewhere", 4242, "b", SINCE), CLAIM_LEASE - dt.timedelta(seconds=1), True),
        (Owner("elsewhere", 4242, "b", SINCE), CLAIM_LEASE, False),  # expired: a crashed owner
        (Owner(HOST, os.getppid(), "b", SINCE), dt.timedelta(minutes=1), True),  # still running
        (Owner(HOST, gone_pid(), "b", SINCE), dt.timedelta(minutes=1), False),  # ended
        (Owner(HOST, os.getpid(), "earlier", SINCE), dt.timedelta(minutes=1), False),  # our pid
        (ME, dt.timedelta(minutes=1), False),  # our own claim
        (None, dt.timedelta(minutes=1), False),  # a claim without an owner (before the lease)
    ],
    ids=[
        "other-host",
        "other-host-last-second",
        "other-host-expired",
        "this-host-running",
        "this-host-ended",
        "this-host-same-pid",
        "mine",
        "no-owner",
    ],
)
async def test_only_a_claim_its_owner_may_still_be_sending_is_left_alone(
    db: aiosqlite.Connection, owner: Owner | None, after: dt.timedelta, held: bool
) -> None:
    stored = await save_group(db, make_group(), now=FIRST_SLOT)
    await claim_post(
        db,
        stored,
        slot=FIRST_SLOT,
        kind="scheduled",
        installment_key="proletarian-internationalism:1-4",
        number=1,
        total=20,
        questions=[],
        now=FIRST_SLOT,
        owner=owner,
    )
    week = IsoWeek(2027, 1)
    await claim_summary(
        db, CHANNEL, week, slot=FIRST_SLOT, kind="scheduled", now=FIRST_SLOT, owner=owner
    )
    now = FIRST_SLOT + after
    (post,) = await unconfirmed_posts(db, CHANNEL)
    (summary,) = await unconfirmed_summaries(db, CHANNEL)
    assert (held_elsewhere([post.lease], ME, now) is not None) is held
    assert (held_elsewhere([summary.lease], ME, now) is not None) is held


async def test_the_tick_leaves_a_post_another_bot_is_sending_until_its_lease_ends(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    bot = await make_bot([group_config(fake.readings.id)])
    group = await get_group(db, fake.readings.id)
    assert group is not None
    first = bot.plans.installments(group, bot.library)[0]
    other = Owner("elsewhere", 4242, "other", SINCE)  # claimed, and sending right now
    await claim_post(
        db,
        group,
        slot=FIRST_SLOT,
        kind="scheduled",
        installment_key=first.key,
        number=1,
        total=30,
        questions=[("q1", "A question?")],
        now=FIRST_SLOT,
        owner=other,
    )
    query = "SELECT slot, claimed_by, lease_until, message_id, posted_at FROM posts"
    claimed = (
        format_instant(FIRST_SLOT),
        other.id,
        format_instant(FIRST_SLOT + CLAIM_LEASE),
        None,
        None,
    )

    clock.set(FIRST_SLOT + dt.timedelta(seconds=30))
    await tick(bot)
    clock.set(FIRST_SLOT + CLAIM_LEASE - dt.timedelta(seconds=1))
    await tick(bot)
    assert fake.bot_messages("readings") == []
    async with db.execute(query) as cursor:
        assert [tuple(row) async for row in cursor] == [claimed]

    clock.set(FIRST_SLOT + CLAIM_LEASE)  # the other bot is gone: its post is sent once
    await tick(bot)
    (post,) = first_parts(fake, "readings")
    assert len(post_messages(fake, "readings")) == 1
    async with db.execute(query) as cursor:
        assert [tuple(row) async for row in cursor] == [
            (*claimed[:3], post.id, format_instant(FIRST_SLOT + CLAIM_LEASE))
        ]


async def test_the_summary_tick_leaves_a_summary_another_bot_is_sending_until_its_lease_ends(
    fake_discord: FakeDiscord, week: Week, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    other = Owner("elsewhere", 4242, "other", SINCE)
    await claim_summary(
        db,
        fake.readings.id,
        WEEK,
        slot=SUMMARY_TIME,
        kind="scheduled",
        now=SUMMARY_TIME,
        owner=other,
    )
    query = "SELECT week, claimed_by, lease_until, message_id, posted_at FROM summary_posts"
    claimed = (str(WEEK), other.id, format_instant(SUMMARY_TIME + CLAIM_LEASE), None, None)

    clock.set(SUMMARY_TIME + CLAIM_LEASE - dt.timedelta(seconds=1))
    await summaries(week.bot).tick()
    assert summary_messages(fake) == []
    assert await rows(db, query) == [claimed]

    clock.set(SUMMARY_TIME + CLAIM_LEASE)
    await summaries(week.bot).tick()
    await summaries(week.bot).tick()
    (message,) = summary_messages(fake)
    assert await rows(db, query) == [
        (*claimed[:3], message.id, format_instant(SUMMARY_TIME + CLAIM_LEASE))
    ]
