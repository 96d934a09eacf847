"""Weekly summaries: the SQL that feeds the summary and its chart, and the claims that post a
week's summary exactly once (tables of migration 0004).

:func:`read_week` reads what :func:`bot.core.summary.compute_summary` and
:func:`~bot.core.summary.chart_data` need for one group and week with a handful of range
queries on ``replies (group_channel_id, created_at, ...)``: the week's replies and their ⭐ and
❓ reactions (the text only of the replies that have some), counts aggregated in SQL for the
week before and for each day of the chart (index-only range counts), and one index seek per
author for "new voices". :func:`build_summary` adds the plan's state and computes both.

Opted-out members are left out of everything here already (their replies, their reactions,
the counts); core leaves them out again. A ⭐ counts once per member and never from the reply's
own author; a ❓ counts once per member, the author's own included ("I am stuck here").

"The group", for the minimum size below which no per-person figure is shown, is the members
who took part in the discussion in the summarised week and the :data:`WINDOW_WEEKS` - 1 weeks
before it: those the figures would be about. Open questions are those asked in the same weeks
whose thread has no answer yet: a reply naming the question ("Q2", "question 2", "#2", or
"2." at the start of a line), or, for a post that asked one question, any reply.

A week's summary is claimed (:func:`claim_summary`, ``UNIQUE (channel_id, week)``) before it is
sent and confirmed (:func:`confirm_summary`) after; a claim without confirmation is reconciled
with the channel's history by the caller before it is sent again, unless its lease says another
process may still be sending it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal, cast

import aiosqlite

from bot.core.excerpts import Installment
from bot.core.instants import format_instant, parse_instant
from bot.core.posting import resume_index
from bot.core.replies import STAR, STUCK
from bot.core.schedule import Cadence, slot_on
from bot.core.summary import (
    DEFAULT_MIN_GROUP_SIZE,
    ChartData,
    IsoWeek,
    PlanState,
    PostRow,
    QuestionRow,
    ReplyRow,
    Summary,
    SummarySettings,
    WeekCounts,
    chart_data,
    compute_summary,
    discord_link,
    week_bounds,
)
from bot.storage.database import transaction, write_lock
from bot.storage.groups import Group
from bot.storage.instance import Lease, Owner, new_lease, stored_lease

SummaryKind = Literal["scheduled", "manual"]

#: Weeks the chart shows, ending with the summarised one; also the weeks whose participants
#: make "the group" and whose questions may still be open.
WINDOW_WEEKS = 4

# Discord sends these emoji without a variation selector; a client may add one.
_VS16 = "\ufe0f"
_STARS = (STAR, STAR + _VS16)
_STUCK = (STUCK, STUCK + _VS16)

# A reply naming a question: "Q2", "q 2", "question 2", "question #2", "#2" (not a channel
# mention "<#123>"), or "2." / "2)" / "**2.**" at the start of a line (not "2.5 million").
_QUESTION_REF_RE = re.compile(
    r"\bq(?:uestion)?\s*#?\s*(\d{1,2})\b"
    r"|(?<![\w<&@])#(\d{1,2})\b"
    r"|^[\s>*_]*(\d{1,2})\s*[.):](?!\d)",
    re.I | re.M,
)


# --- claims -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SummaryPost:
    """A claimed week's summary.

    Attributes:
        id: the claim.
        channel_id: the group's channel.
        week: the week it summarises.
        slot: when it was due, or when an organizer posted it.
        kind: posted by the tick, or by an organizer from /summary.
        claimed_at: when the claim was made.
        message_id: the summary's message, once confirmed.
        posted_at: when it was confirmed (or passed over); None for a claim to reconcile.
        late: it went out well after its slot.
        passed: why no summary was sent for the week (a quiet week), or None.
        lease: who claimed it and until when it is theirs alone, or None.
    """

    id: int
    channel_id: int
    week: IsoWeek
    slot: dt.datetime
    kind: SummaryKind
    claimed_at: dt.datetime
    message_id: int | None = None
    posted_at: dt.datetime | None = None
    late: bool = False
    passed: str | None = None
    lease: Lease | None = None

    @property
    def confirmed(self) -> bool:
        """In the channel (or passed over): nothing more to send."""
        return self.posted_at is not None


def _week(text: str) -> IsoWeek:
    year, _, week = text.partition("-W")
    return IsoWeek(int(year), int(week))


def _summary_post(row: aiosqlite.Row) -> SummaryPost:
    return SummaryPost(
        id=row["id"],
        channel_id=row["channel_id"],
        week=_week(row["week"]),
        slot=parse_instant(row["slot"]),
        kind=row["kind"],
        claimed_at=parse_instant(row["claimed_at"]),
        message_id=row["message_id"],
        posted_at=None if row["posted_at"] is None else parse_instant(row["posted_at"]),
        late=bool(row["late"]),
        passed=row["passed"],
        lease=stored_lease(row["claimed_by"], row["lease_until"]),
    )


async def claim_summary(
    db: aiosqlite.Connection,
    channel_id: int,
    week: IsoWeek,
    *,
    slot: dt.datetime,
    kind: SummaryKind,
    now: dt.datetime,
    owner: Owner | None = None,
) -> SummaryPost | None:
    """Claim the summary of ``week`` before anything is sent, for ``owner`` (see
    :func:`bot.storage.groups.claim_post`).

    Returns:
        The claim, or None when the week's summary was claimed already (by the tick, an
        organizer, or another process).
    """
    query = """
        INSERT INTO summary_posts (
            channel_id, week, slot, kind, claimed_at, claimed_by, lease_until
        )
        VALUES (?, ?, ?, ?, ?, ?, ?)
    """
    stamp = format_instant(now)
    claimed_by, lease_until = new_lease(owner, now)
    try:
        async with transaction(db):
            cursor = await db.execute(
                query,
                (channel_id, str(week), format_instant(slot), kind, stamp, claimed_by, lease_until),
            )
    except sqlite3.IntegrityError:
        return None
    assert cursor.lastrowid is not None
    return SummaryPost(
        id=cursor.lastrowid,
        channel_id=channel_id,
        week=week,
        slot=slot,
        kind=kind,
        claimed_at=parse_instant(stamp),
        lease=stored_lease(claimed_by, lease_until),
    )


async def confirm_summary(
    db: aiosqlite.Connection, summary_id: int, *, message_id: int, late: bool, now: dt.datetime
) -> None:
    """Record that the claimed summary is in the channel as ``message_id``."""
    query = "UPDATE summary_posts SET message_id = ?, late = ?, posted_at = ? WHERE id = ?"
    async with write_lock(db):
        await db.execute(query, (message_id, late, format_instant(now), summary_id))


async def pass_summary(
    db: aiosqlite.Connection,
    channel_id: int,
    week: IsoWeek,
    *,
    slot: dt.datetime,
    reason: str,
    now: dt.datetime,
) -> bool:
    """Record that no summary is sent for ``week`` (e.g. a quiet week of a finished plan).

    Returns:
        False when the week was claimed already.
    """
    query = """
        INSERT INTO summary_posts (channel_id, week, slot, kind, claimed_at, posted_at, passed)
        VALUES (?, ?, ?, 'scheduled', ?, ?, ?)
    """
    stamp = format_instant(now)
    try:
        async with transaction(db):
            await db.execute(
                query, (channel_id, str(week), format_instant(slot), stamp, stamp, reason)
            )
    except sqlite3.IntegrityError:
        return False
    return True


async def summary_post(
    db: aiosqlite.Connection, channel_id: int, week: IsoWeek
) -> SummaryPost | None:
    """The claim of ``week``'s summary, confirmed or not, or None."""
    query = "SELECT * FROM summary_posts WHERE channel_id = ? AND week = ?"
    async with db.execute(query, (channel_id, str(week))) as cursor:
        row = await cursor.fetchone()
    return None if row is None else _summary_post(row)


async def unconfirmed_summaries(db: aiosqlite.Connection, channel_id: int) -> list[SummaryPost]:
    """Claims of the channel not yet confirmed, oldest first."""
    query = "SELECT * FROM summary_posts WHERE channel_id = ? AND posted_at IS NULL ORDER BY id"
    async with db.execute(query, (channel_id,)) as cursor:
        return [_summary_post(row) async for row in cursor]


async def last_summary(db: aiosqlite.Connection, channel_id: int) -> SummaryPost | None:
    """The summary of the latest week that was posted in the channel, or None."""
    query = """
        SELECT * FROM summary_posts
        WHERE channel_id = ? AND message_id IS NOT NULL AND posted_at IS NOT NULL
        ORDER BY week DESC LIMIT 1
    """
    async with db.execute(query, (channel_id,)) as cursor:
        row = await cursor.fetchone()
    return None if row is None else _summary_post(row)


async def summary_posts_of(db: aiosqlite.Connection, channel_id: int) -> list[SummaryPost]:
    """Every claim of the channel, by week."""
    query = "SELECT * FROM summary_posts WHERE channel_id = ? ORDER BY week, id"
    async with db.execute(query, (channel_id,)) as cursor:
        return [_summary_post(row) async for row in cursor]


# --- what a summary reads ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekData:
    """Everything read from the database for one group and week.

    Attributes:
        posts: the group's confirmed posts, any week, oldest first.
        replies: the week's replies (opted-out members left out) with their reactions.
        questions: questions of the window's posts, each marked answered or not.
        earlier_authors: the week's authors who had replied in the group before it.
        previous: the week before's counts; None when the plan started after it.
        group_size: members who took part in the window's weeks; None when the week's
            participants alone reach the minimum group size (no need to count further).
        opted_out: every opted-out member.
        reply_times: (local midnight, replies that day) over the window's days, for the chart.
        weeks: the window's weeks.
    """

    posts: tuple[PostRow, ...]
    replies: tuple[ReplyRow, ...]
    questions: tuple[QuestionRow, ...]
    earlier_authors: frozenset[int]
    previous: WeekCounts | None
    group_size: int | None
    opted_out: frozenset[int]
    reply_times: tuple[tuple[dt.datetime, int], ...]
    weeks: int = WINDOW_WEEKS


_OPTED_OUT = "SELECT user_id FROM opt_outs"

_POSTS = f"""
    SELECT p.id, p.number, p.installment_key, p.message_id, p.thread_id, p.posted_at, p.late,
        (SELECT count(*) FROM reactions AS x
         WHERE x.message_id = p.message_id AND x.emoji IN (:stuck, :stuck2)
            AND x.user_id NOT IN ({_OPTED_OUT})) AS stuck
    FROM posts AS p
    WHERE p.channel_id = :group AND p.posted_at IS NOT NULL
    ORDER BY p.id
"""

#: message_id, channel_id, post_id, author_id, author_name, created_at, words
_ReplyTuple = tuple[int, int, int | None, int, str, str, int]
_REPLIES = f"""
    SELECT message_id, channel_id, post_id, author_id, author_name, created_at, words
    FROM replies
    WHERE group_channel_id = :group AND created_at >= :start AND created_at < :end
        AND author_id NOT IN ({_OPTED_OUT})
"""

# The week's reactions, joined rather than counted per reply: most replies have none.
_REACTIONS = """
    SELECT x.message_id, x.user_id, x.emoji
    FROM replies AS r JOIN reactions AS x ON x.message_id = r.message_id
    WHERE r.group_channel_id = :group AND r.created_at >= :start AND r.created_at < :end
        AND x.emoji IN (:star, :star2, :stuck, :stuck2)
"""

# Text only for the replies that have reactions: a highlight or a ❓ needs it, the rest of a
# busy week's replies do not.
_CONTENT = """
    SELECT message_id, content FROM replies WHERE message_id IN (SELECT value FROM json_each(:ids))
"""

_COUNTS = f"""
    SELECT count(*), coalesce(sum(words), 0), count(DISTINCT author_id) FROM replies
    WHERE group_channel_id = :group AND created_at >= :start AND created_at < :end
        AND author_id NOT IN ({_OPTED_OUT})
"""

# Replies per bucket [bounds[i], bounds[i + 1]): one index-only range count each (grouping by
# an expression of created_at would sort every reply of the window instead).
_BUCKETS = f"""
    SELECT lo.key, (
        SELECT count(*) FROM replies
        WHERE group_channel_id = :group AND created_at >= lo.value AND created_at < hi.value
            AND author_id NOT IN ({_OPTED_OUT})
    )
    FROM json_each(:bounds) AS lo JOIN json_each(:bounds) AS hi ON hi.key = lo.key + 1
"""

# One seek per author of the week in (group, author, created_at).
_EARLIER_AUTHORS = """
    SELECT a.value FROM json_each(:authors) AS a
    WHERE EXISTS (
        SELECT 1 FROM replies AS e
        WHERE e.group_channel_id = :group AND e.author_id = a.value AND e.created_at < :start
    )
"""

_QUESTIONS = """
    SELECT q.post_id, q.position, q.text,
        (SELECT count(*) FROM asked_questions AS n WHERE n.post_id = q.post_id) AS asked
    FROM asked_questions AS q
    WHERE q.post_id IN (SELECT value FROM json_each(:posts))
    ORDER BY q.post_id, q.position
"""

_DISCUSSED = f"""
    SELECT p.value FROM json_each(:posts) AS p
    WHERE EXISTS (
        SELECT 1 FROM replies AS r
        WHERE r.post_id = p.value AND r.created_at < :end AND r.author_id NOT IN ({_OPTED_OUT})
    )
"""

# Only replies with a digit can name a question: the others' text is never read. In index
# order (post, message id), so reading can stop once every question of the post is named.
_NAMING = f"""
    SELECT content FROM replies
    WHERE post_id = :post AND created_at < :end AND content GLOB '*[0-9]*'
        AND author_id NOT IN ({_OPTED_OUT})
"""


async def _rows(
    db: aiosqlite.Connection, query: str, params: Mapping[str, object]
) -> list[aiosqlite.Row]:
    async with db.execute(query, params) as cursor:
        return list(await cursor.fetchall())


async def opted_out_members(db: aiosqlite.Connection) -> frozenset[int]:
    """Every member who opted out of the discussion log."""
    async with db.execute(_OPTED_OUT) as cursor:
        return frozenset([int(row[0]) async for row in cursor])


async def group_guild(db: aiosqlite.Connection, group: Group) -> int | None:
    """The group's server: stored with the group, or seen on its logged replies."""
    if group.guild_id is not None:
        return group.guild_id
    query = """
        SELECT guild_id FROM replies WHERE group_channel_id = ? AND guild_id IS NOT NULL LIMIT 1
    """
    async with db.execute(query, (group.channel_id,)) as cursor:
        row = await cursor.fetchone()
    return None if row is None else int(row[0])


async def read_week(
    db: aiosqlite.Connection,
    group: Group,
    week: IsoWeek,
    *,
    installments: Sequence[Installment] = (),
    guild_id: int | None = None,
    weeks: int = WINDOW_WEEKS,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> WeekData:
    """What the summary of ``week`` and its chart need, for the group in ``group.channel_id``.

    Args:
        db: the connection.
        group: the group (its channel, timezone and server).
        week: the week, in the group's timezone.
        installments: the plan's installments, for each post's length in words.
        guild_id: the server, for jump links (default: :func:`group_guild`).
        weeks: the window (see the module docstring), at least 1.
        min_group_size: below this many participants in the week, the window's are counted
            (:attr:`WeekData.group_size`).
    """
    tz = group.cadence.tz
    start, end = week_bounds(week, tz)
    first_week = week.shift(-(max(1, weeks) - 1))
    window_start, _ = week_bounds(first_week, tz)
    previous_start, _ = week_bounds(week.shift(-1), tz)
    if guild_id is None:
        guild_id = await group_guild(db, group)
    opted_out = await opted_out_members(db)
    channel = group.channel_id
    emoji = {"star": _STARS[0], "star2": _STARS[1], "stuck": _STUCK[0], "stuck2": _STUCK[1]}
    week_range = {"group": channel, "start": format_instant(start), "end": format_instant(end)}

    words = {part.key: part.words for part in installments}
    posts: list[PostRow] = []
    by_id: dict[int, PostRow] = {}
    for row in await _rows(db, _POSTS, {"group": channel, **emoji}):
        excerpt = Installment.from_key(row["installment_key"])
        thread = row["thread_id"]
        post = PostRow(
            number=row["number"],
            slug=excerpt.slug,
            first=excerpt.first,
            last=excerpt.last,
            sentences=excerpt.sentences,
            words=words.get(row["installment_key"], 0),
            posted_at=parse_instant(row["posted_at"]),
            thread_id=thread,
            message_id=row["message_id"],
            jump_url=_link(guild_id, thread or channel, None if thread else row["message_id"]),
            late=bool(row["late"]),
            stuck=row["stuck"],
        )
        posts.append(post)
        by_id[row["id"]] = post

    async with db.execute(_REPLIES, week_range) as cursor:
        cursor.row_factory = None  # plain tuples: a busy week has tens of thousands of rows
        rows = cast(list[_ReplyTuple], await cursor.fetchall())
    authors = {row[0]: row[3] for row in rows}
    stars: Counter[int] = Counter()
    stuck: Counter[int] = Counter()
    for message_id, user_id, name in await _rows(db, _REACTIONS, {**week_range, **emoji}):
        if user_id in opted_out:
            continue
        if name in _STUCK:
            stuck[message_id] += 1
        elif user_id != authors.get(message_id):  # a ⭐ of one's own reply does not count
            stars[message_id] += 1
    texts: dict[int, str | None] = {}
    marked = stars.keys() | stuck.keys()
    if marked:
        params = {"ids": _json_ids(marked)}
        texts = {row["message_id"]: row["content"] for row in await _rows(db, _CONTENT, params)}
    numbers = {post_id: post.number for post_id, post in by_id.items()}
    replies = []
    # A busy week has tens of thousands of replies: unpacked rows, and a link only where one is
    # shown (a reply with reactions can be a highlight or a "stuck" place; the rest cannot).
    for message_id, where, post_id, author_id, name, created_at, length in rows:
        marks = message_id in marked
        replies.append(
            ReplyRow(
                message_id=message_id,
                author_id=author_id,
                author_name=name,
                created_at=parse_instant(created_at),
                words=length,
                installment=None if post_id is None else numbers.get(post_id),
                thread_id=where if where != channel else None,
                content=texts.get(message_id) if marks else None,
                stars=stars.get(message_id, 0) if marks else 0,
                stuck=stuck.get(message_id, 0) if marks else 0,
                jump_url=_link(guild_id, where, message_id) if marks else None,
            )
        )

    previous = None
    if group.start < start:  # a plan's first week has no week before to compare with
        (before,) = await _rows(
            db,
            _COUNTS,
            {
                "group": channel,
                "start": format_instant(previous_start),
                "end": format_instant(start),
            },
        )
        previous = WeekCounts(before[0], before[1], before[2])
    participants = set(authors.values())
    group_size = None
    if len(participants) < min_group_size:  # else the week alone is group enough
        window = {
            "group": channel,
            "start": format_instant(window_start),
            "end": format_instant(end),
        }
        (in_window,) = await _rows(db, _COUNTS, window)
        group_size = int(in_window[2])
    days = [first_week.monday + dt.timedelta(days=i) for i in range(max(1, weeks) * 7 + 1)]
    midnight = Cadence(frozenset(range(7)), dt.time(0), tz)
    bounds = [slot_on(midnight, day) for day in days]
    counts = await _rows(
        db, _BUCKETS, {"group": channel, "bounds": json.dumps([format_instant(b) for b in bounds])}
    )
    reply_times = tuple((bounds[index], count) for index, count in counts if count)
    earlier = frozenset(
        int(row[0])
        for row in await _rows(
            db, _EARLIER_AUTHORS, {**week_range, "authors": _json_ids(participants)}
        )
    )
    questions = await _questions(
        db, {pid: post for pid, post in by_id.items() if window_start <= post.posted_at < end}, end
    )
    return WeekData(
        posts=tuple(posts),
        replies=tuple(replies),
        questions=questions,
        earlier_authors=earlier,
        previous=previous,
        group_size=group_size,
        opted_out=opted_out,
        reply_times=reply_times,
        weeks=max(1, weeks),
    )


def _link(guild_id: int | None, channel_id: int, message_id: int | None) -> str | None:
    return None if guild_id is None else discord_link(guild_id, channel_id, message_id)


async def _questions(
    db: aiosqlite.Connection, posts: Mapping[int, PostRow], end: dt.datetime
) -> tuple[QuestionRow, ...]:
    """The questions of ``posts`` (by post id), each marked answered as of ``end``."""
    if not posts:
        return ()
    ids = _json_ids(posts)
    rows = await _rows(db, _QUESTIONS, {"posts": ids})
    asked = {row["post_id"]: row["asked"] for row in rows}
    single = [pid for pid, count in asked.items() if count == 1]
    several = [pid for pid, count in asked.items() if count > 1]
    answered: set[tuple[int, int]] = set()
    if single:
        discussed = await _rows(
            db, _DISCUSSED, {"posts": _json_ids(single), "end": format_instant(end)}
        )
        answered.update((int(row[0]), 1) for row in discussed)
    for post_id in several:
        wanted = set(range(1, asked[post_id] + 1))
        async with db.execute(_NAMING, {"post": post_id, "end": format_instant(end)}) as cursor:
            async for row in cursor:
                named = wanted & question_numbers(row[0])
                answered.update((post_id, n) for n in named)
                wanted -= named
                if not wanted:
                    break
    result = []
    for row in rows:
        post = posts[row["post_id"]]
        result.append(
            QuestionRow(
                installment=post.number,
                position=row["position"],
                text=row["text"],
                asked_at=post.posted_at,
                answered=(row["post_id"], row["position"]) in answered,
                jump_url=post.jump_url,
            )
        )
    return tuple(result)


def _json_ids(ids: Collection[int]) -> str:
    return "[" + ",".join(str(int(i)) for i in ids) + "]"


def question_numbers(text: str | None) -> set[int]:
    """The question numbers a reply names: ``Q2``, ``question 2``, ``#2``, ``2.`` at the start
    of a line (see the module docstring)."""
    if not text:
        return set()
    return {int(next(g for g in m.groups() if g)) for m in _QUESTION_REF_RE.finditer(text)}


def plan_state(
    group: Group, installments: Sequence[Installment], posts: Sequence[PostRow]
) -> PlanState:
    """Where ``group`` is in its plan: done (posted or skipped), skipped, paused."""
    done = resume_index(installments, group.done_key, group.done_count)
    posted = {post.number for post in posts if post.number <= done}
    return PlanState(
        installments=tuple(installments),
        done=done,
        skipped=max(0, done - len(posted)),
        paused=group.paused,
        paused_at=group.paused_at,
        last_slot=group.last_slot,
    )


@dataclass(frozen=True, slots=True)
class WeeklySummary:
    """A computed summary and its chart's series."""

    summary: Summary
    chart: ChartData


async def build_summary(
    db: aiosqlite.Connection,
    group: Group,
    week: IsoWeek,
    *,
    installments: Sequence[Installment],
    now: dt.datetime,
    settings: SummarySettings | None = None,
    titles: Mapping[str, str] | None = None,
    guild_id: int | None = None,
    weeks: int = WINDOW_WEEKS,
) -> WeeklySummary:
    """The summary of ``week`` for ``group`` and its chart, from the database.

    Args:
        db: the connection.
        group: the group.
        week: the week, in the group's timezone.
        installments: the plan's installments over the current library.
        now: the current instant (aware UTC).
        settings: the summary settings (opted-out members are added from the database).
        titles: display titles by reading slug.
        guild_id: the server, for jump links (default: :func:`group_guild`).
        weeks: the weeks the chart shows (see :data:`WINDOW_WEEKS`).
    """
    settings = settings or SummarySettings()
    data = await read_week(
        db,
        group,
        week,
        installments=installments,
        guild_id=guild_id,
        weeks=weeks,
        min_group_size=settings.min_group_size,
    )
    return summarize(
        data, group, week, installments=installments, now=now, settings=settings, titles=titles
    )


def summarize(
    data: WeekData,
    group: Group,
    week: IsoWeek,
    *,
    installments: Sequence[Installment],
    now: dt.datetime,
    settings: SummarySettings | None = None,
    titles: Mapping[str, str] | None = None,
) -> WeeklySummary:
    """The summary and chart of ``week`` from what :func:`read_week` read (no SQL): the
    chart shows the weeks ``data`` was read for."""
    settings = settings or SummarySettings()
    state = plan_state(group, installments, data.posts)
    settings = replace(settings, opted_out=settings.opted_out | data.opted_out)
    summary = compute_summary(
        week=week,
        plan=group.plan(),
        state=state,
        posts=data.posts,
        replies=data.replies,
        questions=data.questions,
        earlier_authors=data.earlier_authors,
        previous=data.previous,
        now=now,
        settings=settings,
        group=group.name,
        group_size=data.group_size,
        titles=titles,
    )
    chart = chart_data(
        week=week,
        tz=group.cadence.tz,
        installments=installments,
        posts=data.posts,
        reply_times=data.reply_times,
        now=now,
        done=state.done,
        weeks=data.weeks,
    )
    return WeeklySummary(summary, chart)
