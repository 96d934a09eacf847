"""Faults around facilitator packets: Discord failing the DM. Each test asserts the exact rows
afterwards."""

from __future__ import annotations

import aiosqlite
import pytest

from bot.client import ReadingGroupBot
from tests.discord.scheduling import clock, db, library, make_bot, prompts
from tests.discord.test_discussion import rows
from tests.discord.test_facilitators import packets
from tests.discord.test_plan import run, started
from tests.fakediscord import FakeDiscord

__all__ = ["clock", "db", "library", "make_bot", "prompts", "started"]  # fixtures used by name

MESSAGES = "/channels/{channel_id}/messages"


async def test_a_failed_dm_is_not_lost_nor_sent_twice(
    fake_discord: FakeDiscord, started: ReadingGroupBot, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    await run(fake, "alice", "facilitate")
    # Not a 403 (closed DMs): a failure discord.py does not retry (a 5xx is retried first).
    fake.fail_next("POST", MESSAGES, status=400, code=50035, message="Invalid Form Body")
    cog = packets(started)
    with pytest.raises(Exception, match="Invalid Form Body"):
        await cog.run_group(fake.readings.id)
    assert await cog.run_group(fake.readings.id) == 0  # claimed: no second DM
    assert fake.bot_messages(fake.dm_channel("alice")) == []
    ((number, user, pending, delivered),) = await rows(
        db, "SELECT number, user_id, pending, delivered_at FROM facilitator_packets"
    )
    assert (number, user, delivered) == (1, fake.alice.id, None)
    assert pending.startswith("**Facilitator prep: readings**, installment 1 of ")
    # Their next command shows it, once.
    inter = fake.slash("alice", "plan schedule", channel="readings")
    await inter.message()
    assert (await inter.followup()).content == pending
    assert await rows(db, "SELECT pending, delivered_at IS NOT NULL FROM facilitator_packets") == [
        (None, 1)
    ]


async def test_closed_dms_tell_a_swapped_out_facilitator_once_and_drop_an_unread_packet(
    fake_discord: FakeDiscord, started: ReadingGroupBot, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    alice, bob = fake.alice.id, fake.bob.id
    await run(fake, "alice", "facilitate")
    cog = packets(started)
    assert await cog.run_group(fake.readings.id) == 1  # Alice has the packet by DM
    fake.user("alice").accepts_dms = False
    await run(fake, "organizer", "plan facilitators swap", {"member": "bob"})
    fake.user("bob").accepts_dms = False
    assert await cog.run_group(fake.readings.id) == 1  # Bob's packet waits for his command
    # Alice's DMs open again: she is not told now (tried once, when the turn changed).
    fake.user("alice").accepts_dms = True
    assert await cog.run_group(fake.readings.id) == 0
    assert len(fake.bot_messages(fake.dm_channel("alice"))) == 1  # the packet only
    query = """
        SELECT user_id, delivered_at IS NOT NULL, released_at IS NOT NULL, pending IS NOT NULL
        FROM facilitator_packets ORDER BY user_id
    """
    assert await rows(db, query) == [(alice, 1, 1, 0), (bob, 0, 0, 1)]

    # Back to Alice before Bob ran a command: his unread packet is dropped, and he is not told
    # (he never knew); Alice is told the turn is hers again.
    await run(fake, "organizer", "plan facilitators swap", {"member": "alice"})
    assert await cog.run_group(fake.readings.id) == 0
    assert await rows(db, query) == [(alice, 1, 0, 0), (bob, 0, 1, 0)]
    inter = fake.slash("bob", "plan schedule", channel="readings")
    await inter.message()
    assert len(inter.messages()) == 1  # no packet after his command's answer
    (_, again) = fake.bot_messages(fake.dm_channel("alice"))
    assert again.content.startswith("**readings**: you facilitate installment 1 (")
