"""One bad row or setting never stops the bot: unreadable groups, years out of range, clock
jumps, a reload that would break a group, who may change the roles (issue 9).

Each test drives the real bot against the fake Discord with an injected clock and asserts the
rows of ``groups`` and ``posts`` afterwards.
"""

from __future__ import annotations

import logging

import aiosqlite
import pytest

from bot.core.schedule import parse_cadence
from bot.storage.groups import Group, save_group
from tests.discord.scheduling import (
    FIRST_SLOT,
    SCHEDULE,
    Clock,
    MakeBot,
    clock,
    db,
    first_parts,
    group_config,
    library,
    make_bot,
    prompts,
    tick,
)
from tests.discord.test_plan import START, run
from tests.fakediscord import FakeDiscord

__all__ = ["clock", "db", "library", "make_bot", "prompts"]  # fixtures used by name

READINGS = ("proletarian-internationalism", "against-soic")


async def group_rows(db: aiosqlite.Connection) -> list[tuple[object, ...]]:
    query = "SELECT channel_id, start, cadence, last_slot, done_count FROM groups ORDER BY 1"
    async with db.execute(query) as cursor:
        return [tuple(row) async for row in cursor]


async def post_rows(db: aiosqlite.Connection) -> list[tuple[object, ...]]:
    query = "SELECT channel_id, slot, kind, number, posted_at IS NOT NULL FROM posts ORDER BY id"
    async with db.execute(query) as cursor:
        return [tuple(row) async for row in cursor]


async def store_broken_group(
    db: aiosqlite.Connection, channel_id: int, column: str, value: str, *, declared_at: str | None
) -> None:
    """A group row as an older version (or a hand edit) left it: ``column`` holds ``value``."""
    group = Group(
        channel_id=channel_id,
        name="broken",
        readings=READINGS,
        cadence=parse_cadence(SCHEDULE),
        start=FIRST_SLOT,
        declared_at=declared_at,
    )
    await save_group(db, group, now=FIRST_SLOT)
    await db.execute(f"UPDATE groups SET {column} = ? WHERE channel_id = ?", (value, channel_id))
    await db.commit()


# --- one unreadable group -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("start", "999-01-01T00:00:00Z"),  # what strftime("%Y") wrote for /plan start 0999-01-01
        ("start", "garbage"),
        ("cadence", "someday"),
        ("readings", "{not json"),
    ],
)
async def test_an_unreadable_group_is_skipped_and_reported_once_and_the_others_post(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    db: aiosqlite.Connection,
    caplog: pytest.LogCaptureFixture,
    column: str,
    value: str,
) -> None:
    fake = fake_discord
    await store_broken_group(db, fake.general.id, column, value, declared_at=None)
    before = await group_rows(db)
    with caplog.at_level(logging.ERROR):
        bot = await make_bot([group_config(fake.readings.id)])  # start-up does not fail
        clock.set(FIRST_SLOT)
        await tick(bot)
        await tick(bot)
        summaries = bot.get_cog("Summaries")
        assert summaries is not None
        await summaries.tick()  # type: ignore[attr-defined]
    assert len(first_parts(fake, "readings")) == 1
    assert fake.bot_messages("general") == []
    (report,) = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert "group 'broken'" in report and f"channel {fake.general.id}" in report
    assert f"its {column} {value!r} is not valid" in report
    assert "run /plan start in that channel again" in report
    assert await post_rows(db) == [
        (fake.readings.id, "2027-01-04T18:00:00Z", "scheduled", 1, 1),
    ]
    rows = await group_rows(db)
    assert rows[0] == before[0]  # the broken row is left as it was, for the organizer to fix
    assert rows[1] == (
        fake.readings.id,
        "2027-01-03T23:00:00Z",
        "mon,thu 19:00 Europe/Berlin",
        "2027-01-04T18:00:00Z",
        1,
    )


async def test_a_file_group_stored_unreadable_is_replaced_by_the_fixed_file_at_start_up(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    await store_broken_group(
        db, fake.readings.id, "start", "999-01-01T00:00:00Z", declared_at="groups.yaml:2"
    )
    bot = await make_bot([group_config(fake.readings.id)])  # the file's start is fixed now
    clock.set(FIRST_SLOT)
    await tick(bot)
    assert len(first_parts(fake, "readings")) == 1
    assert await group_rows(db) == [
        (
            fake.readings.id,
            "2027-01-03T23:00:00Z",
            "mon,thu 19:00 Europe/Berlin",
            "2027-01-04T18:00:00Z",
            1,
        )
    ]


async def test_plan_start_replaces_an_unreadable_plan(
    fake_discord: FakeDiscord, make_bot: MakeBot, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    await store_broken_group(db, fake.readings.id, "start", "garbage", declared_at=None)
    await make_bot()
    status = await run(fake, "organizer", "plan status")
    assert "cannot be read, so it is skipped: its start 'garbage' is not valid" in status.content
    reply = await run(fake, "organizer", "plan start", START)
    assert reply.content.startswith("Started the reading plan"), reply.content
    assert await group_rows(db) == [
        (fake.readings.id, "2027-01-03T23:00:00Z", "mon,thu 19:00 Europe/Berlin", None, 0)
    ]


# --- years out of range ----------------------------------------------------------------------


@pytest.mark.parametrize("start", ["0999-01-01", "2101-01-04"])
async def test_plan_start_refuses_a_year_out_of_range(
    fake_discord: FakeDiscord, make_bot: MakeBot, db: aiosqlite.Connection, start: str
) -> None:
    await make_bot()
    reply = await run(fake_discord, "organizer", "plan start", {**START, "start": start})
    year = int(start[:4])
    assert reply.content == (
        f"'{start}': the year {year} is outside 2000 to 2100: write the date as YYYY-MM-DD, "
        "e.g. 2027-01-04"
    )
    assert await group_rows(db) == []
