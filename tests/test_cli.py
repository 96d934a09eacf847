"""The command line, run in-process on a library made in tmp_path."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import Terminal, main
from bot.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]

READING = """---
title: What is Proletarian Internationalism?
author: McCune
aliases: [pi]
---
First paragraph.[^1]

## What is it?

Second paragraph about internationalism.

## Notes

[^1]: A note.
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "readings").mkdir()
    (tmp_path / "prompts").mkdir()
    (tmp_path / "readings" / "proletarian-internationalism.md").write_text(READING)
    return tmp_path


def test_check_passes_on_a_good_library(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert "OK: 1 reading, 2 paragraphs." in capsys.readouterr().out


def test_check_lists_every_problem_as_path_line(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "readings" / "broken.md").write_text("---\ntitle: B\nauthr: x\n---\nText[^9].\n")
    (workdir / ".env").write_text("LOG_LEVEL=loud\n")
    assert main(["check"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [
        ".env:1: LOG_LEVEL='loud' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL",
        "readings/broken.md:3: unknown key 'authr': did you mean 'author'?",
        "readings/broken.md:5: footnote [^9] has no definition: add '[^9]: ...' under the "
        "'## Notes' heading",
    ]


def test_readings_piped_is_tab_separated(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    title = "What is Proletarian Internationalism? A Long Subtitle That Goes On and On"
    reading = workdir / "readings" / "proletarian-internationalism.md"
    reading.write_text(READING.replace("What is Proletarian Internationalism?", title))
    assert main(["readings"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "slug\taliases\ttitle\tauthor\tparagraphs\twords",
        f"proletarian-internationalism\tpi\t{title}\tMcCune\t2\t6",
    ]


def test_passage_prints_citation_header_and_notes(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["passage", "pi", "§1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "What is Proletarian Internationalism? — McCune\nproletarian-internationalism §1\n"
    )
    assert "§1 First paragraph.[^1]" in out
    assert "[^1] A note." in out


def test_passage_of_a_section(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["passage", "pi#what is it"]) == 0
    out = capsys.readouterr().out
    assert "proletarian-internationalism §2 · What is it?" in out
    assert "First paragraph" not in out


def test_bad_reference_is_one_clear_line(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["passage", "pi", "§9"]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == (
        "proletarian-internationalism §9 is out of range: "
        "proletarian-internationalism has paragraphs 1-2."
    )
    assert "Traceback" not in captured.err


def test_a_title_alone_prints_the_table_of_contents(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["passage", "pi"]) == 0
    out = capsys.readouterr().out
    assert "proletarian-internationalism · contents" in out
    assert "§1\t(before the first heading)\n§2\tWhat is it?\nn1\tNotes\n" in out
    assert "Second paragraph" not in out
    assert "`reading-group passage proletarian-internationalism §1-2`" in out


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (
            "pi §a",
            "proletarian-internationalism (What is Proletarian Internationalism?) followed by "
            "'§a' is not a reference. Valid: paragraphs `proletarian-internationalism §1` to `§2`, "
            "or a range `proletarian-internationalism §1-2`; "
            "notes `proletarian-internationalism n1`; "
            "sections by name `proletarian-internationalism#what-is-it`.",
        ),
        ("bakunin", "No reading called 'bakunin'. `reading-group readings` lists them all."),
    ],
)
def test_malformed_reference_is_an_error_naming_terminal_commands(
    workdir: Path, capsys: pytest.CaptureFixture[str], reference: str, message: str
) -> None:
    assert main(["passage", reference]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == message


def test_terminal_colours_only_when_asked() -> None:
    plain, colour = Terminal(io.StringIO(), color=False), Terminal(io.StringIO(), color=True)
    assert plain.style("x", "bold") == "x"
    assert colour.style("x", "bold") == "\033[1mx\033[0m"
    assert colour.markdown("a **hit** b") == "a \033[1;33mhit\033[0m b"
    assert plain.markdown("a **hit** b") == "a **hit** b"


def test_search_prints_citations_and_snippets(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "internationalist"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "proletarian-internationalism §2 · What is it?"
    # Piped, the matches are marked as **...**: no colour shows there.
    assert "Second paragraph about **internationalism**." in out
    assert (workdir / "data" / "reading-group.sqlite3").is_file()


def test_search_takes_a_word_that_starts_with_a_dash(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "-internationalism"]) == 0
    assert "**internationalism**" in capsys.readouterr().out
    assert main(["search", "--", "-internationalism", "--limit"]) == 1
    assert "No matches" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["search", "x", "--bogus"])
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["search", "zebra"], "No matches."),
        (["search", "***", "((("], "Nothing to search for"),
        (["search", "note", "--reading", "nowhere"], "No reading called 'nowhere'"),
        (["search", "note", "--limit", "0"], "--limit must be between 1 and 100"),
    ],
)
def test_search_failures_say_why(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == 1
    assert message in capsys.readouterr().err


HTML = """<html><head><title>A Little Essay</title></head><body>
<h1>A Little Essay</h1><p>The first paragraph, with <em>emphasis</em>.</p>
<h2>Second part</h2><p>The second paragraph.</p></body></html>"""


@pytest.fixture
def essay(workdir: Path) -> Path:
    """An HTML file to import, beside the readings folder."""
    source = workdir / "essay.html"
    source.write_text(HTML)
    return source


def test_import_writes_a_reading_that_check_accepts(
    workdir: Path, essay: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(essay), "--author", "A. Writer"]) == 0
    assert "Wrote readings/little-essay.md: 'A Little Essay', 2 paragraphs" in (
        capsys.readouterr().out
    )
    assert main(["passage", "little-essay", "§2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("A Little Essay — A. Writer\nlittle-essay §2\n")
    assert "The second paragraph." in out
    assert main(["check"]) == 0


def test_import_never_overwrites_without_force(
    workdir: Path, essay: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(essay), "--slug", "essay"]) == 0
    (workdir / "readings" / "essay.md").write_text("---\ntitle: Kept\n---\nMine.\n")
    assert main(["import", str(essay), "--slug", "essay"]) == 1
    assert "already exists: choose another --slug, or add --force" in capsys.readouterr().err
    assert "Mine." in (workdir / "readings" / "essay.md").read_text()
    assert main(["import", str(essay), "--slug", "essay", "--force"]) == 0
    assert "Mine." not in (workdir / "readings" / "essay.md").read_text()


def test_import_refuses_a_slug_another_reading_answers_to(
    workdir: Path, essay: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(essay), "--slug", "pi"]) == 1
    assert capsys.readouterr().err.strip() == (
        "--slug 'pi' is already the alias of readings/proletarian-internationalism.md "
        "(What is Proletarian Internationalism?): nothing was written; choose another, "
        "e.g. --slug pi-2"
    )
    assert not (workdir / "readings" / "pi.md").exists()
    assert main(["passage", "pi", "§1"]) == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.txt", None, "missing.txt: cannot read it"),
        ("book.pdf", b"%PDF-1.4 ...", "not supported"),
        ("empty.txt", b"  \n", "the file is empty"),
    ],
)
def test_import_failures_say_why(
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes | None,
    message: str,
) -> None:
    if content is not None:
        (workdir / name).write_bytes(content)
    assert main(["import", str(workdir / name)]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert list((workdir / "readings").iterdir()) == [
        workdir / "readings" / "proletarian-internationalism.md"
    ]


def _logged_replies(database: Path, count: int) -> None:
    """A database with one group, one post and ``count`` logged replies."""
    import asyncio
    import datetime as dt

    from bot.core.replies import Reply
    from bot.storage.database import open_database
    from bot.storage.replies import apply_events

    async def run() -> None:
        async with open_database(database) as db:
            stamp = "2027-01-04T18:00:00.000000Z"
            await db.execute(
                "INSERT INTO groups (channel_id, guild_id, name, readings, word_target, cadence,"
                " questions_per_post, start, created_at, updated_at)"
                " VALUES (100, 9, 'tuesday-group', '[]', 600, 'mon 19:00 UTC', 3, ?, ?, ?)",
                (stamp, stamp, stamp),
            )
            await db.execute(
                "INSERT INTO posts (channel_id, slot, kind, installment_key, number, total,"
                " claimed_at, message_id, thread_id, posted_at)"
                " VALUES (100, ?, 'scheduled', 'pi:1-2', 1, 5, ?, 400, 500, ?)",
                (stamp, stamp, stamp),
            )
            start = dt.datetime(2027, 1, 4, 18, tzinfo=dt.UTC)
            await apply_events(
                db,
                [
                    Reply(
                        1000 + n,
                        500,
                        100,
                        9,
                        1,
                        n % 3,
                        f"member {n % 3}",
                        f"reply, {n}",
                        start + dt.timedelta(days=n),
                        words=2,
                    )
                    for n in range(count)
                ],
            )

    asyncio.run(run())


def test_export_writes_csv_and_jsonl(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import csv
    import json

    _logged_replies(workdir / "data" / "reading-group.sqlite3", 4)
    assert main(["export", "--group", "tuesday-group", "--since", "2027-01-06"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["message_id"], r["content"], r["installment_key"]) for r in rows] == [
        ("1002", "reply, 2", "pi:1-2"),
        ("1003", "reply, 3", "pi:1-2"),
    ]
    assert main(["export", "--format", "jsonl", "--out", "replies.jsonl"]) == 0
    lines = (workdir / "replies.jsonl").read_text().splitlines()
    assert [json.loads(line)["author_name"] for line in lines] == [
        "member 0",
        "member 1",
        "member 2",
        "member 0",
    ]
    assert "Wrote 4 replies to replies.jsonl" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["export", "--group", "nobody"],
            "--group 'nobody': no such group (groups: tuesday-group)",
        ),
        (["export", "--since", "last week"], "write the date as YYYY-MM-DD"),
    ],
)
def test_export_mistakes_say_why(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    _logged_replies(workdir / "data" / "reading-group.sqlite3", 1)
    assert main(argv) == 1
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (
            "missing/replies.csv",
            "--out missing/replies.csv: there is no folder missing: create it first, or write "
            "somewhere else",
        ),
        ("exports", "--out exports is a folder: give a file name in it, e.g. exports/replies.csv"),
    ],
)
def test_export_to_a_missing_folder_or_onto_a_folder_is_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], out: str, message: str
) -> None:
    _logged_replies(workdir / "data" / "reading-group.sqlite3", 1)
    (workdir / "exports").mkdir()
    assert main(["export", "--out", out]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [message]
    assert captured.out == ""
    assert not (workdir / "missing").exists()
    assert list((workdir / "exports").iterdir()) == []


def test_an_empty_csv_export_still_has_its_header_row(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _logged_replies(workdir / "data" / "reading-group.sqlite3", 2)
    assert main(["export", "--out", "all.csv"]) == 0
    assert main(["export", "--since", "2099-01-01", "--out", "none.csv"]) == 0
    assert "Wrote 0 replies to none.csv" in capsys.readouterr().out
    header = (workdir / "all.csv").read_text().splitlines()[0]
    assert header.startswith("message_id,group_channel_id,")
    assert (workdir / "none.csv").read_text().splitlines() == [header]


def test_export_finds_a_group_declared_in_groups_yaml(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The bot has not run since the group was declared: the database does not know it yet.
    _logged_replies(workdir / "data" / "reading-group.sqlite3", 2)
    (workdir / "readings" / "essay.md").write_text(ESSAY)
    (workdir / "groups.yaml").write_text(GROUPS)
    assert main(["export", "--group", "saturday"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "message_id,group_channel_id,channel_id,installment_key,author_id,author_name,"
        "created_at,edited_at,reply_to_id,attachments,words,content,reactions"
    ]
    # Channel 100 is tuesday-group in the database and tuesday in the file: both names find it.
    for name in ("tuesday", "tuesday-group"):
        assert main(["export", "--group", name, "--format", "jsonl"]) == 0
        assert len(capsys.readouterr().out.splitlines()) == 2
    assert main(["export", "--group", "nobody"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "--group 'nobody': no such group (groups: tuesday-group, tuesday, saturday)"
    ]


def test_backup_is_consistent_while_the_database_is_in_use(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    database = workdir / "data" / "reading-group.sqlite3"
    _logged_replies(database, 50)
    # Another connection holds the database open in WAL mode with an uncommitted write.
    busy = sqlite3.connect(database)
    busy.execute("BEGIN IMMEDIATE")
    busy.execute("DELETE FROM replies")
    try:
        assert main(["backup", "backups/copy.sqlite3"]) == 0
    finally:
        busy.rollback()
        busy.close()
    assert "Backed up" in capsys.readouterr().out
    copy = sqlite3.connect(workdir / "backups" / "copy.sqlite3")
    assert copy.execute("SELECT count(*) FROM replies").fetchone() == (50,)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()


@pytest.mark.parametrize(
    "argv", [["export"], ["summary"], ["backup", "copy.sqlite3"]], ids=lambda a: a[0]
)
def test_read_only_commands_never_create_a_database(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(argv) == 1
    assert capsys.readouterr().err == (
        "no database at data/reading-group.sqlite3 (set DATABASE_PATH or run the bot once to "
        "create it)\n"
    )
    assert not (workdir / "data").exists()


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("", "backup needs a file name to write the copy to, e.g. backups/reading-group.sqlite3"),
        (
            "backups",
            "backups is a folder: give a file name in it, e.g. backups/reading-group.sqlite3",
        ),
        (
            "notes.txt/copy.sqlite3",
            "notes.txt/copy.sqlite3: cannot write the copy (File exists): check that notes.txt "
            "is a folder you may write in",
        ),
    ],
)
def test_backup_to_a_folder_or_no_name_is_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], target: str, message: str
) -> None:
    _logged_replies(workdir / "data" / "reading-group.sqlite3", 1)
    (workdir / "backups").mkdir()
    (workdir / "notes.txt").write_text("notes")
    assert main(["backup", target]) == 1
    assert capsys.readouterr().err.splitlines() == [message]
    assert list((workdir / "backups").iterdir()) == []


def test_backup_of_a_file_that_is_not_a_database_is_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "data").mkdir()
    (workdir / "data" / "reading-group.sqlite3").write_text("not a database, just notes\n")
    (workdir / "copy.sqlite3").write_text("last week's copy")
    assert main(["backup", "--force", "copy.sqlite3"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "data/reading-group.sqlite3: not a usable SQLite database (file is not a database): "
        "check DATABASE_PATH, or restore a backup"
    ]
    # The copy it was to replace is untouched, and nothing is left beside it.
    assert (workdir / "copy.sqlite3").read_text() == "last week's copy"
    assert sorted(p.name for p in workdir.iterdir()) == [
        "copy.sqlite3",
        "data",
        "prompts",
        "readings",
    ]


def test_backup_replaces_a_file_only_with_force(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    _logged_replies(workdir / "data" / "reading-group.sqlite3", 3)
    (workdir / "backups").mkdir()
    copy = workdir / "backups" / "copy.sqlite3"
    copy.write_text("notes that are not a database")
    assert main(["backup", "backups/copy.sqlite3"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "backups/copy.sqlite3 already exists: choose another name, or add --force to replace it"
    ]
    assert copy.read_text() == "notes that are not a database"
    # Replaced whole, by a copy written beside it and renamed over it: even a file that is not
    # a database (which SQLite could not write into) is replaced.
    assert main(["backup", "--force", "backups/copy.sqlite3"]) == 0
    assert "Backed up" in capsys.readouterr().out
    assert [p.name for p in (workdir / "backups").iterdir()] == ["copy.sqlite3"]
    with contextlib.closing(sqlite3.connect(copy)) as backed_up:
        assert backed_up.execute("SELECT count(*) FROM replies").fetchone() == (3,)


# Plans: check, plan and preview.

ESSAY = "---\ntitle: A Long Essay\naliases: [essay]\nauthor: E. Writer\n---\n" + "\n\n".join(
    f"Paragraph {n} of the essay argues its point at some length. " * 6 for n in range(1, 7)
)
GROUPS = """groups:
  - name: tuesday
    channel_id: 100
    readings: [essay]
    words: 70
    questions: 1
    schedule: "tue 19:00 Europe/Berlin"
    start: 2099-01-05
  - name: saturday
    channel_id: 200
    schedule: "sat 10:00 UTC"
    start: 2099-01-02
"""


QUESTIONS = """questions:
  - at: 1
    text: What does the first paragraph argue?
  - at: 2
    text: Does the second paragraph follow from the first?
"""


@pytest.fixture
def planned(workdir: Path) -> Path:
    (workdir / "readings" / "essay.md").write_text(ESSAY)
    (workdir / "prompts" / "essay.yaml").write_text(QUESTIONS)
    (workdir / "groups.yaml").write_text(GROUPS)
    return workdir


def test_check_counts_questions_and_groups(
    planned: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "OK: 2 questions and 0 templates in prompts.",
        "OK: 2 groups in groups.yaml.",
    ]


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        (
            "prompts/essay.yaml",
            "questions:\n  - at: 9\n    text: Beyond the end?\n",
            "prompts/essay.yaml:2: ",
        ),
        (
            "groups.yaml",
            GROUPS.replace("words: 70", "wrods: 70"),
            "groups.yaml:5: unknown key 'wrods': did you mean 'words'?",
        ),
        (
            "groups.yaml",
            GROUPS.replace("[essay]", "[nosuch]"),
            "groups.yaml:4: readings: no reading called 'nosuch'",
        ),
    ],
)
def test_check_names_the_line_of_a_bad_prompt_or_group(
    planned: Path, capsys: pytest.CaptureFixture[str], path: str, text: str, expected: str
) -> None:
    (planned / path).write_text(text)
    assert main(["check"]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(expected)


def test_plan_lists_every_installment_with_its_date_and_the_end(
    planned: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "--group", "tuesday"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "tuesday · channel 100 · groups.yaml:2"
    assert lines[1] == "tue 19:00 Europe/Berlin · about 70 words · 1 question per post"
    # Piped: a tab-separated table for scripts.
    assert lines[2] == "number\twhen\tpassage\twords"
    assert lines[3] == "1\tTue 6 Jan 2099 19:00\tessay §1\t66"
    assert lines[8] == "6\tTue 10 Feb 2099 19:00\tessay §6\t66"
    assert lines[9:] == ["6 installments, ends Tue 10 Feb 2099"]


def test_plan_shows_every_group_without_group(
    planned: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan"]) == 0
    out = capsys.readouterr().out
    assert "tuesday · channel 100" in out and "saturday · channel 200" in out
    assert out.count("installments, ends") == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["plan", "--group", "sunday"], "--group 'sunday': no such group (groups: tuesday (100)"),
        (["preview"], "2 groups: pick one with --group"),
        (["preview", "--group", "100", "--count", "0"], "--count must be between 1 and 50"),
    ],
)
def test_plan_and_preview_failures_say_why(
    planned: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == 1
    assert message in capsys.readouterr().err


def test_plan_without_any_group_says_how_to_make_one(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan"]) == 1
    assert "No groups yet: declare one in groups.yaml" in capsys.readouterr().err


def test_preview_renders_the_next_posts_with_their_thread(
    planned: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["preview", "--group", "tuesday", "--count", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "=== tuesday: post 1 of 6, Tue 6 Jan 2099 19:00 (Europe/Berlin) ===\n"
        "[message 1 of 1]\n\nE. Writer\n# A Long Essay §1\n\n**§1** Paragraph 1 of the essay"
    )
    assert "-- essay §1 · installment 1 of 6 · rg:100:2099-01-06T18:00:00Z\n" in out
    assert "[thread] A Long Essay §1\n**Discussion questions** on essay §1" in out
    assert "=== tuesday: post 2 of 6, Tue 13 Jan 2099 19:00 (Europe/Berlin) ===" in out
    assert "post 3 of" not in out
    questions = re.findall(r"^\*\*1\.\*\* (.+)$", out, re.M)
    assert questions == [  # each post's question, in the post and again in its thread
        "What does the first paragraph argue?",
        "What does the first paragraph argue?",
        "Does the second paragraph follow from the first?",
        "Does the second paragraph follow from the first?",
    ]


@pytest.mark.parametrize(
    "argv",
    [["plan"], ["preview", "--group", "tuesday", "--count", "3"], ["facilitators"]],
    ids=["plan", "preview", "facilitators"],
)
def test_plan_commands_take_unchanged_readings_from_the_library_index(
    planned: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
) -> None:
    """Like the look-ups and the bot, the organizers' commands load once: with the library
    indexed, no unchanged reading is parsed again, and what they print is the same."""
    import bot.core.readings.loading
    import bot.storage.library

    assert main(argv) == 0  # no database yet: every file parsed
    parsed = capsys.readouterr().out
    assert main(["search", "paragraph"]) == 0  # makes the database and indexes the library
    capsys.readouterr()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged reading was parsed again")

    for module in (bot.core.readings.loading, bot.storage.library):  # each loader's parser
        monkeypatch.setattr(module, "parse_reading", refuse)
    assert main(argv) == 0
    assert capsys.readouterr().out == parsed


def test_preview_carries_on_from_the_stored_progress(
    planned: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from bot.core.content import Content, load_content
    from bot.storage.database import open_database
    from bot.storage.groups import set_progress, sync_file_groups

    content: Content = load_content(
        planned / "readings", planned / "prompts", planned / "groups.yaml"
    )

    async def run() -> None:
        async with open_database(planned / "data" / "reading-group.sqlite3") as db:
            now = dt.datetime(2098, 12, 1, tzinfo=dt.UTC)
            await sync_file_groups(db, content.groups, content.library, now=now)
            await set_progress(db, 100, "essay:3-3", 3, now=now)

    asyncio.run(run())
    assert main(["preview", "--group", "tuesday"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("=== tuesday: post 4 of 6, Tue 6 Jan 2099 19:00 (Europe/Berlin) ===")
    assert "# A Long Essay §4\n" in out
    assert main(["plan", "--group", "tuesday"]) == 0
    assert capsys.readouterr().out.splitlines()[3] == "4\tTue 6 Jan 2099 19:00\tessay §4\t66"


def test_search_says_which_common_words_it_left_out(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "the", "internationalism"]) == 0
    captured = capsys.readouterr()
    assert "What is it?" in captured.out
    assert "Common words left out: the" in captured.err
    assert "reading order" not in captured.err


@pytest.mark.parametrize("query", [["about"], ['"paragraph about"']])
def test_search_says_when_it_answers_in_reading_order(
    workdir: Path, capsys: pytest.CaptureFixture[str], query: list[str]
) -> None:
    assert main(["search", *query]) == 0
    captured = capsys.readouterr()
    assert "proletarian-internationalism §2" in captured.out
    assert "the first matches in reading order, not ranked by relevance" in captured.err


# The weekly summary, offline from the database.

SUMMARY_GROUPS = """groups:
  - name: essayists
    channel_id: 300
    readings: [essay]
    words: 70
    questions: 1
    schedule: "mon,thu 19:00 Europe/Berlin"
    summary: "sun 18:00"
    start: 2026-03-02
"""


@pytest.fixture
def summarised(workdir: Path) -> Path:
    """A group that posted twice in 2026-W10 and whose members replied and starred."""
    import asyncio

    from bot.core.content import load_content
    from bot.core.replies import ReactionAdd, Reply
    from bot.storage.database import open_database
    from bot.storage.groups import claim_post, confirm_post, get_group, sync_file_groups
    from bot.storage.replies import apply_events

    (workdir / "readings" / "essay.md").write_text(ESSAY)
    (workdir / "groups.yaml").write_text(SUMMARY_GROUPS)
    content = load_content(workdir / "readings", workdir / "prompts", workdir / "groups.yaml")
    first = dt.datetime(2026, 3, 2, 18, tzinfo=dt.UTC)  # Monday 19:00 in Berlin

    async def run() -> None:
        async with open_database(workdir / "data" / "reading-group.sqlite3") as db:
            await sync_file_groups(db, content.groups, content.library, now=first)
            for number, (slot, key) in enumerate(
                [(first, "essay:1-1"), (first + dt.timedelta(days=3), "essay:2-2")], 1
            ):
                group = await get_group(db, 300)
                assert group is not None
                post = await claim_post(
                    db,
                    group,
                    slot=slot,
                    kind="scheduled",
                    installment_key=key,
                    number=number,
                    total=6,
                    questions=[(f"q{number}", "What is the point?")],
                    now=slot,
                )
                assert post is not None
                thread = 500 + number
                await confirm_post(
                    db, post.id, message_id=thread, thread_id=thread, late=False, now=slot
                )
            await apply_events(
                db,
                [
                    Reply(1001, 501, 300, 9, 1, 7, "Ana", "The point is clear", first, words=4),
                    Reply(1002, 501, 300, 9, 1, 8, "Bo", "Not to me", first, words=3),
                    ReactionAdd(1001, 501, 8, "⭐", first),
                ],
            )

    asyncio.run(run())
    return workdir


def test_summary_prints_the_week_and_writes_the_chart(
    summarised: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["summary", "--week", "2026-W10", "--chart", "week.png"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "essayists · Week 2026-W10 · 2–8 Mar 2026 (Europe/Berlin)"
    assert "  #1/6 essay §1 · " in out and "  #2/6 essay §2 · " in out
    assert "\n  2 replies, 7 words, 2 participants\n" in out  # the first week: no week before
    assert "Welcome to our new voices: Ana and Bo!" in out
    assert '⭐ Ana on essay §1: "The point is clear"' in out  # two members: no star count
    assert "Questions still open\n  #2 essay §2: What is the point?" in out
    assert "Wrote the chart to week.png" in out
    assert (summarised / "week.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    # A day of the week names the same week.
    assert main(["summary", "--group", "essayists", "--week", "2026-03-08"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["summary", "--week", "W10"], "'W10' is not a week: write it as YEAR-Wnn"),
        (["summary", "--group", "nobody"], "--group 'nobody': no such group"),
        (["summary", "--week", "2026-W10", "--chart", "missing/dir/x.png"], "--chart missing"),
    ],
)
def test_summary_mistakes_say_why(
    summarised: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(args) == 1
    assert message in capsys.readouterr().err


# A reader that stops early (`reading-group ... | head`).


def _environment() -> dict[str, str]:
    """This process's environment without the bot's settings, for ``python -m bot``."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env["PYTHONPATH"] = str(ROOT)
    return env


def _run_into_a_closed_pipe(workdir: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS`` writing into a pipe whose reader has already gone."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=workdir,
            env=_environment(),
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(writer)


@pytest.mark.parametrize(
    "args",
    [
        ["readings"],
        ["search", "essay"],
        ["passage", "essay", "§1-6"],
        ["plan"],
        ["preview", "--count", "3"],
        ["export"],
        ["summary", "--week", "2026-W10"],
    ],
    ids=lambda args: args[0],
)
def test_a_reader_that_has_gone_ends_the_command_quietly(summarised: Path, args: list[str]) -> None:
    done = _run_into_a_closed_pipe(summarised, args)
    assert (done.returncode, done.stderr) == (1, "")


def test_head_reads_the_first_line_of_a_long_passage_and_stops_it(workdir: Path) -> None:
    paragraphs = "\n\n".join(f"Paragraph {n}: " + "words go on " * 40 for n in range(1, 501))
    (workdir / "readings" / "long.md").write_text(f"---\ntitle: Long\n---\n{paragraphs}\n")
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "passage", "long", "§1-500"],
        cwd=workdir,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline() == "Long\n"
        process.stdout.close()  # 240 kB more are on their way: far more than a pipe holds
        assert process.wait(timeout=60) == 1
        assert process.stderr.read() == ""


@pytest.mark.parametrize("command", ["run", "sync"])
def test_run_and_sync_report_a_broken_groups_yaml_before_anything_else(
    workdir: Path, command: str
) -> None:
    (workdir / "groups.yaml").write_text(GROUPS.replace("[essay]", "[nosuch]"))
    done = subprocess.run(
        [sys.executable, "-m", "bot", command],
        cwd=workdir,
        env=_environment(),  # no DISCORD_TOKEN either: the file comes first
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.splitlines() == [
        "groups.yaml:4: readings: no reading called 'nosuch': known readings are "
        "proletarian-internationalism (or their aliases)"
    ]
