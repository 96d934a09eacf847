"""The discussion log: replies in installment threads (and to the posts) into SQLite.

Live events are queued on the bot's :class:`bot.discord.replylog.ReplyLog` (``bot.reply_log``);
a new reply straight from the gateway's payload, before discord.py makes a Message of it
(:mod:`bot.discord.rawreplies`; ``on_message`` when that internal is not available);
on start and after every resume or reconnect each logged thread is backfilled from Discord's
history after its last logged message, so replies written while the bot was down are logged
too, exactly once.
"""

import asyncio
import logging
from collections.abc import Callable

import discord
from discord.ext import commands, tasks

from bot.client import ReadingGroupBot
from bot.core.replies import (
    Delete,
    Edit,
    ReactionAdd,
    ReactionClear,
    ReactionRemove,
    Reply,
    retention_cutoff,
    word_count,
)
from bot.discord import rawreplies
from bot.discord.quotes import LoggedReply, may_quote
from bot.discord.replylog import ReplyLog
from bot.storage.replies import Target, erase_old_content, recent_logged_ids

log = logging.getLogger(__name__)

#: Logged messages of a channel re-read on every catch-up, for edits and deletions made while
#: the bot was away (one history request per thread).
RECHECK = 100

#: Message types that are members talking (not joins, pins, thread notices...).
CONVERSATION = frozenset({discord.MessageType.default, discord.MessageType.reply})


class Discussion(commands.Cog):
    """Logs the discussion of every installment, as the group's settings allow."""

    def __init__(self, bot: ReadingGroupBot) -> None:
        self.bot = bot
        self._backfills: set[asyncio.Task[int]] = set()
        # Ends the raw gateway path (bot.discord.rawreplies); None while replies come through
        # on_message.
        self.stop_raw_path: Callable[[], None] | None = None

    @property
    def log(self) -> ReplyLog:
        """The bot's reply log (started before the extensions load, flushed by ``bot.close``)."""
        return self.bot.reply_log

    async def cog_load(self) -> None:
        if self.bot.settings.retention_days:
            self.retention.start()
        self.stop_raw_path = rawreplies.install(
            self.bot, self.log, self._logged_raw, self.on_message
        )

    async def cog_unload(self) -> None:
        if self.stop_raw_path is not None:
            self.stop_raw_path()
            self.stop_raw_path = None
        self.retention.cancel()
        for task in self._backfills:
            task.cancel()

    # -- live events: cheap checks first, no database on the hot path

    def _logged_raw(self, reply: Reply, target: Target) -> None:
        """A new reply taken from the gateway's payload (bot.discord.rawreplies): no
        ``discord.Message`` of it exists, so the quote check gets a partial one."""
        self.log.put(reply, reply.channel_id)
        if reply.content and may_quote(reply.content):
            channel = self.bot.get_partial_messageable(reply.channel_id, guild_id=reply.guild_id)
            message = channel.get_partial_message(reply.message_id)
            self.bot.dispatch(
                "reply_logged", LoggedReply(message, reply.content, reply.author_id), target
            )

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        # With the raw gateway path on, the replies logged there never come here.
        reply_to = message.reference.message_id if message.reference else None
        target = self.log.target_for(message.channel.id, reply_to)
        if target is None or not self._is_conversation(message):
            return
        self.log.put(self._reply(message, target), message.channel.id)
        # Quotes that cite themselves (bot.cogs.quotes) look at it after, off this path; only
        # a reply that may quote: a listener's task for every reply would cost more than the
        # logging (bench/RESULTS.md, replylog).
        if may_quote(message.content):
            self.bot.dispatch("reply_logged", LoggedReply.of(message), target)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if not self.log.watches(payload.channel_id):
            return
        message = payload.message
        if message.edited_at is None or message.author.id in self.log.opted_out:
            return
        # The text goes with the event; what is kept of it is the group's choice, applied
        # when it is written (LogPolicy), as for every other way a message arrives.
        self.log.put(
            Edit(
                message.id,
                message.content,
                message.edited_at,
                word_count(message.content),
                len(message.attachments),
            ),
            payload.channel_id,
        )
        reply_to = message.reference.message_id if message.reference else None
        target = self.log.target_for(payload.channel_id, reply_to)
        if target is not None and self._is_conversation(message):
            # Quotes checked again.
            self.bot.dispatch("reply_edited", LoggedReply.of(message), target)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if self.log.watches(payload.channel_id):
            self.log.put(Delete((payload.message_id,)), payload.channel_id)

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        if self.log.watches(payload.channel_id):
            self.log.put(Delete(tuple(sorted(payload.message_ids))), payload.channel_id)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        if not self.log.watches(payload.channel_id) or self._ignored(payload.user_id):
            return
        if payload.member is not None and payload.member.bot:
            return
        self.log.put(
            ReactionAdd(
                payload.message_id,
                payload.channel_id,
                payload.user_id,
                str(payload.emoji),
                self.bot.clock(),
            ),
            payload.channel_id,
        )

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        if self.log.watches(payload.channel_id):
            self.log.put(
                ReactionRemove(payload.message_id, payload.user_id, str(payload.emoji)),
                payload.channel_id,
            )

    @commands.Cog.listener()
    async def on_raw_reaction_clear(self, payload: discord.RawReactionClearEvent) -> None:
        if self.log.watches(payload.channel_id):
            self.log.put(ReactionClear(payload.message_id), payload.channel_id)

    @commands.Cog.listener()
    async def on_raw_reaction_clear_emoji(
        self, payload: discord.RawReactionClearEmojiEvent
    ) -> None:
        if self.log.watches(payload.channel_id):
            self.log.put(ReactionClear(payload.message_id, str(payload.emoji)), payload.channel_id)

    # -- catching up after downtime

    @commands.Cog.listener()
    async def on_connect(self) -> None:
        # A (re)connection: until the catch-up after READY or RESUMED has read each channel's
        # history, its live events wait, so none is committed ahead of the history it follows.
        self._hold_all()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        self._start_backfill("start")

    @commands.Cog.listener()
    async def on_resumed(self) -> None:
        self._start_backfill("resume")

    @commands.Cog.listener()
    async def on_installment_posted(self, target: Target) -> None:
        """A new post's thread (dispatched by the poster as soon as it exists)."""
        if target.mode != "off":
            self.log.track([target])

    @commands.Cog.listener()
    async def on_log_targets_changed(self) -> None:
        """A group's settings changed (/plan start, /plan reload): reload what is logged."""
        await self.log.refresh()

    def _hold_all(self) -> None:
        for channel_id in [*self.log.threads, *self.log.channels]:
            self.log.hold(channel_id)

    def _start_backfill(self, why: str) -> None:
        self._hold_all()
        task = asyncio.create_task(self.backfill(), name=f"reply-log-backfill-{why}")
        self._backfills.add(task)
        task.add_done_callback(self._backfills.discard)

    async def backfill(self) -> int:
        """Log what was said in each logged thread (and to each post) since the last logged
        message. Returns how many messages were queued."""
        try:
            queued = await self._backfill_all()
        finally:
            self.log.release_all()
        if queued and self.bot.settings.retention_days:
            # What the catch-up found may be older than the retention: its text goes now, not
            # at the next run of the retention loop (up to 6 hours later).
            await self.log.flush()
            await self.retention()
        return queued

    async def _backfill_all(self) -> int:
        await self.log.refresh()
        queued = 0
        for thread_id, target in list(self.log.threads.items()):
            if not self.bot.serves(target.guild_id, target.group_channel_id):
                continue  # another shard's process catches up there
            try:
                queued += await self._backfill_channel(thread_id, target, replies_only=False)
            except discord.HTTPException as exc:
                log.warning("Cannot read thread %s to catch up (%s)", thread_id, exc)
        for channel_id in list(self.log.channels):
            posts = [t for t in self.log.posts.values() if t.group_channel_id == channel_id]
            if not posts or not self.bot.serves(posts[0].guild_id, channel_id):
                continue
            try:
                queued += await self._backfill_channel(
                    channel_id, min(posts, key=lambda t: t.message_id), replies_only=True
                )
            except discord.HTTPException as exc:
                log.warning("Cannot read channel %s to catch up (%s)", channel_id, exc)
        if queued:
            log.info("Caught up on %d messages written while the bot was away", queued)
        return queued

    async def _backfill_channel(self, channel_id: int, first: Target, *, replies_only: bool) -> int:
        self.log.hold(channel_id)
        try:
            return await self._read_history(channel_id, first, replies_only=replies_only)
        finally:
            self.log.release(channel_id)

    async def _read_history(self, channel_id: int, first: Target, *, replies_only: bool) -> int:
        channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            return 0
        # Re-read the last RECHECK logged messages too: an edit or a deletion made while the
        # bot was away shows there. Resuming there is safe: a channel's rows are committed
        # oldest first (live events wait while it is backfilled, see ReplyLog.hold).
        before, recent = await recent_logged_ids(self.bot.db, channel_id, RECHECK)
        after = before or first.message_id
        seen: set[int] = set()
        queued = 0
        async for message in channel.history(
            limit=None, after=discord.Object(id=after), oldest_first=True
        ):
            seen.add(message.id)
            reply_to = message.reference.message_id if message.reference else None
            target = (
                self.log.target_for(channel_id, reply_to)
                if replies_only
                else self.log.threads.get(channel_id)
            )
            if target is not None and self._is_conversation(message):
                self.log.put(self._reply(message, target))
                queued += 1
                # Checked for quotes as a live reply is (bot.cogs.quotes), off this path.
                self.bot.dispatch("reply_caught_up", LoggedReply.of(message), target)
        # Only what this read covered can be known gone: a logged reply to a post no longer
        # tracked (older than the first one re-read) was simply not read again.
        gone = tuple(m for m in recent if m > after and m not in seen)
        if gone:
            self.log.put(Delete(gone))
        return queued

    # -- retention

    @tasks.loop(hours=6)
    async def retention(self) -> None:
        days = self.bot.settings.retention_days
        if not days:
            return
        try:
            erased = await erase_old_content(self.bot.db, retention_cutoff(self.bot.clock(), days))
        except Exception:
            log.exception("Erasing old reply text failed; will try again")
            return
        if erased:
            log.info("Retention: erased the text of %d replies older than %d days", erased, days)

    # -- helpers

    def _ignored(self, user_id: int) -> bool:
        return user_id in self.log.opted_out or (
            self.bot.user is not None and user_id == self.bot.user.id
        )

    def _is_conversation(self, message: discord.Message) -> bool:
        return (
            not message.author.bot
            and not message.webhook_id
            and message.type in CONVERSATION
            and message.author.id not in self.log.opted_out
        )

    @staticmethod
    def _reply(message: discord.Message, target: Target) -> Reply:
        return Reply(
            message_id=message.id,
            channel_id=message.channel.id,
            group_channel_id=target.group_channel_id,
            guild_id=message.guild.id if message.guild else target.guild_id,
            post_id=target.post_id,
            author_id=message.author.id,
            author_name=message.author.display_name,
            content=message.content,  # kept or not by the group's LogPolicy, when written
            created_at=message.created_at,
            edited_at=message.edited_at,
            reply_to_id=message.reference.message_id if message.reference else None,
            attachments=len(message.attachments),
            words=word_count(message.content),
        )


async def setup(bot: ReadingGroupBot) -> None:
    await bot.add_cog(Discussion(bot))
