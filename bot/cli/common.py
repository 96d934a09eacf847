"""What several commands share: loading the settings and the library, choosing a group."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.errors import ReadingGroupError
from bot.core.readings import Library
from bot.settings import Settings
from bot.storage.library import LoadedLibrary, bot_running, indexed_loader, load_indexed

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

    from bot.cli.terminal import Terminal
    from bot.core.content import Content
    from bot.core.group import Group

    PlannedGroup = tuple[Group, set[str]]


def load_settings(args: argparse.Namespace) -> Settings:
    env_file: Path = args.env_file
    return Settings.load(env_file=env_file)


def load_content_for(settings: Settings) -> Content:
    """Readings, prompts and groups.yaml as the bot loads them: unchanged readings from the
    library index when there is one (their texts read when shown), changed ones parsed. The
    index is left as it is: `check` parses every file, and the bot or `search` updates it."""
    from bot.core.content import load_content

    return load_content(
        settings.readings_dir,
        settings.prompts_dir,
        settings.groups_file,
        indexed_loader(settings.database_path),
    )


def load_library_for(args: argparse.Namespace, err: Terminal | None = None) -> Library:
    """The library, its unchanged readings taken from the library index, which is brought up
    to date first when a reading changed (so the next command starts fast again), if the
    database exists and no bot runs on it (:func:`updates_index`).

    Args:
        args: the command line (for the settings).
        err: where to warn when the index cannot be updated (the library still loads).
    """
    settings = load_settings(args)
    loaded = load_indexed(settings.readings_dir, settings.database_path)
    # A look-up does not create the database: the bot or `search` does (and indexes everything).
    if settings.database_path.is_file() and updates_index(loaded, settings.database_path):
        update_index(settings.database_path, loaded.library, err)
    return loaded.library


def updates_index(loaded: LoadedLibrary, database: Path) -> bool:
    """Whether a command should bring the library index in ``database`` up to date: something
    changed, and no running bot holds the index (it is the bot's to update, by /plan reload)."""
    return not loaded.current and not bot_running(database)


def update_index(database: Path, library: Library, err: Terminal | None) -> None:
    """Bring the library index in ``database`` up to date with ``library``; a database that
    cannot be used is a warning on ``err`` here, not an error (the library is loaded)."""
    import asyncio

    from bot.storage.database import DatabaseError, open_database
    from bot.storage.search import sync_index

    async def run() -> None:
        async with open_database(database) as db:
            await sync_index(db, library)

    try:
        asyncio.run(run())
    except DatabaseError as exc:
        if err is not None:
            err.print(f"warning: the library index was not updated: {exc}", "yellow")


def choose(planned: list[PlannedGroup], name: str | None, *, one: bool) -> list[PlannedGroup]:
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
