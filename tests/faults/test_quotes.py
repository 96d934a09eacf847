"""Faults around quotes that cite themselves: Discord refusing the 📖, a reply deleted before
it is matched, hostile quotations. Each test asserts the exact rows afterwards."""

from __future__ import annotations

import aiosqlite

from tests.discord import scheduling
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
