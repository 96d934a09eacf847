"""/catchup end to end: the real bot against the fake Discord, time injected. What a member
missed since their last reply (or the last two weeks, and why), ephemeral, paged within
Discord's limits however many installments, with members' text escaped and nobody pinged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import aiosqlite
import pytest

from bot.client import ReadingGroupBot
from bot.core.replies import STAR, STUCK
from bot.discord.render.catchup import PAGE_LIMIT
from bot.storage.groups import claim_post, confirm_post, get_group
from bot.storage.replies import set_opted_out
from tests.discord import scheduling
from tests.discord.scheduling import FIRST_SLOT, Clock, MakeBot, group_config, tick
from tests.fakediscord import FakeDiscord, Message

clock, db, library, make_bot, prompts = (
    scheduling.clock,
    scheduling.db,
    scheduling.library,
    scheduling.make_bot,
    scheduling.prompts,
)

EPHEMERAL = 64
TUESDAY = dt.datetime(2027, 1, 5, 20, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2027, 1, 6, 12, 0, tzinfo=dt.UTC)


def text_of(embed: dict[str, Any]) -> str:
    parts = [embed.get("title", ""), embed.get("description", "")]
    parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


async def count(db: aiosqlite.Connection, query: str) -> int:
    async with db.execute(query) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


class Talked:
    """A group whose first installment was posted and discussed."""

    def __init__(self, bot: ReadingGroupBot, thread: Any, starred: Message) -> None:
        self.bot, self.thread, self.starred = bot, thread, starred


@pytest.fixture
async def talked(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection
) -> Talked:
    fake = fake_discord
    bot = await make_bot([group_config(fake.readings.id)])
    clock.set(FIRST_SLOT)
    await tick(bot)
    (thread,) = fake.threads("readings")
    await fake.wait_for(lambda: thread.id in bot.reply_log.threads, what="the thread logged")
    fake.add_member("carol")
    fake.add_member("dave")
    fake.post("carol", thread, "I was here first", at=FIRST_SLOT + dt.timedelta(minutes=5))
    # A member whose display name carries half of a surrogate pair (Discord's JSON allows it).
    odd = fake.state.add_user("odd", global_name="Ali\udc00ce")
    fake.state.add_member(fake.guild, odd)
    starred = fake.post(
        odd,
        thread,
        "Q1: see [the market](https://evil.example) @everyone <@&1> <@1> **bold**",
        at=TUESDAY,
    )
    fake.post("bob", thread, "I am not so sure", at=TUESDAY + dt.timedelta(hours=1))
    fake.react("bob", starred, STAR)
    fake.react("alice", starred, STUCK)

    async def logged() -> bool:
        return (
            await count(db, "SELECT count(*) FROM replies") == 3
            and await count(db, "SELECT count(*) FROM reactions") == 2
        )

    await fake.wait_for(logged, what="the replies and reactions logged")
    clock.set(LATER)
    return Talked(bot, thread, starred)


async def test_a_member_catches_up_since_their_last_reply_ephemerally(
    fake_discord: FakeDiscord, talked: Talked
) -> None:
    fake = fake_discord
    shown = await fake.slash("carol", "catchup", {}, channel=talked.thread).message()
    assert shown.flags & EPHEMERAL
    (embed,) = shown.embeds
    text = text_of(embed)
    assert "Since your last reply, <t:" in text
    guild, thread = fake.guild.id, talked.thread.id
    assert "[#1/" in text and f"](https://discord.com/channels/{guild}/{thread})" in text
    assert "3 replies in that time" in text
    # The highlight: the odd name shown (its half surrogate replaced), the text escaped.
    assert "**Ali\ufffdce**" in text
    assert "\\[the market\\](https://evil.example)" in text
    assert "\\*\\*bold\\*\\*" in text
    assert "❓ 1 · " in text
    assert "Next" in text and "#2 " in text
    fake.assert_no_pings()


async def test_a_member_who_never_took_part_or_opted_out_gets_two_weeks_and_why(
    fake_discord: FakeDiscord, talked: Talked, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    never = await fake.slash("dave", "catchup", {}, channel="readings").message()
    assert "I have no reply of yours in this group" in never.embeds[0]["description"]
    await set_opted_out(db, fake.user("carol").id, opted_out=True, now=LATER)
    talked.bot.reply_log.opted_out.add(fake.user("carol").id)
    hidden = await fake.slash("carol", "catchup", {}, channel="readings").message()
    description = hidden.embeds[0]["description"]
    assert "you opted out of the discussion log" in description
    assert "2 replies in that time" in description  # hers left out


@pytest.mark.parametrize(
    ("since", "message"),
    [
        ("last week", "is not a day or a duration"),
        ("2030-01-01", "is in the future"),
    ],
)
async def test_a_bad_since_is_explained(
    fake_discord: FakeDiscord, talked: Talked, since: str, message: str
) -> None:
    answer = await fake_discord.slash(
        "carol", "catchup", {"since": since}, channel="readings"
    ).message()
    assert answer.flags & EPHEMERAL and message in answer.content


async def test_outside_a_groups_channel_the_member_is_told_where(
    fake_discord: FakeDiscord, talked: Talked
) -> None:
    answer = await fake_discord.slash("carol", "catchup", {}, channel="general").message()
    assert "Run /catchup in a group's channel" in answer.content


async def test_two_hundred_installments_are_paged_within_discords_limits(
    fake_discord: FakeDiscord, talked: Talked, db: aiosqlite.Connection, clock: Clock
) -> None:
    fake = fake_discord
    group = await get_group(db, fake.readings.id)
    assert group is not None
    parts = talked.bot.plans.installments(group, talked.bot.library)
    start = LATER + dt.timedelta(hours=1)
    for number in range(2, 202):
        group = await get_group(db, fake.readings.id)  # each claim moves its progress
        assert group is not None
        slot = start + dt.timedelta(minutes=number)
        post = await claim_post(
            db,
            group,
            slot=slot,
            kind="manual",
            installment_key=parts[(number - 1) % len(parts)].key,
            number=number,
            total=len(parts),
            questions=[(f"q{number}", f"Question {number} [x](https://evil.example) " * 8)],
            now=slot,
        )
        assert post is not None
        await confirm_post(
            db, post.id, message_id=10**9 + number, thread_id=None, late=False, now=slot
        )
    clock.set(start + dt.timedelta(days=1))
    message = await fake.slash(
        "carol", "catchup", {"since": "2027-01-01"}, channel="readings"
    ).message()
    footer = message.embeds[0]["footer"]["text"]
    pages = int(footer.split(" of ")[1].split(" ")[0])
    assert pages > 5
    seen = [message.embeds[0]]
    for _ in range(pages - 1):
        turn = fake.click("carol", message, "page:next")
        seen.append((await turn.response()).data["embeds"][0])
        message = fake.message(message.id) or message
    text = "\n".join(embed["description"] for embed in seen)
    numbers = [int(line.split("/")[0][4:]) for line in text.splitlines() if line.startswith("**[#")]
    assert numbers == list(range(1, 202))  # every installment once, in order
    assert all(len(embed["description"]) <= PAGE_LIMIT for embed in seen)
    assert seen[-1]["footer"]["text"].startswith(f"Page {pages} of {pages}")
    assert "\\[x\\](https://evil.example)" in text
