"""A manual source's named person answers the search task through the link in the task mail
(no account, CSRF on): with a file, without one, and the link's limits (reuse, expiry,
tampering, wrong file type); the officer sees the answer and downloads the file."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from portal.worker import run_once
from rights.audit import SYSTEM, verify_chain
from rights.crypto import parse_key
from rights.db import now_utc
from rights.models.audit import AuditEvent
from rights.models.case import Document, DocumentKind
from rights.models.mail import OutboxMail
from rights.models.org import Role
from rights.models.source import SourceTask, TaskStatus
from rights.requests import Requester
from rights.sources.discovery import discover
from rights.sources.registry import load_source, parse_source_toml
from tests.helpers import csrf_token
from tests.smtp import smtp_server

MANUAL_TOML = """
slug = "archief"
name = "Papieren archief"
kind = "manual"
owner = "{owner}"
purposes = ["Administratie"]
legal_basis = ["contract"]

[manual]
assignee_name = "Jan Archivaris"
assignee_email = "jan@example.org"
due_days = 5
instructions = "Zoek in de ordners 2019-2025."
"""
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def task_link(app, db_session, make_org, make_request):
    """A manual source, a request, discovery (creates and mails the task): the link."""
    org = make_org()
    key = parse_key(app.config["ENCRYPTION_KEY"])
    spec = parse_source_toml(MANUAL_TOML.format(owner=org.slug))
    load_source(db_session, spec, actor=SYSTEM, now=now_utc(), key=key)
    request = make_request(
        requester=Requester(name="Pieter Smit", email="p.smit@example.nl", phone="0612345678")
    )
    discover(db_session, request, actor=SYSTEM, now=now_utc(), key=key)
    db_session.commit()
    task = db_session.scalar(select(SourceTask).where(SourceTask.request_id == request.id))
    assert db_session.scalar(select(OutboxMail).where(OutboxMail.template == "manual_task"))
    # The task mail leaves through a real SMTP server, as in production.
    app.config.update(MAIL_MODE="smtp", SMTP_HOST="127.0.0.1", MAIL_FROM="privacy@portal.test")
    with smtp_server() as inbox:
        app.config["SMTP_PORT"] = inbox.port
        run_once(app)
    [received] = [m for m in inbox.messages if m.envelope_to == ["jan@example.org"]]
    body = received.message.get_body().get_content()
    assert request.reference in str(received.message["Subject"])
    found = re.search(r"http\S+/tasks/(\S+)", body)
    assert found, body
    return request, task, f"/tasks/{found.group(1)}"


def _answer(client, url, data, **kw):
    page = client.get(url)
    assert page.status_code == 200
    return client.post(
        url,
        data={**data, "csrf_token": csrf_token(page)},
        content_type="multipart/form-data",
        **kw,
    )


def _actions(db_session, request_id):
    return [
        e.action
        for e in db_session.scalars(
            select(AuditEvent).where(AuditEvent.request_id == request_id).order_by(AuditEvent.seq)
        )
    ]


def test_page_shows_what_is_asked_in_dutch(client, task_link):
    request, _, url = task_link
    html = client.get(url).get_data(as_text=True)
    assert request.reference in html and "Papieren archief" in html
    assert "Zoek in de ordners 2019-2025." in html
    assert "Pieter Smit" in html and "p.smit@example.nl" in html
    assert "Niets gevonden" in html  # Dutch by default


def test_named_person_uploads_what_was_found_and_officer_downloads_it(
    client, task_link, db_session, login, make_user
):
    request, task, url = task_link
    resp = _answer(
        client, url,
        {"outcome": "uploaded", "note": "Twee ordners", "file": (io.BytesIO(PDF), "scan.pdf")},
    )  # fmt: skip
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    db_session.refresh(task)
    assert task.status is TaskStatus.DONE and task.outcome == "uploaded"
    assert task.answer == "Twee ordners" and task.done_by_id is None
    doc = db_session.get(Document, task.document_id)
    assert doc.kind is DocumentKind.EVIDENCE and doc.content_type == "application/pdf"
    assert doc.request_id == request.id
    actions = _actions(db_session, request.id)
    assert "document.stored" in actions and "source_task.answered" in actions

    # Nobody without a staff login gets the file.
    file_url = f"/staff/requests/{request.reference}/data/tasks/{task.id}/file"
    assert client.get(file_url).status_code in (302, 404)
    login(make_user(Role.OFFICER))
    html = client.get(f"/staff/requests/{request.reference}/data").get_data(as_text=True)
    assert "Twee ordners" in html and "scan.pdf" in html
    resp = client.get(file_url)
    assert resp.status_code == 200 and resp.data == PDF
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "document.downloaded" in _actions(db_session, request.id)
    assert verify_chain(db_session).ok


def test_named_person_confirms_nothing_found_with_a_note(client, task_link, db_session):
    _, task, url = task_link
    resp = _answer(client, url, {"outcome": "nothing_found", "note": "Niet in het archief"})
    assert resp.status_code == 200
    db_session.refresh(task)
    assert task.outcome == "nothing_found" and task.document_id is None
    assert task.answer == "Niet in het archief"


def test_reused_link_is_gone_and_audited(client, task_link, db_session):
    request, task, url = task_link
    _answer(client, url, {"outcome": "done", "note": "Verwijderd uit het archief"})
    assert client.get(url).status_code == 410
    resp = client.post(url, data={"outcome": "done", "note": "nogmaals"})
    assert resp.status_code in (400, 410)  # no form, no CSRF token: nothing changes
    db_session.refresh(task)
    assert task.answer == "Verwijderd uit het archief"
    assert "source_task.link_reused" in _actions(db_session, request.id)


def test_expired_link_is_gone(app, client, task_link):
    _, _, url = task_link
    app.config["TASK_LINK_DAYS"] = -1
    resp = client.get(url)
    assert resp.status_code == 410
    assert "Deze link werkt niet meer" in resp.get_data(as_text=True)


def test_tampered_or_foreign_link_is_not_found(app, client, task_link):
    _, task, url = task_link
    assert client.get(url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")).status_code == 404
    with app.test_request_context():
        from portal.tokens import make_token

        status_token = make_token("status", {"t": task.id})
        other_task = make_token("source-task", {"t": task.id + 999})
    assert client.get(f"/tasks/{status_token}").status_code == 404
    assert client.get(f"/tasks/{other_task}").status_code == 404


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("scan.pdf", b"MZ\x90\x00\x03\x00\x00\x00 not a pdf"),  # an executable named .pdf
        ("list.csv", b"naam,email\x00\x01\x02"),  # binary posing as text
        ("book.xlsx", b"PK\x03\x04 broken zip"),
    ],
)
def test_wrong_file_type_is_refused_and_nothing_is_written(
    client, task_link, db_session, name, data
):
    request, task, url = task_link
    resp = _answer(
        client, url, {"outcome": "uploaded", "note": "", "file": (io.BytesIO(data), name)}
    )
    assert resp.status_code == 422
    assert "Alleen PDF-, PNG-, JPEG-, XLSX-, CSV- en tekstbestanden" in resp.get_data(as_text=True)
    db_session.refresh(task)
    assert task.status is not TaskStatus.DONE
    assert db_session.scalar(select(Document).where(Document.request_id == request.id)) is None


def _xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("gevonden.csv", "naam;e-mail\r\nPieter Smit;p.smit@example.nl\r\n".encode("cp1252"),
         "text/csv"),
        ("notitie.txt", "Gevonden in ordner 3, blz. 12 — Zoë".encode(), "text/plain"),
        ("export.xlsx", _xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)  # fmt: skip
def test_text_and_spreadsheet_answers_are_accepted(
    client, task_link, db_session, name, data, content_type
):
    _, task, url = task_link
    resp = _answer(client, url, {"outcome": "uploaded", "file": (io.BytesIO(data), name)})
    assert resp.status_code == 200
    db_session.refresh(task)
    assert db_session.get(Document, task.document_id).content_type == content_type


def test_confirmation_without_note_or_choice_asks_again(client, task_link, db_session):
    _, task, url = task_link
    assert _answer(client, url, {"outcome": "done", "note": "  "}).status_code == 422
    resp = _answer(client, url, {"note": "iets"})
    assert resp.status_code == 422
    assert _answer(client, url, {"outcome": "uploaded", "note": "x"}).status_code == 422
    db_session.refresh(task)
    assert task.status is not TaskStatus.DONE


def test_overdue_task_is_listed_for_the_officer(client, task_link, db_session, login, make_user):
    request, task, _ = task_link
    task.due = task.created_at.date().replace(year=2020)
    db_session.commit()
    login(make_user(Role.OFFICER))
    html = client.get(f"/staff/requests/{request.reference}/data").get_data(as_text=True)
    assert "Achterstallige taken" in html and "Jan Archivaris" in html


def test_a_racing_second_answer_is_refused(app, task_link, db_session, tmp_path):
    """Two answers in flight: the one that comes second finds the task done and writes nothing."""
    from sqlalchemy import update

    from rights.documents import DocumentStore
    from rights.errors import Gone
    from rights.sources.tasks import answer_task

    _, task, _ = task_link
    db_session.execute(
        update(SourceTask)
        .where(SourceTask.id == task.id)
        .values(status=TaskStatus.DONE)
        .execution_options(synchronize_session=False)
    )
    assert task.status is not TaskStatus.DONE  # this worker's copy is stale
    store = DocumentStore(root=tmp_path, key=parse_key(app.config["ENCRYPTION_KEY"]))
    with pytest.raises(Gone):
        answer_task(
            db_session, store, task, outcome="uploaded", note="", upload=PDF,
            filename="scan.pdf", now=now_utc(),
        )  # fmt: skip
    assert not list(tmp_path.rglob("*")) or all(p.is_dir() for p in tmp_path.rglob("*"))


def test_page_in_english_after_the_language_switch(client, task_link):
    _, _, url = task_link
    client.get("/lang/en")
    html = client.get(url).get_data(as_text=True)
    assert "Nothing found" in html and "Done as asked" in html and "Niets gevonden" not in html
