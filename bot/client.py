"""The Discord client: a ``commands.Bot`` holding what it received and the poster it builds.

:func:`build_bot` makes it a ``commands.AutoShardedBot`` (:class:`ShardedReadingGroupBot`) when
``SHARD_COUNT`` is set: one connection per shard of ``SHARD_IDS``, and the ticks act only for the
groups of those shards' servers (:meth:`ReadingGroupBot.serves`).

The runner (:func:`bot.runner.run_bot`) opens the database, loads readings, prompts and
groups.yaml once, builds the shared runtime pieces (the reply log, the cut plans) and hands them
all in; the bot builds its poster (:mod:`bot.discord.poster`, which posts installments for the
posting tick and /plan), loads the extensions listed in :data:`bot.cogs.EXTENSIONS` and syncs slash
commands only when told to (to the dev guild on start, or globally with ``reading-group sync``),
never globally on every boot. On setup the groups of the file are stored, the reply log starts,
and the posting tick (:mod:`bot.cogs.scheduler`) starts. The bot's one clock is
:attr:`ReadingGroupBot.clock`, so tests decide what time it is.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any, Literal

import aiosqlite
import discord
from discord.ext import commands

from bot.cogs import EXTENSIONS
from bot.core.content import Content, load_content
from bot.core.errors import ContentError
from bot.core.plan import GroupConfig, missing_readings
from bot.core.questions import Prompts
from bot.core.readings import Library, LibraryError
from bot.discord.plans import Plans
from bot.discord.poster import Poster
from bot.discord.quotes import QuoteChecker
from bot.discord.render import NO_PINGS
from bot.discord.replylog import ReplyLog
from bot.discord.ticking import DEFAULT_TICK_SECONDS
from bot.discord.tree import ReadingGroupTree
from bot.settings import Settings
from bot.storage.connection import Connection
from bot.storage.groups import (
    UnreadableGroup,
    read_groups,
    running_groups,
    sync_file_groups,
    unblock_groups,
)
from bot.storage.instance import Owner
from bot.storage.search import sync_index

log = logging.getLogger(__name__)

SyncMode = Literal["none", "dev-guild", "global"]
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The current instant, aware UTC: the bot's default clock."""
    return dt.datetime.now(dt.UTC)


def intents() -> discord.Intents:
    """Only what the bot uses: guilds (channels and threads), guild messages and reactions (the
    discussion log), message content to log the replies' text (privileged). No members intent:
    a message's author comes with the message, and the bot never lists a server's members."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.guild_reactions = True
    wanted.message_content = True
    return wanted


#: What discord.py would otherwise keep that the bot never reads. Edits, deletions and reactions
#: reach the discussion log as raw events (``on_raw_*``), which carry everything it logs, so
#: discord.py's message cache (1,000 messages by default) only costs time: each message it
#: caches is kept and later freed, and each edit, deletion or reaction searches it one by one.
#: Members are neither cached nor requested (chunked) at startup.
CACHE_OPTIONS: dict[str, object] = {
    "max_messages": None,
    "chunk_guilds_at_startup": False,
    "member_cache_flags": discord.MemberCacheFlags.none(),
}


class ReadingGroupBot(commands.Bot):
    def __init__(
        self,
        *,
        settings: Settings,
        db: Connection,
        library: Library,
        index: aiosqlite.Connection | None = None,
        prompts: Prompts | None = None,
        groups: Sequence[GroupConfig] | None = None,
        sync: SyncMode = "dev-guild",
        clock: Clock = utc_now,
        tick_seconds: float | None = DEFAULT_TICK_SECONDS,
        owner: Owner | None = None,
        reply_log: ReplyLog | None = None,
        plans: Plans | None = None,
        **options: object,
    ) -> None:
        """The bot, holding what it serves and the one clock of its scheduled work.

        Args:
            settings: loaded by the caller.
            db: the shared state (groups, posts, the reply log, ...).
            library: the readings.
            index: the library index, always SQLite (default: ``db``, which must then be the
                SQLite connection: with SQLite alone both are one file).
            prompts: the questions (default: none).
            groups: the groups of groups.yaml (default: none).
            sync: where to sync slash commands during setup.
            clock: the current instant, aware UTC; the ticks read time only from it.
            tick_seconds: how often the posting and summary ticks run; None leaves them
                stopped (tests then call their ``tick()`` themselves).
            owner: this process, as its claims name it (default: a new one).
            reply_log: the discussion log's writer, started by the bot's setup and flushed
                when it closes (default: a new one on ``db``).
            plans: the cut plans, shared by posting, /plan and the summary (default: new).
            options: passed to ``commands.Bot``.
        """
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            tree_cls=ReadingGroupTree,
            allowed_mentions=NO_PINGS,
            help_command=None,
            **{**CACHE_OPTIONS, **options},  # type: ignore[arg-type]
        )
        self.settings = settings
        self.db = db
        if index is None:
            assert isinstance(db, aiosqlite.Connection), "a PostgreSQL bot needs its SQLite index"
            index = db
        self.index = index
        self.library = library
        self.prompts = prompts if prompts is not None else Prompts()
        self.group_configs: tuple[GroupConfig, ...] = tuple(groups or ())
        self.sync_mode: SyncMode = sync
        self.synced: list[discord.app_commands.AppCommand] = []
        self.clock = clock
        self.tick_seconds = tick_seconds
        self.owner = owner or Owner.this_process(clock())
        self.reply_log = reply_log if reply_log is not None else ReplyLog(db)
        self.plans = plans if plans is not None else Plans()
        self.quotes = QuoteChecker(  # started and stopped by bot.cogs.quotes
            db,
            lambda: self.library,
            logged=self.reply_log.flush,
            opted_out=lambda user_id: user_id in self.reply_log.opted_out,
        )
        self.poster = Poster(self)  # posts for the posting tick and /plan, under its group locks
        self._unreadable: dict[int, str] = {}  # channel -> the problem logged

    async def setup_hook(self) -> None:
        report = await sync_index(self.index, self.library)
        log.info("Search index ready (%s)", report)
        stored = await sync_file_groups(self.db, self.group_configs, self.library, now=self.clock())
        if stored:
            log.info("%d groups from %s", len(stored), self.settings.groups_file)
        self.report_unreadable((await read_groups(self.db))[1])
        await self.reply_log.start()  # what it logs follows the groups just stored
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self.sync_commands()

    async def close(self) -> None:
        """Unload the extensions, disconnect, then write what the reply log still queues."""
        try:
            await super().close()
        finally:
            await self.reply_log.close()

    async def reload_content(self) -> Content:
        """Read readings, prompts and groups.yaml again and serve them (/plan reload).

        All three load before anything changes: when one is broken the running version stays.
        Blocked groups are unblocked, so a fixed permission is tried again.

        Raises:
            LibraryError: every problem, as ``path:line: what is wrong``, also a reading that
                a running group reads and that is gone (nothing changes then either).
        """
        content = load_content(
            self.settings.readings_dir, self.settings.prompts_dir, self.settings.groups_file
        )
        now = self.clock()
        await self._check_running_groups(content, now)
        report = await sync_index(self.index, content.library)
        log.info("Reloaded: search index %s", report)
        await sync_file_groups(self.db, content.groups, content.library, now=now)
        self.library, self.prompts, self.group_configs = (
            content.library,
            content.prompts,
            content.groups,
        )
        await unblock_groups(self.db, now=now)
        self.dispatch("log_targets_changed")
        return content

    async def _check_running_groups(self, content: Content, now: dt.datetime) -> None:
        """Refuse ``content`` if a group that is not retired reads a reading it lacks: posting
        would fail for that group until the reading came back.

        Raises:
            LibraryError: one problem per missing reading, naming the group.
        """
        groups, _ = await running_groups(self.db, content.groups, content.library, now=now)
        problems = [
            ContentError(
                str(self.settings.readings_dir / f"{slug}.md"),
                None,
                f"the reading {slug!r} is gone, but group {group.name!r} in <#{group.channel_id}> "
                "reads it: restore the file, or first take it out of the group's readings "
                f"({group.declared_at or '/plan start readings:...'})",
            )
            for group in groups
            for slug in missing_readings(group.plan(), content.library)
        ]
        if problems:
            raise LibraryError(problems)

    def serves(self, guild_id: int | None, channel_id: int) -> bool:
        """Whether this process acts for the group in ``channel_id`` of server ``guild_id``:
        always unless sharded (``SHARD_COUNT``), then only in a server of its shards, which
        another process never serves. A group whose server is not known yet (declared in
        groups.yaml) is served by the process that sees its channel."""
        shards = self.settings.shards
        if shards is None:
            return True
        if guild_id is None:
            return self.get_channel(channel_id) is not None
        return shards.serves(guild_id)

    def report_unreadable(self, problems: Sequence[UnreadableGroup]) -> None:
        """Log each stored group that cannot be read (and is skipped) once, not at every tick;
        again only if its problem changes."""
        current = {problem.channel_id: str(problem) for problem in problems}
        for channel_id, text in current.items():
            if self._unreadable.get(channel_id) != text:
                log.error("%s", text)
        self._unreadable = current

    async def sync_commands(self) -> None:
        guild_id = self.settings.dev_guild_id
        if self.sync_mode == "global":
            self.synced = await self.tree.sync()
            log.info("Synced %d commands globally (may take up to an hour)", len(self.synced))
        elif self.sync_mode == "dev-guild" and guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            self.synced = await self.tree.sync(guild=guild)
            log.info("Synced %d commands to the dev guild %s", len(self.synced), guild_id)
        elif self.sync_mode == "dev-guild":
            log.info(
                "Slash commands not synced: set DEV_GUILD_ID for instant sync to one server, "
                "or run 'reading-group sync' once for all servers"
            )

    async def on_message(self, message: discord.Message, /) -> None:
        """The bot has slash commands only: skip discord.py's prefix-command parsing, which
        would otherwise run for every message in the server (the cogs still get each one)."""

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("Logged in as %s (%s) in %d servers", self.user, self.user.id, len(self.guilds))


class ShardedReadingGroupBot(ReadingGroupBot, commands.AutoShardedBot):
    """The bot as the shards ``SHARD_IDS`` of ``SHARD_COUNT``: one gateway connection each.

    Discord sends each connection only the events of its shard's servers; the ticks act only
    for the groups of those servers (:meth:`ReadingGroupBot.serves`)."""


def build_bot(settings: Settings, **options: Any) -> ReadingGroupBot:
    """The bot for ``settings``: sharded when ``SHARD_COUNT`` is set, else one connection.

    Args:
        settings: loaded by the caller.
        options: the other arguments of :class:`ReadingGroupBot`.
    """
    if settings.shards is None:
        return ReadingGroupBot(settings=settings, **options)
    return ShardedReadingGroupBot(
        settings=settings,
        shard_count=settings.shards.count,
        shard_ids=list(settings.shards.ids),
        **options,
    )
