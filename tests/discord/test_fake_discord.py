"""The fake Discord, driven by a real discord.py ``commands.Bot`` defined here.

These tests prove the fake behaves as Discord does towards discord.py 2.7: login and command
sync, interactions (replies, defers, follow-ups, autocomplete, buttons, selects, modals), the
limits and error shapes Discord enforces, gateway resume/reconnect/restart, threads, history
paging and member events.
"""

import asyncio
import io
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands
from discord.http import Route

from tests.discord.conftest import StartBot
from tests.fakediscord import FakeDiscord
from tests.fakediscord.state import INTENT_MESSAGE_CONTENT

DAYS_15 = timedelta(days=15)
READINGS = ["Socialism in One Country", "Internationalism", "The Communist Manifesto"] + [
    f"Essay {n}" for n in range(30)
]


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    """A one-field modal."""

    text: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Your feedback", custom_id="feedback:text", max_length=200
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"Thanks: {self.text.value}", ephemeral=True)


class VoteView(discord.ui.View):
    """A button that edits its message and a select that answers ephemerally."""

    def __init__(self) -> None:
        super().__init__(timeout=None)
        self.votes = 0

    @discord.ui.button(label="Agree", custom_id="vote:agree")
    async def agree(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        self.votes += 1
        await interaction.response.edit_message(content=f"Votes: {self.votes}", view=self)

    @discord.ui.select(
        custom_id="vote:pick",
        options=[discord.SelectOption(label=x, value=x) for x in ("a", "b", "c")],
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[Any]) -> None:
        await interaction.response.send_message(f"You picked {select.values[0]}", ephemeral=True)


class RecordingBot(commands.Bot):
    """A small bot with a few app commands that records the gateway events it receives."""

    def __init__(self, guild_id: int, *, intents: discord.Intents | None = None) -> None:
        if intents is None:
            intents = discord.Intents.default()
            intents.message_content = True
            intents.members = True
        super().__init__(
            command_prefix="!",
            intents=intents,
            guild_ready_timeout=0.1,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.guild_id = guild_id
        self.events: list[tuple[str, Any]] = []
        self.gate = asyncio.Event()
        self.errors: list[Exception] = []
        commands_: list[app_commands.Command[Any, Any, Any]] = [
            echo,
            revise,
            schedule,
            slow,
            find,
            many,
            vote,
            feedback,
            twice,
            gated,
            later,
        ]
        for command in commands_:
            self.tree.add_command(command)

    async def setup_hook(self) -> None:
        guild = discord.Object(self.guild_id)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)

    def seen(self, kind: str) -> list[Any]:
        """Payloads of the recorded events of one kind."""
        return [payload for name, payload in self.events if name == kind]

    async def on_ready(self) -> None:
        self.events.append(("ready", None))

    async def on_resumed(self) -> None:
        self.events.append(("resumed", None))

    async def on_message(self, message: discord.Message) -> None:
        self.events.append(("message", (message.id, message.author.id, message.content)))

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        self.events.append(("edit", (payload.message_id, payload.message.content)))

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        self.events.append(("delete", payload.message_id))

    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        self.events.append(("bulk_delete", sorted(payload.message_ids)))

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        member = payload.member.name if payload.member else None
        self.events.append(("reaction", (payload.message_id, str(payload.emoji), member)))

    async def on_thread_create(self, thread: discord.Thread) -> None:
        self.events.append(("thread", thread.id))

    async def on_raw_thread_update(self, payload: discord.RawThreadUpdateEvent) -> None:
        metadata = payload.data["thread_metadata"]
        update = (payload.thread_id, metadata["archived"], metadata.get("locked", False))
        self.events.append(("thread_update", update))

    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        self.events.append(("thread_delete", payload.thread_id))


def recording_bot(interaction: discord.Interaction) -> RecordingBot:
    """The bot handling ``interaction``."""
    bot = interaction.client
    assert isinstance(bot, RecordingBot)
    return bot


@app_commands.command()
async def echo(interaction: discord.Interaction, text: str) -> None:
    """Repeat the text."""
    await interaction.response.send_message(text)


@app_commands.command()
async def revise(interaction: discord.Interaction) -> None:
    """Answer, revise, follow up, then retract the follow-up."""
    await interaction.response.send_message("draft")
    await interaction.edit_original_response(content="final")
    original = await interaction.original_response()
    extra = await interaction.followup.send(f"original says {original.content}", wait=True)
    await extra.edit(content="edited follow-up")
    await extra.delete()


@app_commands.command()
@app_commands.default_permissions(manage_guild=True)
async def schedule(interaction: discord.Interaction) -> None:
    """Organizers only: show the schedule."""
    await interaction.response.send_message("Next post: Monday", ephemeral=True)


@app_commands.command()
async def slow(interaction: discord.Interaction) -> None:
    """Think, then answer in two parts."""
    await interaction.response.defer(thinking=True)
    await interaction.followup.send("part 1")
    await interaction.followup.send("part 2")


@app_commands.command()
async def find(interaction: discord.Interaction, reading: str) -> None:
    """Find a reading."""
    await interaction.response.send_message(f"Found {reading}")


@find.autocomplete("reading")
async def find_reading(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    matches = [r for r in READINGS if current.lower() in r.lower()]
    return [app_commands.Choice(name=r, value=r) for r in matches[:25]]


@app_commands.command()
async def many(interaction: discord.Interaction, reading: str) -> None:
    """Find a reading (autocomplete forgets Discord's 25-choice limit)."""
    await interaction.response.send_message(reading)


@many.autocomplete("reading")
async def many_reading(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=r, value=r) for r in READINGS]


@app_commands.command()
async def vote(interaction: discord.Interaction) -> None:
    """Post a vote."""
    await interaction.response.send_message("Votes: 0", view=VoteView())


@app_commands.command()
async def feedback(interaction: discord.Interaction) -> None:
    """Open the feedback form."""
    await interaction.response.send_modal(FeedbackModal())


@app_commands.command()
async def twice(interaction: discord.Interaction) -> None:
    """Answer twice (a bug Discord rejects)."""
    await interaction.response.send_message("one")
    try:
        await interaction.response.send_message("two")
    except discord.InteractionResponded:
        # discord.py guards this locally; bypass the guard to reach Discord's check.
        interaction.response._response_type = None
        try:
            await interaction.response.send_message("two")
        except discord.HTTPException as exc:
            recording_bot(interaction).errors.append(exc)


@app_commands.command()
async def gated(interaction: discord.Interaction) -> None:
    """Answer once the test opens the gate."""
    bot = recording_bot(interaction)
    await bot.gate.wait()
    try:
        await interaction.response.send_message("late")
    except discord.HTTPException as exc:
        bot.errors.append(exc)


@app_commands.command()
async def later(interaction: discord.Interaction) -> None:
    """Defer, then follow up once the test opens the gate."""
    bot = recording_bot(interaction)
    await interaction.response.defer()
    await bot.gate.wait()
    try:
        await interaction.followup.send("much later")
    except discord.HTTPException as exc:
        bot.errors.append(exc)


@pytest.fixture
async def bot(fake_discord: FakeDiscord, start_bot: StartBot) -> RecordingBot:
    """The recording bot, started and ready."""
    client = RecordingBot(fake_discord.guild.id)
    await start_bot(client)
    return client


def text_channel(bot: RecordingBot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


# --------------------------------------------------------------------- login


async def test_login_syncs_guild_commands_and_receives_the_guild(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    routes = [(r.method, r.template, r.status) for r in fake_discord.requests]
    assert routes[:3] == [
        ("GET", "/users/@me", 200),
        ("GET", "/oauth2/applications/@me", 200),
        ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", 200),
    ]
    synced = {c["name"] for c in fake_discord.state.commands[fake_discord.guild.id]}
    assert synced == {
        "echo",
        "revise",
        "schedule",
        "slow",
        "find",
        "many",
        "vote",
        "feedback",
        "twice",
        "gated",
        "later",
    }
    guild = bot.get_guild(fake_discord.guild.id)
    assert guild is not None
    assert bot.user is not None and bot.user.id == fake_discord.bot.id
    assert guild.member_count == len(fake_discord.guild.members) == 5
    assert guild.default_role.id == guild.id
    assert {c.name for c in guild.text_channels} >= {"general", "readings", "no-send"}
    assert bot.seen("ready") == [None]


async def test_a_client_is_ready_as_soon_as_its_guild_has_come(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    # discord.py alone would wait out the minute after the last GUILD_CREATE.
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=60)
    await start_bot(client, timeout=5)
    guild = client.get_guild(fake_discord.guild.id)
    assert guild is not None and not guild.unavailable
    assert guild.get_channel(fake_discord.readings.id) is not None


async def test_a_guild_that_never_comes_ends_the_wait_after_the_clients_timeout(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    # Without the guilds intent READY lists the guild but no GUILD_CREATE follows.
    client = discord.Client(intents=discord.Intents.none(), guild_ready_timeout=0.1)
    await start_bot(client)
    guild = client.get_guild(fake_discord.guild.id)
    assert guild is not None and guild.unavailable


# -------------------------------------------------------------- interactions


async def test_slash_command_reply_is_posted_and_echoed(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    inter = fake_discord.slash("alice", "echo", {"text": "hello, group"})
    posted = await fake_discord.wait_for_message("general")
    reply = await inter.message()
    assert posted is reply
    assert reply.content == "hello, group"
    assert not reply.ephemeral
    assert fake_discord.messages("general")[-1] is reply
    await fake_discord.wait_for(
        lambda: (reply.id, fake_discord.bot.id, "hello, group") in bot.seen("message")
    )


async def test_deferred_reply_is_replaced_by_the_first_follow_up(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    inter = fake_discord.slash("bob", "slow")
    assert (await inter.response()).type == 5
    second = await inter.followup(1)
    assert [m.content for m in fake_discord.messages("general")] == ["part 1", "part 2"]
    assert inter.original is inter.followups[0]
    assert not inter.original.loading
    assert second.content == "part 2"


async def test_original_and_follow_up_can_be_read_edited_and_deleted(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    inter = fake_discord.slash("alice", "revise")
    await fake_discord.wait_for(lambda: fake_discord.deleted)
    (extra,) = fake_discord.deleted
    assert extra.content == "edited follow-up"
    assert [m.content for m in fake_discord.messages("general")] == ["final"]
    assert inter.followups == [extra]
    webhook = "/webhooks/{webhook_id}/{webhook_token}"
    assert [(r.method, r.template) for r in fake_discord.requests[-5:]] == [
        ("PATCH", webhook + "/messages/@original"),
        ("GET", webhook + "/messages/@original"),
        ("POST", webhook),
        ("PATCH", webhook + "/messages/{message_id}"),
        ("DELETE", webhook + "/messages/{message_id}"),
    ]


async def test_autocomplete_answers_matching_choices(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    inter = fake_discord.autocomplete("alice", "find", {"reading": "intern"}, focused="reading")
    assert await inter.choices() == [{"name": "Internationalism", "value": "Internationalism"}]


async def test_autocomplete_with_too_many_choices_is_rejected(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    inter = fake_discord.autocomplete("alice", "many", {"reading": ""}, focused="reading")
    await fake_discord.wait_for(lambda: fake_discord.violations)
    (violation,) = fake_discord.take_violations("invalid_form")
    assert violation.status == 400
    assert (
        "data.choices: Must be 25 or fewer in length. [BASE_TYPE_MAX_LENGTH]" in violation.details
    )
    assert not inter.responded


async def test_button_click_updates_the_message(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    posted = await fake_discord.slash("alice", "vote").message()
    click = fake_discord.click("bob", posted, "vote:agree")
    assert (await click.response()).type == 7
    assert posted.content == "Votes: 1"
    assert posted.edited_at is not None


async def test_select_answers_ephemerally(fake_discord: FakeDiscord, bot: RecordingBot) -> None:
    posted = await fake_discord.slash("alice", "vote").message()
    picked = await fake_discord.select("bob", posted, "vote:pick", ["b"]).message()
    assert picked.content == "You picked b"
    assert picked.ephemeral
    assert picked not in fake_discord.messages("general")


async def test_modal_submit_reaches_the_modal(fake_discord: FakeDiscord, bot: RecordingBot) -> None:
    opened = fake_discord.slash("alice", "feedback")
    modal = await opened.modal()
    assert modal["title"] == "Feedback"
    thanks = await fake_discord.submit_modal("alice", opened, {"feedback:text": "Great"}).message()
    assert thanks.content == "Thanks: Great"
    assert thanks.ephemeral


async def test_second_initial_response_is_rejected_with_40060(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    fake_discord.slash("alice", "twice")
    await fake_discord.wait_for(lambda: bot.errors)
    (error,) = bot.errors
    assert isinstance(error, discord.HTTPException) and error.code == 40060
    assert [v.kind for v in fake_discord.take_violations()] == ["already_acknowledged"]


@pytest.mark.parametrize(
    ("command", "advance", "violation", "status", "code"),
    [
        ("gated", 3.5, "interaction_timeout", 404, 10062),
        ("later", 16 * 60, "token_expired", 401, 50027),
    ],
)
async def test_interaction_deadlines_are_enforced(
    fake_discord: FakeDiscord,
    bot: RecordingBot,
    command: str,
    advance: float,
    violation: str,
    status: int,
    code: int,
) -> None:
    inter = fake_discord.slash("alice", command)
    if command == "later":
        await inter.response()
    fake_discord.advance_time(advance)
    bot.gate.set()
    await fake_discord.wait_for(lambda: bot.errors)
    (error,) = bot.errors
    assert isinstance(error, discord.HTTPException)
    assert (error.status, error.code) == (status, code)
    assert [v.kind for v in fake_discord.take_violations()] == [violation]


@pytest.mark.parametrize(
    ("user", "channel", "visible"),
    [
        ("owner", "general", True),
        ("organizer", "general", True),
        ("alice", "general", False),
        ("organizer", "hidden", False),
        ("owner", "hidden", True),
    ],
)
async def test_command_visibility_follows_default_member_permissions(
    fake_discord: FakeDiscord, bot: RecordingBot, user: str, channel: str, visible: bool
) -> None:
    if not visible:
        with pytest.raises(PermissionError):
            fake_discord.slash(user, "schedule", channel=channel)
        return
    reply = await fake_discord.slash(user, "schedule", channel=channel).message()
    assert (reply.content, reply.ephemeral) == ("Next post: Monday", True)


async def test_unsynced_command_cannot_be_invoked(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    with pytest.raises(LookupError, match="not synced"):
        fake_discord.slash("alice", "nope")


# ------------------------------------------------------------ limits, errors


def _big_embed(description: int) -> dict[str, Any]:
    return {"description": "d" * description}


MESSAGES = "/channels/{channel_id}/messages"


@pytest.mark.parametrize(
    ("payload", "path", "error_code"),
    [
        ({"content": "x" * 2001}, ["content"], "BASE_TYPE_MAX_LENGTH"),
        ({"embeds": [{"title": "t" * 257}]}, ["embeds", "0", "title"], "BASE_TYPE_MAX_LENGTH"),
        ({"embeds": [_big_embed(4097)]}, ["embeds", "0", "description"], "BASE_TYPE_MAX_LENGTH"),
        (
            {"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]},
            ["embeds", "0", "fields"],
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            {"embeds": [{"fields": [{"name": "n" * 257, "value": "v"}]}]},
            ["embeds", "0", "fields", "0", "name"],
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            {"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]},
            ["embeds", "0", "fields", "0", "value"],
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            {"embeds": [{"footer": {"text": "f" * 2049}}]},
            ["embeds", "0", "footer", "text"],
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            {"embeds": [{"author": {"name": "a" * 257}}]},
            ["embeds", "0", "author", "name"],
            "BASE_TYPE_MAX_LENGTH",
        ),
        ({"embeds": [{"title": "t"}] * 11}, ["embeds"], "BASE_TYPE_MAX_LENGTH"),
        ({"embeds": [_big_embed(4000), _big_embed(2001)]}, ["embeds"], "MAX_EMBED_SIZE_EXCEEDED"),
        (
            {
                "components": [
                    {
                        "type": 1,
                        "components": [{"type": 2, "style": 1, "label": "b", "custom_id": f"r{r}"}],
                    }
                    for r in range(6)
                ]
            },
            ["components"],
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            {
                "components": [
                    {
                        "type": 1,
                        "components": [
                            {"type": 2, "style": 1, "label": "b", "custom_id": f"b{n}"}
                            for n in range(6)
                        ],
                    }
                ]
            },
            ["components", "0", "components"],
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            {
                "components": [
                    {
                        "type": 1,
                        "components": [
                            {"type": 2, "style": 1, "label": "b", "custom_id": "c" * 101}
                        ],
                    }
                ]
            },
            ["components", "0", "components", "0", "custom_id"],
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            {
                "components": [
                    {
                        "type": 1,
                        "components": [
                            {
                                "type": 3,
                                "custom_id": "s",
                                "options": [{"label": str(n), "value": str(n)} for n in range(26)],
                            }
                        ],
                    }
                ]
            },
            ["components", "0", "components", "0", "options"],
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            {"content": "hi", "allowed_mentions": {"parse": ["users"], "users": ["1"]}},
            ["allowed_mentions"],
            "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
        ),
        ({"content": 5}, ["content"], "SCHEMA_TYPE"),
    ],
)
async def test_message_over_discords_limits_is_rejected_with_its_error_shape(
    fake_discord: FakeDiscord,
    bot: RecordingBot,
    payload: dict[str, Any],
    path: list[str],
    error_code: str,
) -> None:
    route = Route("POST", MESSAGES, channel_id=fake_discord.general.id)
    with pytest.raises(discord.HTTPException) as caught:
        await bot.http.request(route, json=payload)
    assert (caught.value.status, caught.value.code) == (400, 50035)
    response = fake_discord.requests_to("POST", MESSAGES)[-1].response
    assert response["message"] == "Invalid Form Body"
    node = response["errors"]
    for key in path:
        node = node[key]
    assert error_code in [e["code"] for e in node["_errors"]]
    assert len(fake_discord.take_violations()) == 1
    assert fake_discord.messages("general") == []


async def test_too_long_message_from_the_client_api_fails_with_400(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    with pytest.raises(discord.HTTPException) as caught:
        await text_channel(bot, fake_discord.general.id).send("x" * 2001)
    assert (caught.value.status, caught.value.code) == (400, 50035)
    (violation,) = fake_discord.take_violations("invalid_form")
    assert violation.details == ["content: Must be 2000 or fewer in length. [BASE_TYPE_MAX_LENGTH]"]


async def test_empty_message_is_rejected_with_50006(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    route = Route("POST", MESSAGES, channel_id=fake_discord.general.id)
    with pytest.raises(discord.HTTPException) as caught:
        await bot.http.request(route, json={"content": "  ", "embeds": []})
    assert (caught.value.status, caught.value.code) == (400, 50006)
    assert [v.kind for v in fake_discord.take_violations()] == ["empty_message"]


async def test_multipart_upload_stores_the_file_and_validates_payload_json(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    channel = text_channel(bot, fake_discord.general.id)
    sent = await channel.send("notes", file=discord.File(io.BytesIO(b"chapter one"), "notes.txt"))
    assert await sent.attachments[0].read() == b"chapter one"
    with pytest.raises(discord.HTTPException):
        await channel.send("x" * 2001, file=discord.File(io.BytesIO(b"x"), "x.txt"))
    assert [v.kind for v in fake_discord.take_violations()] == ["invalid_form"]


async def test_unknown_route_is_recorded(fake_discord: FakeDiscord, bot: RecordingBot) -> None:
    with pytest.raises(discord.NotFound):
        await bot.http.request(
            Route("GET", "/guilds/{guild_id}/audit-logs", guild_id=fake_discord.guild.id)
        )
    assert [v.path for v in fake_discord.unknown_routes] == [
        f"/guilds/{fake_discord.guild.id}/audit-logs"
    ]
    fake_discord.take_violations("unknown_route")


async def _send(target: discord.TextChannel, bot: RecordingBot) -> None:
    await target.send("hello")


async def _thread(target: discord.TextChannel, bot: RecordingBot) -> None:
    await target.create_thread(name="talk", type=discord.ChannelType.public_thread)


async def _thread_in_thread(target: discord.TextChannel, bot: RecordingBot) -> None:
    thread = await target.create_thread(name="talk", type=discord.ChannelType.public_thread)
    route = Route("POST", "/channels/{channel_id}/threads", channel_id=thread.id)
    await bot.http.request(route, json={"name": "nested", "type": 11})


@pytest.mark.parametrize(
    ("channel", "action", "status", "code"),
    [
        ("no_send", _send, 403, 50013),
        ("no_threads", _thread, 403, 50013),
        ("general", _thread_in_thread, 400, 50024),
    ],
)
async def test_refused_actions_answer_discords_error_without_a_violation(
    fake_discord: FakeDiscord,
    bot: RecordingBot,
    channel: str,
    action: Callable[[discord.TextChannel, RecordingBot], Awaitable[None]],
    status: int,
    code: int,
) -> None:
    target = text_channel(bot, getattr(fake_discord, channel).id)
    with pytest.raises(discord.HTTPException) as caught:
        await action(target, bot)
    assert (caught.value.status, caught.value.code) == (status, code)
    assert fake_discord.violations == []


async def test_rate_limit_with_via_header_is_retried(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    fake_discord.fail_next("POST", MESSAGES, status=429, retry_after=0.01)
    await text_channel(bot, fake_discord.general.id).send("after a 429")
    assert [r.status for r in fake_discord.requests_to("POST", MESSAGES)] == [429, 200]


@pytest.mark.parametrize(
    ("allowed", "pings"),
    [
        (discord.AllowedMentions.none(), False),
        (discord.AllowedMentions(everyone=False, users=False, roles=False), False),
        (discord.AllowedMentions.all(), True),
        (discord.AllowedMentions(everyone=False, roles=False, users=True), True),
    ],
)
async def test_pings_are_checked_against_allowed_mentions(
    fake_discord: FakeDiscord, bot: RecordingBot, allowed: discord.AllowedMentions, pings: bool
) -> None:
    content = f"<@{fake_discord.alice.id}> read this, @everyone"
    await text_channel(bot, fake_discord.general.id).send(content, allowed_mentions=allowed)
    if pings:
        with pytest.raises(AssertionError, match="would ping"):
            fake_discord.assert_no_pings()
        fake_discord.allow_pings(users=["alice"], everyone=True)
    fake_discord.assert_no_pings(users=["alice"], everyone=True)


# --------------------------------------------------------------- login errors


async def test_bad_token_fails_login(fake_discord: FakeDiscord, start_bot: StartBot) -> None:
    runner = await start_bot(RecordingBot(fake_discord.guild.id), token="wrong", wait_ready=False)
    assert isinstance(await runner.wait_closed(), discord.LoginFailure)
    assert [(r.path, r.status) for r in fake_discord.rejected()] == [("/users/@me", 401)]


@pytest.mark.parametrize(
    ("setting", "value", "error", "code"),
    [
        ("gateway_accepts_token", False, discord.ConnectionClosed, 4004),
        ("privileged_intents", 0, discord.PrivilegedIntentsRequired, 4014),
    ],
)
async def test_gateway_refusals_end_the_client(
    fake_discord: FakeDiscord,
    start_bot: StartBot,
    setting: str,
    value: Any,
    error: type[Exception],
    code: int,
) -> None:
    setattr(fake_discord.config, setting, value)
    runner = await start_bot(RecordingBot(fake_discord.guild.id), wait_ready=False)
    assert isinstance(await runner.wait_closed(), error)
    assert [c.server_close_code for c in fake_discord.gateway.connections] == [code]


async def test_without_message_content_intent_member_content_is_empty(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    fake_discord.config.privileged_intents &= ~INTENT_MESSAGE_CONTENT
    client = RecordingBot(fake_discord.guild.id, intents=discord.Intents.default())
    await start_bot(client)
    plain = fake_discord.post("alice", "general", "hello all")
    mention = fake_discord.post("alice", "general", f"<@{fake_discord.bot.id}> hi bot")
    await fake_discord.wait_for(lambda: len(client.seen("message")) == 2)
    assert client.seen("message") == [
        (plain.id, fake_discord.alice.id, ""),
        (mention.id, fake_discord.alice.id, mention.content),
    ]


# -------------------------------------------------------------------- gateway


@pytest.mark.parametrize("code", [4000, 1001, None])
async def test_resume_replays_events_missed_while_disconnected(
    fake_discord: FakeDiscord, bot: RecordingBot, code: int | None
) -> None:
    async with fake_discord.gateway_down(code):
        missed = fake_discord.post("alice", "general", "while you were away")
    await fake_discord.wait_for(lambda: bot.seen("resumed"))
    await fake_discord.wait_for(
        lambda: (missed.id, missed.author_id, missed.content) in bot.seen("message")
    )
    assert len(fake_discord.gateway.identifies) == 1
    assert len(fake_discord.gateway.resumes) == 1
    assert bot.seen("ready") == [None]


async def test_reconnect_request_resumes_the_session(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    fake_discord.request_reconnect()
    await fake_discord.wait_for(lambda: bot.seen("resumed"))
    assert [c.closed for c in fake_discord.gateway.connections] == [True, False]
    assert len(fake_discord.gateway.identifies) == 1


async def test_restart_forces_a_new_session(fake_discord: FakeDiscord, bot: RecordingBot) -> None:
    fake_discord.restart()
    await fake_discord.wait_for(lambda: len(bot.seen("ready")) == 2)
    assert len(fake_discord.gateway.identifies) == 2
    first, second = fake_discord.gateway.all_sessions
    assert first.id != second.id
    assert second.event_names()[:2] == ["READY", "GUILD_CREATE"]


async def test_clean_close_is_recorded_as_4000(
    fake_discord: FakeDiscord, start_bot: StartBot
) -> None:
    runner = await start_bot(RecordingBot(fake_discord.guild.id))
    await runner.stop()
    await fake_discord.wait_for(lambda: fake_discord.gateway.connections[-1].closed)
    assert [c.client_close_code for c in fake_discord.gateway.connections] == [4000]


# ---------------------------------------------------- threads and history


async def test_thread_from_a_message_is_created_and_announced(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    post = await text_channel(bot, fake_discord.readings.id).send("Excerpt 1")
    thread = await post.create_thread(name="Discussion: Excerpt 1")
    (fake_thread,) = fake_discord.threads("readings")
    assert thread.id == fake_thread.id == post.id
    assert fake_thread.name == "Discussion: Excerpt 1"
    await fake_discord.wait_for(lambda: bot.seen("thread") == [thread.id])
    await thread.send("First question?")
    assert [m.content for m in fake_discord.messages(thread.id)] == ["First question?"]
    with pytest.raises(discord.HTTPException) as caught:
        await post.create_thread(name="again")
    assert caught.value.code == 160004


async def test_bot_archives_reopens_and_deletes_a_thread(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    channel = text_channel(bot, fake_discord.readings.id)
    thread = await channel.create_thread(name="Week 1", type=discord.ChannelType.public_thread)
    (fake_thread,) = fake_discord.threads("readings")
    assert [m.type for m in fake_discord.messages("readings")] == [18]
    await thread.edit(archived=True)
    assert fake_thread.archived
    await thread.send("Reopening with a new question")
    assert not fake_thread.archived
    fake_discord.set_thread(fake_thread, archived=True, locked=True)
    await fake_discord.wait_for(lambda: (thread.id, True, True) in bot.seen("thread_update"))
    await thread.delete()
    await fake_discord.wait_for(lambda: bot.seen("thread_delete") == [thread.id])
    assert fake_discord.threads("readings") == []


async def test_thread_name_over_100_characters_is_rejected(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    post = await text_channel(bot, fake_discord.readings.id).send("Excerpt 2")
    with pytest.raises(discord.HTTPException) as caught:
        await post.create_thread(name="n" * 101)
    assert caught.value.code == 50035
    assert [v.kind for v in fake_discord.take_violations()] == ["invalid_form"]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"limit": None}, list(range(119, -1, -1))),
        ({"limit": 30}, list(range(119, 89, -1))),
        ({"limit": None, "oldest_first": True}, list(range(120))),
        ({"limit": 10, "after": 50}, list(range(51, 61))),
        ({"limit": 10, "before": 50}, list(range(49, 39, -1))),
        ({"limit": 5, "around": 50}, [48, 49, 50, 51, 52]),
    ],
)
async def test_history_pages_like_discord(
    fake_discord: FakeDiscord, bot: RecordingBot, kwargs: dict[str, Any], expected: list[int]
) -> None:
    thread = fake_discord.create_thread("alice", "general", "Long discussion")
    posted = [fake_discord.post("bob", thread, f"reply {n}") for n in range(120)]
    await fake_discord.wait_for(lambda: bot.get_channel(thread.id) is not None)
    channel = bot.get_channel(thread.id)
    assert isinstance(channel, discord.Thread)
    for key in ("after", "before", "around"):
        if key in kwargs:
            kwargs[key] = discord.Object(posted[kwargs[key]].id)
    got = [m.id async for m in channel.history(**kwargs)]
    if "around" in kwargs:
        got.sort()
    assert got == [posted[n].id for n in expected]


# ---------------------------------------------------------------- members


async def test_member_post_edit_react_delete_reach_the_bot(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    first = fake_discord.post("alice", "general", "first thought")
    second = fake_discord.post("bob", "general", "second thought", reply_to=first)
    fake_discord.edit(first, "first thought, revised")
    fake_discord.react("bob", first, "👍")
    fake_discord.delete(second)
    third = fake_discord.post("bob", "general", "third")
    fourth = fake_discord.post("bob", "general", "fourth")
    fake_discord.bulk_delete([third, fourth])
    await fake_discord.wait_for(lambda: bot.seen("bulk_delete"))
    assert [m[0] for m in bot.seen("message")] == [first.id, second.id, third.id, fourth.id]
    assert bot.seen("edit") == [(first.id, "first thought, revised")]
    assert bot.seen("reaction") == [(first.id, "👍", "bob")]
    assert bot.seen("delete") == [second.id]
    assert bot.seen("bulk_delete") == [sorted([third.id, fourth.id])]


async def test_bot_dm_reaches_the_member_unless_closed(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    alice = await bot.fetch_user(fake_discord.alice.id)
    await alice.send("Your weekly summary")
    assert [m.content for m in fake_discord.messages(fake_discord.dm_channel("alice"))] == [
        "Your weekly summary"
    ]
    fake_discord.bob.accepts_dms = False
    bob = await bot.fetch_user(fake_discord.bob.id)
    with pytest.raises(discord.Forbidden) as caught:
        await bob.send("hello")
    assert caught.value.code == 50007


async def test_bot_reads_and_moderates_through_rest(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    channel = await bot.fetch_channel(fake_discord.general.id)
    assert isinstance(channel, discord.TextChannel) and channel.name == "general"
    guild = bot.get_guild(fake_discord.guild.id)
    assert guild is not None
    organizer = await guild.fetch_member(fake_discord.organizer.id)
    assert organizer.guild_permissions.manage_guild
    question = fake_discord.post("alice", "general", "a question")
    partial = channel.get_partial_message(question.id)
    await partial.add_reaction("📖")
    await partial.pin()
    reply = await partial.reply("noted")
    await reply.edit(content="noted, thanks")
    assert question.reactions == {"📖": [fake_discord.bot.id]}
    assert question.pinned_at is not None
    stored = fake_discord.message(reply.id)
    assert (stored.content, stored.type) == ("noted, thanks", 19)
    assert stored.reference is not None and stored.reference["message_id"] == str(question.id)
    await fake_discord.wait_for(lambda: bot.seen("edit"))
    assert bot.seen("reaction") == [(question.id, "📖", "readinggroup")]
    assert bot.seen("edit") == [(reply.id, "noted, thanks")]
    await channel.delete_messages([partial, reply])
    await fake_discord.wait_for(lambda: bot.seen("bulk_delete"))
    assert [m.type for m in fake_discord.messages("general")] == [6]


async def test_bulk_delete_of_messages_older_than_14_days_is_rejected(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    old = fake_discord.post("alice", "general", "old", at=fake_discord.clock.now() - DAYS_15)
    new = fake_discord.post("alice", "general", "new")
    with pytest.raises(discord.HTTPException) as caught:
        await text_channel(bot, fake_discord.general.id).delete_messages(
            [discord.Object(old.id), discord.Object(new.id)]
        )
    assert caught.value.code == 50034
    assert [v.kind for v in fake_discord.take_violations()] == ["bulk_delete_too_old"]
    assert fake_discord.messages("general") == [old, new]


async def test_guild_changes_reach_the_bots_cache(
    fake_discord: FakeDiscord, bot: RecordingBot
) -> None:
    readers = fake_discord.add_role("Readers", mentionable=True)
    carol = fake_discord.add_member("carol")
    fake_discord.set_roles(carol, [readers])
    fake_discord.add_channel("book-club")
    guild = bot.get_guild(fake_discord.guild.id)
    assert guild is not None

    def synced() -> bool:
        member = guild.get_member(carol.id)
        return member is not None and [r.name for r in member.roles] == ["@everyone", "Readers"]

    await fake_discord.wait_for(synced)
    await fake_discord.wait_for(lambda: discord.utils.get(guild.text_channels, name="book-club"))
    assert guild.member_count == 6
