"""The hour clocks on a frozen clock, across the change to and from summer time
(docs/incidents.md, "The clocks")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from rights.audit import SYSTEM
from rights.deadlines import AMSTERDAM
from rights.errors import ValidationFailed
from rights.incidents import register
from rights.incidents.clocks import (
    Countdown,
    add_controller,
    ap_due,
    clocks_of,
    countdown,
    is_ambiguous,
    local_instant,
    open_incidents,
    running_clocks,
)
from rights.incidents.register import Facts
from rights.models.incident import Risk
from rights.models.org import Organisation


def _breach(session: Session, discovered: datetime, now: datetime, *, own: bool = False):  # type: ignore[no-untyped-def]
    incident = register.record(
        session,
        Facts(title="Lost USB stick", discovered_at=discovered, own_data=own),
        actor=SYSTEM,
        now=now,
    )
    register.assess(
        session,
        incident,
        is_breach=True,
        risk=Risk.RISK,
        risk_reasons="Unencrypted",
        aware_at=discovered,
        actor=SYSTEM,
        now=now,
    )
    return incident


def test_notice_due_is_a_snapshot_of_the_controllers_hours(
    db_session: Session, now: datetime, make_org: Callable[..., Organisation]
) -> None:
    discovered = now - timedelta(hours=1)
    incident = _breach(db_session, discovered, now)
    media, mail = make_org(breach_notice_hours=18), make_org()
    first = add_controller(db_session, incident, media, actor=SYSTEM, now=now)
    add_controller(db_session, incident, mail, actor=SYSTEM, now=now)
    media.breach_notice_hours = 48
    again = add_controller(db_session, incident, media, actor=SYSTEM, now=now)
    assert again is first and first.notice_hours == 18
    assert [c.due for c in clocks_of(incident)] == [
        discovered + timedelta(hours=18),
        discovered + timedelta(hours=24),
    ]
    assert ap_due(incident) is None  # not our own data


def test_ap_clock_only_for_own_data_with_risk(db_session: Session, now: datetime) -> None:
    incident = _breach(db_session, now - timedelta(hours=1), now, own=True)
    assert ap_due(incident) == now - timedelta(hours=1) + timedelta(hours=72)
    register.assess(
        db_session,
        incident,
        is_breach=True,
        risk=Risk.NONE,
        risk_reasons="Encrypted",
        actor=SYSTEM,
        now=now,
    )
    assert ap_due(incident) is None


def test_summer_time_starts(db_session: Session, make_org: Callable[..., Organisation]) -> None:
    """Discovered 2027-03-28 01:30 CET; at 02:00 the clocks jump to 03:00 CEST. 24 and 72
    real hours end at 02:30 CEST, not at 01:30."""
    discovered = datetime(2027, 3, 28, 1, 30, tzinfo=AMSTERDAM)
    assert discovered.astimezone(UTC) == datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
    frozen = datetime(2027, 3, 28, 15, 18, tzinfo=AMSTERDAM)  # 12 h 48 min of real time later
    incident = _breach(db_session, discovered.astimezone(UTC), frozen, own=True)
    add_controller(db_session, incident, make_org(), actor=SYSTEM, now=frozen)
    notice, ap = clocks_of(incident)
    assert notice.due == datetime(2027, 3, 29, 0, 30, tzinfo=UTC)
    assert notice.due.astimezone(AMSTERDAM).strftime("%H:%M %Z") == "02:30 CEST"
    assert ap.due.astimezone(AMSTERDAM).isoformat() == "2027-03-31T02:30:00+02:00"
    assert countdown(notice.due, frozen) == Countdown(False, 11, 12)
    assert countdown(ap.due, frozen) == Countdown(False, 59, 12)


def test_summer_time_ends(db_session: Session, make_org: Callable[..., Organisation]) -> None:
    """Discovered 2026-10-25 02:30 CEST (the first 02:30; at 03:00 CEST the clocks go back to
    02:00 CET). 24 real hours end at 01:30 CET the next day."""
    discovered = datetime(2026, 10, 25, 2, 30, tzinfo=AMSTERDAM, fold=0)
    assert discovered.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    frozen = datetime(2026, 10, 26, 3, 30, tzinfo=AMSTERDAM)  # 26 real hours later
    incident = _breach(db_session, discovered.astimezone(UTC), frozen, own=True)
    add_controller(db_session, incident, make_org(), actor=SYSTEM, now=frozen)
    notice, ap = clocks_of(incident)
    assert notice.due.astimezone(AMSTERDAM).isoformat() == "2026-10-26T01:30:00+01:00"
    assert ap.due.astimezone(AMSTERDAM).isoformat() == "2026-10-28T01:30:00+01:00"
    assert countdown(notice.due, frozen) == Countdown(True, 2, 0)
    assert countdown(ap.due, frozen) == Countdown(False, 46, 0)
    # The second 02:30 (CET) is an hour later, and so is everything after it.
    second = datetime(2026, 10, 25, 2, 30, tzinfo=AMSTERDAM, fold=1)
    assert second.astimezone(UTC) - discovered.astimezone(UTC) == timedelta(hours=1)


def test_wall_clock_input_across_the_changes() -> None:
    assert local_instant(datetime(2027, 3, 28, 1, 30)) == datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
    with pytest.raises(ValidationFailed) as caught:
        local_instant(datetime(2027, 3, 28, 2, 30))  # skipped: 02:00 became 03:00
    assert caught.value.code == "local_time_missing"
    assert is_ambiguous(datetime(2026, 10, 25, 2, 30))
    assert not is_ambiguous(datetime(2026, 10, 25, 3, 30))
    # Twice on the clock: the first occurrence, summer time.
    assert local_instant(datetime(2026, 10, 25, 2, 30)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert local_instant(datetime(2026, 10, 25, 3, 30)) == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)


def test_running_clocks_one_query_and_order(
    db_session: Session, now: datetime, make_org: Callable[..., Organisation]
) -> None:
    a = _breach(db_session, now - timedelta(hours=3), now)
    b = _breach(db_session, now - timedelta(hours=1), now, own=True)
    add_controller(db_session, a, make_org(breach_notice_hours=12), actor=SYSTEM, now=now)
    add_controller(db_session, b, make_org(), actor=SYSTEM, now=now)
    done = add_controller(db_session, b, make_org(), actor=SYSTEM, now=now)
    done.notified_at = now
    db_session.commit()
    db_session.expire_all()
    statements: list[str] = []

    bind = db_session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(bind, "before_cursor_execute", listener)
    try:
        clocks = running_clocks(open_incidents(db_session))
        summary = [(c.incident.reference, c.kind, c.hours) for c in clocks]
    finally:
        event.remove(bind, "before_cursor_execute", listener)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    assert summary == [
        (a.reference, "controller", 12),
        (b.reference, "controller", 24),
        (b.reference, "ap", 72),
    ]
