"""Facilitator rotations and changed turns: the SQL half (tables of migration 0009).

The rotation is ordered by ``position``; a member added goes last. A turn is an override of the
round robin for one installment (:mod:`bot.core.facilitators`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.core.instants import format_instant
from bot.storage.connection import Connection
from bot.storage.database import transaction


async def rotation(db: Connection, channel_id: int) -> list[int]:
    """The group's rotation: member ids in order."""
    query = "SELECT user_id FROM facilitators WHERE channel_id = ? ORDER BY position, added_at"
    async with db.execute(query, (channel_id,)) as cursor:
        return [int(row[0]) async for row in cursor]


async def turns(db: Connection, channel_id: int) -> dict[int, int]:
    """The turns an organizer changed: installment number -> member id."""
    query = "SELECT number, user_id FROM facilitator_turns WHERE channel_id = ?"
    async with db.execute(query, (channel_id,)) as cursor:
        return {int(row[0]): int(row[1]) async for row in cursor}


async def add_facilitator(
    db: Connection, channel_id: int, user_id: int, *, now: dt.datetime
) -> bool:
    """Put the member last in the rotation. Returns False if they were in it already."""
    query = """
        INSERT OR IGNORE INTO facilitators (channel_id, user_id, position, added_at)
        SELECT ?, ?, coalesce(max(position), 0) + 1, ?
        FROM facilitators WHERE channel_id = ?
    """
    async with transaction(db):
        cursor = await db.execute(query, (channel_id, user_id, format_instant(now), channel_id))
        return cursor.rowcount > 0


async def replace_rotation(
    db: Connection, channel_id: int, members: Sequence[int], *, now: dt.datetime
) -> None:
    """Make ``members`` the group's rotation, in order (groups.yaml's ``facilitators``). Runs
    in the caller's transaction."""
    await db.execute("DELETE FROM facilitators WHERE channel_id = ?", (channel_id,))
    query = """
        INSERT INTO facilitators (channel_id, user_id, position, added_at) VALUES (?, ?, ?, ?)
    """
    added = format_instant(now)
    await db.executemany(
        query, [(channel_id, user, position, added) for position, user in enumerate(members, 1)]
    )


async def remove_facilitator(db: Connection, channel_id: int, user_id: int) -> bool:
    """Take the member out of the rotation and of the turns given to them. Returns False if
    they were not in it."""
    async with transaction(db):
        query = "DELETE FROM facilitator_turns WHERE channel_id = ? AND user_id = ?"
        await db.execute(query, (channel_id, user_id))
        query = "DELETE FROM facilitators WHERE channel_id = ? AND user_id = ?"
        cursor = await db.execute(query, (channel_id, user_id))
        return cursor.rowcount > 0


async def set_turn(db: Connection, channel_id: int, number: int, user_id: int) -> None:
    """Give installment ``number`` to the member (a skip or a swap)."""
    query = """
        INSERT INTO facilitator_turns (channel_id, number, user_id) VALUES (?, ?, ?)
        ON CONFLICT (channel_id, number) DO UPDATE SET user_id = excluded.user_id
    """
    async with transaction(db):
        await db.execute(query, (channel_id, number, user_id))


async def claim_packet(
    db: Connection, channel_id: int, number: int, user_id: int, *, now: dt.datetime
) -> bool:
    """Claim installment ``number``'s prep packet before sending it. Returns False if it was
    claimed already (sent, or waiting for the member): it is not sent again."""
    query = """
        INSERT OR IGNORE INTO facilitator_packets (channel_id, number, user_id, claimed_at)
        VALUES (?, ?, ?, ?)
    """
    async with transaction(db):
        cursor = await db.execute(query, (channel_id, number, user_id, format_instant(now)))
        return cursor.rowcount > 0


async def packet_delivered(
    db: Connection, channel_id: int, number: int, *, now: dt.datetime
) -> None:
    """The member has the packet (by DM)."""
    query = """
        UPDATE facilitator_packets SET delivered_at = ?, pending = NULL
        WHERE channel_id = ? AND number = ?
    """
    async with transaction(db):
        await db.execute(query, (format_instant(now), channel_id, number))


async def keep_packet(db: Connection, channel_id: int, number: int, text: str) -> None:
    """Keep a packet the member could not get by DM until their next command."""
    query = "UPDATE facilitator_packets SET pending = ? WHERE channel_id = ? AND number = ?"
    async with transaction(db):
        await db.execute(query, (text, channel_id, number))


async def take_pending_packets(db: Connection, user_id: int, *, now: dt.datetime) -> list[str]:
    """The packets waiting for the member, oldest first, marked delivered (the caller shows
    them)."""
    query = """
        SELECT pending FROM facilitator_packets WHERE user_id = ? AND pending IS NOT NULL
        ORDER BY claimed_at, channel_id, number
    """
    # Every slash command asks: a plain read (the partial index) first, so the usual answer,
    # nothing, never waits for the write lock.
    async with db.execute(query, (user_id,)) as cursor:
        if await cursor.fetchone() is None:
            return []
    async with transaction(db):
        async with db.execute(query, (user_id,)) as cursor:
            texts = [str(row[0]) async for row in cursor]
        if texts:
            query = """
                UPDATE facilitator_packets SET delivered_at = ?, pending = NULL
                WHERE user_id = ? AND pending IS NOT NULL
            """
            await db.execute(query, (format_instant(now), user_id))
        return texts
