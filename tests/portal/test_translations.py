"""Every text in the interface has a Dutch translation, and the compiled catalogue is the
one in the repository (so a fresh install shows Dutch without a build step)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
NL = ROOT / "portal" / "translations" / "nl" / "LC_MESSAGES"


def test_every_message_has_a_dutch_translation():
    with (NL / "messages.po").open("rb") as f:
        catalog = read_po(f)
    missing = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == [] and fuzzy == []


def test_every_message_in_the_code_is_in_the_catalogue():
    with (ROOT / "portal" / "translations" / "messages.pot").open("rb") as f:
        template = read_po(f)
    with (NL / "messages.po").open("rb") as f:
        catalog = read_po(f)
    assert {m.id for m in template if m.id} <= {m.id for m in catalog if m.id}


def _key(value):  # a plural message is a tuple in the po reader, a list in the mo reader
    return tuple(value) if isinstance(value, list | tuple) else value


def test_compiled_catalogue_matches_the_po_file():
    with (NL / "messages.po").open("rb") as f:
        po = {_key(m.id): _key(m.string) for m in read_po(f) if m.id}
    with (NL / "messages.mo").open("rb") as f:
        mo = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
    assert po == mo


def test_pot_is_up_to_date_with_the_code(tmp_path):
    from babel.messages.frontend import CommandLineInterface

    out = tmp_path / "fresh.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "--sort-output",
            "--ignore-dirs=.venv .git instance node_modules",
            "-o",
            str(out),
            str(ROOT),
        ]
    )
    with out.open("rb") as f:
        fresh = {m.id for m in read_po(f) if m.id}
    with (ROOT / "portal" / "translations" / "messages.pot").open("rb") as f:
        committed = {m.id for m in read_po(f) if m.id}
    assert fresh == committed, "run `make translations-update`"
