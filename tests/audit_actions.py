"""Every audit action the code can record, found in the syntax trees (no import, no run).

A call ``audit.record(session, ACTION, ...)`` or ``record(session, ACTION, ...)`` names its
action as its second argument. That argument is a string, a conditional between strings, a
module constant, or a parameter of a small wrapper (``_audit(session, package, "package.x",
...)``); a wrapper's callers are followed the same way, so an action handed through one or
two helpers is still found. docs/architecture.md, "Texts and labels".
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("rights", "operations", "portal")
ACTION = re.compile(r"[a-z][a-z_]*\.[a-z][a-z_]*")


@dataclass(frozen=True)
class _Wrapper:
    name: str  # the function's name
    module: Path | None  # where a private (``_name``) wrapper lives: only called there
    position: int  # the positional index of the action parameter
    keyword: str  # its name


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _constants(trees: list[tuple[Path, ast.Module]]) -> dict[str, set[str]]:
    """Module-level ``NAME = "text"`` and ``NAME = {key: "text", ...}`` assignments of every
    module (the names are unique enough): a name stands for its text or its dict's texts."""
    found: dict[str, set[str]] = {}
    for _, tree in trees:
        for node in tree.body:
            if not isinstance(node, ast.Assign):
                continue
            value = node.value
            texts: set[str] = set()
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                texts = {value.value}
            elif isinstance(value, ast.Dict):
                texts = {
                    v.value
                    for v in value.values
                    if isinstance(v, ast.Constant) and isinstance(v.value, str)
                }
            for target in node.targets:
                if isinstance(target, ast.Name) and texts:
                    found[target.id] = texts
    return found


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        if func.attr == "record" and not (
            isinstance(func.value, ast.Name) and func.value.id == "audit"
        ):
            return None  # ``register.record(...)`` and the like record an incident, not an event
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _argument(call: ast.Call, wrapper: _Wrapper) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == wrapper.keyword:
            return kw.value
    if len(call.args) > wrapper.position and not any(
        isinstance(a, ast.Starred) for a in call.args[: wrapper.position + 1]
    ):
        return call.args[wrapper.position]
    return None


def _strings(node: ast.expr, constants: dict[str, set[str]]) -> tuple[set[str], str | None]:
    """The strings an argument can be, and the parameter name it hands on (if any); the
    name ``"?"`` when it cannot be known from the text of the code."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}, None
    if isinstance(node, ast.IfExp):
        body, p1 = _strings(node.body, constants)
        other, p2 = _strings(node.orelse, constants)
        return body | other, p1 or p2
    if isinstance(node, ast.Name):
        if node.id in constants:
            return set(constants[node.id]), None
        return set(), node.id
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id in constants
    ):
        return set(constants[node.value.id]), None
    if isinstance(node, ast.FormattedValue):
        return _strings(node.value, constants)
    if isinstance(node, ast.JoinedStr):
        combined = {""}
        for part in node.values:
            texts, _ = _strings(part, constants)
            if not texts:
                return set(), "?"
            combined = {a + b for a in combined for b in texts}
        return combined, None
    return set(), "?"


def _enclosing_params(tree: ast.Module) -> dict[ast.Call, ast.FunctionDef]:
    owner: dict[ast.Call, ast.FunctionDef] = {}
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef):
            for node in ast.walk(func):
                if isinstance(node, ast.Call):
                    owner.setdefault(node, func)
    return owner


def audit_actions() -> tuple[dict[str, str], list[str]]:
    """Each action found, with the first place (``path:line``) that records it, and the
    places whose action cannot be read from the code (there should be none)."""
    trees = list(_modules())
    constants = _constants(trees)
    pending = [_Wrapper("record", None, 1, "action")]
    seen: set[_Wrapper] = set()
    actions: dict[str, str] = {}
    unknown: list[str] = []
    while pending:
        wrapper = pending.pop()
        if wrapper in seen:
            continue
        seen.add(wrapper)
        for path, tree in trees:
            owners = _enclosing_params(tree)
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or _called_name(node) != wrapper.name:
                    continue
                if wrapper.module is not None and wrapper.module != path:
                    continue
                arg = _argument(node, wrapper)
                if arg is None:
                    continue
                strings, param = _strings(arg, constants)
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                for action in strings:
                    if ACTION.fullmatch(action):
                        actions.setdefault(action, where)
                func = owners.get(node)
                if param == "?":
                    unknown.append(where)
                if param and func is not None:
                    names = [a.arg for a in func.args.posonlyargs + func.args.args]
                    names += [a.arg for a in func.args.kwonlyargs]
                    if param in names:
                        index = names.index(param)
                        positional = index < len(func.args.posonlyargs + func.args.args)
                        module = path if func.name.startswith("_") else None
                        position = index if positional else 99
                        pending.append(_Wrapper(func.name, module, position, param))
                    else:
                        unknown.append(where)
    return actions, unknown
