"""Faults around quotes that cite themselves: Discord refusing the 📖, a reply deleted before
it is matched, hostile quotations. Each test asserts the exact rows afterwards."""

from __future__ import annotations

import datetime as dt

import aiosqlite

from bot.discord.quotes import MAX_WAITING
from tests.discord import scheduling
from tests.discord.scheduling import Clock, MakeBot, group_config
from tests.discord.test_discussion import logged, rows
from tests.discord.test_quotes import BOOK, Start, checked, passage, start
from tests.fakediscord import FakeDiscord

clock, db, library, make_bot, prompts = (
    scheduling.clock,
    scheduling.db,
    scheduling.library,
    scheduling.make_bot,
    scheduling.prompts,
)
__all__ = ["passage", "start"]

REACTION = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me"


async def test_a_refused_reaction_keeps_the_match_and_the_next_quote_is_marked(
    fake_discord: FakeDiscord, start: Start, passage: tuple[str, str], db: aiosqlite.Connection
) -> None:
    bot, thread = await start()
    words, _ = passage
    fake_discord.fail_next("PUT", REACTION, status=403, code=50013, message="Missing Permissions")
    refused = fake_discord.post("alice", thread, f"> {words}")
    await checked(fake_discord, bot, 1)
    marked = fake_discord.post("bob", thread, f"> {words}")
    await fake_discord.wait_for(lambda: BOOK in marked.reactions, timeout=10, what="📖")
    assert refused.reactions == {}
    assert await rows(db, "SELECT message_id, kind FROM quote_matches ORDER BY 1") == [
        (refused.id, "exact"),
        (marked.id, "exact"),
    ]


async def test_a_reply_deleted_before_it_is_matched_leaves_nothing(
    fake_discord: FakeDiscord, start: Start, passage: tuple[str, str], db: aiosqlite.Connection
) -> None:
    bot, thread = await start()
    words, _ = passage
    # The worker waits for the library's index while the reply is written and deleted.
    async with bot.quotes._building:
        gone = fake_discord.post("alice", thread, f"> {words}")
        await logged(fake_discord, db, "SELECT message_id FROM replies", [(gone.id,)])
        fake_discord.delete(gone)
        await logged(fake_discord, db, "SELECT count(*) FROM replies", [(0,)])
    await checked(fake_discord, bot, 1)
    assert await rows(db, "SELECT count(*) FROM quote_matches") == [(0,)]
    assert gone.reactions == {}


async def test_hostile_quotations_are_matched_in_bounded_time_or_ignored(
    fake_discord: FakeDiscord, start: Start, passage: tuple[str, str], db: aiosqlite.Connection
) -> None:
    bot, thread = await start()
    words, _ = passage
    noise = "> " + "!? —— “” …… ''' ``` " * 40
    many = "\n\n".join([f"> {words}"] * 8 + ['"' + "la " * 30 + '"'] * 4)[:2000]
    said = [fake_discord.post("alice", thread, text) for text in (noise, many, "plain")]
    await checked(fake_discord, bot, 2)  # "plain" holds no quotation mark: never queued
    await logged(fake_discord, db, "SELECT count(*) FROM replies", [(3,)])
    await fake_discord.wait_for(lambda: BOOK in said[1].reactions, timeout=10, what="📖")
    assert said[0].reactions == {} and said[2].reactions == {}
    matched = await rows(db, "SELECT message_id, quote, kind FROM quote_matches ORDER BY 1, 2")
    assert matched == [(said[1].id, n, "exact") for n in range(len(matched))]
    assert len(matched) == many.count("> ")


async def test_a_catch_up_of_thousands_of_quotes_is_bounded_and_never_holds_up_the_log(
    fake_discord: FakeDiscord,
    start: Start,
    make_bot: MakeBot,
    clock: Clock,
    passage: tuple[str, str],
    db: aiosqlite.Connection,
) -> None:
    bot, thread = await start()
    words, _ = passage
    await bot.close()
    count = 2 * MAX_WAITING
    written = clock.now - dt.timedelta(hours=1)
    missed = [
        fake_discord.post("alice", thread, f"> {words} ({n})", at=written).id for n in range(count)
    ]
    bot = await make_bot([group_config(fake_discord.readings.id)])
    # The worker is stuck (it waits for the library's index): the catch-up still logs every
    # reply, and what waits to be checked stays within the queue's bound.
    async with bot.quotes._building:
        await logged(fake_discord, db, "SELECT count(*) FROM replies", [(count,)])
        await fake_discord.wait_for(
            lambda: bot.quotes.offered + bot.quotes.skipped == count, timeout=10, what="offered"
        )
        assert bot.quotes._queue.qsize() <= MAX_WAITING
        assert MAX_WAITING <= bot.quotes.offered <= MAX_WAITING + 1  # one in the worker's hands
    offered = bot.quotes.offered
    await checked(fake_discord, bot, offered)
    # The first ones were checked and marked, once each; the rest were counted as skipped.
    await logged(
        fake_discord,
        db,
        "SELECT message_id FROM quote_matches ORDER BY 1",
        [(message_id,) for message_id in sorted(missed)[:offered]],
    )
    assert bot.quotes.skipped == count - offered
