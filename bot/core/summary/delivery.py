"""Delivery: which week a summary covers, when it is due, the marker that finds it again."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from bot.core.schedule import DEFAULT_GRACE, UTC, Cadence, due, next_slot
from bot.core.summary.weeks import IsoWeek, _aware

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
