"""Counts in words."""

from __future__ import annotations

import pytest

from bot.core.wording import plural


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (1, "group", "1 group"),
        (0, "group", "0 groups"),
        (2, "entry", "2 entries"),
        (1, "entry", "1 entry"),
        (1200, "reply", "1,200 replies"),
        (3, "day", "3 days"),
    ],
)
def test_plural(count: int, noun: str, expected: str) -> None:
    assert plural(count, noun) == expected
