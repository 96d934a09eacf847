"""The discussion log's events: what happened to a reply, as plain data.

The Discord side turns gateway events into these; storage applies a batch of them in order in
one transaction. Applying the same event twice changes nothing (ids are the keys), so a replay
after a reconnect or a backfill that overlaps live events is harmless.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Set
from dataclasses import dataclass, field, replace
from typing import Literal

ReplyLogMode = Literal["content", "counts", "off"]
REPLY_LOG_MODES: tuple[ReplyLogMode, ...] = ("content", "counts", "off")
"""What a group keeps of its discussion: the replies' text, only their counts, or nothing."""

STAR = "⭐"
STUCK = "❓"


@dataclass(frozen=True, slots=True)
class Reply:
    """A member's message in an installment's thread, or a reply to the post itself."""

    message_id: int
    channel_id: int  # the thread, or the group's channel for a reply to the post
    group_channel_id: int
    guild_id: int | None
    post_id: int | None
    author_id: int
    author_name: str
    content: str | None  # as written; kept only if the group keeps text (see LogPolicy)
    created_at: dt.datetime
    edited_at: dt.datetime | None = None
    reply_to_id: int | None = None
    attachments: int = 0
    words: int = 0


@dataclass(frozen=True, slots=True)
class Edit:
    message_id: int
    content: str | None  # as written; kept only if the reply's group keeps text
    edited_at: dt.datetime
    words: int
    attachments: int


@dataclass(frozen=True, slots=True)
class Delete:
    message_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ReactionAdd:
    message_id: int
    channel_id: int
    user_id: int
    emoji: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class ReactionRemove:
    message_id: int
    user_id: int
    emoji: str


@dataclass(frozen=True, slots=True)
class ReactionClear:
    """All reactions of a message removed (``emoji`` None), or all of one emoji."""

    message_id: int
    emoji: str | None = None


LogEvent = Reply | Edit | Delete | ReactionAdd | ReactionRemove | ReactionClear


@dataclass(frozen=True, slots=True)
class LogPolicy:
    """What the discussion log keeps, as the database says when a batch is written: the one
    place that decides, whichever way a message arrives (live, edited, caught up after a
    restart or a resume).

    Attributes:
        modes: what each group keeps (group channel id -> mode); a group not listed keeps
            nothing.
        opted_out: members whose messages are not logged.
        log_starts: member -> the instant their log starts: a message they wrote before it and
            that is not in the log is never added (they asked to forget it, or wrote it while
            opted out). A logged one still follows its edits.
    """

    modes: Mapping[int, ReplyLogMode] = field(default_factory=dict)
    opted_out: Set[int] = frozenset()
    log_starts: Mapping[int, dt.datetime] = field(default_factory=dict)

    def keeps_text(self, group_channel_id: int) -> bool:
        return self.modes.get(group_channel_id) == "content"

    def text(self, group_channel_id: int, content: str | None) -> str | None:
        """``content`` as the group keeps it: the text, or None for a counts-only group."""
        return content if self.keeps_text(group_channel_id) else None

    def reply(self, reply: Reply) -> Reply | None:
        """``reply`` as it is kept (text only where the group keeps text), or None when it is
        not logged at all (an opted-out member, a group that keeps nothing)."""
        if reply.author_id in self.opted_out:
            return None
        if self.modes.get(reply.group_channel_id, "off") == "off":
            return None
        kept = self.text(reply.group_channel_id, reply.content)
        # Most groups keep the text: the reply as it came, not a copy (a copy per reply was a
        # fifth of the writer's Python time).
        return reply if kept is reply.content else replace(reply, content=kept)

    def may_add(self, reply: Reply) -> bool:
        """Whether ``reply`` may be added to the log if it is not there yet."""
        start = self.log_starts.get(reply.author_id)
        # A message of the very millisecond of the request counts as before it: left out.
        return start is None or reply.created_at > start


def word_count(text: str | None) -> int:
    """Words in a reply: whitespace-separated runs."""
    return len(text.split()) if text else 0


def retention_cutoff(now: dt.datetime, days: int) -> dt.datetime:
    """Replies created before this instant have their text erased (``now`` aware UTC)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if days < 1:
        raise ValueError("retention must be at least one day")
    return now - dt.timedelta(days=days)
