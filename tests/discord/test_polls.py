"""Stance polls end to end on the fake Discord: /poll add, the buttons in the installments'
threads before and after, answers kept once per member and phase, a restart, opt-out, export
and forget."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

import aiosqlite
import pytest

from bot.client import ReadingGroupBot
from bot.core.questions import FilePoll, Prompts
from bot.core.schedule import parse_cadence
from bot.storage.groups import get_group
from tests.discord import scheduling
from tests.discord.scheduling import FIRST_SLOT, Clock, MakeBot, group_config, tick
from tests.discord.test_discussion import rows
from tests.discord.test_plan import run
from tests.discord.test_summary import SUMMARY_TIME, summaries, summary_messages, text_of
from tests.fakediscord import FakeDiscord, Message

clock, db, library, make_bot, prompts = (
    scheduling.clock,
    scheduling.db,
    scheduling.library,
    scheduling.make_bot,
    scheduling.prompts,
)

SECOND_SLOT = FIRST_SLOT + dt.timedelta(days=3)  # Thursday 19:00 Berlin
THIRD_SLOT = FIRST_SLOT + dt.timedelta(days=7)
PROPOSITION = "Socialism in one country was unavoidable in 1924"
EPHEMERAL = 1 << 6


def poll_messages(fake: FakeDiscord, thread: Any) -> list[Message]:
    """The bot's messages with stance buttons in ``thread``."""
    return [m for m in fake.bot_messages(thread) if m.components]


def custom_ids(message: Message) -> list[str]:
    return [c["custom_id"] for row in message.components for c in row["components"]]


async def press(fake: FakeDiscord, user: str, message: Message, custom_id: str) -> str:
    """``user`` presses the button; the bot's (ephemeral) answer."""
    response = await fake.click(user, message, custom_id).response()
    assert response.data["flags"] & EPHEMERAL
    return str(response.data["content"])


async def post(fake: FakeDiscord, bot: ReadingGroupBot, clock: Clock, slot: dt.datetime) -> Any:
    """Post the installment of ``slot``; its thread."""
    clock.set(slot)
    await tick(bot)
    return fake.threads(fake.readings)[-1]


@pytest.fixture
async def bot(fake_discord: FakeDiscord, make_bot: MakeBot) -> ReadingGroupBot:
    return await make_bot([group_config(fake_discord.readings.id)])


@pytest.fixture
async def before(fake_discord: FakeDiscord, bot: ReadingGroupBot, clock: Clock) -> Message:
    """The first installment's poll, asked in its thread: its "before" buttons."""
    await run(fake_discord, "organizer", "poll add", {"proposition": PROPOSITION})
    (message,) = poll_messages(fake_discord, await post(fake_discord, bot, clock, FIRST_SLOT))
    return message


async def test_a_poll_is_asked_before_and_after_and_answers_are_counted_once(
    fake_discord: FakeDiscord, bot: ReadingGroupBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    clock.set(FIRST_SLOT - dt.timedelta(days=1))
    added = await run(fake, "organizer", "poll add", {"proposition": PROPOSITION})
    assert added.content.startswith("Poll 1 attached to ")
    first = await post(fake, bot, clock, FIRST_SLOT)
    (before,) = poll_messages(fake, first)
    assert PROPOSITION in before.content and "Before discussing" in before.content
    assert not before.mention_everyone and not before.mention_user_ids
    assert custom_ids(before) == [
        "poll:1:before:agree",
        "poll:1:before:unsure",
        "poll:1:before:disagree",
    ]
    assert (await press(fake, "alice", before, "poll:1:before:agree")).startswith(
        "Noted: you agree (before the discussion)"
    )
    await press(fake, "alice", before, "poll:1:before:unsure")  # changed her mind
    await press(fake, "bob", before, "poll:1:before:disagree")

    second = await post(fake, bot, clock, SECOND_SLOT)
    (after,) = poll_messages(fake, second)
    assert "where do you stand now?" in after.content and PROPOSITION in after.content
    assert (await press(fake, "alice", after, "poll:1:after:agree")).startswith(
        "Noted: you agree (after reading)"
    )
    closed = await press(fake, "bob", before, "poll:1:before:agree")
    assert closed.startswith("The before answers of this poll are closed")
    query = "SELECT user_id, phase, stance FROM poll_answers ORDER BY phase, user_id"
    assert await rows(db, query) == [
        (fake.alice.id, "after", "agree"),
        (fake.alice.id, "before", "unsure"),
        (fake.bob.id, "before", "disagree"),
    ]
    third = await post(fake, bot, clock, THIRD_SLOT)
    assert poll_messages(fake, third) == []  # no poll on the second installment
    late = await press(fake, "bob", after, "poll:1:after:agree")
    assert late.startswith("The after answers of this poll are closed")
    assert await rows(db, "SELECT count(*) FROM poll_answers") == [(3,)]


async def test_the_buttons_work_after_a_restart(
    fake_discord: FakeDiscord,
    bot: ReadingGroupBot,
    before: Message,
    make_bot: MakeBot,
    db: aiosqlite.Connection,
) -> None:
    fake = fake_discord
    await bot.close()
    await make_bot([group_config(fake.readings.id)])
    assert (await press(fake, "alice", before, "poll:1:before:disagree")).startswith("Noted")
    assert await rows(db, "SELECT user_id, stance FROM poll_answers") == [
        (fake.alice.id, "disagree")
    ]


async def test_an_opted_out_member_is_told_the_answer_is_not_stored(
    fake_discord: FakeDiscord, before: Message, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    await run(fake, "alice", "privacy opt-out")
    answer = await press(fake, "alice", before, "poll:1:before:agree")
    assert answer.startswith("You are opted out, so your answer was not stored.")
    assert await rows(db, "SELECT count(*) FROM poll_answers") == [(0,)]


async def test_export_holds_the_answers_and_forget_erases_them(
    fake_discord: FakeDiscord, before: Message, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    await press(fake, "alice", before, "poll:1:before:agree")
    await press(fake, "bob", before, "poll:1:before:agree")
    info = await run(fake, "alice", "privacy info")
    assert "your answers to stance polls" in info.embeds[0]["description"]
    exported = await run(fake, "alice", "privacy export")
    (attachment,) = exported.attachments
    data = json.loads(attachment.data)
    assert [(a["proposition"], a["phase"], a["stance"]) for a in data["poll_answers"]] == [
        (PROPOSITION, "before", "agree")
    ]
    ask = await fake.slash("alice", "privacy forget").message()
    confirm = fake.click("alice", ask, "privacy:forget")
    assert "1 poll answers" in (await confirm.response()).data["content"]
    assert await rows(db, "SELECT user_id FROM poll_answers") == [(fake.bob.id,)]


async def test_members_may_not_add_or_remove_polls(fake_discord: FakeDiscord, bot: Any) -> None:
    refused = await run(fake_discord, "alice", "poll add", {"proposition": PROPOSITION})
    assert refused.content.startswith("Sorry, only the group's organizers can do that")
    refused = await run(fake_discord, "alice", "poll remove", {"poll": 1})
    assert refused.content.startswith("Sorry, only the group's organizers can do that")


async def test_list_and_remove(
    fake_discord: FakeDiscord, bot: ReadingGroupBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    await run(fake, "organizer", "poll add", {"proposition": PROPOSITION})
    twice = await run(fake, "organizer", "poll add", {"proposition": "Another"})
    assert "has a poll already" in twice.content
    listed = await run(fake, "alice", "poll list")
    assert listed.content.startswith("**1.** ") and "not open" in listed.content
    assert PROPOSITION in listed.content
    (before,) = poll_messages(fake, await post(fake, bot, clock, FIRST_SLOT))
    await press(fake, "alice", before, "poll:1:before:agree")
    removed = await run(fake, "organizer", "poll remove", {"poll": 1})
    assert removed.content.startswith("Removed poll 1")
    gone = await press(fake, "bob", before, "poll:1:before:agree")
    assert gone == "This poll was removed by an organizer."
    assert await rows(db, "SELECT count(*) FROM polls") == [(0,)]
    assert await rows(db, "SELECT count(*) FROM poll_answers") == [(0,)]
    missing = await run(fake, "organizer", "poll remove", {"poll": 1})
    assert missing.content.startswith("This group has no poll 1")


async def test_a_hostile_proposition_is_refused(fake_discord: FakeDiscord, bot: Any) -> None:
    long = await run(fake_discord, "organizer", "poll add", {"proposition": "x" * 201})
    assert long.content == "The proposition has 201 characters; keep it to 200."


async def test_a_poll_on_a_later_installment_and_none_on_a_posted_one(
    fake_discord: FakeDiscord, bot: ReadingGroupBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    group = await get_group(db, fake.readings.id)
    assert group is not None
    installments = bot.plans.installments(group, bot.library)
    await post(fake, bot, clock, FIRST_SLOT)
    options = {"proposition": PROPOSITION, "reference": installments[0].citation}
    posted = await run(fake, "organizer", "poll add", options)
    assert posted.content.endswith(
        "is posted already: attach the poll to an installment still to come."
    )
    options["reference"] = installments[2].citation
    later = await run(fake, "organizer", "poll add", options)
    assert later.content.startswith(f"Poll 1 attached to {installments[2].citation}:")
    assert poll_messages(fake, await post(fake, bot, clock, SECOND_SLOT)) == []
    (asked,) = poll_messages(fake, await post(fake, bot, clock, THIRD_SLOT))
    assert custom_ids(asked)[0] == "poll:1:before:agree"


@pytest.mark.parametrize("members", [5, 4])
async def test_the_weekly_summary_shows_where_we_stand_from_the_minimum_group_size(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, members: int
) -> None:
    fake = fake_discord
    summary = parse_cadence("sun 18:00 Europe/Berlin")
    bot = await make_bot([group_config(fake.readings.id, summary=summary)])
    await run(fake, "organizer", "poll add", {"proposition": PROPOSITION})
    (before,) = poll_messages(fake, await post(fake, bot, clock, FIRST_SLOT))
    names = ["alice", "bob"] + [fake.add_member(f"voter{i}").username for i in range(3)]
    for name in names[:members]:
        await press(fake, name, before, "poll:1:before:agree")
    (after,) = poll_messages(fake, await post(fake, bot, clock, SECOND_SLOT))
    stances = ["agree", "unsure", "disagree", "disagree", "agree"]
    for name, stance in zip(names[:members], stances[:members], strict=True):
        await press(fake, name, after, f"poll:1:after:{stance}")
    await press(fake, "organizer", after, "poll:1:after:disagree")  # after only: 6 answers
    clock.set(SUMMARY_TIME)
    await summaries(bot).tick()
    (message,) = summary_messages(fake)
    text = text_of(message)
    assert not any(name in text for name in ("Alice", "Bob", "voter"))  # counts only
    if members == 5:
        assert (
            "Where we stand\n*Socialism in one country was unavoidable in 1924*: before: 5 "
            "agree, 0 unsure, 0 disagree → after: 2 agree, 1 unsure, 3 disagree"
        ) in text
    else:
        assert "before: too few answers to show → after: 1 agree, 1 unsure, 3 disagree" in text


@pytest.mark.parametrize("organizer_first", [False, True])
async def test_a_prompt_file_poll_is_asked_unless_an_organizer_attached_one(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    prompts: Prompts,
    db: aiosqlite.Connection,
    organizer_first: bool,
) -> None:
    fake = fake_discord
    from_file = FilePoll("proletarian-internationalism", 1, "From the file", "prompts/pi.yaml", 2)
    bot = await make_bot(
        [group_config(fake.readings.id)], prompts=replace(prompts, polls=(from_file,))
    )
    if organizer_first:
        await run(fake, "organizer", "poll add", {"proposition": PROPOSITION})
    (asked,) = poll_messages(fake, await post(fake, bot, clock, FIRST_SLOT))
    expected = (PROPOSITION, fake.organizer.id) if organizer_first else ("From the file", None)
    assert expected[0] in asked.content
    assert await rows(db, "SELECT id, installment_key, proposition, created_by FROM polls") == [
        (1, "proletarian-internationalism:1-1", *expected)
    ]


async def test_a_proposition_never_pings(
    fake_discord: FakeDiscord, bot: ReadingGroupBot, clock: Clock
) -> None:
    fake = fake_discord
    hostile = f"@everyone <@{fake.bob.id}> <@&{fake.guild.id}> **was** right"
    await run(fake, "organizer", "poll add", {"proposition": hostile})
    (asked,) = poll_messages(fake, await post(fake, bot, clock, FIRST_SLOT))
    assert hostile in asked.content
    assert not asked.mention_everyone and not asked.mention_user_ids
    assert not asked.mention_role_ids
    listed = await run(fake, "alice", "poll list")
    assert not listed.mention_everyone and not listed.mention_user_ids
