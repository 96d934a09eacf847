"""The weekly summary end to end: the real bot and its summary tick against the fake Discord,
time injected; /summary as an organizer (preview, then the post button) and as a member."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, cast

import aiosqlite
import pytest

import bot.discord.chart
from bot.client import ReadingGroupBot
from bot.cogs.summary import Summaries
from bot.core.schedule import parse_cadence
from bot.core.summary import IsoWeek, parse_summary_marker, summary_marker
from bot.discord.render import SUMMARY_CHART_FILE
from bot.storage.summary_posts import claim_summary, summary_posts_of
from tests.discord import scheduling
from tests.discord.scheduling import FIRST_SLOT, Clock, MakeBot, group_config, tick
from tests.fakediscord import FakeDiscord, Message, Perm

# The scheduling fixtures this module uses, by name.
clock, db, library, make_bot, prompts = (
    scheduling.clock,
    scheduling.db,
    scheduling.library,
    scheduling.make_bot,
    scheduling.prompts,
)

WEEK = IsoWeek(2027, 1)  # Mon 4 - Sun 10 Jan 2027: the plan's first week
SUMMARY_TIME = dt.datetime(2027, 1, 10, 17, 0, tzinfo=dt.UTC)  # Sunday 18:00 in Berlin
PNG = b"\x89PNG\r\n\x1a\n"


def summaries(bot: ReadingGroupBot) -> Summaries:
    # discord.py loads extensions as modules of its own: compare by name, not by class.
    cog: Any = bot.get_cog("Summaries")
    assert type(cog).__name__ == "Summaries"
    return cast(Summaries, cog)


def summary_messages(fake: FakeDiscord, channel: Any = "readings") -> list[Message]:
    """The bot's summaries in ``channel`` (those with a summary marker), oldest first."""
    return [
        m
        for m in fake.bot_messages(channel)
        if any(parse_summary_marker((e.get("footer") or {}).get("text", "")) for e in m.embeds)
    ]


def text_of(message: Message) -> str:
    embed = message.embeds[0]
    parts = [embed.get("title", ""), embed.get("description", "")]
    parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


async def rows(db: aiosqlite.Connection, query: str) -> list[tuple[Any, ...]]:
    async with db.execute(query) as cursor:
        return [tuple(r) async for r in cursor]


class Week:
    """A bot whose group posted its first installment and talked about it during the week."""

    def __init__(self, bot: ReadingGroupBot, thread_id: int, starred: Message) -> None:
        self.bot, self.thread_id, self.starred = bot, thread_id, starred


async def start_week(
    fake: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    db: aiosqlite.Connection,
    env: dict[str, str] | None = None,
) -> Week:
    summary = parse_cadence("sun 18:00 Europe/Berlin")
    bot = await make_bot([group_config(fake.readings.id, summary=summary)], env=env)
    clock.set(FIRST_SLOT)
    await tick(bot)
    (thread,) = fake.threads("readings")
    await fake.wait_for(lambda: thread.id in bot.reply_log.threads, what="the thread logged")
    tuesday = dt.datetime(2027, 1, 5, 20, 0, tzinfo=dt.UTC)
    starred = fake.post("alice", thread, "Q1: the national market is the point", at=tuesday)
    fake.post("bob", thread, "I am not so sure", at=tuesday + dt.timedelta(hours=1))
    fake.react("bob", starred, "⭐")

    async def logged() -> bool:
        found = await rows(db, "SELECT count(*) FROM replies")
        marks = await rows(db, "SELECT count(*) FROM reactions")
        return found == [(2,)] and marks == [(1,)]

    await fake.wait_for(logged, what="the replies and the star logged")
    return Week(bot, thread.id, starred)


@pytest.fixture
async def week(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection
) -> Week:
    return await start_week(fake_discord, make_bot, clock, db)


async def test_the_summary_is_posted_once_at_its_time_with_its_chart(
    fake_discord: FakeDiscord, week: Week, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    clock.set(SUMMARY_TIME - dt.timedelta(minutes=1))
    await summaries(week.bot).tick()
    assert summary_messages(fake) == []
    clock.set(SUMMARY_TIME)
    await summaries(week.bot).tick()
    await summaries(week.bot).tick()
    clock.set(SUMMARY_TIME + dt.timedelta(hours=3))
    await summaries(week.bot).tick()
    (message,) = summary_messages(fake)
    embed = message.embeds[0]
    assert embed["title"] == "Weekly summary: readers · Week 2027-W01 · 4–10 Jan 2027"
    assert summary_marker(fake.readings.id, WEEK) in embed["footer"]["text"]
    assert message.content == ""  # on time: no "late" note
    text = text_of(message)
    assert "2 replies" in text and "2 participants" in text
    assert "Welcome to our new voices: Alice and Bob!" in text
    assert "the national market is the point" in text  # the starred reply, quoted
    assert f"/{week.thread_id}/{week.starred.id})" in text  # with its jump link
    # The chart went up as a multipart upload and the embed shows it.
    (attachment,) = message.attachments
    assert attachment.filename == SUMMARY_CHART_FILE and attachment.data.startswith(PNG)
    assert embed["image"]["url"].endswith(SUMMARY_CHART_FILE)
    (upload,) = [
        r
        for r in fake.requests_to("POST", "/channels/{channel_id}/messages")
        if r.files and r.path.startswith(f"/channels/{fake.readings.id}/")
    ]
    assert upload.files == [SUMMARY_CHART_FILE]  # one files[0] part: the PNG checked above
    assert upload.body["embeds"][0]["image"]["url"] == f"attachment://{SUMMARY_CHART_FILE}"
    (claim,) = await summary_posts_of(db, fake.readings.id)
    assert (claim.week, claim.message_id, claim.late) == (WEEK, message.id, False)


async def test_the_summary_loop_runs_by_itself_once_ready(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock
) -> None:
    clock.set(SUMMARY_TIME)
    summary = parse_cadence("sun 18:00 Europe/Berlin")
    running = await make_bot(
        [group_config(fake_discord.readings.id, summary=summary)], tick_seconds=0.05
    )
    await fake_discord.wait_for(lambda: summary_messages(fake_discord), what="the summary")
    loop = summaries(running).ticker
    after = loop.current_loop + 3
    await fake_discord.wait_for(lambda: loop.current_loop >= after, what="three more ticks")
    assert len(summary_messages(fake_discord)) == 1


async def test_a_restarted_bot_does_not_post_the_week_again(
    fake_discord: FakeDiscord,
    week: Week,
    make_bot: MakeBot,
    clock: Clock,
    db: aiosqlite.Connection,
) -> None:
    fake = fake_discord
    clock.set(SUMMARY_TIME)
    await summaries(week.bot).tick()
    await week.bot.close()
    summary = parse_cadence("sun 18:00 Europe/Berlin")
    again = await make_bot([group_config(fake.readings.id, summary=summary)])
    clock.set(SUMMARY_TIME + dt.timedelta(minutes=5))
    await summaries(again).tick()
    assert len(summary_messages(fake)) == 1
    assert len(await summary_posts_of(db, fake.readings.id)) == 1


async def test_an_unconfirmed_claim_whose_summary_is_in_the_channel_is_not_sent_again(
    fake_discord: FakeDiscord, week: Week, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    clock.set(SUMMARY_TIME)
    # Sent before a crash, but never confirmed.
    claim = await claim_summary(
        db, fake.readings.id, WEEK, slot=SUMMARY_TIME, kind="scheduled", now=SUMMARY_TIME
    )
    assert claim is not None
    footer = {"text": f"Times show in your own timezone · {summary_marker(fake.readings.id, WEEK)}"}
    sent = fake.post(fake.bot, "readings", embeds=[{"title": "Weekly summary", "footer": footer}])
    await summaries(week.bot).tick()
    await summaries(week.bot).tick()
    assert summary_messages(fake) == [fake.message(sent.id)]
    (stored,) = await summary_posts_of(db, fake.readings.id)
    assert stored.message_id == sent.id and stored.posted_at is not None


async def test_an_unconfirmed_claim_not_in_the_channel_is_sent_once(
    fake_discord: FakeDiscord, week: Week, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    clock.set(SUMMARY_TIME)
    claim = await claim_summary(
        db, fake.readings.id, WEEK, slot=SUMMARY_TIME, kind="scheduled", now=SUMMARY_TIME
    )
    assert claim is not None
    clock.set(SUMMARY_TIME + dt.timedelta(minutes=2))
    await summaries(week.bot).tick()
    await summaries(week.bot).tick()
    (message,) = summary_messages(fake)
    assert message.embeds[0]["title"].endswith("Week 2027-W01 · 4–10 Jan 2027")
    (stored,) = await summary_posts_of(db, fake.readings.id)
    assert stored.id == claim.id and stored.message_id == message.id


async def test_after_downtime_the_latest_missed_summary_is_posted_once_marked_late(
    fake_discord: FakeDiscord, week: Week, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    # Down from before Sunday's summary until the next Tuesday.
    clock.set(dt.datetime(2027, 1, 12, 9, 0, tzinfo=dt.UTC))
    await summaries(week.bot).tick()
    await summaries(week.bot).tick()
    (late,) = summary_messages(fake)
    assert "Week 2027-W01" in late.embeds[0]["title"]
    due = f"<t:{int(SUMMARY_TIME.timestamp())}:f>"
    assert late.content.startswith(f"Posted late: this summary was due {due}")
    # The schedule goes on: the next Sunday's summary is on time.
    clock.set(dt.datetime(2027, 1, 17, 17, 0, tzinfo=dt.UTC))
    await summaries(week.bot).tick()
    first, second = summary_messages(fake)
    assert first.id == late.id
    assert "Week 2027-W02" in second.embeds[0]["title"] and second.content == ""
    stored = await summary_posts_of(db, fake.readings.id)
    assert [(s.week, s.late) for s in stored] == [(WEEK, True), (WEEK.shift(1), False)]


async def test_after_weeks_of_downtime_only_the_latest_summary_is_posted(
    fake_discord: FakeDiscord, week: Week, clock: Clock, db: aiosqlite.Connection
) -> None:
    clock.set(dt.datetime(2027, 2, 2, 9, 0, tzinfo=dt.UTC))  # a Tuesday, four Sundays later
    await summaries(week.bot).tick()
    (message,) = summary_messages(fake_discord)
    assert "Week 2027-W04" in message.embeds[0]["title"]
    assert [s.week for s in await summary_posts_of(db, fake_discord.readings.id)] == [
        IsoWeek(2027, 4)
    ]


@pytest.mark.parametrize(
    ("env", "per_person"),
    [
        ({"SUMMARY_LEADERBOARD": "on"}, False),  # two members: under the minimum of five
        ({"SUMMARY_LEADERBOARD": "on", "SUMMARY_MIN_GROUP_SIZE": "2"}, True),
    ],
)
async def test_a_group_under_the_minimum_size_gets_no_per_person_figure(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    db: aiosqlite.Connection,
    env: dict[str, str],
    per_person: bool,
) -> None:
    week = await start_week(fake_discord, make_bot, clock, db, env=env)
    clock.set(SUMMARY_TIME)
    await summaries(week.bot).tick()
    (message,) = summary_messages(fake_discord)
    text = text_of(message)
    assert ("⭐ 1 · **Alice**" in text) is per_person
    assert ("Most replies: Alice (1 reply), Bob (1 reply)" in text) is per_person
    assert "⭐ **Alice**" in text or per_person


async def test_the_summary_goes_out_as_text_when_the_chart_fails(
    fake_discord: FakeDiscord,
    week: Week,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(data: object) -> bytes:
        raise RuntimeError("no fonts today")

    monkeypatch.setattr(bot.discord.chart, "render_chart", broken)
    clock.set(SUMMARY_TIME)
    with caplog.at_level(logging.ERROR, logger="bot.discord.chart"):
        await summaries(week.bot).tick()
    (message,) = summary_messages(fake_discord)
    assert message.attachments == []
    assert "image" not in message.embeds[0]
    assert "2 replies" in text_of(message)
    assert any("could not draw the summary chart" in r.getMessage() for r in caplog.records)


async def test_without_attach_files_the_summary_goes_out_as_text(
    fake_discord: FakeDiscord, week: Week, clock: Clock
) -> None:
    fake = fake_discord
    fake.set_permissions("readings", fake.bot, deny=Perm.ATTACH_FILES)

    def denied() -> bool:
        channel: Any = week.bot.get_channel(fake.readings.id)
        return not channel.permissions_for(channel.guild.me).attach_files

    await fake.wait_for(denied, what="the bot to see the new permissions")
    clock.set(SUMMARY_TIME)
    await summaries(week.bot).tick()
    (message,) = summary_messages(fake)
    assert message.attachments == [] and "image" not in message.embeds[0]


async def test_one_broken_group_does_not_stop_the_others(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = fake_discord
    summary = parse_cadence("sun 18:00 Europe/Berlin")
    broken = group_config(fake.no_send.id, summary=summary, name="silent")
    bot_ = await make_bot([broken, group_config(fake.readings.id, summary=summary)])
    clock.set(SUMMARY_TIME)
    with caplog.at_level(logging.ERROR, logger="bot.cogs.summary"):
        await summaries(bot_).tick()
        clock.advance(seconds=30)
        await summaries(bot_).tick()
    assert len(summary_messages(fake, "readings")) == 1
    assert fake.bot_messages(fake.no_send) == []
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "Send Messages" in errors[0]  # once, not at every tick


async def test_an_organizer_previews_the_week_then_posts_it(
    fake_discord: FakeDiscord, week: Week, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    clock.set(dt.datetime(2027, 1, 8, 12, 0, tzinfo=dt.UTC))  # Friday: the week is not over
    inter = fake.slash("organizer", "summary", {}, channel="readings")
    preview = await inter.message()
    assert preview.flags & 64  # ephemeral
    assert "Preview of the summary of 2027-W01" in preview.content
    assert "takes the place of its scheduled summary" in preview.content
    assert preview.embeds[0]["title"].endswith("Week 2027-W01 · 4–10 Jan 2027")
    (attachment,) = preview.attachments
    assert attachment.data.startswith(PNG)
    assert summary_messages(fake) == []  # nothing public yet
    (row,) = preview.components
    (button,) = row["components"]
    assert button["label"] == "Post in #readings"

    clicked = fake.click("organizer", preview, button["custom_id"])
    await clicked.response()
    await fake.wait_for(lambda: summary_messages(fake), what="the posted summary")
    (posted,) = summary_messages(fake)
    assert posted.embeds[0]["title"] == preview.embeds[0]["title"]
    assert posted.attachments[0].data == attachment.data
    await fake.wait_for(lambda: "Posted the summary" in preview.content, what="the preview edited")
    assert str(posted.id) in preview.content
    # Sunday's tick finds the week taken: it is posted once.
    clock.set(SUMMARY_TIME)
    await summaries(week.bot).tick()
    assert summary_messages(fake) == [posted]
    (claim,) = await summary_posts_of(db, fake.readings.id)
    assert (claim.kind, claim.message_id) == ("manual", posted.id)


async def test_an_organizer_previews_a_posted_week_without_a_button(
    fake_discord: FakeDiscord, week: Week, clock: Clock
) -> None:
    fake = fake_discord
    clock.set(SUMMARY_TIME)
    await summaries(week.bot).tick()
    (posted,) = summary_messages(fake)
    clock.set(dt.datetime(2027, 1, 20, 12, 0, tzinfo=dt.UTC))
    preview = await fake.slash(
        "organizer", "summary", {"week": "2027-01-06"}, channel="readings"
    ).message()
    assert preview.embeds[0]["title"].endswith("Week 2027-W01 · 4–10 Jan 2027")
    assert "posted already" in preview.content and str(posted.id) in preview.content
    assert preview.components == []


async def test_a_bad_week_is_explained(fake_discord: FakeDiscord, week: Week) -> None:
    asked = fake_discord.slash("organizer", "summary", {"week": "last week"}, channel="readings")
    answer = await asked.message()
    assert "'last week' is not a week" in answer.content and "2026-W47" in answer.content


async def test_a_member_sees_the_last_posted_summary(
    fake_discord: FakeDiscord, week: Week, clock: Clock
) -> None:
    fake = fake_discord
    before = await fake.slash("alice", "summary", {}, channel="readings").message()
    assert "No weekly summary has been posted in this channel" in before.content
    clock.set(SUMMARY_TIME)
    await summaries(week.bot).tick()
    (posted,) = summary_messages(fake)
    clock.set(dt.datetime(2027, 1, 12, 9, 0, tzinfo=dt.UTC))
    shown = await fake.slash("alice", "summary", {}, channel=week.thread_id).message()
    assert shown.flags & 64
    assert "The summary of 2027-W01" in shown.content and str(posted.id) in shown.content
    assert shown.embeds[0]["title"] == posted.embeds[0]["title"]
    assert shown.embeds[0]["description"] == posted.embeds[0]["description"]
    assert shown.embeds[0]["image"]["url"] == posted.attachments[0].url
    assert shown.components == []  # members cannot post
    # A member may ask for a week only if its summary was posted.
    other = await fake.slash("alice", "summary", {"week": "2027-W02"}, channel="readings").message()
    assert "No weekly summary of 2027-W02 was posted" in other.content
    assert "The last one is of 2027-W01" in other.content


async def test_an_unconfirmed_summary_is_found_behind_a_busy_channel(
    fake_discord: FakeDiscord, week: Week, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    clock.set(SUMMARY_TIME)
    await summaries(week.bot).tick()  # week 1's summary, confirmed
    following, due = WEEK.shift(1), SUMMARY_TIME + dt.timedelta(days=7)
    clock.set(due)
    claim = await claim_summary(
        db, fake.readings.id, following, slot=due, kind="scheduled", now=due
    )
    assert claim is not None
    # Sent before a crash, never confirmed; then 150 messages in the channel after it.
    footer = {
        "text": f"Times show in your own timezone · {summary_marker(fake.readings.id, following)}"
    }
    sent = fake.post(fake.bot, "readings", embeds=[{"title": "Weekly summary", "footer": footer}])
    for n in range(150):
        fake.post("alice", "readings", f"chatter {n}")
    await summaries(week.bot).tick()
    assert [m.id for m in summary_messages(fake)][-1] == sent.id
    assert len(summary_messages(fake)) == 2
    stored = {p.week: p for p in await summary_posts_of(db, fake.readings.id)}
    assert stored[following].message_id == sent.id and stored[following].posted_at is not None
