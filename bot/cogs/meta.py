"""/help: what the bot does and its commands."""

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import ReadingGroupBot
from bot.discord.render import NO_PINGS, help_embed


class Meta(commands.Cog):
    def __init__(self, bot: ReadingGroupBot) -> None:
        self.bot = bot

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction) -> None:
        """What this bot does, and its commands."""
        listed = []
        for command in self.bot.tree.walk_commands():
            if isinstance(command, app_commands.Command):
                options = " ".join(
                    f"<{p.display_name}>" if p.required else f"[{p.display_name}]"
                    for p in command.parameters
                )
                usage = f"/{command.qualified_name} {options}".strip()
                listed.append((usage, command.description))
        await interaction.response.send_message(
            embed=help_embed(sorted(listed)), ephemeral=True, allowed_mentions=NO_PINGS
        )


async def setup(bot: ReadingGroupBot) -> None:
    await bot.add_cog(Meta(bot))
