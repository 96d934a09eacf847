"""Starting and stopping the bot: refused tokens and intents, signals, and the token kept secret."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
from pathlib import Path

import pytest

from bot.client import ReadingGroupBot
from bot.core.readings import load_library
from bot.runner import BAD_TOKEN, INTENTS_REFUSED, NO_TOKEN, run_bot
from bot.settings import Settings
from bot.storage.database import open_database
from tests.discord.conftest import StartBot
from tests.fakediscord import FakeDiscord

ROOT = Path(__file__).resolve().parents[2]


def settings_for(fake: FakeDiscord, tmp_path: Path, token: str | None = None) -> Settings:
    return Settings.load(
        environ={
            "DISCORD_TOKEN": fake.config.token if token is None else token,
            "DEV_GUILD_ID": str(fake.guild.id),
            "DATABASE_PATH": str(tmp_path / "data" / "bot.sqlite3"),
            "READINGS_DIR": str(ROOT / "readings"),
        },
        env_file=None,
    )


async def test_missing_token_exits_2_with_instructions(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    stderr = io.StringIO()
    code = await run_bot(settings_for(fake_discord, tmp_path, token=""), stderr=stderr)
    assert code == 2
    assert stderr.getvalue().strip() == NO_TOKEN
    assert fake_discord.requests == []


async def test_rejected_token_exits_2(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    stderr = io.StringIO()
    settings = settings_for(fake_discord, tmp_path, token="MTAw.not-the-token")
    code = await run_bot(settings, stderr=stderr, guild_ready_timeout=0.1)
    assert code == 2
    assert stderr.getvalue().strip() == BAD_TOKEN


async def test_token_refused_by_the_gateway_exits_2(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake_discord.config.gateway_accepts_token = False
    stderr = io.StringIO()
    code = await run_bot(
        settings_for(fake_discord, tmp_path), stderr=stderr, guild_ready_timeout=0.1
    )
    assert code == 2
    assert stderr.getvalue().strip() == BAD_TOKEN


async def test_missing_privileged_intent_names_the_switch(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake_discord.config.privileged_intents = 0
    stderr = io.StringIO()
    code = await run_bot(
        settings_for(fake_discord, tmp_path), stderr=stderr, guild_ready_timeout=0.1
    )
    assert code == 2
    assert stderr.getvalue().strip() == INTENTS_REFUSED
    assert "Message Content Intent" in INTENTS_REFUSED


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_signal_shuts_down_cleanly(
    fake_discord: FakeDiscord,
    tmp_path: Path,
    signum: signal.Signals,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = settings_for(fake_discord, tmp_path)
    with caplog.at_level(logging.DEBUG):
        task = asyncio.create_task(run_bot(settings, guild_ready_timeout=0.1))
        await fake_discord.wait_for(
            lambda: fake_discord.gateway.identifies and fake_discord.syncs, what="ready"
        )
        # The database exists and is in use while the bot runs.
        assert Path(f"{settings.database_path}-wal").exists()
        os.kill(os.getpid(), signum)
        assert await asyncio.wait_for(task, timeout=5) == 0
    (connection,) = fake_discord.gateway.connections
    assert connection.client_close_code == 4000
    # The last connection closed: SQLite checkpointed and removed the WAL file.
    assert settings.database_path.is_file()
    assert not Path(f"{settings.database_path}-wal").exists()
    assert "Stopped cleanly" in caplog.text
    assert settings.token not in caplog.text
    # The handlers are gone: the test process is back to its defaults.
    assert signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None)


@pytest.mark.parametrize(
    ("mode", "route"),
    [
        ("global", "/applications/{application_id}/commands"),
        ("dev-guild", "/applications/{application_id}/guilds/{guild_id}/commands"),
    ],
)
async def test_sync_logs_in_syncs_and_stops_without_the_gateway(
    fake_discord: FakeDiscord, tmp_path: Path, mode: str, route: str
) -> None:
    code = await run_bot(settings_for(fake_discord, tmp_path), sync=mode, login_only=True)  # type: ignore[arg-type]
    assert code == 0
    (put,) = fake_discord.requests_to("PUT", route)
    assert {c["name"] for c in put.body} >= {"passage", "search", "readings", "help"}
    assert fake_discord.gateway.connections == []


async def test_the_bot_serves_what_it_is_handed_and_reads_no_file_at_start(
    fake_discord: FakeDiscord, start_bot: StartBot, tmp_path: Path
) -> None:
    # The runner loads readings, prompts and groups.yaml once and hands them in: the bot's
    # setup does not read them again (here it would fail on every one of them).
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "bad.md").write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    (broken / "bad.yaml").write_text("questions: [unclosed\n", encoding="utf-8")
    settings = Settings.load(
        environ={
            "DEV_GUILD_ID": str(fake_discord.guild.id),
            "READINGS_DIR": str(broken),
            "PROMPTS_DIR": str(broken),
            "GROUPS_FILE": str(broken / "bad.yaml"),
        },
        env_file=None,
    )
    library = load_library(ROOT / "readings")
    async with open_database(tmp_path / "bot.sqlite3") as db:
        bot = ReadingGroupBot(settings=settings, db=db, library=library, guild_ready_timeout=0.1)
        await start_bot(bot)
        assert bot.library is library
        assert bot.group_configs == ()
