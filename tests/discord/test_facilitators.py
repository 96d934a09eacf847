"""Facilitator rotation end to end: organizers keep the rotation, members volunteer, turns are
skipped or swapped, and a forgotten member leaves every rotation."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, cast

import aiosqlite
import pytest

from bot.client import ReadingGroupBot
from tests.discord.scheduling import (
    FIRST_SLOT,
    Clock,
    MakeBot,
    clock,
    db,
    first_parts,
    group_config,
    library,
    make_bot,
    prompts,
    tick,
)
from tests.discord.test_discussion import logged, rows
from tests.discord.test_plan import START, run, started
from tests.fakediscord import FakeDiscord

__all__ = ["clock", "db", "library", "make_bot", "prompts", "started"]  # fixtures used by name


def packets(bot: ReadingGroupBot) -> Any:
    """The bot's packet tick (discord.py loads extensions as modules of its own)."""
    cog: Any = bot.get_cog("Packets")
    assert type(cog).__name__ == "Packets"
    return cog


async def test_organizers_keep_the_rotation_and_members_volunteer(
    fake_discord: FakeDiscord, started: ReadingGroupBot, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    alice, bob = fake.alice.id, fake.bob.id
    reply = await run(fake, "organizer", "plan facilitators add", {"member": fake.alice})
    assert reply.content == f"Added <@{alice}> to the facilitator rotation."
    reply = await run(fake, "organizer", "plan facilitators add", {"member": fake.alice})
    assert reply.content == f"<@{alice}> is in the facilitator rotation already."
    reply = await run(fake, "bob", "facilitate")
    assert reply.content.startswith("Thank you: you are last in this group's facilitator rotation")
    reply = await run(fake, "bob", "plan facilitators list")
    lines = reply.content.splitlines()
    assert lines[0] == f"Rotation: <@{alice}>, <@{bob}>."
    assert lines[1] == f"Installment 1, Mon 4 Jan 2027 19:00: <@{alice}>"
    assert lines[2] == f"Installment 2, Thu 7 Jan 2027 19:00: <@{bob}>"
    assert lines[3] == f"Installment 3, Mon 11 Jan 2027 19:00: <@{alice}>"
    assert await rows(db, "SELECT user_id FROM facilitators ORDER BY position") == [
        (alice,),
        (bob,),
    ]

    # Skip passes installment 1 to the next in rotation; swap gives it to anyone.
    reply = await run(fake, "organizer", "plan facilitators skip")
    assert reply.content == f"<@{alice}> passes installment 1: <@{bob}> facilitates it."
    reply = await run(fake, "organizer", "plan facilitators swap", {"member": fake.organizer})
    assert reply.content == f"<@{fake.organizer.id}> facilitates installment 1."
    assert await rows(db, "SELECT number, user_id FROM facilitator_turns") == [
        (1, fake.organizer.id)
    ]
    lines = (await run(fake, "alice", "plan facilitators list")).content.splitlines()
    assert lines[1].endswith(f": <@{fake.organizer.id}>")
    assert lines[2].endswith(f": <@{bob}>")  # the round robin goes on

    reply = await run(fake, "organizer", "plan facilitators remove", {"member": fake.alice})
    assert reply.content == f"Took <@{alice}> out of the facilitator rotation."
    reply = await run(fake, "organizer", "plan facilitators remove", {"member": fake.alice})
    assert reply.content == f"<@{alice}> is not in the facilitator rotation."
    assert await rows(db, "SELECT user_id FROM facilitators") == [(bob,)]


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("plan facilitators add", {"member": "bob"}),
        ("plan facilitators remove", {"member": "bob"}),
        ("plan facilitators skip", {}),
        ("plan facilitators swap", {"member": "bob"}),
    ],
)
async def test_changing_the_rotation_is_for_organizers(
    fake_discord: FakeDiscord,
    started: ReadingGroupBot,
    db: aiosqlite.Connection,
    command: str,
    options: dict[str, object],
) -> None:
    await run(fake_discord, "organizer", "plan facilitators add", {"member": "alice"})
    reply = await run(fake_discord, "bob", command, options)
    assert reply.content.startswith("Sorry, only the group's organizers can do that")
    assert await rows(db, "SELECT user_id FROM facilitators") == [(fake_discord.alice.id,)]
    assert await rows(db, "SELECT * FROM facilitator_turns") == []


async def test_an_empty_rotation_says_how_to_fill_it(
    fake_discord: FakeDiscord, started: ReadingGroupBot
) -> None:
    reply = await run(fake_discord, "alice", "plan facilitators list")
    assert reply.content.startswith("Nobody is in the facilitator rotation yet")
    reply = await run(fake_discord, "organizer", "plan facilitators skip")
    assert "Nobody is in the facilitator rotation" in reply.content


async def test_export_lists_the_role_and_forget_leaves_every_rotation(
    fake_discord: FakeDiscord, started: ReadingGroupBot, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    await run(fake, "alice", "facilitate")
    await run(fake, "organizer", "plan facilitators swap", {"member": "alice"})
    assert await packets(started).run_group(fake.readings.id) == 1
    answer = await fake.slash("alice", "privacy export").message()
    (attachment,) = answer.attachments
    data = json.loads(attachment.data)
    assert [r["channel_id"] for r in data["facilitator_rotations"]] == [fake.readings.id]
    assert data["facilitator_turns"] == [{"channel_id": fake.readings.id, "number": 1}]
    ((packet),) = data["facilitator_packets"]
    assert (packet["number"], packet["pending"]) == (1, None)
    ask = await fake.slash("alice", "privacy forget").message()
    await fake.click("alice", ask, "privacy:forget").response()
    assert await rows(db, "SELECT * FROM facilitators") == []
    assert await rows(db, "SELECT * FROM facilitator_turns") == []
    assert await rows(db, "SELECT * FROM facilitator_packets") == []


@pytest.mark.parametrize("command", ["plan facilitators add", "plan facilitators swap"])
async def test_a_bot_cannot_facilitate(
    fake_discord: FakeDiscord, started: ReadingGroupBot, db: aiosqlite.Connection, command: str
) -> None:
    reply = await run(fake_discord, "organizer", command, {"member": fake_discord.bot})
    assert reply.content == "Reading Group is a bot: pick a member to facilitate."
    assert await rows(db, "SELECT * FROM facilitators") == []
    assert await rows(db, "SELECT * FROM facilitator_turns") == []


async def test_help_lists_the_facilitator_commands_in_one_line(
    fake_discord: FakeDiscord, started: ReadingGroupBot
) -> None:
    help_message = await fake_discord.slash("bob", "help").message()
    fields = {f["name"]: f["value"] for embed in help_message.embeds for f in embed["fields"]}
    assert fields["/plan facilitators add|remove|list|skip|swap"] == (
        "Who facilitates each installment: the group's rotation"
    )
    assert "/facilitate" in fields
    assert "/summary [week]" in fields  # last in order: nothing fell off


async def test_each_post_names_its_facilitator_and_pings_only_them(
    fake_discord: FakeDiscord, make_bot: MakeBot
) -> None:
    fake = fake_discord
    await make_bot()
    role = fake.add_role("Readers", mentionable=True)
    await run(fake, "organizer", "plan start", {**START, "ping_role": role})
    await run(fake, "alice", "facilitate")
    await run(fake, "bob", "facilitate")
    fake.allow_pings(users=["alice", "bob"], roles=[role.id])  # the teardown checks the rest
    await run(fake, "organizer", "plan next")
    await run(fake, "organizer", "plan next")
    first, second = first_parts(fake, "readings")
    assert first.content == f"<@&{role.id}> Facilitator: <@{fake.alice.id}>."
    assert second.content == f"<@&{role.id}> Facilitator: <@{fake.bob.id}>."
    for post, user in ((first, fake.alice.id), (second, fake.bob.id)):
        (record,) = [s for s in fake.sent if s.message_id == post.id]
        assert (record.pings.users, record.pings.roles) == ({user}, {role.id})
        assert not record.pings.everyone
    others = [s for s in fake.sent if s.message_id not in (first.id, second.id)]
    assert others and not any(s.pings for s in others)


async def test_a_post_without_a_rotation_names_nobody(
    fake_discord: FakeDiscord, started: ReadingGroupBot
) -> None:
    await run(fake_discord, "organizer", "plan next")
    (post,) = first_parts(fake_discord, "readings")
    assert post.content == ""
    assert not any(s.pings for s in fake_discord.sent)


async def test_groups_yaml_declares_the_rotation_and_wins(
    fake_discord: FakeDiscord, make_bot: MakeBot, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    alice, bob = fake.alice.id, fake.bob.id
    await make_bot([group_config(fake.readings.id, facilitators=(bob, alice))])
    assert await rows(db, "SELECT user_id FROM facilitators ORDER BY position") == [
        (bob,),
        (alice,),
    ]
    for user, command, options in (
        ("organizer", "plan facilitators add", {"member": "organizer"}),
        ("organizer", "plan facilitators remove", {"member": "bob"}),
        ("alice", "facilitate", {}),
    ):
        reply = await run(fake, user, command, options)
        assert reply.content == (
            "This group's facilitators are declared in groups.yaml:2: change them there, then "
            "run /plan reload."
        )
    reply = await run(fake, "organizer", "plan facilitators swap", {"member": "alice"})
    assert reply.content == f"<@{alice}> facilitates installment 1."  # turns are the commands'
    assert await rows(db, "SELECT user_id FROM facilitators ORDER BY position") == [
        (bob,),
        (alice,),
    ]


async def test_the_facilitator_gets_a_prep_packet_by_dm_three_days_before_once(
    fake_discord: FakeDiscord, started: ReadingGroupBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    fake.allow_pings(users=["alice"])  # the post of installment 1 names its facilitator
    await run(fake, "alice", "facilitate")
    await run(fake, "bob", "facilitate")
    # An hour before the first slot: installment 1's packet is due (since Friday), not 2's.
    assert await packets(started).run_group(fake.readings.id) == 1
    assert await packets(started).run_group(fake.readings.id) == 0  # claimed: sent once
    (dm,) = fake.bot_messages(fake.dm_channel("alice"))
    lines = dm.content.splitlines()
    assert re.fullmatch(
        r"\*\*Facilitator prep: readings\*\*, installment 1 of \d+, Mon 4 Jan 2027 19:00 "
        r"\(Europe/Berlin\)\. Thank you for leading this one!",
        lines[0],
    )
    assert lines[1] == "Excerpt: What is Proletarian Internationalism?, mccune §1"  # no source
    assert lines[2] == "Its questions:" and lines[3].startswith("1. ")
    assert "last discussion" not in dm.content  # nothing was posted yet
    assert fake.bot_messages(fake.dm_channel("bob")) == []
    assert await rows(
        db, "SELECT number, user_id, pending, delivered_at IS NOT NULL FROM facilitator_packets"
    ) == [(1, fake.alice.id, None, 1)]

    # Installment 1 is posted and discussed; at its slot installment 2's packet is due (Thu).
    clock.set(FIRST_SLOT)
    await tick(started)
    (thread,) = fake.threads(fake.readings)
    await fake.wait_for(lambda: thread.id in started.reply_log.threads, what="the thread logged")
    reply = fake.post(
        "alice",
        thread,
        "I am not sure what the author means by this.",
        at=FIRST_SLOT + dt.timedelta(minutes=5),
    )
    fake.react("bob", reply, "❓")
    words = started.library["proletarian-internationalism"].paragraph(1).text.split()[:10]
    fake.post("organizer", thread, "> " + " ".join(words), at=FIRST_SLOT + dt.timedelta(minutes=6))
    await logged(fake, db, "SELECT count(*) FROM reactions WHERE emoji = '❓'", [(1,)])
    await logged(fake, db, "SELECT count(*) FROM quote_matches", [(1,)])
    clock.set(FIRST_SLOT + dt.timedelta(minutes=10))
    assert await packets(started).run_group(fake.readings.id) == 1
    (dm,) = fake.bot_messages(fake.dm_channel("bob"))
    assert re.search(r"installment 2 of \d+, Thu 7 Jan 2027 19:00", dm.content)
    after = dm.content.split(
        "From the last discussion (proletarian-internationalism §1, 2 replies):\n"
    )[1]
    assert after.startswith("Open questions:\n- ")
    assert "Where members marked ❓:\n- proletarian-internationalism §1 (❓ 1)" in after
    assert after.endswith("Most quoted:\n- proletarian-internationalism §1 (quoted 1×)")
    assert "I am not sure" not in dm.content  # members' words are not in the packet


async def test_closed_dms_keep_the_packet_for_the_next_command_and_tell_the_organizers(
    fake_discord: FakeDiscord, started: ReadingGroupBot, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    await run(fake, "alice", "facilitate")
    fake.user("alice").accepts_dms = False
    assert await packets(started).run_group(fake.readings.id) == 1
    ((pending,),) = await rows(db, "SELECT pending FROM facilitator_packets")
    assert cast(str, pending).startswith("**Facilitator prep: readings**, installment 1 of ")
    (notice,) = fake.bot_messages(fake.readings, ephemeral=False)
    assert notice.content.startswith(
        "Organizers: the facilitator of installment 1 does not take DMs from me"
    )
    assert not any(s.pings for s in fake.sent)  # nobody is named with a ping
    inter = fake.slash("alice", "plan schedule", channel="readings")
    await inter.message()
    packet = await inter.followup()
    assert packet.content == pending and packet.flags & (1 << 6)
    assert await rows(db, "SELECT pending, delivered_at IS NOT NULL FROM facilitator_packets") == [
        (None, 1)
    ]
    second = fake.slash("alice", "plan schedule", channel="readings")
    await second.message()
    assert len(second.messages()) == 1  # shown once


async def test_a_turn_given_to_another_after_its_packet_went_out_follows_them_once(
    fake_discord: FakeDiscord, started: ReadingGroupBot, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    alice, bob = fake.alice.id, fake.bob.id
    await run(fake, "alice", "facilitate")
    await run(fake, "bob", "facilitate")
    cog = packets(started)
    assert await cog.run_group(fake.readings.id) == 1  # installment 1's packet: Alice's turn

    def dms(member: str) -> list[str]:
        return [m.content for m in fake.bot_messages(fake.dm_channel(member))]

    async def packet_rows() -> list[tuple[Any, ...]]:
        query = """
            SELECT number, user_id, delivered_at IS NOT NULL, released_at IS NOT NULL, pending
            FROM facilitator_packets ORDER BY user_id
        """
        return await rows(db, query)

    # Alice -> Bob: Bob gets the packet, Alice is told, once each.
    await run(fake, "organizer", "plan facilitators swap", {"member": "bob"})
    assert await cog.run_group(fake.readings.id) == 1
    assert await cog.run_group(fake.readings.id) == 0
    (packet,) = dms("bob")
    assert packet.startswith("**Facilitator prep: readings**, installment 1 of ")
    assert dms("alice")[1:] == [
        "**readings**: you no longer facilitate installment 1 (Mon 4 Jan 2027 19:00); an "
        "organizer gave it to someone else. Thank you for being ready!"
    ]
    assert await packet_rows() == [(1, alice, 1, 1, None), (1, bob, 1, 0, None)]

    # Bob -> Alice: she had the packet (not sent again) and is told the turn is hers again;
    # Bob, who prepared, is told he no longer facilitates it.
    await run(fake, "organizer", "plan facilitators swap", {"member": "alice"})
    assert await cog.run_group(fake.readings.id) == 0
    assert await cog.run_group(fake.readings.id) == 0
    assert dms("alice")[2:] == [
        "**readings**: you facilitate installment 1 (Mon 4 Jan 2027 19:00) again; the prep "
        "packet you had still holds."
    ]
    assert dms("bob")[1:] == [
        "**readings**: you no longer facilitate installment 1 (Mon 4 Jan 2027 19:00); an "
        "organizer gave it to someone else. Thank you for being ready!"
    ]
    assert len([d for d in dms("alice") if d.startswith("**Facilitator prep")]) == 1
    assert await packet_rows() == [(1, alice, 1, 0, None), (1, bob, 1, 1, None)]
    assert not any(s.pings for s in fake.sent)  # nobody is pinged by any of it


async def test_removing_a_member_keeps_the_turns_whose_packet_went_out(
    fake_discord: FakeDiscord, started: ReadingGroupBot, clock: Clock, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    fake.allow_pings(users=["alice"])  # the post of installment 1 names its facilitator
    alice, bob, carol = fake.alice.id, fake.bob.id, fake.organizer.id
    for member in ("alice", "bob", "organizer"):
        await run(fake, member, "facilitate")
    cog = packets(started)
    assert await cog.run_group(fake.readings.id) == 1  # installment 1: Alice
    clock.set(FIRST_SLOT)
    await tick(started)  # installment 1 is posted
    clock.set(FIRST_SLOT + dt.timedelta(minutes=10))
    assert await cog.run_group(fake.readings.id) == 1  # installment 2 (Thursday): Bob

    # Alice leaves: Bob keeps the turn he was told about (the round robin alone would give
    # installment 2 to the member after him); only the turns after it are dealt again.
    await run(fake, "organizer", "plan facilitators remove", {"member": "alice"})
    assert await rows(db, "SELECT number, user_id FROM facilitator_turns") == [(2, bob)]
    assert await cog.run_group(fake.readings.id) == 0
    assert len(fake.bot_messages(fake.dm_channel("bob"))) == 1  # his packet, nothing else
    assert fake.bot_messages(fake.dm_channel("organizer")) == []
    lines = (await run(fake, "bob", "plan facilitators list")).content.splitlines()
    assert lines[0] == f"Rotation: <@{bob}>, <@{carol}>."
    assert [line.split(": ")[-1] for line in lines[1:4]] == [
        f"<@{bob}>",
        f"<@{bob}>",
        f"<@{carol}>",
    ]
    assert lines[-1] == (
        "A change of the rotation keeps every turn whose prep packet went out (unless its "
        "facilitator leaves); the turns after are dealt again in rotation order."
    )

    # Bob leaves too: his announced turn goes on to the next facilitator, who gets the packet,
    # and he is told.
    await run(fake, "organizer", "plan facilitators remove", {"member": "bob"})
    assert await rows(db, "SELECT * FROM facilitator_turns") == []
    assert await cog.run_group(fake.readings.id) == 1
    (packet,) = fake.bot_messages(fake.dm_channel("organizer"))
    assert re.search(r"installment 2 of \d+, Thu 7 Jan 2027 19:00", packet.content)
    (_, told) = fake.bot_messages(fake.dm_channel("bob"))
    assert told.content.startswith("**readings**: you no longer facilitate installment 2 (")
    query = """
        SELECT number, user_id, released_at IS NOT NULL FROM facilitator_packets
        ORDER BY number, user_id
    """
    assert await rows(db, query) == sorted([(1, alice, 0), (2, bob, 1), (2, carol, 0)])


async def test_emptying_the_rotation_tells_the_holder_of_a_sent_packet_once(
    fake_discord: FakeDiscord, started: ReadingGroupBot, db: aiosqlite.Connection
) -> None:
    fake = fake_discord
    alice = fake.alice.id
    await run(fake, "alice", "facilitate")
    cog = packets(started)
    assert await cog.run_group(fake.readings.id) == 1  # installment 1's packet: Alice's turn

    # The last member leaves: nobody facilitates installment 1 now, and Alice, who was
    # preparing it, is told so (once), not left believing it is still hers.
    await run(fake, "organizer", "plan facilitators remove", {"member": "alice"})
    assert await cog.run_group(fake.readings.id) == 0
    assert await cog.run_group(fake.readings.id) == 0
    (packet, told) = [m.content for m in fake.bot_messages(fake.dm_channel("alice"))]
    assert packet.startswith("**Facilitator prep: readings**, installment 1 of ")
    assert told == (
        "**readings**: you no longer facilitate installment 1 (Mon 4 Jan 2027 19:00); the group "
        "has no facilitators for now. Thank you for being ready!"
    )
    query = "SELECT number, user_id, released_at IS NOT NULL FROM facilitator_packets"
    assert await rows(db, query) == [(1, alice, 1)]
    assert not any(s.pings for s in fake.sent)

    # She volunteers again: the turn is hers again and she is told so, the packet not resent.
    await run(fake, "alice", "facilitate")
    assert await cog.run_group(fake.readings.id) == 0
    assert [m.content for m in fake.bot_messages(fake.dm_channel("alice"))][2:] == [
        "**readings**: you facilitate installment 1 (Mon 4 Jan 2027 19:00) again; the prep "
        "packet you had still holds."
    ]
    assert await rows(db, query) == [(1, alice, 0)]
