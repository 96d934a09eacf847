"""Installments: whole paragraphs of one reading, sized near the target, the same every time."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.errors import PlanError
from bot.core.excerpts import (
    Installment,
    locate,
    plan_installments,
)
from bot.core.readings import Library, Paragraph, Reading, Section, load_library

ROOT = Path(__file__).resolve().parents[2]


def reading(slug: str, words: Sequence[int], section_starts: Sequence[int] = ()) -> Reading:
    """A reading whose paragraph ``n`` has ``words[n - 1]`` words; a section starts at each of
    ``section_starts`` (1-based) and runs to the next."""
    paragraphs = tuple(
        Paragraph(n, " ".join(["w"] * count), None, n) for n, count in enumerate(words, start=1)
    )
    starts = sorted(set(section_starts))
    ends = [s - 1 for s in starts[1:]] + [len(words)] if starts else []
    sections = tuple(
        Section(f"S{first}", f"s{first}", 2, first, last, first)
        for first, last in zip(starts, ends, strict=True)
    )
    return Reading(slug=slug, title=slug, path=f"readings/{slug}.md", paragraphs=paragraphs,
                   sections=sections, words=sum(words))  # fmt: skip


def spans(installments: Sequence[Installment]) -> list[tuple[str, int, int, int]]:
    return [(i.slug, i.first, i.last, i.words) for i in installments]


@pytest.fixture(scope="module")
def shipped() -> Library:
    return load_library(ROOT / "readings")


# Tables: (word counts, section starts, target, expected (first, last) runs).
@pytest.mark.parametrize(
    ("words", "sections", "target", "expected"),
    [
        # Fill up to the target, never past it.
        ([200, 200, 200, 200, 200, 200], (), 600, [(1, 3), (4, 6)]),
        ([300, 301, 299], (), 600, [(1, 1), (2, 3)]),
        # An overlong paragraph stands alone; its neighbours are not cut or moved into it.
        ([300, 1500, 300, 300], (), 600, [(1, 1), (2, 2), (3, 4)]),
        # A run at 60% or more of the target ends where a section starts ...
        ([200, 200, 150, 150], (3,), 600, [(1, 2), (3, 4)]),
        ([200, 200, 150, 150], (), 600, [(1, 4)]),
        # ... but not below 60%.
        ([200, 100, 100, 100], (3,), 600, [(1, 4)]),
        # A tiny tail joins the installment before it (up to 1.5 x the target) ...
        ([300, 300, 100], (), 600, [(1, 3)]),
        # ... unless that would pass 1.5 x the target; a run that is not tiny stays as it is.
        ([200, 550, 200], (), 600, [(1, 2), (3, 3)]),
        ([560, 350], (), 600, [(1, 1), (2, 2)]),
        # A tiny run takes the next paragraph past the target rather than stand alone.
        ([200, 550], (), 600, [(1, 2)]),
        ([250, 550], (), 600, [(1, 1), (2, 2)]),
        # A tiny run before an overlong-but-mergeable paragraph takes it rather than stand alone.
        ([41, 550, 400], (2,), 600, [(1, 2), (3, 3)]),
        ([41, 600, 400], (2,), 600, [(1, 2), (3, 3)]),
        # A paragraph longer than the target stands alone: tiny neighbours do not join it.
        ([41, 623, 400], (2,), 600, [(1, 1), (2, 2), (3, 3)]),
        ([300, 300, 700, 50], (), 600, [(1, 2), (3, 3), (4, 4)]),
        # One paragraph: one installment, whatever its size.
        ([5], (), 600, [(1, 1)]),
        ([5000], (), 600, [(1, 1)]),
    ],
)
def test_sizing_rules(
    words: list[int], sections: tuple[int, ...], target: int, expected: list[tuple[int, int]]
) -> None:
    got = plan_installments([reading("r", words, sections)], target)
    assert [(i.first, i.last) for i in got] == expected
    assert [i.words for i in got] == [sum(words[a - 1 : b]) for a, b in expected]


def test_installments_never_cross_readings() -> None:
    got = plan_installments([reading("a", [100, 100]), reading("b", [100, 100])], 600)
    assert spans(got) == [("a", 1, 2, 200), ("b", 1, 2, 200)]


def test_key_and_citation() -> None:
    installment = Installment("against-soic", 12, 14, 612)
    assert installment.key == "against-soic:12-14"
    assert Installment.from_key(installment.key, 612) == installment
    assert installment.citation == "against-soic §12-14"
    assert Installment("against-soic", 3, 3, 1978).citation == "against-soic §3"


@pytest.mark.parametrize("key", ["", "soic", "soic:3", "soic:a-b", "Soic:1-2", "soic 1-2"])
def test_from_key_rejects(key: str) -> None:
    with pytest.raises(ValueError, match="installment key"):
        Installment.from_key(key)


@pytest.mark.parametrize("target", [0, -600])
def test_target_must_be_positive(target: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        plan_installments([reading("r", [10])], target)


def test_locate() -> None:
    installments = plan_installments([reading("a", [300, 300, 300]), reading("b", [700])], 600)
    assert [locate(installments, i.slug, p) for i in installments for p in (i.first, i.last)] == [
        0,
        0,
        1,
        1,
        2,
        2,
    ]
    assert installments[locate(installments, "a", 2)].holds("a", 2)


@pytest.mark.parametrize(
    ("slug", "paragraph", "message"),
    [("c", 1, "c is not part of this plan"), ("a", 4, r"a §4 is not in this plan.*§1-3")],
)
def test_locate_outside_the_plan(slug: str, paragraph: int, message: str) -> None:
    installments = plan_installments([reading("a", [300, 300, 300])], 600)
    with pytest.raises(PlanError, match=message):
        locate(installments, slug, paragraph)


# The shipped library: 4 essays, 52 paragraphs, some far longer than any target.


@pytest.mark.parametrize("target", [150, 300, 600, 1000, 2500])
def test_shipped_readings_are_covered_in_order(shipped: Library, target: int) -> None:
    installments = plan_installments(list(shipped), target)
    expected = [(r.slug, p.number) for r in shipped for p in r.paragraphs]
    # A paragraph cut into pieces (sentences 1 to n, n+1 to m, ...) is covered once, by them all.
    covered = [
        (i.slug, n)
        for i in installments
        if i.sentences is None or i.sentences[0] == 1
        for n in range(i.first, i.last + 1)
    ]
    assert covered == expected
    assert len(expected) == 52
    for installment in installments:
        body = shipped[installment.slug].span(installment.first, installment.last)
        pieces = [i for i in installments if i.holds(installment.slug, installment.first)]
        if installment.sentences is None:
            assert installment.words == sum(p.words for p in body)
        else:
            assert sum(i.words for i in pieces) == body[0].words


@pytest.mark.parametrize("target", [300, 600, 1000])
def test_shipped_overlong_paragraphs_stand_alone(shipped: Library, target: int) -> None:
    installments = plan_installments(list(shipped), target)
    overlong = [(r.slug, p.number) for r in shipped for p in r.paragraphs if p.words > target]
    assert overlong, "the shipped essays have paragraphs longer than these targets"
    for slug, number in overlong:
        installment = installments[locate(installments, slug, number)]
        assert (installment.first, installment.last) == (number, number)


def test_shipped_plan_is_stable(shipped: Library) -> None:
    again = load_library(ROOT / "readings")
    assert plan_installments(list(shipped), 600) == plan_installments(list(again), 600)


# Generated readings.

word_counts = st.lists(
    st.one_of(st.integers(1, 250), st.integers(1, 2500)), min_size=1, max_size=40
)


@st.composite
def readings(draw: st.DrawFn) -> list[Reading]:
    result = []
    for index in range(draw(st.integers(1, 4))):
        words = draw(word_counts)
        starts = draw(st.sets(st.integers(1, len(words)), max_size=len(words)))
        result.append(reading(f"r{index}", words, sorted(starts)))
    return result


def _tiny(words: int, target: int) -> bool:
    return words * 5 < target * 2


@settings(max_examples=300, deadline=None)
@given(readings(), st.integers(20, 3000))
def test_generated_plans_follow_the_rules(library: list[Reading], target: int) -> None:
    installments = plan_installments(library, target)
    assert installments == plan_installments(library, target)

    # Every body paragraph exactly once, in order; no installment spans two readings.
    covered = [(i.slug, n) for i in installments for n in range(i.first, i.last + 1)]
    assert covered == [(r.slug, p.number) for r in library for p in r.paragraphs]
    by_slug = {r.slug: r for r in library}
    for i in installments:
        assert i.words == sum(p.words for p in by_slug[i.slug].span(i.first, i.last))

    for r in library:
        for p in r.paragraphs:
            if p.words > target:
                assert Installment(r.slug, p.number, p.number, p.words) in installments

    for i in installments:
        # At most the target, unless a single paragraph or a merge that absorbed a tiny run.
        if i.first == i.last or i.words <= target:
            continue
        assert i.words * 2 <= target * 3
        words = [p.words for p in by_slug[i.slug].span(i.first, i.last)]
        assert any(
            _tiny(sum(words[:k]), target) or _tiny(sum(words[k:]), target)
            for k in range(1, len(words))
        )

    for a, b in itertools.pairwise(installments):
        if a.slug != b.slug:
            continue
        reading_ = by_slug[a.slug]
        next_words = reading_.paragraph(b.first).words
        section_break = (
            b.first in {s.first for s in reading_.sections} and a.words * 5 >= target * 3
        )
        a_overlong = a.first == a.last and a.words > target
        # Close to the target: b's first paragraph did not fit in a (or a section began).
        assert a.words + next_words > target or section_break
        # No avoidable tiny installment: it could join neither neighbour within 1.5 x target
        # (an overlong paragraph takes no neighbour).
        if _tiny(a.words, target):
            assert (a.words + next_words) * 2 > target * 3 or next_words > target
        if _tiny(b.words, target):
            assert (a.words + b.words) * 2 > target * 3 or a_overlong


@settings(max_examples=200, deadline=None)
@given(word_counts, st.data(), st.integers(50, 1500))
def test_an_edit_moves_no_earlier_boundary(
    words: list[int], data: st.DataObject, target: int
) -> None:
    index = data.draw(st.integers(0, len(words) - 1))
    edited = [*words]
    edited[index] = data.draw(st.integers(1, 2500))
    before = plan_installments([reading("r", words)], target)
    after = plan_installments([reading("r", edited)], target)
    keep = max(0, locate(before, "r", index + 1) - 2)
    assert before[:keep] == after[:keep]
