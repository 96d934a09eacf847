"""A group's reading plan, its preview ("23 installments, ends Tue 15 Jun 2027"), groups.yaml.

A :class:`Plan` is what a group reads and when: readings in order, the installment size, the
cadence, questions per post, roles, and the weekly summary's time. Its installments come from
:func:`bot.core.excerpts.plan_installments`, its slots from :mod:`bot.core.schedule`; where the
group has got to (how many installments are posted, paused or not) is the caller's to keep.

``groups.yaml`` lets an organizer declare groups in version control; :func:`parse_groups_yaml`
reads it into :class:`GroupConfig` values or raises a :class:`LibraryError` listing every
problem as ``path:line: what is wrong``. See ``groups.example.yaml`` for the format.

:mod:`~bot.core.plan.model` holds the :class:`Plan` and the plan options read from text,
:mod:`~bot.core.plan.preview` the schedule preview and its text, and
:mod:`~bot.core.plan.groups_yaml` the groups.yaml reader.
"""

from bot.core.plan.groups_yaml import GROUP_KEYS, GroupConfig, parse_groups_yaml
from bot.core.plan.model import (
    DEFAULT_QUESTIONS,
    FIRST_YEAR,
    LAST_YEAR,
    MAX_QUESTIONS,
    MAX_WORDS,
    MIN_WORDS,
    Plan,
    default_readings,
    installment_holding,
    missing_readings,
    parse_start_day,
    parse_summary,
    plan_readings,
    resolve_readings,
    start_instant,
)
from bot.core.plan.preview import (
    Preview,
    Scheduled,
    format_date,
    format_moment,
    format_preview,
    schedule_preview,
    short_names,
    summary_line,
)

__all__ = [
    "DEFAULT_QUESTIONS",
    "FIRST_YEAR",
    "GROUP_KEYS",
    "LAST_YEAR",
    "MAX_QUESTIONS",
    "MAX_WORDS",
    "MIN_WORDS",
    "GroupConfig",
    "Plan",
    "Preview",
    "Scheduled",
    "default_readings",
    "format_date",
    "format_moment",
    "format_preview",
    "installment_holding",
    "missing_readings",
    "parse_groups_yaml",
    "parse_start_day",
    "parse_summary",
    "plan_readings",
    "resolve_readings",
    "schedule_preview",
    "short_names",
    "start_instant",
    "summary_line",
]
