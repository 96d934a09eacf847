"""The benchmark's code paths on a tiny generated library, so they cannot rot.

No timing is asserted here: the numbers of a run this small mean nothing. ``python -m bench``
is the benchmark; this only checks that it runs, builds its query set and fills its table.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from bench import (
    Options,
    Report,
    Row,
    Skipped,
    library,
    library_scale,
    percentile,
    quotes,
    replylog,
    table,
)
from bench.__main__ import main, merge
from bot.core.readings import load_library

ROWS = [
    "cold index build (load + index)",
    "warm start, median of 1",
    "warm start, fresh process",
    "passage lookup mean (2000 refs)",
    "passage lookup p99",
    "search p50 (60 queries)",
    "search p99",
    "search mean",
    "naive baseline p50 / mean",
    "speed-up over naive baseline, p50",
    "speed-up over naive baseline, mean",
    "peak RSS, warm start + search process",
    "peak RSS, whole benchmark process",
]


def write_book(path: Path, seed: int, chapters: int = 3, paragraphs: int = 12) -> None:
    """A plain-text book of made-up words: chapters of paragraphs with common and rare words."""
    rng = random.Random(seed)
    vocabulary = ["".join(rng.choices("aeioulmnrstkp", k=rng.randint(4, 9))) for _ in range(400)]
    common = ["the", "of", "and", "that", "it", "is", "in", "to"]
    lines = [f"Book {seed}", ""]
    for chapter in range(1, chapters + 1):
        lines += [f"CHAPTER {chapter}.", ""]
        for _ in range(paragraphs):
            words = [rng.choice(common if rng.random() < 0.4 else vocabulary) for _ in range(30)]
            lines += [" ".join(words).capitalize() + ".", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_book(folder / "first-book.author.txt", 1)
    write_book(folder / "second-book.author.txt", 2)
    return folder


def test_the_library_benchmark_runs_and_fills_its_table(corpus: Path, tmp_path: Path) -> None:
    options = Options(quick=True, corpus=corpus, cache=tmp_path / "cache")
    report = library.run(options)
    assert [row.name for row in report.rows if row.name in ROWS] == ROWS
    assert all(row.value for row in report.rows)
    assert any("2 books (first-book, second-book)" in fact for fact in report.facts)
    # The second run reuses the imported files.
    again = library.run(options)
    assert any("(cached)" in fact for fact in again.facts)
    assert len(list((tmp_path / "cache").glob("library-*"))) == 1


def test_the_scaled_library_benchmark_runs_every_size(corpus: Path, tmp_path: Path) -> None:
    options = Options(quick=True, corpus=corpus, cache=tmp_path / "cache", scale=(2, 1))
    report = library.run(options)
    assert report.name == "library-scale"
    assert all(row.value.startswith("1x ") and ", 2x " in row.value for row in report.rows)
    assert any(row.name == "passage lookup mean" for row in report.rows)
    # No verdict without a 16x run: the targets are the at that size.
    assert all(row.ok is None for row in report.rows)


def test_the_scaled_copies_are_distinct_readings(tmp_path: Path) -> None:
    source = tmp_path / "one"
    source.mkdir()
    (source / "essay.md").write_text(
        "---\ntitle: An Essay\naliases: [ess, an-essay]\n---\nFirst.\n\nSecond.\n"
    )
    library_scale.copy_library(source, tmp_path / "three", 3)
    copies = load_library(tmp_path / "three")
    assert [r.slug for r in copies] == ["essay", "essay-x2", "essay-x3"]
    assert [r.aliases for r in copies] == [
        ("ess", "an-essay"),
        ("ess-x2", "an-essay-x2"),
        ("ess-x3", "an-essay-x3"),
    ]


def test_the_scale_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["library", "--scale", "0"]) == 2
    assert "--scale must be 1 or more" in capsys.readouterr().err


def test_the_command_writes_results_and_filters_by_name(corpus: Path, tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    args = ["library", "--quick", "--corpus", str(corpus), "--cache", str(tmp_path / "cache")]
    # 0 or 1 depending on the (meaningless) numbers; anything else is a crash or a usage error.
    assert main([*args, "--results", str(results)]) in (0, 1)
    text = results.read_text()
    assert "| measure" in text
    assert "python -m bench library --quick" in text
    assert main(["no-such-benchmark"]) == 2


def test_a_missing_corpus_skips_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(Skipped, match="no books found"):
        library.prepare_library(missing, library.READINGS, tmp_path / "cache")
    args = ["library", "--quick", "--corpus", str(missing), "--results", str(tmp_path / "R.md")]
    assert main(args) == 0
    assert "skipped: no books found" in capsys.readouterr().out
    assert not (tmp_path / "R.md").exists()


def test_the_query_set_is_fixed_and_mixed(corpus: Path, tmp_path: Path) -> None:
    prepared = library.prepare_library(corpus, library.READINGS, tmp_path / "cache")
    readings = load_library(prepared.directory)
    queries = library.build_queries(readings, 40)
    assert queries == library.build_queries(readings, 40)
    assert queries != library.build_queries(readings, 40, seed=library.SEED + 1)
    assert {q.kind for q in queries} == {"word", "words", "phrase", "common"}
    assert all(q.text.startswith('"') for q in queries if q.kind == "phrase")
    texts = library.baseline_texts(readings)
    for query in queries:
        found = library.baseline_search(texts, query.needles)
        lowered = [text.lower() for text in texts]
        assert found == library.lowered_search(lowered, query.needles)


def test_the_quotes_benchmark_runs_and_finds_its_quotes(corpus: Path, tmp_path: Path) -> None:
    report = quotes.run(Options(quick=True, corpus=corpus, cache=tmp_path / "cache"))
    assert [row.name for row in report.rows][:3] == [
        "index build (once per library)",
        "resident memory before / after the build",
        "match a reply p50 (400 replies), CPU",
    ]
    found = next(fact for fact in report.facts if fact.startswith("found"))
    # Every exact quote is found where it was drawn from; nothing where there is no quote.
    assert "none 0 (0)" in found
    assert "exact 80 (80)" in found


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([3.0, 1.0, 2.0], 50, 2.0), ([1.0, 2.0, 3.0, 4.0], 50, 2.0), ([5.0], 99, 5.0)],
)
def test_percentile_is_a_value_that_occurred(
    values: list[float], q: float, expected: float
) -> None:
    assert percentile(values, q) == expected


def test_table_marks_missed_targets() -> None:
    rows = [Row("a", "1 ms", "<= 2 ms", True), Row("b", "3 ms", "<= 2 ms", False)]
    lines = table(rows)
    assert "ok" in lines[2]
    assert "MISSED" in lines[3]


# -- the discussion log (issue 5)

TINY = replylog.Sizes(replies=300, unrelated=200, passes=1, memory=3000, samples=2)

REPLYLOG_ROWS = [
    "gateway path: 300 replies in -> committed",
    "gateway path: share of raw executemany",
    "gateway path: events in, until the last handled",
    "gateway path, the writer dropping its batches",
    "gateway path through discord.py's Message (on_message)",
    "the same with discord.py's message cache (1,000)",
    "handler path: 300 replies in -> committed",
    "handler path: share of raw executemany",
    "handler path: events in, until the last handled",
    "raw executemany, same rows, same schema",
    "CPU per reply: raw / handler / gateway / through Message / with cache",
    "share of raw by CPU: handler / gateway / through Message / with cache",
    "unrelated message, on_message p50 (200 calls)",
    "unrelated message, on_message mean",
    "unrelated message, on_message p99",
    "unrelated message, whole gateway path",
    "of which discord.py makes the Message",
    "of which the bot's command processing",
    "RSS over 3,000 events: first / last / max",
    "RSS growth, first sample to last",
]


def test_the_replylog_benchmark_logs_every_reply_and_fills_its_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replylog, "QUICK", TINY)
    results = tmp_path / "RESULTS.md"
    # measure() raises when the two paths commit different rows, when an unrelated message
    # is logged, or when a reply is missing: the command would exit 1 on any of those too, so
    # the report is checked as well. 0 or 1 depends on the (meaningless) numbers.
    assert main(["replylog", "--quick", "--results", str(results)]) in (0, 1)
    text = results.read_text()
    assert "python -m bench replylog --quick" in text
    table_rows = [line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| ")]
    assert table_rows[2:] == REPLYLOG_ROWS
    assert "- replies: 300," in text
    assert "memory run: 3,000 rows committed" in text


def test_the_replylog_payloads_are_seeded_and_mixed() -> None:
    texts = ["a few words", "another reply here"]
    first = list(replylog.Gateway(texts=texts).replies(400))
    assert first == list(replylog.Gateway(texts=texts).replies(400))
    assert first != list(replylog.Gateway(seed=replylog.SEED + 1, texts=texts).replies(400))
    threads = {str(post.thread_id) for post in replylog.POSTS}
    posts = {str(post.message_id) for post in replylog.POSTS}
    in_threads = [p for p in first if p["channel_id"] in threads]
    to_posts = [p for p in first if p["channel_id"] not in threads]
    assert to_posts and all(p["message_reference"]["message_id"] in posts for p in to_posts)
    assert any("message_reference" in p for p in in_threads)
    assert any("message_reference" not in p for p in in_threads)
    assert len({p["id"] for p in first}) == 400
    unrelated = list(replylog.Gateway(texts=texts).unrelated(8))
    assert not {p["channel_id"] for p in unrelated} & threads
    assert not {p.get("message_reference", {}).get("message_id") for p in unrelated} & posts


def section(name: str, value: str) -> Report:
    return Report(name, rows=[Row("a measure", value)], facts=[f"{name} facts"], seconds=1.0)


OLD_LAYOUT = """# Benchmark results

Command: `.venv/bin/python -m bench`, from the repository root

Date: 2026-01-01 00:00 UTC

Machine:

- nproc: 2

## library: every target met (98 s)

- library facts

| measure | result |
"""


@pytest.mark.parametrize(
    ("existing", "sections", "dated"),
    [
        (None, ["replylog"], {"replylog": "2027-02-03"}),
        (OLD_LAYOUT, ["library", "replylog"], {"library": "2026-01-01", "replylog": "2027-02-03"}),
    ],
)
def test_results_keep_the_sections_of_benchmarks_not_run(
    existing: str | None, sections: list[str], dated: dict[str, str]
) -> None:
    when = dt.datetime(2027, 2, 3, 4, 5, tzinfo=dt.UTC)
    once = merge(
        existing, [section("replylog", "11 ms")], "python -m bench replylog", when, [], False
    )
    parts = once.split("\n## ")[1:]
    assert [part.split(":")[0] for part in parts] == sections
    for part in parts:
        assert f"Date: {dated[part.split(':')[0]]}" in part
    assert "| a measure | 11 ms  |" in once
    # A second run replaces its section instead of adding one.
    again = merge(once, [section("replylog", "22 ms")], "python -m bench replylog", when, [], False)
    assert again.count("## replylog") == 1
    assert "| a measure | 22 ms  |" in again and "11 ms" not in again
    assert again.split("## replylog")[0] == once.split("## replylog")[0]
