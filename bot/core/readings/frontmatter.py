"""The YAML front matter of a reading file: its known keys and their checked values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import yaml

from bot.core.errors import ContentError, shown
from bot.core.readings.model import SLUG_RE
from bot.core.readings.text import closest
from bot.core.yamlfile import Builder, compose

FRONT_MATTER_KEYS: Mapping[str, str] = {
    "title": "the reading's title (required)",
    "subtitle": "a subtitle or standfirst",
    "author": "who wrote it, or null when the text does not say",
    "source": "where the text comes from (a URL)",
    "source_note": "where and when it was written, published, translated (the source's lines)",
    "publisher": "the site or publisher",
    "published": "publication date, YYYY-MM-DD",
    "aliases": "short names members can type, e.g. [soic]",
    "notes": "editorial notes: what was changed in the conversion",
    "licence": "the text's licence or copyright notice",
    "order": "position in the default reading plan (a number)",
}


def _front_matter(lines: list[str], path: str) -> tuple[dict[str, Any], int, list[ContentError]]:
    """Parse the YAML front matter of a file's ``lines``.

    Returns:
        (fields, index of the first body line, errors).
    """
    if not lines or lines[0].strip() != "---":
        return (
            {},
            0,
            [
                ContentError(
                    path,
                    1,
                    "missing front matter: start the file with '---', a line "
                    "'title: ...', and another '---'",
                )
            ],
        )
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        return (
            {},
            len(lines),
            [ContentError(path, 1, "front matter is not closed: add a line '---' after it")],
        )
    source = "\n".join(lines[1:end])
    try:
        node = compose(source, path, first_line=2, what="front matter is not valid YAML")
    except ContentError as exc:
        return {}, end + 1, [exc]
    if not isinstance(node, yaml.MappingNode):
        return (
            {},
            end + 1,
            [ContentError(path, 2, "front matter must be 'key: value' lines, e.g. 'title: ...'")],
        )
    errors: list[ContentError] = []
    meta: dict[str, Any] = {}
    builder = Builder("")
    for key_node, value_node in node.value:
        key, line = str(key_node.value), key_node.start_mark.line + 2
        if not isinstance(key_node, yaml.ScalarNode) or key not in FRONT_MATTER_KEYS:
            hint = closest(key, FRONT_MATTER_KEYS)
            errors.append(ContentError(path, line, f"unknown key {shown(key)}{hint}"))
            continue
        try:
            value = builder.construct_object(value_node, deep=True)
        except yaml.YAMLError as exc:  # e.g. a tag such as !!python/object
            problem = getattr(exc, "problem", None) or str(exc)
            errors.append(ContentError(path, line, f"{key}: {problem}"))
            continue
        try:
            meta[key] = _front_matter_value(key, value)
        except ValueError as exc:
            errors.append(ContentError(path, line, f"{key}: {exc}"))
    if not meta.get("title") and "title" not in {e.message.split(":")[0] for e in errors}:
        errors.append(ContentError(path, 2, "missing 'title': add a line 'title: ...'"))
    return meta, end + 1, errors


def _front_matter_value(key: str, value: Any) -> Any:
    if value is None:
        if key == "title":
            raise ValueError("must not be empty")
        return () if key == "aliases" else None
    if key == "published":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValueError(f"{shown(value)} is not a date: write it as YYYY-MM-DD") from None
    if key == "aliases":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(a, str) for a in items):
            raise ValueError("must be a list of short names, e.g. [soic, one-country]")
        bad = [a for a in items if not SLUG_RE.match(a)]
        if bad:
            raise ValueError(
                f"{shown(bad[0])} is not a valid alias: use lowercase letters, digits and hyphens"
            )
        return tuple(items)
    if key == "order":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{shown(value)} is not a number")
        return float(value)
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ValueError(f"must be text, not {type(value).__name__}")
    text = str(value).strip()
    if key == "title" and not text:
        raise ValueError("must not be empty")
    return text
