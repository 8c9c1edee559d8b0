"""Uploaded data files: ingest (Dutch CSV, XLSX), nothing half-imported, purge, and the
actions on file records (erase, restrict, suppress) previewed and executed."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from rights.actions import execute_action, prepare_action
from rights.audit import SYSTEM, Actor
from rights.errors import DataFileError
from rights.identifiers import derive_hash_key
from rights.models.mail import OutboxMail
from rights.models.source import (
    ActionKind,
    DataFileUpload,
    DataRecord,
    DataSource,
    SourceKind,
    SourceTask,
    SubjectMatch,
    SuppressionEntry,
)
from rights.requests import Requester
from rights.righttypes import ObjectionDetails, RestrictionDetails
from rights.sources.discovery import discover
from rights.sources.ingest import ingest_data_file, processing_rows, purge_expired_files
from rights.sources.matching import controllers_found, decide_match
from rights.sources.suppression import filter_mailing
from tests.rights.sources.conftest import DUTCH_CSV, KEY


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_dutch_windows_1252_csv_is_ingested_with_normalised_identifiers(
    db_session, file_source, now
):
    upload = ingest_data_file(
        db_session, file_source, io.BytesIO(DUTCH_CSV), "klanten.csv", actor=SYSTEM, now=now
    )
    assert upload.row_count == 3 and upload.file_kind == "csv"
    assert upload.expires_at == now + timedelta(days=30)
    records = db_session.scalars(
        select(DataRecord).where(DataRecord.file_id == upload.id).order_by(DataRecord.row_number)
    ).all()
    first = records[0]
    assert (first.email, first.phone, first.address_key, first.customer_number) == (
        "rene@example.nl",
        "+31612345678",
        "1234AB:12",
        "1001",
    )
    assert first.values["Voornaam"] == "René" and first.name_key == "rene eekhout"
    assert records[1].email is None and records[1].phone == "+31687654321"


def test_xlsx_is_ingested(db_session, file_source, now):
    data = _xlsx([["Email", "Naam"], ["a@example.nl", "A"], ["B@Example.nl", "B"]])
    upload = ingest_data_file(db_session, file_source, data, "lijst.xlsx", actor=SYSTEM, now=now)
    emails = db_session.scalars(
        select(DataRecord.email).where(DataRecord.file_id == upload.id).order_by(DataRecord.id)
    ).all()
    assert upload.file_kind == "xlsx" and emails == ["a@example.nl", "b@example.nl"]


def test_bad_row_late_in_the_file_leaves_nothing_imported(db_session, file_source, now):
    good = "".join(f"r{i}@example.nl;{i}\r\n" for i in range(12_000))
    data = ("E-mail;Nr\r\n" + good + "x@example.nl;1;surplus\r\n").encode()
    before = db_session.scalar(select(func.count()).select_from(DataRecord))
    with pytest.raises(DataFileError) as info:
        ingest_data_file(db_session, file_source, io.BytesIO(data), "a.csv", actor=SYSTEM, now=now)
    assert info.value.code == "too_many_columns" and info.value.params["row"] == 12_002
    assert db_session.scalar(select(func.count()).select_from(DataRecord)) == before
    assert (
        db_session.scalars(
            select(DataFileUpload).where(DataFileUpload.source_id == file_source.id)
        ).all()
        == []
    )


def test_broken_xlsx_is_refused(db_session, file_source, now):
    data = _xlsx([["Email"], ["a@example.nl"]]).getvalue()[:300]
    with pytest.raises(DataFileError):
        ingest_data_file(db_session, file_source, io.BytesIO(data), "x.xlsx", actor=SYSTEM, now=now)


def test_purge_removes_expired_files_and_their_records_only(db_session, file_source, now):
    old = ingest_data_file(
        db_session,
        file_source,
        io.BytesIO(DUTCH_CSV),
        "old.csv",
        actor=SYSTEM,
        now=now - timedelta(days=31),
    )
    fresh = ingest_data_file(
        db_session, file_source, io.BytesIO(DUTCH_CSV), "new.csv", actor=SYSTEM, now=now
    )
    old_id = old.id
    assert purge_expired_files(db_session, now=now) == 1
    assert db_session.get(DataFileUpload, old_id) is None
    assert db_session.scalar(select(func.count()).where(DataRecord.file_id == old_id)) == 0
    assert db_session.scalar(select(func.count()).where(DataRecord.file_id == fresh.id)) == 3
    assert purge_expired_files(db_session, now=now) == 0


def _confirm_all(db_session, request, actor, now):
    report = discover(db_session, request, actor=actor, now=now, key=KEY)
    for match in db_session.scalars(
        select(SubjectMatch).where(SubjectMatch.request_id == request.id)
    ):
        decide_match(db_session, match, confirm=True, actor=actor, now=now)
    return report


def test_restricted_record_is_left_out_of_the_processing_export(
    db_session, file_source, make_request, make_user, now
):
    upload = ingest_data_file(
        db_session, file_source, io.BytesIO(DUTCH_CSV), "k.csv", actor=SYSTEM, now=now
    )
    actor = Actor.user(make_user().id)
    request = make_request(
        RestrictionDetails(), requester=Requester(name="René Eëkhout", email="rene@example.nl")
    )
    report = _confirm_all(db_session, request, actor, now)
    assert report.found == 1
    action = prepare_action(
        db_session, request, file_source, ActionKind.RESTRICT, actor=actor, now=now, key=KEY
    )
    execute_action(db_session, action, actor=actor, now=now, key=KEY)
    assert action.result["executed"] == action.plan and len(action.plan) == 1
    usable, restricted = processing_rows(db_session, upload)
    assert [r["Klantnummer"] for r in usable] == ["1002", "1003"]
    assert [r["Klantnummer"] for r in restricted] == ["1001"]


def test_found_by_phone_and_by_address_with_name(
    db_session, file_source, make_request, make_user, now
):
    ingest_data_file(db_session, file_source, io.BytesIO(DUTCH_CSV), "k.csv", actor=SYSTEM, now=now)
    actor = Actor.user(make_user().id)
    by_phone = make_request(
        requester=Requester(name="X", email="nobody@example.org", phone="+31687654321")
    )
    discover(db_session, by_phone, actor=actor, now=now, key=KEY)
    by_address = make_request(
        requester=Requester(
            name="Rene Eekhout", email="nobody@example.org", address="Kerkweg 12, 1234AB Den Haag"
        )
    )
    discover(db_session, by_address, actor=actor, now=now, key=KEY)
    other_name = make_request(
        requester=Requester(
            name="Piet Eekhout", email="nobody@example.org", address="Kerkweg 12, 1234AB Den Haag"
        )
    )
    discover(db_session, other_name, actor=actor, now=now, key=KEY)
    how = {
        r.id: [
            m.matched_by
            for m in db_session.scalars(select(SubjectMatch).where(SubjectMatch.request_id == r.id))
        ]
        for r in (by_phone, by_address, other_name)
    }
    assert how == {by_phone.id: ["phone"], by_address.id: ["address_name"], other_name.id: []}


def test_erasure_of_file_records_and_failure_in_the_middle(
    db_session, file_source, make_request, make_user, now, failing_writes
):
    upload = ingest_data_file(
        db_session, file_source, io.BytesIO(DUTCH_CSV * 1), "k.csv", actor=SYSTEM, now=now
    )
    ingest_data_file(
        db_session, file_source, io.BytesIO(DUTCH_CSV), "k2.csv", actor=SYSTEM, now=now
    )
    preparer, executor = Actor.user(make_user().id), Actor.user(make_user().id)
    request = make_request(requester=Requester(name="Kees Visser", email="kees@example.nl"))
    _confirm_all(db_session, request, preparer, now)
    action = prepare_action(
        db_session, request, file_source, ActionKind.ERASE, actor=preparer, now=now, key=KEY
    )
    assert len(action.plan) == 2
    count = db_session.scalar(select(func.count()).select_from(DataRecord))
    with (
        failing_writes(SourceKind.FILE, after=1) as failing,
        pytest.raises(Exception, match="Injected"),
    ):
        execute_action(db_session, action, actor=executor, now=now, key=KEY)
    assert [view.written for view in failing.views] == [1]  # one record was deleted, then
    assert db_session.scalar(select(func.count()).select_from(DataRecord)) == count
    execute_action(db_session, action, actor=executor, now=now, key=KEY)
    assert action.result["executed"] == action.plan
    assert db_session.scalar(select(func.count()).select_from(DataRecord)) == count - 2
    assert db_session.scalar(select(func.count()).where(DataRecord.file_id == upload.id)) == 2


def test_suppression_then_filter_removes_exactly_the_suppressed_people(
    db_session, file_source, make_request, make_user, now
):
    ingest_data_file(db_session, file_source, io.BytesIO(DUTCH_CSV), "k.csv", actor=SYSTEM, now=now)
    actor = Actor.user(make_user().id)
    request = make_request(
        ObjectionDetails(),
        requester=Requester(name="René", email="rene@example.nl"),
        organisation_id=file_source.organisation_id,
    )
    _confirm_all(db_session, request, actor, now)
    action = prepare_action(
        db_session, request, None, ActionKind.SUPPRESS, actor=actor, now=now, key=KEY
    )
    # E-mail from the request, plus the phone and customer number of the matched record.
    assert {op["hash"].split(":")[0] for op in action.plan} == {"email", "phone", "customer_number"}
    execute_action(db_session, action, actor=actor, now=now, key=KEY)
    entries = db_session.scalars(
        select(SuppressionEntry).where(SuppressionEntry.request_id == request.id)
    ).all()
    assert sorted(e.identifier_hash for e in entries) == sorted(op["hash"] for op in action.plan)
    assert "rene" not in str([e.identifier_hash for e in entries])

    mailing = (
        b"email,telefoon,naam\n"
        b"RENE@example.nl,,Same person by e-mail\n"
        b",+31 6 12345678,Same person by phone\n"
        b"anna@example.nl,0687654322,Someone else\n"
        b"=cmd|x,,Formula\n"
    )
    result = filter_mailing(
        db_session,
        file_source.organisation,
        io.BytesIO(mailing),
        "m.csv",
        hash_key=derive_hash_key(KEY),
        actor=actor,
        now=now,
    )
    assert (result.kept, result.removed) == (2, 2)
    text = result.csv_bytes.decode("utf-8-sig")
    assert "Someone else" in text and "Same person" not in text
    assert "'=cmd|x" in text


def test_notify_recipients_creates_a_task_and_mail_per_recipient(
    db_session, file_source, make_request, make_user, now
):
    ingest_data_file(db_session, file_source, io.BytesIO(DUTCH_CSV), "k.csv", actor=SYSTEM, now=now)
    actor = Actor.user(make_user().id)
    request = make_request(
        RestrictionDetails(), requester=Requester(name="Kees", email="kees@example.nl")
    )
    _confirm_all(db_session, request, actor, now)
    execute_action(
        db_session,
        prepare_action(
            db_session, request, file_source, ActionKind.RESTRICT, actor=actor, now=now, key=KEY
        ),
        actor=actor,
        now=now,
        key=KEY,
    )
    notify = prepare_action(
        db_session, request, None, ActionKind.NOTIFY, actor=actor, now=now, key=KEY
    )
    assert [(op["recipient"], op["action"]) for op in notify.plan] == [("Mailhuis", "restrict")]
    execute_action(db_session, notify, actor=actor, now=now, key=KEY)
    (task,) = db_session.scalars(select(SourceTask).where(SourceTask.request_id == request.id))
    assert task.status.value == "sent" and task.assignee_email == "privacy@mailhuis.example"
    mails = db_session.scalars(
        select(OutboxMail).where(
            OutboxMail.request_id == request.id, OutboxMail.template == "recipient_notice"
        )
    ).all()
    assert [m.to_addr for m in mails] == ["privacy@mailhuis.example"]


def test_lifting_a_restriction_tells_the_subject_first(
    db_session, file_source, make_request, make_user, now
):
    upload = ingest_data_file(
        db_session, file_source, io.BytesIO(DUTCH_CSV), "k.csv", actor=SYSTEM, now=now
    )
    actor = Actor.user(make_user().id)
    request = make_request(
        RestrictionDetails(), requester=Requester(name="Kees", email="kees@example.nl")
    )
    _confirm_all(db_session, request, actor, now)
    restrict = prepare_action(
        db_session, request, file_source, ActionKind.RESTRICT, actor=actor, now=now, key=KEY
    )
    execute_action(db_session, restrict, actor=actor, now=now, key=KEY)
    lift = prepare_action(
        db_session, request, file_source, ActionKind.LIFT_RESTRICTION, actor=actor, now=now, key=KEY
    )
    assert [op["set"] for op in lift.plan] == [{"restricted": False}]
    execute_action(db_session, lift, actor=actor, now=now, key=KEY)
    (notice,) = db_session.scalars(
        select(OutboxMail).where(
            OutboxMail.request_id == request.id, OutboxMail.template == "restriction_lifted"
        )
    )
    assert notice.to_addr == "kees@example.nl"
    usable, restricted = processing_rows(db_session, upload)
    assert len(list(usable)) == 3 and restricted == []


def test_subject_under_two_controllers_is_offered_for_splitting(
    db_session, file_source, make_org, make_request, make_user, now
):
    other_org = make_org()
    other = DataSource(
        slug=f"other-{other_org.slug}", name="Ander bestand", kind=SourceKind.FILE,
        organisation_id=other_org.id, purposes=["Ledenadministratie"], legal_basis=["contract"],
        created_at=now, updated_at=now,
    )  # fmt: skip
    db_session.add(other)
    db_session.flush()
    ingest_data_file(db_session, file_source, io.BytesIO(DUTCH_CSV), "a.csv", actor=SYSTEM, now=now)
    ingest_data_file(db_session, other, io.BytesIO(DUTCH_CSV), "b.csv", actor=SYSTEM, now=now)
    actor = Actor.user(make_user().id)
    request = make_request(requester=Requester(name="Kees", email="kees@example.nl"))
    _confirm_all(db_session, request, actor, now)
    assert controllers_found(db_session, request) == sorted(
        [file_source.organisation_id, other_org.id]
    )
