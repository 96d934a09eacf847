"""The library's concordance, the SQL half: the passages that use a term, from the search index.

Both statements on the FTS5 index of :mod:`bot.storage.search` use its query
(:attr:`bot.core.search.SearchQuery.fts`), so word forms fold exactly as in search: the ids of
every matching row (no text, no ranking, no join), placed in their readings by each reading's
range of rows (:func:`bot.core.concord.locate`), then FTS5's ``highlight()`` of only the first
passages in library order, which :mod:`bot.core.concord` cuts into keyword-in-context lines.
``bench/RESULTS.md`` has the numbers.
"""

from __future__ import annotations

import json

import aiosqlite

from bot.core.concord import Concordance, Span, build, locate
from bot.core.readings import SLUG_RE, Library
from bot.core.search import MARK_CLOSE, MARK_OPEN, parse_query

PASSAGES = 24
"""Passages whose lines one call returns by default: a few pages, found in a few ms."""


async def concordance(
    db: aiosqlite.Connection,
    library: Library,
    term: str,
    *,
    reading: str | None = None,
    passages: int | None = PASSAGES,
) -> Concordance:
    """Every use of ``term`` in the library (or in ``reading``), counted per reading, with the
    keyword-in-context lines of the first ``passages`` passages in library order.

    Any text is a valid term (see :mod:`bot.core.search`); this never raises for odd input. A
    term with nothing searchable, or an unknown ``reading``, gives an empty concordance.

    Args:
        db: a connection from :func:`bot.storage.database.open_database`, index in sync.
        library: the readings, for their order, titles and sentences.
        term: what the member typed.
        reading: only this reading (its slug).
        passages: how many passages to give lines for; None for all of them.

    Returns:
        The concordance; :attr:`~bot.core.concord.Concordance.nothing_to_search` when ``term``
        had nothing to search.
    """
    parsed = parse_query(term)
    if parsed.is_empty or (reading is not None and not SLUG_RE.match(reading)):
        return Concordance(parsed)
    spans = await _spans(db, reading)
    if not spans:
        return Concordance(parsed)
    # Only the matching rows' ids, as one string: FTS5 reads its posting lists and nothing
    # else (no join, no text, no ranking), and one row crosses to Python instead of thousands.
    query = """
        SELECT group_concat(rowid)
        FROM paragraphs_fts
        WHERE paragraphs_fts MATCH :match AND rowid BETWEEN :low AND :high
    """
    params = {
        "match": parsed.fts,
        "low": min(span.first_id for span in spans),
        "high": max(span.last_id for span in spans),
    }
    rows = await db.execute_fetchall(query, params)
    listed = next(iter(rows))[0]
    ids = [int(row) for row in str(listed).split(",")] if listed else []
    uses, chosen = locate(ids, spans, library, passages)
    marked: dict[int, str] = {}
    if chosen:
        query = """
            SELECT rowid, highlight(paragraphs_fts, 0, :open, :close)
            FROM paragraphs_fts
            WHERE paragraphs_fts MATCH :match
              AND rowid IN (SELECT value FROM json_each(:ids))
        """
        params = {
            "match": parsed.fts,
            "open": MARK_OPEN,
            "close": MARK_CLOSE,
            "ids": json.dumps([p.id for p in chosen]),
        }
        marked = {int(row[0]): str(row[1]) for row in await db.execute_fetchall(query, params)}
    return build(parsed, uses, chosen, marked, library)


async def _spans(db: aiosqlite.Connection, reading: str | None) -> list[Span]:
    """Each indexed reading's paragraphs and notes as row ranges (:class:`Span`), or only those
    of ``reading``. :mod:`bot.storage.search` writes a reading's rows in number order in one
    statement, so within one reading and kind the rows and the numbers run side by side; two
    index look-ups per range find its ends."""
    query = """
        SELECT r.slug, k.kind,
               (SELECT id FROM paragraphs
                WHERE slug = r.slug AND kind = k.kind ORDER BY number LIMIT 1),
               (SELECT id FROM paragraphs
                WHERE slug = r.slug AND kind = k.kind ORDER BY number DESC LIMIT 1),
               (SELECT number FROM paragraphs
                WHERE slug = r.slug AND kind = k.kind ORDER BY number LIMIT 1)
        FROM readings AS r, (SELECT 'paragraph' AS kind UNION ALL SELECT 'note') AS k
        WHERE :slug IS NULL OR r.slug = :slug
    """
    rows = await db.execute_fetchall(query, {"slug": reading})
    return [Span(*row) for row in rows if row[2] is not None]
