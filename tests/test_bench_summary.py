"""The summary benchmark's code on a tiny generated database, so it cannot rot.

No timing is asserted: the numbers of a run this small mean nothing. This checks that the
database is generated as described (and cached), that the benchmark fills its table, and that
its baseline counts what the summary counts (the run raises otherwise).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bench import summary
from bench.__main__ import main

TINY = summary.Sizes(
    replies=3_000, members=200, installments=40, weeks=12, repeats=1, baseline_repeats=1
)
ROWS = [
    "week summary 2025-W12, first run",
    "week summary 2025-W12, median of 1",
    "week summary 2025-W08, first run",
    "week summary 2025-W08, median of 1",
    "of which SQL / Python",
    "chart 4 weeks (28 bars), first / median",
    "chart 52 weeks (52 bars), first / median",
    "Discord embed, first / median",
    "naive baseline 2025-W08 (counts and ⭐ only)",
    "speed-up over naive baseline",
]


def count(path: Path, query: str) -> int:
    with closing(sqlite3.connect(path)) as con:
        (value,) = con.execute(query).fetchone()
    return int(value)


def test_the_database_is_generated_as_described_and_cached(tmp_path: Path) -> None:
    prepared = summary.prepare_database(TINY, tmp_path)
    assert not prepared.cached
    path = prepared.path
    assert count(path, "SELECT count(*) FROM replies") == TINY.replies
    assert count(path, "SELECT count(DISTINCT author_id) FROM replies") == TINY.members
    assert count(path, "SELECT count(*) FROM posts WHERE posted_at IS NOT NULL") == 40
    assert count(path, "SELECT count(*) FROM asked_questions") == 120
    assert count(path, "SELECT count(*) FROM opt_outs") == 2
    assert count(path, "SELECT count(*) FROM reactions") > 0
    # Every reply belongs to a post made before it.
    late = """
        SELECT count(*) FROM replies AS r JOIN posts AS p ON p.id = r.post_id
        WHERE r.created_at < p.posted_at
    """
    assert count(path, late) == 0
    # The load dropped and rebuilt the indexes: the schema is the migrations'.
    names = "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'replies'"
    assert count(path, names) >= 5
    with closing(sqlite3.connect(path)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    again = summary.prepare_database(TINY, tmp_path)
    assert again.cached and again.path == path


def test_the_benchmark_fills_its_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summary, "QUICK", TINY)
    results = tmp_path / "RESULTS.md"
    args = ["summary", "--quick", "--cache", str(tmp_path / "cache"), "--results", str(results)]
    # 0 or 1 depending on the (meaningless) numbers; anything else is a crash.
    assert main(args) in (0, 1)
    text = results.read_text()
    assert "python -m bench summary --quick" in text
    rows = [line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| ")]
    assert rows[2:] == ROWS
    assert "3,000 replies by 200 members (2 opted out) over 12 weeks" in text


def test_a_full_run_is_what_the_issue_asks_for() -> None:
    assert (summary.FULL.replies, summary.FULL.members) == (1_000_000, 5_000)
    assert (summary.FULL.installments, summary.FULL.weeks) == (200, 52)
