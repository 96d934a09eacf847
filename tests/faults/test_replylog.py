"""No reply lost: reconnects of a group with many posts, hostile text, and a locked or full
database while the reply log writes."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import closing, contextmanager

import aiosqlite
import pytest

from bot.client import ReadingGroupBot
from bot.core.plan import GroupConfig
from bot.core.replies import Delete, Edit, ReactionAdd
from bot.discord.replylog import RETRY_MAX, ReplyLog
from bot.storage.database import can_clear, transaction
from bot.storage.replies import apply_events
from tests.discord import scheduling
from tests.discord.scheduling import FIRST_SLOT, Clock, MakeBot, first_parts, group_config, tick
from tests.discord.test_discussion import discussion, logged, rows
from tests.fakediscord import FakeDiscord
from tests.storage.test_replies import (
    BOB,
    GROUP,
    POST_MESSAGE,
    T0,
    THREAD,
    add_group,
    add_post,
    reply,
)

# The scheduling fixtures this module uses, by name.
clock, library, make_bot, prompts = (
    scheduling.clock,
    scheduling.library,
    scheduling.make_bot,
    scheduling.prompts,
)

#: More posts than the log tracks per group (``log_targets``' ``per_group``).
POSTS = 21


def short_excerpts(fake: FakeDiscord) -> GroupConfig:
    """The test group with excerpts short enough for more than ``POSTS`` installments."""
    return group_config(fake.readings.id, word_target=200)


REPLIES = "SELECT message_id, reply_to_id, content FROM replies ORDER BY message_id"


def slots(count: int) -> list[dt.datetime]:
    """The group's first ``count`` slots (Mondays and Thursdays 19:00 Berlin, before DST)."""
    found = [FIRST_SLOT]
    while len(found) < count:
        found.append(found[-1] + dt.timedelta(days=3 if found[-1].weekday() == 0 else 4))
    return found


async def post_at(bot: ReadingGroupBot, clock: Clock, when: list[dt.datetime]) -> None:
    for slot in when:
        clock.set(slot)
        await tick(bot)


def channel_reads(fake: FakeDiscord) -> int:
    """History requests for the group's channel so far."""
    return sum(
        r.path.endswith(f"/{fake.readings.id}/messages")
        for r in fake.requests_to("GET", "/channels/{channel_id}/messages")
    )


async def caught_up(fake: FakeDiscord, bot: ReadingGroupBot, reads_before: int) -> None:
    """Wait until a catch-up has re-read the group's channel, then commit what it queued."""
    cog = discussion(bot)
    await fake.wait_for(
        lambda: channel_reads(fake) > reads_before and not cog._backfills,
        timeout=10,
        what="the catch-up to re-read the channel",
    )
    await bot.reply_log.flush()


@pytest.mark.parametrize("reconnect", ["resume", "new-session", "restart"])
async def test_a_catch_up_keeps_replies_to_posts_it_no_longer_re_reads(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    db: aiosqlite.Connection,
    reconnect: str,
) -> None:
    fake = fake_discord
    bot = await make_bot([short_excerpts(fake)])
    first, *later = slots(POSTS)
    await post_at(bot, clock, [first])
    (oldest,) = first_parts(fake, "readings")
    old = [
        fake.post("alice", "readings", "on the first excerpt", reply_to=oldest),
        fake.post("bob", "readings", "a second thought", reply_to=oldest),
    ]
    await logged(fake, db, "SELECT count(*) FROM replies", [(2,)])
    await post_at(bot, clock, later)
    newest = first_parts(fake, "readings")[-1]
    assert len(first_parts(fake, "readings")) == POSTS
    kept = fake.post("alice", "readings", "on the newest excerpt", reply_to=newest)
    gone = fake.post("bob", "readings", "regretted", reply_to=newest)
    await logged(fake, db, "SELECT count(*) FROM replies", [(4,)])

    reads = channel_reads(fake)
    if reconnect == "restart":
        await bot.close()
        fake.delete(gone)
        bot = await make_bot([short_excerpts(fake)])
    else:
        async with fake.gateway_down(code=4000):
            fake.delete(gone)
            if reconnect == "new-session":
                fake.restart()
    await caught_up(fake, bot, reads)

    assert await rows(db, REPLIES) == [
        (old[0].id, oldest.id, "on the first excerpt"),
        (old[1].id, oldest.id, "a second thought"),
        (kept.id, newest.id, "on the newest excerpt"),
    ]


async def test_a_reply_with_a_lone_surrogate_is_stored_with_a_replacement_character(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    bot = await make_bot([group_config(fake.readings.id)])
    await post_at(bot, clock, slots(1))
    (post,) = first_parts(fake, "readings")
    (thread,) = fake.threads("readings")
    broken = fake.post("alice", thread, "half an emoji \ud83d here")
    fake.edit(broken, "still \udfff broken")
    after = fake.post("bob", "readings", "a fine reply", reply_to=post)
    await logged(
        fake,
        db,
        "SELECT message_id, content, words, edited_at IS NOT NULL FROM replies ORDER BY 1",
        [(broken.id, "still \ufffd broken", 3, 1), (after.id, "a fine reply", 3, 0)],
    )


# -- the database refuses writes for a while


class FakeTime:
    """The reply log's injected clock and sleep. A pause moves the clock on at once, then waits
    until the test lets the writer go on (:meth:`allow`), so a test decides how many tries fail.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []
        self._turns = asyncio.Semaphore(0)

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds
        await self._turns.acquire()

    def allow(self, tries: int = 1) -> None:
        for _ in range(tries):
            self._turns.release()


async def until(predicate: Callable[[], bool], what: str) -> None:
    """Wait (a few seconds at most) until ``predicate()`` holds."""
    async with asyncio.timeout(5):
        while not predicate():  # noqa: ASYNC110 (the log has no event for it)
            await asyncio.sleep(0.002)
    assert predicate(), what


@pytest.fixture
def db(sqlite_db: aiosqlite.Connection) -> aiosqlite.Connection:
    """These inject SQLite's own faults (a locked file, a full disk, its pragmas): SQLite alone."""
    return sqlite_db


@pytest.fixture
async def thread_db(db: aiosqlite.Connection) -> aiosqlite.Connection:
    """The database with a group and its post; a lock is given up after 50 ms, not 5 s."""
    await add_group(db, GROUP)
    await add_post(db, GROUP, 1, POST_MESSAGE, THREAD)
    await db.execute("PRAGMA busy_timeout = 50")
    return db


@pytest.fixture
async def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def reply_log(thread_db: aiosqlite.Connection, time: FakeTime) -> AsyncIterator[ReplyLog]:
    log = ReplyLog(thread_db, flush_interval=0.005, sleep=time.sleep, clock=time.clock)
    await log.start()
    yield log
    time.allow(100)
    await log.close()


async def database_file(db: aiosqlite.Connection) -> str:
    async with db.execute("PRAGMA database_list") as cursor:
        (path,) = [str(row[2]) async for row in cursor if row[1] == "main"]
    return path


@contextmanager
def locked(path: str) -> Iterator[Callable[[], None]]:
    """Another process holds the database's write lock (``BEGIN EXCLUSIVE``) until the
    returned function is called (or the block ends)."""
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")

        def unlock() -> None:
            if other.in_transaction:
                other.execute("ROLLBACK")

        try:
            yield unlock
        finally:
            unlock()


LOGGED = "SELECT message_id, content, edited_at FROM replies ORDER BY message_id"
EDITED = T0 + dt.timedelta(hours=1)


def talk(log: ReplyLog) -> None:
    """A reply, its edit, a reply and its deletion, a reaction: order matters for each."""
    for event in [
        reply(1001),
        Edit(1001, "edited while the database was locked", EDITED, 6, 0),
        reply(1002),
        Delete((1002,)),
        reply(1003),
        ReactionAdd(1003, THREAD, BOB, "⭐", T0),
    ]:
        log.put(event)


TALKED = [
    (1001, "edited while the database was locked", "2027-01-04T19:00:00.000000Z"),
    (1003, "reply 1003 about the market", None),
]


Said = Callable[[], list[tuple[int, str]]]


@pytest.fixture
def said(caplog: pytest.LogCaptureFixture) -> Said:
    """What the reply log has logged so far (INFO and up), as (level, message)."""
    caplog.set_level(logging.INFO, logger="bot.discord.replylog")
    return lambda: [
        (r.levelno, r.getMessage()) for r in caplog.records if r.name == "bot.discord.replylog"
    ]


async def test_a_locked_database_keeps_events_queued_and_in_order_until_it_is_free(
    thread_db: aiosqlite.Connection,
    reply_log: ReplyLog,
    time: FakeTime,
    said: Said,
) -> None:
    with locked(await database_file(thread_db)) as unlock:
        talk(reply_log)
        await until(lambda: len(time.pauses) == 1, "the first failed write")
        assert await rows(thread_db, LOGGED) == []
        assert reply_log.pending == 6
        reply_log.put(Edit(1003, "edited after the failed write", EDITED, 5, 0))  # goes last
        time.allow(2)
        await until(lambda: len(time.pauses) == 3, "two more failed tries")
        assert time.pauses == [0.5, 1.0, 2.0]
        assert await rows(thread_db, LOGGED) == []
        unlock()
        time.allow()
        await until(lambda: reply_log.pending == 0, "the backlog to be written")
    assert await rows(thread_db, LOGGED) == [
        TALKED[0],
        (1003, "edited after the failed write", "2027-01-04T19:00:00.000000Z"),
    ]
    assert await rows(thread_db, "SELECT message_id, user_id, emoji FROM reactions") == [
        (1003, BOB, "⭐")
    ]
    assert time.pauses == [0.5, 1.0, 2.0]
    assert said() == [
        (
            logging.WARNING,
            "Cannot write the reply log (OperationalError: database is locked); 6 events stay "
            "queued and are tried again until the database takes them",
        ),
        (
            logging.INFO,
            "The reply log writes again: its backlog is written (7 events) after 4 s and 3 "
            "failed tries",
        ),
    ]


async def test_replies_edits_and_deletions_in_discord_wait_out_a_locked_database(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection, said: Said
) -> None:
    fake = fake_discord
    bot = await make_bot([group_config(fake.readings.id)])
    await post_at(bot, clock, slots(1))
    (thread,) = fake.threads("readings")
    await fake.wait_for(lambda: thread.id in bot.reply_log.threads, what="the thread")
    await db.execute("PRAGMA busy_timeout = 50")
    with locked(await database_file(db)) as unlock:
        kept = fake.post("alice", thread, "written while the database was locked")
        gone = fake.post("bob", thread, "deleted while the database was locked")
        fake.edit(kept, "edited while the database was locked")
        fake.delete(gone)
        await fake.wait_for(
            lambda: [level for level, _ in said()] == [logging.WARNING], what="the backlog"
        )
        assert await rows(db, "SELECT count(*) FROM replies") == [(0,)]
        unlock()
    await logged(
        fake,
        db,
        "SELECT message_id, content, edited_at IS NOT NULL FROM replies",
        [(kept.id, "edited while the database was locked", 1)],
    )


async def test_a_full_disk_keeps_events_queued_and_reports_the_backlog_until_there_is_room(
    thread_db: aiosqlite.Connection,
    reply_log: ReplyLog,
    time: FakeTime,
    said: Said,
) -> None:
    (pages,) = (await rows(thread_db, "PRAGMA page_count"))[0]
    # The file may not grow by one page: SQLite answers SQLITE_FULL, as on a full disk.
    await thread_db.execute(f"PRAGMA max_page_count = {pages}")
    long = " ".join(["word"] * 2000)  # 10,000 characters: new pages are needed
    reply_log.put(reply(1001, content=long))
    reply_log.put(Edit(1001, long + " more", EDITED, 2001, 0))
    reply_log.put(reply(1002, content=long))
    await until(lambda: len(time.pauses) == 1, "the first failed write")
    time.allow(8)
    await until(lambda: len(time.pauses) == 9, "eight more failed tries")
    assert await rows(thread_db, LOGGED) == []
    assert time.pauses == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, RETRY_MAX, RETRY_MAX, RETRY_MAX]
    await thread_db.execute(f"PRAGMA max_page_count = {pages * 1000}")  # room again
    time.allow()
    await until(lambda: reply_log.pending == 0, "the backlog to be written")
    assert await rows(thread_db, LOGGED) == [
        (1001, long + " more", "2027-01-04T19:00:00.000000Z"),
        (1002, long, None),
    ]
    assert said() == [
        (
            logging.WARNING,
            "Cannot write the reply log (OperationalError: database or disk is full); 3 events "
            "stay queued and are tried again until the database takes them",
        ),
        (
            logging.WARNING,
            "The reply log still cannot write (OperationalError: database or disk is full): 3 "
            "events waiting, 0 written, failing for 62 s",
        ),
        (
            logging.INFO,
            "The reply log writes again: its backlog is written (3 events) after 122 s and 9 "
            "failed tries",
        ),
    ]


async def test_only_the_event_sqlite_refuses_on_its_own_is_left_out(
    thread_db: aiosqlite.Connection,
    reply_log: ReplyLog,
    time: FakeTime,
    said: Said,
) -> None:
    for event in [
        reply(1001),
        reply(1002),
        reply(1003, post_id=999),  # no such post: the foreign key refuses this one row
        reply(1004),
        Edit(1001, "edited", EDITED, 1, 0),
        Delete((1002,)),
    ]:
        reply_log.put(event)
    await until(lambda: reply_log.pending == 0, "the batch to be written")
    assert await rows(thread_db, LOGGED) == [
        (1001, "edited", "2027-01-04T19:00:00.000000Z"),
        (1004, "reply 1004 about the market", None),
    ]
    assert said() == [
        (
            logging.ERROR,
            "Left out a log event SQLite refuses: Reply of message 1003 (FOREIGN KEY "
            "constraint failed)",
        )
    ]
    assert time.pauses == []


async def test_a_full_backlog_keeps_deletions_and_says_what_it_left_out(
    thread_db: aiosqlite.Connection, time: FakeTime, said: Said
) -> None:
    log = ReplyLog(thread_db, max_backlog=3, sleep=time.sleep, clock=time.clock)
    await log.start()
    with locked(await database_file(thread_db)) as unlock:
        for event in [reply(1001), reply(1002), reply(1003), reply(1004), Delete((1001,))]:
            log.put(event)
        assert log.pending == 4
        await until(lambda: len(time.pauses) == 1, "the first failed write")
        unlock()
        time.allow()
        await until(lambda: log.pending == 0, "the backlog to be written")
    assert await rows(thread_db, "SELECT message_id FROM replies") == [(1002,), (1003,)]
    time.allow(10)
    await log.close()
    assert [level for level, _ in said()] == [
        logging.ERROR,
        logging.WARNING,
        logging.INFO,
        logging.ERROR,
    ]
    full, *_, left_out = said()
    assert full[1] == (
        "The reply log's backlog is full (3 events wait for the database): new replies, edits "
        "and reactions are NOT logged until it takes writes again (deletions still are)"
    )
    assert left_out[1] == (
        "The reply log left out 1 events while its backlog was full; a catch-up (the next "
        "restart or reconnect) logs the replies Discord still shows"
    )


async def test_shutdown_waits_a_while_for_a_locked_database(
    thread_db: aiosqlite.Connection, time: FakeTime
) -> None:
    log = ReplyLog(thread_db, sleep=time.sleep, clock=time.clock)
    await log.start()
    with locked(await database_file(thread_db)) as unlock:
        talk(log)
        closing = asyncio.create_task(log.close())
        await until(lambda: len(time.pauses) == 1, "a failed write at shutdown")
        unlock()
        time.allow()
        async with asyncio.timeout(5):
            await closing
    assert await rows(thread_db, LOGGED) == TALKED


async def test_shutdown_says_what_a_database_locked_for_good_kept_it_from_writing(
    thread_db: aiosqlite.Connection, time: FakeTime, said: Said
) -> None:
    log = ReplyLog(thread_db, sleep=time.sleep, clock=time.clock)  # its writer not started
    time.allow(100)
    with locked(await database_file(thread_db)):
        talk(log)
        await log.close(wait=10)
    assert await rows(thread_db, LOGGED) == []
    assert time.pauses == [0.5, 1.0, 2.0, 4.0, 2.5]  # ten seconds, then it gives up
    assert said()[-1] == (
        logging.ERROR,
        "Shut down with 6 reply log events not written (the database refused them for 10 s): "
        "they are lost; a catch-up at the next start logs again the replies Discord still "
        "shows",
    )


async def test_a_commit_that_fails_is_rolled_back(thread_db: aiosqlite.Connection) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with transaction(thread_db):
            # A deferred foreign key is checked at COMMIT, which then fails.
            await thread_db.execute("PRAGMA defer_foreign_keys = ON")
            await thread_db.execute(
                "INSERT INTO replies (message_id, channel_id, group_channel_id, post_id, "
                "author_id, author_name, created_at) VALUES (1001, 1, 1, 999, 1, 'a', 'now')"
            )
    assert not thread_db.in_transaction
    await apply_events(thread_db, [reply(1002)])
    assert await rows(thread_db, "SELECT message_id FROM replies") == [(1002,)]


def sqlite_error(kind: type[sqlite3.Error], code: int) -> sqlite3.Error:
    error = kind("refused")
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    return error


@pytest.mark.parametrize(
    ("error", "clears"),
    [
        (sqlite3.OperationalError("database is locked"), True),
        (sqlite_error(sqlite3.DatabaseError, sqlite3.SQLITE_IOERR_WRITE), True),
        (sqlite_error(sqlite3.DatabaseError, sqlite3.SQLITE_FULL), True),
        (sqlite_error(sqlite3.IntegrityError, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY), False),
        (sqlite_error(sqlite3.DatabaseError, sqlite3.SQLITE_CORRUPT), False),
        (UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"), False),
        (OverflowError("Python int too large to convert to SQLite INTEGER"), False),
    ],
)
def test_errors_that_can_clear(error: Exception, clears: bool) -> None:
    assert can_clear(error) is clears
