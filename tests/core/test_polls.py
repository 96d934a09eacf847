"""Stance polls: which phase is open, the buttons' custom ids, and the shift's counts."""

from __future__ import annotations

import pytest

from bot.core.polls import (
    MAX_PROPOSITION,
    PollError,
    Shift,
    Tally,
    custom_id,
    open_phase,
    parse_custom_id,
    proposition_text,
    shift,
)

POSTED = ("a:1-3", "a:4-6", "a:7-9")


@pytest.mark.parametrize(
    ("key", "posted", "phase"),
    [
        ("a:7-9", POSTED, "before"),  # the latest post
        ("a:4-6", POSTED, "after"),  # the next one is out
        ("a:1-3", POSTED, None),  # two posts later: closed
        ("a:10-12", POSTED, None),  # not posted yet
        ("a:1-3", (), None),
        ("a:1-3", ("a:1-3",), "before"),
    ],
)
def test_open_phase(key: str, posted: tuple[str, ...], phase: str | None) -> None:
    assert open_phase(key, posted) == phase


def test_a_reposted_installment_counts_from_its_last_post() -> None:
    assert open_phase("a:1-3", ("a:1-3", "a:4-6", "a:1-3")) == "before"


def test_custom_id_round_trips() -> None:
    value = custom_id(42, "after", "unsure")
    assert value == "poll:42:after:unsure"
    assert parse_custom_id(value) == (42, "after", "unsure")


@pytest.mark.parametrize(
    "value",
    [
        "poll:42:after",
        "poll:x:after:agree",
        "poll:42:during:agree",
        "poll:42:after:maybe",
        "quote:42:after:agree",
        "poll:-1:after:agree",
        "poll:42:after:agree:extra",
    ],
)
def test_foreign_or_forged_custom_ids_are_not_polls(value: str) -> None:
    assert parse_custom_id(value) is None


def test_proposition_is_one_trimmed_line() -> None:
    assert proposition_text("  Socialism in one\ncountry   was unavoidable ") == (
        "Socialism in one country was unavoidable"
    )


@pytest.mark.parametrize(
    ("text", "message"), [("  \n ", "empty"), ("x" * (MAX_PROPOSITION + 1), "characters")]
)
def test_bad_propositions_are_refused(text: str, message: str) -> None:
    with pytest.raises(PollError, match=message):
        proposition_text(text)


def test_shift_counts_each_phase() -> None:
    answers = [("before", "agree")] * 3 + [("before", "disagree")] * 2
    answers += [("after", "unsure")] * 2 + [("after", "disagree")] * 3
    assert shift("P", answers, min_group_size=5) == Shift(  # type: ignore[arg-type]
        "P", Tally(agree=3, disagree=2), Tally(unsure=2, disagree=3)
    )


def test_a_phase_under_the_minimum_group_size_is_not_shown() -> None:
    answers = [("before", "agree")] * 5 + [("after", "disagree")] * 4
    assert shift("P", answers, min_group_size=5) == Shift(  # type: ignore[arg-type]
        "P", Tally(agree=5), None
    )


def test_nothing_is_shown_when_no_phase_reaches_the_minimum() -> None:
    answers = [("before", "agree")] * 4 + [("after", "agree")] * 4
    assert shift("P", answers, min_group_size=5) is None  # type: ignore[arg-type]
