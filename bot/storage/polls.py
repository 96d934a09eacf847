"""Stance polls' SQL (tables of migration 0010): polls, answers, counts, export and forget.

An opted-out member's answer is not stored (:func:`answer_poll` checks ``opt_outs`` in the
same statement) and their earlier answers are left out of every count.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from bot.core.instants import format_instant
from bot.core.polls import Phase, Poll, PollError, Stance
from bot.storage.connection import Connection, Row
from bot.storage.database import write_lock


def _poll(row: Row) -> Poll:
    return Poll(
        id=int(row["id"]),
        channel_id=int(row["channel_id"]),
        installment_key=row["installment_key"],
        proposition=row["proposition"],
        created_by=row["created_by"],
    )


async def add_poll(
    db: Connection,
    channel_id: int,
    installment_key: str,
    proposition: str,
    *,
    created_by: int | None,
    now: dt.datetime,
) -> Poll:
    """Attach ``proposition`` to the group's installment ``installment_key``
    (``created_by`` None: from a prompt file).

    Raises:
        PollError: that installment has a poll already.
    """
    query = """
        INSERT INTO polls (channel_id, installment_key, proposition, created_by, created_at)
        VALUES (?, ?, ?, ?, ?)
        RETURNING id
    """
    values = (channel_id, installment_key, proposition, created_by, format_instant(now))
    try:
        async with write_lock(db), db.execute(query, values) as cursor:
            row = await cursor.fetchone()
    except sqlite3.IntegrityError:
        raise PollError(
            f"Installment {installment_key} has a poll already: remove it first to replace it."
        ) from None
    assert row is not None
    return Poll(int(row[0]), channel_id, installment_key, proposition, created_by)


async def group_polls(db: Connection, channel_id: int) -> list[Poll]:
    """The group's polls, oldest first."""
    query = "SELECT * FROM polls WHERE channel_id = ? ORDER BY id"
    async with db.execute(query, (channel_id,)) as cursor:
        return [_poll(row) async for row in cursor]


async def get_poll(db: Connection, poll_id: int) -> Poll | None:
    """The poll ``poll_id``, or None when there is none (removed)."""
    async with db.execute("SELECT * FROM polls WHERE id = ?", (poll_id,)) as cursor:
        row = await cursor.fetchone()
    return _poll(row) if row else None


async def poll_for(db: Connection, channel_id: int, installment_key: str) -> Poll | None:
    """The poll attached to the group's installment ``installment_key``, if any."""
    query = "SELECT * FROM polls WHERE channel_id = ? AND installment_key = ?"
    async with db.execute(query, (channel_id, installment_key)) as cursor:
        row = await cursor.fetchone()
    return _poll(row) if row else None


async def remove_poll(db: Connection, channel_id: int, poll_id: int) -> bool:
    """Remove the group's poll ``poll_id`` and its answers. Returns whether there was one."""
    query = "DELETE FROM polls WHERE id = ? AND channel_id = ?"
    async with write_lock(db):
        cursor = await db.execute(query, (poll_id, channel_id))
    return cursor.rowcount > 0


async def posted_keys(db: Connection, channel_id: int) -> list[str]:
    """The group's posted installments, oldest first (what :func:`bot.core.polls.open_phase`
    reads)."""
    query = """
        SELECT installment_key FROM posts
        WHERE channel_id = ? AND posted_at IS NOT NULL ORDER BY posted_at, id
    """
    async with db.execute(query, (channel_id,)) as cursor:
        return [row[0] async for row in cursor]


async def answer_poll(
    db: Connection,
    poll_id: int,
    user_id: int,
    phase: Phase,
    stance: Stance,
    *,
    now: dt.datetime,
) -> bool:
    """Keep (or change) the member's stance in ``phase``. Returns False, storing nothing,
    when the member is opted out or the poll was removed."""
    query = """
        INSERT INTO poll_answers (poll_id, user_id, phase, stance, answered_at)
        SELECT id, ?, ?, ?, ? FROM polls
        WHERE id = ? AND NOT EXISTS (SELECT 1 FROM opt_outs WHERE user_id = ?)
        ON CONFLICT (poll_id, user_id, phase)
        DO UPDATE SET stance = excluded.stance, answered_at = excluded.answered_at
    """
    # Under the write lock: on the shared connection, a statement run while another task's
    # transaction is open would join it.
    async with write_lock(db):
        cursor = await db.execute(
            query, (user_id, phase, stance, format_instant(now), poll_id, user_id)
        )
    return cursor.rowcount > 0


async def poll_stances(db: Connection, poll_id: int) -> list[tuple[Phase, Stance]]:
    """The poll's answers as (phase, stance), without who gave them nor opted-out members'."""
    query = """
        SELECT phase, stance FROM poll_answers
        WHERE poll_id = ? AND user_id NOT IN (SELECT user_id FROM opt_outs)
    """
    async with db.execute(query, (poll_id,)) as cursor:
        return [(row[0], row[1]) async for row in cursor]


async def member_poll_answers(db: Connection, user_id: int) -> list[dict[str, Any]]:
    """The member's answers with their polls, for ``/privacy export``."""
    query = """
        SELECT p.channel_id, p.installment_key, p.proposition, a.phase, a.stance, a.answered_at
        FROM poll_answers AS a JOIN polls AS p ON p.id = a.poll_id
        WHERE a.user_id = ? ORDER BY a.poll_id, a.phase DESC
    """
    async with db.execute(query, (user_id,)) as cursor:
        return [dict(row) async for row in cursor]
