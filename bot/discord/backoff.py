"""Per-group retries for the background ticks (installments, summaries).

One group's failure must neither stop the tick for the others nor be retried (and logged) on
every tick: after a failure the group waits a minute, then twice as long after each further
failure up to an hour, and the same error is logged once, not at every try.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

BACKOFF_FIRST = dt.timedelta(minutes=1)
BACKOFF_MAX = dt.timedelta(hours=1)


class GroupBackoff:
    """When each group may be tried again, and which error was last logged for it.

    Args:
        log: where failures go.
        what: what failed, for the message ("the posting", "the weekly summary").
        expected: exception types logged without a traceback (a user's or Discord's doing).
    """

    def __init__(
        self, log: logging.Logger, what: str, expected: Sequence[type[BaseException]] = ()
    ) -> None:
        self.log = log
        self.what = what
        self.expected = tuple(expected)
        self._retry: dict[int, tuple[dt.datetime, int]] = {}  # channel -> (not before, failures)
        self._logged: dict[int, str] = {}  # channel -> the error logged last

    def ready(self, channel_id: int, now: dt.datetime) -> bool:
        """Whether the group's wait after its last failure is over."""
        retry = self._retry.get(channel_id)
        return retry is None or now >= retry[0]

    def succeeded(self, channel_id: int) -> None:
        self._retry.pop(channel_id, None)
        self._logged.pop(channel_id, None)

    def failed(self, name: str, channel_id: int, exc: BaseException, now: dt.datetime) -> None:
        """Record a failure of the group ``name``: wait longer, and log it unless it repeats."""
        _, failures = self._retry.get(channel_id, (now, 0))
        failures += 1
        wait = min(BACKOFF_FIRST * 2 ** (failures - 1), BACKOFF_MAX)
        self._retry[channel_id] = (now + wait, failures)
        text = f"{type(exc).__name__}: {exc}"
        if self._logged.get(channel_id) == text:
            self.log.debug("Group %s: %s failed again: %s", name, self.what, text)
            return
        self._logged[channel_id] = text
        self.log.error(
            "Group %s (channel %s): %s failed: %s; next try in %s",
            name,
            channel_id,
            self.what,
            text,
            wait,
            exc_info=None if isinstance(exc, self.expected) else exc,
        )
