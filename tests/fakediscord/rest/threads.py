"""The fake REST API for threads: start one (from a message or not), archived lists, members."""

from datetime import datetime
from typing import Any

from tests.fakediscord import limits
from tests.fakediscord.errors import (
    UNKNOWN_MEMBER,
    UNKNOWN_USER,
    DiscordError,
    FormErrors,
    invalid_form,
    missing_access,
    unknown,
)
from tests.fakediscord.rest.base import Call, Reply, RestBase, Route
from tests.fakediscord.state import (
    INTENT_GUILD_MEMBERS,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    Channel,
    Perm,
)


class ThreadRoutes(RestBase):
    """Thread creation, archived threads and ``/thread-members``."""

    def thread_routes(self) -> list[Route]:
        """This resource's routes, in table order."""
        r = self._route
        return [
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
        ]

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
