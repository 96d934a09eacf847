"""FakeDiscord: the aiohttp server (REST + Gateway) and the API tests drive it with.

A test starts the fake, points discord.py at it (``runner.patch_discord``), starts a client,
then acts as Discord's users would (post, react, run a slash command, click a button) and awaits
what the bot did. Every request is recorded; requests Discord would reject are answered with
Discord's error and recorded as violations, which :meth:`FakeDiscord.check` turns into a test
failure unless the test took them with :meth:`FakeDiscord.take_violations`.

FakeDiscord is assembled from its parts, one module each on :class:`base.FakeBase` (the shared
settings, records and waiting): ``world`` (the seeded guild, lookups, admins' changes),
``events`` (state changes and their gateway events), ``actors`` (what Discord's users do),
``audits`` (violations and pings, checked at teardown) and ``failures`` (injected errors and
outages). This module adds the server plumbing: the aiohttp app and the HTTP side of every
request (authentication, injected failures, schema checks, then the ``rest`` handler).
"""

import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakediscord.actors import ActorMixin
from tests.fakediscord.audits import AuditMixin
from tests.fakediscord.base import FakeConfig, RequestRecord, Violation
from tests.fakediscord.errors import DiscordError, FormErrors, invalid_form
from tests.fakediscord.events import EventMixin
from tests.fakediscord.failures import FailureMixin
from tests.fakediscord.gateway import Gateway
from tests.fakediscord.rest import Call, Reply, Rest, UploadedFile, parse_json
from tests.fakediscord.state import INTENT_GUILD_MEMBERS, INTENT_MESSAGE_CONTENT, INTENT_PRESENCES
from tests.fakediscord.world import WorldMixin

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"


class FakeDiscord(ActorMixin, EventMixin, AuditMixin, FailureMixin, WorldMixin):
    """A fake Discord (REST + Gateway) on 127.0.0.1 with a seeded guild.

    Seeded world (attributes): ``bot`` (the bot user), ``guild``; users ``owner`` (guild
    owner), ``organizer`` (has the "Organizer" role with Manage Server: ``organizer_role``),
    ``alice`` and ``bob`` (plain members); text channels ``general``, ``readings``,
    ``no_send`` (the bot is denied Send Messages), ``no_threads`` (denied Create Public/Private
    Threads) and ``hidden`` (@everyone denied View Channel).
    """

    def __init__(self, config: FakeConfig | None = None) -> None:
        super().__init__(config)
        self.gateway = Gateway(self)
        self.rest = Rest(self)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._seed()

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


def _json(status: int, body: Any) -> web.Response:
    # json_response() would add "; charset=utf-8", which discord.py does not accept as JSON.
    return web.Response(
        status=status, body=json.dumps(body).encode(), content_type="application/json"
    )


@contextlib.asynccontextmanager
async def running_fake(config: FakeConfig | None = None) -> AsyncIterator[FakeDiscord]:
    """``async with running_fake() as fake:`` starts and stops a fake outside pytest fixtures."""
    fake = FakeDiscord(config)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()
