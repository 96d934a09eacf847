"""Hostile content files: each is refused (or read) with bounded work and one clear line.

Run through ``reading-group check`` in-process on a library made in tmp_path, so what is asserted
is what the organizer sees: the exit code and every line printed. These files never reach the
bot's database (it refuses to start on a library ``check`` rejects), so there are no rows here.
"""

from __future__ import annotations

import re
import socket
import textwrap
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.importer import Block, ImportFailed, import_bytes
from bot.core.readings import FOOTNOTE_REF_RE
from tests.core.test_importer import epub, tree
from tests.test_cli import workdir

__all__ = ["workdir"]  # a library of one reading, proletarian-internationalism.md, in tmp_path

PROMPTS = "questions:\n  - at: 1\n    text: Why?\n"
GROUPS = 'groups:\n  - name: g\n    channel_id: 123456789012345678\n    schedule: "tue 19:00"\n'
GROUPS += "    timezone: Europe/London\n    start: 2027-01-05\n"


def check(capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """``reading-group check``: its exit code and the lines it printed to stderr."""
    code = main(["check"])
    return code, capsys.readouterr().err.strip().splitlines()


def laughs(levels: int, indent: str = "") -> str:
    """A YAML "billion laughs": each level is 9 aliases of the one before, 9**levels strings."""
    lines = [f'{indent}l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        aliases = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"{indent}l{level}: &l{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def test_the_laughs_helper_makes_a_real_bomb() -> None:
    import yaml

    data = yaml.safe_load(laughs(4))
    assert len(data["l3"]) == 9 and len(data["l3"][0][0]) == 9  # shared, so cheap to build here


ANCHORS = "YAML anchors and aliases are not allowed"


@pytest.mark.parametrize("key", ["published", "order", "notes"])
def test_alias_bomb_in_front_matter_is_refused_at_its_first_anchor(
    workdir: Path, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    # Ten levels is the bomb (3.5 billion strings): before the fix `check` spent
    # minutes and gigabytes on it. Refused at the first anchor, it costs nothing.
    bomb = laughs(10).replace("l9:", f"{key}:")
    (workdir / "readings" / "bomb.md").write_text(f"---\ntitle: Bomb\n{bomb}---\nText.\n")
    code, lines = check(capsys)
    assert code == 1
    assert lines == [
        f"readings/bomb.md:3: {ANCHORS}: write the value out in full instead of '&name' and '*name'"
    ]


def test_a_lone_alias_in_front_matter_is_refused_too(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "readings" / "alias.md").write_text("---\ntitle: A\nnotes: *nothing\n---\nText.\n")
    code, lines = check(capsys)
    assert (code, [line.split(": YAML")[0] for line in lines]) == (1, ["readings/alias.md:3"])


@pytest.mark.parametrize(
    ("path", "text", "line"),
    [
        (
            "prompts/proletarian-internationalism.yaml",
            PROMPTS + laughs(10, "  ").replace("  l0", "x:\n  l0", 1),
            5,
        ),
        ("groups.yaml", GROUPS + laughs(10, "    "), 7),
    ],
)
def test_alias_bomb_in_prompts_or_groups_is_refused(
    workdir: Path, capsys: pytest.CaptureFixture[str], path: str, text: str, line: int
) -> None:
    (workdir / path).write_text(text)
    code, lines = check(capsys)
    assert code == 1
    assert [entry.split(": YAML")[0] for entry in lines] == [f"{path}:{line}"]
    assert ANCHORS in lines[0]


HUGE = "x" * 100_000


@pytest.mark.parametrize(
    ("front", "start"),  # a YAML key is at most 1024 characters
    [
        (f"published: {HUGE}", "readings/long.md:3: published: 'xxx"),
        (f"order: {HUGE}", "readings/long.md:3: order: 'xxx"),
        (f"aliases: [{HUGE}]", "readings/long.md:3: aliases: 'xxx"),
        (f"{HUGE[:1000]}: 1", "readings/long.md:3: unknown key 'xxx"),
        (f"order: [{', '.join(['1'] * 50_000)}]", "readings/long.md:3: order: [1, 1"),
    ],
    ids=["date", "number", "alias", "key", "list"],
)
def test_errors_quote_at_most_a_few_hundred_characters_of_a_value(
    workdir: Path, capsys: pytest.CaptureFixture[str], front: str, start: str
) -> None:
    (workdir / "readings" / "long.md").write_text(f"---\ntitle: Long\n{front}\n---\nText.\n")
    code, lines = check(capsys)
    assert code == 1
    (line,) = lines
    assert line.startswith(start)
    assert "…" in line and len(line) < 400


# yaml reads these as dates (or numbers, or booleans) and then cannot build them: that raised
# ValueError or KeyError out of every command. They are now read as the text they are.
@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        (
            "readings/dated.md",
            "---\ntitle: Dated\nauthor: X\npublished: 2026-02-30\n---\nText.\n",
            "readings/dated.md:4: published: '2026-02-30' is not a date: write it as YYYY-MM-DD",
        ),
        (
            "readings/dated.md",
            "---\ntitle: Dated\npublished: 2026-13-01\n---\nText.\n",
            "readings/dated.md:3: published: '2026-13-01' is not a date: write it as YYYY-MM-DD",
        ),
        (
            "readings/dated.md",
            f"---\ntitle: Dated\norder: {'1' * 5000}\n---\nText.\n",
            f"readings/dated.md:3: order: '{'1' * 198}… is not a number",
        ),
        (
            "prompts/proletarian-internationalism.yaml",
            "questions:\n  - at: 2025-02-29\n    text: Why?\n",
            "prompts/proletarian-internationalism.yaml:2: at: '2025-02-29' is not a paragraph "
            "number: write 'at: 12' or 'at: [3, 7]'",
        ),
        (
            "groups.yaml",
            GROUPS.replace("2027-01-05", "2027-02-30"),
            "groups.yaml:6: start: '2027-02-30' is not a date: write it as YYYY-MM-DD, e.g. "
            "2027-01-04",
        ),
    ],
    ids=["day", "month", "long-number", "prompt", "group"],
)
def test_a_value_yaml_cannot_build_is_one_line_naming_its_key(
    workdir: Path, capsys: pytest.CaptureFixture[str], path: str, text: str, expected: str
) -> None:
    (workdir / path).write_text(text)
    commands = [["check"], ["plan"]] + ([["readings"]] if path.startswith("readings/") else [])
    for command in commands:
        assert main(command) == 1
        assert capsys.readouterr().err.strip().splitlines() == [expected], command


def test_a_question_dated_like_a_date_keeps_its_text(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "prompts" / "proletarian-internationalism.yaml").write_text(
        "questions:\n  - at: 1\n    text: 2026-02-30\n"
    )
    assert main(["check"]) == 0


def test_a_possible_date_still_reads(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "readings" / "dated.md").write_text(
        "---\ntitle: D\npublished: 2024-02-29\n---\nT.\n"
    )
    assert main(["check"]) == 0


def bind_socket(path: Path) -> None:
    """A Unix socket at ``path``: it exists and is no directory, yet cannot be opened."""
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path.relative_to(Path.cwd())))  # relative: socket paths are short
    listener.close()


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda p: p.mkdir(),
            "readings/x.md: is a directory, not a reading file: move it out of the readings folder",
        ),
        (
            lambda p: p.symlink_to("gone.md"),
            "readings/x.md: broken link (to gone.md): fix the link or remove it",
        ),
        (
            lambda p: p.symlink_to("x.md"),
            "readings/x.md: broken link (to x.md): fix the link or remove it",
        ),
        (
            bind_socket,
            "readings/x.md: cannot be read (No such device or address): check the file and its "
            "permissions",
        ),
    ],
    ids=["directory", "broken-link", "link-to-itself", "socket"],
)
def test_a_reading_path_that_is_not_a_file_is_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], object], expected: str
) -> None:
    make(workdir / "readings" / "x.md")
    for command in (["check"], ["readings"], ["plan"]):
        assert main(command) == 1
        assert capsys.readouterr().err.strip().splitlines() == [expected], command


# --------------------------------------------------------------------------- EPUB spine


PADDING = "<p>Padding paragraph %06d, always the same few words again.</p>\n"


def spine_bomb(listed: int, padding: int) -> bytes:
    """The small EPUB of the importer tests, its spine listing chapter 2 ``listed`` times and
    chapter 2 padded with ``padding`` paragraphs of ``len(PADDING)`` bytes."""
    files = tree("epub2")
    opf = files["OEBPS/content.opf"].decode()
    files["OEBPS/content.opf"] = opf.replace(
        '<itemref idref="ch2"/>', '<itemref idref="ch2"/>' * listed
    ).encode()
    chapter = files["OEBPS/text/chapter2.html"].decode()
    lines = "".join(PADDING % n for n in range(padding))
    files["OEBPS/text/chapter2.html"] = chapter.replace("</body>", lines + "</body>").encode()
    return epub(files)


def test_a_spine_listing_one_document_many_times_reads_it_once() -> None:
    once = import_bytes(spine_bomb(1, 400), "book.epub")
    result = import_bytes(spine_bomb(2_000, 400), "book.epub", max_text_bytes=1_000_000)
    # Before, the 25 kB chapter was parsed 2,000 times (50 MB from a 30 kB file; the issue's
    # 1 MB chapter made 2 GB) and the book held every copy.
    assert result.blocks == once.blocks
    assert len(result.paragraphs) == 3 + 400
    assert result.warnings == ("the spine lists documents again 1999 time(s): each was read once",)


def test_an_epub_whose_spine_unpacks_to_too_much_text_is_refused() -> None:
    data = spine_bomb(1, 1_000_000 // len(PADDING) + 1)  # chapter 2 alone is over 1 MB
    assert len(import_bytes(data, "book.epub", max_text_bytes=1_100_000).paragraphs) > 15_000
    with pytest.raises(ImportFailed) as caught:
        import_bytes(data, "book.epub", max_text_bytes=1_000_000)
    assert str(caught.value) == (
        "book.epub: the EPUB's spine holds more than 1 MB of text; a book is a few MB: import "
        "the volumes one by one, or check the file"
    )


# --------------------------------------------------------------------------- hard-wrapped text

SENTENCES = [
    "The committee met again on the first day of the month.",
    "Nobody could say for certain who had called the meeting, or why.",
    "It was agreed that the minutes of the previous session would be read aloud in full.",
    "Several members objected to the cost of printing them.",
    "A vote was taken; the motion carried by a narrow margin.",
    "The secretary, who had been silent until then, asked whether the hall was free.",
]


def made_up_paragraphs(count: int) -> list[str]:
    """Paragraphs of three to seven sentences, each different from the others."""
    return [
        " ".join(f"{SENTENCES[(n + k) % len(SENTENCES)][:-1]} ({n}.{k})." for k in range(3 + n % 5))
        for n in range(count)
    ]


def hard_wrapped(paragraphs: list[str], width: int, indent: str) -> str:
    """The paragraphs wrapped at ``width`` with no blank line between them, as some files are."""
    return (
        "\n".join(textwrap.fill(p, width=width, initial_indent=indent) for p in paragraphs) + "\n"
    )


@pytest.mark.parametrize(("width", "indent"), [(72, ""), (66, "    "), (78, "  ")])
def test_hard_wrapped_text_without_blank_lines_is_split_into_its_paragraphs(
    width: int, indent: str
) -> None:
    paragraphs = made_up_paragraphs(300)
    result = import_bytes(hard_wrapped(paragraphs, width, indent).encode(), "book.txt")
    found = [p.text for p in result.paragraphs]
    if indent:  # every paragraph starts on an indented line: all are found
        assert found == paragraphs
    else:  # one whose last line is nearly full runs on into the next, losing no word
        assert len(found) >= 0.8 * len(paragraphs)
        rest = paragraphs
        for paragraph in found:  # each is a run of consecutive paragraphs of the text
            run = next(n for n in range(1, len(rest) + 1) if " ".join(rest[:n]) == paragraph)
            rest = rest[run:]
        assert rest == []
    assert result.changes[0].startswith("split 1 hard-wrapped passage without blank lines")


def test_hard_wrapped_headings_stand_alone() -> None:
    chapters = made_up_paragraphs(60)
    text = "".join(
        f"CHAPTER {n + 1}\n" + hard_wrapped(chapters[n * 20 : n * 20 + 20], 70, "")
        for n in range(3)
    )
    result = import_bytes(text.encode(), "book.txt")
    assert [h.text for h in result.headings] == ["CHAPTER 1", "CHAPTER 2", "CHAPTER 3"]
    assert " ".join(p.text for p in result.paragraphs) == " ".join(chapters)


@pytest.mark.parametrize(
    "block",
    [
        # Verse: lines of a similar width, sentences ending short of it, yet one stanza.
        "\n".join(
            [
                "Of man's first disobedience, and the fruit",
                "Of that forbidden tree whose mortal taste",
                "Brought death into the world, and all our woe.",
            ]
            * 8
        ),
        # A table laid out in columns.
        "\n".join(f"{1200 + n}      0  12   0          1  16   {n % 10}" for n in range(24)),
        # A long paragraph, hard-wrapped: its last line alone is short.
        textwrap.fill(" ".join(made_up_paragraphs(12)), width=72),
    ],
    ids=["verse", "table", "long-paragraph"],
)
def test_blocks_that_are_not_several_paragraphs_stay_one(block: str) -> None:
    result = import_bytes(f"{block}\n\nThe end.\n".encode(), "book.txt")
    assert len(result.paragraphs) == 2
    assert not any(c.startswith("split") for c in result.changes)


CORPUS = Path("/work/shared/corpus")
if not CORPUS.is_dir():  # beside the main checkout, as tests/core/test_importer_corpus.py has it
    CORPUS = Path(__file__).parents[3] / "shared" / "corpus"
WAR_AND_PEACE = CORPUS / "war-and-peace.tolstoy.pg2600-0.txt"


def words_of(blocks: Iterable[Block]) -> Counter[str]:
    """The words of ``blocks``, without footnote markers or punctuation (a translator's ``*``
    note that no longer pairs with its marker stays text)."""
    return Counter(
        word for b in blocks for word in re.findall(r"[^\W_]+", FOOTNOTE_REF_RE.sub("", b.text))
    )


@pytest.mark.slow
@pytest.mark.skipif(not WAR_AND_PEACE.is_file(), reason=f"no {WAR_AND_PEACE}")
def test_war_and_peace_without_its_blank_lines_keeps_its_paragraphs_and_every_word() -> None:
    source = WAR_AND_PEACE.read_text(encoding="utf-8")
    book = import_bytes(source.encode(), WAR_AND_PEACE.name)
    squeezed = "\n".join(line for line in source.split("\n") if line.strip())
    result = import_bytes(squeezed.encode(), WAR_AND_PEACE.name)
    # Before, its 560,000 words were one paragraph. 11,202 paragraphs with the blank lines; a
    # paragraph whose last line is nearly full runs on into the next.
    assert 0.75 * len(book.paragraphs) <= len(result.paragraphs) <= len(book.paragraphs)
    assert max(len(p.text.split()) for p in result.paragraphs) < 1_000
    headings, expected = [h.text for h in result.headings], [h.text for h in book.headings]
    # A letter's dateline in capitals: without the blank lines nothing tells it from a heading.
    extra = [h for h in headings if h not in expected]
    assert extra == ["MOSCOW, OCTOBER 30, 1812"]
    assert [h for h in headings if h not in extra] == expected
    text = [b for b in book.blocks if b.kind != "heading"]
    assert words_of(text) - words_of(result.blocks) == Counter()


# --------------------------------------------------------------------------- long paragraphs

LONG = " ".join(["word"] * 2_001)


def test_check_warns_of_a_paragraph_over_2000_words_and_still_passes(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = f"Short one.\n\n{' '.join(['word'] * 2_000)}\n\n## Part\n\n{LONG}\n"
    (workdir / "readings" / "long.md").write_text(f"---\ntitle: Long\n---\n{body}")
    assert main(["check"]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "readings/long.md:10: warning: paragraph 3 has 2,001 words (more than 2,000): too long "
        "to read and discuss as one passage; break it into paragraphs with blank lines"
    ]
    assert captured.out.startswith("OK: 2 readings, 5 paragraphs.")


def test_import_warns_of_a_paragraph_over_2000_words_it_writes(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Unwrapped lines: nothing tells where the paragraph breaks were.
    source = workdir / "lost-breaks.txt"
    source.write_text(f"Lost breaks\n\nA first paragraph.\n\n{LONG}\n")
    assert main(["import", str(source), "--slug", "lost"]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "readings/lost.md:11: warning: paragraph 3 has 2,001 words (more than 2,000): too long "
        "to read and discuss as one passage; break it into paragraphs with blank lines"
    ]
    assert (workdir / "readings" / "lost.md").read_text().split("\n")[10] == LONG
    assert "Wrote readings/lost.md" in captured.out


# --------------------------------------------------------------------------- Markdown import


def test_markdown_import_reads_front_matter_with_an_impossible_date() -> None:
    result = import_bytes(b"---\ntitle: Dated\ndate: 2026-02-30\n---\n\nText.\n", "essay.md")
    assert (result.title, [p.text for p in result.paragraphs]) == ("Dated", ["Text."])
    assert result.warnings == ()


def test_markdown_import_ignores_front_matter_with_an_alias_bomb() -> None:
    data = f"---\ntitle: Bomb\n{laughs(10)}---\n\nText.\n".encode()
    result = import_bytes(data, "essay.md")
    assert (result.title, [p.text for p in result.paragraphs]) == (None, ["Text."])
    assert result.warnings == (
        f"the front matter was ignored: line 3: {ANCHORS}: write the value out in full instead "
        "of '&name' and '*name'",
    )
