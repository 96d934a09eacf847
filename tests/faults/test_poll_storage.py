"""A poll answer written while another task's transaction is open on the shared connection
waits for it: it neither joins that transaction nor commits it half done."""

from __future__ import annotations

import asyncio

import aiosqlite
import pytest

from bot.storage.database import transaction
from bot.storage.polls import add_poll, answer_poll
from tests.storage.test_replies import ALICE, GROUP, T0, add_group, rows


class Abandoned(Exception):
    """The other task's batch fails: its transaction is rolled back."""


async def test_an_answer_waits_for_an_open_transaction(db: aiosqlite.Connection) -> None:
    await add_group(db, GROUP)
    poll = await add_poll(db, GROUP, "a:1-1", "P", created_by=7, now=T0)
    answering: asyncio.Task[bool] | None = None
    with pytest.raises(Abandoned):
        async with transaction(db):
            await db.execute("INSERT INTO opt_outs (user_id, opted_out_at) VALUES (99, 'x')")
            answering = asyncio.create_task(
                answer_poll(db, poll.id, ALICE, "before", "agree", now=T0)
            )
            for _ in range(5):  # the other task gets every chance to run its statements
                await db.execute("SELECT 1")
            raise Abandoned
    assert answering is not None and await answering
    assert await rows(db, "SELECT user_id FROM opt_outs") == []  # rolled back, not committed
    assert await rows(db, "SELECT user_id, stance FROM poll_answers") == [(ALICE, "agree")]
