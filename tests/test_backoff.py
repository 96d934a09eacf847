"""Per-group retries: waits that double up to an hour, each error logged once."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from bot.discord.backoff import BACKOFF_MAX, GroupBackoff

T0 = dt.datetime(2027, 1, 4, 18, tzinfo=dt.UTC)
log = logging.getLogger("tests.backoff")


def test_waits_double_up_to_an_hour_and_reset_on_success() -> None:
    backoff = GroupBackoff(log, "the posting")
    now = T0
    waits = []
    for _ in range(9):
        backoff.failed("readers", 1, RuntimeError("boom"), now)
        wait = dt.timedelta(0)
        while not backoff.ready(1, now + wait):
            wait += dt.timedelta(minutes=1)
        waits.append(wait)
        now += wait
    assert waits == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60, 60)]
    assert waits[-1] == BACKOFF_MAX
    assert backoff.ready(2, T0)  # other groups are not held back
    backoff.succeeded(1)
    assert backoff.ready(1, now)
    backoff.failed("readers", 1, RuntimeError("boom"), now)
    assert not backoff.ready(1, now + dt.timedelta(seconds=59))
    assert backoff.ready(1, now + dt.timedelta(minutes=1))


def test_an_error_is_logged_once_with_a_traceback_only_when_unexpected(
    caplog: pytest.LogCaptureFixture,
) -> None:
    backoff = GroupBackoff(log, "the posting", expected=(PermissionError,))
    with caplog.at_level(logging.ERROR, logger="tests.backoff"):
        for _ in range(3):
            backoff.failed("readers", 1, PermissionError("Missing Access"), T0)
        backoff.failed("readers", 1, RuntimeError("bug"), T0)
        backoff.failed("readers", 1, RuntimeError("bug"), T0)
    assert [(r.getMessage(), r.exc_info is not None) for r in caplog.records] == [
        (
            "Group readers (channel 1): the posting failed: PermissionError: Missing Access; "
            "next try in 0:01:00",
            False,
        ),
        (
            "Group readers (channel 1): the posting failed: RuntimeError: bug; next try in 0:08:00",
            True,
        ),
    ]
