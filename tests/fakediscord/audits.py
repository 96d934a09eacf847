"""FakeDiscord's audits: the records a test inspects and the checks at teardown.

:meth:`AuditMixin.check` (the fixture's teardown) fails on violations, unknown routes and pings
the test did not allow.
"""

from collections.abc import Iterable
from typing import Any

from tests.fakediscord.base import PingAllowance, RequestRecord, SentRecord, Violation
from tests.fakediscord.state import Message, Pings, pings_of
from tests.fakediscord.world import WorldMixin

_USER_MESSAGE_TYPES = (0, 19, 20, 23)


class AuditMixin(WorldMixin):
    """Violations, rejected requests and the pings every bot message could make."""

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

    def message_edited(self, message: Message) -> None:
        """Records a bot edit for the ping check."""
        self._record_sent(message, "edit")
