"""FakeDiscord's world: the seeded guild, lookups by name, id or object, and what admins change."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from tests.fakediscord.base import FakeBase
from tests.fakediscord.state import (
    INTENT_GUILD_MEMBERS,
    INTENT_GUILDS,
    Attachment,
    Channel,
    Member,
    Message,
    Overwrite,
    Perm,
    Role,
    User,
)

T = TypeVar("T")


class WorldMixin(FakeBase):
    """The seeded guild, lookups and what a guild's admins change, each with its gateway event.

    Seeded in :meth:`_seed` (see :class:`FakeDiscord`); members join and leave, roles, channels
    and permission overwrites change; the fake's clock moves only when a test advances it.
    """

    def _seed(self) -> None:
        state = self.state
        self.bot = state.bot
        self.owner = state.add_user("owner", global_name="Olga Owner")
        self.organizer = state.add_user("organizer", global_name="Oscar Organizer")
        self.alice = state.add_user("alice")
        self.bob = state.add_user("bob")
        self.guild = state.add_guild("Reading Group", self.owner)
        self.organizer_role = state.add_role(self.guild, "Organizer", Perm.MANAGE_GUILD)
        state.add_member(self.guild, self.organizer, roles=[self.organizer_role])
        state.add_member(self.guild, self.alice)
        state.add_member(self.guild, self.bob)
        self.general = state.add_channel(self.guild, "general", topic="Chat")
        self.readings = state.add_channel(self.guild, "readings", topic="Excerpts")
        self.no_send = state.add_channel(
            self.guild,
            "no-send",
            overwrites=[Overwrite(self.bot.id, 1, deny=Perm.SEND_MESSAGES)],
        )
        self.no_threads = state.add_channel(
            self.guild,
            "no-threads",
            overwrites=[
                Overwrite(
                    self.bot.id, 1, deny=Perm.CREATE_PUBLIC_THREADS | Perm.CREATE_PRIVATE_THREADS
                )
            ],
        )
        self.hidden = state.add_channel(
            self.guild, "hidden", overwrites=[Overwrite(self.guild.id, 0, deny=Perm.VIEW_CHANNEL)]
        )

    # ------------------------------------------------------ waiting and lookups

    async def wait_for_message(
        self,
        channel: Any = None,
        *,
        author: Any = None,
        predicate: Callable[[Message], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test API takes timeouts
    ) -> Message:
        """Waits for a new (created after this call) message, by default from the bot.

        Args:
            channel: restrict to this channel/thread (name, id or object).
            author: the author (default: the bot).
            predicate: an extra condition.
            timeout: seconds.
        """
        since = max(self.state.messages, default=0)
        channel_id = None if channel is None else self.channel(channel).id
        author_id = self.bot.id if author is None else self.user(author).id

        def found() -> Message | None:
            for message_id in sorted(self.state.messages):
                message = self.state.messages[message_id]
                if message_id <= since or message.author_id != author_id:
                    continue
                if channel_id is not None and message.channel_id != channel_id:
                    continue
                if predicate is None or predicate(message):
                    return message
            return None

        message: Message = await self.wait_for(
            found, timeout, f"a new message in {channel or 'any channel'}"
        )
        return message

    def user(self, ref: Any) -> User:
        """A user by object, member, id, numeric string or username."""
        if isinstance(ref, User):
            return ref
        if isinstance(ref, Member):
            return ref.user
        return _lookup(ref, self.state.users, lambda u: u.username.lower(), "user")

    def channel(self, ref: Any) -> Channel:
        """A channel or thread by object, id, numeric string or name."""
        if isinstance(ref, Channel):
            return ref
        if isinstance(ref, str):
            ref = ref.lstrip("#")
        return _lookup(ref, self.state.channels, lambda c: c.name, "channel")

    def role(self, ref: Any) -> Role:
        """A role by object, id or name."""
        if isinstance(ref, Role):
            return ref
        role_id = _as_id(ref)
        for guild in self.state.guilds.values():
            for role in guild.roles.values():
                if role.id == role_id or (isinstance(ref, str) and role.name == ref):
                    return role
        raise LookupError(f"no role {ref!r}")

    def message(self, ref: Any) -> Message:
        """A message (ephemeral ones included) by object or id."""
        if isinstance(ref, Message):
            return ref
        found = self.find_message(_as_id(ref) or 0)
        if found is None:
            raise LookupError(f"no message {ref!r}")
        return found

    def find_message(self, message_id: int) -> Message | None:
        """A stored message by id, or None."""
        return self.state.messages.get(message_id)

    def messages(self, channel: Any) -> list[Message]:
        """A channel's (or thread's) messages, oldest first (no ephemerals)."""
        return self.channel(channel).history()

    def bot_messages(self, channel: Any = None, *, ephemeral: bool = True) -> list[Message]:
        """Messages the bot sent (optionally in one channel), oldest first."""
        channel_id = None if channel is None else self.channel(channel).id
        return [
            m
            for k, m in sorted(self.state.messages.items())
            if m.author_id == self.bot.id
            and not m.deleted
            and (channel_id is None or m.channel_id == channel_id)
            and (ephemeral or not m.ephemeral)
        ]

    def threads(self, parent: Any = None) -> list[Channel]:
        """Threads (optionally of one parent channel), oldest first."""
        parent_id = None if parent is None else self.channel(parent).id
        return [
            c
            for _, c in sorted(self.state.channels.items())
            if c.is_thread and (parent_id is None or c.parent_id == parent_id)
        ]

    def dm_channel(self, user: Any) -> Channel:
        """The DM channel between the bot and ``user``."""
        return self.state.dm_channel(self.user(user))

    def register_attachment(self, channel_id: int, attachment: Attachment) -> None:
        """Stores an attachment's bytes and gives it a URL on the fake."""
        del channel_id
        attachment.url = f"{self.state.attachment_base}/{attachment.id}/{attachment.filename}"
        self.attachments[attachment.id] = attachment

    # -------------------------------------------------------- admins' changes

    def add_member(self, username: str, *, roles: Sequence[Any] = ()) -> User:
        """A new user joins the guild (GUILD_MEMBER_ADD)."""
        user = self.state.add_user(username)
        member = self.state.add_member(self.guild, user, roles=[self.role(r) for r in roles])
        payload = {**self.state.member_payload(member), "guild_id": str(self.guild.id)}
        self.gateway.dispatch("GUILD_MEMBER_ADD", payload, intents=INTENT_GUILD_MEMBERS)
        return user

    def add_role(self, name: str, permissions: int = 0, *, mentionable: bool = False) -> Role:
        """An admin creates a role (GUILD_ROLE_CREATE)."""
        role = self.state.add_role(self.guild, name, permissions)
        role.mentionable = mentionable
        self.gateway.dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(self.guild.id), "role": self.state.role_payload(role)},
            intents=INTENT_GUILDS,
        )
        return role

    def set_roles(self, user: Any, roles: Sequence[Any]) -> None:
        """An admin sets a member's roles (GUILD_MEMBER_UPDATE)."""
        member = self.guild.members[self.user(user).id]
        member.role_ids = [self.role(r).id for r in roles]
        payload = {**self.state.member_payload(member), "guild_id": str(self.guild.id)}
        self.gateway.dispatch("GUILD_MEMBER_UPDATE", payload, intents=INTENT_GUILD_MEMBERS)

    def remove_member(self, user: Any) -> None:
        """A member leaves the guild (GUILD_MEMBER_REMOVE)."""
        target = self.user(user)
        self.guild.members.pop(target.id, None)
        self.gateway.dispatch(
            "GUILD_MEMBER_REMOVE",
            {"guild_id": str(self.guild.id), "user": self.state.user_payload(target)},
            intents=INTENT_GUILD_MEMBERS,
        )

    def add_channel(
        self, name: str, *, overwrites: Sequence[Overwrite] = (), topic: str | None = None
    ) -> Channel:
        """An admin creates a text channel (CHANNEL_CREATE)."""
        channel = self.state.add_channel(self.guild, name, overwrites=list(overwrites), topic=topic)
        self.gateway.dispatch(
            "CHANNEL_CREATE", self.state.channel_payload(channel), intents=INTENT_GUILDS
        )
        return channel

    def remove_channel(self, channel: Any) -> None:
        """Deletes a channel or thread (and its threads): CHANNEL_DELETE / THREAD_DELETE."""
        target = self.channel(channel)
        for thread in self.threads(target) if not target.is_thread else []:
            self.remove_channel(thread)
        self.state.channels.pop(target.id, None)
        self.guild.channels.pop(target.id, None)
        if target.is_thread:
            event = {
                "id": str(target.id),
                "guild_id": str(target.guild_id),
                "parent_id": str(target.parent_id),
                "type": target.type,
            }
            self.gateway.dispatch("THREAD_DELETE", event, intents=INTENT_GUILDS)
        else:
            payload = self.state.channel_payload(target)
            self.gateway.dispatch("CHANNEL_DELETE", payload, intents=INTENT_GUILDS)

    def set_permissions(
        self, channel: Any, target: Any, *, allow: int = 0, deny: int = 0
    ) -> Channel:
        """An admin sets a channel overwrite for a user or role (CHANNEL_UPDATE)."""
        found = self.channel(channel)
        key = (0, target.id) if isinstance(target, Role) else (1, self.user(target).id)
        found.overwrites = [o for o in found.overwrites if (o.type, o.id) != key]
        if allow or deny:
            found.overwrites.append(Overwrite(key[1], key[0], allow=allow, deny=deny))
        self.gateway.dispatch(
            "CHANNEL_UPDATE", self.state.channel_payload(found), intents=INTENT_GUILDS
        )
        return found

    def advance_time(self, seconds: float) -> None:
        """Moves the fake's clock (interaction deadlines, token expiry, message ages)."""
        self.clock.advance(seconds)


def _lookup(ref: Any, table: Mapping[int, T], name_of: Callable[[T], str], kind: str) -> T:
    """An entity of ``table`` by id (int, numeric string, object with ``id``) or name."""
    found_id = _as_id(ref)
    if found_id is not None and found_id in table:
        return table[found_id]
    if isinstance(ref, str):
        for entity in table.values():
            if name_of(entity) == ref.lower() or name_of(entity) == ref:
                return entity
    raise LookupError(f"no {kind} {ref!r}")


def _as_id(ref: Any) -> int | None:
    if isinstance(ref, int):
        return ref
    if isinstance(ref, str) and ref.isdigit():
        return int(ref)
    ref_id = getattr(ref, "id", None)
    return ref_id if isinstance(ref_id, int) else None
