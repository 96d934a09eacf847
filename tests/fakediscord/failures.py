"""FakeDiscord's failure injection: refused requests, dropped connections, restarts."""

import contextlib
import json
from typing import Any

from aiohttp import web

from tests.fakediscord.base import FakeBase, InjectedFailure, RequestRecord


class FailureMixin(FakeBase):
    """Errors injected into the next requests, and the gateway's outages."""

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
            InjectedFailure(method.upper(), template, status, code, message, retry_after, times)
        )

    def _take_failure(self, method: str, template: str) -> InjectedFailure | None:
        for failure in self._failures:
            if failure.method == method and failure.template == template and failure.times > 0:
                failure.times -= 1
                return failure
        return None

    def _failure_response(self, record: RequestRecord, failure: InjectedFailure) -> web.Response:
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
