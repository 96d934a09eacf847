"""A plan's preview: when each installment still to come is due, as text."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.excerpts import Installment
from bot.core.plan.model import Plan
from bot.core.readings import Library
from bot.core.schedule import format_time, slots

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class Scheduled:
    """One installment still to come and when it is due."""

    number: int  # 1-based position in the plan: "installment 4 of 23"
    installment: Installment
    slot: dt.datetime  # aware UTC


@dataclass(frozen=True, slots=True)
class Preview:
    """Every remaining installment with its slot.

    Attributes:
        total: installments in the whole plan.
        posted: installments already done (posted or skipped).
        items: the rest, in order, each with its slot.
        tz: the plan's timezone, for display.
    """

    total: int
    posted: int
    items: tuple[Scheduled, ...]
    tz: zoneinfo.ZoneInfo

    @property
    def ends(self) -> dt.datetime | None:
        """The slot of the last installment (aware UTC), or None when none remain."""
        return self.items[-1].slot if self.items else None


def schedule_preview(
    plan: Plan,
    installments: Sequence[Installment],
    *,
    posted: int,
    now: dt.datetime,
    last_slot: dt.datetime | None = None,
) -> Preview:
    """When each remaining installment will be posted if nothing changes.

    The first remaining installment gets the first slot at or after ``now`` (and after
    ``plan.start`` and ``last_slot``), the next one the slot after that, and so on. A paused
    group's preview is what happens if it is resumed now.

    Args:
        plan: the group's plan.
        installments: the plan's installments (:meth:`Plan.installments`).
        posted: how many of them are done (posted or skipped).
        now: the current instant (aware).
        last_slot: the slot of the last post, if any: the next one comes after it.

    Raises:
        ValueError: a naive datetime, or ``posted`` outside 0..len(installments).
    """
    if not 0 <= posted <= len(installments):
        raise ValueError(f"posted must be between 0 and {len(installments)}, not {posted}")
    if now.tzinfo is None:
        raise ValueError(f"now must be an aware datetime (UTC), not naive {now!r}")
    start = max(plan.start, now)
    if last_slot is not None:
        if last_slot.tzinfo is None:
            raise ValueError(f"last_slot must be aware (UTC), not naive {last_slot!r}")
        # A last slot ahead of now (handled while the clock was ahead) holds nothing back.
        start = max(start, min(last_slot, now) + dt.timedelta(microseconds=1))
    remaining = installments[posted:]
    items = tuple(
        Scheduled(posted + offset + 1, installment, slot)
        for offset, (installment, slot) in enumerate(
            zip(remaining, slots(plan.cadence, start), strict=False)
        )
    )
    return Preview(total=len(installments), posted=posted, items=items, tz=plan.tz)


def format_date(moment: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    """``Tue 3 Feb 2027``: the local date of ``moment`` in ``tz``, the same in every locale."""
    local = moment.astimezone(tz)
    return f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}"


def format_moment(moment: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    """``Tue 3 Feb 2027 19:00``: local date and time of ``moment`` in ``tz``."""
    return f"{format_date(moment, tz)} {format_time(moment.astimezone(tz).time())}"


def short_names(library: Library) -> dict[str, str]:
    """Each reading's shortest name (slug or alias) by slug, for compact listings."""
    return {r.slug: min((r.slug, *r.aliases), key=lambda n: (len(n), n)) for r in library}


def format_preview(preview: Preview, *, names: Mapping[str, str] | None = None) -> str:
    """The preview as text: one line per installment (columns aligned), then a summary::

         4  Tue 2 Feb 2027 19:00  soic §12-14 (612 words)
        ...
        23 installments, ends Tue 15 Jun 2027

    Args:
        preview: from :func:`schedule_preview`.
        names: how to show each reading's slug (e.g. :func:`short_names`); slugs by default.
    """
    names = names or {}
    width = len(str(preview.total))
    moments = [format_moment(item.slot, preview.tz) for item in preview.items]
    moment_width = max(map(len, moments), default=0)
    lines = []
    for item, moment in zip(preview.items, moments, strict=True):
        part = item.installment
        citation = part.cite(names.get(part.slug, part.slug))
        lines.append(
            f"{item.number:>{width}}  {moment:<{moment_width}}  "
            f"{citation} ({_plural(part.words, 'word')})"
        )
    lines.append(summary_line(preview))
    return "\n".join(lines)


def summary_line(preview: Preview) -> str:
    """``23 installments, ends Tue 3 Feb 2027`` (or ``..., all posted`` when none remain)."""
    count = _plural(preview.total, "installment")
    if preview.ends is None:
        return f"{count}, all posted" if preview.total else "no installments"
    return f"{count}, ends {format_date(preview.ends, preview.tz)}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
