"""``reading-group facilitators``: the rotation and the coming turns, from groups.yaml and the
database, as /plan facilitators list shows them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from tests.test_cli import ESSAY, GROUPS, QUESTIONS, workdir

__all__ = ["workdir"]  # the fixture


@pytest.fixture
def planned(workdir: Path) -> Path:
    """The two groups of tests/test_cli.py; Tuesday's declares the rotation 7, 8."""
    (workdir / "readings" / "essay.md").write_text(ESSAY)
    (workdir / "prompts" / "essay.yaml").write_text(QUESTIONS)
    tuesday = GROUPS.replace(
        "    start: 2099-01-05\n", "    start: 2099-01-05\n    facilitators: [7, 8]\n"
    )
    (workdir / "groups.yaml").write_text(tuesday)
    return workdir


def test_the_rotation_and_the_coming_turns(
    planned: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["facilitators"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:5] == [
        "tuesday · channel 100",
        "rotation: 7, 8",
        "1\tTue 6 Jan 2099 19:00\t7",
        "2\tTue 13 Jan 2099 19:00\t8",
        "3\tTue 20 Jan 2099 19:00\t7",
    ]
    assert lines[-2:] == [
        "saturday · channel 200",
        "no facilitators yet: /plan facilitators add, /facilitate, or groups.yaml",
    ]


def test_a_changed_turn_comes_from_the_database(
    planned: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import datetime as dt

    from bot.core.content import load_content
    from bot.storage.database import open_database
    from bot.storage.facilitators import set_turn
    from bot.storage.groups import sync_file_groups

    content = load_content(planned / "readings", planned / "prompts", planned / "groups.yaml")

    async def run() -> None:
        async with open_database(planned / "data" / "reading-group.sqlite3") as db:
            now = dt.datetime(2098, 12, 1, tzinfo=dt.UTC)
            await sync_file_groups(db, content.groups, content.library, now=now)
            await set_turn(db, 100, 2, 9)

    asyncio.run(run())
    assert main(["facilitators", "--group", "tuesday"]) == 0
    assert capsys.readouterr().out.splitlines()[2:5] == [
        "1\tTue 6 Jan 2099 19:00\t7",
        "2\tTue 13 Jan 2099 19:00\t9",
        "3\tTue 20 Jan 2099 19:00\t7",
    ]
