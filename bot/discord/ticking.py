"""The background ticks over every group (installments, weekly summaries).

Each tick is a ``tasks.loop`` that waits until the bot is ready, asks for every group whether
something is due, and survives its own failures: an exception is logged, one group's failure
neither stops the others nor is retried at every tick (see
:class:`bot.discord.backoff.GroupBackoff`), and a lock per group keeps a tick and a command
from acting on the same group at once (the posting tick takes the poster's,
:meth:`bot.discord.poster.Poster.lock`, which /plan takes too).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

import discord
from discord.ext import commands, tasks

from bot.core.errors import PlanError
from bot.core.group import Group
from bot.discord.backoff import GroupBackoff
from bot.storage.connection import ConnectionLost
from bot.storage.groups import read_groups
from bot.storage.instance import Lease, held_elsewhere

if TYPE_CHECKING:
    from bot.client import ReadingGroupBot

DEFAULT_TICK_SECONDS = 30.0

#: Messages read back for an unconfirmed post's marker when the group has no earlier post.
HISTORY_LIMIT = 100
#: The most messages read back to the previous post when looking for an unconfirmed one.
HISTORY_MAX = 5000


class GroupTick(commands.Cog):
    """A cog with a tick over every group. Subclasses set ``log``, ``what`` and ``expected``
    and implement :meth:`run_group` (and :meth:`wants` to skip groups)."""

    log: ClassVar[logging.Logger]
    what: ClassVar[str]
    expected: ClassVar[tuple[type[BaseException], ...]] = ()

    def __init__(self, bot: ReadingGroupBot) -> None:
        self.bot = bot
        # A database server gone for now is no group's fault: one line, no traceback.
        self.backoff = GroupBackoff(self.log, self.what, (*self.expected, ConnectionLost))
        self._locks: dict[int, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def cog_load(self) -> None:
        if self.bot.tick_seconds is not None:
            self.start(self.bot.tick_seconds)

    async def cog_unload(self) -> None:
        self.ticker.cancel()
        for task in self._tasks:
            task.cancel()

    def start(self, seconds: float = DEFAULT_TICK_SECONDS) -> None:
        """Run :meth:`tick` every ``seconds`` once the bot is ready."""
        self.ticker.change_interval(seconds=seconds)
        if not self.ticker.is_running():
            task = self.ticker.start()
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    @tasks.loop(seconds=DEFAULT_TICK_SECONDS)
    async def ticker(self) -> None:
        try:
            await self.tick()
        except ConnectionLost as exc:  # the shared database's server, gone for now
            self.log.error(
                "The tick of %s failed: %s; trying again at the next tick", self.what, exc
            )
        except Exception:  # the loop would end on any exception: log it and carry on
            self.log.exception("The tick of %s failed", self.what)

    @ticker.before_loop
    async def before_ticker(self) -> None:
        await self.bot.wait_until_ready()

    def lock(self, channel_id: int) -> asyncio.Lock:
        """The lock held while anything acts on the group in ``channel_id``."""
        return self._locks.setdefault(channel_id, asyncio.Lock())

    async def tick(self) -> None:
        """Do what is due for every group; one group's failure (or unreadable row) does not stop
        the others."""
        groups, unreadable = await read_groups(self.bot.db)
        self.bot.report_unreadable(unreadable)
        for group in groups:
            if not self.bot.serves(group.guild_id, group.channel_id) or not self.wants(group):
                continue
            try:
                await self.run_group(group.channel_id)
            except Exception as exc:
                self.backoff.failed(group.name, group.channel_id, exc, self.bot.clock())

    def wants(self, group: Group) -> bool:
        """Whether the tick looks at ``group`` at all."""
        return True

    async def run_group(self, channel_id: int) -> object:
        raise NotImplementedError

    def held_elsewhere(
        self, group: Group, leases: Iterable[Lease | None], now: dt.datetime
    ) -> bool:
        """Whether another bot process may still be sending one of the group's unconfirmed
        claims (see :func:`claim_held_elsewhere`)."""
        return claim_held_elsewhere(self.bot, self.log, group, leases, now)

    def channel(self, group: Group) -> discord.TextChannel:
        """The group's channel. Raises PlanError when the bot cannot see it."""
        return group_channel(self.bot, group)


def claim_held_elsewhere(
    bot: ReadingGroupBot,
    log: logging.Logger,
    group: Group,
    leases: Iterable[Lease | None],
    now: dt.datetime,
) -> bool:
    """Whether another bot process may still be sending one of the group's unconfirmed
    claims (their ``leases``): then neither they nor anything new is sent this time."""
    lease = held_elsewhere(leases, bot.owner, now)
    if lease is not None:
        log.warning(
            "Group %s: a claim is held by another bot process (%s) until %s; leaving it",
            group.name,
            lease.owner,
            lease.until,
        )
    return lease is not None


def group_channel(bot: ReadingGroupBot, group: Group) -> discord.TextChannel:
    """The group's channel. Raises PlanError when the bot cannot see it."""
    channel = bot.get_channel(group.channel_id)
    if not isinstance(channel, discord.TextChannel):
        raise PlanError(
            f"channel {group.channel_id} of group {group.name!r} is not a text channel I "
            "can see: check the id, and that the bot is in that server"
        )
    return channel


def missing_permissions(channel: discord.abc.GuildChannel, needed: Mapping[str, str]) -> list[str]:
    """The names (as Discord's settings show them) of the ``needed`` permissions, by flag, that
    the bot lacks in ``channel``."""
    permissions = channel.permissions_for(channel.guild.me)
    return [name for flag, name in needed.items() if not getattr(permissions, flag)]


def history_since(
    channel: discord.TextChannel, earlier: Sequence[int]
) -> AsyncIterator[discord.Message]:
    """The channel's messages after the newest of ``earlier`` (message ids of the group's
    earlier posts: whatever was sent for a later one is newer), or its last messages when there
    is none. Reading back that far, however busy the channel was, finds an unconfirmed post."""
    if earlier:
        return channel.history(limit=HISTORY_MAX, after=discord.Object(id=max(earlier)))
    return channel.history(limit=HISTORY_LIMIT)
