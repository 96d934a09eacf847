"""The weekly summary on Discord: within every limit however busy the week, nothing that
singles a member out in a small group, nothing of an opted-out member, members' text escaped."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import discord
import pytest

from bot.core.excerpts import Installment
from bot.core.plan import Plan
from bot.core.schedule import parse_cadence
from bot.core.summary import (
    IsoWeek,
    Jump,
    PlanState,
    PostRow,
    QuestionRow,
    ReplyRow,
    Summary,
    SummarySettings,
    compute_summary,
    parse_summary_marker,
    summary_marker,
)
from bot.discord.render import (
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_LIMIT,
    FOOTER_LIMIT,
    SUMMARY_CHART_FILE,
    TITLE_LIMIT,
    discord_link,
    discord_timestamp,
    jump_link,
    summary_embeds,
    summary_message,
)
from tests.core.test_summary import (
    INSTALLMENTS,
    NAMES,
    NOW,
    POSTS,
    busy_small_group,
    per_person_figures,
    summarise,
)

EMBEDS_LIMIT = 10  # embeds in one message
WEEK = IsoWeek(2026, 47)
START = dt.datetime(2026, 11, 15, 23, tzinfo=dt.UTC)  # Monday 16 Nov 00:00 in Berlin


def check_limits(embeds: list[discord.Embed]) -> None:
    """Everything Discord checks before it accepts a message's embeds."""
    assert 1 <= len(embeds) <= EMBEDS_LIMIT
    assert sum(len(embed) for embed in embeds) <= EMBED_TOTAL_LIMIT
    for embed in embeds:
        assert len(embed.title or "") <= TITLE_LIMIT
        assert len(embed.description or "") <= DESCRIPTION_LIMIT
        assert len(embed.footer.text or "") <= FOOTER_LIMIT
        assert len(embed.fields) <= FIELDS_LIMIT
        for field in embed.fields:
            assert 0 < len(field.name or "") <= FIELD_NAME_LIMIT
            assert 0 < len(field.value or "") <= FIELD_VALUE_LIMIT


def shown(embeds: list[discord.Embed]) -> str:
    """Every text of the embeds, one line per line, as Discord receives them."""
    parts: list[str] = []
    for embed in embeds:
        data: dict[str, Any] = embed.to_dict()
        parts += [data.get("title", ""), data.get("description", "")]
        parts += [f"{f['name']}\n{f['value']}" for f in data.get("fields", [])]
        parts.append(data.get("footer", {}).get("text", ""))
    return "\n".join(parts)


def busy_week() -> Summary:
    """Everything at once and too much of it: 40 posts, 5,000 replies with long starred and
    marked texts full of markdown, 150 new voices, 300 long open questions, long titles."""
    slugs = tuple(f"reading-{n}" for n in range(6))
    installments = tuple(
        Installment(slug, first, first + 9, 1234) for slug in slugs for first in range(1, 200, 10)
    )
    plan = Plan(
        readings=slugs,
        cadence=parse_cadence("daily 19:00 Europe/Berlin"),
        start=START - dt.timedelta(days=30),
    )
    posts = [
        PostRow(
            number=n,
            slug=part.slug,
            first=part.first,
            last=part.last,
            words=part.words,
            posted_at=START + dt.timedelta(hours=4 * n),
            thread_id=10**17 + n,
            message_id=2 * 10**17 + n,
            jump=Jump(10**17, 10**17 + n),
            late=n % 2 == 0,
            stuck=n,
        )
        for n, part in enumerate(installments[:40], start=1)
    ]
    long_text = "**Bold** _claims_ ~about~ `code` > quotes, and " * 88  # 4,000: Discord's most
    contents = [f"§{paragraph} {long_text}" for paragraph in range(1, 11)]
    replies = [
        ReplyRow(
            message_id=3 * 10**17 + i,
            author_id=1000 + i % 180,
            author_name=f"A_very*long*display_name_{i % 180:04d}"[:32],
            created_at=START + dt.timedelta(minutes=2 * i),
            words=250,
            installment=1 + i % 40,
            content=contents[i % 10],
            stars=i % 97,
            stuck=i % 89,
            jump=Jump(10**17, 10**17 + 1 + i % 40, 3 * 10**17 + i),
        )
        for i in range(5000)
    ]
    questions = [
        QuestionRow(
            installment=1 + q % 40,
            position=q,
            text=f"Question {q}: " + "why does the argument turn on this word? " * 50,
            asked_at=posts[q % 40].posted_at,
        )
        for q in range(300)
    ]
    return compute_summary(
        week=WEEK,
        plan=plan,
        state=PlanState(installments=installments, done=40, last_slot=posts[-1].posted_at),
        posts=posts,
        replies=replies,
        questions=questions,
        earlier_authors=set(range(1000, 1030)),
        now=NOW,
        settings=SummarySettings(leaderboard=True, leaderboard_size=25, highlights=10, stuck=25),
        group="A reading group with a name far longer than anyone would choose " * 5,
        group_size=400,
        titles={slug: f"{slug}: a title of great length " * 12 for slug in slugs},
    )


@pytest.mark.parametrize("chart", [False, True])
def test_a_very_busy_week_stays_within_every_limit(chart: bool) -> None:
    embeds = summary_embeds(busy_week(), chart=chart)
    check_limits(embeds)
    text = shown(embeds)
    names = [field.name for field in embeds[0].fields]
    assert names == [
        "Participation",
        "Highlights",
        "Where we got stuck",
        "Questions still open",
        "Coming up",
    ]
    assert "**Posted this week**" in text and "**Progress**" in text
    assert "…and " in embeds[0].description  # posts left out, counted
    questions = embeds[0].fields[3].value
    assert questions.endswith("more")  # 300 open questions: some shown, the rest counted
    assert "⭐ 96" in embeds[0].fields[1].value  # the most starred reply comes first
    assert (embeds[0].image.url == f"attachment://{SUMMARY_CHART_FILE}") is chart


def test_a_long_highlight_is_cut_with_an_ellipsis() -> None:
    quote = "This is the sentence that keeps going " * 100
    summary = summarise(
        [ReplyRow(**{**vars_of(busy_small_group()[0]), "content": quote, "stars": 3})]
    )
    embeds = summary_embeds(summary)
    check_limits(embeds)
    highlights = next(f.value for f in embeds[0].fields if f.name == "Highlights")
    assert "\n> This is the sentence that keeps going" in highlights
    assert highlights.endswith("…")
    assert "https://discord.com/channels/1/1003/1" in highlights  # the link is never cut


def vars_of(row: ReplyRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in row.__slots__}


def test_an_empty_week() -> None:
    summary = summarise(posts=POSTS[:2], state=PlanState(installments=INSTALLMENTS, done=2))
    embeds = summary_embeds(summary)
    check_limits(embeds)
    text = shown(embeds)
    assert "No installment was posted this week." in text
    assert "No replies this week." in text
    assert "Highlights" not in text


@pytest.mark.parametrize(("group_size", "allowed"), [(None, False), (4, False), (5, True)])
def test_no_per_person_figure_in_a_small_group(group_size: int | None, allowed: bool) -> None:
    summary = summarise(
        busy_small_group(),
        settings=SummarySettings(leaderboard=True),
        group_size=group_size,
        earlier_authors={1, 2},
    )
    embeds = summary_embeds(summary)
    figures = per_person_figures(shown(embeds), NAMES)
    assert bool(figures) is allowed, figures
    assert "Alice" in shown(embeds)  # still quoted by name, just not counted


def test_opted_out_members_appear_nowhere() -> None:
    hidden = ReplyRow(
        message_id=77,
        author_id=6,
        author_name="Farid",
        created_at=NOW - dt.timedelta(days=2),
        words=40,
        installment=3,
        content="my words stay mine",
        stars=50,
        stuck=50,
        jump=Jump(1, 1003, 77),
    )
    settings = SummarySettings(opted_out=frozenset({6}), leaderboard=True)
    summary = summarise([*busy_small_group(), hidden], settings=settings, group_size=50)
    text = json.dumps([embed.to_dict() for embed in summary_embeds(summary)], ensure_ascii=False)
    assert "Farid" not in text and "my words" not in text and "/1003/77" not in text
    assert "Alice" in text


def test_discord_link() -> None:
    assert discord_link(1, 2, 3) == "https://discord.com/channels/1/2/3"
    assert discord_link(1, 2) == "https://discord.com/channels/1/2"
    assert jump_link(Jump(1, 2, 3)) == "https://discord.com/channels/1/2/3"
    assert jump_link(Jump(1, 2)) == "https://discord.com/channels/1/2"


def test_discord_timestamp() -> None:
    assert discord_timestamp(dt.datetime(2026, 11, 23, 18, tzinfo=dt.UTC)) == "<t:1795456800:F>"
    assert discord_timestamp(dt.datetime(2026, 11, 23, 18, tzinfo=dt.UTC), "D") == (
        "<t:1795456800:D>"
    )
    with pytest.raises(ValueError, match="aware"):
        discord_timestamp(dt.datetime(2026, 11, 23, 18))


def test_members_text_is_escaped_and_dates_are_discord_timestamps() -> None:
    row = busy_small_group()[0]
    starred = ReplyRow(**{**vars_of(row), "author_name": "**Big**_name_", "content": "a *b* c"})
    embeds = summary_embeds(summarise([starred]))
    text = shown(embeds)
    assert r"\*\*Big\*\*\_name\_" in text
    assert r"a \*b\* c" in text
    assert "<t:1795456800:F> · #5 borochov §5-8" in text  # coming up, in each reader's time
    assert "Projected finish: <t:1795456800:D>" in text


@pytest.mark.parametrize("late", [False, True])
def test_the_posted_message_carries_its_marker_and_says_when_it_is_late(late: bool) -> None:
    marker = summary_marker(123456789012345678, WEEK)
    due = dt.datetime(2026, 11, 22, 17, tzinfo=dt.UTC)
    message = summary_message(
        busy_week(), chart=True, marker=marker, late_since=due if late else None
    )
    embeds = list(message.embeds)
    check_limits(embeds)  # the marker shares the 6000 budget
    footer = embeds[0].footer.text or ""
    assert footer.endswith(f" · {marker}")
    assert parse_summary_marker(footer) == (123456789012345678, WEEK)
    if late:
        assert (
            message.content
            == "Posted late: this summary was due <t:1795366800:f>, while I was offline."
        )
    else:
        assert message.content is None
    assert message.allowed_mentions.to_dict()["parse"] == []
