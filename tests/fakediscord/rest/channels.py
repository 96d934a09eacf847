"""The fake REST API for channels: fetch, edit (threads too), delete, typing."""

from typing import Any

from tests.fakediscord import limits
from tests.fakediscord.errors import FormErrors, invalid_form, missing_permissions
from tests.fakediscord.rest.base import Call, Reply, RestBase, Route
from tests.fakediscord.state import INTENT_GUILDS, Perm


class ChannelRoutes(RestBase):
    """``/channels/{channel_id}`` and its typing indicator."""

    def channel_routes(self) -> list[Route]:
        """This resource's routes, in table order."""
        r = self._route
        return [
            r("GET", "/channels/{channel_id}", self.get_channel),
            r("PATCH", "/channels/{channel_id}", self.patch_channel),
            r("DELETE", "/channels/{channel_id}", self.delete_channel),
            r("POST", "/channels/{channel_id}/typing", self.typing),
        ]

    async def get_channel(self, call: Call) -> Any:
        """GET /channels/{channel_id}."""
        return self.state.channel_payload(self.channel(call))

    async def patch_channel(self, call: Call) -> Any:
        """PATCH /channels/{channel_id}: rename, archive/lock threads, topics."""
        channel = self.channel(call)
        body = call.json()
        if not channel.is_thread:
            self.require(channel, Perm.MANAGE_CHANNELS, "Manage Channels")
            channel.name = body.get("name", channel.name)
            channel.topic = body.get("topic", channel.topic)
            self.fake.gateway.dispatch(
                "CHANNEL_UPDATE", self.state.channel_payload(channel), intents=INTENT_GUILDS
            )
            return self.state.channel_payload(channel)
        if "name" in body:
            errors = FormErrors()
            limits.check_thread_name(body["name"], errors, ("name",))
            if errors:
                raise invalid_form(errors)
        manage = bool(self.perms(channel) & Perm.MANAGE_THREADS)
        owner = channel.owner_id == self.bot_id
        unarchive_only = set(body) <= {"archived"} and body.get("archived") is False
        if "locked" in body and not manage:
            raise missing_permissions("locking a thread needs Manage Threads")
        if not (manage or owner or (unarchive_only and not channel.locked)):
            raise missing_permissions("editing another's thread needs Manage Threads")
        if "archived" in body:
            channel.archived = bool(body["archived"])
            channel.archive_timestamp = self.state.clock.now()
        channel.locked = bool(body.get("locked", channel.locked))
        channel.name = body.get("name", channel.name)
        channel.auto_archive_duration = body.get(
            "auto_archive_duration", channel.auto_archive_duration
        )
        channel.invitable = bool(body.get("invitable", channel.invitable))
        self.fake.gateway.dispatch(
            "THREAD_UPDATE", self.state.thread_payload(channel), intents=INTENT_GUILDS
        )
        return self.state.thread_payload(channel)

    async def delete_channel(self, call: Call) -> Any:
        """DELETE /channels/{channel_id}: a thread (Manage Threads) or a channel (Manage
        Channels); DM channels are just closed."""
        channel = self.channel(call)
        payload = self.state.channel_payload(channel)
        if channel.is_dm:
            return payload
        if channel.is_thread:
            self.require(channel, Perm.MANAGE_THREADS, "Manage Threads")
        else:
            self.require(channel, Perm.MANAGE_CHANNELS, "Manage Channels")
        self.fake.remove_channel(channel)
        return payload

    async def typing(self, call: Call) -> Any:
        """POST /channels/{channel_id}/typing."""
        channel = self.channel(call)
        if not channel.is_dm:
            needed = Perm.SEND_MESSAGES_IN_THREADS if channel.is_thread else Perm.SEND_MESSAGES
            self.require(channel, needed, "Send Messages")
        return Reply(204)
