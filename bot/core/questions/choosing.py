"""The questions of an installment: anchored questions due in it, then filled templates."""

from __future__ import annotations

from collections.abc import Sequence, Set

from bot.core.questions.filling import _filled, excerpt_values
from bot.core.questions.model import Prompts, Question
from bot.core.readings import Library, Reading


def questions_for(
    installment_slug: str,
    first: int,
    last: int,
    *,
    prompts: Prompts,
    library: Library,
    count: int,
    used: Set[str],
    sentences: tuple[int, int] | None = None,
) -> list[Question]:
    """The questions for the excerpt ``first``..``last`` of a reading (or its sentences
    ``sentences``, a piece of one paragraph).

    Anchored questions due in the excerpt and not in ``used`` come first, in paragraph order
    (when there are more than ``count``, the choice favours different kinds and paragraphs);
    then templates filled from the excerpt, each template at most once, until ``count``.

    Args:
        installment_slug: the reading's slug (or an alias).
        first, last: the excerpt's paragraphs, inclusive.
        prompts: from :func:`load_prompts`.
        library: the readings; distinctive terms are measured against all of it.
        count: how many questions the post carries.
        used: ids already asked in this plan; none of them is returned.
        sentences: for a piece of paragraph ``first``, its first and last sentence: templates
            are filled from those sentences (questions anchored to the paragraph are due in
            every piece of it).

    Raises:
        ValueError: the reading is not in the library.
    """
    reading = _reading(library, installment_slug)
    if count <= 0:
        return []
    chosen = _anchored(prompts.for_reading(reading.slug), first, last, count, used)
    if len(chosen) < count:
        taken = set(used) | {q.id for q in chosen}
        values = excerpt_values(
            reading, first, last, prompts=prompts, library=library, sentences=sentences
        )
        chosen += _filled(reading, prompts.templates, values, count - len(chosen), taken)
    return chosen


def _reading(library: Library, slug: str) -> Reading:
    for reading in library:
        if slug == reading.slug or slug in reading.aliases:
            return reading
    raise ValueError(f"no reading {slug!r} in the library")


def _anchored(
    questions: Sequence[Question], first: int, last: int, count: int, used: Set[str]
) -> list[Question]:
    due = [q for q in questions if first <= q.due <= last and q.id not in used]
    due.sort(key=lambda q: q.due)  # stable: file order within a paragraph
    if len(due) <= count:
        return due
    # More than fit: pick greedily for a new kind and a new paragraph, earliest first, so a post
    # is not three questions of one kind about the first paragraph of its excerpt.
    picked: list[int] = []
    kinds: set[str | None] = set()
    paragraphs: set[int] = set()
    while len(picked) < count:
        index = min(
            (i for i in range(len(due)) if i not in picked),
            key=lambda i: (-(due[i].kind not in kinds) - (due[i].due not in paragraphs), i),
        )
        picked.append(index)
        kinds.add(due[index].kind)
        paragraphs.add(due[index].due)
    return [due[i] for i in sorted(picked)]
