"""The layers of DESIGN.md hold: the core is pure and SQL lives only in storage."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
CORE_ALLOWED_THIRD_PARTY = {"yaml"}
FORBIDDEN_CALLS = re.compile(r"os\.environ|os\.getenv|datetime\.now\(|\.utcnow\(|time\.time\(")


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", python_files("bot/core"), ids=lambda p: p.name)
def test_core_imports_only_stdlib_yaml_and_core(path: Path) -> None:
    import sys

    for module in imported_modules(path):
        top = module.split(".")[0]
        if top == "bot":
            assert module.startswith("bot.core"), f"{path.name} imports {module}"
        else:
            assert top in sys.stdlib_module_names or top in CORE_ALLOWED_THIRD_PARTY, (
                f"{path.name} imports {module}: bot/core must stay pure"
            )


@pytest.mark.parametrize("path", python_files("bot/core"), ids=lambda p: p.name)
def test_core_reads_neither_environment_nor_clock(path: Path) -> None:
    assert not FORBIDDEN_CALLS.search(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", python_files("bot/storage"), ids=lambda p: p.name)
def test_storage_imports_core_only(path: Path) -> None:
    for module in imported_modules(path):
        if module.startswith("bot."):
            assert module.startswith(("bot.core", "bot.storage")), f"{path.name}: {module}"
        assert not module.startswith("discord"), f"{path.name} imports discord"


SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE)\b", re.I
)


@pytest.mark.parametrize(
    "path",
    [p for p in python_files("bot") if "storage" not in p.parts],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_sql_lives_only_in_storage(path: Path) -> None:
    assert not SQL.search(path.read_text(encoding="utf-8"))


def test_env_example_documents_every_setting() -> None:
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert documented == set(SETTINGS)


@pytest.mark.parametrize("path", python_files("bot/cogs"), ids=lambda p: p.name)
def test_no_cog_imports_another_cog(path: Path) -> None:
    # What cogs share is owned by the bot (bot.reply_log, bot.plans) or lives in a module of
    # its own (bot.discord.organizers), never in another cog.
    tree = ast.parse(path.read_text(encoding="utf-8"))
    relative = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level > 0]
    assert not relative, f"{path.name} imports relatively"
    for module in imported_modules(path):
        assert not module.startswith("bot.cogs"), f"{path.name} imports {module}"


@pytest.mark.parametrize("path", python_files("bot"), ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_looks_a_cog_up_by_name(path: Path) -> None:
    # A cog looked up by name is typed Any: what is shared is a typed attribute of the bot.
    assert "get_cog(" not in path.read_text(encoding="utf-8")


def bot_attributes_set(tree: ast.AST) -> list[str]:
    """The attributes of a bot (``bot.x`` or ``self.bot.x``) that assignments in ``tree`` set."""
    targets: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets.extend(node.targets)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets.append(node.target)
    return [
        ast.unparse(target)
        for target in targets
        if isinstance(target, ast.Attribute)
        and (
            (isinstance(target.value, ast.Name) and target.value.id == "bot")
            or (isinstance(target.value, ast.Attribute) and target.value.attr == "bot")
        )
    ]


@pytest.mark.parametrize("path", python_files("bot/cogs"), ids=lambda p: p.name)
def test_no_cog_sets_attributes_on_the_bot(path: Path) -> None:
    # What the bot holds it is handed or builds itself (bot.poster, bot.plans), typed and
    # there whether or not a cog is loaded: a cog never hangs itself or anything else on it.
    assert bot_attributes_set(ast.parse(path.read_text(encoding="utf-8"))) == []
