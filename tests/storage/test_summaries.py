"""The weekly summary's SQL on a real SQLite file: weeks across DST, opted-out members left out
of everything, reactions counted right, open questions, the small-group rule, and the claims
that post a week's summary once."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite
import pytest

from bot.core.excerpts import Installment
from bot.core.group import Group
from bot.core.replies import STAR, STUCK, ReactionAdd, ReactionRemove, Reply
from bot.core.schedule import UTC, parse_cadence
from bot.core.summary import (
    IsoWeek,
    Jump,
    SummarySettings,
    WeekData,
    WeeklySummary,
    answered_questions,
    count_reactions,
    question_numbers,
    summarize,
    summary_text,
    week_bounds,
)
from bot.storage.groups import claim_post, confirm_post, get_group, save_group
from bot.storage.replies import apply_events, set_opted_out
from bot.storage.summaries import read_week
from bot.storage.summary_posts import (
    claim_summary,
    confirm_summary,
    last_summary,
    pass_summary,
    summary_post,
    summary_posts_of,
    unconfirmed_summaries,
)

BERLIN = ZoneInfo("Europe/Berlin")
CHANNEL, GUILD = 100, 9
ALICE, BOB, CAROL, DAN, ERIN, EVE = 1, 2, 3, 4, 5, 6
NAMES = {ALICE: "Alice", BOB: "Bob", CAROL: "Carol", DAN: "Dan", ERIN: "Erin", EVE: "Eve"}
INSTALLMENTS = (
    Installment("a", 1, 3, 300),
    Installment("a", 4, 6, 300),
    Installment("a", 7, 9, 200),
    Installment("b", 1, 4, 500),
    Installment("b", 5, 8, 500),
)
WEEK = IsoWeek(2026, 47)  # Mon 16 - Sun 22 Nov 2026, Berlin is UTC+1
START, END = week_bounds(WEEK, BERLIN)
NOW = END - dt.timedelta(hours=6)  # Sunday 18:00 in Berlin: summary time


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


class World:
    """One group in a real database, with posts, replies and reactions made through the same
    storage functions the bot uses."""

    def __init__(self, db: aiosqlite.Connection, group: Group) -> None:
        self.db, self.group = db, group
        self.ids = itertools.count(10_000)
        self.posts: dict[int, tuple[int, int]] = {}  # number -> (post id, message id)

    async def post(self, number: int, at: dt.datetime, questions: Sequence[str] = ()) -> int:
        """Post installment ``number`` at ``at`` with its thread; returns the thread id."""
        group = await get_group(self.db, CHANNEL)
        assert group is not None
        claimed = await claim_post(
            self.db,
            group,
            slot=at,
            kind="scheduled",
            installment_key=INSTALLMENTS[number - 1].key,
            number=number,
            total=len(INSTALLMENTS),
            questions=[(f"q{number}-{i}", text) for i, text in enumerate(questions, 1)],
            now=at,
        )
        assert claimed is not None
        message = next(self.ids)
        await confirm_post(
            self.db, claimed.id, message_id=message, thread_id=message, late=False, now=at
        )
        self.posts[number] = (claimed.id, message)
        return message

    async def reply(
        self, author: int, at: dt.datetime, text: str = "a reply", *, number: int = 1
    ) -> int:
        post_id, thread = self.posts[number]
        message = next(self.ids)
        reply = Reply(
            message, thread, CHANNEL, GUILD, post_id, author, NAMES[author], text, at, words=3
        )
        await apply_events(self.db, [reply])
        return message

    async def react(self, user: int, message: int, emoji: str) -> None:
        await apply_events(self.db, [ReactionAdd(message, CHANNEL, user, emoji, NOW)])

    def post_message(self, number: int) -> int:
        return self.posts[number][1]


@pytest.fixture
async def world(db: aiosqlite.Connection) -> World:
    group = Group(
        channel_id=CHANNEL,
        name="readers",
        readings=("a", "b"),
        cadence=parse_cadence("mon,thu 19:00 Europe/Berlin"),
        start=utc(2026, 1, 1),
        summary=parse_cadence("sun 18:00 Europe/Berlin"),
    )
    await save_group(db, group, now=group.start)
    stored = await get_group(db, CHANNEL)
    assert stored is not None
    return World(db, stored)


async def read(world: World, week: IsoWeek, **options: Any) -> WeekData:
    """The week as the bot reads it."""
    return await read_week(world.db, world.group, week, names=question_numbers, **options)


async def summary_of(world: World, week: IsoWeek = WEEK, **settings: Any) -> WeeklySummary:
    """Read the week from the database, then compute its summary, as the bot does."""
    group = await get_group(world.db, CHANNEL)
    assert group is not None
    chosen = SummarySettings(**settings)
    data = await read_week(
        world.db,
        group,
        week,
        names=question_numbers,
        guild_id=GUILD,
        min_group_size=chosen.min_group_size,
    )
    return summarize(data, week, installments=INSTALLMENTS, now=NOW, settings=chosen)


# --- weeks --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "week"),
    [
        # Autumn: Berlin goes from UTC+2 to UTC+1 on Sunday 25 Oct 2026; W43 lasts 169 hours.
        (utc(2026, 10, 18, 21, 59, 59), IsoWeek(2026, 42)),  # Sun 23:59:59 CEST
        (utc(2026, 10, 18, 22, 0), IsoWeek(2026, 43)),  # Mon 00:00 CEST
        (utc(2026, 10, 25, 0, 30), IsoWeek(2026, 43)),  # Sun 02:30 CEST, before the change
        (utc(2026, 10, 25, 1, 30), IsoWeek(2026, 43)),  # Sun 02:30 CET, the hour again
        (utc(2026, 10, 25, 22, 59, 59), IsoWeek(2026, 43)),  # Sun 23:59:59 CET
        (utc(2026, 10, 25, 23, 0), IsoWeek(2026, 44)),  # Mon 00:00 CET
        # Spring: UTC+1 to UTC+2 on Sunday 29 Mar 2026; W13 lasts 167 hours.
        (utc(2026, 3, 22, 22, 59, 59), IsoWeek(2026, 12)),  # Sun 23:59:59 CET
        (utc(2026, 3, 22, 23, 0), IsoWeek(2026, 13)),  # Mon 00:00 CET
        (utc(2026, 3, 29, 21, 59, 59), IsoWeek(2026, 13)),  # Sun 23:59:59 CEST
        (utc(2026, 3, 29, 22, 0), IsoWeek(2026, 14)),  # Mon 00:00 CEST
    ],
)
async def test_a_reply_belongs_to_its_local_week_and_day_across_dst(
    world: World, instant: dt.datetime, week: IsoWeek
) -> None:
    await world.post(1, instant - dt.timedelta(days=10))
    message = await world.reply(ALICE, instant)
    for shown in (week.shift(-1), week, week.shift(1)):
        data = await read(world, shown)
        ids = [reply.message_id for reply in data.replies]
        assert ids == ([message] if shown == week else [])
    # The chart counts it on its local day.
    data = await read(world, week, weeks=1)
    ((day_start, count),) = data.reply_times
    assert count == 1
    assert day_start.astimezone(BERLIN).date() == instant.astimezone(BERLIN).date()
    assert day_start.astimezone(BERLIN).time() == dt.time(0)


async def test_an_empty_week_reads_nothing_and_counts_zero(world: World) -> None:
    await world.post(1, START - dt.timedelta(days=8))
    await world.reply(ALICE, START - dt.timedelta(days=7))
    data = await read(world, WEEK)
    assert data.replies == ()
    assert data.reply_times != ()  # the earlier reply is in the chart's weeks
    assert (data.previous.replies, data.previous.participants) == (1, 1)
    weekly = await summary_of(world)
    assert weekly.summary.participation.counts.replies == 0
    assert sum(weekly.chart.replies) == 1


@pytest.mark.parametrize(
    ("week", "compared"), [(IsoWeek(2026, 1), False), (IsoWeek(2026, 2), True)]
)
async def test_the_plans_first_week_has_no_week_before_to_compare_with(
    world: World, week: IsoWeek, compared: bool
) -> None:
    # The plan starts on Thursday 1 Jan 2026, in week 2026-W01.
    data = await read(world, week)
    assert (data.previous is not None) is compared


# --- opted-out members --------------------------------------------------------------------------


async def test_opted_out_members_are_left_out_of_everything(world: World) -> None:
    earlier = await world.post(1, START - dt.timedelta(days=6), ["First?", "Second?", "Third?"])
    await world.post(2, START + dt.timedelta(hours=19), ["Only question?"])
    assert earlier
    # Eve writes and reacts, then opts out: what was logged before stays in the database.
    await world.reply(EVE, START - dt.timedelta(days=2), "Q1: an early answer")
    eve = await world.reply(EVE, START + dt.timedelta(days=1), "Q2 is about Eve's theory", number=1)
    await world.reply(EVE, START + dt.timedelta(days=1, hours=1), "I answer this", number=2)
    alice = await world.reply(ALICE, START + dt.timedelta(days=2), "A fine point", number=1)
    bob = await world.reply(BOB, START + dt.timedelta(days=2, hours=1), "Hmm", number=1)
    await world.react(EVE, alice, STAR)
    await world.react(BOB, alice, STAR)
    await world.react(ALICE, eve, STAR)
    await world.react(BOB, eve, STAR)
    await world.react(EVE, bob, STUCK)
    await world.react(EVE, world.post_message(2), STUCK)
    await set_opted_out(world.db, EVE, opted_out=True, now=START)

    data = await read(world, WEEK)
    assert [r.author_id for r in data.replies] == [ALICE, BOB]
    assert {(r.message_id, r.user_id) for r in data.reactions} == {(alice, BOB)}
    replies = count_reactions(data.replies, data.reactions, data.opted_out)
    assert {r.message_id: r.stars for r in replies} == {alice: 1, bob: 0}
    assert {r.message_id: r.stuck for r in replies} == {alice: 0, bob: 0}
    assert [p.stuck for p in data.posts] == [0, 0]
    assert data.previous.replies == 0 and data.previous.participants == 0
    assert sum(count for _, count in data.reply_times) == 2
    assert EVE not in data.earlier_authors
    # Only Eve had answered them.
    assert all(not q.answered for q in answered_questions(data.questions, data.answers))
    weekly = await summary_of(world, leaderboard=True, min_group_size=1)
    text = summary_text(weekly.summary)
    assert "Eve" not in text
    assert weekly.summary.participation.new_voices == ("Alice", "Bob")
    assert [h.author for h in weekly.summary.highlights] == ["Alice"]
    assert {name for name, _ in weekly.summary.participation.leaderboard} == {"Alice", "Bob"}
    assert weekly.summary.participation.counts.participants == 2
    assert len(weekly.summary.questions) == 4


# --- reactions ----------------------------------------------------------------------------------


async def test_reactions_are_counted_once_per_member_and_never_a_star_of_ones_own(
    world: World,
) -> None:
    await world.post(1, START + dt.timedelta(hours=19))
    reply = await world.reply(ALICE, START + dt.timedelta(days=1), "Quotable")
    other = await world.reply(BOB, START + dt.timedelta(days=1, hours=1), "Also here")
    for user, emoji in [
        (BOB, STAR),
        (CAROL, STAR),
        (ALICE, STAR),  # her own reply: not a highlight vote
        (DAN, STAR + "\ufe0f"),  # the same star with a variation selector
        (ERIN, "👍"),
        (ALICE, STUCK),  # her own ❓ counts: she is stuck there
        (BOB, STUCK),
        (BOB, STUCK),  # twice is once
    ]:
        await world.react(user, reply, emoji)
    await world.react(CAROL, world.post_message(1), STUCK)
    await world.react(DAN, world.post_message(1), STUCK)
    await world.react(DAN, world.post_message(1), STAR)

    data = await read(world, WEEK)
    replies = count_reactions(data.replies, data.reactions, data.opted_out)
    counts = {r.message_id: (r.stars, r.stuck) for r in replies}
    assert counts == {reply: (3, 2), other: (0, 0)}
    assert [p.stuck for p in data.posts] == [2]
    marked = next(r for r in replies if r.message_id == reply)
    assert marked.content == "Quotable"
    assert marked.jump == Jump(GUILD, world.post_message(1), reply)

    await apply_events(world.db, [ReactionRemove(reply, CAROL, STAR)])
    data = await read(world, WEEK)
    replies = count_reactions(data.replies, data.reactions, data.opted_out)
    assert {r.message_id: r.stars for r in replies}[reply] == 2


# --- questions ----------------------------------------------------------------------------------


async def test_a_question_is_open_until_a_reply_names_it_or_answers_a_single_question(
    world: World,
) -> None:
    await world.post(1, START - dt.timedelta(days=6), ["First?", "Second?", "Third?"])
    await world.post(2, START + dt.timedelta(hours=19), ["Only?"])
    await world.post(3, START + dt.timedelta(days=3, hours=19), ["Unread?"])
    await world.reply(ALICE, START - dt.timedelta(days=5), "Q2: because", number=1)
    await world.reply(BOB, START + dt.timedelta(days=1), "no number here", number=1)
    await world.reply(BOB, START + dt.timedelta(days=2), "an answer", number=2)
    await world.reply(CAROL, END + dt.timedelta(hours=1), "3. too late", number=1)
    data = await read(world, WEEK)
    questions = answered_questions(data.questions, data.answers)
    state = {(q.installment, q.position): q.answered for q in questions}
    assert state == {
        (1, 1): False,
        (1, 2): True,
        (1, 3): False,  # answered only after the week ended
        (2, 1): True,
        (3, 1): False,
    }
    # Questions older than the chart's weeks are no longer carried.
    later = await read(world, WEEK.shift(4))
    assert later.questions == ()


async def test_a_threads_replies_are_read_only_until_every_question_is_named(
    world: World,
) -> None:
    await world.post(1, START + dt.timedelta(hours=19), ["First?", "Second?", "Third?"])
    for hour, text in enumerate(["Q1: yes", "no digit", "Q2 and #3", "Q1 again", "3. late"], 1):
        await world.reply(ALICE, START + dt.timedelta(days=1, hours=hour), text)
    data = await read(world, WEEK)
    assert [answers.texts for answers in data.answers] == [("Q1: yes", "Q2 and #3")]
    questions = answered_questions(data.questions, data.answers)
    assert [q.answered for q in questions] == [True, True, True]


# --- the minimum group size ---------------------------------------------------------------------


@pytest.mark.parametrize(("earlier", "per_person"), [((), False), ((CAROL, DAN, ERIN), True)])
async def test_per_person_figures_need_a_group_of_the_minimum_size(
    world: World, earlier: tuple[int, ...], per_person: bool
) -> None:
    await world.post(1, START - dt.timedelta(days=13))
    for day, author in enumerate(earlier):  # took part in the weeks before this one
        await world.reply(author, START - dt.timedelta(days=10 - day))
    reply = await world.reply(ALICE, START + dt.timedelta(days=1), "A starred thought")
    await world.reply(BOB, START + dt.timedelta(days=2))
    await world.react(BOB, reply, STAR)
    data = await read(world, WEEK)
    assert data.group_size == 2 + len(earlier)
    summary = (await summary_of(world, leaderboard=True)).summary
    assert summary.participation.per_person is per_person
    (highlight,) = summary.highlights
    assert highlight.stars == (1 if per_person else None)
    assert bool(summary.participation.leaderboard) is per_person
    # The week's participants alone can make the group: then nothing more is counted.
    big = await read(world, WEEK, min_group_size=2)
    assert big.group_size is None


# --- claims -------------------------------------------------------------------------------------


async def test_a_week_is_claimed_once_then_confirmed(world: World) -> None:
    slot = END - dt.timedelta(hours=6)
    claimed = await claim_summary(world.db, CHANNEL, WEEK, slot=slot, kind="scheduled", now=slot)
    assert claimed is not None and not claimed.confirmed
    for kind in ("scheduled", "manual"):
        again = await claim_summary(world.db, CHANNEL, WEEK, slot=slot, kind=kind, now=slot)
        assert again is None
    assert [c.id for c in await unconfirmed_summaries(world.db, CHANNEL)] == [claimed.id]
    assert await last_summary(world.db, CHANNEL) is None
    await confirm_summary(world.db, claimed.id, message_id=77, late=True, now=slot)
    assert await unconfirmed_summaries(world.db, CHANNEL) == []
    posted = await last_summary(world.db, CHANNEL)
    assert posted is not None
    assert (posted.week, posted.message_id, posted.late, posted.kind) == (
        WEEK,
        77,
        True,
        "scheduled",
    )
    assert await summary_post(world.db, CHANNEL, WEEK) == posted


async def test_a_passed_week_is_claimed_but_never_the_last_posted(world: World) -> None:
    slot = END - dt.timedelta(hours=6)
    first = await claim_summary(world.db, CHANNEL, WEEK, slot=slot, kind="manual", now=slot)
    assert first is not None
    await confirm_summary(world.db, first.id, message_id=5, late=False, now=slot)
    later = WEEK.shift(1)
    passed = await pass_summary(world.db, CHANNEL, later, slot=slot, reason="quiet", now=slot)
    assert passed
    assert not await pass_summary(world.db, CHANNEL, later, slot=slot, reason="quiet", now=slot)
    assert await claim_summary(world.db, CHANNEL, later, slot=slot, kind="manual", now=slot) is None
    last = await last_summary(world.db, CHANNEL)
    assert last is not None and last.week == WEEK
    assert [(c.week, c.passed) for c in await summary_posts_of(world.db, CHANNEL)] == [
        (WEEK, None),
        (later, "quiet"),
    ]
