"""The dispersion image of /concord: a strip per reading, a tick where the term occurs."""

from __future__ import annotations

import io

from PIL import Image

from bot.core.concord import Concordance, ReadingUses
from bot.core.search import parse_query
from bot.discord.concord_render import STRIPS, render_dispersion, try_render_dispersion

TICK, TRACK = (139, 30, 63), (232, 232, 238)


def draw(*uses: ReadingUses) -> Image.Image:
    return Image.open(io.BytesIO(render_dispersion(Concordance(parse_query("x"), uses)))).convert(
        "RGB"
    )


def test_a_tick_marks_each_paragraph_that_uses_the_term() -> None:
    image = draw(ReadingUses("soic", "Against", 2, 10, (1, 10)))
    assert image.size == (640, 26 + 8)
    row = [image.getpixel((x, 17)) for x in range(170, 630)]
    ticks = [x for x, colour in enumerate(row) if colour == TICK]
    assert ticks == [23, 437]  # the middles of paragraphs 1 and 10 of 10
    assert row.count(TRACK) == len(row) - 2


def test_thousands_of_uses_and_many_readings_stay_small() -> None:
    many = [ReadingUses(f"r{i}", "R", 20_000, 20_000, tuple(range(1, 20_001))) for i in range(30)]
    image = draw(*many)
    assert image.size == (640, 26 * STRIPS + 8)


def test_odd_positions_never_break_the_drawing() -> None:
    odd = ReadingUses("x" * 300, "T", 3, 0, (0, -5, 10**9))
    assert try_render_dispersion(Concordance(parse_query("x"), (odd,))) is not None
