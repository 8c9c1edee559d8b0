"""Password login, role gates, the staff queue and the controller's own list."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from rights.models.org import OrganisationKind, Role
from rights.models.request import Channel
from rights.passwords import hash_password, verify_password
from tests.helpers import csrf_token


def test_passwords_are_argon2id_and_exact():
    h = hash_password("lange unicode zin met é en 漢字 🙂")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "lange unicode zin met é en 漢字 🙂")
    assert not verify_password(h, "lange unicode zin met é en 漢字 🙂x")
    assert not verify_password(h, "lange unicode zin met é en 漢字 ")


def test_officer_logs_in_and_sees_queue_soonest_due_first(client, make_user, make_request, login):
    officer = make_user(Role.OFFICER)
    later = make_request(received_at=datetime(2026, 3, 20, tzinfo=UTC))
    sooner = make_request(received_at=datetime(2026, 3, 1, tzinfo=UTC))
    login(officer)
    html = client.get("/staff/").get_data(as_text=True)
    assert html.index(sooner.reference) < html.index(later.reference)


def test_wrong_password_gives_generic_error(client, make_user):
    officer = make_user(Role.OFFICER)
    page = client.get("/auth/login")
    resp = client.post(
        "/auth/login",
        data={"email": officer.email, "password": "wrong", "csrf_token": csrf_token(page)},
    )
    unknown = client.post(
        "/auth/login",
        data={"email": "nobody@example.org", "password": "wrong", "csrf_token": csrf_token(page)},
    )
    assert resp.status_code == unknown.status_code == 200
    # The CSRF token is signed with a timestamp, so it may differ between the two pages.
    assert _without_csrf(resp.get_data(as_text=True)) == _without_csrf(
        unknown.get_data(as_text=True).replace("nobody@example.org", officer.email)
    )


def _without_csrf(html: str) -> str:
    stripped = re.sub(r'name="csrf_token"[^>]*value="[^"]*"', 'name="csrf_token"', html)
    assert "csrf_token" in stripped
    return stripped


@pytest.mark.parametrize("path", ["/staff/", "/controller/", "/staff/dev-mail"])
def test_anonymous_is_sent_to_login(client, path):
    resp = client.get(path)
    assert resp.status_code == 302 and "/auth/login" in resp.headers["Location"]


def test_controller_cannot_reach_staff_pages(client, make_user, make_org, login):
    org = make_org(OrganisationKind.CONTROLLER)
    login(make_user(Role.CONTROLLER, organisation=org))
    assert client.get("/staff/").status_code == 404


def test_officer_cannot_reach_controller_portal(client, make_user, login):
    login(make_user(Role.OFFICER))
    assert client.get("/controller/").status_code == 404


def test_controller_sees_only_own_organisation(client, make_user, make_org, make_request, login):
    mine, theirs = make_org(), make_org()
    # Registered by staff (verified); the portal lists no unconfirmed requests.
    own = make_request(organisation_id=mine.id, channel=Channel.EMAIL)
    other = make_request(organisation_id=theirs.id, channel=Channel.EMAIL)
    login(make_user(Role.CONTROLLER, organisation=mine))
    html = client.get("/controller/").get_data(as_text=True)
    assert own.reference in html and other.reference not in html


def test_logout_is_post_and_kills_copied_cookie(client, make_user, login):
    login(make_user(Role.OFFICER))
    cookie = client.get_cookie("dsr_session").value
    assert client.get("/auth/logout").status_code == 405
    page = client.get("/staff/")
    client.post("/auth/logout", data={"csrf_token": csrf_token(page)})
    client.set_cookie("dsr_session", cookie)
    resp = client.get("/staff/")
    assert resp.status_code == 302  # the replayed cookie is anonymous now


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "javascript:alert(1)"])
def test_login_next_never_leaves_the_site(client, app, make_user, target):
    from tests.conftest import totp_now

    officer = make_user(Role.OFFICER)
    page = client.get("/auth/login")
    resp = client.post(
        "/auth/login",
        query_string={"next": target},
        data={
            "email": officer.email,
            "password": "correct horse battery staple 42",
            "csrf_token": csrf_token(page),
        },
    )
    assert resp.headers["Location"] == "/auth/code"
    page = client.get("/auth/code")
    resp = client.post("/auth/code", data={"code": totp_now(app), "csrf_token": csrf_token(page)})
    assert resp.headers["Location"] == "/staff/"


def test_queue_orders_by_the_date_that_applies_after_an_extension(
    client, db_session, make_user, make_request, login
):
    from rights import requests as ops
    from rights.audit import SYSTEM

    extended = make_request(received_at=datetime(2026, 3, 1, tzinfo=UTC))
    plain = make_request(received_at=datetime(2026, 3, 20, tzinfo=UTC))
    ops.extend(
        db_session,
        extended,
        "complexity",
        "Three systems.",
        actor=SYSTEM,
        now=datetime(2026, 3, 2, tzinfo=UTC),
    )
    db_session.commit()
    login(make_user(Role.OFFICER))
    html = client.get("/staff/").get_data(as_text=True)
    assert html.index(plain.reference) < html.index(extended.reference)
