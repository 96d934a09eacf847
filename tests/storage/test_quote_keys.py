"""The quote index's keys in a file beside the database: the same keys as in memory, made once
per library, made again when the file does not match."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.core.quotes import QuoteIndex, sorted_keys
from bot.core.readings import Library, load_library
from bot.storage import quote_keys
from bot.storage.quote_keys import keys_file, mapped_keys

ROOT = Path(__file__).resolve().parents[2]

QUOTE = '"Crucial to Marxism is the idea that the class struggle is universal," as the essay says.'


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(ROOT / "readings")


@pytest.fixture(autouse=True)
def small_spills(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spill buckets after a few keys, so the shipped library goes through several spills."""
    monkeypatch.setattr(quote_keys, "_SPILL", 64)


def test_the_mapped_keys_are_the_keys_built_in_memory(library: Library, tmp_path: Path) -> None:
    database = tmp_path / "index.sqlite3"
    keys = mapped_keys(library, database)
    assert keys is not None
    assert keys.tolist() == sorted_keys(library).tolist()
    assert keys_file(database).stat().st_size == 64 + 8 * len(keys)


def test_a_quote_index_on_mapped_keys_finds_what_one_in_memory_finds(
    library: Library, tmp_path: Path
) -> None:
    mapped = QuoteIndex(library, mapped_keys(library, tmp_path / "index.sqlite3"))
    found = mapped.find_all(QUOTE)
    assert [m.citation for m in found] == [m.citation for m in QuoteIndex(library).find_all(QUOTE)]
    assert [m.kind for m in found] == ["exact"]


def test_the_file_is_made_once_per_library(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "index.sqlite3"
    first = mapped_keys(library, database)
    assert first is not None
    monkeypatch.setattr(quote_keys, "_build", lambda *a: pytest.fail("made again"))
    again = mapped_keys(library, database)
    assert again is not None
    assert again.tolist() == first.tolist()


def test_another_library_makes_the_file_again(library: Library, tmp_path: Path) -> None:
    database = tmp_path / "index.sqlite3"
    mapped_keys(library, database)
    fewer = Library(library.readings[:2])
    keys = mapped_keys(fewer, database)
    assert keys is not None
    assert keys.tolist() == sorted_keys(fewer).tolist()
    edited = dataclasses.replace(library.readings[0], content_hash="edited")
    assert mapped_keys(Library((edited, *library.readings[1:])), database) is not None
    assert mapped_keys(fewer, database) is not None  # made again: the file was the other's


@pytest.mark.parametrize("damage", [b"", b"garbage", None])
def test_a_damaged_file_is_made_again(
    library: Library, tmp_path: Path, damage: bytes | None
) -> None:
    database = tmp_path / "index.sqlite3"
    path = keys_file(database)
    mapped_keys(library, database)
    whole = path.read_bytes()
    path.write_bytes(whole[:-3] if damage is None else damage)  # None: cut inside a key
    keys = mapped_keys(library, database)
    assert keys is not None
    assert keys.tolist() == sorted_keys(library).tolist()
    assert path.read_bytes() == whole


def test_a_place_that_cannot_be_written_leaves_the_keys_in_memory(
    library: Library, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    assert mapped_keys(library, not_a_folder / "index.sqlite3") is None
    assert "Quote index kept in memory: cannot write" in caplog.text
