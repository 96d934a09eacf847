"""/plan: start a group's reading plan in a channel, see it, and steer it.

Run in the group's channel (or a thread of it). Changing commands are for organizers: members
with Manage Server, or with the group's organizer role; others get a polite refusal. Anyone may
see the schedule. When groups.yaml declares the channel, the file's settings win: /plan start
refuses and points at the file; the other commands work on every group.
"""

import datetime as dt
import io
import logging
import re
from dataclasses import replace
from typing import cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import ReadingGroupBot
from bot.core.errors import PlanError
from bot.core.excerpts import DEFAULT_WORD_TARGET
from bot.core.facilitators import facilitator_of, skipped_to
from bot.core.group import Group, planned_group, progress
from bot.core.plan import (
    DEFAULT_QUESTIONS,
    MAX_QUESTIONS,
    MAX_WORDS,
    MIN_WORDS,
    Plan,
    default_readings,
    format_moment,
    format_preview,
    installment_holding,
    parse_start_day,
    parse_summary,
    resolve_readings,
    schedule_preview,
    short_names,
    start_instant,
    summary_line,
)
from bot.core.quotes import QuoteCheck
from bot.core.readings import LibraryError
from bot.core.replies import ReplyLogMode
from bot.core.schedule import parse_cadence
from bot.discord.organizers import (
    channel_group,
    check_roles,
    group_channel_id,
    is_organizer,
    refusal,
)
from bot.discord.render import (
    COLOUR,
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    NO_PINGS,
    error_text,
    reference_choices,
)
from bot.storage.facilitators import (
    add_facilitator,
    remove_facilitator,
    rotation,
    set_turn,
    turns,
)
from bot.storage.groups import (
    UnreadableGroup,
    get_group,
    pause_group,
    resume_group,
    save_group,
    set_last_slot,
    set_progress,
    unconfirmed_posts,
)

log = logging.getLogger(__name__)


class PlanCog(commands.Cog, name="Plan"):
    """The reading plan of the channel's group."""

    plan = app_commands.Group(
        name="plan",
        description="The reading plan of this channel: start it, see it, steer it",
        guild_only=True,
    )

    facilitators = app_commands.Group(
        name="facilitators",
        description="Who facilitates each installment: the group's rotation",
        parent=plan,
    )

    def __init__(self, bot: ReadingGroupBot) -> None:
        self.bot = bot

    async def _group(self, interaction: discord.Interaction, *, organizer: bool = True) -> Group:
        """The channel's group, after checking the member may use the command."""
        return await channel_group(self.bot.db, interaction, organizer=organizer)

    def _next_line(self, group: Group, *, done: int | None = None) -> str:
        """``Next: soic §5-8 (installment 2 of 23), Thu 7 Jan 2027 19:00 (Europe/Berlin).``"""
        installments = self.bot.plans.installments(group, self.bot.library)
        if done is None:
            done = progress(group, installments)
        preview = schedule_preview(
            group.plan(),
            installments,
            posted=done,
            now=self.bot.clock(),
            last_slot=group.last_slot,
        )
        if not preview.items:
            return f"All {preview.total} installments are done."
        item = preview.items[0]
        names = short_names(self.bot.library)
        part = item.installment
        citation = part.cite(names.get(part.slug, part.slug))
        return (
            f"Next: {citation} (installment {item.number} of {preview.total}), "
            f"{format_moment(item.slot, preview.tz)} ({preview.tz.key}). {summary_line(preview)}."
        )

    # --- organizer commands ----------------------------------------------------------------

    @plan.command(name="start")
    @app_commands.describe(
        schedule="weekdays and local time of the posts, e.g. mon,thu 19:00",
        timezone="IANA timezone of the schedule, e.g. Europe/Berlin (or add it to the schedule)",
        readings="reading slugs or aliases in order, comma-separated (default: kept, or all)",
        words=f"installment size in words (default {DEFAULT_WORD_TARGET})",
        questions=f"discussion questions per post (default {DEFAULT_QUESTIONS})",
        start="first day posts may happen, YYYY-MM-DD (default: today)",
        ping_role="a role to mention in each post (default: nobody)",
        organizer_role="a role that may run the organizer commands besides Manage Server",
        name="a short name for the group (default: the channel's name)",
        reply_log="what the discussion log keeps of replies (default: content)",
        summary="weekday and time of the weekly summary, e.g. sun 18:00, or off (default: off)",
        quote_check="when a reply quotes the library: react, reply, or off (default: react)",
    )
    @app_commands.choices(
        reply_log=[
            app_commands.Choice(
                name="content: the replies' text, for summary highlights", value="content"
            ),
            app_commands.Choice(name="counts: only who replied, when and how much", value="counts"),
            app_commands.Choice(name="off: nothing", value="off"),
        ],
        quote_check=[
            app_commands.Choice(name="react: a 📖 reaction on the reply", value="react"),
            app_commands.Choice(name="reply: a one-line reply with the citation", value="reply"),
            app_commands.Choice(name="off: nothing", value="off"),
        ],
    )
    async def start(
        self,
        interaction: discord.Interaction,
        schedule: str,
        timezone: str | None = None,
        readings: str | None = None,
        words: app_commands.Range[int, MIN_WORDS, MAX_WORDS] | None = None,
        questions: app_commands.Range[int, 0, MAX_QUESTIONS] | None = None,
        start: str | None = None,
        ping_role: discord.Role | None = None,
        organizer_role: discord.Role | None = None,
        name: str | None = None,
        reply_log: str | None = None,
        summary: str | None = None,
        quote_check: str | None = None,
    ) -> None:
        """Start (or change) this channel's reading plan: organizers only."""
        channel = interaction.channel
        if not isinstance(channel, discord.TextChannel):
            raise PlanError("Run /plan start in the text channel the group reads in.")
        try:
            existing = await get_group(self.bot.db, channel.id)
        except UnreadableGroup as exc:
            if exc.declared_at is not None:
                raise  # the file wins: it says to fix the group there
            existing = None  # starting again replaces the settings that cannot be read
        if not is_organizer(interaction, existing):
            raise refusal(interaction, existing)
        if existing is not None and existing.from_file and not existing.retired:
            raise PlanError(
                f"This channel's plan is declared in {existing.declared_at}, and the file wins "
                "over /plan start: change it there, then run /plan reload."
            )
        check_roles(interaction, existing, ping_role, organizer_role)
        library = self.bot.library
        cadence = parse_cadence(schedule, timezone=timezone.strip() if timezone else None)
        if readings:
            slugs = resolve_readings(library, [n for n in re.split(r"[,\s]+", readings) if n])
        elif existing is not None:
            slugs = existing.readings
        else:
            slugs = default_readings(library)
        now = self.bot.clock()
        if start:
            begin = start_instant(parse_start_day(start), cadence.tz)
        else:
            begin = existing.start if existing is not None else now
        # Options not given keep the stored group's settings (a new group's defaults).
        if existing is not None:
            current, current_name, current_log = existing.plan(), existing.name, existing.reply_log
            current_quotes = existing.quote_check
        else:
            current = Plan(readings=slugs, cadence=cadence, start=begin)
            current_name, current_log, current_quotes = channel.name, "content", "react"
        plan = replace(
            current,
            readings=slugs,
            cadence=cadence,
            start=begin,
            word_target=words if words is not None else current.word_target,
            questions_per_post=questions if questions is not None else current.questions_per_post,
            ping_role_id=ping_role.id if ping_role is not None else current.ping_role_id,
            organizer_role_id=(
                organizer_role.id if organizer_role is not None else current.organizer_role_id
            ),
            summary=parse_summary(summary, cadence.tz) if summary else current.summary,
        )
        group = planned_group(
            existing,
            plan,
            channel_id=channel.id,
            name=(name or "").strip() or current_name,
            declared_at=None,
            reply_log=cast(ReplyLogMode, reply_log) if reply_log else current_log,
            quote_check=cast(QuoteCheck, quote_check) if quote_check else current_quotes,
            guild_id=channel.guild.id,
            created_by=interaction.user.id,
        )
        self.bot.plans.installments(
            group, self.bot.library
        )  # a plan that cannot be cut is refused here
        async with self.bot.poster.lock(channel.id):
            group = await save_group(self.bot.db, group, now=now)
        self.bot.dispatch("log_targets_changed")  # the discussion log follows the new setting
        verb = "Changed" if existing is not None else "Started"
        lines = [
            f"{verb} the reading plan of {channel.mention}: {len(group.readings)} readings, "
            f"about {group.word_target} words per post, {group.questions_per_post} questions, "
            f"{group.cadence}.",
            self._next_line(group),
        ]
        missing = self.bot.poster.missing_permissions(channel)
        if (
            group.ping_role_id == channel.guild.id
            and not channel.permissions_for(channel.guild.me).mention_everyone
        ):
            missing.append("Mention Everyone (to ping @everyone)")
        if missing:
            lines.append(f"Before the first post, give me {', '.join(missing)} in this channel.")
        await interaction.response.send_message(
            "\n".join(lines), ephemeral=True, allowed_mentions=NO_PINGS
        )

    @plan.command(name="next")
    async def next_(self, interaction: discord.Interaction) -> None:
        """Post the next installment now: organizers only."""
        group = await self._group(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        message = await self.bot.poster.post_next(group.channel_id)
        await interaction.followup.send(
            f"Posted: {message.jump_url}", ephemeral=True, allowed_mentions=NO_PINGS
        )

    @plan.command(name="skip")
    async def skip(self, interaction: discord.Interaction) -> None:
        """Skip the next installment without posting it: organizers only."""
        group = await self._group(interaction)
        async with self.bot.poster.lock(group.channel_id):
            group = await self._group(interaction)
            installments = self.bot.plans.installments(group, self.bot.library)
            done = progress(group, installments)
            if done >= len(installments):
                raise PlanError("Nothing to skip: every installment of the plan is done.")
            skipped = installments[done]
            await set_progress(
                self.bot.db, group.channel_id, skipped.key, done + 1, now=self.bot.clock()
            )
            group = replace(group, done_key=skipped.key, done_count=done + 1)
        await interaction.response.send_message(
            f"Skipped {skipped.citation} (installment {done + 1} of {len(installments)}). "
            + self._next_line(group),
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    @plan.command(name="pause")
    async def pause(self, interaction: discord.Interaction) -> None:
        """Stop posting until /plan resume: organizers only."""
        group = await self._group(interaction)
        async with self.bot.poster.lock(group.channel_id):
            changed = await pause_group(self.bot.db, group.channel_id, now=self.bot.clock())
        text = (
            "Paused: no posts until an organizer runs /plan resume."
            if changed
            else "The plan was paused already: /plan resume starts it again."
        )
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)

    @plan.command(name="resume")
    async def resume(self, interaction: discord.Interaction) -> None:
        """Post again after a pause or a missing permission: organizers only."""
        group = await self._group(interaction)
        if group.file_paused:
            raise PlanError(
                f"{group.declared_at} says 'paused: true': set it to false there, then run "
                "/plan reload."
            )
        now = self.bot.clock()
        async with self.bot.poster.lock(group.channel_id):
            group = await self._group(interaction)
            last_slot = None
            if group.paused_at is not None or _ahead(group, now):
                # Slots that passed while paused are not posted now: the plan picks up at the
                # next one (unlike downtime, where the latest missed post goes out late). A
                # last slot ahead of the clock (handled while it was wrong) is set right too.
                last_slot = now
            await resume_group(self.bot.db, group.channel_id, now=now, last_slot=last_slot)
            was = group.paused_at is not None or group.blocked is not None
            group = replace(
                group, paused_at=None, blocked=None, last_slot=last_slot or group.last_slot
            )
        channel = self.bot.get_channel(group.channel_id)
        missing = (
            self.bot.poster.missing_permissions(channel)
            if isinstance(channel, discord.TextChannel)
            else []
        )
        lines = ["Resumed." if was else "The plan was running already.", self._next_line(group)]
        if missing:
            lines.append(f"I still lack {', '.join(missing)} in this channel.")
        await interaction.response.send_message(
            " ".join(lines), ephemeral=True, allowed_mentions=NO_PINGS
        )

    @plan.command(name="goto")
    @app_commands.describe(reference="the passage to continue from, e.g. soic §3")
    async def goto(self, interaction: discord.Interaction, reference: str) -> None:
        """Make the installment holding a passage the next one to post: organizers only."""
        group = await self._group(interaction)
        async with self.bot.poster.lock(group.channel_id):
            group = await self._group(interaction)
            installments = self.bot.plans.installments(group, self.bot.library)
            index = installment_holding(self.bot.library, installments, reference)
            done_key = installments[index - 1].key if index > 0 else None
            now = self.bot.clock()
            await set_progress(self.bot.db, group.channel_id, done_key, index, now=now)
            group = replace(group, done_key=done_key, done_count=index)
            if _ahead(group, now):  # handled while the clock was ahead: the plan goes on now
                await set_last_slot(self.bot.db, group.channel_id, now, now=now)
                group = replace(group, last_slot=now)
        await interaction.response.send_message(
            f"Moved the plan to {installments[index].citation}. " + self._next_line(group),
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    @goto.autocomplete("reference")
    async def goto_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return reference_choices(self.bot.library, current)

    @plan.command(name="status")
    async def status(self, interaction: discord.Interaction) -> None:
        """The plan's settings, progress and state: organizers only."""
        group = await self._group(interaction)
        installments = self.bot.plans.installments(group, self.bot.library)
        done = progress(group, installments)
        names = short_names(self.bot.library)
        if group.blocked is not None:
            state = f"Blocked: {group.blocked}. Fix it, then /plan resume."
        elif group.file_paused:
            state = f"Paused in {group.declared_at}."
        elif group.paused_at is not None:
            state = f"Paused since {format_moment(group.paused_at, group.cadence.tz)}."
        else:
            state = "Running."
        pending = await unconfirmed_posts(self.bot.db, group.channel_id)
        if pending:
            state += f" {len(pending)} post(s) claimed but not confirmed yet."
        source = (
            f"declared in {group.declared_at}"
            if group.from_file
            else "started with /plan start"
            + (f" by <@{group.created_by}>" if group.created_by else "")
        )
        embed = discord.Embed(title=f"Reading plan: {group.name}"[:256], colour=COLOUR)
        embed.description = f"<#{group.channel_id}>, {source}.\n{state}"
        embed.add_field(
            name="Readings", value=", ".join(names.get(s, s) for s in group.readings)[:1024]
        )
        embed.add_field(name="Schedule", value=str(group.cadence))
        embed.add_field(
            name="Posts",
            value=f"about {group.word_target} words, {group.questions_per_post} questions",
        )
        roles = []
        if group.ping_role_id == interaction.guild_id:
            roles.append("pings @everyone")
        elif group.ping_role_id:
            roles.append(f"pings <@&{group.ping_role_id}>")
        if group.organizer_role_id:
            roles.append(f"organizers <@&{group.organizer_role_id}>")
        embed.add_field(name="Roles", value=", ".join(roles) or "no ping, no organizer role")
        embed.add_field(
            name="Progress",
            value=f"{done} of {len(installments)} installments done",
            inline=False,
        )
        embed.add_field(name="Next", value=self._next_line(group, done=done)[:1024], inline=False)
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_PINGS
        )

    @plan.command(name="reload")
    async def reload(self, interaction: discord.Interaction) -> None:
        """Read readings, prompts and groups.yaml again without a restart: organizers only."""
        group = await get_group(self.bot.db, group_channel_id(interaction))
        if not is_organizer(interaction, group):
            raise refusal(interaction, group)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            content = await self.bot.reload_content()
        except LibraryError as exc:
            lines = [str(error) for error in exc.errors]
            text = "Nothing was reloaded; the running version stays until this is fixed:\n"
            await interaction.followup.send(
                error_text(text + "\n".join(lines)), ephemeral=True, allowed_mentions=NO_PINGS
            )
            return
        questions = len(content.prompts.questions)
        templates = len(content.prompts.templates)
        await interaction.followup.send(
            f"Reloaded {len(content.library)} readings, {questions} questions and {templates} "
            f"templates, and {len(content.groups)} groups from {self.bot.settings.groups_file}.",
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    # --- facilitator rotation ---------------------------------------------------------------

    async def _next_number(self, group: Group) -> int:
        """The number (from 1) of the next installment to post."""
        installments = self.bot.plans.installments(group, self.bot.library)
        done = progress(group, installments)
        if done >= len(installments):
            raise PlanError("Every installment of the plan is done: there is no turn to change.")
        return done + 1

    def _refuse_file_rotation(self, group: Group) -> None:
        """Refuse to change a rotation that groups.yaml declares: the file wins."""
        for config in self.bot.group_configs:
            if config.channel_id == group.channel_id and config.facilitators is not None:
                raise PlanError(
                    f"This group's facilitators are declared in {group.declared_at}: change "
                    "them there, then run /plan reload."
                )

    @facilitators.command(name="add")
    @app_commands.describe(member="the member who joins the rotation (last in line)")
    async def facilitators_add(
        self, interaction: discord.Interaction, member: discord.Member
    ) -> None:
        """Add a member to the facilitator rotation: organizers only."""
        group = await self._group(interaction)
        _refuse_bots(member)
        self._refuse_file_rotation(group)
        added = await add_facilitator(
            self.bot.db, group.channel_id, member.id, now=self.bot.clock()
        )
        text = (
            f"Added {member.mention} to the facilitator rotation."
            if added
            else f"{member.mention} is in the facilitator rotation already."
        )
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)

    @facilitators.command(name="remove")
    @app_commands.describe(member="the member who leaves the rotation")
    async def facilitators_remove(
        self, interaction: discord.Interaction, member: discord.User
    ) -> None:
        """Take a member out of the facilitator rotation: organizers only."""
        group = await self._group(interaction)
        self._refuse_file_rotation(group)
        removed = await remove_facilitator(self.bot.db, group.channel_id, member.id)
        text = (
            f"Took {member.mention} out of the facilitator rotation."
            if removed
            else f"{member.mention} is not in the facilitator rotation."
        )
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)

    @facilitators.command(name="list")
    async def facilitators_list(self, interaction: discord.Interaction) -> None:
        """The facilitator rotation and who facilitates the coming installments."""
        group = await self._group(interaction, organizer=False)
        members = await rotation(self.bot.db, group.channel_id)
        if not members:
            await interaction.response.send_message(
                "Nobody is in the facilitator rotation yet: volunteer with /facilitate, or an "
                "organizer adds members with /plan facilitators add.",
                ephemeral=True,
                allowed_mentions=NO_PINGS,
            )
            return
        changed = await turns(self.bot.db, group.channel_id)
        installments = self.bot.plans.installments(group, self.bot.library)
        done = progress(group, installments)
        preview = schedule_preview(
            group.plan(), installments, posted=done, now=self.bot.clock(), last_slot=group.last_slot
        )
        lines = [f"Rotation: {', '.join(f'<@{m}>' for m in members)}."]
        for item in preview.items[:_LISTED_TURNS]:
            who = facilitator_of(item.number, members, changed)
            lines.append(
                f"Installment {item.number}, {format_moment(item.slot, preview.tz)}: <@{who}>"
            )
        lines.append(
            "A change of the rotation keeps every turn whose prep packet went out (unless its "
            "facilitator leaves); the turns after are dealt again in rotation order."
        )
        await interaction.response.send_message(
            "\n".join(lines)[:CONTENT_LIMIT], ephemeral=True, allowed_mentions=NO_PINGS
        )

    @facilitators.command(name="skip")
    async def facilitators_skip(self, interaction: discord.Interaction) -> None:
        """The next installment's facilitator passes to the next in rotation: organizers only."""
        group = await self._group(interaction)
        members = await rotation(self.bot.db, group.channel_id)
        if not members:
            raise PlanError("Nobody is in the facilitator rotation: /plan facilitators add first.")
        number = await self._next_number(group)
        changed = await turns(self.bot.db, group.channel_id)
        before = facilitator_of(number, members, changed)
        after = skipped_to(number, members, changed)
        assert after is not None  # the rotation is not empty
        await set_turn(self.bot.db, group.channel_id, number, after)
        await interaction.response.send_message(
            f"<@{before}> passes installment {number}: <@{after}> facilitates it.",
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    @facilitators.command(name="swap")
    @app_commands.describe(member="the member who facilitates the next installment instead")
    async def facilitators_swap(
        self, interaction: discord.Interaction, member: discord.Member
    ) -> None:
        """Give the next installment to another member: organizers only."""
        group = await self._group(interaction)
        _refuse_bots(member)
        number = await self._next_number(group)
        await set_turn(self.bot.db, group.channel_id, number, member.id)
        await interaction.response.send_message(
            f"{member.mention} facilitates installment {number}.",
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    @app_commands.command(name="facilitate")
    @app_commands.guild_only()
    async def facilitate(self, interaction: discord.Interaction) -> None:
        """Volunteer to facilitate: join this group's facilitator rotation."""
        group = await self._group(interaction, organizer=False)
        self._refuse_file_rotation(group)
        added = await add_facilitator(
            self.bot.db, group.channel_id, interaction.user.id, now=self.bot.clock()
        )
        text = (
            "Thank you: you are last in this group's facilitator rotation. /plan facilitators "
            "list shows your turn."
            if added
            else "You are in this group's facilitator rotation already."
        )
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)

    # --- for everyone -----------------------------------------------------------------------

    @plan.command(name="schedule")
    async def schedule(self, interaction: discord.Interaction) -> None:
        """Every installment still to come with its date, and when the plan ends."""
        group = await self._group(interaction, organizer=False)
        installments = self.bot.plans.installments(group, self.bot.library)
        done = progress(group, installments)
        preview = schedule_preview(
            group.plan(), installments, posted=done, now=self.bot.clock(), last_slot=group.last_slot
        )
        text = format_preview(preview, names=short_names(self.bot.library))
        title = f"Schedule of {group.name} ({preview.tz.key})"[:256]
        paused = " The plan is paused: dates assume it resumes now." if group.paused else ""
        if len(text) + 8 <= DESCRIPTION_LIMIT:
            embed = discord.Embed(title=title, description=f"```\n{text}\n```", colour=COLOUR)
            if paused:
                embed.set_footer(text=paused.strip())
            await interaction.response.send_message(
                embed=embed, ephemeral=True, allowed_mentions=NO_PINGS
            )
            return
        summary = f"{summary_line(preview)}.{paused} Every installment is in the file."
        await interaction.response.send_message(
            summary[:CONTENT_LIMIT],
            file=discord.File(io.BytesIO(text.encode("utf-8")), filename="schedule.txt"),
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )


_LISTED_TURNS = 10
"""How many coming installments /plan facilitators list shows with their facilitator."""


def _refuse_bots(member: discord.Member) -> None:
    """A bot cannot facilitate a discussion (nor read its prep packet)."""
    if member.bot:
        raise PlanError(f"{member.display_name} is a bot: pick a member to facilitate.")


def _ahead(group: Group, now: dt.datetime) -> bool:
    """Whether the group's last slot is after ``now``: it was handled while the clock was ahead
    (a jump forward, since set right)."""
    return group.last_slot is not None and group.last_slot > now


async def setup(bot: ReadingGroupBot) -> None:
    await bot.add_cog(PlanCog(bot))
