"""One formula escaper (``exporters.escaping``) for every CSV and XLSX the product writes:
a module that writes a spreadsheet imports it, and no other module spells out the trigger
characters itself."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("portal", "operations", "rights", "exporters")
WRITERS = re.compile(r"csv\.(writer|DictWriter)\(|\bWorkbook\(")
OWN_TRIGGERS = re.compile(r"""["']=["']\s*,\s*["'][@+\-]["']""")


def _product_files() -> list[Path]:
    return [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]


def test_every_spreadsheet_writer_uses_the_one_escaper():
    writers = [p for p in _product_files() if WRITERS.search(p.read_text())]
    assert writers, "no CSV or XLSX writer found"
    for path in writers:
        assert "from exporters.escaping import" in path.read_text(), path


def test_no_second_escaper():
    own = [
        p.relative_to(ROOT)
        for p in _product_files()
        if p.name != "escaping.py" and OWN_TRIGGERS.search(p.read_text())
    ]
    assert own == []
