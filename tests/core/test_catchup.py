"""A member's catch-up computed from fixed rows: where it starts and why, what ``since``
accepts, the installments posted or discussed in the range with their ⭐, ❓ and open
questions, what comes next, and its text for the terminal."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.core.replies import STAR, STUCK
from bot.core.summary import QuestionRow, ReactionRow, SpanData, SummarySettings
from bot.core.summary.catchup import (
    FALLBACK_DAYS,
    CatchupData,
    CatchupError,
    SinceWhy,
    catchup_start,
    catchup_text,
    compute_catchup,
    parse_since,
)
from tests.core.test_summary import BERLIN, INSTALLMENTS, NOW, POSTS, reply, utc
from tests.core.test_summary_weekly import group_state

SINCE = utc(2026, 11, 15, 23)  # Monday 16 Nov, 00:00 in Berlin


@pytest.mark.parametrize(
    ("text", "since"),
    [
        ("2026-11-16", SINCE),  # the group's local midnight
        ("2 weeks", NOW - dt.timedelta(days=14)),
        ("  10   days ", NOW - dt.timedelta(days=10)),
        ("1 week", NOW - dt.timedelta(days=7)),
        ("3d", NOW - dt.timedelta(days=3)),
        ("2W", NOW - dt.timedelta(days=14)),
    ],
)
def test_since_is_a_day_or_a_duration(text: str, since: dt.datetime) -> None:
    assert parse_since(text, now=NOW, tz=BERLIN) == since


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("last tuesday", "is not a day or a duration"),
        ("20261116", "is not a day or a duration"),
        ("2026-02-30", "is not a day of the calendar"),
        ("2026-11-23", "is in the future"),
        ("0 days", "at least a day"),
        ("2000-01-01", "at most 366 days"),
        ("9999 weeks", "at most 366 days"),
        ("x" * 5000, "is not a day or a duration"),
    ],
)
def test_a_bad_since_is_explained_on_one_line(text: str, message: str) -> None:
    with pytest.raises(CatchupError, match=message) as caught:
        parse_since(text, now=NOW, tz=BERLIN)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 400
    assert "2026-11-02" in str(caught.value) or "at least" in str(caught.value)


LAST = utc(2026, 11, 18, 9)
FALLBACK = NOW - dt.timedelta(days=FALLBACK_DAYS)


@pytest.mark.parametrize(
    ("asked", "last", "opted_out", "start"),
    [
        (SINCE, LAST, False, (SINCE, "asked")),
        (None, LAST, False, (LAST, "last_reply")),
        (None, None, False, (FALLBACK, "never")),
        (None, LAST, True, (FALLBACK, "opted_out")),  # never their replies, even if given
        (None, NOW + dt.timedelta(hours=1), False, (NOW, "last_reply")),  # a skewed clock
    ],
)
def test_the_catchup_starts_where_asked_else_at_the_last_reply_else_two_weeks_back(
    asked: dt.datetime | None,
    last: dt.datetime | None,
    opted_out: bool,
    start: tuple[dt.datetime, SinceWhy],
) -> None:
    assert catchup_start(asked=asked, last_reply=last, opted_out=opted_out, now=NOW) == start


def question(installment: int, position: int, text: str) -> QuestionRow:
    return QuestionRow(
        installment=installment,
        position=position,
        text=text,
        asked_at=POSTS[installment - 1].posted_at,
    )


def span(**extra: object) -> SpanData:
    fields: dict[str, object] = {
        "group": group_state(done_key=INSTALLMENTS[3].key, done_count=4),
        "start": SINCE,
        "end": NOW,
        "posts": tuple(dataclasses.replace(post, words=0) for post in POSTS),
        "replies": (),
        "reactions": (),
        "questions": (),
        "answers": (),
        "opted_out": frozenset(),
    }
    return SpanData(**{**fields, **extra})  # type: ignore[arg-type]


def test_the_installments_posted_or_discussed_in_the_range_with_their_highlights() -> None:
    replies = (
        reply(1, 1, utc(2026, 11, 14, 9), installment=2),  # before the range: not counted
        reply(2, 2, utc(2026, 11, 16, 9), installment=2, content="old thread, new thought"),
        reply(3, 3, utc(2026, 11, 17, 9), installment=3, content="the best reply"),
        reply(4, 4, utc(2026, 11, 17, 10), installment=3, content="stuck on §8"),
        reply(5, 6, utc(2026, 11, 17, 11), installment=3, content="opted out: never shown"),
    )
    reactions = (
        ReactionRow(3, 1, STAR),
        ReactionRow(3, 2, STAR),
        ReactionRow(5, 1, STAR),
        ReactionRow(5, 2, STAR),
        ReactionRow(5, 3, STAR),
        ReactionRow(4, 5, STUCK),
    )
    data = CatchupData(
        span=span(
            replies=replies,
            reactions=reactions,
            opted_out=frozenset({6}),
            questions=(question(3, 1, "Why  §8?"), question(4, 1, "And now?")),
        ),
        why="last_reply",
    )
    catchup = compute_catchup(
        data, installments=INSTALLMENTS, now=NOW, settings=SummarySettings(min_group_size=2)
    )
    assert (catchup.since, catchup.until, catchup.why) == (SINCE, NOW, "last_reply")
    assert catchup.replies == 3
    assert [(i.number, i.new, i.replies) for i in catchup.items] == [
        (2, False, 1),  # posted before, discussed since
        (3, True, 2),
        (4, True, 0),
    ]
    third = catchup.items[1]
    assert [(h.author, h.quote, h.stars) for h in third.highlights] == [
        ("Chidi", "the best reply", 2)
    ]
    assert [(s.citation, s.marks) for s in third.stuck] == [("soic §8", 1)]
    assert [q.text for q in third.questions] == ["Why §8?"]  # brief: one line
    assert [q.text for q in catchup.items[2].questions] == ["And now?"]
    assert [(c.number, c.citation) for c in catchup.coming] == [(5, "borochov §5-8")]
    assert not catchup.paused and not catchup.finished


def test_under_the_minimum_group_size_no_star_count_is_shown() -> None:
    replies = (reply(3, 3, utc(2026, 11, 17, 9), installment=3),)
    data = CatchupData(
        span=span(replies=replies, reactions=(ReactionRow(3, 1, STAR),)), why="asked"
    )
    catchup = compute_catchup(data, installments=INSTALLMENTS, now=NOW)
    assert [h.stars for h in catchup.items[0].highlights] == [None]


def test_a_quiet_range_of_a_paused_plan() -> None:
    data = CatchupData(
        span=span(
            start=utc(2026, 11, 20),
            group=group_state(done_key=INSTALLMENTS[3].key, done_count=4, paused=True),
        ),
        why="never",
    )
    catchup = compute_catchup(data, installments=INSTALLMENTS, now=NOW)
    assert catchup.quiet and catchup.paused and catchup.coming == ()
    text = catchup_text(catchup)
    assert "I have no reply of yours in this group" in text
    assert "Nothing was posted or said" in text
    assert "Nothing: the plan is paused." in text


def test_the_text_for_the_terminal_names_each_installment_and_what_is_next() -> None:
    replies = (reply(3, 3, utc(2026, 11, 17, 9), installment=3, content="a [masked](http://x)"),)
    data = CatchupData(
        span=span(replies=replies, reactions=(ReactionRow(3, 1, STAR),)), why="opted_out"
    )
    text = catchup_text(compute_catchup(data, installments=INSTALLMENTS, now=NOW))
    assert "you opted out of the discussion log" in text and "Pass --since" in text
    assert "#3/5 soic §7-9 · soic · posted Mon 16 Nov 2026 19:00 · 1 reply" in text
    assert '⭐ Chidi: "a [masked](http://x)"' in text
    assert "#5 borochov §5-8" in text.split("Next")[1]
