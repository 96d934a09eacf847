"""The command line with DATABASE_URL: the state is read from PostgreSQL, a server that cannot
be used is one line without the password, and two processes never run one shard."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from bot.cli import main
from bot.core.shards import Shards
from bot.settings import SETTINGS
from bot.storage.instance import Owner
from bot.storage.postgres import open_postgres
from tests.storage.test_replies import add_group
from tests.test_cli import ROOT
from tests.test_cli import workdir as workdir

SINCE = dt.datetime(2027, 1, 4, 17, 0, tzinfo=dt.UTC)


def with_password(url: str, password: str, *, port: int | None = None) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username or 'postgres'}:{password}@{parts.hostname}:{port or parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def test_export_reads_the_replies_from_postgresql(
    workdir: Path,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def log_a_reply() -> None:
        async with open_postgres(postgres_url) as db:
            await add_group(db, 100)
            query = """
                INSERT INTO replies (message_id, channel_id, group_channel_id, author_id,
                    author_name, content, created_at, words)
                VALUES (9007199254740993, 500, 100, 1, 'alice', 'in postgres', ?, 2)
            """
            await db.execute(query, ("2027-01-04T18:00:00.000000Z",))

    asyncio.run(log_a_reply())
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    assert main(["export"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("9007199254740993,100,500,,1,alice,2027-01-04T18:00:00.000000Z,")
    assert lines[1].endswith(",in postgres,")
    assert not (workdir / "data").exists()  # nothing was kept in SQLite


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_server_is_one_line_and_exit_1(
    workdir: Path,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = closed_port()
    monkeypatch.setenv("DATABASE_URL", with_password(postgres_url, "s3cret-pw", port=port))
    assert main(["export"]) == 1
    captured = capsys.readouterr()
    database = urlsplit(postgres_url).path.lstrip("/")
    assert captured.out == ""
    assert captured.err.startswith(
        f"PostgreSQL at 127.0.0.1:{port}/{database}: cannot reach the server ("
    )
    assert captured.err.endswith("): start it, or fix DATABASE_URL\n")
    assert captured.err.count("\n") == 1 and "s3cret-pw" not in captured.err


def test_backup_on_postgresql_points_to_pg_dump(
    workdir: Path,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", with_password(postgres_url, "s3cret-pw"))
    assert main(["backup", "copy.sqlite3"]) == 1
    parts = urlsplit(postgres_url)
    assert capsys.readouterr().err == (
        f"The shared state is in PostgreSQL at {parts.hostname}:{parts.port}{parts.path}: back "
        "it up with pg_dump (e.g. pg_dump -Fc -f reading-group.dump DATABASE); backup copies "
        "SQLite files only\n"
    )
    assert not (workdir / "copy.sqlite3").exists()


async def test_run_on_a_shard_another_process_runs_exits_2_naming_it(
    tmp_path: Path, postgres_url: str
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k not in SETTINGS},
        "DATABASE_PATH": str(tmp_path / "index.sqlite3"),
        "DATABASE_URL": postgres_url,
        "SHARD_COUNT": "2",
        "SHARD_IDS": "1",
        "READINGS_DIR": str(ROOT / "readings"),
        "PROMPTS_DIR": str(ROOT / "prompts"),
        "DISCORD_TOKEN": "not.a.token",  # refused before it is used
        "PYTHONPATH": str(ROOT),
    }
    other = Owner("elsewhere", 4242, "other", SINCE)
    async with open_postgres(postgres_url, owner=other, shards=Shards(2, (1,))):
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
    parts = urlsplit(postgres_url)
    assert (process.returncode, out) == (2, b"")
    assert err.decode() == (
        f"PostgreSQL at {parts.hostname}:{parts.port}{parts.path}: shard 1 is run by "
        "reading-group 4242@elsewhere/other: stop that bot first, or give this one other "
        "SHARD_IDS\n"
    )
    assert not (tmp_path / "index.sqlite3").exists()  # refused before the index was opened
