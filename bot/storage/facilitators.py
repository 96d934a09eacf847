"""Facilitator rotations and changed turns: the SQL half (tables of migration 0009).

The rotation is ordered by ``position``; a member added goes last. A turn is an override of the
round robin for one installment (:mod:`bot.core.facilitators`). A change of the rotation re-deals
only the turns not yet announced: an installment whose prep packet went out (and is not posted
yet) keeps its facilitator, as a turn, unless they left the rotation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

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
        added = cursor.rowcount > 0
        if added:
            await keep_announced_turns(db, channel_id)
        return added


async def replace_rotation(
    db: Connection, channel_id: int, members: Sequence[int], *, now: dt.datetime
) -> None:
    """Make ``members`` the group's rotation, in order (groups.yaml's ``facilitators``). Runs
    in the caller's transaction."""
    if await rotation(db, channel_id) == list(members):
        return  # unchanged (every start reads the file): nothing to re-deal
    await db.execute("DELETE FROM facilitators WHERE channel_id = ?", (channel_id,))
    query = """
        INSERT INTO facilitators (channel_id, user_id, position, added_at) VALUES (?, ?, ?, ?)
    """
    added = format_instant(now)
    await db.executemany(
        query, [(channel_id, user, position, added) for position, user in enumerate(members, 1)]
    )
    await keep_announced_turns(db, channel_id)


async def remove_facilitator(db: Connection, channel_id: int, user_id: int) -> bool:
    """Take the member out of the rotation and of the turns given to them. Returns False if
    they were not in it."""
    async with transaction(db):
        query = "DELETE FROM facilitator_turns WHERE channel_id = ? AND user_id = ?"
        await db.execute(query, (channel_id, user_id))
        query = "DELETE FROM facilitators WHERE channel_id = ? AND user_id = ?"
        cursor = await db.execute(query, (channel_id, user_id))
        removed = cursor.rowcount > 0
        if removed:
            await keep_announced_turns(db, channel_id)
        return removed


async def keep_announced_turns(db: Connection, channel_id: int) -> None:
    """The rotation just changed: each coming installment whose prep packet went out keeps its
    facilitator (a turn), if they are still in the rotation, rather than move with the round
    robin (removing Carol must not hand Alice's announced turn to Bob). A turn changed already
    stays. Runs in the caller's transaction."""
    query = """
        INSERT OR IGNORE INTO facilitator_turns (channel_id, number, user_id)
        SELECT packet.channel_id, packet.number, packet.user_id
        FROM facilitator_packets AS packet
        JOIN facilitators AS member
            ON member.channel_id = packet.channel_id AND member.user_id = packet.user_id
        WHERE packet.channel_id = ? AND packet.released_at IS NULL
        AND NOT EXISTS (
            SELECT 1 FROM posts
            WHERE posts.channel_id = packet.channel_id AND posts.number = packet.number
            AND posts.posted_at IS NOT NULL
        )
    """
    await db.execute(query, (channel_id,))


async def set_turn(db: Connection, channel_id: int, number: int, user_id: int) -> None:
    """Give installment ``number`` to the member (a skip or a swap)."""
    query = """
        INSERT INTO facilitator_turns (channel_id, number, user_id) VALUES (?, ?, ?)
        ON CONFLICT (channel_id, number) DO UPDATE SET user_id = excluded.user_id
    """
    async with transaction(db):
        await db.execute(query, (channel_id, number, user_id))


Claim = Literal["new", "back"]
"""What a claimed packet asks for: ``new``, send the packet; ``back``, the member had it, was told
they no longer facilitate the installment, and facilitate it again: tell them."""


async def claim_packet(
    db: Connection, channel_id: int, number: int, user_id: int, *, now: dt.datetime
) -> Claim | None:
    """Claim installment ``number``'s prep packet for the member before sending it. Returns
    None if it is theirs already (sent, or waiting for them): nothing is sent again."""
    async with transaction(db):
        query = """
            INSERT OR IGNORE INTO facilitator_packets (channel_id, number, user_id, claimed_at)
            VALUES (?, ?, ?, ?)
        """
        cursor = await db.execute(query, (channel_id, number, user_id, format_instant(now)))
        if cursor.rowcount > 0:
            return "new"
        query = """
            UPDATE facilitator_packets SET released_at = NULL
            WHERE channel_id = ? AND number = ? AND user_id = ? AND released_at IS NOT NULL
            RETURNING delivered_at
        """
        async with db.execute(query, (channel_id, number, user_id)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        # Their packet was dropped unread when the turn went elsewhere: it is sent now.
        return "back" if row[0] is not None else "new"


async def release_packets(
    db: Connection, channel_id: int, number: int, user_id: int | None, *, now: dt.datetime
) -> list[int]:
    """The turn of installment ``number`` is ``user_id``'s now (None: nobody's): release the
    packets the others had, and drop those still waiting for them. Returns the members who had
    their packet (to be told, once: the release is claimed here, before they are told)."""
    query = """
        UPDATE facilitator_packets SET released_at = ?, pending = NULL
        WHERE channel_id = ? AND number = ? AND user_id IS NOT ? AND released_at IS NULL
        RETURNING user_id, delivered_at
    """
    args = (format_instant(now), channel_id, number, user_id)
    async with transaction(db), db.execute(query, args) as cursor:
        rows = [(int(row[0]), row[1]) async for row in cursor]
    return sorted(user for user, delivered in rows if delivered is not None)


async def has_held_packets(db: Connection, channel_id: int) -> bool:
    """Whether a packet of the group was claimed and not released: a turn someone may hold."""
    query = """
        SELECT 1 FROM facilitator_packets WHERE channel_id = ? AND released_at IS NULL LIMIT 1
    """
    async with db.execute(query, (channel_id,)) as cursor:
        return await cursor.fetchone() is not None


async def packet_delivered(
    db: Connection, channel_id: int, number: int, user_id: int, *, now: dt.datetime
) -> None:
    """The member has the packet (by DM)."""
    query = """
        UPDATE facilitator_packets SET delivered_at = ?, pending = NULL
        WHERE channel_id = ? AND number = ? AND user_id = ?
    """
    async with transaction(db):
        await db.execute(query, (format_instant(now), channel_id, number, user_id))


async def keep_packet(
    db: Connection, channel_id: int, number: int, user_id: int, text: str
) -> None:
    """Keep a packet the member could not get by DM until their next command."""
    query = """
        UPDATE facilitator_packets SET pending = ?
        WHERE channel_id = ? AND number = ? AND user_id = ?
    """
    async with transaction(db):
        await db.execute(query, (text, channel_id, number, user_id))


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
