"""The SQLite connection and numbered migrations.

Schema changes are files ``migrations/NNNN_reason.sql``. The pending ones are applied in one
``BEGIN IMMEDIATE`` transaction together with their rows in ``_migrations``, read inside that same
transaction: a crash or a failure leaves the database as it was, and two processes opening a new
database at once apply each migration once (sqlite-utils keeps the same bookkeeping).

A file that cannot be used (not a database, corrupt, read-only, a directory) or a migration that
fails raises :class:`DatabaseError`, whose message is one line naming the file; the connection is
closed on every error path, so a command never hangs on aiosqlite's worker thread.

The bot process holds the database alone (:func:`instance_lock`): a second one on the same file
stops with :class:`DatabaseInUse`, naming the first.

With ``DATABASE_URL`` the shared state is a PostgreSQL database instead
(:mod:`bot.storage.postgres`) and this file keeps only the library index; :func:`open_databases`
opens both, :func:`open_state` only the state.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import re
import sqlite3
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import aiosqlite

from bot.core.errors import ReadingGroupError
from bot.core.instants import format_instant, parse_instant
from bot.storage.connection import Connection

if TYPE_CHECKING:
    from bot.core.shards import Shards
    from bot.storage.instance import Owner

log = logging.getLogger(__name__)

MIGRATION_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


#: How long a statement waits for another connection's lock before SQLite gives up.
BUSY_TIMEOUT_MS = 5000

#: SQLite's error kinds that mean the file itself cannot be used (as opposed to a busy database).
UNUSABLE = ("SQLITE_NOTADB", "SQLITE_CORRUPT", "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR")


class DatabaseError(ReadingGroupError):
    """The database cannot be used as it is; the message names the file and what to do."""


class MigrationError(DatabaseError):
    """A migration failed; it was rolled back with every other pending one."""


class DatabaseInUse(DatabaseError):
    """Another bot process holds the database."""

    exit_code = 2


IN_USE_FIX = (
    "stop that bot first (only one may run on a database), or give this one its own DATABASE_PATH"
)


def unusable(path: Path | str, exc: BaseException | str) -> DatabaseError:
    """The one line for a file SQLite refused (``exc``, or why), with how to fix it."""
    if getattr(exc, "sqlite_errorname", "").startswith("SQLITE_READONLY"):
        fix = "make the file and its folder writable for the bot, or set DATABASE_PATH"
    elif Path(path).is_dir():
        fix = "that is a folder: set DATABASE_PATH to a file in it"
    else:
        fix = "check DATABASE_PATH, or restore a backup"
    return DatabaseError(f"{path}: not a usable SQLite database ({exc}): {fix}")


def require_database(path: Path | str) -> None:
    """For a command that only reads: raise when there is no database at ``path`` rather than
    make an empty one (a mistyped DATABASE_PATH).

    Raises:
        DatabaseError: nothing at ``path``.
    """
    if not Path(path).exists():
        raise DatabaseError(
            f"no database at {path} (set DATABASE_PATH or run the bot once to create it)"
        )


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


async def applied_migrations(db: Connection) -> set[int]:
    """The numbers in ``_migrations`` (made if missing). Call it inside the migrating
    transaction, so another process cannot apply one between this read and the writes."""
    query = """
        CREATE TABLE IF NOT EXISTS _migrations (
            number INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        )
    """
    await db.execute(query)
    async with db.execute("SELECT number FROM _migrations") as cursor:
        return {int(row[0]) async for row in cursor}


async def migrate(db: Connection, migrations: list[Migration] | None = None) -> list[int]:
    """Apply every migration not yet applied, all in one transaction. Returns the numbers applied
    now. On PostgreSQL, see :func:`bot.storage.postgres.migrate`.

    Raises:
        MigrationError: one failed; nothing was applied (not even the ones before it).
    """
    migrations = bundled_migrations() if migrations is None else migrations
    if not isinstance(db, aiosqlite.Connection):
        from bot.storage import postgres

        assert isinstance(db, postgres.PostgresConnection)
        return await postgres.migrate(db, migrations)
    insert = "INSERT INTO _migrations (number, name) VALUES (?, ?)"
    applied = []
    # executescript() would COMMIT first and run outside our transaction, so the statements run
    # one by one. BEGIN IMMEDIATE takes the write lock before _migrations is read: a second
    # process waits (busy_timeout) and then finds them applied.
    await db.execute("BEGIN IMMEDIATE")
    try:
        done = await applied_migrations(db)
        for migration in migrations:
            if migration.number in done:
                continue
            log.info("Applying migration %04d_%s", migration.number, migration.name)
            try:
                for statement in split_sql(migration.sql):
                    await db.execute(statement)
            except sqlite3.Error as exc:
                raise MigrationError(
                    f"migration {migration.number:04d}_{migration.name} failed ({exc}); the "
                    "database was left as it was"
                ) from exc
            await db.execute(insert, (migration.number, migration.name))
            applied.append(migration.number)
        await db.commit()
    except BaseException:
        await db.rollback()
        raise
    return applied


def split_sql(script: str) -> list[str]:
    """Split a migration script into complete statements (handles triggers' inner semicolons)."""
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
    """Open ``path`` with the project's pragmas, without migrating.

    Raises:
        sqlite3.Error: SQLite refused the file; the connection (and its thread) is closed.
    """
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # A file SQLite cannot open at all (a folder, no permission) fails here rather than in
        # aiosqlite's connect, whose worker thread would then outlive the event loop and print
        # a traceback at exit.
        await asyncio.to_thread(lambda: sqlite3.connect(path).close())
    db = await aiosqlite.connect(path, isolation_level=None)
    try:
        db.row_factory = aiosqlite.Row
        # The busy timeout first: switching to WAL waits for other connections too.
        await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await _switch_to_wal(db)
        await db.execute("PRAGMA synchronous = NORMAL")
        await db.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        # aiosqlite's worker thread is not a daemon: left open, it keeps the process alive.
        await db.close()
        raise
    return db


async def _switch_to_wal(db: aiosqlite.Connection) -> None:
    """``PRAGMA journal_mode = WAL``, tried again while another connection holds the file.

    The switch reads the schema first and then needs the file alone; SQLite does not call the
    busy handler for that upgrade (waiting while holding a read lock could deadlock), so two
    processes opening a new database at once could see "database is locked" at once, whatever
    the busy timeout. The other one is done within moments: wait for it as the timeout would.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BUSY_TIMEOUT_MS / 1000
    pause = 0.01
    while True:
        try:
            await db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            code = getattr(exc, "sqlite_errorcode", None)
            busy = code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
            if not busy or loop.time() + pause > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.2)


_locks: weakref.WeakKeyDictionary[Connection, asyncio.Lock] = weakref.WeakKeyDictionary()


def write_lock(db: Connection) -> asyncio.Lock:
    """The lock every transaction on ``db`` holds.

    The bot shares one connection between its tasks; a second ``BEGIN`` on it while a
    transaction is open fails, and another task's statements would join the open transaction.
    """
    lock = _locks.get(db)
    if lock is None:
        lock = _locks[db] = asyncio.Lock()
    return lock


@asynccontextmanager
async def transaction(db: Connection) -> AsyncIterator[Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` under :func:`write_lock`; rolled back on any error.

    On PostgreSQL the transaction holds the database-wide writers' lock (see
    :mod:`bot.storage.postgres`), as SQLite's ``BEGIN IMMEDIATE`` holds the file's.
    """
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
    SQLite cannot bind). On PostgreSQL: a lost connection, a serialization failure, a deadlock,
    a server shutting down."""
    if not isinstance(exc, sqlite3.Error):
        from bot.storage.postgres import is_transient

        return is_transient(exc)
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
        DatabaseError: no database at ``source``, or not one SQLite can read.
        OSError: the copy cannot be written beside ``target``.
    """
    import tempfile

    require_database(source)
    try:  # SQLite reads the file only now: name the source, not the copy, when it is bad
        src = sqlite3.connect(source)
        with contextlib.closing(src):
            (pages,) = src.execute("PRAGMA page_count").fetchone()
    except sqlite3.Error as exc:
        raise unusable(source, exc) from exc
    if not pages:  # what SQLite makes of an empty file, or of one in /proc
        raise unusable(source, "the file is empty")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    try:
        with (
            contextlib.closing(sqlite3.connect(source)) as src,
            contextlib.closing(sqlite3.connect(partial)) as dst,
        ):
            try:
                src.backup(dst)
            except sqlite3.DatabaseError as exc:
                if exc.sqlite_errorname not in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
                    raise
                raise unusable(source, exc) from exc  # the copy is a new file: the source is bad
            (pages,) = dst.execute("PRAGMA page_count").fetchone()
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return int(pages)


@contextmanager
def instance_lock(database: Path, owner: Owner) -> Iterator[None]:
    """Hold the database for ``owner`` (this process) until the block ends or the process dies.

    An advisory lock (``fcntl.flock``) on ``<database>.lock``, which names the holder (pid, host,
    start) for a second process to report. The kernel drops it with the process, even a killed
    one, so there is never a stale lock to clean up.

    Raises:
        DatabaseInUse: another process holds it; the message names it and what to do.
        DatabaseError: the lock file cannot be made.
    """
    path = database.with_name(database.name + ".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DatabaseError(
            f"{database}: cannot make its lock file {path} ({exc.strerror}): make the folder "
            "writable for the bot, or set DATABASE_PATH"
        ) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(f"{database} is in use by {_holder(fd)}: {IN_USE_FIX}") from None
        os.ftruncate(fd, 0)
        record = {"pid": owner.pid, "host": owner.host, "since": format_instant(owner.since)}
        os.write(fd, (json.dumps(record) + "\n").encode())
        yield
    finally:
        os.close(fd)  # and with it the lock


def _holder(fd: int) -> str:
    """The process named in a lock file held by another, as well as can be told."""
    try:
        record = json.loads(os.pread(fd, 4096, 0))
        since = parse_instant(record["since"]).strftime("%Y-%m-%d %H:%M UTC")
        return f"another bot (pid {int(record['pid'])} on {record['host']}, since {since})"
    except (OSError, ValueError, KeyError, TypeError):  # written this very moment, or not ours
        return "another bot"


@asynccontextmanager
async def open_database(
    path: Path | str, *, create: bool = True, owner: Owner | None = None
) -> AsyncIterator[aiosqlite.Connection]:
    """Open the database, create it on first use and bring its schema up to date.

    The connection runs in autocommit mode (``isolation_level=None``): every write that must be
    atomic opens its own ``BEGIN IMMEDIATE`` transaction.

    Args:
        path: the database file.
        create: make it when it does not exist; commands that only read pass False.
        owner: the bot process, which holds the database alone (:func:`instance_lock`) as long
            as it is open.

    Raises:
        DatabaseInUse: another bot process holds it (only with an ``owner``).
        DatabaseError: no database (with ``create=False``), a file SQLite cannot use (also when
            found corrupt later, inside the ``async with``), or a failed migration.
    """
    if not create:
        require_database(path)
    with contextlib.ExitStack() as held:
        if owner is not None:
            held.enter_context(instance_lock(Path(path), owner))
        async with _open(path) as db:
            yield db


@asynccontextmanager
async def _open(path: Path | str) -> AsyncIterator[aiosqlite.Connection]:
    """:func:`open_database` without the lock: SQLite's errors become :class:`DatabaseError`."""
    try:
        db = await connect_raw(path)
    except (sqlite3.Error, OSError) as exc:
        raise unusable(path, exc) from exc
    try:
        try:
            await migrate(db)
        except MigrationError as exc:
            raise MigrationError(
                f"{path}: {exc}: check DATABASE_PATH points to this bot's database, or restore a "
                "backup"
            ) from exc
        except sqlite3.Error as exc:
            raise unusable(path, exc) from exc
        try:
            yield db
        except sqlite3.Error as exc:
            if not getattr(exc, "sqlite_errorname", "").startswith(UNUSABLE):
                raise
            raise unusable(path, exc) from exc
    finally:
        await db.close()


@dataclass(frozen=True, slots=True)
class Databases:
    """The two handles a bot or a command uses.

    Attributes:
        state: the shared state (groups, posts, the reply log, summaries, polls, ...): the
            PostgreSQL database when ``DATABASE_URL`` is set, else the SQLite file.
        index: the library index (readings, paragraphs, full-text search), always the SQLite
            file at ``DATABASE_PATH``: a per-process cache of the readings. With SQLite alone
            both are the same connection.
    """

    state: Connection
    index: aiosqlite.Connection


@asynccontextmanager
async def open_databases(
    path: Path | str,
    url: str | None = None,
    *,
    create: bool = True,
    owner: Owner | None = None,
    shards: Shards | None = None,
) -> AsyncIterator[Databases]:
    """Open the library index at ``path`` and the shared state (at ``url`` when given, else in
    the same file), both migrated.

    Args:
        path: the SQLite file (DATABASE_PATH).
        url: the PostgreSQL database (DATABASE_URL), or None.
        create: make the SQLite file when it does not exist; commands that only read the state
            pass False (it does not matter with a ``url``: the index is a cache).
        owner: the bot process. It holds the SQLite file alone (:func:`instance_lock`), and
            with PostgreSQL also the shards it runs (``shards``; None: all of them), so two
            processes never run the same shard.
        shards: the shards this process runs.

    Raises:
        DatabaseInUse: another bot process holds the file, or runs one of ``shards``.
        DatabaseError: see :func:`open_database` and :func:`bot.storage.postgres.open_postgres`.
    """
    if url is None:
        async with open_database(path, create=create, owner=owner) as db:
            yield Databases(db, db)
        return
    from bot.storage.postgres import open_postgres

    # The shards first: a process refused for them leaves the index file alone. The index is
    # this process's own: a bot holds it as it holds a SQLite database (two bots on one host
    # need two DATABASE_PATHs).
    with contextlib.ExitStack() as held:
        async with open_postgres(url, owner=owner, shards=shards) as state:
            if owner is not None:
                held.enter_context(instance_lock(Path(path), owner))
            async with _open(path) as index:
                yield Databases(state, index)


@asynccontextmanager
async def open_state(
    path: Path | str, url: str | None = None, *, create: bool = True
) -> AsyncIterator[Connection]:
    """Open only the shared state (for a command that needs no search): the PostgreSQL
    database at ``url`` when given, else the SQLite file at ``path`` (see
    :func:`open_databases`)."""
    if url is None:
        async with open_database(path, create=create) as db:
            yield db
        return
    from bot.storage.postgres import open_postgres

    async with open_postgres(url) as db:
        yield db


def has_state(path: Path, url: str | None) -> bool:
    """Whether there may be state to read: a PostgreSQL database, or the SQLite file exists."""
    return url is not None or path.exists()
