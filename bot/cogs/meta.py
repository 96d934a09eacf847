"""/help: what the bot does and its commands."""

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import ReadingGroupBot
from bot.discord.render import NO_PINGS, help_embeds


class Meta(commands.Cog):
    def __init__(self, bot: ReadingGroupBot) -> None:
        self.bot = bot

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction) -> None:
        """What this bot does, and its commands."""
        listed = []
        for command in self.bot.tree.walk_commands():
            if isinstance(command, app_commands.Group) and command.parent is not None:
                # A subgroup (/plan facilitators ...) is one line: help has 25 fields at most.
                names = "|".join(sub.name for sub in command.commands)
                listed.append((f"/{command.qualified_name} {names}", command.description))
            elif isinstance(command, app_commands.Command) and not _in_subgroup(command):
                options = " ".join(
                    f"<{p.display_name}>" if p.required else f"[{p.display_name}]"
                    for p in command.parameters
                )
                usage = f"/{command.qualified_name} {options}".strip()
                listed.append((usage, command.description))
        await interaction.response.send_message(
            embeds=help_embeds(sorted(listed)), ephemeral=True, allowed_mentions=NO_PINGS
        )


def _in_subgroup(command: app_commands.Command[Any, ..., Any]) -> bool:
    """Whether the command is listed with its subgroup rather than on its own."""
    return command.parent is not None and command.parent.parent is not None


async def setup(bot: ReadingGroupBot) -> None:
    await bot.add_cog(Meta(bot))
