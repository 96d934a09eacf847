"""Cutting text to size: nothing lost, nothing over the limit, sentences kept whole."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.pages import clip, paginate, split_text


def test_split_text_prefers_sentence_boundaries() -> None:
    text = "First sentence is here. Second one follows. Third closes it."
    assert split_text(text, 45) == [
        "First sentence is here. Second one follows.",
        "Third closes it.",
    ]


def test_split_text_cuts_overlong_sentence_between_words_and_overlong_words() -> None:
    chunks = split_text("aaa bbb " + "x" * 25, 10)
    assert chunks == ["aaa bbb", "xxxxxxxxxx", "xxxxxxxxxx", "xxxxx"]


text_strategy = st.text(alphabet=st.sampled_from("abc .!?”\n"), min_size=1, max_size=400).filter(
    lambda t: t.strip()
)


@given(text_strategy, st.integers(min_value=1, max_value=60))
def test_split_text_loses_nothing_and_respects_limit(text: str, limit: int) -> None:
    chunks = split_text(text, limit)
    assert all(0 < len(c) <= limit for c in chunks)
    assert "".join("".join(chunks).split()) == "".join(text.split())


@given(st.lists(text_strategy, min_size=1, max_size=10), st.integers(min_value=5, max_value=200))
def test_paginate_keeps_order_and_limit(blocks: list[str], limit: int) -> None:
    pages = paginate(blocks, limit)
    assert all(len(p) <= limit for p in pages)
    assert "".join("".join(pages).split()) == "".join("".join(blocks).split())


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("a long sentence that goes on", 20, "a long sentence…"),
        ("a long sentence that goes on", 15, "a long sentenc…"),
        ("abcdefghijklmnop", 8, "abcdefg…"),
    ],
)
def test_clip(text: str, limit: int, expected: str) -> None:
    assert clip(text, limit) == expected
    assert len(clip(text, limit)) <= limit


def test_a_block_cut_across_pages_says_where_it_goes_on() -> None:
    long = "**§3** " + " ".join(f"Sentence {n} of a long paragraph." for n in range(40))
    pages = paginate(["**§2** Short.", long, "**§4** Short."], 300, continued=marks)
    assert pages[0].startswith("**§2** Short.\n\n**§3** Sentence 0")
    assert pages[0].endswith(" (§3 goes on)")
    middle = pages[1:-1]
    assert middle and all(p.startswith("(§3) ") and p.endswith(" (§3 goes on)") for p in middle)
    assert pages[-1].startswith("(§3) ") and pages[-1].endswith("§4** Short.")
    assert all(len(page) <= 300 for page in pages)


def marks(block: str) -> tuple[str, str]:
    name = block.split("**")[1]
    return f" ({name} goes on)", f"({name}) "
