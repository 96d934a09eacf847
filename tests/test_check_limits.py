"""``reading-group check`` warns, with path and line, about what Discord's limits will cut."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
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
