"""The quote checker's queue: what it takes, and that it stays bounded (it never holds up the
reply log: a reply beyond the bound is not checked, and counted)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import cast

import aiosqlite
import discord

from bot.core.readings import Library
from bot.discord.quotes import LoggedReply, QuoteChecker


async def nothing() -> None:
    return None


def checker(db: aiosqlite.Connection, max_waiting: int) -> QuoteChecker:
    made = QuoteChecker(
        db, lambda: Library(()), logged=nothing, opted_out=lambda _: False, max_waiting=max_waiting
    )
    made.modes = {1: "react", 2: "off"}
    return made


def reply(text: str) -> LoggedReply:
    return LoggedReply(cast(discord.Message, SimpleNamespace()), text, 1)


async def test_only_replies_that_may_quote_are_queued_and_the_queue_is_bounded(
    tmp_path: Path,
) -> None:
    async with aiosqlite.connect(tmp_path / "unused.sqlite3") as db:
        quotes = checker(db, max_waiting=2)
        quotes.offer(reply("no quotation mark at all"), 1)
        quotes.offer(reply("> a quote in a group that wants none"), 2)
        assert (quotes.offered, quotes.skipped) == (0, 0)
        for _ in range(3):
            quotes.offer(reply('> one "two" three'), 1)
        assert (quotes.offered, quotes.skipped) == (2, 1)
        quotes.offer(reply("edited: its quote taken out"), 1, edited=True)
        assert (quotes.offered, quotes.skipped) == (2, 2)
