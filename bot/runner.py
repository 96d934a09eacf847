"""Running the bot: resources opened with ``async with``, signals, and clear exits.

Exit codes: 0 after a clean shutdown (SIGINT/SIGTERM included), 1 for bad content or settings
(reported before any connection) or when ``sync`` cannot reach Discord, 2 when Discord refuses
the token or a privileged intent, or another bot runs on the database (on PostgreSQL: one of
the same shards; :class:`bot.storage.database.DatabaseInUse`, reported by the CLI). ``run`` keeps
trying to reach Discord until it can.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

import aiohttp
import discord

from bot.client import ReadingGroupBot, SyncMode, build_bot, utc_now
from bot.core.content import load_content
from bot.discord.plans import Plans
from bot.discord.replylog import ReplyLog
from bot.settings import Settings
from bot.storage.database import open_databases
from bot.storage.instance import Owner

log = logging.getLogger(__name__)

EXIT_OK, EXIT_CONTENT, EXIT_DISCORD = 0, 1, 2
EXIT_UNREACHABLE = 1

#: Seconds between two tries to reach Discord: the first wait, doubled after each failed try up
#: to the last. A bot on a Raspberry Pi often starts before its network is up.
RETRY_FIRST, RETRY_MAX = 5.0, 300.0

#: What discord.py raises when Discord cannot be reached: no network (yet), no DNS, no answer in
#: time, or Discord's own servers failing.
UNREACHABLE: tuple[type[Exception], ...] = (
    aiohttp.ClientConnectionError,
    TimeoutError,
    discord.DiscordServerError,
)

Sleep = Callable[[float], Awaitable[object]]

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
    sleep: Sleep = asyncio.sleep,
    **client_options: Any,
) -> int:
    """Start the bot and run until it is closed or signalled. Returns the exit code.

    Readings, prompts and groups.yaml are checked first, so a broken file is reported before
    the token is needed or the network is tried. When Discord cannot be reached the bot tries
    again after a wait that doubles each time (``login_only`` gives up at once instead).

    Args:
        settings: loaded by the caller.
        sync: where to sync slash commands during setup.
        login_only: log in (which runs setup, hence the sync) and stop, without the gateway.
        stderr: where the one-line explanation of a refused start goes.
        sleep: waits between two tries to reach Discord (tests pass their own).
        client_options: passed to the client (tests pass ``guild_ready_timeout``).

    Raises:
        LibraryError: every problem in the readings, prompts and groups.yaml.
    """
    content = load_content(settings.readings_dir, settings.prompts_dir, settings.groups_file)
    if not settings.token:
        print(NO_TOKEN, file=stderr)
        return EXIT_DISCORD
    # The bot holds the database (on PostgreSQL, its shards) alone; a sync (login only) may run
    # beside it.
    owner = None if login_only else Owner.this_process(utc_now())
    async with open_databases(
        settings.database_path, settings.database_url, owner=owner, shards=settings.shards
    ) as databases:
        db = databases.state
        loop = asyncio.get_running_loop()
        stopped = asyncio.Event()
        current: list[ReadingGroupBot] = []  # the bot of the try under way
        stopping: list[asyncio.Task[None]] = []

        def stop(signum: int) -> None:
            log.info("Received %s: shutting down", signal.Signals(signum).name)
            stopped.set()
            # Closing the bot also ends a connection attempt that is still waiting.
            stopping.extend(loop.create_task(bot.close()) for bot in current)

        installed = _install_signal_handlers(loop, stop)
        plans = Plans()  # cut once, whichever try reaches Discord
        try:
            delay = RETRY_FIRST
            while True:
                bot = build_bot(
                    settings,
                    db=db,
                    index=databases.index,
                    library=content.library,
                    prompts=content.prompts,
                    groups=content.groups,
                    sync=sync,
                    owner=owner,
                    # Each try's bot flushes its log when it closes: a new one for the next.
                    reply_log=ReplyLog(db),
                    plans=plans,
                    **client_options,
                )
                current[:] = [bot]
                try:
                    code = await _start(bot, settings.token, login_only=login_only, stderr=stderr)
                    break
                except UNREACHABLE as exc:
                    reason = str(exc) or type(exc).__name__
                    if stopped.is_set():
                        code = EXIT_OK
                        break
                    if login_only:
                        print(
                            f"Cannot reach Discord: {reason}. Check the network connection "
                            "and try again.",
                            file=stderr,
                        )
                        code = EXIT_UNREACHABLE
                        break
                    log.warning("Cannot reach Discord: %s; trying again in %g s", reason, delay)
                current.clear()
                if await _stopped_within(delay, stopped, sleep):
                    code = EXIT_OK
                    break
                delay = min(delay * 2, RETRY_MAX)
        finally:
            for signum in installed:
                loop.remove_signal_handler(signum)
            if stopping:
                await asyncio.gather(*stopping, return_exceptions=True)
    if code == EXIT_OK:
        log.info("Stopped cleanly")
    return code


async def _start(bot: ReadingGroupBot, token: str, *, login_only: bool, stderr: TextIO) -> int:
    """One try: log in and run ``bot`` until it closes. Returns the exit code.

    Raises:
        Exception: one of :data:`UNREACHABLE` when Discord cannot be reached.
    """
    try:
        async with bot:
            if login_only:
                await bot.login(token)
            else:
                await bot.start(token)
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
    return EXIT_OK


async def _stopped_within(seconds: float, stopped: asyncio.Event, sleep: Sleep) -> bool:
    """Wait ``seconds`` with ``sleep``, or less if ``stopped`` is set meanwhile: whether it is."""
    waits = [asyncio.ensure_future(sleep(seconds)), asyncio.ensure_future(stopped.wait())]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
    return stopped.is_set()


def _install_signal_handlers(loop: asyncio.AbstractEventLoop, handler: object) -> list[int]:
    installed: list[int] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, handler, signum)  # type: ignore[arg-type]
        except (NotImplementedError, RuntimeError):  # Windows, or not the main thread
            continue
        installed.append(signum)
    return installed
