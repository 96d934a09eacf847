"""Messages no member types: a webhook's post and Discord's system notices.

Each is stored like any message (so it is in the channel's history) and sent as MESSAGE_CREATE,
with the fields Discord gives it: a webhook's author is the webhook itself (a ``bot`` user with
no guild member) and the message carries ``webhook_id``; a system notice has its own ``type``
and, for the kinds that point at a message (a pin, a thread's starter), a ``message_reference``.
"""

from typing import Any

from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import Message, reference_to

#: Message types of Discord's system notices (https://discord.com/developers/docs/resources/message#message-object-message-types).
RECIPIENT_ADD = 1  # "X added Y to the thread"
RECIPIENT_REMOVE = 2  # "X removed Y from the thread"
CHANNEL_NAME_CHANGE = 4  # "X changed the thread name"


def webhook_post(
    fake: FakeDiscord,
    channel: Any,
    content: str,
    *,
    name: str = "Captain Hook",
    reply_to: Any = None,
    bot_flag: bool = True,
) -> Message:
    """A webhook named ``name`` posts ``content`` in ``channel`` (MESSAGE_CREATE); returns it.

    Discord marks a webhook's author ``bot`` today but documents no such promise (the author
    "is not guaranteed to be a valid user"): ``bot_flag=False`` leaves the flag out.
    """
    target = fake.channel(channel)
    hook = fake.state.add_user(name, bot=bot_flag)
    message = Message(
        fake.state.snowflakes.next(),
        target.id,
        target.guild_id,
        hook.id,
        content=content,
        webhook_id=hook.id,
    )
    if reply_to is not None:
        message.type = 19
        message.reference = reference_to(fake.message(reply_to))
    _send(fake, message)
    return message


def pin(fake: FakeDiscord, user: Any, message: Any) -> Message:
    """``user`` (a moderator) pins ``message``: CHANNEL_PINS_UPDATE and the pin notice.

    Returns the notice (type 6, referencing the pinned message, authored by ``user``).
    """
    pinned = fake.message(message)
    channel = fake.channel(pinned.channel_id)
    pinned.pinned_at = fake.clock.now()
    fake.pins_changed(channel, pinned, fake.user(user).id)
    return channel.history()[-1]


def notice(
    fake: FakeDiscord,
    kind: int,
    user: Any,
    channel: Any,
    content: str = "",
    *,
    about: Any = None,
) -> Message:
    """A system notice of type ``kind`` caused by ``user`` in ``channel`` (MESSAGE_CREATE).

    Args:
        fake: the fake Discord.
        kind: the message type (one of this module's constants).
        user: who caused it (its author, as Discord shows it).
        channel: where it appears.
        content: its text (a thread's new name for CHANNEL_NAME_CHANGE, else empty).
        about: the message it references (a thread's starter), if any.
    """
    target = fake.channel(channel)
    message = Message(
        fake.state.snowflakes.next(),
        target.id,
        target.guild_id,
        fake.user(user).id,
        content=content,
        type=kind,
    )
    if about is not None:
        message.reference = reference_to(fake.message(about))
    _send(fake, message)
    return message


def _send(fake: FakeDiscord, message: Message) -> None:
    fake.store_message(message)
    fake.rest.dispatch_message("MESSAGE_CREATE", message)
