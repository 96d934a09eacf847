"""Facilitator packets per installment and member, and turns kept when the rotation changes."""

from __future__ import annotations

import datetime as dt

import aiosqlite
import pytest

from bot.core.schedule import UTC
from bot.storage.database import transaction
from bot.storage.facilitators import (
    add_facilitator,
    claim_packet,
    packet_delivered,
    release_packets,
    remove_facilitator,
    replace_rotation,
)
from bot.storage.replies import forget_member

NOW = dt.datetime(2027, 1, 4, 17, 0, tzinfo=UTC)
GROUP = 100
ALICE, BOB, CAROL = 1, 2, 3


@pytest.fixture
async def group(db: aiosqlite.Connection) -> int:
    """A group whose rotation is Alice, Bob, Carol; Bob has installment 2's packet."""
    stamp = "2027-01-04T18:00:00.000000Z"
    await db.execute(
        "INSERT INTO groups (channel_id, guild_id, name, readings, word_target, cadence,"
        " questions_per_post, start, created_at, updated_at)"
        " VALUES (?, 9, 'g', '[\"pi\"]', 600, 'mon 19:00 UTC', 3, ?, ?, ?)",
        (GROUP, stamp, stamp, stamp),
    )
    await db.commit()
    for member in (ALICE, BOB, CAROL):
        await add_facilitator(db, GROUP, member, now=NOW)
    assert await claim_packet(db, GROUP, 2, BOB, now=NOW) == "new"
    await packet_delivered(db, GROUP, 2, BOB, now=NOW)
    return GROUP


async def turns(db: aiosqlite.Connection) -> list[tuple[int, int]]:
    async with db.execute("SELECT number, user_id FROM facilitator_turns ORDER BY 1") as cursor:
        return [(int(r[0]), int(r[1])) async for r in cursor]


async def test_a_packet_is_claimed_per_member_released_and_given_back(
    db: aiosqlite.Connection, group: int
) -> None:
    assert await claim_packet(db, group, 2, BOB, now=NOW) is None  # his already
    assert await release_packets(db, group, 2, CAROL, now=NOW) == [BOB]
    assert await release_packets(db, group, 2, CAROL, now=NOW) == []  # told once
    assert await claim_packet(db, group, 2, CAROL, now=NOW) == "new"
    # Carol never read hers (no delivery): released, she is not to be told.
    assert await release_packets(db, group, 2, BOB, now=NOW) == []
    assert await claim_packet(db, group, 2, BOB, now=NOW) == "back"
    assert await claim_packet(db, group, 2, BOB, now=NOW) is None
    # Her packet was dropped unread: were the turn hers again, it would be sent again.
    assert await release_packets(db, group, 2, CAROL, now=NOW) == [BOB]
    assert await claim_packet(db, group, 2, CAROL, now=NOW) == "new"


@pytest.mark.parametrize("change", ["remove", "add", "file", "forget"])
async def test_a_change_of_the_rotation_keeps_the_announced_turn(
    db: aiosqlite.Connection, group: int, change: str
) -> None:
    if change == "remove":
        assert await remove_facilitator(db, group, ALICE)
    elif change == "add":
        assert await add_facilitator(db, group, 4, now=NOW)
    elif change == "file":
        async with transaction(db):  # as the groups of the file are stored
            await replace_rotation(db, group, [BOB, CAROL], now=NOW)
    else:
        await forget_member(db, ALICE, at=NOW)
    assert await turns(db) == [(2, BOB)]


async def test_an_unchanged_or_refused_change_keeps_no_turn(
    db: aiosqlite.Connection, group: int
) -> None:
    await replace_rotation(db, group, [ALICE, BOB, CAROL], now=NOW)  # the file, read again
    assert not await add_facilitator(db, group, BOB, now=NOW)
    assert not await remove_facilitator(db, group, 4)
    assert await turns(db) == []
    # The one who leaves does not keep their announced turn: it is dealt again.
    assert await remove_facilitator(db, group, BOB)
    assert await turns(db) == []
