"""Reading groups, their posts and asked questions: the SQL half (tables of migration 0002).

Rows of ``groups`` are :class:`bot.core.group.Group` values. A group's settings come from
``/plan start`` or from groups.yaml; when both define a channel, the file wins
(:func:`sync_file_groups` overwrites the settings and keeps the progress). Progress is the key of
the last installment done.

Posting is exactly once: :func:`claim_post` inserts the post (``UNIQUE (channel_id, slot)``), its
questions and the group's new progress in one ``BEGIN IMMEDIATE`` transaction before anything is
sent, and :func:`confirm_post` records the message after. A claim without confirmation is
reconciled with the channel's history by the caller before it is sent again, unless its lease
says another process may still be sending it (:mod:`bot.storage.instance`).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from bot.core.errors import ReadingGroupError
from bot.core.group import Group, file_group
from bot.core.instants import format_instant, parse_instant
from bot.core.pages import clip
from bot.core.plan import GroupConfig
from bot.core.readings import Library
from bot.core.schedule import parse_cadence
from bot.storage.connection import Connection, Row
from bot.storage.database import transaction, write_lock
from bot.storage.facilitators import replace_rotation
from bot.storage.instance import Lease, Owner, new_lease, stored_lease

PostKind = Literal["scheduled", "manual"]
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Post:
    """A claimed post; ``posted_at`` is None until it is confirmed in the channel."""

    id: int
    channel_id: int
    slot: dt.datetime
    kind: PostKind
    installment_key: str
    number: int
    total: int
    claimed_at: dt.datetime
    questions: tuple[str, ...] = ()
    message_id: int | None = None
    thread_id: int | None = None
    posted_at: dt.datetime | None = None
    late: bool = False
    lease: Lease | None = None


def _instant(text: str | None) -> dt.datetime | None:
    return None if text is None else parse_instant(text)


def _text(moment: dt.datetime | None) -> str | None:
    return None if moment is None else format_instant(moment)


class UnreadableGroup(ReadingGroupError):
    """A stored group has a value the bot cannot read (e.g. written by an older version, or
    edited by hand): the group is skipped, the others go on.

    Attributes:
        channel_id, name: which group.
        declared_at: where groups.yaml declares it, or None for a group of /plan start.
        retired: dropped from groups.yaml (never posted anyway).
        column, value: the unreadable setting and its stored value.
    """

    def __init__(
        self,
        *,
        channel_id: int,
        name: str,
        declared_at: str | None,
        retired: bool,
        column: str,
        value: object,
        reason: str,
    ) -> None:
        self.channel_id = channel_id
        self.name = name
        self.declared_at = declared_at
        self.retired = retired
        self.column = column
        self.value = value
        fix = (
            f"fix the group in {declared_at} and run /plan reload"
            if declared_at
            else "run /plan start in that channel again"
        )
        shown = clip(repr(value), 80)
        super().__init__(
            f"The stored plan of group {clip(name, 80)!r} (channel {channel_id}) cannot be read, "
            f"so it is skipped: its {column} {shown} {reason}; {fix}"
        )


def _column(row: Row, column: str, read: Callable[[Any], _T]) -> _T:
    """``read(row[column])``, or UnreadableGroup naming the column and its value."""
    value = row[column]
    try:
        return read(value)
    except (ValueError, TypeError, AttributeError, ReadingGroupError) as exc:
        raise UnreadableGroup(
            channel_id=row["channel_id"],
            name=str(row["name"]),
            declared_at=row["declared_at"],
            retired=bool(row["retired"]),
            column=column,
            value=value,
            reason=f"is not valid ({clip(str(exc), 120)})",
        ) from None


def _readings(text: str) -> tuple[str, ...]:
    readings = json.loads(text)
    if not isinstance(readings, list) or not all(isinstance(r, str) for r in readings):
        raise ValueError("not a list of reading slugs")
    return tuple(readings)


def _group(row: Row) -> Group:
    """The group of ``row``. Raises UnreadableGroup for a value that cannot be read."""
    return Group(
        channel_id=row["channel_id"],
        guild_id=row["guild_id"],
        name=row["name"],
        declared_at=row["declared_at"],
        readings=_column(row, "readings", _readings),
        word_target=row["word_target"],
        cadence=_column(row, "cadence", parse_cadence),
        questions_per_post=row["questions_per_post"],
        start=_column(row, "start", parse_instant),
        ping_role_id=row["ping_role_id"],
        organizer_role_id=row["organizer_role_id"],
        summary=_column(row, "summary", lambda text: parse_cadence(text) if text else None),
        created_by=row["created_by"],
        file_paused=bool(row["file_paused"]),
        paused_at=_column(row, "paused_at", _instant),
        retired=bool(row["retired"]),
        done_key=row["done_key"],
        done_count=row["done_count"],
        last_slot=_column(row, "last_slot", _instant),
        blocked=row["blocked"],
        reply_log=row["reply_log"],
        quote_check=row["quote_check"],
    )


async def get_group(db: Connection, channel_id: int) -> Group | None:
    """The group reading in ``channel_id``, retired or not, or None.

    Raises:
        UnreadableGroup: its stored settings cannot be read.
    """
    query = "SELECT * FROM groups WHERE channel_id = ?"
    async with db.execute(query, (channel_id,)) as cursor:
        row = await cursor.fetchone()
    return None if row is None else _group(row)


async def read_groups(
    db: Connection, *, retired: bool = False
) -> tuple[list[Group], list[UnreadableGroup]]:
    """Every group that can be read (with ``retired``, also those dropped from groups.yaml), by
    channel id, and the problem of each one that cannot: one bad row never hides the others."""
    query = "SELECT * FROM groups WHERE retired = 0 OR ? ORDER BY channel_id"
    groups: list[Group] = []
    unreadable: list[UnreadableGroup] = []
    async with db.execute(query, (retired,)) as cursor:
        async for row in cursor:
            try:
                groups.append(_group(row))
            except UnreadableGroup as exc:
                unreadable.append(exc)
    return groups, unreadable


async def list_groups(db: Connection, *, retired: bool = False) -> list[Group]:
    """Every group (with ``retired``, also those dropped from groups.yaml), by channel id.

    Raises:
        UnreadableGroup: a group's stored settings cannot be read (see :func:`read_groups`).
    """
    groups, unreadable = await read_groups(db, retired=retired)
    if unreadable:
        raise unreadable[0]
    return groups


async def _save(db: Connection, group: Group, now: dt.datetime) -> None:
    """Insert the group, or update its settings; its progress stays as it is."""
    query = """
        INSERT INTO groups (
            channel_id, guild_id, name, declared_at, readings, word_target, cadence,
            questions_per_post, start, ping_role_id, organizer_role_id, summary, created_by,
            file_paused, retired, done_key, done_count, last_slot, created_at, updated_at,
            reply_log, quote_check
        )
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (channel_id) DO UPDATE SET
            guild_id = coalesce(excluded.guild_id, groups.guild_id),
            name = excluded.name,
            declared_at = excluded.declared_at,
            readings = excluded.readings,
            word_target = excluded.word_target,
            cadence = excluded.cadence,
            questions_per_post = excluded.questions_per_post,
            start = excluded.start,
            ping_role_id = excluded.ping_role_id,
            organizer_role_id = excluded.organizer_role_id,
            summary = excluded.summary,
            created_by = coalesce(excluded.created_by, groups.created_by),
            file_paused = excluded.file_paused,
            retired = 0,
            updated_at = excluded.updated_at,
            reply_log = excluded.reply_log,
            quote_check = excluded.quote_check
    """
    stamp = format_instant(now)
    await db.execute(
        query,
        (
            group.channel_id,
            group.guild_id,
            group.name,
            group.declared_at,
            json.dumps(list(group.readings)),
            group.word_target,
            str(group.cadence),
            group.questions_per_post,
            format_instant(group.start),
            group.ping_role_id,
            group.organizer_role_id,
            None if group.summary is None else str(group.summary),
            group.created_by,
            group.file_paused,
            group.done_key,
            group.done_count,
            _text(group.last_slot),
            stamp,
            stamp,
            group.reply_log,
            group.quote_check,
        ),
    )


async def save_group(db: Connection, group: Group, *, now: dt.datetime) -> Group:
    """Create the group, or replace its settings keeping its progress (/plan start).

    Returns:
        The group as stored.
    """
    async with transaction(db):
        await _save(db, group, now)
    stored = await get_group(db, group.channel_id)
    assert stored is not None
    return stored


async def sync_file_groups(
    db: Connection,
    configs: Sequence[GroupConfig],
    library: Library,
    *,
    now: dt.datetime,
) -> list[Group]:
    """Store the groups of groups.yaml; retire file groups no longer in it. One transaction.

    Returns:
        The file's groups as stored, in file order.

    Raises:
        ContentError: a reading of a group is not in ``library`` (nothing is changed).
    """
    groups, unreadable = await read_groups(db, retired=True)
    existing = {g.channel_id: g for g in groups}
    # A row that cannot be read is replaced by the file's settings (its progress is kept).
    merged = [file_group(c, library, existing.get(c.channel_id), now=now) for c in configs]
    declared = {g.channel_id for g in merged}
    from_file = [g.channel_id for g in groups if g.from_file and not g.retired]
    from_file += [u.channel_id for u in unreadable if u.declared_at and not u.retired]
    query = "UPDATE groups SET retired = 1, updated_at = ? WHERE channel_id = ?"
    async with transaction(db):
        for group in merged:
            await _save(db, group, now)
        for config in configs:
            if config.facilitators is not None:  # the file's rotation wins, as its settings do
                await replace_rotation(db, config.channel_id, config.facilitators, now=now)
        for channel_id in from_file:
            if channel_id not in declared:
                await db.execute(query, (format_instant(now), channel_id))
    stored = []
    for group in merged:
        found = await get_group(db, group.channel_id)
        assert found is not None
        stored.append(found)
    return stored


async def groups_with_file(
    db: Connection,
    configs: Sequence[GroupConfig],
    library: Library,
    *,
    now: dt.datetime,
) -> list[Group]:
    """The groups the bot would run once ``configs`` are loaded, without writing anything:
    stored /plan start groups, and the file's groups merged with what is stored for them.

    Raises:
        ContentError: a reading of a group is not in ``library``.
        UnreadableGroup: a stored /plan start group cannot be read.
    """
    groups, unreadable = await running_groups(db, configs, library, now=now)
    if unreadable:
        raise unreadable[0]
    return groups


async def running_groups(
    db: Connection,
    configs: Sequence[GroupConfig],
    library: Library,
    *,
    now: dt.datetime,
) -> tuple[list[Group], list[UnreadableGroup]]:
    """As :func:`groups_with_file`, with the stored groups that cannot be read (and that the
    file does not replace) apart instead of raised.

    Raises:
        ContentError: a reading of a group is not in ``library``.
    """
    rows, unreadable = await read_groups(db, retired=True)
    stored = {g.channel_id: g for g in rows}
    groups = {g.channel_id: g for g in rows if not g.retired and not g.from_file}
    for config in configs:
        groups[config.channel_id] = file_group(
            config, library, stored.get(config.channel_id), now=now
        )
    declared = {config.channel_id for config in configs}
    unreadable = [u for u in unreadable if not u.retired and u.channel_id not in declared]
    return sorted(groups.values(), key=lambda g: g.channel_id), unreadable


async def _update(
    db: Connection,
    channel_id: int,
    assignments: str,
    values: Sequence[object],
    now: dt.datetime,
    *,
    where: str = "",
) -> bool:
    """``UPDATE groups SET <assignments>`` for one channel; whether a row changed.

    ``assignments`` and ``where`` are literals of this module, never user input.
    """
    query = f"""
        UPDATE groups SET {assignments}, updated_at = ?
        WHERE channel_id = ? {where}
    """
    async with write_lock(db):
        cursor = await db.execute(query, (*values, format_instant(now), channel_id))
    return cursor.rowcount > 0


async def set_progress(
    db: Connection,
    channel_id: int,
    done_key: str | None,
    done_count: int,
    *,
    now: dt.datetime,
) -> None:
    """Move the group's place (/plan skip, /plan goto): the last installment done."""
    await _update(db, channel_id, "done_key = ?, done_count = ?", (done_key, done_count), now)


async def set_last_slot(
    db: Connection, channel_id: int, slot: dt.datetime | None, *, now: dt.datetime
) -> None:
    """Mark scheduled slots up to ``slot`` as handled without posting (after a pause), or set
    it back (None: none handled yet) after the clock was ahead."""
    await _update(db, channel_id, "last_slot = ?", (_text(slot),), now)


async def pause_group(db: Connection, channel_id: int, *, now: dt.datetime) -> bool:
    """Stop posting (/plan pause). False when it was paused already."""
    return await _update(
        db, channel_id, "paused_at = ?", (format_instant(now),), now, where="AND paused_at IS NULL"
    )


async def resume_group(
    db: Connection,
    channel_id: int,
    *,
    now: dt.datetime,
    last_slot: dt.datetime | None = None,
) -> None:
    """Post again (/plan resume): clears the pause and any block; ``last_slot`` passes over
    the slots that went by while paused."""
    assignments = "paused_at = NULL, blocked = NULL"
    values: list[object] = []
    if last_slot is not None:
        assignments += ", last_slot = ?"
        values.append(format_instant(last_slot))
    await _update(db, channel_id, assignments, values, now)


async def block_group(db: Connection, channel_id: int, reason: str, *, now: dt.datetime) -> bool:
    """Stop posting because of ``reason`` until /plan resume or a reload.

    Returns:
        True when the group was not blocked before: the organizer is to be told (once).
    """
    return await _update(db, channel_id, "blocked = ?", (reason,), now, where="AND blocked IS NULL")


async def unblock_groups(db: Connection, *, now: dt.datetime) -> int:
    """Clear every block (after /plan reload). Returns how many groups were blocked."""
    query = "UPDATE groups SET blocked = NULL, updated_at = ? WHERE blocked IS NOT NULL"
    async with write_lock(db):
        cursor = await db.execute(query, (format_instant(now),))
    return cursor.rowcount


# --- posts ------------------------------------------------------------------------------------


async def claim_post(
    db: Connection,
    group: Group,
    *,
    slot: dt.datetime,
    kind: PostKind,
    installment_key: str,
    number: int,
    total: int,
    questions: Sequence[tuple[str, str]],
    now: dt.datetime,
    owner: Owner | None = None,
) -> Post | None:
    """Claim ``slot`` for the installment ``installment_key`` before anything is sent.

    In one transaction: the post row (``UNIQUE (channel_id, slot)``), its questions, and the
    group's progress (``done_key`` becomes this installment; a scheduled post's slot becomes
    ``last_slot``). The progress only moves if it is still ``group.done_key``, so two claims
    racing for the same installment cannot both win.

    Args:
        db: the connection.
        group: the group as read before choosing the installment.
        slot: the scheduled slot, or the time of /plan next.
        kind: scheduled or manual.
        installment_key, number, total: the installment and its place in the plan.
        questions: (question id, text) in order.
        now: the current instant.
        owner: the process claiming, which holds the claim for :data:`CLAIM_LEASE`; None makes
            a claim anyone may reconcile.

    Returns:
        The claimed post, or None when the slot (or the installment) was claimed already.
    """
    insert_post = """
        INSERT INTO posts (
            channel_id, slot, kind, installment_key, number, total, claimed_at, claimed_by,
            lease_until
        )
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        RETURNING id
    """
    insert_question = """
        INSERT INTO asked_questions (post_id, position, channel_id, question_id, text)
        VALUES (?, ?, ?, ?, ?)
    """
    progress = """
        UPDATE groups
        SET done_key = ?, done_count = ?, updated_at = ?,
            last_slot = CASE WHEN ? = 'scheduled' THEN ? ELSE last_slot END
        WHERE channel_id = ? AND done_key IS ?
    """
    stamp = format_instant(now)
    claimed_by, lease_until = new_lease(owner, now)
    try:
        async with transaction(db):
            values = (
                group.channel_id,
                format_instant(slot),
                kind,
                installment_key,
                number,
                total,
                stamp,
                claimed_by,
                lease_until,
            )
            async with db.execute(insert_post, values) as cursor:
                row = await cursor.fetchone()
            assert row is not None
            post_id = int(row[0])
            for position, (question_id, text) in enumerate(questions, 1):
                await db.execute(
                    insert_question, (post_id, position, group.channel_id, question_id, text)
                )
            cursor = await db.execute(
                progress,
                (
                    installment_key,
                    number,
                    stamp,
                    kind,
                    format_instant(slot),
                    group.channel_id,
                    group.done_key,
                ),
            )
            if cursor.rowcount != 1:
                raise _Lost
    except (sqlite3.IntegrityError, _Lost):
        return None
    return Post(
        id=post_id,
        channel_id=group.channel_id,
        slot=slot,
        kind=kind,
        installment_key=installment_key,
        number=number,
        total=total,
        claimed_at=parse_instant(stamp),
        questions=tuple(text for _, text in questions),
        lease=stored_lease(claimed_by, lease_until),
    )


class _Lost(Exception):
    """Another claim moved the group's progress first: roll this one back."""


async def _questions(db: Connection, post_id: int) -> tuple[str, ...]:
    query = "SELECT text FROM asked_questions WHERE post_id = ? ORDER BY position"
    async with db.execute(query, (post_id,)) as cursor:
        return tuple([row["text"] async for row in cursor])


async def _post(db: Connection, row: Row) -> Post:
    return Post(
        id=row["id"],
        channel_id=row["channel_id"],
        slot=parse_instant(row["slot"]),
        kind=row["kind"],
        installment_key=row["installment_key"],
        number=row["number"],
        total=row["total"],
        claimed_at=parse_instant(row["claimed_at"]),
        questions=await _questions(db, row["id"]),
        message_id=row["message_id"],
        thread_id=row["thread_id"],
        posted_at=_instant(row["posted_at"]),
        late=bool(row["late"]),
        lease=stored_lease(row["claimed_by"], row["lease_until"]),
    )


async def unconfirmed_posts(db: Connection, channel_id: int) -> list[Post]:
    """Claims of the channel not yet confirmed, oldest first."""
    query = "SELECT * FROM posts WHERE channel_id = ? AND posted_at IS NULL ORDER BY id"
    async with db.execute(query, (channel_id,)) as cursor:
        rows = await cursor.fetchall()
    return [await _post(db, row) for row in rows]


async def posts_of(db: Connection, channel_id: int) -> list[Post]:
    """Every post of the channel, claimed or confirmed, oldest first."""
    query = "SELECT * FROM posts WHERE channel_id = ? ORDER BY id"
    async with db.execute(query, (channel_id,)) as cursor:
        rows = await cursor.fetchall()
    return [await _post(db, row) for row in rows]


async def confirm_post(
    db: Connection,
    post_id: int,
    *,
    message_id: int,
    thread_id: int | None,
    late: bool,
    now: dt.datetime,
) -> None:
    """Record that the post is in the channel: its first message, its thread."""
    query = """
        UPDATE posts SET message_id = ?, thread_id = ?, late = ?, posted_at = ?
        WHERE id = ?
    """
    async with write_lock(db):
        await db.execute(query, (message_id, thread_id, late, format_instant(now), post_id))


async def asked_question_ids(db: Connection, channel_id: int) -> set[str]:
    """Ids of every question asked in the channel's group (never asked again)."""
    query = "SELECT question_id FROM asked_questions WHERE channel_id = ?"
    async with db.execute(query, (channel_id,)) as cursor:
        return {row["question_id"] async for row in cursor}
