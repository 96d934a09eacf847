"""The discussion log on a real SQLite file: idempotent events, privacy, retention, export."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import aiosqlite
import pytest

from bot.core.replies import (
    Delete,
    Edit,
    ReactionAdd,
    ReactionClear,
    ReactionRemove,
    Reply,
)
from bot.storage.replies import (
    EXPORT_COLUMNS,
    apply_events,
    erase_old_content,
    export_replies,
    forget_member,
    log_targets,
    member_data,
    opted_out_ids,
    recent_logged_ids,
    set_opted_out,
)

T0 = dt.datetime(2027, 1, 4, 18, 0, tzinfo=dt.UTC)
GROUP, THREAD, POST_MESSAGE = 100, 500, 400
ALICE, BOB = 1, 2


async def add_group(db: aiosqlite.Connection, channel_id: int, mode: str = "content") -> None:
    query = """
        INSERT INTO groups (channel_id, guild_id, name, readings, word_target, cadence,
            questions_per_post, start, created_at, updated_at, reply_log)
        VALUES (?, 9, 'g', '["a"]', 600, 'mon 19:00 UTC', 3, ?, ?, ?, ?)
    """
    stamp = "2027-01-01T00:00:00.000000Z"
    await db.execute(query, (channel_id, stamp, stamp, stamp, mode))


async def add_post(
    db: aiosqlite.Connection, channel_id: int, number: int, message_id: int, thread_id: int
) -> int:
    query = """
        INSERT INTO posts (channel_id, slot, kind, installment_key, number, total, claimed_at,
            message_id, thread_id, posted_at)
        VALUES (?, ?, 'scheduled', ?, ?, 10, ?, ?, ?, ?)
        RETURNING id
    """
    slot = f"2027-01-{number:02d}T18:00:00.000000Z"
    values = (channel_id, slot, f"a:{number}-{number}", number, slot, message_id, thread_id, slot)
    async with db.execute(query, values) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
async def post_id(db: aiosqlite.Connection) -> AsyncIterator[int]:
    await add_group(db, GROUP)
    yield await add_post(db, GROUP, 1, POST_MESSAGE, THREAD)


def reply(message_id: int, author: int = ALICE, **changes: object) -> Reply:
    fields: dict[str, object] = {
        "message_id": message_id,
        "channel_id": THREAD,
        "group_channel_id": GROUP,
        "guild_id": 9,
        "post_id": 1,
        "author_id": author,
        "author_name": f"user{author}",
        "content": f"reply {message_id} about the market",
        "created_at": T0 + dt.timedelta(minutes=message_id),
        "words": 5,
    }
    fields.update(changes)
    return Reply(**fields)  # type: ignore[arg-type]


async def rows(db: aiosqlite.Connection, query: str) -> list[tuple[object, ...]]:
    async with db.execute(query) as cursor:
        return [tuple(r) async for r in cursor]


async def test_a_reply_is_logged_once_however_often_it_is_seen(
    db: aiosqlite.Connection, post_id: int
) -> None:
    await apply_events(db, [reply(1001), reply(1002)])
    await apply_events(db, [reply(1001), reply(1002), reply(1003)])
    assert await rows(db, "SELECT message_id, content FROM replies ORDER BY 1") == [
        (1001, "reply 1001 about the market"),
        (1002, "reply 1002 about the market"),
        (1003, "reply 1003 about the market"),
    ]
    assert await recent_logged_ids(db, THREAD, 2) == (1001, [1002, 1003])
    assert await recent_logged_ids(db, THREAD, 5) == (None, [1001, 1002, 1003])
    assert await recent_logged_ids(db, 999, 5) == (None, [])


async def test_edits_update_content_and_a_stale_copy_does_not_revert_them(
    db: aiosqlite.Connection, post_id: int
) -> None:
    edited = T0 + dt.timedelta(hours=1)
    await apply_events(db, [reply(1001), Edit(1001, "changed my mind", edited, 3, 1)])
    # A backfill that sees the message as it is now (edited) and a stale unedited copy.
    await apply_events(db, [reply(1001), reply(1001, content="newer", edited_at=edited)])
    assert await rows(db, "SELECT content, edited_at, words, attachments FROM replies") == [
        ("changed my mind", "2027-01-04T19:00:00.000000Z", 3, 1)
    ]
    later = edited + dt.timedelta(minutes=5)
    await apply_events(db, [reply(1001, content="final", edited_at=later, words=1)])
    assert await rows(db, "SELECT content, words FROM replies") == [("final", 1)]


async def test_text_with_lone_surrogates_is_stored_with_replacement_characters(
    db: aiosqlite.Connection, post_id: int
) -> None:
    # Discord's JSON can carry half of a surrogate pair ("\\ud83d"); UTF-8 cannot store it.
    # A whole pair split into two code points is joined back into its character.
    await apply_events(
        db,
        [
            reply(1001, author_name="Ali\udc00ce", content="half \ud83d of an emoji", words=4),
            reply(1002, content="a whole \ud83d\ude00 pair", words=4),
            reply(1003),
            Edit(1003, "edited \udfff too", T0 + dt.timedelta(hours=1), 3, 0),
            ReactionAdd(1001, THREAD, BOB, "\ud83d", T0),
        ],
    )
    assert await rows(db, "SELECT message_id, author_name, content, words FROM replies") == [
        (1001, "Ali\ufffdce", "half \ufffd of an emoji", 4),
        (1002, "user1", "a whole \U0001f600 pair", 4),
        (1003, "user1", "edited \ufffd too", 3),
    ]
    assert await rows(db, "SELECT message_id, emoji FROM reactions") == [(1001, "\ufffd")]


async def test_deletes_remove_the_text_and_its_reactions(
    db: aiosqlite.Connection, post_id: int
) -> None:
    await apply_events(
        db,
        [
            reply(1001),
            reply(1002),
            reply(1003),
            ReactionAdd(1001, THREAD, BOB, "⭐", T0),
            ReactionAdd(1002, THREAD, BOB, "⭐", T0),
        ],
    )
    await apply_events(db, [Delete((1001,)), Delete((1002, 1003))])
    assert await rows(db, "SELECT * FROM replies") == []
    assert await rows(db, "SELECT * FROM reactions") == []


async def test_reactions_count_once_per_member_on_replies_and_posts_only(
    db: aiosqlite.Connection, post_id: int
) -> None:
    await apply_events(
        db,
        [
            reply(1001),
            ReactionAdd(1001, THREAD, BOB, "⭐", T0),
            ReactionAdd(1001, THREAD, BOB, "⭐", T0),  # replayed
            ReactionAdd(1001, THREAD, ALICE, "⭐", T0),
            ReactionAdd(POST_MESSAGE, GROUP, BOB, "❓", T0),
            ReactionAdd(777, GROUP, BOB, "⭐", T0),  # an unrelated message
        ],
    )
    assert await rows(
        db, "SELECT message_id, emoji, count(*) FROM reactions GROUP BY 1, 2 ORDER BY 1"
    ) == [(POST_MESSAGE, "❓", 1), (1001, "⭐", 2)]
    await apply_events(db, [ReactionRemove(1001, BOB, "⭐"), ReactionRemove(1001, BOB, "⭐")])
    assert await rows(db, "SELECT user_id FROM reactions WHERE message_id = 1001") == [(ALICE,)]
    await apply_events(db, [ReactionClear(POST_MESSAGE, "❓"), ReactionClear(1001)])
    assert await rows(db, "SELECT * FROM reactions") == []


async def test_opted_out_members_are_not_logged(db: aiosqlite.Connection, post_id: int) -> None:
    assert await set_opted_out(db, BOB, opted_out=True, now=T0)
    assert not await set_opted_out(db, BOB, opted_out=True, now=T0)
    await apply_events(
        db, [reply(1001, author=BOB), reply(1002), ReactionAdd(1002, THREAD, BOB, "⭐", T0)]
    )
    assert await rows(db, "SELECT author_id FROM replies") == [(ALICE,)]
    assert await rows(db, "SELECT * FROM reactions") == []
    assert await opted_out_ids(db) == {BOB}
    assert await set_opted_out(db, BOB, opted_out=False, now=T0)
    await apply_events(db, [reply(1003, author=BOB)])
    assert await rows(db, "SELECT count(*) FROM replies WHERE author_id = 2") == [(1,)]


async def test_export_and_forget_a_member(db: aiosqlite.Connection, post_id: int) -> None:
    await apply_events(
        db,
        [reply(1001), reply(1002, author=BOB), ReactionAdd(1002, THREAD, ALICE, "⭐", T0)],
    )
    data = await member_data(db, ALICE)
    assert [r["message_id"] for r in data["replies"]] == [1001]
    assert data["replies"][0]["installment_key"] == "a:1-1"
    assert data["replies"][0]["content"] == "reply 1001 about the market"
    assert [(r["message_id"], r["emoji"]) for r in data["reactions"]] == [(1002, "⭐")]

    erased = await forget_member(db, ALICE, at=T0 + dt.timedelta(days=1))
    assert (erased.replies, erased.reactions) == (1, 1)
    after = await member_data(db, ALICE)
    assert after["replies"] == [] and after["reactions"] == []
    assert after["log_starts_at"] == "2027-01-05T18:00:00.000000Z"
    assert await rows(db, "SELECT author_id FROM replies") == [(BOB,)]


async def test_retention_erases_old_text_and_keeps_counts(
    db: aiosqlite.Connection, post_id: int
) -> None:
    await apply_events(db, [reply(1), reply(100)])
    erased = await erase_old_content(db, T0 + dt.timedelta(minutes=50))
    assert erased == 1
    assert await rows(db, "SELECT message_id, content IS NULL, words FROM replies ORDER BY 1") == [
        (1, 1, 5),
        (100, 0, 5),
    ]
    assert await erase_old_content(db, T0 + dt.timedelta(minutes=50)) == 0


async def test_export_filters_by_group_and_date(db: aiosqlite.Connection, post_id: int) -> None:
    await add_group(db, 200)
    other = await add_post(db, 200, 2, 401, 501)
    await apply_events(
        db,
        [
            reply(1),
            reply(50),
            reply(60, channel_id=501, group_channel_id=200, post_id=other),
            ReactionAdd(50, THREAD, BOB, "⭐", T0),
            ReactionAdd(50, THREAD, ALICE, "⭐", T0),
        ],
    )
    rows = [r async for r in export_replies(db)]
    assert [r["message_id"] for r in rows] == [1, 50, 60]
    assert all(tuple(r) == EXPORT_COLUMNS for r in rows)
    recent = [
        (r["message_id"], r["reactions"], r["installment_key"])
        async for r in export_replies(
            db, group_channel_id=GROUP, since=T0 + dt.timedelta(minutes=10)
        )
    ]
    assert recent == [(50, "⭐:2", "a:1-1")]


async def test_log_targets_are_recent_posts_of_groups_that_keep_a_log(
    db: aiosqlite.Connection, post_id: int
) -> None:
    for number in range(2, 6):
        await add_post(db, GROUP, number, 400 + number, 500 + number)
    await add_group(db, 300, mode="off")
    await add_post(db, 300, 9, 409, 509)
    targets = await log_targets(db, per_group=3)
    assert [(t.group_channel_id, t.thread_id, t.mode) for t in targets] == [
        (GROUP, 503, "content"),
        (GROUP, 504, "content"),
        (GROUP, 505, "content"),
    ]
