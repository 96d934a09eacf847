"""The shipped prompts load, fit their readings, and carry a whole plan without repeating."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from bot.core.questions import KINDS, PLACEHOLDERS, Prompts, load_prompts, questions_for
from bot.core.readings import Library, Reading, load_library

ROOT = Path(__file__).resolve().parents[2]
ESSAYS = (
    "proletarian-internationalism",
    "against-soic",
    "internationalism-in-china",
    "borochov-socialism-in-one-country",
)
# Text between curly or straight double quotes.
QUOTED_RE = re.compile(r"“([^“”]+)”|\"([^\"]+)\"")


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(ROOT / "readings")


@pytest.fixture(scope="module")
def prompts(library: Library) -> Prompts:
    return load_prompts(ROOT / "prompts", library)


def normalised(text: str) -> str:
    return " ".join(text.split())


def installments(reading: Reading, target: int) -> list[tuple[int, int]]:
    """Consecutive runs of whole paragraphs, each as close to ``target`` words as it can get."""
    runs: list[tuple[int, int]] = []
    first, words = 1, 0
    for paragraph in reading.paragraphs:
        if words and abs(words + paragraph.words - target) > abs(words - target):
            runs.append((first, paragraph.number - 1))
            first, words = paragraph.number, 0
        words += paragraph.words
    runs.append((first, len(reading.paragraphs)))
    return runs


def test_every_prompt_file_is_for_a_shipped_essay(library: Library) -> None:
    files = {p.stem for p in (ROOT / "prompts").glob("*.yaml")} - {"general"}
    assert files == set(ESSAYS)
    assert {r.slug for r in library} == set(ESSAYS)


@pytest.mark.parametrize("slug", ESSAYS)
def test_each_essay_has_at_least_ten_anchored_questions_of_every_kind(
    prompts: Prompts, library: Library, slug: str
) -> None:
    questions = prompts.for_reading(slug)
    assert len(questions) >= 10
    count = len(library[slug].paragraphs)
    assert all(1 <= anchor <= count for q in questions for anchor in q.anchors)
    kinds = Counter(q.kind for q in questions)
    assert set(kinds) == set(KINDS), kinds


@pytest.mark.parametrize("slug", ESSAYS)
def test_anchors_are_spread_so_every_installment_has_its_own_questions(
    prompts: Prompts, library: Library, slug: str
) -> None:
    reading = library[slug]
    due = Counter(q.due for q in prompts.for_reading(slug))
    for first, last in installments(reading, 600):
        assert sum(due[n] for n in range(first, last + 1)) >= 2, f"{slug} §{first}-{last}"


@pytest.mark.parametrize("slug", ESSAYS)
def test_quoted_phrases_are_verbatim_in_the_anchored_paragraphs(
    prompts: Prompts, library: Library, slug: str
) -> None:
    reading = library[slug]
    others = [normalised(p.plain) for r in library if r.slug != slug for p in r.paragraphs]
    for question in prompts.for_reading(slug):
        anchored = normalised(" ".join(reading.paragraph(n).plain for n in question.anchors))
        phrases = [a or b for a, b in QUOTED_RE.findall(question.text)]
        for phrase in map(normalised, phrases):
            # A quotation from another essay is a cross-reference, and must be exact there.
            assert phrase in anchored or any(phrase in text for text in others), (
                f"{question.path}:{question.line}: “{phrase}” is not in §{question.anchors}"
            )


def test_general_templates_cover_every_placeholder(prompts: Prompts) -> None:
    uses = Counter(p for t in prompts.templates for p in t.placeholders)
    assert set(uses) == set(PLACEHOLDERS)
    for name in ("term", "authority", "opening"):
        assert uses[name] >= 3, name
    self_sufficient = [t for t in prompts.templates if set(t.placeholders) <= {"citation", "title"}]
    assert len(self_sufficient) >= 4


@pytest.mark.parametrize("target", [600, 250, 1500])
def test_a_whole_plan_gets_three_questions_per_post_and_never_repeats(
    prompts: Prompts, library: Library, target: int
) -> None:
    used: set[str] = set()
    texts: set[str] = set()
    posts = 0
    for reading in library:
        for first, last in installments(reading, target):
            chosen = questions_for(
                reading.slug, first, last, prompts=prompts, library=library, count=3, used=used
            )
            assert len(chosen) == 3, f"{reading.slug} §{first}-{last}"
            assert any(q.anchors for q in chosen), f"{reading.slug} §{first}-{last}"
            ids = {q.id for q in chosen}
            assert len(ids) == 3 and not ids & used
            assert not {q.text for q in chosen} & texts
            used |= ids
            texts |= {q.text for q in chosen}
            posts += 1
    assert posts >= len(library)


def test_templates_alone_carry_a_plan(prompts: Prompts, library: Library) -> None:
    """With every anchored question already asked, no post runs short."""
    used = {q.id for q in prompts.questions}
    for reading in library:
        for first, last in installments(reading, 600):
            chosen = questions_for(
                reading.slug, first, last, prompts=prompts, library=library, count=3, used=used
            )
            assert len(chosen) == 3 and not {q.id for q in chosen} & used
            assert all("{" not in q.text for q in chosen)
            used |= {q.id for q in chosen}
