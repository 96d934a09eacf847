"""/privacy: what the bot keeps about a member, opting out and in, export, and forget."""

import io
import json
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import ReadingGroupBot
from bot.discord.render import NO_PINGS, privacy_embed
from bot.discord.views import OwnedView
from bot.storage.replies import forget_member, member_data, set_opted_out

log = logging.getLogger(__name__)


class Privacy(commands.Cog):
    """Members' control over the discussion log."""

    privacy = app_commands.Group(
        name="privacy", description="What the bot keeps about you, and your choices"
    )

    def __init__(self, bot: ReadingGroupBot) -> None:
        self.bot = bot

    @privacy.command(name="info")
    async def info(self, interaction: discord.Interaction) -> None:
        """In plain words: what the bot keeps about you, and for how long."""
        opted_out = interaction.user.id in self.bot.reply_log.opted_out
        embed = privacy_embed(self.bot.settings.retention_days, opted_out=opted_out)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @privacy.command(name="opt-out")
    async def opt_out(self, interaction: discord.Interaction) -> None:
        """Stop logging your messages; you can also erase what is already kept."""
        await set_opted_out(self.bot.db, interaction.user.id, opted_out=True, now=self.bot.clock())
        self.bot.reply_log.opted_out.add(interaction.user.id)
        view = ForgetView(self, owner_id=interaction.user.id)
        await interaction.response.send_message(
            "Done: from now on your messages are not logged, and you are counted nowhere. "
            "Do you also want to erase what is already kept about you?",
            view=view,
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )
        view.message = await interaction.original_response()

    @privacy.command(name="opt-in")
    async def opt_in(self, interaction: discord.Interaction) -> None:
        """Let the bot log your replies again, to count them in the weekly summary."""
        # Discord's time of the request, as the messages' own: whatever was written before it,
        # while opted out, stays unlogged.
        changed = await set_opted_out(
            self.bot.db, interaction.user.id, opted_out=False, now=interaction.created_at
        )
        self.bot.reply_log.opted_out.discard(interaction.user.id)
        text = (
            "Welcome back: your replies in discussion threads are logged again."
            if changed
            else "You were not opted out: your replies are logged as the group set it up."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @privacy.command(name="export")
    async def export(self, interaction: discord.Interaction) -> None:
        """Get everything kept about you, as a JSON file only you can see."""
        await self._flush()
        data = await member_data(self.bot.db, interaction.user.id)
        payload = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        count = len(data["replies"])
        await interaction.response.send_message(
            f"Here is everything kept about you: {count} replies and "
            f"{len(data['reactions'])} reactions.",
            file=discord.File(
                io.BytesIO(payload), filename=f"reading-group-{interaction.user.id}.json"
            ),
            ephemeral=True,
        )

    @privacy.command(name="forget")
    async def forget(self, interaction: discord.Interaction) -> None:
        """Erase everything kept about you (asks you to confirm first)."""
        view = ForgetView(self, owner_id=interaction.user.id)
        await interaction.response.send_message(
            "This erases every reply and reaction of yours that the bot keeps, and none of the "
            "messages you wrote until now will ever be logged again. It cannot be undone. Are "
            "you sure?",
            view=view,
            ephemeral=True,
        )
        view.message = await interaction.original_response()

    async def erase(self, interaction: discord.Interaction) -> str:
        """Forget the member who pressed the button: what is kept, and what was not logged
        yet of what they wrote before (a catch-up after a restart or a resume re-reads it)."""
        user_id = interaction.user.id
        self.bot.reply_log.forget(user_id)
        await self._flush()
        # Discord's time of the request, as the messages' own: their log starts there.
        erased = await forget_member(self.bot.db, user_id, at=interaction.created_at)
        log.info("Forgot a member at their request (%d replies)", erased.replies)
        future = (
            "You are opted out: nothing you write is logged."
            if user_id in self.bot.reply_log.opted_out
            else "What you write from now on is logged as your group set it up: "
            "`/privacy opt-out` stops that."
        )
        return (
            f"Erased: {erased.replies} replies, {erased.reactions} reactions and "
            f"{erased.poll_answers} poll answers. Nothing you "
            "wrote until now will be logged again; only the time you asked is kept, to keep "
            f"that promise. {future}"
        )

    async def _flush(self) -> None:
        """Write what is queued, so export and forget see (and erase) everything."""
        await self.bot.reply_log.flush()


class ForgetView(OwnedView):
    def __init__(self, cog: Privacy, *, owner_id: int) -> None:
        super().__init__(owner_id=owner_id)
        self.cog = cog

    @discord.ui.button(
        label="Erase everything kept about me",
        style=discord.ButtonStyle.danger,
        custom_id="privacy:forget",
    )
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button["ForgetView"]
    ) -> None:
        message = await self.cog.erase(interaction)
        self.stop()
        await interaction.response.edit_message(content=message, view=None)

    @discord.ui.button(
        label="Keep it", style=discord.ButtonStyle.secondary, custom_id="privacy:keep"
    )
    async def cancel(
        self, interaction: discord.Interaction, button: discord.ui.Button["ForgetView"]
    ) -> None:
        self.stop()
        await interaction.response.edit_message(content="Nothing was erased.", view=None)


async def setup(bot: ReadingGroupBot) -> None:
    await bot.add_cog(Privacy(bot))
