"""``reading-group polls``: each group's polls with their counts, from the database, under the
same minimum group size as the weekly summary; a bad --group on one line."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot.cli import main
from tests.test_cli import workdir

__all__ = ["workdir"]  # the fixture

T0 = dt.datetime(2027, 1, 4, 18, 0, tzinfo=dt.UTC)


@pytest.fixture
def polled(workdir: Path) -> Path:
    """A group with two polls: the first answered by five members before, two after."""
    from bot.storage.database import open_database
    from bot.storage.polls import add_poll, answer_poll
    from tests.storage.test_replies import add_group, add_post

    async def run() -> None:
        async with open_database(workdir / "data" / "reading-group.sqlite3") as db:
            await add_group(db, 100)
            await db.commit()
            await add_post(db, 100, 1, 401, 501)
            await db.commit()
            first = await add_poll(db, 100, "a:1-1", "It was unavoidable", created_by=1, now=T0)
            await add_poll(db, 100, "a:2-2", "<@1> @everyone", created_by=1, now=T0)
            for member in range(5):
                await answer_poll(db, first.id, member, "before", "agree", now=T0)
            for member in range(2):
                await answer_poll(db, first.id, member, "after", "disagree", now=T0)

    asyncio.run(run())
    return workdir


def test_polls_print_counts_only_from_the_minimum_group_size(
    polled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["polls"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "# g (100)",
        "1. a:1-1 (open: before): It was unavoidable",
        "   before: 5 agree, 0 unsure, 0 disagree → after: too few answers to show",
        "2. a:2-2 (not open): <@1> @everyone",
        "   too few answers to show",
    ]


def test_an_unknown_group_is_one_line(polled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["polls", "--group", "nope"]) == 1
    assert capsys.readouterr().err.strip() == "--group 'nope': no such group (groups: g (100))"
