"""The fake Gateway: HELLO, heartbeats, IDENTIFY/READY, RESUME with replay, dispatch, drops.

A session identified with a ``shard`` gets only the guilds (and guild events) of that shard.

Each IDENTIFY opens a :class:`Session` that numbers its events and keeps them all, so a RESUME
replays exactly what the client missed. A session outlives its connection (as on Discord)
unless the client closed with 1000/1001 or the fake was restarted. Frames are plain JSON text,
which discord.py accepts even though it asks for ``compress=zlib-stream``.
"""

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from tests.fakediscord.state import (
    ALL_INTENTS,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
    PRIVILEGED_INTENTS,
)

if TYPE_CHECKING:
    from tests.fakediscord.server import FakeDiscord

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41_250
_REDACTED_KEYS = ("embeds", "attachments", "components")

# Close codes (Discord's and the WebSocket standard's).
UNKNOWN_ERROR = 4000
UNKNOWN_OPCODE = 4001
DECODE_ERROR = 4002
NOT_AUTHENTICATED = 4003
AUTHENTICATION_FAILED = 4004
ALREADY_AUTHENTICATED = 4005
INVALID_SEQ = 4007
INVALID_INTENTS = 4013
DISALLOWED_INTENTS = 4014
GOING_AWAY = 1001


@dataclass(eq=False)
class Connection:
    """One WebSocket connection; ``client_close_code`` is set when the client closed it."""

    ws: web.WebSocketResponse
    request: web.Request
    number: int
    queue: "asyncio.Queue[str | tuple[str, int | None]]" = field(default_factory=asyncio.Queue)
    session: "Session | None" = None
    writer: "asyncio.Task[None] | None" = None
    received: list[dict[str, Any]] = field(default_factory=list)
    heartbeats: int = 0
    server_close_code: int | None = None
    client_close_code: int | None = None
    aborted: bool = False
    closed: bool = False

    def send(self, payload: dict[str, Any] | str) -> None:
        """Queues a frame (sent in order by the writer task)."""
        self.queue.put_nowait(payload if isinstance(payload, str) else json.dumps(payload))


@dataclass(eq=False)
class Session:
    """A gateway session: its intents, sequence and every event it was sent."""

    id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    events: list[tuple[int, str, str]] = field(default_factory=list)
    connection: Connection | None = None
    resumes: int = 0

    def event_names(self) -> list[str]:
        """Names of the events dispatched to this session, in order."""
        return [name for _, name, _ in self.events]


def on_shard(session: Session, guild_id: int) -> bool:
    """Whether ``session`` receives ``guild_id``'s events: every guild without sharding, else
    the guilds of its shard, ``(guild_id >> 22) % shard_count`` (IDENTIFY's ``[id, count]``)."""
    if session.shard is None:
        return True
    shard_id, shard_count = session.shard
    return (guild_id >> 22) % shard_count == shard_id


class Gateway:
    """The Gateway side of the fake; see :class:`FakeDiscord` for the test-facing API."""

    def __init__(self, fake: "FakeDiscord") -> None:
        self.fake = fake
        self.sessions: dict[str, Session] = {}
        self.all_sessions: list[Session] = []
        self.connections: list[Connection] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.presence_updates: list[dict[str, Any]] = []
        self.member_requests: list[dict[str, Any]] = []
        self._open = asyncio.Event()
        self._open.set()

    # ---------------------------------------------------------------- handler

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The WebSocket endpoint (``ws://127.0.0.1:PORT/?v=10&encoding=json...``)."""
        await self._open.wait()
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(ws, request, number=len(self.connections) + 1)
        self.connections.append(conn)
        conn.writer = asyncio.create_task(
            self._writer(conn), name=f"fake-gateway-writer-{conn.number}"
        )
        query = request.rel_url.query
        if query.get("v") != "10" or query.get("encoding") != "json":
            self._close(conn, 4012, "Invalid API version or encoding.")
        conn.send(
            {"op": 10, "s": None, "t": None, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}}
        )
        self.fake.notify()
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_text(conn, msg.data)
                elif msg.type is WSMsgType.BINARY:
                    self._close(conn, DECODE_ERROR, "Error while decoding payload.")
        finally:
            self._disconnected(conn)
            # Let a server-side close finish its handshake before aiohttp ends the request.
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(conn.writer), timeout=2)
        return ws

    def _disconnected(self, conn: Connection) -> None:
        conn.closed = True
        if conn.server_close_code is None and not conn.aborted:
            conn.client_close_code = conn.ws.close_code
        session = conn.session
        if session is not None and session.connection is conn:
            session.connection = None
            # A client closing with 1000/1001 ends its session: it cannot be resumed.
            if conn.client_close_code in (1000, 1001):
                self.sessions.pop(session.id, None)
        conn.queue.put_nowait(("stop", None))
        log.debug(
            "gateway connection %s closed (client %s, server %s)",
            conn.number,
            conn.client_close_code,
            conn.server_close_code,
        )
        self.fake.notify()

    async def _writer(self, conn: Connection) -> None:
        while True:
            item = await conn.queue.get()
            if isinstance(item, tuple):
                command, code = item
                if command == "stop":
                    return
                if command == "close":
                    with contextlib.suppress(Exception):
                        await conn.ws.close(code=code or UNKNOWN_ERROR, message=b"fake close")
                elif command == "abort":
                    transport = conn.request.transport
                    if transport is not None:
                        transport.abort()
                continue
            if conn.ws.closed:
                continue
            try:
                await conn.ws.send_str(item)
            except (ConnectionError, RuntimeError):
                continue
            self.fake.notify()

    def _close(self, conn: Connection, code: int, reason: str) -> None:
        log.debug("gateway closes connection %s with %s (%s)", conn.number, code, reason)
        conn.server_close_code = code
        conn.queue.put_nowait(("close", code))

    # --------------------------------------------------------------- payloads

    async def _on_text(self, conn: Connection, text: str) -> None:
        try:
            payload = json.loads(text)
            op = payload["op"]
        except (ValueError, KeyError, TypeError):
            self._close(conn, DECODE_ERROR, "Error while decoding payload.")
            return
        data = payload.get("d")
        conn.received.append(payload)
        if op == 1:
            conn.heartbeats += 1
            conn.send({"op": 11, "s": None, "t": None, "d": None})
        elif op == 2:
            self._identify(conn, data or {})
        elif op == 6:
            self._resume(conn, data or {})
        elif conn.session is None:
            self._close(conn, NOT_AUTHENTICATED, "Not authenticated.")
        elif op == 3:
            self.presence_updates.append(data)
        elif op == 4:
            pass  # voice state updates: the reading-group bot has no voice features
        elif op == 8:
            self._request_members(conn, data or {})
        else:
            self._close(conn, UNKNOWN_OPCODE, "Unknown opcode.")
        self.fake.notify()

    def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        config = self.fake.config
        self.identifies.append({k: v for k, v in data.items() if k != "token"})
        if conn.session is not None:
            self._close(conn, ALREADY_AUTHENTICATED, "Already authenticated.")
            return
        if data.get("token") != config.token or not config.gateway_accepts_token:
            self._close(conn, AUTHENTICATION_FAILED, "Authentication failed.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents & ~ALL_INTENTS:
            self._close(conn, INVALID_INTENTS, "Invalid intent(s).")
            return
        if intents & PRIVILEGED_INTENTS & ~config.privileged_intents:
            self._close(conn, DISALLOWED_INTENTS, "Disallowed intent(s).")
            return
        session = Session(secrets.token_hex(16), intents, data.get("shard"))
        self.sessions[session.id] = session
        self.all_sessions.append(session)
        session.connection = conn
        conn.session = session
        state = self.fake.state
        ready: dict[str, Any] = {
            "v": 10,
            "user": state.me_payload(),
            "guilds": [
                {"id": str(g), "unavailable": True} for g in state.guilds if on_shard(session, g)
            ],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.fake.gateway_url,
            "application": {
                "id": str(state.application_id),
                "flags": self.fake.application_flags(),
            },
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["fake"],
            "_trace": ["fake-discord"],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        self._send_event(session, "READY", ready)
        if intents & INTENT_GUILDS:
            for guild in state.guilds.values():
                if on_shard(session, guild.id):
                    self._send_event(session, "GUILD_CREATE", state.guild_create_payload(guild))

    def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        self.resumes.append({k: v for k, v in data.items() if k != "token"})
        if data.get("token") != self.fake.config.token:
            self._close(conn, AUTHENTICATION_FAILED, "Authentication failed.")
            return
        session = self.sessions.get(str(data.get("session_id")))
        if session is None:
            conn.send({"op": 9, "s": None, "t": None, "d": False})
            return
        seq = data.get("seq") or 0
        if not isinstance(seq, int) or seq > session.seq:
            self._close(conn, INVALID_SEQ, "Invalid seq.")
            return
        old = session.connection
        if old is not None and old is not conn:
            old.session = None
            self._close(old, UNKNOWN_ERROR, "Session resumed elsewhere.")
        session.connection = conn
        conn.session = session
        session.resumes += 1
        for number, _, text in session.events:
            if number > seq:
                conn.send(text)
        self._send_event(session, "RESUMED", {"_trace": ["fake-discord"]})

    def _request_members(self, conn: Connection, data: dict[str, Any]) -> None:
        self.member_requests.append(data)
        session = conn.session
        assert session is not None
        guild = self.fake.state.guilds.get(int(data.get("guild_id") or 0))
        if guild is None:
            return
        query = str(data.get("query") or "")
        user_ids = {int(u) for u in data.get("user_ids") or []}
        members = [
            m
            for m in guild.members.values()
            if (not user_ids or m.id in user_ids)
            and m.user.username.lower().startswith(query.lower())
        ]
        if not query and not user_ids and not session.intents & INTENT_GUILD_MEMBERS:
            self._close(conn, DISALLOWED_INTENTS, "Requesting all members needs GUILD_MEMBERS.")
            return
        limit = data.get("limit") or 0
        if limit:
            members = members[:limit]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [self.fake.state.member_payload(m) for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        self._send_event(session, "GUILD_MEMBERS_CHUNK", chunk)

    # --------------------------------------------------------------- dispatch

    def _send_event(self, session: Session, name: str, data: dict[str, Any]) -> None:
        session.seq += 1
        text = json.dumps({"op": 0, "t": name, "s": session.seq, "d": data})
        session.events.append((session.seq, name, text))
        if session.connection is not None:
            session.connection.send(text)

    def dispatch(
        self,
        name: str,
        data: dict[str, Any],
        *,
        intents: int = 0,
        redact: Callable[[Session], bool] | None = None,
    ) -> None:
        """Sends an event to every live or resumable session that subscribed to it.

        Args:
            name: the event name, e.g. ``MESSAGE_CREATE``.
            data: the event's ``d``.
            intents: the intent bits of which the session needs one (0: always sent).
            redact: for message events, whether a session gets the message without its content
                (no MESSAGE_CONTENT intent and the message neither the bot's, a DM nor
                mentioning it).
        """
        guild = data.get("guild_id")
        for session in list(self.sessions.values()):
            if intents and not session.intents & intents:
                continue
            if guild is not None and not on_shard(session, int(guild)):
                continue
            payload = data
            if redact is not None and redact(session):
                payload = {**data, "content": ""}
                for key in _REDACTED_KEYS:
                    if key in payload:
                        payload[key] = []
                payload.pop("poll", None)
            self._send_event(session, name, payload)

    @staticmethod
    def lacks_content_intent(session: Session) -> bool:
        """Whether a session did not ask for MESSAGE_CONTENT."""
        return not session.intents & INTENT_MESSAGE_CONTENT

    # ------------------------------------------------------------- test control

    def live_connections(self) -> list[Connection]:
        """Connections still open."""
        return [c for c in self.connections if not c.closed]

    def drop(self, code: int | None = UNKNOWN_ERROR) -> None:
        """Closes every open connection with ``code``, or without a close frame if None."""
        for conn in self.live_connections():
            if code is None:
                conn.aborted = True
                conn.queue.put_nowait(("abort", None))
            else:
                self._close(conn, code, "dropped by the test")

    def send_op(self, op: int, data: Any = None) -> None:
        """Sends a raw opcode (7 RECONNECT, 9 INVALID_SESSION ...) on every open connection."""
        for conn in self.live_connections():
            conn.send({"op": op, "s": None, "t": None, "d": data})

    def restart(self) -> None:
        """Forgets every session (a Discord-side restart) and drops the connections.

        The client's RESUME then gets INVALID_SESSION (op 9, not resumable) and it
        identifies again for a new READY.
        """
        self.sessions.clear()
        self.drop(UNKNOWN_ERROR)

    @contextlib.asynccontextmanager
    async def down(self, code: int | None = UNKNOWN_ERROR) -> AsyncIterator[None]:
        """Drops the connections and holds new ones until the block ends.

        Events dispatched inside the block are kept by the (resumable) sessions and replayed
        when the client resumes after the block.
        """
        self._open.clear()
        self.drop(code)
        try:
            yield
        finally:
            self._open.set()

    async def close(self) -> None:
        """Closes every connection (server shutdown)."""
        self._open.set()
        for conn in self.live_connections():
            self._close(conn, GOING_AWAY, "fake shutting down")
        for conn in self.connections:
            if conn.writer is not None and not conn.writer.done():
                with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(asyncio.shield(conn.writer), timeout=1)
                conn.writer.cancel()
