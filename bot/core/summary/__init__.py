"""The weekly summary: what a group read, said and got stuck on in one week, as plain data.

Storage reads a week's rows (:class:`PostRow`, :class:`ReplyRow`, :class:`QuestionRow`, in one
:class:`WeekData`) and :func:`summarize` turns them into a :class:`Summary` (through
:func:`compute_summary`) and the chart's series: installments posted with their reply
counts, progress per reading and for the whole plan, participation, highlights, open questions
and what comes next. :func:`summary_text` renders it for the terminal; ``bot.discord.render``
renders it for Discord and ``bot.discord.chart`` draws :func:`chart_data` as a PNG.

A week is an ISO week (Monday to Sunday) in the group's timezone: :func:`week_bounds` gives its
UTC bounds, which are 167 or 169 hours apart across a DST change.

Nobody is shamed: opted-out members are left out of everything (counts, new voices,
highlights), there is no leaderboard unless an organizer switched it on, and a group smaller
than :attr:`SummarySettings.min_group_size` gets no per-person figure at all (no leaderboard,
no ⭐ count next to a quoted reply). Every list is in a fixed order, ties broken by id.

The modules, each importing only those above it:

- :mod:`~bot.core.summary.weeks`: ISO weeks, their bounds, parsing and naming them.
- :mod:`~bot.core.summary.delivery`: which week a summary covers, when it is due, its marker.
- :mod:`~bot.core.summary.model`: the rows storage provides, the settings, the summary's data.
- :mod:`~bot.core.summary.compute`: :func:`compute_summary` from a week's rows.
- :mod:`~bot.core.summary.text`: the summary as text, and the lines Discord shares.
- :mod:`~bot.core.summary.chartdata`: the chart's series.
- :mod:`~bot.core.summary.weekly`: :func:`summarize`, from a :class:`WeekData` to both.
- :mod:`~bot.core.summary.catchup`: a member's catch-up over a range (:class:`SpanData`), not
  re-exported here: import it from its module.

Import from this package; the names below are its API.
"""

from bot.core.summary.chartdata import ChartData, chart_data
from bot.core.summary.compute import QUOTE_LIMIT, brief, compute_summary, week_counts
from bot.core.summary.delivery import (
    SummaryDue,
    default_week,
    parse_summary_marker,
    summary_due,
    summary_marker,
    summary_week,
)
from bot.core.summary.model import (
    BAR_WIDTH,
    DEFAULT_MIN_GROUP_SIZE,
    Answers,
    GroupState,
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
    QuotedPassage,
    ReactionRow,
    ReadingProgress,
    ReplyRow,
    SpanData,
    StuckPassage,
    Summary,
    SummarySettings,
    WeekCounts,
    WeekData,
    percent_of,
    progress_bar,
)
from bot.core.summary.text import (
    compare,
    participation_lines,
    progress_lines,
    summary_text,
    welcome,
)
from bot.core.summary.weekly import (
    WeeklySummary,
    answered_questions,
    count_reactions,
    plan_state,
    question_numbers,
    summarize,
)
from bot.core.summary.weeks import (
    WEEK,
    IsoWeek,
    format_period,
    format_period_span,
    parse_week,
    week_bounds,
)

__all__ = [
    "BAR_WIDTH",
    "DEFAULT_MIN_GROUP_SIZE",
    "QUOTE_LIMIT",
    "WEEK",
    "Answers",
    "ChartData",
    "GroupState",
    "Highlight",
    "IsoWeek",
    "Jump",
    "NextItem",
    "OpenQuestion",
    "Participation",
    "PlanState",
    "PostRow",
    "PostedItem",
    "Progress",
    "QuestionRow",
    "QuotedPassage",
    "ReactionRow",
    "ReadingProgress",
    "ReplyRow",
    "SpanData",
    "StuckPassage",
    "Summary",
    "SummaryDue",
    "SummarySettings",
    "WeekCounts",
    "WeekData",
    "WeeklySummary",
    "answered_questions",
    "brief",
    "chart_data",
    "compare",
    "compute_summary",
    "count_reactions",
    "default_week",
    "format_period",
    "format_period_span",
    "parse_summary_marker",
    "parse_week",
    "participation_lines",
    "percent_of",
    "plan_state",
    "progress_bar",
    "progress_lines",
    "question_numbers",
    "summarize",
    "summary_due",
    "summary_marker",
    "summary_text",
    "summary_week",
    "week_bounds",
    "week_counts",
    "welcome",
]
