"""Benchmark: N Discord servers of M reading groups each, a reply rate, on each backend (issue 12).

``python -m bench servers --servers N --groups M --rate R [--backend sqlite|postgres|both]``

Everything goes through the bot's storage code on a real database: the groups are saved with
:func:`bot.storage.groups.save_group`, each with last week's installment already posted (claimed
and confirmed as the poster does). Then each bot process (a fresh Python process, as in
production) runs for a while, all on one connection as the bot does:

- **the posting tick**: every group's slot of this week is due at once (the worst case: every
  group meets at the same hour); each is claimed (:func:`claim_post`, the one transaction that
  makes posting exactly-once) and marked posted (:func:`confirm_post`), group after group as the
  tick does; each claim is timed (p50/p99);
- **the weekly summary read** (:func:`read_week`, every query the summary runs) of each group,
  each timed (p99);
- **replies**, made as the Discussion cog makes them (:class:`bot.core.replies.Reply`, spread
  over the groups' threads) and handed to the real writer (:class:`bot.discord.replylog.ReplyLog`)
  at the offered rate, in 10 ms ticks, all the while. The offered rate starts at R and doubles
  every step; a step keeps up when at least 90% of the replies asked for were made (else the
  CPU, not the database, was short) and what waits in the writer's queue at the step's end is
  at most half a second's worth (it commits every quarter of a second). **Sustained** is the
  highest rate kept up with; the first one that was not is where the backend stops keeping up,
  and one more step at three quarters of it narrows the gap.

With two processes ("shards" 0 and 1 of ``SHARD_COUNT=2``), each runs the groups of its half of
the servers (``shard_of``) and half the rate, on the one database, started together. SQLite
cannot be shared: the second process is refused by the first's instance lock at open (its
message is reported), so SQLite is measured with one process only.

Baseline, in the same run: the committed rows, read back, inserted with one raw ``executemany``
of a plain INSERT in one transaction into a fresh database of the same schema and groups, on
each backend (stdlib ``sqlite3``; ``asyncpg`` for PostgreSQL).

PostgreSQL comes from ``TEST_DATABASE_URL`` (a local server: ``docker compose up -d postgres``)
or a throwaway cluster started with ``initdb``/``pg_ctl`` on 127.0.0.1 (``tests/pg.py``), crash-safe
(fsync on) with ``synchronous_commit=off``, which acknowledges commits before they reach the disk
as the bot's SQLite does (WAL, ``synchronous=NORMAL``); the report says the server's settings.
Without either the PostgreSQL half is skipped with the reason.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import REPO, Options, Report, Row, Skipped, percentile
from bot.core.group import Group
from bot.core.instants import format_instant
from bot.core.replies import Reply, word_count
from bot.core.schedule import parse_cadence
from bot.core.shards import Shards, shard_of
from bot.core.summary import IsoWeek, question_numbers
from bot.discord.replylog import ReplyLog
from bot.storage.connection import Connection
from bot.storage.database import DatabaseInUse, open_database
from bot.storage.groups import (
    Post,
    claim_post,
    confirm_post,
    get_group,
    posts_of,
    save_group,
)
from bot.storage.instance import Owner
from bot.storage.postgres import open_postgres
from bot.storage.summaries import read_week
from tests.pg import (
    DURABLE,
    BadServer,
    Unavailable,
    local_server,
    run_async,
    server_settings,
)

NAME = "servers"

BACKENDS = ("sqlite", "postgres")
SHARDS = 2
READING = "proletarian-internationalism"
CADENCE = "mon 19:00 UTC"
LAST_WEEK = dt.datetime(2027, 1, 4, 19, 0, tzinfo=dt.UTC)  # a Monday: the installment posted
THIS_WEEK = LAST_WEEK + dt.timedelta(days=7)  # the slot every group claims in the run
MEMBERS = 200
TICK = 0.01  # seconds between two puts of the reply producer
KEPT_UP_SHARE = 0.9  # of the offered replies made within the step (else the CPU was short)
BACKLOG_SECONDS = 0.5  # of the offered rate, queued at the step's end at most
REPLY_COLUMNS = (
    "message_id, channel_id, group_channel_id, guild_id, post_id, author_id, author_name, "
    "content, created_at, edited_at, reply_to_id, attachments, words"
)


@dataclass(frozen=True)
class Shape:
    """What one run simulates."""

    servers: int
    groups: int  # per server
    rate: float  # replies/s offered at the first step, over all processes
    steps: int  # doublings of the rate at most
    step_seconds: float

    def guild_id(self, server: int) -> int:
        # A Discord id: its shard is (id >> 22) % SHARD_COUNT, so consecutive servers alternate.
        return ((1 << 30) + server) << 22

    def channel_id(self, server: int, group: int) -> int:
        return (((1 << 31) + server * 64 + group) << 22) + 1

    def thread_id(self, server: int, group: int) -> int:
        return self.channel_id(server, group) + 1

    def message_id(self, server: int, group: int) -> int:
        return self.channel_id(server, group) + 2

    def servers_of(self, shard: int | None) -> list[int]:
        """The servers a process runs: all of them, or those of one shard of two."""
        every = range(self.servers)
        if shard is None:
            return list(every)
        return [s for s in every if shard_of(self.guild_id(s), SHARDS) == shard]


FULL = Shape(servers=200, groups=5, rate=1000.0, steps=7, step_seconds=4.0)
QUICK = Shape(servers=10, groups=2, rate=200.0, steps=2, step_seconds=1.0)


# --------------------------------------------------------------------------- the databases


@dataclass(frozen=True)
class Target:
    """Where a process opens the shared state: a SQLite file, or a PostgreSQL URL."""

    backend: str
    location: str

    @contextlib.asynccontextmanager
    async def open(
        self, owner: Owner | None = None, shard: int | None = None
    ) -> AsyncIterator[Connection]:
        """The bot's connection to the shared state, schema up to date, as ``run`` opens it:
        with an ``owner``, holding the file (SQLite) or its shard (PostgreSQL)."""
        if self.backend == "sqlite":
            async with open_database(Path(self.location), owner=owner) as db:
                yield db
            return
        shards = None if shard is None else Shards(SHARDS, (shard,))
        async with open_postgres(self.location, owner=owner, shards=shards) as db:
            yield db


async def setup(target: Target, shape: Shape) -> None:
    """Every group, with last week's installment claimed and confirmed (not timed)."""
    cadence = parse_cadence(CADENCE)
    async with target.open() as db:
        for server in range(shape.servers):
            for number in range(shape.groups):
                group = await save_group(
                    db,
                    Group(
                        channel_id=shape.channel_id(server, number),
                        guild_id=shape.guild_id(server),
                        name=f"server-{server}-group-{number}",
                        readings=(READING,),
                        cadence=cadence,
                        start=LAST_WEEK - dt.timedelta(days=1),
                    ),
                    now=LAST_WEEK,
                )
                post = await claim(db, group, 1)
                assert post is not None
                await confirm_post(
                    db,
                    post.id,
                    message_id=shape.message_id(server, number),
                    thread_id=shape.thread_id(server, number),
                    late=False,
                    now=LAST_WEEK,
                )


async def claim(db: Any, group: Group, number: int, owner: Owner | None = None) -> Post | None:
    """Claim the group's installment ``number`` (three paragraphs, three questions) in its
    slot of that week (1: last week's, 2: this week's), as the poster claims."""
    first = 3 * number - 2
    return await claim_post(
        db,
        group,
        slot=LAST_WEEK + dt.timedelta(days=7 * (number - 1)),
        kind="scheduled",
        installment_key=f"{READING}:{first}-{first + 2}",
        number=number,
        total=10,
        questions=[(f"q{k}", f"Question {k}?") for k in range(first, first + 3)],
        now=LAST_WEEK + dt.timedelta(days=7 * (number - 1)),
        owner=owner,
    )


# --------------------------------------------------------------------------- one process


@dataclass
class Step:
    offered: float  # replies/s asked of the producer
    produced: int  # replies it put into the writer
    committed: int  # replies the writer committed during the step
    seconds: float
    backlog: int  # replies queued at the step's end

    @property
    def kept_up(self) -> bool:
        """The replies were made at the rate asked, and what waits at the end is at most half a
        second's worth (the writer commits every quarter of a second)."""
        return (
            self.produced >= KEPT_UP_SHARE * self.offered * self.seconds
            and self.backlog <= BACKLOG_SECONDS * self.offered
        )


class Producer:
    """Replies as the Discussion cog makes them, spread over the process's groups' threads."""

    def __init__(self, shape: Shape, servers: Sequence[int], post_ids: dict[int, int], seed: int):
        self.rng = random.Random(seed)
        self.threads = [
            (shape.thread_id(s, g), shape.channel_id(s, g), shape.guild_id(s))
            for s in servers
            for g in range(shape.groups)
        ]
        self.post_ids = post_ids
        words = (REPO / "readings" / f"{READING}.md").read_text(encoding="utf-8").split()
        # (text, its word count), made once: the writer is measured, not the producer.
        self.texts: list[tuple[str, int]] = []
        for _ in range(500):
            size = self.rng.randint(3, 80)
            start = self.rng.randrange(len(words) - size)
            text = " ".join(words[start : start + size])
            self.texts.append((text, word_count(text)))
        # Ids of this process's replies: its seed in the high bits keeps two processes apart.
        self.next_id = ((1 << 33) + (seed << 31)) << 22
        self.made = 0

    def reply(self) -> Reply:
        thread, channel, guild = self.rng.choice(self.threads)
        author = self.rng.randrange(1, MEMBERS + 1)
        text, words = self.rng.choice(self.texts)
        self.next_id += 1 << 22
        self.made += 1
        return Reply(
            message_id=self.next_id,
            channel_id=thread,
            group_channel_id=channel,
            guild_id=guild,
            post_id=self.post_ids[channel],
            author_id=author,
            author_name=f"reader{author}",
            content=text,
            created_at=THIS_WEEK + dt.timedelta(seconds=self.made / 1000),
            words=words,
        )


async def offer(log: ReplyLog, producer: Producer, rate: float, seconds: float) -> Step:
    """Put replies into the writer at ``rate`` per second for ``seconds``, in 10 ms ticks."""
    written, made = log.written, producer.made
    started = time.perf_counter()
    due = 0
    while (elapsed := time.perf_counter() - started) < seconds:
        if log.pending > log.max_backlog // 2:
            break  # far behind: going on would fill the backlog, and the writer drop replies
        for _ in range(int(rate * elapsed) - due):
            log.put(producer.reply())
            due += 1
        await asyncio.sleep(TICK)
    return Step(
        rate,
        producer.made - made,
        log.written - written,
        time.perf_counter() - started,
        log.pending,
    )


async def claims_and_reads(
    db: Any, shape: Shape, servers: Sequence[int], owner: Owner
) -> tuple[list[float], list[float]]:
    """The posting tick (every group's slot claimed and confirmed), then each group's weekly
    summary read. Returns the claims' and the reads' seconds."""
    claims: list[float] = []
    channels = [shape.channel_id(s, g) for s in servers for g in range(shape.groups)]
    for channel in channels:
        group = await get_group(db, channel)
        assert group is not None
        started = time.perf_counter()
        post = await claim(db, group, 2, owner)
        claims.append(time.perf_counter() - started)
        assert post is not None, f"the slot of {channel} was claimed already"
        await confirm_post(
            db, post.id, message_id=channel + 3, thread_id=channel + 4, late=False, now=THIS_WEEK
        )
    reads: list[float] = []
    week = IsoWeek.of(LAST_WEEK.date())
    for channel in channels:
        group = await get_group(db, channel)
        assert group is not None
        started = time.perf_counter()
        await read_week(db, group, week, names=question_numbers, guild_id=group.guild_id)
        reads.append(time.perf_counter() - started)
    return claims, reads


async def last_posts(db: Any, channels: Sequence[int]) -> dict[int, int]:
    """Each group's post of last week (the replies' post)."""
    return {channel: (await posts_of(db, channel))[0].id for channel in channels}


async def process(target: Target, shape: Shape, shard: int | None) -> dict[str, Any]:
    """One bot process's run: its groups' tick and summary reads under the first step's replies,
    then the rate doubling until the writer falls behind. Returns what it measured."""
    servers = shape.servers_of(shard)
    rate = shape.rate / (1 if shard is None else SHARDS)
    owner = Owner.this_process(dt.datetime.now(dt.UTC))
    async with target.open(owner, shard) as db:
        channels = [shape.channel_id(s, g) for s in servers for g in range(shape.groups)]
        producer = Producer(shape, servers, await last_posts(db, channels), seed=shard or 0)
        log = ReplyLog(db)
        await log.start()
        # Ready: every process starts its run when the bench says go (a line on stdin).
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        work = asyncio.create_task(claims_and_reads(db, shape, servers, owner))
        steps: list[Step] = []
        # The first step lasts until the tick and the reads are done, at least a step's time.
        first = await offer(log, producer, rate, shape.step_seconds)
        while not work.done():
            more = await offer(log, producer, rate, shape.step_seconds / 4)
            first = Step(
                rate,
                first.produced + more.produced,
                first.committed + more.committed,
                first.seconds + more.seconds,
                more.backlog,
            )
        steps.append(first)
        claims, reads = await work
        for _ in range(1, shape.steps):
            if not steps[-1].kept_up:
                break
            rate *= 2
            steps.append(await offer(log, producer, rate, shape.step_seconds))
        if len(steps) > 1 and not steps[-1].kept_up:
            # Between the last rate kept up with and the first not: one more step, after the
            # backlog is written, at three quarters of the rate that fell behind.
            await log.flush()
            steps.append(await offer(log, producer, rate * 3 / 4, shape.step_seconds))
        await log.close()
    return {
        "claims": claims,
        "reads": reads,
        "steps": [dataclasses.asdict(step) for step in steps],
        "replies": producer.made,
    }


# --------------------------------------------------------------------------- the run


def run_processes(
    target: Target, shape: Shape, shards: Sequence[int | None]
) -> list[dict[str, Any]]:
    """Start one process per shard, let them go together once all are ready, and collect
    their measurements."""
    spec = json.dumps({"target": dataclasses.asdict(target), "shape": dataclasses.asdict(shape)})
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.servers", "--worker", spec, "--shard", str(shard)],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for shard in shards
    ]
    try:
        for child in children:
            assert child.stdout is not None
            if child.stdout.readline().strip() != "ready":
                raise RuntimeError(f"a bench process exited {child.wait()} before its run")
        results = []
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        for child in children:
            out, _ = child.communicate(timeout=600)
            if child.returncode != 0:
                raise RuntimeError(f"a bench process exited {child.returncode}")
            results.append(json.loads(out))
        return results
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()


def second_sqlite_process(target: Target) -> str:
    """What a second process gets when it opens the SQLite file a first one holds."""

    async def hold() -> str:
        owner = Owner.this_process(dt.datetime.now(dt.UTC))
        async with target.open(owner):
            spec = json.dumps({"target": dataclasses.asdict(target)})
            second = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "bench.servers", "--refused", spec],
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=60,
            )
        return second.stdout.strip()

    return asyncio.run(hold())


async def refused(target: Target) -> str:
    try:
        async with target.open(Owner.this_process(dt.datetime.now(dt.UTC))):
            return "opened (not refused)"
    except DatabaseInUse as exc:
        return f"refused: {exc}"


def raw_rows(target: Target, limit: int) -> list[tuple[Any, ...]]:
    """Up to ``limit`` of the rows the run committed, read back."""

    async def read() -> list[tuple[Any, ...]]:
        async with target.open() as db:
            query = f"SELECT {REPLY_COLUMNS} FROM replies ORDER BY message_id LIMIT ?"
            async with db.execute(query, (limit,)) as cursor:
                return [tuple(row) for row in await cursor.fetchall()]

    return asyncio.run(read())


def raw_sqlite(path: Path, rows: Sequence[tuple[Any, ...]]) -> float:
    """Rows/s of one ``executemany`` in one transaction, with the bot's pragmas."""
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON"):
            db.execute(f"PRAGMA {pragma}")
        query = f"INSERT INTO replies ({REPLY_COLUMNS}) VALUES ({', '.join('?' * 13)})"
        started = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.executemany(query, rows)
        db.execute("COMMIT")
        return len(rows) / (time.perf_counter() - started)


async def raw_postgres(url: str, rows: Sequence[tuple[Any, ...]]) -> float:
    """Rows/s of one asyncpg ``executemany`` in one transaction."""
    import asyncpg  # only when PostgreSQL is measured

    connection = await asyncpg.connect(url)
    try:
        values = ", ".join(f"${n}" for n in range(1, 14))
        query = f"INSERT INTO replies ({REPLY_COLUMNS}) VALUES ({values})"
        started = time.perf_counter()
        async with connection.transaction():
            await connection.executemany(query, rows)
        return len(rows) / (time.perf_counter() - started)
    finally:
        await connection.close()


@dataclass
class Measured:
    """One backend's results, combined over its processes."""

    backend: str
    processes: int
    groups: int
    claims: list[float]
    reads: list[float]
    steps: list[list[Step]]  # per process
    made: int  # replies made, over the processes
    stored: int  # rows in replies afterwards
    posted: int  # posts of this week's slot afterwards
    raw: float = 0.0

    @property
    def sustained(self) -> float:
        """The highest combined rate every process kept up with (each offered its share)."""
        kept = [max((s.offered for s in steps if s.kept_up), default=0.0) for steps in self.steps]
        return self.processes * min(kept)

    @property
    def tried(self) -> float:
        return self.processes * max(s.offered for steps in self.steps for s in steps)

    @property
    def first_behind(self) -> str:
        """The lowest rate some process fell behind at, and what all of them did there."""
        behind = [s for steps in self.steps for s in steps if not s.kept_up]
        if not behind:
            return f"kept up at every rate tried (up to {self.tried:,.0f}/s)"
        rate = min(s.offered for s in behind)
        at = [s for steps in self.steps for s in steps if s.offered == rate]
        committed = sum(s.committed / s.seconds for s in at)
        backlog = sum(s.backlog for s in at)
        return (
            f"at {rate * self.processes:,.0f}/s offered: {committed:,.0f}/s committed, "
            f"{backlog:,} queued at the step's end"
        )


async def tally(target: Target) -> tuple[int, int]:
    """Rows in replies, and posts of this week's slot, confirmed."""
    async with target.open() as db:
        async with db.execute("SELECT count(*) FROM replies") as cursor:
            (replies,) = await cursor.fetchone()
        query = "SELECT count(*) FROM posts WHERE slot = ? AND posted_at IS NOT NULL"
        async with db.execute(query, (format_instant(THIS_WEEK),)) as cursor:
            (posts,) = await cursor.fetchone()
    return int(replies), int(posts)


def measure(target: Target, shape: Shape, shards: Sequence[int | None]) -> Measured:
    results = run_processes(target, shape, shards)
    stored, posted = asyncio.run(tally(target))
    return Measured(
        backend=target.backend,
        processes=len(shards),
        groups=shape.servers * shape.groups,
        claims=[c for r in results for c in r["claims"]],
        reads=[c for r in results for c in r["reads"]],
        steps=[[Step(**step) for step in r["steps"]] for r in results],
        made=sum(r["replies"] for r in results),
        stored=stored,
        posted=posted,
    )


def sqlite_run(shape: Shape, folder: Path) -> tuple[Measured, str]:
    target = Target("sqlite", str(folder / "shared.sqlite3"))
    asyncio.run(setup(target, shape))
    measured = measure(target, shape, [None])
    rows = raw_rows(target, 50_000)
    baseline = Target("sqlite", str(folder / "baseline.sqlite3"))
    asyncio.run(setup(baseline, shape))
    measured.raw = raw_sqlite(Path(baseline.location), rows)
    return measured, second_sqlite_process(target)


def raw_rows_of(m: Measured) -> list[Row]:
    return [
        Row(f"{m.backend}: raw executemany rows/s (same rows)", f"{m.raw:,.0f}"),
        Row(f"{m.backend}: sustained, 1 process, share of raw", share(m)),
    ]


def postgres_run(shape: Shape) -> tuple[Measured, Measured, str]:
    """PostgreSQL with one process, then with two shards, each on a fresh database; and the
    raw baseline on a third. Returns both measures and the server's version.

    Raises:
        Unavailable: no PostgreSQL server to use here (see ``tests/pg.py``).
        BadServer: ``TEST_DATABASE_URL`` names one that cannot be used.
    """
    with local_server(DURABLE) as server:
        names = [f"rg_bench_{os.getpid()}_{n}" for n in range(3)]
        try:
            single, shared, baseline = (
                Target("postgres", server.create_database(name)) for name in names
            )
            for target in (single, shared, baseline):
                asyncio.run(setup(target, shape))
            one = measure(single, shape, [None])
            two = measure(shared, shape, list(range(SHARDS)))
            rows = raw_rows(single, 50_000)
            one.raw = run_async(lambda: raw_postgres(baseline.location, rows))
            version = run_async(lambda: server_settings(server.url))
        finally:
            for name in names:
                server.drop_database(name)
    return one, two, version


def share(measured: Measured) -> str:
    """The sustained rate as a share of raw ``executemany`` (a floor if it never fell behind)."""
    floor = "" if "kept up at every rate" not in measured.first_behind else ">= "
    return f"{floor}{measured.sustained / measured.raw:.1%}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def rows_of(m: Measured) -> list[Row]:
    label = f"{m.backend}, {m.processes} process{'es' if m.processes > 1 else ''}"
    return [
        Row(f"{label}: sustained replies/s", f"{m.sustained:,.0f}"),
        Row(f"{label}: where it stops keeping up", m.first_behind),
        Row(
            f"{label}: claim p50 / p99 ({len(m.claims)} claims)",
            f"{ms(percentile(m.claims, 50))} / {ms(percentile(m.claims, 99))}",
        ),
        Row(f"{label}: weekly summary read p99", ms(percentile(m.reads, 99))),
        Row(f"{label}: replies stored / made", f"{m.stored:,} / {m.made:,}"),
        Row(f"{label}: groups posted once / groups", f"{m.posted:,} / {m.groups:,}"),
    ]


def run(options: Options) -> Report:
    shape = QUICK if options.quick else FULL
    shape = dataclasses.replace(
        shape,
        servers=options.servers or shape.servers,
        groups=options.groups or shape.groups,
        rate=options.rate or shape.rate,
    )
    backends = BACKENDS if options.backend in (None, "both") else (options.backend,)
    report = Report(NAME)
    report.facts.append(
        f"{shape.servers} servers x {shape.groups} groups = {shape.servers * shape.groups} groups; "
        f"replies offered from {shape.rate:,.0f}/s, doubled every {shape.step_seconds:g} s "
        f"(at most {shape.steps} steps)"
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="reading-group-servers-") as folder:
        if "sqlite" in backends:
            measured, second = sqlite_run(shape, Path(folder))
            report.rows += [*rows_of(measured), *raw_rows_of(measured)]
            report.notes.append(f"SQLite, a second process on the same file: {second}")
        if "postgres" in backends:
            try:
                one, two, version = postgres_run(shape)
            except (Unavailable, BadServer) as exc:
                if backends == ("postgres",):
                    raise Skipped(str(exc)) from exc
                report.notes.append(f"PostgreSQL not measured: {exc}")
            else:
                report.facts.append(f"PostgreSQL {version}")
                report.notes.append(
                    "The bench processes and the PostgreSQL server share the machine's "
                    f"{os.cpu_count()} cores (with other work running): a second process adds "
                    "no CPU here, as a second machine would."
                )
                report.rows += [*rows_of(one), *rows_of(two), *raw_rows_of(one)]
    report.seconds = time.perf_counter() - started
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """The entry of a bench process (``--worker``) or a refused one (``--refused``)."""
    parser = argparse.ArgumentParser(prog="python -m bench.servers")
    parser.add_argument("--worker")
    parser.add_argument("--shard", default="None")
    parser.add_argument("--refused")
    args = parser.parse_args(argv)
    if args.refused:
        target = Target(**json.loads(args.refused)["target"])
        print(asyncio.run(refused(target)))
        return 0
    spec = json.loads(args.worker)
    shard = None if args.shard == "None" else int(args.shard)
    result = asyncio.run(process(Target(**spec["target"]), Shape(**spec["shape"]), shard))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
