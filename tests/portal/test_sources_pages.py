"""The source pages through the real app (CSRF on): registry, upload, discovery, previewed
erasure with four eyes, suppression filter, CLI commands and the purge job."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from operations.jobs import JOBS
from portal.worker import run_once
from rights.models.audit import AuditEvent
from rights.models.org import OrganisationKind, Role
from rights.models.source import (
    ActionStatus,
    DataFileUpload,
    DataRecord,
    DataSource,
    SourceAction,
    SubjectMatch,
)
from rights.requests import Requester
from rights.righttypes import ErasureDetails
from tests.helpers import csrf_token
from tests.rights.sources.conftest import CRM_TOML, build_crm, crm_rows

FILE_TOML = """
slug = "mailing"
name = "Mailingbestand"
kind = "file"
owner = "{owner}"
purposes = ["Direct marketing"]
legal_basis = ["consent"]
"""
DUTCH_CSV = (
    "Voornaam;Achternaam;E-mailadres;Telefoon\r\n"
    "Pieter;Smit;P.Smit@example.nl;06-12345678\r\n"
    "Zoë;Janssen;zoe@example.nl;\r\n"
).encode("cp1252")


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def _post(client, page_url, url, data, **kw):
    page = client.get(page_url)
    return client.post(url, data={**data, "csrf_token": csrf_token(page)}, **kw)


def test_registry_pages_are_for_admins_only(client, login, make_user):
    login(make_user(Role.OFFICER))
    assert client.get("/staff/sources/").status_code == 404


def test_admin_loads_a_source_and_uploads_a_dutch_csv(client, login, admin, make_org, db_session):
    org = make_org()
    login(admin)
    resp = _post(
        client,
        "/staff/sources/",
        "/staff/sources/",
        {"definition": FILE_TOML.format(owner=org.slug)},
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/staff/sources/mailing")
    detail = client.get("/staff/sources/mailing")
    assert "Mailingbestand" in detail.get_data(as_text=True)
    resp = _post(
        client, "/staff/sources/mailing", "/staff/sources/mailing/upload",
        {"file": (io.BytesIO(DUTCH_CSV), "klanten.csv")}, content_type="multipart/form-data",
        follow_redirects=True,
    )  # fmt: skip
    assert resp.status_code == 200
    assert "2 rijen" in resp.get_data(as_text=True) or "2 rows" in resp.get_data(as_text=True)
    source = db_session.scalar(select(DataSource).where(DataSource.slug == "mailing"))
    (upload,) = db_session.scalars(
        select(DataFileUpload).where(DataFileUpload.source_id == source.id)
    )
    assert upload.row_count == 2

    # A column the guesser does not know, mapped by hand.
    resp = _post(
        client, "/staff/sources/mailing", "/staff/sources/mailing/upload",
        {"file": (io.BytesIO(b"Wie;Bereik\r\nA;a@example.nl\r\n"), "x.csv"),
         "roles": "Bereik = email\r\n"},
        content_type="multipart/form-data", follow_redirects=True,
    )  # fmt: skip
    assert "flash-error" not in resp.get_data(as_text=True)
    assert db_session.scalar(select(DataRecord.email).where(DataRecord.email == "a@example.nl"))

    # A broken file: a clear message, nothing stored, no 500.
    resp = _post(
        client, "/staff/sources/mailing", "/staff/sources/mailing/upload",
        {"file": (io.BytesIO(b"%PDF-1.4 nope"), "x.csv")}, content_type="multipart/form-data",
        follow_redirects=True,
    )  # fmt: skip
    assert resp.status_code == 200
    assert "flash-error" in resp.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(DataFileUpload)) == 2


def test_bad_definition_gives_a_clear_message(client, login, admin):
    login(admin)
    resp = _post(
        client, "/staff/sources/", "/staff/sources/", {"definition": "slug = 'x'\nkind = 'sql'"},
        follow_redirects=True,
    )  # fmt: skip
    assert resp.status_code == 200
    assert "flash-error" in resp.get_data(as_text=True)


def test_officer_finds_previews_and_a_second_officer_executes_an_erasure(
    client, login, admin, make_user, make_org, make_request, db_session, tmp_path
):
    org = make_org(OrganisationKind.OPERATOR)  # its own CRM: no controller approves here
    url = f"sqlite:///{tmp_path / 'crm.sqlite'}"
    build_crm(url)
    login(admin)
    resp = _post(
        client, "/staff/sources/", "/staff/sources/",
        {"definition": CRM_TOML.format(suffix="p", owner=org.slug), "url": url},
    )  # fmt: skip
    assert resp.status_code == 302
    resp = _post(
        client, "/staff/sources/crm-p", "/staff/sources/crm-p/check", {}, follow_redirects=True
    )
    assert "flash-info" in resp.get_data(as_text=True)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client.get("/staff/"))})

    first, second = make_user(Role.OFFICER), make_user(Role.OFFICER)
    request = make_request(
        ErasureDetails(), requester=Requester(name="Pieter Smit", email="p.smit@example.nl")
    )
    page_url = f"/staff/requests/{request.reference}/data"
    login(first)
    resp = _post(client, page_url, f"{page_url}/discover", {}, follow_redirects=True)
    assert resp.status_code == 200
    (match,) = db_session.scalars(select(SubjectMatch).where(SubjectMatch.request_id == request.id))
    html = client.get(page_url).get_data(as_text=True)
    # The officer sees the matched row to judge it; the view is audited.
    assert "customer #1" in html and "P.Smit@Example.nl" in html
    assert db_session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "sources.data_viewed")
    )
    _post(client, page_url, f"{page_url}/matches/{match.id}", {"decision": "confirm"})
    source = db_session.scalar(select(DataSource).where(DataSource.slug == "crm-p"))
    resp = _post(
        client, page_url, f"{page_url}/actions", {"kind": "erase", "source": str(source.id)}
    )
    assert resp.status_code == 302
    (action,) = db_session.scalars(
        select(SourceAction).where(SourceAction.request_id == request.id)
    )
    page = client.get(page_url).get_data(as_text=True)
    assert "invoice #20" in page and "orders #10" in page
    # The same officer cannot execute the erasure they prepared.
    resp = _post(
        client, page_url, f"{page_url}/actions/{action.id}/execute", {}, follow_redirects=True
    )
    assert "flash-error" in resp.get_data(as_text=True)
    assert len(crm_rows(url, "orders")) == 3
    client.post("/auth/logout", data={"csrf_token": csrf_token(client.get("/staff/"))})

    login(second)
    resp = _post(
        client, page_url, f"{page_url}/actions/{action.id}/execute", {}, follow_redirects=True
    )
    html = resp.get_data(as_text=True)
    db_session.refresh(action)
    assert action.status is ActionStatus.EXECUTED
    assert [o["id"] for o in crm_rows(url, "orders")] == [12]
    assert "Art. 17(3)(b)" in html and "7 jaar" in html  # kept, and why, for the letter


def test_unreachable_source_is_reported_on_the_case(
    client, login, admin, make_user, make_org, make_request, tmp_path
):
    org = make_org()
    login(admin)
    _post(
        client, "/staff/sources/", "/staff/sources/",
        {"definition": CRM_TOML.format(suffix="u", owner=org.slug),
         "url": f"sqlite:///{tmp_path / 'no' / 'such.sqlite'}"},
    )  # fmt: skip
    request = make_request()
    page_url = f"/staff/requests/{request.reference}/data"
    resp = _post(client, page_url, f"{page_url}/discover", {}, follow_redirects=True)
    assert resp.status_code == 200
    assert "flash-error" in resp.get_data(as_text=True)


def test_suppression_filter_page_returns_the_file_and_counts(client, login, admin, make_org):
    org = make_org()
    login(admin)
    resp = _post(
        client, "/staff/sources/suppression", "/staff/sources/suppression",
        {"organisation": str(org.id), "file": (io.BytesIO(DUTCH_CSV), "m.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.headers["X-Suppressed-Count"] == "0" and resp.headers["X-Kept-Count"] == "2"


def test_cli_load_upload_filter_and_purge_job(app, db_session, make_org, tmp_path, now):
    org = make_org()
    definition = tmp_path / "mailing.toml"
    definition.write_text(FILE_TOML.format(owner=org.slug))
    data = tmp_path / "k.csv"
    data.write_bytes(DUTCH_CSV)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sources", "load", str(definition)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["sources", "upload", "mailing", str(data), "--days", "1"])
    assert result.exit_code == 0 and "2 rows imported" in result.output
    out = tmp_path / "out.csv"
    result = runner.invoke(
        args=["sources", "filter-mailing", "--organisation", org.slug, str(data), str(out)]
    )
    assert result.exit_code == 0 and "2 kept, 0 removed" in result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"naam;woonplaats\r\nA;B\r\n")
    result = runner.invoke(args=["sources", "upload", "mailing", str(bad)])
    assert result.exit_code != 0 and "Geen kolom bevat een e-mailadres" in result.output
    assert "no_identifier_column" not in result.output  # words, not the code

    assert "purge_data_files" in JOBS
    upload = db_session.scalar(select(DataFileUpload))
    upload.expires_at = upload.expires_at - timedelta(days=2)
    db_session.commit()
    assert run_once(app).jobs >= 1
    assert db_session.scalar(select(func.count()).select_from(DataRecord)) == 0


@pytest.mark.parametrize(
    ("template", "context", "expected"),
    [
        ("recipient_notice", {"task_id": 7, "action": "erase", "reference": "X"}, "art. 17 AVG"),
        # The named person reads the date in words, not as ISO text.
        (
            "manual_task",
            {"task_id": 7, "source": "Archief", "due": "2026-03-12"},
            "ons uiterlijk donderdag 12 maart 2026 te laten weten",
        ),
        ("restriction_lifted", {"source": "CRM"}, "art. 18 lid 3 AVG"),
    ],
)
def test_source_mails_render_in_dutch(app, db_session, make_request, template, context, expected):
    from portal.mail import render
    from rights.outbox import queue_mail

    request = make_request()
    mail = queue_mail(
        db_session, to="x@example.org", template=template, language="nl",
        now=request.received_at, request_id=request.id, context=context,
    )  # fmt: skip
    with app.test_request_context():
        message = render(db_session, mail)
    body = message.get_body().get_content()
    assert expected in body and request.reference in str(message["Subject"]) + body
    assert "2026-03-12" not in body
