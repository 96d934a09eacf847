"""FakeDiscord's state changes shared by REST handlers and actors, each with its gateway event."""

from collections.abc import Sequence
from typing import Any

from tests.fakediscord.audits import AuditMixin
from tests.fakediscord.interactions import APPLICATION_COMMAND, Interaction
from tests.fakediscord.rest import HAS_THREAD
from tests.fakediscord.state import (
    INTENT_DIRECT_MESSAGE_REACTIONS,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGE_REACTIONS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILDS,
    PUBLIC_THREAD,
    USER_MENTION_RE,
    Channel,
    Message,
    Perm,
)


class EventMixin(AuditMixin):
    """State changes shared by the REST handlers and the actors.

    Messages stored and deleted, reactions, pins, threads and thread members changing, each
    dispatching the gateway event Discord would send.
    """

    def resolve_mentions(self, message: Message) -> None:
        """Fills a message's effective mentions from its content, allowed_mentions and the
        author's permissions (MENTION_EVERYONE, mentionable roles)."""
        channel = self.state.channels[message.channel_id]
        guild = self.state.guild_of(channel)
        pings = self._pings(message)
        perms = self.state.permissions_for(message.author_id, channel)
        ordered = [int(x) for x in _user_mentions(message.content)]
        message.mention_user_ids = [
            u
            for u in dict.fromkeys(ordered + sorted(pings.users))
            if u in pings.users and u in self.state.users
        ]
        message.mention_role_ids = [
            r
            for r in sorted(pings.roles)
            if guild is not None
            and r in guild.roles
            and (guild.roles[r].mentionable or perms & Perm.MENTION_EVERYONE)
        ]
        message.mention_everyone = pings.everyone and bool(perms & Perm.MENTION_EVERYONE)

    def store_message(self, message: Message) -> None:
        """Stores a new message (ephemerals only in ``state.messages``)."""
        self.state.messages[message.id] = message
        if not message.ephemeral:
            channel = self.state.channels[message.channel_id]
            channel.messages[message.id] = message
            channel.last_message_id = max(channel.last_message_id or 0, message.id)
            if channel.is_thread:
                channel.message_count += 1
                channel.total_message_sent += 1
        self._record_sent(message, "create")

    def remove_message(self, message: Message) -> None:
        """Deletes one message and dispatches MESSAGE_DELETE (not for ephemerals)."""
        message.deleted = True
        channel = self.state.channels[message.channel_id]
        if channel.messages.pop(message.id, None) is not None and channel.is_thread:
            channel.message_count = max(0, channel.message_count - 1)
        self.deleted.append(message)
        if message.ephemeral:
            return
        event: dict[str, Any] = {"id": str(message.id), "channel_id": str(channel.id)}
        if channel.guild_id is not None:
            event["guild_id"] = str(channel.guild_id)
        self.gateway.dispatch("MESSAGE_DELETE", event, intents=self.rest.message_intents(channel))

    def remove_messages(self, channel: Channel, messages: Sequence[Message]) -> None:
        """Bulk-deletes messages of one channel (MESSAGE_DELETE_BULK)."""
        for message in messages:
            message.deleted = True
            channel.messages.pop(message.id, None)
            self.deleted.append(message)
        event: dict[str, Any] = {
            "ids": [str(m.id) for m in messages],
            "channel_id": str(channel.id),
        }
        if channel.guild_id is not None:
            event["guild_id"] = str(channel.guild_id)
        self.gateway.dispatch("MESSAGE_DELETE_BULK", event, intents=INTENT_GUILD_MESSAGES)

    def reaction_base(self, message: Message) -> dict[str, Any]:
        """The ids every reaction event carries."""
        event: dict[str, Any] = {
            "channel_id": str(message.channel_id),
            "message_id": str(message.id),
        }
        if message.guild_id is not None:
            event["guild_id"] = str(message.guild_id)
        return event

    def _reaction_intent(self, message: Message) -> int:
        return (
            INTENT_GUILD_MESSAGE_REACTIONS if message.guild_id else INTENT_DIRECT_MESSAGE_REACTIONS
        )

    def reaction_added(self, message: Message, user_id: int, key: str) -> None:
        """Adds a reaction and dispatches MESSAGE_REACTION_ADD (no-op if already there)."""
        users = message.reactions.setdefault(key, [])
        if user_id in users:
            return
        users.append(user_id)
        event = self.reaction_base(message)
        event.update(
            user_id=str(user_id),
            emoji=self.state.reaction_emoji(key),
            message_author_id=str(message.author_id),
            burst=False,
            burst_colors=[],
            type=0,
        )
        guild = self.state.guilds.get(message.guild_id or 0)
        if guild is not None and user_id in guild.members:
            event["member"] = self.state.member_payload(guild.members[user_id])
        self.gateway.dispatch("MESSAGE_REACTION_ADD", event, intents=self._reaction_intent(message))

    def reaction_removed(self, message: Message, user_id: int, key: str) -> None:
        """Removes a reaction and dispatches MESSAGE_REACTION_REMOVE (no-op if absent)."""
        users = message.reactions.get(key, [])
        if user_id not in users:
            return
        users.remove(user_id)
        if not users:
            del message.reactions[key]
        event = self.reaction_base(message)
        event.update(
            user_id=str(user_id), emoji=self.state.reaction_emoji(key), burst=False, type=0
        )
        self.gateway.dispatch(
            "MESSAGE_REACTION_REMOVE", event, intents=self._reaction_intent(message)
        )

    def pins_changed(self, channel: Channel, pinned: Message | None, actor_id: int) -> None:
        """CHANNEL_PINS_UPDATE, and the "pinned a message" system message on a pin."""
        last = max((m.pinned_at for m in channel.messages.values() if m.pinned_at), default=None)
        event: dict[str, Any] = {
            "channel_id": str(channel.id),
            "last_pin_timestamp": None if last is None else last.isoformat(),
        }
        if channel.guild_id is not None:
            event["guild_id"] = str(channel.guild_id)
        self.gateway.dispatch("CHANNEL_PINS_UPDATE", event, intents=INTENT_GUILDS)
        if pinned is not None:
            notice = Message(
                self.state.snowflakes.next(),
                channel.id,
                channel.guild_id,
                actor_id,
                type=6,
                reference={
                    "type": 0,
                    "message_id": str(pinned.id),
                    "channel_id": str(channel.id),
                    "guild_id": str(channel.guild_id) if channel.guild_id else None,
                },
            )
            self._store_and_dispatch(notice)

    def _store_and_dispatch(self, message: Message) -> None:
        self.store_message(message)
        self.rest.dispatch_message("MESSAGE_CREATE", message)

    def thread_created(self, thread: Channel, *, starter: Message | None) -> None:
        """THREAD_CREATE (+ the starter's MESSAGE_UPDATE, or a "started a thread" notice)."""
        visible = self.state.permissions_for(self.bot.id, thread) & Perm.VIEW_CHANNEL
        if visible:
            payload = {**self.state.thread_payload(thread), "newly_created": True}
            self.gateway.dispatch("THREAD_CREATE", payload, intents=INTENT_GUILDS)
        parent = self.state.channels[thread.parent_id or 0]
        if starter is not None:
            starter.thread_id = thread.id
            starter.flags |= HAS_THREAD
            self.rest.dispatch_message("MESSAGE_UPDATE", starter)
        elif thread.type == PUBLIC_THREAD:
            notice = Message(
                self.state.snowflakes.next(),
                parent.id,
                parent.guild_id,
                thread.owner_id or 0,
                content=thread.name,
                type=18,
                reference={
                    "type": 0,
                    "channel_id": str(thread.id),
                    "guild_id": str(thread.guild_id),
                },
            )
            self._store_and_dispatch(notice)

    def thread_member_changed(self, thread: Channel, user_id: int, *, joined: bool) -> None:
        """Adds/removes a thread member and dispatches THREAD_MEMBERS_UPDATE."""
        if joined == (user_id in thread.thread_members):
            return
        event: dict[str, Any] = {"id": str(thread.id), "guild_id": str(thread.guild_id)}
        if joined:
            thread.thread_members[user_id] = self.clock.now()
            added = self.state.thread_member_payload(thread, user_id)
            guild = self.state.guild_of(thread)
            if guild is not None and user_id in guild.members:
                added["member"] = self.state.member_payload(guild.members[user_id])
            added["presence"] = None
            event["added_members"] = [added]
        else:
            del thread.thread_members[user_id]
            event["removed_member_ids"] = [str(user_id)]
        event["member_count"] = min(len(thread.thread_members), 50)
        intent = INTENT_GUILDS if user_id == self.bot.id else INTENT_GUILD_MEMBERS
        self.gateway.dispatch("THREAD_MEMBERS_UPDATE", event, intents=intent)

    def interaction_metadata(self, inter: Interaction) -> dict[str, Any]:
        """``interaction_metadata`` of a message answering ``inter``."""
        metadata: dict[str, Any] = {
            "id": str(inter.id),
            "type": inter.type,
            "user": self.state.user_payload(self.state.users[inter.user_id]),
            "authorizing_integration_owners": {"0": inter.payload.get("guild_id")}
            if inter.payload.get("guild_id")
            else {"1": str(inter.user_id)},
        }
        if inter.type == APPLICATION_COMMAND:
            metadata["name"] = inter.payload["data"]["name"]
            metadata["command_type"] = inter.payload["data"].get("type", 1)
        if inter.message_id is not None:
            metadata["interacted_message_id"] = str(inter.message_id)
        if inter.original is not None:
            metadata["original_response_message_id"] = str(inter.original.id)
        return metadata


def _user_mentions(content: str) -> list[str]:
    found: list[str] = USER_MENTION_RE.findall(content)
    return found
