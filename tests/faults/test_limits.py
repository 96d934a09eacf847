"""Readings with extreme content against Discord's limits, end to end through the fake Discord,
which refuses (400) anything Discord would: posts, /passage and /readings keep working, and a post
Discord refuses anyway blocks only its group, reported once, instead of being retried forever."""

from __future__ import annotations

import logging

import aiosqlite
import pytest

from bot.client import ReadingGroupBot
from bot.core.excerpts import PART_PAGES
from bot.core.plan import schedule_preview
from bot.core.questions import Prompts
from bot.core.readings import Library, Reading
from bot.storage.groups import get_group, posts_of, set_progress
from tests.core.conftest import make_reading
from tests.discord.scheduling import (
    FIRST_SLOT,
    Clock,
    MakeBot,
    clock,
    db,
    group_config,
    library,
    make_bot,
    post_messages,
    prompts,
    tick,
)
from tests.extreme import LONG_URL, extreme_reading, giant_paragraph
from tests.fakediscord import FakeDiscord

__all__ = ["clock", "db", "library", "make_bot", "prompts"]  # fixtures used by name

UPDATE_MESSAGE = 7
MESSAGES = "/channels/{channel_id}/messages"


async def test_a_source_url_over_2048_characters_no_longer_stops_every_post(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    reading = extreme_reading(source=LONG_URL)
    bot = await make_bot(
        [group_config(fake.readings.id)], library=Library((reading,)), prompts=Prompts()
    )
    clock.set(FIRST_SLOT)
    await tick(bot)
    (post,) = post_messages(fake, "readings")
    assert "url" not in post.embeds[0]  # dropped whole, never cut
    assert post.embeds[0]["title"].endswith(" §1")
    assert fake.rejected(status=400) == []
    ((key, message_id, posted_at),) = [
        (p.installment_key, p.message_id, p.posted_at) for p in await posts_of(db, fake.readings.id)
    ]
    assert (key, message_id, posted_at) == ("extreme:1-1", post.id, FIRST_SLOT)
    group = await get_group(db, fake.readings.id)
    assert group is not None
    assert (group.blocked, group.done_key, group.done_count) == (None, "extreme:1-1", 1)


async def test_a_post_discord_refuses_blocks_its_group_once_and_the_others_go_on(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    db: aiosqlite.Connection,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = fake_discord
    refused, other = sorted((fake.readings, fake.general), key=lambda c: c.id)
    bot = await make_bot(
        [
            group_config(refused.id, name="refused"),
            group_config(other.id, name="other"),
        ]
    )
    # The tick takes groups in channel order: the first post request is the refused group's.
    fake.fail_next("POST", MESSAGES, status=400, code=50035, message="Invalid Form Body")
    clock.set(FIRST_SLOT)
    with caplog.at_level(logging.INFO, logger="bot.discord.poster"):
        await tick(bot)
        clock.advance(hours=2)  # well past any backoff
        await tick(bot)
        clock.advance(days=3)  # the next slot
        await tick(bot)
    group = await get_group(db, refused.id)
    assert group is not None and group.blocked is not None
    assert group.blocked == (
        "Discord refused installment 1 (proletarian-internationalism:1-1) in "
        f"#{refused.name}: Invalid Form Body; run `reading-group check` for what in the "
        "reading is too long for Discord"
    )
    # The claim holds the installment: it is sent (not skipped) once the organizer resumes.
    assert (group.done_key, group.done_count) == ("proletarian-internationalism:1-1", 1)
    ((slot, posted_at, message_id),) = [
        (p.slot, p.posted_at, p.message_id) for p in await posts_of(db, refused.id)
    ]
    assert (slot, posted_at, message_id) == (FIRST_SLOT, None, None)  # held, not skipped
    posts_to_refused = [
        r
        for r in fake.requests_to("POST", MESSAGES)
        if r.path == f"/channels/{refused.id}/messages"
    ]
    assert len(posts_to_refused) == 1  # never tried again
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        f"Group refused: posting blocked: {group.blocked}"
    ]
    # The other group posted both its slots.
    assert len(await posts_of(db, other.id)) == 2
    assert all(p.posted_at is not None for p in await posts_of(db, other.id))
    # The organizer (the server's owner for a groups.yaml group) is told once, by DM.
    told = [m for m in fake.bot_messages() if "Discord refused installment 1" in m.content]
    assert len(told) == 1


async def test_passage_under_huge_heading_title_and_author_fits_discord(
    fake_discord: FakeDiscord, make_bot: MakeBot
) -> None:
    reading = extreme_reading()
    await make_bot(library=Library((reading,)), prompts=Prompts())
    message = await fake_discord.slash("alice", "passage", {"reference": "extreme §1-3"}).message()
    embed = message.embeds[0]
    assert embed["description"].startswith("**§1** Paragraph 0 of the extreme reading")
    assert "url" not in embed
    assert fake_discord.rejected(status=400) == []


async def test_readings_with_30_long_titles_are_paged(
    fake_discord: FakeDiscord, make_bot: MakeBot
) -> None:
    fake = fake_discord
    readings = [
        extreme_reading(f"reading-{n:02d}", title=f"{n:02d} " + "Title " * 60, paragraphs=1)
        for n in range(30)
    ]
    await make_bot(library=Library(tuple(readings)), prompts=Prompts())
    message = await fake.slash("alice", "readings").message()
    footer = message.embeds[0]["footer"]["text"]
    assert footer.startswith("Page 1/")
    pages = int(footer.split()[1].split("/")[1])
    seen = [message.embeds[0]]
    for _ in range(pages - 1):
        turn = fake.click("alice", message, "page:next")
        callback = await turn.response()
        assert callback.type == UPDATE_MESSAGE
        seen.append(callback.data["embeds"][0])
        message = fake.message(message.id) or message
    listed = [field["value"].rsplit("`", 2)[-2] for embed in seen for field in embed["fields"]]
    assert listed == [f"reading-{n:02d}" for n in range(30)]
    assert fake.rejected(status=400) == []


async def start_with_giant_paragraph(
    fake: FakeDiscord, make_bot: MakeBot
) -> tuple[ReadingGroupBot, Reading]:
    """A bot whose one group reads a book of one giant paragraph between two short ones, under
    the largest target: each piece as large as a few messages allow."""
    reading = make_reading("book", "A Book", ["Opening.", giant_paragraph(), "Closing."])
    bot = await make_bot(
        [group_config(fake.readings.id, word_target=10_000)],
        library=Library((reading,)),
        prompts=Prompts(),
    )
    return bot, reading


@pytest.mark.slow
async def test_a_giant_paragraph_is_posted_in_pieces_in_consecutive_slots_end_to_end(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    bot, reading = await start_with_giant_paragraph(fake, make_bot)
    group = await get_group(db, fake.readings.id)
    assert group is not None
    installments = bot.plans.installments(group, bot.library)
    preview = schedule_preview(group.plan(), installments, posted=0, now=clock.now)
    assert len(preview.items) == len(installments) > 10  # the finish date counts every piece
    for item in preview.items:
        clock.set(item.slot)
        await tick(bot)
    stored = await posts_of(db, fake.readings.id)
    assert [(p.slot, p.installment_key, p.number) for p in stored] == [
        (item.slot, item.installment.key, item.number) for item in preview.items
    ]
    assert all(p.posted_at == p.slot for p in stored)
    group = await get_group(db, fake.readings.id)
    assert group is not None
    assert (group.done_key, group.done_count) == ("book:3-3", len(installments))
    # Each piece is a few messages, and the pieces give back the paragraph whole and in order.
    shown = []
    for piece in installments[1:-1]:
        assert piece.sentences is not None
        span = f"§2.{piece.sentences[0]}-2.{piece.sentences[1]}"
        messages = [
            m
            for m in post_messages(fake, "readings")
            if f"book {span} ·" in m.embeds[-1]["footer"]["text"]
        ]
        assert 1 <= len(messages) <= PART_PAGES
        pages = [e["description"] for m in messages for e in m.embeds if "title" not in e]
        first = messages[0].embeds[0]
        assert first["title"] == f"A Book {span}"
        prefix = f"**{span}** "
        shown += [first["description"].removeprefix(prefix), *pages]
    assert " ".join(shown) == " ".join(reading.paragraph(2).text.split())
    assert len(fake.threads("readings")) == len(installments)


async def test_autocomplete_of_a_huge_heading_offers_a_choice_that_resolves(
    fake_discord: FakeDiscord, make_bot: MakeBot
) -> None:
    reading = extreme_reading()
    await make_bot(library=Library((reading,)), prompts=Prompts())
    typed = {"reference": "extreme hhh"}
    choices = await fake_discord.autocomplete(
        "alice", "passage", typed, focused="reference"
    ).choices()
    (section,) = [c for c in choices if c["name"].startswith("extreme # ")]
    assert len(section["name"]) <= 100
    assert section["value"] == "extreme §1-3"  # the heading's slug is too long for a value
    message = await fake_discord.slash(
        "alice", "passage", {"reference": section["value"]}
    ).message()
    assert message.embeds[0]["description"].startswith("**§1** Paragraph 0")


# Progress stored before sentence pieces (issue 9's parts of a paragraph, "book:2-2/3of16")
# resumes on the pieces: an unfinished paragraph starts again at its first piece, a finished
# one is passed.


@pytest.mark.parametrize(
    ("stored_key", "stored_count", "next_index"),
    [
        ("book:2-2/3of16", 4, 1),  # part 3 of 16 posted: §2 unfinished, its first piece again
        ("book:2-2/16of16", 17, -1),  # the last part posted: §2 done, §3 next
    ],
)
async def test_progress_stored_as_parts_resumes_on_the_sentence_pieces(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    clock: Clock,
    db: aiosqlite.Connection,
    stored_key: str,
    stored_count: int,
    next_index: int,
) -> None:
    fake = fake_discord
    bot, _ = await start_with_giant_paragraph(fake, make_bot)
    await set_progress(db, fake.readings.id, stored_key, stored_count, now=FIRST_SLOT)
    group = await get_group(db, fake.readings.id)
    assert group is not None
    installments = bot.plans.installments(group, bot.library)
    expected = installments[next_index]
    clock.set(FIRST_SLOT)
    await tick(bot)
    stored = await posts_of(db, fake.readings.id)
    assert [(p.slot, p.installment_key, p.number, p.total, p.posted_at) for p in stored] == [
        (FIRST_SLOT, expected.key, installments.index(expected) + 1, len(installments), FIRST_SLOT)
    ]
    group = await get_group(db, fake.readings.id)
    assert group is not None
    assert (group.done_key, group.done_count) == (expected.key, installments.index(expected) + 1)
