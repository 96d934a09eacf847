"""Weekly summaries and catch-ups: the SQL that feeds them and the summary's chart.

:func:`read_week` reads what the summary of one group and week needs, as a plain
:class:`~bot.core.summary.WeekData` that :func:`bot.core.summary.summarize` computes from, with a
handful of range queries on ``replies (group_channel_id, created_at, ...)``: the week's replies
and their ⭐ and ❓ reactions (the text only of the replies that have some), counts aggregated in
SQL for the week before and for each day of the chart (index-only range counts), and one index
seek per author for "new voices". Nothing here computes the summary.
The same read over any span, :func:`read_span`, feeds a member's catch-up (:func:`read_catchup`,
which starts it at their last reply, :func:`last_reply_at`, unless they opted out).

Opted-out members are left out of everything here already (their replies, their reactions,
the counts); core leaves them out again. Reactions are read as rows, both spellings of each
emoji (with and without a variation selector) as one; core counts them.

"The group", for the minimum size below which no per-person figure is shown, is the members
who took part in the discussion in the summarised week and the :data:`WINDOW_WEEKS` - 1 weeks
before it: those the figures would be about. Open questions are those asked in the same weeks
with what their threads held by the week's end (whether anyone replied; the replies that may
name a question by number, read only until every question is named by the rule the caller
passes, core's ``question_numbers``): core decides which are answered.

The claims that post a week's summary exactly once are in :mod:`bot.storage.summary_posts`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection, Mapping, Set
from typing import cast

from bot.core.excerpts import Installment
from bot.core.group import Group
from bot.core.instants import format_instant, parse_instant
from bot.core.polls import Phase, Stance
from bot.core.replies import STAR, STUCK
from bot.core.schedule import Cadence, slot_on
from bot.core.summary import (
    DEFAULT_MIN_GROUP_SIZE,
    Answers,
    GroupState,
    IsoWeek,
    Jump,
    PostRow,
    QuestionRow,
    ReactionRow,
    ReplyRow,
    SpanData,
    WeekCounts,
    WeekData,
    week_bounds,
)
from bot.core.summary.catchup import CatchupData, catchup_start
from bot.storage.connection import Connection, Row, Sql, json_ids

#: Weeks the chart shows, ending with the summarised one; also the weeks whose participants
#: make "the group" and whose questions may still be open.
WINDOW_WEEKS = 4
#: Passages listed under "most quoted this week".
MOST_QUOTED = 5

# Discord sends these emoji without a variation selector; a client may add one.
_VS16 = "\ufe0f"
_STARS = (STAR, STAR + _VS16)
_STUCK = (STUCK, STUCK + _VS16)


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
_REACTIONS = f"""
    SELECT x.message_id, x.user_id, x.emoji
    FROM replies AS r JOIN reactions AS x ON x.message_id = r.message_id
    WHERE r.group_channel_id = :group AND r.created_at >= :start AND r.created_at < :end
        AND x.emoji IN (:star, :star2, :stuck, :stuck2)
        AND r.author_id NOT IN ({_OPTED_OUT}) AND x.user_id NOT IN ({_OPTED_OUT})
"""

# The week's most quoted paragraphs (bot.core.quotes), in replies of members still logged.
_QUOTED = f"""
    SELECT q.slug, q.paragraph, count(*) AS times
    FROM quote_matches AS q JOIN replies AS r ON r.message_id = q.message_id
    WHERE q.group_channel_id = :group AND q.created_at >= :start AND q.created_at < :end
        AND r.author_id NOT IN ({_OPTED_OUT})
    GROUP BY q.slug, q.paragraph
    ORDER BY times DESC, q.slug, q.paragraph
    LIMIT :limit
"""

# The stance polls answered in the week, with every answer given by its end (bot.core.polls):
# only stances, never who; opted-out members' answers left out.
_POLLS = f"""
    SELECT p.id, p.proposition, a.phase, a.stance
    FROM polls AS p JOIN poll_answers AS a ON a.poll_id = p.id
    WHERE p.channel_id = :group AND a.answered_at < :end AND a.user_id NOT IN ({_OPTED_OUT})
        AND EXISTS (
            SELECT 1 FROM poll_answers AS w
            WHERE w.poll_id = p.id AND w.answered_at >= :start AND w.answered_at < :end
        )
    ORDER BY p.id
"""

# Text only for the replies that have reactions: a highlight or a ❓ needs it, the rest of a
# busy week's replies do not.
_CONTENT = json_ids("""
    SELECT message_id, content FROM replies WHERE message_id IN (SELECT value FROM json_each(:ids))
""")

_COUNTS = f"""
    SELECT count(*), coalesce(sum(words), 0), count(DISTINCT author_id) FROM replies
    WHERE group_channel_id = :group AND created_at >= :start AND created_at < :end
        AND author_id NOT IN ({_OPTED_OUT})
"""

# Replies per bucket [bounds[i], bounds[i + 1]): one index-only range count each (grouping by
# an expression of created_at would sort every reply of the window instead). PostgreSQL numbers
# an array's elements from 1 (WITH ORDINALITY), SQLite's json_each from 0.
_BUCKET_COUNT = f"""
        SELECT count(*) FROM replies
        WHERE group_channel_id = :group AND created_at >= lo.value AND created_at < hi.value
            AND author_id NOT IN ({_OPTED_OUT})
"""
_BUCKETS = Sql(
    f"""
    SELECT lo.key, ({_BUCKET_COUNT})
    FROM json_each(:bounds) AS lo JOIN json_each(:bounds) AS hi ON hi.key = lo.key + 1
    """,
    postgres=f"""
    SELECT lo.key - 1, ({_BUCKET_COUNT})
    FROM json_array_elements_text(:bounds::json) WITH ORDINALITY AS lo (value, key)
    JOIN json_array_elements_text(:bounds::json) WITH ORDINALITY AS hi (value, key)
        ON hi.key = lo.key + 1
    """,
)

# One seek per author of the week in (group, author, created_at).
_EARLIER_AUTHORS = json_ids("""
    SELECT a.value FROM json_each(:authors) AS a
    WHERE EXISTS (
        SELECT 1 FROM replies AS e
        WHERE e.group_channel_id = :group AND e.author_id = a.value AND e.created_at < :start
    )
""")

_QUESTIONS = json_ids("""
    SELECT q.post_id, q.position, q.text,
        (SELECT count(*) FROM asked_questions AS n WHERE n.post_id = q.post_id) AS asked
    FROM asked_questions AS q
    WHERE q.post_id IN (SELECT value FROM json_each(:posts))
    ORDER BY q.post_id, q.position
""")

_DISCUSSED = json_ids(f"""
    SELECT p.value FROM json_each(:posts) AS p
    WHERE EXISTS (
        SELECT 1 FROM replies AS r
        WHERE r.post_id = p.value AND r.created_at < :end AND r.author_id NOT IN ({_OPTED_OUT})
    )
""")

# Only replies with a digit can name a question: the others' text is never read. In index
# order (post, message id), so reading can stop once every question of the post is named.
_NAMING_FROM = f"""
    SELECT content FROM replies
    WHERE post_id = :post AND created_at < :end AND author_id NOT IN ({_OPTED_OUT})
"""
_NAMING = Sql(
    f"{_NAMING_FROM} AND content GLOB '*[0-9]*'", postgres=f"{_NAMING_FROM} AND content ~ '[0-9]'"
)


async def _rows(db: Connection, query: str, params: Mapping[str, object]) -> list[Row]:
    async with db.execute(query, params) as cursor:
        return list(await cursor.fetchall())


async def opted_out_members(db: Connection) -> frozenset[int]:
    """Every member who opted out of the discussion log."""
    async with db.execute(_OPTED_OUT) as cursor:
        return frozenset([int(row[0]) async for row in cursor])


async def group_guild(db: Connection, group: Group) -> int | None:
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
    db: Connection,
    group: Group,
    week: IsoWeek,
    *,
    names: Callable[[str], Set[int]],
    guild_id: int | None = None,
    weeks: int = WINDOW_WEEKS,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> WeekData:
    """What the summary of ``week`` and its chart need, for the group in ``group.channel_id``.

    Args:
        db: the connection.
        group: the group (its channel, timezone, server, plan and place in it).
        week: the week, in the group's timezone.
        names: the question numbers a reply names (:func:`bot.core.summary.question_numbers`):
            a thread's replies are read only until every question of its post is named (a
            busy thread has thousands). Core decides again from what was read.
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
    channel = group.channel_id
    span = await read_span(
        db, group, start, end, names=names, guild_id=guild_id, questions_since=window_start
    )
    week_range = {"group": channel, "start": format_instant(start), "end": format_instant(end)}
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
    participants = {reply.author_id for reply in span.replies}
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
    quoted = await most_quoted(db, channel, start, end)
    answered: dict[int, tuple[str, list[tuple[Phase, Stance]]]] = {}
    for row in await _rows(db, _POLLS, week_range):
        poll = answered.setdefault(row["id"], (row["proposition"], []))
        poll[1].append((row["phase"], row["stance"]))
    polls = tuple((proposition, tuple(given)) for proposition, given in answered.values())
    return WeekData(
        group=span.group,
        posts=span.posts,
        replies=span.replies,
        reactions=span.reactions,
        questions=span.questions,
        answers=span.answers,
        earlier_authors=earlier,
        previous=previous,
        group_size=group_size,
        opted_out=span.opted_out,
        reply_times=reply_times,
        weeks=max(1, weeks),
        quoted=quoted,
        polls=polls,
    )


async def most_quoted(
    db: Connection,
    group_channel_id: int,
    start: dt.datetime,
    end: dt.datetime,
    *,
    limit: int = MOST_QUOTED,
) -> tuple[tuple[str, int, int], ...]:
    """The paragraphs most quoted in the group's replies over ``[start, end)``, most first, as
    (slug, paragraph, times); opted-out and forgotten members' replies count nowhere."""
    params = {
        "group": group_channel_id,
        "start": format_instant(start),
        "end": format_instant(end),
        "limit": limit,
    }
    return tuple((row[0], int(row[1]), int(row[2])) for row in await _rows(db, _QUOTED, params))


async def read_span(
    db: Connection,
    group: Group,
    start: dt.datetime,
    end: dt.datetime,
    *,
    names: Callable[[str], Set[int]],
    guild_id: int | None = None,
    questions_since: dt.datetime | None = None,
) -> SpanData:
    """What the group's log holds for ``[start, end)``: its posts, the span's replies and their
    ⭐ and ❓ reactions, and open questions (see the module docstring for what is left out).

    Args:
        db: the connection.
        group: the group.
        start, end: the span (aware UTC).
        names: as for :func:`read_week`.
        guild_id: the server, for jump links (default: :func:`group_guild`).
        questions_since: the questions of the posts posted from then until ``end`` are read;
            by default those of the span's posts and of the posts its replies belong to.
    """
    if guild_id is None:
        guild_id = await group_guild(db, group)
    opted_out = await opted_out_members(db)
    channel = group.channel_id
    emoji = {"star": _STARS[0], "star2": _STARS[1], "stuck": _STUCK[0], "stuck2": _STUCK[1]}
    span_range = {"group": channel, "start": format_instant(start), "end": format_instant(end)}

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
            words=0,
            posted_at=parse_instant(row["posted_at"]),
            thread_id=thread,
            message_id=row["message_id"],
            jump=_jump(guild_id, thread or channel, None if thread else row["message_id"]),
            late=bool(row["late"]),
            stuck=row["stuck"],
        )
        posts.append(post)
        by_id[row["id"]] = post

    async with db.execute(_REPLIES, span_range) as cursor:
        cursor.row_factory = None  # plain tuples: a busy week has tens of thousands of rows
        rows = cast(list[_ReplyTuple], await cursor.fetchall())
    reactions = tuple(
        ReactionRow(message_id, user_id, STUCK if name in _STUCK else STAR)
        for message_id, user_id, name in await _rows(db, _REACTIONS, {**span_range, **emoji})
    )
    texts: dict[int, str | None] = {}
    marked = {reaction.message_id for reaction in reactions}
    if marked:
        params = {"ids": _json_ids(marked)}
        texts = {row["message_id"]: row["content"] for row in await _rows(db, _CONTENT, params)}
    numbers = {post_id: post.number for post_id, post in by_id.items()}
    replies = []
    # A busy week has tens of thousands of replies: unpacked rows, and a jump only where one is
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
                jump=_jump(guild_id, where, message_id) if marks else None,
            )
        )
    if questions_since is None:
        replied = {row[2] for row in rows}
        asked = {
            pid: post
            for pid, post in by_id.items()
            if start <= post.posted_at < end or pid in replied
        }
    else:
        asked = {
            pid: post for pid, post in by_id.items() if questions_since <= post.posted_at < end
        }
    questions, answers = await _questions(db, asked, end, names)
    return SpanData(
        group=GroupState(
            name=group.name,
            plan=group.plan(),
            done_key=group.done_key,
            done_count=group.done_count,
            paused=group.paused,
            paused_at=group.paused_at,
            last_slot=group.last_slot,
        ),
        start=start,
        end=end,
        posts=tuple(posts),
        replies=tuple(replies),
        reactions=reactions,
        questions=questions,
        answers=answers,
        opted_out=opted_out,
    )


_LAST_REPLY = """
    SELECT max(created_at) FROM replies WHERE group_channel_id = ? AND author_id = ?
"""


async def last_reply_at(db: Connection, channel_id: int, member_id: int) -> dt.datetime | None:
    """When ``member_id`` last took part in the group (their latest logged reply), or None:
    one seek in the (group, author, created_at) index."""
    async with db.execute(_LAST_REPLY, (channel_id, member_id)) as cursor:
        row = await cursor.fetchone()
    return None if row is None or row[0] is None else parse_instant(row[0])


async def is_opted_out(db: Connection, member_id: int) -> bool:
    """Whether ``member_id`` opted out of the discussion log."""
    query = "SELECT 1 FROM opt_outs WHERE user_id = ?"
    async with db.execute(query, (member_id,)) as cursor:
        return await cursor.fetchone() is not None


async def read_catchup(
    db: Connection,
    group: Group,
    member_id: int,
    *,
    since: dt.datetime | None,
    now: dt.datetime,
    names: Callable[[str], Set[int]],
    guild_id: int | None = None,
) -> CatchupData:
    """What ``member_id``'s catch-up in the group needs: the log over ``[start, now)``, the
    start being ``since`` if given, else their last reply in the group (not looked up when they
    opted out: see :func:`bot.core.summary.catchup.catchup_start`).

    Args:
        db: the connection.
        group: the group.
        member_id: who is catching up.
        since: where they asked it to start (:func:`bot.core.summary.catchup.parse_since`).
        now: the current instant (aware UTC): the range's end.
        names: as for :func:`read_week`.
        guild_id: the server, for jump links (default: :func:`group_guild`).
    """
    opted_out = await is_opted_out(db, member_id)
    last = None
    if since is None and not opted_out:
        last = await last_reply_at(db, group.channel_id, member_id)
    start, why = catchup_start(asked=since, last_reply=last, opted_out=opted_out, now=now)
    span = await read_span(db, group, start, now, names=names, guild_id=guild_id)
    return CatchupData(span=span, why=why)


def _jump(guild_id: int | None, channel_id: int, message_id: int | None) -> Jump | None:
    return None if guild_id is None else Jump(guild_id, channel_id, message_id)


async def _questions(
    db: Connection,
    posts: Mapping[int, PostRow],
    end: dt.datetime,
    names: Callable[[str], Set[int]],
) -> tuple[tuple[QuestionRow, ...], tuple[Answers, ...]]:
    """The questions of ``posts`` (by post id), and what their threads held as of ``end``: for
    a post that asked several, its replies that may name one, up to the one naming the last."""
    if not posts:
        return (), ()
    ids = _json_ids(posts)
    rows = await _rows(db, _QUESTIONS, {"posts": ids})
    asked = {row["post_id"]: row["asked"] for row in rows}
    single = [pid for pid, count in asked.items() if count == 1]
    several = [pid for pid, count in asked.items() if count > 1]
    stamp = format_instant(end)
    discussed: set[int] = set()
    if single:
        params = {"posts": _json_ids(single), "end": stamp}
        discussed.update(int(row[0]) for row in await _rows(db, _DISCUSSED, params))
    texts: dict[int, list[str]] = {}
    for post_id in several:
        # A busy thread has thousands of replies: read until every question is named.
        wanted = set(range(1, asked[post_id] + 1))
        read = texts.setdefault(post_id, [])
        async with db.execute(_NAMING, {"post": post_id, "end": stamp}) as cursor:
            async for row in cursor:
                read.append(row[0])
                wanted -= names(row[0])
                if not wanted:
                    break
    answers = tuple(
        Answers(
            posts[post_id].number,
            posts[post_id].posted_at,
            post_id in discussed,
            tuple(texts.get(post_id, ())),
        )
        for post_id in asked
    )
    questions = tuple(
        QuestionRow(
            installment=posts[row["post_id"]].number,
            position=row["position"],
            text=row["text"],
            asked_at=posts[row["post_id"]].posted_at,
            jump=posts[row["post_id"]].jump,
        )
        for row in rows
    )
    return questions, answers


def _json_ids(ids: Collection[int]) -> str:
    return "[" + ",".join(str(int(i)) for i in ids) + "]"
