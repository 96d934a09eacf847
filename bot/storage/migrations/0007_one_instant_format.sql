-- backend: sqlite
-- (A PostgreSQL database is never older than this migration: every row it holds was written in
-- the new form, and the search index it rewrites too lives in SQLite alone. Recorded, not run.)
-- One text form for every stored instant (issue 10): UTC ISO-8601 with the microseconds always
-- written, '2027-01-04T18:00:00.000000Z', as the reply log has always stored its times (see
-- bot/core/instants.py). Posts, summaries, groups and the search index wrote theirs without the
-- fraction, '2027-01-04T18:00:00Z'; those are rewritten here, so that a slot claimed before the
-- upgrade is the same text as the same slot claimed after it (UNIQUE (channel_id, slot) on posts
-- compares the text) and text order stays time order in every column.
-- A value of neither form (a hand edit, an old bug's '999-01-01T00:00:00Z') is left as it was,
-- for the loader to name. _migrations.applied_at keeps SQLite's own default: it is bookkeeping,
-- never read back or compared.
-- OR IGNORE: a slot stored in both forms (only a hand edit can do it) keeps its older row.
UPDATE OR IGNORE posts SET slot = substr(slot, 1, 19) || '.000000Z'
    WHERE slot GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z';
UPDATE posts SET claimed_at = substr(claimed_at, 1, 19) || '.000000Z'
    WHERE claimed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z';
UPDATE posts SET posted_at = substr(posted_at, 1, 19) || '.000000Z'
    WHERE posted_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z';

UPDATE summary_posts SET slot = substr(slot, 1, 19) || '.000000Z'
    WHERE slot GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z';

UPDATE summary_posts SET claimed_at = substr(claimed_at, 1, 19) || '.000000Z'
    WHERE claimed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z';

UPDATE summary_posts SET posted_at = substr(posted_at, 1, 19) || '.000000Z'
    WHERE posted_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z';
UPDATE groups SET start = substr(start, 1, 19) || '.000000Z'
    WHERE start GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z';
UPDATE groups SET paused_at = substr(paused_at, 1, 19) || '.000000Z'
    WHERE paused_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z';
UPDATE groups SET last_slot = substr(last_slot, 1, 19) || '.000000Z'
    WHERE last_slot GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z';
UPDATE groups SET created_at = substr(created_at, 1, 19) || '.000000Z'
    WHERE created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z';
UPDATE groups SET updated_at = substr(updated_at, 1, 19) || '.000000Z'
    WHERE updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z';
UPDATE readings SET indexed_at = substr(indexed_at, 1, 19) || '.000000Z'
    WHERE indexed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z';
