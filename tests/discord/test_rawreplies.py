"""The raw gateway path end to end: replies are logged from the MESSAGE_CREATE payload, with no
``discord.Message`` made for them, while every other message still reaches discord.py, its
``on_message`` listeners and ``wait_for``; and when discord.py's internals are not the expected
ones, the public ``on_message`` path logs the same replies."""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiosqlite
import discord
import pytest

from bot.client import ReadingGroupBot
from bot.cogs.discussion import Discussion
from bot.core.readings import Library
from bot.discord import rawreplies
from bot.settings import Settings
from tests.discord import scheduling, test_discussion, test_quotes
from tests.discord.scheduling import FIRST_SLOT, Clock, MakeBot, group_config, tick
from tests.discord.test_discussion import Posted, discussion, logged
from tests.discord.test_quotes import BOOK, Start
from tests.fakediscord import FakeDiscord, notices

clock, db, library, make_bot, prompts = (
    scheduling.clock,
    scheduling.db,
    scheduling.library,
    scheduling.make_bot,
    scheduling.prompts,
)
posted, passage, start = test_discussion.posted, test_quotes.passage, test_quotes.start


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> set[int]:
    """The ids of the messages discord.py makes a ``discord.Message`` of from now on."""
    ids: set[int] = set()
    init = discord.Message.__init__

    def counted(self: discord.Message, *, state: Any, channel: Any, data: Any) -> None:
        ids.add(int(data["id"]))
        init(self, state=state, channel=channel, data=data)

    monkeypatch.setattr(discord.Message, "__init__", counted)
    return ids


@pytest.fixture
def payloads(posted: Posted) -> Iterator[list[dict[str, Any]]]:
    """The MESSAGE_CREATE payloads the bot receives from now on (copies, as they came)."""
    received: list[dict[str, Any]] = []
    parsers = posted.bot._connection.parsers
    parse = parsers["MESSAGE_CREATE"]

    def record(data: dict[str, Any]) -> None:
        received.append(copy.deepcopy(data))
        parse(data)

    parsers["MESSAGE_CREATE"] = record
    yield received
    parsers["MESSAGE_CREATE"] = parse


async def test_replies_are_logged_from_the_payload_without_a_message(
    fake_discord: FakeDiscord, posted: Posted, made: set[int], db: aiosqlite.Connection
) -> None:
    assert discussion(posted.bot).stop_raw_path is not None
    first = fake_discord.post("alice", posted.thread_id, "In the thread")
    second = fake_discord.post("bob", posted.thread_id, "A reply to it", reply_to=first)
    to_post = fake_discord.post("bob", "readings", "To the post", reply_to=posted.post)
    chatter = fake_discord.post("alice", "general", "Elsewhere")
    await logged(
        fake_discord,
        db,
        "SELECT message_id FROM replies ORDER BY 1",
        [(first.id,), (second.id,), (to_post.id,)],
    )
    await fake_discord.wait_for(lambda: chatter.id in made, what="the chatter to reach discord.py")
    assert made.isdisjoint({first.id, second.id, to_post.id})


async def test_a_message_the_log_does_not_take_still_reaches_on_message(
    fake_discord: FakeDiscord, posted: Posted, made: set[int], db: aiosqlite.Connection
) -> None:
    bot = posted.bot
    heard: list[int] = []

    async def on_message(message: discord.Message) -> None:
        heard.append(message.id)

    received = asyncio.ensure_future(
        bot.wait_for("message", check=lambda m: m.content == "Elsewhere", timeout=5)
    )
    await asyncio.sleep(0)  # the waiter is registered
    chatter = fake_discord.post("alice", "general", "Elsewhere")
    assert (await received).id == chatter.id
    # Another listener hears the log's replies too: they go through discord.py then.
    bot.add_listener(on_message)
    reply = fake_discord.post("bob", posted.thread_id, "Heard by both")
    await fake_discord.wait_for(lambda: reply.id in heard, what="the other listener to hear it")
    await logged(fake_discord, db, "SELECT message_id FROM replies", [(reply.id,)])
    bot.remove_listener(on_message)
    again = fake_discord.post("bob", posted.thread_id, "Only the log's")
    await logged(fake_discord, db, "SELECT count(*) FROM replies", [(2,)])
    assert reply.id in made and again.id not in made and again.id not in heard


async def test_what_is_not_a_members_reply_goes_to_discord_py_and_is_never_logged(
    fake_discord: FakeDiscord,
    posted: Posted,
    made: set[int],
    payloads: list[dict[str, Any]],
    db: aiosqlite.Connection,
) -> None:
    said = fake_discord.post("alice", posted.thread_id, "Worth keeping")
    await fake_discord.slash("bob", "privacy opt-out").message()
    others = [
        fake_discord.post(fake_discord.bot, posted.thread_id, "The bot's own message"),
        notices.webhook_post(fake_discord, posted.thread_id, "Daily digest"),
        notices.webhook_post(fake_discord, "readings", "Cross-posted", reply_to=posted.post),
        notices.pin(fake_discord, "organizer", said),
        fake_discord.post("bob", posted.thread_id, "Opted out"),
    ]
    after = fake_discord.post("alice", posted.thread_id, "A reply after them")
    await logged(
        fake_discord, db, "SELECT message_id FROM replies ORDER BY 1", [(said.id,), (after.id,)]
    )
    ids = {o.id for o in others}
    await fake_discord.wait_for(lambda: ids <= made, what="each to reach discord.py")
    log = posted.bot.reply_log
    assert [rawreplies.reply_from_payload(p, log) for p in payloads if int(p["id"]) in ids] == [
        None
    ] * len(ids)
    assert after.id not in made


def variants(data: dict[str, Any]) -> list[dict[str, Any]]:
    """``data`` as it came, and as Discord may also send it: edited, the author with no server
    nick, with neither a nick nor a global name."""
    edited = copy.deepcopy(data)
    edited["edited_timestamp"] = "2027-01-05T10:00:00.000000+00:00"
    no_nick = copy.deepcopy(data)
    no_nick["member"]["nick"] = None
    no_name = copy.deepcopy(no_nick)
    no_name["author"]["global_name"] = None
    return [data, edited, no_nick, no_name]


async def test_the_payload_and_the_message_make_the_same_reply(
    fake_discord: FakeDiscord, posted: Posted, payloads: list[dict[str, Any]]
) -> None:
    fake_discord.guild.members[fake_discord.alice.id].nick = "Ally"
    first = fake_discord.post("alice", posted.thread_id, "With a file", files=[("a.txt", b"x")])
    fake_discord.post("bob", posted.thread_id, "A reply to it, two words", reply_to=first)
    last = fake_discord.post("bob", "readings", "To the post", reply_to=posted.post)
    await fake_discord.wait_for(
        lambda: any(int(p["id"]) == last.id for p in payloads), what="the payloads"
    )
    bot = posted.bot
    state = bot._connection
    compared = []
    for data in (v for p in payloads for v in variants(p)):
        found = rawreplies.reply_from_payload(data, bot.reply_log)
        assert found is not None
        reply, target = found
        channel, _ = state._get_guild_channel(data)  # as discord.py's parse_message_create
        message = discord.Message(state=state, channel=channel, data=data)  # type: ignore[arg-type]
        assert reply == Discussion._reply(message, target)
        compared.append(
            (reply.author_name, reply.attachments, reply.edited_at is not None, reply.reply_to_id)
        )
    assert ("Ally", 1, False, None) in compared and ("Bob", 0, True, first.id) in compared
    assert ("Alice", 1, False, None) in compared  # no nick: the global name
    assert ("alice", 1, False, None) in compared  # neither nick nor global name: the username
    assert ("Bob", 0, False, posted.post.id) in compared


async def test_a_quote_logged_from_the_payload_still_gets_its_book(
    fake_discord: FakeDiscord, start: Start, passage: tuple[str, str], made: set[int]
) -> None:
    _, thread = await start()
    words, _ = passage
    quoting = fake_discord.post("alice", thread, f"> {words}\n\nThe key point.")
    await fake_discord.wait_for(lambda: BOOK in quoting.reactions, timeout=10, what="📖")
    assert quoting.id not in made


async def test_another_discord_py_minor_falls_back_to_on_message(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    made: set[int],
    db: aiosqlite.Connection,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(discord, "version_info", discord.version_info._replace(minor=8))
    with caplog.at_level(logging.WARNING, logger="bot.discord.rawreplies"):
        bot = await make_bot([group_config(fake_discord.readings.id)])
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "bot.discord.rawreplies"]
    assert "through on_message" in warning and "is not 2.7.x" in warning
    assert discussion(bot).stop_raw_path is None
    assert bot._connection.parsers["MESSAGE_CREATE"].__name__ == "parse_message_create"
    clock.set(FIRST_SLOT)
    await tick(bot)
    (thread,) = fake_discord.threads(fake_discord.readings)
    await fake_discord.wait_for(lambda: thread.id in bot.reply_log.threads, what="the thread")
    reply = fake_discord.post("alice", thread.id, "Logged all the same")
    await logged(fake_discord, db, "SELECT message_id FROM replies", [(reply.id,)])
    assert reply.id in made


async def test_a_parser_that_is_not_discord_pys_own_is_left_alone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        token="", database_path=tmp_path / "db", readings_dir=tmp_path, prompts_dir=tmp_path
    )
    async with aiosqlite.connect(tmp_path / "db") as conn:
        bot = ReadingGroupBot(settings=settings, db=conn, library=Library(()), sync="none")

        def other(data: dict[str, Any]) -> None:
            return None

        bot._connection.parsers["MESSAGE_CREATE"] = other
        with caplog.at_level(logging.WARNING, logger="bot.discord.rawreplies"):
            undo = rawreplies.install(bot, bot.reply_log, lambda reply, target: None, print)
        assert undo is None
        assert bot._connection.parsers["MESSAGE_CREATE"] is other
        assert "not its own parse_message_create" in caplog.text
