"""Groups, claims and asked questions on a real SQLite file; the 0001 -> 0002 upgrade."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from pathlib import Path

import aiosqlite
import pytest

from bot.core.group import Group
from bot.core.plan import GroupConfig
from bot.core.readings import Library, load_library
from bot.core.schedule import UTC, parse_cadence
from bot.storage.database import bundled_migrations, connect_raw, migrate
from bot.storage.groups import (
    Post,
    PostKind,
    UnreadableGroup,
    asked_question_ids,
    block_group,
    claim_post,
    confirm_post,
    get_group,
    groups_with_file,
    list_groups,
    pause_group,
    posts_of,
    read_groups,
    resume_group,
    save_group,
    set_last_slot,
    set_progress,
    sync_file_groups,
    unblock_groups,
    unconfirmed_posts,
)
from bot.storage.search import search, sync_index

READINGS_DIR = Path(__file__).resolve().parents[2] / "readings"
NOW = dt.datetime(2027, 1, 4, 12, 0, tzinfo=UTC)
SLOT = dt.datetime(2027, 1, 4, 18, 0, tzinfo=UTC)
CHANNEL = 500


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(READINGS_DIR)


def make_group(channel_id: int = CHANNEL, **changes: object) -> Group:
    group = Group(
        channel_id=channel_id,
        name="readers",
        readings=("proletarian-internationalism", "against-soic"),
        cadence=parse_cadence("mon,thu 19:00 Europe/Berlin"),
        start=NOW,
        created_by=7,
    )
    return dataclasses.replace(group, **changes)  # type: ignore[arg-type]


def config(channel_id: int = CHANNEL, line: int = 2, **changes: object) -> GroupConfig:
    base = GroupConfig(
        name="file-group",
        channel_id=channel_id,
        cadence=parse_cadence("sat 10:00 America/New_York"),
        readings=("soic",),
        word_target=400,
        path="groups.yaml",
        line=line,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


async def claim(
    db: aiosqlite.Connection,
    group: Group,
    slot: dt.datetime = SLOT,
    key: str = "proletarian-internationalism:1-4",
    *,
    kind: PostKind = "scheduled",
    questions: tuple[tuple[str, str], ...] = (("q1", "Why?"), ("q2", "How?")),
) -> Post | None:
    return await claim_post(
        db,
        group,
        slot=slot,
        kind=kind,
        installment_key=key,
        number=1,
        total=20,
        questions=questions,
        now=NOW,
    )


# Migrations.


async def test_a_database_at_schema_0001_with_index_data_upgrades_cleanly(
    tmp_path: Path, library: Library
) -> None:
    path = tmp_path / "old.sqlite3"
    db = await connect_raw(path)
    try:
        assert await migrate(db, bundled_migrations()[:1]) == [1]
        await sync_index(db, library)
        before = await search(db, "internationalism", limit=5)
        assert before
        applied = await migrate(db)
        assert applied == [m.number for m in bundled_migrations()[1:]]
        assert 2 in applied
        after = await search(db, "internationalism", limit=5)
        assert [hit.citation for hit in after] == [hit.citation for hit in before]
        stored = await save_group(db, make_group(), now=NOW)
        assert stored.name == "readers"
        async with db.execute("SELECT number FROM _migrations ORDER BY number") as cursor:
            numbers = [row[0] async for row in cursor]
        assert numbers == [m.number for m in bundled_migrations()]
        assert await migrate(db) == []
    finally:
        await db.close()


# Groups.


async def test_a_group_round_trips_with_its_plan(db: aiosqlite.Connection) -> None:
    group = make_group(
        ping_role_id=11,
        organizer_role_id=12,
        summary=parse_cadence("sun 18:00 Europe/Berlin"),
        word_target=450,
        questions_per_post=2,
    )
    stored = await save_group(db, group, now=NOW)
    assert stored == group
    assert stored.plan().cadence.tz.key == "Europe/Berlin"
    assert await get_group(db, CHANNEL + 1) is None


async def test_saving_again_changes_settings_and_keeps_progress(db: aiosqlite.Connection) -> None:
    group = await save_group(db, make_group(), now=NOW)
    await set_progress(db, CHANNEL, "proletarian-internationalism:5-9", 2, now=NOW)
    await set_last_slot(db, CHANNEL, SLOT, now=NOW)
    changed = await save_group(
        db, dataclasses.replace(group, word_target=900, created_by=None), now=NOW
    )
    assert changed.word_target == 900
    assert changed.created_by == 7  # who started it is kept
    assert (changed.done_key, changed.done_count, changed.last_slot) == (
        "proletarian-internationalism:5-9",
        2,
        SLOT,
    )


async def test_the_file_wins_over_plan_start_and_progress_is_kept(
    db: aiosqlite.Connection, library: Library
) -> None:
    await save_group(db, make_group(), now=NOW)
    await set_progress(db, CHANNEL, "proletarian-internationalism:1-4", 1, now=NOW)
    (stored,) = await sync_file_groups(db, [config()], library, now=NOW + dt.timedelta(days=3))
    assert stored.declared_at == "groups.yaml:2"
    assert stored.readings == ("against-soic",)
    assert str(stored.cadence) == "sat 10:00 America/New_York"
    assert stored.word_target == 400
    assert stored.start == NOW  # the stored start stays when the file gives none
    assert (stored.done_key, stored.done_count) == ("proletarian-internationalism:1-4", 1)
    assert stored.created_by == 7


async def test_a_new_file_group_starts_now_or_on_its_start_day(
    db: aiosqlite.Connection, library: Library
) -> None:
    first, second = await sync_file_groups(
        db,
        [config(1), config(2, line=9, name="other", start=dt.date(2027, 2, 1))],
        library,
        now=NOW,
    )
    assert first.start == NOW
    assert second.start == dt.datetime(2027, 2, 1, 5, 0, tzinfo=UTC)  # midnight in New York


async def test_groups_dropped_from_the_file_are_retired_and_come_back_with_their_progress(
    db: aiosqlite.Connection, library: Library
) -> None:
    await sync_file_groups(db, [config(1), config(2, line=9, name="two")], library, now=NOW)
    await set_progress(db, 2, "against-soic:1-3", 1, now=NOW)
    await sync_file_groups(db, [config(1)], library, now=NOW)
    assert [g.channel_id for g in await list_groups(db)] == [1]
    retired = await get_group(db, 2)
    assert retired is not None and retired.retired
    (back,) = await sync_file_groups(db, [config(2, line=9, name="two")], library, now=NOW)
    assert not back.retired
    assert back.done_key == "against-soic:1-3"


async def break_row(db: aiosqlite.Connection, channel_id: int, column: str, value: str) -> None:
    await db.execute(f"UPDATE groups SET {column} = ? WHERE channel_id = ?", (value, channel_id))
    await db.commit()


async def test_an_unreadable_group_is_kept_apart_and_named(
    db: aiosqlite.Connection, library: Library
) -> None:
    await save_group(db, make_group(1), now=NOW)
    await save_group(db, make_group(2, name="broken"), now=NOW)
    await break_row(db, 2, "last_slot", "999-01-04T18:00:00Z")
    groups, (problem,) = await read_groups(db)
    assert [g.channel_id for g in groups] == [1]
    assert (problem.channel_id, problem.column, problem.value) == (
        2,
        "last_slot",
        "999-01-04T18:00:00Z",
    )
    assert str(problem).startswith(
        "The stored plan of group 'broken' (channel 2) cannot be read, so it is skipped: its "
        "last_slot '999-01-04T18:00:00Z' is not valid ("
    )
    with pytest.raises(UnreadableGroup):
        await get_group(db, 2)
    with pytest.raises(UnreadableGroup):
        await list_groups(db)
    with pytest.raises(UnreadableGroup):
        await groups_with_file(db, [], library, now=NOW)
    assert [g.channel_id for g in await groups_with_file(db, [config(2)], library, now=NOW)] == [
        1,
        2,
    ]


async def test_a_file_group_stored_unreadable_is_replaced_and_one_dropped_is_retired(
    db: aiosqlite.Connection, library: Library
) -> None:
    await sync_file_groups(db, [config(1), config(2, line=9, name="two")], library, now=NOW)
    await set_progress(db, 1, "against-soic:1-3", 1, now=NOW)
    await break_row(db, 1, "start", "garbage")
    await break_row(db, 2, "cadence", "garbage")
    (stored,) = await sync_file_groups(db, [config(1)], library, now=NOW)
    assert (stored.start, stored.done_key) == (NOW, "against-soic:1-3")
    _, (retired,) = await read_groups(db, retired=True)
    assert (retired.channel_id, retired.retired) == (2, True)


async def test_file_pause_and_command_pause_are_separate(
    db: aiosqlite.Connection, library: Library
) -> None:
    (group,) = await sync_file_groups(db, [config(paused=True)], library, now=NOW)
    assert group.paused and group.file_paused and group.paused_at is None
    assert await pause_group(db, CHANNEL, now=NOW)
    assert not await pause_group(db, CHANNEL, now=NOW)  # already paused
    await resume_group(db, CHANNEL, now=NOW, last_slot=SLOT)
    resumed = await get_group(db, CHANNEL)
    assert resumed is not None
    assert resumed.paused_at is None and resumed.file_paused and resumed.last_slot == SLOT


async def test_a_block_is_reported_once_and_cleared_by_resume_or_reload(
    db: aiosqlite.Connection,
) -> None:
    await save_group(db, make_group(), now=NOW)
    await save_group(db, make_group(CHANNEL + 1), now=NOW)
    assert await block_group(db, CHANNEL, "no Send Messages", now=NOW)
    assert not await block_group(db, CHANNEL, "no Send Messages", now=NOW)
    blocked = await get_group(db, CHANNEL)
    assert blocked is not None and blocked.blocked == "no Send Messages"
    await resume_group(db, CHANNEL, now=NOW)
    assert await block_group(db, CHANNEL, "again", now=NOW)
    assert await block_group(db, CHANNEL + 1, "too", now=NOW)
    assert await unblock_groups(db, now=NOW) == 2
    assert all(g.blocked is None for g in await list_groups(db))


# Claims.


async def test_a_claim_records_the_post_its_questions_and_the_progress(
    db: aiosqlite.Connection,
) -> None:
    group = await save_group(db, make_group(), now=NOW)
    post = await claim(db, group)
    assert post is not None
    (pending,) = await unconfirmed_posts(db, CHANNEL)
    assert pending == post
    assert pending.questions == ("Why?", "How?")
    assert await asked_question_ids(db, CHANNEL) == {"q1", "q2"}
    moved = await get_group(db, CHANNEL)
    assert moved is not None
    assert (moved.done_key, moved.done_count, moved.last_slot) == (
        "proletarian-internationalism:1-4",
        1,
        SLOT,
    )


async def test_a_slot_is_claimed_once(db: aiosqlite.Connection) -> None:
    group = await save_group(db, make_group(), now=NOW)
    assert await claim(db, group) is not None
    again = await get_group(db, CHANNEL)
    assert again is not None
    assert await claim(db, again, key="proletarian-internationalism:5-9") is None
    assert len(await posts_of(db, CHANNEL)) == 1
    after = await get_group(db, CHANNEL)
    assert after is not None and after.done_key == "proletarian-internationalism:1-4"
    assert await asked_question_ids(db, CHANNEL) == {"q1", "q2"}


async def test_of_two_concurrent_claims_of_one_slot_exactly_one_wins(
    db: aiosqlite.Connection,
) -> None:
    group = await save_group(db, make_group(), now=NOW)
    results = await asyncio.gather(*(claim(db, group, questions=()) for _ in range(5)))
    assert sum(r is not None for r in results) == 1
    assert len(await posts_of(db, CHANNEL)) == 1


async def test_a_claim_based_on_stale_progress_loses(db: aiosqlite.Connection) -> None:
    stale = await save_group(db, make_group(), now=NOW)
    assert await claim(db, stale, kind="manual", slot=NOW) is not None
    # Another slot, but the group moved on since ``stale`` was read: the installment is taken.
    assert await claim(db, stale, slot=SLOT, questions=()) is None
    assert len(await posts_of(db, CHANNEL)) == 1


async def test_a_manual_post_leaves_the_schedule_alone(db: aiosqlite.Connection) -> None:
    group = await save_group(db, make_group(last_slot=None), now=NOW)
    assert await claim(db, group, slot=NOW, kind="manual") is not None
    moved = await get_group(db, CHANNEL)
    assert moved is not None
    assert moved.last_slot is None and moved.done_count == 1


async def test_confirming_a_post_takes_it_out_of_the_unconfirmed(db: aiosqlite.Connection) -> None:
    group = await save_group(db, make_group(), now=NOW)
    post = await claim(db, group)
    assert post is not None
    await confirm_post(db, post.id, message_id=99, thread_id=99, late=True, now=SLOT)
    assert await unconfirmed_posts(db, CHANNEL) == []
    (stored,) = await posts_of(db, CHANNEL)
    assert (stored.message_id, stored.thread_id, stored.posted_at, stored.late) == (
        99,
        99,
        SLOT,
        True,
    )


async def test_a_question_is_asked_once_per_group(db: aiosqlite.Connection) -> None:
    group = await save_group(db, make_group(), now=NOW)
    assert await claim(db, group) is not None
    moved = await get_group(db, CHANNEL)
    assert moved is not None
    later = SLOT + dt.timedelta(days=3)
    taken = await claim(db, moved, slot=later, key="against-soic:1-3", questions=(("q1", "Why?"),))
    assert taken is None
    assert len(await posts_of(db, CHANNEL)) == 1
    other = await save_group(db, make_group(CHANNEL + 1), now=NOW)
    assert await claim(db, other, questions=(("q1", "Why?"),)) is not None
