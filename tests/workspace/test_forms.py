"""The WTForms forms of the case page and the source pages: a bad value is a 4xx with a
Dutch message, and nothing of the form is stored."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from rights.models.case import Message
from rights.models.org import Role
from rights.models.request import Channel
from rights.models.source import DataFileUpload, SourceAction
from tests.helpers import csrf_token

FILE_TOML = """
slug = "mailing"
name = "Mailingbestand"
kind = "file"
owner = "{owner}"
purposes = ["Direct marketing"]
legal_basis = ["consent"]
"""


def _recent(make_request):
    return make_request(received_at=datetime.now(UTC) - timedelta(days=1), channel=Channel.EMAIL)


def test_a_too_long_message_is_refused_in_dutch_and_not_stored(
    officer, make_request, act, db_session
):
    r = _recent(make_request)
    resp = act(r.reference, "message", body="x" * 50_001)
    assert resp.status_code == 422
    assert "Deze tekst is te lang (hoogstens 50000 tekens)." in resp.get_data(as_text=True)
    count = select(func.count(Message.id)).where(Message.request_id == r.id)
    assert db_session.scalar(count) == 0
    assert act(r.reference, "message", body="Kort\x00 bericht").status_code == 303
    assert db_session.scalar(select(Message.body).where(Message.request_id == r.id)) == (
        "Kort bericht"
    )


def test_an_assignee_that_is_no_id_is_refused(officer, make_request, act, db_session):
    r = _recent(make_request)
    for raw in ("99999999999999999999", "2147483648", "abc", "-3"):
        resp = act(r.reference, "assign", assignee=raw)
        assert resp.status_code == 422, raw
        assert "Alleen een actieve medewerker kan behandelaar zijn." in resp.get_data(as_text=True)
    db_session.expire_all()
    assert r.assignee_id is None
    assert act(r.reference, "assign", assignee=str(officer.id)).status_code == 303


def test_split_with_a_malformed_organisation_is_refused(officer, make_request, make_org, act):
    r = _recent(make_request)
    org = make_org()
    resp = act(r.reference, "split", organisations=[str(org.id), "1e9"], confirm="yes")
    assert resp.status_code == 422
    assert "Kies ten minste twee" in resp.get_data(as_text=True)


def test_queue_ignores_filters_that_are_not_choices(client, officer, make_request):
    r = _recent(make_request)
    resp = client.get("/staff/?state=nope&org=99999999999999999999&assignee=x&page=-1")
    assert resp.status_code == 200 and r.reference in resp.get_data(as_text=True)


def test_source_upload_with_a_bad_retention_stores_nothing(
    client, login, make_user, make_org, db_session
):
    login(make_user(Role.ADMIN))
    page = client.get("/staff/sources/")
    data = {"csrf_token": csrf_token(page), "definition": FILE_TOML.format(owner=make_org().slug)}
    assert client.post("/staff/sources/", data=data).status_code == 302
    page = client.get("/staff/sources/mailing")
    for days in ("abc", "12345", "-1"):
        resp = client.post(
            "/staff/sources/mailing/upload",
            data={
                "csrf_token": csrf_token(page),
                "retention_days": days,
                "file": (io.BytesIO(b"E-mail\r\na@example.nl\r\n"), "x.csv"),
            },
            content_type="multipart/form-data",
            follow_redirects=True,
        )
        assert "De bewaartermijn" in resp.get_data(as_text=True), days
    assert db_session.scalar(select(func.count()).select_from(DataFileUpload)) == 0


def test_an_action_of_an_unknown_kind_is_400(client, officer, make_request, db_session):
    r = make_request()
    url = f"/staff/requests/{r.reference}/data"
    token = csrf_token(client.get(url))
    for data in ({"kind": "explode"}, {"kind": "erase", "source": "99999999999999999999"}):
        resp = client.post(f"{url}/actions", data={"csrf_token": token, **data})
        assert resp.status_code == 400, data
    assert db_session.scalar(select(func.count()).select_from(SourceAction)) == 0
