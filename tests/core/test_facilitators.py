"""Facilitator rotation: round robin over the rotation, changed turns, when the packet is due."""

from __future__ import annotations

import datetime as dt

from bot.core.facilitators import facilitator_of, packet_due, skipped_to

ROTATION = (10, 20, 30)


def test_installments_go_round_robin_over_the_rotation() -> None:
    assert [facilitator_of(n, ROTATION, {}) for n in range(1, 8)] == [10, 20, 30, 10, 20, 30, 10]


def test_a_changed_turn_wins_over_the_round_robin_for_that_installment_only() -> None:
    assert [facilitator_of(n, ROTATION, {2: 99}) for n in (1, 2, 3)] == [10, 99, 30]


def test_nobody_facilitates_without_a_rotation_unless_a_turn_was_given() -> None:
    assert facilitator_of(1, (), {}) is None
    assert facilitator_of(1, (), {1: 5}) == 5


def test_a_skip_passes_the_turn_to_the_next_in_rotation() -> None:
    assert skipped_to(1, ROTATION, {}) == 20
    assert skipped_to(3, ROTATION, {}) == 10  # wraps around
    assert skipped_to(1, ROTATION, {1: 20}) == 30  # skipped twice
    assert skipped_to(1, (10,), {}) == 10  # alone: stays theirs
    assert skipped_to(2, ROTATION, {2: 99}) == 20  # a swapped-in member back to the round robin
    assert skipped_to(1, (), {}) is None


def test_the_packet_is_due_three_days_before_the_slot() -> None:
    slot = dt.datetime(2027, 1, 7, 18, 0, tzinfo=dt.UTC)
    assert packet_due(slot) == dt.datetime(2027, 1, 4, 18, 0, tzinfo=dt.UTC)
