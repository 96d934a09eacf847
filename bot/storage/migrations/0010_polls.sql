-- Stance polls: a proposition an organizer attaches to one installment of a group, and the
-- members' stances on it (agree, unsure, disagree) before the discussion and after it. One
-- answer per member, poll and phase; answering again changes it. Answers are personal data:
-- /privacy export lists them, forget deletes them, and an opted-out member's are not stored.
-- Removing a poll removes its answers.

CREATE TABLE polls (
    id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL REFERENCES groups(channel_id),
    installment_key TEXT NOT NULL,        -- the installment whose post carries it
    proposition TEXT NOT NULL,
    created_by INTEGER,                   -- the organizer; NULL once they are forgotten
    created_at TEXT NOT NULL,
    UNIQUE (channel_id, installment_key)
);

CREATE TABLE poll_answers (
    poll_id INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('before', 'after')),
    stance TEXT NOT NULL CHECK (stance IN ('agree', 'unsure', 'disagree')),
    answered_at TEXT NOT NULL,
    PRIMARY KEY (poll_id, user_id, phase)
) WITHOUT ROWID;

CREATE INDEX poll_answers_by_user ON poll_answers (user_id);
