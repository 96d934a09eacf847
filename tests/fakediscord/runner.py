"""Running a real discord.py client against the fake.

``patch_discord`` points discord.py at the fake (REST base URL and default gateway);
:class:`RunningClient` starts any ``discord.Client``/``commands.Bot`` in a task, waits for
ready, and stops it cleanly, surfacing how the client ended (``LoginFailure``,
``PrivilegedIntentsRequired``, ``ConnectionClosed``...).
"""

import asyncio
import contextlib
import logging
from typing import Any, Protocol

import discord
import discord.gateway
import discord.http
import discord.state
import yarl

from tests.fakediscord.server import FakeDiscord


class _Patcher(Protocol):
    def setattr(self, target: Any, name: str, value: Any, raising: bool = True) -> None: ...


async def _identify_at_once(
    self: discord.Client, shard_id: int | None, *, initial: bool = False
) -> None:
    """No pause before a re-IDENTIFY: the fake has no identify rate limit to respect."""


def _guild_ready_timeout(state: discord.state.ConnectionState) -> float:
    """How long discord.py waits for the next GUILD_CREATE after READY: nothing once every
    guild READY listed has come and been taken from the queue, else the client's setting."""
    # The queue exists only between READY and on_ready (and the guilds not yet in __init__).
    ready: asyncio.Queue[Any] | None = getattr(state, "_ready_state", None)
    all_taken = ready is not None and ready.empty()
    if all_taken and not any(guild.unavailable for guild in state._guilds.values()):
        return 0.0
    configured: float = vars(state).get("guild_ready_timeout", 2.0)
    return configured


def _set_guild_ready_timeout(state: discord.state.ConnectionState, value: float) -> None:
    vars(state)["guild_ready_timeout"] = value


#: discord.py waits ``guild_ready_timeout`` after the last GUILD_CREATE before it is ready (it
#: cannot know that was the last); this reads 0 once no guild is missing, so a client is ready
#: as soon as its guilds are, and a guild that never comes still ends the wait after the
#: client's own timeout.
GUILD_READY_TIMEOUT = property(_guild_ready_timeout, _set_guild_ready_timeout)


def patch_discord(fake: FakeDiscord, monkeypatch: _Patcher) -> None:
    """Points discord.py at ``fake`` (pytest's ``monkeypatch`` restores it afterwards).

    Also replaces ``Client.before_identify_hook``, which sleeps 5 s before every IDENTIFY
    after the first (a courtesy to Discord's rate limit), so restart tests stay fast (a client
    class that overrides the hook keeps its own), and ends the wait for guilds after READY as
    soon as every guild has come (see :data:`GUILD_READY_TIMEOUT`).
    """
    monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url)
    )
    monkeypatch.setattr(discord.Client, "before_identify_hook", _identify_at_once)
    # An instance attribute in discord.py: the class has none to restore.
    monkeypatch.setattr(
        discord.state.ConnectionState, "guild_ready_timeout", GUILD_READY_TIMEOUT, raising=False
    )


class _ErrorCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class RunningClient:
    """A discord.py client running against the fake in a background task.

    Attributes:
        fake: the fake server.
        client: the discord.py client or bot.
        task: the task running ``client.start(token)``.
        errors: ERROR log records of the ``discord`` loggers while it ran (e.g. an app command
            that raised: discord.py logs it and the interaction gets no answer).
    """

    def __init__(self, fake: FakeDiscord, client: discord.Client, token: str) -> None:
        self.fake = fake
        self.client = client
        self.token = token
        self.task: asyncio.Task[None] | None = None
        self._capture = _ErrorCapture()
        self._outcome_seen = False

    @property
    def errors(self) -> list[logging.LogRecord]:
        """ERROR records logged by discord.py while the client ran."""
        return self._capture.records

    async def start(self, *, wait_ready: bool = True, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - the test API takes timeouts
        """Starts ``client.start(token)``; with ``wait_ready``, waits for ``on_ready``."""
        logging.getLogger("discord").addHandler(self._capture)
        self.task = asyncio.create_task(self.client.start(self.token), name="discord-client")
        if wait_ready:
            await self.wait_ready(timeout)

    async def wait_ready(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - the test API takes timeouts
        """Waits until the client is ready; raises what the client died of, if it did."""
        assert self.task is not None, "start() first"
        ready = asyncio.create_task(self.client.wait_until_ready())
        try:
            done, _ = await asyncio.wait(
                {ready, self.task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            ready.cancel()
        if self.task in done:
            self._outcome_seen = True
            self.task.result()
            raise RuntimeError("the client stopped before it was ready")
        if ready not in done:
            raise TimeoutError(f"the client was not ready within {timeout}s")

    async def wait_closed(self, timeout: float = 5.0) -> BaseException | None:  # noqa: ASYNC109 - the test API takes timeouts
        """Waits for the client task to end; returns its exception (None if it ended cleanly)."""
        assert self.task is not None, "start() first"
        await asyncio.wait({self.task}, timeout=timeout)
        if not self.task.done():
            raise TimeoutError(f"the client was still running after {timeout}s")
        self._outcome_seen = True
        return None if self.task.cancelled() else self.task.exception()

    async def stop(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - the test API takes timeouts
        """Closes the client and waits for its task; re-raises an unexpected crash."""
        try:
            if not self.client.is_closed():
                await asyncio.wait_for(self.client.close(), timeout)
            if self.task is not None:
                await asyncio.wait({self.task}, timeout=timeout)
                if not self.task.done():
                    self.task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await self.task
                elif not self._outcome_seen and not self.task.cancelled():
                    error = self.task.exception()
                    if error is not None:
                        raise error
        finally:
            logging.getLogger("discord").removeHandler(self._capture)


async def start_client(
    fake: FakeDiscord,
    client: discord.Client,
    *,
    token: str | None = None,
    wait_ready: bool = True,
    timeout: float = 5.0,  # noqa: ASYNC109 - the test API takes timeouts
) -> RunningClient:
    """Starts ``client`` against ``fake`` (``token`` defaults to the one the fake accepts)."""
    running = RunningClient(fake, client, fake.config.token if token is None else token)
    await running.start(wait_ready=wait_ready, timeout=timeout)
    return running
