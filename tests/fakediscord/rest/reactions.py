"""The fake REST API for reactions: add, remove (own or others'), list, clear."""

import re
from typing import Any

from tests.fakediscord.errors import UNKNOWN_EMOJI, UNKNOWN_USER, DiscordError, unknown
from tests.fakediscord.rest.base import Call, Reply, RestBase, Route
from tests.fakediscord.state import (
    INTENT_DIRECT_MESSAGE_REACTIONS,
    INTENT_GUILD_MESSAGE_REACTIONS,
    Channel,
    Perm,
)

_ASCII_WORD = re.compile(r"^[A-Za-z0-9_ ]+$")
MAX_REACTIONS = 20


class ReactionRoutes(RestBase):
    """``/channels/{channel_id}/messages/{message_id}/reactions/...``."""

    def reaction_routes(self) -> list[Route]:
        """This resource's routes, in table order."""
        r = self._route
        return [
            r(
                "PUT",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me",
                self.add_reaction,
            ),
            r(
                "DELETE",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me",
                self.remove_own_reaction,
            ),
            r(
                "DELETE",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/{user_id}",
                self.remove_user_reaction,
            ),
            r(
                "GET",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}",
                self.get_reactions,
            ),
            r(
                "DELETE",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}",
                self.clear_emoji_reactions,
            ),
            r(
                "DELETE",
                "/channels/{channel_id}/messages/{message_id}/reactions",
                self.clear_reactions,
            ),
        ]

    def emoji_key(self, call: Call) -> str:
        """The reaction key of the path's emoji (``name`` or ``name:id``), or 10014."""
        raw = call.params["emoji_name"]
        name, _, emoji_id = raw.partition(":")
        if emoji_id:
            if int(emoji_id or 0) not in self.fake.custom_emojis:
                raise unknown("Emoji", UNKNOWN_EMOJI)
            return f"{name}:{emoji_id}"
        if not raw or _ASCII_WORD.match(raw):
            raise unknown("Emoji", UNKNOWN_EMOJI)
        return raw

    async def add_reaction(self, call: Call) -> Any:
        """PUT .../reactions/{emoji}/@me."""
        channel = self.channel(call)
        self.require(channel, Perm.READ_MESSAGE_HISTORY, "Read Message History")
        message = self.message(call, channel)
        key = self.emoji_key(call)
        if key not in message.reactions:
            self.require(channel, Perm.ADD_REACTIONS, "Add Reactions")
            if len(message.reactions) >= MAX_REACTIONS:
                raise DiscordError(400, 30010, "Maximum number of reactions reached (20)")
        self.fake.reaction_added(message, self.bot_id, key)
        return Reply(204)

    async def remove_own_reaction(self, call: Call) -> Any:
        """DELETE .../reactions/{emoji}/@me."""
        channel = self.channel(call)
        message = self.message(call, channel)
        self.fake.reaction_removed(message, self.bot_id, self.emoji_key(call))
        return Reply(204)

    async def remove_user_reaction(self, call: Call) -> Any:
        """DELETE .../reactions/{emoji}/{user_id}."""
        channel = self.channel(call)
        self.require(channel, Perm.MANAGE_MESSAGES, "Manage Messages")
        message = self.message(call, channel)
        user_id = call.snowflake("user_id", unknown("User", UNKNOWN_USER))
        self.fake.reaction_removed(message, user_id, self.emoji_key(call))
        return Reply(204)

    async def get_reactions(self, call: Call) -> Any:
        """GET .../reactions/{emoji}."""
        channel = self.channel(call)
        message = self.message(call, channel)
        users = message.reactions.get(self.emoji_key(call), [])
        after = int(call.query.get("after", "0") or 0)
        count = int(call.query.get("limit", "25"))
        chosen = sorted(u for u in users if u > after)[:count]
        return [self.state.user_payload(self.state.users[u]) for u in chosen]

    async def clear_emoji_reactions(self, call: Call) -> Any:
        """DELETE .../reactions/{emoji}."""
        channel = self.channel(call)
        self.require(channel, Perm.MANAGE_MESSAGES, "Manage Messages")
        message = self.message(call, channel)
        key = self.emoji_key(call)
        if message.reactions.pop(key, None) is not None:
            event = self.fake.reaction_base(message)
            event["emoji"] = self.state.reaction_emoji(key)
            self.fake.gateway.dispatch(
                "MESSAGE_REACTION_REMOVE_EMOJI", event, intents=self._reaction_intent(channel)
            )
        return Reply(204)

    async def clear_reactions(self, call: Call) -> Any:
        """DELETE .../reactions."""
        channel = self.channel(call)
        self.require(channel, Perm.MANAGE_MESSAGES, "Manage Messages")
        message = self.message(call, channel)
        message.reactions.clear()
        self.fake.gateway.dispatch(
            "MESSAGE_REACTION_REMOVE_ALL",
            self.fake.reaction_base(message),
            intents=self._reaction_intent(channel),
        )
        return Reply(204)

    @staticmethod
    def _reaction_intent(channel: Channel) -> int:
        return INTENT_DIRECT_MESSAGE_REACTIONS if channel.is_dm else INTENT_GUILD_MESSAGE_REACTIONS
