"""A group's reading plan, its preview ("23 installments, ends Tue 15 Jun 2027"), groups.yaml.

A :class:`Plan` is what a group reads and when: readings in order, the installment size, the
cadence, questions per post, roles, and the weekly summary's time. Its installments come from
:func:`bot.core.excerpts.plan_installments`, its slots from :mod:`bot.core.schedule`; where the
group has got to (how many installments are posted, paused or not) is the caller's to keep.

``groups.yaml`` lets an organizer declare groups in version control; :func:`parse_groups_yaml`
reads it into :class:`GroupConfig` values or raises a :class:`LibraryError` listing every
problem as ``path:line: what is wrong``. See ``groups.example.yaml`` for the format.
"""

from __future__ import annotations

import datetime as dt
import difflib
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from bot.core.errors import ContentError, PlanError
from bot.core.excerpts import DEFAULT_WORD_TARGET, Installment, plan_installments
from bot.core.pages import clip
from bot.core.readings import Library, LibraryError, Reading, closest
from bot.core.replies import REPLY_LOG_MODES, ReplyLogMode
from bot.core.schedule import UTC, Cadence, format_time, parse_cadence, parse_timezone, slots
from bot.core.yamlfile import compose

DEFAULT_QUESTIONS = 3
#: The years a plan may start in (see :func:`parse_start_day`).
FIRST_YEAR, LAST_YEAR = 2000, 2100
MIN_WORDS, MAX_WORDS = 50, 10_000
MAX_QUESTIONS = 10
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

GROUP_KEYS: Mapping[str, str] = {
    "name": "a short name for the group (default: its channel id), e.g. for --group",
    "channel_id": "the Discord channel the group reads in (required)",
    "readings": (
        "slugs or aliases of the readings, in order (default: all there are when the group is "
        "first seen, in library order)"
    ),
    "words": f"installment size in words (default {DEFAULT_WORD_TARGET})",
    "schedule": "weekdays and local time of posts, e.g. 'mon,thu 19:00' (required)",
    "timezone": "IANA timezone of the schedule, e.g. Europe/Berlin",
    "questions": f"discussion questions per post (default {DEFAULT_QUESTIONS})",
    "start": "first day the plan may post, YYYY-MM-DD (default: when the bot first sees it)",
    "ping_role_id": "a role to mention in each post",
    "organizer_role_id": "a role allowed to run /plan commands besides Manage Server",
    "summary": "weekday and time of the weekly summary, e.g. 'sun 18:00'",
    "paused": "true to stop posting for now",
    "reply_log": "what the discussion log keeps: content (default), counts, or off",
}


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


# groups.yaml


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupConfig:
    """One group declared in groups.yaml (see ``groups.example.yaml``).

    Attributes:
        name: the group's short name (its channel id when none is given).
        channel_id: the Discord channel.
        readings: slugs in plan order (or the names as written, when parsed without a
            library); None for the readings the group has, or, the first time it is seen,
            every reading in library order (see :meth:`plan`).
        word_target, questions_per_post, cadence, summary, ping_role_id, organizer_role_id:
            as in :class:`Plan`.
        start: the first local day posts may happen, or None (the caller picks, e.g. when it
            first saw the group, and keeps that).
        paused: whether posting is stopped.
        reply_log: what the discussion log keeps of the group's replies (their text, only
            their counts, or nothing).
        path, line: where the group is declared, for messages.
    """

    name: str
    channel_id: int
    cadence: Cadence
    readings: tuple[str, ...] | None = None
    word_target: int = DEFAULT_WORD_TARGET
    questions_per_post: int = DEFAULT_QUESTIONS
    start: dt.date | None = None
    ping_role_id: int | None = None
    organizer_role_id: int | None = None
    summary: Cadence | None = None
    paused: bool = False
    reply_log: ReplyLogMode = "content"
    path: str = "groups.yaml"
    line: int = 1

    def plan(
        self,
        library: Library,
        *,
        default_start: dt.datetime,
        kept_readings: tuple[str, ...] | None = None,
    ) -> Plan:
        """The group's plan over ``library``.

        Args:
            library: the readings.
            default_start: the plan's start when ``start`` is not set (aware UTC); ``start``
                itself means local midnight of that day in the plan's timezone.
            kept_readings: the readings the group has so far, kept when ``readings`` is not
                set (a reading added to the library later joins only when named); None for a
                group seen for the first time, which reads every reading of ``library``.

        Raises:
            ContentError: a reading name does not resolve (naming this group's file and line).
        """
        try:
            if self.readings is not None:
                readings = resolve_readings(library, self.readings)
            else:
                readings = kept_readings or default_readings(library)
        except PlanError as exc:
            raise ContentError(self.path, self.line, f"group {self.name!r}: {exc}") from None
        start = default_start if self.start is None else start_instant(self.start, self.cadence.tz)
        return Plan(
            readings=readings,
            cadence=self.cadence,
            start=start,
            word_target=self.word_target,
            questions_per_post=self.questions_per_post,
            ping_role_id=self.ping_role_id,
            organizer_role_id=self.organizer_role_id,
            summary=self.summary,
        )


def parse_groups_yaml(
    text: str, path: str, library: Library | None = None
) -> tuple[GroupConfig, ...]:
    """Read groups.yaml.

    Args:
        text: the file's text.
        path: shown in messages.
        library: when given, reading names are checked and turned into slugs.

    Raises:
        LibraryError: every problem found, each as ``path:line: what is wrong``.
    """
    try:
        root = compose(text, path)
    except ContentError as exc:
        raise LibraryError([exc]) from None
    if root is None:
        return ()
    errors: list[ContentError] = []
    if not isinstance(root, yaml.MappingNode):
        raise LibraryError(
            [
                ContentError(
                    path,
                    _line(root),
                    "expected a line 'groups:' and a list of groups under it "
                    "(see groups.example.yaml)",
                )
            ]
        )
    groups_node: yaml.Node | None = None
    for key, key_line, value in _pairs(root, path, errors):
        if key == "groups":
            groups_node = value
        else:
            hint = closest(key, ["groups"])
            errors.append(ContentError(path, key_line, f"unknown key {key!r}{hint}"))
    configs: list[GroupConfig] = []
    if groups_node is not None and not _is_null(groups_node):
        if isinstance(groups_node, yaml.SequenceNode):
            for node in groups_node.value:
                config = _group(node, path, library, errors)
                if config is not None:
                    configs.append(config)
        else:
            errors.append(
                ContentError(path, _line(groups_node), "'groups' must be a list of '- ...' items")
            )
    errors.extend(_clashes(configs))
    if errors:
        raise LibraryError(errors)
    return tuple(configs)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _pairs(
    node: yaml.MappingNode, path: str, errors: list[ContentError]
) -> list[tuple[str, int, yaml.Node]]:
    """The mapping's (key, key's line, value node); a repeated key is an error, not silently won."""
    seen: set[str] = set()
    pairs = []
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key in seen:
            errors.append(ContentError(path, _line(key_node), f"{key!r} is given twice"))
            continue
        seen.add(key)
        pairs.append((key, _line(key_node), value_node))
    return pairs


def _construct(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _group(
    node: yaml.Node, path: str, library: Library | None, errors: list[ContentError]
) -> GroupConfig | None:
    line = _line(node)
    if not isinstance(node, yaml.MappingNode):
        errors.append(
            ContentError(path, line, "each group must be 'key: value' lines, e.g. 'channel_id: 1'")
        )
        return None
    before = len(errors)
    fields: dict[str, Any] = {}
    nodes: dict[str, yaml.Node] = {}
    for key, key_line, value in _pairs(node, path, errors):
        if key not in GROUP_KEYS:
            hint = closest(key, GROUP_KEYS)
            errors.append(ContentError(path, key_line, f"unknown key {key!r}{hint}"))
            continue
        nodes[key] = value
        try:
            fields[key] = _field(key, value, library)
        except (PlanError, ValueError) as exc:
            errors.append(ContentError(path, _line(value), f"{key}: {exc}"))
    for key, example in (("channel_id", "123456789012345678"), ("schedule", '"mon,thu 19:00"')):
        if key not in nodes:
            errors.append(ContentError(path, line, f"missing {key!r}: add '{key}: {example}'"))
    timezone = fields.get("timezone")
    cadence: Cadence | None = None
    summary: Cadence | None = None
    zone_failed = "timezone" in nodes and "timezone" not in fields  # reported already
    if "schedule" in fields and not zone_failed:
        try:
            cadence = parse_cadence(fields["schedule"], timezone=timezone)
        except PlanError as exc:
            errors.append(ContentError(path, _line(nodes["schedule"]), f"schedule: {exc}"))
    if cadence is not None and fields.get("summary"):
        try:
            summary = parse_summary(fields["summary"], cadence.tz)
        except PlanError as exc:
            errors.append(ContentError(path, _line(nodes["summary"]), f"summary: {exc}"))
    if len(errors) > before or cadence is None:
        return None
    return GroupConfig(
        name=fields.get("name") or str(fields["channel_id"]),
        channel_id=fields["channel_id"],
        cadence=cadence,
        readings=fields.get("readings"),
        word_target=fields.get("words", DEFAULT_WORD_TARGET),
        questions_per_post=fields.get("questions", DEFAULT_QUESTIONS),
        start=fields.get("start"),
        ping_role_id=fields.get("ping_role_id"),
        organizer_role_id=fields.get("organizer_role_id"),
        summary=summary,
        paused=fields.get("paused", False),
        reply_log=fields.get("reply_log", "content"),
        path=path,
        line=line,
    )


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


def _field(key: str, node: yaml.Node, library: Library | None) -> Any:
    """One key's value, checked. Raises PlanError or ValueError saying what is wrong."""
    if key in ("schedule", "summary", "timezone", "name"):
        # The scalar's text as written: YAML would read an unquoted 19:00 as the number 1140.
        if key == "summary" and (_is_null(node) or str(node.value).lower() in _OFF):
            return None
        if not isinstance(node, yaml.ScalarNode) or _is_null(node) or not str(node.value).strip():
            raise ValueError(f"must be text, e.g. {key}: {_EXAMPLES[key]}")
        text = str(node.value).strip()
        if key == "timezone":
            return parse_timezone(text)
        return text
    try:
        value = _construct(node)
    except ValueError:  # YAML's own dates: 2027-13-01 looks like one but is not
        value = str(getattr(node, "value", ""))
    if key == "channel_id":
        return _snowflake(value)
    if key in ("ping_role_id", "organizer_role_id"):
        return None if value is None else _snowflake(value)
    if key == "readings":
        if value is None:
            return None
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise ValueError("must be a list of reading slugs or aliases, e.g. [mccune, soic]")
        return tuple(names) if library is None else resolve_readings(library, names)
    if key == "words":
        return _whole_number(value, MIN_WORDS, MAX_WORDS, "600")
    if key == "questions":
        return _whole_number(value, 0, MAX_QUESTIONS, "3")
    if key == "start":
        return parse_start_day(value)
    if key == "reply_log":
        if value is False:  # YAML 1.1 reads a bare `off` as false
            value = "off"
        if value not in REPLY_LOG_MODES:
            raise ValueError(f"{value!r} is not one of {', '.join(REPLY_LOG_MODES)}")
        return value
    if not isinstance(value, bool):  # paused
        raise ValueError(f"{value!r} is not true or false")
    return value


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
_EXAMPLES = {
    "schedule": '"mon,thu 19:00"',
    "summary": '"sun 18:00"',
    "timezone": "Europe/Berlin",
    "name": "internationalism",
}


def _snowflake(value: Any) -> int:
    """A Discord id: a positive whole number (quoted or not)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(
            f"{value!r} is not a Discord id: right-click the channel or role with Developer "
            "Mode on, choose 'Copy ID' and paste the number"
        )
    return value


def _whole_number(value: Any, low: int, high: int, example: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{value!r} is not a whole number from {low} to {high}, e.g. {example}")
    return value


def _clashes(configs: Sequence[GroupConfig]) -> list[ContentError]:
    """Two groups in one channel, or with one name."""
    errors: list[ContentError] = []
    firsts: dict[tuple[str, object], GroupConfig] = {}
    for config in configs:
        for kind, value, fix in (
            ("channel", config.channel_id, "one channel holds one group"),
            ("name", config.name, "give each group its own name"),
        ):
            first = firsts.setdefault((kind, value), config)
            if first is not config:
                errors.append(
                    ContentError(
                        config.path,
                        config.line,
                        f"{kind} {value!r} is already used by the group on line {first.line}: "
                        f"{fix}",
                    )
                )
                break
    return errors
