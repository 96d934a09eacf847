"""The discussion log's runtime: which channels are logged, and a write queue.

Gateway events become :mod:`bot.core.replies` events; they are queued and written in batches
by one flusher task, committed within ``flush_interval`` seconds (well under the 1 s promised),
and flushed on shutdown. Deciding whether a message is logged costs two dictionary look-ups and
no database access, so the rest of the server's chatter stays cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

import aiosqlite

from bot.core.replies import LogEvent, ReactionAdd, Reply, ReplyLogMode
from bot.storage.replies import Target, apply_events, log_targets, opted_out_ids

log = logging.getLogger(__name__)


class ReplyLog:
    """Tracks logged threads and posts, and writes events in batches.

    Attributes:
        threads: thread id -> the post whose discussion it holds.
        posts: post message id -> the post (replies to it in the channel are logged).
        opted_out: members whose messages are not logged.
    """

    def __init__(
        self,
        db: aiosqlite.Connection,
        *,
        flush_interval: float = 0.25,
        max_batch: int = 2000,
    ) -> None:
        self.db = db
        self.flush_interval = flush_interval
        self.max_batch = max_batch
        self.threads: dict[int, Target] = {}
        self.posts: dict[int, Target] = {}
        self.channels: dict[int, ReplyLogMode] = {}
        self.opted_out: set[int] = set()
        self._queue: list[LogEvent] = []
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
        self._queue.append(event)
        if len(self._queue) >= self.max_batch:
            self._wake.set()

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

        self._queue = [e for e in self._queue if not theirs(e)]
        for channel_id, events in self._held.items():
            self._held[channel_id] = [e for e in events if not theirs(e)]

    @property
    def pending(self) -> int:
        return len(self._queue) + sum(len(events) for events in self._held.values())

    async def flush(self) -> None:
        """Write everything queued so far."""
        while self._queue:
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            await self._write(batch)

    async def _write(self, batch: list[LogEvent]) -> None:
        try:
            await apply_events(self.db, batch)
        except Exception:
            # One bad event must not lose the batch: write them one by one, dropping (and
            # logging) only what SQLite refuses.
            log.exception("Writing %d log events failed; retrying one by one", len(batch))
            for event in batch:
                try:
                    await apply_events(self.db, [event])
                except Exception:
                    log.exception("Dropped a log event SQLite refused: %r", type(event).__name__)
        self.written += len(batch)

    async def _run(self) -> None:
        while not self._closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.flush_interval)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:
                log.exception("The reply log writer failed; it will try again")

    async def close(self) -> None:
        """Stop the writer and flush what is left (shutdown: nothing queued is lost)."""
        self._closing = True
        self.release_all()
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()
