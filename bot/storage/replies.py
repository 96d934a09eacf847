"""The discussion log's SQL: applying reply events, opt-outs, export, forget and retention."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from bot.core.instants import format_instant, parse_instant
from bot.core.replies import (
    Delete,
    Edit,
    LogEvent,
    LogPolicy,
    ReactionAdd,
    ReactionClear,
    ReactionRemove,
    Reply,
    ReplyLogMode,
)
from bot.storage.connection import Connection, json_ids
from bot.storage.database import transaction
from bot.storage.polls import member_poll_answers

log = logging.getLogger(__name__)


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else format_instant(moment)


def _storable(text: str | None) -> str | None:
    """``text`` as SQLite can store it: UTF-8 has no lone surrogates, which Discord's JSON can
    carry (half of an emoji, ``"\\ud83d"``), so each becomes U+FFFD and the reply is kept.
    A whole pair held as two code points is joined back into its character."""
    if text is None or text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


# Each event kind: (query, row maker). Rows of consecutive events of one kind go to one
# executemany, so a burst of replies is one statement per batch, not one per reply.
# What is kept of a reply (opt-outs, log starts, the group's mode) is decided before this insert
# by LogPolicy (see apply_events): checking opt_outs per row in SQL (INSERT ... SELECT ... WHERE
# NOT EXISTS) made it 40% slower.
_INSERT_REPLY = """
    INSERT INTO replies (
        message_id, channel_id, group_channel_id, guild_id, post_id, author_id, author_name,
        content, created_at, edited_at, reply_to_id, attachments, words
    )
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (message_id) DO UPDATE SET
        content = excluded.content,
        edited_at = excluded.edited_at,
        words = excluded.words,
        attachments = excluded.attachments
    WHERE excluded.edited_at IS NOT NULL
        AND (replies.edited_at IS NULL OR excluded.edited_at > replies.edited_at)
"""

# A reply its author's log start forbids adding: only a newer edit of a logged copy is applied,
# as the insert's ON CONFLICT clause would.
_UPDATE_REPLY = """
    UPDATE replies SET content = ?, edited_at = ?, words = ?, attachments = ?
    WHERE message_id = ? AND CAST(?2 AS TEXT) IS NOT NULL AND (edited_at IS NULL OR ?2 > edited_at)
"""

_EDIT_REPLY = """
    UPDATE replies SET content = ?, edited_at = ?, words = ?, attachments = ?
    WHERE message_id = ?
"""

_DELETE_REPLY = "DELETE FROM replies WHERE message_id = ?"
_DELETE_REACTIONS = "DELETE FROM reactions WHERE message_id = ?"

# A reaction counts on a logged reply or on a post, never from an opted-out member.
_ADD_REACTION = """
    INSERT OR IGNORE INTO reactions (message_id, channel_id, user_id, emoji, created_at)
    SELECT ?, ?, ?, ?, ?
    WHERE NOT EXISTS (SELECT 1 FROM opt_outs WHERE user_id = ?)
        AND (
            EXISTS (SELECT 1 FROM replies WHERE message_id = ?)
            OR EXISTS (SELECT 1 FROM posts WHERE message_id = ?)
        )
"""

_REMOVE_REACTION = "DELETE FROM reactions WHERE message_id = ? AND emoji = ? AND user_id = ?"
_CLEAR_EMOJI = "DELETE FROM reactions WHERE message_id = ? AND emoji = ?"


def _reply_row(e: Reply) -> tuple[Any, ...]:
    return (
        e.message_id,
        e.channel_id,
        e.group_channel_id,
        e.guild_id,
        e.post_id,
        e.author_id,
        _storable(e.author_name),
        _storable(e.content),
        _iso(e.created_at),
        _iso(e.edited_at),
        e.reply_to_id,
        e.attachments,
        e.words,
    )


async def apply_events(db: Connection, events: Sequence[LogEvent]) -> None:
    """Apply ``events`` in order, in one transaction. Idempotent per event.

    What is kept of a reply or an edit is decided by the :class:`LogPolicy` read inside the
    transaction (groups' modes, opt-outs, log starts), so no change to them can slip between
    that check and the write, and every path (live, edit, catch-up) obeys the same rules.
    """
    if not events:
        return
    async with transaction(db):
        policy = LogPolicy()
        groups: dict[int, int] = {}  # message id -> group channel, for edits
        if any(isinstance(e, Reply | Edit) for e in events):
            policy = await log_policy(db)
            edited = [e.message_id for e in events if isinstance(e, Edit)]
            groups = await _groups_of(db, edited) if edited else {}
            groups.update(
                (e.message_id, e.group_channel_id) for e in events if isinstance(e, Reply)
            )
        statements = [s for event in events for s in _statements(event, policy, groups)]
        for query, group in itertools.groupby(statements, key=itemgetter(0)):
            await db.executemany(query, [row for _, row in group])


async def log_policy(db: Connection) -> LogPolicy:
    """What the log keeps now: every group's mode, the opt-outs and the members' log starts."""
    async with db.execute("SELECT channel_id, reply_log FROM groups") as cursor:
        modes = {int(r[0]): r[1] async for r in cursor}
    async with db.execute("SELECT user_id, starts_at FROM log_starts") as cursor:
        starts = {int(r[0]): parse_instant(r[1]) async for r in cursor}
    return LogPolicy(modes, await opted_out_ids(db), starts)


async def _groups_of(db: Connection, message_ids: Sequence[int]) -> dict[int, int]:
    query = json_ids("""
        SELECT message_id, group_channel_id FROM replies
        WHERE message_id IN (SELECT value FROM json_each(?))
    """)
    async with db.execute(query, (json.dumps(list(message_ids)),)) as cursor:
        return {int(r[0]): int(r[1]) async for r in cursor}


def _statements(
    event: LogEvent, policy: LogPolicy, groups: Mapping[int, int]
) -> list[tuple[str, tuple[Any, ...]]]:
    """The SQL that applies one event, as (query, parameters)."""
    match event:
        case Reply():
            kept = policy.reply(event)
            if kept is None:
                return []
            if not policy.may_add(kept):
                return [(_UPDATE_REPLY, _edit_row(kept, kept.content))]
            return [(_INSERT_REPLY, _reply_row(kept))]
        case Edit():
            group = groups.get(event.message_id)
            if group is None:  # not logged: nothing to edit
                return []
            return [(_EDIT_REPLY, _edit_row(event, policy.text(group, event.content)))]
        case Delete():
            ids = [(message_id,) for message_id in event.message_ids]
            return [(_DELETE_REPLY, i) for i in ids] + [(_DELETE_REACTIONS, i) for i in ids]
        case ReactionAdd():
            return [(_ADD_REACTION, _reaction_row(event))]
        case ReactionRemove():
            emoji = _storable(event.emoji)
            return [(_REMOVE_REACTION, (event.message_id, emoji, event.user_id))]
        case ReactionClear(emoji=None):
            return [(_DELETE_REACTIONS, (event.message_id,))]
        case ReactionClear():
            return [(_CLEAR_EMOJI, (event.message_id, _storable(event.emoji)))]
    raise TypeError(f"not a log event: {event!r}")


def _edit_row(e: Reply | Edit, content: str | None) -> tuple[Any, ...]:
    return (_storable(content), _iso(e.edited_at), e.words, e.attachments, e.message_id)


def _reaction_row(e: ReactionAdd) -> tuple[Any, ...]:
    at = _iso(e.at)
    return (
        e.message_id,
        e.channel_id,
        e.user_id,
        _storable(e.emoji),
        at,
        e.user_id,
        e.message_id,
        e.message_id,
    )


@dataclass(frozen=True, slots=True)
class Target:
    """Where replies are logged: a post's thread and the post's own message."""

    group_channel_id: int
    guild_id: int | None
    post_id: int
    message_id: int
    thread_id: int | None
    mode: ReplyLogMode


async def log_targets(db: Connection, *, per_group: int = 20) -> list[Target]:
    """The most recent ``per_group`` confirmed posts of every group that keeps a log."""
    query = """
        SELECT g.channel_id, g.guild_id, p.id, p.message_id, p.thread_id, g.reply_log
        FROM posts AS p JOIN groups AS g ON g.channel_id = p.channel_id
        WHERE p.message_id IS NOT NULL AND g.reply_log != 'off'
            AND p.id IN (
                SELECT id FROM posts AS q
                WHERE q.channel_id = p.channel_id AND q.message_id IS NOT NULL
                ORDER BY q.id DESC LIMIT ?
            )
        ORDER BY p.id
    """
    async with db.execute(query, (per_group,)) as cursor:
        return [Target(int(r[0]), r[1], int(r[2]), int(r[3]), r[4], r[5]) async for r in cursor]


async def recent_logged_ids(
    db: Connection, channel_id: int, count: int
) -> tuple[int | None, list[int]]:
    """The ``count`` newest logged messages of a channel, oldest first, and the logged message
    just before them (None when there are no more): a catch-up re-reads the channel after that
    one, to see edits and deletions made while the bot was away."""
    query = """
        SELECT message_id FROM replies WHERE channel_id = ?
        ORDER BY message_id DESC LIMIT ?
    """
    async with db.execute(query, (channel_id, count + 1)) as cursor:
        newest = [int(row[0]) async for row in cursor]
    before = newest[count] if len(newest) > count else None
    return before, sorted(newest[:count])


async def opted_out_ids(db: Connection) -> set[int]:
    async with db.execute("SELECT user_id FROM opt_outs") as cursor:
        return {int(r[0]) async for r in cursor}


async def set_opted_out(db: Connection, user_id: int, *, opted_out: bool, now: dt.datetime) -> bool:
    """Record the member's choice. Returns whether it changed anything.

    Opting in starts the member's log at ``now``: what they wrote while opted out is never
    logged, not even by the catch-up after a restart."""
    async with transaction(db):
        if opted_out:
            query = "INSERT OR IGNORE INTO opt_outs (user_id, opted_out_at) VALUES (?, ?)"
            cursor = await db.execute(query, (user_id, _iso(now)))
        else:
            cursor = await db.execute("DELETE FROM opt_outs WHERE user_id = ?", (user_id,))
            if cursor.rowcount:
                await _start_log(db, user_id, now)
        return cursor.rowcount > 0


async def _start_log(db: Connection, user_id: int, at: dt.datetime) -> None:
    """The member's log starts at ``at`` (or later, if it already did)."""
    query = """
        INSERT INTO log_starts (user_id, starts_at) VALUES (?, ?)
        ON CONFLICT (user_id)
        DO UPDATE SET starts_at = max(log_starts.starts_at, excluded.starts_at)
    """
    await db.execute(query, (user_id, _iso(at)))


@dataclass(frozen=True, slots=True)
class Erased:
    replies: int
    reactions: int
    poll_answers: int


async def forget_member(db: Connection, user_id: int, *, at: dt.datetime) -> Erased:
    """Erase every reply, reaction and poll answer of the member, and the reactions to their
    replies (an opt-out stays: it is their choice). Their log starts at ``at``: nothing they
    wrote before is ever logged again, whatever a catch-up reads.

    Returns:
        How many of their replies, of their own reactions and of their poll answers were
        erased.
    """
    async with transaction(db):
        query = """
            DELETE FROM reactions
            WHERE message_id IN (SELECT message_id FROM replies WHERE author_id = ?)
        """
        await db.execute(query, (user_id,))
        replies = await db.execute("DELETE FROM replies WHERE author_id = ?", (user_id,))
        reactions = await db.execute("DELETE FROM reactions WHERE user_id = ?", (user_id,))
        answers = await db.execute("DELETE FROM poll_answers WHERE user_id = ?", (user_id,))
        await db.execute("UPDATE groups SET created_by = NULL WHERE created_by = ?", (user_id,))
        await db.execute("DELETE FROM facilitator_turns WHERE user_id = ?", (user_id,))
        await db.execute("DELETE FROM facilitators WHERE user_id = ?", (user_id,))
        await db.execute("DELETE FROM facilitator_packets WHERE user_id = ?", (user_id,))
        await db.execute("UPDATE polls SET created_by = NULL WHERE created_by = ?", (user_id,))
        await _start_log(db, user_id, at)
        return Erased(replies.rowcount, reactions.rowcount, answers.rowcount)


async def member_data(db: Connection, user_id: int) -> dict[str, Any]:
    """Everything kept about the member, for ``/privacy export``."""
    query = """
        SELECT r.message_id, r.channel_id, r.group_channel_id, r.guild_id, p.installment_key,
               r.author_name, r.content, r.created_at, r.edited_at, r.reply_to_id,
               r.attachments, r.words
        FROM replies AS r LEFT JOIN posts AS p ON p.id = r.post_id
        WHERE r.author_id = ?
        ORDER BY r.message_id
    """
    async with db.execute(query, (user_id,)) as cursor:
        replies = [dict(row) async for row in cursor]
    query = """
        SELECT message_id, channel_id, emoji, created_at FROM reactions
        WHERE user_id = ? ORDER BY message_id, emoji
    """
    async with db.execute(query, (user_id,)) as cursor:
        reactions = [dict(row) async for row in cursor]
    # What their replies quote (quotes that cite themselves): where, never more of their text.
    query = """
        SELECT q.message_id, q.quote, q.slug, q.paragraph, q.first_sentence, q.last_sentence,
               q.kind
        FROM quote_matches AS q JOIN replies AS r ON r.message_id = q.message_id
        WHERE r.author_id = ? ORDER BY q.message_id, q.quote
    """
    async with db.execute(query, (user_id,)) as cursor:
        quotes = [dict(row) async for row in cursor]
    async with db.execute(
        "SELECT opted_out_at FROM opt_outs WHERE user_id = ?", (user_id,)
    ) as cursor:
        row = await cursor.fetchone()
    async with db.execute(
        "SELECT starts_at FROM log_starts WHERE user_id = ?", (user_id,)
    ) as cursor:
        start = await cursor.fetchone()
    # Facilitator rotations they are in, and the installments given to them by a swap or skip.
    query = "SELECT channel_id, added_at FROM facilitators WHERE user_id = ? ORDER BY channel_id"
    async with db.execute(query, (user_id,)) as cursor:
        rotations = [dict(row) async for row in cursor]
    query = """
        SELECT channel_id, number FROM facilitator_turns WHERE user_id = ?
        ORDER BY channel_id, number
    """
    async with db.execute(query, (user_id,)) as cursor:
        turns = [dict(row) async for row in cursor]
    query = """
        SELECT channel_id, number, claimed_at, delivered_at, pending FROM facilitator_packets
        WHERE user_id = ? ORDER BY channel_id, number
    """
    async with db.execute(query, (user_id,)) as cursor:
        packets = [dict(row) async for row in cursor]
    return {
        "user_id": user_id,
        "opted_out_at": row[0] if row else None,
        "log_starts_at": start[0] if start else None,
        "replies": replies,
        "reactions": reactions,
        "quotes": quotes,
        "facilitator_rotations": rotations,
        "facilitator_turns": turns,
        "facilitator_packets": packets,
        "poll_answers": await member_poll_answers(db, user_id),
    }


async def erase_old_content(db: Connection, cutoff: dt.datetime) -> int:
    """Retention: erase the text of replies created before ``cutoff``; counts remain."""
    async with transaction(db):
        cursor = await db.execute(
            "UPDATE replies SET content = NULL WHERE created_at < ? AND content IS NOT NULL",
            (_iso(cutoff),),
        )
        return cursor.rowcount


#: The keys of every row :func:`export_replies` yields, in order (a CSV export's header row).
EXPORT_COLUMNS = (
    "message_id",
    "group_channel_id",
    "channel_id",
    "installment_key",
    "author_id",
    "author_name",
    "created_at",
    "edited_at",
    "reply_to_id",
    "attachments",
    "words",
    "content",
    "reactions",
)


async def export_replies(
    db: Connection,
    *,
    group_channel_id: int | None = None,
    since: dt.datetime | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Logged replies, oldest first, with their installment and reaction counts; each row has
    the keys of :data:`EXPORT_COLUMNS`."""
    query = """
        SELECT r.message_id, r.group_channel_id, r.channel_id, p.installment_key,
               r.author_id, r.author_name, r.created_at, r.edited_at, r.reply_to_id,
               r.attachments, r.words, r.content,
               (SELECT group_concat(emoji || ':' || n, ' ') FROM (
                    SELECT emoji, count(*) AS n FROM reactions
                    WHERE reactions.message_id = r.message_id GROUP BY emoji ORDER BY emoji
               ) AS per_emoji) AS reactions
        FROM replies AS r LEFT JOIN posts AS p ON p.id = r.post_id
        WHERE (CAST(:group AS BIGINT) IS NULL OR r.group_channel_id = :group)
            AND (CAST(:since AS TEXT) IS NULL OR r.created_at >= :since)
        ORDER BY r.created_at, r.message_id
    """
    params = {"group": group_channel_id, "since": _iso(since)}
    async with db.execute(query, params) as cursor:
        async for row in cursor:
            yield dict(row)
