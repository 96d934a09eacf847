"""Who may steer a group, and in which channel a command acts: shared by /plan and /summary.

Organizers are members with Manage Server, or with the group's organizer role; the others get a
polite refusal that says who can.
"""

import discord

from bot.core.errors import PlanError, ReadingGroupError
from bot.core.group import Group
from bot.storage.connection import Connection
from bot.storage.groups import get_group

NO_PLAN = (
    "This channel has no reading plan yet. An organizer can start one here with /plan start "
    "(or declare it in groups.yaml)."
)


class NotOrganizer(ReadingGroupError):
    """A member who is not an organizer ran an organizer command."""


def group_channel_id(interaction: discord.Interaction) -> int:
    """The group's channel: the channel itself, or the parent of a thread."""
    channel = interaction.channel
    if isinstance(channel, discord.Thread) and channel.parent_id is not None:
        return channel.parent_id
    assert interaction.channel_id is not None
    return interaction.channel_id


def is_organizer(interaction: discord.Interaction, group: Group | None) -> bool:
    """Whether the member may run the group's organizer commands."""
    if interaction.permissions.manage_guild:
        return True
    member = interaction.user
    role_id = group.organizer_role_id if group is not None else None
    return (
        role_id is not None
        and isinstance(member, discord.Member)
        and any(role.id == role_id for role in member.roles)
    )


async def channel_group(
    db: Connection, interaction: discord.Interaction, *, organizer: bool = True
) -> Group:
    """The group of the interaction's channel, after checking the member may steer it.

    Raises:
        NotOrganizer: ``organizer`` and the member is not one.
        PlanError: the channel has no (running or paused) group.
    """
    group = await get_group(db, group_channel_id(interaction))
    if group is not None and group.retired:
        group = None
    if organizer and not is_organizer(interaction, group):
        raise refusal(interaction, group)
    if group is None:
        raise PlanError(NO_PLAN)
    return group


def refusal(interaction: discord.Interaction, group: Group | None) -> NotOrganizer:
    """The error telling a member who is not an organizer who can do it."""
    who = "members with the Manage Server permission"
    if group is not None and group.organizer_role_id is not None:
        role = interaction.guild.get_role(group.organizer_role_id) if interaction.guild else None
        who += f" or the {role.name if role else 'organizer'} role"
    return NotOrganizer(
        f"Sorry, only the group's organizers can do that: {who}. "
        "Anyone can see what is coming with /plan schedule."
    )


def check_roles(
    interaction: discord.Interaction,
    existing: Group | None,
    ping_role: discord.Role | None,
    organizer_role: discord.Role | None,
) -> None:
    """Refuse role settings the member may not make, or that could not work.

    Only Manage Server decides who organizes (else the organizer role could hand itself to
    @everyone) and whether posts ping @everyone; a ping role must be mentionable, or the bot's
    mention of it would ping nobody.

    Raises:
        NotOrganizer: a change that needs Manage Server.
        PlanError: a ping role that is not mentionable.
    """
    admin = interaction.permissions.manage_guild
    current = existing.organizer_role_id if existing is not None else None
    if organizer_role is not None and organizer_role.id != current and not admin:
        raise NotOrganizer(
            "Only members with the Manage Server permission can change who organizes the group "
            "(organizer_role): run /plan start without it, or ask one of them."
        )
    if ping_role is None:
        return
    if ping_role.is_default():
        if not admin:
            raise NotOrganizer(
                "Only members with the Manage Server permission can make the posts ping "
                "@everyone: pick a mentionable role instead, or ask one of them."
            )
    elif not ping_role.mentionable:
        raise PlanError(
            f"I cannot ping the role {ping_role.name}: it is not mentionable. Turn on 'Allow "
            f"anyone to @mention this role' for it in Server Settings > Roles, or pick another "
            "role."
        )
