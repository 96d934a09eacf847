"""From what storage read to the summary: :func:`summarize` turns a :class:`WeekData` into the
week's :class:`Summary` and its chart's series.

It fills in what the read leaves to core: each post's length in words (from the plan's
installments), each reply's ⭐ and ❓ counts, which questions were answered, and where the group
is in its plan. A ⭐ never counts from the reply's own author; a ❓ does ("I am stuck here"). A
question is answered by a reply naming it ("Q2", "question 2", "#2", or "2." at the start of a
line), or, for a post that asked one question, by any reply.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, replace

from bot.core.citations import format_citation
from bot.core.excerpts import Installment
from bot.core.polls import shift
from bot.core.posting import resume_index
from bot.core.replies import STUCK
from bot.core.summary.chartdata import ChartData, chart_data
from bot.core.summary.compute import compute_summary
from bot.core.summary.model import (
    Answers,
    GroupState,
    PlanState,
    PostRow,
    QuestionRow,
    QuotedPassage,
    ReactionRow,
    ReplyRow,
    Summary,
    SummarySettings,
    WeekData,
)
from bot.core.summary.weeks import IsoWeek

# A reply naming a question: "Q2", "q 2", "question 2", "question #2", "#2" (not a channel
# mention "<#123>"), or "2." / "2)" / "**2.**" at the start of a line (not "2.5 million").
_QUESTION_REF_RE = re.compile(
    r"\bq(?:uestion)?\s*#?\s*(\d{1,2})\b"
    r"|(?<![\w<&@])#(\d{1,2})\b"
    r"|^[\s>*_]*(\d{1,2})\s*[.):](?!\d)",
    re.I | re.M,
)


def question_numbers(text: str | None) -> set[int]:
    """The question numbers a reply names: ``Q2``, ``question 2``, ``#2``, ``2.`` at the start
    of a line (see the module docstring)."""
    if not text:
        return set()
    return {int(next(g for g in m.groups() if g)) for m in _QUESTION_REF_RE.finditer(text)}


def answered_questions(
    questions: Iterable[QuestionRow], answers: Iterable[Answers]
) -> tuple[QuestionRow, ...]:
    """``questions`` each marked answered or not from what their posts' threads held."""
    questions = tuple(questions)
    asked: dict[tuple[int, dt.datetime], int] = {}
    for question in questions:
        key = (question.installment, question.asked_at)
        asked[key] = asked.get(key, 0) + 1
    answered: set[tuple[int, dt.datetime, int]] = set()
    for thread in answers:
        key = (thread.installment, thread.asked_at)
        count = asked.get(key, 0)
        if count == 1 and thread.discussed:
            answered.add((*key, 1))
        elif count > 1:
            wanted = set(range(1, count + 1))
            for text in thread.texts:
                named = wanted & question_numbers(text)
                answered.update((*key, n) for n in named)
                wanted -= named
                if not wanted:
                    break
    return tuple(
        replace(q, answered=(q.installment, q.asked_at, q.position) in answered) for q in questions
    )


def count_reactions(
    replies: Iterable[ReplyRow], reactions: Iterable[ReactionRow], opted_out: Set[int]
) -> tuple[ReplyRow, ...]:
    """``replies`` with their ⭐ and ❓ counts from ``reactions`` (see the module docstring),
    opted-out members' reactions left out."""
    replies = tuple(replies)
    authors = {reply.message_id: reply.author_id for reply in replies}
    stars: Counter[int] = Counter()
    stuck: Counter[int] = Counter()
    for reaction in reactions:
        if reaction.user_id in opted_out:
            continue
        if reaction.emoji == STUCK:
            stuck[reaction.message_id] += 1
        elif reaction.user_id != authors.get(reaction.message_id):
            stars[reaction.message_id] += 1
    marked = stars.keys() | stuck.keys()  # a few of a busy week's tens of thousands
    return tuple(
        replace(reply, stars=stars[reply.message_id], stuck=stuck[reply.message_id])
        if reply.message_id in marked
        else reply
        for reply in replies
    )


def plan_state(
    group: GroupState, installments: Sequence[Installment], posts: Sequence[PostRow]
) -> PlanState:
    """Where ``group`` is in its plan: done (posted or skipped), skipped, paused."""
    done = resume_index(installments, group.done_key, group.done_count)
    posted = {post.number for post in posts if post.number <= done}
    return PlanState(
        installments=tuple(installments),
        done=done,
        skipped=max(0, done - len(posted)),
        paused=group.paused,
        paused_at=group.paused_at,
        last_slot=group.last_slot,
    )


@dataclass(frozen=True, slots=True)
class WeeklySummary:
    """A computed summary and its chart's series."""

    summary: Summary
    chart: ChartData


def summarize(
    data: WeekData,
    week: IsoWeek,
    *,
    installments: Sequence[Installment],
    now: dt.datetime,
    settings: SummarySettings | None = None,
    titles: Mapping[str, str] | None = None,
) -> WeeklySummary:
    """The summary and chart of ``week`` from what storage read: the chart shows the weeks
    ``data`` was read for.

    Args:
        data: the week as read (:func:`bot.storage.summaries.read_week`).
        week: the week, in the group's timezone.
        installments: the plan's installments over the current library.
        now: the current instant (aware UTC).
        settings: the summary settings (opted-out members are added from ``data``).
        titles: display titles by reading slug.
    """
    settings = settings or SummarySettings()
    words = {(part.slug, part.first, part.last): part.words for part in installments}
    posts = tuple(
        replace(post, words=words.get((post.slug, post.first, post.last), 0)) for post in data.posts
    )
    group = data.group
    state = plan_state(group, installments, posts)
    settings = replace(settings, opted_out=settings.opted_out | data.opted_out)
    summary = compute_summary(
        week=week,
        plan=group.plan,
        state=state,
        posts=posts,
        replies=count_reactions(data.replies, data.reactions, settings.opted_out),
        questions=answered_questions(data.questions, data.answers),
        earlier_authors=data.earlier_authors,
        previous=data.previous,
        now=now,
        settings=settings,
        group=group.name,
        group_size=data.group_size,
        titles=titles,
    )
    chart = chart_data(
        week=week,
        tz=group.plan.tz,
        installments=installments,
        posts=posts,
        reply_times=data.reply_times,
        now=now,
        done=state.done,
        weeks=data.weeks,
    )
    quoted = tuple(
        QuotedPassage(
            citation=format_citation(slug, paragraph),
            title=(titles or {}).get(slug, slug),
            times=times,
        )
        for slug, paragraph, times in data.quoted
    )
    stances = tuple(
        moved
        for proposition, answers in data.polls
        if (moved := shift(proposition, answers, min_group_size=settings.min_group_size))
    )
    return WeeklySummary(replace(summary, quoted=quoted, stances=stances), chart)
