"""Migrations: numbered, applied once each with their record, atomic, and upgrades keep data."""

from __future__ import annotations

from pathlib import Path

import aiosqlite
import pytest

from bot.core.readings import Library
from bot.storage.database import (
    Migration,
    MigrationError,
    bundled_migrations,
    connect_raw,
    migrate,
)
from bot.storage.search import search, sync_index
from tests.core.conftest import make_reading


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
        stamp = "2027-01-04T18:00:00Z"
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
        before = await dump(db, ["groups", "posts", "asked_questions", "paragraphs", "readings"])

        assert await migrate(db) == [migrations[-1].number]

        after = await dump(db, ["groups", "posts", "asked_questions", "paragraphs", "readings"])
        for table, rows in before.items():
            assert [row[: len(rows[0])] for row in after[table]] == rows, table
        assert [hit.citation for hit in await search(db, "unite")] == ["pi §1"]
        async with db.execute("SELECT reply_log FROM groups") as cursor:
            assert [row[0] async for row in cursor] == ["content"]
    finally:
        await db.close()


async def dump(db: aiosqlite.Connection, tables: list[str]) -> dict[str, list[tuple[object, ...]]]:
    found = {}
    for table in tables:
        async with db.execute(f"SELECT * FROM {table} ORDER BY rowid") as cursor:
            found[table] = [tuple(row) async for row in cursor]
        assert found[table], f"{table} should have rows for this test"
    return found
