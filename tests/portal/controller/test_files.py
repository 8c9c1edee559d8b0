"""Data files from the controller: a designated contact uploads, views the columns,
deletes early with a certificate; the retention purge on a frozen clock leaves a deletion
the list and its certificate show; a colleague who is not designated only reads; another
organisation's files and deletions are not found (docs/controllers.md)."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import func, select

from operations.jobs import purge_data_files
from rights.models.audit import AuditEvent
from rights.models.controller import DataFileDeletion
from rights.models.source import DataFileUpload, DataRecord
from tests.helpers import csrf_token, ops_context
from tests.portal.controller.results_world import build, freeze

CSV = b"E-mail;Naam;Klantnummer\nanna@example.nl;Anna;77\nbob@example.nl;Bob;78\n"


def _upload(client, source_id, data=CSV, name="mailing-maart.csv"):
    token = csrf_token(client.get("/controller/files/"))
    return client.post(
        "/controller/files/upload",
        data={"csrf_token": token, "source": str(source_id), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _file(db_session, name):
    return db_session.scalar(select(DataFileUpload).where(DataFileUpload.filename == name))


def _events(db_session, action):
    return db_session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_upload_view_purge_on_retention_date_and_certificate(
    app, client, login, db_session, make_org, make_user, make_request, now
):
    freeze(app, now)
    world = build(db_session, make_org, make_user, make_request, now)
    world.a.org.data_file_retention_days = 28
    db_session.commit()
    login(world.a.contact)

    resp = _upload(client, world.a.source.id)
    assert resp.status_code == 303
    upload = _file(db_session, "mailing-maart.csv")
    assert upload is not None and upload.row_count == 2
    assert upload.expires_at == now + timedelta(days=28)
    html = client.get("/controller/files/").get_data(as_text=True)
    assert "mailing-maart.csv" in html and "2 apr 2026" in html  # Amsterdam date, Dutch
    assert "k.csv" in html  # A's own earlier file
    assert _events(db_session, "data_file.ingested")[-1].actor_id == world.a.contact.id

    detail = client.get(f"/controller/files/{upload.id}").get_data(as_text=True)
    assert "E-mail" in detail and "Klantnummer" in detail
    assert "anna@example.nl" not in detail  # columns, never rows
    assert _events(db_session, "data_file.viewed")[-1].object_id == upload.id

    # The purge on the retention date, on a frozen clock.
    later = now + timedelta(days=28)
    assert purge_data_files(ops_context(app, db_session, now=later)) >= 1
    db_session.commit()
    deletion = db_session.scalar(
        select(DataFileDeletion).where(DataFileDeletion.filename == "mailing-maart.csv")
    )
    assert deletion.reason == "retention" and deletion.row_count == 2
    assert deletion.organisation_id == world.a.org.id
    assert db_session.get(DataFileUpload, upload.id) is None

    html = client.get("/controller/files/").get_data(as_text=True)
    assert f"/controller/files/deletions/{deletion.id}.pdf" in html
    assert "Bewaartermijn verstreken" in html
    data = client.get(f"/controller/files/deletions/{deletion.id}.json").get_json()
    assert data["type"] == "data_file_deletion" and data["reason"] == "retention"
    assert data["file"] == "mailing-maart.csv" and data["records"] == 2
    pdf = client.get(f"/controller/files/deletions/{deletion.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert len(_events(db_session, "certificate.downloaded")) == 2


def test_early_deletion_needs_confirmation_and_leaves_a_certificate(
    app, client, login, db_session, make_org, make_user, make_request, now
):
    freeze(app, now)
    world = build(db_session, make_org, make_user, make_request, now)
    login(world.a.contact)
    _upload(client, world.a.source.id)
    upload = _file(db_session, "mailing-maart.csv")
    file_id = upload.id
    token = csrf_token(client.get(f"/controller/files/{file_id}"))

    refused = client.post(f"/controller/files/{file_id}/delete", data={"csrf_token": token})
    assert refused.status_code == 303
    assert "Vink het vakje aan" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert db_session.get(DataFileUpload, file_id) is not None

    resp = client.post(
        f"/controller/files/{file_id}/delete", data={"csrf_token": token, "confirm": "yes"}
    )
    assert resp.status_code == 303
    db_session.expire_all()
    assert db_session.get(DataFileUpload, file_id) is None
    rows = db_session.scalar(
        select(func.count()).select_from(DataRecord).where(DataRecord.file_id == file_id)
    )
    assert rows == 0
    deletion = db_session.scalar(
        select(DataFileDeletion).where(DataFileDeletion.filename == "mailing-maart.csv")
    )
    assert deletion.reason == "early" and deletion.deleted_by_id == world.a.contact.id
    assert _events(db_session, "data_file.deleted")[-1].data["deletion_id"] == deletion.id
    data = client.get(f"/controller/files/deletions/{deletion.id}.json").get_json()
    assert data["reason"] == "early" and data["controller"] == world.a.org.name


def test_upload_errors_are_words_and_store_nothing(
    app, client, login, db_session, make_org, make_user, make_request, now
):
    freeze(app, now)
    world = build(db_session, make_org, make_user, make_request, now)
    login(world.a.contact)
    before = db_session.scalar(select(func.count()).select_from(DataFileUpload))
    resp = _upload(client, world.a.source.id, data=b"Naam;Woonplaats\nAnna;Delft\n", name="x.csv")
    assert resp.status_code == 303
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "e-mailadres" in html.lower() and "no_identifier_column" not in html
    assert db_session.scalar(select(func.count()).select_from(DataFileUpload)) == before


def test_a_colleague_who_is_not_designated_reads_but_cannot_upload_or_delete(
    app, client, login, db_session, make_org, make_user, make_request, now
):
    freeze(app, now)
    world = build(db_session, make_org, make_user, make_request, now)
    mine = db_session.scalar(
        select(DataFileUpload).where(DataFileUpload.source_id == world.a.source.id)
    )
    login(world.colleague)
    html = client.get("/controller/files/").get_data(as_text=True)
    assert "k.csv" in html and 'action="/controller/files/upload"' not in html
    before = db_session.scalar(select(func.count()).select_from(DataFileUpload))
    resp = _upload(client, world.a.source.id)
    assert resp.status_code == 403
    assert "aangewezen contactpersonen" in resp.get_data(as_text=True)
    token = csrf_token(client.get("/controller/files/"))
    resp = client.post(
        f"/controller/files/{mine.id}/delete", data={"csrf_token": token, "confirm": "yes"}
    )
    assert resp.status_code == 403
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(DataFileUpload)) == before
    assert db_session.get(DataFileUpload, mine.id) is not None


def test_another_organisations_files_are_not_found(
    app, client, login, db_session, make_org, make_user, make_request, now
):
    freeze(app, now)
    world = build(db_session, make_org, make_user, make_request, now)
    theirs = db_session.scalar(
        select(DataFileUpload).where(DataFileUpload.source_id == world.b.source.id)
    )
    login(world.a.contact)
    assert client.get(f"/controller/files/{theirs.id}").status_code == 404
    token = csrf_token(client.get("/controller/files/"))
    resp = client.post(
        f"/controller/files/{theirs.id}/delete", data={"csrf_token": token, "confirm": "yes"}
    )
    assert resp.status_code == 404
    assert _upload(client, world.b.source.id).status_code == 404  # B's source in the form
    purge_data_files(ops_context(app, db_session, now=now + timedelta(days=400)))
    db_session.commit()
    deletion = db_session.scalar(
        select(DataFileDeletion).where(DataFileDeletion.organisation_id == world.b.org.id)
    )
    for suffix in ("pdf", "json"):
        assert client.get(f"/controller/files/deletions/{deletion.id}.{suffix}").status_code == 404
    assert client.get("/controller/files/contract-end.pdf").status_code == 404
