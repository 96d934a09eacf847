"""PostgreSQL as the shared database, through asyncpg, behind the surface of aiosqlite.

:class:`PostgresConnection` is a :class:`bot.storage.connection.Connection`: the storage modules
run their SQL on it unchanged. Each SQL text is translated once
(:func:`bot.storage.pg_dialect.translate`): ``?`` and ``:name`` placeholders become ``$n``,
``INSERT OR IGNORE`` gets ``ON CONFLICT DO NOTHING``, ``IS ?`` becomes ``IS NOT DISTINCT FROM``,
and SQLite's scalar ``max``/``min`` and ``group_concat`` their PostgreSQL names.
``BEGIN IMMEDIATE`` opens a transaction that first takes one database-wide advisory lock
(:data:`WRITE_LOCK`), so writers are serialised across processes exactly as SQLite serialises
them, and a claim's read-then-write stays correct with several shard processes on one database.

The migrations are the same numbered files (:func:`migrate`), their SQLite types translated
(:func:`bot.storage.pg_dialect.translate_ddl`); files whose first line is
``-- backend: sqlite`` (the library index, which stays in a per-process SQLite file) are
recorded but not run. Ten processes may migrate a new database at once: the migrator holds an
advisory lock.

asyncpg is imported only here, and only when a ``DATABASE_URL`` is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import sys
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterable,
    Mapping,
    Sequence,
)
from contextlib import asynccontextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from bot.storage.connection import ConnectionLost, Sql
from bot.storage.pg_dialect import RETURNING, sqlite_only, translate, translate_ddl

if TYPE_CHECKING:
    import asyncpg

    from bot.core.shards import Shards
    from bot.storage.database import Migration
    from bot.storage.instance import Owner

log = logging.getLogger(__name__)

#: How long connecting may take before the server counts as unreachable, in seconds.
CONNECT_TIMEOUT = 10.0
#: How long one statement may take before it is given up (a server that stopped answering,
#: not a slow one: the longest, a week's summary or a migration, take seconds), in seconds.
COMMAND_TIMEOUT = 120.0

#: The first key of every advisory lock this bot takes (``pg_advisory_lock(int, int)``), so
#: they cannot meet another application's locks on the same server.
LOCK_CLASS = 0x7267  # "rg"
#: Second keys: the writers' lock, the migrator's, and the "all shards" lock; a shard's lock
#: is its id.
WRITE_LOCK = -1
MIGRATE_LOCK = -2
ALL_SHARDS = -3

#: SQLSTATE classes of failures that are the server's state, not the data's: the connection
#: (08), a serialization failure or deadlock (40), insufficient resources (53), the server
#: shutting down (57). The same write tried later can succeed.
TRANSIENT_CLASSES = ("08", "40", "53", "57")


class IntegrityError(sqlite3.IntegrityError):
    """A constraint of the PostgreSQL database refused a write.

    The DB-API's integrity error as the storage modules already catch it, so a claim that lost
    its race (``UNIQUE``) reads the same on both backends.
    """


def where(url: str) -> str:
    """``host:port/database`` of ``url``: how messages name the server, never with the
    password."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = parts.port or 5432
    name = unquote(parts.path.lstrip("/")) or unquote(parts.username or "") or "postgres"
    return f"PostgreSQL at {host}:{port}/{name}"


# --- errors ---------------------------------------------------------------------------------


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc``, raised by asyncpg, is the server's state for now (a lost connection, a
    serialization failure, a deadlock, a server shutting down) rather than the data's."""
    if isinstance(exc, (OSError, TimeoutError, ConnectionLost)):
        return True
    asyncpg = sys.modules.get("asyncpg")  # not imported: no PostgreSQL error can be raised
    if asyncpg is None:
        return False
    if isinstance(exc, (asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError)):
        return "closed" in str(exc) or isinstance(exc, asyncpg.ConnectionDoesNotExistError)
    sqlstate = getattr(exc, "sqlstate", None)
    return (
        isinstance(exc, asyncpg.PostgresError)
        and isinstance(sqlstate, str)
        and sqlstate[:2] in TRANSIENT_CLASSES
    )


def connect_error(url: str, exc: BaseException) -> str:
    """The one line for a connection that failed with ``exc``, with how to fix it."""
    import asyncpg

    at = where(url)
    user = unquote(urlsplit(url).username or "") or "the default user"
    if isinstance(exc, asyncpg.InvalidPasswordError):
        return f"{at}: the server refused the password of {user}: check DATABASE_URL"
    if isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError):
        return f"{at}: the server refused {user} ({exc}): check DATABASE_URL"
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return f"{at}: the server has no such database: create it (createdb) or fix DATABASE_URL"
    if isinstance(exc, TimeoutError):
        return (
            f"{at}: no answer within {CONNECT_TIMEOUT:g} s: check the server runs and "
            "DATABASE_URL's host and port"
        )
    if isinstance(exc, OSError):
        why = exc.strerror or str(exc)
        return f"{at}: cannot reach the server ({why}): start it, or fix DATABASE_URL"
    return f"{at}: cannot use the database ({exc}): check DATABASE_URL"


# --- the connection -------------------------------------------------------------------------


_RECORDS = "records"


class PostgresCursor:
    """The rows of one statement, all fetched, and the number of rows it changed."""

    def __init__(self, rows: Sequence[Any], rowcount: int) -> None:
        self._rows = rows
        self._next = 0
        self.rowcount = rowcount
        #: None for plain tuples, as with sqlite3; anything else keeps asyncpg's records.
        self.row_factory: Any = _RECORDS

    def _take(self, rows: Sequence[Any]) -> list[Any]:
        return list(rows) if self.row_factory is not None else [tuple(row) for row in rows]

    async def fetchone(self) -> Any:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._take(self._rows[self._next - 1 : self._next])[0]

    async def fetchall(self) -> list[Any]:
        rows = self._take(self._rows[self._next :])
        self._next = len(self._rows)
        return rows

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        while (row := await self.fetchone()) is not None:
            yield row

    async def close(self) -> None:
        self._rows = ()


class _Executed:
    """A statement's cursor, awaited or used with ``async with`` (as aiosqlite's ``Result``)."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def __await__(self) -> Generator[Any, None, PostgresCursor]:
        result: PostgresCursor = yield from self._cursor.__await__()
        return result

    async def __aenter__(self) -> PostgresCursor:
        result: PostgresCursor = await self._cursor
        return result

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        /,
    ) -> None:
        return None


def _rowcount(status: str) -> int:
    """The rows a command changed, from its status (``'UPDATE 3'``, ``'INSERT 0 1'``)."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else -1


def _returns_rows(text: str) -> bool:
    head = text.lstrip()[:6].upper()
    return head.startswith(("SELECT", "WITH", "VALUES"))


def _number(text: str) -> int | float:
    """``numeric`` as SQLite gives it: an integer when it is whole (``sum`` of integers)."""
    return int(text) if text.lstrip("-").isdigit() else float(text)


class PostgresConnection:
    """One asyncpg connection with the surface of ``aiosqlite.Connection`` the storage uses.

    Statements run one at a time, as on aiosqlite's single thread: the bot's tasks share the
    connection, and a statement of another task while a transaction is open joins it (the
    callers' :func:`bot.storage.database.write_lock` keeps their transactions apart). A
    connection the server dropped is opened again at the next statement outside a transaction
    (and takes its shards' locks again); inside one, the statements fail with
    :class:`ConnectionLost` until the caller rolls back, so a transaction is never half kept.
    """

    def __init__(self, raw: asyncpg.Connection, url: str, name: str = "reading-group") -> None:
        self.raw = raw
        self.url = url
        self.name = name
        self._busy = asyncio.Lock()
        self._in_transaction = False
        self._savepoint = False  # the transaction has one: released before the next is made
        #: The session's advisory locks (function, key) to take again on a new connection.
        self.held: list[tuple[str, int]] = []

    @property
    def where(self) -> str:
        """Where the database is, for messages (no password)."""
        return where(self.url)

    def execute(self, sql: str, parameters: Any = None) -> _Executed:
        return _Executed(self._execute(sql, parameters))

    def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> _Executed:
        return _Executed(self._executemany(sql, parameters))

    async def _execute(self, sql: str, parameters: Any) -> PostgresCursor:
        if sql.strip().upper() == "BEGIN IMMEDIATE":
            await self._begin()
            return PostgresCursor((), -1)
        text, names = translate(sql.postgres if isinstance(sql, Sql) else sql)
        args = _arguments(names, parameters)

        async def run(raw: asyncpg.Connection) -> PostgresCursor:
            if RETURNING.search(text):
                rows = await raw.fetch(text, *args)
                return PostgresCursor(rows, len(rows))
            if _returns_rows(text):
                return PostgresCursor(await raw.fetch(text, *args), -1)
            return PostgresCursor((), _rowcount(await raw.execute(text, *args)))

        return await self._run(run, writes=not _returns_rows(text))

    async def _executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> PostgresCursor:
        text, names = translate(sql.postgres if isinstance(sql, Sql) else sql)
        rows = [_arguments(names, row) for row in parameters]

        async def run(raw: asyncpg.Connection) -> PostgresCursor:
            await raw.executemany(text, rows)
            return PostgresCursor((), -1)

        return await self._run(run, writes=True)

    async def _run(
        self,
        statement: Callable[[asyncpg.Connection], Awaitable[PostgresCursor]],
        *,
        writes: bool,
    ) -> PostgresCursor:
        """Run one statement as SQLite runs it: alone on the connection and, for a write inside
        a transaction, undone alone when it fails, the transaction going on. (A failed write,
        such as a claim that lost its race, would otherwise abort PostgreSQL's whole
        transaction, and with it the statements other tasks run on the shared connection before
        the caller rolls back.)

        The savepoint is made again before each write, the previous one released in the same
        round trip; reads take none (a read fails only with a broken connection or a bug).
        """
        async with self._busy:
            raw = await self._ready()
            savepoint = writes and self._in_transaction
            try:
                if savepoint:
                    await raw.execute(
                        "RELEASE SAVEPOINT statement; SAVEPOINT statement"
                        if self._savepoint
                        else "SAVEPOINT statement"
                    )
                    self._savepoint = True
                return await statement(raw)
            except Exception as exc:
                if savepoint and not raw.is_closed() and raw.is_in_transaction():
                    with contextlib.suppress(Exception):  # then the caller's rollback ends it
                        await raw.execute("ROLLBACK TO SAVEPOINT statement")
                self._raise_as_ours(exc)
                raise

    async def _begin(self) -> None:
        async with self._busy:
            raw = await self._ready()
            try:
                await raw.execute("BEGIN")
                self._in_transaction = True
                await raw.execute("SELECT pg_advisory_xact_lock($1, $2)", LOCK_CLASS, WRITE_LOCK)
            except BaseException as exc:
                with contextlib.suppress(Exception):  # a broken connection has nothing to end
                    await self._end("ROLLBACK")
                if isinstance(exc, Exception):
                    self._raise_as_ours(exc)
                raise

    async def commit(self) -> None:
        async with self._busy:
            await self._end("COMMIT")

    async def rollback(self) -> None:
        async with self._busy:
            await self._end("ROLLBACK")

    async def _end(self, command: str) -> None:
        ending, self._in_transaction, self._savepoint = self._in_transaction, False, False
        if ending and not self.raw.is_closed() and self.raw.is_in_transaction():
            await self.raw.execute(command)

    async def _ready(self) -> asyncpg.Connection:
        """The connection, opened again if the server dropped it.

        Raises:
            ConnectionLost: it was dropped inside a transaction (whose writes went with it).
            DatabaseInUse: another process took one of this one's shards meanwhile.
        """
        if not self.raw.is_closed():
            return self.raw
        if self._in_transaction:
            raise ConnectionLost(f"{self.where}: the connection was lost inside a transaction")
        try:
            self.raw = await _connect(self.url, self.name)
        except Exception as exc:
            raise ConnectionLost(connect_error(self.url, exc)) from exc
        for function, key in self.held:
            if not await self.raw.fetchval(f"SELECT {function}($1, $2)", LOCK_CLASS, key):
                from bot.storage.database import DatabaseInUse

                await self.raw.close()
                raise DatabaseInUse(f"{self.where}: {_shard_name(key)} was taken by another bot")
        return self.raw

    def _raise_as_ours(self, exc: Exception) -> None:
        """Raise what the storage modules catch for what asyncpg raised, if it is one of them."""
        import asyncpg

        if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
            raise IntegrityError(str(exc)) from exc
        if isinstance(exc, asyncpg.InternalClientError):
            # asyncpg lost track of the connection (the server dropped it under a statement):
            # it cannot be trusted again, the next statement opens a new one.
            self.raw.terminate()
        if self.raw.is_closed() and not isinstance(exc, ConnectionLost):
            raise ConnectionLost(f"{self.where}: lost the connection ({exc})") from exc

    async def close(self) -> None:
        if not self.raw.is_closed():
            await self.raw.close(timeout=CONNECT_TIMEOUT)


def _arguments(names: tuple[str, ...], parameters: Any) -> list[Any]:
    if parameters is None:
        return []
    if names:
        if not isinstance(parameters, Mapping):
            raise TypeError("a query with :name placeholders takes a mapping of parameters")
        return [parameters[name] for name in names]
    return list(parameters)


async def _connect(url: str, application_name: str = "reading-group") -> asyncpg.Connection:
    import asyncpg

    raw = await asyncpg.connect(
        url,
        timeout=CONNECT_TIMEOUT,
        command_timeout=COMMAND_TIMEOUT,
        server_settings={"application_name": application_name[:63]},
    )
    await raw.set_type_codec(
        "numeric", encoder=str, decoder=_number, schema="pg_catalog", format="text"
    )
    return raw


async def connect(url: str, owner: Owner | None = None) -> PostgresConnection:
    """Open the database at ``url``.

    Raises:
        DatabaseError: the server cannot be reached or refused the connection; the message
            names ``host:port/database`` and never the password.
    """
    from bot.storage.database import DatabaseError

    try:
        import asyncpg  # noqa: F401 - only to say what is missing
    except ImportError:
        raise DatabaseError(
            f"DATABASE_URL is set ({where(url)}) but asyncpg is not installed: "
            "pip install 'reading-group[postgres]', or leave DATABASE_URL empty for SQLite"
        ) from None
    name = f"reading-group {owner.id}" if owner is not None else "reading-group"
    try:
        raw = await _connect(url, name)
    except Exception as exc:
        raise DatabaseError(connect_error(url, exc)) from None
    return PostgresConnection(raw, url, name)


# --- migrations -----------------------------------------------------------------------------

_MIGRATIONS_TABLE = """
    CREATE TABLE IF NOT EXISTS _migrations (
        number BIGINT PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at TEXT NOT NULL
            DEFAULT (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
    )
"""


async def migrate(db: PostgresConnection, migrations: list[Migration]) -> list[int]:
    """Apply every migration not yet applied, all in one transaction, under the migrator's
    advisory lock: a second process waits, then finds them applied. Returns the numbers applied
    now.

    Raises:
        MigrationError: one failed; nothing was applied.
    """
    import asyncpg

    from bot.storage.database import MigrationError, split_sql

    applied: list[int] = []
    async with db._busy:
        raw = await db._ready()
        async with raw.transaction():
            await raw.execute("SELECT pg_advisory_xact_lock($1, $2)", LOCK_CLASS, MIGRATE_LOCK)
            await raw.execute(_MIGRATIONS_TABLE)
            done = {int(row[0]) for row in await raw.fetch("SELECT number FROM _migrations")}
            for migration in migrations:
                if migration.number in done:
                    continue
                if not sqlite_only(migration):
                    try:
                        for statement in split_sql(migration.sql):
                            await raw.execute(translate_ddl(statement))
                    except asyncpg.PostgresError as exc:
                        raise MigrationError(
                            f"migration {migration.number:04d}_{migration.name} failed ({exc}); "
                            "the database was left as it was"
                        ) from exc
                await raw.execute(
                    "INSERT INTO _migrations (number, name) VALUES ($1, $2)",
                    migration.number,
                    migration.name,
                )
                applied.append(migration.number)
    return applied


# --- instances ------------------------------------------------------------------------------


async def hold_shards(db: PostgresConnection, shards: Shards | None) -> str | None:
    """Take the session's advisory lock of every shard this process runs (``None``: all of
    them), for as long as the connection lives. Returns None when they are all taken, else what
    keeps them (and none is kept).

    A process running every shard holds :data:`ALL_SHARDS` alone; one running some shares it
    and holds each of its shards alone: two processes stop each other only if they would run a
    shard twice. Sharded processes also share a lock naming their ``SHARD_COUNT``: with two
    counts, one server would belong to two shards, so a process seeing another count stops.
    """
    raw = db.raw
    if shards is None:
        wanted = [("pg_try_advisory_lock", ALL_SHARDS)]
    else:
        wanted = [
            ("pg_try_advisory_lock_shared", ALL_SHARDS),
            ("pg_try_advisory_lock_shared", _count_key(shards.count)),
        ]
        wanted += [("pg_try_advisory_lock", shard) for shard in shards.ids]
    taken: list[tuple[str, int]] = []
    async with db._busy:
        refused = None
        for function, key in wanted:
            if not await raw.fetchval(f"SELECT {function}($1, $2)", LOCK_CLASS, key):
                refused = await _holding(raw, key)
                break
            taken.append((function, key))
        if refused is None and shards is not None:
            refused = await _other_count(raw, shards.count)
        if refused is None:
            db.held = taken
            return None
        for done, done_key in taken:
            unlock = done.replace("try_advisory_lock", "advisory_unlock")
            await raw.execute(f"SELECT {unlock}($1, $2)", LOCK_CLASS, done_key)
        return refused


#: Advisory locks of this database only: they are the database's own, another database's on
#: the same server are not in the way. Keys are stored as unsigned 32-bit numbers.
_HOLDERS = """
    SELECT a.application_name, l.mode, l.objid::bigint FROM pg_locks AS l
    JOIN pg_stat_activity AS a ON a.pid = l.pid
    JOIN pg_database AS d ON d.oid = l.database AND d.datname = current_database()
    WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.granted
        AND l.objid::bigint BETWEEN $2 AND $3 AND l.pid <> pg_backend_pid()
    ORDER BY l.mode = 'ExclusiveLock' DESC, l.pid
"""

#: The keys of the SHARD_COUNT locks: -1000 - count.
_COUNTS_FROM = -1000


def _count_key(count: int) -> int:
    return _COUNTS_FROM - count


async def _holding(raw: asyncpg.Connection, key: int) -> str:
    """What holds the lock ``key`` this process could not take."""
    stored = key & 0xFFFFFFFF
    holder = await raw.fetchrow(_HOLDERS, LOCK_CLASS, stored, stored)
    name, mode = (holder[0], holder[1]) if holder is not None else ("another bot", "ExclusiveLock")
    if key != ALL_SHARDS:
        return f"shard {key} is run by {name}"
    # Held alone: a bot running every shard; shared: one running some of them.
    what = "every shard" if mode == "ExclusiveLock" else "a shard"
    return f"{what} is run by {name}"


async def _other_count(raw: asyncpg.Connection, count: int) -> str | None:
    """Another process's SHARD_COUNT, if it is not ``count``."""
    lowest = _count_key(2**16) & 0xFFFFFFFF  # Discord allows far fewer shards than this
    highest = _count_key(1) & 0xFFFFFFFF
    for name, _, stored in await raw.fetch(_HOLDERS, LOCK_CLASS, lowest, highest):
        other = _COUNTS_FROM - (stored - 2**32)
        if other != count:
            return (
                f"{name} runs with SHARD_COUNT={other}, this one with {count}: every process "
                "needs the same SHARD_COUNT"
            )
    return None


def _shard_name(key: int) -> str:
    return "every shard" if key == ALL_SHARDS else f"shard {key}"


@asynccontextmanager
async def open_postgres(
    url: str, *, owner: Owner | None = None, shards: Shards | None = None
) -> AsyncIterator[PostgresConnection]:
    """Open the shared database at ``url``, bring its schema up to date and, for a bot process
    (``owner``), hold the shards it runs (:func:`hold_shards`) until the block ends.

    Raises:
        DatabaseInUse: another process runs one of the shards.
        DatabaseError: the server cannot be reached, refused the connection, a migration
            failed, or the connection was lost for good inside the block; one line naming
            ``host:port/database``.
    """
    from bot.storage.database import (
        DatabaseError,
        DatabaseInUse,
        MigrationError,
        bundled_migrations,
    )

    db = await connect(url, owner)
    try:
        try:
            await migrate(db, bundled_migrations())
        except MigrationError as exc:
            raise MigrationError(f"{db.where}: {exc}: check DATABASE_URL") from exc
        except Exception as exc:
            if not is_transient(exc):
                raise
            raise DatabaseError(f"{db.where}: lost the connection ({exc})") from None
        if owner is not None:
            held = await hold_shards(db, shards)
            if held is not None:
                raise DatabaseInUse(
                    f"{db.where}: {held}: stop that bot first, or give this one other SHARD_IDS"
                )
        try:
            yield db
        except Exception as exc:
            if not is_transient(exc):
                raise
            raise DatabaseError(
                f"{db.where}: lost the connection ({exc}): check the server runs"
            ) from None
    finally:
        try:
            await db.close()
        except Exception:  # a server gone away: nothing is left to close
            log.debug("Closing %s failed", db.where, exc_info=True)
