"""The seam between the storage modules and a database: what they use of a connection.

Every storage module takes a :class:`Connection`: an ``aiosqlite.Connection`` (the embedded
default, and always the library index) or a :class:`bot.storage.postgres.PostgresConnection`
(the shared state when ``DATABASE_URL`` is set), which offers the same small surface. The
modules keep one SQL text with ``?`` (or ``:name``) placeholders; the PostgreSQL connection
translates it once per text. A query translation would get wrong carries its PostgreSQL form
beside it, as an :class:`Sql`.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Generator, Iterable, Iterator
from types import TracebackType
from typing import Any, Protocol


class Row(Protocol):
    """A result row, read by column name or by position."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    """The rows (and the count of rows changed) of one executed statement."""

    @property
    def rowcount(self) -> int: ...

    @property
    def row_factory(self) -> Any: ...

    @row_factory.setter
    def row_factory(self, factory: Any) -> None: ...

    async def fetchone(self) -> Row | None: ...

    async def fetchall(self) -> Iterable[Row]: ...

    def __aiter__(self) -> AsyncIterator[Row]: ...


class Executed(Protocol):
    """What :meth:`Connection.execute` returns: awaited, or used with ``async with``."""

    def __await__(self) -> Generator[Any, None, Cursor]: ...

    async def __aenter__(self) -> Cursor: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        /,
    ) -> Any: ...


class Connection(Protocol):
    """The part of ``aiosqlite.Connection`` the storage modules use.

    It runs in autocommit mode; ``BEGIN IMMEDIATE`` opens a transaction that holds the
    database's write lock until ``commit()`` or ``rollback()`` (see
    :func:`bot.storage.database.transaction`).
    """

    def execute(self, sql: str, parameters: Any = None) -> Executed: ...

    def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> Executed: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...

    async def close(self) -> None: ...


class Sql(str):
    """A query whose PostgreSQL form is written out beside its SQLite one.

    The SQLite text is the string itself (aiosqlite runs it as it is); ``postgres`` is what the
    PostgreSQL connection runs instead of translating it, with the same placeholders.
    """

    postgres: str

    def __new__(cls, sqlite: str, *, postgres: str) -> Sql:
        query = super().__new__(cls, sqlite)
        query.postgres = postgres
        return query


_JSON_EACH = re.compile(r"json_each\(([?]|:\w+)\)(\s+AS\s+\w+)?", re.IGNORECASE)


def json_ids(sql: str) -> Sql:
    """``sql`` whose ``json_each(:name)`` tables read JSON arrays of ids (64-bit integers), with
    its PostgreSQL form: each becomes a table of ``value bigint`` read by
    ``json_array_elements_text`` (PostgreSQL's ``json_each`` is for objects)."""

    def table(match: re.Match[str]) -> str:
        alias = match.group(2) or " AS ids"
        return (
            f"(SELECT value::bigint AS value FROM json_array_elements_text({match.group(1)}::json)"
            f" AS value){alias}"
        )

    return Sql(sql, postgres=_JSON_EACH.sub(table, sql))
