"""The ``reading-group`` command line.

Each subcommand loads settings itself (never at import time), works without Discord unless it is
``run``, and reports problems as ``path:line: what is wrong`` with exit status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import shutil
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.core.citations import Citation, format_citation, resolve, table_of_contents
from bot.core.content import Content, load_content
from bot.core.errors import CitationError, ContentError, ReadingGroupError
from bot.core.readings import (
    Library,
    LibraryError,
    Reading,
    front_matter_line,
    load_library,
    long_paragraph_warnings,
)
from bot.core.search import SearchResults
from bot.core.wording import plural
from bot.settings import Settings, SettingsError

if TYPE_CHECKING:
    import aiosqlite

    from bot.core.group import Group
    from bot.core.plan import Preview

    PlannedGroup = tuple[Group, set[str]]

ANSI = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


class Terminal:
    """Writes to a stream with colour only when it is a terminal and NO_COLOR is unset."""

    def __init__(self, stream: TextIO, color: bool | None = None) -> None:
        self.stream = stream
        if color is None:
            color = stream.isatty() and "NO_COLOR" not in os.environ
        self.color = color
        self.width = min(shutil.get_terminal_size((100, 24)).columns, 100) if color else 80

    def style(self, text: str, *styles: str) -> str:
        if not self.color or not styles:
            return text
        codes = ";".join(ANSI[s] for s in styles)
        return f"\033[{codes}m{text}\033[0m"

    def print(self, text: str = "", *styles: str) -> None:
        print(self.style(text, *styles), file=self.stream)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> None:
        """Aligned columns; a header rule only when colourful, tab-separated when piped."""
        if not self.color:
            for row in [headers, *rows]:
                self.print("\t".join(row))
            return
        widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

        def line(row: Sequence[str]) -> str:
            cells = [
                cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
                for i, cell in enumerate(row)
            ]
            return "  ".join(cells).rstrip()

        self.print(line(headers), "bold")
        for row in rows:
            self.print(line(row))

    def markdown(self, text: str) -> str:
        """Render ``**bold**`` (search highlights) as terminal bold, or leave it as is."""
        if not self.color:
            return text
        return re.sub(r"\*\*(.+?)\*\*", lambda m: self.style(m.group(1), "bold", "yellow"), text)


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

    search = sub.add_parser("search", help="full-text search over the library")
    search.add_argument(
        "query", nargs="*", help='words, or "a phrase" in quotes (also -word, or after --)'
    )
    search.add_argument("--reading", metavar="SLUG", help="only search this reading")
    search.add_argument("--limit", type=int, default=10, metavar="N", help="hits (default 10)")
    search.set_defaults(command=cmd_search)

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


def load_settings(args: argparse.Namespace) -> Settings:
    env_file: Path = args.env_file
    return Settings.load(env_file=env_file)


def load_library_for(args: argparse.Namespace) -> Library:
    return load_library(load_settings(args).readings_dir)


def cmd_check(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    problems: list[ContentError] = []
    try:
        settings = load_settings(args)
    except SettingsError as exc:
        problems.extend(exc.errors)
        settings = Settings.load(environ={}, env_file=None)
    content = None
    try:
        content = load_content(settings.readings_dir, settings.prompts_dir, settings.groups_file)
    except LibraryError as exc:
        problems.extend(exc.errors)
    for problem in problems:
        err.print(str(problem), "red")
    if problems:
        return 1
    assert content is not None
    library, prompts = content.library, content.prompts
    for reading in library:
        for warning in long_paragraph_warnings(reading):
            err.print(warning, "yellow")
    paragraphs = sum(len(r.paragraphs) for r in library)
    out.print(f"OK: {plural(len(library), 'reading')}, {plural(paragraphs, 'paragraph')}.", "green")
    out.print(
        f"OK: {plural(len(prompts.questions), 'question')} and "
        f"{plural(len(prompts.templates), 'template')} in {settings.prompts_dir}.",
        "green",
    )
    if settings.groups_file.exists():
        groups = plural(len(content.groups), "group")
        out.print(f"OK: {groups} in {settings.groups_file}.", "green")
    else:
        out.print(f"No {settings.groups_file}: groups come from /plan start only.")
    for warning in _limit_warnings(library):
        err.print(warning, "yellow")
    return 0


def _limit_warnings(library: Library) -> list[str]:
    """``path:line: warning: ...`` for what Discord's limits will cut of each reading."""
    from bot.discord.render import limit_warnings

    lines = []
    for reading in library:
        for where, what in limit_warnings(reading):
            line = where if isinstance(where, int) else front_matter_line(reading.path, where)
            lines.append(f"{reading.path}:{line}: warning: {what}")
    return lines


def _planned_groups(settings: Settings, content: Content, now: dt.datetime) -> list[PlannedGroup]:
    """The groups as the bot would run them, with the ids of the questions each has asked.

    Reads the database only if it exists; nothing is written.
    """
    from bot.storage.database import open_database
    from bot.storage.groups import asked_question_ids, groups_with_file

    async def run() -> list[PlannedGroup]:
        async with open_database(settings.database_path) as db:
            groups = await groups_with_file(db, content.groups, content.library, now=now)
            return [(g, await asked_question_ids(db, g.channel_id)) for g in groups]

    if settings.database_path.exists():
        return asyncio.run(run())
    from bot.core.group import file_group

    return [(file_group(c, content.library, None, now=now), set()) for c in content.groups]


def _choose(planned: list[PlannedGroup], name: str | None, *, one: bool) -> list[PlannedGroup]:
    """The groups ``--group`` names (all of them without it, unless ``one`` is needed)."""
    names = ", ".join(f"{g.name} ({g.channel_id})" for g, _ in planned)
    if not planned:
        raise ReadingGroupError(
            "No groups yet: declare one in groups.yaml (see groups.example.yaml) or run "
            "/plan start in a channel"
        )
    if name is None:
        if one and len(planned) > 1:
            raise ReadingGroupError(f"{len(planned)} groups: pick one with --group ({names})")
        return planned
    chosen = [p for p in planned if name in (p[0].name, str(p[0].channel_id))]
    if not chosen:
        raise ReadingGroupError(f"--group {name!r}: no such group (groups: {names})")
    if len(chosen) > 1:
        raise ReadingGroupError(f"--group {name!r}: several groups have that name: use its id")
    return chosen


def cmd_plan(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    from bot.core.group import progress
    from bot.core.plan import format_preview, schedule_preview, short_names

    settings = load_settings(args)
    content = load_content(settings.readings_dir, settings.prompts_dir, settings.groups_file)
    now = dt.datetime.now(dt.UTC)
    chosen = _choose(_planned_groups(settings, content, now), args.group, one=False)
    for index, (group, _) in enumerate(chosen):
        installments = group.plan().installments(content.library)
        done = progress(group, installments)
        preview = schedule_preview(
            group.plan(), installments, posted=done, now=now, last_slot=group.last_slot
        )
        if index:
            out.print()
        where = group.declared_at or "/plan start"
        out.print(f"{group.name} · channel {group.channel_id} · {where}", "bold")
        state = " · paused" if group.paused else ""
        out.print(
            f"{group.cadence} · about {group.word_target} words · "
            f"{plural(group.questions_per_post, 'question')} per post{state}",
            "dim",
        )
        names = short_names(content.library)
        if out.color:
            out.print(format_preview(preview, names=names))
        else:
            _plan_table(preview, names, out)
    return 0


def _plan_table(preview: Preview, names: dict[str, str], out: Terminal) -> None:
    """The installments to come as a tab-separated table for scripts, then the finish line."""
    from bot.core.plan import format_moment, summary_line

    rows = []
    for item in preview.items:
        part = item.installment
        moment = format_moment(item.slot, preview.tz)
        citation = part.cite(names.get(part.slug, part.slug))
        rows.append([str(item.number), moment, citation, str(part.words)])
    out.table(["number", "when", "passage", "words"], rows, right={0, 3})
    out.print(summary_line(preview))


def cmd_preview(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    from bot.core.group import progress
    from bot.core.plan import format_moment, schedule_preview
    from bot.core.posting import PostContent, upcoming
    from bot.discord.render import outgoing_text, post_messages, thread_messages, thread_name

    if not 1 <= args.count <= 50:
        err.print("--count must be between 1 and 50", "red")
        return 1
    settings = load_settings(args)
    content = load_content(settings.readings_dir, settings.prompts_dir, settings.groups_file)
    now = dt.datetime.now(dt.UTC)
    ((group, used),) = _choose(_planned_groups(settings, content, now), args.group, one=True)
    library = content.library
    installments = group.plan().installments(library)
    done = progress(group, installments)
    preview = schedule_preview(
        group.plan(), installments, posted=done, now=now, last_slot=group.last_slot
    )
    posts = upcoming(
        installments,
        done=done,
        prompts=content.prompts,
        library=library,
        questions_per_post=group.questions_per_post,
        used=used,
        count=args.count,
    )
    if not posts:
        out.print(f"{group.name}: all {plural(len(installments), 'installment')} are done.")
        return 0
    tz = group.cadence.tz
    for index, (post, item) in enumerate(zip(posts, preview.items, strict=False)):
        shown = PostContent(
            channel_id=group.channel_id,
            slot=item.slot,
            installment=post.installment,
            number=post.number,
            total=post.total,
            questions=tuple(q.text for q in post.questions),
            tz=tz,
            ping_role_id=group.ping_role_id,
        )
        reading = library[post.installment.slug]
        if index:
            out.print()
        out.print(
            f"=== {group.name}: post {post.number} of {post.total}, "
            f"{format_moment(item.slot, tz)} ({tz.key}) ===",
            "bold",
        )
        out.print(outgoing_text(post_messages(shown, reading)))
        out.print()
        out.print(f"[thread] {thread_name(reading, post.installment)}", "cyan")
        for text in thread_messages(shown):
            out.print(text)
    return 0


def cmd_readings(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    library = load_library_for(args)
    rows = [
        [
            r.slug,
            ", ".join(r.aliases),
            _clip(r.title, 48) if out.color else r.title,  # scripts get every title whole
            r.author or "",
            str(len(r.paragraphs)),
            f"{r.words:,}",
        ]
        for r in library
    ]
    out.table(["slug", "aliases", "title", "author", "paragraphs", "words"], rows, right={4, 5})
    return 0


def cmd_passage(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    library = load_library_for(args)
    citation = resolve(library, " ".join(args.reference))
    print_passage(citation, out)
    return 0


def cmd_search(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    from bot.core.search import ANSI, STARS
    from bot.storage.database import open_database
    from bot.storage.search import search, sync_index

    settings = load_settings(args)
    library = load_library(settings.readings_dir)
    slug = resolve(library, args.reading).reading.slug if args.reading else None
    if not 1 <= args.limit <= 100:
        err.print("--limit must be between 1 and 100", "red")
        return 1
    query = " ".join(args.query)

    async def run() -> SearchResults:
        async with open_database(settings.database_path) as db:
            await sync_index(db, library)
            return await search(
                db, query, reading=slug, limit=args.limit, markers=ANSI if out.color else STARS
            )

    results = asyncio.run(run())
    if results.nothing_to_search:
        err.print("Nothing to search for: type some words, or a phrase in quotes.", "yellow")
        return 1
    if not results:
        err.print("No matches. Try fewer words, another form of a word, or drop the quotes.")
        return 1
    for hit in results:
        where = hit.citation + (f" · {hit.section}" if hit.section else "")
        out.print(where, "cyan")
        out.print(_wrap(hit.snippet, out.width))
        out.print()
    if results.truncated:
        err.print("Only the first words of the query were searched.", "yellow")
    if results.ignored:
        err.print(f"Common words left out: {', '.join(results.ignored)}", "yellow")
    return 0


def cmd_import(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    from bot.core.importer import import_bytes, suggest_slug, to_reading_markdown
    from bot.core.readings import SLUG_RE, parse_reading

    path: Path = args.file
    try:
        data = path.read_bytes()
    except OSError as exc:
        err.print(f"{path}: cannot read it ({exc.strerror}): check the path", "red")
        return 1
    imported = import_bytes(data, path.name)
    text = to_reading_markdown(imported, title=args.title, author=args.author, source=args.source)
    slug = args.slug or suggest_slug(args.title or imported.title or path.stem)
    if not SLUG_RE.match(slug):
        err.print(f"--slug {slug!r}: use lowercase letters, digits and hyphens", "red")
        return 1
    settings = load_settings(args)
    target = settings.readings_dir / f"{slug}.md"
    reading = parse_reading(text, str(target))  # what check would say, before anything is written
    for warning in imported.warnings:
        err.print(f"{path}: {warning}", "yellow")
    for warning in long_paragraph_warnings(reading):
        err.print(warning, "yellow")
    if args.stdout:
        out.stream.write(text)
        return 0
    if target.exists() and not args.force:
        err.print(
            f"{target} already exists: choose another --slug, or add --force to replace it",
            "red",
        )
        return 1
    clash = _import_clash(reading, settings.readings_dir, target)
    if clash is not None:
        err.print(clash, "red")
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    out.print(
        f"Wrote {target}: {reading.display_title!r}, {plural(len(reading.paragraphs), 'paragraph')}"
        f", {plural(len(reading.sections), 'section')}, {plural(len(reading.footnotes), 'note')}, "
        f"{plural(reading.words, 'word')}.",
        "green",
    )
    return 0


def _import_clash(reading: Reading, directory: Path, target: Path) -> str | None:
    """Why ``reading`` may not join the readings in ``directory`` (a short name another reading
    answers to, naming it and a free one), or None. The file it replaces does not count."""
    from bot.core.readings import free_name, load_each, name_clashes, names_taken

    others = (
        [r for r in load_each(directory)[0] if Path(r.path) != target] if directory.is_dir() else []
    )
    found = name_clashes(reading, others)
    if not found:
        return None
    name, other = found[0]  # an imported reading has no aliases: the name is its slug
    kind = "slug" if name == other.slug else "alias"
    free = free_name(name, names_taken(others))
    return (
        f"--slug {name!r} is already the {kind} of {other.path} ({other.title}): nothing was "
        f"written; choose another, e.g. --slug {free}"
    )


def cmd_export(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    import csv
    import datetime as dt
    import json

    from bot.core.safetext import plain_text, spreadsheet_cell
    from bot.storage.database import open_database
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
        async with open_database(settings.database_path, create=False) as db:
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


async def _export_group(db: aiosqlite.Connection, settings: Settings, name: str) -> int:
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
    from bot.storage.database import open_database
    from bot.storage.groups import groups_with_file
    from bot.storage.summaries import read_week

    settings = load_settings(args)
    week = parse_week(args.week) if args.week else None
    content = load_content(settings.readings_dir, settings.prompts_dir, settings.groups_file)
    library = content.library
    now = dt.datetime.now(dt.UTC)
    wanted = SummarySettings(
        min_group_size=settings.summary_min_group_size,
        leaderboard=settings.summary_leaderboard,
    )

    async def run() -> WeeklySummary:
        async with open_database(settings.database_path, create=False) as db:
            groups = await groups_with_file(db, content.groups, library, now=now)
            ((group, _),) = _choose([(g, set()) for g in groups], args.group, one=True)
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


def print_passage(citation: Citation, out: Terminal) -> None:
    reading = citation.reading
    byline = f" — {reading.author}" if reading.author else ""
    out.print(f"{reading.display_title}{byline}", "bold")
    where = f"{reading.slug} · contents" if citation.contents else str(citation)
    if citation.section is not None:
        where += f" · {citation.section.title}"
    out.print(where, "cyan")
    if reading.source:
        out.print(reading.source, "dim")
    out.print()
    if citation.contents:
        print_contents(citation, out)
        return
    if citation.note is not None:
        out.print(_wrap(f"[{citation.note.label}] {citation.note.text}", out.width))
        return
    if citation.sentences is not None:
        _print_sentences(citation, out)
    section = None
    for paragraph in citation.paragraphs if citation.sentences is None else ():
        if paragraph.section != section and paragraph.section and len(citation.paragraphs) > 1:
            out.print(f"## {paragraph.section}", "bold")
            out.print()
        section = paragraph.section
        out.print(_wrap(f"§{paragraph.number} {paragraph.text}", out.width))
        out.print()
    notes = reading.notes_for(citation.paragraphs)
    if notes:
        out.print("Notes", "bold")
        for note in notes:
            out.print(_wrap(f"[^{note.label}] {note.text}", out.width), "dim")


def print_contents(citation: Citation, out: Terminal) -> None:
    """A reading's table of contents, and how to print a part of it."""
    reading = citation.reading
    size = f"{plural(len(reading.paragraphs), 'paragraph')}, {plural(reading.words, 'word')}"
    out.print(size, "dim")
    out.table(["where", "what"], table_of_contents(reading), right=set())
    example = format_citation(reading.slug, 1, min(3, len(reading.paragraphs)))
    out.print()
    out.print(f"Print a part with e.g. `reading-group passage {example}`.", "dim")


def _print_sentences(citation: Citation, out: Terminal) -> None:
    """Cited sentences in bold within their paragraph's context, under a line naming them;
    piped, without bold, they are marked ``**like this**``."""

    def emphasis(cited: str) -> str:
        return out.style(cited, "bold") if out.color else f"**{cited}**"

    for marked in citation.marked:
        if marked.whole:
            out.print(_wrap(f"§{marked.span} {marked.paragraph.text}", out.width))
        else:
            out.print(marked.label, "cyan")
            out.print(_wrap(marked.shown(emphasis), out.width))
        out.print()


def cmd_run(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    from bot.runner import run_bot, setup_logging

    settings = load_settings(args)
    setup_logging(settings)
    return asyncio.run(run_bot(settings, stderr=err.stream))


def cmd_sync(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
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


def _wrap(text: str, width: int) -> str:
    return "\n".join(
        textwrap.fill(line, width=width, break_long_words=False, break_on_hyphens=False)
        for line in text.split("\n")
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


if __name__ == "__main__":
    sys.exit(main())
