"""Privacy that holds (issue 9): what a member forgot stays forgotten, a counts-only group never
keeps text, and member text cannot smuggle a link, a terminal escape or a formula into what the
bot shows."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path

import aiosqlite
import discord
import pytest

from bot.cli import main
from bot.core.replies import STAR, Edit, ReactionAdd, Reply
from bot.discord.render import summary_embeds
from bot.discord.replylog import ReplyLog
from bot.storage.database import open_database
from bot.storage.groups import claim_post, confirm_post, get_group
from bot.storage.replies import apply_events, forget_member, set_opted_out
from tests.core.test_summary import busy_small_group, summarise
from tests.discord import scheduling
from tests.discord.scheduling import FIRST_SLOT, Clock, MakeBot, first_parts, group_config, tick
from tests.discord.test_discussion import Posted, logged, posted
from tests.discord.test_summary import Week, summary_messages, text_of, week
from tests.fakediscord import FakeDiscord
from tests.storage.test_replies import (
    ALICE,
    BOB,
    GROUP,
    POST_MESSAGE,
    T0,
    THREAD,
    add_group,
    add_post,
    reply,
    rows,
)
from tests.test_cli import summarised, workdir
from tests.test_render_summary import shown

# Fixtures from the modules they live in, by name.
clock, library, make_bot, prompts = (
    scheduling.clock,
    scheduling.library,
    scheduling.make_bot,
    scheduling.prompts,
)
__all__ = ["posted", "summarised", "week", "workdir"]

TWO_LINKS = "see [a](https://a.example) [verify](https://evil.example)"
ESCAPES = "\x1b]0;pwned\x07\x1b[31mred\x1b[0m\x9b2J\rclick \x1b]8;;https://evil.example\x07here"


def starred(content: str, name: str = "Alice") -> str:
    """The summary's embeds, as Discord receives them, with one starred reply."""
    row = dataclasses.replace(busy_small_group()[0], content=content, author_name=name)
    return shown(summary_embeds(summarise([row])))


def test_a_highlight_with_two_masked_links_shows_both_as_text() -> None:
    text = starred(TWO_LINKS)
    assert r"\[a\](https://a.example) \[verify\](https://evil.example)" in text
    assert "[verify](" not in text.replace(r"\[verify\](", "")


def test_a_highlight_carries_no_control_character() -> None:
    text = starred(ESCAPES, name="\x1b[5mBlinky\x07")
    assert "> red click here" in text and "**Blinky**" in text
    assert not any(c in text for c in "\x1b\x07\x9b\r")


def _hostile_replies(database: Path) -> None:
    """One group, one post, and replies written to attack a spreadsheet and a terminal."""
    texts = ['=HYPERLINK("https://evil.example","open")', "+cmd|' /C calc'!A0", ESCAPES, "fine"]

    async def run() -> None:
        async with open_database(database) as db:
            await add_group(db, 100)
            start = dt.datetime(2027, 1, 4, 18, tzinfo=dt.UTC)
            await apply_events(
                db,
                [
                    Reply(1000 + n, 500, 100, 9, None, 7, name, text, start, words=1)
                    for n, (name, text) in enumerate(
                        zip(["@Ana", "-Bo", "Cy", "Di"], texts, strict=True)
                    )
                ],
            )

    asyncio.run(run())


def test_csv_export_neutralises_formulas_and_terminal_escapes(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _hostile_replies(workdir / "data" / "reading-group.sqlite3")
    assert main(["export"]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\x07\x9b")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["author_name"], r["content"]) for r in rows] == [
        ("'@Ana", '\'=HYPERLINK("https://evil.example","open")'),
        ("'-Bo", "'+cmd|' /C calc'!A0"),
        ("Cy", "redclick here"),
        ("Di", "fine"),
    ]


def test_jsonl_export_to_a_terminal_carries_no_escape(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _hostile_replies(workdir / "data" / "reading-group.sqlite3")
    assert main(["export", "--format", "jsonl"]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\x07\x9b\x9d")
    contents = [json.loads(line)["content"] for line in out.splitlines()]
    assert contents[2] == "redclick here"  # the data stays as written: JSON needs no apostrophe
    assert contents[0] == '=HYPERLINK("https://evil.example","open")'


def test_the_summary_in_a_terminal_carries_no_escape(
    summarised: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def edit() -> None:
        async with open_database(summarised / "data" / "reading-group.sqlite3") as db:
            at = dt.datetime(2026, 3, 3, 18, tzinfo=dt.UTC)
            await apply_events(db, [Edit(1001, ESCAPES, at, 4, 0)])

    asyncio.run(edit())
    assert main(["summary", "--week", "2026-W10"]) == 0
    out = capsys.readouterr().out
    assert '⭐ Ana on essay §1: "red click here"' in out
    assert not any(c in out for c in "\x1b\x07\x9b\x9d\r")


# --- what the log keeps: one policy for every path ------------------------------------------------


async def test_a_counts_only_group_never_keeps_text_whatever_the_path(
    db: aiosqlite.Connection,
) -> None:
    await add_group(db, GROUP, mode="counts")
    await add_post(db, GROUP, 1, POST_MESSAGE, THREAD)
    edited = T0 + dt.timedelta(hours=1)
    await apply_events(db, [reply(1001), reply(1002)])  # live
    await apply_events(db, [Edit(1001, "edited live", edited, 2, 0)])  # edited
    await apply_events(
        db, [reply(1002, content="edited while away", edited_at=edited)]
    )  # caught up
    assert await rows(
        db, "SELECT message_id, content, words, edited_at IS NOT NULL FROM replies"
    ) == [
        (1001, None, 2, 1),
        (1002, None, 5, 1),
    ]


async def test_a_group_that_turned_counts_only_keeps_no_new_text(db: aiosqlite.Connection) -> None:
    await add_group(db, GROUP)
    await add_post(db, GROUP, 1, POST_MESSAGE, THREAD)
    await apply_events(db, [reply(1001)])
    await db.execute("UPDATE groups SET reply_log = 'counts' WHERE channel_id = ?", (GROUP,))
    await db.commit()
    await apply_events(db, [Edit(1001, "new words", T0 + dt.timedelta(hours=1), 2, 0)])
    await apply_events(db, [reply(1002)])
    assert await rows(db, "SELECT message_id, content, words FROM replies") == [
        (1001, None, 2),
        (1002, None, 5),
    ]


async def test_a_forgotten_member_is_never_logged_again_before_the_forget(
    db: aiosqlite.Connection,
) -> None:
    await add_group(db, GROUP)
    await add_post(db, GROUP, 1, POST_MESSAGE, THREAD)
    before = [reply(1001), reply(1002, author=BOB), reply(1003)]
    await apply_events(
        db,
        [
            *before,
            ReactionAdd(1001, THREAD, BOB, STAR, T0),  # Bob's star on Alice's reply
            ReactionAdd(1002, THREAD, ALICE, STAR, T0),
        ],
    )
    forgot = T0 + dt.timedelta(minutes=1003, seconds=30)  # after all three, before 1004
    erased = await forget_member(db, ALICE, at=forgot)
    assert (erased.replies, erased.reactions) == (2, 1)
    # A catch-up reads the thread again, with an edit made meanwhile; Alice writes again and
    # stars Bob's reply again.
    edited = reply(1001, content="edited", edited_at=forgot + dt.timedelta(minutes=1))
    again = ReactionAdd(1002, THREAD, ALICE, STAR, forgot + dt.timedelta(minutes=2))
    await apply_events(db, [*before, edited, reply(1004), again])
    assert await rows(db, "SELECT message_id, author_id, content FROM replies") == [
        (1002, BOB, "reply 1002 about the market"),
        (1004, ALICE, "reply 1004 about the market"),
    ]
    assert await rows(db, "SELECT message_id, user_id FROM reactions") == [(1002, ALICE)]
    assert await rows(db, "SELECT user_id, starts_at FROM log_starts") == [
        (ALICE, "2027-01-05T10:43:30.000000Z")
    ]
    # Forgetting again never moves the start back.
    await forget_member(db, ALICE, at=T0)
    assert await rows(db, "SELECT starts_at FROM log_starts") == [("2027-01-05T10:43:30.000000Z",)]


async def test_what_was_written_while_opted_out_stays_out_after_opting_in(
    db: aiosqlite.Connection,
) -> None:
    await add_group(db, GROUP)
    await add_post(db, GROUP, 1, POST_MESSAGE, THREAD)
    await apply_events(db, [reply(1001)])
    await set_opted_out(db, ALICE, opted_out=True, now=T0 + dt.timedelta(minutes=1001))
    back = T0 + dt.timedelta(minutes=1003)
    assert await set_opted_out(db, ALICE, opted_out=False, now=back)
    # The catch-up after a restart: 1002 was written while opted out; 1001 was edited since.
    edited = reply(1001, content="edited later", edited_at=back + dt.timedelta(minutes=5))
    await apply_events(db, [edited, reply(1002), reply(1004)])
    assert await rows(db, "SELECT message_id, content FROM replies") == [
        (1001, "edited later"),
        (1004, "reply 1004 about the market"),
    ]


async def test_a_forget_drops_the_members_events_still_waiting(db: aiosqlite.Connection) -> None:
    await add_group(db, GROUP)
    await add_post(db, GROUP, 1, POST_MESSAGE, THREAD)
    log = ReplyLog(db)
    log.hold(THREAD)  # a catch-up of the thread is running: live events wait
    log.put(ReactionAdd(POST_MESSAGE, THREAD, ALICE, STAR, T0), THREAD)
    log.put(ReactionAdd(POST_MESSAGE, THREAD, BOB, STAR, T0), THREAD)
    log.put(reply(1001, author=BOB))
    log.forget(ALICE)
    await forget_member(db, ALICE, at=T0)
    log.release(THREAD)
    await log.flush()
    assert await rows(db, "SELECT message_id, user_id FROM reactions") == [(POST_MESSAGE, BOB)]
    assert await rows(db, "SELECT message_id, author_id FROM replies") == [(1001, BOB)]


# --- end to end through the fake Discord ---------------------------------------------------------


async def forget(fake: FakeDiscord, member: str) -> str:
    """``member`` runs /privacy forget and confirms; returns the bot's answer."""
    ask = await fake.slash(member, "privacy forget").message()
    answer = await fake.click(member, ask, "privacy:forget").response()
    return str(answer.data["content"])


async def test_a_forget_holds_across_a_resume_and_a_restart(
    fake_discord: FakeDiscord, posted: Posted, make_bot: MakeBot, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    fake.post("alice", posted.thread_id, "my first thought")
    fake.post("bob", posted.thread_id, "a reply to it")
    fake.post("alice", "readings", "to the post", reply_to=posted.post)
    await logged(fake, db, "SELECT count(*) FROM replies", [(3,)])
    answer = await forget(fake, "alice")
    assert answer.startswith(
        "Erased: 2 replies, 0 reactions and 0 poll answers. Nothing you wrote until now"
    )
    assert "What you write from now on is logged" in answer and "/privacy opt-out" in answer
    query = "SELECT author_name, content FROM replies ORDER BY message_id"
    assert await rows(db, query) == [("Bob", "a reply to it")]
    fake.post("alice", posted.thread_id, "a new thought, after forgetting")

    # A resume: the catch-up re-reads the whole thread (fewer than 100 logged messages).
    async with fake.gateway_down(code=4000):
        fake.post("bob", posted.thread_id, "during the outage")
    assert len(fake.gateway.identifies) == 1  # resumed, not identified again
    fake.post("bob", posted.thread_id, "after the resume")
    kept = [
        ("Bob", "a reply to it"),
        ("Alice", "a new thought, after forgetting"),
        ("Bob", "during the outage"),
        ("Bob", "after the resume"),
    ]
    await logged(fake, db, query, kept)

    # A restart: a new session, and the catch-up reads everything again.
    await posted.bot.close()
    await make_bot([group_config(fake.readings.id)])
    fake.post("bob", posted.thread_id, "after the restart")
    await logged(fake, db, query, [*kept, ("Bob", "after the restart")])
    assert await rows(db, "SELECT user_id FROM log_starts") == [(fake.alice.id,)]


async def test_what_is_written_while_opted_out_is_not_caught_up_after_opting_in(
    fake_discord: FakeDiscord, posted: Posted, make_bot: MakeBot, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    fake.post("alice", posted.thread_id, "before opting out")
    await logged(fake, db, "SELECT count(*) FROM replies", [(1,)])
    await fake.slash("alice", "privacy opt-out").message()
    fake.post("alice", posted.thread_id, "while opted out")
    back = await fake.slash("alice", "privacy opt-in").message()
    assert "logged again" in back.content
    await posted.bot.close()
    await make_bot([group_config(fake.readings.id)])
    fake.post("alice", posted.thread_id, "back again")
    query = "SELECT content FROM replies ORDER BY message_id"
    await logged(fake, db, query, [("before opting out",), ("back again",)])


async def test_a_counts_only_group_keeps_no_text_of_an_edit_to_a_reply_to_an_older_post(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    bot = await make_bot([group_config(fake.readings.id, reply_log="counts")])
    clock.set(FIRST_SLOT)
    await tick(bot)
    (post,) = first_parts(fake, fake.readings)
    log = bot.reply_log
    await fake.wait_for(lambda: post.id in log.posts, what="the post to be logged")
    answer = fake.post("alice", "readings", "kept as a count", reply_to=post)
    await logged(fake, db, "SELECT content, words FROM replies", [(None, 4)])
    # Twenty posts later, the first one is no longer among those the log follows...
    for number in range(2, 22):
        group = await get_group(db, fake.readings.id)
        assert group is not None
        slot = FIRST_SLOT + dt.timedelta(days=number)
        claim = await claim_post(
            db,
            group,
            slot=slot,
            kind="scheduled",
            installment_key=f"later:{number}",
            number=number,
            total=30,
            questions=[],
            now=slot,
        )
        assert claim is not None
        message_id = post.id + number  # between the first post and the reply to it
        await confirm_post(
            db, claim.id, message_id=message_id, thread_id=None, late=False, now=slot
        )
    # ... once a reconnect has reloaded them.
    async with fake.gateway_down(code=4000):
        pass
    await fake.wait_for(lambda: post.id not in log.posts, what="the targets to be reloaded")
    fake.edit(answer, "now with much more text")
    await logged(fake, db, "SELECT content, words FROM replies", [(None, 5)])


async def test_a_summary_previewed_before_a_forget_is_posted_without_the_member(
    fake_discord: FakeDiscord, week: Week, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    clock.set(dt.datetime(2027, 1, 8, 12, 0, tzinfo=dt.UTC))  # Friday: the week is not over
    preview = await fake.slash("organizer", "summary", {}, channel="readings").message()
    assert "the national market is the point" in text_of(preview)
    assert "Welcome to our new voices: Alice and Bob!" in text_of(preview)
    await forget(fake, "alice")
    (row,) = preview.components
    (button,) = row["components"]
    await fake.click("organizer", preview, button["custom_id"]).response()
    await fake.wait_for(lambda: summary_messages(fake), what="the posted summary")
    (public,) = summary_messages(fake)
    text = text_of(public)
    assert "national market" not in text and "Alice" not in text
    assert "1 reply, 5 words, 1 participant" in text and "new voice: Bob!" in text
    assert await rows(db, "SELECT author_name, content FROM replies") == [
        ("Bob", "I am not so sure")
    ]
    assert await rows(db, "SELECT count(*) FROM reactions") == [(0,)]


async def test_text_caught_up_after_its_retention_is_not_kept(
    fake_discord: FakeDiscord,
    posted: Posted,
    make_bot: MakeBot,
    clock: Clock,
    db: aiosqlite.Connection,
) -> None:
    fake = fake_discord
    await posted.bot.close()
    fake.post("alice", posted.thread_id, "written while the bot was down")
    # The bot comes back long after: the reply is older than RETENTION_DAYS (365).
    clock.set(discord.utils.utcnow() + dt.timedelta(days=400))
    await make_bot([group_config(fake.readings.id)])
    await logged(fake, db, "SELECT author_name, content, words FROM replies", [("Alice", None, 6)])
