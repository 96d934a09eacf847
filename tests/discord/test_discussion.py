"""The discussion log end to end: members talk in an installment's thread on the fake Discord,
and the bot keeps exactly what it should in SQLite."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from typing import Any, cast

import aiosqlite
import discord
import pytest

from bot.client import ReadingGroupBot
from bot.cogs.discussion import Discussion
from tests.discord import scheduling
from tests.discord.scheduling import FIRST_SLOT, Clock, MakeBot, first_parts, group_config, tick
from tests.fakediscord import Channel, FakeDiscord, Message, notices

# The scheduling fixtures this module uses, by name.
clock, db, library, make_bot, prompts = (
    scheduling.clock,
    scheduling.db,
    scheduling.library,
    scheduling.make_bot,
    scheduling.prompts,
)


async def rows(db: aiosqlite.Connection, query: str, *args: Any) -> list[tuple[Any, ...]]:
    async with db.execute(query, args) as cursor:
        return [tuple(r) async for r in cursor]


def discussion(bot: ReadingGroupBot) -> Discussion:
    # discord.py loads extensions as modules of its own: compare by name, not by class.
    cog: Any = bot.get_cog("Discussion")
    assert type(cog).__name__ == "Discussion"
    return cast(Discussion, cog)


class Posted:
    def __init__(self, bot: ReadingGroupBot, post: Message, thread_id: int) -> None:
        self.bot, self.post, self.thread_id = bot, post, thread_id


@pytest.fixture
async def posted(fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock) -> Posted:
    """A bot whose group has just posted its first installment, with its thread."""
    bot = await make_bot([group_config(fake_discord.readings.id)])
    clock.set(FIRST_SLOT)
    await tick(bot)
    (post,) = first_parts(fake_discord, fake_discord.readings)
    (thread,) = fake_discord.threads(fake_discord.readings)
    await fake_discord.wait_for(
        lambda: thread.id in bot.reply_log.threads, what="the thread to be logged"
    )
    return Posted(bot, post, thread.id)


async def logged(fake: FakeDiscord, db: aiosqlite.Connection, query: str, expected: Any) -> None:
    """Wait until ``query`` returns ``expected`` (the writer commits in batches)."""

    async def check() -> bool:
        return await rows(db, query) == expected

    await fake.wait_for(check, timeout=5, what=f"{query} == {expected}")


async def test_thread_replies_and_replies_to_the_post_are_logged(
    fake_discord: FakeDiscord, posted: Posted, db: aiosqlite.Connection
) -> None:
    first = fake_discord.post("alice", posted.thread_id, "Engels would disagree here.")
    second = fake_discord.post("bob", posted.thread_id, "Why?", reply_to=first)
    to_post = fake_discord.post("bob", "readings", "Great excerpt", reply_to=posted.post)
    fake_discord.post("alice", "readings", "Unrelated chat in the channel")
    fake_discord.post("alice", "general", "Unrelated chat elsewhere")
    await logged(
        fake_discord,
        db,
        "SELECT message_id, author_name, content, words, reply_to_id FROM replies ORDER BY 1",
        [
            (first.id, "Alice", "Engels would disagree here.", 4, None),
            (second.id, "Bob", "Why?", 1, first.id),
            (to_post.id, "Bob", "Great excerpt", 2, posted.post.id),
        ],
    )
    (post_id,) = await rows(db, "SELECT id FROM posts")
    assert await rows(db, "SELECT DISTINCT post_id, group_channel_id FROM replies") == [
        (post_id[0], fake_discord.readings.id)
    ]


async def test_the_bots_own_messages_are_not_replies(
    fake_discord: FakeDiscord, posted: Posted, db: aiosqlite.Connection
) -> None:
    # The bot's own first message in the thread (the questions) is there already; add a member.
    fake_discord.post("alice", posted.thread_id, "A reply")
    await logged(fake_discord, db, "SELECT author_name FROM replies", [("Alice",)])


# What is said in a post's thread or to the post without a member talking, given the post and a
# member's reply in its thread (``said``).
NotConversation = Callable[[FakeDiscord, Posted, Message], Message | Channel]
NOT_CONVERSATION: dict[str, NotConversation] = {
    "webhook-in-thread": lambda fake, p, said: notices.webhook_post(
        fake, p.thread_id, "Daily digest: 3 new replies"
    ),
    "webhook-reply-to-post": lambda fake, p, said: notices.webhook_post(
        fake, "readings", "Cross-posted", reply_to=p.post
    ),
    # Discord documents no ``bot`` flag on a webhook's author: the log must not need it.
    "webhook-without-bot-flag": lambda fake, p, said: notices.webhook_post(
        fake, p.thread_id, "Digest", bot_flag=False
    ),
    "pin-in-thread": lambda fake, p, said: notices.pin(fake, "organizer", said),
    "pin-of-the-post": lambda fake, p, said: notices.pin(fake, "organizer", p.post),
    # Kept out by where it appears (the channel, pointing at no post), not by its type.
    "thread-created": lambda fake, p, said: fake.create_thread("bob", "readings", "Side chat"),
    "member-added-to-thread": lambda fake, p, said: notices.notice(
        fake, notices.RECIPIENT_ADD, "alice", p.thread_id
    ),
    "member-removed-from-thread": lambda fake, p, said: notices.notice(
        fake, notices.RECIPIENT_REMOVE, "organizer", p.thread_id
    ),
    "thread-renamed": lambda fake, p, said: notices.notice(
        fake, notices.CHANNEL_NAME_CHANGE, "organizer", p.thread_id, "Week 1"
    ),
}


@pytest.mark.parametrize("say", NOT_CONVERSATION.values(), ids=NOT_CONVERSATION.keys())
async def test_webhook_and_system_messages_are_never_logged(
    fake_discord: FakeDiscord, posted: Posted, db: aiosqlite.Connection, say: NotConversation
) -> None:
    said = fake_discord.post("bob", posted.thread_id, "Worth keeping")
    say(fake_discord, posted, said)
    after = fake_discord.post("alice", posted.thread_id, "A reply after it")
    # Events are logged in order: once the reply after it is in, so would the message be.
    await logged(fake_discord, db, f"SELECT 1 FROM replies WHERE message_id = {after.id}", [(1,)])
    assert await rows(db, "SELECT message_id FROM replies ORDER BY 1") == [(said.id,), (after.id,)]


async def test_webhook_and_system_messages_are_not_caught_up(
    fake_discord: FakeDiscord, posted: Posted, make_bot: MakeBot, db: aiosqlite.Connection
) -> None:
    await posted.bot.close()
    said = fake_discord.post("bob", posted.thread_id, "Worth keeping")
    for say in NOT_CONVERSATION.values():
        say(fake_discord, posted, said)
    after = fake_discord.post("alice", posted.thread_id, "A reply after them")
    await make_bot([group_config(fake_discord.readings.id)])
    await logged(fake_discord, db, f"SELECT 1 FROM replies WHERE message_id = {after.id}", [(1,)])
    assert await rows(db, "SELECT message_id FROM replies ORDER BY 1") == [(said.id,), (after.id,)]


async def test_edits_and_deletes_are_mirrored(
    fake_discord: FakeDiscord, posted: Posted, db: aiosqlite.Connection
) -> None:
    one = fake_discord.post("alice", posted.thread_id, "first draft")
    two = fake_discord.post("bob", posted.thread_id, "second")
    three = fake_discord.post("bob", posted.thread_id, "third")
    four = fake_discord.post("alice", posted.thread_id, "fourth")
    await logged(fake_discord, db, "SELECT count(*) FROM replies", [(4,)])
    fake_discord.edit(one, "final thoughts after all")
    await logged(
        fake_discord,
        db,
        f"SELECT content, words, edited_at IS NOT NULL FROM replies WHERE message_id = {one.id}",
        [("final thoughts after all", 4, 1)],
    )
    fake_discord.delete(two)
    fake_discord.bulk_delete([three, four])
    await logged(fake_discord, db, "SELECT message_id FROM replies", [(one.id,)])
    # The text is gone from the database, not flagged.
    assert await rows(db, "SELECT count(*) FROM replies WHERE content = 'second'") == [(0,)]


async def test_reactions_are_counted_per_emoji(
    fake_discord: FakeDiscord, posted: Posted, db: aiosqlite.Connection
) -> None:
    reply = fake_discord.post("alice", posted.thread_id, "A quotable reply")
    await logged(fake_discord, db, "SELECT count(*) FROM replies", [(1,)])
    fake_discord.react("bob", reply, "⭐")
    fake_discord.react("organizer", reply, "⭐")
    fake_discord.react("bob", posted.post, "❓")
    query = "SELECT message_id, emoji, count(*) FROM reactions GROUP BY 1, 2 ORDER BY 1"
    await logged(fake_discord, db, query, [(posted.post.id, "❓", 1), (reply.id, "⭐", 2)])
    fake_discord.unreact("bob", reply, "⭐")
    await logged(fake_discord, db, query, [(posted.post.id, "❓", 1), (reply.id, "⭐", 1)])


async def test_opt_out_stops_logging_and_offers_to_erase(
    fake_discord: FakeDiscord, posted: Posted, db: aiosqlite.Connection
) -> None:
    fake_discord.post("bob", posted.thread_id, "before opting out")
    await logged(fake_discord, db, "SELECT count(*) FROM replies", [(1,)])
    answer = await fake_discord.slash("bob", "privacy opt-out").message()
    assert "not logged" in answer.content
    fake_discord.post("bob", posted.thread_id, "after opting out")
    marker = fake_discord.post("alice", posted.thread_id, "alice still logged")
    await logged(
        fake_discord,
        db,
        "SELECT author_name, content FROM replies ORDER BY message_id",
        [("Bob", "before opting out"), ("Alice", "alice still logged")],
    )
    fake_discord.react("bob", marker, "⭐")
    erase = fake_discord.click("bob", answer, "privacy:forget")
    assert "Erased: 1 replies" in (await erase.response()).data["content"]
    assert await rows(db, "SELECT author_name FROM replies") == [("Alice",)]
    assert await rows(db, "SELECT count(*) FROM reactions") == [(0,)]

    back = await fake_discord.slash("bob", "privacy opt-in").message()
    assert "logged again" in back.content
    fake_discord.post("bob", posted.thread_id, "back again")
    await logged(fake_discord, db, "SELECT count(*) FROM replies WHERE author_name = 'Bob'", [(1,)])


async def test_export_gives_the_member_their_data_as_json(
    fake_discord: FakeDiscord, posted: Posted
) -> None:
    fake_discord.post("alice", posted.thread_id, "my words")
    fake_discord.post("bob", posted.thread_id, "not alice's words")
    answer = await fake_discord.slash("alice", "privacy export").message()
    assert answer.flags & (1 << 6)
    (attachment,) = answer.attachments
    data = json.loads(attachment.data)
    assert data["user_id"] == fake_discord.alice.id
    assert [r["content"] for r in data["replies"]] == ["my words"]


async def test_forget_asks_first_and_then_erases(
    fake_discord: FakeDiscord, posted: Posted, db: aiosqlite.Connection
) -> None:
    fake_discord.post("alice", posted.thread_id, "one")
    fake_discord.post("alice", posted.thread_id, "two")
    await logged(fake_discord, db, "SELECT count(*) FROM replies", [(2,)])
    ask = await fake_discord.slash("alice", "privacy forget").message()
    keep = fake_discord.click("alice", ask, "privacy:keep")
    assert (await keep.response()).data["content"] == "Nothing was erased."
    assert await rows(db, "SELECT count(*) FROM replies") == [(2,)]
    ask = await fake_discord.slash("alice", "privacy forget").message()
    confirm = fake_discord.click("alice", ask, "privacy:forget")
    assert "Erased: 2 replies" in (await confirm.response()).data["content"]
    assert await rows(db, "SELECT count(*) FROM replies") == [(0,)]


async def test_privacy_info_says_what_is_kept(fake_discord: FakeDiscord, posted: Posted) -> None:
    answer = await fake_discord.slash("alice", "privacy info").message()
    text = answer.embeds[0]["description"]
    assert "erased after 365 days" in text
    assert "/privacy forget" in text


async def test_replies_written_while_the_bot_was_down_are_logged_once(
    fake_discord: FakeDiscord,
    posted: Posted,
    make_bot: MakeBot,
    db: aiosqlite.Connection,
) -> None:
    fake_discord.post("alice", posted.thread_id, "while up")
    await logged(fake_discord, db, "SELECT count(*) FROM replies", [(1,)])
    await posted.bot.close()
    missed = [fake_discord.post("bob", posted.thread_id, f"while down {n}") for n in range(3)]
    missed.append(fake_discord.post("alice", "readings", "to the post", reply_to=posted.post))
    await make_bot([group_config(fake_discord.readings.id)])
    await logged(
        fake_discord,
        db,
        "SELECT content FROM replies ORDER BY message_id",
        [("while up",), ("while down 0",), ("while down 1",), ("while down 2",), ("to the post",)],
    )
    assert [m.id for m in missed] == [
        r[0] for r in await rows(db, "SELECT message_id FROM replies ORDER BY 1")
    ][1:]


async def test_shutdown_flushes_pending_writes(
    fake_discord: FakeDiscord, posted: Posted, db: aiosqlite.Connection
) -> None:
    log = posted.bot.reply_log
    # Nothing is written until shutdown: wake the writer so it starts its next, hour-long wait.
    log.flush_interval = 3600
    log._wake.set()
    await fake_discord.wait_for(lambda: not log._wake.is_set(), what="the writer to sleep")
    message = fake_discord.post("alice", posted.thread_id, "said just before shutdown")
    await fake_discord.wait_for(lambda: log.pending == 1, what="the reply to be queued")
    await posted.bot.close()
    assert await rows(db, "SELECT message_id FROM replies") == [(message.id,)]


@pytest.mark.parametrize("restart", [False, True], ids=["resume", "new-session"])
async def test_replies_during_a_gateway_outage_are_logged_once(
    fake_discord: FakeDiscord, posted: Posted, db: aiosqlite.Connection, restart: bool
) -> None:
    fake_discord.post("alice", posted.thread_id, "before the outage")
    await logged(fake_discord, db, "SELECT count(*) FROM replies", [(1,)])
    async with fake_discord.gateway_down(code=4000):
        for n in range(3):
            fake_discord.post("bob", posted.thread_id, f"during the outage {n}")
        if restart:
            # Discord forgot the session: nothing is replayed, the backfill must find them.
            fake_discord.restart()
    fake_discord.post("alice", posted.thread_id, "after the outage")
    await logged(
        fake_discord,
        db,
        "SELECT content FROM replies ORDER BY message_id",
        [
            ("before the outage",),
            ("during the outage 0",),
            ("during the outage 1",),
            ("during the outage 2",),
            ("after the outage",),
        ],
    )
    # A resume replays what was missed; a new session (a second IDENTIFY) relies on the backfill.
    assert len(fake_discord.gateway.identifies) == (2 if restart else 1)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("counts", [("Alice", None, 3)]), ("off", [])],
)
async def test_a_group_keeps_only_what_it_enabled(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    db: aiosqlite.Connection,
    mode: str,
    expected: list[tuple[Any, ...]],
) -> None:
    bot = await make_bot([group_config(fake_discord.readings.id, reply_log=mode)])
    clock.set(FIRST_SLOT)
    await tick(bot)
    (thread,) = fake_discord.threads(fake_discord.readings)
    await fake_discord.wait_for(
        lambda: bot.reply_log.posts or mode == "off", what="the post to be known"
    )
    received = asyncio.ensure_future(
        bot.wait_for("message", check=lambda m: m.content == "three words here", timeout=5)
    )
    fake_discord.post("alice", thread.id, "three words here")
    await received
    for _ in range(3):  # let the listeners that the message was dispatched to run
        await asyncio.sleep(0)
    await bot.reply_log.flush()
    assert await rows(db, "SELECT author_name, content, words FROM replies") == expected


async def test_plan_start_sets_what_the_log_keeps(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    bot = await make_bot()
    options = {
        "schedule": "mon,thu 19:00",
        "timezone": "Europe/Berlin",
        "start": "2027-01-04",
        "reply_log": "counts",
    }
    inter = fake_discord.slash("organizer", "plan start", options, channel="readings")
    assert (await inter.message()).content.startswith("Started the reading plan")
    assert await rows(db, "SELECT reply_log FROM groups") == [("counts",)]
    clock.set(FIRST_SLOT)
    await tick(bot)
    (thread,) = fake_discord.threads(fake_discord.readings)
    fake_discord.post("alice", thread.id, "kept as a count only")
    await logged(fake_discord, db, "SELECT content, words FROM replies", [(None, 5)])


async def test_retention_erases_old_text_and_keeps_the_count(
    fake_discord: FakeDiscord, posted: Posted, clock: Clock, db: aiosqlite.Connection
) -> None:
    cog = discussion(posted.bot)
    assert cog.retention.is_running()
    fake_discord.post("alice", posted.thread_id, "soon forgotten words")
    await logged(fake_discord, db, "SELECT content FROM replies", [("soon forgotten words",)])
    clock.set(discord.utils.utcnow() + dt.timedelta(days=364))
    await cog.retention()  # one run of the loop's body, at the injected time
    assert await rows(db, "SELECT content FROM replies") == [("soon forgotten words",)]
    clock.set(discord.utils.utcnow() + dt.timedelta(days=366))
    await cog.retention()
    assert await rows(db, "SELECT content, words FROM replies") == [(None, 3)]


async def test_edits_and_deletions_made_while_the_bot_was_down_are_caught_up(
    fake_discord: FakeDiscord,
    posted: Posted,
    make_bot: MakeBot,
    db: aiosqlite.Connection,
) -> None:
    kept = fake_discord.post("alice", posted.thread_id, "first version")
    gone = fake_discord.post("bob", posted.thread_id, "regretted at once")
    await logged(fake_discord, db, "SELECT count(*) FROM replies", [(2,)])
    await posted.bot.close()
    fake_discord.edit(kept, "second version")
    fake_discord.delete(gone)
    await make_bot([group_config(fake_discord.readings.id)])
    await logged(
        fake_discord,
        db,
        "SELECT message_id, content FROM replies",
        [(kept.id, "second version")],
    )


async def test_the_log_keeps_up_without_discord_pys_message_cache(
    fake_discord: FakeDiscord,
    posted: Posted,
    make_bot: MakeBot,
    db: aiosqlite.Connection,
) -> None:
    """discord.py keeps no message (the cache is off): edits, reactions and deletions of a
    reply written while the bot was down, or written live, reach the log as raw events."""
    await posted.bot.close()
    missed = fake_discord.post("alice", posted.thread_id, "written while the bot was down")
    bot = await make_bot([group_config(fake_discord.readings.id)])
    live = fake_discord.post("bob", posted.thread_id, "written live")
    await logged(fake_discord, db, "SELECT count(*) FROM replies", [(2,)])
    assert list(bot.cached_messages) == []
    fake_discord.edit(missed, "edited after the restart")
    fake_discord.edit(live, "edited live")
    fake_discord.react("bob", missed, "⭐")
    fake_discord.react("alice", live, "❓")
    await logged(
        fake_discord,
        db,
        "SELECT r.message_id, content, emoji FROM replies r JOIN reactions USING (message_id) "
        "ORDER BY 1",
        [(missed.id, "edited after the restart", "⭐"), (live.id, "edited live", "❓")],
    )
    fake_discord.unreact("alice", live, "❓")
    fake_discord.delete(missed)
    await logged(fake_discord, db, "SELECT message_id FROM replies", [(live.id,)])
    await logged(fake_discord, db, "SELECT count(*) FROM reactions", [(0,)])
    assert list(bot.cached_messages) == []
