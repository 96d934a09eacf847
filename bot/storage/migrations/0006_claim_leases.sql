-- Who claimed a post or a weekly summary, and until when the claim is theirs alone
-- (bot.storage.instance): another process never reconciles a claim its owner may still be
-- sending. NULL in both (rows from before, claims made without an owner): anyone may reconcile.
ALTER TABLE posts ADD COLUMN claimed_by TEXT;
ALTER TABLE posts ADD COLUMN lease_until TEXT;
ALTER TABLE summary_posts ADD COLUMN claimed_by TEXT;
ALTER TABLE summary_posts ADD COLUMN lease_until TEXT;
