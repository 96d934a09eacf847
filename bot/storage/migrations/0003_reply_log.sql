-- The discussion log: members' replies in installment threads (and replies to the posts),
-- reactions per member and emoji, and who opted out.
--
-- A deleted message's row is deleted, not flagged: its text is gone from the database.
-- Retention erases old text (content set to NULL) while the counts remain.

ALTER TABLE groups ADD COLUMN reply_log TEXT NOT NULL DEFAULT 'content'
    CHECK (reply_log IN ('content', 'counts', 'off'));

CREATE TABLE replies (
    message_id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,          -- the thread, or the group's channel
    group_channel_id INTEGER NOT NULL,
    guild_id INTEGER,
    post_id INTEGER REFERENCES posts(id),
    author_id INTEGER NOT NULL,
    author_name TEXT NOT NULL,            -- display name at the time
    content TEXT,                         -- NULL: counts-only group, or erased by retention
    created_at TEXT NOT NULL,
    edited_at TEXT,
    reply_to_id INTEGER,
    attachments INTEGER NOT NULL DEFAULT 0,
    words INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX replies_by_channel ON replies (channel_id, message_id);
CREATE INDEX replies_by_group_time ON replies (group_channel_id, created_at);
CREATE INDEX replies_by_author ON replies (author_id);
CREATE INDEX replies_by_post ON replies (post_id);

-- Reactions on replies and on the posts themselves (a ❓ on a post marks a hard passage).
CREATE TABLE reactions (
    message_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    emoji TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (message_id, emoji, user_id)
) WITHOUT ROWID;

CREATE INDEX reactions_by_user ON reactions (user_id);

CREATE TABLE opt_outs (
    user_id INTEGER PRIMARY KEY,
    opted_out_at TEXT NOT NULL
);
