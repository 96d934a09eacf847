"""Every extension loads, and every slash command and option describes itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from discord import app_commands

from bot.client import ReadingGroupBot
from bot.cogs import EXTENSIONS
from bot.core.readings import load_library
from bot.settings import Settings
from bot.storage.database import open_database

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
async def loaded_bot(tmp_path: Path) -> ReadingGroupBot:
    settings = Settings.load(environ={}, env_file=None)
    async with open_database(tmp_path / "db.sqlite3") as db:
        # Never logged in: the ticks stay stopped (they would wait for a connection).
        bot = ReadingGroupBot(
            settings=settings,
            db=db,
            library=load_library(ROOT / "readings"),
            tick_seconds=None,
        )
        for extension in EXTENSIONS:
            await bot.load_extension(extension)
        yield bot
        await bot.close()


async def test_every_extension_loads(loaded_bot: ReadingGroupBot) -> None:
    assert set(loaded_bot.extensions) == set(EXTENSIONS)


async def test_every_command_and_option_has_a_description(loaded_bot: ReadingGroupBot) -> None:
    commands = list(loaded_bot.tree.walk_commands())
    assert {c.qualified_name for c in commands} >= {"passage", "search", "readings", "help"}
    for command in commands:
        assert command.description and command.description != "…", command.qualified_name
        assert len(command.description) <= 100, command.qualified_name
        if isinstance(command, app_commands.Command):
            for parameter in command.parameters:
                assert parameter.description and parameter.description != "…", (
                    f"/{command.qualified_name} {parameter.name}"
                )
