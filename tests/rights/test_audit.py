from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, text, update

from rights import audit
from rights.audit import SYSTEM, Actor, verify_chain
from rights.models.audit import AuditEvent


def _events(db_session, now, n=5):
    for i in range(n):
        audit.record(
            db_session,
            "test.event",
            actor=Actor.user(i + 1),
            now=now + timedelta(seconds=i),
            data={"i": i},
        )
    audit.write_pending(db_session)


def test_intact_chain_verifies(db_session, now):
    _events(db_session, now)
    report = verify_chain(db_session)
    assert report.ok and report.checked >= 5


def test_edited_row_is_detected_at_that_event(db_session, now):
    _events(db_session, now)
    target = db_session.query(AuditEvent).order_by(AuditEvent.seq).all()[2]
    db_session.execute(update(AuditEvent).where(AuditEvent.id == target.id).values(data={"i": 99}))
    db_session.expire_all()
    report = verify_chain(db_session)
    assert not report.ok
    assert report.first_broken_seq == target.seq
    assert report.reason == "event content changed"


def test_deleted_row_is_detected(db_session, now):
    _events(db_session, now)
    target = db_session.query(AuditEvent).order_by(AuditEvent.seq).all()[1]
    db_session.execute(delete(AuditEvent).where(AuditEvent.id == target.id))
    db_session.expire_all()
    report = verify_chain(db_session)
    assert not report.ok and report.first_broken_seq == target.seq


def test_truncated_tail_is_detected(db_session, now):
    _events(db_session, now)
    last = db_session.query(AuditEvent).order_by(AuditEvent.seq.desc()).first()
    db_session.execute(delete(AuditEvent).where(AuditEvent.id == last.id))
    db_session.expire_all()
    assert not verify_chain(db_session).ok


def test_event_data_is_kept_as_given_and_has_no_text_fields(db_session, now):
    event = audit.record(db_session, "x", actor=SYSTEM, now=now, data={"right": "access"})
    audit.write_pending(db_session)
    assert event.data == {"right": "access"}
    assert event.hash != event.prev_hash


def test_cli_verify_reports_intact_then_broken(app, db_session, now):
    _events(db_session, now, 3)
    db_session.commit()
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "Het auditlogboek is intact: 3 gebeurtenissen" in ok.output
    db_session.execute(text("UPDATE audit_event SET action = 'forged' WHERE seq = 2"))
    db_session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert "NIET intact bij gebeurtenis 2: deze gebeurtenis is gewijzigd" in broken.output
    assert "De 1 gebeurtenis daarvoor is intact" in broken.output


@pytest.mark.parametrize(
    ("moment", "nl", "en"),
    [
        (datetime(2026, 12, 1, 13, 5, tzinfo=UTC), "1 dec 2026 14:05 CET", "1 Dec 2026 14:05 CET"),
        (datetime(2026, 7, 1, 13, 5, tzinfo=UTC), "1 jul 2026 15:05 CEST", "1 Jul 2026 15:05 CEST"),
    ],
)
def test_cli_verify_speaks_to_the_officer_in_words_and_local_time(app, db_session, moment, nl, en):
    """An officer runs the check: a sentence in their language, the last event's time on
    the Dutch clock with the zone named (not UTC), no code such as "event content changed"."""
    for i in range(2):
        audit.record(db_session, "test.event", actor=SYSTEM, now=moment, data={"i": i})
    db_session.commit()
    runner = app.test_cli_runner()
    said = runner.invoke(args=["audit", "verify"]).output
    assert f"intact: 2 gebeurtenissen, de laatste vastgelegd op {nl}." in said
    said = runner.invoke(args=["audit", "verify", "--lang", "en"]).output
    assert f"The audit trail is intact: 2 events, the last one written on {en}." in said
    db_session.execute(text("UPDATE audit_event SET data = '{}' WHERE seq = 2"))
    db_session.commit()
    broken = runner.invoke(args=["audit", "verify", "--lang", "en"])
    assert broken.exit_code == 1
    assert broken.output.strip() == (
        "The audit trail is NOT intact at event 2: this event was changed after it was "
        f"written. The 1 event before it is intact; it was written on {en}."
    )
    assert "UTC" not in broken.output and "content changed" not in broken.output


def test_parallel_writers_keep_one_unbroken_chain(engine, now):
    """Events are linked at commit under the head's lock: writers committing at the same
    time on their own connections still make one chain without gaps or forks."""
    import threading

    from sqlalchemy.orm import Session

    writer = engine.execution_options(sqlite_immediate=True)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(10):
                with Session(writer) as session:
                    audit.record(
                        session, "test.parallel", actor=Actor.user(n), now=now, data={"i": i}
                    )
                    session.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in (1, 2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with Session(engine) as session:
        report = verify_chain(session)
        parallel = session.query(AuditEvent).filter(AuditEvent.action == "test.parallel").count()
    assert report.ok, report
    assert parallel >= 30


def test_an_event_in_a_rolled_back_savepoint_is_not_written(db_session, now):
    audit.record(db_session, "test.kept", actor=SYSTEM, now=now)
    savepoint = db_session.begin_nested()
    audit.record(db_session, "test.dropped", actor=SYSTEM, now=now)
    savepoint.rollback()
    db_session.commit()
    actions = {e.action for e in db_session.query(AuditEvent)}
    assert "test.kept" in actions and "test.dropped" not in actions
    assert verify_chain(db_session).ok


@pytest.mark.parametrize("batch", [1, 2, 16, 17, 40])
def test_a_transaction_of_any_size_appends_its_events_in_order(db_session, now, batch):
    """One event, a batch one statement takes, and batches past it (executemany): each
    event in order, with its data, the head at the last one, and the chain intact."""
    from rights.models.audit import AuditHead

    _events(db_session, now, 1)
    db_session.commit()
    start = db_session.get(AuditHead, 1).seq
    _events(db_session, now, batch)
    db_session.commit()
    rows = db_session.query(AuditEvent).filter(AuditEvent.seq >= start).order_by(AuditEvent.seq)
    rows = rows.all()
    assert [r.data for r in rows[1:]] == [{"i": i} for i in range(batch)]
    assert [r.seq for r in rows] == list(range(rows[0].seq, rows[0].seq + batch + 1))
    head = db_session.get(AuditHead, 1)
    db_session.refresh(head)
    assert (head.seq, head.hash) == (rows[-1].seq, rows[-1].hash)
    assert verify_chain(db_session).ok
