"""The parser, and :func:`main`: the one place a command's errors become lines on standard error.

Every command module imports at its top only what ``passage`` needs too (settings, readings,
references); what only some commands need (asyncio and the database, the plan and posting
modules, Discord) they import inside the command, so a quick look-up starts quickly.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.cli.catchup import cmd_catchup, member_id
from bot.cli.concord import cmd_concord
from bot.cli.content import (
    cmd_check,
    cmd_import,
    cmd_passage,
    cmd_readings,
    cmd_search,
)
from bot.cli.data import cmd_backup, cmd_export, cmd_summary
from bot.cli.facilitators import cmd_facilitators
from bot.cli.plans import cmd_plan, cmd_preview
from bot.cli.polls import cmd_polls
from bot.cli.quotes import cmd_quote
from bot.cli.run import cmd_run, cmd_sync
from bot.cli.terminal import Terminal
from bot.core.errors import CitationError, ReadingGroupError
from bot.core.readings import LibraryError
from bot.settings import SettingsError


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``reading-group`` script and ``python -m bot``."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and getattr(args, "command", None) is cmd_search:
        # ``search -market``: a word that starts with a dash is a word (search reads
        # punctuation as text); only long options it does not know are mistakes.
        unknown = [word for word in extra if word.startswith("--")]
        if unknown:
            parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        args.query += extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    out, err = Terminal(sys.stdout), Terminal(sys.stderr)
    command: Callable[[argparse.Namespace, Terminal, Terminal], int] = args.command
    try:
        code = command(args, out, err)
        out.stream.flush()  # a reader that has gone shows here, not in Python's flush at exit
        return code
    except BrokenPipeError:
        # The reader stopped early (`| head`): nothing to say. As the Python docs advise, point
        # standard output at devnull so that the flush at exit cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.stream.fileno())
        return 1
    except (SettingsError, LibraryError) as exc:
        for error in exc.errors:
            err.print(str(error), "red")
        return 1
    except CitationError as exc:
        err.print(exc.hinted("`reading-group readings`"), "red")
        return exc.exit_code
    except ReadingGroupError as exc:
        err.print(str(exc), "red")
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reading-group",
        description="A Discord bot for reading groups: look up, search and schedule texts.",
    )
    parser.add_argument(
        "--env-file", type=Path, default=Path(".env"), help="settings file (default: .env)"
    )
    sub = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="validate settings, readings, prompts and groups.yaml")
    check.set_defaults(command=cmd_check)

    plan = sub.add_parser("plan", help="every installment still to come, with its date")
    plan.add_argument("--group", metavar="G", help="a group's name or channel id (default: all)")
    plan.set_defaults(command=cmd_plan)

    facilitators = sub.add_parser(
        "facilitators", help="each group's facilitator rotation and the coming turns"
    )
    facilitators.add_argument(
        "--group", metavar="G", help="a group's name or channel id (default: all)"
    )
    facilitators.set_defaults(command=cmd_facilitators)

    preview = sub.add_parser(
        "preview", help="the next posts as they will be sent (text of the embeds and thread)"
    )
    preview.add_argument("--group", metavar="G", help="a group's name or channel id")
    preview.add_argument("--count", type=int, default=1, metavar="N", help="posts (default 1)")
    preview.set_defaults(command=cmd_preview)

    readings = sub.add_parser("readings", help="list the library with paragraph and word counts")
    readings.set_defaults(command=cmd_readings)

    passage = sub.add_parser("passage", help="print a passage, e.g. 'soic §12-14'")
    passage.add_argument("reference", nargs="+", help="a reference such as 'soic §12'")
    passage.set_defaults(command=cmd_passage)

    quote = sub.add_parser("quote", help="which passage a quotation quotes, e.g. a member's")
    quote.add_argument("text", nargs="+", help="the quotation (or a reply holding quotations)")
    quote.set_defaults(command=cmd_quote)

    search = sub.add_parser("search", help="full-text search over the library")
    search.add_argument(
        "query", nargs="*", help='words, or "a phrase" in quotes (also -word, or after --)'
    )
    search.add_argument("--reading", metavar="SLUG", help="only search this reading")
    search.add_argument("--limit", type=int, default=10, metavar="N", help="hits (default 10)")
    search.set_defaults(command=cmd_search)

    concord = sub.add_parser(
        "concord", help="every use of a word across the library, in context, counted per reading"
    )
    concord.add_argument("term", nargs="+", help="a word, a prefix such as internat*, or a phrase")
    concord.add_argument("--reading", metavar="SLUG", help="only this reading")
    concord.add_argument(
        "--limit", type=int, metavar="N", help="print at most N lines (default all)"
    )
    concord.set_defaults(command=cmd_concord)

    importer = sub.add_parser(
        "import", help="make a reading file from plain text, Markdown, HTML or EPUB"
    )
    importer.add_argument("file", type=Path, help="the .txt, .md, .html or .epub file")
    importer.add_argument("--slug", help="file name in the readings folder (default: from title)")
    importer.add_argument("--title", help="the title (default: from the file)")
    importer.add_argument("--author", help="the author (default: from the file)")
    importer.add_argument("--source", help="where the text comes from (a URL)")
    importer.add_argument("--force", action="store_true", help="overwrite an existing reading")
    importer.add_argument(
        "--stdout", action="store_true", help="print the reading instead of writing the file"
    )
    importer.set_defaults(command=cmd_import)

    export = sub.add_parser("export", help="write the logged replies as CSV or JSON lines")
    export.add_argument("--group", metavar="G", help="a group's name or channel id (default: all)")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv", help="default csv")
    export.add_argument("--since", metavar="DATE", help="only replies from this day (YYYY-MM-DD)")
    export.add_argument("--out", type=Path, metavar="FILE", help="default: standard output")
    export.set_defaults(command=cmd_export)

    summary = sub.add_parser(
        "summary", help="a group's weekly summary from the database (text; the chart to a file)"
    )
    summary.add_argument("--group", metavar="G", help="a group's name or channel id")
    summary.add_argument(
        "--week",
        metavar="WEEK",
        help="an ISO week such as 2026-W47, or a day in it (default: the week of the next summary)",
    )
    summary.add_argument("--chart", type=Path, metavar="FILE", help="write the chart as a PNG")
    summary.set_defaults(command=cmd_summary)

    catchup = sub.add_parser(
        "catchup", help="what a member missed in a group: installments, ⭐ replies, ❓, next"
    )
    catchup.add_argument("--member", required=True, type=member_id, metavar="ID", help="user id")
    catchup.add_argument("--group", metavar="G", help="a group's name or channel id")
    catchup.add_argument(
        "--since",
        metavar="WHEN",
        help='a day (YYYY-MM-DD) or "2 weeks" (default: since their last reply in the group)',
    )
    catchup.set_defaults(command=cmd_catchup)

    polls = sub.add_parser("polls", help="each group's stance polls and their counts")
    polls.add_argument("--group", metavar="G", help="a group's name or channel id")
    polls.set_defaults(command=cmd_polls)

    backup = sub.add_parser("backup", help="copy the database safely, even while the bot runs")
    backup.add_argument("file", help="where to write the copy")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.set_defaults(command=cmd_backup)

    run = sub.add_parser("run", help="connect to Discord and run the bot")
    run.set_defaults(command=cmd_run)

    sync = sub.add_parser("sync", help="register slash commands with Discord, then exit")
    sync.add_argument(
        "--guild",
        action="store_true",
        help="sync to DEV_GUILD_ID only (instant) instead of every server (up to an hour)",
    )
    sync.set_defaults(command=cmd_sync)

    return parser
