"""The weekly summary computed from fixed rows: weeks across DST, progress, participation
without shaming, highlights, open questions, what comes next, and the chart's series."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import PlanError
from bot.core.excerpts import Installment
from bot.core.plan import Plan
from bot.core.schedule import UTC, parse_cadence
from bot.core.summary import (
    ChartData,
    IsoWeek,
    Jump,
    PlanState,
    PostRow,
    QuestionRow,
    ReplyRow,
    Summary,
    SummarySettings,
    WeekCounts,
    chart_data,
    compute_summary,
    default_week,
    format_period,
    parse_summary_marker,
    parse_week,
    progress_bar,
    summary_due,
    summary_marker,
    summary_text,
    summary_week,
    week_bounds,
    week_counts,
    welcome,
)

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = IsoWeek(2026, 47)  # Mon 16 - Sun 22 Nov 2026; Berlin is UTC+1 then
INSTALLMENTS = (
    Installment("soic", 1, 3, 600),
    Installment("soic", 4, 6, 600),
    Installment("soic", 7, 9, 400),
    Installment("borochov", 1, 4, 500),
    Installment("borochov", 5, 8, 500),
)
# Slots: Mon 9 Nov, Thu 12, Mon 16, Thu 19, Mon 23 ... at 19:00 Berlin (18:00 UTC).
PLAN = Plan(
    readings=("soic", "borochov"),
    cadence=parse_cadence("mon,thu 19:00 Europe/Berlin"),
    start=dt.datetime(2026, 11, 9, tzinfo=UTC),
)
NOW = dt.datetime(2026, 11, 22, 17, 0, tzinfo=UTC)  # Sunday 18:00 in Berlin: summary time
NAMES = ("Alice", "Bruno", "Chidi", "Dagny", "Emeka", "Farid")


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def post(number: int, posted_at: dt.datetime, **extra: Any) -> PostRow:
    part = INSTALLMENTS[number - 1]
    return PostRow(
        number=number,
        slug=part.slug,
        first=part.first,
        last=part.last,
        words=part.words,
        posted_at=posted_at,
        thread_id=1000 + number,
        message_id=2000 + number,
        jump=Jump(1, 1000 + number),
        **extra,
    )


POSTS = (
    post(1, utc(2026, 11, 9, 18)),
    post(2, utc(2026, 11, 12, 18)),
    post(3, utc(2026, 11, 16, 18)),
    post(4, utc(2026, 11, 19, 18, 2), late=True),
)


def reply(
    message_id: int,
    author: int,
    when: dt.datetime,
    *,
    installment: int = 3,
    words: int = 10,
    content: str | None = "a thought about the text",
    stars: int = 0,
    stuck: int = 0,
    name: str | None = None,
) -> ReplyRow:
    return ReplyRow(
        message_id=message_id,
        author_id=author,
        author_name=name or NAMES[author - 1],
        created_at=when,
        words=words,
        installment=installment,
        thread_id=1000 + installment,
        content=content,
        stars=stars,
        stuck=stuck,
        jump=Jump(1, 1000 + installment, message_id),
    )


def summarise(
    replies: Iterable[ReplyRow] = (),
    *,
    state: PlanState | None = None,
    posts: tuple[PostRow, ...] = POSTS,
    now: dt.datetime = NOW,
    week: IsoWeek = WEEK,
    **extra: Any,
) -> Summary:
    return compute_summary(
        week=week,
        plan=PLAN,
        state=state
        or PlanState(installments=INSTALLMENTS, done=4, last_slot=utc(2026, 11, 19, 18)),
        posts=posts,
        replies=list(replies),
        now=now,
        **extra,
    )


# Weeks.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-W47", IsoWeek(2026, 47)),
        ("2026w47", IsoWeek(2026, 47)),
        (" 2026-W07 ", IsoWeek(2026, 7)),
        ("2026-W53", IsoWeek(2026, 53)),  # 2026 starts on a Thursday: it has 53 weeks
        ("2026-11-22", IsoWeek(2026, 47)),  # a Sunday belongs to the week before it
        ("2026-11-23", IsoWeek(2026, 48)),
        ("2027-01-01", IsoWeek(2026, 53)),  # the ISO year differs from the calendar year
    ],
)
def test_parse_week_reads_iso_weeks_and_days(text: str, expected: IsoWeek) -> None:
    assert parse_week(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2025-W53", "2025 has no ISO week 53"),
        ("2026-W00", "has no ISO week 0"),
        ("week 47", "YEAR-Wnn"),
        ("2026-02-30", "day is out of range"),
        ("", "YEAR-Wnn"),
    ],
)
def test_parse_week_says_what_is_wrong(text: str, fragment: str) -> None:
    with pytest.raises(PlanError, match=re.escape(fragment)):
        parse_week(text)


def test_iso_week_shifts_across_a_year_end() -> None:
    assert IsoWeek(2026, 53).shift(1) == IsoWeek(2027, 1)
    assert IsoWeek(2027, 1).shift(-1) == IsoWeek(2026, 53)
    assert str(IsoWeek(2026, 7)) == "2026-W07"
    assert IsoWeek.at(utc(2026, 11, 22, 23, 30), BERLIN) == IsoWeek(2026, 48)  # Monday 00:30


@pytest.mark.parametrize(
    ("zone", "week", "start", "end", "hours"),
    [
        # Berlin springs forward on Sunday 29 March 2026: that week is an hour short.
        ("Europe/Berlin", IsoWeek(2026, 13), utc(2026, 3, 22, 23), utc(2026, 3, 29, 22), 167),
        # ... and falls back on Sunday 25 October 2026: that week has an hour more.
        ("Europe/Berlin", IsoWeek(2026, 43), utc(2026, 10, 18, 22), utc(2026, 10, 25, 23), 169),
        ("Europe/Berlin", IsoWeek(2026, 47), utc(2026, 11, 15, 23), utc(2026, 11, 22, 23), 168),
        ("America/New_York", IsoWeek(2026, 10), utc(2026, 3, 2, 5), utc(2026, 3, 9, 4), 167),
        ("America/New_York", IsoWeek(2026, 45), utc(2026, 11, 2, 5), utc(2026, 11, 9, 5), 168),
        # Tehran's clocks jumped from 00:00 to 01:00 on Monday 22 March 2021: no midnight.
        ("Asia/Tehran", IsoWeek(2021, 12), utc(2021, 3, 21, 20, 30), utc(2021, 3, 28, 19, 30), 167),
    ],
)
def test_week_bounds_are_local_mondays_across_dst(
    zone: str, week: IsoWeek, start: dt.datetime, end: dt.datetime, hours: int
) -> None:
    bounds = week_bounds(week, ZoneInfo(zone))
    assert bounds == (start, end)
    assert bounds[1] - bounds[0] == dt.timedelta(hours=hours)
    assert week_bounds(week.monday + dt.timedelta(days=6), ZoneInfo(zone)) == bounds


@pytest.mark.parametrize(
    ("week", "text"),
    [
        (IsoWeek(2026, 47), "16–22 Nov 2026"),
        (IsoWeek(2026, 44), "26 Oct – 1 Nov 2026"),
        (IsoWeek(2026, 53), "28 Dec 2026 – 3 Jan 2027"),
    ],
)
def test_format_period(week: IsoWeek, text: str) -> None:
    assert format_period(week) == text


@pytest.mark.parametrize(
    ("done", "total", "bar"),
    [
        (0, 100, "░░░░░░░░░░ 0%"),
        (1, 1000, "▓░░░░░░░░░ 0%"),  # started shows
        (48, 100, "▓▓▓▓░░░░░░ 48%"),
        (999, 1000, "▓▓▓▓▓▓▓▓▓░ 99%"),  # not finished never looks finished
        (100, 100, "▓▓▓▓▓▓▓▓▓▓ 100%"),
        (0, 0, "░░░░░░░░░░ 0%"),
    ],
)
def test_progress_bar(done: int, total: int, bar: str) -> None:
    assert progress_bar(done, total) == bar


# The week's installments and the plan's progress.


def test_installments_of_the_week_with_their_replies_and_links() -> None:
    replies = [
        reply(1, 1, utc(2026, 11, 16, 20), installment=3),
        reply(2, 2, utc(2026, 11, 17, 9), installment=3),
        reply(3, 1, utc(2026, 11, 20, 9), installment=4),
        reply(4, 3, utc(2026, 11, 20, 9), installment=2),  # an older post's thread
        reply(5, 2, utc(2026, 11, 15, 22), installment=3),  # Sunday before: last week
        reply(6, 2, utc(2026, 11, 22, 23), installment=4),  # Monday after: next week
    ]
    summary = summarise(replies)
    assert [(p.number, p.citation, p.replies, p.late) for p in summary.posted] == [
        (3, "soic §7-9", 2, False),
        (4, "borochov §1-4", 1, True),
    ]
    assert summary.posted[0].jump == Jump(1, 1003)
    assert summary.participation.counts == WeekCounts(replies=4, words=40, participants=3)


def test_progress_per_reading_and_plan_by_words() -> None:
    progress = summarise().progress
    assert [(r.slug, r.done_words, r.total_words, r.percent) for r in progress.readings] == [
        ("soic", 1600, 1600, 100),
        ("borochov", 500, 1000, 50),
    ]
    assert (progress.done, progress.total, progress.percent) == (4, 5, 80)  # 2100 of 2600
    assert progress.bar == "▓▓▓▓▓▓▓▓░░ 80%"
    assert progress.next is not None and progress.next.citation == "borochov §5-8"
    assert progress.finish == utc(2026, 11, 23, 18)
    assert progress.behind == 0


def test_what_comes_next() -> None:
    summary = summarise()
    assert [(c.number, c.citation, c.slot) for c in summary.coming] == [
        (5, "borochov §5-8", utc(2026, 11, 23, 18))
    ]


def test_coming_up_runs_to_the_end_of_next_week() -> None:
    long_plan = (*INSTALLMENTS, *(Installment("x", n, n, 100) for n in range(1, 9)))
    state = PlanState(installments=long_plan, done=4, last_slot=utc(2026, 11, 19, 18))
    summary = compute_summary(
        week=WEEK,
        plan=dataclasses.replace(PLAN, readings=("soic", "borochov", "x")),
        state=state,
        posts=POSTS,
        replies=[],
        now=NOW,
    )
    # Mon 23, Thu 26 Nov; Mon 30 Nov is in the week after next.
    assert [c.slot for c in summary.coming] == [utc(2026, 11, 23, 18), utc(2026, 11, 26, 18)]


def test_a_paused_plan_says_how_far_behind_and_when_it_could_finish() -> None:
    state = PlanState(
        installments=INSTALLMENTS,
        done=2,
        paused=True,
        paused_at=utc(2026, 11, 14, 10),
        last_slot=utc(2026, 11, 12, 18),
    )
    summary = summarise(state=state, posts=POSTS[:2])
    progress = summary.progress
    assert progress.paused
    assert progress.behind == 2  # the slots of 16 and 19 Nov passed without a post
    assert progress.finish == utc(2026, 11, 30, 18)  # if resumed now: 23, 26, 30 Nov
    assert summary.coming == ()
    assert summary.posted == ()
    text = summary_text(summary)
    assert "Paused since Sat 14 Nov 2026." in text
    assert "If resumed now, it would finish on Mon 30 Nov 2026." in text
    assert "2 installments behind the original schedule." in text
    assert "Nothing: the plan is paused." in text


def test_skipped_installments_count_as_done_and_are_reported() -> None:
    state = PlanState(installments=INSTALLMENTS, done=4, skipped=1, last_slot=utc(2026, 11, 19, 18))
    summary = summarise(state=state, posts=(*POSTS[:2], POSTS[3]))
    assert summary.progress.done == 4
    assert summary.progress.skipped == 1
    assert "1 installment skipped." in summary_text(summary)


def test_a_past_week_shows_the_plan_as_it_was_then() -> None:
    summary = summarise(week=IsoWeek(2026, 46), now=utc(2026, 12, 1))
    assert summary.progress.done == 2
    assert summary.progress.next is not None and summary.progress.next.number == 3
    assert [p.number for p in summary.posted] == [1, 2]


def test_a_finished_plan() -> None:
    state = PlanState(installments=INSTALLMENTS, done=5, last_slot=utc(2026, 11, 19, 18))
    summary = summarise(state=state)
    assert summary.progress.next is None
    assert summary.progress.finish is None
    assert summary.progress.percent == 100
    assert "The plan is finished" in summary_text(summary)


def test_an_empty_week_reads_kindly() -> None:
    summary = summarise(posts=POSTS[:2], state=PlanState(installments=INSTALLMENTS, done=2))
    assert summary.quiet
    assert summary.participation.counts == WeekCounts()
    assert summary.highlights == summary.stuck == summary.questions == ()
    text = summary_text(summary)
    assert "No installment was posted this week." in text
    assert "No replies this week. The threads stay open" in text


# Participation.


def test_change_against_the_previous_week() -> None:
    last_week = [reply(i, 1 + i % 2, utc(2026, 11, 10, 12, i), words=5) for i in range(1, 4)]
    this_week = [reply(10 + i, 1 + i % 3, utc(2026, 11, 17, 12, i), words=7) for i in range(5)]
    start, end = week_bounds(WEEK.shift(-1), BERLIN)
    previous = week_counts([*last_week, *this_week], start, end)
    assert previous == WeekCounts(replies=3, words=15, participants=2)
    summary = summarise(this_week, previous=previous, earlier_authors={1, 2})
    text = summary_text(summary)
    assert (
        "5 replies (3 the week before), 35 words (15 the week before), "
        "3 participants (2 the week before)" in text
    )


def test_first_participants_are_welcomed_in_order_of_their_first_reply() -> None:
    replies = [
        reply(5, 3, utc(2026, 11, 18, 9)),
        reply(3, 4, utc(2026, 11, 18, 9)),  # same instant: the lower id first
        reply(9, 1, utc(2026, 11, 17, 9)),
        reply(7, 3, utc(2026, 11, 17, 9, 1)),
    ]
    summary = summarise(replies, earlier_authors={1})
    assert summary.participation.new_voices == ("Chidi", "Dagny")
    assert "Welcome to our new voices: Chidi and Dagny!" in summary_text(summary)


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (1, "Welcome to our new voice: m1!"),
        (3, "Welcome to our new voices: m1, m2 and m3!"),
        (10, "Welcome to our new voices: m1, m2, m3, m4, m5, m6, m7, m8, m9 and m10!"),
        (12, "Welcome to our new voices: m1, m2, m3, m4, m5, m6, m7, m8, m9, m10 and 2 others!"),
    ],
)
def test_welcome_names_a_few_and_counts_the_rest(count: int, text: str) -> None:
    assert welcome([f"m{n}" for n in range(1, count + 1)]) == text
    assert welcome([]) == ""


def test_no_leaderboard_unless_switched_on() -> None:
    replies = [reply(i, 1 + i % 6, utc(2026, 11, 17, 9, i)) for i in range(12)]
    assert summarise(replies).participation.leaderboard == ()
    on = summarise(replies, settings=SummarySettings(leaderboard=True, leaderboard_size=3))
    # Everybody wrote two replies: ties are broken by author id.
    assert on.participation.leaderboard == (("Alice", 2), ("Bruno", 2), ("Chidi", 2))
    assert "Most replies: Alice (2 replies), Bruno (2 replies), Chidi (2 replies)" in (
        summary_text(on)
    )


def per_person_figures(text: str, names: Iterable[str]) -> list[str]:
    """Lines naming someone and carrying a number other than a citation or a link."""
    found = []
    for line in text.splitlines():
        if any(name in line for name in names):
            bare = re.sub(r"https?://\S+|§\d+(?:-\d+)?", "", line)
            if re.search(r"\d", bare):
                found.append(line)
    return found


def busy_small_group() -> list[ReplyRow]:
    """Three people, one of them starred, one new: everything that could single one out."""
    return [
        reply(1, 1, utc(2026, 11, 17, 9), stars=4, content="the dialectic turns here"),
        reply(2, 1, utc(2026, 11, 17, 10), content="and again"),
        reply(3, 2, utc(2026, 11, 18, 9), stars=1, content="I disagree with that"),
        reply(4, 3, utc(2026, 11, 19, 9), stuck=2, content="what does this mean"),
    ]


@pytest.mark.parametrize(("group_size", "allowed"), [(None, False), (3, False), (5, True)])
def test_no_per_person_figure_in_a_small_group(group_size: int | None, allowed: bool) -> None:
    settings = SummarySettings(leaderboard=True)
    summary = summarise(
        busy_small_group(), settings=settings, group_size=group_size, earlier_authors={1, 2}
    )
    part = summary.participation
    assert part.per_person is allowed
    assert bool(part.leaderboard) is allowed
    assert all((h.stars is not None) is allowed for h in summary.highlights)
    assert [h.author for h in summary.highlights] == ["Alice", "Bruno"]  # quoted, not counted
    figures = per_person_figures(summary_text(summary), NAMES)
    assert bool(figures) is allowed, figures


def test_opted_out_members_are_left_out_everywhere() -> None:
    replies = [
        *busy_small_group(),
        reply(20, 6, utc(2026, 11, 17, 8), stars=9, stuck=5, words=500, content="hidden words"),
        reply(21, 6, utc(2026, 11, 17, 11), words=500),
    ]
    settings = SummarySettings(opted_out=frozenset({6}), leaderboard=True)
    summary = summarise(replies, settings=settings, group_size=20, earlier_authors={1, 2})
    part = summary.participation
    assert part.counts == WeekCounts(replies=4, words=40, participants=3)
    assert part.new_voices == ("Chidi",)
    assert "Farid" not in {name for name, _ in part.leaderboard}
    assert [h.message_id for h in summary.highlights] == [1, 3]
    assert [s.marks for s in summary.stuck] == [2]
    assert summary.posted[0].replies == 4
    text = summary_text(summary)
    assert "Farid" not in text and "hidden" not in text
    assert "/20" not in text  # no link to their message either


# Highlights, where we got stuck, open questions.


def test_highlights_most_stars_first_ties_by_message_id_quoted_briefly() -> None:
    long = "word " * 200
    replies = [
        reply(30, 1, utc(2026, 11, 17, 9), stars=2),
        reply(10, 2, utc(2026, 11, 18, 9), stars=5, content=long),
        reply(20, 3, utc(2026, 11, 18, 9), stars=2, content=None),  # erased by retention
        reply(40, 4, utc(2026, 11, 18, 9), stars=1),
        reply(50, 5, utc(2026, 11, 18, 9), stars=0),
    ]
    summary = summarise(replies)
    assert [h.message_id for h in summary.highlights] == [10, 20, 30]
    first = summary.highlights[0]
    assert first.quote is not None and len(first.quote) <= 200 and first.quote.endswith("…")
    assert first.stars == 5 and first.citation == "soic §7-9"
    assert first.jump == Jump(1, 1003, 10)
    assert summary.highlights[1].quote is None
    assert "(text no longer kept)" in summary_text(summary)


def test_where_we_got_stuck_by_passage() -> None:
    replies = [
        reply(1, 1, utc(2026, 11, 17, 9), stuck=2, content="§8 loses me"),
        reply(2, 2, utc(2026, 11, 17, 10), stuck=3, content="in § 8 the claim is odd"),
        reply(3, 3, utc(2026, 11, 17, 11), stuck=4, content="see §2 of soic"),  # not in 7-9
        reply(4, 4, utc(2026, 11, 20, 9), installment=4, stuck=1, content="¶2-3 ?"),
        reply(5, 5, utc(2026, 11, 20, 9), installment=4, stuck=1),
    ]
    posts = (*POSTS[:3], dataclasses.replace(POSTS[3], stuck=1))
    summary = summarise(replies, posts=posts, settings=SummarySettings(stuck=5))
    assert [(s.citation, s.marks) for s in summary.stuck] == [
        ("soic §8", 5),
        ("soic §7-9", 4),
        ("borochov §1-4", 2),  # the post's own mark and reply 5; ties by citation
        ("borochov §2-3", 1),
    ]
    assert summary.stuck[0].jump == Jump(1, 1003, 2)  # most marked
    # The post's mark and reply 5's tie at 1: the lower message id links.
    assert summary.stuck[2].jump == Jump(1, 1004, 5)


def test_open_questions_with_their_installment() -> None:
    def question(installment: int, position: int, answered: bool = False) -> QuestionRow:
        return QuestionRow(
            installment=installment,
            position=position,
            text=f"Question {installment}.{position}?",
            asked_at=POSTS[installment - 1].posted_at,
            answered=answered,
        )

    questions = [
        question(2, 1),
        question(3, 2),
        question(3, 1, answered=True),
        question(4, 1),
        question(4, 2),
        QuestionRow(installment=5, position=1, text="Later?", asked_at=utc(2026, 11, 23, 18)),
    ]
    summary = summarise(questions=questions, settings=SummarySettings(questions=3))
    assert [(q.number, q.citation, q.text) for q in summary.questions] == [
        (4, "borochov §1-4", "Question 4.1?"),
        (4, "borochov §1-4", "Question 4.2?"),
        (3, "soic §7-9", "Question 3.2?"),
    ]
    assert summary.questions[0].jump == Jump(1, 1004)
    assert summary.more_questions == 1
    text = summary_text(summary)
    assert "#3 soic §7-9: Question 3.2?" in text
    assert "…and 1 more" in text


def test_the_same_rows_in_any_order_give_the_same_summary() -> None:
    replies = [
        *busy_small_group(),
        reply(9, 4, utc(2026, 11, 18, 9), stars=4),
        reply(8, 5, utc(2026, 11, 18, 9), stars=4, stuck=2),
    ]
    settings = SummarySettings(leaderboard=True)
    forward = summarise(replies, posts=POSTS, settings=settings)
    backward = summarise(replies[::-1], posts=POSTS[::-1], settings=settings)
    assert forward == backward
    assert [h.message_id for h in forward.highlights] == [1, 8, 9]


# The chart's series.


def chart(reply_times: Iterable[tuple[dt.datetime, int]] = (), **extra: Any) -> ChartData:
    arguments: dict[str, Any] = {
        "week": WEEK,
        "tz": BERLIN,
        "installments": INSTALLMENTS,
        "posts": POSTS,
        "now": NOW,
        **extra,
    }
    return chart_data(reply_times=reply_times, **arguments)


def test_chart_counts_replies_per_local_day() -> None:
    times = [
        (utc(2026, 11, 15, 22, 59), 1),  # Sunday 23:59 Berlin: week 46
        (utc(2026, 11, 15, 23, 0), 2),  # Monday 00:00 Berlin: week 47's first day
        (utc(2026, 11, 22, 22, 45), 3),  # Sunday 23:45 Berlin, grouped by quarter hour
        (utc(2026, 11, 22, 23, 0), 100),  # next week: not shown
        (utc(2026, 10, 25, 22, 59), 100),  # before the four weeks
    ]
    data = chart(times, done=4)
    assert data.unit == "day"
    assert len(data.starts) == 28
    assert data.starts[0] == dt.date(2026, 10, 26)
    assert data.current == 21
    assert data.replies[20] == 1 and data.replies[21] == 2 and data.replies[27] == 3
    assert sum(data.replies) == 6


def test_chart_progress_follows_the_posts() -> None:
    data = chart(now=utc(2026, 11, 20, 12), done=4)
    progress = dict(zip(data.starts, data.progress, strict=True))
    assert progress[dt.date(2026, 11, 8)] == 0
    assert progress[dt.date(2026, 11, 9)] == pytest.approx(100 * 600 / 2600)
    assert progress[dt.date(2026, 11, 16)] == pytest.approx(100 * 1600 / 2600)
    assert progress[dt.date(2026, 11, 20)] == pytest.approx(100 * 2100 / 2600)
    assert progress[dt.date(2026, 11, 21)] is None  # not begun yet


def test_chart_per_week_over_many_weeks() -> None:
    times = [(utc(2026, 11, 17), 5), (utc(2025, 11, 23, 22), 7), (utc(2025, 11, 23, 23), 1)]
    data = chart(times, weeks=52)
    assert data.unit == "week"
    assert len(data.starts) == 52
    assert data.starts[-1] == WEEK.monday
    assert data.current == 51
    assert data.starts[0] == dt.date(2025, 11, 24)
    # 23:00 UTC on Sunday 23 Nov 2025 is already Monday in Berlin: the first week's.
    assert (data.replies[0], data.replies[-1], sum(data.replies)) == (1, 5, 6)


# Delivery


@pytest.mark.parametrize(
    ("local", "week"),
    [
        (dt.datetime(2026, 11, 22, 18, 0), IsoWeek(2026, 47)),  # Sunday: the week ending now
        (dt.datetime(2026, 11, 20, 9, 0), IsoWeek(2026, 47)),  # Friday: this week too
        (dt.datetime(2026, 11, 19, 23, 59), IsoWeek(2026, 46)),  # Thursday: the week before
        (dt.datetime(2026, 11, 23, 9, 0), IsoWeek(2026, 47)),  # Monday: the week just ended
        (dt.datetime(2027, 1, 3, 18, 0), IsoWeek(2026, 53)),  # 2026 has 53 ISO weeks
    ],
)
def test_a_summary_covers_a_week_that_is_over_or_nearly(local: dt.datetime, week: IsoWeek) -> None:
    slot = local.replace(tzinfo=BERLIN).astimezone(UTC)
    assert summary_week(slot, BERLIN) == week


SUNDAY = parse_cadence("sun 18:00 Europe/Berlin")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 11, 22, 16, 59), (utc(2026, 11, 15, 17), IsoWeek(2026, 46), True)),
        (utc(2026, 11, 22, 17, 0), (utc(2026, 11, 22, 17), IsoWeek(2026, 47), False)),
        (utc(2026, 11, 22, 17, 9), (utc(2026, 11, 22, 17), IsoWeek(2026, 47), False)),
        (utc(2026, 11, 22, 17, 11), (utc(2026, 11, 22, 17), IsoWeek(2026, 47), True)),
        # Down for three weeks: only the latest missed summary, late.
        (utc(2026, 12, 16, 9), (utc(2026, 12, 13, 17), IsoWeek(2026, 50), True)),
        # Autumn DST: Sunday 25 Oct 18:00 is 17:00 UTC (CET), not 16:00.
        (utc(2026, 10, 25, 17, 0), (utc(2026, 10, 25, 17), IsoWeek(2026, 43), False)),
    ],
)
def test_the_summary_due_is_the_latest_slots(
    now: dt.datetime, expected: tuple[dt.datetime, IsoWeek, bool]
) -> None:
    found = summary_due(SUNDAY, plan_start=utc(2026, 1, 1), now=now)
    assert found is not None
    assert (found.slot, found.week, found.late) == expected


def test_no_summary_is_due_before_the_plan_starts() -> None:
    start = utc(2026, 11, 23)
    assert summary_due(SUNDAY, plan_start=start, now=utc(2026, 11, 22, 18)) is None
    found = summary_due(SUNDAY, plan_start=start, now=utc(2026, 11, 29, 17))
    assert found is not None and found.week == IsoWeek(2026, 48)


@pytest.mark.parametrize(
    ("cadence", "now", "week"),
    [
        (None, utc(2026, 11, 23, 9), IsoWeek(2026, 48)),
        ("sun 18:00", utc(2026, 11, 18, 9), IsoWeek(2026, 47)),
        ("mon 09:00", utc(2026, 11, 23, 7), IsoWeek(2026, 47)),  # before Monday's summary
        ("mon 09:00", utc(2026, 11, 23, 8, 30), IsoWeek(2026, 48)),  # after it
    ],
)
def test_the_default_week_is_the_one_the_next_summary_covers(
    cadence: str | None, now: dt.datetime, week: IsoWeek
) -> None:
    parsed = parse_cadence(cadence, timezone=BERLIN) if cadence else None
    assert default_week(parsed, now, BERLIN) == week


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Times show... · {summary_marker(123, WEEK)}", (123, WEEK)),
        ("rg-summary:9:2027-W01", (9, IsoWeek(2027, 1))),
        ("rg-summary:9:2027-W60", None),  # no such week
        ("rg:9:2027-01-04T18:00:00Z", None),  # a post's marker, not a summary's
        ("nothing", None),
    ],
)
def test_summary_markers_read_back(text: str, expected: tuple[int, IsoWeek] | None) -> None:
    assert parse_summary_marker(text) == expected


def test_progress_bars_fit_the_width_however_long_the_titles() -> None:
    long = "Against Socialism in One Country: " + "a very long subtitle " * 6
    summary = summarise(titles={"soic": long, "borochov": "Borochov"})
    lines = summary_text(summary, width=80).splitlines()
    bars = [line for line in lines if "%" in line and ("▓" in line or "░" in line)]
    assert len(bars) == 3
    assert all(len(line) <= 80 for line in bars)
    assert bars[0].startswith("  Against Socialism in One Country: a v")
    assert "…" in bars[0]
    assert long in summary_text(summary, width=400)
