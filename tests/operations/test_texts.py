"""The plain Jinja2 + Babel environment of ``operations.texts``: the project's catalogue per
language, Flask's autoescape rule, the page filters; and the Art. 15(1) texts of the request
record in both languages."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from jinja2 import Template

from operations.texts import gettext, language_of, ngettext, texts
from rights.righttypes import RightType

ROOT = Path(__file__).resolve().parents[2]


def test_gettext_per_language_with_variables():
    assert gettext("nl", "Right") == "Recht" and gettext("en", "Right") == "Right"
    age = "From %(age)s, the child decides: add the child's signed mandate."
    assert "16" in gettext("nl", age, age=16) and gettext("nl", age, age=16) != age % {"age": 16}
    assert ngettext("en", "%(num)s file", "%(num)s files", 2) == "2 files"
    assert language_of("de") == "nl" and texts("xx") is texts("nl")


def test_templates_escape_html_but_not_text():
    env = texts("nl").env
    assert env.autoescape("letter.html") and not env.autoescape("answer.txt")  # type: ignore[operator]
    html = env.from_string("{{ v }}")
    assert isinstance(html, Template)
    rendered = env.get_template("letters/answer.txt").render(
        r=_Request(), outcome="fulfilled", grounds=[], reasons="<b>&</b>", manifestly=None,
        ground_label=str, article="Art. 15", erasure=_Nothing(), operator_name="Mailhuis",
        facts=_Facts(), details=None, withheld=False, scope=[], remedy=False,
    )  # fmt: skip
    assert "<b>&</b>" in rendered and "&lt;" not in rendered
    assert rendered.startswith("Beste Eva,") or rendered.startswith("Geachte Eva,")
    assert "Mailhuis" in rendered and "5 mrt 2026" in rendered


def test_day_and_time_filters_follow_the_language():
    nl, en = texts("nl"), texts("en")
    assert (
        nl.day(date(2026, 3, 5)) == "do 5 mrt 2026" and en.day(date(2026, 3, 5)) == "Thu 5 Mar 2026"
    )
    # With a clock time the zone is named, as on the pages (issue 14).
    assert nl.local_dt(datetime(2026, 3, 5, 9, 0, tzinfo=UTC)) == "5 mrt 2026 10:00 CET"
    assert en.local_dt(datetime(2026, 7, 5, 9, 0, tzinfo=UTC)) == "5 Jul 2026 11:00 CEST"
    assert nl.local_dt(datetime(2026, 3, 5, 9, 0, tzinfo=UTC), "d MMMM yyyy") == "5 maart 2026"


def test_texts_load_without_flask():
    code = (
        "import sys, operations.texts as t\n"
        "t.texts('nl').gettext('Right')\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('flask', 'flask_babel')]\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


class _Request:
    right = RightType.ACCESS
    requester_name = "Eva"
    reference = "AVG-TEST-0001"
    receipt_date = date(2026, 3, 5)


class _Facts:
    """operations.letter_facts.LetterFacts: nothing searched, no package."""

    searched: tuple[str, ...] = ()
    found: tuple[str, ...] = ()
    package = None
    files: tuple[str, ...] = ()


class _Nothing:
    erased: list[object] = []
    kept: list[object] = []
    backups: list[object] = []
