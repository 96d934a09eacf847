"""What several commands share: loading the settings and the library, choosing a group."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.errors import ReadingGroupError
from bot.core.readings import Library, load_library
from bot.settings import Settings

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

    from bot.core.group import Group

    PlannedGroup = tuple[Group, set[str]]


def load_settings(args: argparse.Namespace) -> Settings:
    env_file: Path = args.env_file
    return Settings.load(env_file=env_file)


def load_library_for(args: argparse.Namespace) -> Library:
    return load_library(load_settings(args).readings_dir)


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
