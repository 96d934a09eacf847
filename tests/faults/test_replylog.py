"""No reply lost: reconnects of a group with many posts, hostile text, and (in the storage part
below) a locked or full database while the reply log writes."""

from __future__ import annotations

import datetime as dt

import aiosqlite
import pytest

from bot.client import ReadingGroupBot
from bot.core.plan import GroupConfig
from tests.discord import scheduling
from tests.discord.scheduling import FIRST_SLOT, Clock, MakeBot, first_parts, group_config, tick
from tests.discord.test_discussion import discussion, logged, rows
from tests.fakediscord import FakeDiscord

# The scheduling fixtures this module uses, by name.
clock, library, make_bot, prompts = (
    scheduling.clock,
    scheduling.library,
    scheduling.make_bot,
    scheduling.prompts,
)

#: More posts than the log tracks per group (``log_targets``' ``per_group``).
POSTS = 21


def short_excerpts(fake: FakeDiscord) -> GroupConfig:
    """The test group with excerpts short enough for more than ``POSTS`` installments."""
    return group_config(fake.readings.id, word_target=200)


REPLIES = "SELECT message_id, reply_to_id, content FROM replies ORDER BY message_id"


def slots(count: int) -> list[dt.datetime]:
    """The group's first ``count`` slots (Mondays and Thursdays 19:00 Berlin, before DST)."""
    found = [FIRST_SLOT]
    while len(found) < count:
        found.append(found[-1] + dt.timedelta(days=3 if found[-1].weekday() == 0 else 4))
    return found


async def post_at(bot: ReadingGroupBot, clock: Clock, when: list[dt.datetime]) -> None:
    for slot in when:
        clock.set(slot)
        await tick(bot)


def channel_reads(fake: FakeDiscord) -> int:
    """History requests for the group's channel so far."""
    return sum(
        r.path.endswith(f"/{fake.readings.id}/messages")
        for r in fake.requests_to("GET", "/channels/{channel_id}/messages")
    )


async def caught_up(fake: FakeDiscord, bot: ReadingGroupBot, reads_before: int) -> None:
    """Wait until a catch-up has re-read the group's channel, then commit what it queued."""
    cog = discussion(bot)
    await fake.wait_for(
        lambda: channel_reads(fake) > reads_before and not cog._backfills,
        timeout=10,
        what="the catch-up to re-read the channel",
    )
    await cog.log.flush()


@pytest.mark.parametrize("reconnect", ["resume", "new-session", "restart"])
async def test_a_catch_up_keeps_replies_to_posts_it_no_longer_re_reads(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    db: aiosqlite.Connection,
    reconnect: str,
) -> None:
    fake = fake_discord
    bot = await make_bot([short_excerpts(fake)])
    first, *later = slots(POSTS)
    await post_at(bot, clock, [first])
    (oldest,) = first_parts(fake, "readings")
    old = [
        fake.post("alice", "readings", "on the first excerpt", reply_to=oldest),
        fake.post("bob", "readings", "a second thought", reply_to=oldest),
    ]
    await logged(fake, db, "SELECT count(*) FROM replies", [(2,)])
    await post_at(bot, clock, later)
    newest = first_parts(fake, "readings")[-1]
    assert len(first_parts(fake, "readings")) == POSTS
    kept = fake.post("alice", "readings", "on the newest excerpt", reply_to=newest)
    gone = fake.post("bob", "readings", "regretted", reply_to=newest)
    await logged(fake, db, "SELECT count(*) FROM replies", [(4,)])

    reads = channel_reads(fake)
    if reconnect == "restart":
        await bot.close()
        fake.delete(gone)
        bot = await make_bot([short_excerpts(fake)])
    else:
        async with fake.gateway_down(code=4000):
            fake.delete(gone)
            if reconnect == "new-session":
                fake.restart()
    await caught_up(fake, bot, reads)

    assert await rows(db, REPLIES) == [
        (old[0].id, oldest.id, "on the first excerpt"),
        (old[1].id, oldest.id, "a second thought"),
        (kept.id, newest.id, "on the newest excerpt"),
    ]


async def test_a_reply_with_a_lone_surrogate_is_stored_with_a_replacement_character(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    bot = await make_bot([group_config(fake.readings.id)])
    await post_at(bot, clock, slots(1))
    (post,) = first_parts(fake, "readings")
    (thread,) = fake.threads("readings")
    broken = fake.post("alice", thread, "half an emoji \ud83d here")
    fake.edit(broken, "still \udfff broken")
    after = fake.post("bob", "readings", "a fine reply", reply_to=post)
    await logged(
        fake,
        db,
        "SELECT message_id, content, words, edited_at IS NOT NULL FROM replies ORDER BY 1",
        [(broken.id, "still \ufffd broken", 3, 1), (after.id, "a fine reply", 3, 0)],
    )
