"""Stance polls in a reading's prompt file (``polls:``): loaded, validated with path:line, and
found for the installment that starts their paragraph."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.excerpts import Installment
from bot.core.readings import Library, LibraryError
from tests.core.test_questions import load

POLLS = """\
polls:
  - at: 3
    text: >-
      Socialism in one country
      was unavoidable in 1924
  - at: 7
    text: The essay is fair to its opponents
"""


def test_polls_load_with_their_file_and_line(tmp_path: Path, library: Library) -> None:
    prompts = load(tmp_path, library, {"soic.yaml": POLLS})
    first, second = prompts.polls
    assert (first.reading, first.at, first.proposition, first.line) == (
        "against-soic",
        3,
        "Socialism in one country was unavoidable in 1924",
        2,
    )
    assert first.path == str(tmp_path / "prompts" / "soic.yaml")
    assert (second.at, second.line) == (7, 6)
    assert prompts.questions == ()  # a file may hold polls only


@pytest.mark.parametrize(
    ("installment", "expected"),
    [
        (Installment("against-soic", 1, 4, 100), 3),
        (Installment("against-soic", 4, 9, 100), 7),
        (Installment("against-soic", 8, 9, 100), None),
        (Installment("other", 1, 9, 100), None),
        (Installment("against-soic", 3, 3, 100, sentences=(1, 20)), 3),
        (Installment("against-soic", 3, 3, 100, sentences=(21, 40)), None),  # asked already
    ],
)
def test_the_installment_that_starts_the_paragraph_asks_it(
    tmp_path: Path, library: Library, installment: Installment, expected: int | None
) -> None:
    found = load(tmp_path, library, {"soic.yaml": POLLS}).poll_for(installment)
    assert (found.at if found else None) == expected


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("polls:\n  - at: 3\n", 2, "missing text: add 'text: ...' with the proposition"),
        ("polls:\n  - text: Why\n", 2, "missing 'at'"),
        ("polls:\n  - at: 999\n    text: Why\n", 2, "anchor §999 is out of range"),
        ("polls:\n  - at: [3, 4]\n    text: Why\n", 2, "a poll is asked once: give one paragraph"),
        ("polls:\n  - at: 3\n    text: " + "x" * 201 + "\n", 3, "keep it to 200"),
        ("polls:\n  - at: 3\n    txt: Why\n", 3, "unknown key 'txt' in this poll"),
        ("polls: 3\n", 1, "polls must be a list"),
    ],
)
def test_bad_polls_are_reported_with_file_and_line(
    tmp_path: Path, library: Library, text: str, line: int, message: str
) -> None:
    with pytest.raises(LibraryError) as caught:
        load(tmp_path, library, {"soic.yaml": text})
    where = f"{tmp_path / 'prompts' / 'soic.yaml'}:{line}: "
    errors = [str(error) for error in caught.value.errors]
    assert any(e.startswith(where) and message in e for e in errors), errors
