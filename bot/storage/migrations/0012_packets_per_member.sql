-- A prep packet is claimed per installment AND member: when an organizer swaps, skips or removes
-- the facilitator after the packet went out, the member who takes the turn gets it too (once),
-- and the one who had it is told, once, that they no longer facilitate it (released_at, set
-- before the DM is tried: a closed DM is not tried again). A member given the turn back clears
-- released_at and is told they facilitate it again; the packet is not sent twice.
CREATE TABLE facilitator_packets_per_member (
    channel_id INTEGER NOT NULL REFERENCES groups(channel_id),
    number INTEGER NOT NULL,              -- the installment, from 1
    user_id INTEGER NOT NULL,
    claimed_at TEXT NOT NULL,
    pending TEXT,                         -- the packet, while it waits for the member
    delivered_at TEXT,
    released_at TEXT,                     -- the turn went to someone else since
    PRIMARY KEY (channel_id, number, user_id)
) WITHOUT ROWID;

INSERT INTO facilitator_packets_per_member (
    channel_id, number, user_id, claimed_at, pending, delivered_at
)
SELECT channel_id, number, user_id, claimed_at, pending, delivered_at FROM facilitator_packets;

DROP TABLE facilitator_packets;

ALTER TABLE facilitator_packets_per_member RENAME TO facilitator_packets;

CREATE INDEX facilitator_packets_pending ON facilitator_packets (user_id) WHERE pending IS NOT NULL;
