"""YAML read with line numbers, for content files whose errors must name ``path:line``."""

from __future__ import annotations

import yaml

from bot.core.errors import ContentError


def compose(
    text: str, path: str, *, first_line: int = 1, what: str = "not valid YAML"
) -> yaml.Node | None:
    """Parse ``text`` into YAML nodes, which keep their line numbers (``node.start_mark``).

    Args:
        text: the YAML.
        path: the file, for the error.
        first_line: the file line of the text's first line (front matter starts on line 2).
        what: how the error begins.

    Returns:
        The root node, or None for an empty document.

    Raises:
        ContentError: the YAML does not parse; names the line and the problem.
    """
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + first_line if mark is not None else None
        raise ContentError(path, line, f"{what}: {problem}") from None
