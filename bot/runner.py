"""Running the bot: resources opened with ``async with``, signals, and clear exits.

Exit codes: 0 after a clean shutdown (SIGINT/SIGTERM included), 1 for bad content or settings,
2 when Discord refuses the token or a privileged intent, or another bot runs on the database
(:class:`bot.storage.database.DatabaseInUse`, reported by the CLI).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from typing import Any, TextIO

import discord

from bot.client import ReadingGroupBot, SyncMode, utc_now
from bot.core.readings import load_library
from bot.settings import Settings
from bot.storage.database import open_database
from bot.storage.instance import Owner

log = logging.getLogger(__name__)

EXIT_OK, EXIT_CONTENT, EXIT_DISCORD = 0, 1, 2

NO_TOKEN = (
    "DISCORD_TOKEN is not set. Create a bot at https://discord.com/developers/applications "
    "(your app -> Bot -> Reset Token), put the token in .env as DISCORD_TOKEN=..., and start "
    "again."
)
BAD_TOKEN = (
    "Discord rejected DISCORD_TOKEN (4004 / 401: authentication failed). Copy a fresh token from "
    "the developer portal (your app -> Bot -> Reset Token) into .env and start again."
)
INTENTS_REFUSED = (
    "Discord refused a privileged intent (4014). Turn on 'Message Content Intent' in the "
    "developer portal: your app -> Bot -> Privileged Gateway Intents -> Message Content Intent, "
    "save, and start again."
)


def setup_logging(settings: Settings) -> None:
    discord.utils.setup_logging(level=settings.log_level_number, root=True)


async def run_bot(
    settings: Settings,
    *,
    sync: SyncMode = "dev-guild",
    login_only: bool = False,
    stderr: TextIO = sys.stderr,
    **client_options: Any,
) -> int:
    """Start the bot and run until it is closed or signalled. Returns the exit code.

    Args:
        settings: loaded by the caller.
        sync: where to sync slash commands during setup.
        login_only: log in (which runs setup, hence the sync) and stop, without the gateway.
        stderr: where the one-line explanation of a refused start goes.
        client_options: passed to the client (tests pass ``guild_ready_timeout``).
    """
    if not settings.token:
        print(NO_TOKEN, file=stderr)
        return EXIT_DISCORD
    library = load_library(settings.readings_dir)
    # The bot holds the database alone; a sync (login only) may run beside it.
    owner = None if login_only else Owner.this_process(utc_now())
    async with open_database(settings.database_path, owner=owner) as db:
        bot = ReadingGroupBot(
            settings=settings, db=db, library=library, sync=sync, owner=owner, **client_options
        )
        loop = asyncio.get_running_loop()
        stopping: list[asyncio.Task[None]] = []

        def stop(signum: int) -> None:
            log.info("Received %s: shutting down", signal.Signals(signum).name)
            stopping.append(loop.create_task(bot.close()))

        installed = _install_signal_handlers(loop, stop)
        try:
            async with bot:
                if login_only:
                    await bot.login(settings.token)
                else:
                    await bot.start(settings.token)
        except discord.LoginFailure:
            print(BAD_TOKEN, file=stderr)
            return EXIT_DISCORD
        except discord.PrivilegedIntentsRequired:
            print(INTENTS_REFUSED, file=stderr)
            return EXIT_DISCORD
        except discord.ConnectionClosed as exc:
            if exc.code == 4004:
                print(BAD_TOKEN, file=stderr)
            else:
                print(
                    f"Discord closed the connection for good (code {exc.code}: {exc.reason}).",
                    file=stderr,
                )
            return EXIT_DISCORD
        finally:
            for signum in installed:
                loop.remove_signal_handler(signum)
            if stopping:
                await asyncio.gather(*stopping, return_exceptions=True)
    log.info("Stopped cleanly")
    return EXIT_OK


def _install_signal_handlers(loop: asyncio.AbstractEventLoop, handler: object) -> list[int]:
    installed: list[int] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, handler, signum)  # type: ignore[arg-type]
        except (NotImplementedError, RuntimeError):  # Windows, or not the main thread
            continue
        installed.append(signum)
    return installed
