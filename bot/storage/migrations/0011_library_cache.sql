-- backend: sqlite
-- What a start needs from each reading, kept beside its index rows so that an unchanged
-- library is never read or parsed again (bot/storage/library.py reads it, search.py writes it):
--
-- readings.file_size, file_mtime_ns: the file's stat when it was read (before its text). A
--   start compares them first, as git compares its index; only a file whose stat changed is
--   read and hashed. NULL mtime: the file was written too close to when it was indexed for its
--   stat to vouch for its text (a "racily clean" file), so the next start hashes it.
-- readings.outline: JSON of the front matter, sections and footnotes, with its format version.
-- readings.numbers: four little-endian uint32 per paragraph: line, words, characters, section.
-- paragraphs.source: the paragraph as written (Markdown), read when it is shown; body stays
--   the plain text the FTS5 index and its snippets use. NULL for notes (their text is in the
--   outline).
--
-- All are written with content_hash in one transaction, so a row never vouches for a version
-- of a reading it does not hold. Rows from before this migration have NULL here and are
-- rebuilt by the next sync (search.INDEX_VERSION changed with it).
ALTER TABLE readings ADD COLUMN file_size INTEGER;
ALTER TABLE readings ADD COLUMN file_mtime_ns INTEGER;
ALTER TABLE readings ADD COLUMN outline TEXT;
ALTER TABLE readings ADD COLUMN numbers BLOB;
ALTER TABLE paragraphs ADD COLUMN source TEXT;
