"""What only the PostgreSQL backend has: the SQL it translates, its migrator, the writers' lock
across processes, the shard locks, and its one-line connection errors.

The storage behaviour itself is tested on both backends by the other storage tests (``db``).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bot.core.shards import Shards
from bot.storage import postgres
from bot.storage.connection import ConnectionLost
from bot.storage.database import (
    DatabaseError,
    DatabaseInUse,
    Migration,
    MigrationError,
    bundled_migrations,
    can_clear,
    open_databases,
    transaction,
)
from bot.storage.groups import claim_post, get_group, save_group
from bot.storage.instance import Owner
from bot.storage.pg_dialect import translate, translate_ddl
from bot.storage.postgres import (
    PostgresConnection,
    connect,
    connect_error,
    migrate,
    open_postgres,
)
from tests.storage.test_groups import NOW, SLOT, make_group

SINCE = NOW


@pytest.mark.parametrize(
    ("sqlite", "postgres", "names"),
    [
        ("SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2", ()),
        ("SET a = ? WHERE b = ? AND ?2 > c", "SET a = $1 WHERE b = $2 AND $2 > c", ()),
        ("SELECT :b, :a, :b", "SELECT $1, $2, $1", ("b", "a")),
        ("SELECT '?', ':a', x::json -- what?", "SELECT '?', ':a', x::json -- what?", ()),
        ("SELECT 'it''s ?' || ?", "SELECT 'it''s ?' || $1", ()),
        ("INSERT OR IGNORE INTO t SELECT 1", "INSERT INTO t SELECT 1 ON CONFLICT DO NOTHING", ()),
        (
            "INSERT OR IGNORE INTO t VALUES (?) RETURNING id",
            "INSERT INTO t VALUES ($1) ON CONFLICT DO NOTHING RETURNING id",
            (),
        ),
        ("a IS ? OR b IS NOT ?", "a IS NOT DISTINCT FROM $1 OR b IS DISTINCT FROM $2", ()),
        ("SELECT a IS NULL, b IS NOT NULL", "SELECT a IS NULL, b IS NOT NULL", ()),
        ("SET a = max(t.a, excluded.a)", "SET a = GREATEST(t.a, excluded.a)", ()),
        ("SET b = min(b, ?)", "SET b = LEAST(b, $1)", ()),
        ("SELECT max(a), group_concat(b, ' ')", "SELECT max(a), string_agg(b, ' ')", ()),
    ],
)  # fmt: skip
def test_statements_are_translated_once_into_postgresql(
    sqlite: str, postgres: str, names: tuple[str, ...]
) -> None:
    assert translate(sqlite) == (postgres, names)


def test_migrations_get_postgresql_types() -> None:
    statement = """
        CREATE TABLE posts (
            id INTEGER PRIMARY KEY,  -- a rowid key: numbered by the database
            channel_id INTEGER NOT NULL,
            text TEXT NOT NULL DEFAULT 'x',
            PRIMARY KEY (channel_id, id)
        ) WITHOUT ROWID
    """
    assert translate_ddl(statement).split() == [
        *["CREATE", "TABLE", "posts", "("],
        *["id", "BIGINT", "GENERATED", "BY", "DEFAULT", "AS", "IDENTITY", "PRIMARY", "KEY,"],
        *["channel_id", "BIGINT", "NOT", "NULL,"],
        *["text", "TEXT", "COLLATE", '"C"', "NOT", "NULL", "DEFAULT", "'x',"],
        *["PRIMARY", "KEY", "(channel_id,", "id)"],
        ")",
    ]


@pytest.fixture
async def pg(postgres_url: str) -> AsyncIterator[PostgresConnection]:
    """A connection to a fresh, empty PostgreSQL database (not migrated)."""
    db = await connect(postgres_url)
    try:
        yield db
    finally:
        await db.close()


async def tables(db: PostgresConnection) -> set[str]:
    query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    async with db.execute(query) as cursor:
        return {row[0] async for row in cursor}


async def test_every_migration_is_applied_once_and_the_sqlite_ones_only_recorded(
    pg: PostgresConnection,
) -> None:
    migrations = bundled_migrations()
    assert await migrate(pg, migrations) == [m.number for m in migrations]
    assert await migrate(pg, migrations) == []
    async with pg.execute("SELECT number, name FROM _migrations ORDER BY number") as cursor:
        assert [(row[0], row[1]) async for row in cursor] == [
            (m.number, m.name) for m in migrations
        ]
    found = await tables(pg)
    assert {"groups", "posts", "replies", "summary_posts", "polls", "facilitators"} <= found
    assert not found & {"readings", "paragraphs", "paragraphs_fts"}  # the library index


async def test_a_failing_migration_leaves_no_trace(pg: PostgresConnection) -> None:
    good = Migration(1, "good", "CREATE TABLE whole (x INTEGER);\n")
    broken = Migration(2, "broken", "CREATE TABLE half (x INTEGER);\nCREATE TABLE oops (;\n")
    with pytest.raises(MigrationError, match=r"^migration 0002_broken failed \(syntax error"):
        await migrate(pg, [good, broken])
    assert await tables(pg) == set()  # the bookkeeping table too


async def test_ten_processes_migrating_a_new_database_at_once_apply_each_migration_once(
    postgres_url: str,
) -> None:
    connections = [await connect(postgres_url) for _ in range(10)]
    try:
        applied = await asyncio.gather(*(migrate(db, bundled_migrations()) for db in connections))
    finally:
        for db in connections:
            await db.close()
    numbers = [m.number for m in bundled_migrations()]
    assert sorted(applied, key=len) == [[]] * 9 + [numbers]


async def test_two_processes_racing_for_one_slot_claim_it_once(postgres_url: str) -> None:
    async with open_postgres(postgres_url) as first, open_postgres(postgres_url) as second:
        group = await save_group(first, make_group(), now=NOW)

        async def claim(db: PostgresConnection, key: str) -> object:
            return await claim_post(
                db,
                group,
                slot=SLOT,
                kind="scheduled",
                installment_key=key,
                number=1,
                total=20,
                questions=[],
                now=NOW,
            )

        won = await asyncio.gather(claim(first, "a:1-3"), claim(second, "a:1-3"))
        assert sum(post is not None for post in won) == 1
        stored = await get_group(second, group.channel_id)
        assert stored is not None and stored.done_key == "a:1-3"
        async with second.execute("SELECT count(*) FROM posts") as cursor:
            assert await cursor.fetchone() == (1,)


async def test_a_writer_waits_for_the_transaction_of_another_process(postgres_url: str) -> None:
    async with open_postgres(postgres_url) as first, open_postgres(postgres_url) as second:
        waiting = (
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND datname = current_database()"
        )
        async with transaction(first):
            await first.execute("INSERT INTO opt_outs VALUES (1, 'first')")
            later = asyncio.create_task(_write_in_transaction(second))
            async with open_postgres(postgres_url) as watcher:
                while True:  # until the second waits for the writers' lock
                    async with watcher.execute(waiting) as cursor:
                        if await cursor.fetchone() == (1,):
                            break
                    await asyncio.sleep(0)
            assert not later.done()
        await later
        async with second.execute("SELECT user_id, opted_out_at FROM opt_outs") as cursor:
            assert sorted(tuple(row) for row in await cursor.fetchall()) == [
                (1, "first"),
                (2, "saw 1"),
            ]


async def _write_in_transaction(db: PostgresConnection) -> None:
    async with transaction(db):
        async with db.execute("SELECT count(*) FROM opt_outs") as cursor:
            row = await cursor.fetchone()
        await db.execute("INSERT INTO opt_outs VALUES (2, ?)", (f"saw {row[0]}",))


def owner(pid: int) -> Owner:
    return Owner("host", pid, "t", SINCE)


@pytest.mark.parametrize(
    ("first", "second", "refused"),
    [
        (Shards(2, (0,)), Shards(2, (1,)), None),
        (Shards(2, (0,)), Shards(2, (0,)), "shard 0 is run by reading-group 1@host/t"),
        (Shards(4, (0, 1)), Shards(4, (1, 2)), "shard 1 is run by reading-group 1@host/t"),
        (None, Shards(2, (1,)), "every shard is run by reading-group 1@host/t"),
        (Shards(2, (1,)), None, "a shard is run by reading-group 1@host/t"),
        (None, None, "every shard is run by reading-group 1@host/t"),
        (
            Shards(2, (0,)),
            Shards(4, (3,)),
            "reading-group 1@host/t runs with SHARD_COUNT=2, this one with 4: every process "
            "needs the same SHARD_COUNT",
        ),
    ],
    ids=[
        "other-shard",
        "same-shard",
        "one-shared",
        "all-then-one",
        "one-then-all",
        "all-twice",
        "other-count",
    ],
)
async def test_two_processes_never_run_the_same_shard(
    postgres_url: str, first: Shards | None, second: Shards | None, refused: str | None
) -> None:
    async with open_postgres(postgres_url, owner=owner(1), shards=first):
        if refused is None:
            async with open_postgres(postgres_url, owner=owner(2), shards=second):
                pass
        else:
            with pytest.raises(DatabaseInUse) as caught:
                async with open_postgres(postgres_url, owner=owner(2), shards=second):
                    pass
            assert str(caught.value) == (
                f"PostgreSQL at {_where(postgres_url)}: {refused}: stop that bot first, or give "
                "this one other SHARD_IDS"
            )
    # Released with the first: the second may run now.
    async with open_postgres(postgres_url, owner=owner(2), shards=second):
        pass


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}{parts.path}"


def _with(url: str, *, password: str | None = None, port: int | None = None, db: str = "") -> str:
    parts = urlsplit(url)
    user = parts.username or "postgres"
    netloc = f"{user}:{password}@" if password else f"{user}@"
    netloc += f"{parts.hostname}:{port or parts.port}"
    return urlunsplit((parts.scheme, netloc, "/" + (db or parts.path.lstrip("/")), "", ""))


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once it is closed


async def test_an_unreachable_server_is_one_line_naming_it_without_the_password(
    postgres_url: str,
) -> None:
    port = _closed_port()
    url = _with(postgres_url, password="s3cret-pw", port=port, db="state")
    with pytest.raises(DatabaseError) as caught:
        async with open_postgres(url):
            pass
    message = str(caught.value)
    assert message.startswith(f"PostgreSQL at 127.0.0.1:{port}/state: cannot reach the server (")
    assert message.endswith("): start it, or fix DATABASE_URL")
    assert "s3cret-pw" not in message and "\n" not in message


async def test_a_missing_database_is_one_line_saying_so(postgres_url: str) -> None:
    url = _with(postgres_url, password="s3cret-pw", db="no_such_database")
    with pytest.raises(DatabaseError) as caught:
        async with open_postgres(url):
            pass
    assert str(caught.value) == (
        f"PostgreSQL at {_where(url)}: the server has no such database: create it (createdb) "
        "or fix DATABASE_URL"
    )


async def test_a_connection_lost_in_a_transaction_keeps_none_of_it_and_can_clear(
    postgres_url: str,
) -> None:
    async with open_postgres(postgres_url) as db, open_postgres(postgres_url) as admin:
        async with db.execute("SELECT pg_backend_pid()") as cursor:
            (pid,) = await cursor.fetchone() or (None,)
        gone = "SELECT count(*) FROM pg_stat_activity WHERE pid = ?"
        with pytest.raises(ConnectionLost) as caught:
            async with transaction(db):
                await db.execute("INSERT INTO opt_outs VALUES (1, 'lost')")
                await admin.execute("SELECT pg_terminate_backend(?)", (pid,))
                while await (await admin.execute(gone, (pid,))).fetchone() != (0,):
                    pass
                await db.execute("INSERT INTO opt_outs VALUES (2, 'lost')")
        assert can_clear(caught.value)  # the reply log keeps its batch and tries again
        assert str(caught.value).startswith(f"PostgreSQL at {_where(postgres_url)}: ")
        await db.execute("INSERT INTO opt_outs VALUES (3, 'kept')")  # on a new connection
        async with admin.execute("SELECT user_id FROM opt_outs") as cursor:
            assert await cursor.fetchall() == [(3,)]


async def test_a_constraint_is_the_integrity_error_claims_catch_and_cannot_clear(
    postgres_url: str,
) -> None:
    async with open_postgres(postgres_url) as db:
        await db.execute("INSERT INTO opt_outs VALUES (1, 'x')")
        with pytest.raises(sqlite3.IntegrityError) as caught:
            await db.execute("INSERT INTO opt_outs VALUES (1, 'y')")
        assert not can_clear(caught.value)


async def test_two_bots_on_one_host_need_their_own_index_file(
    postgres_url: str, tmp_path: Path
) -> None:
    index = tmp_path / "index.sqlite3"
    async with open_databases(index, postgres_url, owner=owner(1), shards=Shards(2, (0,))):
        with pytest.raises(DatabaseInUse, match=f"^{re.escape(str(index))} is in use by"):
            async with open_databases(index, postgres_url, owner=owner(2), shards=Shards(2, (1,))):
                pass
        async with open_databases(
            tmp_path / "other.sqlite3", postgres_url, owner=owner(2), shards=Shards(2, (1,))
        ) as databases:
            assert databases.index is not databases.state


URL = "postgresql://rg:s3cret-pw@db.example:6543/reading"


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            asyncpg.InvalidPasswordError('password authentication failed for user "rg"'),
            "PostgreSQL at db.example:6543/reading: the server refused the password of rg: "
            "check DATABASE_URL",
        ),
        (
            asyncpg.InvalidCatalogNameError('database "reading" does not exist'),
            "PostgreSQL at db.example:6543/reading: the server has no such database: create it "
            "(createdb) or fix DATABASE_URL",
        ),
        (
            TimeoutError(),
            "PostgreSQL at db.example:6543/reading: no answer within 10 s: check the server runs "
            "and DATABASE_URL's host and port",
        ),
        (
            ConnectionRefusedError(111, "Connection refused"),
            "PostgreSQL at db.example:6543/reading: cannot reach the server (Connection refused): "
            "start it, or fix DATABASE_URL",
        ),
    ],
    ids=["password", "no-database", "timeout", "refused"],
)
def test_each_connection_failure_is_one_line_without_the_password(
    error: Exception, message: str
) -> None:
    assert connect_error(URL, error) == message


async def test_a_server_that_stops_answering_times_out_and_can_clear(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres, "COMMAND_TIMEOUT", 0.2)
    async with open_postgres(postgres_url) as db:
        with pytest.raises(TimeoutError) as caught:
            await db.execute("SELECT pg_sleep(30)")  # a statement the server never answers
        assert can_clear(caught.value)
        async with db.execute("SELECT 1") as cursor:  # the connection is still good
            assert await cursor.fetchone() == (1,)
