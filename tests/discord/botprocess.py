"""The real bot in its own process against a fake Discord: `python -m tests.discord.botprocess`.

For tests that kill the bot for real (SIGKILL) and start it again. Settings come from the
environment as for ``reading-group run``; besides them:

- ``FAKE_API_BASE``, ``FAKE_GATEWAY``: the fake's REST base and gateway URL (required);
- ``RG_TEST_NOW``: the bot's clock stands still at this instant (``2027-01-04T18:00:30Z``);
- ``RG_TICK_SECONDS``: how often the posting tick runs (default 0.1).
"""

from __future__ import annotations

import asyncio
import os
import sys

import discord
import discord.gateway
import discord.http
import yarl

from bot.core.posting import parse_instant
from bot.runner import run_bot, setup_logging
from bot.settings import Settings


async def _identify_at_once(
    self: discord.Client, shard_id: int | None, *, initial: bool = False
) -> None:
    """No 5 s pause before a re-IDENTIFY: the fake has no identify rate limit."""


def main() -> int:
    discord.http.Route.BASE = os.environ["FAKE_API_BASE"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["FAKE_GATEWAY"])
    discord.Client.before_identify_hook = _identify_at_once  # type: ignore[method-assign]
    settings = Settings.load(env_file=None)
    setup_logging(settings)
    now = parse_instant(os.environ["RG_TEST_NOW"])
    return asyncio.run(
        run_bot(
            settings,
            guild_ready_timeout=0.1,
            clock=lambda: now,
            tick_seconds=float(os.environ.get("RG_TICK_SECONDS", "0.1")),
        )
    )


if __name__ == "__main__":
    sys.exit(main())
