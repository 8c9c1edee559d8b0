"""The structural limits of docs/architecture.md hold: module and view sizes, no function-body
imports without a reason, no import cycle, the layers, no test hooks in product code."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _checker():
    spec = importlib.util.spec_from_file_location(
        "check_limits", ROOT / "scripts" / "check_limits.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_limits"] = module
    spec.loader.exec_module(module)
    return module


def test_the_code_keeps_its_structural_limits():
    assert _checker().check() == []


def test_the_checker_finds_what_it_looks_for(tmp_path, monkeypatch):
    """A module too long, a long view, an unexplained inner import and a cycle are found."""
    checker = _checker()
    package = tmp_path / "portal"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from portal import b\n" + "x = 1\n" * 401)
    body = "\n".join(f"    y{i} = {i}" for i in range(30))
    (package / "b.py").write_text(
        "from portal import a\n\n@bp.get('/')\ndef view():\n"
        + body
        + "\n\ndef f():\n    from portal import a\n    fail_after = 1\n"
    )
    monkeypatch.setattr(checker, "ROOT", tmp_path)
    monkeypatch.setattr(checker, "PACKAGES", ("portal",))
    found = "\n".join(checker.check())
    assert "portal/a.py: 402 lines" in found
    assert "view view is" in found
    assert "inside a function without a comment" in found
    assert "import cycle: portal.a <-> portal.b" in found
    assert "test hook 'fail_after'" in found
