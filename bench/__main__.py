"""``python -m bench [NAME ...] [--quick]``: run the benchmarks, print a table per benchmark, and
exit 1 if a target was missed (0 when every target was met or a benchmark had to be skipped).

A full run (no ``--quick``, no ``--results``) writes ``bench/RESULTS.md``: each benchmark's section
says its own command, date and machine, and a run of some benchmarks replaces only their sections
(appending those not there yet), so results of the others are kept.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bench import (
    REPO,
    Options,
    Report,
    Skipped,
    concord,
    library,
    machine_facts,
    quotes,
    replylog,
    servers,
    summary,
    table,
)

BENCHMARKS: dict[str, Callable[[Options], Report]] = {
    library.NAME: library.run,
    concord.NAME: concord.run,
    replylog.NAME: replylog.run,
    summary.NAME: summary.run,
    quotes.NAME: quotes.run,
    servers.NAME: servers.run,
}
RESULTS = REPO / "bench" / "RESULTS.md"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Run the benchmarks (all of them, or those whose name contains NAME).",
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="only benchmarks matching this")
    parser.add_argument(
        "--quick", action="store_true", help="a small smoke run; numbers are not comparable"
    )
    parser.add_argument("--corpus", type=Path, help="folder of books (default ../shared/corpus)")
    parser.add_argument("--cache", type=Path, help="folder for generated inputs kept between runs")
    parser.add_argument(
        "--results",
        type=Path,
        help="write the results here (default: bench/RESULTS.md on a full run, nowhere on --quick)",
    )
    parser.add_argument(
        "--scale",
        type=int,
        action="append",
        metavar="N",
        help="library: measure the library copied N times (repeat: --scale 1 --scale 16)",
    )
    parser.add_argument("--servers", type=int, metavar="N", help="servers: Discord servers")
    parser.add_argument("--groups", type=int, metavar="M", help="servers: groups per server")
    parser.add_argument("--rate", type=float, metavar="R", help="servers: replies/s to start at")
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgres", "both"),
        help="servers: the database(s) to measure (default both)",
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        print("\n".join(BENCHMARKS))
        return 0
    chosen = [n for n in BENCHMARKS if not args.names or any(w in n for w in args.names)]
    if not chosen:
        print(
            f"no benchmark matches {' '.join(args.names)!r}; there are: {', '.join(BENCHMARKS)}",
            file=sys.stderr,
        )
        return 2
    if any(n is not None and n < 1 for n in (args.servers, args.groups, args.rate)):
        print("--servers, --groups and --rate must be 1 or more", file=sys.stderr)
        return 2
    if args.scale and min(args.scale) < 1:
        print("--scale must be 1 or more (how many copies of the library)", file=sys.stderr)
        return 2
    options = Options(
        quick=args.quick,
        corpus=args.corpus,
        cache=args.cache,
        scale=tuple(args.scale or ()),
        servers=args.servers,
        groups=args.groups,
        rate=args.rate,
        backend=args.backend,
    )
    command = "python -m bench " + shlex.join(sys.argv[1:] if argv is None else list(argv))
    when = dt.datetime.now(dt.UTC).replace(microsecond=0)
    facts = machine_facts()
    print(f"{command.strip()}  ({when:%Y-%m-%d %H:%M} UTC)")
    print("\n".join(facts))
    reports: list[Report] = []
    for name in chosen:
        print(f"\n## {name}" + (" (quick)" if args.quick else ""), flush=True)
        try:
            report = BENCHMARKS[name](options)
        except Skipped as exc:
            print(f"skipped: {exc}")
            continue
        reports.append(report)
        print("\n".join(report.facts), end="\n\n")
        print("\n".join(table(report.rows)))
        print(f"({report.seconds:.0f} s)")
        for row in report.missed:
            print(f"MISSED: {row.name}: {row.value} (target {row.target})")
    results = args.results or (None if args.quick else RESULTS)
    if results is not None and reports:
        results.write_text(
            merge(
                results.read_text() if results.is_file() else None,
                reports,
                command.strip(),
                when,
                facts,
                args.quick,
            )
        )
        print(f"\nwrote {results}")
    return 0 if all(r.ok for r in reports) else 1


HEADER = [
    "# Benchmark results",
    "",
    "From the repository root (`make bench` runs every benchmark); each section says how it was "
    "run.",
]

_SECTION_RE = re.compile(r"^## (\S+?):", re.MULTILINE)


def render_section(
    report: Report, command: str, when: dt.datetime, facts: Sequence[str], quick: bool
) -> str:
    """One benchmark's section: its command, date and machine, facts, table and notes."""
    verdict = "every target met" if report.ok else f"{len(report.missed)} target(s) MISSED"
    out = [f"## {report.name}: {verdict} ({report.seconds:.0f} s)", ""]
    out += [
        f"Command: `.venv/bin/{command}`"
        + (" — a --quick smoke run, numbers not comparable" if quick else ""),
        "",
        f"Date: {when:%Y-%m-%d %H:%M} UTC",
        "",
        "Machine:",
        "",
        *(f"- {fact}" for fact in facts),
        "",
    ]
    out += [*(f"- {fact}" for fact in report.facts), "", *table(report.rows), ""]
    out += [f"- {note}" for note in report.notes]
    return "\n".join(out).rstrip("\n") + "\n"


def merge(
    existing: str | None,
    reports: Sequence[Report],
    command: str,
    when: dt.datetime,
    facts: Sequence[str],
    quick: bool,
) -> str:
    """RESULTS.md with the sections of ``reports`` in place of those of the same benchmarks in
    ``existing`` (the file as it was, or None), new ones appended, every other section kept."""
    fresh = {r.name: render_section(r, command, when, facts, quick) for r in reports}
    text = existing or ""
    starts = [m.start() for m in _SECTION_RE.finditer(text)]
    head = text[: starts[0]] if starts else text
    # A file of the older layout says the command, date and machine once, at the top: they
    # belong to its sections, which keep them.
    _, _, legacy = head.partition("\n")
    legacy = legacy.strip("\n") if "Command:" in legacy else ""
    out = ["\n".join(HEADER) + "\n"]
    ends = [*starts[1:], len(text)] if starts else []
    for start, end in zip(starts, ends, strict=True):
        section = text[start:end].rstrip("\n") + "\n"
        name = _SECTION_RE.match(section).group(1)  # type: ignore[union-attr]
        if name in fresh:
            out.append(fresh.pop(name))
        elif legacy and "\nCommand: " not in section:
            title, _, rest = section.partition("\n\n")
            out.append(f"{title}\n\n{legacy}\n\n{rest}")
        else:
            out.append(section)
    out += fresh.values()
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
