"""The library loaded through its index: an unchanged reading comes from SQLite, not its file.

The library index (migrations 0001 and 0011, written only by :mod:`bot.storage.search`) keeps,
beside each reading's search rows, what a start needs of it: the file's size and modification
time when it was read, its front matter, sections and footnotes (``outline``), four numbers per
paragraph (line, words, characters, section: ``numbers``), and each paragraph as written
(``paragraphs.source``), and how many of its paragraphs contain each word (``term_frequency``,
migration 0013). A start (:func:`load_indexed`):

1. stats every reading file and compares size and modification time with the row, as git
   compares its index: an unchanged file is neither read nor hashed, and its reading is built
   from the row, its paragraph texts left in SQLite (:class:`IndexTexts` reads them when a
   passage is shown);
2. reads and hashes a file whose stat changed: the same content hash (a file touched or copied
   back) still takes the row;
3. parses only the files whose content changed, or that the index lacks or holds in a row it
   cannot decode (an older format, a damaged row).

Such readings are written back by :func:`bot.storage.search.sync_index`, which the caller runs
when :attr:`LoadedLibrary.current` is false and the database exists. The library it returns
asks the index for its words' paragraph frequencies (:class:`IndexTerms`) rather than counting
every word of its texts. The whole module is the
standard library's ``sqlite3``, synchronous: a ``reading-group passage`` imports neither asyncio
nor aiosqlite when the index is current, nor even sqlite3 when there is no database yet (it
parses every file then, and leaves creating the database to the bot or ``search``).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import json
import os
import stat
import sys
import threading
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.errors import ContentError
from bot.core.readings import (
    Library,
    LibraryError,
    Note,
    Reading,
    Section,
    StoredParagraphs,
    assemble_library,
    content_hash,
    load_library,
    paragraph_frequencies,
    parse_reading,
    read_reading_file,
    reading_files,
)

if TYPE_CHECKING:
    import sqlite3

INDEX_VERSION = 3
"""Bump when what gets indexed for the same reading changes (e.g. ``plain_text``, or what the
outline holds): every reading's stored key then differs, and the next sync rebuilds the whole
index. 2: the outline, numbers and paragraph sources of migration 0011. 3: the paragraph
frequencies of migration 0013 (and how :mod:`bot.core.readings.terms` counts them)."""

OUTLINE_VERSION = 1
"""The format of ``readings.outline`` and ``readings.numbers``; a row of another is not used."""

_FIELDS = StoredParagraphs.FIELDS
_META = ("subtitle", "author", "source", "source_note", "publisher", "notes", "licence")


def index_key(reading_hash: str) -> str:
    """What ``readings.content_hash`` holds for a reading whose content hash is
    ``reading_hash``."""
    return f"v{INDEX_VERSION}:{reading_hash}"


@dataclass(frozen=True, slots=True)
class LoadedLibrary:
    """A library loaded through the index."""

    library: Library
    current: bool
    """Whether the index holds every reading as its file is now and no other reading: a sync
    would write nothing."""


class IndexTexts:
    """Paragraph texts read from the library index (a :class:`bot.core.readings.TextSource`).

    One ``sqlite3`` connection of its own, which readers in other threads (the quote index is
    built in one) share under a lock.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._lock = threading.Lock()

    def paragraph_texts(self, slug: str, key: str, first: int, last: int) -> list[str]:
        # Joined with the reading's key, so a reading reindexed since it was loaded reads
        # nothing (StoredParagraphs then says it is stale) rather than another version's text.
        query = """
            SELECT p.source
            FROM readings AS r
            JOIN paragraphs AS p ON p.slug = r.slug
            WHERE r.slug = ? AND r.content_hash = ?
              AND p.kind = 'paragraph' AND p.number BETWEEN ? AND ?
            ORDER BY p.number
        """
        with self._lock:
            rows = self._db.execute(query, (slug, key, first, last)).fetchall()
        return [row[0] for row in rows if isinstance(row[0], str)]


class IndexTerms:
    """The paragraph frequencies of a library's terms, summed over its readings in the library
    index (a :class:`bot.core.readings.TermStatistics`).

    Only the rows of a reading whose index key is the one the library holds count: a reading
    the index lacks, or holds in another version (a look-up leaves the index to a running
    bot; a parsed reading is in it only once its sync has run), is counted in memory from its
    text, once. So the numbers are those of the library's readings, as
    :class:`bot.core.readings.CountedTerms` would count them, whatever the index holds.

    Its own ``sqlite3`` connection, opened the first time it is asked (the bot's first start
    loads its library before it creates the database), shared by threads under a lock.
    """

    def __init__(self, database: Path, readings: Sequence[Reading]) -> None:
        self._database = database
        self._readings = tuple(readings)
        self._keys = json.dumps({r.slug: index_key(r.content_hash) for r in self._readings})
        self.paragraphs = sum(len(r.paragraphs) for r in self._readings)
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._counted: dict[str, Counter[str]] = {}

    def frequencies(self, words: Collection[str]) -> Mapping[str, int]:
        words = sorted(set(words))
        if not words:
            return {}
        with self._lock:
            indexed, sums = self._indexed(words)
            found = Counter(sums)
            for reading in self._readings:
                if reading.slug not in indexed:
                    if reading.slug not in self._counted:
                        self._counted[reading.slug] = paragraph_frequencies(reading)
                    counted = self._counted[reading.slug]
                    found.update({word: counted[word] for word in words if word in counted})
        return {word: found[word] for word in words}

    def _indexed(self, words: list[str]) -> tuple[set[str], dict[str, int]]:
        """The readings whose rows hold this library's version of them, and the sums of
        ``words`` over those rows; nothing when there is no index (yet) or it cannot be read."""
        import sqlite3

        if self._db is None:
            self._db = _connect(self._database)
            if self._db is None:
                return set(), {}
        current = """
            SELECT r.slug
            FROM json_each(:keys) AS k
            JOIN readings AS r ON r.slug = k.key AND r.content_hash = k.value
        """
        # For each reading of the library, its rows of these words: a primary-key look-up each.
        summed = """
            SELECT t.word, sum(t.paragraphs)
            FROM json_each(:keys) AS k
            JOIN readings AS r ON r.slug = k.key AND r.content_hash = k.value
            JOIN term_frequency AS t ON t.slug = r.slug
            WHERE t.word IN (SELECT value FROM json_each(:words))
            GROUP BY t.word
        """
        params = {"keys": self._keys, "words": json.dumps(words)}
        try:
            self._db.execute("BEGIN")  # both from one snapshot: a sync may commit in between
            try:
                indexed = {str(row[0]) for row in self._db.execute(current, params)}
                sums = {str(w): int(n) for w, n in self._db.execute(summed, params)}
            finally:
                self._db.execute("COMMIT")
        except sqlite3.Error:  # before migration 0013, or not a database
            return set(), {}
        return indexed, sums


@dataclass(frozen=True, slots=True)
class _Row:
    key: str
    size: int | None
    mtime_ns: int | None
    outline: object
    numbers: object


def load_indexed(directory: Path, database: Path) -> LoadedLibrary:
    """Load the readings of ``directory``, taking each unchanged one from the index in
    ``database`` (see the module docstring).

    A database that does not exist yet, predates the index's outline (migration 0011) or cannot
    be read is no error here: every reading is then parsed, and opening the database later
    says what is wrong with it.

    Raises:
        LibraryError: every problem in every changed file, plus short names two readings claim
            (as :func:`bot.core.readings.load_library`).
    """
    files = reading_files(directory)
    connection = _connect(database)
    rows = _rows(connection) if connection is not None else {}
    texts = IndexTexts(connection) if connection is not None else None
    readings: list[Reading] = []
    errors: list[ContentError] = []
    current = True
    for path in files:
        row = rows.pop(path.stem, None)
        reading = None
        if row is not None and texts is not None and _unchanged(path, row):
            reading = _stored(row, path, texts, (row.size or 0, row.mtime_ns or 0))
        if reading is None:
            current = False
            try:
                reading = _read(path, row, texts)
            except LibraryError as exc:
                errors.extend(exc.errors)
                continue
        readings.append(reading)
    try:
        library = assemble_library(readings, errors)
    except LibraryError:
        if connection is not None:
            connection.close()
        raise
    if connection is not None and not any(r.stored for r in library):
        connection.close()  # nothing reads from it
    terms = IndexTerms(database, library.readings)
    return LoadedLibrary(dataclasses.replace(library, terms=terms), current and not rows)


def bot_running(database: Path) -> bool:
    """Whether a bot on this machine holds ``database``: the process its lock file names (pid
    and host, written by :func:`bot.storage.database.instance_lock` into ``<database>.lock``)
    is alive.

    A command then leaves the library index to that bot: rewriting a reading the bot loaded
    from it would take that reading's text from under it (its passages would say the reading
    changed, until ``/plan reload``), while the bot keeps serving the version it loaded.
    """
    import socket  # only when something changed: a look-up of an unchanged library never asks

    try:
        record = json.loads(database.with_name(database.name + ".lock").read_text())
        pid, host = int(record["pid"]), str(record["host"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if host != socket.gethostname() or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def indexed_loader(database: Path | None) -> Callable[[Path], Library]:
    """:func:`load_indexed` from ``database`` as a loader for
    :func:`bot.core.content.load_content` (which the caller then syncs into that same
    database); None (a database in memory) parses every file."""
    if database is None:
        return load_library
    return lambda directory: load_indexed(directory, database).library


def _read(path: Path, row: _Row | None, texts: IndexTexts | None) -> Reading:
    """The reading of a file whose stat changed: from its row when its content did not."""
    file_stat, text = read_reading_file(path)
    if row is not None and texts is not None and row.key == index_key(content_hash(text)):
        stored = _stored(row, path, texts, file_stat)
        if stored is not None:
            return stored
    return parse_reading(text, str(path), stat=file_stat)


def _connect(database: Path) -> sqlite3.Connection | None:
    """A connection to the existing database file, or None (no file, not a database)."""
    if not database.is_file():
        return None  # sqlite3 not even imported: a look-up without an index stays light
    import sqlite3

    try:
        # mode=rw: never create the file (open_database does that, with its migrations).
        return sqlite3.connect(
            f"{database.resolve().as_uri()}?mode=rw", uri=True, check_same_thread=False, timeout=5
        )
    except sqlite3.Error:
        return None


def _rows(connection: sqlite3.Connection) -> dict[str, _Row]:
    import sqlite3

    query = """
        SELECT slug, content_hash, file_size, file_mtime_ns, outline, numbers FROM readings
    """
    try:
        found = connection.execute(query).fetchall()
    except sqlite3.Error:  # before migration 0011, or not a database
        return {}
    return {
        str(slug): _Row(str(key), size, mtime, outline, numbers)
        for slug, key, size, mtime, outline, numbers in found
    }


def _unchanged(path: Path, row: _Row) -> bool:
    """Whether the file at ``path`` has the size and modification time of ``row``."""
    try:
        status = path.stat()
    except OSError:
        return False
    return (
        stat.S_ISREG(status.st_mode)
        and row.mtime_ns is not None
        and (status.st_size, status.st_mtime_ns) == (row.size, row.mtime_ns)
    )


def _stored(row: _Row, path: Path, texts: IndexTexts, file_stat: tuple[int, int]) -> Reading | None:
    """The reading ``row`` holds, or None when the row cannot be used (another format,
    damaged, from before migration 0011)."""
    if not row.key.startswith(f"v{INDEX_VERSION}:"):
        return None
    try:
        outline = json.loads(row.outline) if isinstance(row.outline, str) else None
        if not isinstance(outline, dict) or outline.get("v") != OUTLINE_VERSION:
            return None
        return _reading(outline, row, path, texts, file_stat)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


def _reading(
    outline: dict[str, Any], row: _Row, path: Path, texts: IndexTexts, file_stat: tuple[int, int]
) -> Reading | None:
    if not isinstance(row.numbers, bytes):
        return None
    numbers = array("I")
    if numbers.itemsize != 4:  # pragma: no cover (every platform Python runs on has 4)
        return None
    numbers.frombytes(row.numbers)
    if sys.byteorder == "big":  # pragma: no cover
        numbers.byteswap()
    sections = tuple(
        Section(str(title), str(slug), int(level), int(first), int(last), int(line))
        for title, slug, level, first, last, line in outline["sections"]
    )
    count = int(outline["paragraphs"])
    if not count or len(numbers) != count * _FIELDS or max(numbers[3::_FIELDS]) > len(sections):
        return None
    published = outline["published"]
    order = outline["order"]
    slug = path.stem
    return Reading(
        slug=slug,
        title=str(outline["title"]),
        path=str(path),
        paragraphs=StoredParagraphs(
            texts, str(path), slug, row.key, numbers, [s.title for s in sections]
        ),
        sections=sections,
        footnotes=tuple(
            Note(str(label), str(text), int(line)) for label, text, line in outline["footnotes"]
        ),
        published=dt.date.fromisoformat(published) if published is not None else None,
        aliases=tuple(str(alias) for alias in outline["aliases"]),
        order=float(order) if order is not None else None,
        content_hash=row.key.split(":", 1)[1],
        words=int(outline["words"]),
        stat=file_stat,
        **{key: None if outline[key] is None else str(outline[key]) for key in _META},
    )


def outline_of(reading: Reading) -> tuple[str, bytes]:
    """What the index keeps of ``reading`` for the next start: ``(outline, numbers)``."""
    lines = [s.line for s in reading.sections]
    titles = [s.title for s in reading.sections]
    numbers = array("I")
    for paragraph in reading.paragraphs:
        # The paragraph's section is the last heading above it (bot.core.readings.body).
        section = bisect.bisect_left(lines, paragraph.line)
        if paragraph.section is None:
            section = 0
        elif not section or titles[section - 1] != paragraph.section:
            section = 1 + titles.index(paragraph.section)
        numbers.extend((paragraph.line, paragraph.words, paragraph.chars, section))
    if sys.byteorder == "big":  # pragma: no cover
        numbers.byteswap()
    outline = {
        "v": OUTLINE_VERSION,
        "title": reading.title,
        **{key: getattr(reading, key) for key in _META},
        "published": reading.published.isoformat() if reading.published else None,
        "aliases": list(reading.aliases),
        "order": reading.order,
        "words": reading.words,
        "paragraphs": len(reading.paragraphs),
        "sections": [[s.title, s.slug, s.level, s.first, s.last, s.line] for s in reading.sections],
        "footnotes": [[n.label, n.text, n.line] for n in reading.footnotes],
    }
    return json.dumps(outline, ensure_ascii=False, separators=(",", ":")), numbers.tobytes()
