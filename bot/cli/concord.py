"""``reading-group concord TERM``: every use of a term across the library, in context.

In a terminal the lines are grouped by reading with the matches aligned in one column and
coloured; piped, each use is one line ``citation<TAB>line`` with the match marked ``**like
this**`` (as ``search`` marks them), never cut, and the counts go to standard error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cli.common import load_settings, updates_index
from bot.core.citations import resolve
from bot.core.wording import plural
from bot.storage.library import load_indexed

if TYPE_CHECKING:
    import argparse

    from bot.cli.terminal import Terminal
    from bot.core.concord import Concordance


def cmd_concord(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    import asyncio

    from bot.core.concord import CONTEXT
    from bot.core.search import ANSI, STARS
    from bot.storage.concord import concordance
    from bot.storage.database import open_database
    from bot.storage.search import sync_index

    settings = load_settings(args)
    loaded = load_indexed(settings.readings_dir, settings.database_path)
    library = loaded.library
    slug = resolve(library, args.reading).reading.slug if args.reading else None
    if args.limit is not None and args.limit < 1:
        err.print("--limit must be 1 or more", "red")
        return 1
    term = " ".join(args.term)

    async def run() -> Concordance:
        async with open_database(settings.database_path) as db:
            if updates_index(loaded, settings.database_path):
                await sync_index(db, library)
            return await concordance(db, library, term, reading=slug, passages=None)

    found = asyncio.run(run())
    if found.nothing_to_search:
        err.print(
            "Nothing to look up: type a word, a prefix such as internat*, or a phrase.", "yellow"
        )
        return 1
    if not found.readings:
        err.print("No reading uses that. Try another form of the word, or a prefix: internat*")
        return 1
    lines = found.lines if args.limit is None else found.lines[: args.limit]
    if out.color:
        width = max(len(line.citation) for line in lines)
        slug_now = None
        counts = {uses.slug: uses for uses in found.readings}
        for line in lines:
            if line.slug != slug_now:
                uses = counts[line.slug]
                out.print(f"{uses.title} ({uses.slug}): {plural(uses.passages, 'passage')}", "bold")
                slug_now = line.slug
            left, match, right = (ANSI.escape(text) for text in (line.left, line.match, line.right))
            kwic = f"{left:>{CONTEXT + 1}}{ANSI.open}{match}{ANSI.close}{right}"
            out.print(f"{out.style(line.citation.ljust(width), 'cyan')}  {kwic}")
    else:
        for line in lines:
            out.print(f"{line.citation}\t{line.render(STARS)}")
    for uses in found.readings:
        err.print(f"{uses.slug}: {plural(uses.passages, 'passage')}", "dim")
    err.print(
        f"{plural(len(found.lines), 'use')} in {plural(found.passages, 'passage')} of "
        f"{plural(len(found.readings), 'reading')}",
        "dim",
    )
    if len(lines) < len(found.lines):
        err.print(f"Only the first {len(lines)} lines (--limit).", "yellow")
    if found.query.truncated:
        err.print("Only the first words of the term were looked up.", "yellow")
    return 0
