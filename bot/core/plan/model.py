"""A group's :class:`Plan`, the readings it names, and the plan options read from text."""

from __future__ import annotations

import datetime as dt
import difflib
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.core.citations import resolve
from bot.core.errors import PlanError
from bot.core.excerpts import DEFAULT_WORD_TARGET, Installment, locate, plan_installments
from bot.core.pages import clip
from bot.core.readings import Library, Reading, closest
from bot.core.schedule import UTC, Cadence, parse_cadence

DEFAULT_QUESTIONS = 3


#: The years a plan may start in (see :func:`parse_start_day`).
FIRST_YEAR, LAST_YEAR = 2000, 2100


MIN_WORDS, MAX_WORDS = 50, 10_000


MAX_QUESTIONS = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """A group's reading plan.

    Attributes:
        readings: slugs of the readings, in plan order.
        cadence: when installments are posted.
        start: no post before this instant (aware UTC).
        word_target: the installment size to aim for, in words.
        questions_per_post: how many discussion questions each post carries.
        ping_role_id: a role to mention in each post, if any.
        organizer_role_id: a role allowed to run organizer commands, if any.
        summary: when the weekly summary is posted (same timezone as ``cadence``), if at all.
    """

    readings: tuple[str, ...]
    cadence: Cadence
    start: dt.datetime
    word_target: int = DEFAULT_WORD_TARGET
    questions_per_post: int = DEFAULT_QUESTIONS
    ping_role_id: int | None = None
    organizer_role_id: int | None = None
    summary: Cadence | None = None

    def __post_init__(self) -> None:
        if not self.readings:
            raise ValueError("a plan needs at least one reading")
        if len(set(self.readings)) != len(self.readings):
            raise ValueError(f"a reading appears twice in the plan: {self.readings}")
        if self.start.tzinfo is None:
            raise ValueError(f"start must be an aware datetime (UTC), not naive {self.start!r}")
        if self.word_target < 1 or self.questions_per_post < 0:
            raise ValueError("word_target must be positive and questions_per_post not negative")

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        """The plan's timezone: dates and times are shown in it."""
        return self.cadence.tz

    def installments(self, library: Library) -> tuple[Installment, ...]:
        """The plan's installments over ``library``.

        Raises:
            PlanError: a reading of the plan is no longer in the library.
        """
        return plan_installments(plan_readings(self, library), self.word_target)


def default_readings(library: Library) -> tuple[str, ...]:
    """Every reading's slug in library order (front matter ``order``, then slug)."""
    return tuple(reading.slug for reading in library)


def resolve_readings(library: Library, names: Iterable[str]) -> tuple[str, ...]:
    """Slugs for ``names``, each a slug or an alias (any letter case), in the order given.

    Raises:
        PlanError: a name that is no reading (naming the closest), or a reading named twice.
    """
    by_name: dict[str, Reading] = {}
    for reading in library:
        for name in (reading.slug, *reading.aliases):
            by_name.setdefault(name, reading)
    slugs: list[str] = []
    for name in names:
        found = by_name.get(name.strip().lower())
        if found is None:
            key = name.strip().lower()
            match = difflib.get_close_matches(key, list(by_name), n=1)
            hint = (
                f": did you mean {match[0]!r}?"
                if match
                else closest(key, default_readings(library), "readings") + " (or their aliases)"
            )
            raise PlanError(f"no reading called {name!r}{hint}")
        if found.slug in slugs:
            raise PlanError(f"{name!r} is {found.slug}, which is already in the plan")
        slugs.append(found.slug)
    if not slugs:
        raise PlanError("the plan needs at least one reading")
    return tuple(slugs)


def installment_holding(
    library: Library, installments: Sequence[Installment], reference: str
) -> int:
    """The index in ``installments`` of the one holding the passage ``reference``.

    Raises:
        CitationError: the reference does not resolve.
        PlanError: it names a note (notes are posted with their text), or a passage not in
            the plan.
    """
    citation = resolve(library, reference)
    if citation.note is not None:
        raise PlanError("Pick a paragraph, e.g. soic §3: notes are posted with their text.")
    sentence = citation.sentences[0] if citation.sentences else 1
    return locate(installments, citation.reading.slug, citation.first, sentence)


def plan_readings(plan: Plan, library: Library) -> tuple[Reading, ...]:
    """The plan's readings, in plan order.

    Raises:
        PlanError: a slug of the plan is not in the library (the file was renamed or removed).
    """
    missing = missing_readings(plan, library)
    if missing:
        raise PlanError(
            f"the plan's reading {missing[0]!r} is not in the library: restore "
            f"readings/{missing[0]}.md or change the group's readings"
        )
    return tuple(library[slug] for slug in plan.readings)


def missing_readings(plan: Plan, library: Library) -> list[str]:
    """The slugs of the plan's readings that ``library`` does not hold, in plan order."""
    return [slug for slug in plan.readings if library.get(slug) is None]


def parse_summary(text: str, tz: zoneinfo.ZoneInfo) -> Cadence | None:
    """When the weekly summary is posted, e.g. ``sun 18:00`` in the plan's zone ``tz``; None
    for ``off``.

    Raises:
        PlanError: not one weekday and a time.
    """
    if text.strip().lower() in _OFF:
        return None
    summary = parse_cadence(text, timezone=tz)
    if len(summary.weekdays) != 1:
        raise PlanError("the summary is weekly: name one weekday, e.g. 'sun 18:00'")
    return summary


def parse_start_day(value: object) -> dt.date:
    """A plan's first day: ``2027-01-04`` as text (from /plan start) or as YAML's own date.

    The year must lie in :data:`FIRST_YEAR`..:data:`LAST_YEAR`: a typo such as 0999 or 20277
    would otherwise make a plan that never posts, or stored instants that cannot be read back.

    Raises:
        PlanError: not a date, or a year outside the range; the message names the value.
    """
    day = value
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise PlanError(f"{_shown(value)} is not a date: write it as YYYY-MM-DD, e.g. 2027-01-04")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise PlanError(
            f"{_shown(value)}: the year {day.year} is outside {FIRST_YEAR} to {LAST_YEAR}: "
            "write the date as YYYY-MM-DD, e.g. 2027-01-04"
        )
    return day


def start_instant(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """A plan's start (aware UTC): local midnight of its first day ``day`` in ``tz``."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(UTC)


def _shown(value: object) -> str:
    """What was given, quoted and cut short, for a message."""
    if isinstance(value, dt.date):  # YAML's own date or time: show it as written
        value = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return clip(repr(value.strip() if isinstance(value, str) else value), 60)


_OFF = frozenset({"off", "false", "no", "none"})
