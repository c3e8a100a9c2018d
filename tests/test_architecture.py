"""The dependency rule: dialogs/ is pure, storage/ doesn't know the bot."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "dialogs": {"telegram", "sqlalchemy", "alembic", "storage", "bot", "httpx", "asyncpg"},
    "storage": {"telegram", "bot", "httpx"},
}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_packages_import_only_what_the_architecture_allows(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    leaks = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[package])
        for path in files
        if imported_roots(path) & FORBIDDEN[package]
    }
    assert leaks == {}


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    leaky = tmp_path / "leaky.py"
    leaky.write_text("from telegram import Bot\nimport sqlalchemy.orm\n")
    assert imported_roots(leaky) >= {"telegram", "sqlalchemy"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The package's own modules a file imports, under TYPE_CHECKING too (a cycle hidden
    there is still a cycle in the design)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        found |= {name for name in names if name in known}
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """Returns one import cycle as a path of module names, or [] when there is none."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str]:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return []
        path.append(module)
        for target in sorted(graph[module]):
            if cycle := visit(target):
                return cycle
        path.pop()
        done.add(module)
        return []

    for module in sorted(graph):
        if cycle := visit(module):
            return cycle
    return []


def import_graph(package: str) -> dict[str, set[str]]:
    files = {module_name(p): p for p in sorted((ROOT / package).rglob("*.py"))}
    known = set(files)
    graph = {name: imported_modules(path, known) - {name} for name, path in files.items()}
    # A package imports its own submodules from __init__; that is not a cycle.
    return {
        name: {t for t in targets if not name.startswith(f"{t}.")}
        for name, targets in graph.items()
    }


def test_dialogs_has_no_import_cycle() -> None:
    assert find_cycle(import_graph("dialogs")) == []


def test_the_cycle_finder_sees_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
