"""The Discord client: a ``commands.Bot`` that owns nothing it did not receive.

``__main__``/the CLI opens the database and loads the library, then hands both in; the bot loads
the extensions listed in :data:`bot.cogs.EXTENSIONS` and syncs slash commands only when told to
(to the dev guild on start, or globally with ``reading-group sync``), never globally on every boot.
"""

from __future__ import annotations

import logging
from typing import Literal

import aiosqlite
import discord
from discord.ext import commands

from bot.cogs import EXTENSIONS
from bot.core.readings import Library
from bot.render import NO_PINGS
from bot.settings import Settings
from bot.storage.search import sync_index
from bot.tree import ReadingGroupTree

log = logging.getLogger(__name__)

SyncMode = Literal["none", "dev-guild", "global"]


def intents() -> discord.Intents:
    """Guilds and guild messages; message content to log discussion replies (privileged)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.guild_reactions = True
    wanted.message_content = True
    return wanted


class ReadingGroupBot(commands.Bot):
    def __init__(
        self,
        *,
        settings: Settings,
        db: aiosqlite.Connection,
        library: Library,
        sync: SyncMode = "dev-guild",
        **options: object,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            tree_cls=ReadingGroupTree,
            allowed_mentions=NO_PINGS,
            help_command=None,
            **options,  # type: ignore[arg-type]
        )
        self.settings = settings
        self.db = db
        self.library = library
        self.sync_mode: SyncMode = sync
        self.synced: list[discord.app_commands.AppCommand] = []

    async def setup_hook(self) -> None:
        report = await sync_index(self.db, self.library)
        log.info("Search index ready (%s)", report)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self.sync_commands()

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

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("Logged in as %s (%s) in %d servers", self.user, self.user.id, len(self.guilds))
