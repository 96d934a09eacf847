"""Stance polls on Discord: the messages an installment's thread carries and their buttons.

A post's thread carries its own installment's poll (the *before* phase) and the previous
installment's (the *after* phase: "where do you stand now?"). The buttons are dynamic items
whose custom_id names the poll, phase and stance, so they keep working after a restart; a
press is checked against the posts (:func:`bot.core.polls.open_phase`) and answered
ephemerally. An opted-out member's answer is not stored, and they are told so.
"""

import datetime as dt
import logging
import re
from typing import Any

import discord

from bot.core.errors import ReadingGroupError
from bot.core.excerpts import Installment
from bot.core.polls import STANCES, Phase, Poll, PollError, Stance, custom_id, open_phase
from bot.core.questions import Prompts
from bot.discord.render import NO_PINGS
from bot.discord.tree import report_error
from bot.storage.connection import Connection
from bot.storage.polls import add_poll, answer_poll, get_poll, poll_for, posted_keys

log = logging.getLogger(__name__)

_LABELS: dict[Stance, tuple[str, discord.ButtonStyle]] = {
    "agree": ("Agree", discord.ButtonStyle.success),
    "unsure": ("Unsure", discord.ButtonStyle.secondary),
    "disagree": ("Disagree", discord.ButtonStyle.danger),
}
_SAID: dict[Stance, str] = {
    "agree": "you agree",
    "unsure": "you are unsure",
    "disagree": "you disagree",
}
_WHEN: dict[Phase, str] = {"before": "before the discussion", "after": "after reading"}
#: The thread's first messages searched for polls sent before a crash: the questions, the polls.
RECONCILE_HISTORY = 20
PRIVATE = "Only the counts are shown, in the weekly summary; never who answered."


class PollButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"poll:(?P<id>\d+):(?P<phase>before|after):(?P<stance>agree|unsure|disagree)",
):
    """One stance of one phase of a poll, for whoever presses it."""

    def __init__(self, poll_id: int, phase: Phase, stance: Stance) -> None:
        label, style = _LABELS[stance]
        super().__init__(
            discord.ui.Button(label=label, style=style, custom_id=custom_id(poll_id, phase, stance))
        )
        self.poll_id, self.phase, self.stance = poll_id, phase, stance

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> "PollButton":
        return cls(int(match["id"]), match["phase"], match["stance"])  # type: ignore[arg-type]

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        # discord.py only logs what a dynamic item raises: refusals go through the error funnel
        # here, so the member is answered.
        try:
            await self._answer(interaction)
        except Exception as exc:  # report_error tells the member, and logs a bug
            await report_error(interaction, exc)

    async def _answer(self, interaction: discord.Interaction[Any]) -> None:
        db: Connection = interaction.client.db
        poll = await get_poll(db, self.poll_id)
        if poll is None:
            raise ReadingGroupError("This poll was removed by an organizer.")
        if open_phase(poll.installment_key, await posted_keys(db, poll.channel_id)) != self.phase:
            raise ReadingGroupError(
                f"The {self.phase} answers of this poll are closed: answers are taken before "
                "the discussion and after reading, until the next installment is posted."
            )
        # The bot's clock, which the weekly summary's weeks are cut by.
        now = interaction.client.clock()
        stored = await answer_poll(
            db, poll.id, interaction.user.id, self.phase, self.stance, now=now
        )
        if not stored:
            raise ReadingGroupError(
                "You are opted out, so your answer was not stored. `/privacy opt-in` lets you "
                "answer again."
            )
        await interaction.response.send_message(
            f"Noted: {_SAID[self.stance]} ({_WHEN[self.phase]}). Press another button to "
            f"change it. {PRIVATE}",
            ephemeral=True,
        )


def poll_view(poll: Poll, phase: Phase) -> discord.ui.View:
    """The three stance buttons of ``poll``'s ``phase``."""
    view = discord.ui.View(timeout=None)
    for stance in _LABELS:
        view.add_item(PollButton(poll.id, phase, stance))
    return view


def poll_text(poll: Poll, phase: Phase) -> str:
    """The message above the buttons."""
    where = Installment.from_key(poll.installment_key).citation
    ask = (
        f"**Where do you stand?** Before discussing {where}:"
        if phase == "before"
        else f"**After reading {where}: where do you stand now?**"
    )
    return f"{ask}\n> {poll.proposition}\n{PRIVATE}"


async def thread_polls(
    db: Connection, channel_id: int, installment_key: str
) -> list[tuple[Poll, Phase]]:
    """What the thread of the post of ``installment_key`` carries, while that post is not
    confirmed yet: the previous installment's poll, asked again, and its own."""
    found: list[tuple[Poll, Phase]] = []
    keys = await posted_keys(db, channel_id)
    previous = await poll_for(db, channel_id, keys[-1]) if keys else None
    if previous is not None and previous.installment_key != installment_key:
        found.append((previous, "after"))
    current = await poll_for(db, channel_id, installment_key)
    if current is not None:
        found.append((current, "before"))
    return found


async def attach_file_poll(
    db: Connection,
    prompts: Prompts,
    channel_id: int,
    installment: Installment,
    *,
    now: dt.datetime,
) -> None:
    """Attach the prompt file's poll on ``installment`` (``polls:``), unless it has one: an
    organizer's, or this one attached before a crash."""
    found = prompts.poll_for(installment)
    if found is None or await poll_for(db, channel_id, installment.key) is not None:
        return
    try:
        await add_poll(db, channel_id, installment.key, found.proposition, created_by=None, now=now)
    except PollError:
        log.info("A poll was attached to %s meanwhile: the file's is not", installment.key)


async def send_polls(
    db: Connection,
    thread: discord.Thread,
    channel_id: int,
    installment_key: str,
    *,
    reconcile: bool,
) -> None:
    """Send the polls of the post of ``installment_key`` to its thread. When reconciling a
    post sent before a crash, only those whose buttons are not in the thread yet."""
    asked: set[str] = set()
    if reconcile:
        async for message in thread.history(limit=RECONCILE_HISTORY, oldest_first=True):
            asked.update(
                str(item.custom_id)
                for row in message.components
                if isinstance(row, discord.ActionRow)
                for item in row.children
                if isinstance(item, discord.Button)
            )
    for poll, phase in await thread_polls(db, channel_id, installment_key):
        if custom_id(poll.id, phase, STANCES[0]) not in asked:
            await thread.send(
                poll_text(poll, phase), view=poll_view(poll, phase), allowed_mentions=NO_PINGS
            )
