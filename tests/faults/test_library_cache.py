"""The library index as the start cache (issue 12, "Load once"): what a start shows and what
the ``readings`` and ``term_frequency`` rows hold after a reading file is edited, deleted,
renamed, broken or replaced between two starts, a cache row is damaged or old, two processes
start at once on a new database, or a rebuild is killed half way."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.readings import load_library, paragraph_frequencies
from bot.settings import SETTINGS
from bot.storage import library as indexed
from bot.storage.library import INDEX_VERSION, load_indexed
from tests.test_cli import READING as PI
from tests.test_cli import workdir

__all__ = ["workdir"]

PI_SLUG = "proletarian-internationalism"
PI_FILE = f"{PI_SLUG}.md"

ROOT = Path(__file__).resolve().parents[2]

SOIC = """---
title: Against Socialism in One Country
aliases: [soic]
---
The revolution cannot be completed within one country.

## Permanent revolution

A second paragraph on the world market.
"""

AN_HOUR_AGO = time.time() - 3600


@pytest.fixture(autouse=True)
def two_readings(workdir: Path) -> None:
    """The CLI tests' reading (alias ``pi``) and ``soic``, both last changed an hour ago."""
    write(workdir / "readings" / PI_FILE, PI)
    write(workdir / "readings" / "soic.md", SOIC)


def write(path: Path, text: str, when: float = AN_HOUR_AGO) -> None:
    """Write ``text`` with a modification time ``when`` (an hour ago: not racily new)."""
    path.write_text(text, encoding="utf-8")
    os.utime(path, (when, when))


def database(workdir: Path) -> Path:
    return workdir / "data" / "reading-group.sqlite3"


def index(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Create and fill the index, as the bot's first start or `search` does."""
    main(["search", "paragraph"])
    capsys.readouterr()


def passage(reference: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["passage", reference])
    out, err = capsys.readouterr()
    return code, out, err


def rows(workdir: Path) -> dict[str, tuple[str, int | None, int | None, bool]]:
    """slug -> (key, file size, mtime, whether its outline is one this version reads)."""
    with sqlite3.connect(database(workdir)) as db:
        found = db.execute(
            "SELECT slug, content_hash, file_size, file_mtime_ns, outline FROM readings"
        ).fetchall()
    db.close()
    return {
        slug: (key, size, mtime, _readable(outline)) for slug, key, size, mtime, outline in found
    }


def term_rows(workdir: Path) -> dict[str, dict[str, int]]:
    """slug -> its ``term_frequency`` rows (word -> paragraphs)."""
    found: dict[str, dict[str, int]] = {}
    with sqlite3.connect(database(workdir)) as db:
        for slug, word, paragraphs in db.execute("SELECT * FROM term_frequency"):
            found.setdefault(slug, {})[word] = paragraphs
    db.close()
    return found


def counted_terms(workdir: Path) -> dict[str, dict[str, int]]:
    """What ``term_frequency`` should hold for the reading files as they are now."""
    library = load_library(workdir / "readings")
    return {reading.slug: dict(paragraph_frequencies(reading)) for reading in library}


def _readable(outline: str | None) -> bool:
    try:
        return json.loads(outline or "")["v"] == indexed.OUTLINE_VERSION
    except (ValueError, KeyError, TypeError):
        return False


def forbid_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make reading or parsing any reading file fail the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a reading was read again: {args}")

    monkeypatch.setattr(indexed, "read_reading_file", refuse)
    monkeypatch.setattr(indexed, "parse_reading", refuse)


def test_an_unchanged_library_is_neither_read_nor_parsed_again(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    index(workdir, capsys)
    stored = rows(workdir)
    assert set(stored) == {PI_SLUG, "soic"}
    size = (workdir / "readings" / PI_FILE).stat()
    assert stored[PI_SLUG][1:] == (size.st_size, size.st_mtime_ns, True)
    forbid_parsing(monkeypatch)
    code, out, _ = passage("pi §2", capsys)
    assert code == 0
    assert "§2 Second paragraph about internationalism." in out
    loaded = load_indexed(workdir / "readings", database(workdir))
    assert loaded.current
    assert all(reading.stored for reading in loaded.library)
    assert rows(workdir) == stored


def test_a_touched_file_is_hashed_not_parsed_and_its_stat_updated(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    index(workdir, capsys)
    before = rows(workdir)
    later = int(AN_HOUR_AGO + 60) * 1_000_000_000
    os.utime(workdir / "readings" / PI_FILE, ns=(later, later))
    monkeypatch.setattr(indexed, "parse_reading", lambda *a, **k: pytest.fail("parsed"))
    code, out, _ = passage("pi §1", capsys)
    assert (code, "§1 First paragraph.[^1]" in out) == (0, True)
    assert rows(workdir)[PI_SLUG] == (before[PI_SLUG][0], before[PI_SLUG][1], later, True)


def test_an_edit_of_the_same_size_shows_the_new_text(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index(workdir, capsys)
    key = rows(workdir)[PI_SLUG][0]
    write(workdir / "readings" / PI_FILE, PI.replace("Second", "Secund"), AN_HOUR_AGO + 1)
    code, out, _ = passage("pi §2", capsys)
    assert code == 0
    assert "§2 Secund paragraph about internationalism." in out
    after = rows(workdir)[PI_SLUG]
    assert after[0] != key
    assert after[0].startswith(f"v{INDEX_VERSION}:")
    assert after[3]


def test_a_file_edited_just_now_is_hashed_at_the_next_start(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file indexed within the same moment it was written may change again without its stat
    changing: its stat is not stored, and the next start hashes it."""
    write(workdir / "readings" / PI_FILE, PI, time.time())
    index(workdir, capsys)
    assert rows(workdir)[PI_SLUG][2] is None
    (workdir / "readings" / PI_FILE).write_text(PI.replace("First", "Fyrst"), encoding="utf-8")
    code, out, _ = passage("pi §1", capsys)
    assert (code, "§1 Fyrst paragraph" in out) == (0, True)


def test_a_deleted_reading_is_gone_from_the_passages_and_the_rows(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index(workdir, capsys)
    (workdir / "readings" / "soic.md").unlink()
    code, _, err = passage("soic §1", capsys)
    assert code == 1
    assert "soic" in err
    assert set(rows(workdir)) == {PI_SLUG}
    assert passage("pi §1", capsys)[0] == 0


def test_a_changed_or_removed_reading_leaves_no_stale_frequencies(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index(workdir, capsys)
    before = term_rows(workdir)
    assert before == counted_terms(workdir)
    assert before[PI_SLUG]["paragraph"] == 2 and "market" in before["soic"]
    edited = PI.replace("Second paragraph", "Proletarian internationalism")
    write(workdir / "readings" / PI_FILE, edited, AN_HOUR_AGO + 1)
    (workdir / "readings" / "soic.md").unlink()
    assert passage("pi §2", capsys)[0] == 0  # a start: loads, then syncs the index
    after = term_rows(workdir)
    assert after == counted_terms(workdir)
    assert set(after) == {PI_SLUG}
    assert after[PI_SLUG]["paragraph"] == before[PI_SLUG]["paragraph"] - 1
    assert after[PI_SLUG]["proletarian"] == 1


def test_a_renamed_reading_answers_to_its_new_name_only(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index(workdir, capsys)
    (workdir / "readings" / "soic.md").rename(workdir / "readings" / "one-country.md")
    code, out, _ = passage("one-country §2", capsys)
    assert code == 0
    assert "§2 A second paragraph on the world market." in out
    assert set(rows(workdir)) == {PI_SLUG, "one-country"}
    assert passage("soic §2", capsys)[0] == 0  # its alias came along


@pytest.mark.parametrize(
    ("garbage", "message"),
    [
        (b"\xff\xfe\x00garbage", "soic.md: not UTF-8 text"),
        (b"garbage", "soic.md:1: missing front matter"),
        (b"", "soic.md:1: missing front matter"),
    ],
)
def test_a_file_truncated_to_garbage_is_one_clear_error_and_the_rows_stay(
    workdir: Path, capsys: pytest.CaptureFixture[str], garbage: bytes, message: str
) -> None:
    index(workdir, capsys)
    before = rows(workdir)
    (workdir / "readings" / "soic.md").write_bytes(garbage)
    code, out, err = passage("pi §1", capsys)
    assert (code, out) == (1, "")
    assert message in err
    assert "Traceback" not in err
    assert rows(workdir) == before


def test_a_reading_replaced_by_a_directory_is_one_clear_error(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index(workdir, capsys)
    before = rows(workdir)
    (workdir / "readings" / "soic.md").unlink()
    (workdir / "readings" / "soic.md").mkdir()
    code, _, err = passage("pi §1", capsys)
    assert code == 1
    assert "soic.md: is a directory, not a reading file" in err
    assert rows(workdir) == before


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE readings SET outline = 'not json' WHERE slug = 'soic'",
        "UPDATE readings SET outline = '{\"v\": 1}' WHERE slug = 'soic'",
        "UPDATE readings SET numbers = x'0102' WHERE slug = 'soic'",
        "UPDATE readings SET outline = replace(outline, '\"v\":1', '\"v\":0') WHERE slug = 'soic'",
        "UPDATE readings SET outline = NULL, numbers = NULL WHERE slug = 'soic'",
    ],
)
def test_a_damaged_or_older_cache_row_is_rebuilt_from_the_file(
    workdir: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    index(workdir, capsys)
    before = rows(workdir)
    with sqlite3.connect(database(workdir)) as db:
        db.execute(damage)
    db.close()
    code, out, _ = passage("soic §2", capsys)
    assert (code, "§2 A second paragraph on the world market." in out) == (0, True)
    assert rows(workdir) == before
    assert load_indexed(workdir / "readings", database(workdir)).current


def test_a_row_of_an_older_index_version_is_reindexed(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index(workdir, capsys)
    before = rows(workdir)
    with sqlite3.connect(database(workdir)) as db:
        older = f"v{INDEX_VERSION - 1}:"
        db.execute(
            "UPDATE readings SET content_hash = replace(content_hash, ?, ?)",
            (f"v{INDEX_VERSION}:", older),
        )
        db.execute("UPDATE paragraphs SET source = NULL")
    db.close()
    code, out, _ = passage("soic §1", capsys)
    assert (code, "§1 The revolution cannot be completed" in out) == (0, True)
    assert rows(workdir) == before


def test_an_index_from_before_the_term_frequencies_is_rebuilt_once(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As migration 0013 leaves an index of the version before: its rows, no frequencies."""
    index(workdir, capsys)
    before = rows(workdir)
    with sqlite3.connect(database(workdir)) as db:
        db.execute(
            "UPDATE readings SET content_hash = replace(content_hash, ?, ?)",
            (f"v{INDEX_VERSION}:", f"v{INDEX_VERSION - 1}:"),
        )
        db.execute("DELETE FROM term_frequency")
    db.close()
    assert passage("soic §1", capsys)[0] == 0
    assert rows(workdir) == before
    assert term_rows(workdir) == counted_terms(workdir)
    forbid_parsing(monkeypatch)  # once: the next start takes every reading from the index
    assert passage("soic §1", capsys)[0] == 0
    assert load_indexed(workdir / "readings", database(workdir)).current


def test_a_passage_without_a_database_creates_none(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = passage("pi §2", capsys)
    assert (code, "§2 Second paragraph" in out) == (0, True)
    assert not database(workdir).exists()


def cli(workdir: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_starting_at_once_on_a_new_database_index_each_reading_once(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = cli(workdir, "search", "paragraph"), cli(workdir, "search", "market")
    (first_out, first_err), (second_out, second_err) = (
        first.communicate(timeout=60),
        second.communicate(timeout=60),
    )
    assert (first.returncode, second.returncode) == (0, 0), first_err + second_err
    assert f"{PI_SLUG} §2" in first_out
    assert "soic §2" in second_out
    stored = rows(workdir)
    assert set(stored) == {PI_SLUG, "soic"}
    assert all(row[3] for row in stored.values())
    with sqlite3.connect(database(workdir)) as db:
        counted = db.execute("SELECT slug, kind, count(*) FROM paragraphs GROUP BY 1, 2").fetchall()
    db.close()
    assert sorted(counted) == [
        (PI_SLUG, "note", 1),
        (PI_SLUG, "paragraph", 2),
        ("soic", "paragraph", 2),
    ]
    assert load_indexed(workdir / "readings", database(workdir)).current


KILLED_MID_REBUILD = """
import asyncio, os, sys, time
from pathlib import Path
from bot.storage import search
from bot.storage.database import open_database
from bot.storage.library import load_indexed

terms = search._index_terms

async def index_then_hang(db, reading, rows):
    done = await terms(db, reading, rows)
    Path("rebuilding").write_text(reading.slug)  # inside the open transaction
    time.sleep(60)
    return done

search._index_terms = index_then_hang

async def main():
    loaded = load_indexed(Path("readings"), Path("data/reading-group.sqlite3"))
    async with open_database(Path("data/reading-group.sqlite3")) as db:
        await search.sync_index(db, loaded.library)

asyncio.run(main())
"""


def test_a_rebuild_killed_half_way_leaves_the_old_rows_and_the_next_start_reindexes(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index(workdir, capsys)
    before = rows(workdir)
    terms_before = term_rows(workdir)
    write(workdir / "readings" / PI_FILE, PI.replace("First", "Fresh"), AN_HOUR_AGO + 5)
    write(workdir / "readings" / "soic.md", SOIC.replace("world", "whole"), AN_HOUR_AGO + 5)
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env["PYTHONPATH"] = str(ROOT)
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_MID_REBUILD], cwd=workdir, env=env, stderr=subprocess.PIPE
    )
    marker = workdir / "rebuilding"
    deadline = time.monotonic() + 60
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.exists(), child.communicate()[1]
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    assert rows(workdir) == before  # nothing of the half-written version claims to be current
    assert term_rows(workdir) == terms_before  # nor counts: the old frequencies, all of them
    code, out, _ = passage("pi §1", capsys)
    assert (code, "§1 Fresh paragraph" in out) == (0, True)
    assert passage("soic §2", capsys)[1].count("whole market") == 1
    after = rows(workdir)
    assert after[PI_SLUG][0] != before[PI_SLUG][0]
    assert after["soic"][0] != before["soic"][0]
    assert term_rows(workdir) == counted_terms(workdir)
    assert "fresh" in term_rows(workdir)[PI_SLUG]
    assert load_indexed(workdir / "readings", database(workdir)).current


def test_a_look_up_leaves_the_index_to_the_bot_running_on_it(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """While a bot runs on the database, rewriting a reading it loaded would take its text from
    under it: a look-up shows the edited file but leaves the index as the bot has it."""
    index(workdir, capsys)
    before = rows(workdir)
    bot = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    lock = database(workdir).with_name(database(workdir).name + ".lock")
    try:
        lock.write_text(json.dumps({"pid": bot.pid, "host": socket.gethostname()}) + "\n")
        write(workdir / "readings" / "soic.md", SOIC.replace("world", "whole"), AN_HOUR_AGO + 5)
        code, out, _ = passage("soic §2", capsys)
        assert (code, "whole market" in out) == (0, True)
        main(["search", "market"])
        assert "soic §2" in capsys.readouterr().out
        assert rows(workdir) == before
    finally:
        bot.kill()
        bot.wait(10)
    assert passage("soic §2", capsys)[0] == 0  # the bot is gone: the look-up updates the index
    assert rows(workdir)["soic"][0] != before["soic"][0]
