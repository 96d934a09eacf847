"""The commands on the content: ``check``, ``readings``, ``passage``, ``search`` and ``import``."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import load_library_for, load_settings, updates_index
from bot.core.citations import Citation, format_citation, resolve, table_of_contents
from bot.core.errors import ContentError, clip
from bot.core.readings import (
    Library,
    LibraryError,
    Reading,
    front_matter_line,
    long_paragraph_warnings,
)
from bot.core.wording import plural
from bot.settings import Settings, SettingsError
from bot.storage.library import load_indexed

if TYPE_CHECKING:
    import argparse

    from bot.cli.terminal import Terminal
    from bot.core.search import SearchResults


def cmd_check(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    from bot.core.content import load_content

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


def cmd_readings(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    library = load_library_for(args, err)
    rows = [
        [
            r.slug,
            ", ".join(r.aliases),
            clip(r.title, 48) if out.color else r.title,  # scripts get every title whole
            r.author or "",
            str(len(r.paragraphs)),
            f"{r.words:,}",
        ]
        for r in library
    ]
    out.table(["slug", "aliases", "title", "author", "paragraphs", "words"], rows, right={4, 5})
    return 0


def cmd_passage(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    library = load_library_for(args, err)
    citation = resolve(library, " ".join(args.reference))
    print_passage(citation, out)
    return 0


def cmd_search(args: argparse.Namespace, out: Terminal, err: Terminal) -> int:
    import asyncio

    from bot.core.search import ANSI, STARS
    from bot.storage.database import open_database
    from bot.storage.search import search, sync_index

    settings = load_settings(args)
    loaded = load_indexed(settings.readings_dir, settings.database_path)
    library = loaded.library
    slug = resolve(library, args.reading).reading.slug if args.reading else None
    if not 1 <= args.limit <= 100:
        err.print("--limit must be between 1 and 100", "red")
        return 1
    query = " ".join(args.query)

    async def run() -> SearchResults:
        async with open_database(settings.database_path) as db:
            if updates_index(loaded, settings.database_path):
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
    if results.in_reading_order:
        err.print(
            "Only common words, or a phrase with one: the first matches in reading order, "
            "not ranked by relevance.",
            "yellow",
        )
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


def _wrap(text: str, width: int) -> str:
    return "\n".join(
        textwrap.fill(line, width=width, break_long_words=False, break_on_hyphens=False)
        for line in text.split("\n")
    )
