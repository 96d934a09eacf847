"""``groups.yaml``: groups declared in a file, read into :class:`GroupConfig` values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from bot.core.errors import ContentError, PlanError
from bot.core.excerpts import DEFAULT_WORD_TARGET
from bot.core.plan.model import (
    _OFF,
    DEFAULT_QUESTIONS,
    MAX_QUESTIONS,
    MAX_WORDS,
    MIN_WORDS,
    Plan,
    default_readings,
    parse_start_day,
    parse_summary,
    resolve_readings,
    start_instant,
)
from bot.core.quotes import QUOTE_CHECKS, QuoteCheck
from bot.core.readings import Library, LibraryError, closest
from bot.core.replies import REPLY_LOG_MODES, ReplyLogMode
from bot.core.schedule import Cadence, parse_cadence, parse_timezone
from bot.core.yamlfile import compose

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
    "quote_check": (
        "when a logged reply quotes the library: react (default, a 📖 reaction), reply (a "
        "one-line citation), or off"
    ),
    "facilitators": "user ids of the facilitator rotation, in order (default: /plan facilitators)",
}


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
        quote_check: what the bot does when a logged reply quotes the library.
        facilitators: the facilitator rotation's user ids, in order, or None when the file
            leaves it to /plan facilitators and /facilitate.
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
    quote_check: QuoteCheck = "react"
    facilitators: tuple[int, ...] | None = None
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
        quote_check=fields.get("quote_check", "react"),
        facilitators=fields.get("facilitators"),
        path=path,
        line=line,
    )


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
    if key == "facilitators":
        return _facilitators(value)
    if key == "words":
        return _whole_number(value, MIN_WORDS, MAX_WORDS, "600")
    if key == "questions":
        return _whole_number(value, 0, MAX_QUESTIONS, "3")
    if key == "start":
        return parse_start_day(value)
    if key in ("reply_log", "quote_check"):
        if value is False:  # YAML 1.1 reads a bare `off` as false
            value = "off"
        choices = REPLY_LOG_MODES if key == "reply_log" else QUOTE_CHECKS
        if value not in choices:
            raise ValueError(f"{value!r} is not one of {', '.join(choices)}")
        return value
    if not isinstance(value, bool):  # paused
        raise ValueError(f"{value!r} is not true or false")
    return value


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


def _facilitators(value: Any) -> tuple[int, ...]:
    """The rotation's user ids, in order, each once."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValueError(
            "must be a list of user ids, e.g. [123456789012345678, 234567890123456789]"
        )
    ids = tuple(_snowflake(item) for item in value)
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ValueError(f"{twice[0]} is listed twice: a member takes one place in the rotation")
    return ids


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
