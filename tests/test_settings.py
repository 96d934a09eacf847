"""Settings: environment over .env over defaults, and every mistake named with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.shards import Shards
from bot.settings import Settings, SettingsError


def test_defaults_without_anything() -> None:
    settings = Settings.load(environ={}, env_file=None)
    assert settings.database_path == Path("data/reading-group.sqlite3")
    assert settings.readings_dir == Path("readings")
    assert settings.prompts_dir == Path("prompts")
    assert settings.log_level == "INFO"
    assert settings.dev_guild_id is None
    assert settings.token == ""


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("DISCORD_TOKEN=from-file\nLOG_LEVEL=debug\nDEV_GUILD_ID=123\n")
    settings = Settings.load(environ={"DISCORD_TOKEN": "from-env"}, env_file=env)
    assert settings.token == "from-env"
    assert settings.log_level == "DEBUG"
    assert settings.dev_guild_id == 123


def test_token_never_in_repr() -> None:
    settings = Settings.load(environ={"DISCORD_TOKEN": "s3cret.token.value"}, env_file=None)
    assert "s3cret" not in repr(settings)
    assert "s3cret" not in str(settings)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("LOG_LEVEL=loud\n", ":1: LOG_LEVEL='loud' is not one of DEBUG, INFO"),
        ("# comment\nDEV_GUILD_ID=my server\n", ":2: DEV_GUILD_ID must be a server id"),
        ("A=1\nthis is not a setting\n", ":2: not a 'NAME=value' line"),
    ],
)
def test_bad_values_name_the_line(tmp_path: Path, content: str, expected: str) -> None:
    env = tmp_path / ".env"
    env.write_text(content)
    with pytest.raises(SettingsError) as caught:
        Settings.load(environ={}, env_file=env)
    assert len(caught.value.errors) == 1
    assert str(caught.value.errors[0]).startswith(f"{env}{expected}")


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="environment variable LOG_LEVEL: LOG_LEVEL='x'"):
        Settings.load(environ={"LOG_LEVEL": "x"}, env_file=None)


@pytest.mark.parametrize(
    ("environ", "size", "leaderboard"),
    [
        ({}, 5, False),
        ({"SUMMARY_MIN_GROUP_SIZE": "8", "SUMMARY_LEADERBOARD": "on"}, 8, True),
        ({"SUMMARY_MIN_GROUP_SIZE": "0", "SUMMARY_LEADERBOARD": "Yes"}, 0, True),
        ({"SUMMARY_LEADERBOARD": "false"}, 5, False),
    ],
)
def test_summary_settings(environ: dict[str, str], size: int, leaderboard: bool) -> None:
    settings = Settings.load(environ=environ, env_file=None)
    assert (settings.summary_min_group_size, settings.summary_leaderboard) == (size, leaderboard)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"SUMMARY_MIN_GROUP_SIZE": "five"}, "SUMMARY_MIN_GROUP_SIZE='five' must be a whole"),
        ({"SUMMARY_LEADERBOARD": "maybe"}, "SUMMARY_LEADERBOARD='maybe' must be on or off"),
    ],
)
def test_bad_summary_settings_say_what_to_write(environ: dict[str, str], expected: str) -> None:
    with pytest.raises(SettingsError, match=expected):
        Settings.load(environ=environ, env_file=None)


def test_env_example_gives_the_summary_defaults() -> None:
    example = Path(__file__).resolve().parents[1] / ".env.example"
    settings = Settings.load(environ={}, env_file=example)
    defaults = Settings.load(environ={}, env_file=None)
    assert settings.summary_min_group_size == defaults.summary_min_group_size == 5
    assert settings.summary_leaderboard is defaults.summary_leaderboard is False


@pytest.mark.parametrize(
    ("environ", "shards"),
    [
        ({}, None),
        ({"SHARD_COUNT": "1"}, Shards(1, (0,))),
        ({"SHARD_COUNT": "3"}, Shards(3, (0, 1, 2))),
        ({"SHARD_COUNT": "4", "SHARD_IDS": " 3, 1,1 "}, Shards(4, (1, 3))),
    ],
)
def test_shard_settings(environ: dict[str, str], shards: Shards | None) -> None:
    assert Settings.load(environ=environ, env_file=None).shards == shards


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT='0' must be a whole number of shards, 1 or more"),
        ({"SHARD_COUNT": "two"}, "SHARD_COUNT='two' must be a whole number"),
        ({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT"),
        (
            {"SHARD_COUNT": "2", "SHARD_IDS": "0,2"},
            "SHARD_IDS='0,2' must be shard numbers from 0 to 1",
        ),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0,,1"}, "SHARD_IDS='0,,1' must be shard numbers"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "-1"}, "SHARD_IDS='-1' must be shard numbers"),
    ],
)
def test_bad_shard_settings_say_what_to_write(environ: dict[str, str], expected: str) -> None:
    with pytest.raises(SettingsError, match=expected) as raised:
        Settings.load(environ=environ, env_file=None)
    assert len(raised.value.errors) == 1


def test_env_example_runs_unsharded() -> None:
    example = Path(__file__).resolve().parents[1] / ".env.example"
    assert Settings.load(environ={}, env_file=example).shards is None


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("", None),
        ("postgresql://rg:pw@127.0.0.1:5432/rg", "postgresql://rg:pw@127.0.0.1:5432/rg"),
        ("postgres://db.example/rg", "postgres://db.example/rg"),
        ("postgresql:///rg?host=/run/postgresql", "postgresql:///rg?host=/run/postgresql"),
    ],
)
def test_database_url_is_a_postgresql_url_or_nothing(value: str, url: str | None) -> None:
    assert Settings.load(environ={"DATABASE_URL": value}, env_file=None).database_url == url


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "mysql://rg:s3cret@db/rg",
            "environment variable DATABASE_URL: DATABASE_URL must be a PostgreSQL URL, "
            "postgresql://user:password@host:port/database (mysql://... is not one); leave it "
            "empty to keep the SQLite file",
        ),
        (
            "data/reading-group.sqlite3",
            "environment variable DATABASE_URL: DATABASE_URL must be a PostgreSQL URL, "
            "postgresql://user:password@host:port/database (the value is not one); leave it "
            "empty to keep the SQLite file",
        ),
        (
            "postgresql://rg:s3cret@db:port/rg",
            "environment variable DATABASE_URL: DATABASE_URL has a port that is not a number "
            "(postgresql://host:5432/db)",
        ),
        (
            "postgresql://rg:s3cret@/rg",
            "environment variable DATABASE_URL: DATABASE_URL names no host "
            "(postgresql://user:password@host:port/database)",
        ),
    ],
)
def test_a_bad_database_url_is_one_line_without_its_password(value: str, expected: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.load(environ={"DATABASE_URL": value}, env_file=None)
    assert str(raised.value) == expected


def test_the_database_url_is_kept_out_of_repr() -> None:
    settings = Settings.load(
        environ={"DATABASE_URL": "postgresql://rg:s3cret@db/rg"}, env_file=None
    )
    assert "s3cret" not in repr(settings)
