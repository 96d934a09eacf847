"""Discord's error shapes, as the fake answers them.

Discord answers a rejected request with a JSON body ``{"code": ..., "message": ...}`` and, for
an invalid form body (code 50035), a nested ``errors`` tree whose leaves are
``{"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "..."}]}`` keyed by the path of the
offending field (list indices become string keys).
"""

from collections.abc import Sequence
from typing import Any

PathPart = str | int


class FormErrors:
    """Collects field errors into Discord's nested ``errors`` tree."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}
        self.flat: list[str] = []

    def add(self, path: Sequence[PathPart], code: str, message: str) -> None:
        """Records one error at ``path`` (e.g. ``("embeds", 0, "title")``)."""
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
        where = ".".join(str(p) for p in path) or "(body)"
        self.flat.append(f"{where}: {message} [{code}]")

    def max_length(self, path: Sequence[PathPart], value: Any, limit: int) -> None:
        """Adds BASE_TYPE_MAX_LENGTH if ``value`` (a str or list) is longer than ``limit``."""
        if value is not None and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def length_between(self, path: Sequence[PathPart], value: Any, low: int, high: int) -> None:
        """Adds BASE_TYPE_BAD_LENGTH unless ``low <= len(value) <= high``."""
        if value is not None and not low <= len(value) <= high:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")

    def required(self, path: Sequence[PathPart]) -> None:
        """Adds BASE_TYPE_REQUIRED."""
        self.add(path, "BASE_TYPE_REQUIRED", "This field is required")

    def __bool__(self) -> bool:
        return bool(self.flat)


class DiscordError(Exception):
    """An error answer; the server turns it into a response and records it.

    Args:
        status: HTTP status.
        code: Discord's JSON error code (0 for plain HTTP errors).
        message: Discord's message text.
        errors: the nested ``errors`` tree, for 50035.
        violation: the kind of violation to record (the bot sent something Discord rejects),
            or None when the answer is an ordinary outcome (403 Missing Permissions, 404 ...).
        details: human-readable lines for the violation record.
    """

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        errors: dict[str, Any] | None = None,
        violation: str | None = None,
        details: Sequence[str] = (),
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.violation = violation
        self.details = list(details)

    def body(self) -> dict[str, Any]:
        """The JSON body Discord answers."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def invalid_form(errors: FormErrors) -> DiscordError:
    """400 Invalid Form Body (50035) carrying ``errors``, recorded as an ``invalid_form``
    violation (schema and limit errors alike: ``details`` names each field)."""
    return DiscordError(
        400,
        50035,
        "Invalid Form Body",
        errors=errors.tree,
        violation="invalid_form",
        details=errors.flat,
    )


def missing_permissions(what: str) -> DiscordError:
    """403 Missing Permissions (50013): an ordinary outcome, not a violation."""
    return DiscordError(403, 50013, "Missing Permissions", details=[what])


def missing_access(what: str) -> DiscordError:
    """403 Missing Access (50001): the bot cannot see the resource."""
    return DiscordError(403, 50001, "Missing Access", details=[what])


def unknown(kind: str, code: int) -> DiscordError:
    """404 Unknown <kind> (e.g. ``unknown("Message", 10008)``)."""
    return DiscordError(404, code, f"Unknown {kind}")


UNKNOWN_CHANNEL = 10003
UNKNOWN_GUILD = 10004
UNKNOWN_MEMBER = 10007
UNKNOWN_MESSAGE = 10008
UNKNOWN_USER = 10013
UNKNOWN_EMOJI = 10014
UNKNOWN_WEBHOOK = 10015
UNKNOWN_APPLICATION_COMMAND = 10063
UNKNOWN_INTERACTION = 10062
