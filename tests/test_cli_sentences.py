"""``passage`` with a sentence citation prints the sentences marked within their paragraph."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from tests.test_cli import workdir

__all__ = ["workdir"]  # the fixture, used by name


@pytest.fixture
def long_reading(workdir: Path) -> Path:
    sentences = " ".join(f"Sentence {n} says Mr. Smith." for n in range(1, 9))
    (workdir / "readings" / "long.md").write_text(
        f"---\ntitle: Long\n---\n\nShort first.\n\n{sentences}\n"
    )
    return workdir


def test_passage_marks_the_cited_sentences_in_context_when_piped(
    long_reading: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["passage", "long", "§2.3-2.4"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Long",
        "long §2.3-2.4",
        "",
        "§2.3-2.4 (§2 has 8 sentences)",
        "… Sentence 2 says Mr. Smith. **Sentence 3 says Mr. Smith. Sentence 4 says Mr.",
        "Smith.** Sentence 5 says Mr. Smith. …",
        "",
    ]


def test_a_sentence_out_of_range_is_one_clear_line(
    long_reading: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["passage", "long:2.9"]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == "long §2.9 is out of range: §2 has sentences 1-8."
    assert captured.out == ""
