"""The model: questions, templates, authorities, and the prompts that hold them."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.excerpts import Installment
from bot.core.readings import fold

KINDS = ("comprehension", "interpretation", "critique", "connection")

#: Placeholders a template may use -> what they are filled with.
PLACEHOLDERS: Mapping[str, str] = {
    "term": "a word distinctive to the excerpt, compared with the rest of the library",
    "authority": "an authority named in the excerpt (from the list in general.yaml)",
    "opening": "the excerpt's opening claim: its first sentence, clipped",
    "citation": "the excerpt's citation, e.g. against-soic §3-4",
    "title": "the reading's title",
}
# Placeholders whose value varies within one reading: two questions of a post should not share
# one. The others are the same for every template filled from the same excerpt.
VARIABLE = ("term", "authority", "opening")


@dataclass(frozen=True, slots=True)
class Question:
    """A discussion question: anchored (from a reading's prompt file) or a filled template.

    Attributes:
        id: stable across restarts and edits elsewhere in the file; record it to avoid repeats.
        text: what members see.
        kind: comprehension, interpretation, critique, connection, or None when not given.
        reading: the slug of the reading it belongs to.
        anchors: paragraph numbers it is about, ascending; empty for a filled template.
        path, line: where it was written, for messages and previews.
    """

    id: str
    text: str
    kind: str | None
    reading: str
    anchors: tuple[int, ...]
    path: str
    line: int

    @property
    def due(self) -> int:
        """The paragraph whose excerpt asks it: the last anchor (0 for a filled template)."""
        return self.anchors[-1] if self.anchors else 0


@dataclass(frozen=True, slots=True)
class Template:
    """A question with placeholders, from ``general.yaml``."""

    id: str
    text: str
    kind: str | None
    placeholders: tuple[str, ...]
    path: str
    line: int

    def fill(self, values: Mapping[str, str]) -> str:
        """The text with each placeholder replaced by ``values[name]``."""
        return self.text.format_map(values)


@dataclass(frozen=True, slots=True)
class Authority:
    """A name to recognise in an excerpt: ``name`` is shown, any of ``names`` matches."""

    name: str
    names: tuple[str, ...]

    @property
    def pattern(self) -> re.Pattern[str]:
        """Any of ``names`` as a whole word, in any case, with any spacing between words."""
        return _name_pattern(self.names)


@functools.lru_cache(maxsize=256)
def _name_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    # Longest first, so "Mao Zedong" is one mention rather than "Mao" plus a stray word.
    spellings = sorted(names, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, n.split())) for n in spellings)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FilePoll:
    """A stance poll a reading's prompt file attaches to the installment holding paragraph
    ``at`` (see :mod:`bot.core.polls`), unless an organizer attached one to it."""

    reading: str
    at: int
    proposition: str
    path: str
    line: int


@dataclass(frozen=True)
class Prompts:
    """Every anchored question (grouped by reading, in file order), template and authority."""

    questions: tuple[Question, ...] = ()
    templates: tuple[Template, ...] = ()
    authorities: tuple[Authority, ...] = ()
    polls: tuple[FilePoll, ...] = ()

    def poll_for(self, installment: Installment) -> FilePoll | None:
        """The first file poll anchored in a paragraph ``installment`` starts."""
        first = installment.first
        if installment.sentences is not None and installment.sentences[0] != 1:
            first += 1  # a later piece of a long paragraph: the paragraph's first piece asks it
        return next(
            (
                poll
                for poll in self.polls
                if poll.reading == installment.slug and first <= poll.at <= installment.last
            ),
            None,
        )

    def for_reading(self, slug: str) -> tuple[Question, ...]:
        """The anchored questions of reading ``slug``, in file order."""
        return tuple(q for q in self.questions if q.reading == slug)

    def question(self, question_id: str) -> Question | None:
        """The anchored question with this id, if it still exists."""
        return next((q for q in self.questions if q.id == question_id), None)


def _digest(text: str) -> str:
    return hashlib.sha256(fold(text).encode("utf-8")).hexdigest()[:10]
