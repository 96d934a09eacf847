"""Chart data: the series :mod:`bot.discord.chart` draws, replies per day or week and the plan's
progress over the last weeks."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.core.excerpts import Installment
from bot.core.schedule import UTC
from bot.core.summary.model import PostRow
from bot.core.summary.weeks import WEEK, IsoWeek, _aware, _midnight, format_period_span


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
