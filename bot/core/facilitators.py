"""Facilitator rotation: who facilitates each installment, their prep packet and when it is due.

A group keeps an ordered rotation of member ids. Installment N (from 1) goes round robin to
``rotation[(N - 1) % len(rotation)]`` unless an organizer changed that turn (skip or swap), kept
as an override. Pure: the rotation, overrides and slots are parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.pages import clip
from bot.core.plan import Scheduled
from bot.core.summary import QuotedPassage
from bot.core.summary.catchup import CatchupItem

PACKET_LIMIT = 2000
"""The packet is one message: Discord's content limit."""

PACKET_LEAD = dt.timedelta(days=3)
"""How long before an installment's slot its facilitator gets the prep packet."""


def facilitator_of(
    number: int, rotation: Sequence[int], overrides: Mapping[int, int]
) -> int | None:
    """Who facilitates installment ``number`` (from 1), or None with an empty rotation."""
    if number in overrides:
        return overrides[number]
    if not rotation:
        return None
    return rotation[(number - 1) % len(rotation)]


def skipped_to(number: int, rotation: Sequence[int], overrides: Mapping[int, int]) -> int | None:
    """Who facilitates installment ``number`` once its facilitator passes: the next member of
    the rotation after them (them again in a rotation of one; None with an empty rotation)."""
    current = facilitator_of(number, rotation, overrides)
    if not rotation:
        return None
    if current not in rotation:
        return rotation[(number - 1) % len(rotation)]
    return rotation[(rotation.index(current) + 1) % len(rotation)]


def packet_due(slot: dt.datetime) -> dt.datetime:
    """When the facilitator of the installment posted at ``slot`` gets the prep packet."""
    return slot - PACKET_LEAD


def packets_due(
    items: Sequence[Scheduled],
    rotation: Sequence[int],
    overrides: Mapping[int, int],
    now: dt.datetime,
) -> list[tuple[Scheduled, int | None]]:
    """The coming installments (``items``, from the schedule preview) whose packet is due at
    ``now`` (less than :data:`PACKET_LEAD` before their slot), each with its facilitator: None
    when nobody facilitates it (the rotation emptied), so whoever had its packet is told."""
    due: list[tuple[Scheduled, int | None]] = []
    for item in items:
        if packet_due(item.slot) > now:
            break  # the items are in slot order
        if item.slot > now:
            due.append((item, facilitator_of(item.number, rotation, overrides)))
    return due


@dataclass(frozen=True, slots=True, kw_only=True)
class Packet:
    """What the facilitator of an installment gets three days before it.

    Attributes:
        group: the group's name.
        number, total: "installment 4 of 23".
        when: the installment's slot, as the group's local time.
        title, citation, source: the excerpt's reading title, citation and source link.
        questions: the discussion questions it will carry (as things stand).
        last: the last installment's discussion (open questions, ❓ points), if any.
        quoted: the passages most quoted since the last installment was posted.
    """

    group: str
    number: int
    total: int
    when: str
    title: str
    citation: str
    source: str | None
    questions: tuple[str, ...]
    last: CatchupItem | None
    quoted: tuple[QuotedPassage, ...] = ()


def packet_text(packet: Packet) -> str:
    """The packet as one message, within Discord's limit."""
    lines = [
        f"**Facilitator prep: {packet.group}**, installment {packet.number} of {packet.total}, "
        f"{packet.when}. Thank you for leading this one!",
        f"Excerpt: {packet.title}, {packet.citation}"
        + (f" (<{packet.source}>)" if packet.source else ""),
    ]
    if packet.questions:
        lines.append("Its questions:")
        lines += [f"{i}. {text}" for i, text in enumerate(packet.questions, 1)]
    last = packet.last
    if last is not None:
        replies = f"{last.replies} repl{'y' if last.replies == 1 else 'ies'}"
        lines.append(f"From the last discussion ({last.citation}, {replies}):")
        if last.questions:
            lines.append("Open questions:")
            lines += [f"- {q.text}" for q in last.questions]
        if last.stuck:
            lines.append("Where members marked ❓:")
            lines += [f"- {s.citation} (❓ {s.marks})" for s in last.stuck]
        if packet.quoted:
            lines.append("Most quoted:")
            lines += [f"- {q.citation} (quoted {q.times}×)" for q in packet.quoted]
        if not last.questions and not last.stuck and not packet.quoted:
            lines.append("No open questions, no quotes, and nobody marked ❓.")
    return clip("\n".join(lines), PACKET_LIMIT)
