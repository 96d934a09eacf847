"""The fake REST API for users: the bot's user, other users, DMs, the application and the
gateway URL."""

from typing import Any

from tests.fakediscord.errors import UNKNOWN_USER, unknown
from tests.fakediscord.rest.base import Call, RestBase, Route


class UserRoutes(RestBase):
    """``/users``, ``/applications/@me`` and ``/gateway``."""

    def user_routes(self) -> list[Route]:
        """This resource's routes, in table order."""
        r = self._route
        return [
            r("GET", "/users/@me", self.get_me),
            r("GET", "/users/{user_id}", self.get_user),
            r("POST", "/users/@me/channels", self.create_dm),
            r("GET", "/oauth2/applications/@me", self.get_application),
            r("GET", "/applications/@me", self.get_application),
            r("GET", "/gateway", self.get_gateway, auth=False),
            r("GET", "/gateway/bot", self.get_gateway_bot),
        ]

    async def get_me(self, call: Call) -> Any:
        """GET /users/@me."""
        return self.state.me_payload()

    async def get_user(self, call: Call) -> Any:
        """GET /users/{user_id}."""
        user_id = call.snowflake("user_id", unknown("User", UNKNOWN_USER))
        user = self.state.users.get(user_id)
        if user is None:
            raise unknown("User", UNKNOWN_USER)
        return self.state.user_payload(user)

    async def get_application(self, call: Call) -> Any:
        """GET /oauth2/applications/@me."""
        state = self.state
        owner = state.guilds[next(iter(state.guilds))].owner_id if state.guilds else state.bot.id
        return {
            "id": str(state.application_id),
            "name": state.application_name,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "hook": True,
            "bot_public": False,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": state.user_payload(state.users[owner]),
            "team": None,
            "flags": self.fake.application_flags(),
            "bot": state.user_payload(state.bot),
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "rpc_origins": [],
            "tags": [],
            "approximate_guild_count": len(state.guilds),
        }

    async def get_gateway(self, call: Call) -> Any:
        """GET /gateway."""
        return {"url": self.fake.gateway_url}

    async def get_gateway_bot(self, call: Call) -> Any:
        """GET /gateway/bot (AutoShardedClient)."""
        return {
            "url": self.fake.gateway_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14_400_000,
                "max_concurrency": 1,
            },
        }

    async def create_dm(self, call: Call) -> Any:
        """POST /users/@me/channels."""
        raw = str(call.json().get("recipient_id", ""))
        user = self.state.users.get(int(raw)) if raw.isdigit() else None
        if user is None:
            raise unknown("User", UNKNOWN_USER)
        return self.state.channel_payload(self.state.dm_channel(user))
