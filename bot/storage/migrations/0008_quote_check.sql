-- Quotes that cite themselves: per group, what the bot does when a logged reply quotes the
-- library (a 📖 reaction, a one-line reply with the citation, or nothing), and the quotes it
-- found, for the weekly summary's most quoted passages. A quote's row goes with its reply
-- (deleted, or its author forgotten): see bot/storage/quotes.py and bot/storage/replies.py.

ALTER TABLE groups ADD COLUMN quote_check TEXT NOT NULL DEFAULT 'react'
    CHECK (quote_check IN ('react', 'reply', 'off'));

CREATE TABLE quote_matches (
    message_id INTEGER NOT NULL REFERENCES replies(message_id) ON DELETE CASCADE,
    quote INTEGER NOT NULL,               -- which quotation of the reply, from 0
    group_channel_id INTEGER NOT NULL,
    slug TEXT NOT NULL,
    paragraph INTEGER NOT NULL,
    first_sentence INTEGER,               -- NULL: the whole paragraph
    last_sentence INTEGER,
    kind TEXT NOT NULL CHECK (kind IN ('exact', 'near', 'misquote')),
    created_at TEXT NOT NULL,             -- the reply's
    PRIMARY KEY (message_id, quote)
) WITHOUT ROWID;

CREATE INDEX quote_matches_by_group_time ON quote_matches (group_channel_id, created_at);
