"""A week's summary posted exactly once: the claims of ``summary_posts`` (migration 0004).

A week's summary is claimed (:func:`claim_summary`, ``UNIQUE (channel_id, week)``) before it is
sent and confirmed (:func:`confirm_summary`) after; a claim without confirmation is reconciled
with the channel's history by the caller before it is sent again, unless its lease says another
process may still be sending it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Literal

from bot.core.instants import format_instant, parse_instant
from bot.core.summary import (
    IsoWeek,
)
from bot.storage.connection import Connection, Row
from bot.storage.database import transaction, write_lock
from bot.storage.instance import Lease, Owner, new_lease, stored_lease

SummaryKind = Literal["scheduled", "manual"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SummaryPost:
    """A claimed week's summary.

    Attributes:
        id: the claim.
        channel_id: the group's channel.
        week: the week it summarises.
        slot: when it was due, or when an organizer posted it.
        kind: posted by the tick, or by an organizer from /summary.
        claimed_at: when the claim was made.
        message_id: the summary's message, once confirmed.
        posted_at: when it was confirmed (or passed over); None for a claim to reconcile.
        late: it went out well after its slot.
        passed: why no summary was sent for the week (a quiet week), or None.
        lease: who claimed it and until when it is theirs alone, or None.
    """

    id: int
    channel_id: int
    week: IsoWeek
    slot: dt.datetime
    kind: SummaryKind
    claimed_at: dt.datetime
    message_id: int | None = None
    posted_at: dt.datetime | None = None
    late: bool = False
    passed: str | None = None
    lease: Lease | None = None

    @property
    def confirmed(self) -> bool:
        """In the channel (or passed over): nothing more to send."""
        return self.posted_at is not None


def _week(text: str) -> IsoWeek:
    year, _, week = text.partition("-W")
    return IsoWeek(int(year), int(week))


def _summary_post(row: Row) -> SummaryPost:
    return SummaryPost(
        id=row["id"],
        channel_id=row["channel_id"],
        week=_week(row["week"]),
        slot=parse_instant(row["slot"]),
        kind=row["kind"],
        claimed_at=parse_instant(row["claimed_at"]),
        message_id=row["message_id"],
        posted_at=None if row["posted_at"] is None else parse_instant(row["posted_at"]),
        late=bool(row["late"]),
        passed=row["passed"],
        lease=stored_lease(row["claimed_by"], row["lease_until"]),
    )


async def claim_summary(
    db: Connection,
    channel_id: int,
    week: IsoWeek,
    *,
    slot: dt.datetime,
    kind: SummaryKind,
    now: dt.datetime,
    owner: Owner | None = None,
) -> SummaryPost | None:
    """Claim the summary of ``week`` before anything is sent, for ``owner`` (see
    :func:`bot.storage.groups.claim_post`).

    Returns:
        The claim, or None when the week's summary was claimed already (by the tick, an
        organizer, or another process).
    """
    query = """
        INSERT INTO summary_posts (
            channel_id, week, slot, kind, claimed_at, claimed_by, lease_until
        )
        VALUES (?, ?, ?, ?, ?, ?, ?)
        RETURNING id
    """
    stamp = format_instant(now)
    claimed_by, lease_until = new_lease(owner, now)
    values = (channel_id, str(week), format_instant(slot), kind, stamp, claimed_by, lease_until)
    try:
        async with transaction(db), db.execute(query, values) as cursor:
            row = await cursor.fetchone()
    except sqlite3.IntegrityError:
        return None
    assert row is not None
    return SummaryPost(
        id=int(row[0]),
        channel_id=channel_id,
        week=week,
        slot=slot,
        kind=kind,
        claimed_at=parse_instant(stamp),
        lease=stored_lease(claimed_by, lease_until),
    )


async def confirm_summary(
    db: Connection, summary_id: int, *, message_id: int, late: bool, now: dt.datetime
) -> None:
    """Record that the claimed summary is in the channel as ``message_id``."""
    query = "UPDATE summary_posts SET message_id = ?, late = ?, posted_at = ? WHERE id = ?"
    async with write_lock(db):
        await db.execute(query, (message_id, late, format_instant(now), summary_id))


async def pass_summary(
    db: Connection,
    channel_id: int,
    week: IsoWeek,
    *,
    slot: dt.datetime,
    reason: str,
    now: dt.datetime,
) -> bool:
    """Record that no summary is sent for ``week`` (e.g. a quiet week of a finished plan).

    Returns:
        False when the week was claimed already.
    """
    query = """
        INSERT INTO summary_posts (channel_id, week, slot, kind, claimed_at, posted_at, passed)
        VALUES (?, ?, ?, 'scheduled', ?, ?, ?)
    """
    stamp = format_instant(now)
    try:
        async with transaction(db):
            await db.execute(
                query, (channel_id, str(week), format_instant(slot), stamp, stamp, reason)
            )
    except sqlite3.IntegrityError:
        return False
    return True


async def summary_post(db: Connection, channel_id: int, week: IsoWeek) -> SummaryPost | None:
    """The claim of ``week``'s summary, confirmed or not, or None."""
    query = "SELECT * FROM summary_posts WHERE channel_id = ? AND week = ?"
    async with db.execute(query, (channel_id, str(week))) as cursor:
        row = await cursor.fetchone()
    return None if row is None else _summary_post(row)


async def unconfirmed_summaries(db: Connection, channel_id: int) -> list[SummaryPost]:
    """Claims of the channel not yet confirmed, oldest first."""
    query = "SELECT * FROM summary_posts WHERE channel_id = ? AND posted_at IS NULL ORDER BY id"
    async with db.execute(query, (channel_id,)) as cursor:
        return [_summary_post(row) async for row in cursor]


async def last_summary(db: Connection, channel_id: int) -> SummaryPost | None:
    """The summary of the latest week that was posted in the channel, or None."""
    query = """
        SELECT * FROM summary_posts
        WHERE channel_id = ? AND message_id IS NOT NULL AND posted_at IS NOT NULL
        ORDER BY week DESC LIMIT 1
    """
    async with db.execute(query, (channel_id,)) as cursor:
        row = await cursor.fetchone()
    return None if row is None else _summary_post(row)


async def summary_posts_of(db: Connection, channel_id: int) -> list[SummaryPost]:
    """Every claim of the channel, by week."""
    query = "SELECT * FROM summary_posts WHERE channel_id = ? ORDER BY week, id"
    async with db.execute(query, (channel_id,)) as cursor:
        return [_summary_post(row) async for row in cursor]


# --- what a summary reads ---------------------------------------------------------------------
