"""Benchmark: the weekly summary at scale (issue 6): a week's summary and its chart.

The database is generated: one group with 1,000,000 logged replies by 5,000 members over 52
weeks, on 200 installments posted four times a week (3 questions each), with ⭐ and ❓ reactions
and 1% of the members opted out (their replies logged before they did, as happens). It is made
with the project's own migrations (``open_database``), then filled with ``executemany`` in
chunks inside one transaction, the reply indexes dropped during the load and built again after
(the schema ends up exactly as the migrations made it). The file is cached in
``$TMPDIR/reading-group-bench/summary-<hash>.sqlite3``, keyed by the sizes, the seed, this
generator's version and the migrations' text, so a re-run skips the generation.

Measured in one run:

- **a week's summary, end to end**: read (:func:`bot.storage.summaries.read_week`) then compute
  (:func:`bot.core.summary.summarize`) through aiosqlite as the bot does it: every SQL query,
  :func:`~bot.core.summary.compute_summary` and :func:`~bot.core.summary.chart_data`; for the
  last week at its summary time (what the tick
  posts) and for a past week (an organizer's preview). The first run on a fresh connection and
  the median of the repeats; both against the 1 s target.
- where that time goes: the SQL (:func:`~bot.storage.summaries.read_week`) against the Python.
- **chart rendering**: :func:`bot.discord.chart.render_chart` of the week's chart (4 weeks of daily
  bars) and of a 52-week chart, first and median; the 1 s target applies to both.
- rendering the Discord embed (:func:`bot.discord.render.summary_embeds`), for context.
- **a naive baseline**, in the same run: every row of ``replies`` and ``reactions`` read into
  Python and filtered there (no index, no aggregation in SQL), computing only the week's counts
  and the ⭐ highlights: less than the summary, so the speed-up is a lower bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import itertools
import random
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bench import REPO, Options, Report, Row
from bot.core.excerpts import Installment
from bot.core.group import Group
from bot.core.instants import format_instant
from bot.core.replies import STAR, STUCK
from bot.core.schedule import UTC, parse_cadence, slots
from bot.core.summary import (
    ChartData,
    IsoWeek,
    Summary,
    SummarySettings,
    WeeklySummary,
    question_numbers,
    summarize,
    week_bounds,
)
from bot.discord.chart import render_chart
from bot.discord.render import summary_embeds
from bot.storage.database import open_database
from bot.storage.groups import get_group, save_group
from bot.storage.summaries import WINDOW_WEEKS, read_week

NAME = "summary"

# Targets from issue 6.
SUMMARY_S = 1.0
CHART_S = 1.0

SEED = 6
GENERATOR_VERSION = 2  # bump when the generated data changes
MIGRATIONS = REPO / "bot" / "storage" / "migrations"

GROUP_ID = 1_000_000_000_000_001
GUILD_ID = 1_000_000_000_000_000
CADENCE = "mon,wed,fri,sun 19:00 Europe/Berlin"
SUMMARY = "sun 18:00"
FIRST_WEEK = IsoWeek(2025, 1)
READINGS = 10


@dataclass(frozen=True)
class Sizes:
    """What the generated database holds and how often each thing is timed."""

    replies: int
    members: int
    installments: int
    weeks: int
    repeats: int
    baseline_repeats: int


FULL = Sizes(
    replies=1_000_000, members=5_000, installments=200, weeks=52, repeats=5, baseline_repeats=1
)
QUICK = Sizes(
    replies=50_000, members=500, installments=200, weeks=52, repeats=2, baseline_repeats=1
)


# --------------------------------------------------------------------------- the database


def installments_for(count: int) -> tuple[Installment, ...]:
    """``count`` installments over :data:`READINGS` made-up readings, 400-1,500 words each."""
    rng = random.Random(SEED)
    per_reading = -(-count // READINGS)
    parts = []
    for index in range(count):
        slug = f"book-{index // per_reading + 1:02d}"
        first = (index % per_reading) * 6 + 1
        parts.append(Installment(slug, first, first + 5, rng.randint(400, 1500)))
    return tuple(parts)


def bench_group(sizes: Sizes) -> Group:
    """The group: four posts a week from the first week's Monday, a Sunday summary."""
    cadence = parse_cadence(CADENCE)
    parts = installments_for(sizes.installments)
    start, _ = week_bounds(FIRST_WEEK, cadence.tz)
    return Group(
        channel_id=GROUP_ID,
        guild_id=GUILD_ID,
        name="bench",
        readings=tuple(dict.fromkeys(part.slug for part in parts)),
        cadence=cadence,
        start=start,
        summary=parse_cadence(SUMMARY, timezone=cadence.tz),
        done_key=parts[-1].key,
        done_count=len(parts),
    )


def last_week(sizes: Sizes) -> IsoWeek:
    return FIRST_WEEK.shift(sizes.weeks - 1)


@dataclass(frozen=True)
class Prepared:
    path: Path
    seconds: float  # spent generating now; 0 when the cache was used
    cached: bool
    megabytes: float


def prepare_database(sizes: Sizes, cache_root: Path) -> Prepared:
    """The generated database for ``sizes``, from the cache or made now."""
    digest = hashlib.sha256(repr((sizes.replies, sizes.members, sizes.installments)).encode())
    digest.update(repr((sizes.weeks, SEED, GENERATOR_VERSION)).encode())
    for migration in sorted(MIGRATIONS.glob("*.sql")):
        digest.update(migration.name.encode() + migration.read_bytes())
    target = cache_root / f"summary-{digest.hexdigest()[:16]}.sqlite3"
    if target.is_file():
        return Prepared(target, 0.0, True, target.stat().st_size / 1e6)
    started = time.perf_counter()
    cache_root.mkdir(parents=True, exist_ok=True)
    for stale in cache_root.glob("summary-*.sqlite3*"):
        stale.unlink(missing_ok=True)
    building = Path(tempfile.mkdtemp(prefix="building-", dir=cache_root)) / "db.sqlite3"
    asyncio.run(_create(building, bench_group(sizes)))
    generate(building, sizes)
    building.rename(target)
    building.parent.rmdir()
    return Prepared(target, time.perf_counter() - started, False, target.stat().st_size / 1e6)


async def _create(path: Path, group: Group) -> None:
    async with open_database(path) as db:
        await save_group(db, group, now=group.start)


def _snowflake(moment: dt.datetime, counter: int) -> int:
    return (int(moment.timestamp() * 1000) - 1_420_070_400_000) << 22 | (counter & 0x3FFFFF)


def generate(path: Path, sizes: Sizes, chunk: int = 50_000) -> None:
    """Fill the migrated database at ``path`` (see the module docstring)."""
    rng = random.Random(SEED)
    group = bench_group(sizes)
    parts = installments_for(sizes.installments)
    post_slots = [s for s, _ in zip(slots(group.cadence, group.start), parts, strict=False)]
    _, end = week_bounds(last_week(sizes), group.cadence.tz)
    vocabulary = [
        "".join(rng.choices("aeioulmnrstkpdgb", k=rng.randint(3, 9))) for _ in range(2000)
    ]
    members = list(range(1, sizes.members + 1))
    # A few members write a lot and many write a little, as in real groups; one reply in
    # eight is by anyone at all, so that every member takes part now and then.
    cumulative = list(itertools.accumulate(1 / rank**0.8 for rank in range(1, len(members) + 1)))
    authors = rng.choices(members, cum_weights=cumulative, k=sizes.replies)
    for index in range(0, sizes.replies, 8):
        authors[index] = rng.choice(members)
    opted_out = rng.sample(members, max(1, sizes.members // 100))

    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as con:
        # One big load: no journal to speak of (the file is thrown away if this fails).
        con.execute("PRAGMA journal_mode = DELETE")
        con.execute("PRAGMA synchronous = OFF")
        indexes = [
            sql
            for (sql,) in con.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'replies' "
                "AND sql IS NOT NULL"
            )
        ]
        con.execute("BEGIN")
        for name in [s.split()[2] for s in indexes]:
            con.execute(f"DROP INDEX {name}")
        posts = []
        questions = []
        for number, (part, slot) in enumerate(zip(parts, post_slots, strict=True), 1):
            posted = slot + dt.timedelta(seconds=2)
            message_id = _snowflake(posted, number)
            posts.append(
                (
                    number,
                    GROUP_ID,
                    format_instant(slot),
                    part.key,
                    number,
                    len(parts),
                    format_instant(slot),
                    message_id,
                    message_id,
                    format_instant(posted),
                )
            )
            for position in (1, 2, 3):
                questions.append(
                    (number, position, GROUP_ID, f"q{number}-{position}", f"Question {position}?")
                )
        con.executemany(
            "INSERT INTO posts (id, channel_id, slot, kind, installment_key, number, total, "
            "claimed_at, message_id, thread_id, posted_at) "
            "VALUES (?, ?, ?, 'scheduled', ?, ?, ?, ?, ?, ?, ?)",
            posts,
        )
        con.executemany("INSERT INTO asked_questions VALUES (?, ?, ?, ?, ?)", questions)
        con.executemany(
            "INSERT INTO opt_outs VALUES (?, ?)", [(m, format_instant(end)) for m in opted_out]
        )
        reactions: list[tuple[int, int, int, str, str]] = []
        for _, _, _, _, _, _, _, message_id, _, posted_at in posts:
            for user in rng.sample(members, rng.randint(0, 10)):
                reactions.append((message_id, GROUP_ID, user, STUCK, posted_at))
        first = post_slots[0]
        span = (end - first).total_seconds()
        times = sorted(rng.uniform(0, span) for _ in range(sizes.replies))
        post_times = [s.timestamp() - first.timestamp() for s in post_slots]
        rows: list[tuple[object, ...]] = []
        latest = 0
        for counter, offset in enumerate(times):
            while latest + 1 < len(post_times) and post_times[latest + 1] <= offset:
                latest += 1
            number = max(1, latest + 1 - (rng.random() < 0.2) * rng.randint(1, 3))
            post = posts[number - 1]
            created = first + dt.timedelta(seconds=offset)
            message_id = _snowflake(created, counter)
            author = authors[counter]
            words = rng.randint(5, 40)
            text = " ".join(rng.choices(vocabulary, k=words))
            roll = rng.random()
            if roll < 0.08:
                text = f"Q{rng.randint(1, 3)}: {text}"
            elif roll < 0.16:
                text = f"§{rng.randint(1, 6) + (number - 1) % 20 * 6} {text}"
            thread = post[8] if rng.random() < 0.95 else GROUP_ID
            rows.append(
                (
                    message_id,
                    thread,
                    GROUP_ID,
                    GUILD_ID,
                    number,
                    author,
                    f"Member {author}",
                    text,
                    format_instant(created),
                    None,
                    None,
                    0,
                    words,
                )
            )
            roll = rng.random()
            if roll < 0.03:
                for user in rng.sample(members, rng.randint(1, 8)):
                    reactions.append((message_id, thread, user, STAR, format_instant(created)))
            elif roll < 0.04:
                for user in rng.sample(members, rng.randint(1, 3)):
                    reactions.append((message_id, thread, user, STUCK, format_instant(created)))
            if len(rows) >= chunk:
                _insert_replies(con, rows)
                rows.clear()
        _insert_replies(con, rows)
        con.executemany("INSERT OR IGNORE INTO reactions VALUES (?, ?, ?, ?, ?)", reactions)
        for sql in indexes:
            con.execute(sql)
        con.execute("COMMIT")
        con.execute("PRAGMA journal_mode = WAL")  # as the bot runs it


def _insert_replies(con: sqlite3.Connection, rows: list[tuple[object, ...]]) -> None:
    con.executemany(
        "INSERT INTO replies (message_id, channel_id, group_channel_id, guild_id, post_id, "
        "author_id, author_name, content, created_at, edited_at, reply_to_id, attachments, words) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


# --------------------------------------------------------------------------- measurements


@dataclass
class Timed:
    """One week's summary: the whole, its SQL, and what it produced."""

    first: float
    median: float
    sql: float
    python: float
    replies: int
    participants: int


def summary_now(week: IsoWeek, group: Group) -> dt.datetime:
    """The week's summary slot: Sunday 18:00 in the group's timezone."""
    assert group.summary is not None
    sunday = week.monday + dt.timedelta(days=6)
    local = dt.datetime.combine(sunday, group.summary.at, tzinfo=group.cadence.tz)
    return local.astimezone(UTC)


async def build_summary(
    db: aiosqlite.Connection,
    group: Group,
    week: IsoWeek,
    *,
    installments: Sequence[Installment],
    now: dt.datetime,
    settings: SummarySettings | None = None,
    weeks: int = WINDOW_WEEKS,
) -> WeeklySummary:
    """The week's summary as the bot builds it: read, then compute."""
    settings = settings or SummarySettings()
    data = await read_week(
        db,
        group,
        week,
        names=question_numbers,
        weeks=weeks,
        min_group_size=settings.min_group_size,
    )
    return summarize(data, week, installments=installments, now=now, settings=settings)


async def time_summary(path: Path, week: IsoWeek, now: dt.datetime, repeats: int) -> Timed:
    """Build the week's summary ``repeats`` + 1 times on a fresh connection; split one run into
    its SQL and its Python."""
    settings = SummarySettings(leaderboard=True)
    async with open_database(path) as db:
        group = await get_group(db, GROUP_ID)
        assert group is not None
        parts = installments_for(group.done_count)
        totals = []
        for _ in range(repeats + 1):
            started = time.perf_counter()
            weekly = await build_summary(
                db, group, week, installments=parts, now=now, settings=settings
            )
            totals.append(time.perf_counter() - started)
        started = time.perf_counter()
        data = await read_week(
            db, group, week, names=question_numbers, min_group_size=settings.min_group_size
        )
        sql = time.perf_counter() - started
        started = time.perf_counter()
        summarize(data, week, installments=parts, now=now, settings=settings)
        python = time.perf_counter() - started
    counts = weekly.summary.participation.counts
    return Timed(
        totals[0], statistics.median(totals[1:]), sql, python, counts.replies, counts.participants
    )


async def charts(
    path: Path, week: IsoWeek, now: dt.datetime
) -> tuple[Summary, ChartData, ChartData]:
    """The week's summary, its 4-week chart, and a 52-week chart of the same group."""
    async with open_database(path) as db:
        group = await get_group(db, GROUP_ID)
        assert group is not None
        parts = installments_for(group.done_count)
        weekly = await build_summary(db, group, week, installments=parts, now=now)
        year = await build_summary(db, group, week, installments=parts, now=now, weeks=52)
    return weekly.summary, weekly.chart, year.chart


def time_calls(call: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(first, median of the rest) of ``repeats`` + 1 calls."""
    times = []
    for _ in range(repeats + 1):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times[0], statistics.median(times[1:])


def baseline(path: Path, week: IsoWeek, group: Group) -> tuple[float, int]:
    """The naive way (see the module docstring). Returns (seconds, the week's replies)."""
    started = time.perf_counter()
    start, end = week_bounds(week, group.cadence.tz)
    low, high = format_instant(start), format_instant(end)
    with contextlib.closing(sqlite3.connect(path)) as con:
        opted = {user for (user,) in con.execute("SELECT user_id FROM opt_outs")}
        count = words = 0
        authors: set[int] = set()
        week_ids: dict[int, int] = {}
        for message_id, channel, author, created, length, _content in con.execute(
            "SELECT message_id, group_channel_id, author_id, created_at, words, content "
            "FROM replies"
        ):
            if channel == group.channel_id and low <= created < high and author not in opted:
                count += 1
                words += length
                authors.add(author)
                week_ids[message_id] = author
        stars: Counter[int] = Counter()
        for message_id, user, emoji in con.execute(
            "SELECT message_id, user_id, emoji FROM reactions"
        ):
            if emoji == STAR and message_id in week_ids and user != week_ids[message_id]:
                stars[message_id] += 1
        stars.most_common(3)
    return time.perf_counter() - started, count


def _s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def run(options: Options) -> Report:
    """Run the whole summary benchmark."""
    sizes = QUICK if options.quick else FULL
    return run_sizes(sizes, options)


def run_sizes(sizes: Sizes, options: Options) -> Report:
    cache = options.cache or Path(tempfile.gettempdir()) / "reading-group-bench"
    started = time.perf_counter()
    prepared = prepare_database(sizes, cache)
    group = bench_group(sizes)
    current = last_week(sizes)
    past = FIRST_WEEK.shift(sizes.weeks * 3 // 5)
    now = summary_now(current, group)
    current_t = asyncio.run(time_summary(prepared.path, current, now, sizes.repeats))
    past_t = asyncio.run(time_summary(prepared.path, past, now, sizes.repeats))
    summary, week_chart, year_chart = asyncio.run(charts(prepared.path, past, now))
    chart_first, chart_median = time_calls(lambda: render_chart(week_chart), sizes.repeats)
    year_first, year_median = time_calls(lambda: render_chart(year_chart), sizes.repeats)
    png = render_chart(week_chart)
    embed_first, embed_median = time_calls(
        lambda: summary_embeds(summary, chart=True), sizes.repeats
    )
    naive = [baseline(prepared.path, past, group) for _ in range(sizes.baseline_repeats)]
    naive_s = statistics.median(t for t, _ in naive)
    if naive[0][1] != past_t.replies:
        raise RuntimeError(
            f"the baseline counted {naive[0][1]} replies in {past}, the summary {past_t.replies}"
        )

    report = Report(NAME)
    report.facts += [
        f"database: {sizes.replies:,} replies by {sizes.members:,} members "
        f"({max(1, sizes.members // 100)} opted out) over {sizes.weeks} weeks, "
        f"{sizes.installments} installments with 3 questions each, ⭐/❓ reactions; "
        f"{prepared.megabytes:.0f} MB",
        f"file: {prepared.path} "
        + ("(cached)" if prepared.cached else f"(generated now in {prepared.seconds:.1f} s)"),
        f"weeks: {current} (the last, at its summary time: {current_t.replies:,} replies by "
        f"{current_t.participants:,} members) and {past} (a past week: {past_t.replies:,} "
        f"replies by {past_t.participants:,} members)",
        f"chart PNG: {len(png) / 1000:.0f} kB",
    ]
    report.rows += [
        Row(
            f"week summary {current}, first run",
            _s(current_t.first),
            f"<= {SUMMARY_S:g} s",
            current_t.first <= SUMMARY_S,
        ),
        Row(
            f"week summary {current}, median of {sizes.repeats}",
            _s(current_t.median),
            f"<= {SUMMARY_S:g} s",
            current_t.median <= SUMMARY_S,
        ),
        Row(
            f"week summary {past}, first run",
            _s(past_t.first),
            f"<= {SUMMARY_S:g} s",
            past_t.first <= SUMMARY_S,
        ),
        Row(
            f"week summary {past}, median of {sizes.repeats}",
            _s(past_t.median),
            f"<= {SUMMARY_S:g} s",
            past_t.median <= SUMMARY_S,
        ),
        Row(
            "of which SQL / Python",
            f"{_s(current_t.sql)} / {_s(current_t.python)} ({current}), "
            f"{_s(past_t.sql)} / {_s(past_t.python)} ({past})",
        ),
        Row(
            "chart 4 weeks (28 bars), first / median",
            f"{_s(chart_first)} / {_s(chart_median)}",
            f"<= {CHART_S:g} s",
            max(chart_first, chart_median) <= CHART_S,
        ),
        Row(
            "chart 52 weeks (52 bars), first / median",
            f"{_s(year_first)} / {_s(year_median)}",
            f"<= {CHART_S:g} s",
            max(year_first, year_median) <= CHART_S,
        ),
        Row("Discord embed, first / median", f"{_s(embed_first)} / {_s(embed_median)}"),
        Row(f"naive baseline {past} (counts and ⭐ only)", _s(naive_s)),
        Row("speed-up over naive baseline", f"{naive_s / past_t.median:.0f}x"),
    ]
    report.notes += [
        "Week summary: `bot.storage.summaries.read_week(db, group, week, ...)` then "
        "`bot.core.summary.summarize(data, ...)` through aiosqlite, as the tick and /summary do "
        "it: every query, `compute_summary` and "
        "`chart_data`; leaderboard on (the most work). First run: the first call on a newly "
        "opened connection; median: of the calls after it. SQL / Python: one more call split "
        "into `read_week` and the rest.",
        "Charts: `bot.discord.chart.render_chart` (Pillow, 1000x560, drawn at 2x and reduced) of "
        "the past week's 4-week chart and of a 52-week chart, first call and median of the rest.",
        "Naive baseline: every row of `replies` (with its text) and `reactions` read into "
        "Python and filtered there; it computes only the week's counts and the ⭐ highlights, "
        "so the speed-up is a lower bound. It counted the same replies as the summary.",
    ]
    report.seconds = time.perf_counter() - started
    return report
