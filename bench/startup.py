"""``python -m bench.startup [--runs N]``: how long ``reading-group passage`` and ``search`` take
as whole processes, against ``python -c pass`` and a process that only imports what they need.

Not one of ``python -m bench``'s benchmarks (it writes nothing): its numbers go by hand into the
"CLI start-up" section of ``bench/RESULTS.md``. Every command runs ``N`` times (default 20), the
commands taking turns so that a change in the machine's load touches them all alike, from the
repository root with its ``readings/`` and ``prompts/``; the database is a temporary file, indexed
by one run before the timed ones. The issue 12 target: each command <= 2x the process that imports
what it needs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench import REPO

#: What each command cannot do without: settings, the readings and references; search adds the
#: database and its index.
PASSAGE_NEEDS = "bot.settings, bot.core.citations"
SEARCH_NEEDS = PASSAGE_NEEDS + ", bot.storage.database, bot.storage.search"

COMMANDS: dict[str, list[str]] = {
    "python -c pass": ["-c", "pass"],
    "import what passage needs": ["-c", f"import {PASSAGE_NEEDS}"],
    "import what search needs": ["-c", f"import {SEARCH_NEEDS}"],
    "passage 'soic §1'": ["-m", "bot", "passage", "soic §1"],
    "search internationalism": ["-m", "bot", "search", "internationalism"],
}
#: (command, the process it is compared with).
TARGETS = (
    ("passage 'soic §1'", "import what passage needs"),
    ("search internationalism", "import what search needs"),
)


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__)
    parser.add_argument("--runs", type=int, default=20, metavar="N", help="runs of each command")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DATABASE_PATH": str(Path(folder) / "startup.sqlite3")}
        env.pop("NO_COLOR", None)
        for command in COMMANDS.values():  # warm the disk cache, the bytecode and the index
            timed(command, env)
        times: dict[str, list[float]] = {name: [] for name in COMMANDS}
        for _ in range(args.runs):
            for name, command in COMMANDS.items():
                times[name].append(timed(command, env))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"{args.runs} runs each; load average {os.getloadavg()[0]:.2f} at the end")
    print(f"{'process':<28} {'median':>9} {'min':>9}")
    for name, values in times.items():
        print(f"{name:<28} {median[name] * 1000:7.1f}ms {min(values) * 1000:7.1f}ms")
    missed = 0
    for name, base in TARGETS:
        ratio = median[name] / median[base]
        plain = median[name] / median["python -c pass"]
        beyond = (median[name] - median[base]) * 1000
        ok = ratio <= 2
        missed += not ok
        print(
            f"{name}: {ratio:.2f}x {base} (target <= 2x: {'ok' if ok else 'MISSED'}), "
            f"{plain:.1f}x python -c pass, {beyond:+.0f} ms beyond the imports it needs"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
