"""Faults around stance polls: a crash while an installment with a poll was being posted. Each
test asserts the exact rows afterwards."""

from __future__ import annotations

import aiosqlite
import pytest

from bot.client import ReadingGroupBot
from bot.core.posting import post_marker
from tests.discord import scheduling
from tests.discord.scheduling import FIRST_SLOT, Clock, MakeBot, group_config, tick
from tests.discord.test_discussion import rows
from tests.discord.test_plan import run
from tests.discord.test_polls import PROPOSITION, custom_ids, poll_messages
from tests.discord.test_posting import claim_first_slot
from tests.fakediscord import FakeDiscord

clock, db, library, make_bot, prompts = (
    scheduling.clock,
    scheduling.db,
    scheduling.library,
    scheduling.make_bot,
    scheduling.prompts,
)


@pytest.fixture
async def bot(fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock) -> ReadingGroupBot:
    """A bot whose group has a poll on its first installment, at the first slot."""
    bot = await make_bot([group_config(fake_discord.readings.id)])
    await run(fake_discord, "organizer", "poll add", {"proposition": PROPOSITION})
    clock.set(FIRST_SLOT)
    return bot


BEFORE = ["poll:1:before:agree", "poll:1:before:unsure", "poll:1:before:disagree"]


async def test_a_crash_after_the_questions_sends_the_poll_once_when_reconciled(
    fake_discord: FakeDiscord, bot: ReadingGroupBot, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    ((key,),) = await rows(db, "SELECT installment_key FROM polls")
    await claim_first_slot(db, fake.readings.id, key)
    # Before the crash: the post, its thread and its questions went out; not the poll.
    marker = post_marker(fake.readings.id, FIRST_SLOT)
    sent = fake.post(
        fake.bot, "readings", embeds=[{"description": "x", "footer": {"text": marker}}]
    )
    thread = fake.create_thread(fake.bot, "readings", "discussion", message=sent)
    fake.post(fake.bot, thread, "**Discussion questions**")
    await tick(bot)
    await tick(bot)
    (asked,) = poll_messages(fake, thread)
    assert custom_ids(asked) == BEFORE
    assert len(fake.bot_messages(thread)) == 2  # the questions were not sent again
    assert await rows(
        db, "SELECT installment_key, message_id, posted_at IS NOT NULL FROM posts"
    ) == [(key, sent.id, 1)]
    assert await rows(db, "SELECT id, installment_key, proposition FROM polls") == [
        (1, key, PROPOSITION)
    ]


async def test_a_crash_after_the_poll_does_not_send_it_again(
    fake_discord: FakeDiscord, bot: ReadingGroupBot, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    await tick(bot)
    (thread,) = fake.threads("readings")
    # Everything went out, but the confirmation was never written.
    await db.execute("UPDATE posts SET posted_at = NULL, message_id = NULL, thread_id = NULL")
    await db.commit()
    await tick(bot)
    (asked,) = poll_messages(fake, thread)
    assert custom_ids(asked) == BEFORE
    assert await rows(db, "SELECT posted_at IS NOT NULL, thread_id FROM posts") == [(1, thread.id)]
    assert await rows(db, "SELECT count(*) FROM poll_answers") == [(0,)]
