"""Cadence and due slots: when a group's installments are posted, with time as a parameter.

A :class:`Cadence` is a set of weekdays, a local wall-clock time and an IANA timezone, e.g.
``mon,thu 19:00 Europe/Berlin``. Each scheduled local day has one *slot*: the instant, as an
aware UTC datetime, when that day's post is due. Daylight saving time is handled by the rules:

- a local time that happens twice (autumn, clocks go back) posts once, at its first occurrence;
- a local time that does not exist (spring, clocks go forward: 02:30 on the last Sunday of
  March in Europe/Berlin) posts at the first instant after the gap, which is 03:00 local there.

After downtime only the one most recent missed slot is posted, marked late, and the schedule
carries on from it (:func:`due`). Nothing here reads the clock: every function takes aware
datetimes and returns aware UTC ones; naive datetimes raise ``ValueError``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from bot.core.errors import PlanError

UTC = dt.UTC
DEFAULT_GRACE = dt.timedelta(minutes=10)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NAMES = {
    **{name: i for i, name in enumerate(WEEKDAYS)},
    **{
        name: i
        for i, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    "tues": 1,
    "thur": 3,
    "thurs": 3,
}
_WEEKDAY_GROUPS = {
    "daily": frozenset(range(7)),
    "everyday": frozenset(range(7)),
    "weekdays": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
}
_TIME_RE = re.compile(r"^(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2}))?\s*(?P<half>am|pm)?$", re.I)
_ONE_SECOND = dt.timedelta(seconds=1)
_TICK = dt.timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Cadence:
    """When posts are due: on ``weekdays`` (0 = Monday .. 6 = Sunday) at local time ``at``.

    ``str(cadence)`` gives text that :func:`parse_cadence` reads back, e.g.
    ``"mon,thu 19:00 Europe/Berlin"``, so it is also the form to store.
    """

    weekdays: frozenset[int]
    at: dt.time
    tz: zoneinfo.ZoneInfo

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= frozenset(range(7)):
            raise ValueError(f"weekdays must be a non-empty set of 0..6, not {self.weekdays}")
        if self.at.tzinfo is not None:
            raise ValueError("at must be a local wall-clock time without tzinfo")

    def __str__(self) -> str:
        days = ",".join(WEEKDAYS[d] for d in sorted(self.weekdays))
        return f"{days} {format_time(self.at)} {self.tz.key}"


@dataclass(frozen=True, slots=True)
class Due:
    """The slot to post now.

    Attributes:
        slot: the scheduled instant (aware UTC); record it as the group's last slot, and use it
            as the claim key so that a post happens once.
        late: more than the grace period has passed since ``slot``: say so in the post.
        missed: how many earlier slots since the last one were skipped (0 when on time).
    """

    slot: dt.datetime
    late: bool
    missed: int


def format_time(at: dt.time) -> str:
    """``19:00``, or ``19:00:30`` when the time has seconds."""
    return at.strftime("%H:%M:%S" if at.second else "%H:%M")


def parse_weekdays(text: str) -> frozenset[int]:
    """Weekdays from text: ``"mon,thu"``, ``"Monday Thursday"``, ``"mon-fri"``, ``"daily"``.

    Raises:
        PlanError: a name that is not a weekday, saying which ones are.
    """
    days: set[int] = set()
    compact = re.sub(r"\s*-\s*", "-", text.strip().lower())  # "mon - fri" is a range too
    for token in re.split(r"[\s,;/+&]+|\band\b", compact):
        if not token:
            continue
        if token in _WEEKDAY_GROUPS:
            days |= _WEEKDAY_GROUPS[token]
            continue
        if "-" in token:
            start, _, end = token.partition("-")
            first, last = _weekday(start, text), _weekday(end, text)
            days.update((first + i) % 7 for i in range((last - first) % 7 + 1))
            continue
        days.add(_weekday(token, text))
    if not days:
        raise PlanError(f"no weekday in {text!r}: name at least one, e.g. 'mon,thu'")
    return frozenset(days)


def _weekday(token: str, text: str) -> int:
    day = _WEEKDAY_NAMES.get(token.rstrip("s"), _WEEKDAY_NAMES.get(token))
    if day is not None:
        return day
    where = "" if token == text.strip().lower() else f" in {text!r}"
    match = difflib.get_close_matches(token, [*_WEEKDAY_NAMES, *_WEEKDAY_GROUPS], n=1)
    hint = (
        f"did you mean {match[0]!r}?"
        if match
        else "use mon, tue, wed, thu, fri, sat, sun, a range like mon-fri, or daily"
    )
    raise PlanError(f"{token!r}{where} is not a weekday: {hint}")


def parse_time(text: str) -> dt.time:
    """A local time of day: ``"19:00"``, ``"7:30"``, ``"7pm"``, ``"7:30 pm"``.

    Raises:
        PlanError: not a time of day, saying how to write one.
    """
    match = _TIME_RE.match(text.strip())
    if match is not None and (match.group("minute") or match.group("half")):
        hour, minute = int(match.group("hour")), int(match.group("minute") or 0)
        half = (match.group("half") or "").lower()
        if half and 1 <= hour <= 12:
            hour = hour % 12 + (12 if half == "pm" else 0)
        elif half:
            hour = 99  # "13pm": reported below
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise PlanError(
        f"{text!r} is not a time of day: write it as HH:MM on the 24-hour clock, e.g. 19:00"
    )


def parse_timezone(name: str) -> zoneinfo.ZoneInfo:
    """An IANA timezone by name, e.g. ``Europe/Berlin``; letter case does not matter.

    Raises:
        PlanError: no such timezone, naming the closest ones.
    """
    name = name.strip()
    # Look the name up in the list first: ZoneInfo() itself fails in odd ways on names such as
    # "Europe" (a directory) or "../x".
    by_fold = {key.lower(): key for key in _zone_names()}
    if name.lower() in by_fold:
        return zoneinfo.ZoneInfo(by_fold[name.lower()])
    close = difflib.get_close_matches(name.lower(), list(by_fold), n=2, cutoff=0.6)
    hint = f" (did you mean {' or '.join(repr(by_fold[c]) for c in close)}?)" if close else ""
    raise PlanError(
        f"unknown timezone {name!r}{hint}: use an IANA name such as Europe/Berlin, "
        "America/New_York or UTC"
    )


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def parse_cadence(text: str, *, timezone: str | zoneinfo.ZoneInfo | None = None) -> Cadence:
    """A cadence from text: weekdays, a time, then optionally a timezone.

    Examples: ``"mon,thu 19:00 Europe/Berlin"``, ``"sun 18:00"`` (with ``timezone``),
    ``"mon-fri 7:30am America/New_York"``.

    Args:
        text: what the organizer wrote.
        timezone: the zone to use when ``text`` names none (a plan's zone for its summary
            cadence, or the ``timezone`` key of groups.yaml).

    Raises:
        PlanError: what is wrong (weekday, time, timezone) and how to write it.
    """
    tokens = text.split()
    at_index = next((i for i, t in enumerate(tokens) if t[:1].isdigit()), None)
    if at_index is None:
        raise PlanError(
            f"no time of day in {text!r}: write the weekdays, then the time, "
            "e.g. 'mon,thu 19:00 Europe/Berlin'"
        )
    if at_index == 0:
        raise PlanError(
            f"no weekday in {text!r}: write the weekdays before the time, e.g. 'mon,thu 19:00'"
        )
    days_text = " ".join(tokens[:at_index])
    rest = tokens[at_index + 1 :]
    time_text = tokens[at_index]
    if rest and rest[0].lower() in ("am", "pm"):
        time_text, rest = f"{time_text}{rest[0]}", rest[1:]
    if len(rest) > 1:
        raise PlanError(
            f"too much after the time in {text!r}: only a timezone may follow, "
            "e.g. 'mon,thu 19:00 Europe/Berlin'"
        )
    weekdays, at = parse_weekdays(days_text), parse_time(time_text)
    given = parse_timezone(timezone) if isinstance(timezone, str) else timezone
    tz = parse_timezone(rest[0]) if rest else given
    if tz is None:
        raise PlanError(
            f"no timezone in {text!r}: add one after the time, e.g. '{text.strip()} Europe/Berlin'"
        )
    if given is not None and tz.key != given.key:
        raise PlanError(f"{text!r} names timezone {tz.key} but the plan's is {given.key}: pick one")
    return Cadence(weekdays, at, tz)


def _utc(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (UTC), not naive {value!r}")
    return value.astimezone(UTC)


def slot_on(cadence: Cadence, day: dt.date) -> dt.datetime:
    """The instant (aware UTC) of ``day``'s post, whatever the weekday (see the DST rules)."""
    wall = dt.datetime.combine(day, cadence.at.replace(fold=0))
    # fold=0 is the first occurrence of a repeated local time, so autumn posts once.
    instant = wall.replace(tzinfo=cadence.tz).astimezone(UTC)
    if instant.astimezone(cadence.tz).replace(tzinfo=None) == wall:
        return instant
    return _end_of_gap(cadence.tz, wall)


def _end_of_gap(tz: zoneinfo.ZoneInfo, wall: dt.datetime) -> dt.datetime:
    """The transition that skipped the local time ``wall``: the first instant after the gap.

    With the offsets before and after the gap, ``wall`` read with the later offset (fold=1)
    falls before the transition and read with the earlier one (fold=0) at or after it, so a
    bisection between the two finds it, to the second.
    """
    low = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    high = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    after = high.astimezone(tz).utcoffset()
    while high - low > _ONE_SECOND:
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(tz).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high


def _slots_from(cadence: Cadence, start: dt.datetime) -> Iterator[dt.datetime]:
    """Every slot at or after ``start`` (aware UTC), in order, without end."""
    # From the day before: a slot moved forward by a gap can belong to an earlier local day.
    day = start.astimezone(cadence.tz).date() - dt.timedelta(days=1)
    previous: dt.datetime | None = None
    while True:
        if day.weekday() in cadence.weekdays:
            slot = slot_on(cadence, day)
            # A gap longer than a day (Samoa skipped 30 Dec 2011) could move one day's slot
            # past the next day's: never yield a slot twice or out of order.
            if slot >= start and (previous is None or slot > previous):
                previous = slot
                yield slot
        day += dt.timedelta(days=1)


def slots(
    cadence: Cadence, start: dt.datetime, end: dt.datetime | None = None
) -> Iterator[dt.datetime]:
    """The slots in ``[start, end)``, in order, as aware UTC datetimes; endless when ``end`` is
    None (take what you need, e.g. with ``zip``).

    Raises:
        ValueError: ``start`` or ``end`` is naive (at the call, not at the first ``next``).
    """
    start = _utc(start, "start")
    if end is None:
        return _slots_from(cadence, start)
    stop = _utc(end, "end")

    def bounded() -> Iterator[dt.datetime]:
        for slot in _slots_from(cadence, start):
            if slot >= stop:
                return
            yield slot

    return bounded()


def next_slot(cadence: Cadence, after: dt.datetime) -> dt.datetime:
    """The first slot strictly after ``after`` (aware UTC).

    Raises:
        ValueError: ``after`` is naive.
    """
    return next(_slots_from(cadence, _utc(after, "after") + _TICK))


def due(
    cadence: Cadence,
    *,
    plan_start: dt.datetime,
    last_slot: dt.datetime | None,
    now: dt.datetime,
    grace: dt.timedelta = DEFAULT_GRACE,
) -> Due | None:
    """The slot to post at ``now``, if any: the most recent one not yet handled.

    A slot is due once ``now >= slot``. Slots before ``plan_start`` and up to ``last_slot``
    (the last one posted or skipped) are not. When several are due (the bot was down) only the
    latest is returned, with ``missed`` counting the older ones, which are never posted: one
    catch-up post instead of a flood, then the schedule continues after it.

    Args:
        cadence: the group's cadence.
        plan_start: no slot before this instant is due.
        last_slot: the slot last handled, or None before the first post.
        now: the current instant.
        grace: how long after its slot a post still counts as on time.

    Raises:
        ValueError: a naive datetime.
    """
    start = _utc(plan_start, "plan_start")
    now = _utc(now, "now")
    if last_slot is not None:
        start = max(start, _utc(last_slot, "last_slot") + _TICK)
    latest: dt.datetime | None = None
    count = 0
    for slot in slots(cadence, start, now + _TICK):
        latest, count = slot, count + 1
    if latest is None:
        return None
    return Due(slot=latest, late=now - latest > grace, missed=count - 1)
