"""Stance polls: a proposition attached to one installment, answered before and after.

A member answers agree, unsure or disagree while the poll's installment is the group's latest
post (the *before* phase) and again while the next installment is (the *after* phase: that
post asks "where do you stand now?"). After that the poll is closed. The weekly summary shows
the shift as counts only, and a phase's counts only when at least the minimum group size
answered in it, so no count can point at one member.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from bot.core.errors import ReadingGroupError

Phase = Literal["before", "after"]
Stance = Literal["agree", "unsure", "disagree"]
PHASES: tuple[Phase, ...] = get_args(Phase)
STANCES: tuple[Stance, ...] = get_args(Stance)

#: Characters of a proposition: it is shown in a post, a button row's message and the summary.
MAX_PROPOSITION = 200
#: The prefix of a poll button's custom_id: ``poll:<id>:<phase>:<stance>``.
CUSTOM_ID_PREFIX = "poll"


class PollError(ReadingGroupError):
    """A poll cannot be added, removed or answered as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class Poll:
    """A proposition attached to one installment of a group."""

    id: int
    channel_id: int
    installment_key: str
    proposition: str
    created_by: int | None


def proposition_text(text: str) -> str:
    """The proposition as stored: one line, trimmed, at most :data:`MAX_PROPOSITION` characters.

    Raises:
        PollError: it is empty or too long.
    """
    line = " ".join(text.split())
    if not line:
        raise PollError("The proposition is empty: write the statement members should weigh.")
    if len(line) > MAX_PROPOSITION:
        raise PollError(
            f"The proposition has {len(line)} characters; keep it to {MAX_PROPOSITION}."
        )
    return line


def open_phase(installment_key: str, posted_keys: Sequence[str]) -> Phase | None:
    """Which phase of a poll on ``installment_key`` is open.

    Args:
        installment_key: the poll's installment.
        posted_keys: the group's posted installments, oldest first.

    Returns:
        ``"before"`` while the installment is the latest post, ``"after"`` while the next one
        is, None before it is posted and once a later installment is out.
    """
    if installment_key not in posted_keys:
        return None
    distance = list(reversed(posted_keys)).index(installment_key)  # posts since its own
    if distance == 0:
        return "before"
    if distance == 1:
        return "after"
    return None


def custom_id(poll_id: int, phase: Phase, stance: Stance) -> str:
    """A poll button's custom_id: it names everything the answer needs, so it survives a
    restart without any state in memory."""
    return f"{CUSTOM_ID_PREFIX}:{poll_id}:{phase}:{stance}"


def parse_custom_id(value: str) -> tuple[int, Phase, Stance] | None:
    """The poll id, phase and stance of a poll button's custom_id; None for anything else."""
    parts = value.split(":")
    if len(parts) != 4 or parts[0] != CUSTOM_ID_PREFIX or not parts[1].isdigit():
        return None
    if parts[2] not in PHASES or parts[3] not in STANCES:
        return None
    return int(parts[1]), parts[2], parts[3]


@dataclass(frozen=True, slots=True)
class Tally:
    """How many members took each stance in one phase."""

    agree: int = 0
    unsure: int = 0
    disagree: int = 0

    @property
    def total(self) -> int:
        return self.agree + self.unsure + self.disagree


@dataclass(frozen=True, slots=True)
class Shift:
    """A poll's counts before and after; a phase is None when too few answered to show it."""

    proposition: str
    before: Tally | None
    after: Tally | None


def tally(stances: Iterable[Stance]) -> Tally:
    """Count the stances."""
    counts = dict.fromkeys(STANCES, 0)
    for stance in stances:
        counts[stance] += 1
    return Tally(**counts)


def shift(
    proposition: str, answers: Iterable[tuple[Phase, Stance]], *, min_group_size: int
) -> Shift | None:
    """The poll's shift, each phase shown only when at least ``min_group_size`` answered in it.

    Returns:
        None when neither phase can be shown.
    """
    by_phase: dict[Phase, list[Stance]] = {phase: [] for phase in PHASES}
    for phase, stance in answers:
        by_phase[phase].append(stance)
    shown = {
        phase: tally(stances) if len(stances) >= min_group_size else None
        for phase, stances in by_phase.items()
    }
    if shown["before"] is None and shown["after"] is None:
        return None
    return Shift(proposition, shown["before"], shown["after"])


def format_tally(counts: Tally | None) -> str:
    """``3 agree, 1 unsure, 1 disagree``; ``too few answers to show`` for a hidden phase."""
    if counts is None:
        return "too few answers to show"
    return f"{counts.agree} agree, {counts.unsure} unsure, {counts.disagree} disagree"


def format_shift(moved: Shift) -> str:
    """One poll's line in the weekly summary: ``before: ... → after: ...``."""
    return f"before: {format_tally(moved.before)} → after: {format_tally(moved.after)}"
