"""One bad row or setting never stops the bot: unreadable groups, years out of range, clock
jumps, a reload that would break a group, who may change the roles (issue 9).

Each test drives the real bot against the fake Discord with an injected clock and asserts the
rows of ``groups`` and ``posts`` afterwards.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

import aiosqlite
import pytest

from bot.client import ReadingGroupBot
from bot.core.group import Group
from bot.core.questions import load_prompts
from bot.core.readings import load_library
from bot.core.schedule import parse_cadence
from bot.storage.groups import save_group
from tests.discord.scheduling import (
    FIRST_SLOT,
    ROOT,
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
        (fake.readings.id, "2027-01-04T18:00:00.000000Z", "scheduled", 1, 1),
    ]
    rows = await group_rows(db)
    assert rows[0] == before[0]  # the broken row is left as it was, for the organizer to fix
    assert rows[1] == (
        fake.readings.id,
        "2027-01-03T23:00:00.000000Z",
        "mon,thu 19:00 Europe/Berlin",
        "2027-01-04T18:00:00.000000Z",
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
            "2027-01-03T23:00:00.000000Z",
            "mon,thu 19:00 Europe/Berlin",
            "2027-01-04T18:00:00.000000Z",
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
        (fake.readings.id, "2027-01-03T23:00:00.000000Z", "mon,thu 19:00 Europe/Berlin", None, 0)
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


# --- a clock that jumps ahead, then is set right ----------------------------------------------

A_YEAR_AHEAD = FIRST_SLOT + dt.timedelta(days=365, hours=1)  # Tue 4 Jan 2028, 20:00 in Berlin
JUMPED_SLOT = "2028-01-03T18:00:00.000000Z"  # the latest slot before it: Mon 3 Jan 2028, 19:00


async def jump_a_year_and_back(
    fake: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection
) -> ReadingGroupBot:
    """Post the first slot, then one tick a year ahead (it posts), then set the clock right."""
    bot = await make_bot([group_config(fake.readings.id)])
    clock.set(FIRST_SLOT)
    await tick(bot)
    clock.set(A_YEAR_AHEAD)
    await tick(bot)
    clock.set(FIRST_SLOT + dt.timedelta(hours=2))
    assert [p[1] for p in await post_rows(db)] == ["2027-01-04T18:00:00.000000Z", JUMPED_SLOT]
    ((_, _, _, last_slot, _),) = await group_rows(db)
    assert last_slot == JUMPED_SLOT
    return bot


async def test_after_a_clock_jump_the_group_goes_on_with_the_real_schedule(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    bot = await jump_a_year_and_back(fake, make_bot, clock, db)
    await tick(bot)
    clock.set(FIRST_SLOT + dt.timedelta(days=3))  # Thursday 7 January 2027, 19:00
    await tick(bot)
    # When the real clock reaches the slot posted during the jump, it is not posted again.
    clock.set(dt.datetime(2028, 1, 3, 18, 0, tzinfo=dt.UTC))
    await tick(bot)
    ((_, _, _, last_slot, _),) = await group_rows(db)
    assert last_slot == JUMPED_SLOT  # passed over, not claimed again at every tick
    clock.set(dt.datetime(2028, 1, 6, 18, 0, tzinfo=dt.UTC))  # the Thursday after
    await tick(bot)
    assert await post_rows(db) == [
        (fake.readings.id, "2027-01-04T18:00:00.000000Z", "scheduled", 1, 1),
        (fake.readings.id, JUMPED_SLOT, "scheduled", 2, 1),
        (fake.readings.id, "2027-01-07T18:00:00.000000Z", "scheduled", 3, 1),
        (fake.readings.id, "2028-01-06T18:00:00.000000Z", "scheduled", 4, 1),
    ]
    ((_, _, _, last_slot, done),) = await group_rows(db)
    assert (last_slot, done) == ("2028-01-06T18:00:00.000000Z", 4)
    assert len(first_parts(fake, "readings")) == 4


@pytest.mark.parametrize(
    ("command", "options"), [("plan resume", {}), ("plan goto", {"reference": "mccune §3"})]
)
async def test_resume_and_goto_set_a_last_slot_ahead_of_the_clock_right(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    db: aiosqlite.Connection,
    command: str,
    options: dict[str, object],
) -> None:
    fake = fake_discord
    await jump_a_year_and_back(fake, make_bot, clock, db)
    reply = await run(fake, "organizer", command, options)
    assert "Thu 7 Jan 2027 19:00 (Europe/Berlin)" in reply.content, reply.content
    ((_, _, _, last_slot, _),) = await group_rows(db)
    assert last_slot == "2027-01-04T20:00:00.000000Z"  # now, not the slot of the jump


# --- /plan reload that would break a running group -------------------------------------------


async def test_reload_refuses_a_library_without_a_reading_a_running_group_reads(
    fake_discord: FakeDiscord, make_bot: MakeBot, db: aiosqlite.Connection, tmp_path: Path
) -> None:
    fake = fake_discord
    readings, prompts_dir = tmp_path / "readings", tmp_path / "prompts"
    shutil.copytree(ROOT / "readings", readings)
    shutil.copytree(ROOT / "prompts", prompts_dir)
    library = load_library(readings)
    env = {
        "READINGS_DIR": str(readings),
        "PROMPTS_DIR": str(prompts_dir),
        "GROUPS_FILE": str(tmp_path / "groups.yaml"),
    }
    bot = await make_bot(library=library, prompts=load_prompts(prompts_dir, library), env=env)
    await run(fake, "organizer", "plan start", {**START, "readings": "soic, mccune"})
    (readings / "against-soic.md").unlink()
    (prompts_dir / "against-soic.yaml").unlink()
    before = (await group_rows(db), await indexed_readings(db))
    reply = await run(fake, "organizer", "plan reload")
    assert reply.content == (
        "Nothing was reloaded; the running version stays until this is fixed:\n"
        f"{readings}/against-soic.md: the reading 'against-soic' is gone, but group 'readings' "
        f"in <#{fake.readings.id}> reads it: restore the file, or first take it out of the "
        "group's readings (/plan start readings:...)"
    )
    assert bot.library.get("against-soic") is not None
    assert (await group_rows(db), await indexed_readings(db)) == before
    assert "against-soic" in before[1]
    # Once the group no longer reads it, the same library loads.
    await run(fake, "organizer", "plan start", {**START, "readings": "mccune"})
    reply = await run(fake, "organizer", "plan reload")
    assert reply.content.startswith("Reloaded 3 readings"), reply.content
    assert "against-soic" not in await indexed_readings(db)


async def indexed_readings(db: aiosqlite.Connection) -> list[str]:
    async with db.execute("SELECT slug FROM readings ORDER BY slug") as cursor:
        return [row[0] async for row in cursor]


# --- who may change the roles -----------------------------------------------------------------


async def role_rows(db: aiosqlite.Connection) -> list[tuple[object, ...]]:
    query = "SELECT channel_id, ping_role_id, organizer_role_id, word_target FROM groups"
    async with db.execute(query) as cursor:
        return [tuple(row) async for row in cursor]


@pytest.fixture
async def led(fake_discord: FakeDiscord, make_bot: MakeBot) -> ReadingGroupBot:
    """A plan started by the organizer with the Leaders role as organizer role; "lea" has only
    that role (no Manage Server)."""
    fake = fake_discord
    bot = await make_bot()
    leaders = fake.add_role("Leaders")
    fake.add_member("lea", roles=[leaders])
    reply = await run(fake, "organizer", "plan start", {**START, "organizer_role": leaders})
    assert reply.content.startswith("Started"), reply.content
    return bot


@pytest.mark.parametrize("role", ["@everyone", "new"])
async def test_only_manage_server_changes_the_organizer_role(
    fake_discord: FakeDiscord, led: ReadingGroupBot, db: aiosqlite.Connection, role: str
) -> None:
    fake = fake_discord
    leaders = fake.role("Leaders")
    other = fake.guild.everyone if role == "@everyone" else fake.add_role("Others")
    before = await role_rows(db)
    reply = await run(fake, "lea", "plan start", {**START, "organizer_role": other})
    assert reply.content == (
        "Only members with the Manage Server permission can change who organizes the group "
        "(organizer_role): run /plan start without it, or ask one of them."
    )
    assert await role_rows(db) == before == [(fake.readings.id, None, leaders.id, 600)]
    # The organizer role still changes the rest, and may name itself again.
    reply = await run(fake, "lea", "plan start", {**START, "organizer_role": leaders, "words": 400})
    assert reply.content.startswith("Changed"), reply.content
    assert await role_rows(db) == [(fake.readings.id, None, leaders.id, 400)]
    reply = await run(fake, "organizer", "plan start", {**START, "organizer_role": other})
    assert reply.content.startswith("Changed"), reply.content
    assert await role_rows(db) == [(fake.readings.id, None, other.id, 400)]


async def test_a_ping_role_that_is_not_mentionable_is_refused(
    fake_discord: FakeDiscord, led: ReadingGroupBot, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    quiet = fake.add_role("Quiet readers")
    before = await role_rows(db)
    for user in ("lea", "organizer"):
        reply = await run(fake, user, "plan start", {**START, "ping_role": quiet})
        assert reply.content == (
            "I cannot ping the role Quiet readers: it is not mentionable. Turn on 'Allow anyone "
            "to @mention this role' for it in Server Settings > Roles, or pick another role."
        )
    assert await role_rows(db) == before


async def test_only_manage_server_makes_posts_ping_everyone_and_then_only_everyone(
    fake_discord: FakeDiscord, led: ReadingGroupBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    everyone = fake.guild.everyone
    before = await role_rows(db)
    reply = await run(fake, "lea", "plan start", {**START, "ping_role": everyone})
    assert reply.content == (
        "Only members with the Manage Server permission can make the posts ping @everyone: "
        "pick a mentionable role instead, or ask one of them."
    )
    assert await role_rows(db) == before
    reply = await run(fake, "organizer", "plan start", {**START, "ping_role": everyone})
    assert reply.content.startswith("Changed"), reply.content
    assert await role_rows(db) == [(fake.readings.id, everyone.id, fake.role("Leaders").id, 600)]
    fake.allow_pings(everyone=True)
    clock.set(FIRST_SLOT)
    await tick(led)
    (post,) = first_parts(fake, "readings")
    assert post.content == "@everyone"
    (record,) = [s for s in fake.sent if s.message_id == post.id]
    assert record.pings.everyone and not record.pings.roles and not record.pings.users
    assert record.allowed_mentions == {"parse": ["everyone"]}
