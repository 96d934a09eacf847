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
