"""Quotes that cite themselves: each group's ``quote_check`` and the quotes found in replies.

A quote's row holds where it quotes (never the reply's words) and goes with its reply: the
foreign key deletes it when the reply is deleted, or when its author is forgotten.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.quotes import QuoteCheck, QuoteMatch
from bot.storage.connection import Connection
from bot.storage.database import transaction


async def quote_checks(db: Connection) -> dict[int, QuoteCheck]:
    """Each group's ``quote_check``, by channel id."""
    query = "SELECT channel_id, quote_check FROM groups"
    async with db.execute(query) as cursor:
        return {int(row[0]): row[1] async for row in cursor}


async def save_quote_matches(db: Connection, message_id: int, matches: Sequence[QuoteMatch]) -> int:
    """Keep the quotes found in a logged reply. Returns how many were kept: none when the reply
    is not (or no longer) in the log, so a deleted or forgotten reply leaves nothing."""
    query = """
        INSERT INTO quote_matches (
            message_id, quote, group_channel_id, slug, paragraph, first_sentence,
            last_sentence, kind, created_at
        )
        SELECT message_id, ?, group_channel_id, ?, ?, ?, ?, ?, created_at
        FROM replies WHERE message_id = ?
        ON CONFLICT (message_id, quote) DO UPDATE SET
            group_channel_id = excluded.group_channel_id, slug = excluded.slug,
            paragraph = excluded.paragraph, first_sentence = excluded.first_sentence,
            last_sentence = excluded.last_sentence, kind = excluded.kind,
            created_at = excluded.created_at
    """
    kept = 0
    async with transaction(db):  # under the write lock: never inside another task's batch
        for number, match in enumerate(matches):
            cursor = await db.execute(
                query,
                (
                    number,
                    match.slug,
                    match.paragraph,
                    match.first_sentence,
                    match.last_sentence,
                    match.kind,
                    message_id,
                ),
            )
            kept += cursor.rowcount
    return kept


async def clear_quote_matches(db: Connection, message_id: int) -> int:
    """Forget what a reply quoted (it was edited: it is matched again). Returns the rows."""
    query = "DELETE FROM quote_matches WHERE message_id = ?"
    async with transaction(db):  # under the write lock: never inside another task's batch
        cursor = await db.execute(query, (message_id,))
    return cursor.rowcount
