"""Cadences, slots and the catch-up rule, with injected time: DST, downtime, repeated ticks."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import PlanError
from bot.core.schedule import (
    UTC,
    Cadence,
    due,
    next_slot,
    parse_cadence,
    parse_time,
    parse_timezone,
    parse_weekdays,
    slot_on,
    slots,
)

BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# Parsing.


@pytest.mark.parametrize(
    ("text", "weekdays", "at", "zone"),
    [
        ("mon,thu 19:00 Europe/Berlin", {0, 3}, dt.time(19), "Europe/Berlin"),
        ("Mon, Thu 19:00 Europe/Berlin", {0, 3}, dt.time(19), "Europe/Berlin"),
        ("mondays and thursdays 19.00 europe/berlin", {0, 3}, dt.time(19), "Europe/Berlin"),
        ("sun 7pm America/New_York", {6}, dt.time(19), "America/New_York"),
        ("sat 12 am UTC", {5}, dt.time(0), "UTC"),
        ("sat 12:30pm UTC", {5}, dt.time(12, 30), "UTC"),
        ("mon-fri 7:30 UTC", {0, 1, 2, 3, 4}, dt.time(7, 30), "UTC"),
        ("fri - mon 07:30 UTC", {4, 5, 6, 0}, dt.time(7, 30), "UTC"),
        ("daily 06:00 Asia/Kolkata", set(range(7)), dt.time(6), "Asia/Kolkata"),
        ("weekends 10:00 UTC", {5, 6}, dt.time(10), "UTC"),
        ("tues thurs 23:59 UTC", {1, 3}, dt.time(23, 59), "UTC"),
    ],
)
def test_parse_cadence(text: str, weekdays: set[int], at: dt.time, zone: str) -> None:
    cadence = parse_cadence(text)
    assert (cadence.weekdays, cadence.at, cadence.tz.key) == (frozenset(weekdays), at, zone)
    assert parse_cadence(str(cadence)) == cadence


def test_timezone_given_apart() -> None:
    assert parse_cadence("sun 18:00", timezone="Europe/Berlin").tz.key == "Europe/Berlin"
    assert parse_cadence("sun 18:00 Europe/Berlin", timezone=BERLIN).tz.key == "Europe/Berlin"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mnday 19:00 UTC", r"'mnday' is not a weekday: did you mean 'monday'\?"),
        ("mon,xyzzy 19:00 UTC", r"'xyzzy' in 'mon,xyzzy' is not a weekday: use mon, tue"),
        ("mon 25:00 UTC", r"'25:00' is not a time of day: write it as HH:MM .* e\.g\. 19:00"),
        ("mon 19:60 UTC", r"'19:60' is not a time of day"),
        ("mon 19 UTC", r"'19' is not a time of day"),
        ("mon 13pm UTC", r"'13pm' is not a time of day"),
        ("mon 19:00 Europe/Berln", r"unknown timezone 'Europe/Berln' \(did you mean 'Europe/Be"),
        ("mon 19:00 Europe", r"unknown timezone 'Europe'.*use an IANA name such as"),
        ("mon 19:00 ../etc/passwd", r"unknown timezone '\.\./etc/passwd': use an IANA name"),
        ("mon 19:00", r"no timezone in 'mon 19:00': add one .*'mon 19:00 Europe/Berlin'"),
        ("mon thu", r"no time of day in 'mon thu'"),
        ("19:00 UTC", r"no weekday in '19:00 UTC'"),
        ("mon 19:00 UTC Europe/Berlin", r"too much after the time"),
        ("", r"no time of day"),
    ],
)
def test_parse_cadence_errors(text: str, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        parse_cadence(text)


def test_two_different_timezones_are_an_error() -> None:
    with pytest.raises(PlanError, match="names timezone America/New_York but the plan's is"):
        parse_cadence("sun 18:00 America/New_York", timezone="Europe/Berlin")


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_weekdays, ",", "no weekday"),
        (parse_time, "noon", "not a time of day"),
        (parse_timezone, "", "unknown timezone"),
    ],
)
def test_piece_parsers_errors(parse: object, text: str, message: str) -> None:
    assert callable(parse)
    with pytest.raises(PlanError, match=message):
        parse(text)


def test_cadence_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="weekdays"):
        Cadence(frozenset(), dt.time(19), BERLIN)
    with pytest.raises(ValueError, match="weekdays"):
        Cadence(frozenset({7}), dt.time(19), BERLIN)
    with pytest.raises(ValueError, match="without tzinfo"):
        Cadence(frozenset({0}), dt.time(19, tzinfo=UTC), BERLIN)


# Slots.


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        (  # weekly, in winter (CET = UTC+1)
            "mon 19:00 Europe/Berlin",
            utc(2027, 1, 1),
            utc(2027, 2, 1),
            [utc(2027, 1, 4, 18), utc(2027, 1, 11, 18), utc(2027, 1, 18, 18), utc(2027, 1, 25, 18)],
        ),
        (  # several days a week, in summer (EDT = UTC-4)
            "mon,wed,fri 07:30 America/New_York",
            utc(2027, 7, 5),
            utc(2027, 7, 12),
            [utc(2027, 7, 5, 11, 30), utc(2027, 7, 7, 11, 30), utc(2027, 7, 9, 11, 30)],
        ),
        (  # half-open: a slot at the start is in, one at the end is out
            "mon 19:00 Europe/Berlin",
            utc(2027, 1, 4, 18),
            utc(2027, 1, 11, 18),
            [utc(2027, 1, 4, 18)],
        ),
        ("mon 19:00 Europe/Berlin", utc(2027, 1, 5), utc(2027, 1, 5), []),
    ],
)
def test_slots(
    text: str, start: dt.datetime, end: dt.datetime, expected: list[dt.datetime]
) -> None:
    assert list(slots(parse_cadence(text), start, end)) == expected


# Clocks go forward on the last Sunday of March in Berlin (02:00 -> 03:00, 28 Mar 2027) and on
# the second Sunday of March in New York (02:00 -> 03:00, 14 Mar 2027); they go back on the last
# Sunday of October (03:00 -> 02:00, 31 Oct 2027) and the first Sunday of November (02:00 ->
# 01:00, 7 Nov 2027).
@pytest.mark.parametrize(
    ("text", "day", "expected"),
    [
        # Spring: the week before, the day itself, the week after, at an ordinary time.
        ("sun 19:00 Europe/Berlin", dt.date(2027, 3, 21), utc(2027, 3, 21, 18)),
        ("sun 19:00 Europe/Berlin", dt.date(2027, 3, 28), utc(2027, 3, 28, 17)),
        # Spring, a time in the gap: the first instant after it, 03:00 CEST.
        ("sun 02:30 Europe/Berlin", dt.date(2027, 3, 28), utc(2027, 3, 28, 1)),
        ("sun 02:00 Europe/Berlin", dt.date(2027, 3, 28), utc(2027, 3, 28, 1)),
        ("sun 03:00 Europe/Berlin", dt.date(2027, 3, 28), utc(2027, 3, 28, 1)),
        ("sun 01:59 Europe/Berlin", dt.date(2027, 3, 28), utc(2027, 3, 28, 0, 59)),
        ("sun 02:30 America/New_York", dt.date(2027, 3, 14), utc(2027, 3, 14, 7)),
        ("sun 19:00 America/New_York", dt.date(2027, 3, 14), utc(2027, 3, 14, 23)),
        # Autumn, a time that happens twice: the first time (still summer time).
        ("sun 02:30 Europe/Berlin", dt.date(2027, 10, 31), utc(2027, 10, 31, 0, 30)),
        ("sun 03:00 Europe/Berlin", dt.date(2027, 10, 31), utc(2027, 10, 31, 2)),
        ("sun 01:30 America/New_York", dt.date(2027, 11, 7), utc(2027, 11, 7, 5, 30)),
        ("sun 19:00 America/New_York", dt.date(2027, 11, 7), utc(2027, 11, 8, 0)),
        ("sun 19:00 Europe/Berlin", dt.date(2027, 10, 31), utc(2027, 10, 31, 18)),
    ],
)
def test_slot_on_dst_days(text: str, day: dt.date, expected: dt.datetime) -> None:
    assert slot_on(parse_cadence(text), day) == expected


@pytest.mark.parametrize(
    ("zone", "at", "start"),
    [
        ("Europe/Berlin", "02:30", dt.date(2027, 3, 25)),
        ("Europe/Berlin", "02:30", dt.date(2027, 10, 28)),
        ("America/New_York", "02:30", dt.date(2027, 3, 11)),
        ("America/New_York", "01:30", dt.date(2027, 11, 4)),
        ("Europe/Berlin", "19:00", dt.date(2027, 3, 25)),
        ("America/New_York", "19:00", dt.date(2027, 11, 4)),
    ],
)
def test_one_post_per_day_across_dst_with_a_ticking_loop(
    zone: str, at: str, start: dt.date
) -> None:
    """A tick every two minutes for a week around a transition posts once per local day."""
    cadence = parse_cadence(f"daily {at} {zone}")
    tz = ZoneInfo(zone)
    begin = dt.datetime.combine(start, dt.time(), tzinfo=tz).astimezone(UTC)
    now, last_slot = begin, None
    posted: list[dt.datetime] = []
    while now < begin + dt.timedelta(days=7):
        found = due(cadence, plan_start=begin, last_slot=last_slot, now=now)
        if found is not None:
            assert not found.late and found.missed == 0
            posted.append(found.slot)
            last_slot = found.slot
        now += dt.timedelta(minutes=2)
    days = [p.astimezone(tz).date() for p in posted]
    assert days == [start + dt.timedelta(days=n) for n in range(7)]
    assert posted == [slot_on(cadence, day) for day in days]
    wall = parse_cadence(f"daily {at} UTC").at
    for p in posted:
        # At the local time asked for, or (in a spring gap) the first instant after the gap.
        shown = p.astimezone(tz).time()
        assert shown == wall or (shown > wall and p.astimezone(tz).dst())


@pytest.mark.parametrize(
    ("text", "after", "expected"),
    [
        ("mon,thu 19:00 Europe/Berlin", utc(2027, 1, 4, 17, 59), utc(2027, 1, 4, 18)),
        ("mon,thu 19:00 Europe/Berlin", utc(2027, 1, 4, 18), utc(2027, 1, 7, 18)),
        ("mon,thu 19:00 Europe/Berlin", utc(2027, 1, 7, 18, 0, 1), utc(2027, 1, 11, 18)),
        ("sun 19:00 Europe/Berlin", utc(2027, 3, 21, 18), utc(2027, 3, 28, 17)),
        ("daily 00:30 Pacific/Auckland", utc(2027, 6, 1), utc(2027, 6, 1, 12, 30)),
    ],
)
def test_next_slot(text: str, after: dt.datetime, expected: dt.datetime) -> None:
    assert next_slot(parse_cadence(text), after) == expected


def test_other_aware_timezones_are_accepted_and_utc_returned() -> None:
    cadence = parse_cadence("mon 19:00 Europe/Berlin")
    after = dt.datetime(2027, 1, 4, 18, 0, tzinfo=BERLIN)
    found = next_slot(cadence, after)
    assert found == utc(2027, 1, 4, 18) and found.tzinfo is UTC


# The catch-up rule.

MON_THU = "mon,thu 19:00 Europe/Berlin"
MON_4_JAN = utc(2027, 1, 4, 18)  # Monday 19:00 in Berlin


@pytest.mark.parametrize(
    ("last_slot", "now", "expected", "late", "missed"),
    [
        # A tick exactly at the slot, and one a few minutes later: on time.
        (None, MON_4_JAN, MON_4_JAN, False, 0),
        (None, MON_4_JAN + dt.timedelta(minutes=10), MON_4_JAN, False, 0),
        # Before the slot: nothing.
        (None, MON_4_JAN - dt.timedelta(seconds=1), None, False, 0),
        # Handled already: nothing until the next slot.
        (MON_4_JAN, MON_4_JAN, None, False, 0),
        (MON_4_JAN, MON_4_JAN + dt.timedelta(days=3) - dt.timedelta(seconds=1), None, False, 0),
        (MON_4_JAN, utc(2027, 1, 7, 18), utc(2027, 1, 7, 18), False, 0),
        # Down for an hour across Thursday's slot (18:30 to 19:30 local): that one, late.
        (MON_4_JAN, utc(2027, 1, 7, 18, 30), utc(2027, 1, 7, 18), True, 0),
        # Down for an hour with no slot in it: nothing.
        (MON_4_JAN, utc(2027, 1, 5, 12), None, False, 0),
        # Down three days, Monday evening to Thursday evening: Thursday's, late.
        (MON_4_JAN, utc(2027, 1, 7, 19, 5), utc(2027, 1, 7, 18), True, 0),
        # Down five weeks: only the latest of ten slots, nine missed.
        (MON_4_JAN, utc(2027, 2, 8, 19), utc(2027, 2, 8, 18), True, 9),
        # Down five weeks across the spring transition: the latest is in summer time.
        (utc(2027, 3, 1, 18), utc(2027, 4, 5, 20), utc(2027, 4, 5, 17), True, 9),
    ],
)
def test_due(
    last_slot: dt.datetime | None,
    now: dt.datetime,
    expected: dt.datetime | None,
    late: bool,
    missed: int,
) -> None:
    found = due(parse_cadence(MON_THU), plan_start=utc(2027, 1, 1), last_slot=last_slot, now=now)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert (found.slot, found.late, found.missed) == (expected, late, missed)


@pytest.mark.parametrize(
    ("downtime", "missed"),
    [(dt.timedelta(hours=1), 0), (dt.timedelta(days=3), 0), (dt.timedelta(weeks=5), 9)],
)
def test_after_downtime_one_catch_up_then_the_schedule(downtime: dt.timedelta, missed: int) -> None:
    """Down from just before Thursday 7 Jan's slot: one late post, then the next regular one."""
    cadence = parse_cadence(MON_THU)
    down = utc(2027, 1, 7, 17, 30)
    now = down + downtime
    catch_up = due(cadence, plan_start=utc(2027, 1, 1), last_slot=MON_4_JAN, now=now)
    assert catch_up is not None
    assert catch_up.late and catch_up.missed == missed
    assert catch_up.slot == max(slots(cadence, down, now))
    # Recorded, the next tick has nothing; the following scheduled slot posts on time.
    assert due(cadence, plan_start=utc(2027, 1, 1), last_slot=catch_up.slot, now=now) is None
    following = next_slot(cadence, catch_up.slot)
    assert following > now
    assert following.astimezone(BERLIN).weekday() in (0, 3)
    regular = due(cadence, plan_start=utc(2027, 1, 1), last_slot=catch_up.slot, now=following)
    assert regular is not None
    assert (regular.slot, regular.late, regular.missed) == (following, False, 0)


def test_a_tick_twice_in_the_same_minute_posts_once() -> None:
    cadence = parse_cadence(MON_THU)
    first = due(cadence, plan_start=utc(2027, 1, 1), last_slot=None, now=MON_4_JAN)
    assert first is not None and first.slot == MON_4_JAN
    again = due(
        cadence,
        plan_start=utc(2027, 1, 1),
        last_slot=first.slot,
        now=MON_4_JAN + dt.timedelta(seconds=30),
    )
    assert again is None


@pytest.mark.parametrize(
    ("plan_start", "now", "expected", "missed"),
    [
        # Started on Wednesday: Monday's slot is not due, Thursday's is.
        (utc(2027, 1, 6), utc(2027, 1, 7, 18, 5), utc(2027, 1, 7, 18), 0),
        (utc(2027, 1, 6), utc(2027, 1, 6, 23), None, 0),
        # Started exactly at a slot: that slot counts.
        (MON_4_JAN, MON_4_JAN, MON_4_JAN, 0),
        # Started long ago and never posted: the latest slot, the rest missed.
        (utc(2027, 1, 1), utc(2027, 1, 14, 18), utc(2027, 1, 14, 18), 3),
    ],
)
def test_no_slot_before_the_plan_starts(
    plan_start: dt.datetime, now: dt.datetime, expected: dt.datetime | None, missed: int
) -> None:
    found = due(parse_cadence(MON_THU), plan_start=plan_start, last_slot=None, now=now)
    assert (found and (found.slot, found.missed)) == (expected and (expected, missed))


@pytest.mark.parametrize(
    ("delay", "late"),
    [
        (dt.timedelta(0), False),
        (dt.timedelta(minutes=10), False),
        (dt.timedelta(minutes=10, seconds=1), True),
    ],
)
def test_grace(delay: dt.timedelta, late: bool) -> None:
    found = due(
        parse_cadence(MON_THU), plan_start=utc(2027, 1, 1), last_slot=None, now=MON_4_JAN + delay
    )
    assert found is not None and found.late is late
    strict = due(
        parse_cadence(MON_THU),
        plan_start=utc(2027, 1, 1),
        last_slot=None,
        now=MON_4_JAN + delay,
        grace=dt.timedelta(0),
    )
    assert strict is not None and strict.late is (delay > dt.timedelta(0))


NAIVE = dt.datetime(2027, 1, 4, 18)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: list(slots(c, NAIVE, utc(2027, 2, 1))),
        lambda c: slots(c, utc(2027, 1, 1), NAIVE),
        lambda c: next_slot(c, NAIVE),
        lambda c: due(c, plan_start=NAIVE, last_slot=None, now=MON_4_JAN),
        lambda c: due(c, plan_start=utc(2027, 1, 1), last_slot=NAIVE, now=MON_4_JAN),
        lambda c: due(c, plan_start=utc(2027, 1, 1), last_slot=None, now=NAIVE),
    ],
)
def test_naive_datetimes_are_refused(call: object) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match="aware"):
        call(parse_cadence(MON_THU))
