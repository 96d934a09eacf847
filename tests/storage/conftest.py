"""A real database, migrated, for the storage tests: the same tests run on both backends.

``db`` is the shared state's connection: a SQLite file in tmp_path, or a fresh PostgreSQL
database (``postgres_url``, skipped with its reason when no server can be had). Tests of what
only SQLite has (the file, its lock, its full-text index) ask for ``sqlite_db``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from bot.storage.connection import Connection
from bot.storage.database import open_database

BACKENDS = ("sqlite", "postgres")


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    """An open connection to a fresh SQLite database file, schema up to date."""
    async with open_database(tmp_path / "data" / "reading-group.sqlite3") as connection:
        yield connection


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Connection]:
    """An open connection to a fresh database of each backend, schema up to date."""
    if request.param == "sqlite":
        async with open_database(tmp_path / "data" / "reading-group.sqlite3") as connection:
            yield connection
        return
    from bot.storage.postgres import open_postgres

    url = request.getfixturevalue("postgres_url")
    async with open_postgres(url) as connection:
        yield connection
