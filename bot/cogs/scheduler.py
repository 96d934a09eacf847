"""The posting tick: each group's due installment is posted exactly once, by the bot's poster.

One ``tasks.loop`` runs :meth:`Scheduler.tick`, which asks :func:`bot.core.schedule.due` what is
due for every group (time from ``bot.clock``) and has :attr:`bot.client.ReadingGroupBot.poster`
(:mod:`bot.discord.poster`) finish a claim left unconfirmed or claim and post the due slot,
under the poster's lock of the group. A group whose post is blocked (a missing permission, a
post Discord refused) waits for ``/plan resume`` or ``/plan reload``; other failures back off, so
nothing is retried in a tight loop. Every group's errors are caught and logged on their own, so
one broken group cannot stop the loop.
"""

import datetime as dt
import logging
from dataclasses import replace

from bot.client import ReadingGroupBot
from bot.core.errors import ReadingGroupError
from bot.core.group import Group
from bot.core.schedule import due
from bot.discord.poster import TRANSIENT, PostingBlocked
from bot.discord.ticking import GroupTick
from bot.storage.groups import get_group, posts_of, set_last_slot, unconfirmed_posts

log = logging.getLogger(__name__)


class Scheduler(GroupTick):
    """Posts each group's installments on schedule, exactly once."""

    log = log
    what = "the posting"
    expected = (ReadingGroupError, *TRANSIENT)

    async def run_group(self, channel_id: int) -> None:
        """Post the group's due installment, if any (and finish an unconfirmed post first)."""
        poster = self.bot.poster
        async with poster.lock(channel_id):
            group = await get_group(self.bot.db, channel_id)
            if group is None or group.retired or group.paused or group.blocked is not None:
                return
            now = self.bot.clock()
            if not self.backoff.ready(channel_id, now):
                return
            channel = self.channel(group)
            if group.last_slot is not None and group.last_slot > now:
                group = await self._clock_set_back(group, now)
            pending = await unconfirmed_posts(self.bot.db, channel_id)
            if self.held_elsewhere(group, (post.lease for post in pending), now):
                return
            try:
                if await poster.finish_unconfirmed(channel, group, pending, now):
                    # A post of an earlier slot went out only now: it is this round's post.
                    # The slots that passed meanwhile are not posted on top of it.
                    await self._pass_due_slots(channel_id, now)
                else:
                    found = due(
                        group.cadence, plan_start=group.start, last_slot=group.last_slot, now=now
                    )
                    if found is not None:
                        if found.missed:
                            log.info(
                                "Group %s: %d slots missed while the bot was down; posting the "
                                "latest, %s",
                                group.name,
                                found.missed,
                                found.slot,
                            )
                        await poster.post_new(channel, group, found.slot, "scheduled", now)
            except PostingBlocked as exc:
                await poster.block(channel, group, exc, now, tell=True)
                return
            self.backoff.succeeded(channel_id)

    async def _clock_set_back(self, group: Group, now: dt.datetime) -> Group:
        """The group's last slot is ahead of the clock: it was handled while the clock was
        ahead (a jump forward, since set right). Go back to the last slot posted before now, so
        the group goes on with the real schedule instead of waiting for the clock to catch up;
        the slot posted during the jump is not posted again when its time comes (it is claimed).
        """
        posts = await posts_of(self.bot.db, group.channel_id)
        last_slot = max(
            (p.slot for p in posts if p.kind == "scheduled" and p.slot <= now), default=None
        )
        log.warning(
            "Group %s: the last slot handled, %s, is ahead of the clock (%s), which must have been "
            "ahead then: going on from %s",
            group.name,
            group.last_slot,
            now,
            last_slot or "the plan's start",
        )
        await set_last_slot(self.bot.db, group.channel_id, last_slot, now=now)
        return replace(group, last_slot=last_slot)

    async def _pass_due_slots(self, channel_id: int, now: dt.datetime) -> None:
        group = await get_group(self.bot.db, channel_id)
        assert group is not None
        found = due(group.cadence, plan_start=group.start, last_slot=group.last_slot, now=now)
        if found is not None:
            await set_last_slot(self.bot.db, channel_id, found.slot, now=now)


async def setup(bot: ReadingGroupBot) -> None:
    await bot.add_cog(Scheduler(bot))
