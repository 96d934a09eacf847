"""A real SQLite database in tmp_path, migrated, for the storage tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from bot.storage.database import open_database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    """An open connection to a fresh database file, schema up to date."""
    async with open_database(tmp_path / "data" / "reading-group.sqlite3") as connection:
        yield connection
