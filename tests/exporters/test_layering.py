"""exporters is Flask-free: it imports nothing from flask or portal, and from the domain only
rights.errors (docs/architecture.md, "Four layers")."""

import ast
import subprocess
import sys
from pathlib import Path

import exporters
from exporters.i18n import TEXTS

PACKAGE = Path(exporters.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_source_imports_no_flask_portal_or_rights_models() -> None:
    for path in PACKAGE.rglob("*.py"):
        for name in imported_modules(path):
            root = name.split(".")[0]
            assert root not in {"flask", "portal", "flask_babel", "sqlalchemy"}, (path, name)
            if root == "rights":
                assert name == "rights.errors", (path, name)


def test_importing_exporters_loads_no_flask() -> None:
    code = (
        "import sys, exporters.package; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'portal', 'sqlalchemy')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PACKAGE.parent)


def test_every_text_exists_in_dutch_and_english() -> None:
    for key, texts in TEXTS.items():
        assert set(texts) == {"nl", "en"}, key
        assert all(texts.values()), key


def test_package_data_is_shipped() -> None:
    assert (PACKAGE / "schema" / "package.schema.json").is_file()
    assert (PACKAGE / "templates" / "summary.html").is_file()
