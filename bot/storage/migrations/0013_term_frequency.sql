-- backend: sqlite
-- Each reading's paragraph frequencies: per term (a word in lower case, as
-- bot.core.readings.terms counts it), how many of the reading's paragraphs contain it. The
-- {term} of a question ranks an excerpt's words against the whole library with them: the bot
-- asks for the few dozen words of an excerpt, summed over the readings (bot/storage/library.py
-- reads them, search.py writes them), instead of counting every word of the library again.
--
-- Written with the reading's content_hash in one transaction, and deleted with its rows, so
-- they always describe the version of the reading that readings.content_hash names. The
-- primary key is (slug, word): a reading's rows go in sorted, appended to one range, and a sum
-- looks each word up in each reading. Rows from before this migration do not exist: the next
-- sync rebuilds every reading (search.INDEX_VERSION changed with it).
CREATE TABLE term_frequency (
    slug TEXT NOT NULL REFERENCES readings(slug),
    word TEXT NOT NULL,
    paragraphs INTEGER NOT NULL,
    PRIMARY KEY (slug, word)
) WITHOUT ROWID;
