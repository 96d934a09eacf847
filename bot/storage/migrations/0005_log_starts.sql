-- Where each member's discussion log starts (issue 9: a forget must stay forgotten).
--
-- A message a member wrote before their log start and that is not in the log is never added:
-- they asked to forget what was kept (/privacy forget), or wrote it while opted out
-- (/privacy opt-in sets it). Without it, the catch-up after the next restart or resume re-read
-- the thread's history and logged the forgotten messages again. One row per member, the only
-- thing kept of a member who forgot.
CREATE TABLE log_starts (
    user_id INTEGER PRIMARY KEY,
    starts_at TEXT NOT NULL  -- UTC, as reply_stamp writes it
);
