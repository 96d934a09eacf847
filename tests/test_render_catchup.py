"""The catch-up's pages within Discord's limits however extreme the range and its text: 200
installments, 4,000-character replies with masked links, huge names and titles."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from bot.core.summary import Highlight, Jump, NextItem, OpenQuestion, StuckPassage
from bot.core.summary.catchup import Catchup, CatchupItem, SinceWhy
from bot.discord.render import DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT, FIELD_VALUE_LIMIT, TITLE_LIMIT
from bot.discord.render.catchup import PAGE_LIMIT, catchup_pages

NOW = dt.datetime(2027, 1, 10, 12, tzinfo=dt.UTC)
HOSTILE = "[click](https://evil.example) @everyone <@&1> **x** \u202e" * 80


def item(number: int, text: str = HOSTILE) -> CatchupItem:
    return CatchupItem(
        number=number,
        total=200,
        citation=f"soic §{number}",
        title=text,
        posted_at=NOW - dt.timedelta(hours=number),
        new=True,
        jump=Jump(1, 2),
        replies=10_000,
        highlights=tuple(
            Highlight(
                author=text, quote=text, stars=9, citation=None, jump=Jump(1, 2, 3), message_id=i
            )
            for i in range(3)
        ),
        stuck=tuple(StuckPassage(citation=f"soic §{number}", marks=4, jump=None) for _ in range(3)),
        questions=tuple(
            OpenQuestion(number=number, citation=None, text=text, jump=None) for _ in range(5)
        ),
        more_questions=40,
    )


def catchup(items: int, why: SinceWhy = "asked", group: str = "readers") -> Catchup:
    return Catchup(
        group=group,
        since=NOW - dt.timedelta(days=300),
        until=NOW,
        why=why,
        tz=ZoneInfo("Europe/Berlin"),
        items=tuple(item(n) for n in range(1, items + 1)),
        replies=2_000_000,
        coming=tuple(NextItem(n, f"soic §{n}", "x" * 500, NOW) for n in range(3)),
        paused=False,
        finished=False,
    )


@pytest.mark.parametrize(("items", "group"), [(0, "r"), (1, "g" * 5000), (200, "readers")])
def test_every_page_is_within_discords_limits(items: int, group: str) -> None:
    pages = catchup_pages(catchup(items, group=group))
    assert len(pages) >= max(1, items // 3)
    for page in pages:
        assert len(page) <= EMBED_TOTAL_LIMIT
        assert len(page.title or "") <= TITLE_LIMIT
        assert len(page.description or "") <= min(PAGE_LIMIT, DESCRIPTION_LIMIT)
        assert all(len(field.value or "") <= FIELD_VALUE_LIMIT for field in page.fields)
    text = "\n".join(page.description or "" for page in pages)
    if items:
        # Members' text: every bracket escaped (no masked link), no Markdown.
        assert re.search(r"(?<!\\)\[click", text) is None
        assert "\\*\\*x\\*\\*" in text
        # What did not fit is counted, with the questions left out before (40).
        assert all(int(n) >= 40 for n in re.findall(r"…and (\d+) more", text))
        assert len(re.findall(r"…and (\d+) more", text)) == items


@pytest.mark.parametrize(
    ("why", "says"),
    [
        ("asked", "as you asked"),
        ("last_reply", "Since your last reply"),
        ("never", "I have no reply of yours"),
        ("opted_out", "you opted out"),
    ],
)
def test_the_first_page_says_where_the_catchup_starts_and_why(why: SinceWhy, says: str) -> None:
    (page,) = catchup_pages(dataclasses.replace(catchup(0, why=why), replies=0))
    assert says in (page.description or "")
    assert "Nothing was posted or said" in (page.description or "")
