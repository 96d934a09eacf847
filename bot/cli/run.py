"""The commands that connect to Discord: ``run`` and ``sync``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cli.common import load_settings

if TYPE_CHECKING:
    import argparse

    from bot.cli.terminal import Terminal


def cmd_run(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    import asyncio

    from bot.runner import run_bot, setup_logging

    settings = load_settings(args)
    setup_logging(settings)
    return asyncio.run(run_bot(settings, stderr=err.stream))


def cmd_sync(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    import asyncio

    from bot.client import SyncMode
    from bot.runner import run_bot, setup_logging

    settings = load_settings(args)
    if args.guild and settings.dev_guild_id is None:
        err.print("--guild needs DEV_GUILD_ID set to your server's id in .env", "red")
        return 1
    setup_logging(settings)
    mode: SyncMode = "dev-guild" if args.guild else "global"
    code = asyncio.run(run_bot(settings, sync=mode, login_only=True, stderr=err.stream))
    if code == 0:
        out.print("Slash commands synced.", "green")
    return code
