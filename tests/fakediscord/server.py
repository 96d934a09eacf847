"""FakeDiscord: the aiohttp server (REST + Gateway) and the API tests drive it with.

A test starts the fake, points discord.py at it (``runner.patch_discord``), starts a client,
then acts as Discord's users would (post, react, run a slash command, click a button) and awaits
what the bot did. Every request is recorded; requests Discord would reject are answered with
Discord's error and recorded as violations, which :meth:`FakeDiscord.check` turns into a test
failure unless the test took them with :meth:`FakeDiscord.take_violations`.
"""

import asyncio
import contextlib
import inspect
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from tests.fakediscord import limits
from tests.fakediscord.errors import DiscordError, FormErrors, invalid_form
from tests.fakediscord.gateway import Gateway
from tests.fakediscord.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL,
    MODAL_SUBMIT,
    Interaction,
    command_data,
    find_command,
    modal_submit_components,
    new_token,
)
from tests.fakediscord.rest import HAS_THREAD, Call, Reply, Rest, UploadedFile, parse_json
from tests.fakediscord.state import (
    INTENT_DIRECT_MESSAGE_REACTIONS,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGE_REACTIONS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
    INTENT_PRESENCES,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    USER_MENTION_RE,
    Attachment,
    Channel,
    Clock,
    Member,
    Message,
    Overwrite,
    Perm,
    Pings,
    Role,
    State,
    User,
    pings_of,
)
from tests.fakediscord.validate import load_spec

log = logging.getLogger(__name__)
T = TypeVar("T")

API_PREFIX = "/api/v10"
_USER_MESSAGE_TYPES = (0, 19, 20, 23)
_POLL_SECONDS = 0.05


@dataclass
class FakeConfig:
    """Settings a test may change at any time (read when a request or IDENTIFY arrives).

    Attributes:
        token: the bot token the fake accepts.
        gateway_accepts_token: False makes IDENTIFY fail with 4004 while REST still works.
        privileged_intents: the privileged intents switched on in the "developer portal"
            (members 1<<1, presences 1<<8, message content 1<<15); asking for others closes 4014.
        ack_deadline: seconds to acknowledge an interaction.
        token_lifetime: seconds an interaction token works for follow-ups.
    """

    token: str = "MTAw.fake-discord.test-token"
    gateway_accepts_token: bool = True
    privileged_intents: int = INTENT_GUILD_MEMBERS | INTENT_MESSAGE_CONTENT
    ack_deadline: float = limits.INTERACTION_ACK_SECONDS
    token_lifetime: float = limits.INTERACTION_TOKEN_SECONDS


@dataclass
class RequestRecord:
    """One HTTP request and the fake's answer."""

    method: str
    path: str
    template: str | None
    query: dict[str, str]
    body: Any
    files: list[str]
    status: int = 0
    response: Any = None


@dataclass
class Violation:
    """A request Discord would reject (or an unknown route)."""

    kind: str
    method: str
    path: str
    status: int
    code: int
    message: str
    details: list[str] = field(default_factory=list)
    body: Any = None

    def __str__(self) -> str:
        lines = [
            f"{self.kind}: {self.method} {self.path} -> {self.status} {self.code} {self.message}"
        ]
        lines += [f"    {d}" for d in self.details]
        return "\n".join(lines)


@dataclass
class SentRecord:
    """A message the bot created or edited, with what it would ping."""

    message_id: int
    channel_id: int
    action: str
    content: str
    allowed_mentions: dict[str, Any] | None
    pings: Pings


@dataclass
class PingAllowance:
    """What :meth:`FakeDiscord.check` lets the bot ping."""

    users: set[int] = field(default_factory=set)
    roles: set[int] = field(default_factory=set)
    everyone: bool = False
    replied_user: bool = False


@dataclass
class _Failure:
    method: str
    template: str
    status: int
    code: int
    message: str
    retry_after: float | None
    times: int


class FakeDiscord:
    """A fake Discord (REST + Gateway) on 127.0.0.1 with a seeded guild.

    Seeded world (attributes): ``bot`` (the bot user), ``guild``; users ``owner`` (guild
    owner), ``organizer`` (has the "Organizer" role with Manage Server: ``organizer_role``),
    ``alice`` and ``bob`` (plain members); text channels ``general``, ``readings``,
    ``no_send`` (the bot is denied Send Messages), ``no_threads`` (denied Create Public/Private
    Threads) and ``hidden`` (@everyone denied View Channel).
    """

    def __init__(self, config: FakeConfig | None = None) -> None:
        self.config = config or FakeConfig()
        self.clock = Clock()
        self.state = State(self.clock)
        self.spec = load_spec()
        self.gateway = Gateway(self)
        self.rest = Rest(self)
        self.requests: list[RequestRecord] = []
        self.violations: list[Violation] = []
        self.interactions: dict[int, Interaction] = {}
        self.deleted: list[Message] = []
        self.sent: list[SentRecord] = []
        self.syncs: list[tuple[int | None, list[str]]] = []
        self.custom_emojis: set[int] = set()
        self.attachments: dict[int, Attachment] = {}
        self.pings_allowed = PingAllowance()
        self._failures: list[_Failure] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._seed()

    # -------------------------------------------------------------------- seed

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

    # ------------------------------------------------------------------ server

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` must be."""
        return f"{self.url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """What ``DiscordWebSocket.DEFAULT_GATEWAY`` must be (also READY's resume URL)."""
        return f"ws://127.0.0.1:{self.port}/"

    async def start(self) -> None:
        """Starts listening on 127.0.0.1 (a free port)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/", self.gateway.handle)
        app.router.add_get("/attachments/{attachment_id}/{filename}", self._attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._api)
        app.router.add_route("*", "/{tail:.*}", self._api)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.state.attachment_base = f"{self.url}/attachments"
        log.debug("fake Discord listening on %s", self.url)

    async def close(self) -> None:
        """Closes gateway connections and stops the server."""
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def application_flags(self) -> int:
        """The application's flags (the *_LIMITED flags mark enabled privileged intents)."""
        flags = 1 << 23  # APPLICATION_COMMAND_BADGE
        enabled = self.config.privileged_intents
        if enabled & INTENT_PRESENCES:
            flags |= 1 << 13
        if enabled & INTENT_GUILD_MEMBERS:
            flags |= 1 << 15
        if enabled & INTENT_MESSAGE_CONTENT:
            flags |= 1 << 19
        return flags

    # ---------------------------------------------------------------- waiting

    def notify(self) -> None:
        """Wakes every :meth:`wait_for` (called whenever the fake's state changes)."""
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5.0,  # noqa: ASYNC109 - the test API takes timeouts
        what: str | None = None,
    ) -> Any:
        """Waits until ``predicate()`` is truthy and returns its value.

        The predicate is re-checked whenever the fake receives or sends something, and every
        50 ms for state outside the fake (the bot's database). It may return an awaitable.

        Raises:
            TimeoutError: naming ``what`` (or the predicate) after ``timeout`` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if inspect.isawaitable(value):
                value = await value
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what or predicate}")
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.append(fut)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(fut, min(remaining, _POLL_SECONDS))

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

    # ----------------------------------------------------------------- lookups

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

    # ------------------------------------------------------------- recording

    def take_violations(self, kind: str | None = None) -> list[Violation]:
        """Removes and returns the recorded violations (of one ``kind``), so
        :meth:`check` does not fail on violations a test provoked on purpose."""
        taken = [v for v in self.violations if kind is None or v.kind == kind]
        self.violations = [v for v in self.violations if v not in taken]
        return taken

    @property
    def unknown_routes(self) -> list[Violation]:
        """Requests to routes the fake does not implement."""
        return [v for v in self.violations if v.kind == "unknown_route"]

    def rejected(self, status: int | None = None) -> list[RequestRecord]:
        """Requests answered with an error (optionally one status)."""
        return [
            r for r in self.requests if r.status >= 400 and (status is None or r.status == status)
        ]

    def requests_to(self, method: str, template: str) -> list[RequestRecord]:
        """Requests matched to a route, e.g. ``("POST", "/channels/{channel_id}/messages")``."""
        return [r for r in self.requests if r.method == method and r.template == template]

    def allow_pings(
        self,
        *,
        users: Iterable[Any] = (),
        roles: Iterable[Any] = (),
        everyone: bool = False,
        replied_user: bool = False,
    ) -> None:
        """Lets the bot ping these in this test (checked by :meth:`check`)."""
        self.pings_allowed = self._allowance(users, roles, everyone, replied_user)

    def _allowance(
        self, users: Iterable[Any], roles: Iterable[Any], everyone: bool, replied_user: bool
    ) -> PingAllowance:
        return PingAllowance(
            {self.user(u).id for u in users},
            {self.role(r).id for r in roles},
            everyone,
            replied_user,
        )

    def ping_problems(self, allowance: PingAllowance | None = None) -> list[str]:
        """Bot messages whose allowed_mentions let them ping what ``allowance`` does not."""
        allowed = allowance or self.pings_allowed
        problems = []
        for record in self.sent:
            pings = record.pings
            message = self.state.messages.get(record.message_id)
            replied = None
            if message is not None and message.reference is not None:
                target = self.state.messages.get(int(message.reference.get("message_id") or 0))
                replied = None if target is None else target.author_id
            users = pings.users - allowed.users
            if replied is not None and allowed.replied_user:
                users.discard(replied)
            roles = pings.roles - allowed.roles
            everyone = pings.everyone and not allowed.everyone
            if users or roles or everyone:
                problems.append(
                    f"message {record.message_id} ({record.action}) would ping"
                    f" users={sorted(users)} roles={sorted(roles)} everyone={everyone}:"
                    f" content={record.content[:80]!r} allowed_mentions={record.allowed_mentions}"
                )
        return problems

    def assert_no_pings(
        self,
        *,
        users: Iterable[Any] = (),
        roles: Iterable[Any] = (),
        everyone: bool = False,
        replied_user: bool = False,
    ) -> None:
        """Asserts no bot message (created or edited) could ping anyone beyond those allowed.

        A message whose content holds ``@everyone``/``@here``, ``<@&id>`` or ``<@id>`` must
        carry ``allowed_mentions`` that suppress the ping (Discord's default parses them all).
        """
        allowance = self._allowance(users, roles, everyone, replied_user)
        problems = self.ping_problems(allowance)
        assert not problems, "the bot would ping:\n" + "\n".join(problems)

    def check(self) -> None:
        """Fails if any violation, unknown route or unwanted ping is left (fixture teardown)."""
        problems = [str(v) for v in self.violations] + self.ping_problems()
        assert not problems, "fake Discord saw requests Discord would reject:\n" + "\n".join(
            problems
        )

    def fail_next(
        self,
        method: str,
        template: str,
        *,
        status: int = 500,
        code: int = 0,
        message: str = "Injected failure",
        retry_after: float | None = None,
        times: int = 1,
    ) -> None:
        """Answers the next ``times`` requests to ``method template`` with an error.

        A 429 carries ``Via`` and ``retry_after`` (default 0.01 s) so discord.py retries it.
        """
        self._failures.append(
            _Failure(method.upper(), template, status, code, message, retry_after, times)
        )

    # --------------------------------------------------------------- HTTP side

    async def _attachment(self, request: web.Request) -> web.StreamResponse:
        attachment = self.attachments.get(int(request.match_info["attachment_id"]))
        if attachment is None:
            return web.Response(status=404)
        return web.Response(
            body=attachment.data, content_type=attachment.content_type or "application/octet-stream"
        )

    async def _api(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.rel_url.raw_path
        path = raw_path[len(API_PREFIX) :] if raw_path.startswith(API_PREFIX + "/") else raw_path
        method = request.method
        query = dict(request.rel_url.query)
        route, params, known = (
            self.rest.match(method, path)
            if raw_path.startswith(API_PREFIX + "/")
            else (None, {}, False)
        )
        record = RequestRecord(method, path, route.template if route else None, query, None, [])
        self.requests.append(record)
        try:
            if route is None:
                await request.read()
                status, text = (
                    (405, "405: Method Not Allowed") if known else (404, "404: Not Found")
                )
                raise DiscordError(status, 0, text, violation="unknown_route")
            if route.auth and request.headers.get("Authorization") != f"Bot {self.config.token}":
                await request.read()
                raise DiscordError(401, 0, "401: Unauthorized")
            body, files = await self._read_body(request)
            record.body, record.files = body, [f.filename for f in files]
            failure = self._take_failure(method, route.template)
            if failure is not None:
                return self._failure_response(record, failure)
            errors = FormErrors()
            self.spec.validate_query(method, route.template, query, errors)
            if body is not None:
                self.spec.validate_body(method, route.template, body, errors)
            if errors:
                raise invalid_form(errors)
            call = Call(method, path, route.template, params, query, body, files)
            result = await route.handler(call)
        except DiscordError as exc:
            if exc.violation is not None:
                self.violations.append(
                    Violation(
                        exc.violation,
                        method,
                        path,
                        exc.status,
                        exc.code,
                        exc.message,
                        exc.details,
                        record.body,
                    )
                )
            log.debug("%s %s -> %s %s %s", method, path, exc.status, exc.code, exc.details)
            record.status, record.response = exc.status, exc.body()
            response = _json(exc.status, exc.body())
        else:
            reply = result if isinstance(result, Reply) else Reply(200, result)
            record.status, record.response = reply.status, reply.body
            response = (
                web.Response(status=204) if reply.status == 204 else _json(reply.status, reply.body)
            )
        self.notify()
        return response

    async def _read_body(self, request: web.Request) -> tuple[Any, list[UploadedFile]]:
        if request.content_type == "multipart/form-data":
            body: Any = None
            files: list[UploadedFile] = []
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                assert isinstance(part, aiohttp.BodyPartReader)
                data = await part.read()
                name = part.name or ""
                if name == "payload_json":
                    body = parse_json(data)
                elif name.startswith("files[") and name.endswith("]"):
                    index = name[len("files[") : -1]
                    files.append(
                        UploadedFile(
                            int(index) if index.isdigit() else len(files),
                            part.filename or "file",
                            part.headers.get("Content-Type"),
                            bytes(data),
                        )
                    )
            return body, files
        raw = await request.read()
        if not raw:
            return None, []
        return parse_json(raw), []

    def _take_failure(self, method: str, template: str) -> _Failure | None:
        for failure in self._failures:
            if failure.method == method and failure.template == template and failure.times > 0:
                failure.times -= 1
                return failure
        return None

    def _failure_response(self, record: RequestRecord, failure: _Failure) -> web.Response:
        body: dict[str, Any] = {"message": failure.message, "code": failure.code}
        headers = {}
        if failure.status == 429:
            retry_after = 0.01 if failure.retry_after is None else failure.retry_after
            body = {
                "message": "You are being rate limited.",
                "retry_after": retry_after,
                "global": False,
            }
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(retry_after),
                "X-RateLimit-Scope": "user",
            }
        record.status, record.response = failure.status, body
        self.notify()
        return web.Response(
            status=failure.status,
            body=json.dumps(body).encode(),
            content_type="application/json",
            headers=headers,
        )

    # -------------------------------------------------------- state + events

    def register_attachment(self, channel_id: int, attachment: Attachment) -> None:
        """Stores an attachment's bytes and gives it a URL on the fake."""
        del channel_id
        attachment.url = f"{self.state.attachment_base}/{attachment.id}/{attachment.filename}"
        self.attachments[attachment.id] = attachment

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

    def _pings(self, message: Message) -> Pings:
        replied = None
        if message.reference is not None:
            target = self.state.messages.get(int(message.reference.get("message_id") or 0))
            replied = None if target is None else target.author_id
        return pings_of(message.content, message.allowed_mentions, replied)

    def _record_sent(self, message: Message, action: str) -> None:
        # System messages (pins, thread notices) carry references but never ping.
        if message.author_id == self.bot.id and message.type in _USER_MESSAGE_TYPES:
            self.sent.append(
                SentRecord(
                    message.id,
                    message.channel_id,
                    action,
                    message.content,
                    message.allowed_mentions,
                    self._pings(message),
                )
            )

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

    def message_edited(self, message: Message) -> None:
        """Records a bot edit for the ping check."""
        self._record_sent(message, "edit")

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

    # ------------------------------------------------------ acting as members

    def post(
        self,
        author: Any,
        channel: Any,
        content: str = "",
        *,
        embeds: list[dict[str, Any]] | None = None,
        reply_to: Any = None,
        files: Sequence[tuple[str, bytes]] = (),
        at: datetime | None = None,
    ) -> Message:
        """A member posts a message (MESSAGE_CREATE); returns it.

        Args:
            author: the member (name, id or object).
            channel: channel, thread or DM channel (``fake.dm_channel(user)``).
            content: the text (up to 4000 characters, a Nitro member's limit).
            embeds: embeds (members rarely send them; for link previews).
            reply_to: a message to reply to.
            files: ``(filename, bytes)`` attachments.
            at: backdate the message (its snowflake and timestamp), e.g. two weeks ago.

        Raises:
            PermissionError: the member may not post there.
            ValueError: the message is empty or too long.
        """
        user = self.user(author)
        target = self.channel(channel)
        if len(content) > limits.MEMBER_CONTENT_MAX:
            raise ValueError(f"content is {len(content)} characters (members: 4000 at most)")
        if not (content.strip() or embeds or files):
            raise ValueError("a member cannot post an empty message")
        if target.is_dm:
            if target.recipient_id != user.id:
                raise PermissionError(f"{user.username} is not in this DM")
        else:
            needed = Perm.SEND_MESSAGES_IN_THREADS if target.is_thread else Perm.SEND_MESSAGES
            if not self.state.permissions_for(user.id, target) & needed:
                raise PermissionError(f"{user.username} cannot post in {target.name}")
        if target.is_thread and target.archived:
            if target.locked:
                raise PermissionError(f"thread {target.name} is locked")
            self.set_thread(target, archived=False)
        message = Message(
            self.state.snowflakes.next(None if at is None else at.timestamp()),
            target.id,
            target.guild_id,
            user.id,
            content=content,
            embeds=list(embeds or []),
        )
        if reply_to is not None:
            replied = self.message(reply_to)
            message.type = 19
            message.reference = {
                "type": 0,
                "message_id": str(replied.id),
                "channel_id": str(replied.channel_id),
                "guild_id": str(target.guild_id) if target.guild_id else None,
            }
        for filename, data in files:
            attachment = Attachment(self.state.snowflakes.next(), filename, bytes(data))
            self.register_attachment(target.id, attachment)
            message.attachments.append(attachment)
        self.resolve_mentions(message)
        self.store_message(message)
        if target.is_thread:
            self.thread_member_changed(target, user.id, joined=True)
        self.rest.dispatch_message("MESSAGE_CREATE", message)
        return message

    def edit(
        self,
        message: Any,
        content: str | None = None,
        *,
        embeds: list[dict[str, Any]] | None = None,
    ) -> Message:
        """The author edits a message (MESSAGE_UPDATE with the full message)."""
        target = self.message(message)
        if content is not None:
            target.content = content
        if embeds is not None:
            target.embeds = embeds
        target.edited_at = self.clock.now()
        self.resolve_mentions(target)
        self.rest.dispatch_message("MESSAGE_UPDATE", target)
        return target

    def delete(self, message: Any) -> None:
        """The author (or a moderator) deletes a message (MESSAGE_DELETE)."""
        self.remove_message(self.message(message))

    def bulk_delete(self, messages: Sequence[Any]) -> None:
        """A moderator bulk-deletes messages of one channel (MESSAGE_DELETE_BULK)."""
        found = [self.message(m) for m in messages]
        channels = {m.channel_id for m in found}
        if len(channels) != 1:
            raise ValueError("bulk delete works on one channel")
        self.remove_messages(self.state.channels[channels.pop()], found)

    def react(self, user: Any, message: Any, emoji: str) -> None:
        """A member reacts (MESSAGE_REACTION_ADD with the member)."""
        self.reaction_added(self.message(message), self.user(user).id, emoji)

    def unreact(self, user: Any, message: Any, emoji: str) -> None:
        """A member removes their reaction (MESSAGE_REACTION_REMOVE)."""
        self.reaction_removed(self.message(message), self.user(user).id, emoji)

    def create_thread(
        self,
        user: Any,
        channel: Any,
        name: str,
        *,
        message: Any = None,
        private: bool = False,
    ) -> Channel:
        """A member starts a thread (from ``message``, or standalone)."""
        owner = self.user(user)
        parent = self.channel(channel)
        starter = None if message is None else self.message(message)
        thread = self.state.add_thread(
            parent,
            name,
            owner.id,
            type=PRIVATE_THREAD if private else PUBLIC_THREAD,
            thread_id=None if starter is None else starter.id,
        )
        self.thread_created(thread, starter=starter)
        return thread

    def set_thread(
        self, thread: Any, *, archived: bool | None = None, locked: bool | None = None
    ) -> Channel:
        """A moderator archives/unarchives or locks a thread (THREAD_UPDATE)."""
        target = self.channel(thread)
        if archived is not None:
            target.archived = archived
            target.archive_timestamp = self.clock.now()
        if locked is not None:
            target.locked = locked
        self.gateway.dispatch(
            "THREAD_UPDATE", self.state.thread_payload(target), intents=INTENT_GUILDS
        )
        return target

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

    # ----------------------------------------------------------- interactions

    def _dispatch_interaction(
        self,
        kind: int,
        user: User,
        channel: Channel,
        data: dict[str, Any],
        *,
        message: Message | None = None,
        locale: str = "en-US",
    ) -> Interaction:
        state = self.state
        guild = state.guild_of(channel)
        inter = Interaction(
            self,
            state.snowflakes.next(),
            new_token(),
            kind,
            {},
            user.id,
            channel.id,
            self.clock.monotonic(),
            message_id=None if message is None else message.id,
        )
        channel_payload = state.channel_payload(channel)
        payload: dict[str, Any] = {
            "id": str(inter.id),
            "application_id": str(state.application_id),
            "type": kind,
            "data": data,
            "token": inter.token,
            "version": 1,
            "channel_id": str(channel.id),
            "channel": channel_payload,
            "app_permissions": str(state.permissions_for(self.bot.id, channel)),
            "locale": locale,
            "entitlements": [],
            "attachment_size_limit": limits.ATTACHMENT_SIZE_MAX,
        }
        if guild is not None:
            member = guild.members.get(user.id)
            if member is None:
                raise PermissionError(f"{user.username} is not a member of {guild.name}")
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                member=state.member_payload(
                    member, permissions=state.permissions_for(user.id, channel)
                ),
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        else:
            payload.update(
                user=state.user_payload(user),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        if message is not None:
            payload["message"] = state.message_payload(message)
        inter.payload = payload
        self.interactions[inter.id] = inter
        self.gateway.dispatch("INTERACTION_CREATE", payload)
        self.notify()
        return inter

    def _check_command_permission(
        self, user: User, channel: Channel, command: Mapping[str, Any]
    ) -> None:
        if channel.is_dm:
            return
        perms = self.state.permissions_for(user.id, channel)
        if not perms & Perm.VIEW_CHANNEL:
            raise PermissionError(f"{user.username} cannot see channel {channel.name}")
        required = command.get("default_member_permissions")
        if required is None:
            return
        needed = int(required)
        allowed = perms == Perm.ALL or (needed != 0 and perms & needed == needed)
        if not allowed:
            raise PermissionError(
                f"{user.username} cannot see /{command['name']}"
                f" (default_member_permissions={required})"
            )

    def slash(
        self,
        user: Any,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        channel: Any = "general",
        locale: str = "en-US",
    ) -> Interaction:
        """A member runs a synced slash command; returns the interaction to await.

        Args:
            user: the member.
            command: the name, with subcommands after spaces (``"plan preview"``).
            options: option values (see :func:`interactions.command_data`).
            channel: where (name, id or object; a DM channel for DM commands).
            locale: the user's locale.

        Raises:
            CommandNotSynced: the bot has not synced the command.
            PermissionError: the command's default_member_permissions hide it from the user.
            ValueError: options a Discord client would not let the user send.
        """
        who = self.user(user)
        where = self.channel(channel)
        data = command_data(self, who, where, command, options or {})
        root = find_command(self.state, self.state.guild_of(where), command.split()[0], 1)
        self._check_command_permission(who, where, root)
        return self._dispatch_interaction(APPLICATION_COMMAND, who, where, data, locale=locale)

    def autocomplete(
        self,
        user: Any,
        command: str,
        options: Mapping[str, Any],
        *,
        focused: str,
        channel: Any = "general",
    ) -> Interaction:
        """A member types in an autocomplete option; ``await inter.choices()`` for the answer."""
        who = self.user(user)
        where = self.channel(channel)
        data = command_data(self, who, where, command, options, focused=focused)
        return self._dispatch_interaction(AUTOCOMPLETE, who, where, data)

    def _component(
        self, message: Any, custom_id: str, kinds: Sequence[int]
    ) -> tuple[Message, dict[str, Any]]:
        target = self.message(message)
        if target.deleted:
            raise LookupError(f"message {target.id} was deleted")
        component = target.find_component(custom_id)
        if component is None:
            raise LookupError(
                f"message {target.id} has no component {custom_id!r}: {target.custom_ids()}"
            )
        if component.get("type") not in kinds:
            raise ValueError(
                f"component {custom_id!r} is type {component.get('type')}, not {kinds}"
            )
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        return target, component

    def click(self, user: Any, message: Any, custom_id: str) -> Interaction:
        """A member clicks a button on a message (ephemeral messages too)."""
        target, component = self._component(message, custom_id, (limits.BUTTON,))
        if component.get("style") in (limits.LINK_STYLE, limits.PREMIUM_STYLE):
            raise ValueError(f"button {custom_id!r} is a link/premium button: no interaction")
        data = {"custom_id": custom_id, "component_type": limits.BUTTON}
        if "id" in component:
            data["id"] = component["id"]
        return self._dispatch_interaction(
            MESSAGE_COMPONENT,
            self.user(user),
            self.state.channels[target.channel_id],
            data,
            message=target,
        )

    def select(self, user: Any, message: Any, custom_id: str, values: Sequence[Any]) -> Interaction:
        """A member picks ``values`` in a select menu (string selects: option values)."""
        target, component = self._component(message, custom_id, limits.SELECT_TYPES)
        kind = component["type"]
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if not low <= len(values) <= high:
            raise ValueError(f"select {custom_id!r} takes {low}..{high} values, got {len(values)}")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind}
        if kind == limits.STRING_SELECT:
            options = [o["value"] for o in component.get("options", [])]
            unknown_values = [v for v in values if v not in options]
            if unknown_values:
                raise ValueError(f"select {custom_id!r} has no options {unknown_values}: {options}")
            data["values"] = list(values)
        else:
            data["values"], data["resolved"] = self._select_resolved(kind, values)
        return self._dispatch_interaction(
            MESSAGE_COMPONENT,
            self.user(user),
            self.state.channels[target.channel_id],
            data,
            message=target,
        )

    def _select_resolved(
        self, kind: int, values: Sequence[Any]
    ) -> tuple[list[str], dict[str, Any]]:
        resolved: dict[str, dict[str, Any]] = {}
        ids = []
        for value in values:
            if kind == 6 or (kind == 7 and not isinstance(value, Role) and _is_user(self, value)):
                user = self.user(value)
                ids.append(str(user.id))
                resolved.setdefault("users", {})[str(user.id)] = self.state.user_payload(user)
                member = self.guild.members.get(user.id)
                if member is not None:
                    resolved.setdefault("members", {})[str(user.id)] = self.state.member_payload(
                        member, with_user=False
                    )
            elif kind in (5, 7):
                role = self.role(value)
                ids.append(str(role.id))
                resolved.setdefault("roles", {})[str(role.id)] = self.state.role_payload(role)
            else:
                channel = self.channel(value)
                ids.append(str(channel.id))
                resolved.setdefault("channels", {})[str(channel.id)] = {
                    "id": str(channel.id),
                    "name": channel.name,
                    "type": channel.type,
                    "permissions": str(self.state.permissions_for(self.bot.id, channel)),
                }
        return ids, resolved

    def submit_modal(
        self, user: Any, opened: Interaction, values: Mapping[str, str]
    ) -> Interaction:
        """A member submits the modal the bot answered ``opened`` with.

        Args:
            user: the member (normally ``opened``'s user).
            opened: the interaction answered with a modal (callback type 9).
            values: text input custom_id -> text.
        """
        if opened.callback is None or opened.callback.type != MODAL:
            raise ValueError(f"interaction {opened.id} was not answered with a modal")
        modal = opened.callback.data
        data = {
            "custom_id": modal["custom_id"],
            "components": modal_submit_components(modal, values),
        }
        message = None if opened.message_id is None else self.find_message(opened.message_id)
        return self._dispatch_interaction(
            MODAL_SUBMIT,
            self.user(user),
            self.state.channels[opened.channel_id],
            data,
            message=message,
        )

    # --------------------------------------------------------- gateway control

    def drop_connection(self, code: int | None = 4000) -> None:
        """Closes the bot's gateway connection with ``code`` (None: no close frame)."""
        self.gateway.drop(code)

    def restart(self) -> None:
        """Simulates a Discord restart: sessions are forgotten, the bot must IDENTIFY again."""
        self.gateway.restart()

    def invalidate_session(self, *, resumable: bool = False) -> None:
        """Sends INVALID_SESSION (op 9) on the open connection."""
        if not resumable:
            self.gateway.sessions.clear()
        self.gateway.send_op(9, resumable)

    def request_reconnect(self) -> None:
        """Sends RECONNECT (op 7): the client reconnects and resumes."""
        self.gateway.send_op(7)

    def gateway_down(self, code: int | None = 4000) -> contextlib.AbstractAsyncContextManager[None]:
        """``async with fake.gateway_down():`` drops the connection and holds reconnects until
        the block ends; events dispatched inside are replayed on RESUME."""
        return self.gateway.down(code)

    def advance_time(self, seconds: float) -> None:
        """Moves the fake's clock (interaction deadlines, token expiry, message ages)."""
        self.clock.advance(seconds)


def _json(status: int, body: Any) -> web.Response:
    # json_response() would add "; charset=utf-8", which discord.py does not accept as JSON.
    return web.Response(
        status=status, body=json.dumps(body).encode(), content_type="application/json"
    )


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


def _user_mentions(content: str) -> list[str]:
    found: list[str] = USER_MENTION_RE.findall(content)
    return found


def _is_user(fake: FakeDiscord, value: Any) -> bool:
    try:
        fake.user(value)
    except LookupError:
        return False
    return True


@contextlib.asynccontextmanager
async def running_fake(config: FakeConfig | None = None) -> AsyncIterator[FakeDiscord]:
    """``async with running_fake() as fake:`` starts and stops a fake outside pytest fixtures."""
    fake = FakeDiscord(config)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()
