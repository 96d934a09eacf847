"""A reading group: a channel, its plan's settings, and where it has got to.

A group's settings come from ``/plan start`` or from groups.yaml (:func:`file_group`); both go
through :func:`planned_group`, which puts a :class:`~bot.core.plan.Plan` on a new or stored
group. Its progress is the key of the last installment done; :func:`progress` finds the place
again in the plan's installments as cut now. Storing groups is :mod:`bot.storage.groups`' part.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.core.excerpts import DEFAULT_WORD_TARGET, Installment
from bot.core.plan import DEFAULT_QUESTIONS, GroupConfig, Plan
from bot.core.posting import resume_index
from bot.core.quotes import QuoteCheck
from bot.core.readings import Library
from bot.core.replies import ReplyLogMode
from bot.core.schedule import Cadence


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    """A group's settings and where it has got to.

    Attributes:
        channel_id: the channel it reads in (its identity).
        guild_id: the server, when known (groups.yaml does not name it).
        name: a short name, e.g. for ``reading-group plan --group``.
        declared_at: ``groups.yaml:12`` for a group of the file, None for one of /plan start.
        readings, cadence, start, word_target, questions_per_post, ping_role_id,
            organizer_role_id, summary: the plan (see :class:`bot.core.plan.Plan`).
        created_by: the user who ran /plan start, told when posting is blocked.
        file_paused: groups.yaml says ``paused: true``.
        paused_at: when /plan pause stopped it, or None.
        retired: dropped from groups.yaml (kept for its history, never posted).
        done_key: the key of the last installment done, or None before the first.
        done_count: how many were done (a fallback if the key cannot be found again).
        last_slot: scheduled slots up to this instant are handled (the last one posted, or
            when /plan resume or /plan goto picked up after a pause or a clock set back).
        blocked: why posting is stopped (a missing permission, a post Discord refused) until
            /plan resume or a reload.
        reply_log: what the discussion log keeps: the replies' text, their counts, or nothing.
        quote_check: what the bot does when a logged reply quotes the library.
    """

    channel_id: int
    name: str
    readings: tuple[str, ...]
    cadence: Cadence
    start: dt.datetime
    guild_id: int | None = None
    declared_at: str | None = None
    word_target: int = DEFAULT_WORD_TARGET
    questions_per_post: int = DEFAULT_QUESTIONS
    ping_role_id: int | None = None
    organizer_role_id: int | None = None
    summary: Cadence | None = None
    created_by: int | None = None
    file_paused: bool = False
    paused_at: dt.datetime | None = None
    retired: bool = False
    done_key: str | None = None
    done_count: int = 0
    last_slot: dt.datetime | None = None
    blocked: str | None = None
    reply_log: ReplyLogMode = "content"
    quote_check: QuoteCheck = "react"

    @property
    def paused(self) -> bool:
        """Stopped by /plan pause or by ``paused: true`` in groups.yaml."""
        return self.file_paused or self.paused_at is not None

    @property
    def from_file(self) -> bool:
        """Declared in groups.yaml (whose settings win over /plan start)."""
        return self.declared_at is not None

    def plan(self) -> Plan:
        """The group's reading plan."""
        return Plan(
            readings=self.readings,
            cadence=self.cadence,
            start=self.start,
            word_target=self.word_target,
            questions_per_post=self.questions_per_post,
            ping_role_id=self.ping_role_id,
            organizer_role_id=self.organizer_role_id,
            summary=self.summary,
        )


def progress(group: Group, installments: Sequence[Installment]) -> int:
    """How many of ``installments`` (the group's plan as cut now) the group has done.

    See :func:`bot.core.posting.resume_index` for how the place is found again after a cut.
    """
    return resume_index(installments, group.done_key, group.done_count)


def planned_group(
    existing: Group | None,
    plan: Plan,
    *,
    channel_id: int,
    name: str,
    declared_at: str | None,
    reply_log: ReplyLogMode,
    quote_check: QuoteCheck = "react",
    file_paused: bool = False,
    guild_id: int | None = None,
    created_by: int | None = None,
) -> Group:
    """The group of ``channel_id`` reading ``plan``, with these settings.

    Args:
        existing: the group stored for the channel, if any: its progress, pause and block
            state are kept (and its server and creator when none is given); a retired group
            comes back.
        plan: the plan's settings, all of them replacing the stored ones.
        channel_id: the group's channel.
        name, declared_at, reply_log, quote_check, file_paused: as in :class:`Group`.
        guild_id: the server, when known.
        created_by: who starts a new group (an existing group keeps its creator).
    """
    base = existing or Group(
        channel_id=channel_id,
        name=name,
        readings=plan.readings,
        cadence=plan.cadence,
        start=plan.start,
        created_by=created_by,
    )
    return replace(
        base,
        guild_id=guild_id if guild_id is not None else base.guild_id,
        name=name,
        declared_at=declared_at,
        readings=plan.readings,
        cadence=plan.cadence,
        start=plan.start,
        word_target=plan.word_target,
        questions_per_post=plan.questions_per_post,
        ping_role_id=plan.ping_role_id,
        organizer_role_id=plan.organizer_role_id,
        summary=plan.summary,
        file_paused=file_paused,
        retired=False,
        reply_log=reply_log,
        quote_check=quote_check,
    )


def file_group(
    config: GroupConfig, library: Library, existing: Group | None, *, now: dt.datetime
) -> Group:
    """The group ``config`` declares, merged with what is stored for its channel.

    The file's settings win over stored ones (also over /plan start's); progress, pause and
    block state are kept. A plan without a ``start`` keeps the stored start, or starts ``now``;
    one without ``readings`` keeps the stored readings, or reads every reading of ``library``
    (which it then keeps: a reading added later joins only when the file names it).

    Raises:
        ContentError: a reading of ``config`` is not in ``library``.
    """
    if existing is None:
        plan = config.plan(library, default_start=now)
    else:
        plan = config.plan(library, default_start=existing.start, kept_readings=existing.readings)
    return planned_group(
        existing,
        plan,
        channel_id=config.channel_id,
        name=config.name,
        declared_at=f"{config.path}:{config.line}",
        reply_log=config.reply_log,
        quote_check=config.quote_check,
        file_paused=config.paused,
    )
