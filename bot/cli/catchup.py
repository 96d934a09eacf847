"""The ``catchup`` command: a member's catch-up in a group, from the database (as /catchup)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.cli.common import choose, load_content_for, load_settings

if TYPE_CHECKING:
    import argparse

    from bot.cli.terminal import Terminal
    from bot.core.summary.catchup import Catchup


def cmd_catchup(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    import asyncio

    from bot.core.safetext import plain_text
    from bot.core.summary import SummarySettings, question_numbers
    from bot.core.summary.catchup import catchup_text, compute_catchup, parse_since
    from bot.discord.render import jump_link
    from bot.storage.database import open_state
    from bot.storage.groups import groups_with_file
    from bot.storage.summaries import read_catchup

    settings = load_settings(args)
    content = load_content_for(settings)
    library = content.library
    now = dt.datetime.now(dt.UTC)

    async def run() -> Catchup:
        async with open_state(settings.database_path, settings.database_url, create=False) as db:
            groups = await groups_with_file(db, content.groups, library, now=now)
            ((group, _),) = choose([(g, set()) for g in groups], args.group, one=True)
            since = parse_since(args.since, now=now, tz=group.cadence.tz) if args.since else None
            data = await read_catchup(
                db, group, args.member, since=since, now=now, names=question_numbers
            )
        return compute_catchup(
            data,
            installments=group.plan().installments(library),
            now=now,
            settings=SummarySettings(min_group_size=settings.summary_min_group_size),
            titles={reading.slug: reading.display_title for reading in library},
        )

    catchup = asyncio.run(run())
    title, _, rest = plain_text(catchup_text(catchup, jump_link)).partition("\n")
    out.print(title, "bold")
    out.print(rest)
    return 0


def member_id(text: str) -> int:
    """``--member``: a Discord user id (the number "Copy User ID" gives)."""
    import argparse

    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**63:
        raise argparse.ArgumentTypeError(
            f"{text[:40]!r} is not a Discord user id (a number: right-click the member, "
            "Copy User ID)"
        )
    return int(text)
