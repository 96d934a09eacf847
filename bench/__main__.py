"""``python -m bench [NAME ...] [--quick]``: run the benchmarks, print a table per benchmark, and
exit 1 if a target was missed (0 when every target was met or a benchmark had to be skipped).

A full run (no ``--quick``, no ``--results``) writes ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bench import REPO, Options, Report, Skipped, library, machine_facts, table

BENCHMARKS: dict[str, Callable[[Options], Report]] = {library.NAME: library.run}
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
    options = Options(quick=args.quick, corpus=args.corpus, cache=args.cache)
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
        results.write_text(render(reports, command.strip(), when, facts, args.quick))
        print(f"\nwrote {results}")
    return 0 if all(r.ok for r in reports) else 1


def render(
    reports: Sequence[Report], command: str, when: dt.datetime, facts: Sequence[str], quick: bool
) -> str:
    """RESULTS.md: the command, the machine, and each benchmark's table and notes."""
    out = [
        "# Benchmark results",
        "",
        f"Command: `.venv/bin/{command}`, from the repository root (`make bench` runs every "
        "benchmark)" + (" — a --quick smoke run, numbers not comparable" if quick else ""),
        "",
        f"Date: {when:%Y-%m-%d %H:%M} UTC",
        "",
        "Machine:",
        "",
        *(f"- {fact}" for fact in facts),
    ]
    for report in reports:
        verdict = "every target met" if report.ok else f"{len(report.missed)} target(s) MISSED"
        out += ["", f"## {report.name}: {verdict} ({report.seconds:.0f} s)", ""]
        out += [*(f"- {fact}" for fact in report.facts), "", *table(report.rows), ""]
        out += [f"- {note}" for note in report.notes]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
