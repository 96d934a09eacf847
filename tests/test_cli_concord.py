"""``reading-group concord``: one use per line, piped; grouped and aligned in a terminal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli import Terminal, build_parser, main
from bot.cli.concord import cmd_concord
from tests.test_cli import workdir  # noqa: F401  (the fixture: a library in tmp_path)

OTHER = """---
title: Another
---
The internationalists met. Internationalism won, and internationalism stayed.

Nothing here.
"""


@pytest.fixture
def library(workdir: Path) -> Path:  # noqa: F811
    (workdir / "readings" / "another.md").write_text(OTHER)
    return workdir


def test_piped_every_use_is_a_tab_separated_line_with_the_match_marked(
    library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["concord", "internationalist"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "another §1.1\tThe **internationalists** met. Internationalism won, and internationalism "
        "stayed.",
        "another §1.2\tThe internationalists met. **Internationalism** won, and internationalism "
        "stayed.",
        "another §1.2\tThe internationalists met. Internationalism won, and **internationalism** "
        "stayed.",
        "proletarian-internationalism §2.1\tSecond paragraph about **internationalism**.",
    ]
    assert "another: 1 passage" in captured.err
    assert "4 uses in 2 passages of 2 readings" in captured.err


def test_piped_lines_are_never_cut(library: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long = " ".join(["word"] * 400) + " zebra " + " ".join(["word"] * 400)
    (library / "readings" / "long.md").write_text(f"---\ntitle: Long\n---\n{long}\n")
    assert main(["concord", "zebra"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    citation, kwic = line.split("\t")
    assert citation == "long §1.1"
    assert kwic.endswith("word word…") and "**zebra**" in kwic
    assert "\t" not in kwic


def test_one_reading_and_a_limit(library: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["concord", "internationalism", "--reading", "another", "--limit", "1"]) == 0
    captured = capsys.readouterr()
    assert [line.split("\t")[0] for line in captured.out.splitlines()] == ["another §1.1"]
    assert "Only the first 1 lines (--limit)." in captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["concord", "zebra"], "No reading uses that."),
        (["concord", "***", "((("], "Nothing to look up"),
        (["concord", "note", "--reading", "nowhere"], "No reading called 'nowhere'"),
        (["concord", "note", "--limit", "0"], "--limit must be 1 or more"),
    ],
)
def test_failures_say_why(
    library: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert message in captured.err and not captured.out


def test_in_a_terminal_lines_are_grouped_by_reading_with_the_matches_in_one_column(
    library: Path,
) -> None:
    stream, errors = io.StringIO(), io.StringIO()
    args = build_parser().parse_args(["concord", "internationalist"])
    assert cmd_concord(args, Terminal(stream, color=True), Terminal(errors, color=True)) == 0
    lines = stream.getvalue().splitlines()
    assert lines[0] == "\x1b[1mAnother (another): 1 passage\x1b[0m"
    uses = [line for line in lines if "\x1b[1;33m" in line]
    assert len(uses) == 4
    assert len({line.index("\x1b[1;33m") for line in uses}) == 1  # one column
    assert "\x1b[1;33minternationalists\x1b[0m met." in uses[0]
