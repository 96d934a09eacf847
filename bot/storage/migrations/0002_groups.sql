-- Reading groups, their posts (each claimed before it is sent) and the questions asked.
--
-- A group is a channel with a plan. Its settings come from /plan start or from groups.yaml
-- (declared_at names the file and line; the file wins). Its progress is the key of the last
-- installment done (done_key, e.g. 'against-soic:12-14'), so the place is found again when the
-- readings change, and last_slot is the last scheduled slot handled.
CREATE TABLE groups (
    channel_id INTEGER PRIMARY KEY,
    guild_id INTEGER,
    name TEXT NOT NULL,
    declared_at TEXT,              -- 'groups.yaml:12' for a group of the file, NULL otherwise
    readings TEXT NOT NULL,        -- JSON array of slugs, in plan order
    word_target INTEGER NOT NULL CHECK (word_target > 0),
    cadence TEXT NOT NULL,         -- 'mon,thu 19:00 Europe/Berlin', as parse_cadence reads it
    questions_per_post INTEGER NOT NULL CHECK (questions_per_post >= 0),
    start TEXT NOT NULL,           -- no post before this instant (UTC, 2027-01-04T18:00:00Z)
    ping_role_id INTEGER,
    organizer_role_id INTEGER,
    summary TEXT,                  -- the weekly summary's cadence, or NULL
    created_by INTEGER,            -- who ran /plan start: told when posting is blocked
    file_paused INTEGER NOT NULL DEFAULT 0,   -- 'paused: true' in groups.yaml
    paused_at TEXT,                -- set by /plan pause, cleared by /plan resume
    retired INTEGER NOT NULL DEFAULT 0,       -- dropped from groups.yaml: history kept, no posts
    done_key TEXT,
    done_count INTEGER NOT NULL DEFAULT 0,
    last_slot TEXT,
    blocked TEXT,                  -- why posting stopped (a missing permission), or NULL
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One row per post, inserted (claimed) before anything is sent: UNIQUE (channel_id, slot)
-- makes a second claim of the same slot fail, so a slot is posted at most once. posted_at and
-- message_id are set once the post and its thread are in the channel; a row without them is a
-- claim to reconcile with the channel's history (the footer marker) before sending again.
CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL REFERENCES groups(channel_id),
    slot TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('scheduled', 'manual')),
    installment_key TEXT NOT NULL,
    number INTEGER NOT NULL,
    total INTEGER NOT NULL,
    claimed_at TEXT NOT NULL,
    message_id INTEGER,
    thread_id INTEGER,
    posted_at TEXT,
    late INTEGER NOT NULL DEFAULT 0,
    UNIQUE (channel_id, slot)
);

CREATE INDEX posts_unconfirmed ON posts (channel_id) WHERE posted_at IS NULL;

-- The questions each post carries, in order; a question is asked once per group.
CREATE TABLE asked_questions (
    post_id INTEGER NOT NULL REFERENCES posts(id),
    position INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    question_id TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (post_id, position),
    UNIQUE (channel_id, question_id)
);
