"""/passage, /search, /readings and /help, end to end: the real bot against the fake Discord."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from discord import app_commands

from bot.client import ReadingGroupBot
from bot.core.readings import Library, load_library
from bot.core.sentences import sentences
from bot.settings import Settings
from bot.storage.database import open_database
from tests.discord.conftest import StartBot
from tests.fakediscord import FakeDiscord

ROOT = Path(__file__).resolve().parents[2]
EPHEMERAL = 1 << 6
CHANNEL_MESSAGE = 4
UPDATE_MESSAGE = 7


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(ROOT / "readings")


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord, start_bot: StartBot, tmp_path: Path, library: Library
) -> AsyncIterator[ReadingGroupBot]:
    settings = Settings.load(
        environ={
            "DEV_GUILD_ID": str(fake_discord.guild.id),
            "READINGS_DIR": str(ROOT / "readings"),
        },
        env_file=None,
    )
    async with open_database(tmp_path / "bot.sqlite3") as db:
        client = ReadingGroupBot(settings=settings, db=db, library=library, guild_ready_timeout=0.1)
        await start_bot(client)
        yield client


def components(message: Any) -> dict[str, dict[str, Any]]:
    """Every component of a message by custom_id."""
    found = {}
    for row in message.components:
        for component in row.get("components", []):
            if "custom_id" in component:
                found[component["custom_id"]] = component
    return found


async def test_login_syncs_commands_to_the_dev_guild_only(
    fake_discord: FakeDiscord, bot: ReadingGroupBot
) -> None:
    names = {c["name"] for c in fake_discord.state.commands[fake_discord.guild.id]}
    assert names >= {"passage", "search", "readings", "help"}
    global_syncs = fake_discord.requests_to("PUT", "/applications/{application_id}/commands")
    assert global_syncs == []


async def test_passage_shows_one_paragraph_ephemerally(
    fake_discord: FakeDiscord, bot: ReadingGroupBot, library: Library
) -> None:
    inter = fake_discord.slash("alice", "passage", {"reference": "soic §2"})
    callback = await inter.response()
    assert callback.type == CHANNEL_MESSAGE
    assert callback.data["flags"] & EPHEMERAL
    message = await inter.message()
    (embed,) = message.embeds
    soic = library["against-soic"]
    assert embed["title"] == soic.title
    assert embed["footer"]["text"].startswith("against-soic §2")
    assert embed["description"].startswith("**§2** " + soic.paragraph(2).text[:80])
    assert set(components(message)) == {"passage:share"}


async def test_long_passage_pages_with_buttons(
    fake_discord: FakeDiscord, bot: ReadingGroupBot, library: Library
) -> None:
    borochov = library["borochov-socialism-in-one-country"]
    inter = fake_discord.slash("alice", "passage", {"reference": "borochov §1-25"})
    message = await inter.message()
    footer = message.embeds[0]["footer"]["text"]
    pages = int(footer.rsplit("/", 1)[1])
    assert pages > 1
    assert f"borochov-socialism-in-one-country §1-{len(borochov.paragraphs)}" in footer
    assert components(message)["page:previous"].get("disabled") is True

    seen = [message.embeds[0]["description"]]
    for page in range(2, pages + 1):
        turn = fake_discord.click("alice", message, "page:next")
        callback = await turn.response()
        assert callback.type == UPDATE_MESSAGE
        assert callback.data["embeds"][0]["footer"]["text"].endswith(f"page {page}/{pages}")
        seen.append(callback.data["embeds"][0]["description"])
        message = fake_discord.message(message.id) or message
    last = fake_discord.click("alice", message, "page:previous")
    assert (await last.response()).data["embeds"][0]["description"] == seen[-2]
    # Every paragraph, whole and in order, across the pages.
    text = "\n\n".join(seen)
    positions = [text.index(f"**§{p.number}** ") for p in borochov.paragraphs]
    assert positions == sorted(positions)
    assert all(len(page) <= 4096 for page in seen)


async def test_a_title_alone_shows_the_table_of_contents(
    fake_discord: FakeDiscord, bot: ReadingGroupBot
) -> None:
    message = await fake_discord.slash("alice", "passage", {"reference": "mccune"}).message()
    (embed,) = message.embeds
    assert embed["footer"]["text"] == "proletarian-internationalism · contents"
    assert "**§2** What is it?" in embed["description"]
    assert "**§7** Conclusion" in embed["description"]
    assert "`/passage proletarian-internationalism §1-3`" in embed["description"]
    assert "reading-group" not in embed["description"]


async def test_only_the_caller_can_turn_pages(
    fake_discord: FakeDiscord, bot: ReadingGroupBot
) -> None:
    message = await fake_discord.slash(
        "alice", "passage", {"reference": "borochov §1-25"}
    ).message()
    intruder = fake_discord.click("bob", message, "page:next")
    callback = await intruder.response()
    assert callback.type == CHANNEL_MESSAGE
    assert callback.data["flags"] & EPHEMERAL
    assert "belong to whoever asked" in callback.data["content"]


async def test_share_posts_the_page_publicly_without_pinging(
    fake_discord: FakeDiscord, bot: ReadingGroupBot
) -> None:
    message = await fake_discord.slash("alice", "passage", {"reference": "china 3"}).message()
    share = fake_discord.click("alice", message, "passage:share")
    callback = await share.response()
    assert callback.type == CHANNEL_MESSAGE
    assert not callback.data.get("flags", 0) & EPHEMERAL
    shared = await share.message()
    assert shared.embeds[0]["footer"]["text"].startswith("internationalism-in-china §3")
    assert "shared by" in shared.embeds[0]["footer"]["text"]
    assert shared.allowed_mentions == {"parse": []}


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("soic §99", "against-soic has paragraphs 1-5"),
        ("bakunin 3", "No reading called 'bakunin'"),
        ("socialism in one", "matches several readings"),
        ("borochov n99", "has no note 99"),
        ("soic §a", "'§a' is not a reference"),
        ("bakunin", "`/readings` lists them all"),
    ],
)
async def test_bad_reference_answers_ephemerally(
    fake_discord: FakeDiscord, bot: ReadingGroupBot, reference: str, expected: str
) -> None:
    callback = await fake_discord.slash("alice", "passage", {"reference": reference}).response()
    assert callback.data["flags"] & EPHEMERAL
    assert expected in callback.data["content"]


@pytest.mark.parametrize(
    ("typed", "first_value"),
    [
        ("", "proletarian-internationalism"),
        ("soic", "against-soic"),
        ("soic 3", "against-soic §3"),
        ("china", "internationalism-in-china"),
    ],
)
async def test_passage_autocomplete(
    fake_discord: FakeDiscord, bot: ReadingGroupBot, typed: str, first_value: str
) -> None:
    inter = fake_discord.autocomplete("alice", "passage", {"reference": typed}, focused="reference")
    choices = await inter.choices()
    assert choices[0]["value"] == first_value
    assert 0 < len(choices) <= 25


async def test_search_lists_hits_and_opens_one(
    fake_discord: FakeDiscord, bot: ReadingGroupBot
) -> None:
    inter = fake_discord.slash("alice", "search", {"query": "Engels"})
    message = await inter.message()
    embed = message.embeds[0]
    assert embed["title"] == "Search: Engels"
    assert embed["fields"], embed
    assert all(
        "**Engels**" in f["value"] or "**engels**" in f["value"].lower() for f in embed["fields"]
    )
    select = components(message)["search:open"]
    first = select["options"][0]["value"]
    assert first == embed["fields"][0]["name"].split(" · ")[0]

    opened = fake_discord.select("alice", message, "search:open", [first])
    passage = await opened.message()
    assert passage.embeds[0]["footer"]["text"].startswith(first)
    assert passage.flags & EPHEMERAL


async def test_search_says_which_common_words_it_left_out(
    fake_discord: FakeDiscord, bot: ReadingGroupBot
) -> None:
    embed = (await fake_discord.slash("alice", "search", {"query": "the Engels"}).message()).embeds[
        0
    ]
    assert embed["fields"]
    assert "Common words left out: the." in embed["footer"]["text"]


@pytest.mark.parametrize(
    ("query", "footer"),
    [
        ("and a", "matches in reading order, not ranked"),
        ("Engels", "best matches"),
    ],
)
async def test_search_says_whether_its_hits_are_ranked(
    fake_discord: FakeDiscord, bot: ReadingGroupBot, query: str, footer: str
) -> None:
    message = await fake_discord.slash("alice", "search", {"query": query}).message()
    embed = message.embeds[0]
    assert embed["fields"]
    assert footer in embed["footer"]["text"]


async def test_search_in_one_reading(fake_discord: FakeDiscord, bot: ReadingGroupBot) -> None:
    inter = fake_discord.slash("alice", "search", {"query": "Lenin", "reading": "soic"})
    embed = (await inter.message()).embeds[0]
    assert embed["title"] == "Search in against-soic: Lenin"
    assert {f["name"].split(" §")[0] for f in embed["fields"]} == {"against-soic"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zebra giraffe", "Nothing found"),
        ('"NEAR( AND * OR ^ body: ((', None),
        ("🙂🙂🙂", "nothing to search for"),
        ("x" * 5000, "Nothing found"),
        ('"unbalanced phrase', None),
    ],
)
async def test_search_survives_any_input(
    fake_discord: FakeDiscord, bot: ReadingGroupBot, query: str, expected: str | None
) -> None:
    inter = fake_discord.slash("alice", "search", {"query": query})
    message = await inter.message()
    assert message.flags & EPHEMERAL
    if expected is not None:
        assert expected in message.embeds[0]["description"]
    assert len(message.embeds[0]["title"]) <= 256


async def test_readings_and_help(fake_discord: FakeDiscord, bot: ReadingGroupBot) -> None:
    readings = await fake_discord.slash("alice", "readings").message()
    assert readings.embeds[0]["fields"][0]["name"] == "What is Proletarian Internationalism?"
    assert len(readings.embeds[0]["fields"]) == 4
    help_message = await fake_discord.slash("bob", "help").message()
    usages = [f["name"] for embed in help_message.embeds for f in embed["fields"]]
    assert "/passage <reference>" in usages
    assert "/search <query> [reading]" in usages
    # Every command is listed, however many there are: 25 fields an embed, then another embed.
    commands = [c for c in bot.tree.walk_commands() if isinstance(c, app_commands.Command)]
    assert len(commands) > 25

    def listed(command: app_commands.Command[Any, ..., Any]) -> bool:
        group = command.parent
        return any(
            usage.startswith(f"/{command.qualified_name}")
            or (
                group is not None
                and usage.startswith(f"/{group.qualified_name} ")
                and command.name in usage.rsplit(" ", 1)[-1].split("|")
            )
            for usage in usages
        )

    assert all(listed(command) for command in commands)
    assert all(len(embed["fields"]) <= 25 for embed in help_message.embeds)


async def test_unexpected_error_is_logged_and_apologised_for(
    fake_discord: FakeDiscord,
    bot: ReadingGroupBot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    # Extensions are loaded by discord.py, which does not set them on their package.
    monkeypatch.setattr(sys.modules["bot.cogs.library"], "search", broken)
    with caplog.at_level(logging.ERROR, logger="bot.discord.tree"):
        callback = await fake_discord.slash("alice", "search", {"query": "x"}).response()
    assert callback.data["flags"] & EPHEMERAL
    assert callback.data["content"].startswith("Sorry, something went wrong on my side.")
    assert "disk on fire" not in callback.data["content"]
    (record,) = [r for r in caplog.records if r.name == "bot.discord.tree"]
    assert record.exc_info is not None and "disk on fire" in str(record.exc_info[1])


async def test_expired_buttons_are_disabled(
    fake_discord: FakeDiscord, bot: ReadingGroupBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.discord.views.VIEW_TIMEOUT", 0.05)
    inter = fake_discord.slash("alice", "passage", {"reference": "borochov §1-25"})
    message = await inter.message()

    def disabled() -> bool:
        current = fake_discord.message(message.id) or inter.original
        return current is not None and all(c.get("disabled") for c in components(current).values())

    await fake_discord.wait_for(disabled, timeout=3, what="the view to disable itself")


@pytest.mark.parametrize(
    ("reference", "numbers", "footer"),
    [
        ("china §2-4", [2, 3, 4], "internationalism-in-china §2-4"),
        ("china 4–2", [2, 3, 4], "internationalism-in-china §2-4"),
        ("mccune#conclusion", [7], "proletarian-internationalism §7 · Conclusion"),
    ],
)
async def test_passage_ranges_and_sections(
    fake_discord: FakeDiscord,
    bot: ReadingGroupBot,
    reference: str,
    numbers: list[int],
    footer: str,
) -> None:
    message = await fake_discord.slash("alice", "passage", {"reference": reference}).message()
    (embed,) = message.embeds
    assert embed["footer"]["text"] == footer
    for number in numbers:
        assert f"**§{number}** " in embed["description"]
    assert f"**§{numbers[-1] + 1}** " not in embed["description"]


async def test_passage_of_sentences_marks_them_within_their_paragraph(
    fake_discord: FakeDiscord, bot: ReadingGroupBot, library: Library
) -> None:
    message = await fake_discord.slash("alice", "passage", {"reference": "soic §3.4-3.5"}).message()
    (embed,) = message.embeds
    said = sentences(library["against-soic"].paragraph(3))
    assert embed["footer"]["text"].startswith("against-soic §3.4-3.5")
    assert embed["description"] == (
        f"**§3.4-3.5 (§3 has {len(said)} sentences)**\n\n"
        f"… {said[2]} **{said[3]} {said[4]}** {said[5]} …"
    )
    assert fake_discord.rejected(status=400) == []
