"""``reading-group polls``: each group's stance polls and where members stand, counts only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cli.common import choose, load_content_for, load_settings

if TYPE_CHECKING:
    import argparse

    from bot.cli.terminal import Terminal


def cmd_polls(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    """Print every poll of the groups (or of ``--group``) with its installment, whether it is
    open, and its counts before -> after, a phase only from the minimum group size."""
    import asyncio
    import datetime as dt

    from bot.core.polls import format_shift, open_phase, shift
    from bot.core.safetext import plain_text
    from bot.storage.database import open_state
    from bot.storage.groups import groups_with_file
    from bot.storage.polls import group_polls, poll_stances, posted_keys

    settings = load_settings(args)
    content = load_content_for(settings)

    async def run() -> list[str]:
        lines: list[str] = []
        async with open_state(settings.database_path, settings.database_url, create=False) as db:
            now = dt.datetime.now(dt.UTC)
            groups = await groups_with_file(db, content.groups, content.library, now=now)
            for group, _ in choose([(g, set()) for g in groups], args.group, one=False):
                lines.append(f"# {group.name} ({group.channel_id})")
                keys = await posted_keys(db, group.channel_id)
                polls = await group_polls(db, group.channel_id)
                for poll in polls:
                    phase = open_phase(poll.installment_key, keys)
                    state = f"open: {phase}" if phase else "not open"
                    lines.append(f"{poll.id}. {poll.installment_key} ({state}): {poll.proposition}")
                    moved = shift(
                        poll.proposition,
                        await poll_stances(db, poll.id),
                        min_group_size=settings.summary_min_group_size,
                    )
                    lines.append(
                        f"   {format_shift(moved) if moved else 'too few answers to show'}"
                    )
                if not polls:
                    lines.append("no polls")
        return lines

    for line in asyncio.run(run()):
        if line.startswith("# "):
            out.print(plain_text(line), "bold")
        else:
            out.print(plain_text(line))
    return 0
