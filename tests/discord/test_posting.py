"""Scheduled posts end to end: the real bot and its tick against the fake Discord, time injected."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import re
from pathlib import Path

import aiosqlite
import pytest

from bot.cli import main
from bot.core.content import load_groups_file
from bot.core.posting import parse_marker, post_marker
from bot.core.readings import Library
from bot.core.schedule import UTC, parse_cadence
from bot.storage.groups import claim_post, get_group, list_groups, posts_of, save_group
from tests.core.conftest import make_reading
from tests.discord.botprocess import BotProcess, stored_posts
from tests.discord.botprocess import bot_process as bot_process
from tests.discord.scheduling import (
    FIRST_SLOT,
    ROOT,
    Clock,
    MakeBot,
    as_text,
    clock,
    db,
    first_parts,
    footer,
    group_config,
    library,
    make_bot,
    post_messages,
    prompts,
    tick,
)
from tests.fakediscord import DiscordError, FakeDiscord
from tests.fakediscord.rest import Call

__all__ = ["clock", "db", "library", "make_bot", "prompts"]  # fixtures used by name


async def claim_first_slot(db: aiosqlite.Connection, channel_id: int, key: str) -> None:
    """Claim the first slot as the bot would just before a crash, with one question."""
    group = await get_group(db, channel_id)
    assert group is not None
    post = await claim_post(
        db,
        group,
        slot=FIRST_SLOT,
        kind="scheduled",
        installment_key=key,
        number=1,
        total=30,
        questions=[("q", "A question?")],
        now=FIRST_SLOT,
    )
    assert post is not None


async def test_a_due_slot_makes_exactly_one_post_with_its_thread(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    bot = await make_bot([group_config(fake.readings.id)])
    await tick(bot)
    assert post_messages(fake, "readings") == []  # an hour before the slot
    clock.set(FIRST_SLOT + dt.timedelta(seconds=30))
    await tick(bot)
    await tick(bot)
    (post,) = post_messages(fake, "readings")
    assert post.content == ""  # nobody pinged, not late
    group = await get_group(db, fake.readings.id)
    assert group is not None
    installments = bot.plans.installments(group, bot.library)
    part = installments[0]
    reading = bot.library[part.slug]
    first = post.embeds[0]
    assert first["title"] == f"{reading.title} §{part.first}" + (
        f"-{part.last}" if part.last != part.first else ""
    )
    assert first["author"]["name"] == reading.author
    assert first["description"].startswith("**§1** ")
    assert post.embeds[-1]["title"] == "Discussion questions"
    questions = re.findall(r"\*\*(\d)\.\*\* ", post.embeds[-1]["description"])
    assert questions == ["1", "2", "3"]
    assert footer(post).endswith(
        f"installment 1 of {len(installments)} · rg:{fake.readings.id}:2027-01-04T18:00:00Z"
    )
    assert parse_marker(footer(post)) == (fake.readings.id, FIRST_SLOT, 1)
    (thread,) = fake.threads("readings")
    assert thread.id == post.id
    assert thread.name == first["title"]
    (asked,) = fake.bot_messages(thread)
    for number in ("1", "2", "3"):
        assert f"**{number}.** " in asked.content
    (stored,) = await posts_of(db, fake.readings.id)
    assert (stored.message_id, stored.thread_id) == (post.id, thread.id)
    assert stored.posted_at == clock.now


async def test_the_next_slot_posts_the_next_installment_with_new_questions(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock
) -> None:
    fake = fake_discord
    bot = await make_bot([group_config(fake.readings.id)])
    clock.set(FIRST_SLOT)
    await tick(bot)
    clock.set(FIRST_SLOT + dt.timedelta(days=3))  # Thursday 19:00
    await tick(bot)
    first, second = first_parts(fake, "readings")
    assert "installment 1 of" in footer(first)
    assert "installment 2 of" in footer(second)
    assert first.embeds[0]["title"].endswith(" §1")
    assert second.embeds[0]["title"].endswith(" §2.1-2.21")  # §2 is over the target: cut
    asked = [m.content for t in fake.threads("readings") for m in fake.bot_messages(t)]
    lines = [line for text in asked for line in text.splitlines() if line.startswith("**")]
    questions = [line.split(" ", 1)[1] for line in lines if re.match(r"\*\*\d\.\*\*", line)]
    assert len(questions) == 6
    assert len(set(questions)) == 6


async def test_after_downtime_one_late_post_then_the_schedule_goes_on(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock
) -> None:
    fake = fake_discord
    bot = await make_bot([group_config(fake.readings.id)])
    clock.set(FIRST_SLOT)
    await tick(bot)
    # Down from Monday evening to the next Tuesday: Thursday's and Monday's slots passed.
    clock.set(FIRST_SLOT + dt.timedelta(days=8))
    await tick(bot)
    await tick(bot)
    _, late = first_parts(fake, "readings")
    assert "installment 2 of" in footer(late)  # nothing skipped in the plan
    assert late.content.startswith("Posted late: this installment was due Mon 11 Jan 2027 19:00")
    clock.set(FIRST_SLOT + dt.timedelta(days=10))  # Thursday 14 January, 19:00
    await tick(bot)
    *_, on_time = first_parts(fake, "readings")
    assert "installment 3 of" in footer(on_time)
    assert on_time.content == ""
    assert len(first_parts(fake, "readings")) == 3


async def test_the_ping_role_is_pinged_and_nobody_else(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock
) -> None:
    fake = fake_discord
    role = fake.add_role("Readers", mentionable=True)
    bot = await make_bot([group_config(fake.readings.id, ping_role_id=role.id)])
    fake.allow_pings(roles=[role.id])
    clock.set(FIRST_SLOT)
    await tick(bot)
    (post,) = post_messages(fake, "readings")
    assert post.content == f"<@&{role.id}>"
    (record,) = [s for s in fake.sent if s.message_id == post.id]
    assert record.pings.roles == {role.id}
    assert not record.pings.users and not record.pings.everyone
    assert record.allowed_mentions is not None
    assert record.allowed_mentions.get("parse") == []
    others = [s for s in fake.sent if s.message_id != post.id]
    assert others and not any(s.pings for s in others)


async def test_a_long_excerpt_is_split_within_every_limit_and_nothing_is_lost(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock
) -> None:
    fake = fake_discord
    # About 12,000 characters: several messages, within one installment's cap (a longer
    # paragraph is cut into pieces: tests/faults/test_limits.py). Under the largest target the
    # paragraph is one installment; the closing paragraph, in the next reading, is not in it.
    sentences = [f"Sentence number {n} says something about the long argument." for n in range(200)]
    paragraph = " ".join(sentences)
    reading = make_reading("long", "A Very Long Reading", [paragraph], author="Someone")
    after = make_reading("after", "After", ["A short closing paragraph."])
    bot = await make_bot(
        [group_config(fake.readings.id, readings=("long", "after"), word_target=10_000)],
        library=Library((reading, after)),
    )
    clock.set(FIRST_SLOT)
    await tick(bot)
    messages = post_messages(fake, "readings")
    assert len(messages) >= 2  # more than 6000 characters: several messages
    assert [parse_marker(footer(m))[2] for m in messages] == list(  # type: ignore[index]
        range(1, len(messages) + 1)
    )
    texts = " ".join(e["description"] for m in messages for e in m.embeds)
    assert "**§1** " in texts
    for sentence in sentences:
        assert sentence in texts
    assert "short closing" not in texts  # the next installment
    (thread,) = fake.threads("readings")
    assert thread.id == messages[-1].id  # the thread hangs off the message with the questions
    assert all(f"part {i} of {len(messages)}" in footer(m) for i, m in enumerate(messages, 1))


async def test_an_unconfirmed_claim_whose_post_is_in_the_channel_is_not_posted_again(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    db: aiosqlite.Connection,
) -> None:
    fake = fake_discord
    bot = await make_bot([group_config(fake.readings.id)])
    clock.set(FIRST_SLOT)
    await claim_first_slot(db, fake.readings.id, "proletarian-internationalism:1-1")
    # The post went out before a crash, but its confirmation was never written.
    marker = post_marker(fake.readings.id, FIRST_SLOT)
    sent = fake.post(
        fake.bot, "readings", embeds=[{"description": "x", "footer": {"text": marker}}]
    )
    await tick(bot)
    assert post_messages(fake, "readings") == [fake.message(sent.id)]
    (thread,) = fake.threads("readings")
    assert thread.id == sent.id
    (asked,) = fake.bot_messages(thread)
    assert "A question?" in asked.content
    (stored,) = await posts_of(db, fake.readings.id)
    assert stored.message_id == sent.id and stored.posted_at is not None


async def test_an_unconfirmed_claim_not_in_the_channel_is_posted_once(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    db: aiosqlite.Connection,
) -> None:
    fake = fake_discord
    bot = await make_bot([group_config(fake.readings.id)])
    await claim_first_slot(db, fake.readings.id, "proletarian-internationalism:1-4")
    clock.set(FIRST_SLOT + dt.timedelta(minutes=2))
    await tick(bot)
    await tick(bot)
    (message,) = first_parts(fake, "readings")
    assert message.embeds[0]["title"].endswith("§1-4")
    assert "installment 1 of 30" in footer(post_messages(fake, "readings")[-1])
    assert message.content == ""  # two minutes after the slot is on time
    assert len(fake.threads("readings")) == 1


@pytest.mark.parametrize("channel", ["no_send", "no_threads"])
async def test_a_missing_permission_is_told_once_and_not_retried(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    db: aiosqlite.Connection,
    channel: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = fake_discord
    target = getattr(fake, channel)
    bot = await make_bot([group_config(target.id)])
    clock.set(FIRST_SLOT)
    with caplog.at_level(logging.WARNING, logger="bot.discord.poster"):
        await tick(bot)
        clock.advance(minutes=5)
        await tick(bot)
        clock.set(FIRST_SLOT + dt.timedelta(days=3))
        await tick(bot)
    assert fake.bot_messages(target) == []
    assert fake.threads(target) == []
    dm = fake.dm_channel(fake.owner)  # groups.yaml names no organizer: the server owner
    await fake.wait_for(lambda: fake.bot_messages(dm), what="the DM")
    (told,) = fake.bot_messages(dm)
    needed = "Send Messages" if channel == "no_send" else "Create Public Threads"
    assert needed in told.content
    assert f"<#{target.id}>" in told.content and "/plan resume" in told.content
    assert [r for r in caplog.records if "blocked" in r.getMessage()] != []
    assert len([r for r in caplog.records if "blocked" in r.getMessage()]) == 1
    group = await get_group(db, target.id)
    assert group is not None and group.blocked is not None and needed in group.blocked
    assert await posts_of(db, target.id) == []  # nothing claimed: the slot posts once fixed
    posts = fake.requests_to("POST", "/channels/{channel_id}/messages")
    assert [p for p in posts if p.path.startswith(f"/channels/{target.id}/")] == []


async def test_one_broken_group_does_not_stop_the_others(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    db: aiosqlite.Connection,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = fake_discord
    bot = await make_bot([group_config(fake.readings.id)])
    broken = dataclasses.replace(
        (await list_groups(db))[0], channel_id=fake.general.id, readings=("lost-reading",)
    )
    await save_group(db, broken, now=clock.now)
    clock.set(FIRST_SLOT)
    with caplog.at_level(logging.ERROR, logger="bot.cogs.scheduler"):
        await tick(bot)
        await tick(bot)
    assert len(first_parts(fake, "readings")) == 1
    assert post_messages(fake, "general") == []
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1  # logged once, not at every tick
    assert "lost-reading" in errors[0]


async def test_the_loop_runs_by_itself_once_ready(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock
) -> None:
    fake = fake_discord
    clock.set(FIRST_SLOT)
    await make_bot([group_config(fake.readings.id)], tick_seconds=0.05)
    await fake.wait_for(lambda: first_parts(fake, "readings"), what="the scheduled post")
    await fake.wait_for(lambda: fake.threads("readings"), what="its thread")
    assert len(first_parts(fake, "readings")) == 1


@pytest.mark.parametrize(
    ("schedule", "day", "expected"),
    [
        # Europe/Berlin springs forward on 28 March 2027: 02:30 does not exist that night; the
        # post goes out at 03:00 local (01:00 UTC), once.
        ("sun 02:30 Europe/Berlin", dt.date(2027, 3, 28), dt.datetime(2027, 3, 28, 1, 0)),
        # New York falls back on 7 November 2027: 01:30 happens twice; posted at the first.
        ("sun 01:30 America/New_York", dt.date(2027, 11, 7), dt.datetime(2027, 11, 7, 5, 30)),
    ],
)
async def test_a_dst_night_neither_skips_nor_doubles_the_post(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    schedule: str,
    day: dt.date,
    expected: dt.datetime,
) -> None:
    fake = fake_discord
    bot = await make_bot(
        [group_config(fake.readings.id, cadence=parse_cadence(schedule), start=day)]
    )
    clock.set(dt.datetime.combine(day, dt.time(0), tzinfo=UTC) - dt.timedelta(hours=6))
    for _ in range(24 * 4):  # the whole night, every quarter of an hour
        clock.advance(minutes=15)
        await tick(bot)
    (post,) = first_parts(fake, "readings")
    assert parse_marker(footer(post)) == (fake.readings.id, expected.replace(tzinfo=UTC), 1)
    assert post.content == ""  # on time


async def test_the_cli_preview_is_exactly_what_is_sent(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake = fake_discord
    groups_file = tmp_path / "groups.yaml"
    groups_file.write_text(
        f"groups:\n  - name: readers\n    channel_id: {fake.readings.id}\n"
        "    schedule: 'mon,thu 19:00 Europe/Berlin'\n    start: 2099-01-05\n"
    )
    for name, value in {
        "DATABASE_PATH": tmp_path / "bot.sqlite3",
        "GROUPS_FILE": groups_file,
        "READINGS_DIR": ROOT / "readings",
        "PROMPTS_DIR": ROOT / "prompts",
    }.items():
        monkeypatch.setenv(name, str(value))
    (config,) = load_groups_file(groups_file)
    bot = await make_bot([config])
    code = await asyncio.to_thread(
        main, ["--env-file", str(tmp_path / "none"), "preview", "--group", "readers"]
    )
    assert code == 0
    preview = capsys.readouterr().out
    header, rest = preview.split("\n", 1)
    # 24: the shipped paragraphs longer than 600 words are cut between sentences.
    assert header == "=== readers: post 1 of 24, Mon 5 Jan 2099 19:00 (Europe/Berlin) ==="
    sent_text, thread_text = rest.rstrip("\n").split("\n\n[thread] ")
    clock.set(dt.datetime(2099, 1, 5, 18, 0, tzinfo=UTC))
    await tick(bot)
    assert as_text(post_messages(fake, "readings")) == sent_text
    (thread,) = fake.threads("readings")
    name, *questions = thread_text.split("\n", 1)
    assert thread.name == name
    assert [m.content for m in fake.bot_messages(thread)] == questions


# Exactly once across a real crash: the bot runs in its own process and is SIGKILLed.


class Stall:
    """Holds the first ``POST /channels/{readings}/messages`` the bot makes.

    ``created=False``: held before Discord creates the message (the bot dies with its post
    unsent). ``created=True``: the message is created, but the answer is held (the bot dies not
    knowing it was posted, so it cannot confirm it).
    """

    def __init__(self, fake: FakeDiscord, channel_id: int, *, created: bool) -> None:
        self.route = next(
            r
            for r in fake.rest.routes
            if (r.method, r.template) == ("POST", "/channels/{channel_id}/messages")
        )
        self.original = self.route.handler
        self.channel_id = str(channel_id)
        self.created = created
        self.armed = True
        self.held = asyncio.Event()
        self.released = asyncio.Event()
        self.route.handler = self.handle

    async def handle(self, call: Call) -> object:
        if not self.armed or call.params.get("channel_id") != self.channel_id:
            return await self.original(call)
        self.armed = False
        if self.created:
            await self.original(call)
        self.held.set()
        await self.released.wait()
        raise DiscordError(503, 0, "the client is gone")

    def release(self) -> None:
        self.route.handler = self.original
        self.released.set()


@pytest.mark.slow
@pytest.mark.parametrize("created", [False, True], ids=["before-discord-has-it", "after"])
async def test_a_kill_between_claim_and_confirmation_then_a_restart_posts_exactly_once(
    fake_discord: FakeDiscord, bot_process: BotProcess, tmp_path: Path, created: bool
) -> None:
    fake = fake_discord
    database = tmp_path / "bot.sqlite3"
    stall = Stall(fake, fake.readings.id, created=created)
    try:
        await bot_process.start()
        await fake.wait_for(stall.held.is_set, timeout=20, what="the bot's post request")
        assert stored_posts(database) == [(None, None)]  # claimed, and not confirmed
        await bot_process.kill()
    finally:
        stall.release()
    assert len(post_messages(fake, "readings")) == (1 if created else 0)
    assert fake.threads("readings") == []

    await bot_process.start()
    await fake.wait_for(
        lambda: stored_posts(database)[0][1] is not None, timeout=20, what="the confirmation"
    )
    await fake.wait_for(lambda: fake.threads("readings"), what="the thread")
    (thread,) = fake.threads("readings")
    await fake.wait_for(lambda: fake.bot_messages(thread), what="the questions")
    assert await bot_process.stop() == 0

    (post,) = first_parts(fake, "readings")
    assert len(post_messages(fake, "readings")) == 1
    assert stored_posts(database)[0][0] == post.id == thread.id
    (questions,) = fake.bot_messages(thread)
    assert "**1.** " in questions.content
    log = (tmp_path / "bot.log").read_text()
    assert "reconciling unconfirmed post of slot 2027-01-04 18:00:00+00:00" in log
    assert "Traceback" not in log.split("reconciling", 1)[1]


async def test_an_unconfirmed_post_is_found_behind_a_busy_channel(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    bot = await make_bot([group_config(fake.readings.id)])
    clock.set(FIRST_SLOT)
    await tick(bot)
    group = await get_group(db, fake.readings.id)
    assert group is not None
    second = bot.plans.installments(group, bot.library)[1]
    slot = FIRST_SLOT + dt.timedelta(days=3)  # Thursday, 19:00 in Berlin
    claimed = await claim_post(
        db,
        group,
        slot=slot,
        kind="scheduled",
        installment_key=second.key,
        number=2,
        total=30,
        questions=[("q2", "A second question?")],
        now=slot,
    )
    assert claimed is not None
    # The post went out before a crash; then the channel got busy: 150 messages after it.
    sent = fake.post(
        fake.bot,
        "readings",
        embeds=[{"description": "x", "footer": {"text": post_marker(fake.readings.id, slot)}}],
    )
    for n in range(150):
        fake.post("alice", "readings", f"chatter {n}")
    clock.set(slot + dt.timedelta(seconds=30))
    await tick(bot)
    assert [m.id for m in first_parts(fake, "readings")][-1] == sent.id
    assert len(first_parts(fake, "readings")) == 2
    (stored,) = [p for p in await posts_of(db, fake.readings.id) if p.id == claimed.id]
    assert stored.message_id == sent.id and stored.posted_at is not None
