"""The fake REST API's request model and the checks and helpers every resource shares.

Every route is a spec path template (the same string as in ``openapi.json``) mapped to a
handler. Before a handler runs, the body and query are validated against the OpenAPI
description and the per-route limits; handlers then apply Discord's permission and state rules
and raise :class:`DiscordError` with Discord's codes.
"""

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.fakediscord import limits
from tests.fakediscord.errors import (
    UNKNOWN_CHANNEL,
    UNKNOWN_GUILD,
    UNKNOWN_MESSAGE,
    DiscordError,
    FormErrors,
    invalid_form,
    missing_access,
    missing_permissions,
    unknown,
)
from tests.fakediscord.state import (
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    Attachment,
    Channel,
    Guild,
    Message,
    Perm,
)

if TYPE_CHECKING:
    from tests.fakediscord.server import FakeDiscord


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


class RestBase:
    """What every resource's handlers share; ``fake`` holds state, gateway and records."""

    def __init__(self, fake: "FakeDiscord") -> None:
        self.fake = fake
        self.state = fake.state

    @staticmethod
    def _route(method: str, template: str, handler: Handler, *, auth: bool = True) -> Route:
        return Route(method, template, handler, auth)

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

    def _edit(self, message: Message, body: dict[str, Any], files: list[UploadedFile]) -> None:
        """Applies an edit to ``message`` (400 50006 if it would leave it empty) and
        dispatches MESSAGE_UPDATE."""
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
