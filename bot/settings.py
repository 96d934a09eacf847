"""Settings from the environment and an optional ``.env`` file (the environment wins).

Loaded once in ``__main__``/the CLI, never at import time. The token is never logged: it is
kept out of ``repr`` and every message.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv.parser import parse_stream

from bot.core.errors import ContentError, ReadingGroupError
from bot.core.shards import Shards

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

#: Every setting: name -> (default, what it is). `.env.example` documents the same list; a test
#: keeps the two in step.
SETTINGS: Mapping[str, tuple[str, str]] = {
    "DISCORD_TOKEN": ("", "the bot token from the Discord developer portal (required to run)"),
    "DATABASE_PATH": ("data/reading-group.sqlite3", "the SQLite file, created on first run"),
    "DATABASE_URL": (
        "",
        "a shared PostgreSQL database, postgresql://user:password@host:port/db (empty: SQLite)",
    ),
    "READINGS_DIR": ("readings", "folder of readings/<slug>.md files"),
    "PROMPTS_DIR": ("prompts", "folder of prompts/<slug>.yaml discussion questions"),
    "GROUPS_FILE": ("groups.yaml", "reading groups declared in a file (optional; wins over /plan)"),
    "LOG_LEVEL": ("INFO", "DEBUG, INFO, WARNING, ERROR or CRITICAL"),
    "DEV_GUILD_ID": ("", "a server id to sync slash commands to instantly while developing"),
    "RETENTION_DAYS": ("365", "days the text of logged replies is kept (0: until forgotten)"),
    "SUMMARY_MIN_GROUP_SIZE": (
        "5",
        "weekly summary: no per-person figure while fewer members take part than this",
    ),
    "SUMMARY_LEADERBOARD": ("off", "weekly summary: 'on' lists who replied most (off by default)"),
    "SHARD_COUNT": ("", "how many shards the bot runs as in all (empty: one connection)"),
    "SHARD_IDS": ("", "the shards this process runs, e.g. 0,1 (empty: all of SHARD_COUNT)"),
}

_TRUE = ("on", "true", "yes", "1")
_FALSE = ("off", "false", "no", "0", "")


class SettingsError(ReadingGroupError):
    """One or more settings are wrong; ``errors`` has one ``path:line: problem`` each."""

    def __init__(self, errors: list[ContentError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(str(e) for e in errors))


@dataclass(frozen=True)
class Settings:
    token: str = field(repr=False)
    database_path: Path
    readings_dir: Path
    prompts_dir: Path
    log_level: str = "INFO"
    dev_guild_id: int | None = None
    groups_file: Path = Path("groups.yaml")
    retention_days: int = 365
    summary_min_group_size: int = 5
    summary_leaderboard: bool = False
    shards: Shards | None = None
    #: The PostgreSQL database of the shared state, or None (SQLite at ``database_path``).
    database_url: str | None = field(default=None, repr=False)

    @classmethod
    def load(
        cls,
        environ: Mapping[str, str] | None = None,
        env_file: Path | None = Path(".env"),
    ) -> Settings:
        """Read settings from ``environ`` (default: the process environment) and ``env_file``.

        Raises:
            SettingsError: listing every bad value with where it came from.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, tuple[str, str]] = {}  # name -> (value, where)
        errors: list[ContentError] = []
        if env_file is not None and env_file.is_file():
            text = env_file.read_text(encoding="utf-8-sig")
            for binding in parse_stream(io.StringIO(text)):
                where = f"{env_file}:{binding.original.line}"
                if binding.error:
                    errors.append(
                        ContentError(
                            str(env_file),
                            binding.original.line,
                            "not a 'NAME=value' line (quote values that contain spaces)",
                        )
                    )
                elif binding.key is not None:
                    values[binding.key] = (binding.value or "", where)
        for name in SETTINGS:
            if name in environ:
                values[name] = (environ[name], f"environment variable {name}")

        def get(name: str) -> tuple[str, str]:
            value, where = values.get(name, (SETTINGS[name][0], "default"))
            return value.strip(), where

        def problem(where: str, message: str) -> None:
            path, _, line = where.rpartition(":")
            if path and line.isdigit():
                errors.append(ContentError(path, int(line), message))
            else:
                errors.append(ContentError(where, None, message))

        log_level, where = get("LOG_LEVEL")
        if log_level.upper() not in LOG_LEVELS:
            problem(where, f"LOG_LEVEL={log_level!r} is not one of {', '.join(LOG_LEVELS)}")
        guild_text, where = get("DEV_GUILD_ID")
        dev_guild_id = None
        if guild_text:
            if guild_text.isdigit():
                dev_guild_id = int(guild_text)
            else:
                problem(
                    where,
                    "DEV_GUILD_ID must be a server id (a number: right-click the server with "
                    "Developer Mode on, then Copy Server ID), or empty",
                )
        retention_text, where = get("RETENTION_DAYS")
        retention_days = 365
        if retention_text.isdigit():
            retention_days = int(retention_text)
        else:
            problem(
                where,
                f"RETENTION_DAYS={retention_text!r} must be a whole number of days "
                "(0 keeps reply text until a member asks to forget it)",
            )
        size_text, where = get("SUMMARY_MIN_GROUP_SIZE")
        min_group_size = 5
        if size_text.isdigit():
            min_group_size = int(size_text)
        else:
            problem(
                where,
                f"SUMMARY_MIN_GROUP_SIZE={size_text!r} must be a whole number of members "
                "(e.g. 5; 0 always allows per-person figures)",
            )
        board_text, where = get("SUMMARY_LEADERBOARD")
        if board_text.lower() not in (*_TRUE, *_FALSE):
            problem(where, f"SUMMARY_LEADERBOARD={board_text!r} must be on or off")
        shards = _shards(get("SHARD_COUNT"), get("SHARD_IDS"), problem)
        database_url = _database_url(get("DATABASE_URL"), problem)
        token, _ = get("DISCORD_TOKEN")
        if errors:
            raise SettingsError(errors)
        return cls(
            token=token,
            database_path=Path(get("DATABASE_PATH")[0]),
            readings_dir=Path(get("READINGS_DIR")[0]),
            prompts_dir=Path(get("PROMPTS_DIR")[0]),
            log_level=log_level.upper(),
            dev_guild_id=dev_guild_id,
            groups_file=Path(get("GROUPS_FILE")[0]),
            retention_days=retention_days,
            summary_min_group_size=min_group_size,
            summary_leaderboard=board_text.lower() in _TRUE,
            shards=shards,
            database_url=database_url,
        )

    @property
    def log_level_number(self) -> int:
        return int(logging.getLevelName(self.log_level))


def _shards(
    count_setting: tuple[str, str],
    ids_setting: tuple[str, str],
    problem: Callable[[str, str], None],
) -> Shards | None:
    """SHARD_COUNT and SHARD_IDS as the shards this process runs (None: not sharded); each
    problem is reported through ``problem(where, message)``."""
    count_text, count_where = count_setting
    ids_text, ids_where = ids_setting
    if not count_text:
        if ids_text:
            problem(ids_where, "SHARD_IDS needs SHARD_COUNT: set how many shards there are in all")
        return None
    if not count_text.isdigit() or int(count_text) < 1:
        problem(
            count_where, f"SHARD_COUNT={count_text!r} must be a whole number of shards, 1 or more"
        )
        return None
    count = int(count_text)
    if not ids_text:
        return Shards(count, tuple(range(count)))
    parts = [part.strip() for part in ids_text.split(",")]
    if not all(part.isdigit() and int(part) < count for part in parts):
        problem(
            ids_where,
            f"SHARD_IDS={ids_text!r} must be shard numbers from 0 to {count - 1} "
            "separated by commas (e.g. 0,1)",
        )
        return None
    return Shards(count, tuple(sorted({int(part) for part in parts})))


def _database_url(setting: tuple[str, str], problem: Callable[[str, str], None]) -> str | None:
    """DATABASE_URL, checked without connecting (None: not set). A bad one is named without
    its password."""
    from urllib.parse import urlsplit

    text, where = setting
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("postgresql", "postgres"):
        shown = f"{parts.scheme}://..." if parts.scheme else "the value"
        problem(
            where,
            f"DATABASE_URL must be a PostgreSQL URL, postgresql://user:password@host:port/database "
            f"({shown} is not one); leave it empty to keep the SQLite file",
        )
        return None
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        problem(where, "DATABASE_URL has a port that is not a number (postgresql://host:5432/db)")
        return None
    if not parts.hostname and "host=" not in parts.query:
        problem(where, "DATABASE_URL names no host (postgresql://user:password@host:port/database)")
        return None
    return text
