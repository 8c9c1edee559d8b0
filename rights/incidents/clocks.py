"""The hour clocks of an incident (docs/incidents.md, "The clocks").

Per affected controller: the notice deadline, ``discovered_at`` plus the controller's notice
hours (a snapshot of ``Organisation.breach_notice_hours`` taken when it is added). When our
own data is involved and the breach carries a risk: the AP deadline, ``aware_at`` plus 72
hours (Art. 33(1)). All arithmetic is in aware UTC, so 72 hours are 72 real hours across the
change to and from summer time; pages show the instants in Amsterdam time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from rights import audit
from rights.audit import Actor
from rights.deadlines import AMSTERDAM
from rights.errors import ValidationFailed
from rights.models.incident import Incident, IncidentController, IncidentState, Risk
from rights.models.org import Organisation

__all__ = [
    "AP_HOURS",
    "Clock",
    "Countdown",
    "add_controller",
    "ap_due",
    "clocks_of",
    "countdown",
    "is_ambiguous",
    "local_instant",
    "open_incidents",
    "rebase",
    "running_clocks",
]

AP_HOURS = 72


def add_controller(
    session: Session,
    incident: Incident,
    organisation: Organisation,
    *,
    actor: Actor,
    now: datetime,
    confirmed: bool = True,
) -> IncidentController:
    """The controller whose data is involved, with its notice hours as they are now and the
    deadline from discovery (flushes, audited ``incident.controller_added``). Adding one that
    is already there returns it unchanged (its snapshot stays)."""
    for existing in incident.controllers:
        if existing.organisation_id == organisation.id:
            return existing
    hours = organisation.breach_notice_hours
    row = IncidentController(
        incident=incident,
        organisation=organisation,
        confirmed=confirmed,
        notice_hours=hours,
        notice_due=incident.discovered_at + timedelta(hours=hours),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "incident.controller_added",
        actor=actor,
        now=now,
        object_type="incident",
        object_id=incident.id,
        data={"organisation_id": organisation.id, "notice_hours": hours},
    )
    return row


def rebase(incident: Incident) -> None:
    """After the discovery moment changed: every notice deadline from the new moment."""
    for row in incident.controllers:
        row.notice_due = incident.discovered_at + timedelta(hours=row.notice_hours)


def ap_runs(incident: Incident) -> bool:
    """The AP clock runs for our own data in a breach assessed as a risk or a high risk."""
    return (
        incident.own_data
        and incident.is_breach is True
        and incident.aware_at is not None
        and incident.risk in (Risk.RISK, Risk.HIGH)
    )


def ap_due(incident: Incident) -> datetime | None:
    if not ap_runs(incident) or incident.aware_at is None:
        return None
    return incident.aware_at + timedelta(hours=AP_HOURS)


@dataclass(frozen=True)
class Clock:
    """One deadline of an incident. ``organisation`` is None for the AP clock."""

    incident: Incident
    due: datetime
    done_at: datetime | None  # the notice or the AP notification
    hours: int
    organisation: Organisation | None = None
    row: IncidentController | None = None

    @property
    def kind(self) -> str:
        return "ap" if self.organisation is None else "controller"

    @property
    def running(self) -> bool:
        """Still to do: not yet notified, and the incident not closed or found harmless."""
        return (
            self.done_at is None
            and self.incident.state is not IncidentState.CLOSED
            and self.incident.is_breach is not False
        )

    @property
    def on_time(self) -> bool | None:
        return None if self.done_at is None else self.done_at <= self.due

    def left(self, now: datetime) -> timedelta:
        return self.due - now

    @property
    def reminded_at(self) -> datetime | None:
        return self.row.reminded_at if self.row else self.incident.ap_reminded_at

    @property
    def escalated_at(self) -> datetime | None:
        return self.row.escalated_at if self.row else self.incident.ap_escalated_at

    def mark(self, what: str, now: datetime) -> None:
        """Record that the reminder (``"reminded"``) or escalation was sent."""
        target: object = self.row if self.row is not None else self.incident
        prefix = "" if self.row is not None else "ap_"
        setattr(target, f"{prefix}{what}_at", now)


def clocks_of(incident: Incident) -> list[Clock]:
    """The incident's clocks: each confirmed controller's, then the AP's if it runs."""
    found = [
        Clock(incident, row.notice_due, row.notified_at, row.notice_hours, row.organisation, row)
        for row in incident.controllers
        if row.confirmed
    ]
    due = ap_due(incident)
    if due is not None:
        found.append(Clock(incident, due, incident.ap_notified_at, AP_HOURS))
    return found


@dataclass(frozen=True)
class Countdown:
    """A time left (or overdue) in whole hours and minutes, for ``ngettext`` at the edge."""

    overdue: bool
    hours: int
    minutes: int


def countdown(due: datetime, now: datetime) -> Countdown:
    """Rounded down to the minute: 9 h 12 min 59 s left shows as 9 h 12 min."""
    seconds = int((due - now).total_seconds())
    overdue = seconds < 0
    minutes_total = abs(seconds) // 60
    return Countdown(overdue, minutes_total // 60, minutes_total % 60)


def open_incidents(session: Session) -> list[Incident]:
    """Every incident not closed, with its controllers and their organisations, in ONE
    statement (joined eager loading): enough for the clocks of the queue and dashboard."""
    stmt = (
        select(Incident)
        .where(Incident.state != IncidentState.CLOSED)
        .options(joinedload(Incident.controllers).joinedload(IncidentController.organisation))
        .order_by(Incident.discovered_at, Incident.id)
    )
    return list(session.scalars(stmt).unique())


def running_clocks(incidents: Iterable[Incident]) -> list[Clock]:
    """The clocks still running, the one that runs out first first."""
    found = [c for i in incidents for c in clocks_of(i) if c.running]
    return sorted(found, key=lambda c: (c.due, c.incident.id))


def local_instant(local: datetime) -> datetime:
    """An Amsterdam wall-clock time as the officer types it, as aware UTC. A time that does
    not exist (the hour skipped when summer time starts) is refused (``local_time_missing``);
    a time that occurs twice (the hour repeated when it ends) is read as its first
    occurrence, summer time: the earlier instant, so no clock runs later than it should."""
    if local.tzinfo is not None:
        raise ValueError("expected a wall-clock time without zone")
    first = local.replace(tzinfo=AMSTERDAM, fold=0)
    if first.astimezone(UTC).astimezone(AMSTERDAM).replace(tzinfo=None) != local:
        raise ValidationFailed("no such local time", code="local_time_missing")
    return first.astimezone(UTC)


def is_ambiguous(local: datetime) -> bool:
    """True for a wall-clock time that occurs twice in Amsterdam (end of summer time)."""
    naive = local.replace(tzinfo=None)
    return (
        naive.replace(tzinfo=AMSTERDAM, fold=0).utcoffset()
        != naive.replace(tzinfo=AMSTERDAM, fold=1).utcoffset()
    )
