"""A restarted bot, its library loaded from the library index (texts read from SQLite when
shown), end to end: /passage, /search and /plan reload against the fake Discord."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.client import ReadingGroupBot
from bot.core.readings import Library, display_text, load_library
from bot.settings import Settings
from bot.storage.database import open_database
from bot.storage.library import load_indexed
from bot.storage.search import sync_index
from tests.discord.conftest import StartBot
from tests.discord.test_library import components
from tests.fakediscord import FakeDiscord

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def readings(tmp_path: Path) -> Path:
    """A copy of the shipped readings, last changed an hour ago (not racily new)."""
    folder = tmp_path / "readings"
    shutil.copytree(ROOT / "readings", folder)
    hour_ago = time.time() - 3600
    for path in folder.glob("*.md"):
        os.utime(path, (hour_ago, hour_ago))
    return folder


@pytest.fixture
async def restarted(
    fake_discord: FakeDiscord, start_bot: StartBot, tmp_path: Path, readings: Path
) -> AsyncIterator[ReadingGroupBot]:
    """A bot whose index was built by an earlier start, loaded as run_bot loads it."""
    database = tmp_path / "data" / "reading-group.sqlite3"
    async with open_database(database) as db:
        await sync_index(db, load_library(readings))
    loaded = load_indexed(readings, database)
    assert loaded.current
    assert all(reading.stored for reading in loaded.library)
    settings = Settings.load(
        environ={
            "DEV_GUILD_ID": str(fake_discord.guild.id),
            "READINGS_DIR": str(readings),
            "PROMPTS_DIR": str(ROOT / "prompts"),
            "GROUPS_FILE": str(tmp_path / "groups.yaml"),
            "DATABASE_PATH": str(database),
        },
        env_file=None,
    )
    async with open_database(database) as db:
        client = ReadingGroupBot(
            settings=settings, db=db, library=loaded.library, guild_ready_timeout=0.1
        )
        await start_bot(client)
        yield client


@pytest.fixture(scope="module")
def parsed() -> Library:
    return load_library(ROOT / "readings")


async def test_a_long_passage_pages_through_the_text_read_from_the_index(
    fake_discord: FakeDiscord, restarted: ReadingGroupBot, parsed: Library
) -> None:
    borochov = parsed["borochov-socialism-in-one-country"]
    message = await fake_discord.slash(
        "alice", "passage", {"reference": "borochov §1-25"}
    ).message()
    pages = int(message.embeds[0]["footer"]["text"].rsplit("/", 1)[1])
    seen = [message.embeds[0]["description"]]
    for _ in range(2, pages + 1):
        callback = await fake_discord.click("alice", message, "page:next").response()
        seen.append(callback.data["embeds"][0]["description"])
        message = fake_discord.message(message.id) or message
    text = "\n\n".join(seen)
    for paragraph in borochov.paragraphs:
        first_words = display_text(paragraph.text).split("\n")[0][:60]
        assert f"**§{paragraph.number}** {first_words}" in text
    assert set(components(message)) >= {"page:previous", "page:next"}


async def test_search_opens_a_hit_whose_text_comes_from_the_index(
    fake_discord: FakeDiscord, restarted: ReadingGroupBot, parsed: Library
) -> None:
    message = await fake_discord.slash("alice", "search", {"query": "Engels"}).message()
    assert message.embeds[0]["fields"]
    options = components(message)["search:open"]["options"]
    first = next(o["value"] for o in options if " §" in o["value"])
    opened = await fake_discord.select("alice", message, "search:open", [first]).message()
    slug, number = first.split(" §")
    paragraph = parsed[slug].paragraph(int(number.split("-")[0]))
    assert display_text(paragraph.text)[:60] in opened.embeds[0]["description"]


async def test_plan_reload_takes_an_edited_reading_and_keeps_the_others_in_the_index(
    fake_discord: FakeDiscord, restarted: ReadingGroupBot, readings: Path
) -> None:
    path = readings / "against-soic.md"
    path.write_text(path.read_text().replace("Crucial to Marxism", "Central to Marxism"))
    a_minute_ago = time.time() - 60  # not racily new: the reload can vouch for its stat
    os.utime(path, (a_minute_ago, a_minute_ago))
    inter = fake_discord.slash("organizer", "plan reload", {}, channel="readings")
    assert (await inter.message()).content.startswith("Reloaded 4 readings, ")
    edited = restarted.library["against-soic"]
    assert not edited.stored  # parsed, then indexed
    assert all(r.stored for r in restarted.library if r.slug != "against-soic")
    shown = await fake_discord.slash("alice", "passage", {"reference": "soic §3"}).message()
    assert "Central to Marxism" in shown.embeds[0]["description"]
    again = load_indexed(readings, restarted.settings.database_path)
    assert again.current
