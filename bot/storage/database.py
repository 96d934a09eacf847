"""The SQLite connection and numbered migrations.

Schema changes are files ``migrations/NNNN_reason.sql``. Each is applied in one transaction
together with its row in ``_migrations``, so a crash leaves the database either before or after a
migration, never half-way (sqlite-utils keeps the same bookkeeping).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

MIGRATION_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    number: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """The migration files shipped in ``bot/storage/migrations``, in order."""
    found = []
    for entry in resources.files("bot.storage").joinpath("migrations").iterdir():
        match = MIGRATION_RE.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    found.sort(key=lambda m: m.number)
    numbers = [m.number for m in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migration numbers must run 1..N without gaps, found {numbers}")
    return found


async def applied_migrations(db: aiosqlite.Connection) -> set[int]:
    query = """
        CREATE TABLE IF NOT EXISTS _migrations (
            number INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        )
    """
    await db.execute(query)
    await db.commit()
    async with db.execute("SELECT number FROM _migrations") as cursor:
        return {int(row[0]) async for row in cursor}


async def migrate(db: aiosqlite.Connection, migrations: list[Migration] | None = None) -> list[int]:
    """Apply every migration not yet applied. Returns the numbers applied now."""
    migrations = bundled_migrations() if migrations is None else migrations
    done = await applied_migrations(db)
    applied = []
    for migration in migrations:
        if migration.number in done:
            continue
        log.info("Applying migration %04d_%s", migration.number, migration.name)
        # executescript() would COMMIT first and run outside our transaction, so run the
        # statements one by one inside an explicit BEGIN ... COMMIT with the bookkeeping row.
        await db.execute("BEGIN IMMEDIATE")
        try:
            for statement in split_sql(migration.sql):
                await db.execute(statement)
            await db.execute(
                "INSERT INTO _migrations (number, name) VALUES (?, ?)",
                (migration.number, migration.name),
            )
            await db.commit()
        except BaseException:
            await db.rollback()
            raise
        applied.append(migration.number)
    return applied


def split_sql(script: str) -> list[str]:
    """Split a migration script into complete statements (handles triggers' inner semicolons)."""
    import sqlite3

    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip() and not current.strip().startswith("--"):
        statements.append(current.strip())
    return [s for s in statements if _has_code(s)]


def _has_code(statement: str) -> bool:
    return any(
        line.strip() and not line.strip().startswith("--") for line in statement.splitlines()
    )


async def connect_raw(path: Path | str) -> aiosqlite.Connection:
    """Open ``path`` with the project's pragmas, without migrating."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = await aiosqlite.connect(path, isolation_level=None)
    db.row_factory = aiosqlite.Row
    await db.execute("PRAGMA journal_mode = WAL")
    await db.execute("PRAGMA synchronous = NORMAL")
    await db.execute("PRAGMA foreign_keys = ON")
    await db.execute("PRAGMA busy_timeout = 5000")
    return db


_locks: weakref.WeakKeyDictionary[aiosqlite.Connection, asyncio.Lock] = weakref.WeakKeyDictionary()


def write_lock(db: aiosqlite.Connection) -> asyncio.Lock:
    """The lock every transaction on ``db`` holds.

    The bot shares one connection between its tasks; a second ``BEGIN`` on it while a
    transaction is open fails, and another task's statements would join the open transaction.
    """
    lock = _locks.get(db)
    if lock is None:
        lock = _locks[db] = asyncio.Lock()
    return lock


@asynccontextmanager
async def transaction(db: aiosqlite.Connection) -> AsyncIterator[aiosqlite.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` under :func:`write_lock`; rolled back on any error."""
    async with write_lock(db):
        await db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            # A failed COMMIT (a full disk, an I/O error) may leave the transaction open: the
            # next BEGIN on this connection would fail for good, so it is rolled back too.
            await db.commit()
        except BaseException:
            await db.rollback()
            raise


#: SQLite's primary result codes of failures that are the database's state, not the data's:
#: another connection holds the lock, the disk or the memory is full, an I/O error, a file that
#: is read-only or cannot be opened for now. Trying the same write later can succeed.
TRANSIENT_CODES = frozenset(
    {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_NOMEM,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_INTERRUPT,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_PROTOCOL,
    }
)


def can_clear(exc: BaseException) -> bool:
    """Whether a write that failed with ``exc`` may succeed if tried again later (the database
    refused it for now), rather than being refused for what it writes (a constraint, a value
    SQLite cannot bind)."""
    if isinstance(exc, sqlite3.OperationalError):
        return True
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(exc, sqlite3.Error) and code is not None and code & 0xFF in TRANSIENT_CODES


def backup(source: Path, target: Path) -> int:
    """An online, consistent copy of the database (SQLite's backup API), safe while the bot
    writes. Returns the pages copied.

    The copy is written to a temporary file beside ``target``, then renamed over it: ``target``
    is replaced whole or not at all, and a failed backup leaves it as it was.

    Raises:
        sqlite3.DatabaseError: ``source`` is not a usable SQLite database.
        OSError: the copy cannot be written beside ``target``.
    """
    import os
    import sqlite3
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    try:
        with (
            contextlib.closing(sqlite3.connect(source)) as src,
            contextlib.closing(sqlite3.connect(partial)) as dst,
        ):
            src.backup(dst)
            (pages,) = dst.execute("PRAGMA page_count").fetchone()
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return int(pages)


@asynccontextmanager
async def open_database(path: Path | str) -> AsyncIterator[aiosqlite.Connection]:
    """Open the database, create it on first use and bring its schema up to date.

    The connection runs in autocommit mode (``isolation_level=None``): every write that must be
    atomic opens its own ``BEGIN IMMEDIATE`` transaction.
    """
    db = await connect_raw(path)
    try:
        await migrate(db)
        yield db
    finally:
        await db.close()
