"""The library's concordance, the SQL half: the passages that use a term, from the search index.

Two statements, both on the FTS5 index of :mod:`bot.storage.search` and with its query
(:attr:`bot.core.search.SearchQuery.fts`), so word forms fold exactly as in search: every
matching passage's place (no text, no ranking), then FTS5's ``highlight()`` of only the first
passages in library order, which :mod:`bot.core.concord` cuts into keyword-in-context lines.
``bench/RESULTS.md`` has the numbers.
"""

from __future__ import annotations

import json

import aiosqlite

from bot.core.concord import Concordance, Passage, arrange, build
from bot.core.readings import SLUG_RE, Library
from bot.core.search import MARK_CLOSE, MARK_OPEN, parse_query

PASSAGES = 40
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
    scope = "AND p.slug = :slug" if reading is not None else ""
    query = f"""
        SELECT p.id, p.slug, p.kind, p.number, p.label
        FROM paragraphs_fts
        JOIN paragraphs AS p ON p.id = paragraphs_fts.rowid
        WHERE paragraphs_fts MATCH :match {scope}
    """
    rows = await db.execute_fetchall(query, {"match": parsed.fts, "slug": reading})
    arranged = arrange((Passage(*row) for row in rows), library)
    chosen = arranged if passages is None else arranged[: max(0, passages)]
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
    return build(parsed, arranged, marked, library)
