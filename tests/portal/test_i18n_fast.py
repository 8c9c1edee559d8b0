"""The request's catalogue is looked up once per locale (portal/i18n.py): every page is the
same byte for byte as with Flask-Babel's own per-string look-ups, in both languages, and a
forced locale (mail in the recipient's language) still switches the catalogue."""

from __future__ import annotations

import re
from typing import Any

import flask_babel
from flask import Flask, render_template_string
from flask_babel import force_locale

from portal.i18n import FastDomain
from portal.tokens import make_token
from rights.models.org import OrganisationKind

VOLATILE = re.compile(r'(name="(?:csrf_token|form_key)"[^>]*value=")[^"]+"|(value=")[^"]{40,}"')
# Every look at the case page is on its timeline: the page grows by one entry per GET.
# Runs of entries with the same words are compared as one entry without its time.
VIEWS = re.compile(
    r"<li><time [^>]*>[^<]*</time>( · [^<]*)</li>(?:<li><time [^>]*>[^<]*</time>\1</li>)*"
)


# Each view adds a "case opened" event, so later fetches show them as one group: compared as
# the group's entries (which VIEWS has already folded into one).
# Views are folded into one line per officer with a count that grows with every fetch: the
# view lines are left out of the comparison (their words are tested in tests/workspace/).
OPENED = re.compile(r"<li><time [^>]*>[^<]*</time> · (?:Dossier|Case) [^<]*</li>")
GROUPS = re.compile(r"<li><details><summary>.*?</summary>\n<ol>(.*?)</ol></details></li>", re.S)


def _stock(app: Flask) -> None:
    """Back to Flask-Babel's own domain and template callables."""
    babel = app.extensions["babel"].instance
    babel.__dict__.pop("domain_instance", None)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: flask_babel.get_translations().ugettext(s),
        ngettext=lambda s, p, n: flask_babel.get_translations().ungettext(s, p, n),
        newstyle=True,
    )


def _pages(client: Any, paths: list[str]) -> list[str]:
    out = []
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        page = OPENED.sub("", VOLATILE.sub(r"\1\2X", response.get_data(as_text=True)))
        out.append(GROUPS.sub(r"\1", VIEWS.sub(r"<li>\1</li>", page)))
    return out


def test_pages_are_identical_to_flask_babels_own_lookups(
    app: Flask, client: Any, make_org: Any, make_user: Any, make_request: Any, login: Any
) -> None:
    make_org(OrganisationKind.OPERATOR, slug="operator", name="Operator")
    req = make_request()
    login(make_user())
    with app.test_request_context():
        status = "/status/" + make_token("status", {"r": req.id})
    paths = [
        "/request/form?org=operator&right=access&right=erasure",
        "/staff/",
        f"/staff/requests/{req.reference}",
        status,
    ]
    assert isinstance(app.extensions["babel"].instance.domain_instance, FastDomain)
    ours = {"nl": _pages(client, paths)}
    client.get("/lang/en")
    ours["en"] = _pages(client, paths)
    _stock(app)
    assert not isinstance(app.extensions["babel"].instance.domain_instance, FastDomain)
    stock = {"en": _pages(client, paths)}
    client.get("/lang/nl")
    stock["nl"] = _pages(client, paths)
    assert ours["nl"] == stock["nl"]
    assert ours["en"] == stock["en"]
    assert ours["nl"] != ours["en"]


def test_a_forced_locale_inside_a_request_switches_and_switches_back(app: Flask) -> None:
    template = "{{ _('Your request') }}|{{ ngettext('%(num)d day', '%(num)d days', 2) }}"
    with app.test_request_context():
        nl = render_template_string(template)
        with force_locale("en"):
            en = render_template_string(template)
            assert flask_babel.gettext("Your request") == "Your request"
        assert render_template_string(template) == nl
        assert flask_babel.gettext("Your request") == nl.split("|")[0]
    assert en.startswith("Your request|") and not nl.startswith("Your request|")


def test_cached_date_formatting_gives_what_babel_gives(app: Flask) -> None:
    """``local_dt`` and ``day`` remember Babel's answer per value, pattern, locale and time
    zone: around both DST changes, in both languages, twice (the second time cached)."""
    from datetime import UTC, datetime, timedelta

    from flask_babel import format_date, format_datetime

    from portal.views import _day, _local
    from rights.deadlines import AMSTERDAM

    start = datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    instants = [start + timedelta(minutes=20 * i) for i in range(12)]
    instants += [datetime(2026, 10, 25, 0, 30, tzinfo=UTC) + timedelta(hours=i) for i in range(3)]
    for lang in ("nl", "en", "nl"):
        with app.test_request_context(), force_locale(lang):
            for value in instants:
                for fmt in ("d MMM yyyy HH:mm", "HH:mm", "EEEE d MMMM yyyy 'om' HH:mm"):
                    local = value.astimezone(AMSTERDAM)
                    expected = f"{format_datetime(local, fmt)} {local.tzname()}"  # zone named
                    assert _local(value, fmt) == expected
                    assert _local(value, fmt) == expected
                day = value.date()
                assert _day(day) == format_date(day, "EEE d MMM yyyy")
                assert _day(day, "d MMMM") == format_date(day, "d MMMM")
    assert _local(None) == "" and _day(None) == ""


def test_the_templates_gettext_gives_what_jinjas_own_gives(app: Flask) -> None:
    """``_`` in templates keeps a constant string's finished text per catalogue: the same
    text as Jinja's new-style gettext in both languages (a literal ``%%``, escaped
    variables, a forced locale), the first time and again."""
    template = (
        "{{ _('Your request') }}|{{ _('100%% sure') }}|{{ _('Hello %(name)s', name=who) }}"
        "|{% autoescape false %}{{ _('Your request') }}{% endautoescape %}"
    )
    who = "<b>Eva</b>"

    def render() -> list[str]:
        out = []
        with app.test_request_context():
            for lang in ("nl", "en", "nl"):
                with force_locale(lang):
                    out += [render_template_string(template, who=who) for _ in range(2)]
        return out

    ours = render()
    assert "&lt;b&gt;Eva&lt;/b&gt;" in ours[0] and "100% sure" in ours[0]
    assert ours[0] != ours[2]  # Dutch, then English
    _stock(app)
    assert render() == ours


def test_current_locale_is_flask_babels_locale(app) -> None:
    """portal.i18n.current_locale reads the locale where Flask-Babel keeps it: the same as
    get_locale() before and after it is resolved, under force_locale and after refresh."""
    from flask import session
    from flask_babel import force_locale, get_locale, refresh

    from portal.i18n import current_locale

    assert current_locale() is None  # outside a request, as get_locale()
    with app.test_request_context("/"):
        first = current_locale()  # not resolved yet: Flask-Babel resolves it
        assert str(first) == "nl" and current_locale() is get_locale()
        with force_locale("en"):
            assert str(current_locale()) == "en" == str(get_locale())
        assert current_locale() is get_locale()
        session["lang"] = "en"
        refresh()
        assert str(current_locale()) == "en" == str(get_locale())
