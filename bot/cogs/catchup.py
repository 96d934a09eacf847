"""/catchup: what happened in the group since the member last took part, or since a day.

Read (:func:`bot.storage.summaries.read_catchup`), compute
(:func:`bot.core.summary.catchup.compute_catchup`), render
(:func:`bot.discord.render.catchup.catchup_pages`): the same path as the weekly summary, per
member and per range. The answer is ephemeral and paged.
"""

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import ReadingGroupBot
from bot.core.errors import PlanError
from bot.core.summary import SummarySettings, question_numbers
from bot.core.summary.catchup import compute_catchup, parse_since
from bot.discord.organizers import group_channel_id
from bot.discord.render import NO_PINGS
from bot.discord.render.catchup import catchup_pages
from bot.discord.views import PagedView
from bot.storage.groups import get_group
from bot.storage.summaries import read_catchup

#: /catchup outside a group's channel and its threads.
NOT_A_GROUP = (
    "This channel has no reading group. Run /catchup in a group's channel or in one of its "
    "discussion threads."
)


class CatchupView(PagedView):
    """A catch-up page by page."""

    def __init__(self, *, owner_id: int, pages: list[discord.Embed]) -> None:
        self.pages = pages
        super().__init__(owner_id=owner_id, count=len(pages))

    def page_embed(self, index: int) -> discord.Embed:
        return self.pages[index]


class Catchup(commands.Cog):
    def __init__(self, bot: ReadingGroupBot) -> None:
        self.bot = bot

    @app_commands.command(name="catchup")
    @app_commands.guild_only()
    @app_commands.describe(
        since='a day such as 2026-11-02, or "2 weeks" (default: since your last reply here)'
    )
    async def catchup(self, interaction: discord.Interaction, since: str | None = None) -> None:
        """What happened in this group since you last took part: installments, ⭐, ❓, what's next.

        Args:
            interaction: the command.
            since: a day (YYYY-MM-DD) or a duration ("2 weeks", "10 days").
        """
        group = await get_group(self.bot.db, group_channel_id(interaction))
        if group is None or group.retired:
            raise PlanError(NOT_A_GROUP)
        now = self.bot.clock()
        asked = parse_since(since, now=now, tz=group.cadence.tz) if since else None
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.bot.reply_log.flush()  # the member's latest reply counts too
        data = await read_catchup(
            self.bot.db,
            group,
            interaction.user.id,
            since=asked,
            now=now,
            names=question_numbers,
            guild_id=interaction.guild_id,
        )
        library = self.bot.library
        catchup = compute_catchup(
            data,
            installments=self.bot.plans.installments(group, library),
            now=now,
            settings=SummarySettings(min_group_size=self.bot.settings.summary_min_group_size),
            titles={reading.slug: reading.display_title for reading in library},
        )
        view = CatchupView(owner_id=interaction.user.id, pages=catchup_pages(catchup))
        await interaction.followup.send(
            embed=view.embed(), view=view, ephemeral=True, allowed_mentions=NO_PINGS
        )
        view.message = await interaction.original_response()


async def setup(bot: ReadingGroupBot) -> None:
    await bot.add_cog(Catchup(bot))
