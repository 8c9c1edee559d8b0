"""docs/architecture.md, "Four layers": imports run downward only; the domain and the
exporters are Flask-free."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _modules(package: str) -> list[str]:
    return sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / package).rglob("*.py")
    )


def test_rights_and_exporters_import_without_flask():
    modules = _modules("rights") + _modules("exporters")
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'portal', 'werkzeug', 'flask_login'))\n"
        "assert not bad, bad\n"
        "print(len(sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert len(modules) > 10


def test_exporters_are_a_leaf():
    """``exporters`` imports no other project package (not even the domain's errors)."""
    for path in (ROOT / "exporters").rglob("*.py"):
        text = path.read_text()
        for other in ("portal", "rights", "operations", "flask"):
            assert f"from {other}" not in text and f"import {other}" not in text, (path, other)


def test_operations_import_without_flask():
    modules = _modules("operations")
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'portal', 'werkzeug', 'flask_login', 'flask_babel'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert modules
