"""The summary chart: a readable PNG for typical and odd data, and None instead of a crash."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from PIL import Image

from bot.core.summary import ChartData
from bot.discord import chart
from bot.discord.chart import BAR, BAR_EARLIER, HEIGHT, LINE, WIDTH, render_chart, try_render_chart

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MONDAY = dt.date(2026, 10, 26)


def data(
    replies: list[int],
    progress: list[float | None] | None = None,
    *,
    unit: str = "day",
    current: int = 0,
    title: str = "Replies per day and plan progress · 26 Oct – 22 Nov 2026",
) -> ChartData:
    step = 1 if unit == "day" else 7
    return ChartData(
        title=title,
        unit="day" if unit == "day" else "week",
        starts=tuple(MONDAY + dt.timedelta(days=i * step) for i in range(len(replies))),
        replies=tuple(replies),
        progress=tuple(progress if progress is not None else [50.0] * len(replies)),
        current=current,
    )


#: The plot area, below the title and legend (which show the colours too) and above the dates.
PLOT = (100, 125, WIDTH - 100, HEIGHT - 70)


def colours(png: bytes) -> set[tuple[int, int, int]]:
    """The colours inside the plot area of a valid PNG of the expected size."""
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (WIDTH, HEIGHT)
    plot = image.convert("RGB").crop(PLOT)
    return {colour for _, colour in plot.getcolors(WIDTH * HEIGHT) or []}


TYPICAL = data(
    [3, 8, 0, 12, 5, 1, 0] * 4,
    [0, 0, 0, 10, 10, 10, 10] + [20] * 7 + [40] * 7 + [60, 60, 80, 80, 80, None, None],
    current=21,
)


def test_a_typical_chart_draws_both_weeks_bars_and_the_line() -> None:
    png = render_chart(TYPICAL)
    assert png.startswith(PNG_MAGIC)
    assert 5_000 < len(png) < 500_000
    found = colours(png)
    assert {BAR, BAR_EARLIER, LINE} <= found


@pytest.mark.parametrize(
    "odd",
    [
        data([]),
        data([0] * 28),
        data([7]),
        data([10**15, 1, 0]),
        data([-5, 3]),
        data([4, 4], [float("nan"), float("inf")]),
        data([4, 4], [-20.0, 250.0]),
        data([1] * 28, [None] * 28),
        data([2] * 365, [i / 3.65 for i in range(365)]),
        data([9] * 52, unit="week", current=51),
        data([1, 2], title="A very long group name " * 20),
    ],
    ids=[
        "no-buckets",
        "no-replies",
        "one-day",
        "huge-counts",
        "negative-count",
        "nan-progress",
        "progress-out-of-range",
        "no-progress-yet",
        "a-year-of-days",
        "weeks",
        "long-title",
    ],
)
def test_odd_data_still_gives_a_png(odd: ChartData) -> None:
    png = render_chart(odd)
    assert png.startswith(PNG_MAGIC)
    colours(png)


def test_no_replies_draws_no_bar() -> None:
    found = colours(render_chart(data([0] * 28, current=21)))
    assert BAR not in found and BAR_EARLIER not in found
    assert LINE in found


def test_a_broken_renderer_gives_none_and_logs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("no memory for the image")

    monkeypatch.setattr(chart.Image, "new", broken)
    with caplog.at_level(logging.ERROR, logger="bot.discord.chart"):
        assert try_render_chart(TYPICAL) is None
    assert "could not draw the summary chart" in caplog.text
    assert "no memory for the image" in caplog.text


def test_try_render_chart_passes_a_good_chart_through() -> None:
    png = try_render_chart(TYPICAL)
    assert png is not None and png.startswith(PNG_MAGIC)
