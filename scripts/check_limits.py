"""The structural limits of docs/architecture.md, measured from the code's own syntax trees.

Prints one line per breach and exits 1 when there is any:

- a module of ``portal``, ``operations``, ``rights`` or ``exporters`` over 400 lines;
- a view function (decorated with a blueprint's ``route``/``get``/``post``/...) over 25 lines;
- an import of a project module inside a function body without a comment saying why
  (on the import's line or the line above);
- an import cycle between project modules (module-level imports, ``TYPE_CHECKING`` blocks
  left out);
- ``rights`` or ``exporters`` importing ``flask`` or a layer above them, ``exporters``
  importing ``rights``, or ``operations`` importing ``flask``/``portal``;
- a test hook (``fail_after``) in product code.

Run: ``python scripts/check_limits.py`` (``tests/test_limits.py`` runs it in the suite).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "operations", "rights", "exporters")
MAX_MODULE_LINES = 400
MAX_VIEW_LINES = 25
ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "patch", "delete"})
# What each layer must not import (the first dotted part of the imported module).
_FLASK = frozenset({"flask", "flask_login", "flask_babel", "flask_wtf", "werkzeug"})
FORBIDDEN: dict[str, frozenset[str]] = {
    "rights": _FLASK | {"portal", "operations", "exporters"},
    "exporters": _FLASK | {"portal", "operations", "rights"},
    "operations": _FLASK | {"portal"},
}
TEST_HOOKS = ("fail_after",)


def modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts).removesuffix(".__init__")
            yield name, path


def _resolve(module: str, node: ast.ImportFrom | ast.Import, alias: ast.alias) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name]
    base = node.module or ""
    if node.level:
        package = module.split(".")
        if not module_is_package.get(module, False):
            package = package[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    return [f"{base}.{alias.name}", base]


module_is_package: dict[str, bool] = {}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    stack: list[ast.stmt] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            stack.extend(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            stack.extend(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                stack.extend(handler.body)


def _function_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    seen: set[int] = set()
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(func):
                if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in seen:
                    seen.add(id(node))
                    yield node


def _is_view(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in func.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in ROUTE_DECORATORS:
            return True
    return False


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))  # the depth-first walk recurses per module
    try:
        for node in sorted(graph):
            if node not in index:
                visit(node)
    finally:
        sys.setrecursionlimit(limit)  # a test that runs this in-process gets its own back
    return found


def check() -> list[str]:
    problems: list[str] = []
    trees: dict[str, tuple[Path, ast.Module, list[str]]] = {}
    for name, path in modules():
        module_is_package[name] = path.name == "__init__.py"
        source = path.read_text(encoding="utf-8")
        trees[name] = (path, ast.parse(source), source.splitlines())
    graph: dict[str, set[str]] = {name: set() for name in trees}
    for name, (path, tree, lines) in trees.items():
        rel = path.relative_to(ROOT)
        layer = name.split(".")[0]
        if len(lines) > MAX_MODULE_LINES:
            problems.append(f"{rel}: {len(lines)} lines (limit {MAX_MODULE_LINES})")
        for hook in TEST_HOOKS:
            if any(hook in line for line in lines):
                problems.append(f"{rel}: test hook {hook!r} in product code")
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) and _is_view(func):
                length = (func.end_lineno or func.lineno) - func.lineno + 1
                if length > MAX_VIEW_LINES:
                    problems.append(
                        f"{rel}:{func.lineno}: view {func.name} is {length} lines"
                        f" (limit {MAX_VIEW_LINES})"
                    )
        for node in _function_imports(tree):
            for alias in node.names:
                target = _resolve(name, node, alias)[-1]
                if target.split(".")[0] not in PACKAGES:
                    continue
                here = lines[node.lineno - 1]
                above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
                if "#" not in here and not above.startswith("#"):
                    problems.append(
                        f"{rel}:{node.lineno}: import of {target} inside a function"
                        " without a comment saying why"
                    )
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for alias in node.names:
                    target = _resolve(name, node, alias)[-1]
                    if target.split(".")[0] in FORBIDDEN.get(layer, frozenset()):
                        problems.append(f"{rel}:{node.lineno}: {layer} imports {target}")
        for node in _top_level_imports(tree):
            for alias in node.names:
                for candidate in _resolve(name, node, alias):
                    if candidate in trees and candidate != name:
                        graph[name].add(candidate)
                        break
    for cycle in _cycles(graph):
        problems.append("import cycle: " + " <-> ".join(cycle))
    return problems


def main() -> int:
    problems = check()
    for line in problems:
        print(line)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
