"""Strong authentication (issue 4, docs/security.md, "Authentication and sessions"): every test
drives the real app with CSRF on; time is frozen through ``app.config["CLOCK"]``."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

import rights.passwords
from portal import create_app
from portal.db import get_db
from rights.models.account import RecoveryCode
from rights.models.audit import AuditEvent
from rights.models.mail import OutboxMail
from rights.models.org import OrganisationKind, Role, User
from tests.conftest import TEST_PASSWORD, TEST_TOTP_SECRET, totp_now
from tests.helpers import csrf_token

START = datetime(2026, 3, 5, 10, 0, 7, tzinfo=UTC)


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **kw: float) -> None:
        self.moment += timedelta(**kw)


@pytest.fixture
def client(app):
    """Not pytest-flask's ``with app.test_client()``: a preserved context would share ``g``
    (the loaded user, the CSRF token) with the other clients these tests run side by side."""
    return app.test_client()


@pytest.fixture
def clock(app):
    c = Clock(START)
    app.config["CLOCK"] = c
    return c


def password_step(client, email, password=TEST_PASSWORD, next_=None):
    page = client.get("/auth/login")
    return client.post(
        "/auth/login",
        query_string={"next": next_} if next_ else None,
        data={"email": email, "password": password, "csrf_token": csrf_token(page)},
    )


def code_step(client, code):
    page = client.get("/auth/code")
    return client.post("/auth/code", data={"code": code, "csrf_token": csrf_token(page)})


def full_login(client, app, user, password=TEST_PASSWORD):
    assert password_step(client, user.email, password).headers["Location"] == "/auth/code"
    resp = code_step(client, totp_now(app))
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return resp


def logout(client):
    page = client.get("/auth/login")
    return client.post("/auth/logout", data={"csrf_token": csrf_token(page)})


def logged_in(client) -> bool:
    resp = client.get("/auth/account")
    return resp.status_code == 200


def events(db_session, action):
    db_session.expire_all()
    return db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def mails(db_session, template):
    db_session.expire_all()
    return db_session.scalars(select(OutboxMail).where(OutboxMail.template == template)).all()


def strip_csrf(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*value="[^"]*"', 'name="csrf_token"', html)


# --- TOTP and the replay guard ------------------------------------------------------------


def test_a_code_logs_in_once_at_frozen_time(app, client, clock, make_user):
    officer = make_user(Role.OFFICER)
    code = totp_now(app)
    password_step(client, officer.email)
    assert code_step(client, code).headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    logout(client)
    # Same code, same moment, fresh password step: refused, and nothing opens.
    assert password_step(client, officer.email).headers["Location"] == "/auth/code"
    again = code_step(client, code)
    assert again.status_code == 200
    assert "al gebruikt" in again.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302
    # The next time-step's code works (window of one step).
    assert code_step(client, totp_now(app, steps=1)).status_code == 302
    assert logged_in(client)


def test_a_code_two_steps_old_fails_and_one_step_old_works(app, client, clock, make_user):
    officer = make_user(Role.OFFICER)
    password_step(client, officer.email)
    assert code_step(client, totp_now(app, steps=-2)).status_code == 200
    assert code_step(client, totp_now(app, steps=2)).status_code == 200
    assert not logged_in(client)
    assert code_step(client, totp_now(app, steps=-1)).status_code == 302
    assert logged_in(client)


def test_older_step_after_a_newer_one_is_a_replay(app, client, clock, make_user):
    officer = make_user(Role.OFFICER)
    password_step(client, officer.email)
    assert code_step(client, totp_now(app, steps=1)).status_code == 302
    logout(client)
    password_step(client, officer.email)
    # Never used, but its step is older than the accepted one.
    assert code_step(client, totp_now(app)).status_code == 200
    assert not logged_in(client)


def test_full_width_digits_are_refused(app, client, clock, make_user):
    officer = make_user(Role.OFFICER)
    code = totp_now(app)
    wide = "".join(chr(ord(c) - ord("0") + 0xFF10) for c in code)
    assert pyotp.TOTP(TEST_TOTP_SECRET).verify(wide, for_time=START)  # pyotp alone accepts it
    password_step(client, officer.email)
    assert code_step(client, wide).status_code == 200
    assert not logged_in(client)


def test_enrolment_shows_inline_svg_and_secret_then_needs_a_valid_code(
    app, client, clock, db_session, make_user
):
    user = make_user(Role.OFFICER, enrolled=False)
    resp = password_step(client, user.email)
    assert resp.headers["Location"] == "/auth/enrol"
    page = client.get("/auth/enrol")
    html = page.get_data(as_text=True)
    assert "<svg" in html and "data:" not in html
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    # Not usable before confirmation, and the seed is stored encrypted.
    assert client.get("/staff/").status_code == 302
    db_session.expire_all()
    stored = db_session.get(User, user.id).totp_secret_enc
    assert stored and secret.encode() not in stored
    bad = client.post("/auth/enrol", data={"code": "000000", "csrf_token": csrf_token(page)})
    assert bad.status_code == 200 and "recovery" not in bad.get_data(as_text=True).lower()
    code = pyotp.TOTP(secret).at(START)
    done = client.post("/auth/enrol", data={"code": code, "csrf_token": csrf_token(page)})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", done.get_data(True))
    assert len(codes) == 10 == len(set(codes))
    assert client.get("/staff/").status_code == 200
    assert events(db_session, "auth.totp_enrolled")
    assert not mails(db_session, "factor_changed")  # the first set-up is no change (issue 14)
    # The enrolment code is spent: it cannot log in again.
    logout(client)
    password_step(client, user.email)
    assert code_step(client, code).status_code == 200


def test_seed_moved_to_another_user_does_not_decrypt(db_session, make_user):
    from portal.config import TestConfig
    from rights.authentication import totp_secret
    from rights.crypto import DecryptionFailed
    from rights.keys import Keyring, Purpose

    key = Keyring.from_text(TestConfig.ENCRYPTION_KEY).purpose_key(Purpose.TOTP_SEEDS)
    a, b = make_user(), make_user()
    assert totp_secret(a, key) == TEST_TOTP_SECRET
    b.totp_secret_enc = a.totp_secret_enc
    with pytest.raises(DecryptionFailed):
        totp_secret(b, key)


def test_the_pending_password_step_expires(app, client, clock, make_user):
    password_step(client, make_user().email)
    clock.advance(minutes=11)
    resp = code_step_raw(client)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/auth/login")


def code_step_raw(client):
    return client.get("/auth/code")


# --- a password alone opens nothing ------------------------------------------------------


def _url(rule) -> str:
    values = {}
    for arg in rule.arguments:
        conv = rule._converters.get(arg)
        values[arg] = 1 if conv is not None and "Integer" in type(conv).__name__ else "x"
    return rule.build(values, append_unknown=False)[1]


def _needs_login(client, app, token):
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = _url(rule)
        for method in sorted(rule.methods & {"GET", "POST"}):
            if method == "GET":
                resp = client.get(url)
            else:
                resp = client.post(url, data={"csrf_token": token})
            found.append((rule.endpoint, method, url, resp))
    return found


def test_password_only_session_reaches_no_route_that_needs_login(
    app, client, clock, make_user, make_org
):
    anonymous = app.test_client()
    token = csrf_token(anonymous.get("/auth/login"))
    protected = [
        (endpoint, method, url)
        for endpoint, method, url, resp in _needs_login(anonymous, app, token)
        if resp.status_code == 302 and "/auth/login" in resp.headers["Location"]
    ]
    endpoints = {e for e, _, _ in protected}
    for expected in ("staff.queue", "controller.index", "auth.account", "users.index"):
        assert expected in endpoints
    officer = make_user(Role.ADMIN)
    contact = make_user(Role.CONTROLLER, organisation=make_org(OrganisationKind.CONTROLLER))
    newcomer = make_user(Role.OFFICER, enrolled=False)
    for user, step in ((officer, "/auth/code"), (contact, "/auth/code"), (newcomer, "/auth/enrol")):
        c = app.test_client()
        assert password_step(c, user.email).headers["Location"] == step
        tok = csrf_token(c.get(step))
        for endpoint, method, url in protected:
            if endpoint in ("auth.code", "auth.enrol"):
                continue  # the second step itself
            resp = c.get(url) if method == "GET" else c.post(url, data={"csrf_token": tok})
            assert resp.status_code == 302, (user.role, endpoint, method, resp.status_code)
            assert "/auth/login" in resp.headers["Location"], (endpoint, method)
    assert len(protected) >= 10


# --- cookie replay --------------------------------------------------------------------------


def _replay(client, cookie):
    client.set_cookie("dsr_session", cookie)
    return client.get("/staff/")


def test_cookie_replay_after_logout_fails(app, client, clock, make_user):
    full_login(client, app, make_user())
    cookie = client.get_cookie("dsr_session").value
    logout(client)
    assert _replay(client, cookie).status_code == 302


def test_cookie_replay_after_password_change_fails(app, client, clock, db_session, make_user):
    officer = make_user()
    full_login(client, app, officer)
    cookie = client.get_cookie("dsr_session").value
    clock.advance(seconds=30)
    other = app.test_client()
    full_login(other, app, officer)  # a second session of the same user
    other_cookie = other.get_cookie("dsr_session").value
    clock.advance(seconds=30)
    page = client.get("/auth/account")
    new = "een nieuw en lang wachtwoord ✓ 2026"
    resp = client.post(
        "/auth/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "code": totp_now(app),
            "password": new,
            "confirm": new,
            "csrf_token": csrf_token(page),
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:400]
    assert _replay(client, cookie).status_code == 302
    assert _replay(other, other_cookie).status_code == 302
    assert events(db_session, "auth.password_changed")
    assert mails(db_session, "password_changed")
    assert password_step(app.test_client(), officer.email).status_code == 200  # old fails
    assert password_step(app.test_client(), officer.email, new).status_code == 302


def test_password_change_needs_reauthentication(app, client, clock, db_session, make_user):
    officer = make_user()
    full_login(client, app, officer)
    before = officer.password_hash
    page = client.get("/auth/account")
    resp = client.post(
        "/auth/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "code": totp_now(app),  # the code used to log in: a replay
            "password": "een nieuw en lang wachtwoord",
            "confirm": "een nieuw en lang wachtwoord",
            "csrf_token": csrf_token(page),
        },
    )
    assert resp.status_code == 422
    db_session.expire_all()
    assert db_session.get(User, officer.id).password_hash == before
    assert logged_in(client)


def test_cookie_replay_after_disable_fails(app, client, clock, db_session, make_user):
    officer = make_user()
    admin = make_user(Role.ADMIN)
    full_login(client, app, officer)
    cookie = client.get_cookie("dsr_session").value
    admin_client = app.test_client()
    full_login(admin_client, app, admin)
    page = admin_client.get(f"/admin/users/{officer.id}")
    resp = admin_client.post(
        f"/admin/users/{officer.id}/disable", data={"csrf_token": csrf_token(page)}
    )
    assert resp.status_code == 302
    assert _replay(client, cookie).status_code == 302
    assert events(db_session, "user.disabled")
    assert mails(db_session, "account_disabled")
    # A disabled account cannot log in, with the same answer as a wrong password.
    assert password_step(app.test_client(), officer.email).status_code == 200


def test_idle_and_absolute_timeouts(app, client, clock, make_user):
    officer = make_user()
    full_login(client, app, officer)
    clock.advance(minutes=29)
    assert client.get("/staff/").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/staff/").status_code == 302
    full_login(client, app, officer)
    logged_in_at = clock.moment
    for _ in range(40):  # active every 20 minutes, so never idle
        clock.advance(minutes=20)
        if client.get("/staff/").status_code != 200:
            break
    assert timedelta(hours=12) < clock.moment - logged_in_at <= timedelta(hours=12, minutes=20)
    assert client.get("/staff/").status_code == 302


def test_timeouts_are_configurable(app, client, clock, make_user):
    app.config["SESSION_IDLE_MINUTES"] = 5
    full_login(client, app, make_user())
    clock.advance(minutes=6)
    assert client.get("/staff/").status_code == 302


def test_session_cookie_flags(app, client, clock, make_user):
    from portal.config import DevelopmentConfig, ProductionConfig

    password_step(client, make_user().email)
    resp = code_step(client, totp_now(app))
    header = resp.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert DevelopmentConfig.SESSION_COOKIE_SECURE is False


def test_a_stolen_login_cookie_in_another_browser_is_anonymous(app, client, clock, make_user):
    full_login(client, app, make_user())
    assert client.get("/staff/").status_code == 200
    cookie = client.get_cookie("dsr_session").value
    thief = app.test_client()
    thief.set_cookie("dsr_session", cookie)
    resp = thief.get("/staff/", headers={"User-Agent": "another browser"})
    assert resp.status_code == 302 and "/auth/login" in resp.headers["Location"]


def test_an_anonymous_visitor_gets_no_cookie_rewritten_on_every_page(client, clock):
    client.get("/auth/login")  # the CSRF token goes into a new session
    assert client.get_cookie("dsr_session") is not None
    again = client.get("/auth/login")
    assert again.status_code == 200
    assert again.headers.getlist("Set-Cookie") == []


# --- brute force ---------------------------------------------------------------------------


def test_ten_bad_passwords_lock_and_the_lock_survives_a_restart(
    app, app_config, client, clock, db_session, session_factory, make_user
):
    victim, bystander = make_user(), make_user()
    for _ in range(10):
        assert password_step(client, victim.email, "wrong password!").status_code == 200
        clock.advance(seconds=20)
    assert events(db_session, "auth.locked")
    assert len(mails(db_session, "account_locked")) == 1
    # The right password no longer opens the account, with the generic answer.
    assert password_step(client, victim.email).status_code == 200
    # Restart: a new app instance on the same database.
    restarted = create_app(app_config)
    get_db(restarted).sessionmaker = session_factory
    restarted.config["CLOCK"] = clock
    fresh = restarted.test_client()
    assert password_step(fresh, victim.email).status_code == 200
    # Another user is not affected.
    full_login(restarted.test_client(), restarted, bystander)
    # After the lock period the account opens again (and that is audited).
    clock.advance(minutes=16)
    full_login(restarted.test_client(), restarted, victim)
    assert events(db_session, "auth.unlocked")


def test_bad_passwords_spread_over_more_than_five_minutes_do_not_lock(
    app, client, clock, db_session, make_user
):
    user = make_user()
    for _ in range(12):
        password_step(client, user.email, "wrong password!")
        clock.advance(minutes=1)
    assert not events(db_session, "auth.locked")
    full_login(client, app, user)


def test_five_bad_codes_lock(app, client, clock, db_session, make_user):
    user = make_user()
    password_step(client, user.email)
    for _ in range(5):
        assert code_step(client, "000000").status_code == 200
    assert events(db_session, "auth.locked")
    # The lock rotates the session nonce: the half-finished login ends, no code is asked.
    assert client.get("/auth/code").headers["Location"] == "/auth/login"
    assert not logged_in(client)
    assert mails(db_session, "account_locked")


def test_admin_unlocks(app, client, clock, db_session, make_user):
    user, admin = make_user(), make_user(Role.ADMIN)
    password_step(client, user.email)
    for _ in range(5):
        code_step(client, "000000")
    admin_client = app.test_client()
    full_login(admin_client, app, admin)
    page = admin_client.get(f"/admin/users/{user.id}")
    assert "Unlock" in page.get_data(as_text=True) or "Ontgrendelen" in page.get_data(True)
    admin_client.post(f"/admin/users/{user.id}/unlock", data={"csrf_token": csrf_token(page)})
    clock.advance(seconds=30)
    full_login(app.test_client(), app, user)
    assert [e.data.get("reason") for e in events(db_session, "auth.unlocked")] == ["admin"]


# --- recovery codes -------------------------------------------------------------------------


def _regenerate(client, app):
    page = client.get("/auth/account")
    resp = client.post(
        "/auth/account/recovery-codes",
        data={
            "codes-current_password": TEST_PASSWORD,
            "codes-code": totp_now(app),
            "csrf_token": csrf_token(page),
        },
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return re.findall(r"<code>([a-z0-9-]{14})</code>", resp.get_data(as_text=True))


def test_recovery_code_works_once_and_is_stored_hashed(app, client, clock, db_session, make_user):
    user = make_user()
    full_login(client, app, user)
    clock.advance(seconds=30)
    codes = _regenerate(client, app)
    assert len(codes) == 10
    stored = db_session.scalars(select(RecoveryCode.code_hash)).all()
    assert stored and not {c.replace("-", "") for c in codes} & set(stored)
    assert all(code.replace("-", "") not in h for h in stored for code in codes)
    logout(client)
    password_step(client, user.email)
    assert code_step(client, codes[0].upper()).status_code == 302
    used = events(db_session, "auth.recovery_code_used")
    assert len(used) == 1 and codes[0] not in str(used[0].data)
    assert mails(db_session, "recovery_code_used")
    logout(client)
    password_step(client, user.email)
    assert code_step(client, codes[0]).status_code == 200
    assert not logged_in(client)
    assert code_step(client, codes[1]).status_code == 302


def test_regenerating_recovery_codes_invalidates_the_old_set(app, client, clock, make_user):
    user = make_user()
    full_login(client, app, user)
    clock.advance(seconds=30)
    old = _regenerate(client, app)
    clock.advance(seconds=30)
    new = _regenerate(client, app)
    logout(client)
    password_step(client, user.email)
    assert code_step(client, old[0]).status_code == 200
    assert code_step(client, new[0]).status_code == 302


# --- no enumeration --------------------------------------------------------------------------


class CountingHasher:
    def __init__(self, inner):
        self.inner = inner
        self.calls = 0

    def verify(self, *args):
        self.calls += 1
        return self.inner.verify(*args)

    def hash(self, *args):
        self.calls += 1
        return self.inner.hash(*args)

    def check_needs_rehash(self, *args):
        return self.inner.check_needs_rehash(*args)


@pytest.fixture
def hasher(monkeypatch):
    counting = CountingHasher(rights.passwords._hasher)
    monkeypatch.setattr(rights.passwords, "_hasher", counting)
    return counting


def _measure(hasher, fn):
    before = hasher.calls
    resp = fn()
    return resp.status_code, strip_csrf(resp.get_data(as_text=True)), hasher.calls - before


def test_login_answers_known_and_unknown_email_alike(app, client, clock, hasher, make_user):
    user = make_user()
    unknown = "nobody-here@example.org"
    known = _measure(hasher, lambda: password_step(client, user.email, "wrong password!"))
    other = _measure(hasher, lambda: password_step(client, unknown, "wrong password!"))
    assert known[0] == other[0] == 200
    assert known[1] == other[1].replace(unknown, user.email)
    assert known[2] == other[2] == 1
    # A locked account with the right password looks the same too.
    for _ in range(10):
        password_step(client, user.email, "wrong password!")
    locked = _measure(hasher, lambda: password_step(client, user.email))
    assert locked[0] == 200 and locked[2] == 1
    assert locked[1] == other[1].replace(unknown, user.email)


def test_reset_answers_known_and_unknown_email_alike(app, client, clock, hasher, make_user):
    user = make_user()

    def ask(email):
        page = client.get("/auth/reset")
        return client.post("/auth/reset", data={"email": email, "csrf_token": csrf_token(page)})

    known = _measure(hasher, lambda: ask(user.email))
    other = _measure(hasher, lambda: ask("nobody-here@example.org"))
    assert known[0] == other[0] == 200
    assert known[1] == other[1]
    assert known[2] == other[2]


# --- open redirects ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["//evil.example", "/\\evil.example", "javascript:alert(1)", "https://evil.example/"]
)
def test_next_never_leaves_the_site_after_both_steps(app, client, clock, make_user, target):
    user = make_user()
    password_step(client, user.email, next_=target)
    assert code_step(client, totp_now(app)).headers["Location"] == "/staff/"


def test_safe_next_is_followed_after_both_steps(app, client, clock, make_user):
    user = make_user()
    password_step(client, user.email, next_="/auth/account")
    assert code_step(client, totp_now(app)).headers["Location"] == "/auth/account"


# --- invitations and password reset by mail ------------------------------------------------------


@pytest.fixture
def outbox(app):
    """Send queued mail through a real SMTP server and return the messages."""
    from portal.worker import run_once
    from tests.smtp import smtp_server

    app.config.update(MAIL_MODE="smtp", SMTP_HOST="127.0.0.1", MAIL_FROM="privacy@portal.test")

    def deliver():
        with smtp_server() as inbox:
            app.config["SMTP_PORT"] = inbox.port
            run_once(app)
        return [r.message for r in inbox.messages]

    return deliver


def _link(message, path):
    body = message.get_body().get_content()
    match = re.search(r"http://localhost(" + re.escape(path) + r"[A-Za-z0-9_.\-]+)", body)
    assert match, body
    return match.group(1)


def _set_password(client, url, password):
    page = client.get(url)
    if page.status_code != 200:
        return page
    return client.post(
        url, data={"password": password, "confirm": password, "csrf_token": csrf_token(page)}
    )


def _invite(app, clock, admin, email, **extra):
    admin_client = app.test_client()
    full_login(admin_client, app, admin)
    page = admin_client.get("/admin/users/invite")
    data = {"name": "Nieuwe Collega", "email": email, "role": "officer", "organisation": ""}
    data.update(extra)
    data["language"] = "en"
    data["csrf_token"] = csrf_token(page)
    return admin_client.post("/admin/users/invite", data=data)


def test_invitation_link_works_once(app, client, clock, db_session, make_user, outbox):
    admin = make_user(Role.ADMIN)
    resp = _invite(app, clock, admin, "new.colleague@example.org")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:400]
    [message] = [m for m in outbox() if m["To"] == "new.colleague@example.org"]
    url = _link(message, "/auth/invitation/")
    assert "new.colleague" not in url
    assert client.get(url).status_code == 200  # a mail scanner's GET changes nothing
    assert client.get(url).status_code == 200
    resp = _set_password(client, url, "mijn eigen lange wachtwoord")
    assert resp.status_code == 302
    assert client.get(url).status_code == 410
    assert _set_password(client, url, "nog een ander lang wachtwoord").status_code == 410
    # The new user logs in and must enrol first.
    assert (
        password_step(client, "new.colleague@example.org", "mijn eigen lange wachtwoord").headers[
            "Location"
        ]
        == "/auth/enrol"
    )
    assert events(db_session, "user.invited")


def test_an_invitation_name_with_a_nul_is_stored_without_it(
    app, clock, db_session, make_user, outbox
):
    """A NUL pasted into the name (PostgreSQL refuses it in text: a 500 there) is dropped,
    as in every other text field."""
    resp = _invite(app, clock, make_user(Role.ADMIN), "nul@example.org", name="Nieuwe\x00 Collega")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:400]
    db_session.expire_all()
    user = db_session.scalar(select(User).where(User.email == "nul@example.org"))
    assert user.name == "Nieuwe Collega"


def test_invitation_link_expires_and_a_tampered_one_is_unknown(
    app, client, clock, make_user, outbox, monkeypatch
):
    import itsdangerous.timed

    admin = make_user(Role.ADMIN)
    _invite(app, clock, admin, "late@example.org")
    real = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(
        itsdangerous.timed.TimestampSigner,
        "get_timestamp",
        lambda self: real(self) - 73 * 3600,  # signed 73 hours ago (limit 72)
    )
    [message] = [m for m in outbox() if m["To"] == "late@example.org"]
    monkeypatch.undo()
    url = _link(message, "/auth/invitation/")
    assert client.get(url).status_code == 410
    assert _set_password(client, url, "mijn eigen lange wachtwoord").status_code == 410
    assert client.get(url[:-3] + "xyz").status_code == 404
    # A reset token does not open the invitation page (purpose bound).
    token = url.rsplit("/", 1)[1]
    assert client.get(f"/auth/reset/{token}").status_code == 404


def test_password_reset_link_works_once_and_expires(
    app, client, clock, make_user, outbox, monkeypatch
):
    import itsdangerous.timed

    user = make_user()
    page = client.get("/auth/reset")
    resp = client.post("/auth/reset", data={"email": user.email, "csrf_token": csrf_token(page)})
    assert resp.status_code == 200
    [message] = outbox()
    url = _link(message, "/auth/reset/")
    new = "een heel nieuw wachtwoord"
    assert _set_password(client, url, new).status_code == 302
    assert client.get(url).status_code == 410
    assert password_step(app.test_client(), user.email).status_code == 200
    assert password_step(app.test_client(), user.email, new).status_code == 302
    # Expired: signed 61 minutes ago (limit 60).
    page = client.get("/auth/reset")
    client.post("/auth/reset", data={"email": user.email, "csrf_token": csrf_token(page)})
    real = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(
        itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: real(self) - 61 * 60
    )
    [late] = [m for m in outbox() if "/auth/reset/" in m.get_body().get_content()]
    monkeypatch.undo()
    assert client.get(_link(late, "/auth/reset/")).status_code == 410


def test_password_policy_at_reset(app, client, clock, make_user, outbox):
    user = make_user()
    page = client.get("/auth/reset")
    client.post("/auth/reset", data={"email": user.email, "csrf_token": csrf_token(page)})
    url = _link(outbox()[0], "/auth/reset/")
    assert _set_password(client, url, "elf tekens!").status_code == 422  # 11 characters
    assert _set_password(client, url, "Q1w2e3r4t5y6").status_code == 422  # common list
    assert _set_password(client, url, user.email).status_code == 422
    long_unicode = "漢字とひらがな🙂 " * 16  # 160 characters
    assert _set_password(client, url, long_unicode).status_code == 302
    assert password_step(app.test_client(), user.email, long_unicode).status_code == 302
    assert password_step(app.test_client(), user.email, long_unicode[:-1]).status_code == 200


# --- admin user management -----------------------------------------------------------------------


def test_admin_pages_are_for_admins_only(app, client, clock, make_user):
    full_login(client, app, make_user(Role.OFFICER))
    assert client.get("/admin/users/").status_code == 404
    assert client.get("/admin/users/invite").status_code == 404


def test_admin_links_a_controller_contact_and_changes_roles(
    app, client, clock, db_session, make_user, make_org
):
    admin = make_user(Role.ADMIN)
    org = make_org(OrganisationKind.CONTROLLER, name="Bakkerij Test")
    full_login(client, app, admin)
    # A controller contact without an organisation is refused, nothing is written.
    page = client.get("/admin/users/invite")
    resp = client.post(
        "/admin/users/invite",
        data={
            "name": "Contact",
            "email": "contact@bakkerij.example",
            "role": "controller",
            "organisation": "",
            "language": "nl",
            "csrf_token": csrf_token(page),
        },
    )
    assert resp.status_code == 422
    assert db_session.scalar(select(User).where(User.email == "contact@bakkerij.example")) is None
    resp = client.post(
        "/admin/users/invite",
        data={
            "name": "Contact",
            "email": "contact@bakkerij.example",
            "role": "controller",
            "organisation": str(org.id),
            "language": "nl",
            "csrf_token": csrf_token(page),
        },
    )
    assert resp.status_code == 302
    db_session.expire_all()
    contact = db_session.scalar(select(User).where(User.email == "contact@bakkerij.example"))
    assert contact.organisation_id == org.id and contact.role is Role.CONTROLLER
    listing = client.get("/admin/users/").get_data(as_text=True)
    assert "contact@bakkerij.example" in listing and "Bakkerij Test" in listing
    page = client.get(f"/admin/users/{contact.id}")
    resp = client.post(
        f"/admin/users/{contact.id}/role",
        data={"role": "officer", "organisation": "", "csrf_token": csrf_token(page)},
    )
    assert resp.status_code == 302
    db_session.expire_all()
    assert db_session.get(User, contact.id).role is Role.OFFICER
    assert db_session.get(User, contact.id).organisation_id is None
    assert events(db_session, "user.role_changed") and mails(db_session, "role_changed")


def test_admin_resets_second_factor_and_user_enrols_again(
    app, client, clock, db_session, make_user
):
    user, admin = make_user(), make_user(Role.ADMIN)
    user_client = app.test_client()
    full_login(user_client, app, user)
    cookie = user_client.get_cookie("dsr_session").value
    full_login(client, app, admin)
    page = client.get(f"/admin/users/{user.id}")
    resp = client.post(
        f"/admin/users/{user.id}/reset-factor", data={"csrf_token": csrf_token(page)}
    )
    assert resp.status_code == 302
    assert _replay(user_client, cookie).status_code == 302
    again = app.test_client()
    assert password_step(again, user.email).headers["Location"] == "/auth/enrol"
    assert [e.data.get("by") for e in events(db_session, "auth.totp_reset")] == ["admin"]
    assert [m.context["change"] for m in mails(db_session, "factor_changed")] == ["admin_reset"]
    page = again.get("/auth/enrol")
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.get_data(True)).group(1)
    code = pyotp.TOTP(secret.replace(" ", "")).at(START)
    done = again.post("/auth/enrol", data={"code": code, "csrf_token": csrf_token(page)})
    assert done.status_code == 200
    changes = [m.context["change"] for m in mails(db_session, "factor_changed")]
    assert changes == ["admin_reset", "enrolled"]  # set up again after a reset: told


def test_admin_cannot_disable_themselves(app, client, clock, db_session, make_user):
    admin = make_user(Role.ADMIN)
    full_login(client, app, admin)
    page = client.get(f"/admin/users/{admin.id}")
    client.post(f"/admin/users/{admin.id}/disable", data={"csrf_token": csrf_token(page)})
    db_session.expire_all()
    assert db_session.get(User, admin.id).active
    assert logged_in(client)


# --- audit and rate limits ---------------------------------------------------------------------


def test_audit_trail_has_logins_and_failures_without_secrets(
    app, client, clock, db_session, make_user
):
    user = make_user()
    password_step(client, user.email, "wrong password!")
    password_step(client, user.email)
    code_step(client, "123456")
    code = totp_now(app)
    code_step(client, code)
    logout(client)
    actions = [e.action for e in events(db_session, "auth.login_failed")]
    assert actions and events(db_session, "auth.code_failed") and events(db_session, "auth.login")
    assert events(db_session, "auth.logout")
    everything = " ".join(str(e.data) for e in db_session.scalars(select(AuditEvent)).all())
    for secret in ("wrong password!", TEST_PASSWORD, code, "123456", TEST_TOTP_SECRET):
        assert secret not in everything


@pytest.fixture
def limited_app(app_config, session_factory):
    application = create_app({**app_config, "RATELIMIT_ENABLED": True})
    get_db(application).sessionmaker = session_factory
    return application


@pytest.mark.parametrize(
    ("path", "limit", "data"),
    [
        ("/auth/reset", 5, {"email": "someone@example.org"}),
        # No password: the form fails before any hashing, but the attempt still counts.
        ("/auth/login", 20, {"email": "someone@example.org"}),
    ],
)
def test_rate_limits_answer_429_with_retry_after(limited_app, path, limit, data):
    from portal.security import limiter

    limiter.reset()
    c = limited_app.test_client()
    token = csrf_token(c.get(path))
    statuses = [c.post(path, data={**data, "csrf_token": token}).status_code for _ in range(limit)]
    assert 429 not in statuses
    over = c.post(path, data={**data, "csrf_token": token})
    assert over.status_code == 429
    assert int(over.headers["Retry-After"]) > 0
    limiter.reset()


def test_limited_routes_still_say_their_limits_and_other_pages_none(limited_app):
    """Flask-Limiter's after-request hook runs only for a request that used the limiter
    (portal.security._limiter_hooks_when_used): a decorated route keeps its headers and
    its count; a page without a limit gets no header and leaves no limiter state."""
    from portal.security import limiter

    limiter.reset()
    names = [getattr(f, "__name__", "") for f in limited_app.after_request_funcs[None]]
    assert "inject_when_used" in names
    c = limited_app.test_client()
    token = csrf_token(c.get("/auth/reset"))
    first = c.post("/auth/reset", data={"email": "someone@example.org", "csrf_token": token})
    second = c.post("/auth/reset", data={"email": "someone@example.org", "csrf_token": token})
    assert first.headers["X-RateLimit-Limit"] == "5"
    assert (
        int(first.headers["X-RateLimit-Remaining"])
        == int(second.headers["X-RateLimit-Remaining"]) + 1
    )
    page = c.get("/")
    assert not [name for name, _value in page.headers if name.startswith("X-RateLimit")]
    limiter.reset()


def test_chosen_language_survives_the_login_steps(app, client, clock, make_user):
    user = make_user()
    client.get("/lang/en")
    password_step(client, user.email)
    assert "Enter your code" in client.get("/auth/code").get_data(as_text=True)
    code_step(client, totp_now(app))
    assert 'lang="en"' in client.get("/staff/").get_data(as_text=True)


def test_code_entry_is_rate_limited(limited_app, make_user):
    from portal.security import limiter

    limiter.reset()
    limited_app.config["CLOCK"] = Clock(START)
    limited_app.config["MAX_FAILED_CODES"] = 20  # the rate limit, not the lock, is tested
    c = limited_app.test_client()
    password_step(c, make_user().email)
    token = csrf_token(c.get("/auth/code"))
    codes = [c.post("/auth/code", data={"code": "000000", "csrf_token": token}) for _ in range(10)]
    assert {r.status_code for r in codes} == {200}
    over = c.post("/auth/code", data={"code": "000000", "csrf_token": token})
    assert over.status_code == 429 and int(over.headers["Retry-After"]) > 0
    limiter.reset()


def test_reset_factor_command_for_a_locked_out_admin(app, client, clock, db_session, make_user):
    admin = make_user(Role.ADMIN)
    password_step(client, admin.email)
    for _ in range(5):
        code_step(client, "000000")
    result = app.test_cli_runner().invoke(args=["reset-factor", "--email", admin.email.upper()])
    assert result.exit_code == 0, result.output
    assert password_step(app.test_client(), admin.email).headers["Location"] == "/auth/enrol"
    assert events(db_session, "auth.totp_reset") and mails(db_session, "factor_changed")
    missing = app.test_cli_runner().invoke(args=["reset-factor", "--email", "no@example.org"])
    assert missing.exit_code != 0


def test_login_prompt_is_in_the_visitors_language(client):
    client.get("/staff/")
    assert "Log in om deze pagina te zien." in client.get("/auth/login").get_data(as_text=True)


def test_user_replaces_own_authenticator_after_reauthentication(
    app, client, clock, db_session, make_user
):
    user = make_user()
    full_login(client, app, user)
    cookie = client.get_cookie("dsr_session").value
    page = client.get("/auth/account")
    wrong = client.post(
        "/auth/account/reset-factor",
        data={
            "reset-current_password": "not my password",
            "reset-code": totp_now(app, steps=1),
            "csrf_token": csrf_token(page),
        },
    )
    assert wrong.status_code == 422 and logged_in(client)
    resp = client.post(
        "/auth/account/reset-factor",
        data={
            "reset-current_password": TEST_PASSWORD,
            "reset-code": totp_now(app, steps=1),
            "csrf_token": csrf_token(page),
        },
    )
    assert resp.status_code == 302
    assert _replay(client, cookie).status_code == 302
    assert password_step(app.test_client(), user.email).headers["Location"] == "/auth/enrol"
    assert [e.data.get("by") for e in events(db_session, "auth.totp_reset")] == ["self"]


# --- configurable lock policy (PORTAL_LOCK_MINUTES and friends) --------------------------


def test_a_configured_lower_limit_locks_after_three_and_lifts_after_two_minutes(
    app, client, clock, db_session, make_user
):
    app.config.update(MAX_FAILED_PASSWORDS=3, LOCK_MINUTES=2)
    user = make_user()
    for _ in range(2):
        assert password_step(client, user.email, "wrong password!").status_code == 200
    assert not events(db_session, "auth.locked")
    assert password_step(client, user.email, "wrong password!").status_code == 200
    [locked] = events(db_session, "auth.locked")
    assert locked.data["minutes"] == 2 and locked.data["reason"] == "passwords"
    assert len(mails(db_session, "account_locked")) == 1
    clock.advance(minutes=1, seconds=59)
    assert password_step(client, user.email).status_code == 200  # still locked
    clock.advance(seconds=2)
    full_login(app.test_client(), app, user)
    assert [e.data.get("reason") for e in events(db_session, "auth.unlocked")] == ["expired"]


def test_a_configured_code_limit_locks(app, client, clock, db_session, make_user):
    app.config["MAX_FAILED_CODES"] = 2
    user = make_user()
    password_step(client, user.email)
    assert code_step(client, "000000").status_code == 200
    assert not events(db_session, "auth.locked")
    assert code_step(client, "000001").status_code == 200
    assert [e.data["reason"] for e in events(db_session, "auth.locked")] == ["codes"]
    assert client.get("/auth/code").headers["Location"] == "/auth/login"
    # Logging in again with the right password is refused while locked.
    assert password_step(client, user.email).status_code == 200
    assert not logged_in(client)


def test_a_lock_ends_sessions_already_open(app, client, clock, db_session, make_user):
    app.config["MAX_FAILED_PASSWORDS"] = 3
    user = make_user()
    full_login(client, app, user)  # the user is working in one browser
    attacker = app.test_client()
    for _ in range(2):
        password_step(attacker, user.email, "wrong password!")
    assert logged_in(client)  # failures alone do not end the session
    password_step(attacker, user.email, "wrong password!")
    assert not logged_in(client)
    assert client.get("/staff/").status_code == 302
    [locked] = events(db_session, "auth.locked")
    assert locked.data["sessions_ended"] is True


def test_config_check_flags_a_zero_or_negative_lock_setting(app, client, clock, make_user):
    from portal.config import from_environment, problems

    assert not [p for p in problems({}) if "FAILED" in p or "LOCK" in p]
    app.config["MAX_FAILED_PASSWORDS"] = 0
    result = app.test_cli_runner().invoke(args=["config", "check"])
    assert "PORTAL_MAX_FAILED_PASSWORDS must be a whole number of at least 1" in result.output
    env = from_environment({"PORTAL_LOCK_MINUTES": "-1", "PORTAL_MAX_FAILED_CODES": "3"})
    assert env == {"LOCK_MINUTES": -1, "MAX_FAILED_CODES": 3}
    lock_problems = [p for p in problems(env) if "LOCK" in p or "FAILED" in p]
    assert lock_problems == ["PORTAL_LOCK_MINUTES must be a whole number of at least 1"]
    # A development server with the bad value still answers a login (default limit used).
    full_login(client, app, make_user())
