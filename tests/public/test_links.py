"""E-mail links: single use, expiring, bound to purpose and request; GET never changes
anything; a resend keeps the request and kills earlier links."""

from __future__ import annotations

import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from rights.models.audit import AuditEvent
from rights.models.mail import OutboxMail
from rights.models.request import RequestState, RightsRequest
from tests.helpers import csrf_token
from tests.public.flow import outbox_links, submit


@pytest.fixture
def operator(make_org):
    from rights.models.org import OrganisationKind

    return make_org(OrganisationKind.OPERATOR, name="Verwerker BV", slug="verwerker")


def _file(client, db_session, **kw):
    assert submit(client, ["access"], **kw).status_code == 302
    return db_session.scalars(select(RightsRequest).order_by(RightsRequest.id.desc())).first()


def _events(db_session):
    return db_session.scalar(select(func.count()).select_from(AuditEvent))


def _confirm(client, path):
    page = client.get(path)
    return (
        client.post(path, data={"csrf_token": csrf_token(page)})
        if page.status_code == 200
        else page
    )


def test_get_never_verifies(app, client, db_session, operator):
    req = _file(client, db_session)
    path = outbox_links(app, db_session, "verify_email")["verify"]
    before = _events(db_session)
    for _ in range(3):
        assert client.get(path).status_code == 200
        assert client.head(path).status_code == 200
    db_session.refresh(req)
    assert req.state is RequestState.AWAITING_VERIFICATION
    assert _events(db_session) == before


def test_post_without_csrf_does_not_verify(app, client, db_session, operator):
    req = _file(client, db_session)
    path = outbox_links(app, db_session, "verify_email")["verify"]
    assert client.post(path, data={}).status_code == 400
    db_session.refresh(req)
    assert req.state is RequestState.AWAITING_VERIFICATION


def test_link_works_once(app, client, db_session, operator):
    req = _file(client, db_session)
    path = outbox_links(app, db_session, "verify_email")["verify"]
    page = client.get(path)
    token = csrf_token(page)
    assert client.post(path, data={"csrf_token": token}).status_code == 302
    again = client.post(path, data={"csrf_token": token})
    assert again.status_code == 410
    assert "verlopen" in again.get_data(as_text=True) or "gebruikt" in again.get_data(as_text=True)
    assert client.get(path).status_code == 410
    db_session.refresh(req)
    assert req.state is RequestState.OPEN


def test_expired_link_is_refused_and_offers_a_new_one(
    app, client, db_session, operator, monkeypatch
):
    days = app.config["VERIFICATION_LINK_DAYS"]
    with monkeypatch.context() as m:
        m.setattr(
            TimestampSigner, "get_timestamp", lambda self: int(time.time()) - days * 86400 - 60
        )
        req = _file(client, db_session)
        path = outbox_links(app, db_session, "verify_email")["verify"]
    page = client.get(path)
    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert "Deze link is verlopen" in html
    assert client.post(path, data={"csrf_token": csrf_token(page)}).status_code == 410
    db_session.refresh(req)
    assert req.state is RequestState.AWAITING_VERIFICATION
    # The page offers a new link for the same request; the new one works.
    resent = client.post(path + "/resend", data={"csrf_token": csrf_token(page)})
    assert resent.status_code == 200
    fresh = outbox_links(app, db_session, "verify_email")["verify"]
    assert fresh != path
    assert _confirm(client, fresh).status_code == 302
    db_session.refresh(req)
    assert req.state is RequestState.OPEN
    assert db_session.scalar(select(func.count()).select_from(RightsRequest)) == 1


def test_resend_keeps_the_request_and_invalidates_earlier_links(app, client, db_session, operator):
    req = _file(client, db_session)
    old = outbox_links(app, db_session, "verify_email")["verify"]
    status = outbox_links(app, db_session, "acknowledgement")["status"]
    page = client.get(status)
    assert page.status_code == 200
    resp = client.post(status + "/resend", data={"csrf_token": csrf_token(page)})
    assert resp.status_code == 200
    new = outbox_links(app, db_session, "verify_email")["verify"]
    assert new != old
    assert client.get(old).status_code == 410
    assert _confirm(client, new).status_code == 302
    db_session.refresh(req)
    assert req.state is RequestState.OPEN
    assert db_session.scalar(select(func.count()).select_from(RightsRequest)) == 1
    templates = db_session.scalars(select(OutboxMail.template)).all()
    assert sorted(templates) == ["acknowledgement", "verify_email", "verify_email"]


def test_tampered_and_cross_purpose_tokens_are_404(app, client, db_session, operator):
    req = _file(client, db_session)
    verify = outbox_links(app, db_session, "verify_email")["verify"]
    status = outbox_links(app, db_session, "acknowledgement")["status"]
    token = verify.rsplit("/", 1)[1]
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert client.get("/verify/" + flipped).status_code == 404
    assert client.get("/verify/not-a-token").status_code == 404
    # A status token does not confirm, a confirmation token does not open the status page.
    status_token = status.rsplit("/", 1)[1]
    assert client.get("/verify/" + status_token).status_code == 404
    assert client.get("/status/" + token).status_code == 404
    db_session.refresh(req)
    assert req.state is RequestState.AWAITING_VERIFICATION


def test_a_link_for_one_request_never_touches_another(app, client, db_session, operator):
    first = _file(client, db_session)
    link_a = outbox_links(app, db_session, "verify_email")["verify"]
    second = _file(client, db_session, email="piet@example.nl", name="Piet Jansen")
    link_b = outbox_links(app, db_session, "verify_email")["verify"]
    assert first.id != second.id
    # Payload of B with the signature of A: refused.
    _a_payload, a_rest = link_a.rsplit("/", 1)[1].split(".", 1)
    b_payload = link_b.rsplit("/", 1)[1].split(".", 1)[0]
    assert client.get(f"/verify/{b_payload}.{a_rest}").status_code == 404
    # A's link confirms A only.
    assert _confirm(client, link_a).status_code == 302
    db_session.refresh(first)
    db_session.refresh(second)
    assert first.state is RequestState.OPEN
    assert second.state is RequestState.AWAITING_VERIFICATION
    # The newest acknowledgement is B's: its status link shows B and nothing of A.
    status_b = client.get(outbox_links(app, db_session, "acknowledgement")["status"])
    html = status_b.get_data(as_text=True)
    assert second.reference in html and first.reference not in html


def test_unknown_request_in_a_validly_signed_token_is_404(app, client):
    from portal.tokens import make_token

    with app.test_request_context():
        token = make_token("verify-email", {"r": 999999, "g": 0})
        status = make_token("status", {"r": 999999})
    assert client.get("/verify/" + token).status_code == 404
    assert client.get("/status/" + status).status_code == 404


def test_links_made_before_without_and_after_with_compression_still_read(app) -> None:
    """Tokens are made without itsdangerous' compression attempt (issue 17); a link made
    with it (every link mailed before) reads the same, and a new link reads with the
    library's own serializer."""
    from itsdangerous import URLSafeTimedSerializer

    from portal.tokens import make_token, read_token

    payload = {"r": 7, "g": 1, "note": "x" * 300}  # long and repetitive: zlib would shorten it
    with app.test_request_context():
        library = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="dsr:status")
        old = library.dumps(payload)
        assert old.startswith(".")  # compressed, as the library made every link before
        assert read_token("status", old, 3600) == payload
        new = make_token("status", payload)
        assert not new.startswith(".")
        assert library.loads(new) == payload
