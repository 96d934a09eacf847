"""The fake's world: one application and bot user, guilds, roles, members, channels, messages.

Entities are plain dataclasses the tests may read; the ``*_payload`` functions turn them into
the JSON shapes Discord sends (checked against what discord.py 2.7 parses). Ids are snowflakes
whose timestamps come from the fake's :class:`Clock`, so history paging and the 14-day bulk
delete rule behave as on Discord.
"""

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
SEED_TIME = datetime(2024, 1, 1, tzinfo=UTC).timestamp()


class Perm:
    """Permission bits (Discord's ``permissions`` bit set)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38
    PIN_MESSAGES = 1 << 51
    ALL = (1 << 52) - 1


EVERYONE_DEFAULT = (
    Perm.CREATE_INSTANT_INVITE
    | Perm.ADD_REACTIONS
    | Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.EMBED_LINKS
    | Perm.ATTACH_FILES
    | Perm.READ_MESSAGE_HISTORY
    | Perm.USE_EXTERNAL_EMOJIS
    | Perm.CHANGE_NICKNAME
    | Perm.USE_APPLICATION_COMMANDS
    | Perm.CREATE_PUBLIC_THREADS
    | Perm.CREATE_PRIVATE_THREADS
    | Perm.SEND_MESSAGES_IN_THREADS
)
BOT_DEFAULT = EVERYONE_DEFAULT | Perm.MANAGE_MESSAGES | Perm.MANAGE_THREADS | Perm.PIN_MESSAGES

# Channel types.
GUILD_TEXT = 0
DM = 1
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
THREAD_TYPES = (10, PUBLIC_THREAD, PRIVATE_THREAD)

# Gateway intents.
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_GUILD_MESSAGE_REACTIONS = 1 << 10
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_DIRECT_MESSAGE_REACTIONS = 1 << 13
INTENT_MESSAGE_CONTENT = 1 << 15
INTENT_PRESENCES = 1 << 8
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_PRESENCES | INTENT_MESSAGE_CONTENT
ALL_INTENTS = (1 << 26) - 1

USER_MENTION_RE = re.compile(r"<@!?(\d{15,21})>")
ROLE_MENTION_RE = re.compile(r"<@&(\d{15,21})>")


class Clock:
    """Real time plus an offset tests can advance (nothing sleeps through time)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def monotonic(self) -> float:
        """Seconds for measuring durations (interaction deadlines)."""
        return time.monotonic() + self.offset

    def time(self) -> float:
        """Unix seconds (snowflakes and timestamps)."""
        return time.time() + self.offset

    def now(self) -> datetime:
        """The current aware UTC datetime."""
        return datetime.fromtimestamp(self.time(), UTC)

    def advance(self, seconds: float) -> None:
        """Moves the fake's time forward."""
        self.offset += seconds


class Snowflakes:
    """Generates increasing snowflakes from the clock (or from a given time)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._last = 0
        self._counter = 0

    def next(self, at: float | None = None) -> int:
        """A new id; ``at`` (Unix seconds) backdates it (e.g. a week-old message)."""
        self._counter += 1
        ms = int((self.clock.time() if at is None else at) * 1000) - DISCORD_EPOCH_MS
        value = (ms << 22) | (self._counter & 0xFFF)
        if at is None:
            value = max(value, self._last + 1)
            self._last = value
        return value


def snowflake_time(snowflake: int) -> float:
    """Unix seconds encoded in a snowflake."""
    return ((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000


def iso(moment: datetime | float | None) -> str | None:
    """Discord's ISO-8601 timestamp format."""
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment, UTC)
    return moment.isoformat(timespec="microseconds")


@dataclass(eq=False)
class User:
    """A Discord user (the bot, or a person)."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    accepts_dms: bool = True


@dataclass(eq=False)
class Role:
    """A guild role; ``@everyone`` has the guild's id."""

    id: int
    name: str
    permissions: int = 0
    position: int = 0
    managed: bool = False
    mentionable: bool = False
    color: int = 0
    bot_id: int | None = None


@dataclass(eq=False)
class Member:
    """A user's membership of a guild."""

    user: User
    role_ids: list[int]
    joined_at: datetime
    nick: str | None = None

    @property
    def id(self) -> int:
        """The user's id."""
        return self.user.id


@dataclass
class Overwrite:
    """A channel permission overwrite; ``type`` 0 is a role, 1 a member."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0


@dataclass(eq=False)
class Attachment:
    """An uploaded file; its bytes are served back at ``url``."""

    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None
    url: str = ""


@dataclass(eq=False)
class Message:
    """A message as stored by the fake (bot's, members', interaction responses, ephemerals).

    ``allowed_mentions`` is what the sender passed (None when the body had no such key), so tests
    can check pings; ``deleted`` stays set on deleted messages kept in ``FakeDiscord.deleted``.
    """

    id: int
    channel_id: int
    guild_id: int | None
    author_id: int
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    edited_at: datetime | None = None
    reactions: dict[str, list[int]] = field(default_factory=dict)
    pinned_at: datetime | None = None
    reference: dict[str, Any] | None = None
    allowed_mentions: dict[str, Any] | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    thread_id: int | None = None
    tts: bool = False
    nonce: Any = None
    mention_user_ids: list[int] = field(default_factory=list)
    mention_role_ids: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    deleted: bool = False

    @property
    def created_at(self) -> datetime:
        """When the message was created (from its snowflake)."""
        return datetime.fromtimestamp(snowflake_time(self.id), UTC)

    @property
    def ephemeral(self) -> bool:
        """Only the interaction's user sees it; never in channel history nor on the gateway."""
        return bool(self.flags & (1 << 6))

    @property
    def loading(self) -> bool:
        """A deferred interaction's "thinking..." placeholder."""
        return bool(self.flags & (1 << 7))

    def custom_ids(self) -> list[str]:
        """Every component custom id on the message (rows and nested v2 components)."""
        found: list[str] = []

        def walk(items: list[Any]) -> None:
            for item in items:
                if not isinstance(item, dict):
                    continue
                if item.get("custom_id"):
                    found.append(item["custom_id"])
                for key in ("components", "items"):
                    if isinstance(item.get(key), list):
                        walk(item[key])
                if isinstance(item.get("accessory"), dict):
                    walk([item["accessory"]])

        walk(self.components)
        return found

    def find_component(self, custom_id: str) -> dict[str, Any] | None:
        """The component with ``custom_id``, searched through rows and v2 containers."""
        stack: list[Any] = list(self.components)
        while stack:
            item = stack.pop()
            if not isinstance(item, dict):
                continue
            if item.get("custom_id") == custom_id:
                return item
            for key in ("components", "items"):
                if isinstance(item.get(key), list):
                    stack.extend(item[key])
            if isinstance(item.get("accessory"), dict):
                stack.append(item["accessory"])
        return None


@dataclass(eq=False)
class Channel:
    """A guild text channel, a thread (types 10-12) or a DM (type 1)."""

    id: int
    type: int
    name: str
    guild_id: int | None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    nsfw: bool = False
    rate_limit_per_user: int = 0
    messages: dict[int, Message] = field(default_factory=dict)
    last_message_id: int | None = None
    # Threads only.
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    archive_timestamp: datetime | None = None
    created_at: datetime | None = None
    thread_members: dict[int, datetime] = field(default_factory=dict)
    message_count: int = 0
    total_message_sent: int = 0
    # DMs only.
    recipient_id: int | None = None

    @property
    def is_thread(self) -> bool:
        """Whether this is a thread."""
        return self.type in THREAD_TYPES

    @property
    def is_dm(self) -> bool:
        """Whether this is a DM channel."""
        return self.type == DM

    def history(self) -> list[Message]:
        """The channel's messages, oldest first."""
        return [self.messages[k] for k in sorted(self.messages)]


@dataclass(eq=False)
class Guild:
    """A guild with its roles, members and channels (threads included)."""

    id: int
    name: str
    owner_id: int
    joined_at: datetime
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)

    @property
    def everyone(self) -> Role:
        """The ``@everyone`` role (its id is the guild's)."""
        return self.roles[self.id]


@dataclass
class Pings:
    """Who a message would notify: users, roles, @everyone/@here."""

    users: set[int] = field(default_factory=set)
    roles: set[int] = field(default_factory=set)
    everyone: bool = False

    def __bool__(self) -> bool:
        return bool(self.users or self.roles or self.everyone)


def pings_of(content: str, allowed: dict[str, Any] | None, replied_user_id: int | None) -> Pings:
    """Who ``content`` notifies under ``allowed`` (Discord's allowed-mentions rules).

    Without ``allowed_mentions`` Discord parses every mention and pings a replied-to author;
    with it, only what ``parse`` / ``users`` / ``roles`` / ``replied_user`` allow. Permission
    rules (MENTION_EVERYONE, mentionable roles) are deliberately ignored: they differ between
    servers, so a bot must suppress pings it does not mean to make.
    """
    users = {int(x) for x in USER_MENTION_RE.findall(content)}
    roles = {int(x) for x in ROLE_MENTION_RE.findall(content)}
    everyone = "@everyone" in content or "@here" in content
    if allowed is None:
        if replied_user_id is not None:
            users.add(replied_user_id)
        return Pings(users, roles, everyone)
    parse = allowed.get("parse") or []
    allowed_users = {int(x) for x in allowed.get("users") or []}
    allowed_roles = {int(x) for x in allowed.get("roles") or []}
    pinged_users = users if "users" in parse else users & allowed_users
    if replied_user_id is not None and allowed.get("replied_user"):
        pinged_users = pinged_users | {replied_user_id}
    pinged_roles = roles if "roles" in parse else roles & allowed_roles
    return Pings(pinged_users, pinged_roles, everyone and "everyone" in parse)


class State:
    """Everything the fake knows: users, guilds, channels, messages, synced commands."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.snowflakes = Snowflakes(clock)
        self._seed_counter = 0
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        # Synced application commands: key None is global, else a guild id.
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.attachment_base = ""
        self.bot = self.add_user("readinggroup", global_name="Reading Group", bot=True)
        self.application_id = self.bot.id
        self.application_name = "Reading Group"

    # ----------------------------------------------------------------- creation

    def seed_id(self) -> int:
        """A deterministic id for seeded entities (stable across runs, dated 2024-01-01)."""
        self._seed_counter += 1
        return ((int(SEED_TIME * 1000) - DISCORD_EPOCH_MS) << 22) + self._seed_counter

    def add_user(self, username: str, *, global_name: str | None = None, bot: bool = False) -> User:
        """Creates a user (not yet in any guild)."""
        user = User(self.seed_id(), username, global_name or username.title(), bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, owner: User, *, later_ms: int = 0) -> Guild:
        """Creates a guild with its ``@everyone`` role, the owner and the bot as members.

        ``later_ms`` dates it that many milliseconds after the seed time: a guild's shard is
        its creation millisecond modulo the shard count, and every seeded id shares one.
        """
        guild = Guild(
            self.seed_id() + (later_ms << 22),
            name,
            owner.id,
            joined_at=datetime.fromtimestamp(SEED_TIME, UTC),
        )
        guild.roles[guild.id] = Role(guild.id, "@everyone", EVERYONE_DEFAULT, position=0)
        self.guilds[guild.id] = guild
        bot_role = self.add_role(guild, self.bot.username, BOT_DEFAULT, managed=True)
        bot_role.bot_id = self.bot.id
        self.add_member(guild, owner)
        self.add_member(guild, self.bot, roles=[bot_role])
        return guild

    def add_role(
        self, guild: Guild, name: str, permissions: int = 0, *, managed: bool = False
    ) -> Role:
        """Creates a role above the existing ones."""
        role = Role(self.seed_id(), name, permissions, position=len(guild.roles), managed=managed)
        guild.roles[role.id] = role
        return role

    def add_member(self, guild: Guild, user: User, *, roles: list[Role] | None = None) -> Member:
        """Adds ``user`` to ``guild`` with ``roles``."""
        member = Member(user, [r.id for r in roles or []], joined_at=self.clock.now())
        guild.members[user.id] = member
        return member

    def add_channel(
        self,
        guild: Guild,
        name: str,
        *,
        type: int = GUILD_TEXT,
        overwrites: list[Overwrite] | None = None,
        topic: str | None = None,
    ) -> Channel:
        """Creates a guild channel."""
        position = sum(1 for c in guild.channels.values() if not c.is_thread)
        channel = Channel(
            self.seed_id(),
            type,
            name,
            guild.id,
            position=position,
            overwrites=list(overwrites or []),
            topic=topic,
        )
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        return channel

    def add_thread(
        self,
        parent: Channel,
        name: str,
        owner_id: int,
        *,
        type: int = PUBLIC_THREAD,
        thread_id: int | None = None,
        auto_archive_duration: int = 1440,
        invitable: bool = True,
    ) -> Channel:
        """Creates a thread under ``parent`` (``thread_id`` = starter message id, if any)."""
        assert parent.guild_id is not None
        now = self.clock.now()
        thread = Channel(
            thread_id or self.snowflakes.next(),
            type,
            name,
            parent.guild_id,
            parent_id=parent.id,
            owner_id=owner_id,
            auto_archive_duration=auto_archive_duration,
            archive_timestamp=now,
            created_at=now,
            invitable=invitable,
        )
        thread.thread_members[owner_id] = now
        self.guilds[parent.guild_id].channels[thread.id] = thread
        self.channels[thread.id] = thread
        return thread

    def dm_channel(self, user: User) -> Channel:
        """The bot's DM channel with ``user`` (created on first use)."""
        for channel in self.channels.values():
            if channel.is_dm and channel.recipient_id == user.id:
                return channel
        channel = Channel(self.seed_id(), DM, "", None, recipient_id=user.id)
        self.channels[channel.id] = channel
        return channel

    # ------------------------------------------------------------------ lookups

    def guild_of(self, channel: Channel) -> Guild | None:
        """The guild of a channel (None for DMs)."""
        return None if channel.guild_id is None else self.guilds.get(channel.guild_id)

    def member(self, guild: Guild, user_id: int) -> Member | None:
        """A member of ``guild``, or None."""
        return guild.members.get(user_id)

    # -------------------------------------------------------------- permissions

    def base_permissions(self, guild: Guild, user_id: int) -> int:
        """Guild-level permissions of a member (owner and administrators get all)."""
        if user_id == guild.owner_id:
            return Perm.ALL
        member = guild.members.get(user_id)
        if member is None:
            return 0
        perms = guild.everyone.permissions
        for role_id in member.role_ids:
            role = guild.roles.get(role_id)
            if role is not None:
                perms |= role.permissions
        return Perm.ALL if perms & Perm.ADMINISTRATOR else perms

    def permissions_for(self, user_id: int, channel: Channel) -> int:
        """A user's permissions in a channel, computed as Discord documents it.

        DMs grant the usual messaging permissions; threads use their parent's overwrites, and
        a private thread needs membership or Manage Threads to be seen.
        """
        if channel.is_dm:
            return (
                Perm.VIEW_CHANNEL
                | Perm.SEND_MESSAGES
                | Perm.READ_MESSAGE_HISTORY
                | Perm.EMBED_LINKS
                | Perm.ATTACH_FILES
                | Perm.ADD_REACTIONS
            )
        guild = self.guild_of(channel)
        if guild is None:
            return 0
        target = channel
        if channel.is_thread and channel.parent_id is not None:
            target = self.channels[channel.parent_id]
        perms = self.base_permissions(guild, user_id)
        if perms & Perm.ADMINISTRATOR or perms == Perm.ALL:
            return Perm.ALL
        overwrites = {(o.type, o.id): o for o in target.overwrites}
        everyone = overwrites.get((0, guild.id))
        if everyone is not None:
            perms = (perms & ~everyone.deny) | everyone.allow
        member = guild.members.get(user_id)
        allow = deny = 0
        for role_id in member.role_ids if member else []:
            overwrite = overwrites.get((0, role_id))
            if overwrite is not None:
                allow |= overwrite.allow
                deny |= overwrite.deny
        perms = (perms & ~deny) | allow
        own = overwrites.get((1, user_id))
        if own is not None:
            perms = (perms & ~own.deny) | own.allow
        if not perms & Perm.VIEW_CHANNEL:
            return 0
        if not perms & Perm.SEND_MESSAGES and not channel.is_thread:
            perms &= ~(
                Perm.MENTION_EVERYONE
                | Perm.SEND_TTS_MESSAGES
                | Perm.ATTACH_FILES
                | Perm.EMBED_LINKS
            )
        if (
            channel.type == PRIVATE_THREAD
            and user_id not in channel.thread_members
            and not perms & Perm.MANAGE_THREADS
        ):
            return 0
        return perms

    # ------------------------------------------------------------------ payloads

    def user_payload(self, user: User) -> dict[str, Any]:
        """A user object."""
        payload: dict[str, Any] = {
            "id": str(user.id),
            "username": user.username,
            "discriminator": "0",
            "global_name": user.global_name,
            "avatar": None,
            "avatar_decoration_data": None,
            "banner": None,
            "accent_color": None,
            "public_flags": 0,
            "flags": 0,
        }
        if user.bot:
            payload["bot"] = True
        return payload

    def me_payload(self) -> dict[str, Any]:
        """GET /users/@me for the bot."""
        payload = self.user_payload(self.bot)
        payload.update(verified=True, mfa_enabled=False, locale="en-US", email=None)
        return payload

    def role_payload(self, role: Role) -> dict[str, Any]:
        """A role object."""
        payload: dict[str, Any] = {
            "id": str(role.id),
            "name": role.name,
            "color": role.color,
            "colors": {
                "primary_color": role.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": role.position,
            "permissions": str(role.permissions),
            "managed": role.managed,
            "mentionable": role.mentionable,
            "flags": 0,
        }
        if role.bot_id is not None:
            payload["tags"] = {"bot_id": str(role.bot_id)}
        return payload

    def member_payload(
        self, member: Member, *, with_user: bool = True, permissions: int | None = None
    ) -> dict[str, Any]:
        """A guild member object (``permissions`` is added for interactions)."""
        payload: dict[str, Any] = {
            "roles": [str(r) for r in member.role_ids],
            "nick": member.nick,
            "avatar": None,
            "banner": None,
            "joined_at": iso(member.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            payload["user"] = self.user_payload(member.user)
        if permissions is not None:
            payload["permissions"] = str(permissions)
        return payload

    def channel_payload(self, channel: Channel) -> dict[str, Any]:
        """A channel object (guild channel, thread or DM)."""
        if channel.is_dm:
            recipient = self.users[channel.recipient_id or 0]
            return {
                "id": str(channel.id),
                "type": DM,
                "last_message_id": _opt_str(channel.last_message_id),
                "recipients": [self.user_payload(recipient)],
                "flags": 0,
            }
        if channel.is_thread:
            return self.thread_payload(channel)
        return {
            "id": str(channel.id),
            "type": channel.type,
            "guild_id": str(channel.guild_id),
            "name": channel.name,
            "position": channel.position,
            "parent_id": _opt_str(channel.parent_id),
            "topic": channel.topic,
            "nsfw": channel.nsfw,
            "rate_limit_per_user": channel.rate_limit_per_user,
            "last_message_id": _opt_str(channel.last_message_id),
            "permission_overwrites": [
                {"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
                for o in channel.overwrites
            ],
            "flags": 0,
        }

    def thread_payload(self, thread: Channel, *, for_user: int | None = None) -> dict[str, Any]:
        """A thread channel object; ``member`` is included when ``for_user`` has joined."""
        viewer = self.bot.id if for_user is None else for_user
        payload: dict[str, Any] = {
            "id": str(thread.id),
            "type": thread.type,
            "guild_id": str(thread.guild_id),
            "parent_id": str(thread.parent_id),
            "owner_id": str(thread.owner_id),
            "name": thread.name,
            "last_message_id": _opt_str(thread.last_message_id),
            "rate_limit_per_user": thread.rate_limit_per_user,
            "message_count": thread.message_count,
            "member_count": min(len(thread.thread_members), 50),
            "total_message_sent": thread.total_message_sent,
            "flags": 0,
            "thread_metadata": {
                "archived": thread.archived,
                "auto_archive_duration": thread.auto_archive_duration,
                "archive_timestamp": iso(thread.archive_timestamp),
                "locked": thread.locked,
                "create_timestamp": iso(thread.created_at),
            },
        }
        if thread.type == PRIVATE_THREAD:
            payload["thread_metadata"]["invitable"] = thread.invitable
        if viewer in thread.thread_members:
            payload["member"] = self.thread_member_payload(thread, viewer)
        return payload

    def thread_member_payload(self, thread: Channel, user_id: int) -> dict[str, Any]:
        """A thread member object."""
        return {
            "id": str(thread.id),
            "user_id": str(user_id),
            "join_timestamp": iso(thread.thread_members[user_id]),
            "flags": 0,
        }

    def guild_payload(self, guild: Guild) -> dict[str, Any]:
        """A guild object (REST shape, without members and channels)."""
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "region": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [self.role_payload(r) for r in guild.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "max_members": 500000,
            "max_video_channel_users": 25,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }

    def guild_create_payload(self, guild: Guild) -> dict[str, Any]:
        """GUILD_CREATE: the guild with every member, channel and active thread."""
        payload = self.guild_payload(guild)
        channels = [c for c in guild.channels.values() if not c.is_thread]
        threads = [
            c
            for c in guild.channels.values()
            if c.is_thread
            and not c.archived
            and self.permissions_for(self.bot.id, c) & Perm.VIEW_CHANNEL
        ]
        payload.update(
            joined_at=iso(guild.joined_at),
            large=False,
            unavailable=False,
            member_count=len(guild.members),
            members=[self.member_payload(m) for m in guild.members.values()],
            channels=[self.channel_payload(c) for c in channels],
            threads=[self.thread_payload(t) for t in threads],
            presences=[],
            voice_states=[],
            stage_instances=[],
            guild_scheduled_events=[],
            soundboard_sounds=[],
            embedded_activities=[],
            application_command_counts={},
        )
        return payload

    def attachment_payload(self, attachment: Attachment) -> dict[str, Any]:
        """An attachment object; ``url`` serves the uploaded bytes."""
        return {
            "id": str(attachment.id),
            "filename": attachment.filename,
            "size": len(attachment.data),
            "url": attachment.url,
            "proxy_url": attachment.url,
            "content_type": attachment.content_type,
            "description": attachment.description,
            "height": None,
            "width": None,
            "ephemeral": False,
        }

    def message_payload(self, message: Message, *, gateway: bool = False) -> dict[str, Any]:
        """A message object; gateway events add ``guild_id`` and the author's ``member``."""
        author = self.users[message.author_id]
        guild = self.guilds.get(message.guild_id) if message.guild_id else None
        mentions = []
        for user_id in message.mention_user_ids:
            user = self.users.get(user_id)
            if user is None:
                continue
            mention = self.user_payload(user)
            member = guild.members.get(user_id) if guild else None
            if gateway and member is not None:
                mention["member"] = self.member_payload(member, with_user=False)
            mentions.append(mention)
        payload: dict[str, Any] = {
            "id": str(message.id),
            "channel_id": str(message.channel_id),
            "type": message.type,
            "author": self.user_payload(author),
            "content": message.content,
            "timestamp": iso(message.created_at),
            "edited_timestamp": iso(message.edited_at),
            "tts": message.tts,
            "mention_everyone": message.mention_everyone,
            "mentions": mentions,
            "mention_roles": [str(r) for r in message.mention_role_ids],
            "attachments": [self.attachment_payload(a) for a in message.attachments],
            "embeds": message.embeds,
            "components": message.components,
            "pinned": message.pinned_at is not None,
            "flags": message.flags,
        }
        if message.reactions:
            payload["reactions"] = [
                _reaction_payload(key, users, self.bot.id)
                for key, users in message.reactions.items()
            ]
        if message.nonce is not None:
            payload["nonce"] = message.nonce
        if message.webhook_id is not None:
            payload["webhook_id"] = str(message.webhook_id)
        if message.application_id is not None:
            payload["application_id"] = str(message.application_id)
        if message.interaction_metadata is not None:
            payload["interaction_metadata"] = message.interaction_metadata
        if message.reference is not None:
            payload["message_reference"] = message.reference
            ref_id = int(message.reference.get("message_id") or 0)
            referenced = self.messages.get(ref_id)
            if referenced is not None and not referenced.deleted:
                payload["referenced_message"] = self.message_payload(referenced)
            else:
                payload["referenced_message"] = None
        if message.thread_id is not None and message.thread_id in self.channels:
            payload["thread"] = self.thread_payload(self.channels[message.thread_id])
        channel = self.channels.get(message.channel_id)
        if channel is not None and channel.is_thread:
            payload["position"] = max(0, channel.total_message_sent - 1)
        if gateway and guild is not None:
            payload["guild_id"] = str(guild.id)
            member = guild.members.get(message.author_id)
            if member is not None and message.webhook_id is None:
                payload["member"] = self.member_payload(member, with_user=False)
        return payload

    def reaction_emoji(self, key: str) -> dict[str, Any]:
        """The emoji object of a reaction key (``name`` or ``name:id``)."""
        name, _, emoji_id = key.partition(":")
        return {"id": emoji_id or None, "name": name}


def reference_to(message: Message) -> dict[str, Any]:
    """The ``message_reference`` of a reply to ``message`` (or of a notice pointing at it)."""
    return {
        "type": 0,
        "message_id": str(message.id),
        "channel_id": str(message.channel_id),
        "guild_id": _opt_str(message.guild_id),
    }


def _reaction_payload(key: str, users: list[int], bot_id: int) -> dict[str, Any]:
    name, _, emoji_id = key.partition(":")
    return {
        "emoji": {"id": emoji_id or None, "name": name},
        "count": len(users),
        "count_details": {"burst": 0, "normal": len(users)},
        "burst_colors": [],
        "me": bot_id in users,
        "me_burst": False,
        "burst_count": 0,
    }


def _opt_str(value: int | None) -> str | None:
    return None if value is None else str(value)
