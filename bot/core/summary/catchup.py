"""A member's catch-up: what happened in the group since they last took part, or since a day.

The weekly summary's data, per member and per range: storage reads the group's log over
``[since, now)`` (:func:`bot.storage.summaries.read_catchup`, a :class:`CatchupData`) and
:func:`compute_catchup` turns it into a :class:`Catchup`: each installment posted in the range
or discussed in it, with its open questions, its most-⭐ replies and ❓ stuck points and its
reply count in the range, then what comes next.

Where the range starts (:func:`catchup_start`): the day or duration the member asked for
(:func:`parse_since`), else their last logged reply in the group; a member who never took part,
or who opted out of the log (their replies are not looked up at all), gets the last
:data:`FALLBACK_DAYS` days, and is told why.

Opted-out and forgotten members never appear: their replies are not in the log (forgotten) or
left out by the read and again here (opted out), as in the weekly summary.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from bot.core.errors import ReadingGroupError, shown
from bot.core.excerpts import Installment
from bot.core.plan import format_moment, schedule_preview, start_instant
from bot.core.schedule import UTC
from bot.core.summary.compute import _highlights, _posts_by_number, _questions, _stuck
from bot.core.summary.model import (
    Highlight,
    Jump,
    NextItem,
    OpenQuestion,
    PlanState,
    QuestionRow,
    ReplyRow,
    SpanData,
    StuckPassage,
    SummarySettings,
)
from bot.core.summary.weekly import answered_questions, count_reactions, plan_state
from bot.core.summary.weeks import _aware
from bot.core.wording import plural

#: Days a catch-up covers when the member never took part, or opted out of the log.
FALLBACK_DAYS = 14
#: The furthest back a catch-up may start: a longer range is a history, not a catch-up.
MAX_DAYS = 366
#: Installments coming up that the catch-up lists at most.
COMING = 3

#: Why the catch-up starts where it does.
SinceWhy = Literal["asked", "last_reply", "never", "opted_out"]

_SINCE_HELP = 'Give a day such as 2026-11-02, or a duration such as "2 weeks" or "10 days".'
_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DURATION_RE = re.compile(r"(\d{1,4})\s*(d|days?|w|weeks?)", re.I)


class CatchupError(ReadingGroupError):
    """A catch-up's ``since`` cannot be understood, or lies outside what it can cover."""


def parse_since(text: str, *, now: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """Where a catch-up the member asked for starts: a day (its local midnight in the group's
    timezone, ``2026-11-02``) or a duration back from ``now`` (``2 weeks``, ``10 days``, ``3d``).

    Raises:
        CatchupError: not a day or a duration, in the future, or more than :data:`MAX_DAYS`
            days back.
    """
    now = _aware(now, "now").astimezone(UTC)
    value = " ".join(text.split())
    match = _DURATION_RE.fullmatch(value)
    if match:
        count = int(match.group(1))
        days = count * (7 if match.group(2).lower().startswith("w") else 1)
        if days < 1:
            raise CatchupError(f"since {shown(value)}: the range must be at least a day.")
        since = now - dt.timedelta(days=days)
    elif _DAY_RE.fullmatch(value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise CatchupError(
                f"since {value} is not a day of the calendar. {_SINCE_HELP}"
            ) from None
        since = start_instant(day, tz).astimezone(UTC)
        if since >= now:
            raise CatchupError(f"since {value} is in the future. {_SINCE_HELP}")
    else:
        raise CatchupError(f"since {shown(value)} is not a day or a duration. {_SINCE_HELP}")
    if now - since > dt.timedelta(days=MAX_DAYS):
        raise CatchupError(
            f"since {shown(value)}: a catch-up covers at most {MAX_DAYS} days. {_SINCE_HELP}"
        )
    return since


def catchup_start(
    *,
    asked: dt.datetime | None,
    last_reply: dt.datetime | None,
    opted_out: bool,
    now: dt.datetime,
) -> tuple[dt.datetime, SinceWhy]:
    """Where a member's catch-up starts, and why (see the module docstring).

    Args:
        asked: the start the member asked for (:func:`parse_since`), if any.
        last_reply: their last logged reply in the group, if any (never looked up when they
            opted out).
        opted_out: they opted out of the discussion log.
        now: the current instant (aware UTC).
    """
    if asked is not None:
        return asked, "asked"
    fallback = now - dt.timedelta(days=FALLBACK_DAYS)
    if opted_out:
        return fallback, "opted_out"
    if last_reply is None:
        return fallback, "never"
    # A reply stamped after now (a clock skew) leaves an empty range, never one that ends first.
    return min(last_reply, now), "last_reply"


def since_note(
    since: dt.datetime, why: SinceWhy, day: Callable[[dt.datetime], str], option: str = "`since`"
) -> str:
    """``Since your last reply, 2 Nov 2026 18:04.``: where the catch-up starts and why.

    Args:
        since: where it starts.
        why: why there (:func:`catchup_start`).
        day: how to show an instant (a Discord timestamp, or the group's local time).
        option: how the front end names the option that chooses the start.
    """
    if why == "asked":
        return f"Since {day(since)}, as you asked."
    if why == "last_reply":
        return f"Since your last reply, {day(since)}."
    if why == "opted_out":
        return (
            f"The last {FALLBACK_DAYS} days (since {day(since)}): you opted out of the discussion "
            f"log, so I do not know when you last took part. Pass {option} to choose."
        )
    return (
        f"The last {FALLBACK_DAYS} days (since {day(since)}): I have no reply of yours in this "
        f"group. Pass {option} to choose."
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CatchupData:
    """What storage read for a catch-up: the group's log over the range, and why it starts
    where it does."""

    span: SpanData
    why: SinceWhy


@dataclass(frozen=True, slots=True, kw_only=True)
class CatchupItem:
    """One installment in a catch-up.

    Attributes:
        number, total: its place in the plan.
        citation, title: what it covers.
        posted_at: when it was posted (aware UTC).
        new: posted within the range (else only discussed in it).
        jump: its thread (or post), if the server is known.
        replies: replies to it within the range.
        highlights: its most-⭐ replies of the range, most first.
        stuck: its most-❓ passages, most first.
        questions: its questions nobody answered yet.
        more_questions: open questions left out of ``questions``.
    """

    number: int
    total: int
    citation: str
    title: str
    posted_at: dt.datetime
    new: bool
    jump: Jump | None
    replies: int
    highlights: tuple[Highlight, ...]
    stuck: tuple[StuckPassage, ...]
    questions: tuple[OpenQuestion, ...]
    more_questions: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Catchup:
    """A member's catch-up (see the module docstring); render it, never recompute it.

    Attributes:
        group: the group's name.
        since, until: the range (aware UTC, ``[since, until)``).
        why: why it starts at ``since``.
        tz: the group's timezone.
        items: the installments posted or discussed in the range, in order of posting.
        replies: every reply in the range (opted-out members left out).
        coming: the next installments, in order (empty when paused or finished).
        paused: posting is stopped.
        finished: every installment of the plan is done.
    """

    group: str
    since: dt.datetime
    until: dt.datetime
    why: SinceWhy
    tz: zoneinfo.ZoneInfo
    items: tuple[CatchupItem, ...]
    replies: int
    coming: tuple[NextItem, ...]
    paused: bool
    finished: bool

    @property
    def quiet(self) -> bool:
        """Nothing was posted or said in the range."""
        return not self.items and not self.replies


def compute_catchup(
    data: CatchupData,
    *,
    installments: Sequence[Installment],
    now: dt.datetime,
    settings: SummarySettings | None = None,
    titles: Mapping[str, str] | None = None,
) -> Catchup:
    """The catch-up of ``data.span``, computed as the weekly summary computes its sections.

    Args:
        data: the range as read (:func:`bot.storage.summaries.read_catchup`).
        installments: the plan's installments over the current library.
        now: the current instant (aware UTC): what is "next" starts here.
        settings: the summary settings (highlights, ❓ and questions per installment, minimum
            group size for ⭐ counts; opted-out members are added from ``data``).
        titles: display titles by reading slug.
    """
    now = _aware(now, "now").astimezone(UTC)
    span = data.span
    settings = settings or SummarySettings()
    settings = replace(settings, opted_out=settings.opted_out | span.opted_out)
    titles = titles or {}
    words = {(part.slug, part.first, part.last): part.words for part in installments}
    posts = tuple(
        replace(post, words=words.get((post.slug, post.first, post.last), 0)) for post in span.posts
    )
    state = plan_state(span.group, installments, posts)
    by_number = _posts_by_number(posts)
    replies = sorted(
        (
            r
            for r in count_reactions(span.replies, span.reactions, settings.opted_out)
            if span.start <= r.created_at < span.end and r.author_id not in settings.opted_out
        ),
        key=lambda r: (r.created_at, r.message_id),
    )
    per_person = len({r.author_id for r in replies}) >= settings.min_group_size
    questions = answered_questions(span.questions, span.answers)
    discussed = {r.installment for r in replies if r.installment in by_number}
    shown_posts = sorted(
        (
            post
            for number, post in by_number.items()
            if span.start <= post.posted_at < span.end or number in discussed
        ),
        key=lambda p: (p.posted_at, p.number),
    )
    # A year's catch-up holds hundreds of installments and tens of thousands of replies: group
    # them once rather than scanning every reply per installment.
    replies_of: dict[int | None, list[ReplyRow]] = defaultdict(list)
    for reply in replies:
        replies_of[reply.installment].append(reply)
    questions_of: dict[int, list[QuestionRow]] = defaultdict(list)
    for question in questions:
        questions_of[question.installment].append(question)
    items = []
    for post in shown_posts:
        mine = replies_of[post.number]
        open_, more = _questions(questions_of[post.number], by_number, span.end, settings)
        items.append(
            CatchupItem(
                number=post.number,
                total=len(installments),
                citation=post.citation,
                title=titles.get(post.slug, post.slug),
                posted_at=post.posted_at,
                new=span.start <= post.posted_at < span.end,
                jump=post.jump,
                replies=len(mine),
                highlights=_highlights(mine, by_number, settings, per_person),
                stuck=_stuck(mine, by_number, [post], span.start, span.end, settings),
                questions=open_,
                more_questions=more,
            )
        )
    return Catchup(
        group=span.group.name,
        since=span.start,
        until=span.end,
        why=data.why,
        tz=span.group.plan.tz,
        items=tuple(items),
        replies=len(replies),
        coming=_next(state, span, now, titles),
        paused=state.paused,
        finished=state.done >= len(state.installments),
    )


def _next(
    state: PlanState, span: SpanData, now: dt.datetime, titles: Mapping[str, str]
) -> tuple[NextItem, ...]:
    """The next :data:`COMING` installments with their slots, however far ahead."""
    if state.paused:
        return ()
    preview = schedule_preview(
        span.group.plan, state.installments, posted=state.done, now=now, last_slot=state.last_slot
    )
    return tuple(
        NextItem(
            item.number,
            item.installment.citation,
            titles.get(item.installment.slug, item.installment.slug),
            item.slot,
        )
        for item in preview.items[:COMING]
    )


def catchup_text(catchup: Catchup, link: Callable[[Jump], str] | None = None) -> str:
    """The catch-up as plain text for the terminal (no Discord markup, the group's local times).

    Args:
        catchup: the catch-up.
        link: how to show a jump link (e.g. :func:`bot.discord.render.jump_link`); None shows none.
    """
    tz = catchup.tz
    name = f"{catchup.group} · " if catchup.group else ""
    out = [
        f"{name}Catch-up ({tz.key})",
        since_note(catchup.since, catchup.why, _local(tz), "--since"),
        "",
    ]
    if catchup.quiet:
        out.append("Nothing was posted or said in the group in that time.")
    else:
        out.append(f"{plural(catchup.replies, 'reply')} in the group in that time.")
    for item in catchup.items:
        out += ["", " · ".join(item_heading(item, _local(tz)))]
        if link is not None and item.jump is not None:
            out.append(f"  {link(item.jump)}")
        for h in item.highlights:
            stars = f"⭐ {h.stars} · " if h.stars is not None else "⭐ "
            quote = f': "{h.quote}"' if h.quote else " (text no longer kept)"
            out.append(f"  {stars}{h.author}{quote}")
        for s in item.stuck:
            out.append(f"  ❓ {s.marks} · {s.citation}")
        for q in item.questions:
            out.append(f"  Open question: {q.text}")
        if item.more_questions:
            out.append(f"  …and {plural(item.more_questions, 'more open question')}")
    out += ["", "Next"]
    out += [f"  {line}" for line in coming_lines(catchup, _local(tz))]
    return "\n".join(out)


def item_heading(item: CatchupItem, day: Callable[[dt.datetime], str]) -> tuple[str, str, str]:
    """An installment's heading in three parts: its label (``#4/23 against-soic §12-14``), its
    reading's title, and when it was posted with its replies in the range (each front end
    links the label and escapes the title its own way)."""
    when = "posted" if item.new else "discussed; posted"
    return (
        f"#{item.number}/{item.total} {item.citation}",
        item.title,
        f"{when} {day(item.posted_at)} · {plural(item.replies, 'reply')}",
    )


def coming_lines(catchup: Catchup, day: Callable[[dt.datetime], str]) -> list[str]:
    """What comes next: the next installments with their times, or why there are none."""
    if catchup.paused:
        return ["Nothing: the plan is paused."]
    if catchup.finished or not catchup.coming:
        return ["Nothing: the plan is finished."]
    return [
        f"{day(item.slot) if item.slot else 'not scheduled'} · #{item.number} {item.citation}"
        for item in catchup.coming
    ]


def _local(tz: zoneinfo.ZoneInfo) -> Callable[[dt.datetime], str]:
    return lambda moment: format_moment(moment, tz)
