"""A quick look-up starts quickly: ``passage`` and ``search`` import only what they use (issue 12).

Each command runs in a fresh interpreter (``import bot.cli``, then ``main``), which then reports
the modules it has imported; ``bench/startup.py`` times the same commands.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]

#: What a look-up never needs: Discord and its HTTP client, and the plan and posting modules.
NEVER = (
    "discord",
    "aiohttp",
    "bot.core.plan",
    "bot.core.posting",
    "bot.core.content",
    "bot.discord.render",
)

RUN_THEN_LIST_MODULES = """
import json, sys
from bot.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def imported_by(args: list[str], workdir: Path) -> set[str]:
    """The modules a fresh ``python`` has imported after running ``reading-group ARGS``."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env.update(PYTHONPATH=str(ROOT), DATABASE_PATH=str(workdir / "db.sqlite3"))
    done = subprocess.run(
        [sys.executable, "-c", RUN_THEN_LIST_MODULES, *args],
        cwd=ROOT,  # the shipped readings/ and prompts/
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["code"] == 0, done.stderr
    return set(report["modules"])


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m in names or m.startswith(tuple(f"{n}." for n in names)))


def test_passage_imports_neither_asyncio_nor_discord_nor_the_plan(tmp_path: Path) -> None:
    modules = imported_by(["passage", "soic §1"], tmp_path)
    assert loaded(modules, (*NEVER, "asyncio", "aiosqlite", "sqlite3")) == []


@pytest.mark.parametrize("words", [["internationalism"], ["--reading", "soic", "country"]])
def test_search_imports_the_database_but_not_discord_nor_the_plan(
    tmp_path: Path, words: list[str]
) -> None:
    modules = imported_by(["search", *words], tmp_path)
    assert {"asyncio", "aiosqlite", "bot.storage.search"} <= modules  # it does search
    assert loaded(modules, NEVER) == []
