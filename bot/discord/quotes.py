"""Quotes that cite themselves on Discord: matching logged replies off the hot path, the 📖
reaction or one-line reply, and its buttons (open the passage; a misquotation side by side).

The discussion log hands each logged reply over, live or caught up after downtime
(:meth:`QuoteChecker.offer`: a look at the text and a bounded queue, nothing more); one worker
task matches it against the library's :class:`~bot.core.quotes.QuoteIndex` (built once per
library, in a thread, its keys mapped from a file beside the database:
:mod:`bot.storage.quote_keys`), keeps what it
found (only while the reply is in the log) and reacts or replies. A failure is logged and the
worker goes on: the reply log never waits on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
import discord

from bot.core.citations import resolve
from bot.core.errors import ReadingGroupError
from bot.core.pages import clip
from bot.core.quotes import QuoteCheck, QuoteIndex, QuoteMatch, side_by_side
from bot.core.readings import Library
from bot.core.safetext import escape_markdown
from bot.discord.render import (
    COLOUR,
    CONTENT_LIMIT,
    FIELD_VALUE_LIMIT,
    NO_PINGS,
    TITLE_LIMIT,
    fitted,
)
from bot.discord.tree import report_error
from bot.discord.views import send_passage
from bot.storage.connection import Connection
from bot.storage.quote_keys import mapped_keys
from bot.storage.quotes import clear_quote_matches, has_quote_matches, save_quote_matches
from bot.storage.search import index_file

log = logging.getLogger(__name__)

#: The reaction on a reply that quotes the library.
BOOK = "📖"
#: Replies waiting to be matched at most; beyond it new ones are not checked (counted).
MAX_WAITING = 1000
#: The oldest reply the catch-up after downtime still marks. A weekend's outage of a bot on a
#: laptop or a Pi (Friday evening to Monday) is caught up in full; beyond it the thread has moved
#: on, and a 📖 or a citation reply there (which bumps the thread) would be noise, the more so as
#: every catch-up re-reads the last logged replies, which can be weeks old in a quiet group.
CAUGHT_UP_AGE = dt.timedelta(days=3)
#: Characters that must be in a reply for it to hold a quotation at all.
_QUOTE_MARK = re.compile('[>"“„«]')


@dataclass(frozen=True, slots=True)
class LoggedReply:
    """A logged reply (or its edit) as the quote check needs it: the message to react or reply
    to, its text and its author. A reply logged from the raw gateway payload
    (:mod:`bot.discord.rawreplies`) has no ``discord.Message``: its ``message`` is a
    ``discord.PartialMessage``, which reacts and replies the same."""

    message: discord.Message | discord.PartialMessage
    content: str
    author_id: int

    @classmethod
    def of(cls, message: discord.Message) -> LoggedReply:
        return cls(message, message.content, message.author.id)


@dataclass(frozen=True, slots=True)
class Offered:
    """A logged reply to check, and what its group wants done."""

    reply: LoggedReply
    group_channel_id: int
    mode: QuoteCheck
    edited: bool = False  # an edit: what it quoted before is checked again


def may_quote(text: str) -> bool:
    """Whether ``text`` holds a quotation mark at all: a reply without one quotes nothing."""
    return _QUOTE_MARK.search(text) is not None


def _quote_index(library: Library, database: Path | None) -> QuoteIndex:
    """The quote index of ``library``, its keys mapped from their file beside ``database``
    (:mod:`bot.storage.quote_keys`: a few MB resident instead of 8 bytes a word of the
    library), or in memory for a database in memory or a file that cannot be written."""
    keys = mapped_keys(library, database) if database is not None else None
    return QuoteIndex(library, keys)


class QuoteChecker:
    """Matches logged replies against the library, one at a time, in the background."""

    def __init__(
        self,
        db: Connection,
        library: Callable[[], Library],
        *,
        logged: Callable[[], Awaitable[object]],
        opted_out: Callable[[int], bool],
        max_waiting: int = MAX_WAITING,
        index: aiosqlite.Connection | None = None,
    ) -> None:
        """
        Args:
            db: the bot's database (its shared state: the quotes found are kept there).
            library: the library now (it changes on a reload).
            logged: waits until the replies received so far are in the log (the reply log's
                flush): a quote is kept only for a reply the log holds.
            opted_out: whether a member opted out (or was forgotten) since they wrote.
            max_waiting: the queue's bound.
            index: the library index, beside whose file the quote keys are mapped (default:
                ``db``, which must then be the SQLite connection).
        """
        if index is None:
            assert isinstance(db, aiosqlite.Connection), "a PostgreSQL bot needs its SQLite index"
            index = db
        self.db = db
        self.library_index = index
        self._library = library
        self._logged = logged
        self._opted_out = opted_out
        self._queue: asyncio.Queue[Offered] = asyncio.Queue(maxsize=max_waiting)
        self._index: tuple[Library, QuoteIndex] | None = None
        self._building: asyncio.Lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self.modes: dict[int, QuoteCheck] = {}  # each group's quote_check, by channel
        self.skipped = 0  # replies not checked because the queue was full
        self.offered = 0  # replies queued for checking
        self.checked = 0  # replies matched

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="quote-checker")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def offer(self, reply: LoggedReply, group_channel_id: int, *, edited: bool = False) -> None:
        """Queue a logged reply (or its edit) for checking, if its group wants it and it may
        quote anything (cheap: no matching; an edit may have taken a quote out)."""
        mode = self.modes.get(group_channel_id, "react")
        if mode == "off":
            return
        if not edited and not may_quote(reply.content):
            return
        try:
            self._queue.put_nowait(Offered(reply, group_channel_id, mode, edited))
            self.offered += 1
        except asyncio.QueueFull:
            if not self.skipped:
                log.warning("Quote checking is behind: replies are not checked until it catches up")
            self.skipped += 1

    async def index(self) -> QuoteIndex:
        """The index of the library now, built in a thread the first time it is asked for."""
        library = self._library()
        async with self._building:
            if self._index is None or self._index[0] is not library:
                database = await index_file(self.library_index)
                built = await asyncio.to_thread(_quote_index, library, database)
                self._index = (library, built)
            return self._index[1]

    async def matches(self, text: str) -> list[QuoteMatch]:
        """The passages ``text`` quotes."""
        return (await self.index()).find_all(text)

    async def _run(self) -> None:
        while True:
            offered = await self._queue.get()
            try:
                await self.check(offered)
            except Exception:
                log.exception("Checking reply %s for quotes failed", offered.reply.message.id)

    async def check(self, offered: Offered) -> list[QuoteMatch]:
        """Match one reply; keep and show what it quotes. Returns the matches kept."""
        message = offered.reply.message
        found = await self.matches(offered.reply.content)
        self.checked += 1
        if (not found and not offered.edited) or self._opted_out(offered.reply.author_id):
            return []
        if not offered.edited and await has_quote_matches(self.db, message.id):
            return []  # marked before (live, or by an earlier catch-up): marked once
        await self._logged()
        had = await clear_quote_matches(self.db, message.id) if offered.edited else 0
        if had and not found:
            await self._unmark(offered)
            return []
        if not await save_quote_matches(self.db, message.id, found):
            return []  # deleted, or its author forgotten, meanwhile: nothing to show
        if had:
            return found  # marked already: an edit does not announce it again
        try:
            if offered.mode == "react":
                await message.add_reaction(BOOK)
            else:
                await message.reply(
                    quote_line(found, self._library()),
                    view=quote_view(found, message.id),
                    mention_author=False,
                    allowed_mentions=NO_PINGS,
                )
        except discord.HTTPException as exc:
            log.warning("Cannot mark the quote in reply %s (%s)", message.id, exc)
        return found

    async def _unmark(self, offered: Offered) -> None:
        """An edit took the quote out: take the 📖 back (a one-line reply stays, as written)."""
        message = offered.reply.message
        guild = message.guild
        if offered.mode != "react" or guild is None:
            return
        try:
            await message.remove_reaction(BOOK, guild.me)
        except discord.HTTPException as exc:
            log.warning("Cannot take the 📖 off reply %s (%s)", message.id, exc)


def _title(match: QuoteMatch, library: Library) -> str:
    reading = library.get(match.slug)
    return escape_markdown(reading.display_title) if reading is not None else match.slug


def quote_line(matches: Sequence[QuoteMatch], library: Library) -> str:
    """The one-line reply: what each quotation quotes, e.g. ``📖 Quoted: *Title*, soic §3.4``."""
    parts = []
    for match in matches:
        what = "close to" if match.kind == "misquote" else "from"
        parts.append(f"{what} *{_title(match, library)}*, `{match.citation}`")
    return clip(f"{BOOK} Quoted " + "; ".join(parts), CONTENT_LIMIT)


def quote_view(matches: Sequence[QuoteMatch], message_id: int) -> discord.ui.View:
    """Buttons under the one-line reply: open each passage (up to 5), and, for a
    misquotation, show it side by side. They keep working after a restart."""
    view = discord.ui.View(timeout=None)
    seen: list[str] = []
    for match in matches:
        if match.citation not in seen and len(seen) < 5:
            seen.append(match.citation)
            view.add_item(OpenPassage(match.citation, numbered=len(matches) > 1))
    if any(m.kind == "misquote" for m in matches):
        view.add_item(SideBySide(message_id))
    return view


class OpenPassage(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"quote:open:(?P<c>.+)"):
    """Open the quoted passage (ephemeral, paged, with Share), for whoever clicks."""

    def __init__(self, citation: str, *, numbered: bool = False) -> None:
        label = f"Open {citation}" if numbered else "Open passage"
        super().__init__(
            discord.ui.Button(
                label=clip(label, 80),
                style=discord.ButtonStyle.secondary,
                custom_id=clip(f"quote:open:{citation}", 100, ""),
            )
        )
        self.citation = citation

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> OpenPassage:
        return cls(match["c"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        # discord.py only logs what a dynamic item raises: a refusal (a passage gone since) goes
        # through the error funnel here, so the member is answered.
        try:
            await send_passage(interaction, resolve(interaction.client.library, self.citation))
        except Exception as exc:  # report_error tells the member, and logs a bug
            await report_error(interaction, exc)


class SideBySide(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"quote:diff:(?P<m>\d+)"):
    """Show a misquotation beside the text (ephemeral)."""

    def __init__(self, message_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Show side by side",
                style=discord.ButtonStyle.secondary,
                custom_id=f"quote:diff:{message_id}",
            )
        )
        self.message_id = message_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> SideBySide:
        return cls(int(match["m"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        # As for OpenPassage: refusals reach the member through the error funnel.
        try:
            await self._show(interaction)
        except Exception as exc:  # report_error tells the member, and logs a bug
            await report_error(interaction, exc)

    async def _show(self, interaction: discord.Interaction[Any]) -> None:
        channel = interaction.channel
        if not isinstance(channel, discord.abc.Messageable):
            raise ReadingGroupError("This button works only where the reply is.")
        try:
            message = await channel.fetch_message(self.message_id)
        except discord.NotFound:
            raise ReadingGroupError("That reply was deleted.") from None
        found = await interaction.client.quotes.matches(message.content)
        misquotes = [m for m in found if m.kind == "misquote"]
        if not misquotes:
            raise ReadingGroupError("That reply no longer misquotes the text (edited since?).")
        embeds = [side_by_side_embed(m, interaction.client.library) for m in misquotes[:10]]
        await interaction.response.send_message(
            embeds=embeds, ephemeral=True, allowed_mentions=NO_PINGS
        )


def side_by_side_embed(match: QuoteMatch, library: Library) -> discord.Embed:
    """A misquotation beside the text, the words that differ in bold (compared without case
    or punctuation, as they are matched)."""
    quoted, original = side_by_side(match, lambda words: f"**{words}**")
    embed = discord.Embed(
        title=clip(f"{_title(match, library)}, {match.citation}", TITLE_LIMIT), colour=COLOUR
    )
    embed.add_field(name="Quoted", value=clip(quoted, FIELD_VALUE_LIMIT), inline=False)
    embed.add_field(name="The text", value=clip(original, FIELD_VALUE_LIMIT), inline=False)
    embed.set_footer(text="Words in bold differ; compared without case or punctuation.")
    return fitted(embed)
