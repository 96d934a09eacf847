"""/concord end to end: the real bot against the fake Discord, on the shipped readings."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.client import ReadingGroupBot
from bot.discord.concord_render import DISPERSION_FILE
from tests.discord.test_library import (  # noqa: F401  (fixtures)
    CHANNEL_MESSAGE,
    EPHEMERAL,
    UPDATE_MESSAGE,
    bot,
    components,
    library,
)
from tests.fakediscord import FakeDiscord

PNG = b"\x89PNG\r\n\x1a\n"


async def test_concord_pages_lines_with_counts_and_a_dispersion_image(
    fake_discord: FakeDiscord,
    bot: ReadingGroupBot,  # noqa: F811
) -> None:
    inter = fake_discord.slash("alice", "concord", {"term": "internationalist"})
    message = await inter.message()
    assert message.flags & EPHEMERAL
    first = message.embeds[0]
    assert first["title"] == "Concordance: internationalist"
    # Word forms fold as search folds them: "internationalism" is a use of "internationalist".
    assert "**Internationalism**" in first["description"]
    assert first["description"].startswith("**proletarian-internationalism**\n`proletarian-")
    (counts,) = first["fields"]
    assert counts["name"] == "Uses per reading"
    assert "(`against-soic`): 4 passages" in counts["value"]
    assert first["image"]["url"] == f"attachment://{DISPERSION_FILE}"
    (attachment,) = message.attachments
    assert attachment.filename == DISPERSION_FILE and attachment.data.startswith(PNG)
    width, height = Image.open(io.BytesIO(attachment.data)).size
    assert width <= 640 and height <= 26 * 12 + 8
    footer = first["footer"]["text"]
    assert footer.startswith("Page 1/") and "24 passages in 4 readings" in footer
    pages = int(footer.split("/")[1].split(" ")[0])
    assert pages > 1

    turn = fake_discord.click("alice", message, "page:next")
    callback = await turn.response()
    assert callback.type == UPDATE_MESSAGE
    second = callback.data["embeds"][0]
    assert second["footer"]["text"].startswith(f"Page 2/{pages}")
    assert "fields" not in second or not second["fields"]


async def test_concord_in_one_reading_and_share(
    fake_discord: FakeDiscord,
    bot: ReadingGroupBot,  # noqa: F811
) -> None:
    inter = fake_discord.slash("alice", "concord", {"term": "Lenin", "reading": "soic"})
    message = await inter.message()
    embed = message.embeds[0]
    lines = [line for line in embed["description"].splitlines() if line.startswith("`")]
    assert lines and all(line.startswith("`against-soic §") for line in lines)
    assert all("**Lenin**" in line for line in lines)

    share = fake_discord.click("alice", message, "concord:share")
    callback = await share.response()
    assert callback.type == CHANNEL_MESSAGE
    assert not callback.data.get("flags", 0) & EPHEMERAL
    shared = await share.message()
    assert shared.embeds[0]["description"] == embed["description"]
    assert "image" not in shared.embeds[0] and shared.attachments == []
    assert "shared by" in shared.embeds[0]["footer"]["text"]
    assert shared.allowed_mentions == {"parse": []}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("", "nothing to look up"),
        ("?!… 🙂", "nothing to look up"),
        ("zebra", "No reading uses that word"),
        ('"NEAR( AND * OR ^ body: ((', "No reading uses that word"),
        ("x" * 5000, "No reading uses that word"),
    ],
)
async def test_concord_answers_any_term_clearly(
    fake_discord: FakeDiscord,
    bot: ReadingGroupBot,  # noqa: F811
    term: str,
    expected: str,
) -> None:
    message = await fake_discord.slash("alice", "concord", {"term": term}).message()
    assert message.flags & EPHEMERAL
    (embed,) = message.embeds
    assert expected in embed["description"]
    assert message.attachments == [] and len(embed["title"]) <= 256
    assert "page:next" not in components(message)


async def test_concord_reading_autocomplete(
    fake_discord: FakeDiscord,
    bot: ReadingGroupBot,  # noqa: F811
) -> None:
    inter = fake_discord.autocomplete(
        "alice", "concord", {"term": "x", "reading": "china"}, focused="reading"
    )
    choices = await inter.choices()
    assert choices[0]["value"] == "internationalism-in-china"
    assert 0 < len(choices) <= 25


async def test_concord_in_an_unknown_reading_says_which_exist(
    fake_discord: FakeDiscord,
    bot: ReadingGroupBot,  # noqa: F811
) -> None:
    inter = fake_discord.slash("alice", "concord", {"term": "war", "reading": "bakunin"})
    callback = await inter.response()
    assert callback.data["flags"] & EPHEMERAL
    assert "No reading called 'bakunin'" in callback.data["content"]
