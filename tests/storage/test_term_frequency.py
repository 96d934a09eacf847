"""The paragraph frequencies of terms in the library index (migration 0013): a library loaded
through the index ranks an excerpt's ``{term}`` exactly as the same library parsed from its
files, without reading its texts."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bot.core.excerpts import plan_installments
from bot.core.questions import distinctive_terms, excerpt_values, load_prompts
from bot.core.readings import CountedTerms, Library, load_library, paragraph_frequencies
from bot.storage import library as indexed
from bot.storage.database import open_database
from bot.storage.library import load_indexed
from bot.storage.search import sync_index
from tests.core.test_terms import HOSTILE

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_PLAN = ("mccune", "soic", "china", "borochov")  # groups.example.yaml's readings
AN_HOUR_AGO = time.time() - 3600


async def index(readings: Path, database: Path) -> Library:
    """Index the files of ``readings`` into ``database``, then load the library through it as
    a start does (every reading from the index)."""
    async with open_database(database) as db:
        await sync_index(db, load_library(readings))
    loaded = load_indexed(readings, database)
    assert loaded.current and all(r.stored for r in loaded.library)
    return loaded.library


def forbid_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> list[str]:
        raise AssertionError(f"a paragraph text was read: {args}")

    monkeypatch.setattr(indexed.IndexTexts, "paragraph_texts", refuse)


def every_term(library: Library) -> list[str]:
    terms: set[str] = set()
    for reading in library:
        terms |= set(paragraph_frequencies(reading))
    return sorted(terms)


def write(path: Path, paragraphs: list[str]) -> None:
    body = "\n\n".join(" ".join(p.split()) or "." for p in paragraphs)
    path.write_text(f"---\ntitle: {path.stem}\n---\n{body}\n", encoding="utf-8")
    os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))


async def test_the_shipped_plan_gets_the_same_terms_from_the_index(tmp_path: Path) -> None:
    parsed = load_library(ROOT / "readings")
    stored = await index(ROOT / "readings", tmp_path / "db.sqlite3")
    prompts = load_prompts(ROOT / "prompts", parsed)
    readings = [parsed.named(name) for name in SHIPPED_PLAN]
    plan = plan_installments([reading for reading in readings if reading is not None])
    assert len(plan) and len({i.slug for i in plan}) == len(SHIPPED_PLAN)

    def terms(library: Library) -> list[list[str]]:
        return [
            excerpt_values(
                library[i.slug],
                i.first,
                i.last,
                prompts=prompts,
                library=library,
                sentences=i.sentences,
            )["term"]
            for i in plan
        ]

    from_files = terms(parsed)
    assert len(from_files) == len(plan) > 20
    assert sum(bool(found) for found in from_files) > len(plan) // 2  # not a vacuous equality
    assert terms(stored) == from_files


async def test_the_index_sums_every_term_as_the_files_count_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = load_library(ROOT / "readings")
    stored = await index(ROOT / "readings", tmp_path / "db.sqlite3")
    words = every_term(parsed)
    expected = CountedTerms(parsed)
    assert stored.terms is not None
    forbid_texts(monkeypatch)  # only the index's rows: no text of the library is read
    assert stored.terms.paragraphs == expected.paragraphs
    assert stored.terms.frequencies(words) == expected.frequencies(words)


async def test_hostile_text_ranks_the_same_from_the_index(tmp_path: Path) -> None:
    readings = tmp_path / "readings"
    readings.mkdir()
    write(readings / "hostile.md", HOSTILE)
    write(readings / "plain.md", ["Capital and trade, naïve capital.", "Don't trade it."])
    parsed = load_library(readings)
    stored = await index(readings, tmp_path / "db.sqlite3")
    words = every_term(parsed)
    assert stored.terms is not None
    assert stored.terms.frequencies(words) == CountedTerms(parsed).frequencies(words)
    for reading in parsed:
        for paragraph in reading.paragraphs:
            text = paragraph.plain
            assert distinctive_terms(text, stored, []) == distinctive_terms(text, parsed, [])


async def test_a_reading_the_index_holds_in_another_version_is_counted_from_its_file(
    tmp_path: Path,
) -> None:
    """As a look-up loads while a bot runs on the index: a changed reading is parsed, and the
    index still holds its old version (and its old frequencies), which must not count."""
    readings = tmp_path / "readings"
    readings.mkdir()
    write(readings / "one.md", ["Capital capital.", "Trade."])
    write(readings / "two.md", ["Capital.", "Labour."])
    await index(readings, tmp_path / "db.sqlite3")
    write(readings / "two.md", ["Labour.", "Labour power.", "Surplus labour."])
    loaded = load_indexed(readings, tmp_path / "db.sqlite3")
    assert not loaded.current
    assert [r.stored for r in loaded.library] == [True, False]
    assert loaded.library.terms is not None
    words = ["capital", "labour", "power", "trade"]
    assert loaded.library.terms.paragraphs == 5
    assert loaded.library.terms.frequencies(words) == {
        "capital": 1,
        "labour": 3,
        "power": 1,
        "trade": 1,
    }


async def test_without_a_database_every_reading_is_counted_from_its_file(tmp_path: Path) -> None:
    """The bot's first start loads its library before it creates the database."""
    readings = tmp_path / "readings"
    readings.mkdir()
    write(readings / "one.md", ["Capital capital.", "Trade capital."])
    loaded = load_indexed(readings, tmp_path / "missing.sqlite3")
    assert loaded.library.terms is not None
    assert loaded.library.terms.frequencies(["capital", "trade"]) == {"capital": 2, "trade": 1}
    assert not (tmp_path / "missing.sqlite3").exists()
