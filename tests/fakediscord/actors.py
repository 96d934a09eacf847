"""FakeDiscord's actors: what Discord's users do, each dispatching its gateway event(s).

Members post, edit, delete, react and start threads; they run slash commands, type in
autocomplete options, click buttons, pick in selects and submit modals.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from tests.fakediscord import limits
from tests.fakediscord.events import EventMixin
from tests.fakediscord.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL,
    MODAL_SUBMIT,
    Interaction,
    command_data,
    find_command,
    modal_submit_components,
    new_token,
)
from tests.fakediscord.state import (
    INTENT_GUILDS,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    Attachment,
    Channel,
    Message,
    Perm,
    Role,
    User,
)
from tests.fakediscord.world import WorldMixin


class ActorMixin(EventMixin):
    """What a test does as Discord's users (see README.md, "Acting as Discord's users")."""

    # ------------------------------------------------------ acting as members

    def post(
        self,
        author: Any,
        channel: Any,
        content: str = "",
        *,
        embeds: list[dict[str, Any]] | None = None,
        reply_to: Any = None,
        files: Sequence[tuple[str, bytes]] = (),
        at: datetime | None = None,
    ) -> Message:
        """A member posts a message (MESSAGE_CREATE); returns it.

        Args:
            author: the member (name, id or object).
            channel: channel, thread or DM channel (``fake.dm_channel(user)``).
            content: the text (up to 4000 characters, a Nitro member's limit).
            embeds: embeds (members rarely send them; for link previews).
            reply_to: a message to reply to.
            files: ``(filename, bytes)`` attachments.
            at: backdate the message (its snowflake and timestamp), e.g. two weeks ago.

        Raises:
            PermissionError: the member may not post there.
            ValueError: the message is empty or too long.
        """
        user = self.user(author)
        target = self.channel(channel)
        if len(content) > limits.MEMBER_CONTENT_MAX:
            raise ValueError(f"content is {len(content)} characters (members: 4000 at most)")
        if not (content.strip() or embeds or files):
            raise ValueError("a member cannot post an empty message")
        if target.is_dm:
            if target.recipient_id != user.id:
                raise PermissionError(f"{user.username} is not in this DM")
        else:
            needed = Perm.SEND_MESSAGES_IN_THREADS if target.is_thread else Perm.SEND_MESSAGES
            if not self.state.permissions_for(user.id, target) & needed:
                raise PermissionError(f"{user.username} cannot post in {target.name}")
        if target.is_thread and target.archived:
            if target.locked:
                raise PermissionError(f"thread {target.name} is locked")
            self.set_thread(target, archived=False)
        message = Message(
            self.state.snowflakes.next(None if at is None else at.timestamp()),
            target.id,
            target.guild_id,
            user.id,
            content=content,
            embeds=list(embeds or []),
        )
        if reply_to is not None:
            replied = self.message(reply_to)
            message.type = 19
            message.reference = {
                "type": 0,
                "message_id": str(replied.id),
                "channel_id": str(replied.channel_id),
                "guild_id": str(target.guild_id) if target.guild_id else None,
            }
        for filename, data in files:
            attachment = Attachment(self.state.snowflakes.next(), filename, bytes(data))
            self.register_attachment(target.id, attachment)
            message.attachments.append(attachment)
        self.resolve_mentions(message)
        self.store_message(message)
        if target.is_thread:
            self.thread_member_changed(target, user.id, joined=True)
        self.rest.dispatch_message("MESSAGE_CREATE", message)
        return message

    def edit(
        self,
        message: Any,
        content: str | None = None,
        *,
        embeds: list[dict[str, Any]] | None = None,
    ) -> Message:
        """The author edits a message (MESSAGE_UPDATE with the full message)."""
        target = self.message(message)
        if content is not None:
            target.content = content
        if embeds is not None:
            target.embeds = embeds
        target.edited_at = self.clock.now()
        self.resolve_mentions(target)
        self.rest.dispatch_message("MESSAGE_UPDATE", target)
        return target

    def delete(self, message: Any) -> None:
        """The author (or a moderator) deletes a message (MESSAGE_DELETE)."""
        self.remove_message(self.message(message))

    def bulk_delete(self, messages: Sequence[Any]) -> None:
        """A moderator bulk-deletes messages of one channel (MESSAGE_DELETE_BULK)."""
        found = [self.message(m) for m in messages]
        channels = {m.channel_id for m in found}
        if len(channels) != 1:
            raise ValueError("bulk delete works on one channel")
        self.remove_messages(self.state.channels[channels.pop()], found)

    def react(self, user: Any, message: Any, emoji: str) -> None:
        """A member reacts (MESSAGE_REACTION_ADD with the member)."""
        self.reaction_added(self.message(message), self.user(user).id, emoji)

    def unreact(self, user: Any, message: Any, emoji: str) -> None:
        """A member removes their reaction (MESSAGE_REACTION_REMOVE)."""
        self.reaction_removed(self.message(message), self.user(user).id, emoji)

    def create_thread(
        self,
        user: Any,
        channel: Any,
        name: str,
        *,
        message: Any = None,
        private: bool = False,
    ) -> Channel:
        """A member starts a thread (from ``message``, or standalone)."""
        owner = self.user(user)
        parent = self.channel(channel)
        starter = None if message is None else self.message(message)
        thread = self.state.add_thread(
            parent,
            name,
            owner.id,
            type=PRIVATE_THREAD if private else PUBLIC_THREAD,
            thread_id=None if starter is None else starter.id,
        )
        self.thread_created(thread, starter=starter)
        return thread

    def set_thread(
        self, thread: Any, *, archived: bool | None = None, locked: bool | None = None
    ) -> Channel:
        """A moderator archives/unarchives or locks a thread (THREAD_UPDATE)."""
        target = self.channel(thread)
        if archived is not None:
            target.archived = archived
            target.archive_timestamp = self.clock.now()
        if locked is not None:
            target.locked = locked
        self.gateway.dispatch(
            "THREAD_UPDATE", self.state.thread_payload(target), intents=INTENT_GUILDS
        )
        return target

    # ----------------------------------------------------------- interactions

    def _dispatch_interaction(
        self,
        kind: int,
        user: User,
        channel: Channel,
        data: dict[str, Any],
        *,
        message: Message | None = None,
        locale: str = "en-US",
    ) -> Interaction:
        state = self.state
        guild = state.guild_of(channel)
        inter = Interaction(
            self,
            state.snowflakes.next(),
            new_token(),
            kind,
            {},
            user.id,
            channel.id,
            self.clock.monotonic(),
            message_id=None if message is None else message.id,
        )
        channel_payload = state.channel_payload(channel)
        payload: dict[str, Any] = {
            "id": str(inter.id),
            "application_id": str(state.application_id),
            "type": kind,
            "data": data,
            "token": inter.token,
            "version": 1,
            "channel_id": str(channel.id),
            "channel": channel_payload,
            "app_permissions": str(state.permissions_for(self.bot.id, channel)),
            "locale": locale,
            "entitlements": [],
            "attachment_size_limit": limits.ATTACHMENT_SIZE_MAX,
        }
        if guild is not None:
            member = guild.members.get(user.id)
            if member is None:
                raise PermissionError(f"{user.username} is not a member of {guild.name}")
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                member=state.member_payload(
                    member, permissions=state.permissions_for(user.id, channel)
                ),
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        else:
            payload.update(
                user=state.user_payload(user),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        if message is not None:
            payload["message"] = state.message_payload(message)
        inter.payload = payload
        self.interactions[inter.id] = inter
        self.gateway.dispatch("INTERACTION_CREATE", payload)
        self.notify()
        return inter

    def _check_command_permission(
        self, user: User, channel: Channel, command: Mapping[str, Any]
    ) -> None:
        if channel.is_dm:
            return
        perms = self.state.permissions_for(user.id, channel)
        if not perms & Perm.VIEW_CHANNEL:
            raise PermissionError(f"{user.username} cannot see channel {channel.name}")
        required = command.get("default_member_permissions")
        if required is None:
            return
        needed = int(required)
        allowed = perms == Perm.ALL or (needed != 0 and perms & needed == needed)
        if not allowed:
            raise PermissionError(
                f"{user.username} cannot see /{command['name']}"
                f" (default_member_permissions={required})"
            )

    def slash(
        self,
        user: Any,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        channel: Any = "general",
        locale: str = "en-US",
    ) -> Interaction:
        """A member runs a synced slash command; returns the interaction to await.

        Args:
            user: the member.
            command: the name, with subcommands after spaces (``"plan preview"``).
            options: option values (see :func:`interactions.command_data`).
            channel: where (name, id or object; a DM channel for DM commands).
            locale: the user's locale.

        Raises:
            CommandNotSynced: the bot has not synced the command.
            PermissionError: the command's default_member_permissions hide it from the user.
            ValueError: options a Discord client would not let the user send.
        """
        who = self.user(user)
        where = self.channel(channel)
        data = command_data(self, who, where, command, options or {})
        root = find_command(self.state, self.state.guild_of(where), command.split()[0], 1)
        self._check_command_permission(who, where, root)
        return self._dispatch_interaction(APPLICATION_COMMAND, who, where, data, locale=locale)

    def autocomplete(
        self,
        user: Any,
        command: str,
        options: Mapping[str, Any],
        *,
        focused: str,
        channel: Any = "general",
    ) -> Interaction:
        """A member types in an autocomplete option; ``await inter.choices()`` for the answer."""
        who = self.user(user)
        where = self.channel(channel)
        data = command_data(self, who, where, command, options, focused=focused)
        return self._dispatch_interaction(AUTOCOMPLETE, who, where, data)

    def _component(
        self, message: Any, custom_id: str, kinds: Sequence[int]
    ) -> tuple[Message, dict[str, Any]]:
        target = self.message(message)
        if target.deleted:
            raise LookupError(f"message {target.id} was deleted")
        component = target.find_component(custom_id)
        if component is None:
            raise LookupError(
                f"message {target.id} has no component {custom_id!r}: {target.custom_ids()}"
            )
        if component.get("type") not in kinds:
            raise ValueError(
                f"component {custom_id!r} is type {component.get('type')}, not {kinds}"
            )
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        return target, component

    def click(self, user: Any, message: Any, custom_id: str) -> Interaction:
        """A member clicks a button on a message (ephemeral messages too)."""
        target, component = self._component(message, custom_id, (limits.BUTTON,))
        if component.get("style") in (limits.LINK_STYLE, limits.PREMIUM_STYLE):
            raise ValueError(f"button {custom_id!r} is a link/premium button: no interaction")
        data = {"custom_id": custom_id, "component_type": limits.BUTTON}
        if "id" in component:
            data["id"] = component["id"]
        return self._dispatch_interaction(
            MESSAGE_COMPONENT,
            self.user(user),
            self.state.channels[target.channel_id],
            data,
            message=target,
        )

    def select(self, user: Any, message: Any, custom_id: str, values: Sequence[Any]) -> Interaction:
        """A member picks ``values`` in a select menu (string selects: option values)."""
        target, component = self._component(message, custom_id, limits.SELECT_TYPES)
        kind = component["type"]
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if not low <= len(values) <= high:
            raise ValueError(f"select {custom_id!r} takes {low}..{high} values, got {len(values)}")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind}
        if kind == limits.STRING_SELECT:
            options = [o["value"] for o in component.get("options", [])]
            unknown_values = [v for v in values if v not in options]
            if unknown_values:
                raise ValueError(f"select {custom_id!r} has no options {unknown_values}: {options}")
            data["values"] = list(values)
        else:
            data["values"], data["resolved"] = self._select_resolved(kind, values)
        return self._dispatch_interaction(
            MESSAGE_COMPONENT,
            self.user(user),
            self.state.channels[target.channel_id],
            data,
            message=target,
        )

    def _select_resolved(
        self, kind: int, values: Sequence[Any]
    ) -> tuple[list[str], dict[str, Any]]:
        resolved: dict[str, dict[str, Any]] = {}
        ids = []
        for value in values:
            if kind == 6 or (kind == 7 and not isinstance(value, Role) and _is_user(self, value)):
                user = self.user(value)
                ids.append(str(user.id))
                resolved.setdefault("users", {})[str(user.id)] = self.state.user_payload(user)
                member = self.guild.members.get(user.id)
                if member is not None:
                    resolved.setdefault("members", {})[str(user.id)] = self.state.member_payload(
                        member, with_user=False
                    )
            elif kind in (5, 7):
                role = self.role(value)
                ids.append(str(role.id))
                resolved.setdefault("roles", {})[str(role.id)] = self.state.role_payload(role)
            else:
                channel = self.channel(value)
                ids.append(str(channel.id))
                resolved.setdefault("channels", {})[str(channel.id)] = {
                    "id": str(channel.id),
                    "name": channel.name,
                    "type": channel.type,
                    "permissions": str(self.state.permissions_for(self.bot.id, channel)),
                }
        return ids, resolved

    def submit_modal(
        self, user: Any, opened: Interaction, values: Mapping[str, str]
    ) -> Interaction:
        """A member submits the modal the bot answered ``opened`` with.

        Args:
            user: the member (normally ``opened``'s user).
            opened: the interaction answered with a modal (callback type 9).
            values: text input custom_id -> text.
        """
        if opened.callback is None or opened.callback.type != MODAL:
            raise ValueError(f"interaction {opened.id} was not answered with a modal")
        modal = opened.callback.data
        data = {
            "custom_id": modal["custom_id"],
            "components": modal_submit_components(modal, values),
        }
        message = None if opened.message_id is None else self.find_message(opened.message_id)
        return self._dispatch_interaction(
            MODAL_SUBMIT,
            self.user(user),
            self.state.channels[opened.channel_id],
            data,
            message=message,
        )


def _is_user(fake: WorldMixin, value: Any) -> bool:
    try:
        fake.user(value)
    except LookupError:
        return False
    return True
