"""Instants as the database stores them: one text form, ``2027-01-04T18:00:00.000000Z``.

Every stored instant (a post's slot and times, a group's start, a reply's times, an opt-out, a
summary's claim) is UTC ISO-8601 with the year padded to four digits and the microseconds
always written. Fixed width makes text order time order, so SQL compares stamps as text: the
weekly summary's range queries on reply times, the newer-edit check of the reply log and the
retention cutoff. The microseconds are kept because the reply log needs them: Discord times
edits to the microsecond, and two edits within one second must still apply in order.

Older versions wrote posts', summaries' and groups' instants without the fraction
(``2027-01-04T18:00:00Z``); migration 0007 rewrote them to this form, and :func:`parse_instant`
still reads that form, which post markers keep (see :func:`format_marker_instant`).
"""

from __future__ import annotations

import datetime as dt
import re

from bot.core.schedule import UTC

#: An instant's text in either form, without anchors, for patterns that embed one (a marker).
INSTANT_PATTERN = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?Z"
_INSTANT_RE = re.compile(f"^{INSTANT_PATTERN}$")


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError(f"an instant must be aware (UTC), not naive {moment!r}")
    # isoformat pads the year to four digits; strftime("%Y") gives "999" for the year 999.
    return moment.astimezone(UTC).replace(tzinfo=None)


def format_instant(moment: dt.datetime) -> str:
    """An instant as stored: ``2027-01-04T18:00:00.000000Z`` (UTC, fixed width).

    Raises:
        ValueError: ``moment`` is naive.
    """
    return _utc(moment).isoformat(timespec="microseconds") + "Z"


def format_marker_instant(moment: dt.datetime) -> str:
    """An instant as a post's marker shows it: ``2027-01-04T18:00:00Z``, the fraction only when
    there is one. Markers are not stored (they are compared after :func:`parse_instant`), and
    every post already sent carries this shorter form in its footer.

    Raises:
        ValueError: ``moment`` is naive.
    """
    moment = _utc(moment)
    return moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds") + "Z"


def parse_instant(text: str) -> dt.datetime:
    """The instant of a stored stamp or a marker's: either form above, as an aware UTC datetime.

    Raises:
        ValueError: not of either form.
    """
    if not _INSTANT_RE.match(text):
        raise ValueError(f"{text!r} is not an instant like 2027-01-04T18:00:00.000000Z")
    # fromisoformat reads the "Z" as UTC (Python 3.11+); replace(tzinfo=) would cost ten times
    # as much, and the weekly summary reads tens of thousands of reply times.
    return dt.datetime.fromisoformat(text)
