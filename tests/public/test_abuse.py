"""What an attacker or an unlucky visitor sends: known e-mails, header injection, hostile
text, bad files, floods. Always a 4xx with a message or safe storage, never a 500."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from rights.models.case import Document
from rights.models.mail import OutboxMail
from rights.models.request import RightsRequest
from tests.helpers import csrf_token
from tests.public.flow import fill, submit


@pytest.fixture
def operator(make_org):
    from rights.models.org import OrganisationKind

    return make_org(OrganisationKind.OPERATOR, name="Verwerker BV", slug="verwerker")


def _count(db_session, model=RightsRequest):
    return db_session.scalar(select(func.count()).select_from(model))


def _normalise(html: str, refs: list[str]) -> str:
    for ref in refs:
        html = html.replace(ref, "REF")
    html = re.sub(r'value="[^"]{20,}"', 'value="X"', html)
    html = re.sub(r"r(=|%3D)[A-Za-z0-9_.-]{20,}", "r=X", html)  # the receipt link (its ids)
    return html


def test_intake_answers_the_same_for_known_and_unknown_addresses(
    client, db_session, operator, make_request
):
    make_request()  # eva@example.nl is known
    known = submit(client, ["access"], email="eva@example.nl")
    known_page = client.get(known.headers["Location"])
    unknown = submit(client, ["access"], email="nobody@example.nl")
    unknown_page = client.get(unknown.headers["Location"])
    assert known.status_code == unknown.status_code == 302
    # The same page; only its signed receipt (the new requests' ids) differs.
    known_to, unknown_to = (
        urlsplit(known.headers["Location"]),
        urlsplit(unknown.headers["Location"]),
    )
    assert known_to.path == unknown_to.path and len(known_to.query) == len(unknown_to.query)
    refs = list(db_session.scalars(select(RightsRequest.reference)))
    assert known_page.status_code == unknown_page.status_code == 200
    assert _normalise(known_page.get_data(as_text=True), refs) == _normalise(
        unknown_page.get_data(as_text=True), refs
    )


def test_intake_does_the_same_database_work_for_known_and_unknown_addresses(
    app, client, db_session, operator, make_request
):
    """No timed test: the same statements run whether or not the address is known."""
    from sqlalchemy import event

    make_request()
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if "SAVEPOINT" not in statement:  # the test harness's own, numbered
            seen.append(statement)

    engine = db_session.get_bind().engine
    shapes = []
    for address in ("eva@example.nl", "nobody@example.nl"):
        url, data = fill(client, ["access"], email=address)
        seen.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert (
                client.post(url, data=data, content_type="multipart/form-data").status_code == 302
            )
        finally:
            event.remove(engine, "before_cursor_execute", count)
        shapes.append(list(seen))
    # The request, the mails, the audit head, its events (with the head's update in the same
    # statement on PostgreSQL): the listener saw the whole submit, the same both times.
    assert shapes[0] == shapes[1] and len(shapes[0]) >= 4


def test_lost_link_answers_the_same_for_known_and_unknown_addresses(
    client, db_session, make_request
):
    req = make_request()
    answers = []
    for address in ("eva@example.nl", "nobody@example.nl"):
        page = client.get("/lost-link")
        resp = client.post("/lost-link", data={"csrf_token": csrf_token(page), "email": address})
        answers.append((resp.status_code, _normalise(resp.get_data(as_text=True), [])))
    assert answers[0] == answers[1]
    assert answers[0][0] == 200
    mails = db_session.scalars(select(OutboxMail).where(OutboxMail.template == "status_link"))
    assert [(m.to_addr, m.request_id) for m in mails] == [("eva@example.nl", req.id)]


@pytest.mark.parametrize(
    "field",
    ["name", "email", "rect_which", "customer_number"],
)
def test_crlf_and_bcc_injection_is_refused(client, db_session, operator, field):
    url, data = fill(client, ["rectification"])
    data[field] = data[field] + "\r\nBcc: victim@evil.example"
    resp = client.post(url, data=data, content_type="multipart/form-data")
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "error-summary" in html and f'href="#{field}"' in html
    assert _count(db_session) == 0 and _count(db_session, OutboxMail) == 0


def test_a_stored_name_with_crlf_adds_no_header_on_the_wire(app, db_session, make_request):
    """Belt and braces: even a name that reached the database (another channel) cannot add
    a header or a recipient."""
    from portal.worker import send_pending
    from rights.db import now_utc
    from rights.outbox import queue_mail
    from rights.requests import Requester
    from tests.smtp import smtp_server

    req = make_request(
        requester=Requester(name="Eva\r\nBcc: victim@evil.example", email="eva@example.nl")
    )
    queue_mail(
        db_session,
        to=req.requester_email,
        template="acknowledgement",
        language="nl",
        now=now_utc(),
        request_id=req.id,
    )
    db_session.commit()
    app.config.update(MAIL_MODE="smtp", SMTP_HOST="127.0.0.1")
    with smtp_server() as inbox:
        app.config["SMTP_PORT"] = inbox.port
        with app.app_context():
            send_pending(app)
    [received] = inbox.messages
    assert received.envelope_to == ["eva@example.nl"]
    assert received.message["Bcc"] is None
    assert "victim" not in str(received.message["To"]) + str(received.message["Subject"])


HOSTILE = {
    "nul": "Eva\x00 de Boer",
    "huge": "x" * 100_000,
    "control": "Eva\x1b[31m",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("field", ["name", "rect_correct", "address", "phone"])
def test_hostile_text_gets_a_message_not_a_500(client, db_session, operator, kind, field):
    url, data = fill(client, ["rectification"])
    data[field] = HOSTILE[kind]
    resp = client.post(url, data=data, content_type="multipart/form-data")
    assert resp.status_code == 422, resp.status_code
    assert "error-summary" in resp.get_data(as_text=True)
    assert _count(db_session) == 0


@pytest.mark.parametrize(
    "name",
    ["Zoë Ğüneş-Ørsted", "محمد العلي", "\u202eevil\u202c Naam", "😀 Emoji Eva", "李小龙"],
)
def test_unicode_and_rtl_names_are_stored_and_shown_escaped(client, db_session, operator, name):
    resp = submit(client, ["access"], name=name, rect_which="<script>alert(1)</script>")
    assert resp.status_code == 302
    req = db_session.scalars(select(RightsRequest)).one()
    assert req.requester_name == name


def test_hostile_query_arguments_on_the_start_form(client, operator):
    for query in ("org=%00&right=%00", "org=" + "x" * 5000, "right=access&right=bogus", "q=%00"):
        resp = client.get("/request/form?" + query)
        assert resp.status_code == 422
    assert client.get("/request?q=" + "%" * 300).status_code == 200


def test_bad_dates_and_choices_get_messages(client, db_session, operator):
    url, data = fill(client, ["access", "erasure"])
    data.update(access_period_from="31-31-2025", erasure_ground="z")
    resp = client.post(url, data=data, content_type="multipart/form-data")
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'href="#access_period_from"' in html and 'href="#erasure_ground"' in html


def _mandate_post(client, content: bytes, filename: str):
    url, data = fill(
        client, ["access"], acting="other", subject_name="Mila", relationship="mandate"
    )
    data["mandate"] = (io.BytesIO(content), filename)
    return client.post(url, data=data, content_type="multipart/form-data")


def test_upload_with_wrong_magic_bytes_is_refused(client, db_session, operator):
    resp = _mandate_post(client, b"MZ\x90\x00 windows executable", "volmacht.pdf")
    assert resp.status_code == 422
    assert "Alleen PDF-, PNG- en JPEG-bestanden" in resp.get_data(as_text=True)
    assert _count(db_session) == 0 and _count(db_session, Document) == 0


def test_oversize_upload_is_413(app, client, db_session, operator):
    app.config["UPLOAD_MAX_BYTES"] = 1024
    resp = _mandate_post(client, b"%PDF-" + b"0" * 2048, "big.pdf")
    assert resp.status_code == 413
    assert "te groot" in resp.get_data(as_text=True)
    assert _count(db_session) == 0


def test_traversal_filename_is_stored_under_a_random_id(
    app, client, db_session, operator, tmp_path
):
    resp = _mandate_post(client, b"\x89PNG\r\n\x1a\n" + b"0" * 20, "../../../etc/passwd.png")
    assert resp.status_code == 302
    doc = db_session.scalars(select(Document)).one()
    assert doc.filename == "passwd.png"
    assert doc.content_type == "image/png"
    assert ".." not in doc.storage_key and "passwd" not in doc.storage_key
    from portal.storage import document_store

    path = document_store(app).path(doc.storage_key)
    assert path.is_file() and path.resolve().is_relative_to(tmp_path.resolve())
    assert not (tmp_path.parent / "etc").exists()


@pytest.fixture
def limited(app):
    app.config.update(RATELIMIT_PUBLIC_EMAIL="2 per hour", RATELIMIT_PUBLIC_IP="4 per hour")
    return app


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": True}


def test_submit_is_limited_per_email_then_per_ip(limited, client, db_session, operator):
    codes = [submit(client, ["access"], email="eva@example.nl").status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    blocked = submit(client, ["access"], email="eva@example.nl")
    assert blocked.status_code == 429
    assert blocked.headers.get("Retry-After", "").isdigit()
    assert "Te veel pogingen" in blocked.get_data(as_text=True) or "Too many" in blocked.get_data(
        as_text=True
    )
    # Another address from the same IP still works until the IP limit.
    assert submit(client, ["access"], email="piet@example.nl").status_code == 302
    assert submit(client, ["access"], email="kees@example.nl").status_code == 302
    assert submit(client, ["access"], email="anna@example.nl").status_code == 429
    assert _count(db_session) == 4


def test_lost_link_and_resend_are_limited(limited, client, db_session, make_request):
    page = client.get("/lost-link")
    token = csrf_token(page)
    codes = [
        client.post("/lost-link", data={"csrf_token": token, "email": "eva@example.nl"}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    req = make_request()
    from portal.tokens import make_token

    with limited.test_request_context():
        status = "/status/" + make_token("status", {"r": req.id})
    page = client.get(status)
    codes = [
        client.post(status + "/resend", data={"csrf_token": csrf_token(page)}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]


def test_the_limiter_checks_before_each_request_only_when_a_limit_needs_it(app, monkeypatch):
    """Our limits are the routes' own (checked when the route runs, tests above) and the
    machine API's blueprint limit (tests/portal/machine/test_opendsr_limits.py); the
    limiter's before-request check runs for a blueprint with a limit, and stays as it is when
    a default, application or meta limit exists (portal/security.py, ``_route_limits_only``)."""
    from flask import Flask

    from portal.security import _route_limits_only, limiter

    calls = []
    monkeypatch.setattr(limiter, "_check_request_limit", lambda: calls.append(1))
    ours = Flask(__name__)
    ours.before_request(limiter._check_request_limit)
    _route_limits_only(ours)
    assert limiter._check_request_limit not in ours.before_request_funcs[None]
    with app.test_request_context("/request/form"):
        ours.before_request_funcs[None][0]()
    with app.test_request_context("/opendsr/v2/requests", method="POST"):
        from flask import request

        assert request.blueprint in limiter.limit_manager._blueprint_limits
        ours.before_request_funcs[None][0]()
    assert calls == [1]
    monkeypatch.setattr(limiter, "_meta_limits", ["a meta limit"])
    other = Flask(__name__)
    other.before_request(limiter._check_request_limit)
    _route_limits_only(other)
    assert other.before_request_funcs[None] == [limiter._check_request_limit]


def test_over_the_limit_the_form_still_opens_and_a_submit_is_429(limited, client, operator):
    """The intake's limits count POSTs only (``on_post`` in portal/public/blueprint.py)."""
    from tests.public.flow import form_url

    codes = [submit(client, ["access"], email="eva@example.nl").status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert client.get(form_url(["access"])).status_code == 200
    assert submit(client, ["access"], email="eva@example.nl").status_code == 429
