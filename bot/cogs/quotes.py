"""Quotes that cite themselves: a logged reply quoting the library gets a 📖 or its citation.

The discussion log dispatches ``reply_logged`` for each live reply it queues that may quote
(:func:`~bot.discord.quotes.may_quote`), and ``reply_caught_up`` for each reply its catch-up
after downtime queues; this cog hands them to the bot's
:class:`~bot.discord.quotes.QuoteChecker` (``bot.quotes``), whose worker does the matching off
the hot path. The buttons under a one-line citation are persistent (dynamic
items), so they keep working after a restart.
"""

from discord.ext import commands

from bot.client import ReadingGroupBot
from bot.discord.quotes import CAUGHT_UP_AGE, LoggedReply, OpenPassage, SideBySide
from bot.storage.quotes import quote_checks
from bot.storage.replies import Target


class Quotes(commands.Cog):
    """Finds the passages logged replies quote, as each group's ``quote_check`` says."""

    def __init__(self, bot: ReadingGroupBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.quotes.modes = await quote_checks(self.bot.db)
        self.bot.add_dynamic_items(OpenPassage, SideBySide)
        self.bot.quotes.start()

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(OpenPassage, SideBySide)
        await self.bot.quotes.close()

    @commands.Cog.listener()
    async def on_reply_logged(self, reply: LoggedReply, target: Target) -> None:
        self.bot.quotes.offer(reply, target.group_channel_id)

    @commands.Cog.listener()
    async def on_reply_caught_up(self, reply: LoggedReply, target: Target) -> None:
        """A reply written while the bot was away: checked as a live one, unless it is too old
        to mark now (:data:`~bot.discord.quotes.CAUGHT_UP_AGE`); one marked already is not
        marked again (the checker looks)."""
        if reply.message.created_at >= self.bot.clock() - CAUGHT_UP_AGE:
            self.bot.quotes.offer(reply, target.group_channel_id)

    @commands.Cog.listener()
    async def on_reply_edited(self, reply: LoggedReply, target: Target) -> None:
        self.bot.quotes.offer(reply, target.group_channel_id, edited=True)

    @commands.Cog.listener()
    async def on_log_targets_changed(self) -> None:
        """A group's settings changed (/plan start, /plan reload): reload its quote_check."""
        self.bot.quotes.modes = await quote_checks(self.bot.db)


async def setup(bot: ReadingGroupBot) -> None:
    await bot.add_cog(Quotes(bot))
