"""The one error funnel for slash commands and components (after Red's ``redbot/core/tree.py``).

Domain errors (:class:`~bot.core.errors.ReadingGroupError`) are the user's to fix: their text is
shown ephemerally. Anything else is a bug: logged with its traceback, and the user gets a short
apology. Either way the interaction is answered, whether or not it was already acknowledged.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.core.errors import ReadingGroupError
from bot.discord.render import error_text

log = logging.getLogger(__name__)

APOLOGY = (
    "Sorry, something went wrong on my side. The organizers can find the details in the bot's log."
)


class ReadingGroupTree(app_commands.CommandTree[discord.Client]):
    async def on_error(
        self, interaction: discord.Interaction[discord.Client], error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)


def user_message(error: BaseException) -> str | None:
    """The text to show for an error the user can act on, or None for a bug."""
    original = getattr(error, "original", None) or error
    if isinstance(original, ReadingGroupError):
        return str(original)
    if isinstance(error, app_commands.MissingPermissions):
        names = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"You need the {names} permission to use this command."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works in a server channel, not in direct messages."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You cannot use this command here."
    if isinstance(error, app_commands.TransformerError):
        return f"I could not understand {error.value!r} for that option."
    return None


async def report_error(
    interaction: discord.Interaction[discord.Client], error: BaseException
) -> None:
    """Answer ``interaction`` ephemerally with what went wrong; log bugs with their traceback."""
    message = user_message(error)
    if message is None:
        command = interaction.command.qualified_name if interaction.command else "component"
        log.error(
            "Unexpected error in %s (interaction %s)", command, interaction.id, exc_info=error
        )
        message = APOLOGY
    try:
        if interaction.response.is_done():
            await interaction.followup.send(error_text(message), ephemeral=True)
        else:
            await interaction.response.send_message(error_text(message), ephemeral=True)
    except discord.HTTPException:
        log.warning("Could not tell the user about an error in interaction %s", interaction.id)
