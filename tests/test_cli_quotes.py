"""``reading-group quote``: a quotation's citation in the terminal, as the bot finds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from tests.test_cli import workdir

TEXT = (
    "The victory of the revolution in one country cannot be final until it has spread to the "
    "advanced countries of Europe. Whose workers alone can secure it against the restoration."
)
__all__ = ["workdir"]
READING = f"---\ntitle: Against SOIC\n---\n\nA first paragraph of no interest.\n\n{TEXT}\n"


@pytest.fixture
def library_dir(workdir: Path) -> Path:
    """The CLI tests' folder, with a reading worth quoting."""
    (workdir / "readings" / "soic.md").write_text(READING)
    return workdir


def test_an_exact_quotation_prints_its_citation(
    library_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["quote", "the", "victory", "of", "the", "revolution", "in", "one", "country"]) == 0
    assert capsys.readouterr().out == "exact: soic §2.1 (Against SOIC)\n"


def test_a_misquotation_prints_the_words_side_by_side(
    library_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reply = 'He wrote "the victory of the revolution in a single country cannot be final" here'
    assert main(["quote", reply]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "misquote: soic §2.1 (Against SOIC)",
        "  quoted:   the victory of the revolution in [a single] country cannot be final",
        "  the text: the victory of the revolution in [one] country cannot be final",
    ]


def test_no_match_is_one_clear_line(library_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quote", "nothing", "like", "the", "text", "at", "all"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("No passage of the library matches that quotation")
    assert len(captured.err.strip().splitlines()) == 1


def test_with_a_database_the_quote_keys_are_mapped_from_beside_it(
    library_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["search", "victory"])  # makes the database and its library index
    capsys.readouterr()
    keys = library_dir / "data" / "reading-group.sqlite3.quotes"
    assert not keys.exists()
    assert main(["quote", "the", "victory", "of", "the", "revolution", "in", "one", "country"]) == 0
    assert capsys.readouterr().out == "exact: soic §2.1 (Against SOIC)\n"
    assert keys.stat().st_size > 64
