"""Keeping or clearing the quotes a reply makes while another task's transaction is open on the
shared connection waits for it: it neither joins that transaction nor commits it half done."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aiosqlite
import pytest

from bot.core.quotes import QuoteMatch
from bot.storage.database import transaction
from bot.storage.quotes import clear_quote_matches, save_quote_matches
from bot.storage.replies import apply_events
from tests.storage.test_replies import GROUP, POST_MESSAGE, THREAD, add_group, add_post, reply, rows

MATCH = QuoteMatch("a", 3, None, None, "exact", ())


class Abandoned(Exception):
    """The other task's batch fails: its transaction is rolled back."""


async def keep(db: aiosqlite.Connection) -> object:
    return await save_quote_matches(db, 1, [MATCH])


async def clear(db: aiosqlite.Connection) -> object:
    return await clear_quote_matches(db, 1)


@pytest.mark.parametrize(("write", "left"), [(keep, [(1, "a", 3)]), (clear, [])])
async def test_a_quote_write_waits_for_an_open_transaction(
    db: aiosqlite.Connection,
    write: Callable[[aiosqlite.Connection], Awaitable[object]],
    left: list[tuple[object, ...]],
) -> None:
    await add_group(db, GROUP)
    await add_post(db, GROUP, 1, POST_MESSAGE, THREAD)
    await apply_events(db, [reply(1)])
    if write is clear:
        await save_quote_matches(db, 1, [MATCH])
    writing: asyncio.Task[object] | None = None
    with pytest.raises(Abandoned):
        async with transaction(db):
            await db.execute("INSERT INTO opt_outs (user_id, opted_out_at) VALUES (99, 'x')")
            writing = asyncio.create_task(write(db))
            for _ in range(5):  # the other task gets every chance to run its statements
                await db.execute("SELECT 1")
            raise Abandoned
    assert writing is not None
    await writing
    assert await rows(db, "SELECT user_id FROM opt_outs") == []  # rolled back, not committed
    assert await rows(db, "SELECT message_id, slug, paragraph FROM quote_matches") == left
