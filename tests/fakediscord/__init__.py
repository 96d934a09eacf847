"""A fake Discord (REST + Gateway) on 127.0.0.1 for end-to-end tests of the real discord.py client.

See README.md beside this file for the fixtures and the test API.
"""

from tests.fakediscord.base import FakeConfig, RequestRecord, SentRecord, Violation
from tests.fakediscord.errors import DiscordError, FormErrors
from tests.fakediscord.interactions import Callback, CommandNotSynced, Interaction
from tests.fakediscord.runner import RunningClient, patch_discord, start_client
from tests.fakediscord.server import FakeDiscord, running_fake
from tests.fakediscord.state import (
    INTENT_GUILD_MEMBERS,
    INTENT_MESSAGE_CONTENT,
    INTENT_PRESENCES,
    Channel,
    Message,
    Overwrite,
    Perm,
    Role,
    User,
)

__all__ = [
    "INTENT_GUILD_MEMBERS",
    "INTENT_MESSAGE_CONTENT",
    "INTENT_PRESENCES",
    "Callback",
    "Channel",
    "CommandNotSynced",
    "DiscordError",
    "FakeConfig",
    "FakeDiscord",
    "FormErrors",
    "Interaction",
    "Message",
    "Overwrite",
    "Perm",
    "RequestRecord",
    "Role",
    "RunningClient",
    "SentRecord",
    "User",
    "Violation",
    "patch_discord",
    "running_fake",
    "start_client",
]
