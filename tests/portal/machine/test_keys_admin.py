"""The admin organisation page's machine-API parts (docs/api.md, "Keys", "Callbacks"): the
callback allow-list, API keys made (shown once) and revoked (after a confirmation), and the
``dsr-portal api-key`` commands; every action audited."""

from __future__ import annotations

import re

from sqlalchemy import select

from rights.models.api import ApiKey
from rights.models.audit import AuditEvent
from rights.models.org import Role
from rights.opendsr.keys import authenticate
from tests.helpers import csrf_token
from tests.portal.test_organisations_admin import TERMS


def _events(db_session, action):
    db_session.expire_all()
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _terms(client, org, allowlist):
    page = client.get(f"/admin/organisations/{org.id}")
    data = {**TERMS, "callback_allowlist": allowlist, "csrf_token": csrf_token(page)}
    return client.post(f"/admin/organisations/{org.id}/terms", data=data)


def test_the_callback_allow_list_is_set_normalised_and_audited(
    client, login, make_user, make_org, db_session
):
    org = make_org(name="Bakkerij Jansen")
    login(make_user(Role.ADMIN))
    resp = _terms(client, org, "https://CRM.bakkerij.example:443/\r\n\r\nhttps://cb.example:8443")
    assert resp.status_code == 302
    db_session.expire_all()
    assert org.callback_allowlist == ["https://crm.bakkerij.example", "https://cb.example:8443"]
    (event,) = _events(db_session, "organisation.terms_changed")
    assert "callback_allowlist" in event.data["fields"]
    page = client.get(f"/admin/organisations/{org.id}").get_data(as_text=True)
    assert "https://crm.bakkerij.example\nhttps://cb.example:8443" in page


def test_a_bad_origin_is_refused_with_its_line_number(
    client, login, make_user, make_org, db_session
):
    org = make_org(name="Bakkerij Jansen")
    login(make_user(Role.ADMIN))
    # A host with a space or without a name (urlsplit takes both) can never be a callback's.
    bad_lines = (
        "http://crm.example",
        "https://crm.example/pad",
        "geen adres",
        "https://crm example",
    )
    for bad in (*bad_lines, "https://.", "https://crm..example"):
        resp = _terms(client, org, f"https://ok.example\r\n{bad}")
        assert resp.status_code == 422, bad
        assert "Regel 2: " in resp.get_data(as_text=True), bad
    client.get("/lang/en")
    resp = _terms(client, org, "ftp://x.example")
    assert "Line 1: write an address like https://crm.example.nl" in resp.get_data(as_text=True)
    db_session.expire_all()
    assert org.callback_allowlist == []
    assert _events(db_session, "organisation.terms_changed") == []


def test_an_admin_makes_a_key_that_is_shown_once_and_revokes_it(
    client, login, make_user, make_org, db_session, now
):
    org = make_org(name="Bakkerij Jansen")
    login(make_user(Role.ADMIN))
    page = client.get(f"/admin/organisations/{org.id}")
    html = page.get_data(as_text=True)
    assert "heeft nog geen API-sleutels" in html and html.count('id="keys-title"') == 1
    assert "API" not in html.split("</title>")[0]  # the section is in the page, not its title
    resp = client.post(
        f"/admin/organisations/{org.id}/keys",
        data={"label": "CRM", "csrf_token": csrf_token(page)},
    )
    assert resp.status_code == 201 and resp.headers["Cache-Control"] == "no-store"
    secret = re.search(r'<code id="api-key">([^<]+)</code>', resp.get_data(as_text=True))[1]
    db_session.expire_all()
    (key,) = db_session.scalars(select(ApiKey).where(ApiKey.organisation_id == org.id))
    assert authenticate(db_session, secret, now=now) is not None
    listing = client.get(f"/admin/organisations/{org.id}").get_data(as_text=True)
    assert secret not in listing and key.prefix in listing and "in gebruik" in listing
    assert "nooit" in listing  # not used yet (the test session's use is not committed)
    db_session.rollback()

    confirm = client.get(f"/admin/organisations/{org.id}/keys/{key.id}/confirm-revoke")
    assert confirm.status_code == 200 and key.prefix in confirm.get_data(as_text=True)
    assert (
        client.post(f"/admin/organisations/{org.id}/keys/{key.id}/revoke").status_code == 400
    )  # no CSRF token: nothing revoked
    resp = client.post(
        f"/admin/organisations/{org.id}/keys/{key.id}/revoke",
        data={"csrf_token": csrf_token(confirm)},
    )
    assert resp.status_code == 302
    db_session.expire_all()
    assert authenticate(db_session, secret, now=now) is None
    listing = client.get(f"/admin/organisations/{org.id}").get_data(as_text=True)
    assert "ingetrokken op" in listing
    assert len(_events(db_session, "api.key_created")) == 1
    assert len(_events(db_session, "api.key_revoked")) == 1


def test_keys_of_another_organisation_are_404(client, login, make_user, make_org, db_session):
    org, other = make_org(), make_org()
    login(make_user(Role.ADMIN))
    page = client.get(f"/admin/organisations/{other.id}")
    client.post(f"/admin/organisations/{other.id}/keys", data={"csrf_token": csrf_token(page)})
    db_session.expire_all()
    (key,) = db_session.scalars(select(ApiKey).where(ApiKey.organisation_id == other.id))
    assert (
        client.get(f"/admin/organisations/{org.id}/keys/{key.id}/confirm-revoke").status_code == 404
    )
    assert (
        client.get(f"/admin/organisations/{org.id}/keys/99999999/confirm-revoke").status_code == 404
    )


def test_only_admins_make_keys(client, login, make_user, make_org):
    org = make_org()
    login(make_user(Role.OFFICER))
    page = client.get("/staff/")
    resp = client.post(f"/admin/organisations/{org.id}/keys", data={"csrf_token": csrf_token(page)})
    assert resp.status_code in (403, 404)


def test_api_key_commands(app, db_session, make_org, now):
    make_org(slug="bakkerij-jansen")
    db_session.commit()
    runner = app.test_cli_runner()
    made = runner.invoke(
        args=["api-key", "create", "--organisation", "bakkerij-jansen", "--label", "CRM"]
    )
    assert made.exit_code == 0, made.output
    secret = made.output.splitlines()[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)
    db_session.expire_all()
    assert authenticate(db_session, secret, now=now) is not None
    db_session.rollback()
    revoked = runner.invoke(
        args=["api-key", "revoke", "--organisation", "bakkerij-jansen", "--prefix", secret[:8]]
    )
    assert revoked.exit_code == 0 and "revoked 1 key" in revoked.output
    db_session.expire_all()
    assert authenticate(db_session, secret, now=now) is None
    again = runner.invoke(
        args=["api-key", "revoke", "--organisation", "bakkerij-jansen", "--prefix", secret[:8]]
    )
    assert again.exit_code == 2 and "has no live key" in again.output
    short = runner.invoke(
        args=["api-key", "revoke", "--organisation", "bakkerij-jansen", "--prefix", "abc"]
    )
    assert short.exit_code == 2 and "first 8 characters" in short.output
    nobody = runner.invoke(args=["api-key", "create", "--organisation", "nobody"])
    assert nobody.exit_code == 2 and "no organisation nobody" in nobody.output
