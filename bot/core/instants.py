"""Instants as the database stores them: UTC ISO-8601 text, ``2027-01-04T18:00:00Z``."""

from __future__ import annotations

import datetime as dt
import re

from bot.core.schedule import UTC

#: An instant's text, without anchors, for patterns that embed one (a post's marker).
INSTANT_PATTERN = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?Z"
_INSTANT_RE = re.compile(f"^{INSTANT_PATTERN}$")


def format_instant(moment: dt.datetime) -> str:
    """An instant as stored and shown in markers: ``2027-01-04T18:00:00Z`` (UTC, no offset).

    Raises:
        ValueError: ``moment`` is naive.
    """
    if moment.tzinfo is None:
        raise ValueError(f"an instant must be aware (UTC), not naive {moment!r}")
    moment = moment.astimezone(UTC)
    # isoformat pads the year to four digits; strftime("%Y") gives "999" for the year 999.
    text = moment.replace(tzinfo=None, microsecond=0).isoformat()
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return text + "Z"


def parse_instant(text: str) -> dt.datetime:
    """The inverse of :func:`format_instant`.

    Raises:
        ValueError: not of that form.
    """
    if not _INSTANT_RE.match(text):
        raise ValueError(f"{text!r} is not an instant like 2027-01-04T18:00:00Z")
    return dt.datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
