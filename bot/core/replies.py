"""The discussion log's events: what happened to a reply, as plain data.

The Discord side turns gateway events into these; storage applies a batch of them in order in
one transaction. Applying the same event twice changes nothing (ids are the keys), so a replay
after a reconnect or a backfill that overlaps live events is harmless.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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
    content: str | None  # None when the group keeps counts only
    created_at: dt.datetime
    edited_at: dt.datetime | None = None
    reply_to_id: int | None = None
    attachments: int = 0
    words: int = 0


@dataclass(frozen=True, slots=True)
class Edit:
    message_id: int
    content: str | None
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
