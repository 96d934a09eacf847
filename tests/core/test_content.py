"""Readings, prompts and groups.yaml loaded and checked together."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.content import load_content, load_groups_file
from bot.core.readings import LibraryError

ROOT = Path(__file__).resolve().parents[2]


def test_a_missing_groups_file_declares_no_groups(tmp_path: Path) -> None:
    assert load_groups_file(tmp_path / "groups.yaml") == ()


def test_load_content_reports_prompts_and_groups_problems_together(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "nosuch.yaml").write_text("questions: []\n")
    groups = tmp_path / "groups.yaml"
    groups.write_text("groups:\n  - channel_id: 1\n    schedule: 'mon 19:00 UTC'\n    wrods: 3\n")
    with pytest.raises(LibraryError) as caught:
        load_content(ROOT / "readings", prompts, groups)
    where = [f"{e.path}:{e.line}" for e in caught.value.errors]
    assert where == [f"{prompts / 'nosuch.yaml'}:None", f"{groups}:4"]


def test_load_content_loads_the_shipped_files() -> None:
    content = load_content(ROOT / "readings", ROOT / "prompts", ROOT / "groups.example.yaml")
    assert len(content.library) == 4
    assert content.prompts.questions
    assert [g.name for g in content.groups] == ["internationalism", "456789012345678901"]
