"""Faults of the database file itself: broken, read-only, conflicting, opened by many processes.

Every command runs as its own process (``python -m bot``) with a timeout: a broken database must
give one line on stderr and exit 1, never a traceback, and never hang on aiosqlite's thread.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from bot.settings import SETTINGS
from bot.storage import database
from bot.storage.database import bundled_migrations, connect_raw

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60

#: Every command that opens the database, with the arguments that get it there.
COMMANDS = {
    "plan": ["plan"],
    "preview": ["preview"],
    "search": ["search", "unite"],
    "export": ["export"],
    "summary": ["summary"],
    "catchup": ["catchup", "--member", "7"],
    "backup": ["backup", "copy.sqlite3"],
    "run": ["run"],
    "sync": ["sync"],
}


def environment(database: Path) -> dict[str, str]:
    """The process environment of a command using ``database`` and the shipped library."""
    return {
        **{k: v for k, v in os.environ.items() if k not in SETTINGS},
        "DATABASE_PATH": str(database),
        "READINGS_DIR": str(ROOT / "readings"),
        "PROMPTS_DIR": str(ROOT / "prompts"),
        "DISCORD_TOKEN": "not.a.token",  # run and sync open the database before connecting
        "NO_COLOR": "1",
        "LOG_LEVEL": "WARNING",  # the log of run and sync would add its own lines
    }


def run_all(
    commands: dict[str, list[str]], database: Path, cwd: Path
) -> dict[str, subprocess.CompletedProcess[str]]:
    """Run the commands at once, each as ``python -m bot`` in its own process."""
    started = {
        name: subprocess.Popen(
            [sys.executable, "-m", "bot", *argv],
            cwd=cwd,
            env={**environment(database), "PYTHONPATH": str(ROOT)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, argv in commands.items()
    }
    done = {}
    try:
        for name, process in started.items():
            out, err = process.communicate(timeout=TIMEOUT)  # a hang fails here
            done[name] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    finally:
        for process in started.values():
            process.kill()
            process.wait()
    return done


def make_read_only(request: pytest.FixtureRequest, path: Path) -> None:
    """Make ``path`` read-only, even for root (immutable), and writable again after the test."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        request.addfinalizer(lambda: path.chmod(mode))
        return
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("running as root without chattr: nothing is read-only")
    request.addfinalizer(lambda: subprocess.run(["chattr", "-i", str(path)], check=True))


def rollback_database(path: Path, rows: int = 2000) -> Path:
    """A database in SQLite's default (rollback journal) mode, such as another program makes."""
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
        db.executemany("INSERT INTO notes VALUES (?)", [(f"note {n} " * 20,) for n in range(rows)])
        db.commit()
    return path


def bot_database(path: Path) -> Path:
    """A database as the bot makes it (WAL mode, migrated)."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "search", "unite"],
        cwd=path.parent,
        env={**environment(path), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, result.stderr
    return path


def not_a_database(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Path, str]:
    path = tmp_path / "reading-group.sqlite3"
    path.write_text("groups:\n  - name: not a database at all\n" * 50)
    return path, "file is not a database"


def truncated(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Path, str]:
    path = rollback_database(tmp_path / "reading-group.sqlite3")
    with path.open("r+b") as file:
        file.truncate(10_000)
    return path, "database disk image is malformed"


def directory(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Path, str]:
    path = tmp_path / "reading-group.sqlite3"
    path.mkdir()
    return path, "unable to open database file"


def proc_file(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Path, str]:
    path = Path("/proc/version")
    if not path.exists():
        pytest.skip("no /proc here")
    return path, "unable to open database file"


def read_only_file(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Path, str]:
    path = rollback_database(tmp_path / "reading-group.sqlite3")
    make_read_only(request, path)
    return path, "attempt to write a readonly database"


def read_only_folder(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Path, str]:
    folder = tmp_path / "data"
    folder.mkdir()
    path = bot_database(folder / "reading-group.sqlite3")
    make_read_only(request, folder)
    return path, "unable to open database file"


Broken = Callable[[Path, pytest.FixtureRequest], tuple[Path, str]]


@pytest.mark.parametrize(
    "broken",
    [not_a_database, truncated, directory, proc_file, read_only_file, read_only_folder],
    ids=lambda f: f.__name__,
)
def test_every_command_on_a_broken_database_says_so_in_one_line(
    tmp_path: Path, request: pytest.FixtureRequest, broken: Broken
) -> None:
    path, reason = broken(tmp_path, request)
    commands = dict(COMMANDS)
    if broken is read_only_file:
        # Reading a read-only database is fine: backup copies it (checked below).
        commands.pop("backup")
    before = path.read_bytes() if path.is_file() and path.parent != Path("/proc") else None

    results = run_all(commands, path, tmp_path)

    for name, result in results.items():
        assert result.returncode == 1, (name, result.stderr)
        assert "Traceback" not in result.stderr, name
        if name == "run" and broken in (proc_file, read_only_folder):
            # The bot locks the database before it opens it (one bot per database).
            line = f"{path}: cannot make its lock file {path}.lock ("
        elif name == "backup" and broken is proc_file:
            # SQLite reads a file of /proc as an empty database, which backup refuses.
            line = f"{path}: not a usable SQLite database (the file is empty): "
        else:
            line = f"{path}: not a usable SQLite database ({reason}): "
        assert result.stderr.startswith(line), (name, result.stderr)
        assert result.stderr.count("\n") == 1, (name, result.stderr)
    if before is not None:
        assert path.read_bytes() == before  # nothing was written to it
    assert not (tmp_path / "copy.sqlite3").exists()


def test_a_read_only_database_can_still_be_backed_up(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    path, _ = read_only_file(tmp_path, request)
    (result,) = run_all({"backup": COMMANDS["backup"]}, path, tmp_path).values()
    assert result.returncode == 0, result.stderr
    with closing(sqlite3.connect(tmp_path / "copy.sqlite3")) as copy:
        assert copy.execute("SELECT count(*) FROM notes").fetchone() == (2000,)


def test_a_failing_migration_is_one_line_and_leaves_the_database_as_it_was(
    tmp_path: Path,
) -> None:
    # Another program's database whose table has the name of one of ours.
    path = tmp_path / "reading-group.sqlite3"
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE readings (slug TEXT)")
        db.execute("INSERT INTO readings VALUES ('mine')")
        db.commit()

    results = run_all({"search": COMMANDS["search"], "run": COMMANDS["run"]}, path, tmp_path)

    for name, result in results.items():
        assert result.returncode == 1, (name, result.stderr)
        assert result.stderr == (
            f"{path}: migration 0001_library_index failed (table readings already exists); the "
            "database was left as it was: check DATABASE_PATH points to this bot's database, "
            "or restore a backup\n"
        ), name
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT type, name FROM sqlite_master").fetchall() == [
            ("table", "readings")
        ]
        assert db.execute("SELECT * FROM readings").fetchall() == [("mine",)]


MIGRATE = """
import asyncio, json, sys
from bot.storage.database import connect_raw, migrate

async def main():
    sys.stdin.readline()  # every process is started before any of them opens the database
    db = await connect_raw(sys.argv[1])
    try:
        print("open", flush=True)
        sys.stdin.readline()  # and every one has it open before any of them migrates
        print(json.dumps(await migrate(db)))
    finally:
        await db.close()

asyncio.run(main())
"""


def release(processes: list[subprocess.Popen[str]]) -> None:
    """Let every process past its next ``readline``."""
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()


@pytest.fixture
def migrators(tmp_path: Path) -> Iterator[list[subprocess.Popen[str]]]:
    database = tmp_path / "new.sqlite3"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, str(database)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(10)
    ]
    yield processes
    for process in processes:
        process.kill()
        process.wait()


def test_ten_processes_opening_a_new_database_at_once_apply_each_migration_once(
    tmp_path: Path, migrators: list[subprocess.Popen[str]]
) -> None:
    release(migrators)
    for process in migrators:
        assert process.stdout is not None
        process.stdout.readline()  # "open", or nothing when it failed to
    release(migrators)
    results = [process.communicate(timeout=TIMEOUT) for process in migrators]

    assert [(p.returncode, err) for p, (_, err) in zip(migrators, results, strict=True)] == [
        (0, "")
    ] * 10
    applied = sorted(n for out, _ in results for n in json.loads(out))
    numbers = [m.number for m in bundled_migrations()]
    assert applied == numbers  # each by exactly one process
    with closing(sqlite3.connect(tmp_path / "new.sqlite3")) as db:
        rows = db.execute("SELECT number, name FROM _migrations ORDER BY number").fetchall()
    assert rows == [(m.number, m.name) for m in bundled_migrations()]


async def test_a_new_database_switched_to_wal_by_another_connection_is_waited_for(
    tmp_path: Path,
) -> None:
    """Two processes opening a new database at once: while one switches the file to WAL (a
    write, in the rollback journal's locking), the other's switch was refused at once with
    "database is locked", whatever the busy timeout, and the command failed."""
    path = tmp_path / "new.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE t (x)")
    other.execute("BEGIN IMMEDIATE")  # the write lock, as the other switch holds it
    other.execute("INSERT INTO t VALUES (1)")
    threading.Timer(0.3, other.execute, ("COMMIT",)).start()

    db = await connect_raw(path)
    try:
        async with db.execute("PRAGMA journal_mode") as cursor:
            assert tuple(await cursor.fetchone() or ()) == ("wal",)
        async with db.execute("SELECT x FROM t") as cursor:
            assert [tuple(row) async for row in cursor] == [(1,)]  # after the other committed
    finally:
        await db.close()
        other.close()


async def test_a_database_locked_for_longer_than_the_busy_timeout_is_still_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "new.sqlite3"
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("CREATE TABLE t (x)")
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            await connect_raw(path)
        other.execute("ROLLBACK")
