"""Full-text search, the SQL half: keeping the FTS5 index in step with the library, and querying it.

The index is the ``readings``/``paragraphs``/``paragraphs_fts`` tables of migration 0001. This
module is their only writer, and keeps the external-content FTS5 index in step with
``paragraphs`` itself (see the migration for why there are no triggers).

Ranking. Hits are ordered by BM25, best first, with one bound on the work: FTS5 scores every
row a query matches (about 2 µs each, plus a pass over each word's postings for its weight), so a
word found in thousands of paragraphs would take tens of milliseconds. A *broad* query
(:attr:`bot.core.search.SearchQuery.broad`: a single word or prefix, or nothing but common
words) therefore ranks only its first :data:`RANKED` matches in library order (the plan's
readings first, then the others by slug; within the reading searched, with ``reading=``). Those
matches are found without ranking anything, and the bound becomes a rowid range FTS5 applies
before scoring. A query of nothing but common words, or with a quoted phrase of several words
one of which is common, is not ranked at all: its first matches in library order are the answer
(:attr:`bot.core.search.SearchQuery.in_reading_order`), because BM25 counts every match of
each phrase before scoring any, which for common words reads their whole position lists and
grows with the library. A query with two words that are not common, or a phrase without common
words, is ranked in full: it rarely matches more than a few hundred paragraphs. Common words
themselves are left out of a query that has other words (see :mod:`bot.core.search`), so
``the market`` costs what ``market`` costs. ``bench/RESULTS.md`` has the numbers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.core.readings import SLUG_RE, Library, Reading, TermCounter, plain_text
from bot.core.search import (
    ELLIPSIS,
    MARK_CLOSE,
    MARK_OPEN,
    MARKDOWN,
    Hit,
    IndexReport,
    Markers,
    SearchResults,
    index_text,
    parse_query,
    render_snippet,
)
from bot.storage.database import transaction
from bot.storage.library import INDEX_VERSION, outline_of

log = logging.getLogger(__name__)

MAX_LIMIT = 100
"""Most hits one search returns."""

SNIPPET_TOKENS = 24
"""Words in a snippet (FTS5 allows at most 64)."""

RANKED = 2000
"""Most matches a broad query (one word) has ranked by BM25: the first ones in library order."""

RACY_NS = 2_000_000_000
"""A file modified this close (ns) to when it is indexed may change again within the same
modification time (filesystems keep it to a tick, 2 s on FAT): its stat is not stored, so the
next start hashes it rather than trusting the stat (git's "racily clean" entries)."""


def _index_key(reading: Reading) -> str:
    # This module's INDEX_VERSION (bot.storage.library's, re-exported), so a test can change it.
    return f"v{INDEX_VERSION}:{reading.content_hash}"


_ParagraphRow = tuple[str, str, int, str | None, str | None, str, str | None]
"""A ``paragraphs`` row: slug, kind, number, label, section, body, source."""


@dataclass(frozen=True, slots=True)
class _Stored:
    """A reading's row in the index: its key and the file stat it was read with."""

    key: str
    stat: tuple[int | None, int | None]


async def sync_index(db: aiosqlite.Connection, library: Library) -> IndexReport:
    """Bring the search index up to date with ``library``.

    Only readings whose ``content_hash`` changed are reindexed, and readings no longer in the
    library are removed. What the next start needs of each reading (its file's stat, outline,
    numbers and paragraph sources, and its paragraph frequencies: :mod:`bot.storage.library`)
    is written with its key, and the first three refreshed when only they differ (a file
    touched, a row that could not be used). All changes happen in one ``BEGIN IMMEDIATE``
    transaction: if anything fails the old index stays as it was. When nothing changed nothing
    is written.

    Args:
        db: a connection from :func:`bot.storage.database.open_database` (autocommit mode).
        library: the readings as loaded now.

    Returns:
        Which readings were (re)indexed or removed, and how long it took.
    """
    started = time.perf_counter()
    # Read the hashes first without a lock: the common case (nothing changed) stays a pure read.
    outlined = await _has_outlines(db)
    termed = await _has_terms(db)
    stored = await _stored_rows(db, outlined)
    changed, removed = _plan(library, stored)
    if not changed and not removed and not (outlined and await _outlines(db, library, stored)):
        return IndexReport(unchanged=len(library), seconds=time.perf_counter() - started)
    rows = 0
    async with transaction(db):
        # Again under the write lock, in case another process synced in between.
        stored = await _stored_rows(db, outlined)
        changed, removed = _plan(library, stored)
        stale = [r.slug for r in changed if r.slug in stored] + removed
        if stale and len(stale) == len(stored):
            await _clear(db, termed)
        else:
            for slug in stale:
                await _unindex(db, slug, termed)
        if changed:
            # No merging while the readings go in: the 'optimize' below merges everything into
            # one b-tree anyway, and FTS5's automatic merges (after every few segments) redid
            # that work along the way. Kept off: every sync that writes ends with 'optimize'.
            query = "INSERT INTO paragraphs_fts (paragraphs_fts, rank) VALUES ('automerge', 0)"
            await db.execute(query)
        rows = await _index_all(db, changed, outlined, termed)
        for reading, outline in await _outlines(db, library, stored) if outlined else ():
            await _write_outline(db, reading, outline)
        if changed or removed:
            # Merge the index into one b-tree: a few hundred ms on 10 MB, and every search
            # afterwards reads one segment per term instead of dozens.
            await db.execute("INSERT INTO paragraphs_fts (paragraphs_fts) VALUES ('optimize')")
    report = IndexReport(
        indexed=tuple(r.slug for r in changed),
        removed=tuple(removed),
        unchanged=len(library) - len(changed),
        rows=rows,
        seconds=time.perf_counter() - started,
    )
    log.info("Search index: %s", report)
    return report


async def _has_outlines(db: aiosqlite.Connection) -> bool:
    """Whether the index has the columns of migration 0011 (a database being migrated, or a
    test of an older schema, may not yet: its index is then kept without them)."""
    rows = await db.execute_fetchall("SELECT name FROM pragma_table_info('readings')")
    return "outline" in {row[0] for row in rows}


async def _has_terms(db: aiosqlite.Connection) -> bool:
    """Whether the index has the paragraph frequencies of migration 0013 (as
    :func:`_has_outlines`)."""
    query = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'term_frequency'"
    rows = await db.execute_fetchall(query)
    return bool(next(iter(rows))[0])


async def index_file(db: aiosqlite.Connection) -> Path | None:
    """The file of ``db``'s library index (None for a database in memory): where
    :func:`bot.storage.library.load_indexed` finds the readings this connection indexed."""
    query = "SELECT file FROM pragma_database_list WHERE name = 'main'"
    files = [str(row[0]) for row in await db.execute_fetchall(query) if row[0]]
    return Path(files[0]) if files else None


async def _stored_rows(db: aiosqlite.Connection, outlined: bool) -> dict[str, _Stored]:
    query = "SELECT slug, content_hash, file_size, file_mtime_ns FROM readings"
    if not outlined:
        query = "SELECT slug, content_hash, NULL, NULL FROM readings"
    async with db.execute(query) as cursor:
        return {str(row[0]): _Stored(str(row[1]), (row[2], row[3])) async for row in cursor}


def _plan(library: Library, stored: dict[str, _Stored]) -> tuple[list[Reading], list[str]]:
    """The readings to (re)index and the slugs to remove.

    A reading loaded from the index (:attr:`Reading.stored`) is never reindexed from itself:
    when its row holds another version, another process indexed a newer file since.
    """
    changed = [
        r
        for r in library
        if not r.stored and (r.slug not in stored or stored[r.slug].key != _index_key(r))
    ]
    present = {r.slug for r in library}
    removed = sorted(slug for slug in stored if slug not in present)
    return changed, removed


def _stat_row(reading: Reading) -> tuple[int | None, int | None]:
    """The file stat to store with ``reading``: none when it is unknown or racy."""
    if reading.stat is None:
        return None, None
    size, mtime_ns = reading.stat
    return size, (mtime_ns if time.time_ns() - mtime_ns > RACY_NS else None)


async def _outlines(
    db: aiosqlite.Connection, library: Library, stored: dict[str, _Stored]
) -> list[tuple[Reading, tuple[str, bytes] | None]]:
    """The readings indexed as they are whose outline or stat the index holds otherwise,
    each with the outline to write (None: the stat only).

    A parsed reading with the same key comes from a row that could not be used (an older
    format, damaged) or from a load that parsed every file: its outline is compared with the
    row's and written when it differs, so the next start can use it.
    """
    found: list[tuple[Reading, tuple[str, bytes] | None]] = []
    query = "SELECT outline, numbers FROM readings WHERE slug = ?"
    for reading in library:
        row = stored.get(reading.slug)
        if row is None or row.key != _index_key(reading):
            continue
        if not reading.stored:
            outline = outline_of(reading)
            if [tuple(r) for r in await db.execute_fetchall(query, (reading.slug,))] != [outline]:
                found.append((reading, outline))
                continue
        if row.stat != _stat_row(reading):
            found.append((reading, None))
    return found


async def _write_outline(
    db: aiosqlite.Connection, reading: Reading, outline: tuple[str, bytes] | None
) -> None:
    size, mtime_ns = _stat_row(reading)
    if outline is None:
        query = "UPDATE readings SET file_size = ?, file_mtime_ns = ? WHERE slug = ?"
        await db.execute(query, (size, mtime_ns, reading.slug))
        return
    query = """
        UPDATE readings SET file_size = ?, file_mtime_ns = ?, outline = ?, numbers = ?
        WHERE slug = ?
    """
    await db.execute(query, (size, mtime_ns, *outline, reading.slug))
    # The paragraphs' sources too: a row from before migration 0011 has none.
    query = """
        UPDATE paragraphs SET source = ? WHERE slug = ? AND kind = 'paragraph' AND number = ?
    """
    await db.executemany(query, ((p.text, reading.slug, p.number) for p in reading.with_text()))


async def _clear(db: aiosqlite.Connection, termed: bool) -> None:
    """Empty the whole index (faster than removing every reading's terms one by one)."""
    if termed:
        await db.execute("DELETE FROM term_frequency")
    await db.execute("INSERT INTO paragraphs_fts (paragraphs_fts) VALUES ('delete-all')")
    await db.execute("DELETE FROM paragraphs")
    await db.execute("DELETE FROM readings")


async def _unindex(db: aiosqlite.Connection, slug: str, termed: bool) -> None:
    """Remove one reading's rows and their terms. An external-content index is told which
    terms to forget by giving it the old text."""
    if termed:
        await db.execute("DELETE FROM term_frequency WHERE slug = ?", (slug,))
    query = """
        INSERT INTO paragraphs_fts (paragraphs_fts, rowid, body)
        SELECT 'delete', id, body FROM paragraphs WHERE slug = ?
    """
    await db.execute(query, (slug,))
    await db.execute("DELETE FROM paragraphs WHERE slug = ?", (slug,))
    await db.execute("DELETE FROM readings WHERE slug = ?", (slug,))


async def _index_all(
    db: aiosqlite.Connection, changed: list[Reading], outlined: bool, termed: bool
) -> int:
    """Write and index the rows of each of ``changed`` (see :func:`_index`); returns the rows
    written.

    A reading's rows are made (plain text, terms counted) while SQLite still indexes the terms
    of the reading before in aiosqlite's thread, where it runs without the GIL: with a core to
    spare, the two overlap. The statements run in the same order, in the caller's transaction.
    """
    written = 0
    indexing: asyncio.Task[int] | None = None  # the previous reading's FTS5 insert
    try:
        for reading in changed:
            terms = TermCounter()  # counted from the plain texts the rows are made of
            rows = list(_rows(reading, terms))
            if indexing is not None:
                written += await indexing
                indexing = None
            await _index(db, reading, rows, terms, outlined, termed)
            indexing = asyncio.ensure_future(_index_terms(db, reading, len(rows)))
            await asyncio.sleep(0)  # the task queues its statement before the next rows
        if indexing is not None:
            written += await indexing
    except BaseException:
        if indexing is not None:
            # The statement ends before the caller rolls back; the first error is raised.
            await asyncio.wait({indexing})
            if not indexing.cancelled():
                indexing.exception()
        raise
    return written


async def _index(
    db: aiosqlite.Connection,
    reading: Reading,
    rows: list[_ParagraphRow],
    terms: TermCounter,
    outlined: bool,
    termed: bool,
) -> None:
    """Write one reading's ``rows`` (from :func:`_rows`), with what a start needs of it when
    ``outlined`` and its paragraph frequencies (``terms``) when ``termed``; its terms are
    indexed afterwards by :func:`_index_terms`."""
    if not outlined:
        query = """
            INSERT INTO readings (slug, title, author, content_hash, indexed_at)
            VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000Z')
        """
        await db.execute(query, (reading.slug, reading.title, reading.author, _index_key(reading)))
        query = """
            INSERT INTO paragraphs (slug, kind, number, label, section, body)
            VALUES (?, ?, ?, ?, ?, ?)
        """
        await db.executemany(query, (row[:-1] for row in rows))
        return
    # The key goes in with everything else in this transaction (the caller's): a row never
    # holds a key without the outline, numbers and sources of that same version.
    query = """
        INSERT INTO readings (slug, title, author, file_size, file_mtime_ns, outline, numbers,
                              content_hash, indexed_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000Z')
    """
    # SQLite's %f is seconds to the millisecond ("00.123"): three more zeros give the one stored
    # form of an instant, 2027-01-04T18:00:00.123000Z (see bot.core.instants).
    params = (
        reading.slug,
        reading.title,
        reading.author,
        *_stat_row(reading),
        *outline_of(reading),
        _index_key(reading),
    )
    await db.execute(query, params)
    query = """
        INSERT INTO paragraphs (slug, kind, number, label, section, body, source)
        VALUES (?, ?, ?, ?, ?, ?, ?)
    """
    await db.executemany(query, rows)
    if termed:
        # Sorted: the rows are appended to the reading's range of the primary key.
        query = "INSERT INTO term_frequency (slug, word, paragraphs) VALUES (?, ?, ?)"
        counts = terms.counts
        await db.executemany(query, ((reading.slug, w, counts[w]) for w in sorted(counts)))


async def _index_terms(db: aiosqlite.Connection, reading: Reading, rows: int) -> int:
    """Index the terms of the rows just written for ``reading``; returns ``rows``."""
    # One statement for the whole reading: FTS5 tokenizes it in memory and writes one segment.
    query = """
        INSERT INTO paragraphs_fts (rowid, body)
        SELECT id, body FROM paragraphs WHERE slug = ?
    """
    await db.execute(query, (reading.slug,))
    return rows


def _rows(reading: Reading, terms: TermCounter) -> Iterator[_ParagraphRow]:
    """The ``paragraphs`` rows of ``reading``; counts its paragraphs' terms into ``terms``."""
    for paragraph in reading.with_text():
        text = paragraph.text
        plain = plain_text(text)
        terms.add(plain)
        # plain_text already joins the words with single spaces: index_text's work is left
        # only when a control character needs removing.
        body = plain if plain.isprintable() else index_text(plain)
        yield reading.slug, "paragraph", paragraph.number, None, paragraph.section, body, text
    # A note's text is in the outline (a stored reading keeps its notes in memory): no source.
    for position, note in enumerate(reading.footnotes, start=1):
        body = index_text(plain_text(note.text))
        yield reading.slug, "note", position, note.label, None, body, None


async def search(
    db: aiosqlite.Connection,
    query: str,
    *,
    reading: str | None = None,
    limit: int = 10,
    markers: Markers = MARKDOWN,
    snippet_tokens: int = SNIPPET_TOKENS,
) -> SearchResults:
    """Search the library's paragraphs and notes, best match first.

    Any text is a valid query (see :mod:`bot.core.search` for what it means); this never raises
    for odd input. A query with nothing searchable, an unknown ``reading`` or a ``limit`` below 1
    gives no hits.

    Args:
        db: a connection from :func:`bot.storage.database.open_database`.
        query: what the member typed.
        reading: only search this reading (its slug).
        limit: most hits to return (at most :data:`MAX_LIMIT`).
        markers: how snippets mark matches: ``MARKDOWN`` (bold), ``ANSI`` or ``PLAIN``.
        snippet_tokens: words per snippet, 1 to 64.

    Returns:
        The hits, a list that also says whether the query was truncated
        (:attr:`SearchResults.truncated`) or empty (:attr:`SearchResults.nothing_to_search`).
    """
    parsed = parse_query(query)
    limit = min(limit, MAX_LIMIT)
    if parsed.is_empty or limit < 1 or (reading is not None and not SLUG_RE.match(reading)):
        return SearchResults(query=parsed)
    params = {
        "match": parsed.fts,
        "slug": reading,
        "limit": limit,
        "open": MARK_OPEN,
        "close": MARK_CLOSE,
        "ellipsis": ELLIPSIS,
        "tokens": max(1, min(snippet_tokens, 64)),
        "skip": RANKED - 1,
    }
    # FTS5 sorts by rank itself (no SQLite sorter: see EXPLAIN QUERY PLAN), so snippet() runs
    # only for the rows returned. A reading's rows are inserted together, so their ids form a
    # range FTS5 can skip to instead of ranking the whole library.
    scope = ""
    if reading is not None:
        scope = "AND p.slug = :slug" + _IN_READING.format(table="paragraphs_fts")
    order = "paragraphs_fts.rank"
    if parsed.in_reading_order:
        # Neither rank nor bm25() may be named: either counts the phrase in the whole library.
        order = "paragraphs_fts.rowid"
    elif parsed.broad:
        # The RANKED-th match in index order, found without ranking anything: FTS5 turns the
        # bound into a range of the index, so BM25 scores at most RANKED rows.
        inner = _IN_READING.format(table="candidates") if reading is not None else ""
        scope += _CANDIDATES.format(scope=inner)
    query = f"""
        SELECT p.slug, p.kind, p.number, p.label, p.section,
               {"0.0" if parsed.in_reading_order else "paragraphs_fts.rank"},
               snippet(paragraphs_fts, 0, :open, :close, :ellipsis, :tokens)
        FROM paragraphs_fts
        JOIN paragraphs AS p ON p.id = paragraphs_fts.rowid
        WHERE paragraphs_fts MATCH :match {scope}
        ORDER BY {order}
        LIMIT :limit
    """
    rows = await db.execute_fetchall(query, params)
    hits = (
        Hit(
            slug=row[0],
            kind=row[1],
            number=row[2],
            label=row[3],
            section=row[4],
            snippet=render_snippet(row[6], markers),
            score=-row[5],
            marked=row[6],
        )
        for row in rows
    )
    return SearchResults(hits, query=parsed)


_IN_READING = """
    AND {table}.rowid BETWEEN (SELECT min(id) FROM paragraphs WHERE slug = :slug)
                          AND (SELECT max(id) FROM paragraphs WHERE slug = :slug)
"""

_CANDIDATES = """
    AND paragraphs_fts.rowid <= coalesce((
        SELECT candidates.rowid FROM paragraphs_fts AS candidates
        WHERE candidates.paragraphs_fts MATCH :match {scope}
        ORDER BY candidates.rowid
        LIMIT 1 OFFSET :skip
    ), 9223372036854775807)
"""
