-- Facilitator rotation: per group, the members who take turns facilitating an installment, in
-- order, and the turns an organizer changed (/plan facilitators skip or swap). Who facilitates
-- installment N is the override for N if there is one, else round robin over the rotation
-- (bot/core/facilitators.py). A member's rows go when they are removed or forgotten.
CREATE TABLE facilitators (
    channel_id INTEGER NOT NULL REFERENCES groups(channel_id),
    user_id INTEGER NOT NULL,
    position INTEGER NOT NULL,            -- order in the rotation; gaps are fine
    added_at TEXT NOT NULL,
    PRIMARY KEY (channel_id, user_id)
) WITHOUT ROWID;

CREATE TABLE facilitator_turns (
    channel_id INTEGER NOT NULL REFERENCES groups(channel_id),
    number INTEGER NOT NULL,              -- the installment, from 1
    user_id INTEGER NOT NULL,
    PRIMARY KEY (channel_id, number)
) WITHOUT ROWID;

-- One row per prep packet, inserted (claimed) before it is sent, so it is sent once. A packet
-- the member could not get by DM (DMs closed) keeps its text until their next slash command
-- shows it; delivered_at is set once they have it (and the text dropped).
CREATE TABLE facilitator_packets (
    channel_id INTEGER NOT NULL REFERENCES groups(channel_id),
    number INTEGER NOT NULL,              -- the installment, from 1
    user_id INTEGER NOT NULL,
    claimed_at TEXT NOT NULL,
    pending TEXT,                         -- the packet, while it waits for the member
    delivered_at TEXT,
    PRIMARY KEY (channel_id, number)
) WITHOUT ROWID;

CREATE INDEX facilitator_packets_pending ON facilitator_packets (user_id) WHERE pending IS NOT NULL;
