"""The fake REST API for messages and pins: history, send, edit, delete, bulk delete, pin."""

from datetime import datetime
from typing import Any

from tests.fakediscord import limits
from tests.fakediscord.errors import DiscordError, FormErrors, invalid_form, missing_permissions
from tests.fakediscord.rest.base import Call, Reply, RestBase, Route
from tests.fakediscord.state import INTENT_GUILDS, Channel, Perm, snowflake_time

MAX_PINS = 250


class MessageRoutes(RestBase):
    """``/channels/{channel_id}/messages/...`` (reactions and threads aside)."""

    def message_routes(self) -> list[Route]:
        """This resource's routes, in table order."""
        r = self._route
        return [
            r("GET", "/channels/{channel_id}/messages", self.get_messages),
            r("POST", "/channels/{channel_id}/messages", self.create_message),
            r("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message),
            r("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message),
            r("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message),
            r("POST", "/channels/{channel_id}/messages/bulk-delete", self.bulk_delete),
            r("GET", "/channels/{channel_id}/messages/pins", self.get_pins),
            r("PUT", "/channels/{channel_id}/messages/pins/{message_id}", self.pin),
            r("DELETE", "/channels/{channel_id}/messages/pins/{message_id}", self.unpin),
        ]

    async def get_messages(self, call: Call) -> Any:
        """GET /channels/{channel_id}/messages: newest first, before/after/around + limit."""
        channel = self.channel(call)
        if not self.perms(channel) & Perm.READ_MESSAGE_HISTORY:
            return []
        count = int(call.query.get("limit", "50"))
        history = channel.history()
        if "around" in call.query:
            pivot = int(call.query["around"])
            older = [m for m in history if m.id < pivot][-(count // 2) :] if count > 1 else []
            rest = [m for m in history if m.id >= pivot][: count - len(older)]
            chosen = older + rest
        elif "before" in call.query:
            before = int(call.query["before"])
            chosen = [m for m in history if m.id < before][-count:]
        elif "after" in call.query:
            after = int(call.query["after"])
            chosen = [m for m in history if m.id > after][:count]
        else:
            chosen = history[-count:]
        return [self.state.message_payload(m) for m in reversed(chosen)]

    async def get_message(self, call: Call) -> Any:
        """GET /channels/{channel_id}/messages/{message_id}."""
        channel = self.channel(call)
        self.require(channel, Perm.READ_MESSAGE_HISTORY, "Read Message History")
        return self.state.message_payload(self.message(call, channel))

    async def create_message(self, call: Call) -> Any:
        """POST /channels/{channel_id}/messages."""
        channel = self.channel(call)
        body = call.json()
        if channel.is_dm:
            recipient = self.state.users[channel.recipient_id or 0]
            if not recipient.accepts_dms or recipient.bot:
                raise DiscordError(403, 50007, "Cannot send messages to this user")
        elif channel.is_thread:
            self.require(channel, Perm.SEND_MESSAGES_IN_THREADS, "Send Messages in Threads")
            self._unarchive_for_message(channel)
        else:
            self.require(channel, Perm.SEND_MESSAGES, "Send Messages")
        if call.files:
            self.require(channel, Perm.ATTACH_FILES, "Attach Files")
        self.check_files(call)
        self.check_body(body)
        message = self.new_bot_message(channel, tts=bool(body.get("tts")), nonce=body.get("nonce"))
        reference = body.get("message_reference")
        if reference:
            self._check_reference(channel, reference)
            message.reference = {
                "type": reference.get("type", 0),
                "message_id": str(reference.get("message_id")),
                "channel_id": str(reference.get("channel_id") or channel.id),
                "guild_id": str(channel.guild_id) if channel.guild_id else None,
            }
            message.type = 19
        self.apply_fields(message, body, call.files)
        if self.is_empty(message):
            raise self.empty_error()
        self.fake.store_message(message)
        self.dispatch_message("MESSAGE_CREATE", message)
        return self.state.message_payload(message)

    def _unarchive_for_message(self, thread: Channel) -> None:
        if not thread.archived:
            return
        if thread.locked and not self.perms(thread) & Perm.MANAGE_THREADS:
            raise DiscordError(400, 50083, "Thread is archived")
        thread.archived = False
        thread.archive_timestamp = self.state.clock.now()
        self.fake.gateway.dispatch(
            "THREAD_UPDATE", self.state.thread_payload(thread), intents=INTENT_GUILDS
        )

    def _check_reference(self, channel: Channel, reference: dict[str, Any]) -> None:
        self.require(channel, Perm.READ_MESSAGE_HISTORY, "Read Message History (to reply)")
        raw = str(reference.get("message_id", ""))
        target = self.state.messages.get(int(raw)) if raw.isdigit() else None
        if (target is None or target.deleted) and reference.get("fail_if_not_exists", True):
            errors = FormErrors()
            errors.add(
                ("message_reference",), "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
            )
            raise invalid_form(errors)

    async def edit_message(self, call: Call) -> Any:
        """PATCH /channels/{channel_id}/messages/{message_id}."""
        channel = self.channel(call)
        message = self.message(call, channel)
        body = call.json()
        if message.author_id != self.bot_id:
            if set(body) - {"flags"}:
                raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
            self.require(channel, Perm.MANAGE_MESSAGES, "Manage Messages")
        self.check_files(call)
        self.check_body(body)
        self._edit(message, body, call.files)
        return self.state.message_payload(message)

    async def delete_message(self, call: Call) -> Any:
        """DELETE /channels/{channel_id}/messages/{message_id}."""
        channel = self.channel(call)
        message = self.message(call, channel)
        if message.author_id != self.bot_id:
            if channel.is_dm:
                raise DiscordError(403, 50003, "Cannot execute action on a DM channel")
            self.require(channel, Perm.MANAGE_MESSAGES, "Manage Messages")
        self.fake.remove_message(message)
        return Reply(204)

    async def bulk_delete(self, call: Call) -> Any:
        """POST /channels/{channel_id}/messages/bulk-delete."""
        channel = self.channel(call)
        self.require(channel, Perm.MANAGE_MESSAGES, "Manage Messages")
        ids = [int(x) for x in call.json().get("messages", [])]
        oldest = self.state.clock.time() - limits.BULK_DELETE_MAX_AGE_SECONDS
        if any(snowflake_time(i) < oldest for i in ids):
            raise DiscordError(
                400,
                50034,
                "You can only bulk delete messages that are under 14 days old.",
                violation="bulk_delete_too_old",
            )
        found = [channel.messages[i] for i in ids if i in channel.messages]
        self.fake.remove_messages(channel, found)
        return Reply(204)

    async def get_pins(self, call: Call) -> Any:
        """GET /channels/{channel_id}/messages/pins."""
        channel = self.channel(call)
        self.require(channel, Perm.READ_MESSAGE_HISTORY, "Read Message History")
        pinned = sorted(
            (m for m in channel.messages.values() if m.pinned_at is not None),
            key=lambda m: m.pinned_at or datetime.min,
            reverse=True,
        )
        before = call.query.get("before")
        if before:
            cutoff = datetime.fromisoformat(before)
            pinned = [m for m in pinned if m.pinned_at and m.pinned_at < cutoff]
        count = int(call.query.get("limit", "50"))
        return {
            "items": [
                {"pinned_at": _iso(m.pinned_at), "message": self.state.message_payload(m)}
                for m in pinned[:count]
            ],
            "has_more": len(pinned) > count,
        }

    async def pin(self, call: Call) -> Any:
        """PUT /channels/{channel_id}/messages/pins/{message_id}."""
        channel = self.channel(call)
        if not self.perms(channel) & (Perm.PIN_MESSAGES | Perm.MANAGE_MESSAGES):
            raise missing_permissions("pinning needs Pin Messages")
        message = self.message(call, channel)
        if sum(1 for m in channel.messages.values() if m.pinned_at) >= MAX_PINS:
            raise DiscordError(400, 30003, f"Maximum number of pins reached ({MAX_PINS})")
        if message.pinned_at is None:
            message.pinned_at = self.state.clock.now()
            self.fake.pins_changed(channel, message, self.bot_id)
        return Reply(204)

    async def unpin(self, call: Call) -> Any:
        """DELETE /channels/{channel_id}/messages/pins/{message_id}."""
        channel = self.channel(call)
        if not self.perms(channel) & (Perm.PIN_MESSAGES | Perm.MANAGE_MESSAGES):
            raise missing_permissions("unpinning needs Pin Messages")
        message = self.message(call, channel)
        if message.pinned_at is not None:
            message.pinned_at = None
            self.fake.pins_changed(channel, None, self.bot_id)
        return Reply(204)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="microseconds")
