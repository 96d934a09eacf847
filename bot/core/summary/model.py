"""The summary's data: the rows storage provides (one week's as :class:`WeekData`), the group's
settings, and what a :class:`Summary` holds (see :mod:`bot.core.summary` for what it shows and
what it never does).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from bot.core.excerpts import Installment
from bot.core.plan import Plan
from bot.core.polls import Phase, Shift, Stance
from bot.core.summary.weeks import IsoWeek, format_period

DEFAULT_MIN_GROUP_SIZE = 5
BAR_WIDTH = 10


# What storage provides


@dataclass(frozen=True, slots=True)
class Jump:
    """Where a jump link leads, as plain ids: a channel or thread, or a message in it (the
    rendering side makes the link)."""

    guild_id: int
    channel_id: int
    message_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PostRow:
    """One confirmed post of an installment (a row of ``posts`` with ``posted_at`` set).

    Attributes:
        number: the installment's 1-based place in the plan ("installment 4 of 23").
        slug, first, last, sentences: the excerpt (``posts.installment_key`` through
            :meth:`Installment.from_key`): paragraphs, or sentences of one paragraph.
        words: the excerpt's length in words.
        posted_at: when it was posted (aware UTC).
        thread_id: its discussion thread, if one was made.
        message_id: the post's message.
        jump: where a link to the thread (or the post) leads, if the server is known.
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
    jump: Jump | None = None
    late: bool = False
    stuck: int = 0
    sentences: tuple[int, int] | None = None

    @property
    def citation(self) -> str:
        """``against-soic §12-14``, or ``against-soic §3.1-3.19`` for a piece of a paragraph."""
        return Installment(self.slug, self.first, self.last, self.words, self.sentences).citation


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
        jump: where a link to the message leads (set where one is shown).
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
    jump: Jump | None = None


@dataclass(frozen=True, slots=True)
class ReactionRow:
    """A ⭐ or ❓ reaction on a reply (a row of ``reactions``).

    Attributes:
        message_id: the reply's message.
        user_id: who reacted.
        emoji: :data:`~bot.core.replies.STAR` or :data:`~bot.core.replies.STUCK`.
    """

    message_id: int
    user_id: int
    emoji: str


@dataclass(frozen=True, slots=True, kw_only=True)
class QuestionRow:
    """A discussion question a post carried (a row of ``asked_questions``).

    Attributes:
        installment: the number of the post that asked it (:attr:`PostRow.number`).
        position: its 1-based place among the post's questions.
        text: the question.
        asked_at: when the post went out (aware UTC).
        answered: whether anyone answered it (the reply log decides how).
        jump: where it was asked (the thread), if known.
    """

    installment: int
    position: int
    text: str
    asked_at: dt.datetime
    answered: bool = False
    jump: Jump | None = None


@dataclass(frozen=True, slots=True)
class WeekCounts:
    """A week's participation in numbers (opted-out members left out)."""

    replies: int = 0
    words: int = 0
    participants: int = 0


@dataclass(frozen=True, slots=True)
class Answers:
    """What the thread of one post that asked questions held by the end of the week.

    Attributes:
        installment, asked_at: the post (:attr:`QuestionRow.installment` and ``asked_at``).
        discussed: anyone replied to it (answers a post's only question).
        texts: replies that may name a question by number (those with a digit), for a post
            that asked several.
    """

    installment: int
    asked_at: dt.datetime
    discussed: bool = False
    texts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupState:
    """What a summary needs of the group: its name, plan and place in the plan.

    Attributes:
        name: the group's name.
        plan: its reading plan.
        done_key, done_count: the last installment done (see :func:`bot.core.posting.resume_index`).
        paused, paused_at: whether posting is stopped, since when.
        last_slot: the slot last handled, if any.
    """

    name: str
    plan: Plan
    done_key: str | None = None
    done_count: int = 0
    paused: bool = False
    paused_at: dt.datetime | None = None
    last_slot: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SpanData:
    """What the database holds of one group over a span of time ``[start, end)``: the rows
    the weekly summary and a member's catch-up are both computed from.

    Attributes:
        group: the group's plan and place in it.
        start, end: the span (aware UTC).
        posts: the group's confirmed posts, any time, oldest first (``words`` 0: the plan's
            installments give them).
        replies: the span's replies (opted-out members left out), ``stars`` and ``stuck`` 0.
        reactions: the ⭐ and ❓ reactions on them (opted-out members' left out).
        questions: questions of the posts read for (``answered`` not yet decided).
        answers: what the threads of those posts held by ``end``.
        opted_out: every opted-out member.
    """

    group: GroupState
    start: dt.datetime
    end: dt.datetime
    posts: tuple[PostRow, ...]
    replies: tuple[ReplyRow, ...]
    reactions: tuple[ReactionRow, ...]
    questions: tuple[QuestionRow, ...]
    answers: tuple[Answers, ...]
    opted_out: frozenset[int]


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekData:
    """Everything read from the database for one group and week, before anything is computed.

    Attributes:
        group: the group's plan and place in it.
        posts: the group's confirmed posts, any week, oldest first (``words`` 0: the plan's
            installments give them).
        replies: the week's replies (opted-out members left out), ``stars`` and ``stuck`` 0.
        reactions: the ⭐ and ❓ reactions on them (opted-out members' left out).
        questions: questions of the window's posts (``answered`` not yet decided).
        answers: what the threads of those posts held by the end of the week.
        earlier_authors: the week's authors who had replied in the group before it.
        previous: the week before's counts; None when the plan started after it.
        group_size: members who took part in the window's weeks; None when the week's
            participants alone reach the minimum group size (no need to count further).
        opted_out: every opted-out member.
        reply_times: (local midnight, replies that day) over the window's days, for the chart.
        weeks: the window's weeks, ending with the summarised one.
        quoted: the week's most quoted paragraphs (opted-out members' quotes left out):
            ``(slug, paragraph, times)``, most first.
        polls: the stance polls answered in the week, oldest first: the proposition and every
            answer given by the week's end as ``(phase, stance)`` (opted-out members' left out).
    """

    group: GroupState
    posts: tuple[PostRow, ...]
    replies: tuple[ReplyRow, ...]
    reactions: tuple[ReactionRow, ...]
    questions: tuple[QuestionRow, ...]
    answers: tuple[Answers, ...]
    earlier_authors: frozenset[int]
    previous: WeekCounts | None
    group_size: int | None
    opted_out: frozenset[int]
    reply_times: tuple[tuple[dt.datetime, int], ...]
    weeks: int
    quoted: tuple[tuple[str, int, int], ...] = ()
    polls: tuple[tuple[str, tuple[tuple[Phase, Stance], ...]], ...] = ()


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
    jump: Jump | None
    late: bool


@dataclass(frozen=True, slots=True)
class NextItem:
    """An installment to come; ``slot`` is None when the plan is paused."""

    number: int
    citation: str
    title: str
    slot: dt.datetime | None = None


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
    jump: Jump | None
    message_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StuckPassage:
    """A passage members marked ❓, with how many marks and a link to the most-marked place."""

    citation: str
    marks: int
    jump: Jump | None


@dataclass(frozen=True, slots=True, kw_only=True)
class QuotedPassage:
    """A paragraph quoted in the week's replies (quotes that cite themselves), and how often."""

    citation: str
    title: str
    times: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenQuestion:
    """A question nobody answered yet, with the installment that asked it."""

    number: int
    citation: str | None
    text: str
    jump: Jump | None


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
        quoted: the most quoted passages of the week, most first.
        stances: the stance polls answered in the week, before and after ("Where we stand"),
            each phase only when enough members answered it.
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
    quoted: tuple[QuotedPassage, ...] = ()
    stances: tuple[Shift, ...] = ()

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
