-- The searchable copy of the library: one row per reading, one per paragraph or note,
-- and an FTS5 index over the paragraphs' plain text (external content, kept in sync by triggers).
CREATE TABLE readings (
    slug TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    author TEXT,
    content_hash TEXT NOT NULL,
    indexed_at TEXT NOT NULL
);

CREATE TABLE paragraphs (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL REFERENCES readings(slug) ON DELETE CASCADE,
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

CREATE TRIGGER paragraphs_ai AFTER INSERT ON paragraphs BEGIN
    INSERT INTO paragraphs_fts (rowid, body) VALUES (new.id, new.body);
END;

CREATE TRIGGER paragraphs_ad AFTER DELETE ON paragraphs BEGIN
    INSERT INTO paragraphs_fts (paragraphs_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;

CREATE TRIGGER paragraphs_au AFTER UPDATE ON paragraphs BEGIN
    INSERT INTO paragraphs_fts (paragraphs_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO paragraphs_fts (rowid, body) VALUES (new.id, new.body);
END;
