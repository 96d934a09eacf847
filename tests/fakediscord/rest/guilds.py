"""The fake REST API for guilds: the guild, its channels, roles, members and active threads."""

from typing import Any

from tests.fakediscord.errors import UNKNOWN_MEMBER, missing_access, unknown
from tests.fakediscord.rest.base import Call, RestBase, Route
from tests.fakediscord.state import INTENT_GUILD_MEMBERS, Perm


class GuildRoutes(RestBase):
    """``/guilds/{guild_id}/...``."""

    def guild_routes(self) -> list[Route]:
        """This resource's routes, in table order."""
        r = self._route
        return [
            r("GET", "/guilds/{guild_id}", self.get_guild),
            r("GET", "/guilds/{guild_id}/channels", self.get_guild_channels),
            r("GET", "/guilds/{guild_id}/roles", self.get_roles),
            r("GET", "/guilds/{guild_id}/members", self.list_members),
            r("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member),
            r("GET", "/guilds/{guild_id}/threads/active", self.active_threads),
        ]

    async def get_guild(self, call: Call) -> Any:
        """GET /guilds/{guild_id}."""
        guild = self.guild(call)
        payload = self.state.guild_payload(guild)
        if call.query.get("with_counts") in ("true", "1", "True"):
            payload["approximate_member_count"] = len(guild.members)
            payload["approximate_presence_count"] = 0
        return payload

    async def get_guild_channels(self, call: Call) -> Any:
        """GET /guilds/{guild_id}/channels (threads excluded, as on Discord)."""
        guild = self.guild(call)
        return [self.state.channel_payload(c) for c in guild.channels.values() if not c.is_thread]

    async def get_roles(self, call: Call) -> Any:
        """GET /guilds/{guild_id}/roles."""
        return [self.state.role_payload(r) for r in self.guild(call).roles.values()]

    async def list_members(self, call: Call) -> Any:
        """GET /guilds/{guild_id}/members (needs the members intent enabled in the portal)."""
        guild = self.guild(call)
        if not self.fake.config.privileged_intents & INTENT_GUILD_MEMBERS:
            raise missing_access("listing members needs the Server Members intent")
        after = int(call.query.get("after", "0") or 0)
        count = int(call.query.get("limit", "1") or 1)
        members = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)
        return [self.state.member_payload(m) for m in members[:count]]

    async def get_member(self, call: Call) -> Any:
        """GET /guilds/{guild_id}/members/{user_id}."""
        guild = self.guild(call)
        user_id = call.snowflake("user_id", unknown("Member", UNKNOWN_MEMBER))
        member = guild.members.get(user_id)
        if member is None:
            raise unknown("Member", UNKNOWN_MEMBER)
        return self.state.member_payload(member)

    async def active_threads(self, call: Call) -> Any:
        """GET /guilds/{guild_id}/threads/active."""
        guild = self.guild(call)
        threads = [
            c
            for c in guild.channels.values()
            if c.is_thread and not c.archived and self.perms(c) & Perm.VIEW_CHANNEL
        ]
        return {
            "threads": [self.state.thread_payload(t) for t in threads],
            "members": [
                self.state.thread_member_payload(t, self.bot_id)
                for t in threads
                if self.bot_id in t.thread_members
            ],
        }
