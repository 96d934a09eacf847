"""Migrations: numbered, applied once each with their record, atomic, and upgrades keep data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import aiosqlite
import pytest

from bot.core.readings import Library
from bot.core.schedule import UTC
from bot.storage.database import (
    Migration,
    MigrationError,
    bundled_migrations,
    connect_raw,
    migrate,
)
from bot.storage.groups import claim_post, get_group
from bot.storage.search import search, sync_index
from tests.core.conftest import make_reading

OLD_STAMP = "2027-01-04T18:00:00Z"  # how posts, summaries and groups stored instants before 0007
NEW_STAMP = "2027-01-04T18:00:00.000000Z"


async def test_every_migration_is_applied_once_and_recorded(tmp_path: Path) -> None:
    db = await connect_raw(tmp_path / "db.sqlite3")
    try:
        numbers = [m.number for m in bundled_migrations()]
        assert await migrate(db) == numbers
        assert await migrate(db) == []
        async with db.execute("SELECT number, name FROM _migrations ORDER BY number") as cursor:
            recorded = [(row[0], row[1]) async for row in cursor]
        assert recorded == [(m.number, m.name) for m in bundled_migrations()]
    finally:
        await db.close()


async def test_a_failing_migration_leaves_no_trace(tmp_path: Path) -> None:
    db = await connect_raw(tmp_path / "db.sqlite3")
    good = Migration(1, "good", "CREATE TABLE whole (x INTEGER);\n")
    broken = Migration(2, "broken", "CREATE TABLE half (x INTEGER);\nCREATE TABLE oops (;\n")
    try:
        with pytest.raises(MigrationError, match=r"^migration 0002_broken failed \(near"):
            await migrate(db, [good, broken])
        # Rolled back with the migrations before it, and the bookkeeping table too.
        async with db.execute("SELECT name FROM sqlite_master") as cursor:
            assert await cursor.fetchall() == []
    finally:
        await db.close()


async def test_upgrading_from_the_previous_schema_keeps_every_row(tmp_path: Path) -> None:
    migrations = bundled_migrations()
    db = await connect_raw(tmp_path / "db.sqlite3")
    try:
        await migrate(db, migrations[:-1])
        # Data made by the previous schema: a search index, a group, a post, its questions.
        library = Library((make_reading("pi", "PI", ["Workers of the world unite."]),))
        await sync_index(db, library)
        stamp = NEW_STAMP  # as the code writes it now: the upgrade below keeps it as it is
        await db.execute(
            "INSERT INTO groups (channel_id, guild_id, name, readings, word_target, cadence,"
            " questions_per_post, start, created_at, updated_at, done_key, done_count)"
            " VALUES (100, 9, 'g', '[\"pi\"]', 600, 'mon 19:00 UTC', 3, ?, ?, ?, 'pi:1-1', 1)",
            (stamp, stamp, stamp),
        )
        await db.execute(
            "INSERT INTO posts (channel_id, slot, kind, installment_key, number, total,"
            " claimed_at, message_id, thread_id, posted_at)"
            " VALUES (100, ?, 'scheduled', 'pi:1-1', 1, 1, ?, 400, 500, ?)",
            (stamp, stamp, stamp),
        )
        await db.execute("INSERT INTO asked_questions VALUES (1, 0, 100, 'pi:abc', 'Why unite?')")
        await db.execute(
            "INSERT INTO facilitator_packets (channel_id, number, user_id, claimed_at, pending,"
            " delivered_at) VALUES (100, 1, 7, ?, NULL, ?), (100, 2, 8, ?, 'the packet', NULL)",
            (stamp, stamp, stamp),
        )
        tables = ["groups", "posts", "asked_questions", "paragraphs", "readings"]
        packets = "SELECT * FROM facilitator_packets ORDER BY channel_id, number, user_id"
        async with db.execute(packets) as cursor:
            packets_before = [tuple(row) async for row in cursor]
        before = await dump(db, tables)

        assert await migrate(db) == [migrations[-1].number]

        after = await dump(db, tables)
        for table, rows in before.items():
            assert [row[: len(rows[0])] for row in after[table]] == rows, table
        async with db.execute(packets) as cursor:
            packets_after = [tuple(row) async for row in cursor]
        assert [row[: len(packets_before[0])] for row in packets_after] == packets_before
        assert [hit.citation for hit in await search(db, "unite")] == ["pi §1"]
        async with db.execute("SELECT reply_log FROM groups") as cursor:
            assert [row[0] async for row in cursor] == ["content"]
    finally:
        await db.close()


async def test_upgrading_writes_every_instant_in_one_form_and_a_slot_stays_claimed(
    tmp_path: Path,
) -> None:
    migrations = bundled_migrations()
    (instants,) = [m for m in migrations if m.name == "one_instant_format"]
    db = await connect_raw(tmp_path / "db.sqlite3")
    try:
        await migrate(db, [m for m in migrations if m.number < instants.number])
        await db.execute(
            "INSERT INTO groups (channel_id, guild_id, name, readings, word_target, cadence,"
            " questions_per_post, start, paused_at, last_slot, created_at, updated_at,"
            " done_key, done_count)"
            " VALUES (100, 9, 'g', '[\"pi\"]', 600, 'mon 19:00 UTC', 3,"
            " ?, ?, ?, ?, ?, 'pi:1-1', 1)",
            (OLD_STAMP, OLD_STAMP, OLD_STAMP, "2027-01-04T18:00:00.250000Z", "999-01-01T00:00:00Z"),
        )
        await db.execute(
            "INSERT INTO posts (channel_id, slot, kind, installment_key, number, total,"
            " claimed_at, posted_at) VALUES (100, ?, 'scheduled', 'pi:1-1', 1, 2, ?, NULL)",
            (OLD_STAMP, OLD_STAMP),
        )
        await db.execute(
            "INSERT INTO summary_posts (channel_id, week, slot, kind, claimed_at, posted_at)"
            " VALUES (100, '2027-W01', ?, 'scheduled', ?, ?)",
            (OLD_STAMP, OLD_STAMP, OLD_STAMP),
        )
        await db.execute("INSERT INTO opt_outs VALUES (7, ?)", (NEW_STAMP,))
        await db.commit()

        assert await migrate(db) == [m.number for m in migrations if m.number >= instants.number]

        async with db.execute(
            "SELECT start, paused_at, last_slot, created_at, updated_at FROM groups"
        ) as cursor:
            assert [tuple(row) async for row in cursor] == [
                # the fraction kept, a value of neither form left for the loader to name
                (
                    NEW_STAMP,
                    NEW_STAMP,
                    NEW_STAMP,
                    "2027-01-04T18:00:00.250000Z",
                    "999-01-01T00:00:00Z",
                )
            ]
        async with db.execute("SELECT slot, claimed_at, posted_at FROM posts") as cursor:
            assert [tuple(row) async for row in cursor] == [(NEW_STAMP, NEW_STAMP, None)]
        async with db.execute("SELECT slot, claimed_at, posted_at FROM summary_posts") as cursor:
            assert [tuple(row) async for row in cursor] == [(NEW_STAMP, NEW_STAMP, NEW_STAMP)]
        async with db.execute("SELECT opted_out_at FROM opt_outs") as cursor:
            assert [row[0] async for row in cursor] == [NEW_STAMP]

        # The slot claimed before the upgrade is the same text as the same slot claimed now,
        # so UNIQUE (channel_id, slot) still refuses a second post for it.
        group = await get_group(db, 100)
        assert group is not None
        slot = dt.datetime(2027, 1, 4, 18, 0, tzinfo=UTC)
        again = await claim_post(
            db,
            group,
            slot=slot,
            kind="scheduled",
            installment_key="pi:2-2",
            number=2,
            total=2,
            questions=(),
            now=slot,
        )
        assert again is None
        async with db.execute("SELECT slot, installment_key FROM posts") as cursor:
            assert [tuple(row) async for row in cursor] == [(NEW_STAMP, "pi:1-1")]
    finally:
        await db.close()


async def dump(db: aiosqlite.Connection, tables: list[str]) -> dict[str, list[tuple[object, ...]]]:
    found = {}
    for table in tables:
        async with db.execute(f"SELECT * FROM {table} ORDER BY rowid") as cursor:
            found[table] = [tuple(row) async for row in cursor]
        assert found[table], f"{table} should have rows for this test"
    return found
