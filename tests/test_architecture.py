"""The architecture as checks: the layers of DESIGN.md "Architecture", no import cycle, no private name
taken from another module.

The layers are an import-linter contract in ``pyproject.toml``; this file runs it, and adds over the
source's AST the two rules import-linter cannot express.  Every import counts, wherever it is written
(a function body, an ``if TYPE_CHECKING`` block): an import deferred to call time is still an arrow
between two modules.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kpicore", "workbook_templates", "ritual_decks", "addin")


@dataclass(frozen=True)
class Imported:
    """One name a module takes from another: ``from target import name`` or ``target.name``."""

    module: str
    line: int
    target: str
    name: str | None  # None for a plain ``import target``


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules_under(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            found[module_name(path, root)] = path
    return found


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path) -> list[Imported]:
    """Every import of a module, with the names it takes, and ``alias._name`` uses of an imported module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Imported] = []
    module_aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Imported(module, node.lineno, alias.name, None))
                if alias.asname:
                    module_aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, path.name == "__init__.py", node)
            for alias in node.names:
                found.append(Imported(module, node.lineno, target, alias.name))
                module_aliases[alias.asname or alias.name] = f"{target}.{alias.name}"
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in module_aliases and node.attr.startswith("_")
                and not node.attr.startswith("__")):
            found.append(Imported(module, node.lineno, module_aliases[node.value.id], node.attr))
    return found


def dependency_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the project modules it imports (``from pkg import sub`` is an arrow to ``pkg.sub``)."""
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        for imp in imports_of(module, path):
            if imp.name and f"{imp.target}.{imp.name}" in modules:
                graph[module].add(f"{imp.target}.{imp.name}")
            elif imp.target in modules:
                graph[module].add(imp.target)
    for module in graph:
        graph[module].discard(module)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def private_names_taken(scanned: dict[str, Path]) -> list[str]:
    """``from m import _x`` or ``m._x`` where ``m`` is another project module.

    A private module (``workbook_templates._rawzip``) is its package's own: importing it from inside
    the same package is allowed, from elsewhere it is not.
    """
    bad = []
    for module, path in scanned.items():
        for imp in imports_of(module, path):
            pieces = imp.target.split(".") + ([imp.name] if imp.name else [])
            if pieces[0] not in PACKAGES:
                continue
            for depth, piece in enumerate(pieces):
                if not piece.startswith("_") or piece.startswith("__"):
                    continue
                owner = ".".join(pieces[:depth])  # the package or module the private name belongs to
                if module != owner and not module.startswith(owner + "."):
                    bad.append(f"{path.relative_to(ROOT)}:{imp.line}: {'.'.join(pieces[:depth + 1])}")
                break
    return bad


# --- the checkers, checked on small made-up trees ---------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return {module_name(p, tmp_path): p for p in sorted(tmp_path.rglob("*.py"))}


def test_a_cycle_through_a_deferred_import_is_found(tmp_path):
    modules = _tree(tmp_path, {
        "kpicore/__init__.py": "",
        "kpicore/a.py": "from kpicore.b import f\n",
        "kpicore/b.py": "def f():\n    from kpicore import a\n",
        "kpicore/c.py": "import kpicore.a\n",
    })
    assert cycles(dependency_graph(modules)) == [["kpicore.a", "kpicore.b"]]


def test_relative_imports_resolve_like_absolute_ones(tmp_path):
    modules = _tree(tmp_path, {
        "kpicore/__init__.py": "",
        "kpicore/sub/__init__.py": "from . import x\n",
        "kpicore/sub/x.py": "from ..sub import y\n",
        "kpicore/sub/y.py": "from .x import g\n",
    })
    graph = dependency_graph(modules)
    assert graph["kpicore.sub"] == {"kpicore.sub.x"}
    assert graph["kpicore.sub.x"] == {"kpicore.sub.y"}
    assert cycles(graph) == [["kpicore.sub.x", "kpicore.sub.y"]]


def test_private_names_across_modules_are_found_and_a_package_may_use_its_private_modules(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    modules = _tree(tmp_path, {
        "kpicore/__init__.py": "",
        "kpicore/a.py": "from kpicore.b import _hidden, shown\n",
        "kpicore/b.py": "_hidden = 1\nshown = 2\n",
        "kpicore/c.py": "from kpicore import b\nvalue = b._hidden + b.shown\n",
        "workbook_templates/__init__.py": "",
        "workbook_templates/_zip.py": "def read():\n    pass\n",
        "workbook_templates/reading.py": "from workbook_templates._zip import read\n",
        "addin/__init__.py": "",
        "addin/x.py": "from workbook_templates._zip import read\n",
    })
    assert sorted(private_names_taken(modules)) == [
        "addin/x.py:1: workbook_templates._zip",
        "kpicore/a.py:1: kpicore.b._hidden",
        "kpicore/c.py:2: kpicore.b._hidden",
    ]


# --- the rules, on the project ----------------------------------------------------------------------


def test_no_import_cycle_in_the_product():
    found = cycles(dependency_graph(modules_under(ROOT)))
    assert not found, "cycles d'import : " + "; ".join(" ↔ ".join(c) for c in found)


def test_no_private_name_is_taken_from_another_module():
    product = modules_under(ROOT)
    scanned = product | {module_name(p, ROOT): p for p in sorted((ROOT / "tests").rglob("*.py"))}
    scanned |= {module_name(p, ROOT): p for p in sorted((ROOT / "bench").glob("*.py"))}
    found = private_names_taken(scanned)
    assert not found, "noms privés pris à un autre module :\n" + "\n".join(found)


def test_the_import_contracts_of_pyproject_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.fail("lint-imports (import-linter) manque : pip install -e '.[test]'")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
