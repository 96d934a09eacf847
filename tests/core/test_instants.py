"""Instants as the database stores them: UTC text, read back to the same instant."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.instants import format_instant, parse_instant
from bot.core.schedule import UTC


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (dt.datetime(2027, 1, 4, 18, 0, tzinfo=UTC), "2027-01-04T18:00:00Z"),
        (dt.datetime(2027, 1, 4, 18, 0, 0, 1500, tzinfo=UTC), "2027-01-04T18:00:00.001500Z"),
        (dt.datetime(999, 1, 1, tzinfo=UTC), "0999-01-01T00:00:00Z"),  # the year padded
        (
            dt.datetime(2027, 1, 4, 19, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))),
            "2027-01-04T18:00:00Z",
        ),
    ],
)
def test_instants_are_stored_as_utc_text_and_read_back(moment: dt.datetime, text: str) -> None:
    assert format_instant(moment) == text
    assert parse_instant(text) == moment


@pytest.mark.parametrize("bad", ["2027-01-04T18:00:00", "2027-01-04 18:00:00Z", "tomorrow"])
def test_parse_instant_refuses_other_forms(bad: str) -> None:
    with pytest.raises(ValueError, match="is not an instant"):
        parse_instant(bad)


def test_format_instant_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_instant(dt.datetime(2027, 1, 4, 18, 0))
