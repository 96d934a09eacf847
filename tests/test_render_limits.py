"""Every embed within Discord's limits, whatever a reading holds: titles, authors, headings and
source URLs of any length (issue 9, "Discord limits for extreme content")."""

from __future__ import annotations

import discord
import pytest

from bot.core.citations import resolve
from bot.core.excerpts import PART_PAGES, plan_installments
from bot.core.readings import Library
from bot.discord.render import (
    AUTHOR_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_LIMIT,
    FOOTER_LIMIT,
    TITLE_LIMIT,
    URL_LIMIT,
    fitted,
    passage_embed,
    passage_pages,
    post_messages,
    readings_embeds,
)
from tests.core.conftest import make_reading
from tests.extreme import LONG_URL, extreme_reading, giant_paragraph
from tests.test_render_posts import content


def assert_within_limits(embed: discord.Embed) -> None:
    assert len(embed.title or "") <= TITLE_LIMIT
    assert len(embed.description or "") <= DESCRIPTION_LIMIT
    assert len(embed.fields) <= FIELDS_LIMIT
    for field in embed.fields:
        assert 0 < len(field.name or "") <= FIELD_NAME_LIMIT
        assert 0 < len(field.value or "") <= FIELD_VALUE_LIMIT
    assert len(embed.footer.text or "") <= FOOTER_LIMIT
    assert len(embed.author.name or "") <= AUTHOR_LIMIT
    assert embed.url is None or len(embed.url) <= URL_LIMIT
    assert len(embed) <= EMBED_TOTAL_LIMIT


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://example.org/essay", True),
        ("https://example.org/" + "a" * (URL_LIMIT - 20), True),  # exactly 2048
        ("https://example.org/" + "a" * (URL_LIMIT - 19), False),
        ("example.org/essay", False),  # Discord refuses a link without a scheme
        ("javascript:alert(1)", False),
    ],
)
def test_a_url_discord_would_refuse_is_dropped_whole_never_cut(url: str, kept: bool) -> None:
    embed = fitted(discord.Embed(title="t", url=url))
    assert embed.url == (url if kept else None)


def test_fitted_clips_every_part_and_the_total() -> None:
    embed = discord.Embed(title="t" * 999, description="d" * 9999, url=LONG_URL)
    embed.set_author(name="a" * 999, url=LONG_URL)
    embed.set_footer(text="f" * 9999)
    for n in range(40):
        embed.add_field(name=f"{n} " + "n" * 999, value="v" * 9999)
    assert_within_limits(fitted(embed))
    assert embed.author.url is None
    assert embed.fields[0].name.startswith("0 ")


def test_fitted_leaves_an_embed_within_limits_unchanged() -> None:
    embed = discord.Embed(title="Title", description="Text.", url="https://example.org")
    embed.set_author(name="Author")
    embed.set_footer(text="Footer")
    embed.add_field(name="Name", value="Value")
    before = embed.to_dict()
    assert fitted(embed).to_dict() == before


def test_a_post_of_a_reading_with_extreme_metadata_fits_and_keeps_its_text() -> None:
    reading = extreme_reading()
    messages = post_messages(content(reading, 1, 3), reading)
    text = ""
    for message in messages:
        assert sum(len(e) for e in message.embeds) <= EMBED_TOTAL_LIMIT
        for embed in message.embeds:
            assert_within_limits(embed)
            text += " " + (embed.description or "")
    assert messages[0].embeds[0].url is None  # the 3,000-character source is left out
    for n in range(3):
        assert f"Paragraph {n} of the extreme reading" in text


def test_a_passage_under_a_huge_heading_with_huge_title_and_author_fits() -> None:
    reading = extreme_reading()
    citation = resolve(Library((reading,)), "extreme §1-3")
    pages = passage_pages(citation)
    for number, page in enumerate(pages, 1):
        embed = passage_embed(citation, page, number, len(pages))
        assert_within_limits(embed)
        assert embed.description == page  # the passage's text is never what gives way
        assert embed.footer.text.endswith(f"page {number}/{len(pages)}") or len(pages) == 1


def test_readings_are_paged_within_limits_and_every_reading_is_listed() -> None:
    readings = [
        extreme_reading(f"reading-{n:02d}", title=f"{n:02d} " + "Title " * 60, paragraphs=1)
        for n in range(30)
    ]
    pages = readings_embeds(Library(tuple(readings)))
    assert len(pages) > 1
    names = []
    for number, page in enumerate(pages, 1):
        assert_within_limits(page)
        assert page.footer.text.startswith(f"Page {number}/{len(pages)}")
        names += [field.value.rsplit("`", 2)[-2] for field in page.fields]
    assert names == [f"reading-{n:02d}" for n in range(30)]


def test_a_small_library_is_one_page() -> None:
    (page,) = readings_embeds(Library((extreme_reading(paragraphs=1),)))
    assert len(page.fields) == 1
    assert not page.footer.text.startswith("Page")


def test_each_piece_of_a_giant_paragraph_posts_at_most_a_few_messages_and_loses_nothing() -> None:
    reading = make_reading("book", "A Book", ["Opening.", giant_paragraph(), "Closing."])
    pieces = [i for i in plan_installments([reading]) if i.sentences is not None]
    assert len(pieces) > 10
    shown = []
    for piece in pieces:
        post = content(reading, 2, 2, installment=piece, questions=("Why?", "How?", "What?"))
        messages = post_messages(post, reading)
        assert len(messages) <= PART_PAGES + 1  # the questions may need a message of their own
        pages = [
            embed.description or ""
            for message in messages
            for embed in message.embeds
            if embed.title != "Discussion questions"
        ]
        assert 1 <= len(pages) <= PART_PAGES
        for message in messages:
            assert sum(len(e) for e in message.embeds) <= EMBED_TOTAL_LIMIT
            for embed in message.embeds:
                assert_within_limits(embed)
        assert piece.sentences is not None
        span = f"§2.{piece.sentences[0]}-2.{piece.sentences[1]}"
        assert messages[0].embeds[0].title == f"A Book {span}"
        assert f"book {span}" in (messages[-1].embeds[-1].footer.text or "")
        prefix = f"**{span}** "
        assert pages[0].startswith(prefix)
        shown += [pages[0].removeprefix(prefix), *pages[1:]]
    assert " ".join(shown) == " ".join(reading.paragraph(2).text.split())


def test_a_paragraph_longer_than_a_page_says_where_it_continues() -> None:
    long = " ".join(
        f"Sentence {n} of one very long paragraph about the market." for n in range(200)
    )
    reading = make_reading("long", "Long", ["Short first paragraph.", long])
    pages = passage_pages(resolve(Library((reading,)), "long §1-2"))
    assert pages[0] == "**§1** Short first paragraph."
    assert pages[1].startswith("**§2** Sentence 0") and pages[1].endswith("*(§2 continues)*")
    assert len(pages) >= 4
    for page in pages[2:-1]:
        assert page.startswith("*(§2 continued)* ") and page.endswith("*(§2 continues)*")
    assert pages[-1].startswith("*(§2 continued)* ") and pages[-1].endswith("market.")
