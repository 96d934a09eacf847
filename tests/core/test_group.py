"""A group's settings from /plan start or groups.yaml, and where it has got to."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.group import Group, file_group, planned_group, progress
from bot.core.plan import GroupConfig, Plan, default_readings, start_instant
from bot.core.readings import Library, load_library
from bot.core.schedule import UTC, parse_cadence

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2027, 1, 4, 12, 0, tzinfo=UTC)
CADENCE = parse_cadence("mon,thu 19:00 Europe/Berlin")


@pytest.fixture(scope="module")
def shipped() -> Library:
    return load_library(ROOT / "readings")


def stored_group(**changes: object) -> Group:
    """A group as stored: started by user 7 in server 3, two installments in, paused, blocked."""
    group = Group(
        channel_id=500,
        guild_id=3,
        name="readers",
        readings=("against-soic",),
        cadence=CADENCE,
        start=NOW,
        created_by=7,
        paused_at=NOW,
        blocked="no Send Messages",
        done_key="against-soic:1-2",
        done_count=2,
        last_slot=NOW,
    )
    return dataclasses.replace(group, **changes)


def test_a_new_group_takes_every_setting_of_the_plan_and_its_creator() -> None:
    plan = Plan(
        readings=("against-soic", "proletarian-internationalism"),
        cadence=CADENCE,
        start=NOW,
        word_target=400,
        questions_per_post=2,
        ping_role_id=11,
        organizer_role_id=12,
        summary=parse_cadence("sun 18:00 Europe/Berlin"),
    )
    group = planned_group(
        None,
        plan,
        channel_id=500,
        name="readers",
        declared_at=None,
        reply_log="counts",
        guild_id=3,
        created_by=7,
    )
    assert group.plan() == plan
    assert (group.guild_id, group.name, group.created_by, group.reply_log) == (
        3,
        "readers",
        7,
        "counts",
    )
    assert (group.done_key, group.paused, group.retired) == (None, False, False)


def test_new_settings_keep_the_place_pause_block_server_and_creator() -> None:
    existing = stored_group(retired=True)
    plan = Plan(readings=("proletarian-internationalism",), cadence=CADENCE, start=NOW)
    group = planned_group(
        existing,
        plan,
        channel_id=500,
        name="renamed",
        declared_at="groups.yaml:2",
        reply_log="off",
        file_paused=True,
        created_by=99,
    )
    assert group.plan() == plan
    assert group == dataclasses.replace(
        existing,
        name="renamed",
        declared_at="groups.yaml:2",
        readings=plan.readings,
        reply_log="off",
        file_paused=True,
        retired=False,
    )


def test_progress_finds_the_place_by_key_then_by_count(shipped: Library) -> None:
    plan = Plan(readings=("against-soic",), cadence=CADENCE, start=NOW, word_target=50)
    installments = plan.installments(shipped)
    second = installments[1].key
    assert progress(stored_group(done_key=None, done_count=0), installments) == 0
    assert progress(stored_group(done_key=second, done_count=9), installments) == 2
    assert progress(stored_group(done_key="gone:1-1", done_count=1), installments) == 1


def test_a_start_day_is_local_midnight() -> None:
    assert start_instant(dt.date(2027, 1, 4), ZoneInfo("Europe/Berlin")) == dt.datetime(
        2027, 1, 3, 23, 0, tzinfo=UTC
    )
    assert start_instant(dt.date(2027, 7, 4), ZoneInfo("Europe/Berlin")) == dt.datetime(
        2027, 7, 3, 22, 0, tzinfo=UTC
    )


def test_a_file_group_takes_the_file_settings_and_keeps_the_progress(shipped: Library) -> None:
    config = GroupConfig(name="file", channel_id=500, cadence=CADENCE, word_target=300, line=4)
    group = file_group(config, shipped, stored_group(), now=NOW + dt.timedelta(days=3))
    assert (group.declared_at, group.word_target, group.start) == ("groups.yaml:4", 300, NOW)
    assert (group.done_key, group.done_count, group.created_by) == ("against-soic:1-2", 2, 7)
    new = file_group(config, shipped, None, now=NOW)
    assert (new.start, new.readings) == (NOW, default_readings(shipped))


def test_a_file_group_without_readings_keeps_those_it_has(shipped: Library) -> None:
    config = GroupConfig(name="file", channel_id=500, cadence=CADENCE)
    assert file_group(config, shipped, stored_group(), now=NOW).readings == ("against-soic",)
    named = dataclasses.replace(config, readings=("china", "soic"))
    assert file_group(named, shipped, stored_group(), now=NOW).readings == (
        "internationalism-in-china",
        "against-soic",
    )
