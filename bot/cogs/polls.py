"""Stance polls: ``/poll add``, ``/poll list``, ``/poll remove``, and the buttons' answers.

An organizer attaches a proposition to an installment not posted yet (the next one, or the one
holding a passage); that post's thread carries it with Agree/Unsure/Disagree buttons, and the
next post's thread asks again "where do you stand now?". The buttons are dynamic items
(:class:`~bot.discord.polls.PollButton`): they keep working after a restart.
"""

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import ReadingGroupBot
from bot.core.group import Group, progress
from bot.core.pages import paginate
from bot.core.plan import installment_holding
from bot.core.polls import PollError, open_phase, proposition_text
from bot.discord.organizers import channel_group
from bot.discord.polls import PollButton
from bot.discord.render import CONTENT_LIMIT, NO_PINGS, reference_choices
from bot.storage.polls import add_poll, group_polls, posted_keys, remove_poll

_STATUS = {
    "before": "open: before the discussion",
    "after": "open: after reading",
    None: "not open",
}


class PollsCog(commands.Cog, name="Polls"):
    """Propositions members take a stance on, before and after an installment."""

    poll = app_commands.Group(
        name="poll",
        description="Stance polls: a proposition members answer before and after an installment",
        guild_only=True,
    )

    def __init__(self, bot: ReadingGroupBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PollButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(PollButton)

    async def _group(self, interaction: discord.Interaction, *, organizer: bool = True) -> Group:
        return await channel_group(self.bot.db, interaction, organizer=organizer)

    @poll.command(name="add")
    @app_commands.describe(
        proposition="the statement members agree or disagree with, up to 200 characters",
        reference="a passage of the installment to attach it to (default: the next one posted)",
    )
    async def add(
        self, interaction: discord.Interaction, proposition: str, reference: str | None = None
    ) -> None:
        """Attach a proposition to an installment not posted yet: organizers only."""
        group = await self._group(interaction)
        text = proposition_text(proposition)
        async with self.bot.poster.lock(group.channel_id):
            group = await self._group(interaction)
            installments = self.bot.plans.installments(group, self.bot.library)
            done = progress(group, installments)
            if reference is None:
                if done >= len(installments):
                    raise PollError("The plan is finished: there is no installment to poll on.")
                index = done
            else:
                index = installment_holding(self.bot.library, installments, reference)
                if index < done:
                    raise PollError(
                        f"{installments[index].citation} is posted already: attach the poll to "
                        "an installment still to come."
                    )
            installment = installments[index]
            poll = await add_poll(
                self.bot.db,
                group.channel_id,
                installment.key,
                text,
                created_by=interaction.user.id,
                now=self.bot.clock(),
            )
        await interaction.response.send_message(
            f"Poll {poll.id} attached to {installment.citation}: its post will ask members where "
            "they stand, and the next post will ask again.",
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    @add.autocomplete("reference")
    async def add_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return reference_choices(self.bot.library, current)

    @poll.command(name="list")
    async def list_(self, interaction: discord.Interaction) -> None:
        """The group's polls, newest first, with their installments and whether they are open."""
        group = await self._group(interaction, organizer=False)
        polls = await group_polls(self.bot.db, group.channel_id)
        if not polls:
            await interaction.response.send_message(
                "No polls yet. An organizer can add one with /poll add.", ephemeral=True
            )
            return
        keys = await posted_keys(self.bot.db, group.channel_id)
        blocks = [
            f"**{poll.id}.** {poll.installment_key}, "
            f"{_STATUS[open_phase(poll.installment_key, keys)]}:\n> {poll.proposition}"
            for poll in reversed(polls)
        ]
        pages = paginate(blocks, CONTENT_LIMIT - 100)
        more = "" if len(pages) == 1 else "\n\n(Older polls left out: remove some to see them.)"
        await interaction.response.send_message(
            pages[0] + more, ephemeral=True, allowed_mentions=NO_PINGS
        )

    @poll.command(name="remove")
    @app_commands.describe(poll="the poll's number, as /poll list shows it")
    async def remove(self, interaction: discord.Interaction, poll: int) -> None:
        """Remove a poll and its answers: organizers only."""
        group = await self._group(interaction)
        if not await remove_poll(self.bot.db, group.channel_id, poll):
            raise PollError(f"This group has no poll {poll}: /poll list shows its polls.")
        await interaction.response.send_message(
            f"Removed poll {poll} and its answers; its buttons no longer take answers.",
            ephemeral=True,
        )


async def setup(bot: ReadingGroupBot) -> None:
    await bot.add_cog(PollsCog(bot))
