"""Looking things up: /passage, /search and /readings."""

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import ReadingGroupBot
from bot.core.citations import resolve
from bot.discord.render import (
    NO_PINGS,
    readings_embeds,
    reference_choices,
    search_embed,
    search_options,
)
from bot.discord.views import ReadingsView, SearchView, send_paged, send_passage
from bot.storage.search import search

log = logging.getLogger(__name__)

SEARCH_LIMIT = 10


class Library(commands.Cog):
    """Passage lookup and full-text search over the group's readings."""

    def __init__(self, bot: ReadingGroupBot) -> None:
        self.bot = bot

    @app_commands.command(name="passage")
    @app_commands.describe(reference="e.g. soic §3, soic 3-5, mccune#conclusion, a title")
    async def passage(self, interaction: discord.Interaction, reference: str) -> None:
        """Show a passage of one of the readings, with its citation."""
        citation = resolve(self.bot.library, reference)
        await send_passage(interaction, citation)

    @passage.autocomplete("reference")
    async def passage_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return reference_choices(self.bot.library, current)

    @app_commands.command(name="search")
    @app_commands.describe(
        query='words to find; "quotes" for an exact phrase',
        reading="only search this reading",
    )
    async def search(
        self, interaction: discord.Interaction, query: str, reading: str | None = None
    ) -> None:
        """Search every reading for words or a phrase."""
        slug = None
        if reading:
            slug = resolve(self.bot.library, reading).reading.slug
        results = await search(self.bot.index, query, reading=slug, limit=SEARCH_LIMIT)
        embed = search_embed(query, results, reading=slug)
        if not results:
            await interaction.response.send_message(
                embed=embed, ephemeral=True, allowed_mentions=NO_PINGS
            )
            return
        view = SearchView(
            owner_id=interaction.user.id,
            library=self.bot.library,
            options=search_options(results),
        )
        await interaction.response.send_message(
            embed=embed, view=view, ephemeral=True, allowed_mentions=NO_PINGS
        )
        view.message = await interaction.original_response()

    @search.autocomplete("reading")
    async def reading_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return reference_choices(self.bot.library, current, readings_only=True)

    @app_commands.command(name="readings")
    async def readings(self, interaction: discord.Interaction) -> None:
        """List the group's readings with their sizes and short names."""
        pages = readings_embeds(self.bot.library)
        await send_paged(interaction, ReadingsView(owner_id=interaction.user.id, pages=pages))


async def setup(bot: ReadingGroupBot) -> None:
    await bot.add_cog(Library(bot))
