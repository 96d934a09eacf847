"""/plan end to end: organizers start and steer a plan, members are refused politely."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

import aiosqlite
import pytest

from bot.client import ReadingGroupBot
from bot.core.excerpts import Installment
from bot.core.group import Group
from bot.core.plan import parse_groups_yaml
from bot.core.readings import Library
from bot.storage.groups import get_group, posts_of
from tests.discord.scheduling import (
    FIRST_SLOT,
    ROOT,
    Clock,
    MakeBot,
    clock,
    db,
    first_parts,
    footer,
    group_config,
    library,
    make_bot,
    post_messages,
    prompts,
    tick,
)
from tests.fakediscord import FakeDiscord, Message

__all__ = ["clock", "db", "library", "make_bot", "prompts"]  # fixtures used by name

EPHEMERAL = 1 << 6
START = {"schedule": "mon,thu 19:00", "timezone": "Europe/Berlin", "start": "2027-01-04"}


async def run(
    fake: FakeDiscord, user: object, command: str, options: Mapping[str, object] | None = None
) -> Message:
    """Run ``/command`` in #readings as ``user``; the (ephemeral) answer."""
    inter = fake.slash(user, command, options or {}, channel="readings")
    message = await inter.message()
    assert message.flags & EPHEMERAL, message.content
    return message


async def group_of(db: aiosqlite.Connection, fake: FakeDiscord) -> Group:
    group = await get_group(db, fake.readings.id)
    assert group is not None
    return group


@pytest.fixture
async def started(fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock) -> ReadingGroupBot:
    """A bot whose #readings group the organizer started with /plan start (Mon, Thu 19:00)."""
    bot = await make_bot()
    reply = await run(fake_discord, "organizer", "plan start", START)
    assert reply.content.startswith("Started the reading plan"), reply.content
    return bot


# /plan start


async def test_an_organizer_starts_a_plan_with_options(
    fake_discord: FakeDiscord, make_bot: MakeBot, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    await make_bot()
    ping = fake.add_role("Readers", mentionable=True)
    leaders = fake.add_role("Leaders")
    reply = await run(
        fake,
        "organizer",
        "plan start",
        {
            **START,
            "readings": "soic, mccune",
            "words": 400,
            "questions": 2,
            "ping_role": ping,
            "organizer_role": leaders,
            "name": "internationalists",
        },
    )
    assert f"<#{fake.readings.id}>" in reply.content
    assert "2 readings, about 400 words per post, 2 questions, mon,thu 19:00 Europe/Berlin" in (
        reply.content
    )
    assert re.search(
        r"Next: soic §1\S* \(installment 1 of \d+\), Mon 4 Jan 2027 19:00", reply.content
    )
    group = await group_of(db, fake)
    assert group.readings == ("against-soic", "proletarian-internationalism")
    assert (group.word_target, group.questions_per_post) == (400, 2)
    assert (group.ping_role_id, group.organizer_role_id) == (ping.id, leaders.id)
    assert (group.name, group.created_by, group.declared_at) == (
        "internationalists",
        fake.organizer.id,
        None,
    )
    assert group.start == dt.datetime(2027, 1, 3, 23, 0, tzinfo=dt.UTC)  # Berlin midnight


async def test_a_plain_member_is_refused_politely(
    fake_discord: FakeDiscord, make_bot: MakeBot, db: aiosqlite.Connection
) -> None:
    await make_bot()
    reply = await run(fake_discord, "alice", "plan start", START)
    assert reply.content.startswith("Sorry, only the group's organizers can do that")
    assert "Manage Server" in reply.content
    assert await get_group(db, fake_discord.readings.id) is None


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"schedule": "fryday 19:00", "timezone": "UTC"}, "'fryday' is not a weekday"),
        ({"schedule": "mon 19:00"}, "no timezone in 'mon 19:00'"),
        ({"schedule": "mon 19:00", "timezone": "Europe/Berln"}, "did you mean 'Europe/Berlin'"),
        ({**START, "readings": "soic, nosuch"}, "no reading called 'nosuch'"),
        ({**START, "start": "next week"}, "'next week' is not a date"),
    ],
)
async def test_bad_options_say_what_is_wrong(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    db: aiosqlite.Connection,
    options: dict[str, object],
    expected: str,
) -> None:
    await make_bot()
    reply = await run(fake_discord, "organizer", "plan start", options)
    assert expected in reply.content
    assert await get_group(db, fake_discord.readings.id) is None


async def test_starting_again_changes_the_plan_and_keeps_the_place(
    fake_discord: FakeDiscord, started: ReadingGroupBot, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    await run(fake, "organizer", "plan skip")
    reply = await run(fake, "organizer", "plan start", {**START, "schedule": "sat 10:00"})
    assert reply.content.startswith("Changed the reading plan")
    assert "installment 2 of" in reply.content
    group = await group_of(db, fake)
    assert str(group.cadence) == "sat 10:00 Europe/Berlin"
    assert group.done_count == 1


async def test_groups_yaml_wins_over_plan_start(
    fake_discord: FakeDiscord, make_bot: MakeBot, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    await make_bot([group_config(fake.readings.id, word_target=300)])
    reply = await run(fake, "organizer", "plan start", {**START, "words": 900})
    assert "declared in groups.yaml:2, and the file wins over /plan start" in reply.content
    assert (await group_of(db, fake)).word_target == 300


# Steering the plan.


async def test_next_posts_the_next_installment_now(
    fake_discord: FakeDiscord, started: ReadingGroupBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    reply = await run(fake, "organizer", "plan next")
    (post,) = first_parts(fake, "readings")
    assert (
        reply.content
        == f"Posted: https://discord.com/channels/{fake.guild.id}/{fake.readings.id}/{post.id}"
    )
    assert "installment 1 of" in footer(post)
    assert len(fake.threads("readings")) == 1
    (stored,) = await posts_of(db, fake.readings.id)
    assert stored.kind == "manual" and stored.message_id == post.id
    # The schedule is untouched: Monday's slot posts the installment after it.
    clock.set(FIRST_SLOT)
    await tick(started)
    assert "installment 2 of" in footer(post_messages(fake, "readings")[-1])


async def test_skip_and_goto_move_the_place(
    fake_discord: FakeDiscord, started: ReadingGroupBot
) -> None:
    fake = fake_discord
    reply = await run(fake, "organizer", "plan skip")
    assert reply.content.startswith("Skipped proletarian-internationalism §1 (installment 1 of")
    # §2 is longer than the word target: it is cut between sentences.
    assert "Next: mccune §2.1-2.21 (installment 2 of" in reply.content
    await run(fake, "organizer", "plan next")
    assert first_parts(fake, "readings")[-1].embeds[0]["title"].endswith(" §2.1-2.21")
    reply = await run(fake, "organizer", "plan goto", {"reference": "soic §3"})
    assert reply.content.startswith("Moved the plan to against-soic §3.1-3.19")
    # A sentence: the piece of its paragraph that holds it.
    reply = await run(fake, "organizer", "plan goto", {"reference": "soic §3.25"})
    assert reply.content.startswith("Moved the plan to against-soic §3.20-3.33")
    await run(fake, "organizer", "plan next")
    last = first_parts(fake, "readings")[-1]
    assert last.embeds[0]["title"].startswith(started.library["against-soic"].title)
    assert last.embeds[0]["title"].endswith(" §3.20-3.33")
    reply = await run(fake, "organizer", "plan goto", {"reference": "borochov n1"})
    assert "Pick a paragraph" in reply.content


async def test_pause_stops_posts_and_resume_picks_up_at_the_next_slot(
    fake_discord: FakeDiscord, started: ReadingGroupBot, clock: Clock
) -> None:
    fake = fake_discord
    assert (await run(fake, "organizer", "plan pause")).content.startswith("Paused")
    clock.set(FIRST_SLOT + dt.timedelta(days=3, minutes=1))  # Monday and Thursday pass
    await tick(started)
    assert post_messages(fake, "readings") == []
    reply = await run(fake, "organizer", "plan resume")
    assert reply.content.startswith("Resumed. Next: mccune §1 (installment 1 of")
    assert "Mon 11 Jan 2027 19:00" in reply.content
    await tick(started)
    assert post_messages(fake, "readings") == []  # the paused slots are not made up for
    clock.set(FIRST_SLOT + dt.timedelta(days=7))
    await tick(started)
    (post,) = first_parts(fake, "readings")
    assert post.content == ""  # on time, not late


async def test_next_without_permission_answers_and_blocks_until_resume(
    fake_discord: FakeDiscord, make_bot: MakeBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    bot = await make_bot([group_config(fake.no_send.id)])
    inter = fake.slash("organizer", "plan next", channel=fake.no_send)
    reply = await inter.message()
    assert "I am missing the Send Messages, Embed Links permissions in #no-send" in reply.content
    assert reply.flags & EPHEMERAL
    group = await get_group(db, fake.no_send.id)
    assert group is not None and group.blocked is not None
    clock.set(FIRST_SLOT)
    await tick(bot)
    assert fake.bot_messages(fake.dm_channel(fake.owner)) == []  # told in the reply already
    assert fake.bot_messages(fake.no_send, ephemeral=False) == []
    reply = await fake.slash("organizer", "plan resume", channel=fake.no_send).message()
    assert reply.content.startswith("Resumed.")
    assert "I still lack Send Messages, Embed Links in this channel." in reply.content
    await tick(bot)  # tried again once, blocked again, and told by DM this time
    dm = fake.dm_channel(fake.owner)
    await fake.wait_for(lambda: fake.bot_messages(dm), what="a DM")
    assert len(fake.bot_messages(dm)) == 1


async def test_status_shows_settings_progress_and_state(
    fake_discord: FakeDiscord, started: ReadingGroupBot
) -> None:
    fake = fake_discord
    await run(fake, "organizer", "plan next")
    await run(fake, "organizer", "plan pause")
    reply = await run(fake, "organizer", "plan status")
    (embed,) = reply.embeds
    assert embed["title"] == "Reading plan: readings"
    assert "Paused since" in embed["description"]
    assert f"by <@{fake.organizer.id}>" in embed["description"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Schedule"] == "mon,thu 19:00 Europe/Berlin"
    assert re.fullmatch(r"1 of \d+ installments done", fields["Progress"])
    assert fields["Next"].startswith("Next: mccune §2")


@pytest.mark.parametrize("command", ["plan next", "plan skip", "plan status", "plan reload"])
async def test_organizer_commands_refuse_plain_members(
    fake_discord: FakeDiscord, started: ReadingGroupBot, command: str
) -> None:
    reply = await run(fake_discord, "bob", command)
    assert reply.content.startswith("Sorry, only the group's organizers can do that")
    assert post_messages(fake_discord, "readings") == []


async def test_the_organizer_role_may_steer_without_manage_server(
    fake_discord: FakeDiscord, make_bot: MakeBot
) -> None:
    fake = fake_discord
    await make_bot()
    leaders = fake.add_role("Leaders")
    fake.add_member("lea", roles=[leaders])
    await run(fake, "organizer", "plan start", {**START, "organizer_role": leaders})
    assert (await run(fake, "lea", "plan skip")).content.startswith("Skipped")
    refused = await run(fake, "alice", "plan skip")
    assert "Manage Server permission or the Leaders role" in refused.content


async def test_anyone_sees_the_schedule(
    fake_discord: FakeDiscord, started: ReadingGroupBot
) -> None:
    reply = await run(fake_discord, "alice", "plan schedule")
    (embed,) = reply.embeds
    assert embed["title"] == "Schedule of readings (Europe/Berlin)"
    lines = embed["description"].strip("`\n").splitlines()
    assert re.match(r"\s*1  Mon 4 Jan 2027 19:00 +mccune §1 \(\d+ words\)", lines[0])
    # §2 is longer than the word target: its first piece, cut between sentences.
    assert re.match(r"\s*2  Thu 7 Jan 2027 19:00 +mccune §2\.1-2\.21 ", lines[1])
    assert re.fullmatch(r"(\d+) installments, ends \w{3} \d+ \w{3} 2027", lines[-1])
    assert len(lines) - 1 == int(lines[-1].split()[0])


async def test_commands_in_a_channel_without_a_plan_say_how_to_start_one(
    fake_discord: FakeDiscord, make_bot: MakeBot
) -> None:
    await make_bot()
    reply = await run(fake_discord, "alice", "plan schedule")
    assert reply.content.startswith("This channel has no reading plan yet")


# /plan reload


GOOD = """groups:
  - name: yaml-group
    channel_id: {channel}
    schedule: "sat 10:00 Europe/Berlin"
    words: 300
"""


async def test_reload_keeps_the_old_version_when_a_file_is_broken(
    fake_discord: FakeDiscord, make_bot: MakeBot, db: aiosqlite.Connection, tmp_path: Path
) -> None:
    fake = fake_discord
    groups = tmp_path / "groups.yaml"
    groups.write_text(GOOD.format(channel=fake.general.id))
    env = {
        "GROUPS_FILE": str(groups),
        "READINGS_DIR": str(ROOT / "readings"),
        "PROMPTS_DIR": str(ROOT / "prompts"),
    }
    bot = await make_bot([group_config(fake.readings.id)], env=env)
    groups.write_text(GOOD.format(channel=fake.general.id).replace("words: 300", "wrods: 3"))
    reply = await run(fake, "organizer", "plan reload")
    assert reply.content.startswith("Nothing was reloaded; the running version stays")
    assert f"{groups}:5: unknown key 'wrods': did you mean 'words'?" in reply.content
    assert [c.channel_id for c in bot.group_configs] == [fake.readings.id]
    groups.write_text(GOOD.format(channel=fake.general.id))
    reply = await run(fake, "organizer", "plan reload")
    assert reply.content.startswith("Reloaded 4 readings, ")
    assert "1 groups from" in reply.content
    reloaded = await get_group(db, fake.general.id)
    assert reloaded is not None and reloaded.word_target == 300
    assert reloaded.declared_at == f"{groups}:2"
    dropped = await get_group(db, fake.readings.id)
    assert dropped is not None and dropped.retired


# A reading added to the library joins a plan only when an organizer names it (issue 11).

ADDED = """---
title: A Reading Added Later
author: Somebody Else
---

{paragraphs}
"""
EVERY_READING = "mccune, soic, china, borochov"


def content_dirs(tmp_path: Path, groups: str = "") -> dict[str, str]:
    """Settings reading a copy of the shipped readings (and ``groups`` as groups.yaml)."""
    shutil.copytree(ROOT / "readings", tmp_path / "readings")
    (tmp_path / "groups.yaml").write_text(groups)
    return {
        "GROUPS_FILE": str(tmp_path / "groups.yaml"),
        "READINGS_DIR": str(tmp_path / "readings"),
        "PROMPTS_DIR": str(ROOT / "prompts"),
    }


async def add_reading_and_reload(
    fake: FakeDiscord, db: aiosqlite.Connection, tmp_path: Path
) -> tuple[int, tuple[str, ...]]:
    """Put a new reading of a few thousand words into the copied library and /plan reload:
    the #readings plan's installments and readings stay as they were, and are returned."""
    before = await installment_count(fake)
    readings = (await group_of(db, fake)).readings
    assert len(readings) == 4
    paragraphs = "\n\n".join(
        f"Paragraph {n} of the reading added later. " + "It goes on and on. " * 100
        for n in range(1, 6)
    )
    (tmp_path / "readings" / "added-later.md").write_text(ADDED.format(paragraphs=paragraphs))
    reply = await run(fake, "organizer", "plan reload")
    assert reply.content.startswith("Reloaded 5 readings, "), reply.content
    assert await installment_count(fake) == before
    assert (await group_of(db, fake)).readings == readings
    return before, readings


async def installment_count(fake: FakeDiscord) -> int:
    """How many installments /plan status says the #readings plan has."""
    (embed,) = (await run(fake, "organizer", "plan status")).embeds
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    match = re.fullmatch(r"\d+ of (\d+) installments done", fields["Progress"])
    assert match, fields["Progress"]
    return int(match[1])


async def test_a_plan_started_with_every_reading_keeps_them_when_one_is_added(
    fake_discord: FakeDiscord, make_bot: MakeBot, db: aiosqlite.Connection, tmp_path: Path
) -> None:
    fake = fake_discord
    await make_bot(env=content_dirs(tmp_path))
    await run(fake, "organizer", "plan start", START)
    before, readings = await add_reading_and_reload(fake, db, tmp_path)
    reply = await run(
        fake, "organizer", "plan start", {**START, "readings": f"{EVERY_READING}, added-later"}
    )
    assert reply.content.startswith("Changed the reading plan"), reply.content
    assert await installment_count(fake) > before
    assert (await group_of(db, fake)).readings == (*readings, "added-later")


async def test_a_groups_yaml_plan_without_readings_keeps_them_when_one_is_added(
    fake_discord: FakeDiscord,
    make_bot: MakeBot,
    db: aiosqlite.Connection,
    library: Library,
    tmp_path: Path,
) -> None:
    fake = fake_discord
    text = GOOD.format(channel=fake.readings.id)
    env = content_dirs(tmp_path, text)
    await make_bot(list(parse_groups_yaml(text, env["GROUPS_FILE"], library)), env=env)
    before, readings = await add_reading_and_reload(fake, db, tmp_path)
    named = f"{text}    readings: [{EVERY_READING}, added-later]\n"
    (tmp_path / "groups.yaml").write_text(named)
    reply = await run(fake, "organizer", "plan reload")
    assert reply.content.startswith("Reloaded 5 readings, "), reply.content
    assert await installment_count(fake) > before
    assert (await group_of(db, fake)).readings == (*readings, "added-later")


async def test_a_new_installment_size_finds_the_place_again_without_skipping(
    fake_discord: FakeDiscord, started: ReadingGroupBot, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    await run(fake, "organizer", "plan next")
    await run(fake, "organizer", "plan next")  # mccune §1, then §2's first piece
    group = await group_of(db, fake)
    assert group.done_key == "proletarian-internationalism:2.1-2.21"
    await run(fake, "organizer", "plan start", {**START, "words": 2000})
    first, second = bot_installments(started, await group_of(db, fake))[:2]
    assert first.holds("proletarian-internationalism", 2) and first.last > 2
    await run(fake, "organizer", "plan next")
    # §2 now sits inside the first installment: it comes (again) rather than §3 being lost.
    last = first_parts(fake, "readings")[-1]
    assert last.embeds[0]["title"].endswith(" " + first.citation.split(" ")[-1])
    await run(fake, "organizer", "plan next")
    last = first_parts(fake, "readings")[-1]
    assert last.embeds[0]["title"].endswith(" " + second.citation.split(" ")[-1])


def bot_installments(bot: ReadingGroupBot, group: Group) -> tuple[Installment, ...]:
    return bot.plans.installments(group, bot.library)


async def test_plan_start_sets_the_weekly_summary(
    fake_discord: FakeDiscord, make_bot: MakeBot, db: aiosqlite.Connection
) -> None:
    await make_bot()
    reply = await run(fake_discord, "organizer", "plan start", {**START, "summary": "sun 18:00"})
    assert reply.content.startswith("Started the reading plan")
    group = await get_group(db, fake_discord.readings.id)
    assert group is not None and str(group.summary) == "sun 18:00 Europe/Berlin"
    bad = await run(fake_discord, "organizer", "plan start", {**START, "summary": "weekends"})
    assert "weekday" in bad.content
    group = await get_group(db, fake_discord.readings.id)
    assert group is not None and str(group.summary) == "sun 18:00 Europe/Berlin"
