"""The library's concordance: /concord."""

import asyncio
import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import ReadingGroupBot
from bot.core.citations import resolve
from bot.discord.concord_render import DISPERSION_FILE, try_render_dispersion
from bot.discord.render import reference_choices
from bot.discord.views import ConcordView, send_paged
from bot.storage.concord import concordance


class Concord(commands.Cog):
    """Every use of a term across the library, in context."""

    def __init__(self, bot: ReadingGroupBot) -> None:
        self.bot = bot

    @app_commands.command(name="concord")
    @app_commands.describe(
        term="a word (its other forms count too), a prefix such as internat*, or a phrase",
        reading="only this reading",
    )
    async def concord(
        self, interaction: discord.Interaction, term: str, reading: str | None = None
    ) -> None:
        """Every use of a word across the readings, in context, counted per reading."""
        library = self.bot.library
        slug = resolve(library, reading).reading.slug if reading else None
        found = await concordance(self.bot.index, library, term, reading=slug)
        image = None
        if found.readings:
            # Drawing takes a few ms; in a worker thread it never holds up the event loop.
            image = await asyncio.to_thread(try_render_dispersion, found)
        view = ConcordView(
            owner_id=interaction.user.id, concordance=found, term=term, image=image is not None
        )
        file = discord.File(io.BytesIO(image), DISPERSION_FILE) if image is not None else None
        await send_paged(interaction, view, file=file)

    @concord.autocomplete("reading")
    async def reading_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return reference_choices(self.bot.library, current, readings_only=True)


async def setup(bot: ReadingGroupBot) -> None:
    await bot.add_cog(Concord(bot))
