-- Weekly summaries: one row per group and week, inserted (claimed) before the summary is sent.
--
-- UNIQUE (channel_id, week) makes a second claim of the same week fail, so a week's summary is
-- posted at most once, whether by the tick or by an organizer's /summary. posted_at and
-- message_id are set once the summary is in the channel; a row without posted_at is a claim to
-- reconcile with the channel's history (the footer marker 'rg-summary:<channel>:<week>') before
-- sending again. A quiet week passed over is recorded with posted_at, no message and a reason.
CREATE TABLE summary_posts (
    id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL REFERENCES groups(channel_id),
    week TEXT NOT NULL,            -- the ISO week summarised, '2026-W47'
    slot TEXT NOT NULL,            -- when it was due (UTC), or when an organizer posted it
    kind TEXT NOT NULL CHECK (kind IN ('scheduled', 'manual')),
    claimed_at TEXT NOT NULL,
    message_id INTEGER,
    posted_at TEXT,
    late INTEGER NOT NULL DEFAULT 0,
    passed TEXT,                   -- why no summary was sent for the week (a quiet week), or NULL
    UNIQUE (channel_id, week)
);

CREATE INDEX summary_posts_unconfirmed ON summary_posts (channel_id) WHERE posted_at IS NULL;

-- A week's counts (replies, words, participants) and the chart's replies per quarter hour read
-- only this index: the range on (group, created_at) carries the author and the word count.
-- It serves every query the narrower replies_by_group_time served, which it replaces.
CREATE INDEX replies_by_group_time_author ON replies (group_channel_id, created_at, author_id, words);
DROP INDEX replies_by_group_time;

-- "Has this member replied in the group before this week?" is one seek per member (new voices).
CREATE INDEX replies_by_group_author ON replies (group_channel_id, author_id, created_at);
