"""`run` and `sync` on a machine whose network is not up, and a broken file found before any
connection. Discord is a closed port or a silent server on 127.0.0.1; waits are injected."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import signal
import socket
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import closing
from pathlib import Path

import discord
import discord.gateway
import discord.http
import pytest
import yarl

from bot.core.readings import LibraryError
from bot.runner import run_bot
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "MTAw.fake.token"

BROKEN_GROUPS = """groups:
  - name: tuesday
    channel_id: 100
    readings: [nosuch]
    schedule: "tue 19:00 UTC"
"""


def point_discord_at(port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """discord.py's REST and gateway addresses on 127.0.0.1:``port``."""
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{port}/api/v10")
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(f"ws://127.0.0.1:{port}/")
    )


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> int:
    """Discord behind a closed port, as when the network is down: the port's number."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port: int = free.getsockname()[1]
    point_discord_at(port, monkeypatch)
    return port


@pytest.fixture
async def silent(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[asyncio.Event]:
    """Discord behind a server that accepts connections and never answers: set once one came."""
    came = asyncio.Event()
    writers: list[asyncio.StreamWriter] = []

    def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        came.set()

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    point_discord_at(server.sockets[0].getsockname()[1], monkeypatch)
    try:
        yield came
    finally:
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()


def settings_in(tmp_path: Path, token: str = TOKEN, prompts: Path = ROOT / "prompts") -> Settings:
    return Settings.load(
        environ={
            "DISCORD_TOKEN": token,
            "DATABASE_PATH": str(tmp_path / "data" / "bot.sqlite3"),
            "READINGS_DIR": str(ROOT / "readings"),
            "PROMPTS_DIR": str(prompts),
            "GROUPS_FILE": str(tmp_path / "groups.yaml"),
        },
        env_file=None,
    )


def rows(database: Path, table: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(database)) as db:
        return db.execute(f"SELECT * FROM {table}").fetchall()


def signal_on(call: int, waits: list[float]) -> Callable[[float], Awaitable[None]]:
    """A ``sleep`` that records each wait and, on the ``call``-th, sends SIGTERM and waits
    for as long as it takes the signal to end it."""

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == call:
            os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.Event().wait()

    return sleep


async def test_run_without_network_tries_again_ever_later_until_stopped(
    offline: int, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_in(tmp_path)
    waits: list[float] = []
    with caplog.at_level(logging.INFO, logger="bot.runner"):
        code = await asyncio.wait_for(
            run_bot(settings, sleep=signal_on(9, waits)),
            timeout=30,
        )
    assert code == 0
    assert waits == [5, 10, 20, 40, 80, 160, 300, 300, 300]
    tries = [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.runner" and r.levelno == logging.WARNING
    ]
    assert len(tries) == len(waits)
    for line, wait in zip(tries, waits, strict=True):
        assert re.fullmatch(
            rf"Cannot reach Discord: Cannot connect to host 127\.0\.0\.1:{offline} .*; "
            rf"trying again in {wait:g} s",
            line,
        ), line
    assert caplog.messages[-2:] == ["Received SIGTERM: shutting down", "Stopped cleanly"]
    # Nothing was stored: the groups and posts wait for a connection.
    assert rows(settings.database_path, "groups") == []
    assert rows(settings.database_path, "posts") == []


async def test_sync_without_network_is_one_line_and_exit_1(offline: int, tmp_path: Path) -> None:
    stderr = io.StringIO()
    waits: list[float] = []
    code = await run_bot(
        settings_in(tmp_path),
        sync="global",
        login_only=True,
        stderr=stderr,
        sleep=signal_on(1, waits),
    )
    assert (code, waits) == (1, [])
    (line,) = stderr.getvalue().splitlines()
    assert re.fullmatch(
        rf"Cannot reach Discord: Cannot connect to host 127\.0\.0\.1:{offline} .*\. "
        "Check the network connection and try again\\.",
        line,
    ), line


async def test_a_signal_stops_a_try_that_gets_no_answer(
    silent: asyncio.Event, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.runner"):
        task = asyncio.create_task(run_bot(settings_in(tmp_path)))
        await asyncio.wait_for(silent.wait(), timeout=10)
        os.kill(os.getpid(), signal.SIGTERM)
        assert await asyncio.wait_for(task, timeout=5) == 0
    assert caplog.messages == ["Received SIGTERM: shutting down", "Stopped cleanly"]


@pytest.mark.parametrize("token", [TOKEN, ""], ids=["token", "no token"])
async def test_a_broken_groups_yaml_is_reported_before_any_connection(
    silent: asyncio.Event, tmp_path: Path, token: str
) -> None:
    (tmp_path / "groups.yaml").write_text(BROKEN_GROUPS)
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "general.yaml").write_text("templates: oops\n")
    settings = settings_in(tmp_path, token, prompts=tmp_path / "prompts")
    stderr = io.StringIO()
    with pytest.raises(LibraryError) as caught:
        await run_bot(settings, stderr=stderr)
    problems = [str(error) for error in caught.value.errors]
    assert [p.split(": ")[0] for p in problems] == [
        f"{tmp_path}/prompts/general.yaml:1",
        f"{tmp_path}/groups.yaml:4",
    ]
    assert "no reading called 'nosuch'" in problems[1]
    assert stderr.getvalue() == ""
    assert not silent.is_set()
    assert not settings.database_path.exists()
