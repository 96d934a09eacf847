"""Computation: :func:`compute_summary` turns a week's rows into a :class:`Summary`."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence, Set

from bot.core.citations import format_citation
from bot.core.pages import clip
from bot.core.plan import Plan, schedule_preview
from bot.core.schedule import UTC, slots
from bot.core.summary.model import (
    Highlight,
    Jump,
    NextItem,
    OpenQuestion,
    Participation,
    PlanState,
    PostedItem,
    PostRow,
    Progress,
    QuestionRow,
    ReadingProgress,
    ReplyRow,
    StuckPassage,
    Summary,
    SummarySettings,
    WeekCounts,
)
from bot.core.summary.weeks import WEEK, IsoWeek, _aware, week_bounds

_MESSAGE_LIMIT = 4000
QUOTE_LIMIT = 200  # characters of a quoted reply or question: "quoted briefly"
# A paragraph a reply points at: "§12", "§ 12-14", "¶3".
_PARAGRAPH_RE = re.compile(r"[§¶]\s*(\d{1,6})(?:\s*[-–—]\s*(\d{1,6}))?")


def week_counts(
    replies: Iterable[ReplyRow],
    start: dt.datetime,
    end: dt.datetime,
    opted_out: Set[int] = frozenset(),
) -> WeekCounts:
    """Replies, words and distinct participants among ``replies`` in ``[start, end)``, opted-out
    authors left out: for the week before, when storage gives rows rather than counts."""
    count = words = 0
    authors: set[int] = set()
    for reply in replies:
        if start <= reply.created_at < end and reply.author_id not in opted_out:
            count += 1
            words += reply.words
            authors.add(reply.author_id)
    return WeekCounts(count, words, len(authors))


def compute_summary(
    *,
    week: IsoWeek,
    plan: Plan,
    state: PlanState,
    posts: Sequence[PostRow],
    replies: Iterable[ReplyRow],
    questions: Iterable[QuestionRow] = (),
    earlier_authors: Set[int] = frozenset(),
    previous: WeekCounts | None = None,
    now: dt.datetime,
    settings: SummarySettings = SummarySettings(),
    group: str = "",
    group_size: int | None = None,
    titles: Mapping[str, str] | None = None,
) -> Summary:
    """The summary of ``week`` for one group.

    Args:
        week: the week to summarise, in the plan's timezone.
        plan: the group's plan.
        state: where the group is in the plan now.
        posts: the group's confirmed posts, any week (used for this week's list, the
            citations of open questions, and the plan's position at the end of a past week).
        replies: the week's replies; rows outside the week and of opted-out members are
            ignored.
        questions: the questions the group's posts carried; answered ones and those asked
            after the week are ignored.
        earlier_authors: authors who replied before the week started (at least those of this
            week's authors who did): the others are new voices.
        previous: the week before's counts (see :func:`week_counts`), if known.
        now: the current instant (aware): what is "coming up" starts here.
        settings: the group's summary settings.
        group: the group's name, for the title.
        group_size: the group's member count, if known; otherwise the week's participants
            count as the group's size for :attr:`SummarySettings.min_group_size`.
        titles: display titles by slug (slugs are shown otherwise).

    Raises:
        ValueError: a naive ``now``.
    """
    now = _aware(now, "now").astimezone(UTC)
    tz = plan.tz
    start, end = week_bounds(week, tz)
    titles = titles or {}
    opted_out = settings.opted_out
    by_number = _posts_by_number(posts)
    mine = sorted(
        (r for r in replies if start <= r.created_at < end and r.author_id not in opted_out),
        key=lambda r: (r.created_at, r.message_id),
    )
    posted = _posted(posts, mine, start, end, len(state.installments), titles)
    progress = _progress(plan, state, posts, start, end, now, titles)
    participation = _participation(mine, earlier_authors, previous, settings, group_size)
    highlights = _highlights(mine, by_number, settings, participation.per_person)
    stuck = _stuck(mine, by_number, posts, start, end, settings)
    open_questions, more = _questions(questions, by_number, end, settings)
    coming = _coming(plan, state, now, end, settings, titles)
    return Summary(
        group=group,
        week=week,
        start=start,
        end=end,
        tz=tz,
        posted=posted,
        progress=progress,
        participation=participation,
        highlights=highlights,
        stuck=stuck,
        questions=open_questions,
        more_questions=more,
        coming=coming,
    )


def _posts_by_number(posts: Sequence[PostRow]) -> dict[int, PostRow]:
    """The latest post of each number (a re-cut plan may post a number twice)."""
    latest: dict[int, PostRow] = {}
    for post in sorted(posts, key=lambda p: (p.posted_at, p.number)):
        latest[post.number] = post
    return latest


def _posted(
    posts: Sequence[PostRow],
    replies: Sequence[ReplyRow],
    start: dt.datetime,
    end: dt.datetime,
    total: int,
    titles: Mapping[str, str],
) -> tuple[PostedItem, ...]:
    counts = Counter(r.installment for r in replies if r.installment is not None)
    week_posts = sorted(
        (p for p in posts if start <= p.posted_at < end), key=lambda p: (p.posted_at, p.number)
    )
    return tuple(
        PostedItem(
            number=p.number,
            total=total,
            citation=p.citation,
            title=titles.get(p.slug, p.slug),
            words=p.words,
            posted_at=p.posted_at,
            replies=counts[p.number],
            jump=p.jump,
            late=p.late,
        )
        for p in week_posts
    )


def _done_at(posts: Sequence[PostRow], moment: dt.datetime) -> int:
    """The plan's position at ``moment`` as far as posts tell: the highest number posted."""
    return max((p.number for p in posts if p.posted_at < moment), default=0)


def _progress(
    plan: Plan,
    state: PlanState,
    posts: Sequence[PostRow],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    titles: Mapping[str, str],
) -> Progress:
    installments = state.installments
    total = len(installments)
    # A past week is shown as it ended; the current (or a future) week as things are now.
    done = state.done if now < end else min(total, _done_at(posts, end))
    cutoff = min(now, end)
    totals: dict[str, int] = dict.fromkeys(plan.readings, 0)
    done_words: dict[str, int] = dict.fromkeys(plan.readings, 0)
    for index, part in enumerate(installments):
        totals[part.slug] = totals.get(part.slug, 0) + part.words
        if index < done:
            done_words[part.slug] = done_words.get(part.slug, 0) + part.words
    readings = tuple(
        ReadingProgress(slug, titles.get(slug, slug), done_words.get(slug, 0), words)
        for slug, words in totals.items()
    )
    following = installments[done] if done < total else None
    next_item = (
        None
        if following is None
        else NextItem(done + 1, following.citation, titles.get(following.slug, following.slug))
    )
    preview = schedule_preview(
        plan, installments, posted=state.done, now=now, last_slot=state.last_slot
    )
    # Slots the original schedule had up to the cutoff, against what was done by then.
    expected = sum(1 for _ in itertools.islice(slots(plan.cadence, plan.start, cutoff), total))
    return Progress(
        readings=readings,
        done=done,
        total=total,
        done_words=sum(done_words.values()),
        total_words=sum(totals.values()),
        skipped=state.skipped,
        next=next_item,
        finish=preview.ends,
        paused=state.paused,
        paused_at=state.paused_at,
        behind=max(0, expected - done),
    )


def _participation(
    replies: Sequence[ReplyRow],
    earlier_authors: Set[int],
    previous: WeekCounts | None,
    settings: SummarySettings,
    group_size: int | None,
) -> Participation:
    per_author: Counter[int] = Counter()
    names: dict[int, str] = {}
    first_seen: dict[int, tuple[dt.datetime, int]] = {}
    words = 0
    for reply in replies:  # in order of writing
        per_author[reply.author_id] += 1
        names[reply.author_id] = reply.author_name  # the latest name they used
        first_seen.setdefault(reply.author_id, (reply.created_at, reply.message_id))
        words += reply.words
    counts = WeekCounts(len(replies), words, len(per_author))
    size = group_size if group_size is not None else counts.participants
    per_person = size >= settings.min_group_size
    newcomers = sorted(
        (author for author in per_author if author not in earlier_authors),
        key=lambda author: first_seen[author],
    )
    leaderboard: tuple[tuple[str, int], ...] = ()
    if settings.leaderboard and per_person:
        ranked = sorted(per_author.items(), key=lambda item: (-item[1], item[0]))
        leaderboard = tuple(
            (names[author], count) for author, count in ranked[: settings.leaderboard_size]
        )
    return Participation(
        counts=counts,
        previous=previous,
        new_voices=tuple(names[author] for author in newcomers),
        leaderboard=leaderboard,
        per_person=per_person,
    )


def _highlights(
    replies: Sequence[ReplyRow],
    by_number: Mapping[int, PostRow],
    settings: SummarySettings,
    per_person: bool,
) -> tuple[Highlight, ...]:
    starred = sorted((r for r in replies if r.stars > 0), key=lambda r: (-r.stars, r.message_id))
    return tuple(
        Highlight(
            author=reply.author_name,
            quote=None if reply.content is None else brief(reply.content),
            stars=reply.stars if per_person else None,
            citation=_citation_of(reply, by_number),
            jump=reply.jump,
            message_id=reply.message_id,
        )
        for reply in starred[: max(0, settings.highlights)]
    )


def _citation_of(reply: ReplyRow, by_number: Mapping[int, PostRow]) -> str | None:
    post = by_number.get(reply.installment) if reply.installment is not None else None
    return None if post is None else post.citation


def _pointed(reply: ReplyRow, post: PostRow) -> tuple[int, int]:
    """The paragraphs of ``post`` that ``reply`` points at (``§13``), or the whole post."""
    if reply.content and ("§" in reply.content or "¶" in reply.content):
        # A message holds at most 4,000 characters on Discord: never scan more than that.
        for match in _PARAGRAPH_RE.finditer(reply.content, 0, _MESSAGE_LIMIT):
            first = int(match.group(1))
            last = int(match.group(2) or first)
            if post.first <= first <= last <= post.last:
                return first, last
    return post.first, post.last


def _stuck(
    replies: Sequence[ReplyRow],
    by_number: Mapping[int, PostRow],
    posts: Sequence[PostRow],
    start: dt.datetime,
    end: dt.datetime,
    settings: SummarySettings,
) -> tuple[StuckPassage, ...]:
    """Passages by ❓ marks: on replies (the paragraph a reply cites, else its installment) and
    on the week's posts themselves; each links to its most-marked place."""
    marks: Counter[tuple[str, int, int]] = Counter()
    best: dict[tuple[str, int, int], tuple[int, int, Jump | None]] = {}

    def mark(key: tuple[str, int, int], count: int, tiebreak: int, jump: Jump | None) -> None:
        marks[key] += count
        if key not in best or (-count, tiebreak) < (-best[key][0], best[key][1]):
            best[key] = (count, tiebreak, jump)

    for reply in replies:
        if reply.stuck <= 0 or reply.installment is None:
            continue
        post = by_number.get(reply.installment)
        if post is None:
            continue
        first, last = _pointed(reply, post)
        mark((post.slug, first, last), reply.stuck, reply.message_id, reply.jump)
    for post in posts:
        if post.stuck > 0 and start <= post.posted_at < end:
            mark((post.slug, post.first, post.last), post.stuck, post.message_id or 0, post.jump)
    ranked = sorted(marks.items(), key=lambda item: (-item[1], item[0]))
    return tuple(
        StuckPassage(citation=format_citation(*key), marks=count, jump=best[key][2])
        for key, count in ranked[: max(0, settings.stuck)]
    )


def _questions(
    questions: Iterable[QuestionRow],
    by_number: Mapping[int, PostRow],
    end: dt.datetime,
    settings: SummarySettings,
) -> tuple[tuple[OpenQuestion, ...], int]:
    open_ = sorted(
        (q for q in questions if not q.answered and q.asked_at < end),
        key=lambda q: (-q.installment, q.position, q.text),
    )
    shown = open_[: max(0, settings.questions)]
    items = tuple(
        OpenQuestion(
            number=q.installment,
            citation=by_number[q.installment].citation if q.installment in by_number else None,
            text=brief(q.text),
            jump=q.jump or (by_number[q.installment].jump if q.installment in by_number else None),
        )
        for q in shown
    )
    return items, len(open_) - len(shown)


def _coming(
    plan: Plan,
    state: PlanState,
    now: dt.datetime,
    end: dt.datetime,
    settings: SummarySettings,
    titles: Mapping[str, str],
) -> tuple[NextItem, ...]:
    if state.paused:
        return ()
    preview = schedule_preview(
        plan, state.installments, posted=state.done, now=now, last_slot=state.last_slot
    )
    # The summary goes out near the end of its week: "coming up" then runs to the end of the
    # next week; a past week's (a preview) looks ``coming_days`` ahead of now.
    horizon = max(now + dt.timedelta(days=settings.coming_days), end + WEEK if now < end else now)
    return tuple(
        NextItem(
            item.number,
            item.installment.citation,
            titles.get(item.installment.slug, item.installment.slug),
            item.slot,
        )
        for item in preview.items
        if item.slot < horizon
    )


def brief(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis: a brief quote."""
    return clip(" ".join(text.split()), limit)
