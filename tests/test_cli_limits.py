"""The command line on extreme readings: ``check`` warns, with path and line, about what
Discord's limits will cut; ``plan`` and ``preview`` count and show a giant paragraph's pieces."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.core.excerpts import PART_PAGES, plan_installments
from bot.core.readings import load_library
from tests.extreme import giant_paragraph
from tests.test_cli import workdir

__all__ = ["workdir"]  # the fixture, used by name


def test_check_warns_about_what_discord_will_clip_and_still_passes(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "readings" / "extreme.md").write_text(
        "---\n"
        f"title: {'T' * 300}\n"
        f"author: {'A' * 300}\n"
        f"source: https://example.org/{'a' * 3000}\n"
        "---\n"
        "\n"
        f"## {'H' * 500}\n"
        "\n"
        "Text.\n"
        "\n"
        "## Short heading\n"
        "\n"
        "More text.\n"
    )
    (workdir / "readings" / "no-scheme.md").write_text(
        "---\ntitle: Fine\nsource: example.org/essay\n---\nText.\n"
    )
    assert main(["check"]) == 0
    captured = capsys.readouterr()
    assert "OK: 3 readings" in captured.out
    assert captured.err.splitlines() == [
        "readings/extreme.md:2: warning: title is 300 characters: Discord shows the first 240 "
        "in posts and passages",
        "readings/extreme.md:3: warning: author is 300 characters: Discord shows the first 256",
        "readings/extreme.md:4: warning: source is 3,020 characters, over the 2048 Discord "
        "takes for a link: posts and passages leave the link out",
        "readings/extreme.md:7: warning: section heading is 500 characters: Discord shows the "
        "first 200",
        "readings/no-scheme.md:3: warning: source is not an http:// or https:// URL: posts and "
        "passages leave the link out",
    ]


def test_check_of_the_shipped_kind_of_reading_warns_about_nothing(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check"]) == 0
    assert capsys.readouterr().err == ""


@pytest.fixture
def giant_plan(workdir: Path) -> Path:
    (workdir / "readings" / "proletarian-internationalism.md").unlink()
    (workdir / "readings" / "book.md").write_text(
        f"---\ntitle: A Book\n---\n\nOpening.\n\n{giant_paragraph()}\n\nClosing.\n"
    )
    (workdir / "groups.yaml").write_text(
        "groups:\n  - name: weekly\n    channel_id: 100\n"
        "    schedule: tue 19:00 Europe/Berlin\n    start: 2099-01-01\n"
        # The largest target: the pieces are as large as a few messages allow.
        "    words: 10000\n"
    )
    return workdir


def test_plan_lists_each_piece_of_a_giant_paragraph_and_counts_it_to_the_end(
    giant_plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2] == "number\twhen\tpassage\twords"
    assert lines[3] == "1\tTue 6 Jan 2099 19:00\tbook §1\t1"
    assert lines[4].startswith("2\tTue 13 Jan 2099 19:00\tbook §2.1-2.126\t")
    assert lines[5].startswith("3\tTue 20 Jan 2099 19:00\tbook §2.127-2.251\t")
    assert lines[19].startswith("17\tTue 28 Apr 2099 19:00\tbook §2.1855-2.1955\t")
    assert lines[20:] == [
        "18\tTue 5 May 2099 19:00\tbook §3\t1",
        "18 installments, ends Tue 5 May 2099",
    ]


def test_preview_shows_a_piece_in_a_few_messages(
    giant_plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library = load_library(giant_plan / "readings")
    pieces = plan_installments(list(library), 10_000)[1:-1]
    assert main(["preview", "--count", "17"]) == 0
    posts = capsys.readouterr().out.split("=== weekly: post ")[1:]
    assert len(posts) == 17
    for number, (post, piece) in enumerate(zip(posts[1:], pieces, strict=True), 2):
        assert post.startswith(f"{number} of 18,")
        assert 1 <= post.count("[message ") <= PART_PAGES
        assert f"[thread] A Book {piece.span}\n" in post
