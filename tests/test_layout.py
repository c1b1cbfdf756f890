"""The package layout: imports point down the layers of README's "Layout", and never in a cycle.

Checked with `ast` over every module of bot/ and handlers/, function-level and TYPE_CHECKING
imports included: a dependency hidden inside a function is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FOUNDATION = {
    "bot.config",
    "bot.models",
    "bot.logs",
    "bot.backoff",
    "bot.memo",
    "bot.text",
    "bot.i18n",
}
ENGINES = FOUNDATION | {
    "bot.archive",
    "bot.pg",
    "bot.search",
    "bot.summarize",
    "bot.render",
    "bot.briefs",
}
SERVICES = ENGINES | {
    "bot.ingest",
    "bot.feeds",
    "bot.stories",
    "bot.digests",
    "bot.follows",
    "bot.services",
}
# Which layers each layer may import (besides itself). The wiring function loads the handler
# modules by name (importlib), the one place bot/ meets handlers/, so no import shows it.
ALLOWED: dict[str, set[str]] = {
    "bot.config": set(),
    "bot.models": set(),
    "bot.logs": set(),
    "bot.backoff": set(),
    "bot.memo": set(),
    "bot.text": {"bot.models"},
    "bot.i18n": set(),
    "bot.archive": FOUNDATION,
    "bot.pg": FOUNDATION | {"bot.archive"},
    "bot.render": FOUNDATION,
    "bot.summarize": FOUNDATION,
    "bot.briefs": FOUNDATION | {"bot.render", "bot.summarize"},
    "bot.search": FOUNDATION | {"bot.archive"},
    "bot.ingest": FOUNDATION | {"bot.archive"},
    "bot.stories": ENGINES,
    "bot.feeds": ENGINES | {"bot.ingest"},
    "bot.digests": ENGINES | {"bot.stories"},
    "bot.follows": ENGINES | {"bot.stories", "bot.digests"},
    "bot.services": SERVICES,
    "bot.tgserver": set(),
    "bot.app": SERVICES,
    # Handlers reach storage only through the services: never the store or the database.
    "handlers": (SERVICES - {"bot.archive", "bot.pg"}) | {"bot.app"},
    "bot.run": SERVICES | {"bot.app", "bot.tgserver"},
    "bot.cli": SERVICES | {"bot.app", "bot.run", "bot.tgserver"},
    "bot.__main__": {"bot.cli"},
    "bot": set(),
}


def module_name(path: Path) -> str:
    """Return the dotted module name of a file under the repository."""
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    """Return the layer a module belongs to: the longest key of ALLOWED that prefixes it."""
    candidates = [k for k in ALLOWED if module == k or module.startswith(k + ".")]
    return max(candidates, key=len)


def imports_of(path: Path, module: str | None = None) -> set[str]:
    """Return the project modules a file imports, resolving `from pkg import module`.

    Relative imports are resolved against `module` (by default the file's own name): a
    `from ..app import x` is as much a dependency as the absolute spelling.
    """
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module if node.level == 0 else _resolve(path, module, node)
            if base:
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)
    # `from bot import render` imports bot.render; the bare top-level package says nothing.
    return {name for name in found if name.split(".")[0] in {"bot", "handlers"}} - {
        "bot",
        "handlers",
    }


def _resolve(path: Path, module: str | None, node: ast.ImportFrom) -> str:
    """Return the absolute name a relative `from . import` points at."""
    name = module or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
    return ".".join([*parts, *([node.module] if node.module else [])])


def project_modules() -> dict[str, Path]:
    """Return every module of bot/ and handlers/ by name."""
    files = [*REPO.glob("bot/**/*.py"), *REPO.glob("handlers/**/*.py")]
    return {module_name(f): f for f in files}


def import_graph() -> dict[str, set[str]]:
    """Return module -> the project modules it imports (names that are modules only)."""
    modules = project_modules()
    return {name: {i for i in imports_of(path) if i in modules} for name, path in modules.items()}


def test_every_module_has_a_layer() -> None:
    missing = [m for m in project_modules() if not any(m.startswith(k) for k in ALLOWED)]
    assert missing == []


def test_imports_only_point_down() -> None:
    wrong = []
    for module, imported in import_graph().items():
        layer = layer_of(module)
        for target in imported:
            target_layer = layer_of(target)
            if target_layer != layer and target_layer not in ALLOWED[layer]:
                wrong.append(f"{module} -> {target}")
    assert sorted(wrong) == []


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, set()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    # A package's __init__ re-exporting its own modules is not a cycle between modules.
    graph = {
        m: {t for t in targets if not m.startswith(t + ".") and not t.startswith(m + ".")}
        for m, targets in import_graph().items()
    }
    assert cycles(graph) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ],
)
def test_cycle_finder_sees_a_cycle(graph: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert cycles(graph) == expected


def test_a_layer_violation_would_be_caught(tmp_path: Path) -> None:
    # The checker itself: the archive importing the Telegram application must be refused.
    source = tmp_path / "store.py"
    source.write_text("from bot.app.context import NewsContext\n")
    [target] = imports_of(source) - {"bot.app.context.NewsContext"}
    assert layer_of(target) not in ALLOWED[layer_of("bot.archive.store")]


def test_a_relative_import_is_checked_like_an_absolute_one(tmp_path: Path) -> None:
    source = tmp_path / "store.py"
    source.write_text("from ..app.context import NewsContext\nfrom . import dedup\n")
    found = imports_of(source, "bot.archive.store")
    assert {"bot.app.context", "bot.archive.dedup"} <= found
    assert layer_of("bot.app.context") not in ALLOWED[layer_of("bot.archive.store")]


def test_no_module_rebinds_a_global() -> None:
    # State has one owner: a `global` statement is module-level state changed from a function.
    found = [
        f"{path.relative_to(REPO)}:{node.lineno}"
        for path in project_modules().values()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Global)
    ]
    assert found == []


def test_few_modules_directly_under_bot_and_none_too_long() -> None:
    top = sorted(p.name for p in (REPO / "bot").glob("*.py"))
    assert len(top) <= 12, top
    long = [
        f"{p.relative_to(REPO)}: {n}"
        for p in [*REPO.glob("bot/**/*.py"), *REPO.glob("handlers/*.py")]
        if (n := len(p.read_text().splitlines())) > 300
    ]
    assert long == []
