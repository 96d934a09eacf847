"""/concord as Discord shows it: pages of keyword-in-context lines, and the dispersion strips.

The image is small (a strip per reading, a tick where the term occurs) and drawn with Pillow
like the summary's chart (:mod:`bot.discord.chart`); drawing never raises on odd data, and
should it fail anyway :func:`try_render_dispersion` logs it and the pages go out without it.
"""

from __future__ import annotations

import functools
import io
import logging

import discord
from PIL import Image, ImageDraw

from bot.core.concord import Concordance, Line, ReadingUses
from bot.core.pages import clip
from bot.core.search import MARKDOWN
from bot.core.wording import plural
from bot.discord.chart import _fit, _font
from bot.discord.render import COLOUR, FIELD_VALUE_LIMIT, FOOTER_LIMIT, TITLE_LIMIT, fitted

log = logging.getLogger(__name__)

LINES_PER_PAGE = 8
"""Lines on one page: each at most ~170 characters, so a page stays far inside 4096."""

DISPERSION_FILE = "concord.png"

STRIPS = 12
"""Most readings the image shows (those with the most uses, in library order)."""

_WIDTH = 640
_LABEL = 170
_STRIP = 26
_INK, _TRACK, _TICK = (20, 20, 28), (232, 232, 238), (139, 30, 63)


def page_count(concordance: Concordance) -> int:
    """How many pages :func:`concord_page` has for ``concordance`` (1 when it has no lines)."""
    return max(1, -(-concordance.line_count // LINES_PER_PAGE))


def concord_page(
    concordance: Concordance, term: str, index: int = 0, *, image: bool = False
) -> discord.Embed:
    """Page ``index`` (0-based) of the concordance: :data:`LINES_PER_PAGE` lines grouped by
    reading; the first page also counts the uses per reading. With ``image``, the page shows
    the dispersion image attached as :data:`DISPERSION_FILE`. Pages are built when shown, so
    the first costs the same whatever the number of lines."""
    title = clip(f"Concordance: {term}", TITLE_LIMIT)
    if concordance.nothing_to_search:
        return _message(title, "There is nothing to look up in that: type a word.")
    if not concordance.readings:
        return _message(
            title, "No reading uses that word. Try another form of it, or a prefix: `internat*`."
        )
    count = page_count(concordance)
    index = max(0, min(index, count - 1))
    chunk = concordance.lines_between(index * LINES_PER_PAGE, (index + 1) * LINES_PER_PAGE)
    embed = discord.Embed(title=title, colour=COLOUR, description=_lines_text(chunk))
    if index == 0:
        embed.add_field(name="Uses per reading", value=_counts(concordance), inline=False)
    if image:
        embed.set_image(url=f"attachment://{DISPERSION_FILE}")
    footer = f"Page {index + 1}/{count} · {_footer(concordance)}"
    embed.set_footer(text=clip(footer, FOOTER_LIMIT))
    return fitted(embed)


def _message(title: str, text: str) -> discord.Embed:
    return discord.Embed(title=title, colour=COLOUR, description=text)


def _lines_text(lines: list[Line]) -> str:
    out: list[str] = []
    slug = None
    for line in lines:
        if line.slug != slug:
            out.append(f"**{line.slug}**")
            slug = line.slug
        out.append(f"`{line.citation}` {line.render(MARKDOWN)}")
    return "\n".join(out)


def _counts(concordance: Concordance) -> str:
    rows = [
        f"{clip(uses.title, 60)} (`{uses.slug}`): {plural(uses.passages, 'passage')}"
        for uses in concordance.readings
    ]
    shown: list[str] = []
    room = FIELD_VALUE_LIMIT - 40
    for index, row in enumerate(rows):
        if sum(len(r) + 1 for r in shown) + len(row) > room:
            shown.append(f"… and {plural(len(rows) - index, 'more reading')}")
            break
        shown.append(row)
    return "\n".join(shown)


def _footer(concordance: Concordance) -> str:
    readings = plural(len(concordance.readings), "reading")
    text = f"{plural(concordance.passages, 'passage')} in {readings}"
    if not concordance.complete:
        text += (
            f"; lines for the first {concordance.shown}: choose a reading, or run "
            "`reading-group concord` for every line"
        )
    if concordance.query.truncated:
        text += " · only the first words were looked up"
    return text


def render_dispersion(concordance: Concordance) -> bytes:
    """A strip per reading (the :data:`STRIPS` with the most uses, in library order), a tick
    at each paragraph that uses the term: where in the text it occurs. PNG bytes.

    A palette image: one byte a pixel, which encodes three times faster than RGB.
    """
    busiest = sorted(concordance.readings, key=lambda uses: -uses.passages)[:STRIPS]
    strips = [uses for uses in concordance.readings if uses in busiest]
    image = Image.new("P", (_WIDTH, _STRIP * max(1, len(strips)) + 8), _WHITE)
    image.putpalette(_PALETTE)
    left, right = _LABEL, _WIDTH - 10
    for row, uses in enumerate(strips):
        top = 4 + row * _STRIP
        image.paste(_label(uses.slug), (8, top + 5))
        image.paste(_strip(uses, right - left), (left, top + 3))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)  # a few kB either way; level 6 took 6 ms
    return out.getvalue()


# The palette: 16 greys from ink to white for antialiased text, then the track and the ticks.
_GREYS = 16
_WHITE, _TRACK_INDEX, _TICK_INDEX = _GREYS - 1, _GREYS, _GREYS + 1
_PALETTE = [
    round(ink + (255 - ink) * level / (_GREYS - 1)) for level in range(_GREYS) for ink in _INK
] + [*_TRACK, *_TICK]


def _strip(uses: ReadingUses, width: int) -> Image.Image:
    """The track, and a tick in each pixel column where a paragraph uses the term (however
    many fall in it: a word in thousands of paragraphs costs a few hundred pixels)."""
    track = bytearray([_TRACK_INDEX]) * width
    total = max(1, uses.paragraphs)
    for number in uses.positions:
        track[min(width - 1, int(width * (min(max(number, 1), total) - 0.5) / total))] = _TICK_INDEX
    return Image.frombytes("P", (width, 1), bytes(track)).resize((width, _STRIP - 6))


@functools.lru_cache(maxsize=256)
def _label(slug: str) -> Image.Image:
    """The slug, shortened to fit beside its strip, as palette indices (drawn once per slug)."""
    font = _font(13)
    grey = Image.new("L", (_LABEL - 12, 18), 255)
    draw = ImageDraw.Draw(grey)
    draw.text((0, 0), _fit(draw, slug, font, _LABEL - 16), 0, font)
    levels = grey.point([value * (_GREYS - 1) // 255 for value in range(256)])
    return Image.frombytes("P", grey.size, levels.tobytes())


def try_render_dispersion(concordance: Concordance) -> bytes | None:
    """:func:`render_dispersion`, or None (logged with its traceback) if drawing fails."""
    try:
        return render_dispersion(concordance)
    except Exception:  # the lines must go out whatever broke in drawing
        log.exception("could not draw the dispersion of %d readings", len(concordance.readings))
        return None
