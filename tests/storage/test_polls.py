"""Stance polls on a real SQLite file: one answer per member and phase, opt-out, export, forget."""

from __future__ import annotations

import datetime as dt

import aiosqlite
import pytest

from bot.core.polls import PollError, open_phase
from bot.storage.polls import (
    add_poll,
    answer_poll,
    get_poll,
    group_polls,
    member_poll_answers,
    poll_for,
    poll_stances,
    posted_keys,
    remove_poll,
)
from bot.storage.replies import forget_member, member_data, set_opted_out
from tests.storage.test_replies import ALICE, BOB, GROUP, T0, add_group, add_post, rows

ORGANIZER = 7


async def test_a_poll_is_attached_once_per_installment(db: aiosqlite.Connection) -> None:
    await add_group(db, GROUP)
    poll = await add_poll(db, GROUP, "a:2-2", "It was unavoidable", created_by=ORGANIZER, now=T0)
    with pytest.raises(PollError, match="a:2-2 has a poll already"):
        await add_poll(db, GROUP, "a:2-2", "Another", created_by=ORGANIZER, now=T0)
    assert await group_polls(db, GROUP) == [poll]
    assert await poll_for(db, GROUP, "a:2-2") == poll
    assert await poll_for(db, GROUP, "a:3-3") is None
    assert await get_poll(db, poll.id) == poll


async def test_the_phase_follows_the_posts(db: aiosqlite.Connection) -> None:
    await add_group(db, GROUP)
    await add_post(db, GROUP, 1, 401, 501)
    assert open_phase("a:1-1", await posted_keys(db, GROUP)) == "before"
    await add_post(db, GROUP, 2, 402, 502)
    assert await posted_keys(db, GROUP) == ["a:1-1", "a:2-2"]
    assert open_phase("a:1-1", await posted_keys(db, GROUP)) == "after"


async def test_one_answer_per_member_and_phase_changeable(db: aiosqlite.Connection) -> None:
    await add_group(db, GROUP)
    poll = await add_poll(db, GROUP, "a:1-1", "P", created_by=ORGANIZER, now=T0)
    later = T0 + dt.timedelta(hours=1)
    assert await answer_poll(db, poll.id, ALICE, "before", "agree", now=T0)
    assert await answer_poll(db, poll.id, ALICE, "before", "unsure", now=later)
    assert await answer_poll(db, poll.id, ALICE, "after", "disagree", now=later)
    assert await answer_poll(db, poll.id, BOB, "before", "agree", now=T0)
    query = "SELECT user_id, phase, stance, answered_at FROM poll_answers ORDER BY 1, 2"
    assert await rows(db, query) == [
        (ALICE, "after", "disagree", "2027-01-04T19:00:00.000000Z"),
        (ALICE, "before", "unsure", "2027-01-04T19:00:00.000000Z"),
        (BOB, "before", "agree", "2027-01-04T18:00:00.000000Z"),
    ]
    assert sorted(await poll_stances(db, poll.id)) == [
        ("after", "disagree"),
        ("before", "agree"),
        ("before", "unsure"),
    ]


async def test_an_opted_out_member_answer_is_not_stored_nor_counted(
    db: aiosqlite.Connection,
) -> None:
    await add_group(db, GROUP)
    poll = await add_poll(db, GROUP, "a:1-1", "P", created_by=ORGANIZER, now=T0)
    assert await answer_poll(db, poll.id, BOB, "before", "agree", now=T0)
    await set_opted_out(db, BOB, opted_out=True, now=T0)
    await set_opted_out(db, ALICE, opted_out=True, now=T0)
    assert not await answer_poll(db, poll.id, ALICE, "before", "agree", now=T0)
    assert not await answer_poll(db, poll.id, BOB, "before", "disagree", now=T0)
    assert await rows(db, "SELECT user_id, stance FROM poll_answers") == [(BOB, "agree")]
    assert await poll_stances(db, poll.id) == []


async def test_a_removed_poll_takes_its_answers_and_takes_no_more(
    db: aiosqlite.Connection,
) -> None:
    await add_group(db, GROUP)
    poll = await add_poll(db, GROUP, "a:1-1", "P", created_by=ORGANIZER, now=T0)
    await answer_poll(db, poll.id, ALICE, "before", "agree", now=T0)
    assert not await remove_poll(db, GROUP + 1, poll.id)  # another group's id
    assert await remove_poll(db, GROUP, poll.id)
    assert not await remove_poll(db, GROUP, poll.id)
    assert not await answer_poll(db, poll.id, ALICE, "before", "agree", now=T0)
    assert await rows(db, "SELECT count(*) FROM poll_answers") == [(0,)]


async def test_export_lists_answers_and_forget_deletes_them(db: aiosqlite.Connection) -> None:
    await add_group(db, GROUP)
    poll = await add_poll(db, GROUP, "a:1-1", "P", created_by=ALICE, now=T0)
    await answer_poll(db, poll.id, ALICE, "before", "agree", now=T0)
    await answer_poll(db, poll.id, ALICE, "after", "unsure", now=T0)
    await answer_poll(db, poll.id, BOB, "before", "agree", now=T0)
    stamp = "2027-01-04T18:00:00.000000Z"
    expected = [
        {
            "channel_id": GROUP,
            "installment_key": "a:1-1",
            "proposition": "P",
            "phase": phase,
            "stance": stance,
            "answered_at": stamp,
        }
        for phase, stance in [("before", "agree"), ("after", "unsure")]
    ]
    assert (await member_data(db, ALICE))["poll_answers"] == expected
    erased = await forget_member(db, ALICE, at=T0)
    assert erased.poll_answers == 2
    assert await member_poll_answers(db, ALICE) == []
    assert await rows(db, "SELECT user_id FROM poll_answers") == [(BOB,)]
    assert await rows(db, "SELECT created_by FROM polls") == [(None,)]
