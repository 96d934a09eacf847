"""Posting an installment exactly once: claim its slot in SQLite, send it, confirm it.

The bot owns one :class:`Poster` (:attr:`bot.client.ReadingGroupBot.poster`); the posting tick
(:mod:`bot.cogs.scheduler`) asks it to post what is due, and ``/plan`` posts through it
(``/plan next``) and holds its lock of a group while changing the group. A post is claimed first
(:func:`claim_post`), then sent: the excerpt's messages, a public thread on the last one, the
questions in the thread, and finally the confirmation with the message id. A claim left
unconfirmed (a crash, a failed request) is reconciled before anything is sent again: the
channel's recent history is searched for the post's footer marker, and only the missing parts
are sent.

A missing permission, or a post Discord refuses for what it says (a 400: sending it again would
be refused again), blocks the group (told once to the organizer, by DM or in the reply to the
command that hit it) until ``/plan resume`` or ``/plan reload``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.core.errors import PlanError, ReadingGroupError
from bot.core.excerpts import Installment
from bot.core.facilitators import facilitator_of
from bot.core.group import Group, progress
from bot.core.posting import PostContent, Upcoming, parse_marker, upcoming
from bot.core.schedule import DEFAULT_GRACE
from bot.discord.polls import attach_file_poll, send_polls
from bot.discord.render import (
    NO_PINGS,
    THREAD_ARCHIVE_MINUTES,
    post_messages,
    thread_messages,
    thread_name,
)
from bot.discord.ticking import (
    claim_held_elsewhere,
    group_channel,
    history_since,
    missing_permissions,
)
from bot.storage.facilitators import rotation, turns
from bot.storage.groups import (
    Post,
    PostKind,
    asked_question_ids,
    block_group,
    claim_post,
    confirm_post,
    get_group,
    posts_of,
    set_last_slot,
    unconfirmed_posts,
)
from bot.storage.replies import Target

if TYPE_CHECKING:
    from bot.client import ReadingGroupBot

log = logging.getLogger(__name__)

#: Discord's code for "a thread has already been created for this message".
THREAD_EXISTS = 160004
#: The HTTP status of a request Discord refuses for what it says (too long, malformed).
BAD_REQUEST = 400

#: What the bot needs in a group's channel, with the names Discord's settings show.
NEEDED_PERMISSIONS = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "read_message_history": "Read Message History",
    "create_public_threads": "Create Public Threads",
    "send_messages_in_threads": "Send Messages in Threads",
}
ANOTHER_POST = "Another post for this channel is being made right now."
#: Failures worth trying again later (Discord or the network), as opposed to bugs.
TRANSIENT = (discord.HTTPException, aiohttp.ClientError, OSError, asyncio.TimeoutError)


class PostingBlocked(ReadingGroupError):
    """The bot lacks a permission in the group's channel; the message says which and what to do."""


class Poster:
    """Posts the groups' installments, each exactly once, one group at a time."""

    def __init__(self, bot: ReadingGroupBot) -> None:
        self.bot = bot
        self._locks: dict[int, asyncio.Lock] = {}

    def lock(self, channel_id: int) -> asyncio.Lock:
        """The lock held while anything posts to, or changes, the group in ``channel_id``."""
        return self._locks.setdefault(channel_id, asyncio.Lock())

    def missing_permissions(self, channel: discord.abc.GuildChannel) -> list[str]:
        """The permissions the bot lacks in ``channel`` to post, by their names in Discord."""
        return missing_permissions(channel, NEEDED_PERMISSIONS)

    async def post_next(self, channel_id: int) -> discord.Message:
        """Post the group's next installment now (/plan next), or finish an unconfirmed one.

        Raises:
            PostingBlocked: a permission is missing, or Discord refused the post (the group
                is blocked; the caller tells).
            PlanError: no group, or the plan is finished.
        """
        async with self.lock(channel_id):
            group = await get_group(self.bot.db, channel_id)
            if group is None:
                raise PlanError("This channel has no reading plan.")
            now = self.bot.clock()
            channel = group_channel(self.bot, group)
            message: discord.Message | None = None
            pending = await unconfirmed_posts(self.bot.db, channel_id)
            leases = (post.lease for post in pending)
            if claim_held_elsewhere(self.bot, log, group, leases, now):
                raise PlanError(ANOTHER_POST)
            try:
                for post in pending:
                    self._check(channel)
                    message = await self._send(channel, group, post, now, reconcile=True)
                if not pending:
                    # The slot of a manual post is when it was asked for; two in the same
                    # instant (a clock that stands still) still get slots of their own.
                    taken = {post.slot for post in await posts_of(self.bot.db, channel_id)}
                    slot = now
                    while slot in taken:
                        slot += dt.timedelta(microseconds=1)
                    message = await self.post_new(channel, group, slot, "manual", now)
            except PostingBlocked as exc:
                await self.block(channel, group, exc, now, tell=False)
                raise
            if message is None:
                raise PlanError(ANOTHER_POST)
            return message

    async def post_new(
        self,
        channel: discord.TextChannel,
        group: Group,
        slot: dt.datetime,
        kind: PostKind,
        now: dt.datetime,
    ) -> discord.Message | None:
        """Claim ``slot`` for the next installment, then send it. None if it was claimed already.

        The caller holds the group's :meth:`lock`.

        Raises:
            PostingBlocked: a permission is missing, or Discord refused the post.
            PlanError: a manual post of a finished plan.
        """
        self._check(channel)
        installments = self.bot.plans.installments(group, self.bot.library)
        done = progress(group, installments)
        if done >= len(installments):
            if kind == "manual":
                raise PlanError(
                    f"The plan is finished: all {len(installments)} installments are done. "
                    "Use /plan goto to go back, or add readings to the plan."
                )
            log.info("Group %s: the plan is finished; slot %s passes", group.name, slot)
            await set_last_slot(self.bot.db, group.channel_id, slot, now=now)
            return None
        (next_post,) = await self.upcoming(group, installments, done)
        post = await claim_post(
            self.bot.db,
            group,
            slot=slot,
            kind=kind,
            installment_key=next_post.installment.key,
            number=next_post.number,
            total=next_post.total,
            questions=[(q.id, q.text) for q in next_post.questions],
            now=now,
            owner=self.bot.owner,
        )
        if post is None:
            log.info("Group %s: slot %s was claimed already", group.name, slot)
            claimed = {p.slot for p in await posts_of(self.bot.db, group.channel_id)}
            if kind == "scheduled" and slot in claimed:
                # Posted by an earlier tick (while the clock was ahead, say): it is handled.
                await set_last_slot(self.bot.db, group.channel_id, slot, now=now)
            return None
        log.info(
            "Group %s: claimed %s for %s (installment %d of %d)",
            group.name,
            slot,
            post.installment_key,
            post.number,
            post.total,
        )
        return await self._send(channel, group, post, now, reconcile=False)

    async def upcoming(
        self, group: Group, installments: Sequence[Installment], done: int, count: int = 1
    ) -> list[Upcoming]:
        """The group's next ``count`` posts after ``done`` with the questions they will carry
        (as things stand: :func:`bot.core.posting.upcoming`)."""
        return upcoming(
            installments,
            done=done,
            prompts=self.bot.prompts,
            library=self.bot.library,
            questions_per_post=group.questions_per_post,
            used=await asked_question_ids(self.bot.db, group.channel_id),
            count=count,
        )

    async def finish_unconfirmed(
        self, channel: discord.TextChannel, group: Group, pending: list[Post], now: dt.datetime
    ) -> bool:
        """Reconcile and finish the group's unconfirmed posts. Whether one had to be sent now.

        The caller holds the group's :meth:`lock`.

        Raises:
            PostingBlocked: a permission is missing, or Discord refused the post.
        """
        sent_now = False
        for post in pending:
            self._check(channel)
            log.info("Group %s: reconciling unconfirmed post of slot %s", group.name, post.slot)
            found = await self._find_parts(channel, post)
            await self._send(channel, group, post, now, reconcile=True, found=found)
            sent_now = sent_now or 1 not in found
        return sent_now

    async def block(
        self,
        channel: discord.TextChannel,
        group: Group,
        problem: PostingBlocked,
        now: dt.datetime,
        *,
        tell: bool,
    ) -> None:
        """Stop posting to the group until /plan resume or a reload; tell the organizer once."""
        first = await block_group(self.bot.db, group.channel_id, str(problem), now=now)
        if not first:
            return
        log.warning("Group %s: posting blocked: %s", group.name, problem)
        if tell:
            await self._tell_organizer(channel, group, str(problem))

    # --- sending -------------------------------------------------------------------------------

    def _check(self, channel: discord.TextChannel) -> None:
        missing = self.missing_permissions(channel)
        if missing:
            raise PostingBlocked(
                f"I am missing the {', '.join(missing)} permission{'s' * (len(missing) > 1)} "
                f"in #{channel.name}"
            )

    async def _send(
        self,
        channel: discord.TextChannel,
        group: Group,
        post: Post,
        now: dt.datetime,
        *,
        reconcile: bool,
        found: dict[int, discord.Message] | None = None,
    ) -> discord.Message:
        """Send the claimed post (only its missing parts when reconciling), its thread and the
        thread's questions; then confirm it. Returns the post's first message."""
        installment = Installment.from_key(post.installment_key)
        slug = installment.slug
        reading = self.bot.library.get(slug)
        if reading is None:
            raise PlanError(
                f"the reading {slug!r} of a claimed post is no longer in the library: restore "
                f"readings/{slug}.md"
            )
        late = post.kind == "scheduled" and now - post.slot > DEFAULT_GRACE
        content = PostContent(
            channel_id=post.channel_id,
            slot=post.slot,
            installment=installment,
            number=post.number,
            total=post.total,
            questions=post.questions,
            late=late,
            tz=group.cadence.tz,
            ping_role_id=group.ping_role_id,
            ping_everyone=group.ping_role_id == channel.guild.id,  # @everyone's id is the server's
            facilitator_id=facilitator_of(
                post.number,
                await rotation(self.bot.db, post.channel_id),
                await turns(self.bot.db, post.channel_id),
            ),
        )
        if reconcile and found is None:
            found = await self._find_parts(channel, post)
        found = found or {}
        sent: list[discord.Message] = []
        try:
            for index, outgoing in enumerate(post_messages(content, reading), 1):
                message = found.get(index)
                if message is None:
                    message = await channel.send(
                        content=outgoing.content,
                        embeds=list(outgoing.embeds),
                        allowed_mentions=outgoing.allowed_mentions,
                    )
                sent.append(message)
            thread = await self._thread(sent[-1], thread_name(reading, content.installment))
            # The discussion log follows the thread from now on, before anyone can reply.
            self.bot.dispatch(
                "installment_posted",
                Target(
                    group_channel_id=group.channel_id,
                    guild_id=channel.guild.id,
                    post_id=post.id,
                    message_id=sent[0].id,
                    thread_id=thread.id,
                    mode=group.reply_log,
                ),
            )
            if not found or not await self._has_bot_message(thread):
                for text in thread_messages(content):
                    await thread.send(text, allowed_mentions=NO_PINGS)
            await attach_file_poll(
                self.bot.db, self.bot.prompts, group.channel_id, installment, now=now
            )
            await send_polls(
                self.bot.db, thread, group.channel_id, post.installment_key, reconcile=bool(found)
            )
        except discord.Forbidden as exc:
            raise PostingBlocked(
                f"Discord refused my post in #{channel.name}: {exc.text or 'Missing Permissions'}"
            ) from exc
        except discord.HTTPException as exc:
            if exc.status != BAD_REQUEST:
                raise
            # Discord refused what the post says: sent again, it would be refused again.
            raise PostingBlocked(
                f"Discord refused installment {post.number} ({post.installment_key}) in "
                f"#{channel.name}: {' '.join(exc.text.split())[:300]}; run `reading-group "
                "check` for what in the reading is too long for Discord"
            ) from exc
        await confirm_post(
            self.bot.db, post.id, message_id=sent[0].id, thread_id=thread.id, late=late, now=now
        )
        log.info("Group %s: posted %s as message %s", group.name, post.installment_key, sent[0].id)
        return sent[0]

    async def _find_parts(
        self, channel: discord.TextChannel, post: Post
    ) -> dict[int, discord.Message]:
        """The post's messages already in the channel, by part number (from their markers)."""
        assert self.bot.user is not None
        found: dict[int, discord.Message] = {}
        # Every part of this post is newer than the group's previous post.
        earlier = [
            p.message_id
            for p in await posts_of(self.bot.db, post.channel_id)
            if p.message_id is not None and p.id != post.id
        ]
        history = history_since(channel, earlier)
        try:
            async for message in history:
                if message.author.id != self.bot.user.id:
                    continue
                for embed in message.embeds:
                    marker = parse_marker(embed.footer.text or "")
                    if marker is not None and marker[:2] == (post.channel_id, post.slot):
                        found.setdefault(marker[2], message)
        except discord.Forbidden as exc:
            raise PostingBlocked(
                f"I cannot read the history of #{channel.name} to check for a post I may have "
                "made before a restart (Read Message History)"
            ) from exc
        return found

    async def _thread(self, message: discord.Message, name: str) -> discord.Thread:
        """The discussion thread on ``message``: the existing one, or a new public thread."""
        if message.thread is not None:
            return message.thread
        try:
            return await message.create_thread(
                name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES
            )
        except discord.HTTPException as exc:
            if exc.code != THREAD_EXISTS:
                raise
        thread = await self.bot.fetch_channel(message.id)  # a thread's id is its message's
        assert isinstance(thread, discord.Thread)
        return thread

    async def _has_bot_message(self, thread: discord.Thread) -> bool:
        assert self.bot.user is not None
        async for message in thread.history(limit=20, oldest_first=True):
            if message.author.id == self.bot.user.id:
                return True
        return False

    # --- failures ------------------------------------------------------------------------------

    async def _tell_organizer(
        self, channel: discord.TextChannel, group: Group, problem: str
    ) -> None:
        user_id = group.created_by or channel.guild.owner_id
        if user_id is None:
            return
        text = (
            f"I could not post the next installment of the reading group in {channel.mention} "
            f"({channel.guild.name}): {problem}. I will not try again until that is fixed and an "
            "organizer runs /plan resume in that channel (or /plan reload)."
        )
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            await user.send(text, allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            log.warning(
                "Could not tell user %s by DM that group %s is blocked", user_id, group.name
            )
