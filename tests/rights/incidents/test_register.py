"""The incident register: recording, facts, assessment, measures and closing, all audited
without the facts themselves (docs/incidents.md, "The register")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import audit
from rights.audit import SYSTEM, Actor
from rights.errors import Conflict, ValidationFailed
from rights.incidents import register
from rights.incidents.clocks import add_controller
from rights.incidents.register import Facts, Measures
from rights.models.audit import AuditEvent
from rights.models.incident import Incident, IncidentState, Risk
from rights.models.org import Organisation

SECRET = "Jan Jansen, jan@example.nl"


def _facts(now: datetime, **kw: object) -> Facts:
    values: dict[str, object] = {
        "title": "Mailing sent to the wrong list",
        "discovered_at": now - timedelta(hours=2),
        "description": f"The file of {SECRET} went out",
        "data_categories": ("name", "e-mail address", "name"),
        "approx_subjects": 1200,
    }
    values.update(kw)
    return Facts(**values)  # type: ignore[arg-type]


def _events(session: Session, action: str) -> list[AuditEvent]:
    audit.write_pending(session)
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_record_gives_yearly_references_and_audits_no_facts(
    db_session: Session, now: datetime
) -> None:
    first = register.record(db_session, _facts(now), actor=SYSTEM, now=now)
    second = register.record(db_session, _facts(now, title="Second"), actor=SYSTEM, now=now)
    assert first.reference == "INC-2026-0001"
    assert second.reference == "INC-2026-0002"
    assert first.state is IncidentState.REPORTED
    assert first.data_categories == ["name", "e-mail address"]
    events = _events(db_session, "incident.recorded")
    assert [e.object_id for e in events] == [first.id, second.id]
    assert all(SECRET not in str(e.data) for e in events)


def test_a_taken_reference_is_skipped(db_session: Session, now: datetime) -> None:
    """Another officer's incident took the number between look-up and insert: the savepoint
    refuses it and the next number is used."""
    db_session.add(
        Incident(reference="INC-2026-0001", title="x", discovered_at=now, created_at=now)
    )
    db_session.flush()
    original = register._next_reference
    calls: list[int] = []

    def stale(session: Session, year: int) -> str:
        calls.append(year)
        return "INC-2026-0001" if len(calls) == 1 else original(session, year)

    register._next_reference = stale  # type: ignore[assignment]
    try:
        incident = register.record(db_session, _facts(now), actor=SYSTEM, now=now)
    finally:
        register._next_reference = original  # type: ignore[assignment]
    assert incident.reference == "INC-2026-0002"
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"title": "  "}, "incident_title"),
        ({"discovered_at": datetime(2026, 3, 6, 10, 0).astimezone()}, "incident_discovered_future"),
        ({"approx_subjects": -1}, "incident_number"),
        ({"data_categories": tuple(str(i) for i in range(60))}, "incident_categories"),
    ],
)
def test_bad_facts_are_refused(
    db_session: Session, now: datetime, changes: dict[str, object], code: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        register.record(db_session, _facts(now, **changes), actor=SYSTEM, now=now)
    assert caught.value.code == code
    assert db_session.scalar(select(Incident.id)) is None


def test_aware_before_discovery_is_refused(db_session: Session, now: datetime) -> None:
    facts = _facts(now, aware_at=now - timedelta(hours=3))
    with pytest.raises(ValidationFailed) as caught:
        register.record(db_session, facts, actor=SYSTEM, now=now)
    assert caught.value.code == "incident_aware_before"


def test_edit_facts_audits_field_names_and_moves_the_clocks(
    db_session: Session, now: datetime, make_org: Callable[..., Organisation]
) -> None:
    incident = register.record(db_session, _facts(now), actor=SYSTEM, now=now)
    org = make_org(breach_notice_hours=18)
    row = add_controller(db_session, incident, org, actor=SYSTEM, now=now)
    earlier = now - timedelta(hours=5)
    changed = register.edit_facts(
        db_session,
        incident,
        _facts(now, discovered_at=earlier, description="Another text"),
        actor=Actor.user(1),
        now=now,
    )
    assert changed == ["discovered_at", "description"]
    assert row.notice_due == earlier + timedelta(hours=18)
    assert (
        register.edit_facts(
            db_session, incident, register.Facts.of(incident), actor=SYSTEM, now=now
        )
        == []
    )
    (event,) = _events(db_session, "incident.facts_changed")
    assert event.data == {"fields": ["discovered_at", "description"]}


def test_not_a_breach_needs_a_reason_and_stays_in_the_register(
    db_session: Session, now: datetime
) -> None:
    incident = register.record(db_session, _facts(now), actor=SYSTEM, now=now)
    with pytest.raises(ValidationFailed) as caught:
        register.assess(db_session, incident, is_breach=False, reason=" ", actor=SYSTEM, now=now)
    assert caught.value.code == "not_breach_reason"
    assert incident.state is IncidentState.REPORTED
    register.assess(
        db_session, incident, is_breach=False, reason="Encrypted laptop", actor=SYSTEM, now=now
    )
    register.close(db_session, incident, actor=SYSTEM, now=now)
    assert incident.state is IncidentState.CLOSED
    assert incident.not_breach_reason == "Encrypted laptop"
    assert db_session.get(Incident, incident.id) is incident
    (event,) = _events(db_session, "incident.assessed")
    assert event.data == {"is_breach": False, "risk": None}


def test_a_breach_needs_risk_and_reasons(db_session: Session, now: datetime) -> None:
    incident = register.record(db_session, _facts(now), actor=SYSTEM, now=now)
    for kw, code in (
        ({"risk": None, "risk_reasons": "x"}, "incident_risk"),
        ({"risk": Risk.HIGH, "risk_reasons": ""}, "risk_reasons"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            register.assess(db_session, incident, is_breach=True, actor=SYSTEM, now=now, **kw)  # type: ignore[arg-type]
        assert caught.value.code == code
    register.assess(
        db_session,
        incident,
        is_breach=True,
        risk=Risk.HIGH,
        risk_reasons="Names and addresses",
        actor=SYSTEM,
        now=now,
    )
    assert incident.state is IncidentState.ASSESSED
    assert incident.aware_at == now
    assert incident.risk is Risk.HIGH


def test_closing_a_breach_needs_measures_against_recurrence(
    db_session: Session, now: datetime
) -> None:
    incident = register.record(db_session, _facts(now), actor=SYSTEM, now=now)
    with pytest.raises(ValidationFailed) as caught:
        register.close(db_session, incident, actor=SYSTEM, now=now)
    assert caught.value.code == "not_assessed"
    register.assess(
        db_session,
        incident,
        is_breach=True,
        risk=Risk.RISK,
        risk_reasons="r",
        actor=SYSTEM,
        now=now,
    )
    with pytest.raises(ValidationFailed) as caught:
        register.close(db_session, incident, actor=SYSTEM, now=now)
    assert caught.value.code == "recurrence_required"
    changed = register.set_measures(
        db_session,
        incident,
        Measures(taken="Recalled", recurrence="Four eyes on every send list"),
        actor=SYSTEM,
        now=now,
    )
    assert changed == ["measures_taken", "measures_recurrence"]
    register.close(db_session, incident, actor=SYSTEM, now=now)
    assert incident.state is IncidentState.CLOSED and incident.closed_at == now
    with pytest.raises(Conflict):
        register.set_measures(db_session, incident, Measures(), actor=SYSTEM, now=now)
    (event,) = _events(db_session, "incident.measures_changed")
    assert event.data == {"fields": ["measures_taken", "measures_recurrence"]}


def test_ap_notification_stops_the_clock_and_late_needs_reasons(
    db_session: Session, now: datetime
) -> None:
    aware = now - timedelta(hours=80)
    incident = register.record(
        db_session, _facts(now, discovered_at=aware, own_data=True), actor=SYSTEM, now=now
    )
    with pytest.raises(ValidationFailed) as caught:
        register.record_ap_notification(
            db_session, incident, notified_at=now, actor=SYSTEM, now=now
        )
    assert caught.value.code == "ap_not_needed"  # not yet assessed as a breach with risk
    register.assess(
        db_session,
        incident,
        is_breach=True,
        risk=Risk.RISK,
        risk_reasons="r",
        aware_at=aware,
        actor=SYSTEM,
        now=now,
    )
    with pytest.raises(ValidationFailed) as caught:
        register.record_ap_notification(
            db_session, incident, notified_at=now, actor=SYSTEM, now=now
        )
    assert caught.value.code == "ap_delay_reasons"  # 80 hours: late
    with pytest.raises(ValidationFailed) as caught:
        register.record_ap_notification(
            db_session,
            incident,
            notified_at=now + timedelta(hours=1),
            delay_reasons="x",
            actor=SYSTEM,
            now=now,
        )
    assert caught.value.code == "ap_notified_at"
    register.record_ap_notification(
        db_session,
        incident,
        notified_at=aware + timedelta(hours=70),
        ap_reference="AP-123",
        actor=SYSTEM,
        now=now,
    )
    assert incident.state is IncidentState.NOTIFIED
    assert incident.ap_notified_at == aware + timedelta(hours=70)
    (event,) = _events(db_session, "incident.ap_notified")
    assert event.data == {"on_time": True}
