"""Fault tests: the bot tried as an attacker and an unlucky operator would (issue 9).

Each test injects one fault (a full disk, a locked or corrupt database, two processes, a clock
jump, a reconnect, hostile text) and asserts the exact rows in the database afterwards. They reuse
the Discord and storage fixtures.
"""

from tests.discord.conftest import fake_discord, index, start_bot
from tests.storage.conftest import db, sqlite_db

__all__ = ["db", "fake_discord", "index", "sqlite_db", "start_bot"]
