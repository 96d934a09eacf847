"""Reading files parsed and checked, one by one and as a library; long-paragraph warnings."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.core.errors import ContentError, clip
from bot.core.readings.body import _body
from bot.core.readings.frontmatter import _front_matter
from bot.core.readings.model import SLUG_RE, Library, LibraryError, Reading
from bot.core.readings.text import FOOTNOTE_REF_RE

LONG_PARAGRAPH_WORDS = 2_000  # check and import warn above this


def parse_reading(
    text: str, path: str, slug: str | None = None, stat: tuple[int, int] | None = None
) -> Reading:
    """Parse the text of a reading file.

    Args:
        text: the whole file.
        path: shown in error messages.
        slug: defaults to the file name without ``.md``.
        stat: the file's size and modification time (ns), taken before ``text`` was read.

    Raises:
        LibraryError: listing every problem found, each with file and line.
    """
    slug = slug if slug is not None else Path(path).stem
    errors: list[ContentError] = []
    if not SLUG_RE.match(slug):
        errors.append(
            ContentError(
                path,
                None,
                f"file name {slug!r} is not a valid slug: use lowercase letters, digits and "
                "hyphens, e.g. readings/my-essay.md",
            )
        )
    text = _normalised(text)
    lines = text.split("\n")
    meta, body_start, meta_errors = _front_matter(lines, path)
    errors.extend(meta_errors)
    paragraphs, sections, notes, body_errors = _body(lines[body_start:], body_start + 1, path)
    errors.extend(body_errors)
    if not paragraphs and not body_errors:
        errors.append(ContentError(path, body_start + 1, "the reading has no paragraphs"))
    labels = {n.label for n in notes}
    for paragraph in paragraphs:
        if "[^" not in paragraph.text:
            continue
        for offset, line_text in enumerate(paragraph.text.split("\n")):
            for label in FOOTNOTE_REF_RE.findall(line_text):
                if label not in labels:
                    errors.append(
                        ContentError(
                            path,
                            paragraph.line + offset,
                            f"footnote [^{label}] has no definition: add '[^{label}]: ...' "
                            "under the '## Notes' heading",
                        )
                    )
    if errors:
        raise LibraryError(errors)
    return Reading(
        slug=slug,
        path=path,
        paragraphs=tuple(paragraphs),
        sections=tuple(sections),
        footnotes=tuple(notes),
        content_hash=_hash(text),
        words=sum(p.words for p in paragraphs),
        stat=stat,
        **meta,
    )


def _normalised(text: str) -> str:
    """The text without a byte-order mark, with ``\\n`` line ends."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _hash(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def content_hash(text: str) -> str:
    """The :attr:`Reading.content_hash` :func:`parse_reading` gives the file ``text``, without
    parsing it."""
    return _hash(_normalised(text))


def long_paragraph_warnings(reading: Reading) -> list[str]:
    """A warning (``path:line: ...``) for each paragraph over ``LONG_PARAGRAPH_WORDS`` words.

    Not an error: the reading works, but such a paragraph is usually a text whose paragraph
    breaks were lost (an import without blank lines), and a group cannot discuss it as one.
    """
    return [
        f"{reading.path}:{p.line}: warning: paragraph {p.number} has {p.words:,} words (more "
        f"than {LONG_PARAGRAPH_WORDS:,}): too long to read and discuss as one passage; break it "
        "into paragraphs with blank lines"
        for p in reading.paragraphs
        if p.words > LONG_PARAGRAPH_WORDS
    ]


def load_reading(path: Path) -> Reading:
    """Read and parse one reading file (see :func:`parse_reading`).

    Raises:
        LibraryError: the file cannot be read (a directory, a broken link, not UTF-8, ...) or
            does not parse.
    """
    stat, text = read_reading_file(path)
    return parse_reading(text, str(path), stat=stat)


def read_reading_file(path: Path) -> tuple[tuple[int, int], str]:
    """The size and modification time (ns) of the file at ``path``, then its text.

    The stat comes first: a change made while the file is read then shows as a changed stat
    next time, never as a stat that vouches for text it did not see.

    Raises:
        LibraryError: the file cannot be read (a directory, a broken link, not UTF-8, ...).
    """
    try:
        status = path.stat()
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LibraryError(
            [ContentError(str(path), None, f"not UTF-8 text ({exc.reason}): save it as UTF-8")]
        ) from exc
    except OSError as exc:
        raise LibraryError([ContentError(str(path), None, _unreadable(path, exc))]) from None
    return (status.st_size, status.st_mtime_ns), text


def _unreadable(path: Path, exc: OSError) -> str:
    """Why ``path`` named like a reading cannot be read, and what to do about it."""
    if path.is_dir():
        return "is a directory, not a reading file: move it out of the readings folder"
    if path.is_symlink() and not path.exists():
        return f"broken link (to {path.readlink()}): fix the link or remove it"
    return f"cannot be read ({exc.strerror or exc}): check the file and its permissions"


def load_library(directory: Path) -> Library:
    """Load every ``*.md`` in ``directory``.

    Raises:
        LibraryError: every problem in every file, plus aliases that two readings share.
    """
    readings, errors = load_each(directory)
    return assemble_library(readings, errors)


def reading_files(directory: Path) -> list[Path]:
    """The reading files of ``directory``, by name (the folder's README is no reading).

    Raises:
        LibraryError: ``directory`` is not a folder.
    """
    if not directory.is_dir():
        raise LibraryError(
            [
                ContentError(
                    str(directory),
                    None,
                    "readings directory not found: create it or "
                    "set READINGS_DIR to the folder that holds your readings",
                )
            ]
        )
    return [p for p in sorted(directory.glob("*.md")) if p.name.lower() != "readme.md"]


def assemble_library(readings: list[Reading], errors: list[ContentError]) -> Library:
    """The library of ``readings`` in plan order, once no two claim the same short name.

    Args:
        readings: every reading that loaded, each with its file's :attr:`Reading.stat`.
        errors: the problems of the files that did not.

    Raises:
        LibraryError: ``errors`` and every short name two readings claim.
    """
    modified = {
        r.path: r.stat[1] / 1e9 if r.stat else Path(r.path).stat().st_mtime for r in readings
    }
    errors = [*errors, *_clashes(readings, modified)]
    if errors:
        raise LibraryError(errors)
    readings.sort(key=lambda r: (r.order if r.order is not None else float("inf"), r.slug))
    return Library(tuple(readings))


def load_each(directory: Path) -> tuple[list[Reading], list[ContentError]]:
    """Every reading file of ``directory`` that parses, and the problems of the others (the
    folder's README is no reading)."""
    readings: list[Reading] = []
    errors: list[ContentError] = []
    for path in reading_files(directory):
        try:
            readings.append(load_reading(path))
        except LibraryError as exc:
            errors.extend(exc.errors)
    return readings, errors


def _clashes(readings: Sequence[Reading], modified: dict[str, float]) -> list[ContentError]:
    """An error for every short name (slug or alias) that two readings claim, on the file
    changed last (``modified``: each path's modification time): the newcomer, not the reading
    the group has been citing."""
    ordered = sorted(readings, key=lambda r: (modified.get(r.path, 0.0), r.path))
    errors = []
    for index, reading in enumerate(ordered):
        taken = names_taken(r for r in readings if r is not reading)
        for name, other in name_clashes(reading, ordered[:index]):
            errors.append(_clash_error(reading, name, other, taken=taken))
    return errors


def names_taken(readings: Iterable[Reading]) -> set[str]:
    """Every short name the readings answer to: slugs and aliases."""
    return {name for reading in readings for name in (reading.slug, *reading.aliases)}


def name_clashes(reading: Reading, others: Sequence[Reading]) -> list[tuple[str, Reading]]:
    """Each of ``reading``'s short names (slug, then aliases) that one of ``others`` already
    answers to, with that reading."""
    return [
        (name, other)
        for name in dict.fromkeys((reading.slug, *reading.aliases))
        for other in others
        if name in (other.slug, *other.aliases)
    ]


def free_name(name: str, taken: set[str]) -> str:
    """``name`` with the first number that makes it free: ``soic-2``, ``soic-3``, ..."""
    number = 2
    while f"{name}-{number}" in taken:
        number += 1
    return f"{name}-{number}"


def _clash_error(reading: Reading, name: str, other: Reading, taken: set[str]) -> ContentError:
    """The clash of ``reading``'s short ``name`` with ``other``, on ``reading``'s line."""
    kind = "the slug" if name == other.slug else "an alias"
    theirs = f"{kind} of {other.path} ({clip(other.title, 80)})"
    free = free_name(name, taken | names_taken([reading]))
    if name == reading.slug:
        return ContentError(
            reading.path,
            1,
            f"the file name makes {name!r} this reading's slug, but {name!r} is already {theirs}: "
            f"rename this file, e.g. to {free}.md",
        )
    line = front_matter_line(reading.path, "aliases")
    return ContentError(
        reading.path, line, f"alias {name!r} is already {theirs}: choose another, e.g. {free!r}"
    )


def front_matter_line(path: str, key: str) -> int:
    """The line of ``key:`` in the front matter of the file at ``path`` (2, its first line, if
    it is not found on a line of its own)."""
    with Path(path).open(encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            if number > 1 and line.strip() in ("---", "..."):
                break
            if line.startswith(f"{key}:"):
                return number
    return 2
