"""What every part of FakeDiscord shares: its settings, its records, and waiting on them."""

import asyncio
import contextlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.fakediscord import limits
from tests.fakediscord.interactions import Interaction
from tests.fakediscord.state import (
    INTENT_GUILD_MEMBERS,
    INTENT_MESSAGE_CONTENT,
    Attachment,
    Clock,
    Message,
    Pings,
    State,
)
from tests.fakediscord.validate import load_spec

if TYPE_CHECKING:
    from tests.fakediscord.gateway import Gateway
    from tests.fakediscord.rest import Rest

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
class InjectedFailure:
    """An error :meth:`FakeDiscord.fail_next` answers the next ``times`` requests with."""

    method: str
    template: str
    status: int
    code: int
    message: str
    retry_after: float | None
    times: int


class FakeBase:
    """The state, settings and records every part of :class:`FakeDiscord` shares.

    The parts are mixins on top of it: the world (seeded guild, lookups, admins' changes), its
    events, the actors (members posting, reacting, running commands), the audits (violations,
    pings) and the failures a test injects; ``server.FakeDiscord`` adds the HTTP plumbing.
    """

    gateway: "Gateway"
    rest: "Rest"

    def __init__(self, config: FakeConfig | None = None) -> None:
        self.config = config or FakeConfig()
        self.clock = Clock()
        self.state = State(self.clock)
        self.spec = load_spec()
        self.requests: list[RequestRecord] = []
        self.violations: list[Violation] = []
        self.interactions: dict[int, Interaction] = {}
        self.deleted: list[Message] = []
        self.sent: list[SentRecord] = []
        self.syncs: list[tuple[int | None, list[str]]] = []
        self.custom_emojis: set[int] = set()
        self.attachments: dict[int, Attachment] = {}
        self.pings_allowed = PingAllowance()
        self._failures: list[InjectedFailure] = []
        self._waiters: list[asyncio.Future[None]] = []

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
