"""The connection's behaviour the storage modules rely on, the same on both backends (``db``):
what a transaction sees and keeps, rows by name and by position, counts of rows changed."""

from __future__ import annotations

import sqlite3

import pytest

from bot.storage.connection import Connection
from bot.storage.database import transaction


async def opted_out(db: Connection) -> list[tuple[int, str]]:
    async with db.execute("SELECT user_id, opted_out_at FROM opt_outs ORDER BY 1") as cursor:
        return [(row["user_id"], row[1]) async for row in cursor]


async def test_a_failed_statement_in_a_transaction_undoes_only_itself(db: Connection) -> None:
    async with transaction(db):
        await db.execute("INSERT INTO opt_outs VALUES (1, 'kept')")
        with pytest.raises(sqlite3.IntegrityError):
            await db.execute("INSERT INTO opt_outs VALUES (1, 'refused')")
        assert await opted_out(db) == [(1, "kept")]  # the transaction goes on
        await db.execute("INSERT INTO opt_outs VALUES (2, 'after')")
        with pytest.raises(sqlite3.IntegrityError):
            await db.execute("INSERT INTO opt_outs VALUES (2, 'refused too')")
        await db.execute("UPDATE opt_outs SET opted_out_at = 'changed' WHERE user_id = 1")
    assert await opted_out(db) == [(1, "changed"), (2, "after")]


async def test_a_transaction_that_raises_keeps_nothing(db: Connection) -> None:
    with pytest.raises(LookupError):
        async with transaction(db):
            await db.execute("INSERT INTO opt_outs VALUES (1, 'lost')")
            raise LookupError
    assert await opted_out(db) == []


@pytest.mark.parametrize(
    ("statement", "changed"),
    [
        ("UPDATE opt_outs SET opted_out_at = 'x'", 2),
        ("UPDATE opt_outs SET opted_out_at = 'x' WHERE user_id = 3", 0),
        ("DELETE FROM opt_outs WHERE user_id = 1", 1),
        ("INSERT OR IGNORE INTO opt_outs VALUES (1, 'again')", 0),
        ("INSERT OR IGNORE INTO opt_outs VALUES (3, 'new')", 1),
    ],
)
async def test_rowcount_is_the_rows_a_statement_changed(
    db: Connection, statement: str, changed: int
) -> None:
    await db.executemany("INSERT INTO opt_outs VALUES (?, ?)", [(1, "a"), (2, "b")])
    cursor = await db.execute(statement)
    assert cursor.rowcount == changed


async def test_64_bit_ids_and_named_parameters_round_trip(db: Connection) -> None:
    big = 2**63 - 1  # Discord ids use all of a signed 64-bit integer's range in time
    await db.execute("INSERT INTO opt_outs VALUES (:id, :at)", {"id": big, "at": "now"})
    async with db.execute("SELECT user_id FROM opt_outs WHERE user_id = ?", (big,)) as cursor:
        row = await cursor.fetchone()
    assert row is not None and row[0] == row["user_id"] == big
