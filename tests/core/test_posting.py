"""Progress found again by installment key, questions per post, post markers."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.excerpts import Installment, plan_installments
from bot.core.posting import parse_marker, post_marker, resume_index, upcoming
from bot.core.questions import Prompts, Question
from bot.core.readings import Library
from bot.core.schedule import UTC


def parts(*spec: tuple[str, int, int]) -> tuple[Installment, ...]:
    return tuple(Installment(slug, first, last, 100) for slug, first, last in spec)


# The same two readings cut two ways: "a" got a different word target (or an edit).
OLD = parts(("a", 1, 3), ("a", 4, 6), ("a", 7, 9), ("b", 1, 5))
NEW = parts(("a", 1, 2), ("a", 3, 5), ("a", 6, 9), ("b", 1, 5))


@pytest.mark.parametrize(
    ("installments", "key", "count", "expected"),
    [
        (OLD, None, 0, 0),  # nothing done
        (OLD, "a:4-6", 2, 2),  # the key is there
        (OLD, "b:1-5", 4, 4),  # all done
        (NEW, "a:1-2", 1, 1),
        (NEW, "a:4-6", 2, 2),  # §6 is inside a:6-9 now: post that again, skip nothing
        (NEW, "a:1-3", 1, 1),  # §3 is inside a:3-5: post it again
        (NEW, "a:3-5", 9, 2),  # the key wins over a stale count
        (parts(("a", 1, 3), ("b", 1, 5)), "a:4-6", 2, 1),  # "a" lost paragraphs: it is done
        (parts(("b", 1, 5)), "a:4-6", 2, 1),  # "a" left the plan: the count, clamped
        (OLD, "not a key", 3, 3),
    ],
)
def test_resume_index_finds_the_place_again(
    installments: tuple[Installment, ...], key: str | None, count: int, expected: int
) -> None:
    assert resume_index(installments, key, count) == expected


@pytest.mark.parametrize("part", [1, 2, 12])
def test_a_marker_names_channel_slot_and_part(part: int) -> None:
    slot = dt.datetime(2027, 1, 4, 18, 0, tzinfo=UTC)
    marker = post_marker(123, slot, part)
    assert parse_marker(f"soic §1-4 · installment 1 of 9 · {marker}") == (123, slot, part)
    assert marker.endswith("Z") == (part == 1)


@pytest.mark.parametrize("text", ["", "installment 1 of 9", "rg:12:yesterday", "rg::2027"])
def test_text_without_a_marker_has_none(text: str) -> None:
    assert parse_marker(text) is None


def test_upcoming_posts_never_repeat_a_question(library: Library) -> None:
    installments = plan_installments(list(library), 60)
    prompts = Prompts(
        questions=(
            Question("q-soic-3", "About §3?", None, "against-soic", (3,), "p.yaml", 1),
            Question("q-soic-3b", "Also §3?", None, "against-soic", (3,), "p.yaml", 2),
        )
    )
    posts = upcoming(
        installments,
        done=0,
        prompts=prompts,
        library=library,
        questions_per_post=1,
        used={"q-soic-3"},
        count=len(installments) + 5,
    )
    assert [p.number for p in posts] == list(range(1, len(installments) + 1))
    assert all(p.total == len(installments) for p in posts)
    asked = [q.id for p in posts for q in p.questions]
    assert "q-soic-3b" in asked
    assert "q-soic-3" not in asked
    assert len(asked) == len(set(asked))


def test_upcoming_starts_after_what_is_done(library: Library) -> None:
    installments = plan_installments(list(library), 60)
    posts = upcoming(
        installments,
        done=len(installments) - 1,
        prompts=Prompts(),
        library=library,
        questions_per_post=0,
        used=set(),
        count=3,
    )
    assert [(p.number, p.installment) for p in posts] == [(len(installments), installments[-1])]
    assert posts[0].questions == ()
