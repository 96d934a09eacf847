-- backend: sqlite
-- The searchable copy of the library: one row per reading, one per paragraph or note,
-- and an FTS5 index over the paragraphs' plain text.
--
-- paragraphs_fts is an external-content index of paragraphs.body. Only bot/storage/search.py
-- writes these tables, and it keeps the index in step with set-based statements
-- (INSERT INTO paragraphs_fts ... SELECT) rather than per-row triggers: FTS5 flushes its
-- pending terms at every trigger's statement, which made a cold build three times slower.
-- Anything else that changes paragraphs must update paragraphs_fts the same way.
CREATE TABLE readings (
    slug TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    author TEXT,
    content_hash TEXT NOT NULL,
    indexed_at TEXT NOT NULL
);

CREATE TABLE paragraphs (
    id INTEGER PRIMARY KEY,
    -- No ON DELETE CASCADE: a cascade would leave the rows' terms behind in paragraphs_fts.
    slug TEXT NOT NULL REFERENCES readings(slug),
    kind TEXT NOT NULL CHECK (kind IN ('paragraph', 'note')),
    number INTEGER NOT NULL,   -- paragraph number, or the note's position in the notes section
    label TEXT,                -- the footnote label for notes
    section TEXT,
    body TEXT NOT NULL,        -- plain text, as indexed
    UNIQUE (slug, kind, number)
);

CREATE VIRTUAL TABLE paragraphs_fts USING fts5(
    body,
    content='paragraphs',
    content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
);
