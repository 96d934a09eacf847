"""``facilitators``: each group's facilitator rotation and who facilitates the coming
installments, as ``/plan facilitators list`` shows it; read from the database if any."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.cli.common import choose, load_content_for, load_settings
from bot.cli.plans import _planned_groups

if TYPE_CHECKING:
    import argparse

    from bot.cli.terminal import Terminal
    from bot.settings import Settings

#: How many coming installments are listed per group.
LISTED = 10

Rotations = dict[int, tuple[list[int], dict[int, int]]]


def _stored(settings: Settings, channel_ids: list[int]) -> Rotations:
    """Each group's stored rotation and changed turns (none without a database)."""
    import asyncio

    from bot.storage.database import has_state, open_state
    from bot.storage.facilitators import rotation, turns

    async def run() -> Rotations:
        async with open_state(settings.database_path, settings.database_url) as db:
            return {c: (await rotation(db, c), await turns(db, c)) for c in channel_ids}

    return asyncio.run(run()) if has_state(settings.database_path, settings.database_url) else {}


def cmd_facilitators(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    from bot.core.facilitators import facilitator_of
    from bot.core.group import progress
    from bot.core.plan import format_moment, schedule_preview

    settings = load_settings(args)
    content = load_content_for(settings)
    now = dt.datetime.now(dt.UTC)
    chosen = choose(_planned_groups(settings, content, now), args.group, one=False)
    stored = _stored(settings, [group.channel_id for group, _ in chosen])
    declared = {c.channel_id: c.facilitators for c in content.groups}
    for index, (group, _) in enumerate(chosen):
        members, changed = stored.get(group.channel_id, ([], {}))
        members = list(declared.get(group.channel_id) or members)  # the file wins
        if index:
            out.print()
        out.print(f"{group.name} · channel {group.channel_id}", "bold")
        if not members and not changed:
            out.print("no facilitators yet: /plan facilitators add, /facilitate, or groups.yaml")
            continue
        out.print("rotation: " + ", ".join(str(member) for member in members))
        installments = group.plan().installments(content.library)
        preview = schedule_preview(
            group.plan(),
            installments,
            posted=progress(group, installments),
            now=now,
            last_slot=group.last_slot,
        )
        for item in preview.items[:LISTED]:
            who = facilitator_of(item.number, members, changed)
            out.print(f"{item.number}\t{format_moment(item.slot, preview.tz)}\t{who or '-'}")
    return 0
