"""Logging replies from the raw gateway payload, before discord.py makes a ``discord.Message``.

For every MESSAGE_CREATE discord.py builds a ``discord.Message`` (35-86 us, by machine) before
any listener runs: through ``on_message`` the discussion log reaches 8% of a raw ``executemany``
of the same rows by wall clock, 13% by CPU; logging from the payload dict reaches 37% by CPU
(``python -m bench replylog``, bench/RESULTS.md). discord.py has no documented hook before it
makes the Message, so :func:`install` wraps an internal: ``ConnectionState.parsers``, the table
of bound ``parse_*`` methods the gateway looks each event up in (the websocket holds the same
dict, so an entry replaced there is the one called). A payload the log takes is logged from the
dict and never becomes a Message; every other payload goes to discord.py's own parser unchanged.

What discord.py would have done for a message logged here and does not: dispatch ``message``
(``on_message`` listeners and ``wait_for("message")``), keep it in its message cache (off in
this bot: ``bot.client.CACHE_OPTIONS``), set its channel's ``last_message_id``. None of the bot's
code uses them for such messages: the bot's own ``on_message`` does nothing (slash commands
only), the Discussion cog's ``on_message`` would only log it (done here), and nothing reads
``last_message_id``; the quote check (``reply_logged``) is dispatched by the cog as well. Should
anything else listen (another ``on_message`` listener, or a ``wait_for("message")``, as tests
do), the payload goes to discord.py as before, so no listener ever misses a message.

If discord.py changes the internal (the parser table's name or shape, the entry's name, or
what parse_message_create does besides the above), :func:`install` refuses outside the pinned
minor (``discord.py>=2.7,<2.8``) or when the entry is not discord.py's own parser, logs one
warning and leaves the public ``on_message`` path, which logs the same replies, only slower.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import discord
from discord.ext import commands
from discord.utils import parse_time, snowflake_time

from bot.core.replies import Reply, word_count
from bot.discord.replylog import ReplyLog
from bot.storage.replies import Target

log = logging.getLogger(__name__)

#: The discord.py minor whose internals :func:`install` relies on (the one pinned).
SUPPORTED = (2, 7)
#: MESSAGE_CREATE ``type`` of a member talking: default and reply (the cog's ``CONVERSATION``).
CONVERSATION_TYPES = frozenset({discord.MessageType.default.value, discord.MessageType.reply.value})

Parser = Callable[[dict[str, Any]], None]


def reply_from_payload(data: dict[str, Any], replies: ReplyLog) -> tuple[Reply, Target] | None:
    """The reply the discussion log takes from a MESSAGE_CREATE payload, and the post it
    belongs to; None when it is not logged. The same checks and fields as
    ``Discussion.on_message`` on the ``discord.Message`` discord.py would make of it."""
    channel_id = int(data["channel_id"])
    reference = data.get("message_reference")
    reply_to = int(reference["message_id"]) if reference and "message_id" in reference else None
    target = replies.target_for(channel_id, reply_to)
    if target is None:
        return None
    author = data["author"]
    author_id = int(author["id"])
    if (
        author.get("bot")
        or data.get("webhook_id")
        or data["type"] not in CONVERSATION_TYPES
        or author_id in replies.opted_out
    ):
        return None
    member = data.get("member") or {}
    message_id, content = int(data["id"]), data["content"]
    edited = data.get("edited_timestamp")
    reply = Reply(
        message_id=message_id,
        channel_id=channel_id,
        group_channel_id=target.group_channel_id,
        guild_id=int(data["guild_id"]) if "guild_id" in data else target.guild_id,
        post_id=target.post_id,
        author_id=author_id,
        # discord.Member.display_name: the server nick, else the global name, else the name.
        author_name=member.get("nick") or author.get("global_name") or author["username"],
        content=content,
        created_at=snowflake_time(message_id),
        edited_at=parse_time(edited) if edited else None,
        reply_to_id=reply_to,
        attachments=len(data.get("attachments", ())),
        words=word_count(content),
    )
    return reply, target


def _refusal(state: Any) -> str | None:
    """Why the internal cannot be used with this discord.py, or None when it can."""
    if tuple(discord.version_info[:2]) != SUPPORTED:
        return f"discord.py {discord.__version__} is not {SUPPORTED[0]}.{SUPPORTED[1]}.x"
    parsers = getattr(state, "parsers", None)
    if not isinstance(parsers, dict):
        return "its connection state has no parser table"
    parse = parsers.get("MESSAGE_CREATE")
    own = getattr(discord.state.ConnectionState, "parse_message_create", None)
    if getattr(parse, "__func__", None) is not own or getattr(parse, "__self__", None) is not state:
        return "its MESSAGE_CREATE parser is not its own parse_message_create"
    return None


def install(
    bot: commands.Bot,
    replies: ReplyLog,
    logged: Callable[[Reply, Target], None],
    listener: Callable[..., Any],
) -> Callable[[], None] | None:
    """Hand each MESSAGE_CREATE payload the log takes to ``logged`` instead of discord.py,
    while ``listener`` (the log's own ``on_message``) is the only one its Message would reach.

    Returns what undoes it (the cog's unload), or None when this discord.py's internals are
    not the expected ones: then one warning is logged and nothing changes (``on_message`` logs).
    """
    state = bot._connection
    refusal = _refusal(state)
    if refusal is not None:
        log.warning(
            "Replies are logged through on_message, the slower way (%s): the raw gateway path "
            "needs discord.py's internals of the pinned discord.py>=2.7,<2.8",
            refusal,
        )
        return None
    parsers: dict[str, Parser] = state.parsers
    parse = parsers["MESSAGE_CREATE"]
    waiting: dict[str, list[Any]] = bot._listeners  # wait_for's futures, by event
    listeners = bot.extra_events  # add_listener's (the cogs'), by "on_" event
    alone = [listener]

    def take(data: dict[str, Any]) -> None:
        try:
            found = reply_from_payload(data, replies)
        except Exception:  # a payload of a shape not foreseen: discord.py's way, as before
            log.exception("Cannot read MESSAGE_CREATE %s; discord.py handles it", data.get("id"))
            found = None
        if found is None or "message" in waiting or listeners.get("on_message") != alone:
            parse(data)
        else:
            logged(*found)

    parsers["MESSAGE_CREATE"] = take

    def undo() -> None:
        if parsers.get("MESSAGE_CREATE") is take:
            parsers["MESSAGE_CREATE"] = parse

    return undo
