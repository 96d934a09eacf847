"""The fake REST API: the routes discord.py calls for a reading-group bot, checked as Discord does.

Every route is a spec path template (the same string as in ``openapi.json``) mapped to a
handler. Before a handler runs, the body and query are validated against the OpenAPI
description and the per-route limits; handlers then apply Discord's permission and state rules
and raise :class:`DiscordError` with Discord's codes.
"""

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from tests.fakediscord import limits
from tests.fakediscord.errors import (
    UNKNOWN_CHANNEL,
    UNKNOWN_EMOJI,
    UNKNOWN_GUILD,
    UNKNOWN_INTERACTION,
    UNKNOWN_MEMBER,
    UNKNOWN_MESSAGE,
    UNKNOWN_USER,
    UNKNOWN_WEBHOOK,
    DiscordError,
    FormErrors,
    invalid_form,
    missing_access,
    missing_permissions,
    unknown,
)
from tests.fakediscord.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE_MESSAGE,
    MODAL,
    MODAL_SUBMIT,
    UPDATE_MESSAGE,
    VALID_CALLBACKS,
    Callback,
    Interaction,
)
from tests.fakediscord.state import (
    INTENT_DIRECT_MESSAGE_REACTIONS,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGE_REACTIONS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILDS,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    Attachment,
    Channel,
    Guild,
    Message,
    Perm,
    snowflake_time,
)

if TYPE_CHECKING:
    from tests.fakediscord.server import FakeDiscord

_ASCII_WORD = re.compile(r"^[A-Za-z0-9_ ]+$")
MAX_REACTIONS = 20
MAX_PINS = 250
HAS_THREAD = 1 << 5


@dataclass
class UploadedFile:
    """One ``files[n]`` part of a multipart request."""

    index: int
    filename: str
    content_type: str | None
    data: bytes


@dataclass
class Call:
    """A request as handlers see it.

    Attributes:
        method: HTTP method.
        path: the path after ``/api/v10``.
        template: the matched spec template.
        params: path parameters (percent-decoded).
        query: query parameters.
        body: decoded JSON body (or multipart ``payload_json``), None when empty.
        files: multipart ``files[n]`` parts.
    """

    method: str
    path: str
    template: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any = None
    files: list[UploadedFile] = field(default_factory=list)

    def snowflake(self, name: str, missing: DiscordError) -> int:
        """A numeric path parameter, or ``missing`` when it is not a snowflake."""
        raw = self.params[name]
        if not raw.isdigit():
            raise missing
        return int(raw)

    def json(self) -> dict[str, Any]:
        """The body as an object (``{}`` when absent)."""
        return self.body if isinstance(self.body, dict) else {}


@dataclass
class Reply:
    """A handler result other than 200 JSON."""

    status: int
    body: Any = None


Handler = Callable[[Call], Awaitable[Any]]


@dataclass
class Route:
    """One (method, template) the fake implements; ``auth`` False for webhook-token routes."""

    method: str
    template: str
    handler: Handler
    auth: bool = True

    @property
    def segments(self) -> list[str]:
        """The template split on ``/``."""
        return self.template.strip("/").split("/")


class Rest:
    """The route table and handlers; ``fake`` holds state, gateway and records."""

    def __init__(self, fake: "FakeDiscord") -> None:
        self.fake = fake
        self.state = fake.state
        r = self._route
        self.routes: list[Route] = [
            r("GET", "/users/@me", self.get_me),
            r("GET", "/users/{user_id}", self.get_user),
            r("POST", "/users/@me/channels", self.create_dm),
            r("GET", "/oauth2/applications/@me", self.get_application),
            r("GET", "/applications/@me", self.get_application),
            r("GET", "/gateway", self.get_gateway, auth=False),
            r("GET", "/gateway/bot", self.get_gateway_bot),
            r("GET", "/applications/{application_id}/commands", self.get_commands),
            r("PUT", "/applications/{application_id}/commands", self.put_commands),
            r("POST", "/applications/{application_id}/commands", self.post_command),
            r("GET", "/applications/{application_id}/commands/{command_id}", self.get_command),
            r("PATCH", "/applications/{application_id}/commands/{command_id}", self.patch_command),
            r(
                "DELETE",
                "/applications/{application_id}/commands/{command_id}",
                self.delete_command,
            ),
            r(
                "GET",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                self.get_commands,
            ),
            r(
                "PUT",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                self.put_commands,
            ),
            r(
                "POST",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                self.post_command,
            ),
            r(
                "GET",
                "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
                self.get_command,
            ),
            r(
                "PATCH",
                "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
                self.patch_command,
            ),
            r(
                "DELETE",
                "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
                self.delete_command,
            ),
            r("GET", "/guilds/{guild_id}", self.get_guild),
            r("GET", "/guilds/{guild_id}/channels", self.get_guild_channels),
            r("GET", "/guilds/{guild_id}/roles", self.get_roles),
            r("GET", "/guilds/{guild_id}/members", self.list_members),
            r("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member),
            r("GET", "/guilds/{guild_id}/threads/active", self.active_threads),
            r("GET", "/channels/{channel_id}", self.get_channel),
            r("PATCH", "/channels/{channel_id}", self.patch_channel),
            r("DELETE", "/channels/{channel_id}", self.delete_channel),
            r("POST", "/channels/{channel_id}/typing", self.typing),
            r("GET", "/channels/{channel_id}/messages", self.get_messages),
            r("POST", "/channels/{channel_id}/messages", self.create_message),
            r("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message),
            r("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message),
            r("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message),
            r("POST", "/channels/{channel_id}/messages/bulk-delete", self.bulk_delete),
            r("GET", "/channels/{channel_id}/messages/pins", self.get_pins),
            r("PUT", "/channels/{channel_id}/messages/pins/{message_id}", self.pin),
            r("DELETE", "/channels/{channel_id}/messages/pins/{message_id}", self.unpin),
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
            r(
                "POST",
                "/channels/{channel_id}/messages/{message_id}/threads",
                self.thread_from_message,
            ),
            r("POST", "/channels/{channel_id}/threads", self.thread_without_message),
            r("GET", "/channels/{channel_id}/threads/archived/public", self.archived_threads),
            r("GET", "/channels/{channel_id}/thread-members", self.thread_members),
            r("PUT", "/channels/{channel_id}/thread-members/@me", self.join_thread),
            r("DELETE", "/channels/{channel_id}/thread-members/@me", self.leave_thread),
            r("GET", "/channels/{channel_id}/thread-members/{user_id}", self.get_thread_member),
            r("PUT", "/channels/{channel_id}/thread-members/{user_id}", self.add_thread_member),
            r(
                "DELETE",
                "/channels/{channel_id}/thread-members/{user_id}",
                self.remove_thread_member,
            ),
            r(
                "POST",
                "/interactions/{interaction_id}/{interaction_token}/callback",
                self.interaction_callback,
                auth=False,
            ),
            r("POST", "/webhooks/{webhook_id}/{webhook_token}", self.followup, auth=False),
            r(
                "GET",
                "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
                self.get_webhook_message,
                auth=False,
            ),
            r(
                "PATCH",
                "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
                self.edit_webhook_message,
                auth=False,
            ),
            r(
                "DELETE",
                "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
                self.delete_webhook_message,
                auth=False,
            ),
            r(
                "GET",
                "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
                self.get_webhook_message,
                auth=False,
            ),
            r(
                "PATCH",
                "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
                self.edit_webhook_message,
                auth=False,
            ),
            r(
                "DELETE",
                "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
                self.delete_webhook_message,
                auth=False,
            ),
        ]

    @staticmethod
    def _route(method: str, template: str, handler: Handler, *, auth: bool = True) -> Route:
        return Route(method, template, handler, auth)

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """Finds the route for ``method path``.

        Returns:
            (route or None, path parameters, whether the path exists for another method).
        """
        parts = [unquote(p) for p in path.strip("/").split("/")]
        best: tuple[int, Route, dict[str, str]] | None = None
        path_known = False
        for route in self.routes:
            segments = route.segments
            if len(segments) != len(parts):
                continue
            params: dict[str, str] = {}
            literals = 0
            for seg, part in zip(segments, parts, strict=True):
                if seg.startswith("{"):
                    if not part:
                        break
                    params[seg[1:-1]] = part
                elif seg == part:
                    literals += 1
                else:
                    break
            else:
                path_known = True
                if route.method == method and (best is None or literals > best[0]):
                    best = (literals, route, params)
        if best is None:
            return None, {}, path_known
        return best[1], best[2], True

    # ------------------------------------------------------------------ helpers

    @property
    def bot_id(self) -> int:
        """The bot user's id."""
        return self.state.bot.id

    def channel(self, call: Call) -> Channel:
        """The path's channel, visible to the bot (404 10003 / 403 50001)."""
        channel_id = call.snowflake("channel_id", unknown("Channel", UNKNOWN_CHANNEL))
        channel = self.state.channels.get(channel_id)
        if channel is None:
            raise unknown("Channel", UNKNOWN_CHANNEL)
        if not self.perms(channel) & Perm.VIEW_CHANNEL:
            raise missing_access(f"the bot cannot view channel {channel.name!r}")
        return channel

    def perms(self, channel: Channel) -> int:
        """The bot's permissions in ``channel``."""
        return self.state.permissions_for(self.bot_id, channel)

    def require(self, channel: Channel, bits: int, what: str) -> None:
        """403 Missing Permissions unless the bot has every bit of ``bits`` in ``channel``."""
        if self.perms(channel) & bits != bits:
            raise missing_permissions(f"the bot lacks {what} in {channel.name or channel.id!r}")

    def message(self, call: Call, channel: Channel) -> Message:
        """The path's message in ``channel`` (404 10008)."""
        message_id = call.snowflake("message_id", unknown("Message", UNKNOWN_MESSAGE))
        message = channel.messages.get(message_id)
        if message is None:
            raise unknown("Message", UNKNOWN_MESSAGE)
        return message

    def guild(self, call: Call) -> Guild:
        """The path's guild (404 10004)."""
        guild_id = call.snowflake("guild_id", unknown("Guild", UNKNOWN_GUILD))
        guild = self.state.guilds.get(guild_id)
        if guild is None:
            raise unknown("Guild", UNKNOWN_GUILD)
        return guild

    def check_application(self, call: Call) -> None:
        """The path's application must be the bot's (404 10002)."""
        if call.params.get("application_id") != str(self.state.application_id):
            raise DiscordError(404, 10002, "Unknown Application")

    def message_intents(self, channel: Channel) -> int:
        """The intent a message event in ``channel`` needs."""
        return INTENT_DIRECT_MESSAGES if channel.is_dm else INTENT_GUILD_MESSAGES

    def dispatch_message(self, event: str, message: Message) -> None:
        """MESSAGE_CREATE/UPDATE to sessions (content redacted without the intent)."""
        channel = self.state.channels[message.channel_id]
        exempt = (
            message.author_id == self.bot_id
            or channel.is_dm
            or self.bot_id in message.mention_user_ids
        )
        self.fake.gateway.dispatch(
            event,
            self.state.message_payload(message, gateway=True),
            intents=self.message_intents(channel),
            redact=None if exempt else self.fake.gateway.lacks_content_intent,
        )

    def add_files(self, message: Message, files: list[UploadedFile], body: dict[str, Any]) -> None:
        """Turns uploaded parts into attachments (descriptions from ``attachments``)."""
        described = {
            str(a.get("id")): a for a in body.get("attachments") or [] if isinstance(a, dict)
        }
        for upload in files:
            meta = described.get(str(upload.index), {})
            attachment = Attachment(
                self.state.snowflakes.next(),
                meta.get("filename") or upload.filename,
                upload.data,
                upload.content_type,
                meta.get("description"),
            )
            self.fake.register_attachment(message.channel_id, attachment)
            message.attachments.append(attachment)

    def check_files(self, call: Call) -> None:
        """Too many or too large uploads (400 50035 / 413 40005)."""
        if len(call.files) > limits.ATTACHMENTS_MAX:
            errors = FormErrors()
            errors.max_length(("files",), call.files, limits.ATTACHMENTS_MAX)
            raise invalid_form(errors)
        for upload in call.files:
            if len(upload.data) > limits.ATTACHMENT_SIZE_MAX:
                raise DiscordError(
                    413,
                    40005,
                    "Request entity too large",
                    violation="file_too_large",
                    details=[f"{upload.filename}: {len(upload.data)} bytes"],
                )

    def check_body(self, body: dict[str, Any], prefix: tuple[str, ...] = ()) -> None:
        """Message limits (content, embeds, components, allowed mentions): 400 50035."""
        errors = FormErrors()
        limits.check_message(body, errors, prefix)
        if errors:
            raise invalid_form(errors)

    @staticmethod
    def is_empty(message: Message) -> bool:
        """Discord's "Cannot send an empty message" rule."""
        return not (
            message.content.strip()
            or message.embeds
            or message.attachments
            or message.components
            or message.loading
        )

    @staticmethod
    def empty_error() -> DiscordError:
        """400 50006."""
        return DiscordError(400, 50006, "Cannot send an empty message", violation="empty_message")

    def apply_fields(
        self, message: Message, body: dict[str, Any], files: list[UploadedFile]
    ) -> None:
        """Applies a create/edit body to ``message`` (absent keys keep their values)."""
        if "content" in body:
            message.content = body.get("content") or ""
        if "embeds" in body:
            message.embeds = [{"type": "rich", **e} for e in body.get("embeds") or []]
        if "components" in body:
            message.components = body.get("components") or []
        if "allowed_mentions" in body:
            message.allowed_mentions = body.get("allowed_mentions")
        if "flags" in body and body["flags"] is not None:
            keep = message.flags & (limits.FLAG_EPHEMERAL | HAS_THREAD)
            settable = (
                limits.FLAG_SUPPRESS_EMBEDS
                | limits.FLAG_SUPPRESS_NOTIFICATIONS
                | limits.FLAG_COMPONENTS_V2
            )
            message.flags = keep | (body["flags"] & settable)
        if "attachments" in body and body["attachments"] is not None:
            kept = {str(a.get("id")) for a in body["attachments"] if isinstance(a, dict)}
            message.attachments = [a for a in message.attachments if str(a.id) in kept]
        self.add_files(message, files, body)
        self.fake.resolve_mentions(message)

    def new_bot_message(self, channel: Channel, **kwargs: Any) -> Message:
        """A message authored by the bot in ``channel`` (not stored yet)."""
        return Message(
            self.state.snowflakes.next(),
            channel.id,
            channel.guild_id,
            self.bot_id,
            **kwargs,
        )

    # ------------------------------------------------------------- users, app

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

    # ----------------------------------------------------------------- commands

    def _scope(self, call: Call) -> int | None:
        self.check_application(call)
        if "guild_id" not in call.params:
            return None
        guild = self.guild(call)
        return guild.id

    async def get_commands(self, call: Call) -> Any:
        """GET guild or global commands."""
        return self.state.commands.get(self._scope(call), [])

    async def put_commands(self, call: Call) -> Any:
        """PUT (bulk overwrite) guild or global commands."""
        scope = self._scope(call)
        body = call.body if isinstance(call.body, list) else []
        errors = FormErrors()
        limits.check_commands(body, errors)
        if errors:
            raise invalid_form(errors)
        old = {(c["name"], c.get("type", 1)): c for c in self.state.commands.get(scope, [])}
        result = [self._stored_command(raw, scope, old) for raw in body]
        self.state.commands[scope] = result
        self.fake.syncs.append((scope, [c["name"] for c in result]))
        return result

    def _stored_command(
        self, raw: dict[str, Any], scope: int | None, old: dict[tuple[str, int], dict[str, Any]]
    ) -> dict[str, Any]:
        kind = raw.get("type", 1)
        previous = old.get((raw["name"], kind))
        command: dict[str, Any] = {
            "id": previous["id"] if previous else str(self.state.snowflakes.next()),
            "application_id": str(self.state.application_id),
            "version": str(self.state.snowflakes.next()),
            "type": kind,
            "name": raw["name"],
            "name_localizations": raw.get("name_localizations"),
            "description": raw.get("description", ""),
            "description_localizations": raw.get("description_localizations"),
            "default_member_permissions": raw.get("default_member_permissions"),
            "nsfw": raw.get("nsfw", False),
            "contexts": raw.get("contexts"),
            "integration_types": raw.get("integration_types", [0]),
        }
        if raw.get("options"):
            command["options"] = raw["options"]
        if scope is not None:
            command["guild_id"] = str(scope)
        else:
            command["dm_permission"] = raw.get("dm_permission", True)
        return command

    def _find_command(self, call: Call) -> tuple[int | None, dict[str, Any]]:
        scope = self._scope(call)
        for command in self.state.commands.get(scope, []):
            if command["id"] == call.params["command_id"]:
                return scope, command
        raise DiscordError(404, 10063, "Unknown application command")

    async def post_command(self, call: Call) -> Any:
        """POST one command (create or replace by name)."""
        scope = self._scope(call)
        body = call.json()
        errors = FormErrors()
        limits.check_commands([body], errors)
        if errors:
            raise invalid_form(errors)
        commands = self.state.commands.setdefault(scope, [])
        old = {(c["name"], c.get("type", 1)): c for c in commands}
        command = self._stored_command(body, scope, old)
        commands[:] = [c for c in commands if c["id"] != command["id"]] + [command]
        return Reply(201, command)

    async def get_command(self, call: Call) -> Any:
        """GET one command."""
        return self._find_command(call)[1]

    async def patch_command(self, call: Call) -> Any:
        """PATCH one command."""
        scope, command = self._find_command(call)
        merged = {**command, **call.json()}
        errors = FormErrors()
        limits.check_commands([merged], errors)
        if errors:
            raise invalid_form(errors)
        command.update(call.json())
        del scope
        return command

    async def delete_command(self, call: Call) -> Any:
        """DELETE one command."""
        scope, command = self._find_command(call)
        self.state.commands[scope].remove(command)
        return Reply(204)

    # ------------------------------------------------------------------- guilds

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

    # ----------------------------------------------------------------- channels

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

    # ----------------------------------------------------------------- messages

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

    def _edit(self, message: Message, body: dict[str, Any], files: list[UploadedFile]) -> None:
        was_loading = message.loading
        before = (message.content, message.embeds, message.components, message.attachments)
        self.apply_fields(message, body, files)
        if was_loading:
            message.flags &= ~limits.FLAG_LOADING
        if self.is_empty(message):
            message.content, message.embeds, message.components, message.attachments = before
            if was_loading:
                message.flags |= limits.FLAG_LOADING
            raise self.empty_error()
        message.edited_at = self.state.clock.now()
        self.fake.message_edited(message)
        if not message.ephemeral:
            self.dispatch_message("MESSAGE_UPDATE", message)

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

    # --------------------------------------------------------------------- pins

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

    # ---------------------------------------------------------------- reactions

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

    # ------------------------------------------------------------------ threads

    def _thread_body(self, body: dict[str, Any]) -> None:
        errors = FormErrors()
        limits.check_thread_name(body.get("name"), errors, ("name",))
        duration = body.get("auto_archive_duration")
        if duration is not None and duration not in limits.THREAD_ARCHIVE_DURATIONS:
            errors.add(
                ("auto_archive_duration",),
                "BASE_TYPE_CHOICES",
                f"Value must be one of {limits.THREAD_ARCHIVE_DURATIONS}.",
            )
        if errors:
            raise invalid_form(errors)

    async def thread_from_message(self, call: Call) -> Any:
        """POST /channels/{channel_id}/messages/{message_id}/threads."""
        channel = self.channel(call)
        if channel.is_thread or channel.is_dm:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        self.require(channel, Perm.CREATE_PUBLIC_THREADS, "Create Public Threads")
        self.require(channel, Perm.READ_MESSAGE_HISTORY, "Read Message History")
        message = self.message(call, channel)
        body = call.json()
        self._thread_body(body)
        if message.thread_id is not None:
            raise DiscordError(400, 160004, "A thread has already been created for this message")
        thread = self.state.add_thread(
            channel,
            body["name"],
            self.bot_id,
            thread_id=message.id,
            auto_archive_duration=body.get("auto_archive_duration") or 1440,
        )
        thread.rate_limit_per_user = body.get("rate_limit_per_user") or 0
        self.fake.thread_created(thread, starter=message)
        return Reply(201, self.state.thread_payload(thread))

    async def thread_without_message(self, call: Call) -> Any:
        """POST /channels/{channel_id}/threads (text channels; forum posts are not faked)."""
        channel = self.channel(call)
        if channel.is_thread or channel.is_dm:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        body = call.json()
        kind = body.get("type") or PRIVATE_THREAD
        if kind == PRIVATE_THREAD:
            self.require(channel, Perm.CREATE_PRIVATE_THREADS, "Create Private Threads")
        else:
            self.require(channel, Perm.CREATE_PUBLIC_THREADS, "Create Public Threads")
        self._thread_body(body)
        thread = self.state.add_thread(
            channel,
            body["name"],
            self.bot_id,
            type=kind,
            auto_archive_duration=body.get("auto_archive_duration") or 1440,
            invitable=body.get("invitable", True),
        )
        thread.rate_limit_per_user = body.get("rate_limit_per_user") or 0
        self.fake.thread_created(thread, starter=None)
        return Reply(201, self.state.thread_payload(thread))

    def thread(self, call: Call) -> Channel:
        """The path's channel, which must be a thread (400 50024)."""
        thread = self.channel(call)
        if not thread.is_thread:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        return thread

    async def archived_threads(self, call: Call) -> Any:
        """GET /channels/{channel_id}/threads/archived/public."""
        channel = self.channel(call)
        self.require(channel, Perm.READ_MESSAGE_HISTORY, "Read Message History")
        threads = sorted(
            (
                c
                for c in self.state.channels.values()
                if c.parent_id == channel.id and c.archived and c.type == PUBLIC_THREAD
            ),
            key=lambda c: c.archive_timestamp or datetime.min,
            reverse=True,
        )
        before = call.query.get("before")
        if before:
            cutoff = datetime.fromisoformat(before)
            threads = [t for t in threads if t.archive_timestamp and t.archive_timestamp < cutoff]
        count = int(call.query.get("limit", "50"))
        return {
            "threads": [self.state.thread_payload(t) for t in threads[:count]],
            "members": [
                self.state.thread_member_payload(t, self.bot_id)
                for t in threads[:count]
                if self.bot_id in t.thread_members
            ],
            "has_more": len(threads) > count,
        }

    async def thread_members(self, call: Call) -> Any:
        """GET /channels/{channel_id}/thread-members (needs the members intent enabled)."""
        thread = self.thread(call)
        if not self.fake.config.privileged_intents & INTENT_GUILD_MEMBERS:
            raise missing_access("listing thread members needs the Server Members intent")
        return [self.state.thread_member_payload(thread, u) for u in thread.thread_members]

    async def get_thread_member(self, call: Call) -> Any:
        """GET /channels/{channel_id}/thread-members/{user_id}."""
        thread = self.thread(call)
        user_id = call.snowflake("user_id", unknown("Member", UNKNOWN_MEMBER))
        if user_id not in thread.thread_members:
            raise unknown("Member", UNKNOWN_MEMBER)
        return self.state.thread_member_payload(thread, user_id)

    async def join_thread(self, call: Call) -> Any:
        """PUT /channels/{channel_id}/thread-members/@me."""
        thread = self.thread(call)
        if thread.archived:
            raise DiscordError(400, 50083, "Thread is archived")
        self.fake.thread_member_changed(thread, self.bot_id, joined=True)
        return Reply(204)

    async def leave_thread(self, call: Call) -> Any:
        """DELETE /channels/{channel_id}/thread-members/@me."""
        thread = self.thread(call)
        self.fake.thread_member_changed(thread, self.bot_id, joined=False)
        return Reply(204)

    async def add_thread_member(self, call: Call) -> Any:
        """PUT /channels/{channel_id}/thread-members/{user_id}."""
        thread = self.thread(call)
        self.require(thread, Perm.SEND_MESSAGES_IN_THREADS, "Send Messages in Threads")
        user_id = call.snowflake("user_id", unknown("User", UNKNOWN_USER))
        guild = self.state.guild_of(thread)
        if guild is None or user_id not in guild.members:
            raise unknown("Member", UNKNOWN_MEMBER)
        self.fake.thread_member_changed(thread, user_id, joined=True)
        return Reply(204)

    async def remove_thread_member(self, call: Call) -> Any:
        """DELETE /channels/{channel_id}/thread-members/{user_id}."""
        thread = self.thread(call)
        self.require(thread, Perm.MANAGE_THREADS, "Manage Threads")
        user_id = call.snowflake("user_id", unknown("User", UNKNOWN_USER))
        self.fake.thread_member_changed(thread, user_id, joined=False)
        return Reply(204)

    # ------------------------------------------------------------- interactions

    def _interaction(self, call: Call) -> Interaction:
        inter_id = call.params["interaction_id"]
        inter = self.fake.interactions.get(int(inter_id)) if inter_id.isdigit() else None
        if inter is None or inter.token != call.params["interaction_token"]:
            raise DiscordError(
                404, UNKNOWN_INTERACTION, "Unknown interaction", violation="unknown_interaction"
            )
        return inter

    async def interaction_callback(self, call: Call) -> Any:
        """POST /interactions/{id}/{token}/callback: the initial response, once, within 3 s."""
        inter = self._interaction(call)
        elapsed = self.state.clock.monotonic() - inter.created
        if inter.callback is not None:
            raise DiscordError(
                400,
                40060,
                "Interaction has already been acknowledged.",
                violation="already_acknowledged",
                details=[f"first response type {inter.callback.type}"],
            )
        if elapsed > self.fake.config.ack_deadline:
            raise DiscordError(
                404,
                UNKNOWN_INTERACTION,
                "Unknown interaction",
                violation="interaction_timeout",
                details=[f"acknowledged after {elapsed:.2f}s (limit 3s)"],
            )
        body = call.json()
        kind = body.get("type")
        data: dict[str, Any] = body.get("data") or {}
        allowed = set(VALID_CALLBACKS.get(inter.type, set()))
        if inter.type == MODAL_SUBMIT and inter.message_id is None:
            allowed -= {DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE}
        if kind not in allowed:
            errors = FormErrors()
            errors.add(
                ("type",),
                "BASE_TYPE_CHOICES",
                f"Value must be one of {sorted(allowed)} for interaction type {inter.type}.",
            )
            raise invalid_form(errors)
        self.check_files(call)
        errors = FormErrors()
        if kind in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
            limits.check_message(data, errors, ("data",))
        elif kind == AUTOCOMPLETE_RESULT:
            limits.check_choices(data.get("choices") or [], errors, ("data", "choices"))
        elif kind == MODAL:
            limits.check_modal(data, errors, ("data",))
        if errors:
            raise invalid_form(errors)
        self._apply_callback(inter, kind, data, call.files)
        inter.callback = Callback(kind, data)
        if call.query.get("with_response", "").lower() not in ("1", "true"):
            return Reply(204)
        return self._callback_response(inter, kind)

    def _apply_callback(
        self, inter: Interaction, kind: int, data: dict[str, Any], files: list[UploadedFile]
    ) -> None:
        channel = self.state.channels[inter.channel_id]
        if kind in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE):
            flags = data.get("flags") or 0
            message = self.new_bot_message(
                channel,
                type=20 if inter.type == APPLICATION_COMMAND else 0,
                webhook_id=self.state.application_id,
                application_id=self.state.application_id,
                interaction_metadata=self.fake.interaction_metadata(inter),
            )
            if kind == DEFERRED_CHANNEL_MESSAGE:
                message.flags = limits.FLAG_LOADING | (flags & limits.FLAG_EPHEMERAL)
            else:
                self.apply_fields(message, data, files)
                message.flags |= flags & limits.FLAG_EPHEMERAL
                if self.is_empty(message):
                    raise self.empty_error()
            inter.original = message
            self.fake.store_message(message)
            if not message.ephemeral:
                self.dispatch_message("MESSAGE_CREATE", message)
        elif kind in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE):
            target = self.fake.find_message(inter.message_id or 0)
            if target is None:
                raise unknown("Message", UNKNOWN_MESSAGE)
            inter.original = target
            if kind == UPDATE_MESSAGE:
                self._edit(target, data, files)

    def _callback_response(self, inter: Interaction, kind: int) -> Any:
        message = (
            inter.original
            if kind in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, UPDATE_MESSAGE)
            else None
        )
        summary: dict[str, Any] = {"id": str(inter.id), "type": inter.type}
        resource: dict[str, Any] = {"type": kind}
        if message is not None:
            summary["response_message_id"] = str(message.id)
            summary["response_message_loading"] = message.loading
            summary["response_message_ephemeral"] = message.ephemeral
            resource["message"] = self.state.message_payload(message)
        return {"interaction": summary, "resource": resource}

    def _webhook_interaction(self, call: Call) -> Interaction:
        if call.params["webhook_id"] != str(self.state.application_id):
            raise DiscordError(404, UNKNOWN_WEBHOOK, "Unknown Webhook", violation="unknown_webhook")
        inter = next(
            (i for i in self.fake.interactions.values() if i.token == call.params["webhook_token"]),
            None,
        )
        if inter is None:
            raise DiscordError(404, UNKNOWN_WEBHOOK, "Unknown Webhook", violation="unknown_webhook")
        elapsed = self.state.clock.monotonic() - inter.created
        if elapsed > self.fake.config.token_lifetime:
            raise DiscordError(
                401,
                50027,
                "Invalid Webhook Token",
                violation="token_expired",
                details=[f"used {elapsed:.0f}s after the interaction (limit 900s)"],
            )
        return inter

    async def followup(self, call: Call) -> Any:
        """POST /webhooks/{application_id}/{token}: a follow-up message."""
        inter = self._webhook_interaction(call)
        if inter.callback is None:
            raise DiscordError(
                404,
                UNKNOWN_WEBHOOK,
                "Unknown Webhook",
                violation="followup_before_response",
                details=["a follow-up needs an initial response (or defer) first"],
            )
        body = call.json()
        self.check_files(call)
        self.check_body(body)
        original = inter.original
        if (
            original is not None
            and original.loading
            and inter.callback.type == DEFERRED_CHANNEL_MESSAGE
        ):
            # Discord: the first follow-up after a thinking defer replaces the placeholder.
            self._edit(original, body, call.files)
            inter.followups.append(original)
            message = original
        else:
            channel = self.state.channels[inter.channel_id]
            message = self.new_bot_message(
                channel,
                webhook_id=self.state.application_id,
                application_id=self.state.application_id,
                interaction_metadata=self.fake.interaction_metadata(inter),
            )
            self.apply_fields(message, body, call.files)
            message.flags |= (body.get("flags") or 0) & limits.FLAG_EPHEMERAL
            if self.is_empty(message):
                raise self.empty_error()
            self.fake.store_message(message)
            inter.followups.append(message)
            if not message.ephemeral:
                self.dispatch_message("MESSAGE_CREATE", message)
        if call.query.get("wait", "").lower() not in ("1", "true"):
            return Reply(204)
        return self.state.message_payload(message)

    def _webhook_message(self, call: Call, inter: Interaction) -> Message:
        raw = call.params.get("message_id", "@original")
        if raw == "@original":
            if inter.original is None or inter.original.deleted:
                raise unknown("Message", UNKNOWN_MESSAGE)
            return inter.original
        for message in inter.messages():
            if str(message.id) == raw and not message.deleted:
                return message
        raise unknown("Message", UNKNOWN_MESSAGE)

    async def get_webhook_message(self, call: Call) -> Any:
        """GET /webhooks/{app}/{token}/messages/{@original|id}."""
        inter = self._webhook_interaction(call)
        return self.state.message_payload(self._webhook_message(call, inter))

    async def edit_webhook_message(self, call: Call) -> Any:
        """PATCH /webhooks/{app}/{token}/messages/{@original|id}."""
        inter = self._webhook_interaction(call)
        message = self._webhook_message(call, inter)
        body = call.json()
        self.check_files(call)
        self.check_body(body)
        self._edit(message, body, call.files)
        return self.state.message_payload(message)

    async def delete_webhook_message(self, call: Call) -> Any:
        """DELETE /webhooks/{app}/{token}/messages/{@original|id}."""
        inter = self._webhook_interaction(call)
        message = self._webhook_message(call, inter)
        if message is inter.original:
            inter.deleted_original = True
        self.fake.remove_message(message)
        return Reply(204)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="microseconds")


def parse_json(raw: bytes) -> Any:
    """Decodes a JSON body, raising Discord's 50109 on invalid JSON."""
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise DiscordError(
            400,
            50109,
            "The request body contains invalid JSON.",
            violation="invalid_json",
            details=[str(exc)],
        ) from None
