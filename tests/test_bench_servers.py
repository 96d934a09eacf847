"""The servers benchmark's code paths, tiny, so they cannot rot (no timing asserted)."""

from __future__ import annotations

from pathlib import Path

from bench.__main__ import main


def test_the_servers_benchmark_stores_every_reply_and_posts_each_group_once(
    tmp_path: Path,
) -> None:
    results = tmp_path / "RESULTS.md"
    command = ["servers", "--quick", "--backend", "sqlite", "--servers", "3", "--groups", "2"]
    assert main([*command, "--rate", "50", "--results", str(results)]) == 0
    text = results.read_text()
    cells = {
        line.split("|")[1].strip(): line.split("|")[2].strip()
        for line in text.splitlines()
        if line.startswith("| sqlite")
    }
    made = cells["sqlite, 1 process: replies stored / made"].split(" / ")
    assert made[0] == made[1] != "0"
    assert cells["sqlite, 1 process: groups posted once / groups"] == "6 / 6"
    assert cells["sqlite, 1 process: claim p50 / p99 (6 claims)"].endswith(" ms")
    # A second process on the same SQLite file is refused by the first one's lock.
    assert "SQLite, a second process on the same file: refused: " in text
    assert "is in use by another bot (pid" in text
