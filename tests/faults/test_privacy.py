"""Privacy that holds (issue 9): what a member forgot stays forgotten, a counts-only group never
keeps text, and member text cannot smuggle a link, a terminal escape or a formula into what the
bot shows."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.replies import Edit, Reply
from bot.render import summary_embeds
from bot.storage.database import open_database
from bot.storage.replies import apply_events
from tests.core.test_summary import busy_small_group, summarise
from tests.storage.test_replies import add_group
from tests.test_cli import summarised, workdir
from tests.test_render_summary import shown

__all__ = ["summarised", "workdir"]

TWO_LINKS = "see [a](https://a.example) [verify](https://evil.example)"
ESCAPES = "\x1b]0;pwned\x07\x1b[31mred\x1b[0m\x9b2J\rclick \x1b]8;;https://evil.example\x07here"


def starred(content: str, name: str = "Alice") -> str:
    """The summary's embeds, as Discord receives them, with one starred reply."""
    row = dataclasses.replace(busy_small_group()[0], content=content, author_name=name)
    return shown(summary_embeds(summarise([row])))


def test_a_highlight_with_two_masked_links_shows_both_as_text() -> None:
    text = starred(TWO_LINKS)
    assert r"\[a\](https://a.example) \[verify\](https://evil.example)" in text
    assert "[verify](" not in text.replace(r"\[verify\](", "")


def test_a_highlight_carries_no_control_character() -> None:
    text = starred(ESCAPES, name="\x1b[5mBlinky\x07")
    assert "> red click here" in text and "**Blinky**" in text
    assert not any(c in text for c in "\x1b\x07\x9b\r")


def _hostile_replies(database: Path) -> None:
    """One group, one post, and replies written to attack a spreadsheet and a terminal."""
    texts = ['=HYPERLINK("https://evil.example","open")', "+cmd|' /C calc'!A0", ESCAPES, "fine"]

    async def run() -> None:
        async with open_database(database) as db:
            await add_group(db, 100)
            start = dt.datetime(2027, 1, 4, 18, tzinfo=dt.UTC)
            await apply_events(
                db,
                [
                    Reply(1000 + n, 500, 100, 9, None, 7, name, text, start, words=1)
                    for n, (name, text) in enumerate(
                        zip(["@Ana", "-Bo", "Cy", "Di"], texts, strict=True)
                    )
                ],
            )

    asyncio.run(run())


def test_csv_export_neutralises_formulas_and_terminal_escapes(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _hostile_replies(workdir / "data" / "reading-group.sqlite3")
    assert main(["export"]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\x07\x9b")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["author_name"], r["content"]) for r in rows] == [
        ("'@Ana", '\'=HYPERLINK("https://evil.example","open")'),
        ("'-Bo", "'+cmd|' /C calc'!A0"),
        ("Cy", "redclick here"),
        ("Di", "fine"),
    ]


def test_jsonl_export_to_a_terminal_carries_no_escape(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _hostile_replies(workdir / "data" / "reading-group.sqlite3")
    assert main(["export", "--format", "jsonl"]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\x07\x9b\x9d")
    contents = [json.loads(line)["content"] for line in out.splitlines()]
    assert contents[2] == "redclick here"  # the data stays as written: JSON needs no apostrophe
    assert contents[0] == '=HYPERLINK("https://evil.example","open")'


def test_the_summary_in_a_terminal_carries_no_escape(
    summarised: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def edit() -> None:
        async with open_database(summarised / "data" / "reading-group.sqlite3") as db:
            at = dt.datetime(2026, 3, 3, 18, tzinfo=dt.UTC)
            await apply_events(db, [Edit(1001, ESCAPES, at, 4, 0)])

    asyncio.run(edit())
    assert main(["summary", "--week", "2026-W10"]) == 0
    out = capsys.readouterr().out
    assert '⭐ Ana on essay §1: "red click here"' in out
    assert not any(c in out for c in "\x1b\x07\x9b\x9d\r")
