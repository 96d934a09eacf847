"""Instants as the database stores them: one fixed-width UTC text, read back to the same instant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from bot.core.instants import format_instant, format_marker_instant, parse_instant
from bot.core.schedule import UTC

BERLIN_WINTER = dt.timezone(dt.timedelta(hours=1))


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (dt.datetime(2027, 1, 4, 18, 0, tzinfo=UTC), "2027-01-04T18:00:00.000000Z"),
        (dt.datetime(2027, 1, 4, 18, 0, 0, 1500, tzinfo=UTC), "2027-01-04T18:00:00.001500Z"),
        (dt.datetime(999, 1, 1, tzinfo=UTC), "0999-01-01T00:00:00.000000Z"),  # the year padded
        (dt.datetime(2027, 1, 4, 19, 0, tzinfo=BERLIN_WINTER), "2027-01-04T18:00:00.000000Z"),
    ],
)
def test_instants_are_stored_as_utc_text_and_read_back(moment: dt.datetime, text: str) -> None:
    assert format_instant(moment) == text
    assert parse_instant(text) == moment


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (dt.datetime(2027, 1, 4, 18, 0, tzinfo=UTC), "2027-01-04T18:00:00Z"),
        (dt.datetime(2027, 1, 4, 18, 0, 0, 1500, tzinfo=UTC), "2027-01-04T18:00:00.001500Z"),
        (dt.datetime(999, 1, 1, tzinfo=UTC), "0999-01-01T00:00:00Z"),
        (dt.datetime(2027, 1, 4, 19, 0, tzinfo=BERLIN_WINTER), "2027-01-04T18:00:00Z"),
    ],
)
def test_markers_keep_the_short_form_and_it_still_reads(moment: dt.datetime, text: str) -> None:
    assert format_marker_instant(moment) == text
    assert parse_instant(text) == moment


def test_text_order_is_time_order() -> None:
    # The short form broke this: "18:00:00.5Z" sorts before "18:00:00Z" ("." < "Z").
    base = dt.datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC)
    steps = [dt.timedelta(0), dt.timedelta(microseconds=1), dt.timedelta(microseconds=500_000)]
    steps += [dt.timedelta(seconds=1), dt.timedelta(seconds=1, microseconds=1)]
    steps += [dt.timedelta(days=400), dt.timedelta(days=365 * 1100)]
    moments = [base + step for step in steps]
    texts = [format_instant(m) for m in moments]
    assert sorted(texts) == texts
    assert len({len(t) for t in texts}) == 1
    assert [parse_instant(t) for t in texts] == moments


@pytest.mark.parametrize(
    "bad",
    [
        "2027-01-04T18:00:00",
        "2027-01-04 18:00:00Z",
        "2027-01-04T18:00:00.123Z",
        "2027-01-04T18:00:00.000000+00:00",
        "999-01-01T00:00:00Z",
        "tomorrow",
    ],
)
def test_parse_instant_refuses_other_forms(bad: str) -> None:
    with pytest.raises(ValueError, match="is not an instant"):
        parse_instant(bad)


@pytest.mark.parametrize("write", [format_instant, format_marker_instant])
def test_formatting_refuses_naive_datetimes(write: Callable[[dt.datetime], str]) -> None:
    with pytest.raises(ValueError, match="naive"):
        write(dt.datetime(2027, 1, 4, 18, 0))
