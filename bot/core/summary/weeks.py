"""Weeks: a summary covers one ISO week (Monday to Sunday) in the group's timezone.

:func:`week_bounds` gives a week's UTC bounds, which are 167 or 169 hours apart across a DST
change; :func:`parse_week` reads what an organizer typed; :func:`format_period` names the
week's days.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from bot.core.errors import PlanError
from bot.core.schedule import Cadence, slot_on

_WEEK_RE = re.compile(r"^(?P<year>\d{4})-?W(?P<week>\d{1,2})$", re.I)
_DATE_RE = re.compile(r"^\d{4}-\d\d-\d\d$")
_SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEK = dt.timedelta(days=7)


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


def _aware(moment: dt.datetime, name: str) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (UTC), not naive {moment!r}")
    return moment


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


def format_period_span(first: dt.date, week: IsoWeek) -> str:
    """``19 Oct – 15 Nov 2026``: from ``first`` to the end of ``week``."""
    last = week.monday + dt.timedelta(days=6)
    end = f"{last.day} {_SHORT_MONTHS[last.month - 1]} {last.year}"
    year = f" {first.year}" if first.year != last.year else ""
    return f"{first.day} {_SHORT_MONTHS[first.month - 1]}{year} – {end}"
