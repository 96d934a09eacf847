"""Scheduled posts rendered to Discord's limits: embeds, messages, footers, thread names."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from bot.core.excerpts import Installment
from bot.core.posting import PostContent, parse_marker
from bot.core.readings import Reading
from bot.discord.render import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_LIMIT,
    FOOTER_LIMIT,
    THREAD_NAME_LIMIT,
    TITLE_LIMIT,
    post_messages,
    thread_messages,
    thread_name,
)
from tests.core.conftest import make_reading

SLOT = dt.datetime(2027, 1, 4, 18, 0, tzinfo=dt.UTC)


def content(reading: Reading, first: int, last: int, **changes: object) -> PostContent:
    values: dict[str, object] = {
        "channel_id": 42,
        "slot": SLOT,
        "installment": Installment(reading.slug, first, last, 0),
        "number": 3,
        "total": 9,
        "questions": ("Why?", "How?"),
        "tz": ZoneInfo("Europe/Berlin"),
        **changes,
    }
    return PostContent(**values)  # type: ignore[arg-type]


def sentences(count: int, length: int = 60) -> list[str]:
    return [f"Sentence {n} " + "x" * (length - 12 - len(str(n))) + "." for n in range(count)]


@pytest.mark.parametrize(
    ("paragraphs", "questions"),
    [
        (["One short paragraph."], ("Why?",)),
        ([" ".join(sentences(300)), "Short."], ("Why?", "How?", "What?")),  # 18,000 characters
        ([" ".join(sentences(40)) for _ in range(12)], tuple("Q" * 900 for _ in range(10))),
    ],
    ids=["short", "one-overlong-paragraph", "many-long-paragraphs-and-questions"],
)
def test_every_message_is_within_discords_limits_and_nothing_is_lost(
    paragraphs: list[str], questions: tuple[str, ...]
) -> None:
    reading = make_reading("essay", "An Essay", paragraphs, author="A. Writer")
    last = len(paragraphs) if len(paragraphs) != 2 else 1
    messages = post_messages(content(reading, 1, last, questions=questions), reading)
    text = ""
    for part, message in enumerate(messages, 1):
        assert len(message.embeds) <= EMBEDS_LIMIT
        assert sum(len(e) for e in message.embeds) <= EMBED_TOTAL_LIMIT
        for embed in message.embeds:
            assert len(embed.description or "") <= DESCRIPTION_LIMIT
            assert len(embed.title or "") <= TITLE_LIMIT
            text += " " + (embed.description or "")
        footer = message.embeds[-1].footer.text or ""
        assert len(footer) <= FOOTER_LIMIT
        assert parse_marker(footer) == (42, SLOT, part)
    words = " ".join(text.split())
    for paragraph in paragraphs[:last]:
        for sentence in re.split(r"(?<=\.) ", paragraph):
            assert sentence in words
    for number, question in enumerate(questions, 1):
        assert f"**{number}.** {question}" in text


def test_the_first_embed_names_reading_author_and_range() -> None:
    reading = make_reading("essay", "An Essay", ["One.", "Two."], author="A. Writer")
    (message,) = post_messages(content(reading, 1, 2), reading)
    first, questions = message.embeds
    assert (first.title, first.author.name) == ("An Essay §1-2", "A. Writer")
    assert first.description == "**§1** One.\n\n**§2** Two."
    assert questions.title == "Discussion questions"
    assert questions.footer.text == "essay §1-2 · installment 3 of 9 · rg:42:2027-01-04T18:00:00Z"
    assert message.content is None
    assert message.allowed_mentions.to_dict() == {"parse": []}


def test_a_late_post_says_so_and_a_ping_names_only_its_role() -> None:
    reading = make_reading("essay", "An Essay", ["One."])
    (message,) = post_messages(content(reading, 1, 1, late=True, ping_role_id=77), reading)
    assert message.content == (
        "<@&77> Posted late: this installment was due Mon 4 Jan 2027 19:00 (Europe/Berlin); "
        "the plan carries on from here."
    )
    assert message.allowed_mentions.to_dict() == {"parse": [], "roles": [77]}


def test_without_questions_there_is_no_question_embed() -> None:
    reading = make_reading("essay", "An Essay", ["One."])
    (message,) = post_messages(content(reading, 1, 1, questions=()), reading)
    (embed,) = message.embeds
    assert "installment 3 of 9" in (embed.footer.text or "")
    assert thread_messages(content(reading, 1, 1, questions=())) == ["Discuss essay §1 here."]


@pytest.mark.parametrize("title", ["Short", "A " * 80 + "Very Long Title"])
def test_a_thread_name_keeps_the_range_within_100_characters(title: str) -> None:
    reading = make_reading("essay", title, [f"P{n}." for n in range(1, 130)])
    name = thread_name(reading, Installment("essay", 118, 129, 0))
    assert len(name) <= THREAD_NAME_LIMIT
    assert name.endswith(" §118-129")


def test_thread_messages_repeat_the_questions_within_the_content_limit() -> None:
    reading = make_reading("essay", "An Essay", ["One."])
    questions = tuple(f"Question {n}: " + "y" * 600 for n in range(1, 8))
    messages = thread_messages(content(reading, 1, 1, questions=questions))
    assert len(messages) > 1
    assert all(len(m) <= CONTENT_LIMIT for m in messages)
    joined = "\n\n".join(messages)
    assert joined.startswith("**Discussion questions** on essay §1")
    for number, question in enumerate(questions, 1):
        assert f"**{number}.** {question}" in joined
