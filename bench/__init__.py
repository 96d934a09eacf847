"""Benchmarks: ``python -m bench`` (or ``make bench``) runs them all; see ``bench/README.md``.

Each benchmark module has a ``NAME`` and a ``run(options)`` that returns a :class:`Report` (or
raises :class:`Skipped` when what it needs is missing). A report is a table of rows; a row with a
target says whether the target was met, and ``python -m bench`` exits non-zero when one was not.
Benchmarks are never part of the pytest suite: ``tests/test_bench_smoke.py`` only checks that
the code runs on a tiny library.
"""

from __future__ import annotations

import math
import os
import platform
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class Skipped(Exception):
    """A benchmark cannot run here; the message says why and how to make it run."""


@dataclass(frozen=True)
class Options:
    """What the command line asked for.

    Attributes:
        quick: a smaller smoke run (fewer queries and repeats); its numbers are not comparable.
        corpus: folder of books for the library benchmark (default ``../shared/corpus``).
        cache: folder for generated inputs kept between runs.
        scale: for the library benchmark, the sizes (1 = the library as built, 16 = sixteen
            copies of it) to measure instead of its usual run.
        servers, groups, rate: for the servers benchmark, how many Discord servers, reading
            groups in each, and replies/s to start from (None: its defaults).
        backend: for the servers benchmark, ``sqlite``, ``postgres`` or ``both`` (None: both).
    """

    quick: bool = False
    corpus: Path | None = None
    cache: Path | None = None
    scale: tuple[int, ...] = ()
    servers: int | None = None
    groups: int | None = None
    rate: float | None = None
    backend: str | None = None


@dataclass(frozen=True)
class Row:
    """One line of a report: a measured ``value``, and its ``target`` when it has one.

    ``ok`` is None for a row without a target (context, not a pass/fail).
    """

    name: str
    value: str
    target: str = ""
    ok: bool | None = None


@dataclass
class Report:
    """What one benchmark measured: ``rows`` for the table, ``facts`` about its inputs and
    ``notes`` explaining how the numbers were made."""

    name: str
    rows: list[Row] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(row.ok is not False for row in self.rows)

    @property
    def missed(self) -> list[Row]:
        return [row for row in self.rows if row.ok is False]


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by the nearest-rank method: a value that occurred."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def status(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "MISSED")


def table(rows: Sequence[Row]) -> list[str]:
    """The rows as a Markdown table (readable as plain text too)."""
    header = ("measure", "result", "target", "")
    cells = [header, *((r.name, r.value, r.target, status(r.ok)) for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    return [line(header), line(["-" * w for w in widths]), *(line(c) for c in cells[1:])]


def machine_facts() -> list[str]:
    """Where the numbers were measured: CPUs, CPU model, Python, SQLite."""
    model = platform.processor() or platform.machine()
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                model = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = f", load average {os.getloadavg()[0]:.2f} when the run started"
    except OSError:
        load = ""
    return [
        f"nproc: {os.cpu_count()} ({model}){load}",
        f"Python {platform.python_version()} ({sys.implementation.name}), {platform.system()} "
        f"{platform.release()}",
        f"SQLite {sqlite3.sqlite_version}",
    ]
