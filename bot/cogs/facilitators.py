"""Facilitator prep packets: a tick sends each installment's facilitator a DM three days before
it, and a member whose DMs are closed gets it with their next slash command.

Who facilitates is the group's rotation (/plan facilitators, :mod:`bot.core.facilitators`); the
packet's last discussion is read and computed as /catchup does it
(:func:`bot.storage.summaries.read_span`, :func:`bot.core.summary.catchup.compute_catchup`), so
opted-out and forgotten members appear nowhere. Each packet is claimed in SQLite, per
installment and member, before it is sent: a restart neither repeats nor skips it. When an
organizer gives a turn whose packet went out to someone else (swap, skip, remove), the next tick
sends the packet to the new facilitator and tells the one who had it, once, that they no longer
facilitate it.
"""

import datetime as dt
import logging
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import ReadingGroupBot
from bot.core.citations import format_citation
from bot.core.errors import ReadingGroupError
from bot.core.facilitators import Packet, packet_text, packets_due
from bot.core.group import Group, progress
from bot.core.plan import Scheduled, format_moment, schedule_preview, short_names
from bot.core.summary import QuotedPassage, SummarySettings, question_numbers
from bot.core.summary.catchup import CatchupData, CatchupItem, compute_catchup
from bot.discord.render import NO_PINGS
from bot.discord.ticking import GroupTick
from bot.storage.facilitators import (
    claim_packet,
    has_held_packets,
    keep_packet,
    packet_delivered,
    release_packets,
    rotation,
    take_pending_packets,
    turns,
)
from bot.storage.groups import get_group, posts_of
from bot.storage.summaries import most_quoted, read_span

log = logging.getLogger(__name__)

#: What a member who had a packet is told: the turn went to another, to nobody, or came back.
Change = Literal["no longer", "nobody", "again"]

#: How many coming installments are looked at for a due packet (3 days hold a few at most).
LOOKAHEAD = 7


class Packets(GroupTick):
    """Sends the facilitator prep packets, once each."""

    log = log
    what = "the facilitator packets"
    expected = (ReadingGroupError, discord.HTTPException)

    def wants(self, group: Group) -> bool:
        return not group.paused

    async def run_group(self, channel_id: int) -> int:
        """Send the group's due packets. Returns how many were claimed now."""
        async with self.lock(channel_id):
            group = await get_group(self.bot.db, channel_id)
            if group is None or group.retired or group.paused:
                return 0
            now = self.bot.clock()
            if not self.backoff.ready(channel_id, now):
                return 0
            members = await rotation(self.bot.db, channel_id)
            changed = await turns(self.bot.db, channel_id)
            if not members and not changed and not await has_held_packets(self.bot.db, channel_id):
                return 0  # nobody facilitates, and nobody was told they do
            installments = self.bot.plans.installments(group, self.bot.library)
            done = progress(group, installments)
            preview = schedule_preview(
                group.plan(), installments, posted=done, now=now, last_slot=group.last_slot
            )
            claimed = 0
            for item, user_id in packets_due(preview.items[:LOOKAHEAD], members, changed, now):
                db, number = self.bot.db, item.number
                change: Change = "no longer" if user_id is not None else "nobody"
                for released in await release_packets(db, channel_id, number, user_id, now=now):
                    await self._tell(group, item, released, change)
                if user_id is None:  # the rotation emptied: nobody gets this packet
                    continue
                claim = await claim_packet(db, channel_id, number, user_id, now=now)
                if claim == "back":
                    await self._tell(group, item, user_id, "again")
                if claim != "new":
                    continue
                claimed += 1
                text = await self._packet(group, item, len(installments), done, now)
                await self._deliver(group, number, user_id, text, now)
            self.backoff.succeeded(channel_id)
            return claimed

    async def _packet(
        self, group: Group, item: Scheduled, total: int, done: int, now: dt.datetime
    ) -> str:
        """The packet of ``item`` as things stand: its questions as the post would choose them,
        and the last posted installment's discussion."""
        installments = self.bot.plans.installments(group, self.bot.library)
        coming = await self.bot.poster.upcoming(group, installments, done, item.number - done)
        last, quoted = await self._last_discussion(group, now)
        part = item.installment
        reading = self.bot.library[part.slug]
        names = short_names(self.bot.library)
        return packet_text(
            Packet(
                group=group.name,
                number=item.number,
                total=total,
                when=f"{format_moment(item.slot, group.cadence.tz)} ({group.cadence.tz.key})",
                title=reading.display_title,
                citation=part.cite(names.get(part.slug, part.slug)),
                source=reading.source or None,
                questions=tuple(q.text for q in coming[-1].questions) if coming else (),
                last=last,
                quoted=quoted,
            )
        )

    async def _last_discussion(
        self, group: Group, now: dt.datetime
    ) -> tuple[CatchupItem | None, tuple[QuotedPassage, ...]]:
        """The last posted installment's discussion so far, computed as /catchup does, and the
        passages most quoted since it was posted (as the weekly summary counts them)."""
        posted = [p for p in await posts_of(self.bot.db, group.channel_id) if p.posted_at]
        if not posted:
            return None, ()
        last = max(posted, key=lambda p: (p.number, p.id))
        assert last.posted_at is not None
        await self.bot.reply_log.flush()  # replies still queued count too
        span = await read_span(self.bot.db, group, last.posted_at, now, names=question_numbers)
        library = self.bot.library
        catchup = compute_catchup(
            CatchupData(span=span, why="asked"),
            installments=self.bot.plans.installments(group, library),
            now=now,
            settings=SummarySettings(min_group_size=self.bot.settings.summary_min_group_size),
        )
        item = next((i for i in catchup.items if i.number == last.number), None)
        rows = await most_quoted(self.bot.db, group.channel_id, last.posted_at, now)
        titles = {reading.slug: reading.display_title for reading in library}
        quoted = tuple(
            QuotedPassage(
                citation=format_citation(slug, paragraph),
                title=titles.get(slug, slug),
                times=times,
            )
            for slug, paragraph, times in rows
        )
        return item, quoted

    async def _deliver(
        self, group: Group, number: int, user_id: int, text: str, now: dt.datetime
    ) -> None:
        """DM the packet; if the member's DMs are closed, keep it for their next command and
        tell the organizers in the group's channel (naming nobody). Any other failure keeps it
        for their next command too, and is raised."""
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            await user.send(text, allowed_mentions=NO_PINGS)
        except (discord.Forbidden, discord.NotFound):
            await keep_packet(self.bot.db, group.channel_id, number, user_id, text)
            log.info("Group %s: packet %s kept for its facilitator (no DM)", group.name, number)
            await self.channel(group).send(
                f"Organizers: the facilitator of installment {number} does not take DMs from "
                "me, so they get their prep packet with their next command here. /plan "
                "facilitators list shows who it is.",
                allowed_mentions=NO_PINGS,
            )
            return
        except discord.HTTPException:
            # Claimed, so never sent again by DM: it waits for their next command instead, and
            # the failure is logged (and the group backed off) by the tick.
            await keep_packet(self.bot.db, group.channel_id, number, user_id, text)
            raise
        await packet_delivered(self.bot.db, group.channel_id, number, user_id, now=now)

    async def _tell(self, group: Group, item: Scheduled, user_id: int, change: Change) -> None:
        """DM a member who had the packet of ``item`` that its turn went to someone else (or
        to nobody: the rotation emptied), or came back to them. Tried once (claimed before):
        closed DMs or a failure are logged, and never retried."""
        when = format_moment(item.slot, group.cadence.tz)
        lost = f"**{group.name}**: you no longer facilitate installment {item.number} ({when})"
        thanks = "Thank you for being ready!"
        text = {
            "no longer": f"{lost}; an organizer gave it to someone else. {thanks}",
            "nobody": f"{lost}; the group has no facilitators for now. {thanks}",
            "again": f"**{group.name}**: you facilitate installment {item.number} ({when}) again; "
            "the prep packet you had still holds.",
        }[change]
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            await user.send(text, allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            log.info(
                "Group %s: cannot tell a facilitator of installment %s that the turn changed (%s)",
                group.name,
                item.number,
                exc,
            )

    @commands.Cog.listener()
    async def on_app_command_completion(
        self, interaction: discord.Interaction, command: app_commands.Command[Any, ..., Any]
    ) -> None:
        """Give a member the packets they could not get by DM, after their command's answer."""
        texts = await take_pending_packets(self.bot.db, interaction.user.id, now=self.bot.clock())
        for text in texts:
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)


async def setup(bot: ReadingGroupBot) -> None:
    await bot.add_cog(Packets(bot))
