"""The discussion log's runtime: which channels are logged, and a write queue.

Gateway events become :mod:`bot.core.replies` events; they are queued and written in batches
by one flusher task, committed within ``flush_interval`` seconds (well under the 1 s promised),
and flushed on shutdown. Deciding whether a message is logged costs two dictionary look-ups and
no database access, so the rest of the server's chatter stays cheap.

A write the database refuses for now (locked by another process, a full disk, an I/O error)
loses nothing: the events stay queued, in order, and are tried again with a growing pause until
they commit. Only an event SQLite refuses on its own (a constraint it breaks) is left out, and
logged. The backlog is bounded (see :data:`MAX_BACKLOG`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from bot.core.replies import Delete, LogEvent, ReactionAdd, Reply, ReplyLogMode
from bot.storage.connection import Connection
from bot.storage.database import can_clear
from bot.storage.replies import Target, apply_events, log_targets, opted_out_ids

log = logging.getLogger(__name__)

#: Events kept queued at most while the database refuses writes: days of a busy group's
#: discussion, about 50 MB of typical replies (1 KB each). Beyond it new replies, edits and
#: reactions are left out (counted, and logged as errors); deletions are always kept, so a
#: deleted text never stays in the database.
MAX_BACKLOG = 50_000
#: The pause after the first failed write, doubled after each further one up to the maximum.
RETRY_FIRST, RETRY_MAX = 0.5, 30.0
#: While writes keep failing, how often (seconds) the backlog is reported again.
REPORT_EVERY = 60.0
#: How long shutdown keeps trying to write what is queued before giving up on it.
SHUTDOWN_WAIT = 10.0


@dataclass(slots=True)
class _Outage:
    """Writes failing since ``since`` (the log's clock): how often, and when last reported."""

    since: float
    reported: float
    failures: int = 1
    written: int = 0  # events committed since (a batch can go through while others fail)

    @property
    def pause(self) -> float:
        return min(RETRY_FIRST * 2.0 ** (self.failures - 1), RETRY_MAX)


class ReplyLog:
    """Tracks logged threads and posts, and writes events in batches.

    Attributes:
        threads: thread id -> the post whose discussion it holds.
        posts: post message id -> the post (replies to it in the channel are logged).
        opted_out: members whose messages are not logged.
    """

    def __init__(
        self,
        db: Connection,
        *,
        flush_interval: float = 0.25,
        max_batch: int = 2000,
        max_backlog: int = MAX_BACKLOG,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.flush_interval = flush_interval
        self.max_batch = max_batch
        self.max_backlog = max_backlog
        self.threads: dict[int, Target] = {}
        self.posts: dict[int, Target] = {}
        self.channels: dict[int, ReplyLogMode] = {}
        self.opted_out: set[int] = set()
        self._queue: deque[LogEvent] = deque()
        # The batch being written: its events leave it as they commit (or are refused on their
        # own); what a failed write leaves goes back to the front of the queue, in order.
        self._batch: deque[LogEvent] = deque()
        self._flushing = asyncio.Lock()
        self._outage: _Outage | None = None
        self._sleep, self._clock = sleep, clock
        self._stopping = asyncio.Event()
        self.dropped = 0  # events left out since the backlog was last full
        # Live events of channels being backfilled wait here until the backfill has queued the
        # history before them: the rows of a channel are then always committed oldest first,
        # so its newest logged message is a safe place for the next backfill to resume from.
        self._held: dict[int, list[LogEvent]] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.written = 0

    async def start(self) -> None:
        await self.refresh()
        self.opted_out = await opted_out_ids(self.db)
        self._task = asyncio.create_task(self._run(), name="reply-log-writer")

    async def refresh(self) -> None:
        """Reload which threads and posts are logged (after a post, or a group change)."""
        targets = await log_targets(self.db)
        self.track(targets, replace=True)

    def track(self, targets: Iterable[Target], *, replace: bool = False) -> None:
        threads = {} if replace else dict(self.threads)
        posts = {} if replace else dict(self.posts)
        channels = {} if replace else dict(self.channels)
        for target in targets:
            posts[target.message_id] = target
            if target.thread_id is not None:
                threads[target.thread_id] = target
            channels[target.group_channel_id] = target.mode
        self.threads, self.posts, self.channels = threads, posts, channels

    def target_for(self, channel_id: int, reply_to: int | None) -> Target | None:
        """The post a message in ``channel_id`` (replying to ``reply_to``) belongs to, if any."""
        target = self.threads.get(channel_id)
        if target is None and reply_to is not None:
            target = self.posts.get(reply_to)
            if target is not None and target.group_channel_id != channel_id:
                return None
        return target

    def watches(self, channel_id: int) -> bool:
        """Whether edits, deletes and reactions in ``channel_id`` may concern logged messages."""
        return channel_id in self.threads or channel_id in self.channels

    def put(self, event: LogEvent, channel_id: int | None = None) -> None:
        """Queue ``event``, which happened in ``channel_id`` (held while it is backfilled)."""
        held = self._held.get(channel_id) if channel_id is not None else None
        if held is not None:
            held.append(event)
            return
        if len(self._queue) >= self.max_backlog and not isinstance(event, Delete):
            self._drop()
            return
        self._queue.append(event)
        if len(self._queue) >= self.max_batch:
            self._wake.set()

    def _drop(self) -> None:
        if not self.dropped:
            log.error(
                "The reply log's backlog is full (%d events wait for the database): new "
                "replies, edits and reactions are NOT logged until it takes writes again "
                "(deletions still are)",
                len(self._queue),
            )
        self.dropped += 1

    def hold(self, channel_id: int) -> None:
        """Start a backfill of ``channel_id``: its live events wait until :meth:`release`."""
        self._held.setdefault(channel_id, [])

    def release_all(self) -> None:
        for channel_id in list(self._held):
            self.release(channel_id)

    def release(self, channel_id: int) -> None:
        """The backfill of ``channel_id`` has queued its history: queue the live events."""
        for event in self._held.pop(channel_id, []):
            self.put(event)

    def forget(self, user_id: int) -> None:
        """Drop the member's replies and reactions still queued or held (they asked to be
        forgotten: nothing received before must be written after)."""

        def theirs(event: LogEvent) -> bool:
            return (isinstance(event, Reply) and event.author_id == user_id) or (
                isinstance(event, ReactionAdd) and event.user_id == user_id
            )

        self._queue = deque(e for e in self._queue if not theirs(e))
        for channel_id, events in self._held.items():
            self._held[channel_id] = [e for e in events if not theirs(e)]

    @property
    def pending(self) -> int:
        held = sum(len(events) for events in self._held.values())
        return len(self._queue) + len(self._batch) + held

    async def flush(self) -> bool:
        """Write everything queued so far. Returns False when the database refused a write
        for now: what is left stays queued for the next try."""
        async with self._flushing:
            while self._queue:
                size = min(self.max_batch, len(self._queue))
                self._batch = deque(self._queue.popleft() for _ in range(size))
                try:
                    await self._write(size)
                except Exception as exc:  # _write raises only what can clear
                    self._queue.extendleft(reversed(self._batch))
                    self._batch = deque()
                    self._failed(exc)
                    return False
            self._cleared()
            return True

    async def _write(self, count: int) -> None:
        """Commit the first ``count`` events of the batch and take them off it.

        An error that can clear is raised, with the events not committed still in the batch. Any
        other error is the data's: the events are halved until the one SQLite refuses on its own
        is found; only that one is left out (and logged), the others commit in order.
        """
        events = list(itertools.islice(self._batch, count))
        try:
            await apply_events(self.db, events)
        except Exception as exc:
            if can_clear(exc):
                raise
            if count == 1:
                log.error("Left out a log event SQLite refuses: %s (%s)", _what(events[0]), exc)
                self._batch.popleft()
                return
            half = count // 2
            await self._write(half)
            await self._write(count - half)
            return
        for _ in range(count):
            self._batch.popleft()
        self.written += count
        if self._outage is not None:
            self._outage.written += count

    def _failed(self, exc: Exception) -> None:
        now = self._clock()
        outage = self._outage
        if outage is None:
            self._outage = _Outage(since=now, reported=now)
            log.warning(
                "Cannot write the reply log (%s: %s); %d events stay queued and are tried "
                "again until the database takes them",
                type(exc).__name__,
                exc,
                self.pending,
            )
            return
        outage.failures += 1
        if now - outage.reported >= REPORT_EVERY:
            outage.reported = now
            log.warning(
                "The reply log still cannot write (%s: %s): %d events waiting, %d written, "
                "failing for %.0f s",
                type(exc).__name__,
                exc,
                self.pending,
                outage.written,
                now - outage.since,
            )

    def _cleared(self) -> None:
        outage, self._outage = self._outage, None
        if outage is not None:
            log.info(
                "The reply log writes again: its backlog is written (%d events) after %.0f s "
                "and %d failed tries",
                outage.written,
                self._clock() - outage.since,
                outage.failures,
            )
        self._report_left_out()

    def _report_left_out(self) -> None:
        if self.dropped:
            log.error(
                "The reply log left out %d events while its backlog was full; a catch-up "
                "(the next restart or reconnect) logs the replies Discord still shows",
                self.dropped,
            )
            self.dropped = 0

    async def _run(self) -> None:
        while not self._closing:
            if self._outage is not None:
                await self._pause(self._outage.pause)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.flush_interval)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:
                log.exception("The reply log writer failed; it will try again")

    async def _pause(self, seconds: float) -> None:
        """Wait ``seconds`` before trying a failed write again, or until shutdown."""
        pause = asyncio.ensure_future(self._sleep(seconds))
        stop = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait({pause, stop}, return_when=asyncio.FIRST_COMPLETED)
        for task in (pause, stop):
            task.cancel()

    async def close(self, wait: float = SHUTDOWN_WAIT) -> None:
        """Stop the writer and flush what is left (shutdown: nothing queued is lost), trying
        again for up to ``wait`` seconds while the database refuses writes."""
        self._closing = True
        self._stopping.set()
        self.release_all()
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        deadline = self._clock() + wait
        while not await self.flush() and self._outage is not None:
            left = deadline - self._clock()
            if left <= 0:
                break
            await self._sleep(min(self._outage.pause, left))
        if self._queue:
            log.error(
                "Shut down with %d reply log events not written (the database refused them "
                "for %.0f s): they are lost; a catch-up at the next start logs again the "
                "replies Discord still shows",
                len(self._queue),
                self._clock() - self._outage.since if self._outage else 0.0,
            )
            self._report_left_out()


def _what(event: LogEvent) -> str:
    """An event for the log: its kind and message, never its text."""
    if isinstance(event, Delete):
        return f"Delete of messages {', '.join(map(str, event.message_ids))}"
    return f"{type(event).__name__} of message {event.message_id}"
