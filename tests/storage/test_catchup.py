"""A member's catch-up read from a real SQLite file: it starts at their last reply in the group
(never looked up for an opted-out member), reads the range's installments, replies and
reactions, and leaves opted-out and forgotten members out."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.replies import STAR, STUCK
from bot.core.summary import question_numbers
from bot.core.summary.catchup import FALLBACK_DAYS, Catchup, CatchupData, compute_catchup
from bot.storage.replies import forget_member, set_opted_out
from bot.storage.summaries import is_opted_out, last_reply_at, read_catchup
from tests.storage.test_summaries import (
    ALICE,
    BOB,
    CAROL,
    CHANNEL,
    DAN,
    EVE,
    GUILD,
    INSTALLMENTS,
    NOW,
    World,
    utc,
    world,
)

MON, THU = utc(2026, 11, 16, 18), utc(2026, 11, 19, 18)


__all__ = ["world"]  # the fixture


async def read(
    world: World, member: int, since: dt.datetime | None = None
) -> tuple[CatchupData, Catchup]:
    data = await read_catchup(
        world.db, world.group, member, since=since, now=NOW, names=question_numbers, guild_id=GUILD
    )
    return data, compute_catchup(data, installments=INSTALLMENTS, now=NOW)


async def test_the_last_reply_is_per_member_and_per_group(world: World) -> None:
    await world.post(1, utc(2026, 11, 9, 18))
    await world.reply(ALICE, utc(2026, 11, 10, 9), number=1)
    await world.reply(ALICE, utc(2026, 11, 12, 9), number=1)
    await world.reply(BOB, utc(2026, 11, 13, 9), number=1)
    assert await last_reply_at(world.db, CHANNEL, ALICE) == utc(2026, 11, 12, 9)
    assert await last_reply_at(world.db, CHANNEL, CAROL) is None
    assert await last_reply_at(world.db, CHANNEL + 1, ALICE) is None


async def test_a_catchup_starts_at_the_members_last_reply(world: World) -> None:
    await world.post(1, utc(2026, 11, 9, 18))
    await world.reply(ALICE, utc(2026, 11, 12, 9), "before I left", number=1)
    await world.post(2, MON, ["Is it?", "Why?"])
    starred = await world.reply(BOB, utc(2026, 11, 17, 9), "Q1: it is", number=2)
    await world.reply(CAROL, utc(2026, 11, 17, 10), "hmm", number=2)
    await world.react(CAROL, starred, STAR)
    await world.react(DAN, starred, STUCK)
    await world.post(3, THU)
    data, catchup = await read(world, ALICE)
    assert (data.why, data.span.start, data.span.end) == ("last_reply", utc(2026, 11, 12, 9), NOW)
    assert [(i.number, i.new, i.replies) for i in catchup.items] == [
        (1, False, 1),  # her own last reply opens the range
        (2, True, 2),
        (3, True, 0),
    ]
    second = catchup.items[1]
    assert [(h.author, h.quote) for h in second.highlights] == [("Bob", "Q1: it is")]
    assert [s.marks for s in second.stuck] == [1]
    assert [q.text for q in second.questions] == ["Why?"]  # Q1 was answered
    assert second.jump is not None and second.jump.guild_id == GUILD


async def test_an_opted_out_caller_gets_the_fallback_and_their_replies_are_not_looked_up(
    world: World,
) -> None:
    await world.post(1, utc(2026, 11, 9, 18))
    await world.reply(EVE, utc(2026, 11, 20, 9), "logged before she opted out", number=1)
    await set_opted_out(world.db, EVE, opted_out=True, now=NOW)
    assert await is_opted_out(world.db, EVE)
    data, catchup = await read(world, EVE)
    assert (data.why, data.span.start) == ("opted_out", NOW - dt.timedelta(days=FALLBACK_DAYS))
    assert catchup.replies == 0  # her own reply is left out with every other of hers


async def test_opted_out_and_forgotten_members_never_appear(world: World) -> None:
    await world.post(1, MON)
    gone = await world.reply(DAN, utc(2026, 11, 17, 9), "forget me", number=1)
    hidden = await world.reply(EVE, utc(2026, 11, 17, 10), "opted out", number=1)
    kept = await world.reply(BOB, utc(2026, 11, 17, 11), "kept", number=1)
    for message in (gone, hidden, kept):
        await world.react(CAROL, message, STAR)
    await world.react(EVE, kept, STAR)  # an opted-out member's star does not count
    await set_opted_out(world.db, EVE, opted_out=True, now=NOW)
    await forget_member(world.db, DAN, at=NOW)
    data, catchup = await read(world, CAROL, since=utc(2026, 11, 1))
    assert {r.author_id for r in data.span.replies} == {BOB}
    (item,) = catchup.items
    assert item.replies == 1
    assert [(h.author, h.quote) for h in item.highlights] == [("Bob", "kept")]


@pytest.mark.parametrize("member", [CAROL, ALICE])
async def test_a_member_who_never_took_part_gets_the_last_two_weeks(
    world: World, member: int
) -> None:
    await world.post(1, utc(2026, 10, 1, 18))  # well before the fallback's two weeks
    await world.reply(BOB, utc(2026, 10, 2, 9), number=1)
    data, catchup = await read(world, member)
    assert data.why == "never" and catchup.quiet
