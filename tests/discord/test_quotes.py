"""Quotes that cite themselves end to end: a member quotes a reading in an installment's thread
on the fake Discord, and the bot reacts or replies with the citation, as the group chose."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiosqlite
import pytest

from bot.client import ReadingGroupBot
from bot.core.readings import Library
from bot.core.schedule import parse_cadence
from tests.discord import scheduling
from tests.discord.scheduling import FIRST_SLOT, Clock, MakeBot, first_parts, group_config, tick
from tests.discord.test_discussion import logged, rows
from tests.discord.test_summary import SUMMARY_TIME, summaries, summary_messages
from tests.fakediscord import FakeDiscord, Message

clock, db, library, make_bot, prompts = (
    scheduling.clock,
    scheduling.db,
    scheduling.library,
    scheduling.make_bot,
    scheduling.prompts,
)

BOOK = "📖"


Start = Callable[..., Awaitable[tuple[ReadingGroupBot, int]]]


@pytest.fixture
def start(fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock) -> Start:
    """``await start(**groups_yaml_settings)``: a bot whose group has posted its first
    installment; returns the bot and the installment's thread."""

    async def started(**config: Any) -> tuple[ReadingGroupBot, int]:
        fake = fake_discord
        bot = await make_bot([group_config(fake.readings.id, **config)])
        clock.set(FIRST_SLOT)
        await tick(bot)
        first_parts(fake, fake.readings)
        (thread,) = fake.threads(fake.readings)
        await fake.wait_for(lambda: thread.id in bot.reply_log.threads, what="the thread logged")
        return bot, thread.id

    return started


@pytest.fixture
def passage(library: Library) -> tuple[str, str]:
    """Words of a paragraph of the shipped readings, and the paragraph's citation."""
    reading = next(iter(library))
    paragraph = next(p for p in reading.paragraphs if len(p.plain.split()) > 40)
    return " ".join(paragraph.plain.split()[:24]), f"{reading.slug} §{paragraph.number}"


async def checked(fake: FakeDiscord, bot: ReadingGroupBot, count: int) -> None:
    await fake.wait_for(lambda: bot.quotes.checked >= count, timeout=10, what="replies checked")


async def test_a_quote_gets_a_book_reaction_and_is_kept(
    fake_discord: FakeDiscord,
    start: Start,
    passage: tuple[str, str],
    db: aiosqlite.Connection,
) -> None:
    bot, thread = await start()
    words, citation = passage
    quoting = fake_discord.post("alice", thread, f"> {words}\n\nThis is the key point.")
    plain = fake_discord.post("bob", thread, f'I disagree with "{words.upper()}" entirely')
    other = fake_discord.post("bob", thread, "> a quotation of nothing in the library at all")
    await fake_discord.wait_for(
        lambda: BOOK in quoting.reactions and BOOK in plain.reactions, timeout=10, what="📖"
    )
    await checked(fake_discord, bot, 3)
    assert BOOK not in other.reactions
    slug, number = citation.split(" §")
    assert await rows(
        db, "SELECT message_id, slug, paragraph, kind FROM quote_matches ORDER BY 1"
    ) == [
        (quoting.id, slug, int(number.split(".")[0]), "exact"),
        (plain.id, slug, int(number.split(".")[0]), "exact"),
    ]
    # Nothing else was said: no reply from the bot in the thread beyond its questions.
    assert not [m for m in fake_discord.bot_messages(thread) if m.reference]


async def test_reply_mode_answers_with_the_citation_and_opens_the_passage(
    fake_discord: FakeDiscord, start: Start, passage: tuple[str, str]
) -> None:
    _, thread = await start(quote_check="reply")
    words, citation = passage
    quoting = fake_discord.post("alice", thread, f"> {words}")
    answer: Message = await fake_discord.wait_for_message(
        thread, predicate=lambda m: m.reference is not None, timeout=10
    )
    assert answer.reference is not None and int(answer.reference["message_id"]) == quoting.id
    assert answer.content.startswith(f"{BOOK} Quoted from *")
    assert citation in answer.content
    assert BOOK not in quoting.reactions
    assert not answer.mention_user_ids
    (button,) = [c["custom_id"] for row in answer.components for c in row["components"]]
    opened = fake_discord.click("bob", answer, button)
    response = await opened.response()
    assert response.data["flags"] & (1 << 6)  # ephemeral
    assert words.split()[3] in response.data["embeds"][0]["description"]


async def test_a_misquotation_can_be_shown_side_by_side(
    fake_discord: FakeDiscord, start: Start, passage: tuple[str, str]
) -> None:
    _, thread = await start(quote_check="reply")
    words, _ = passage
    changed = words.split()
    changed[10] = "banana"
    fake_discord.post("alice", thread, "> " + " ".join(changed))
    answer = await fake_discord.wait_for_message(
        thread, predicate=lambda m: m.reference is not None, timeout=10
    )
    assert "Quoted close to" in answer.content
    ids = [c["custom_id"] for row in answer.components for c in row["components"]]
    assert [i.split(":")[1] for i in ids] == ["open", "diff"]
    shown = await fake_discord.click("bob", answer, ids[1]).response()
    assert shown.data["flags"] & (1 << 6)
    (embed,) = shown.data["embeds"]
    quoted, original = (f["value"] for f in embed["fields"])
    assert "**banana**" in quoted
    assert f"**{words.split()[10].lower()}**" in original
    assert "banana" not in original


async def test_a_button_whose_reply_is_gone_says_so(
    fake_discord: FakeDiscord, start: Start, passage: tuple[str, str]
) -> None:
    _, thread = await start(quote_check="reply")
    words, _ = passage
    changed = words.split()
    changed[10] = "banana"
    misquote = fake_discord.post("alice", thread, "> " + " ".join(changed))
    answer = await fake_discord.wait_for_message(
        thread, predicate=lambda m: m.reference is not None, timeout=10
    )
    ids = [c["custom_id"] for row in answer.components for c in row["components"]]
    fake_discord.delete(misquote)
    # A dynamic button's refusal reaches the member, not only the log.
    shown = await fake_discord.click("bob", answer, ids[1]).response()
    assert shown.data["flags"] & (1 << 6)
    assert "That reply was deleted." in shown.data["content"]


async def test_off_does_nothing(
    fake_discord: FakeDiscord,
    start: Start,
    passage: tuple[str, str],
    db: aiosqlite.Connection,
) -> None:
    bot, thread = await start(quote_check="off")
    words, _ = passage
    quoting = fake_discord.post("alice", thread, f"> {words}")
    after = fake_discord.post("bob", thread, "later")
    await logged(fake_discord, db, "SELECT count(*) FROM replies", [(2,)])
    # Handed over as it arrived (before it was logged), had the group wanted it checked.
    assert bot.quotes.offered == 0
    assert quoting.reactions == {} and after.reactions == {}
    assert await rows(db, "SELECT count(*) FROM quote_matches") == [(0,)]


async def test_opted_out_members_are_never_checked(
    fake_discord: FakeDiscord,
    start: Start,
    passage: tuple[str, str],
    db: aiosqlite.Connection,
) -> None:
    _, thread = await start()
    words, _ = passage
    await fake_discord.slash("bob", "privacy opt-out").message()
    theirs = fake_discord.post("bob", thread, f"> {words}")
    mine = fake_discord.post("alice", thread, f"> {words}")
    await fake_discord.wait_for(lambda: BOOK in mine.reactions, timeout=10, what="📖")
    assert theirs.reactions == {}
    assert await rows(db, "SELECT message_id FROM quote_matches") == [(mine.id,)]


@pytest.mark.parametrize("how", ["deleted", "forgotten"])
async def test_a_quote_goes_with_its_reply(
    fake_discord: FakeDiscord,
    start: Start,
    passage: tuple[str, str],
    db: aiosqlite.Connection,
    how: str,
) -> None:
    _, thread = await start()
    words, _ = passage
    quoting = fake_discord.post("alice", thread, f"> {words}")
    await fake_discord.wait_for(lambda: BOOK in quoting.reactions, timeout=10, what="📖")
    assert await rows(db, "SELECT count(*) FROM quote_matches") == [(1,)]
    if how == "deleted":
        fake_discord.delete(quoting)
    else:
        ask = await fake_discord.slash("alice", "privacy forget").message()
        await fake_discord.click("alice", ask, "privacy:forget").response()
    await logged(fake_discord, db, "SELECT count(*) FROM replies", [(0,)])
    assert await rows(db, "SELECT count(*) FROM quote_matches") == [(0,)]


async def test_the_weekly_summary_counts_the_most_quoted_passages(
    fake_discord: FakeDiscord,
    start: Start,
    passage: tuple[str, str],
    clock: Clock,
    db: aiosqlite.Connection,
) -> None:
    summary = parse_cadence("sun 18:00 Europe/Berlin")
    bot, thread = await start(summary=summary)
    words, citation = passage
    tuesday = dt.datetime(2027, 1, 5, 20, 0, tzinfo=dt.UTC)
    quotes = [
        fake_discord.post(who, thread, f"> {words}", at=tuesday + dt.timedelta(minutes=n))
        for n, who in enumerate(["alice", "bob", "organizer"])
    ]
    await fake_discord.wait_for(
        lambda: all(BOOK in q.reactions for q in quotes), timeout=10, what="📖 on every quote"
    )
    await fake_discord.slash("organizer", "privacy opt-out").message()  # left out from now on
    clock.set(SUMMARY_TIME)
    await summaries(bot).tick()
    (message,) = summary_messages(fake_discord)
    (field,) = [f for f in message.embeds[0]["fields"] if f["name"] == "Most quoted this week"]
    assert field["value"].startswith(f"{BOOK} 2 · `{citation}` (")


async def test_export_lists_what_the_members_replies_quote(
    fake_discord: FakeDiscord, start: Start, passage: tuple[str, str]
) -> None:
    _, thread = await start()
    words, citation = passage
    quoting = fake_discord.post("alice", thread, f"> {words}")
    await fake_discord.wait_for(lambda: BOOK in quoting.reactions, timeout=10, what="📖")
    answer = await fake_discord.slash("alice", "privacy export").message()
    (attachment,) = answer.attachments
    slug, number = citation.split(" §")
    ((quote),) = json.loads(attachment.data)["quotes"]
    assert (quote["message_id"], quote["slug"], quote["paragraph"], quote["kind"]) == (
        quoting.id,
        slug,
        int(number),
        "exact",
    )


async def test_an_edit_is_checked_again(
    fake_discord: FakeDiscord, start: Start, passage: tuple[str, str], db: aiosqlite.Connection
) -> None:
    bot, thread = await start()
    words, _ = passage
    quoting = fake_discord.post("alice", thread, f"> {words}")
    later = fake_discord.post("bob", thread, "no quote yet")
    await fake_discord.wait_for(lambda: BOOK in quoting.reactions, timeout=10, what="📖")
    fake_discord.edit(quoting, "I take that quote back")
    fake_discord.edit(later, f'Now: "{words}"')
    await fake_discord.wait_for(
        lambda: BOOK not in quoting.reactions and BOOK in later.reactions,
        timeout=10,
        what="the 📖 moved by the edits",
    )
    await checked(fake_discord, bot, 3)
    assert await rows(db, "SELECT message_id FROM quote_matches") == [(later.id,)]


async def test_plan_start_sets_quote_check_and_the_bot_follows_it(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    bot = await make_bot()
    plan = {"schedule": "mon,thu 19:00", "timezone": "Europe/Berlin", "start": "2027-01-04"}
    for value, kept in (({}, "react"), ({"quote_check": "off"}, "off"), ({}, "off")):
        answer = await fake_discord.slash(
            "organizer", "plan start", {**plan, **value}, channel="readings"
        ).message()
        assert answer.content.startswith(("Started", "Changed")), answer.content
        assert await rows(db, "SELECT quote_check FROM groups") == [(kept,)]
    # The running bot follows the change (an option not given keeps the stored setting).
    await fake_discord.wait_for(
        lambda: bot.quotes.modes == {fake_discord.readings.id: "off"}, what="quote_check off"
    )


def answers(fake: FakeDiscord, thread: int) -> list[int]:
    """The replies the bot's one-line citations answer, in order."""
    return [
        int(m.reference["message_id"]) for m in fake.bot_messages(thread) if m.reference is not None
    ]


async def test_a_quote_written_while_the_bot_was_down_is_answered_once(
    fake_discord: FakeDiscord,
    start: Start,
    make_bot: MakeBot,
    clock: Clock,
    passage: tuple[str, str],
    db: aiosqlite.Connection,
) -> None:
    bot, thread = await start(quote_check="reply")
    words, citation = passage
    live = fake_discord.post("alice", thread, f"> {words}")
    await fake_discord.wait_for(lambda: answers(fake_discord, thread) == [live.id], timeout=10)
    await bot.close()
    # Written while the bot was away (its clock is the group's: the fake's messages are dated
    # against it): one an hour ago, one four days ago (too old to be answered now).
    now = clock.now
    old = fake_discord.post("alice", thread, f"> {words}", at=now - dt.timedelta(days=4))
    missed = fake_discord.post(
        "bob", thread, f'As it says: "{words}"', at=now - dt.timedelta(hours=1)
    )
    config = group_config(fake_discord.readings.id, quote_check="reply")
    barriers = []
    for restart, caught_up in enumerate((1, 2)):
        bot = await make_bot([config])
        # The catch-up offers the quoting replies of the last days: the missed one, then on the
        # second start the ones it re-reads (the missed one and the first start's live quote),
        # never the old one. Then a live quote: its answer shows that the replies
        # before it were checked (one worker, in order).
        quotes = bot.quotes
        await fake_discord.wait_for(
            lambda: quotes.offered == caught_up,  # noqa: B023 (awaited here, in this turn)
            timeout=10,
            what="the catch-up offered",
        )
        at = now + dt.timedelta(minutes=restart)
        barriers.append(fake_discord.post("organizer", thread, f"> {words}", at=at).id)
        await fake_discord.wait_for(
            lambda: barriers[-1] in answers(fake_discord, thread), timeout=10, what="the barrier"
        )
        await bot.close()
    # The reply from the downtime answered once; the one answered live, and the old one, not.
    assert answers(fake_discord, thread) == [live.id, missed.id, barriers[0], barriers[1]]
    (answer,) = [
        m
        for m in fake_discord.bot_messages(thread)
        if m.reference is not None and int(m.reference["message_id"]) == missed.id
    ]
    assert citation in answer.content and not answer.mention_user_ids
    slug, number = citation.split(" §")
    paragraph = int(number.split(".")[0])
    assert await rows(db, "SELECT message_id, slug, paragraph FROM quote_matches ORDER BY 1") == [
        (message_id, slug, paragraph) for message_id in (live.id, missed.id, *barriers)
    ]
    assert await rows(db, "SELECT message_id FROM replies ORDER BY 1") == [
        (live.id,),
        (old.id,),
        (missed.id,),
        *((b,) for b in barriers),
    ]


@pytest.mark.parametrize("who", ["off", "opted-out"])
async def test_a_quote_written_while_the_bot_was_down_is_left_alone_when_it_must_be(
    fake_discord: FakeDiscord,
    start: Start,
    make_bot: MakeBot,
    clock: Clock,
    passage: tuple[str, str],
    db: aiosqlite.Connection,
    who: str,
) -> None:
    mode = "off" if who == "off" else "reply"
    bot, thread = await start(quote_check=mode)
    words, _ = passage
    if who == "opted-out":
        await fake_discord.slash("bob", "privacy opt-out").message()
    await bot.close()
    missed = fake_discord.post("bob", thread, f"> {words}", at=clock.now - dt.timedelta(hours=1))
    bot = await make_bot([group_config(fake_discord.readings.id, quote_check=mode)])
    said = fake_discord.post("alice", thread, "after the restart", at=clock.now)
    await logged(
        fake_discord, db, "SELECT count(*) FROM replies", [(1 if who == "opted-out" else 2,)]
    )
    await checked(fake_discord, bot, 0)
    assert bot.quotes.offered == 0
    assert answers(fake_discord, thread) == [] and missed.reactions == {}
    assert await rows(db, "SELECT count(*) FROM quote_matches") == [(0,)]
    assert said.reactions == {}
