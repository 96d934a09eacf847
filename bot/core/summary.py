"""The weekly summary: what a group read, said and got stuck on in one week, as plain data.

Storage reads rows (:class:`PostRow`, :class:`ReplyRow`, :class:`QuestionRow`) and
:func:`compute_summary` turns them into a :class:`Summary`: installments posted with their reply
counts, progress per reading and for the whole plan, participation, highlights, open questions
and what comes next. :func:`summary_text` renders it for the terminal; ``bot.render`` renders it
for Discord and ``bot.chart`` draws :func:`chart_data` as a PNG.

A week is an ISO week (Monday to Sunday) in the group's timezone: :func:`week_bounds` gives its
UTC bounds, which are 167 or 169 hours apart across a DST change.

Nobody is shamed: opted-out members are left out of everything (counts, new voices,
highlights), there is no leaderboard unless an organizer switched it on, and a group smaller
than :attr:`SummarySettings.min_group_size` gets no per-person figure at all (no leaderboard,
no ⭐ count next to a quoted reply). Every list is in a fixed order, ties broken by id.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Literal

from bot.core.citations import format_citation
from bot.core.errors import PlanError
from bot.core.excerpts import Installment
from bot.core.pages import clip
from bot.core.plan import Plan, format_date, format_moment, schedule_preview
from bot.core.schedule import DEFAULT_GRACE, UTC, Cadence, due, next_slot, slot_on, slots

DEFAULT_MIN_GROUP_SIZE = 5
_MESSAGE_LIMIT = 4000
QUOTE_LIMIT = 200  # characters of a quoted reply or question: "quoted briefly"
BAR_WIDTH = 10
WEEK = dt.timedelta(days=7)
_WEEK_RE = re.compile(r"^(?P<year>\d{4})-?W(?P<week>\d{1,2})$", re.I)
_DATE_RE = re.compile(r"^\d{4}-\d\d-\d\d$")
# A paragraph a reply points at: "§12", "§ 12-14", "¶3".
_PARAGRAPH_RE = re.compile(r"[§¶]\s*(\d{1,6})(?:\s*[-–—]\s*(\d{1,6}))?")
_SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# Weeks


@dataclass(frozen=True, slots=True, order=True)
class IsoWeek:
    """An ISO week, ``2026-W47``: Monday to Sunday, numbered as ISO 8601 does (week 1 holds
    the year's first Thursday, so some years have 53 weeks)."""

    year: int
    week: int

    def __post_init__(self) -> None:
        try:
            dt.date.fromisocalendar(self.year, self.week, 1)
        except ValueError:
            raise ValueError(f"{self.year} has no ISO week {self.week}") from None

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def monday(self) -> dt.date:
        """The week's first day."""
        return dt.date.fromisocalendar(self.year, self.week, 1)

    def shift(self, weeks: int) -> IsoWeek:
        """The week ``weeks`` later (earlier when negative)."""
        return IsoWeek.of(self.monday + dt.timedelta(weeks=weeks))

    @classmethod
    def of(cls, day: dt.date) -> IsoWeek:
        """The week holding ``day``."""
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @classmethod
    def at(cls, moment: dt.datetime, tz: zoneinfo.ZoneInfo) -> IsoWeek:
        """The week holding ``moment`` (aware) in the timezone ``tz``."""
        return cls.of(_aware(moment, "moment").astimezone(tz).date())


def parse_week(text: str) -> IsoWeek:
    """A week from what an organizer typed: ``2026-W47``, ``2026W47`` or a day in it,
    ``2026-11-18``.

    Raises:
        PlanError: not a week, saying how to write one.
    """
    value = text.strip()
    match = _WEEK_RE.match(value)
    try:
        if match is not None:
            return IsoWeek(int(match.group("year")), int(match.group("week")))
        if _DATE_RE.match(value):
            return IsoWeek.of(dt.date.fromisoformat(value))
    except ValueError as exc:
        raise PlanError(f"{text!r} is not a week: {exc}; e.g. 2026-W47") from None
    raise PlanError(
        f"{text!r} is not a week: write it as YEAR-Wnn (ISO week), e.g. 2026-W47, "
        "or give a day in it, e.g. 2026-11-18"
    )


def week_bounds(week: IsoWeek | dt.date, tz: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The week as ``[start, end)`` in aware UTC: Monday 00:00 local to the next Monday 00:00.

    The two are 167 or 169 hours apart in a week with a DST change. Where a local midnight
    does not exist (a zone whose clocks jump at midnight), the day starts at the end of the gap.

    Args:
        week: the week, or any day in it.
        tz: the group's timezone.
    """
    iso = week if isinstance(week, IsoWeek) else IsoWeek.of(week)
    return _midnight(iso.monday, tz), _midnight(iso.monday + WEEK, tz)


def _midnight(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The first instant of local ``day`` (aware UTC), by the same DST rules as posts."""
    return slot_on(Cadence(frozenset(range(7)), dt.time(0), tz), day)


def discord_timestamp(moment: dt.datetime, style: str = "F") -> str:
    """``<t:1795543200:F>``: Discord shows it in each reader's own timezone and language."""
    return f"<t:{math.floor(_aware(moment, 'moment').timestamp())}:{style}>"


def discord_link(guild_id: int, channel_id: int, message_id: int | None = None) -> str:
    """A link to a channel or thread, or to a message in it (a "jump link")."""
    base = f"https://discord.com/channels/{guild_id}/{channel_id}"
    return base if message_id is None else f"{base}/{message_id}"


def _aware(moment: dt.datetime, name: str) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (UTC), not naive {moment!r}")
    return moment


# Delivery: which week a summary covers, when it is due, the marker that finds it again

_SUMMARY_MARKER_RE = re.compile(r"\brg-summary:(?P<channel>\d+):(?P<year>\d{4})-W(?P<week>\d\d)\b")
#: A summary slot this far back is still posted (late); the slots before it are passed over.
_SUMMARY_LOOKBACK = dt.timedelta(days=8)


@dataclass(frozen=True, slots=True)
class SummaryDue:
    """The summary to post now: the one of ``week``, due at ``slot``; ``late`` once the grace
    period after the slot has passed (after downtime)."""

    slot: dt.datetime
    week: IsoWeek
    late: bool


def summary_week(slot: dt.datetime, tz: zoneinfo.ZoneInfo) -> IsoWeek:
    """The week a summary due at ``slot`` covers: the slot's own week when it falls on a
    Friday, Saturday or Sunday (local), otherwise the week before. A summary is of a week that
    is over or nearly so: ``sun 18:00`` sums up the week ending that day, ``mon 09:00`` the
    week that ended the night before."""
    local = _aware(slot, "slot").astimezone(tz).date()
    return IsoWeek.of(local - dt.timedelta(days=4))


def summary_due(
    cadence: Cadence,
    *,
    plan_start: dt.datetime,
    now: dt.datetime,
    grace: dt.timedelta = DEFAULT_GRACE,
) -> SummaryDue | None:
    """The summary due at ``now``: that of the latest summary slot at or before ``now`` (none
    before ``plan_start``). Post it unless its week's summary was claimed already: after
    downtime only the most recent missed summary is posted, late, once.

    Raises:
        ValueError: a naive datetime.
    """
    now = _aware(now, "now").astimezone(UTC)
    start = max(_aware(plan_start, "plan_start"), now - _SUMMARY_LOOKBACK)
    found = due(cadence, plan_start=start, last_slot=None, now=now, grace=grace)
    if found is None:
        return None
    return SummaryDue(found.slot, summary_week(found.slot, cadence.tz), found.late)


def default_week(cadence: Cadence | None, now: dt.datetime, tz: zoneinfo.ZoneInfo) -> IsoWeek:
    """The week ``/summary`` shows without one: the week the group's next summary will cover
    (this week, or last week before a Monday summary went out), else the current week."""
    if cadence is None:
        return IsoWeek.at(now, tz)
    return summary_week(next_slot(cadence, now), tz)


def summary_marker(channel_id: int, week: IsoWeek) -> str:
    """``rg-summary:<channel>:2026-W47``, carried in the summary's footer so that a summary whose
    confirmation was lost (a crash) is found in the channel instead of being posted twice."""
    return f"rg-summary:{channel_id}:{week}"


def parse_summary_marker(text: str) -> tuple[int, IsoWeek] | None:
    """``(channel id, week)`` of the summary marker in ``text`` (e.g. a footer), or None."""
    match = _SUMMARY_MARKER_RE.search(text)
    if match is None:
        return None
    try:
        week = IsoWeek(int(match.group("year")), int(match.group("week")))
    except ValueError:
        return None
    return int(match.group("channel")), week


# What storage provides


@dataclass(frozen=True, slots=True, kw_only=True)
class PostRow:
    """One confirmed post of an installment (a row of ``posts`` with ``posted_at`` set).

    Attributes:
        number: the installment's 1-based place in the plan ("installment 4 of 23").
        slug, first, last: the excerpt (``posts.installment_key`` through ``parse_key``).
        words: the excerpt's length in words.
        posted_at: when it was posted (aware UTC).
        thread_id: its discussion thread, if one was made.
        message_id: the post's message.
        jump_url: a link to the thread (or the post), see :func:`discord_link`.
        late: posted after downtime, well past its slot.
        stuck: ❓ reactions on the post itself, if they are logged (0 otherwise).
    """

    number: int
    slug: str
    first: int
    last: int
    words: int
    posted_at: dt.datetime
    thread_id: int | None = None
    message_id: int | None = None
    jump_url: str | None = None
    late: bool = False
    stuck: int = 0

    @property
    def citation(self) -> str:
        """``against-soic §12-14``."""
        return format_citation(self.slug, self.first, self.last)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplyRow:
    """One logged reply (a message in a post's thread, or a reply to the post).

    Attributes:
        message_id: the reply's message id (ties are broken by it).
        author_id: who wrote it.
        author_name: their display name when they wrote it.
        created_at: when (aware UTC).
        words: its word count.
        installment: the number of the post it belongs to (:attr:`PostRow.number`), if known.
        thread_id: the thread it is in, if any.
        content: its text, or None once retention erased it (the counts remain).
        stars: ⭐ reactions on it.
        stuck: ❓ reactions on it ("I'm stuck here too").
        jump_url: a link to the message.
    """

    message_id: int
    author_id: int
    author_name: str
    created_at: dt.datetime
    words: int
    installment: int | None = None
    thread_id: int | None = None
    content: str | None = None
    stars: int = 0
    stuck: int = 0
    jump_url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QuestionRow:
    """A discussion question a post carried (a row of ``asked_questions``).

    Attributes:
        installment: the number of the post that asked it (:attr:`PostRow.number`).
        position: its 1-based place among the post's questions.
        text: the question.
        asked_at: when the post went out (aware UTC).
        answered: whether anyone answered it (the reply log decides how).
        jump_url: a link to where it was asked (the thread), if known.
    """

    installment: int
    position: int
    text: str
    asked_at: dt.datetime
    answered: bool = False
    jump_url: str | None = None


@dataclass(frozen=True, slots=True)
class WeekCounts:
    """A week's participation in numbers (opted-out members left out)."""

    replies: int = 0
    words: int = 0
    participants: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanState:
    """Where the group is in its plan now.

    Attributes:
        installments: the plan's installments, in order (:meth:`Plan.installments`).
        done: how many are done, posted or skipped (``groups.done_count``).
        skipped: how many of those were skipped rather than posted.
        paused: whether posting is stopped (``/plan pause`` or ``paused: true``).
        paused_at: since when, if known (aware UTC).
        last_slot: the slot last handled, if any: the next post comes after it.
    """

    installments: tuple[Installment, ...]
    done: int
    skipped: int = 0
    paused: bool = False
    paused_at: dt.datetime | None = None
    last_slot: dt.datetime | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.done <= len(self.installments):
            raise ValueError(
                f"done must be between 0 and {len(self.installments)}, not {self.done}"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class SummarySettings:
    """A group's choices for its summary.

    Attributes:
        min_group_size: below this many members (or participants, when the member count is
            unknown) no per-person figure is shown at all.
        leaderboard: show who replied most (off by default; never under ``min_group_size``).
        leaderboard_size: how many names the leaderboard lists.
        opted_out: author ids left out of everything.
        highlights: how many ⭐ replies to quote.
        stuck: how many ❓ passages to list.
        questions: how many open questions to carry (the rest are counted).
        coming_days: how far ahead of now "coming up" looks at least (for the current week it
            runs to the end of the next week).
    """

    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    leaderboard: bool = False
    leaderboard_size: int = 5
    opted_out: frozenset[int] = frozenset()
    highlights: int = 3
    stuck: int = 3
    questions: int = 5
    coming_days: int = 7


# What the summary holds


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """``▓▓▓▓░░░░░░ 48%``: rounded down, so 100% means finished and any start shows."""
    percent = percent_of(done, total)
    filled = width * done // total if total > 0 else 0
    if done > 0 and filled == 0:
        filled = 1 if width > 1 else 0
    filled = min(filled, width if done >= total else width - 1)
    return f"{'▓' * filled}{'░' * (width - filled)} {percent}%"


def percent_of(done: int, total: int) -> int:
    """Whole percent, rounded down: 100 only when ``done`` reaches ``total``."""
    if total <= 0:
        return 0
    return min(100, max(0, 100 * done // total))


class _WordProgress:
    """``percent`` and ``bar`` of something measured in words done out of a total."""

    __slots__ = ()
    done_words: int
    total_words: int

    @property
    def percent(self) -> int:
        return percent_of(self.done_words, self.total_words)

    @property
    def bar(self) -> str:
        return progress_bar(self.done_words, self.total_words)


@dataclass(frozen=True, slots=True)
class ReadingProgress(_WordProgress):
    """How much of one reading is done, in words."""

    slug: str
    title: str
    done_words: int
    total_words: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PostedItem:
    """An installment posted in the week, with its replies in the week."""

    number: int
    total: int
    citation: str
    title: str
    words: int
    posted_at: dt.datetime
    replies: int
    jump_url: str | None
    late: bool


@dataclass(frozen=True, slots=True)
class NextItem:
    """An installment to come; ``slot`` is None when the plan is paused."""

    number: int
    citation: str
    title: str
    slot: dt.datetime | None = None

    @property
    def timestamp(self) -> str | None:
        """The slot as a Discord timestamp, shown in each member's local time."""
        return None if self.slot is None else discord_timestamp(self.slot)


@dataclass(frozen=True, slots=True, kw_only=True)
class Progress(_WordProgress):
    """Where the plan stands at the end of the week.

    Attributes:
        readings: per reading, in plan order.
        done, total: installments done (posted or skipped) and in the plan.
        done_words, total_words: the same in words.
        skipped: installments skipped rather than posted.
        next: the next installment, or None when the plan is finished.
        finish: the projected slot of the last installment (if resumed now, when paused).
        paused, paused_at: whether posting is stopped, since when.
        behind: installments behind the original schedule (pauses, skips, missed slots).
    """

    readings: tuple[ReadingProgress, ...]
    done: int
    total: int
    done_words: int
    total_words: int
    skipped: int
    next: NextItem | None
    finish: dt.datetime | None
    paused: bool
    paused_at: dt.datetime | None
    behind: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Participation:
    """The week's conversation in numbers.

    Attributes:
        counts: this week's replies, words and distinct participants.
        previous: the week before's, if known.
        new_voices: display names of those who replied for the first time, in order of their
            first reply.
        leaderboard: (name, replies) of who replied most; empty unless switched on and the
            group is large enough.
        per_person: whether per-person figures may be shown (the group is large enough).
    """

    counts: WeekCounts
    previous: WeekCounts | None
    new_voices: tuple[str, ...]
    leaderboard: tuple[tuple[str, int], ...]
    per_person: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Highlight:
    """A reply with ⭐ reactions; ``stars`` is None where per-person figures are off."""

    author: str
    quote: str | None  # None once retention erased the text
    stars: int | None
    citation: str | None
    jump_url: str | None
    message_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StuckPassage:
    """A passage members marked ❓, with how many marks and a link to the most-marked place."""

    citation: str
    marks: int
    jump_url: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenQuestion:
    """A question nobody answered yet, with the installment that asked it."""

    number: int
    citation: str | None
    text: str
    jump_url: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """One group's weekly summary (see the module docstring); render it, never recompute it.

    Attributes:
        group: the group's name.
        week: the ISO week.
        start, end: its bounds (aware UTC, ``[start, end)``).
        tz: the group's timezone.
        posted: installments posted in the week, in order of posting.
        progress: the plan's progress.
        participation: replies, words, participants, new voices.
        highlights: the most-⭐ replies, most first.
        stuck: the most-❓ passages, most first.
        questions: open questions, latest installment first.
        more_questions: open questions left out of ``questions``.
        coming: installments due in the next days, in order.
    """

    group: str
    week: IsoWeek
    start: dt.datetime
    end: dt.datetime
    tz: zoneinfo.ZoneInfo
    posted: tuple[PostedItem, ...]
    progress: Progress
    participation: Participation
    highlights: tuple[Highlight, ...]
    stuck: tuple[StuckPassage, ...]
    questions: tuple[OpenQuestion, ...]
    more_questions: int
    coming: tuple[NextItem, ...]

    @property
    def period(self) -> str:
        """``16–22 Nov 2026`` (or ``28 Dec 2026 – 3 Jan 2027``): the week's local days."""
        return format_period(self.week)

    @property
    def title(self) -> str:
        """``Week 2026-W47 · 16–22 Nov 2026``."""
        return f"Week {self.week} · {self.period}"

    @property
    def quiet(self) -> bool:
        """Nothing was posted and nobody replied."""
        return not self.posted and not self.participation.counts.replies


def format_period(week: IsoWeek) -> str:
    """The week's days: ``16–22 Nov 2026``, ``26 Oct – 1 Nov 2026``, or across a new year
    ``28 Dec 2026 – 3 Jan 2027``."""
    first, last = week.monday, week.monday + dt.timedelta(days=6)
    end = f"{last.day} {_SHORT_MONTHS[last.month - 1]} {last.year}"
    if first.year != last.year:
        return f"{first.day} {_SHORT_MONTHS[first.month - 1]} {first.year} – {end}"
    if first.month != last.month:
        return f"{first.day} {_SHORT_MONTHS[first.month - 1]} – {end}"
    return f"{first.day}–{end}"


# Computation


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
            jump_url=p.jump_url,
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
            jump_url=reply.jump_url,
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
    best: dict[tuple[str, int, int], tuple[int, int, str | None]] = {}

    def mark(key: tuple[str, int, int], count: int, tiebreak: int, url: str | None) -> None:
        marks[key] += count
        if key not in best or (-count, tiebreak) < (-best[key][0], best[key][1]):
            best[key] = (count, tiebreak, url)

    for reply in replies:
        if reply.stuck <= 0 or reply.installment is None:
            continue
        post = by_number.get(reply.installment)
        if post is None:
            continue
        first, last = _pointed(reply, post)
        mark((post.slug, first, last), reply.stuck, reply.message_id, reply.jump_url)
    for post in posts:
        if post.stuck > 0 and start <= post.posted_at < end:
            mark(
                (post.slug, post.first, post.last), post.stuck, post.message_id or 0, post.jump_url
            )
    ranked = sorted(marks.items(), key=lambda item: (-item[1], item[0]))
    return tuple(
        StuckPassage(citation=format_citation(*key), marks=count, jump_url=best[key][2])
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
            jump_url=q.jump_url
            or (by_number[q.installment].jump_url if q.installment in by_number else None),
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


# Text for the terminal


def compare(now: int, before: int | None, noun: str) -> str:
    """``45 replies (30 the week before)``: plain numbers, no judgement."""
    text = _plural(now, noun)
    if before is None:
        return text
    if before == now:
        return f"{text} (as many as the week before)"
    return f"{text} ({before:,} the week before)"


def _plural(count: int, noun: str) -> str:
    """``1 reply``, ``1,200 replies``, ``3 words``."""
    if count == 1:
        return f"1 {noun}"
    return f"{count:,} {noun[:-1]}ies" if noun.endswith("y") else f"{count:,} {noun}s"


def welcome(names: Sequence[str], most: int = 10) -> str:
    """``Welcome to our new voices: Ana, Bo and Cy!`` (empty when there are none); past
    ``most`` names, the rest are counted: ``..., Jo and 12 others!``."""
    if not names:
        return ""
    if len(names) == 1:
        return f"Welcome to our new voice: {names[0]}!"
    if len(names) > most:
        return (
            f"Welcome to our new voices: {', '.join(names[:most])} and {len(names) - most} others!"
        )
    return f"Welcome to our new voices: {', '.join(names[:-1])} and {names[-1]}!"


def participation_lines(part: Participation) -> list[str]:
    """The participation section's lines, shared by the text and the Discord rendering."""
    counts, before = part.counts, part.previous
    if not counts.replies:
        last = (
            f" ({_plural(before.replies, 'reply')} the week before)"
            if before and before.replies
            else ""
        )
        return [f"No replies this week{last}. The threads stay open for anyone who wants to join."]
    lines = [
        ", ".join(
            (
                compare(counts.replies, before.replies if before else None, "reply"),
                compare(counts.words, before.words if before else None, "word"),
                compare(
                    counts.participants, before.participants if before else None, "participant"
                ),
            )
        )
    ]
    if part.new_voices:
        lines.append(welcome(part.new_voices))
    if part.leaderboard:
        lines.append(
            "Most replies: "
            + ", ".join(f"{name} ({_plural(count, 'reply')})" for name, count in part.leaderboard)
        )
    return lines


def progress_lines(progress: Progress, day: Callable[[dt.datetime], str]) -> list[str]:
    """The progress section's status lines (next, finish, pause, behind), after the bars.

    Args:
        progress: the summary's progress.
        day: how to show a date, e.g. :func:`bot.core.plan.format_date` in the group's zone
            for the terminal, a Discord timestamp for Discord.
    """
    lines = []
    if progress.next is None:
        lines.append("The plan is finished: every installment is done.")
    else:
        lines.append(f"Next: #{progress.next.number} {progress.next.citation}")
    if progress.paused:
        since = f" since {day(progress.paused_at)}" if progress.paused_at else ""
        lines.append(f"Paused{since}.")
        if progress.finish is not None:
            lines.append(f"If resumed now, it would finish on {day(progress.finish)}.")
    elif progress.finish is not None:
        lines.append(f"Projected finish: {day(progress.finish)}")
    if progress.behind:
        lines.append(f"{_plural(progress.behind, 'installment')} behind the original schedule.")
    if progress.skipped:
        lines.append(f"{_plural(progress.skipped, 'installment')} skipped.")
    return lines


def summary_text(summary: Summary) -> str:
    """The summary as plain text for the terminal (no Discord markup, local times)."""
    tz = summary.tz
    name = f"{summary.group} · " if summary.group else ""
    out = [f"{name}{summary.title} ({tz.key})", ""]

    out.append("Posted this week")
    if not summary.posted:
        out.append("  No installment was posted this week.")
    for item in summary.posted:
        late = " (late)" if item.late else ""
        out.append(
            f"  #{item.number}/{item.total} {item.citation} · {_plural(item.words, 'word')}"
            f" · {format_moment(item.posted_at, tz)}{late} · {_replies(item.replies)}"
        )
        if item.jump_url:
            out.append(f"    {item.jump_url}")

    progress = summary.progress
    out += ["", "Progress"]
    width = max((len(r.title) for r in progress.readings), default=0)
    for reading in progress.readings:
        out.append(f"  {reading.title:<{width}}  {reading.bar}")
    done = f"{progress.done} of {_plural(progress.total, 'installment')}"
    out.append(f"  {'Whole plan':<{width}}  {progress.bar}  ({done})")
    out += [f"  {line}" for line in progress_lines(progress, lambda m: format_date(m, tz))]

    out += ["", "Participation"]
    out += [f"  {line}" for line in participation_lines(summary.participation)]

    if summary.highlights:
        out += ["", "Highlights"]
        for h in summary.highlights:
            stars = f"⭐ {h.stars} · " if h.stars is not None else "⭐ "
            where = f" on {h.citation}" if h.citation else ""
            quote = f': "{h.quote}"' if h.quote else " (text no longer kept)"
            out.append(f"  {stars}{h.author}{where}{quote}")
            if h.jump_url:
                out.append(f"    {h.jump_url}")
    if summary.stuck:
        out += ["", "Where we got stuck"]
        for s in summary.stuck:
            link = f"  {s.jump_url}" if s.jump_url else ""
            out.append(f"  ❓ {s.marks} · {s.citation}{link}")
    if summary.questions:
        out += ["", "Questions still open"]
        for q in summary.questions:
            where = q.citation or f"installment {q.number}"
            out.append(f"  #{q.number} {where}: {q.text}")
        if summary.more_questions:
            out.append(f"  …and {summary.more_questions} more")
    out += ["", "Coming up"]
    if not summary.coming:
        out.append(
            "  Nothing scheduled." if not progress.paused else "  Nothing: the plan is paused."
        )
    for coming in summary.coming:
        when = format_moment(coming.slot, tz) if coming.slot else "not scheduled"
        out.append(f"  {when} · #{coming.number} {coming.citation}")
    return "\n".join(out)


def _replies(count: int) -> str:
    return _plural(count, "reply")


# Chart data


@dataclass(frozen=True, slots=True, kw_only=True)
class ChartData:
    """What the chart shows: replies per bucket as bars, the plan's progress as a line.

    Attributes:
        title: a heading.
        unit: ``"day"`` or ``"week"``: what one bar counts.
        starts: each bucket's first local day.
        replies: replies in each bucket.
        progress: the plan's percent done (by words) at the end of each bucket, or None for a
            bucket that has not started yet.
        current: index of the first bucket of the summarised week (drawn stronger).
    """

    title: str
    unit: Literal["day", "week"]
    starts: tuple[dt.date, ...]
    replies: tuple[int, ...]
    progress: tuple[float | None, ...]
    current: int = 0

    def __post_init__(self) -> None:
        if not len(self.starts) == len(self.replies) == len(self.progress):
            raise ValueError("starts, replies and progress must have one value per bucket")


def chart_data(
    *,
    week: IsoWeek,
    tz: zoneinfo.ZoneInfo,
    installments: Sequence[Installment],
    posts: Sequence[PostRow],
    reply_times: Iterable[tuple[dt.datetime, int]],
    now: dt.datetime,
    done: int | None = None,
    weeks: int = 4,
    unit: Literal["day", "week"] | None = None,
) -> ChartData:
    """The chart's series over the ``weeks`` weeks ending with ``week``.

    Args:
        week: the summarised week (the last one shown).
        tz: the group's timezone (days are local days).
        installments: the plan's installments, in order.
        posts: the group's confirmed posts (the progress line follows them).
        reply_times: (instant, count) pairs of the replies to count, opted-out members already
            left out. One pair per reply works; for speed storage may group them by UTC quarter
            hour (every timezone's offset is a multiple of 15 minutes, so no group straddles a
            local midnight) and give each group's start.
        now: the current instant: later buckets have no progress point.
        done: the plan's position now (posted or skipped), if known, for the current bucket.
        weeks: how many weeks to show (at least 1).
        unit: bars per ``"day"`` or per ``"week"``; by default days up to 4 weeks, else weeks.
    """
    weeks = max(1, weeks)
    unit = unit or ("day" if weeks <= 4 else "week")
    now = _aware(now, "now").astimezone(UTC)
    first_week = week.shift(-(weeks - 1))
    step = 1 if unit == "day" else 7
    starts = tuple(first_week.monday + dt.timedelta(days=i) for i in range(0, weeks * 7, step))
    bounds = [_midnight(day, tz) for day in starts] + [_midnight(week.monday + WEEK, tz)]
    counts = [0] * len(starts)
    lo, hi = bounds[0], bounds[-1]
    for moment, count in reply_times:
        if lo <= moment < hi:
            local = moment.astimezone(tz).date()
            index = (local - starts[0]).days // step
            if 0 <= index < len(counts):
                counts[index] += count
    cumulative = [0, *itertools.accumulate(part.words for part in installments)]
    total_words = cumulative[-1]
    ordered = sorted(posts, key=lambda p: p.posted_at)
    progress: list[float | None] = []
    for bucket_start, bucket_end in itertools.pairwise(bounds):
        if bucket_start > now:
            progress.append(None)
            continue
        cutoff = min(bucket_end, now)
        position = max((p.number for p in ordered if p.posted_at < cutoff), default=0)
        if done is not None and cutoff >= now:
            position = max(position, done)
        position = min(position, len(installments))
        progress.append(100 * cumulative[position] / total_words if total_words else 0.0)
    current = (week.monday - starts[0]).days // step
    what = "day" if unit == "day" else "week"
    return ChartData(
        title=f"Replies per {what} and plan progress · {format_period_span(starts[0], week)}",
        unit=unit,
        starts=starts,
        replies=tuple(counts),
        progress=tuple(progress),
        current=current,
    )


def format_period_span(first: dt.date, week: IsoWeek) -> str:
    """``19 Oct – 15 Nov 2026``: from ``first`` to the end of ``week``."""
    last = week.monday + dt.timedelta(days=6)
    end = f"{last.day} {_SHORT_MONTHS[last.month - 1]} {last.year}"
    year = f" {first.year}" if first.year != last.year else ""
    return f"{first.day} {_SHORT_MONTHS[first.month - 1]}{year} – {end}"
