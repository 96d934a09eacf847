"""The PostgreSQL fixture itself: a real server on 127.0.0.1, one fresh empty database per test."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from tests.pg import PostgresServer, redacted

asyncpg = pytest.importorskip("asyncpg")

# Databases seen by the tests below, in run order: they must differ.
SEEN: list[str] = []


async def user_tables(url: str) -> list[str]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
        return [row["table_name"] for row in rows]
    finally:
        await connection.close()


@pytest.mark.parametrize("run", [1, 2])
async def test_each_test_gets_its_own_empty_database(postgres_url: str, run: int) -> None:
    assert urlsplit(postgres_url).hostname in {"127.0.0.1", "localhost", "::1"}
    assert await user_tables(postgres_url) == []
    connection = await asyncpg.connect(postgres_url)
    try:
        # Left behind on purpose: the next test must not see it.
        await connection.execute("CREATE TABLE left_behind (n integer)")
        await connection.execute("INSERT INTO left_behind VALUES ($1)", run)
        name = await connection.fetchval("SELECT current_database()")
    finally:
        await connection.close()
    assert name not in SEEN
    SEEN.append(name)


async def test_a_test_database_is_dropped_afterwards(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    connection = await asyncpg.connect(postgres_server.url)
    try:
        names = {
            row["datname"] for row in await connection.fetch("SELECT datname FROM pg_database")
        }
    finally:
        await connection.close()
    assert urlsplit(postgres_url).path.lstrip("/") in names
    assert not names & set(SEEN), "the databases of the tests before were not dropped"


def test_a_password_never_shows_in_a_message() -> None:
    assert (
        redacted("postgresql://bot:s3cret@127.0.0.1:5432/reading")
        == "postgresql://bot:***@127.0.0.1:5432/reading"
    )
    assert redacted("postgresql://bot@127.0.0.1/reading") == "postgresql://bot@127.0.0.1/reading"


async def test_a_throwaway_server_listens_on_loopback_only(
    postgres_server: PostgresServer,
) -> None:
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("TEST_DATABASE_URL: a server someone else started and configured")
    connection = await asyncpg.connect(postgres_server.url)
    try:
        assert await connection.fetchval("SHOW listen_addresses") == "127.0.0.1"
    finally:
        await connection.close()
