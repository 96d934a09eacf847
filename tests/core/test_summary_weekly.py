"""From the week as read to its summary: question numbers a reply names, which questions are
answered, where the group is in its plan, and :func:`summarize` filling in what the read leaves
to core."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.core.replies import STAR, STUCK
from bot.core.summary import (
    Answers,
    GroupState,
    Jump,
    QuestionRow,
    ReactionRow,
    WeekData,
    answered_questions,
    count_reactions,
    plan_state,
    question_numbers,
    summarize,
    summary_text,
)
from tests.core.test_summary import INSTALLMENTS, NOW, PLAN, POSTS, WEEK, reply, utc

ASKED = POSTS[2].posted_at  # installment 3, Monday of the week


def question(installment: int, position: int, asked_at: dt.datetime = ASKED) -> QuestionRow:
    return QuestionRow(
        installment=installment, position=position, text=f"Q{position}?", asked_at=asked_at
    )


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Q2: the market argument", {2}),
        ("q 1 and question 3 are linked", {1, 3}),
        ("On question #2, I disagree", {2}),
        ("#3 is hard", {3}),
        ("1. Yes\n2) No", {1, 2}),
        ("**2.** as the thread numbers it", {2}),
        ("> 3: quoting", {3}),
        ("2.5 million workers in §12", set()),
        ("see <#123456789012345678>", set()),
        ("FAQ1 and IQ2 and faq 3", set()),
        ("Nothing numbered here", set()),
        (None, set()),
    ],
)
def test_a_reply_names_questions_by_number(text: str | None, numbers: set[int]) -> None:
    assert question_numbers(text) == numbers


@pytest.mark.parametrize(("discussed", "answered"), [(False, False), (True, True)])
def test_a_posts_only_question_is_answered_by_any_reply(discussed: bool, answered: bool) -> None:
    (only,) = answered_questions([question(3, 1)], [Answers(3, ASKED, discussed, ("Q2",))])
    assert only.answered is answered


def test_of_several_questions_only_those_named_are_answered() -> None:
    questions = [question(3, 1), question(3, 2), question(3, 3)]
    thread = Answers(3, ASKED, True, ("no 9 here", "Q3: yes", "question 1 and #3"))
    marked = answered_questions(questions, [thread])
    assert [(q.position, q.answered) for q in marked] == [(1, True), (2, False), (3, True)]


def test_answers_count_only_for_the_post_that_asked() -> None:
    # The same installment posted twice (a re-cut plan): each post's thread is its own.
    later = ASKED + dt.timedelta(days=2)
    questions = [question(3, 1), question(3, 2), question(3, 1, later), question(3, 2, later)]
    marked = answered_questions(questions, [Answers(3, later, True, ("Q1", "Q2"))])
    assert [q.answered for q in marked] == [False, False, True, True]
    assert answered_questions(questions, []) == tuple(questions)


def test_reactions_are_counted_never_a_star_of_ones_own_nor_an_opted_out_members() -> None:
    mine, other = reply(1, 1, utc(2026, 11, 17, 9)), reply(2, 2, utc(2026, 11, 17, 10))
    reactions = [
        ReactionRow(1, 2, STAR),
        ReactionRow(1, 3, STAR),
        ReactionRow(1, 1, STAR),  # her own reply: not a highlight vote
        ReactionRow(1, 1, STUCK),  # her own ❓ counts: she is stuck there
        ReactionRow(1, 2, STUCK),
        ReactionRow(1, 6, STAR),  # opted out
        ReactionRow(1, 6, STUCK),
        ReactionRow(99, 2, STAR),  # on a reply not in the week's rows
    ]
    counted = count_reactions([mine, other], reactions, frozenset({6}))
    assert [(r.message_id, r.stars, r.stuck) for r in counted] == [(1, 2, 2), (2, 0, 0)]
    assert counted[1] is other  # unmarked rows are passed through as they are


def group_state(**extra: object) -> GroupState:
    return GroupState(name="readers", plan=PLAN, **extra)  # type: ignore[arg-type]


def test_plan_state_counts_the_done_installments_not_posted_as_skipped() -> None:
    group = group_state(
        done_key=INSTALLMENTS[3].key, done_count=4, paused=True, last_slot=utc(2026, 11, 19, 18)
    )
    state = plan_state(group, INSTALLMENTS, [POSTS[0], POSTS[2]])
    assert (state.done, state.skipped, state.paused) == (4, 2, True)
    assert state.last_slot == utc(2026, 11, 19, 18)
    assert state.installments == INSTALLMENTS


def week_data(**extra: object) -> WeekData:
    fields: dict[str, object] = {
        "group": group_state(done_key=INSTALLMENTS[3].key, done_count=4),
        "posts": tuple(dataclasses.replace(post, words=0) for post in POSTS),
        "replies": (),
        "reactions": (),
        "questions": (),
        "answers": (),
        "earlier_authors": frozenset(),
        "previous": None,
        "group_size": None,
        "opted_out": frozenset(),
        "reply_times": (),
        "weeks": 4,
    }
    return WeekData(**{**fields, **extra})  # type: ignore[arg-type]


def test_summarize_takes_the_posts_lengths_from_the_plan_and_names_the_group() -> None:
    weekly = summarize(week_data(), WEEK, installments=INSTALLMENTS, now=NOW)
    assert weekly.summary.group == "readers"
    assert [(p.number, p.words) for p in weekly.summary.posted] == [(3, 400), (4, 500)]
    assert weekly.summary.progress.done == 4
    assert len(weekly.chart.starts) == 28


def test_summarize_counts_reactions_without_the_opted_out_members_it_was_given() -> None:
    replies = (reply(1, 1, utc(2026, 11, 17, 9)), reply(2, 2, utc(2026, 11, 17, 10)))
    reactions = (ReactionRow(1, 2, STAR), ReactionRow(2, 1, STAR), ReactionRow(2, 3, STAR))
    data = week_data(replies=replies, reactions=reactions, opted_out=frozenset({1}))
    weekly = summarize(data, WEEK, installments=INSTALLMENTS, now=NOW)
    assert weekly.summary.participation.counts.participants == 1
    assert [(h.message_id, h.author) for h in weekly.summary.highlights] == [(2, "Bruno")]


def test_summarize_decides_which_questions_are_open() -> None:
    data = week_data(
        questions=(question(3, 1), question(3, 2)),
        answers=(Answers(3, ASKED, True, ("Q2 is easy",)),),
    )
    weekly = summarize(data, WEEK, installments=INSTALLMENTS, now=NOW)
    assert [q.text for q in weekly.summary.questions] == ["Q1?"]


def test_the_terminal_text_shows_links_only_when_told_how() -> None:
    reactions = (ReactionRow(1, 2, STAR), ReactionRow(1, 3, STUCK))
    data = week_data(replies=(reply(1, 1, utc(2026, 11, 17, 9)),), reactions=reactions)
    summary = summarize(data, WEEK, installments=INSTALLMENTS, now=NOW).summary

    def link(jump: Jump) -> str:
        return f"link:{jump.channel_id}/{jump.message_id}"

    text = summary_text(summary, link)
    assert "    link:1003/None" in text  # the post of the week
    assert "    link:1003/1" in text  # the highlight
    assert "soic §7-9  link:1003/1" in text  # where we got stuck
    assert "link:" not in summary_text(summary)


def test_where_we_stand_shows_each_phase_from_the_minimum_group_size() -> None:
    answers = (("before", "agree"),) * 5 + (("after", "disagree"),) * 2
    quiet = (("before", "unsure"),) * 4
    data = week_data(polls=(("It was unavoidable", answers), ("Too few", quiet)))
    summary = summarize(data, WEEK, installments=INSTALLMENTS, now=NOW).summary
    assert [s.proposition for s in summary.stances] == ["It was unavoidable"]
    assert (
        "Where we stand\n  It was unavoidable: before: 5 agree, 0 unsure, 0 disagree → after: "
        "too few answers to show"
    ) in summary_text(summary)
