"""Discussion questions: anchored questions per reading, and templates filled from an excerpt.

``prompts/<slug>.yaml`` (the file is named after a reading's slug or one of its aliases) anchors
questions to paragraphs::

    questions:
      - at: 12                 # or at: [3, 7]
        kind: critique         # comprehension, interpretation, critique or connection
        text: >-
          Where is the argument of this paragraph weakest?

``prompts/general.yaml`` holds the names of authorities to recognise in an excerpt and templates
for when no anchored question remains (placeholders in :data:`PLACEHOLDERS`)::

    authorities: [Marx, Engels, {name: Mao Zedong, also: [Mao]}]
    templates:
      - kind: interpretation
        text: What work does the word “{term}” do in {citation}?

A question with several anchors is due in the excerpt that holds the last of them, so members
have read every paragraph it refers to. Everything here is pure and deterministic: the same
prompts, library, excerpt and ``used`` ids give the same questions.

The modules, each importing only those above it:

- :mod:`~bot.core.questions.model`: :class:`Question`, :class:`Template`, :class:`Authority`,
  :class:`Prompts`, and the kinds and placeholders they use.
- :mod:`~bot.core.questions.loading`: :func:`load_prompts`, which validates every prompt file.
- :mod:`~bot.core.questions.filling`: templates filled from an excerpt (its distinctive terms,
  the authorities it names, its opening claim).
- :mod:`~bot.core.questions.choosing`: :func:`questions_for`, the questions of one installment.

Import from this package; the names below are its API.
"""

from bot.core.questions.choosing import questions_for
from bot.core.questions.filling import (
    authorities_in,
    distinctive_terms,
    excerpt_values,
    opening_claim,
)
from bot.core.questions.loading import GENERAL_FILE, load_prompts
from bot.core.questions.model import (
    KINDS,
    PLACEHOLDERS,
    Authority,
    FilePoll,
    Prompts,
    Question,
    Template,
)

__all__ = [
    "GENERAL_FILE",
    "KINDS",
    "PLACEHOLDERS",
    "Authority",
    "FilePoll",
    "Prompts",
    "Question",
    "Template",
    "authorities_in",
    "distinctive_terms",
    "excerpt_values",
    "load_prompts",
    "opening_claim",
    "questions_for",
]
