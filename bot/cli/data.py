"""The commands on the database: ``export``, ``summary`` and ``backup``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.cli.common import choose, load_content_for, load_settings
from bot.core.errors import ReadingGroupError
from bot.core.wording import plural

if TYPE_CHECKING:
    import argparse

    from bot.cli.terminal import Terminal
    from bot.settings import Settings
    from bot.storage.connection import Connection


def cmd_export(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    import asyncio
    import csv
    import datetime as dt
    import json

    from bot.core.safetext import plain_text, spreadsheet_cell
    from bot.storage.database import open_state
    from bot.storage.replies import EXPORT_COLUMNS, export_replies

    settings = load_settings(args)
    since = None
    if args.since:
        try:
            since = dt.datetime.combine(dt.date.fromisoformat(args.since), dt.time(), dt.UTC)
        except ValueError:
            err.print(f"--since {args.since!r}: write the date as YYYY-MM-DD", "red")
            return 1

    async def run() -> int:
        async with open_state(settings.database_path, settings.database_url, create=False) as db:
            group_id = await _export_group(db, settings, args.group) if args.group else None
            stream = _open_out(args.out) if args.out else out.stream
            count = 0
            try:
                writer = csv.DictWriter(stream, fieldnames=EXPORT_COLUMNS)
                if args.format == "csv":
                    writer.writeheader()  # even when nothing matches: the columns are the same
                async for row in export_replies(db, group_channel_id=group_id, since=since):
                    if args.format == "jsonl":
                        text = {
                            k: plain_text(v) if isinstance(v, str) else v for k, v in row.items()
                        }
                        stream.write(json.dumps(text, ensure_ascii=False) + "\n")
                    else:
                        writer.writerow({k: spreadsheet_cell(v) for k, v in row.items()})
                    count += 1
            finally:
                if args.out:
                    stream.close()
            if args.out:
                out.print(f"Wrote {plural(count, 'reply')} to {args.out}", "green")
            return 0

    return asyncio.run(run())


async def _export_group(db: Connection, settings: Settings, name: str) -> int:
    """The channel of the group ``--group`` names: one the database knows (retired ones too), or
    one declared in groups.yaml that the bot has not stored yet, by either name or by id."""
    from bot.core.content import load_groups_file
    from bot.storage.groups import list_groups

    known = [(g.name, g.channel_id) for g in await list_groups(db, retired=True)]
    known += [(c.name, c.channel_id) for c in load_groups_file(settings.groups_file)]
    known.sort(key=lambda group: group[1])
    chosen = {channel for each, channel in known if name in (each, str(channel))}
    if not chosen:
        names = ", ".join(dict.fromkeys(each for each, _ in known)) or "none yet"
        raise ReadingGroupError(f"--group {name!r}: no such group (groups: {names})")
    if len(chosen) > 1:
        raise ReadingGroupError(f"--group {name!r}: several groups have that name: use its id")
    return chosen.pop()


def _open_out(path: Path) -> TextIO:
    """``--out``, opened for writing, or a one-line error saying why it cannot be."""
    try:
        return path.open("w", encoding="utf-8", newline="")
    except IsADirectoryError:
        message = f"--out {path} is a folder: give a file name in it, e.g. {path / 'replies.csv'}"
    except FileNotFoundError:
        message = (
            f"--out {path}: there is no folder {path.parent}: create it first, or write "
            "somewhere else"
        )
    except OSError as exc:
        message = f"--out {path}: cannot write it ({exc.strerror or exc})"
    raise ReadingGroupError(message)


def cmd_summary(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    import asyncio

    from bot.core.safetext import plain_text
    from bot.core.summary import (
        SummarySettings,
        WeeklySummary,
        default_week,
        parse_week,
        question_numbers,
        summarize,
        summary_text,
    )
    from bot.discord.chart import try_render_chart
    from bot.discord.render import jump_link
    from bot.storage.database import open_state
    from bot.storage.groups import groups_with_file
    from bot.storage.summaries import read_week

    settings = load_settings(args)
    week = parse_week(args.week) if args.week else None
    content = load_content_for(settings)
    library = content.library
    now = dt.datetime.now(dt.UTC)
    wanted = SummarySettings(
        min_group_size=settings.summary_min_group_size,
        leaderboard=settings.summary_leaderboard,
    )

    async def run() -> WeeklySummary:
        async with open_state(settings.database_path, settings.database_url, create=False) as db:
            groups = await groups_with_file(db, content.groups, library, now=now)
            ((group, _),) = choose([(g, set()) for g in groups], args.group, one=True)
            chosen = week or default_week(group.summary, now, group.cadence.tz)
            data = await read_week(
                db,
                group,
                chosen,
                names=question_numbers,
                min_group_size=wanted.min_group_size,
            )
        return summarize(
            data,
            chosen,
            installments=group.plan().installments(library),
            now=now,
            settings=wanted,
            titles={reading.slug: reading.display_title for reading in library},
        )

    weekly = asyncio.run(run())
    title, _, rest = plain_text(summary_text(weekly.summary, jump_link, out.width)).partition("\n")
    out.print(title, "bold")
    out.print(rest)
    if args.chart is None:
        return 0
    chart = try_render_chart(weekly.chart)
    if chart is None:
        err.print("Could not draw the chart (the log says why); the text above is complete", "red")
        return 1
    target: Path = args.chart
    try:
        target.write_bytes(chart)
    except OSError as exc:
        err.print(f"--chart {target}: cannot write it: {exc.strerror or exc}", "red")
        return 1
    out.print(f"Wrote the chart to {target} ({len(chart) // 1000} kB)", "green")
    return 0


def cmd_backup(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    import sqlite3

    from bot.storage.database import backup, require_database

    settings = load_settings(args)
    if settings.database_url is not None:
        from bot.storage.postgres import where

        err.print(
            f"The shared state is in {where(settings.database_url)}: back it up with pg_dump "
            "(e.g. pg_dump -Fc -f reading-group.dump DATABASE); backup copies SQLite files only",
            "red",
        )
        return 1
    require_database(settings.database_path)
    example = "reading-group.sqlite3"
    if not args.file.strip():  # Path("") would be the current folder
        err.print(f"backup needs a file name to write the copy to, e.g. backups/{example}", "red")
        return 1
    target = Path(args.file)
    if target.is_dir():
        err.print(f"{target} is a folder: give a file name in it, e.g. {target / example}", "red")
        return 1
    if target.resolve() == settings.database_path.resolve():
        err.print("The backup must go to another file than the database itself", "red")
        return 1
    if target.exists() and not args.force:
        err.print(
            f"{target} already exists: choose another name, or add --force to replace it", "red"
        )
        return 1
    try:
        pages = backup(settings.database_path, target)
    except sqlite3.DatabaseError as exc:
        err.print(
            f"{settings.database_path}: not a usable SQLite database ({exc}): check DATABASE_PATH",
            "red",
        )
        return 1
    except OSError as exc:
        err.print(
            f"{target}: cannot write the copy ({exc.strerror or exc}): check that "
            f"{target.parent} is a folder you may write in",
            "red",
        )
        return 1
    out.print(f"Backed up {settings.database_path} to {target} ({pages} pages)", "green")
    return 0
