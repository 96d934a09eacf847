"""Domain errors. ``str()`` of any of them is safe to show to a user."""

from __future__ import annotations

MAX_SHOWN = 200  # characters of a file's value quoted in an error
MAX_MESSAGE = 1000  # characters of a content error's message, whatever it quotes


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters, ending with an ellipsis when it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(value: object, limit: int = MAX_SHOWN) -> str:
    """``repr(value)`` clipped for an error message: a file's megabyte value must not flood it."""
    return clip(repr(value), limit)


class ReadingGroupError(Exception):
    """Base of every error whose message is meant for the person who caused it.

    Attributes:
        exit_code: the exit status of a command that stops on it.
    """

    exit_code = 1


class ContentError(ReadingGroupError):
    """A reading, prompt or configuration file is malformed.

    Attributes:
        path: the file, as given to the loader.
        line: 1-based line number, or None when the problem is the whole file.
        message: what is wrong and how to fix it.
    """

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        # Loaders quote values from the file; a hostile one must not make a megabyte message.
        self.message = message = clip(message, MAX_MESSAGE)
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class CitationError(ReadingGroupError):
    """A passage reference does not resolve. The message names the closest matches.

    Attributes:
        message: what is wrong, without naming a command of either front end.
        lists_readings: whether the reader needs the list of readings to go on: each front end
            then names its own command for it (``str()`` names Discord's ``/readings``).
    """

    def __init__(self, message: str, *, lists_readings: bool = False) -> None:
        self.message = message
        self.lists_readings = lists_readings
        super().__init__(self.hinted("`/readings`"))

    def hinted(self, readings_command: str) -> str:
        """The message, ending with where to find the readings when it helps."""
        if not self.lists_readings:
            return self.message
        return f"{self.message} {readings_command} lists them all."


class PlanError(ReadingGroupError):
    """A reading plan, cadence or schedule request cannot be used as given (bad weekday, time
    or timezone, a reading not in the plan, ...). The message says what and how to fix it."""
