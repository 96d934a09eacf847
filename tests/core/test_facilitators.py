"""Facilitator rotation: round robin over the rotation, changed turns, when the packet is due."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from bot.core.excerpts import Installment
from bot.core.facilitators import (
    PACKET_LIMIT,
    Packet,
    facilitator_of,
    packet_due,
    packet_text,
    packets_due,
    skipped_to,
)
from bot.core.plan import Scheduled, parse_groups_yaml
from bot.core.readings import LibraryError
from bot.core.summary import OpenQuestion, QuotedPassage, StuckPassage
from bot.core.summary.catchup import CatchupItem

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


BASE = 'groups:\n  - channel_id: 1\n    schedule: "mon 19:00 UTC"\n'


def test_groups_yaml_declares_the_rotation_in_order() -> None:
    (group,) = parse_groups_yaml(BASE + "    facilitators: [30, '10', 20]\n", "groups.yaml")
    assert group.facilitators == (30, 10, 20)
    (group,) = parse_groups_yaml(BASE + "    facilitators: []\n", "groups.yaml")
    assert group.facilitators == ()  # the file empties the rotation
    (group,) = parse_groups_yaml(BASE, "groups.yaml")
    assert group.facilitators is None  # the commands keep it


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("12", "must be a list of user ids, e.g. [123456789012345678, 234567890123456789]"),
        ("[10, ada]", "'ada' is not a Discord id"),
        ("[10, 20, 10]", "10 is listed twice: a member takes one place in the rotation"),
    ],
)
def test_a_bad_rotation_in_groups_yaml_names_its_line(value: str, error: str) -> None:
    with pytest.raises(LibraryError) as caught:
        parse_groups_yaml(BASE + f"    facilitators: {value}\n", "groups.yaml")
    (message,) = [str(e) for e in caught.value.errors]
    assert message.startswith(f"groups.yaml:4: facilitators: {error}")


MONDAY = dt.datetime(2027, 1, 4, 18, 0, tzinfo=dt.UTC)


def scheduled(number: int, slot: dt.datetime) -> Scheduled:
    return Scheduled(number, Installment("a", number, number, 100), slot)


def test_a_packet_is_due_from_three_days_before_its_installment() -> None:
    items = [scheduled(1, MONDAY), scheduled(2, MONDAY + dt.timedelta(days=3))]
    just_before = MONDAY - dt.timedelta(days=3, seconds=1)
    assert packets_due(items, ROTATION, {}, just_before) == []
    assert packets_due(items, ROTATION, {}, MONDAY - dt.timedelta(days=3)) == [(items[0], 10)]
    # Monday's slot itself: its packet is no longer due (the post is out); Thursday's is.
    assert packets_due(items, ROTATION, {2: 99}, MONDAY) == [(items[1], 99)]
    assert packets_due(items, (), {}, MONDAY) == [(items[1], None)]  # nobody: its holders are told


def packet(**changes: object) -> Packet:
    base = {
        "group": "readers",
        "number": 4,
        "total": 23,
        "when": "Thu 7 Jan 2027 19:00 (Europe/Berlin)",
        "title": "Against SOIC",
        "citation": "soic §5-8",
        "source": "https://example.org/soic",
        "questions": ("What is it?", "Why?"),
        "last": None,
    }
    return Packet(**{**base, **changes})  # type: ignore[arg-type]


def test_the_packet_has_the_excerpt_its_questions_and_the_last_discussion() -> None:
    last = CatchupItem(
        number=3,
        total=23,
        citation="soic §3-4",
        title="Against SOIC",
        posted_at=MONDAY,
        new=False,
        jump=None,
        replies=1,
        highlights=(),
        stuck=(StuckPassage(citation="soic §4", marks=2, jump=None),),
        questions=(OpenQuestion(number=3, citation="soic §3-4", text="Who wins?", jump=None),),
        more_questions=0,
    )
    assert packet_text(packet(last=last)).splitlines() == [
        "**Facilitator prep: readers**, installment 4 of 23, Thu 7 Jan 2027 19:00 "
        "(Europe/Berlin). Thank you for leading this one!",
        "Excerpt: Against SOIC, soic §5-8 (<https://example.org/soic>)",
        "Its questions:",
        "1. What is it?",
        "2. Why?",
        "From the last discussion (soic §3-4, 1 reply):",
        "Open questions:",
        "- Who wins?",
        "Where members marked ❓:",
        "- soic §4 (❓ 2)",
    ]
    quoted = (QuotedPassage(citation="soic §2", title="Against SOIC", times=3),)
    assert packet_text(packet(last=last, quoted=quoted)).endswith(
        "- soic §4 (❓ 2)\nMost quoted:\n- soic §2 (quoted 3×)"
    )
    quiet = packet_text(packet(last=replace(last, stuck=(), questions=(), replies=0)))
    assert quiet.endswith(
        "(soic §3-4, 0 replies):\nNo open questions, no quotes, and nobody marked ❓."
    )


def test_a_long_packet_fits_one_message() -> None:
    text = packet_text(packet(questions=tuple("why " * 200 for _ in range(5))))
    assert PACKET_LIMIT - 10 < len(text) <= PACKET_LIMIT and text.endswith("…")
