"""The concordance benchmark's code paths on a tiny generated corpus (no timing asserted)."""

from __future__ import annotations

from pathlib import Path

from bench import Options, concord
from tests.test_bench_smoke import corpus  # noqa: F401  (the fixture: two made-up books)


def test_the_concord_benchmark_runs_on_both_libraries(
    corpus: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    report = concord.run(Options(quick=True, corpus=corpus, cache=tmp_path / "cache"))
    names = [row.name for row in report.rows]
    for label in ("shipped", "10 MB"):
        assert f"{label}: first page p99" in names
        assert f"{label}: first page + image p99" in names
    assert all(row.value for row in report.rows)


def test_without_a_corpus_only_the_shipped_library_is_measured(tmp_path: Path) -> None:
    report = concord.run(Options(quick=True, corpus=tmp_path / "nowhere", cache=tmp_path / "c"))
    assert {row.name.split(":")[0] for row in report.rows} == {"shipped"}
    assert any("10 MB library skipped" in fact for fact in report.facts)


def test_the_naive_concordance_counts_passages_and_every_use() -> None:
    texts = [("a", "War and war."), ("a", "Peace."), ("b", "A warning")]
    counts, lines = concord.naive_concordance(texts, "war", context=3)
    assert counts == {"a": 1, "b": 1}
    assert lines == ["War an", "nd war.", "A warnin"]
