"""The fake REST API for application commands, global and per guild (sync, create, edit)."""

from typing import Any

from tests.fakediscord import limits
from tests.fakediscord.errors import DiscordError, FormErrors, invalid_form
from tests.fakediscord.rest.base import Call, Reply, RestBase, Route


class CommandRoutes(RestBase):
    """``/applications/{application_id}[/guilds/{guild_id}]/commands``."""

    def command_routes(self) -> list[Route]:
        """This resource's routes, in table order."""
        r = self._route
        return [
            r("GET", "/applications/{application_id}/commands", self.get_commands),
            r("PUT", "/applications/{application_id}/commands", self.put_commands),
            r("POST", "/applications/{application_id}/commands", self.post_command),
            r("GET", "/applications/{application_id}/commands/{command_id}", self.get_command),
            r("PATCH", "/applications/{application_id}/commands/{command_id}", self.patch_command),
            r(
                "DELETE",
                "/applications/{application_id}/commands/{command_id}",
                self.delete_command,
            ),
            r(
                "GET",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                self.get_commands,
            ),
            r(
                "PUT",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                self.put_commands,
            ),
            r(
                "POST",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                self.post_command,
            ),
            r(
                "GET",
                "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
                self.get_command,
            ),
            r(
                "PATCH",
                "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
                self.patch_command,
            ),
            r(
                "DELETE",
                "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
                self.delete_command,
            ),
        ]

    def _scope(self, call: Call) -> int | None:
        self.check_application(call)
        if "guild_id" not in call.params:
            return None
        guild = self.guild(call)
        return guild.id

    async def get_commands(self, call: Call) -> Any:
        """GET guild or global commands."""
        return self.state.commands.get(self._scope(call), [])

    async def put_commands(self, call: Call) -> Any:
        """PUT (bulk overwrite) guild or global commands."""
        scope = self._scope(call)
        body = call.body if isinstance(call.body, list) else []
        errors = FormErrors()
        limits.check_commands(body, errors)
        if errors:
            raise invalid_form(errors)
        old = {(c["name"], c.get("type", 1)): c for c in self.state.commands.get(scope, [])}
        result = [self._stored_command(raw, scope, old) for raw in body]
        self.state.commands[scope] = result
        self.fake.syncs.append((scope, [c["name"] for c in result]))
        return result

    def _stored_command(
        self, raw: dict[str, Any], scope: int | None, old: dict[tuple[str, int], dict[str, Any]]
    ) -> dict[str, Any]:
        kind = raw.get("type", 1)
        previous = old.get((raw["name"], kind))
        command: dict[str, Any] = {
            "id": previous["id"] if previous else str(self.state.snowflakes.next()),
            "application_id": str(self.state.application_id),
            "version": str(self.state.snowflakes.next()),
            "type": kind,
            "name": raw["name"],
            "name_localizations": raw.get("name_localizations"),
            "description": raw.get("description", ""),
            "description_localizations": raw.get("description_localizations"),
            "default_member_permissions": raw.get("default_member_permissions"),
            "nsfw": raw.get("nsfw", False),
            "contexts": raw.get("contexts"),
            "integration_types": raw.get("integration_types", [0]),
        }
        if raw.get("options"):
            command["options"] = raw["options"]
        if scope is not None:
            command["guild_id"] = str(scope)
        else:
            command["dm_permission"] = raw.get("dm_permission", True)
        return command

    def _find_command(self, call: Call) -> tuple[int | None, dict[str, Any]]:
        scope = self._scope(call)
        for command in self.state.commands.get(scope, []):
            if command["id"] == call.params["command_id"]:
                return scope, command
        raise DiscordError(404, 10063, "Unknown application command")

    async def post_command(self, call: Call) -> Any:
        """POST one command (create or replace by name)."""
        scope = self._scope(call)
        body = call.json()
        errors = FormErrors()
        limits.check_commands([body], errors)
        if errors:
            raise invalid_form(errors)
        commands = self.state.commands.setdefault(scope, [])
        old = {(c["name"], c.get("type", 1)): c for c in commands}
        command = self._stored_command(body, scope, old)
        commands[:] = [c for c in commands if c["id"] != command["id"]] + [command]
        return Reply(201, command)

    async def get_command(self, call: Call) -> Any:
        """GET one command."""
        return self._find_command(call)[1]

    async def patch_command(self, call: Call) -> Any:
        """PATCH one command."""
        scope, command = self._find_command(call)
        merged = {**command, **call.json()}
        errors = FormErrors()
        limits.check_commands([merged], errors)
        if errors:
            raise invalid_form(errors)
        command.update(call.json())
        del scope
        return command

    async def delete_command(self, call: Call) -> Any:
        """DELETE one command."""
        scope, command = self._find_command(call)
        self.state.commands[scope].remove(command)
        return Reply(204)
