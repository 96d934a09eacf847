"""The weekly summary's chart: replies as bars and the plan's progress as a line, as a PNG.

Drawn with Pillow rather than matplotlib: the bot runs on Raspberry Pis, where Pillow has
wheels, imports in milliseconds and draws this chart in a few tens of milliseconds. The image
is 1000x560 with large type and strong colours so it reads on a phone; it is drawn at twice
that size and scaled down (a box filter), which smooths the lines and letters.

:func:`render_chart` never raises on odd data (no replies, one bucket, huge counts); should
drawing fail anyway, :func:`try_render_chart` logs it and returns None so the summary is
posted as text alone.
"""

from __future__ import annotations

import io
import logging
import math
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from bot.core.summary import ChartData

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 1000, 560
_SCALE = 2  # drawn this many times larger, then scaled down

BACKGROUND = (255, 255, 255)
INK = (20, 20, 28)
MUTED = (90, 90, 100)
GRID = (222, 222, 228)
BAR = (38, 84, 150)  # the summarised week
BAR_EARLIER = (150, 178, 214)  # the weeks before it
LINE = (196, 40, 62)

_SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Pillow's default font has no en or em dash.
_PLAIN = str.maketrans({"–": "-", "—": "-"})
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font(size: int) -> Font:
    """Pillow's own scalable font (no font file needed), or its bitmap font without FreeType."""
    try:
        return ImageFont.load_default(size=size)
    except (ImportError, OSError, TypeError):  # a Pillow built without FreeType
        return ImageFont.load_default()


def render_chart(data: ChartData) -> bytes:
    """The chart as PNG bytes (see the module docstring)."""
    s = _SCALE
    image = Image.new("RGB", (WIDTH * s, HEIGHT * s), BACKGROUND)
    draw = ImageDraw.Draw(image)
    title, label, small = _font(32 * s), _font(26 * s), _font(24 * s)

    left, right, top, bottom = 96 * s, (WIDTH - 96) * s, 116 * s, (HEIGHT - 62) * s
    heading = _fit(draw, data.title.translate(_PLAIN), title, (WIDTH - 56) * s)
    draw.text((28 * s, 16 * s), heading, INK, title)
    _legend(draw, 28 * s, 68 * s, label)

    counts = [max(0, int(c)) for c in data.replies]
    n = len(counts)
    peak = max(counts, default=0)
    step, top_value = _ticks(peak)
    height = bottom - top

    def y_of_count(value: float) -> float:
        return bottom - height * value / top_value

    for i in range(round(top_value / step) + 1):
        value = i * step
        y = y_of_count(value)
        draw.line([(left, y), (right, y)], GRID, width=2 * s)
        text = _count(value)
        width = draw.textlength(text, font=small)
        draw.text((left - 12 * s - width, y - 13 * s), text, MUTED, small)
    for percent in (0, 50, 100):
        y = bottom - height * percent / 100
        draw.text((right + 12 * s, y - 13 * s), f"{percent}%", LINE, small)

    slot = (right - left) / max(n, 1)
    bar_width = max(s, slot * (0.72 if n > 1 else 0.4))
    for i, count in enumerate(counts):
        if count <= 0:
            continue
        x = left + slot * (i + 0.5)
        y = min(y_of_count(count), bottom - s)  # a bar of 1 among millions still shows
        colour = BAR if i >= data.current else BAR_EARLIER
        draw.rectangle([(x - bar_width / 2, y), (x + bar_width / 2, bottom)], fill=colour)
    draw.line([(left, bottom), (right, bottom)], INK, width=2 * s)

    if peak == 0:
        note = "No replies in these weeks yet"
        width = draw.textlength(note, font=label)
        draw.text(((left + right - width) / 2, top + height * 0.35), note, MUTED, label)

    _x_labels(draw, data, left, slot, bottom + 12 * s, small)
    _progress_line(draw, data, left, slot, bottom, height, label)

    out = io.BytesIO()
    # A box filter is exact for a whole-number factor and ten times faster than Lanczos; PNG's
    # "optimize" would triple the encoding time to save a few kilobytes.
    image.reduce(_SCALE).save(out, "PNG")
    return out.getvalue()


def try_render_chart(data: ChartData) -> bytes | None:
    """:func:`render_chart`, or None (logged with its traceback) if drawing fails."""
    try:
        return render_chart(data)
    except Exception:  # the summary must go out as text whatever broke in drawing
        log.exception(
            "could not draw the summary chart (%d buckets); posting text only", len(data.starts)
        )
        return None


def _legend(draw: ImageDraw.ImageDraw, x: float, y: float, font: Font) -> None:
    s = _SCALE
    draw.rectangle([(x, y + 4 * s), (x + 26 * s, y + 26 * s)], fill=BAR)
    x += 36 * s
    draw.text((x, y), "Replies", INK, font)
    x += draw.textlength("Replies", font=font) + 40 * s
    draw.line([(x, y + 15 * s), (x + 40 * s, y + 15 * s)], LINE, width=6 * s)
    draw.ellipse([(x + 13 * s, y + 8 * s), (x + 27 * s, y + 22 * s)], fill=LINE)
    x += 52 * s
    draw.text((x, y), "Plan progress (% of words)", INK, font)


def _progress_line(
    draw: ImageDraw.ImageDraw,
    data: ChartData,
    left: float,
    slot: float,
    bottom: float,
    height: float,
    font: Font,
) -> None:
    s = _SCALE
    points = [
        (left + slot * (i + 0.5), bottom - height * min(100.0, max(0.0, float(p))) / 100)
        for i, p in enumerate(data.progress)
        if p is not None and math.isfinite(p)
    ]
    if not points:
        return
    if len(points) > 1:
        draw.line(points, LINE, width=6 * s, joint="curve")
    radius = (7 if len(points) <= 31 else 4) * s
    for x, y in points:
        draw.ellipse([(x - radius, y - radius), (x + radius, y + radius)], fill=LINE)
    last = next(p for p in reversed(data.progress) if p is not None and math.isfinite(p))
    text = f"{math.floor(min(100.0, max(0.0, last)))}%"
    x, y = points[-1]
    width = draw.textlength(text, font=font)
    # Above the point, kept inside the plot: the line's latest value is what people look for.
    tx = min(max(x - width / 2, left), left + slot * len(data.progress) - width)
    ty = y - 44 * s if y - 44 * s > bottom - height - 30 * s else y + 14 * s
    draw.rectangle([(tx - 4 * s, ty), (tx + width + 4 * s, ty + 30 * s)], fill=BACKGROUND)
    draw.text((tx, ty), text, LINE, font)


def _x_labels(
    draw: ImageDraw.ImageDraw, data: ChartData, left: float, slot: float, y: float, font: Font
) -> None:
    """Dates under the bars: each Monday for daily bars (at the week's left edge, with a
    tick), or a few weeks' Mondays under their bars for weekly bars (always the last one)."""
    s = _SCALE
    n = len(data.starts)
    if n == 0:
        return
    if data.unit == "day":
        wanted = [i for i, day in enumerate(data.starts) if day.weekday() == 0] or [0]
    else:
        every = max(1, math.ceil(n / 7))
        wanted = list(range(n - 1, -1, -every))[::-1]
    last_end = -math.inf
    for i in wanted:
        day = data.starts[i]
        text = f"{day.day} {_SHORT_MONTHS[day.month - 1]}"
        width = draw.textlength(text, font=font)
        if data.unit == "day":
            tick = left + slot * i
            x = tick + 4 * s
        else:
            tick = left + slot * (i + 0.5)
            x = tick - width / 2
        x = min(max(x, 4 * s), WIDTH * s - width - 4 * s)
        if x < last_end + 16 * s:  # never let two labels collide
            continue
        draw.line([(tick, y - 12 * s), (tick, y)], INK, width=2 * s)
        draw.text((x, y), text, INK, font)
        last_end = x + width


def _ticks(peak: int) -> tuple[float, float]:
    """A round step (1, 2 or 5 times a power of ten) and the axis top, about four steps."""
    if peak <= 0:
        return 1.0, 4.0
    raw = peak / 4
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(1, step)
    return float(step), float(step * math.ceil(peak / step))


def _count(value: float) -> str:
    """``850``, ``1.5k``, ``12k``, ``3M``: short enough for the axis."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            short = value / size
            return (
                f"{short:.1f}".rstrip("0").rstrip(".") + suffix
                if short < 10
                else f"{short:.0f}{suffix}"
            )
    return f"{value:.0f}"


def _fit(draw: ImageDraw.ImageDraw, text: str, font: Font, width: float) -> str:
    """``text`` shortened with an ellipsis to ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"
