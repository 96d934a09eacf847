"""The fake REST API: the routes discord.py calls for a reading-group bot, checked as Discord does.

Every route is a spec path template (the same string as in ``openapi.json``) mapped to a
handler. Before a handler runs, the body and query are validated against the OpenAPI
description and the per-route limits; handlers then apply Discord's permission and state rules
and raise :class:`DiscordError` with Discord's codes.

One module per resource holds its handlers and its routes (users and the gateway URL,
application commands, guilds, channels, messages and pins, reactions, threads, interactions and
their webhooks); ``base`` holds the request model and the checks they share, and :class:`Rest`
assembles the route table.
"""

from typing import TYPE_CHECKING
from urllib.parse import unquote

from tests.fakediscord.rest.base import HAS_THREAD, Call, Reply, Route, UploadedFile, parse_json
from tests.fakediscord.rest.channels import ChannelRoutes
from tests.fakediscord.rest.commands import CommandRoutes
from tests.fakediscord.rest.guilds import GuildRoutes
from tests.fakediscord.rest.interactions import InteractionRoutes
from tests.fakediscord.rest.messages import MessageRoutes
from tests.fakediscord.rest.reactions import ReactionRoutes
from tests.fakediscord.rest.threads import ThreadRoutes
from tests.fakediscord.rest.users import UserRoutes

if TYPE_CHECKING:
    from tests.fakediscord.server import FakeDiscord


class Rest(
    UserRoutes,
    CommandRoutes,
    GuildRoutes,
    ChannelRoutes,
    MessageRoutes,
    ReactionRoutes,
    ThreadRoutes,
    InteractionRoutes,
):
    """The route table and handlers; ``fake`` holds state, gateway and records."""

    def __init__(self, fake: "FakeDiscord") -> None:
        super().__init__(fake)
        self.routes: list[Route] = [
            *self.user_routes(),
            *self.command_routes(),
            *self.guild_routes(),
            *self.channel_routes(),
            *self.message_routes(),
            *self.reaction_routes(),
            *self.thread_routes(),
            *self.interaction_routes(),
        ]

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """Finds the route for ``method path``.

        Returns:
            (route or None, path parameters, whether the path exists for another method).
        """
        parts = [unquote(p) for p in path.strip("/").split("/")]
        best: tuple[int, Route, dict[str, str]] | None = None
        path_known = False
        for route in self.routes:
            segments = route.segments
            if len(segments) != len(parts):
                continue
            params: dict[str, str] = {}
            literals = 0
            for seg, part in zip(segments, parts, strict=True):
                if seg.startswith("{"):
                    if not part:
                        break
                    params[seg[1:-1]] = part
                elif seg == part:
                    literals += 1
                else:
                    break
            else:
                path_known = True
                if route.method == method and (best is None or literals > best[0]):
                    best = (literals, route, params)
        if best is None:
            return None, {}, path_known
        return best[1], best[2], True


__all__ = ["HAS_THREAD", "Call", "Reply", "Rest", "Route", "UploadedFile", "parse_json"]
