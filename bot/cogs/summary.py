"""The weekly summary on Discord: posted once per group and week by its own tick, and /summary.

One ``tasks.loop`` runs :meth:`Summaries.tick`: for every group with a summary time it asks
:func:`bot.core.summary.summary_due` which week's summary is due, and unless that week was
claimed already it builds the summary (read, :func:`bot.storage.summaries.read_week`, then
compute, :func:`bot.core.summary.summarize`), claims the
week in SQLite (``UNIQUE (channel_id, week)``), and only then posts it with its chart attached,
confirming after. After downtime the latest missed summary goes out once, marked late. A claim
left unconfirmed (a crash between sending and confirming) is reconciled first: the channel's
recent history is searched for the summary's footer marker, and it is sent again only if it is
not there. A quiet week (nothing posted, nobody replied) of a finished or paused plan is passed
over. One group's failure is logged once and retried later, with backoff; the others go on.

``/summary [week]``: organizers (the same check as /plan) preview this or any week ephemerally,
with a button to post it; members see the last summary posted. The chart is drawn in a worker
thread; if drawing fails, the summary goes out as text.
"""

import asyncio
import datetime as dt
import io
import logging
from typing import Any

import discord
from discord import app_commands

from bot.client import ReadingGroupBot
from bot.core.errors import PlanError, ReadingGroupError
from bot.core.group import Group
from bot.core.schedule import DEFAULT_GRACE
from bot.core.summary import (
    IsoWeek,
    SummarySettings,
    WeeklySummary,
    default_week,
    parse_summary_marker,
    parse_week,
    question_numbers,
    summarize,
    summary_due,
    summary_marker,
)
from bot.discord.chart import try_render_chart
from bot.discord.organizers import NO_PLAN, group_channel_id, is_organizer
from bot.discord.render import (
    NO_PINGS,
    SUMMARY_CHART_FILE,
    Outgoing,
    discord_link,
    discord_timestamp,
    summary_message,
)
from bot.discord.ticking import GroupTick, history_since, missing_permissions
from bot.discord.views import OwnedView
from bot.storage.groups import get_group
from bot.storage.summaries import read_week
from bot.storage.summary_posts import (
    SummaryPost,
    claim_summary,
    confirm_summary,
    last_summary,
    pass_summary,
    summary_post,
    summary_posts_of,
    unconfirmed_summaries,
)

log = logging.getLogger(__name__)

#: What the bot needs in the channel to post a summary (the chart also needs Attach Files).
NEEDED_PERMISSIONS = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "read_message_history": "Read Message History",
}


class SummaryBlocked(ReadingGroupError):
    """The bot lacks a permission to post the summary in the group's channel."""


class Summaries(GroupTick):
    """Posts each group's weekly summary once, and shows it with /summary."""

    log = log
    what = "the weekly summary"
    expected = (ReadingGroupError, discord.HTTPException)

    def wants(self, group: Group) -> bool:
        return group.summary is not None

    async def run_group(self, channel_id: int) -> discord.Message | None:
        """Finish the group's unconfirmed summary, then post the due one if its week is not
        claimed yet. Returns the message posted now, if any."""
        async with self.lock(channel_id):
            group = await get_group(self.bot.db, channel_id)
            if group is None or group.retired or group.summary is None:
                return None
            now = self.bot.clock()
            if not self.backoff.ready(channel_id, now):
                return None
            channel = self.channel(group)
            sent = await self._run(channel, group, now)
            self.backoff.succeeded(channel_id)
            return sent

    async def _run(
        self, channel: discord.TextChannel, group: Group, now: dt.datetime
    ) -> discord.Message | None:
        assert group.summary is not None
        sent = None
        unconfirmed = await unconfirmed_summaries(self.bot.db, group.channel_id)
        if self.held_elsewhere(group, (claim.lease for claim in unconfirmed), now):
            return None
        for pending in unconfirmed:
            self._check(channel)
            sent = await self._reconcile(channel, group, pending, now) or sent
        found = summary_due(group.summary, plan_start=group.start, now=now)
        if found is None or await summary_post(self.bot.db, group.channel_id, found.week):
            return sent
        weekly = await self.build(group, found.week, now, guild_id=channel.guild.id)
        progress = weekly.summary.progress
        if weekly.summary.quiet and (progress.next is None or progress.paused):
            reason = "a quiet week of a finished plan" if progress.next is None else "paused"
            await pass_summary(
                self.bot.db, group.channel_id, found.week, slot=found.slot, reason=reason, now=now
            )
            log.info("Group %s: no summary for %s (%s)", group.name, found.week, reason)
            return sent
        self._check(channel)
        claim = await claim_summary(
            self.bot.db,
            group.channel_id,
            found.week,
            slot=found.slot,
            kind="scheduled",
            now=now,
            owner=self.bot.owner,
        )
        if claim is None:
            return sent
        log.info("Group %s: claimed the summary of %s", group.name, found.week)
        return await self._send(channel, claim, weekly, now)

    async def build(
        self, group: Group, week: IsoWeek, now: dt.datetime, *, guild_id: int | None
    ) -> WeeklySummary:
        """The summary of ``week`` for ``group`` as things stand at ``now``.

        Raises:
            PlanError: a reading of the plan is no longer in the library.
        """
        await self.bot.reply_log.flush()  # replies still queued count too
        library = self.bot.library
        settings = SummarySettings(
            min_group_size=self.bot.settings.summary_min_group_size,
            leaderboard=self.bot.settings.summary_leaderboard,
        )
        data = await read_week(
            self.bot.db,
            group,
            week,
            names=question_numbers,
            guild_id=guild_id,
            min_group_size=settings.min_group_size,
        )
        return summarize(
            data,
            week,
            installments=self.bot.plans.installments(group, library),
            now=now,
            settings=settings,
            titles={reading.slug: reading.display_title for reading in library},
        )

    async def _reconcile(
        self, channel: discord.TextChannel, group: Group, claim: SummaryPost, now: dt.datetime
    ) -> discord.Message | None:
        """Confirm an unconfirmed claim whose summary is in the channel, or send it now."""
        found = await self._find(channel, claim)
        if found is not None:
            log.info("Group %s: the summary of %s was posted already", group.name, claim.week)
            late = claim.kind == "scheduled" and found.created_at - claim.slot > DEFAULT_GRACE
            await confirm_summary(self.bot.db, claim.id, message_id=found.id, late=late, now=now)
            return None
        log.info("Group %s: sending the claimed summary of %s", group.name, claim.week)
        weekly = await self.build(group, claim.week, now, guild_id=channel.guild.id)
        return await self._send(channel, claim, weekly, now)

    async def _find(
        self, channel: discord.TextChannel, claim: SummaryPost
    ) -> discord.Message | None:
        """The claimed summary in the channel's recent history (by its marker), or None."""
        assert self.bot.user is not None
        wanted = (claim.channel_id, claim.week)
        # The summary is newer than the group's previous one.
        earlier = [
            p.message_id
            for p in await summary_posts_of(self.bot.db, claim.channel_id)
            if p.message_id is not None and p.id != claim.id
        ]
        history = history_since(channel, earlier)
        async for message in history:
            if message.author.id != self.bot.user.id:
                continue
            if any(parse_summary_marker(e.footer.text or "") == wanted for e in message.embeds):
                return message
        return None

    async def _send(
        self,
        channel: discord.TextChannel,
        claim: SummaryPost,
        weekly: WeeklySummary,
        now: dt.datetime,
    ) -> discord.Message:
        """Send the claimed summary with its chart (text only if drawing fails or the bot may
        not attach files), then confirm it."""
        late = claim.kind == "scheduled" and now - claim.slot > DEFAULT_GRACE
        chart = None  # text only without Attach Files, rather than a refused message
        if channel.permissions_for(channel.guild.me).attach_files:
            chart = await render(weekly)
        outgoing = summary_message(
            weekly.summary,
            chart=chart is not None,
            marker=summary_marker(claim.channel_id, claim.week),
            late_since=claim.slot if late else None,
        )
        message = await channel.send(
            content=outgoing.content,
            embeds=list(outgoing.embeds),
            files=chart_files(chart),
            allowed_mentions=outgoing.allowed_mentions,
        )
        await confirm_summary(self.bot.db, claim.id, message_id=message.id, late=late, now=now)
        log.info("Summary of %s posted in #%s as %s", claim.week, channel.name, message.id)
        return message

    async def post_preview(
        self, channel_id: int, week: IsoWeek
    ) -> tuple[discord.Message | None, SummaryPost | None]:
        """Post a previewed summary now (/summary's button), claiming its week.

        The summary is built again from the log as it is now, not taken from the preview: a
        member who deleted a reply, opted out or asked to be forgotten since the organizer
        looked is neither quoted nor counted in what goes public.

        Returns:
            The message posted, or None and the existing claim when the week was taken.
        """
        async with self.lock(channel_id):
            group = await get_group(self.bot.db, channel_id)
            if group is None:
                raise PlanError(NO_PLAN)
            channel = self.channel(group)
            self._check(channel)
            now = self.bot.clock()
            weekly = await self.build(group, week, now, guild_id=channel.guild.id)
            claim = await claim_summary(
                self.bot.db,
                channel_id,
                week,
                slot=now,
                kind="manual",
                now=now,
                owner=self.bot.owner,
            )
            if claim is None:
                return None, await summary_post(self.bot.db, channel_id, week)
            return await self._send(channel, claim, weekly, now), claim

    # --- /summary ------------------------------------------------------------------------------

    @app_commands.command(name="summary")
    @app_commands.guild_only()
    @app_commands.describe(
        week="a week such as 2026-W47, or a day in it (default: the week of the next summary)"
    )
    async def summary(self, interaction: discord.Interaction, week: str | None = None) -> None:
        """The weekly summary: organizers preview any week and post it, members see the last one."""
        group = await get_group(self.bot.db, group_channel_id(interaction))
        if group is None or group.retired:
            raise PlanError(NO_PLAN)
        chosen = parse_week(week) if week else None
        if is_organizer(interaction, group):
            await self._preview(interaction, group, chosen)
        else:
            await self._show_posted(interaction, group, chosen)

    async def _preview(
        self, interaction: discord.Interaction, group: Group, week: IsoWeek | None
    ) -> None:
        channel = self.channel(group)
        now = self.bot.clock()
        week = week or default_week(group.summary, now, group.cadence.tz)
        await interaction.response.defer(ephemeral=True, thinking=True)
        weekly = await self.build(group, week, now, guild_id=channel.guild.id)
        chart = await render(weekly)
        claim = await summary_post(self.bot.db, group.channel_id, week)
        view = None
        if claim is None:
            note = f"Preview of the summary of {week}, only you can see it."
            tz = group.cadence.tz
            if group.summary is not None and week >= default_week(group.summary, now, tz):
                note += " Posting it now takes the place of its scheduled summary."
            view = PostSummaryView(self, owner_id=interaction.user.id, channel=channel, week=week)
        else:
            note = f"Preview of {week}. {self.claim_note(claim, channel)}"
        outgoing = summary_message(weekly.summary, chart=chart is not None)
        await interaction.followup.send(
            content=note,
            embeds=list(outgoing.embeds),
            files=chart_files(chart),
            view=view or discord.utils.MISSING,
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )
        if view is not None:
            view.message = await interaction.original_response()

    def claim_note(self, claim: SummaryPost, channel: discord.TextChannel) -> str:
        """What became of a week already claimed, for the organizer."""
        if claim.passed is not None:
            return f"No summary was posted for that week ({claim.passed})."
        if claim.message_id is None:
            return "Its summary is being posted right now."
        link = discord_link(channel.guild.id, channel.id, claim.message_id)
        return f"Its summary was posted already: {link}"

    async def _show_posted(
        self, interaction: discord.Interaction, group: Group, week: IsoWeek | None
    ) -> None:
        claim = (
            await summary_post(self.bot.db, group.channel_id, week)
            if week is not None
            else await last_summary(self.bot.db, group.channel_id)
        )
        if claim is None or claim.message_id is None or claim.posted_at is None:
            last = await last_summary(self.bot.db, group.channel_id)
            hint = f" The last one is of {last.week}: run /summary without a week." if last else ""
            what = f"of {week} was" if week is not None else "has been"
            raise PlanError(
                f"No weekly summary {what} posted in this channel.{hint} Organizers can "
                "preview any week."
            )
        channel = self.channel(group)
        link = discord_link(channel.guild.id, channel.id, claim.message_id)
        note = (
            f"The summary of {claim.week}, posted {discord_timestamp(claim.posted_at, 'f')}: {link}"
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        outgoing, chart = await self._posted_message(channel, group, claim)
        await interaction.followup.send(
            content=note,
            embeds=list(outgoing.embeds),
            files=chart_files(chart),
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    async def _posted_message(
        self, channel: discord.TextChannel, group: Group, claim: SummaryPost
    ) -> tuple[Outgoing, bytes | None]:
        """The posted summary as it is in the channel; rebuilt as it was when posted if the
        message is gone."""
        assert claim.message_id is not None and claim.posted_at is not None
        try:
            message = await channel.fetch_message(claim.message_id)
        except (discord.NotFound, discord.Forbidden):  # deleted, or history out of reach
            message = None
        if message is not None and message.embeds:
            embeds = [discord.Embed.from_dict(e.to_dict()) for e in message.embeds]
            image = next((a for a in message.attachments if a.filename == SUMMARY_CHART_FILE), None)
            for embed in embeds:
                if (embed.image.url or "").startswith("attachment://"):
                    if image is None:
                        embed.set_image(url=None)
                    else:
                        embed.set_image(url=image.url)
            return Outgoing(None, tuple(embeds), NO_PINGS), None
        weekly = await self.build(group, claim.week, claim.posted_at, guild_id=channel.guild.id)
        chart = await render(weekly)
        return summary_message(weekly.summary, chart=chart is not None), chart

    # --- helpers -------------------------------------------------------------------------------

    def _check(self, channel: discord.TextChannel) -> None:
        missing = missing_permissions(channel, NEEDED_PERMISSIONS)
        if missing:
            raise SummaryBlocked(
                f"I need the {', '.join(missing)} permission{'s' * (len(missing) > 1)} in "
                f"#{channel.name} to post the weekly summary"
            )


async def render(weekly: WeeklySummary) -> bytes | None:
    """The chart as PNG, drawn in a worker thread; None if drawing failed (logged)."""
    return await asyncio.to_thread(try_render_chart, weekly.chart)


def chart_files(chart: bytes | None) -> list[discord.File]:
    """The chart as the attachment the summary's embed shows, or nothing."""
    if chart is None:
        return []
    return [discord.File(io.BytesIO(chart), filename=SUMMARY_CHART_FILE)]


class PostSummaryView(OwnedView):
    """The button under an organizer's preview: post this summary in the channel."""

    def __init__(
        self, cog: Summaries, *, owner_id: int, channel: discord.TextChannel, week: IsoWeek
    ) -> None:
        super().__init__(owner_id=owner_id)
        self.cog, self.channel, self.week = cog, channel, week
        self.post.label = f"Post in #{channel.name}"[:80]

    @discord.ui.button(label="Post", style=discord.ButtonStyle.primary, custom_id="summary:post")
    async def post(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.defer()
        message, claim = await self.cog.post_preview(self.channel.id, self.week)
        button.disabled = True
        if message is not None:
            text = f"Posted the summary of {self.week}: {message.jump_url}"
        else:
            note = self.cog.claim_note(claim, self.channel) if claim else "its week is taken."
            text = f"Not posted: {note}"
        await interaction.edit_original_response(content=text, view=self)
        self.stop()


async def setup(bot: ReadingGroupBot) -> None:
    await bot.add_cog(Summaries(bot))
