"""Interactions a test sends to the bot, and what the bot answered.

:class:`Interaction` is both the fake's record (id, token, deadline, responses) and the handle a
test awaits: ``await inter.response()``, ``await inter.message()``, ``await inter.choices()``.
The builders turn a command name and Python option values into the ``data`` Discord would send,
from the commands the bot synced (an unsynced command cannot be invoked, as on Discord).
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.fakediscord.state import Attachment, Channel, Guild, Message, Role, State, User

if TYPE_CHECKING:
    from tests.fakediscord.base import FakeBase
    from tests.fakediscord.world import WorldMixin

APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

# Callback types.
CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9

VALID_CALLBACKS = {
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL},
    MESSAGE_COMPONENT: {
        CHANNEL_MESSAGE,
        DEFERRED_CHANNEL_MESSAGE,
        DEFERRED_UPDATE_MESSAGE,
        UPDATE_MESSAGE,
        MODAL,
    },
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {
        CHANNEL_MESSAGE,
        DEFERRED_CHANNEL_MESSAGE,
        DEFERRED_UPDATE_MESSAGE,
        UPDATE_MESSAGE,
    },
}


@dataclass
class Callback:
    """One accepted initial response: its ``type`` and ``data``."""

    type: int
    data: dict[str, Any]


@dataclass(eq=False)
class Interaction:
    """An interaction sent to the bot and everything it answered.

    Attributes:
        id: interaction id.
        token: interaction token (the follow-up webhook's token).
        type: 2 command, 3 component, 4 autocomplete, 5 modal submit.
        payload: the INTERACTION_CREATE ``d`` sent on the gateway.
        user_id: who interacted.
        channel_id: where.
        created: the fake clock's monotonic time at dispatch (3 s / 15 min deadlines).
        message_id: for components (and modals opened from one), the message interacted with.
        callback: the accepted initial response, if any.
        original: the response message (or, after types 6/7, the component's message).
        followups: follow-up messages, in order.
        deleted_original: whether the bot deleted its original response.
    """

    fake: "FakeBase"
    id: int
    token: str
    type: int
    payload: dict[str, Any]
    user_id: int
    channel_id: int
    created: float
    message_id: int | None = None
    callback: Callback | None = None
    original: Message | None = None
    followups: list[Message] = field(default_factory=list)
    deleted_original: bool = False

    @property
    def responded(self) -> bool:
        """Whether the bot acknowledged the interaction."""
        return self.callback is not None

    async def response(self, timeout: float = 3.0) -> Callback:  # noqa: ASYNC109 - the test API takes timeouts
        """Waits for the bot's initial response (any type) and returns it."""
        await self.fake.wait_for(
            lambda: self.callback is not None, timeout, f"a response to interaction {self.id}"
        )
        assert self.callback is not None
        return self.callback

    async def message(self, timeout: float = 3.0) -> Message:  # noqa: ASYNC109 - the test API takes timeouts
        """Waits for the first visible answer: the original response once it is not loading
        (after ``defer``, once edited), else the first follow-up."""

        def visible() -> Message | None:
            answered = self.callback is not None and self.callback.type in (
                CHANNEL_MESSAGE,
                DEFERRED_CHANNEL_MESSAGE,
                UPDATE_MESSAGE,
            )
            if answered and self.original is not None and not self.original.loading:
                return self.original
            return self.followups[0] if self.followups else None

        found: Message = await self.fake.wait_for(
            visible, timeout, f"a message answering {self.id}"
        )
        return found

    async def followup(self, index: int = 0, timeout: float = 3.0) -> Message:  # noqa: ASYNC109 - the test API takes timeouts
        """Waits for follow-up number ``index`` (0 is the first)."""
        await self.fake.wait_for(
            lambda: len(self.followups) > index, timeout, f"follow-up {index} of {self.id}"
        )
        return self.followups[index]

    async def choices(self, timeout: float = 3.0) -> list[dict[str, Any]]:  # noqa: ASYNC109 - the test API takes timeouts
        """Waits for an autocomplete answer and returns its choices."""
        callback = await self.response(timeout)
        assert callback.type == AUTOCOMPLETE_RESULT, f"expected autocomplete, got {callback.type}"
        choices: list[dict[str, Any]] = callback.data.get("choices") or []
        return choices

    async def modal(self, timeout: float = 3.0) -> dict[str, Any]:  # noqa: ASYNC109 - the test API takes timeouts
        """Waits for a modal answer and returns its data (custom_id, title, components)."""
        callback = await self.response(timeout)
        assert callback.type == MODAL, f"expected a modal, got {callback.type}"
        return callback.data

    def messages(self) -> list[Message]:
        """The original response (if a message) and the follow-ups."""
        found = [self.original] if self.original is not None else []
        return [m for m in found + self.followups if m is not None]


def new_token() -> str:
    """A random interaction token."""
    return "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)


class CommandNotSynced(LookupError):
    """The test invoked a command the bot has not synced (Discord would not show it)."""


def find_command(state: State, guild: Guild | None, name: str, kind: int) -> dict[str, Any]:
    """The synced command ``name`` (guild commands first, then global)."""
    scopes: list[int | None] = [guild.id] if guild is not None else []
    scopes.append(None)
    for scope in scopes:
        for command in state.commands.get(scope, []):
            if command["name"] == name and command.get("type", 1) == kind:
                return command
    synced = sorted(c["name"] for cmds in state.commands.values() for c in cmds)
    raise CommandNotSynced(f"command {name!r} is not synced (synced: {synced}); call tree.sync")


def command_data(
    fake: "WorldMixin",
    user: User,
    channel: Channel,
    name: str,
    options: Mapping[str, Any],
    *,
    focused: str | None = None,
) -> dict[str, Any]:
    """Builds ``data`` of a slash-command (or autocomplete) interaction.

    Args:
        fake: the fake (for state and resolved objects).
        user: the invoking user.
        channel: where it is invoked.
        name: the command, with subcommands separated by spaces (``"plan preview"``).
        options: option name -> value (users, roles, channels may be objects, names or ids;
            attachments are ``(filename, bytes)``).
        focused: for autocomplete, the option being typed (its value is sent as typed).

    Raises:
        CommandNotSynced: the command was not synced.
        ValueError: an option is unknown, missing or out of its choices/range (a Discord
            client would not let a user send it).
    """
    state = fake.state
    guild = state.guild_of(channel)
    parts = name.split()
    command = find_command(state, guild, parts[0], 1)
    data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": 1}
    if command.get("guild_id"):
        data["guild_id"] = command["guild_id"]
    container = data
    specs: list[dict[str, Any]] = command.get("options") or []
    for sub in parts[1:]:
        spec = next((o for o in specs if o["name"] == sub and o["type"] in (1, 2)), None)
        if spec is None:
            raise ValueError(f"/{name}: no subcommand {sub!r}")
        node: dict[str, Any] = {"name": sub, "type": spec["type"], "options": []}
        container.setdefault("options", []).append(node)
        container = node
        specs = spec.get("options") or []
    if any(o["type"] in (1, 2) for o in specs):
        raise ValueError(f"/{name} needs a subcommand: {[o['name'] for o in specs]}")
    resolved: dict[str, dict[str, Any]] = {}
    built = []
    known = {o["name"]: o for o in specs}
    for key, value in options.items():
        spec = known.get(key)
        if spec is None:
            raise ValueError(f"/{name}: unknown option {key!r} (options: {sorted(known)})")
        if key == focused:
            built.append({"name": key, "type": spec["type"], "value": str(value), "focused": True})
            continue
        built.append(
            {
                "name": key,
                "type": spec["type"],
                "value": _option_value(fake, spec, value, resolved, guild),
            }
        )
    if focused is None:
        missing = [o["name"] for o in specs if o.get("required") and o["name"] not in options]
        if missing:
            raise ValueError(f"/{name}: missing required options {missing}")
    elif focused not in known:
        raise ValueError(f"/{name}: unknown focused option {focused!r}")
    container["options"] = built
    if resolved:
        data["resolved"] = resolved
    del user
    return data


def _option_value(
    fake: "WorldMixin",
    spec: Mapping[str, Any],
    value: Any,
    resolved: dict[str, dict[str, Any]],
    guild: Guild | None,
) -> Any:
    kind = spec["type"]
    name = spec["name"]
    state = fake.state
    if kind == 3:
        value = str(value)
        if spec.get("min_length") is not None and len(value) < spec["min_length"]:
            raise ValueError(f"option {name}: shorter than {spec['min_length']}")
        if spec.get("max_length") is not None and len(value) > spec["max_length"]:
            raise ValueError(f"option {name}: longer than {spec['max_length']}")
    elif kind == 4:
        value = int(value)
    elif kind == 5:
        value = bool(value)
    elif kind == 10:
        value = float(value)
    if kind in (4, 10):
        if spec.get("min_value") is not None and value < spec["min_value"]:
            raise ValueError(f"option {name}: below {spec['min_value']}")
        if spec.get("max_value") is not None and value > spec["max_value"]:
            raise ValueError(f"option {name}: above {spec['max_value']}")
    if kind in (3, 4, 5, 10):
        choices = spec.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise ValueError(f"option {name}: {value!r} is not one of its choices")
        return value
    if kind in (6, 9) and not isinstance(value, Role) and not _is_role_ref(fake, value, kind):
        user = fake.user(value)
        resolved.setdefault("users", {})[str(user.id)] = state.user_payload(user)
        member = guild.members.get(user.id) if guild else None
        if member is not None:
            resolved.setdefault("members", {})[str(user.id)] = state.member_payload(
                member,
                with_user=False,
                permissions=state.base_permissions(guild, user.id),  # type: ignore[arg-type]
            )
        return str(user.id)
    if kind in (8, 9):
        role = value if isinstance(value, Role) else fake.role(value)
        resolved.setdefault("roles", {})[str(role.id)] = state.role_payload(role)
        return str(role.id)
    if kind == 7:
        channel = fake.channel(value)
        entry: dict[str, Any] = {
            "id": str(channel.id),
            "name": channel.name,
            "type": channel.type,
            "permissions": str(state.permissions_for(fake.state.bot.id, channel)),
        }
        if channel.is_thread:
            entry["parent_id"] = str(channel.parent_id)
            entry["thread_metadata"] = state.thread_payload(channel)["thread_metadata"]
        resolved.setdefault("channels", {})[str(channel.id)] = entry
        return str(channel.id)
    if kind == 11:
        filename, data = value
        attachment = Attachment(state.snowflakes.next(), filename, bytes(data))
        fake.register_attachment(0, attachment)
        resolved.setdefault("attachments", {})[str(attachment.id)] = state.attachment_payload(
            attachment
        )
        return str(attachment.id)
    raise ValueError(f"option {name}: unsupported option type {kind}")


def _is_role_ref(fake: "WorldMixin", value: Any, kind: int) -> bool:
    if kind != 9:
        return False
    try:
        fake.role(value)
    except LookupError:
        return False
    return True


def modal_submit_components(
    modal: Mapping[str, Any], values: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The ``components`` of a modal submit: each text input of ``modal`` with its value.

    Raises:
        ValueError: a value is given for an unknown input, or a required input is empty, or a
            value breaks the input's min/max length (Discord's client would refuse to submit).
    """
    inputs: dict[str, dict[str, Any]] = {}
    submitted: list[dict[str, Any]] = []
    for top in modal.get("components") or []:
        if top.get("type") == 1:
            row = [_text_input_value(c, values, inputs) for c in top.get("components") or []]
            submitted.append({"type": 1, "components": row})
        elif top.get("type") == 18 and isinstance(top.get("component"), dict):
            entry: dict[str, Any] = {
                "type": 18,
                "component": _text_input_value(top["component"], values, inputs),
            }
            if "id" in top:
                entry["id"] = top["id"]
            submitted.append(entry)
    unknown = set(values) - set(inputs)
    if unknown:
        raise ValueError(f"modal has no inputs {sorted(unknown)} (inputs: {sorted(inputs)})")
    return submitted


def _text_input_value(
    component: Mapping[str, Any], values: Mapping[str, str], inputs: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    custom_id = component.get("custom_id", "")
    inputs[custom_id] = dict(component)
    if component.get("type") != 4:
        result: dict[str, Any] = {"type": component.get("type"), "custom_id": custom_id}
        if custom_id in values:
            result["values"] = values[custom_id]
        return result
    value = values.get(custom_id, component.get("value") or "")
    if component.get("required", True) and not value:
        raise ValueError(f"modal input {custom_id!r} is required")
    low, high = component.get("min_length"), component.get("max_length")
    if value and low is not None and len(value) < low:
        raise ValueError(f"modal input {custom_id!r}: shorter than {low}")
    if high is not None and len(value) > high:
        raise ValueError(f"modal input {custom_id!r}: longer than {high}")
    return {"type": 4, "custom_id": custom_id, "value": value}
