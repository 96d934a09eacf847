"""What the bot serves, loaded and checked together: readings, prompts and groups.yaml."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.core.errors import ContentError
from bot.core.plan import GroupConfig, parse_groups_yaml
from bot.core.questions import Prompts, load_prompts
from bot.core.readings import Library, LibraryError, load_library


def load_groups_file(path: Path, library: Library | None = None) -> tuple[GroupConfig, ...]:
    """Read ``groups.yaml`` at ``path``; a missing file declares no groups.

    Raises:
        LibraryError: every problem, each as ``path:line: what is wrong``.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError) as exc:
        raise LibraryError([ContentError(str(path), None, f"cannot read it: {exc}")]) from None
    return parse_groups_yaml(text, str(path), library)


@dataclass(frozen=True, slots=True)
class Content:
    """What the bot serves: the readings, the questions and the groups of groups.yaml."""

    library: Library
    prompts: Prompts
    groups: tuple[GroupConfig, ...]


def load_content(
    readings_dir: Path,
    prompts_dir: Path,
    groups_file: Path,
    load_readings: Callable[[Path], Library] = load_library,
) -> Content:
    """Load and check readings, prompts and groups.yaml together (a missing groups.yaml is fine).

    Args:
        readings_dir: the readings folder.
        prompts_dir: the prompts folder.
        groups_file: groups.yaml.
        load_readings: loads the readings folder: parsing every file by default; the bot takes
            unchanged readings from its library index instead
            (:func:`bot.storage.library.indexed_loader`).

    Raises:
        LibraryError: every problem, each as ``path:line: what is wrong``; prompts and groups
            are checked only once the readings load, since they refer to them.
    """
    library = load_readings(readings_dir)
    errors: list[ContentError] = []
    prompts = Prompts()
    groups: tuple[GroupConfig, ...] = ()
    try:
        prompts = load_prompts(prompts_dir, library)
    except LibraryError as exc:
        errors.extend(exc.errors)
    try:
        groups = load_groups_file(groups_file, library)
    except LibraryError as exc:
        errors.extend(exc.errors)
    if errors:
        raise LibraryError(errors)
    return Content(library, prompts, groups)
