"""YAML read with line numbers, for content files whose errors must name ``path:line``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from bot.core.errors import ContentError

ANCHORS_REFUSED = (
    "YAML anchors and aliases are not allowed: write the value out in full instead of "
    "'&name' and '*name'"
)


class _AnchorFound(Exception):
    """An anchor or alias was found at ``mark``."""

    def __init__(self, mark: yaml.Mark) -> None:
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """A safe loader that stops at the first anchor or alias.

    Aliases let a few lines of YAML stand for billions of values (the "billion laughs"): the
    nodes are shared, but everything that walks the values (building them, printing one in an
    error) does the work of the expanded tree. Content files never need them.
    """

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _AnchorFound(event.start_mark)
        return super().compose_node(parent, index)


class Builder(yaml.SafeLoader):
    """Builds values from composed nodes, like ``yaml.safe_load``, except that a scalar YAML
    types but cannot build is kept as its text: ``2026-02-30`` (read as a date), ``!!int x``,
    a 5,000-digit number. yaml raises ValueError or KeyError for those, which crashed every
    loader; as text, the loader reports it as a value of the wrong kind on its key's line.

    Use ``Builder("").construct_object(node, deep=True)``.
    """


_Build = Callable[[Builder, yaml.ScalarNode], Any]


def _or_text(build: _Build) -> _Build:
    def construct(builder: Builder, node: yaml.ScalarNode) -> Any:
        try:
            return build(builder, node)
        except (ValueError, KeyError):
            return builder.construct_scalar(node)

    return construct


for _tag in ("bool", "int", "float", "timestamp"):
    _full = f"tag:yaml.org,2002:{_tag}"
    Builder.add_constructor(_full, _or_text(yaml.SafeLoader.yaml_constructors[_full]))


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
        ContentError: the YAML does not parse, or uses an anchor or alias; names the line and
            the problem.
    """
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    except _AnchorFound as exc:
        raise ContentError(path, exc.mark.line + first_line, ANCHORS_REFUSED) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + first_line if mark is not None else None
        raise ContentError(path, line, f"{what}: {problem}") from None
    finally:
        loader.dispose()
