"""Benchmark: the library copied N times (issue 12), ``python -m bench library --scale N``.

The library of :mod:`bench.library` (about 10 MB) is written N times into a temporary folder,
each copy after the first with its own file names (``capital-vol1-x2.md``) and aliases, so the
copies are N times as many distinct readings with the same text. For each N, in this order:

- **cold index build**: ``load_library`` + ``open_database`` + ``sync_index`` into a new file,
  against a **raw FTS5 build** of the same rows: stdlib ``sqlite3``, the same table and FTS5
  definition, one ``executemany`` and one ``INSERT ... SELECT`` into the index, then ``optimize``
  (what ``sync_index`` does, without parsing Markdown or computing any plain text), and one
  ``executemany`` of the same ``term_frequency`` rows (without counting them); the ratio is also
  given against the build without those rows.
- **warm start**: a fresh ``python -m bot passage "slug §N"`` process against the built files,
  from start to exit (interpreter start and imports included), and its peak RSS; after one
  untimed run.
- **bot start to ready**: a fresh process times, after its imports, what the bot does before it
  connects: ``load_content`` (readings through the library index, prompts, groups file) +
  ``open_database`` + ``sync_index`` with nothing to reindex; and its peak RSS. Once more in a
  process that then builds the quote index (:class:`bot.core.quotes.QuoteIndex`, what the bot
  builds for the first reply that quotes something, its keys in a file it maps:
  :mod:`bot.storage.quote_keys`): its peak RSS, the keys' size and the build time. Once more
  in a process that then chooses the first post's questions (the first reading's first
  :data:`FIRST_POST` paragraphs, :func:`bot.core.questions.questions_for`, whose ``{term}``
  values rank the excerpt's words against the whole library): that time and the peak RSS after.
- **search**: :func:`bot.storage.search.search` (10 hits with snippets) over the query set of
  :func:`bench.library.build_queries` drawn from the 1x library, so every size runs the same
  queries; a query's time is the median of its timed passes.
- **lookup**: :func:`bot.core.citations.resolve` of random ``slug §N`` plus reading the text,
  in the library as a restart loads it (:func:`bot.storage.library.load_indexed`: the text
  read from SQLite).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench import REPO, Options, Report, Row, percentile
from bench.library import (
    DEFAULT_CORPUS,
    FULL,
    QUICK,
    READINGS,
    BenchQuery,
    _ms,
    build_queries,
    cold_build,
    lookup_times,
    peak_rss_mb,
    prepare_library,
    search_times,
)
from bot.storage.quote_keys import keys_file

NAME = "library-scale"

# Targets from issue 12, at 16x.
WARM_START_S = 0.5
BOT_START_S = 1.0
SEARCH_P99_MS = 10.0
LOOKUP_MS = 0.05
RSS_MB = 150.0
COLD_OVER_RAW = 2.0
TARGET_SCALE = 16
FIRST_POST = 5
"""Paragraphs of the first post whose questions are chosen (a first installment's size)."""
"""The targets are the issue's at this size; smaller sizes are measured for the trend only."""

_ALIASES_RE = re.compile(r"^aliases:[ \t]*\[(?P<names>[^\]\n]*)\][ \t]*$", re.MULTILINE)


def copy_library(source: Path, target: Path, copies: int) -> None:
    """Write ``copies`` copies of the reading files of ``source`` into ``target``: the first as
    they are, the k-th (k >= 2) as ``<slug>-x<k>.md`` with ``-x<k>`` after each alias.

    Raises:
        ValueError: a file lists its aliases other than on one ``aliases: [...]`` line, which
            the copies could not rename (two readings may not share an alias).
    """
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        shutil.copyfile(path, target / path.name)
        if copies > 1 and "\naliases:" in text and not _ALIASES_RE.search(text):
            raise ValueError(f"{path}: aliases not on one 'aliases: [...]' line")
        for k in range(2, copies + 1):

            def rename(match: re.Match[str], k: int = k) -> str:
                names = [n.strip() for n in match.group("names").split(",") if n.strip()]
                return "aliases: [" + ", ".join(f"{n}-x{k}" for n in names) + "]"

            copy = _ALIASES_RE.sub(rename, text, count=1)
            (target / f"{path.stem}-x{k}.md").write_text(copy, encoding="utf-8")


def raw_fts_build(source: Path, target: Path) -> tuple[float, float]:
    """Seconds to build ``target`` from the rows of the index in ``source`` with stdlib
    ``sqlite3`` alone: the same tables and FTS5 definition, nothing else; and of those, the
    seconds spent writing the ``term_frequency`` rows (migration 0013)."""
    with sqlite3.connect(source) as read:
        # Every column, the paragraphs' sources (migration 0011) too: the same rows.
        rows = read.execute("SELECT * FROM paragraphs ORDER BY id").fetchall()
        # And each reading's term frequencies, in the order the sync writes them.
        terms = read.execute("SELECT * FROM term_frequency ORDER BY slug, word").fetchall()
        schema = [
            sql
            for (sql,) in read.execute(
                "SELECT sql FROM sqlite_master WHERE name IN "
                "('paragraphs', 'paragraphs_fts', 'term_frequency') ORDER BY name"
            )
        ]
    read.close()
    started = time.perf_counter()
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("BEGIN")
    for sql in schema:
        db.execute(sql.replace("REFERENCES readings(slug)", ""))
    db.executemany(f"INSERT INTO paragraphs VALUES ({', '.join('?' * len(rows[0]))})", rows)
    db.execute("INSERT INTO paragraphs_fts (rowid, body) SELECT id, body FROM paragraphs")
    db.execute("INSERT INTO paragraphs_fts (paragraphs_fts) VALUES ('optimize')")
    counted = time.perf_counter()
    db.executemany("INSERT INTO term_frequency VALUES (?, ?, ?)", terms)
    counted = time.perf_counter() - counted
    db.execute("COMMIT")
    db.close()
    return time.perf_counter() - started, counted


def _env(readings: Path, database: Path, scratch: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "READINGS_DIR": str(readings),
        "DATABASE_PATH": str(database),
        "PROMPTS_DIR": str(scratch / "prompts"),
        "GROUPS_FILE": str(scratch / "groups.yaml"),
    }


_PEAK = (
    "import atexit, runpy, sys\n"
    "def peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            sys.stderr.write('\\n' + line)\n"
    "atexit.register(peak)\n"
    "sys.argv = ['reading-group', *sys.argv[1:]]\n"
    "runpy.run_module('bot', run_name='__main__')\n"
)
"""Runs ``python -m bot`` and writes its peak RSS (``VmHWM``, which a new program starts afresh,
unlike ``ru_maxrss``, which Linux carries over from the parent) to stderr as it exits."""


def fresh_passage(reference: str, env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """A whole ``python -m bot passage`` process: (seconds, peak RSS MB)."""
    command = [sys.executable, "-c", _PEAK, "passage", reference]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        done = subprocess.run(command, stdout=out, stderr=err, env=env, cwd=cwd, check=False)
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        printed, errors = out.read(), err.read()
    if done.returncode != 0 or not printed.strip():
        raise RuntimeError(f"passage {reference!r} failed:\n{errors.strip()}")
    return elapsed, int(errors.strip().splitlines()[-1].split()[1]) / 1024


def bot_start(env: dict[str, str], cwd: Path, *, then: str = "") -> dict[str, float]:
    """:func:`bot_worker` in a fresh process (``then``: ``"--quotes"`` to build the quote index,
    ``"--terms"`` to choose the first post's questions)."""
    command = [sys.executable, "-m", "bench.library_scale", *([then] if then else [])]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the bot-start process failed:\n{done.stderr.strip()}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def bot_worker(quotes: bool, terms: bool) -> None:
    """Entry point of the bot-start process: what the bot does before it connects, timed from
    after the imports; prints one JSON line. With ``quotes``, it then builds the quote index
    as the bot does for the first reply that quotes something (``quote_check`` on), and
    reports that too; with ``terms``, it then chooses the first post's questions."""
    from bot.core.content import load_content
    from bot.core.questions import questions_for
    from bot.core.quotes import QuoteIndex
    from bot.settings import Settings
    from bot.storage.database import open_database
    from bot.storage.library import indexed_loader
    from bot.storage.quote_keys import mapped_keys
    from bot.storage.search import sync_index

    settings = Settings.load(env_file=None)

    async def main() -> dict[str, float]:
        started = time.perf_counter()
        content = load_content(
            settings.readings_dir,
            settings.prompts_dir,
            settings.groups_file,
            indexed_loader(settings.database_path),  # as bot.runner.run_bot
        )
        loaded = time.perf_counter()
        async with open_database(settings.database_path) as db:
            report = await sync_index(db, content.library)
        if report.changed:
            raise RuntimeError(f"the bot's start reindexed: {report}")
        ready = time.perf_counter()
        result = {"ready_s": ready - started, "load_s": loaded - started, "rss_mb": peak_rss_mb()}
        if quotes:  # as bot.discord.quotes._quote_index, the first time (making the file)
            keys = mapped_keys(content.library, settings.database_path)
            built = QuoteIndex(content.library, keys)
            result["quotes_s"] = time.perf_counter() - ready
            result["quotes_mb"] = built.nbytes / 1e6
            result["quotes_rss_mb"] = peak_rss_mb()
        if terms:  # as the poster, for the first post after a start (bot.discord.posting)
            first = content.library.readings[0]
            last = min(FIRST_POST, len(first.paragraphs))
            questions_for(
                first.slug,
                1,
                last,
                prompts=content.prompts,
                library=content.library,
                count=3,
                used=set(),
            )
            result["terms_s"] = time.perf_counter() - ready
            result["terms_rss_mb"] = peak_rss_mb()
        return result

    print(json.dumps(asyncio.run(main())))


def measure(
    size: int, prepared: Path, scratch: Path, queries: Sequence[BenchQuery], quick: bool
) -> dict[str, float | str]:
    """Every measure of one size, with ``size`` copies of the library in ``scratch``."""
    sizes = QUICK if quick else FULL
    readings = scratch / f"readings-{size}x"
    database = scratch / f"index-{size}x.sqlite3"
    copy_library(prepared, readings, size)
    library, load, cold, rows = asyncio.run(cold_build(readings, database))
    raw, raw_terms = raw_fts_build(database, scratch / f"raw-{size}x.sqlite3")
    (scratch / f"raw-{size}x.sqlite3").unlink()
    env = _env(readings, database, scratch)
    reference = f"{library.readings[-1].slug} §{len(library.readings[-1].paragraphs) // 2 or 1}"
    # One untimed start first, as bench/startup.py does: it warms the disk cache and the
    # bytecode, and stores the stat of files the build found racily new (written within 2 s
    # of being indexed, so not vouched for by their stat: bot.storage.search.RACY_NS).
    fresh_passage(reference, env, scratch)
    starts = [fresh_passage(reference, env, scratch) for _ in range(sizes.warm_starts)]
    bots = [bot_start(env, scratch) for _ in range(sizes.warm_starts)]
    quoting = bot_start(env, scratch, then="--quotes")
    terms = [bot_start(env, scratch, then="--terms") for _ in range(sizes.warm_starts)]
    searched, _ = asyncio.run(search_times(database, queries, sizes.search_passes))
    # As a restarted bot looks passages up: from the index, each text read from SQLite.
    from bot.storage.library import load_indexed

    lookups = lookup_times(load_indexed(readings, database).library, sizes.lookups)
    worst = max(zip(searched, queries, strict=True), key=lambda pair: pair[0])
    result: dict[str, float | str] = {
        "megabytes": sum(p.stat().st_size for p in readings.glob("*.md")) / 1e6,
        "readings": len(library),
        "paragraphs": sum(len(r.paragraphs) for r in library),
        "rows": rows,
        "cold_s": cold,
        "cold_load_s": load,
        "raw_s": raw,
        "raw_terms_s": raw_terms,
        "warm_s": statistics.median(s for s, _ in starts),
        "warm_rss_mb": max(r for _, r in starts),
        "bot_s": statistics.median(b["ready_s"] for b in bots),
        "bot_load_s": statistics.median(b["load_s"] for b in bots),
        "bot_rss_mb": max(b["rss_mb"] for b in bots),
        "quotes_s": quoting["quotes_s"],
        "quotes_mb": quoting["quotes_mb"],
        "quotes_rss_mb": quoting["quotes_rss_mb"],
        "terms_s": statistics.median(t["terms_s"] for t in terms),
        "terms_rss_mb": max(t["terms_rss_mb"] for t in terms),
        "search_p50_s": percentile(searched, 50),
        "search_p99_s": percentile(searched, 99),
        "search_max_s": worst[0],
        "search_max_query": worst[1].text,
        "lookup_mean_s": statistics.fmean(lookups),
        "lookup_p99_s": percentile(lookups, 99),
    }
    del library
    shutil.rmtree(readings)
    database.unlink()
    keys_file(database).unlink(missing_ok=True)
    return result


def run(options: Options) -> Report:
    """Measure the library at each size of ``options.scale``."""
    started = time.perf_counter()
    corpus = options.corpus or DEFAULT_CORPUS
    cache = options.cache or Path(tempfile.gettempdir()) / "reading-group-bench"
    prepared = prepare_library(corpus, READINGS, cache)
    sizes = QUICK if options.quick else FULL
    report = Report(NAME)
    results: dict[int, dict[str, float | str]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch_name:
        scratch = Path(scratch_name)
        (scratch / "prompts").mkdir()
        from bot.core.readings import load_library

        queries = build_queries(load_library(prepared.directory), sizes.queries)
        for size in sorted(set(options.scale)):
            print(f"  {size}x ...", flush=True)
            results[size] = measure(size, prepared.directory, scratch, queries, options.quick)
    report.facts += [
        f"library: {prepared.directory} ({prepared.megabytes:.1f} MB), copied N times with "
        "distinct slugs and aliases",
        *(
            f"{n}x: {r['megabytes']:.0f} MB of reading files, {r['readings']} readings, "
            f"{r['paragraphs']:,} paragraphs, {r['rows']:,} index rows"
            for n, r in results.items()
        ),
        f"queries: {len(queries)} from bench.library.build_queries (seed 2) on the 1x library, "
        f"median of {sizes.search_passes} timed passes; lookups: {sizes.lookups:,} random "
        f"`slug §N`; fresh processes: median of {sizes.warm_starts}",
    ]

    def row(
        name: str, value: dict[int, str], target: str = "", ok: dict[int, bool] | None = None
    ) -> None:
        text = ", ".join(f"{n}x {v}" for n, v in value.items())
        at = ok.get(TARGET_SCALE) if ok else None
        report.rows.append(Row(name, text, f"{target} at {TARGET_SCALE}x" if target else "", at))

    def each(key: str) -> dict[int, float]:
        return {n: float(r[key]) for n, r in results.items()}

    def within(key: str, limit: float) -> dict[int, bool]:
        return {n: v <= limit for n, v in each(key).items()}

    ratio = {n: float(r["cold_s"]) / float(r["raw_s"]) for n, r in results.items()}
    row("cold index build (load + index)", {n: f"{v:.1f} s" for n, v in each("cold_s").items()})
    row(
        "  of which loading the readings", {n: f"{v:.1f} s" for n, v in each("cold_load_s").items()}
    )
    row("raw FTS5 build, same rows", {n: f"{v:.1f} s" for n, v in each("raw_s").items()})
    row(
        "  of which the term_frequency rows",
        {n: f"{v:.1f} s" for n, v in each("raw_terms_s").items()},
    )
    row(
        "cold build / raw FTS5",
        {n: f"{v:.1f}x" for n, v in ratio.items()},
        f"<= {COLD_OVER_RAW:g}x",
        {n: v <= COLD_OVER_RAW for n, v in ratio.items()},
    )
    row(
        "  cold build / raw FTS5 without the term_frequency rows",
        {
            n: f"{float(r['cold_s']) / (float(r['raw_s']) - float(r['raw_terms_s'])):.1f}x"
            for n, r in results.items()
        },
    )
    row(
        "warm start: `python -m bot passage` process",
        {n: f"{v:.2f} s" for n, v in each("warm_s").items()},
        f"<= {WARM_START_S:g} s",
        within("warm_s", WARM_START_S),
    )
    row(
        "  its peak RSS",
        {n: f"{v:.0f} MB" for n, v in each("warm_rss_mb").items()},
        f"<= {RSS_MB:g} MB",
        within("warm_rss_mb", RSS_MB),
    )
    row(
        "bot start to ready (load content + index sync)",
        {n: f"{v:.2f} s" for n, v in each("bot_s").items()},
        f"<= {BOT_START_S:g} s",
        within("bot_s", BOT_START_S),
    )
    row("  of which load_content", {n: f"{v:.2f} s" for n, v in each("bot_load_s").items()})
    row(
        "  its peak RSS",
        {n: f"{v:.0f} MB" for n, v in each("bot_rss_mb").items()},
        f"<= {RSS_MB:g} MB",
        within("bot_rss_mb", RSS_MB),
    )
    row(
        "  with the quote index built (quote_check on)",
        {
            n: f"{float(r['quotes_rss_mb']):.0f} MB (keys {float(r['quotes_mb']):.0f} MB, "
            f"built in {float(r['quotes_s']):.1f} s)"
            for n, r in results.items()
        },
    )
    row(
        "first post's questions (distinctive terms)",
        {n: f"{v:.2f} s" for n, v in each("terms_s").items()},
    )
    row(
        "  the bot's peak RSS after it",
        {n: f"{v:.0f} MB" for n, v in each("terms_rss_mb").items()},
        f"<= {RSS_MB:g} MB",
        within("terms_rss_mb", RSS_MB),
    )
    row("search p50", {n: _ms(v) for n, v in each("search_p50_s").items()})
    row(
        "search p99 (10 hits with snippets)",
        {n: _ms(v) for n, v in each("search_p99_s").items()},
        f"<= {SEARCH_P99_MS:g} ms",
        within("search_p99_s", SEARCH_P99_MS / 1000),
    )
    row(
        "search max",
        {
            n: f"{_ms(float(r['search_max_s']))} ({r['search_max_query']})"
            for n, r in results.items()
        },
    )
    row(
        "passage lookup mean",
        {n: _ms(v) for n, v in each("lookup_mean_s").items()},
        f"<= {LOOKUP_MS:g} ms",
        within("lookup_mean_s", LOOKUP_MS / 1000),
    )
    row("passage lookup p99", {n: _ms(v) for n, v in each("lookup_p99_s").items()})
    report.notes += [
        f"Targets apply at {TARGET_SCALE}x (issue 12); other sizes show how each measure grows. "
        "Without a 16x run the rows carry no verdict.",
        "Warm start: the whole process, interpreter start and imports included, as a member's "
        "`reading-group passage` would run; RSS from `wait4` for that child alone.",
        "Bot start: `load_content` + `open_database` + `sync_index` (nothing to reindex) timed "
        "in a fresh process after its imports; connecting to Discord is not included.",
        "First post's questions: `questions_for` the first reading's first "
        f"{FIRST_POST} paragraphs, timed in a fresh bot-start process after it is ready (the "
        "first post after a start); RSS: that process's peak.",
    ]
    report.seconds = time.perf_counter() - started
    return report


if __name__ == "__main__":
    bot_worker(quotes="--quotes" in sys.argv[1:], terms="--terms" in sys.argv[1:])
