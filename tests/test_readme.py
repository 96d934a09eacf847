"""The README's examples work as shown: its references resolve against the shipped library,
its slash-command examples parse and find something, and its terminal commands run in-process
against a database in tmp_path (all but ``run`` and ``sync``, which need Discord)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.citations import resolve
from bot.core.plan import resolve_readings
from bot.core.readings import Library, load_library
from bot.core.schedule import parse_cadence
from bot.core.summary import parse_week
from bot.settings import SETTINGS
from bot.storage.database import open_database
from bot.storage.search import search, sync_index

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: What stands for a placeholder of the terminal table, as the test runs it.
PLACEHOLDERS = {
    "REF": "soic §3",
    "QUERY": "internationalist market",
    "TERM": "internationalist",
    "SLUG": "soic",
    "G": "internationalism",
    "N": "2",
    "DATE": "2027-01-04",
    "ID": "123456789012345678",
    "WHEN": "2 weeks",
    "S": "an-essay",
    "T": "An Essay",
    "A": "A. Writer",
    "csv\\|jsonl": "jsonl",
    "TEXT": "The relation between internationalism and the socialist revolution",
}
GROUPS = """groups:
  - name: internationalism
    channel_id: 123456789012345678
    readings: [mccune, soic, china, borochov]
    schedule: "mon,thu 19:00"
    timezone: Europe/Berlin
    start: 2027-01-04
    summary: "sun 18:00"
"""


def code_spans() -> list[str]:
    """Every inline code span of the README."""
    return re.findall(r"`([^`\n]+)`", README)


def reference_examples() -> list[str]:
    """The references of the indented block after "a reference resolves from any of:"."""
    block = README.split("a reference resolves from any of:\n\n", 1)[1].split("\n\n", 1)[0]
    references = []
    for line in block.splitlines():
        for item in re.split(r"\s{3,}", line.strip()):
            references.append(re.sub(r"\s*\([^)]*\)$", "", item).strip('"'))
    return references


def slash_examples(command: str) -> list[str]:
    """What follows ``/command`` in the README's examples (not its usage lines)."""
    found = [span.removeprefix(f"/{command} ") for span in code_spans()]
    spans = [s for s, span in zip(found, code_spans(), strict=True) if span != s]
    usage = re.compile(r"^(reference|query)\b|[\[\]]")
    return [s for s in spans if not usage.search(s)]


def terminal_commands() -> list[str]:
    """The first cell of each row of the terminal commands' table, and every inline
    ``reading-group ...`` example, without the program's name."""
    table = README.split("In the terminal (", 1)[1].split("\n\n", 2)[1]
    rows = re.findall(r"^\| `([^`]+)` \|", table, re.M)
    inline = [
        span.split("reading-group ", 1)[1]
        for span in code_spans()
        if re.match(r"^(\.venv/bin/)?reading-group [a-z]", span)
    ]
    return list(dict.fromkeys(rows + inline))


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(ROOT / "readings")


def test_the_readme_has_examples_to_check() -> None:
    assert len(reference_examples()) >= 10
    assert slash_examples("passage") and slash_examples("search")
    assert len(terminal_commands()) >= 12


@pytest.mark.parametrize("reference", reference_examples() + slash_examples("passage"))
def test_reference_examples_resolve(library: Library, reference: str) -> None:
    citation = resolve(library, reference)
    # A reference with a number or a section names a part: it must not fall back to the whole.
    if re.search(r"\d|#| conclusion", reference):
        assert not citation.contents


@pytest.mark.parametrize("query", slash_examples("search"))
async def test_search_examples_find_something(library: Library, tmp_path: Path, query: str) -> None:
    async with open_database(tmp_path / "search.sqlite3") as db:
        await sync_index(db, library)
        assert await search(db, query, limit=5)


def test_plan_start_example_parses(library: Library) -> None:
    (example,) = re.findall(r"^    (/plan start .+)$", README, re.M)
    options = dict(re.findall(r"(\w+): (.+?)(?= \w+: |$)", example.removeprefix("/plan start ")))
    assert set(options) == {"schedule", "timezone", "readings"}
    parse_cadence(options["schedule"], timezone=options["timezone"])
    names = [n for n in re.split(r"[,\s]+", options["readings"]) if n]
    assert resolve_readings(library, names) == ("proletarian-internationalism", "against-soic")


@pytest.mark.parametrize("week", sorted(set(re.findall(r"`(\d{4}-W\d{2})`", README))))
def test_week_examples_parse(week: str) -> None:
    parse_week(week)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped readings and prompts with a groups.yaml of one group, and a
    database made by a first search."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "readings", tmp_path / "readings")
    shutil.copytree(ROOT / "prompts", tmp_path / "prompts")
    (tmp_path / "groups.yaml").write_text(GROUPS)
    (tmp_path / "essay.txt").write_text("An Essay\n\nIts first paragraph.\n\nIts second.\n")
    assert main(["search", "internationalism"]) == 0
    return tmp_path


def invocations(usage: str) -> list[list[str]]:
    """``usage`` as it runs: once with no optional part, once with every optional part, the
    placeholders filled in (each FILE a new file name)."""
    files = iter(f"out-{n}.file" for n in range(10))

    def argv(text: str) -> list[str]:
        words = text.replace(" ...", "").replace("[", "").replace("]", "").split()
        if words[0] == "import":
            words[1] = "essay.txt"
        return [PLACEHOLDERS.get(w, next(files) if w == "FILE" else w) for w in words]

    bare = argv(re.sub(r"\s*\[[^\]]*\]", "", usage))
    full = argv(usage)
    return [bare] if bare == full else [bare, full]


@pytest.mark.parametrize(
    "usage", [u for u in terminal_commands() if u.split()[0] not in {"run", "sync"}]
)
def test_terminal_commands_run_as_shown(
    workdir: Path, capsys: pytest.CaptureFixture[str], usage: str
) -> None:
    for argv in invocations(usage):
        code = main(argv)
        assert code == 0, (argv, capsys.readouterr().err)
